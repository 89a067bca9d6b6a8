//! Grids are built in code, drawn like this (2021, tables at C5 on one sheet, two label
//! columns for table 三, group label repeated):
//!
//! ```text
//!      C                       D              E        …
//!  5 │ 第二十条第（一）项
//!  6 │ 信息内容              │ 本年制发件数 │ 本年废止件数 │ 现行有效件数
//!  7 │ 规章                  │ 0            │ 0            │ 0
//!  …
//! 30 │ (note)     │          │ 申请人情况
//! 31 │            │          │ 自然人 │ 法人或其他组织 │ … │ 总计
//! 32 │            │          │        │ 商业企业 │ … │ 其他
//! 33 │ 一、本年新收…         │ │ 7 │ 1 │ 0 │ …
//! ```
use super::*;
use crate::model::spec::{ORG_HEADER, REQUESTS_NOTE};
use crate::model::{Status, ValueKind};
use crate::read::grid::{CellValue, Sheet};

/// Values: every field gets `base + index` so a misplaced read shows up.
fn value_of(i: usize) -> i64 {
    (i as i64 * 7) % 23
}

struct Builder {
    sheet: Sheet,
    row: u32,
    col: u32,
}

impl Builder {
    fn new(name: &str, row: u32, col: u32) -> Self {
        Builder {
            sheet: Sheet::new(name),
            row,
            col,
        }
    }
    fn text(&mut self, r: u32, c: u32, s: &str) {
        self.sheet.set(r, c, CellValue::Text(s.to_string()));
    }
    fn proactive(&mut self, version: FormatVersion, values: &mut impl Iterator<Item = CellValue>) {
        let spec = version.spec().table(TableKey::Proactive);
        let mut section = None;
        for row in spec.rows {
            if row.section != section {
                section = row.section;
                let (r, c) = (self.row, self.col);
                self.text(r, c, row.section.unwrap());
                self.text(r + 1, c, "信息内容");
                for (i, col) in row.columns.iter().enumerate() {
                    self.text(r + 1, c + 1 + i as u32, col.label);
                }
                self.row += 2;
            }
            let (r, c) = (self.row, self.col);
            self.text(r, c, row.label);
            for (i, col) in row.columns.iter().enumerate() {
                let v = match (values.next().unwrap(), col.kind) {
                    // a bare amount has no unit: say 元, as agencies are asked to
                    (CellValue::Int(n), ValueKind::Money { header_unit: None }) => {
                        CellValue::Text(format!("{n}元"))
                    }
                    (v, _) => v,
                };
                self.sheet.set(r, c + 1 + i as u32, v);
            }
            self.row += 1;
        }
        self.row += 1;
    }
    /// Table 三 with `label_cols` label columns (1, 2 or 3), group labels repeated.
    fn requests(
        &mut self,
        version: FormatVersion,
        label_cols: u32,
        values: &mut impl Iterator<Item = CellValue>,
    ) {
        let spec = version.spec().table(TableKey::Requests);
        let (r, c) = (self.row, self.col);
        let d = c + label_cols; // first data column
        self.text(r, c, REQUESTS_NOTE);
        self.text(r, d, "申请人情况");
        self.text(r + 1, d, "自然人");
        self.text(r + 1, d + 1, ORG_HEADER);
        self.text(r + 1, d + 6, "总计");
        for (i, col) in spec.rows[0].columns[1..6].iter().enumerate() {
            self.text(r + 2, d + 1 + i as u32, col.label);
        }
        self.row += 3;
        for row in spec.rows {
            let r = self.row;
            let parts: Vec<&str> = row.group.into_iter().chain([row.label]).collect();
            match (label_cols, parts.as_slice()) {
                (1, p) => self.text(r, c, &p.join("")),
                (_, [only]) => self.text(r, c, only),
                (2, [g, item]) => {
                    self.text(r, c, g);
                    self.text(r, c + 1, item);
                }
                (_, [g, item]) => {
                    // three columns: the results group, then the sub-group, then the item
                    if *g == crate::model::spec::RESULTS_GROUP {
                        self.text(r, c, g);
                        self.text(r, c + 1, item);
                    } else {
                        self.text(r, c, crate::model::spec::RESULTS_GROUP);
                        self.text(r, c + 1, g);
                        self.text(r, c + 2, item);
                    }
                }
                _ => unreachable!(),
            }
            for i in 0..7 {
                self.sheet.set(r, d + i, values.next().unwrap());
            }
            self.row += 1;
        }
        self.row += 1;
    }
    fn appeals(&mut self, values: &mut impl Iterator<Item = CellValue>) {
        let (r, c) = (self.row, self.col);
        let labels = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
        self.text(r, c, "行政复议");
        self.text(r, c + 5, "行政诉讼");
        self.text(r + 1, c + 5, "未经复议直接起诉");
        self.text(r + 1, c + 10, "复议后起诉");
        for (i, l) in labels.iter().enumerate() {
            self.text(r + 1, c + i as u32, l);
            self.text(r + 2, c + 5 + i as u32, l);
            self.text(r + 2, c + 10 + i as u32, l);
        }
        for i in 0..15 {
            self.sheet.set(r + 3, c + i, values.next().unwrap());
        }
        self.row += 5;
    }
}

fn numbers(version: FormatVersion) -> impl Iterator<Item = CellValue> {
    (0..version.spec().field_count()).map(|i| CellValue::Int(value_of(i)))
}

fn grid(sheets: Vec<Sheet>) -> Grid {
    Grid {
        source: "test.xlsx".into(),
        sheets,
        prose: Vec::new(),
        properties: Vec::new(),
    }
}

fn one_sheet(version: FormatVersion, label_cols: u32) -> Sheet {
    let mut b = Builder::new("Sheet1", 4, 2); // tables start at C5
    b.text(
        0,
        2,
        "XX区人力资源和社会保障局2021年政府信息公开工作年度报告统计表",
    );
    let mut vals = numbers(version);
    b.proactive(version, &mut vals);
    b.requests(version, label_cols, &mut vals);
    b.appeals(&mut vals);
    b.sheet
}

fn assert_values_in_order(report: &Report) {
    for (i, (f, v)) in report.iter().enumerate() {
        assert_eq!(
            v.status,
            Status::Filled,
            "{:?} {} {}",
            f.table,
            f.row.key,
            f.col.key
        );
        assert_eq!(
            v.as_count(),
            Some(value_of(i)),
            "{:?} {} {}",
            f.table,
            f.row.key,
            f.col.key
        );
    }
}

#[test]
fn official_layout_at_offset_both_versions_all_label_column_counts() {
    for version in FormatVersion::ALL {
        for label_cols in 1..=3 {
            let (report, findings) = locate(
                &grid(vec![one_sheet(version, label_cols)]),
                &ReadOptions::default(),
            )
            .unwrap();
            assert_eq!(report.meta.format, version);
            assert!(findings.is_empty(), "{version} {label_cols}: {findings:#?}");
            assert_values_in_order(&report);
            assert_eq!(
                report.meta.agency.as_deref(),
                Some("XX区人力资源和社会保障局")
            );
            assert_eq!(report.meta.year, Some(2021));
        }
    }
}

#[test]
fn source_cells_are_absolute() {
    let (report, _) = locate(
        &grid(vec![one_sheet(FormatVersion::V2021, 2)]),
        &ReadOptions::default(),
    )
    .unwrap();
    let v = report
        .get(TableKey::Proactive, "regulations", "issued")
        .unwrap();
    // C5 title, C6 header, C7 规章 → D7
    assert_eq!(v.source.as_ref().unwrap().qualified(), "'Sheet1'!D7");
}

#[test]
fn tables_on_separate_sheets_with_notes_sheet() {
    let version = FormatVersion::V2019;
    let mut vals = numbers(version);
    let mut notes = Builder::new("说明", 0, 0);
    notes.text(
        0,
        0,
        "填表说明：自然人、法人或其他组织的申请均应计入表三。行政复议与行政诉讼见表四。",
    );
    let mut a = Builder::new("表二", 2, 1);
    a.proactive(version, &mut vals);
    let mut b = Builder::new("表三", 0, 0);
    b.requests(version, 3, &mut vals);
    let mut c = Builder::new("表四", 3, 3);
    c.appeals(&mut vals);
    let (report, findings) = locate(
        &grid(vec![notes.sheet, a.sheet, b.sheet, c.sheet]),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_values_in_order(&report);
    assert_eq!(
        findings.iter().map(|f| f.rule.code()).collect::<Vec<_>>(),
        vec!["I9"]
    );
}

#[test]
fn hidden_copy_is_ignored_with_a_warning_and_two_visible_copies_are_an_error() {
    let mut hidden = one_sheet(FormatVersion::V2021, 2);
    hidden.name = "上年".into();
    hidden.visible = false;
    for v in hidden.cells.values_mut() {
        if let CellValue::Int(i) = v {
            *i += 100;
        }
    }
    let (report, findings) = locate(
        &grid(vec![hidden.clone(), one_sheet(FormatVersion::V2021, 2)]),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_values_in_order(&report);
    assert_eq!(findings.iter().filter(|f| f.rule.code() == "I8").count(), 3);

    hidden.visible = true;
    let err = locate(
        &grid(vec![hidden, one_sheet(FormatVersion::V2021, 2)]),
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), "ambiguous_table");
}

#[test]
fn conflicting_version_labels_are_an_error_naming_both_cells() {
    let mut a = Builder::new("表二", 0, 0);
    a.proactive(FormatVersion::V2019, &mut numbers(FormatVersion::V2019));
    let mut b = Builder::new("表三", 0, 0);
    b.requests(FormatVersion::V2021, 2, &mut numbers(FormatVersion::V2021));
    let err = locate(&grid(vec![a.sheet, b.sheet]), &ReadOptions::default()).unwrap_err();
    match err {
        ReadError::VersionConflict { first, second, .. } => {
            assert_eq!(first.cell.sheet, "表二");
            assert_eq!(second.cell.sheet, "表三");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_row_and_unreadable_cells_are_findings() {
    let mut s = one_sheet(FormatVersion::V2021, 2);
    // drop the 2.重复申请 row label, make one cell text, one a formula, one blank
    let key = s
        .cells
        .iter()
        .find(|(_, v)| matches!(v, CellValue::Text(t) if t == "2.重复申请"))
        .map(|(k, _)| *k)
        .unwrap();
    s.cells.remove(&key);
    let (r, c) = (key.0, key.1 + 1);
    s.set(r - 1, c, CellValue::Text("见附件".into()));
    s.set(
        r - 2,
        c,
        CellValue::FormulaNotCalculated("SUM(E1:E2)".into()),
    );
    s.cells.remove(&(r - 3, c));
    let (report, findings) = locate(&grid(vec![s]), &ReadOptions::default()).unwrap();
    let rules: Vec<&str> = findings.iter().map(|f| f.rule.code()).collect();
    assert_eq!(rules, vec!["I2", "I7", "I4"], "{findings:#?}");
    let dup = report
        .get(TableKey::Requests, "rejected_duplicate", "total")
        .unwrap();
    assert_eq!(dup.status, Status::Missing);
    let blank = report
        .get(
            TableKey::Requests,
            "unavailable_needs_creation",
            "natural_person",
        )
        .unwrap();
    assert_eq!(blank.status, Status::Blank);
}

#[test]
fn no_tables_and_unknown_version() {
    let mut s = Sheet::new("Sheet1");
    s.set(0, 0, CellValue::Text("会议纪要".into()));
    assert_eq!(
        locate(&grid(vec![s]), &ReadOptions::default())
            .unwrap_err()
            .kind(),
        "no_tables"
    );
    let mut b = Builder::new("表四", 0, 0);
    b.appeals(&mut numbers(FormatVersion::V2021));
    let g = grid(vec![b.sheet]);
    assert_eq!(
        locate(&g, &ReadOptions::default()).unwrap_err().kind(),
        "version_unknown"
    );
    let opts = ReadOptions {
        format: Some(FormatVersion::V2021),
        ..Default::default()
    };
    let (_, findings) = locate(&g, &opts).unwrap();
    let rules: Vec<&str> = findings.iter().map(|f| f.rule.code()).collect();
    assert_eq!(rules, vec!["I9", "I1", "I1"]);
}

/// A sheet as an xlsx workbook (texts and integers), with the given rows and columns hidden.
fn sheet_as_xlsx(sheet: &Sheet, hidden_rows: &[u32], hidden_cols: &[u16]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(&sheet.name).unwrap();
    for (&(r, c), v) in &sheet.cells {
        let c = c as u16;
        match v {
            CellValue::Text(s) => ws.write_string(r, c, s).map(|_| ()),
            CellValue::Int(n) => ws.write_number(r, c, *n as f64).map(|_| ()),
            other => panic!("{other:?}"),
        }
        .unwrap();
    }
    for &r in hidden_rows {
        ws.set_row_hidden(r).unwrap();
    }
    for &c in hidden_cols {
        ws.set_column_hidden(c).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// The spoofed-label scenario of issue 13: the visible table 三 has labels ending in an invisible
/// U+3164 (Hangul filler) and holds the real numbers; a consistent decoy copy sits in hidden
/// rows below. The visible numbers are read, the hidden copy is reported (I8). Without filler
/// removal only the decoy matched (and was read without a word); without hidden rows, the two
/// copies are ambiguous.
#[test]
fn visible_table_with_filler_labels_wins_over_copy_in_hidden_rows() {
    let version = FormatVersion::V2021;
    let mut vals = numbers(version);
    let mut b = Builder::new("Sheet1", 4, 2);
    b.text(
        0,
        2,
        "XX区人力资源和社会保障局2021年政府信息公开工作年度报告统计表",
    );
    b.proactive(version, &mut vals);
    let first = b.row;
    b.requests(version, 1, &mut vals);
    let last = b.row;
    b.appeals(&mut vals);
    for r in first..last {
        for c in 0..20 {
            if let Some(CellValue::Text(s)) = b.sheet.cells.get_mut(&(r, c)) {
                s.push('\u{3164}');
            }
        }
    }
    b.row += 2;
    let decoy_first = b.row;
    let mut decoy = (1000..).map(CellValue::Int);
    b.requests(version, 1, &mut decoy);
    let hidden: Vec<u32> = (decoy_first..b.row).collect();
    let bytes = sheet_as_xlsx(&b.sheet, &hidden, &[]);

    let grid = crate::read::read_grid_bytes(&bytes, "test.xlsx", &Limits::default()).unwrap();
    assert!(grid.sheets[0].hidden_rows.contains(&decoy_first));
    let (report, findings) = locate(&grid, &ReadOptions::default()).unwrap();
    assert_values_in_order(&report);
    let i8: Vec<_> = findings.iter().filter(|f| f.rule.code() == "I8").collect();
    assert_eq!(i8.len(), 1, "{findings:#?}");
    assert!(i8[0].message.contains("隐藏的行/列"), "{}", i8[0].message);
    assert_eq!(i8[0].severity(), crate::diag::Severity::Warning);
    assert_eq!(findings.len(), 1, "{findings:#?}");
}

/// The same with the decoy in hidden columns to the right, and alone: a table found only in
/// hidden columns is used, with a warning.
#[test]
fn copy_in_hidden_columns_is_reported_and_used_when_alone() {
    let version = FormatVersion::V2021;
    let mut b = Builder::new("Sheet1", 4, 2);
    b.text(
        0,
        2,
        "XX区人力资源和社会保障局2021年政府信息公开工作年度报告统计表",
    );
    let mut vals = numbers(version);
    b.proactive(version, &mut vals);
    let mut right = Builder::new("Sheet1", b.row, 20);
    right.sheet = std::mem::take(&mut b.sheet);
    right.requests(version, 1, &mut vals);
    b.sheet = std::mem::take(&mut right.sheet);
    b.row = right.row;
    b.appeals(&mut vals);
    let hidden: Vec<u16> = (20..28).collect();
    let bytes = sheet_as_xlsx(&b.sheet, &[], &hidden);
    let grid = crate::read::read_grid_bytes(&bytes, "test.xlsx", &Limits::default()).unwrap();
    assert!(grid.sheets[0].hidden_cols.contains(&20));
    let (report, findings) = locate(&grid, &ReadOptions::default()).unwrap();
    assert_values_in_order(&report);
    let i8: Vec<_> = findings.iter().filter(|f| f.rule.code() == "I8").collect();
    assert_eq!(i8.len(), 1, "{findings:#?}");
    assert!(i8[0].message.contains("隐藏的行/列"), "{}", i8[0].message);
}

/// Issue 13: a clean report plus a sheet full of anchor words — `自然人` alone, and the whole
/// header row of table 三 tiled across the sheet (so that every anchor finds its columns and
/// looks for its rows), and `信息内容` / `行政复议` the same way, plus many merged regions (each
/// `行政复议` looks for the region it heads). Locating must stay
/// near-linear in the cells: the text cells the finders visit grow in proportion to the
/// anchors, not to anchors × cells (it was 42 s for 50 000 `自然人`).
#[test]
fn a_sheet_full_of_anchor_words_costs_linear_work() {
    let version = FormatVersion::V2021;
    let header: Vec<&str> = version.spec().table(TableKey::Requests).rows[0]
        .columns
        .iter()
        .map(|c| c.label)
        .collect();
    let flood = |rows: u32| {
        let mut s = Sheet::new("满屏");
        for r in 0..rows {
            for c in 0..500u32 {
                let text = match r % 4 {
                    0 => "自然人",
                    1 => header[(c % 7) as usize],
                    2 => "信息内容",
                    _ => "行政复议",
                };
                s.set(r, c, CellValue::Text(text.into()));
            }
            // merges: a hundred per row, each over two cells of a row below the sheet
            for m in 0..100u32 {
                s.merges.push(crate::read::Rect {
                    first_row: rows + r,
                    first_col: 2 * m,
                    last_row: rows + r,
                    last_col: 2 * m + 1,
                });
            }
        }
        s
    };
    let work = |rows: u32| {
        let g = grid(vec![one_sheet(version, 2), flood(rows)]);
        let ixs: Vec<Indexed> = g.sheets.iter().map(Indexed::new).collect();
        let mut findings = Vec::new();
        let chosen = choose::choose(&g, &ixs, version, "t", &mut findings).unwrap();
        assert_eq!(chosen.len(), 3);
        let (report, _) = locate(&g, &ReadOptions::default()).unwrap();
        assert_values_in_order(&report);
        ixs[1].visited.get()
    };
    let (small, big) = (work(10), work(40)); // 5 000 and 20 000 cells
    assert!(
        big <= small * 5,
        "work grows faster than the cells: {small} for 5 000 cells, {big} for 20 000"
    );
    assert!(
        big <= 20_000 * 1_000,
        "{big} cells visited for 20 000 cells"
    );
}

/// Issue 10: a workbook that states neither agency nor year takes them from its file name,
/// with an I9 warning saying so and asking for 填报单位; the roll-up's year is taken last;
/// the caller's word beats everything.
#[test]
fn agency_and_year_from_the_file_name_with_a_warning() {
    let mut sheet = one_sheet(FormatVersion::V2021, 2);
    sheet.cells.remove(&(0, 2)); // no title
    let g = |source: &str| Grid {
        source: source.into(),
        sheets: vec![sheet.clone()],
        prose: Vec::new(),
        properties: Vec::new(),
    };
    let (report, findings) =
        locate(&g("某区/教育局2025年报.xlsx"), &ReadOptions::default()).unwrap();
    let m = &report.meta;
    assert_eq!(m.agency.as_deref(), Some("教育局"));
    assert_eq!(m.year, Some(2025));
    assert_eq!(m.agency_from, Some(MetaSource::FileName));
    assert_eq!(m.year_from, Some(MetaSource::FileName));
    let i9: Vec<_> = findings.iter().filter(|d| d.rule == Rule::I9).collect();
    assert_eq!(i9.len(), 1, "{findings:?}");
    assert!(
        i9[0].message.contains("按文件名取为“教育局”"),
        "{}",
        i9[0].message
    );
    assert!(
        i9[0].message.contains("按文件名取为 2025 年"),
        "{}",
        i9[0].message
    );
    assert!(i9[0]
        .help
        .as_deref()
        .unwrap()
        .contains("“填报单位：教育局”"));

    // the roll-up's year is taken when nothing else says one, and said
    let opts = ReadOptions {
        batch_year: Some(2024),
        ..ReadOptions::default()
    };
    let (report, findings) = locate(&g("03_教育局.xlsx"), &opts).unwrap();
    assert_eq!(report.meta.year, Some(2024));
    assert_eq!(report.meta.year_from, Some(MetaSource::Batch));
    assert!(findings
        .iter()
        .any(|d| d.rule == Rule::I9 && d.message.contains("按汇总年度 2024 年计入")));

    // nothing anywhere: not found, as before
    let (report, findings) = locate(&g("表.xlsx"), &ReadOptions::default()).unwrap();
    assert_eq!(
        (report.meta.agency.as_deref(), report.meta.year),
        (None, None)
    );
    assert!(findings
        .iter()
        .any(|d| d.rule == Rule::I9 && d.message == "未找到单位名称；未找到统计年度"));

    // the caller's word wins, and nothing is said
    let opts = ReadOptions {
        agency: Some("甲局".into()),
        year: Some(2023),
        ..ReadOptions::default()
    };
    let (report, findings) = locate(&g("教育局2025年报.xlsx"), &opts).unwrap();
    assert_eq!(report.meta.agency.as_deref(), Some("甲局"));
    assert_eq!(report.meta.year, Some(2023));
    assert_eq!(report.meta.year_from, Some(MetaSource::Given));
    assert!(findings.iter().all(|d| d.rule != Rule::I9));
}

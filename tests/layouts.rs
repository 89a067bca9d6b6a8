//! Self-test of `tests/support/layouts.rs`: every layout variant, written for a report of each
//! format version, read back with calamine directly (not nianbao's reader) — labels and numbers
//! land where the layout says, and every value's written form reads back to the same number.
//!
//! These tests live in their own test target (not inside `tests/support`) so that they run once,
//! not once per integration test binary that declares `mod support;`.

mod support;

use std::io::Cursor;
use std::str::FromStr;

use calamine::{open_workbook_from_rs, Data, Reader, SheetVisible, Xlsx};
use nianbao::model::spec::{REQUESTS_NOTE, RESULTS_GROUP};
use nianbao::model::{FormatVersion, Meta, MoneyUnit, Report, Status, TableKey, Value, ValueKind};
use rust_decimal::Decimal;
use support::layouts::*;

/// A report whose values are all distinct-ish, with zeros, a negative 本年增/减, values ≥ 1000,
/// money with and without units, and one blank cell.
fn test_report(version: FormatVersion) -> Report {
    let spec = version.spec();
    let values = spec
        .fields()
        .enumerate()
        .map(|(i, f)| {
            let mut v = Value::computed(Decimal::from((i * 7 % 23) as i64), None);
            v.status = Status::Filled;
            if i % 11 == 5 {
                v.value = Decimal::from(1234 + i as i64);
            }
            match f.col.kind {
                ValueKind::SignedCount if i % 2 == 0 => v.value = Decimal::from(-3),
                ValueKind::Money { header_unit } => {
                    if header_unit.is_some() {
                        v.value = Decimal::from_str("4068.208").unwrap();
                        v.unit = Some(MoneyUnit::WanYuan);
                    } else {
                        v.value = Decimal::from(251000);
                        v.unit = Some(MoneyUnit::Yuan);
                    }
                }
                _ => {}
            }
            if f.table == TableKey::Appeals
                && f.row.key == "litigation_direct"
                && f.col.key == "other"
            {
                v.value = Decimal::ZERO;
                v.status = Status::Blank;
            }
            v
        })
        .collect();
    let meta = Meta {
        agency: Some("测试区人力资源和社会保障局".into()),
        year: Some(match version {
            FormatVersion::V2019 => 2020,
            FormatVersion::V2021 => 2023,
        }),
        format: version,
        source: "test".into(),
        agency_cell: None,
        year_cell: None,
        agency_from: None,
        year_from: None,
    };
    Report::from_values(meta, values)
}

fn read_number(d: &Data) -> (Decimal, Option<MoneyUnit>) {
    reference_number(d).unwrap_or_else(|| panic!("not a number: {d:?}"))
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("calamine opens the xlsx")
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn every_variant_reads_back_with_calamine() {
    for version in FormatVersion::ALL {
        let report = test_report(version);
        for layout in Layout::all_variants() {
            let w = write_report(&report, &layout).expect("write");
            let mut wb = open(&w.bytes);
            let names = wb.sheet_names();
            let expected_names: Vec<String> = w.sheets.iter().map(|s| s.name.clone()).collect();
            assert_eq!(names, expected_names, "{layout:?}");
            // Every value once, on a visible sheet, reading back to the same number.
            assert_eq!(w.values.len(), version.spec().field_count(), "{layout:?}");
            let ranges: std::collections::HashMap<String, calamine::Range<Data>> = names
                .iter()
                .map(|n| (n.clone(), wb.worksheet_range(n).unwrap()))
                .collect();
            for p in &w.values {
                let range = &ranges[&p.sheet];
                let cell = range
                    .get_value((p.row, u32::from(p.col)))
                    .cloned()
                    .unwrap_or(Data::Empty);
                let v = report.get(p.table, p.row_key, p.col_key).unwrap();
                let (got, unit) = read_number(&cell);
                assert_eq!(got, v.value, "{layout:?} {p:?} {cell:?}");
                assert_eq!(p.blank, matches!(cell, Data::Empty), "{layout:?} {p:?}");
                let spec_col = version
                    .spec()
                    .table(p.table)
                    .row(p.row_key)
                    .unwrap()
                    .columns
                    .iter()
                    .find(|c| c.key == p.col_key)
                    .unwrap();
                if let ValueKind::Money { .. } = spec_col.kind {
                    if !v.value.is_zero() {
                        // The unit is in the cell, or the (official) header states it.
                        let header_states = layout.numbers != NumberForm::Unit
                            && !layout.label_variants
                            && matches!(
                                spec_col.kind,
                                ValueKind::Money {
                                    header_unit: Some(_)
                                }
                            );
                        assert!(
                            unit == v.unit || header_states,
                            "{layout:?} {p:?} unit {unit:?}"
                        );
                    }
                }
            }
            // Labels where the layout says.
            for sheet in &w.sheets {
                let range = &ranges[&sheet.name];
                let text = |r: u32, c: u16| -> String {
                    range
                        .get_value((r, u32::from(c)))
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                };
                for b in &sheet.tables {
                    let (r0, c0) = (b.first_row, b.first_col);
                    match b.table {
                        TableKey::Proactive => {
                            assert!(text(r0, c0).contains("第二十条"), "{layout:?}");
                            assert_eq!(squash(&text(r0 + 1, c0)), "信息内容", "{layout:?}");
                            assert_eq!(text(r0 + 2, c0), "规章", "{layout:?}");
                        }
                        TableKey::Requests => {
                            assert!(text(r0, c0).contains("勾稽关系"), "{layout:?}");
                            if layout.punct == Punct::Full {
                                assert_eq!(text(r0, c0), REQUESTS_NOTE);
                            }
                            let lc = b.cols - 7;
                            assert_eq!(squash(&text(r0, c0 + lc)), "申请人情况");
                            assert_eq!(squash(&text(r0 + 1, c0 + lc)), "自然人");
                            assert_eq!(squash(&text(r0 + 1, c0 + lc + 6)), "总计");
                            assert_eq!(squash(&text(r0 + 2, c0 + lc + 1)), "商业企业");
                            // 1.属于国家秘密 is the 5th data row (after new, carried_in, granted, partly).
                            let r = r0 + 3 + 4;
                            let item = squash(&text(r, c0 + lc - 1));
                            assert!(item.ends_with("属于国家秘密"), "{layout:?} {item}");
                            // A group label: on this row, or (merged / first-only) above it.
                            let group_at = |c: u16| -> String {
                                (r0 + 3..=r)
                                    .rev()
                                    .map(|r| text(r, c))
                                    .find(|t| !t.is_empty())
                                    .unwrap_or_default()
                            };
                            match layout.label_cols {
                                LabelCols::Three => {
                                    assert_eq!(
                                        squash(&group_at(c0)),
                                        squash(&layout.label(RESULTS_GROUP))
                                    );
                                    assert!(text(r, c0 + 1).contains("不予公开"));
                                }
                                LabelCols::Two => assert!(text(r, c0).contains("不予公开")),
                                LabelCols::One => assert!(item.contains("不予公开")),
                            }
                            // The next row: group label merged, repeated or blank.
                            let below = text(r + 1, c0 + lc.saturating_sub(2));
                            match (layout.label_cols, layout.groups) {
                                (LabelCols::One, GroupLabels::Repeated) => {
                                    assert!(below.contains("不予公开"))
                                }
                                (LabelCols::One, _) => assert!(!below.contains("不予公开")),
                                (_, GroupLabels::Repeated) => assert!(below.contains("不予公开")),
                                (_, _) => assert_eq!(below, ""),
                            }
                        }
                        TableKey::Appeals => {
                            assert_eq!(squash(&text(r0, c0)), "行政复议");
                            assert_eq!(squash(&text(r0, c0 + 5)), "行政诉讼");
                            assert_eq!(squash(&text(r0 + 1, c0 + 10)), "复议后起诉");
                            assert_eq!(squash(&text(r0 + 2, c0 + 14)), "总计");
                        }
                    }
                }
            }
            // Merges where the layout says.
            let first = &w.sheets[0];
            let merges = wb.merge_cells_by_sheet_name(&first.name).unwrap();
            assert_eq!(merges.len(), first.merges.len(), "{layout:?}");
            if !layout.merge_headers && layout.groups != GroupLabels::Merged {
                assert!(merges.is_empty(), "{layout:?}");
            }
            // Every sheet visible (hidden sheets come only from SheetSpec.hidden).
            assert!(wb
                .sheets_metadata()
                .iter()
                .all(|s| s.visible == SheetVisible::Visible));
        }
    }
}

#[test]
fn origin_c5_puts_the_first_cell_at_c5() {
    let report = test_report(FormatVersion::V2021);
    let layout = Layout {
        split: SheetSplit::PerTable,
        origin: (4, 2),
        title: Title::None,
        headings: false,
        ..Layout::official()
    };
    let w = write_report(&report, &layout).unwrap();
    let mut wb = open(&w.bytes);
    let r = wb.worksheet_range("表二 主动公开").unwrap();
    assert_eq!(r.start(), Some((4, 2)));
    assert_eq!(
        r.get_value((4, 2)).unwrap().to_string(),
        "第二十条第（一）项"
    );
    assert_eq!(r.get_value((5, 2)).unwrap().to_string(), "信息内容");
    assert_eq!(r.get_value((5, 3)).unwrap().to_string(), "本年制发件数");
    // 规章 issued at D7.
    let p = w
        .visible_cell(TableKey::Proactive, "regulations", "issued")
        .unwrap();
    assert_eq!((p.row, p.col), (6, 3));
    let r3 = wb.worksheet_range("表三 依申请公开").unwrap();
    assert_eq!(r3.get_value((4, 2)).unwrap().to_string(), REQUESTS_NOTE);
    // Three label columns C:E, 自然人 in F.
    assert_eq!(r3.get_value((5, 5)).unwrap().to_string(), "自然人");
    let p = w
        .visible_cell(TableKey::Requests, "new", "natural_person")
        .unwrap();
    assert_eq!(nianbao::model::cellref::a1(p.row, p.col.into()), "F8");
}

#[test]
fn hidden_sheet_and_mixed_reports_via_sheet_specs() {
    let r21 = test_report(FormatVersion::V2021);
    let r19 = test_report(FormatVersion::V2019);
    let layout = Layout::official();
    let mut sheets = layout.sheets(&r21);
    sheets.push(SheetSpec {
        name: "2021年".into(),
        hidden: true,
        with_title: false,
        content: SheetContent::Tables(vec![(TableKey::Proactive, &r19)]),
    });
    let w = write_book(&sheets, &layout).unwrap();
    let mut wb = open(&w.bytes);
    let meta = wb.sheets_metadata().to_vec();
    assert_eq!(meta[1].name, "2021年");
    assert_eq!(meta[1].visible, SheetVisible::Hidden);
    let r = wb.worksheet_range("2021年").unwrap();
    // Heading row, 第二十条 title row, then the header row.
    assert_eq!(r.get_value((2, 1)).unwrap().to_string(), "本年新制作数量");
    // The visible copy is the one `visible_cell` finds.
    assert!(
        !w.visible_cell(TableKey::Proactive, "regulations", "issued")
            .unwrap()
            .hidden
    );
}

#[test]
fn formulas_carry_their_result() {
    let report = test_report(FormatVersion::V2021);
    let layout = Layout {
        totals_as_formulas: true,
        ..Layout::official()
    };
    let w = write_report(&report, &layout).unwrap();
    let mut wb = open(&w.bytes);
    let p = w.visible_cell(TableKey::Requests, "new", "total").unwrap();
    let f = wb.worksheet_formula("统计表").unwrap();
    let formula = f.get_value((p.row, u32::from(p.col))).unwrap();
    assert!(formula.starts_with("SUM("), "{formula}");
    let v = wb.worksheet_range("统计表").unwrap();
    let (got, _) = read_number(v.get_value((p.row, u32::from(p.col))).unwrap());
    assert_eq!(
        got,
        report
            .get(TableKey::Requests, "new", "total")
            .unwrap()
            .value
    );
}

#[test]
fn same_input_same_bytes() {
    let report = test_report(FormatVersion::V2019);
    for layout in Layout::all_variants().into_iter().take(5) {
        let a = write_report(&report, &layout).unwrap().bytes;
        let b = write_report(&report, &layout).unwrap().bytes;
        assert_eq!(a, b);
    }
}

#[test]
fn label_forms() {
    assert_eq!(spaced("1.属于国家秘密"), "1. 属于国家秘密");
    assert_eq!(spaced("（三）不予公开"), "（三） 不予公开");
    assert_eq!(
        spaced("一、本年新收政府信息公开申请数量"),
        "一、 本年新收政府信息公开申请数量"
    );
    assert_eq!(spaced("第二十条第（一）项"), "第二十条 第（一）项");
    assert_eq!(spaced("规章"), "规章");
    assert_eq!(broken("本年新制作数量"), "本年新\n制作数量");
    assert_eq!(broken("结果维持"), "结果维持");
    assert_eq!(
        half_width("3.危及“三安全一稳定”（一）"),
        "3.危及\"三安全一稳定\"(一)"
    );
    assert_eq!(thousands(Decimal::new(7_539_443_252, 2)), "75,394,432.52");
    assert_eq!(thousands(Decimal::from(-1234)), "-1,234");
    assert_eq!(thousands(Decimal::from(999)), "999");
    assert_eq!(full_width_digits("4068.208"), "４０６８．２０８");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Any generated layout writes (no overlapping merges, valid sheet names) and every value's
    /// form reads back to the same number with the reference reading.
    #[test]
    fn any_layout_writes_and_reads_back(layout in arb_layout(), v2021 in proptest::bool::ANY) {
        let version = if v2021 { FormatVersion::V2021 } else { FormatVersion::V2019 };
        let report = test_report(version);
        let w = write_report(&report, &layout).expect("write");
        let mut wb = open(&w.bytes);
        let ranges: std::collections::HashMap<String, calamine::Range<Data>> = w
            .sheets
            .iter()
            .map(|s| (s.name.clone(), wb.worksheet_range(&s.name).unwrap()))
            .collect();
        for p in &w.values {
            let range = &ranges[&p.sheet];
            let cell = range.get_value((p.row, u32::from(p.col))).cloned().unwrap_or(Data::Empty);
            let (got, _) = read_number(&cell);
            let v = report.get(p.table, p.row_key, p.col_key).unwrap();
            proptest::prop_assert_eq!(got, v.value);
        }
    }
}

//! The official template workbook, read back with calamine: cell dumps pinned as snapshots,
//! formulas carrying their results, list sheets, determinism.
//!
//! Snapshots live in `tests/snapshots/`; regenerate them with `UPDATE_SNAPSHOTS=1 cargo test
//! --test template` and review the diff.

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use nianbao::diag::{Diagnostic, Rule};
use nianbao::fix::{derivations, fix};
use nianbao::model::{CellRef, FormatVersion, Meta, Report, Status, TableKey, Value};
use nianbao::write::atomic::WriteError;
use nianbao::write::template::{self, SHEET_NAME};
use rust_decimal::Decimal;

fn a1(r: u32, c: u32) -> String {
    nianbao::model::cellref::a1(r, c)
}

/// `sheet!A1 = value` and `sheet!A1 ƒ =FORMULA` lines in tab and cell order, then the merges.
fn dump(path: &Path) -> String {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let mut out = String::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        let formulas = wb.worksheet_formula(&name).unwrap();
        let mut lines = std::collections::BTreeMap::new();
        for (r, c, v) in range.used_cells() {
            let (sr, sc) = range.start().unwrap();
            let (r, c) = (sr + r as u32, sc + c as u32);
            let shown = match v {
                Data::String(s) => format!("{s:?}"),
                Data::Float(f) => format!("{f}"),
                Data::Int(i) => format!("{i}"),
                other => format!("{other:?}"),
            };
            lines.insert((r, c), format!("{name}!{} = {shown}", a1(r, c)));
        }
        if let Some((sr, sc)) = formulas.start() {
            for (r, c, f) in formulas.used_cells() {
                let (r, c) = (sr + r as u32, sc + c as u32);
                let l = lines
                    .entry((r, c))
                    .or_insert(format!("{name}!{}", a1(r, c)));
                l.push_str(&format!(" ƒ ={f}"));
            }
        }
        for l in lines.values() {
            out.push_str(l);
            out.push('\n');
        }
        let mut merges: Vec<String> = wb
            .merge_cells_by_sheet_name(&name)
            .unwrap()
            .iter()
            .map(|d| format!("{}:{}", a1(d.start.0, d.start.1), a1(d.end.0, d.end.1)))
            .collect();
        merges.sort_by_key(|m| {
            let (a, _) = m.split_once(':').unwrap();
            nianbao::model::cellref::parse_a1(a)
        });
        for m in merges {
            out.push_str(&format!("{name} merge {m}\n"));
        }
    }
    out
}

fn check_snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing snapshot {path:?}: run with UPDATE_SNAPSHOTS=1"));
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .filter(|(e, a)| e != a)
            .take(10)
            .map(|(e, a)| format!("- {e}\n+ {a}"))
            .collect();
        panic!(
            "snapshot {name} differs ({} vs {} lines); first differences:\n{}\n(UPDATE_SNAPSHOTS=1 to accept)",
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

#[test]
fn blank_template_2019_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("模板.xlsx");
    template::write_template(FormatVersion::V2019, None, None, &out, &Default::default()).unwrap();
    check_snapshot("template_2019.txt", &dump(&out));
}

#[test]
fn blank_template_2021_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("模板.xlsx");
    template::write_template(FormatVersion::V2021, None, None, &out, &Default::default()).unwrap();
    check_snapshot("template_2021.txt", &dump(&out));
}

fn meta(version: FormatVersion) -> Meta {
    Meta {
        agency: Some("某某区测试局".into()),
        year: Some(2022),
        format: version,
        source: "某某区测试局.xlsx".into(),
        agency_cell: Some(CellRef::new("Sheet1", 1, 1)),
        year_cell: Some(CellRef::new("Sheet1", 1, 5)),
        agency_from: None,
        year_from: None,
    }
}

/// A consistent report with non-zero numbers everywhere, sources on `Sheet1`.
fn filled(version: FormatVersion) -> Report {
    let mut r = Report::empty(meta(version));
    for (i, v) in r.values_mut().iter_mut().enumerate() {
        *v = Value {
            value: Decimal::from((i * 7 % 11) as i64 + 1),
            status: Status::Filled,
            unit: None,
            raw: None,
            source: Some(CellRef::new("Sheet1", 10 + i as u32, 2)),
        };
    }
    for d in derivations(version) {
        let s: Decimal = d.parts.iter().map(|&p| r.values()[p].value).sum();
        r.values_mut()[d.target].value = s;
    }
    r
}

fn number_at(path: &Path, sheet: &str, cell: &CellRef) -> Option<f64> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    match range.get_value((cell.row, cell.col)) {
        Some(Data::Float(f)) => Some(*f),
        _ => None,
    }
}

#[test]
fn formulas_carry_their_results() {
    for v in FormatVersion::ALL {
        let r = filled(v);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.xlsx");
        template::write_report(&r, &[], &Default::default(), &out, &Default::default()).unwrap();
        let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
        let range = wb.worksheet_range(SHEET_NAME).unwrap();
        let formulas = wb.worksheet_formula(SHEET_NAME).unwrap();
        let map = template::add_report_sheet(
            &mut template::new_workbook("x").unwrap(),
            SHEET_NAME,
            &r,
            &Default::default(),
        )
        .unwrap();
        for d in derivations(v) {
            let cell = map.cell(d.target);
            let got = range.get_value((cell.row, cell.col));
            let want = r.values()[d.target].value;
            assert!(want > Decimal::ZERO);
            assert_eq!(got, Some(&Data::Float(want.try_into().unwrap())), "{cell}");
            let (fr, fc) = formulas.start().unwrap();
            let f = formulas
                .get(((cell.row - fr) as usize, (cell.col - fc) as usize))
                .unwrap();
            assert!(f.starts_with("SUM("), "{cell}: {f}");
        }
        // every input number is there as a number
        for (i, val) in r.values().iter().enumerate() {
            let cell = map.cell(i);
            assert_eq!(
                range.get_value((cell.row, cell.col)),
                Some(&Data::Float(val.value.try_into().unwrap())),
                "{cell}"
            );
        }
        // the title formula carries the title
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String(
                "某某区测试局2022年政府信息公开工作年度报告统计表".into()
            ))
        );
    }
}

#[test]
fn a_wrong_total_reads_back_as_read_and_fix_makes_it_a_formula() {
    let mut r = filled(FormatVersion::V2021);
    let t = TableKey::Requests;
    let i = r.spec().index_of(t, "granted", "total").unwrap();
    let right = r.values()[i].value;
    r.values_mut()[i].value = right + Decimal::from(100);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("asread.xlsx");
    template::write_report(&r, &[], &Default::default(), &out, &Default::default()).unwrap();
    let map = template::add_report_sheet(
        &mut template::new_workbook("x").unwrap(),
        SHEET_NAME,
        &r,
        &Default::default(),
    )
    .unwrap();
    let cell = map.cell(i);
    let as_read: f64 = (right + Decimal::from(100)).try_into().unwrap();
    assert_eq!(number_at(&out, SHEET_NAME, &cell), Some(as_read));

    let corrections = fix(&mut r);
    assert!(!corrections.corrections.is_empty());
    let fixed = dir.path().join("fixed.xlsx");
    template::write_report(&r, &[], &corrections, &fixed, &Default::default()).unwrap();
    assert_eq!(
        number_at(&fixed, SHEET_NAME, &cell),
        Some(right.try_into().unwrap())
    );
    let mut wb: Xlsx<_> = open_workbook(&fixed).unwrap();
    assert!(wb
        .sheet_names()
        .contains(&template::CORRECTIONS_SHEET.to_string()));
    let log = wb.worksheet_range(template::CORRECTIONS_SHEET).unwrap();
    assert_eq!(log.height(), 1 + corrections.corrections.len());
    assert_eq!(
        log.get_value((1, 3)),
        Some(&Data::String("requests.granted.total".into()))
    );
}

#[test]
fn list_sheets_and_links() {
    let r = filled(FormatVersion::V2019);
    let t = TableKey::Requests;
    let i = r.spec().index_of(t, "new", "commercial").unwrap();
    let src = r.values()[i].source.clone().unwrap();
    let diags = vec![
        Diagnostic::new(Rule::R1, "某某区测试局.xlsx", "示例".into()).at(Some(&src)),
        Diagnostic::new(Rule::I9, "某某区测试局.xlsx", "无位置".into()),
    ];
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.xlsx");
    template::write_report(&r, &diags, &Default::default(), &out, &Default::default()).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            SHEET_NAME,
            template::FINDINGS_SHEET,
            template::SOURCES_SHEET
        ]
    );
    let findings = wb.worksheet_range(template::FINDINGS_SHEET).unwrap();
    assert_eq!(findings.height(), 3);
    assert_eq!(findings.get_value((1, 1)), Some(&Data::String("R1".into())));
    let map = template::add_report_sheet(
        &mut template::new_workbook("x").unwrap(),
        SHEET_NAME,
        &r,
        &Default::default(),
    )
    .unwrap();
    let target = map.cell(i).qualified();
    assert_eq!(
        findings.get_value((1, 7)),
        Some(&Data::String(target.clone()))
    );
    assert_eq!(findings.get_value((2, 7)), Some(&Data::Empty));
    let sources = wb.worksheet_range(template::SOURCES_SHEET).unwrap();
    assert_eq!(sources.height(), 1 + 2 + r.values().len());
    // the hyperlink really points at the template cell
    let xml = zip_entry(&out, "xl/worksheets/sheet2.xml");
    let location = format!("location=\"{}\"", target.replace('\'', "&apos;"));
    assert!(
        xml.contains(&location) || xml.contains(&format!("location=\"{target}\"")),
        "{location} not in {xml}"
    );
    // the error cell is noted
    assert!(zip_names(&out).iter().any(|n| n.starts_with("xl/comments")));
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn zip_names(path: &Path) -> Vec<String> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| z.by_index(i).unwrap().name().unwrap().to_string())
        .collect()
}

#[test]
fn protection_and_validation_are_in_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.xlsx");
    template::write_template(FormatVersion::V2019, None, None, &out, &Default::default()).unwrap();
    let xml = zip_entry(&out, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("<sheetProtection"));
    assert!(!xml.contains("password"));
    assert!(xml.contains("<dataValidations count=\"4\">"), "{xml}");
    assert!(xml.contains("本年增/减") || xml.contains("减少时填负数"));
    assert!(xml.contains("<pageSetup paperSize=\"9\""));
    let styles = zip_entry(&out, "xl/styles.xml");
    assert!(!styles.contains("Calibri"), "every font is the CJK font");
}

#[test]
fn identical_input_gives_identical_bytes() {
    let r = filled(FormatVersion::V2021);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.xlsx");
    let b = dir.path().join("b.xlsx");
    let diags = vec![Diagnostic::new(Rule::R6, "x", "m".into()).at(r.values()[3].source.as_ref())];
    template::write_report(&r, &diags, &Default::default(), &a, &Default::default()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    template::write_report(&r, &diags, &Default::default(), &b, &Default::default()).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let c = dir.path().join("c.xlsx");
    let d = dir.path().join("d.xlsx");
    template::write_template(
        FormatVersion::V2019,
        Some("甲"),
        Some(2020),
        &c,
        &Default::default(),
    )
    .unwrap();
    template::write_template(
        FormatVersion::V2019,
        Some("甲"),
        Some(2020),
        &d,
        &Default::default(),
    )
    .unwrap();
    assert_eq!(std::fs::read(&c).unwrap(), std::fs::read(&d).unwrap());
}

#[test]
fn refuses_to_overwrite_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.xlsx");
    std::fs::write(&input, b"agency data").unwrap();
    let err = template::write_report(
        &filled(FormatVersion::V2019),
        &[],
        &Default::default(),
        &input,
        &nianbao::batch::ReadSet::of(std::slice::from_ref(&input)),
    );
    assert!(matches!(err, Err(WriteError::WouldOverwriteInput { .. })));
    assert_eq!(std::fs::read(&input).unwrap(), b"agency data");
}

#[test]
fn a_rollup_can_put_the_layout_into_its_own_workbook() {
    let mut r = filled(FormatVersion::V2021);
    for v in r.values_mut() {
        v.status = Status::Computed;
        v.source = None;
    }
    let mut wb = template::new_workbook("汇总").unwrap();
    wb.add_worksheet().set_name("分单位明细").unwrap();
    let map = template::add_report_sheet(&mut wb, "汇总", &r, &Default::default()).unwrap();
    assert_eq!(map.link(0), format!("internal:'汇总'!{}", map.cell(0).a1()));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("汇总.xlsx");
    std::fs::write(&out, wb.save_to_buffer().unwrap()).unwrap();
    let total = r
        .spec()
        .index_of(TableKey::Requests, "handled_total", "total")
        .unwrap();
    assert_eq!(
        number_at(&out, "汇总", &map.cell(total)),
        Some(r.values()[total].value.try_into().unwrap())
    );
}

/// The full round trip: a report written as the official template reads back through the
/// label-based reader to the same numbers, with no findings.
#[test]
fn round_trip_through_the_reader() {
    let dir = tempfile::tempdir().unwrap();
    for v in FormatVersion::ALL {
        for seed in 0..3 {
            let r = nianbao::model::synthetic::consistent_report(v, "杜集区教育局", 2021, seed);
            let out = dir.path().join(format!("rt-{v}-{seed}.xlsx"));
            template::write_report(&r, &[], &Default::default(), &out, &Default::default())
                .unwrap();
            let (back, diags) =
                nianbao::read::read_report(&out, "rt.xlsx", &Default::default()).unwrap();
            assert_eq!(back.meta.format, v);
            assert_eq!(back.meta.agency.as_deref(), Some("杜集区教育局"));
            assert_eq!(back.meta.year, Some(2021));
            assert!(diags.is_empty(), "{v} {seed}: {diags:#?}");
            for ((f, a), b) in r.iter().zip(back.values()) {
                assert_eq!(
                    a.canonical(f.col.kind),
                    b.canonical(f.col.kind),
                    "{v} {seed} {:?} {} {}",
                    f.table,
                    f.row.key,
                    f.col.key
                );
                assert_eq!(b.status, Status::Filled, "{:?} {}", f.row.key, f.col.key);
            }
            assert!(nianbao::validate::validate(&back).is_empty());
        }
    }
}

/// A number corrected by hand in the written workbook reads back as corrected.
#[test]
fn hand_correction_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let r =
        nianbao::model::synthetic::consistent_report(FormatVersion::V2021, "杜集区教育局", 2021, 1);
    let out = dir.path().join("out.xlsx");
    let map = {
        let mut wb = template::new_workbook("t").unwrap();
        template::add_report_sheet(&mut wb, SHEET_NAME, &r, &Default::default()).unwrap()
    };
    template::write_report(&r, &[], &Default::default(), &out, &Default::default()).unwrap();
    let i = FormatVersion::V2021
        .spec()
        .index_of(TableKey::Proactive, "regulations", "issued")
        .unwrap();
    let cell = map.cell(i).a1();
    // Edit the cell's stored value in the sheet XML, as saving after a correction would.
    let edited = dir.path().join("edited.xlsx");
    let mut zin = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(&edited).unwrap());
    for k in 0..zin.len() {
        let mut e = zin.by_index(k).unwrap();
        let name = e.name().unwrap().to_string();
        let mut body = String::new();
        e.read_to_string(&mut body).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let start = body
                .find(&format!("<c r=\"{cell}\""))
                .expect("cell in sheet");
            let v0 = start + body[start..].find("<v>").unwrap() + 3;
            let v1 = v0 + body[v0..].find("</v>").unwrap();
            body.replace_range(v0..v1, "4321");
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zout, body.as_bytes()).unwrap();
    }
    zout.finish().unwrap();
    let (back, _) =
        nianbao::read::read_report(&edited, "edited.xlsx", &Default::default()).unwrap();
    let v = back
        .get(TableKey::Proactive, "regulations", "issued")
        .unwrap();
    assert_eq!(v.value, Decimal::from(4321));
    assert_eq!(v.source.as_ref().unwrap().a1(), cell);
}

#[test]
fn cli_writes_the_blank_template() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("模板.xlsx");
    assert_cmd::Command::cargo_bin("nianbao")
        .unwrap()
        .args([
            "template",
            "--version",
            "2019",
            "--agency",
            "杜集区经济和信息化局",
            "--year",
            "2020",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let range = wb.worksheet_range(SHEET_NAME).unwrap();
    assert_eq!(
        range.get_value((0, 0)),
        Some(&Data::String(
            "杜集区经济和信息化局2020年政府信息公开工作年度报告统计表".into()
        ))
    );
    assert_eq!(range.get_value((1, 11)), Some(&Data::Float(2020.0)));
    // the 2019 format is recognisable by its labels
    assert!(range
        .used_cells()
        .any(|(_, _, v)| v == &Data::String("本年新制作数量".into())));
    assert_cmd::Command::cargo_bin("nianbao")
        .unwrap()
        .args(["template", "--version", "2020", "-o"])
        .arg(&out)
        .assert()
        .failure()
        .code(2);
}

/// `template` writes only `.xlsx`, says what it wrote, and warns when the year is not one of the
/// version's years (2019: 2019–2020; 2021: from 2021).
#[test]
fn cli_template_checks_its_name_and_year() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("t.json");
    let out = assert_cmd::Command::cargo_bin("nianbao")
        .unwrap()
        .args(["template", "-o"])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".xlsx"));
    assert!(
        !json.exists(),
        "nothing is written under a name of another format"
    );

    let xlsx = dir.path().join("t.xlsx");
    let run = |version: &str, year: &str| {
        let out = assert_cmd::Command::cargo_bin("nianbao")
            .unwrap()
            .args(["template", "--version", version, "--year", year, "-o"])
            .arg(&xlsx)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{version} {year}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let mismatch = run("2019", "2023");
    assert!(
        mismatch.contains("警告") && mismatch.contains("应使用 2021 版"),
        "{mismatch}"
    );
    assert!(mismatch.contains("已写出"), "{mismatch}");
    for (version, year) in [("2019", "2020"), ("2021", "2023")] {
        let fine = run(version, year);
        assert!(!fine.contains("警告"), "{version} {year}: {fine}");
        assert!(
            fine.contains("已写出") && fine.contains(&format!("{version} 版")),
            "{fine}"
        );
    }
}

/// What a label-based reader relies on, read back from the file: every number has its row label
/// on its own row (left of the numbers) and, going up its column, its column label as the first
/// text above it (table 二: in the `信息内容` header row of its sub-table).
#[test]
fn every_number_sits_under_its_column_label_and_beside_its_row_label() {
    for v in FormatVersion::ALL {
        let r = filled(v);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.xlsx");
        template::write_report(&r, &[], &Default::default(), &out, &Default::default()).unwrap();
        let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
        let range = wb.worksheet_range(SHEET_NAME).unwrap();
        let text = |row: u32, col: u32| match range.get_value((row, col)) {
            Some(Data::String(s)) => Some(s.as_str()),
            _ => None,
        };
        let map = template::add_report_sheet(
            &mut template::new_workbook("x").unwrap(),
            SHEET_NAME,
            &r,
            &Default::default(),
        )
        .unwrap();
        for (i, f) in r.spec().fields().enumerate() {
            let cell = map.cell(i);
            let what = format!(
                "{v} {}.{}.{} at {cell}",
                f.table.key(),
                f.row.key,
                f.col.key
            );
            // column label: first text going up
            let above = (0..cell.row)
                .rev()
                .find_map(|k| text(k, cell.col))
                .unwrap_or_else(|| panic!("{what}: nothing above"));
            assert_eq!(above, f.col.label, "{what}");
            match f.table {
                TableKey::Proactive => {
                    assert_eq!(text(cell.row, 0), Some(f.row.label), "{what}");
                    let header = (0..cell.row)
                        .rev()
                        .find(|&k| text(k, 0) == Some("信息内容"));
                    assert!(header.is_some(), "{what}");
                }
                TableKey::Requests => {
                    let labels: Vec<&str> = (0..8).filter_map(|c| text(cell.row, c)).collect();
                    assert_eq!(labels.last(), Some(&f.row.label), "{what}");
                }
                TableKey::Appeals => {
                    // the row label (行政复议 / 未经复议直接起诉 / 复议后起诉) heads its five columns
                    let first_col = cell.col - cell.col % 5;
                    let found = (0..cell.row).any(|k| text(k, first_col) == Some(f.row.label));
                    assert!(found, "{what}");
                }
            }
        }
    }
}

/// Every readable sample workbook, written as the filled template, reads back to the model it
/// was written from (numbers, units and whether a cell was blank), both format versions.
#[test]
fn every_sample_round_trips_through_the_template() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_workbooks");
    let files = nianbao::batch::collect_inputs(&[root]).unwrap().files;
    let dir = tempfile::tempdir().unwrap();
    let mut versions = std::collections::BTreeSet::new();
    let mut done = 0;
    for file in &files {
        let Ok((report, findings)) = nianbao::read::read_report(file, "in", &Default::default())
        else {
            continue; // the bad and fatal samples
        };
        let out = dir.path().join(format!("{done}.xlsx"));
        template::write_report(
            &report,
            &findings,
            &Default::default(),
            &out,
            &Default::default(),
        )
        .unwrap();
        let (back, _) = nianbao::read::read_report(&out, "out", &Default::default()).unwrap();
        assert_eq!(back.meta.format, report.meta.format, "{}", file.display());
        assert_eq!(back.meta.agency, report.meta.agency, "{}", file.display());
        assert_eq!(back.meta.year, report.meta.year, "{}", file.display());
        for ((f, a), b) in report.iter().zip(back.values()) {
            let what = format!(
                "{} {:?} {} {}",
                file.display(),
                f.table,
                f.row.key,
                f.col.key
            );
            // Unknown values (not found, uncalculated formula) are written empty: they read
            // back as blank. Everything else comes back as it was.
            let expect = match a.status {
                Status::Missing | Status::FormulaNotCalculated => Status::Blank,
                s => s,
            };
            assert_eq!(b.status, expect, "{what}");
            if a.status.is_known() {
                assert_eq!(a.canonical(f.col.kind), b.canonical(f.col.kind), "{what}");
            }
        }
        versions.insert(report.meta.format);
        done += 1;
    }
    assert!(done >= 25, "only {done} samples round-tripped");
    assert_eq!(versions.len(), 2);
}

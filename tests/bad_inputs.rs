//! Every file in `sample_workbooks/bad/` gives the expected error kind (or, where the file is
//! readable, the expected cells), and mutated real workbooks never make the reader panic.

#[path = "../examples/gen_samples/bad.rs"]
mod bad;

use std::path::Path;

use nianbao::read::{read_grid, read_grid_bytes, CellValue, Grid, Limits, Rect};
use proptest::prelude::*;

/// (file, expected `ReadError::kind()`, or `None` when the file must be read).
const EXPECTED: &[(&str, Option<&str>)] = &[
    ("empty.xlsx", Some("empty")),
    ("random.xlsx", Some("unknown_format")),
    ("text_named.xlsx", Some("unknown_format")),
    ("html_table.xls", None),
    ("html_no_table.xls", Some("unknown_format")),
    ("truncated.xlsx", Some("corrupt")),
    ("truncated.xls", Some("corrupt")),
    ("missing_part.xlsx", Some("corrupt")),
    ("encrypted.xlsx", Some("encrypted")),
    ("encrypted.xls", Some("encrypted")),
    ("far_cell.xlsx", Some("too_large")),
    ("wide.xlsx", Some("too_large")),
    ("tall.xlsx", Some("too_large")),
    ("zip_bomb.xlsx", Some("too_large")),
    ("formula_no_cache.xlsx", None),
    ("bad_codepage.xls", None),
    ("huge_string_count.xlsx", Some("too_large")),
    ("huge_shared_formula_index.xlsx", None),
    ("huge_dimensions.xls", Some("too_large")),
    ("html_report.xls", None),
    ("formula_report_no_cache.xlsx", None),
];

fn dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/sample_workbooks/bad"))
}

fn read(name: &str) -> Result<Grid, nianbao::error::ReadError> {
    read_grid(&dir().join(name), name, &Limits::default())
}

#[test]
fn every_bad_sample_has_its_expected_outcome() {
    let mut listed: Vec<&str> = EXPECTED.iter().map(|(n, _)| *n).collect();
    listed.sort_unstable();
    let mut on_disk: Vec<String> = std::fs::read_dir(dir())
        .expect("sample_workbooks/bad")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .collect();
    on_disk.sort_unstable();
    assert_eq!(
        on_disk, listed,
        "every file in sample_workbooks/bad/ must be listed here"
    );

    for (name, expected) in EXPECTED {
        let got = read(name);
        match (expected, &got) {
            (Some(kind), Err(e)) => {
                assert_eq!(e.kind(), *kind, "{name}: {e}");
                assert_eq!(e.path(), *name, "{name}: the error names the file");
                assert!(!e.hint(&Default::default()).is_empty());
            }
            (None, Ok(_)) => {}
            _ => panic!("{name}: expected {expected:?}, got {got:?}"),
        }
    }
}

#[test]
fn committed_samples_match_the_generator() {
    let tmp = tempfile::tempdir().expect("tempdir");
    bad::generate(tmp.path()).expect("generate");
    for (name, _) in EXPECTED {
        let fresh = std::fs::read(tmp.path().join(name)).expect("generated");
        let committed = std::fs::read(dir().join(name)).expect("committed");
        assert!(
            fresh == committed,
            "{name}: regenerate sample_workbooks/bad/"
        );
    }
}

#[test]
fn too_large_errors_name_the_sheet() {
    for name in [
        "far_cell.xlsx",
        "wide.xlsx",
        "tall.xlsx",
        "huge_dimensions.xls",
    ] {
        match read(name) {
            Err(nianbao::error::ReadError::TooLarge { sheet, .. }) => {
                assert!(sheet.is_some(), "{name}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn corrupt_keeps_the_lower_error_as_source() {
    use std::error::Error;
    for name in ["truncated.xlsx", "truncated.xls"] {
        let e = read(name).expect_err(name);
        assert!(e.source().is_some(), "{name}: {e}");
    }
}

/// Nothing lower failed: the message itself names the sheet and the part that is missing.
#[test]
fn missing_part_is_named() {
    let e = read("missing_part.xlsx").expect_err("missing part");
    assert_eq!(e.kind(), "corrupt");
    let msg = e.to_string();
    assert!(
        msg.contains("表三") && msg.contains("xl/worksheets/sheet2.xml"),
        "{msg}"
    );
}

/// ```text
///      A                               B     C
/// 1  [ 本列数据的勾稽关系 (2 rows) ][ 申请人情况 (2 cols)   ]
/// 2  [                         ][ 自然人 ][ 法人或其他组织 ]
/// 3  [ 一、本年新收…           ][ 80   ][ 12             ]
/// 4  [ 二、上年结转\n政府信息…   ][ 0    ][ —              ]
/// ```
#[test]
fn html_table_saved_as_xls_is_read() {
    let g = read("html_table.xls").expect("readable");
    assert_eq!(g.sheets.len(), 1);
    let s = &g.sheets[0];
    assert_eq!(s.text(0, 0).as_deref(), Some("本列数据的勾稽关系"));
    assert_eq!(s.text(1, 2).as_deref(), Some("法人或其他组织"));
    assert_eq!(s.get(2, 1), Some(&CellValue::Text("80".into())));
    assert_eq!(s.get(2, 2), Some(&CellValue::Number(12.0)));
    assert_eq!(
        s.text(3, 0).as_deref(),
        Some("二、上年结转\n政府信息公开申请数量")
    );
    assert_eq!(s.text(3, 2).as_deref(), Some("—"));
    assert_eq!(
        s.merges,
        vec![
            Rect {
                first_row: 0,
                first_col: 0,
                last_row: 1,
                last_col: 0
            },
            Rect {
                first_row: 0,
                first_col: 1,
                last_row: 0,
                last_col: 2
            },
        ]
    );
}

#[test]
fn formulas_without_cached_value_are_marked() {
    let g = read("formula_no_cache.xlsx").expect("readable");
    let s = &g.sheets[0];
    assert_eq!(
        s.get(2, 1),
        Some(&CellValue::FormulaNotCalculated("SUM(B1:B2)".into()))
    );
    assert_eq!(
        s.get(0, 2),
        Some(&CellValue::FormulaNotCalculated("B1*2".into()))
    );
    assert_eq!(
        s.get(1, 2),
        Some(&CellValue::FormulaNotCalculated("B2*2".into()))
    );
    // A formula with its cached value reads as the value.
    assert_eq!(s.get(2, 2), Some(&CellValue::Number(166.0)));
    assert_eq!(s.get(0, 1), Some(&CellValue::Number(80.0)));

    let g = read("huge_shared_formula_index.xlsx").expect("readable");
    assert_eq!(
        g.sheets[0].get(1, 0),
        Some(&CellValue::FormulaNotCalculated("A1+1".into()))
    );
}

#[test]
fn wrong_codepage_is_detected_and_reread() {
    let g = read("bad_codepage.xls").expect("readable");
    let s = &g.sheets[0];
    assert_eq!(s.name, "表四");
    assert_eq!(s.text(0, 0).as_deref(), Some("行政复议"));
    assert!(s
        .cells
        .values()
        .all(|c| !matches!(c, CellValue::Text(t) if t.contains('\0'))));
}

/// ```text
/// 'Visible' (data from C5):        'Hidden' (hidden sheet):
///      C      D      E                 A
/// 5  [ 表三 (merged C5:E5)  ]      1 [ 去年 ]
/// 6  [ 1    ][ 2.5  ][ 文字 ]
/// ```
#[test]
fn xls_positions_merges_and_visibility() {
    use bad::{XlsCell, XlsSheet};
    let sheets = vec![
        XlsSheet {
            name: "Visible".into(),
            cells: vec![
                (4, 2, XlsCell::Text("表三".into())),
                (5, 2, XlsCell::Number(1.0)),
                (5, 3, XlsCell::Number(2.5)),
                (5, 4, XlsCell::Text("文字".into())),
                (5, 5, XlsCell::Text(String::new())),
            ],
            merges: vec![(4, 4, 2, 4)],
            ..Default::default()
        },
        XlsSheet {
            name: "Hidden".into(),
            hidden: true,
            cells: vec![(0, 0, XlsCell::Text("去年".into()))],
            ..Default::default()
        },
    ];
    let g = read_grid_bytes(&bad::xls(&sheets, 1200), "t.xls", &Limits::default()).expect("xls");
    let names: Vec<&str> = g.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["Visible", "Hidden"],
        "tab order, not sorted by name"
    );
    let s = &g.sheets[0];
    assert!(s.visible);
    assert!(!g.sheets[1].visible);
    assert_eq!(s.get(4, 2), Some(&CellValue::Text("表三".into())));
    assert_eq!(s.get(5, 2), Some(&CellValue::Number(1.0)));
    assert_eq!(s.get(5, 3), Some(&CellValue::Number(2.5)));
    assert_eq!(s.get(5, 4), Some(&CellValue::Text("文字".into())));
    assert_eq!(s.cells.len(), 4, "empty strings are not cells");
    assert_eq!(
        s.merges,
        vec![Rect {
            first_row: 4,
            first_col: 2,
            last_row: 4,
            last_col: 4
        }]
    );
}

#[test]
fn zip_bomb_is_refused_by_total_size_even_with_a_lax_ratio() {
    let bytes = std::fs::read(dir().join("zip_bomb.xlsx")).expect("bomb");
    let lax = Limits {
        max_zip_ratio: 100_000,
        ..Limits::default()
    };
    match read_grid_bytes(&bytes, "zip_bomb.xlsx", &lax) {
        Err(nianbao::error::ReadError::TooLarge { actual, limit, .. }) => {
            assert!(actual > 256 * 1024 * 1024, "{actual}");
            assert_eq!(limit, Limits::default().max_unpacked_bytes);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn limits_are_adjustable() {
    let bytes = std::fs::read(dir().join("wide.xlsx")).expect("wide");
    let wide = Limits {
        max_cols: 1000,
        ..Limits::default()
    };
    let g = read_grid_bytes(&bytes, "wide.xlsx", &wide).expect("within raised limit");
    assert_eq!(g.sheets[0].cells.len(), 600);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Flipped bytes and truncation of a real xlsx: an error or a grid, never a panic.
    #[test]
    fn mutated_xlsx_never_panics(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut b = bad::small_xlsx();
        for (i, v) in flips {
            let at = i.index(b.len());
            b[at] ^= v;
        }
        if truncate {
            let n = cut.index(b.len());
            b.truncate(n);
        }
        let _ = read_grid_bytes(&b, "mutated.xlsx", &Limits::default());
    }

    /// The same for a legacy xls.
    #[test]
    fn mutated_xls_never_panics(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut b = bad::xls(&bad::small_xls_sheets(), 1200);
        for (i, v) in flips {
            let at = i.index(b.len());
            b[at] ^= v;
        }
        if truncate {
            let n = cut.index(b.len());
            b.truncate(n);
        }
        let _ = read_grid_bytes(&b, "mutated.xls", &Limits::default());
    }
}

/// calamine 0.38 indexes a MergeCells record by its own count without checking the length (a
/// panic); the BIFF scan refuses such a record as corrupt first.
#[test]
fn short_merge_cells_record_is_corrupt_not_a_panic() {
    let mut stream = bad::biff8(&bad::small_xls_sheets(), 1200, false);
    let at = stream
        .windows(4)
        .position(|w| w == [0xE5, 0x00, 0x0A, 0x00])
        .expect("MergeCells record");
    stream[at + 4] = 50; // claims 50 ranges, holds 1
    let bytes = bad::ole(&[("Workbook", &stream)]);
    let e = read_grid_bytes(&bytes, "short.xls", &Limits::default()).expect_err("corrupt");
    assert_eq!(e.kind(), "corrupt", "{e}");
}

/// Inputs the fuzzer (`fuzz/`, target `read_bytes`) found to panic inside calamine 0.38.
#[test]
fn fuzz_regressions_are_errors_not_panics() {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fuzz_regressions"
    ));
    // A BoundSheet8 offset past the end of the Workbook stream: calamine slices out of bounds.
    // Now refused by the BIFF scan before calamine runs.
    let b = std::fs::read(dir.join("xls_boundsheet_offset_past_stream.bin")).expect("file");
    let e = read_grid_bytes(&b, "f", &Limits::default()).expect_err("corrupt");
    assert_eq!(e.kind(), "corrupt", "{e}");
    // A file ending in a partial sector: calamine's CFB reader asserts whole u32s (a panic).
    // calamine now only sees a clean container rebuilt around the checked stream.
    let b = std::fs::read(dir.join("xls_partial_last_sector.bin")).expect("file");
    let e = read_grid_bytes(&b, "f", &Limits::default()).expect_err("corrupt");
    assert_eq!(e.kind(), "corrupt", "{e}");
    // A DIMENSIONS record whose first row is after its last: calamine's `end - start + 1`
    // wraps (release) into a reservation of ~340 GB, an abort. The scan mirrors that arithmetic.
    let b = std::fs::read(dir.join("xls_dimensions_first_row_after_last.bin")).expect("file");
    let e = read_grid_bytes(&b, "f", &Limits::default()).expect_err("too large");
    assert_eq!(e.kind(), "too_large", "{e}");
    // An empty CODEPAGE record: calamine reads two bytes from it (a panic).
    let b = std::fs::read(dir.join("xls_empty_codepage_record.bin")).expect("file");
    let e = read_grid_bytes(&b, "f", &Limits::default()).expect_err("corrupt");
    assert_eq!(e.kind(), "corrupt", "{e}");
    // A cell reference like `AAAAAAAAAAAA1`: calamine's column arithmetic overflows (a panic
    // with overflow checks, as in test builds, caught and reported as corrupt; wrapping
    // silently in release builds, where the result depends on the wrapped position).
    let b = std::fs::read(dir.join("xlsx_cell_ref_overflow.bin")).expect("file");
    let r = read_grid_bytes(&b, "f", &Limits::default());
    if cfg!(debug_assertions) {
        assert_eq!(r.expect_err("corrupt").kind(), "corrupt");
    }
}

/// `nianbao check` on each bad file: the error class it reports and the exit code, one process
/// per file; then the whole folder in one run, where one bad file never stops the others.
#[test]
fn check_reports_each_bad_file_with_its_class_and_exit_code() {
    // Files the reader opens but that hold no report tables are `no_tables` for `check`.
    let outcome = |name: &str, grid_kind: Option<&'static str>| -> (Option<&'static str>, i32) {
        match (name, grid_kind) {
            ("html_report.xls", None) => (None, 0),
            ("formula_report_no_cache.xlsx", None) => (None, 1),
            (_, None) => (Some("no_tables"), 2),
            (_, Some(kind)) => (Some(kind), 2),
        }
    };
    let json_of = |out: &std::process::Output| -> serde_json::Value {
        serde_json::from_slice(&out.stdout).expect("JSON on stdout")
    };
    for (name, grid_kind) in EXPECTED {
        let (kind, code) = outcome(name, *grid_kind);
        let out = assert_cmd::Command::cargo_bin("nianbao")
            .unwrap()
            .args(["check", "--format", "json"])
            .arg(dir().join(name))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{name}");
        let doc = json_of(&out);
        let file = &doc["files"][0];
        assert_eq!(file["error"]["kind"].as_str(), kind, "{name}: {file}");
        if kind.is_some() {
            let message = file["error"]["message"].as_str().unwrap();
            assert!(
                message.contains(name),
                "{name}: the message names the file: {message}"
            );
            assert!(!file["error"]["hint"].as_str().unwrap().is_empty());
        }
        if *name == "formula_report_no_cache.xlsx" {
            let rules: Vec<&str> = file["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["rule"].as_str().unwrap())
                .collect();
            assert_eq!(rules.len(), 34, "one I7 per total, nothing else");
            assert!(rules.iter().all(|r| *r == "I7"));
        }
    }
    let out = assert_cmd::Command::cargo_bin("nianbao")
        .unwrap()
        .args(["check", "--format", "json"])
        .arg(dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc = json_of(&out);
    assert_eq!(doc["files"].as_array().unwrap().len(), EXPECTED.len());
    assert_eq!(doc["summary"]["files"], EXPECTED.len());
}

/// The same agency and year twice in one batch: an error (B1) on both files, naming the other.
#[test]
fn duplicate_agency_files_in_a_batch_are_an_error_naming_both() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("甲.xls");
    let b = tmp.path().join("乙.xls");
    std::fs::copy(dir().join("html_report.xls"), &a).unwrap();
    std::fs::copy(dir().join("html_report.xls"), &b).unwrap();
    let out = assert_cmd::Command::cargo_bin("nianbao")
        .unwrap()
        .args(["check", "--format", "json"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    for file in files {
        let path = file["path"].as_str().unwrap();
        let other = if path.ends_with("甲.xls") {
            "乙.xls"
        } else {
            "甲.xls"
        };
        let f = &file["findings"][0];
        assert_eq!(f["rule"], "B1");
        assert!(f["message"].as_str().unwrap().contains(other), "{f}");
    }
}

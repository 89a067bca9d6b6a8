//! The committed `sample_workbooks/` agree with `sample_workbooks/expected.json`: every listed file
//! exists and opens with calamine, every pinned number is in its cell (read with the reference
//! reading of `tests/support/layouts.rs`, not nianbao's reader), R6 cells are empty, and the sheets
//! named by fatal samples exist. Catches a workbook or manifest edited or regenerated alone.
//!
//! (Checking nianbao's own results against the manifest is the job of the CLI integration tests.)

mod support;

use std::path::Path;
use std::str::FromStr;

use calamine::{open_workbook_auto, Data, Reader, SheetVisible};
use nianbao::model::cellref::parse_a1;
use rust_decimal::Decimal;
use serde_json::Value as Json;
use support::layouts::reference_number;

fn manifest() -> Json {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_workbooks/expected.json"),
    )
    .expect("expected.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn sheet_of(qualified: &str) -> (&str, &str) {
    // 'sheet'!A1
    let (sheet, cell) = qualified.rsplit_once('!').expect("qualified cell");
    (sheet.trim_matches('\''), cell)
}

#[test]
fn committed_samples_match_the_manifest() {
    let m = manifest();
    let samples = m["samples"].as_array().expect("samples");
    assert!(samples.len() >= 12, "{} samples", samples.len());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_workbooks");
    let mut rules_seen = std::collections::BTreeSet::new();
    let mut pins_checked = 0;
    for s in samples {
        let file = s["file"].as_str().unwrap();
        let mut wb = open_workbook_auto(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let meta = wb.sheets_metadata().to_vec();
        let visible = |name: &str| {
            meta.iter()
                .find(|m| m.name == name)
                .unwrap_or_else(|| panic!("{file}: no sheet {name}"))
                .visible
                == SheetVisible::Visible
        };
        for r in s["rules"].as_array().unwrap() {
            rules_seen.insert(r.as_str().unwrap().to_string());
        }
        for p in s["pinned"].as_array().unwrap() {
            let sheet = p["sheet"].as_str().unwrap();
            assert!(visible(sheet), "{file}: pinned cell on a hidden sheet");
            let (row, col) = parse_a1(p["cell"].as_str().unwrap()).unwrap();
            let range = wb.worksheet_range(sheet).unwrap();
            let cell = range.get_value((row, col)).cloned().unwrap_or(Data::Empty);
            let (value, unit) =
                reference_number(&cell).unwrap_or_else(|| panic!("{file} {p}: {cell:?}"));
            let want = Decimal::from_str(p["value"].as_str().unwrap()).unwrap();
            assert_eq!(value, want, "{file} {p}");
            if let Some(u) = unit {
                assert_eq!(Some(u.label()), p["unit"].as_str(), "{file} {p}");
            }
            assert_eq!(
                p["status"] == "blank",
                matches!(cell, Data::Empty),
                "{file} {p}"
            );
            pins_checked += 1;
        }
        for f in s["findings"].as_array().unwrap() {
            if f["rule"] == "R6" {
                let (sheet, a1) = sheet_of(f["cell"].as_str().unwrap());
                let (row, col) = parse_a1(a1).unwrap();
                let range = wb.worksheet_range(sheet).unwrap();
                assert!(
                    range
                        .get_value((row, col))
                        .is_none_or(|d| *d == Data::Empty),
                    "{file}: R6 cell {a1} is not empty"
                );
            }
        }
        if let Some(names) = s["fatal_names"].as_array() {
            assert_eq!(names.len(), 2, "{file}: a fatal error names two places");
            for n in names {
                let (sheet, _) = sheet_of(n.as_str().unwrap());
                assert!(visible(sheet), "{file}: {sheet}");
            }
        }
    }
    for r in ["R1", "R2", "R3", "R4", "R6"] {
        assert!(rules_seen.contains(r), "no sample for {r}");
    }
    assert!(pins_checked > 100, "{pins_checked}");
}

#[test]
fn hidden_sheet_sample_has_a_hidden_copy() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_workbooks");
    let wb = open_workbook_auto(dir.join("yuntai_renshe_2022_hidden_2021.xlsx")).unwrap();
    let meta = wb.sheets_metadata();
    assert_eq!(meta[0].name, "2021年");
    assert_eq!(meta[0].visible, SheetVisible::Hidden);
    assert_eq!(meta[1].visible, SheetVisible::Visible);
}

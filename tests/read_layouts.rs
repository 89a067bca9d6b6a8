//! Property: a consistent report written in any supported agency layout reads back through
//! nianbao's own reader (bytes → grid → tables located by label) to the same model — every
//! number, its unit, whether it was blank, and the cell it was written to — with no findings but
//! the blank-cell warnings the layout itself causes.

mod support;

use nianbao::model::synthetic::consistent_report;
use nianbao::model::{FormatVersion, Status};
use nianbao::read::{locate, read_grid_bytes, Limits, ReadOptions};
use proptest::prelude::*;
use support::layouts::{arb_layout, write_report, Layout, Title};

fn check(layout: &Layout, version: FormatVersion, seed: u64) -> Result<(), TestCaseError> {
    let report = consistent_report(version, "云台区测试局", 2023, seed);
    let written = write_report(&report, layout).expect("write");
    let grid = read_grid_bytes(&written.bytes, "layout.xlsx", &Limits::default())
        .map_err(|e| TestCaseError::fail(format!("{e}")))?;
    let (back, findings) = locate(&grid, &ReadOptions::default())
        .map_err(|e| TestCaseError::fail(format!("{layout:?}: {e}")))?;
    prop_assert_eq!(back.meta.format, version);
    let has_year = layout.title != Title::None;
    prop_assert_eq!(back.meta.year, has_year.then_some(2023));
    // issue 10: the agency too, from whichever title the layout has
    prop_assert_eq!(
        back.meta.agency.as_deref(),
        has_year.then_some("云台区测试局")
    );
    for ((f, want), got) in report.iter().zip(back.values()) {
        let what = format!("{layout:?} {} {} {}", f.table.key(), f.row.key, f.col.key);
        prop_assert_eq!(
            want.canonical(f.col.kind),
            got.canonical(f.col.kind),
            "{}",
            what
        );
        let placed = written
            .visible_cell(f.table, f.row.key, f.col.key)
            .expect("every field is written");
        let expect_status = if placed.blank {
            Status::Blank
        } else {
            Status::Filled
        };
        prop_assert_eq!(got.status, expect_status, "{}", what);
        let src = got.source.as_ref().expect("source cell");
        prop_assert_eq!(
            (src.sheet.as_str(), src.row, src.col),
            (placed.sheet.as_str(), placed.row, u32::from(placed.col)),
            "{}",
            what
        );
    }
    for d in &findings {
        prop_assert!(
            d.rule.code() == "I9",
            "{layout:?}: unexpected reading finding {d:?}"
        );
    }
    for d in nianbao::validate::validate(&back) {
        prop_assert!(
            d.rule.code() == "R6",
            "{layout:?}: unexpected finding {d:?}"
        );
    }
    Ok(())
}

#[test]
fn every_listed_layout_reads_back() {
    for layout in Layout::all_variants() {
        for version in FormatVersion::ALL {
            check(&layout, version, 3).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn any_layout_reads_back_to_the_same_model(layout in arb_layout(), v2021 in any::<bool>(), seed in 0u64..1000) {
        let version = if v2021 { FormatVersion::V2021 } else { FormatVersion::V2019 };
        check(&layout, version, seed)?;
    }
}

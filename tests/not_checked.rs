//! X1 that could not be checked (last year's report unreadable, given twice, or of another
//! year) is its own outcome, `未校验`: neither an error nor a warning.

use std::path::{Path, PathBuf};

use nianbao::diag::{counts, Outcome, Rule};
use nianbao::rollup::crossyear::Previous;

fn sample(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_workbooks")
        .join(p)
}

#[test]
fn unreadable_twice_given_and_wrong_year_previous_reports_are_not_checked() {
    let this_year = sample("rollup_2023/caizheng_2023.xlsx");
    let last_year = sample("rollup_2022/caizheng_2022.xlsx");
    let read = Default::default();
    let prev = Previous::load(
        &[
            sample("bad/encrypted.xlsx").into(),
            last_year.clone().into(),
            last_year.into(),
        ],
        &read,
        "某区",
    );
    assert_eq!(prev.problems.len(), 2, "{:#?}", prev.problems);
    for d in &prev.problems {
        assert_eq!(
            (d.rule, d.outcome),
            (Rule::X1, Outcome::NotChecked),
            "{d:?}"
        );
        assert_eq!(d.label(), "未校验");
    }
    assert_eq!(counts(&prev.problems), (0, 0));
    let json = serde_json::to_value(&prev.problems[0]).unwrap();
    assert_eq!(json["severity"], "not_checked");

    // this year's report given as "last year": the years do not follow
    let (report, _) = nianbao::read::read_report(&this_year, "caizheng_2023.xlsx", &read).unwrap();
    let prev = Previous::load(&[this_year.into()], &read, "某区");
    let found = prev.check(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (
            found[0].rule,
            found[0].outcome,
            found[0].is_error() || found[0].is_warning()
        ),
        (Rule::X1, Outcome::NotChecked, false)
    );
    assert!(found[0].message.contains("未做跨年校验"));
}

//! Rule coverage, derived from the registry: every rule of `nianbao::model::RULES` has a
//! registered fixture that fires it, run here through the binary — a committed sample, a copy
//! of one with a cell changed (see `tests/fixture`), or a roll-up. A rule added to the registry
//! without a fixture fails `every_registered_rule_has_a_fixture_that_fires_it` with a message
//! saying where to add one; a fixture left for a rule that is no longer registered fails it too.
//!
//! **To register a rule's fixture, add one line to [`FIXTURES`]**: the rule's code and a
//! function of a fresh temporary directory that returns the findings of running it, e.g.
//! `("R1", |_| checked(&[&sample("fails_r1.xlsx")]))` for a sample file, or a generator
//! `("X2", |d| { let c = x2_case(d); rollup_issues(d, &[&c.cur], &[&c.prev]) })`. The helpers:
//! [`checked`] (`nianbao check`), [`rollup_issues`] (`nianbao rollup`, with `--previous`),
//! [`with_number`] / [`without_label`] (a sample with one cell changed).

mod fixture;

use std::path::Path;

use calamine::Data;
use fixture::*;
use nianbao::model::TableKey;
use serde_json::Value as Json;

/// The rule codes of the registry. The one place that knows how the registry is spelled.
fn registry_codes() -> Vec<&'static str> {
    nianbao::model::RULES.iter().map(|r| r.code).collect()
}

/// A fixture: given a fresh temporary directory, run the binary on files that break one rule;
/// the findings it produced (each with its `rule` code).
type Fixture = fn(&Path) -> Vec<Json>;

const P: TableKey = TableKey::Proactive;

/// Every rule's firing fixture, one line per rule.
const FIXTURES: &[(&str, Fixture)] = &[
    ("R1", |_| checked(&[&sample("fails_r1.xlsx")])),
    ("R2", |_| checked(&[&sample("fails_r2.xlsx")])),
    ("R3", |_| checked(&[&sample("fails_r3.xlsx")])),
    ("R4", |_| checked(&[&sample("fails_r4.xlsx")])),
    // A negative count where no sum involves it.
    ("R5", |d| {
        with_number(
            d,
            "pingtan_2022.xlsx",
            (P, "licensing", "decisions"),
            Data::Float(-2.0),
        )
    }),
    ("R6", |_| checked(&[&sample("yuntai_zhujian_2020.xlsx")])),
    ("I1", no_table_4),
    ("I2", |d| {
        without_label(d, "dujiqu_jingxinju_2020.xlsx", "2.重复申请")
    }),
    ("I3", |d| {
        without_label(d, "dujiqu_jingxinju_2020.xlsx", "科研机构")
    }),
    ("I4", |d| {
        with_number(
            d,
            "pingtan_2022.xlsx",
            (P, "licensing", "decisions"),
            Data::String("见附件".into()),
        )
    }),
    ("I5", |_| checked(&[&sample("yuntai_zhujian_2020.xlsx")])),
    // 采购总金额 (no unit in its header) as a bare non-zero number: unit unknown.
    ("I6", |d| {
        with_number(
            d,
            "dujiqu_jingxinju_2020.xlsx",
            (P, "procurement", "amount"),
            Data::Float(12345.0),
        )
    }),
    ("I7", |_| {
        checked(&[&sample("bad/formula_report_no_cache.xlsx")])
    }),
    ("I8", |_| {
        checked(&[&sample("yuntai_renshe_2022_hidden_2021.xlsx")])
    }),
    ("I9", no_title),
    ("B1", same_file_twice),
    ("X1", |d| {
        rollup_issues(
            d,
            &[&sample("rollup_2023/nongye_2023.xlsx")],
            &[&sample("rollup_2022/nongye_2022.xlsx")],
        )
    }),
    ("X2", |d| {
        let c = x2_case(d);
        rollup_issues(d, &[&c.cur], &[&c.prev])
    }),
    ("X3", |d| {
        let c = x3_case(d);
        rollup_issues(d, &[&c.cur], &[&c.prev])
    }),
    ("B2", summary_with_its_agency),
    // --year 2023 with last year's report among the inputs.
    ("B3", |d| {
        rollup_issues_with(
            d,
            &[
                &sample("rollup_2023/jiaoyu_2023.xlsx"),
                &sample("rollup_2022/nongye_2022.xlsx"),
            ],
            &[],
            &["--year", "2023"],
        )
    }),
    // A title line whose year (2021) is not the statistics period's (2020).
    ("I10", |d| {
        with_text(d, |t| {
            format!("杜集区经济和信息化局2021年政府信息公开工作年度报告\n{t}")
        })
    }),
    // The prose says 3 applications were received; table 三 has none.
    ("T1", |d| {
        with_text(d, |t| {
            t.replace("我局未收到依申请公开事项", "我局收到政府信息公开申请3件")
        })
    }),
    // Section 五's heading left out.
    ("T2", |d| {
        with_text(d, |t| t.replace("五、存在的主要问题及改进情况\n", ""))
    }),
];

/// A copy of the published seed report text (`sample_published/`) with its text edited.
fn with_text(dir: &Path, edit: impl Fn(String) -> String) -> Vec<Json> {
    let src =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_published/dujiqu_jingxinju_2020.txt");
    let text = std::fs::read_to_string(src).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit changed nothing");
    let out = dir.join("edited.txt");
    std::fs::write(&out, edited).unwrap();
    checked(&[&out])
}

/// A county's summary rolled up together with one of the agencies it contains.
fn summary_with_its_agency(dir: &Path) -> Vec<Json> {
    let county = dir.join("county");
    std::fs::create_dir(&county).unwrap();
    for name in ["caizheng_2023.xlsx", "jiaoyu_2023.xlsx"] {
        let from = sample(&format!("rollup_2023/{name}"));
        std::fs::copy(from, county.join(name)).unwrap();
    }
    let summary = dir.join("county.xlsx");
    let (s, c) = (summary.display().to_string(), county.display().to_string());
    nianbao(&["rollup", "--name", "某县", "-o", &s, &c]);
    rollup_issues(dir, &[&summary, &county.join("jiaoyu_2023.xlsx")], &[])
}

fn checked(files: &[&Path]) -> Vec<Json> {
    check(files).1
}

/// A copy of `src` with one number (found by the reader) replaced.
fn with_number(dir: &Path, src: &str, field: (TableKey, &str, &str), new: Data) -> Vec<Json> {
    let src = sample(src);
    let cell = cell_of(&src, field.0, field.1, field.2);
    let out = dir.join("edited.xlsx");
    copy_with(&src, &out, &[(&cell, new)]);
    checked(&[&out])
}

/// A copy of `src` with the cell whose text is `label` emptied.
fn without_label(dir: &Path, src: &str, label: &str) -> Vec<Json> {
    let src = sample(src);
    let cell = find_text(&src, label);
    let out = dir.join("edited.xlsx");
    copy_with(&src, &out, &[(&cell, Data::Empty)]);
    checked(&[&out])
}

/// Table 四 cut off: every cell from its heading down left out.
fn no_table_4(dir: &Path) -> Vec<Json> {
    let src = sample("dujiqu_jingxinju_2020.xlsx");
    let heading = find_text(&src, "四、政府信息公开行政复议、行政诉讼情况");
    let out = dir.join("no_table_4.xlsx");
    copy_xlsx(
        &src,
        &out,
        &mut |_, row, _, v| (row < heading.row).then(|| v.clone()),
        &[],
    );
    checked(&[&out])
}

/// The title row (the only place naming agency and year) left out.
fn no_title(dir: &Path) -> Vec<Json> {
    let src = sample("dujiqu_jingxinju_2020.xlsx");
    let out = dir.join("no_title.xlsx");
    copy_xlsx(
        &src,
        &out,
        &mut |_, row, _, v| (row > 0).then(|| v.clone()),
        &[],
    );
    checked(&[&out])
}

/// The same report under two names.
fn same_file_twice(dir: &Path) -> Vec<Json> {
    let (a, b) = (dir.join("a.xlsx"), dir.join("b.xlsx"));
    std::fs::copy(sample("dujiqu_jingxinju_2020.xlsx"), &a).unwrap();
    std::fs::copy(sample("dujiqu_jingxinju_2020.xlsx"), &b).unwrap();
    checked(&[&a, &b])
}

#[test]
fn every_registered_rule_has_a_fixture_that_fires_it() {
    let codes = registry_codes();
    let registered: Vec<&str> = FIXTURES.iter().map(|(c, _)| *c).collect();
    let missing: Vec<String> = codes
        .iter()
        .filter(|c| !registered.contains(c))
        .map(|c| {
            format!(
                "rule {c} has no firing fixture: add one line (\"{c}\", …) to FIXTURES in \
                 tests/rule_coverage.rs (a sample file, or a function that makes one)"
            )
        })
        .collect();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    let stale: Vec<&&str> = registered.iter().filter(|f| !codes.contains(f)).collect();
    assert!(
        stale.is_empty(),
        "fixtures of unregistered rules: {stale:?}"
    );
    let mut once = registered.clone();
    once.sort_unstable();
    once.dedup();
    assert_eq!(once.len(), registered.len(), "a rule registered twice");
    // Two at a time: each fixture runs the binary once or twice.
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = FIXTURES
            .chunks(FIXTURES.len().div_ceil(2))
            .map(|chunk| {
                s.spawn(move || {
                    let mut failed = Vec::new();
                    for (code, fixture) in chunk {
                        let dir = tempfile::tempdir().unwrap();
                        let findings = fixture(dir.path());
                        if !findings.iter().any(|f| f["rule"] == *code) {
                            let rules: Vec<&Json> = findings.iter().map(|f| &f["rule"]).collect();
                            failed.push(format!("{code} did not fire; found {rules:?}"));
                        }
                    }
                    failed
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The copies the fixtures are made of check like their originals when nothing is changed, so a
/// fixture's finding comes from its change and not from the copying.
#[test]
fn copies_check_like_originals() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "dujiqu_jingxinju_2020.xlsx",
        "pingtan_2022.xlsx",
        "yuntai_caizheng_2019.xlsx",
        "rollup_2023/jiaoyu_2023.xlsx",
    ] {
        let src = sample(name);
        let out = dir.path().join("copy.xlsx");
        copy_with(&src, &out, &[]);
        let (code, findings) = check(&[&out]);
        assert_eq!((code, findings.len()), (0, 0), "{name}: {findings:#?}");
        let (_, original) = check(&[&src]);
        assert!(original.is_empty(), "{name}");
    }
}

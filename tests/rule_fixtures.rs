//! Every rule in the registry has a fixture that fires it, run here through the binary: a
//! committed sample, a copy of one with a cell changed (see `tests/fixture`), or a roll-up with
//! `--previous`. A rule added to the registry without a fixture fails
//! `every_registered_rule_has_a_fixture_that_fires_it`; a fixture left for a rule that is no longer
//! registered fails it too.

mod fixture;

use std::path::Path;

use calamine::Data;
use fixture::*;
use nianbao::model::TableKey;
use serde_json::Value as Json;

/// The rule codes of the registry. The one place that knows how the registry is spelled.
fn registry_codes() -> Vec<String> {
    nianbao::model::Rule::ALL
        .iter()
        .map(|r| r.code().to_string())
        .collect()
}

/// Every code with a fixture.
const FIXTURES: &[&str] = &[
    "R1", "R2", "R3", "R4", "R5", "R6", "I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8", "I9", "B1",
    "X1", "X2", "X3", "I10", "T1", "T2",
];

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

/// Run the fixture of `code` in `dir`: the findings it produced.
fn fire(code: &str, dir: &Path) -> Vec<Json> {
    let p = TableKey::Proactive;
    match code {
        "R1" | "R2" | "R3" | "R4" => {
            checked(&[&sample(&format!("fails_{}.xlsx", code.to_lowercase()))])
        }
        // A negative count where no sum involves it.
        "R5" => with_number(
            dir,
            "pingtan_2022.xlsx",
            (p, "licensing", "decisions"),
            Data::Float(-2.0),
        ),
        "R6" | "I5" => checked(&[&sample("yuntai_zhujian_2020.xlsx")]),
        // Table 四 cut off: every cell from its heading down left out.
        "I1" => {
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
        "I2" => without_label(dir, "dujiqu_jingxinju_2020.xlsx", "2.重复申请"),
        "I3" => without_label(dir, "dujiqu_jingxinju_2020.xlsx", "科研机构"),
        "I4" => with_number(
            dir,
            "pingtan_2022.xlsx",
            (p, "licensing", "decisions"),
            Data::String("见附件".into()),
        ),
        // 采购总金额 (no unit in its header) as a bare non-zero number: unit unknown.
        "I6" => with_number(
            dir,
            "dujiqu_jingxinju_2020.xlsx",
            (p, "procurement", "amount"),
            Data::Float(12345.0),
        ),
        "I7" => checked(&[&sample("bad/formula_report_no_cache.xlsx")]),
        "I8" => checked(&[&sample("yuntai_renshe_2022_hidden_2021.xlsx")]),
        // The title row (the only place naming agency and year) left out.
        "I9" => {
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
        "B1" => {
            let (a, b) = (dir.join("a.xlsx"), dir.join("b.xlsx"));
            std::fs::copy(sample("dujiqu_jingxinju_2020.xlsx"), &a).unwrap();
            std::fs::copy(sample("dujiqu_jingxinju_2020.xlsx"), &b).unwrap();
            checked(&[&a, &b])
        }
        "X1" => rollup_issues(
            dir,
            &[&sample("rollup_2023/nongye_2023.xlsx")],
            &[&sample("rollup_2022/nongye_2022.xlsx")],
        ),
        "X2" => {
            let case = x2_case(dir);
            rollup_issues(dir, &[&case.cur], &[&case.prev])
        }
        "X3" => {
            let case = x3_case(dir);
            rollup_issues(dir, &[&case.cur], &[&case.prev])
        }
        // A title line whose year (2021) is not the statistics period's (2020).
        "I10" => with_text(dir, |t| {
            format!("杜集区经济和信息化局2021年政府信息公开工作年度报告\n{t}")
        }),
        // The prose says 3 applications were received; table 三 has none.
        "T1" => with_text(dir, |t| {
            t.replace("我局未收到依申请公开事项", "我局收到政府信息公开申请3件")
        }),
        // Section 五's heading left out.
        "T2" => with_text(dir, |t| t.replace("五、存在的主要问题及改进情况\n", "")),
        other => panic!("no fixture for {other}"),
    }
}

#[test]
fn every_registered_rule_has_a_fixture_that_fires_it() {
    let codes = registry_codes();
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| !FIXTURES.contains(&c.as_str()))
        .collect();
    assert!(missing.is_empty(), "rules without a fixture: {missing:?}");
    let stale: Vec<&&str> = FIXTURES
        .iter()
        .filter(|f| !codes.iter().any(|c| c == *f))
        .collect();
    assert!(
        stale.is_empty(),
        "fixtures of unregistered rules: {stale:?}"
    );
    // Two at a time: each fixture runs the binary once or twice.
    let failures: Vec<String> = std::thread::scope(|s| {
        let chunks: Vec<Vec<String>> = codes
            .chunks(codes.len().div_ceil(2))
            .map(<[_]>::to_vec)
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    let mut failed = Vec::new();
                    for code in chunk {
                        let dir = tempfile::tempdir().unwrap();
                        let findings = fire(&code, dir.path());
                        if !findings.iter().any(|f| f["rule"] == code.as_str()) {
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

//! `convert --fix` through the binary on the committed failing samples (`fails_r1`–`fails_r4`,
//! written by `examples/gen_samples`): no error after the fix that was not there before, the
//! corrections and the conflicts (two rules disagreeing about which number is wrong) in the
//! terminal and in `更正记录`, and findings that quote the numbers the agency wrote.

mod fixture;

use std::collections::BTreeMap;
use std::path::Path;

use calamine::Data;
use fixture::*;
use nianbao::model::TableKey;

/// Error findings per rule code.
fn errors(findings: &[serde_json::Value]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for f in findings.iter().filter(|f| f["severity"] == "error") {
        *out.entry(f["rule"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    out
}

struct Fixed {
    code: i32,
    stderr: String,
    /// The written template's error findings, as `check` reads them back.
    after: BTreeMap<String, usize>,
    /// `更正记录` as (键, 处理, 依据, 说明), when written.
    log: Option<Vec<(String, String, String, String)>>,
}

/// `convert --fix SAMPLE -o DIR/out.xlsx`, the output read back.
fn convert_fix(sample: &Path, out: &Path) -> Fixed {
    let run = nianbao(&[
        "convert",
        "--fix",
        sample.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(out.exists(), "{stderr}");
    let (_, findings) = check(&[out]);
    let wb: calamine::Xlsx<_> = calamine::open_workbook(out).unwrap();
    use calamine::Reader;
    let log = wb.sheet_names().iter().any(|s| s == "更正记录").then(|| {
        let rows = sheet_rows(out, "更正记录");
        let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
        rows[1..]
            .iter()
            .map(|r| {
                (
                    r[col("键")].clone(),
                    r[col("处理")].clone(),
                    r[col("依据")].clone(),
                    r[col("说明")].clone(),
                )
            })
            .collect()
    });
    Fixed {
        code: run.status.code().unwrap(),
        stderr,
        after: errors(&findings),
        log,
    }
}

#[test]
fn fix_on_each_failing_sample_adds_no_error() {
    let dir = tempfile::tempdir().unwrap();
    for n in 1..=4 {
        let name = format!("fails_r{n}.xlsx");
        let (_, as_read) = check(&[&sample(&name)]);
        let before = errors(&as_read);
        let fixed = convert_fix(&sample(&name), &dir.path().join(&name));
        for (rule, count) in &fixed.after {
            assert!(
                before.get(rule).is_some_and(|b| b >= count),
                "{name}: {rule} ×{count} after --fix, {before:?} before\n{}",
                fixed.stderr
            );
        }
    }
}

#[test]
fn fails_r1_has_nothing_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let f = convert_fix(&sample("fails_r1.xlsx"), &dir.path().join("r1.xlsx"));
    assert_eq!(f.code, 1);
    assert!(
        !f.stderr.contains("已更正") && !f.stderr.contains("未更正"),
        "{}",
        f.stderr
    );
    assert!(f.log.is_none());
    assert_eq!(f.after, BTreeMap::from([("R1".to_string(), 2)]));
}

#[test]
fn fails_r2_and_r4_are_corrected_and_pass() {
    let dir = tempfile::tempdir().unwrap();
    for (name, keys) in [
        (
            "fails_r2.xlsx",
            &["requests.granted.total", "requests.partly_granted.total"][..],
        ),
        ("fails_r4.xlsx", &["appeals.review.total"][..]),
    ] {
        let f = convert_fix(&sample(name), &dir.path().join(name));
        assert_eq!(f.code, 0, "{name}: {}", f.stderr);
        assert!(f.after.is_empty(), "{name}: {:?}", f.after);
        assert!(!f.stderr.contains("未更正"), "{}", f.stderr);
        let log = f.log.unwrap();
        let got: Vec<&str> = log.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(got, keys, "{name}");
        assert!(log.iter().all(|r| r.1 == "已更正"), "{log:?}");
        // 数据来源 says which numbers were corrected (as the CSV's status does), the others as
        // read
        let sources = sheet_rows(&dir.path().join(name), "数据来源");
        let col = |h: &str| sources[0].iter().position(|c| c == h).unwrap();
        let (key, status) = (col("键"), col("状态"));
        let corrected: Vec<&str> = sources[1..]
            .iter()
            .filter(|r| r[status] == "更正")
            .map(|r| r[key].as_str())
            .collect();
        assert_eq!(corrected, keys, "{name}");
        assert!(!sources.iter().any(|r| r[status] == "计算得出"));
    }
}

#[test]
fn fails_r3_is_a_conflict_reported_with_both_rules_cells_and_left_as_read() {
    // A result was raised in 自然人 and 总计 (sample_workbooks/README.md): R3 says （七）总计 is
    // wrong (28, the results add up to 29), R1 holds with 28. Recomputing it, as --fix used to,
    // made two new R1 errors; now nothing changes and the conflict is reported.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r3.xlsx");
    let f = convert_fix(&sample("fails_r3.xlsx"), &out);
    assert_eq!(f.code, 1);
    assert!(!f.stderr.contains("已更正"), "{}", f.stderr);
    let lines: Vec<&str> = f
        .stderr
        .lines()
        .filter(|l| l.starts_with("未更正"))
        .collect();
    assert_eq!(lines.len(), 2, "{}", f.stderr);
    // the total's cell and the cells of R1 (新收, 上年结转, （七）总计, 结转下年度)
    assert!(
        lines[0].contains("（原表 '统计表'!D50）：28，R3 要求等于分项之和 29")
            && lines[0].contains("R1（原表 '统计表'!D29、D30、D50、D51）不成立"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("'统计表'!J50"), "{}", lines[1]);
    // the findings printed are those of the report as read
    assert!(f.stderr.contains("（七）总计为 28"), "{}", f.stderr);
    assert!(!f.stderr.contains("R1 错误"), "{}", f.stderr);
    // the template keeps the agency's numbers; only R3 is found in it, as in the input
    for (col, n) in [("natural_person", 28.0), ("total", 29.0)] {
        assert_eq!(number_of(&out, TableKey::Requests, "handled_total", col), n);
    }
    assert_eq!(f.after, BTreeMap::from([("R3".to_string(), 2)]));
    // 更正记录 lists both, not corrected, with the rule that would fail
    let log = f.log.expect("更正记录");
    assert_eq!(log.len(), 2, "{log:?}");
    for (row, key) in log.iter().zip([
        "requests.handled_total.natural_person",
        "requests.handled_total.total",
    ]) {
        assert_eq!(row.0, key);
        assert_eq!(row.1, "未更正（规则冲突）");
        assert_eq!(row.2, "R3");
        assert!(row.3.contains("会使 R1（原表 '统计表'!"), "{}", row.3);
    }
}

#[test]
fn a_finding_left_after_a_correction_quotes_the_number_the_agency_wrote() {
    // fails_r1 (R1 fails in 自然人: 114 + 5 ≠ 111 + 9) with its （七）总计/自然人 also wrong
    // (112): --fix recomputes 112 → 111, R1 still fails, and says 112 as the agency wrote it.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("r1_plus.xlsx");
    let at = cell_of(
        &sample("fails_r1.xlsx"),
        TableKey::Requests,
        "handled_total",
        "natural_person",
    );
    copy_with(&sample("fails_r1.xlsx"), &src, &[(&at, Data::Float(112.0))]);
    let f = convert_fix(&src, &dir.path().join("out.xlsx"));
    assert!(
        f.stderr
            .contains(&format!("（七）总计 / 自然人（原表 {at}）：112 → 111")),
        "{}",
        f.stderr
    );
    let r1: Vec<&str> = f.stderr.lines().filter(|l| l.contains("R1 错误")).collect();
    assert_eq!(r1.len(), 2, "{}", f.stderr);
    assert!(r1[0].contains("办理结果总计(112)"), "{}", r1[0]);
    // resolved by the correction, so not printed: R3 and R2 of that total
    assert!(!f.stderr.contains("R3 错误"), "{}", f.stderr);
    assert!(!f.stderr.contains("R2 错误"), "{}", f.stderr);
    let log = f.log.unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].1, "已更正");
}

/// The list sheets' long texts wrap inside rows tall enough for them: the workbook's row
/// height is fixed, so a row left at the default shows the 说明 of a conflict as lines drawn
/// over each other (seen in the rendered 更正记录 before this was fixed).
#[test]
fn a_wrapped_explanation_gets_a_row_tall_enough() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r3.xlsx");
    convert_fix(&sample("fails_r3.xlsx"), &out);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let workbook = part("xl/workbook.xml");
    let n = workbook
        .split("<sheet ")
        .skip(1)
        .position(|s| s.starts_with("name=\"更正记录\""))
        .expect("更正记录")
        + 1;
    let sheet = part(&format!("xl/worksheets/sheet{n}.xml"));
    // both conflicts' rows (2 and 3) are at least two lines of 11-point text high
    for r in [2, 3] {
        let row = sheet
            .split("<row ")
            .find(|s| s.starts_with(&format!("r=\"{r}\"")))
            .unwrap();
        let ht: f64 = row
            .split("ht=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("row {r} has no height: {row}"));
        assert!(ht >= 29.0, "row {r}: {ht}");
    }
}

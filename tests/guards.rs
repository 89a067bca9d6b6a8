//! Tests that pin behaviour another test only touches: every metric against a value computed by
//! hand; X2 and X3 each fired by one specific mismatch through `nianbao rollup --previous`; I3
//! on a workbook with one column label missing; `convert` to `.xlsx`, `.csv` and with `--fix`
//! through the binary, the outputs read back.

mod fixture;

use std::collections::BTreeMap;
use std::str::FromStr;

use calamine::Data;
use fixture::*;
use nianbao::model::TableKey;
use rust_decimal::Decimal;
use serde_json::Value as Json;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

// ---- metrics -------------------------------------------------------------------------------

/// A report with numbers set so that every term of every metric matters: leaving out any one
/// term, or taking another column or row, gives another ratio.
fn metric_report() -> nianbao::model::Report {
    let (mut r, _) = nianbao::read::read_report(
        &sample("pingtan_2022.xlsx"),
        "pingtan_2022.xlsx",
        &Default::default(),
    )
    .unwrap();
    let (req, app) = (TableKey::Requests, TableKey::Appeals);
    let mut set = |t: TableKey, row: &str, col: &str, v: i64| {
        r.get_mut(t, row, col).unwrap().value = Decimal::from(v);
    };
    set(req, "new", "total", 220);
    set(req, "carried_in", "total", 30);
    set(req, "granted", "total", 50);
    set(req, "partly_granted", "total", 24);
    for (i, row) in [
        "withheld_state_secret",
        "withheld_prohibited_by_law",
        "withheld_three_securities",
        "withheld_third_party",
        "withheld_internal_affairs",
        "withheld_process_info",
        "withheld_enforcement_file",
        "withheld_admin_query",
    ]
    .into_iter()
    .enumerate()
    {
        set(req, row, "total", i as i64 + 1); // 1 + 2 + … + 8 = 36
    }
    set(req, "unavailable_not_held", "total", 10);
    set(req, "unavailable_needs_creation", "total", 11);
    set(req, "unavailable_unclear", "total", 12);
    set(req, "handled_total", "total", 200);
    set(req, "carried_out", "total", 30);
    // Other columns get numbers too, so that a metric reading the wrong column is caught.
    set(req, "granted", "natural_person", 7);
    set(req, "handled_total", "natural_person", 9);
    set(app, "review", "corrected", 3);
    set(app, "review", "other", 5);
    set(app, "review", "total", 12);
    set(app, "litigation_direct", "corrected", 2);
    set(app, "litigation_direct", "total", 10);
    set(app, "litigation_after_review", "corrected", 4);
    set(app, "litigation_after_review", "total", 30);
    r
}

#[test]
fn every_metric_equals_its_value_computed_by_hand() {
    let r = metric_report();
    // (key, by hand)
    let by_hand: BTreeMap<&str, Decimal> = [
        // (予以公开 50 + 部分公开 24) / 办理结果总计 200
        ("disclosure_rate", dec("0.37")),
        // (1 + 2 + … + 8 = 36) / 200
        ("withheld_rate", dec("0.18")),
        // (10 + 11 + 12 = 33) / 200
        ("unavailable_rate", dec("0.165")),
        // 结转下年度 30 / (新收 220 + 上年结转 30)
        ("carry_over_rate", dec("0.12")),
        // 结果纠正 3 / 总计 12
        ("review_correction_rate", dec("0.25")),
        // (2 + 4) / (10 + 30)
        ("litigation_correction_rate", dec("0.15")),
    ]
    .into();
    let metrics = nianbao::rollup::metrics::METRICS;
    for m in metrics {
        let want = by_hand
            .get(m.key)
            .unwrap_or_else(|| panic!("metric {} has no value computed by hand here", m.key));
        assert_eq!(m.of(&r), Some(*want), "{} ({})", m.key, m.name);
    }
    assert_eq!(
        metrics.len(),
        by_hand.len(),
        "a hand value for a metric that is gone"
    );
}

#[test]
fn a_metric_over_zero_is_not_available() {
    // The seed report received no requests and no appeals: every denominator is 0.
    let (r, _) = nianbao::read::read_report(
        &sample("dujiqu_jingxinju_2020.xlsx"),
        "dujiqu.xlsx",
        &Default::default(),
    )
    .unwrap();
    for m in nianbao::rollup::metrics::METRICS {
        assert_eq!(m.of(&r), None, "{}", m.key);
    }
}

// ---- cross-year rules X2, X3 ---------------------------------------------------------------

fn cross_year_findings(rule: &str, case: &CrossYearCase, dir: &std::path::Path) -> Vec<Json> {
    rollup_issues(dir, &[&case.cur], &[&case.prev])
        .into_iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// Exactly one finding of `rule` on this year's file, at the changed cell, naming both numbers; and
/// the same for the region total (`汇总`, against the same agencies last year, here that one report).
fn assert_one_finding_at(rule: &str, found: &[Json], case: &CrossYearCase) {
    let file = case.cur.display().to_string();
    let on_file: Vec<&Json> = found
        .iter()
        .filter(|f| f["文件"] == file.as_str())
        .collect();
    let on_region: Vec<&Json> = found.iter().filter(|f| f["文件"] == "汇总").collect();
    assert_eq!(
        (on_file.len(), on_region.len(), found.len()),
        (1, 1, 2),
        "{rule}: {found:#?}"
    );
    // the region compares the same one agency, and says so before the same words
    let (region, file) = (on_region[0]["说明"].as_str(), on_file[0]["说明"].as_str());
    assert!(
        region.unwrap().ends_with(file.unwrap())
            && region.unwrap().contains("两年都有报表的 1 个单位"),
        "{region:?} / {file:?}"
    );
    let f = on_file[0];
    assert_eq!(f["级别"], "警告", "{f:#?}");
    assert_eq!(f["工作表"], case.cell.sheet.as_str(), "{f:#?}");
    assert_eq!(f["单元格"], case.cell.a1().as_str(), "{f:#?}");
    let msg = f["说明"].as_str().unwrap();
    assert!(msg.contains(&format!("为 {}", case.found)), "{msg}");
    assert!(msg.contains(&format!("= {}", case.expected)), "{msg}");
}

#[test]
fn x2_fires_on_the_in_force_count_that_does_not_follow_from_last_year() {
    let dir = tempfile::tempdir().unwrap();
    let case = x2_case(dir.path());
    let found = cross_year_findings("X2", &case, dir.path());
    assert_one_finding_at("X2", &found, &case);
    // Last year's unchanged pair: no X2.
    let dir2 = tempfile::tempdir().unwrap();
    let clean = rollup_issues(
        dir2.path(),
        &[&sample("rollup_2023/jiaoyu_2023.xlsx")],
        &[&case.prev],
    );
    assert!(clean.iter().all(|f| f["rule"] != "X2"), "{clean:#?}");
}

#[test]
fn x3_fires_on_the_prior_items_that_do_not_follow_from_last_year() {
    let dir = tempfile::tempdir().unwrap();
    let case = x3_case(dir.path());
    let found = cross_year_findings("X3", &case, dir.path());
    // Only 行政事业性收费: the other rows equal last year's count plus last year's change.
    assert_one_finding_at("X3", &found, &case);
}

// ---- I3 ------------------------------------------------------------------------------------

#[test]
fn a_missing_column_label_is_i3_at_the_table_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let src = sample("dujiqu_jingxinju_2020.xlsx");
    let label = find_text(&src, "科研机构");
    let anchor = find_text(&src, "自然人");
    let out = dir.path().join("no_research.xlsx");
    copy_with(&src, &out, &[(&label, Data::Empty)]);
    let (code, findings) = check(&[&out]);
    assert_eq!(code, 1);
    // One finding: the numbers of the missing column are unknown, so no R2 follows from them.
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f["rule"], "I3");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["sheet"], "Sheet1");
    // The finding names table 三's anchor, the 自然人 header the columns are found from.
    assert_eq!(f["cell"], anchor.a1().as_str());
    assert!(f["message"].as_str().unwrap().contains("科研机构"), "{f}");
    // The column's numbers are "not found", never a made-up 0.
    let json = dir.path().join("x.json");
    let o = json.display().to_string();
    nianbao(&["convert", out.to_str().unwrap(), "-o", &o]);
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        doc["tables"]["requests"]["new"]["research"]["status"],
        "missing"
    );
}

// ---- convert through the binary ------------------------------------------------------------

/// The number in the `统计表` sheet of a written template at the row labelled `row` and the
/// column headed `col` (both found by their text).
fn template_number(path: &std::path::Path, row: &str, col: &str) -> Option<f64> {
    let rows = sheet_rows(path, "统计表");
    let find = |text: &str| -> (usize, usize) {
        rows.iter()
            .enumerate()
            .find_map(|(r, cells)| cells.iter().position(|c| c == text).map(|c| (r, c)))
            .unwrap_or_else(|| panic!("{text:?} not in 统计表"))
    };
    let (r, _) = find(row);
    let (_, c) = find(col);
    rows[r][c].parse().ok()
}

#[test]
fn convert_to_xlsx_writes_the_numbers_at_their_template_places() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pingtan.xlsx");
    let run = nianbao(&[
        "convert",
        "sample_workbooks/pingtan_2022.xlsx",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0));
    // Published numbers (sample_workbooks/README.md): 新收 自然人 71, 商业企业 3; fees 9116.36 万元.
    assert_eq!(
        template_number(&out, "一、本年新收政府信息公开申请数量", "自然人"),
        Some(71.0)
    );
    assert_eq!(
        template_number(&out, "一、本年新收政府信息公开申请数量", "商业企业"),
        Some(3.0)
    );
    assert_eq!(
        template_number(&out, "行政规范性文件", "现行有效件数"),
        Some(698.0)
    );
    // 数据来源: one row per number, with its key, value and source cell.
    let sources = sheet_rows(&out, "数据来源");
    let fee = sources
        .iter()
        .find(|r| r.iter().any(|c| c == "proactive.fees.amount"))
        .expect("the fee in 数据来源");
    assert!(fee.iter().any(|c| c == "9116.36"), "{fee:?}");
    assert!(fee.iter().any(|c| c == "填报"), "{fee:?}");
    // A clean report: no rule id in 校验结果; no 更正记录 without --fix.
    let is_rule_id = |c: &String| {
        let b = c.as_bytes();
        b.len() == 2 && b"RIBX".contains(&b[0]) && b[1].is_ascii_digit()
    };
    let findings = sheet_rows(&out, "校验结果");
    assert!(!findings.iter().flatten().any(is_rule_id), "{findings:?}");
    let wb: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    use calamine::Reader;
    assert!(!wb.sheet_names().iter().any(|s| s == "更正记录"));
    // The written template reads back to the same numbers.
    let (again, findings) = check(&[&out]);
    assert_eq!(again, 0, "{findings:#?}");
}

#[test]
fn convert_to_csv_writes_the_header_and_every_number() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pingtan.csv");
    let run = nianbao(&[
        "convert",
        "sample_workbooks/pingtan_2022.xlsx",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0));
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 BOM");
    let mut csv = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    // The first ten columns as they always were (analysts' scripts read them by position),
    // the new ones appended.
    assert_eq!(
        header[..10],
        [
            "agency",
            "year",
            "format",
            "table",
            "row",
            "column",
            "value",
            "row_label",
            "column_label",
            "source"
        ]
    );
    assert_eq!(header[10..], ["status", "unit", "counted", "level"]);
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    // 2021 format: 10 + 25 × 7 + 15 numbers.
    assert_eq!(rows.len(), 10 + 25 * 7 + 15);
    let find = |t: &str, r: &str, c: &str| {
        rows.iter()
            .find(|x| &x[3] == t && &x[4] == r && &x[5] == c)
            .unwrap_or_else(|| panic!("{t}.{r}.{c}"))
            .clone()
    };
    let new = find("requests", "new", "natural_person");
    assert_eq!(&new[0], "平潭综合实验区");
    assert_eq!(&new[1], "2022");
    assert_eq!(&new[2], "2021");
    assert_eq!(&new[6], "71");
    assert_eq!(&new[7], "一、本年新收政府信息公开申请数量");
    assert_eq!(&new[8], "自然人");
    assert_eq!(
        &new[9],
        "sample_workbooks/pingtan_2022.xlsx!'表三 依申请公开'!F8"
    );
    let fee = find("proactive", "fees", "amount");
    assert_eq!(&fee[6], "9116.36");
}

#[test]
fn convert_fix_recomputes_the_wrong_total_and_records_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fixed.xlsx");
    // fails_r2.xlsx: 总计 of （一）予以公开 raised by 1 (23 → 24) and of （二）部分公开 lowered by 1
    // (3 → 2); R1 and R3 hold either way, so both are recomputed (tests/fix.rs: the rest of --fix).
    let run = nianbao(&[
        "convert",
        "--fix",
        "sample_workbooks/fails_r2.xlsx",
        "-o",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("24 → 23"), "{stderr}");
    let log = sheet_rows(&out, "更正记录");
    let header = &log[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let changed: Vec<(String, String, String, String)> = log[1..]
        .iter()
        .map(|r| {
            (
                r[col("键")].clone(),
                r[col("原表单元格")].clone(),
                r[col("原值")].clone(),
                r[col("新值")].clone(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            (
                "requests.granted.total".to_string(),
                "'统计表'!J25".to_string(),
                "24".to_string(),
                "23".to_string()
            ),
            (
                "requests.partly_granted.total".to_string(),
                "'统计表'!J26".to_string(),
                "2".to_string(),
                "3".to_string()
            ),
        ]
    );
    // The corrected totals are in the template, and it no longer fails R2.
    let granted = |p: &std::path::Path| number_of(p, TableKey::Requests, "granted", "total");
    assert_eq!(granted(&out), 23.0);
    let (_, findings) = check(&[&out]);
    assert!(findings.iter().all(|f| f["rule"] != "R2"), "{findings:#?}");
    // Without --fix the agency's number is written as it was read.
    let plain = dir.path().join("plain.xlsx");
    nianbao(&[
        "convert",
        "sample_workbooks/fails_r2.xlsx",
        "-o",
        plain.to_str().unwrap(),
    ]);
    assert_eq!(granted(&plain), 24.0);
    let (_, findings) = check(&[&plain]);
    assert!(findings.iter().any(|f| f["rule"] == "R2"), "{findings:#?}");
}

// ---- roster near misses (README: 只差一个字) -------------------------------------------------

#[test]
fn a_roster_name_one_character_off_is_suggested_two_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("名单.csv");
    // 云台区教育局 and 云台区司法局 report; the roster misspells the first by one character and
    // the second by two.
    std::fs::write(&roster, "\u{feff}单位名称\n云台区教育句\n云台区司去句\n").unwrap();
    let out = dir.path().join("sum.xlsx");
    nianbao(&[
        "rollup",
        "-o",
        out.to_str().unwrap(),
        "--roster",
        roster.to_str().unwrap(),
        "sample_workbooks/rollup_2023/jiaoyu_2023.xlsx",
        "sample_workbooks/rollup_2023/sifa_2023.xlsx",
    ]);
    let rows = sheet_rows(&out, "报送情况");
    let row = |name: &str| {
        rows.iter()
            .find(|r| r[1] == name)
            .unwrap_or_else(|| panic!("{name} not in 报送情况: {rows:?}"))
    };
    assert_eq!(row("云台区教育句")[0], "未报送");
    assert!(row("云台区教育句")[7].contains("云台区教育局"), "{rows:?}");
    assert_eq!(row("云台区司去句")[0], "未报送");
    assert!(!row("云台区司去句")[7].contains("云台区司法局"), "{rows:?}");
}

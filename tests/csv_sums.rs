//! The long CSV can be summed (issue 10): in a roll-up's CSV, the agency rows marked `counted`
//! `是`, summed per `table,row,column`, give the region's rows (`level` `区域`) exactly — on the
//! bundled sample roll-ups and on a batch with invalid, duplicate, unreadable and yearless files,
//! blanks, an amount in 万元 and one of unknown unit. A row is `是` exactly when its file is
//! counted and its value is known; marking one other row counted fails the check. A value
//! changed by `--fix` keeps its source cell and says `更正`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use nianbao::model::synthetic::consistent_report;
use nianbao::model::{FormatVersion, MoneyUnit, Report, Status, TableKey};
use nianbao::rollup::{run, RollupJob, RollupOptions, RollupSources};
use nianbao::write::csv::RollupCsv;
use nianbao::write::target::Target;
use rust_decimal::Decimal;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One CSV line by column name.
type Row = BTreeMap<String, String>;

fn parse(text: &str) -> Vec<Row> {
    let body = text.strip_prefix('\u{feff}').expect("BOM");
    let mut rd = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    rd.records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

fn unparse(rows: &[Row]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(rows[0].keys()).unwrap();
    for r in rows {
        w.write_record(r.values()).unwrap();
    }
    // the columns are reordered (by name), which the checks do not mind
    format!(
        "\u{feff}{}",
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    )
}

fn key(r: &Row) -> (String, String, String) {
    (r["table"].clone(), r["row"].clone(), r["column"].clone())
}

/// The agency rows marked counted, summed per key, are the region's rows, exactly; a counted
/// row has a value; `counted` is `是`/`否` on agency rows and empty on region rows.
fn check_sums(text: &str) -> Result<(), String> {
    let mut sums: BTreeMap<(String, String, String), Decimal> = BTreeMap::new();
    let mut region: BTreeMap<(String, String, String), String> = BTreeMap::new();
    for r in parse(text) {
        match (r["level"].as_str(), r["counted"].as_str()) {
            ("单位", "是") => {
                let v = Decimal::from_str(&r["value"])
                    .map_err(|_| format!("a counted row without a number: {r:?}"))?;
                *sums.entry(key(&r)).or_default() += v;
            }
            ("单位", "否") => {}
            ("区域", "") => {
                if region.insert(key(&r), r["value"].clone()).is_some() {
                    return Err(format!("a region row twice: {r:?}"));
                }
            }
            _ => return Err(format!("level/counted out of place: {r:?}")),
        }
    }
    if region.is_empty() {
        return Err("no region rows".into());
    }
    for (k, v) in region {
        let sum = sums.remove(&k).unwrap_or_default();
        if Decimal::from_str(&v).ok() != Some(sum) {
            return Err(format!(
                "{k:?}: region {v:?}, counted agency rows sum to {sum}"
            ));
        }
    }
    match sums.is_empty() {
        true => Ok(()),
        false => Err(format!(
            "counted keys with no region row: {:?}",
            sums.keys()
        )),
    }
}

/// Every agency row read from a cell is `是` exactly when the roll-up counted its file and its
/// value is known (`files`: display → counted, from the roll-up's heads).
fn check_flags(text: &str, files: &[(String, bool)]) {
    let mut seen = 0;
    for r in parse(text).iter().filter(|r| r["level"] == "单位") {
        if r["source"].is_empty() {
            continue;
        }
        let (_, counted) = files
            .iter()
            .find(|(f, _)| r["source"].starts_with(&format!("{f}!")))
            .unwrap_or_else(|| panic!("no file for {r:?}"));
        let want = *counted && !r["value"].is_empty();
        assert_eq!(r["counted"] == "是", want, "{r:?}");
        seen += 1;
    }
    assert!(seen > 0);
}

/// Mark the first agency row that is not counted and has a non-zero value as counted: the
/// check must then fail. `None` when every row with a non-zero value is counted.
fn mark_one_more_counted(text: &str) -> Option<String> {
    let mut rows = parse(text);
    let r = rows.iter_mut().find(|r| {
        r["level"] == "单位"
            && r["counted"] == "否"
            && Decimal::from_str(&r["value"]).is_ok_and(|v| !v.is_zero())
    })?;
    r.insert("counted".into(), "是".into());
    Some(unparse(&rows))
}

/// Roll up `inputs` (files or folders) into a CSV in memory: its text and every file's
/// standing (display, counted).
fn roll(inputs: &[PathBuf], include_invalid: bool) -> (String, Vec<(String, bool)>) {
    let options = RollupOptions {
        name: "某区".into(),
        include_invalid,
        // small chunks: files are written while later ones are read, as in a large roll-up
        chunk: 3,
        ..Default::default()
    };
    let sources = RollupSources {
        inputs: inputs.to_vec(),
        ..Default::default()
    };
    let (job, _) = RollupJob::open(&sources, options, false).unwrap();
    let mut csv = RollupCsv::new(Target::memory()).unwrap();
    let o = run(&job, &mut [&mut csv], &|_| {}).unwrap();
    let text = String::from_utf8(csv.into_target().into_bytes().unwrap()).unwrap();
    let files = o
        .rollup
        .heads
        .iter()
        .map(|h| (h.display.clone(), h.standing.counted()))
        .collect();
    (text, files)
}

fn sums_hold(text: &str, files: &[(String, bool)]) {
    if let Err(e) = check_sums(text) {
        panic!("{e}");
    }
    check_flags(text, files);
}

#[test]
fn the_sample_rollups_sum_to_their_region_rows() {
    let mut mutated = 0;
    for folder in ["rollup_2023", "rollup_2022"] {
        let (text, files) = roll(&[root().join("sample_workbooks").join(folder)], false);
        sums_hold(&text, &files);
        if let Some(wrong) = mark_one_more_counted(&text) {
            assert!(check_sums(&wrong).is_err(), "{folder}");
            mutated += 1;
        }
    }
    // rollup_2023 leaves out one agency (R1): its rows are 否
    assert!(mutated > 0);
}

fn write(dir: &Path, name: &str, r: &Report) -> PathBuf {
    let p = dir.join(name);
    nianbao::write::template::write_report(r, &[], &Default::default(), &p, &Default::default())
        .unwrap();
    p
}

#[test]
fn a_batch_with_invalid_duplicate_unreadable_and_yearless_files_sums() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let v = FormatVersion::V2019;
    let p = TableKey::Proactive;
    let agency = |name: &str, seed| consistent_report(v, name, 2020, seed);
    let mut files = Vec::new();
    // plain ones
    for (i, name) in ["某区教育局", "某区财政局", "某区民政局"]
        .into_iter()
        .enumerate()
    {
        files.push(write(d, &format!("{i}.xlsx"), &agency(name, 40 + i as u64)));
    }
    // a blank cell (read as 0, 空白) and an amount in 万元 (converted to 元)
    let mut r = agency("某区水利局", 50);
    let b = r.get_mut(p, "regulations", "produced").unwrap();
    (b.value, b.status) = (Decimal::ZERO, Status::Blank);
    let m = r.get_mut(p, "procurement", "amount").unwrap();
    (m.value, m.unit) = (
        Decimal::from_str("12.3456").unwrap(),
        Some(MoneyUnit::WanYuan),
    );
    files.push(write(d, "blank_wan.xlsx", &r));
    // a bare amount: its unit is unknown, its value empty, its file counted
    let mut r = agency("某区审计局", 51);
    let m = r.get_mut(p, "procurement", "amount").unwrap();
    (m.value, m.unit) = (Decimal::from(4321), None);
    files.push(write(d, "bare_amount.xlsx", &r));
    // an R1 error: left out, unless --include-invalid
    let mut r = agency("某区司法局", 52);
    r.get_mut(TableKey::Requests, "carried_out", "natural_person")
        .unwrap()
        .value += Decimal::ONE;
    files.push(write(d, "invalid.xlsx", &r));
    // the same agency twice, found only at the end: both left out, their rows already written
    // (and rewritten in place: a name the CSV must quote keeps its quoting)
    let r = agency("某区统计局", 53);
    files.push(write(d, "dup_a, \"x\".xlsx", &r));
    files.push(write(d, "dup_b.xlsx", &agency("某区统计局", 54)));
    // no year: the batch's one year is given to it at the end, after its rows were read
    let mut r = agency("某区审计二局", 55);
    r.meta.year = None;
    files.push(write(d, "no_year.xlsx", &r));
    // unreadable
    let broken = d.join("broken.xlsx");
    std::fs::write(&broken, b"PK\x03\x04 not a workbook").unwrap();
    files.push(broken);

    for include_invalid in [false, true] {
        let (text, heads) = roll(&files, include_invalid);
        sums_hold(&text, &heads);
        let counted = |f: &str| heads.iter().find(|(h, _)| h.ends_with(f)).unwrap().1;
        assert!(!counted("dup_a, \"x\".xlsx") && !counted("dup_b.xlsx"));
        assert_eq!(counted("invalid.xlsx"), include_invalid);
        assert!(check_sums(&mark_one_more_counted(&text).unwrap()).is_err());

        let rows = parse(&text);
        let of = |file: &str, row: &str, col: &str| -> &Row {
            rows.iter()
                .find(|r| {
                    r["source"].contains(&format!("{file}!"))
                        && r["table"] == "proactive"
                        && (r["row"].as_str(), r["column"].as_str()) == (row, col)
                })
                .unwrap()
        };
        let blank = of("blank_wan.xlsx", "regulations", "produced");
        assert_eq!((&*blank["value"], &*blank["status"]), ("0", "空白"));
        let wan = of("blank_wan.xlsx", "procurement", "amount");
        let got = [&wan["value"], &wan["unit"], &wan["status"], &wan["counted"]];
        assert_eq!(got, ["123456", "元", "填报", "是"]);
        let bare = of("bare_amount.xlsx", "procurement", "amount");
        let got = [&bare["value"], &bare["unit"], &bare["counted"]];
        assert_eq!(got, ["", "未知", "否"]);
        let dup = of("dup_a, \"x\".xlsx", "regulations", "produced");
        assert_eq!(dup["counted"], "否");
        // the yearless file took the batch's year: every one of its rows says so, and counts
        assert!(counted("no_year.xlsx"));
        let yearless: Vec<&Row> = rows
            .iter()
            .filter(|r| r["source"].contains("no_year.xlsx!"))
            .collect();
        assert!(!yearless.is_empty());
        for r in &yearless {
            assert_eq!(r["year"], "2020", "{r:?}");
        }
        // every agency row has its year (the unreadable file has no rows)
        for r in rows.iter().filter(|r| r["level"] == "单位") {
            assert_eq!(r["year"], "2020", "{r:?}");
        }
        for r in rows.iter().filter(|r| r["level"] == "区域") {
            assert_eq!((&*r["status"], &*r["source"]), ("合计", ""), "{r:?}");
            let unit = if (&*r["row"], &*r["column"]) == ("procurement", "amount") {
                "元"
            } else {
                "件"
            };
            assert_eq!(r["unit"], unit, "{r:?}");
        }
    }
}

/// `convert --fix`: a corrected total keeps the cell it was read from and says `更正`; every
/// other number says how it was read.
#[test]
fn a_value_corrected_by_fix_keeps_its_source_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    assert_cmd::Command::cargo_bin("nianbao")
        .unwrap()
        .current_dir(root())
        .args(["convert", "sample_workbooks/fails_r4.xlsx", "--fix", "-o"])
        .arg(&out)
        .assert()
        .code(0);
    let rows = parse(&std::fs::read_to_string(&out).unwrap());
    let corrected: Vec<&Row> = rows.iter().filter(|r| r["status"] == "更正").collect();
    assert!(!corrected.is_empty());
    for r in &corrected {
        assert!(
            r["source"].starts_with("sample_workbooks/fails_r4.xlsx!"),
            "{r:?}"
        );
        assert_eq!((&*r["table"], &*r["column"]), ("appeals", "total"), "{r:?}");
    }
    for r in &rows {
        assert_eq!((&*r["counted"], &*r["level"]), ("", "单位"), "{r:?}");
        assert!(r["status"] == "更正" || r["status"] == "填报", "{r:?}");
    }
}

//! What `nianbao rollup` says happened (issue 10, "Say what happened"): every file not counted
//! and why with its first findings, the region's findings, the roster's lines, the summary line
//! last; `--quiet`; `--format json`; and the region's cross-year checks X1–X3 comparing the same
//! agencies on both sides.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use nianbao::batch::Input;
use nianbao::diag::Rule;
use nianbao::model::synthetic::consistent_report;
use nianbao::model::{FormatVersion, Report, TableKey};
use nianbao::rollup::{run, RollupJob, RollupOptions};
use nianbao::write::csv::RollupCsv;
use nianbao::write::summary::SummaryWriter;
use nianbao::write::target::Target;
use nianbao::write::template;
use rust_decimal::Decimal;

fn nianbao() -> Command {
    Command::cargo_bin("nianbao").unwrap()
}

fn write(dir: &Path, name: &str, r: &Report) -> PathBuf {
    let p = dir.join(name);
    template::write_report(r, &[], &Default::default(), &p, &Default::default()).unwrap();
    p
}

fn report(agency: &str, year: u16, seed: u64) -> Report {
    consistent_report(FormatVersion::V2021, agency, year, seed)
}

/// Last year's 结转下年度 made equal to this year's 上年结转, every column; last year's 新收
/// follows, so that last year's report still holds (R1, R2).
fn follow(last: &mut Report, this: &Report) {
    let columns = this
        .spec()
        .table(TableKey::Requests)
        .row("carried_in")
        .unwrap()
        .columns;
    for c in columns.iter().map(|c| c.key) {
        let v = this.get(TableKey::Requests, "carried_in", c).unwrap().value;
        let out = last.get_mut(TableKey::Requests, "carried_out", c).unwrap();
        let delta = v - out.value;
        out.value = v;
        last.get_mut(TableKey::Requests, "new", c).unwrap().value += delta;
    }
    assert!(nianbao::validate::validate(last).is_empty());
}

/// Break R1 (and R2) of a report: one more 新收 for 自然人 than its parts allow.
fn break_r1(r: &mut Report) {
    r.get_mut(TableKey::Requests, "new", "natural_person")
        .unwrap()
        .value += Decimal::ONE;
}

/// A roll-up run in memory: this year's `now` and last year's `last` written to files.
fn roll_up(now: &[Report], last: &[Report]) -> nianbao::rollup::RollupOutcome {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = now
        .iter()
        .enumerate()
        .map(|(i, r)| write(dir.path(), &format!("now{i}.xlsx"), r))
        .collect();
    let previous: Vec<PathBuf> = last
        .iter()
        .enumerate()
        .map(|(i, r)| write(dir.path(), &format!("last{i}.xlsx"), r))
        .collect();
    let job = RollupJob {
        files: files.into_iter().map(Input::from).collect(),
        previous: previous.into_iter().map(Input::from).collect(),
        options: RollupOptions {
            name: "某区".into(),
            chunk: 2,
            ..Default::default()
        },
        ..Default::default()
    };
    let (mut xlsx, mut csv) = (
        SummaryWriter::new(Target::memory()).unwrap(),
        RollupCsv::new(Target::memory()).unwrap(),
    );
    run(&job, &mut [&mut xlsx, &mut csv], &|_| {}).unwrap()
}

/// This year 甲, 乙, 丙 (2023); last year 甲, 乙, 丁 (2022): no report follows another yet.
fn three_each_year() -> (Vec<Report>, Vec<Report>) {
    let now = vec![
        report("甲局", 2023, 1),
        report("乙局", 2023, 2),
        report("丙局", 2023, 3),
    ];
    let last = vec![
        report("甲局", 2022, 11),
        report("乙局", 2022, 12),
        report("丁局", 2022, 13),
    ];
    (now, last)
}

/// This year: 甲 (follows last year), 乙 (left out: R1 error; last year's does not follow), 丙 (new
/// this year). Last year: 甲, 乙, 丁 (not submitted this year). The region's totals differ from
/// last year's only by the agencies missing on one side: no region-level X1 error. (Before: the
/// region's total 甲 + 丙 was compared with last year's 甲 + 乙 + 丁, an X1 error per column.)
#[test]
fn agencies_missing_on_one_side_make_no_region_error() {
    let (mut now, mut last) = three_each_year();
    follow(&mut last[0], &now[0]);
    break_r1(&mut now[1]);
    let o = roll_up(&now, &last);
    assert_eq!(o.tally.counted, 2);
    let region = &o.rollup.region_findings;
    assert!(region.iter().all(|d| !d.is_error()), "{region:#?}");
    assert!(region.iter().all(|d| d.rule != Rule::X1), "{region:#?}");
}

/// The same agencies on both sides, one of them with a real mismatch: the region's X1 error is
/// still there, and says how many agencies each side covers.
#[test]
fn a_real_mismatch_among_the_same_agencies_is_a_region_error() {
    let (mut now, mut last) = three_each_year();
    follow(&mut last[0], &now[0]);
    follow(&mut last[1], &now[1]);
    last[1]
        .get_mut(TableKey::Requests, "carried_out", "natural_person")
        .unwrap()
        .value += Decimal::ONE;
    break_r1(&mut now[2]); // 丙 left out: it changes nothing, it has no report last year
    let o = roll_up(&now, &last);
    let x1: Vec<_> = o
        .rollup
        .region_findings
        .iter()
        .filter(|d| d.rule == Rule::X1)
        .collect();
    assert_eq!(x1.len(), 1, "{x1:#?}");
    let d = x1[0];
    assert!(d.is_error(), "{d:?}");
    assert_eq!(d.right.unwrap() - d.left.unwrap(), Decimal::ONE);
    for said in [
        "自然人",
        "两年都有报表的 2 个单位",
        "本年计入 2 个，其中上年没有报表 0 个",
        "上年有报表 3 个",
        "本年未计入 1 个",
    ] {
        assert!(d.message.contains(said), "{said}: {}", d.message);
    }
}

/// Last year as the region's summary alone (which agencies it covers is unknown): with an
/// agency left out this year, the totals cannot be compared; not checked, not an error.
#[test]
fn against_last_years_summary_alone_a_left_out_agency_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut now = [report("甲局", 2023, 1), report("乙局", 2023, 2)];
    let mut last = [report("甲局", 2022, 11), report("乙局", 2022, 12)];
    follow(&mut last[0], &now[0]);
    follow(&mut last[1], &now[1]);
    break_r1(&mut now[1]);
    let last_dir = dir.path().join("2022");
    std::fs::create_dir(&last_dir).unwrap();
    let last_files: Vec<PathBuf> = last
        .iter()
        .enumerate()
        .map(|(i, r)| write(&last_dir, &format!("{i}.xlsx"), r))
        .collect();
    let summary = dir.path().join("某区2022.xlsx");
    nianbao()
        .args(["rollup", "--name", "某区", "-o"])
        .arg(&summary)
        .args(&last_files)
        .assert()
        .code(0);
    let files: Vec<PathBuf> = now
        .iter()
        .enumerate()
        .map(|(i, r)| write(dir.path(), &format!("now{i}.xlsx"), r))
        .collect();
    let o = nianbao()
        .args(["rollup", "--name", "某区", "--format", "json", "-o"])
        .arg(dir.path().join("某区2023.xlsx"))
        .arg("--previous")
        .arg(&summary)
        .args(&files)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let x: Vec<&serde_json::Value> = doc["region_findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "X1")
        .collect();
    assert_eq!(x.len(), 1, "{x:#?}");
    assert_eq!(x[0]["severity"], "not_checked", "{x:#?}");
    assert!(x[0]["message"].as_str().unwrap().contains("1 个单位未计入"));
}

/// A folder with one of everything the terminal has to say, and the roll-up's command:
/// 0 教育局 counted with a cross-year error; 1 财政局 left out with more findings than are shown;
/// 2, 3 公安局 twice; 4 unreadable; 5 人社局, on the roster as 人社局局 (可能是); 审计局 on the
/// roster did not submit.
struct Folder {
    dir: tempfile::TempDir,
    out: PathBuf,
}

impl Folder {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let inp = dir.path().join("2023");
        let prev = dir.path().join("2022");
        std::fs::create_dir(&inp).unwrap();
        std::fs::create_dir(&prev).unwrap();
        let mut now = [
            report("云台区教育局", 2023, 1),
            report("云台区财政局", 2023, 2),
            report("云台区公安局", 2023, 3),
            report("云台区公安局", 2023, 4),
        ];
        for c in [
            "natural_person",
            "commercial",
            "research",
            "public_interest",
        ] {
            now[1].get_mut(TableKey::Requests, "new", c).unwrap().value += Decimal::ONE;
        }
        for (i, r) in now.iter().enumerate() {
            write(&inp, &format!("{i}.xlsx"), r);
        }
        std::fs::write(inp.join("4.xlsx"), b"PK\x03\x04 no").unwrap();
        write(&inp, "5.xlsx", &report("云台区人社局", 2023, 5));
        let mut last = report("云台区教育局", 2022, 11);
        follow(&mut last, &now[0]);
        last.get_mut(TableKey::Requests, "carried_out", "natural_person")
            .unwrap()
            .value += Decimal::ONE;
        write(&prev, "0.xlsx", &last);
        std::fs::write(
            dir.path().join("名单.csv"),
            "单位名称\n云台区教育局\n云台区财政局\n云台区公安局\n云台区人社局局\n云台区审计局\n",
        )
        .unwrap();
        let out = dir.path().join("汇总.xlsx");
        Folder { dir, out }
    }

    fn rollup(&self, extra: &[&str]) -> std::process::Output {
        nianbao()
            .args(["rollup", "--name", "某区", "-o"])
            .arg(&self.out)
            .arg("--roster")
            .arg(self.dir.path().join("名单.csv"))
            .arg("--previous")
            .arg(self.dir.path().join("2022"))
            .args(extra)
            .arg(self.dir.path().join("2023"))
            .output()
            .unwrap()
    }
}

const SUMMARY: &str =
    "6 个文件：计入 2 个；有错误未计入 1，重复 2，年度未知 0，无法读取 1；名单中未报送 2 个";

fn lines(out: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(out)
        .lines()
        .filter(|l| !l.starts_with("警告："))
        .map(String::from)
        .collect()
}

/// The position of the first line that starts with `head` and contains every one of `with`.
fn find(lines: &[String], head: &str, with: &[&str]) -> usize {
    lines
        .iter()
        .position(|l| l.starts_with(head) && with.iter().all(|w| l.contains(w)))
        .unwrap_or_else(|| panic!("no line {head}…{with:?} in\n{}", lines.join("\n")))
}

#[test]
fn the_terminal_names_every_file_not_counted_and_why_then_region_roster_and_summary() {
    let f = Folder::new();
    let o = f.rollup(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let l = lines(&o.stderr);
    let text = l.join("\n");

    // 0: counted, with its cross-year error
    let edu = find(&l, "! ", &["0.xlsx", "云台区教育局", "已汇总", "1 个错误"]);
    assert!(l[edu + 1].starts_with("  X1 错误 "), "{text}");
    // 1: left out for its errors, the first 3 shown (errors first), the rest counted
    let fin = find(&l, "✗ ", &["1.xlsx", "云台区财政局", "有错误，未汇总"]);
    let shown: Vec<&String> = l[fin + 1..]
        .iter()
        .take_while(|x| x.starts_with("  "))
        .collect();
    let findings: Vec<&&String> = shown.iter().filter(|x| !x.starts_with("      ")).collect();
    assert_eq!(findings.len(), 4, "{text}");
    assert!(findings[..3].iter().all(|x| x.contains(" 错误 ")), "{text}");
    assert!(
        findings[0].starts_with("  R") && findings[0].contains(" 错误 '统计表'!"),
        "as check prints it: {text}"
    );
    assert!(
        shown.iter().any(|x| x.starts_with("      提示：")),
        "{text}"
    );
    assert!(
        findings[3].starts_with("  ……另有 ") && findings[3].contains("条问题"),
        "{text}"
    );
    // 2, 3: the same agency twice, each naming the other
    let a = find(&l, "✗ ", &["2.xlsx", "重复报送，未汇总"]);
    assert!(
        l[a + 1].starts_with("  B1 错误") && l[a + 1].contains("3.xlsx"),
        "{text}"
    );
    let b = find(&l, "✗ ", &["3.xlsx", "重复报送，未汇总"]);
    assert!(l[b + 1].contains("2.xlsx"), "{text}");
    // 4: unreadable, with why
    let bad = find(&l, "✗ ", &["4.xlsx", "无法读取"]);
    assert!(l[bad + 1].starts_with("  读取 错误："), "{text}");
    // 5 is counted and clean: not named
    assert!(
        !l.iter()
            .any(|x| (x.starts_with("✗ ") || x.starts_with("! ")) && x.contains("5.xlsx")),
        "{text}"
    );
    // then the region's findings, the roster, what was written, the summary line last
    let region = find(&l, "区域合计（某区）：", &[]);
    let x1 = find(&l, "  X1 错误：", &["两年都有报表的 1 个单位"]);
    let roster = find(&l, "名单比对：", &[]);
    let audit = find(&l, "  未报送：", &["云台区审计局"]);
    let near = find(
        &l,
        "  未报送：",
        &["云台区人社局局", "可能以“云台区人社局”"],
    );
    let outside = find(&l, "  名单外：", &["云台区人社局", "5.xlsx", "可能是"]);
    let written = find(&l, "已写出 ", &["汇总.xlsx"]);
    assert!(
        edu < fin && fin < a && a < b && b < bad && bad < region && region < x1,
        "{text}"
    );
    assert!(
        x1 < roster && roster < audit.min(near).min(outside),
        "{text}"
    );
    assert!(audit.max(near).max(outside) < written, "{text}");
    assert_eq!(l.last().unwrap(), SUMMARY, "{text}");
}

#[test]
fn quiet_prints_the_summary_line_only() {
    let f = Folder::new();
    let o = f.rollup(&["--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert_eq!(lines(&o.stderr), vec![SUMMARY.to_string()]);
    assert!(f.out.exists());
}

/// `--format json`: the whole result as one document on stdout, nothing else there; and the
/// README's description of it names every key the document has, and no other.
#[test]
fn json_is_the_whole_result_as_one_document_as_the_readme_says() {
    let f = Folder::new();
    let o = f.rollup(&["--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(lines(&o.stderr).is_empty(), "{:?}", lines(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();

    assert_eq!(doc["region"]["name"], "某区");
    assert_eq!(doc["region"]["year"], 2023);
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 6);
    let standing: Vec<&str> = files
        .iter()
        .map(|f| f["standing"].as_str().unwrap())
        .collect();
    assert_eq!(
        standing,
        [
            "counted",
            "invalid",
            "duplicate",
            "duplicate",
            "unreadable",
            "counted"
        ]
    );
    assert_eq!(files[1]["standing_label"], "有错误，未汇总");
    assert_eq!(files[1]["counted"], false);
    let fin = files[1]["findings"].as_array().unwrap();
    assert!(fin.len() > 3, "every finding, not the first 3: {fin:#?}");
    assert!(fin.iter().any(|d| d["rule"] == "R1"
        && d["severity"] == "error"
        && d["cell"].is_string()
        && d["sheet"].is_string()));
    assert_eq!(
        files[2]["duplicates"][0]
            .as_str()
            .map(|p| p.ends_with("3.xlsx")),
        Some(true)
    );
    assert!(files[4]["error"].is_string());
    assert_eq!(files[4]["findings"][0]["rule"], "读取");
    assert!(files[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["rule"] == "X1" && d["severity"] == "error"));
    let region = doc["region_findings"].as_array().unwrap();
    assert!(region
        .iter()
        .any(|d| d["rule"] == "X1" && d["severity"] == "error"));
    let roster = doc["roster"].as_array().unwrap();
    let missing: Vec<&str> = roster
        .iter()
        .filter(|r| r["coverage"] == "missing")
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["云台区人社局局", "云台区审计局"]);
    assert!(roster
        .iter()
        .any(|r| r["coverage"] == "unexpected" && r["note"].as_str().unwrap().contains("可能是")));
    assert_eq!(doc["tally"]["files"], 6);
    assert_eq!(doc["tally"]["counted"], 2);
    assert_eq!(doc["written"], true);
    assert_eq!(doc["outputs"][0], f.out.display().to_string());

    // The README's description, key by key.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.contains("\"region_findings\""))
        .expect("the README describes rollup --format json");
    let quoted: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
    let top: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = quoted.clone();
    sorted.sort_unstable();
    let mut top_sorted = top.clone();
    top_sorted.sort_unstable();
    assert_eq!(sorted, top_sorted, "the README's top-level keys: {line}");
    let words: std::collections::HashSet<&str> = line
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    let mut keys: Vec<&str> = Vec::new();
    for obj in [
        &doc["region"],
        &files[1],
        &fin[0],
        &doc["tally"],
        &roster[0],
    ] {
        keys.extend(obj.as_object().unwrap().keys().map(String::as_str));
    }
    for k in keys {
        assert!(words.contains(k), "the README does not name “{k}”: {line}");
    }
    assert!(
        readme.contains(&format!("前 {} 条", 3)),
        "the README says how many findings of a file are shown"
    );
}

/// `--strict` refuses: the terminal still names the files and why, says nothing was written,
/// and ends with the summary line; the JSON says `written: false` and no outputs.
#[test]
fn strict_says_what_happened_and_that_nothing_was_written() {
    let f = Folder::new();
    let o = f.rollup(&["--strict"]);
    assert_eq!(o.status.code(), Some(2));
    let l = lines(&o.stderr);
    find(&l, "✗ ", &["1.xlsx", "有错误，未汇总"]);
    find(&l, "  未报送：", &["云台区审计局"]);
    find(&l, "--strict：", &["未写出任何文件"]);
    assert_eq!(l.last().unwrap(), SUMMARY);
    assert!(!f.out.exists());

    let o = f.rollup(&["--strict", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["written"], false);
    assert_eq!(doc["outputs"], serde_json::json!([]));
    assert!(!f.out.exists());
}

//! `nianbao rollup` end to end: totals, exclusions, duplicates, mixed versions, roster,
//! cross-year, hierarchical roll-up, and the summary read back through the reader.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use calamine::{open_workbook, Data, Reader, Xlsx};
use nianbao::model::synthetic::consistent_report;
use nianbao::model::{FormatVersion, Report, TableKey};
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

/// `nianbao rollup --name NAME -o OUT INPUTS…`, run.
fn rollup_named(
    name: &str,
    out: impl AsRef<std::ffi::OsStr>,
    inputs: impl IntoIterator<Item = impl AsRef<std::ffi::OsStr>>,
) -> assert_cmd::assert::Assert {
    nianbao()
        .args(["rollup", "--name", name, "-o"])
        .arg(out)
        .args(inputs)
        .assert()
}

/// Each report written into `dir` as `0.xlsx`, `1.xlsx`, …: their paths, in that order.
fn write_each(dir: &Path, reports: &[Report]) -> Vec<PathBuf> {
    reports
        .iter()
        .enumerate()
        .map(|(i, r)| write(dir, &format!("{i}.xlsx"), r))
        .collect()
}

fn agencies(version: FormatVersion, year: u16, names: &[&str], seed: u64) -> Vec<Report> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| consistent_report(version, n, year, seed + i as u64))
        .collect()
}

/// The region total computed independently: the sum of every field's canonical value.
fn sum(reports: &[&Report]) -> Vec<Decimal> {
    let n = reports[0].values().len();
    let mut out = vec![Decimal::ZERO; n];
    for r in reports {
        for (i, (f, v)) in r.iter().enumerate() {
            out[i] += v.canonical(f.col.kind).unwrap();
        }
    }
    out
}

fn read_total(path: &Path) -> Report {
    let (r, findings) = nianbao::read::read_report(path, "sum.xlsx", &Default::default()).unwrap();
    let errors: Vec<_> = findings.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(nianbao::validate::validate(&r).is_empty());
    r
}

fn canonical(r: &Report) -> Vec<Decimal> {
    r.iter()
        .map(|(f, v)| v.canonical(f.col.kind).unwrap())
        .collect()
}

fn column(path: &Path, sheet: &str, col: u32) -> Vec<String> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    (0..range.end().unwrap().0 + 1)
        .map(|r| match range.get_value((r, col)) {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Float(f)) => f.to_string(),
            _ => String::new(),
        })
        .collect()
}

#[test]
fn totals_exclusions_csv_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    let good = agencies(
        FormatVersion::V2021,
        2023,
        &[
            "云台区教育局",
            "云台区财政局",
            "云台区民政局",
            "云台区司法局",
        ],
        10,
    );
    write_each(&inp, &good);
    let mut bad = consistent_report(FormatVersion::V2021, "云台区审计局", 2023, 99);
    bad.get_mut(TableKey::Requests, "carried_out", "natural_person")
        .unwrap()
        .value += Decimal::ONE;
    write(&inp, "bad.xlsx", &bad);
    std::fs::write(inp.join("broken.xlsx"), b"PK\x03\x04 not really a workbook").unwrap();

    let out = dir.path().join("汇总.xlsx");
    let csv = dir.path().join("明细.csv");
    let assert = nianbao()
        .args(["rollup", "--name", "云台区", "-o"])
        .arg(&out)
        .arg("--csv")
        .arg(&csv)
        .arg(&inp)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("计入 4 个"), "{stderr}");

    let total = read_total(&out);
    assert_eq!(total.meta.agency.as_deref(), Some("云台区"));
    assert_eq!(total.meta.year, Some(2023));
    assert_eq!(canonical(&total), sum(&good.iter().collect::<Vec<_>>()));

    let status = column(&out, "分单位明细", 4);
    let files = column(&out, "分单位明细", 1);
    let of = |name: &str| status[files.iter().position(|f| f.ends_with(name)).unwrap()].clone();
    assert_eq!(of("bad.xlsx"), "有错误，未汇总");
    assert_eq!(of("broken.xlsx"), "无法读取");
    assert_eq!(of("0.xlsx"), "已汇总");
    let rules = column(&out, "校验问题", 1);
    assert!(rules.iter().any(|r| r == "R1"));
    assert!(rules.iter().any(|r| r == "读取"));

    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with('\u{feff}'));
    let region_rows = text
        .lines()
        .filter(|l| l.starts_with("云台区,2023,"))
        .count();
    assert_eq!(region_rows, FormatVersion::V2021.spec().field_count());

    // With --include-invalid the R1 report is counted too.
    let out2 = dir.path().join("汇总2.xlsx");
    nianbao()
        .args(["rollup", "--include-invalid", "--name", "云台区", "-o"])
        .arg(&out2)
        .arg(&inp)
        .assert()
        .code(2);
    let mut all: Vec<&Report> = good.iter().collect();
    all.push(&bad);
    assert_eq!(
        canonical(
            &nianbao::read::read_report(&out2, "x", &Default::default())
                .unwrap()
                .0
        ),
        sum(&all)
    );

    // --strict fails the whole run and writes nothing.
    let out3 = dir.path().join("汇总3.xlsx");
    nianbao()
        .args(["rollup", "--strict", "-o"])
        .arg(&out3)
        .arg(&inp)
        .assert()
        .code(2);
    assert!(!out3.exists());
}

#[test]
fn duplicate_agency_is_never_counted_twice() {
    let dir = tempfile::tempdir().unwrap();
    let r = agencies(
        FormatVersion::V2021,
        2023,
        &["云台区教育局", "云台区财政局"],
        1,
    );
    let a = write(dir.path(), "a.xlsx", &r[0]);
    let b = write(dir.path(), "b.xlsx", &r[1]);
    let mut again = r[1].clone();
    again.meta.agency = Some("云台区 财政局".into()); // the same agency, spelled with a space
    let c = write(dir.path(), "c.xlsx", &again);
    let out = dir.path().join("sum.xlsx");
    nianbao()
        .args(["rollup", "-o"])
        .arg(&out)
        .args([&a, &b, &c])
        .assert()
        .code(1);
    assert_eq!(canonical(&read_total(&out)), sum(&[&r[0]]));
    let status = column(&out, "分单位明细", 4);
    assert_eq!(
        status.iter().filter(|s| *s == "重复报送，未汇总").count(),
        2
    );
    let msgs = column(&out, "校验问题", 5);
    assert!(msgs
        .iter()
        .any(|m| m.contains("重复报送") && m.contains("c.xlsx")));
}

#[test]
fn mixed_versions_and_mixed_years_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.xlsx",
        &consistent_report(FormatVersion::V2021, "甲局", 2021, 1),
    );
    let b = write(
        dir.path(),
        "b.xlsx",
        &consistent_report(FormatVersion::V2019, "乙局", 2021, 2),
    );
    let c = write(
        dir.path(),
        "c.xlsx",
        &consistent_report(FormatVersion::V2021, "丙局", 2022, 3),
    );
    let out = dir.path().join("sum.xlsx");
    let o = nianbao()
        .args(["rollup", "-o"])
        .arg(&out)
        .args([&a, &b])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
    assert!(
        err.contains("2019 版") && err.contains("b.xlsx") && err.contains("a.xlsx"),
        "{err}"
    );
    let o = nianbao()
        .args(["rollup", "-o"])
        .arg(&out)
        .args([&a, &c])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
    assert!(err.contains("2022 年") && err.contains("c.xlsx"), "{err}");
    assert!(!out.exists());
}

#[test]
fn roster_coverage_with_near_miss() {
    let dir = tempfile::tempdir().unwrap();
    let r = agencies(
        FormatVersion::V2021,
        2023,
        &["云台区教育局", "云台区人社局"],
        5,
    );
    let inputs = write_each(dir.path(), &r);
    let roster = dir.path().join("名单.csv");
    std::fs::write(
        &roster,
        "\u{feff}单位名称,区划代码\n云台区教育局,1\n云台区人社局局,2\n云台区交通运输局,3\n",
    )
    .unwrap();
    let out = dir.path().join("sum.xlsx");
    let o = nianbao()
        .args(["rollup", "-o"])
        .arg(&out)
        .arg("--roster")
        .arg(&roster)
        .args(&inputs)
        .assert()
        .code(0);
    let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
    assert!(err.contains("名单中未报送 2 个"), "{err}");
    let status = column(&out, "报送情况", 0);
    let names = column(&out, "报送情况", 1);
    let notes = column(&out, "报送情况", 7);
    let row = |n: &str| names.iter().position(|x| x == n).unwrap();
    assert_eq!(status[row("云台区教育局")], "已报送");
    assert_eq!(status[row("云台区交通运输局")], "未报送");
    assert_eq!(status[row("云台区人社局局")], "未报送");
    assert!(notes[row("云台区人社局局")].contains("云台区人社局"));
    assert!(status.iter().any(|s| s == "名单外"));
}

#[test]
fn cross_year_carried_over_checked_per_agency() {
    let dir = tempfile::tempdir().unwrap();
    let prev_dir = dir.path().join("2022");
    std::fs::create_dir(&prev_dir).unwrap();
    let now = agencies(
        FormatVersion::V2021,
        2023,
        &["云台区教育局", "云台区财政局"],
        3,
    );
    let mut before = agencies(
        FormatVersion::V2021,
        2022,
        &["云台区教育局", "云台区财政局"],
        30,
    );
    // last year's carried_out equals this year's carried_in for 教育局 only
    for c in [
        "natural_person",
        "commercial",
        "research",
        "public_interest",
        "legal_services",
        "other_org",
        "total",
    ] {
        let v = now[0]
            .get(TableKey::Requests, "carried_in", c)
            .unwrap()
            .value;
        before[0]
            .get_mut(TableKey::Requests, "carried_out", c)
            .unwrap()
            .value = v;
    }
    let inputs = write_each(dir.path(), &now);
    write_each(&prev_dir, &before);
    let out = dir.path().join("sum.xlsx");
    nianbao()
        .args(["rollup", "-o"])
        .arg(&out)
        .arg("--previous")
        .arg(&prev_dir)
        .args(&inputs)
        .assert()
        .code(1);
    let files = column(&out, "校验问题", 0);
    let rules = column(&out, "校验问题", 1);
    let x1: Vec<&String> = files
        .iter()
        .zip(&rules)
        .filter(|(_, r)| *r == "X1")
        .map(|(f, _)| f)
        .collect();
    assert!(!x1.is_empty());
    assert!(x1.iter().all(|f| !f.ends_with("0.xlsx")), "{x1:?}");
    assert!(x1.iter().any(|f| f.ends_with("1.xlsx")), "{x1:?}");
}

#[test]
fn rolling_up_county_summaries_equals_rolling_up_their_agencies() {
    let dir = tempfile::tempdir().unwrap();
    let a = agencies(
        FormatVersion::V2019,
        2020,
        &["甲县教育局", "甲县财政局", "甲县民政局"],
        11,
    );
    let b = agencies(
        FormatVersion::V2019,
        2020,
        &["乙县教育局", "乙县财政局"],
        21,
    );
    let (da, db) = (dir.path().join("甲县"), dir.path().join("乙县"));
    std::fs::create_dir(&da).unwrap();
    std::fs::create_dir(&db).unwrap();
    write_each(&da, &a);
    write_each(&db, &b);
    let [sa, sb, city, flat] =
        ["甲县.xlsx", "乙县.xlsx", "市.xlsx", "全部.xlsx"].map(|n| dir.path().join("out").join(n));
    std::fs::create_dir(dir.path().join("out")).unwrap();
    rollup_named("甲县", &sa, [&da]).success();
    rollup_named("乙县", &sb, [&db]).success();
    rollup_named("某市", &city, [&sa, &sb]).success();
    rollup_named("某市", &flat, [&da, &db]).success();
    let all: Vec<&Report> = a.iter().chain(&b).collect();
    assert_eq!(canonical(&read_total(&city)), sum(&all));
    assert_eq!(canonical(&read_total(&city)), canonical(&read_total(&flat)));
    // the city's mark lists the agencies inside its counties' summaries
    assert_eq!(marked_agencies(&city), marked_agencies(&flat));
    assert_eq!(marked_agencies(&city).len(), 5);
    // Same inputs, same bytes.
    let again = dir.path().join("out").join("again.xlsx");
    rollup_named("某市", &again, [&da, &db]).success();
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&flat).unwrap()
    );
}

#[test]
fn output_over_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.xlsx",
        &consistent_report(FormatVersion::V2021, "甲局", 2021, 1),
    );
    let before = std::fs::read(&a).unwrap();
    nianbao()
        .args(["rollup", "-o"])
        .arg(&a)
        .arg(&a)
        .assert()
        .code(2);
    assert_eq!(std::fs::read(&a).unwrap(), before);
}

/// The per-agency sheet written while the files are read is the one written afterwards from the
/// spool, cell for cell — also when the first files cannot give the sheet its columns (an
/// unreadable file, a report without a year), and when a duplicate found at the end changes
/// standings already written.
#[test]
fn per_agency_rows_written_while_reading_equal_those_written_after() {
    use nianbao::read::{read_grid, Limits};
    use nianbao::rollup::{run, RollupJob, RollupOptions};
    use nianbao::write::summary::{write_summary, SummaryWriter};

    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    std::fs::write(inp.join("0_broken.xlsx"), b"PK\x03\x04 not a workbook").unwrap();
    let mut yearless = consistent_report(FormatVersion::V2021, "云台区统计局", 2023, 7);
    yearless.meta.year = None;
    write(&inp, "1_yearless.xlsx", &yearless);
    let names = ["云台区教育局", "云台区财政局", "云台区民政局"];
    for (i, r) in agencies(FormatVersion::V2021, 2023, &names, 30)
        .iter()
        .enumerate()
    {
        write(&inp, &format!("{}_{i}.xlsx", i + 2), r);
    }
    let sheets = |with_duplicate: bool| {
        if with_duplicate {
            let again = consistent_report(FormatVersion::V2021, names[0], 2023, 31);
            write(&inp, "9_again.xlsx", &again);
        }
        let found = nianbao::batch::collect_inputs(std::slice::from_ref(&inp)).unwrap();
        let files = found.files.clone();
        // the roll-up's year, so that the yearless report is counted while reading
        let opts = RollupOptions {
            name: "云台区".into(),
            chunk: 2,
            year: Some(2023),
            ..Default::default()
        };
        let (streamed, after) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
        let mut writer = SummaryWriter::create(&streamed, &found.reads).unwrap();
        let job = RollupJob {
            files: files.iter().cloned().map(Into::into).collect(),
            options: opts.clone(),
            ..Default::default()
        };
        let outcome = run(&job, &mut [&mut writer], &|_| {}).unwrap();
        assert!(outcome.written);
        assert_eq!(outcome.rollup.standings_changed, with_duplicate);
        let mut r = run(&job, &mut [], &|_| {}).unwrap().rollup;
        write_summary(&mut r, &[], &after, &found.reads).unwrap();

        let read = |p: &Path| read_grid(p, "x", &Limits::default()).unwrap().sheets;
        (read(&streamed), read(&after))
    };
    for with_duplicate in [false, true] {
        let (streamed, after) = sheets(with_duplicate);
        assert_eq!(streamed, after);
        let detail = &streamed[1];
        assert_eq!(detail.name, "分单位明细");
        // header, key row, 5 or 6 files, totals
        let rows = detail.cells.keys().map(|k| k.0).max().unwrap() + 1;
        assert_eq!(rows, if with_duplicate { 9 } else { 8 });
        assert_eq!(detail.text(2, 4).as_deref(), Some("无法读取"));
        assert_eq!(detail.text(3, 4).as_deref(), Some("已汇总"));
        assert!(
            detail.get(3, 8).is_some(),
            "a yearless report's values are listed"
        );
        let dup = if with_duplicate {
            "重复报送，未汇总"
        } else {
            "已汇总"
        };
        assert_eq!(detail.text(4, 4).as_deref(), Some(dup));
    }
}

/// A report of the other format version whose year is unknown is listed, not counted, and its
/// numbers are not written under the columns of the roll-up's version.
#[test]
fn a_yearless_report_of_the_other_version_lists_no_numbers() {
    use nianbao::read::{read_grid, Limits};

    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    write_each(
        &inp,
        &agencies(
            FormatVersion::V2021,
            2023,
            &["云台区教育局", "云台区财政局"],
            3,
        ),
    );
    let mut old = consistent_report(FormatVersion::V2019, "云台区统计局", 2020, 9);
    old.meta.year = None;
    write(&inp, "9_old.xlsx", &old);
    let out = dir.path().join("sum.xlsx");
    nianbao()
        .args(["rollup", "-o"])
        .arg(&out)
        .arg(&inp)
        .assert()
        .code(1);
    let sheets = read_grid(&out, "sum.xlsx", &Limits::default())
        .unwrap()
        .sheets;
    let detail = &sheets[1];
    assert_eq!(
        detail.text(4, 1).as_deref(),
        Some(inp.join("9_old.xlsx").to_str().unwrap())
    );
    assert_eq!(detail.text(4, 2).as_deref(), Some("2019"));
    assert_eq!(detail.text(4, 4).as_deref(), Some("年度未知，未汇总"));
    assert!(
        detail.cells.range((4, 8)..(4, u32::MAX)).next().is_none(),
        "no numbers under the 2021 columns"
    );
    assert!(
        detail.get(3, 8).is_some(),
        "a 2021 report's numbers are there"
    );
}

/// The help of a cross-year finding names the CLI's flag, which the CLI, not the library, words.
#[test]
fn a_previous_report_of_the_wrong_year_asks_for_previous_in_the_clis_words() {
    let dir = tempfile::tempdir().unwrap();
    let prev_dir = dir.path().join("2021");
    std::fs::create_dir(&prev_dir).unwrap();
    let names = ["云台区教育局", "云台区财政局"];
    let inputs = write_each(dir.path(), &agencies(FormatVersion::V2021, 2023, &names, 3));
    write_each(&prev_dir, &agencies(FormatVersion::V2021, 2021, &names, 30));
    let out = dir.path().join("sum.xlsx");
    nianbao()
        .args(["rollup", "-o"])
        .arg(&out)
        .arg("--previous")
        .arg(&prev_dir)
        .args(&inputs)
        .assert()
        .code(0);
    let rules = column(&out, "校验问题", 1);
    let help = column(&out, "校验问题", 6);
    let x1: Vec<&String> = rules
        .iter()
        .zip(&help)
        .filter(|(r, _)| *r == "X1")
        .map(|(_, h)| h)
        .collect();
    assert_eq!(x1.len(), 3, "{x1:?}"); // each agency and the region's total
    assert!(
        x1.iter()
            .all(|h| *h == "请用 --previous 提供上一年度的报表。"),
        "{x1:?}"
    );
}

/// The roll-up as a library call with the outputs in memory (as a web page would make it): the
/// verdict, the tally, and `strict` leaving every sink unfinished.
#[test]
fn a_rollup_into_memory_and_the_strict_policy() {
    use nianbao::batch::Verdict;
    use nianbao::rollup::{run, RollupJob, RollupOptions};
    use nianbao::write::csv::RollupCsv;
    use nianbao::write::summary::SummaryWriter;
    use nianbao::write::target::Target;

    let dir = tempfile::tempdir().unwrap();
    let good = agencies(FormatVersion::V2021, 2023, &["甲局", "乙局"], 1);
    let mut files = write_each(dir.path(), &good);
    let mut job = RollupJob {
        files: files.iter().cloned().map(Into::into).collect(),
        options: RollupOptions {
            name: "某区".into(),
            chunk: 1,
            ..Default::default()
        },
        strict: true,
        ..Default::default()
    };
    let (mut xlsx, mut csv) = (
        SummaryWriter::new(Target::memory()).unwrap(),
        RollupCsv::new(Target::memory()).unwrap(),
    );
    let o = run(&job, &mut [&mut xlsx, &mut csv], &|_| {}).unwrap();
    assert_eq!(
        (o.verdict, o.written, o.tally.counted),
        (Verdict::Clean, true, 2)
    );
    let csv = String::from_utf8(csv.into_target().into_bytes().unwrap()).unwrap();
    let region = csv.lines().filter(|l| l.starts_with("某区,2023,")).count();
    assert_eq!(region, FormatVersion::V2021.spec().field_count());
    let xlsx = xlsx.into_target().into_bytes().unwrap();
    let wb = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    assert_eq!(wb.sheet_names()[0], nianbao::write::summary::TOTAL_SHEET);

    // One unreadable file: strict writes nothing, the verdict says why.
    std::fs::write(dir.path().join("broken.xlsx"), b"PK\x03\x04 no").unwrap();
    files.push(dir.path().join("broken.xlsx"));
    job.files = files.into_iter().map(Into::into).collect();
    let (mut xlsx, mut csv) = (
        SummaryWriter::new(Target::memory()).unwrap(),
        RollupCsv::new(Target::memory()).unwrap(),
    );
    let o = run(&job, &mut [&mut xlsx, &mut csv], &|_| {}).unwrap();
    assert_eq!((o.verdict, o.written), (Verdict::Unreadable, false));
    assert_eq!((o.tally.unreadable, o.tally.counted), (1, 2));
    let csv = csv.into_target().into_bytes().unwrap();
    assert!(
        !String::from_utf8(csv).unwrap().contains("某区,2023,"),
        "no region rows: the CSV was not finished"
    );
    assert!(xlsx.into_target().into_bytes().unwrap().is_empty());
}

/// Issue 13: two workbooks with numbers near the largest `Decimal` crashed the roll-up
/// ("Addition overflowed" in the totals). Now each such number is an R5 "数值过大" of its file,
/// summed as unknown; the roll-up finishes, with or without `--include-invalid`.
#[test]
fn huge_numbers_do_not_crash_the_rollup() {
    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    let huge: Decimal = "50000000000000000000000000000".parse().unwrap();
    for (i, mut r) in agencies(FormatVersion::V2021, 2023, &["甲局", "乙局"], 40)
        .into_iter()
        .enumerate()
    {
        // a field that no equation holds, so each file has only the one finding
        r.get_mut(TableKey::Proactive, "regulations", "issued")
            .unwrap()
            .value = huge;
        write(&inp, &format!("{i}.xlsx"), &r);
    }
    for extra in [&[][..], &["--include-invalid"][..]] {
        let out = dir.path().join("sum.xlsx");
        let csv = dir.path().join("sum.csv");
        let assert = nianbao()
            .arg("rollup")
            .args(extra)
            .args(["--name", "某区", "-o"])
            .arg(&out)
            .arg("--csv")
            .arg(&csv)
            .arg(&inp)
            .assert()
            .code(1);
        let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            stdout.contains("数值过大") || stderr.contains("数值过大") || out.exists(),
            "{stdout}{stderr}"
        );
        assert!(out.exists() && csv.exists());
    }
}

/// `--csv` writes only a `.csv`: a workbook-looking name is refused before anything is read or
/// written.
#[test]
fn csv_output_must_be_named_csv() {
    let dir = tempfile::tempdir().unwrap();
    let r = consistent_report(FormatVersion::V2021, "云台区教育局", 2023, 3);
    let input = write(dir.path(), "0.xlsx", &r);
    let out = dir.path().join("汇总.xlsx");
    let csv = dir.path().join("明细.xlsx");
    let assert = nianbao()
        .args(["rollup", "-o"])
        .arg(&out)
        .arg("--csv")
        .arg(&csv)
        .arg(&input)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains(".csv"), "{stderr}");
    assert!(!out.exists() && !csv.exists());
}

/// A missing output folder or roster is one Chinese line naming the path and what is wrong:
/// no English operating-system text, nothing said twice (it printed both before).
#[test]
fn io_errors_are_one_chinese_line() {
    let dir = tempfile::tempdir().unwrap();
    let r = consistent_report(FormatVersion::V2021, "云台区教育局", 2023, 3);
    let input = write(dir.path(), "0.xlsx", &r);
    let missing = dir.path().join("没有这个文件夹");
    let cases: [Vec<std::ffi::OsString>; 3] = [
        vec![
            "rollup".into(),
            "-o".into(),
            missing.join("汇总.xlsx").into(),
            input.clone().into(),
        ],
        vec![
            "rollup".into(),
            "-o".into(),
            dir.path().join("汇总.xlsx").into(),
            "--roster".into(),
            missing.join("名单.csv").into(),
            input.clone().into(),
        ],
        vec![
            "convert".into(),
            input.clone().into(),
            "-o".into(),
            missing.join("x.csv").into(),
        ],
    ];
    for args in cases {
        let out = nianbao().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let line = stderr
            .lines()
            .find(|l| l.starts_with("错误："))
            .unwrap_or_else(|| panic!("{stderr}"));
        assert!(
            line.contains("没有这个文件夹") && line.contains("不存在"),
            "{line}"
        );
        assert!(
            !line.contains("os error") && !line.contains("No such file"),
            "{line}"
        );
        assert_eq!(line.matches("不存在").count(), 1, "said once: {line}");
    }
}

/// The agencies a summary's mark says it counted.
fn marked_agencies(summary: &Path) -> Vec<String> {
    let marked = nianbao::read::read_mark(summary, &Default::default()).expect("marked");
    assert_eq!(marked.mark.kind, nianbao::model::MarkKind::Summary);
    assert!(marked.untouched);
    marked.mark.agencies.expect("a whole list")
}

/// Issue 10, each report counted once: rolling up a folder again into itself, with the earlier
/// outputs (summary and CSV) inside it, replaces them and gives the same totals and exit code;
/// rolling it up into another name there skips the earlier summary, saying so, instead of
/// counting it as one more agency.
#[test]
fn rolling_up_the_same_folder_again_gives_the_same_totals() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("某区");
    std::fs::create_dir(&d).unwrap();
    let names = ["某区教育局", "某区财政局", "某区民政局"];
    let reports = agencies(FormatVersion::V2021, 2023, &names, 40);
    write_each(&d, &reports);
    let all: Vec<&Report> = reports.iter().collect();
    let (out, csv, v2) = (
        d.join("汇总.xlsx"),
        d.join("明细.csv"),
        d.join("汇总v2.xlsx"),
    );
    let run = |out: &Path| {
        let o = nianbao()
            .args(["rollup", "--name", "某区", "-o"])
            .arg(out)
            .arg("--csv")
            .arg(&csv)
            .arg(&d)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(0), "{stderr}");
        stderr
    };
    run(&out);
    assert_eq!(canonical(&read_total(&out)), sum(&all));
    let first_csv = std::fs::read(&csv).unwrap();

    // the same command again: the earlier outputs are replaced, not read
    let stderr = run(&out);
    assert!(
        stderr.contains("已跳过") && stderr.contains("汇总.xlsx"),
        "{stderr}"
    );
    assert_eq!(canonical(&read_total(&out)), sum(&all));
    assert_eq!(std::fs::read(&csv).unwrap(), first_csv);

    // into another name: the earlier summary is skipped as an earlier output, named
    let stderr = run(&v2);
    let skipped: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("以前写出的本区域汇总表"))
        .collect();
    assert_eq!(skipped.len(), 1, "{stderr}");
    assert!(skipped[0].contains(&out.display().to_string()), "{stderr}");
    assert_eq!(canonical(&read_total(&v2)), sum(&all));
    assert_eq!(marked_agencies(&v2), names);
    let standings = column(&v2, "分单位明细", 4);
    assert!(
        standings.iter().any(|s| s == "以前的汇总输出，未汇总"),
        "{standings:?}"
    );

    // earlier summaries too large to read (here: more sheets than allowed, as a summary of
    // thousands of agencies has more cells) are still known by their mark: skipped, not
    // unreadable
    let v3 = dir.path().join("汇总v3.xlsx");
    let o = nianbao()
        .args(["rollup", "--name", "某区", "--max-sheets", "4", "-o"])
        .arg(&v3)
        .arg(&d)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr.matches("以前写出的本区域汇总表").count(),
        2,
        "{stderr}"
    );
    assert_eq!(canonical(&read_total(&v3)), sum(&all));
}

/// Issue 10: a county's summary rolled up together with agencies it already contains is an
/// error (B2) naming the summary and the agencies found twice; each report is counted once (the
/// summary counts them), so the total is still the sum of every agency.
#[test]
fn a_summary_mixed_with_its_own_agencies_is_an_error_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let county = dir.path().join("甲县");
    let mix = dir.path().join("市");
    std::fs::create_dir(&county).unwrap();
    std::fs::create_dir(&mix).unwrap();
    let inside = agencies(
        FormatVersion::V2021,
        2023,
        &["甲县教育局", "甲县财政局", "甲县民政局"],
        60,
    );
    write_each(&county, &inside);
    let summary = mix.join("甲县汇总.xlsx");
    rollup_named("甲县", &summary, [&county]).success();
    // two of its agencies again, and one agency of the city itself
    write(&mix, "a.xlsx", &inside[0]);
    write(&mix, "b.xlsx", &inside[1]);
    let own = consistent_report(FormatVersion::V2021, "某市统计局", 2023, 70);
    write(&mix, "c.xlsx", &own);

    let out = dir.path().join("市汇总.xlsx");
    rollup_named("某市", &out, [&mix]).code(1);
    let all: Vec<&Report> = inside.iter().chain([&own]).collect();
    assert_eq!(canonical(&read_total(&out)), sum(&all));

    let rules = column(&out, "校验问题", 1);
    let messages = column(&out, "校验问题", 5);
    let b2: Vec<&String> = rules
        .iter()
        .zip(&messages)
        .filter(|(r, _)| *r == "B2")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(b2.len(), 1, "{rules:?}");
    for name in ["甲县教育局", "甲县财政局", "a.xlsx", "b.xlsx"] {
        assert!(b2[0].contains(name), "{name}: {}", b2[0]);
    }
    assert!(!b2[0].contains("甲县民政局"), "{}", b2[0]);
    let files = column(&out, "校验问题", 0);
    let at = rules.iter().position(|r| r == "B2").unwrap();
    assert!(files[at].ends_with("甲县汇总.xlsx"), "{}", files[at]);
    let standings = column(&out, "分单位明细", 4);
    assert_eq!(
        standings
            .iter()
            .filter(|s| *s == "已含在汇总表中，未单独汇总")
            .count(),
        2,
        "{standings:?}"
    );
    // the city's mark lists every agency once
    let mut marked = marked_agencies(&out);
    marked.sort();
    let mut expected: Vec<String> = all.iter().filter_map(|r| r.meta.agency.clone()).collect();
    expected.sort();
    assert_eq!(marked, expected);
}

/// A copy of the xlsx `src` at `dst` with `from` replaced by `to` in every part.
fn replace_in_xlsx(src: &Path, dst: &Path, from: &str, to: &str) {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    let mut replaced = false;
    for k in 0..zin.len() {
        let mut e = zin.by_index(k).unwrap();
        let name = e.name().unwrap().to_string();
        let mut body = Vec::new();
        e.read_to_end(&mut body).unwrap();
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        match String::from_utf8(body) {
            Ok(text) => {
                replaced |= text.contains(from);
                zout.write_all(text.replace(from, to).as_bytes()).unwrap()
            }
            Err(e) => zout.write_all(e.as_bytes()).unwrap(),
        }
    }
    zout.finish().unwrap();
    assert!(replaced, "{from}");
}

/// A summary whose agency list an editor cut short is not taken at its word: its agencies are
/// read from its per-agency sheet (the rows counted), and it is still found mixed with them.
#[test]
fn a_cut_agency_list_is_read_from_the_per_agency_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let county = dir.path().join("乙县");
    std::fs::create_dir(&county).unwrap();
    let names = ["乙县教育局", "乙县财政局", "乙县民政局"];
    let inside = agencies(FormatVersion::V2019, 2020, &names, 80);
    write_each(&county, &inside);
    // one more file there that is not counted
    let mut bad = consistent_report(FormatVersion::V2019, "乙县审计局", 2020, 90);
    bad.get_mut(TableKey::Requests, "carried_out", "natural_person")
        .unwrap()
        .value += Decimal::ONE;
    write(&county, "bad.xlsx", &bad);
    let whole = dir.path().join("whole.xlsx");
    rollup_named("乙县", &whole, [&county]).code(1);
    let mix = dir.path().join("mix");
    std::fs::create_dir(&mix).unwrap();
    let cut = mix.join("乙县汇总.xlsx");
    replace_in_xlsx(&whole, &cut, "乙县民政局</vt:lpwstr>", "</vt:lpwstr>");
    let (report, _) = nianbao::read::read_report(&cut, "cut", &Default::default()).unwrap();
    let mark = report.mark.expect("marked");
    assert_eq!(mark.agencies.unwrap(), names);

    write(&mix, "a.xlsx", &inside[2]);
    let out = dir.path().join("out.xlsx");
    rollup_named("某市", &out, [&mix]).code(1);
    let rules = column(&out, "校验问题", 1);
    assert!(rules.iter().any(|r| r == "B2"), "{rules:?}");
    let all: Vec<&Report> = inside.iter().collect();
    assert_eq!(canonical(&read_total(&out)), sum(&all));
}

/// A report as an agency would send it without saying who or which year: the template's title
/// and 填报单位 / 统计年度 cells left empty.
fn unnamed(version: FormatVersion, seed: u64) -> Report {
    let mut r = consistent_report(version, "无名局", 2023, seed);
    r.meta.agency = None;
    r.meta.year = None;
    r
}

/// The 校验问题 rows of `file`: (rule, message).
fn issues_of(sum: &Path, file: &str) -> Vec<(String, String)> {
    let (files, rules, messages) = (
        column(sum, "校验问题", 0),
        column(sum, "校验问题", 1),
        column(sum, "校验问题", 5),
    );
    files
        .iter()
        .zip(rules.iter().zip(messages))
        .filter(|(f, _)| f.ends_with(file))
        .map(|(_, (r, m))| (r.clone(), m))
        .collect()
}

/// Issue 10: files that state no year. Without `--year`, a batch whose files state one year
/// gives it to the others (a warning each) and counts them; the agency comes from the file
/// name (with a warning). With `--year`, a yearless file is taken as of that year and a file
/// that states another year is an error (B3) naming its cell, never counted.
#[test]
fn the_batch_year_and_rollup_year() {
    let dir = tempfile::tempdir().unwrap();
    let stated = consistent_report(FormatVersion::V2021, "甲局", 2023, 1);
    let a = write(dir.path(), "a.xlsx", &stated);
    let yearless = unnamed(FormatVersion::V2021, 2);
    let b = write(dir.path(), "03_教育局.xlsx", &yearless);
    let out = dir.path().join("sum.xlsx");

    // no --year: the batch's one year, with a warning
    rollup_named("某区", &out, [&a, &b]).code(0);
    let total = read_total(&out);
    assert_eq!(total.meta.year, Some(2023));
    assert_eq!(canonical(&total), sum(&[&stated, &yearless]));
    let agencies = column(&out, "分单位明细", 0);
    assert!(agencies.iter().any(|a| a == "教育局"), "{agencies:?}");
    let notes = issues_of(&out, "03_教育局.xlsx");
    assert!(
        notes
            .iter()
            .any(|(r, m)| r == "I9" && m.contains("按本次汇总其他报表的年度 2023 年计入")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|(r, m)| r == "I9" && m.contains("按文件名取为“教育局”")),
        "{notes:?}"
    );

    // --year 2023, with last year's report among them: B3 naming its cell, not counted even
    // with --include-invalid; the yearless file is taken as 2023 with a note
    let old = write(
        dir.path(),
        "c.xlsx",
        &consistent_report(FormatVersion::V2021, "丙局", 2022, 3),
    );
    for include_invalid in [false, true] {
        let mut cmd = nianbao();
        cmd.args(["rollup", "--name", "某区", "--year", "2023", "-o"])
            .arg(&out)
            .args([&a, &b, &old]);
        if include_invalid {
            cmd.arg("--include-invalid");
        }
        cmd.assert().code(1);
        assert_eq!(
            canonical(&read_total(&out)),
            sum(&[&stated, &yearless]),
            "{include_invalid}"
        );
        let b2 = issues_of(&out, "c.xlsx");
        assert!(
            b2.iter().any(|(r, m)| r == "B3"
                && m.contains("2022 年")
                && m.contains("汇总年度 2023 年")
                && m.contains("单元格 '统计表'!")),
            "{b2:?}"
        );
        let notes = issues_of(&out, "03_教育局.xlsx");
        assert!(
            notes
                .iter()
                .any(|(r, m)| r == "I9" && m.contains("按汇总年度 2023 年计入")),
            "{notes:?}"
        );
    }

    // --year of which there is no report: refused, saying which years there are
    let o = nianbao()
        .args(["rollup", "--year", "2024", "-o"])
        .arg(dir.path().join("none.xlsx"))
        .args([&a, &old])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
    assert!(
        err.contains("没有 2024 年的报表") && err.contains("2022 年") && err.contains("c.xlsx"),
        "{err}"
    );
}

/// Issue 10: a report whose agency no source names is reported (I9) and counted on its own:
/// two of them are not duplicates of each other.
#[test]
fn reports_without_an_agency_are_never_merged() {
    let dir = tempfile::tempdir().unwrap();
    let mut reports = Vec::new();
    let mut files = Vec::new();
    for (i, name) in ["01.xlsx", "02.xlsx"].into_iter().enumerate() {
        let mut r = consistent_report(FormatVersion::V2021, "x", 2023, 10 + i as u64);
        r.meta.agency = None;
        files.push(write(dir.path(), name, &r));
        reports.push(r);
    }
    let out = dir.path().join("sum.xlsx");
    nianbao()
        .args(["rollup", "-o"])
        .arg(&out)
        .args(&files)
        .assert()
        .code(0);
    assert_eq!(
        canonical(&read_total(&out)),
        sum(&reports.iter().collect::<Vec<_>>())
    );
    for f in ["01.xlsx", "02.xlsx"] {
        let issues = issues_of(&out, f);
        assert!(
            issues
                .iter()
                .any(|(r, m)| r == "I9" && m.contains("未找到单位名称")),
            "{f}: {issues:?}"
        );
        assert!(issues.iter().all(|(r, _)| r != "B1"), "{f}: {issues:?}");
    }
    // the help names what rollup has: --year, not convert's --agency
    let helps: Vec<String> = column(&out, "校验问题", 1)
        .iter()
        .zip(column(&out, "校验问题", 6))
        .filter(|(r, _)| *r == "I9")
        .map(|(_, h)| h)
        .collect();
    assert!(!helps.is_empty());
    for h in &helps {
        assert!(h.contains("--year") && !h.contains("--agency"), "{h}");
    }
}

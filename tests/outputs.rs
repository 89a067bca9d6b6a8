//! Issue 13, "outputs that destroy inputs": every path a command reads is protected from every
//! path it writes (by identity: spellings, symbolic and hard links); a killed run leaves no
//! temporary file beside its output and what an earlier one left is cleaned up; a symbolic-link
//! loop in an input folder is skipped with a warning; a roster is read only from a regular file,
//! and its undecodable lines are named.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use assert_cmd::Command;
use nianbao::model::synthetic::consistent_report;
use nianbao::model::FormatVersion;
use nianbao::write::template;

fn nianbao() -> Command {
    let mut c = Command::cargo_bin("nianbao").unwrap();
    c.timeout(Duration::from_secs(60));
    c
}

fn workbook(path: &Path, agency: &str, year: u16, seed: u64) {
    let r = consistent_report(FormatVersion::V2021, agency, year, seed);
    template::write_report(&r, &[], &Default::default(), path, &Default::default()).unwrap();
}

/// A roll-up's inputs: `in/` with two agencies' workbooks and a note that is no workbook,
/// `prev.xlsx` and `prev/` with last year's, and a roster.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir(p.join("in")).unwrap();
        workbook(&p.join("in/0.xlsx"), "云台区教育局", 2023, 1);
        workbook(&p.join("in/1.xlsx"), "云台区财政局", 2023, 2);
        std::fs::write(p.join("in/说明.csv"), "不是工作簿\n").unwrap();
        workbook(&p.join("prev.xlsx"), "云台区教育局", 2022, 3);
        std::fs::create_dir(p.join("prev")).unwrap();
        workbook(&p.join("prev/a.xlsx"), "云台区财政局", 2022, 4);
        std::fs::write(
            p.join("roster.csv"),
            "单位名称\n云台区教育局\n云台区财政局\n",
        )
        .unwrap();
        Setup { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `nianbao rollup in/ --previous prev.xlsx --previous prev/ --roster roster.csv` and `extra`.
    fn rollup(&self, extra: &[&str]) -> Command {
        let mut c = nianbao();
        c.current_dir(self.dir.path())
            .args([
                "rollup",
                "in",
                "--previous",
                "prev.xlsx",
                "--previous",
                "prev",
            ])
            .args(["--roster", "roster.csv"])
            .args(extra);
        c
    }
}

/// Run `cmd`, expect it to write its outputs (exit 0, or 1 for cross-year findings between
/// the generated years), and return its stderr.
fn written(mut cmd: Command) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    assert!(stderr.contains("已写出"), "{stderr}");
    stderr
}

/// Run `cmd`, expect it refused (exit 2) naming `output` and `input`, and `protected` unchanged.
fn refused(mut cmd: Command, output: &str, input: &str, protected: &Path) {
    let before = std::fs::read(protected).unwrap();
    let out = cmd.assert().code(2).get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("拒绝覆盖"), "{stderr}");
    assert!(
        stderr.contains(output) && stderr.contains(input),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert_eq!(
        std::fs::read(protected).unwrap(),
        before,
        "{}",
        protected.display()
    );
}

#[test]
fn rollup_refuses_every_output_that_is_a_path_it_reads() {
    let s = Setup::new();
    // -o is last year's summary given as a file…
    refused(
        s.rollup(&["-o", "prev.xlsx"]),
        "prev.xlsx",
        "prev.xlsx",
        &s.path("prev.xlsx"),
    );
    // …or a file inside a folder of last year's.
    refused(
        s.rollup(&["-o", "prev/a.xlsx"]),
        "prev/a.xlsx",
        "a.xlsx",
        &s.path("prev/a.xlsx"),
    );
    // --csv is the roster.
    refused(
        s.rollup(&["-o", "汇总.xlsx", "--csv", "roster.csv"]),
        "roster.csv",
        "roster.csv",
        &s.path("roster.csv"),
    );
    // --csv is a file in an input folder that is no workbook.
    refused(
        s.rollup(&["-o", "汇总.xlsx", "--csv", "in/说明.csv"]),
        "in/说明.csv",
        "说明.csv",
        &s.path("in/说明.csv"),
    );
    // -o is an input, spelled differently…
    refused(
        s.rollup(&["-o", "./prev/../in/0.xlsx"]),
        "./prev/../in/0.xlsx",
        "0.xlsx",
        &s.path("in/0.xlsx"),
    );
    // …or through a symbolic link.
    std::os::unix::fs::symlink(s.path("in/1.xlsx"), s.path("link.xlsx")).unwrap();
    refused(
        s.rollup(&["-o", "link.xlsx"]),
        "link.xlsx",
        "1.xlsx",
        &s.path("in/1.xlsx"),
    );
    assert!(!s.path("汇总.xlsx").exists());
    // And a roll-up that overwrites nothing is written.
    written(s.rollup(&["-o", "汇总.xlsx", "--csv", "明细.csv"]));
    assert!(s.path("汇总.xlsx").is_file() && s.path("明细.csv").is_file());
}

#[test]
fn convert_refuses_a_hard_link_to_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("报表.xlsx");
    workbook(&input, "云台区教育局", 2023, 5);
    let link = dir.path().join("副本.xlsx");
    std::fs::hard_link(&input, &link).unwrap();
    let mut cmd = nianbao();
    cmd.arg("convert").arg(&input).arg("-o").arg(&link);
    refused(cmd, "副本.xlsx", "报表.xlsx", &input);
    let mut cmd = nianbao();
    cmd.arg("convert")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("副本.json"));
    cmd.assert().code(0);
}

/// A temporary file named as nianbao names them, last modified `age` ago.
fn temporary(dir: &Path, name: &str, age: Duration) -> PathBuf {
    let p = dir.join(name);
    let f = std::fs::File::create(&p).unwrap();
    f.set_modified(SystemTime::now() - age).unwrap();
    p
}

fn temporaries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".nianbao-"))
        .collect();
    v.sort();
    v
}

#[test]
fn stale_temporaries_beside_the_output_are_removed_fresh_ones_kept() {
    let s = Setup::new();
    let out = s.path("out");
    std::fs::create_dir(&out).unwrap();
    let day = Duration::from_secs(24 * 3600);
    temporary(&out, ".nianbao-Ab12Cd.tmp", 2 * day);
    temporary(&out, ".nianbao-123-Ab12Cd.tmp", 2 * day);
    // Made a minute ago by a process that may still be running (or another machine's).
    temporary(&out, ".nianbao-Xy34Zw.tmp", Duration::from_secs(60));
    // Not ours: the same age, another name.
    temporary(&out, "nianbao-old.tmp", 2 * day);
    written(s.rollup(&["-o", "out/汇总.xlsx", "--csv", "out/明细.csv"]));
    assert_eq!(temporaries(&out), vec![".nianbao-Xy34Zw.tmp"]);
    assert!(out.join("nianbao-old.tmp").exists());
    assert!(out.join("汇总.xlsx").is_file() && out.join("明细.csv").is_file());
}

/// A roll-up's outputs have no named file beside them while the files are read: a run killed
/// then (the long part of a 2,000-file roll-up) leaves nothing in the output's directory.
#[test]
fn nothing_is_left_beside_the_outputs_while_the_files_are_read() {
    use nianbao::rollup::{run, Detail, Head, Rollup, RollupJob, RollupOptions, RollupSink};
    use nianbao::rollup::{ReportEncoder, SinkError};
    use nianbao::write::summary::RollupFiles;

    /// The roll-up's own outputs, with the output directory listed at every file.
    struct Watch<'a> {
        files: &'a mut RollupFiles,
        dir: PathBuf,
        seen: Vec<Vec<String>>,
    }
    impl RollupSink for Watch<'_> {
        fn encoder(&self) -> Option<ReportEncoder> {
            self.files.csv.as_ref().and_then(|c| c.encoder())
        }
        fn file(&mut self, h: &Head, d: Option<&Detail>, e: &[u8]) -> Result<(), SinkError> {
            self.files.summary.file(h, d, &[])?;
            if let Some(csv) = &mut self.files.csv {
                csv.file(h, d, e)?;
            }
            let names = std::fs::read_dir(&self.dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            self.seen.push(names);
            Ok(())
        }
        fn finish(
            &mut self,
            r: &mut Rollup,
            c: &[nianbao::rollup::roster::CoverageRow],
        ) -> Result<(), SinkError> {
            for s in self.files.sinks() {
                s.finish(r, c)?;
            }
            Ok(())
        }
        fn commit(&mut self) -> Result<(), SinkError> {
            for s in self.files.sinks() {
                s.commit()?;
            }
            Ok(())
        }
    }

    let s = Setup::new();
    let out = s.path("out");
    std::fs::create_dir(&out).unwrap();
    let job = RollupJob {
        files: vec![s.path("in/0.xlsx").into(), s.path("in/1.xlsx").into()],
        options: RollupOptions {
            name: "云台区".into(),
            chunk: 1,
            ..Default::default()
        },
        ..Default::default()
    };
    let (summary, csv) = (out.join("汇总.xlsx"), out.join("明细.csv"));
    let mut files = RollupFiles::create(&summary, Some(&csv), &job.read_set()).unwrap();
    let mut watch = Watch {
        files: &mut files,
        dir: out.clone(),
        seen: Vec::new(),
    };
    let outcome = run(&job, &mut [&mut watch], &|_| {}).unwrap();
    assert!(outcome.written);
    assert_eq!(watch.seen.len(), 2);
    for names in &watch.seen {
        assert!(names.is_empty(), "while reading: {names:?}");
    }
    assert!(summary.is_file() && csv.is_file());
    assert!(temporaries(&out).is_empty());
}

#[test]
fn a_symlink_loop_in_an_input_folder_is_skipped_with_a_warning() {
    let s = Setup::new();
    std::os::unix::fs::symlink(s.path("in"), s.path("in/循环")).unwrap();
    let out = nianbao()
        .current_dir(s.dir.path())
        .args(["check", "in"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stderr.contains("已跳过") && stderr.contains("循环") && stderr.contains("符号链接循环"),
        "{stderr}"
    );
    assert!(
        stdout.contains("0.xlsx") && stdout.contains("1.xlsx"),
        "{stdout}"
    );
    // The roll-up goes on too, with the loop reported (also one under last year's folder).
    std::os::unix::fs::symlink(s.path("prev"), s.path("prev/回环")).unwrap();
    let stderr = written(s.rollup(&["-o", "汇总.xlsx"]));
    assert!(
        stderr.contains("循环") && stderr.contains("回环"),
        "{stderr}"
    );
    assert!(stderr.contains("计入 2 个"), "{stderr}");
}

#[test]
fn a_roster_with_undecodable_bytes_is_read_with_its_lines_named() {
    let s = Setup::new();
    let mut bytes = encoding_rs::GBK
        .encode("单位名称\n云台区教育局\n")
        .0
        .into_owned();
    bytes.extend_from_slice(b"\xfe\xff\xfe\n");
    bytes.extend_from_slice(&encoding_rs::GBK.encode("云台区财政局\n").0);
    std::fs::write(s.path("roster.csv"), bytes).unwrap();
    let stderr = written(s.rollup(&["-o", "汇总.xlsx"]));
    assert!(
        stderr.contains("roster.csv") && stderr.contains("第 3 行"),
        "{stderr}"
    );
    // Both agencies on it were still matched; only the damaged line is not.
    assert!(stderr.contains("名单中未报送 1 个"), "{stderr}");
}

#[test]
fn a_roster_that_is_a_fifo_is_refused_not_waited_on() {
    let s = Setup::new();
    let fifo = s.path("名单.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|st| st.success()), "mkfifo");
    let mut cmd = nianbao();
    cmd.current_dir(s.dir.path())
        .args(["rollup", "in", "-o", "汇总.xlsx", "--roster", "名单.csv"])
        .timeout(Duration::from_secs(20));
    let out = cmd.assert().code(2).get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("名单.csv") && stderr.contains("FIFO"),
        "{stderr}"
    );
    assert!(!s.path("汇总.xlsx").exists());
}

/// Run `cmd`, expect it refused (exit 2) in one Chinese line naming `output` and `--force`, and
/// the file there unchanged.
fn refused_foreign(mut cmd: Command, output: &Path) {
    let before = std::fs::read(output).unwrap();
    let out = cmd.assert().code(2).get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("不是 nianbao 写出的"), "{stderr}");
    assert!(
        stderr.contains(&output.display().to_string()) && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert_eq!(std::fs::read(output).unwrap(), before);
}

/// A workbook some other program wrote.
fn foreign_workbook(path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write(0, 0, "某局自己的表").unwrap();
    wb.save(path).unwrap();
}

/// Issue 10, outputs that never destroy work: `template` does not replace a file nianbao did
/// not write (a foreign workbook, a template an agency filled in and saved) unless `--force`;
/// it replaces its own template without being told.
#[test]
fn template_replaces_only_what_nianbao_wrote_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("某局.xlsx");
    let template = |force: bool| {
        let mut c = nianbao();
        c.args(["template", "-o"]).arg(&out);
        if force {
            c.arg("--force");
        }
        c
    };
    foreign_workbook(&out);
    refused_foreign(template(false), &out);
    written(template(true));
    let marked = nianbao::read::read_mark(&out, &Default::default()).expect("marked");
    assert_eq!(marked.mark.kind, nianbao::model::MarkKind::Template);
    assert!(marked.untouched);
    // its own output: replaced without --force
    written(template(false));

    // the template filled in and saved by another program: its mark stays, its stamp changes
    let mut wb = rust_xlsxwriter::Workbook::new();
    let props = rust_xlsxwriter::DocProperties::new()
        .set_custom_property("nianbao", "template")
        .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 3, 1).unwrap());
    wb.set_properties(&props);
    wb.add_worksheet().write(0, 0, 12).unwrap();
    wb.save(&out).unwrap();
    let marked = nianbao::read::read_mark(&out, &Default::default()).expect("still marked");
    assert!(!marked.untouched);
    refused_foreign(template(false), &out);
    // not even text that merely looks like a workbook
    std::fs::write(&out, b"notes").unwrap();
    refused_foreign(template(false), &out);
}

/// `convert` and `rollup`: each output format recognises its own earlier output (the JSON of a
/// report, the long CSV, the marked workbook) and refuses any other file unless `--force`.
#[test]
fn convert_and_rollup_replace_only_what_nianbao_wrote_unless_forced() {
    let s = Setup::new();
    let p = s.dir.path();
    let input = p.join("in/0.xlsx");
    for ext in ["json", "csv", "xlsx"] {
        let out = p.join(format!("out.{ext}"));
        let convert = |force: bool| {
            let mut c = nianbao();
            c.arg("convert").arg(&input).arg("-o").arg(&out);
            if force {
                c.arg("--force");
            }
            c
        };
        std::fs::write(&out, "{\"别人的\": 1}\n").unwrap();
        refused_foreign(convert(false), &out);
        written(convert(true));
        written(convert(false));
        assert!(nianbao::write::atomic::written_by_nianbao(&out), "{ext}");
    }

    let (sum, csv) = (p.join("汇总.xlsx"), p.join("明细.csv"));
    let rollup = |force: bool| {
        let mut c = nianbao();
        c.args(["rollup", "-o"])
            .arg(&sum)
            .arg("--csv")
            .arg(&csv)
            .arg(p.join("in"));
        if force {
            c.arg("--force");
        }
        c
    };
    std::fs::write(&csv, "单位,数\n甲,1\n").unwrap();
    refused_foreign(rollup(false), &csv);
    assert!(!sum.exists(), "nothing written when one output is refused");
    foreign_workbook(&sum);
    std::fs::remove_file(&csv).unwrap();
    refused_foreign(rollup(false), &sum);
    written(rollup(true));
    written(rollup(false));
}

/// An agency's workbook at `-o` inside the input folder stays an input, and writing over it is
/// refused even with `--force` (an earlier summary there is left out and replaced: see
/// `tests/rollup.rs`, `rolling_up_the_same_folder_again_gives_the_same_totals`).
#[test]
fn an_agency_workbook_at_the_output_path_stays_an_input() {
    let s = Setup::new();
    let p = s.dir.path();
    let agency = p.join("in/1.xlsx");
    let mut c = nianbao();
    c.args(["rollup", "--force", "-o"])
        .arg(&agency)
        .arg(p.join("in"));
    refused(c, "in/1.xlsx", "in/1.xlsx", &agency);
    // nor is a file in an input folder that nianbao did not write, whatever it is
    refused(
        s.rollup(&["--force", "-o", "汇总.xlsx", "--csv", "in/说明.csv"]),
        "in/说明.csv",
        "说明.csv",
        &s.path("in/说明.csv"),
    );
}

/// A summary larger unpacked than the reading limit (a roll-up of 20,000 agencies unpacks to
/// about 140 MB, the limit is 100 MB) is still known as nianbao's by its mark: only its small
/// property parts are read for that, so rolling up again into it replaces it, and it is still
/// recognised among the inputs as an earlier output.
#[test]
fn a_summary_too_large_to_read_is_still_known_by_its_mark() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("汇总.xlsx");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    written({
        let mut c = nianbao();
        c.args(["rollup", "--name", "某区", "-o"])
            .arg(&out)
            .arg(root.join("sample_workbooks/rollup_2023"));
        c
    });
    let unpacked: u64 = {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
        (0..zip.len())
            .map(|i| zip.by_index_raw(i).unwrap().size())
            .sum()
    };
    let limits = nianbao::read::Limits {
        max_unpacked_bytes: unpacked / 2,
        ..Default::default()
    };
    let marked = nianbao::read::read_mark(&out, &limits).expect("the mark is read");
    assert_eq!(marked.mark.region.as_deref(), Some("某区"));
    assert!(marked.untouched);
}

//! Issue 13, output side: what nianbao prints or writes from hostile inputs — control
//! characters in text output, cells longer than Excel's limit, panics in per-file work.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use nianbao::model::synthetic::consistent_report;
use nianbao::model::{FormatVersion, Report};
use nianbao::write::template;

fn nianbao() -> Command {
    Command::cargo_bin("nianbao").unwrap()
}

/// A copy of the xlsx `src` at `dst` with `from` replaced by `to` in every part.
fn replace_in_xlsx(src: &Path, dst: &Path, from: &str, to: &str) {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    for k in 0..zin.len() {
        let mut e = zin.by_index(k).unwrap();
        let name = e.name().unwrap().to_string();
        let mut body = String::new();
        e.read_to_string(&mut body).unwrap();
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(body.replace(from, to).as_bytes()).unwrap();
    }
    zout.finish().unwrap();
}

fn write(dir: &Path, name: &str, r: &Report) -> PathBuf {
    let p = dir.join(name);
    template::write_report(r, &[], &Default::default(), &p, &Default::default()).unwrap();
    p
}

/// An agency name holding ESC and BEL was printed raw by `check`: the terminal obeyed it.
#[test]
fn control_characters_from_inputs_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let r = consistent_report(FormatVersion::V2021, "甲局\u{1b}[2J\u{7}", 2023, 1);
    let p = write(dir.path(), "esc.xlsx", &r);
    let out = nianbao().arg("check").arg(&p).assert().code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(stdout.contains("甲局\\u{1b}[2J\\u{7}"), "{stdout}");
    // JSON escapes them itself
    let out = nianbao()
        .args(["check", "--format", "json"])
        .arg(&p)
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("甲局\\u001b[2J\\u0007"), "{stdout}");
}

/// A panic in one file's work (after reading: checking, fixing; in a roll-up: the reduction) is
/// that file's internal error: the batch goes on, and stderr has no Rust panic text.
/// `NIANBAO_TEST_PANIC` (debug builds only) makes the named file panic, as a bug would.
#[test]
fn a_panic_in_one_file_is_that_files_error() {
    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    for (i, n) in ["甲局", "乙局", "丙局"].iter().enumerate() {
        let r = consistent_report(FormatVersion::V2021, n, 2023, 10 + i as u64);
        write(
            &inp,
            &format!("{i}-{}.xlsx", if i == 1 { "boom" } else { "ok" }),
            &r,
        );
    }
    let out = nianbao()
        .env("NIANBAO_TEST_PANIC", "check:boom")
        .arg("check")
        .arg(&inp)
        .assert()
        .code(2);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(!stderr.contains("panicked at"), "{stderr}");
    assert!(stdout.contains("1-boom.xlsx：无法读取"), "{stdout}");
    assert!(stdout.contains("内部错误"), "{stdout}");
    assert!(
        stdout.contains("0-ok.xlsx") && stdout.contains("2-ok.xlsx"),
        "{stdout}"
    );
    assert!(stdout.contains("3 个文件，1 个无法读取"), "{stdout}");

    // convert --fix
    let out = nianbao()
        .env("NIANBAO_TEST_PANIC", "check:boom")
        .args(["convert", "--fix", "-o"])
        .arg(dir.path().join("x.csv"))
        .arg(inp.join("1-boom.xlsx"))
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        !stderr.contains("panicked at") && stderr.contains("内部错误"),
        "{stderr}"
    );

    // the roll-up's own per-file step
    let sum = dir.path().join("sum.xlsx");
    let out = nianbao()
        .env("NIANBAO_TEST_PANIC", "reduce:boom")
        .args(["rollup", "--name", "某区", "-o"])
        .arg(&sum)
        .arg(&inp)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(!stderr.contains("panicked at"), "{stderr}");
    assert!(
        stderr.contains("计入 2 个") && stderr.contains("无法读取 1"),
        "{stderr}"
    );
    assert!(sum.exists());
}

/// Excel's cell limit is 32,767 characters: an agency name of 100,000 characters and a count
/// cell of 40,000 made `convert -o x.xlsx` write nothing and the roll-up fail after its CSV.
/// Now what goes into an xlsx cell is cut with a note; the CSV keeps the whole text.
#[test]
fn text_longer_than_an_excel_cell_is_cut_with_a_note() {
    use nianbao::model::{Status, TableKey};
    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    // rust_xlsxwriter refuses such cells: write placeholders, then put the long text in the XML
    let long_name = format!("甲{}", "局".repeat(99_999));
    let r = consistent_report(FormatVersion::V2021, "AGENCYPLACEHOLDER", 2023, 5);
    let a = inp.join("a.xlsx");
    replace_in_xlsx(
        &write(dir.path(), "a0.xlsx", &r),
        &a,
        "AGENCYPLACEHOLDER",
        &long_name,
    );
    // a count cell of 40,000 characters: written by the template as text (not a number)
    let mut r = consistent_report(FormatVersion::V2021, "乙局", 2023, 6);
    let v = r
        .get_mut(TableKey::Proactive, "regulations", "issued")
        .unwrap();
    v.status = Status::Invalid;
    v.raw = Some("RAWPLACEHOLDER".into());
    let b = inp.join("b.xlsx");
    let long_cell = "十".repeat(40_000);
    replace_in_xlsx(
        &write(dir.path(), "b0.xlsx", &r),
        &b,
        "RAWPLACEHOLDER",
        &long_cell,
    );

    for (input, name) in [(&a, "a_out.xlsx"), (&b, "b_out.xlsx")] {
        let out = dir.path().join(name);
        let assert = nianbao()
            .args(["convert", "-o"])
            .arg(&out)
            .arg(input)
            .assert();
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(out.exists(), "{stderr}");
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.len() < 2_000_000);
    }
    let (back, _) = nianbao::read::read_report(
        &dir.path().join("a_out.xlsx"),
        "a_out.xlsx",
        &Default::default(),
    )
    .unwrap();
    let agency = back.meta.agency.unwrap();
    let tail: String = agency
        .chars()
        .rev()
        .take(30)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(agency.ends_with("…（已截断，原文共 100000 字）"), "{tail}");

    let sum = dir.path().join("sum.xlsx");
    let csv = dir.path().join("sum.csv");
    let assert = nianbao()
        .args(["rollup", "--name", "某区", "-o"])
        .arg(&sum)
        .arg("--csv")
        .arg(&csv)
        .arg(&inp)
        .assert();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(sum.exists() && csv.exists(), "{stderr}");
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    assert!(csv_text.contains(&long_name));
    // the 40,000-character cell is cut in the summary's findings too, and whole nowhere in xlsx
    let _ = long_cell;
}

/// A roll-up's outputs are all or none: when one output fails to finish, none is committed.
#[test]
fn a_rollup_whose_output_fails_commits_none() {
    use nianbao::rollup::{Detail, Head, Rollup, RollupJob, RollupSink, SinkError};
    struct Failing;
    impl RollupSink for Failing {
        fn file(&mut self, _: &Head, _: Option<&Detail>, _: &[u8]) -> Result<(), SinkError> {
            Ok(())
        }
        fn finish(
            &mut self,
            _: &mut Rollup,
            _: &[nianbao::rollup::roster::CoverageRow],
        ) -> Result<(), SinkError> {
            Err("写不下".into())
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let r = consistent_report(FormatVersion::V2021, "甲局", 2023, 5);
    let a = write(dir.path(), "a.xlsx", &r);
    let csv_path = dir.path().join("sum.csv");
    let mut csv = nianbao::write::csv::RollupCsv::create(
        &csv_path,
        &nianbao::batch::ReadSet::of(std::slice::from_ref(&a)),
    )
    .unwrap();
    let mut failing = Failing;
    let job = RollupJob {
        files: vec![a.into()],
        options: nianbao::rollup::RollupOptions {
            name: "某区".into(),
            chunk: 4,
            ..Default::default()
        },
        ..Default::default()
    };
    // the CSV first: it finishes, then the other fails, and the CSV must not be committed
    let result = nianbao::rollup::run(&job, &mut [&mut csv, &mut failing], &|_| {});
    assert!(result.is_err());
    drop(csv);
    assert!(!csv_path.exists());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(left, vec!["a.xlsx".to_string()], "{left:?}");
}

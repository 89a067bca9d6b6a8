//! Published documents (issue 11): a report as a web page (Word's "save as web page", GBK or
//! UTF-8) and as a Word document reads the same numbers as the report it was made from, each
//! from its table's cell; the prose arrives in order; folders are searched for them; `convert`
//! writes the official workbook and the CSV names each number's table and cell.

mod support;

use std::path::Path;

use assert_cmd::Command;
use nianbao::model::synthetic::consistent_report;
use nianbao::model::{FormatVersion, Place, Report, Section, Status};
use nianbao::read::{read_report, ReadOptions};
use support::documents::{docx, title, word_page};

fn report(version: FormatVersion, seed: u64) -> Report {
    consistent_report(version, "云台区发展和改革委员会", 2023, seed)
}

/// Every number of `want` read from `path`, each from a cell of one of the document's tables.
fn assert_same_numbers(path: &Path, want: &Report) -> Report {
    let (got, findings) = read_report(path, "doc", &ReadOptions::default()).expect("reads");
    assert_eq!(got.meta.format, want.meta.format);
    for ((field, w), g) in want.iter().zip(got.values()) {
        assert_eq!(g.value, w.value, "{field:?}");
        assert_eq!(g.status, Status::Filled, "{field:?}");
        let at = g.source.as_ref().expect("source cell");
        assert!(at.sheet.starts_with("表格"), "{at}");
    }
    // The agency and year, stated only in the prose, are found there; nothing is missing.
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(got.meta.agency, want.meta.agency);
    assert_eq!(got.meta.year, want.meta.year);
    got
}

fn assert_prose(r: &Report, want: &Report) {
    let texts: Vec<&str> = r.prose.iter().map(|p| p.text.as_str()).collect();
    // A page's `<title>` first, then (a page's heading of the same words and) the first sentence.
    assert_eq!(texts[0], title(want), "{texts:?}");
    let first = texts[1..3]
        .iter()
        .find(|t| t.starts_with("本年报依据"))
        .unwrap_or_else(|| panic!("{texts:?}"));
    assert!(first.contains("统计期限自2023年1月1日起至2023年12月31日止"));
    for (i, p) in r.prose.iter().enumerate() {
        assert_eq!(p.place, Place::Paragraph(i as u32 + 1));
    }
    let headings: Vec<&str> = (1..=6).map(Section::official_title).collect();
    let at: Vec<usize> = headings
        .iter()
        .map(|h| {
            texts
                .iter()
                .position(|t| t == h)
                .unwrap_or_else(|| panic!("{h} in {texts:?}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    assert_eq!(texts.last(), Some(&"本年度未收取信息处理费。"));
    // No table cell is prose.
    assert!(!texts.iter().any(|t| *t == "自然人" || *t == "信息内容"));
}

#[test]
fn a_gbk_word_page_reads_every_number_and_its_prose_in_order() {
    let dir = tempfile::tempdir().unwrap();
    for (i, version) in FormatVersion::ALL.into_iter().enumerate() {
        let want = report(version, 3 + i as u64);
        let path = dir.path().join(format!("年报{i}.htm"));
        let page = word_page(&want, 3, encoding_rs::GBK);
        assert!(std::str::from_utf8(&page).is_err(), "the page is GBK");
        std::fs::write(&path, page).unwrap();
        let got = assert_same_numbers(&path, &want);
        assert_prose(&got, &want);
    }
}

#[test]
fn a_utf8_word_page_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let want = report(FormatVersion::V2021, 8);
    let path = dir.path().join("年报.html");
    std::fs::write(&path, word_page(&want, 1, encoding_rs::UTF_8)).unwrap();
    let got = assert_same_numbers(&path, &want);
    assert_prose(&got, &want);
}

#[test]
fn a_docx_with_merged_cells_reads_every_number_and_its_prose_in_order() {
    let dir = tempfile::tempdir().unwrap();
    for (i, version) in FormatVersion::ALL.into_iter().enumerate() {
        let want = report(version, 11 + i as u64);
        let bytes = docx(&want, 2);
        let path = dir.path().join(format!("年报{i}.docx"));
        std::fs::write(&path, &bytes).unwrap();
        let got = assert_same_numbers(&path, &want);
        assert_prose(&got, &want);
        let grid =
            nianbao::read::read_grid(&path, "doc", &nianbao::read::Limits::default()).unwrap();
        assert_eq!(grid.sheets.len(), 3);
        assert!(grid.sheets.iter().all(|s| !s.merges.is_empty()));
        // Vertical and horizontal merges both arrive (table 三's 申请人情况 header row).
        let all = grid.sheets.iter().flat_map(|s| &s.merges);
        assert!(all.clone().any(|m| m.last_row > m.first_row));
        assert!(all.clone().any(|m| m.last_col > m.first_col));
    }
}

#[test]
fn folders_are_searched_for_pages_and_documents_and_convert_writes_the_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let want = report(FormatVersion::V2021, 21);
    std::fs::write(
        dir.path().join("report.html"),
        word_page(&want, 1, encoding_rs::GBK),
    )
    .unwrap();
    let other = consistent_report(FormatVersion::V2019, "云台区审计局", 2020, 22);
    std::fs::write(
        dir.path().join("b.htm"),
        word_page(&other, 1, encoding_rs::UTF_8),
    )
    .unwrap();
    let third = consistent_report(FormatVersion::V2021, "云台区统计局", 2024, 23);
    std::fs::write(dir.path().join("report.docx"), docx(&third, 1)).unwrap();
    let found = nianbao::batch::collect_inputs(&[dir.path().to_path_buf()]).unwrap();
    let names: Vec<String> = found
        .files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["b.htm", "report.docx", "report.html"]);

    let out = Command::cargo_bin("nianbao")
        .unwrap()
        .arg("check")
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    // the agency and year stand only outside the tables: found in the prose, no I9
    assert_eq!(stdout.matches("I9").count(), 0, "{stdout}");
    for said in [
        "云台区审计局 2020年",
        "云台区统计局 2024年",
        "云台区发展和改革委员会 2023年",
    ] {
        assert!(stdout.contains(said), "{said}: {stdout}");
    }

    for (input, output) in [("report.html", "统计表.xlsx"), ("report.docx", "x.xlsx")] {
        let out = Command::cargo_bin("nianbao")
            .unwrap()
            .current_dir(dir.path())
            .args([
                "convert",
                input,
                "-o",
                output,
                "--agency",
                "云台区发展和改革委员会",
            ])
            .args(["--year", "2023"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let written = dir.path().join(output);
        let (back, _) = read_report(&written, output, &ReadOptions::default()).unwrap();
        let want = if input.ends_with("docx") {
            &third
        } else {
            &want
        };
        for ((field, w), g) in want.iter().zip(back.values()) {
            assert_eq!(g.value, w.value, "{input} {field:?}");
        }
    }

    // The CSV names each number's table (its sheet name) and cell.
    let out = Command::cargo_bin("nianbao")
        .unwrap()
        .current_dir(dir.path())
        .args(["convert", "report.html", "-o", "长表.csv"])
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1));
    let csv = std::fs::read_to_string(dir.path().join("长表.csv")).unwrap();
    let natural = csv
        .lines()
        .find(|l| l.contains(",requests,new,natural_person,"))
        .expect("row");
    assert!(natural.contains("report.html!'表格2'!"), "{natural}");
}

/// A folder mixing a workbook, a web page, a Word document and a published text, of four
/// agencies of one year, checks and rolls up with each report counted once; an agency's
/// workbook and its published page of the same year are the same report (B1, as for two
/// workbooks: neither is counted).
#[test]
fn a_folder_mixing_workbooks_pages_documents_and_texts_counts_each_report_once() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("2020");
    std::fs::create_dir(&inputs).unwrap();
    let v = FormatVersion::V2019;
    let workbook = consistent_report(v, "云台区财政局", 2020, 31);
    nianbao::write::template::write_report(
        &workbook,
        &[],
        &Default::default(),
        &inputs.join("a.xlsx"),
        &Default::default(),
    )
    .unwrap();
    let page = consistent_report(v, "云台区发展和改革委员会", 2020, 32);
    std::fs::write(inputs.join("b.html"), word_page(&page, 1, encoding_rs::GBK)).unwrap();
    let document = consistent_report(v, "云台区统计局", 2020, 33);
    std::fs::write(inputs.join("c.docx"), docx(&document, 1)).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("sample_published/dujiqu_jingxinju_2020.txt"),
        inputs.join("d.txt"),
    )
    .unwrap();
    let json = |args: &[&str], out: Option<&Path>| -> serde_json::Value {
        let mut cmd = Command::cargo_bin("nianbao").unwrap();
        cmd.args(args).args(["--format", "json"]);
        if let Some(o) = out {
            cmd.arg("-o").arg(o);
        }
        let out = cmd.arg(&inputs).output().unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    };
    let rules = |doc: &serde_json::Value| -> Vec<(String, Vec<String>)> {
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let name = f["path"].as_str().unwrap_or_default();
                let name = name.rsplit(['/', '\\']).next().unwrap().to_string();
                let rules = f["findings"]
                    .as_array()
                    .map(|a| a.iter().map(|d| d["rule"].as_str().unwrap().to_string()))
                    .into_iter()
                    .flatten()
                    .collect();
                (name, rules)
            })
            .collect()
    };
    let agencies = |doc: &serde_json::Value| -> Vec<String> {
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["agency"].as_str().unwrap_or_default().to_string())
            .collect()
    };

    let doc = json(&["check"], None);
    let none: Vec<String> = Vec::new();
    assert_eq!(
        rules(&doc),
        ["a.xlsx", "b.html", "c.docx", "d.txt"]
            .map(|n| (n.to_string(), none.clone()))
            .to_vec(),
        "{doc}"
    );
    let four = [
        "云台区财政局",
        "云台区发展和改革委员会",
        "云台区统计局",
        "杜集区经济和信息化局",
    ];
    assert_eq!(agencies(&doc), four, "{doc}");
    let doc = json(&["rollup"], Some(&dir.path().join("汇总.xlsx")));
    assert_eq!(doc["tally"]["counted"], 4, "{doc}");
    assert_eq!(agencies(&doc), four, "{doc}");

    // The workbook's agency publishes its page too: the same report, B1 on both.
    std::fs::write(
        inputs.join("e.html"),
        word_page(&workbook, 1, encoding_rs::UTF_8),
    )
    .unwrap();
    let doc = json(&["check"], None);
    let b1: Vec<String> = rules(&doc)
        .into_iter()
        .filter(|(_, r)| r.iter().any(|r| r == "B1"))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(b1, ["a.xlsx", "e.html"], "{doc}");
    let doc = json(&["rollup"], Some(&dir.path().join("汇总2.xlsx")));
    assert_eq!(doc["tally"]["counted"], 3, "{doc}");
}

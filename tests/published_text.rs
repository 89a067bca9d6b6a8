//! Issue 11, done-when: the published reports in `sample_published/` (copies of
//! `../shared/domain/samples/`) read as text give every number of their three tables equal to
//! the sample workbook built from them, their agency and year from the prose, and no T1/T2.

use std::path::{Path, PathBuf};

use nianbao::diag::{Diagnostic, Rule};
use nianbao::model::{MetaSource, Report, Status};
use nianbao::read::{read_report, ReadOptions};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> (Report, Vec<Diagnostic>) {
    let path: PathBuf = root().join(rel);
    let (report, mut findings) =
        read_report(&path, rel, &ReadOptions::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
    findings.extend(nianbao::validate::validate(&report));
    (report, findings)
}

/// Every number of the text equals the workbook's, read from a cell of the text (status filled).
fn same_numbers(text: &Report, workbook: &Report) {
    assert_eq!(text.meta.format, workbook.meta.format);
    let mut n = 0;
    for ((f, a), b) in text.iter().zip(workbook.values()) {
        let what = format!("{:?} {} {}", f.table, f.row.key, f.col.key);
        assert_eq!(a.status, Status::Filled, "{what}: {a:?}");
        assert_eq!(a.value, b.value, "{what}");
        assert_eq!(a.source.as_ref().unwrap().sheet, "正文", "{what}");
        n += 1;
    }
    assert!(n > 190, "{n} numbers");
}

#[test]
fn seed_report_text_reads_like_its_workbook() {
    let (text, findings) = read("sample_published/dujiqu_jingxinju_2020.txt");
    let (workbook, _) = read("sample_workbooks/dujiqu_jingxinju_2020.xlsx");
    same_numbers(&text, &workbook);
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(text.meta.agency.as_deref(), Some("杜集区经济和信息化局"));
    assert_eq!(text.meta.year, Some(2020));
    // from the prose, before the file name (which says 2020 too)
    assert_eq!(text.meta.agency_from, Some(MetaSource::ProseOpening));
    assert_eq!(text.meta.year_from, Some(MetaSource::ProsePeriod));
    // A number's position is its line: 一、本年新收 总计 is on line 110.
    let new_total = text.get(nianbao::model::TableKey::Requests, "new", "total");
    assert_eq!(new_total.unwrap().source.as_ref().unwrap().a1(), "A110");
}

#[test]
fn markdown_report_reads_like_its_workbook() {
    let (text, findings) = read("sample_published/shuyang_county_2025_markdown.txt");
    let (workbook, _) = read("sample_workbooks/shuyang_2025.xlsx");
    same_numbers(&text, &workbook);
    assert!(findings.is_empty(), "{findings:#?}");
    // The OCR of the published report spells 沭阳 as 沐阳: the text's own words are taken.
    assert_eq!(text.meta.agency.as_deref(), Some("沐阳县人民政府"));
    assert_eq!(text.meta.year, Some(2025));
    assert_eq!(text.meta.agency_from, Some(MetaSource::ProseTitle));
    assert_eq!(text.meta.year_from, Some(MetaSource::ProseTitle));
    // line 70, the eighth cell: | 本年新收… | 705 | 3 | 0 | 0 | 5 | 0 | 713 |
    let new_total = text.get(nianbao::model::TableKey::Requests, "new", "total");
    assert_eq!(new_total.unwrap().source.as_ref().unwrap().a1(), "H70");
}

/// The concatenated form (cells run together with no separator: `713000074`) is read without
/// guessing: every number that is uniquely determined equals the workbook built from the text;
/// the one row whose run splits several ways (行政规范性文件 `8855698`, three cells with no sum)
/// is not read and each of its cells says so (I4), quoting the run. Its prose, against the
/// tables, states one figure differently: 收到申请 75 件 where table 三 has 74 new (75 counts
/// the one carried in). Of the workbook's fields, all but those three are read and equal.
#[test]
fn concatenated_text_reads_every_uniquely_determined_number() {
    let (text, findings) = read("sample_published/pingtan_2022_concatenated.txt");
    let (workbook, _) = read("sample_workbooks/pingtan_2022.xlsx");
    assert_eq!(text.meta.format, workbook.meta.format);
    assert_eq!(text.meta.agency.as_deref(), Some("平潭综合实验区"));
    assert_eq!(text.meta.year, Some(2022));
    let (mut equal, mut unread) = (0, Vec::new());
    for ((f, a), b) in text.iter().zip(workbook.values()) {
        let what = format!("{:?} {} {}", f.table, f.row.key, f.col.key);
        assert_eq!(a.source.as_ref().unwrap().sheet, "正文", "{what}");
        match a.status {
            Status::Filled => {
                assert_eq!(a.value, b.value, "{what}");
                equal += 1;
            }
            Status::Invalid => unread.push(f.row.key),
            other => panic!("{what}: {other:?}"),
        }
    }
    assert_eq!(unread, ["normative_documents"; 3]);
    assert_eq!(equal, text.iter().count() - 3);
    assert!(equal > 100, "{equal}");
    let i4: Vec<&Diagnostic> = findings.iter().filter(|d| d.rule == Rule::I4).collect();
    assert_eq!(i4.len(), 3, "{i4:#?}");
    for d in &i4 {
        assert!(
            d.message.contains("行政规范性文件") && d.message.contains("“8855698”"),
            "{}",
            d.message
        );
    }
    let t1: Vec<&Diagnostic> = findings.iter().filter(|d| d.rule == Rule::T1).collect();
    assert_eq!(t1.len(), 1, "{t1:#?}");
    assert!(
        t1[0].message.contains("75") && t1[0].message.contains("74"),
        "{}",
        t1[0].message
    );
    // The dump runs the sections together on one line too: they are found where their headings
    // stand, 四 too, whose heading has a typo in the source (`行政法复议`): no T2.
    assert!(findings.iter().all(|d| d.rule != Rule::T2), "{findings:#?}");
    // a number's place: line 10 of the file
    let new_total = text.get(nianbao::model::TableKey::Requests, "new", "total");
    assert_eq!(new_total.unwrap().source.as_ref().unwrap().row, 9);
}

/// An agency's workbook and its published text of the same year are the same report: B1.
#[test]
fn a_workbook_and_its_published_text_are_one_report() {
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in [
        ("sample_workbooks/dujiqu_jingxinju_2020.xlsx", "a.xlsx"),
        ("sample_published/dujiqu_jingxinju_2020.txt", "b.txt"),
    ] {
        std::fs::copy(root().join(from), dir.path().join(to)).unwrap();
    }
    let out = assert_cmd::Command::cargo_bin("nianbao")
        .unwrap()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    for f in files {
        let rules: Vec<&str> = f["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["rule"].as_str().unwrap())
            .collect();
        assert_eq!(rules, ["B1"], "{f}");
    }
}

/// Where the prose ranks among the sources (README, 单位名称和年度从哪里来): after every cell,
/// before the file name. A file name stating another agency and year loses to the prose; cells
/// stating them win over it, and the prose is not held against them (no I10).
#[test]
fn the_prose_ranks_after_the_cells_and_before_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let named = dir.path().join("某某局2019年报.txt");
    std::fs::copy(
        root().join("sample_published/dujiqu_jingxinju_2020.txt"),
        &named,
    )
    .unwrap();
    let (report, findings) =
        read_report(&named, "某某局2019年报.txt", &ReadOptions::default()).unwrap();
    assert!(findings.is_empty(), "{findings:#?}");
    let m = &report.meta;
    assert_eq!(m.agency.as_deref(), Some("杜集区经济和信息化局"));
    assert_eq!(m.year, Some(2020));
    assert_eq!(m.agency_from, Some(MetaSource::ProseOpening));
    assert_eq!(m.year_from, Some(MetaSource::ProsePeriod));

    let cells = dir.path().join("cells.txt");
    let text =
        std::fs::read_to_string(root().join("sample_published/shuyang_county_2025_markdown.txt"))
            .unwrap();
    std::fs::write(
        &cells,
        format!("| 填报单位：甲局 | 统计年度：2021 |\n\n{text}"),
    )
    .unwrap();
    let (report, findings) = read_report(&cells, "cells.txt", &ReadOptions::default()).unwrap();
    assert!(findings.is_empty(), "{findings:#?}");
    let m = &report.meta;
    assert_eq!((m.agency.as_deref(), m.year), (Some("甲局"), Some(2021)));
    assert_eq!(
        (m.agency_from, m.year_from),
        (Some(MetaSource::Label), Some(MetaSource::Label))
    );
}

/// `rollup` reads a folder of published texts of one year like workbooks: each counted under
/// the agency and year its prose states, with a workbook of the same year beside them.
#[test]
fn a_folder_of_published_texts_rolls_up() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("2020");
    std::fs::create_dir(&inputs).unwrap();
    let seed =
        std::fs::read_to_string(root().join("sample_published/dujiqu_jingxinju_2020.txt")).unwrap();
    std::fs::write(inputs.join("a.txt"), &seed).unwrap();
    std::fs::write(
        inputs.join("b.md"),
        seed.replace("杜集区经济和信息化局", "杜集区教育局"),
    )
    .unwrap();
    std::fs::copy(
        root().join("sample_workbooks/yuntai_wenlv_2020.xls"),
        inputs.join("c.xls"),
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("nianbao")
        .unwrap()
        .args(["rollup", "--format", "json", "-o"])
        .arg(dir.path().join("汇总.xlsx"))
        .arg(&inputs)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["tally"]["counted"], 3, "{doc}");
    assert_eq!(doc["region"]["year"], 2020, "{doc}");
    let agencies: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["agency"].as_str().unwrap())
        .collect();
    assert_eq!(
        agencies,
        [
            "杜集区经济和信息化局",
            "杜集区教育局",
            "云台区文化旅游体育局"
        ]
    );
    assert!(dir.path().join("汇总.xlsx").exists());
}

/// The concatenated form never guesses: a report of either format written with every row's
/// numbers run together (table 四 too) reads each number either equal to the report's or not
/// at all (I4, one finding per number not read) — never a different number.
#[test]
fn concatenated_form_reads_each_number_right_or_not_at_all() {
    use nianbao::model::synthetic::consistent_report;
    use nianbao::model::{FormatVersion, TableKey};
    let dir = tempfile::tempdir().unwrap();
    let (mut read_n, mut unread_n) = (0, 0);
    for version in FormatVersion::ALL {
        for seed in 0..12u64 {
            let want = consistent_report(version, "云台区水利局", 2023, seed);
            let spec = version.spec();
            let run = |t: TableKey, row: &str| -> String {
                let r = spec.table(t).row(row).unwrap();
                r.columns
                    .iter()
                    .map(|c| want.get(t, row, c.key).unwrap().value.to_string())
                    .collect()
            };
            let mut s = String::from("云台区水利局2023年政府信息公开工作年度报告\n");
            s.push_str("一、总体情况 本机关依法公开政府信息。 二、主动公开政府信息情况");
            let mut section = None;
            for r in spec.table(TableKey::Proactive).rows {
                if r.section != section {
                    section = r.section;
                    s.push_str(&format!(" {} 信息内容 ", r.section.unwrap()));
                    for c in r.columns {
                        s.push_str(c.label);
                        s.push(' ');
                    }
                }
                s.push_str(&format!("{}{}", r.label, run(TableKey::Proactive, r.key)));
            }
            s.push_str(
                " 三、收到和处理政府信息公开申请情况 申请人情况 自然人 法人或其他组织 总计 ",
            );
            let mut group = None;
            for r in spec.table(TableKey::Requests).rows {
                if r.group != group {
                    group = r.group;
                    if let Some(g) = group {
                        s.push_str(g);
                        s.push(' ');
                    }
                }
                s.push_str(&format!("{} {}", r.label, run(TableKey::Requests, r.key)));
            }
            s.push_str(" 四、政府信息公开行政复议、行政诉讼情况 行政复议 行政诉讼 ");
            for _ in 0..3 {
                s.push_str("结果维持结果纠正其他结果尚未审结总计 ");
            }
            for r in spec.table(TableKey::Appeals).rows {
                s.push_str(&run(TableKey::Appeals, r.key));
            }
            s.push_str(
                " 五、存在的主要问题及改进情况 无。 六、其他需要报告的事项 未收取信息处理费。\n",
            );
            let path = dir.path().join(format!("{}_{seed}.txt", version.id()));
            std::fs::write(&path, &s).unwrap();
            let (got, findings) = read_report(&path, "t.txt", &ReadOptions::default())
                .unwrap_or_else(|e| panic!("{e}\n{s}"));
            assert_eq!(got.meta.format, version, "{s}");
            assert_eq!(got.meta.agency.as_deref(), Some("云台区水利局"));
            let mut unread = 0;
            for ((f, a), b) in got.iter().zip(want.values()) {
                let what = format!(
                    "{version:?} {seed} {:?} {} {}",
                    f.table, f.row.key, f.col.key
                );
                match a.status {
                    Status::Filled => assert_eq!(a.value, b.value, "{what}\n{s}"),
                    Status::Invalid => unread += 1,
                    other => panic!("{what}: {other:?}\n{s}"),
                }
            }
            let i4 = findings.iter().filter(|d| d.rule == Rule::I4).count();
            assert_eq!(i4, unread, "{findings:#?}");
            unread_n += unread;
            read_n += got.iter().count() - unread;
        }
    }
    // most numbers are determined by their row's sums
    assert!(read_n > 4 * unread_n, "{read_n} read, {unread_n} not");
}

//! `docs/model.md` is an independent list of every key and label of the two format versions
//! (written from the domain contract, not generated from the code). Its tables are parsed here and
//! compared with `nianbao::model::spec` in both directions — every field of the spec is in the
//! document with the same labels, variants and kind, and every line of the document is in the
//! spec — so that a typo in a label cannot pass both the template writer and the reader, which
//! both take their labels from the spec.

use std::collections::BTreeSet;

use nianbao::model::spec::{self, ColSpec, RowSpec, VERSION_EVIDENCE};
use nianbao::model::{FormatVersion, MoneyUnit, TableKey, ValueKind};

fn doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/model.md")).unwrap()
}

/// A Markdown table with the headings it sits under.
#[derive(Debug)]
struct MdTable {
    h3: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl MdTable {
    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("table under {:?} has no column {name:?}", self.h3))
    }
}

fn cells(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    t.split('|').map(|c| c.trim().to_string()).collect()
}

fn is_separator(cells: &[String]) -> bool {
    cells.iter().all(|c| {
        let c = c.trim_matches(':');
        !c.is_empty() && c.chars().all(|ch| ch == '-')
    })
}

fn tables(text: &str) -> Vec<MdTable> {
    let mut out: Vec<MdTable> = Vec::new();
    let mut h3 = String::new();
    let mut in_code = false;
    let mut current: Option<MdTable> = None;
    for line in text.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        let is_row = !in_code && line.trim_start().starts_with('|');
        if !is_row {
            out.extend(current.take());
            if line.starts_with("## ") {
                h3.clear();
            } else if let Some(h) = line.strip_prefix("### ") {
                h3 = h.to_string();
            }
            continue;
        }
        let c = cells(line);
        match current.as_mut() {
            None => {
                current = Some(MdTable {
                    h3: h3.clone(),
                    header: c,
                    rows: Vec::new(),
                })
            }
            Some(t) if t.rows.is_empty() && is_separator(&c) => {}
            Some(t) => {
                assert_eq!(c.len(), t.header.len(), "ragged table line: {line}");
                t.rows.push(c);
            }
        }
    }
    out.extend(current);
    out
}

/// Label variants: every backticked string of a cell, sorted.
fn variants(cell: &str) -> Vec<String> {
    let mut v: Vec<String> = cell
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

fn sorted(aliases: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = aliases.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

fn opt(cell: &str) -> Option<String> {
    (!cell.is_empty()).then(|| cell.to_string())
}

fn kind_name(k: ValueKind) -> &'static str {
    match k {
        ValueKind::Count => "count",
        ValueKind::SignedCount => "signed count",
        ValueKind::Money {
            header_unit: Some(MoneyUnit::WanYuan),
        } => "money, 万元",
        ValueKind::Money {
            header_unit: Some(MoneyUnit::Yuan),
        } => "money, 元",
        ValueKind::Money { header_unit: None } => "money, no unit in header",
    }
}

/// Everything the document states about one number (or, for rows and columns listed apart,
/// about one row and one column).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Line {
    version: &'static str,
    table: &'static str,
    row: String,
    row_label: String,
    row_variants: Vec<String>,
    group: Option<String>,
    section: Option<String>,
    column: String,
    column_label: String,
    column_variants: Vec<String>,
    kind: String,
}

fn spec_line(v: FormatVersion, t: TableKey, r: &RowSpec, c: &ColSpec) -> Line {
    Line {
        version: v.id(),
        table: t.key(),
        row: r.key.into(),
        row_label: r.label.into(),
        row_variants: sorted(r.aliases),
        group: r.group.map(Into::into),
        section: r.section.map(Into::into),
        column: c.key.into(),
        column_label: c.label.into(),
        column_variants: sorted(c.aliases),
        kind: kind_name(c.kind).into(),
    }
}

fn version_of_heading(h: &str) -> Vec<FormatVersion> {
    FormatVersion::ALL
        .into_iter()
        .filter(|v| h.contains(&format!(", {}", v.id())))
        .collect()
}

fn table_of_heading(h: &str) -> TableKey {
    TableKey::ALL
        .into_iter()
        .find(|t| h.contains(&format!("`{}`", t.key())))
        .unwrap_or_else(|| panic!("heading {h:?} names no table key"))
}

/// The document's lines, per version, in document order.
fn doc_lines() -> Vec<Line> {
    let all = tables(&doc());
    let mut out = Vec::new();
    // 表二: one line per number, one table per version.
    let proactive: Vec<&MdTable> = all
        .iter()
        .filter(|t| t.header[0] == "row key" && t.header.contains(&"column key".to_string()))
        .collect();
    assert_eq!(proactive.len(), 2, "one table 二 per version");
    for t in proactive {
        assert_eq!(table_of_heading(&t.h3), TableKey::Proactive, "{}", t.h3);
        let [v] = version_of_heading(&t.h3)[..] else {
            panic!("heading {:?} names no single version", t.h3)
        };
        for r in &t.rows {
            out.push(Line {
                version: v.id(),
                table: TableKey::Proactive.key(),
                row: r[t.col("row key")].clone(),
                row_label: r[t.col("row label")].clone(),
                row_variants: variants(&r[t.col("row variants")]),
                group: None,
                section: opt(&r[t.col("section")]),
                column: r[t.col("column key")].clone(),
                column_label: r[t.col("column label")].clone(),
                column_variants: variants(&r[t.col("column variants")]),
                kind: r[t.col("kind")].clone(),
            });
        }
    }
    // 表三, 表四: rows and columns listed apart; every row has every column.
    for table in [TableKey::Requests, TableKey::Appeals] {
        let of = |first: &str| -> &MdTable {
            let found: Vec<&MdTable> = all
                .iter()
                .filter(|t| t.header[0] == first)
                .filter(|t| first == "column key" || !t.header.contains(&"column key".into()))
                .filter(|t| t.h3.contains(&format!("`{}`", table.key())))
                .collect();
            assert_eq!(found.len(), 1, "one {first} table for {}", table.key());
            found[0]
        };
        let (rows, cols) = (of("row key"), of("column key"));
        for v in FormatVersion::ALL {
            for r in &rows.rows {
                let versions = &r[rows.col("versions")];
                if !versions.split(", ").any(|x| x == v.id()) {
                    continue;
                }
                for c in &cols.rows {
                    out.push(Line {
                        version: v.id(),
                        table: table.key(),
                        row: r[rows.col("row key")].clone(),
                        row_label: r[rows.col("row label")].clone(),
                        row_variants: variants(&r[rows.col("row variants")]),
                        group: opt(&r[rows.col("group")]),
                        section: None,
                        column: c[cols.col("column key")].clone(),
                        column_label: c[cols.col("column label")].clone(),
                        column_variants: variants(&c[cols.col("column variants")]),
                        kind: c[cols.col("kind")].clone(),
                    });
                }
            }
        }
    }
    out
}

fn spec_lines() -> Vec<Line> {
    let mut out = Vec::new();
    for v in FormatVersion::ALL {
        for t in &v.spec().tables {
            for r in t.rows {
                for c in r.columns {
                    out.push(spec_line(v, t.key, r, c));
                }
            }
        }
    }
    out
}

#[test]
fn every_field_of_the_spec_is_in_the_document_with_the_same_labels_and_back() {
    let doc = doc_lines();
    let spec = spec_lines();
    let d: BTreeSet<&Line> = doc.iter().collect();
    let s: BTreeSet<&Line> = spec.iter().collect();
    let only_spec: Vec<&&Line> = s.difference(&d).collect();
    let only_doc: Vec<&&Line> = d.difference(&s).collect();
    assert!(
        only_spec.is_empty() && only_doc.is_empty(),
        "docs/model.md and model::spec disagree.\nIn the spec, not in the document:\n{only_spec:#?}\nIn the document, not in the spec:\n{only_doc:#?}"
    );
    assert_eq!(doc.len(), spec.len(), "a line listed twice");
}

#[test]
fn rows_and_columns_are_in_the_documented_order() {
    let doc = doc_lines();
    for v in FormatVersion::ALL {
        for t in TableKey::ALL {
            let spec_order: Vec<(&str, &str)> = v
                .spec()
                .fields()
                .filter(|f| f.table == t)
                .map(|f| (f.row.key, f.col.key))
                .collect();
            let doc_order: Vec<(&str, &str)> = doc
                .iter()
                .filter(|l| l.version == v.id() && l.table == t.key())
                .map(|l| (l.row.as_str(), l.column.as_str()))
                .collect();
            assert_eq!(doc_order, spec_order, "{v} {}", t.key());
        }
    }
}

#[test]
fn table_keys_and_headings_match() {
    let all = tables(&doc());
    let t = all.iter().find(|t| t.header[0] == "table key").unwrap();
    let doc: Vec<(String, String)> = t
        .rows
        .iter()
        .map(|r| (r[0].clone(), r[t.col("official heading")].clone()))
        .collect();
    let spec: Vec<(String, String)> = TableKey::ALL
        .iter()
        .map(|k| (k.key().to_string(), k.title().to_string()))
        .collect();
    assert_eq!(doc, spec);
}

#[test]
fn version_evidence_matches_both_ways() {
    let all = tables(&doc());
    let t = all
        .iter()
        .find(|t| t.header[0] == "evidence label")
        .unwrap();
    let doc: BTreeSet<(String, String)> = t
        .rows
        .iter()
        .map(|r| (r[0].clone(), r[t.col("version")].clone()))
        .collect();
    let spec: BTreeSet<(String, String)> = VERSION_EVIDENCE
        .iter()
        .map(|(l, v)| (l.to_string(), v.id().to_string()))
        .collect();
    assert_eq!(doc, spec);
    let versions = all.iter().find(|t| t.header[0] == "version").unwrap();
    let ids: Vec<&str> = versions.rows.iter().map(|r| r[0].as_str()).collect();
    let spec_ids: Vec<&str> = FormatVersion::ALL.iter().map(|v| v.id()).collect();
    assert_eq!(ids, spec_ids);
}

#[test]
fn header_constants_are_in_the_document() {
    let text = doc();
    for label in [
        spec::REQUESTS_NOTE,
        spec::APPLICANT_HEADER,
        spec::ORG_HEADER,
        spec::RESULTS_GROUP,
        spec::LITIGATION_HEADER,
    ] {
        assert!(text.contains(label), "{label}");
    }
}

/// The CSV columns the document lists are the header `convert -o x.csv` writes.
#[test]
fn csv_columns_are_what_convert_writes() {
    let all = tables(&doc());
    let t = all.iter().find(|t| t.header[0] == "csv column").unwrap();
    let documented: Vec<&str> = t.rows.iter().map(|r| r[0].as_str()).collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    assert_cmd::Command::cargo_bin("nianbao")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["convert", "sample_workbooks/yuntai_zhujian_2020.xlsx", "-o"])
        .arg(&out)
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&out).unwrap();
    let header = text
        .strip_prefix('\u{feff}')
        .expect("BOM")
        .lines()
        .next()
        .unwrap();
    assert_eq!(header.split(',').collect::<Vec<_>>(), documented);
    // The two example lines of the document are lines of the real output.
    let doc = doc();
    let example = doc
        .split("Example (`nianbao convert sample_workbooks/yuntai_zhujian_2020.xlsx -o x.csv`)")
        .nth(1)
        .unwrap();
    let block = example.split("```").nth(1).unwrap();
    let body = text.strip_prefix('\u{feff}').unwrap();
    for line in block.lines().filter(|l| !l.is_empty()) {
        assert!(body.lines().any(|l| l == line), "not in the output: {line}");
    }
}

/// Every origin (a status, a computed one split by whether it kept its cell), in the document's
/// order; the `match`es stop compiling when a status or an origin is added.
fn origins() -> Vec<nianbao::model::Origin> {
    use nianbao::model::Origin::{self, *};
    use nianbao::model::Status;
    for o in Origin::ALL {
        match o {
            Filled | Blank | Missing | Invalid | FormulaNotCalculated | Corrected | Total => {}
        }
        match o.status() {
            Status::Filled
            | Status::Blank
            | Status::Missing
            | Status::Invalid
            | Status::FormulaNotCalculated
            | Status::Computed => {}
        }
    }
    Origin::ALL.to_vec()
}

/// The status table: JSON names (`convert -o x.json`), `数据来源` labels and the CSV's `status`.
#[test]
fn statuses_match_json_the_sources_sheet_and_the_csv() {
    let all = tables(&doc());
    let t = all.iter().find(|t| t.header[0] == "status").unwrap();
    let doc: Vec<[String; 3]> = t
        .rows
        .iter()
        .map(|r| {
            [
                r[t.col("JSON `status`")].trim_matches('`').to_string(),
                r[t.col("数据来源 sheet")].clone(),
                r[t.col("CSV `status`")].clone(),
            ]
        })
        .collect();
    let code: Vec<[String; 3]> = origins()
        .into_iter()
        .map(|o| {
            let s = o.status();
            [
                serde_json::to_value(s)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string(),
                nianbao::write::template::status_label(o).to_string(),
                o.label().to_string(),
            ]
        })
        .collect();
    assert_eq!(doc, code);
}

/// The first column of the table whose first header cell is `first`.
fn first_column(first: &str) -> Vec<String> {
    let all = tables(&doc());
    let t = all
        .iter()
        .find(|t| t.header[0] == first)
        .unwrap_or_else(|| panic!("no table headed {first:?}"));
    t.rows.iter().map(|r| r[0].clone()).collect()
}

/// The values of the CSV's `unit`, `level` and `counted` columns, as the document lists them.
#[test]
fn csv_units_levels_and_counted_match() {
    use nianbao::model::Unit;
    use nianbao::write::csv::{counted_label, Level};
    let units: Vec<&str> = Unit::ALL.iter().map(|u| u.label()).collect();
    assert_eq!(first_column("unit"), units);
    let levels: Vec<&str> = Level::ALL.iter().map(|l| l.label()).collect();
    assert_eq!(first_column("level"), levels);
    let counted = [counted_label(true, "1"), counted_label(false, "1")];
    assert_eq!(first_column("counted"), counted);
    assert_eq!(
        counted_label(true, ""),
        counted[1],
        "an unknown value is never counted"
    );
}

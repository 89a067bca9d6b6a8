//! Regenerates `sample_workbooks/` deterministically: `cargo run --example gen_samples`.
//!
//! Every sample is a [`Report`] built from fixed numbers typed below (the published reports'
//! numbers as published; the fictional agencies' numbers invented and consistent), written in a
//! [`layouts::Layout`]. The expected findings in `expected.json` are computed here from the same
//! reports by a small independent implementation of R1–R4 and R6 (not nianbao's validator), and
//! the generator refuses to write a sample whose computed findings differ from what the sample is
//! meant to show.
//!
//! The `.xls` / `.ods` samples are distinct fictional agencies (no two samples share agency and
//! year, so checking the whole folder reports no duplicate B1): each is built as xlsx in a scratch
//! directory and converted with LibreOffice (`soffice --headless --convert-to`); only the
//! converted file is kept, and only replaced when its cells changed. Without LibreOffice that
//! step is skipped with a note and the committed files stay.
//!
//! The roll-up set (`rollup_2023/`, `rollup_2022/`, `rollup_2023_roster.csv`, and the
//! `rollup_2023` entry of `expected.json` with the regional totals summed here) is built in
//! `more.rs`.

#[path = "../../tests/support/layouts.rs"]
mod layouts;

mod bad;
mod more;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::str::FromStr;

use layouts::{
    GroupLabels, LabelCols, Layout, NumberForm, Punct, SheetContent, SheetSpec, SheetSplit, Title,
    Written, ZeroForm,
};
use nianbao::model::cellref::a1;
use nianbao::model::spec::result_rows;
use nianbao::model::{FormatVersion, Meta, MoneyUnit, Report, Status, TableKey, Value, ValueKind};
use rust_decimal::Decimal;
use serde_json::{json, Value as Json};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const OUT: &str = "sample_workbooks";

fn main() -> Res<()> {
    // Paths are relative to the crate root, wherever the command is run from.
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR"))?;
    std::fs::create_dir_all(OUT)?;
    let (rollup, roster, rollup_entry) = more::rollup_set()?;
    // The roll-up folders hold only what this run writes.
    for dir in ["rollup_2023", "rollup_2022"] {
        let _ = std::fs::remove_dir_all(Path::new(OUT).join(dir));
        std::fs::create_dir_all(Path::new(OUT).join(dir))?;
    }
    let mut samples = Vec::new();
    for s in all_samples()?.into_iter().chain(rollup) {
        if s.convert.is_none() {
            std::fs::write(Path::new(OUT).join(&s.file), &s.written.bytes)?;
            println!("wrote {OUT}/{}", s.file);
        }
        samples.push(s);
    }
    std::fs::write(Path::new(OUT).join(more::ROSTER), &roster)?;
    println!("wrote {OUT}/{}", more::ROSTER);
    let samples = convert_samples(samples)?;
    std::fs::write(
        Path::new(OUT).join("expected.json"),
        serde_json::to_string_pretty(&manifest(&samples, &rollup_entry))? + "\n",
    )?;
    std::fs::write(
        Path::new(OUT).join("README.md"),
        readme(&samples, &rollup_entry, &roster),
    )?;
    println!("wrote {OUT}/expected.json, {OUT}/README.md");
    bad::generate(Path::new("sample_workbooks/bad"))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Building reports from typed numbers

/// One row of table 三: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
type Row7 = [i64; 7];

fn meta(agency: &str, year: u16, format: FormatVersion) -> Meta {
    Meta {
        agency: Some(agency.to_string()),
        year: Some(year),
        format,
        source: String::new(),
        agency_cell: None,
        year_cell: None,
        agency_from: None,
        year_from: None,
    }
}

fn filled(value: Decimal, unit: Option<MoneyUnit>) -> Value {
    let mut v = Value::computed(value, unit);
    v.status = Status::Filled;
    v
}

/// A report from table 二 values (field order; money as `"251000元"`, `"12.5万元"` or a bare
/// number — a bare 2021 fee takes the header's 万元, a bare 2019 procurement amount has no unit),
/// table 三 rows (spec order, 7 columns) and table 四 (3 rows × 5).
fn report(
    agency: &str,
    year: u16,
    format: FormatVersion,
    proactive: &[&str],
    requests: &[Row7],
    appeals: [[i64; 5]; 3],
) -> Report {
    let spec = format.spec();
    let p_fields: Vec<_> = spec
        .fields()
        .filter(|f| f.table == TableKey::Proactive)
        .collect();
    assert_eq!(p_fields.len(), proactive.len(), "{agency}: table 二 length");
    assert_eq!(
        spec.table(TableKey::Requests).rows.len(),
        requests.len(),
        "{agency}: table 三 rows"
    );
    let mut values = Vec::new();
    for (f, s) in p_fields.iter().zip(proactive) {
        let (num, unit) = if let Some(n) = s.strip_suffix("万元") {
            (n, Some(MoneyUnit::WanYuan))
        } else if let Some(n) = s.strip_suffix('元') {
            (n, Some(MoneyUnit::Yuan))
        } else {
            let unit = match f.col.kind {
                ValueKind::Money { header_unit } => header_unit,
                _ => None,
            };
            (*s, unit)
        };
        values.push(filled(Decimal::from_str(num).expect("number"), unit));
    }
    for row in requests {
        values.extend(row.iter().map(|n| filled(Decimal::from(*n), None)));
    }
    for row in appeals {
        values.extend(row.iter().map(|n| filled(Decimal::from(*n), None)));
    }
    Report::from_values(meta(agency, year, format), values)
}

/// Table 三 rows built consistently: `results` gives the six applicant columns of the result rows
/// that are not zero; `handled_total`, `new` and the 总计 column are computed so that R1–R3 hold.
fn requests(
    format: FormatVersion,
    results: &[(&str, [i64; 6])],
    carried_in: [i64; 6],
    carried_out: [i64; 6],
) -> Vec<Row7> {
    let spec = format.spec().table(TableKey::Requests);
    let result_keys: Vec<&str> = result_rows(spec).map(|r| r.key).collect();
    for (k, _) in results {
        assert!(
            result_keys.contains(k),
            "{k} is not a result row of {format}"
        );
    }
    let get = |k: &str| {
        results
            .iter()
            .find(|(r, _)| *r == k)
            .map(|(_, v)| *v)
            .unwrap_or([0; 6])
    };
    let mut handled = [0i64; 6];
    for k in &result_keys {
        for (h, v) in handled.iter_mut().zip(get(k)) {
            *h += v;
        }
    }
    let new: [i64; 6] = std::array::from_fn(|i| handled[i] + carried_out[i] - carried_in[i]);
    assert!(new.iter().all(|n| *n >= 0), "negative 新收");
    let with_total = |v: [i64; 6]| -> Row7 {
        let mut r = [0; 7];
        r[..6].copy_from_slice(&v);
        r[6] = v.iter().sum();
        r
    };
    spec.rows
        .iter()
        .map(|row| {
            with_total(match row.key {
                "new" => new,
                "carried_in" => carried_in,
                "handled_total" => handled,
                "carried_out" => carried_out,
                k => get(k),
            })
        })
        .collect()
}

/// Table 四 with totals computed: three rows of (维持, 纠正, 其他, 尚未审结).
fn appeals(rows: [[i64; 4]; 3]) -> [[i64; 5]; 3] {
    rows.map(|r| [r[0], r[1], r[2], r[3], r.iter().sum()])
}

fn set(report: &mut Report, table: TableKey, row: &str, col: &str, f: impl FnOnce(&mut Value)) {
    f(report
        .get_mut(table, row, col)
        .unwrap_or_else(|| panic!("no field {row}.{col}")));
}

fn bump(report: &mut Report, table: TableKey, row: &str, col: &str, by: i64) {
    set(report, table, row, col, |v| v.value += Decimal::from(by));
}

// ---------------------------------------------------------------------------------------------
// Expected findings (independent of nianbao's validator)

/// A finding a sample must produce, keyed by table/row/column rather than by message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    rule: &'static str,
    severity: &'static str,
    table: &'static str,
    /// The row the check is about (R2, R4, R6), if any.
    row: Option<&'static str>,
    /// The column the check is about (R1, R3, R6), if any.
    column: Option<&'static str>,
    /// For R6: the blank cell.
    cell: Option<String>,
}

fn n(r: &Report, t: TableKey, row: &str, col: &str) -> Decimal {
    r.get(t, row, col).expect("field").value
}

/// R1–R4 on a report (blanks count as 0).
fn rule_failures(r: &Report) -> Vec<Expected> {
    let mut out = Vec::new();
    let req = r.spec().table(TableKey::Requests);
    let cols = req.rows[0].columns;
    let t3 = TableKey::Requests;
    for c in cols {
        let lhs = n(r, t3, "new", c.key) + n(r, t3, "carried_in", c.key);
        let rhs = n(r, t3, "handled_total", c.key) + n(r, t3, "carried_out", c.key);
        if lhs != rhs {
            out.push(exp("R1", "requests", None, Some(c.key)));
        }
    }
    for row in req.rows {
        let sum: Decimal = cols[..6].iter().map(|c| n(r, t3, row.key, c.key)).sum();
        if sum != n(r, t3, row.key, "total") {
            out.push(exp("R2", "requests", Some(row.key), None));
        }
    }
    for c in cols {
        let sum: Decimal = result_rows(req).map(|row| n(r, t3, row.key, c.key)).sum();
        if sum != n(r, t3, "handled_total", c.key) {
            out.push(exp("R3", "requests", None, Some(c.key)));
        }
    }
    for row in r.spec().table(TableKey::Appeals).rows {
        let t4 = TableKey::Appeals;
        let sum: Decimal = ["upheld", "corrected", "other", "pending"]
            .iter()
            .map(|c| n(r, t4, row.key, c))
            .sum();
        if sum != n(r, t4, row.key, "total") {
            out.push(exp("R4", "appeals", Some(row.key), None));
        }
    }
    out
}

fn exp(
    rule: &'static str,
    table: &'static str,
    row: Option<&'static str>,
    column: Option<&'static str>,
) -> Expected {
    Expected {
        rule,
        severity: "error",
        table,
        row,
        column,
        cell: None,
    }
}

/// R6: every blank value cell on a visible sheet.
fn blank_findings(w: &Written) -> Vec<Expected> {
    w.values
        .iter()
        .filter(|p| p.blank && !p.hidden)
        .map(|p| Expected {
            rule: "R6",
            severity: "warning",
            table: p.table.key(),
            row: Some(p.row_key),
            column: Some(p.col_key),
            cell: Some(format!("'{}'!{}", p.sheet, a1(p.row, p.col.into()))),
        })
        .collect()
}

/// The cell a failed equation points at (nianbao's "cell to look at", the finding's `cell`):
/// （七）总计 of the column for R1 and R3, the 总计 of the row for R2 and R4.
fn focus_cell(w: &Written, f: &Expected) -> String {
    let (table, row, col) = match f.rule {
        "R1" | "R3" => (R, "handled_total", f.column.expect("column")),
        "R2" => (R, f.row.expect("row"), "total"),
        "R4" => (A, f.row.expect("row"), "total"),
        other => panic!("no focus cell for {other}"),
    };
    let p = w.visible_cell(table, row, col).expect("written");
    format!("'{}'!{}", p.sheet, a1(p.row, p.col.into()))
}

// ---------------------------------------------------------------------------------------------
// Samples

enum Outcome {
    /// Reads; these findings (possibly none) and no others among R1–R6.
    Findings(Vec<Expected>),
    /// Cannot be used: `ReadError::kind()`, and the sheets / cells the error should name.
    Fatal {
        kind: &'static str,
        names: Vec<String>,
    },
}

struct Sample {
    /// Path under `sample_workbooks/` (`rollup_2023/…` for the roll-up set).
    file: String,
    title: &'static str,
    report: Report,
    layout: Layout,
    written: Written,
    quirks: Vec<&'static str>,
    outcome: Outcome,
    /// Extra fields to pin besides the standard ones.
    pins: Vec<(TableKey, &'static str, &'static str)>,
    /// Reading findings (I…) the file must produce, exactly (declared here, not computed).
    reading: Vec<&'static str>,
    /// `Some("xls")` / `Some("ods")`: built as xlsx in a scratch directory and converted with
    /// LibreOffice; only the converted file is kept (`file` names it).
    convert: Option<&'static str>,
}

impl Sample {
    /// Write `sheets` and compute the findings; check them against `intended` rule ids.
    #[allow(clippy::too_many_arguments)]
    fn new(
        file: &str,
        title: &'static str,
        report: &Report,
        layout: Layout,
        sheets: Vec<SheetSpec<'_>>,
        quirks: Vec<&'static str>,
        intended: &[&str],
        pins: Vec<(TableKey, &'static str, &'static str)>,
    ) -> Res<Sample> {
        let written = layouts::write_book(&sheets, &layout)?;
        let mut findings = rule_failures(report);
        for f in &mut findings {
            f.cell = Some(focus_cell(&written, f));
        }
        findings.extend(blank_findings(&written));
        findings.sort();
        let mut got: Vec<&str> = findings.iter().map(|f| f.rule).collect();
        got.dedup();
        assert_eq!(got, intended, "{file}: computed findings {findings:?}");
        Ok(Sample {
            file: file.to_string(),
            title,
            report: report.clone(),
            layout,
            written,
            quirks,
            outcome: Outcome::Findings(findings),
            pins,
            reading: Vec::new(),
            convert: None,
        })
    }

    /// The reading findings (I…) this sample must produce.
    fn reading(mut self, ids: &[&'static str]) -> Sample {
        self.reading = ids.to_vec();
        self
    }

    /// Keep only a LibreOffice conversion of the workbook (`xls` or `ods`).
    fn converted(mut self, ext: &'static str) -> Sample {
        let stem = self.file.strip_suffix(".xlsx").expect("an .xlsx name");
        self.file = format!("{stem}.{ext}");
        self.convert = Some(ext);
        self
    }

    fn fatal(mut self, kind: &'static str, names: Vec<String>) -> Sample {
        self.outcome = Outcome::Fatal { kind, names };
        self
    }
}

fn zeros23() -> Vec<Row7> {
    vec![[0; 7]; 23]
}

const V19: FormatVersion = FormatVersion::V2019;
const V21: FormatVersion = FormatVersion::V2021;
const P: TableKey = TableKey::Proactive;
const R: TableKey = TableKey::Requests;
const A: TableKey = TableKey::Appeals;

fn all_samples() -> Res<Vec<Sample>> {
    let mut out = Vec::new();

    // 1. The seed report, as published.
    {
        let r = report(
            "杜集区经济和信息化局",
            2020,
            V19,
            &[
                "0", "0", "0", "0", "5", "21", "0", "0", "0", "1", "0", "0", "0", "0", "0", "0",
                "0", "0", "0", "0", "0", "0",
            ],
            &zeros23(),
            [[0; 5]; 3],
        );
        let layout = Layout::official();
        let mut sheets = layout.sheets(&r);
        sheets[0].name = "Sheet1".into();
        out.push(Sample::new(
            "dujiqu_jingxinju_2020.xlsx",
            "杜集区经济和信息化局 2020（种子报告，官方版式）",
            &r,
            layout,
            sheets,
            vec![
                "the published numbers of `../shared/domain/samples/dujiqu_jingxinju_2020.txt`, unchanged",
                "official layout: one sheet `Sheet1` from A1, title row, table headings, merged headers, 3 label columns for 三",
                "采购总金额 is the published bare `0` (no unit): a zero amount has no unit to report — the reader must not flag it",
                "table 三 and 四 all zeros (the agency received no requests)",
            ],
            &[],
            vec![(P, "normative_documents", "published"), (P, "other_services", "prior_items")],
        )?);
    }

    // 2. 平潭 2022, regional roll-up, three sheets at C5 plus notes.
    {
        let r = report(
            "平潭综合实验区",
            2022,
            V21,
            &[
                "0", "0", "0", "88", "55", "698", "10690", "2113", "0", "9116.36",
            ],
            &[
                [71, 3, 0, 0, 0, 0, 74],
                [1, 0, 0, 0, 0, 0, 1],
                [21, 0, 0, 0, 0, 0, 21],
                [8, 1, 0, 0, 0, 0, 9],
                [0; 7],
                [0; 7],
                [0; 7],
                [0; 7],
                [1, 0, 0, 0, 0, 0, 1],
                [2, 0, 0, 0, 0, 0, 2],
                [1, 0, 0, 0, 0, 0, 1],
                [0; 7],
                [37, 0, 0, 0, 0, 0, 37],
                [0; 7],
                [0; 7],
                [0; 7],
                [0; 7],
                [0; 7],
                [0; 7],
                [0; 7],
                [2, 0, 0, 0, 0, 0, 2],
                [0; 7],
                [0, 2, 0, 0, 0, 0, 2],
                [72, 3, 0, 0, 0, 0, 75],
                [0; 7],
            ],
            [[0, 1, 1, 0, 2], [1, 0, 0, 0, 1], [0; 5]],
        );
        let layout = Layout {
            split: SheetSplit::PerTable,
            origin: (4, 2),
            title: Title::FillCells,
            headings: false,
            totals_as_formulas: true,
            notes_sheet: true,
            ..Layout::official()
        };
        out.push(Sample::new(
            "pingtan_2022.xlsx",
            "平潭综合实验区 2022（区域汇总，三表分页，起始于 C5）",
            &r,
            layout,
            layout.sheets(&r),
            vec![
                "the published numbers of `../shared/domain/samples/pingtan_2022_concatenated.txt` (agency written without the `（区域汇总报告）` suffix)",
                "tables on three sheets (`表二 主动公开`, `表三 依申请公开`, `表四 复议诉讼`), every block starting at C5",
                "`填报单位：平潭综合实验区` / `统计年度：2022年` cells at C5 and F5 of the first sheet (no title row, no headings)",
                "总计 columns of 三 and 四 are `=SUM(…)` formulas with cached results",
                "a fourth sheet `说明` with notes (no table labels in it)",
                "fees 9116.36 (万元, as the header states)",
            ],
            &[],
            vec![(P, "normative_documents", "issued"), (R, "other_misc", "commercial")],
        )?);
    }

    // 3. 沭阳 2025: two label columns, numbers as text, full-width digits, 件.
    {
        let mut r = report(
            "沭阳县人民政府",
            2025,
            V21,
            &[
                "0", "0", "0", "6", "1", "32", "517645", "693957", "2154", "4068.208",
            ],
            &[
                [705, 3, 0, 0, 5, 0, 713],
                [36, 0, 0, 0, 0, 0, 36],
                [290, 1, 0, 0, 3, 0, 294],
                [99, 0, 0, 0, 2, 0, 101],
                [0; 7],
                [0; 7],
                [2, 0, 0, 0, 0, 0, 2],
                [2, 0, 0, 0, 0, 0, 2],
                [13, 0, 0, 0, 0, 0, 13],
                [2, 0, 0, 0, 0, 0, 2],
                [4, 0, 0, 0, 0, 0, 4],
                [9, 0, 0, 0, 0, 0, 9],
                [111, 0, 0, 0, 0, 0, 111],
                [2, 0, 0, 0, 0, 0, 2],
                [0; 7],
                [12, 0, 0, 0, 0, 0, 12],
                [6, 1, 0, 0, 0, 0, 7],
                [0; 7],
                [0; 7],
                [0; 7],
                [9, 0, 0, 0, 0, 0, 9],
                [7, 0, 0, 0, 0, 0, 7],
                [142, 1, 0, 0, 0, 0, 143],
                [710, 3, 0, 0, 5, 0, 718],
                [31, 0, 0, 0, 0, 0, 31],
            ],
            [[27, 10, 9, 15, 61], [3, 0, 0, 0, 3], [8, 0, 1, 1, 10]],
        );
        for (row, col, raw) in [
            ("new", "natural_person", "７０５"),
            ("new", "total", "７１３"),
            ("handled_total", "total", "７１８"),
        ] {
            set(&mut r, R, row, col, |v| v.raw = Some(raw.into()));
        }
        for (row, col, raw) in [
            ("normative_documents", "issued", "6件"),
            ("normative_documents", "repealed", "1件"),
            ("normative_documents", "in_force", "32件"),
        ] {
            set(&mut r, P, row, col, |v| v.raw = Some(raw.into()));
        }
        set(&mut r, A, "review", "total", |v| {
            v.raw = Some("61件".into())
        });
        let layout = Layout {
            label_cols: LabelCols::Two,
            groups: GroupLabels::Repeated,
            numbers: NumberForm::Text,
            title: Title::Both,
            ..Layout::official()
        };
        out.push(Sample::new(
            "shuyang_2025.xlsx",
            "沭阳县人民政府 2025（两列标签、数字为文本）",
            &r,
            layout,
            layout.sheets(&r),
            vec![
                "the published numbers of `../shared/domain/samples/shuyang_county_2025_markdown.txt`",
                "one sheet `统计表`, title row and `填报单位`/`统计年度` cells",
                "table 三 labels in two columns (group | item) with the group label repeated on every row, unmerged",
                "every number stored as text (`\"290\"`), some with full-width digits (`７０５`, `７１３`, `７１８`) and some with `件` (`6件`, `32件`, `61件`)",
                "fees `4068.208` (万元, as the header states)",
            ],
            &[],
            vec![
                (R, "new", "natural_person"),
                (R, "other_fee_unpaid", "natural_person"),
                (A, "litigation_after_review", "total"),
            ],
        )?);
    }

    // 4. A 2019-format department with values in the wild forms.
    {
        let reqs = requests(
            V19,
            &[
                ("granted", [31, 4, 0, 0, 2, 1]),
                ("partly_granted", [6, 1, 0, 0, 0, 0]),
                ("withheld_third_party", [2, 0, 0, 0, 0, 0]),
                ("withheld_process_info", [1, 0, 0, 0, 0, 0]),
                ("unavailable_not_held", [12, 2, 0, 0, 0, 0]),
                ("unavailable_needs_creation", [3, 0, 0, 0, 0, 0]),
                ("rejected_petition", [4, 0, 0, 0, 0, 0]),
                ("rejected_duplicate", [2, 0, 0, 0, 0, 0]),
                ("other", [1, 0, 0, 0, 0, 0]),
            ],
            [3, 0, 0, 0, 0, 0],
            [5, 1, 0, 0, 0, 0],
        );
        let mut r = report(
            "云台区住房和城乡建设局",
            2020,
            V19,
            &[
                "0",
                "0",
                "0",
                "22",
                "22",
                "137",
                "46",
                "-3",
                "2356",
                "18",
                "2",
                "1045",
                "9",
                "0",
                "1234",
                "4",
                "0",
                "12",
                "3",
                "-1",
                "7",
                "251000元",
            ],
            &reqs,
            appeals([[2, 0, 1, 0], [1, 0, 0, 1], [0; 4]]),
        );
        set(&mut r, P, "normative_documents", "produced", |v| {
            v.raw = Some("22（其中修订16件）".into())
        });
        set(&mut r, P, "procurement", "amount", |v| {
            v.raw = Some("251000元".into())
        });
        // Blank cells: 总计 of every all-zero row, and the 科研机构 / 社会公益组织 columns.
        let spec = V19.spec().table(R);
        for row in spec.rows {
            let zero_row = n(&r, R, row.key, "total").is_zero();
            for col in row.columns {
                let blank = (col.key == "total" && zero_row)
                    || (matches!(col.key, "research" | "public_interest"));
                if blank {
                    set(&mut r, R, row.key, col.key, |v| v.status = Status::Blank);
                }
            }
        }
        // `无` for the zeros of 四.
        for row in ["review", "litigation_direct", "litigation_after_review"] {
            for col in ["upheld", "corrected", "other", "pending", "total"] {
                if n(&r, A, row, col).is_zero() {
                    set(&mut r, A, row, col, |v| v.raw = Some("无".into()));
                }
            }
        }
        let layout = Layout {
            origin: (1, 1),
            groups: GroupLabels::FirstOnly,
            merge_headers: false,
            punct: Punct::Half,
            label_spaces: true,
            header_breaks: true,
            label_variants: true,
            numbers: NumberForm::Thousands,
            zeros: ZeroForm::Dash,
            title: Title::FillCells,
            ..Layout::official()
        };
        let mut sheets = layout.sheets(&r);
        sheets[0].name = "2020年报表".into();
        out.push(Sample::new(
            "yuntai_zhujian_2020.xlsx",
            "云台区住房和城乡建设局 2020（2019 版，值的各种写法）",
            &r,
            layout,
            sheets,
            vec![
                "fictional agency, invented numbers (consistent: R1–R4 hold)",
                "one sheet `2020年报表` starting at B2 with `填报单位:`/`统计年度:` cells, no merged cells at all",
                "half-width punctuation (`(三)不予公开`, `填报单位:`), spaces in labels (`1. 属于国家秘密`, `第二十条 第(一)项`), headers broken by line feeds (`本年新\\n制作数量`)",
                "label variants: `行政规范性文件` (2019 form is 规范性文件), `(二) 部分公开`, `本年增减`, `社会公益`, `法人或者其他组织`",
                "thousands separators (`2,356`, `1,234`, `1,045`), `—` for zero, `无` for the zeros of 四, signed 本年增/减 (`-3`, `-1`)",
                "a note in a numeric cell: 规范性文件 本年新制作数量 `22（其中修订16件）` = 22",
                "采购总金额 `251000元` (unit in the cell)",
                "blank cells: 总计 of every all-zero row of 三, and the whole 科研机构 and 社会公益组织 columns → R6 warnings only",
                "group labels of 三 on the first row of each group only, the rows below left blank",
            ],
            &["R6"],
            vec![(P, "normative_documents", "produced"), (P, "licensing", "change"), (P, "penalty", "decisions")],
        )?
        .reading(&["I5"]));
    }

    // 5. A 2019-format department: 二 apart from 三+四, one label column, 12.5万元.
    {
        let reqs = requests(
            V19,
            &[
                ("granted", [9, 2, 1, 0, 0, 0]),
                ("partly_granted", [2, 0, 0, 0, 0, 0]),
                ("withheld_internal_affairs", [1, 0, 0, 0, 0, 0]),
                ("unavailable_not_held", [4, 1, 0, 0, 0, 0]),
                ("unavailable_unclear", [1, 0, 0, 0, 0, 0]),
                ("rejected_publication", [1, 0, 0, 0, 0, 0]),
            ],
            [1, 0, 0, 0, 0, 0],
            [0; 6],
        );
        let mut r = report(
            "云台区财政局",
            2019,
            V19,
            &[
                "0",
                "0",
                "0",
                "5",
                "5",
                "48",
                "12",
                "0",
                "86",
                "6",
                "1",
                "340",
                "2",
                "0",
                "7",
                "0",
                "0",
                "0",
                "8",
                "-2",
                "3",
                "12.5万元",
            ],
            &reqs,
            appeals([[1, 0, 0, 0], [0; 4], [0; 4]]),
        );
        set(&mut r, P, "procurement", "amount", |v| {
            v.raw = Some("12.5万元".into())
        });
        let layout = Layout {
            split: SheetSplit::ProactiveApart,
            label_cols: LabelCols::One,
            groups: GroupLabels::Repeated,
            numbers: NumberForm::Mixed,
            ..Layout::official()
        };
        out.push(Sample::new(
            "yuntai_caizheng_2019.xlsx",
            "云台区财政局 2019（2019 版，二与三四分页，一列标签）",
            &r,
            layout,
            layout.sheets(&r),
            vec![
                "fictional agency, invented numbers (consistent)",
                "two sheets: `主动公开` (二) and `依申请公开及复议诉讼` (三 and 四)",
                "table 三 labels in one column, group and item concatenated in every row (`（三）不予公开1.属于国家秘密`)",
                "numbers in mixed forms cell by cell: number, text, full-width, `件`, thousands (`340`, `\"5\"`, `４８`, `12件`, …)",
                "采购总金额 `12.5万元`",
            ],
            &[],
            vec![(P, "other_services", "decisions"), (R, "withheld_internal_affairs", "natural_person")],
        )?);
    }

    // 6. A 2021-format department with last year's tables on a hidden sheet.
    {
        let reqs22 = requests(
            V21,
            &[
                ("granted", [38, 3, 0, 0, 2, 0]),
                ("partly_granted", [9, 1, 0, 0, 0, 0]),
                ("withheld_third_party", [3, 0, 0, 0, 0, 0]),
                ("withheld_process_info", [2, 0, 0, 0, 0, 0]),
                ("unavailable_not_held", [21, 1, 0, 0, 0, 0]),
                ("unavailable_needs_creation", [4, 0, 0, 0, 0, 0]),
                ("rejected_petition", [6, 0, 0, 0, 0, 0]),
                ("rejected_duplicate", [3, 0, 0, 0, 0, 0]),
                ("other_no_correction", [2, 0, 0, 0, 0, 0]),
                ("other_misc", [1, 0, 0, 0, 0, 0]),
            ],
            [4, 0, 0, 0, 0, 0],
            [6, 1, 0, 0, 0, 0],
        );
        let r22 = report(
            "云台区人力资源和社会保障局",
            2022,
            V21,
            &["0", "0", "0", "4", "2", "27", "3517", "46", "3", "0"],
            &reqs22,
            appeals([[3, 1, 0, 1], [1, 0, 0, 0], [0, 0, 0, 1]]),
        );
        let reqs21 = requests(
            V21,
            &[
                ("granted", [30, 2, 0, 0, 0, 0]),
                ("partly_granted", [7, 0, 0, 0, 0, 0]),
                ("withheld_third_party", [1, 0, 0, 0, 0, 0]),
                ("unavailable_not_held", [18, 0, 0, 0, 0, 0]),
                ("rejected_petition", [5, 0, 0, 0, 0, 0]),
                ("other_misc", [2, 0, 0, 0, 0, 0]),
            ],
            [2, 0, 0, 0, 0, 0],
            [4, 0, 0, 0, 0, 0],
        );
        let r21 = report(
            "云台区人力资源和社会保障局",
            2021,
            V21,
            &["0", "0", "0", "3", "1", "25", "3204", "51", "5", "0"],
            &reqs21,
            appeals([[2, 0, 1, 0], [0; 4], [0; 4]]),
        );
        let layout = Layout::official();
        let mut sheets = layout.sheets(&r22);
        sheets[0].name = "2022年".into();
        let mut last_year = layout.sheets(&r21).remove(0);
        last_year.name = "2021年".into();
        last_year.hidden = true;
        sheets.insert(0, last_year);
        out.push(Sample::new(
            "yuntai_renshe_2022_hidden_2021.xlsx",
            "云台区人力资源和社会保障局 2022（隐藏工作表存有上年数据）",
            &r22,
            layout,
            sheets,
            vec![
                "fictional agency, invented numbers (consistent; last year's 结转下年度 = this year's 上年结转, X1 holds)",
                "first tab `2021年` is HIDDEN and holds the complete 2021 tables (other numbers); the visible `2022年` must win",
                "official layout otherwise",
            ],
            &[],
            vec![(P, "licensing", "decisions"), (R, "carried_in", "natural_person")],
        )?
        .reading(&["I8"]));
    }

    // 7. Two visible copies of the tables.
    {
        let base = |granted: i64, carried_out: i64| {
            requests(
                V21,
                &[
                    ("granted", [granted, 1, 0, 0, 0, 0]),
                    ("partly_granted", [4, 0, 0, 0, 0, 0]),
                    ("withheld_third_party", [1, 0, 0, 0, 0, 0]),
                    ("unavailable_not_held", [7, 0, 0, 0, 0, 0]),
                    ("rejected_petition", [2, 0, 0, 0, 0, 0]),
                    ("other_no_correction", [1, 0, 0, 0, 0, 0]),
                ],
                [1, 0, 0, 0, 0, 0],
                [carried_out, 0, 0, 0, 0, 0],
            )
        };
        let final_ = report(
            "云台区卫生健康委员会",
            2023,
            V21,
            &["0", "0", "0", "2", "0", "15", "1860", "212", "9", "0"],
            &base(15, 2),
            appeals([[1, 0, 0, 0], [0; 4], [0; 4]]),
        );
        let draft = report(
            "云台区卫生健康委员会",
            2023,
            V21,
            &["0", "0", "0", "2", "0", "15", "1860", "212", "9", "0"],
            &base(14, 3),
            appeals([[1, 0, 0, 0], [0; 4], [0; 4]]),
        );
        let layout = Layout::official();
        let mut sheets = layout.sheets(&final_);
        let mut copy = layout.sheets(&draft).remove(0);
        copy.name = "统计表 (2)".into();
        sheets.push(copy);
        let s = Sample::new(
            "two_visible_copies.xlsx",
            "云台区卫生健康委员会 2023（两个可见工作表都有统计表）",
            &final_,
            layout,
            sheets,
            vec![
                "fictional agency, invented numbers",
                "two VISIBLE sheets `统计表` and `统计表 (2)` (a draft: 予以公开 自然人 14 instead of 15, 结转 3 instead of 2), both complete and both consistent",
                "nianbao must not pick one: fatal error naming both sheets",
            ],
            &[],
            vec![],
        )?;
        let names = first_header_names(&s.written);
        out.push(s.fatal("ambiguous_table", names));
    }

    // 8–11. One rule each.
    {
        // R1: 市场监督管理局 2023, 结转下年度 raised in 自然人 and 总计.
        let mut r = report(
            "云台区市场监督管理局",
            2023,
            V21,
            &["0", "0", "0", "6", "3", "41", "12876", "1543", "87", "0"],
            &requests(
                V21,
                &[
                    ("granted", [52, 6, 0, 0, 3, 1]),
                    ("partly_granted", [11, 2, 0, 0, 0, 0]),
                    ("withheld_three_securities", [1, 0, 0, 0, 0, 0]),
                    ("withheld_third_party", [4, 0, 0, 0, 0, 0]),
                    ("withheld_enforcement_file", [3, 0, 0, 0, 1, 0]),
                    ("unavailable_not_held", [17, 1, 0, 0, 0, 0]),
                    ("unavailable_needs_creation", [2, 0, 0, 0, 0, 0]),
                    ("rejected_petition", [9, 0, 0, 0, 0, 0]),
                    ("rejected_duplicate", [5, 0, 0, 0, 0, 0]),
                    ("rejected_excessive", [2, 0, 0, 0, 0, 0]),
                    ("other_no_correction", [3, 0, 0, 0, 0, 0]),
                    ("other_misc", [2, 0, 0, 0, 0, 0]),
                ],
                [5, 1, 0, 0, 0, 0],
                [8, 0, 0, 0, 0, 0],
            ),
            appeals([[4, 1, 1, 1], [2, 0, 0, 1], [1, 0, 0, 0]]),
        );
        bump(&mut r, R, "carried_out", "natural_person", 1);
        bump(&mut r, R, "carried_out", "total", 1);
        let layout = Layout {
            split: SheetSplit::ProactiveApart,
            label_cols: LabelCols::Two,
            ..Layout::official()
        };
        out.push(Sample::new(
            "fails_r1.xlsx",
            "云台区市场监督管理局 2023（违反 R1）",
            &r,
            layout,
            layout.sheets(&r),
            vec![
                "fictional agency; a consistent report with 四、结转下年度继续办理 raised by 1 in 自然人 (8→9) and 总计 (8→9)",
                "fails R1 in columns natural_person and total (新收+上年结转 = 74+5 ≠ 办理结果总计+结转 = 71+9); R2 and R3 still hold",
                "二 on one sheet, 三+四 on another; 三 labels in two columns (merged groups)",
            ],
            &["R1"],
            vec![(R, "carried_out", "natural_person")],
        )?);
    }
    {
        // R2: 教育局 2021, 总计 shifted between two rows.
        let mut r = report(
            "云台区教育局",
            2021,
            V21,
            &["0", "0", "0", "3", "0", "19", "412", "5", "0", "0"],
            &requests(
                V21,
                &[
                    ("granted", [21, 1, 1, 0, 0, 0]),
                    ("partly_granted", [3, 0, 0, 0, 0, 0]),
                    ("withheld_internal_affairs", [2, 0, 0, 0, 0, 0]),
                    ("unavailable_not_held", [9, 0, 0, 0, 0, 0]),
                    ("rejected_petition", [3, 0, 0, 0, 0, 0]),
                    ("other_misc", [1, 0, 0, 0, 0, 0]),
                ],
                [0; 6],
                [1, 0, 0, 0, 0, 0],
            ),
            appeals([[1, 0, 0, 0], [0; 4], [0; 4]]),
        );
        bump(&mut r, R, "granted", "total", 1);
        bump(&mut r, R, "partly_granted", "total", -1);
        let layout = Layout {
            header_breaks: true,
            ..Layout::official()
        };
        out.push(Sample::new(
            "fails_r2.xlsx",
            "云台区教育局 2021（违反 R2）",
            &r,
            layout,
            layout.sheets(&r),
            vec![
                "fictional agency; a consistent report with 总计 of （一）予以公开 raised by 1 (23→24) and of （二）部分公开 lowered by 1 (3→2)",
                "fails R2 in rows granted and partly_granted; the 总计 column still sums to （七）总计, so R1 and R3 hold",
                "official layout with column headers broken by line feeds",
            ],
            &["R2"],
            vec![(R, "granted", "total"), (R, "partly_granted", "total")],
        )?);
    }
    {
        // R3: 民政局 2020 (2019 format), one result raised in 自然人 and 总计.
        let mut r = report(
            "云台区民政局",
            2020,
            V19,
            &[
                "0",
                "0",
                "0",
                "4",
                "4",
                "33",
                "9",
                "1",
                "264",
                "14",
                "0",
                "1187",
                "1",
                "0",
                "3",
                "0",
                "0",
                "0",
                "2",
                "0",
                "4",
                "386500元",
            ],
            &requests(
                V19,
                &[
                    ("granted", [17, 0, 0, 1, 0, 0]),
                    ("partly_granted", [2, 0, 0, 0, 0, 0]),
                    ("withheld_process_info", [1, 0, 0, 0, 0, 0]),
                    ("unavailable_not_held", [6, 0, 0, 0, 0, 0]),
                    ("rejected_duplicate", [1, 0, 0, 0, 0, 0]),
                    ("other", [1, 0, 0, 0, 0, 0]),
                ],
                [2, 0, 0, 0, 0, 0],
                [1, 0, 0, 0, 0, 0],
            ),
            appeals([[0, 1, 0, 0], [0; 4], [0; 4]]),
        );
        bump(&mut r, R, "granted", "natural_person", 1);
        bump(&mut r, R, "granted", "total", 1);
        let layout = Layout {
            origin: (2, 0),
            ..Layout::official()
        };
        out.push(Sample::new(
            "fails_r3.xlsx",
            "云台区民政局 2020（2019 版，违反 R3）",
            &r,
            layout,
            layout.sheets(&r),
            vec![
                "fictional agency, 2019 format; a consistent report with （一）予以公开 raised by 1 in 自然人 (17→18) and 总计 (18→19)",
                "fails R3 in columns natural_person and total (sum of results 29 ≠ （七）总计 28); R1 and R2 hold",
                "official layout starting at A3; 采购总金额 `386500元`",
            ],
            &["R3"],
            vec![(R, "granted", "natural_person"), (P, "procurement", "amount")],
        )?);
    }
    {
        // R4: 自然资源和规划局 2024, 行政复议 总计 raised.
        let mut r = report(
            "云台区自然资源和规划局",
            2024,
            V21,
            &["0", "0", "0", "5", "1", "36", "2871", "96", "14", "1532.6"],
            &requests(
                V21,
                &[
                    ("granted", [44, 9, 1, 0, 4, 2]),
                    ("partly_granted", [12, 3, 0, 0, 1, 0]),
                    ("withheld_third_party", [2, 0, 0, 0, 0, 0]),
                    ("withheld_process_info", [5, 0, 0, 0, 0, 0]),
                    ("unavailable_not_held", [23, 2, 0, 0, 0, 0]),
                    ("unavailable_needs_creation", [6, 0, 0, 0, 0, 0]),
                    ("unavailable_unclear", [1, 0, 0, 0, 0, 0]),
                    ("rejected_petition", [7, 0, 0, 0, 0, 0]),
                    ("rejected_confirmation", [2, 0, 0, 0, 0, 0]),
                    ("other_no_correction", [4, 0, 0, 0, 0, 0]),
                    ("other_fee_unpaid", [1, 0, 0, 0, 0, 0]),
                    ("other_misc", [3, 0, 0, 0, 0, 0]),
                ],
                [6, 1, 0, 0, 0, 0],
                [7, 0, 0, 0, 1, 0],
            ),
            appeals([[5, 2, 1, 2], [3, 1, 0, 2], [1, 0, 0, 1]]),
        );
        bump(&mut r, A, "review", "total", 1);
        let layout = Layout {
            split: SheetSplit::PerTable,
            origin: (2, 1),
            ..Layout::official()
        };
        out.push(Sample::new(
            "fails_r4.xlsx",
            "云台区自然资源和规划局 2024（违反 R4）",
            &r,
            layout,
            layout.sheets(&r),
            vec![
                "fictional agency; a consistent report with 行政复议 总计 raised by 1 (10→11)",
                "fails R4 in row review (5+2+1+2 = 10 ≠ 11)",
                "one sheet per table, each starting at B3; fees 1532.6 万元",
            ],
            &["R4"],
            vec![(A, "review", "total")],
        )?);
    }

    // 12. Version conflict: 2019 table 二 with 2021 tables 三 and 四.
    {
        let r19 = report(
            "云台区交通运输局",
            2021,
            V19,
            &[
                "0",
                "0",
                "0",
                "2",
                "2",
                "14",
                "7",
                "0",
                "1320",
                "3",
                "0",
                "58",
                "0",
                "0",
                "211",
                "0",
                "0",
                "6",
                "1",
                "0",
                "2",
                "184000元",
            ],
            &requests(
                V19,
                &[
                    ("granted", [6, 0, 0, 0, 0, 0]),
                    ("unavailable_not_held", [2, 0, 0, 0, 0, 0]),
                ],
                [0; 6],
                [0; 6],
            ),
            [[0; 5]; 3],
        );
        let r21 = report(
            "云台区交通运输局",
            2021,
            V21,
            &["0", "0", "0", "2", "0", "14", "1320", "211", "6", "0"],
            &requests(
                V21,
                &[
                    ("granted", [6, 0, 0, 0, 0, 0]),
                    ("unavailable_not_held", [2, 0, 0, 0, 0, 0]),
                ],
                [0; 6],
                [0; 6],
            ),
            [[0; 5]; 3],
        );
        let layout = Layout::official();
        let mut sheet = SheetSpec::new(
            "统计表",
            SheetContent::Tables(vec![(P, &r19), (R, &r21), (A, &r21)]),
        );
        sheet.with_title = true;
        let s = Sample::new(
            "version_conflict.xlsx",
            "云台区交通运输局 2021（二 用 2019 版表头，三 用 2021 版）",
            &r21,
            layout,
            vec![sheet],
            vec![
                "fictional agency; an old 2019 template for 二 (`本年新制作数量`, `第二十条第（九）项`) pasted above 2021 tables 三 and 四 (`申请人无正当理由逾期不补正…`)",
                "fatal: conflicting version evidence, the error names a 2019 label cell and a 2021 label cell",
            ],
            &[],
            vec![],
        )?;
        let names = version_evidence_names(&s.written);
        out.push(s.fatal("version_conflict", names));
    }

    // 13–15. Distinct fictional agencies kept only as LibreOffice .xls / .ods.
    out.extend(more::libreoffice_samples()?);
    Ok(out)
}

/// For each visible sheet, the first `信息内容` header cell (table 二's first sub-table): the
/// label a reader anchors table 二 on. Table 二 is the first table in document order, so an
/// error about duplicated tables names it first (any duplicated table would be right; this is
/// the one the message is expected to show).
fn first_header_names(w: &Written) -> Vec<String> {
    w.sheets
        .iter()
        .filter(|s| !s.hidden)
        .filter_map(|s| {
            s.cells
                .iter()
                .find(|(_, t)| t.starts_with("信息内容"))
                .map(|((r, c), _)| format!("'{}'!{}", s.name, a1(*r, (*c).into())))
        })
        .collect()
}

/// Cells holding version evidence labels (FORMATS.md), first of each version.
fn version_evidence_names(w: &Written) -> Vec<String> {
    let mut out = Vec::new();
    for version in FormatVersion::ALL {
        'found: for s in &w.sheets {
            for ((r, c), text) in &s.cells {
                let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                let hit = nianbao::model::spec::VERSION_EVIDENCE
                    .iter()
                    .any(|(label, v)| *v == version && t.contains(label));
                if hit {
                    out.push(format!("'{}'!{}", s.name, a1(*r, (*c).into())));
                    break 'found;
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// xls / ods samples via LibreOffice

/// Build each sample marked [`Sample::converted`] as xlsx in a scratch directory, convert it with
/// LibreOffice, and replace the committed file only when its cells differ (LibreOffice stamps ods
/// files with the conversion time, so byte-identical output is not possible; comparing cell
/// dumps keeps a regeneration from churning the file). Without `soffice` the committed files
/// stay (with a note); a sample whose file does not exist then is dropped from the manifest.
fn convert_samples(samples: Vec<Sample>) -> Res<Vec<Sample>> {
    let have_soffice = Command::new("soffice")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    let scratch = std::env::temp_dir().join(format!("nianbao-gen-samples-{}", std::process::id()));
    let profile = scratch.join("lo-profile");
    let converted = scratch.join("out");
    std::fs::create_dir_all(&converted)?;
    let mut out = Vec::new();
    for s in samples {
        let Some(ext) = s.convert else {
            out.push(s);
            continue;
        };
        let target = Path::new(OUT).join(&s.file);
        if have_soffice {
            let stem = s.file.rsplit_once('.').expect("extension").0;
            let xlsx = scratch.join(format!("{stem}.xlsx"));
            std::fs::write(&xlsx, &s.written.bytes)?;
            let status = Command::new("soffice")
                .arg(format!(
                    "-env:UserInstallation=file://{}",
                    profile.display()
                ))
                .args(["--headless", "--convert-to", ext, "--outdir"])
                .arg(&converted)
                .arg(&xlsx)
                .output()?;
            let fresh = converted.join(&s.file);
            if !status.status.success() || !fresh.exists() {
                return Err(format!(
                    "soffice failed on {}: {}",
                    xlsx.display(),
                    String::from_utf8_lossy(&status.stderr)
                )
                .into());
            }
            if target.exists() && cell_dump(&target)? == cell_dump(&fresh)? {
                println!("kept {OUT}/{} (LibreOffice conversion, same cells)", s.file);
            } else {
                std::fs::copy(&fresh, &target)?;
                println!("converted {OUT}/{} (LibreOffice)", s.file);
            }
        } else {
            println!(
                "note: soffice (LibreOffice) not found: {OUT}/{} not regenerated",
                s.file
            );
        }
        if target.exists() {
            out.push(s);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(out)
}

/// Every sheet (name, visibility) and non-empty cell (absolute position, value) of a workbook.
fn cell_dump(path: &Path) -> Res<Vec<String>> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(path)?;
    let mut out = Vec::new();
    let sheets = wb.sheets_metadata().to_vec();
    for sheet in sheets {
        out.push(format!("{} {:?}", sheet.name, sheet.visible));
        let range = wb.worksheet_range(&sheet.name)?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, v) in range.used_cells() {
            out.push(format!("{} {} {v:?}", r0 + r as u32, c0 + c as u32));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Manifest and README

/// The fields pinned for every sample of a version, plus the sample's own.
fn pinned_fields(s: &Sample) -> Vec<(TableKey, &'static str, &'static str)> {
    let mut v: Vec<(TableKey, &'static str, &'static str)> = match s.report.meta.format {
        FormatVersion::V2019 => vec![
            (P, "normative_documents", "total_published"),
            (P, "licensing", "decisions"),
            (P, "procurement", "amount"),
        ],
        FormatVersion::V2021 => vec![
            (P, "normative_documents", "in_force"),
            (P, "licensing", "decisions"),
            (P, "fees", "amount"),
        ],
    };
    v.extend([
        (R, "new", "total"),
        (R, "handled_total", "natural_person"),
        (R, "carried_out", "total"),
        (A, "review", "total"),
    ]);
    for p in &s.pins {
        if !v.contains(p) {
            v.push(*p);
        }
    }
    v
}

fn pinned_json(s: &Sample) -> Vec<Json> {
    pinned_fields(s)
        .into_iter()
        .map(|(t, row, col)| {
            let v = s.report.get(t, row, col).expect("field");
            let place = s.written.visible_cell(t, row, col).expect("written");
            let status = if place.blank { "blank" } else { "filled" };
            json!({
                "table": t.key(),
                "row": row,
                "column": col,
                "value": v.value.normalize().to_string(),
                "unit": v.unit.map(|u| u.label()),
                "status": status,
                "sheet": place.sheet,
                "cell": a1(place.row, place.col.into()),
                "shown": place.shown,
            })
        })
        .collect()
}

fn sample_json(s: &Sample) -> Json {
    let file = s.file.as_str();
    let m = &s.report.meta;
    let mut o = json!({
        "file": file,
        "agency": m.agency,
        "year": m.year,
        "format": match &s.outcome {
            Outcome::Fatal { kind: "version_conflict", .. } => Json::Null,
            _ => json!(m.format.id()),
        },
    });
    let obj = o.as_object_mut().expect("object");
    if let Some(ext) = s.convert {
        obj.insert(
            "converted_with".into(),
            json!(format!("soffice --headless --convert-to {ext}")),
        );
    }
    obj.insert(
        "sheets".into(),
        Json::Array(
            s.written
                .sheets
                .iter()
                .map(|w| json!({"name": w.name, "hidden": w.hidden}))
                .collect(),
        ),
    );
    obj.insert("quirks".into(), json!(s.quirks));
    match &s.outcome {
        Outcome::Findings(f) => {
            let errors = f.iter().any(|f| f.severity == "error");
            obj.insert("exit_code".into(), json!(if errors { 1 } else { 0 }));
            obj.insert("fatal".into(), Json::Null);
            let mut rules: Vec<&str> = f.iter().map(|f| f.rule).collect();
            rules.dedup();
            obj.insert("rules".into(), json!(rules));
            obj.insert("reading".into(), json!(s.reading));
            obj.insert(
                "findings".into(),
                Json::Array(
                    f.iter()
                        .map(|f| {
                            json!({
                                "rule": f.rule,
                                "severity": f.severity,
                                "table": f.table,
                                "row": f.row,
                                "column": f.column,
                                "cell": f.cell,
                            })
                        })
                        .collect(),
                ),
            );
            obj.insert("pinned".into(), Json::Array(pinned_json(s)));
        }
        Outcome::Fatal { kind, names } => {
            obj.insert("exit_code".into(), json!(2));
            obj.insert("fatal".into(), json!(kind));
            obj.insert("fatal_names".into(), json!(names));
            obj.insert("rules".into(), json!([]));
            obj.insert("reading".into(), json!([]));
            obj.insert("findings".into(), json!([]));
            obj.insert("pinned".into(), json!([]));
        }
    }
    o
}

fn manifest(samples: &[Sample], rollup: &Json) -> Json {
    let list: Vec<Json> = samples.iter().map(sample_json).collect();
    json!({
        "about": "Expected results per sample workbook, written by `cargo run --example gen_samples` from the same data as the workbooks. `file`: path under sample_workbooks/. `rules`: the exact set of rule ids (R1–R6) the file must produce; `reading`: the exact set of reading-finding ids (I…) it must produce (declared per sample); `findings`: each expected R finding, keyed by table/row/column (R1/R3 name a column, R2/R4 a row, R6 a blank cell), with `cell` the sheet-qualified cell the finding points at (R1/R3: the column's （七）总计 cell; R2/R4: the row's 总计 cell; R6: the blank cell — nianbao groups R6 per table row, so compare sets of blank cells). `fatal`: ReadError::kind() when the file cannot be used, with `fatal_names` the sheets/cells the error should name. `sheets`: tab order and visibility; `quirks`: what the sample exercises (prose); `converted_with`: the sample was built as xlsx and only its LibreOffice conversion is kept. `pinned`: numbers that must be read exactly (value as a decimal string, unit for money, status filled/blank, the source cell). `rollup_2023`: the roll-up set (folder, previous year's folder, roster, counted and excluded files, roster entries with no matching submission, submissions not on the roster with the suggested roster name, cross-year findings with `--previous`, and `totals`: the sum of the counted reports per field `table.row.column`, computed by the generator).",
        "samples": list,
        "rollup_2023": rollup,
    })
}

fn readme(all: &[Sample], rollup: &Json, roster: &str) -> String {
    let samples: Vec<&Sample> = all.iter().filter(|s| !s.file.contains('/')).collect();
    let mut o = String::new();
    o.push_str("# 样例工作簿 Sample workbooks\n\n");
    o.push_str(
        "Generated by `cargo run --example gen_samples` (source: `examples/gen_samples/main.rs`, \
         layouts: `tests/support/layouts.rs`) — do not edit by hand; change the generator and \
         rerun. Machine-readable expectations: [`expected.json`](expected.json).\n\n\
         The three published reports keep their published numbers; every agency named `云台区…` \
         is fictional and its numbers are invented (consistent unless the sample is meant to fail \
         a rule). Bad inputs (damaged, encrypted, oversized, …) are in `bad/`; a roll-up set \
         (`rollup_2023/`, `rollup_2022/`, `rollup_2023_roster.csv`) is described at the end. No \
         two workbooks share agency and year, so `nianbao check sample_workbooks/` reports no \
         duplicate (B1).\n\n\
         The published texts the three published workbooks were built from are in \
         [`../sample_published/`](../sample_published/) (copies of `../shared/domain/samples/`): \
         the scraped text and the Markdown one read with every number equal to their workbook's \
         (`tests/published_text.rs`); the concatenated one (cells run together) reads 204 of \
         its 207 numbers, each equal to its workbook's, the three of `行政规范性文件` \
         (`8855698`, not split unambiguously) reported as not read (I4). They are kept outside \
         this folder because each is the same report as its workbook (B1).\n\n\
         Grids show the top-left of each table (row numbers and column letters as in Excel; \
         merged cells show their text in the top-left cell only; `⏎` is a line feed inside a \
         cell; `→` after a formula is its cached result; a value stored as text is shown with \
         Excel's leading `'`, e.g. `'１２`).\n\n",
    );
    o.push_str("| file | agency | year | format | expected |\n|---|---|---|---|---|\n");
    for s in &samples {
        let m = &s.report.meta;
        let _ = writeln!(
            o,
            "| [`{}`](#{}) | {} | {} | {} | {} |",
            s.file,
            anchor(&s.file),
            m.agency.as_deref().unwrap_or(""),
            m.year.map(|y| y.to_string()).unwrap_or_default(),
            m.format.id(),
            outcome_short(&s.outcome)
        );
    }
    o.push('\n');
    for s in &samples {
        let _ = writeln!(o, "## {}\n\n{}\n", s.file, s.title);
        let m = &s.report.meta;
        let _ = writeln!(
            o,
            "- agency **{}**, year **{}**, format **{}**",
            m.agency.as_deref().unwrap_or(""),
            m.year.map(|y| y.to_string()).unwrap_or_default(),
            m.format.id()
        );
        let _ = writeln!(o, "- expected: {}", outcome_long(&s.outcome));
        if !s.reading.is_empty() {
            let _ = writeln!(
                o,
                "- reading findings: {} (warnings)",
                s.reading
                    .iter()
                    .map(|r| format!("**{r}**"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        for q in &s.quirks {
            let _ = writeln!(o, "- {q}");
        }
        let l = &s.layout;
        let _ = writeln!(
            o,
            "- layout: `{:?}`, origin {}, 三 labels {:?}/{:?}, merged headers {}, punctuation {:?}, numbers {:?}, zeros {:?}",
            l.split,
            a1(l.origin.0, l.origin.1.into()),
            l.label_cols,
            l.groups,
            l.merge_headers,
            l.punct,
            l.numbers,
            l.zeros
        );
        o.push('\n');
        if let Some(ext) = s.convert {
            let _ = writeln!(
                o,
                "Grids of the xlsx as built, before `soffice --convert-to {ext}` (same cells).\n"
            );
        }
        grids(&mut o, s);
    }
    rollup_section(&mut o, all, rollup, roster);
    o
}

/// The grids of a sample's tables.
fn grids(o: &mut String, s: &Sample) {
    for sheet in &s.written.sheets {
        let hidden = if sheet.hidden { " (hidden)" } else { "" };
        if sheet.tables.is_empty() {
            let _ = writeln!(o, "Sheet `{}`{hidden}: notes only.\n", sheet.name);
            continue;
        }
        for (i, b) in sheet.tables.iter().enumerate() {
            // Show the title / heading rows above the first table of a sheet.
            let top = if i == 0 {
                s.layout.origin.0
            } else {
                b.first_row - u32::from(s.layout.headings)
            };
            let (rows, cols) = match b.table {
                TableKey::Proactive => (6, 4),
                TableKey::Requests => (9, b.cols - 7 + 3),
                TableKey::Appeals => (4, 7),
            };
            let rows = rows + (b.first_row - top);
            let _ = writeln!(
                o,
                "Sheet `{}`{hidden}, {} at {}:\n\n```\n{}```\n",
                sheet.name,
                b.table.short(),
                a1(b.first_row, b.first_col.into()),
                s.written.grid(&sheet.name, top, b.first_col, rows, cols)
            );
        }
    }
}

/// `["a", "b"]` → "`a`, `b`".
fn codes(v: &Json) -> String {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str())
        .map(|x| format!("`{x}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The roll-up set: what it is, the command, each file, the roster, the expected totals of a few
/// fields, and the grids of one workbook.
fn rollup_section(o: &mut String, all: &[Sample], rollup: &Json, roster: &str) {
    let strs = |k: &str| -> Vec<String> {
        rollup[k]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    o.push_str("## Roll-up set 区域汇总样例（云台区 2023）\n\n");
    o.push_str(
        "`rollup_2023/` holds the 2023 workbooks (2021 format) of the fictional departments of \
         `云台区`, in varied layouts; `rollup_2022/` holds their 2022 workbooks for the cross-year \
         checks; `rollup_2023_roster.csv` (UTF-8 with BOM, header `单位名称,区划代码,层级,上级`) \
         lists the departments expected to report. It sits outside the folder so that it is not \
         taken for a workbook.\n\n\
         ```sh\n\
         nianbao rollup sample_workbooks/rollup_2023 --name 云台区 \\\n    \
         --roster sample_workbooks/rollup_2023_roster.csv \\\n    \
         --previous sample_workbooks/rollup_2022 -o 云台区2023汇总.xlsx --csv 云台区2023汇总.csv\n\
         ```\n\n",
    );
    let counted = strs("counted");
    let _ = writeln!(
        o,
        "What it must show (machine-readable: `rollup_2023` in [`expected.json`](expected.json), \
         with the expected regional total of every field, summed by the generator from its own \
         numbers):\n"
    );
    let _ = writeln!(o, "- counted: {} files", counted.len());
    for e in rollup["excluded"].as_array().into_iter().flatten() {
        let _ = writeln!(
            o,
            "- listed but not counted: `{}` (fails {})",
            e["file"].as_str().unwrap_or(""),
            codes(&e["rules"])
        );
    }
    for e in rollup["not_on_roster"].as_array().into_iter().flatten() {
        let _ = writeln!(
            o,
            "- not on the roster: `{}` names itself `{}`; the roster's `{}` is suggested (never merged), and counted as a report",
            e["file"].as_str().unwrap_or(""),
            e["agency"].as_str().unwrap_or(""),
            e["suggested"].as_str().unwrap_or("")
        );
    }
    let _ = writeln!(
        o,
        "- roster entries with no matching submission: {}",
        strs("missing_from_roster")
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for e in rollup["cross_year"].as_array().into_iter().flatten() {
        let _ = writeln!(
            o,
            "- with `--previous`: {} on `{}` in columns {} (last year's 结转下年度 ≠ this year's 上年结转); \
             the region's 上年结转 also differs from the sum of last year's reports, since one report is excluded and one department did not submit",
            e["rule"].as_str().unwrap_or(""),
            e["file"].as_str().unwrap_or(""),
            codes(&e["columns"])
        );
    }
    let t = &rollup["totals"];
    let _ = writeln!(
        o,
        "- a few expected totals: 新收 总计 {}, （七）总计 总计 {}, 结转下年度 总计 {}, 行政复议 总计 {}, 收费金额 {} 万元\n",
        t["requests.new.total"].as_str().unwrap_or(""),
        t["requests.handled_total.total"].as_str().unwrap_or(""),
        t["requests.carried_out.total"].as_str().unwrap_or(""),
        t["appeals.review.total"].as_str().unwrap_or(""),
        t["proactive.fees.amount"].as_str().unwrap_or(""),
    );
    o.push_str("| file | agency | year | expected (check) | layout |\n|---|---|---|---|---|\n");
    for s in all.iter().filter(|s| s.file.contains('/')) {
        let m = &s.report.meta;
        let l = &s.layout;
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | {} | `{:?}` at {}, 三 labels {:?}/{:?}, numbers {:?}, zeros {:?}{}{} |",
            s.file,
            m.agency.as_deref().unwrap_or(""),
            m.year.map(|y| y.to_string()).unwrap_or_default(),
            outcome_short(&s.outcome),
            l.split,
            a1(l.origin.0, l.origin.1.into()),
            l.label_cols,
            l.groups,
            l.numbers,
            l.zeros,
            if l.totals_as_formulas { ", formulas" } else { "" },
            if l.punct == Punct::Half { ", half-width" } else { "" },
        );
    }
    let _ = writeln!(
        o,
        "\n`rollup_2023_roster.csv`:\n\n```\n{}```\n",
        roster.trim_start_matches('\u{feff}')
    );
    if let Some(s) = all
        .iter()
        .find(|s| s.file == "rollup_2023/tongji_2023.xlsx")
    {
        let _ = writeln!(o, "### {}\n", s.file);
        for q in &s.quirks {
            let _ = writeln!(o, "- {q}");
        }
        o.push('\n');
        grids(o, s);
    }
}

fn anchor(file: &str) -> String {
    file.chars()
        .filter(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect::<String>()
        .to_lowercase()
}

fn outcome_short(o: &Outcome) -> String {
    match o {
        Outcome::Findings(f) if f.is_empty() => "clean".into(),
        Outcome::Findings(f) => {
            let mut rules: Vec<String> = f
                .iter()
                .map(|f| format!("{} ({})", f.rule, f.severity))
                .collect();
            rules.dedup();
            rules.join(", ")
        }
        Outcome::Fatal { kind, .. } => format!("fatal `{kind}`"),
    }
}

fn outcome_long(o: &Outcome) -> String {
    match o {
        Outcome::Findings(f) if f.is_empty() => "**clean** (no findings R1–R6, exit 0)".into(),
        Outcome::Findings(f) => {
            let mut by_rule: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for x in f {
                let what = match (&x.cell, x.row, x.column) {
                    (Some(c), _, _) => c.clone(),
                    (None, Some(r), None) => format!("row `{r}`"),
                    (None, None, Some(c)) => format!("column `{c}`"),
                    _ => String::new(),
                };
                by_rule.entry(x.rule).or_default().push(what);
            }
            let errors = f.iter().any(|f| f.severity == "error");
            let parts: Vec<String> = by_rule
                .iter()
                .map(|(r, w)| {
                    if w.len() > 6 {
                        format!("**{r}** ×{} ({}, …)", w.len(), w[..4].join(", "))
                    } else {
                        format!("**{r}** ({})", w.join(", "))
                    }
                })
                .collect();
            format!("{}; exit {}", parts.join("; "), if errors { 1 } else { 0 })
        }
        Outcome::Fatal { kind, names } => {
            format!("**fatal `{kind}`** naming {}; exit 2", names.join(" and "))
        }
    }
}

//! Rendering check results for people (text) and for scripts (JSON).

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use nianbao::batch::{Checked, Verdict};
use nianbao::diag::{self, Diagnostic};
use nianbao::rollup::roster::{Coverage, CoverageRow};
use nianbao::rollup::{FindingRow, Head, RollupError, RollupOutcome, Standing, Tally};

/// Text as it may reach a terminal: every control character but the line break (ESC, BEL,
/// CR, DEL, C1 …) and every bidi override shown escaped (`\u{1b}`), so that text from an input
/// (a file name, an agency, a sheet, a cell quoted in a message) cannot drive the terminal or
/// hide what is printed. Every line of text output from input goes through it; JSON output is
/// escaped by serde_json.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !s.contains(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `writeln!` through [`terminal_safe`].
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {
        writeln!($out, "{}", terminal_safe(&format!($($arg)*)))
    };
}

/// One line describing a report: `单位 2020年 2019版`.
fn describe(c: &Checked) -> String {
    match c.report() {
        Some(r) => format!(
            "{} {} {}版",
            r.meta.agency.as_deref().unwrap_or("（未知单位）"),
            r.meta
                .year
                .map_or("（未知年度）".to_string(), |y| format!("{y}年")),
            r.meta.format
        ),
        None => String::new(),
    }
}

/// One finding as `check` prints it: `R1 错误 'Sheet1'!D12：message`.
pub fn finding_line(d: &Diagnostic) -> String {
    line_of(&d.rule.to_string(), d.label(), &d.location(), &d.message)
}

/// A roll-up's finding row, printed as [`finding_line`] prints a finding.
pub fn row_line(fr: &FindingRow) -> String {
    line_of(&fr.rule, &fr.severity, &fr.location(), &fr.message)
}

fn line_of(rule: &str, label: &str, loc: &str, message: &str) -> String {
    let loc = if loc.is_empty() {
        String::new()
    } else {
        format!(" {loc}")
    };
    format!("{rule} {label}{loc}：{message}")
}

/// A finding's line, indented, and its hint below it.
fn say_finding(out: &mut dyn Write, line: &str, help: Option<&str>) -> io::Result<()> {
    say!(out, "  {line}")?;
    if let Some(h) = help.filter(|h| !h.is_empty()) {
        say!(out, "      提示：{h}")?;
    }
    Ok(())
}

/// Human output: per file a heading, its findings with hints, then a summary line.
pub fn text(out: &mut dyn Write, results: &[Checked]) -> io::Result<()> {
    for c in results {
        match &c.outcome {
            Err(e) => {
                say!(out, "✗ {}：无法读取", c.display)?;
                say!(out, "  {e}")?;
                say!(out, "  提示：{}", e.hint(&super::wording()))?;
            }
            Ok((_, findings)) => {
                let (e, w) = diag::counts(findings);
                let mark = if e > 0 {
                    "✗"
                } else if w > 0 {
                    "!"
                } else {
                    "✓"
                };
                let verdict = if findings.is_empty() {
                    "通过".to_string()
                } else {
                    format!("{e} 个错误，{w} 个警告")
                };
                say!(out, "{mark} {}  {}：{verdict}", c.display, describe(c))?;
                for d in findings {
                    say_finding(out, &finding_line(d), d.help.as_deref())?;
                }
            }
        }
    }
    let s = Summary::of(results);
    say!(
        out,
        "合计：{} 个文件，{} 个无法读取，{} 个有错误；共 {} 个错误、{} 个警告",
        s.files,
        s.unreadable,
        s.files_with_errors,
        s.errors,
        s.warnings
    )
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub files: usize,
    pub unreadable: usize,
    pub files_with_errors: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn of(results: &[Checked]) -> Self {
        let mut s = Summary {
            files: results.len(),
            unreadable: 0,
            files_with_errors: 0,
            errors: 0,
            warnings: 0,
        };
        for c in results {
            if c.outcome.is_err() {
                s.unreadable += 1;
            }
            let (e, w) = diag::counts(c.findings());
            s.errors += e;
            s.warnings += w;
            if e > 0 {
                s.files_with_errors += 1;
            }
        }
        s
    }

    /// The exit code: 2 if a file could not be read, 1 if any error finding, else 0.
    pub fn exit_code(&self) -> i32 {
        super::exit::of(Verdict::of(self.unreadable > 0, self.errors > 0))
    }
}

#[derive(Serialize)]
struct FatalJson {
    kind: &'static str,
    message: String,
    hint: String,
}

/// A file's verdict as the page and the JSON name it: 通过 / 有警告 / 有错误 / 无法读取.
pub fn verdict_label(c: &Checked) -> &'static str {
    let (e, w) = diag::counts(c.findings());
    if c.outcome.is_err() {
        "无法读取"
    } else if e > 0 {
        "有错误"
    } else if w > 0 {
        "有警告"
    } else {
        "通过"
    }
}

#[derive(Serialize)]
struct FileJson<'a> {
    path: &'a str,
    /// [`verdict_label`].
    verdict: &'static str,
    agency: Option<&'a str>,
    year: Option<u16>,
    /// Where the agency and the year came from (`label`, `title`, `file_name`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    agency_from: Option<nianbao::model::MetaSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    year_from: Option<nianbao::model::MetaSource>,
    format: Option<&'static str>,
    error: Option<FatalJson>,
    findings: &'a [Diagnostic],
}

/// JSON output: `{"files": [...], "summary": {...}}`.
pub fn json(out: &mut dyn Write, results: &[Checked]) -> io::Result<()> {
    json_in(out, results, &super::wording())
}

/// [`json`] with the hints of unreadable files in `wording` (the web page's own words).
pub fn json_in(
    out: &mut dyn Write,
    results: &[Checked],
    wording: &nianbao::wording::Wording,
) -> io::Result<()> {
    let files: Vec<FileJson> = results
        .iter()
        .map(|c| FileJson {
            path: &c.display,
            verdict: verdict_label(c),
            agency: c.report().and_then(|r| r.meta.agency.as_deref()),
            year: c.report().and_then(|r| r.meta.year),
            agency_from: c.report().and_then(|r| r.meta.agency_from),
            year_from: c.report().and_then(|r| r.meta.year_from),
            format: c.report().map(|r| r.meta.format.id()),
            error: c.outcome.as_ref().err().map(|e| FatalJson {
                kind: e.kind(),
                message: e.to_string(),
                hint: e.hint(wording),
            }),
            findings: c.findings(),
        })
        .collect();
    #[derive(Serialize)]
    struct Doc<'a> {
        files: Vec<FileJson<'a>>,
        summary: Summary,
    }
    serde_json::to_writer_pretty(
        &mut *out,
        &Doc {
            files,
            summary: Summary::of(results),
        },
    )?;
    writeln!(out)
}

/// How many findings of one file the roll-up's text output shows (the rest are counted).
pub const SHOWN_PER_FILE: usize = 3;
/// How many region-level findings the roll-up's text output shows (the rest are counted).
pub const SHOWN_REGION: usize = 10;

/// The outputs of a roll-up, as the command line named them.
pub struct Written<'a> {
    /// Whether they were written (`--strict` refuses a roll-up that is not clean).
    pub written: bool,
    /// The summary workbook, and the long CSV if asked for.
    pub paths: Vec<&'a std::path::Path>,
}

/// The roll-up's last line: how many files stand where, and the roster's missing agencies.
pub fn rollup_summary(o: &RollupOutcome) -> String {
    let t = o.tally;
    let roster = o
        .missing
        .map(|m| format!("；名单中未报送 {m} 个"))
        .unwrap_or_default();
    // the rarer standings only when they occur, so the ordinary line stays short
    let rare = [
        (t.in_summary, "已含在汇总表中"),
        (t.earlier_output, "以前的汇总输出"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("，{what} {n}"))
    .collect::<String>();
    format!(
        "{} 个文件：计入 {} 个；有错误未计入 {}，重复 {}，年度未知 {}，无法读取 {}{rare}{roster}",
        t.files, t.counted, t.invalid, t.duplicate, t.year_unknown, t.unreadable,
    )
}

/// `单位 2023年 2021版` of a roll-up's file, or nothing for a file that could not be read.
fn describe_head(h: &Head) -> String {
    let Some(format) = h.format else {
        return String::new();
    };
    format!(
        "  {} {} {format}版",
        h.agency.as_deref().unwrap_or("（未知单位）"),
        h.year
            .map_or("（未知年度）".to_string(), |y| format!("{y}年"))
    )
}

/// Errors first, then warnings, then what could not be checked (stable within each).
fn severity_rank(fr: &FindingRow) -> u8 {
    match fr.severity_id() {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    }
}

/// What a roll-up did, for people: every file not counted (and every counted file with an
/// error finding) with why and its first findings, the region's findings, the roster's
/// 未报送 / 名单外 lines, what was written, and the summary line last. `quiet`: the summary
/// line only.
pub fn rollup_text(
    out: &mut dyn Write,
    o: &mut RollupOutcome,
    written: &Written,
    quiet: bool,
) -> Result<(), RollupError> {
    if !quiet {
        o.rollup.for_each_file(|head, findings| {
            if head.standing.counted() && head.errors == 0 {
                return Ok(());
            }
            let mark = if head.standing.counted() { "!" } else { "✗" };
            let counts = if head.fatal.is_some() {
                String::new()
            } else {
                format!("（{} 个错误，{} 个警告）", head.errors, head.warnings)
            };
            say!(
                out,
                "{mark} {}{}：{}{counts}",
                head.display,
                describe_head(head),
                head.standing.label()
            )?;
            let mut shown: Vec<&FindingRow> = findings.iter().collect();
            shown.sort_by_key(|fr| severity_rank(fr));
            for fr in shown.iter().take(SHOWN_PER_FILE) {
                say_finding(out, &row_line(fr), Some(&fr.help))?;
            }
            if shown.len() > SHOWN_PER_FILE {
                say!(
                    out,
                    "  ……另有 {} 条问题（全部问题见汇总工作簿的“校验问题”工作表）",
                    shown.len() - SHOWN_PER_FILE
                )?;
            }
            Ok(())
        })?;
        let region = &o.rollup.region_findings;
        if !region.is_empty() {
            say!(out, "区域合计（{}）：", o.rollup.total.meta.source)?;
            for d in region.iter().take(SHOWN_REGION) {
                say_finding(out, &finding_line(d), d.help.as_deref())?;
            }
            if region.len() > SHOWN_REGION {
                say!(
                    out,
                    "  ……另有 {} 条问题（见汇总工作簿的“校验问题”工作表）",
                    region.len() - SHOWN_REGION
                )?;
            }
        }
        let roster: Vec<&CoverageRow> = o
            .coverage
            .iter()
            .filter(|c| matches!(c.coverage, Coverage::Missing | Coverage::Unexpected))
            .collect();
        if !roster.is_empty() {
            say!(out, "名单比对：")?;
        }
        for c in roster {
            let name = c
                .entry
                .as_ref()
                .map(|e| e.name.as_str())
                .or(c.submitted_name.as_deref())
                .unwrap_or_default();
            let file = c
                .file
                .as_ref()
                .map(|f| format!("（{f}）"))
                .unwrap_or_default();
            let note = if c.note.is_empty() {
                String::new()
            } else {
                format!("：{}", c.note)
            };
            say!(out, "  {}：{name}{file}{note}", c.coverage.label())?;
        }
    }
    if !quiet {
        if written.written {
            let names: Vec<String> = written
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            say!(out, "已写出 {}", names.join(" 和 "))?;
        } else {
            say!(out, "--strict：有文件有错误或无法读取，未写出任何文件")?;
        }
    }
    say!(out, "{}", rollup_summary(o))?;
    Ok(())
}

#[derive(Serialize)]
struct FindingRowJson<'a> {
    rule: &'a str,
    severity: &'static str,
    file: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    sheet: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    cell: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    help: &'a str,
}

impl<'a> From<&'a FindingRow> for FindingRowJson<'a> {
    fn from(fr: &'a FindingRow) -> Self {
        FindingRowJson {
            rule: &fr.rule,
            severity: fr.severity_id(),
            file: &fr.file,
            sheet: &fr.sheet,
            cell: &fr.cell,
            message: &fr.message,
            help: &fr.help,
        }
    }
}

#[derive(Serialize)]
struct RollupFileJson {
    path: String,
    agency: Option<String>,
    year: Option<u16>,
    format: Option<&'static str>,
    standing: Standing,
    standing_label: &'static str,
    counted: bool,
    errors: usize,
    warnings: usize,
    duplicates: Vec<String>,
    error: Option<String>,
    findings: serde_json::Value,
}

#[derive(Serialize)]
struct CoverageJson<'a> {
    coverage: Coverage,
    label: &'static str,
    name: Option<&'a str>,
    code: Option<&'a str>,
    submitted_name: Option<&'a str>,
    file: Option<&'a str>,
    note: &'a str,
}

/// What a roll-up did, for scripts: one JSON document `{region, files, region_findings,
/// roster, tally, written, outputs}` (README: 汇总).
pub fn rollup_json(
    out: &mut dyn Write,
    o: &mut RollupOutcome,
    written: &Written,
) -> Result<(), RollupError> {
    let mut files = Vec::with_capacity(o.rollup.heads.len());
    o.rollup.for_each_file(|h, findings| {
        let findings: Vec<FindingRowJson> = findings.iter().map(FindingRowJson::from).collect();
        files.push(RollupFileJson {
            path: h.display.clone(),
            agency: h.agency.clone(),
            year: h.year,
            format: h.format.map(|f| f.id()),
            standing: h.standing,
            standing_label: h.standing.label(),
            counted: h.standing.counted(),
            errors: h.errors,
            warnings: h.warnings,
            duplicates: h.duplicates.clone(),
            error: h.fatal.clone(),
            findings: serde_json::to_value(findings).map_err(io::Error::other)?,
        });
        Ok(())
    })?;
    let roster: Option<Vec<CoverageJson>> = o.missing.map(|_| {
        o.coverage
            .iter()
            .map(|c| CoverageJson {
                coverage: c.coverage,
                label: c.coverage.label(),
                name: c.entry.as_ref().map(|e| e.name.as_str()),
                code: c.entry.as_ref().and_then(|e| e.code.as_deref()),
                submitted_name: c.submitted_name.as_deref(),
                file: c.file.as_deref(),
                note: &c.note,
            })
            .collect()
    });
    #[derive(Serialize)]
    struct Region<'a> {
        name: &'a str,
        year: u16,
        format: &'static str,
    }
    #[derive(Serialize)]
    struct Doc<'a> {
        region: Region<'a>,
        files: Vec<RollupFileJson>,
        region_findings: &'a [Diagnostic],
        roster: Option<Vec<CoverageJson<'a>>>,
        tally: Tally,
        written: bool,
        outputs: Vec<String>,
    }
    let doc = Doc {
        region: Region {
            name: &o.rollup.total.meta.source,
            year: o.rollup.year,
            format: o.rollup.format.id(),
        },
        files,
        region_findings: &o.rollup.region_findings,
        roster,
        tally: o.tally,
        written: written.written,
        outputs: if written.written {
            written
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect()
        } else {
            Vec::new()
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)?;
    Ok(())
}

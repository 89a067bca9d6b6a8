//! Rendering check results for people (text) and for scripts (JSON).

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use nianbao::batch::{Checked, Verdict};
use nianbao::diag::{self, Diagnostic};

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

pub fn finding_line(d: &Diagnostic) -> String {
    let loc = d.location();
    let loc = if loc.is_empty() {
        String::new()
    } else {
        format!(" {loc}")
    };
    format!("{} {}{loc}：{}", d.rule, d.label(), d.message)
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
                    say!(out, "  {}", finding_line(d))?;
                    if let Some(h) = &d.help {
                        say!(out, "      提示：{h}")?;
                    }
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

#[derive(Serialize)]
struct FileJson<'a> {
    path: &'a str,
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
    let files: Vec<FileJson> = results
        .iter()
        .map(|c| FileJson {
            path: &c.display,
            agency: c.report().and_then(|r| r.meta.agency.as_deref()),
            year: c.report().and_then(|r| r.meta.year),
            agency_from: c.report().and_then(|r| r.meta.agency_from),
            year_from: c.report().and_then(|r| r.meta.year_from),
            format: c.report().map(|r| r.meta.format.id()),
            error: c.outcome.as_ref().err().map(|e| FatalJson {
                kind: e.kind(),
                message: e.to_string(),
                hint: e.hint(&super::wording()),
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

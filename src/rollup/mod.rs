//! The regional roll-up: many agency reports → one checked summary.
//!
//! Two passes, so that memory does not grow with the number of workbooks:
//! 1. files are read and checked in parallel chunks (rayon, input order kept); each report is
//!    reduced to a small [`Head`] kept in memory and a detail record (its numbers in canonical
//!    units and its findings) spooled to a temporary file; the long CSV is streamed as it goes;
//! 2. statuses are decided (errors, duplicates, year and version), the totals are summed from the
//!    spool, and the writer streams the spool again into the per-agency sheets.
//!
//! Decisions: one roll-up is one report year — several years are refused, as are 2019- and
//! 2021-format reports of the same year (listed which is which). A report whose year is unknown is
//! listed but not counted. Cross-year findings (X1–X3) are reported but do not exclude a report
//! from the totals (last year's numbers may be the wrong ones). Money is summed in the header's
//! unit (万元 for 2021 fees) or in 元 (2019 procurement); an amount whose unit is unknown is not
//! summed and is reported.

pub mod crossyear;
pub mod metrics;
pub mod roster;

use std::io::{BufRead, BufReader, BufWriter, Seek, Write};
use std::path::PathBuf;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::batch::{agency_key, check_file, duplicate_finding, duplicate_groups, Checked};
use crate::diag::{Diagnostic, Severity};
use crate::model::{FormatVersion, Meta, Report, Value};
use crate::read::ReadOptions;

use self::crossyear::Previous;

/// How to roll up.
#[derive(Debug, Clone, Default)]
pub struct RollupOptions {
    pub read: ReadOptions,
    /// The region's name: the agency of the summary report.
    pub name: String,
    /// Count reports with error findings too.
    pub include_invalid: bool,
    /// Files read in parallel per chunk (bounds memory).
    pub chunk: usize,
}

/// Where a file stands in the roll-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// 已汇总
    Counted,
    /// 有错误，已汇总 (`--include-invalid`)
    CountedWithErrors,
    /// 有错误，未汇总
    Invalid,
    /// 重复报送，未汇总
    Duplicate,
    /// 年度未知，未汇总
    YearUnknown,
    /// 无法读取
    Unreadable,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Counted => "已汇总",
            Standing::CountedWithErrors => "有错误，已汇总",
            Standing::Invalid => "有错误，未汇总",
            Standing::Duplicate => "重复报送，未汇总",
            Standing::YearUnknown => "年度未知，未汇总",
            Standing::Unreadable => "无法读取",
        }
    }

    pub fn counted(self) -> bool {
        matches!(self, Standing::Counted | Standing::CountedWithErrors)
    }
}

/// What is kept in memory of one file: who, where it stands, its counts and ratios.
#[derive(Debug, Clone)]
pub struct Head {
    pub display: String,
    pub agency: Option<String>,
    pub year: Option<u16>,
    pub format: Option<FormatVersion>,
    /// The reason a file could not be read.
    pub fatal: Option<String>,
    pub errors: usize,
    pub warnings: usize,
    pub standing: Standing,
    /// Other files with the same agency and year.
    pub duplicates: Vec<String>,
    pub metrics: Vec<Option<Decimal>>,
}

/// One finding as spooled and written: all text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FindingRow {
    pub rule: String,
    pub severity: String,
    pub file: String,
    pub sheet: String,
    pub cell: String,
    pub message: String,
    pub help: String,
}

impl From<&Diagnostic> for FindingRow {
    fn from(d: &Diagnostic) -> Self {
        FindingRow {
            rule: d.rule.to_string(),
            severity: d.severity.label().to_string(),
            file: d.file.clone(),
            sheet: d.sheet.clone().unwrap_or_default(),
            cell: d.cell.clone().unwrap_or_default(),
            message: d.message.clone(),
            help: d.help.clone().unwrap_or_default(),
        }
    }
}

/// The spooled detail of one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Detail {
    /// The numbers in field order, money in its canonical unit; `None` where unknown.
    pub values: Vec<Option<Decimal>>,
    pub findings: Vec<FindingRow>,
}

/// Why a roll-up could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RollupError {
    #[error("输入中没有可以汇总的报表（全部无法读取或年度未知）")]
    NothingToRoll,
    #[error("输入中有多个统计年度，一次汇总只能是同一年度：\n{listing}请按年度分开汇总。")]
    MixedYears { listing: String },
    #[error("{year}年的报表中既有 2019 版格式也有 2021 版格式，不能合在一张表中汇总：\n{listing}请让报送单位统一使用 {expected} 版格式后重试。")]
    MixedVersions {
        year: u16,
        listing: String,
        expected: FormatVersion,
    },
    #[error("汇总临时文件读写失败：{0}")]
    Spool(#[from] std::io::Error),
}

/// The result of pass 1 and the totals: everything the writer needs but the spooled details.
pub struct Rollup {
    pub heads: Vec<Head>,
    pub total: Report,
    /// Findings about the region as a whole (the total's checks, X-rules on the total, units).
    pub region_findings: Vec<Diagnostic>,
    pub format: FormatVersion,
    pub year: u16,
    spool: std::fs::File,
}

impl Rollup {
    /// Stream the details back, in input order, with their heads.
    pub fn for_each_detail(
        &mut self,
        mut f: impl FnMut(&Head, Option<&Detail>) -> std::io::Result<()>,
    ) -> Result<(), RollupError> {
        self.spool.rewind()?;
        let mut lines = BufReader::new(&self.spool).lines();
        for head in &self.heads {
            if head.fatal.is_some() {
                f(head, None)?;
                continue;
            }
            let line = lines
                .next()
                .ok_or_else(|| std::io::Error::other("spool ended early"))??;
            let detail: Detail = serde_json::from_str(&line).map_err(std::io::Error::other)?;
            f(head, Some(&detail))?;
        }
        Ok(())
    }
}

/// Read, check and reduce every file; write the long CSV rows of every readable report to `csv`
/// as they come (the region rows are the caller's, once the total is known). `progress` is called
/// with the number of files done.
pub fn rollup(
    files: &[PathBuf],
    opts: &RollupOptions,
    previous: &Previous,
    mut csv: Option<&mut dyn Write>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Rollup, RollupError> {
    let spool = tempfile::tempfile()?;
    let mut spool_w = BufWriter::new(spool.try_clone()?);
    let mut heads = Vec::with_capacity(files.len());
    let chunk = opts.chunk.max(1);
    let mut done = 0;
    for part in files.chunks(chunk) {
        // Reading, checking and reducing run on every core; only the writes are in order.
        let with_csv = csv.is_some();
        let reduced: Vec<Reduced> = part
            .par_iter()
            .map(|p| reduce(check_file(p, &opts.read), previous, with_csv))
            .collect::<Result<_, _>>()?;
        for r in reduced {
            if let Some(line) = r.spool_line {
                spool_w.write_all(&line)?;
            }
            if let Some(w) = csv.as_deref_mut() {
                w.write_all(&r.csv_rows)?;
            }
            heads.push(r.head);
        }
        done += part.len();
        progress(done);
    }
    spool_w.flush()?;
    drop(spool_w);

    let (year, format) = decide(&mut heads, opts)?;
    let mut rollup = Rollup {
        total: Report::empty(Meta {
            agency: Some(opts.name.clone()),
            year: Some(year),
            format,
            source: opts.name.clone(),
            agency_cell: None,
            year_cell: None,
        }),
        heads,
        region_findings: Vec::new(),
        format,
        year,
        spool,
    };
    sum_totals(&mut rollup)?;
    let total = rollup.total.clone();
    let mut region = crate::validate::validate(&total);
    region.extend(previous.check_total(&total));
    rollup.region_findings.extend(region);
    Ok(rollup)
}

/// What is left of one file after [`reduce`].
struct Reduced {
    head: Head,
    /// The file's [`Detail`] as one JSON line, for the spool (none for an unreadable file).
    spool_line: Option<Vec<u8>>,
    /// Its long-CSV rows, when a CSV is written.
    csv_rows: Vec<u8>,
}

/// One checked file → its head, its spool line (with cross-year findings) and its CSV rows.
fn reduce(c: Checked, previous: &Previous, with_csv: bool) -> Result<Reduced, RollupError> {
    let (report, mut findings) = match c.outcome {
        Err(e) => {
            let head = Head {
                display: c.display,
                agency: None,
                year: None,
                format: None,
                fatal: Some(format!("{e}（{}）", e.hint())),
                errors: 0,
                warnings: 0,
                standing: Standing::Unreadable,
                duplicates: Vec::new(),
                metrics: Vec::new(),
            };
            return Ok(Reduced {
                head,
                spool_line: None,
                csv_rows: Vec::new(),
            });
        }
        Ok(x) => x,
    };
    findings.extend(previous.check(&report));
    let values: Vec<Option<Decimal>> = report
        .iter()
        .map(|(f, v)| v.canonical(f.col.kind))
        .collect();
    for ((f, v), c) in report.iter().zip(&values) {
        if c.is_none() && v.status.is_known() {
            findings.push(
                Diagnostic::new(
                    "I6",
                    Severity::Warning,
                    &report.meta.source,
                    format!(
                        "“{}”的“{}”单位未知，未计入汇总金额",
                        f.row.label, f.col.label
                    ),
                )
                .at(v.source.as_ref())
                .help("请报送单位在金额后注明“元”或“万元”。"),
            );
        }
    }
    let (errors, warnings) = crate::diag::counts(&findings);
    // Cross-year findings are reported but do not decide whether this year's report counts.
    let this_year_errors = findings
        .iter()
        .filter(|d| d.severity == Severity::Error && !d.rule.starts_with('X'))
        .count();
    let csv_rows = if with_csv {
        crate::write::csv::rows(&report)?
    } else {
        Vec::new()
    };
    let head = Head {
        display: c.display,
        agency: report.meta.agency.clone(),
        year: report.meta.year,
        format: Some(report.meta.format),
        fatal: None,
        errors,
        warnings,
        standing: if this_year_errors > 0 {
            Standing::Invalid
        } else {
            Standing::Counted
        },
        duplicates: Vec::new(),
        metrics: metrics::all(&report),
    };
    let detail = Detail {
        values,
        findings: findings.iter().map(FindingRow::from).collect(),
    };
    let mut line = serde_json::to_vec(&detail).map_err(std::io::Error::other)?;
    line.push(b'\n');
    Ok(Reduced {
        head,
        spool_line: Some(line),
        csv_rows,
    })
}

/// Decide every file's standing; refuse several years or mixed versions.
fn decide(heads: &mut [Head], opts: &RollupOptions) -> Result<(u16, FormatVersion), RollupError> {
    let keys = heads
        .iter()
        .map(|h| agency_key(h.agency.as_deref(), h.year).filter(|_| h.fatal.is_none()));
    for g in duplicate_groups(keys) {
        let names: Vec<String> = g.iter().map(|&i| heads[i].display.clone()).collect();
        for &i in &g {
            heads[i].duplicates = names
                .iter()
                .filter(|n| **n != heads[i].display)
                .cloned()
                .collect();
            heads[i].standing = Standing::Duplicate;
            heads[i].errors += 1;
        }
    }
    for h in heads.iter_mut() {
        if h.fatal.is_none() && h.year.is_none() {
            h.standing = Standing::YearUnknown;
        }
        if opts.include_invalid && h.standing == Standing::Invalid {
            h.standing = Standing::CountedWithErrors;
        }
    }
    let readable: Vec<&Head> = heads
        .iter()
        .filter(|h| h.fatal.is_none() && h.year.is_some())
        .collect();
    let mut years: Vec<u16> = readable.iter().filter_map(|h| h.year).collect();
    years.sort_unstable();
    years.dedup();
    match years.as_slice() {
        [] => Err(RollupError::NothingToRoll),
        [year] => {
            let year = *year;
            let mut versions: Vec<FormatVersion> =
                readable.iter().filter_map(|h| h.format).collect();
            versions.sort();
            versions.dedup();
            if versions.len() > 1 {
                let expected = if year >= 2021 {
                    FormatVersion::V2021
                } else {
                    FormatVersion::V2019
                };
                return Err(RollupError::MixedVersions {
                    year,
                    listing: listing(&readable, |h| {
                        format!("{} 版", h.format.map_or("?", |f| f.id()))
                    }),
                    expected,
                });
            }
            Ok((year, versions[0]))
        }
        _ => Err(RollupError::MixedYears {
            listing: listing(&readable, |h| format!("{} 年", h.year.unwrap_or_default())),
        }),
    }
}

fn listing(heads: &[&Head], what: impl Fn(&Head) -> String) -> String {
    let mut groups: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for h in heads {
        groups.entry(what(h)).or_default().push(&h.display);
    }
    groups
        .into_iter()
        .map(|(k, files)| format!("  {k}（{} 个）：{}\n", files.len(), files.join("、")))
        .collect()
}

/// The duplicate findings of a head (B1), for the findings sheet.
pub fn duplicate_rows(head: &Head) -> Option<FindingRow> {
    (!head.duplicates.is_empty()).then(|| {
        let others: Vec<&str> = head.duplicates.iter().map(String::as_str).collect();
        FindingRow::from(&duplicate_finding(
            &head.display,
            head.agency.as_deref().unwrap_or_default(),
            head.year.unwrap_or_default(),
            &others,
        ))
    })
}

fn sum_totals(r: &mut Rollup) -> Result<(), RollupError> {
    let n = r.format.spec().field_count();
    let mut sums = vec![Decimal::ZERO; n];
    let mut unknown = vec![0usize; n];
    r.for_each_detail(|head, d| {
        let counted = d.filter(|_| head.standing.counted());
        for (i, v) in counted.iter().flat_map(|d| d.values.iter().enumerate()) {
            match v {
                Some(x) => sums[i] += x,
                None => unknown[i] += 1,
            }
        }
        Ok(())
    })?;
    let fields: Vec<_> = r.format.spec().fields().collect();
    let source = r.total.meta.source.clone();
    for (i, v) in r.total.values_mut().iter_mut().enumerate() {
        *v = Value::computed(sums[i], fields[i].col.kind.canonical_unit());
        if unknown[i] > 0 {
            let f = fields[i];
            r.region_findings.push(Diagnostic::new(
                "I6",
                Severity::Warning,
                &source,
                format!(
                    "汇总“{}”的“{}”未计入 {} 个单位的数（数值未知或金额单位未知）",
                    f.row.label, f.col.label, unknown[i]
                ),
            ));
        }
    }
    Ok(())
}

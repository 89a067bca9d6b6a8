//! The regional roll-up: many agency reports → one checked summary.
//!
//! One pass over the files, in memory that does not grow with their number:
//! 1. files are read and checked in parallel chunks (rayon); each report is reduced to a small
//!    [`Head`] kept in memory and a [`Detail`] (its numbers in canonical units and its findings)
//!    spooled to a temporary file;
//! 2. what needs the files in input order — the spool, the totals, and the outputs' per-file
//!    parts (the long CSV, the summary workbook's per-file sheets), which the writers take as
//!    [`RollupSink`]s — is done for chunk k while chunk k + 1 is read;
//! 3. what only all files together decide is decided at the end: duplicates, the year and the
//!    version. A file's standing is otherwise its own; when a duplicate changes standings, the
//!    totals are summed again from the spool, and a sink writes its per-file parts again
//!    ([`Rollup::standings_changed`]).
//!
//! [`run`] is the whole roll-up as a caller (the CLI, a web page) makes it: the reading pass,
//! the exit [`Verdict`](crate::batch::Verdict), the strict policy, the roster's coverage, and the
//! sinks finished and committed. This module never writes a file format itself: the writers
//! (`crate::write`) implement [`RollupSink`].
//!
//! Decisions: one roll-up is one report year — several years are refused, as are 2019- and
//! 2021-format reports of the same year (listed which is which). A report whose year is unknown is
//! listed but not counted. Cross-year findings (X1–X3) are reported but do not exclude a report
//! from the totals (last year's numbers may be the wrong ones). Money is summed in the header's
//! unit (万元 for 2021 fees) or in 元 (2019 procurement); an amount whose unit is unknown is not
//! summed and is reported.
//!
//! Each report is counted once. Files nianbao wrote carry its [`Mark`]: an earlier summary of
//! this very region (its mark names the region) is an earlier output, listed but neither
//! counted nor taken into the year ([`Standing::EarlierOutput`]); a summary of another region
//! counts as that region, with the agencies its mark lists, and another file of the year whose
//! agencies it already holds is an error (B2) and is left out, the summary counting it
//! ([`Standing::InSummary`]): the summary usually holds agencies the inputs do not, which
//! leaving it out would drop. This run's own outputs never reach the files at all
//! ([`RollupJob::open`]).

pub mod crossyear;
pub mod metrics;
pub mod roster;
mod run;
mod sink;

pub use self::run::{run, JobError, RollupJob, RollupOutcome, RollupSources, Tally};
pub use self::sink::{ReportEncoder, RollupSink, SinkError};

use std::io::{BufRead, BufReader, BufWriter, Seek, Write};

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::batch::{agency_key, duplicate_finding, duplicate_groups, Checked, Input};
use crate::diag::{Diagnostic, Rule, Severity};
use crate::model::{FormatVersion, Mark, MarkKind, Meta, MetaSource, Report, Status, Value};
use crate::read::normalize::norm;
use crate::read::ReadOptions;

use self::crossyear::Previous;

/// How to roll up.
#[derive(Debug, Clone, Default)]
pub struct RollupOptions {
    /// How each file is read (limits, the format version when the labels do not tell, and the
    /// wording of help texts that name the caller's settings).
    pub read: ReadOptions,
    /// The region's name: the agency of the summary report.
    pub name: String,
    /// Count reports with error findings too.
    pub include_invalid: bool,
    /// Files read in parallel per chunk (bounds memory).
    pub chunk: usize,
    /// The year of the roll-up, when the caller states it: a file that states no year is taken
    /// as of this year (noted in its findings, I9); a file that states another year is an error
    /// (B3) and not counted. Without it, the year is the one the files state, and files that
    /// state none take it (with a warning each) when the others all state the same.
    pub year: Option<u16>,
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
    /// An earlier summary of this very region (nianbao's mark says so): an earlier output of
    /// the roll-up, not an agency. 以前的汇总输出，未汇总
    EarlierOutput,
    /// An agency's report that a summary among the inputs already contains (rule B2): the
    /// summary counts it. 已含在汇总表中，未单独汇总
    InSummary,
}

impl Standing {
    /// The Chinese label shown in the summary workbook.
    pub fn label(self) -> &'static str {
        match self {
            Standing::Counted => "已汇总",
            Standing::CountedWithErrors => "有错误，已汇总",
            Standing::Invalid => "有错误，未汇总",
            Standing::Duplicate => "重复报送，未汇总",
            Standing::YearUnknown => "年度未知，未汇总",
            Standing::Unreadable => "无法读取",
            Standing::EarlierOutput => "以前的汇总输出，未汇总",
            Standing::InSummary => "已含在汇总表中，未单独汇总",
        }
    }

    /// Whether the file's numbers are in the totals.
    pub fn counted(self) -> bool {
        matches!(self, Standing::Counted | Standing::CountedWithErrors)
    }
}

/// What is kept in memory of one file: who, where it stands, its counts and ratios.
#[derive(Debug, Clone)]
pub struct Head {
    /// The file as given (used in every message).
    pub display: String,
    /// The report's agency, if known.
    pub agency: Option<String>,
    /// The report's year, if known.
    pub year: Option<u16>,
    /// Where the year came from (the workbook, its file name, the roll-up's year).
    pub year_from: Option<MetaSource>,
    /// The report's format version (none for a file that could not be read).
    pub format: Option<FormatVersion>,
    /// The reason a file could not be read.
    pub fatal: Option<String>,
    /// How many error findings (a duplicate counts as one).
    pub errors: usize,
    /// How many warnings.
    pub warnings: usize,
    /// Where the file stands: counted or not, and why.
    pub standing: Standing,
    /// Other files with the same agency and year.
    pub duplicates: Vec<String>,
    /// The report's [`metrics::METRICS`], in order (`None`: N/A).
    pub metrics: Vec<Option<Decimal>>,
    /// nianbao's mark on the workbook, when nianbao wrote it (a summary of another region
    /// counts as that region, with the agencies it lists).
    pub mark: Option<Mark>,
    /// Error findings of this year's report (not cross-year): whether it counts once its year
    /// is known.
    this_year_errors: usize,
    /// The year was taken from the other files of the batch (the file states none).
    year_taken: bool,
}

impl Head {
    /// The findings decided for the batch as a whole, which the file's spooled [`Detail`] does
    /// not hold: the same agency and year submitted twice (B1), the batch's year taken for a
    /// file that states none (I9).
    pub fn batch_findings(&self) -> Vec<FindingRow> {
        let mut rows: Vec<FindingRow> = duplicate_rows(self).into_iter().collect();
        if let (Standing::YearUnknown, Some(v)) = (self.standing, self.format) {
            rows.push(FindingRow::from(
                &Diagnostic::new(
                    Rule::I9,
                    &self.display,
                    format!(
                        "未计入汇总：工作簿中没有写明统计年度，其格式版本（{} 版）也与本次汇总的报表不同",
                        v.id()
                    ),
                )
                .help("请核对这是否是本年度的报表；如果是，请按本年度的格式填报并写明“统计年度：…”。"),
            ));
        }
        if let (Some(year), true) = (self.year, self.year_taken) {
            rows.push(FindingRow::from(
                &Diagnostic::new(
                    Rule::I9,
                    &self.display,
                    format!("工作簿中没有写明统计年度，按本次汇总其他报表的年度 {year} 年计入"),
                )
                .help(format!(
                    "请在工作簿表头填写“统计年度：{year}”；如果不是 {year} 年的报表，请把它移出汇总的文件夹。"
                )),
            ));
        }
        rows
    }

    /// The agencies whose reports this file's numbers hold: a summary's (from its mark, when
    /// it lists them whole), or the file's own agency.
    pub fn agencies(&self) -> Vec<String> {
        match self.summary_agencies() {
            Some(list) => list.to_vec(),
            None => self.agency.iter().cloned().collect(),
        }
    }

    /// The agencies of a summary's mark, when the file is a summary that lists them.
    fn summary_agencies(&self) -> Option<&[String]> {
        self.mark
            .as_ref()
            .filter(|m| m.kind == MarkKind::Summary)
            .and_then(|m| m.agencies.as_deref())
    }
}

/// Where a file whose year is known stands by its own findings.
fn standing_of(this_year_errors: usize, include_invalid: bool) -> Standing {
    match this_year_errors {
        0 => Standing::Counted,
        _ if include_invalid => Standing::CountedWithErrors,
        _ => Standing::Invalid,
    }
}

/// One finding as spooled and written: all text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FindingRow {
    /// The rule's code (`R1`).
    pub rule: String,
    /// The Chinese severity label (`错误`, `警告`, `未校验`).
    pub severity: String,
    /// The file as given.
    pub file: String,
    /// The sheet of the cell, or empty.
    pub sheet: String,
    /// The cell in A1 form, or empty.
    pub cell: String,
    /// The message (Chinese, one line).
    pub message: String,
    /// What to do about it, or empty.
    pub help: String,
}

impl From<&Diagnostic> for FindingRow {
    fn from(d: &Diagnostic) -> Self {
        FindingRow {
            rule: d.rule.to_string(),
            severity: d.label().to_string(),
            file: d.file.clone(),
            sheet: d.sheet().unwrap_or_default().to_string(),
            cell: d.cell.as_ref().map(|c| c.a1()).unwrap_or_default(),
            message: d.message.clone(),
            help: d.help.clone().unwrap_or_default(),
        }
    }
}

impl FindingRow {
    /// Where, as a finding's location reads (`'Sheet1'!D12`, as
    /// [`Diagnostic::location`]), or nothing.
    pub fn location(&self) -> String {
        if self.cell.is_empty() {
            String::new()
        } else {
            format!(
                "{}!{}",
                crate::model::cellref::quote_sheet(&self.sheet),
                self.cell
            )
        }
    }

    /// The severity as a finding's JSON says it ([`Diagnostic`]'s `severity`): `error`,
    /// `warning` or `not_checked`.
    pub fn severity_id(&self) -> &'static str {
        match self.severity.as_str() {
            s if s == Severity::Error.label() => "error",
            s if s == Severity::Warning.label() => "warning",
            _ => "not_checked",
        }
    }
}

/// Every finding of one file as the outputs list it: why it could not be read (rule `读取`),
/// the files it duplicates (B1), then its own findings (reading, rules, cross-year, units).
pub fn file_findings(head: &Head, detail: Option<&Detail>) -> Vec<FindingRow> {
    let fatal = head.fatal.as_ref().map(|fatal| FindingRow {
        rule: "读取".into(),
        severity: Severity::Error.label().into(),
        file: head.display.clone(),
        sheet: String::new(),
        cell: String::new(),
        message: fatal.clone(),
        help: String::new(),
    });
    fatal
        .into_iter()
        .chain(head.batch_findings())
        .chain(detail.iter().flat_map(|d| d.findings.iter().cloned()))
        .collect()
}

/// The spooled detail of one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Detail {
    /// The numbers in field order, money in its canonical unit; `None` where unknown.
    pub values: Vec<Option<Decimal>>,
    /// Every finding of the file (reading, rules, cross-year, units), as text.
    pub findings: Vec<FindingRow>,
}

/// Why a roll-up could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RollupError {
    /// No file could be read and has a known year.
    #[error("输入中没有可以汇总的报表（全部无法读取或年度未知）")]
    NothingToRoll,
    /// The year of the roll-up was given, and no readable file is of it.
    #[error("输入中没有 {year} 年的报表：\n{listing}请检查汇总年度是否正确。")]
    NoneOfYear {
        /// The year given.
        year: u16,
        /// Which files state which year, one line per year.
        listing: String,
    },
    /// The reports are of several years.
    #[error("输入中有多个统计年度，一次汇总只能是同一年度：\n{listing}请按年度分开汇总。")]
    MixedYears {
        /// Which files are of which year, one line per year.
        listing: String,
    },
    /// The reports of the year follow both format versions.
    #[error("{year}年的报表中既有 2019 版格式也有 2021 版格式，不能合在一张表中汇总：\n{listing}请让报送单位统一使用 {expected} 版格式后重试。")]
    MixedVersions {
        /// The report year.
        year: u16,
        /// Which files follow which version, one line per version.
        listing: String,
        /// The version the year should follow.
        expected: FormatVersion,
    },
    /// The temporary spool of per-file details could not be written or read back.
    #[error("汇总临时文件读写失败：{0}")]
    Spool(#[from] std::io::Error),
    /// A sink (an output being written) failed.
    #[error(transparent)]
    Output(SinkError),
}

/// The result of pass 1 and the totals: everything the writer needs but the spooled details.
pub struct Rollup {
    /// Every file, in input order.
    pub heads: Vec<Head>,
    /// The region's totals: a report whose agency is the region, summed over the counted files.
    pub total: Report,
    /// Findings about the region as a whole (the total's checks, X-rules on the total, units).
    pub region_findings: Vec<Diagnostic>,
    /// The format version of every counted report.
    pub format: FormatVersion,
    /// The report year of every counted report.
    pub year: u16,
    /// Some standing changed after its file was handed to the sinks (a duplicate was found):
    /// rows written while reading are stale and must be written again from the spool.
    pub standings_changed: bool,
    spool: std::fs::File,
}

impl Rollup {
    /// Every file in input order, streamed back from the spool, with all its findings
    /// ([`file_findings`]): what a caller needs to say which files were not counted and why.
    pub fn for_each_file(
        &mut self,
        mut f: impl FnMut(&Head, &[FindingRow]) -> std::io::Result<()>,
    ) -> Result<(), RollupError> {
        self.for_each_detail(|head, d| f(head, &file_findings(head, d)))
    }

    /// The agencies counted in the totals, in input order: each counted file's agency, or a
    /// counted summary's own agencies. What the summary workbook's mark lists.
    pub fn agencies_counted(&self) -> Vec<String> {
        self.heads
            .iter()
            .filter(|h| h.standing.counted())
            .flat_map(Head::agencies)
            .collect()
    }

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

/// Read, check and reduce every file, handing each to every sink in input order as it comes
/// ([`RollupSink::file`]; the region's rows are the sinks' own, in [`RollupSink::finish`]).
/// `progress` is called with the number of files done. This is the reading pass of [`run`]; it
/// neither finishes nor commits the sinks.
///
/// Chunk by chunk: while the workers read chunk k + 1, one of them writes chunk k in input order
/// (spool, sinks), so that in-order work overlaps the reading instead of following it.
pub(crate) fn rollup(
    files: &[Input],
    opts: &RollupOptions,
    previous: &Previous,
    sinks: &mut [&mut dyn RollupSink],
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Rollup, RollupError> {
    let spool = crate::scratch::anonymous()?;
    let mut spool_w = BufWriter::new(spool.try_clone()?);
    let mut heads = Vec::with_capacity(files.len());
    let encoders: Vec<Option<ReportEncoder>> = sinks.iter().map(|s| s.encoder()).collect();
    let mut sums = Sums::default();
    let mut in_order = |done: Vec<Reduced>, heads: &mut Vec<Head>| -> Result<(), RollupError> {
        for r in done {
            sums.add(&r.head, r.detail.as_ref());
            if let Some(line) = &r.spool_line {
                spool_w.write_all(line)?;
            }
            for (i, sink) in sinks.iter_mut().enumerate() {
                let encoded = r.encoded.get(i).map_or(&[][..], Vec::as_slice);
                sink.file(&r.head, r.detail.as_ref(), encoded)
                    .map_err(RollupError::Output)?;
            }
            heads.push(r.head);
        }
        Ok(())
    };
    // a file that states no year is read as of the roll-up's year, when the caller gives it
    let read = ReadOptions {
        batch_year: opts.year,
        ..opts.read.clone()
    };
    let mut pending = Vec::new();
    let mut done = 0;
    for part in files.chunks(opts.chunk.max(1)) {
        let previous_chunk = std::mem::take(&mut pending);
        let (reduced, written) = rayon::join(
            || {
                part.par_iter()
                    .map(|p| {
                        // a panic in the file's reduction is that file's error
                        let display = p.display();
                        crate::guard::catch(|| reduce(p.check(&read), p, previous, opts, &encoders))
                            .unwrap_or_else(|detail| {
                                let e = crate::error::ReadError::Internal {
                                    path: display.clone(),
                                    detail,
                                };
                                Ok(unreadable(
                                    display,
                                    format!("{e}（{}）", e.hint(&opts.read.wording)),
                                ))
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()
            },
            || in_order(previous_chunk, &mut heads),
        );
        written?;
        pending = reduced?;
        done += part.len();
        progress(done);
    }
    in_order(pending, &mut heads)?;
    spool_w.flush()?;
    drop(spool_w);

    let (year, format, mut standings_changed) = decide(&mut heads, opts)?;
    let mut contained = Vec::new();
    standings_changed |= count_once(&mut heads, year, &mut contained);
    let mut rollup = Rollup {
        total: Report::empty(Meta {
            agency: Some(opts.name.clone()),
            year: Some(year),
            format,
            source: opts.name.clone(),
            agency_cell: None,
            year_cell: None,
            agency_from: Some(crate::model::MetaSource::Given),
            year_from: Some(crate::model::MetaSource::Batch),
        }),
        heads,
        region_findings: Vec::new(),
        format,
        year,
        standings_changed,
        spool,
    };
    let sums = if standings_changed {
        Sums::from_spool(&mut rollup)?
    } else {
        sums
    };
    sums.into_total(&mut rollup);
    let mut region = contained;
    region.extend(crate::validate::validate(&rollup.total));
    rollup.region_findings.extend(region);
    Ok(rollup)
}

/// X1–X3 for the region ([`Previous::check_region`]): the counted agencies that last year has,
/// summed this year from the spool. `left_out` is how many agencies are known to be missing from
/// the total (files not counted, roster agencies that did not submit).
pub(crate) fn region_cross_year(
    r: &mut Rollup,
    previous: &Previous,
    left_out: usize,
) -> Result<Vec<Diagnostic>, RollupError> {
    let year = r.year;
    let matched: Vec<bool> = r
        .heads
        .iter()
        .map(|h| h.standing.counted() && h.agency.as_deref().is_some_and(|a| previous.has(a, year)))
        .collect();
    let sum = if matched.contains(&true) {
        let mut sums = Sums::default();
        let mut i = 0;
        r.for_each_detail(|head, d| {
            if matched[i] {
                sums.add(head, d);
            }
            i += 1;
            Ok(())
        })?;
        Some(sums.into_report(r.total.meta.clone(), r.format))
    } else {
        None
    };
    let now = crossyear::RegionNow {
        counted: r
            .heads
            .iter()
            .filter(|h| h.standing.counted())
            .filter_map(|h| h.agency.clone())
            .collect(),
        left_out,
        sum,
    };
    Ok(previous.check_region(&r.total, &now))
}

/// Whether a file marked `mark` is an earlier summary of the region `name` itself: an earlier
/// output of this roll-up (of this year, or of another: a summary of the region is never one of
/// its own inputs), not an agency.
fn is_earlier_output(mark: Option<&Mark>, name: &str) -> bool {
    mark.filter(|m| m.kind == MarkKind::Summary)
        .and_then(|m| m.region.as_deref())
        .is_some_and(|r| norm(r) == norm(name))
}

/// Each report counted once: a summary of another region among the inputs counts the agencies
/// its mark lists; another file of the year whose agencies it already holds (an agency's
/// report, or a smaller summary) is an error (B2, one finding per summary naming the agencies
/// found twice, pushed to `findings`) and is left out, the summary counting it. Summaries are
/// taken largest first, so a city's summary wins over a county's inside it. Returns whether a
/// standing changed.
fn count_once(heads: &mut [Head], year: u16, findings: &mut Vec<Diagnostic>) -> bool {
    let of_year = |h: &Head| h.fatal.is_none() && h.year == Some(year);
    let mut summaries: Vec<usize> = (0..heads.len())
        .filter(|&i| heads[i].standing.counted() && of_year(&heads[i]))
        .filter(|&i| heads[i].summary_agencies().is_some())
        .collect();
    summaries.sort_by_key(|&i| std::cmp::Reverse(heads[i].agencies().len()));
    let mut changed = false;
    for s in summaries {
        if !heads[s].standing.counted() {
            continue; // itself inside a larger summary
        }
        let inside: std::collections::HashSet<String> =
            heads[s].agencies().iter().map(|a| norm(a)).collect();
        let mut twice = Vec::new();
        for (j, h) in heads.iter_mut().enumerate() {
            if j == s || !of_year(h) || matches!(h.standing, Standing::EarlierOutput) {
                continue;
            }
            let found: Vec<String> = h
                .agencies()
                .into_iter()
                .filter(|a| inside.contains(&norm(a)))
                .collect();
            if found.is_empty() {
                continue;
            }
            twice.push(format!("{}（{}）", found.join("、"), h.display));
            if h.standing.counted() {
                h.standing = Standing::InSummary;
                changed = true;
            }
        }
        if twice.is_empty() {
            continue;
        }
        let summary = &heads[s];
        let region = summary
            .mark
            .as_ref()
            .and_then(|m| m.region.clone())
            .unwrap_or_default();
        findings.push(
            Diagnostic::new(
                Rule::B2,
                &summary.display,
                format!(
                    "“{region}”的汇总表已包含以下单位，它们的报表也在输入中：{}；每份报表只计一次：计入汇总表，这些报表不再单独计入",
                    twice.join("、")
                ),
            )
            .help("请从输入中删除汇总表或其中已包含单位的报表，只保留一方后重新汇总。"),
        );
    }
    changed
}

/// What is left of one file after [`reduce`].
struct Reduced {
    head: Head,
    /// The file's [`Detail`] (none for an unreadable file), and as one JSON line for the spool.
    detail: Option<Detail>,
    spool_line: Option<Vec<u8>>,
    /// The report as each sink's [`ReportEncoder`] encoded it (empty without one).
    encoded: Vec<Vec<u8>>,
}

/// One checked file → its head, its spool line (with cross-year findings) and the sinks'
/// encodings of it.
fn reduce(
    c: Checked,
    input: &Input,
    previous: &Previous,
    opts: &RollupOptions,
    encoders: &[Option<ReportEncoder>],
) -> Result<Reduced, RollupError> {
    let (report, mut findings) = match c.outcome {
        Err(e) => {
            let mut r = unreadable(c.display, format!("{e}（{}）", e.hint(&opts.read.wording)));
            // An earlier summary too large to read (its per-agency sheet) is still known by its
            // mark, which is read alone.
            if let Some(m) = input
                .mark(&opts.read.limits)
                .filter(|m| is_earlier_output(Some(&m.mark), &opts.name))
            {
                r.head.standing = Standing::EarlierOutput;
                r.head.mark = Some(m.mark);
            }
            return Ok(r);
        }
        Ok(x) => x,
    };
    crate::guard::test_panic("reduce", &c.display);
    let other_year = other_year(&report, opts.year);
    findings.extend(other_year.clone());
    findings.extend(previous.check(&report));
    let values: Vec<Option<Decimal>> = report
        .iter()
        .map(|(f, v)| v.canonical(f.col.kind))
        .collect();
    for ((f, v), c) in report.iter().zip(&values) {
        // unknown in canonical units although known as read: the unit is unknown
        if c.is_none() && v.known().is_some() {
            findings.push(
                Diagnostic::new(
                    Rule::I6,
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
        .filter(|d| d.is_error() && !d.rule.is_cross_year())
        .count();
    let head = Head {
        display: c.display,
        agency: report.meta.agency.clone(),
        year: report.meta.year,
        format: Some(report.meta.format),
        fatal: None,
        errors,
        warnings,
        year_from: report.meta.year_from,
        standing: match report.meta.year {
            _ if is_earlier_output(report.mark.as_ref(), &opts.name) => Standing::EarlierOutput,
            None => Standing::YearUnknown,
            // another year's report is never counted, even with errors included
            _ if other_year.is_some() => Standing::Invalid,
            _ => standing_of(this_year_errors, opts.include_invalid),
        },
        duplicates: Vec::new(),
        metrics: metrics::all(&report),
        mark: report.mark.clone(),
        this_year_errors,
        year_taken: false,
    };
    let encoded = encoders
        .iter()
        .map(|e| e.map_or(Ok(Vec::new()), |encode| encode(&report, &head)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| RollupError::Output(e.into()))?;
    let detail = Detail {
        values,
        findings: findings.iter().map(FindingRow::from).collect(),
    };
    let mut line = serde_json::to_vec(&detail).map_err(std::io::Error::other)?;
    line.push(b'\n');
    Ok(Reduced {
        head,
        detail: Some(detail),
        spool_line: Some(line),
        encoded,
    })
}

/// A file that could not be used, with why.
fn unreadable(display: String, fatal: String) -> Reduced {
    let head = Head {
        display,
        agency: None,
        year: None,
        year_from: None,
        format: None,
        fatal: Some(fatal),
        errors: 0,
        warnings: 0,
        standing: Standing::Unreadable,
        duplicates: Vec::new(),
        metrics: Vec::new(),
        mark: None,
        this_year_errors: 0,
        year_taken: false,
    };
    Reduced {
        head,
        detail: None,
        spool_line: None,
        encoded: Vec::new(),
    }
}

/// The B3 error of a report that states a year other than the roll-up's, naming where it
/// states it.
fn other_year(report: &Report, year: Option<u16>) -> Option<Diagnostic> {
    let (given, stated) = (year?, report.meta.year?);
    if given == stated || report.meta.year_from == Some(MetaSource::Batch) {
        return None;
    }
    let m = &report.meta;
    let place = match (&m.year_cell, m.year_from) {
        (Some(c), _) => format!("单元格 {}", c.qualified()),
        (None, Some(MetaSource::FileName)) => "文件名".to_string(),
        (None, Some(MetaSource::SheetName)) => "工作表名".to_string(),
        (None, from) => from.map_or("", MetaSource::label).to_string(),
    };
    Some(
        Diagnostic::new(
            Rule::B3,
            &m.source,
            format!("报表写明的统计年度是 {stated} 年（{place}），不是汇总年度 {given} 年，未计入汇总"),
        )
        .at(m.year_cell.as_ref())
        .help(format!(
            "如果这是 {stated} 年的报表，请把它移出汇总的文件夹；如果是 {given} 年的，请改正{place}中的年度。"
        )),
    )
}

/// Decide what only all files together decide: the year (files that state none take the
/// batch's one year), duplicates (and whether any standing changed with them); refuse several
/// years or mixed versions.
fn decide(
    heads: &mut [Head],
    opts: &RollupOptions,
) -> Result<(u16, FormatVersion, bool), RollupError> {
    let readable =
        |h: &Head| h.fatal.is_none() && h.year.is_some() && h.standing != Standing::EarlierOutput;
    let year = match opts.year {
        Some(year) => {
            if !heads.iter().any(|h| readable(h) && h.year == Some(year)) {
                let stated: Vec<&Head> = heads.iter().filter(|h| readable(h)).collect();
                if stated.is_empty() {
                    return Err(RollupError::NothingToRoll);
                }
                return Err(RollupError::NoneOfYear {
                    year,
                    listing: listing(&stated, |h| format!("{} 年", h.year.unwrap_or_default())),
                });
            }
            year
        }
        None => {
            let mut years: Vec<u16> = heads
                .iter()
                .filter(|h| readable(h))
                .filter_map(|h| h.year)
                .collect();
            years.sort_unstable();
            years.dedup();
            match years.as_slice() {
                [] => return Err(RollupError::NothingToRoll),
                [year] => *year,
                _ => {
                    let stated: Vec<&Head> = heads.iter().filter(|h| readable(h)).collect();
                    return Err(RollupError::MixedYears {
                        listing: listing(&stated, |h| format!("{} 年", h.year.unwrap_or_default())),
                    });
                }
            }
        }
    };
    // The version of the reports that state the year; a report that states none takes the
    // year when it follows that version (with a warning when the batch, not the caller, gave
    // it), else its year stays unknown.
    let stated =
        |h: &Head| readable(h) && h.year == Some(year) && h.year_from != Some(MetaSource::Batch);
    let mut versions: Vec<FormatVersion> = heads
        .iter()
        .filter(|h| stated(h))
        .filter_map(|h| h.format)
        .collect();
    if versions.is_empty() {
        // every report of the year took the caller's year
        versions = heads
            .iter()
            .filter(|h| h.fatal.is_none() && h.year == Some(year))
            .filter_map(|h| h.format)
            .collect();
    }
    versions.sort();
    versions.dedup();
    if versions.len() > 1 {
        let expected = if year >= 2021 {
            FormatVersion::V2021
        } else {
            FormatVersion::V2019
        };
        let of_year: Vec<&Head> = heads.iter().filter(|h| stated(h)).collect();
        return Err(RollupError::MixedVersions {
            year,
            listing: listing(&of_year, |h| {
                format!("{} 版", h.format.map_or("?", |f| f.id()))
            }),
            expected,
        });
    }
    let version = versions[0];
    let mut changed = false;
    for h in heads.iter_mut().filter(|h| {
        h.fatal.is_none() && (h.year.is_none() || h.year_from == Some(MetaSource::Batch))
    }) {
        if h.format != Some(version) {
            changed |= h.standing != Standing::YearUnknown;
            (h.year, h.year_from, h.standing) = (None, None, Standing::YearUnknown);
        } else if h.year.is_none() {
            h.year = Some(year);
            h.year_from = Some(MetaSource::Batch);
            h.year_taken = true;
            h.standing = standing_of(h.this_year_errors, opts.include_invalid);
            h.warnings += 1;
            changed = true;
        }
    }
    // Duplicates among the reports of the year; a report without an agency is nobody's
    // duplicate.
    let keys = heads.iter().map(|h| {
        agency_key(h.agency.as_deref(), h.year).filter(|_| readable(h) && h.year == Some(year))
    });
    let groups = duplicate_groups(keys);
    for g in &groups {
        let names: Vec<String> = g.iter().map(|&i| heads[i].display.clone()).collect();
        for &i in g {
            heads[i].duplicates = names
                .iter()
                .filter(|n| **n != heads[i].display)
                .cloned()
                .collect();
            heads[i].standing = Standing::Duplicate;
            heads[i].errors += 1;
        }
    }
    Ok((year, version, changed || !groups.is_empty()))
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
pub(crate) fn duplicate_rows(head: &Head) -> Option<FindingRow> {
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

/// The region's totals, field by field, over the counted files, and how many counted files
/// left each field out (its value unknown). A field whose sum does not fit a number is `None`
/// (reported on the total, instead of a panic).
#[derive(Default)]
struct Sums {
    sums: Vec<Option<Decimal>>,
    unknown: Vec<usize>,
}

impl Sums {
    fn add(&mut self, head: &Head, d: Option<&Detail>) {
        let Some(d) = d.filter(|_| head.standing.counted()) else {
            return;
        };
        if self.sums.len() < d.values.len() {
            self.sums.resize(d.values.len(), Some(Decimal::ZERO));
            self.unknown.resize(d.values.len(), 0);
        }
        for (i, v) in d.values.iter().enumerate() {
            match v {
                Some(x) => self.sums[i] = self.sums[i].and_then(|s| s.checked_add(*x)),
                None => self.unknown[i] += 1,
            }
        }
    }

    /// The sums over the spool, for when standings changed after the files were summed.
    fn from_spool(r: &mut Rollup) -> Result<Self, RollupError> {
        let mut s = Sums::default();
        r.for_each_detail(|head, d| {
            s.add(head, d);
            Ok(())
        })?;
        Ok(s)
    }

    /// A report of these sums, for a comparison: a field that some file left out (unknown) or
    /// whose sum does not fit is unknown, so that it takes no part.
    fn into_report(self, meta: Meta, format: FormatVersion) -> Report {
        let mut report = Report::empty(meta);
        for ((i, v), f) in report
            .values_mut()
            .iter_mut()
            .enumerate()
            .zip(format.spec().fields())
        {
            let unit = f.col.kind.canonical_unit();
            *v = match self.sums.get(i) {
                Some(Some(sum)) if self.unknown.get(i) == Some(&0) => Value::computed(*sum, unit),
                _ => Value {
                    status: Status::Invalid,
                    ..Value::computed(Decimal::ZERO, unit)
                },
            };
        }
        report
    }

    /// Into the total report, with an I6 finding for each field some counted file left out.
    fn into_total(self, r: &mut Rollup) {
        let fields: Vec<_> = r.format.spec().fields().collect();
        let source = r.total.meta.source.clone();
        for (i, v) in r.total.values_mut().iter_mut().enumerate() {
            let unit = fields[i].col.kind.canonical_unit();
            *v = match self.sums.get(i).copied() {
                None => Value::computed(Decimal::ZERO, unit),
                Some(Some(sum)) => Value::computed(sum, unit),
                Some(None) => {
                    let f = fields[i];
                    r.region_findings.push(
                        Diagnostic::new(
                            Rule::R5,
                            &source,
                            format!(
                                "汇总“{}”的“{}”各单位之和超出可计算的范围，未能汇总",
                                f.row.label, f.col.label
                            ),
                        )
                        .help("请核对各单位该项的数值，其中有过大的数。"),
                    );
                    // unknown: takes no part in the total's checks
                    Value {
                        status: Status::Invalid,
                        ..Value::computed(Decimal::ZERO, unit)
                    }
                }
            };
            let unknown = self.unknown.get(i).copied().unwrap_or_default();
            if unknown > 0 {
                let f = fields[i];
                r.region_findings.push(Diagnostic::new(
                    Rule::I6,
                    &source,
                    format!(
                        "汇总“{}”的“{}”未计入 {unknown} 个单位的数（数值未知或金额单位未知）",
                        f.row.label, f.col.label
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field whose sum over the counted files does not fit is `None` (reported on the
    /// total), not a panic; the other fields go on.
    #[test]
    fn an_overflowing_sum_is_none() {
        let head = Head {
            display: "a.xlsx".into(),
            agency: None,
            year: Some(2023),
            format: None,
            fatal: None,
            errors: 0,
            warnings: 0,
            standing: Standing::Counted,
            duplicates: Vec::new(),
            metrics: Vec::new(),
            mark: None,
            year_from: None,
            this_year_errors: 0,
            year_taken: false,
        };
        let detail = Detail {
            values: vec![Some(Decimal::MAX), Some(Decimal::ONE), None],
            findings: Vec::new(),
        };
        let mut s = Sums::default();
        s.add(&head, Some(&detail));
        s.add(&head, Some(&detail));
        assert_eq!(s.sums, vec![None, Some(Decimal::TWO), Some(Decimal::ZERO)]);
        assert_eq!(s.unknown, vec![0, 0, 2]);
    }
}

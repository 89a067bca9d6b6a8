//! A whole roll-up as a caller makes it: the reading pass, the verdict, the strict policy, the
//! roster's coverage, and the outputs finished and committed together.

use std::path::PathBuf;

use crate::batch::{collect_inputs, same_file, Input, InputError, ReadSet, Verdict};
use crate::read::read_mark;

use super::crossyear::Previous;
use super::roster::{
    coverage, read_roster, Coverage, CoverageRow, RosterEntry, RosterError, Submission,
};
use super::{region_cross_year, rollup, Rollup, RollupError, RollupOptions, RollupSink, Standing};

/// What to roll up, and how.
#[derive(Debug, Clone, Default)]
pub struct RollupJob {
    /// The agencies' workbooks, in the order of the outputs.
    pub files: Vec<Input>,
    /// How to read and count them.
    pub options: RollupOptions,
    /// Last year's workbooks (agency reports or summaries), for the cross-year checks X1–X3;
    /// none: no cross-year checks.
    pub previous: Vec<Input>,
    /// The agencies expected to report: the coverage lists who did not.
    pub roster: Option<Vec<RosterEntry>>,
    /// Write nothing when any file has errors or cannot be read (the verdict is not clean).
    pub strict: bool,
    /// The paths read besides the workbooks of `files` and `previous`: the folders they were
    /// found in (every file under them), the roster file. [`RollupJob::open`] fills it; with
    /// `files` and `previous` it makes [`RollupJob::read_set`].
    pub reads: ReadSet,
}

/// The paths a roll-up reads, as the user gives them.
#[derive(Debug, Clone, Default)]
pub struct RollupSources {
    /// The agencies' workbooks: files, or folders searched for workbooks.
    pub inputs: Vec<PathBuf>,
    /// Last year's workbooks or summaries: files or folders.
    pub previous: Vec<PathBuf>,
    /// The roster CSV, if any.
    pub roster: Option<PathBuf>,
    /// This run's own outputs (the summary, the CSV): never read as inputs. One that a folder
    /// of the inputs holds is left out of the inputs when nianbao wrote it (an earlier output,
    /// to be replaced); any other file there stays an input, and writing over it is refused.
    pub outputs: Vec<PathBuf>,
}

/// Why a roll-up's job could not be made.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// An input or last year's path does not exist, or a folder given cannot be listed.
    #[error(transparent)]
    Inputs(#[from] InputError),
    /// The roster cannot be read.
    #[error(transparent)]
    Roster(#[from] RosterError),
}

impl RollupJob {
    /// The job of `sources`: the workbooks found under the inputs and under last year's paths,
    /// the roster read, and every path read recorded ([`RollupJob::read_set`]). Returned with
    /// warnings for the user, one Chinese line each naming its path: a path skipped under a
    /// folder (a symbolic-link loop, a broken link), roster lines that could not be decoded.
    /// None of these stops the job. The files found may be none: that is the caller's to judge.
    ///
    /// Each report is counted once: a workbook of the inputs that is one of `sources.outputs`
    /// and a summary nianbao wrote (the run's earlier output) is left out of the files and may
    /// be replaced, with a warning naming it; any other workbook there stays an input, which
    /// the output may not replace.
    pub fn open(
        sources: &RollupSources,
        options: RollupOptions,
        strict: bool,
    ) -> Result<(RollupJob, Vec<String>), JobError> {
        let inputs = collect_inputs(&sources.inputs)?;
        let previous = collect_inputs(&sources.previous)?;
        let mut warnings: Vec<String> = inputs
            .skipped
            .iter()
            .chain(&previous.skipped)
            .map(ToString::to_string)
            .collect();
        let mut reads = inputs.reads;
        reads.extend(&previous.reads);
        let roster = match &sources.roster {
            Some(path) => {
                reads.add(path);
                let roster = read_roster(path)?;
                warnings.extend(roster.warnings);
                Some(roster.entries)
            }
            None => None,
        };
        let mut files = inputs.files;
        for out in &sources.outputs {
            if let Some(i) = files.iter().position(|f| same_file(f, out)) {
                let summary = read_mark(out, &options.read.limits)
                    .is_some_and(|m| m.mark.kind == crate::model::MarkKind::Summary);
                if !summary {
                    continue; // an agency's workbook: stays an input, the output is refused
                }
                let f = files.remove(i);
                warnings.push(format!(
                    "已跳过 {}：这是本次要写出的文件（nianbao 以前写出的），不作为输入读取，将被替换",
                    f.display()
                ));
                reads.not_read(out);
            }
        }
        let job = RollupJob {
            files: files.into_iter().map(Input::File).collect(),
            options,
            previous: previous.files.into_iter().map(Input::File).collect(),
            roster,
            strict,
            reads,
        };
        Ok((job, warnings))
    }

    /// Every path the job reads, which no output may overwrite: `reads` (folders protect every
    /// file under them, compared by identity: see [`ReadSet`]) and the workbooks of `files` and
    /// `previous`.
    pub fn read_set(&self) -> ReadSet {
        let mut set = self.reads.clone();
        for f in self.files.iter().chain(&self.previous) {
            if let Some(p) = f.path() {
                set.add(p);
            }
        }
        set
    }
}

/// How many files stand where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// All files.
    pub files: usize,
    /// Counted in the totals (with or without errors).
    pub counted: usize,
    /// Left out for error findings.
    pub invalid: usize,
    /// Left out as the same agency and year submitted twice.
    pub duplicate: usize,
    /// Left out because the report year is unknown.
    pub year_unknown: usize,
    /// Could not be read.
    pub unreadable: usize,
    /// Skipped as an earlier summary of the region itself (an earlier output).
    pub earlier_output: usize,
    /// Left out as already contained in a summary among the inputs (B2).
    pub in_summary: usize,
}

impl Tally {
    fn of(rollup: &Rollup) -> Self {
        let count = |s: Standing| rollup.heads.iter().filter(|h| h.standing == s).count();
        Tally {
            files: rollup.heads.len(),
            counted: rollup.heads.iter().filter(|h| h.standing.counted()).count(),
            invalid: count(Standing::Invalid),
            duplicate: count(Standing::Duplicate),
            year_unknown: count(Standing::YearUnknown),
            unreadable: count(Standing::Unreadable),
            earlier_output: count(Standing::EarlierOutput),
            in_summary: count(Standing::InSummary),
        }
    }
}

/// What a roll-up came to.
pub struct RollupOutcome {
    /// Unreadable if any file could not be read; findings if any file or the region has an
    /// error finding, or any file is left out of the totals; else clean.
    pub verdict: Verdict,
    /// How many files stand where.
    pub tally: Tally,
    /// Whether the sinks were finished and committed: `false` when `strict` refused a roll-up
    /// whose verdict is not clean (nothing was written).
    pub written: bool,
    /// With a roster: how many of its agencies did not submit.
    pub missing: Option<usize>,
    /// The roster's coverage (empty without a roster), also when `strict` refused the roll-up.
    pub coverage: Vec<CoverageRow>,
    /// The roll-up itself: every file's head, the region's total and findings.
    pub rollup: Rollup,
}

impl RollupOutcome {
    /// The files skipped as earlier outputs (earlier summaries of the region itself), as given.
    pub fn earlier_outputs(&self) -> Vec<&str> {
        self.rollup
            .heads
            .iter()
            .filter(|h| h.standing == Standing::EarlierOutput)
            .map(|h| h.display.as_str())
            .collect()
    }
}

/// Roll up `job.files` into `sinks`: read and reduce every file (each handed to the sinks in
/// input order as it comes), decide duplicates, the year and the version, then — unless
/// `job.strict` refuses a verdict that is not clean — finish every sink with the roster's
/// coverage and commit them all. `progress` is called with the number of files read.
///
/// `Err` means no roll-up could be made (no countable report, several years or versions) or a
/// sink failed; either way no sink was committed.
pub fn run(
    job: &RollupJob,
    sinks: &mut [&mut dyn RollupSink],
    progress: &(dyn Fn(usize) + Sync),
) -> Result<RollupOutcome, RollupError> {
    let opts = &job.options;
    let previous = if job.previous.is_empty() {
        Previous::default()
    } else {
        Previous::load(&job.previous, &opts.read, &opts.name)
    };
    let mut r = rollup(&job.files, opts, &previous, sinks, progress)?;

    let tally = Tally::of(&r);
    let coverage = match &job.roster {
        Some(roster) => {
            let submissions: Vec<Submission> = r
                .heads
                .iter()
                .filter_map(|h| {
                    Some(Submission {
                        agency: h.agency.as_deref()?,
                        file: &h.display,
                        counted: h.standing.counted(),
                    })
                })
                .collect();
            coverage(roster, &submissions)
        }
        None => Vec::new(),
    };
    let missing = job.roster.as_ref().map(|_| {
        coverage
            .iter()
            .filter(|c| c.coverage == Coverage::Missing)
            .count()
    });
    // the region's cross-year checks need to know who is missing from the total
    // (an earlier output is not an agency; an agency inside a counted summary is in the total)
    let left_out = tally.files - tally.counted - tally.earlier_output - tally.in_summary
        + missing.unwrap_or(0);
    let region = region_cross_year(&mut r, &previous, left_out)?;
    r.region_findings.extend(region);

    let any_errors =
        r.heads.iter().any(|h| h.errors > 0) || r.region_findings.iter().any(|d| d.is_error());
    // An earlier output skipped is no finding: rolling up again gives the same verdict.
    let verdict = Verdict::of(
        tally.unreadable > 0,
        any_errors || tally.counted + tally.earlier_output < tally.files,
    );
    let refused = job.strict && verdict != Verdict::Clean;
    if !refused {
        for sink in sinks.iter_mut() {
            sink.finish(&mut r, &coverage)
                .map_err(RollupError::Output)?;
        }
        for sink in sinks.iter_mut() {
            sink.commit().map_err(RollupError::Output)?;
        }
    }
    Ok(RollupOutcome {
        verdict,
        tally,
        written: !refused,
        missing,
        coverage,
        rollup: r,
    })
}

//! Many files: find the workbooks under the inputs, read and check each (in parallel, order
//! preserved), and flag the same agency and year submitted twice. One unreadable file never stops
//! the others. [`check_and_fix`] is one file with `--fix`; a [`Verdict`] sums a run up for its
//! exit code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diag::{Diagnostic, Rule};
use crate::error::ReadError;
use crate::fix::Correction;
use crate::model::Report;
use crate::read::normalize::norm;
use crate::read::{read_report, ReadOptions};

/// Extensions a directory is searched for (case-insensitive). Files named on the command line
/// are read whatever their name: the bytes decide.
pub const WORKBOOK_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "ods", "et"];

/// Why the inputs could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// An input named does not exist.
    #[error("找不到输入 {path}（请检查路径）")]
    NotFound {
        /// The input as given.
        path: String,
    },
    /// A directory could not be searched.
    #[error("无法读取目录 {path}：{source}")]
    Walk {
        /// The directory as given.
        path: String,
        /// What the walk ran into.
        #[source]
        source: walkdir::Error,
    },
}

/// The files to read: files as given, directories searched recursively for workbooks (Excel's
/// `~$` lock files and hidden files skipped), sorted and deduplicated so that the result does not
/// depend on directory order.
pub fn collect_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            for entry in walkdir::WalkDir::new(input).follow_links(true) {
                let entry = entry.map_err(|source| InputError::Walk {
                    path: input.display().to_string(),
                    source,
                })?;
                let name = entry.file_name().to_string_lossy();
                if entry.file_type().is_file()
                    && !name.starts_with("~$")
                    && !name.starts_with('.')
                    && is_workbook_name(entry.path())
                {
                    found.push(entry.into_path());
                }
            }
            found.sort();
            out.extend(found);
        } else if input.exists() {
            out.push(input.clone());
        } else {
            return Err(InputError::NotFound {
                path: input.display().to_string(),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())));
    Ok(out)
}

fn is_workbook_name(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        WORKBOOK_EXTENSIONS
            .iter()
            .any(|w| e.eq_ignore_ascii_case(w))
    })
}

/// One file's result.
#[derive(Debug)]
pub struct Checked {
    /// The file as given (used in every message).
    pub display: String,
    /// The report with its findings (reading's and the rules', sorted), or why the file could
    /// not be read.
    pub outcome: Result<(Report, Vec<Diagnostic>), ReadError>,
}

impl Checked {
    /// The report, if the file could be read.
    pub fn report(&self) -> Option<&Report> {
        self.outcome.as_ref().ok().map(|(r, _)| r)
    }

    /// The findings (none for a file that could not be read).
    pub fn findings(&self) -> &[Diagnostic] {
        self.outcome.as_ref().map_or(&[], |(_, f)| f.as_slice())
    }

    /// Whether any finding is an error (warnings do not count).
    pub fn has_errors(&self) -> bool {
        self.findings().iter().any(|d| d.is_error())
    }
}

/// Read and validate one file: reading findings plus rule findings, sorted.
pub fn check_file(path: &Path, opts: &ReadOptions) -> Checked {
    check_and_fix(path, opts, false).0
}

/// [`check_file`], with the report's derivable totals recomputed first when `fix` is set
/// ([`crate::fix::fix`]): the findings are then those of the corrected report, and the
/// corrections are returned beside them.
pub fn check_and_fix(path: &Path, opts: &ReadOptions, fix: bool) -> (Checked, Vec<Correction>) {
    let display = path.display().to_string();
    // one file's panic is that file's error ([`crate::guard`])
    let work = crate::guard::catch(|| {
        let mut corrections = Vec::new();
        let outcome = read_report(path, &display, opts).map(|(mut report, mut findings)| {
            crate::guard::test_panic("check", &display);
            if fix {
                corrections = crate::fix::fix(&mut report);
            }
            findings.extend(crate::validate::validate(&report));
            crate::diag::sort(&mut findings);
            (report, findings)
        });
        (outcome, corrections)
    });
    let (outcome, corrections) = work.unwrap_or_else(|detail| {
        let path = display.clone();
        (Err(ReadError::Internal { path, detail }), Vec::new())
    });
    (Checked { display, outcome }, corrections)
}

/// How a run went, for its exit code: clean (warnings allowed), findings (an error finding, or
/// a file left out of a roll-up), or a file that could not be read (which wins over findings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every file read, no error finding (warnings allowed).
    Clean,
    /// An error finding, or a file left out of a roll-up's totals.
    Findings,
    /// A file could not be read.
    Unreadable,
}

impl Verdict {
    /// The verdict of a run with or without unreadable files and error findings.
    pub fn of(unreadable: bool, findings: bool) -> Self {
        if unreadable {
            Verdict::Unreadable
        } else if findings {
            Verdict::Findings
        } else {
            Verdict::Clean
        }
    }

    /// The verdict of checked files: any unreadable, else any error finding.
    pub fn of_checked(results: &[Checked]) -> Self {
        Verdict::of(
            results.iter().any(|c| c.outcome.is_err()),
            results.iter().any(Checked::has_errors),
        )
    }
}

/// Check many files in parallel (results in input order), then flag duplicates (rule `B1`).
pub fn check_files(paths: &[PathBuf], opts: &ReadOptions) -> Vec<Checked> {
    let mut results: Vec<Checked> = paths.par_iter().map(|p| check_file(p, opts)).collect();
    flag_duplicates(&mut results);
    results
}

/// The key two reports of the same agency and year share: normalised name and year.
pub(crate) fn agency_key(agency: Option<&str>, year: Option<u16>) -> Option<(String, u16)> {
    Some((norm(agency?), year?))
}

/// Groups of positions that share an agency and year (each group has two or more).
pub(crate) fn duplicate_groups(
    keys: impl IntoIterator<Item = Option<(String, u16)>>,
) -> Vec<Vec<usize>> {
    let mut by_key: BTreeMap<(String, u16), Vec<usize>> = BTreeMap::new();
    for (i, k) in keys.into_iter().enumerate() {
        if let Some(k) = k {
            by_key.entry(k).or_default().push(i);
        }
    }
    by_key.into_values().filter(|v| v.len() > 1).collect()
}

/// The B1 finding for one file of a duplicate group.
pub(crate) fn duplicate_finding(
    display: &str,
    agency: &str,
    year: u16,
    others: &[&str],
) -> Diagnostic {
    Diagnostic::new(
        Rule::B1,
        display,
        format!(
            "“{agency}”{year}年的报表重复报送：另见 {}",
            others.join("、")
        ),
    )
    .help("同一单位同一年度只能保留一份，请删除多余的文件后重试；汇总时两份都不计入。")
}

/// The same agency and year in two files is an error (B1) on every file involved, naming the others.
pub(crate) fn flag_duplicates(results: &mut [Checked]) {
    let groups = duplicate_groups(results.iter().map(|c| {
        c.report()
            .and_then(|r| agency_key(r.meta.agency.as_deref(), r.meta.year))
    }));
    for idx in groups {
        let names: Vec<String> = idx.iter().map(|&i| results[i].display.clone()).collect();
        for &i in &idx {
            let c = &mut results[i];
            let others: Vec<&str> = names
                .iter()
                .filter(|n| **n != c.display)
                .map(String::as_str)
                .collect();
            if let Ok((report, findings)) = &mut c.outcome {
                let d = duplicate_finding(
                    &c.display,
                    report.meta.agency.as_deref().unwrap_or_default(),
                    report.meta.year.unwrap_or_default(),
                    &others,
                );
                findings.insert(0, d);
            }
        }
    }
}

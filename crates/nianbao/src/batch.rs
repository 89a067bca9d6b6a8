//! Many files: find the workbooks under the inputs, read and check each (in parallel, order
//! preserved), and flag the same agency and year submitted twice. One unreadable file never stops
//! the others. [`check_and_fix`] is one file with `--fix`; a [`Verdict`] sums a run up for its
//! exit code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diag::{Diagnostic, Rule};
use crate::error::ReadError;
use crate::fix::Fixed;
use crate::model::Report;
use crate::read::normalize::norm;
use crate::read::{read_report, ReadOptions};

/// Extensions a directory is searched for (case-insensitive): workbooks, published web pages
/// and Word documents, and published reports as text (`txt`, `md`; a folder's `README.*` is its
/// notes and is not read). Files named on the command line are read whatever their name: the
/// bytes decide.
pub const WORKBOOK_EXTENSIONS: &[&str] = &[
    "xlsx", "xlsm", "xls", "ods", "et", // workbooks
    "html", "htm", "docx", // published documents: web pages, Word
    "txt", "md", // published reports as text
];

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

/// A path under an input folder that was not searched or read, and why (a symbolic-link loop, a
/// link to nothing, a folder that cannot be listed): the rest of the folder is read all the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The path skipped.
    pub path: PathBuf,
    /// Why, in Chinese.
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "已跳过 {}：{}", self.path.display(), self.reason)
    }
}

/// What [`collect_inputs`] found.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The workbooks to read, sorted and deduplicated.
    pub files: Vec<PathBuf>,
    /// Paths under the folders that were skipped, with the reason (reported, never fatal).
    pub skipped: Vec<Skipped>,
    /// Everything the inputs make the command read: the files and folders as given.
    pub reads: ReadSet,
}

/// The files to read: files as given, directories searched recursively for workbooks (Excel's
/// `~$` lock files and hidden files skipped), sorted and deduplicated so that the result does not
/// depend on directory order. A path under a folder that cannot be followed (a symbolic-link
/// loop, a broken link, an unreadable subfolder) is listed in [`Inputs::skipped`] and the search
/// goes on; only an input that does not exist, or a folder given that cannot be listed, is an
/// error.
pub fn collect_inputs(inputs: &[PathBuf]) -> Result<Inputs, InputError> {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            for entry in walkdir::WalkDir::new(input).follow_links(true) {
                let entry = match entry {
                    Ok(e) => e,
                    Err(source) if source.depth() > 0 => {
                        skipped.push(walk_skip(input, &source));
                        continue;
                    }
                    Err(source) => {
                        return Err(InputError::Walk {
                            path: input.display().to_string(),
                            source,
                        })
                    }
                };
                let name = entry.file_name().to_string_lossy();
                if entry.file_type().is_file()
                    && !name.starts_with("~$")
                    && !name.starts_with('.')
                    && !is_readme(&name)
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
    Ok(Inputs {
        files: out,
        skipped,
        reads: ReadSet::of(inputs),
    })
}

/// A path the folder walk could not follow, as a [`Skipped`].
fn walk_skip(root: &Path, e: &walkdir::Error) -> Skipped {
    let path = e.path().unwrap_or(root).to_path_buf();
    let reason = if let Some(ancestor) = e.loop_ancestor() {
        format!(
            "符号链接循环（指回上级目录 {}），未进入；请删除或改正这个链接",
            ancestor.display()
        )
    } else if path.symlink_metadata().is_ok() && path.metadata().is_err() {
        "符号链接指向的文件不存在；请删除或改正这个链接".to_string()
    } else {
        match e.io_error() {
            Some(io) => format!("无法读取（{io}）；请检查权限"),
            None => format!("无法读取（{e}）"),
        }
    };
    Skipped { path, reason }
}

/// Every path a command reads, which none of its outputs may be: files read themselves, and
/// folders, every file under which (workbook or not, followed through links) counts as read.
///
/// Paths are compared by identity, not by spelling: on unix two paths are the same file when
/// they have the same device and inode (so a different spelling, a symbolic link and a hard link
/// are all caught); elsewhere when their canonical paths are equal. An output that does not exist
/// yet cannot be any of them.
///
/// It also says what else an output may not replace ([`Overwrite`]): by default an existing file
/// nianbao did not write.
#[derive(Debug, Clone, Default)]
pub struct ReadSet {
    files: Vec<PathBuf>,
    folders: Vec<PathBuf>,
    /// Outputs of this run that it does not read after all (its earlier summary, left out of
    /// the inputs): not a clash.
    replaced: Vec<PathBuf>,
    overwrite: Overwrite,
}

/// Which existing files an output may replace, besides files nianbao wrote (always allowed
/// unless read) and paths that do not exist yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overwrite {
    /// No other file: replacing one is refused, and the refusal ends with `how`, a clause
    /// telling the user how to allow it (the CLI names its flag).
    OnlyNianbaos {
        /// The clause, e.g. `或明确要求覆盖它`.
        how: String,
    },
    /// Any file that is not read (the user asked for it).
    Any,
}

impl Default for Overwrite {
    fn default() -> Self {
        Overwrite::OnlyNianbaos {
            how: "或明确要求覆盖它".into(),
        }
    }
}

impl ReadSet {
    /// The read set of paths as given: a folder protects every file under it.
    pub fn of(paths: &[PathBuf]) -> Self {
        let mut s = ReadSet::default();
        for p in paths {
            s.add(p);
        }
        s
    }

    /// Add a path read (a file, or a folder whose every file is read).
    pub fn add(&mut self, path: &Path) {
        if path.is_dir() {
            self.folders.push(path.to_path_buf());
        } else {
            self.files.push(path.to_path_buf());
        }
    }

    /// Add every path of `other`.
    pub fn extend(&mut self, other: &ReadSet) {
        self.files.extend(other.files.iter().cloned());
        self.folders.extend(other.folders.iter().cloned());
        self.replaced.extend(other.replaced.iter().cloned());
    }

    /// Which existing files an output may replace besides nianbao's own ([`Overwrite`]).
    pub fn overwrite(&self) -> &Overwrite {
        &self.overwrite
    }

    /// Set which existing files an output may replace besides nianbao's own.
    pub fn set_overwrite(&mut self, overwrite: Overwrite) {
        self.overwrite = overwrite;
    }

    /// `output` is not read after all (an earlier output of the run, left out of its inputs):
    /// writing it is no clash.
    pub(crate) fn not_read(&mut self, output: &Path) {
        self.replaced.push(output.to_path_buf());
    }

    /// The path read that writing `output` would overwrite, if any: a file of the set that is
    /// the same file as `output`, or a file under one of its folders that is.
    pub fn clash(&self, output: &Path) -> Option<PathBuf> {
        let out = FileId::of(output)?;
        if self
            .replaced
            .iter()
            .any(|r| FileId::of(r).as_ref() == Some(&out))
        {
            return None;
        }
        self.clash_read(output)
    }

    /// The file named in the set (not found under one of its folders) that is `output`, if any.
    pub(crate) fn named(&self, output: &Path) -> Option<PathBuf> {
        let out = FileId::of(output)?;
        self.files
            .iter()
            .find(|f| FileId::of(f).as_ref() == Some(&out))
            .cloned()
    }

    fn clash_read(&self, output: &Path) -> Option<PathBuf> {
        let out = FileId::of(output)?;
        if let Some(f) = self
            .files
            .iter()
            .find(|f| FileId::of(f).as_ref() == Some(&out))
        {
            return Some(f.clone());
        }
        for folder in &self.folders {
            let hit = walkdir::WalkDir::new(folder)
                .follow_links(true)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .find(|e| FileId::of(e.path()).as_ref() == Some(&out));
            if let Some(e) = hit {
                return Some(e.into_path());
            }
        }
        None
    }
}

/// What makes a file the same file whatever its path: device and inode on unix, the canonical
/// path elsewhere. `None` for a path that does not exist.
#[derive(Debug, PartialEq, Eq)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Canonical(PathBuf),
}

impl FileId {
    fn of(path: &Path) -> Option<Self> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(path).ok()?;
            Some(FileId::Inode(m.dev(), m.ino()))
        }
        #[cfg(not(unix))]
        {
            path.canonicalize().ok().map(FileId::Canonical)
        }
    }
}

/// Whether two paths are the same existing file (see [`ReadSet`] for how).
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    FileId::of(a).is_some_and(|x| Some(x) == FileId::of(b))
}

/// A folder's notes (`README.md`, `readme.txt`): text, but not a report.
fn is_readme(name: &str) -> bool {
    name.get(..6)
        .is_some_and(|s| s.eq_ignore_ascii_case("readme"))
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

/// One input to read: a file on disk, or a file's bytes already in memory (an upload) with the
/// name it is shown by. That name is only text in messages: it is never opened as a path.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file on disk.
    File(PathBuf),
    /// A file's bytes, and the name findings call it by.
    Bytes {
        /// The name it is shown by (and read from, as the last source of agency and year).
        name: String,
        /// The file's bytes.
        bytes: std::sync::Arc<[u8]>,
    },
}

impl Input {
    /// The name it is shown by: the path as given, or the upload's name.
    pub fn display(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }

    /// The file on disk, if it is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Input::File(p) => Some(p),
            Input::Bytes { .. } => None,
        }
    }

    /// [`check_file`] of the input.
    pub fn check(&self, opts: &ReadOptions) -> Checked {
        match self {
            Input::File(p) => check_file(p, opts),
            Input::Bytes { name, bytes } => check_and_fix_bytes(bytes, name, opts, false).0,
        }
    }

    /// nianbao's mark on the input ([`crate::read::read_mark`]), if nianbao wrote it.
    pub fn mark(&self, limits: &crate::read::Limits) -> Option<crate::read::Marked> {
        match self {
            Input::File(p) => crate::read::read_mark(p, limits),
            Input::Bytes { name, bytes } => crate::read::read_mark_bytes(bytes, name, limits),
        }
    }
}

impl From<PathBuf> for Input {
    fn from(path: PathBuf) -> Self {
        Input::File(path)
    }
}

/// Read and validate one file: reading findings plus rule findings, sorted.
pub fn check_file(path: &Path, opts: &ReadOptions) -> Checked {
    check_and_fix(path, opts, false).0
}

/// [`check_file`], with the report's derivable totals recomputed first when `fix` is set
/// ([`crate::fix::fix`]: only where that makes no rule fail that held as read). The findings
/// are then those of the report *as read* (their messages quote the agency's numbers) that
/// still hold after the corrections; what was corrected, and what was not because two rules
/// disagree, is returned beside them.
pub fn check_and_fix(path: &Path, opts: &ReadOptions, fix: bool) -> (Checked, Fixed) {
    let display = path.display().to_string();
    check_read(display, fix, |display| read_report(path, display, opts))
}

/// [`check_and_fix`] of a file's bytes already in memory (an upload), named `display` in
/// messages (never used as a path).
pub fn check_and_fix_bytes(
    bytes: &[u8],
    display: &str,
    opts: &ReadOptions,
    fix: bool,
) -> (Checked, Fixed) {
    check_read(display.to_string(), fix, |display| {
        crate::read::read_report_bytes(bytes, display, opts)
    })
}

/// [`check_files`] of files already in memory, each `(display, bytes)`.
pub fn check_bytes<B: AsRef<[u8]> + Sync>(
    files: &[(String, B)],
    opts: &ReadOptions,
) -> Vec<Checked> {
    let mut results: Vec<Checked> = files
        .par_iter()
        .map(|(display, bytes)| check_and_fix_bytes(bytes.as_ref(), display, opts, false).0)
        .collect();
    flag_duplicates(&mut results);
    results
}

/// The body of [`check_and_fix`]: `read` gives the report as read and its reading findings.
fn check_read(
    display: String,
    fix: bool,
    read: impl FnOnce(&str) -> Result<(Report, Vec<Diagnostic>), ReadError>,
) -> (Checked, Fixed) {
    // one file's panic is that file's error ([`crate::guard`])
    let work = crate::guard::catch(|| {
        let mut fixed = Fixed::default();
        let outcome = read(&display).map(|(mut report, mut findings)| {
            crate::guard::test_panic("check", &display);
            if fix {
                let (f, still) = crate::fix::fix_checked(&mut report);
                fixed = f;
                findings.extend(still);
            } else {
                findings.extend(crate::validate::validate(&report));
            }
            crate::diag::sort(&mut findings);
            (report, findings)
        });
        (outcome, fixed)
    });
    let (outcome, fixed) = work.unwrap_or_else(|detail| {
        let path = display.clone();
        (Err(ReadError::Internal { path, detail }), Fixed::default())
    });
    (Checked { display, outcome }, fixed)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An upload is checked as the same file on disk, named by the name it was given; two
    /// uploads of one agency and year are duplicates (B1) as two files are.
    #[test]
    fn bytes_are_checked_as_files() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample_workbooks");
        let opts = ReadOptions::default();
        for name in [
            "fails_r1.xlsx",
            "yuntai_wenlv_2020.xls",
            "bad/zip_bomb.xlsx",
        ] {
            let path = root.join(name);
            let bytes = std::fs::read(&path).unwrap();
            let (up, _) = check_and_fix_bytes(&bytes, "上传.xlsx", &opts, false);
            let disk = check_file(&path, &opts);
            assert_eq!(up.display, "上传.xlsx");
            let same = |c: &Checked| {
                let text = format!("{:?}", c.outcome.as_ref().map(|(_, f)| f));
                text.replace(&c.display, "<file>")
            };
            assert_eq!(same(&up), same(&disk), "{name}");
        }
        let bytes = std::fs::read(root.join("fails_r1.xlsx")).unwrap();
        let both = check_bytes(
            &[
                ("a.xlsx".to_string(), &bytes),
                ("b.xlsx".to_string(), &bytes),
            ],
            &opts,
        );
        assert!(both
            .iter()
            .all(|c| c.findings().iter().any(|d| d.rule == Rule::B1)));
    }

    /// Issue 11: a folder's published reports as text are found; its README is not.
    #[test]
    fn folders_yield_text_reports_but_not_their_readme() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "a.xlsx",
            "b.txt",
            "c.MD",
            "README.md",
            "readme.txt",
            "d.csv",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let found = collect_inputs(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<String> = found
            .files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.xlsx", "b.txt", "c.MD"]);
    }
}

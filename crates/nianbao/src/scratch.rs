//! Temporary files: the one place nianbao makes them.
//!
//! - [`anonymous_in`]: a scratch file with no name (the roll-up's spool, an output's bytes until
//!   it is committed). On Linux it never has a name (`O_TMPFILE`); on other unix systems its
//!   name is removed as soon as it is made. Either way it is gone when the process ends, however
//!   it ends.
//! - [`named_in`]: the only named temporary file, `.nianbao-<pid>-<random>.tmp` beside an output,
//!   which is renamed over the output once complete (the atomic write). It exists only while an
//!   output is being committed (copied from its scratch file, synced and renamed), so a process
//!   killed during a long roll-up leaves none behind; one killed during the commit may.
//! - [`remove_stale`]: run before an output is written, in its directory: removes what such a
//!   killed process left there (see its doc for what counts as stale).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Every named temporary file nianbao makes starts with this…
pub(crate) const PREFIX: &str = ".nianbao-";
/// …and ends with this.
pub(crate) const SUFFIX: &str = ".tmp";

/// A temporary file left this long is stale whoever made it.
pub(crate) const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
/// A temporary file whose creating process is gone is stale once left this long (a margin for
/// a process on another machine writing into a shared folder, whose pid means nothing here).
pub(crate) const ORPHAN_AFTER: Duration = Duration::from_secs(10 * 60);

/// A scratch file without a name in `dir` (same filesystem as an output there, so that copying
/// it into place can share blocks), gone when closed or when the process dies.
pub(crate) fn anonymous_in(dir: &Path) -> io::Result<File> {
    tempfile::tempfile_in(dir)
}

/// A scratch file without a name in the system's temporary directory.
pub(crate) fn anonymous() -> io::Result<File> {
    tempfile::tempfile()
}

/// The named temporary file beside an output in `dir`: `.nianbao-<pid>-<random>.tmp`, removed
/// when dropped unless persisted.
pub(crate) fn named_in(dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    let prefix = format!("{PREFIX}{}-", std::process::id());
    tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(SUFFIX)
        .tempfile_in(dir)
}

/// Remove the temporary files of nianbao runs that did not finish from `dir`, sparing `keep`;
/// returns what was removed. Errors (a file just removed by another run, no permission) are
/// ignored: cleaning up is never a reason to fail.
///
/// A file is stale when its name is `.nianbao-*.tmp`, it is a regular file (not a link), and
/// either it was last modified more than 24 hours ago ([`STALE_AFTER`]), or its name records
/// the id of the process that made it (`.nianbao-<pid>-….tmp`), no such process is running on
/// this machine (checked in `/proc`, so only where there is one), and it was last modified more
/// than 10 minutes ago ([`ORPHAN_AFTER`]). Anything else is left alone: a fresh file may be
/// another run's output being committed.
pub(crate) fn remove_stale(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let now = SystemTime::now();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(middle) = name
            .strip_prefix(PREFIX)
            .and_then(|n| n.strip_suffix(SUFFIX))
        else {
            continue;
        };
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let age = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        let orphan = || {
            middle
                .split_once('-')
                .and_then(|(pid, _)| pid.parse::<u32>().ok())
                .is_some_and(|pid| !process_running(pid))
        };
        let stale = age > STALE_AFTER || (age > ORPHAN_AFTER && orphan());
        let path = entry.path();
        if stale && !keep(&path) && std::fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    removed
}

/// Whether process `pid` runs on this machine; `true` when that cannot be told (no `/proc`).
fn process_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if pid == std::process::id() || !proc.join("self").exists() {
        return true;
    }
    proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aged(dir: &Path, name: &str, age: Duration) -> PathBuf {
        let p = dir.join(name);
        let f = File::create(&p).unwrap();
        f.set_modified(SystemTime::now() - age).unwrap();
        p
    }

    #[test]
    fn removes_old_and_orphaned_temporaries_only() {
        let dir = tempfile::tempdir().unwrap();
        let hour = Duration::from_secs(3600);
        let me = std::process::id();
        let old = aged(dir.path(), ".nianbao-AbC123.tmp", 25 * hour);
        let old_mine = aged(dir.path(), &format!(".nianbao-{me}-x.tmp"), 25 * hour);
        let fresh = aged(dir.path(), ".nianbao-AbC124.tmp", Duration::ZERO);
        let mine = aged(dir.path(), &format!(".nianbao-{me}-y.tmp"), hour);
        let not_ours = aged(dir.path(), ".other-1.tmp", 48 * hour);
        let user_file = aged(dir.path(), "nianbao-1.tmp", 48 * hour);
        let kept = aged(dir.path(), ".nianbao-keep.tmp", 48 * hour);
        // A pid no process has: above the kernel's pid_max (at most 2^22).
        let dead = 4_000_000_000u32;
        let orphan = aged(dir.path(), &format!(".nianbao-{dead}-z.tmp"), hour);
        let young_orphan = aged(
            dir.path(),
            &format!(".nianbao-{dead}-w.tmp"),
            Duration::ZERO,
        );
        let mut removed = remove_stale(dir.path(), |p| p == kept);
        removed.sort();
        let mut expected = vec![old, old_mine];
        if Path::new("/proc/self").exists() {
            expected.push(orphan.clone());
        }
        expected.sort();
        assert_eq!(removed, expected);
        for p in [fresh, mine, not_ours, user_file, kept, young_orphan] {
            assert!(p.exists(), "{}", p.display());
        }
    }
}

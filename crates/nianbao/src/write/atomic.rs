//! Atomic output: write to a temporary file in the target directory, sync, rename into place.
//! An output that is any path the command reads ([`ReadSet`]) is refused; a failure half-way
//! leaves nothing behind. Temporary files are made by [`crate::scratch`], and what a killed run
//! left in the output's directory is removed before writing there.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::batch::{Overwrite, ReadSet};
use crate::scratch;

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output is a path the command reads (or a link to one): refused, nothing written.
    #[error(
        "输出文件 {output} 与要读取的 {input} 是同一个文件，拒绝覆盖：请给输出换一个文件名或位置"
    )]
    WouldOverwriteInput {
        /// The output as given.
        output: String,
        /// The path read that it is, as given (or as found under a folder given).
        input: String,
    },
    /// The output exists and is not a file nianbao wrote (or it was changed since): refused,
    /// nothing written.
    #[error("输出文件 {output} 已存在，且不是 nianbao 写出的文件（或写出后已被修改），拒绝覆盖：请换一个输出文件名，{how}")]
    NotNianbaos {
        /// The output as given.
        output: String,
        /// How to allow it anyway ([`Overwrite::OnlyNianbaos`]).
        how: String,
    },
    /// The workbook could not be built (a rust_xlsxwriter limit or bug), before anything was written.
    #[error("无法生成工作簿 {output}：{source}")]
    Xlsx {
        /// The output as given.
        output: String,
        /// rust_xlsxwriter's error.
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
    /// Writing, syncing or renaming the output failed.
    #[error("无法写入输出文件 {output}：{}", crate::error::os_reason(.source))]
    Io {
        /// The output as given (`内存` for memory).
        output: String,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
}

/// Refuse `output` if it is any path of `reads` (compared by identity: see [`ReadSet`]), or an
/// existing file nianbao did not write ([`written_by_nianbao`]) unless `reads` allows replacing
/// any ([`Overwrite::Any`]).
///
/// A file found under a folder read that the command does not read itself (it is not named in
/// `reads`: not one of the workbooks, nor the roster) and that nianbao wrote is an earlier
/// output (the roll-up's CSV in its input folder): it may be replaced.
pub fn refuse_input(output: &Path, reads: &ReadSet) -> Result<(), WriteError> {
    if let Some(input) = reads.clash(output) {
        if reads.named(output).is_none() && written_by_nianbao(output) {
            return Ok(());
        }
        return Err(WriteError::WouldOverwriteInput {
            output: output.display().to_string(),
            input: input.display().to_string(),
        });
    }
    match reads.overwrite() {
        Overwrite::OnlyNianbaos { how }
            if output.symlink_metadata().is_ok() && !written_by_nianbao(output) =>
        {
            Err(WriteError::NotNianbaos {
                output: output.display().to_string(),
                how: how.clone(),
            })
        }
        _ => Ok(()),
    }
}

/// Whether the existing file at `path` is one nianbao wrote, so that an output may replace it
/// without being told to: a workbook with nianbao's mark that no application has saved since
/// ([`crate::read::read_mark`]); a long CSV (nianbao's BOM and header); the JSON of a report
/// (`convert`) or of a check (`check --format json`); or an empty file (nothing to lose).
pub fn written_by_nianbao(path: &Path) -> bool {
    use std::io::Read;
    let Ok((file, meta)) = crate::read::open_regular(path) else {
        return false;
    };
    if meta.len() == 0 {
        return true;
    }
    let mut head = Vec::new();
    if file.take(4096).read_to_end(&mut head).is_err() {
        return false;
    }
    if head.starts_with(b"PK\x03\x04") {
        let limits = crate::read::Limits::default();
        return crate::read::read_mark(path, &limits).is_some_and(|m| m.untouched);
    }
    let csv_header = format!("\u{feff}{}", super::csv::HEADER[..7].join(","));
    if head.starts_with(csv_header.as_bytes()) {
        return true;
    }
    if head.first() == Some(&b'{') && meta.len() <= JSON_LIMIT {
        let Ok(json) = std::fs::read(path) else {
            return false;
        };
        let Ok(serde_json::Value::Object(o)) = serde_json::from_slice(&json) else {
            return false;
        };
        let has = |keys: &[&str]| keys.iter().all(|k| o.contains_key(*k));
        return has(&["format", "source", "tables"]) || has(&["files", "summary"]);
    }
    false
}

/// The largest JSON file looked into to tell whether nianbao wrote it.
const JSON_LIMIT: u64 = 64 * 1024 * 1024;

/// The directory an output goes in.
pub(crate) fn dir_of(output: &Path) -> PathBuf {
    match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Before writing `output`: refuse it if it is read, and remove what killed runs left beside it
/// (never a path read).
pub(crate) fn prepare(output: &Path, reads: &ReadSet) -> Result<(), WriteError> {
    refuse_input(output, reads)?;
    scratch::remove_stale(&dir_of(output), |p| reads.clash(p).is_some());
    Ok(())
}

/// An output file being written: a temporary file beside the destination, renamed into place by
/// [`AtomicFile::commit`]. Dropped without commit, it leaves nothing behind.
pub(crate) struct AtomicFile {
    output: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl AtomicFile {
    /// Start writing `output` (already [`prepare`]d).
    pub fn create(output: &Path) -> Result<Self, WriteError> {
        let tmp = scratch::named_in(&dir_of(output)).map_err(|source| io_error(output, source))?;
        Ok(AtomicFile {
            output: output.to_path_buf(),
            tmp,
        })
    }

    /// The temporary file, to write into.
    pub fn file(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// Sync, set mode 0644 (tempfile creates 0600) and rename over the destination.
    pub fn commit(self) -> Result<(), WriteError> {
        let output = self.output;
        self.tmp
            .as_file()
            .sync_all()
            .and_then(|_| set_mode(self.tmp.as_file()))
            .map_err(|e| io_error(&output, e))?;
        self.tmp
            .persist(&output)
            .map_err(|e| io_error(&output, e.error))?;
        Ok(())
    }
}

fn io_error(output: &Path, source: io::Error) -> WriteError {
    WriteError::Io {
        output: output.display().to_string(),
        source,
    }
}

/// Write `output` atomically: `fill` writes the content into a temporary file beside it, which is
/// synced and renamed over `output` only when `fill` succeeded. An output that is a path of
/// `reads` is refused.
pub fn write_atomic(
    output: &Path,
    reads: &ReadSet,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), WriteError> {
    prepare(output, reads)?;
    let mut file = AtomicFile::create(output)?;
    {
        let mut w = io::BufWriter::new(file.file());
        fill(&mut w)
            .and_then(|_| w.flush())
            .map_err(|e| io_error(output, e))?;
    }
    file.commit()
}

#[cfg(unix)]
fn set_mode(f: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    f.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_mode(_f: &File) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_renames() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.csv");
        write_atomic(&out, &ReadSet::default(), |w| w.write_all(b"a,b\n")).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"a,b\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644);
        }
    }

    #[test]
    fn failure_leaves_no_output_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.csv");
        std::fs::write(&out, b"old").unwrap();
        let mut anything = ReadSet::default();
        anything.set_overwrite(Overwrite::Any);
        let err = write_atomic(&out, &anything, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("boom"))
        });
        assert!(matches!(err, Err(WriteError::Io { .. })));
        assert_eq!(std::fs::read(&out).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_to_overwrite_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.xlsx");
        std::fs::write(&input, b"data").unwrap();
        let via_dot = dir.path().join(".").join("in.xlsx");
        let err = write_atomic(&via_dot, &ReadSet::of(std::slice::from_ref(&input)), |w| {
            w.write_all(b"x")
        });
        assert!(matches!(err, Err(WriteError::WouldOverwriteInput { .. })));
        assert_eq!(std::fs::read(&input).unwrap(), b"data");
    }
}

//! Where a writer that is filled over a whole run (the roll-up's outputs) puts its bytes: a
//! scratch file without a name beside the destination, copied into a temporary file and renamed
//! into place only when the run commits, or memory (a web page's download).
//!
//! The scratch file has no name (`scratch::anonymous_in`), so a run killed half-way
//! leaves nothing in the output's directory however large the output had grown; the named
//! temporary file exists only during the commit.

use std::fs::File;
use std::io::{self, Cursor, Seek, Write};
use std::path::{Path, PathBuf};

use super::atomic::{self, AtomicFile, WriteError};
use crate::batch::ReadSet;

/// A writer that can also seek (a zip-based workbook needs both), across threads.
pub(crate) trait WriteSeek: Write + Seek + Send {}
impl<T: Write + Seek + Send> WriteSeek for T {}

/// The destination of one output: give it to a writer's `new` (for example
/// [`SummaryWriter::new`](super::summary::SummaryWriter::new)), and take it back with the
/// writer's `into_target` after the run.
pub struct Target(Dest);

enum Dest {
    /// A scratch file without a name beside the destination, copied into a temporary file
    /// renamed into place on commit.
    File {
        /// The destination.
        output: PathBuf,
        /// The bytes so far.
        scratch: File,
    },
    /// Bytes in memory, taken with [`Target::into_bytes`].
    Memory(Cursor<Vec<u8>>),
    /// A file already committed: nothing more can be written.
    Committed(PathBuf),
}

impl Target {
    /// A file output, refusing `output` if it is a path of `reads`, and removing what killed
    /// runs left in its directory. Nothing is visible at `output` until the run commits; a run
    /// that fails, is refused or is killed leaves nothing behind.
    pub fn file(output: &Path, reads: &ReadSet) -> Result<Self, WriteError> {
        atomic::prepare(output, reads)?;
        let scratch = crate::scratch::anonymous_in(&atomic::dir_of(output)).map_err(|source| {
            WriteError::Io {
                output: output.display().to_string(),
                source,
            }
        })?;
        Ok(Target(Dest::File {
            output: output.to_path_buf(),
            scratch,
        }))
    }

    /// An output kept in memory, for a caller that serves the bytes itself.
    pub fn memory() -> Self {
        Target(Dest::Memory(Cursor::new(Vec::new())))
    }

    /// The output's name in messages: its path, or `内存` for memory.
    pub fn name(&self) -> String {
        match &self.0 {
            Dest::File { output, .. } => output.display().to_string(),
            Dest::Committed(p) => p.display().to_string(),
            Dest::Memory(_) => "内存".to_string(),
        }
    }

    /// The bytes written so far (unbuffered: wrap it in a `BufWriter` for small writes).
    pub(crate) fn writer(&mut self) -> Result<&mut dyn WriteSeek, WriteError> {
        match &mut self.0 {
            Dest::File { scratch, .. } => Ok(scratch),
            Dest::Memory(c) => Ok(c),
            Dest::Committed(p) => Err(WriteError::Io {
                output: p.display().to_string(),
                source: io::Error::other("output already committed"),
            }),
        }
    }

    /// An I/O error while writing this output.
    pub(crate) fn error(&self, source: io::Error) -> WriteError {
        WriteError::Io {
            output: self.name(),
            source,
        }
    }

    /// Make a file output visible: copy the scratch file into a temporary file beside the
    /// destination, sync it and rename it into place; nothing for memory.
    pub(crate) fn commit(&mut self) -> Result<(), WriteError> {
        if let Dest::File { output, .. } = &self.0 {
            let committed = Dest::Committed(output.clone());
            let Dest::File {
                output,
                mut scratch,
            } = std::mem::replace(&mut self.0, committed)
            else {
                unreachable!("matched above")
            };
            let mut file = AtomicFile::create(&output)?;
            scratch
                .rewind()
                .and_then(|_| io::copy(&mut scratch, file.file()))
                .map_err(|source| WriteError::Io {
                    output: output.display().to_string(),
                    source,
                })?;
            file.commit()?;
        }
        Ok(())
    }

    /// The bytes of a memory output (`None` for a file).
    pub fn into_bytes(self) -> Option<Vec<u8>> {
        match self.0 {
            Dest::Memory(c) => Some(c.into_inner()),
            _ => None,
        }
    }
}

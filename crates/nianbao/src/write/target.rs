//! Where a writer that is filled over a whole run (the roll-up's outputs) puts its bytes: a
//! temporary file beside the destination, made visible only when the run commits, or memory (a
//! web page's download).

use std::io::{self, Cursor, Seek, Write};
use std::path::{Path, PathBuf};

use super::atomic::{AtomicFile, WriteError};

/// A writer that can also seek (a zip-based workbook needs both), across threads.
pub(crate) trait WriteSeek: Write + Seek + Send {}
impl<T: Write + Seek + Send> WriteSeek for T {}

/// The destination of one output: give it to a writer's `new` (for example
/// [`SummaryWriter::new`](super::summary::SummaryWriter::new)), and take it back with the
/// writer's `into_target` after the run.
pub struct Target(Dest);

enum Dest {
    /// A temporary file beside the destination, renamed into place on commit.
    File(AtomicFile),
    /// Bytes in memory, taken with [`Target::into_bytes`].
    Memory(Cursor<Vec<u8>>),
    /// A file already committed: nothing more can be written.
    Committed(PathBuf),
}

impl Target {
    /// A file output, refusing `output` if it is one of `inputs`. Nothing is visible at
    /// `output` until the run commits; a run that fails or is refused leaves nothing behind.
    pub fn file(output: &Path, inputs: &[PathBuf]) -> Result<Self, WriteError> {
        AtomicFile::create(output, inputs).map(|f| Target(Dest::File(f)))
    }

    /// An output kept in memory, for a caller that serves the bytes itself.
    pub fn memory() -> Self {
        Target(Dest::Memory(Cursor::new(Vec::new())))
    }

    /// The output's name in messages: its path, or `内存` for memory.
    pub fn name(&self) -> String {
        match &self.0 {
            Dest::File(f) => f.output().display().to_string(),
            Dest::Committed(p) => p.display().to_string(),
            Dest::Memory(_) => "内存".to_string(),
        }
    }

    /// The bytes written so far (unbuffered: wrap it in a `BufWriter` for small writes).
    pub(crate) fn writer(&mut self) -> Result<&mut dyn WriteSeek, WriteError> {
        match &mut self.0 {
            Dest::File(f) => Ok(f.file()),
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

    /// Make a file output visible (sync, rename into place); nothing for memory.
    pub(crate) fn commit(&mut self) -> Result<(), WriteError> {
        if let Dest::File(_) = self.0 {
            let Dest::File(f) = std::mem::replace(&mut self.0, Dest::Committed(PathBuf::new()))
            else {
                unreachable!("matched above")
            };
            let output = f.output().to_path_buf();
            f.commit()?;
            self.0 = Dest::Committed(output);
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

//! Where a writer that is filled over a whole run (the roll-up's outputs) puts its bytes: an
//! [`AtomicFile`], made visible only by [`Target::commit`], or memory (a web page's download).

use std::io::{self, Cursor, Seek, Write};
use std::path::{Path, PathBuf};

use super::atomic::{AtomicFile, WriteError};

/// A writer that can also seek (a zip-based workbook needs both), across threads.
pub trait WriteSeek: Write + Seek + Send {}
impl<T: Write + Seek + Send> WriteSeek for T {}

/// The destination of one output.
pub enum Target {
    /// A temporary file beside the destination, renamed into place on commit.
    File(AtomicFile),
    /// Bytes in memory, taken with [`Target::into_bytes`].
    Memory(Cursor<Vec<u8>>),
    /// A file already committed: nothing more can be written.
    Committed(PathBuf),
}

impl Target {
    /// A file output, refusing `output` if it is one of `inputs`.
    pub fn file(output: &Path, inputs: &[PathBuf]) -> Result<Self, WriteError> {
        AtomicFile::create(output, inputs).map(Target::File)
    }

    pub fn memory() -> Self {
        Target::Memory(Cursor::new(Vec::new()))
    }

    /// The output's name in messages: its path, or `内存` for memory.
    pub fn name(&self) -> String {
        match self {
            Target::File(f) => f.output().display().to_string(),
            Target::Committed(p) => p.display().to_string(),
            Target::Memory(_) => "内存".to_string(),
        }
    }

    /// The bytes written so far (unbuffered: wrap it in a `BufWriter` for small writes).
    pub fn writer(&mut self) -> Result<&mut dyn WriteSeek, WriteError> {
        match self {
            Target::File(f) => Ok(f.file()),
            Target::Memory(c) => Ok(c),
            Target::Committed(p) => Err(WriteError::Io {
                output: p.display().to_string(),
                source: io::Error::other("output already committed"),
            }),
        }
    }

    /// An I/O error while writing this output.
    pub fn error(&self, source: io::Error) -> WriteError {
        WriteError::Io {
            output: self.name(),
            source,
        }
    }

    /// Make a file output visible (sync, rename into place); nothing for memory.
    pub fn commit(&mut self) -> Result<(), WriteError> {
        if let Target::File(_) = self {
            let Target::File(f) = std::mem::replace(self, Target::Committed(PathBuf::new())) else {
                unreachable!("matched above")
            };
            let output = f.output().to_path_buf();
            f.commit()?;
            *self = Target::Committed(output);
        }
        Ok(())
    }

    /// The bytes of a memory output (`None` for a file).
    pub fn into_bytes(self) -> Option<Vec<u8>> {
        match self {
            Target::Memory(c) => Some(c.into_inner()),
            _ => None,
        }
    }
}

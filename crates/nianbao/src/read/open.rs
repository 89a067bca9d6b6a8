//! Opening a workbook: sniff the bytes, guard against hostile files, read every sheet into a [`Grid`].
//!
//! The order of work for every file:
//! 1. file size against [`Limits::max_file_bytes`] (before reading it into memory);
//! 2. [`sniff`](super::sniff::sniff) the magic bytes — the extension is never consulted;
//! 3. container guards, each kept with its format: the zip directory (declared total and per-part
//!    ratio, [`super::zipped`]), the BIFF records of each xls sheet ([`super::xls`]), the repeat
//!    counts of each ods table ([`super::ods`]) — all before calamine allocates anything sized by
//!    the file's claims;
//! 4. the format reader, producing only non-empty cells at absolute 0-based positions.
//!
//! The guards read only headers or stream through the XML, in constant memory. They exist
//! because calamine 0.38 (our reader of xls and ods) trusts the file in several places, and an
//! allocation failure aborts the process (it is not a panic that could be caught), so one hostile
//! file would end a batch:
//! - xls: the DIMENSIONS record is passed to `Vec::reserve(rows × cols)`, and `Xls::new` builds
//!   dense ranges of every sheet up front;
//! - ods: `number-columns-repeated` / `number-rows-repeated` are expanded into dense ranges
//!   (capped by calamine at 100 M cells, i.e. several GB).
//!
//! xlsx is read by our own streaming reader ([`super::xlsx`]), cell by cell straight into the
//! grid, with each position checked against the limits as it arrives: no dense range is ever
//! built; only its zip directory is checked first. xls and ods are read by calamine into dense
//! ranges ([`super::dense`]), which is why their extent is checked first. HTML tables
//! ([`super::html`]) and Word tables ([`super::docx`]) are placed cell by cell, each checked
//! against the limits; these published documents also give their prose (paragraphs outside
//! the tables, [`Grid::prose`]).
//!
//! One file per format, as calamine has: [`super::zipped`] (the zip container and its guard,
//! which tells xlsx from ods), [`super::xlsx`], [`super::ods`], [`super::xls`] (OLE compound
//! files: xls, and the encrypted OOXML that also comes in one), [`super::html`] (web pages),
//! [`super::docx`] (Word documents, found in a zip container). This file holds
//! the dispatch, the limits and what every reader shares.
//!
//! Only worksheets are read: chart sheets, dialog sheets and macro sheets hold no table cells.

use std::io::Read;
use std::path::Path;

use super::grid::{Grid, Sheet};
use super::sniff::{self, Container};
use super::{html, text, xls, zipped};
use crate::error::{Cause, ReadError};
use crate::model::Paragraph;

/// Size limits checked before any dense read. Adjustable from the CLI.
///
/// The defaults are far above any real statistics workbook (a few sheets of ~60 × 20 cells) and
/// far below what would hurt a batch: with them, reading one file stays well under 200 MB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file, in bytes (default 50 MiB).
    pub max_file_bytes: u64,
    /// Largest total uncompressed size of a zip container (xlsx/ods), in bytes, as declared by
    /// its central directory (default 100 MiB).
    pub max_unpacked_bytes: u64,
    /// Largest row index + 1 of any non-empty cell (default 10 000).
    pub max_rows: u32,
    /// Largest column index + 1 of any non-empty cell (default 500).
    pub max_cols: u32,
    /// Largest number of cells read or allocated for the whole workbook (default 1 000 000):
    /// non-empty cells for xlsx and HTML, and the xlsx shared-string table (its declared and
    /// its actual size); for xls and ods, the dense bounding boxes calamine allocates (values
    /// and formulas) and the area declared by xls DIMENSIONS records.
    pub max_cells: u64,
    /// Largest compression ratio of one zip part bigger than 1 MiB (default 200; ordinary
    /// spreadsheet XML compresses 5–30×, the deflate maximum is ~1000×).
    pub max_zip_ratio: u64,
    /// Most sheets in one workbook (default 1 000; per-sheet lookups in calamine are linear in
    /// the sheet count, so a workbook part listing a million sheets would never finish).
    pub max_sheets: u32,
    /// Largest total of text, in bytes, the reader materialises for one workbook (default
    /// 64 MiB): every copy counts — the xlsx shared-string table and each cell's copy of the
    /// string it refers to, inline and formula-result text, the formula text of a cell
    /// without a result (a shared formula expanded into each of its cells); for xls, each
    /// LABELSST cell's copy of its shared string; for ods, each repeated text cell. Cell counts
    /// do not bound this: one 900 KB shared string referenced by 40 000 cells is 36 GB.
    pub max_text_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 50 * 1024 * 1024,
            max_unpacked_bytes: 100 * 1024 * 1024,
            max_rows: 10_000,
            max_cols: 500,
            max_cells: 1_000_000,
            max_zip_ratio: 200,
            max_sheets: 1_000,
            max_text_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Read a workbook file into a grid. `display` is the name used in messages.
///
/// Only regular files (or links to one) are opened: opening a FIFO blocks until something
/// writes to it, and a device may never end. The file size is checked from its metadata before
/// the bytes are read.
pub fn read_grid(path: &Path, display: &str, limits: &Limits) -> Result<Grid, ReadError> {
    let io = |source| ReadError::Io {
        path: display.to_string(),
        source,
    };
    let (file, meta) = open_regular(path).map_err(io)?;
    let len = meta.len();
    if len > limits.max_file_bytes {
        return Err(ReadError::TooLarge {
            path: display.to_string(),
            sheet: None,
            what: "文件大小（字节）",
            actual: len,
            limit: limits.max_file_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // `take` guards against a file that grows while being read.
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    read_grid_bytes(&bytes, display, limits)
}

/// A workbook nianbao wrote, as [`read_mark`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    /// nianbao's mark.
    pub mark: crate::model::Mark,
    /// Whether the workbook is as nianbao wrote it: no application has saved it since (its
    /// last-modified stamp is still the fixed date nianbao writes, [`WRITTEN_AT`]). A template
    /// an agency filled in and saved carries the mark but is its work.
    pub untouched: bool,
}

/// The last-modified stamp of every workbook nianbao writes (a fixed date, so that the same
/// content gives the same bytes); an application that saves the workbook changes it.
pub const WRITTEN_AT: &str = "2000-01-01T00:00:00Z";

/// nianbao's [`Mark`](crate::model::Mark) on the workbook at `path`, if nianbao wrote it: only
/// the zip directory, the custom document properties and the last-modified stamp are read (not
/// the sheets), under `limits`. `None` for any other file, and for one that cannot be read.
pub fn read_mark(path: &Path, limits: &Limits) -> Option<Marked> {
    let (file, meta) = open_regular(path).ok()?;
    if meta.len() > limits.max_file_bytes {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    read_mark_bytes(&bytes, &path.display().to_string(), limits)
}

/// [`read_mark`] of a file's bytes already in memory, called `display` in messages.
pub fn read_mark_bytes(bytes: &[u8], display: &str, limits: &Limits) -> Option<Marked> {
    if bytes.len() as u64 > limits.max_file_bytes || !matches!(sniff::sniff(bytes), Container::Zip)
    {
        return None;
    }
    let ctx = Ctx {
        path: display,
        limits,
    };
    let (props, modified) = zipped::properties(bytes, &ctx).ok()?;
    Some(Marked {
        mark: crate::model::Mark::from_properties(&props)?,
        untouched: modified.as_deref() == Some(WRITTEN_AT),
    })
}

/// Open `path` for reading only if it is a regular file (or a link to one), with its metadata:
/// opening a FIFO blocks until something writes to it, and a device may never end. Checked
/// before opening and again on what was opened, in case the path was replaced in between; the
/// error says what the path is instead. Every file nianbao reads is opened through this.
pub(crate) fn open_regular(path: &Path) -> std::io::Result<(std::fs::File, std::fs::Metadata)> {
    let not_regular = |kind: std::fs::FileType| {
        std::io::Error::other(format!("不是普通文件（{}），无法读取", file_kind(kind)))
    };
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    Ok((file, meta))
}

/// What a path that is not a regular file is, in words.
fn file_kind(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "是命名管道 FIFO";
        }
        if t.is_socket() {
            return "是套接字";
        }
        if t.is_block_device() || t.is_char_device() {
            return "是设备文件";
        }
    }
    if t.is_dir() {
        "是文件夹"
    } else {
        "是特殊文件"
    }
}

/// Read a workbook (or a published web page or Word document) from memory into a grid.
pub fn read_grid_bytes(bytes: &[u8], display: &str, limits: &Limits) -> Result<Grid, ReadError> {
    let ctx = Ctx {
        path: display,
        limits,
    };
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ctx.too_large(
            None,
            "文件大小（字节）",
            bytes.len() as u64,
            limits.max_file_bytes,
        ));
    }
    let content = match sniff::sniff(bytes) {
        Container::Empty => {
            return Err(ReadError::Empty {
                path: display.to_string(),
            })
        }
        Container::Unknown(what) if sniff::looks_like_text(bytes) => text::read(bytes, &ctx, what)?,
        Container::Unknown(what) => return Err(ctx.unknown(what)),
        Container::Zip => zipped::read(bytes, &ctx)?,
        Container::Ole => xls::read(bytes, &ctx)?.into(),
        Container::Markup => html::read(bytes, &ctx)?,
    };
    Ok(Grid {
        source: display.to_string(),
        sheets: content.sheets,
        prose: content.prose,
        properties: content.properties,
    })
}

/// What a format reader found: the sheets (a document's tables), a published document's prose
/// (none for a workbook), and an xlsx workbook's custom document properties.
#[derive(Debug, Default)]
pub(super) struct Content {
    pub(super) sheets: Vec<Sheet>,
    pub(super) prose: Vec<Paragraph>,
    pub(super) properties: super::xlsx::Properties,
}

impl From<Vec<Sheet>> for Content {
    fn from(sheets: Vec<Sheet>) -> Self {
        Content {
            sheets,
            ..Content::default()
        }
    }
}

impl From<(Vec<Sheet>, super::xlsx::Properties)> for Content {
    fn from((sheets, properties): (Vec<Sheet>, super::xlsx::Properties)) -> Self {
        Content {
            sheets,
            properties,
            ..Content::default()
        }
    }
}

/// The file being read, for building errors.
pub(super) struct Ctx<'a> {
    pub(super) path: &'a str,
    pub(super) limits: &'a Limits,
}

impl Ctx<'_> {
    pub(super) fn too_large(
        &self,
        sheet: Option<&str>,
        what: &'static str,
        actual: u64,
        limit: u64,
    ) -> ReadError {
        ReadError::TooLarge {
            path: self.path.to_string(),
            sheet: sheet.map(str::to_string),
            what,
            actual,
            limit,
        }
    }

    pub(super) fn unknown(&self, what: impl Into<String>) -> ReadError {
        ReadError::UnknownFormat {
            path: self.path.to_string(),
            what: what.into(),
        }
    }

    pub(super) fn corrupt(&self, detail: impl Into<String>, source: Option<Cause>) -> ReadError {
        ReadError::Corrupt {
            path: self.path.to_string(),
            detail: detail.into(),
            source,
        }
    }

    /// A workbook whose workbook part is missing, or lists no sheet: no application writes one,
    /// so it is a damaged file.
    pub(super) fn no_sheets(&self) -> ReadError {
        self.corrupt("工作簿中没有任何工作表（工作簿部件缺失或损坏）", None)
    }

    pub(super) fn encrypted(&self) -> ReadError {
        ReadError::Encrypted {
            path: self.path.to_string(),
        }
    }

    pub(super) fn refusal(&self, r: Refusal) -> ReadError {
        match r {
            Refusal::TooLarge {
                sheet,
                what,
                actual,
                limit,
            } => self.too_large(sheet.as_deref(), what, actual, limit),
            Refusal::Corrupt(detail, source) => self.corrupt(detail, source.map(Into::into)),
        }
    }

    pub(super) fn check_sheet_count(&self, n: usize) -> Result<(), ReadError> {
        let limit = self.limits.max_sheets;
        if n as u64 > u64::from(limit) {
            return Err(self.too_large(None, "工作表数量", n as u64, limit.into()));
        }
        Ok(())
    }

    /// Add `bytes` of text materialised to the workbook's running `total`, against
    /// [`Limits::max_text_bytes`].
    pub(super) fn charge_text(
        &self,
        sheet: Option<&str>,
        total: &mut u64,
        bytes: usize,
    ) -> Result<(), ReadError> {
        *total = total.saturating_add(bytes as u64);
        let limit = self.limits.max_text_bytes;
        if *total > limit {
            return Err(self.too_large(
                sheet,
                "读取的文本总量（字节，含重复引用的共享文本）",
                *total,
                limit,
            ));
        }
        Ok(())
    }

    /// Check one cell position against the row/column limits.
    pub(super) fn check_pos(&self, sheet: &str, row: u32, col: u32) -> Result<(), ReadError> {
        let l = self.limits;
        if u64::from(row) + 1 > u64::from(l.max_rows) {
            return Err(self.too_large(
                Some(sheet),
                "有内容的单元格所在行号",
                u64::from(row) + 1,
                l.max_rows.into(),
            ));
        }
        if u64::from(col) + 1 > u64::from(l.max_cols) {
            return Err(self.too_large(
                Some(sheet),
                "有内容的单元格所在列号",
                u64::from(col) + 1,
                l.max_cols.into(),
            ));
        }
        Ok(())
    }
}

/// Last line of defence: a panic inside calamine on a malformed record becomes `Corrupt`.
///
/// This is not a substitute for the checks above (an allocation failure aborts and cannot be
/// caught); it covers index-out-of-bounds panics calamine 0.38 has on short records
/// (BoundSheet8, MergeCells, Lbl… — the known ones are checked in [`super::xls`]).
/// The default panic hook still prints the panic message to stderr.
pub(super) fn no_panic<T>(
    ctx: &Ctx,
    f: impl FnOnce() -> Result<T, ReadError>,
) -> Result<T, ReadError> {
    crate::guard::catch(f).unwrap_or_else(|_| {
        Err(ctx.corrupt("文件结构异常，读取库无法解析（内部错误已拦截）", None))
    })
}

/// Why a guard refused a file. Turned into a `ReadError` by the caller, which knows the path.
#[derive(Debug)]
pub(super) enum Refusal {
    TooLarge {
        sheet: Option<String>,
        what: &'static str,
        actual: u64,
        limit: u64,
    },
    /// The structure the guard walks is itself broken (with the lower error, when there is one).
    Corrupt(String, Option<calamine::Error>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Grid, ReadError> {
        read_grid_bytes(bytes, "t.xlsx", &Limits::default())
    }

    #[test]
    fn bad_bytes_get_their_kinds() {
        assert_eq!(read(b"").unwrap_err().kind(), "empty");
        assert_eq!(read(b"%PDF-1.4").unwrap_err().kind(), "unknown_format");
        assert_eq!(read(b"PK\x03\x04garbage").unwrap_err().kind(), "corrupt");
        assert_eq!(
            read(b"<html><body>no table</body></html>")
                .unwrap_err()
                .kind(),
            "unknown_format"
        );
        let big = Limits {
            max_file_bytes: 3,
            ..Limits::default()
        };
        assert_eq!(
            read_grid_bytes(b"abcd", "t", &big).unwrap_err().kind(),
            "too_large"
        );
    }

    /// Issue 13: `check` on a FIFO blocked in `File::open` until something wrote to it. The
    /// read runs in a thread: without the check the test fails after a timeout (and then
    /// unblocks the thread by opening the FIFO for writing).
    #[cfg(unix)]
    #[test]
    fn fifos_and_folders_are_refused_without_opening() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("管道.xlsx");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let (tx, rx) = std::sync::mpsc::channel();
        let path = fifo.clone();
        std::thread::spawn(move || {
            let _ = tx.send(read_grid(&path, "管道.xlsx", &Limits::default()));
        });
        let got = rx.recv_timeout(std::time::Duration::from_secs(5));
        if got.is_err() {
            let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
            panic!("reading a FIFO blocked");
        }
        let e = got.unwrap().unwrap_err();
        assert_eq!(e.kind(), "io", "{e}");
        let m = e.to_string();
        assert!(m.contains("管道.xlsx") && m.contains("FIFO"), "{m}");
        let e = read_grid(dir.path(), "文件夹", &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("是文件夹"), "{e}");
    }

    #[test]
    fn too_many_sheets_are_refused() {
        let page = "<table><tr><td>1</td></tr></table>".repeat(3);
        let few = Limits {
            max_sheets: 2,
            ..Limits::default()
        };
        let e = read_grid_bytes(page.as_bytes(), "t.xls", &few).unwrap_err();
        assert_eq!(e.kind(), "too_large");
        // Empty layout tables are not sheets.
        let page = format!(
            "{}<table><tr><td>x</td></tr></table>",
            "<table></table>".repeat(5)
        );
        let g = read_grid_bytes(page.as_bytes(), "t.xls", &few).unwrap();
        assert_eq!(g.sheets.len(), 1);
        assert_eq!(g.sheets[0].name, "表格6");
    }
}

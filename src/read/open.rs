//! Opening a workbook: sniff the bytes, guard against hostile files, read every sheet into a [`Grid`].
//!
//! The order of work for every file:
//! 1. file size against [`Limits::max_file_bytes`] (before reading it into memory);
//! 2. [`sniff`](super::sniff::sniff) the magic bytes — the extension is never consulted;
//! 3. container guards ([`super::guard`]): the zip directory (declared total and per-part ratio),
//!    the BIFF records of each xls sheet, the repeat counts of each ods table — all before
//!    calamine allocates anything sized by the file's claims;
//! 4. the format reader, producing only non-empty cells at absolute 0-based positions.
//!
//! xlsx is read by our own streaming reader ([`super::xlsx`]), cell by cell straight into the
//! grid, with each position checked against the limits as it arrives: no dense range is ever
//! built. xls and ods are read by calamine into dense ranges, which is why their extent is
//! checked first.
//!
//! Only worksheets are read: chart sheets, dialog sheets and macro sheets hold no table cells.

use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use calamine::{Data, DataType, Ods, Reader, SheetType, SheetVisible, Xls, XlsOptions};

use super::grid::{CellValue, Grid, Rect, Sheet};
use super::guard::{self, Refusal};
use super::html;
use super::sniff::{self, Container};
use crate::error::{Cause, ReadError};

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
        }
    }
}

/// Read a workbook file into a grid. `display` is the name used in messages.
///
/// The file size is checked from its metadata before the bytes are read.
pub fn read_grid(path: &Path, display: &str, limits: &Limits) -> Result<Grid, ReadError> {
    let io = |source| ReadError::Io {
        path: display.to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
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

/// Read a workbook from memory into a grid.
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
    let sheets = match sniff::sniff(bytes) {
        Container::Empty => {
            return Err(ReadError::Empty {
                path: display.to_string(),
            })
        }
        Container::Unknown(what) => return Err(ctx.unknown(what)),
        Container::Zip => read_zip(bytes, &ctx)?,
        Container::Ole => read_ole(bytes, &ctx)?,
        Container::Markup => read_markup(bytes, &ctx)?,
    };
    Ok(Grid {
        source: display.to_string(),
        sheets,
    })
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

    fn unknown(&self, what: impl Into<String>) -> ReadError {
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

    fn encrypted(&self) -> ReadError {
        ReadError::Encrypted {
            path: self.path.to_string(),
        }
    }

    fn refusal(&self, r: Refusal) -> ReadError {
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
/// (BoundSheet8, MergeCells, Lbl… — the known ones are checked in [`guard::scan_biff`]).
/// The default panic hook still prints the panic message to stderr.
fn no_panic<T>(ctx: &Ctx, f: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(ctx.corrupt("文件结构异常，读取库无法解析（内部错误已拦截）", None))
    })
}

// ---------------------------------------------------------------------------------------------
// zip: xlsx / xlsm / ods

const ODS_MIME: &str = "application/vnd.oasis.opendocument.spreadsheet";

fn read_zip(bytes: &[u8], ctx: &Ctx) -> Result<Vec<Sheet>, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        ctx.corrupt(
            "zip 压缩包结构损坏（文件可能被截断或下载不完整）",
            Some(e.into()),
        )
    })?;
    guard::check_zip(
        &mut zip,
        ctx.limits.max_unpacked_bytes,
        ctx.limits.max_zip_ratio,
    )
    .map_err(|r| ctx.refusal(r))?;

    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    if has("mimetype") {
        let mime = read_small_entry(&mut zip, "mimetype");
        let mime = mime.trim();
        if mime == ODS_MIME || mime == "application/vnd.oasis.opendocument.spreadsheet-template" {
            return no_panic(ctx, || read_ods(bytes, zip, ctx));
        }
        if let Some(kind) = mime.strip_prefix("application/vnd.oasis.opendocument.") {
            return Err(ctx.unknown(format!("OpenDocument 文件（{kind}），不是电子表格")));
        }
    }
    if has("xl/workbook.xml")
        || names
            .iter()
            .any(|n| n.to_ascii_lowercase().starts_with("xl/worksheets/"))
    {
        return no_panic(ctx, || super::xlsx::read(&mut zip, ctx));
    }
    if has("xl/workbook.bin") {
        return Err(ctx.unknown("Excel 二进制工作簿（.xlsb），暂不支持"));
    }
    if names.iter().any(|n| n.starts_with("word/")) {
        return Err(ctx.unknown("Word 文档（.docx）"));
    }
    if names.iter().any(|n| n.starts_with("ppt/")) {
        return Err(ctx.unknown("PowerPoint 演示文稿（.pptx）"));
    }
    if has("content.xml") && has("META-INF/manifest.xml") {
        // An OpenDocument package that lost its `mimetype` entry: try it as a spreadsheet.
        return no_panic(ctx, || read_ods(bytes, zip, ctx));
    }
    if has("[Content_Types].xml") || names.iter().any(|n| n.starts_with("xl/")) {
        // An OOXML package without the usual workbook part: it is looked for through the
        // package relationships, and a missing part is reported as damage.
        return no_panic(ctx, || super::xlsx::read(&mut zip, ctx));
    }
    Err(ctx.unknown("zip 压缩包（其中没有工作簿）"))
}

/// The first KB of a zip entry as text (for `mimetype`).
fn read_small_entry<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> String {
    let mut s = String::new();
    if let Ok(f) = zip.by_name(name) {
        let _ = f.take(1024).read_to_string(&mut s);
    }
    s
}

fn visible(v: SheetVisible) -> bool {
    matches!(v, SheetVisible::Visible)
}

fn rect(d: calamine::Dimensions) -> Rect {
    Rect {
        first_row: d.start.0,
        first_col: d.start.1,
        last_row: d.end.0,
        last_col: d.end.1,
    }
}

/// A calamine value as a grid cell; `None` for empty (including the empty string).
///
/// Dates: a cell formatted as a date still holds a number, and in these tables any number is a
/// count or an amount, so the serial number is kept as [`CellValue::Number`]. ISO dates and
/// durations (ods) are kept as text.
fn cell_from_data(v: &Data) -> Option<CellValue> {
    Some(match v {
        Data::Int(i) => CellValue::Int(*i),
        Data::Float(f) => CellValue::Number(*f),
        Data::String(s) if s.is_empty() => return None,
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(d) => CellValue::Number(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Error(e) => CellValue::Error(e.to_string()),
        Data::Empty => return None,
    })
}

/// Cells of a dense calamine range (and its formulas) at absolute positions.
/// Every worksheet of an xls or ods workbook, through calamine's dense ranges (the guards have
/// bounded their size before this point).
fn sheets_from_ranges<R, W>(
    wb: &mut W,
    ctx: &Ctx,
    err: impl Fn(W::Error) -> ReadError,
    merges: impl Fn(&mut W, &str) -> Result<Vec<calamine::Dimensions>, ReadError>,
) -> Result<Vec<Sheet>, ReadError>
where
    R: Read + Seek,
    W: Reader<R>,
{
    let metas: Vec<calamine::Sheet> = wb.sheets_metadata().to_vec();
    if metas.is_empty() {
        return Err(ctx.no_sheets());
    }
    ctx.check_sheet_count(metas.len())?;
    let mut sheets = Vec::new();
    for meta in metas.iter().filter(|m| m.typ == SheetType::WorkSheet) {
        let values = wb.worksheet_range(&meta.name).map_err(&err)?;
        let formulas = wb.worksheet_formula(&meta.name).map_err(&err)?;
        let merged = merges(wb, &meta.name)?;
        sheets.push(sheet_from_ranges(
            &meta.name,
            meta.visible,
            &values,
            Some(&formulas),
            merged,
            ctx,
        )?);
    }
    Ok(sheets)
}

pub(super) fn sheet_from_ranges(
    name: &str,
    vis: SheetVisible,
    values: &calamine::Range<Data>,
    formulas: Option<&calamine::Range<String>>,
    merges: Vec<calamine::Dimensions>,
    ctx: &Ctx,
) -> Result<Sheet, ReadError> {
    let mut sheet = Sheet::new(name);
    sheet.visible = visible(vis);
    if let Some((r0, c0)) = values.start() {
        for (r, c, v) in values.used_cells() {
            if let Some(cell) = cell_from_data(v) {
                let (row, col) = (r0 + r as u32, c0 + c as u32);
                ctx.check_pos(name, row, col)?;
                sheet.set(row, col, cell);
            }
        }
    }
    if let Some(f) = formulas {
        if let Some((r0, c0)) = f.start() {
            for (r, c, text) in f.used_cells() {
                let (row, col) = (r0 + r as u32, c0 + c as u32);
                if text.is_empty() || sheet.cells.contains_key(&(row, col)) {
                    continue;
                }
                let has_value = values.get_value((row, col)).is_some_and(|v| !v.is_empty());
                if !has_value {
                    ctx.check_pos(name, row, col)?;
                    sheet.set(row, col, CellValue::FormulaNotCalculated(text.clone()));
                }
            }
        }
    }
    sheet.merges = merges.into_iter().map(rect).collect();
    Ok(sheet)
}

fn read_ods(
    bytes: &[u8],
    mut zip: zip::ZipArchive<Cursor<&[u8]>>,
    ctx: &Ctx,
) -> Result<Vec<Sheet>, ReadError> {
    let ods_err = |e: calamine::OdsError| {
        ctx.corrupt(
            "OpenDocument 表格无法读取",
            Some(calamine::Error::Ods(e).into()),
        )
    };
    let scans = {
        let f = zip
            .by_name("content.xml")
            .map_err(|e| ods_err(calamine::OdsError::Zip(e)))?;
        guard::scan_ods_content(BufReader::new(f)).map_err(|r| ctx.refusal(r))?
    };
    ctx.check_sheet_count(scans.len())?;
    let mut total = 0u64;
    for t in &scans {
        if t.rows > u64::from(ctx.limits.max_rows) {
            return Err(ctx.too_large(
                Some(&t.name),
                "有内容的单元格所在行号",
                t.rows,
                ctx.limits.max_rows.into(),
            ));
        }
        if t.cols > u64::from(ctx.limits.max_cols) {
            return Err(ctx.too_large(
                Some(&t.name),
                "有内容的单元格所在列号",
                t.cols,
                ctx.limits.max_cols.into(),
            ));
        }
        // Values and formulas: two dense ranges, plus the cells pushed while reading.
        total = total
            .saturating_add(t.dense.saturating_mul(2))
            .saturating_add(t.pushed.saturating_mul(2));
        if total > ctx.limits.max_cells {
            return Err(ctx.too_large(
                Some(&t.name),
                "读取时需分配的单元格数",
                total,
                ctx.limits.max_cells,
            ));
        }
    }
    let mut wb: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::OdsError::Password => ctx.encrypted(),
        e => ods_err(e),
    })?;
    // ods has no merged regions in calamine.
    sheets_from_ranges(&mut wb, ctx, ods_err, |_, _| Ok(Vec::new()))
}

// ---------------------------------------------------------------------------------------------
// OLE: xls, encrypted OOXML

fn io_corrupt(ctx: &Ctx, detail: &str, e: std::io::Error) -> ReadError {
    ctx.corrupt(detail, Some(calamine::Error::Io(e).into()))
}

fn read_ole(bytes: &[u8], ctx: &Ctx) -> Result<Vec<Sheet>, ReadError> {
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| io_corrupt(ctx, "OLE 复合文档结构损坏（文件可能被截断或下载不完整）", e))?;
    let streams: Vec<String> = cfb
        .read_root_storage()
        .map(|e| e.name().to_string())
        .collect();
    let has = |n: &str| streams.iter().any(|s| s.eq_ignore_ascii_case(n));
    if has("EncryptedPackage") || has("EncryptionInfo") {
        return Err(ctx.encrypted());
    }
    let stream_name = if has("Workbook") {
        "Workbook"
    } else if has("Book") {
        "Book"
    } else if has("WordDocument") {
        return Err(ctx.unknown("Word 97-2003 文档（.doc）"));
    } else if has("PowerPoint Document") {
        return Err(ctx.unknown("PowerPoint 97-2003 演示文稿（.ppt）"));
    } else {
        return Err(ctx.unknown("OLE 复合文档（其中没有工作簿）"));
    };
    let mut stream = Vec::new();
    cfb.open_stream(stream_name)
        .and_then(|s| s.take(ctx.limits.max_file_bytes).read_to_end(&mut stream))
        .map_err(|e| io_corrupt(ctx, "工作簿数据流无法读取（文件可能被截断）", e))?;
    drop(cfb);

    let scan = guard::scan_biff(&stream);
    if scan.encrypted {
        return Err(ctx.encrypted());
    }
    if let Some(rec) = scan.malformed {
        return Err(ctx.corrupt(format!("xls 记录 {rec} 不完整或越界"), None));
    }
    ctx.check_sheet_count(scan.sheets.len())?;
    let mut total = 0u64;
    for s in &scan.sheets {
        if s.rows > u64::from(ctx.limits.max_rows) {
            return Err(ctx.too_large(
                Some(&s.name),
                "有内容的单元格所在行号",
                s.rows,
                ctx.limits.max_rows.into(),
            ));
        }
        if s.cols > u64::from(ctx.limits.max_cols) {
            return Err(ctx.too_large(
                Some(&s.name),
                "有内容的单元格所在列号",
                s.cols,
                ctx.limits.max_cols.into(),
            ));
        }
        if s.declared > ctx.limits.max_cells {
            return Err(ctx.too_large(
                Some(&s.name),
                "工作表 DIMENSIONS 记录声明的区域（单元格数）",
                s.declared,
                ctx.limits.max_cells,
            ));
        }
        total = total.saturating_add(s.dense);
        if total > ctx.limits.max_cells {
            return Err(ctx.too_large(
                Some(&s.name),
                "读取时需分配的单元格数",
                total,
                ctx.limits.max_cells,
            ));
        }
    }

    // calamine gets a fresh container holding exactly the stream checked above: its own CFB
    // parser must not see a different stream than the scan did (a damaged FAT can be read two
    // ways), and it panics on partial sectors that the cfb crate reports as errors.
    let clean = clean_ole(stream_name, &stream)
        .map_err(|e| io_corrupt(ctx, "工作簿数据流无法重新封装", e))?;
    drop(stream);
    let bytes = clean.as_slice();
    let sheets = no_panic(ctx, || read_xls(bytes, ctx, None))?;
    // A wrong CODEPAGE record makes UTF-16 text come out NUL-interleaved: re-read as UTF-16.
    let garbled = sheets.iter().any(|s| {
        s.name.contains('\0')
            || s.cells
                .values()
                .any(|c| matches!(c, CellValue::Text(t) if t.contains('\0')))
    });
    if garbled {
        return no_panic(ctx, || read_xls(bytes, ctx, Some(1200)));
    }
    Ok(sheets)
}

/// A version-3 compound file (what Excel writes) holding one stream.
fn clean_ole(name: &str, stream: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut cfb =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
    std::io::Write::write_all(&mut cfb.create_stream(name)?, stream)?;
    cfb.flush()?;
    Ok(cfb.into_inner().into_inner())
}

fn read_xls(bytes: &[u8], ctx: &Ctx, codepage: Option<u16>) -> Result<Vec<Sheet>, ReadError> {
    let xls_err = |e: calamine::XlsError| match e {
        calamine::XlsError::Password => ctx.encrypted(),
        e => ctx.corrupt("xls 工作簿无法读取", Some(calamine::Error::Xls(e).into())),
    };
    let mut options = XlsOptions::default();
    options.force_codepage = codepage;
    let mut wb = Xls::new_with_options(Cursor::new(bytes), options).map_err(xls_err)?;
    sheets_from_ranges(&mut wb, ctx, xls_err, |wb, name| {
        wb.merge_cells_by_sheet_name(name).map_err(xls_err)
    })
}

// ---------------------------------------------------------------------------------------------
// HTML / XML

fn read_markup(bytes: &[u8], ctx: &Ctx) -> Result<Vec<Sheet>, ReadError> {
    let text = html::decode(bytes);
    let l = ctx.limits;
    let sheets =
        html::parse_tables(&text, l.max_rows, l.max_cols, l.max_cells).map_err(|e| match e {
            html::HtmlError::NoTable(n) => ctx.unknown(n.describe()),
            html::HtmlError::TooLarge(t) => {
                ctx.too_large(Some(&t.sheet), t.what, t.actual, t.limit)
            }
        })?;
    ctx.check_sheet_count(sheets.len())?;
    Ok(sheets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{Format, Formula, Workbook};

    fn read(bytes: &[u8]) -> Result<Grid, ReadError> {
        read_grid_bytes(bytes, "t.xlsx", &Limits::default())
    }

    /// ```text
    /// '数据' (data from C5):                    '隐藏' (hidden):   'Chart'-free
    ///      C              D        E               A
    /// 5  [ 表三 (merged C5:E5)           ]      1 [ 2019 ]
    /// 6  [ 自然人        ][ 80     ][ 2.5 ]
    /// 7  [ TRUE          ][ ""     ][ =D6*2 (result 160) ]
    /// ```
    #[test]
    fn xlsx_keeps_absolute_positions_merges_visibility_and_tab_order() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("数据").unwrap();
        ws.merge_range(4, 2, 4, 4, "表三", &Format::new()).unwrap();
        ws.write(5, 2, "自然人").unwrap();
        ws.write(5, 3, 80).unwrap();
        ws.write(5, 4, 2.5).unwrap();
        ws.write(6, 2, true).unwrap();
        ws.write(6, 3, "").unwrap();
        ws.write_formula(6, 4, Formula::new("=D6*2").set_result("160"))
            .unwrap();
        let hidden = wb.add_worksheet();
        hidden.set_name("隐藏").unwrap();
        hidden.write(0, 0, 2019).unwrap();
        hidden.set_hidden(true);
        // A sheet whose name sorts before the others, to pin tab order.
        wb.add_worksheet().set_name("A空表").unwrap();
        let g = read(&wb.save_to_buffer().unwrap()).unwrap();

        let names: Vec<&str> = g.sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["数据", "隐藏", "A空表"]);
        let s = &g.sheets[0];
        assert!(s.visible);
        assert_eq!(s.get(4, 2), Some(&CellValue::Text("表三".into())));
        assert_eq!(s.get(0, 0), None);
        assert_eq!(s.get(5, 2), Some(&CellValue::Text("自然人".into())));
        assert_eq!(s.get(5, 3), Some(&CellValue::Number(80.0)));
        assert_eq!(s.get(5, 4), Some(&CellValue::Number(2.5)));
        assert_eq!(s.get(6, 2), Some(&CellValue::Bool(true)));
        assert_eq!(s.get(6, 3), None, "empty strings are not cells");
        assert_eq!(s.get(6, 4), Some(&CellValue::Number(160.0)));
        assert_eq!(
            s.merges,
            vec![Rect {
                first_row: 4,
                first_col: 2,
                last_row: 4,
                last_col: 4
            }]
        );
        assert!(!g.sheets[1].visible);
        assert_eq!(g.sheets[1].get(0, 0), Some(&CellValue::Number(2019.0)));
        assert!(g.sheets[2].cells.is_empty());
    }

    /// Rewrite every part of an xlsx with `f` (to make what other writers produce).
    fn rewrite_parts(bytes: &[u8], f: impl Fn(&str, String) -> String) -> Vec<u8> {
        let mut src = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..src.len() {
            let mut e = src.by_index(i).unwrap();
            let name = e.name().unwrap().to_string();
            let mut text = String::new();
            e.read_to_string(&mut text).unwrap();
            out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut out, f(&name, text).as_bytes()).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn formula_without_result_is_not_calculated_not_zero() {
        // rust_xlsxwriter always writes a cached result (0 by default); openpyxl and scripts
        // write none. Remove it, as they would.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write(0, 0, 1).unwrap();
        ws.write_formula(1, 0, "=A1+1").unwrap();
        ws.write_formula(2, 0, Formula::new("=A1+2").set_result("3"))
            .unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let bytes = rewrite_parts(&bytes, |name, text| {
            if name.starts_with("xl/worksheets/") {
                text.replace("<f>A1+1</f><v>0</v>", "<f>A1+1</f>")
            } else {
                text
            }
        });
        let g = read(&bytes).unwrap();
        assert_eq!(
            g.sheets[0].get(1, 0),
            Some(&CellValue::FormulaNotCalculated("A1+1".into()))
        );
        assert_eq!(g.sheets[0].get(2, 0), Some(&CellValue::Number(3.0)));
    }

    #[test]
    fn cells_beyond_limits_are_refused_naming_the_sheet() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("远端").unwrap();
        ws.write(0, 0, "x").unwrap();
        ws.write(1_048_575, 16_383, 1).unwrap();
        let e = read(&wb.save_to_buffer().unwrap()).unwrap_err();
        match e {
            ReadError::TooLarge { sheet, actual, .. } => {
                assert_eq!(sheet.as_deref(), Some("远端"));
                assert_eq!(actual, 1_048_576);
            }
            other => panic!("{other:?}"),
        }
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

    #[test]
    fn ooxml_without_workbook_part_is_corrupt() {
        let mut wb = Workbook::new();
        wb.add_worksheet().write(0, 0, 1).unwrap();
        let full = wb.save_to_buffer().unwrap();
        let mut src = zip::ZipArchive::new(Cursor::new(full.as_slice())).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..src.len() {
            let e = src.by_index_raw(i).unwrap();
            if e.name().unwrap() != "xl/workbook.xml" {
                out.raw_copy_file(e).unwrap();
            }
        }
        let bytes = out.finish().unwrap().into_inner();
        let e = read(&bytes).unwrap_err();
        assert_eq!(e.kind(), "corrupt", "{e}");
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

    #[test]
    fn a_plain_zip_or_docx_is_not_a_workbook() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        std::io::Write::write_all(&mut zip, b"<w:document/>").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        match read(&bytes).unwrap_err() {
            ReadError::UnknownFormat { what, .. } => assert!(what.contains("docx"), "{what}"),
            other => panic!("{other:?}"),
        }
    }
}

#[cfg(test)]
mod ods_tests {
    use super::*;
    use std::io::Write;

    /// A minimal ods package around the `<office:spreadsheet>` content.
    fn ods(tables: &str) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let deflated = zip::write::SimpleFileOptions::default();
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(ODS_MIME.as_bytes()).unwrap();
        zip.start_file("META-INF/manifest.xml", deflated).unwrap();
        zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
        zip.start_file("content.xml", deflated).unwrap();
        write!(
            zip,
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
        )
        .unwrap();
        zip.finish().unwrap().into_inner()
    }

    /// ```text
    /// 'S' (data from C5, LibreOffice-style repeats around it):
    ///      C        D
    /// 5  [ 表二   ][ 12 ]
    /// 6  [ =D5*2 (no value) ]
    /// ```
    #[test]
    fn ods_keeps_absolute_positions_and_uncalculated_formulas() {
        let bytes = ods(
            r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="4"><table:table-cell table:number-columns-repeated="1024"/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="2"/><table:table-cell office:value-type="string"><text:p>表二</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="12"><text:p>12</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1020"/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="2"/><table:table-cell table:formula="of:=[.D5]*2"/></table:table-row><table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#,
        );
        let g = read_grid_bytes(&bytes, "t.ods", &Limits::default()).unwrap();
        let s = &g.sheets[0];
        assert_eq!(s.name, "S");
        assert_eq!(s.get(4, 2), Some(&CellValue::Text("表二".into())));
        assert_eq!(s.get(4, 3), Some(&CellValue::Number(12.0)));
        assert_eq!(
            s.get(5, 2),
            Some(&CellValue::FormulaNotCalculated("of:=[.D5]*2".into()))
        );
        assert_eq!(s.cells.len(), 3);
    }

    #[test]
    fn ods_repeat_bomb_is_refused_before_calamine_expands_it() {
        // One non-empty cell repeated over 16 384 columns, the row repeated a million times:
        // a few hundred bytes, billions of cells once expanded.
        let bytes = ods(
            r#"<table:table table:name="炸弹"><table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row></table:table>"#,
        );
        match read_grid_bytes(&bytes, "t.ods", &Limits::default()).unwrap_err() {
            ReadError::TooLarge { sheet, .. } => assert_eq!(sheet.as_deref(), Some("炸弹")),
            other => panic!("{other:?}"),
        }
    }
}

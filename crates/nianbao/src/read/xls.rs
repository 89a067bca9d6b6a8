//! OLE compound files: xls (BIFF8), read by calamine after its guard, and the other things that
//! come in an OLE container (encrypted OOXML, Word and PowerPoint files), told apart by their
//! streams.
//!
//! The guard walks the BIFF records of the `Workbook` stream the way calamine does: the extent
//! of each sheet's cell records and the area its DIMENSIONS record declares (calamine reserves
//! that many cells), a FILEPASS record (encryption), the short records calamine would index
//! out of bounds, the shared strings each LABELSST cell will copy, and the hidden rows and
//! columns (which calamine does not report) for the sheets it reads.

use std::io::{Cursor, Read};

use calamine::{Reader as _, Xls, XlsOptions};

use super::dense::sheets_from_ranges;
use super::grid::{CellValue, Sheet};
use super::ods::hidden;
use super::open::{no_panic, Ctx, Limits};
use crate::error::ReadError;

fn io_corrupt(ctx: &Ctx, detail: &str, e: std::io::Error) -> ReadError {
    ctx.corrupt(detail, Some(calamine::Error::Io(e).into()))
}

/// Every worksheet of the xls workbook in an OLE compound file.
pub(super) fn read(bytes: &[u8], ctx: &Ctx) -> Result<Vec<Sheet>, ReadError> {
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

    let scan = scan_biff(&stream, ctx.limits);
    if scan.encrypted {
        return Err(ctx.encrypted());
    }
    ctx.check_sheet_count(scan.sheet_count)?;
    if let Some(rec) = scan.malformed {
        return Err(ctx.corrupt(format!("xls 记录 {rec} 不完整或越界"), None));
    }
    let mut total = 0u64;
    // The shared-string table, then each LABELSST cell's copy of its string.
    let mut text = 0u64;
    ctx.charge_text(
        None,
        &mut text,
        usize::try_from(scan.sst_text).unwrap_or(usize::MAX),
    )?;
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
        ctx.charge_text(
            Some(&s.name),
            &mut text,
            usize::try_from(s.text).unwrap_or(usize::MAX),
        )?;
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
    let sheets = no_panic(ctx, || read_xls(bytes, ctx, None, &scan))?;
    // A wrong CODEPAGE record makes UTF-16 text come out NUL-interleaved: re-read as UTF-16.
    let garbled = sheets.iter().any(|s| {
        s.name.contains('\0')
            || s.cells
                .values()
                .any(|c| matches!(c, CellValue::Text(t) if t.contains('\0')))
    });
    if garbled {
        return no_panic(ctx, || read_xls(bytes, ctx, Some(1200), &scan));
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

fn read_xls(
    bytes: &[u8],
    ctx: &Ctx,
    codepage: Option<u16>,
    scan: &BiffScan,
) -> Result<Vec<Sheet>, ReadError> {
    let xls_err = |e: calamine::XlsError| match e {
        calamine::XlsError::Password => ctx.encrypted(),
        e => ctx.corrupt("xls 工作簿无法读取", Some(calamine::Error::Xls(e).into())),
    };
    let mut options = XlsOptions::default();
    options.force_codepage = codepage;
    let mut wb = Xls::new_with_options(Cursor::new(bytes), options).map_err(xls_err)?;
    // Hidden rows and columns, which calamine does not report, from the scan: calamine lists
    // one sheet per BoundSheet8 record, in order, as the scan does.
    let same = wb.sheets_metadata().len() == scan.sheets.len();
    let complete = |i: usize, sheet: &mut Sheet| {
        if let Some(s) = scan.sheets.get(i).filter(|_| same) {
            let limit = ctx.limits.max_rows;
            let rows = s.hidden_rows.iter().copied().filter(|&r| r < limit);
            sheet.hidden_rows.extend(rows);
            let cols = hidden(&s.hidden_cols, ctx.limits.max_cols);
            sheet.hidden_cols.extend(cols);
        }
    };
    sheets_from_ranges(
        &mut wb,
        ctx,
        xls_err,
        |wb, name| wb.merge_cells_by_sheet_name(name).map_err(xls_err),
        complete,
    )
}

// ---------------------------------------------------------------------------------------------
// guard (BIFF8)

/// What the BIFF records of one xls sheet say about its size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct BiffSheetScan {
    pub(super) name: String,
    /// Rows/columns up to and including the last cell record.
    pub(super) rows: u64,
    pub(super) cols: u64,
    /// Cells of the bounding box calamine will allocate (value range + formula range).
    pub(super) dense: u64,
    /// `rows × cols` of the DIMENSIONS record (calamine reserves that many cells).
    pub(super) declared: u64,
    /// Bytes of text calamine makes for the LABELSST cells: each its own copy of a shared
    /// string (an upper estimate of its UTF-8 size).
    pub(super) text: u64,
    /// Hidden rows (ROW records with fDyZero) and column ranges (COLINFO with fHidden,
    /// 0-based inclusive).
    pub(super) hidden_rows: Vec<u32>,
    pub(super) hidden_cols: Vec<(u64, u64)>,
}

/// What the workbook globals say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct BiffScan {
    /// A FILEPASS record: the workbook is encrypted.
    pub(super) encrypted: bool,
    /// A record calamine would index out of bounds (it panics on these instead of erroring).
    pub(super) malformed: Option<&'static str>,
    /// BoundSheet8 records in the globals. When more than the limit, the sheets are not
    /// scanned (`sheets` is empty): the count alone refuses the file.
    pub(super) sheet_count: usize,
    pub(super) sheets: Vec<BiffSheetScan>,
    /// Strings in the shared-string table (SST), as read.
    pub(super) sst_count: u64,
    /// Bytes of the shared-string table's text (upper estimate of its UTF-8 size).
    pub(super) sst_text: u64,
}

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    d.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    d.get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Iterate `(type, data)` records from `pos`; stops at the end of the stream or a record that
/// runs past it.
fn records(stream: &[u8], pos: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = pos;
    std::iter::from_fn(move || {
        let typ = u16_at(stream, at)?;
        let len = u16_at(stream, at + 2)? as usize;
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((typ, data))
    })
}

/// Walk the globals and every sheet substream of a BIFF8 `Workbook` stream, the way calamine
/// does, recording the extent of the cell records it will turn into a dense range.
///
/// The work is linear in the stream: BoundSheet8 records beyond `max_sheets` are only counted,
/// and then no sheet is walked; sheets whose substreams overlap (several BoundSheet8 records
/// pointing into the same data, which calamine would parse once per sheet) stop the walk as
/// malformed as soon as more bytes have been walked than the stream holds.
pub(super) fn scan_biff(stream: &[u8], limits: &Limits) -> BiffScan {
    let max_sheets = limits.max_sheets;
    let mut scan = BiffScan::default();
    let mut bound: Vec<(usize, String)> = Vec::new();
    // The SST record and the CONTINUE records after it.
    let mut sst: Vec<&[u8]> = Vec::new();
    let mut in_sst = false;
    for (typ, data) in records(stream, 0) {
        match (typ, in_sst) {
            (0x00FC, _) => {
                sst = vec![data.get(8..).unwrap_or(&[])];
                in_sst = true;
            }
            (0x003C, true) => sst.push(data),
            _ => in_sst = false,
        }
        match typ {
            // Any FILEPASS, including XOR obfuscation (type 0), which calamine would read as
            // if it were plain and return scrambled values.
            0x002F => scan.encrypted = true,
            0x0085 if data.len() < 8 => scan.malformed = Some("BoundSheet8"),
            0x0809 if data.len() < 2 => scan.malformed = Some("BOF"),
            0x0042 if data.len() < 2 => scan.malformed = Some("CodePage"),
            0x0022 if data.len() < 2 => scan.malformed = Some("DateMode"),
            0x0017 if data.len() < 2 => scan.malformed = Some("ExternSheet"),
            0x0018 => {
                let cce = u16_at(data, 4).map_or(usize::MAX, usize::from);
                if data.len() < 14 || cce > data.len() {
                    scan.malformed = Some("Lbl");
                }
            }
            0x0085 => {
                let pos = u32_at(data, 0).unwrap_or(0) as usize;
                // The name is only for messages; a broken one is decoded loosely.
                scan.sheet_count += 1;
                if scan.sheet_count as u64 <= u64::from(max_sheets) {
                    let name = biff_short_name(data.get(6..).unwrap_or(&[]));
                    bound.push((pos, name));
                }
            }
            0x000A => break,
            _ => {}
        }
    }
    if scan.sheet_count as u64 > u64::from(max_sheets) {
        return scan;
    }
    let sst_lens = sst_sizes(&sst, limits.max_cells);
    scan.sst_count = sst_lens.len() as u64;
    scan.sst_text = sst_lens.iter().map(|&n| u64::from(n)).sum();
    const OVERLAP: &str = "BoundSheet8（多个工作表指向重叠的数据）";
    let mut starts: Vec<usize> = bound.iter().map(|b| b.0).collect();
    starts.sort_unstable();
    if starts.windows(2).any(|w| w[0] == w[1]) {
        scan.malformed = Some(OVERLAP);
        return scan;
    }
    // Bytes walked over all sheet substreams: at most the stream once, when they do not overlap.
    let mut walked = 0usize;
    for (pos, name) in bound {
        if pos > stream.len() {
            scan.malformed = Some("BoundSheet8（工作表偏移）");
        }
        let mut s = BiffSheetScan {
            name,
            ..Default::default()
        };
        let (mut min_r, mut min_c) = (u64::MAX, u64::MAX);
        let (mut max_r, mut max_c) = (0u64, 0u64);
        let mut any = false;
        let mut depth = 0usize;
        let mut seen_bof = false;
        let mut note = |r: u64, c: u64| {
            any = true;
            min_r = min_r.min(r);
            min_c = min_c.min(c);
            max_r = max_r.max(r);
            max_c = max_c.max(c);
        };
        for (typ, data) in records(stream, pos) {
            walked += 4 + data.len();
            if walked > stream.len() {
                scan.malformed = Some(OVERLAP);
                return scan;
            }
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            match typ {
                0x0809 => {
                    if seen_bof {
                        depth += 1;
                    } else {
                        seen_bof = true;
                    }
                }
                0x000A => break,
                0x00E5 => {
                    let n = u16_at(data, 0).unwrap_or(u16::MAX) as usize;
                    if data.len() < 2 + 8 * n {
                        scan.malformed = Some("MergeCells");
                    }
                }
                0x0200 => {
                    let (rf, rl, cf, cl) = match data.len() {
                        10 => (
                            u16_at(data, 0).unwrap_or(0) as u64,
                            u16_at(data, 2).unwrap_or(0) as u64,
                            u16_at(data, 4).unwrap_or(0) as u64,
                            u16_at(data, 6).unwrap_or(0) as u64,
                        ),
                        14 | 16 => (
                            u32_at(data, 0).unwrap_or(0) as u64,
                            u32_at(data, 4).unwrap_or(0) as u64,
                            u16_at(data, 8).unwrap_or(0) as u64,
                            u16_at(data, 10).unwrap_or(0) as u64,
                        ),
                        _ => (0, 0, 0, 0),
                    };
                    // Exactly calamine's arithmetic (parse_dimensions, then `end - start + 1`
                    // in u32, which wraps in release builds when the first row is after the
                    // last): the reservation it makes is what must be bounded.
                    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                    let (rf, rl, cf, cl) = (rf as u32, rl as u32, cf as u32, cl as u32);
                    let (end_r, end_c) = if rl >= 1 && cl >= 1 {
                        (rl - 1, cl - 1)
                    } else {
                        (rf, cf)
                    };
                    let rows = u64::from(end_r.wrapping_sub(rf).wrapping_add(1));
                    let cols = u64::from(end_c.wrapping_sub(cf).wrapping_add(1));
                    s.declared = s.declared.max(rows.saturating_mul(cols));
                }
                // Row: rw, …, grbit at 12 (0x20: fDyZero, the row is hidden)
                0x0208 if data.len() >= 14 && data[12] & 0x20 != 0 => {
                    s.hidden_rows.extend(u16_at(data, 0).map(u32::from));
                }
                // ColInfo: colFirst, colLast, coldx, ixfe, options (bit 0: fHidden)
                0x007D if data.len() >= 10 && data[8] & 1 != 0 => {
                    if let (Some(a), Some(b)) = (u16_at(data, 0), u16_at(data, 2)) {
                        s.hidden_cols.push((u64::from(a), u64::from(b)));
                    }
                }
                // Number, Label, RString, BoolErr, RK, LabelSst, Formula: row, col first.
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                    if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                        note(r as u64, c as u64);
                    }
                    // LabelSst: row, col, ixfe, isst (u32)
                    if typ == 0x00FD {
                        let len = u32_at(data, 6).and_then(|i| sst_lens.get(i as usize));
                        s.text = s.text.saturating_add(len.map_or(0, |&n| u64::from(n)));
                    }
                }
                // MulRk: row, first col, …, last col.
                0x00BD if data.len() >= 6 => {
                    let r = u16_at(data, 0).unwrap_or(0) as u64;
                    let first = u16_at(data, 2).unwrap_or(0) as u64;
                    let last = u16_at(data, data.len() - 2).unwrap_or(0) as u64;
                    note(r, first);
                    note(r, last.max(first));
                }
                _ => {}
            }
        }
        if any {
            s.rows = max_r + 1;
            s.cols = max_c + 1;
            let area = (max_r - min_r + 1).saturating_mul(max_c - min_c + 1);
            // Values and formulas are two dense ranges over (at most) the same box.
            s.dense = area.saturating_mul(2);
        }
        scan.sheets.push(s);
    }
    scan
}

/// The size of each string of a shared-string table (an upper estimate of its UTF-8 bytes: 3
/// per UTF-16 character, 2 per Latin-1 one), from the SST record's data after its two counts and
/// the CONTINUE records after it. Stops after `max + 1` strings (one more than allowed), or
/// where the data ends.
///
/// Each string (XLUnicodeRichExtendedString): cch (u16), flags (u8: 1 = UTF-16, 4 = phonetic
/// block, 8 = rich runs), cRun (u16) if rich, cbExtRst (u32) if phonetic, the characters, 4
/// bytes per run, the phonetic block. Characters split by a CONTINUE record resume after a new
/// flags byte (which may switch between Latin-1 and UTF-16).
fn sst_sizes(segments: &[&[u8]], max: u64) -> Vec<u32> {
    struct Reader<'a, 'b> {
        segs: &'b [&'a [u8]],
        seg: usize,
        pos: usize,
    }
    impl Reader<'_, '_> {
        /// Bytes left in the current segment, moving to the next when it is exhausted.
        fn avail(&mut self) -> usize {
            while self.seg < self.segs.len() && self.pos >= self.segs[self.seg].len() {
                self.seg += 1;
                self.pos = 0;
            }
            self.segs.get(self.seg).map_or(0, |s| s.len() - self.pos)
        }
        fn byte(&mut self) -> Option<u8> {
            (self.avail() > 0).then(|| {
                self.pos += 1;
                self.segs[self.seg][self.pos - 1]
            })
        }
        fn u16(&mut self) -> Option<u16> {
            Some(u16::from_le_bytes([self.byte()?, self.byte()?]))
        }
        fn u32(&mut self) -> Option<u32> {
            Some(u32::from(self.u16()?) | u32::from(self.u16()?) << 16)
        }
        fn skip(&mut self, mut n: usize) -> Option<()> {
            while n > 0 {
                let a = self.avail();
                if a == 0 {
                    return None;
                }
                let k = a.min(n);
                self.pos += k;
                n -= k;
            }
            Some(())
        }
    }
    let mut r = Reader {
        segs: segments,
        seg: 0,
        pos: 0,
    };
    let mut out = Vec::new();
    let mut one = || -> Option<u32> {
        let cch = usize::from(r.u16()?);
        let flags = r.byte()?;
        let runs = if flags & 8 != 0 { r.u16()? } else { 0 };
        let ext = if flags & 4 != 0 { r.u32()? } else { 0 };
        let (mut left, mut wide, mut size) = (cch, flags & 1 != 0, 0u32);
        loop {
            let unit = if wide { 2 } else { 1 };
            let in_record = r
                .segs
                .get(r.seg)
                .map_or(0, |s| s.len().saturating_sub(r.pos));
            let here = (in_record / unit).min(left);
            r.pos += here * unit;
            size = size.saturating_add((here * if wide { 3 } else { 2 }) as u32);
            left -= here;
            if left == 0 {
                break;
            }
            // The rest is in the next record, after a flags byte (as calamine reads it).
            r.seg += 1;
            r.pos = 0;
            if r.seg >= r.segs.len() {
                return None;
            }
            wide = r.byte()? & 1 != 0;
        }
        r.skip(4 * usize::from(runs))?;
        r.skip(ext as usize)?;
        Some(size)
    };
    while (out.len() as u64) <= max {
        match one() {
            Some(n) => out.push(n),
            None => break,
        }
    }
    out
}

/// BoundSheet8 name: cch (u8), flags (u8), then Latin-1 or UTF-16LE characters.
fn biff_short_name(d: &[u8]) -> String {
    let Some(&cch) = d.first() else {
        return String::new();
    };
    let cch = cch as usize;
    let high = d.get(1).is_some_and(|f| f & 1 == 1);
    let rest = d.get(2..).unwrap_or(&[]);
    if high {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .take(cch)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        rest.iter().take(cch).map(|&b| b as char).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend_from_slice(&(data.len() as u16).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    #[derive(Clone, Copy)]
    enum Target {
        /// Each BoundSheet8 at its own one-cell sheet substream.
        Own,
        /// All at one sheet substream.
        Same,
        /// All at offset 0 (the globals).
        Zero,
        /// Each at the next cell record of one sheet substream of `n` cells.
        Inside,
    }

    /// A `Workbook` stream: globals with `n` BoundSheet8 records, and their sheets.
    fn many_sheets(n: usize, target: Target) -> Vec<u8> {
        let mut globals = rec(0x0809, &[0, 6, 5, 0]);
        let mut slots = Vec::with_capacity(n);
        for i in 0..n {
            slots.push(globals.len() + 4);
            let name = format!("S{i}");
            let mut d = vec![0, 0, 0, 0, 0, 0, name.len() as u8, 0];
            d.extend_from_slice(name.as_bytes());
            globals.extend(rec(0x0085, &d));
        }
        globals.extend(rec(0x000A, &[]));
        let mut num = vec![0, 0, 0, 0, 0, 0];
        num.extend_from_slice(&1.0f64.to_le_bytes());
        let cell = rec(0x0203, &num);
        let mut starts = Vec::with_capacity(n);
        let sheets = match target {
            Target::Own => n,
            _ => 1,
        };
        let cells = match target {
            Target::Inside => n,
            _ => 1,
        };
        for _ in 0..sheets {
            starts.push(globals.len());
            globals.extend(rec(0x0809, &[0, 6, 0x10, 0]));
            for _ in 0..cells {
                if matches!(target, Target::Inside) {
                    starts.push(globals.len());
                }
                globals.extend(&cell);
            }
            globals.extend(rec(0x000A, &[]));
        }
        for (i, at) in slots.into_iter().enumerate() {
            let pos = match target {
                Target::Own | Target::Inside => starts[i],
                Target::Same => starts[0],
                Target::Zero => 0,
            } as u32;
            globals[at..at + 4].copy_from_slice(&pos.to_le_bytes());
        }
        globals
    }

    fn scan_biff_n(stream: &[u8], max_sheets: u32) -> BiffScan {
        let limits = Limits {
            max_sheets,
            ..Limits::default()
        };
        scan_biff(stream, &limits)
    }

    fn ole(stream: &[u8]) -> Vec<u8> {
        clean_ole("Workbook", stream).unwrap()
    }

    /// Issue 13: 50 000 BoundSheet8 records (each sheet walked before the sheet count was
    /// checked: 500 took 34 s). Counted, not walked.
    #[test]
    fn sheet_count_applies_while_scanning() {
        let scan = scan_biff_n(&many_sheets(1_000, Target::Own), 1_000);
        assert_eq!((scan.malformed, scan.sheets.len()), (None, 1_000));
        let scan = scan_biff_n(&many_sheets(1_001, Target::Own), 1_000);
        assert_eq!(scan.sheet_count, 1_001);
        assert!(scan.sheets.is_empty(), "no sheet walked");
        let bytes = ole(&many_sheets(50_000, Target::Zero));
        let limits = crate::read::Limits::default();
        match crate::read::read_grid_bytes(&bytes, "t.xls", &limits).unwrap_err() {
            ReadError::TooLarge { what, actual, .. } => {
                assert_eq!((what, actual), ("工作表数量", 50_000));
            }
            other => panic!("{other:?}"),
        }
    }

    /// Sheets whose BoundSheet8 records point into the same data: calamine would parse it once
    /// per sheet. Refused, having walked the stream at most once.
    #[test]
    fn overlapping_sheets_are_refused() {
        for target in [Target::Same, Target::Zero, Target::Inside] {
            let scan = scan_biff_n(&many_sheets(900, target), 1_000);
            assert!(
                scan.malformed.is_some_and(|m| m.contains("重叠")),
                "{:?}",
                scan.malformed
            );
        }
        let scan = scan_biff_n(&many_sheets(1, Target::Same), 1_000);
        assert_eq!((scan.malformed, scan.sheets.len()), (None, 1));
        let limits = crate::read::Limits::default();
        let e =
            crate::read::read_grid_bytes(&ole(&many_sheets(900, Target::Same)), "t.xls", &limits)
                .unwrap_err();
        assert_eq!(e.kind(), "corrupt", "{e}");
        assert!(e.to_string().contains("重叠"), "{e}");
    }

    /// An SST holding one Latin-1 string of `chars` characters, split over CONTINUE records
    /// the way Excel splits it (8 224 bytes of data per record, a flags byte first in each
    /// continuation), followed by a sheet of `cells` LABELSST cells referring to it, ten per row.
    fn sst_book(chars: usize, cells: u32) -> Vec<u8> {
        let mut globals = rec(0x0809, &[0, 6, 5, 0]);
        let bound_at = globals.len() + 4;
        globals.extend(rec(0x0085, &[0, 0, 0, 0, 0, 0, 1, 0, b'S']));
        let mut first = Vec::new();
        first.extend_from_slice(&cells.to_le_bytes());
        first.extend_from_slice(&1u32.to_le_bytes());
        first.extend_from_slice(&(chars as u16).to_le_bytes());
        first.push(0);
        let text = vec![b'x'; chars];
        let mut rest = text.as_slice();
        let take = rest.len().min(8224 - first.len());
        first.extend_from_slice(&rest[..take]);
        rest = &rest[take..];
        globals.extend(rec(0x00FC, &first));
        while !rest.is_empty() {
            let take = rest.len().min(8223);
            let mut d = vec![0u8];
            d.extend_from_slice(&rest[..take]);
            globals.extend(rec(0x003C, &d));
            rest = &rest[take..];
        }
        globals.extend(rec(0x000A, &[]));
        let pos = globals.len() as u32;
        globals[bound_at..bound_at + 4].copy_from_slice(&pos.to_le_bytes());
        globals.extend(rec(0x0809, &[0, 6, 0x10, 0]));
        for i in 0..cells {
            let (r, c) = ((i / 10) as u16, (i % 10) as u16);
            let mut d = Vec::new();
            d.extend_from_slice(&r.to_le_bytes());
            d.extend_from_slice(&c.to_le_bytes());
            d.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // ixfe, isst = 0
            globals.extend(rec(0x00FD, &d));
        }
        globals.extend(rec(0x000A, &[]));
        globals
    }

    #[test]
    fn sst_sizes_follow_continue_records_and_flags() {
        // "ab" Latin-1, then a rich, phonetic UTF-16 string of 3 characters split after one:
        // the continuation switches to Latin-1.
        let mut a = vec![2, 0, 0, b'a', b'b'];
        a.extend_from_slice(&[3, 0, 0x0D, 1, 0, 2, 0, 0, 0, 0x41, 0]);
        let b = [0u8, b'b', b'c', 1, 2, 3, 4, 9, 9];
        assert_eq!(sst_sizes(&[&a, &b], 100), vec![4, 3 + 2 * 2]);
        assert_eq!(sst_sizes(&[&a, &b], 0), vec![4], "stops after max + 1");
        // Truncated: the strings before the damage.
        assert_eq!(sst_sizes(&[&a], 100), vec![4]);
        let scan = scan_biff(&sst_book(20_000, 3), &Limits::default());
        assert_eq!(scan.sst_count, 1);
        assert_eq!(scan.sst_text, 40_000);
        assert_eq!(scan.sheets[0].text, 120_000);
    }

    /// Issue 13: one 64 KB SST string in 80 000 LABELSST cells (a 1.2 MB file): calamine makes a
    /// copy per cell (10 GB). Refused by the guard, before calamine reads anything.
    #[test]
    fn shared_string_copies_are_refused_before_calamine() {
        let limits = Limits::default();
        let bytes = ole(&sst_book(65_535, 80_000));
        match crate::read::read_grid_bytes(&bytes, "t.xls", &limits) {
            Err(ReadError::TooLarge { sheet, what, .. }) => {
                assert_eq!(sheet.as_deref(), Some("S"));
                assert!(what.contains("文本"), "{what}");
            }
            Err(e) => panic!("{e:?}"),
            Ok(_) => panic!("read, not refused"),
        }
        // A few copies are read, as calamine reads them.
        let g =
            crate::read::read_grid_bytes(&ole(&sst_book(20_000, 12)), "t.xls", &limits).unwrap();
        assert_eq!(g.sheets[0].cells.len(), 12);
        assert_eq!(
            g.sheets[0].get(1, 1),
            Some(&CellValue::Text("x".repeat(20_000)))
        );
    }

    /// Hidden rows (ROW fDyZero) and columns (COLINFO fHidden) reach the sheet, as in xlsx.
    #[test]
    fn hidden_rows_and_columns_are_recorded() {
        let mut globals = rec(0x0809, &[0, 6, 5, 0]);
        let bound_at = globals.len() + 4;
        globals.extend(rec(0x0085, &[0, 0, 0, 0, 0, 0, 1, 0, b'S']));
        globals.extend(rec(0x000A, &[]));
        let pos = globals.len() as u32;
        globals[bound_at..bound_at + 4].copy_from_slice(&pos.to_le_bytes());
        globals.extend(rec(0x0809, &[0, 6, 0x10, 0]));
        // columns C:D hidden, then column F:F not hidden
        globals.extend(rec(0x007D, &[2, 0, 3, 0, 0, 9, 15, 0, 1, 0, 0, 0]));
        globals.extend(rec(0x007D, &[5, 0, 5, 0, 0, 9, 15, 0, 0, 0, 0, 0]));
        // row 2 hidden, row 3 not
        let row = |r: u8, grbit: u8| {
            rec(
                0x0208,
                &[r, 0, 0, 0, 3, 0, 0xFF, 0, 0, 0, 0, 0, grbit, 1, 0x0F, 0],
            )
        };
        globals.extend(row(1, 0x20));
        globals.extend(row(2, 0x00));
        for (r, c) in [(0u8, 0u8), (1, 0), (2, 2)] {
            let mut num = vec![r, 0, c, 0, 0, 0];
            num.extend_from_slice(&1.0f64.to_le_bytes());
            globals.extend(rec(0x0203, &num));
        }
        globals.extend(rec(0x000A, &[]));
        let g = crate::read::read_grid_bytes(&ole(&globals), "t.xls", &Limits::default()).unwrap();
        let s = &g.sheets[0];
        assert_eq!(s.get(1, 0), Some(&CellValue::Number(1.0)));
        assert_eq!(s.hidden_rows.iter().copied().collect::<Vec<_>>(), [1]);
        assert_eq!(s.hidden_cols.iter().copied().collect::<Vec<_>>(), [2, 3]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// A damaged stream (bytes replaced, dropped, inserted) is scanned without a panic:
        /// the SST walk, the sheet walks, the ROW and COLINFO records.
        #[test]
        fn damaged_streams_never_panic(
            edits in proptest::collection::vec((0usize..4000, 0u8..3, proptest::prelude::any::<u8>()), 1..16)
        ) {
            let mut b = sst_book(300, 40);
            b.extend(rec(0x007D, &[2, 0, 3, 0, 0, 9, 15, 0, 1, 0, 0, 0]));
            b.extend(rec(0x0208, &[1, 0, 0, 0, 3, 0, 0xFF, 0, 0, 0, 0, 0, 0x20, 1, 0x0F, 0]));
            for (at, op, c) in &edits {
                let at = at % (b.len() + 1);
                match op {
                    0 if at < b.len() => b[at] = *c,
                    1 if at < b.len() => { b.remove(at); }
                    _ => b.insert(at, *c),
                }
            }
            let _ = scan_biff(&b, &Limits::default());
        }
    }

    #[test]
    fn biff_scan_finds_cell_extent_declared_area_and_filepass() {
        let mut sheet = rec(0x0809, &[0, 6, 0x10, 0]);
        // DIMENSIONS: rows 0..100000, cols 0..10 (BIFF8 layout).
        let mut dim = 0u32.to_le_bytes().to_vec();
        dim.extend_from_slice(&100_000u32.to_le_bytes());
        dim.extend_from_slice(&[0, 0, 10, 0, 0, 0]);
        sheet.extend(rec(0x0200, &dim));
        // NUMBER at (row 4, col 2).
        let mut num = vec![4, 0, 2, 0, 0, 0];
        num.extend_from_slice(&1.0f64.to_le_bytes());
        sheet.extend(rec(0x0203, &num));
        sheet.extend(rec(0x000A, &[]));

        let mut globals = rec(0x0809, &[0, 6, 5, 0]);
        globals.extend(rec(0x002F, &[1, 0]));
        let bound_at = globals.len() + 4;
        globals.extend(rec(0x0085, &[0, 0, 0, 0, 0, 0, 1, 0, b'S']));
        globals.extend(rec(0x000A, &[]));
        let pos = globals.len() as u32;
        globals[bound_at..bound_at + 4].copy_from_slice(&pos.to_le_bytes());
        globals.extend(sheet);

        let scan = scan_biff(&globals, &Limits::default());
        assert!(scan.encrypted);
        assert_eq!(scan.malformed, None);
        let s = &scan.sheets[0];
        assert_eq!(s.name, "S");
        assert_eq!((s.rows, s.cols), (5, 3));
        assert_eq!(s.declared, 1_000_000);
        assert_eq!(s.dense, 2);
    }
}

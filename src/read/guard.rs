//! Checks made before a reader is allowed to allocate anything in proportion to what a file
//! *claims*: zip directory sizes, the BIFF records of an xls sheet, the repeat counts of an ods
//! table.
//!
//! Each check reads only headers or streams through the XML, in constant memory. They exist
//! because calamine 0.38 (our reader of xls and ods) trusts the file in several places, and an
//! allocation failure aborts the process (it is not a panic that could be caught), so one hostile
//! file would end a batch:
//! - xls: the DIMENSIONS record is passed to `Vec::reserve(rows × cols)`, and `Xls::new` builds
//!   dense ranges of every sheet up front;
//! - ods: `number-columns-repeated` / `number-rows-repeated` are expanded into dense ranges
//!   (capped by calamine at 100 M cells, i.e. several GB).
//!
//! xlsx is read by our own streaming reader ([`super::xlsx`]), which checks sizes as it goes;
//! only the zip directory is checked here, for xlsx and ods alike.

use std::io::{Read, Seek};

use quick_xml::events::Event;

/// Why a guard refused a file. Turned into a `ReadError` by the caller, which knows the path.
#[derive(Debug)]
pub enum Refusal {
    TooLarge {
        sheet: Option<String>,
        what: &'static str,
        actual: u64,
        limit: u64,
    },
    /// The structure the guard walks is itself broken (with the lower error, when there is one).
    Corrupt(String, Option<calamine::Error>),
}

/// Sizes declared by a zip's central directory.
#[derive(Debug, Clone, Copy, Default)]
pub struct ZipTotals {
    pub unpacked: u64,
    pub entries: usize,
}

/// Refuse a zip whose directory declares too much unpacked data, or an entry that inflates
/// suspiciously (a zip bomb). The zip crate (≥ 9.8.2) never inflates an entry beyond its
/// declared size, so the declared sizes bound what any later read produces.
pub fn check_zip<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    max_unpacked: u64,
    max_ratio: u64,
) -> Result<ZipTotals, Refusal> {
    let mut totals = ZipTotals {
        entries: zip.len(),
        ..Default::default()
    };
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| {
            Refusal::Corrupt(
                format!("zip 目录第 {} 项无法读取", i + 1),
                Some(calamine::Error::Xlsx(calamine::XlsxError::Zip(e))),
            )
        })?;
        let size = f.size();
        let packed = f.compressed_size().max(1);
        totals.unpacked = totals.unpacked.saturating_add(size);
        // Small parts compress very well (a sheet of empty styled rows); only big ones matter.
        if size > RATIO_FLOOR && size / packed > max_ratio {
            return Err(Refusal::TooLarge {
                sheet: None,
                what: "压缩包中某一部件的压缩比异常（疑似“压缩炸弹”）",
                actual: size / packed,
                limit: max_ratio,
            });
        }
    }
    if totals.unpacked > max_unpacked {
        return Err(Refusal::TooLarge {
            sheet: None,
            what: "压缩包解压后的总大小（字节）",
            actual: totals.unpacked,
            limit: max_unpacked,
        });
    }
    Ok(totals)
}

/// Entries smaller than this are not subject to the ratio check.
const RATIO_FLOOR: u64 = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// ods

/// Extent of one ods table as calamine would build it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OdsTableScan {
    pub name: String,
    /// Rows up to and including the last non-empty one.
    pub rows: u64,
    /// Columns up to and including the last non-empty one.
    pub cols: u64,
    /// Cells calamine pushes while reading (before expanding row repeats).
    pub pushed: u64,
    /// Cells of the dense range calamine then builds.
    pub dense: u64,
}

/// Calamine's own caps (ods.rs), mirrored so the estimate matches what it would allocate.
const ODS_MAX_COLUMNS: u64 = 16_384;
const ODS_MAX_ROWS: u64 = 1_048_576;

/// Stream through `content.xml` and compute, for each table, the extent of its non-empty cells
/// with repeats expanded. Constant memory apart from the list of tables.
pub fn scan_ods_content<R: std::io::BufRead>(reader: R) -> Result<Vec<OdsTableScan>, Refusal> {
    let mut xml = quick_xml::Reader::from_reader(reader);
    let mut buf = Vec::new();
    let mut st = OdsState::default();
    loop {
        buf.clear();
        let ev = xml.read_event_into(&mut buf).map_err(|e| {
            Refusal::Corrupt(
                "content.xml 无法解析".to_string(),
                Some(calamine::Error::Ods(calamine::OdsError::Xml(e))),
            )
        })?;
        match ev {
            Event::Start(e) => st.start(&e, false)?,
            Event::Empty(e) => st.start(&e, true)?,
            Event::Text(t) if st.cell_depth > 0 && !t.chars().all(char::is_whitespace) => {
                st.cell_has_content = true;
            }
            Event::End(e) => st.end(e.name().as_ref()),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(st.tables)
}

#[derive(Default)]
struct OdsState {
    tables: Vec<OdsTableScan>,
    current: Option<OdsTableScan>,
    /// Columns so far in the open row, and the column after its last non-empty cell.
    row_col: u64,
    row_last: u64,
    row_repeat: u64,
    rows_total: u64,
    first_row: Option<u64>,
    in_row: bool,
    /// Nesting depth inside the open cell (1 = the cell element itself).
    cell_depth: u32,
    cell_start: u64,
    cell_repeat: u64,
    cell_has_content: bool,
}

impl OdsState {
    fn start(&mut self, e: &quick_xml::events::BytesStart<'_>, empty: bool) -> Result<(), Refusal> {
        if self.cell_depth > 0 {
            // Anything inside a cell (text:p, a link…) makes it non-empty.
            self.cell_has_content = true;
            if !empty {
                self.cell_depth += 1;
            }
            return Ok(());
        }
        match e.name().as_ref() {
            "table:table" => {
                let mut t = OdsTableScan::default();
                for a in e.attributes().flatten() {
                    if a.key.as_ref() == "table:name" {
                        t.name = a.value.to_string();
                    }
                }
                self.current = Some(t);
                self.rows_total = 0;
                self.first_row = None;
                self.in_row = false;
                if empty {
                    self.tables.extend(self.current.take());
                }
            }
            "table:table-row" if self.current.is_some() => {
                self.row_repeat = repeat_attr(e, "table:number-rows-repeated")?;
                self.row_col = 0;
                self.row_last = 0;
                self.in_row = true;
                if empty {
                    self.end_row();
                }
            }
            "table:table-cell" | "table:covered-table-cell" if self.in_row => {
                self.cell_start = self.row_col;
                self.cell_repeat = repeat_attr(e, "table:number-columns-repeated")?;
                self.cell_has_content = e
                    .attributes()
                    .flatten()
                    .any(|a| matches!(a.key.as_ref(), "office:value-type" | "table:formula"));
                if empty {
                    self.end_cell();
                } else {
                    self.cell_depth = 1;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str) {
        if self.cell_depth > 1 {
            self.cell_depth -= 1;
            return;
        }
        if self.cell_depth == 1 {
            if matches!(name, "table:table-cell" | "table:covered-table-cell") {
                self.cell_depth = 0;
                self.end_cell();
            }
            return;
        }
        match name {
            "table:table-row" if self.in_row => self.end_row(),
            "table:table" => self.tables.extend(self.current.take()),
            _ => {}
        }
    }

    fn end_cell(&mut self) {
        self.row_col = self
            .cell_start
            .saturating_add(self.cell_repeat)
            .min(ODS_MAX_COLUMNS);
        if self.cell_has_content {
            self.row_last = self.row_col;
        }
    }

    fn end_row(&mut self) {
        self.in_row = false;
        let Some(t) = self.current.as_mut() else {
            return;
        };
        // calamine pushes the cells up to the last non-empty one, once per row element, then
        // expands the row repeats into the dense range.
        t.pushed = t.pushed.saturating_add(self.row_last);
        let capped = self
            .row_repeat
            .min(ODS_MAX_ROWS.saturating_sub(self.rows_total));
        if self.row_last > 0 {
            let start = *self.first_row.get_or_insert(self.rows_total);
            t.rows = self.rows_total.saturating_add(capped);
            t.cols = t.cols.max(self.row_last);
            t.dense = (t.rows - start).saturating_mul(t.cols);
        }
        self.rows_total = self.rows_total.saturating_add(capped);
    }
}

fn repeat_attr(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Result<u64, Refusal> {
    for a in e.attributes().flatten() {
        if a.key.as_ref() == key {
            let v = &a.value;
            return v
                .trim()
                .parse::<u64>()
                .map(|n| n.max(1))
                .map_err(|_| Refusal::Corrupt(format!("重复次数“{v}”不是数字"), None));
        }
    }
    Ok(1)
}

// ---------------------------------------------------------------------------------------------
// xls (BIFF8)

/// What the BIFF records of one xls sheet say about its size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BiffSheetScan {
    pub name: String,
    /// Rows/columns up to and including the last cell record.
    pub rows: u64,
    pub cols: u64,
    /// Cells of the bounding box calamine will allocate (value range + formula range).
    pub dense: u64,
    /// `rows × cols` of the DIMENSIONS record (calamine reserves that many cells).
    pub declared: u64,
}

/// What the workbook globals say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BiffScan {
    /// A FILEPASS record: the workbook is encrypted.
    pub encrypted: bool,
    /// A record calamine would index out of bounds (it panics on these instead of erroring).
    pub malformed: Option<&'static str>,
    pub sheets: Vec<BiffSheetScan>,
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
pub fn scan_biff(stream: &[u8]) -> BiffScan {
    let mut scan = BiffScan::default();
    let mut bound: Vec<(usize, String)> = Vec::new();
    for (typ, data) in records(stream, 0) {
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
                let name = biff_short_name(data.get(6..).unwrap_or(&[]));
                bound.push((pos, name));
            }
            0x000A => break,
            _ => {}
        }
    }
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
                // Number, Label, RString, BoolErr, RK, LabelSst, Formula: row, col first.
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                    if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                        note(r as u64, c as u64);
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

    #[test]
    fn ods_scan_expands_repeats_up_to_the_last_non_empty_cell() {
        let xml = r#"<office:spreadsheet><table:table table:name="T">
            <table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
            <table:table-row><table:table-cell table:number-columns-repeated="4"/><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="2"/><table:table-cell table:number-columns-repeated="1000"/></table:table-row>
            <table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
            </table:table></office:spreadsheet>"#;
        let t = scan_ods_content(xml.as_bytes()).unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].name, "T");
        assert_eq!((t[0].rows, t[0].cols), (4, 6), "{:?}", t[0]);
        assert_eq!(t[0].dense, 6);
    }

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend_from_slice(&(data.len() as u16).to_le_bytes());
        v.extend_from_slice(data);
        v
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

        let scan = scan_biff(&globals);
        assert!(scan.encrypted);
        assert_eq!(scan.malformed, None);
        let s = &scan.sheets[0];
        assert_eq!(s.name, "S");
        assert_eq!((s.rows, s.cols), (5, 3));
        assert_eq!(s.declared, 1_000_000);
        assert_eq!(s.dense, 2);
    }
}

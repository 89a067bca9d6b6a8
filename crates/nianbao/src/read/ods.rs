//! ods (OpenDocument spreadsheet), read by calamine after its guard: a streaming pass over
//! `content.xml` that computes each table's extent with the repeat counts expanded, so that
//! `number-columns-repeated` / `number-rows-repeated` cannot make calamine build a dense range of
//! billions of cells, nor copy one text into each of them (nor expand `<text:s text:c="n"/>`
//! into billions of spaces): the text it would make counts against `max_text_bytes`.

use std::io::{BufReader, Cursor};

use calamine::{Ods, Reader};
use quick_xml::events::Event;

use super::dense::sheets_from_ranges;
use super::grid::Sheet;
use super::open::{Ctx, Refusal};
use crate::error::ReadError;

/// The `mimetype` of an ods package.
pub(super) const MIME: &str = "application/vnd.oasis.opendocument.spreadsheet";
/// The `mimetype` of an ods template (read as a workbook all the same).
pub(super) const TEMPLATE_MIME: &str = "application/vnd.oasis.opendocument.spreadsheet-template";

/// Every table of an ods package, once the guard has bounded their extent.
pub(super) fn read(
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
        scan_ods_content(BufReader::new(f)).map_err(|r| ctx.refusal(r))?
    };
    ctx.check_sheet_count(scans.len())?;
    let mut total = 0u64;
    let mut text = 0u64;
    for t in &scans {
        ctx.charge_text(
            Some(&t.name),
            &mut text,
            usize::try_from(t.text).unwrap_or(usize::MAX),
        )?;
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
    // ods has no merged regions in calamine. Hidden rows and columns, which calamine does not
    // report, come from the scan (calamine reads every table, in order, as a sheet).
    let metas_match = wb.sheets_metadata().len() == scans.len();
    let complete = |i: usize, sheet: &mut Sheet| {
        if let Some(scan) = scans.get(i).filter(|_| metas_match) {
            let rows = hidden(&scan.hidden_rows, ctx.limits.max_rows);
            sheet.hidden_rows.extend(rows);
            let cols = hidden(&scan.hidden_cols, ctx.limits.max_cols);
            sheet.hidden_cols.extend(cols);
        }
    };
    sheets_from_ranges(&mut wb, ctx, ods_err, |_, _| Ok(Vec::new()), complete)
}

/// The indices in `ranges` (0-based, inclusive, in any order, overlapping) below `limit`, each
/// once: the cost is bounded by the limit, not by the ranges' claims.
pub(super) fn hidden(ranges: &[(u64, u64)], limit: u32) -> impl Iterator<Item = u32> {
    let mut ranges = ranges.to_vec();
    ranges.sort_unstable();
    let mut next = 0u64;
    let mut out = Vec::new();
    for (first, last) in ranges {
        let (from, to) = (
            first.max(next),
            last.saturating_add(1).min(u64::from(limit)),
        );
        if from < to {
            out.extend(from as u32..to as u32);
            next = to;
        }
    }
    out.into_iter()
}

// ---------------------------------------------------------------------------------------------
// guard

/// Extent of one ods table as calamine would build it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct OdsTableScan {
    pub(super) name: String,
    /// Rows up to and including the last non-empty one.
    pub(super) rows: u64,
    /// Columns up to and including the last non-empty one.
    pub(super) cols: u64,
    /// Cells calamine pushes while reading (before expanding row repeats).
    pub(super) pushed: u64,
    /// Cells of the dense range calamine then builds.
    pub(super) dense: u64,
    /// Bytes of text calamine makes: each text cell's text, once per repeated column and row
    /// (calamine copies it into each), with `<text:s text:c="n"/>` as the n spaces it becomes.
    pub(super) text: u64,
    /// Hidden (`table:visibility` collapse or filter) rows and columns, as 0-based inclusive
    /// ranges.
    pub(super) hidden_rows: Vec<(u64, u64)>,
    pub(super) hidden_cols: Vec<(u64, u64)>,
}

/// Calamine's own caps (ods.rs), mirrored so the estimate matches what it would allocate.
const ODS_MAX_COLUMNS: u64 = 16_384;
const ODS_MAX_ROWS: u64 = 1_048_576;

/// Stream through `content.xml` and compute, for each table, the extent of its non-empty cells
/// with repeats expanded. Constant memory apart from the list of tables.
pub(super) fn scan_ods_content<R: std::io::BufRead>(
    reader: R,
) -> Result<Vec<OdsTableScan>, Refusal> {
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
            Event::Text(t) if st.cell_depth > 0 => {
                st.cell_text = st.cell_text.saturating_add(t.len() as u64);
                if !t.chars().all(char::is_whitespace) {
                    st.cell_has_content = true;
                }
            }
            Event::GeneralRef(_) | Event::CData(_) if st.cell_depth > 0 => {
                st.cell_text = st.cell_text.saturating_add(4);
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
    /// Bytes of text in the open cell, and in the open row with column repeats expanded.
    cell_text: u64,
    row_text: u64,
    /// Columns declared so far in the open table; whether the open row is hidden.
    cols_total: u64,
    row_hidden: bool,
}

impl OdsState {
    fn start(&mut self, e: &quick_xml::events::BytesStart<'_>, empty: bool) -> Result<(), Refusal> {
        if self.cell_depth > 0 {
            // Anything inside a cell (text:p, a link…) makes it non-empty.
            self.cell_has_content = true;
            // calamine turns `<text:s text:c="n"/>` into n spaces, one by one
            let add = match e.name().as_ref() {
                "text:s" => repeat_attr(e, "text:c")?,
                _ => 1,
            };
            self.cell_text = self.cell_text.saturating_add(add);
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
                self.cols_total = 0;
                self.first_row = None;
                self.in_row = false;
                if empty {
                    self.tables.extend(self.current.take());
                }
            }
            "table:table-column" if self.current.is_some() => {
                let n = repeat_attr(e, "table:number-columns-repeated")?;
                let first = self.cols_total;
                self.cols_total = first.saturating_add(n).min(ODS_MAX_COLUMNS);
                if is_hidden(e) && self.cols_total > first {
                    if let Some(t) = self.current.as_mut() {
                        t.hidden_cols.push((first, self.cols_total - 1));
                    }
                }
            }
            "table:table-row" if self.current.is_some() => {
                self.row_repeat = repeat_attr(e, "table:number-rows-repeated")?;
                self.row_hidden = is_hidden(e);
                self.row_col = 0;
                self.row_last = 0;
                self.row_text = 0;
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
                self.cell_text = e
                    .attributes()
                    .flatten()
                    .filter(|a| matches!(a.key.as_ref(), "office:string-value" | "table:formula"))
                    .map(|a| a.value.len() as u64)
                    .sum();
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
        let copies = self.row_col.saturating_sub(self.cell_start);
        self.row_text = self
            .row_text
            .saturating_add(self.cell_text.saturating_mul(copies));
        self.cell_text = 0;
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
        t.text = t
            .text
            .saturating_add(self.row_text.saturating_mul(capped.max(1)));
        if self.row_hidden && capped > 0 {
            t.hidden_rows
                .push((self.rows_total, self.rows_total + capped - 1));
        }
        if self.row_last > 0 {
            let start = *self.first_row.get_or_insert(self.rows_total);
            t.rows = self.rows_total.saturating_add(capped);
            t.cols = t.cols.max(self.row_last);
            t.dense = (t.rows - start).saturating_mul(t.cols);
        }
        self.rows_total = self.rows_total.saturating_add(capped);
    }
}

/// A row or column whose `table:visibility` is `collapse` or `filter`.
fn is_hidden(e: &quick_xml::events::BytesStart<'_>) -> bool {
    e.attributes()
        .flatten()
        .any(|a| a.key.as_ref() == "table:visibility" && matches!(&*a.value, "collapse" | "filter"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::grid::CellValue;
    use crate::read::{read_grid_bytes, Limits};
    use std::io::Write;

    /// A minimal ods package around the `<office:spreadsheet>` content.
    fn ods(tables: &str) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let deflated = zip::write::SimpleFileOptions::default();
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(MIME.as_bytes()).unwrap();
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

    /// Issue 13: one 64 KB text cell repeated 500 × 400 (a 1 KB file), 12.8 GB once calamine
    /// has copied it into every cell; and `<text:s text:c="…"/>`, which calamine expands into
    /// that many spaces. Refused before calamine reads anything.
    #[test]
    fn repeated_text_is_refused_before_calamine_copies_it() {
        let big = "字".repeat(64 * 1024 / 3);
        let refused = |bytes: &[u8]| match read_grid_bytes(bytes, "t.ods", &Limits::default()) {
            Err(ReadError::TooLarge { sheet, what, .. }) => {
                assert_eq!(sheet.as_deref(), Some("重复"));
                assert!(what.contains("文本"), "{what}");
            }
            Err(e) => panic!("{e:?}"),
            Ok(_) => panic!("read, not refused"),
        };
        refused(&ods(&format!(
            r#"<table:table table:name="重复"><table:table-row table:number-rows-repeated="400"><table:table-cell office:value-type="string" table:number-columns-repeated="500"><text:p>{big}</text:p></table:table-cell></table:table-row></table:table>"#
        )));
        refused(&ods(
            r#"<table:table table:name="重复"><table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="4000000000"/>b</text:p></table:table-cell></table:table-row></table:table>"#,
        ));
        // Text repeated a little is read, as calamine reads it.
        let g = read_grid_bytes(
            &ods(
                r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="string" table:number-columns-repeated="3"><text:p>a<text:s text:c="2"/>b</text:p></table:table-cell></table:table-row></table:table>"#,
            ),
            "t.ods",
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(g.sheets[0].cells.len(), 6);
        assert_eq!(g.sheets[0].get(1, 2), Some(&CellValue::Text("a  b".into())));
        let t = scan_ods_content(
            r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="string" table:number-columns-repeated="3"><text:p>ab<text:s text:c="2"/></text:p></table:table-cell></table:table-row></table:table>"#.as_bytes(),
        )
        .unwrap();
        // "ab", two spaces, the text:p element itself: 5 bytes, 6 copies
        assert_eq!(t[0].text, 30);
    }

    /// Hidden rows and columns (LibreOffice's `table:visibility="collapse"`, or `filter` for
    /// rows hidden by a filter) reach the sheet, as in xlsx.
    #[test]
    fn hidden_rows_and_columns_are_recorded() {
        let bytes = ods(
            r#"<table:table table:name="S"><table:table-column table:number-columns-repeated="2"/><table:table-column table:visibility="collapse" table:number-columns-repeated="2"/><table:table-column table:visibility="collapse" table:number-columns-repeated="100000"/><table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row><table:table-row table:visibility="collapse" table:number-rows-repeated="2"><table:table-cell office:value-type="float" office:value="2"/></table:table-row><table:table-row table:visibility="filter"><table:table-cell office:value-type="float" office:value="3"/></table:table-row><table:table-row><table:table-cell office:value-type="float" office:value="4"/></table:table-row></table:table>"#,
        );
        let limits = Limits {
            max_cols: 10,
            ..Limits::default()
        };
        let g = read_grid_bytes(&bytes, "t.ods", &limits).unwrap();
        let s = &g.sheets[0];
        assert_eq!(s.get(3, 0), Some(&CellValue::Number(3.0)));
        assert_eq!(s.hidden_rows.iter().copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(
            s.hidden_cols.iter().copied().collect::<Vec<_>>(),
            (2..10).collect::<Vec<_>>()
        );
    }

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
}

//! Word documents (`.docx`): the report as its agency wrote it. One streaming pass over the
//! main document part (`word/document.xml`) gives its tables as sheets and its paragraphs as
//! prose, in document order.
//!
//! Decisions:
//! - Each top-level table (`w:tbl`) becomes one sheet named `表格1`, `表格2`, … (the n-th table of
//!   the document, empty ones counted, as for web pages); a cell's row is its `w:tr`, its column
//!   its position in the table's grid: `w:gridBefore` cells skipped at the row's start, and each
//!   cell as wide as its `w:gridSpan`.
//! - Merged cells are resolved into the grid as the other readers do: a `w:gridSpan` wider than
//!   one column, and a `w:vMerge="restart"` cell with the `w:vMerge` (continue) cells under it in
//!   the same grid column, become one [`Rect`] merge whose value is in its top-left cell. A
//!   continue cell without a restart above it is an ordinary cell.
//! - A cell's text is the text of its runs (`w:t`; `w:tab` a space), its paragraphs on separate
//!   lines, whitespace within a line collapsed. Deleted text (`w:delText`, `w:moveFrom`), field
//!   codes (`w:instrText`) and the fallback copy of text boxes (`mc:Fallback`) are not text.
//!   Tables nested in a cell are flattened into that cell's text.
//! - Prose: every paragraph (`w:p`) outside the tables, with text, numbered
//!   `Place::Paragraph(1, 2, …)`, whitespace collapsed (a `w:br` inside a paragraph is a space);
//!   a text box's paragraphs are part of the paragraph that holds them.
//! - Limits, as for workbooks: the part's inflated size (`max_unpacked_bytes`, after the zip
//!   guard), every cell position (`max_rows`, `max_cols`, spans included), non-empty cells and
//!   paragraphs together (`max_cells`), tables (`max_sheets`), text (`max_text_bytes`). Nesting
//!   costs nothing: only depth counters are kept, no stack.
//! - Headers, footers, footnotes and comments (other parts) are not read.

use std::collections::BTreeMap;

use quick_xml::events::{BytesStart, Event};

use super::grid::{CellValue, Rect, Sheet};
use super::open::{Content, Ctx};
use super::xlsx::{reader, unexpected_end, Failure, Package, Zip};
use crate::error::ReadError;
use crate::model::{Paragraph, Place};

/// The main document part of a Word package.
pub(super) const DOCUMENT: &str = "word/document.xml";

/// The tables and paragraphs of a Word document.
pub(super) fn read(zip: &mut Zip, ctx: &Ctx) -> Result<Content, ReadError> {
    let Some(xml) = Package::new(zip, ctx).part(DOCUMENT)? else {
        return Err(ctx.corrupt(format!("Word 文档中没有正文部件 {DOCUMENT}"), None));
    };
    let mut doc = Doc::new(ctx);
    doc.read(&xml)
        .map_err(|e| e.into_error(ctx, &format!("Word 文档正文（{DOCUMENT}）无法读取")))?;
    Ok(Content {
        sheets: doc.sheets,
        prose: doc.prose,
        ..Content::default()
    })
}

/// The cell being read.
struct OpenCell {
    row: u32,
    col: u32,
    span: u32,
    vmerge: Option<VMerge>,
    raw: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum VMerge {
    Restart,
    Continue,
}

struct Doc<'c> {
    ctx: &'c Ctx<'c>,
    sheets: Vec<Sheet>,
    prose: Vec<Paragraph>,
    /// Text of the paragraph being read outside the tables.
    para: String,
    /// Open `w:tbl` and `w:p` elements (a text box puts paragraphs inside a paragraph).
    tables_open: u32,
    paras_open: u32,
    /// Inside `w:t`.
    in_text: bool,
    /// Top-level tables seen, empty ones included (for the sheet names).
    tables: u32,
    sheet: Option<Sheet>,
    /// Next row index, and the open row's.
    next_row: u32,
    row: Option<u32>,
    /// Next grid column of the open row.
    col: u32,
    cell: Option<OpenCell>,
    /// Vertical merges still open, by their first grid column.
    vmerges: BTreeMap<u32, Rect>,
    /// Non-empty cells and paragraphs so far, and text bytes kept.
    items: u64,
    text_bytes: u64,
}

impl<'c> Doc<'c> {
    fn new(ctx: &'c Ctx<'c>) -> Self {
        Doc {
            ctx,
            sheets: Vec::new(),
            prose: Vec::new(),
            para: String::new(),
            tables_open: 0,
            paras_open: 0,
            in_text: false,
            tables: 0,
            sheet: None,
            next_row: 0,
            row: None,
            col: 0,
            cell: None,
            vmerges: BTreeMap::new(),
            items: 0,
            text_bytes: 0,
        }
    }

    fn read(&mut self, xml: &[u8]) -> Result<(), Failure> {
        let mut r = reader(xml);
        loop {
            match r.read_event()? {
                Event::Start(e) => {
                    let name = e.local_name();
                    match name.as_ref() {
                        // Not text: skipped whole.
                        "Fallback" | "delText" | "instrText" | "moveFrom" => {
                            r.read_to_end(e.name())?;
                        }
                        _ => self.start(&e)?,
                    }
                }
                Event::End(e) => self.end(e.local_name().as_ref())?,
                Event::Text(t) if self.in_text => self.push(&t.xml10_content()),
                Event::CData(t) if self.in_text => self.push(&t.xml10_content()),
                Event::GeneralRef(g) if self.in_text => {
                    if let Some(s) = quick_xml::escape::resolve_xml_entity(&g) {
                        self.push(s);
                    } else if let Some(c) = g.resolve_char_ref()? {
                        self.push(c.encode_utf8(&mut [0; 4]));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if self.tables_open > 0 || self.paras_open > 0 {
            return Err(unexpected_end());
        }
        Ok(())
    }

    /// Text of a run: into the open cell (also when it is in a nested table), or the paragraph.
    fn push(&mut self, t: &str) {
        if self.tables_open == 0 {
            self.para.push_str(t);
        } else if let Some(c) = self.cell.as_mut() {
            c.raw.push_str(t);
        }
    }

    fn start(&mut self, e: &BytesStart) -> Result<(), Failure> {
        let top = self.tables_open == 1;
        match e.local_name().as_ref() {
            "t" => self.in_text = true,
            "tab" => self.push(" "),
            "br" | "cr" => self.push(if self.tables_open == 0 { " " } else { "\n" }),
            "p" => {
                // A text box's paragraph inside a paragraph: a word apart.
                if self.paras_open > 0 && self.tables_open == 0 {
                    self.push(" ");
                }
                self.paras_open += 1;
            }
            "tbl" => {
                self.tables_open += 1;
                if self.tables_open == 1 {
                    self.end_paragraph()?;
                    self.tables += 1;
                    self.sheet = Some(Sheet::new(format!("表格{}", self.tables)));
                    self.next_row = 0;
                    self.row = None;
                    self.vmerges.clear();
                } else {
                    self.push(" ");
                }
            }
            "tr" if top => {
                self.end_cell()?;
                self.row = Some(self.next_row);
                self.next_row = self.next_row.saturating_add(1);
                self.col = 0;
            }
            "gridBefore" if top && self.cell.is_none() => {
                self.col = self.col.saturating_add(val_u32(e, 0));
            }
            "tc" if top => {
                self.end_cell()?;
                let row = match self.row {
                    Some(r) => r,
                    None => {
                        let r = self.next_row;
                        self.row = Some(r);
                        self.next_row = r.saturating_add(1);
                        r
                    }
                };
                self.cell = Some(OpenCell {
                    row,
                    col: self.col,
                    span: 1,
                    vmerge: None,
                    raw: String::new(),
                });
            }
            "tc" => self.push(" "),
            "gridSpan" if top => {
                // Bounded by the column limit, which the cell's last column is checked against.
                let max = self.ctx.limits.max_cols.saturating_add(1);
                if let Some(c) = self.cell.as_mut() {
                    c.span = val_u32(e, 1).clamp(1, max);
                }
            }
            "vMerge" if top => {
                let restart = attr_val(e).is_some_and(|v| v == "restart");
                if let Some(c) = self.cell.as_mut() {
                    c.vmerge = Some(if restart {
                        VMerge::Restart
                    } else {
                        VMerge::Continue
                    });
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<(), Failure> {
        let top = self.tables_open == 1;
        match name {
            "t" => self.in_text = false,
            "p" => {
                self.paras_open = self.paras_open.saturating_sub(1);
                if self.tables_open == 0 {
                    if self.paras_open == 0 {
                        self.end_paragraph()?;
                    } else {
                        self.push(" ");
                    }
                } else {
                    self.push("\n");
                }
            }
            "tc" if top => self.end_cell()?,
            "tr" if top => {
                self.end_cell()?;
                self.row = None;
            }
            "tbl" => {
                if top {
                    self.end_cell()?;
                    self.end_table()?;
                }
                self.tables_open = self.tables_open.saturating_sub(1);
            }
            _ => {}
        }
        Ok(())
    }

    /// Count one more non-empty cell or paragraph, and its text.
    fn charge(&mut self, sheet: Option<&str>, text: &str) -> Result<(), Failure> {
        self.items += 1;
        let limit = self.ctx.limits.max_cells;
        if self.items > limit {
            return Err(Failure::Refused(self.ctx.too_large(
                sheet,
                "有内容的单元格和段落总数",
                self.items,
                limit,
            )));
        }
        self.ctx
            .charge_text(sheet, &mut self.text_bytes, text.len())
            .map_err(Failure::Refused)
    }

    fn end_paragraph(&mut self) -> Result<(), Failure> {
        if self.para.is_empty() {
            return Ok(());
        }
        let text = collapse(&std::mem::take(&mut self.para));
        if text.is_empty() {
            return Ok(());
        }
        self.charge(None, &text)?;
        let n = self.prose.len() as u32 + 1;
        self.prose.push(Paragraph {
            text,
            place: Place::Paragraph(n),
        });
        Ok(())
    }

    fn end_cell(&mut self) -> Result<(), Failure> {
        let Some(c) = self.cell.take() else {
            return Ok(());
        };
        let Some(name) = self.sheet.as_ref().map(|s| s.name.clone()) else {
            return Ok(());
        };
        let last_col = c.col.saturating_add(c.span - 1);
        self.col = last_col.saturating_add(1);
        self.ctx
            .check_pos(&name, c.row, last_col)
            .map_err(Failure::Refused)?;
        if c.vmerge == Some(VMerge::Continue) {
            if let Some(m) = self.vmerges.get_mut(&c.col) {
                m.last_row = c.row;
                return Ok(());
            }
        }
        // A cell that does not continue the merge above it closes it.
        if let Some(m) = self.vmerges.remove(&c.col) {
            self.push_merge(m);
        }
        let rect = Rect {
            first_row: c.row,
            first_col: c.col,
            last_row: c.row,
            last_col,
        };
        if c.vmerge == Some(VMerge::Restart) {
            self.vmerges.insert(c.col, rect);
        } else {
            self.push_merge(rect);
        }
        let text = cell_text(&c.raw);
        if !text.is_empty() {
            self.charge(Some(&name), &text)?;
            if let Some(s) = self.sheet.as_mut() {
                s.set(c.row, c.col, CellValue::Text(text));
            }
        }
        Ok(())
    }

    /// Keep a merged region that covers more than one cell.
    fn push_merge(&mut self, m: Rect) {
        if m.last_row > m.first_row || m.last_col > m.first_col {
            if let Some(s) = self.sheet.as_mut() {
                s.merges.push(m);
            }
        }
    }

    fn end_table(&mut self) -> Result<(), Failure> {
        for m in std::mem::take(&mut self.vmerges).into_values() {
            self.push_merge(m);
        }
        if let Some(mut s) = self.sheet.take() {
            if s.cells.is_empty() {
                return Ok(());
            }
            s.merges.sort();
            self.sheets.push(s);
            self.ctx
                .check_sheet_count(self.sheets.len())
                .map_err(Failure::Refused)?;
        }
        Ok(())
    }
}

/// The `w:val` attribute of an element.
fn attr_val(e: &BytesStart) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == "val")
        .map(|a| a.value.into_owned())
}

/// `w:val` as a count (`default` when absent or not a number).
fn val_u32(e: &BytesStart, default: u32) -> u32 {
    attr_val(e)
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(default)
}

/// Whitespace collapsed to single spaces, trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A cell's text: each non-empty line collapsed, lines joined by `\n`.
fn cell_text(raw: &str) -> String {
    raw.split('\n')
        .map(collapse)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use crate::read::{read_grid_bytes, Grid, Limits, Rect};

    const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
                     xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"";

    /// A Word package holding `body` as its document's body.
    fn docx(body: &str) -> Vec<u8> {
        let xml =
            format!("<?xml version=\"1.0\"?><w:document {W}><w:body>{body}</w:body></w:document>");
        package(&[("word/document.xml", xml.as_bytes())])
    }

    fn package(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("[Content_Types].xml", opts).unwrap();
        zip.write_all(b"<Types/>").unwrap();
        for (name, data) in parts {
            zip.start_file(*name, opts).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn read(bytes: &[u8]) -> Grid {
        read_grid_bytes(bytes, "t.docx", &Limits::default()).expect("reads")
    }

    fn p(text: &str) -> String {
        format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
    }

    fn tc(props: &str, text: &str) -> String {
        format!("<w:tc><w:tcPr>{props}</w:tcPr>{}</w:tc>", p(text))
    }

    /// ```text
    ///      A            B         C          D
    /// 1  [ 项目 (vMerge restart) ][ 申请人情况 (gridSpan 3)       ]
    /// 2  [ (continue)  ][ 自然人  ][ 法人 (gridSpan 2, restart)  ]
    /// 3  [ (continue)  ][ 12     ][ (gridSpan 2, continue)       ]
    /// 4  (gridBefore 1)[ 3      ][ 4        ][ 5 ]
    /// ```
    #[test]
    fn grid_span_and_vertical_merges_become_merges() {
        let restart = "<w:vMerge w:val=\"restart\"/>";
        let cont = "<w:vMerge/>";
        let span = |n: u32| format!("<w:gridSpan w:val=\"{n}\"/>");
        let body = format!(
            "{}<w:tbl><w:tblGrid/>\
             <w:tr>{}{}</w:tr>\
             <w:tr>{}{}{}</w:tr>\
             <w:tr>{}{}{}</w:tr>\
             <w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>{}{}{}</w:tr>\
             </w:tbl>{}",
            p("标题"),
            tc(restart, "项目"),
            tc(&span(3), "申请人情况"),
            tc(cont, ""),
            tc("", "自然人"),
            tc(&format!("{}{restart}", span(2)), "法人"),
            tc(cont, "被忽略"),
            tc("", "12"),
            tc(&format!("{}{cont}", span(2)), ""),
            tc("", "3"),
            tc("", "4"),
            tc("", "5"),
            p("结尾"),
        );
        let g = read(&docx(&body));
        assert_eq!(g.sheets.len(), 1);
        let s = &g.sheets[0];
        assert_eq!(s.name, "表格1");
        let cell = |r, c| s.text(r, c);
        assert_eq!(cell(0, 0).as_deref(), Some("项目"));
        assert_eq!(cell(0, 1).as_deref(), Some("申请人情况"));
        assert_eq!(cell(1, 1).as_deref(), Some("自然人"));
        assert_eq!(cell(1, 2).as_deref(), Some("法人"));
        assert_eq!(cell(2, 0), None, "a continue cell's text is not read");
        assert_eq!(cell(2, 1).as_deref(), Some("12"));
        assert_eq!(cell(3, 1).as_deref(), Some("3"));
        assert_eq!(cell(3, 3).as_deref(), Some("5"));
        let rect = |first_row, first_col, last_row, last_col| Rect {
            first_row,
            first_col,
            last_row,
            last_col,
        };
        assert_eq!(
            s.merges,
            [rect(0, 0, 2, 0), rect(0, 1, 0, 3), rect(1, 2, 2, 3)]
        );
        let prose: Vec<&str> = g.prose.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(prose, ["标题", "结尾"]);
    }

    /// Runs are joined, tabs and breaks are spaces in prose; deleted text, field codes and the
    /// fallback copy of a text box are not text; a nested table is flattened into its cell;
    /// paragraphs without text are not prose; empty tables are not sheets but are counted.
    #[test]
    fn only_the_text_a_reader_sees() {
        let body = format!(
            "<w:p><w:r><w:t>本年报由</w:t></w:r><w:del><w:r><w:delText>旧</w:delText></w:r></w:del>\
             <w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t>某局</w:t><w:tab/><w:t>编制</w:t><w:br/><w:t>。</w:t></w:r>\
             <w:r><mc:AlternateContent><mc:Choice><w:txbxContent>{}</w:txbxContent></mc:Choice>\
             <mc:Fallback><w:txbxContent>{}</w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>\
             <w:p/><w:p><w:r><w:t>  </w:t></w:r></w:p>\
             <w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>\
             <w:tbl><w:tr><w:tc>{}<w:tbl><w:tr>{}{}</w:tr></w:tbl></w:tc>{}</w:tr></w:tbl>",
            p("文本框"),
            p("文本框副本"),
            p("外层"),
            tc("", "内"),
            tc("<w:gridSpan w:val=\"9\"/>", "层"),
            tc("", "&amp;7&#x4EF6;"),
        );
        let g = read(&docx(&body));
        let prose: Vec<&str> = g.prose.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(prose, ["本年报由某局 编制 。 文本框"]);
        assert_eq!(g.sheets.len(), 1);
        let s = &g.sheets[0];
        assert_eq!(s.name, "表格2");
        assert_eq!(s.text(0, 0).as_deref(), Some("外层\n内\n层"));
        assert_eq!(s.text(0, 1).as_deref(), Some("&7件"));
        assert!(
            s.merges.is_empty(),
            "a nested table's spans are not the outer table's"
        );
    }

    /// Hostile documents: a zip bomb is refused by the zip guard before inflating; spans beyond
    /// the column limit, cells and paragraphs beyond the cell limit are refused; a million
    /// nested elements cost nothing; a package without its document part is damaged.
    #[test]
    fn hostile_documents_are_refused_or_bounded() {
        let kind = |bytes: &[u8], limits: &Limits| {
            read_grid_bytes(bytes, "t.docx", limits).unwrap_err().kind()
        };
        let zeros = vec![b' '; 64 * 1024 * 1024];
        let bomb = package(&[("word/document.xml", &zeros)]);
        assert!(bomb.len() < 1024 * 1024);
        assert_eq!(kind(&bomb, &Limits::default()), "too_large");

        let wide = docx(&format!(
            "<w:tbl><w:tr>{}</w:tr></w:tbl>",
            tc("<w:gridSpan w:val=\"4000000000\"/>", "1")
        ));
        let e = read_grid_bytes(&wide, "t.docx", &Limits::default()).unwrap_err();
        assert_eq!(e.kind(), "too_large");
        assert!(e.to_string().contains("表格1"), "{e}");
        let far = docx(&format!(
            "<w:tbl><w:tr><w:trPr><w:gridBefore w:val=\"4294967295\"/></w:trPr>{}{}</w:tr></w:tbl>",
            tc("", "1"),
            tc("", "2")
        ));
        assert_eq!(kind(&far, &Limits::default()), "too_large");

        let few = Limits {
            max_cells: 10,
            ..Limits::default()
        };
        assert_eq!(kind(&docx(&p("段").repeat(11)), &few), "too_large");
        let cells = format!("<w:tbl><w:tr>{}</w:tr></w:tbl>", tc("", "1").repeat(11));
        assert_eq!(kind(&docx(&cells), &few), "too_large");
        assert_eq!(
            read_grid_bytes(&docx(&p("段").repeat(10)), "t", &few)
                .unwrap()
                .prose
                .len(),
            10
        );

        let deep = format!(
            "{}{}{}",
            "<w:sdt><w:sdtContent>".repeat(200_000),
            p("深处"),
            "</w:sdtContent></w:sdt>".repeat(200_000)
        );
        assert_eq!(read(&docx(&deep)).prose[0].text, "深处");
        let nested = format!(
            "{}{}{}",
            "<w:tbl><w:tr><w:tc>".repeat(100_000),
            p("1"),
            "</w:tc></w:tr></w:tbl>".repeat(100_000)
        );
        let g = read(&docx(&nested));
        assert_eq!(g.sheets[0].text(0, 0).as_deref(), Some("1"));

        let no_document = package(&[("word/styles.xml", b"<w:styles/>")]);
        assert_eq!(kind(&no_document, &Limits::default()), "corrupt");
        let broken = docx("<w:p><w:r><w:t>未完");
        assert_eq!(kind(&broken[..], &Limits::default()), "corrupt");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Bodies made of the elements the reader reacts to, in any order and nesting, broken
        /// or not: read (straight, not through the panic guard) without a panic.
        #[test]
        fn any_body_of_its_elements_reads_without_panic(
            pieces in proptest::collection::vec(0usize..PIECES.len(), 0..120)
        ) {
            let body: String = pieces.iter().map(|&i| PIECES[i]).collect();
            let xml = format!("<w:document {W}><w:body>{body}</w:body></w:document>");
            let limits = Limits { max_rows: 50, max_cols: 50, max_cells: 200, ..Limits::default() };
            let ctx = crate::read::open::Ctx { path: "t.docx", limits: &limits };
            let mut doc = super::Doc::new(&ctx);
            if doc.read(xml.as_bytes()).is_ok() {
                for (i, p) in doc.prose.iter().enumerate() {
                    proptest::prop_assert!(!p.text.is_empty());
                    proptest::prop_assert_eq!(p.place, crate::model::Place::Paragraph(i as u32 + 1));
                }
            }
        }
    }

    const PIECES: &[&str] = &[
        "<w:tbl>",
        "</w:tbl>",
        "<w:tr>",
        "</w:tr>",
        "<w:tc>",
        "</w:tc>",
        "<w:p>",
        "</w:p>",
        "<w:p/>",
        "<w:t>",
        "</w:t>",
        "12",
        "自然人",
        " ",
        "<w:tab/>",
        "<w:br/>",
        "<w:gridSpan w:val=\"3\"/>",
        "<w:gridSpan w:val=\"99999\"/>",
        "<w:vMerge w:val=\"restart\"/>",
        "<w:vMerge/>",
        "<w:gridBefore w:val=\"2\"/>",
        "<w:tcPr>",
        "</w:tcPr>",
        "<w:trPr>",
        "</w:trPr>",
        "<mc:Fallback>",
        "</mc:Fallback>",
        "<w:delText>",
        "</w:delText>",
        "&amp;",
        "&#x4E00;",
    ];
}

//! Web pages: a report as published (`.html`/`.htm`, including Word's "save as web page"), and
//! HTML tables saved with an `.xls` name ("导出为 Excel" from many web systems, or Excel's own
//! "save as web page"). Each top-level `<table>` becomes one sheet named `表格1`, `表格2`, … (the
//! n-th table of the page, empty ones counted), its cells at their row and column in the table;
//! the text outside the tables becomes the page's prose ([`Paragraph`]s, in document order).
//!
//! Decisions:
//! - Cells are text as a browser shows it: tags removed, entities decoded, `<br>` → line break,
//!   runs of whitespace (including `&nbsp;`) collapsed to one space and trimmed. A cell with no
//!   text is not a cell. Excel's `x:num="…"` attribute, when it holds a number, gives a
//!   [`CellValue::Number`] (that is the value Excel itself would read).
//! - `colspan`/`rowspan` are placed with the HTML table algorithm and recorded as merges.
//! - Nested tables are flattened into the text of the cell that holds them, except in a layout
//!   table (a page's frame: a table whose nested tables hold more cells than it does itself):
//!   its cells are blocks of prose, and the tables in them are the page's tables.
//! - Encoding: a BOM; else bytes that are valid UTF-8 are UTF-8
//!   whatever the page declares (sites copy an old template's `charset=gb2312` onto UTF-8 pages,
//!   and GBK-encoded Chinese text is practically never valid UTF-8); else the `<meta charset>` /
//!   `charset=` in the first 4 KB; else GB18030 (a superset of GBK/GB2312, what pages from
//!   Chinese systems use). A page declaring UTF-8 whose bytes are not is read as GB18030 when
//!   they are valid GB18030.
//! - Word's exported markup: `MsoNormalTable` tables are tables like any other; the `<p>` and
//!   `<span>`s inside a cell are its text (a line break between paragraphs); `<o:p>` and the
//!   other Office elements (`o:`, `v:`, `w:`, `st1:` prefixes) are not HTML paragraphs and are
//!   ignored; attributes may span lines.
//! - Prose: `<title>`, then every block of text outside the tables — `h1`–`h6`, `p`, `div`,
//!   `li`, … and text between them — one [`Paragraph`] per block, split at `<br>`, whitespace
//!   collapsed, numbered `Place::Paragraph(1, 2, …)`. The head's other text, scripts, styles
//!   and comments are not prose. Paragraphs count against the cell limit (`max_cells`).

use std::borrow::Cow;

use super::grid::{CellValue, Rect, Sheet};
use super::open::{Content, Ctx};
use crate::error::ReadError;
use crate::model::{Paragraph, Place};

/// Every top-level table of an HTML or XML file, as sheets, and the page's prose.
pub(super) fn read(bytes: &[u8], ctx: &Ctx) -> Result<Content, ReadError> {
    let text = decode(bytes);
    let l = ctx.limits;
    let limited = parse_limited(&text, l.max_rows, l.max_cols, l.max_cells, l.max_sheets);
    let page = limited.map_err(|e| match e {
        HtmlError::NoTable(n) => ctx.unknown(n.describe()),
        HtmlError::TooLarge(t) => {
            let sheet = Some(t.sheet.as_str()).filter(|s| !s.is_empty());
            ctx.too_large(sheet, t.what, t.actual, t.limit)
        }
    })?;
    ctx.check_sheet_count(page.sheets.len())?;
    Ok(page)
}

/// What the markup turned out to be, when it holds no table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoTable {
    /// HTML without any `<table>`.
    Html,
    /// Excel 2003 XML (SpreadsheetML), which calamine does not read.
    SpreadsheetMl,
    /// Other XML; the root element name.
    Xml(String),
}

impl NoTable {
    /// Chinese description for `ReadError::UnknownFormat`.
    pub fn describe(&self) -> String {
        match self {
            NoTable::Html => "网页文件（HTML），其中没有含内容的表格".to_string(),
            NoTable::SpreadsheetMl => "Excel 2003 XML 表格（SpreadsheetML），暂不支持".to_string(),
            NoTable::Xml(root) => format!("XML 文件（根元素 <{root}>），不是工作簿"),
        }
    }
}

/// A limit hit while placing cells (row or column index + 1 beyond the limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlTooLarge {
    /// The table's sheet name; empty for the prose.
    pub sheet: String,
    pub what: &'static str,
    pub actual: u64,
    pub limit: u64,
}

#[derive(Debug)]
pub enum HtmlError {
    NoTable(NoTable),
    TooLarge(HtmlTooLarge),
}

/// Decode the bytes of a markup file to text (see the module's decisions).
pub fn decode(bytes: &[u8]) -> String {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (s, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return s.into_owned();
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let gb18030 = || {
        let (s, _, errors) = encoding_rs::GB18030.decode(bytes);
        (s, errors)
    };
    if let Some(enc) = declared_encoding(bytes) {
        // A page that says UTF-16 but was read as bytes here is ASCII-compatible: ignore.
        if enc == encoding_rs::UTF_8 {
            if let (s, false) = gb18030() {
                return s.into_owned();
            }
        }
        if enc != encoding_rs::UTF_16LE && enc != encoding_rs::UTF_16BE {
            let (s, _, _) = enc.decode(bytes);
            return s.into_owned();
        }
    }
    gb18030().0.into_owned()
}

/// The encoding a page declares (`<meta charset=…>` or `content="…; charset=…"`) in its first 4 KB.
fn declared_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let i = head.find("charset=")?;
    let label: String = head[i + 8..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    encoding_rs::Encoding::for_label(label.as_bytes())
}

/// Parse every top-level table. `max_rows`/`max_cols` bound the placed cells (spans included),
/// `max_cells` the number of non-empty cells of all tables together.
#[cfg(test)]
pub fn parse_tables(
    text: &str,
    max_rows: u32,
    max_cols: u32,
    max_cells: u64,
) -> Result<Vec<Sheet>, HtmlError> {
    parse_limited(text, max_rows, max_cols, max_cells, u32::MAX).map(|p| p.sheets)
}

/// [`parse_tables`], refusing the page as soon as it has more than `max_sheets` non-empty
/// tables: a million one-cell tables would otherwise all be built (671 MB) before being counted.
fn parse_limited(
    text: &str,
    max_rows: u32,
    max_cols: u32,
    max_cells: u64,
    max_sheets: u32,
) -> Result<Content, HtmlError> {
    let mut p = Placer::new(max_rows, max_cols, max_cells);
    p.max_sheets = max_sheets;
    if has_nested_table(text) {
        p.layout = layout_tables(text);
    }
    let mut tokens = Tokenizer { s: text, at: 0 };
    let mut saw_html = false;
    let mut first_element: Option<String> = None;
    let mut spreadsheet_ml = false;
    while let Some(tok) = tokens.next() {
        match tok {
            Token::Text(t) => p.text(t),
            Token::Tag {
                name,
                closing,
                attrs,
            } => {
                if first_element.is_none() && !name.starts_with(['!', '?']) {
                    first_element = Some(name.to_string());
                }
                if name == "html" || name == "body" || name == "head" {
                    saw_html = true;
                }
                if name == "workbook"
                    && attrs.contains("urn:schemas-microsoft-com:office:spreadsheet")
                {
                    spreadsheet_ml = true;
                }
                if matches!(&*name, "script" | "style") && !closing {
                    tokens.skip_raw_text(&name);
                    continue;
                }
                p.tag(&name, closing, attrs).map_err(HtmlError::TooLarge)?;
            }
        }
    }
    p.finish().map_err(HtmlError::TooLarge)?;
    if p.sheets.is_empty() {
        let what = if spreadsheet_ml {
            NoTable::SpreadsheetMl
        } else if saw_html || first_element.is_none() {
            NoTable::Html
        } else {
            NoTable::Xml(first_element.unwrap_or_default())
        };
        return Err(HtmlError::NoTable(what));
    }
    Ok(Content {
        sheets: p.sheets,
        prose: p.prose,
        ..Content::default()
    })
}

/// Deepest nesting of tables [`layout_tables`] follows (deeper tables count as cells of the
/// deepest it follows): a page of a million nested tables costs no more than a few bytes each.
const MAX_TRACKED_DEPTH: usize = 64;

/// Which tables, in the order they open, are layout tables: the frame of a page (older government
/// sites put the whole article, statistics tables included, in the cell of a table), told apart
/// from a statistics table by holding fewer cells of its own than the tables nested in it hold.
/// A statistics table with a small table in one cell stays a statistics table.
fn layout_tables(text: &str) -> Vec<bool> {
    let mut out = Vec::new();
    // Open tables followed: (index, own cells, cells of the tables nested in it).
    let mut open: Vec<(usize, u64, u64)> = Vec::new();
    let mut untracked = 0usize;
    let close = |open: &mut Vec<(usize, u64, u64)>, out: &mut Vec<bool>| {
        if let Some((i, own, nested)) = open.pop() {
            out[i] = nested > own;
            if let Some(parent) = open.last_mut() {
                parent.2 += own + nested;
            }
        }
    };
    let mut tokens = Tokenizer { s: text, at: 0 };
    while let Some(tok) = tokens.next() {
        let Token::Tag { name, closing, .. } = tok else {
            continue;
        };
        match (&*name, closing) {
            ("script" | "style", false) => tokens.skip_raw_text(&name),
            ("table", false) => {
                if open.len() < MAX_TRACKED_DEPTH {
                    open.push((out.len(), 0, 0));
                } else {
                    untracked += 1;
                }
                out.push(false);
            }
            ("table", true) if untracked > 0 => untracked -= 1,
            ("table", true) => close(&mut open, &mut out),
            ("td" | "th", false) => {
                if let Some(t) = open.last_mut() {
                    t.1 += 1;
                }
            }
            _ => {}
        }
    }
    while !open.is_empty() {
        close(&mut open, &mut out);
    }
    out
}

/// Whether a table may open inside another: a scan of `<table`/`</table` only (comments skipped),
/// so that a page without nested tables does not pay for [`layout_tables`]' full pass. It may
/// say yes wrongly (a table in a script's string), never no wrongly except for an end tag in a
/// script.
fn has_nested_table(text: &str) -> bool {
    let b = text.as_bytes();
    let mut depth = 0u32;
    let mut at = 0;
    while let Some(i) = text[at..].find('<') {
        let rest = &b[at + i + 1..];
        at += i + 1;
        if rest.starts_with(b"!--") {
            match text[at..].find("-->") {
                Some(j) => at += j,
                None => break,
            }
            continue;
        }
        let (closing, rest) = match rest.strip_prefix(b"/") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let is_table = rest.len() >= 5
            && rest[..5].eq_ignore_ascii_case(b"table")
            && !rest.get(5).is_some_and(|c| c.is_ascii_alphanumeric());
        if !is_table {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            if depth > 1 {
                return true;
            }
        }
    }
    false
}

enum Token<'a> {
    Text(&'a str),
    Tag {
        /// Lower-case; `!--`-style declarations and `?xml` keep their sigil.
        name: Cow<'a, str>,
        closing: bool,
        attrs: &'a str,
    },
}

struct Tokenizer<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> Tokenizer<'a> {
    fn next(&mut self) -> Option<Token<'a>> {
        let rest = &self.s[self.at..];
        if rest.is_empty() {
            return None;
        }
        // As in browsers, `<` starts a tag only before a letter, `/`, `!` or `?` ("数量<5" is text).
        let is_tag = |s: &str| {
            s.starts_with('<')
                && s[1..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
        };
        if !is_tag(rest) {
            let skip = usize::from(rest.starts_with('<'));
            let end = rest[skip..].find('<').map_or(rest.len(), |i| i + skip);
            self.at += end;
            return Some(Token::Text(&rest[..end]));
        }
        // Comments (and Excel's conditional comments inside them) are skipped whole.
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map(|i| i + 3).unwrap_or(rest.len());
            self.at += end;
            return Some(Token::Text(""));
        }
        let end = match rest.find('>') {
            Some(i) => i + 1,
            None => {
                // An unterminated tag: the rest is text.
                self.at = self.s.len();
                return Some(Token::Text(rest));
            }
        };
        let inner = &rest[1..end - 1];
        self.at += end;
        let closing = inner.starts_with('/');
        let inner = inner.trim_start_matches('/');
        let name_end = inner
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(inner.len());
        // Borrowed unless it has capitals: no allocation for most tags.
        let raw = &inner[..name_end];
        let name: Cow<'a, str> = if raw.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(raw.to_ascii_lowercase())
        } else {
            Cow::Borrowed(raw)
        };
        // Drop a namespace prefix (`x:td` never occurs, but `ss:Workbook` does); keep Word's
        // Office elements whole: `<o:p>` is not a paragraph, `<st1:chsdate>` not a date tag.
        let name = match name.rsplit_once(':') {
            Some((prefix, _)) if OFFICE_PREFIXES.contains(&prefix) => name,
            Some((_, local)) if !name.starts_with(['!', '?']) => Cow::Owned(local.to_string()),
            _ => name,
        };
        Some(Token::Tag {
            name,
            closing,
            attrs: &inner[name_end..],
        })
    }

    /// Skip to the closing tag of a raw-text element (`script`, `style`), without copying:
    /// linear in the text skipped, however many such elements a file holds.
    fn skip_raw_text(&mut self, name: &str) {
        let rest = &self.s[self.at..];
        let mut from = 0;
        while let Some(i) = rest[from..].find("</") {
            let at = from + i;
            let tail = &rest.as_bytes()[at + 2..];
            if tail.len() >= name.len() && tail[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            {
                self.at += at;
                return;
            }
            from = at + 2;
        }
        self.at = self.s.len();
    }
}

/// Namespace prefixes of the Office elements in Word's and Excel's exported pages, which are not
/// the HTML elements of the same local name.
const OFFICE_PREFIXES: &[&str] = &["o", "v", "w", "st1", "m"];

/// Value of attribute `key` in a tag's attribute text (quoted or bare).
fn attr<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(key) {
        let start = from + i;
        from = start + key.len();
        let before_ok = start == 0
            || lower[..start]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_whitespace());
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_start = attrs.len() - after.len() + 1;
        let v = attrs[value_start..].trim_start();
        return Some(match v.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = &v[1..];
                &body[..body.find(q).unwrap_or(body.len())]
            }
            _ => &v[..v.find(char::is_whitespace).unwrap_or(v.len())],
        });
    }
    None
}

fn span(attrs: &str, key: &str, max: u32) -> u32 {
    attr(attrs, key)
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(1)
        .clamp(1, max)
}

/// Decode character references and named entities (the full HTML5 table, as quick-xml keeps it).
/// A name is taken up to the first character that is not a letter, digit or `#`; the `;` after
/// it may be missing, as browsers accept for the common ones (`&nbsp`). An unknown name is kept
/// as written.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|j| j + 1)
            .unwrap_or(rest.len());
        let name = &rest[1..end];
        let mut buf = [0u8; 4];
        let decoded: Option<&str> = if let Some(num) = name.strip_prefix('#') {
            let n = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            n.and_then(char::from_u32)
                .map(|c| &*c.encode_utf8(&mut buf))
        } else {
            quick_xml::escape::resolve_html5_entity(name)
        };
        match decoded {
            Some(c) if !name.is_empty() => {
                out.push_str(c);
                let consumed = if rest[end..].starts_with(';') {
                    end + 1
                } else {
                    end
                };
                rest = &rest[consumed..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Collapse whitespace as a browser renders it, keeping explicit line breaks (`\u{2028}`
/// marks a `<br>` until the end).
fn render(raw: &str) -> String {
    let decoded = decode_entities(raw);
    let mut out = String::new();
    let mut pending_space = false;
    for c in decoded.chars() {
        if c == '\u{2028}' {
            while out.ends_with(' ') {
                out.pop();
            }
            out.push('\n');
            pending_space = false;
        } else if c.is_whitespace() {
            pending_space = !out.is_empty() && !out.ends_with('\n');
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out.trim_matches(|c: char| c.is_whitespace()).to_string()
}

struct OpenCell {
    row: u32,
    col: u32,
    raw: String,
    num: Option<f64>,
}

/// Places cells of the current top-level table with the HTML table algorithm.
struct Placer {
    max_rows: u32,
    max_cols: u32,
    max_cells: u64,
    /// Most non-empty tables kept.
    max_sheets: u32,
    cells: u64,
    /// Top-level tables seen, including empty ones.
    tables: u32,
    sheets: Vec<Sheet>,
    depth: u32,
    sheet: Option<Sheet>,
    /// Next row index, and the open row's index.
    next_row: u32,
    row: Option<u32>,
    col: u32,
    /// `busy[c]` = first row where column `c` is free again (rowspans from earlier rows).
    busy: Vec<u32>,
    cell: Option<OpenCell>,
    /// The page's paragraphs so far, and the text of the one being read (outside tables).
    prose: Vec<Paragraph>,
    para: String,
    /// Inside `<head>` (whose text is not prose, except the title's) and inside `<title>`.
    in_head: bool,
    in_title: bool,
    /// Which tables (in opening order) are a page's layout ([`layout_tables`]); tables opened so
    /// far; for each open table, whether it is read as layout (its cells are blocks of prose).
    layout: Vec<bool>,
    opened: usize,
    open: Vec<bool>,
}

/// Elements that start or end a block of text: a paragraph of prose ends at each of them.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "title"
            | "br"
            | "hr"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "html"
            | "head"
            | "body"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "main"
            | "aside"
            | "blockquote"
            | "center"
            | "pre"
            | "dl"
            | "dt"
            | "dd"
            | "form"
            | "address"
            | "figure"
            | "figcaption"
    )
}

impl Placer {
    fn new(max_rows: u32, max_cols: u32, max_cells: u64) -> Self {
        Placer {
            max_rows,
            max_cols,
            max_cells,
            max_sheets: u32::MAX,
            cells: 0,
            tables: 0,
            sheets: Vec::new(),
            depth: 0,
            sheet: None,
            next_row: 0,
            row: None,
            col: 0,
            busy: Vec::new(),
            cell: None,
            prose: Vec::new(),
            para: String::new(),
            in_head: false,
            in_title: false,
            layout: Vec::new(),
            opened: 0,
            open: Vec::new(),
        }
    }

    fn text(&mut self, t: &str) {
        if let Some(c) = self.cell.as_mut() {
            c.raw.push_str(t);
        } else if self.depth == 0 && (self.in_title || !self.in_head) {
            self.para.push_str(t);
        }
    }

    /// End the paragraph being read outside the tables, keeping it if it has any text.
    fn end_paragraph(&mut self) -> Result<(), HtmlTooLarge> {
        if self.para.is_empty() {
            return Ok(());
        }
        let text = render(&std::mem::take(&mut self.para)).replace('\n', " ");
        if text.is_empty() {
            return Ok(());
        }
        let n = self.prose.len() as u64 + 1;
        if n > self.max_cells {
            return Err(HtmlTooLarge {
                sheet: String::new(),
                what: "正文段落数",
                actual: n,
                limit: self.max_cells,
            });
        }
        self.prose.push(Paragraph {
            text,
            place: Place::Paragraph(n as u32),
        });
        Ok(())
    }

    fn tag(&mut self, name: &str, closing: bool, attrs: &str) -> Result<(), HtmlTooLarge> {
        if self.depth == 0 && is_block(name) {
            self.end_paragraph()?;
            match (name, closing) {
                ("head", false) => self.in_head = true,
                ("head", true) | ("body", _) => self.in_head = false,
                ("title", c) => self.in_title = !c,
                _ => {}
            }
        }
        match (name, closing) {
            ("table", false) => {
                let seq = self.opened;
                self.opened += 1;
                // A layout table in a statistics table's cell is part of that cell's text.
                let layout = self.depth == 0 && self.layout.get(seq).copied().unwrap_or(false);
                self.open.push(layout);
                if layout {
                    return Ok(());
                }
                self.depth += 1;
                if self.depth == 1 {
                    self.tables += 1;
                    self.sheet = Some(Sheet::new(format!("表格{}", self.tables)));
                    self.next_row = 0;
                    self.row = None;
                    self.busy.clear();
                } else if let Some(c) = self.cell.as_mut() {
                    c.raw.push(' ');
                }
            }
            ("table", true) => {
                // A layout table ends as a block; a stray end tag is nothing.
                if self.open.pop() != Some(false) {
                    return Ok(());
                }
                self.depth -= 1;
                if self.depth == 0 {
                    self.end_row()?;
                    self.push_sheet()?;
                }
            }
            ("td" | "th" | "tr" | "br", _) if self.depth > 1 => {
                // Inside a nested table: rows and cells become separators in the outer cell.
                if let Some(c) = self.cell.as_mut() {
                    c.raw.push(if name == "tr" || name == "br" {
                        '\u{2028}'
                    } else {
                        ' '
                    });
                }
            }
            _ if self.depth != 1 => {}
            ("tr", false) => {
                self.end_row()?;
                self.row = Some(self.next_row);
                self.next_row = self.next_row.saturating_add(1);
                self.col = 0;
            }
            ("tr", true) | ("tbody" | "thead" | "tfoot", _) => self.end_row()?,
            ("td" | "th", false) => {
                self.end_cell()?;
                if self.row.is_none() {
                    self.row = Some(self.next_row);
                    self.next_row = self.next_row.saturating_add(1);
                    self.col = 0;
                }
                let row = self.row.unwrap_or(0);
                while self.busy.get(self.col as usize).is_some_and(|&b| b > row) {
                    self.col += 1;
                }
                let colspan = span(attrs, "colspan", 1000);
                // rowspan="0" means "to the end of the table group": treated as 1.
                let rowspan = span(attrs, "rowspan", 65534);
                let (r, c) = (row, self.col);
                let last_row = r.saturating_add(rowspan - 1);
                let last_col = c.saturating_add(colspan - 1);
                self.check(last_row, last_col)?;
                if self.busy.len() <= last_col as usize {
                    self.busy.resize(last_col as usize + 1, 0);
                }
                for b in &mut self.busy[c as usize..=last_col as usize] {
                    *b = last_row + 1;
                }
                if rowspan > 1 || colspan > 1 {
                    if let Some(s) = self.sheet.as_mut() {
                        s.merges.push(Rect {
                            first_row: r,
                            first_col: c,
                            last_row,
                            last_col,
                        });
                    }
                }
                let num = attr(attrs, "x:num").and_then(|v| v.trim().parse::<f64>().ok());
                self.cell = Some(OpenCell {
                    row: r,
                    col: c,
                    raw: String::new(),
                    num,
                });
                self.col = last_col.saturating_add(1);
            }
            ("td" | "th", true) => self.end_cell()?,
            ("br", _) => {
                if let Some(c) = self.cell.as_mut() {
                    c.raw.push('\u{2028}');
                }
            }
            ("p" | "div" | "li", true) => {
                if let Some(c) = self.cell.as_mut() {
                    c.raw.push('\u{2028}');
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn check(&self, last_row: u32, last_col: u32) -> Result<(), HtmlTooLarge> {
        let sheet = self
            .sheet
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default();
        if u64::from(last_row) + 1 > u64::from(self.max_rows) {
            return Err(HtmlTooLarge {
                sheet,
                what: "表格行数",
                actual: u64::from(last_row) + 1,
                limit: u64::from(self.max_rows),
            });
        }
        if u64::from(last_col) + 1 > u64::from(self.max_cols) {
            return Err(HtmlTooLarge {
                sheet,
                what: "表格列数",
                actual: u64::from(last_col) + 1,
                limit: u64::from(self.max_cols),
            });
        }
        Ok(())
    }

    /// Keep the finished table if it has any cell (layout tables of empty cells carry nothing,
    /// and keeping them would let a page of `<table></table>` grow without bound). Sheets are
    /// named after the table's position in the page, counting empty ones.
    fn push_sheet(&mut self) -> Result<(), HtmlTooLarge> {
        if let Some(s) = self.sheet.take() {
            if !s.cells.is_empty() {
                if self.sheets.len() as u64 >= u64::from(self.max_sheets) {
                    return Err(HtmlTooLarge {
                        sheet: s.name,
                        what: "工作表（表格）数量（超出上限即停止读取）",
                        actual: self.sheets.len() as u64 + 1,
                        limit: u64::from(self.max_sheets),
                    });
                }
                self.sheets.push(s);
            }
        }
        Ok(())
    }

    fn end_cell(&mut self) -> Result<(), HtmlTooLarge> {
        if let Some(c) = self.cell.take() {
            let text = render(&c.raw);
            if text.is_empty() {
                return Ok(());
            }
            self.cells += 1;
            if self.cells > self.max_cells {
                return Err(HtmlTooLarge {
                    sheet: self
                        .sheet
                        .as_ref()
                        .map(|s| s.name.clone())
                        .unwrap_or_default(),
                    what: "有内容的单元格总数",
                    actual: self.cells,
                    limit: self.max_cells,
                });
            }
            let v = match c.num {
                Some(n) => CellValue::Number(n),
                None => CellValue::Text(text),
            };
            if let Some(s) = self.sheet.as_mut() {
                s.set(c.row, c.col, v);
            }
        }
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), HtmlTooLarge> {
        self.end_cell()?;
        self.row = None;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), HtmlTooLarge> {
        // An unclosed top-level table still counts.
        if self.depth > 0 {
            self.end_row()?;
            self.push_sheet()?;
            self.depth = 0;
        }
        self.end_paragraph()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheets(html: &str) -> Vec<Sheet> {
        parse_tables(html, 10_000, 500, 1_000_000).expect("table")
    }

    /// ```text
    ///      A          B        C
    /// 1  [ 项目 (rowspan 2) ][ 本年 (colspan 2)  ]
    /// 2  [                ][ 新收 ][ 结转 ]
    /// 3  [ 自然人 & 法人 ][ 12   ][ 3 (x:num) ]
    /// ```
    #[test]
    fn spans_become_merges_and_entities_are_decoded() {
        let s = sheets(
            r#"<html><body><table border=1>
            <tr><td rowspan="2">项目</td><td colspan=2>本年</td></tr>
            <tr><th>新收</th><th>结转</th></tr>
            <tr><td>自然人&nbsp;&amp;&#x6CD5;人</td><td> 12 <5</td><td x:num="3">3.0</td></tr>
            </table></body></html>"#,
        );
        assert_eq!(s.len(), 1);
        let t = &s[0];
        assert_eq!(t.name, "表格1");
        assert_eq!(t.text(0, 0).as_deref(), Some("项目"));
        assert_eq!(t.text(0, 1).as_deref(), Some("本年"));
        assert_eq!(t.text(1, 1).as_deref(), Some("新收"));
        assert_eq!(t.text(1, 2).as_deref(), Some("结转"));
        assert_eq!(t.get(1, 0), None);
        assert_eq!(t.text(2, 0).as_deref(), Some("自然人 &法人"));
        assert_eq!(t.get(2, 1), Some(&CellValue::Text("12 <5".into())));
        assert_eq!(t.get(2, 2), Some(&CellValue::Number(3.0)));
        assert_eq!(
            t.merges,
            vec![
                Rect {
                    first_row: 0,
                    first_col: 0,
                    last_row: 1,
                    last_col: 0
                },
                Rect {
                    first_row: 0,
                    first_col: 1,
                    last_row: 0,
                    last_col: 2
                },
            ]
        );
    }

    #[test]
    fn named_entities_come_from_the_full_html5_table() {
        // `&le;`, `&permil;`, `&plusmn;` and `&sup2;` were not in the hand-written table this
        // one replaced; numeric references and a missing `;` still work, unknown names stay.
        assert_eq!(
            decode_entities(
                "&le;5&permil; &plusmn;1 m&sup2; &#x2265;&#8805; &nbsp&amp R&D &copy2021"
            ),
            "≤5‰ ±1 m² ≥≥ \u{a0}& R&D &copy2021"
        );
    }

    #[test]
    fn line_breaks_comments_scripts_and_nested_tables() {
        let s = sheets(
            "<table><!-- <td>no</td> --><script>var x='<td>';</script>\
             <tr><td>三、本年度<br/>办理结果</td><td><table><tr><td>a</td><td>b</td></tr></table></td></tr></table>\
             <table><tr><td></td><td>第二表</td></tr></table>",
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].text(0, 0).as_deref(), Some("三、本年度\n办理结果"));
        assert_eq!(s[0].text(0, 1).as_deref(), Some("a b"));
        assert_eq!(s[0].cells.len(), 2);
        assert_eq!(s[1].name, "表格2");
        assert_eq!(s[1].get(0, 0), None);
        assert_eq!(s[1].text(0, 1).as_deref(), Some("第二表"));
    }

    #[test]
    fn no_table_says_what_it_is() {
        let e = |s: &str| match parse_tables(s, 100, 100, 100) {
            Err(HtmlError::NoTable(n)) => n,
            other => panic!("{other:?}"),
        };
        assert_eq!(e("<html><body><p>通知</p></body></html>"), NoTable::Html);
        assert_eq!(
            e(
                r#"<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet/></Workbook>"#
            ),
            NoTable::SpreadsheetMl
        );
        assert_eq!(
            e("<?xml version='1.0'?><root><a/></root>"),
            NoTable::Xml("root".into())
        );
    }

    /// Issue 13: a million one-cell tables peaked at 671 MB, all built before being counted.
    /// The page is refused at the first table beyond the sheet limit.
    #[test]
    fn tables_beyond_the_sheet_limit_stop_the_parse() {
        let page = "<table><tr><td>1</td></tr></table>".repeat(1_000_000);
        match parse_limited(&page, 10_000, 500, 1_000_000, 1_000) {
            Err(HtmlError::TooLarge(t)) => {
                assert_eq!((t.actual, t.limit), (1_001, 1_000));
                assert_eq!(t.sheet, "表格1001");
            }
            Err(e) => panic!("{e:?}"),
            Ok(p) => panic!("{} sheets read, not refused", p.sheets.len()),
        }
        let page = parse_limited(&page[..34 * 1_000], 10_000, 500, 1_000_000, 1_000).unwrap();
        assert_eq!(page.sheets.len(), 1_000);
    }

    #[test]
    fn spans_beyond_limits_are_refused() {
        match parse_tables(
            "<table><tr><td colspan=600>x</td></tr></table>",
            100,
            500,
            100,
        ) {
            Err(HtmlError::TooLarge(t)) => assert_eq!(t.actual, 600),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn gbk_page_is_decoded_from_its_meta_charset() {
        let page = "<html><head><meta http-equiv=Content-Type content=\"text/html; charset=gb2312\"></head><table><tr><td>行政复议</td></tr></table>";
        let (bytes, _, _) = encoding_rs::GBK.encode(page);
        let s = parse_tables(&decode(&bytes), 10, 10, 10).unwrap();
        assert_eq!(s[0].text(0, 0).as_deref(), Some("行政复议"));
    }

    fn page(html: &str) -> Content {
        parse_limited(html, 10_000, 500, 1_000_000, 1_000).expect("page")
    }

    fn texts(p: &Content) -> Vec<&str> {
        p.prose.iter().map(|p| p.text.as_str()).collect()
    }

    /// The prose: the title first, then each block outside the tables in order, split at
    /// `<br>`; the head's other text, scripts, comments and the tables' cells are not prose.
    #[test]
    fn prose_is_every_block_outside_the_tables_in_order() {
        let p = page(
            "<html><head><meta charset=utf-8><title>某局2023年\n政府信息公开工作年度报告</title>\
             <style>p{color:red}</style><script>var t='<p>不是</p>';</script></head>\
             <body><div class=nav>首页 &gt; 政务公开</div>\
             <h1>某局2023年政府信息公开工作年度报告</h1>\
             <p>　　本年报由某局编制。<br>统计期限自2023年1月1日起至2023年12月31日止。</p>\
             <!-- <p>注释</p> --><h2>二、主动公开政府信息情况</h2>\
             <table><tr><td><p>信息内容</p></td><td>本年制发件数</td></tr></table>\
             <ul><li>一是&nbsp;加强领导</li><li>二是 <b>完善</b>制度</li></ul>\
             尾部文字<div><p></p></div></body></html>",
        );
        assert_eq!(
            texts(&p),
            [
                "某局2023年 政府信息公开工作年度报告",
                "首页 > 政务公开",
                "某局2023年政府信息公开工作年度报告",
                "本年报由某局编制。",
                "统计期限自2023年1月1日起至2023年12月31日止。",
                "二、主动公开政府信息情况",
                "一是 加强领导",
                "二是 完善制度",
                "尾部文字",
            ]
        );
        let places: Vec<Place> = p.prose.iter().map(|p| p.place).collect();
        assert_eq!(places[0], Place::Paragraph(1));
        assert_eq!(places[8], Place::Paragraph(9));
        assert_eq!(p.sheets[0].text(0, 0).as_deref(), Some("信息内容"));
    }

    /// Word's "save as web page": `MsoNormalTable`, the `<p>`s and `<span>`s of a cell, `<o:p>`
    /// (not a paragraph), `&nbsp;` cells, attributes over several lines, conditional comments.
    #[test]
    fn word_exported_pages_read_as_their_cells_and_paragraphs() {
        let p = page(
            "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">\
             <body lang=ZH-CN><div class=WordSection1>\
             <p class=MsoNormal style='text-indent:32.0pt'><span style='font-size:16.0pt;\n\
             font-family:仿宋_GB2312'>2023年，我局收到申请<span lang=EN-US>12</span>件。<span\n\
             lang=EN-US><o:p></o:p></span></span></p>\
             <table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0\n style='border-collapse:collapse'>\
             <tr style='height:20.0pt'><td width=64 rowspan=2\n valign=top style='width:48.0pt;\n border:solid windowtext 1.0pt'>\
             <p class=MsoNormal align=center><span style='font-size:10.5pt'>本年新<o:p></o:p></span></p>\
             <p class=MsoNormal align=center><span style='font-size:10.5pt'>制作数量<o:p></o:p></span></p></td>\
             <td width=64 colspan=2\n style='width:48.0pt'><p class=MsoNormal><span lang=EN-US>1<o:p></o:p></span><span lang=EN-US>2</span></p></td></tr>\
             <tr><td><p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p></td>\
             <![if !supportMisalignedColumns]><td>3</td><![endif]></tr></table>\
             <p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p></div></body></html>",
        );
        assert_eq!(texts(&p), ["2023年，我局收到申请12件。"]);
        let t = &p.sheets[0];
        assert_eq!(t.text(0, 0).as_deref(), Some("本年新\n制作数量"));
        assert_eq!(t.text(0, 1).as_deref(), Some("12"));
        assert_eq!(t.get(1, 1), None, "an &nbsp; cell is empty");
        assert_eq!(t.text(1, 2).as_deref(), Some("3"));
        assert_eq!(t.merges.len(), 2);
    }

    /// A page's bytes decide over its declaration when they are valid UTF-8; a page declared
    /// UTF-8 whose bytes are GBK is read as GBK; without a declaration, GB18030.
    #[test]
    fn the_bytes_decide_the_encoding_over_a_wrong_declaration() {
        let body = "<table><tr><td>行政复议</td></tr></table>";
        let gb2312 = format!("<meta charset=gb2312>{body}");
        let utf8 = format!("<meta charset=utf-8>{body}");
        let cell = |bytes: &[u8]| parse_tables(&decode(bytes), 10, 10, 10).unwrap()[0].text(0, 0);
        // UTF-8 bytes under a copied `charset=gb2312`.
        assert_eq!(cell(gb2312.as_bytes()).as_deref(), Some("行政复议"));
        // GBK bytes under `charset=utf-8`, and with no declaration.
        let gbk = |s: &str| encoding_rs::GBK.encode(s).0.into_owned();
        assert_eq!(cell(&gbk(&utf8)).as_deref(), Some("行政复议"));
        assert_eq!(cell(&gbk(body)).as_deref(), Some("行政复议"));
        // A four-byte GB18030 character (not in GBK) in a page declared gb2312.
        let (bytes, _, _) = encoding_rs::GB18030
            .encode("<meta charset=gb2312><table><tr><td>㐀局</td></tr></table>");
        assert_eq!(cell(&bytes).as_deref(), Some("㐀局"));
    }

    /// Hostile pages: a million nested elements and a huge attribute cost nothing (no stack, no
    /// copy); paragraphs beyond the cell limit stop the parse.
    #[test]
    fn hostile_pages_are_bounded() {
        let deep = format!(
            "{}<table><tr><td>自然人</td></tr></table>{}",
            "<div><span>".repeat(500_000),
            "</span></div>".repeat(500_000)
        );
        let p = page(&deep);
        assert_eq!(p.sheets.len(), 1);
        assert!(p.prose.is_empty());
        let huge = format!(
            "<p title=\"{}\">正文</p><table><tr><td x=\"{}\n\">1</td></tr></table>",
            "x".repeat(5_000_000),
            "y".repeat(5_000_000)
        );
        let p = page(&huge);
        assert_eq!(texts(&p), ["正文"]);
        assert_eq!(p.sheets[0].text(0, 0).as_deref(), Some("1"));
        let many = format!(
            "{}<table><tr><td>1</td></tr></table>",
            "<p>段</p>".repeat(101)
        );
        match parse_limited(&many, 100, 100, 100, 10) {
            Err(HtmlError::TooLarge(t)) => {
                assert_eq!((t.what, t.actual, t.limit), ("正文段落数", 101, 100));
                assert!(t.sheet.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    /// An older government site's page: the article, statistics tables included, inside the
    /// cells of layout tables. The layout tables' cells are prose; the tables in them are the
    /// page's tables (named in their order); a small table in a statistics cell stays its text.
    #[test]
    fn layout_tables_are_the_frame_not_a_table() {
        let stats = |n: u32| {
            format!(
                "<table class=MsoNormalTable><tr><td>信息内容</td><td>本年制发件数</td></tr>\
                 <tr><td>规章</td><td>{n}</td></tr><tr><td>规范性文件</td><td><table><tr><td>x</td><td>y</td></tr></table></td></tr></table>"
            )
        };
        let html = format!(
            "<table width=100%><tr><td>首页</td><td>政务公开</td></tr>\
             <tr><td colspan=2><table><tr><td><p>某局2023年政府信息公开工作年度报告</p>\
             <p>二、主动公开政府信息情况</p>{}<p>三、收到和处理政府信息公开申请情况</p>{}</td></tr></table>\
             </td></tr><tr><td>版权所有</td></tr></table>",
            stats(1),
            stats(2)
        );
        let p = page(&html);
        assert_eq!(
            texts(&p),
            [
                "首页",
                "政务公开",
                "某局2023年政府信息公开工作年度报告",
                "二、主动公开政府信息情况",
                "三、收到和处理政府信息公开申请情况",
                "版权所有"
            ]
        );
        assert_eq!(p.sheets.len(), 2);
        assert_eq!(p.sheets[0].name, "表格1");
        assert_eq!(p.sheets[0].text(1, 1).as_deref(), Some("1"));
        assert_eq!(p.sheets[0].text(2, 1).as_deref(), Some("x y"));
        assert_eq!(p.sheets[1].name, "表格2");
        assert_eq!(p.sheets[1].text(1, 1).as_deref(), Some("2"));
        // Each statistics table alone is not a frame.
        let alone = page(&stats(3));
        assert_eq!(alone.sheets.len(), 1);
        assert_eq!(alone.sheets[0].text(2, 1).as_deref(), Some("x y"));
        // A million nested tables: followed to a fixed depth, no stack beyond it.
        let deep = format!(
            "{}1{}",
            "<table><tr><td>".repeat(300_000),
            "</td></tr></table>".repeat(300_000)
        );
        let deep = page(&deep);
        assert_eq!(deep.sheets.len(), 1);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Pages made of the pieces the reader reacts to, in any order and nesting, broken or
        /// not: read without a panic, every paragraph non-empty and numbered in order.
        #[test]
        fn any_page_of_its_pieces_reads_without_panic(
            pieces in proptest::collection::vec(0usize..PIECES.len(), 0..120)
        ) {
            let html: String = pieces.iter().map(|&i| PIECES[i]).collect();
            let _ = has_nested_table(&html);
            if let Ok(p) = parse_limited(&html, 100, 100, 1000, 100) {
                for (i, para) in p.prose.iter().enumerate() {
                    proptest::prop_assert!(!para.text.is_empty());
                    proptest::prop_assert_eq!(para.place, Place::Paragraph(i as u32 + 1));
                }
            }
        }
    }

    const PIECES: &[&str] = &[
        "<table>",
        "</table>",
        "<TABLE border=1>",
        "<tr>",
        "</tr>",
        "<td>",
        "</td>",
        "<td rowspan=3 colspan=2>",
        "<th colspan=\n9>",
        "<p>",
        "</p>",
        "<o:p>",
        "</o:p>",
        "<br>",
        "<h1>",
        "</h1>",
        "<div>",
        "</div>",
        "<li>",
        "<title>",
        "</title>",
        "<head>",
        "</head>",
        "<body>",
        "<!--",
        "-->",
        "<script>",
        "</script>",
        "<style>",
        "</style>",
        "<![if x]>",
        "&nbsp;",
        "&#x4E00;",
        "&",
        "<",
        ">",
        "自然人",
        "12",
        " ",
        "\n",
        "　",
        "<span lang=EN-US\n",
        "x:num=\"3\">",
        "\"",
        "'",
    ];
}

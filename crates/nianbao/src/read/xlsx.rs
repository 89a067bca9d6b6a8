//! xlsx / xlsm: a streaming reader of our own, one pass over each part.
//!
//! Why not calamine here (it still reads xls and ods): a roll-up reads thousands of small
//! workbooks, and calamine's `Xlsx::new` parses the zip directory again, the styles and the theme
//! on every open; its merged-cell reader parses each sheet a second time. This reader takes the
//! zip directory [`super::zipped`] already parsed and checked, inflates each part once, and takes
//! the cells, their formulas and the merged regions from one pass over the sheet. Styles are not
//! read: a date-formatted cell holds a number, and in these tables every number is a count or an
//! amount, so it is kept as a number (the same choice as for calamine's dates).
//!
//! What it follows from the OOXML format as Excel, WPS and LibreOffice write it, and as calamine
//! reads it (the `same_cells_as_calamine` test compares the two on every sample workbook):
//! - the workbook part is found through `_rels/.rels` (or at `xl/workbook.xml`), sheets through
//!   the workbook's relationships; part names are matched without regard to case or `\`;
//! - elements are matched by local name, so `x:c` is `c`;
//! - a cell or row without `r` follows the one before it;
//! - cell types `s`, `str`, `inlineStr`, `b`, `e`, `d`, `n`; a number that does not parse is kept
//!   as text (nothing is lost: the value parser reports it);
//! - rich text is concatenated, phonetic runs (`rPh`) are left out, `<t>` is trimmed unless
//!   `xml:space="preserve"`, and `_xHHHH_` escapes are decoded;
//! - a formula without a cached value becomes [`CellValue::FormulaNotCalculated`], shared
//!   formulas are expanded from their anchor cell (only into cells without a cached value);
//! - hidden rows (`<row hidden="1">`) and columns (`<col hidden="1">`) are recorded on the
//!   sheet, as hidden sheets are.
//!
//! Limits: every cell position is checked as it arrives, the shared-string count (declared and
//! actual) and the number of non-empty cells against `max_cells`, each inflated part against
//! `max_unpacked_bytes`, every copy of text made (the shared strings, each cell's text, each
//! expanded formula) against `max_text_bytes`. A package whose sheets share one part is refused.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use quick_xml::XmlVersion;

use super::grid::{CellValue, Rect, Sheet};
use super::open::Ctx;
use crate::error::{Cause, ReadError};

pub(super) type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// Every worksheet of an xlsx package, in tab order, and its custom document properties.
pub(super) fn read(zip: &mut Zip, ctx: &Ctx) -> Result<(Vec<Sheet>, Properties), ReadError> {
    let mut pkg = Package::new(zip, ctx);
    let workbook_path = pkg.workbook_path()?;
    let Some(workbook) = pkg.part(&workbook_path)? else {
        return Err(ctx.no_sheets());
    };
    let entries = sheet_entries(&workbook).map_err(|e| pkg.fault(&workbook_path, e))?;
    if entries.is_empty() {
        return Err(ctx.no_sheets());
    }
    ctx.check_sheet_count(entries.len())?;

    let (dir, file) = split_dir(&workbook_path);
    let rels_path = format!("{dir}_rels/{file}.rels");
    let rels = match pkg.part(&rels_path)? {
        Some(xml) => relationships(&xml, dir).map_err(|e| pkg.fault(&rels_path, e))?,
        None => Vec::new(),
    };
    let strings_path = rels
        .iter()
        .find(|r| r.kind == "sharedStrings")
        .map(|r| r.target.clone())
        .unwrap_or_else(|| format!("{dir}sharedStrings.xml"));
    // Text materialised in the whole workbook, against `max_text_bytes`.
    let mut text = 0u64;
    let strings = match pkg.part(&strings_path)? {
        Some(xml) => {
            shared_strings(&xml, ctx, &mut text).map_err(|e| pkg.fault(&strings_path, e))?
        }
        None => Vec::new(),
    };

    let mut sheets = Vec::with_capacity(entries.len());
    let mut cells = 0u64;
    // Worksheet parts already read, by their lower-case name (as `Package::part` finds them),
    // with the sheet that read them.
    let mut parts_read: HashMap<String, String> = HashMap::new();
    for entry in entries {
        let name = entry.name.as_str();
        let Some(rel) = rels.iter().find(|r| r.id == entry.rel_id) else {
            return Err(ctx.corrupt(
                format!("工作表“{name}”在工作簿关系（{rels_path}）中没有对应的部件"),
                None,
            ));
        };
        if rel.kind != "worksheet" {
            continue; // chart, dialog and macro sheets hold no table cells
        }
        // No application writes two sheets over one part; a thousand of them over one big part
        // would inflate and parse it a thousand times.
        if let Some(first) = parts_read.insert(rel.target.to_ascii_lowercase(), name.to_string()) {
            return Err(ctx.corrupt(
                format!(
                    "工作表“{name}”和工作表“{first}”指向同一个部件 {}（工作簿结构被篡改或损坏）",
                    rel.target
                ),
                None,
            ));
        }
        let Some(xml) = pkg.part(&rel.target)? else {
            return Err(ctx.corrupt(
                format!("工作表“{name}”无法读取：压缩包中缺少部件 {}", rel.target),
                None,
            ));
        };
        let mut sheet = Sheet::new(name);
        sheet.visible = entry.visible;
        SheetReader {
            ctx,
            strings: &strings,
            sheet: &mut sheet,
            cells: &mut cells,
            text: &mut text,
        }
        .read(&xml)
        .map_err(|e| e.into_error(ctx, &format!("工作表“{name}”无法读取")))?;
        sheets.push(sheet);
    }
    let properties = custom_properties(&mut pkg, &mut text)?;
    Ok((sheets, properties))
}

/// Custom document properties as (name, text).
pub(super) type Properties = Vec<(String, String)>;

/// The package's custom document properties (`docProps/custom.xml`, or where the package
/// relationships put them), under the same limits as every part: its inflated size, and its
/// text counted against `max_text_bytes`. Damaged properties are none (they hold no table); a
/// limit exceeded is refused like any other part.
pub(super) fn custom_properties(
    pkg: &mut Package,
    text: &mut u64,
) -> Result<Properties, ReadError> {
    let rels = match pkg.part("_rels/.rels")? {
        Some(xml) => relationships(&xml, "").unwrap_or_default(),
        None => Vec::new(),
    };
    let path = rels
        .into_iter()
        .find(|r| r.kind == "custom-properties")
        .map(|r| r.target)
        .unwrap_or_else(|| "docProps/custom.xml".into());
    let Some(xml) = pkg.part(&path)? else {
        return Ok(Vec::new());
    };
    match property_list(&xml, pkg.ctx, text) {
        Ok(p) => Ok(p),
        Err(Failure::Refused(e)) => Err(e),
        Err(Failure::Damaged(..)) => Ok(Vec::new()),
    }
}

/// When the package says it was last modified (`dcterms:modified` of `docProps/core.xml`, or
/// where the package relationships put it), as written; `None` when it does not say or the part
/// is damaged.
pub(super) fn modified(pkg: &mut Package) -> Result<Option<String>, ReadError> {
    let rels = match pkg.part("_rels/.rels")? {
        Some(xml) => relationships(&xml, "").unwrap_or_default(),
        None => Vec::new(),
    };
    let path = rels
        .into_iter()
        .find(|r| r.kind == "core-properties")
        .map(|r| r.target)
        .unwrap_or_else(|| "docProps/core.xml".into());
    let Some(xml) = pkg.part(&path)? else {
        return Ok(None);
    };
    let mut r = reader(&xml);
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "modified" => {
                let mut at = String::new();
                return Ok(text(&mut r, &mut at).ok().map(|_| at.trim().to_string()));
            }
            Ok(Event::Eof) | Err(_) => return Ok(None),
            _ => {}
        }
    }
}

/// `<property name="…"><vt:lpwstr>text</vt:lpwstr></property>`, any value type as its text.
fn property_list(xml: &[u8], ctx: &Ctx, text: &mut u64) -> Result<Properties, Failure> {
    let mut r = reader(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event()? {
            Event::Start(e) if e.local_name().as_ref() == "property" => {
                let name = match e.try_get_attribute("name")? {
                    Some(a) => a.normalized_value(XmlVersion::Implicit1_0)?.into_owned(),
                    None => String::new(),
                };
                let mut value = String::new();
                self::text(&mut r, &mut value)?;
                ctx.charge_text(None, text, name.len() + value.len())
                    .map_err(Failure::Refused)?;
                out.push((name, value));
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// Why a part could not be read: a limit or a cell error already phrased for the user, or
/// damage to the XML (put in context by the caller, who knows which part it was), with the XML
/// parser's error as the cause.
pub(super) enum Failure {
    Refused(ReadError),
    Damaged(String, Option<Cause>),
}

impl Failure {
    fn damaged(detail: impl Into<String>) -> Self {
        Failure::Damaged(detail.into(), None)
    }

    /// The error for the user: `context` says which part or sheet.
    pub(super) fn into_error(self, ctx: &Ctx, context: &str) -> ReadError {
        match self {
            Failure::Refused(e) => e,
            Failure::Damaged(detail, cause) => ctx.corrupt(format!("{context}：{detail}"), cause),
        }
    }
}

impl From<quick_xml::Error> for Failure {
    fn from(e: quick_xml::Error) -> Self {
        Failure::Damaged(format!("XML 结构错误（{e}）"), Some(e.into()))
    }
}

impl From<quick_xml::events::attributes::AttrError> for Failure {
    fn from(e: quick_xml::events::attributes::AttrError) -> Self {
        Failure::Damaged(format!("XML 属性错误（{e}）"), Some(e.into()))
    }
}

pub(super) fn unexpected_end() -> Failure {
    Failure::damaged("XML 在元素结束前中断")
}

// ---------------------------------------------------------------------------------------------
// The package

pub(super) struct Package<'z, 'a, 'c> {
    zip: &'z mut Zip<'a>,
    /// Entry names by their lower-case form with `/` separators.
    names: HashMap<String, String>,
    ctx: &'c Ctx<'c>,
}

impl<'z, 'a, 'c> Package<'z, 'a, 'c> {
    pub(super) fn new(zip: &'z mut Zip<'a>, ctx: &'c Ctx<'c>) -> Self {
        let names = zip
            .file_names()
            .filter_map(|n| n.ok())
            .map(|n| (n.replace('\\', "/").to_ascii_lowercase(), n.into_owned()))
            .collect();
        Package { zip, names, ctx }
    }

    /// The inflated bytes of a part, `None` when the package has no such part.
    pub(super) fn part(&mut self, path: &str) -> Result<Option<Vec<u8>>, ReadError> {
        let Some(name) = self.names.get(&path.to_ascii_lowercase()) else {
            return Ok(None);
        };
        let limit = self.ctx.limits.max_unpacked_bytes;
        let broken = |e: Cause| {
            self.ctx
                .corrupt(format!("压缩包中的部件 {path} 无法解压（{e}）"), Some(e))
        };
        let f = self.zip.by_name(name).map_err(|e| broken(e.into()))?;
        let mut out = Vec::with_capacity(f.size().min(limit) as usize);
        f.take(limit + 1)
            .read_to_end(&mut out)
            .map_err(|e| broken(e.into()))?;
        if out.len() as u64 > limit {
            return Err(self.ctx.too_large(
                None,
                "压缩包内单个部件解压后的大小（字节）",
                out.len() as u64,
                limit,
            ));
        }
        Ok(Some(out))
    }

    /// Where the workbook part is: the package's `officeDocument` relationship, else the usual
    /// `xl/workbook.xml`.
    fn workbook_path(&mut self) -> Result<String, ReadError> {
        let rels = match self.part("_rels/.rels")? {
            Some(xml) => relationships(&xml, "").map_err(|e| self.fault("_rels/.rels", e))?,
            None => Vec::new(),
        };
        Ok(rels
            .into_iter()
            .find(|r| r.kind == "officeDocument")
            .map(|r| r.target)
            .unwrap_or_else(|| "xl/workbook.xml".into()))
    }

    fn fault(&self, path: &str, e: Failure) -> ReadError {
        e.into_error(self.ctx, &format!("工作簿结构无法读取（{path}）"))
    }
}

/// An XML reader over a part. `<x/>` arrives as a start and an end, except in the sheet reader,
/// which takes empty elements as they are (most cells of a template are empty styled cells).
pub(super) fn reader(xml: &[u8]) -> Reader<&[u8]> {
    let mut r = Reader::from_reader(xml);
    let c = r.config_mut();
    c.check_end_names = false;
    c.check_comments = false;
    c.expand_empty_elements = true;
    c.trim_text(false);
    r
}

/// The attributes of a start tag as `(local name, raw value)`, for the few whose values hold no
/// entities (`r`, `t`, `si`, `ref`): a plain scan, cheaper than the general attribute parser on
/// the hundreds of cells of a sheet. Stops at the first malformed attribute.
fn plain_attrs<'a>(e: &'a BytesStart) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    let raw = e.attributes_raw();
    let b = raw.as_bytes();
    let mut i = 0;
    // Every index it slices at is an ASCII byte (space, `=`, a quote), so a char boundary.
    let skip_space = |i: &mut usize| {
        while b.get(*i).is_some_and(u8::is_ascii_whitespace) {
            *i += 1;
        }
    };
    std::iter::from_fn(move || {
        skip_space(&mut i);
        let start = i;
        while b
            .get(i)
            .is_some_and(|&c| c != b'=' && !c.is_ascii_whitespace())
        {
            i += 1;
        }
        let name = &raw[start..i];
        skip_space(&mut i);
        (b.get(i) == Some(&b'=')).then_some(())?;
        i += 1;
        skip_space(&mut i);
        let quote = *b.get(i).filter(|&&q| q == b'"' || q == b'\'')?;
        let value_start = i + 1;
        let len = b[value_start..].iter().position(|&c| c == quote)?;
        i = value_start + len + 1;
        let local = match name.bytes().rposition(|c| c == b':') {
            Some(p) => &name[p + 1..],
            None => name,
        };
        Some((local, &raw[value_start..value_start + len]))
    })
}

/// `xl/workbook.xml` → (`xl/`, `workbook.xml`).
fn split_dir(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => path.split_at(i + 1),
        None => ("", path),
    }
}

/// A relationship target as a part name: absolute (`/xl/…`) or relative to `dir`, with `.` and
/// `..` segments resolved.
fn resolve(dir: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(abs) => Cow::Borrowed(abs),
        None => Cow::Owned(format!("{dir}{target}")),
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

struct Relationship {
    id: String,
    /// The last segment of the type: `worksheet`, `sharedStrings`, `officeDocument` …
    kind: String,
    /// The part name the target resolves to.
    target: String,
}

fn relationships(xml: &[u8], dir: &str) -> Result<Vec<Relationship>, Failure> {
    let mut r = reader(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event()? {
            Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                let (mut id, mut kind, mut target) = (None, None, None);
                for a in e.attributes().with_checks(false) {
                    let a = a?;
                    let slot = match a.key.local_name().as_ref() {
                        "Id" => &mut id,
                        "Type" => &mut kind,
                        "Target" => &mut target,
                        _ => continue,
                    };
                    *slot = Some(a.normalized_value(XmlVersion::Implicit1_0)?.into_owned());
                }
                if let (Some(id), Some(kind), Some(target)) = (id, kind, target) {
                    out.push(Relationship {
                        id,
                        kind: kind.rsplit('/').next().unwrap_or_default().to_string(),
                        target: resolve(dir, &target),
                    });
                }
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

struct SheetEntry {
    name: String,
    visible: bool,
    rel_id: String,
}

/// The `<sheet>` elements of the workbook part, in tab order.
fn sheet_entries(xml: &[u8]) -> Result<Vec<SheetEntry>, Failure> {
    let mut r = reader(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event()? {
            Event::Start(e) if e.local_name().as_ref() == "sheet" => {
                let mut entry = SheetEntry {
                    name: String::new(),
                    visible: true,
                    rel_id: String::new(),
                };
                for a in e.attributes().with_checks(false) {
                    let a = a?;
                    match a.key.local_name().as_ref() {
                        "name" => {
                            entry.name = a.normalized_value(XmlVersion::Implicit1_0)?.into_owned()
                        }
                        "state" => entry.visible = !matches!(&*a.value, "hidden" | "veryHidden"),
                        // `r:id` (any prefix), not `sheetId`
                        "id" if a.key.prefix().is_some() => {
                            entry.rel_id = a.normalized_value(XmlVersion::Implicit1_0)?.into_owned()
                        }
                        _ => {}
                    }
                }
                out.push(entry);
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// The shared-string table, its declared and its actual size checked against `max_cells`, its
/// text added to `text` (checked against `max_text_bytes`).
fn shared_strings(xml: &[u8], ctx: &Ctx, text: &mut u64) -> Result<Vec<String>, Failure> {
    let max = ctx.limits.max_cells;
    let too_many = |what, n: u64| Failure::Refused(ctx.too_large(None, what, n, max));
    let mut r = reader(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event()? {
            Event::Start(e) => match e.local_name().as_ref() {
                "sst" => {
                    if let Some(a) = e.try_get_attribute("uniqueCount")? {
                        let n = a.value.trim().parse::<u64>().unwrap_or(0);
                        if n > max {
                            return Err(too_many("共享字符串表声明的字符串数", n));
                        }
                    }
                }
                "si" => {
                    let s = rich_text(&mut r)?;
                    ctx.charge_text(None, text, s.len())
                        .map_err(Failure::Refused)?;
                    out.push(s);
                    if out.len() as u64 > max {
                        return Err(too_many("共享字符串表中的字符串数", out.len() as u64));
                    }
                }
                _ => {}
            },
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// The text of the element just opened (`<si>` or `<is>`): its `<t>` runs, plain or rich,
/// without phonetic runs.
fn rich_text(r: &mut Reader<&[u8]>) -> Result<String, Failure> {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut run = String::new();
    loop {
        match r.read_event()? {
            Event::Start(e) => match e.local_name().as_ref() {
                "r" => depth += 1,
                "t" => {
                    let preserve = e
                        .try_get_attribute("xml:space")?
                        .is_some_and(|a| &*a.value == "preserve");
                    run.clear();
                    text(r, &mut run)?;
                    let run = if preserve {
                        &run
                    } else {
                        run.trim_matches([' ', '\t', '\r', '\n'])
                    };
                    out.push_str(&unescape_ooxml(run));
                }
                // rPh (phonetic runs), rPr (run properties), phoneticPr …
                _ => {
                    r.read_to_end(e.name())?;
                }
            },
            Event::End(_) if depth == 0 => return Ok(out),
            Event::End(_) => depth -= 1,
            Event::Eof => return Err(unexpected_end()),
            _ => {}
        }
    }
}

/// The character content of the element just opened, up to its end, appended to `out`.
fn text(r: &mut Reader<&[u8]>, out: &mut String) -> Result<(), Failure> {
    let mut depth = 0usize;
    loop {
        match r.read_event()? {
            Event::Text(t) => out.push_str(&t.xml10_content()),
            Event::CData(t) => out.push_str(&t.xml10_content()),
            Event::GeneralRef(g) => {
                if let Some(s) = quick_xml::escape::resolve_xml_entity(&g) {
                    out.push_str(s);
                } else if let Some(c) = g.resolve_char_ref()? {
                    out.push(c);
                } else {
                    return Err(Failure::damaged(format!("无法识别的实体 &{};", &*g)));
                }
            }
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => return Ok(()),
            Event::End(_) => depth -= 1,
            Event::Eof => return Err(unexpected_end()),
            _ => {}
        }
    }
}

/// Decode OOXML's `_xHHHH_` escapes (UTF-16 code units; `_x005F_` escapes an underscore).
fn unescape_ooxml(s: &str) -> Cow<'_, str> {
    fn unit(b: &[u8]) -> Option<u16> {
        if b.len() < 7 || &b[..2] != b"_x" || b[6] != b'_' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&b[2..6]).ok()?, 16).ok()
    }
    if !s.contains("_x") {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut units = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if let Some(u) = unit(&b[i..]) {
            units.push(u);
            i += 7;
            continue;
        }
        out.extend(char::decode_utf16(units.drain(..)).map(|c| c.unwrap_or('\u{FFFD}')));
        // copy the character at `i` (which may be several bytes long: `i` is a char boundary,
        // `i + 1` need not be) and up to the next possible escape (an ASCII `_`, so a boundary)
        let after = i + s[i..].chars().next().map_or(1, char::len_utf8);
        let next = s[after..].find('_').map_or(b.len(), |j| after + j);
        out.push_str(&s[i..next]);
        i = next;
    }
    out.extend(char::decode_utf16(units.drain(..)).map(|c| c.unwrap_or('\u{FFFD}')));
    Cow::Owned(out)
}

// ---------------------------------------------------------------------------------------------
// A worksheet

struct SheetReader<'s, 'c> {
    ctx: &'s Ctx<'c>,
    strings: &'s [String],
    sheet: &'s mut Sheet,
    /// Non-empty cells read so far in the whole workbook.
    cells: &'s mut u64,
    /// Bytes of text materialised so far in the whole workbook (shared strings included).
    text: &'s mut u64,
}

/// The type attribute of a cell.
#[derive(Clone, Copy, PartialEq)]
enum CellType {
    Number,
    Shared,
    Str,
    Inline,
    Bool,
    Error,
    Date,
}

impl SheetReader<'_, '_> {
    fn read(mut self, xml: &[u8]) -> Result<(), Failure> {
        let mut r = reader(xml);
        let mut in_data = false;
        let (mut row, mut col) = (0u32, 0u32);
        // Shared-formula anchors by index (the index is only a key: nothing is sized by it).
        let mut shared: HashMap<u64, (String, (u32, u32))> = HashMap::new();
        let mut cell = CellText::default();
        // `<col hidden>` ranges, 0-based inclusive, made into the set once at the end: each
        // element may span all columns, and a part may hold a million of them.
        let mut hidden_cols: Vec<(u32, u32)> = Vec::new();
        r.config_mut().expand_empty_elements = false;
        loop {
            let (e, empty) = match r.read_event()? {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(e) => {
                    match e.local_name().as_ref() {
                        "sheetData" => in_data = false,
                        "row" if in_data => (row, col) = (row.saturating_add(1), 0),
                        _ => {}
                    }
                    continue;
                }
                Event::Eof => {
                    self.hide_cols(hidden_cols);
                    return Ok(());
                }
                _ => continue,
            };
            match e.local_name().as_ref() {
                "sheetData" => in_data = !empty,
                "row" if in_data => {
                    col = 0;
                    let mut hidden = false;
                    for (k, v) in plain_attrs(&e) {
                        match k {
                            "r" => row = position(v, true).ok_or_else(|| bad_ref("行号", v))?.0,
                            "hidden" => hidden = is_true(v),
                            _ => {}
                        }
                    }
                    // A hidden row beyond the limit can hold no cell that is read.
                    if hidden && row < self.ctx.limits.max_rows {
                        self.sheet.hidden_rows.insert(row);
                    }
                    if empty {
                        row = row.saturating_add(1);
                    }
                }
                "c" if in_data => {
                    let pos = if empty {
                        cell_start(&e, (row, col))?.0
                    } else {
                        self.cell(&mut r, &e, (row, col), &mut cell, &mut shared)?
                    };
                    col = pos.1.saturating_add(1);
                }
                // `<cols><col min="2" max="3" hidden="1"/></cols>`, 1-based and inclusive
                "col" if !in_data => {
                    let (mut min, mut max, mut hidden) = (None, None, false);
                    for (k, v) in plain_attrs(&e) {
                        match k {
                            "min" => min = v.trim().parse::<u32>().ok(),
                            "max" => max = v.trim().parse::<u32>().ok(),
                            "hidden" => hidden = is_true(v),
                            _ => {}
                        }
                    }
                    if let (true, Some(min)) = (hidden, min.filter(|&m| m >= 1)) {
                        let max = max.unwrap_or(min);
                        if max >= min {
                            hidden_cols.push((min - 1, max - 1));
                        }
                    }
                }
                "mergeCell" => {
                    if let Some((_, v)) = plain_attrs(&e).find(|(k, _)| *k == "ref") {
                        let rect = range(v).ok_or_else(|| bad_ref("合并区域", v))?;
                        self.sheet.merges.push(rect);
                    }
                }
                _ => {}
            }
        }
    }

    /// One `<c>` element, from its start to its end; returns its position.
    fn cell(
        &mut self,
        r: &mut Reader<&[u8]>,
        c: &BytesStart,
        next: (u32, u32),
        t: &mut CellText,
        shared: &mut HashMap<u64, (String, (u32, u32))>,
    ) -> Result<(u32, u32), Failure> {
        let (pos, typ) = cell_start(c, next)?;
        t.clear();
        loop {
            let (e, empty) = match r.read_event()? {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(_) => break,
                Event::Eof => return Err(unexpected_end()),
                _ => continue,
            };
            match e.local_name().as_ref() {
                "v" if !empty => text(r, &mut t.value)?,
                "is" => t.inline = Some(if empty { String::new() } else { rich_text(r)? }),
                "f" => {
                    let (mut is_shared, mut si) = (false, None);
                    for (k, v) in plain_attrs(&e) {
                        match k {
                            "t" => is_shared = v == "shared",
                            "si" => si = v.trim().parse::<u64>().ok(),
                            _ => {}
                        }
                    }
                    let f = t.formula.insert(String::new());
                    if !empty {
                        text(r, f)?;
                    }
                    if let (true, Some(si)) = (is_shared, si) {
                        if f.is_empty() {
                            // a cell of a shared formula: expanded below, only when the cell
                            // has no cached value (the formula text is then its value)
                            t.shared_formula = Some(si);
                        } else {
                            shared.insert(si, (f.clone(), pos));
                        }
                    }
                }
                _ if !empty => {
                    r.read_to_end(e.name())?;
                }
                _ => {}
            }
        }
        let value = match self.value(typ, t, pos)? {
            Some(v) => v,
            None => match t.formula.take() {
                Some(mut f) => {
                    if let Some((anchor, at)) = t.shared_formula.and_then(|si| shared.get(&si)) {
                        // the anchor's formula, moved here: charged before it is made
                        self.charge(anchor.len())?;
                        f = calamine::expand_shared_formula(anchor, *at, pos)
                            .unwrap_or_else(|_| anchor.clone());
                    }
                    CellValue::FormulaNotCalculated(f)
                }
                None => return Ok(pos),
            },
        };
        if let CellValue::Text(s) | CellValue::Error(s) | CellValue::FormulaNotCalculated(s) =
            &value
        {
            // (an expanded formula is charged twice, as made and as kept: its expansion may
            // be longer than the anchor)
            self.charge(s.len())?;
        }
        let (row, col) = pos;
        let name = &self.sheet.name;
        self.ctx
            .check_pos(name, row, col)
            .map_err(Failure::Refused)?;
        *self.cells += 1;
        let max = self.ctx.limits.max_cells;
        if *self.cells > max {
            return Err(Failure::Refused(self.ctx.too_large(
                Some(name),
                "有内容的单元格总数",
                *self.cells,
                max,
            )));
        }
        self.sheet.set(row, col, value);
        Ok(pos)
    }

    /// Record hidden column ranges, within the column limit and Excel's 16 384 columns: each
    /// column is inserted once, however many and however wide the ranges.
    fn hide_cols(&mut self, mut ranges: Vec<(u32, u32)>) {
        let end = self.ctx.limits.max_cols.min(16_384); // exclusive
        ranges.sort_unstable();
        let mut next = 0u32; // first column not yet inserted
        for (first, last) in ranges {
            let from = first.max(next);
            let to = last.saturating_add(1).min(end);
            if from < to {
                self.sheet.hidden_cols.extend(from..to);
                next = to;
            }
        }
    }

    /// Add `bytes` of text materialised to the workbook's total.
    fn charge(&mut self, bytes: usize) -> Result<(), Failure> {
        self.ctx
            .charge_text(Some(&self.sheet.name), self.text, bytes)
            .map_err(Failure::Refused)
    }

    /// The cell's cached value; `None` when it has none (or an empty string).
    fn value(
        &self,
        typ: CellType,
        t: &mut CellText,
        pos: (u32, u32),
    ) -> Result<Option<CellValue>, Failure> {
        // `t.value` stays in place (its buffer serves the next cell): only text is copied out.
        let v = t.value.as_str();
        let text = |s: &str| (!s.is_empty()).then(|| CellValue::Text(s.to_string()));
        Ok(match typ {
            CellType::Inline => t
                .inline
                .take()
                .filter(|s| !s.is_empty())
                .map(CellValue::Text),
            _ if v.is_empty() => None,
            CellType::Shared => {
                let s = v
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| self.strings.get(i))
                    .ok_or_else(|| {
                        Failure::Refused(self.ctx.corrupt(
                            format!(
                                "工作表“{}”单元格 {} 引用的共享字符串（第 {} 个）不存在",
                                self.sheet.name,
                                crate::model::cellref::a1(pos.0, pos.1),
                                v.trim()
                            ),
                            None,
                        ))
                    })?;
                text(s)
            }
            CellType::Str => text(&unescape_ooxml(v)),
            CellType::Date => text(v),
            CellType::Bool => Some(CellValue::Bool(matches!(v.trim(), "1" | "true"))),
            CellType::Error => Some(CellValue::Error(v.to_string())),
            CellType::Number => Some(match v.trim().parse::<f64>() {
                Ok(n) => CellValue::Number(n),
                Err(_) => CellValue::Text(v.to_string()),
            }),
        })
    }
}

/// A cell's position (its `r`, or `next`) and type, from its start tag.
fn cell_start(c: &BytesStart, next: (u32, u32)) -> Result<((u32, u32), CellType), Failure> {
    let (mut pos, mut typ) = (next, CellType::Number);
    for (k, v) in plain_attrs(c) {
        match k {
            "r" => pos = position(v, false).ok_or_else(|| bad_ref("单元格", v))?,
            "t" => {
                typ = match v {
                    "s" => CellType::Shared,
                    "str" => CellType::Str,
                    "inlineStr" | "is" => CellType::Inline,
                    "b" => CellType::Bool,
                    "e" => CellType::Error,
                    "d" => CellType::Date,
                    _ => CellType::Number,
                }
            }
            _ => {}
        }
    }
    Ok((pos, typ))
}

/// The parts of one `<c>`, with buffers reused from cell to cell.
#[derive(Default)]
struct CellText {
    value: String,
    inline: Option<String>,
    formula: Option<String>,
    /// The index of the shared formula this cell takes from its anchor.
    shared_formula: Option<u64>,
}

impl CellText {
    fn clear(&mut self) {
        self.value.clear();
        self.inline = None;
        self.formula = None;
        self.shared_formula = None;
    }
}

/// An `xsd:boolean` attribute value.
fn is_true(v: &str) -> bool {
    matches!(v.trim(), "1" | "true")
}

fn bad_ref(what: &str, v: &str) -> Failure {
    Failure::damaged(format!("{what}引用“{v}”无法识别"))
}

/// `B12` → (11, 1); with `row_only`, `12` → (11, 0). 0-based; `None` when malformed or beyond
/// `u32`.
fn position(s: &str, row_only: bool) -> Option<(u32, u32)> {
    let b = s.as_bytes();
    let letters = if row_only {
        0
    } else {
        b.iter().take_while(|c| c.is_ascii_alphabetic()).count()
    };
    if (!row_only && letters == 0) || letters == b.len() {
        return None;
    }
    let mut col = 0u32;
    for c in &b[..letters] {
        col = col
            .checked_mul(26)?
            .checked_add(u32::from(c.to_ascii_uppercase() - b'A') + 1)?;
    }
    let mut row = 0u32;
    for c in &b[letters..] {
        if !c.is_ascii_digit() {
            return None;
        }
        row = row.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
    }
    Some((row.checked_sub(1)?, col.saturating_sub(1)))
}

/// `A1:C2` (or a single cell) as a rectangle.
fn range(s: &str) -> Option<Rect> {
    let (a, z) = s.split_once(':').unwrap_or((s, s));
    let ((r0, c0), (r1, c1)) = (position(a, false)?, position(z, false)?);
    Some(Rect {
        first_row: r0.min(r1),
        first_col: c0.min(c1),
        last_row: r0.max(r1),
        last_col: c0.max(c1),
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use calamine::Reader;

    use super::*;
    use crate::read::open::{read_grid_bytes, Limits};

    /// Custom document properties are read, as text whatever their type.
    #[test]
    fn custom_properties_are_read() {
        let props = rust_xlsxwriter::DocProperties::new()
            .set_custom_property("nianbao", "summary")
            .set_custom_property("count", 3)
            .set_custom_property("名单", "2\n甲局 & 乙\n丙");
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.set_properties(&props);
        wb.add_worksheet().write(0, 0, "x").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let grid = read_grid_bytes(&bytes, "t.xlsx", &Limits::default()).unwrap();
        assert_eq!(
            grid.properties,
            vec![
                ("nianbao".to_string(), "summary".to_string()),
                ("count".to_string(), "3".to_string()),
                ("名单".to_string(), "2\n甲局 & 乙\n丙".to_string()),
            ]
        );
        // counted against the text limit like every other text
        let limits = Limits {
            max_text_bytes: 10,
            ..Limits::default()
        };
        let e = read_grid_bytes(&bytes, "t.xlsx", &limits).unwrap_err();
        assert_eq!(e.kind(), "too_large", "{e}");
    }

    fn read_bytes(bytes: &[u8]) -> Result<Vec<Sheet>, ReadError> {
        read_grid_bytes(bytes, "t.xlsx", &Limits::default()).map(|g| g.sheets)
    }

    /// A package from `(part name, content)` pairs, stored as written.
    fn package(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in parts {
            zip.start_file(*name, opts).unwrap();
            zip.write_all(data.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    const NS: &str = r#"xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /// The quirks of the format as other writers produce them, in one workbook: a workbook part
    /// at an unusual path found through `_rels/.rels`, prefixed element names, an absolute and a
    /// `..` relationship target, a hidden sheet, a chart sheet, rich text with a phonetic run,
    /// entities and `_xHHHH_` escapes, inline strings, cells and rows without `r`, every cell
    /// type, shared formulas and a formula without a cached value, merged cells.
    #[test]
    fn reads_what_other_writers_write() {
        let workbook = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><x:workbook {NS}><x:sheets><x:sheet name="表&amp;一" sheetId="1" r:id="rId1"/><x:sheet name="图" sheetId="2" r:id="rId2"/><x:sheet name="旧" sheetId="3" state="hidden" r:id="rId3"/></x:sheets></x:workbook>"#
        );
        let rels = format!(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="/book/sheets/a.xml"/><Relationship Id="rId2" Type="{REL}/chartsheet" Target="charts/c.xml"/><Relationship Id="rId3" Type="{REL}/worksheet" Target="../book/sheets/b.xml"/><Relationship Id="rId4" Type="{REL}/sharedStrings" Target="strings.xml"/></Relationships>"#
        );
        let strings = format!(
            r#"<x:sst {NS} count="3" uniqueCount="3"><x:si><x:t>统计表</x:t></x:si><x:si><x:r><x:rPr><x:b/></x:rPr><x:t xml:space="preserve">一、 </x:t></x:r><x:r><x:t>本年新收</x:t></x:r><x:rPh sb="0" eb="1"><x:t>ホン</x:t></x:rPh></x:si><x:si><x:t>  A &lt;&amp;&gt; &#x4E00;_x000D_B_x005F_x0041_  </x:t></x:si></x:sst>"#
        );
        let sheet_a = format!(
            r#"<x:worksheet {NS}><x:sheetData><x:row r="2"><x:c r="B2" t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c><x:c t="s"><x:v>2</x:v></x:c></x:row><x:row><x:c><x:v>12</x:v></x:c><x:c t="inlineStr"><x:is><x:t>行内</x:t></x:is></x:c><x:c t="b"><x:v>1</x:v></x:c><x:c t="e"><x:v>#DIV/0!</x:v></x:c><x:c t="str"><x:f>"a"&amp;"b"</x:f><x:v>ab</x:v></x:c><x:c t="d"><x:v>2024-01-31</x:v></x:c><x:c><x:v>3,5</x:v></x:c><x:c s="3"/></x:row><x:row r="5"><x:c r="A5"><x:f t="shared" ref="A5:C5" si="0">A4+1</x:f><x:v>13</x:v></x:c><x:c r="B5"><x:f t="shared" si="0"/></x:c><x:c r="C5"><x:f>SUM(A4:B4)</x:f></x:c></x:row></x:sheetData><x:mergeCells count="1"><x:mergeCell ref="B2:D2"/></x:mergeCells></x:worksheet>"#
        );
        let sheet_b = format!(
            r#"<x:worksheet {NS}><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1.5E+2</x:v></x:c></x:row></x:sheetData></x:worksheet>"#
        );
        let root = format!(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="book/main.xml"/></Relationships>"#
        );
        let bytes = package(&[
            ("[Content_Types].xml", "<Types/>"),
            ("_rels/.rels", &root),
            ("book/main.xml", &workbook),
            ("book/_rels/main.xml.rels", &rels),
            ("book/strings.xml", &strings),
            ("book/sheets/a.xml", &sheet_a),
            ("BOOK/SHEETS/B.XML", &sheet_b),
        ]);
        let sheets = read_bytes(&bytes).unwrap();
        assert_eq!(sheets.len(), 2, "the chart sheet is not a worksheet");
        let (a, b) = (&sheets[0], &sheets[1]);
        assert_eq!((a.name.as_str(), a.visible), ("表&一", true));
        assert_eq!((b.name.as_str(), b.visible), ("旧", false));
        let text = |s: &str| CellValue::Text(s.into());
        let expect = [
            ((1, 1), text("统计表")),
            ((1, 2), text("一、 本年新收")),
            ((1, 3), text("A <&> 一\rB_x0041_")),
            ((2, 0), CellValue::Number(12.0)),
            ((2, 1), text("行内")),
            ((2, 2), CellValue::Bool(true)),
            ((2, 3), CellValue::Error("#DIV/0!".into())),
            ((2, 4), text("ab")),
            ((2, 5), text("2024-01-31")),
            ((2, 6), text("3,5")),
            ((4, 0), CellValue::Number(13.0)),
            ((4, 1), CellValue::FormulaNotCalculated("B4+1".into())),
            ((4, 2), CellValue::FormulaNotCalculated("SUM(A4:B4)".into())),
        ];
        assert_eq!(a.cells.len(), expect.len(), "{:?}", a.cells);
        for ((row, col), v) in expect {
            assert_eq!(
                a.get(row, col),
                Some(&v),
                "{}",
                crate::model::cellref::a1(row, col)
            );
        }
        assert_eq!(a.merges, vec![range("B2:D2").unwrap()]);
        assert_eq!(b.get(0, 0), Some(&CellValue::Number(150.0)));
    }

    #[test]
    fn damage_is_named() {
        let wb = |sheets: &str| {
            format!(r#"<workbook {NS}><sheets>{sheets}</sheets></workbook>"#).replace("x:", "")
        };
        let rels = format!(
            r#"<Relationships xmlns="x"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
        );
        let msg = |parts: &[(&str, &str)]| {
            let e = read_bytes(&package(parts)).expect_err("damaged");
            assert_eq!(e.kind(), "corrupt", "{e}");
            e.to_string()
        };
        let one = wb(r#"<sheet name="表一" sheetId="1" r:id="rId1"/>"#);
        let m = msg(&[
            ("xl/workbook.xml", &one),
            ("xl/_rels/workbook.xml.rels", &rels),
            (
                "xl/worksheets/sheet1.xml",
                r#"<worksheet><sheetData><row r="1"><c r="C3" t="s"><v>7</v></c></row></sheetData></worksheet>"#,
            ),
        ]);
        assert!(
            m.contains("表一") && m.contains("C3") && m.contains("7"),
            "{m}"
        );
        let m = msg(&[
            ("xl/workbook.xml", &one),
            ("xl/_rels/workbook.xml.rels", &rels),
            (
                "xl/worksheets/sheet1.xml",
                r#"<worksheet><sheetData><row r="1"><c r="C3"><v>1</v>"#,
            ),
        ]);
        assert!(m.contains("表一"), "{m}");
        let m = msg(&[
            ("xl/workbook.xml", &one),
            ("xl/_rels/workbook.xml.rels", &rels),
            (
                "xl/worksheets/sheet1.xml",
                r#"<worksheet><sheetData><row r="1"><c r="3C"><v>1</v></c></row></sheetData></worksheet>"#,
            ),
        ]);
        assert!(m.contains("3C"), "{m}");
        let m = msg(&[
            (
                "xl/workbook.xml",
                &wb(r#"<sheet name="表二" sheetId="1" r:id="rId9"/>"#),
            ),
            ("xl/_rels/workbook.xml.rels", &rels),
        ]);
        assert!(m.contains("表二"), "{m}");
    }

    #[test]
    fn shared_strings_are_counted_against_the_limit() {
        let limits = Limits {
            max_cells: 2,
            ..Limits::default()
        };
        let si = "<si><t>a</t></si>".repeat(3);
        let bytes = package(&[
            (
                "xl/workbook.xml",
                &format!(
                    r#"<workbook {NS}><sheets><sheet name="a" r:id="rId1"/></sheets></workbook>"#
                ),
            ),
            ("xl/sharedStrings.xml", &format!("<sst>{si}</sst>")),
        ]);
        let e = read_grid_bytes(&bytes, "t.xlsx", &limits).expect_err("too many strings");
        assert_eq!(e.kind(), "too_large", "{e}");
    }

    /// What Excel writes for a carriage return after Chinese text: the escape follows a
    /// multi-byte character, and text before it starts at a non-ASCII character.
    #[test]
    fn escapes_after_chinese_text() {
        assert_eq!(unescape_ooxml("填报单位：某局_x000D_"), "填报单位：某局\r");
        assert_eq!(unescape_ooxml("某_x000D_局_x005F_x"), "某\r局_x");
        assert_eq!(unescape_ooxml("_x000D_填报_"), "\r填报_");
        let bytes = package(&[
            (
                "xl/workbook.xml",
                &format!(
                    r#"<workbook {NS}><sheets><sheet name="表" r:id="rId1"/></sheets></workbook>"#
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                &format!(
                    r#"<Relationships xmlns="x"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
                ),
            ),
            (
                "xl/sharedStrings.xml",
                "<sst><si><t>填报单位：某局_x000D_</t></si></sst>",
            ),
            (
                "xl/worksheets/sheet1.xml",
                r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#,
            ),
        ]);
        let sheets = read_bytes(&bytes).unwrap();
        assert_eq!(
            sheets[0].get(0, 0),
            Some(&CellValue::Text("填报单位：某局\r".into()))
        );
    }

    /// Issue 13: sheets whose relationships all point at one part (each inflated and parsed
    /// again: 1 s per sheet for a 60 MB part). Refused, naming both sheets and the part.
    #[test]
    fn sheets_sharing_one_part_are_refused() {
        let n = 1_000;
        let sheets: String = (0..n)
            .map(|i| format!(r#"<sheet name="表{i}" sheetId="{i}" r:id="rId{i}"/>"#))
            .collect();
        let rels: String = (0..n)
            .map(|i| {
                format!(
                    r#"<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/{}.xml"/>"#,
                    if i == 0 { "sheet1" } else { "SHEET1" }
                )
            })
            .collect();
        let bytes = package(&[
            (
                "xl/workbook.xml",
                &format!(r#"<workbook {NS}><sheets>{sheets}</sheets></workbook>"#),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                &format!(r#"<Relationships xmlns="x">{rels}</Relationships>"#),
            ),
            (
                "xl/worksheets/sheet1.xml",
                r#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>"#,
            ),
        ]);
        let e = read_bytes(&bytes).unwrap_err();
        assert_eq!(e.kind(), "corrupt", "{e}");
        let m = e.to_string();
        assert!(
            m.contains("表1") && m.contains("表0") && m.contains("SHEET1"),
            "{m}"
        );
    }

    /// One sheet `t` of `rows` × `cols` cells made by `cell(a1)`, with the shared strings
    /// `sst`.
    fn grid_package(sst: &str, rows: u32, cols: u32, cell: impl Fn(&str) -> String) -> Vec<u8> {
        let mut data = String::new();
        for r in 0..rows {
            data.push_str(&format!(r#"<row r="{}">"#, r + 1));
            for c in 0..cols {
                data.push_str(&cell(&crate::model::cellref::a1(r, c)));
            }
            data.push_str("</row>");
        }
        package(&[
            (
                "xl/workbook.xml",
                &format!(
                    r#"<workbook {NS}><sheets><sheet name="大" r:id="rId1"/></sheets></workbook>"#
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                &format!(
                    r#"<Relationships xmlns="x"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
                ),
            ),
            ("xl/sharedStrings.xml", &format!("<sst>{sst}</sst>")),
            (
                "xl/worksheets/sheet1.xml",
                &format!("<worksheet><sheetData>{data}</sheetData></worksheet>"),
            ),
        ])
    }

    /// The error of a read that must fail (without printing a huge grid when it does not).
    fn refused(r: Result<crate::read::Grid, ReadError>) -> ReadError {
        match r {
            Ok(_) => panic!("read, not refused"),
            Err(e) => e,
        }
    }

    fn text_limit(bytes: u64) -> Limits {
        Limits {
            max_text_bytes: bytes,
            ..Limits::default()
        }
    }

    /// Each cell referring to a shared string gets its own copy: the copies are counted.
    #[test]
    fn shared_string_copies_count_against_the_text_limit() {
        // 100 KB referenced by 200 cells: 20 MB of copies.
        let sst = format!("<si><t>{}</t></si>", "字".repeat(100_000 / 3));
        let bytes = grid_package(&sst, 20, 10, |a1| {
            format!(r#"<c r="{a1}" t="s"><v>0</v></c>"#)
        });
        let g = read_grid_bytes(&bytes, "t.xlsx", &Limits::default()).unwrap();
        assert_eq!(g.sheets[0].cells.len(), 200);
        match refused(read_grid_bytes(&bytes, "t.xlsx", &text_limit(5_000_000))) {
            ReadError::TooLarge {
                sheet,
                actual,
                limit,
                ..
            } => {
                assert_eq!(sheet.as_deref(), Some("大"));
                assert!(actual > limit && actual < limit + 200_000, "{actual}");
            }
            other => panic!("{other:?}"),
        }
        // The table itself counts.
        let e = refused(read_grid_bytes(&bytes, "t.xlsx", &text_limit(50_000)));
        assert_eq!(e.kind(), "too_large", "{e}");
    }

    /// A shared formula without cached values is expanded into every cell of its range, each a
    /// copy of its text.
    #[test]
    fn shared_formula_expansions_count_against_the_text_limit() {
        let long = vec!["A1"; 20_000].join("+"); // 60 KB
        let bytes = grid_package("", 20, 10, |a1| {
            if a1 == "A1" {
                format!(r#"<c r="A1"><f t="shared" ref="A1:J20" si="0">{long}</f></c>"#)
            } else {
                format!(r#"<c r="{a1}"><f t="shared" si="0"/></c>"#)
            }
        });
        let g = read_grid_bytes(&bytes, "t.xlsx", &Limits::default()).unwrap();
        assert_eq!(g.sheets[0].cells.len(), 200);
        assert!(
            matches!(g.sheets[0].get(1, 1), Some(CellValue::FormulaNotCalculated(f)) if f.starts_with("B2+"))
        );
        let e = refused(read_grid_bytes(&bytes, "t.xlsx", &text_limit(2_000_000)));
        assert_eq!(e.kind(), "too_large", "{e}");
        // With cached values the formula text is not needed, and not expanded.
        let bytes = grid_package("", 20, 10, |a1| {
            if a1 == "A1" {
                format!(r#"<c r="A1"><f t="shared" ref="A1:J20" si="0">{long}</f><v>1</v></c>"#)
            } else {
                format!(r#"<c r="{a1}"><f t="shared" si="0"/><v>1</v></c>"#)
            }
        });
        let g = read_grid_bytes(&bytes, "t.xlsx", &text_limit(2_000_000)).unwrap();
        assert_eq!(g.sheets[0].get(1, 1), Some(&CellValue::Number(1.0)));
    }

    /// The issue's files: a 900 KB shared string in 40 000 cells (36 GB of copies), a 500 KB
    /// shared formula expanded into 40 000 cells (20 GB). Refused after about 64 MiB.
    #[test]
    fn issue_sized_text_blowups_are_refused() {
        let sst = format!("<si><t>{}</t></si>", "字".repeat(300_000));
        let bytes = grid_package(&sst, 400, 100, |a1| {
            format!(r#"<c r="{a1}" t="s"><v>0</v></c>"#)
        });
        let e = refused(read_grid_bytes(&bytes, "t.xlsx", &Limits::default()));
        assert_eq!(e.kind(), "too_large", "{e}");
        let long = vec!["A1"; 170_000].join("+");
        let bytes = grid_package("", 400, 100, |a1| {
            if a1 == "A1" {
                format!(r#"<c r="A1"><f t="shared" ref="A1:CV400" si="0">{long}</f></c>"#)
            } else {
                format!(r#"<c r="{a1}"><f t="shared" si="0"/></c>"#)
            }
        });
        let e = refused(read_grid_bytes(&bytes, "t.xlsx", &Limits::default()));
        assert_eq!(e.kind(), "too_large", "{e}");
    }

    /// Hidden columns from overlapping, reversed, zero and huge ranges; a hundred thousand
    /// whole-sheet ranges cost one pass over the columns.
    #[test]
    fn hidden_column_ranges() {
        let cols = |xml: &str| {
            let limits = Limits::default();
            let ctx = Ctx {
                path: "t",
                limits: &limits,
            };
            let mut sheet = Sheet::new("s");
            let (mut cells, mut text) = (0, 0);
            SheetReader {
                ctx: &ctx,
                strings: &[],
                sheet: &mut sheet,
                cells: &mut cells,
                text: &mut text,
            }
            .read(xml.as_bytes())
            .map_err(|_| "damaged")
            .unwrap();
            sheet.hidden_cols.into_iter().collect::<Vec<u32>>()
        };
        let got = cols(
            r#"<worksheet><cols><col min="3" max="4" hidden="1"/><col min="2" max="3" hidden="true"/><col min="9" hidden="1"/><col min="7" max="6" hidden="1"/><col min="0" max="1" hidden="1"/><col min="5" max="5"/></cols></worksheet>"#,
        );
        assert_eq!(got, vec![1, 2, 3, 8]);
        let many = r#"<col min="1" max="16384" hidden="1"/>"#.repeat(100_000);
        let got = cols(&format!("<worksheet><cols>{many}</cols></worksheet>"));
        assert_eq!(got, (0..500).collect::<Vec<u32>>());
    }

    #[test]
    fn cell_references() {
        assert_eq!(position("A1", false), Some((0, 0)));
        assert_eq!(position("ab12", false), Some((11, 27)));
        assert_eq!(position("XFD1048576", false), Some((1_048_575, 16_383)));
        assert_eq!(position("7", true), Some((6, 0)));
        for bad in ["", "A", "1", "A0", "A1B", "ZZZZZZZZZZ1", "A99999999999"] {
            assert_eq!(position(bad, false), None, "{bad}");
        }
        assert_eq!(position("0", true), None);
        assert_eq!(
            range("C4:A1"),
            Some(Rect {
                first_row: 0,
                first_col: 0,
                last_row: 3,
                last_col: 2
            })
        );
    }

    /// Every xlsx among the samples reads to exactly what calamine reads (values, formulas
    /// without results, merged regions, visibility), through the same conversion as xls and ods.
    #[test]
    fn same_cells_as_calamine() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample_workbooks");
        let bad = root.join("bad");
        let mut compared = 0;
        for entry in walkdir::WalkDir::new(&root) {
            let path = entry.unwrap().into_path();
            // The bad samples are tested in tests/bad_inputs.rs (some would crash calamine).
            if path.extension().is_none_or(|e| e != "xlsx") || path.parent() == Some(&bad) {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let ours = read_bytes(&bytes).unwrap();
            let limits = Limits::default();
            let ctx = Ctx {
                path: "t",
                limits: &limits,
            };
            let mut wb = calamine::Xlsx::new(Cursor::new(&bytes)).unwrap();
            let metas = wb.sheets_metadata().to_vec();
            let theirs: Vec<Sheet> = metas
                .iter()
                .map(|m| {
                    let values = wb.worksheet_range(&m.name).unwrap();
                    let formulas = wb.worksheet_formula(&m.name).unwrap();
                    let merges = wb.merge_cells_by_sheet_name(&m.name).unwrap();
                    crate::read::dense::sheet_from_ranges(
                        &m.name,
                        m.visible,
                        &values,
                        Some(&formulas),
                        merges,
                        &ctx,
                    )
                    .unwrap()
                })
                .collect();
            assert_eq!(ours, theirs, "{}", path.display());
            compared += 1;
        }
        assert!(compared >= 30, "only {compared} sample workbooks compared");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Damaged XML (bytes replaced, dropped or inserted, with the characters that matter
        /// to XML and to cell references) gives cells or an error, never a panic.
        #[test]
        fn damaged_xml_never_panics(
            edits in proptest::collection::vec(
                (0usize..2000, 0u8..3, proptest::sample::select(b"<>/=\"&;#_x0123456789ABCZrtsvfc :".to_vec())),
                1..12,
            )
        ) {
            let strings = r#"<sst uniqueCount="2"><si><r><t xml:space="preserve">a &amp; _x000D_</t></r><rPh><t>x</t></rPh></si><si><t>b</t></si></sst>"#;
            let sheet = r#"<worksheet><sheetData><row r="2"><c r="B2" t="s"><v>1</v></c><c t="inlineStr"><is><t>i</t></is></c><c t="b"><v>1</v></c></row><row><c r="A3"><f t="shared" ref="A3:B3" si="0">A2+1</f><v>1</v></c><c r="B3"><f t="shared" si="0"/></c><c t="str"><f>"&amp;"</f></c></row></sheetData><mergeCells><mergeCell ref="A1:C1"/></mergeCells></worksheet>"#;
            for xml in [strings, sheet] {
                let mut b = xml.as_bytes().to_vec();
                for (at, op, c) in &edits {
                    let at = at % (b.len() + 1);
                    match op {
                        0 if at < b.len() => b[at] = *c,
                        1 if at < b.len() => { b.remove(at); }
                        _ => b.insert(at, *c),
                    }
                }
                let limits = Limits::default();
                let ctx = Ctx { path: "t", limits: &limits };
                let mut text = 0;
                let strings = shared_strings(&b, &ctx, &mut text).unwrap_or_default();
                let mut sheet = Sheet::new("s");
                let mut cells = 0;
                let _ = SheetReader { ctx: &ctx, strings: &strings, sheet: &mut sheet, cells: &mut cells, text: &mut text }.read(&b);
            }
        }
    }
}

/// The xlsx path through [`read_grid_bytes`](crate::read::read_grid_bytes): what reaches the grid.
#[cfg(test)]
mod grid_tests {
    use std::io::{Cursor, Read};

    use rust_xlsxwriter::{Format, Formula, Workbook};

    use crate::error::ReadError;
    use crate::read::{read_grid_bytes, CellValue, Grid, Limits, Rect};

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
}

//! Published reports as text (`.txt`, `.md`): a report copied from its web page, or extracted
//! from its PDF. Two table forms are read (FORMATS.md, "samples"):
//!
//! - **the scraped form**: every table cell on a line of its own ending in ` |`; a line of `|`
//!   only closes a row (how many `|` it has says nothing reliable and is ignored);
//! - **the Markdown form**: `| a | b |` rows, the `|---|` rule skipped;
//! - **the concatenated form**, only when the two above find no table: the tables run into a
//!   prose line with the cells' numbers run together, read without guessing ([`concat`]).
//!
//! Every other line is prose: one [`Paragraph`] per non-empty line, placed by its line number
//! ([`Place::Line`]); a Markdown heading's `#` marks are dropped. A blank or prose line ends a
//! table.
//!
//! **Layout.** Text keeps a table's cells and rows but loses its geometry (merged cells), so the
//! reader lays every table out on one sheet, [`SHEET`], for the locate step: one grid row per
//! table row, in document order, every row right-aligned (its numbers end in the same columns,
//! its labels stand left of them). The header rows of tables 三 and 四, whose merged cells a
//! right alignment cannot restore, are placed by their labels: each column label over the
//! column it names, in the official order (`自然人` … `总计`; `结果维持` … `总计` three times),
//! group labels (`申请人情况`, `法人或其他组织`, `行政诉讼`, `未经复议直接起诉`, `复议后起诉`)
//! over their first column. Two losses of PDF extraction are mended the same way, and only
//! these: a table 三 whose column header is missing or generic (`数据1`…) gets the official
//! header above its first row that has a 三 row label and seven numbers (the seven columns are
//! in the official order: that is the format); the three groups of table 四 given as three
//! tables under the headings `行政复议`, `…未经复议直接起诉…`, `…复议后起诉…` are put side by side.
//!
//! **Positions.** A cell's position for messages is where it is in the file: the sheet
//! [`SHEET`], the row is the line number, the column letter is the cell's place in its line
//! (`A` the first). In the scraped form each cell has a line of its own, so it is always `A`:
//! `'正文'!A57` is line 57. Kept in [`Sheet::places`].
//!
//! Guards: the file size (checked before), every placed cell against the row, column and cell
//! limits, and the text kept (cells and prose) against the text limit.

use std::collections::BTreeMap;

mod concat;

use super::grid::{CellValue, Sheet};
use super::normalize::core;
use super::open::{Content, Ctx};
use super::value::{parse_text, Parsed};
use crate::error::ReadError;
use crate::model::spec::{TableKey, APPLICANT_HEADER, LITIGATION_HEADER, ORG_HEADER};
use crate::model::{FormatVersion, Paragraph, Place};

/// The name of the one sheet a text file's tables are laid out on.
pub const SHEET: &str = "正文";

/// The column right of the last one a laid-out row uses (rows are right-aligned to it): room
/// for table 四's fifteen numbers and six label cells left of any row.
const RIGHT: u32 = 24;

/// One table cell of the text, with where it is: 1-based line, 0-based index in its line.
#[derive(Debug, Clone)]
struct Cell {
    text: String,
    line: u32,
    idx: u32,
    /// Why the cell is not read although it holds numbers (the concatenated form's run that
    /// does not split unambiguously): its I4 finding says this ([`Sheet::unread`]).
    unread: Option<String>,
}

type Row = Vec<Cell>;

/// The text in document order: paragraphs and tables.
enum Item {
    Para(Paragraph),
    Table(Vec<Row>),
}

/// What one line is.
enum Line<'a> {
    Blank,
    Prose(&'a str),
    /// A scraped cell (`text |`).
    PipeCell(&'a str),
    /// A line of `|` only: the end of a scraped row.
    PipeClose,
    /// A Markdown table row, its cells.
    MdRow(Vec<&'a str>),
    /// A Markdown table rule (`|---|:--:|`).
    MdRule,
}

fn classify(line: &str) -> Line<'_> {
    let t = line.trim();
    if t.is_empty() {
        return Line::Blank;
    }
    if t.chars().all(|c| c == '|') {
        return Line::PipeClose;
    }
    if t.len() > 1 && t.starts_with('|') && t.ends_with('|') {
        let cells: Vec<&str> = t[1..t.len() - 1].split('|').map(str::trim).collect();
        let rule = cells.iter().all(|c| {
            c.chars().filter(|&x| x == '-').count() >= 2
                && c.chars().all(|x| matches!(x, '-' | ':'))
        });
        return if rule {
            Line::MdRule
        } else {
            Line::MdRow(cells)
        };
    }
    if let Some(cell) = t.strip_suffix('|') {
        return Line::PipeCell(cell.trim());
    }
    Line::Prose(t)
}

/// Split the text into paragraphs and tables. `Err(n)` when more than `max` cells and paragraphs
/// would be kept (checked as they are made, before any layout: a file of short lines is
/// millions of them).
fn items(text: &str, max: u64) -> Result<Vec<Item>, u64> {
    let mut out = Vec::new();
    let mut kept: u64 = 0;
    let mut table: Vec<Row> = Vec::new();
    let mut row: Row = Vec::new();
    fn close(table: &mut Vec<Row>, row: &mut Row) {
        if !row.is_empty() {
            table.push(std::mem::take(row));
        }
    }
    fn flush(out: &mut Vec<Item>, table: &mut Vec<Row>, row: &mut Row) {
        close(table, row);
        if !table.is_empty() {
            out.push(Item::Table(std::mem::take(table)));
        }
    }
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = classify(line);
        kept += match &line {
            Line::PipeCell(_) | Line::Prose(_) => 1,
            Line::MdRow(cells) => cells.len() as u64,
            _ => 0,
        };
        if kept > max {
            return Err(kept);
        }
        match line {
            Line::PipeCell(c) => row.push(Cell {
                text: c.to_string(),
                line: n,
                idx: 0,
                unread: None,
            }),
            Line::PipeClose => close(&mut table, &mut row),
            Line::MdRow(cells) => {
                close(&mut table, &mut row);
                table.push(
                    cells
                        .into_iter()
                        .enumerate()
                        .filter(|(_, c)| !c.is_empty())
                        .map(|(k, c)| Cell {
                            text: c.to_string(),
                            line: n,
                            idx: k as u32,
                            unread: None,
                        })
                        .collect(),
                );
            }
            Line::MdRule => {}
            Line::Blank => flush(&mut out, &mut table, &mut row),
            Line::Prose(p) => {
                flush(&mut out, &mut table, &mut row);
                let p = p.trim_start_matches('#').trim();
                let text = p.split_whitespace().collect::<Vec<_>>().join(" ");
                if !text.is_empty() {
                    out.push(Item::Para(Paragraph {
                        text,
                        place: Place::Line(n),
                    }));
                }
            }
        }
    }
    flush(&mut out, &mut table, &mut row);
    Ok(out)
}

/// A number (or a zero mark) with nothing after it: a value cell, not a label.
fn is_value(s: &str) -> bool {
    matches!(parse_text(s), Parsed::Number { note: None, .. })
}

/// How many cells at the end of a row are values.
fn trailing_values(row: &Row) -> usize {
    row.iter().rev().take_while(|c| is_value(&c.text)).count()
}

/// The official column labels of table 三 (7) or 四 (15), by their cores (aliases too), and the
/// group labels with the column they stand over.
struct Header {
    leaves: Vec<Vec<String>>,
    groups: Vec<(String, usize)>,
}

fn header_of(table: TableKey) -> Header {
    let spec = FormatVersion::V2021.spec().table(table);
    let cores = |c: &crate::model::ColSpec| -> Vec<String> {
        std::iter::once(c.label)
            .chain(c.aliases.iter().copied())
            .map(core)
            .collect()
    };
    match table {
        TableKey::Requests => Header {
            leaves: spec.rows[0].columns.iter().map(cores).collect(),
            groups: vec![
                (core(APPLICANT_HEADER), 0),
                (core(ORG_HEADER), 1),
                (core("法人或者其他组织"), 1),
            ],
        },
        _ => {
            let cols = spec.rows[0].columns;
            Header {
                leaves: spec
                    .rows
                    .iter()
                    .flat_map(|_| cols.iter().map(cores))
                    .collect(),
                groups: spec
                    .rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (core(r.label), i * cols.len()))
                    .chain([(core(LITIGATION_HEADER), cols.len())])
                    .collect(),
            }
        }
    }
}

/// A laid-out row: (column, cell) pairs.
type Placed = Vec<(u32, Cell)>;

fn right_aligned(row: &Row) -> Placed {
    let n = row.len() as u32;
    row.iter()
        .enumerate()
        .map(|(i, c)| (RIGHT.saturating_sub(n) + i as u32, c.clone()))
        .collect()
}

/// Lay out one table: its leading header rows by label when it is table 三 or 四 (a row of
/// 7 or 15 numbers below a header naming their columns), every other row right-aligned.
fn lay_out(table: &[Row]) -> Vec<Placed> {
    let first_data = table.iter().position(|r| trailing_values(r) > 0);
    let headers = &table[..first_data.unwrap_or(table.len())];
    let has = |label: &str| {
        let k = core(label);
        headers.iter().flatten().any(|c| core(&c.text) == k)
    };
    let widest = table.iter().map(trailing_values).max().unwrap_or(0);
    let kind = if has("自然人") && widest == 7 {
        Some(TableKey::Requests)
    } else if has("结果维持") && widest == 15 {
        Some(TableKey::Appeals)
    } else {
        None
    };
    let mut out = Vec::new();
    let Some(kind) = kind else {
        return table.iter().map(right_aligned).collect();
    };
    let h = header_of(kind);
    let first_col = RIGHT - h.leaves.len() as u32;
    let mut used = vec![false; h.leaves.len()];
    for row in headers {
        let mut placed: Placed = Vec::new();
        let mut rest: Vec<Cell> = Vec::new();
        for c in row {
            let k = core(&c.text);
            let leaf = (0..h.leaves.len()).find(|&j| !used[j] && h.leaves[j].contains(&k));
            let slot = match leaf {
                Some(j) => {
                    used[j] = true;
                    Some(j)
                }
                None => h.groups.iter().find(|g| g.0 == k).map(|g| g.1),
            };
            match slot.map(|j| first_col + j as u32) {
                Some(col) if !placed.iter().any(|p| p.0 == col) => placed.push((col, c.clone())),
                _ => rest.push(c.clone()),
            }
        }
        // Cells naming no column (the note of 三): left of the columns, in order.
        let n = rest.len() as u32;
        for (i, c) in rest.into_iter().enumerate() {
            placed.push((first_col.saturating_sub(n) + i as u32, c));
        }
        out.push(placed);
    }
    out.extend(table[headers.len()..].iter().map(right_aligned));
    out
}

/// Table 四 given as three tables, one per group, each under a heading naming it: one table
/// with the official header, the groups side by side; nothing changes when the text is not so.
fn join_appeal_groups(items: &mut [Item]) {
    let h = header_of(TableKey::Appeals);
    let five = &h.leaves[..5];
    // A group table: the five result labels, then one row of five numbers.
    let is_group = |t: &[Row]| {
        t.len() == 2
            && t[0].len() == 5
            && t[0]
                .iter()
                .zip(five)
                .all(|(c, cores)| cores.contains(&core(&c.text)))
            && t[1].len() == 5
            && trailing_values(&t[1]) == 5
    };
    let groups = [
        core("行政复议"),
        core("未经复议直接起诉"),
        core("复议后起诉"),
    ];
    // (index of the heading paragraph, index of the table) for each group, in order.
    let mut found: Vec<(usize, usize)> = Vec::new();
    // The last paragraph seen: the heading of the table after it.
    let mut heading: Option<usize> = None;
    for (i, it) in items.iter().enumerate() {
        let Item::Table(t) = it else {
            heading = Some(i);
            continue;
        };
        if !is_group(t) {
            continue;
        }
        let Some(hi) = heading else { continue };
        let Item::Para(p) = &items[hi] else { continue };
        let k = core(&p.text);
        let g = found.len();
        let name_ok = g < 3
            && k.contains(groups[g].as_str())
            && (g != 0 || !k.contains(groups[1].as_str()) && !k.contains(groups[2].as_str()))
            && (g != 1 || !k.contains(groups[2].as_str()) || k.contains(groups[1].as_str()));
        if name_ok {
            found.push((hi, i));
        } else {
            found.clear();
        }
        if found.len() == 3 {
            break;
        }
    }
    if found.len() != 3 {
        return;
    }
    let heading_cell = |hi: usize, text: &str| {
        let Item::Para(p) = &items[hi] else {
            unreachable!("a paragraph")
        };
        let Place::Line(line) = p.place else {
            unreachable!("text has lines")
        };
        Cell {
            text: text.to_string(),
            line,
            idx: 0,
            unread: None,
        }
    };
    let table = |i: usize| -> &Vec<Row> {
        let Item::Table(t) = &items[i] else {
            unreachable!("a table")
        };
        t
    };
    let (g0, g1, g2) = (found[0], found[1], found[2]);
    let mut top = vec![heading_cell(g0.0, "行政复议")];
    top.push(heading_cell(g1.0, LITIGATION_HEADER));
    let mut mid = table(g0.1)[0].clone();
    mid.push(heading_cell(g1.0, "未经复议直接起诉"));
    mid.push(heading_cell(g2.0, "复议后起诉"));
    let mut low = table(g1.1)[0].clone();
    low.extend(table(g2.1)[0].iter().cloned());
    let mut data = table(g0.1)[1].clone();
    data.extend(table(g1.1)[1].iter().cloned());
    data.extend(table(g2.1)[1].iter().cloned());
    items[g0.1] = Item::Table(vec![top, mid, low, data]);
    for i in [g2.1, g1.1] {
        items[i] = Item::Table(Vec::new());
    }
}

/// A table 三 without its column header: the official header above its first row that has a
/// 三 row label and seven numbers.
fn add_requests_header(rows: &mut Vec<Placed>) {
    let h = header_of(TableKey::Requests);
    let np = &h.leaves[0];
    if rows
        .iter()
        .flatten()
        .any(|(_, c)| np.contains(&core(&c.text)))
    {
        return;
    }
    let row_cores: Vec<String> = FormatVersion::ALL
        .iter()
        .flat_map(|v| v.spec().table(TableKey::Requests).rows)
        .flat_map(|r| std::iter::once(r.label).chain(r.aliases.iter().copied()))
        .map(core)
        .collect();
    let first = rows.iter().position(|r| {
        let values = r
            .iter()
            .rev()
            .take_while(|(_, c)| is_value(&c.text))
            .count();
        let label: String = r[..r.len() - values]
            .iter()
            .map(|(_, c)| c.text.as_str())
            .collect();
        let l = core(&label);
        values == 7 && !l.is_empty() && row_cores.iter().any(|c| l.ends_with(c.as_str()))
    });
    let Some(i) = first else { return };
    let at = rows[i][0].1.clone();
    let spec = FormatVersion::V2021.spec().table(TableKey::Requests);
    let header: Placed = spec.rows[0]
        .columns
        .iter()
        .enumerate()
        .map(|(j, c)| {
            (
                RIGHT - 7 + j as u32,
                Cell {
                    text: c.label.to_string(),
                    unread: None,
                    ..at.clone()
                },
            )
        })
        .collect();
    rows.insert(i, header);
}

/// Read a text file whose bytes are text: its tables laid out on one sheet, its prose as
/// paragraphs. A text without any table is not a report in a form nianbao reads.
pub(super) fn read(bytes: &[u8], ctx: &Ctx, looked_like: String) -> Result<Content, ReadError> {
    let text = super::html::decode(bytes);
    let max = ctx.limits.max_cells;
    let mut items = items(&text, max)
        .map_err(|n| ctx.too_large(Some(SHEET), "表格单元格和正文段落数量", n, max))?;
    join_appeal_groups(&mut items);
    let mut rows: Vec<Placed> = Vec::new();
    let mut prose = Vec::new();
    for it in items {
        match it {
            Item::Para(p) => prose.push(p),
            Item::Table(t) => rows.extend(lay_out(&t)),
        }
    }
    if rows.iter().all(Vec::is_empty) {
        // Only when the ordinary forms find no table: the cells run together in the prose.
        let lines;
        (rows, lines) = concat::rows(&prose);
        prose = prose
            .into_iter()
            .flat_map(|p| match p.place {
                Place::Line(n) if lines.contains(&n) => concat::split_at_headings(p),
                _ => vec![p],
            })
            .collect();
    }
    if rows.iter().all(Vec::is_empty) {
        return Err(ctx.unknown(format!(
            "{looked_like}，其中没有可识别的表格（可读的文本表格：每格一行、以“ |”结尾，或 Markdown 表格；\
             或各格数字首尾相连、行标签齐全的表格）"
        )));
    }
    add_requests_header(&mut rows);
    let mut sheet = Sheet::new(SHEET);
    let mut places = BTreeMap::new();
    let (mut cells, mut text_bytes) = (0u64, 0u64);
    for (r, row) in rows.into_iter().filter(|r| !r.is_empty()).enumerate() {
        let r = u32::try_from(r).unwrap_or(u32::MAX);
        for (col, c) in row {
            ctx.check_pos(SHEET, r, col)?;
            cells += 1;
            if cells > ctx.limits.max_cells {
                return Err(ctx.too_large(Some(SHEET), "单元格数量", cells, ctx.limits.max_cells));
            }
            ctx.charge_text(Some(SHEET), &mut text_bytes, c.text.len())?;
            places.insert((r, col), (c.line.saturating_sub(1), c.idx));
            if let Some(why) = c.unread {
                sheet.unread.insert((r, col), why);
            }
            sheet.set(r, col, CellValue::Text(c.text));
        }
    }
    for p in &prose {
        ctx.charge_text(None, &mut text_bytes, p.text.len())?;
    }
    sheet.places = places;
    Ok(Content {
        sheets: vec![sheet],
        prose,
        properties: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::open::{read_grid_bytes, Limits};
    use crate::read::Grid;

    fn grid(text: &str) -> Grid {
        read_grid_bytes(text.as_bytes(), "t.txt", &Limits::default()).unwrap()
    }

    #[test]
    fn scraped_rows_close_on_pipe_lines_and_prose_keeps_its_lines() {
        let g = grid("标题\n信息内容 |\n本年新 |\n|\n规章 |\n0 |\n||\n二、结语\n");
        let s = &g.sheets[0];
        assert_eq!(s.name, SHEET);
        assert_eq!(s.text(0, RIGHT - 2).as_deref(), Some("信息内容"));
        assert_eq!(s.text(1, RIGHT - 1).as_deref(), Some("0"));
        // `0` is on line 6: row 5 (0-based), first cell of its line
        assert_eq!(s.places.get(&(1, RIGHT - 1)), Some(&(5, 0)));
        let texts: Vec<(&str, Place)> =
            g.prose.iter().map(|p| (p.text.as_str(), p.place)).collect();
        assert_eq!(
            texts,
            [("标题", Place::Line(1)), ("二、结语", Place::Line(8))]
        );
    }

    #[test]
    fn markdown_rows_rules_and_headings() {
        let g = grid("## 一、总体情况\n\n| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 3 |\n");
        let s = &g.sheets[0];
        assert_eq!(s.text(1, RIGHT - 1).as_deref(), Some("3"));
        assert_eq!(s.places.get(&(1, RIGHT - 1)), Some(&(4, 1)));
        assert_eq!(g.prose[0].text, "一、总体情况");
    }

    #[test]
    fn a_text_without_tables_is_not_read() {
        let e =
            read_grid_bytes("只有文字。\n".as_bytes(), "t.txt", &Limits::default()).unwrap_err();
        assert_eq!(e.kind(), "unknown_format");
        assert!(e.to_string().contains("Markdown"), "{e}");
    }

    /// A file of short lines is refused while it is split, before millions of cells or
    /// paragraphs are kept.
    #[test]
    fn many_short_lines_are_refused_as_they_are_read() {
        let few = Limits {
            max_cells: 1000,
            ..Limits::default()
        };
        for text in [
            "a\n".repeat(5000),
            "a |\n".repeat(5000),
            "| a | b |\n".repeat(5000),
        ] {
            let e = read_grid_bytes(text.as_bytes(), "t.txt", &few).unwrap_err();
            assert_eq!(e.kind(), "too_large", "{e}");
            assert!(e.to_string().contains("段落"), "{e}");
        }
    }

    #[test]
    fn limits_hold_for_text() {
        let text = "a |\n".repeat(50);
        let few = Limits {
            max_cells: 10,
            ..Limits::default()
        };
        let e = read_grid_bytes(text.as_bytes(), "t.txt", &few).unwrap_err();
        assert_eq!(e.kind(), "too_large");
        let rows = "| a | 1 |\n".repeat(30);
        let short = Limits {
            max_rows: 20,
            ..Limits::default()
        };
        let e = read_grid_bytes(rows.as_bytes(), "t.md", &short).unwrap_err();
        assert_eq!(e.kind(), "too_large");
    }
}

//! The list sheets beside the template: `校验结果`, `数据来源`, `更正记录`.
//! Each is a header row (frozen, filtered) and one row per item; column widths from the
//! display width of the contents (2 per CJK character); links go to the template cell.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{FormatAlign, FormatBorder, Url, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use super::{base_format, dec, diag_fields, source_index, status_label, SheetMap, HEADER_FILL};
use crate::diag::Diagnostic;
use crate::fix::{row_label, Correction, Fixed};
use crate::model::Report;

/// A cell of a list sheet.
enum Cell {
    Text(String),
    Number(Decimal),
    /// An internal link: target, shown text.
    Link(String, String),
    Empty,
}

impl Cell {
    fn width(&self) -> usize {
        match self {
            Cell::Text(t) | Cell::Link(_, t) => {
                t.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
            }
            Cell::Number(d) => dec(*d).len(),
            Cell::Empty => 0,
        }
    }
}

/// The height of a line of the list sheets' 11-point text, in points.
const LINE_PT: f64 = 14.5;

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt_text(s: Option<impl Into<String>>) -> Cell {
    s.map(|s| Cell::Text(s.into())).unwrap_or(Cell::Empty)
}

/// Write a list: header, rows, widths (capped at `max_width` units; longer text wraps).
fn write_list(
    ws: &mut Worksheet,
    header: &[&str],
    rows: &[Vec<Cell>],
    max_width: usize,
) -> Result<(), XlsxError> {
    let base = base_format().set_border(FormatBorder::Thin);
    let head = base
        .clone()
        .set_bold()
        .set_background_color(HEADER_FILL)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let body = base.clone().set_text_wrap();
    let link = base
        .clone()
        .set_font_color(rust_xlsxwriter::Color::Blue)
        .set_underline(rust_xlsxwriter::FormatUnderline::Single);
    let mut widths: Vec<usize> = header.iter().map(|h| UnicodeWidthStr::width(*h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let widths: Vec<f64> = widths
        .iter()
        .map(|w| (*w).clamp(4, max_width) as f64 + 2.0)
        .collect();
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(t) => {
                    ws.write_string_with_format(r, col, crate::write::cell_text(t), &body)?;
                }
                Cell::Number(d) => {
                    ws.write_number_with_format(r, col, d.to_f64().unwrap_or(0.0), &body)?;
                }
                Cell::Link(target, shown) => {
                    let url = Url::new(target.as_str()).set_text(shown.as_str());
                    ws.write_url_with_format(r, col, url, &link)?;
                }
                Cell::Empty => {
                    ws.write_blank(r, col, &body)?;
                }
            }
        }
        let texts: Vec<&str> = row
            .iter()
            .map(|c| match c {
                Cell::Text(t) | Cell::Link(_, t) => t.as_str(),
                Cell::Number(_) | Cell::Empty => "",
            })
            .collect();
        let lines = crate::write::wrapped_lines(&texts, &widths);
        if lines > 1.0 {
            ws.set_row_height(r, lines * LINE_PT + 3.0)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    let last_row = rows.len() as u32;
    ws.autofilter(0, 0, last_row, header.len() as u16 - 1)?;
    super::list_page_setup(ws, 1)
}

fn link_to(map: &SheetMap, index: usize) -> Cell {
    Cell::Link(map.link(index), map.cell(index).qualified())
}

/// `校验结果`: every finding, in the given order, with a link to the template cell of the
/// number it is about (when its cell is the source of a number).
pub(super) fn add_findings_sheet(
    wb: &mut Workbook,
    name: &str,
    report: &Report,
    diags: &[Diagnostic],
    map: &SheetMap,
) -> Result<(), XlsxError> {
    let by_source = source_index(report);
    let header = [
        "序号",
        "规则",
        "级别",
        "问题",
        "处理建议",
        "原表位置",
        "涉及单元格",
        "统计表单元格",
        "左边",
        "右边",
    ];
    let rows: Vec<Vec<Cell>> = diags
        .iter()
        .enumerate()
        .map(|(n, d)| {
            let fields = diag_fields(d, &by_source);
            vec![
                Cell::Number(Decimal::from(n + 1)),
                text(d.rule.code()),
                text(d.label()),
                text(d.message.clone()),
                opt_text(d.help.clone()),
                text(d.location()),
                text(d.cells_a1()),
                fields
                    .first()
                    .map(|&i| link_to(map, i))
                    .unwrap_or(Cell::Empty),
                d.left.map(Cell::Number).unwrap_or(Cell::Empty),
                d.right.map(Cell::Number).unwrap_or(Cell::Empty),
            ]
        })
        .collect();
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    if rows.is_empty() {
        write_list(ws, &header, &[], 60)?;
        let f = base_format();
        ws.write_string_with_format(1, 0, "未发现问题。", &f)?;
        return Ok(());
    }
    write_list(ws, &header, &rows, 60)?;
    // error rows stand out
    let red = base_format()
        .set_border(FormatBorder::Thin)
        .set_font_color(rust_xlsxwriter::Color::RGB(super::ERROR_FONT));
    for (n, d) in diags.iter().enumerate() {
        if d.is_error() {
            ws.write_string_with_format(n as u32 + 1, 2, d.label(), &red)?;
        }
    }
    Ok(())
}

/// `数据来源`: agency and year, then every number with its key, labels, value, status, unit,
/// original text, source file/sheet/cell and a link to its template cell.
pub(super) fn add_sources_sheet(
    wb: &mut Workbook,
    name: &str,
    report: &Report,
    map: &SheetMap,
) -> Result<(), XlsxError> {
    let header = [
        "表",
        "行",
        "列",
        "键",
        "数值",
        "状态",
        "单位",
        "原表内容",
        "来源文件",
        "来源工作表",
        "来源单元格",
        "统计表单元格",
    ];
    let m = &report.meta;
    let file = || text(m.source.clone());
    let meta_row =
        |what: &str, value: Cell, src: Option<&crate::model::CellRef>, at: (u32, u16)| {
            vec![
                text("表头"),
                text(what),
                Cell::Empty,
                text(if what == "填报单位" {
                    "agency"
                } else {
                    "year"
                }),
                value,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                file(),
                opt_text(src.map(|c| c.sheet.clone())),
                opt_text(src.map(|c| c.a1())),
                Cell::Link(
                    format!(
                        "internal:{}",
                        super::sheet_ref(&map.sheet, at.0, at.1.into())
                    ),
                    super::sheet_ref(&map.sheet, at.0, at.1.into()),
                ),
            ]
        };
    let mut rows = vec![
        meta_row(
            "填报单位",
            opt_text(m.agency.clone()),
            m.agency_cell.as_ref(),
            map.layout.agency_cell,
        ),
        meta_row(
            "统计年度",
            m.year
                .map(|y| Cell::Number(Decimal::from(y)))
                .unwrap_or(Cell::Empty),
            m.year_cell.as_ref(),
            map.layout.year_cell,
        ),
    ];
    for (i, (f, v)) in report.iter().enumerate() {
        rows.push(vec![
            text(f.table.short()),
            text(row_label(&f)),
            text(f.col.label),
            text(format!("{}.{}.{}", f.table.key(), f.row.key, f.col.key)),
            Cell::Number(v.value),
            text(status_label(v.origin())),
            opt_text(v.unit.map(|u| u.label())),
            opt_text(v.raw.clone()),
            if v.source.is_some() {
                file()
            } else {
                Cell::Empty
            },
            opt_text(v.source.as_ref().map(|c| c.sheet.clone())),
            opt_text(v.source.as_ref().map(|c| c.a1())),
            link_to(map, i),
        ]);
    }
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    write_list(ws, &header, &rows, 40)
}

/// `更正记录`: every `--fix` correction with old and new value, then every total left as read
/// because two rules disagree ([`crate::fix::Conflict`]), with the rule that would fail.
pub(super) fn add_corrections_sheet(
    wb: &mut Workbook,
    name: &str,
    fixed: &Fixed,
    map: &SheetMap,
) -> Result<(), XlsxError> {
    let header = [
        "表",
        "行",
        "列",
        "键",
        "原表单元格",
        "原值",
        "新值",
        "依据",
        "处理",
        "说明",
        "统计表单元格",
    ];
    let row = |c: &Correction, new: Cell, done: &str, why: String| {
        vec![
            text(c.table.short()),
            text(c.row_label.clone()),
            text(c.col_label),
            text(format!("{}.{}.{}", c.table.key(), c.row, c.col)),
            opt_text(c.source.as_ref().map(|s| s.qualified())),
            text(c.old_display()),
            new,
            text(c.rule.code()),
            text(done),
            text(why),
            link_to(map, c.index),
        ]
    };
    let corrected = fixed
        .corrections
        .iter()
        .map(|c| row(c, Cell::Number(c.new), "已更正", c.rule.title().to_string()));
    let held = fixed.conflicts.iter().map(|k| {
        let c = &k.correction;
        let why = format!(
            "分项之和为 {}，但改为 {} 会使 {}不成立；两条规则对哪个数有误意见不一，请核对后手工更正",
            dec(c.new),
            dec(c.new),
            k.against_text()
        );
        row(c, Cell::Empty, "未更正（规则冲突）", why)
    });
    let rows: Vec<Vec<Cell>> = corrected.chain(held).collect();
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    write_list(ws, &header, &rows, 60)
}

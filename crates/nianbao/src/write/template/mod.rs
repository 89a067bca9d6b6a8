//! The filled official template workbook (`nianbao template`, `nianbao convert … -o out.xlsx`).
//!
//! A layout (the official tables as data, built from the format spec) is rendered into a
//! rust_xlsxwriter worksheet by [`add_report_sheet`]; [`write_report`] adds the sheets
//! `校验结果`, `数据来源` and `更正记录` and writes the file atomically.
//!
//! # Decisions
//!
//! - **Show as read, formulas where they are true.** Every derivable total (table 三 总计 column
//!   and （七）总计 row, table 四 总计: the sums of the one list of equations R2–R4 check and
//!   `--fix` recomputes, [`crate::fix::derivations`]) is written as a live
//!   `SUM` formula with its result stored, *when the number as read equals the sum of its parts
//!   as read* (and all parts are numbers). When it does not, the number as read is written as a
//!   constant (unlocked, so the user can correct it or type the formula), with a note saying
//!   what the parts add up to. A formula there would be wrong either way: Excel recalculates on
//!   load (`fullCalcOnLoad`), so a formula cached with the agency's number would show the sum in
//!   Excel and the agency's number in other viewers. With `--fix` ([`crate::fix::fix`]) the
//!   totals are recomputed first, so every total becomes a formula, except a total `fix` held
//!   back because two rules disagree ([`crate::fix::Conflict`]): it keeps the agency's number,
//!   with a note naming the rule that would fail.
//! - **Values as read.** A number is written as a number (its original text, if it was not a
//!   plain number, goes into a note); a blank cell stays blank (so it reads back as blank, R6);
//!   a cell that was not a number is written as its original text; a value that was not found
//!   or was an uncalculated formula is left empty with a note. Money whose unit differs from the
//!   unit its header states (or whose header states none) is written as text with its unit
//!   (`251000元`), so the unit survives a read-back.
//! - **Blank template: empty inputs, formula totals.** [`write_template`] leaves every input
//!   cell empty (an untouched cell reads back as "not filled", never as a reported 0) and writes
//!   every total as a formula with result 0.
//! - **Protection**: the template sheet is protected without a password; input cells (and
//!   totals written as constants) are unlocked; column widths and row heights may be changed.
//! - **Page**: A4 portrait, fit to one page wide, title rows repeated, table 三 starts a page.

mod layout;
mod sheets;

use crate::write::cell_text;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Note, ProtectionOptions, Workbook,
    Worksheet, XlsxError,
};
use unicode_width::UnicodeWidthStr;

use crate::batch::ReadSet;
use crate::diag::Diagnostic;
use crate::fix::{Conflict, Correction, Fixed};
use crate::model::cellref::{a1, quote_sheet};
use crate::model::equations::derivation_of;
use crate::model::{
    CellRef, FormatVersion, Mark, MarkKind, Meta, Origin, Report, Status, Value, ValueKind,
};
use crate::write::atomic::{write_atomic, WriteError};

pub(crate) use layout::{Content, Layout, Style, NCOLS};

/// Name of the template sheet in a single-report workbook.
pub const SHEET_NAME: &str = "统计表";
/// The findings sheet.
pub const FINDINGS_SHEET: &str = "校验结果";
/// The provenance sheet.
pub const SOURCES_SHEET: &str = "数据来源";
/// The `--fix` log sheet.
pub const CORRECTIONS_SHEET: &str = "更正记录";
/// The font of every cell.
pub(crate) const FONT: &str = "宋体";
/// GB2312 character set, so Excel picks the font's Chinese glyphs.
const FONT_CHARSET: u8 = 134;

/// Where the fields of a report landed on a template sheet.
#[derive(Debug, Clone)]
pub struct SheetMap {
    /// The sheet's name.
    pub sheet: String,
    pub(crate) layout: Layout,
}

impl SheetMap {
    /// The template cell of field `index` (index into [`crate::model::VersionSpec::fields`]).
    pub fn cell(&self, index: usize) -> CellRef {
        let (r, c) = self.layout.positions[index];
        CellRef::new(self.sheet.clone(), r, u32::from(c))
    }

    /// An internal hyperlink target to field `index`: `internal:'统计表'!I12`.
    pub fn link(&self, index: usize) -> String {
        format!("internal:{}", self.cell(index).qualified())
    }
}

/// What the template sheet marks besides the numbers.
#[derive(Debug, Clone, Copy, Default)]
pub struct SheetOptions<'a> {
    /// Findings: cells they point at (via the values' source cells) are highlighted when the
    /// finding is an error, and every finding on a cell is put in the cell's note.
    pub diags: &'a [Diagnostic],
    /// `--fix` corrections: the corrected cells are marked and noted with the old value.
    pub corrections: &'a [Correction],
    /// `--fix` conflicts: the totals left as read get a note saying why.
    pub conflicts: &'a [Conflict],
    /// Leave the sheet unprotected (e.g. for a roll-up the user will edit freely).
    pub unprotected: bool,
}

/// A workbook with the CJK default format and fixed document properties (same bytes for the
/// same content). Every workbook that gets a template sheet should start here.
pub fn new_workbook(title: &str) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    // 宋体 11 in Chinese Excel: rows 18 px, columns 72 px.
    wb.set_default_format(&base_format(), 18, 72)?;
    wb.set_properties(&properties(title, None));
    Ok(wb)
}

/// The document properties: the title, nianbao as author, a fixed creation date (so that the
/// same input gives the same bytes), and nianbao's [`Mark`] saying what the workbook is (as
/// custom properties, read back by `crate::read`).
pub(crate) fn properties(title: &str, mark: Option<&Mark>) -> DocProperties {
    let created =
        ExcelDateTime::parse_from_str(crate::read::WRITTEN_AT).expect("a valid date and time");
    let mut p = DocProperties::new()
        .set_title(cell_text(title))
        .set_author("nianbao")
        .set_creation_datetime(&created);
    for (name, value) in mark.map(Mark::properties).unwrap_or_default() {
        p = p.set_custom_property(name, value);
    }
    p
}

fn base_format() -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_size(11)
        .set_font_charset(FONT_CHARSET)
        .set_align(FormatAlign::VerticalCenter)
}

/// Excel's paper size code of A4.
pub(crate) const A4: u8 = 9;

/// The footer of every printed page: the page number and the sheet's page count.
pub(crate) const PAGE_FOOTER: &str = "&C第 &P 页，共 &N 页";

/// Page setup of a list sheet (header rows on top, one row per item, text wrapped in its
/// columns): A4 landscape, one page wide and as many long as it takes, the header rows
/// (`0..header_rows`) repeated on every page, page numbers in the footer. The template's list
/// sheets and the roll-up's `校验问题` and `报送情况` print alike.
pub(crate) fn list_page_setup(ws: &mut Worksheet, header_rows: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3)
        .set_footer(PAGE_FOOTER);
    ws.set_repeat_rows(0, header_rows.max(1) - 1)?;
    Ok(())
}

/// The title: `{单位}{年度}年政府信息公开工作年度报告统计表`, parts left out when unknown.
pub fn title(agency: Option<&str>, year: Option<u16>) -> String {
    format!(
        "{}{}政府信息公开工作年度报告统计表",
        agency.unwrap_or(""),
        year.map(|y| format!("{y}年")).unwrap_or_default()
    )
}

/// How one field is written.
#[derive(Debug, Clone, PartialEq)]
enum Out {
    Number(Decimal),
    Text(String),
    Empty,
    Formula { text: String, result: Decimal },
}

impl Out {
    fn display_width(&self) -> usize {
        match self {
            Out::Number(d) | Out::Formula { result: d, .. } => d.normalize().to_string().len(),
            Out::Text(t) => UnicodeWidthStr::width(t.as_str()),
            Out::Empty => 0,
        }
    }
}

struct FieldCell {
    out: Out,
    /// A total (formula position), whether or not it is written as a formula.
    derived: bool,
    note: Vec<String>,
    error: bool,
    corrected: bool,
}

fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

/// The `SUM` over the parts' cells: a range when they are contiguous in a row or a column.
fn sum_formula(layout: &Layout, parts: &[usize]) -> String {
    let pos: Vec<(u32, u16)> = parts.iter().map(|&p| layout.positions[p]).collect();
    let (r0, c0) = pos[0];
    let (rn, cn) = pos[pos.len() - 1];
    let row_run = pos
        .iter()
        .enumerate()
        .all(|(i, &(r, c))| r == r0 && u32::from(c) == u32::from(c0) + i as u32);
    let col_run = pos
        .iter()
        .enumerate()
        .all(|(i, &(r, c))| c == c0 && r == r0 + i as u32);
    if row_run || col_run {
        format!("=SUM({}:{})", a1(r0, c0.into()), a1(rn, cn.into()))
    } else {
        let cells: Vec<String> = pos.iter().map(|&(r, c)| a1(r, c.into())).collect();
        format!("=SUM({})", cells.join(","))
    }
}

/// The cell for a value as read (not a formula).
fn as_read(v: &Value, kind: ValueKind) -> (Out, Option<String>) {
    match v.status {
        Status::Filled | Status::Computed => {
            let header_unit = match kind {
                ValueKind::Money { header_unit } => Some(header_unit),
                _ => None,
            };
            match (header_unit, v.unit) {
                (Some(h), Some(u)) if h != Some(u) => {
                    (Out::Text(format!("{}{}", dec(v.value), u.label())), None)
                }
                _ => {
                    let note = v
                        .raw
                        .as_ref()
                        .filter(|r| r.trim() != dec(v.value))
                        .map(|r| format!("原表内容：{r}"));
                    (Out::Number(v.value), note)
                }
            }
        }
        Status::Blank => (Out::Empty, None),
        Status::Missing => (Out::Empty, Some("原表中没有找到这一项".to_string())),
        Status::FormulaNotCalculated => (
            Out::Empty,
            Some("原表这里是公式，但没有保存计算结果，数值未知".to_string()),
        ),
        Status::Invalid => match &v.raw {
            Some(r) => (Out::Text(r.clone()), Some(format!("原表内容不是数字：{r}"))),
            None => (Out::Empty, Some("原表内容不是数字".to_string())),
        },
    }
}

/// Decide how each field is written (see the module doc).
fn field_cells(report: &Report, layout: &Layout, opts: &SheetOptions) -> Vec<FieldCell> {
    let version = report.meta.format;
    let values = report.values();
    let kinds: Vec<ValueKind> = report.spec().fields().map(|f| f.col.kind).collect();
    let by_source = source_index(report);
    let mut notes: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut errors: Vec<bool> = vec![false; values.len()];
    for d in opts.diags {
        for i in diag_fields(d, &by_source) {
            if d.is_error() {
                errors[i] = true;
            }
            notes
                .entry(i)
                .or_default()
                .push(format!("{} {}：{}", d.rule, d.label(), d.message));
        }
    }
    let corrected: HashMap<usize, &Correction> =
        opts.corrections.iter().map(|c| (c.index, c)).collect();
    let conflicted: HashMap<usize, &Conflict> = opts
        .conflicts
        .iter()
        .map(|c| (c.correction.index, c))
        .collect();
    (0..values.len())
        .map(|i| {
            let v = &values[i];
            let deriv = derivation_of(version, i);
            let mut note = Vec::new();
            let out = match deriv {
                Some(d) => {
                    let sum = crate::model::report::sum_known(d.parts.iter().map(|&p| &values[p]));
                    let (parts_known, sum) = match sum {
                        Ok(Some(sum)) => (true, sum),
                        _ => (false, Decimal::ZERO),
                    };
                    let number = matches!(v.status, Status::Filled | Status::Computed);
                    if parts_known && number && v.value == sum {
                        // the original text, if it was more than the number, goes in the note
                        note.extend(as_read(v, kinds[i]).1);
                        Out::Formula {
                            text: sum_formula(layout, &d.parts),
                            result: v.value,
                        }
                    } else {
                        let (out, n) = as_read(v, kinds[i]);
                        note.extend(n);
                        if let Some(c) = conflicted.get(&i) {
                            note.push(format!(
                                "保留原表数值：{} 要求等于分项之和 {}，但改为 {} 会使 {}不成立。\
                                 两条规则对哪个数有误意见不一，请核对后手工更正。",
                                c.correction.rule,
                                dec(c.correction.new),
                                dec(c.correction.new),
                                c.against_text()
                            ));
                        } else if parts_known && number {
                            note.push(format!(
                                "原表数值 {} 与分项之和 {} 不一致，这里保留原表数值。\
                                 可改为公式 {}，或用 nianbao 按分项重新计算总计（更正）。",
                                dec(v.value),
                                dec(sum),
                                sum_formula(layout, &d.parts)
                            ));
                        }
                        out
                    }
                }
                None => {
                    let (out, n) = as_read(v, kinds[i]);
                    note.extend(n);
                    out
                }
            };
            if let Some(c) = corrected.get(&i) {
                note.push(format!(
                    "已按分项之和更正：原值 {}，新值 {}",
                    c.old_display(),
                    dec(c.new)
                ));
            }
            note.extend(notes.remove(&i).unwrap_or_default());
            FieldCell {
                out,
                derived: deriv.is_some(),
                note,
                error: errors[i],
                corrected: corrected.contains_key(&i),
            }
        })
        .collect()
}

/// Source cell → field index.
fn source_index(report: &Report) -> HashMap<&CellRef, usize> {
    report
        .values()
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.source.as_ref().map(|s| (s, i)))
        .collect()
}

/// The fields a finding points at: its cell and every cell it involves, when they are the
/// source of a field. Sorted, without repeats.
fn diag_fields(d: &Diagnostic, by_source: &HashMap<&CellRef, usize>) -> Vec<usize> {
    let mut out: Vec<usize> = d
        .cell
        .iter()
        .chain(d.cells.iter())
        .filter_map(|c| by_source.get(c).copied())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The formats of the template sheet, each cloned from the one CJK base format.
struct Formats {
    by_style: HashMap<Style, Format>,
    input: Format,
    total_formula: Format,
    total_constant: Format,
    corrected: Format,
    error: Format,
}

const TOTAL_FILL: u32 = 0xDDEBF7;
const HEADER_FILL: u32 = 0xF2F2F2;
const CORRECTED_FILL: u32 = 0xE2EFDA;
const ERROR_FILL: u32 = 0xFFC7CE;
const ERROR_FONT: u32 = 0x9C0006;

impl Formats {
    fn new() -> Formats {
        let base = base_format();
        let boxed = base.clone().set_border(FormatBorder::Thin).set_text_wrap();
        let center = boxed.clone().set_align(FormatAlign::Center);
        let value = center.clone();
        let by_style = [
            (
                Style::Title,
                base.clone()
                    .set_font_size(16)
                    .set_bold()
                    .set_align(FormatAlign::Center)
                    .set_text_wrap(),
            ),
            (
                Style::MetaLabel,
                base.clone().set_align(FormatAlign::Right).set_bold(),
            ),
            (
                Style::MetaValue,
                base.clone()
                    .set_border_bottom(FormatBorder::Thin)
                    .set_align(FormatAlign::Left)
                    .set_unlocked(),
            ),
            (Style::Heading, base.clone().set_font_size(12).set_bold()),
            (
                Style::Section,
                center.clone().set_bold().set_background_color(HEADER_FILL),
            ),
            (
                Style::Header,
                center.clone().set_background_color(HEADER_FILL),
            ),
            (
                Style::Note,
                center.clone().set_background_color(HEADER_FILL),
            ),
            (
                Style::Label,
                boxed.clone().set_align(FormatAlign::Left).set_indent(1),
            ),
            (Style::Group, center.clone()),
            (Style::Value, value.clone()),
            (
                Style::Footer,
                base.clone()
                    .set_text_wrap()
                    .set_align(FormatAlign::Left)
                    .set_font_size(10),
            ),
        ]
        .into_iter()
        .collect();
        Formats {
            by_style,
            input: value.clone().set_unlocked(),
            total_formula: value.clone().set_background_color(TOTAL_FILL),
            total_constant: value
                .clone()
                .set_background_color(TOTAL_FILL)
                .set_unlocked(),
            corrected: value.clone().set_background_color(CORRECTED_FILL),
            error: value
                .set_background_color(ERROR_FILL)
                .set_font_color(Color::RGB(ERROR_FONT))
                .set_unlocked(),
        }
    }

    fn style(&self, s: Style) -> &Format {
        &self.by_style[&s]
    }

    fn field(&self, cell: &FieldCell) -> &Format {
        let formula = matches!(cell.out, Out::Formula { .. });
        if cell.error {
            &self.error
        } else if cell.corrected {
            &self.corrected
        } else if cell.derived && formula {
            &self.total_formula
        } else if cell.derived {
            &self.total_constant
        } else {
            &self.input
        }
    }
}

/// Write the official layout of `report` as a new worksheet `name` of `wb`: every table with
/// its headers, the numbers as decided in the module doc, notes, highlights, data validation,
/// protection and page setup. Works for any report, including one of computed values without
/// source cells (a roll-up). Returns where each field went.
pub fn add_report_sheet(
    wb: &mut Workbook,
    name: &str,
    report: &Report,
    opts: &SheetOptions,
) -> Result<SheetMap, XlsxError> {
    let version = report.meta.format;
    let probe = Layout::new(version, 0);
    let cells = field_cells(report, &probe, opts);
    let number_width = cells
        .iter()
        .zip(&probe.spans)
        .filter(|(_, &span)| span == 1)
        .map(|(c, _)| c.out.display_width())
        .max()
        .unwrap_or(0);
    let layout = Layout::new(version, number_width);
    // positions do not depend on the width, so the formulas of `cells` stay right
    debug_assert_eq!(layout.positions, probe.positions);

    let fmt = Formats::new();
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    for c in 0..NCOLS {
        ws.set_column_width(c, layout.col_width)?;
    }
    for (&r, &h) in &layout.row_heights {
        ws.set_row_height(r, h)?;
    }

    let agency_a1 = a1(layout.agency_cell.0, layout.agency_cell.1.into());
    let year_a1 = a1(layout.year_cell.0, layout.year_cell.1.into());
    for b in &layout.blocks {
        let f = match &b.content {
            Content::Field(i) => fmt.field(&cells[*i]),
            _ => fmt.style(b.style),
        };
        if b.is_merged() {
            ws.merge_range(b.first_row, b.first_col, b.last_row, b.last_col, "", f)?;
        }
        let (r, c) = (b.first_row, b.first_col);
        match &b.content {
            Content::Text(t) => {
                ws.write_string_with_format(r, c, cell_text(t), f)?;
            }
            Content::Title => {
                let text = title(report.meta.agency.as_deref(), report.meta.year);
                let formula = Formula::new(format!(
                    "={agency_a1}&IF({year_a1}=\"\",\"\",{year_a1}&\"年\")&\"政府信息公开工作年度报告统计表\""
                ))
                .set_result(cell_text(&text));
                ws.write_formula_with_format(r, c, formula, f)?;
            }
            Content::Agency => match &report.meta.agency {
                Some(a) => {
                    ws.write_string_with_format(r, c, cell_text(a), f)?;
                }
                None => {
                    ws.write_blank(r, c, f)?;
                }
            },
            Content::Year => match report.meta.year {
                Some(y) => {
                    ws.write_number_with_format(r, c, f64::from(y), f)?;
                }
                None => {
                    ws.write_blank(r, c, f)?;
                }
            },
            Content::Field(i) => write_out(ws, r, c, &cells[*i].out, f)?,
        }
    }

    // notes
    for (i, cell) in cells.iter().enumerate() {
        if cell.note.is_empty() {
            continue;
        }
        let text = cell.note.join("\n");
        let lines = 1 + UnicodeWidthStr::width(text.as_str()) / 36 + cell.note.len();
        let note = Note::new(cell_text(&text))
            .add_author_prefix(false)
            .set_font_name(FONT)
            .set_width(260)
            .set_height((lines as u32 * 16 + 10).min(400));
        let (r, c) = layout.positions[i];
        ws.insert_note(r, c, &note)?;
    }

    add_validations(ws, report, &layout, &cells, layout.year_cell)?;

    if !opts.unprotected {
        ws.protect_with_options(&ProtectionOptions {
            format_columns: true,
            format_rows: true,
            ..ProtectionOptions::new()
        });
    }
    ws.set_paper_size(A4)
        .set_portrait()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true)
        .set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3)
        .set_footer(PAGE_FOOTER);
    ws.set_repeat_rows(layout.repeat_rows.0, layout.repeat_rows.1)?;
    ws.set_page_breaks(&layout.page_breaks)?;
    Ok(SheetMap {
        sheet: name.to_string(),
        layout,
    })
}

fn write_out(ws: &mut Worksheet, r: u32, c: u16, out: &Out, f: &Format) -> Result<(), XlsxError> {
    match out {
        Out::Number(d) => {
            ws.write_number_with_format(r, c, d.to_f64().unwrap_or(0.0), f)?;
        }
        Out::Text(t) => {
            ws.write_string_with_format(r, c, cell_text(t), f)?;
        }
        Out::Empty => {
            ws.write_blank(r, c, f)?;
        }
        Out::Formula { text, result } => {
            let formula = Formula::new(text).set_result(dec(*result));
            ws.write_formula_with_format(r, c, formula, f)?;
        }
    }
    Ok(())
}

/// Data validation on every input cell (and every total written as a constant), by value kind,
/// with a Chinese error message; the year cell takes a four-digit year.
fn add_validations(
    ws: &mut Worksheet,
    report: &Report,
    layout: &Layout,
    cells: &[FieldCell],
    year: (u32, u16),
) -> Result<(), XlsxError> {
    let mut count = Vec::new();
    let mut signed = Vec::new();
    let mut money = Vec::new();
    for (i, f) in report.spec().fields().enumerate() {
        if matches!(cells[i].out, Out::Formula { .. }) {
            continue;
        }
        let (r, c) = layout.positions[i];
        let cell = a1(r, c.into());
        match f.col.kind {
            ValueKind::Count => count.push(cell),
            ValueKind::SignedCount => signed.push(cell),
            ValueKind::Money { .. } => money.push(cell),
        }
    }
    let add = |ws: &mut Worksheet, cells: &[String], dv: DataValidation| {
        if cells.is_empty() {
            return Ok(());
        }
        let (r, c) = crate::model::cellref::parse_a1(&cells[0]).expect("a1");
        let dv = dv
            .set_multi_range(cells.join(" "))
            .set_error_style(DataValidationErrorStyle::Stop)
            .set_error_title("输入有误")?;
        ws.add_data_validation(r, c as u16, r, c as u16, &dv)
            .map(|_| ())
    };
    add(
        ws,
        &count,
        DataValidation::new()
            .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
            .set_error_message("这里只能填写大于或等于 0 的整数（件数、次数）。没有请填 0。")?,
    )?;
    add(
        ws,
        &signed,
        DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(i32::MIN, i32::MAX))
            .set_error_message("这里只能填写整数，减少时填负数（如 -2）。")?,
    )?;
    add(
        ws,
        &money,
        DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
            .set_error_message("这里只能填写大于或等于 0 的数字（金额）。")?,
    )?;
    add(
        ws,
        &[a1(year.0, year.1.into())],
        DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(2000, 2100))
            .set_error_message("统计年度请填写四位年份，如 2021。")?,
    )?;
    Ok(())
}

/// The whole workbook of one report: the template sheet, `校验结果`, `数据来源`, and
/// `更正记录` when `--fix` corrected or held back a total.
pub(crate) fn report_workbook(
    report: &Report,
    diags: &[Diagnostic],
    fixed: &Fixed,
) -> Result<Workbook, XlsxError> {
    let title = title(report.meta.agency.as_deref(), report.meta.year);
    let mut wb = new_workbook(&title)?;
    wb.set_properties(&properties(&title, Some(&Mark::new(MarkKind::Report))));
    let opts = SheetOptions {
        diags,
        corrections: &fixed.corrections,
        conflicts: &fixed.conflicts,
        unprotected: false,
    };
    let map = add_report_sheet(&mut wb, SHEET_NAME, report, &opts)?;
    sheets::add_findings_sheet(&mut wb, FINDINGS_SHEET, report, diags, &map)?;
    sheets::add_sources_sheet(&mut wb, SOURCES_SHEET, report, &map)?;
    if !fixed.is_empty() {
        sheets::add_corrections_sheet(&mut wb, CORRECTIONS_SHEET, fixed, &map)?;
    }
    Ok(wb)
}

fn save(mut wb: Workbook, out: &Path, reads: &ReadSet) -> Result<(), WriteError> {
    let bytes = wb.save_to_buffer().map_err(|source| WriteError::Xlsx {
        output: out.display().to_string(),
        source,
    })?;
    write_atomic(out, reads, |w| w.write_all(&bytes))
}

fn xlsx_err(out: &Path) -> impl Fn(XlsxError) -> WriteError + '_ {
    move |source| WriteError::Xlsx {
        output: out.display().to_string(),
        source,
    }
}

/// Write the filled template of `report` to `out` (atomically; an `out` that is a path of
/// `reads` is refused): the template sheet with `diags` highlighted, `校验结果`, `数据来源`, and
/// `更正记录` when `fixed` (what `--fix` did, [`crate::fix::fix`]; empty without it) corrected
/// or held back a total.
pub fn write_report(
    report: &Report,
    diags: &[Diagnostic],
    fixed: &Fixed,
    out: &Path,
    reads: &ReadSet,
) -> Result<(), WriteError> {
    crate::write::atomic::refuse_input(out, reads)?;
    let wb = report_workbook(report, diags, fixed).map_err(xlsx_err(out))?;
    save(wb, out, reads)
}

/// The workbook [`write_report`] writes, as bytes (a web page's download).
pub fn report_bytes(
    report: &Report,
    diags: &[Diagnostic],
    fixed: &Fixed,
) -> Result<Vec<u8>, WriteError> {
    let memory = Path::new("内存");
    report_workbook(report, diags, fixed)
        .and_then(|mut wb| wb.save_to_buffer())
        .map_err(xlsx_err(memory))
}

/// The workbook [`write_template`] writes, as bytes (a web page's download).
pub fn template_bytes(
    version: FormatVersion,
    agency: Option<&str>,
    year: Option<u16>,
) -> Result<Vec<u8>, WriteError> {
    let memory = Path::new("内存");
    template_workbook(version, agency, year)
        .and_then(|mut wb| wb.save_to_buffer())
        .map_err(xlsx_err(memory))
}

/// The report of the blank template: every input blank, every total a computed 0.
pub(crate) fn blank_report(
    version: FormatVersion,
    agency: Option<&str>,
    year: Option<u16>,
) -> Report {
    let meta = Meta {
        agency: agency.map(str::to_string),
        year,
        format: version,
        source: String::new(),
        agency_cell: None,
        year_cell: None,
        agency_from: None,
        year_from: None,
    };
    let mut r = Report::empty(meta);
    for (i, v) in r.values_mut().iter_mut().enumerate() {
        v.status = if derivation_of(version, i).is_some() {
            Status::Computed
        } else {
            Status::Blank
        };
    }
    r
}

/// Write the blank template of `version` (just the template sheet: every input cell empty,
/// every total a formula), with the agency and year prefilled when given; an `out` that is a
/// path of `reads` is refused.
pub fn write_template(
    version: FormatVersion,
    agency: Option<&str>,
    year: Option<u16>,
    out: &Path,
    reads: &ReadSet,
) -> Result<(), WriteError> {
    crate::write::atomic::refuse_input(out, reads)?;
    let wb = template_workbook(version, agency, year).map_err(xlsx_err(out))?;
    save(wb, out, reads)
}

/// The workbook [`write_template`] writes.
pub(crate) fn template_workbook(
    version: FormatVersion,
    agency: Option<&str>,
    year: Option<u16>,
) -> Result<Workbook, XlsxError> {
    let report = blank_report(version, agency, year);
    let title = title(agency, year);
    let mut wb = new_workbook(&title)?;
    wb.set_properties(&properties(&title, Some(&Mark::new(MarkKind::Template))));
    add_report_sheet(&mut wb, SHEET_NAME, &report, &SheetOptions::default())?;
    Ok(wb)
}

/// Chinese label of a value's origin, as the `数据来源` sheet shows it (docs/model.md lists
/// them): the CSV's [`Origin::label`] (a `--fix` correction `更正`, a region total `合计`), a
/// blank saying that it is read as 0.
pub fn status_label(o: Origin) -> &'static str {
    match o {
        Origin::Blank => "空白（按 0 计）",
        o => o.label(),
    }
}

/// Exposed for the sheets module and tests.
pub(crate) fn sheet_ref(sheet: &str, r: u32, c: u32) -> String {
    format!("{}!{}", quote_sheet(sheet), a1(r, c))
}

#[cfg(test)]
mod tests;

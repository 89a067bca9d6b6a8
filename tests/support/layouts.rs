//! Layout writer: a [`Report`] (any values, either format version) written as an agency workbook in
//! one of the layouts found in the wild, as xlsx bytes.
//!
//! Used by the sample generator (`examples/gen_samples`, which includes this file with
//! `#[path = "../../tests/support/layouts.rs"] mod layouts;`) and by integration / property tests
//! (`mod support;`, then `support::layouts`).
//!
//! Every label comes from `nianbao::model::spec` (`RowSpec.label`, `.group`, `.section`,
//! `ColSpec.label`, `.aliases`, the header constants); the only text typed here are the variant
//! forms (`法人或者其他组织`), the title / 填报单位 / 统计年度 cells and the notes sheet.
//!
//! # What a value becomes (decisions)
//!
//! - `status` `Blank` or `Missing` → an empty cell (so a report can carry its own blanks).
//! - `raw: Some(text)` → that text, verbatim, whatever the layout (`22（其中修订16件）`, `12.5万元`);
//!   the author of the report vouches that the text reads back to `value`.
//! - money whose `unit` differs from the unit the written header states (the 2019 `采购总金额`
//!   states none; the 2021 fee header states 万元 unless the alias `本年收费金额` is written) →
//!   text with the unit suffix (`251000元`), in the layout's digit form, so the unit survives.
//! - zero → [`ZeroForm`] (`—`, `无`, blank, or the number form of 0). A zero's unit is not
//!   written except with `ZeroForm::AsNumber` and a unit-bearing form: 0元 = 0万元.
//! - otherwise → [`NumberForm`] (number cell, text, full-width digits, `件`/unit suffix,
//!   thousands separators, or a per-cell mix).
//! - `totals_as_formulas`: the `总计` columns of 三 and 四 become `=SUM(…)` formulas whose cached
//!   result is the report's value (as Excel would have saved it; for a report that fails R2/R4 the
//!   cached value deliberately disagrees with the formula, which is what a reader sees anyway).
//!
//! Each form reads back to the same number (and unit) under FORMATS.md's value rules; a blank reads
//! back as 0 with status `Blank` (R6).

#![allow(dead_code)]

use std::collections::BTreeMap;

use nianbao::model::spec::{
    self, APPLICANT_HEADER, LITIGATION_HEADER, ORG_HEADER, REQUESTS_NOTE, RESULTS_GROUP,
};
use nianbao::model::{
    ColSpec, FormatVersion, MoneyUnit, Report, RowSpec, Status, TableKey, Value, ValueKind,
};
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet,
    XlsxError,
};

/// Where the tables go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SheetSplit {
    /// 二, 三, 四 stacked on one sheet (the official document order).
    OneSheet,
    /// One sheet per table.
    PerTable,
    /// 二 on one sheet, 三 and 四 on another.
    ProactiveApart,
}

/// How many columns table 三's row labels use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelCols {
    /// `三、本年度办理结果 | （三）不予公开 | 1.属于国家秘密` (official).
    Three,
    /// `（三）不予公开 | 1.属于国家秘密` (nearest group | item).
    Two,
    /// `（三）不予公开1.属于国家秘密` in one cell (group prefix as [`GroupLabels`] says).
    One,
}

/// How a group label that covers several rows is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupLabels {
    /// One cell merged vertically over the group's rows (official).
    Merged,
    /// Repeated on every row of the group.
    Repeated,
    /// Written on the first row only; the cells below are left blank (unmerged).
    FirstOnly,
}

/// Punctuation of labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Punct {
    /// As in the official format: `（一）`, `，`, `：`, curly quotes.
    Full,
    /// `(一)`, `,`, `:`, straight quotes (`、` stays: it has no half-width form).
    Half,
}

/// How a non-zero number is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberForm {
    /// A number cell.
    Number,
    /// Text `"12"`.
    Text,
    /// Text with full-width digits `"１２"` (`．` for the decimal point).
    FullWidth,
    /// Text with a unit: `"12件"` for counts, `"4068.208万元"` for money with a known unit.
    Unit,
    /// Text with thousands separators `"1,234"` when ≥ 1000, else a number cell.
    Thousands,
    /// Cycles through the five forms above cell by cell (deterministic).
    Mixed,
}

/// How a zero is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZeroForm {
    /// `0` in the layout's [`NumberForm`].
    AsNumber,
    /// `—`
    Dash,
    /// `无`
    Wu,
    /// An empty cell (reads back as 0, status `Blank`, R6 warning).
    Blank,
}

/// Title cells above the first table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Title {
    None,
    /// `{单位}{年度}年政府信息公开工作年度报告统计表`, merged across the table width.
    Row,
    /// `填报单位：{单位}` and `统计年度：{年度}年` in one row.
    FillCells,
    /// Both.
    Both,
    /// A short line naming the agency and the year in other words: `{单位}（{年度}年）`, merged
    /// across the table width (issue 10: only this, no full title, no 填报单位 cells).
    Short,
}

/// A layout: plain options with small domains (see [`Layout::all_variants`], [`arb_layout`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Layout {
    pub split: SheetSplit,
    /// 0-based (row, col) of the first written cell of every table sheet (title or heading
    /// included): `(4, 2)` starts the block at C5.
    pub origin: (u32, u16),
    pub label_cols: LabelCols,
    pub groups: GroupLabels,
    /// Merge spanning headers (第二十条 titles, 申请人情况, 法人或其他组织, 行政复议, 行政诉讼 …) and
    /// labels that span several label columns; `false` leaves the text in the top-left cell only.
    pub merge_headers: bool,
    pub punct: Punct,
    /// A space after a label's numbering: `1. 属于国家秘密`, `（一） 予以公开`, `第二十条 第（一）项`.
    pub label_spaces: bool,
    /// Column headers of 5+ characters broken by `\n` in the middle: `本年新\n制作数量`.
    pub header_breaks: bool,
    /// Label variants: the first alias of a row or column in the spec (`规范性文件` for
    /// `行政规范性文件` in 2021, `社会公益`, `本年增减`, `本年收费金额`, `（二）部分公开`) and
    /// `法人或者其他组织`.
    pub label_variants: bool,
    pub numbers: NumberForm,
    pub zeros: ZeroForm,
    pub title: Title,
    /// A heading row `二、主动公开政府信息情况` (etc.) above each table.
    pub headings: bool,
    pub totals_as_formulas: bool,
    /// A visible `说明` sheet with notes after the table sheets.
    pub notes_sheet: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Layout::official()
    }
}

impl Layout {
    /// The official layout, as in the published template: one sheet at A1, merged headers, three
    /// label columns, full-width punctuation, number cells, a title row and table headings.
    pub const fn official() -> Layout {
        Layout {
            split: SheetSplit::OneSheet,
            origin: (0, 0),
            label_cols: LabelCols::Three,
            groups: GroupLabels::Merged,
            merge_headers: true,
            punct: Punct::Full,
            label_spaces: false,
            header_breaks: false,
            label_variants: false,
            numbers: NumberForm::Number,
            zeros: ZeroForm::AsNumber,
            title: Title::Row,
            headings: true,
            totals_as_formulas: false,
            notes_sheet: false,
        }
    }

    /// The official layout, plus every single-option deviation from it, plus a few combinations
    /// seen together in the wild. Deterministic order; no duplicates.
    pub fn all_variants() -> Vec<Layout> {
        let o = Layout::official();
        let mut v = vec![o];
        for split in SheetSplit::ALL {
            v.push(Layout { split, ..o });
        }
        for origin in [(4, 2), (1, 1), (10, 0)] {
            v.push(Layout { origin, ..o });
        }
        for label_cols in LabelCols::ALL {
            for groups in GroupLabels::ALL {
                v.push(Layout {
                    label_cols,
                    groups,
                    ..o
                });
            }
        }
        v.push(Layout {
            merge_headers: false,
            ..o
        });
        v.push(Layout {
            punct: Punct::Half,
            ..o
        });
        v.push(Layout {
            label_spaces: true,
            ..o
        });
        v.push(Layout {
            header_breaks: true,
            ..o
        });
        v.push(Layout {
            label_variants: true,
            ..o
        });
        for numbers in NumberForm::ALL {
            v.push(Layout { numbers, ..o });
        }
        for zeros in ZeroForm::ALL {
            v.push(Layout { zeros, ..o });
        }
        for title in Title::ALL {
            v.push(Layout { title, ..o });
        }
        v.push(Layout {
            headings: false,
            ..o
        });
        v.push(Layout {
            totals_as_formulas: true,
            ..o
        });
        v.push(Layout {
            notes_sheet: true,
            ..o
        });
        // Combinations.
        v.push(Layout {
            split: SheetSplit::PerTable,
            origin: (4, 2),
            label_cols: LabelCols::Two,
            groups: GroupLabels::Repeated,
            merge_headers: false,
            punct: Punct::Half,
            label_spaces: true,
            header_breaks: true,
            label_variants: true,
            numbers: NumberForm::Mixed,
            zeros: ZeroForm::Dash,
            title: Title::Both,
            headings: false,
            totals_as_formulas: true,
            notes_sheet: true,
        });
        v.push(Layout {
            split: SheetSplit::ProactiveApart,
            origin: (2, 1),
            label_cols: LabelCols::One,
            groups: GroupLabels::FirstOnly,
            numbers: NumberForm::FullWidth,
            zeros: ZeroForm::Wu,
            title: Title::FillCells,
            ..o
        });
        let mut seen = std::collections::HashSet::new();
        v.retain(|l| seen.insert(*l));
        v
    }

    /// The sheets this layout makes for one report, in tab order. Callers may rename sheets,
    /// mark them hidden, or add sheets before [`write_book`].
    pub fn sheets<'a>(&self, report: &'a Report) -> Vec<SheetSpec<'a>> {
        let tables =
            |ts: &[TableKey]| SheetContent::Tables(ts.iter().map(|t| (*t, report)).collect());
        let mut out = match self.split {
            SheetSplit::OneSheet => vec![SheetSpec::new("统计表", tables(&TableKey::ALL))],
            SheetSplit::PerTable => vec![
                SheetSpec::new("表二 主动公开", tables(&[TableKey::Proactive])),
                SheetSpec::new("表三 依申请公开", tables(&[TableKey::Requests])),
                SheetSpec::new("表四 复议诉讼", tables(&[TableKey::Appeals])),
            ],
            SheetSplit::ProactiveApart => vec![
                SheetSpec::new("主动公开", tables(&[TableKey::Proactive])),
                SheetSpec::new(
                    "依申请公开及复议诉讼",
                    tables(&[TableKey::Requests, TableKey::Appeals]),
                ),
            ],
        };
        out[0].with_title = true;
        if self.notes_sheet {
            out.push(SheetSpec::new(
                "说明",
                SheetContent::Notes(notes_lines(report)),
            ));
        }
        out
    }
}

impl SheetSplit {
    pub const ALL: [SheetSplit; 3] = [
        SheetSplit::OneSheet,
        SheetSplit::PerTable,
        SheetSplit::ProactiveApart,
    ];
}
impl LabelCols {
    pub const ALL: [LabelCols; 3] = [LabelCols::Three, LabelCols::Two, LabelCols::One];
    fn count(self) -> u16 {
        match self {
            LabelCols::Three => 3,
            LabelCols::Two => 2,
            LabelCols::One => 1,
        }
    }
}
impl GroupLabels {
    pub const ALL: [GroupLabels; 3] = [
        GroupLabels::Merged,
        GroupLabels::Repeated,
        GroupLabels::FirstOnly,
    ];
}
impl Punct {
    pub const ALL: [Punct; 2] = [Punct::Full, Punct::Half];
}
impl NumberForm {
    pub const ALL: [NumberForm; 6] = [
        NumberForm::Number,
        NumberForm::Text,
        NumberForm::FullWidth,
        NumberForm::Unit,
        NumberForm::Thousands,
        NumberForm::Mixed,
    ];
}
impl ZeroForm {
    pub const ALL: [ZeroForm; 4] = [
        ZeroForm::AsNumber,
        ZeroForm::Dash,
        ZeroForm::Wu,
        ZeroForm::Blank,
    ];
}
impl Title {
    pub const ALL: [Title; 5] = [
        Title::None,
        Title::Row,
        Title::FillCells,
        Title::Both,
        Title::Short,
    ];
}

/// A proptest strategy over every layout (origins up to row 12, column 6).
pub fn arb_layout() -> impl proptest::strategy::Strategy<Value = Layout> {
    use proptest::prelude::*;
    use proptest::sample::select;
    (
        (
            select(SheetSplit::ALL.to_vec()),
            (0u32..12, 0u16..6),
            select(LabelCols::ALL.to_vec()),
            select(GroupLabels::ALL.to_vec()),
            any::<bool>(),
            select(Punct::ALL.to_vec()),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            any::<bool>(),
            select(NumberForm::ALL.to_vec()),
            select(ZeroForm::ALL.to_vec()),
            select(Title::ALL.to_vec()),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (
                    split,
                    origin,
                    label_cols,
                    groups,
                    merge_headers,
                    punct,
                    label_spaces,
                    header_breaks,
                ),
                (label_variants, numbers, zeros, title, headings, totals_as_formulas, notes_sheet),
            )| Layout {
                split,
                origin,
                label_cols,
                groups,
                merge_headers,
                punct,
                label_spaces,
                header_breaks,
                label_variants,
                numbers,
                zeros,
                title,
                headings,
                totals_as_formulas,
                notes_sheet,
            },
        )
}

/// What a sheet holds.
#[derive(Debug, Clone)]
pub enum SheetContent<'a> {
    /// Tables, stacked top to bottom; each may come from a different report (a version-conflict
    /// sample takes 二 from a 2019 report and 三 from a 2021 one).
    Tables(Vec<(TableKey, &'a Report)>),
    /// Free text lines, one per row, in column A.
    Notes(Vec<String>),
}

/// One sheet of a workbook to write.
#[derive(Debug, Clone)]
pub struct SheetSpec<'a> {
    pub name: String,
    pub hidden: bool,
    /// Write the layout's [`Title`] cells above the first table (from the first table's report).
    pub with_title: bool,
    pub content: SheetContent<'a>,
}

impl<'a> SheetSpec<'a> {
    pub fn new(name: impl Into<String>, content: SheetContent<'a>) -> Self {
        SheetSpec {
            name: name.into(),
            hidden: false,
            with_title: false,
            content,
        }
    }
}

/// Where one value of a report was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub sheet: String,
    pub hidden: bool,
    pub row: u32,
    pub col: u16,
    pub table: TableKey,
    pub row_key: &'static str,
    pub col_key: &'static str,
    /// The cell was left empty (blank value, or `ZeroForm::Blank`).
    pub blank: bool,
    /// What the cell shows (`12`, `１２`, `—`, `=SUM(D9:I9) → 12`).
    pub shown: String,
}

/// Where a table was written: its first row (first header row, after the heading) and column,
/// and its extent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableBox {
    pub table: TableKey,
    pub first_row: u32,
    pub first_col: u16,
    pub rows: u32,
    pub cols: u16,
}

/// One written sheet: every cell as shown (merged regions: top-left only; a value stored as text
/// prefixed with `'`), the merges and the tables.
#[derive(Debug, Clone, Default)]
pub struct WrittenSheet {
    pub name: String,
    pub hidden: bool,
    pub cells: BTreeMap<(u32, u16), String>,
    pub merges: Vec<(u32, u16, u32, u16)>,
    pub tables: Vec<TableBox>,
}

/// The result of [`write_book`]: the xlsx bytes and a record of what went where.
#[derive(Debug, Clone)]
pub struct Written {
    pub bytes: Vec<u8>,
    pub sheets: Vec<WrittenSheet>,
    /// Every value cell written, in writing order.
    pub values: Vec<Placed>,
}

impl Written {
    /// Where a value landed on a visible sheet (the first one, if it was written twice).
    pub fn visible_cell(&self, table: TableKey, row: &str, col: &str) -> Option<&Placed> {
        self.values
            .iter()
            .find(|p| !p.hidden && p.table == table && p.row_key == row && p.col_key == col)
    }

    /// An ASCII grid of `rows × cols` cells of a sheet starting at (`row`, `col`), with row
    /// numbers and column letters, like calamine's docs. Long texts are cut to 12 columns.
    pub fn grid(&self, sheet: &str, row: u32, col: u16, rows: u32, cols: u16) -> String {
        let Some(s) = self.sheets.iter().find(|s| s.name == sheet) else {
            return String::new();
        };
        ascii_grid(&s.cells, row, col, rows, cols)
    }
}

/// Render a rectangle of cells as an ASCII grid (CJK characters count two columns).
pub fn ascii_grid(
    cells: &BTreeMap<(u32, u16), String>,
    row: u32,
    col: u16,
    rows: u32,
    cols: u16,
) -> String {
    use unicode_width::UnicodeWidthStr;
    const MAX: usize = 22;
    let cut = |s: &str| -> String {
        let s = s.replace('\n', "⏎");
        let mut out = String::new();
        for ch in s.chars() {
            let next = format!("{out}{ch}");
            if next.width() > MAX - 1 && s.width() > MAX {
                out.push('…');
                return out;
            }
            out = next;
        }
        out
    };
    let texts: Vec<Vec<String>> = (row..row + rows)
        .map(|r| {
            (col..col + cols)
                .map(|c| cells.get(&(r, c)).map(|t| cut(t)).unwrap_or_default())
                .collect()
        })
        .collect();
    let widths: Vec<usize> = (0..cols as usize)
        .map(|i| {
            let letter = nianbao::model::cellref::col_name(u32::from(col) + i as u32);
            texts
                .iter()
                .map(|r| r[i].width())
                .chain([letter.len()])
                .max()
                .unwrap_or(1)
        })
        .collect();
    let rn = (row + rows).to_string().len();
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.width())));
    let mut out = String::new();
    out.push_str(&" ".repeat(rn + 1));
    for (i, w) in widths.iter().enumerate() {
        let letter = nianbao::model::cellref::col_name(u32::from(col) + i as u32);
        out.push_str("  ");
        out.push_str(&pad(&letter, *w));
        out.push(' ');
    }
    out = out.trim_end().to_string();
    out.push('\n');
    for (ri, r) in texts.iter().enumerate() {
        let line_no = (row + ri as u32 + 1).to_string();
        out.push_str(&format!("{line_no:>rn$} "));
        for (i, t) in r.iter().enumerate() {
            out.push_str("│ ");
            out.push_str(&pad(t, widths[i]));
            out.push(' ');
        }
        out.push('│');
        out.push('\n');
    }
    out
}

/// Write one report in a layout.
pub fn write_report(report: &Report, layout: &Layout) -> Result<Written, XlsxError> {
    write_book(&layout.sheets(report), layout)
}

/// The fixed creation time of every generated workbook (deterministic bytes).
pub fn fixed_creation_time() -> ExcelDateTime {
    ExcelDateTime::from_ymd(2026, 1, 15)
        .and_then(|d| d.and_hms(9, 0, 0))
        .expect("valid date")
}

/// Write sheets with a layout's styles into xlsx bytes.
pub fn write_book(sheets: &[SheetSpec<'_>], layout: &Layout) -> Result<Written, XlsxError> {
    let mut wb = Workbook::new();
    let props = DocProperties::new()
        .set_author("nianbao 样例生成器")
        .set_creation_datetime(&fixed_creation_time());
    wb.set_properties(&props);
    let mut written = Written {
        bytes: Vec::new(),
        sheets: Vec::new(),
        values: Vec::new(),
    };
    for spec in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&spec.name)?;
        let mut w = SheetWriter::new(ws, layout, spec);
        match &spec.content {
            SheetContent::Tables(tables) => w.tables(tables)?,
            SheetContent::Notes(lines) => w.notes(lines)?,
        }
        written.values.append(&mut w.placed);
        written.sheets.push(w.out);
        if spec.hidden {
            ws.set_hidden(true);
        }
    }
    // A hidden sheet cannot be the active one: activate the first visible sheet.
    if let Some(i) = sheets.iter().position(|s| !s.hidden) {
        wb.worksheet_from_index(i)?.set_active(true);
    }
    written.bytes = wb.save_to_buffer()?;
    Ok(written)
}

fn notes_lines(report: &Report) -> Vec<String> {
    let year = report
        .meta
        .year
        .map(|y| y.to_string())
        .unwrap_or_else(|| "本".into());
    let doc = match report.meta.format {
        FormatVersion::V2019 => "国办公开办函〔2019〕60号",
        FormatVersion::V2021 => "国办公开办函〔2021〕30号",
    };
    vec![
        "填表说明".into(),
        format!("1. 本表按{doc}规定的格式填写。"),
        format!("2. 统计期限为{year}年1月1日至{year}年12月31日。"),
        "3. 如对数据有疑问，请与本单位办公室联系。".into(),
    ]
}

// ---------------------------------------------------------------------------------------------
// Label forms

pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '，' => ',',
            '：' => ':',
            '；' => ';',
            '“' | '”' => '"',
            c => c,
        })
        .collect()
}

/// A space after the label's leading numbering (`1.`, `（一）`, `(一)`, `一、`), or between
/// `第二十条` and `第（N）项`.
pub fn spaced(s: &str) -> String {
    if let Some(rest) = s.strip_prefix("第二十条") {
        return format!("第二十条 {rest}");
    }
    let chars: Vec<char> = s.chars().collect();
    let numeral = |c: char| "一二三四五六七八九十".contains(c);
    let mut end = 0;
    if chars.first().is_some_and(|c| c.is_ascii_digit()) {
        let mut i = 0;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if chars.get(i) == Some(&'.') {
            end = i + 1;
        }
    } else if matches!(chars.first(), Some('（') | Some('(')) {
        let mut i = 1;
        while i < chars.len() && numeral(chars[i]) {
            i += 1;
        }
        if i > 1 && matches!(chars.get(i), Some('）') | Some(')')) {
            end = i + 1;
        }
    } else if chars.first().is_some_and(|c| numeral(*c)) {
        let mut i = 0;
        while i < chars.len() && numeral(chars[i]) {
            i += 1;
        }
        if chars.get(i) == Some(&'、') {
            end = i + 1;
        }
    }
    if end == 0 || end >= chars.len() {
        return s.to_string();
    }
    let head: String = chars[..end].iter().collect();
    let tail: String = chars[end..].iter().collect();
    format!("{head} {tail}")
}

/// A column header of 5+ characters broken in the middle: `本年新\n制作数量`.
pub fn broken(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 5 {
        return s.to_string();
    }
    let at = chars.len() / 2;
    let head: String = chars[..at].iter().collect();
    let tail: String = chars[at..].iter().collect();
    format!("{head}\n{tail}")
}

impl Layout {
    /// A label as this layout writes it.
    pub fn label(&self, s: &str) -> String {
        let s = if self.label_spaces {
            spaced(s)
        } else {
            s.to_string()
        };
        match self.punct {
            Punct::Full => s,
            Punct::Half => half_width(&s),
        }
    }

    /// A column header as this layout writes it (labels plus line breaks).
    pub fn header(&self, s: &str) -> String {
        let s = self.label(s);
        if self.header_breaks {
            broken(&s)
        } else {
            s
        }
    }

    fn row_label(&self, row: &RowSpec) -> &'static str {
        if self.label_variants {
            row.aliases.first().copied().unwrap_or(row.label)
        } else {
            row.label
        }
    }

    fn col_label(&self, col: &ColSpec) -> &'static str {
        if self.label_variants {
            col.aliases.first().copied().unwrap_or(col.label)
        } else {
            col.label
        }
    }

    fn org_header(&self) -> &'static str {
        if self.label_variants {
            "法人或者其他组织"
        } else {
            ORG_HEADER
        }
    }

    /// The unit the written header of a money column states.
    fn header_unit(&self, col: &ColSpec) -> Option<MoneyUnit> {
        match col.kind {
            ValueKind::Money { header_unit } if self.col_label(col) == col.label => header_unit,
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Value forms

/// What goes into a value cell.
#[derive(Debug, Clone, PartialEq)]
pub enum CellOut {
    Blank,
    Number(f64),
    Text(String),
    /// A formula and its cached result.
    Formula(String, f64),
}

impl CellOut {
    fn shown(&self) -> String {
        match self {
            CellOut::Blank => String::new(),
            CellOut::Number(f) => nianbao::read::CellValue::Number(*f).display(),
            CellOut::Text(s) => s.clone(),
            CellOut::Formula(f, r) => {
                format!("{f} → {}", nianbao::read::CellValue::Number(*r).display())
            }
        }
    }
}

fn to_f64(d: Decimal) -> f64 {
    d.to_string().parse().expect("decimal renders as a float")
}

pub fn full_width_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).expect("digit"),
            '.' => '．',
            '-' => '－',
            c => c,
        })
        .collect()
}

pub fn thousands(d: Decimal) -> String {
    let s = d.to_string();
    let (sign, s) = s.strip_prefix('-').map(|r| ("-", r)).unwrap_or(("", &s));
    let (int, frac) = s
        .split_once('.')
        .map(|(i, f)| (i, Some(f)))
        .unwrap_or((s, None));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

impl Layout {
    /// The cell for one value. `index` picks the form under [`NumberForm::Mixed`].
    pub fn value_cell(&self, v: &Value, col: &ColSpec, index: usize) -> CellOut {
        if matches!(v.status, Status::Blank | Status::Missing) {
            return CellOut::Blank;
        }
        if let Some(raw) = &v.raw {
            return CellOut::Text(raw.clone());
        }
        let is_money = matches!(col.kind, ValueKind::Money { .. });
        let header_unit = self.header_unit(col);
        let unit_needed = is_money && v.unit.is_some() && v.unit != header_unit;
        if v.value.is_zero() {
            match self.zeros {
                ZeroForm::Dash => return CellOut::Text("—".into()),
                ZeroForm::Wu => return CellOut::Text("无".into()),
                ZeroForm::Blank => return CellOut::Blank,
                ZeroForm::AsNumber => {}
            }
        }
        let form = match self.numbers {
            NumberForm::Mixed => [
                NumberForm::Number,
                NumberForm::Text,
                NumberForm::FullWidth,
                NumberForm::Unit,
                NumberForm::Thousands,
            ][index % 5],
            f => f,
        };
        let plain = v.value.normalize().to_string();
        let unit_suffix = if is_money {
            v.unit.or(header_unit).map(|u| u.label()).unwrap_or("")
        } else {
            "件"
        };
        if unit_needed {
            let digits = match form {
                NumberForm::FullWidth => full_width_digits(&plain),
                NumberForm::Thousands => thousands(v.value.normalize()),
                _ => plain,
            };
            return CellOut::Text(format!("{digits}{unit_suffix}"));
        }
        match form {
            NumberForm::Number | NumberForm::Mixed => CellOut::Number(to_f64(v.value)),
            NumberForm::Text => CellOut::Text(plain),
            NumberForm::FullWidth => CellOut::Text(full_width_digits(&plain)),
            NumberForm::Unit => CellOut::Text(format!("{plain}{unit_suffix}")),
            NumberForm::Thousands => {
                if v.value.abs() >= Decimal::from(1000) {
                    CellOut::Text(thousands(v.value.normalize()))
                } else {
                    CellOut::Number(to_f64(v.value))
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sheet writer

struct SheetWriter<'w, 'l> {
    ws: &'w mut Worksheet,
    layout: &'l Layout,
    sheet: String,
    hidden: bool,
    with_title: bool,
    base: Format,
    label_fmt: Format,
    header_fmt: Format,
    num_fmt: Format,
    out: WrittenSheet,
    placed: Vec<Placed>,
    value_index: usize,
}

impl<'w, 'l> SheetWriter<'w, 'l> {
    fn new(ws: &'w mut Worksheet, layout: &'l Layout, spec: &SheetSpec<'_>) -> Self {
        let base = Format::new().set_font_name("宋体").set_font_size(11);
        let cell = base.clone().set_border(FormatBorder::Thin);
        let label_fmt = cell
            .clone()
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        let header_fmt = cell
            .clone()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter);
        let num_fmt = cell.clone().set_align(FormatAlign::Center);
        SheetWriter {
            ws,
            layout,
            sheet: spec.name.clone(),
            hidden: spec.hidden,
            with_title: spec.with_title,
            base,
            label_fmt,
            header_fmt,
            num_fmt,
            out: WrittenSheet {
                name: spec.name.clone(),
                hidden: spec.hidden,
                ..Default::default()
            },
            placed: Vec::new(),
            value_index: 0,
        }
    }

    fn text(&mut self, r: u32, c: u16, s: &str, fmt: &Format) -> Result<(), XlsxError> {
        self.ws.write_string_with_format(r, c, s, fmt)?;
        self.out.cells.insert((r, c), s.to_string());
        Ok(())
    }

    /// Text over a rectangle: merged when `merge` (and the rectangle is larger than one cell),
    /// else in the top-left cell only.
    #[allow(clippy::too_many_arguments)]
    fn span(
        &mut self,
        r0: u32,
        c0: u16,
        r1: u32,
        c1: u16,
        s: &str,
        fmt: &Format,
        merge: bool,
    ) -> Result<(), XlsxError> {
        if merge && (r1 > r0 || c1 > c0) {
            self.ws.merge_range(r0, c0, r1, c1, s, fmt)?;
            self.out.cells.insert((r0, c0), s.to_string());
            self.out.merges.push((r0, c0, r1, c1));
            Ok(())
        } else {
            self.text(r0, c0, s, fmt)
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn value(
        &mut self,
        r: u32,
        c: u16,
        span_to: u16,
        report: &Report,
        table: TableKey,
        row: &'static RowSpec,
        col: &'static ColSpec,
        formula: Option<String>,
    ) -> Result<(), XlsxError> {
        let v = report.get(table, row.key, col.key).expect("spec field");
        let mut out = self.layout.value_cell(v, col, self.value_index);
        self.value_index += 1;
        if let Some(f) = formula {
            if !matches!(out, CellOut::Blank) && v.raw.is_none() {
                out = CellOut::Formula(f, to_f64(v.value));
            }
        }
        let fmt = self.num_fmt.clone();
        if span_to > c && self.layout.merge_headers {
            self.ws.merge_range(r, c, r, span_to, "", &fmt)?;
            self.out.merges.push((r, c, r, span_to));
        }
        match &out {
            CellOut::Blank => {
                self.ws.write_blank(r, c, &fmt)?;
            }
            CellOut::Number(f) => {
                self.ws.write_number_with_format(r, c, *f, &fmt)?;
            }
            CellOut::Text(s) => {
                self.ws.write_string_with_format(r, c, s, &fmt)?;
            }
            CellOut::Formula(f, res) => {
                let formula =
                    Formula::new(f).set_result(nianbao::read::CellValue::Number(*res).display());
                self.ws.write_formula_with_format(r, c, formula, &fmt)?;
            }
        }
        let shown = out.shown();
        if !shown.is_empty() {
            // In the grid, a value stored as text is marked with Excel's leading apostrophe.
            let grid = match &out {
                CellOut::Text(s) => format!("'{s}"),
                _ => shown.clone(),
            };
            self.out.cells.insert((r, c), grid);
        }
        self.placed.push(Placed {
            sheet: self.sheet.clone(),
            hidden: self.hidden,
            row: r,
            col: c,
            table,
            row_key: row.key,
            col_key: col.key,
            blank: matches!(out, CellOut::Blank),
            shown,
        });
        Ok(())
    }

    fn notes(&mut self, lines: &[String]) -> Result<(), XlsxError> {
        self.ws.set_column_width(0, 60)?;
        let fmt = self.base.clone();
        for (i, line) in lines.iter().enumerate() {
            self.text(i as u32, 0, line, &fmt)?;
        }
        Ok(())
    }

    fn tables(&mut self, tables: &[(TableKey, &Report)]) -> Result<(), XlsxError> {
        let (mut r, c0) = self.layout.origin;
        let lc = self.layout.label_cols.count();
        // Column widths: label columns of 三 (or 二's label column) wide, numbers narrow.
        let has_requests = tables.iter().any(|(t, _)| *t == TableKey::Requests);
        if has_requests {
            let widths: &[f64] = match lc {
                3 => &[12.0, 16.0, 30.0],
                2 => &[16.0, 34.0],
                _ => &[44.0],
            };
            for (i, w) in widths.iter().enumerate() {
                self.ws.set_column_width(c0 + i as u16, *w)?;
            }
            for i in 0..16 {
                self.ws.set_column_width(c0 + lc + i, 10.0)?;
            }
        } else {
            self.ws.set_column_width(c0, 24.0)?;
            for i in 1..16 {
                self.ws.set_column_width(c0 + i, 14.0)?;
            }
        }
        if self.with_title {
            if let Some((_, report)) = tables.first() {
                r = self.title(r, c0, report)?;
            }
        }
        for (table, report) in tables {
            if self.layout.headings {
                let h = self.layout.label(table.title());
                let fmt = self.base.clone().set_bold();
                self.text(r, c0, &h, &fmt)?;
                r += 1;
            }
            let rows = match table {
                TableKey::Proactive => self.proactive(r, c0, report)?,
                TableKey::Requests => self.requests(r, c0, report)?,
                TableKey::Appeals => self.appeals(r, c0, report)?,
            };
            let cols = match table {
                TableKey::Proactive => 4,
                TableKey::Requests => lc + 7,
                TableKey::Appeals => 15,
            };
            self.out.tables.push(TableBox {
                table: *table,
                first_row: r,
                first_col: c0,
                rows,
                cols,
            });
            r += rows + 1;
        }
        Ok(())
    }

    fn title(&mut self, mut r: u32, c0: u16, report: &Report) -> Result<u32, XlsxError> {
        let (Some(agency), Some(year)) = (report.meta.agency.as_deref(), report.meta.year) else {
            return Ok(r);
        };
        let wide = self.layout.label_cols.count() + 7 - 1;
        if matches!(self.layout.title, Title::Row | Title::Both) {
            let fmt = self
                .base
                .clone()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center);
            let t = format!("{agency}{year}年政府信息公开工作年度报告统计表");
            self.span(r, c0, r, c0 + wide, &t, &fmt, self.layout.merge_headers)?;
            self.ws.set_row_height(r, 30)?;
            r += 1;
        }
        if self.layout.title == Title::Short {
            let fmt = self.base.clone().set_bold().set_align(FormatAlign::Center);
            let t = format!("{agency}（{year}年）");
            self.span(r, c0, r, c0 + wide, &t, &fmt, self.layout.merge_headers)?;
            r += 1;
        }
        if matches!(self.layout.title, Title::FillCells | Title::Both) {
            let fmt = self.base.clone();
            let a = self.layout.label(&format!("填报单位：{agency}"));
            let y = self.layout.label(&format!("统计年度：{year}年"));
            self.text(r, c0, &a, &fmt)?;
            self.text(r, c0 + 3, &y, &fmt)?;
            r += 1;
        }
        if !matches!(self.layout.title, Title::None) {
            r += 1;
        }
        Ok(r)
    }

    /// Table 二: sub-tables opened by `第二十条第（N）项` and a `信息内容` header row. Returns rows used.
    fn proactive(&mut self, r0: u32, c0: u16, report: &Report) -> Result<u32, XlsxError> {
        let l = *self.layout;
        let spec = report.spec().table(TableKey::Proactive);
        let mut r = r0;
        let mut section: Option<&str> = None;
        let (hf, lf) = (self.header_fmt.clone(), self.label_fmt.clone());
        for row in spec.rows {
            if row.section != section {
                section = row.section;
                let title = l.label(row.section.unwrap_or_default());
                self.span(r, c0, r, c0 + 3, &title, &hf, l.merge_headers)?;
                r += 1;
                self.text(r, c0, &l.header("信息内容"), &hf)?;
                let n = row.columns.len() as u16;
                for (i, col) in row.columns.iter().enumerate() {
                    let i = i as u16;
                    let last = if i + 1 == n && n == 1 {
                        c0 + 3
                    } else {
                        c0 + 1 + i
                    };
                    let h = l.header(l.col_label(col));
                    self.span(r, c0 + 1 + i, r, last, &h, &hf, l.merge_headers)?;
                }
                r += 1;
            }
            self.text(r, c0, &l.label(l.row_label(row)), &lf)?;
            let n = row.columns.len() as u16;
            for (i, col) in row.columns.iter().enumerate() {
                let i = i as u16;
                let last = if i + 1 == n && n == 1 {
                    c0 + 3
                } else {
                    c0 + 1 + i
                };
                self.value(
                    r,
                    c0 + 1 + i,
                    last,
                    report,
                    TableKey::Proactive,
                    row,
                    col,
                    None,
                )?;
            }
            r += 1;
        }
        Ok(r - r0)
    }

    /// Table 三: note cell, 申请人情况 / 自然人 | 法人或其他组织 | 总计 / five org columns, then rows.
    fn requests(&mut self, r0: u32, c0: u16, report: &Report) -> Result<u32, XlsxError> {
        let l = *self.layout;
        let lc = l.label_cols.count();
        let spec = report.spec().table(TableKey::Requests);
        let cols = spec.rows[0].columns;
        let (hf, lf) = (self.header_fmt.clone(), self.label_fmt.clone());
        let m = l.merge_headers;
        let v0 = c0 + lc;
        // Header.
        self.span(r0, c0, r0 + 2, v0 - 1, &l.label(REQUESTS_NOTE), &lf, m)?;
        self.span(r0, v0, r0, v0 + 6, &l.header(APPLICANT_HEADER), &hf, m)?;
        self.span(
            r0 + 1,
            v0,
            r0 + 2,
            v0,
            &l.header(l.col_label(&cols[0])),
            &hf,
            m,
        )?;
        self.span(
            r0 + 1,
            v0 + 1,
            r0 + 1,
            v0 + 5,
            &l.header(l.org_header()),
            &hf,
            m,
        )?;
        self.span(
            r0 + 1,
            v0 + 6,
            r0 + 2,
            v0 + 6,
            &l.header(l.col_label(&cols[6])),
            &hf,
            m,
        )?;
        for (i, col) in cols[1..6].iter().enumerate() {
            self.text(r0 + 2, v0 + 1 + i as u16, &l.header(l.col_label(col)), &hf)?;
        }
        self.ws.set_row_height(r0 + 2, 30)?;
        // Label parts per row, outermost first.
        let result_keys: Vec<&str> = spec::result_rows(spec)
            .map(|r| r.key)
            .chain(["handled_total"])
            .collect();
        let parts: Vec<Vec<String>> = spec
            .rows
            .iter()
            .map(|row| {
                let item = l.row_label(row).to_string();
                match (lc, row.group) {
                    (_, None) => vec![item],
                    (3, Some(g)) if g != RESULTS_GROUP && result_keys.contains(&row.key) => {
                        vec![RESULTS_GROUP.to_string(), g.to_string(), item]
                    }
                    (_, Some(g)) => vec![g.to_string(), item],
                }
            })
            .collect();
        let first = r0 + 3;
        let n = spec.rows.len() as u32;
        if lc == 1 {
            for (i, p) in parts.iter().enumerate() {
                let i = i as u32;
                let text = if p.len() == 1 {
                    l.label(&p[0])
                } else {
                    let first_of_run = i == 0 || parts[i as usize - 1].first() != p.first();
                    let sep = if l.label_spaces { " " } else { "" };
                    if first_of_run || l.groups == GroupLabels::Repeated {
                        format!("{}{sep}{}", l.label(&p[0]), l.label(&p[1]))
                    } else {
                        l.label(&p[1])
                    }
                };
                self.text(first + i, c0, &text, &lf)?;
            }
        } else {
            // Leaves: the last part of each row, spanning to the last label column.
            for (i, p) in parts.iter().enumerate() {
                let depth = p.len() as u16;
                let r = first + i as u32;
                let c = c0 + depth - 1;
                self.span(r, c, r, v0 - 1, &l.label(&p[depth as usize - 1]), &lf, m)?;
            }
            // Groups: runs of equal labels at the same level.
            for level in 0..(lc as usize - 1) {
                let mut i = 0usize;
                while i < parts.len() {
                    let key = |j: usize| -> Option<&String> {
                        let p = &parts[j];
                        (p.len() > level + 1).then(|| &p[level])
                    };
                    let Some(g) = key(i) else {
                        i += 1;
                        continue;
                    };
                    let mut j = i + 1;
                    while j < parts.len() && key(j) == Some(g) {
                        j += 1;
                    }
                    let text = l.label(g);
                    let (ra, rb) = (first + i as u32, first + j as u32 - 1);
                    let c = c0 + level as u16;
                    match l.groups {
                        GroupLabels::Merged => self.span(ra, c, rb, c, &text, &lf, true)?,
                        GroupLabels::Repeated => {
                            for r in ra..=rb {
                                self.text(r, c, &text, &lf)?;
                            }
                        }
                        GroupLabels::FirstOnly => self.text(ra, c, &text, &lf)?,
                    }
                    i = j;
                }
            }
        }
        // Numbers.
        for (i, row) in spec.rows.iter().enumerate() {
            let r = first + i as u32;
            for (k, col) in row.columns.iter().enumerate() {
                let c = v0 + k as u16;
                let formula = (l.totals_as_formulas && col.key == "total").then(|| {
                    format!(
                        "SUM({}:{})",
                        nianbao::model::cellref::a1(r, u32::from(v0)),
                        nianbao::model::cellref::a1(r, u32::from(v0 + 5))
                    )
                });
                self.value(r, c, c, report, TableKey::Requests, row, col, formula)?;
            }
        }
        Ok(3 + n)
    }

    /// Table 四: 行政复议 | 行政诉讼 → 未经复议直接起诉, 复议后起诉; five result columns each; one row.
    fn appeals(&mut self, r0: u32, c0: u16, report: &Report) -> Result<u32, XlsxError> {
        let l = *self.layout;
        let m = l.merge_headers;
        let hf = self.header_fmt.clone();
        let spec = report.spec().table(TableKey::Appeals);
        let review = &spec.rows[0];
        self.span(r0, c0, r0, c0 + 4, &l.header(review.label), &hf, m)?;
        self.span(
            r0,
            c0 + 5,
            r0,
            c0 + 14,
            &l.header(LITIGATION_HEADER),
            &hf,
            m,
        )?;
        for (i, col) in review.columns.iter().enumerate() {
            let c = c0 + i as u16;
            self.span(r0 + 1, c, r0 + 2, c, &l.header(l.col_label(col)), &hf, m)?;
        }
        for (g, row) in spec.rows[1..].iter().enumerate() {
            let c = c0 + 5 + 5 * g as u16;
            self.span(r0 + 1, c, r0 + 1, c + 4, &l.header(row.label), &hf, m)?;
            for (i, col) in row.columns.iter().enumerate() {
                self.text(r0 + 2, c + i as u16, &l.header(l.col_label(col)), &hf)?;
            }
        }
        for (g, row) in spec.rows.iter().enumerate() {
            let c = c0 + 5 * g as u16;
            for (i, col) in row.columns.iter().enumerate() {
                let formula = (l.totals_as_formulas && col.key == "total").then(|| {
                    format!(
                        "SUM({}:{})",
                        nianbao::model::cellref::a1(r0 + 3, u32::from(c)),
                        nianbao::model::cellref::a1(r0 + 3, u32::from(c + 3))
                    )
                });
                self.value(
                    r0 + 3,
                    c + i as u16,
                    c + i as u16,
                    report,
                    TableKey::Appeals,
                    row,
                    col,
                    formula,
                )?;
            }
        }
        Ok(4)
    }
}

/// A reference reading of a value cell, independent of nianbao's reader, for tests of this
/// writer and of the committed samples: empty → 0; full-width digits, `．`, `－`; thousands
/// separators; `—` / `无` → 0; a note after the number (`22（其中修订16件）`); a `件`, `元` or `万元`
/// suffix (the unit is returned). `None` when the cell is not a number in one of these forms.
pub fn reference_number(d: &calamine::Data) -> Option<(Decimal, Option<MoneyUnit>)> {
    use calamine::Data;
    use std::str::FromStr;
    match d {
        Data::Empty => Some((Decimal::ZERO, None)),
        Data::Float(f) => Decimal::from_str(&f.to_string()).ok().map(|d| (d, None)),
        Data::Int(i) => Some((Decimal::from(*i), None)),
        Data::String(s) => {
            let s: String = s
                .chars()
                .map(|c| match c {
                    '０'..='９' => {
                        char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c)
                    }
                    '．' => '.',
                    '－' => '-',
                    c => c,
                })
                .filter(|c| *c != ',' && !c.is_whitespace())
                .collect();
            if s == "—" || s == "无" {
                return Some((Decimal::ZERO, None));
            }
            let s = s.split(['（', '(']).next().unwrap_or_default();
            let (num, unit) = if let Some(n) = s.strip_suffix("万元") {
                (n, Some(MoneyUnit::WanYuan))
            } else if let Some(n) = s.strip_suffix('元') {
                (n, Some(MoneyUnit::Yuan))
            } else if let Some(n) = s.strip_suffix('件') {
                (n, None)
            } else {
                (s, None)
            };
            Decimal::from_str(num).ok().map(|d| (d, unit))
        }
        _ => None,
    }
}

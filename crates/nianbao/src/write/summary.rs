//! The roll-up's summary workbook: `汇总` (the official layout, filled with the region's totals),
//! `分单位明细` (one row per file), `校验问题`, `报送情况`, `指标` (the region's ratios and native
//! charts) and `分单位指标` (every file's ratios).
//! Per-file sheets are written in constant-memory mode, streamed as the roll-up reads or from its
//! spool, so the workbook's memory does not grow with the number of agencies.
//!
//! Each sheet prints as what it is: `汇总` as the official template (A4 portrait, one page
//! wide); `校验问题` and `报送情况` as lists (landscape, one page wide, wrapped text, the header
//! repeated: `template::list_page_setup`); `分单位明细`, a sheet for the screen 200-odd
//! columns wide, landscape with the agency column and the two header rows on every page; `指标`
//! its ratios and both charts on one page; `分单位指标` as a list, the agency column repeated.

use crate::write::cell_text;
use std::path::Path;

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Chart, ChartType, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

use super::atomic::WriteError;
use super::target::Target;
use super::template;
use crate::batch::ReadSet;
use crate::model::cellref::col_name;
use crate::model::{Field, FormatVersion, TableKey};
use crate::rollup::metrics::METRICS;
use crate::rollup::roster::CoverageRow;
use crate::rollup::{
    file_findings, Detail, FindingRow, Head, Rollup, RollupError, RollupSink, SinkError,
};

/// Why the summary could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    /// The file could not be written (or would overwrite an input).
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The workbook could not be built.
    #[error("生成汇总工作簿失败：{0}")]
    Xlsx(#[from] XlsxError),
    /// The spooled details could not be read back.
    #[error(transparent)]
    Rollup(#[from] RollupError),
    /// The workbook was already written: a sink is finished once.
    #[error("汇总工作簿已经写出")]
    Finished,
}

struct Formats {
    text: Format,
    /// List text: wrapped in its column, from the top of the cell.
    wrap: Format,
    header: Format,
    number: Format,
    percent: Format,
    /// A ratio that cannot be computed (`N/A`), aligned with the numbers.
    na: Format,
    /// Text set off from a number in the column before it.
    indented: Format,
    bold: Format,
}

impl Formats {
    fn new() -> Self {
        let base = Format::new()
            .set_font_name(template::FONT)
            .set_font_size(10);
        Formats {
            header: base
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color("#DDEBF7")
                .set_border(FormatBorder::Thin),
            number: base.clone().set_num_format("#,##0.####"),
            percent: base.clone().set_num_format("0.00%"),
            na: base.clone().set_align(FormatAlign::Right),
            indented: base.clone().set_indent(1),
            bold: base.clone().set_bold(),
            wrap: base.clone().set_text_wrap().set_align(FormatAlign::Top),
            text: base,
        }
    }
}

/// The height in points of a row of wrapped 10-point text, enough lines for its longest cell
/// ([`super::wrapped_lines`]): `None` for one line.
fn wrapped_height(cells: &[&str], widths: &[f64]) -> Option<f64> {
    let lines = super::wrapped_lines(cells, widths);
    (lines > 1.0).then_some(lines * LINE_PT + 3.0)
}

/// The height of a line of 10-point text, in points.
const LINE_PT: f64 = 13.0;

/// Column widths in Excel units, counting a CJK character as two.
fn width(s: &str) -> f64 {
    (unicode_width::UnicodeWidthStr::width(s) as f64 + 2.0).clamp(6.0, 60.0)
}

/// The name of the sheet holding the region's total in the official layout.
pub const TOTAL_SHEET: &str = "汇总";

/// Write the summary workbook of a finished roll-up atomically to `out` (never over a path of
/// `reads`), all of it after the roll-up (the per-file sheets from the spool). As a
/// [`RollupSink`], [`SummaryWriter`] writes the same workbook with those sheets written while the
/// roll-up reads.
pub fn write_summary(
    rollup: &mut Rollup,
    coverage: &[CoverageRow],
    out: &Path,
    reads: &ReadSet,
) -> Result<(), SummaryError> {
    let mut w = SummaryWriter::create(out, reads)?;
    w.write(rollup, coverage)?;
    Ok(w.out.commit()?)
}

/// The summary workbook, a [`RollupSink`] begun before the roll-up reads. Its per-file sheets
/// (`分单位明细`, 200-odd numbers per file, most of the writing, and `校验问题`) take each file as
/// the roll-up hands it over ([`RollupSink::file`]), on a worker while the next files are read;
/// [`RollupSink::finish`] writes the rest once the totals are known.
///
/// A file is written with the standing it decided for itself. When a duplicate found at the end
/// changes standings ([`Rollup::standings_changed`]), or the files handed over are not the
/// roll-up's, `finish` writes both sheets again from the spool through the same per-file code.
pub struct SummaryWriter {
    /// The workbook being built; taken by `finish`.
    building: Option<Building>,
    out: Target,
}

struct Building {
    wb: Workbook,
    f: Formats,
    files: PerFile,
}

impl SummaryWriter {
    /// Begin the workbook, to be saved to `out`.
    pub fn new(out: Target) -> Result<Self, SummaryError> {
        let mut wb = template::new_workbook("")?;
        let f = Formats::new();
        let files = PerFile::new(&mut wb, &f)?;
        Ok(SummaryWriter {
            building: Some(Building { wb, f, files }),
            out,
        })
    }

    /// Begin the workbook for `output` (never a path of `reads`), made visible when the
    /// roll-up commits.
    pub fn create(output: &Path, reads: &ReadSet) -> Result<Self, SummaryError> {
        Self::new(Target::file(output, reads)?)
    }

    /// The target back, after the roll-up (a memory target's bytes: [`Target::into_bytes`]).
    pub fn into_target(self) -> Target {
        self.out
    }

    /// Write every other sheet and save the workbook to the target (not yet committed).
    fn write(&mut self, rollup: &mut Rollup, coverage: &[CoverageRow]) -> Result<(), SummaryError> {
        let Some(Building { mut wb, f, files }) = self.building.take() else {
            return Err(SummaryError::Finished);
        };
        let (f, wb) = (&f, &mut wb);
        let total = &rollup.total;
        wb.set_properties(&properties(rollup));
        // The per-file sheets make this workbook large; deflate level 1 saves it in about half
        // the time of the default 6 for a file a little larger.
        wb.set_zip_compression_level(1);
        // The region's total is itself a valid report in the official layout: a city can roll up
        // its counties' summaries.
        template::add_report_sheet(wb, TOTAL_SHEET, total, &template::SheetOptions::default())?;

        let stale = rollup.standings_changed
            || files.detail.received != rollup.heads.len()
            || files.detail.format != Some(rollup.format);
        let mut files = if stale {
            let mut again = PerFile::new(wb, f)?;
            rollup.for_each_detail(|head, d| {
                again.add_or_keep_error(head, d, f);
                Ok(())
            })?;
            again
        } else {
            files
        };
        if let Some(e) = files.failed.take() {
            return Err(e.into());
        }
        // The region's own findings (its total's checks, cross-year on the total) come last.
        for d in &rollup.region_findings {
            files.issue(&FindingRow::from(d), f)?;
        }
        let (detail, issues) = files.finish(rollup, f)?;
        wb.push_worksheet(detail);
        wb.push_worksheet(issues);

        // One row per file in these two as well: constant memory, rows written in order.
        let mut cov = wb.new_worksheet_with_constant_memory()?;
        coverage_sheet(&mut cov, rollup, coverage, f)?;
        wb.push_worksheet(cov);
        // Not constant memory: rust_xlsxwriter fills a chart's category and value caches from
        // the cells of its sheet, and a constant-memory sheet has already written them away
        // (the categories were then numeric references with empty caches, and viewers that do
        // not recalculate drew empty charts). It holds the region's ratios and the charts' data
        // only, a few dozen cells; the per-file ratios are a constant-memory sheet of their own.
        metrics_sheet(wb.add_worksheet(), rollup, f)?;
        let mut per_agency = wb.new_worksheet_with_constant_memory()?;
        agency_metrics_sheet(&mut per_agency, rollup, f)?;
        wb.push_worksheet(per_agency);

        let w = self.out.writer()?;
        wb.save_to_writer(std::io::BufWriter::new(w))?;
        let w = self.out.writer()?;
        w.flush().map_err(|e| self.out.error(e))?;
        Ok(())
    }
}

/// The summary's document properties: its title, and nianbao's mark with the region, year,
/// format and the agencies counted ([`Rollup::agencies_counted`]).
fn properties(rollup: &Rollup) -> rust_xlsxwriter::DocProperties {
    let total = &rollup.total;
    let region = total.meta.agency.as_deref().unwrap_or_default();
    let title = template::title(Some(region), Some(rollup.year));
    let mark = crate::model::Mark::summary(
        region,
        rollup.year,
        rollup.format,
        rollup.agencies_counted(),
    );
    template::properties(&format!("{title}汇总"), Some(&mark))
}

impl RollupSink for SummaryWriter {
    /// One file, in input order.
    fn file(&mut self, head: &Head, d: Option<&Detail>, _: &[u8]) -> Result<(), SinkError> {
        let b = self.building.as_mut().ok_or(SummaryError::Finished)?;
        b.files.add(head, d, &b.f).map_err(SummaryError::from)?;
        Ok(())
    }

    fn finish(&mut self, rollup: &mut Rollup, coverage: &[CoverageRow]) -> Result<(), SinkError> {
        Ok(self.write(rollup, coverage)?)
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        Ok(self.out.commit()?)
    }
}

/// The two per-file sheets: `分单位明细` and `校验问题`.
struct PerFile {
    detail: DetailSheet,
    issues: Worksheet,
    issue_row: u32,
    failed: Option<XlsxError>,
}

/// The columns of `校验问题` and their widths: together a landscape A4 page at about 90 %
/// (longer text wraps).
const ISSUE_COLUMNS: [(&str, f64); 7] = [
    ("文件", 30.0),
    ("规则", 6.0),
    ("级别", 6.0),
    ("工作表", 12.0),
    ("单元格", 8.0),
    ("说明", 60.0),
    ("处理建议", 42.0),
];

impl PerFile {
    fn new(wb: &mut Workbook, f: &Formats) -> Result<Self, XlsxError> {
        let detail = DetailSheet::new(wb)?;
        let mut issues = wb.new_worksheet_with_constant_memory()?;
        issues.set_name("校验问题")?;
        for (c, (h, w)) in ISSUE_COLUMNS.iter().enumerate() {
            issues.write_string_with_format(0, c as u16, *h, &f.header)?;
            issues.set_column_width(c as u16, *w)?;
        }
        issues.set_freeze_panes(1, 0)?;
        template::list_page_setup(&mut issues, 1)?;
        Ok(PerFile {
            detail,
            issues,
            issue_row: 1,
            failed: None,
        })
    }

    /// [`add`](Self::add), keeping the first error (the files keep coming from the roll-up).
    fn add_or_keep_error(&mut self, head: &Head, d: Option<&Detail>, f: &Formats) {
        if self.failed.is_none() {
            if let Err(e) = self.add(head, d, f) {
                self.failed = Some(e);
            }
        }
    }

    /// One file: its row of `分单位明细`, and in `校验问题` why it could not be read, the files
    /// it duplicates, and its findings.
    fn add(&mut self, head: &Head, d: Option<&Detail>, f: &Formats) -> Result<(), XlsxError> {
        self.detail.row(head, d, f)?;
        for fr in file_findings(head, d) {
            self.issue(&fr, f)?;
        }
        Ok(())
    }

    fn issue(&mut self, fr: &FindingRow, f: &Formats) -> Result<(), XlsxError> {
        let cells = [
            &fr.file,
            &fr.rule,
            &fr.severity,
            &fr.sheet,
            &fr.cell,
            &fr.message,
            &fr.help,
        ];
        let widths = ISSUE_COLUMNS.map(|(_, w)| w);
        let texts = cells.map(|t| t.as_str());
        if let Some(h) = wrapped_height(&texts, &widths) {
            self.issues.set_row_height(self.issue_row, h)?;
        }
        for (c, v) in cells.iter().enumerate() {
            self.issues.write_string_with_format(
                self.issue_row,
                c as u16,
                cell_text(v),
                &f.wrap,
            )?;
        }
        self.issue_row += 1;
        Ok(())
    }

    fn finish(mut self, rollup: &Rollup, f: &Formats) -> Result<(Worksheet, Worksheet), XlsxError> {
        let last = self.issue_row.saturating_sub(1).max(1);
        self.issues
            .autofilter(0, 0, last, ISSUE_COLUMNS.len() as u16 - 1)?;
        Ok((self.detail.finish(rollup, f)?, self.issues))
    }
}

/// `分单位明细`: a header of every field's label and key, one row per file, a totals row.
struct DetailSheet {
    ws: Worksheet,
    /// The version whose fields are the columns: that of the first file with a known year (a
    /// roll-up of two versions is refused), `None` until one has come.
    format: Option<FormatVersion>,
    /// Files handed over before that one, waiting for the header.
    waiting: Vec<(Head, Option<Detail>)>,
    next_row: u32,
    received: usize,
    /// The widest text written in each of [`FITTED`]'s columns, as [`width`] counts it.
    fitted: [f64; FITTED.len()],
}

/// The columns of `分单位明细` made as wide as their text (agency, file, standing), so that
/// printed pages cut none of it; at most [`width`]'s limit.
const FITTED: [u16; 3] = [0, 1, 4];

/// The width of `分单位明细`'s value columns (character units).
const DETAIL_VALUE_WIDTH: f64 = 14.0;

/// The label of `分单位明细`'s totals row.
const DETAIL_TOTAL: &str = "合计（计入汇总的单位）";

/// Columns before the fields'.
const DETAIL_FIXED: [&str; 8] = [
    "单位名称",
    "文件",
    "格式版本",
    "年度",
    "状态",
    "计入汇总",
    "错误数",
    "警告数",
];

impl DetailSheet {
    fn new(wb: &mut Workbook) -> Result<Self, XlsxError> {
        let mut ws = wb.new_worksheet_with_constant_memory()?;
        ws.set_name("分单位明细")?;
        detail_page_setup(&mut ws)?;
        Ok(DetailSheet {
            ws,
            format: None,
            waiting: Vec::new(),
            next_row: 2,
            received: 0,
            // the totals row's label stands in the agency column
            fitted: FITTED.map(|c| match c {
                0 => width(DETAIL_TOTAL),
                _ => width(DETAIL_FIXED[c as usize]),
            }),
        })
    }

    fn row(&mut self, head: &Head, d: Option<&Detail>, f: &Formats) -> Result<(), XlsxError> {
        self.received += 1;
        if self.format.is_none() {
            match head
                .format
                .filter(|_| head.fatal.is_none() && head.year.is_some())
            {
                Some(v) => {
                    self.header(v, f)?;
                    for (h, d) in std::mem::take(&mut self.waiting) {
                        self.data_row(&h, d.as_ref())?;
                    }
                }
                None => {
                    self.waiting.push((head.clone(), d.cloned()));
                    return Ok(());
                }
            }
        }
        self.data_row(head, d)
    }

    /// The label row and the key row (constant-memory sheets take rows in order).
    fn header(&mut self, v: FormatVersion, f: &Formats) -> Result<(), XlsxError> {
        self.format = Some(v);
        let ws = &mut self.ws;
        let first_value_col = DETAIL_FIXED.len() as u16;
        for (c, h) in DETAIL_FIXED.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &f.header)?;
            ws.set_column_width(c as u16, if c < 2 { 30.0 } else { width(h) })?;
        }
        let fields: Vec<Field> = v.spec().fields().collect();
        let mut labels = Vec::with_capacity(fields.len());
        for (i, fl) in fields.iter().enumerate() {
            let c = first_value_col + i as u16;
            let unit = fl
                .col
                .kind
                .canonical_unit()
                .map(|u| format!("（{}）", u.label()))
                .unwrap_or_default();
            let label = format!(
                "{}·{}·{}{unit}",
                table_no(fl.table),
                fl.row.label,
                fl.col.label
            );
            ws.write_string_with_format(0, c, &label, &f.header)?;
            ws.set_column_width(c, DETAIL_VALUE_WIDTH)?;
            labels.push(label);
        }
        // as tall as the longest label wraps (the row is still the current one)
        let texts: Vec<&str> = labels.iter().map(String::as_str).collect();
        let height = wrapped_height(&texts, &vec![DETAIL_VALUE_WIDTH; texts.len()]);
        ws.set_row_height(0, height.unwrap_or(0.0).max(60.0))?;
        // the keys wrap in their column: three lines
        ws.set_row_height(1, 3.0 * LINE_PT + 3.0)?;
        for c in 0..first_value_col {
            ws.write_string_with_format(1, c, "", &f.header)?;
        }
        for (i, fl) in fields.iter().enumerate() {
            let key = format!("{}.{}.{}", fl.table.key(), fl.row.key, fl.col.key);
            ws.write_string_with_format(1, first_value_col + i as u16, key, &f.header)?;
        }
        ws.set_freeze_panes(2, 1)?;
        Ok(())
    }

    /// One file, in the workbook's default format: rust_xlsxwriter hashes the whole `Format` on
    /// every formatted write, which was a third of this sheet's cost. The values are written
    /// only for a report of the sheet's version.
    fn data_row(&mut self, head: &Head, d: Option<&Detail>) -> Result<(), XlsxError> {
        let (ws, row) = (&mut self.ws, self.next_row);
        self.next_row += 1;
        let agency = cell_text(head.agency.as_deref().unwrap_or(""));
        let display = cell_text(&head.display);
        for (w, text) in self
            .fitted
            .iter_mut()
            .zip([&*agency, &*display, head.standing.label()])
        {
            *w = w.max(width(text));
        }
        ws.write_string(row, 0, agency)?;
        ws.write_string(row, 1, display)?;
        ws.write_string(row, 2, head.format.map_or("", |v| v.id()))?;
        if let Some(y) = head.year {
            ws.write_number(row, 3, y)?;
        }
        ws.write_string(row, 4, head.standing.label())?;
        ws.write_number(row, 5, u8::from(head.standing.counted()))?;
        ws.write_number(row, 6, head.errors as f64)?;
        ws.write_number(row, 7, head.warnings as f64)?;
        let first_value_col = DETAIL_FIXED.len() as u16;
        let values = d.filter(|_| head.format == self.format);
        for (i, v) in values.iter().flat_map(|d| d.values.iter().enumerate()) {
            if let Some(v) = v {
                ws.write_number(row, first_value_col + i as u16, decimal_f64(*v))?;
            }
        }
        Ok(())
    }

    /// The totals row (formulas over the counted rows, with the results) and the filter.
    fn finish(mut self, rollup: &Rollup, f: &Formats) -> Result<Worksheet, XlsxError> {
        let ws = &mut self.ws;
        // column widths are written when the workbook is saved, rows already written or not
        for (c, w) in FITTED.iter().zip(self.fitted) {
            ws.set_column_width(*c, w)?;
        }
        let first_value_col = DETAIL_FIXED.len() as u16;
        let total_row = self.next_row;
        ws.write_string_with_format(total_row, 0, DETAIL_TOTAL, &f.bold)?;
        let last = total_row.max(3);
        let flag = format!("$F$3:$F${last}");
        // The region total is the sum of the counted rows, by construction of the roll-up.
        let totals = rollup.total.values();
        for (i, t) in totals.iter().map(|v| v.value).enumerate() {
            let c = col_name((first_value_col + i as u16) as u32);
            let formula = Formula::new(format!("=SUMIFS({c}3:{c}{last},{flag},1)"))
                .set_result(t.normalize().to_string());
            ws.write_formula_with_format(total_row, first_value_col + i as u16, formula, &f.bold)?;
        }
        ws.autofilter(
            1,
            0,
            total_row - 1,
            first_value_col + totals.len() as u16 - 1,
        )?;
        Ok(self.ws)
    }
}

/// `分单位明细` is for the screen (frozen panes, filters); printed, each landscape page carries
/// the agency column and both header rows, at a scale that puts about 15 value columns on a
/// page, page after page across before going down (one band of agencies, all its numbers).
fn detail_page_setup(ws: &mut Worksheet) -> Result<(), XlsxError> {
    ws.set_paper_size(template::A4)
        .set_landscape()
        .set_print_scale(DETAIL_PRINT_SCALE)
        .set_page_order(false)
        .set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3)
        .set_footer(template::PAGE_FOOTER);
    ws.set_repeat_rows(0, 1)?;
    ws.set_repeat_columns(0, 0)?;
    Ok(())
}

/// The print scale of `分单位明细`, in percent.
const DETAIL_PRINT_SCALE: u16 = 60;

fn table_no(t: TableKey) -> &'static str {
    match t {
        TableKey::Proactive => "二",
        TableKey::Requests => "三",
        TableKey::Appeals => "四",
    }
}

/// A decimal as the float Excel stores (the exact value stays in the CSV and JSON): integers
/// below 2^53 (every count) convert exactly; others through their decimal text, the nearest float.
fn decimal_f64(d: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    match d.to_i64() {
        Some(i) if d.is_integer() && i.unsigned_abs() < 1 << 53 => i as f64,
        _ => d.normalize().to_string().parse().unwrap_or(0.0),
    }
}

fn coverage_sheet(
    ws: &mut Worksheet,
    rollup: &Rollup,
    coverage: &[CoverageRow],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name("报送情况")?;
    let cols = [
        "状态",
        "名单中的单位",
        "区划代码",
        "层级",
        "上级",
        "报送的单位名称",
        "文件",
        "说明",
    ];
    let widths = [10.0, 26.0, 10.0, 6.0, 16.0, 26.0, 32.0, 50.0];
    for (c, h) in cols.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
        ws.set_column_width(c as u16, widths[c])?;
    }
    ws.set_freeze_panes(1, 0)?;
    template::list_page_setup(ws, 1)?;
    let mut r = 1;
    for row in coverage {
        let e = row.entry.as_ref();
        let cells = [
            row.coverage.label(),
            e.map_or("", |e| e.name.as_str()),
            e.and_then(|e| e.code.as_deref()).unwrap_or(""),
            e.and_then(|e| e.level.as_deref()).unwrap_or(""),
            e.and_then(|e| e.parent.as_deref()).unwrap_or(""),
            row.submitted_name.as_deref().unwrap_or(""),
            row.file.as_deref().unwrap_or(""),
            row.note.as_str(),
        ];
        if let Some(h) = wrapped_height(&cells, &widths) {
            ws.set_row_height(r, h)?;
        }
        for (c, v) in cells.iter().enumerate() {
            ws.write_string_with_format(r, c as u16, cell_text(v), &f.wrap)?;
        }
        r += 1;
    }
    // Without a roster (or for files the roster cannot place): every file and where it stands.
    for head in rollup
        .heads
        .iter()
        .filter(|h| coverage.is_empty() || h.fatal.is_some())
    {
        let cells = [
            head.standing.label(),
            "",
            "",
            "",
            "",
            head.agency.as_deref().unwrap_or(""),
            head.display.as_str(),
            head.fatal.as_deref().unwrap_or(""),
        ];
        if let Some(h) = wrapped_height(&cells, &widths) {
            ws.set_row_height(r, h)?;
        }
        for (c, v) in cells.iter().enumerate() {
            ws.write_string_with_format(r, c as u16, cell_text(v), &f.wrap)?;
        }
        r += 1;
    }
    ws.autofilter(0, 0, r.saturating_sub(1).max(1), cols.len() as u16 - 1)?;
    Ok(())
}

/// Width of a metric's column in `分单位指标`, and of the definitions' column in `指标` (character
/// units).
const METRIC_WIDTH: f64 = 12.0;
const DEFINITION_WIDTH: f64 = 60.0;
/// The workbook's default row height in pixels ([`template::new_workbook`]).
const ROW_PX: u32 = 18;

/// A column's width in pixels, as Excel draws a width in character units with the workbook's
/// default font (宋体 11: 8 px a character plus 5 of padding).
fn column_px(width: f64) -> u32 {
    (width * 8.0).round() as u32 + 5
}

fn metrics_sheet(ws: &mut Worksheet, rollup: &Rollup, f: &Formats) -> Result<(), XlsxError> {
    let name = "指标";
    ws.set_name(name)?;
    let total = &rollup.total;
    // Region ratios, with their definitions.
    ws.write_string_with_format(0, 0, "指标", &f.header)?;
    ws.write_string_with_format(0, 1, "全区", &f.header)?;
    // Columns: name | region | definitions, under which the pie chart stands | the bar chart.
    let def_col = 2;
    ws.write_string_with_format(0, def_col, "计算方法", &f.header)?;
    ws.set_column_width(0, 30.0)?;
    ws.set_column_width(1, 16.0)?;
    ws.set_column_width(def_col, DEFINITION_WIDTH)?;
    ws.set_column_width(def_col + 1, DEFINITION_WIDTH)?;
    for (i, m) in METRICS.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string_with_format(r, 0, m.name, &f.text)?;
        match m.of(total) {
            Some(v) => ws.write_number_with_format(r, 1, decimal_f64(v), &f.percent)?,
            None => ws.write_string_with_format(r, 1, "N/A", &f.na)?,
        };
        ws.write_string_with_format(r, def_col, m.formula, &f.indented)?;
    }
    // Chart data: applicant mix of new applications, and outcome distribution (总计 column).
    let req = TableKey::Requests;
    let get = |row: &str, col: &str| total.get(req, row, col).map_or(Decimal::ZERO, |v| v.value);
    let mix_top = METRICS.len() as u32 + 2;
    ws.write_string_with_format(mix_top, 0, "本年新收申请的申请人构成", &f.header)?;
    ws.write_string_with_format(mix_top, 1, "件数", &f.header)?;
    let columns = total.spec().table(req).rows[0].columns;
    for (i, c) in columns[..6].iter().enumerate() {
        let r = mix_top + 1 + i as u32;
        ws.write_string_with_format(r, 0, c.label, &f.text)?;
        ws.write_number_with_format(r, 1, decimal_f64(get("new", c.key)), &f.number)?;
    }
    let out_top = mix_top + 8;
    ws.write_string_with_format(out_top, 0, "办理结果分布（总计列）", &f.header)?;
    ws.write_string_with_format(out_top, 1, "件数", &f.header)?;
    let groups: Vec<(&str, Decimal)> = outcome_groups(total);
    for (i, (label, v)) in groups.iter().enumerate() {
        let r = out_top + 1 + i as u32;
        ws.write_string_with_format(r, 0, *label, &f.text)?;
        ws.write_number_with_format(r, 1, decimal_f64(*v), &f.number)?;
    }
    // The charts stand beside their data, side by side over the rows of both data blocks (the
    // definitions' column and the next), so that one page holds the ratios and both charts.
    let data_end = out_top + groups.len() as u32;
    let height = (data_end + 1 - mix_top) * ROW_PX;
    let mut pie = Chart::new(ChartType::Pie);
    pie.title().set_name("申请人构成（本年新收）");
    pie.add_series()
        .set_categories((name, mix_top + 1, 0, mix_top + 6, 0))
        .set_values((name, mix_top + 1, 1, mix_top + 6, 1));
    pie.set_width(column_px(DEFINITION_WIDTH) - 4)
        .set_height(height);
    ws.insert_chart(mix_top, def_col, &pie)?;
    let mut bar = Chart::new(ChartType::Column);
    bar.title().set_name("办理结果分布");
    bar.legend().set_hidden();
    bar.add_series()
        .set_categories((name, out_top + 1, 0, data_end, 0))
        .set_values((name, out_top + 1, 1, data_end, 1));
    bar.set_width(column_px(DEFINITION_WIDTH) - 4)
        .set_height(height);
    ws.insert_chart(mix_top, def_col + 1, &bar)?;

    // One landscape page: the ratios and both charts whole.
    ws.set_paper_size(template::A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 1)
        .set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3)
        .set_footer(template::PAGE_FOOTER);
    Ok(())
}

/// The name of the sheet of every file's ratios.
pub const AGENCY_METRICS_SHEET: &str = "分单位指标";

/// `分单位指标`: every file's ratios ([`Head::metrics`]), one row per file in input order, in a
/// constant-memory sheet; printed as a list (landscape, one page wide, the header on every page),
/// the agency column and the header frozen and repeated.
fn agency_metrics_sheet(ws: &mut Worksheet, rollup: &Rollup, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(AGENCY_METRICS_SHEET)?;
    ws.write_string_with_format(0, 0, "单位", &f.header)?;
    ws.write_string_with_format(0, 1, "状态", &f.header)?;
    ws.set_column_width(0, 30.0)?;
    ws.set_column_width(1, 16.0)?;
    for (i, m) in METRICS.iter().enumerate() {
        ws.write_string_with_format(0, 2 + i as u16, m.name, &f.header)?;
        ws.set_column_width(2 + i as u16, METRIC_WIDTH)?;
    }
    ws.set_freeze_panes(1, 1)?;
    template::list_page_setup(ws, 1)?;
    ws.set_repeat_columns(0, 0)?;
    for (k, head) in rollup.heads.iter().enumerate() {
        let r = 1 + k as u32;
        ws.write_string_with_format(
            r,
            0,
            cell_text(head.agency.as_deref().unwrap_or(&head.display)),
            &f.text,
        )?;
        ws.write_string_with_format(r, 1, head.standing.label(), &f.text)?;
        for (i, m) in head.metrics.iter().enumerate() {
            match m {
                Some(v) => {
                    ws.write_number_with_format(r, 2 + i as u16, decimal_f64(*v), &f.percent)?
                }
                None => ws.write_string_with_format(r, 2 + i as u16, "N/A", &f.na)?,
            };
        }
    }
    let last = (rollup.heads.len() as u32).max(1);
    ws.autofilter(0, 0, last, 1 + METRICS.len() as u16)?;
    Ok(())
}

/// The result groups of table 三 (总计 column), summed per group.
fn outcome_groups(total: &crate::model::Report) -> Vec<(&'static str, Decimal)> {
    let spec = total.spec().table(TableKey::Requests);
    let mut out: Vec<(&'static str, Decimal)> = Vec::new();
    for row in crate::model::spec::result_rows(spec) {
        let label = match row.group {
            Some(g) if g != crate::model::spec::RESULTS_GROUP => g,
            _ => row.label,
        };
        // Chart categories without the numbering, so the sheet holds no table row label.
        let label = label.split_once('）').map_or(label, |(_, rest)| rest);
        let label = label.split_once('（').map_or(label, |(head, _)| head);
        let v = total
            .get(TableKey::Requests, row.key, "total")
            .map_or(Decimal::ZERO, |v| v.value);
        match out.last_mut() {
            // chart data only: a total too large to add is shown at the largest number
            Some((l, acc)) if *l == label => *acc = acc.saturating_add(v),
            _ => out.push((label, v)),
        }
    }
    out
}

/// A roll-up's outputs as files: the summary workbook and, if asked, the long CSV, each in a
/// temporary file beside its destination until the roll-up commits them.
pub struct RollupFiles {
    /// The summary workbook.
    pub summary: SummaryWriter,
    /// The long CSV (one line per number per file), if asked for.
    pub csv: Option<super::csv::RollupCsv>,
}

impl RollupFiles {
    /// Begin the outputs, refusing any that is a path of `reads` (for a roll-up,
    /// [`RollupJob::read_set`](crate::rollup::RollupJob::read_set)).
    pub fn create(
        summary: &Path,
        csv: Option<&Path>,
        reads: &ReadSet,
    ) -> Result<Self, SummaryError> {
        Ok(RollupFiles {
            summary: SummaryWriter::create(summary, reads)?,
            csv: csv
                .map(|p| super::csv::RollupCsv::create(p, reads))
                .transpose()?,
        })
    }

    /// The sinks to hand to [`crate::rollup::run`].
    pub fn sinks(&mut self) -> Vec<&mut dyn RollupSink> {
        let mut out: Vec<&mut dyn RollupSink> = vec![&mut self.summary];
        if let Some(csv) = &mut self.csv {
            out.push(csv);
        }
        out
    }
}

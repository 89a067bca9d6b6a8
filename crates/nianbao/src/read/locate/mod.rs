//! Locating the three tables in a [`Grid`] by their labels, and turning them into a [`Report`].
//!
//! Nothing here uses a fixed cell address. Each table is found from an anchor label (`自然人` for
//! table 三, every `信息内容` header row for table 二, `行政复议` for table 四), its columns from the
//! header labels near the anchor, its rows from the label cells left of the numbers. Labels are
//! compared by their [`core`](super::normalize::core), so punctuation width, spaces, line breaks,
//! numbering style and repeated or merged group labels do not matter.
//!
//! Choosing among candidates: a table found on several sheets is taken from the visible one; two
//! visible candidates (or two copies on one sheet) are an error naming both; a copy on a hidden
//! sheet, or in hidden rows or columns, is ignored with a warning (I8), or used with a warning
//! when it is the only one.
//!
//! The rooms: [`index`] (text cells and label cores), one finder per table ([`proactive`] 二,
//! [`requests`] 三, [`appeals`] 四), [`version`] detection, [`meta`] (agency and year),
//! [`candidate`] (where a copy of a table was found), [`mod@choose`] (the choice among
//! candidates on visible and hidden sheets), [`mod@read_value`] (a cell's value and
//! findings), and here the assembly of the report.

mod appeals;
mod candidate;
mod choose;
mod index;
mod meta;
mod proactive;
mod prose_meta;
mod read_value;
mod requests;
#[cfg(test)]
mod tests;
mod version;

use std::path::Path;

use self::appeals::find_appeals;
use self::choose::choose;
use self::index::Indexed;
use self::meta::find_meta;
use self::prose_meta::prose_meta;
use self::read_value::{read_value, Cell};
use self::requests::find_requests;
use self::version::{decide_version, version_evidence};
use super::grid::Grid;
use super::open::{read_grid, Limits};
use crate::diag::{Diagnostic, Rule};
use crate::error::ReadError;
use crate::model::spec::RowSpec;
use crate::model::{FormatVersion, Meta, MetaSource, Report, TableKey};
use crate::wording::Wording;

/// How to read one file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Size limits checked before and while reading (see [`Limits`]).
    pub limits: Limits,
    /// Overrides the agency name found in the workbook.
    pub agency: Option<String>,
    /// Overrides the report year found in the workbook.
    pub year: Option<u16>,
    /// The year of the roll-up the file is read for: taken when the file states none (with a
    /// note, I9); a file that states another keeps its own (the roll-up judges it).
    pub batch_year: Option<u16>,
    /// The format version to assume when no label tells it (labels always win).
    pub format: Option<FormatVersion>,
    /// How help texts name the caller's settings (see [`Wording`]).
    pub wording: Wording,
}

/// Read a workbook file into a report and its reading findings.
pub fn read_report(
    path: &Path,
    display: &str,
    opts: &ReadOptions,
) -> Result<(Report, Vec<Diagnostic>), ReadError> {
    let grid = read_grid(path, display, &opts.limits)?;
    locate(&grid, opts)
}

/// [`read_report`] of a file's bytes already in memory (an upload): `display` names it in
/// messages and, like a file's name, may tell the agency and year; it is never used as a path.
pub fn read_report_bytes(
    bytes: &[u8],
    display: &str,
    opts: &ReadOptions,
) -> Result<(Report, Vec<Diagnostic>), ReadError> {
    let grid = crate::read::read_grid_bytes(bytes, display, &opts.limits)?;
    locate(&grid, opts)
}

/// Locate the tables of a grid and build the report with its reading findings.
pub fn locate(grid: &Grid, opts: &ReadOptions) -> Result<(Report, Vec<Diagnostic>), ReadError> {
    let ixs: Vec<Indexed> = grid.sheets.iter().map(Indexed::new).collect();
    let file = grid.source.as_str();
    let evidence = version_evidence(&ixs);
    let mut findings = Vec::new();

    // Without any evidence, still tell "no tables at all" apart from "version unknown".
    let version = match decide_version(grid, &evidence, opts) {
        Ok(v) => v,
        Err(ReadError::VersionUnknown { .. }) => {
            let any = FormatVersion::ALL.iter().any(|v| {
                ixs.iter().enumerate().any(|(i, ix)| {
                    !find_requests(ix, i, *v).is_empty() || !find_appeals(ix, i, *v).is_empty()
                })
            });
            return Err(if any {
                ReadError::VersionUnknown { path: file.into() }
            } else {
                ReadError::NoTables { path: file.into() }
            });
        }
        Err(e) => return Err(e),
    };

    let chosen = choose(grid, &ixs, version, file, &mut findings)?;
    if chosen.is_empty() {
        return Err(ReadError::NoTables { path: file.into() });
    }

    let table_sheets: Vec<usize> = chosen.iter().map(|c| c.sheet).collect();
    // a published document's prose states them too (issue 11)
    let said = prose_meta(&grid.prose);
    let found = find_meta(&ixs, &table_sheets, file, opts.batch_year, &said);
    let (agency, agency_from, agency_cell) = match (&opts.agency, found.agency) {
        (Some(a), _) => (Some(a.clone()), Some(MetaSource::Given), None),
        (None, Some(c)) => (Some(c.value), Some(c.from), c.cell),
        (None, None) => (None, None, None),
    };
    let (year, year_from, year_cell) = match (opts.year, found.year) {
        (Some(y), _) => (Some(y), Some(MetaSource::Given), None),
        (None, Some(c)) => (Some(c.value), Some(c.from), c.cell),
        (None, None) => (None, None, None),
    };
    let meta = Meta {
        agency,
        year,
        format: version,
        source: file.to_string(),
        agency_cell,
        year_cell,
        agency_from,
        year_from,
    };
    findings.extend(said.disagreements(
        meta.agency.as_deref().zip(meta.agency_from),
        meta.year.zip(meta.year_from),
        file,
    ));
    if let Some(d) = meta_finding(&meta, &opts.wording) {
        findings.push(d);
    }

    let mut report = Report::empty(meta);
    report.prose = grid.prose.clone();
    report.mark = crate::read::mark::mark_of(grid);
    for table in TableKey::ALL {
        let Some(cand) = chosen.iter().find(|c| c.table == table) else {
            findings.push(
                Diagnostic::new(Rule::I1, file, format!("未找到{}", table.short()))
                    .help(format!("请补充“{}”，并保留原始行列标签。", table.title())),
            );
            continue;
        };
        let ix = &ixs[cand.sheet];
        let spec = version.spec().table(table);
        for row in spec
            .rows
            .iter()
            .filter(|r| !cand.rows_found.contains(&r.key))
        {
            findings.push(
                Diagnostic::new(
                    Rule::I2,
                    file,
                    format!("{}缺少行“{}”", table.short(), row_title(row)),
                )
                .at(Some(&ix.cell(cand.anchor.0, cand.anchor.1)))
                .help("请按官方格式补上该行，行标签文字须与格式一致。"),
            );
        }
        let mut reported_cols: Vec<&str> = Vec::new();
        for (c, at) in &cand.missing_cols {
            if reported_cols.contains(&c.key) {
                continue;
            }
            reported_cols.push(c.key);
            findings.push(
                Diagnostic::new(
                    Rule::I3,
                    file,
                    format!("{}缺少列“{}”", table.short(), c.label),
                )
                .at(Some(&ix.cell(at.0, at.1)))
                .help("请按官方格式补上该列，列标题文字须与格式一致。"),
            );
        }
        let fields = version.spec().fields().enumerate();
        for (i, f) in fields.filter(|(_, f)| f.table == table) {
            let Some(&(r, col)) = cand.cells.get(&(f.row.key, f.col.key)) else {
                continue;
            };
            let at = ix.cell(r, col);
            let cell = match ix.sheet.unread.get(&(r, col)) {
                Some(why) => Cell::Unread(ix.sheet.get(r, col), why),
                None => Cell::Read(ix.sheet.get(r, col)),
            };
            let value = read_value(cell, f.col, at, f.row, file, &mut findings);
            report.values_mut()[i] = value;
        }
    }
    Ok((report, findings))
}

/// The I9 note of a report whose agency or year the workbook does not state: not found at all,
/// taken from the file name, or taken as the roll-up's year. One finding, saying each.
fn meta_finding(meta: &Meta, wording: &Wording) -> Option<Diagnostic> {
    let mut said = Vec::new();
    let mut fill = Vec::new();
    match (&meta.agency, meta.agency_from) {
        (None, _) => {
            said.push("未找到单位名称".to_string());
            fill.push("“填报单位：…”".to_string());
        }
        (Some(a), Some(MetaSource::FileName)) => {
            said.push(format!("工作簿中没有写明单位名称，按文件名取为“{a}”"));
            fill.push(format!("“填报单位：{a}”"));
        }
        _ => {}
    }
    match (meta.year, meta.year_from) {
        (None, _) => {
            said.push("未找到统计年度".to_string());
            fill.push("“统计年度：…”".to_string());
        }
        (Some(y), Some(MetaSource::FileName)) => {
            said.push(format!("工作簿中没有写明统计年度，按文件名取为 {y} 年"));
            fill.push(format!("“统计年度：{y}”"));
        }
        (Some(y), Some(MetaSource::Batch)) => {
            said.push(format!("工作簿中没有写明统计年度，按汇总年度 {y} 年计入"));
            fill.push(format!("“统计年度：{y}”"));
        }
        _ => {}
    }
    if said.is_empty() {
        return None;
    }
    let unknown = meta.agency.is_none() || meta.year.is_none();
    let help = format!(
        "请在工作簿表头填写{}{}",
        fill.join("、"),
        if unknown {
            format!("，{}", wording.agency_year)
        } else {
            "（并核对上面取得的值）。".to_string()
        }
    );
    Some(Diagnostic::new(Rule::I9, &meta.source, said.join("；")).help(help))
}

fn row_title(row: &RowSpec) -> String {
    match row.group {
        Some(g) if !row.label.starts_with(['（', '一', '二', '四']) => {
            format!("{g} {}", row.label)
        }
        _ => row.label.to_string(),
    }
}

//! calamine's dense ranges (xls and ods) → sheets of non-empty cells at absolute positions. The
//! format's guard has bounded the ranges' size before calamine builds them.

use std::io::{Read, Seek};

use calamine::{Data, DataType, Reader, SheetType, SheetVisible};

use super::grid::{CellValue, Rect, Sheet};
use super::open::Ctx;
use crate::error::ReadError;

fn visible(v: SheetVisible) -> bool {
    matches!(v, SheetVisible::Visible)
}

fn rect(d: calamine::Dimensions) -> Rect {
    Rect {
        first_row: d.start.0,
        first_col: d.start.1,
        last_row: d.end.0,
        last_col: d.end.1,
    }
}

/// A calamine value as a grid cell; `None` for empty (including the empty string).
///
/// Dates: a cell formatted as a date still holds a number, and in these tables any number is a
/// count or an amount, so the serial number is kept as [`CellValue::Number`]. ISO dates and
/// durations (ods) are kept as text.
fn cell_from_data(v: &Data) -> Option<CellValue> {
    Some(match v {
        Data::Int(i) => CellValue::Int(*i),
        Data::Float(f) => CellValue::Number(*f),
        Data::String(s) if s.is_empty() => return None,
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(d) => CellValue::Number(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Error(e) => CellValue::Error(e.to_string()),
        Data::Empty => return None,
    })
}

/// Every worksheet of an xls or ods workbook, through calamine's dense ranges (the guards have
/// bounded their size before this point). `each` completes a sheet with what calamine does not
/// read, given its index among all the workbook's sheets (worksheets or not).
pub(super) fn sheets_from_ranges<R, W>(
    wb: &mut W,
    ctx: &Ctx,
    err: impl Fn(W::Error) -> ReadError,
    merges: impl Fn(&mut W, &str) -> Result<Vec<calamine::Dimensions>, ReadError>,
    each: impl Fn(usize, &mut Sheet),
) -> Result<Vec<Sheet>, ReadError>
where
    R: Read + Seek,
    W: Reader<R>,
{
    let metas: Vec<calamine::Sheet> = wb.sheets_metadata().to_vec();
    if metas.is_empty() {
        return Err(ctx.no_sheets());
    }
    ctx.check_sheet_count(metas.len())?;
    let mut sheets = Vec::new();
    for (i, meta) in metas.iter().enumerate() {
        if meta.typ != SheetType::WorkSheet {
            continue;
        }
        let values = wb.worksheet_range(&meta.name).map_err(&err)?;
        let formulas = wb.worksheet_formula(&meta.name).map_err(&err)?;
        let merged = merges(wb, &meta.name)?;
        let mut sheet = sheet_from_ranges(
            &meta.name,
            meta.visible,
            &values,
            Some(&formulas),
            merged,
            ctx,
        )?;
        each(i, &mut sheet);
        sheets.push(sheet);
    }
    Ok(sheets)
}

/// Cells of a dense calamine range (and its formulas) at absolute positions.
pub(super) fn sheet_from_ranges(
    name: &str,
    vis: SheetVisible,
    values: &calamine::Range<Data>,
    formulas: Option<&calamine::Range<String>>,
    merges: Vec<calamine::Dimensions>,
    ctx: &Ctx,
) -> Result<Sheet, ReadError> {
    let mut sheet = Sheet::new(name);
    sheet.visible = visible(vis);
    if let Some((r0, c0)) = values.start() {
        for (r, c, v) in values.used_cells() {
            if let Some(cell) = cell_from_data(v) {
                let (row, col) = (r0 + r as u32, c0 + c as u32);
                ctx.check_pos(name, row, col)?;
                sheet.set(row, col, cell);
            }
        }
    }
    if let Some(f) = formulas {
        if let Some((r0, c0)) = f.start() {
            for (r, c, text) in f.used_cells() {
                let (row, col) = (r0 + r as u32, c0 + c as u32);
                if text.is_empty() || sheet.cells.contains_key(&(row, col)) {
                    continue;
                }
                let has_value = values.get_value((row, col)).is_some_and(|v| !v.is_empty());
                if !has_value {
                    ctx.check_pos(name, row, col)?;
                    sheet.set(row, col, CellValue::FormulaNotCalculated(text.clone()));
                }
            }
        }
    }
    sheet.merges = merges.into_iter().map(rect).collect();
    Ok(sheet)
}

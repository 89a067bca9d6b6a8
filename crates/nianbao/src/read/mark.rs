//! nianbao's [`Mark`] on a workbook read: from its custom document properties, and for a
//! summary whose agency list is not whole there (an editor cut the property short), from the
//! summary's own per-agency sheet.

use super::grid::{CellValue, Grid};
use crate::model::{Mark, MarkKind};

/// The per-agency sheet of a roll-up summary, and the headers of its agency and counted columns
/// (as `crate::write::summary` writes them; `tests/rollup.rs` reads a summary back both ways).
const DETAIL_SHEET: &str = "分单位明细";
const AGENCY_HEADER: &str = "单位名称";
const COUNTED_HEADER: &str = "计入汇总";

/// The mark of `grid`, if nianbao wrote the workbook; a summary's agencies taken from its
/// per-agency sheet (the agencies of the rows counted) when the mark does not list them whole.
/// A summary that counted other summaries lists their regions there, not their agencies.
pub(crate) fn mark_of(grid: &Grid) -> Option<Mark> {
    let mut mark = Mark::from_properties(&grid.properties)?;
    if mark.kind == MarkKind::Summary && mark.agencies.is_none() {
        mark.agencies = counted_agencies(grid);
    }
    Some(mark)
}

/// The agencies of the rows counted on the per-agency sheet, if the grid has that sheet.
fn counted_agencies(grid: &Grid) -> Option<Vec<String>> {
    let sheet = grid.sheets.iter().find(|s| s.name == DETAIL_SHEET)?;
    let header = |label: &str| {
        sheet
            .cells
            .range((0, 0)..(1, 0))
            .find(|(_, v)| matches!(v, CellValue::Text(t) if t == label))
            .map(|(&(_, c), _)| c)
    };
    let (agency, counted) = (header(AGENCY_HEADER)?, header(COUNTED_HEADER)?);
    let last = sheet.cells.keys().map(|&(r, _)| r).max().unwrap_or(0);
    let yes = |r: u32| match sheet.get(r, counted) {
        Some(CellValue::Number(n)) => *n == 1.0,
        Some(CellValue::Int(n)) => *n == 1,
        _ => false,
    };
    Some(
        (1..=last)
            .filter(|&r| yes(r))
            .filter_map(|r| sheet.text(r, agency))
            .filter(|a| !a.is_empty())
            .collect(),
    )
}

//! The choice among the candidates of a table.
//!
//! A table found on several sheets is taken from the visible one; two visible candidates (or two
//! copies on one sheet) are an error naming both; a copy on a hidden sheet, or in hidden rows or
//! columns of a visible one, is ignored with a warning (I8), or used with a warning when it is the
//! only one.

use super::appeals::find_appeals;
use super::candidate::Candidate;
use super::index::Indexed;
use super::proactive::find_proactive;
use super::requests::find_requests;
use crate::diag::{Diagnostic, Rule};
use crate::error::ReadError;
use crate::model::{CellRef, FormatVersion, TableKey};
use crate::read::grid::Grid;

/// Every table's candidates on every sheet, and the one taken for it (none when a table is on no
/// sheet). Warnings about hidden copies go to `findings`.
pub(super) fn choose(
    grid: &Grid,
    ixs: &[Indexed],
    version: FormatVersion,
    file: &str,
    findings: &mut Vec<Diagnostic>,
) -> Result<Vec<Candidate>, ReadError> {
    let mut chosen: Vec<Candidate> = Vec::new();
    for table in TableKey::ALL {
        let finder = match table {
            TableKey::Proactive => find_proactive,
            TableKey::Requests => find_requests,
            TableKey::Appeals => find_appeals,
        };
        let mut cands: Vec<Candidate> = ixs
            .iter()
            .enumerate()
            .flat_map(|(i, ix)| finder(ix, i, version))
            .collect();
        let (visible, hidden): (Vec<Candidate>, Vec<Candidate>) =
            cands.drain(..).partition(|c| hidden_by(grid, c).is_none());
        let pick = if visible.is_empty() {
            hidden
        } else {
            for h in &hidden {
                let s = &grid.sheets[h.sheet];
                let (message, help) = match hidden_by(grid, h) {
                    Some(Hidden::Sheet) => (
                        format!(
                            "隐藏工作表'{}'中也有{}，已忽略，以可见工作表为准",
                            s.name,
                            table.short()
                        ),
                        "如隐藏工作表才是本年数据，请取消隐藏并删除或隐藏另一份。",
                    ),
                    _ => (
                        format!(
                            "工作表'{}'隐藏的行/列中也有{}，已忽略，以未隐藏的一份为准",
                            s.name,
                            table.short()
                        ),
                        "如隐藏的行/列中才是本年数据，请取消隐藏并删除另一份。",
                    ),
                };
                findings.push(
                    Diagnostic::new(Rule::I8, file, message)
                        .at(Some(&CellRef::new(s.name.clone(), h.anchor.0, h.anchor.1)))
                        .help(help),
                );
            }
            visible
        };
        let mut pick = pick.into_iter();
        let Some(first) = pick.next() else {
            continue;
        };
        if let Some(second) = pick.next() {
            let at = |c: &Candidate| {
                CellRef::new(grid.sheets[c.sheet].name.clone(), c.anchor.0, c.anchor.1)
            };
            return Err(ReadError::AmbiguousTable {
                path: file.into(),
                table,
                first: at(&first),
                second: at(&second),
            });
        }
        if let Some(how) = hidden_by(grid, &first) {
            let s = &grid.sheets[first.sheet];
            let (message, help) = match how {
                Hidden::Sheet => (
                    format!(
                        "{}只在隐藏工作表'{}'中找到，已使用该工作表",
                        table.short(),
                        s.name
                    ),
                    "请确认隐藏工作表中是本年数据；如不是，请把本年数据放在可见工作表中。",
                ),
                Hidden::RowsCols => (
                    format!(
                        "{}位于工作表'{}'隐藏的行/列中，已使用",
                        table.short(),
                        s.name
                    ),
                    "请确认隐藏的行/列中是本年数据；如不是，请把本年数据放在未隐藏的行列中。",
                ),
            };
            findings.push(
                Diagnostic::new(Rule::I8, file, message)
                    .at(Some(&CellRef::new(
                        s.name.clone(),
                        first.anchor.0,
                        first.anchor.1,
                    )))
                    .help(help),
            );
        }
        chosen.push(first);
    }
    Ok(chosen)
}

/// How a candidate is hidden from someone looking at the workbook.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Hidden {
    /// Its sheet is hidden or very hidden.
    Sheet,
    /// Its anchor label or any of its value cells (so the row or column label they belong to)
    /// is in a hidden row or column of a visible sheet: a decoy there would otherwise be read as
    /// readily as the table on screen.
    RowsCols,
}

fn hidden_by(grid: &Grid, c: &Candidate) -> Option<Hidden> {
    let s = &grid.sheets[c.sheet];
    if !s.visible {
        return Some(Hidden::Sheet);
    }
    if s.hidden_rows.is_empty() && s.hidden_cols.is_empty() {
        return None;
    }
    let hidden = s.is_hidden_cell(c.anchor.0, c.anchor.1)
        || c.cells.values().any(|&(r, col)| s.is_hidden_cell(r, col));
    hidden.then_some(Hidden::RowsCols)
}

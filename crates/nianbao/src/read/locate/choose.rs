//! The choice among the candidates of a table.
//!
//! A table found on several sheets is taken from the visible one; two visible candidates (or two
//! copies on one sheet) are an error naming both; a copy on a hidden sheet is ignored with a
//! warning (I8), or used with a warning when it is the only one.

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
            cands.drain(..).partition(|c| grid.sheets[c.sheet].visible);
        let pick = if visible.is_empty() {
            hidden
        } else {
            for h in &hidden {
                let s = &grid.sheets[h.sheet];
                findings.push(
                    Diagnostic::new(
                        Rule::I8,
                        file,
                        format!(
                            "隐藏工作表'{}'中也有{}，已忽略，以可见工作表为准",
                            s.name,
                            table.short()
                        ),
                    )
                    .at(Some(&CellRef::new(s.name.clone(), h.anchor.0, h.anchor.1)))
                    .help("如隐藏工作表才是本年数据，请取消隐藏并删除或隐藏另一份。"),
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
        if !grid.sheets[first.sheet].visible {
            let s = &grid.sheets[first.sheet];
            findings.push(
                Diagnostic::new(
                    Rule::I8,
                    file,
                    format!(
                        "{}只在隐藏工作表'{}'中找到，已使用该工作表",
                        table.short(),
                        s.name
                    ),
                )
                .at(Some(&CellRef::new(
                    s.name.clone(),
                    first.anchor.0,
                    first.anchor.1,
                )))
                .help("请确认隐藏工作表中是本年数据；如不是，请把本年数据放在可见工作表中。"),
            );
        }
        chosen.push(first);
    }
    Ok(chosen)
}

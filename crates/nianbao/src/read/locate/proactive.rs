//! Table 二 (proactive): five (2019) or four (2021) stacked sections, each with a header row
//! starting `信息内容`; every such header opens a search for the rows of its section.

use super::candidate::Candidate;
use super::index::{col_cores, cores_of, Indexed, Text};
use crate::model::spec::ColSpec;
use crate::model::{FormatVersion, TableKey};
use crate::read::normalize::core;

/// Rows below a `信息内容` cell that may still hold the section's column labels: the header row
/// itself, or the row below it for two-line headers.
const HEADER_ROWS_BELOW: u32 = 1;

/// Rows below a `信息内容` header searched for the section's row labels. A section of the
/// official table has one or two rows (FORMATS.md, table 二: 规章 and 行政规范性文件, 行政处罚 and
/// 行政强制, …), and the next section's header normally ends the search first; ten rows also
/// take blank or note rows, and bound the last section, which has no header after it.
const SECTION_ROWS_BELOW: u32 = 10;

/// Columns right of `信息内容` where a row label may stand: its own column (it heads the label
/// column), or the next one when the header cell sits one column left of the labels.
const LABEL_COLS_RIGHT: u32 = 1;

/// Columns right of `信息内容` searched for the section's column labels. A section has at most
/// four (FORMATS.md, table 二); twenty leave room for a label column merged over several columns
/// and for empty or doubled (merged) columns, and bound the work per header.
const HEADER_COLS_RIGHT: u32 = 20;

/// Text cells per row, the nearest first, at or left of the label columns above that may be a
/// row label: the label stands in one of two columns; four also take a number or note left of
/// it, and bound the work per header and row.
const LABEL_CELLS_LEFT: usize = 4;

/// The column of a label cut short in the header: a scraped page keeps only a cell's first line,
/// so `本年新` stands for both `本年新制作数量` and `本年新公开数量` (2019). A cut label is a
/// proper prefix (of at least two characters) of several column labels of the section; when
/// the header has exactly as many cells cut that way as there are columns it may stand for,
/// they are those columns in their official order. Anything less certain finds nothing.
fn cut_short(header: &[&Text], columns: &'static [ColSpec], c: &ColSpec) -> Option<u32> {
    let own = core(c.label);
    header.iter().find_map(|t| {
        if t.core.chars().count() < 2 || !own.starts_with(&t.core) || own == t.core {
            return None;
        }
        let named: Vec<&ColSpec> = columns
            .iter()
            .filter(|x| core(x.label).starts_with(&t.core))
            .collect();
        let mut cut: Vec<u32> = header
            .iter()
            .filter(|h| h.core == t.core)
            .map(|h| h.col)
            .collect();
        cut.sort_unstable();
        let k = named.iter().position(|x| x.key == c.key)?;
        (named.len() >= 2 && cut.len() == named.len()).then(|| cut[k])
    })
}

pub(super) fn find_proactive(ix: &Indexed, sheet: usize, version: FormatVersion) -> Vec<Candidate> {
    let spec = version.spec().table(TableKey::Proactive);
    let header_core = vec![core("信息内容")];
    let mut headers: Vec<&Text> = ix.find(&header_core).collect();
    headers.sort_by_key(|t| (t.row, t.col));
    let mut out: Vec<Candidate> = Vec::new();
    let mut current: Option<Candidate> = None;
    for (i, h) in headers.iter().enumerate() {
        // The last header has no next one: the row window alone ends its section.
        let next_header_row = headers.get(i + 1).map_or(u32::MAX, |n| n.row);
        // Column labels on the header row (or the row below, for two-line headers).
        let header_cells: Vec<&Text> = ix
            .window(
                h.row..=h.row.saturating_add(HEADER_ROWS_BELOW),
                h.col.saturating_add(1)..=h.col.saturating_add(HEADER_COLS_RIGHT),
            )
            .collect();
        let col_of = |c: &ColSpec| -> Option<u32> {
            let cores = col_cores(c);
            header_cells
                .iter()
                .find(|t| cores.contains(&t.core))
                .map(|t| t.col)
        };
        let last_row = next_header_row
            .saturating_sub(1)
            .min(h.row.saturating_add(SECTION_ROWS_BELOW));
        let label_end = h.col.saturating_add(LABEL_COLS_RIGHT + 1);
        let label_cells = (h.row.saturating_add(1)..=last_row)
            .flat_map(|r| ix.left_of(r, label_end, LABEL_CELLS_LEFT));
        for t in label_cells {
            let Some(row) = spec
                .rows
                .iter()
                .find(|r| cores_of(r.label).contains(&t.core))
            else {
                continue;
            };
            if current
                .as_ref()
                .is_some_and(|c| c.rows_found.contains(&row.key))
            {
                // The same row again: a second copy of the table starts here.
                out.extend(current.take());
            }
            let cand = current
                .get_or_insert_with(|| Candidate::new(TableKey::Proactive, sheet, (h.row, h.col)));
            cand.rows_found.push(row.key);
            for c in row.columns {
                match col_of(c).or_else(|| cut_short(&header_cells, row.columns, c)) {
                    Some(col) => {
                        cand.cells.insert((row.key, c.key), (t.row, col));
                    }
                    None => cand.missing_cols.push((c, (h.row, h.col))),
                }
            }
        }
    }
    out.extend(current);
    out
}

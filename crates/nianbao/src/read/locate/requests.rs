//! Table 三 (requests): anchored at every `自然人` cell; columns from the header labels right of
//! it, rows from the label text left of the numbers.

use super::candidate::Candidate;
use super::index::{col_cores, cores_of, Indexed};
use crate::model::spec::{FastMap, RowSpec};
use crate::model::{FormatVersion, TableKey};
use crate::read::normalize::core;

/// Rows searched for the other column labels, counted down from the anchor's row. In the
/// official header (FORMATS.md, table 三) `自然人` stands on one row with `法人或其他组织` and
/// `总计`, and the five organisation columns are on the row below it; three rows also take a
/// header whose labels are broken over more rows.
const HEADER_ROWS_BELOW: u32 = 3;

/// Columns searched for the other column labels, right of the anchor. The seven official
/// columns take the anchor's column and the six after it; twelve leave room for empty or
/// doubled (merged) columns between them.
const HEADER_COLS_RIGHT: u32 = 12;

/// Rows searched for row labels below the header. The official table has 23 rows (2019) or 25
/// (2021); 45 leave room for blank, note or broken rows between them. The search stops earlier
/// at `四、结转下年度继续办理`, the last row.
const LABEL_ROWS_BELOW: u32 = 45;

/// Text cells left of the numbers, the nearest first, joined into a row label. The official
/// table has at most three label columns (the results group, a sub-group, the item); six leave
/// room for a label broken over more cells, and bound the work per anchor and row.
const LABEL_CELLS_LEFT: usize = 6;

/// Fewest columns (of seven) for a table rather than a stray word, with at least half the rows.
const MIN_COLUMNS: usize = 4;

pub(super) fn find_requests(ix: &Indexed, sheet: usize, version: FormatVersion) -> Vec<Candidate> {
    let spec = version.spec().table(TableKey::Requests);
    let columns = spec.rows[0].columns;
    let np = col_cores(&columns[0]);
    let row_cores: Vec<(&'static RowSpec, &'static [String])> =
        spec.rows.iter().map(|r| (r, cores_of(r.label))).collect();
    let mut out = Vec::new();
    for anchor in ix.find(np) {
        let (r0, c0) = (anchor.row, anchor.col);
        let mut cand = Candidate::new(TableKey::Requests, sheet, (r0, c0));
        let mut col_at: FastMap<&str, u32> = FastMap::default();
        col_at.insert(columns[0].key, c0);
        let mut header_bottom = r0;
        for c in &columns[1..] {
            let cores = col_cores(c);
            let hit = ix
                .window(
                    r0..=r0.saturating_add(HEADER_ROWS_BELOW),
                    c0.saturating_add(1)..=c0.saturating_add(HEADER_COLS_RIGHT),
                )
                .filter(|t| cores.contains(&t.core))
                .min_by_key(|t| (t.col, t.row));
            match hit {
                Some(t) => {
                    col_at.insert(c.key, t.col);
                    header_bottom = header_bottom.max(t.row);
                }
                None => cand.missing_cols.push((c, (r0, c0))),
            }
        }
        // Not a table (see below): the rows need not be looked for. Most anchors of a sheet full
        // of the word stop here.
        if col_at.len() < MIN_COLUMNS {
            continue;
        }
        // Row labels: the text left of the numbers, joined across the label columns.
        let mut row_at: FastMap<&str, u32> = FastMap::default();
        let label_rows =
            header_bottom.saturating_add(1)..=header_bottom.saturating_add(LABEL_ROWS_BELOW);
        for r in label_rows {
            let cells = ix.left_of(r, c0, LABEL_CELLS_LEFT);
            if cells.is_empty() {
                continue;
            }
            let joined: String = cells.iter().map(|t| t.raw).collect();
            let l = core(&joined);
            let best = row_cores
                .iter()
                .flat_map(|(spec_row, cs)| cs.iter().map(move |c| (*spec_row, c)))
                .filter(|(_, c)| l.ends_with(c.as_str()))
                .max_by_key(|(_, c)| c.len());
            if let Some((spec_row, _)) = best {
                if row_at.contains_key(spec_row.key) {
                    break; // a second copy below: it becomes its own candidate via its own anchor
                }
                row_at.insert(spec_row.key, r);
                if spec_row.key == "carried_out" {
                    break;
                }
            }
        }
        for row in spec.rows {
            if let Some(&r) = row_at.get(row.key) {
                cand.rows_found.push(row.key);
                for c in row.columns {
                    if let Some(&col) = col_at.get(c.key) {
                        cand.cells.insert((row.key, c.key), (r, col));
                    }
                }
            }
        }
        // A table, not a stray word: most rows and most columns must be there.
        if row_at.len() * 2 >= spec.rows.len() && col_at.len() >= MIN_COLUMNS {
            out.push(cand);
        }
    }
    out
}

//! Table 四 (appeals): anchored at every `行政复议` cell; the two litigation groups right of it,
//! the five result labels under each group, and the one row of numbers under the labels.

use super::candidate::Candidate;
use super::index::{col_cores, cores_of, Indexed};
use crate::model::spec::{ColSpec, RowSpec};
use crate::model::{FormatVersion, TableKey};

/// Rows searched for the litigation group headers, counted down from `行政复议`. In the official
/// header (FORMATS.md, table 四) `行政诉讼` shares the row of `行政复议`, and its groups
/// `未经复议直接起诉` and `复议后起诉` are on the row below; two rows also take a header broken
/// over one more line.
const GROUP_ROWS_BELOW: u32 = 2;

/// Columns after a group header's own that belong to it when the header is not merged: each
/// group has five result columns (`结果维持` … `总计`).
const UNMERGED_GROUP_EXTRA_COLS: u32 = 4;

/// Rows below a group header searched for its result labels: the row right below it in the
/// official layout; three rows also take a group header merged over, or broken into, more rows.
const LABEL_ROWS_BELOW: u32 = 3;

/// Columns right of `行政复议` searched for the litigation groups, and the widest a group's
/// merged header is taken to be. In the official layout the groups start 5 and 10 columns right
/// of it and span five columns each; thirty leave room for empty or doubled (merged) columns, and
/// bound the work per anchor.
const GROUP_COLS_RIGHT: u32 = 30;

/// Fewest result labels under `行政复议` (of five) for a table rather than a list of labels.
const MIN_REVIEW_LABELS: usize = 3;

pub(super) fn find_appeals(ix: &Indexed, sheet: usize, version: FormatVersion) -> Vec<Candidate> {
    let spec = version.spec().table(TableKey::Appeals);
    let mut out = Vec::new();
    let review_core = cores_of(spec.rows[0].label);
    for anchor in ix.find(review_core) {
        let (r0, c0) = (anchor.row, anchor.col);
        let mut cand = Candidate::new(TableKey::Appeals, sheet, (r0, c0));
        // Each group: its header cell; the litigation groups sit right of review, one or two rows down.
        let mut groups: Vec<(&'static RowSpec, u32, u32)> = vec![(&spec.rows[0], r0, c0)];
        let mut min_col = c0;
        for row in &spec.rows[1..] {
            let cores = cores_of(row.label);
            let hit = ix
                .window(
                    r0..=r0.saturating_add(GROUP_ROWS_BELOW),
                    min_col.saturating_add(1)..=c0.saturating_add(GROUP_COLS_RIGHT),
                )
                .filter(|t| cores.contains(&t.core))
                .min_by_key(|t| t.col);
            if let Some(t) = hit {
                groups.push((row, t.row, t.col));
                min_col = t.col;
            }
        }
        let mut found: Vec<(&'static RowSpec, &'static ColSpec, u32, u32)> = Vec::new();
        for (i, &(row, gr, gc)) in groups.iter().enumerate() {
            let span_end = ix
                .merge_at(gr, gc)
                .filter(|m| m.last_col > gc)
                .map_or(gc.saturating_add(UNMERGED_GROUP_EXTRA_COLS), |m| m.last_col)
                .min(gc.saturating_add(GROUP_COLS_RIGHT));
            let span_end = groups
                .get(i + 1)
                .map_or(span_end, |g| span_end.min(g.2.saturating_sub(1)));
            // The five labels stand side by side on one row below the group header.
            let all: Vec<&String> = row.columns.iter().flat_map(col_cores).collect();
            let label_row = ix
                .window(
                    gr.saturating_add(1)..=gr.saturating_add(LABEL_ROWS_BELOW),
                    gc..=span_end,
                )
                .filter(|t| all.contains(&&t.core))
                .map(|t| t.row)
                .min();
            for c in row.columns {
                let cores = col_cores(c);
                let hit = label_row.and_then(|lr| {
                    ix.window(lr..=lr, gc..=span_end)
                        .find(|t| cores.contains(&t.core))
                });
                match hit {
                    Some(t) => found.push((row, c, t.row, t.col)),
                    None => cand.missing_cols.push((c, (gr, gc))),
                }
            }
        }
        let Some(data_row) = found.iter().map(|f| f.2).max().map(|r| r + 1) else {
            continue;
        };
        for (row, c, _, col) in &found {
            cand.cells.insert((row.key, c.key), (data_row, *col));
        }
        cand.rows_found = groups.iter().map(|g| g.0.key).collect();
        // A table, not a list of labels: enough labels side by side under 行政复议.
        if found.iter().filter(|f| f.0.key == spec.rows[0].key).count() >= MIN_REVIEW_LABELS {
            out.push(cand);
        }
    }
    out
}

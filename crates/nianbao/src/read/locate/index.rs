//! The label index: every text cell of a sheet with its normalised forms, and the cores every
//! label and alias of the spec is matched by.

use std::ops::RangeInclusive;
use std::sync::LazyLock;

use crate::model::spec::{ColSpec, FastMap};
use crate::model::{CellRef, FormatVersion};
use crate::read::grid::{CellValue, Rect, Sheet};
use crate::read::normalize::{core, core_of_norm, norm};

/// A text cell with its normalised forms, precomputed once per sheet.
pub(super) struct Text<'g> {
    pub(super) row: u32,
    pub(super) col: u32,
    pub(super) raw: &'g str,
    pub(super) norm: String,
    pub(super) core: String,
}

/// A sheet's text cells, in (row, column) order, so that the cells of a window are found by
/// binary search: each finder looks only at a bounded window around each anchor, and so costs
/// O(window) per anchor instead of O(text cells) — a sheet of 100 000 anchor words stays
/// near-linear (issue 13).
pub(super) struct Indexed<'g> {
    pub(super) sheet: &'g Sheet,
    /// Sorted by (row, col): they come from the sheet's ordered map.
    pub(super) texts: Vec<Text<'g>>,
    /// Merged regions by their top-left cell.
    merge_corners: FastMap<(u32, u32), usize>,
    /// Text cells visited through [`Self::window`] and [`Self::left_of`], for tests of the
    /// work per anchor.
    #[cfg(test)]
    pub(super) visited: std::cell::Cell<u64>,
}

impl<'g> Indexed<'g> {
    pub(super) fn new(sheet: &'g Sheet) -> Self {
        let texts = sheet
            .cells
            .iter()
            .filter_map(|(&(row, col), v)| match v {
                CellValue::Text(s) if !s.trim().is_empty() => {
                    let norm = norm(s);
                    Some(Text {
                        row,
                        col,
                        raw: s,
                        core: core_of_norm(&norm),
                        norm,
                    })
                }
                _ => None,
            })
            .collect::<Vec<_>>();
        debug_assert!(texts.is_sorted_by_key(|t| (t.row, t.col)));
        let merge_corners = sheet
            .merges
            .iter()
            .enumerate()
            .map(|(i, m)| ((m.first_row, m.first_col), i))
            .collect();
        Indexed {
            sheet,
            texts,
            merge_corners,
            #[cfg(test)]
            visited: std::cell::Cell::new(0),
        }
    }

    /// Index of the first text cell at or after (row, col).
    fn seek(&self, row: u32, col: u32) -> usize {
        self.texts.partition_point(|t| (t.row, t.col) < (row, col))
    }

    /// Text cells in `rows` × `cols` (inclusive), in (row, col) order. Rows of the window are
    /// reached by binary search, so the cost is O(rows × log n + cells in the window).
    pub(super) fn window(
        &self,
        rows: RangeInclusive<u32>,
        cols: RangeInclusive<u32>,
    ) -> impl Iterator<Item = &Text<'g>> + '_ {
        let (c_lo, c_hi, r_hi) = (*cols.start(), *cols.end(), *rows.end());
        let mut i = if rows.is_empty() || cols.is_empty() {
            self.texts.len()
        } else {
            self.seek(*rows.start(), c_lo)
        };
        std::iter::from_fn(move || loop {
            let t = self.texts.get(i)?;
            #[cfg(test)]
            self.visited.set(self.visited.get() + 1);
            if t.row > r_hi {
                return None;
            }
            if t.col < c_lo {
                i = self.seek(t.row, c_lo);
            } else if t.col > c_hi {
                // on to the next row's first column in the window
                i = match t.row.checked_add(1) {
                    Some(next) => self.seek(next, c_lo),
                    None => self.texts.len(),
                };
            } else {
                i += 1;
                return Some(t);
            }
        })
    }

    /// The text cells of `row` left of `col`, the nearest `n` of them at most, in column order.
    pub(super) fn left_of(&self, row: u32, col: u32, n: usize) -> &[Text<'g>] {
        let (start, end) = (self.seek(row, 0), self.seek(row, col));
        let cells = &self.texts[start.max(end.saturating_sub(n))..end];
        #[cfg(test)]
        self.visited
            .set(self.visited.get() + 1 + cells.len() as u64);
        cells
    }

    /// The merged region a text cell heads. Excel, WPS, LibreOffice and HTML tables keep a
    /// merged region's value in its top-left cell, found through an index; a text cell elsewhere
    /// in a region is looked for by scanning only on a sheet with few merges
    /// ([`FEW_MERGES`]), so that many merges times many anchors stays linear.
    pub(super) fn merge_at(&self, row: u32, col: u32) -> Option<&'g Rect> {
        let merges = &self.sheet.merges;
        if let Some(&i) = self.merge_corners.get(&(row, col)) {
            return merges.get(i);
        }
        if merges.len() > FEW_MERGES {
            return None;
        }
        #[cfg(test)]
        self.visited.set(self.visited.get() + merges.len() as u64);
        self.sheet.merge_at(row, col)
    }

    /// The cell at a grid position, named where it stands in its file ([`Sheet::places`]: a
    /// text file's line and index in the line; else the position itself).
    pub(super) fn cell(&self, row: u32, col: u32) -> CellRef {
        let (row, col) = self
            .sheet
            .places
            .get(&(row, col))
            .copied()
            .unwrap_or((row, col));
        CellRef::new(self.sheet.name.clone(), row, col)
    }

    /// Text cells whose core equals one of `cores`.
    pub(super) fn find<'a>(
        &'a self,
        cores: &'a [String],
    ) -> impl Iterator<Item = &'a Text<'g>> + 'a {
        self.texts.iter().filter(move |t| cores.contains(&t.core))
    }
}

/// Merged regions on a sheet up to which a cell inside one (not its top-left) is still found
/// by scanning them all. A statistics sheet has a few dozen.
const FEW_MERGES: usize = 256;

fn compute_cores(label: &str, aliases: &[&str]) -> Vec<String> {
    std::iter::once(label)
        .chain(aliases.iter().copied())
        .map(core)
        .collect()
}

/// The cores of every label and alias of both versions, computed once.
static SPEC_CORES: LazyLock<FastMap<&'static str, Vec<String>>> = LazyLock::new(|| {
    let mut m = FastMap::default();
    for v in FormatVersion::ALL {
        for t in &v.spec().tables {
            for r in t.rows {
                m.entry(r.label)
                    .or_insert_with(|| compute_cores(r.label, r.aliases));
                for c in r.columns {
                    m.entry(c.label)
                        .or_insert_with(|| compute_cores(c.label, c.aliases));
                }
            }
        }
    }
    m
});

/// The cores a spec label is matched by: its own and its aliases' (see [`SPEC_CORES`]).
pub(super) fn cores_of(label: &'static str) -> &'static [String] {
    SPEC_CORES
        .get(label)
        .map(Vec::as_slice)
        .expect("a label of the spec")
}

pub(super) fn col_cores(c: &ColSpec) -> &'static [String] {
    cores_of(c.label)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The window and the nearest cells on the left agree with a plain filter over all cells.
    #[test]
    fn window_and_left_of_agree_with_a_full_scan() {
        let mut sheet = Sheet::new("s");
        for r in 0..12u32 {
            for c in 0..12u32 {
                if (r * 7 + c * 3) % 5 != 0 {
                    sheet.set(r, c, CellValue::Text(format!("{r}-{c}")));
                }
            }
        }
        let ix = Indexed::new(&sheet);
        let pos = |it: &mut dyn Iterator<Item = &Text>| -> Vec<(u32, u32)> {
            it.map(|t| (t.row, t.col)).collect()
        };
        for (r0, r1, c0, c1) in [
            (0, 11, 0, 11),
            (2, 5, 3, 7),
            (5, 5, 0, 0),
            (3, 2, 0, 5),
            (10, 40, 9, 30),
            (0, 3, 11, 2),
        ] {
            let expect = pos(&mut ix
                .texts
                .iter()
                .filter(|t| (r0..=r1).contains(&t.row) && (c0..=c1).contains(&t.col)));
            assert_eq!(
                pos(&mut ix.window(r0..=r1, c0..=c1)),
                expect,
                "{r0} {r1} {c0} {c1}"
            );
        }
        for (r, c, n) in [(3, 7, 2), (3, 0, 4), (4, 12, 100), (20, 3, 3)] {
            let all: Vec<(u32, u32)> =
                pos(&mut ix.texts.iter().filter(|t| t.row == r && t.col < c));
            let expect = &all[all.len().saturating_sub(n)..];
            assert_eq!(pos(&mut ix.left_of(r, c, n).iter()), expect, "{r} {c} {n}");
        }
    }
}

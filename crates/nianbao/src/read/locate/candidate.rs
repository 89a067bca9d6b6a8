//! A candidate: where one copy of a table was found on one sheet, as each finder reports it.

use crate::model::spec::{ColSpec, FastMap};
use crate::model::TableKey;

/// Where one table was found: each field's cell, and what was not found.
pub(super) struct Candidate {
    pub(super) table: TableKey,
    pub(super) sheet: usize,
    pub(super) anchor: (u32, u32),
    /// (row key, col key) → (row, col)
    pub(super) cells: FastMap<(&'static str, &'static str), (u32, u32)>,
    /// Keys of the rows whose label was found.
    pub(super) rows_found: Vec<&'static str>,
    /// (column label, where it was looked for)
    pub(super) missing_cols: Vec<(&'static ColSpec, (u32, u32))>,
}

impl Candidate {
    pub(super) fn new(table: TableKey, sheet: usize, anchor: (u32, u32)) -> Self {
        Candidate {
            table,
            sheet,
            anchor,
            cells: FastMap::default(),
            rows_found: Vec::new(),
            missing_cols: Vec::new(),
        }
    }
}

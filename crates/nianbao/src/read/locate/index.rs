//! The label index: every text cell of a sheet with its normalised forms, and the cores every
//! label and alias of the spec is matched by.

use std::sync::LazyLock;

use crate::model::spec::{ColSpec, FastMap};
use crate::model::{CellRef, FormatVersion};
use crate::read::grid::{CellValue, Sheet};
use crate::read::normalize::{core, core_of_norm, norm};

/// A text cell with its normalised forms, precomputed once per sheet.
pub(super) struct Text<'g> {
    pub(super) row: u32,
    pub(super) col: u32,
    pub(super) raw: &'g str,
    pub(super) norm: String,
    pub(super) core: String,
}

pub(super) struct Indexed<'g> {
    pub(super) sheet: &'g Sheet,
    pub(super) texts: Vec<Text<'g>>,
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
            .collect();
        Indexed { sheet, texts }
    }

    pub(super) fn cell(&self, row: u32, col: u32) -> CellRef {
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

//! Version detection: the labels only one of the two formats has (FORMATS.md, "Two format
//! versions"), found anywhere in the workbook; visible sheets speak first.

use std::sync::LazyLock;

use super::index::Indexed;
use super::ReadOptions;
use crate::error::{ReadError, VersionClue};
use crate::model::spec::VERSION_EVIDENCE;
use crate::model::FormatVersion;
use crate::read::grid::Grid;
use crate::read::normalize::{core, norm};
use crate::read::value::{parse_cell, Parsed};

/// Characters a cell may have beyond a version mark and still count as that label: room for
/// numbering, a unit or a short note around it (`本年收费金额（单位：万元）`), not for a sentence
/// of prose that quotes the label.
const MARK_EXTRA_CHARS: usize = 40;

/// Bytes of label core a single `（六）其他处理` row may have before it (ten CJK characters):
/// room for a group label joined into the same cell, as in one-label-column layouts
/// (`三、本年度办理结果（六）其他处理` has the core `本年度办理结果其他处理`).
const OTHER_ROW_EXTRA_BYTES: usize = 30;

/// Numbers right of a `（六）其他处理` label that make it 2019's single numeric row rather than
/// 2021's group label: at least three of the seven applicant columns (some may be blank).
const OTHER_ROW_MIN_NUMBERS: usize = 3;

/// A cell that tells the version, and whether its sheet is visible.
pub(super) struct Evidence {
    clue: VersionClue,
    visible: bool,
}

/// The version marks normalised, and the core of 2019's （六）其他处理, computed once.
static VERSION_MARKS: LazyLock<(Vec<(String, FormatVersion)>, String)> = LazyLock::new(|| {
    let marks = VERSION_EVIDENCE
        .iter()
        .map(|(l, v)| (norm(l), *v))
        .collect();
    (marks, core("（六）其他处理"))
});

pub(super) fn version_evidence(ixs: &[Indexed]) -> Vec<Evidence> {
    let (marks, other_core) = &*VERSION_MARKS;
    let mut out = Vec::new();
    for ix in ixs {
        for t in &ix.texts {
            // Short cells only: a label, not a sentence of prose that quotes it.
            let hit = marks.iter().find(|(m, _)| {
                t.norm.contains(m.as_str())
                    && t.norm.chars().count() <= m.chars().count() + MARK_EXTRA_CHARS
            });
            let hit = hit.map(|(_, v)| *v).or_else(|| {
                let other_core = other_core.as_str();
                // A single numeric （六）其他处理 row of table 三 means 2019: the label, then
                // numbers in the applicant columns (at least three, some may be blank).
                (t.core.ends_with(other_core)
                    && t.core.len() <= other_core.len() + OTHER_ROW_EXTRA_BYTES
                    && {
                        // Lazily: the first cell right of it must be a number, and the scan stops
                        // at the third (a row of such labels costs one cell each).
                        let mut right = ix
                            .sheet
                            .cells
                            .range((t.row, t.col.saturating_add(1))..(t.row, u32::MAX))
                            .map(|(_, v)| matches!(parse_cell(Some(v)), Parsed::Number { .. }));
                        right.next() == Some(true)
                            && right.filter(|n| *n).take(OTHER_ROW_MIN_NUMBERS - 1).count()
                                == OTHER_ROW_MIN_NUMBERS - 1
                    })
                .then_some(FormatVersion::V2019)
            });
            if let Some(version) = hit {
                out.push(Evidence {
                    clue: VersionClue {
                        cell: ix.cell(t.row, t.col),
                        label: t.raw.to_string(),
                        version,
                    },
                    visible: ix.sheet.visible,
                });
            }
        }
    }
    out
}

pub(super) fn decide_version(
    grid: &Grid,
    evidence: &[Evidence],
    opts: &ReadOptions,
) -> Result<FormatVersion, ReadError> {
    // Visible sheets speak first; hidden ones only when no visible sheet says anything.
    let visible: Vec<&Evidence> = evidence.iter().filter(|e| e.visible).collect();
    let pool: Vec<&Evidence> = if visible.is_empty() {
        evidence.iter().collect()
    } else {
        visible
    };
    let first = pool.first().map(|e| &e.clue);
    let other = pool
        .iter()
        .map(|e| &e.clue)
        .find(|c| Some(c.version) != first.map(|f| f.version));
    if let (Some(a), Some(b)) = (first, other) {
        return Err(ReadError::VersionConflict {
            path: grid.source.clone(),
            first: Box::new(a.clone()),
            second: Box::new(b.clone()),
        });
    }
    first
        .map(|c| c.version)
        .or(opts.format)
        .ok_or_else(|| ReadError::VersionUnknown {
            path: grid.source.clone(),
        })
}

//! What a roll-up hands its outputs: the sink trait the writers implement.

use crate::model::Report;

use super::roster::CoverageRow;
use super::{Detail, Head, Rollup};

/// Why a sink failed: the writer's own error, kept whole (its source chain included).
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// An encoding of one whole report that a sink wants besides its [`Head`] and [`Detail`] (the
/// long CSV's rows), given the report and its head (the standing it decided for itself): made
/// on the reading workers, in parallel, and handed to [`RollupSink::file`] in input order.
pub type ReportEncoder = fn(&Report, &Head) -> std::io::Result<Vec<u8>>;

/// An output of a roll-up (the summary workbook, the long CSV, or one a caller holds in memory).
///
/// The roll-up calls, in this order: [`encoder`](Self::encoder) once; [`file`](Self::file) for
/// every file in input order while the next files are read; then, unless the run was refused
/// (`strict`) or failed, [`finish`](Self::finish) on every sink and, when all finished,
/// [`commit`](Self::commit) on every sink. A sink dropped without `commit` must leave nothing
/// behind.
pub trait RollupSink: Send {
    /// The encoding of each readable report this sink wants in [`file`](Self::file), if any.
    fn encoder(&self) -> Option<ReportEncoder> {
        None
    }

    /// One file, in input order, with the standing it decided for itself; `encoded` is what
    /// [`encoder`](Self::encoder) made of its report (empty without an encoder or for a file
    /// that could not be read). A duplicate found at the end may still change standings: see
    /// [`Rollup::standings_changed`] and [`Rollup::for_each_detail`].
    fn file(
        &mut self,
        head: &Head,
        detail: Option<&Detail>,
        encoded: &[u8],
    ) -> Result<(), SinkError>;

    /// Everything is decided: write the rest (the totals, the coverage), but do not make the
    /// output visible yet.
    fn finish(&mut self, rollup: &mut Rollup, coverage: &[CoverageRow]) -> Result<(), SinkError>;

    /// Make the finished output visible (rename a file into place). Called once every sink has
    /// finished, so that a failing sink leaves none of the outputs written.
    fn commit(&mut self) -> Result<(), SinkError> {
        Ok(())
    }
}

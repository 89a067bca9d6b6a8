//! Reading: bytes → [`Grid`] (`open`) → tables located by label (`locate`) → [`Report`].
//!
//! [`Report`]: crate::model::Report

mod dense;
mod docx;
mod grid;
mod html;
mod locate;
mod mark;
pub(crate) mod normalize;
mod ods;
mod open;
mod sniff;
mod text;
mod value;
mod xls;
mod xlsx;
mod zipped;

pub use grid::{CellValue, Grid, Rect, Sheet};
pub use locate::{locate, read_report, read_report_bytes, ReadOptions};
pub(crate) use open::open_regular;
pub use open::{
    read_grid, read_grid_bytes, read_mark, read_mark_bytes, Limits, Marked, WRITTEN_AT,
};

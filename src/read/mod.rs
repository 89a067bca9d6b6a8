//! Reading: bytes → [`Grid`] (`open`) → tables located by label (`locate`) → [`Report`].

pub mod grid;
pub mod guard;
pub mod html;
pub mod locate;
pub mod normalize;
pub mod open;
pub mod sniff;
pub mod value;
mod xlsx;

pub use grid::{CellValue, Grid, Rect, Sheet};
pub use locate::{locate, read_report, ReadOptions};
pub use open::{read_grid, read_grid_bytes, Limits};

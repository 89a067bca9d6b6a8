//! Opening a workbook: sniff the bytes, guard against hostile files, read every sheet into a [`Grid`].

use std::path::Path;

use super::Grid;
use crate::error::ReadError;

/// Size limits checked before any dense read. Adjustable from the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file, in bytes.
    pub max_file_bytes: u64,
    /// Largest total uncompressed size of a zip container (xlsx/ods), in bytes.
    pub max_unpacked_bytes: u64,
    /// Largest row index + 1 of any non-empty cell.
    pub max_rows: u32,
    /// Largest column index + 1 of any non-empty cell.
    pub max_cols: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 50 * 1024 * 1024,
            max_unpacked_bytes: 100 * 1024 * 1024,
            max_rows: 10_000,
            max_cols: 500,
        }
    }
}

/// Read a workbook file into a grid. `display` is the name used in messages.
pub fn read_grid(path: &Path, display: &str, limits: &Limits) -> Result<Grid, ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        path: display.to_string(),
        source,
    })?;
    read_grid_bytes(&bytes, display, limits)
}

/// Read a workbook from memory into a grid.
pub fn read_grid_bytes(bytes: &[u8], display: &str, limits: &Limits) -> Result<Grid, ReadError> {
    // TEMPORARY minimal reader (no guards); replaced by the hardened reader.
    use calamine::{Data, Reader};
    let _ = limits;
    let corrupt = |e: calamine::Error| ReadError::Corrupt {
        path: display.to_string(),
        detail: e.to_string(),
        source: Some(Box::new(e)),
    };
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .map_err(corrupt)?;
    let visible: Vec<bool> = wb
        .sheets_metadata()
        .iter()
        .map(|m| m.visible == calamine::SheetVisible::Visible)
        .collect();
    let mut grid = Grid {
        source: display.to_string(),
        sheets: Vec::new(),
    };
    for (i, name) in wb.sheet_names().into_iter().enumerate() {
        let range = wb.worksheet_range(&name).map_err(corrupt)?;
        let mut sheet = super::Sheet::new(name.clone());
        sheet.visible = visible.get(i).copied().unwrap_or(true);
        for (r, c, v) in range.used_cells() {
            let (sr, sc) = range.start().unwrap_or((0, 0));
            let cell = match v {
                Data::String(s) => super::CellValue::Text(s.clone()),
                Data::Float(f) => super::CellValue::Number(*f),
                Data::Int(i) => super::CellValue::Int(*i),
                Data::Bool(b) => super::CellValue::Bool(*b),
                _ => continue,
            };
            sheet.set(sr + r as u32, sc + c as u32, cell);
        }
        grid.sheets.push(sheet);
    }
    Ok(grid)
}

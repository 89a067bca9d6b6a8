//! The one thing every reader produces: sheets of cells at absolute positions, with merged regions
//! and where they came from. Everything after the grid is format-blind.

use std::collections::{BTreeMap, BTreeSet};

/// What a cell holds, as found.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    /// Text, as the cell holds it (not normalised).
    Text(String),
    /// A number (xlsx stores every number as a float; xls integers arrive as `Int`).
    Number(f64),
    /// A whole number stored as such (xls integers).
    Int(i64),
    /// `TRUE` / `FALSE`.
    Bool(bool),
    /// An Excel error value such as `#DIV/0!`.
    Error(String),
    /// A formula cell whose cached result is missing: the value is unknown.
    FormulaNotCalculated(String),
}

/// A rectangle of cells, inclusive, absolute 0-based positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rect {
    /// Top row.
    pub first_row: u32,
    /// Left column.
    pub first_col: u32,
    /// Bottom row (inclusive).
    pub last_row: u32,
    /// Right column (inclusive).
    pub last_col: u32,
}

impl Rect {
    /// Whether the cell at (row, col) lies inside the rectangle.
    pub fn contains(&self, row: u32, col: u32) -> bool {
        (self.first_row..=self.last_row).contains(&row)
            && (self.first_col..=self.last_col).contains(&col)
    }
}

/// One worksheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    /// The sheet's name as shown on its tab.
    pub name: String,
    /// Hidden or very hidden sheets may hold last year's copy of a table.
    pub visible: bool,
    /// Non-empty cells by absolute (row, col).
    pub cells: BTreeMap<(u32, u32), CellValue>,
    /// Merged regions; a merged region's value sits in its top-left cell.
    pub merges: Vec<Rect>,
    /// Rows hidden on this sheet (0-based): xlsx, and xls and ods (from their guards' scans;
    /// calamine does not report them); not HTML. Like a hidden sheet, they may hold a copy
    /// of a table the reader of the workbook does not see. Only rows within the row limit are
    /// kept (no cell beyond it is read).
    pub hidden_rows: BTreeSet<u32>,
    /// Columns hidden on this sheet (0-based), within the column limit; as `hidden_rows`.
    pub hidden_cols: BTreeSet<u32>,
    /// Where a cell stands in its file when that is not its grid position: a text file's tables
    /// are laid out for reading ([`crate::read`]'s text reader), and each cell keeps here its
    /// 0-based (line, index in the line). Empty for every other reader. Messages name this place.
    pub places: BTreeMap<(u32, u32), (u32, u32)>,
    /// Cells that hold numbers the reader could not assign to them without guessing, with why
    /// (Chinese, quoted by the cell's I4 finding): a text file's digit run, its cells run
    /// together, that splits into its row's cells in more than one way or in none. Such a cell
    /// is not read. Empty for every other reader.
    pub unread: BTreeMap<(u32, u32), String>,
}

impl Sheet {
    /// An empty visible sheet.
    pub fn new(name: impl Into<String>) -> Self {
        Sheet {
            name: name.into(),
            visible: true,
            ..Default::default()
        }
    }

    /// The cell at an absolute position, if it is not empty.
    pub fn get(&self, row: u32, col: u32) -> Option<&CellValue> {
        self.cells.get(&(row, col))
    }

    /// The text of a cell, or a number's display form.
    pub fn text(&self, row: u32, col: u32) -> Option<String> {
        self.get(row, col).map(CellValue::display)
    }

    /// The merged region a cell belongs to, if any.
    pub fn merge_at(&self, row: u32, col: u32) -> Option<&Rect> {
        self.merges.iter().find(|m| m.contains(row, col))
    }

    /// Whether a cell is in a hidden row or column (not whether its sheet is hidden).
    pub fn is_hidden_cell(&self, row: u32, col: u32) -> bool {
        self.hidden_rows.contains(&row) || self.hidden_cols.contains(&col)
    }

    /// Put a value into a cell (readers and tests build sheets this way).
    pub fn set(&mut self, row: u32, col: u32, v: CellValue) {
        self.cells.insert((row, col), v);
    }
}

impl CellValue {
    /// The value as a user would see it in the cell (numbers in shortest round-trip form).
    pub fn display(&self) -> String {
        match self {
            CellValue::Text(s) => s.clone(),
            CellValue::Number(f) => format_f64(*f),
            CellValue::Int(i) => i.to_string(),
            CellValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            CellValue::Error(e) => e.clone(),
            CellValue::FormulaNotCalculated(f) => format!("={f}"),
        }
    }
}

/// Shortest representation of a float that reads back to the same float, without exponent for
/// the magnitudes found in these reports (`75394432.52`, not `7.539443252e7`).
pub fn format_f64(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A whole workbook as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grid {
    /// The file as named by the user.
    pub source: String,
    /// Sheets in tab order (for a web page or Word document: its tables, one sheet each).
    pub sheets: Vec<Sheet>,
    /// A published document's paragraphs outside its tables, in order; empty for workbooks.
    pub prose: Vec<crate::model::Paragraph>,
    /// The workbook's custom document properties (name, text), in file order: xlsx
    /// (`docProps/custom.xml`); empty for other formats. nianbao's own mark is among them
    /// ([`crate::model::Mark::from_properties`]).
    pub properties: Vec<(String, String)>,
}

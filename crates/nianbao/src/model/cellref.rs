//! Absolute cell positions and their A1 names.

use serde::{Serialize, Serializer};

/// An absolute cell position on a named sheet, 0-based (`row 0, col 0` is `A1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellRef {
    /// The sheet's name as in the workbook.
    pub sheet: String,
    /// 0-based row (row 1 in Excel is 0).
    pub row: u32,
    /// 0-based column (`A` is 0).
    pub col: u32,
}

impl CellRef {
    /// The cell at 0-based `row`, `col` of `sheet`.
    pub fn new(sheet: impl Into<String>, row: u32, col: u32) -> Self {
        CellRef {
            sheet: sheet.into(),
            row,
            col,
        }
    }

    /// `D12`
    pub fn a1(&self) -> String {
        a1(self.row, self.col)
    }

    /// `'Sheet1'!D12` (the sheet quoted the way Excel quotes it).
    pub fn qualified(&self) -> String {
        format!("{}!{}", quote_sheet(&self.sheet), self.a1())
    }
}

impl std::fmt::Display for CellRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.qualified())
    }
}

impl Serialize for CellRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("CellRef", 2)?;
        st.serialize_field("sheet", &self.sheet)?;
        st.serialize_field("cell", &self.a1())?;
        st.end()
    }
}

/// Column letters: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn col_name(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

/// A1 name of an absolute 0-based position.
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", col_name(col), row + 1)
}

/// Parse `D12` (or `$D$12`) into a 0-based (row, col).
pub fn parse_a1(s: &str) -> Option<(u32, u32)> {
    let s = s.replace('$', "");
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    if letters.is_empty() || !letters.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut col: u32 = 0;
    for c in letters.chars() {
        col = col
            .checked_mul(26)?
            .checked_add(c.to_ascii_uppercase() as u32 - 'A' as u32 + 1)?;
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 {
        return None;
    }
    Some((row - 1, col - 1))
}

/// Sheet name as it appears in a reference: always single-quoted, inner quotes doubled.
pub(crate) fn quote_sheet(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(col_name(0), "A");
        assert_eq!(col_name(2), "C");
        assert_eq!(col_name(25), "Z");
        assert_eq!(col_name(26), "AA");
        assert_eq!(col_name(701), "ZZ");
        assert_eq!(col_name(702), "AAA");
        assert_eq!(col_name(16383), "XFD");
    }

    #[test]
    fn a1_round_trip() {
        for (r, c) in [(0, 0), (4, 2), (11, 3), (1048575, 16383), (99, 702)] {
            assert_eq!(parse_a1(&a1(r, c)), Some((r, c)));
        }
        assert_eq!(a1(4, 2), "C5");
        assert_eq!(parse_a1("$D$12"), Some((11, 3)));
        assert_eq!(parse_a1("D0"), None);
        assert_eq!(parse_a1("12"), None);
    }

    #[test]
    fn qualified_quotes_sheet() {
        assert_eq!(CellRef::new("Sheet1", 11, 3).qualified(), "'Sheet1'!D12");
        assert_eq!(CellRef::new("O'Brien", 0, 0).qualified(), "'O''Brien'!A1");
    }
}

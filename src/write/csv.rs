//! The long CSV: one row per number, for analysts.
//!
//! Header: `agency,year,format,table,row,column,value,row_label,column_label,source`. Keys as in
//! FORMATS.md; `value` a plain number (`12`, `4068.208`), empty when the number is unknown (row
//! not found, not a number, formula without result) — never a made-up 0; a blank cell is 0.
//! `source` is `file!'Sheet'!A1`. UTF-8 with BOM (Excel on Chinese Windows reads BOM-less UTF-8 as
//! ANSI); text fields that Excel would take for a formula are prefixed with `'`.

use std::io::{self, Write};

use crate::model::{Report, Status};

pub const HEADER: [&str; 10] = [
    "agency",
    "year",
    "format",
    "table",
    "row",
    "column",
    "value",
    "row_label",
    "column_label",
    "source",
];

/// Neutralise a text field against formula injection in Excel/WPS.
pub fn neutralize(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Write the long CSV of several reports (BOM, header, rows) to `w`.
pub fn write_long<'a>(
    w: &mut dyn Write,
    reports: impl IntoIterator<Item = &'a Report>,
) -> io::Result<()> {
    w.write_all("\u{feff}".as_bytes())?;
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(HEADER)?;
    for report in reports {
        let agency = neutralize(report.meta.agency.as_deref().unwrap_or(""));
        let year = report.meta.year.map(|y| y.to_string()).unwrap_or_default();
        let file = report.meta.source.as_str();
        for (f, v) in report.iter() {
            let value = if v.status.is_known() {
                v.value.normalize().to_string()
            } else {
                String::new()
            };
            debug_assert!(v.status != Status::Missing || value.is_empty());
            let source = v
                .source
                .as_ref()
                .map(|c| neutralize(&format!("{file}!{}", c.qualified())))
                .unwrap_or_default();
            csv.write_record([
                agency.as_str(),
                year.as_str(),
                report.meta.format.id(),
                f.table.key(),
                f.row.key,
                f.col.key,
                value.as_str(),
                neutralize(f.row.label).as_str(),
                neutralize(f.col.label).as_str(),
                source.as_str(),
            ])?;
        }
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralizes_formula_starts_only() {
        assert_eq!(neutralize("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(neutralize("-5"), "'-5");
        assert_eq!(neutralize("@x"), "'@x");
        assert_eq!(neutralize("\tx"), "'\tx");
        assert_eq!(neutralize("杜集区"), "杜集区");
    }
}

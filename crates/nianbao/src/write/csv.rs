//! The long CSV: one row per number, for analysts.
//!
//! Header: `agency,year,format,table,row,column,value,row_label,column_label,source`. Keys as in
//! FORMATS.md; `value` a plain number (`12`, `4068.208`), empty when the number is unknown (row
//! not found, not a number, formula without result) — never a made-up 0; a blank cell is 0.
//! Money is in the header's unit (万元 for 2021 fees) or in 元 (2019 procurement), converted
//! exactly from the unit the cell states; a bare non-zero amount has no known unit and is empty.
//! `source` is `file!'Sheet'!A1`. UTF-8 with BOM (Excel on Chinese Windows reads BOM-less UTF-8 as
//! ANSI); text fields that Excel would take for a formula are prefixed with `'`.

use std::io::{self, Write};
use std::path::Path;

use super::atomic::WriteError;
use super::target::Target;
use crate::model::Report;
use crate::rollup::roster::CoverageRow;
use crate::rollup::{Detail, Head, ReportEncoder, Rollup, RollupSink, SinkError};

pub(crate) const HEADER: [&str; 10] = [
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
pub(crate) fn neutralize(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The BOM and header line of a long CSV.
pub(crate) fn header(w: &mut dyn Write) -> io::Result<()> {
    w.write_all("\u{feff}".as_bytes())?;
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(HEADER)?;
    csv.flush()
}

/// The rows of one report.
fn write_rows<W: Write>(csv: &mut csv::Writer<W>, report: &Report) -> io::Result<()> {
    let agency = neutralize(report.meta.agency.as_deref().unwrap_or(""));
    let year = report.meta.year.map(|y| y.to_string()).unwrap_or_default();
    let file = report.meta.source.as_str();
    for (f, v) in report.iter() {
        let value = v
            .canonical(f.col.kind)
            .map(|x| x.normalize().to_string())
            .unwrap_or_default();
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
    Ok(())
}

/// The rows of one report, as CSV bytes (no BOM, no header): for writers that assemble rows
/// made in parallel.
pub(crate) fn rows(report: &Report) -> io::Result<Vec<u8>> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    write_rows(&mut csv, report)?;
    csv.into_inner().map_err(|e| e.into_error())
}

/// Write the long CSV of several reports (BOM, header, rows) to `w`.
pub fn write_long<'a>(
    w: &mut dyn Write,
    reports: impl IntoIterator<Item = &'a Report>,
) -> io::Result<()> {
    header(w)?;
    for report in reports {
        w.write_all(&rows(report)?)?;
    }
    Ok(())
}

/// The long CSV of a roll-up, as a [`RollupSink`]: the BOM and header, every readable report's
/// rows in input order as the roll-up reads them, then the region's total.
pub struct RollupCsv {
    out: Target,
}

impl RollupCsv {
    /// Begin the CSV in `out` (BOM and header).
    pub fn new(mut out: Target) -> Result<Self, WriteError> {
        let w = out.writer()?;
        header(w).map_err(|e| out.error(e))?;
        Ok(RollupCsv { out })
    }

    /// Begin the CSV for `output` (never a path of `reads`), made visible when the roll-up
    /// commits.
    pub fn create(output: &Path, reads: &crate::batch::ReadSet) -> Result<Self, WriteError> {
        Self::new(Target::file(output, reads)?)
    }

    /// The target back, after the roll-up (a memory target's bytes: [`Target::into_bytes`]).
    pub fn into_target(self) -> Target {
        self.out
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        let w = self.out.writer()?;
        w.write_all(bytes).map_err(|e| self.out.error(e))
    }
}

impl RollupSink for RollupCsv {
    fn encoder(&self) -> Option<ReportEncoder> {
        Some(rows)
    }

    fn file(&mut self, _: &Head, _: Option<&Detail>, encoded: &[u8]) -> Result<(), SinkError> {
        Ok(self.write(encoded)?)
    }

    /// The region's rows, once the total is known.
    fn finish(&mut self, rollup: &mut Rollup, _: &[CoverageRow]) -> Result<(), SinkError> {
        let total = rows(&rollup.total).map_err(|e| self.out.error(e))?;
        self.write(&total)?;
        let w = self.out.writer()?;
        w.flush().map_err(|e| self.out.error(e))?;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        Ok(self.out.commit()?)
    }
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

    /// Issue 13: a 2019 采购总金额 of 8×10^24 万元 panicked ("Multiplication overflowed") in the
    /// conversion to 元. Now the amount is too large (R5) and its CSV value is empty.
    #[test]
    fn a_huge_amount_in_wan_yuan_is_empty_not_a_panic() {
        use crate::model::synthetic::consistent_report;
        use crate::model::{FormatVersion, MoneyUnit, TableKey};
        let mut r = consistent_report(FormatVersion::V2019, "测试局", 2019, 3);
        let v = r
            .get_mut(TableKey::Proactive, "procurement", "amount")
            .unwrap();
        v.value = "8000000000000000000000000".parse().unwrap();
        v.unit = Some(MoneyUnit::WanYuan);
        v.raw = Some("8000000000000000000000000万元".into());
        let text = String::from_utf8(rows(&r).unwrap()).unwrap();
        let line = text
            .lines()
            .find(|l| l.contains(",procurement,amount,"))
            .unwrap();
        assert!(line.contains(",procurement,amount,,"), "{line}");
        assert!(crate::validate::validate(&r)
            .iter()
            .any(|d| d.rule == crate::model::Rule::R5 && d.message.contains("数值过大")));
    }
}

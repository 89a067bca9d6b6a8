//! The long CSV: one row per number, for analysts.
//!
//! Header: `agency,year,format,table,row,column,value,row_label,column_label,source,status,unit,
//! counted,level` (the first ten as they always were, so that scripts reading them by position
//! keep working). Keys as in docs/model.md; `value` a plain number (`12`, `4068.208`), empty when
//! the number is unknown (row not found, not a number, formula without result) — never a made-up
//! 0; a blank cell is 0 (status `空白`). Money is in the header's unit (万元 for 2021 fees) or in
//! 元 (2019 procurement), converted exactly from the unit the cell states, and `unit` says which;
//! a bare non-zero amount has no known unit (`未知`) and an empty value. `source` is
//! `file!'Sheet'!A1`; a number `--fix` corrected keeps it and says `更正`. In a roll-up,
//! `counted` is `是` exactly for the numbers in the region total, so that the `是` rows of the
//! agencies sum, key by key, to the region's rows (`level` `区域`). UTF-8 with BOM (Excel on
//! Chinese Windows reads BOM-less UTF-8 as ANSI); text fields that Excel would take for a formula
//! are prefixed with `'`.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::path::Path;

use super::atomic::WriteError;
use super::target::Target;
use crate::model::Report;
use crate::rollup::roster::CoverageRow;
use crate::rollup::{Detail, Head, ReportEncoder, Rollup, RollupSink, SinkError};

/// The columns, in order (docs/model.md documents each).
pub const HEADER: [&str; 14] = [
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
    "status",
    "unit",
    "counted",
    "level",
];

const YEAR: usize = 1;
const VALUE: usize = 6;
const COUNTED: usize = 12;

/// Whose numbers a row holds: the `level` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// One agency's report (`convert`, and every file of a roll-up): `单位`.
    Agency,
    /// A roll-up's region total: `区域`.
    Region,
}

impl Level {
    /// Every level, in the order docs/model.md lists them.
    pub const ALL: [Level; 2] = [Level::Agency, Level::Region];

    /// `单位` or `区域`.
    pub fn label(self) -> &'static str {
        match self {
            Level::Agency => "单位",
            Level::Region => "区域",
        }
    }
}

/// The `counted` column of a roll-up's agency row: `是` when its number is in the region total
/// (its file is counted and its value is known), else `否`. Empty for a region row and in
/// `convert`, where there is no region total.
pub fn counted_label(file_counted: bool, value: &str) -> &'static str {
    if file_counted && !value.is_empty() {
        "是"
    } else {
        "否"
    }
}

/// Neutralise a text field against formula injection in Excel/WPS.
pub(crate) fn neutralize(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The BOM and header line of a long CSV.
fn header_bytes() -> io::Result<Vec<u8>> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    let mut csv = csv::Writer::from_writer(&mut out);
    csv.write_record(HEADER)?;
    csv.flush()?;
    drop(csv);
    Ok(out)
}

/// Where a report's rows stand: the `counted` and `level` columns.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// An agency's report; in a roll-up, whether its file is counted.
    Agency { counted: Option<bool> },
    /// A roll-up's region total.
    Region,
}

/// The rows of one report: the one row function of both writers.
fn write_rows<W: Write>(csv: &mut csv::Writer<W>, report: &Report, place: Place) -> io::Result<()> {
    let agency = neutralize(report.meta.agency.as_deref().unwrap_or(""));
    let year = report.meta.year.map(|y| y.to_string()).unwrap_or_default();
    let file = report.meta.source.as_str();
    let level = match place {
        Place::Agency { .. } => Level::Agency,
        Place::Region => Level::Region,
    }
    .label();
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
        let counted = match place {
            Place::Agency {
                counted: Some(file_counted),
            } => counted_label(file_counted, &value),
            _ => "",
        };
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
            v.origin().label(),
            v.unit_in(f.col.kind).label(),
            counted,
            level,
        ])?;
    }
    Ok(())
}

/// The rows of one report, as CSV bytes (no BOM, no header): for writers that assemble rows
/// made in parallel.
fn rows(report: &Report, place: Place) -> io::Result<Vec<u8>> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    write_rows(&mut csv, report, place)?;
    csv.into_inner().map_err(|e| e.into_error())
}

/// A roll-up file's rows, with its standing as the roll-up decided it while reading.
fn file_rows(report: &Report, head: &Head) -> io::Result<Vec<u8>> {
    rows(
        report,
        Place::Agency {
            counted: Some(head.standing.counted()),
        },
    )
}

/// Write the long CSV of agencies' reports (BOM, header, rows; `counted` empty, `level`
/// `单位`) to `w`.
pub fn write_long<'a>(
    w: &mut dyn Write,
    reports: impl IntoIterator<Item = &'a Report>,
) -> io::Result<()> {
    w.write_all(&header_bytes()?)?;
    for report in reports {
        w.write_all(&rows(report, Place::Agency { counted: None })?)?;
    }
    Ok(())
}

/// The long CSV of a roll-up, as a [`RollupSink`]: the BOM and header, every readable report's
/// rows in input order, then the region's total.
///
/// A file's `year` and `counted` are decided only at the end (the batch gives its year to a file
/// that states none; a duplicate is found among all files), so the rows are spooled, as the
/// roll-up reads them, to a scratch file without a name; `finish` streams them to the output,
/// each file's rows stated with the year and standing its head has then. Rows whose year and
/// standing did not change are copied as they are. Memory holds one file's rows at a time.
pub struct RollupCsv {
    out: Target,
    /// The agencies' rows, in input order, as they were encoded while reading.
    spool: BufWriter<File>,
    /// Every file handed over, in input order: how its rows were written.
    files: Vec<Spooled>,
}

/// One file's rows in the spool.
struct Spooled {
    /// Their length in bytes.
    len: u64,
    /// The year they were written with.
    year: Option<u16>,
    /// Whether they were written as of a counted file.
    counted: bool,
}

impl RollupCsv {
    /// Begin the CSV in `out` (BOM and header).
    pub fn new(mut out: Target) -> Result<Self, WriteError> {
        let spool = crate::scratch::anonymous().map_err(|e| out.error(e))?;
        let header = header_bytes().map_err(|e| out.error(e))?;
        let w = out.writer()?;
        w.write_all(&header).map_err(|e| out.error(e))?;
        Ok(RollupCsv {
            out,
            spool: BufWriter::new(spool),
            files: Vec::new(),
        })
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

    /// Stream the spooled rows to the output, each file's with the year and standing its head
    /// has now, then the region's rows.
    fn write_out(&mut self, rollup: &Rollup) -> io::Result<()> {
        if self.files.len() != rollup.heads.len() {
            return Err(io::Error::other(format!(
                "CSV 中有 {} 个文件的数据，汇总有 {} 个文件",
                self.files.len(),
                rollup.heads.len()
            )));
        }
        self.spool.flush()?;
        let spool = self.spool.get_mut();
        spool.rewind()?;
        let mut spool = BufReader::new(&*spool);
        let mut w = BufWriter::new(self.out.writer().map_err(io::Error::other)?);
        let mut old = Vec::new();
        for (file, head) in self.files.iter().zip(&rollup.heads) {
            let counted = head.standing.counted();
            if (file.year, file.counted) == (head.year, counted) {
                io::copy(&mut (&mut spool).take(file.len), &mut w)?;
                continue;
            }
            old.clear();
            (&mut spool).take(file.len).read_to_end(&mut old)?;
            let year = head.year.map(|y| y.to_string()).unwrap_or_default();
            let mut new = csv::Writer::from_writer(&mut w);
            let mut rd = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(&old[..]);
            for record in rd.byte_records() {
                let record = record?;
                let value = std::str::from_utf8(&record[VALUE]).map_err(io::Error::other)?;
                let label = counted_label(counted, value);
                let record: csv::ByteRecord = record
                    .iter()
                    .enumerate()
                    .map(|(i, f)| match i {
                        YEAR => year.as_bytes(),
                        COUNTED => label.as_bytes(),
                        _ => f,
                    })
                    .collect();
                new.write_byte_record(&record)?;
            }
            new.flush()?;
        }
        w.write_all(&rows(&rollup.total, Place::Region)?)?;
        w.flush()
    }
}

impl RollupSink for RollupCsv {
    fn encoder(&self) -> Option<ReportEncoder> {
        Some(file_rows)
    }

    fn file(&mut self, head: &Head, _: Option<&Detail>, encoded: &[u8]) -> Result<(), SinkError> {
        self.files.push(Spooled {
            len: encoded.len() as u64,
            year: head.year,
            counted: head.standing.counted(),
        });
        self.spool
            .write_all(encoded)
            .map_err(|e| self.out.error(e))?;
        Ok(())
    }

    /// The spooled rows as decided at the end, then the region's rows.
    fn finish(&mut self, rollup: &mut Rollup, _: &[CoverageRow]) -> Result<(), SinkError> {
        Ok(self.write_out(rollup).map_err(|e| self.out.error(e))?)
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
        let text = String::from_utf8(rows(&r, Place::Agency { counted: None }).unwrap()).unwrap();
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

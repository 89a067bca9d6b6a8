//! One agency's report: metadata and every number, keyed as in `FORMATS.md`, each with its source cell.

use rust_decimal::Decimal;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::{CellRef, Field, FormatVersion, MoneyUnit, TableKey, ValueKind, VersionSpec};

/// How a number came to be what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The cell held a number (possibly as text, with a unit or a note; see `raw`).
    Filled,
    /// The cell was empty: read as 0, and reported (R6).
    Blank,
    /// The row or column was not found in the workbook: 0, and reported (I-findings).
    Missing,
    /// The cell held something that is not a number: 0, and reported (I4).
    Invalid,
    /// A formula without a cached result: its value is unknown, 0 here, and reported.
    FormulaNotCalculated,
    /// Not read from a workbook but computed (a roll-up total, a `--fix` correction).
    Computed,
}

impl Status {
    /// Whether the number can be used in a cross-check: blanks count as 0, unknowns do not.
    pub fn is_known(self) -> bool {
        matches!(self, Status::Filled | Status::Blank | Status::Computed)
    }
}

/// The magnitude from which a number is not a plausible figure of these reports (10^15: a
/// thousand trillion requests, or yuan). Such a value is reported (R5 "数值过大") and takes no
/// part in any sum, like an unknown one ([`Value::known`]); below it, every sum nianbao makes of
/// a report's numbers stays far inside what a `Decimal` holds (sums are still checked).
pub const MAX_MAGNITUDE: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

/// One number of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    /// The number, exact. Counts are whole numbers when valid (R5 checks it). A JSON number.
    #[serde(serialize_with = "super::json_number::serialize")]
    pub value: Decimal,
    /// How the number came to be: read, blank, missing, not a number, computed.
    pub status: Status,
    /// For money: the unit the cell or its header states; `None` when nobody stated one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<MoneyUnit>,
    /// The cell's text as found when it was not a plain number (`22（其中修订16件）`, `１２`, `—`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// Where the number was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<CellRef>,
}

impl Value {
    /// A value that was not found in the workbook (0, status `Missing`).
    pub fn missing() -> Self {
        Value {
            value: Decimal::ZERO,
            status: Status::Missing,
            unit: None,
            raw: None,
            source: None,
        }
    }

    /// A value nianbao computed (a total, a correction), read from no cell.
    pub fn computed(value: Decimal, unit: Option<MoneyUnit>) -> Self {
        Value {
            value,
            status: Status::Computed,
            unit,
            raw: None,
            source: None,
        }
    }

    /// Whether the number is too large to be a figure of these reports (|value| ≥
    /// [`MAX_MAGNITUDE`]): reported by R5 and unknown to every sum.
    pub fn is_too_large(&self) -> bool {
        self.value.abs() >= MAX_MAGNITUDE
    }

    /// The number, when it can take part in a sum: its status is known
    /// ([`Status::is_known`]) and it is not [too large](Value::is_too_large).
    pub fn known(&self) -> Option<Decimal> {
        (self.status.is_known() && !self.is_too_large()).then_some(self.value)
    }

    /// The value in its field's canonical unit (money: the header's unit, or 元); `None` when
    /// unknown: not read, too large ([`Value::known`]), or money whose unit nobody stated (a
    /// non-zero bare amount).
    pub fn canonical(&self, kind: ValueKind) -> Option<Decimal> {
        let value = self.known()?;
        let Some(target) = kind.canonical_unit() else {
            return Some(value);
        };
        let wan = Decimal::from(10_000);
        match self.unit {
            _ if value.is_zero() => Some(Decimal::ZERO),
            None => None,
            Some(u) if u == target => Some(value),
            Some(MoneyUnit::WanYuan) => value.checked_mul(wan),
            Some(MoneyUnit::Yuan) => value.checked_div(wan),
        }
    }

    /// The value as a whole number, when it is one.
    pub fn as_count(&self) -> Option<i64> {
        if self.value.fract().is_zero() {
            i64::try_from(self.value).ok()
        } else {
            None
        }
    }
}

/// A sum of input-derived numbers that does not fit a `Decimal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Overflow;

/// The sum of values, every addition checked: `Ok(None)` when one of them is unknown
/// ([`Value::known`]: not read, not a number, uncalculated, too large), `Err(Overflow)` when the
/// sum does not fit. The one way a report's numbers are summed (rules, `--fix`, the template,
/// the metrics).
pub(crate) fn sum_known<'a>(
    values: impl IntoIterator<Item = &'a Value>,
) -> Result<Option<Decimal>, Overflow> {
    let mut acc = Decimal::ZERO;
    for v in values {
        let Some(x) = v.known() else {
            return Ok(None);
        };
        acc = acc.checked_add(x).ok_or(Overflow)?;
    }
    Ok(Some(acc))
}

/// Who, when, which format, from where.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meta {
    /// The agency (填报单位), when the workbook names it or the caller gives it.
    pub agency: Option<String>,
    /// The report year (统计年度), when the workbook states it or the caller gives it.
    pub year: Option<u16>,
    /// The format version the tables follow; it decides the fields.
    pub format: FormatVersion,
    /// The file the report was read from (as given on the command line).
    pub source: String,
    /// The cell the agency name was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency_cell: Option<CellRef>,
    /// The cell the year was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_cell: Option<CellRef>,
}

/// One agency's statistics: every field of its format version, in document order.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Who, when, which format, from where.
    pub meta: Meta,
    values: Vec<Value>,
    /// The report's prose when it was read from a published document (web page, Word, text),
    /// in document order; empty for workbooks.
    pub prose: Vec<super::Paragraph>,
    /// Where the agency was read from in the prose, when no cell gave it.
    pub agency_from: Option<super::MetaSource>,
    /// Where the year was read from in the prose, when no cell gave it.
    pub year_from: Option<super::MetaSource>,
}

impl Report {
    /// A report whose every value is `Missing`, to be filled by a reader.
    pub fn empty(meta: Meta) -> Self {
        let n = meta.format.spec().field_count();
        Report {
            meta,
            values: vec![Value::missing(); n],
            prose: Vec::new(),
            agency_from: None,
            year_from: None,
        }
    }

    /// A report from values in [`VersionSpec::fields`] order. Panics on a length mismatch.
    pub fn from_values(meta: Meta, values: Vec<Value>) -> Self {
        assert_eq!(values.len(), meta.format.spec().field_count());
        Report {
            meta,
            values,
            prose: Vec::new(),
            agency_from: None,
            year_from: None,
        }
    }

    /// The field layout of the report's format version.
    pub fn spec(&self) -> &'static VersionSpec {
        self.meta.format.spec()
    }

    /// The value of one field by its keys (see [`crate::model::spec::keys`]); `None` when the
    /// version has no such field.
    pub fn get(&self, table: TableKey, row: &str, col: &str) -> Option<&Value> {
        self.spec()
            .index_of(table, row, col)
            .map(|i| &self.values[i])
    }

    /// [`Report::get`], to change the value.
    pub fn get_mut(&mut self, table: TableKey, row: &str, col: &str) -> Option<&mut Value> {
        self.spec()
            .index_of(table, row, col)
            .map(|i| &mut self.values[i])
    }

    /// Every field with its value, in document order.
    pub fn iter(&self) -> impl Iterator<Item = (Field, &Value)> {
        self.spec().fields().zip(self.values.iter())
    }

    /// Every value, in [`VersionSpec::fields`] order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// Every value, in [`VersionSpec::fields`] order, to change them.
    pub fn values_mut(&mut self) -> &mut [Value] {
        &mut self.values
    }
}

impl Serialize for Report {
    /// `{"agency", "year", "format", "source", …, "tables": {table: {row: {column: Value}}}}`
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Tables<'a>(&'a Report);
        struct Rows<'a>(&'a Report, TableKey);
        struct Cols<'a>(&'a Report, TableKey, &'static super::RowSpec);
        impl Serialize for Tables<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(3))?;
                for t in TableKey::ALL {
                    m.serialize_entry(t.key(), &Rows(self.0, t))?;
                }
                m.end()
            }
        }
        impl Serialize for Rows<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let rows = self.0.spec().table(self.1).rows;
                let mut m = s.serialize_map(Some(rows.len()))?;
                for r in rows {
                    m.serialize_entry(r.key, &Cols(self.0, self.1, r))?;
                }
                m.end()
            }
        }
        impl Serialize for Cols<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.2.columns.len()))?;
                for c in self.2.columns {
                    let v = self.0.get(self.1, self.2.key, c.key).expect("spec field");
                    m.serialize_entry(c.key, v)?;
                }
                m.end()
            }
        }
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            meta: &'a Meta,
            #[serde(skip_serializing_if = "Option::is_none")]
            agency_from: Option<&'a super::MetaSource>,
            #[serde(skip_serializing_if = "Option::is_none")]
            year_from: Option<&'a super::MetaSource>,
            tables: Tables<'a>,
        }
        Out {
            meta: &self.meta,
            agency_from: self.agency_from.as_ref(),
            year_from: self.year_from.as_ref(),
            tables: Tables(self),
        }
        .serialize(s)
    }
}

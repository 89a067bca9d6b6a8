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

/// What a number is, as the long CSV's `status` column says it: its [`Status`], with a computed
/// number told apart by where it stands. A number `--fix` corrected keeps the cell it was read
/// from ([`Origin::Corrected`]); a number read from no cell (a roll-up's region total) is
/// [`Origin::Total`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// [`Status::Filled`]: `填报`.
    Filled,
    /// [`Status::Blank`], read as 0: `空白`.
    Blank,
    /// [`Status::Missing`]: `未找到`.
    Missing,
    /// [`Status::Invalid`]: `不是数字`.
    Invalid,
    /// [`Status::FormulaNotCalculated`]: `公式未计算`.
    FormulaNotCalculated,
    /// [`Status::Computed`] in place of a cell that was read (a `--fix` correction): `更正`.
    Corrected,
    /// [`Status::Computed`] and read from no cell (a roll-up's region total): `合计`.
    Total,
}

impl Origin {
    /// Every origin, in the order docs/model.md lists them.
    pub const ALL: [Origin; 7] = [
        Origin::Filled,
        Origin::Blank,
        Origin::Missing,
        Origin::Invalid,
        Origin::FormulaNotCalculated,
        Origin::Corrected,
        Origin::Total,
    ];

    /// The Chinese label (the CSV's `status` column).
    pub fn label(self) -> &'static str {
        match self {
            Origin::Filled => "填报",
            Origin::Blank => "空白",
            Origin::Missing => "未找到",
            Origin::Invalid => "不是数字",
            Origin::FormulaNotCalculated => "公式未计算",
            Origin::Corrected => "更正",
            Origin::Total => "合计",
        }
    }

    /// The status of a value of this origin.
    pub fn status(self) -> Status {
        match self {
            Origin::Filled => Status::Filled,
            Origin::Blank => Status::Blank,
            Origin::Missing => Status::Missing,
            Origin::Invalid => Status::Invalid,
            Origin::FormulaNotCalculated => Status::FormulaNotCalculated,
            Origin::Corrected | Origin::Total => Status::Computed,
        }
    }
}

/// The unit of a number as exported ([`Value::canonical`]; the CSV's `unit` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A count (also 本年增/减): `件`.
    Piece,
    /// Money in this unit (the header's, or 元 when the header states none).
    Money(MoneyUnit),
    /// A non-zero amount whose unit nobody stated (I6): `未知`; its exported value is empty.
    Unknown,
}

impl Unit {
    /// Every unit, in the order docs/model.md lists them.
    pub const ALL: [Unit; 4] = [
        Unit::Piece,
        Unit::Money(MoneyUnit::WanYuan),
        Unit::Money(MoneyUnit::Yuan),
        Unit::Unknown,
    ];

    /// `件`, `万元`, `元` or `未知`.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Piece => "件",
            Unit::Money(u) => u.label(),
            Unit::Unknown => "未知",
        }
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

    /// What the number is: its status, a computed one told apart by whether it kept a source
    /// cell (see [`Origin`]).
    pub fn origin(&self) -> Origin {
        match self.status {
            Status::Filled => Origin::Filled,
            Status::Blank => Origin::Blank,
            Status::Missing => Origin::Missing,
            Status::Invalid => Origin::Invalid,
            Status::FormulaNotCalculated => Origin::FormulaNotCalculated,
            Status::Computed if self.source.is_some() => Origin::Corrected,
            Status::Computed => Origin::Total,
        }
    }

    /// The unit [`Value::canonical`] gives the number in: `件` for counts; for money the field's
    /// canonical unit, or [`Unit::Unknown`] when the amount is known, not 0, and nobody stated
    /// its unit (exactly when `canonical` is `None` for want of a unit).
    pub fn unit_in(&self, kind: ValueKind) -> Unit {
        match kind.canonical_unit() {
            None => Unit::Piece,
            Some(_) if self.unit.is_none() && self.known().is_some_and(|v| !v.is_zero()) => {
                Unit::Unknown
            }
            Some(u) => Unit::Money(u),
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
    /// Where the agency name came from (none when it is unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency_from: Option<MetaSource>,
    /// Where the year came from (none when it is unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_from: Option<MetaSource>,
}

/// Where a report's agency name or year came from. The order is the order in which the sources
/// win when a workbook states them in several places: the caller's word first, then what the
/// workbook says (a labelled cell, the title, a short title line, a sheet name), then what a
/// published report's prose says (its title, 统计期限, opening sentence: only when no cell says
/// it), then the file name, and last the year of the roll-up the file is part of. JSON: the
/// snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetaSource {
    /// Given by the caller for this file (it overrides the workbook).
    Given,
    /// A labelled cell: `填报单位（盖章）：`, `单位名称：`, `报送单位：`, `统计年度：`, `年度：`,
    /// `统计期限自…起至…止` (the value in the same cell after the colon, or in the next
    /// non-empty cell to the right).
    Label,
    /// The full title `{单位}{年度}年政府信息公开工作年度报告…`.
    Title,
    /// A short line near the top of a sheet naming the agency and/or the year in other words
    /// (`某某局2025年报`, `2025年度 教育局`, `教育局（2025年）`).
    ShortTitle,
    /// The name of a sheet holding the tables (`2025`, `2025年`, `2025年度`): the year only.
    SheetName,
    /// A published report's title line in its prose
    /// (`{单位}{年度}年（度）政府信息公开工作年度报告`, `标题：…`, a web page's `<title>`).
    ProseTitle,
    /// A published report's `统计期限自{年度}年1月1日起至{年度}年12月31日止` in its prose: the
    /// year only.
    ProsePeriod,
    /// A published report's opening sentence: `由{单位}编制`, `现将{单位}{年度}年…年度报告…`.
    ProseOpening,
    /// The file name (`教育局2025年报.xlsx`, `03_教育局.xlsx`): the last resort in the file.
    FileName,
    /// The year of the roll-up the file is part of (the file states none).
    Batch,
}

impl MetaSource {
    /// The Chinese name of the source, for messages (`文件名`).
    pub fn label(self) -> &'static str {
        match self {
            MetaSource::Given => "指定",
            MetaSource::Label => "表头单元格",
            MetaSource::Title => "标题",
            MetaSource::ShortTitle => "标题行",
            MetaSource::SheetName => "工作表名",
            MetaSource::ProseTitle => "正文标题",
            MetaSource::ProsePeriod => "正文统计期限",
            MetaSource::ProseOpening => "正文首句",
            MetaSource::FileName => "文件名",
            MetaSource::Batch => "汇总年度",
        }
    }

    /// Whether the document's own content says it, in a cell or in a published report's prose
    /// (not the caller, not the file name, not the roll-up).
    pub fn in_workbook(self) -> bool {
        matches!(
            self,
            MetaSource::Label
                | MetaSource::Title
                | MetaSource::ShortTitle
                | MetaSource::SheetName
                | MetaSource::ProseTitle
                | MetaSource::ProsePeriod
                | MetaSource::ProseOpening
        )
    }

    /// Whether it is read from a published report's prose.
    pub fn in_prose(self) -> bool {
        matches!(
            self,
            MetaSource::ProseTitle | MetaSource::ProsePeriod | MetaSource::ProseOpening
        )
    }
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
    /// The mark of the workbook it was read from, when nianbao wrote that workbook (an earlier
    /// roll-up summary, a converted report).
    pub mark: Option<super::Mark>,
}

impl Report {
    /// A report whose every value is `Missing`, to be filled by a reader.
    pub fn empty(meta: Meta) -> Self {
        let n = meta.format.spec().field_count();
        Report {
            meta,
            values: vec![Value::missing(); n],
            prose: Vec::new(),
            mark: None,
        }
    }

    /// A report from values in [`VersionSpec::fields`] order. Panics on a length mismatch.
    pub fn from_values(meta: Meta, values: Vec<Value>) -> Self {
        assert_eq!(values.len(), meta.format.spec().field_count());
        Report {
            meta,
            values,
            prose: Vec::new(),
            mark: None,
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
            tables: Tables<'a>,
        }
        Out {
            meta: &self.meta,
            tables: Tables(self),
        }
        .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A computed number that kept its cell is a correction (`--fix`); one read from no cell is
    /// a total.
    #[test]
    fn a_computed_value_is_a_correction_when_it_kept_its_cell() {
        let mut v = Value::computed(Decimal::TEN, None);
        assert_eq!(v.origin(), Origin::Total);
        v.source = Some(CellRef::new("表", 3, 4));
        assert_eq!(v.origin(), Origin::Corrected);
        for o in Origin::ALL {
            v.status = o.status();
            if o != Origin::Total {
                assert_eq!(v.origin(), o);
            }
        }
    }

    /// The unit is unknown exactly when a known, non-zero amount stated none.
    #[test]
    fn the_unit_is_unknown_only_for_a_bare_non_zero_amount() {
        let money = ValueKind::Money { header_unit: None };
        let wan = ValueKind::Money {
            header_unit: Some(MoneyUnit::WanYuan),
        };
        let mut v = Value::computed(Decimal::TEN, None);
        v.status = Status::Filled;
        assert_eq!(v.unit_in(ValueKind::Count), Unit::Piece);
        assert_eq!(v.unit_in(ValueKind::SignedCount), Unit::Piece);
        assert_eq!(v.unit_in(money), Unit::Unknown);
        assert_eq!(v.canonical(money), None);
        assert_eq!(v.unit_in(wan), Unit::Unknown);
        v.unit = Some(MoneyUnit::WanYuan);
        assert_eq!(v.unit_in(money), Unit::Money(MoneyUnit::Yuan));
        assert_eq!(v.canonical(money), Some(Decimal::from(100_000)));
        assert_eq!(v.unit_in(wan), Unit::Money(MoneyUnit::WanYuan));
        v.unit = None;
        v.value = Decimal::ZERO;
        assert_eq!(v.unit_in(money), Unit::Money(MoneyUnit::Yuan));
        v.value = Decimal::TEN;
        v.status = Status::Missing;
        assert_eq!(v.unit_in(money), Unit::Money(MoneyUnit::Yuan));
    }
}

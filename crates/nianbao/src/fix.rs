//! `--fix`: recompute the derivable totals of a report from their parts.
//!
//! Only totals are ever changed, never a detail value an agency reported:
//!
//! 1. table 三, every row except `（七）总计`: `total` = the six applicant columns (R2);
//! 2. table 三, every column including `total`: `handled_total` = the result rows (R3,
//!    [`spec::result_rows`]);
//! 3. table 四, every row: `total` = `upheld + corrected + other + pending` (R4).
//!
//! The derivations are the sums of the one list of equations (the same list `validate` checks
//! and the template writes as formulas), one per total, ordered so that a total comes after its
//! parts ([`derivations`]): step 2 sums the row totals of step 1, so after a fix `（七）总计/总计`
//! is both the sum of its row and of its column.
//!
//! A total is recomputed when all its parts are known numbers ([`Status::is_known`]: filled,
//! blank = 0, or computed) and it differs from their sum, or when the total itself is not a
//! number as read (blank, missing, not a number, a formula without result). A total with an
//! unknown part (a part that is missing, not a number or an uncalculated formula) is left
//! alone: its right value is not derivable, and the reading findings already say why.
//! R1 (`new + carried_in = handled_total + carried_out`) is not fixable this way: all four are
//! given numbers or the totals of given numbers, so it is left to the agency.

use rust_decimal::Decimal;
use serde::Serialize;

pub use crate::model::equations::{derivations, Derivation};
use crate::model::spec::{self, TableKey};
use crate::model::{CellRef, Field, Report, Status};

/// One value changed by [`fix`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    /// The table of the changed value.
    pub table: TableKey,
    /// The row's key in the format spec.
    pub row: &'static str,
    /// The column's key in the format spec.
    pub col: &'static str,
    /// The row label with its group (`（三）不予公开 1.属于国家秘密`).
    pub row_label: String,
    /// The column label as printed in the official table.
    pub col_label: &'static str,
    /// Where the old value was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<CellRef>,
    /// The old value (0 when it was not a number).
    pub old: Decimal,
    /// What the old cell held: blank, missing, not a number, a formula without result, a number.
    pub old_status: Status,
    /// The old cell's text when it was not a plain number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_raw: Option<String>,
    /// The recomputed total: the sum of its parts.
    pub new: Decimal,
    /// Position of the field in [`crate::model::VersionSpec::fields`].
    #[serde(skip)]
    pub index: usize,
}

impl Correction {
    /// The old value as the user saw it: the number, or what the cell held instead.
    pub(crate) fn old_display(&self) -> String {
        match self.old_status {
            Status::Blank => "（空白）".to_string(),
            Status::Missing => "（未找到）".to_string(),
            Status::FormulaNotCalculated => "（公式未计算）".to_string(),
            Status::Invalid => match &self.old_raw {
                Some(r) => format!("“{r}”"),
                None => "（不是数字）".to_string(),
            },
            Status::Filled | Status::Computed => self.old.normalize().to_string(),
        }
    }

    /// One Chinese line for stderr: `表三（依申请公开）一、本年新收… / 总计（'Sheet1'!J8）：12 → 13`.
    pub fn message(&self) -> String {
        let at = self
            .source
            .as_ref()
            .map(|c| format!("（原表 {c}）"))
            .unwrap_or_default();
        format!(
            "已更正 {} {} / {}{at}：{} → {}",
            self.table.short(),
            self.row_label,
            self.col_label,
            self.old_display(),
            self.new.normalize()
        )
    }
}

/// The row label of a field with its group label in front, as printed in the official table.
pub(crate) fn row_label(field: &Field) -> String {
    match field.row.group {
        Some(g) if field.table == TableKey::Requests && g != spec::RESULTS_GROUP => {
            format!("{g} {}", field.row.label)
        }
        Some(g) if field.table == TableKey::Appeals => format!("{g} · {}", field.row.label),
        _ => field.row.label.to_string(),
    }
}

/// Recompute every derivable total from its parts (see the module doc); returns what changed,
/// in derivation order. Changed values get [`Status::Computed`] and keep their source cell.
pub fn fix(report: &mut Report) -> Vec<Correction> {
    let version = report.meta.format;
    let fields: Vec<Field> = version.spec().fields().collect();
    let mut out = Vec::new();
    for d in derivations(version) {
        let values = report.values();
        // a part unknown (or too large), or a sum that overflows: nothing to recompute
        let Ok(Some(sum)) = crate::model::report::sum_known(d.parts.iter().map(|&p| &values[p]))
        else {
            continue;
        };
        let cur = &values[d.target];
        let as_read_number = matches!(cur.status, Status::Filled | Status::Computed);
        if as_read_number && cur.value == sum {
            continue;
        }
        let f = &fields[d.target];
        out.push(Correction {
            table: f.table,
            row: f.row.key,
            col: f.col.key,
            row_label: row_label(f),
            col_label: f.col.label,
            source: cur.source.clone(),
            old: cur.value,
            old_status: cur.status,
            old_raw: cur.raw.clone(),
            new: sum,
            index: d.target,
        });
        let v = &mut report.values_mut()[d.target];
        v.value = sum;
        v.status = Status::Computed;
        v.raw = None;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FormatVersion, Meta, Value};

    fn filled(v: i64, row: u32, col: u32) -> Value {
        Value {
            value: Decimal::from(v),
            status: Status::Filled,
            unit: None,
            raw: None,
            source: Some(CellRef::new("Sheet1", row, col)),
        }
    }

    /// A consistent report: every detail value distinct, every total right.
    fn consistent(version: FormatVersion) -> Report {
        let meta = Meta {
            agency: Some("测试局".into()),
            year: Some(2020),
            format: version,
            source: "t.xlsx".into(),
            agency_cell: None,
            year_cell: None,
            agency_from: None,
            year_from: None,
        };
        let mut r = Report::empty(meta);
        for (i, v) in r.values_mut().iter_mut().enumerate() {
            *v = filled((i % 7) as i64 + 1, i as u32, 3);
        }
        for d in derivations(version) {
            let sum: Decimal = d.parts.iter().map(|&p| r.values()[p].value).sum();
            r.values_mut()[d.target].value = sum;
        }
        r
    }

    #[test]
    fn derivations_cover_r2_r3_r4_targets_once() {
        for v in FormatVersion::ALL {
            let d = derivations(v);
            let n_rows = v.spec().table(TableKey::Requests).rows.len();
            // R2: n_rows - 1 row totals, R3: 7 columns, R4: 3 rows
            assert_eq!(d.len(), (n_rows - 1) + 7 + 3);
            let mut targets: Vec<_> = d.iter().map(|d| d.target).collect();
            targets.sort();
            targets.dedup();
            assert_eq!(targets.len(), d.len());
            // a target is never a part of an earlier derivation (computed in order)
            for (i, di) in d.iter().enumerate() {
                for dj in &d[..i] {
                    assert!(
                        !dj.parts.contains(&di.target),
                        "{di:?} used before computed"
                    );
                }
            }
        }
    }

    #[test]
    fn consistent_report_is_not_changed() {
        for v in FormatVersion::ALL {
            let mut r = consistent(v);
            let before = r.clone();
            assert!(fix(&mut r).is_empty());
            assert_eq!(r, before);
        }
    }

    #[test]
    fn wrong_row_total_is_recomputed_and_propagates_to_handled_total() {
        let mut r = consistent(FormatVersion::V2021);
        let t = TableKey::Requests;
        let right = r.get(t, "granted", "total").unwrap().value;
        r.get_mut(t, "granted", "total").unwrap().value = right + Decimal::from(5);
        // the agency also summed the wrong total into handled_total/total
        let ht = r.get(t, "handled_total", "total").unwrap().value;
        r.get_mut(t, "handled_total", "total").unwrap().value = ht + Decimal::from(5);
        let c = fix(&mut r);
        let keys: Vec<_> = c.iter().map(|c| (c.row, c.col)).collect();
        assert_eq!(keys, [("granted", "total"), ("handled_total", "total")]);
        assert_eq!(c[0].old, right + Decimal::from(5));
        assert_eq!(c[0].new, right);
        assert_eq!(
            c[0].source,
            Some(CellRef::new("Sheet1", c[0].index as u32, 3))
        );
        let v = r.get(t, "granted", "total").unwrap();
        assert_eq!((v.value, v.status), (right, Status::Computed));
        // the wrong sum carried into handled_total/total is corrected too (step 2 after step 1)
        assert_eq!((c[1].old, c[1].new), (ht + Decimal::from(5), ht));
        assert_eq!(r.get(t, "handled_total", "total").unwrap().value, ht);
    }

    #[test]
    fn handled_total_column_and_appeals_total_are_recomputed() {
        let mut r = consistent(FormatVersion::V2019);
        let t = TableKey::Requests;
        r.get_mut(t, "handled_total", "research").unwrap().value = Decimal::from(999);
        r.get_mut(TableKey::Appeals, "review", "total")
            .unwrap()
            .value = Decimal::ZERO;
        let c = fix(&mut r);
        let keys: Vec<_> = c.iter().map(|c| (c.table, c.row, c.col)).collect();
        assert_eq!(
            keys,
            [
                (t, "handled_total", "research"),
                (TableKey::Appeals, "review", "total")
            ]
        );
        let expected: Decimal = spec::result_rows(r.spec().table(t))
            .map(|row| r.get(t, row.key, "research").unwrap().value)
            .sum();
        assert_eq!(
            r.get(t, "handled_total", "research").unwrap().value,
            expected
        );
        let a = TableKey::Appeals;
        let four: Decimal = ["upheld", "corrected", "other", "pending"]
            .iter()
            .map(|c| r.get(a, "review", c).unwrap().value)
            .sum();
        assert_eq!(r.get(a, "review", "total").unwrap().value, four);
        assert!(four > Decimal::ZERO);
    }

    #[test]
    fn details_are_never_changed() {
        let mut r = consistent(FormatVersion::V2021);
        // break R1 and a detail so that only details could "fix" it
        r.get_mut(TableKey::Requests, "new", "commercial")
            .unwrap()
            .value = Decimal::from(77);
        let before = r.clone();
        let c = fix(&mut r);
        let targets: Vec<usize> = derivations(FormatVersion::V2021)
            .iter()
            .map(|d| d.target)
            .collect();
        for (i, (a, b)) in before.values().iter().zip(r.values()).enumerate() {
            if !targets.contains(&i) {
                assert_eq!(a, b, "detail field {i} changed");
            }
        }
        // new/total and handled? no: `new` is not a result row, only its own total changes
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].row, c[0].col), ("new", "total"));
    }

    #[test]
    fn blank_total_is_filled_unknown_part_blocks_the_fix() {
        let mut r = consistent(FormatVersion::V2021);
        let t = TableKey::Requests;
        {
            let v = r.get_mut(t, "new", "total").unwrap();
            v.status = Status::Blank;
            v.value = Decimal::ZERO;
        }
        {
            let v = r.get_mut(t, "carried_in", "research").unwrap();
            v.status = Status::Invalid;
            v.raw = Some("不详".into());
            v.value = Decimal::ZERO;
        }
        r.get_mut(t, "carried_in", "total").unwrap().value = Decimal::from(12345);
        let c = fix(&mut r);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].row, "new");
        assert_eq!(c[0].old_display(), "（空白）");
        assert!(c[0].message().contains("（空白） → "));
        assert_eq!(
            r.get(t, "carried_in", "total").unwrap().value,
            Decimal::from(12345)
        );
    }

    #[test]
    fn fix_is_idempotent() {
        let mut r = consistent(FormatVersion::V2019);
        for v in r.values_mut().iter_mut().step_by(5) {
            v.value += Decimal::ONE;
        }
        let first = fix(&mut r);
        assert!(!first.is_empty());
        assert!(fix(&mut r).is_empty());
    }
}

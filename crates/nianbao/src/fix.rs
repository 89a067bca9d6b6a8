//! `--fix`: recompute the derivable totals of a report from their parts, where that makes the
//! report no worse.
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
//! A total is a candidate when all its parts are known numbers ([`Status::is_known`]: filled,
//! blank = 0, or computed) and it differs from their sum, or when the total itself is not a
//! number as read (blank, missing, not a number, a formula without result). A total with an
//! unknown part (a part that is missing, not a number or an uncalculated formula) is left
//! alone: its right value is not derivable, and the reading findings already say why.
//!
//! **Never worse.** The candidates are applied together, then the report is validated again
//! ([`crate::validate::validate`], before and after): a finding after that no finding before
//! covers (same rule, its cells among the cells of the finding before) is a rule that held and
//! would now fail (an equation that could not be checked as read, because a total was not a
//! number, counts as holding: filling the total must not make it fail). The candidates whose
//! cell that finding names are held back — left as the
//! agency wrote them and reported as a [`Conflict`] — and the rest are recomputed and checked
//! again, until no rule fails that held. On `fails_r3.xlsx`: R3 says `（七）总计/自然人` (28) is
//! not the sum of the result rows (29), but R1 holds with 28 (新收 + 上年结转 − 结转下年度), so
//! the two rules disagree about which number is wrong and nothing is changed there.
//!
//! R1 (`new + carried_in = handled_total + carried_out`) is never a derivation: all four are
//! given numbers or the totals of given numbers, so it is left to the agency.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::diag::Diagnostic;
pub use crate::model::equations::{derivations, Derivation};
use crate::model::spec::{self, TableKey};
use crate::model::{CellRef, Field, Report, Rule, Status};

/// What [`fix`] did: the totals it recomputed and the totals it left as read because the sum of
/// their parts would make another rule fail.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Fixed {
    /// The values changed, in derivation order ([`derivations`]).
    pub corrections: Vec<Correction>,
    /// The totals not changed because two rules disagree about which number is wrong, in
    /// derivation order.
    pub conflicts: Vec<Conflict>,
}

impl Fixed {
    /// Nothing changed and nothing held back.
    pub fn is_empty(&self) -> bool {
        self.corrections.is_empty() && self.conflicts.is_empty()
    }

    /// One Chinese line per correction, then one per conflict (for the terminal).
    pub fn messages(&self) -> impl Iterator<Item = String> + '_ {
        let c = self.corrections.iter().map(Correction::message);
        c.chain(self.conflicts.iter().map(Conflict::message))
    }
}

/// One total recomputed by [`fix`] (in [`Fixed::corrections`]), or one it would have
/// recomputed (the `correction` of a [`Conflict`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    /// The rule whose equation defines the total as the sum of its parts (R2–R4).
    pub rule: Rule,
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
    /// The old value, as the agency wrote it (0 when it was not a number).
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

    /// `表三（依申请公开） （一）予以公开 / 总计（原表 '统计表'!J25）`
    fn place(&self) -> String {
        let at = self
            .source
            .as_ref()
            .map(|c| format!("（原表 {c}）"))
            .unwrap_or_default();
        format!(
            "{} {} / {}{at}",
            self.table.short(),
            self.row_label,
            self.col_label
        )
    }

    /// One Chinese line for stderr:
    /// `已更正 表三（依申请公开） （一）予以公开 / 总计（原表 '统计表'!J25）：24 → 23`.
    pub fn message(&self) -> String {
        format!(
            "已更正 {}：{} → {}",
            self.place(),
            self.old_display(),
            self.new.normalize()
        )
    }
}

/// A total [`fix`] left as the agency wrote it: its rule (`correction.rule`, e.g. R3) says it
/// is not the sum of its parts, but with the sum another rule that holds as read would fail
/// (`against`, e.g. R1): the two rules disagree about which number is wrong (the total, or one
/// of its parts), so only the agency can say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// The correction not applied: `old` is the agency's number, `new` the sum of its parts.
    pub correction: Correction,
    /// The rules that hold as read and would fail with the sum.
    pub against: Vec<Rule>,
    /// The cells of the agency's file those rules involve (the total's own cell among them).
    pub cells: Vec<CellRef>,
}

impl Conflict {
    /// What the rules that would fail check, and where, in Chinese:
    /// `R1（原表 '统计表'!D38、D39、D50、D51）`.
    pub(crate) fn against_text(&self) -> String {
        let rules: Vec<&str> = self.against.iter().map(|r| r.code()).collect();
        let rules = rules.join("、");
        if self.cells.is_empty() {
            rules
        } else {
            format!("{rules}（原表 {}）", cells_text(&self.cells))
        }
    }

    /// One Chinese line for stderr: `未更正 表三（依申请公开） （七）总计 / 自然人（原表
    /// '统计表'!D50）：28，R3 要求等于分项之和 29，但改为 29 会使 R1（…）不成立；…`.
    pub fn message(&self) -> String {
        let c = &self.correction;
        format!(
            "未更正 {}：{}，{} 要求等于分项之和 {}，但改为 {} 会使 {}不成立。\
             两条规则对哪个数有误意见不一：请核对这些单元格后手工更正",
            c.place(),
            c.old_display(),
            c.rule,
            c.new.normalize(),
            c.new.normalize(),
            self.against_text()
        )
    }
}

/// `'统计表'!D38、D39、D50` when the cells share a sheet, each qualified otherwise.
fn cells_text(cells: &[CellRef]) -> String {
    let one_sheet = cells.iter().all(|c| c.sheet == cells[0].sheet);
    let names: Vec<String> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 || !one_sheet {
                c.qualified()
            } else {
                c.a1()
            }
        })
        .collect();
    names.join("、")
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

/// Recompute every derivable total from its parts where that makes no rule fail that held
/// (see the module doc). Changed values get [`Status::Computed`] and keep their source cell;
/// a total held back keeps the agency's value and is listed in [`Fixed::conflicts`].
pub fn fix(report: &mut Report) -> Fixed {
    fix_checked(report).0
}

/// [`fix`], and the findings of [`crate::validate::validate`] on the report *as read* that still
/// hold after the corrections: their messages quote the numbers the agency wrote; a finding the
/// corrections resolved is left out (its [`Correction`] says what became of it).
pub(crate) fn fix_checked(report: &mut Report) -> (Fixed, Vec<Diagnostic>) {
    let before = crate::validate::validate(report);
    let mut conflicts: Vec<Conflict> = Vec::new();
    loop {
        let mut trial = report.clone();
        let corrections = recompute(&mut trial, |i| {
            conflicts.iter().any(|c| c.correction.index == i)
        });
        let after = crate::validate::validate(&trial);
        let new: Vec<&Diagnostic> = after
            .iter()
            .filter(|a| !before.iter().any(|b| covers(b, a)))
            .collect();
        // no correction left: `trial` is the report as read, and `after` is `before`
        if new.is_empty() || corrections.is_empty() {
            *report = trial;
            let order = |c: &Conflict| {
                let d = derivations(report.meta.format);
                d.iter().position(|d| d.target == c.correction.index)
            };
            conflicts.sort_by_key(order);
            let still: Vec<Diagnostic> = before
                .into_iter()
                .filter(|b| after.iter().any(|a| covers(b, a)))
                .collect();
            return (
                Fixed {
                    corrections,
                    conflicts,
                },
                still,
            );
        }
        conflicts.extend(blame(&corrections, &new));
    }
}

/// Recompute, in derivation order, every total not `held` whose parts are known and whose value
/// is not their sum (or not a number); returns what changed.
fn recompute(report: &mut Report, held: impl Fn(usize) -> bool) -> Vec<Correction> {
    let version = report.meta.format;
    let fields: Vec<Field> = version.spec().fields().collect();
    let mut out = Vec::new();
    for d in derivations(version) {
        if held(d.target) {
            continue;
        }
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
            rule: d.rule,
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

/// The cells a finding names: its cell and every cell it involves.
fn named(d: &Diagnostic) -> impl Iterator<Item = &CellRef> {
    d.cell.iter().chain(&d.cells)
}

/// Whether finding `before` (of the report as read) covers finding `after` (of a corrected
/// report): the same rule with the same outcome, and every cell `after` names named by
/// `before` too (R6 lists a row's blank cells: filling a blank total leaves fewer). A finding
/// that names no cell is covered only by the same finding.
fn covers(before: &Diagnostic, after: &Diagnostic) -> bool {
    if before.rule != after.rule || before.outcome != after.outcome {
        return false;
    }
    if named(after).next().is_none() {
        return before == after;
    }
    named(after).all(|c| named(before).any(|b| b == c))
}

/// The corrections to hold back for findings `new` (rules that held and fail after
/// `corrections`): each correction whose cell a new finding names, against those findings. A
/// new finding that names no corrected cell can only come from a total with no source cell
/// (one not found): those are held back, or every correction if there is none.
fn blame(corrections: &[Correction], new: &[&Diagnostic]) -> Vec<Conflict> {
    let names = |d: &Diagnostic, c: &Correction| {
        c.source.as_ref().is_some_and(|s| named(d).any(|x| x == s))
    };
    let conflict = |c: &Correction, against: &[&Diagnostic]| {
        let mut rules: Vec<Rule> = against.iter().map(|d| d.rule).collect();
        rules.sort();
        rules.dedup();
        let mut cells: Vec<CellRef> = Vec::new();
        for x in against.iter().flat_map(|d| named(d)) {
            if !cells.contains(x) {
                cells.push(x.clone());
            }
        }
        cells.sort();
        Conflict {
            correction: c.clone(),
            against: rules,
            cells,
        }
    };
    let mut out: Vec<Conflict> = Vec::new();
    for c in corrections {
        let hits: Vec<&Diagnostic> = new.iter().copied().filter(|d| names(d, c)).collect();
        if !hits.is_empty() {
            out.push(conflict(c, &hits));
        }
    }
    let unnamed: Vec<&Diagnostic> = new
        .iter()
        .copied()
        .filter(|d| !corrections.iter().any(|c| names(d, c)))
        .collect();
    if !unnamed.is_empty() {
        let sourceless: Vec<&Correction> =
            corrections.iter().filter(|c| c.source.is_none()).collect();
        let suspects = if sourceless.is_empty() {
            corrections.iter().collect()
        } else {
            sourceless
        };
        for c in suspects {
            if !out.iter().any(|x| x.correction.index == c.index) {
                out.push(conflict(c, &unnamed));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostic;
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
        let c = fix(&mut r).corrections;
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
        let c = fix(&mut r).corrections;
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
        let c = fix(&mut r).corrections;
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
        let c = fix(&mut r).corrections;
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].row, "new");
        assert_eq!(c[0].old_display(), "（空白）");
        assert!(c[0].message().contains("（空白） → "));
        assert_eq!(
            r.get(t, "carried_in", "total").unwrap().value,
            Decimal::from(12345)
        );
    }

    /// A report where every rule holds (R1 too), every value with its own source cell.
    fn sourced(version: FormatVersion) -> Report {
        let mut r = crate::model::synthetic::consistent_report(version, "测试局", 2020, 7);
        for (i, v) in r.values_mut().iter_mut().enumerate() {
            v.source = Some(CellRef::new("Sheet1", i as u32, 3));
        }
        r
    }

    fn bump(r: &mut Report, row: &str, col: &str, by: i64) -> CellRef {
        let v = r.get_mut(TableKey::Requests, row, col).unwrap();
        v.value += Decimal::from(by);
        v.source.clone().unwrap()
    }

    fn cell(r: &Report, row: &str, col: &str) -> CellRef {
        let v = r.get(TableKey::Requests, row, col).unwrap();
        v.source.clone().unwrap()
    }

    #[test]
    fn a_total_r1_holds_with_is_left_as_read_and_reported_as_a_conflict() {
        // fails_r3.xlsx: a result raised in 自然人 and in its row total; （七）总计 is right
        let mut r = sourced(FormatVersion::V2019);
        bump(&mut r, "granted", "natural_person", 1);
        bump(&mut r, "granted", "total", 1);
        let as_read = r.clone();
        let before = crate::validate::validate(&r);
        let (fixed, still) = fix_checked(&mut r);
        assert_eq!(r, as_read, "nothing changed");
        assert!(fixed.corrections.is_empty(), "{:?}", fixed.corrections);
        let held: Vec<&str> = fixed.conflicts.iter().map(|k| k.correction.col).collect();
        assert_eq!(held, ["natural_person", "total"]);
        for k in &fixed.conflicts {
            let c = &k.correction;
            assert_eq!((c.rule, c.row), (Rule::R3, "handled_total"));
            assert_eq!(c.new, c.old + Decimal::ONE);
            assert_eq!(k.against, [Rule::R1]);
            // both rules' cells: the total, and the other numbers of R1
            let mut want: Vec<CellRef> = ["new", "carried_in", "handled_total", "carried_out"]
                .iter()
                .map(|row| cell(&r, row, c.col))
                .collect();
            want.sort();
            assert_eq!(k.cells, want);
            let m = k.message();
            assert!(m.starts_with("未更正 "), "{m}");
            assert!(
                m.contains(&format!("：{}，R3 要求等于分项之和 {}", c.old, c.new)),
                "{m}"
            );
            assert!(
                m.contains(&format!("R1（原表 {}", want[0].qualified())),
                "{m}"
            );
        }
        // the findings are those as read: R3 in both columns
        assert_eq!(still, before);
        let rules: Vec<Rule> = still.iter().map(|d| d.rule).collect();
        assert_eq!(rules, [Rule::R3, Rule::R3]);
    }

    #[test]
    fn findings_quote_the_numbers_as_read_and_a_conflict_holds_back_only_its_total() {
        let mut r = sourced(FormatVersion::V2021);
        let ht = r
            .get(TableKey::Requests, "handled_total", "natural_person")
            .unwrap()
            .value;
        // a detail wrong (新收), and a total wrong (办理结果总计) in 自然人
        bump(&mut r, "new", "natural_person", 1);
        bump(&mut r, "handled_total", "natural_person", 3);
        let (fixed, still) = fix_checked(&mut r);
        // 办理结果总计 is recomputed (R1 in 自然人 failed before and still fails)
        let c: Vec<(&str, &str)> = fixed.corrections.iter().map(|c| (c.row, c.col)).collect();
        assert_eq!(c, [("handled_total", "natural_person")]);
        assert_eq!(fixed.corrections[0].new, ht);
        // 新收/总计 is not: its sum would break R1 in 总计, which holds as read
        let k: Vec<(&str, &str, &[Rule])> = fixed
            .conflicts
            .iter()
            .map(|k| (k.correction.row, k.correction.col, k.against.as_slice()))
            .collect();
        assert_eq!(k, [("new", "total", &[Rule::R1][..])]);
        // the R1 finding left quotes the agency's 办理结果总计, not the corrected one
        let r1: Vec<&Diagnostic> = still.iter().filter(|d| d.rule == Rule::R1).collect();
        assert_eq!(r1.len(), 1, "{still:?}");
        let quoted = format!("办理结果总计({})", ht + Decimal::from(3));
        assert!(r1[0].message.contains(&quoted), "{}", r1[0].message);
        // resolved as read: R3 and R2 of 办理结果总计; left: R1 and R2 of 新收
        let mut rules: Vec<Rule> = still.iter().map(|d| d.rule).collect();
        rules.sort();
        assert_eq!(rules, [Rule::R1, Rule::R2]);
        let v = r
            .get(TableKey::Requests, "handled_total", "natural_person")
            .unwrap();
        assert_eq!((v.value, v.status), (ht, Status::Computed));
    }

    #[test]
    fn a_total_not_found_whose_sum_breaks_a_rule_is_held_back() {
        // 办理结果总计/自然人 not found (no cell): filling it would make R1 fail, which no
        // finding named before (it could not be checked), so it stays not found
        let mut r = sourced(FormatVersion::V2021);
        bump(&mut r, "granted", "natural_person", 1);
        bump(&mut r, "granted", "total", 1);
        *r.get_mut(TableKey::Requests, "handled_total", "natural_person")
            .unwrap() = Value::missing();
        let as_read = r.clone();
        let fixed = fix(&mut r);
        assert_eq!(r, as_read);
        assert!(fixed.corrections.is_empty());
        let held: Vec<(&str, Option<&CellRef>)> = fixed
            .conflicts
            .iter()
            .map(|k| (k.correction.col, k.correction.source.as_ref()))
            .collect();
        let total = cell(&r, "handled_total", "total");
        assert_eq!(held, [("natural_person", None), ("total", Some(&total))]);
        assert!(fixed.conflicts[0].message().contains("（未找到）"));
    }

    #[test]
    fn filling_a_blank_total_leaves_fewer_blanks_not_a_new_finding() {
        let mut r = sourced(FormatVersion::V2021);
        // a row of 三 with a detail that is 0: blank, it still reads as 0
        let t = r.spec().table(TableKey::Requests);
        let (row, col) = t
            .rows
            .iter()
            .filter(|row| row.key != "handled_total")
            .flat_map(|row| row.columns.iter().map(move |c| (row.key, c.key)))
            .find(|&(row, col)| {
                col != "total" && r.get(TableKey::Requests, row, col).unwrap().value.is_zero()
            })
            .expect("a detail that is 0");
        for col in [col, "total"] {
            let v = r.get_mut(TableKey::Requests, row, col).unwrap();
            v.status = Status::Blank;
            v.value = Decimal::ZERO;
        }
        let (fixed, still) = fix_checked(&mut r);
        assert!(fixed.conflicts.is_empty(), "{:?}", fixed.conflicts);
        let c: Vec<(&str, &str)> = fixed.corrections.iter().map(|c| (c.row, c.col)).collect();
        assert_eq!(c, [(row, "total")]);
        // R6 as read (two blanks) is kept: the agency left the detail blank
        let r6: Vec<&Diagnostic> = still.iter().filter(|d| d.rule == Rule::R6).collect();
        assert_eq!(r6.len(), 1);
        assert!(
            r6[0].message.contains("2 个空白单元格"),
            "{}",
            r6[0].message
        );
        assert_eq!(r6[0].cells.len(), 2);
    }

    #[test]
    fn fix_is_idempotent() {
        let mut r = consistent(FormatVersion::V2019);
        for v in r.values_mut().iter_mut().step_by(5) {
            v.value += Decimal::ONE;
        }
        let first = fix(&mut r).corrections;
        assert!(!first.is_empty());
        assert!(fix(&mut r).is_empty());
    }
}

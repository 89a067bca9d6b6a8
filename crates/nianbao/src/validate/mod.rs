//! Cross-checks (勾稽关系) of one report: R1–R4 evaluate the one list of equations (the sums of
//! which are [`crate::fix::derivations`]), R5 checks each number's kind, R6 reports blank cells.
//! Every rule, with its code, severity and doc, is in the registry [`RULES`]; the
//! reading findings (`I*`) are raised by the reader ([`crate::read`]), B1 by the batch
//! and X1–X3 by the roll-up.

use rust_decimal::Decimal;

use crate::diag::Diagnostic;
use crate::model::equations::{equations, Equation};
use crate::model::report::{sum_known, Overflow};
use crate::model::Rule;
pub use crate::model::RULES;
use crate::model::{CellRef, Field, Report, Status, Value, ValueKind};

mod prose;

/// The checks of [`validate`]: R1–R4, R5, R6, and T1–T2 on a published document's prose.
const CHECKS: &[fn(&Report, &mut Vec<Diagnostic>)] = &[check_equations, r5, r6, prose::check];

/// Run every cross-check on a report. Findings are sorted deterministically.
pub fn validate(report: &Report) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for check in CHECKS {
        check(report, &mut out);
    }
    crate::diag::sort(&mut out);
    out
}

fn cells<'a>(values: impl IntoIterator<Item = &'a Value>) -> Vec<&'a CellRef> {
    values
        .into_iter()
        .filter_map(|v| v.source.as_ref())
        .collect()
}

/// R1–R4: every equation whose values are all known holds. An equation whose sum overflows
/// (only a computed report, e.g. a roll-up's totals, can come near) is reported as not checked.
fn check_equations(report: &Report, out: &mut Vec<Diagnostic>) {
    let fields: Vec<Field> = report.spec().fields().collect();
    let values = report.values();
    for e in equations(report.meta.format) {
        let side = |ix: &[usize]| sum_known(ix.iter().map(|&i| &values[i]));
        let (l, r) = match (side(&e.left), side(&e.right)) {
            (Ok(Some(l)), Ok(Some(r))) => (l, r),
            (Err(Overflow), _) | (_, Err(Overflow)) => {
                out.push(overflow_finding(report, &fields, e));
                continue;
            }
            _ => continue,
        };
        if l != r {
            out.push(equation_finding(report, &fields, e, (l, r)));
        }
    }
}

/// An equation whose sum does not fit a number: not checked, named by its first field.
fn overflow_finding(report: &Report, fields: &[Field], e: &Equation) -> Diagnostic {
    let values = report.values();
    let first = &fields[e.left[0]];
    let cells = cells(e.left.iter().chain(&e.right).map(|&i| &values[i]));
    Diagnostic::not_checked(
        e.rule,
        &report.meta.source,
        format!(
            "{}“{}”的“{}”所在的等式：各数之和超出可计算的范围，未校验",
            first.table.short(),
            first.row.label,
            first.col.label
        ),
    )
    .at(values[e.left[0]].source.as_ref())
    .involving(cells)
    .help("请核对其中过大的数值。")
}

/// The finding of a failed equation: the message of its rule, the total (R1: 办理结果总计)
/// first among the cells.
fn equation_finding(
    report: &Report,
    fields: &[Field],
    e: &Equation,
    (l, r): (Decimal, Decimal),
) -> Diagnostic {
    let values = report.values();
    let val = |i: usize| values[i].value;
    let (message, help, involved): (String, &str, Vec<usize>) = match e.rule {
        Rule::R1 => {
            let (&[n, ci], &[ht, co]) = (e.left.as_slice(), e.right.as_slice()) else {
                unreachable!("R1 has two fields on each side")
            };
            (
                format!(
                    "{}列 新收({})+上年结转({})={l}，但办理结果总计({})+结转下年度({})={r}",
                    fields[ht].col.label,
                    val(n),
                    val(ci),
                    val(ht),
                    val(co)
                ),
                "请核对该列的新收、上年结转、办理结果总计和结转下年度四个数。",
                vec![ht, n, ci, co],
            )
        }
        rule => {
            let total = &fields[e.left[0]];
            let message = match rule {
                Rule::R2 => {
                    let shown: Vec<String> = e.right.iter().map(|&p| val(p).to_string()).collect();
                    format!(
                        "“{}”行 总计为 {l}，但自然人与五类法人或其他组织之和为 {r}（{}）",
                        total.row.label,
                        shown.join("+")
                    )
                }
                Rule::R3 => format!(
                    "{}列 （七）总计为 {l}，但（一）至（六）各项办理结果之和为 {r}",
                    total.col.label
                ),
                _ => {
                    let row = total.row;
                    let group = row
                        .group
                        .map_or(row.label.to_string(), |g| format!("{g}（{}）", row.label));
                    format!("{group} 总计为 {l}，但结果维持+结果纠正+其他结果+尚未审结={r}")
                }
            };
            let help = match rule {
                Rule::R2 => "请核对该行各申请人类别的数和总计。",
                Rule::R3 => "请核对该列各项办理结果，或把（七）总计改为各项之和。",
                _ => "请核对该组四项结果和总计。",
            };
            (
                message,
                help,
                e.left.iter().chain(&e.right).copied().collect(),
            )
        }
    };
    let focus = &values[involved[0]];
    Diagnostic::new(e.rule, &report.meta.source, message)
        .at(focus.source.as_ref())
        .involving(cells(involved.iter().map(|&i| &values[i])))
        .help(help)
        .sides(l, r)
}

fn r5(report: &Report, out: &mut Vec<Diagnostic>) {
    for (f, val) in report.iter() {
        if !matches!(val.status, Status::Filled | Status::Computed) {
            continue;
        }
        let x = val.value;
        let problem = match f.col.kind {
            _ if val.is_too_large() => {
                Some("数值过大（绝对值达到 10^15），不是可信的报表数值，未参与任何校验和汇总")
            }
            ValueKind::Count if !x.fract().is_zero() || x.is_sign_negative() && !x.is_zero() => {
                Some("件数应为不小于 0 的整数")
            }
            ValueKind::SignedCount if !x.fract().is_zero() => Some("本年增/减应为整数"),
            ValueKind::Money { .. } if x.is_sign_negative() && !x.is_zero() => {
                Some("金额不能为负数")
            }
            _ => None,
        };
        if let Some(p) = problem {
            out.push(
                Diagnostic::new(
                    Rule::R5,
                    &report.meta.source,
                    format!(
                        "{}“{}”的“{}”为 {x}：{p}",
                        f.table.short(),
                        f.row.label,
                        f.col.label
                    ),
                )
                .at(val.source.as_ref())
                .help("请填写正确的数值。"),
            );
        }
    }
}

fn r6(report: &Report, out: &mut Vec<Diagnostic>) {
    let spec = report.spec();
    for t in &spec.tables {
        for row in t.rows {
            let blanks: Vec<(&str, &Value)> = row
                .columns
                .iter()
                .map(|c| {
                    let i = spec.index_of(t.key, row.key, c.key).expect("spec field");
                    (c.label, &report.values()[i])
                })
                .filter(|(_, val)| val.status == Status::Blank)
                .collect();
            if blanks.is_empty() {
                continue;
            }
            let names: Vec<&str> = blanks.iter().map(|b| b.0).collect();
            out.push(
                Diagnostic::new(
                    Rule::R6,
                    &report.meta.source,
                    format!(
                        "{}“{}”有 {} 个空白单元格按 0 计：{}",
                        t.key.short(),
                        row.label,
                        blanks.len(),
                        names.join("、")
                    ),
                )
                .involving(cells(blanks.iter().map(|b| b.1)))
                .help("没有发生的请填 0，以免与“未填写”混淆。"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    //! One fixture per rule: a consistent report with exactly one number changed.
    use super::*;
    use crate::model::synthetic::consistent_report;
    use crate::model::{FormatVersion, TableKey};

    const REQ: TableKey = TableKey::Requests;

    fn base(version: FormatVersion) -> Report {
        let mut r = consistent_report(version, "测试局", 2021, 7);
        // give every value a source cell so findings can name it
        for (i, v) in r.values_mut().iter_mut().enumerate() {
            v.source = Some(CellRef::new("Sheet1", i as u32, 3));
        }
        r
    }

    fn bump(r: &mut Report, t: TableKey, row: &str, col: &str, by: i64) -> CellRef {
        let v = r.get_mut(t, row, col).unwrap();
        v.value += Decimal::from(by);
        v.source.clone().unwrap()
    }

    fn rules(r: &Report) -> Vec<&'static str> {
        validate(r).iter().map(|d| d.rule.code()).collect()
    }

    #[test]
    fn r1_carried_out_changed() {
        for v in FormatVersion::ALL {
            let mut r = base(v);
            bump(&mut r, REQ, "carried_out", "natural_person", 1);
            bump(&mut r, REQ, "carried_out", "total", 1);
            assert_eq!(rules(&r), vec!["R1", "R1"], "{v}");
            let d = &validate(&r)[0];
            assert_eq!(d.left.unwrap() + Decimal::ONE, d.right.unwrap());
            assert!(d.message.starts_with("自然人列"));
        }
    }

    #[test]
    fn r2_detail_changed_total_not() {
        let mut r = base(FormatVersion::V2021);
        let cell = bump(&mut r, REQ, "new", "research", 2);
        bump(&mut r, REQ, "handled_total", "research", 2);
        bump(&mut r, REQ, "granted", "research", 2);
        let found = validate(&r);
        // new, granted and handled_total rows each miss their 2 in the total column
        assert_eq!(
            found.iter().map(|d| d.rule).collect::<Vec<_>>(),
            vec![Rule::R2, Rule::R2, Rule::R2]
        );
        assert!(found.iter().any(|d| d.cells.contains(&cell)));
    }

    #[test]
    fn r3_handled_total_differs_from_results() {
        let mut r = base(FormatVersion::V2019);
        bump(&mut r, REQ, "other", "commercial", 1);
        bump(&mut r, REQ, "other", "total", 1);
        assert_eq!(rules(&r), vec!["R3", "R3"]);
    }

    #[test]
    fn r4_appeal_total() {
        let mut r = base(FormatVersion::V2021);
        let cell = bump(
            &mut r,
            TableKey::Appeals,
            "litigation_after_review",
            "total",
            1,
        );
        let found = validate(&r);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].rule, found[0].cell.as_ref()),
            (Rule::R4, Some(&cell))
        );
        assert!(found[0].message.contains("复议后起诉"));
    }

    #[test]
    fn r5_fractional_negative_and_signed_change() {
        let mut r = base(FormatVersion::V2019);
        r.get_mut(TableKey::Proactive, "regulations", "produced")
            .unwrap()
            .value = Decimal::new(35, 1);
        r.get_mut(TableKey::Proactive, "regulations", "published")
            .unwrap()
            .value = Decimal::from(-2);
        r.get_mut(TableKey::Proactive, "licensing", "change")
            .unwrap()
            .value = Decimal::from(-4);
        r.get_mut(TableKey::Proactive, "procurement", "amount")
            .unwrap()
            .value = Decimal::from(-10);
        assert_eq!(rules(&r), vec!["R5", "R5", "R5"]);
    }

    #[test]
    fn r6_blank_cells_grouped_per_row_and_unknown_values_skip_equations() {
        let mut r = base(FormatVersion::V2021);
        for c in ["commercial", "research"] {
            let v = r.get_mut(REQ, "granted", c).unwrap();
            v.status = Status::Blank;
            v.value = Decimal::ZERO;
        }
        let found = validate(&r);
        let r6: Vec<_> = found.iter().filter(|d| d.rule == Rule::R6).collect();
        assert_eq!(r6.len(), 1);
        assert_eq!(r6[0].cells.len(), 2);
        assert_eq!(r6[0].severity(), crate::diag::Severity::Warning);

        let mut r = base(FormatVersion::V2021);
        let v = r.get_mut(REQ, "carried_out", "total").unwrap();
        v.status = Status::Invalid;
        v.value = Decimal::from(999);
        assert!(
            !rules(&r).contains(&"R1"),
            "an unknown value takes no part in an equation"
        );
    }

    /// Issue 13: two counts of 7E+28 in one row panicked ("Addition overflowed"). Now each is
    /// an R5 "数值过大" on its cell and takes no part in the equations.
    #[test]
    fn huge_counts_are_r5_and_do_not_overflow() {
        for v in FormatVersion::ALL {
            let mut r = base(v);
            let huge: Decimal = "70000000000000000000000000000".parse().unwrap();
            let mut cells = Vec::new();
            for col in ["natural_person", "commercial"] {
                let x = r.get_mut(REQ, "new", col).unwrap();
                x.value = huge;
                cells.push(x.source.clone().unwrap());
            }
            let found = validate(&r);
            let r5: Vec<&Diagnostic> = found.iter().filter(|d| d.rule == Rule::R5).collect();
            assert_eq!(r5.len(), 2, "{v}: {found:#?}");
            for (d, c) in r5.iter().zip(&cells) {
                assert!(d.message.contains("数值过大"), "{}", d.message);
                assert_eq!(d.cell.as_ref(), Some(c));
            }
            // only R5: the equations that hold them are unknown, not failed
            assert!(found.iter().all(|d| d.rule == Rule::R5), "{v}: {found:#?}");
            // just below the bound is a number like any other (R1/R2 fail, no R5)
            let mut r = base(v);
            r.get_mut(REQ, "new", "natural_person").unwrap().value =
                crate::model::MAX_MAGNITUDE - Decimal::ONE;
            let found = rules(&r);
            assert!(!found.contains(&"R5") && found.contains(&"R2"), "{found:?}");
        }
    }
}

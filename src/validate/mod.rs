//! Cross-checks (勾稽关系) as values: each rule has a stable id, a severity, a one-line doc and a
//! check from [`Report`] to findings. Ids are never renumbered or reused. Reading findings (`I*`)
//! are raised by the reader ([`crate::read::locate`]) and documented here with the rest.

use rust_decimal::Decimal;

use crate::diag::{Diagnostic, Severity};
use crate::model::spec::result_rows;
use crate::model::{CellRef, Report, Status, TableKey, Value, ValueKind};

/// A rule: id, severity, title and doc (what / why / example); `check` is `None` for the
/// reading findings, which the reader raises.
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub doc: &'static str,
    pub check: Option<fn(&Report, &mut Vec<Diagnostic>)>,
}

/// Every rule nianbao knows, in id order.
pub static RULES: &[Rule] = &[
    Rule {
        id: "R1",
        severity: Severity::Error,
        title: "表三每列：新收 + 上年结转 = 办理结果总计 + 结转下年度",
        doc: "表三自带的勾稽关系（第一项加第二项之和，等于第三项加第四项之和）。例：自然人列 新收 80 + 结转 0 = 80，但总计 78 + 结转下年度 0 = 78。",
        check: Some(r1),
    },
    Rule {
        id: "R2",
        severity: Severity::Error,
        title: "表三每行：总计 = 自然人 + 五类法人或其他组织",
        doc: "总计列等于自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他六列之和（法人没有小计列）。",
        check: Some(r2),
    },
    Rule {
        id: "R3",
        severity: Severity::Error,
        title: "表三每列：（七）总计 = 各项办理结果之和",
        doc: "（七）总计等于（一）予以公开至（六）其他处理各明细行之和；分组标题行不计数。",
        check: Some(r3),
    },
    Rule {
        id: "R4",
        severity: Severity::Error,
        title: "表四每组：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
        doc: "行政复议、未经复议直接起诉、复议后起诉三组各自成立。",
        check: Some(r4),
    },
    Rule {
        id: "R5",
        severity: Severity::Error,
        title: "件数为不小于 0 的整数（本年增/减可为负），金额不小于 0",
        doc: "例：3.5 件、-2 件、-10 万元都是错误。",
        check: Some(r5),
    },
    Rule {
        id: "R6",
        severity: Severity::Warning,
        title: "空白单元格按 0 计",
        doc: "空白按 0 参与校验，并逐行报告，以便区分“0”和“未填写”。",
        check: Some(r6),
    },
    Rule {
        id: "I1",
        severity: Severity::Error,
        title: "缺少整张统计表",
        doc: "工作簿中找到了部分统计表，但没有找到表二、表三或表四之一；缺少的数按 0 计且不参与校验。",
        check: None,
    },
    Rule {
        id: "I2",
        severity: Severity::Error,
        title: "统计表缺少行",
        doc: "按行标签找不到某一行（如“2.重复申请”）；该行数据按 0 计且不参与校验。",
        check: None,
    },
    Rule {
        id: "I3",
        severity: Severity::Error,
        title: "统计表缺少列",
        doc: "按列标题找不到某一列（如“科研机构”）；该列数据按 0 计且不参与校验。",
        check: None,
    },
    Rule {
        id: "I4",
        severity: Severity::Error,
        title: "单元格不是数字",
        doc: "如“见附件”“约12”“#DIV/0!”；按 0 计且不参与校验。",
        check: None,
    },
    Rule {
        id: "I5",
        severity: Severity::Warning,
        title: "数字后有附注或多余单位",
        doc: "如“22（其中修订16件）”按 22 读取并报告，原文保留在 raw 中。",
        check: None,
    },
    Rule {
        id: "I6",
        severity: Severity::Warning,
        title: "金额单位未知或与表头不一致",
        doc: "采购总金额表头没有单位：“251000元”“12.5万元”按所注单位保留；只有数字（非 0）时单位未知，不作猜测。",
        check: None,
    },
    Rule {
        id: "I7",
        severity: Severity::Error,
        title: "公式没有计算结果",
        doc: "由脚本生成的文件中公式常无缓存结果，读作 0 会掩盖错误；该值不参与校验。",
        check: None,
    },
    Rule {
        id: "I8",
        severity: Severity::Warning,
        title: "隐藏工作表中的统计表",
        doc: "隐藏工作表常存放上年数据：有可见副本时忽略隐藏的，只有隐藏的时使用它，均予报告。",
        check: None,
    },
    Rule {
        id: "I9",
        severity: Severity::Warning,
        title: "未找到单位名称或统计年度",
        doc: "从标题行或“填报单位：”“统计年度：”单元格读取；可用 --agency / --year 指定。",
        check: None,
    },
    Rule {
        id: "B1",
        severity: Severity::Error,
        title: "同一单位同一年度重复报送",
        doc: "一批文件中两份报表的单位名称（规范化后）和年度相同：两份都报错误并互相指明，汇总时不重复计入。",
        check: None,
    },
    Rule {
        id: "X1",
        severity: Severity::Error,
        title: "跨年：本年上年结转 = 上年结转下年度（表三每列）",
        doc: "rollup --previous 按单位名称匹配上年报表；上年报表无法读取、重复或年度不是上一年时以警告说明未做校验。跨年问题不影响本年报表是否计入汇总。",
        check: None,
    },
    Rule {
        id: "X2",
        severity: Severity::Warning,
        title: "跨年（2021 版）：现行有效件数 = 上年现行有效件数 + 本年制发 − 本年废止",
        doc: "规章、行政规范性文件两行；做过文件清理后常不成立，故为警告。",
        check: None,
    },
    Rule {
        id: "X3",
        severity: Severity::Warning,
        title: "跨年（2019 版）：上一年项目数量 = 上年的上一年项目数量 + 上年的本年增/减",
        doc: "行政许可、其他对外管理服务事项、行政处罚、行政强制、行政事业性收费五行。",
        check: None,
    },
];

/// Run every cross-check on a report. Findings are sorted deterministically.
pub fn validate(report: &Report) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in RULES {
        if let Some(check) = rule.check {
            check(report, &mut out);
        }
    }
    crate::diag::sort(&mut out);
    out
}

/// Look up a rule by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

fn v<'r>(report: &'r Report, table: TableKey, row: &str, col: &str) -> &'r Value {
    report
        .get(table, row, col)
        .expect("field of the report's own version")
}

/// Sum of values; `None` when any of them is unknown (not read, not a number, uncalculated).
fn sum<'a>(values: impl IntoIterator<Item = &'a Value>) -> Option<Decimal> {
    values.into_iter().try_fold(Decimal::ZERO, |acc, v| {
        v.status.is_known().then(|| acc + v.value)
    })
}

fn cells<'a>(values: impl IntoIterator<Item = &'a Value>) -> Vec<&'a CellRef> {
    values
        .into_iter()
        .filter_map(|v| v.source.as_ref())
        .collect()
}

/// An equation finding: `left` ≠ `right`; the first cell is the one to look at.
fn equation(
    report: &Report,
    id: &'static str,
    focus: &Value,
    involved: &[&Value],
    message: String,
    help: &str,
    (left, right): (Decimal, Decimal),
) -> Diagnostic {
    Diagnostic::new(id, Severity::Error, &report.meta.source, message)
        .at(focus.source.as_ref())
        .involving(cells(involved.iter().copied()))
        .help(help)
        .sides(left, right)
}

const REQ: TableKey = TableKey::Requests;

fn r1(report: &Report, out: &mut Vec<Diagnostic>) {
    let spec = report.spec().table(REQ);
    for c in spec.rows[0].columns {
        let [n, ci, ht, co] =
            ["new", "carried_in", "handled_total", "carried_out"].map(|r| v(report, REQ, r, c.key));
        let (Some(l), Some(r)) = (sum([n, ci]), sum([ht, co])) else {
            continue;
        };
        if l != r {
            out.push(equation(
                report,
                "R1",
                ht,
                &[ht, n, ci, co],
                format!(
                    "{}列 新收({})+上年结转({})={l}，但办理结果总计({})+结转下年度({})={r}",
                    c.label, n.value, ci.value, ht.value, co.value
                ),
                "请核对该列的新收、上年结转、办理结果总计和结转下年度四个数。",
                (l, r),
            ));
        }
    }
}

/// `total = Σ parts`, when every value is known; the finding names the total's cell first.
fn check_sum(
    report: &Report,
    id: &'static str,
    total: &Value,
    parts: &[&Value],
    message: impl FnOnce(Decimal, Decimal) -> String,
    help: &str,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(s), Some(t)) = (sum(parts.iter().copied()), sum([total])) else {
        return;
    };
    if s != t {
        let mut involved = vec![total];
        involved.extend(parts.iter().copied());
        out.push(equation(
            report,
            id,
            total,
            &involved,
            message(t, s),
            help,
            (t, s),
        ));
    }
}

fn r2(report: &Report, out: &mut Vec<Diagnostic>) {
    for row in report.spec().table(REQ).rows {
        let parts: Vec<&Value> = row.columns[..6]
            .iter()
            .map(|c| v(report, REQ, row.key, c.key))
            .collect();
        let shown: Vec<String> = parts.iter().map(|p| p.value.to_string()).collect();
        check_sum(
            report,
            "R2",
            v(report, REQ, row.key, "total"),
            &parts,
            |t, s| {
                format!(
                    "“{}”行 总计为 {t}，但自然人与五类法人或其他组织之和为 {s}（{}）",
                    row.label,
                    shown.join("+")
                )
            },
            "请核对该行各申请人类别的数和总计。",
            out,
        );
    }
}

fn r3(report: &Report, out: &mut Vec<Diagnostic>) {
    let spec = report.spec().table(REQ);
    for c in spec.rows[0].columns {
        let parts: Vec<&Value> = result_rows(spec)
            .map(|r| v(report, REQ, r.key, c.key))
            .collect();
        check_sum(
            report,
            "R3",
            v(report, REQ, "handled_total", c.key),
            &parts,
            |t, s| {
                format!(
                    "{}列 （七）总计为 {t}，但（一）至（六）各项办理结果之和为 {s}",
                    c.label
                )
            },
            "请核对该列各项办理结果，或把（七）总计改为各项之和。",
            out,
        );
    }
}

fn r4(report: &Report, out: &mut Vec<Diagnostic>) {
    let t4 = TableKey::Appeals;
    for row in report.spec().table(t4).rows {
        let parts: Vec<&Value> = ["upheld", "corrected", "other", "pending"]
            .iter()
            .map(|c| v(report, t4, row.key, c))
            .collect();
        let group = row
            .group
            .map_or(row.label.to_string(), |g| format!("{g}（{}）", row.label));
        check_sum(
            report,
            "R4",
            v(report, t4, row.key, "total"),
            &parts,
            |t, s| format!("{group} 总计为 {t}，但结果维持+结果纠正+其他结果+尚未审结={s}"),
            "请核对该组四项结果和总计。",
            out,
        );
    }
}

fn r5(report: &Report, out: &mut Vec<Diagnostic>) {
    for (f, val) in report.iter() {
        if !matches!(val.status, Status::Filled | Status::Computed) {
            continue;
        }
        let x = val.value;
        let problem = match f.col.kind {
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
                    "R5",
                    Severity::Error,
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
                .map(|c| (c.label, v(report, t.key, row.key, c.key)))
                .filter(|(_, val)| val.status == Status::Blank)
                .collect();
            if blanks.is_empty() {
                continue;
            }
            let names: Vec<&str> = blanks.iter().map(|b| b.0).collect();
            out.push(
                Diagnostic::new(
                    "R6",
                    Severity::Warning,
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
    use crate::model::FormatVersion;

    fn base(version: FormatVersion) -> Report {
        let mut r = consistent_report(version, "测试局", 2021, 7);
        // give every value a source cell so findings can name it
        for (i, v) in r.values_mut().iter_mut().enumerate() {
            v.source = Some(CellRef::new("Sheet1", i as u32, 3));
        }
        r
    }

    fn bump(r: &mut Report, t: TableKey, row: &str, col: &str, by: i64) -> String {
        let v = r.get_mut(t, row, col).unwrap();
        v.value += Decimal::from(by);
        v.source.as_ref().unwrap().a1()
    }

    fn rules(r: &Report) -> Vec<&'static str> {
        validate(r).iter().map(|d| d.rule).collect()
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
            vec!["R2", "R2", "R2"]
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
            (found[0].rule, found[0].cell.as_deref()),
            ("R4", Some(cell.as_str()))
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
        let r6: Vec<_> = found.iter().filter(|d| d.rule == "R6").collect();
        assert_eq!(r6.len(), 1);
        assert_eq!(r6[0].cells.len(), 2);
        assert_eq!(r6[0].severity, Severity::Warning);

        let mut r = base(FormatVersion::V2021);
        let v = r.get_mut(REQ, "carried_out", "total").unwrap();
        v.status = Status::Invalid;
        v.value = Decimal::from(999);
        assert!(
            !rules(&r).contains(&"R1"),
            "an unknown value takes no part in an equation"
        );
    }

    #[test]
    fn rule_ids_are_unique_and_documented() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        assert!(RULES
            .iter()
            .all(|r| !r.title.is_empty() && !r.doc.is_empty()));
    }
}

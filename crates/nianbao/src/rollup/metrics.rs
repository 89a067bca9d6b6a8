//! The ratios users of these reports compute, each defined once, with its formula in the README.
//! A ratio whose denominator is 0 is N/A (`None`), never 0 and never a division error.

use rust_decimal::Decimal;

use crate::model::{Report, TableKey};

/// A ratio: name, how it is computed (for the README and the workbook), numerator and denominator.
pub struct Metric {
    /// The stable key (column names, JSON).
    pub key: &'static str,
    /// The Chinese name shown in the summary workbook.
    pub name: &'static str,
    /// How it is computed, in Chinese (the README's metric table lists it).
    pub formula: &'static str,
    numerator: &'static [(TableKey, &'static str, &'static str)],
    denominator: &'static [(TableKey, &'static str, &'static str)],
}

const R: TableKey = TableKey::Requests;
const A: TableKey = TableKey::Appeals;

/// Every metric, in display order.
pub static METRICS: &[Metric] = &[
    Metric {
        key: "disclosure_rate",
        name: "公开率",
        formula: "（予以公开 + 部分公开）÷ 办理结果总计（总计列）",
        numerator: &[(R, "granted", "total"), (R, "partly_granted", "total")],
        denominator: &[(R, "handled_total", "total")],
    },
    Metric {
        key: "withheld_rate",
        name: "不予公开率",
        formula: "不予公开 1–8 项之和 ÷ 办理结果总计（总计列）",
        numerator: &[
            (R, "withheld_state_secret", "total"),
            (R, "withheld_prohibited_by_law", "total"),
            (R, "withheld_three_securities", "total"),
            (R, "withheld_third_party", "total"),
            (R, "withheld_internal_affairs", "total"),
            (R, "withheld_process_info", "total"),
            (R, "withheld_enforcement_file", "total"),
            (R, "withheld_admin_query", "total"),
        ],
        denominator: &[(R, "handled_total", "total")],
    },
    Metric {
        key: "unavailable_rate",
        name: "无法提供率",
        formula: "无法提供 1–3 项之和 ÷ 办理结果总计（总计列）",
        numerator: &[
            (R, "unavailable_not_held", "total"),
            (R, "unavailable_needs_creation", "total"),
            (R, "unavailable_unclear", "total"),
        ],
        denominator: &[(R, "handled_total", "total")],
    },
    Metric {
        key: "carry_over_rate",
        name: "结转率",
        formula: "结转下年度继续办理 ÷（本年新收 + 上年结转）（总计列）",
        numerator: &[(R, "carried_out", "total")],
        denominator: &[(R, "new", "total"), (R, "carried_in", "total")],
    },
    Metric {
        key: "review_correction_rate",
        name: "复议纠错率",
        formula: "行政复议 结果纠正 ÷ 行政复议 总计",
        numerator: &[(A, "review", "corrected")],
        denominator: &[(A, "review", "total")],
    },
    Metric {
        key: "litigation_correction_rate",
        name: "诉讼纠错率",
        formula: "（未经复议直接起诉 + 复议后起诉）结果纠正 ÷ 两者总计之和",
        numerator: &[
            (A, "litigation_direct", "corrected"),
            (A, "litigation_after_review", "corrected"),
        ],
        denominator: &[
            (A, "litigation_direct", "total"),
            (A, "litigation_after_review", "total"),
        ],
    },
];

impl Metric {
    /// The ratio for a report, `None` when the denominator is 0 or a value is unknown.
    pub fn of(&self, report: &Report) -> Option<Decimal> {
        let sum = |fields: &[(TableKey, &str, &str)]| -> Option<Decimal> {
            let values: Option<Vec<&crate::model::Value>> = fields
                .iter()
                .map(|(t, r, c)| report.get(*t, r, c))
                .collect();
            crate::model::report::sum_known(values?).ok().flatten()
        };
        let d = sum(self.denominator)?;
        if d.is_zero() {
            return None;
        }
        sum(self.numerator)?.checked_div(d)
    }
}

/// Every metric of a report, in [`METRICS`] order.
pub(crate) fn all(report: &Report) -> Vec<Option<Decimal>> {
    METRICS.iter().map(|m| m.of(report)).collect()
}

//! The rules nianbao checks, as a type: each [`Rule`] has a stable code, a severity, a title and a
//! doc, all from one registry ([`RULES`]). Codes are never renumbered or reused. The checks
//! themselves live in [`crate::validate`] (R1–R6), the reader (I1–I9), the batch (B1), and the
//! roll-up (X1–X3, B2, B3); the equations of R1–R4 are data in `model::equations`.

use serde::{Serialize, Serializer};

/// How bad a failed rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The report is wrong (its numbers do not hold together, or one cannot be read).
    Error,
    /// Worth a look, but the report may be right.
    Warning,
}

impl Severity {
    /// `错误` / `警告`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        }
    }
}

/// A rule, by its code. The order is the registry's ([`RULES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// Table 三, every column: new + carried in = handled total + carried out.
    R1,
    /// Table 三, every row: total = the six applicant columns.
    R2,
    /// Table 三, every column: （七）总计 = the sum of the result rows.
    R3,
    /// Table 四, every row: total = upheld + corrected + other + pending.
    R4,
    /// Counts are whole numbers ≥ 0 (本年增/减 may be negative), money ≥ 0.
    R5,
    /// A blank cell, read as 0.
    R6,
    /// A whole table was not found.
    I1,
    /// A row of a table was not found.
    I2,
    /// A column of a table was not found.
    I3,
    /// A cell that should hold a number does not.
    I4,
    /// A number with a note or an extra unit after it.
    I5,
    /// Money whose unit is unknown or differs from its header's.
    I6,
    /// A formula without a cached result.
    I7,
    /// A table found on a hidden sheet.
    I8,
    /// The agency name or the report year was not found.
    I9,
    /// The same agency and year submitted twice.
    B1,
    /// Cross-year: this year's carried in = last year's carried out (table 三, every column).
    X1,
    /// Cross-year (2021 format): documents in force = last year's + issued − repealed.
    X2,
    /// Cross-year (2019 format): prior items = last year's prior items + last year's change.
    X3,
    /// A roll-up summary among the inputs together with agencies it already contains.
    B2,
    /// A roll-up of a stated year: a report that states another year.
    B3,
    /// A published report's prose states its agency or year in two different ways.
    I10,
    /// A figure the prose states differs from its cell in the tables.
    T1,
    /// Required content of the prose is missing (a section; from 2021, 信息处理费 in 六).
    T2,
}

/// A rule's registry entry: code, severity, title and doc (what / why / example).
#[derive(Debug)]
pub struct RuleInfo {
    /// The rule.
    pub rule: Rule,
    /// Its stable code (`R1`).
    pub code: &'static str,
    /// Whether a failure is an error or a warning.
    pub severity: Severity,
    /// One Chinese line, as in the README's rule table.
    pub title: &'static str,
    /// What it checks, why, and an example (Chinese).
    pub doc: &'static str,
}

impl Rule {
    /// Every rule, in registry order.
    pub const ALL: [Rule; 24] = [
        Rule::R1,
        Rule::R2,
        Rule::R3,
        Rule::R4,
        Rule::R5,
        Rule::R6,
        Rule::I1,
        Rule::I2,
        Rule::I3,
        Rule::I4,
        Rule::I5,
        Rule::I6,
        Rule::I7,
        Rule::I8,
        Rule::I9,
        Rule::B1,
        Rule::X1,
        Rule::X2,
        Rule::X3,
        Rule::B2,
        Rule::B3,
        Rule::I10,
        Rule::T1,
        Rule::T2,
    ];

    /// The registry entry.
    pub fn info(self) -> &'static RuleInfo {
        &RULES[self as usize]
    }

    /// `R1`, `I6`, …
    pub fn code(self) -> &'static str {
        self.info().code
    }

    /// Whether the rule compares a report with last year's (X1–X3).
    pub fn is_cross_year(self) -> bool {
        matches!(self, Rule::X1 | Rule::X2 | Rule::X3)
    }

    /// Whether a failure is an error or a warning.
    pub fn severity(self) -> Severity {
        self.info().severity
    }

    /// One Chinese line naming what it checks.
    pub fn title(self) -> &'static str {
        self.info().title
    }

    /// What it checks, why, and an example (Chinese).
    pub fn doc(self) -> &'static str {
        self.info().doc
    }

    /// The rule with this code.
    pub fn from_code(code: &str) -> Option<Rule> {
        RULES.iter().find(|r| r.code == code).map(|r| r.rule)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// As its code (`"R1"`).
impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// Every rule nianbao knows, in [`Rule`] order (`RULES[rule as usize]` is `rule`'s entry).
pub static RULES: &[RuleInfo] = &[
    RuleInfo {
        rule: Rule::R1,
        code: "R1",
        severity: Severity::Error,
        title: "表三每列：新收 + 上年结转 = 办理结果总计 + 结转下年度",
        doc: "表三自带的勾稽关系（第一项加第二项之和，等于第三项加第四项之和）。例：自然人列 新收 80 + 结转 0 = 80，但总计 78 + 结转下年度 0 = 78。",
    },
    RuleInfo {
        rule: Rule::R2,
        code: "R2",
        severity: Severity::Error,
        title: "表三每行：总计 = 自然人 + 五类法人或其他组织",
        doc: "总计列等于自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他六列之和（法人没有小计列）。",
    },
    RuleInfo {
        rule: Rule::R3,
        code: "R3",
        severity: Severity::Error,
        title: "表三每列：（七）总计 = 各项办理结果之和",
        doc: "（七）总计等于（一）予以公开至（六）其他处理各明细行之和；分组标题行不计数。",
    },
    RuleInfo {
        rule: Rule::R4,
        code: "R4",
        severity: Severity::Error,
        title: "表四每组：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
        doc: "行政复议、未经复议直接起诉、复议后起诉三组各自成立。",
    },
    RuleInfo {
        rule: Rule::R5,
        code: "R5",
        severity: Severity::Error,
        title: "件数为不小于 0 的整数（本年增/减可为负），金额不小于 0",
        doc: "例：3.5 件、-2 件、-10 万元都是错误。绝对值达到 10^15 的数（数值过大）不是可信的报表数值，不参与任何校验和汇总，CSV 中为空。",
    },
    RuleInfo {
        rule: Rule::R6,
        code: "R6",
        severity: Severity::Warning,
        title: "空白单元格按 0 计",
        doc: "空白按 0 参与校验，并逐行报告，以便区分“0”和“未填写”。",
    },
    RuleInfo {
        rule: Rule::I1,
        code: "I1",
        severity: Severity::Error,
        title: "缺少整张统计表",
        doc: "工作簿中找到了部分统计表，但没有找到表二、表三或表四之一；缺少的数按 0 计且不参与校验。",
    },
    RuleInfo {
        rule: Rule::I2,
        code: "I2",
        severity: Severity::Error,
        title: "统计表缺少行",
        doc: "按行标签找不到某一行（如“2.重复申请”）；该行数据按 0 计且不参与校验。",
    },
    RuleInfo {
        rule: Rule::I3,
        code: "I3",
        severity: Severity::Error,
        title: "统计表缺少列",
        doc: "按列标题找不到某一列（如“科研机构”）；该列数据按 0 计且不参与校验。",
    },
    RuleInfo {
        rule: Rule::I4,
        code: "I4",
        severity: Severity::Error,
        title: "单元格不是数字",
        doc: "如“见附件”“约12”“#DIV/0!”；按 0 计且不参与校验。",
    },
    RuleInfo {
        rule: Rule::I5,
        code: "I5",
        severity: Severity::Warning,
        title: "数字后有附注或多余单位",
        doc: "如“22（其中修订16件）”按 22 读取并报告，原文保留在 raw 中。",
    },
    RuleInfo {
        rule: Rule::I6,
        code: "I6",
        severity: Severity::Warning,
        title: "金额单位未知或与表头不一致",
        doc: "采购总金额表头没有单位：“251000元”“12.5万元”按所注单位保留；只有数字（非 0）时单位未知，不作猜测。",
    },
    RuleInfo {
        rule: Rule::I7,
        code: "I7",
        severity: Severity::Error,
        title: "公式没有计算结果",
        doc: "由脚本生成的文件中公式常无缓存结果，读作 0 会掩盖错误；该值不参与校验。",
    },
    RuleInfo {
        rule: Rule::I8,
        code: "I8",
        severity: Severity::Warning,
        title: "隐藏工作表中的统计表",
        doc: "隐藏的工作表、行或列常存放上年数据或伪造的副本：有可见副本时忽略隐藏的，只有隐藏的时使用它，均予报告。",
    },
    RuleInfo {
        rule: Rule::I9,
        code: "I9",
        severity: Severity::Warning,
        title: "未找到单位名称或统计年度",
        doc: "从标题行或“填报单位：”“统计年度：”单元格读取；读取时也可另行指定。",
    },
    RuleInfo {
        rule: Rule::B1,
        code: "B1",
        severity: Severity::Error,
        title: "同一单位同一年度重复报送",
        doc: "一批文件中两份报表的单位名称（规范化后）和年度相同：两份都报错误并互相指明，汇总时不重复计入。",
    },
    RuleInfo {
        rule: Rule::X1,
        code: "X1",
        severity: Severity::Error,
        title: "跨年：本年上年结转 = 上年结转下年度（表三每列）",
        doc: "汇总时给出上年报表，按单位名称匹配；上年报表无法读取、重复或年度不是上一年时报告“未校验”（不计为错误或警告）。跨年问题不影响本年报表是否计入汇总。",
    },
    RuleInfo {
        rule: Rule::X2,
        code: "X2",
        severity: Severity::Warning,
        title: "跨年（2021 版）：现行有效件数 = 上年现行有效件数 + 本年制发 − 本年废止",
        doc: "规章、行政规范性文件两行；做过文件清理后常不成立，故为警告。",
    },
    RuleInfo {
        rule: Rule::X3,
        code: "X3",
        severity: Severity::Warning,
        title: "跨年（2019 版）：上一年项目数量 = 上年的上一年项目数量 + 上年的本年增/减",
        doc: "行政许可、其他对外管理服务事项、行政处罚、行政强制、行政事业性收费五行。",
    },
    RuleInfo {
        rule: Rule::B2,
        code: "B2",
        severity: Severity::Error,
        title: "汇总表与其中已含的单位报表一同汇总",
        doc: "输入中有另一区域的汇总表（由 nianbao 写出，按其文档属性中记录的单位名单判断，名单不完整时按其“分单位明细”），同时又有它已包含的单位的报表：报错误，指明汇总表和重复的单位。每份报表只计一次：计入汇总表，这些单位的报表不再单独计入（汇总表还包含其他单位，不计入汇总表会漏掉它们）。",
    },
    RuleInfo {
        rule: Rule::B3,
        code: "B3",
        severity: Severity::Error,
        title: "报表年度与汇总年度不符",
        doc: "汇总时指定了年度：写明了另一年度的报表（统计年度单元格、标题、工作表名或文件名）报错误并不计入（有错误的报表也计入时同样不计入）；没有写明年度的报表按指定年度计入并注明（I9）。",
    },
    RuleInfo {
        rule: Rule::I10,
        code: "I10",
        severity: Severity::Warning,
        title: "正文中单位名称或年度的说法不一致",
        doc: "网页、Word、文本形式的报告，单元格中没有单位名称、年度时从正文读取（先于文件名）：标题、首句（“由……编制”“现将……年度报告……”）、“统计期限自……起至……止”。几处说法不一致时采用先者（标题、统计期限、首句的顺序）并报告两处。",
    },
    RuleInfo {
        rule: Rule::T1,
        code: "T1",
        severity: Severity::Warning,
        title: "正文所述数字与统计表不一致",
        doc: "只比较意思明确的句子（数字说明所计何事，没有“其中”，没有别的年份）：收到/新收申请、上年结转、办结/办理、结转下年度、行政复议、行政诉讼、制发/新制作规范性文件的件数，以及“未收到依申请公开事项”“没有发生……行政复议、行政诉讼”等零的说法。指出段落、原话和单元格。支持的说法见 README。",
    },
    RuleInfo {
        rule: Rule::T2,
        code: "T2",
        severity: Severity::Warning,
        title: "正文缺少规定内容",
        doc: "一至六部分应齐全（缺少的逐一指出）；2021 版起，六、其他需要报告的事项应说明是否收取信息处理费；表二行政事业性收费金额大于 0 而六未提及收费，也报告。",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_its_entry_with_a_unique_code_title_and_doc() {
        let mut codes: Vec<&str> = Vec::new();
        for (i, r) in Rule::ALL.into_iter().enumerate() {
            let info = r.info();
            assert_eq!(info.rule, r, "RULES[{i}] is not {r:?}");
            assert_eq!(info.code, format!("{r:?}"));
            assert!(!info.title.is_empty() && !info.doc.is_empty(), "{r:?}");
            assert_eq!(Rule::from_code(info.code), Some(r));
            codes.push(info.code);
        }
        assert_eq!(RULES.len(), Rule::ALL.len());
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
        assert_eq!(Rule::from_code("R7"), None);
        assert_eq!(serde_json::to_string(&Rule::X1).unwrap(), "\"X1\"");
    }
}

//! The prose rules of a published report (web page, Word document, text): T1, the figures the
//! prose states agree with the tables; T2, the required content is there. A workbook has no
//! prose and gets neither.
//!
//! **T1, precision before recall.** The prose is cut into sentences (`。；！？`) and clauses
//! (`，`). A clause is compared only when its figure names what it counts ([`PHRASINGS`]: the
//! words between the verb and the number are fixed), the sentence names no other year than the
//! report's, no comparison (`同比`, `比上年`, `增加`…), and no `其中` at or before the clause
//! (what follows `其中` is a part, not the whole). A clause that matches no phrasing produces
//! nothing. `受理 … 件` is not compared: reports count carried-in applications in it or not.

use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

use crate::diag::Diagnostic;
use crate::model::{sections, FormatVersion, Paragraph, Report, Rule, Section, TableKey};
use crate::read::normalize::norm;

/// What a phrasing's figure is compared with: the sum of these cells (table, row, column).
type Cells = &'static [(TableKey, &'static str, &'static str)];

/// One supported way the prose states a figure. The README's table of phrasings lists these.
pub(crate) struct Phrasing {
    /// What the figure counts, as the finding names it.
    pub(crate) name: &'static str,
    /// On a normalised clause; group 1 is the number. A phrasing without a group states zero.
    pattern: &'static str,
    /// The cells for each format version (2019, 2021).
    cells: [Cells; 2],
    /// A clause that matches (the README's table and the tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) example: &'static str,
}

const REQ: TableKey = TableKey::Requests;
const APP: TableKey = TableKey::Appeals;
const NEW: Cells = &[(REQ, "new", "total")];
const CARRIED_IN: Cells = &[(REQ, "carried_in", "total")];
const HANDLED: Cells = &[(REQ, "handled_total", "total")];
const CARRIED_OUT: Cells = &[(REQ, "carried_out", "total")];
const REVIEW: Cells = &[(APP, "review", "total")];
const LITIGATION: Cells = &[
    (APP, "litigation_direct", "total"),
    (APP, "litigation_after_review", "total"),
];
const APPEALS_ALL: Cells = &[
    (APP, "review", "total"),
    (APP, "litigation_direct", "total"),
    (APP, "litigation_after_review", "total"),
];

/// Every phrasing T1 understands.
pub(crate) static PHRASINGS: &[Phrasing] = &[
    Phrasing {
        name: "本年新收政府信息公开申请",
        pattern: r"(?:收到|新收)(?:政府信息公开|依申请公开)?申请(?:共|合计|总计)?(\d+)件",
        cells: [NEW, NEW],
        example: "2022年，全区收到政府信息公开申请75件",
    },
    Phrasing {
        name: "本年新收政府信息公开申请（零）",
        pattern: r"(?:未|没有)(?:收到|新收)(?:任何)?(?:政府信息公开|依申请公开)(?:的)?(?:申请|事项)",
        cells: [NEW, NEW],
        example: "2022年度我局未收到依申请公开事项",
    },
    Phrasing {
        name: "上年结转政府信息公开申请",
        pattern: r"上年(?:度)?结转(?:的)?(?:政府信息公开|依申请公开)?(?:申请)?(?:共)?(\d+)件",
        cells: [CARRIED_IN, CARRIED_IN],
        example: "上年结转政府信息公开申请3件",
    },
    Phrasing {
        name: "本年度办理结果总计",
        pattern: r"(?:^|共|累计|全年)(?:办结|办理完毕|办理|答复)(?:政府信息公开|依申请公开)?(?:申请)?(?:共|合计)?(\d+)件",
        cells: [HANDLED, HANDLED],
        example: "共办理718件",
    },
    Phrasing {
        name: "结转下年度继续办理",
        pattern: r"结转(?:至|到)?下(?:一)?年(?:度)?(?:继续办理)?(?:的)?(?:申请)?(?:共)?(\d+)件",
        cells: [CARRIED_OUT, CARRIED_OUT],
        example: "结转下一年31件",
    },
    Phrasing {
        name: "行政复议",
        pattern: r"行政复议(?:案件|申请)?(?:共)?(\d+)件",
        cells: [REVIEW, REVIEW],
        example: "共有行政诉讼案件1件、行政复议案件2件",
    },
    Phrasing {
        name: "行政诉讼（两类合计）",
        pattern: r"行政诉讼(?:案件)?(?:共)?(\d+)件",
        cells: [LITIGATION, LITIGATION],
        example: "共有行政诉讼案件1件、行政复议案件2件",
    },
    Phrasing {
        name: "行政复议和行政诉讼（零）",
        pattern: r"(?:没有发生|未发生|未出现|没有出现)[^，,]{0,20}?行政复议[、和及与]行政诉讼(?:案件|事件|情况)?$",
        cells: [APPEALS_ALL, APPEALS_ALL],
        example: "2022年度我局没有发生有关政府信息公开方面的行政复议、行政诉讼事件",
    },
    Phrasing {
        name: "本年新制作（制发）规范性文件",
        pattern: r"(?:本年度?)?(?:制发|新制作|新制定)(?:的)?(?:行政)?规范性文件(?:共)?(\d+)件",
        cells: [
            &[(TableKey::Proactive, "normative_documents", "produced")],
            &[(TableKey::Proactive, "normative_documents", "issued")],
        ],
        example: "动态更新本年度制发的规范性文件88件",
    },
];

static COMPILED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    PHRASINGS
        .iter()
        .map(|p| Regex::new(p.pattern).expect("valid regex"))
        .collect()
});
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d{4})年").expect("valid regex"));
/// Words of a comparison: the figure is a change, or another year's.
const COMPARISONS: &[&str] = &[
    "同比",
    "环比",
    "比上年",
    "较上年",
    "去年",
    "上一年度",
    "增加",
    "减少",
    "增长",
    "下降",
];
/// Several appeal kinds counted together: no figure of one kind.
static COMBINED_APPEALS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"行政复议[、和及与或]行政诉讼|复议诉讼|复议、诉讼|复议和诉讼").expect("valid regex")
});

/// The longest quotation of a clause in a finding, in characters.
const QUOTE_CHARS: usize = 60;

/// The figures a paragraph states, by [`PHRASINGS`], under the rules of the module doc.
pub(crate) fn stated(text: &str, year: Option<u16>) -> Vec<(usize, Decimal, String)> {
    let mut out = Vec::new();
    let n = norm(text);
    for sentence in n.split(['。', ';', '；', '!', '！', '?', '？']) {
        let other_year = YEAR.captures_iter(sentence).any(|m| {
            let y: Option<u16> = m[1].parse().ok();
            year.is_none() || y != year
        });
        if other_year {
            continue;
        }
        for clause in sentence.split([',', '，']) {
            if clause.contains("其中") {
                break;
            }
            if COMPARISONS.iter().any(|w| clause.contains(w)) {
                continue;
            }
            let combined = COMBINED_APPEALS.is_match(clause);
            for (i, re) in COMPILED.iter().enumerate() {
                let zero_form = PHRASINGS[i].name.ends_with("（零）");
                if combined && !zero_form {
                    continue;
                }
                let Some(m) = re.captures(clause) else {
                    continue;
                };
                let value = match m.get(1) {
                    Some(g) => match g.as_str().parse::<Decimal>() {
                        Ok(v) => v,
                        Err(_) => continue,
                    },
                    None => Decimal::ZERO,
                };
                let words: String = clause.chars().take(QUOTE_CHARS).collect();
                out.push((i, value, words));
            }
        }
    }
    out
}

fn section_of(secs: &[Section], paragraph: usize, prose: &[Paragraph]) -> String {
    secs.iter()
        .rev()
        .find(|s| s.heading <= paragraph)
        .map_or("正文开头".to_string(), |s| {
            let t = &prose[s.heading].text;
            let t: String = t.chars().take(24).collect();
            format!("“{t}”部分")
        })
}

/// T1: every figure the prose states equals its cells.
fn t1(report: &Report, out: &mut Vec<Diagnostic>) {
    let prose = &report.prose;
    let secs = sections(prose);
    let v = match report.meta.format {
        FormatVersion::V2019 => 0,
        FormatVersion::V2021 => 1,
    };
    for (pi, p) in prose.iter().enumerate() {
        for (i, value, words) in stated(&p.text, report.meta.year) {
            let ph = &PHRASINGS[i];
            let cells: Vec<_> = ph.cells[v]
                .iter()
                .filter_map(|(t, r, c)| report.get(*t, r, c))
                .collect();
            let Ok(Some(table)) = crate::model::report::sum_known(cells.iter().copied()) else {
                continue;
            };
            if table == value {
                continue;
            }
            let names: Vec<String> = ph.cells[v]
                .iter()
                .map(|(t, r, c)| {
                    let row = report.spec().table(*t).rows.iter().find(|x| x.key == *r);
                    let label = row.map_or(*r, |x| x.label);
                    let col = row
                        .and_then(|x| x.columns.iter().find(|k| k.key == *c))
                        .map_or(*c, |k| k.label);
                    format!("{}“{label}”的“{col}”", t.short())
                })
                .collect();
            out.push(
                Diagnostic::new(
                    Rule::T1,
                    &report.meta.source,
                    format!(
                        "正文{}{}：“{words}”说{}为 {value}，但{}为 {table}",
                        section_of(&secs, pi, prose),
                        p.place,
                        ph.name,
                        names.join("与"),
                    ),
                )
                .involving(cells.iter().filter_map(|c| c.source.as_ref()))
                .help("请核对正文中的数字和统计表，改正其中错误的一处。"),
            );
        }
    }
}

/// The text of a section: its heading's words after the title, and its paragraphs.
fn section_text(prose: &[Paragraph], s: &Section) -> String {
    prose[s.heading..s.end]
        .iter()
        .map(|p| norm(&p.text))
        .collect::<Vec<_>>()
        .join("")
}

/// T2: the six sections; from 2021, 六 says whether 信息处理费 was charged; 六 says something of
/// fees when table 二 has fees.
fn t2(report: &Report, out: &mut Vec<Diagnostic>) {
    let prose = &report.prose;
    let file = &report.meta.source;
    let secs = sections(prose);
    for n in 1..=6u8 {
        if !secs.iter().any(|s| s.number == n) {
            out.push(
                Diagnostic::new(
                    Rule::T2,
                    file,
                    format!("正文缺少“{}”部分", Section::official_title(n)),
                )
                .help("年度报告应有一至六部分；如标题写法特殊，请按“一、总体情况”的格式书写。"),
            );
        }
    }
    let Some(six) = secs.iter().find(|s| s.number == 6) else {
        return;
    };
    let text = section_text(prose, six);
    let body = text
        .split_once("其他需要报告的事项")
        .map_or(text.as_str(), |x| x.1);
    let body_core = crate::read::normalize::core(body);
    let says_none = body_core == "无" || body_core.starts_with("无其他需要报告");
    let heading = &prose[six.heading];
    let v2021 = report.meta.format == FormatVersion::V2021;
    if v2021 && !body.contains("信息处理费") && !says_none {
        out.push(
            Diagnostic::new(
                Rule::T2,
                file,
                format!(
                    "正文“六、其他需要报告的事项”（{}起）没有说明是否收取信息处理费",
                    heading.place
                ),
            )
            .help("2021 版起，第六部分应说明本年度收取信息处理费的情况（未收取的写明未收取）。"),
        );
        return;
    }
    let fees = report
        .get(TableKey::Proactive, "fees", "amount")
        .and_then(|v| v.known().map(|x| (x, v)));
    if let Some((amount, cell)) = fees.filter(|(x, _)| *x > Decimal::ZERO) {
        if !body.contains('费') {
            out.push(
                Diagnostic::new(
                    Rule::T2,
                    file,
                    format!(
                        "表二行政事业性收费为 {amount}，但正文“六、其他需要报告的事项”（{}起）未提及收费",
                        heading.place
                    ),
                )
                .at(cell.source.as_ref())
                .help("请在第六部分说明收费情况。"),
            );
        }
    }
}

/// T1 and T2, for a report read from a published document (nothing for a workbook).
pub(super) fn check(report: &Report, out: &mut Vec<Diagnostic>) {
    if report.prose.is_empty() {
        return;
    }
    t1(report, out);
    t2(report, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synthetic::consistent_report;
    use crate::model::{CellRef, Place};

    fn report(v: FormatVersion, lines: &[&str]) -> Report {
        let mut r = consistent_report(v, "测试局", 2022, 7);
        for (i, x) in r.values_mut().iter_mut().enumerate() {
            x.source = Some(CellRef::new("正文", i as u32, 0));
        }
        r.prose = lines
            .iter()
            .enumerate()
            .map(|(i, t)| Paragraph {
                text: t.to_string(),
                place: Place::Line(i as u32 + 1),
            })
            .collect();
        r
    }

    fn set(r: &mut Report, cells: Cells, value: i64) {
        for (k, (t, row, col)) in cells.iter().enumerate() {
            let v = r.get_mut(*t, row, col).unwrap();
            v.value = Decimal::from(if k == 0 { value } else { 0 });
        }
    }

    /// The six official section headings, the sentence after the first, `six` after the last.
    fn with_sections(sentence: &str, six: &str) -> Vec<String> {
        let mut v: Vec<String> = (1..=6)
            .map(|n| crate::model::Section::official_title(n).to_string())
            .collect();
        v.insert(1, sentence.to_string());
        v.push(six.to_string());
        v
    }

    fn findings(r: &Report) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        check(r, &mut out);
        out
    }

    /// Every phrasing: its example agrees with the table when the cells hold its number, and
    /// is a T1 naming the words and the cell when they do not.
    fn phrasing_case(i: usize) {
        let ph = &PHRASINGS[i];
        for v in FormatVersion::ALL {
            let stated = stated(ph.example, Some(2022));
            let (_, value, _) = stated
                .iter()
                .find(|s| s.0 == i)
                .unwrap_or_else(|| panic!("{} not understood: {stated:?}", ph.example))
                .clone();
            let lines = with_sections(ph.example, "本年度未收取信息处理费。");
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            let mut r = report(v, &lines);
            let cells = ph.cells[v as usize];
            let value_i64 = i64::try_from(value).unwrap();
            // the other phrasings of the same example hold too
            for (j, w, _) in &stated {
                set(
                    &mut r,
                    PHRASINGS[*j].cells[v as usize],
                    i64::try_from(*w).unwrap(),
                );
            }
            assert!(findings(&r).is_empty(), "{}: {:#?}", ph.name, findings(&r));
            set(&mut r, cells, value_i64 + 1);
            let f = findings(&r);
            assert_eq!(f.len(), 1, "{}: {f:#?}", ph.name);
            assert_eq!(f[0].rule, Rule::T1);
            assert!(f[0].message.contains("第2行"), "{}", f[0].message);
            let first = r.get(cells[0].0, cells[0].1, cells[0].2).unwrap();
            assert_eq!(f[0].cell, first.source, "{}", ph.name);
        }
    }

    macro_rules! phrasing_tests {
        ($($name:ident = $i:expr),* $(,)?) => {
            $( #[test] fn $name() { phrasing_case($i); } )*
            #[test]
            fn every_phrasing_has_its_test() {
                assert_eq!([$($i),*].len(), PHRASINGS.len());
            }
        };
    }

    phrasing_tests! {
        phrasing_new = 0,
        phrasing_new_zero = 1,
        phrasing_carried_in = 2,
        phrasing_handled = 3,
        phrasing_carried_out = 4,
        phrasing_review = 5,
        phrasing_litigation = 6,
        phrasing_appeals_zero = 7,
        phrasing_normative_documents = 8,
    }

    /// The README's table of phrasings has a row with each phrasing's example.
    #[test]
    fn every_phrasing_is_in_the_readme() {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"));
        for ph in PHRASINGS {
            assert!(
                readme.contains(&format!("| {} |", ph.example)),
                "{}",
                ph.example
            );
        }
    }

    #[test]
    fn near_misses_say_nothing() {
        for text in [
            // a part, after 其中
            "我局共收到各类来信，其中收到政府信息公开申请8件",
            // another year
            "2021年收到政府信息公开申请75件",
            // a change, not a figure
            "收到政府信息公开申请比上年增加5件",
            "收到政府信息公开申请同比增长75件",
            // appeals counted together
            "全县共办理相关案件74件",
            "办理行政复议、行政诉讼案件74件",
            // 受理 is not compared; a verb with another object
            "全年共受理政府信息公开申请749件",
            "办理人大代表建议12件",
            // 制发 of something else; documents in force
            "集中公开现行有效行政规范性文件698件",
            // a zero form that is about corrections, not cases
            "没有发生因政府信息公开被行政复议纠错的情况",
        ] {
            assert_eq!(stated(text, Some(2022)), vec![], "{text}");
        }
    }

    #[test]
    fn t2_missing_section_fee_statement_and_fees_unmentioned() {
        // all six, 2021, fees stated: clean
        let ok = with_sections("总体良好。", "本年度未收取信息处理费。");
        let ok: Vec<&str> = ok.iter().map(String::as_str).collect();
        assert!(findings(&report(FormatVersion::V2021, &ok)).is_empty());
        // 五 missing
        let no5: Vec<&str> = ok
            .iter()
            .copied()
            .filter(|l| !l.starts_with('五'))
            .collect();
        let f = findings(&report(FormatVersion::V2021, &no5));
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("五、存在的主要问题"),
            "{}",
            f[0].message
        );
        // 2021: 六 silent on 信息处理费
        let silent = with_sections("总体良好。", "我们将继续努力。");
        let silent: Vec<&str> = silent.iter().map(String::as_str).collect();
        let f = findings(&report(FormatVersion::V2021, &silent));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].message.contains("信息处理费"), "{}", f[0].message);
        // 2019: not required, unless table 二 has fees (2021 only has an amount): none here
        assert!(findings(&report(FormatVersion::V2019, &silent)).is_empty());
        // 2021, 六 says 无, fees > 0 in table 二
        let none = with_sections("总体良好。", "无。");
        let none: Vec<&str> = none.iter().map(String::as_str).collect();
        let mut r = report(FormatVersion::V2021, &none);
        r.get_mut(TableKey::Proactive, "fees", "amount")
            .unwrap()
            .value = Decimal::from(12);
        let f = findings(&r);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].message.contains("行政事业性收费为 12"),
            "{}",
            f[0].message
        );
        r.get_mut(TableKey::Proactive, "fees", "amount")
            .unwrap()
            .value = Decimal::ZERO;
        assert!(findings(&r).is_empty());
    }

    #[test]
    fn workbooks_have_no_prose_rules() {
        let mut r = report(FormatVersion::V2021, &[]);
        r.prose.clear();
        assert!(findings(&r).is_empty());
    }
}

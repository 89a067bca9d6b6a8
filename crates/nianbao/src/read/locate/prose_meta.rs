//! The agency and the year of a published report from its prose, for when its tables' cells do
//! not give them (a web page, a Word document, a text). Read from the first paragraphs only
//! ([`OPENING_PARAGRAPHS`]): later ones name other agencies and other years.
//!
//! Sources, best first (the first found of the best kind wins):
//! - `标题`: a short paragraph `{单位}{年度}年（度）政府信息公开工作年度报告` (the text's title
//!   line, `标题：…`, a Markdown `#` heading, a web page's `<title>` which the HTML reader puts
//!   first): agency and year;
//! - `统计期限`: `统计期限（时限）自/为/从{年度}年1月1日（起）至{年度}年12月31日（止）`, both years
//!   equal: year;
//! - `首句`: the opening sentence, `由{单位}编制` (a trailing `办公室` of an agency dropped: the
//!   office compiles its agency's report) or `现将{单位}{年度}年…年度报告…`: agency (and year).
//!
//! These are candidates among the others ([`super::meta`]): they rank after every cell (what a
//! cell says is not second-guessed) and before the file name, as [`MetaSource::ProseTitle`],
//! [`MetaSource::ProsePeriod`], [`MetaSource::ProseOpening`]. When the prose gave the agency or
//! the year, another source of the prose that disagrees with it (agency names neither of which
//! contains the other, or two years) is an I10 warning naming both; the winner is still used.

use std::sync::LazyLock;

use regex::Regex;

use super::meta::Candidate;
use crate::diag::{Diagnostic, Rule};
use crate::model::{MetaSource, Paragraph, Place};
use crate::read::normalize::norm;

/// Paragraphs searched from the start: title lines, a date line, the opening paragraph.
pub(super) const OPENING_PARAGRAPHS: usize = 8;

/// Longest title paragraph, in characters (normalised): a title, not a sentence quoting one.
const TITLE_MAX_CHARS: usize = 60;

static TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:标题[:：])?([^:：。，,；;]{2,40}?)(\d{4})年度?(?:政府信息公开|政务公开).{0,4}年度报告")
        .expect("valid regex")
});
static COMPILED_BY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"由([^，,。；;、（）()《》]{2,40}?)(?:负责)?(?:编制|编写|汇总编制)")
        .expect("valid regex")
});
static NOW_PUBLISH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"现将([^，,。；;、（）()《》]{2,40}?)(\d{4})年度?(?:政府信息公开|政务公开).{0,4}年度?报告",
    )
    .expect("valid regex")
});
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"统计(?:期限|时限|期间|时间|区间).{0,4}?(\d{4})年0?1月0?1日.{0,2}?至(\d{4})年12月31日",
    )
    .expect("valid regex")
});

/// Agency suffixes after which `办公室` is the agency's own office (`…局办公室` → `…局`).
const AGENCY_ENDINGS: &[&str] = &["局", "委员会", "委", "厅", "院", "署", "中心", "管委会"];

/// One statement of the agency or the year in the prose: the value, its source, where it is
/// and its words.
#[derive(Debug, Clone)]
pub(super) struct Said<T> {
    pub(super) value: T,
    pub(super) from: MetaSource,
    pub(super) place: Place,
    pub(super) words: String,
}

impl<T: Clone> Said<T> {
    fn new(value: T, from: MetaSource, p: &Paragraph, words: &str) -> Self {
        Said {
            value,
            from,
            place: p.place,
            words: words.to_string(),
        }
    }

    /// As a candidate among the other sources (a paragraph is no cell).
    fn candidate(&self) -> Candidate<T> {
        Candidate {
            value: self.value.clone(),
            from: self.from,
            cell: None,
        }
    }
}

impl<T> std::fmt::Display for Said<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}（{}：“{}”）",
            self.from.label(),
            self.place,
            self.words
        )
    }
}

/// Everything the opening paragraphs state, in source order.
#[derive(Debug, Default)]
pub(super) struct ProseMeta {
    pub(super) agencies: Vec<Said<String>>,
    pub(super) years: Vec<Said<u16>>,
}

impl ProseMeta {
    /// The agencies and years as candidates among the other sources.
    pub(super) fn candidates(&self) -> (Vec<Candidate<String>>, Vec<Candidate<u16>>) {
        (
            self.agencies.iter().map(Said::candidate).collect(),
            self.years.iter().map(Said::candidate).collect(),
        )
    }

    /// The I10 findings: the agency (the year) that was taken, when it was taken from the prose,
    /// against the first other statement of the prose that disagrees with it. What a cell or the
    /// caller gave is not second-guessed.
    pub(super) fn disagreements(
        &self,
        agency: Option<(&str, MetaSource)>,
        year: Option<(u16, MetaSource)>,
        file: &str,
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if let Some((a, from)) = agency.filter(|(_, from)| from.in_prose()) {
            let won = self
                .agencies
                .iter()
                .find(|s| s.from == from && s.value == a);
            let other = self
                .agencies
                .iter()
                .find(|s| !s.value.contains(a) && !a.contains(s.value.as_str()));
            if let (Some(won), Some(other)) = (won, other) {
                out.push(disagree(file, "单位名称", a, won, &other.value, other));
            }
        }
        if let Some((y, from)) = year.filter(|(_, from)| from.in_prose()) {
            let won = self.years.iter().find(|s| s.from == from && s.value == y);
            let other = self.years.iter().find(|s| s.value != y);
            if let (Some(won), Some(other)) = (won, other) {
                out.push(disagree(
                    file,
                    "年度",
                    &y.to_string(),
                    won,
                    &other.value.to_string(),
                    other,
                ));
            }
        }
        out
    }
}

fn agency_of_compiler(name: &str) -> String {
    match name.strip_suffix("办公室") {
        Some(a) if AGENCY_ENDINGS.iter().any(|e| a.ends_with(e)) => a.to_string(),
        _ => name.to_string(),
    }
}

/// Every agency and year the opening paragraphs state, in source order (title, 统计期限,
/// opening sentence).
pub(super) fn prose_meta(prose: &[Paragraph]) -> ProseMeta {
    let (mut agencies, mut years) = (Vec::new(), Vec::new());
    let opening = &prose[..prose.len().min(OPENING_PARAGRAPHS)];
    let texts: Vec<String> = opening.iter().map(|p| norm(&p.text)).collect();
    // 标题
    for (p, t) in opening.iter().zip(&texts) {
        if t.chars().count() > TITLE_MAX_CHARS {
            continue;
        }
        if let Some(m) = TITLE.captures(t) {
            agencies.push(Said::new(
                m[1].to_string(),
                MetaSource::ProseTitle,
                p,
                &m[0],
            ));
            if let Ok(y) = m[2].parse() {
                years.push(Said::new(y, MetaSource::ProseTitle, p, &m[0]));
            }
        }
    }
    // 统计期限
    for (p, t) in opening.iter().zip(&texts) {
        if let Some(m) = PERIOD.captures(t) {
            if m[1] == m[2] {
                if let Ok(y) = m[1].parse() {
                    years.push(Said::new(y, MetaSource::ProsePeriod, p, &m[0]));
                }
            }
        }
    }
    // 首句
    for (p, t) in opening.iter().zip(&texts) {
        if let Some(m) = COMPILED_BY.captures(t) {
            agencies.push(Said::new(
                agency_of_compiler(&m[1]),
                MetaSource::ProseOpening,
                p,
                &m[0],
            ));
        }
        if let Some(m) = NOW_PUBLISH.captures(t) {
            agencies.push(Said::new(
                m[1].to_string(),
                MetaSource::ProseOpening,
                p,
                &m[0],
            ));
            if let Ok(y) = m[2].parse() {
                years.push(Said::new(y, MetaSource::ProseOpening, p, &m[0]));
            }
        }
    }
    ProseMeta { agencies, years }
}

fn disagree(
    file: &str,
    what: &str,
    won: &str,
    won_at: &dyn std::fmt::Display,
    other: &str,
    other_at: &dyn std::fmt::Display,
) -> Diagnostic {
    Diagnostic::new(
        Rule::I10,
        file,
        format!("正文中的{what}说法不一：{won_at}为“{won}”，{other_at}为“{other}”；采用“{won}”"),
    )
    .help("请核对报告的标题和首段；如采用的不对，请用 --agency / --year 指定。")
}

#[cfg(test)]
mod tests {
    use super::super::meta::best;
    use super::*;

    fn paras(lines: &[&str]) -> Vec<Paragraph> {
        lines
            .iter()
            .enumerate()
            .map(|(i, t)| Paragraph {
                text: t.to_string(),
                place: Place::Line(i as u32 + 1),
            })
            .collect()
    }

    /// The agency and year the prose gives when no cell does, and the I10 findings.
    fn found(lines: &[&str]) -> (Option<String>, Option<u16>, Vec<Diagnostic>) {
        let m = prose_meta(&paras(lines));
        let (agencies, years) = m.candidates();
        let (a, y) = (best(agencies), best(years));
        let f = m.disagreements(
            a.as_ref().map(|c| (c.value.as_str(), c.from)),
            y.as_ref().map(|c| (c.value, c.from)),
            "t.txt",
        );
        (a.map(|c| c.value), y.map(|c| c.value), f)
    }

    #[test]
    fn opening_sentence_and_period() {
        let (a, y, f) = found(&["本年报依据《条例》要求,由杜集区经济和信息化局办公室编制。本年报中所列数据的统计期限自2020年1月1日起至2020年12月31日止。"]);
        assert_eq!(
            (a.as_deref(), y),
            (Some("杜集区经济和信息化局"), Some(2020))
        );
        assert!(f.is_empty());
    }

    #[test]
    fn title_wins_and_conflicts_name_both() {
        let (a, y, f) = found(&[
            "标题: 平潭综合实验区2022年度政府信息公开工作年度报告",
            "本报告中所列数据统计时限为2021年1月1日至2021年12月31日。",
        ]);
        assert_eq!((a.as_deref(), y), (Some("平潭综合实验区"), Some(2022)));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, Rule::I10);
        assert!(
            f[0].message.contains("标题（第1行") && f[0].message.contains("统计期限（第2行"),
            "{}",
            f[0].message
        );
    }

    /// What a cell gave is not second-guessed: no I10 about it.
    #[test]
    fn only_what_the_prose_gave_is_an_i10() {
        let m = prose_meta(&paras(&[
            "标题: 甲局2022年度政府信息公开工作年度报告",
            "本年报由乙局编制。统计期限自2021年1月1日起至2021年12月31日止。",
        ]));
        let f = m.disagreements(
            Some(("丙局", MetaSource::Label)),
            Some((2022, MetaSource::Label)),
            "t.txt",
        );
        assert!(f.is_empty(), "{f:#?}");
        let f = m.disagreements(
            Some(("甲局", MetaSource::ProseTitle)),
            Some((2022, MetaSource::Given)),
            "t.txt",
        );
        assert_eq!(f.len(), 1, "甲局 and 乙局 disagree: {f:#?}");
        assert!(f[0].message.contains("乙局"), "{}", f[0].message);
    }

    #[test]
    fn a_county_government_and_a_year_far_down_are_not_taken() {
        let (a, y, _) = found(&["沐阳县人民政府 2025 年 政府信息公开工作年度报告"]);
        assert_eq!((a.as_deref(), y), (Some("沐阳县人民政府"), Some(2025)));
        let mut lines = vec!["前言"; OPENING_PARAGRAPHS];
        lines.push("统计期限自2020年1月1日起至2020年12月31日止");
        assert_eq!(found(&lines).1, None);
    }
}

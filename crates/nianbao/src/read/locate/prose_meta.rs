//! The agency and the year of a published report from its prose, for when its tables' cells do
//! not give them (a web page, a Word document, a text). Read from the first paragraphs only
//! ([`OPENING_PARAGRAPHS`]): later ones name other agencies and other years.
//!
//! Sources, the first found of each kind wins in this order:
//! - `标题`: a short paragraph `{单位}{年度}年（度）政府信息公开工作年度报告` (the text's title
//!   line, `标题：…`, a Markdown `#` heading, a web page's `<title>` which the HTML reader puts
//!   first): agency and year;
//! - `首句`: the opening sentence, `由{单位}编制` (a trailing `办公室` of an agency dropped: the
//!   office compiles its agency's report) or `现将{单位}{年度}年…年度报告…`: agency (and year);
//! - `统计期限`: `统计期限（时限）自/为/从{年度}年1月1日（起）至{年度}年12月31日（止）`, both years
//!   equal: year.
//!
//! Two sources that disagree (agency names neither of which contains the other, or two years)
//! are an I10 warning naming both; the winner is still used. Which source won is kept in the
//! report ([`crate::model::Report::agency_from`]).

use std::sync::LazyLock;

use regex::Regex;

use crate::diag::{Diagnostic, Rule};
use crate::model::{MetaSource, Paragraph};
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

/// What the prose says, with where.
#[derive(Debug, Default)]
pub(super) struct ProseMeta {
    pub(super) agency: Option<(String, MetaSource)>,
    pub(super) year: Option<(u16, MetaSource)>,
}

fn source(what: &'static str, p: &Paragraph, words: &str) -> MetaSource {
    MetaSource {
        what,
        place: p.place,
        words: words.to_string(),
    }
}

fn agency_of_compiler(name: &str) -> String {
    match name.strip_suffix("办公室") {
        Some(a) if AGENCY_ENDINGS.iter().any(|e| a.ends_with(e)) => a.to_string(),
        _ => name.to_string(),
    }
}

/// Every agency and year the opening paragraphs state, in the order of [`ProseMeta`]'s sources.
#[allow(clippy::type_complexity)]
fn candidates(prose: &[Paragraph]) -> (Vec<(String, MetaSource)>, Vec<(u16, MetaSource)>) {
    let (mut agencies, mut years) = (Vec::new(), Vec::new());
    let opening = &prose[..prose.len().min(OPENING_PARAGRAPHS)];
    let texts: Vec<String> = opening.iter().map(|p| norm(&p.text)).collect();
    // 标题
    for (p, t) in opening.iter().zip(&texts) {
        if t.chars().count() > TITLE_MAX_CHARS {
            continue;
        }
        if let Some(m) = TITLE.captures(t) {
            agencies.push((m[1].to_string(), source("标题", p, &m[0])));
            if let Ok(y) = m[2].parse() {
                years.push((y, source("标题", p, &m[0])));
            }
        }
    }
    // 统计期限
    for (p, t) in opening.iter().zip(&texts) {
        if let Some(m) = PERIOD.captures(t) {
            if m[1] == m[2] {
                if let Ok(y) = m[1].parse() {
                    years.push((y, source("统计期限", p, &m[0])));
                }
            }
        }
    }
    // 首句
    for (p, t) in opening.iter().zip(&texts) {
        if let Some(m) = COMPILED_BY.captures(t) {
            agencies.push((agency_of_compiler(&m[1]), source("首句", p, &m[0])));
        }
        if let Some(m) = NOW_PUBLISH.captures(t) {
            agencies.push((m[1].to_string(), source("首句", p, &m[0])));
            if let Ok(y) = m[2].parse() {
                years.push((y, source("首句", p, &m[0])));
            }
        }
    }
    (agencies, years)
}

/// The agency and year the prose states, and an I10 finding for each disagreement with the
/// winner.
/// Only what is `wanted` (agency, year) is looked at: what a cell gave is not second-guessed.
pub(super) fn prose_meta(
    prose: &[Paragraph],
    wanted: (bool, bool),
    file: &str,
    findings: &mut Vec<Diagnostic>,
) -> ProseMeta {
    let (mut agencies, mut years) = candidates(prose);
    if !wanted.0 {
        agencies.clear();
    }
    if !wanted.1 {
        years.clear();
    }
    let mut out = ProseMeta::default();
    if let Some(first) = agencies.first() {
        let conflict = agencies
            .iter()
            .find(|(a, _)| !a.contains(first.0.as_str()) && !first.0.contains(a.as_str()));
        if let Some((a, s)) = conflict {
            findings.push(disagree(file, "单位名称", &first.0, &first.1, a, s));
        }
        out.agency = Some(first.clone());
    }
    if let Some(first) = years.first() {
        if let Some((y, s)) = years.iter().find(|(y, _)| *y != first.0) {
            findings.push(disagree(
                file,
                "年度",
                &first.0.to_string(),
                &first.1,
                &y.to_string(),
                s,
            ));
        }
        out.year = Some(first.clone());
    }
    out
}

fn disagree(
    file: &str,
    what: &str,
    won: &str,
    won_at: &MetaSource,
    other: &str,
    other_at: &MetaSource,
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
    use super::*;
    use crate::model::Place;

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

    fn found(lines: &[&str]) -> (Option<String>, Option<u16>, Vec<Diagnostic>) {
        let mut f = Vec::new();
        let m = prose_meta(&paras(lines), (true, true), "t.txt", &mut f);
        (m.agency.map(|a| a.0), m.year.map(|y| y.0), f)
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

    /// What a cell gave is not looked for, nor second-guessed: no I10 about it.
    #[test]
    fn only_what_is_wanted_is_read() {
        let lines = paras(&[
            "标题: 甲局2022年度政府信息公开工作年度报告",
            "本年报由乙局编制。统计期限自2022年1月1日起至2022年12月31日止。",
        ]);
        let mut f = Vec::new();
        let m = prose_meta(&lines, (false, true), "t.txt", &mut f);
        assert!(m.agency.is_none() && f.is_empty(), "{f:#?}");
        assert_eq!(m.year.map(|y| y.0), Some(2022));
        let m = prose_meta(&lines, (true, false), "t.txt", &mut f);
        assert_eq!(m.agency.map(|a| a.0).as_deref(), Some("甲局"));
        assert_eq!(f.len(), 1, "甲局 and 乙局 disagree");
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

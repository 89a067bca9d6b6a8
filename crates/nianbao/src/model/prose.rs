//! The prose of a published report: its paragraphs in document order, each with the place a
//! person can find it. Read from web pages, Word documents and text; workbooks have none.
//!
//! The readers fill it ([`crate::read`]); the prose rules (T1, T2) and the agency/year search
//! read it. A paragraph is one block of text as the document gives it (an HTML `<p>`/`<h1>`/…,
//! a Word `w:p`, a text line or a run of lines), whitespace collapsed, never empty.

use serde::Serialize;

/// Where a paragraph is in its document, 1-based, for messages (`第3段`, `第12行`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// The n-th paragraph of a web page or Word document (tables' cells not counted).
    Paragraph(u32),
    /// The n-th line of a text file.
    Line(u32),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Paragraph(n) => write!(f, "第{n}段"),
            Place::Line(n) => write!(f, "第{n}行"),
        }
    }
}

/// One paragraph of prose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    /// The text, whitespace collapsed to single spaces, trimmed.
    pub text: String,
    /// Where it is.
    pub place: Place,
}

/// One of the six sections of a report (一 总体情况 … 六 其他需要报告的事项), found by its
/// heading paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// 1 to 6.
    pub number: u8,
    /// The index of its heading among the paragraphs.
    pub heading: usize,
    /// The index after its last paragraph (the next section's heading, or the end).
    pub end: usize,
}

impl Section {
    /// The official title of section `number` (1–6): `一、总体情况`.
    pub fn official_title(number: u8) -> &'static str {
        match number {
            1 => "一、总体情况",
            2 => "二、主动公开政府信息情况",
            3 => "三、收到和处理政府信息公开申请情况",
            4 => "四、政府信息公开行政复议、行政诉讼情况",
            5 => "五、存在的主要问题及改进情况",
            _ => "六、其他需要报告的事项",
        }
    }
}

/// The numerals of the six sections.
const NUMERALS: [char; 6] = ['一', '二', '三', '四', '五', '六'];

/// Words that open each section's title, each with how many characters may come before it
/// (`五、政府信息公开工作存在的主要问题…` has eight). 四 is also known by 复议 a little further
/// on, as published headings misspell it (`四、政府信息公开行政法复议、行政诉讼情况`, the pingtan
/// sample); the sub-heading `（四）因政府信息公开工作被申请行政复议…` of 一 has it further still.
const TITLE_WORDS: [&[(&str, usize)]; 6] = [
    &[("总体情况", 0)],
    &[("主动公开", 0)],
    &[("收到和处理", 6), ("依申请公开", 6)],
    &[("行政复议", 6), ("复议", 9)],
    &[("存在的主要问题", 10), ("存在的问题", 10), ("主要问题", 10)],
    &[("其他需要报告", 0)],
];

/// The section number a heading paragraph opens, if it is one: a numeral marker (`一、` `一．`
/// `一.` `（一）` `一` followed directly by the title, or `第一部分`) whose numeral agrees with
/// the title's words, these within their few characters of the marker.
pub(crate) fn heading_number(text: &str) -> Option<u8> {
    let t: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '#')
        .collect();
    let (numeral, rest) = match t.as_slice() {
        ['(' | '（', n, ')' | '）', rest @ ..] => (*n, rest),
        ['第', n, '部', '分', rest @ ..] => (*n, rest),
        [n, rest @ ..] => (*n, rest),
        [] => return None,
    };
    let n = NUMERALS.iter().position(|&x| x == numeral)?;
    let rest = match rest {
        ['、' | '．' | '.' | ',' | '，' | ':' | '：', r @ ..] => r,
        r => r,
    };
    let rest: String = rest.iter().take(40).collect();
    TITLE_WORDS[n]
        .iter()
        .any(|(w, before)| {
            rest.find(w)
                .is_some_and(|at| rest[..at].chars().count() <= *before)
        })
        .then_some(n as u8 + 1)
}

/// The report's sections, in order: each heading opens a section with a greater number than the
/// last one found (a sub-heading such as `（四）…行政复议…` inside 一 is not taken for 四: its
/// title words are too far from its marker). A section that is not found is not in the list.
pub fn sections(paragraphs: &[Paragraph]) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        let Some(n) = heading_number(&p.text) else {
            continue;
        };
        if out.last().is_some_and(|s| s.number >= n) {
            continue;
        }
        if let Some(last) = out.last_mut() {
            last.end = i;
        }
        out.push(Section {
            number: n,
            heading: i,
            end: paragraphs.len(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(text: &str, n: u32) -> Paragraph {
        Paragraph {
            text: text.into(),
            place: Place::Line(n),
        }
    }

    #[test]
    fn headings_and_their_variants() {
        for (text, n) in [
            ("一、总体情况", Some(1)),
            ("一．总体情况", Some(1)),
            ("一 总体情况", Some(1)),
            ("（一）总体情况", Some(1)),
            ("第一部分 总体情况", Some(1)),
            ("## 二、主动公开政府信息情况", Some(2)),
            ("三、收到和处理政府信息公开申请情况", Some(3)),
            ("四、政府信息公开行政复议、行政诉讼情况", Some(4)),
            ("四、政府信息公开行政法复议、行政诉讼情况", Some(4)),
            ("五、政府信息公开工作存在的主要问题及改进情况", Some(5)),
            ("五、存在的主要问题及整改措施", Some(5)),
            ("六、其他需要报告的事项", Some(6)),
            // sub-headings and lines that only start with a numeral
            (
                "(四)因政府信息公开工作被申请行政复议、提起行政诉讼级责任追究情况",
                None,
            ),
            ("(二)依申请公开情况", None),
            ("三是提高解读效能", None),
            ("一、本年新收政府信息公开申请数量", None),
            ("二是强化信息公开与保密安全同步进行", None),
        ] {
            assert_eq!(heading_number(text), n, "{text}");
        }
    }

    #[test]
    fn sections_are_in_order_and_end_at_the_next() {
        let ps = [
            para("前言", 1),
            para("一、总体情况", 2),
            para("（四）因政府信息公开工作被申请行政复议情况", 3),
            para("二、主动公开政府信息情况", 4),
            para("六、其他需要报告的事项", 5),
            para("无。", 6),
        ];
        let s = sections(&ps);
        let got: Vec<(u8, usize, usize)> = s.iter().map(|s| (s.number, s.heading, s.end)).collect();
        assert_eq!(got, [(1, 1, 3), (2, 3, 4), (6, 4, 6)]);
    }
}

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

/// Where a published report's agency or year was read from in its prose, when its tables' cells
/// do not give them: which kind of text won (`标题`, `首句`, `统计期限`), where it is, and its
/// words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetaSource {
    /// `标题` (the title line, or a web page's `<title>`), `首句` (the opening sentence:
    /// `由…编制`, `现将…年度报告…`) or `统计期限` (`统计期限自…起至…止`).
    pub what: &'static str,
    /// The paragraph it was read from.
    pub place: Place,
    /// The words it was read from.
    pub words: String,
}

impl std::fmt::Display for MetaSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}（{}：“{}”）", self.what, self.place, self.words)
    }
}

//! Findings: data, not text. Rendered by the CLI as text or JSON.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::CellRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        }
    }
}

/// One finding about one report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Stable rule id (`R1`…, `I1`…), see [`crate::validate::RULES`].
    pub rule: &'static str,
    pub severity: Severity,
    /// The file the report was read from.
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The A1 cell the finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// All cells involved, as A1 names, when more than one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<String>,
    /// Chinese, one line.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The two sides of a failed equation.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::arbitrary_precision_option"
    )]
    pub left: Option<Decimal>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::arbitrary_precision_option"
    )]
    pub right: Option<Decimal>,
}

impl Diagnostic {
    pub fn new(rule: &'static str, severity: Severity, file: &str, message: String) -> Self {
        Diagnostic {
            rule,
            severity,
            file: file.to_string(),
            sheet: None,
            cell: None,
            cells: Vec::new(),
            message,
            help: None,
            left: None,
            right: None,
        }
    }

    /// Attach the cell (and its sheet).
    pub fn at(mut self, cell: Option<&CellRef>) -> Self {
        if let Some(c) = cell {
            self.sheet = Some(c.sheet.clone());
            self.cell = Some(c.a1());
        }
        self
    }

    /// Attach every cell involved; the first becomes the finding's cell if none is set.
    pub fn involving<'a>(mut self, cells: impl IntoIterator<Item = &'a CellRef>) -> Self {
        for c in cells {
            if self.cell.is_none() {
                self = self.at(Some(c));
            }
            let a1 = c.a1();
            if !self.cells.contains(&a1) {
                self.cells.push(a1);
            }
        }
        if self.cells.len() < 2 {
            self.cells.clear();
        }
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn sides(mut self, left: Decimal, right: Decimal) -> Self {
        self.left = Some(left);
        self.right = Some(right);
        self
    }

    /// `'Sheet1'!D12`, or the sheet alone, or nothing.
    pub fn location(&self) -> String {
        match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => format!("{}!{c}", crate::model::cellref::quote_sheet(s)),
            (Some(s), None) => crate::model::cellref::quote_sheet(s),
            _ => String::new(),
        }
    }

    /// Deterministic order: file, severity, sheet, cell position, rule.
    fn sort_key(&self) -> impl Ord + '_ {
        let pos = self
            .cell
            .as_deref()
            .and_then(crate::model::cellref::parse_a1)
            .unwrap_or((u32::MAX, u32::MAX));
        (
            &self.file,
            self.sheet.as_deref().unwrap_or(""),
            pos,
            self.rule,
            &self.message,
        )
    }
}

/// Sort findings deterministically (by file, sheet, cell, rule, message).
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Count of (errors, warnings).
pub fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let e = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (e, diags.len() - e)
}

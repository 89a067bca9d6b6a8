//! Findings: data, not text. Rendered by the CLI as text or JSON, and by the writers into sheets.

use rust_decimal::Decimal;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

pub use crate::model::rule::{Rule, Severity};
use crate::model::CellRef;

/// What a finding says about its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The rule was checked and does not hold: an error or a warning, as the rule's severity says.
    Failed,
    /// The rule could not be checked (e.g. last year's report could not be read for X1): neither
    /// an error nor a warning, shown as `未校验`.
    NotChecked,
}

/// The label of a not-checked finding, where a failed one shows its severity.
pub(crate) const NOT_CHECKED_LABEL: &str = "未校验";

/// One finding about one report.
///
/// JSON: `{rule, severity, file, sheet?, cell?, cells?, message, help?, left?, right?}` where
/// `rule` is the code (`"R1"`), `severity` is `"error"` / `"warning"` for a failed rule and
/// `"not_checked"` for one that could not be checked, `sheet` and `cell` (`"D12"`) come from
/// [`Diagnostic::cell`] and `cells` lists the A1 names of [`Diagnostic::cells`].
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The rule; its code, severity and doc are in the registry ([`crate::model::RULES`]).
    pub rule: Rule,
    /// Whether the rule failed or could not be checked.
    pub outcome: Outcome,
    /// The file the report was read from.
    pub file: String,
    /// The cell the finding is about.
    pub cell: Option<CellRef>,
    /// All cells involved, when more than one.
    pub cells: Vec<CellRef>,
    /// Chinese, one line.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The left side of a failed equation (the total as reported).
    pub left: Option<Decimal>,
    /// The right side of a failed equation (what its parts add up to).
    pub right: Option<Decimal>,
}

impl Diagnostic {
    /// A failed rule; its severity is the registry's.
    pub fn new(rule: Rule, file: &str, message: String) -> Self {
        Diagnostic {
            rule,
            outcome: Outcome::Failed,
            file: file.to_string(),
            cell: None,
            cells: Vec::new(),
            message,
            help: None,
            left: None,
            right: None,
        }
    }

    /// A rule that could not be checked; the message says why.
    pub fn not_checked(rule: Rule, file: &str, message: String) -> Self {
        Diagnostic {
            outcome: Outcome::NotChecked,
            ..Diagnostic::new(rule, file, message)
        }
    }

    /// The rule's severity (from the registry), whatever the outcome.
    pub fn severity(&self) -> Severity {
        self.rule.severity()
    }

    /// A failed rule of severity error: counts for the exit code and the verdict.
    pub fn is_error(&self) -> bool {
        self.outcome == Outcome::Failed && self.severity() == Severity::Error
    }

    /// A failed rule of severity warning.
    pub fn is_warning(&self) -> bool {
        self.outcome == Outcome::Failed && self.severity() == Severity::Warning
    }

    /// `错误`, `警告` or `未校验`.
    pub fn label(&self) -> &'static str {
        match self.outcome {
            Outcome::Failed => self.severity().label(),
            Outcome::NotChecked => NOT_CHECKED_LABEL,
        }
    }

    /// The sheet of the finding's cell.
    pub fn sheet(&self) -> Option<&str> {
        self.cell.as_ref().map(|c| c.sheet.as_str())
    }

    /// Attach the cell (and so its sheet).
    pub fn at(mut self, cell: Option<&CellRef>) -> Self {
        if let Some(c) = cell {
            self.cell = Some(c.clone());
        }
        self
    }

    /// Attach every cell involved; the first becomes the finding's cell if none is set.
    pub fn involving<'a>(mut self, cells: impl IntoIterator<Item = &'a CellRef>) -> Self {
        for c in cells {
            if self.cell.is_none() {
                self = self.at(Some(c));
            }
            if !self.cells.contains(c) {
                self.cells.push(c.clone());
            }
        }
        if self.cells.len() < 2 {
            self.cells.clear();
        }
        self
    }

    /// Say what to do about it (Chinese, one line).
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attach the two sides of a failed equation.
    pub fn sides(mut self, left: Decimal, right: Decimal) -> Self {
        self.left = Some(left);
        self.right = Some(right);
        self
    }

    /// `'Sheet1'!D12`, or nothing.
    pub fn location(&self) -> String {
        self.cell
            .as_ref()
            .map(CellRef::qualified)
            .unwrap_or_default()
    }

    /// The A1 names of the cells involved, space-separated (`D12 E12`).
    pub fn cells_a1(&self) -> String {
        let names: Vec<String> = self.cells.iter().map(CellRef::a1).collect();
        names.join(" ")
    }

    /// Deterministic order: file, sheet, cell position, rule code, message.
    fn sort_key(&self) -> impl Ord + '_ {
        let pos = self
            .cell
            .as_ref()
            .map_or((u32::MAX, u32::MAX), |c| (c.row, c.col));
        (
            &self.file,
            self.sheet().unwrap_or(""),
            pos,
            self.rule.code(),
            &self.message,
        )
    }
}

impl Serialize for Diagnostic {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Dec(Decimal);
        impl Serialize for Dec {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                crate::model::json_number::serialize(&self.0, s)
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("rule", &self.rule)?;
        match self.outcome {
            Outcome::Failed => m.serialize_entry("severity", &self.severity())?,
            Outcome::NotChecked => m.serialize_entry("severity", &self.outcome)?,
        }
        m.serialize_entry("file", &self.file)?;
        if let Some(c) = &self.cell {
            m.serialize_entry("sheet", &c.sheet)?;
            m.serialize_entry("cell", &c.a1())?;
        }
        if !self.cells.is_empty() {
            let names: Vec<String> = self.cells.iter().map(CellRef::a1).collect();
            m.serialize_entry("cells", &names)?;
        }
        m.serialize_entry("message", &self.message)?;
        if let Some(h) = &self.help {
            m.serialize_entry("help", h)?;
        }
        if let Some(l) = self.left {
            m.serialize_entry("left", &Dec(l))?;
        }
        if let Some(r) = self.right {
            m.serialize_entry("right", &Dec(r))?;
        }
        m.end()
    }
}

/// Sort findings deterministically (by file, sheet, cell, rule, message).
pub(crate) fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Count of (errors, warnings); a rule that could not be checked is neither.
pub fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let e = diags.iter().filter(|d| d.is_error()).count();
    let w = diags.iter().filter(|d| d.is_warning()).count();
    (e, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_the_fields_of_before_and_not_checked_is_its_own_value() {
        let a = CellRef::new("表三", 11, 3);
        let b = CellRef::new("表三", 11, 4);
        let d = Diagnostic::new(Rule::R2, "a.xlsx", "m".into())
            .involving([&a, &b])
            .help("h")
            .sides(Decimal::new(15, 1), Decimal::from(2));
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"rule":"R2","severity":"error","file":"a.xlsx","sheet":"表三","cell":"D12","cells":["D12","E12"],"message":"m","help":"h","left":1.5,"right":2}"#
        );
        let n = Diagnostic::not_checked(Rule::X1, "b.xlsx", "未做跨年校验".into());
        assert_eq!(
            serde_json::to_string(&n).unwrap(),
            r#"{"rule":"X1","severity":"not_checked","file":"b.xlsx","message":"未做跨年校验"}"#
        );
        assert_eq!(
            (n.label(), n.is_error(), n.is_warning()),
            ("未校验", false, false)
        );
        assert_eq!(counts(&[d, n]), (1, 0));
    }

    #[test]
    fn sorted_by_position_not_by_name() {
        let at =
            |r, c| Diagnostic::new(Rule::R6, "f", "m".into()).at(Some(&CellRef::new("S", r, c)));
        // B10 sorts after C9 and after AA1 of an earlier row
        let mut v = vec![at(9, 1), at(8, 2), at(0, 26)];
        sort(&mut v);
        let names: Vec<String> = v.iter().map(|d| d.cell.as_ref().unwrap().a1()).collect();
        assert_eq!(names, ["AA1", "C9", "B10"]);
    }
}

//! The report model: knows nothing of files, calamine or the CLI.
//!
//! - [`spec`]: the two national format versions as data (tables, rows, columns, labels, value
//!   kinds), and [`FormatVersion`] and [`TableKey`];
//! - [`Report`]: one agency's report, every [`Value`] with its status and source [`CellRef`]
//!   ([`cellref`]: A1 names), and its [`Meta`];
//! - [`mark`]: the custom document properties nianbao leaves on every workbook it writes;
//! - [`prose`]: a published report's paragraphs ([`Paragraph`], [`Place`]), for the prose rules;
//! - [`Rule`] and [`RULES`]: the registry of every rule nianbao checks (code, severity, title,
//!   doc); the equations of R1–R4 are derived from the spec once, inside the crate, and shared
//!   by `validate`, [`crate::fix`] and the template's formulas;
//! - `synthetic` (feature `synthetic`): consistent made-up reports for tests and samples.

pub mod cellref;
pub(crate) mod equations;
pub(crate) mod json_number;
pub mod mark;
pub mod prose;
pub(crate) mod report;
pub(crate) mod rule;
pub mod spec;
#[cfg(any(test, feature = "synthetic"))]
pub mod synthetic;

pub use cellref::CellRef;
pub use mark::{Mark, MarkKind};
pub use prose::{sections, Paragraph, Place, Section};
pub use report::{Meta, MetaSource, Origin, Report, Status, Unit, Value, MAX_MAGNITUDE};
pub use rule::{Rule, RuleInfo, Severity, RULES};
pub use spec::{
    ColSpec, Field, FormatVersion, MoneyUnit, RowSpec, TableKey, TableSpec, ValueKind, VersionSpec,
};

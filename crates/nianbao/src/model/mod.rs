//! The report model: knows nothing of files, calamine or the CLI.

pub mod cellref;
pub(crate) mod equations;
pub(crate) mod json_number;
pub(crate) mod report;
pub(crate) mod rule;
pub mod spec;
#[cfg(any(test, feature = "synthetic"))]
pub mod synthetic;

pub use cellref::CellRef;
pub use report::{Meta, Report, Status, Value};
pub use rule::{Rule, RuleInfo, Severity, RULES};
pub use spec::{
    ColSpec, Field, FormatVersion, MoneyUnit, RowSpec, TableKey, TableSpec, ValueKind, VersionSpec,
};

//! The report model: knows nothing of files, calamine or the CLI.

pub mod cellref;
pub mod report;
pub mod spec;
pub mod synthetic;

pub use cellref::CellRef;
pub use report::{Meta, Report, Status, Value};
pub use spec::{
    ColSpec, Field, FormatVersion, MoneyUnit, RowSpec, TableKey, TableSpec, ValueKind, VersionSpec,
};

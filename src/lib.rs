//! nianbao: read, cross-check and roll up the statistics tables of the Chinese government
//! information-disclosure annual report (政府信息公开工作年度报告).
//!
//! The flow: file → [`read::open`] (sniff, guard, [`read::Grid`]) → [`read::locate`] (tables by
//! label) → [`model::Report`] → [`validate`] → [`diag::Diagnostic`]s → writers.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod batch;
pub mod diag;
pub mod error;
pub mod fix;
pub mod model;
pub mod read;
pub mod rollup;
pub mod validate;
pub mod write;

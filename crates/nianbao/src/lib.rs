//! nianbao: read, cross-check and roll up the statistics tables of the Chinese government
//! information-disclosure annual report (政府信息公开工作年度报告).
//!
//! The flow: file → [`read::read_grid`] (sniff, guard, [`read::Grid`]) → [`read::locate`] (tables by
//! label) → [`model::Report`] → [`validate`] → [`diag::Diagnostic`]s → writers.
//!
//! # Modules
//!
//! - [`read`]: a workbook (xlsx, xls, ods, HTML saved as .xls) → a [`model::Report`] with
//!   reading findings; [`read::read_report`] does it all.
//! - [`model`]: the report as data: the two format versions' tables, rows and columns
//!   ([`model::spec`]), values with their source cells, the rule registry.
//! - [`validate`]: the cross-checks R1–R6 of one report.
//! - [`fix`]: recompute the derivable totals of a report from their parts (`--fix`).
//! - [`diag`]: findings (a rule, a cell, a message) and their counts.
//! - [`error`]: why a file could not be read, with a hint what to do.
//! - [`write`](mod@write): the filled official template ([`write::template`]), the roll-up's summary
//!   workbook and long CSV, every file written atomically.
//! - [`rollup`]: many agencies' reports → one checked regional summary ([`rollup::run`]).
//! - [`batch`]: many files: find the workbooks, check them in parallel, flag duplicates.
//!
//! # Example
//!
//! Read a workbook, validate it and write it back as the official template:
//!
//! ```
//! use nianbao::model::TableKey;
//! use nianbao::read::{read_report, ReadOptions};
//!
//! let path = std::path::Path::new(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../../sample_workbooks/dujiqu_jingxinju_2020.xlsx"
//! ));
//! let (report, mut findings) = read_report(path, "dujiqu.xlsx", &ReadOptions::default())?;
//! findings.extend(nianbao::validate::validate(&report));
//! assert!(findings.is_empty()); // the published seed report checks clean
//! let v = report
//!     .get(TableKey::Proactive, "normative_documents", "total_published")
//!     .expect("a field of the 2019 format");
//! assert_eq!(v.as_count(), Some(21));
//! assert_eq!(v.source.as_ref().map(|c| c.qualified()).as_deref(), Some("'Sheet1'!D7"));
//!
//! // The official template, filled with the report (live SUM formulas for the totals), with the
//! // findings highlighted and listed; the input is refused as the output.
//! let dir = tempfile::tempdir()?;
//! let out = dir.path().join("统计表.xlsx");
//! let reads = nianbao::batch::ReadSet::of(&[path.to_path_buf()]);
//! let fixed = nianbao::fix::Fixed::default(); // no `--fix`: nothing corrected
//! nianbao::write::template::write_report(&report, &findings, &fixed, &out, &reads)?;
//! assert!(out.is_file());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs, clippy::print_stdout, clippy::print_stderr)]

pub mod batch;
pub mod diag;
pub mod error;
pub mod fix;
pub mod guard;
pub mod model;
pub mod read;
pub mod rollup;
pub(crate) mod scratch;
pub mod validate;
pub mod wording;
pub mod write;

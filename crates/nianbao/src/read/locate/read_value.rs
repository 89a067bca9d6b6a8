//! One cell → one value of the report, with the reading findings it deserves (I4–I7).

use crate::diag::{Diagnostic, Rule};
use crate::model::spec::{ColSpec, RowSpec};
use crate::model::{CellRef, Status, Value, ValueKind};
use crate::read::grid::CellValue;
use crate::read::value::{parse_cell, Parsed};

/// The cell a value is read from.
pub(super) enum Cell<'a> {
    /// As the grid holds it (`None`: empty).
    Read(Option<&'a CellValue>),
    /// Holding numbers the reader could not assign without guessing, and why
    /// ([`crate::read::Sheet::unread`]): not read, I4.
    Unread(Option<&'a CellValue>, &'a str),
}

pub(super) fn read_value(
    cell: Cell<'_>,
    col: &ColSpec,
    at: CellRef,
    row: &RowSpec,
    file: &str,
    findings: &mut Vec<Diagnostic>,
) -> Value {
    let cell = match cell {
        Cell::Read(c) => c,
        Cell::Unread(held, why) => {
            findings.push(
                Diagnostic::new(
                    Rule::I4,
                    file,
                    format!("“{}”的“{}”{why}", row.label, col.label),
                )
                .at(Some(&at))
                .help(
                    "原文中各格的数字之间没有分隔，nianbao 不猜测如何拆分；\
                         请对照原报告（网页或 Word 文档）核对该行的数字，或报送工作簿。"
                        .to_string(),
                ),
            );
            return Value {
                value: rust_decimal::Decimal::ZERO,
                status: Status::Invalid,
                unit: None,
                raw: held.map(CellValue::display),
                source: Some(at),
            };
        }
    };
    let shown = display(cell);
    let mut say = |rule: Rule, what: String, help: String| {
        let message = format!("“{}”的“{}”{what}", row.label, col.label);
        findings.push(
            Diagnostic::new(rule, file, message)
                .at(Some(&at))
                .help(help),
        );
    };
    let raw = match cell {
        Some(CellValue::Text(s)) => Some(s.clone()),
        _ => None,
    };
    let mut v = Value {
        value: rust_decimal::Decimal::ZERO,
        status: Status::Filled,
        unit: None,
        raw: raw.clone(),
        source: Some(at.clone()),
    };
    match parse_cell(cell) {
        Parsed::Blank => {
            v.status = Status::Blank;
            v.raw = None;
        }
        Parsed::Number {
            value, unit, note, ..
        } => {
            v.value = value;
            // Keep the raw text only where it says more than the number does.
            if raw
                .as_deref()
                .is_some_and(|r| r.trim() == value.to_string())
            {
                v.raw = None;
            }
            match col.kind {
                ValueKind::Money { header_unit } => {
                    v.unit = unit.or(header_unit);
                    if unit.is_none() && header_unit.is_none() && !value.is_zero() {
                        say(
                            Rule::I6,
                            format!("“{shown}”没有注明单位（元或万元），单位未知"),
                            "请在数字后注明单位，例如“251000元”或“25.1万元”。".into(),
                        );
                    }
                    if let (Some(u), Some(h)) = (unit, header_unit) {
                        if u != h {
                            say(
                                Rule::I6,
                                format!(
                                    "单元格注明的单位是{}，而表头单位是{}，按单元格注明的单位保留",
                                    u.label(),
                                    h.label()
                                ),
                                format!("请按表头统一换算为{}。", h.label()),
                            );
                        }
                    }
                }
                ValueKind::Count | ValueKind::SignedCount if unit.is_some() => say(
                    Rule::I5,
                    format!("“{shown}”带有金额单位，已按数字 {value} 读取"),
                    "该栏是件数，请只填数字。".into(),
                ),
                ValueKind::Count | ValueKind::SignedCount => {}
            }
            if let Some(note) = note {
                say(
                    Rule::I5,
                    format!("“{shown}”在数字后有附注“{note}”，已按 {value} 读取"),
                    "统计表单元格中只填数字，说明文字请写入报告正文。".into(),
                );
            }
        }
        Parsed::Invalid(text) => {
            v.status = Status::Invalid;
            say(
                Rule::I4,
                format!("“{text}”不是数字"),
                "请填写阿拉伯数字；没有发生的填 0。".into(),
            );
            v.raw = Some(text);
        }
        Parsed::FormulaNotCalculated(f) => {
            v.status = Status::FormulaNotCalculated;
            v.raw = Some(format!("={f}"));
            say(
                Rule::I7,
                format!("是公式“={f}”，但文件中没有保存计算结果"),
                "请用 Excel 或 WPS 打开该文件、重新计算并保存后再报送（或把公式改为数值）。".into(),
            );
        }
    }
    v
}

fn display(cell: Option<&CellValue>) -> String {
    cell.map(CellValue::display).unwrap_or_default()
}

//! Cell value parsing: the forms numbers take in agency workbooks.
//!
//! Accepted: numbers stored as numbers or as text, full-width digits (`１２`), thousands separators
//! (`1,234`), a unit suffix (`12件`, `251000元`, `12.5万元`), a dash, slash or `无` for zero,
//! a note after the number (`22（其中修订16件）`, read as 22 and reported). Everything else is
//! not a number and is reported with its cell.

use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;
use unicode_normalization::UnicodeNormalization;

use super::grid::{format_f64, CellValue};
use crate::model::MoneyUnit;

/// What a cell holds, as a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// No cell, or only whitespace.
    Blank,
    Number {
        value: Decimal,
        /// The money unit the cell states (`元`, `万元`).
        unit: Option<MoneyUnit>,
        /// Text after the number that is neither a unit nor empty (`（其中修订16件）`).
        note: Option<String>,
        /// Whether the cell was text (the original is kept as `raw` in the model).
        from_text: bool,
    },
    /// Text or a value that is not a number.
    Invalid(String),
    /// A formula without a cached result.
    FormulaNotCalculated(String),
}

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(.*)$").expect("valid regex")
});

/// Marks used for zero (or "none") in the wild.
const ZERO_MARKS: &[&str] = &["-", "--", "—", "——", "–", "―", "/", "无", "〇", "零"];

/// Count units that may follow a number and carry no meaning for the value.
const COUNT_UNITS: &[&str] = &[
    "件", "个", "项", "条", "次", "人", "份", "家", "起", "宗", "例",
];

pub fn parse_cell(cell: Option<&CellValue>) -> Parsed {
    match cell {
        None => Parsed::Blank,
        Some(CellValue::Number(f)) => {
            if !f.is_finite() {
                return Parsed::Invalid(format_f64(*f));
            }
            // A whole number below 2^53 (every count) is exact as an integer; others go through
            // their shortest decimal text, so that 0.1 stays 0.1.
            if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                return Parsed::Number {
                    value: Decimal::from(*f as i64),
                    unit: None,
                    note: None,
                    from_text: false,
                };
            }
            match Decimal::from_str(&format_f64(*f))
                .or_else(|_| Decimal::from_scientific(&format_f64(*f)))
            {
                Ok(value) => Parsed::Number {
                    value,
                    unit: None,
                    note: None,
                    from_text: false,
                },
                Err(_) => Parsed::Invalid(format_f64(*f)),
            }
        }
        Some(CellValue::Int(i)) => Parsed::Number {
            value: Decimal::from(*i),
            unit: None,
            note: None,
            from_text: false,
        },
        Some(CellValue::Text(s)) => parse_text(s),
        Some(CellValue::Bool(b)) => Parsed::Invalid(if *b { "TRUE" } else { "FALSE" }.into()),
        Some(CellValue::Error(e)) => Parsed::Invalid(e.clone()),
        Some(CellValue::FormulaNotCalculated(f)) => Parsed::FormulaNotCalculated(f.clone()),
    }
}

/// Parse a number typed as text.
pub fn parse_text(s: &str) -> Parsed {
    let t: String = s.nfkc().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return Parsed::Blank;
    }
    if ZERO_MARKS.contains(&t.as_str()) {
        return Parsed::Number {
            value: Decimal::ZERO,
            unit: None,
            note: None,
            from_text: true,
        };
    }
    let Some(m) = NUMBER.captures(&t) else {
        return Parsed::Invalid(s.to_string());
    };
    let digits = m[2].replace(',', "");
    let frac = m.get(3).map_or("", |x| x.as_str());
    let Ok(mut value) = Decimal::from_str(&format!("{digits}{frac}")) else {
        return Parsed::Invalid(s.to_string());
    };
    if &m[1] == "-" {
        value = -value;
    }
    let mut rest = &m[4];
    let mut unit = None;
    if let Some(r) = rest.strip_prefix("万元") {
        unit = Some(MoneyUnit::WanYuan);
        rest = r;
    } else if let Some(r) = rest.strip_prefix('元') {
        unit = Some(MoneyUnit::Yuan);
        rest = r;
    } else if let Some(u) = COUNT_UNITS.iter().find(|u| rest.starts_with(**u)) {
        rest = &rest[u.len()..];
    }
    // A unit-less text that continues with letters or digits is not a number with a note
    // (`12abc`, `3-5`): only a bracketed or punctuated note is.
    let note = if rest.is_empty() {
        None
    } else if rest.starts_with(['(', '[', '【', ',', ';', ':', '。', '、']) || unit.is_some() {
        Some(rest.to_string())
    } else {
        return Parsed::Invalid(s.to_string());
    };
    Parsed::Number {
        value,
        unit,
        note,
        from_text: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn num(p: Parsed) -> (Decimal, Option<MoneyUnit>, Option<String>) {
        match p {
            Parsed::Number {
                value, unit, note, ..
            } => (value, unit, note),
            other => panic!("not a number: {other:?}"),
        }
    }

    #[test]
    fn plain_and_text_numbers() {
        assert_eq!(num(parse_cell(Some(&CellValue::Number(12.0)))).0, dec("12"));
        assert_eq!(num(parse_cell(Some(&CellValue::Int(7)))).0, dec("7"));
        assert_eq!(num(parse_text("12")).0, dec("12"));
        assert_eq!(num(parse_text(" １２ ")).0, dec("12"));
        assert_eq!(num(parse_text("1,234")).0, dec("1234"));
        assert_eq!(num(parse_text("１，２３４")).0, dec("1234"));
        assert_eq!(num(parse_text("-3")).0, dec("-3"));
        assert_eq!(num(parse_text("4068.208")).0, dec("4068.208"));
    }

    #[test]
    fn floats_keep_their_shortest_decimal_form() {
        let (v, ..) = num(parse_cell(Some(&CellValue::Number(75394432.52))));
        assert_eq!(v, dec("75394432.52"));
        let (v, ..) = num(parse_cell(Some(&CellValue::Number(0.1 + 0.2))));
        assert_eq!(v.to_string(), "0.30000000000000004");
    }

    #[test]
    fn units_and_notes() {
        assert_eq!(num(parse_text("12件")), (dec("12"), None, None));
        assert_eq!(
            num(parse_text("251000元")),
            (dec("251000"), Some(MoneyUnit::Yuan), None)
        );
        assert_eq!(
            num(parse_text("12.5万元")),
            (dec("12.5"), Some(MoneyUnit::WanYuan), None)
        );
        assert_eq!(
            num(parse_text("22（其中修订16件）")),
            (dec("22"), None, Some("(其中修订16件)".into()))
        );
    }

    #[test]
    fn zero_marks() {
        for z in ["—", "-", "/", "无", "——", "－"] {
            assert_eq!(num(parse_text(z)).0, Decimal::ZERO, "{z}");
        }
    }

    #[test]
    fn blanks_and_invalid() {
        assert_eq!(parse_cell(None), Parsed::Blank);
        assert_eq!(parse_text("  "), Parsed::Blank);
        assert!(matches!(parse_text("约12"), Parsed::Invalid(_)));
        assert!(matches!(parse_text("12abc"), Parsed::Invalid(_)));
        assert!(matches!(parse_text("见附件"), Parsed::Invalid(_)));
        assert!(matches!(
            parse_cell(Some(&CellValue::Error("#DIV/0!".into()))),
            Parsed::Invalid(_)
        ));
        assert!(matches!(
            parse_cell(Some(&CellValue::FormulaNotCalculated("SUM(A1:A2)".into()))),
            Parsed::FormulaNotCalculated(_)
        ));
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    /// Full-width digits as agencies type them with a Chinese IME.
    fn full_width(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap(),
                ',' => '，',
                '.' => '．',
                c => c,
            })
            .collect()
    }

    fn thousands(n: u64) -> String {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    proptest! {
        #[test]
        fn any_written_form_of_a_count_reads_back(n in 0u64..10_000_000_000, form in 0usize..7) {
            let text = match form {
                0 => n.to_string(),
                1 => full_width(&n.to_string()),
                2 => thousands(n),
                3 => full_width(&thousands(n)),
                4 => format!("{n}件"),
                5 => format!(" {n} "),
                _ => format!("{n}（其中新增{n}件）"),
            };
            match parse_text(&text) {
                Parsed::Number { value, .. } => prop_assert_eq!(value, Decimal::from(n)),
                other => prop_assert!(false, "{text:?} → {other:?}"),
            }
        }

        #[test]
        fn decimals_read_exactly(int in 0u64..100_000_000, frac in 0u32..10_000, unit in 0usize..3) {
            let s = format!("{int}.{frac:04}");
            let text = format!("{s}{}", ["", "元", "万元"][unit]);
            let expect = Decimal::from_str_exact(&s).unwrap();
            match parse_text(&text) {
                Parsed::Number { value, unit: u, note, .. } => {
                    prop_assert_eq!(value, expect);
                    prop_assert_eq!(u, [None, Some(MoneyUnit::Yuan), Some(MoneyUnit::WanYuan)][unit]);
                    prop_assert_eq!(note, None);
                }
                other => prop_assert!(false, "{text:?} → {other:?}"),
            }
        }

        #[test]
        fn floats_from_xlsx_keep_their_decimal(cents in 0i64..100_000_000_000) {
            let d = Decimal::new(cents, 2);
            let f: f64 = d.to_string().parse().unwrap();
            match parse_cell(Some(&CellValue::Number(f))) {
                Parsed::Number { value, .. } => prop_assert_eq!(value.normalize(), d.normalize()),
                other => prop_assert!(false, "{f} → {other:?}"),
            }
        }

        #[test]
        fn never_panics_on_any_text(s in "\\PC{0,20}") {
            let _ = parse_text(&s);
        }
    }
}

//! Writers. Every file nianbao writes is written atomically ([`atomic`]): to a temporary file
//! beside the destination, renamed into place only when complete; a roll-up's outputs grow in a
//! scratch file without a name until then ([`target`]). No output may be a path the command
//! reads ([`crate::batch::ReadSet`]).

pub mod atomic;
pub mod csv;
pub mod summary;
pub mod target;
pub mod template;

use std::borrow::Cow;

/// How many lines the tallest of a row's wrapped cells takes, each cell in its column's width
/// (Excel's width units). Every list sheet sets its rows' heights from it: the workbooks' default
/// row height is fixed (`customHeight`), so viewers do not grow a row to its wrapped text by
/// themselves. A CJK character counts two units, a little more than it takes, and text that
/// wraps gets a line to spare (a line broken between words leaves room unused).
pub(crate) fn wrapped_lines(cells: &[&str], widths: &[f64]) -> f64 {
    cells
        .iter()
        .zip(widths)
        .map(|(text, w)| {
            let room = (w - 1.0).max(1.0);
            text.split('\n')
                .map(|l| {
                    let n = (unicode_width::UnicodeWidthStr::width(l) as f64 / room).ceil();
                    if n > 1.0 {
                        n + 1.0
                    } else {
                        1.0
                    }
                })
                .sum::<f64>()
        })
        .fold(1.0, f64::max)
}

/// Excel's limit on the text of one cell, in UTF-16 code units (rust_xlsxwriter refuses more).
const CELL_LIMIT: usize = 32_767;
/// Where a too-long text is cut, leaving room for the note (and for a cell note's own limit).
const CELL_CUT: usize = 32_000;

/// Text as it may be written into an xlsx cell, note or document property: within Excel's
/// limit of 32,767 characters, a longer text (a 100,000-character agency name, a 40,000-character
/// cell) is cut at 32,000 with a visible note `…（已截断，原文共 N 字）`. Every xlsx writer puts
/// text that comes from an input through it; the CSV and JSON keep the whole text.
pub(crate) fn cell_text(s: &str) -> Cow<'_, str> {
    if s.len() <= CELL_CUT {
        // UTF-16 units ≤ UTF-8 bytes
        return Cow::Borrowed(s);
    }
    let mut units = 0;
    let mut end = s.len();
    for (i, c) in s.char_indices() {
        if units + c.len_utf16() > CELL_CUT {
            end = i;
            break;
        }
        units += c.len_utf16();
    }
    if end == s.len() {
        return Cow::Borrowed(s);
    }
    let cut = format!("{}…（已截断，原文共 {} 字）", &s[..end], s.chars().count());
    debug_assert!(cut.encode_utf16().count() <= CELL_LIMIT);
    Cow::Owned(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cell_text_is_cut_with_a_note() {
        assert_eq!(cell_text("甲局"), "甲局");
        let exact = "a".repeat(CELL_CUT);
        assert_eq!(cell_text(&exact), exact.as_str());
        let long = "局".repeat(100_000);
        let cut = cell_text(&long);
        assert!(
            cut.ends_with("…（已截断，原文共 100000 字）"),
            "{}",
            &cut[cut.len() - 60..]
        );
        assert!(cut.encode_utf16().count() <= CELL_LIMIT);
        // astral characters count twice, as in Excel
        let astral = "𠀀".repeat(20_000);
        assert!(cell_text(&astral).encode_utf16().count() <= CELL_LIMIT);
    }
}

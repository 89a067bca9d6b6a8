//! The agency and the report year, wherever a workbook states them.
//!
//! Every place that may state them gives [`Candidate`]s, each with its [`MetaSource`]; the
//! best source wins ([`MetaSource`]'s order), and among candidates of one source the first found
//! (sheets in order, cells in reading order). The sources, best first:
//! 1. a labelled cell on a visible sheet: `填报单位（盖章）：` `单位名称：` `报送单位：` `填报单位：`
//!    for the agency, `统计年度：` `年度：` `报告年度：` `统计期限自…起至…止` for the year, the
//!    value in the same cell after the colon or in the next non-empty cell to its right;
//! 2. the full title `{单位}{年度}年政府信息公开工作年度报告…`;
//! 3. a short line near the top of a visible sheet naming the agency and/or the year in other
//!    words (`某某局2025年报`, `2025年度 教育局`, `教育局（2025年）`);
//! 4. the name of a sheet that holds the tables, when it is a year (`2025`, `2025年`, `2025年度`);
//! 5. the file name (`教育局2025年报.xlsx`, `03_教育局.xlsx`), reported by the caller;
//! 6. the year of the roll-up the file is read for, when the caller gives one.
//!
//! A published report's prose adds its candidates ([`super::prose_meta`]) between the cells' and
//! the file name's (after 4, before 5). The caller's own word ([`MetaSource::Given`]) overrides
//! all of these (in `locate`).

use std::sync::LazyLock;

use regex::Regex;

use super::index::{Indexed, Text};
use super::prose_meta::ProseMeta;
use crate::model::{CellRef, MetaSource};
use crate::read::normalize::norm;

/// Where an agency or a year may have been found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate<T> {
    pub(crate) value: T,
    pub(crate) from: MetaSource,
    /// The cell that states it (none for a sheet name, the file name, the roll-up's year).
    pub(crate) cell: Option<CellRef>,
}

/// The agency and the year found, each from its best source.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) agency: Option<Candidate<String>>,
    pub(crate) year: Option<Candidate<u16>>,
}

/// The best candidate: the best source, and the first found among equals.
pub(super) fn best<T>(cands: Vec<Candidate<T>>) -> Option<Candidate<T>> {
    cands
        .into_iter()
        .reduce(|a, b| if b.from < a.from { b } else { a })
}

/// `…{单位}{2025}年度?政府信息公开…`: the full title.
static TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(.*?)\s*([0-9０-９]{4})\s*年度?\s*政府信息公开").expect("valid regex")
});
/// A four-digit number in a label's value (normalised: half-width digits).
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d{4})").expect("valid regex"));
/// An agency label on a normalised cell: `填报单位（盖章）：`, `单位名称`, `报送单位：…` (not a
/// bare `单位`, which is as often a unit).
static AGENCY_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:填报|报送)(?:单位|机关)(?:名称)?|单位名称)(?:\((?:盖章|公章|签章)\))?(?::.*)?$",
    )
    .expect("valid regex")
});
/// A year label on a normalised cell: `统计年度：`, `年度`, `报告年度：2025`.
static YEAR_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:统计|报告|填报)?(?:年度|年份)(?::.*)?$").expect("valid regex")
});
/// A period label: `统计期限自2025年1月1日起至2025年12月31日止`, `统计期间：…`.
static PERIOD_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^统计(?:期限|期间|时段|时限)").expect("valid regex"));
/// A year in words other than a label's: `2025年`, `2025年度`, not inside a longer number.
static YEAR_IN_WORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^0-9])(20[0-9]{2})\s*年度?").expect("valid regex"));
/// A sheet name that is a year.
static YEAR_SHEET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(20[0-9]{2})(?:年度?)?$").expect("valid regex"));
/// Runs of digits: a year token is a run of exactly four starting with `20`.
static DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[0-9]+").expect("valid regex"));

/// The first year token of a normalised text (`2025`, `2025年`, `2025年度`, not inside a longer
/// number), and the text without any of them.
fn year_tokens(text: &str) -> (Option<u16>, String) {
    let (mut year, mut rest, mut at) = (None, String::new(), 0);
    for m in DIGITS.find_iter(text) {
        if m.len() != 4 || !m.as_str().starts_with("20") {
            continue;
        }
        year = year.or_else(|| m.as_str().parse().ok());
        rest.push_str(&text[at..m.start()]);
        let after = &text[m.end()..];
        at = m.end()
            + ["年度", "年"]
                .iter()
                .find(|w| after.starts_with(**w))
                .map_or(0, |w| w.len());
    }
    rest.push_str(&text[at..]);
    (year, rest)
}

/// Leading ordinals and separators of a file name (`03_`, `1.`, `(2)`, `一、`).
/// A format version in a file name (`2019版统计表模板.xlsx`): not a year.
static VERSION_IN_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"20(?:19|21)\s*版").expect("valid regex"));
static LEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[\s_\-.、,()\[\]【】（）]|[0-9]+|[一二三四五六七八九十]+、)+")
        .expect("valid regex")
});
/// Separators and empty brackets left at the ends once the other words are gone.
static EDGES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\s_\-.、,，()（）\[\]【】]+|[\s_\-.、,，()（）\[\]【】]+$|\(\)|（）|\[\]|【】")
        .expect("valid regex")
});

/// A numbered section heading or row label: `三、…`, `(一)…`, `1.…`.
static SECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十0-9]+\)|[0-9]+[.、])")
        .expect("valid regex")
});

/// Words of a report's title that are not the agency, longest first.
const TITLE_WORDS: [&str; 14] = [
    "政府信息公开工作年度报告统计表",
    "政府信息公开工作年度报告",
    "政府信息公开工作年报",
    "政府信息公开年度报告",
    "政府信息公开情况统计表",
    "政府信息公开统计表",
    "政府信息公开年报",
    "政府信息公开",
    "工作年度报告",
    "年度报告",
    "统计表",
    "模板",
    "年报",
    "年度",
];

/// How many rows with text at the top of a sheet may hold a short title line.
const TOP_ROWS: usize = 5;
/// The longest short title line, in characters.
const SHORT_LINE: usize = 40;

/// The value of a `键：值` cell, or of the next non-empty cell to its right (text or number).
fn labelled_value(ix: &Indexed, t: &Text) -> Option<(String, CellRef)> {
    if let Some(pos) = t.raw.find([':', '：']) {
        let v = t.raw[pos..].trim_start_matches([':', '：']).trim();
        if !v.is_empty() {
            return Some((v.to_string(), ix.cell(t.row, t.col)));
        }
    }
    ix.sheet
        .cells
        .range((t.row, t.col + 1)..(t.row, u32::MAX))
        .map(|(&(r, c), v)| (v.display().trim().to_string(), ix.cell(r, c)))
        .find(|(v, _)| !v.is_empty())
        // the next label (`填报单位：  统计年度：2025` with the agency left blank) is no value
        .filter(|(v, _)| {
            let n = norm(v);
            !(n.ends_with(':') || AGENCY_LABEL.is_match(&n) || YEAR_LABEL.is_match(&n))
        })
}

fn year_of(value: &str) -> Option<u16> {
    let n = norm(value);
    YEAR.captures(&n).and_then(|m| m[1].parse().ok())
}

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// What is left of a title line or a file name once the year and the title words are gone:
/// the agency, when it has at least two Chinese characters and reads like a name.
fn agency_in(text: &str) -> Option<String> {
    let mut s = text.to_string();
    for w in TITLE_WORDS {
        s = s.replace(w, "");
    }
    let s = year_tokens(&s).1;
    let s = LEADING.replace(&s, "");
    let mut s = s.into_owned();
    loop {
        let t = EDGES.replace_all(&s, "").into_owned();
        if t == s {
            break;
        }
        s = t;
    }
    let han = s.chars().filter(|c| is_han(*c)).count();
    let not_a_name = s.contains([':', '：'])
        || s.chars().any(|c| c.is_ascii_digit())
        || ["注", "说明", "填表", "制表", "单位", "日期", "附表", "表"]
            .iter()
            .any(|w| s.starts_with(w));
    (han >= 2 && !not_a_name).then_some(s)
}

/// A short title line: the agency and/or the year, when the line has a year (`2025年`) or a
/// title word (`年报`, `政府信息公开`).
fn short_title(t: &Text) -> (Option<String>, Option<u16>) {
    if t.norm.chars().count() > SHORT_LINE {
        return (None, None);
    }
    let year = YEAR_IN_WORDS
        .captures(&t.norm)
        .and_then(|m| m[1].parse().ok());
    let titled = ["年报", "年度报告", "工作报告", "统计表"]
        .iter()
        .any(|w| t.norm.contains(w));
    // a section heading (`三、收到和处理政府信息公开申请情况`) or a note is not a title
    let note = ["注", "说明", "备注", "填表"]
        .iter()
        .any(|w| t.norm.starts_with(w));
    if (year.is_none() && !titled) || note || SECTION.is_match(&t.norm) {
        return (None, None);
    }
    (agency_in(&t.norm), year)
}

/// The agency and the year a file name states (`教育局2025年报.xlsx` → 教育局, 2025;
/// `03_教育局.xlsx` → 教育局): leading ordinals and separators, year tokens and title words
/// are stripped, and what is left is an agency when it has two Chinese characters or more.
fn from_file_name(source: &str) -> (Option<String>, Option<u16>) {
    let Some(stem) = std::path::Path::new(source)
        .file_stem()
        .and_then(|s| s.to_str())
    else {
        return (None, None);
    };
    let n = norm(stem);
    let n = VERSION_IN_NAME.replace_all(&n, "");
    (agency_in(&n), year_tokens(&n).0)
}

/// Find the agency and the year (see the module's doc for the sources and their order).
/// `table_sheets` are the sheets the tables were taken from (their names may state the year),
/// `source` the file as given, `batch_year` the year of the roll-up the file is read for,
/// `prose` what a published report's prose states.
pub(super) fn find_meta(
    ixs: &[Indexed],
    table_sheets: &[usize],
    source: &str,
    batch_year: Option<u16>,
    prose: &ProseMeta,
) -> Found {
    let mut agencies: Vec<Candidate<String>> = Vec::new();
    let mut years: Vec<Candidate<u16>> = Vec::new();
    for (i, ix) in ixs.iter().enumerate().filter(|(_, ix)| ix.sheet.visible) {
        // rows with text seen so far, and the last of them
        let (mut rows_seen, mut last_row) = (0usize, None);
        for t in &ix.texts {
            if last_row != Some(t.row) {
                rows_seen += 1;
                last_row = Some(t.row);
            }
            if AGENCY_LABEL.is_match(&t.norm) {
                // an agency is named in Chinese (not `agency`, a key next to the label)
                let named = |(v, _): &(String, CellRef)| v.chars().any(is_han);
                if let Some((v, cell)) = labelled_value(ix, t).filter(named) {
                    agencies.push(Candidate {
                        value: v,
                        from: MetaSource::Label,
                        cell: Some(cell),
                    });
                }
                continue;
            }
            if YEAR_LABEL.is_match(&t.norm) || PERIOD_LABEL.is_match(&t.norm) {
                let value = if PERIOD_LABEL.is_match(&t.norm) {
                    Some((t.raw.to_string(), ix.cell(t.row, t.col)))
                } else {
                    labelled_value(ix, t)
                };
                if let Some((y, cell)) = value.and_then(|(v, c)| Some((year_of(&v)?, c))) {
                    years.push(Candidate {
                        value: y,
                        from: MetaSource::Label,
                        cell: Some(cell),
                    });
                }
                continue;
            }
            if t.norm.contains("政府信息公开") {
                if let Some(m) = TITLE.captures(t.raw) {
                    if let Ok(y) = norm(&m[2]).parse::<u16>() {
                        let (from, cell) = (MetaSource::Title, ix.cell(t.row, t.col));
                        years.push(Candidate {
                            value: y,
                            from,
                            cell: Some(cell.clone()),
                        });
                        let a = m[1].trim();
                        if !a.is_empty() {
                            agencies.push(Candidate {
                                value: a.to_string(),
                                from,
                                cell: Some(cell),
                            });
                        }
                        continue;
                    }
                }
            }
            // a title line stands alone in its row (not a header among others)
            if rows_seen <= TOP_ROWS
                && ix
                    .sheet
                    .cells
                    .range((t.row, 0)..=(t.row, u32::MAX))
                    .take(2)
                    .count()
                    == 1
            {
                let (agency, year) = short_title(t);
                let cell = ix.cell(t.row, t.col);
                if let Some(a) = agency {
                    agencies.push(Candidate {
                        value: a,
                        from: MetaSource::ShortTitle,
                        cell: Some(cell.clone()),
                    });
                }
                if let Some(y) = year {
                    years.push(Candidate {
                        value: y,
                        from: MetaSource::ShortTitle,
                        cell: Some(cell),
                    });
                }
            }
        }
        if table_sheets.contains(&i) {
            if let Some(m) = YEAR_SHEET.captures(&norm(&ix.sheet.name)) {
                if let Ok(y) = m[1].parse() {
                    years.push(Candidate {
                        value: y,
                        from: MetaSource::SheetName,
                        cell: None,
                    });
                }
            }
        }
    }
    let (prose_agencies, prose_years) = prose.candidates();
    agencies.extend(prose_agencies);
    years.extend(prose_years);
    let (name_agency, name_year) = from_file_name(source);
    agencies.extend(name_agency.map(|value| Candidate {
        value,
        from: MetaSource::FileName,
        cell: None,
    }));
    years.extend(name_year.map(|value| Candidate {
        value,
        from: MetaSource::FileName,
        cell: None,
    }));
    years.extend(batch_year.map(|value| Candidate {
        value,
        from: MetaSource::Batch,
        cell: None,
    }));
    Found {
        agency: best(agencies),
        year: best(years),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::grid::{CellValue, Sheet};

    /// A sheet from `(row, col, text)`; a text that parses as a whole number is a number cell.
    fn sheet(name: &str, cells: &[(u32, u32, &str)]) -> Sheet {
        let mut s = Sheet::new(name);
        for &(r, c, v) in cells {
            let value = match v.parse::<i64>() {
                Ok(i) => CellValue::Int(i),
                Err(_) => CellValue::Text(v.to_string()),
            };
            s.set(r, c, value);
        }
        s
    }

    /// (agency, its source, its cell), (year, its source, its cell) of sheets read as `file`,
    /// the first sheet holding the tables.
    #[allow(clippy::type_complexity)]
    fn meta(
        sheets: &[Sheet],
        file: &str,
    ) -> (
        Option<(String, MetaSource, Option<String>)>,
        Option<(u16, MetaSource, Option<String>)>,
    ) {
        let ixs: Vec<Indexed> = sheets.iter().map(Indexed::new).collect();
        let f = find_meta(&ixs, &[0], file, None, &ProseMeta::default());
        (
            f.agency.map(|c| (c.value, c.from, c.cell.map(|c| c.a1()))),
            f.year.map(|c| (c.value, c.from, c.cell.map(|c| c.a1()))),
        )
    }

    fn agency(sheets: &[Sheet], file: &str) -> Option<(String, MetaSource)> {
        meta(sheets, file).0.map(|(a, s, _)| (a, s))
    }

    fn year(sheets: &[Sheet], file: &str) -> Option<(u16, MetaSource)> {
        meta(sheets, file).1.map(|(y, s, _)| (y, s))
    }

    const TABLE: (u32, u32, &str) = (9, 0, "自然人");

    #[test]
    fn labelled_cells_in_the_same_cell_or_the_next() {
        use MetaSource::Label;
        for (cells, want_agency, want_year) in [
            (
                vec![
                    (1, 0, "填报单位（盖章）：教育局"),
                    (1, 4, "统计年度：2025年"),
                ],
                ("教育局", "A2"),
                (2025, "E2"),
            ),
            (
                vec![
                    (1, 0, "填报单位（盖章）："),
                    (1, 2, "教育局"),
                    (1, 4, "年度："),
                ],
                ("教育局", "C2"),
                (0, ""),
            ),
            (
                vec![
                    (1, 0, "单位名称："),
                    (1, 1, "卫生健康委员会"),
                    (1, 4, "年度"),
                    (1, 6, "2025"),
                ],
                ("卫生健康委员会", "B2"),
                (2025, "G2"),
            ),
            (
                vec![
                    (1, 0, "报送单位： 财政局"),
                    (2, 0, "统计期限自2025年1月1日起至2025年12月31日止"),
                ],
                ("财政局", "A2"),
                (2025, "A3"),
            ),
            (
                vec![(1, 0, "填报单位："), (1, 3, "统计年度："), (1, 5, "2024")],
                ("", ""),
                (2024, "F2"),
            ),
            (
                vec![
                    (1, 0, "填报单位:"),
                    (1, 1, "  "),
                    (1, 3, "司法局"),
                    (1, 5, "统计年度： 2024"),
                ],
                ("司法局", "D2"),
                (2024, "F2"),
            ),
        ] {
            let mut cells = cells;
            cells.push(TABLE);
            let s = sheet("Sheet1", &cells);
            let (a, y) = meta(&[s], "表.xlsx");
            let want = Some((want_agency.0.into(), Label, Some(want_agency.1.into())));
            assert_eq!(a, want.filter(|_| !want_agency.0.is_empty()), "{cells:?}");
            if want_year.0 == 0 {
                assert_eq!(y, None, "{cells:?}");
            } else {
                assert_eq!(
                    y,
                    Some((want_year.0, Label, Some(want_year.1.into()))),
                    "{cells:?}"
                );
            }
        }
    }

    /// A cell that only starts like a label is not one: `单位名称说明`, `年度报告`.
    #[test]
    fn words_that_only_start_like_a_label_are_not_labels() {
        let s = sheet(
            "Sheet1",
            &[
                (1, 0, "单位名称说明"),
                (1, 1, "甲"),
                (2, 0, "年度报告"),
                (2, 1, "2025"),
                (3, 0, "单位"),
                (3, 1, "万元"),
                (4, 0, "填报单位"),
                (4, 1, "agency"),
                TABLE,
            ],
        );
        assert_eq!(meta(&[s], "表.xlsx"), (None, None));
    }

    #[test]
    fn the_full_title() {
        let s = sheet(
            "Sheet1",
            &[(0, 0, "某某县教育局2025年政府信息公开工作年度报告"), TABLE],
        );
        let (a, y) = meta(&[s], "表.xlsx");
        assert_eq!(
            a,
            Some(("某某县教育局".into(), MetaSource::Title, Some("A1".into())))
        );
        assert_eq!(y, Some((2025, MetaSource::Title, Some("A1".into()))));
    }

    /// Issue 10: a county's workbooks whose only title is a short line naming the agency and
    /// the year in other words.
    #[test]
    fn a_short_title_line() {
        use MetaSource::ShortTitle;
        for (line, want_agency, want_year) in [
            ("2025年度 教育局", Some("教育局"), Some(2025)),
            ("教育局（2025年）", Some("教育局"), Some(2025)),
            ("某某局2025年报", Some("某某局"), Some(2025)),
            ("2025年 交通运输局 统计表", Some("交通运输局"), Some(2025)),
            ("自然资源局政府信息公开年报", Some("自然资源局"), None),
            ("2025年度", None, Some(2025)),
        ] {
            let s = sheet("Sheet1", &[(1, 1, line), TABLE]);
            let (a, y) = meta(&[s], "表.xlsx");
            assert_eq!(
                a,
                want_agency.map(|a| (a.to_string(), ShortTitle, Some("B2".to_string()))),
                "{line}"
            );
            assert_eq!(
                y,
                want_year.map(|y| (y, ShortTitle, Some("B2".to_string()))),
                "{line}"
            );
        }
    }

    /// Below the first rows, a section heading, a long sentence or a note is not a title line.
    #[test]
    fn not_a_short_title_line() {
        for cells in [
            vec![(0, 0, "三、收到和处理政府信息公开申请情况"), TABLE],
            vec![(
                0,
                0,
                "注：本表2025年数据为初步统计，以正式报告为准，如有出入以正式公开的年度报告为准。",
            )],
            vec![(0, 0, "注：2025年")],
            vec![(0, 0, "文件"), (0, 1, "统计表单元格"), (0, 2, "2025年")],
            vec![
                (0, 0, "表一"),
                (1, 0, "a"),
                (2, 0, "b"),
                (3, 0, "c"),
                (4, 0, "d"),
                (5, 0, "教育局2025年报"),
            ],
        ] {
            let s = sheet("Sheet1", &cells);
            assert_eq!(meta(&[s], "表.xlsx"), (None, None), "{cells:?}");
        }
    }

    #[test]
    fn a_sheet_named_as_a_year_that_holds_the_tables() {
        for name in ["2025", "2025年", "2025年度", "２０２５年"] {
            let s = sheet(name, &[TABLE]);
            assert_eq!(
                year(&[s], "表.xlsx"),
                Some((2025, MetaSource::SheetName)),
                "{name}"
            );
        }
        // a year-named sheet without the tables says nothing
        let s = sheet("Sheet1", &[TABLE]);
        let other = sheet("2024", &[]);
        assert_eq!(year(&[s, other], "表.xlsx"), None);
    }

    #[test]
    fn the_file_name_as_the_last_resort() {
        let s = sheet("Sheet1", &[TABLE]);
        for (file, want_agency, want_year) in [
            ("教育局2025年报.xlsx", Some("教育局"), Some(2025)),
            ("某区/03_教育局.xlsx", Some("教育局"), None),
            ("12-财政局-2024年度报告.xls", Some("财政局"), Some(2024)),
            (
                "2025年政府信息公开年报（卫健委）.xlsx",
                Some("卫健委"),
                Some(2025),
            ),
            ("一、民政局政府信息公开统计表.ods", Some("民政局"), None),
            ("fails_r3.xlsx", None, None),
            // the blank template as the page names it: a version, not a year, and no agency
            ("2019版统计表模板.xlsx", None, None),
            ("2021版统计表模板.xlsx", None, None),
            ("2025.xlsx", None, Some(2025)),
            ("20250.xlsx", None, None),
        ] {
            assert_eq!(
                agency(std::slice::from_ref(&s), file),
                want_agency.map(|a| (a.to_string(), MetaSource::FileName)),
                "{file}"
            );
            assert_eq!(
                year(std::slice::from_ref(&s), file),
                want_year.map(|y| (y, MetaSource::FileName)),
                "{file}"
            );
        }
    }

    /// Each source wins over those after it: label > title > short title > sheet name > file
    /// name > the roll-up's year; a hidden sheet says nothing.
    #[test]
    fn the_order_in_which_sources_win() {
        let all = sheet(
            "2021年",
            &[
                (0, 0, "标题局2022年政府信息公开工作年度报告"),
                (1, 0, "2023年度 短标题局"),
                (2, 0, "填报单位：标签局"),
                (2, 3, "统计年度：2024"),
                TABLE,
            ],
        );
        let file = "文件局2020年报.xlsx";
        fn ixs_of(s: &Sheet) -> Vec<Indexed<'_>> {
            vec![Indexed::new(s)]
        }
        let found = |s: &Sheet, batch| {
            let f = find_meta(&ixs_of(s), &[0], file, batch, &ProseMeta::default());
            (f.agency.map(|c| c.value), f.year.map(|c| c.value))
        };
        assert_eq!(found(&all, Some(2019)), (Some("标签局".into()), Some(2024)));
        let mut s = all.clone();
        s.cells.remove(&(2, 0));
        s.cells.remove(&(2, 3));
        assert_eq!(found(&s, Some(2019)), (Some("标题局".into()), Some(2022)));
        s.cells.remove(&(0, 0));
        assert_eq!(found(&s, Some(2019)), (Some("短标题局".into()), Some(2023)));
        s.cells.remove(&(1, 0));
        assert_eq!(found(&s, Some(2019)), (Some("文件局".into()), Some(2021)));
        s.name = "Sheet1".into();
        assert_eq!(found(&s, Some(2019)), (Some("文件局".into()), Some(2020)));
        let f = find_meta(
            &ixs_of(&s),
            &[0],
            "表.xlsx",
            Some(2019),
            &ProseMeta::default(),
        );
        assert_eq!(f.agency, None);
        assert_eq!(
            f.year,
            Some(Candidate {
                value: 2019,
                from: MetaSource::Batch,
                cell: None
            })
        );
        let mut hidden = all.clone();
        hidden.visible = false;
        assert_eq!(
            find_meta(
                &ixs_of(&hidden),
                &[],
                "表.xlsx",
                None,
                &ProseMeta::default()
            )
            .year,
            None
        );
    }
}

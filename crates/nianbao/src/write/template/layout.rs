//! The official layout of the statistics tables as data: blocks (a cell or a merged range, its
//! content and its style), column widths, row heights, and where each field of the report goes.
//! Built from the format spec ([`crate::model::spec`]): no label is typed here.
//!
//! The sheet is a uniform grid of 15 equal columns (A–O), the width of table 四, so that every
//! table starts in column A and the printed page is one rectangle:
//!
//! ```text
//!   A   B   C   D   E   F   G   H   I   J   K   L   M   N   O
//! ┌──────────────────────────────────────────────────────────┐
//! │ {单位}{年度}年政府信息公开工作年度报告统计表 (title)       │
//! │ 填报单位： [agency.............]   统计年度： [year......] │
//! │ 二、主动公开政府信息情况                                    │
//! │ 第二十条第（一）项 (A:O)                                    │
//! │ 信息内容 (A:C) │ col 1 (D:G) │ col 2 (H:K) │ col 3 (L:O)    │  fewer columns: the last
//! │ 规章           │      …      │      …      │      …         │  one spans the rest
//! │ 三、收到和处理政府信息公开申请情况                          │
//! │ note (A:H, 3 rows)          │ 申请人情况 (I:O)              │
//! │                             │自然人│法人或其他组织 (J:N)│总计│
//! │                             │      │商业│科研│公益│法律│其他│    │
//! │ 一、本年新收… (A:H)         │  I   J   K   L   M   N   O    │
//! │ 三、本年度│（一）予以公开 (B:H)                               │
//! │ 办理结果  │（三）不予 │ 1.属于国家秘密 (C:H)                  │
//! │  (A)      │ 公开 (B)  │ …                                     │
//! │ 四、政府信息公开行政复议、行政诉讼情况                      │
//! │ 行政复议 (A:E)       │ 行政诉讼 (F:O)                         │
//! │ 结果维持 … 总计      │ 未经复议直接起诉 (F:J) │ 复议后起诉 (K:O) │
//! │ (each 2 rows)        │ 结果维持 … 总计        │ 结果维持 … 总计  │
//! │ 15 numbers                                                  │
//! └──────────────────────────────────────────────────────────┘
//! ```

use std::collections::BTreeMap;

use unicode_width::UnicodeWidthStr;

use crate::model::spec::{self, FormatVersion, RowSpec, TableKey};

/// Number of grid columns (A–O).
pub const NCOLS: u16 = 15;
/// Table 二: label columns A:C, then three value slots of four columns each.
const P_LABEL_COLS: u16 = 3;
const P_SLOT: u16 = 4;
/// Table 三: label columns A:H (group, sub-group, item over C:H), values I:O.
const R_LABEL_COLS: u16 = 8;

/// Narrowest grid column, in Excel width units (≈ 3 CJK characters per line in 宋体 11).
pub const MIN_COL_WIDTH: f64 = 7.0;
/// Height of one line of 11-point text, in points, and the padding of a wrapped cell.
const LINE_PT: f64 = 14.5;
const PAD_PT: f64 = 4.0;
/// The default row height of the workbook (18 px = 13.5 pt, 宋体 11; see `new_workbook`).
pub const DEFAULT_ROW_PT: f64 = 13.5;

/// What a block shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Text(String),
    /// A number of the report: index into [`crate::model::VersionSpec::fields`].
    Field(usize),
    /// The title: a formula of the agency and year cells.
    Title,
    /// The agency name (input).
    Agency,
    /// The report year (input).
    Year,
}

/// How a block looks; the writer maps each to a format cloned from one CJK base format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    Title,
    MetaLabel,
    MetaValue,
    /// A table heading (`二、主动公开政府信息情况`), no border.
    Heading,
    /// A sub-table title of table 二 (`第二十条第（一）项`).
    Section,
    /// A column header.
    Header,
    /// The 勾稽关系 note of table 三.
    Note,
    /// A row label.
    Label,
    /// A group label spanning several rows (`（三）不予公开`).
    Group,
    /// A number.
    Value,
    /// The filling instructions below the tables.
    Footer,
}

impl Style {
    /// Font size relative to 11 pt, for the row height estimate.
    fn scale(self) -> f64 {
        match self {
            Style::Title => 16.0 / 11.0,
            Style::Heading => 12.0 / 11.0,
            _ => 1.0,
        }
    }
}

/// One cell or merged range.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub first_row: u32,
    pub first_col: u16,
    pub last_row: u32,
    pub last_col: u16,
    pub content: Content,
    pub style: Style,
}

impl Block {
    pub fn is_merged(&self) -> bool {
        self.first_row != self.last_row || self.first_col != self.last_col
    }
}

/// The whole sheet.
#[derive(Debug, Clone)]
pub struct Layout {
    pub blocks: Vec<Block>,
    /// Width of every grid column.
    pub col_width: f64,
    /// Rows whose height is not the default.
    pub row_heights: BTreeMap<u32, f64>,
    /// Top-left cell of each field, by field index.
    pub positions: Vec<(u32, u16)>,
    /// Number of columns each field's block spans (1 except in table 二).
    pub spans: Vec<u16>,
    pub agency_cell: (u32, u16),
    pub year_cell: (u32, u16),
    /// Rows before which a page break goes.
    pub page_breaks: Vec<u32>,
    /// Rows repeated at the top of every printed page (title and 填报单位).
    pub repeat_rows: (u32, u32),
}

struct Builder {
    blocks: Vec<Block>,
    row: u32,
    positions: BTreeMap<usize, (u32, u16, u16)>,
}

impl Builder {
    fn put(&mut self, r0: u32, c0: u16, r1: u32, c1: u16, content: Content, style: Style) {
        self.blocks.push(Block {
            first_row: r0,
            first_col: c0,
            last_row: r1,
            last_col: c1,
            content,
            style,
        });
    }

    fn text(&mut self, r0: u32, c0: u16, r1: u32, c1: u16, text: &str, style: Style) {
        self.put(r0, c0, r1, c1, Content::Text(text.to_string()), style);
    }

    fn field(&mut self, index: usize, row: u32, c0: u16, c1: u16) {
        self.put(row, c0, row, c1, Content::Field(index), Style::Value);
        self.positions.insert(index, (row, c0, c1 - c0 + 1));
    }
}

/// The instructions printed below the tables.
pub const FOOTER: &str =
    "填表说明：只需填写白色单元格；带底纹的合计单元格由公式自动计算，无需填写。\
没有发生的事项请填 0，不要留空（空白单元格视为“未填报”）。";

impl Layout {
    /// The layout of `version`, with grid columns at least `number_width` characters wide (the
    /// widest number that goes into a one-column cell).
    pub fn new(version: FormatVersion, number_width: usize) -> Layout {
        let spec = version.spec();
        let index = |t: TableKey, r: &str, c: &str| {
            spec.index_of(t, r, c)
                .unwrap_or_else(|| panic!("spec field {t:?}.{r}.{c}"))
        };
        let last = NCOLS - 1;
        let mut b = Builder {
            blocks: Vec::new(),
            row: 0,
            positions: BTreeMap::new(),
        };

        // title and meta
        b.put(0, 0, 0, last, Content::Title, Style::Title);
        b.text(1, 0, 1, 1, "填报单位：", Style::MetaLabel);
        b.put(1, 2, 1, 7, Content::Agency, Style::MetaValue);
        b.text(1, 8, 1, 10, "统计年度：", Style::MetaLabel);
        b.put(1, 11, 1, last, Content::Year, Style::MetaValue);
        let (agency_cell, year_cell) = ((1, 2), (1, 11));
        b.row = 2;

        // ---- table 二 ----
        let t = spec.table(TableKey::Proactive);
        b.text(
            b.row,
            0,
            b.row,
            last,
            TableKey::Proactive.title(),
            Style::Heading,
        );
        b.row += 1;
        let mut section: Option<&str> = None;
        for row in t.rows {
            if row.section != section {
                section = row.section;
                let r = b.row;
                b.text(r, 0, r, last, row.section.unwrap_or(""), Style::Section);
                b.text(r + 1, 0, r + 1, P_LABEL_COLS - 1, "信息内容", Style::Header);
                for (i, col) in row.columns.iter().enumerate() {
                    let (c0, c1) = p_slot(i, row.columns.len());
                    b.text(r + 1, c0, r + 1, c1, col.label, Style::Header);
                }
                b.row += 2;
            }
            let r = b.row;
            b.text(r, 0, r, P_LABEL_COLS - 1, row.label, Style::Label);
            for (i, col) in row.columns.iter().enumerate() {
                let (c0, c1) = p_slot(i, row.columns.len());
                b.field(index(t.key, row.key, col.key), r, c0, c1);
            }
            b.row += 1;
        }

        // ---- table 三 ----
        let t = spec.table(TableKey::Requests);
        let requests_heading = b.row;
        b.text(
            b.row,
            0,
            b.row,
            last,
            TableKey::Requests.title(),
            Style::Heading,
        );
        b.row += 1;
        let h = b.row;
        let cols = t.rows[0].columns;
        let v0 = R_LABEL_COLS; // first value column (I)
        let vlast = v0 + cols.len() as u16 - 1;
        b.text(
            h,
            0,
            h + 2,
            R_LABEL_COLS - 1,
            spec::REQUESTS_NOTE,
            Style::Note,
        );
        b.text(h, v0, h, vlast, spec::APPLICANT_HEADER, Style::Header);
        b.text(h + 1, v0, h + 2, v0, cols[0].label, Style::Header);
        b.text(
            h + 1,
            v0 + 1,
            h + 1,
            vlast - 1,
            spec::ORG_HEADER,
            Style::Header,
        );
        for (i, col) in cols.iter().enumerate().skip(1).take(cols.len() - 2) {
            b.text(
                h + 2,
                v0 + i as u16,
                h + 2,
                v0 + i as u16,
                col.label,
                Style::Header,
            );
        }
        b.text(
            h + 1,
            vlast,
            h + 2,
            vlast,
            cols[cols.len() - 1].label,
            Style::Header,
        );
        b.row += 3;
        let first = b.row;
        let in_results = |r: &RowSpec| r.group.is_some();
        // the results group (A) spans every grouped row
        let res: Vec<usize> = (0..t.rows.len())
            .filter(|&i| in_results(&t.rows[i]))
            .collect();
        if let (Some(&s), Some(&e)) = (res.first(), res.last()) {
            b.text(
                first + s as u32,
                0,
                first + e as u32,
                0,
                spec::RESULTS_GROUP,
                Style::Group,
            );
        }
        let mut i = 0;
        while i < t.rows.len() {
            let row = &t.rows[i];
            let r = first + i as u32;
            match row.group {
                None => b.text(r, 0, r, R_LABEL_COLS - 1, row.label, Style::Label),
                Some(g) if g == spec::RESULTS_GROUP => {
                    b.text(r, 1, r, R_LABEL_COLS - 1, row.label, Style::Label)
                }
                Some(g) => {
                    let n = t.rows[i..]
                        .iter()
                        .take_while(|x| x.group == Some(g))
                        .count();
                    b.text(r, 1, r + n as u32 - 1, 1, g, Style::Group);
                    for (k, sub) in t.rows[i..i + n].iter().enumerate() {
                        let rk = r + k as u32;
                        b.text(rk, 2, rk, R_LABEL_COLS - 1, sub.label, Style::Label);
                    }
                }
            }
            i += match row.group {
                Some(g) if g != spec::RESULTS_GROUP => t.rows[i..]
                    .iter()
                    .take_while(|x| x.group == Some(g))
                    .count(),
                _ => 1,
            };
        }
        for (i, row) in t.rows.iter().enumerate() {
            let r = first + i as u32;
            for (k, col) in row.columns.iter().enumerate() {
                let c = v0 + k as u16;
                b.field(index(t.key, row.key, col.key), r, c, c);
            }
        }
        b.row = first + t.rows.len() as u32;

        // ---- table 四 ----
        let t = spec.table(TableKey::Appeals);
        b.text(
            b.row,
            0,
            b.row,
            last,
            TableKey::Appeals.title(),
            Style::Heading,
        );
        b.row += 1;
        let h = b.row;
        let data = h + 3;
        let mut c = 0u16;
        let mut k = 0;
        while k < t.rows.len() {
            let row = &t.rows[k];
            match row.group {
                None => {
                    let n = row.columns.len() as u16;
                    b.text(h, c, h, c + n - 1, row.label, Style::Header);
                    for (j, col) in row.columns.iter().enumerate() {
                        let cc = c + j as u16;
                        b.text(h + 1, cc, h + 2, cc, col.label, Style::Header);
                        b.field(index(t.key, row.key, col.key), data, cc, cc);
                    }
                    c += n;
                    k += 1;
                }
                Some(g) => {
                    let members: Vec<&RowSpec> = t.rows[k..]
                        .iter()
                        .take_while(|x| x.group == Some(g))
                        .collect();
                    let width: u16 = members.iter().map(|m| m.columns.len() as u16).sum();
                    b.text(h, c, h, c + width - 1, g, Style::Header);
                    for m in &members {
                        let n = m.columns.len() as u16;
                        b.text(h + 1, c, h + 1, c + n - 1, m.label, Style::Header);
                        for (j, col) in m.columns.iter().enumerate() {
                            let cc = c + j as u16;
                            b.text(h + 2, cc, h + 2, cc, col.label, Style::Header);
                            b.field(index(t.key, m.key, col.key), data, cc, cc);
                        }
                        c += n;
                    }
                    k += members.len();
                }
            }
        }
        b.row = data + 2;
        b.text(b.row, 0, b.row, last, FOOTER, Style::Footer);

        let n = spec.field_count();
        assert_eq!(b.positions.len(), n, "every field placed once");
        let positions = b.positions.values().map(|&(r, c, _)| (r, c)).collect();
        let spans = b.positions.values().map(|&(_, _, s)| s).collect();
        let col_width = MIN_COL_WIDTH.max(number_width as f64 + 2.0);
        let mut layout = Layout {
            blocks: b.blocks,
            col_width,
            row_heights: BTreeMap::new(),
            positions,
            spans,
            agency_cell,
            year_cell,
            page_breaks: vec![requests_heading],
            repeat_rows: (0, 1),
        };
        layout.compute_row_heights();
        layout
    }

    /// Heights from the text of each block: lines = text width / block width (2 units per CJK
    /// character, [`unicode_width`]); single-row blocks first, then merged rows grow their last
    /// row when they need more than the rows they span.
    fn compute_row_heights(&mut self) {
        let mut h: BTreeMap<u32, f64> = BTreeMap::new();
        h.insert(0, 34.0);
        let need = |b: &Block| -> Option<f64> {
            let text = match &b.content {
                Content::Text(t) => t.as_str(),
                Content::Title => return None,
                // numbers and the meta inputs: one line
                _ => "0",
            };
            let cols = f64::from(b.last_col - b.first_col + 1);
            let avail = (cols * self.col_width - 1.0).max(1.0);
            let w = UnicodeWidthStr::width(text) as f64 * b.style.scale();
            let lines = (w / avail).ceil().max(1.0);
            Some(lines * LINE_PT * b.style.scale() + PAD_PT)
        };
        for b in self.blocks.iter().filter(|b| b.first_row == b.last_row) {
            if let Some(n) = need(b) {
                let e = h.entry(b.first_row).or_insert(DEFAULT_ROW_PT);
                *e = e.max(n);
            }
        }
        for b in self.blocks.iter().filter(|b| b.first_row != b.last_row) {
            if let Some(n) = need(b) {
                let have: f64 = (b.first_row..=b.last_row)
                    .map(|r| h.get(&r).copied().unwrap_or(DEFAULT_ROW_PT))
                    .sum();
                if have < n {
                    let e = h.entry(b.last_row).or_insert(DEFAULT_ROW_PT);
                    *e += n - have;
                }
            }
        }
        h.retain(|_, v| (*v - DEFAULT_ROW_PT).abs() > f64::EPSILON);
        self.row_heights = h;
    }
}

/// Columns of value `i` of `n` in a table 二 row: one slot each, the last spans the rest.
fn p_slot(i: usize, n: usize) -> (u16, u16) {
    let c0 = P_LABEL_COLS + P_SLOT * i as u16;
    let c1 = if i + 1 == n {
        NCOLS - 1
    } else {
        c0 + P_SLOT - 1
    };
    (c0, c1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_do_not_overlap_and_stay_in_the_grid() {
        for v in FormatVersion::ALL {
            let l = Layout::new(v, 3);
            let mut seen = std::collections::HashSet::new();
            for b in &l.blocks {
                assert!(b.last_col < NCOLS, "{b:?}");
                for r in b.first_row..=b.last_row {
                    for c in b.first_col..=b.last_col {
                        assert!(seen.insert((r, c)), "cell {r},{c} used twice: {b:?}");
                    }
                }
            }
            assert_eq!(l.positions.len(), v.spec().field_count());
        }
    }

    #[test]
    fn every_label_of_the_spec_is_written() {
        for v in FormatVersion::ALL {
            let l = Layout::new(v, 3);
            let texts: Vec<&str> = l
                .blocks
                .iter()
                .filter_map(|b| match &b.content {
                    Content::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect();
            for f in v.spec().fields() {
                assert!(texts.contains(&f.row.label), "{}", f.row.label);
                assert!(texts.contains(&f.col.label), "{}", f.col.label);
                if let Some(g) = f.row.group {
                    assert!(texts.contains(&g), "{g}");
                }
                if let Some(s) = f.row.section {
                    assert!(texts.contains(&s), "{s}");
                }
            }
        }
    }

    #[test]
    fn requests_values_sit_right_of_their_labels() {
        let l = Layout::new(FormatVersion::V2021, 3);
        let spec = FormatVersion::V2021.spec();
        let i = spec
            .index_of(TableKey::Requests, "new", "natural_person")
            .unwrap();
        let j = spec.index_of(TableKey::Requests, "new", "total").unwrap();
        let (r, c) = l.positions[i];
        assert_eq!(c, R_LABEL_COLS);
        assert_eq!(l.positions[j], (r, NCOLS - 1));
        // table 四: 15 numbers on one row, A..O
        let cols: Vec<u16> = spec
            .fields()
            .enumerate()
            .filter(|(_, f)| f.table == TableKey::Appeals)
            .map(|(k, _)| l.positions[k].1)
            .collect();
        assert_eq!(cols, (0..NCOLS).collect::<Vec<_>>());
    }

    #[test]
    fn wide_numbers_widen_the_grid() {
        assert_eq!(
            Layout::new(FormatVersion::V2019, 3).col_width,
            MIN_COL_WIDTH
        );
        assert_eq!(Layout::new(FormatVersion::V2019, 9).col_width, 11.0);
    }
}

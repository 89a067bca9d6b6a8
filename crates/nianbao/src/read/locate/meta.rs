//! The agency and the report year: from `填报单位：…` / `统计年度：…` cells, else from the title
//! (`XX局2021年政府信息公开工作年度报告…`), on visible sheets only.

use std::sync::LazyLock;

use regex::Regex;

use super::index::{Indexed, Text};
use crate::model::CellRef;
use crate::read::normalize::norm;

static TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(.*?)\s*([0-9０-９]{4})\s*年度?\s*政府信息公开").expect("valid regex")
});
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d{4})").expect("valid regex"));

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
}

pub(super) type Found<T> = Option<(T, CellRef)>;

pub(super) fn find_meta(ixs: &[Indexed]) -> (Found<String>, Found<u16>) {
    let (mut agency, mut year): (Found<String>, Found<u16>) = (None, None);
    let (mut title_agency, mut title_year): (Found<String>, Found<u16>) = (None, None);
    for ix in ixs.iter().filter(|ix| ix.sheet.visible) {
        for t in &ix.texts {
            if agency.is_none()
                && (t.norm.starts_with("填报单位") || t.norm.starts_with("报送单位"))
            {
                agency = labelled_value(ix, t);
            }
            if year.is_none() && (t.norm.starts_with("统计年度") || t.norm.starts_with("报告年度"))
            {
                year = labelled_value(ix, t).and_then(|(v, c)| {
                    let n = norm(&v);
                    YEAR.captures(&n)
                        .and_then(|m| m[1].parse().ok())
                        .map(|y| (y, c))
                });
            }
            if title_year.is_none() && t.norm.contains("政府信息公开") {
                if let Some(m) = TITLE.captures(t.raw) {
                    let y: String = norm(&m[2]);
                    if let Ok(y) = y.parse::<u16>() {
                        title_year = Some((y, ix.cell(t.row, t.col)));
                        let a = m[1].trim();
                        if !a.is_empty() {
                            title_agency = Some((a.to_string(), ix.cell(t.row, t.col)));
                        }
                    }
                }
            }
        }
    }
    (agency.or(title_agency), year.or(title_year))
}

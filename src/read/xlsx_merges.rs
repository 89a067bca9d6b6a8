//! Merged regions of an xlsx, found without parsing the sheet data a second time.
//!
//! calamine's `merge_cells_by_sheet_name` runs an XML parser over the whole sheet part — a third
//! of the cost of reading an agency workbook. The `<mergeCell ref="A1:B2"/>` elements are plain
//! to find: this module maps sheet names to their parts through `workbook.xml` and its
//! relationships, inflates each part once, and looks for the elements with a byte search. Any
//! surprise (a missing part, an odd reference) answers `None`, and the caller falls back to
//! calamine for that workbook.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::Event;

use super::grid::Rect;
use crate::model::cellref::parse_a1;

/// Merged regions by sheet name, or `None` when the package is not plain enough to be sure.
pub fn merges_by_sheet(bytes: &[u8], max_part_bytes: u64) -> Option<HashMap<String, Vec<Rect>>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut part = |name: &str| -> Option<Vec<u8>> {
        let f = zip.by_name(name).ok()?;
        let mut out = Vec::new();
        f.take(max_part_bytes).read_to_end(&mut out).ok()?;
        Some(out)
    };
    let workbook = part("xl/workbook.xml")?;
    let rels = part("xl/_rels/workbook.xml.rels")?;
    let targets = attributes(&rels, "Relationship", &["Id", "Target"])?;
    let targets: HashMap<String, String> = targets
        .into_iter()
        .map(|v| (v[0].clone(), v[1].clone()))
        .collect();
    let mut out = HashMap::new();
    for v in attributes(&workbook, "sheet", &["name", "r:id"])? {
        let target = targets.get(&v[1])?;
        let path = match target.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None => format!("xl/{target}"),
        };
        let xml = part(&path)?;
        out.insert(v[0].clone(), merge_refs(&xml)?);
    }
    Some(out)
}

/// For every element named `tag`, the values of `keys` (all must be present).
fn attributes(xml: &[u8], tag: &str, keys: &[&str]) -> Option<Vec<Vec<String>>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == tag => {
                let mut found = vec![None; keys.len()];
                for a in e.attributes() {
                    let a = a.ok()?;
                    let key: &str = a.key.as_ref();
                    if let Some(i) = keys.iter().position(|k| *k == key) {
                        found[i] = Some(unescape(&a.value));
                    }
                }
                out.push(found.into_iter().collect::<Option<Vec<String>>>()?);
            }
            Event::Eof => return Some(out),
            _ => {}
        }
        buf.clear();
    }
}

/// The five predefined XML entities (sheet names and targets hold no others).
fn unescape(v: &str) -> String {
    v.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Every `<mergeCell ref="…"/>` of a sheet part.
fn merge_refs(xml: &[u8]) -> Option<Vec<Rect>> {
    let Some(start) = find(xml, b"<mergeCells") else {
        return Some(Vec::new());
    };
    let mut out = Vec::new();
    let mut rest = &xml[start..];
    while let Some(at) = find(rest, b"<mergeCell ") {
        rest = &rest[at + b"<mergeCell ".len()..];
        let end = find(rest, b">")?;
        let tag = std::str::from_utf8(&rest[..end]).ok()?;
        let value = tag.split("ref=\"").nth(1)?.split('"').next()?;
        let (a, b) = value.split_once(':').unwrap_or((value, value));
        let ((r0, c0), (r1, c1)) = (parse_a1(a)?, parse_a1(b)?);
        out.push(Rect {
            first_row: r0.min(r1),
            first_col: c0.min(c1),
            last_row: r0.max(r1),
            last_col: c0.max(c1),
        });
        rest = &rest[end..];
    }
    Some(out)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::Reader;

    /// The byte search finds exactly what calamine's XML parse finds, sheet by sheet.
    #[test]
    fn same_merges_as_calamine() {
        let report = crate::model::synthetic::consistent_report(
            crate::model::FormatVersion::V2019,
            "测试局",
            2020,
            1,
        );
        let mut wb = crate::write::template::new_workbook("t").unwrap();
        crate::write::template::add_report_sheet(
            &mut wb,
            "统计表 & 附表",
            &report,
            &Default::default(),
        )
        .unwrap();
        wb.add_worksheet().set_name("说明").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let fast = merges_by_sheet(&bytes, u64::MAX).expect("plain package");
        let mut xl = calamine::Xlsx::new(Cursor::new(&bytes)).unwrap();
        let mut checked = 0;
        for name in xl.sheet_names() {
            let slow: Vec<Rect> = xl
                .merge_cells_by_sheet_name(&name)
                .unwrap()
                .into_iter()
                .map(|d| Rect {
                    first_row: d.start.0,
                    first_col: d.start.1,
                    last_row: d.end.0,
                    last_col: d.end.1,
                })
                .collect();
            assert_eq!(fast[&name], slow, "{name}");
            checked += slow.len();
        }
        assert!(checked > 20, "the template has many merges ({checked})");
    }
}

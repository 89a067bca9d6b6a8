//! The mark nianbao leaves on every workbook it writes: custom document properties saying that
//! nianbao wrote it, what it is, and for a roll-up summary which region, year and format it sums
//! and which agencies it counted. Written by `crate::write`, read back by `crate::read` (from
//! `docProps/custom.xml`), so that a later run recognises its own outputs: an earlier summary
//! is not read as one more agency, and an output nianbao wrote may be replaced while any other
//! file may not.
//!
//! The properties (every value text, so that any editor keeps them):
//!
//! | name | value |
//! |---|---|
//! | `nianbao` | what the workbook is: `template`, `report` (convert) or `summary` (rollup) |
//! | `nianbao.version` | the version of nianbao that wrote it |
//! | `nianbao.region` | summary: the region (its 填报单位) |
//! | `nianbao.year` | summary: the report year |
//! | `nianbao.format` | summary: the format version (`2019`, `2021`) |
//! | `nianbao.agencies` | summary: the agencies counted, as their count then one name a line |
//!
//! One property holds the whole agency list however many agencies there are (the file format
//! sets no length limit on a text property); its first line is the count, so a list cut short
//! by an editor is recognised as such ([`Mark::agencies`] is then `None`) instead of being
//! taken for the whole list; the reader then takes the agencies of the rows counted on the
//! summary's `分单位明细` sheet (`crate::read`).

use super::FormatVersion;

/// The property naming what nianbao wrote; its presence is the mark.
pub const KIND_PROPERTY: &str = "nianbao";
const VERSION: &str = "nianbao.version";
const REGION: &str = "nianbao.region";
const YEAR: &str = "nianbao.year";
const FORMAT: &str = "nianbao.format";
const AGENCIES: &str = "nianbao.agencies";

/// What a workbook nianbao wrote is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    /// A blank official template (`template`).
    Template,
    /// One agency's report in the official layout (`convert … .xlsx`).
    Report,
    /// A regional roll-up summary (`rollup`).
    Summary,
}

impl MarkKind {
    fn id(self) -> &'static str {
        match self {
            MarkKind::Template => "template",
            MarkKind::Report => "report",
            MarkKind::Summary => "summary",
        }
    }
}

/// The mark of a workbook nianbao wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mark {
    /// What the workbook is.
    pub kind: MarkKind,
    /// The version of nianbao that wrote it, as it says.
    pub version: String,
    /// A summary's region.
    pub region: Option<String>,
    /// A summary's report year.
    pub year: Option<u16>,
    /// A summary's format version.
    pub format: Option<FormatVersion>,
    /// A summary's agencies counted, in its order; `None` when not stated or not whole.
    pub agencies: Option<Vec<String>>,
}

impl Mark {
    /// The mark of a workbook of `kind` written by this nianbao (no summary details).
    pub fn new(kind: MarkKind) -> Self {
        Mark {
            kind,
            version: env!("CARGO_PKG_VERSION").to_string(),
            region: None,
            year: None,
            format: None,
            agencies: None,
        }
    }

    /// The mark of a summary of `region`, `year` and `format` counting `agencies`.
    pub fn summary(region: &str, year: u16, format: FormatVersion, agencies: Vec<String>) -> Self {
        Mark {
            region: Some(region.to_string()),
            year: Some(year),
            format: Some(format),
            agencies: Some(agencies),
            ..Mark::new(MarkKind::Summary)
        }
    }

    /// The custom document properties that carry the mark, as (name, text).
    pub fn properties(&self) -> Vec<(&'static str, String)> {
        let mut p = vec![
            (KIND_PROPERTY, self.kind.id().to_string()),
            (VERSION, self.version.clone()),
        ];
        if let Some(r) = &self.region {
            p.push((REGION, r.clone()));
        }
        if let Some(y) = self.year {
            p.push((YEAR, y.to_string()));
        }
        if let Some(f) = self.format {
            p.push((FORMAT, f.id().to_string()));
        }
        if let Some(a) = &self.agencies {
            // Names are one line each: a line break inside a name would split it.
            let names = a.iter().map(|n| n.replace(['\r', '\n'], " "));
            let lines: Vec<String> = std::iter::once(a.len().to_string()).chain(names).collect();
            p.push((AGENCIES, lines.join("\n")));
        }
        p
    }

    /// The mark in a workbook's custom document properties (name, text), if nianbao wrote it.
    pub fn from_properties(props: &[(String, String)]) -> Option<Self> {
        let get = |name: &str| {
            props
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let kind = match get(KIND_PROPERTY)?.trim() {
            "template" => MarkKind::Template,
            "report" => MarkKind::Report,
            "summary" => MarkKind::Summary,
            _ => return None,
        };
        let agencies = get(AGENCIES).and_then(|text| {
            let mut lines = text.lines();
            let count: usize = lines.next()?.trim().parse().ok()?;
            let names: Vec<String> = lines.map(str::to_string).collect();
            (names.len() == count).then_some(names)
        });
        Some(Mark {
            kind,
            version: get(VERSION).unwrap_or_default().to_string(),
            region: get(REGION).map(str::to_string),
            year: get(YEAR).and_then(|y| y.trim().parse().ok()),
            format: get(FORMAT).and_then(|f| FormatVersion::from_id(f.trim())),
            agencies,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(p: Vec<(&'static str, String)>) -> Vec<(String, String)> {
        p.into_iter().map(|(n, v)| (n.to_string(), v)).collect()
    }

    #[test]
    fn a_summary_mark_reads_back_whole() {
        let agencies: Vec<String> = (0..5000).map(|i| format!("第{i}局")).collect();
        let m = Mark::summary("云台区", 2023, FormatVersion::V2021, agencies);
        assert_eq!(Mark::from_properties(&owned(m.properties())), Some(m));
        let t = Mark::new(MarkKind::Template);
        assert_eq!(Mark::from_properties(&owned(t.properties())), Some(t));
        assert_eq!(Mark::from_properties(&[]), None);
    }

    /// A list cut short (an editor that limits a property's length) is not the whole list.
    #[test]
    fn a_cut_agency_list_is_not_taken_for_the_whole() {
        let m = Mark::summary(
            "区",
            2023,
            FormatVersion::V2021,
            vec!["甲".into(), "乙".into()],
        );
        let mut props = owned(m.properties());
        for (n, v) in &mut props {
            if n == AGENCIES {
                *v = "2\n甲".into();
            }
        }
        let back = Mark::from_properties(&props).unwrap();
        assert_eq!(back.agencies, None);
        assert_eq!(back.region.as_deref(), Some("区"));
    }
}

//! The roster: the agencies expected to report, and who did.
//!
//! A CSV with a header row; the name column is required (`单位名称`, `单位`, `名称`, `name`),
//! optional `区划代码`/`code`, `层级`/`level`, `上级`/`parent`. UTF-8 (with or without BOM) or GBK
//! (as Excel on Chinese Windows saves CSV). Names are matched after normalisation (NFKC, no
//! whitespace); a near miss (one name contains the other, abbreviates it, or differs by one
//! character) is suggested, never merged.

use std::path::Path;

use crate::read::normalize::norm;

/// One agency expected to report: a line of the roster CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// The agency's name (matched against the reports' 填报单位).
    pub name: String,
    /// 区划代码, if the roster has the column.
    pub code: Option<String>,
    /// 层级, if the roster has the column.
    pub level: Option<String>,
    /// 上级, if the roster has the column.
    pub parent: Option<String>,
}

/// Why the roster could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    /// The file could not be read.
    #[error("无法读取单位名单 {path}：{}", crate::error::os_reason(.source))]
    Io {
        /// The roster as given.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A line is not valid CSV.
    #[error("单位名单 {path} 第 {line} 行无法解析：{source}")]
    Csv {
        /// The roster as given.
        path: String,
        /// The 1-based line.
        line: u64,
        /// The CSV reader's error.
        #[source]
        source: csv::Error,
    },
    /// No header names the agency column.
    #[error("单位名单 {path} 没有“单位名称”列：找到的列是 {found}。请把单位名称所在列的表头改为“单位名称”（可选的列：区划代码、层级、上级），另存为 CSV 后重试")]
    NoNameColumn {
        /// The roster as given.
        path: String,
        /// The header row as found, `、`-separated (`（空）` when there is none).
        found: String,
    },
}

const NAME: &[&str] = &["单位名称", "单位", "名称", "name", "agency"];
const CODE: &[&str] = &["区划代码", "代码", "code"];
const LEVEL: &[&str] = &["层级", "级别", "level"];
const PARENT: &[&str] = &["上级", "上级单位", "parent"];

/// A roster as read: its entries, and what the reader had to say about the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    /// The agencies, in the file's order.
    pub entries: Vec<RosterEntry>,
    /// Warnings about the file, one Chinese line each naming it (bytes that are neither UTF-8
    /// nor GBK, with their 1-based line numbers); the entries are read all the same.
    pub warnings: Vec<String>,
}

/// Read a roster CSV. Only a regular file (or a link to one) is read: a FIFO or a device is
/// refused rather than waited on.
pub fn read_roster(path: &Path) -> Result<Roster, RosterError> {
    use std::io::Read;
    let display = path.display().to_string();
    let io = |source| RosterError::Io {
        path: display.clone(),
        source,
    };
    let (mut file, meta) = crate::read::open_regular(path).map_err(io)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes).map_err(io)?;
    parse_roster(&bytes, &display)
}

/// The lines (1-based) that `decodes` refuses. Lines are split at `\n`, which is never part of
/// a GBK or UTF-8 character, so a line's bytes decode on their own.
fn bad_lines(bytes: &[u8], decodes: impl Fn(&[u8]) -> bool) -> Vec<u64> {
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| !decodes(line))
        .map(|(i, _)| i as u64 + 1)
        .collect()
}

fn is_gbk(line: &[u8]) -> bool {
    encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(line)
        .is_some()
}

fn is_utf8(line: &[u8]) -> bool {
    std::str::from_utf8(line).is_ok()
}

/// Whether a file that is not UTF-8 throughout is still UTF-8 with a few damaged lines: most of
/// its lines with non-ASCII bytes are valid UTF-8. (GBK text is almost never valid UTF-8, while
/// UTF-8 Chinese often decodes as GBK, into the wrong characters: so GBK's own test says
/// nothing.)
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut utf8, mut other) = (0usize, 0usize);
    for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_ascii()) {
        if is_utf8(line) {
            utf8 += 1;
        } else {
            other += 1;
        }
    }
    utf8 > other
}

/// At most this many line numbers are listed in a warning.
const MAX_LINES_LISTED: usize = 20;

/// [`read_roster`] of a roster's bytes already in memory (an upload), called `display` in
/// messages.
pub fn parse_roster(bytes: &[u8], display: &str) -> Result<Roster, RosterError> {
    let mut warnings = Vec::new();
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let utf8 = mostly_utf8(bytes);
            let bad = bad_lines(bytes, if utf8 { is_utf8 } else { is_gbk });
            if !bad.is_empty() {
                let mut listed: Vec<String> = bad
                    .iter()
                    .take(MAX_LINES_LISTED)
                    .map(u64::to_string)
                    .collect();
                if bad.len() > MAX_LINES_LISTED {
                    listed.push(format!("等共 {} 行", bad.len()));
                }
                let what = if utf8 {
                    "是 UTF-8 编码，但"
                } else {
                    "既不是 UTF-8 也不是完整的 GBK 编码："
                };
                warnings.push(format!(
                    "单位名单 {display} {what}第 {} 行含有无法识别的字节，已替换为 �，这些行的单位名称可能不对；请用 Excel 或 WPS 打开核对后另存为 CSV UTF-8",
                    listed.join("、")
                ));
            }
            if utf8 {
                String::from_utf8_lossy(bytes).into_owned()
            } else {
                encoding_rs::GBK.decode(bytes).0.into_owned()
            }
        }
    };
    let text = text.trim_start_matches('\u{feff}');
    let mut rd = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let csv_err = |source: csv::Error| RosterError::Csv {
        path: display.to_string(),
        line: source.position().map_or(1, |p| p.line()),
        source,
    };
    let raw_headers = rd.headers().map_err(csv_err)?.clone();
    let headers: Vec<String> = raw_headers.iter().map(norm).collect();
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let name = find(NAME).ok_or_else(|| {
        let found: Vec<String> = raw_headers
            .iter()
            .map(|h| format!("“{}”", h.trim()))
            .filter(|h| h != "“”")
            .collect();
        RosterError::NoNameColumn {
            path: display.to_string(),
            found: if found.is_empty() {
                "（空）".to_string()
            } else {
                found.join("、")
            },
        }
    })?;
    let (code, level, parent) = (find(CODE), find(LEVEL), find(PARENT));
    let mut out = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(csv_err)?;
        let get = |i: Option<usize>| {
            i.and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        if let Some(n) = get(Some(name)) {
            out.push(RosterEntry {
                name: n,
                code: get(code),
                level: get(level),
                parent: get(parent),
            });
        }
    }
    Ok(Roster {
        entries: out,
        warnings,
    })
}

/// How a roster entry or a submitted file stands (JSON: `submitted`, `invalid`, `missing`,
/// `unexpected`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// 已报送 (and counted)
    Submitted,
    /// 有错误 (submitted, not counted)
    Invalid,
    /// 未报送
    Missing,
    /// 名单外
    Unexpected,
}

impl Coverage {
    /// The Chinese label shown in the coverage sheet.
    pub fn label(self) -> &'static str {
        match self {
            Coverage::Submitted => "已报送",
            Coverage::Invalid => "有错误",
            Coverage::Missing => "未报送",
            Coverage::Unexpected => "名单外",
        }
    }
}

/// One line of the coverage report.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageRow {
    /// How it stands.
    pub coverage: Coverage,
    /// The roster's entry (none for a submission not on the roster).
    pub entry: Option<RosterEntry>,
    /// The agency name as submitted.
    pub submitted_name: Option<String>,
    /// The file submitted, if any.
    pub file: Option<String>,
    /// A remark, in Chinese (e.g. a near-miss name suggestion); may be empty.
    pub note: String,
}

/// A submitted report as the roster sees it.
pub(crate) struct Submission<'a> {
    pub agency: &'a str,
    pub file: &'a str,
    pub counted: bool,
}

/// Match submissions against the roster: every roster entry once (submitted / invalid /
/// missing), then every submission not on it (unexpected, with a near-miss suggestion).
pub(crate) fn coverage(roster: &[RosterEntry], submissions: &[Submission]) -> Vec<CoverageRow> {
    let keys: Vec<String> = roster.iter().map(|e| norm(&e.name)).collect();
    let mut rows = Vec::new();
    let mut matched = vec![false; submissions.len()];
    for (e, k) in roster.iter().zip(&keys) {
        let hits: Vec<usize> = submissions
            .iter()
            .enumerate()
            .filter(|(_, s)| norm(s.agency) == *k)
            .map(|(i, _)| i)
            .collect();
        for &i in &hits {
            matched[i] = true;
        }
        let row = match hits
            .iter()
            .find(|&&i| submissions[i].counted)
            .or(hits.first())
        {
            Some(&i) => CoverageRow {
                coverage: if submissions[i].counted {
                    Coverage::Submitted
                } else {
                    Coverage::Invalid
                },
                entry: Some(e.clone()),
                submitted_name: Some(submissions[i].agency.to_string()),
                file: Some(submissions[i].file.to_string()),
                note: if submissions[i].counted {
                    String::new()
                } else {
                    "已报送但有错误或重复，未计入汇总".to_string()
                },
            },
            None => CoverageRow {
                coverage: Coverage::Missing,
                entry: Some(e.clone()),
                submitted_name: None,
                file: None,
                note: String::new(),
            },
        };
        rows.push(row);
    }
    let missing: Vec<RosterEntry> = rows
        .iter()
        .filter(|r| r.coverage == Coverage::Missing)
        .filter_map(|r| r.entry.clone())
        .collect();
    let mut suggested_for: Vec<(String, String)> = Vec::new();
    for (_, s) in submissions.iter().enumerate().filter(|(i, _)| !matched[*i]) {
        let near = missing
            .iter()
            .filter_map(|e| near_miss(&norm(&e.name), &norm(s.agency)).map(|rank| (rank, e)))
            .min_by_key(|(rank, _)| *rank)
            .map(|(_, e)| e);
        let note = match near {
            Some(e) => {
                suggested_for.push((e.name.clone(), s.agency.to_string()));
                format!(
                    "不在名单中；可能是名单中的“{}”（名称不一致，未自动合并，请核对）",
                    e.name
                )
            }
            None => "不在名单中".to_string(),
        };
        rows.push(CoverageRow {
            coverage: Coverage::Unexpected,
            entry: None,
            submitted_name: Some(s.agency.to_string()),
            file: Some(s.file.to_string()),
            note,
        });
    }
    for r in rows.iter_mut().filter(|r| r.coverage == Coverage::Missing) {
        let name = &r.entry.as_ref().expect("roster row").name;
        if let Some((_, s)) = suggested_for.iter().find(|(e, _)| e == name) {
            r.note = format!("可能以“{s}”的名称报送（名称不一致，未自动合并，请核对）");
        }
    }
    rows
}

/// How close two normalised names are, best first: 0 one contains the other (a missing 区 prefix),
/// 1 the shorter abbreviates the longer (`云台区人社局` of `云台区人力资源和社会保障局`), 2 they
/// differ by one character (a typo). `None`: not close.
fn near_miss(a: &str, b: &str) -> Option<u8> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    if long.contains(short) {
        Some(0)
    } else if abbreviates(short, long) {
        Some(1)
    } else if strsim::levenshtein(a, b) <= 1 {
        Some(2)
    } else {
        None
    }
}

fn abbreviates(short: &str, long: &str) -> bool {
    let mut rest = long.chars();
    short.chars().count() >= 4
        && short.chars().next() == long.chars().next()
        && short.chars().last() == long.chars().last()
        && short.chars().all(|c| rest.any(|l| l == c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utf8_bom_and_gbk() {
        let csv = "\u{feff}单位名称,区划代码\n杜集区教育局,340602\n 杜集区财政局 ,\n";
        let r = parse_roster(csv.as_bytes(), "r.csv").unwrap().entries;
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].code.as_deref(), Some("340602"));
        assert_eq!(r[1].name, "杜集区财政局");
        let (gbk, _, _) = encoding_rs::GBK.encode("单位,层级\n杜集区教育局,区级\n");
        let r = parse_roster(&gbk, "r.csv").unwrap();
        assert!(r.warnings.is_empty());
        let r = r.entries;
        assert_eq!(r[0].name, "杜集区教育局");
        assert_eq!(r[0].level.as_deref(), Some("区级"));
        let err = parse_roster("名字,编号\nx,1\n".as_bytes(), "r.csv").unwrap_err();
        assert!(matches!(err, RosterError::NoNameColumn { .. }));
        // the columns it did find are named, so the office can see what to rename
        assert!(err.to_string().contains("“名字”、“编号”"), "{err}");
    }

    /// Issue 13: a GBK roster with bytes GBK cannot decode was read with them replaced without
    /// a word. The entries are still read; the warning names the file and the lines.
    #[test]
    fn undecodable_gbk_bytes_are_reported_by_line() {
        let mut bytes = encoding_rs::GBK
            .encode("单位名称\n杜集区教育局\n")
            .0
            .into_owned();
        bytes.extend_from_slice(b"\xff\xff\n");
        bytes.extend_from_slice(&encoding_rs::GBK.encode("杜集区财政局\n").0);
        bytes.extend_from_slice(b"\x81\n");
        let r = parse_roster(&bytes, "名单.csv").unwrap();
        assert_eq!(r.entries.len(), 4);
        assert_eq!(r.entries[2].name, "杜集区财政局");
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        let w = &r.warnings[0];
        assert!(w.contains("名单.csv") && w.contains("第 3、5 行"), "{w}");
    }

    /// A UTF-8 roster with a damaged line stays UTF-8 (decoded as GBK, its Chinese would all
    /// turn into other characters); the damaged line is named.
    #[test]
    fn utf8_with_a_damaged_line_stays_utf8() {
        let mut bytes = "\u{feff}单位名称\n杜集区教育局\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"\xff\xfe\n");
        bytes.extend_from_slice("杜集区财政局\n".as_bytes());
        let r = parse_roster(&bytes, "名单.csv").unwrap();
        let names: Vec<&str> = r.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names[0], "杜集区教育局");
        assert_eq!(names[2], "杜集区财政局");
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        let w = &r.warnings[0];
        assert!(w.contains("UTF-8 编码，但第 3 行"), "{w}");
    }

    /// A typo is one character, not one byte: a CJK character is three bytes of UTF-8.
    #[test]
    fn a_near_miss_by_one_character_only() {
        assert_eq!(near_miss("杜集区财政局", "杜集区材政局"), Some(2));
        assert_eq!(near_miss("杜集区财政局", "杜集县材政局"), None);
        assert_eq!(near_miss("杜集区教育局", "杜集区育局"), Some(1));
        assert_eq!(near_miss("杜集区教育局", "杜集区教育局"), Some(0));
    }

    #[test]
    fn coverage_statuses_and_near_miss_suggestion() {
        let roster: Vec<RosterEntry> = [
            "杜集区教育局",
            "杜集区财政局",
            "杜集区民政局",
            "杜集区司法局",
            "杜集区人力资源和社会保障局",
        ]
        .iter()
        .map(|n| RosterEntry {
            name: n.to_string(),
            code: None,
            level: None,
            parent: None,
        })
        .collect();
        let subs = [
            Submission {
                agency: "杜集区教育局",
                file: "a.xlsx",
                counted: true,
            },
            Submission {
                agency: "杜集区 财政局",
                file: "b.xlsx",
                counted: false,
            },
            Submission {
                agency: "民政局",
                file: "c.xlsx",
                counted: true,
            },
            Submission {
                agency: "相山区教育局",
                file: "d.xlsx",
                counted: true,
            },
            Submission {
                agency: "杜集区人社局",
                file: "e.xlsx",
                counted: true,
            },
        ];
        let rows = coverage(&roster, &subs);
        let got: Vec<(Coverage, Option<&str>)> = rows
            .iter()
            .map(|r| (r.coverage, r.file.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Coverage::Submitted, Some("a.xlsx")),
                (Coverage::Invalid, Some("b.xlsx")),
                (Coverage::Missing, None),
                (Coverage::Missing, None),
                (Coverage::Missing, None),
                (Coverage::Unexpected, Some("c.xlsx")),
                (Coverage::Unexpected, Some("d.xlsx")),
                (Coverage::Unexpected, Some("e.xlsx")),
            ]
        );
        assert!(
            rows[7].note.contains("杜集区人力资源和社会保障局"),
            "{}",
            rows[7].note
        );
        assert!(rows[5].note.contains("杜集区民政局"));
        assert!(rows[2].note.contains("民政局"));
        assert!(!rows[6].note.contains("可能"));
    }
}

//! Locating the three tables in a [`Grid`] by their labels, and turning them into a [`Report`].
//!
//! Nothing here uses a fixed cell address. Each table is found from an anchor label (`自然人` for
//! table 三, every `信息内容` header row for table 二, `行政复议` for table 四), its columns from the
//! header labels near the anchor, its rows from the label cells left of the numbers. Labels are
//! compared by their [`core`](super::normalize::core), so punctuation width, spaces, line breaks,
//! numbering style and repeated or merged group labels do not matter.
//!
//! Choosing among candidates: a table found on several sheets is taken from the visible one; two
//! visible candidates (or two copies on one sheet) are an error naming both; a copy on a hidden
//! sheet is ignored with a warning (I8), or used with a warning when it is the only one.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::grid::{CellValue, Grid, Sheet};
use super::normalize::{core, core_of_norm, norm};
use super::open::{read_grid, Limits};
use super::value::{parse_cell, Parsed};
use crate::diag::{Diagnostic, Rule};
use crate::error::{ReadError, VersionClue};
use crate::model::spec::{ColSpec, FastMap, RowSpec, VERSION_EVIDENCE};
use crate::model::{CellRef, FormatVersion, Meta, Report, Status, TableKey, Value, ValueKind};

/// How to read one file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub limits: Limits,
    /// Overrides the agency name found in the workbook.
    pub agency: Option<String>,
    /// Overrides the report year found in the workbook.
    pub year: Option<u16>,
    /// The format version to assume when no label tells it (labels always win).
    pub format: Option<FormatVersion>,
}

/// Read a workbook file into a report and its reading findings.
pub fn read_report(
    path: &Path,
    display: &str,
    opts: &ReadOptions,
) -> Result<(Report, Vec<Diagnostic>), ReadError> {
    let grid = read_grid(path, display, &opts.limits)?;
    locate(&grid, opts)
}

/// A text cell with its normalised forms, precomputed once per sheet.
struct Text<'g> {
    row: u32,
    col: u32,
    raw: &'g str,
    norm: String,
    core: String,
}

struct Indexed<'g> {
    sheet: &'g Sheet,
    texts: Vec<Text<'g>>,
}

impl<'g> Indexed<'g> {
    fn new(sheet: &'g Sheet) -> Self {
        let texts = sheet
            .cells
            .iter()
            .filter_map(|(&(row, col), v)| match v {
                CellValue::Text(s) if !s.trim().is_empty() => {
                    let norm = norm(s);
                    Some(Text {
                        row,
                        col,
                        raw: s,
                        core: core_of_norm(&norm),
                        norm,
                    })
                }
                _ => None,
            })
            .collect();
        Indexed { sheet, texts }
    }

    fn cell(&self, row: u32, col: u32) -> CellRef {
        CellRef::new(self.sheet.name.clone(), row, col)
    }

    /// Text cells whose core equals one of `cores`.
    fn find<'a>(&'a self, cores: &'a [String]) -> impl Iterator<Item = &'a Text<'g>> + 'a {
        self.texts.iter().filter(move |t| cores.contains(&t.core))
    }
}

fn compute_cores(label: &str, aliases: &[&str]) -> Vec<String> {
    std::iter::once(label)
        .chain(aliases.iter().copied())
        .map(core)
        .collect()
}

/// The cores of every label and alias of both versions, computed once.
static SPEC_CORES: LazyLock<FastMap<&'static str, Vec<String>>> = LazyLock::new(|| {
    let mut m = FastMap::default();
    for v in FormatVersion::ALL {
        for t in &v.spec().tables {
            for r in t.rows {
                m.entry(r.label)
                    .or_insert_with(|| compute_cores(r.label, r.aliases));
                for c in r.columns {
                    m.entry(c.label)
                        .or_insert_with(|| compute_cores(c.label, c.aliases));
                }
            }
        }
    }
    m
});

/// The cores a spec label is matched by: its own and its aliases' (see [`SPEC_CORES`]).
fn cores_of(label: &'static str) -> &'static [String] {
    SPEC_CORES
        .get(label)
        .map(Vec::as_slice)
        .expect("a label of the spec")
}

fn col_cores(c: &ColSpec) -> &'static [String] {
    cores_of(c.label)
}

/// Where one table was found: each field's cell, and what was not found.
struct Candidate {
    table: TableKey,
    sheet: usize,
    anchor: (u32, u32),
    /// (row key, col key) → (row, col)
    cells: FastMap<(&'static str, &'static str), (u32, u32)>,
    /// Keys of the rows whose label was found.
    rows_found: Vec<&'static str>,
    /// (column label, where it was looked for)
    missing_cols: Vec<(&'static ColSpec, (u32, u32))>,
}

impl Candidate {
    fn new(table: TableKey, sheet: usize, anchor: (u32, u32)) -> Self {
        Candidate {
            table,
            sheet,
            anchor,
            cells: FastMap::default(),
            rows_found: Vec::new(),
            missing_cols: Vec::new(),
        }
    }
}

// ---------------------------------------------------------------- table 三

fn find_requests(ix: &Indexed, sheet: usize, version: FormatVersion) -> Vec<Candidate> {
    let spec = version.spec().table(TableKey::Requests);
    let columns = spec.rows[0].columns;
    let np = col_cores(&columns[0]);
    let row_cores: Vec<(&'static RowSpec, &'static [String])> =
        spec.rows.iter().map(|r| (r, cores_of(r.label))).collect();
    let mut out = Vec::new();
    for anchor in ix.find(np) {
        let (r0, c0) = (anchor.row, anchor.col);
        let mut cand = Candidate::new(TableKey::Requests, sheet, (r0, c0));
        let mut col_at: FastMap<&str, u32> = FastMap::default();
        col_at.insert(columns[0].key, c0);
        let mut header_bottom = r0;
        for c in &columns[1..] {
            let cores = col_cores(c);
            let hit = ix
                .texts
                .iter()
                .filter(|t| {
                    (r0..=r0 + 3).contains(&t.row)
                        && t.col > c0
                        && t.col <= c0 + 12
                        && cores.contains(&t.core)
                })
                .min_by_key(|t| (t.col, t.row));
            match hit {
                Some(t) => {
                    col_at.insert(c.key, t.col);
                    header_bottom = header_bottom.max(t.row);
                }
                None => cand.missing_cols.push((c, (r0, c0))),
            }
        }
        // Row labels: the text left of the numbers, joined across the label columns.
        let mut labels: Vec<(u32, String, u32)> = Vec::new(); // (row, joined raw text, first col)
        for t in ix
            .texts
            .iter()
            .filter(|t| t.row > header_bottom && t.row <= header_bottom + 45 && t.col < c0)
        {
            match labels.last_mut() {
                Some((r, s, _)) if *r == t.row => s.push_str(t.raw),
                _ => labels.push((t.row, t.raw.to_string(), t.col)),
            }
        }
        let mut row_at: FastMap<&str, u32> = FastMap::default();
        for (r, joined, _) in labels {
            let l = core(&joined);
            let best = row_cores
                .iter()
                .flat_map(|(spec_row, cs)| cs.iter().map(move |c| (*spec_row, c)))
                .filter(|(_, c)| l.ends_with(c.as_str()))
                .max_by_key(|(_, c)| c.len());
            if let Some((spec_row, _)) = best {
                if row_at.contains_key(spec_row.key) {
                    break; // a second copy below: it becomes its own candidate via its own anchor
                }
                row_at.insert(spec_row.key, r);
                if spec_row.key == "carried_out" {
                    break;
                }
            }
        }
        for row in spec.rows {
            if let Some(&r) = row_at.get(row.key) {
                cand.rows_found.push(row.key);
                for c in row.columns {
                    if let Some(&col) = col_at.get(c.key) {
                        cand.cells.insert((row.key, c.key), (r, col));
                    }
                }
            }
        }
        // A table, not a stray word: most rows and most columns must be there.
        if row_at.len() * 2 >= spec.rows.len() && col_at.len() >= 4 {
            out.push(cand);
        }
    }
    out
}

// ---------------------------------------------------------------- table 二

fn find_proactive(ix: &Indexed, sheet: usize, version: FormatVersion) -> Vec<Candidate> {
    let spec = version.spec().table(TableKey::Proactive);
    let header_core = vec![core("信息内容")];
    let mut headers: Vec<&Text> = ix.find(&header_core).collect();
    headers.sort_by_key(|t| (t.row, t.col));
    let mut out: Vec<Candidate> = Vec::new();
    let mut current: Option<Candidate> = None;
    for (i, h) in headers.iter().enumerate() {
        let next_header_row = headers.get(i + 1).map_or(h.row + 12, |n| n.row);
        // Column labels on the header row (or the row below, for two-line headers).
        let header_cells: Vec<&Text> = ix
            .texts
            .iter()
            .filter(|t| (t.row == h.row || t.row == h.row + 1) && t.col > h.col)
            .collect();
        let col_of = |c: &ColSpec| -> Option<u32> {
            let cores = col_cores(c);
            header_cells
                .iter()
                .find(|t| cores.contains(&t.core))
                .map(|t| t.col)
        };
        for t in ix.texts.iter().filter(|t| {
            t.row > h.row && t.row < next_header_row && t.row <= h.row + 10 && t.col <= h.col + 1
        }) {
            let Some(row) = spec
                .rows
                .iter()
                .find(|r| cores_of(r.label).contains(&t.core))
            else {
                continue;
            };
            if current
                .as_ref()
                .is_some_and(|c| c.rows_found.contains(&row.key))
            {
                // The same row again: a second copy of the table starts here.
                out.extend(current.take());
            }
            let cand = current
                .get_or_insert_with(|| Candidate::new(TableKey::Proactive, sheet, (h.row, h.col)));
            cand.rows_found.push(row.key);
            for c in row.columns {
                match col_of(c) {
                    Some(col) => {
                        cand.cells.insert((row.key, c.key), (t.row, col));
                    }
                    None => cand.missing_cols.push((c, (h.row, h.col))),
                }
            }
        }
    }
    out.extend(current);
    out
}

// ---------------------------------------------------------------- table 四

fn find_appeals(ix: &Indexed, sheet: usize, version: FormatVersion) -> Vec<Candidate> {
    let spec = version.spec().table(TableKey::Appeals);
    let mut out = Vec::new();
    let review_core = cores_of(spec.rows[0].label);
    for anchor in ix.find(review_core) {
        let (r0, c0) = (anchor.row, anchor.col);
        let mut cand = Candidate::new(TableKey::Appeals, sheet, (r0, c0));
        // Each group: its header cell; the litigation groups sit right of review, one or two rows down.
        let mut groups: Vec<(&'static RowSpec, u32, u32)> = vec![(&spec.rows[0], r0, c0)];
        let mut min_col = c0;
        for row in &spec.rows[1..] {
            let cores = cores_of(row.label);
            let hit = ix
                .texts
                .iter()
                .filter(|t| {
                    (r0..=r0 + 2).contains(&t.row) && t.col > min_col && cores.contains(&t.core)
                })
                .min_by_key(|t| t.col);
            if let Some(t) = hit {
                groups.push((row, t.row, t.col));
                min_col = t.col;
            }
        }
        let mut found: Vec<(&'static RowSpec, &'static ColSpec, u32, u32)> = Vec::new();
        for (i, &(row, gr, gc)) in groups.iter().enumerate() {
            let span_end = ix
                .sheet
                .merge_at(gr, gc)
                .filter(|m| m.last_col > gc)
                .map_or(gc + 4, |m| m.last_col);
            let span_end = groups
                .get(i + 1)
                .map_or(span_end, |g| span_end.min(g.2.saturating_sub(1)));
            // The five labels stand side by side on one row below the group header.
            let all: Vec<&String> = row.columns.iter().flat_map(col_cores).collect();
            let label_row = ix
                .texts
                .iter()
                .filter(|t| t.row > gr && t.row <= gr + 3 && (gc..=span_end).contains(&t.col))
                .filter(|t| all.contains(&&t.core))
                .map(|t| t.row)
                .min();
            for c in row.columns {
                let cores = col_cores(c);
                let hit = ix.texts.iter().find(|t| {
                    Some(t.row) == label_row
                        && (gc..=span_end).contains(&t.col)
                        && cores.contains(&t.core)
                });
                match hit {
                    Some(t) => found.push((row, c, t.row, t.col)),
                    None => cand.missing_cols.push((c, (gr, gc))),
                }
            }
        }
        let Some(data_row) = found.iter().map(|f| f.2).max().map(|r| r + 1) else {
            continue;
        };
        for (row, c, _, col) in &found {
            cand.cells.insert((row.key, c.key), (data_row, *col));
        }
        cand.rows_found = groups.iter().map(|g| g.0.key).collect();
        // A table, not a list of labels: at least three labels side by side under 行政复议.
        if found.iter().filter(|f| f.0.key == spec.rows[0].key).count() >= 3 {
            out.push(cand);
        }
    }
    out
}

// ---------------------------------------------------------------- version

struct Evidence {
    clue: VersionClue,
    visible: bool,
}

/// The version marks normalised, and the core of 2019's （六）其他处理, computed once.
static VERSION_MARKS: LazyLock<(Vec<(String, FormatVersion)>, String)> = LazyLock::new(|| {
    let marks = VERSION_EVIDENCE
        .iter()
        .map(|(l, v)| (norm(l), *v))
        .collect();
    (marks, core("（六）其他处理"))
});

fn version_evidence(ixs: &[Indexed]) -> Vec<Evidence> {
    let (marks, other_core) = &*VERSION_MARKS;
    let mut out = Vec::new();
    for ix in ixs {
        for t in &ix.texts {
            // Short cells only: a label, not a sentence of prose that quotes it.
            let hit = marks.iter().find(|(m, _)| {
                t.norm.contains(m.as_str()) && t.norm.chars().count() <= m.chars().count() + 40
            });
            let hit = hit.map(|(_, v)| *v).or_else(|| {
                let other_core = other_core.as_str();
                // A single numeric （六）其他处理 row of table 三 means 2019: the label, then
                // numbers in the applicant columns (at least three, some may be blank).
                (t.core.ends_with(other_core) && t.core.len() <= other_core.len() + 30 && {
                    let right: Vec<bool> = ix
                        .sheet
                        .cells
                        .range((t.row, t.col + 1)..(t.row, u32::MAX))
                        .map(|(_, v)| matches!(parse_cell(Some(v)), Parsed::Number { .. }))
                        .collect();
                    right.first() == Some(&true) && right.iter().filter(|n| **n).count() >= 3
                })
                .then_some(FormatVersion::V2019)
            });
            if let Some(version) = hit {
                out.push(Evidence {
                    clue: VersionClue {
                        cell: ix.cell(t.row, t.col),
                        label: t.raw.to_string(),
                        version,
                    },
                    visible: ix.sheet.visible,
                });
            }
        }
    }
    out
}

fn decide_version(
    grid: &Grid,
    evidence: &[Evidence],
    opts: &ReadOptions,
) -> Result<FormatVersion, ReadError> {
    // Visible sheets speak first; hidden ones only when no visible sheet says anything.
    let visible: Vec<&Evidence> = evidence.iter().filter(|e| e.visible).collect();
    let pool: Vec<&Evidence> = if visible.is_empty() {
        evidence.iter().collect()
    } else {
        visible
    };
    let first = pool.first().map(|e| &e.clue);
    let other = pool
        .iter()
        .map(|e| &e.clue)
        .find(|c| Some(c.version) != first.map(|f| f.version));
    if let (Some(a), Some(b)) = (first, other) {
        return Err(ReadError::VersionConflict {
            path: grid.source.clone(),
            first: Box::new(a.clone()),
            second: Box::new(b.clone()),
        });
    }
    first
        .map(|c| c.version)
        .or(opts.format)
        .ok_or_else(|| ReadError::VersionUnknown {
            path: grid.source.clone(),
        })
}

// ---------------------------------------------------------------- metadata

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

type Found<T> = Option<(T, CellRef)>;

fn find_meta(ixs: &[Indexed]) -> (Found<String>, Found<u16>) {
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

// ---------------------------------------------------------------- assembling

/// Locate the tables of a grid and build the report with its reading findings.
pub fn locate(grid: &Grid, opts: &ReadOptions) -> Result<(Report, Vec<Diagnostic>), ReadError> {
    let ixs: Vec<Indexed> = grid.sheets.iter().map(Indexed::new).collect();
    let file = grid.source.as_str();
    let evidence = version_evidence(&ixs);
    let mut findings = Vec::new();

    // Without any evidence, still tell "no tables at all" apart from "version unknown".
    let version = match decide_version(grid, &evidence, opts) {
        Ok(v) => v,
        Err(ReadError::VersionUnknown { .. }) => {
            let any = FormatVersion::ALL.iter().any(|v| {
                ixs.iter().enumerate().any(|(i, ix)| {
                    !find_requests(ix, i, *v).is_empty() || !find_appeals(ix, i, *v).is_empty()
                })
            });
            return Err(if any {
                ReadError::VersionUnknown { path: file.into() }
            } else {
                ReadError::NoTables { path: file.into() }
            });
        }
        Err(e) => return Err(e),
    };

    let mut chosen: Vec<Candidate> = Vec::new();
    for table in TableKey::ALL {
        let finder = match table {
            TableKey::Proactive => find_proactive,
            TableKey::Requests => find_requests,
            TableKey::Appeals => find_appeals,
        };
        let mut cands: Vec<Candidate> = ixs
            .iter()
            .enumerate()
            .flat_map(|(i, ix)| finder(ix, i, version))
            .collect();
        let (visible, hidden): (Vec<Candidate>, Vec<Candidate>) =
            cands.drain(..).partition(|c| grid.sheets[c.sheet].visible);
        let pick = if visible.is_empty() {
            hidden
        } else {
            for h in &hidden {
                let s = &grid.sheets[h.sheet];
                findings.push(
                    Diagnostic::new(
                        Rule::I8,
                        file,
                        format!(
                            "隐藏工作表'{}'中也有{}，已忽略，以可见工作表为准",
                            s.name,
                            table.short()
                        ),
                    )
                    .at(Some(&CellRef::new(s.name.clone(), h.anchor.0, h.anchor.1)))
                    .help("如隐藏工作表才是本年数据，请取消隐藏并删除或隐藏另一份。"),
                );
            }
            visible
        };
        let mut pick = pick.into_iter();
        let Some(first) = pick.next() else {
            continue;
        };
        if let Some(second) = pick.next() {
            let at = |c: &Candidate| {
                CellRef::new(grid.sheets[c.sheet].name.clone(), c.anchor.0, c.anchor.1)
            };
            return Err(ReadError::AmbiguousTable {
                path: file.into(),
                table,
                first: at(&first),
                second: at(&second),
            });
        }
        if !grid.sheets[first.sheet].visible {
            let s = &grid.sheets[first.sheet];
            findings.push(
                Diagnostic::new(
                    Rule::I8,
                    file,
                    format!(
                        "{}只在隐藏工作表'{}'中找到，已使用该工作表",
                        table.short(),
                        s.name
                    ),
                )
                .at(Some(&CellRef::new(
                    s.name.clone(),
                    first.anchor.0,
                    first.anchor.1,
                )))
                .help("请确认隐藏工作表中是本年数据；如不是，请把本年数据放在可见工作表中。"),
            );
        }
        chosen.push(first);
    }
    if chosen.is_empty() {
        return Err(ReadError::NoTables { path: file.into() });
    }

    let (found_agency, found_year) = find_meta(&ixs);
    let meta = Meta {
        agency: opts
            .agency
            .clone()
            .or_else(|| found_agency.as_ref().map(|a| a.0.clone())),
        year: opts.year.or(found_year.as_ref().map(|y| y.0)),
        format: version,
        source: file.to_string(),
        agency_cell: found_agency.filter(|_| opts.agency.is_none()).map(|a| a.1),
        year_cell: found_year.filter(|_| opts.year.is_none()).map(|y| y.1),
    };
    if meta.agency.is_none() || meta.year.is_none() {
        let what = match (meta.agency.is_none(), meta.year.is_none()) {
            (true, true) => "单位名称和统计年度",
            (true, false) => "单位名称",
            _ => "统计年度",
        };
        findings.push(
            Diagnostic::new(Rule::I9, file, format!("未找到{what}"))
                .help("请在表头填写“填报单位：…”“统计年度：…”，或用 --agency / --year 指定。"),
        );
    }

    let mut report = Report::empty(meta);
    for table in TableKey::ALL {
        let Some(cand) = chosen.iter().find(|c| c.table == table) else {
            findings.push(
                Diagnostic::new(Rule::I1, file, format!("未找到{}", table.short()))
                    .help(format!("请补充“{}”，并保留原始行列标签。", table.title())),
            );
            continue;
        };
        let ix = &ixs[cand.sheet];
        let spec = version.spec().table(table);
        for row in spec
            .rows
            .iter()
            .filter(|r| !cand.rows_found.contains(&r.key))
        {
            findings.push(
                Diagnostic::new(
                    Rule::I2,
                    file,
                    format!("{}缺少行“{}”", table.short(), row_title(row)),
                )
                .at(Some(&ix.cell(cand.anchor.0, cand.anchor.1)))
                .help("请按官方格式补上该行，行标签文字须与格式一致。"),
            );
        }
        let mut reported_cols: Vec<&str> = Vec::new();
        for (c, at) in &cand.missing_cols {
            if reported_cols.contains(&c.key) {
                continue;
            }
            reported_cols.push(c.key);
            findings.push(
                Diagnostic::new(
                    Rule::I3,
                    file,
                    format!("{}缺少列“{}”", table.short(), c.label),
                )
                .at(Some(&ix.cell(at.0, at.1)))
                .help("请按官方格式补上该列，列标题文字须与格式一致。"),
            );
        }
        let fields = version.spec().fields().enumerate();
        for (i, f) in fields.filter(|(_, f)| f.table == table) {
            let Some(&(r, col)) = cand.cells.get(&(f.row.key, f.col.key)) else {
                continue;
            };
            let at = ix.cell(r, col);
            let value = read_value(ix.sheet.get(r, col), f.col, at, f.row, file, &mut findings);
            report.values_mut()[i] = value;
        }
    }
    Ok((report, findings))
}

fn row_title(row: &RowSpec) -> String {
    match row.group {
        Some(g) if !row.label.starts_with(['（', '一', '二', '四']) => {
            format!("{g} {}", row.label)
        }
        _ => row.label.to_string(),
    }
}

/// One cell → one value, with the reading findings it deserves.
fn read_value(
    cell: Option<&CellValue>,
    col: &ColSpec,
    at: CellRef,
    row: &RowSpec,
    file: &str,
    findings: &mut Vec<Diagnostic>,
) -> Value {
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

#[cfg(test)]
mod tests {
    //! Grids are built in code, drawn like this (2021, tables at C5 on one sheet, two label
    //! columns for table 三, group label repeated):
    //!
    //! ```text
    //!      C                       D              E        …
    //!  5 │ 第二十条第（一）项
    //!  6 │ 信息内容              │ 本年制发件数 │ 本年废止件数 │ 现行有效件数
    //!  7 │ 规章                  │ 0            │ 0            │ 0
    //!  …
    //! 30 │ (note)     │          │ 申请人情况
    //! 31 │            │          │ 自然人 │ 法人或其他组织 │ … │ 总计
    //! 32 │            │          │        │ 商业企业 │ … │ 其他
    //! 33 │ 一、本年新收…         │ │ 7 │ 1 │ 0 │ …
    //! ```
    use super::*;
    use crate::model::spec::{ORG_HEADER, REQUESTS_NOTE};
    use crate::read::grid::Sheet;

    /// Values: every field gets `base + index` so a misplaced read shows up.
    fn value_of(i: usize) -> i64 {
        (i as i64 * 7) % 23
    }

    struct Builder {
        sheet: Sheet,
        row: u32,
        col: u32,
    }

    impl Builder {
        fn new(name: &str, row: u32, col: u32) -> Self {
            Builder {
                sheet: Sheet::new(name),
                row,
                col,
            }
        }
        fn text(&mut self, r: u32, c: u32, s: &str) {
            self.sheet.set(r, c, CellValue::Text(s.to_string()));
        }
        fn proactive(
            &mut self,
            version: FormatVersion,
            values: &mut impl Iterator<Item = CellValue>,
        ) {
            let spec = version.spec().table(TableKey::Proactive);
            let mut section = None;
            for row in spec.rows {
                if row.section != section {
                    section = row.section;
                    let (r, c) = (self.row, self.col);
                    self.text(r, c, row.section.unwrap());
                    self.text(r + 1, c, "信息内容");
                    for (i, col) in row.columns.iter().enumerate() {
                        self.text(r + 1, c + 1 + i as u32, col.label);
                    }
                    self.row += 2;
                }
                let (r, c) = (self.row, self.col);
                self.text(r, c, row.label);
                for (i, col) in row.columns.iter().enumerate() {
                    let v = match (values.next().unwrap(), col.kind) {
                        // a bare amount has no unit: say 元, as agencies are asked to
                        (CellValue::Int(n), ValueKind::Money { header_unit: None }) => {
                            CellValue::Text(format!("{n}元"))
                        }
                        (v, _) => v,
                    };
                    self.sheet.set(r, c + 1 + i as u32, v);
                }
                self.row += 1;
            }
            self.row += 1;
        }
        /// Table 三 with `label_cols` label columns (1, 2 or 3), group labels repeated.
        fn requests(
            &mut self,
            version: FormatVersion,
            label_cols: u32,
            values: &mut impl Iterator<Item = CellValue>,
        ) {
            let spec = version.spec().table(TableKey::Requests);
            let (r, c) = (self.row, self.col);
            let d = c + label_cols; // first data column
            self.text(r, c, REQUESTS_NOTE);
            self.text(r, d, "申请人情况");
            self.text(r + 1, d, "自然人");
            self.text(r + 1, d + 1, ORG_HEADER);
            self.text(r + 1, d + 6, "总计");
            for (i, col) in spec.rows[0].columns[1..6].iter().enumerate() {
                self.text(r + 2, d + 1 + i as u32, col.label);
            }
            self.row += 3;
            for row in spec.rows {
                let r = self.row;
                let parts: Vec<&str> = row.group.into_iter().chain([row.label]).collect();
                match (label_cols, parts.as_slice()) {
                    (1, p) => self.text(r, c, &p.join("")),
                    (_, [only]) => self.text(r, c, only),
                    (2, [g, item]) => {
                        self.text(r, c, g);
                        self.text(r, c + 1, item);
                    }
                    (_, [g, item]) => {
                        // three columns: the results group, then the sub-group, then the item
                        if *g == crate::model::spec::RESULTS_GROUP {
                            self.text(r, c, g);
                            self.text(r, c + 1, item);
                        } else {
                            self.text(r, c, crate::model::spec::RESULTS_GROUP);
                            self.text(r, c + 1, g);
                            self.text(r, c + 2, item);
                        }
                    }
                    _ => unreachable!(),
                }
                for i in 0..7 {
                    self.sheet.set(r, d + i, values.next().unwrap());
                }
                self.row += 1;
            }
            self.row += 1;
        }
        fn appeals(&mut self, values: &mut impl Iterator<Item = CellValue>) {
            let (r, c) = (self.row, self.col);
            let labels = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
            self.text(r, c, "行政复议");
            self.text(r, c + 5, "行政诉讼");
            self.text(r + 1, c + 5, "未经复议直接起诉");
            self.text(r + 1, c + 10, "复议后起诉");
            for (i, l) in labels.iter().enumerate() {
                self.text(r + 1, c + i as u32, l);
                self.text(r + 2, c + 5 + i as u32, l);
                self.text(r + 2, c + 10 + i as u32, l);
            }
            for i in 0..15 {
                self.sheet.set(r + 3, c + i, values.next().unwrap());
            }
            self.row += 5;
        }
    }

    fn numbers(version: FormatVersion) -> impl Iterator<Item = CellValue> {
        (0..version.spec().field_count()).map(|i| CellValue::Int(value_of(i)))
    }

    fn grid(sheets: Vec<Sheet>) -> Grid {
        Grid {
            source: "test.xlsx".into(),
            sheets,
        }
    }

    fn one_sheet(version: FormatVersion, label_cols: u32) -> Sheet {
        let mut b = Builder::new("Sheet1", 4, 2); // tables start at C5
        b.text(
            0,
            2,
            "XX区人力资源和社会保障局2021年政府信息公开工作年度报告统计表",
        );
        let mut vals = numbers(version);
        b.proactive(version, &mut vals);
        b.requests(version, label_cols, &mut vals);
        b.appeals(&mut vals);
        b.sheet
    }

    fn assert_values_in_order(report: &Report) {
        for (i, (f, v)) in report.iter().enumerate() {
            assert_eq!(
                v.status,
                Status::Filled,
                "{:?} {} {}",
                f.table,
                f.row.key,
                f.col.key
            );
            assert_eq!(
                v.as_count(),
                Some(value_of(i)),
                "{:?} {} {}",
                f.table,
                f.row.key,
                f.col.key
            );
        }
    }

    #[test]
    fn official_layout_at_offset_both_versions_all_label_column_counts() {
        for version in FormatVersion::ALL {
            for label_cols in 1..=3 {
                let (report, findings) = locate(
                    &grid(vec![one_sheet(version, label_cols)]),
                    &ReadOptions::default(),
                )
                .unwrap();
                assert_eq!(report.meta.format, version);
                assert!(findings.is_empty(), "{version} {label_cols}: {findings:#?}");
                assert_values_in_order(&report);
                assert_eq!(
                    report.meta.agency.as_deref(),
                    Some("XX区人力资源和社会保障局")
                );
                assert_eq!(report.meta.year, Some(2021));
            }
        }
    }

    #[test]
    fn source_cells_are_absolute() {
        let (report, _) = locate(
            &grid(vec![one_sheet(FormatVersion::V2021, 2)]),
            &ReadOptions::default(),
        )
        .unwrap();
        let v = report
            .get(TableKey::Proactive, "regulations", "issued")
            .unwrap();
        // C5 title, C6 header, C7 规章 → D7
        assert_eq!(v.source.as_ref().unwrap().qualified(), "'Sheet1'!D7");
    }

    #[test]
    fn tables_on_separate_sheets_with_notes_sheet() {
        let version = FormatVersion::V2019;
        let mut vals = numbers(version);
        let mut notes = Builder::new("说明", 0, 0);
        notes.text(
            0,
            0,
            "填表说明：自然人、法人或其他组织的申请均应计入表三。行政复议与行政诉讼见表四。",
        );
        let mut a = Builder::new("表二", 2, 1);
        a.proactive(version, &mut vals);
        let mut b = Builder::new("表三", 0, 0);
        b.requests(version, 3, &mut vals);
        let mut c = Builder::new("表四", 3, 3);
        c.appeals(&mut vals);
        let (report, findings) = locate(
            &grid(vec![notes.sheet, a.sheet, b.sheet, c.sheet]),
            &ReadOptions::default(),
        )
        .unwrap();
        assert_values_in_order(&report);
        assert_eq!(
            findings.iter().map(|f| f.rule.code()).collect::<Vec<_>>(),
            vec!["I9"]
        );
    }

    #[test]
    fn hidden_copy_is_ignored_with_a_warning_and_two_visible_copies_are_an_error() {
        let mut hidden = one_sheet(FormatVersion::V2021, 2);
        hidden.name = "上年".into();
        hidden.visible = false;
        for v in hidden.cells.values_mut() {
            if let CellValue::Int(i) = v {
                *i += 100;
            }
        }
        let (report, findings) = locate(
            &grid(vec![hidden.clone(), one_sheet(FormatVersion::V2021, 2)]),
            &ReadOptions::default(),
        )
        .unwrap();
        assert_values_in_order(&report);
        assert_eq!(findings.iter().filter(|f| f.rule.code() == "I8").count(), 3);

        hidden.visible = true;
        let err = locate(
            &grid(vec![hidden, one_sheet(FormatVersion::V2021, 2)]),
            &ReadOptions::default(),
        )
        .unwrap_err();
        assert_eq!(err.kind(), "ambiguous_table");
    }

    #[test]
    fn conflicting_version_labels_are_an_error_naming_both_cells() {
        let mut a = Builder::new("表二", 0, 0);
        a.proactive(FormatVersion::V2019, &mut numbers(FormatVersion::V2019));
        let mut b = Builder::new("表三", 0, 0);
        b.requests(FormatVersion::V2021, 2, &mut numbers(FormatVersion::V2021));
        let err = locate(&grid(vec![a.sheet, b.sheet]), &ReadOptions::default()).unwrap_err();
        match err {
            ReadError::VersionConflict { first, second, .. } => {
                assert_eq!(first.cell.sheet, "表二");
                assert_eq!(second.cell.sheet, "表三");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn missing_row_and_unreadable_cells_are_findings() {
        let mut s = one_sheet(FormatVersion::V2021, 2);
        // drop the 2.重复申请 row label, make one cell text, one a formula, one blank
        let key = s
            .cells
            .iter()
            .find(|(_, v)| matches!(v, CellValue::Text(t) if t == "2.重复申请"))
            .map(|(k, _)| *k)
            .unwrap();
        s.cells.remove(&key);
        let (r, c) = (key.0, key.1 + 1);
        s.set(r - 1, c, CellValue::Text("见附件".into()));
        s.set(
            r - 2,
            c,
            CellValue::FormulaNotCalculated("SUM(E1:E2)".into()),
        );
        s.cells.remove(&(r - 3, c));
        let (report, findings) = locate(&grid(vec![s]), &ReadOptions::default()).unwrap();
        let rules: Vec<&str> = findings.iter().map(|f| f.rule.code()).collect();
        assert_eq!(rules, vec!["I2", "I7", "I4"], "{findings:#?}");
        let dup = report
            .get(TableKey::Requests, "rejected_duplicate", "total")
            .unwrap();
        assert_eq!(dup.status, Status::Missing);
        let blank = report
            .get(
                TableKey::Requests,
                "unavailable_needs_creation",
                "natural_person",
            )
            .unwrap();
        assert_eq!(blank.status, Status::Blank);
    }

    #[test]
    fn no_tables_and_unknown_version() {
        let mut s = Sheet::new("Sheet1");
        s.set(0, 0, CellValue::Text("会议纪要".into()));
        assert_eq!(
            locate(&grid(vec![s]), &ReadOptions::default())
                .unwrap_err()
                .kind(),
            "no_tables"
        );
        let mut b = Builder::new("表四", 0, 0);
        b.appeals(&mut numbers(FormatVersion::V2021));
        let g = grid(vec![b.sheet]);
        assert_eq!(
            locate(&g, &ReadOptions::default()).unwrap_err().kind(),
            "version_unknown"
        );
        let opts = ReadOptions {
            format: Some(FormatVersion::V2021),
            ..Default::default()
        };
        let (_, findings) = locate(&g, &opts).unwrap();
        let rules: Vec<&str> = findings.iter().map(|f| f.rule.code()).collect();
        assert_eq!(rules, vec!["I9", "I1", "I1"]);
    }
}

//! The concatenated text form: a report's tables flattened into its prose with the cells run
//! together, no separator between them (`一、本年新收政府信息公开申请数量 713000074二、上年结转…`),
//! as some archivers' text dumps give it. Read only when a text has no table in the ordinary
//! forms, and read **without guessing**:
//!
//! - a row is found by its label, in the official order of its table (both formats are tried,
//!   the one whose labels are found more often is used); what stands between one row's label
//!   and the next must be the row's numbers, then only what the official table prints there
//!   (the next row's group label, sub-table title, column headers and ordinal), else the row
//!   is not read;
//! - a run of digits followed by `N.` gives its trailing digits `N` back to the next label (its
//!   ordinal: `00000002.其他法律…` is `0000000`, then `2.其他法律…`);
//! - the numbers of a row are taken as they are when spaces separate them into as many as the
//!   row has cells; a single run is split into the row's cells only when exactly one split
//!   satisfies the row's own constraints ([`split`]): table 三's seven cells with 总计 = the sum
//!   of the other six, table 四's three groups of four with their 总计; no multi-digit value
//!   with a leading zero. A row of table 二 (no sum) is split only when the run has exactly as
//!   many digits as the row has cells, or the row has one cell;
//! - a row that splits in several ways or in none keeps its cells with the run and a reason
//!   ([`Cell::unread`]): the locate step reports each as not read (I4), never a guess.
//!
//! The search is bounded: runs longer than [`MAX_RUN`] digits are not split, the split search
//! prunes by the sum and stops after [`BUDGET`] steps, and each next label is looked for only
//! within [`WINDOW`] bytes.

use super::{Cell, Placed, RIGHT};
use crate::model::spec::LITIGATION_HEADER;
use crate::model::{FormatVersion, Paragraph, Place, RowSpec, TableKey};
use crate::read::normalize::{enumeration_prefix_len, norm};

/// Table 四's five column labels (`结果维持` … `总计`), as each group prints them.
fn appeal_labels() -> Vec<&'static str> {
    FormatVersion::V2021.spec().table(TableKey::Appeals).rows[0]
        .columns
        .iter()
        .map(|c| c.label)
        .collect()
}

/// The longest digit run split by its row's sums (seven cells of up to eight digits); a longer
/// one is not split.
pub(super) const MAX_RUN: usize = 60;
/// The most digits one value may have (R5's bound, 10^15).
const MAX_DIGITS: usize = 15;
/// The most steps one split search may take.
pub(super) const BUDGET: u32 = 100_000;
/// How far (bytes of normalised text) after one row's label the next one is looked for.
const WINDOW: usize = 1200;

/// The constraints of a row's cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind<'a> {
    /// Groups of parts, each followed by its total (table 三: `[6]`; table 四: `[4, 4, 4]`).
    Sums(&'a [usize]),
    /// `n` cells with no sum between them (table 二).
    Plain(usize),
}

impl Kind<'_> {
    fn width(self) -> usize {
        match self {
            Kind::Sums(g) => g.iter().map(|n| n + 1).sum(),
            Kind::Plain(n) => n,
        }
    }
}

/// How a row's numbers split into its cells.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Split {
    /// Exactly one way: the cells' texts.
    One(Vec<String>),
    /// More than one way: the first two found (fewer when the format rule, not the digits,
    /// makes the run ambiguous).
    Many(Vec<Vec<String>>),
    /// No way satisfies the row.
    Impossible,
    /// The run is longer than [`MAX_RUN`] digits, or the search ran out of [`BUDGET`].
    TooLong,
}

/// Split a row's numbers (whitespace-separated tokens as found) into its cells.
pub(super) fn split(tokens: &[&str], kind: Kind) -> Split {
    let n = kind.width();
    if tokens.len() == n {
        return Split::One(tokens.iter().map(|t| t.to_string()).collect());
    }
    match (tokens, kind) {
        ([run], _) => split_run(run, kind),
        // Table 四 with each group's run on its own.
        (_, Kind::Sums(groups)) if tokens.len() == groups.len() && groups.len() > 1 => {
            let mut cells = Vec::new();
            for (t, g) in tokens.iter().zip(groups) {
                match split_run(t, Kind::Sums(std::slice::from_ref(g))) {
                    Split::One(c) => cells.extend(c),
                    other => return other,
                }
            }
            Split::One(cells)
        }
        _ => Split::Impossible,
    }
}

fn split_run(run: &str, kind: Kind) -> Split {
    let d = run.as_bytes();
    let digits = !d.is_empty() && d.iter().all(u8::is_ascii_digit);
    match kind {
        Kind::Plain(1) => {
            if d.is_empty() {
                Split::Impossible
            } else {
                Split::One(vec![run.to_string()])
            }
        }
        _ if !digits => Split::Impossible,
        _ if d.len() > MAX_RUN => Split::TooLong,
        Kind::Plain(n) if d.len() == n => Split::One(run.chars().map(|c| c.to_string()).collect()),
        Kind::Plain(n) if d.len() < n => Split::Impossible,
        Kind::Plain(n) => {
            let mut found = Vec::new();
            let mut budget = BUDGET;
            plain_examples(d, n, &mut Vec::new(), &mut found, &mut budget);
            Split::Many(found)
        }
        Kind::Sums(groups) => {
            let mut found = Vec::new();
            let mut budget = BUDGET;
            walk(d, groups, 0, 0, 0, &mut Vec::new(), &mut found, &mut budget);
            match found.len() {
                _ if budget == 0 && found.len() < 2 => Split::TooLong,
                0 => Split::Impossible,
                1 => Split::One(found.remove(0)),
                _ => Split::Many(found),
            }
        }
    }
}

/// The value of a digit slice, when it is one a cell may hold (no leading zero unless it is
/// `0`, at most [`MAX_DIGITS`] digits).
fn value(d: &[u8]) -> Option<u64> {
    if d.is_empty() || d.len() > MAX_DIGITS || d.len() > 1 && d[0] == b'0' {
        return None;
    }
    std::str::from_utf8(d).ok()?.parse().ok()
}

fn digits_of(v: u64) -> usize {
    v.checked_ilog10().map_or(1, |l| l as usize + 1)
}

/// Depth-first over the splits of `d` into `groups` (parts, then their total), collecting up
/// to two. `k` parts of group `g` are chosen, summing to `sum`.
#[allow(clippy::too_many_arguments)]
fn walk(
    d: &[u8],
    groups: &[usize],
    g: usize,
    k: usize,
    sum: u64,
    vals: &mut Vec<String>,
    found: &mut Vec<Vec<String>>,
    budget: &mut u32,
) {
    if found.len() >= 2 || *budget == 0 {
        return;
    }
    *budget -= 1;
    let Some(&parts) = groups.get(g) else {
        if d.is_empty() {
            found.push(vals.clone());
        }
        return;
    };
    if k == parts {
        // The total is the sum, written as such: it is forced.
        let t = sum.to_string();
        if d.starts_with(t.as_bytes()) {
            vals.push(t.clone());
            walk(&d[t.len()..], groups, g + 1, 0, 0, vals, found, budget);
            vals.pop();
        }
        return;
    }
    // Digits the cells after this part need at least: the rest of this group's parts, then
    // each later group's parts and total.
    let later = parts - k - 1 + groups[g + 1..].iter().map(|n| n + 1).sum::<usize>();
    for len in 1..=d.len().min(MAX_DIGITS) {
        let Some(v) = value(&d[..len]) else { break };
        let s = sum.saturating_add(v);
        // The total is at least `s`: it needs its digits after the cells still to come. `s`
        // only grows with `len`, so no longer part fits either.
        if len + later + digits_of(s) > d.len() {
            break;
        }
        vals.push(v.to_string());
        walk(&d[len..], groups, g, k + 1, s, vals, found, budget);
        vals.pop();
        if found.len() >= 2 || *budget == 0 {
            return;
        }
    }
}

/// Up to two splits of `d` into `n` values, for the message of an ambiguous row of table 二.
fn plain_examples(
    d: &[u8],
    n: usize,
    vals: &mut Vec<String>,
    found: &mut Vec<Vec<String>>,
    budget: &mut u32,
) {
    if found.len() >= 2 || *budget == 0 {
        return;
    }
    *budget -= 1;
    if n == 1 {
        if value(d).is_some() {
            vals.push(String::from_utf8_lossy(d).into_owned());
            found.push(vals.clone());
            vals.pop();
        }
        return;
    }
    for len in 1..=d.len().saturating_sub(n - 1).min(MAX_DIGITS) {
        if value(&d[..len]).is_none() {
            break;
        }
        vals.push(String::from_utf8_lossy(&d[..len]).into_owned());
        plain_examples(&d[len..], n - 1, vals, found, budget);
        vals.pop();
    }
}

/// A paragraph's text for matching: [`norm`]alised char by char, each whitespace run kept as
/// one space (it separates numbers).
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else if c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            out.push(c);
        } else {
            out.push_str(&norm(c.encode_utf8(&mut buf)));
        }
    }
    out
}

/// The largest char boundary of `s` at or before `i`.
fn floor(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A label's [`norm`] split into its enumeration marker and the rest (`1.属于国家秘密` →
/// `1.`, `属于国家秘密`).
fn split_enum(label: &str) -> (String, String) {
    let n = norm(label);
    let k = enumeration_prefix_len(&n);
    (n[..k].to_string(), n[k..].to_string())
}

/// A row found in the text: which row of the spec, where its label starts and ends.
struct Found {
    row: &'static RowSpec,
    start: usize,
    end: usize,
}

/// The earliest place in `s[from..to]` where one of the row's labels (without its ordinal)
/// stands; at one place, the longest label.
fn find_row(s: &str, from: usize, to: usize, row: &'static RowSpec) -> Option<Found> {
    let hay = &s[from..to];
    std::iter::once(row.label)
        .chain(row.aliases.iter().copied())
        .filter_map(|l| {
            let (_, bare) = split_enum(l);
            let at = hay.find(&bare)?;
            Some((at, bare.len()))
        })
        .min_by_key(|&(at, len)| (at, std::cmp::Reverse(len)))
        .map(|(at, len)| Found {
            row,
            start: from + at,
            end: from + at + len,
        })
}

/// The rows of one table found in order from `from`: the first anywhere after it, each next
/// within [`WINDOW`] of the one before.
fn find_rows(s: &str, from: usize, rows: &'static [RowSpec]) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for row in rows {
        let (lo, hi) = match out.last() {
            Some(f) => (f.end, floor(s, f.end + WINDOW)),
            None => (from, s.len()),
        };
        if let Some(f) = find_row(s, lo, hi, row) {
            out.push(f);
        }
    }
    out
}

/// The numbers at the start of `b` (digits, a decimal point between digits; spaces between
/// numbers separate them) and what follows them.
fn numbers(b: &str) -> (Vec<&str>, &str) {
    let b = b.trim_start();
    let d = b.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < d.len() && d[i].is_ascii_digit() {
        let start = i;
        while i < d.len() && d[i].is_ascii_digit() {
            i += 1;
        }
        if i + 1 < d.len() && d[i] == b'.' && d[i + 1].is_ascii_digit() {
            i += 1;
            while i < d.len() && d[i].is_ascii_digit() {
                i += 1;
            }
        }
        tokens.push(&b[start..i]);
        if i + 1 < d.len() && d[i] == b' ' && d[i + 1].is_ascii_digit() {
            i += 1;
        }
    }
    (tokens, &b[i..])
}

/// What the official table prints between one row's numbers and the next row's label, in
/// order, each optional: the next row's group label, its sub-table title, `信息内容` and its
/// column labels (table 二), its ordinal.
fn glue_ok(rest: &str, this: &RowSpec, next: &RowSpec, ordinal_given: bool) -> bool {
    let owned: String = rest.chars().filter(|c| *c != ' ').collect();
    let mut rest = owned.as_str();
    let mut pieces: Vec<Vec<String>> = Vec::new();
    if let Some(g) = next.group.filter(|&g| Some(g) != this.group) {
        pieces.push(vec![norm(g)]);
    }
    if let Some(sec) = next.section.filter(|&s| Some(s) != this.section) {
        pieces.push(vec![norm(sec)]);
        pieces.push(vec![norm("信息内容")]);
        for c in next.columns {
            let mut names: Vec<String> = std::iter::once(c.label)
                .chain(c.aliases.iter().copied())
                .map(norm)
                .collect();
            names.sort_by_key(|n| std::cmp::Reverse(n.len()));
            pieces.push(names);
        }
    }
    if !ordinal_given {
        let (ord, _) = split_enum(next.label);
        if !ord.is_empty() {
            pieces.push(vec![ord]);
        }
    }
    for names in &pieces {
        if let Some(n) = names.iter().find(|n| rest.starts_with(n.as_str())) {
            rest = &rest[n.len()..];
        }
    }
    rest.is_empty()
}

/// A row's cells read from the text: its numbers split, or the reason they are not.
struct RowValues {
    /// The numbers as found, for the cells of a row not read.
    run: String,
    split: Split,
}

/// The numbers after each found row's label, up to the next found row.
fn row_values(s: &str, rows: &[Found], kind: impl Fn(&RowSpec) -> Kind<'static>) -> Vec<RowValues> {
    let mut out = Vec::new();
    for (i, f) in rows.iter().enumerate() {
        let next = rows.get(i + 1);
        let to = next.map_or(floor(s, f.end + WINDOW), |n| n.start);
        let (mut tokens, mut rest) = numbers(&s[f.end..to]);
        let mut ok = true;
        let mut ordinal_given = false;
        if let Some(n) = next {
            // `0000000` `2.` `其他…`: the run's last digits are the next row's ordinal.
            let (ord, _) = split_enum(n.row.label);
            let digits = ord.trim_end_matches(['.', '、']);
            let glued = rest.starts_with(['.', '、']);
            if glued && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                match tokens.last().and_then(|t| t.strip_suffix(digits)) {
                    Some(left) => {
                        if left.is_empty() {
                            tokens.pop();
                        } else if let Some(last) = tokens.last_mut() {
                            *last = left;
                        }
                        rest = &rest[rest.chars().next().map_or(0, char::len_utf8)..];
                        ordinal_given = true;
                    }
                    None => ok = false,
                }
            }
            ok = ok && glue_ok(rest, f.row, n.row, ordinal_given);
        }
        let run = tokens.join(" ");
        let split = if !ok || tokens.is_empty() {
            Split::Impossible
        } else {
            split(&tokens, kind(f.row))
        };
        out.push(RowValues { run, split });
    }
    out
}

/// Lays out the rows of one paragraph, numbering its cells in order (their place in the line).
struct Out {
    line: u32,
    idx: u32,
    rows: Vec<Placed>,
}

impl Out {
    fn cell(&mut self, text: &str, unread: Option<&String>) -> Cell {
        self.idx += 1;
        Cell {
            text: text.to_string(),
            line: self.line,
            idx: self.idx - 1,
            unread: unread.cloned(),
        }
    }

    /// A row whose cells end at [`RIGHT`].
    fn right(&mut self, texts: &[&str]) {
        let n = texts.len() as u32;
        let row = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (RIGHT.saturating_sub(n) + i as u32, self.cell(t, None)))
            .collect();
        self.rows.push(row);
    }

    /// A data row: its labels, then its values (or `width` cells not read), right-aligned.
    fn data(&mut self, labels: &[&str], v: &RowValues, width: usize, why: Option<String>) {
        let n = (labels.len() + width) as u32;
        let first = RIGHT.saturating_sub(n);
        let mut row: Placed = Vec::new();
        for (i, l) in labels.iter().enumerate() {
            row.push((first + i as u32, self.cell(l, None)));
        }
        let shown = shown_run(&v.run);
        for j in 0..width {
            let col = first + (labels.len() + j) as u32;
            let cell = match &v.split {
                Split::One(vals) => self.cell(&vals[j], None),
                _ => self.cell(&shown, why.as_ref()),
            };
            row.push((col, cell));
        }
        self.rows.push(row);
    }
}

/// The run as a cell not read shows it (a long one cut short).
fn shown_run(run: &str) -> String {
    const SHOWN: usize = 40;
    if run.chars().count() > SHOWN {
        format!("{}…", run.chars().take(SHOWN).collect::<String>())
    } else {
        run.to_string()
    }
}

/// Why a row's numbers are not read, for its cells' I4 findings; `sums` when the row's cells
/// have a total to check them by.
fn why(v: &RowValues, width: usize, sums: bool) -> Option<String> {
    let run = shown_run(&v.run);
    let head = "未读取：原文中该行各格的数字首尾相连、没有分隔";
    let digits = v.run.chars().filter(char::is_ascii_digit).count();
    Some(match &v.split {
        Split::One(_) => return None,
        Split::Many(ex) if ex.len() >= 2 => format!(
            "{head}（“{run}”），拆成 {width} 格的方式不止一种（如 {} 或 {}），无法确定",
            ex[0].join("、"),
            ex[1].join("、")
        ),
        Split::Many(_) => format!(
            "{head}（“{run}”），{digits} 位数字、本行 {width} 格，又没有合计可以核对，无法确定如何拆分"
        ),
        Split::TooLong => format!("{head}，数字串过长（{digits} 位），不尝试拆分"),
        Split::Impossible if v.run.is_empty() => {
            "未读取：原文中该行标签之后没有可识别的数字".to_string()
        }
        Split::Impossible if sums => format!(
            "{head}（“{run}”），无法拆成符合本行格式（各格之和等于总计、没有以 0 开头的多位数）的 {width} 格"
        ),
        Split::Impossible => format!("{head}（“{run}”），无法拆成本行的 {width} 格"),
    })
}

/// The tables of the concatenated form in the prose, laid out like the text forms' tables
/// (empty when the prose holds none), and the lines they were found on.
pub(super) fn rows(prose: &[Paragraph]) -> (Vec<Placed>, Vec<u32>) {
    let mut all = Vec::new();
    let mut lines = Vec::new();
    for p in prose {
        let Place::Line(line) = p.place else { continue };
        let s = normalise(&p.text);
        let mut out = Out {
            line,
            idx: 0,
            rows: Vec::new(),
        };
        paragraph(&s, &mut out);
        if !out.rows.is_empty() {
            lines.push(line);
        }
        all.extend(out.rows);
    }
    (all, lines)
}

/// A paragraph of the concatenated form cut where a section heading (`三、收到和处理…`, as
/// [`crate::model::sections`] knows them) follows whitespace: the dump runs the report's
/// paragraphs together as it runs the cells. Each piece keeps the paragraph's line.
pub(super) fn split_at_headings(p: Paragraph) -> Vec<Paragraph> {
    let t = p.text.as_str();
    let mut cuts = vec![0];
    let mut prev_space = false;
    for (i, c) in t.char_indices() {
        let may_start = matches!(
            c,
            '一' | '二' | '三' | '四' | '五' | '六' | '（' | '(' | '第'
        );
        if prev_space && may_start {
            // a heading is judged on its first few dozen characters
            let head = &t[i..floor(t, i + 160)];
            if crate::model::prose::heading_number(head).is_some() {
                cuts.push(i);
            }
        }
        prev_space = c.is_whitespace();
    }
    cuts.push(t.len());
    cuts.windows(2)
        .map(|w| t[w[0]..w[1]].trim())
        .filter(|s| !s.is_empty())
        .map(|s| Paragraph {
            text: s.to_string(),
            place: p.place,
        })
        .collect()
}

fn paragraph(s: &str, out: &mut Out) {
    // Tables 二 and 三 in the format whose labels are found more often.
    let s1 = norm("第二十条第（一）项");
    // A paragraph without any table's first labels is prose: looked at no further.
    if !(s.contains(&s1) || s.contains("申请数量") || s.contains("结果维持")) {
        return;
    }
    let found = |v: FormatVersion| {
        let p = s
            .find(&s1)
            .map(|at| find_rows(s, at + s1.len(), v.spec().table(TableKey::Proactive).rows))
            .unwrap_or_default();
        let r = find_rows(s, 0, v.spec().table(TableKey::Requests).rows);
        (p, r)
    };
    let mut best = found(FormatVersion::V2019);
    let other = found(FormatVersion::V2021);
    if other.0.len() + other.1.len() >= best.0.len() + best.1.len() {
        best = other;
    }
    let (proactive, requests) = best;
    // A single label found is no table.
    if proactive.len() >= 2 {
        let values = row_values(s, &proactive, |r| Kind::Plain(r.columns.len()));
        let mut section = None;
        for (f, v) in proactive.iter().zip(&values) {
            if f.row.section != section {
                section = f.row.section;
                out.right(&[f.row.section.unwrap_or_default()]);
                let mut head = vec!["信息内容"];
                head.extend(f.row.columns.iter().map(|c| c.label));
                out.right(&head);
            }
            let width = f.row.columns.len();
            out.data(&[f.row.label], v, width, why(v, width, false));
        }
    }
    let mut end = proactive.last().map_or(0, |f| f.end);
    if requests.len() >= 2 {
        const SIX: &[usize] = &[6];
        let values = row_values(s, &requests, |_| Kind::Sums(SIX));
        let spec = FormatVersion::V2021.spec().table(TableKey::Requests);
        let header: Vec<&str> = spec.rows[0].columns.iter().map(|c| c.label).collect();
        out.right(&header);
        let mut group = None;
        for (f, v) in requests.iter().zip(&values) {
            let mut labels = Vec::new();
            if f.row.group != group {
                group = f.row.group;
                labels.extend(group);
            }
            labels.push(f.row.label);
            out.data(&labels, v, 7, why(v, 7, true));
        }
        end = requests.last().map_or(end, |f| f.end);
    }
    appeals(s, end, out);
}

/// Table 四: its fifteen column labels in order (group labels between them), then its numbers.
fn appeals(s: &str, from: usize, out: &mut Out) {
    let groups: Vec<String> = [
        "行政复议",
        LITIGATION_HEADER,
        "未经复议直接起诉",
        "复议后起诉",
    ]
    .into_iter()
    .map(norm)
    .collect();
    let labels = appeal_labels();
    let mut at = from;
    let mut first = true;
    for _ in 0..3 {
        for label in &labels {
            let l = norm(label);
            let hi = if first {
                s.len()
            } else {
                floor(s, at + WINDOW)
            };
            let Some(k) = s[at..hi].find(&l) else { return };
            if !first {
                let mut between: String = s[at..at + k].chars().filter(|c| *c != ' ').collect();
                while let Some(g) = groups.iter().find(|g| between.starts_with(g.as_str())) {
                    between.drain(..g.len());
                }
                if !between.is_empty() {
                    return;
                }
            }
            first = false;
            at += k + l.len();
        }
    }
    let (tokens, _) = numbers(&s[at..]);
    if tokens.is_empty() {
        return;
    }
    const FOUR: &[usize] = &[4, 4, 4];
    let v = RowValues {
        run: tokens.join(" "),
        split: split(&tokens, Kind::Sums(FOUR)),
    };
    let fc = RIGHT - 15;
    let mut top = vec![(fc, out.cell("行政复议", None))];
    top.push((fc + 5, out.cell(LITIGATION_HEADER, None)));
    let mut mid: Placed = Vec::new();
    for (j, l) in labels.iter().enumerate() {
        mid.push((fc + j as u32, out.cell(l, None)));
    }
    mid.push((fc + 5, out.cell("未经复议直接起诉", None)));
    mid.push((fc + 10, out.cell("复议后起诉", None)));
    let mut low: Placed = Vec::new();
    for j in 0..10 {
        low.push((fc + 5 + j as u32, out.cell(labels[j % 5], None)));
    }
    out.rows.extend([top, mid, low]);
    out.data(&[], &v, 15, why(&v, 15, true));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(v: &[&str]) -> Split {
        Split::One(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn a_run_splits_when_exactly_one_split_sums() {
        let six = Kind::Sums(&[6]);
        assert_eq!(
            split(&["713000074"], six),
            one(&["71", "3", "0", "0", "0", "0", "74"])
        );
        assert_eq!(
            split(&["0200002"], six),
            one(&["0", "2", "0", "0", "0", "0", "2"])
        );
        assert_eq!(
            split(&["370000037"], six),
            one(&["37", "0", "0", "0", "0", "0", "37"])
        );
        // spaced numbers are taken as they are
        assert_eq!(
            split(&["1", "2", "0", "0", "0", "0", "3"], six),
            one(&["1", "2", "0", "0", "0", "0", "3"])
        );
        // table 四, one run or one run per group
        let four = Kind::Sums(&[4, 4, 4]);
        let cells = [
            "0", "1", "1", "0", "2", "1", "0", "0", "0", "1", "0", "0", "0", "0", "0",
        ];
        assert_eq!(split(&["011021000100000"], four), one(&cells));
        assert_eq!(split(&["01102", "10001", "00000"], four), one(&cells));
    }

    #[test]
    fn an_ambiguous_run_is_not_split() {
        let Split::Many(ex) = split(&["110010012"], Kind::Sums(&[6])) else {
            panic!("ambiguous")
        };
        assert_eq!(ex[0], ["1", "1", "0", "0", "10", "0", "12"]);
        assert_eq!(ex[1], ["1", "10", "0", "1", "0", "0", "12"]);
        // table 二: three cells from seven digits is a guess whatever the digits
        let Split::Many(ex) = split(&["8855698"], Kind::Plain(3)) else {
            panic!("ambiguous")
        };
        assert_eq!(ex[0], ["8", "8", "55698"]);
        assert_eq!(split(&["000"], Kind::Plain(3)), one(&["0", "0", "0"]));
        assert_eq!(split(&["9116.36"], Kind::Plain(1)), one(&["9116.36"]));
    }

    #[test]
    fn an_impossible_run_is_not_split() {
        assert_eq!(split(&["1234567"], Kind::Sums(&[6])), Split::Impossible);
        assert_eq!(split(&["1111111"], Kind::Sums(&[6])), Split::Impossible);
        assert_eq!(split(&["12"], Kind::Plain(3)), Split::Impossible);
        assert_eq!(split(&["1", "2"], Kind::Sums(&[6])), Split::Impossible);
        // a leading zero makes no value: 0|1|…
        assert_eq!(split(&["0100000"], Kind::Sums(&[6])), Split::Impossible);
    }

    #[test]
    fn a_hostile_run_is_bounded() {
        let long = "1".repeat(5000);
        assert_eq!(split(&[&long], Kind::Sums(&[6])), Split::TooLong);
        assert_eq!(split(&[&long], Kind::Plain(3)), Split::TooLong);
        // the longest run split: fast, pruned by the sum (a budget-bound answer at worst)
        let max = "1".repeat(MAX_RUN);
        let t = std::time::Instant::now();
        let r = split(&[&max], Kind::Sums(&[4, 4, 4]));
        assert!(
            matches!(r, Split::Many(_) | Split::TooLong | Split::Impossible),
            "{r:?}"
        );
        let r = split(&[&"9".repeat(MAX_RUN)], Kind::Sums(&[6]));
        assert!(
            matches!(r, Split::Many(_) | Split::TooLong | Split::Impossible),
            "{r:?}"
        );
        assert!(t.elapsed().as_secs() < 5);
    }

    fn read(text: &str) -> Vec<Vec<(String, Option<String>)>> {
        let prose = [Paragraph {
            text: text.to_string(),
            place: Place::Line(3),
        }];
        rows(&prose)
            .0
            .into_iter()
            .map(|r| r.into_iter().map(|(_, c)| (c.text, c.unread)).collect())
            .collect()
    }

    #[test]
    fn an_ordinal_is_given_back_to_the_next_label() {
        let rows = read(
            "一、本年新收政府信息公开申请数量 713000074二、上年结转政府信息公开申请数量 1000001\
             三、本年度办理结果 （一）予以公开 210000021（三）不予公开 1.属于国家秘密0000000\
             2.其他法律行政法规禁止公开 00000003.危及“三安全一稳定” 8855698",
        );
        let texts: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(|c| c.0.as_str()).collect())
            .collect();
        assert_eq!(texts[0][0], "自然人");
        assert_eq!(
            texts[1],
            [
                "一、本年新收政府信息公开申请数量",
                "71",
                "3",
                "0",
                "0",
                "0",
                "0",
                "74"
            ]
        );
        assert_eq!(
            texts[3][..3],
            ["三、本年度办理结果", "（一）予以公开", "21"]
        );
        assert_eq!(texts[4][..3], ["（三）不予公开", "1.属于国家秘密", "0"]);
        assert_eq!(
            texts[5],
            [
                "2.其他法律行政法规禁止公开",
                "0",
                "0",
                "0",
                "0",
                "0",
                "0",
                "0"
            ]
        );
        // the last run has no sum that fits: its cells are not read, the run quoted
        let last = &rows[6];
        assert_eq!(last[1].0, "8855698");
        let why = last[1].1.as_deref().unwrap();
        assert!(why.contains("8855698") && why.contains("无法拆成"), "{why}");
    }

    #[test]
    fn text_between_rows_that_the_table_does_not_print_leaves_the_row_unread() {
        let rows = read(
            "一、本年新收政府信息公开申请数量 713000074 见附件 二、上年结转政府信息公开申请数量 1000001",
        );
        assert!(rows[1][1].1.is_some(), "{rows:?}");
        assert_eq!(rows[2][1].0, "1");
        // an ordinal that is not the next row's
        let rows = read(
            "一、本年新收政府信息公开申请数量 0000000（三）不予公开 \
             1.属于国家秘密00000003.其他法律行政法规禁止公开 0000000",
        );
        assert!(rows[1][1].1.is_none(), "{rows:?}");
        // (三)不予公开 | 1.属于国家秘密 | seven cells not read
        assert_eq!(rows[2][1].0, "1.属于国家秘密");
        assert!(rows[2][2].1.is_some(), "{rows:?}");
        assert!(rows[3][1].1.is_none(), "{rows:?}");
    }

    #[test]
    fn a_paragraph_is_cut_at_the_section_headings_in_it() {
        let p = Paragraph {
            text: "二、主动公开政府信息情况 规章000 三、收到和处理政府信息公开申请情况 713000074 \
                   （三）不予公开 五、存在的主要问题及改进情况 一是… 六、其他需要报告的事项 无。"
                .into(),
            place: Place::Line(4),
        };
        let texts: Vec<String> = split_at_headings(p).into_iter().map(|p| p.text).collect();
        assert_eq!(
            texts,
            [
                "二、主动公开政府信息情况 规章000",
                "三、收到和处理政府信息公开申请情况 713000074 （三）不予公开",
                "五、存在的主要问题及改进情况 一是…",
                "六、其他需要报告的事项 无。"
            ]
        );
    }

    #[test]
    fn a_hostile_run_in_a_text_is_not_split_and_says_so() {
        let text = format!(
            "一、本年新收政府信息公开申请数量 {}二、上年结转政府信息公开申请数量 1000001",
            "7".repeat(100)
        );
        let rows = read(&text);
        let why = rows[1][1].1.as_deref().unwrap();
        assert!(why.contains("过长") && why.contains("100 位"), "{why}");
        assert!(
            rows[1][1].0.chars().count() < 50,
            "the cell shows the run cut short"
        );
        assert_eq!(rows[2][1].0, "1");
        // a run longer than the window between two labels: no table, found quickly
        let text = format!(
            "一、本年新收政府信息公开申请数量 {}二、上年结转政府信息公开申请数量 1000001",
            "7".repeat(200_000)
        );
        let t = std::time::Instant::now();
        assert!(read(&text).is_empty());
        assert!(t.elapsed().as_secs() < 5);
    }
}

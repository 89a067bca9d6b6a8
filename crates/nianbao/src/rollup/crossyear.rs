//! Cross-year checks X1–X3 (FORMATS.md): this year's report against last year's, matched by the
//! normalised agency name. For the region, the same agencies on both sides: the counted agencies
//! that have a report last year, summed this year and last year (`Previous::check_region`), so
//! that an agency missing on one side (left out as invalid, not submitted, new this year) is no
//! mismatch; only when last year is given as a summary alone is the whole total compared with it.

use std::collections::HashMap;

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::batch::{Checked, Input};
use crate::diag::{Diagnostic, Rule};
use crate::model::{FormatVersion, Report, TableKey};
use crate::read::normalize::norm;
use crate::read::ReadOptions;

/// The fields of last year's report that the checks need.
const KEPT: &[(TableKey, &str, &str)] = &[
    (TableKey::Requests, "carried_out", "natural_person"),
    (TableKey::Requests, "carried_out", "commercial"),
    (TableKey::Requests, "carried_out", "research"),
    (TableKey::Requests, "carried_out", "public_interest"),
    (TableKey::Requests, "carried_out", "legal_services"),
    (TableKey::Requests, "carried_out", "other_org"),
    (TableKey::Requests, "carried_out", "total"),
    (TableKey::Proactive, "regulations", "in_force"),
    (TableKey::Proactive, "normative_documents", "in_force"),
    (TableKey::Proactive, "licensing", "prior_items"),
    (TableKey::Proactive, "licensing", "change"),
    (TableKey::Proactive, "other_services", "prior_items"),
    (TableKey::Proactive, "other_services", "change"),
    (TableKey::Proactive, "penalty", "prior_items"),
    (TableKey::Proactive, "penalty", "change"),
    (TableKey::Proactive, "enforcement", "prior_items"),
    (TableKey::Proactive, "enforcement", "change"),
    (TableKey::Proactive, "fees", "prior_items"),
    (TableKey::Proactive, "fees", "change"),
];

/// Last year's numbers of one agency (only the [`KEPT`] fields that its format has and that are known).
#[derive(Debug, Clone, Default)]
pub(crate) struct PrevRecord {
    pub display: String,
    pub year: Option<u16>,
    pub format: Option<FormatVersion>,
    kept: HashMap<(TableKey, &'static str, &'static str), Decimal>,
}

impl PrevRecord {
    fn of(report: &Report) -> Self {
        let kept = KEPT
            .iter()
            .filter_map(|&(t, r, c)| {
                let v = report.get(t, r, c)?;
                v.known().map(|x| ((t, r, c), x))
            })
            .collect();
        PrevRecord {
            display: report.meta.source.clone(),
            year: report.meta.year,
            format: Some(report.meta.format),
            kept,
        }
    }

    fn get(&self, t: TableKey, r: &str, c: &str) -> Option<Decimal> {
        KEPT.iter()
            .find(|k| k.0 == t && k.1 == r && k.2 == c)
            .and_then(|k| self.kept.get(k).copied())
    }
}

/// Last year's reports, by agency.
#[derive(Debug, Default)]
pub struct Previous {
    by_agency: HashMap<String, PrevRecord>,
    /// Last year's summary of the region (a report whose agency is the region name).
    region: Option<PrevRecord>,
    /// Files that could not be used, with the reason (reported as region findings).
    pub problems: Vec<Diagnostic>,
    /// How the caller asks for last year's reports ([`Wording::previous`](crate::wording::Wording)).
    ask: String,
}

impl Previous {
    /// Read last year's files (reports or a summary workbook).
    pub fn load(files: &[Input], read: &ReadOptions, region_name: &str) -> Self {
        let mut prev = Previous {
            ask: read.wording.previous.clone(),
            ..Previous::default()
        };
        let region_key = norm(region_name);
        let checked: Vec<Checked> = files.par_iter().map(|p| p.check(read)).collect();
        let mut seen_twice = Vec::new();
        for c in checked {
            let report = match c.outcome {
                Ok((r, _)) => r,
                Err(e) => {
                    prev.problems.push(
                        Diagnostic::not_checked(
                            Rule::X1,
                            &c.display,
                            format!("上年报表无法读取，未做跨年校验：{e}"),
                        )
                        .help(e.hint(&read.wording)),
                    );
                    continue;
                }
            };
            let rec = PrevRecord::of(&report);
            let Some(agency) = report.meta.agency.as_deref() else {
                continue;
            };
            let key = norm(agency);
            if key == region_key {
                prev.region = Some(rec);
                continue;
            }
            if prev.by_agency.insert(key.clone(), rec).is_some() {
                seen_twice.push(key);
            }
        }
        for key in seen_twice {
            if let Some(r) = prev.by_agency.remove(&key) {
                prev.problems.push(
                    Diagnostic::not_checked(
                        Rule::X1,
                        &r.display,
                        "上年报表中该单位出现不止一份，未做跨年校验".to_string(),
                    )
                    .help("请只提供每个单位一份上年报表。"),
                );
            }
        }
        prev
    }

    /// X1–X3 for one agency's report.
    pub fn check(&self, current: &Report) -> Vec<Diagnostic> {
        let Some(prev) = current
            .meta
            .agency
            .as_deref()
            .and_then(|a| self.by_agency.get(&norm(a)))
        else {
            return Vec::new();
        };
        check_pair(current, prev, &self.ask)
    }

    /// Whether last year has one report of `agency` (by its normalised name) of the year
    /// before `year` (or of no known year): its agency is compared on both sides in
    /// [`check_region`](Self::check_region).
    pub(crate) fn has(&self, agency: &str, year: u16) -> bool {
        self.by_agency
            .get(&norm(agency))
            .is_some_and(|r| r.year.is_none_or(|py| py.checked_add(1) == Some(year)))
    }

    /// X1–X3 for the region, with the problems of last year's files first. With last year's
    /// agency reports: `now.sum` is the sum this year of the counted agencies that last year has
    /// ([`has`](Self::has)); it is compared with the sum of the same agencies' reports last
    /// year, and each finding says how many agencies each side covers. With last year's summary
    /// alone (which agencies it covers is not known), the region's `total` is compared with it
    /// only when no agency is known to be missing this year (`now.left_out` is 0); otherwise the
    /// comparison is reported as not checked.
    pub(crate) fn check_region(&self, total: &Report, now: &RegionNow) -> Vec<Diagnostic> {
        let mut out = self.problems.clone();
        let region = total.meta.source.as_str();
        let year = total.meta.year.unwrap_or_default();
        let counted = now.counted.len();
        let last_year = self.by_agency.len();
        if last_year > 0 {
            let records: Vec<&PrevRecord> = now
                .counted
                .iter()
                .filter(|a| self.has(a, year))
                .filter_map(|a| self.by_agency.get(&norm(a)))
                .collect();
            let m = records.len();
            // counted agencies whose report last year is of another year (each noted on its file)
            let wrong_year = now
                .counted
                .iter()
                .filter(|a| self.by_agency.contains_key(&norm(a)) && !self.has(a, year))
                .count();
            let (Some(current), true) = (&now.sum, m > 0) else {
                let why = if wrong_year > 0 {
                    format!(
                        "本年计入的 {counted} 个单位在上年报表中没有一份 {} 年的报表",
                        year.saturating_sub(1)
                    )
                } else {
                    format!(
                        "本年计入的 {counted} 个单位在上年的 {last_year} 份单位报表中都没有找到"
                    )
                };
                out.push(
                    Diagnostic::not_checked(Rule::X1, region, format!("{why}，未做区域跨年校验"))
                        .help(&self.ask),
                );
                return out;
            };
            let mut prev = PrevRecord {
                display: format!("上年同 {m} 个单位合计"),
                year: records[0].year,
                format: records[0].format,
                ..PrevRecord::default()
            };
            if records.iter().any(|r| r.format != prev.format) {
                prev.format = None; // X2/X3 compare one format's rows only
            }
            for &k in KEPT {
                // known last year only when every matched agency's is known
                let sum = records.iter().try_fold(Decimal::ZERO, |s, r| {
                    r.kept.get(&k).and_then(|v| s.checked_add(*v))
                });
                if let Some(v) = sum {
                    prev.kept.insert(k, v);
                }
            }
            let other_year = if wrong_year > 0 {
                format!("、上年报表年度不符 {wrong_year} 个")
            } else {
                String::new()
            };
            let scope = format!(
                "按两年都有报表的 {m} 个单位比较（本年计入 {counted} 个，其中上年没有报表 {} 个{other_year}；上年有报表 {last_year} 个，其中本年未计入 {} 个）：",
                counted - m - wrong_year,
                last_year - m - wrong_year
            );
            out.extend(scoped(check_pair(current, &prev, &self.ask), &scope));
        } else if let Some(prev) = &self.region {
            if now.left_out > 0 {
                out.push(
                    Diagnostic::not_checked(
                        Rule::X1,
                        region,
                        format!(
                            "上年只有区域汇总表（{}），不知道它包括哪些单位；本年有 {} 个单位未计入合计或未报送，两年的合计不能直接比较，未做区域跨年校验",
                            prev.display, now.left_out
                        ),
                    )
                    .help(&self.ask),
                );
            } else {
                let scope = format!(
                    "区域合计与上年汇总表比较（本年计入 {counted} 个单位，上年汇总表包括的单位数不详）："
                );
                out.extend(scoped(check_pair(total, prev, &self.ask), &scope));
            }
        }
        out
    }
}

/// This year's side of the region's cross-year check ([`Previous::check_region`]).
pub(crate) struct RegionNow {
    /// The agencies counted in the total, as named this year.
    pub counted: Vec<String>,
    /// How many agencies are known to be missing from the total: files not counted, roster
    /// agencies that did not submit.
    pub left_out: usize,
    /// The sum this year of the counted agencies that last year has ([`Previous::has`]); none
    /// when there are none.
    pub sum: Option<Report>,
}

/// The region's failed findings, each led by the scope it compares (a not-checked one says its own).
fn scoped(found: Vec<Diagnostic>, scope: &str) -> impl Iterator<Item = Diagnostic> + '_ {
    found.into_iter().map(move |mut d| {
        if d.outcome == crate::diag::Outcome::Failed {
            d.message = format!("{scope}{}", d.message);
        }
        d
    })
}

fn check_pair(cur: &Report, prev: &PrevRecord, ask: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let file = cur.meta.source.as_str();
    if let (Some(y), Some(py)) = (cur.meta.year, prev.year) {
        if py.checked_add(1) != Some(y) {
            out.push(
                Diagnostic::not_checked(
                    Rule::X1,
                    file,
                    format!(
                        "上年报表 {} 的年度是 {py} 年，不是 {} 年，未做跨年校验",
                        prev.display,
                        y.saturating_sub(1)
                    ),
                )
                .help(ask),
            );
            return out;
        }
    }
    let cur_v = |t, r: &str, c: &str| {
        cur.get(t, r, c)
            .and_then(|v| v.known().map(|x| (x, v.source.clone())))
    };
    // X1: carried_in(t) = carried_out(t−1), every column of 三.
    for col in cur.spec().table(TableKey::Requests).rows[0].columns {
        let (Some((now, cell)), Some(before)) = (
            cur_v(TableKey::Requests, "carried_in", col.key),
            prev.get(TableKey::Requests, "carried_out", col.key),
        ) else {
            continue;
        };
        if now != before {
            out.push(
                Diagnostic::new(
                    Rule::X1,
                    file,
                    format!(
                        "{}列 上年结转为 {now}，但上年报表（{}）的结转下年度为 {before}",
                        col.label, prev.display
                    ),
                )
                .at(cell.as_ref())
                .help("本年“上年结转”应等于上年“结转下年度继续办理”；请核对本年或上年报表。")
                .sides(now, before),
            );
        }
    }
    // X2 (2021): in_force(t) = in_force(t−1) + issued(t) − repealed(t)
    if cur.meta.format == FormatVersion::V2021 && prev.format == Some(FormatVersion::V2021) {
        for row in ["regulations", "normative_documents"] {
            let p = TableKey::Proactive;
            let (Some((now, cell)), Some((issued, _)), Some((repealed, _)), Some(before)) = (
                cur_v(p, row, "in_force"),
                cur_v(p, row, "issued"),
                cur_v(p, row, "repealed"),
                prev.get(p, row, "in_force"),
            ) else {
                continue;
            };
            let Some(expect) = before
                .checked_add(issued)
                .and_then(|x| x.checked_sub(repealed))
            else {
                continue;
            };
            if now != expect {
                let label = cur.spec().table(p).row(row).map_or(row, |r| r.label);
                out.push(
                    Diagnostic::new(
                        Rule::X2,
                        file,
                        format!("“{label}”现行有效件数为 {now}，但上年 {before} + 本年制发 {issued} − 本年废止 {repealed} = {expect}"),
                    )
                    .at(cell.as_ref())
                    .help("如本年做过文件清理，可在报告正文中说明；否则请核对。")
                    .sides(now, expect),
                );
            }
        }
    }
    // X3 (2019): prior_items(t) = prior_items(t−1) + change(t−1)
    if cur.meta.format == FormatVersion::V2019 && prev.format == Some(FormatVersion::V2019) {
        for row in [
            "licensing",
            "other_services",
            "penalty",
            "enforcement",
            "fees",
        ] {
            let p = TableKey::Proactive;
            let (Some((now, cell)), Some(before), Some(change)) = (
                cur_v(p, row, "prior_items"),
                prev.get(p, row, "prior_items"),
                prev.get(p, row, "change"),
            ) else {
                continue;
            };
            let Some(expect) = before.checked_add(change) else {
                continue;
            };
            if now != expect {
                let label = cur.spec().table(p).row(row).map_or(row, |r| r.label);
                out.push(
                    Diagnostic::new(
                        Rule::X3,
                        file,
                        format!("“{label}”上一年项目数量为 {now}，但上年报表的项目数量 {before} + 增减 {change} = {expect}"),
                    )
                    .at(cell.as_ref())
                    .help("请核对本年“上一年项目数量”与上年报表。")
                    .sides(now, expect),
                );
            }
        }
    }
    out
}

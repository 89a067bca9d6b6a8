//! The LibreOffice samples (distinct fictional agencies kept only as .xls / .ods) and the roll-up
//! set (`rollup_2023/`, `rollup_2022/`, `rollup_2023_roster.csv`).
//!
//! Numbers come from [`consistent_report`] (seeded, R1–R5 hold), with the 2021 fee scaled down to
//! a department's size; the roll-up's expected totals are summed here from the same reports, not
//! by running nianbao.

use std::collections::BTreeMap;

use nianbao::model::synthetic::consistent_report;
use nianbao::model::{FormatVersion, Report};
use rust_decimal::Decimal;
use serde_json::{json, Value as Json};

use super::layouts::{
    GroupLabels, LabelCols, Layout, NumberForm, Punct, SheetSplit, Title, ZeroForm,
};
use super::{bump, n, Res, Sample, A, P, R, V19, V21};

/// A consistent made-up report: `consistent_report`, with the source cleared and the 2021 fee
/// (万元) divided by 100 so that a county department does not charge a hundred million yuan.
pub fn invented(version: FormatVersion, agency: &str, year: u16, seed: u64) -> Report {
    let mut r = consistent_report(version, agency, year, seed);
    r.meta.source = String::new();
    if version == V21 {
        if let Some(v) = r.get_mut(P, "fees", "amount") {
            v.value = (v.value / Decimal::from(100)).round_dp(2);
        }
    }
    r
}

/// Three fictional agencies whose workbooks are kept only as LibreOffice conversions, in the
/// layouts that the old copies of the published reports exercised (official 2019 as .xls, text
/// numbers and two label columns as .xls, three sheets at C5 with formulas and a notes sheet as
/// .ods). Distinct agencies, so that `nianbao check sample_workbooks/` finds no duplicate (B1).
pub fn libreoffice_samples() -> Res<Vec<Sample>> {
    let mut out = Vec::new();
    {
        let r = invented(V19, "云台区文化旅游体育局", 2020, 202001);
        let layout = Layout::official();
        out.push(
            Sample::new(
                "yuntai_wenlv_2020.xlsx",
                "云台区文化旅游体育局 2020（2019 版官方版式，LibreOffice 另存为 .xls）",
                &r,
                layout,
                layout.sheets(&r),
                vec![
                    "fictional agency, invented numbers (consistent)",
                    "built as xlsx in the official 2019 layout (merged headers, 3 label columns for 三), converted with `soffice --headless --convert-to xls`; only the .xls is kept",
                    "legacy BIFF8: merged regions and integers (`Int`) as the xls reader gives them",
                    "采购总金额 with `元` in the cell (the 2019 header states no unit)",
                ],
                &[],
                vec![(P, "procurement", "items"), (R, "granted", "natural_person")],
            )?
            .converted("xls"),
        );
    }
    {
        let r = invented(V21, "云台区应急管理局", 2021, 202102);
        let layout = Layout {
            label_cols: LabelCols::Two,
            groups: GroupLabels::Repeated,
            numbers: NumberForm::Text,
            title: Title::Both,
            ..Layout::official()
        };
        out.push(
            Sample::new(
                "yuntai_yingji_2021.xlsx",
                "云台区应急管理局 2021（两列标签、数字为文本，LibreOffice 另存为 .xls）",
                &r,
                layout,
                layout.sheets(&r),
                vec![
                    "fictional agency, invented numbers (consistent)",
                    "built as xlsx, converted with `soffice --headless --convert-to xls`; only the .xls is kept",
                    "every number stored as text; table 三 labels in two columns with the group label repeated on every row",
                    "title row and `填报单位`/`统计年度` cells",
                ],
                &[],
                vec![(R, "new", "natural_person"), (P, "penalty", "decisions")],
            )?
            .converted("xls"),
        );
    }
    {
        let r = invented(V21, "云台区水利局", 2024, 202403);
        let layout = Layout {
            split: SheetSplit::PerTable,
            origin: (4, 2),
            title: Title::FillCells,
            headings: false,
            totals_as_formulas: true,
            notes_sheet: true,
            ..Layout::official()
        };
        out.push(
            Sample::new(
                "yuntai_shuili_2024.xlsx",
                "云台区水利局 2024（三表分页、起始于 C5、总计为公式，LibreOffice 另存为 .ods）",
                &r,
                layout,
                layout.sheets(&r),
                vec![
                    "fictional agency, invented numbers (consistent)",
                    "built as xlsx, converted with `soffice --headless --convert-to ods`; only the .ods is kept",
                    "tables on three sheets, every block starting at C5; `填报单位：`/`统计年度：` cells; a `说明` notes sheet",
                    "总计 columns of 三 and 四 are `=SUM(…)` formulas (LibreOffice keeps their results)",
                    "calamine reads no merged regions from ods",
                ],
                &[],
                vec![(R, "granted", "total"), (A, "review", "total")],
            )?
            .converted("ods"),
        );
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The roll-up set

pub const REGION: &str = "云台区";
pub const ROSTER: &str = "rollup_2023_roster.csv";

/// One department of the roll-up set.
struct Dept {
    /// The name its workbooks state.
    agency: &'static str,
    /// The name on the roster (differs for the near-miss department).
    roster: &'static str,
    /// File stem (`rollup_2023/{stem}_2023.xlsx`).
    stem: &'static str,
    layout: Layout,
    role: Role,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Plain,
    /// Names itself differently from the roster (a near miss nianbao suggests, never merges).
    NearMiss,
    /// 2023 fails R1: listed, not counted.
    FailsR1,
    /// 2023 leaves its zeros blank: R6 warnings only, counted.
    Blanks,
    /// 2022's 结转下年度 differs from 2023's 上年结转 (X1 with `--previous`).
    X1,
    /// On the roster, has a 2022 workbook, did not submit 2023.
    Missing,
}

fn departments() -> Vec<Dept> {
    let o = Layout::official();
    let d = |agency, roster, stem, layout, role| Dept {
        agency,
        roster,
        stem,
        layout,
        role,
    };
    vec![
        d(
            "云台区发展改革委员会",
            "云台区发展和改革委员会",
            "fagaiwei",
            o,
            Role::NearMiss,
        ),
        d(
            "云台区教育局",
            "云台区教育局",
            "jiaoyu",
            Layout {
                split: SheetSplit::PerTable,
                origin: (2, 1),
                ..o
            },
            Role::Plain,
        ),
        d(
            "云台区公安分局",
            "云台区公安分局",
            "gongan",
            Layout {
                split: SheetSplit::ProactiveApart,
                label_cols: LabelCols::Two,
                ..o
            },
            Role::Plain,
        ),
        d(
            "云台区司法局",
            "云台区司法局",
            "sifa",
            Layout {
                label_cols: LabelCols::One,
                groups: GroupLabels::Repeated,
                numbers: NumberForm::Mixed,
                ..o
            },
            Role::Plain,
        ),
        d(
            "云台区财政局",
            "云台区财政局",
            "caizheng",
            Layout {
                origin: (1, 1),
                groups: GroupLabels::FirstOnly,
                merge_headers: false,
                punct: Punct::Half,
                label_spaces: true,
                header_breaks: true,
                title: Title::FillCells,
                ..o
            },
            Role::Plain,
        ),
        d(
            "云台区生态环境分局",
            "云台区生态环境分局",
            "shengtai",
            Layout {
                totals_as_formulas: true,
                title: Title::Both,
                notes_sheet: true,
                ..o
            },
            Role::Plain,
        ),
        d(
            "云台区住房和城乡建设局",
            "云台区住房和城乡建设局",
            "zhujian",
            Layout {
                label_variants: true,
                numbers: NumberForm::Thousands,
                zeros: ZeroForm::Dash,
                ..o
            },
            Role::Plain,
        ),
        d(
            "云台区农业农村局",
            "云台区农业农村局",
            "nongye",
            Layout {
                origin: (4, 2),
                numbers: NumberForm::Text,
                zeros: ZeroForm::Wu,
                headings: false,
                ..o
            },
            Role::X1,
        ),
        d(
            "云台区退役军人事务局",
            "云台区退役军人事务局",
            "tuiyi",
            Layout {
                split: SheetSplit::ProactiveApart,
                ..o
            },
            Role::FailsR1,
        ),
        d(
            "云台区统计局",
            "云台区统计局",
            "tongji",
            Layout {
                zeros: ZeroForm::Blank,
                title: Title::FillCells,
                ..o
            },
            Role::Blanks,
        ),
        d("云台区审计局", "云台区审计局", "shenji", o, Role::Missing),
    ]
}

/// Last year's report linked to this year's: 结转下年度(2022) = 上年结转(2023) in every column,
/// 现行有效件数(2023) = 现行有效件数(2022) + 制发 − 废止 (X2 holds); 2022 stays consistent.
fn link(last: &mut Report, this: &mut Report) {
    let cols = [
        "natural_person",
        "commercial",
        "research",
        "public_interest",
        "legal_services",
        "other_org",
    ];
    for c in cols {
        let carried_out = n(this, R, "carried_in", c);
        let handled = n(last, R, "handled_total", c);
        let carried_in = n(last, R, "carried_in", c).min(handled + carried_out);
        let set = |r: &mut Report, row: &str, v: Decimal| {
            r.get_mut(R, row, c).expect("field").value = v;
        };
        set(last, "carried_out", carried_out);
        set(last, "carried_in", carried_in);
        set(last, "new", handled + carried_out - carried_in);
    }
    for row in ["new", "carried_in", "carried_out"] {
        let total: Decimal = cols.iter().map(|c| n(last, R, row, c)).sum();
        last.get_mut(R, row, "total").expect("field").value = total;
    }
    for row in ["regulations", "normative_documents"] {
        let issued = n(this, P, row, "issued");
        let repealed = n(this, P, row, "repealed");
        // Enough documents in force for last year's count to be ≥ 0.
        let now = n(this, P, row, "in_force") + issued;
        this.get_mut(P, row, "in_force").expect("field").value = now;
        last.get_mut(P, row, "in_force").expect("field").value = now - issued + repealed;
    }
}

/// The roll-up set: its samples (2023 and 2022 workbooks), the roster CSV text and the
/// `rollup_2023` manifest entry.
pub fn rollup_set() -> Res<(Vec<Sample>, String, Json)> {
    let mut samples = Vec::new();
    let mut counted: Vec<(String, Report)> = Vec::new();
    let mut excluded = Vec::new();
    let mut x1 = Vec::new();
    let mut not_on_roster = Vec::new();
    let mut roster = String::from("\u{feff}单位名称,区划代码,层级,上级\n");
    for (i, d) in departments().iter().enumerate() {
        let _ = std::fmt::Write::write_fmt(
            &mut roster,
            format_args!("{},329901,区级部门,云台区人民政府\n", d.roster),
        );
        let seed = 202300 + i as u64;
        let mut this = invented(V21, d.agency, 2023, seed);
        let mut last = invented(V21, d.agency, 2022, seed + 1000);
        link(&mut last, &mut this);
        if d.role == Role::X1 {
            // Last year's 结转下年度 one higher in 自然人 (and 总计); 2022 itself stays consistent.
            for (row, by) in [("carried_out", 1), ("new", 1)] {
                bump(&mut last, R, row, "natural_person", by);
                bump(&mut last, R, row, "total", by);
            }
        }
        let mut intended: &[&str] = &[];
        let mut quirks: Vec<&'static str> =
            vec!["fictional department of the roll-up set, invented numbers"];
        match d.role {
            Role::FailsR1 => {
                bump(&mut this, R, "carried_out", "natural_person", 1);
                bump(&mut this, R, "carried_out", "total", 1);
                intended = &["R1"];
                quirks.push("结转下年度 raised by 1 in 自然人 and 总计: fails R1, listed in the roll-up but not counted");
            }
            Role::Blanks => {
                intended = &["R6"];
                quirks.push("every zero left blank: R6 warnings only, counted in the roll-up (blanks as 0)");
            }
            Role::NearMiss => quirks.push(
                "names itself `云台区发展改革委员会`; the roster says `云台区发展和改革委员会` (a near miss nianbao suggests, never merges)",
            ),
            Role::X1 => quirks.push(
                "its 2022 workbook's 结转下年度 is one higher in 自然人 and 总计 than this 上年结转: X1 with `--previous rollup_2022`",
            ),
            Role::Plain | Role::Missing => {}
        }
        if d.role != Role::Missing {
            let file = format!("rollup_2023/{}_2023.xlsx", d.stem);
            let s = Sample::new(
                &file,
                "云台区 roll-up 2023",
                &this,
                d.layout,
                d.layout.sheets(&this),
                quirks.clone(),
                intended,
                vec![(R, "carried_in", "natural_person")],
            )?;
            samples.push(s);
            match d.role {
                Role::FailsR1 => excluded.push(json!({"file": file, "rules": ["R1"]})),
                _ => counted.push((file.clone(), this.clone())),
            }
            if d.role == Role::X1 {
                x1.push(
                    json!({"file": file, "rule": "X1", "columns": ["natural_person", "total"]}),
                );
            }
            if d.role == Role::NearMiss {
                not_on_roster
                    .push(json!({"file": file, "agency": d.agency, "suggested": d.roster}));
            }
        }
        let file = format!("rollup_2022/{}_2022.xlsx", d.stem);
        let mut q = vec!["last year's workbook of the roll-up set (for `--previous`), consistent"];
        if d.role == Role::Missing {
            q.push("this department did not submit 2023");
        }
        if d.role == Role::Blanks {
            q.push("every zero left blank, as in 2023: R6 warnings only");
        }
        samples.push(Sample::new(
            &file,
            "云台区 roll-up 2022",
            &last,
            d.layout,
            d.layout.sheets(&last),
            q,
            if d.role == Role::Blanks { &["R6"] } else { &[] },
            vec![(R, "carried_out", "natural_person")],
        )?);
    }
    // Sum of the counted reports, per field (blanks are 0).
    let mut totals: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut keys = Vec::new();
    for (_, r) in &counted {
        for (f, v) in r.iter() {
            let key = format!("{}.{}.{}", f.table.key(), f.row.key, f.col.key);
            if !totals.contains_key(&key) {
                keys.push(key.clone());
            }
            *totals.entry(key).or_default() += v.value;
        }
    }
    let totals: serde_json::Map<String, Json> = keys
        .iter()
        .map(|k| (k.clone(), json!(totals[k].normalize().to_string())))
        .collect();
    let missing: Vec<&str> = departments()
        .iter()
        .filter(|d| matches!(d.role, Role::Missing | Role::NearMiss))
        .map(|d| d.roster)
        .collect();
    let entry = json!({
        "folder": "rollup_2023",
        "previous": "rollup_2022",
        "roster": ROSTER,
        "region": REGION,
        "year": 2023,
        "format": "2021",
        "counted": counted.iter().map(|(f, _)| f).collect::<Vec<_>>(),
        "excluded": excluded,
        "missing_from_roster": missing,
        "not_on_roster": not_on_roster,
        "cross_year": x1,
        "totals": totals,
    });
    Ok((samples, roster, entry))
}

//! The two national format versions as data: table keys, row keys, column keys, labels and value
//! kinds, exactly as in `FORMATS.md`.
//!
//! This is where labels and keys are defined. Code that needs a particular row or column by
//! name takes its key from [`keys`] (the equations of R1–R4 in `model::equations`; `validate`,
//! `fix` and `model::synthetic` spell no key, they go through the equations). Other places
//! still spell keys or labels of their own, for their own purpose: the cross-year checks
//! (`rollup::crossyear`: the fields X1–X3 compare), the roll-up metrics (`rollup::metrics`: the
//! fields of each formula), the reader (`read::locate`: search words such as the 填报单位 and
//! 统计年度 labels and the rows that anchor a table) and the template layout
//! (`write::template::layout`: header cells the spec has no field for, such as `信息内容`).

use serde::Serialize;
use std::collections::HashMap;
use std::sync::LazyLock;

/// A `HashMap` with foldhash's fast hasher, for short keys of `'static` labels: the default
/// SipHash costs more than the lookups it serves. Not for keys an attacker chooses.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A format version of the statistics tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum FormatVersion {
    /// 国办公开办函〔2019〕60号 (试行), report years 2019 and 2020.
    #[serde(rename = "2019")]
    V2019,
    /// 国办公开办函〔2021〕30号, report years 2021 onward.
    #[serde(rename = "2021")]
    V2021,
}

impl FormatVersion {
    /// Both versions, oldest first.
    pub const ALL: [FormatVersion; 2] = [FormatVersion::V2019, FormatVersion::V2021];

    /// The version id used in keys, CSV and JSON: `2019` or `2021`.
    pub fn id(self) -> &'static str {
        match self {
            FormatVersion::V2019 => "2019",
            FormatVersion::V2021 => "2021",
        }
    }

    /// The version of an id (`2019` or `2021`, surrounding spaces ignored).
    pub fn from_id(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.id() == s.trim())
    }

    /// The version in force for a report year: 2019 for the years 2019 and 2020 (国办公开办函
    /// 〔2019〕60号), 2021 from 2021 on (〔2021〕30号); `None` before 2019, when neither existed.
    pub fn for_year(year: u16) -> Option<Self> {
        match year {
            2019 | 2020 => Some(FormatVersion::V2019),
            2021.. => Some(FormatVersion::V2021),
            _ => None,
        }
    }

    /// The field layout of this version.
    pub fn spec(self) -> &'static VersionSpec {
        match self {
            FormatVersion::V2019 => &V2019,
            FormatVersion::V2021 => &V2021,
        }
    }
}

impl std::fmt::Display for FormatVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// The three statistics tables of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKey {
    /// 二、主动公开政府信息情况
    Proactive,
    /// 三、收到和处理政府信息公开申请情况
    Requests,
    /// 四、政府信息公开行政复议、行政诉讼情况
    Appeals,
}

impl TableKey {
    /// The three tables in document order (二, 三, 四).
    pub const ALL: [TableKey; 3] = [TableKey::Proactive, TableKey::Requests, TableKey::Appeals];

    /// The table's key in CSV and JSON (`proactive`, `requests`, `appeals`).
    pub fn key(self) -> &'static str {
        match self {
            TableKey::Proactive => "proactive",
            TableKey::Requests => "requests",
            TableKey::Appeals => "appeals",
        }
    }

    /// The official heading of the table.
    pub fn title(self) -> &'static str {
        match self {
            TableKey::Proactive => "二、主动公开政府信息情况",
            TableKey::Requests => "三、收到和处理政府信息公开申请情况",
            TableKey::Appeals => "四、政府信息公开行政复议、行政诉讼情况",
        }
    }

    /// Short Chinese name used in messages (`表三`).
    pub fn short(self) -> &'static str {
        match self {
            TableKey::Proactive => "表二（主动公开）",
            TableKey::Requests => "表三（依申请公开）",
            TableKey::Appeals => "表四（复议诉讼）",
        }
    }
}

/// What kind of number a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// A whole number ≥ 0.
    Count,
    /// A whole number that may be negative (本年增/减).
    SignedCount,
    /// Money ≥ 0.
    Money {
        /// The unit the column header states, if it states one.
        header_unit: Option<MoneyUnit>,
    },
}

impl ValueKind {
    /// The unit money of this kind is summed and exported in: the header's unit, or 元.
    pub fn canonical_unit(self) -> Option<MoneyUnit> {
        match self {
            ValueKind::Money { header_unit } => Some(header_unit.unwrap_or(MoneyUnit::Yuan)),
            _ => None,
        }
    }
}

/// The unit of a money value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum MoneyUnit {
    /// 元
    #[serde(rename = "元")]
    Yuan,
    /// 万元 (10,000 元)
    #[serde(rename = "万元")]
    WanYuan,
}

impl MoneyUnit {
    /// The unit as written after an amount: `元` or `万元`.
    pub fn label(self) -> &'static str {
        match self {
            MoneyUnit::Yuan => "元",
            MoneyUnit::WanYuan => "万元",
        }
    }
}

/// A column: its stable key, its official label, accepted variants, and its value kind.
#[derive(Debug, Clone, Copy)]
pub struct ColSpec {
    /// The stable key (CSV, JSON, [`Report::get`](super::Report::get)).
    pub key: &'static str,
    /// The official header label.
    pub label: &'static str,
    /// Other labels seen in the wild (matched after normalisation, like the label).
    pub aliases: &'static [&'static str],
    /// What kind of number the column holds.
    pub kind: ValueKind,
}

/// A row of a table: its key, its item label, the group it belongs to (the label cell spanning
/// several rows in the official layout), label variants and its columns.
#[derive(Debug, Clone, Copy)]
pub struct RowSpec {
    /// The stable key (CSV, JSON, [`Report::get`](super::Report::get)).
    pub key: &'static str,
    /// The row's own label as printed in the official format, without the group label.
    pub label: &'static str,
    /// Variants seen in the wild.
    pub aliases: &'static [&'static str],
    /// The group label printed to the left of this row (`（三）不予公开`), if any.
    pub group: Option<&'static str>,
    /// For table 二: the title of the sub-table (`第二十条第（一）项`).
    pub section: Option<&'static str>,
    /// The row's columns, in the order of the official table.
    pub columns: &'static [ColSpec],
}

/// One statistics table of a version: its rows, in the order of the official table.
#[derive(Debug)]
pub struct TableSpec {
    /// Which table.
    pub key: TableKey,
    /// Its rows, in document order.
    pub rows: &'static [RowSpec],
}

impl TableSpec {
    /// The row with this key.
    pub fn row(&self, key: &str) -> Option<&'static RowSpec> {
        self.rows.iter().find(|r| r.key == key)
    }
}

/// One version's complete layout.
#[derive(Debug)]
pub struct VersionSpec {
    /// The version it describes.
    pub version: FormatVersion,
    /// The tables, in the order of [`TableKey::ALL`].
    pub tables: [TableSpec; 3],
}

/// One number of the report: a (table, row, column) triple with its labels and kind.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The table.
    pub table: TableKey,
    /// The row (its key, labels and group).
    pub row: &'static RowSpec,
    /// The column (its key, label and value kind).
    pub col: &'static ColSpec,
}

impl VersionSpec {
    /// The spec of one table.
    pub fn table(&self, key: TableKey) -> &TableSpec {
        &self.tables[key as usize]
    }

    /// Every number of the report in document order (table, row, column).
    pub fn fields(&'static self) -> impl Iterator<Item = Field> + 'static {
        self.tables.iter().flat_map(|t| {
            t.rows.iter().flat_map(move |row| {
                row.columns.iter().map(move |col| Field {
                    table: t.key,
                    row,
                    col,
                })
            })
        })
    }

    /// Number of fields, the length of a report's value vector.
    pub fn field_count(&'static self) -> usize {
        self.fields().count()
    }

    /// Position of a field in [`VersionSpec::fields`] (a hash lookup).
    pub fn index_of(&'static self, table: TableKey, row: &str, col: &str) -> Option<usize> {
        type Index = FastMap<(TableKey, &'static str, &'static str), usize>;
        fn build(spec: &'static VersionSpec) -> Index {
            spec.fields()
                .enumerate()
                .map(|(i, f)| ((f.table, f.row.key, f.col.key), i))
                .collect()
        }
        static I2019: LazyLock<Index> = LazyLock::new(|| build(&V2019));
        static I2021: LazyLock<Index> = LazyLock::new(|| build(&V2021));
        let index = match self.version {
            FormatVersion::V2019 => &I2019,
            FormatVersion::V2021 => &I2021,
        };
        index.get(&(table, row, col)).copied()
    }
}

const fn col(key: &'static str, label: &'static str, kind: ValueKind) -> ColSpec {
    ColSpec {
        key,
        label,
        aliases: &[],
        kind,
    }
}

const COUNT: ValueKind = ValueKind::Count;

// ---- table 二, 2021 ----
const P21_DOCS: &[ColSpec] = &[
    col("issued", "本年制发件数", COUNT),
    col("repealed", "本年废止件数", COUNT),
    col("in_force", "现行有效件数", COUNT),
];
const P21_DECISIONS: &[ColSpec] = &[col("decisions", "本年处理决定数量", COUNT)];
const P21_FEES: &[ColSpec] = &[ColSpec {
    key: "amount",
    label: "本年收费金额（单位：万元）",
    aliases: &["本年收费金额"],
    kind: ValueKind::Money {
        header_unit: Some(MoneyUnit::WanYuan),
    },
}];

const fn prow(
    key: &'static str,
    label: &'static str,
    aliases: &'static [&'static str],
    section: &'static str,
    columns: &'static [ColSpec],
) -> RowSpec {
    RowSpec {
        key,
        label,
        aliases,
        group: None,
        section: Some(section),
        columns,
    }
}

const S1: &str = "第二十条第（一）项";
const S5: &str = "第二十条第（五）项";
const S6: &str = "第二十条第（六）项";
const S8: &str = "第二十条第（八）项";
const S9: &str = "第二十条第（九）项";

const PROACTIVE_2021: &[RowSpec] = &[
    prow("regulations", "规章", &[], S1, P21_DOCS),
    prow(
        "normative_documents",
        "行政规范性文件",
        &["规范性文件"],
        S1,
        P21_DOCS,
    ),
    prow("licensing", "行政许可", &[], S5, P21_DECISIONS),
    prow("penalty", "行政处罚", &[], S6, P21_DECISIONS),
    prow("enforcement", "行政强制", &[], S6, P21_DECISIONS),
    prow("fees", "行政事业性收费", &[], S8, P21_FEES),
];

// ---- table 二, 2019 ----
const P19_DOCS: &[ColSpec] = &[
    col("produced", "本年新制作数量", COUNT),
    col("published", "本年新公开数量", COUNT),
    col("total_published", "对外公开总数量", COUNT),
];
/// 本年增/减: the one signed column (items added or removed this year), in two sub-tables.
const CHANGE: ColSpec = ColSpec {
    key: "change",
    label: "本年增/减",
    aliases: &["本年增减"],
    kind: ValueKind::SignedCount,
};
const P19_ITEMS: &[ColSpec] = &[
    col("prior_items", "上一年项目数量", COUNT),
    CHANGE,
    col("decisions", "处理决定数量", COUNT),
];
const P19_FEES: &[ColSpec] = &[col("prior_items", "上一年项目数量", COUNT), CHANGE];
const P19_PROCUREMENT: &[ColSpec] = &[
    col("items", "采购项目数量", COUNT),
    col(
        "amount",
        "采购总金额",
        ValueKind::Money { header_unit: None },
    ),
];

const PROACTIVE_2019: &[RowSpec] = &[
    prow("regulations", "规章", &[], S1, P19_DOCS),
    prow(
        "normative_documents",
        "规范性文件",
        &["行政规范性文件"],
        S1,
        P19_DOCS,
    ),
    prow("licensing", "行政许可", &[], S5, P19_ITEMS),
    prow("other_services", "其他对外管理服务事项", &[], S5, P19_ITEMS),
    prow("penalty", "行政处罚", &[], S6, P19_ITEMS),
    prow("enforcement", "行政强制", &[], S6, P19_ITEMS),
    prow("fees", "行政事业性收费", &[], S8, P19_FEES),
    prow("procurement", "政府集中采购", &[], S9, P19_PROCUREMENT),
];

// ---- table 三 ----
const APPLICANTS: &[ColSpec] = &[
    col("natural_person", "自然人", COUNT),
    col("commercial", "商业企业", COUNT),
    col("research", "科研机构", COUNT),
    ColSpec {
        key: "public_interest",
        label: "社会公益组织",
        aliases: &["社会公益"],
        kind: COUNT,
    },
    col("legal_services", "法律服务机构", COUNT),
    col("other_org", "其他", COUNT),
    col("total", "总计", COUNT),
];

/// Keys of the rows and columns the equations of R1–R4 name, for [`Report::get`](super::Report::get).
pub mod keys {
    /// 一、本年新收 (table 三 row).
    pub const NEW: &str = "new";
    /// 二、上年结转 (table 三 row).
    pub const CARRIED_IN: &str = "carried_in";
    /// （七）总计 (table 三 row).
    pub const HANDLED_TOTAL: &str = "handled_total";
    /// 四、结转下年度继续办理 (table 三 row).
    pub const CARRIED_OUT: &str = "carried_out";
    /// 总计 (the last column of tables 三 and 四).
    pub const TOTAL: &str = "total";
    /// 一 (table 三, first result row).
    pub const GRANTED: &str = "granted";
}

/// The group label of the result rows (spans （一）…（七）).
pub const RESULTS_GROUP: &str = "三、本年度办理结果";
/// The label over the applicant columns.
pub const APPLICANT_HEADER: &str = "申请人情况";
/// The label over the five organisation columns.
pub const ORG_HEADER: &str = "法人或其他组织";
/// The note cell printed at the top left of table 三.
pub const REQUESTS_NOTE: &str =
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

const fn rrow(
    key: &'static str,
    label: &'static str,
    aliases: &'static [&'static str],
    group: Option<&'static str>,
) -> RowSpec {
    RowSpec {
        key,
        label,
        aliases,
        group,
        section: None,
        columns: APPLICANTS,
    }
}

const G_RESULTS: Option<&str> = Some(RESULTS_GROUP);
const G_WITHHELD: Option<&str> = Some("（三）不予公开");
const G_UNAVAILABLE: Option<&str> = Some("（四）无法提供");
const G_REJECTED: Option<&str> = Some("（五）不予处理");
const G_OTHER: Option<&str> = Some("（六）其他处理");

macro_rules! requests_rows {
    ($($other:expr),* $(,)?) => {
        &[
            rrow("new", "一、本年新收政府信息公开申请数量", &[], None),
            rrow("carried_in", "二、上年结转政府信息公开申请数量", &[], None),
            rrow("granted", "（一）予以公开", &[], G_RESULTS),
            rrow(
                "partly_granted",
                "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                &["（二）部分公开"],
                G_RESULTS,
            ),
            rrow("withheld_state_secret", "1.属于国家秘密", &[], G_WITHHELD),
            rrow("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开", &[], G_WITHHELD),
            rrow("withheld_three_securities", "3.危及“三安全一稳定”", &[], G_WITHHELD),
            rrow("withheld_third_party", "4.保护第三方合法权益", &[], G_WITHHELD),
            rrow("withheld_internal_affairs", "5.属于三类内部事务信息", &[], G_WITHHELD),
            rrow("withheld_process_info", "6.属于四类过程性信息", &[], G_WITHHELD),
            rrow("withheld_enforcement_file", "7.属于行政执法案卷", &[], G_WITHHELD),
            rrow("withheld_admin_query", "8.属于行政查询事项", &[], G_WITHHELD),
            rrow("unavailable_not_held", "1.本机关不掌握相关政府信息", &[], G_UNAVAILABLE),
            rrow("unavailable_needs_creation", "2.没有现成信息需要另行制作", &[], G_UNAVAILABLE),
            rrow("unavailable_unclear", "3.补正后申请内容仍不明确", &[], G_UNAVAILABLE),
            rrow("rejected_petition", "1.信访举报投诉类申请", &[], G_REJECTED),
            rrow("rejected_duplicate", "2.重复申请", &[], G_REJECTED),
            rrow("rejected_publication", "3.要求提供公开出版物", &[], G_REJECTED),
            rrow("rejected_excessive", "4.无正当理由大量反复申请", &[], G_REJECTED),
            rrow("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息", &[], G_REJECTED),
            $($other,)*
            rrow("handled_total", "（七）总计", &[], G_RESULTS),
            rrow("carried_out", "四、结转下年度继续办理", &[], None),
        ]
    };
}

const REQUESTS_2019: &[RowSpec] = requests_rows![rrow("other", "（六）其他处理", &[], G_RESULTS)];
const REQUESTS_2021: &[RowSpec] = requests_rows![
    rrow(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        &[],
        G_OTHER
    ),
    rrow(
        "other_fee_unpaid",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        &[],
        G_OTHER
    ),
    rrow("other_misc", "3.其他", &[], G_OTHER),
];

/// Rows of table 三 summed into `handled_total` (R3): every row between `carried_in` and `handled_total`.
pub fn result_rows(spec: &TableSpec) -> impl Iterator<Item = &'static RowSpec> {
    let rows = spec.rows;
    let start = rows
        .iter()
        .position(|r| r.key == keys::GRANTED)
        .unwrap_or(0);
    let end = rows
        .iter()
        .position(|r| r.key == keys::HANDLED_TOTAL)
        .unwrap_or(rows.len());
    rows[start..end].iter()
}

// ---- table 四 ----
const APPEAL_COLS: &[ColSpec] = &[
    col("upheld", "结果维持", COUNT),
    col("corrected", "结果纠正", COUNT),
    col("other", "其他结果", COUNT),
    col("pending", "尚未审结", COUNT),
    col("total", "总计", COUNT),
];

/// The group label over the two litigation groups.
pub const LITIGATION_HEADER: &str = "行政诉讼";

const APPEALS: &[RowSpec] = &[
    RowSpec {
        key: "review",
        label: "行政复议",
        aliases: &[],
        group: None,
        section: None,
        columns: APPEAL_COLS,
    },
    RowSpec {
        key: "litigation_direct",
        label: "未经复议直接起诉",
        aliases: &[],
        group: Some(LITIGATION_HEADER),
        section: None,
        columns: APPEAL_COLS,
    },
    RowSpec {
        key: "litigation_after_review",
        label: "复议后起诉",
        aliases: &[],
        group: Some(LITIGATION_HEADER),
        section: None,
        columns: APPEAL_COLS,
    },
];

pub(crate) static V2019: VersionSpec = VersionSpec {
    version: FormatVersion::V2019,
    tables: [
        TableSpec {
            key: TableKey::Proactive,
            rows: PROACTIVE_2019,
        },
        TableSpec {
            key: TableKey::Requests,
            rows: REQUESTS_2019,
        },
        TableSpec {
            key: TableKey::Appeals,
            rows: APPEALS,
        },
    ],
};

pub(crate) static V2021: VersionSpec = VersionSpec {
    version: FormatVersion::V2021,
    tables: [
        TableSpec {
            key: TableKey::Proactive,
            rows: PROACTIVE_2021,
        },
        TableSpec {
            key: TableKey::Requests,
            rows: REQUESTS_2021,
        },
        TableSpec {
            key: TableKey::Appeals,
            rows: APPEALS,
        },
    ],
};

/// Labels whose presence proves a version (FORMATS.md, "Two format versions").
pub const VERSION_EVIDENCE: &[(&str, FormatVersion)] = &[
    ("本年新制作数量", FormatVersion::V2019),
    ("对外公开总数量", FormatVersion::V2019),
    ("上一年项目数量", FormatVersion::V2019),
    ("第二十条第（九）项", FormatVersion::V2019),
    ("本年制发件数", FormatVersion::V2021),
    ("现行有效件数", FormatVersion::V2021),
    ("本年收费金额", FormatVersion::V2021),
    ("申请人逾期未按收费通知要求缴纳费用", FormatVersion::V2021),
    ("申请人无正当理由逾期不补正", FormatVersion::V2021),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_report_year_has_the_version_in_force() {
        assert_eq!(FormatVersion::for_year(2018), None);
        assert_eq!(FormatVersion::for_year(2019), Some(FormatVersion::V2019));
        assert_eq!(FormatVersion::for_year(2020), Some(FormatVersion::V2019));
        assert_eq!(FormatVersion::for_year(2021), Some(FormatVersion::V2021));
        assert_eq!(FormatVersion::for_year(2026), Some(FormatVersion::V2021));
    }

    #[test]
    fn numeric_row_counts_match_formats_md() {
        assert_eq!(V2019.table(TableKey::Requests).rows.len(), 23);
        assert_eq!(V2021.table(TableKey::Requests).rows.len(), 25);
        assert_eq!(V2019.table(TableKey::Proactive).rows.len(), 8);
        assert_eq!(V2021.table(TableKey::Proactive).rows.len(), 6);
        assert_eq!(V2021.table(TableKey::Appeals).rows.len(), 3);
    }

    #[test]
    fn field_keys_are_unique_and_indexable() {
        for v in FormatVersion::ALL {
            let spec = v.spec();
            let mut seen = std::collections::HashSet::new();
            for (i, f) in spec.fields().enumerate() {
                assert!(seen.insert((f.table, f.row.key, f.col.key)));
                assert_eq!(spec.index_of(f.table, f.row.key, f.col.key), Some(i));
            }
            // 2019: 3*2 + 3*4 + 2 + 2 = 22 proactive; 23*7 requests; 15 appeals
            let expected = match v {
                FormatVersion::V2019 => 22 + 23 * 7 + 15,
                FormatVersion::V2021 => 10 + 25 * 7 + 15,
            };
            assert_eq!(spec.field_count(), expected);
        }
    }

    #[test]
    fn result_rows_run_from_granted_to_other() {
        let r: Vec<_> = result_rows(V2021.table(TableKey::Requests))
            .map(|r| r.key)
            .collect();
        assert_eq!(r.first(), Some(&"granted"));
        assert_eq!(r.last(), Some(&"other_misc"));
        assert_eq!(r.len(), 21);
        let r19: Vec<_> = result_rows(V2019.table(TableKey::Requests)).collect();
        assert_eq!(r19.last().unwrap().key, "other");
        assert_eq!(r19.len(), 19);
    }
}

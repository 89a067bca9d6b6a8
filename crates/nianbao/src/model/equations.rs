//! The equations of R1–R4, once, as data derived from the format spec: every check, `--fix`, the
//! template's live `SUM` formulas and the synthetic reports use this one list.
//!
//! An [`Equation`] says `Σ left = Σ right` over field indices of [`VersionSpec::fields`]:
//!
//! - R1, table 三, every column: `new + carried_in = handled_total + carried_out`;
//! - R2, table 三, every row (（七）总计 included): `total = ` the six applicant columns;
//! - R3, table 三, every column (总计 included): `handled_total = ` the result rows
//!   ([`spec::result_rows`]);
//! - R4, table 四, every row: `total = ` the four outcome columns.
//!
//! An equation whose left side is one field is a *sum*: that field is a total, derivable from
//! its parts. [`derivations`] lists one sum per total, in an order in which each can be computed
//! (every part computed before the total it is a part of).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::rule::Rule;
use super::spec::{self, keys, FormatVersion, TableKey, VersionSpec};

/// `Σ left = Σ right`, over indices into [`VersionSpec::fields`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equation {
    /// The rule that checks it (R1–R4).
    pub rule: Rule,
    /// For a sum (R2–R4): the one total.
    pub left: Vec<usize>,
    /// For a sum: the parts, in the order of the official table.
    pub right: Vec<usize>,
}

impl Equation {
    /// `(total, parts)` when this equation defines a total as the sum of its parts.
    pub fn as_sum(&self) -> Option<(usize, &[usize])> {
        match self.left.as_slice() {
            [total] => Some((*total, &self.right)),
            _ => None,
        }
    }
}

/// Every equation of a format version: R1 per column, R2 per row, R3 per column, R4 per row.
pub fn equations(version: FormatVersion) -> &'static [Equation] {
    static E2019: LazyLock<Vec<Equation>> = LazyLock::new(|| build(FormatVersion::V2019));
    static E2021: LazyLock<Vec<Equation>> = LazyLock::new(|| build(FormatVersion::V2021));
    match version {
        FormatVersion::V2019 => &E2019,
        FormatVersion::V2021 => &E2021,
    }
}

fn build(version: FormatVersion) -> Vec<Equation> {
    let spec: &'static VersionSpec = version.spec();
    let idx = |t: TableKey, r: &str, c: &str| {
        spec.index_of(t, r, c)
            .unwrap_or_else(|| panic!("spec field {t:?}.{r}.{c}"))
    };
    let req = TableKey::Requests;
    let requests = spec.table(req);
    let columns = requests.rows[0].columns;
    let mut out = Vec::new();
    // R1: every column of 三
    for c in columns {
        out.push(Equation {
            rule: Rule::R1,
            left: vec![
                idx(req, keys::NEW, c.key),
                idx(req, keys::CARRIED_IN, c.key),
            ],
            right: vec![
                idx(req, keys::HANDLED_TOTAL, c.key),
                idx(req, keys::CARRIED_OUT, c.key),
            ],
        });
    }
    // R2 (三) and R4 (四): every row, total = the other columns
    let row_sums = |rule: Rule, table: TableKey, out: &mut Vec<Equation>| {
        for row in spec.table(table).rows {
            out.push(Equation {
                rule,
                left: vec![idx(table, row.key, keys::TOTAL)],
                right: row
                    .columns
                    .iter()
                    .filter(|c| c.key != keys::TOTAL)
                    .map(|c| idx(table, row.key, c.key))
                    .collect(),
            });
        }
    };
    row_sums(Rule::R2, req, &mut out);
    // R3: every column of 三, handled_total = the result rows
    for c in columns {
        out.push(Equation {
            rule: Rule::R3,
            left: vec![idx(req, keys::HANDLED_TOTAL, c.key)],
            right: spec::result_rows(requests)
                .map(|r| idx(req, r.key, c.key))
                .collect(),
        });
    }
    row_sums(Rule::R4, TableKey::Appeals, &mut out);
    out
}

/// A total and the fields it is the sum of: one of the equations R2–R4, as a sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derivation {
    /// The rule whose equation it is (R2–R4).
    pub rule: Rule,
    /// The total, as an index into [`VersionSpec::fields`].
    pub target: usize,
    /// The fields it is the sum of, in the order of the official table.
    pub parts: Vec<usize>,
}

/// One sum per total, in an order in which they can be computed (a part before the total it
/// is a part of). Where two sums define the same total — （七）总计/总计 is both the sum of its
/// row (R2) and of its column (R3) — the later in the list of equations is kept (R3, the column sum,
/// as the official （七）总计 row is the sum of the result rows); once every other total is
/// derived, both give the same number.
pub fn derivations(version: FormatVersion) -> &'static [Derivation] {
    static D2019: LazyLock<Vec<Derivation>> =
        LazyLock::new(|| order(equations(FormatVersion::V2019)));
    static D2021: LazyLock<Vec<Derivation>> =
        LazyLock::new(|| order(equations(FormatVersion::V2021)));
    match version {
        FormatVersion::V2019 => &D2019,
        FormatVersion::V2021 => &D2021,
    }
}

/// The derivation whose target is field `index`, if that field is a total.
pub fn derivation_of(version: FormatVersion, index: usize) -> Option<&'static Derivation> {
    derivations(version).iter().find(|d| d.target == index)
}

/// The sums, one per target (the later wins, in its own place), in list order except
/// where a total must come after its parts' derivations (a depth-first order).
fn order(eqs: &[Equation]) -> Vec<Derivation> {
    let mut sums: Vec<Derivation> = Vec::new();
    let mut at: HashMap<usize, usize> = HashMap::new();
    for e in eqs {
        let Some((target, parts)) = e.as_sum() else {
            continue;
        };
        let d = Derivation {
            rule: e.rule,
            target,
            parts: parts.to_vec(),
        };
        if let Some(i) = at.insert(target, sums.len()) {
            sums[i].parts.clear();
            sums[i].target = usize::MAX;
        }
        sums.push(d);
    }
    let sums: Vec<Derivation> = sums
        .into_iter()
        .filter(|d| d.target != usize::MAX)
        .collect();
    let at: HashMap<usize, usize> = sums
        .iter()
        .enumerate()
        .map(|(i, d)| (d.target, i))
        .collect();
    fn visit(
        i: usize,
        sums: &[Derivation],
        at: &HashMap<usize, usize>,
        done: &mut [bool],
        out: &mut Vec<Derivation>,
    ) {
        if done[i] {
            return;
        }
        done[i] = true;
        for p in &sums[i].parts {
            if let Some(&j) = at.get(p) {
                visit(j, sums, at, done, out);
            }
        }
        out.push(sums[i].clone());
    }
    let mut done = vec![false; sums.len()];
    let mut out = Vec::with_capacity(sums.len());
    for i in 0..sums.len() {
        visit(i, &sums, &at, &mut done, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_equation_per_column_or_row_of_each_rule() {
        for v in FormatVersion::ALL {
            let n_rows = v.spec().table(TableKey::Requests).rows.len();
            let count = |r: Rule| equations(v).iter().filter(|e| e.rule == r).count();
            assert_eq!(
                [Rule::R1, Rule::R2, Rule::R3, Rule::R4].map(count),
                [7, n_rows, 7, 3]
            );
        }
    }

    #[test]
    fn derivations_come_after_their_parts_and_the_grand_total_is_the_column_sum() {
        for v in FormatVersion::ALL {
            let d = derivations(v);
            for (i, di) in d.iter().enumerate() {
                for dj in &d[..i] {
                    assert!(
                        !dj.parts.contains(&di.target),
                        "{di:?} used before computed"
                    );
                }
            }
            let spec = v.spec();
            let grand = spec
                .index_of(TableKey::Requests, keys::HANDLED_TOTAL, keys::TOTAL)
                .unwrap();
            let g = derivation_of(v, grand).unwrap();
            assert_eq!(g.rule, Rule::R3);
            // order: the row totals, then the columns' handled totals, then table 四
            let rules: Vec<Rule> = d.iter().map(|d| d.rule).collect();
            let mut sorted = rules.clone();
            sorted.sort();
            assert_eq!(rules, sorted);
        }
    }

    #[test]
    fn a_later_sum_in_the_list_is_moved_after_its_parts() {
        let e = |rule, total, parts: &[usize]| Equation {
            rule,
            left: vec![total],
            right: parts.to_vec(),
        };
        // 9 = 1 + 2 is listed after 10 = 9 + 3; 11 is defined twice (the later wins)
        let eqs = [
            e(Rule::R3, 10, &[9, 3]),
            e(Rule::R2, 9, &[1, 2]),
            e(Rule::R4, 11, &[5, 6]),
            e(Rule::R4, 11, &[5, 7]),
        ];
        let d = order(&eqs);
        let got: Vec<(usize, Vec<usize>)> = d.into_iter().map(|d| (d.target, d.parts)).collect();
        assert_eq!(got, [(9, vec![1, 2]), (10, vec![9, 3]), (11, vec![5, 7])]);
    }
}

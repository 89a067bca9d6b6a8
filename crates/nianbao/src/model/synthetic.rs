//! Consistent made-up reports, for tests, property tests, benchmarks and sample workbooks: every
//! number is drawn from a seeded generator, and the totals are derived through the equations of
//! R1–R4 ([`crate::fix::derivations`]) so that R1–R5 hold. Behind the `synthetic` feature (on for
//! the library's unit tests, and for the workspace's tests, benches and examples).
//!
//! The generator stays a hand-written SplitMix64 rather than a crate such as `fastrand`: the
//! committed sample workbooks (`sample_workbooks/`, written by `cargo run --example gen_samples`)
//! and their expectations (`sample_workbooks/expected.json`, the test snapshots) are drawn from
//! it, so another generator would change every sample's numbers; SplitMix64 is ten lines, fixed
//! by its published constants, and cannot change under us with a crate's new version.

use rust_decimal::Decimal;

use super::equations::{derivations, equations};
use super::{FormatVersion, Meta, MoneyUnit, Report, Rule, TableKey, Value, ValueKind};
/// A small deterministic generator (SplitMix64): same seed, same report, on every machine.
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A count as found in these reports: mostly 0 or small, now and then large.
    pub fn count(&mut self) -> i64 {
        match self.below(10) {
            0..=4 => 0,
            5..=8 => self.below(20) as i64,
            _ => self.below(5000) as i64,
        }
    }
}

/// A report of `version` whose every cross-check R1–R5 holds, drawn from `seed`.
///
/// Table 二: free numbers of their kind. Table 三: for each applicant column, the result rows
/// are drawn (the first column, 自然人, larger) and their sum is the column's （七）总计 (R3);
/// 结转下年度 and 上年结转 are drawn and 新收 is what R1 leaves over. Table 四: the outcomes
/// are drawn. Every total is then derived from its parts ([`crate::fix::derivations`]).
pub fn consistent_report(version: FormatVersion, agency: &str, year: u16, seed: u64) -> Report {
    let mut rng = Rng::new(seed);
    let mut report = Report::empty(Meta {
        agency: Some(agency.to_string()),
        year: Some(year),
        format: version,
        source: format!("{agency}.xlsx"),
        agency_cell: None,
        year_cell: None,
        agency_from: None,
        year_from: None,
    });
    let filled = |v: Decimal, unit: Option<MoneyUnit>| Value {
        value: v,
        status: super::Status::Filled,
        unit,
        raw: None,
        source: None,
    };
    let spec = version.spec();
    // 二: free numbers of their kind.
    for row in spec.table(TableKey::Proactive).rows {
        for c in row.columns {
            let v = match c.kind {
                ValueKind::Count => filled(Decimal::from(rng.count()), None),
                ValueKind::SignedCount => filled(Decimal::from(rng.below(7) as i64 - 3), None),
                ValueKind::Money { header_unit } => {
                    let unit = header_unit.or(Some(MoneyUnit::Yuan));
                    filled(Decimal::new(rng.below(10_000_000) as i64, 2), unit)
                }
            };
            *report
                .get_mut(TableKey::Proactive, row.key, c.key)
                .expect("spec") = v;
        }
    }
    let derived: Vec<usize> = derivations(version).iter().map(|d| d.target).collect();
    let eqs = equations(version);
    let set = |report: &mut Report, i: usize, v: i64| {
        report.values_mut()[i] = filled(Decimal::from(v), None);
    };
    // 三: per applicant column (an R3 equation over drawn rows), results drawn, R1 balanced.
    let columns = eqs
        .iter()
        .filter(|e| e.rule == Rule::R3 && !e.right.iter().any(|p| derived.contains(p)));
    for (n, r3) in columns.enumerate() {
        let mut handled = 0;
        for &p in &r3.right {
            let v = if n == 0 { rng.count() } else { rng.count() / 4 };
            handled += v;
            set(&mut report, p, v);
        }
        let r1 = eqs
            .iter()
            .find(|e| e.rule == Rule::R1 && e.right[0] == r3.left[0])
            .expect("an R1 equation per column");
        let (&[new, carried_in], &[handled_total, carried_out]) =
            (r1.left.as_slice(), r1.right.as_slice())
        else {
            unreachable!("R1 has two fields on each side")
        };
        let co = rng.below(handled as u64 / 5 + 1) as i64;
        let ci = rng.below((handled + co) as u64 / 5 + 1) as i64;
        set(&mut report, handled_total, handled);
        set(&mut report, carried_out, co);
        set(&mut report, carried_in, ci);
        set(&mut report, new, handled + co - ci);
    }
    // 四: the outcomes drawn.
    for r4 in eqs.iter().filter(|e| e.rule == Rule::R4) {
        for &p in &r4.right {
            let v = rng.count() / 10;
            set(&mut report, p, v);
        }
    }
    // every total from its parts
    for d in derivations(version) {
        let sum: Decimal = d.parts.iter().map(|&p| report.values()[p].value).sum();
        report.values_mut()[d.target] = filled(sum, None);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consistent_reports_pass_every_rule_and_are_deterministic() {
        for v in FormatVersion::ALL {
            for seed in 0..50 {
                let r = consistent_report(v, "测试局", 2021, seed);
                let findings = crate::validate::validate(&r);
                assert!(findings.is_empty(), "{v} seed {seed}: {findings:#?}");
                assert_eq!(r, consistent_report(v, "测试局", 2021, seed));
            }
        }
    }
}

//! Consistent made-up reports, for tests, property tests, benchmarks and sample workbooks: every
//! number is drawn from a seeded generator, and the totals are derived so that R1–R5 hold.

use rust_decimal::Decimal;

use super::spec::result_rows;
use super::{FormatVersion, Meta, MoneyUnit, Report, TableKey, Value, ValueKind};

/// A small deterministic generator (SplitMix64): same seed, same report, on every machine.
pub struct Rng(u64);

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
pub fn consistent_report(version: FormatVersion, agency: &str, year: u16, seed: u64) -> Report {
    let mut rng = Rng::new(seed);
    let mut report = Report::empty(Meta {
        agency: Some(agency.to_string()),
        year: Some(year),
        format: version,
        source: format!("{agency}.xlsx"),
        agency_cell: None,
        year_cell: None,
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
    // 三: details drawn, totals derived.
    let req = spec.table(TableKey::Requests);
    let cols = req.rows[0].columns;
    let set = |report: &mut Report, row: &str, col: &str, v: i64| {
        *report.get_mut(TableKey::Requests, row, col).expect("spec") =
            filled(Decimal::from(v), None);
    };
    for c in &cols[..6] {
        let mut handled = 0;
        for row in result_rows(req) {
            let v = if c.key == "natural_person" {
                rng.count()
            } else {
                rng.count() / 4
            };
            handled += v;
            set(&mut report, row.key, c.key, v);
        }
        let carried_out = rng.below(handled as u64 / 5 + 1) as i64;
        let carried_in = rng.below((handled + carried_out) as u64 / 5 + 1) as i64;
        set(&mut report, "handled_total", c.key, handled);
        set(&mut report, "carried_out", c.key, carried_out);
        set(&mut report, "carried_in", c.key, carried_in);
        set(
            &mut report,
            "new",
            c.key,
            handled + carried_out - carried_in,
        );
    }
    for row in req.rows {
        let total: Decimal = cols[..6]
            .iter()
            .map(|c| {
                report
                    .get(TableKey::Requests, row.key, c.key)
                    .expect("spec")
                    .value
            })
            .sum();
        *report
            .get_mut(TableKey::Requests, row.key, "total")
            .expect("spec") = filled(total, None);
    }
    // 四: four outcomes drawn, total derived.
    for row in spec.table(TableKey::Appeals).rows {
        let mut total = 0;
        for c in ["upheld", "corrected", "other", "pending"] {
            let v = rng.count() / 10;
            total += v;
            *report.get_mut(TableKey::Appeals, row.key, c).expect("spec") =
                filled(Decimal::from(v), None);
        }
        *report
            .get_mut(TableKey::Appeals, row.key, "total")
            .expect("spec") = filled(Decimal::from(total), None);
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

use super::*;
use crate::fix::{derivations, fix};
use crate::model::Rule;
use crate::model::{MoneyUnit, TableKey};

fn meta(version: FormatVersion) -> Meta {
    Meta {
        agency: Some("测试局".into()),
        year: Some(2021),
        format: version,
        source: "in.xlsx".into(),
        agency_cell: None,
        year_cell: None,
        agency_from: None,
        year_from: None,
    }
}

/// Every value filled and distinct-ish, every total right, sources on `Sheet1` column D.
fn consistent(version: FormatVersion) -> Report {
    let mut r = Report::empty(meta(version));
    for (i, v) in r.values_mut().iter_mut().enumerate() {
        *v = Value {
            value: Decimal::from((i % 5) as i64 + 1),
            status: Status::Filled,
            unit: None,
            raw: None,
            source: Some(CellRef::new("Sheet1", i as u32, 3)),
        };
    }
    for d in derivations(version) {
        let s: Decimal = d.parts.iter().map(|&p| r.values()[p].value).sum();
        r.values_mut()[d.target].value = s;
    }
    r
}

fn idx(r: &Report, t: TableKey, row: &str, col: &str) -> usize {
    r.spec().index_of(t, row, col).unwrap()
}

fn cells(r: &Report, opts: &SheetOptions) -> (Layout, Vec<FieldCell>) {
    let l = Layout::new(r.meta.format, 0);
    let c = field_cells(r, &l, opts);
    (l, c)
}

#[test]
fn consistent_totals_are_formulas_with_their_results() {
    for v in FormatVersion::ALL {
        let r = consistent(v);
        let (_, c) = cells(&r, &SheetOptions::default());
        for d in derivations(v) {
            match &c[d.target].out {
                Out::Formula { result, .. } => assert_eq!(*result, r.values()[d.target].value),
                other => panic!("{other:?}"),
            }
        }
        let n_formulas = c
            .iter()
            .filter(|c| matches!(c.out, Out::Formula { .. }))
            .count();
        assert_eq!(n_formulas, derivations(v).len());
    }
}

#[test]
fn formula_ranges_follow_the_layout() {
    let r = consistent(FormatVersion::V2021);
    let (l, c) = cells(&r, &SheetOptions::default());
    let t = TableKey::Requests;
    let text = |i: usize| match &c[i].out {
        Out::Formula { text, .. } => text.clone(),
        o => panic!("{o:?}"),
    };
    let (row, _) = l.positions[idx(&r, t, "new", "total")];
    assert_eq!(
        text(idx(&r, t, "new", "total")),
        format!("=SUM(I{n}:N{n})", n = row + 1)
    );
    let (g, _) = l.positions[idx(&r, t, "granted", "research")];
    let (m, _) = l.positions[idx(&r, t, "other_misc", "research")];
    assert_eq!(
        text(idx(&r, t, "handled_total", "research")),
        format!("=SUM(K{}:K{})", g + 1, m + 1)
    );
    let (a, _) = l.positions[idx(&r, TableKey::Appeals, "litigation_direct", "total")];
    assert_eq!(
        text(idx(&r, TableKey::Appeals, "litigation_direct", "total")),
        format!("=SUM(F{n}:I{n})", n = a + 1)
    );
}

#[test]
fn a_wrong_total_is_written_as_read_with_a_note() {
    let mut r = consistent(FormatVersion::V2019);
    let i = idx(&r, TableKey::Requests, "new", "total");
    r.values_mut()[i].value += Decimal::from(3);
    let (_, c) = cells(&r, &SheetOptions::default());
    assert_eq!(c[i].out, Out::Number(r.values()[i].value));
    assert!(c[i].derived);
    assert!(
        c[i].note.iter().any(|n| n.contains("不一致")),
        "{:?}",
        c[i].note
    );
    // the handled_total column is unaffected (new is not a result row)
    let h = idx(&r, TableKey::Requests, "handled_total", "total");
    assert!(matches!(c[h].out, Out::Formula { .. }));
}

#[test]
fn after_fix_every_total_is_a_formula_and_marked() {
    let mut r = consistent(FormatVersion::V2021);
    let i = idx(&r, TableKey::Appeals, "review", "total");
    r.values_mut()[i].value = Decimal::from(999);
    let fixed = fix(&mut r);
    assert_eq!(fixed.corrections.len(), 1);
    let opts = SheetOptions {
        corrections: &fixed.corrections,
        ..Default::default()
    };
    let (_, c) = cells(&r, &opts);
    assert!(matches!(c[i].out, Out::Formula { .. }));
    assert!(c[i].corrected);
    assert!(c[i].note.iter().any(|n| n.contains("原值 999")));
}

#[test]
fn a_total_fix_held_back_keeps_the_agencys_number_with_a_note_saying_why() {
    // fails_r3: a result raised in 自然人 and its row total; R1 holds with （七）总计 as read
    let mut r = crate::model::synthetic::consistent_report(FormatVersion::V2019, "测试局", 2020, 7);
    for (i, v) in r.values_mut().iter_mut().enumerate() {
        v.source = Some(CellRef::new("Sheet1", i as u32, 3));
    }
    for col in ["natural_person", "total"] {
        r.get_mut(TableKey::Requests, "granted", col).unwrap().value += Decimal::ONE;
    }
    let fixed = fix(&mut r);
    assert_eq!(fixed.conflicts.len(), 2);
    let opts = SheetOptions {
        corrections: &fixed.corrections,
        conflicts: &fixed.conflicts,
        ..Default::default()
    };
    let (_, c) = cells(&r, &opts);
    let i = idx(&r, TableKey::Requests, "handled_total", "natural_person");
    let as_read = r.values()[i].value;
    assert_eq!(c[i].out, Out::Number(as_read));
    assert!(!c[i].corrected);
    let note = c[i].note.join("\n");
    assert!(
        note.contains("保留原表数值：R3 要求等于分项之和") && note.contains("会使 R1（原表 "),
        "{note}"
    );
    // not the advice to let nianbao recompute it
    assert!(!note.contains("用 nianbao 按分项重新计算"), "{note}");
}

#[test]
fn values_as_read_blank_invalid_missing_money_units() {
    let mut r = consistent(FormatVersion::V2019);
    let t = TableKey::Proactive;
    let blank = idx(&r, t, "regulations", "produced");
    let invalid = idx(&r, t, "regulations", "published");
    let missing = idx(&r, t, "licensing", "decisions");
    let yuan = idx(&r, t, "procurement", "amount");
    let noted = idx(&r, t, "normative_documents", "produced");
    {
        let v = r.values_mut();
        v[blank].status = Status::Blank;
        v[blank].value = Decimal::ZERO;
        v[invalid].status = Status::Invalid;
        v[invalid].raw = Some("不详".into());
        v[missing] = Value::missing();
        v[yuan].unit = Some(MoneyUnit::Yuan);
        v[yuan].value = Decimal::new(7539443252, 2);
        v[noted].value = Decimal::from(22);
        v[noted].raw = Some("22（其中修订16件）".into());
    }
    let (_, c) = cells(&r, &SheetOptions::default());
    assert_eq!(c[blank].out, Out::Empty);
    assert!(c[blank].note.is_empty());
    assert_eq!(c[invalid].out, Out::Text("不详".into()));
    assert_eq!(c[missing].out, Out::Empty);
    assert!(!c[missing].note.is_empty());
    assert_eq!(c[yuan].out, Out::Text("75394432.52元".into()));
    assert_eq!(c[noted].out, Out::Number(Decimal::from(22)));
    assert!(c[noted].note[0].contains("22（其中修订16件）"));
    // a right total with a unit in its cell is a formula, its text in the note
    let total = idx(&r, TableKey::Requests, "new", "total");
    r.values_mut()[total].raw = Some(format!("{}件", r.values()[total].value));
    let (_, c) = cells(&r, &SheetOptions::default());
    assert!(matches!(c[total].out, Out::Formula { .. }));
    assert_eq!(c[total].note.len(), 1);
}

#[test]
fn a_blank_total_stays_blank_and_an_unknown_part_blocks_the_formula() {
    let mut r = consistent(FormatVersion::V2021);
    let t = TableKey::Requests;
    let total = idx(&r, t, "new", "total");
    r.values_mut()[total].status = Status::Blank;
    let part = idx(&r, t, "carried_in", "research");
    r.values_mut()[part].status = Status::FormulaNotCalculated;
    let (_, c) = cells(&r, &SheetOptions::default());
    assert_eq!(c[total].out, Out::Empty);
    let ci = idx(&r, t, "carried_in", "total");
    assert_eq!(c[ci].out, Out::Number(r.values()[ci].value));
}

#[test]
fn error_findings_highlight_their_source_cells() {
    let r = consistent(FormatVersion::V2021);
    let a = idx(&r, TableKey::Requests, "new", "natural_person");
    let b = idx(&r, TableKey::Requests, "new", "total");
    let src = |i: usize| r.values()[i].source.clone().unwrap();
    let diags = vec![
        Diagnostic::new(Rule::R2, "in.xlsx", "总计不等于各列之和".into())
            .involving([&src(b), &src(a)]),
        Diagnostic::new(Rule::R6, "in.xlsx", "空白按 0 计".into()).at(Some(&src(a))),
    ];
    let opts = SheetOptions {
        diags: &diags,
        ..Default::default()
    };
    let (_, c) = cells(&r, &opts);
    assert!(c[a].error && c[b].error);
    assert_eq!(c[a].note.len(), 2);
    assert!(c[a].note[0].starts_with("R2 错误"));
    assert_eq!(c.iter().filter(|c| c.error).count(), 2);
}

#[test]
fn blank_report_has_blank_inputs_and_computed_totals() {
    for v in FormatVersion::ALL {
        let r = blank_report(v, None, None);
        let (_, c) = cells(&r, &SheetOptions::default());
        for (i, cell) in c.iter().enumerate() {
            if derivation_of(v, i).is_some() {
                assert_eq!(
                    cell.out,
                    Out::Formula {
                        text: cell_formula(&cell.out),
                        result: Decimal::ZERO
                    }
                );
            } else {
                assert_eq!(cell.out, Out::Empty);
            }
        }
    }
}

fn cell_formula(o: &Out) -> String {
    match o {
        Out::Formula { text, .. } => text.clone(),
        _ => String::new(),
    }
}

#[test]
fn title_leaves_out_unknown_parts() {
    assert_eq!(
        title(Some("杜集区经济和信息化局"), Some(2020)),
        "杜集区经济和信息化局2020年政府信息公开工作年度报告统计表"
    );
    assert_eq!(title(None, None), "政府信息公开工作年度报告统计表");
}

mod one_definition {
    //! The properties of the one list of equations and of `fix`, for random reports (a
    //! consistent synthetic report with random changes):
    //!
    //! - only totals wrong: after `fix`, `validate` reports no R2–R4, nothing is held back, and
    //!   the template's formula of every total adds up the cells of the total's parts to the
    //!   number `fix` computed;
    //! - any numbers wrong: after `fix` no rule fails that held as read, the findings quote the
    //!   report as read, and every corrected total is a formula computing what `fix` computed.
    use super::*;
    use crate::model::cellref::parse_a1;
    use crate::model::synthetic::consistent_report;
    use proptest::prelude::*;

    /// What a perturbation does to one field.
    #[derive(Debug, Clone)]
    enum Change {
        Add(i64),
        Blank,
        /// Not a number (a total only: a detail not a number blocks its totals, by design).
        Invalid,
    }

    fn change() -> impl Strategy<Value = Change> {
        prop_oneof![
            6 => (-50i64..50).prop_map(Change::Add),
            2 => Just(Change::Blank),
            1 => Just(Change::Invalid),
        ]
    }

    fn perturbed(version: FormatVersion, seed: u64, changes: &[(usize, Change)]) -> Report {
        let mut r = consistent_report(version, "测试局", 2021, seed);
        for (i, v) in r.values_mut().iter_mut().enumerate() {
            v.source = Some(CellRef::new("Sheet1", i as u32, 3));
        }
        for &(i, ref c) in changes {
            let is_total = derivation_of(version, i).is_some();
            let v = &mut r.values_mut()[i];
            match c {
                Change::Add(d) => v.value += Decimal::from(*d),
                Change::Blank => {
                    v.status = Status::Blank;
                    v.value = Decimal::ZERO;
                }
                Change::Invalid if is_total => {
                    v.status = Status::Invalid;
                    v.raw = Some("见附件".into());
                    v.value = Decimal::ZERO;
                }
                Change::Invalid => v.value += Decimal::ONE,
            }
        }
        r
    }

    /// The fields a `=SUM(…)` formula adds up, through the layout's positions.
    fn formula_fields(text: &str, layout: &Layout) -> Vec<usize> {
        let inner = text
            .strip_prefix("=SUM(")
            .and_then(|t| t.strip_suffix(')'))
            .unwrap_or_else(|| panic!("not a SUM: {text}"));
        let mut out = Vec::new();
        for part in inner.split(',') {
            let (a, b) = part.split_once(':').unwrap_or((part, part));
            let (r0, c0) = parse_a1(a).unwrap();
            let (r1, c1) = parse_a1(b).unwrap();
            for r in r0..=r1 {
                for c in c0..=c1 {
                    let i = layout
                        .positions
                        .iter()
                        .position(|&p| p == (r, c as u16))
                        .unwrap_or_else(|| panic!("{text}: no field at row {r} col {c}"));
                    out.push(i);
                }
            }
        }
        out
    }

    /// The fields the changes apply to: any field, or (`totals`) only totals.
    fn targets(
        version: FormatVersion,
        totals: bool,
        changes: Vec<(prop::sample::Index, Change)>,
    ) -> Vec<(usize, Change)> {
        let all: Vec<usize> = if totals {
            derivations(version).iter().map(|d| d.target).collect()
        } else {
            (0..version.spec().fields().count()).collect()
        };
        changes
            .into_iter()
            .map(|(at, c)| (all[at.index(all.len())], c))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn after_fix_of_wrong_totals_no_sum_rule_fails_and_formulas_compute_what_fix_computed(
            v2021 in any::<bool>(),
            seed in any::<u64>(),
            changes in proptest::collection::vec((any::<prop::sample::Index>(), change()), 0..12),
        ) {
            let version = if v2021 { FormatVersion::V2021 } else { FormatVersion::V2019 };
            let mut r = perturbed(version, seed, &targets(version, true, changes));
            let fixed = fix(&mut r);
            prop_assert!(fixed.conflicts.is_empty(), "{:?}", fixed.conflicts);
            let left: Vec<_> = validate_codes(&r);
            prop_assert!(
                !left.iter().any(|c| matches!(*c, "R2" | "R3" | "R4")),
                "after fix: {left:?}"
            );
            let (layout, cells) = cells(&r, &SheetOptions::default());
            for d in derivations(version) {
                let Out::Formula { text, result } = &cells[d.target].out else {
                    return Err(TestCaseError::fail(format!("total {} is not a formula", d.target)));
                };
                prop_assert_eq!(*result, r.values()[d.target].value);
                let mut refs = formula_fields(text, &layout);
                let sum: Decimal = refs.iter().map(|&i| r.values()[i].value).sum();
                prop_assert_eq!(sum, *result, "{}", text);
                refs.sort_unstable();
                let mut parts = d.parts.clone();
                parts.sort_unstable();
                prop_assert_eq!(refs, parts, "{}", text);
            }
        }

        #[test]
        fn fix_never_makes_a_report_worse(
            v2021 in any::<bool>(),
            seed in any::<u64>(),
            changes in proptest::collection::vec((any::<prop::sample::Index>(), change()), 0..12),
        ) {
            let version = if v2021 { FormatVersion::V2021 } else { FormatVersion::V2019 };
            let as_read = perturbed(version, seed, &targets(version, false, changes));
            let before = crate::validate::validate(&as_read);
            let mut r = as_read.clone();
            let (fixed, still) = crate::fix::fix_checked(&mut r);
            let after = crate::validate::validate(&r);
            // a rule that held as read (no finding of that rule on those cells) still holds
            let names = |d: &crate::diag::Diagnostic| -> Vec<CellRef> {
                d.cell.iter().chain(&d.cells).cloned().collect()
            };
            for a in &after {
                let held_before = !before.iter().any(|b| {
                    b.rule == a.rule && names(a).iter().all(|c| names(b).contains(c))
                });
                prop_assert!(!held_before, "new after fix: {:?}\nbefore: {:?}", a, before);
            }
            // the findings reported are findings of the report as read
            for d in &still {
                prop_assert!(before.contains(d), "not a finding as read: {:?}", d);
            }
            // only corrected totals changed; they keep their source cell, marked computed
            let corrected: Vec<usize> = fixed.corrections.iter().map(|c| c.index).collect();
            for (i, (a, b)) in as_read.values().iter().zip(r.values()).enumerate() {
                if corrected.contains(&i) {
                    prop_assert_eq!(b.status, Status::Computed);
                    prop_assert_eq!(&a.source, &b.source);
                } else {
                    prop_assert_eq!(a, b);
                }
            }
            // a conflict leaves the total as read, and names the total's cell
            for k in &fixed.conflicts {
                let i = k.correction.index;
                prop_assert_eq!(&as_read.values()[i], &r.values()[i]);
                prop_assert!(!k.against.is_empty());
                let own = as_read.values()[i].source.clone().unwrap();
                prop_assert!(k.cells.contains(&own), "{:?}", k);
            }
            // every corrected total is a formula computing what fix computed
            let opts = SheetOptions {
                corrections: &fixed.corrections,
                conflicts: &fixed.conflicts,
                ..Default::default()
            };
            let (_, cells) = cells(&r, &opts);
            for c in &fixed.corrections {
                let Out::Formula { result, .. } = &cells[c.index].out else {
                    return Err(TestCaseError::fail(format!("corrected {} is not a formula", c.index)));
                };
                prop_assert_eq!(*result, c.new);
            }
        }
    }

    fn validate_codes(r: &Report) -> Vec<&'static str> {
        crate::validate::validate(r)
            .iter()
            .map(|d| d.rule.code())
            .collect()
    }
}

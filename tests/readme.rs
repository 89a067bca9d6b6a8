//! The README documents every rule, metric and subcommand the code has.

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn every_rule_is_documented_with_its_severity_and_title() {
    let text = readme();
    for r in nianbao::validate::RULES {
        let row = format!("| {} | {} | {} |", r.code, r.severity.label(), r.title);
        assert!(
            text.contains(&row),
            "README lacks the row for {}: {row}",
            r.code
        );
    }
}

#[test]
fn every_metric_is_documented_with_its_formula() {
    let text = readme();
    for m in nianbao::rollup::metrics::METRICS {
        assert!(
            text.contains(&format!("| {} | {} |", m.name, m.formula)),
            "{}",
            m.name
        );
    }
}

#[test]
fn the_test_command_and_every_subcommand_are_in_the_readme() {
    let text = readme();
    assert!(text.contains("\ncargo test\n"));
    assert!(text.contains("cargo run --release -- check sample_workbooks/"));
    for sub in ["check", "convert", "template", "rollup"] {
        assert!(text.contains(&format!("`nianbao {sub}")), "{sub}");
    }
}

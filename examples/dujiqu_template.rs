//! Write the filled template of a real report: 杜集区经济和信息化局, 2020 (2019 format), the
//! numbers of `shared/domain/samples/dujiqu_jingxinju_2020.txt` typed in by hand (the sample is
//! published text, not a workbook, so the values have no source cells).
//!
//!     cargo run --example dujiqu_template -- OUT.xlsx [--demo-error]
//!     scripts/render.sh OUT_DIR OUT.xlsx
//!
//! `--demo-error` is for looking at how findings are shown: it changes one total to a wrong
//! number, gives the values made-up source cells (`演示!A1`…) and adds an R2 finding on it.

use std::path::PathBuf;

use nianbao::diag::{Diagnostic, Rule};
use nianbao::model::{CellRef, FormatVersion, Meta, Report, Status, TableKey, Value};
use rust_decimal::Decimal;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| "dujiqu_2020.xlsx".into());
    let demo = std::env::args().any(|a| a == "--demo-error");
    let meta = Meta {
        agency: Some("杜集区经济和信息化局".into()),
        year: Some(2020),
        format: FormatVersion::V2019,
        source: "dujiqu_jingxinju_2020.txt".into(),
        agency_cell: None,
        year_cell: None,
        agency_from: None,
        year_from: None,
    };
    // every number in the published tables is 0 except these
    let nonzero: &[(&str, &str, i64)] = &[
        ("normative_documents", "published", 5),
        ("normative_documents", "total_published", 21),
        ("other_services", "prior_items", 1),
    ];
    let mut report = Report::empty(meta);
    let spec = report.spec();
    for (f, v) in spec.fields().zip(report.values_mut()) {
        let n = nonzero
            .iter()
            .find(|(r, c, _)| f.table == TableKey::Proactive && *r == f.row.key && *c == f.col.key)
            .map_or(0, |x| x.2);
        *v = Value {
            value: Decimal::from(n),
            status: Status::Filled,
            unit: None,
            raw: None,
            source: None,
        };
    }
    let mut diags = Vec::new();
    if demo {
        for (i, v) in report.values_mut().iter_mut().enumerate() {
            v.source = Some(CellRef::new("演示", i as u32, 0));
        }
        let t = TableKey::Requests;
        let total = report.get_mut(t, "new", "total").expect("field");
        total.value = Decimal::from(3);
        let src = total.source.clone();
        diags.push(
            Diagnostic::new(
                Rule::R2,
                "演示.xlsx",
                "一、本年新收政府信息公开申请数量：总计 3 不等于各类申请人之和 0".into(),
            )
            .at(src.as_ref())
            .help("核对各类申请人数量，或用 --fix 按分项之和重新计算总计")
            .sides(Decimal::from(3), Decimal::ZERO),
        );
    }
    nianbao::write::template::write_report(
        &report,
        &diags,
        &Default::default(),
        &out,
        &Default::default(),
    )?;
    eprintln!("{}", out.display());
    Ok(())
}

//! Write the filled template of a real report: 杜集区经济和信息化局, 2020 (2019 format), the
//! numbers of `shared/domain/samples/dujiqu_jingxinju_2020.txt` typed in by hand (the sample is
//! published text, not a workbook, so the values have no source cells).
//!
//!     cargo run --example dujiqu_template -- OUT.xlsx
//!     scripts/render.sh OUT_DIR OUT.xlsx

use std::path::PathBuf;

use nianbao::model::{FormatVersion, Meta, Report, Status, TableKey, Value};
use rust_decimal::Decimal;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| "dujiqu_2020.xlsx".into());
    let meta = Meta {
        agency: Some("杜集区经济和信息化局".into()),
        year: Some(2020),
        format: FormatVersion::V2019,
        source: "dujiqu_jingxinju_2020.txt".into(),
        agency_cell: None,
        year_cell: None,
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
    nianbao::write::template::write_report(&report, &[], &[], &out, &[])?;
    eprintln!("{}", out.display());
    Ok(())
}

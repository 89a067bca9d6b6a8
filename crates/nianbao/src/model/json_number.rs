//! Decimals as exact JSON numbers, without serde_json's `arbitrary_precision` feature (which
//! would change how serde_json parses numbers for every crate in a user's dependency tree).
//!
//! The number's text (`Decimal`'s `Display`: `12.50`, `-3`) is handed to serde_json as a
//! [`RawValue`], which serde_json writes verbatim: `convert -o x.json` and `check --format json`
//! print exactly what was read. Other serializers see the same text as a string.

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// `#[serde(serialize_with = "…")]` for a [`Decimal`] written as a JSON number.
pub(crate) fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    let raw = RawValue::from_string(d.to_string()).map_err(serde::ser::Error::custom)?;
    raw.serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct N(#[serde(serialize_with = "serialize")] Decimal);

    #[test]
    fn numbers_keep_their_exact_text() {
        for (d, json) in [
            (Decimal::new(1250, 2), "12.50"),
            (Decimal::from(-3), "-3"),
            (Decimal::new(1, 28), "0.0000000000000000000000000001"),
            (Decimal::MAX, "79228162514264337593543950335"),
        ] {
            assert_eq!(serde_json::to_string(&N(d)).unwrap(), json);
        }
    }
}

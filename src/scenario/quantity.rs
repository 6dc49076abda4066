//! Kubernetes quantities (`4`, `500m`, `16Gi`, `1G`) for node capacity and disk sizes.
//!
//! A minimal parser of the forms scenarios use (decimal number and an SI or binary suffix; no
//! exponent form), rounding up like kk:staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go.

use super::field::{Field, Result};
use serde_yaml_ng::Value;

/// The suffixes of resource.Quantity as (numerator, denominator) of their factor.
const SUFFIXES: &[(&str, u128, u128)] = &[
    ("m", 1, 1_000),
    ("k", 1_000, 1),
    ("M", 1_000_000, 1),
    ("G", 1_000_000_000, 1),
    ("T", 1_000_000_000_000, 1),
    ("P", 1_000_000_000_000_000, 1),
    ("E", 1_000_000_000_000_000_000, 1),
    ("Ki", 1 << 10, 1),
    ("Mi", 1 << 20, 1),
    ("Gi", 1 << 30, 1),
    ("Ti", 1 << 40, 1),
    ("Pi", 1 << 50, 1),
    ("Ei", 1 << 60, 1),
];

/// The quantity times `scale`, rounded up to an integer.
fn parse_scaled(text: &str, scale: u128) -> std::result::Result<u64, String> {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let (num, den) = match suffix {
        "" => (1, 1),
        _ => match SUFFIXES.iter().find(|(s, _, _)| *s == suffix) {
            Some((_, num, den)) => (*num, *den),
            None => return Err(format!("unknown suffix {suffix:?}")),
        },
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') || fraction.len() > 9 {
        return Err(format!("{number:?} is not a number"));
    }
    let digits: u128 = format!("{whole}{fraction}")
        .parse()
        .map_err(|_| "it is too large")?;
    let den = den * 10u128.pow(fraction.len() as u32);
    let value = digits.checked_mul(num * scale).ok_or("it is too large")?;
    u64::try_from(value.div_ceil(den)).map_err(|_| "it is too large".to_string())
}

impl Field<'_> {
    fn quantity_text(&self) -> Result<String> {
        match self.value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) if n.as_f64().is_some_and(|x| x >= 0.0) => Ok(n.to_string()),
            _ => Err(self.wrong_type("a quantity like \"4\", 500m or 16Gi")),
        }
    }

    fn quantity(&self, scale: u128) -> Result<u64> {
        let text = self.quantity_text()?;
        parse_scaled(&text, scale)
            .map_err(|why| self.invalid(format!("{text:?} is not a quantity ({why})")))
    }

    /// A CPU quantity (`4`, `500m`, `0.5`) in millicores.
    pub fn cpu_milli(&self) -> Result<u64> {
        self.quantity(1_000)
    }

    /// A memory or storage quantity (`16Gi`, `1G`, `512Mi`) in bytes.
    pub fn bytes(&self) -> Result<u64> {
        self.quantity(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_and_memory_quantities_parse() {
        assert_eq!(parse_scaled("4", 1_000), Ok(4_000));
        assert_eq!(parse_scaled("500m", 1_000), Ok(500));
        assert_eq!(parse_scaled("0.5", 1_000), Ok(500));
        assert_eq!(parse_scaled("16Gi", 1), Ok(16 << 30));
        assert_eq!(parse_scaled("1G", 1), Ok(1_000_000_000));
        assert_eq!(parse_scaled("1.5Ki", 1), Ok(1_536));
    }

    #[test]
    fn malformed_quantities_are_rejected() {
        for text in ["", "4x", "1.2.3", "-1", "Gi", "99999999999Ei"] {
            assert!(parse_scaled(text, 1).is_err(), "{text}");
        }
    }
}

//! Resource quantities (`100m`, `1.5Gi`, `1e3`) parsed exactly, as resource.Quantity does.
//!
//! Grammar and rounding from k8s.io/apimachinery/pkg/api/resource/quantity.go (`ParseQuantity`,
//! `ScaledValue` rounds up): a signed decimal number followed by a binary-SI suffix (Ki..Ei), a
//! decimal-SI suffix (n, u, m, "", k, M, G, T, P, E) or a decimal exponent (e3, E-2).

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// Why a quantity string was rejected; displays as the API server's detail after the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Not of the form `<signedNumber><suffix>` (the API server's `ErrFormatWrong`).
    #[error(
        "{value:?}: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )]
    Malformed { value: String },
    /// Negative where only non-negative amounts make sense.
    #[error("{value:?}: must be greater than or equal to 0")]
    Negative { value: String },
    /// Too large (or too many digits) to represent.
    #[error("{value:?}: is too large")]
    TooLarge { value: String },
}

/// CPU in millicores, rounded up: `100m` → 100, `1` → 1000, `0.5` → 500, `1n` → 1.
pub fn parse_cpu_milli(q: &Quantity) -> Result<u64, QuantityError> {
    to_u64(&q.0, parse_scaled(&q.0, 3)?)
}

/// A byte count (memory, storage), rounded up: `1Gi` → 1073741824, `1k` → 1000, `1.5Ki` → 1536.
pub fn parse_bytes(q: &Quantity) -> Result<u64, QuantityError> {
    to_u64(&q.0, parse_scaled(&q.0, 0)?)
}

/// Any quantity in thousandths, rounded up; for comparing requests with limits of any resource.
pub(crate) fn parse_milli_wide(q: &Quantity) -> Result<u128, QuantityError> {
    parse_scaled(&q.0, 3)
}

/// The parsed parts: value = mantissa × 10^exp10 × 2^exp2.
struct Parts {
    negative: bool,
    mantissa: u128,
    exp10: i32,
    exp2: u32,
}

/// ceil(value × 10^scale), or an error for malformed, negative or overflowing input.
fn parse_scaled(text: &str, scale: i32) -> Result<u128, QuantityError> {
    let parts = split(text).ok_or_else(|| QuantityError::Malformed { value: text.into() })?;
    if parts.negative && parts.mantissa != 0 {
        return Err(QuantityError::Negative { value: text.into() });
    }
    let too_large = || QuantityError::TooLarge { value: text.into() };
    let shifted = parts
        .mantissa
        .checked_mul(1u128 << parts.exp2)
        .ok_or_else(too_large)?;
    let exp = parts.exp10 + scale;
    if exp >= 0 {
        let factor = 10u128.checked_pow(exp as u32).ok_or_else(too_large)?;
        return shifted.checked_mul(factor).ok_or_else(too_large);
    }
    match 10u128.checked_pow(exp.unsigned_abs()) {
        Some(div) => Ok(shifted / div + u128::from(shifted % div != 0)),
        // Smaller than any representable unit: rounds up to 1 unless zero.
        None => Ok(u128::from(shifted != 0)),
    }
}

fn to_u64(text: &str, value: u128) -> Result<u64, QuantityError> {
    u64::try_from(value).map_err(|_| QuantityError::TooLarge { value: text.into() })
}

/// Splits `[+-]digits[.digits]suffix` into its parts; None when malformed.
fn split(text: &str) -> Option<Parts> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let number_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let (number, suffix) = rest.split_at(number_len);
    let (mantissa, fraction_digits) = parse_number(number)?;
    let (suffix_exp10, exp2) = parse_suffix(suffix)?;
    let exp10 = suffix_exp10.checked_sub(i32::try_from(fraction_digits).ok()?)?;
    Some(Parts {
        negative,
        mantissa,
        exp10,
        exp2,
    })
}

/// `12.50` → (1250, 2). At least one digit, at most one dot.
fn parse_number(number: &str) -> Option<(u128, usize)> {
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if int.is_empty() && frac.is_empty() || frac.contains('.') {
        return None;
    }
    let mut mantissa: u128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(u128::from(b - b'0'))?;
    }
    Some((mantissa, frac.len()))
}

/// A suffix as (decimal exponent, binary exponent).
fn parse_suffix(suffix: &str) -> Option<(i32, u32)> {
    let decimal = match suffix {
        "n" => Some(-9),
        "u" => Some(-6),
        "m" => Some(-3),
        "" => Some(0),
        "k" => Some(3),
        "M" => Some(6),
        "G" => Some(9),
        "T" => Some(12),
        "P" => Some(15),
        "E" => Some(18),
        _ => None,
    };
    if let Some(exp) = decimal {
        return Some((exp, 0));
    }
    let binary = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
        .iter()
        .position(|s| *s == suffix);
    if let Some(i) = binary {
        return Some((0, 10 * (i as u32 + 1)));
    }
    parse_exponent(suffix).map(|e| (e, 0))
}

/// `e3`, `E-2`, `e+6`: a decimal exponent with at least one digit.
fn parse_exponent(suffix: &str) -> Option<i32> {
    let rest = suffix
        .strip_prefix('e')
        .or_else(|| suffix.strip_prefix('E'))?;
    let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity(s.to_string())
    }

    #[test]
    fn cpu_quantities_become_millicores_rounded_up() {
        let cases = [
            ("100m", 100),
            ("1", 1000),
            ("0.5", 500),
            (".25", 250),
            ("2.", 2000),
        ];
        for (text, milli) in cases {
            assert_eq!(parse_cpu_milli(&q(text)), Ok(milli), "{text}");
        }
        assert_eq!(parse_cpu_milli(&q("1n")), Ok(1));
        assert_eq!(parse_cpu_milli(&q("0.0001")), Ok(1));
        assert_eq!(parse_cpu_milli(&q("1e3")), Ok(1_000_000));
        assert_eq!(parse_cpu_milli(&q("+1k")), Ok(1_000_000));
    }

    #[test]
    fn memory_quantities_become_bytes() {
        assert_eq!(parse_bytes(&q("1Gi")), Ok(1 << 30));
        assert_eq!(parse_bytes(&q("4Gi")), Ok(4 << 30));
        assert_eq!(parse_bytes(&q("1.5Ki")), Ok(1536));
        assert_eq!(parse_bytes(&q("10Gi")), Ok(10 << 30));
        assert_eq!(parse_bytes(&q("1k")), Ok(1000));
        assert_eq!(parse_bytes(&q("512")), Ok(512));
        assert_eq!(parse_bytes(&q("1M")), Ok(1_000_000));
        assert_eq!(parse_bytes(&q("1E")), Ok(1_000_000_000_000_000_000));
        assert_eq!(parse_bytes(&q("1500m")), Ok(2));
        assert_eq!(parse_bytes(&q("0")), Ok(0));
        assert_eq!(parse_bytes(&q("-0")), Ok(0));
    }

    #[test]
    fn malformed_quantities_are_rejected_with_the_api_server_pattern() {
        for text in [
            "", "abc", "1Gb", "1.2.3", ".", "1e", "1 Gi", "Gi", "1ki", "--1", "1e1.5",
        ] {
            let err = parse_bytes(&q(text)).unwrap_err();
            assert!(
                matches!(err, QuantityError::Malformed { .. }),
                "{text}: {err}"
            );
        }
        let err = parse_cpu_milli(&q("fast")).unwrap_err().to_string();
        assert!(
            err.starts_with("\"fast\": quantities must match the regular expression"),
            "{err}"
        );
    }

    #[test]
    fn negative_and_huge_quantities_are_rejected() {
        assert!(matches!(
            parse_cpu_milli(&q("-100m")),
            Err(QuantityError::Negative { .. })
        ));
        assert!(matches!(
            parse_bytes(&q("100Ei")),
            Err(QuantityError::TooLarge { .. })
        ));
        assert!(matches!(
            parse_bytes(&q("1e400")),
            Err(QuantityError::TooLarge { .. })
        ));
        assert_eq!(parse_bytes(&q("1e-400")), Ok(1));
    }
}

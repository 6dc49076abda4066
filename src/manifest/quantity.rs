//! Kubernetes resource quantities (`500m`, `4`, `16Gi`, `1G`, `1e3`) as integers.

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// A quantity that is not a valid Kubernetes quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {0:?}")]
pub struct QuantityError(pub String);

/// Splits `16Gi` into (16.0, multiplier 2^34) (k8s.io/apimachinery/pkg/api/resource/quantity.go suffixes).
fn parse(q: &str) -> Result<f64, QuantityError> {
    let err = || QuantityError(q.to_string());
    let s = q.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let value: f64 = num.parse().map_err(|_| err())?;
    let mult = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        e if e.starts_with(['e', 'E']) => 10f64.powi(e[1..].parse::<i32>().map_err(|_| err())?),
        _ => return Err(err()),
    };
    if value < 0.0 {
        return Err(err());
    }
    Ok(value * mult)
}

/// CPU in millicores, rounded up as the API server rounds a quantity's milli-value.
pub fn parse_cpu_milli(q: &Quantity) -> Result<u64, QuantityError> {
    Ok((parse(&q.0)? * 1000.0).ceil() as u64)
}

/// Bytes (memory, storage), rounded up.
pub fn parse_bytes(q: &Quantity) -> Result<u64, QuantityError> {
    Ok(parse(&q.0)?.ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity(s.to_string())
    }

    #[test]
    fn cpu_quantities_become_millicores() {
        assert_eq!(parse_cpu_milli(&q("4")), Ok(4000));
        assert_eq!(parse_cpu_milli(&q("500m")), Ok(500));
        assert_eq!(parse_cpu_milli(&q("0.1")), Ok(100));
    }

    #[test]
    fn memory_quantities_use_binary_and_decimal_suffixes() {
        assert_eq!(parse_bytes(&q("16Gi")), Ok(16 << 30));
        assert_eq!(parse_bytes(&q("1G")), Ok(1_000_000_000));
        assert_eq!(parse_bytes(&q("1e3")), Ok(1000));
        assert!(parse_bytes(&q("12GB")).is_err());
    }
}

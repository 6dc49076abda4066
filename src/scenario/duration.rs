//! Durations (`250ms`, `1.5s`, `1m30s`, `30d`) and distributions of them, read into integer milliseconds.

use super::dist::Dist;
use super::field::{Field, Result};
use serde_yaml_ng::Value;

const UNITS: &str = "ms, s, m, h or d";

/// Parses `250ms`, `1.5s`, `5m`, `1h30m` into milliseconds; the error says why not, for `(...)`.
pub(crate) fn parse_duration(text: &str) -> std::result::Result<u64, String> {
    if text.starts_with('-') {
        return Err("a negative duration is not allowed".into());
    }
    if text.is_empty() {
        return Err("it is empty".into());
    }
    let mut rest = text;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'));
        let (number, tail) = rest.split_at(number_len.unwrap_or(rest.len()));
        let unit_len = tail.find(|c: char| c.is_ascii_digit() || c == '.');
        let (unit, next) = tail.split_at(unit_len.unwrap_or(tail.len()));
        let part = amount(number, unit_ms(number, unit)?)?;
        total = total.checked_add(part).ok_or("it is too large")?;
        rest = next;
    }
    Ok(total)
}

/// Milliseconds per `unit`, which follows `number`.
fn unit_ms(number: &str, unit: &str) -> std::result::Result<u64, String> {
    if number.is_empty() {
        return Err(format!("expected a number before {unit:?}"));
    }
    match unit {
        "ms" => Ok(1),
        "s" => Ok(1_000),
        "m" => Ok(60_000),
        "h" => Ok(3_600_000),
        "d" => Ok(86_400_000),
        "" => Err(format!("needs a unit: {UNITS}")),
        _ => Err(format!("unknown unit {unit:?}; use {UNITS}")),
    }
}

/// `number` (`12`, `1.5`, `.5`) times `unit_ms`, exactly, in whole milliseconds.
fn amount(number: &str, unit_ms: u64) -> std::result::Result<u64, String> {
    let (whole, raw_fraction) = number.split_once('.').unwrap_or((number, ""));
    let malformed = || format!("{number:?} is not a number");
    if (whole.is_empty() && raw_fraction.is_empty()) || raw_fraction.contains('.') {
        return Err(malformed());
    }
    let fraction = raw_fraction.trim_end_matches('0');
    let too_large = || "it is too large".to_string();
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_large())?
    };
    let mut ms = whole.checked_mul(unit_ms).ok_or_else(too_large)?;
    if !fraction.is_empty() {
        let scale = 10u128
            .checked_pow(fraction.len() as u32)
            .ok_or("too many decimals")?;
        let digits: u128 = fraction.parse().map_err(|_| malformed())?;
        let scaled = digits * u128::from(unit_ms);
        if !scaled.is_multiple_of(scale) {
            return Err("it is finer than a millisecond".into());
        }
        let extra = u64::try_from(scaled / scale).map_err(|_| too_large())?;
        ms = ms.checked_add(extra).ok_or_else(too_large)?;
    }
    Ok(ms)
}

/// Formats milliseconds the way a scenario writes them (`90s` → `1m30s`), for messages.
pub(crate) fn show(ms: u64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = ms;
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

impl Field<'_> {
    /// A duration like `1.5s`; a bare number is an error (it needs a unit).
    pub fn duration(&self) -> Result<u64> {
        let text = match self.value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Err(self.wrong_type("a duration like 1s")),
        };
        parse_duration(&text).map_err(|why| {
            let shown = if self.value.is_string() {
                format!("{text:?}")
            } else {
                text.clone()
            };
            self.invalid(format!("{shown} is not a duration ({why})"))
        })
    }

    /// `never` (None), or a duration or distribution as [`Field::dist`] reads them.
    pub fn dist_or_never(&self) -> Result<Option<Dist>> {
        match self.value.as_str() {
            Some("never") => Ok(None),
            Some(word) if word.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                let hint = super::field::did_you_mean(word, &["never"])
                    .map(|s| format!("; did you mean {s}?"))
                    .unwrap_or_default();
                let reason = format!("{word:?} is neither a duration like 1s nor never{hint}");
                Err(self.invalid(reason))
            }
            _ => self.dist().map(Some),
        }
    }

    /// A duration, or a distribution: `{uniform: {min, max}}`, `{exponential: {mean}}`,
    /// `{lognormal: {median, p99}}`, `{empirical: [..]}`.
    pub fn dist(&self) -> Result<Dist> {
        if !self.value.is_mapping() {
            return self.duration().map(Dist::Const);
        }
        const KINDS: &[&str] = &["uniform", "exponential", "lognormal", "empirical"];
        let fields = self.fields(KINDS)?;
        let [kind] = fields.present()[..] else {
            return Err(self.invalid(format!(
                "a distribution has exactly one of: {}",
                KINDS.join(", ")
            )));
        };
        let body = fields.req(kind)?;
        match kind {
            "uniform" => uniform(&body),
            "exponential" => {
                let mean_ms = body.fields(&["mean"])?.req("mean")?.duration()?;
                Ok(Dist::Exponential { mean_ms })
            }
            "lognormal" => lognormal(&body),
            _ => empirical(&body),
        }
    }
}

fn uniform(body: &Field) -> Result<Dist> {
    let f = body.fields(&["min", "max"])?;
    let lo_ms = f.req("min")?.duration()?;
    let max = f.req("max")?;
    let hi_ms = max.duration()?;
    if hi_ms < lo_ms {
        return Err(max.invalid(format!("max {} is below min {}", show(hi_ms), show(lo_ms))));
    }
    Ok(Dist::Uniform { lo_ms, hi_ms })
}

fn lognormal(body: &Field) -> Result<Dist> {
    let f = body.fields(&["median", "p99"])?;
    let median_ms = f.req("median")?.duration()?;
    let p99 = f.req("p99")?;
    let p99_ms = p99.duration()?;
    if p99_ms < median_ms {
        let reason = format!(
            "p99 {} is below the median {}",
            show(p99_ms),
            show(median_ms)
        );
        return Err(p99.invalid(reason));
    }
    Ok(Dist::Lognormal { median_ms, p99_ms })
}

fn empirical(body: &Field) -> Result<Dist> {
    let values = body
        .list()?
        .iter()
        .map(Field::duration)
        .collect::<Result<Vec<u64>>>()?;
    if values.is_empty() {
        return Err(body.invalid("an empirical distribution needs at least one value"));
    }
    Ok(Dist::Empirical(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_every_unit_parse_to_milliseconds() {
        let cases = [
            ("250ms", 250),
            ("1.5s", 1_500),
            ("5m", 300_000),
            ("2h", 7_200_000),
            ("30d", 2_592_000_000),
        ];
        for (text, ms) in cases
            .into_iter()
            .chain([("1m30s", 90_000), ("0s", 0), (".5s", 500)])
        {
            assert_eq!(parse_duration(text), Ok(ms), "{text}");
        }
    }

    #[test]
    fn malformed_durations_are_rejected_with_a_reason() {
        let cases = [
            ("-3s", "negative"),
            ("10", "needs a unit"),
            ("3w", "unknown unit"),
            ("", "empty"),
            ("1.5.5s", "not a number"),
            ("0.0001s", "finer than a millisecond"),
            ("s", "expected a number"),
            ("99999999999999999999h", "too large"),
        ];
        for (text, why) in cases {
            let err = parse_duration(text).expect_err(text);
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn milliseconds_are_shown_as_a_scenario_writes_them() {
        assert_eq!(show(90_000), "1m30s");
        assert_eq!(show(1_500), "1s500ms");
        assert_eq!(show(0), "0s");
    }
}

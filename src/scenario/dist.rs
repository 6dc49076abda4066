//! Durations that may be random: constant, uniform, exponential, lognormal (median and p99), empirical.

use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal};

/// A duration in milliseconds, fixed or drawn from a distribution.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// Always this many milliseconds.
    Const(u64),
    /// Uniform between `lo_ms` and `hi_ms` inclusive.
    Uniform { lo_ms: u64, hi_ms: u64 },
    /// Exponential with this mean.
    Exponential { mean_ms: u64 },
    /// Lognormal given by its median and 99th percentile.
    Lognormal { median_ms: u64, p99_ms: u64 },
    /// One of these observed values, each equally likely.
    Empirical(Vec<u64>),
}

/// The 99th percentile of the standard normal distribution.
const Z_99: f64 = 2.326_347_874_040_841;

impl Dist {
    /// Draws one duration in milliseconds.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match self {
            Dist::Const(ms) => *ms,
            Dist::Uniform { lo_ms, hi_ms } => rng.random_range(*lo_ms..=*hi_ms),
            Dist::Exponential { mean_ms } => {
                let exp = Exp::new(1.0 / (*mean_ms).max(1) as f64).expect("positive rate");
                exp.sample(rng).round() as u64
            }
            Dist::Lognormal { median_ms, p99_ms } => {
                let mu = ((*median_ms).max(1) as f64).ln();
                let sigma = (((*p99_ms).max(*median_ms).max(1) as f64).ln() - mu) / Z_99;
                let ln = LogNormal::new(mu, sigma.max(0.0)).expect("finite parameters");
                ln.sample(rng).round() as u64
            }
            Dist::Empirical(values) => values[rng.random_range(0..values.len())],
        }
    }

    /// The value when the distribution is a constant.
    pub fn as_const(&self) -> Option<u64> {
        match self {
            Dist::Const(ms) => Some(*ms),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Streams;

    #[test]
    fn a_constant_is_always_itself() {
        let mut rng = Streams::new(1, 0).stream("t");
        assert!((0..10).all(|_| Dist::Const(1500).sample(&mut rng) == 1500));
    }

    #[test]
    fn uniform_draws_stay_within_bounds() {
        let mut rng = Streams::new(1, 0).stream("t");
        let d = Dist::Uniform {
            lo_ms: 100,
            hi_ms: 200,
        };
        assert!((0..1000)
            .map(|_| d.sample(&mut rng))
            .all(|x| (100..=200).contains(&x)));
    }

    #[test]
    fn a_lognormal_has_the_median_and_p99_it_was_given() {
        let mut rng = Streams::new(1, 0).stream("t");
        let d = Dist::Lognormal {
            median_ms: 2_000,
            p99_ms: 20_000,
        };
        let mut xs: Vec<u64> = (0..20_000).map(|_| d.sample(&mut rng)).collect();
        xs.sort_unstable();
        let median = xs[10_000] as f64;
        let p99 = xs[19_800] as f64;
        assert!((median / 2_000.0 - 1.0).abs() < 0.05, "median {median}");
        assert!((p99 / 20_000.0 - 1.0).abs() < 0.15, "p99 {p99}");
    }
}

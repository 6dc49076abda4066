//! Descriptive statistics of one metric over replications: mean, percentiles, 95 % confidence interval.

/// A metric's values over the replications that have one, summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// Replications with a value.
    pub n: usize,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    /// Half-width of the 95 % confidence interval of the mean (Student's t); 0 with fewer than 2 values.
    pub ci95: f64,
}

/// Summarises `values` (any order); None when there are none.
pub fn aggregate(values: &[f64]) -> Option<Aggregate> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let mean = sorted.iter().sum::<f64>() / n as f64;
    let ci95 = if n < 2 {
        0.0
    } else {
        let var = sorted.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        t_975(n - 1) * (var / n as f64).sqrt()
    };
    Some(Aggregate {
        n,
        mean,
        p50: percentile(&sorted, 0.50),
        p90: percentile(&sorted, 0.90),
        p99: percentile(&sorted, 0.99),
        ci95,
    })
}

/// The nearest-rank percentile of sorted values: the smallest value with at least `q` of them at or below it.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom: exact table values up to 30,
/// then the Cornish-Fisher expansion around the normal quantile (error below 1e-4 from df 30 on).
pub fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    if (1..=30).contains(&df) {
        return TABLE[df - 1];
    }
    let (z, v): (f64, f64) = (1.959_963_985, df.max(1) as f64);
    let (z3, z5) = (z * z * z, z.powi(5));
    z + (z3 + z) / (4.0 * v) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(
            (
                percentile(&v, 0.5),
                percentile(&v, 0.9),
                percentile(&v, 0.99)
            ),
            (50.0, 90.0, 99.0)
        );
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
        assert_eq!(percentile(&[1.0, 2.0, 3.0], 0.5), 2.0);
    }

    #[test]
    fn the_confidence_interval_uses_students_t_and_shrinks_with_more_values() {
        let a = aggregate(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!((a.n, a.mean), (4, 2.5));
        // s = 1.29099, t(3) = 3.182: 3.182 * 1.29099 / 2.
        assert!((a.ci95 - 2.054_02).abs() < 1e-4, "{}", a.ci95);
        let more: Vec<f64> = (0..400).map(|i| f64::from(i % 4 + 1)).collect();
        assert!(aggregate(&more).unwrap().ci95 < a.ci95 / 5.0);
    }

    #[test]
    fn t_quantiles_past_the_table_match_published_values() {
        for (df, t) in [(40, 2.021), (60, 2.000), (120, 1.980)] {
            assert!((t_975(df) - t).abs() < 1e-3, "df {df}: {}", t_975(df));
        }
        assert!(t_975(30) > t_975(31) && t_975(31) > t_975(1000));
    }

    #[test]
    fn one_value_has_no_interval_and_none_has_no_aggregate() {
        assert_eq!(aggregate(&[3.0]).unwrap().ci95, 0.0);
        assert_eq!(aggregate(&[]), None);
    }
}

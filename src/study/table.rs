//! A study's files and text: `replications.csv` (one row per replication), `study.json` (aggregates).

use super::stats::Aggregate;
use super::{metrics, Replication};
use crate::scenario::Scenario;
use serde::Serialize;

/// `replication,seed,<metric>...`: one row per replication, empty where a metric has no value
/// (a fault the service never recovered from, a rollout that never completed).
pub fn replications_csv(
    scenario: &Scenario,
    seed: u64,
    reps: &[Replication],
) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if let Some(first) = reps.first() {
        let names = metrics(scenario, &first.summary)
            .into_iter()
            .map(|(k, _)| k);
        let header: Vec<String> = ["replication".to_string(), "seed".to_string()]
            .into_iter()
            .chain(names)
            .collect();
        w.write_record(&header)?;
    }
    for r in reps {
        let values = metrics(scenario, &r.summary)
            .into_iter()
            .map(|(_, v)| v.map(fmt).unwrap_or_default());
        let row: Vec<String> = [r.index.to_string(), seed.to_string()]
            .into_iter()
            .chain(values)
            .collect();
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// A value with at most 6 decimals and no trailing zeros (`0.995`, `31.2`, `3`).
fn fmt(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

#[derive(Serialize)]
struct StudyJson<'a> {
    scenario: &'a str,
    seed: u64,
    replications: u64,
    metrics: Vec<MetricJson<'a>>,
}

#[derive(Serialize)]
struct MetricJson<'a> {
    name: &'a str,
    /// Replications with a value.
    n: usize,
    mean: Option<f64>,
    p50: Option<f64>,
    p90: Option<f64>,
    p99: Option<f64>,
    /// The 95 % confidence interval of the mean, [low, high].
    ci95: Option<[f64; 2]>,
}

/// `study.json`: the scenario, seed, replication count and each metric's aggregate.
pub fn study_json(
    scenario: &str,
    seed: u64,
    count: u64,
    aggs: &[(String, Option<Aggregate>)],
) -> String {
    let metrics = aggs
        .iter()
        .map(|(name, a)| MetricJson {
            name,
            n: a.as_ref().map_or(0, |a| a.n),
            mean: a.as_ref().map(|a| round6(a.mean)),
            p50: a.as_ref().map(|a| round6(a.p50)),
            p90: a.as_ref().map(|a| round6(a.p90)),
            p99: a.as_ref().map(|a| round6(a.p99)),
            ci95: a
                .as_ref()
                .map(|a| [round6(a.mean - a.ci95), round6(a.mean + a.ci95)]),
        })
        .collect();
    let json = StudyJson {
        scenario,
        seed,
        replications: count,
        metrics,
    };
    serde_json::to_string_pretty(&json).expect("plain data serializes") + "\n"
}

/// Rounded to 6 decimals, so the text does not depend on summation noise in the last bits.
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// The terminal table: one line per metric with n, mean ± ci95, p50, p90, p99.
pub fn study_text(
    scenario: &str,
    seed: u64,
    count: u64,
    aggs: &[(String, Option<Aggregate>)],
) -> String {
    let mut out = format!("scenario {scenario}  seed {seed}  replications {count}\n");
    let width = aggs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    out.push_str(&format!(
        "{:width$}  {:>5}  {:>22}  {:>10}  {:>10}  {:>10}\n",
        "metric", "n", "mean ± 95% CI", "p50", "p90", "p99"
    ));
    for (name, a) in aggs {
        let line = match a {
            Some(a) => format!(
                "{name:width$}  {:>5}  {:>22}  {:>10}  {:>10}  {:>10}\n",
                a.n,
                format!("{} ± {}", fmt(round6(a.mean)), fmt(round6(a.ci95))),
                fmt(a.p50),
                fmt(a.p90),
                fmt(a.p99)
            ),
            None => format!("{name:width$}  {:>5}  {:>22}\n", 0, "no values"),
        };
        out.push_str(&line);
    }
    out
}

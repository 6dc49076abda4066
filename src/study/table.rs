//! A study's files and text: `replications.csv` (one row per replication), `faults.csv` (one row
//! per fault that happened), `study.json` (aggregates), and the aggregates read back from them.

use super::stats::{self, Aggregate};
use super::{metric_names, metric_values, Replication};
use crate::scenario::Scenario;
use serde::Serialize;

/// The text of a study's per-replication files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    /// `replications.csv`: `replication,seed,<metric>...`, one row per replication, empty where a
    /// metric has no value.
    pub replications: Vec<u8>,
    /// `faults.csv`: `replication,fault,action,at_s,recovery_s`, one row per fault that happened.
    pub faults: Vec<u8>,
}

impl Files {
    /// The files of `reps` (in replication order).
    pub fn of(scenario: &Scenario, seed: u64, reps: &[Replication]) -> Files {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = ["replication".to_string(), "seed".to_string()];
        write(&mut w, header.into_iter().chain(metric_names(scenario)));
        for r in reps {
            let values = metric_values(scenario, &r.summary);
            let values = values.into_iter().map(|v| v.map(fmt).unwrap_or_default());
            write(
                &mut w,
                [r.index.to_string(), seed.to_string()]
                    .into_iter()
                    .chain(values),
            );
        }
        let replications = w.into_inner().expect("writes to memory");
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = ["replication", "fault", "action", "at_s", "recovery_s"];
        write(&mut w, header.map(String::from));
        for r in reps {
            for f in &r.summary.faults {
                let recovery = f.recovery_ms.map(|ms| fmt(ms as f64 / 1000.0));
                let row = [
                    r.index.to_string(),
                    f.spec.to_string(),
                    f.action.clone(),
                    fmt(f.at.0 as f64 / 1000.0),
                    recovery.unwrap_or_default(),
                ];
                write(&mut w, row);
            }
        }
        let faults = w.into_inner().expect("writes to memory");
        Files {
            replications,
            faults,
        }
    }
}

/// Writes one record to an in-memory CSV writer (which cannot fail).
fn write(w: &mut csv::Writer<Vec<u8>>, record: impl IntoIterator<Item = String>) {
    let record: Vec<String> = record.into_iter().collect();
    w.write_record(&record).expect("writes to memory");
}

/// Why a study's files cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The file is not CSV.
    #[error("{0}")]
    Csv(#[from] csv::Error),
    /// A cell that should hold a number does not.
    #[error("{column}: {text:?} is not a number")]
    Number { column: String, text: String },
    /// A file has no header row.
    #[error("the file is empty (no header row)")]
    Empty,
}

/// Reads a CSV file into its header and rows.
pub fn read_csv(bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), TableError> {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers()?.iter().map(String::from).collect();
    if header.is_empty() {
        return Err(TableError::Empty);
    }
    let rows = r
        .records()
        .map(|rec| rec.map(|rec| rec.iter().map(String::from).collect()))
        .collect::<Result<Vec<Vec<String>>, csv::Error>>()?;
    Ok((header, rows))
}

/// A cell as a number; empty is None.
fn number(column: &str, text: &str) -> Result<Option<f64>, TableError> {
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || TableError::Number {
        column: column.to_string(),
        text: text.to_string(),
    };
    text.parse::<f64>().map(Some).map_err(|_| bad())
}

/// The aggregates of a study from its files' text: each metric column of `replications.csv`, then
/// the recovery times of `faults.csv` pooled per action (kinds in the order of their first fault).
pub fn aggregate_files(
    replications: &[u8],
    faults: &[u8],
) -> Result<Vec<(String, Option<Aggregate>)>, TableError> {
    let (header, rows) = read_csv(replications)?;
    let mut out = Vec::new();
    for (c, name) in header.iter().enumerate().skip(2) {
        let mut values = Vec::with_capacity(rows.len());
        for row in &rows {
            values.extend(number(name, row.get(c).map_or("", String::as_str))?);
        }
        out.push((name.clone(), stats::aggregate(&values)));
    }
    let (_, rows) = read_csv(faults)?;
    let mut kinds: Vec<(u64, String, Vec<f64>)> = Vec::new();
    for row in &rows {
        let cell = |i: usize| row.get(i).map_or("", String::as_str);
        let fault = number("fault", cell(1))?.unwrap_or(0.0) as u64;
        let recovery = number("recovery_s", cell(4))?;
        match kinds.iter_mut().find(|(_, k, _)| k == cell(2)) {
            Some((first, _, v)) => {
                *first = (*first).min(fault);
                v.extend(recovery);
            }
            None => kinds.push((fault, cell(2).to_string(), recovery.into_iter().collect())),
        }
    }
    kinds.sort_by_key(|(first, _, _)| *first);
    for (_, kind, values) in kinds {
        out.push((format!("recovery_s[{kind}]"), stats::aggregate(&values)));
    }
    Ok(out)
}

/// A value with at most 6 decimals and no trailing zeros (`0.995`, `31.2`, `3`).
pub fn fmt(v: f64) -> String {
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

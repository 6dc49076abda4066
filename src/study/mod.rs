//! Monte Carlo replications of one scenario: each seeded from (seed, replication) alone, run in
//! parallel on a rayon pool, and aggregated; the result does not depend on the number of jobs.

pub mod stats;
mod table;

pub use table::{replications_csv, study_json, study_text};

use crate::metrics::Summary;
use crate::scenario::Scenario;
use crate::sim::{self, RunError};
use rayon::prelude::*;
use stats::Aggregate;

/// One replication's summary.
#[derive(Debug, Clone)]
pub struct Replication {
    pub index: u64,
    pub summary: Summary,
}

/// Why the replications could not run.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// A replication stopped; the message names it so it can be re-run alone.
    #[error("replication {index}: {source}")]
    Run {
        index: u64,
        #[source]
        source: RunError,
    },
    /// The thread pool could not be built.
    #[error("cannot start {jobs} worker threads: {message}")]
    Pool { jobs: usize, message: String },
}

/// Runs replications `0..count` of `scenario` with `seed` on `jobs` threads, calling `done` after
/// each; the result is in replication order whatever the scheduling.
pub fn replicate(
    scenario: &Scenario,
    seed: u64,
    count: u64,
    jobs: usize,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<Replication>, StudyError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| StudyError::Pool {
            jobs,
            message: e.to_string(),
        })?;
    pool.install(|| {
        (0..count)
            .into_par_iter()
            .map(|index| {
                let out = sim::run_replication(scenario, seed, index)
                    .map_err(|source| StudyError::Run { index, source })?;
                done();
                Ok(Replication {
                    index,
                    summary: out.summary,
                })
            })
            .collect()
    })
}

/// The metrics of one replication, by name, in a fixed order (the same for every replication of
/// a scenario): per service availability, downtime and failed requests; per quorum workload its
/// availability and downtime; per fault its recovery
/// time; per Deployment the duration of its last rollout after the first revision.
pub fn metrics(scenario: &Scenario, s: &Summary) -> Vec<(String, Option<f64>)> {
    let mut m = Vec::new();
    for svc in &s.services {
        m.push((
            format!("availability[{}]", svc.name),
            Some(svc.availability),
        ));
        m.push((
            format!("downtime_s[{}]", svc.name),
            Some(svc.downtime_ms as f64 / 1000.0),
        ));
        m.push((format!("failed[{}]", svc.name), Some(svc.failed as f64)));
    }
    for q in &s.quorums {
        let name = &q.name;
        m.push((format!("quorum_availability[{name}]"), Some(q.availability)));
        let downtime = q.downtime_ms as f64 / 1000.0;
        m.push((format!("quorum_downtime_s[{name}]"), Some(downtime)));
    }
    for (i, f) in s.faults.iter().enumerate() {
        let recovery = f.recovery_ms.map(|ms| ms as f64 / 1000.0);
        m.push((format!("recovery_s[{i}:{}]", f.action), recovery));
    }
    for name in deployments(scenario) {
        let last = s
            .rollouts
            .iter()
            .rev()
            .find(|r| r.deployment == name && r.revision >= 2);
        let secs = last.and_then(|r| r.completed.map(|c| c.since_ms(r.started) as f64 / 1000.0));
        m.push((format!("rollout_s[{name}]"), secs));
    }
    m
}

/// `namespace/name` of the scenario's Deployments, in manifest order.
fn deployments(scenario: &Scenario) -> Vec<String> {
    scenario
        .objects
        .iter()
        .filter(|l| l.object.kind() == "Deployment")
        .map(|l| {
            format!(
                "{}/{}",
                l.object.namespace().unwrap_or("default"),
                l.object.name()
            )
        })
        .collect()
}

/// The aggregate of every metric over the replications; recovery times are also pooled per fault
/// kind (`recovery_s[delete-pod]`).
pub fn aggregates(scenario: &Scenario, reps: &[Replication]) -> Vec<(String, Option<Aggregate>)> {
    let rows: Vec<Vec<(String, Option<f64>)>> =
        reps.iter().map(|r| metrics(scenario, &r.summary)).collect();
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<f64>)> =
        first.iter().map(|(k, _)| (k.clone(), Vec::new())).collect();
    for row in &rows {
        for (i, (_, v)) in row.iter().enumerate() {
            out[i].1.extend(*v);
        }
    }
    out.extend(pooled_by_kind(&out));
    out.into_iter()
        .map(|(k, v)| (k, stats::aggregate(&v)))
        .collect()
}

/// `recovery_s[<i>:<kind>]` values pooled as `recovery_s[<kind>]`, kinds in first-seen order.
fn pooled_by_kind(per_fault: &[(String, Vec<f64>)]) -> Vec<(String, Vec<f64>)> {
    let mut pooled: Vec<(String, Vec<f64>)> = Vec::new();
    for (name, values) in per_fault {
        let Some(kind) = name
            .strip_prefix("recovery_s[")
            .and_then(|r| r.split_once(':'))
            .map(|(_, k)| k)
        else {
            continue;
        };
        let key = format!("recovery_s[{kind}");
        match pooled.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.extend(values),
            None => pooled.push((key, values.clone())),
        }
    }
    pooled
}

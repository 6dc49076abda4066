//! Monte Carlo replications of one scenario: each seeded from (seed, replication) alone, run in
//! parallel on a rayon pool, and aggregated; the result does not depend on the number of jobs.

pub mod shard;
pub mod stats;
pub mod sweep;
mod table;

pub use table::{aggregate_files, fmt, read_csv, study_json, study_text, Files, TableError};

use crate::metrics::{FaultSummary, Summary};
use crate::scenario::{FaultTiming, Scenario};
use crate::sim::{self, RunError};
use rayon::prelude::*;
use stats::Aggregate;
use std::ops::Range;

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
    replicate_range(scenario, seed, 0..count, jobs, done)
}

/// Runs the replications in `range` (a shard of a study), like [`replicate`].
pub fn replicate_range(
    scenario: &Scenario,
    seed: u64,
    range: Range<u64>,
    jobs: usize,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<Replication>, StudyError> {
    let units: Vec<(&Scenario, u64)> = range.map(|r| (scenario, r)).collect();
    run_units(&units, seed, jobs, done)
}

/// Runs each (scenario, replication) of `units` on `jobs` threads; the result is in `units` order.
pub fn run_units(
    units: &[(&Scenario, u64)],
    seed: u64,
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
        units
            .par_iter()
            .map(|&(scenario, index)| {
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

/// The names of a replication's metrics, in a fixed order: per service availability, downtime and
/// failed requests; per quorum workload its availability and downtime; per fault its recovery time (for a repeated fault, its count and mean recovery
/// in the replication); per Deployment the duration of its last rollout after the first revision.
pub fn metric_names(scenario: &Scenario) -> Vec<String> {
    let mut m = Vec::new();
    for svc in services(scenario) {
        m.push(format!("availability[{svc}]"));
        m.push(format!("downtime_s[{svc}]"));
        m.push(format!("failed[{svc}]"));
    }
    for q in &scenario.quorums {
        m.push(format!("quorum_availability[{}]", q.name));
        m.push(format!("quorum_downtime_s[{}]", q.name));
    }
    for (i, f) in scenario.faults.iter().enumerate() {
        let kind = f.action.name();
        if matches!(f.timing, FaultTiming::Every { .. }) {
            m.push(format!("faults[{i}:{kind}]"));
        }
        m.push(format!("recovery_s[{i}:{kind}]"));
    }
    m.extend(deployments(scenario).map(|d| format!("rollout_s[{d}]")));
    m
}

/// The values of [`metric_names`] in one replication (None: no value, such as a fault the service
/// never recovered from or a rollout that never completed).
pub fn metric_values(scenario: &Scenario, s: &Summary) -> Vec<Option<f64>> {
    let mut m = Vec::new();
    for svc in &s.services {
        m.push(Some(svc.availability));
        m.push(Some(svc.downtime_ms as f64 / 1000.0));
        m.push(Some(svc.failed as f64));
    }
    for q in &s.quorums {
        m.push(Some(q.availability));
        m.push(Some(q.downtime_ms as f64 / 1000.0));
    }
    for (i, f) in scenario.faults.iter().enumerate() {
        let hits: Vec<&FaultSummary> = s.faults.iter().filter(|h| h.spec == i).collect();
        let recovered: Vec<f64> = hits
            .iter()
            .filter_map(|h| h.recovery_ms)
            .map(|ms| ms as f64 / 1000.0)
            .collect();
        if matches!(f.timing, FaultTiming::Every { .. }) {
            m.push(Some(hits.len() as f64));
            let mean = recovered.iter().sum::<f64>() / recovered.len().max(1) as f64;
            m.push((!recovered.is_empty()).then_some(mean));
        } else {
            m.push(recovered.first().copied());
        }
    }
    for name in deployments(scenario) {
        let last = s
            .rollouts
            .iter()
            .rev()
            .find(|r| r.deployment == name && r.revision >= 2);
        let secs = last.and_then(|r| r.completed.map(|c| c.since_ms(r.started) as f64 / 1000.0));
        m.push(secs);
    }
    m
}

/// The Services the scenario's clients call, as the summary lists them.
fn services(scenario: &Scenario) -> Vec<&str> {
    let mut names: Vec<&str> = scenario
        .traffic
        .iter()
        .map(|t| t.service.as_str())
        .collect();
    names.dedup();
    names
}

/// `namespace/name` of the scenario's Deployments, in manifest order.
fn deployments(scenario: &Scenario) -> impl Iterator<Item = String> + '_ {
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
}

/// The aggregate of every metric over the replications, with recovery times also pooled per
/// fault kind over every occurrence (`recovery_s[delete-pod]`). Computed from the text of the
/// study's files, as `kubesim merge` computes it, so both give the same bytes.
pub fn aggregates(
    scenario: &Scenario,
    seed: u64,
    reps: &[Replication],
) -> Vec<(String, Option<Aggregate>)> {
    let files = table::Files::of(scenario, seed, reps);
    table::aggregate_files(&files.replications, &files.faults).expect("the study's own files parse")
}

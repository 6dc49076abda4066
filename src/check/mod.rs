//! Invariants checked after every event of a run: safety properties of the controllers against API
//! objects and ground truth (which node really runs which container, which node really has a volume
//! attached), and liveness after the faults stop.
//!
//! [`check_run`] runs a scenario with every invariant on and returns a [`CheckReport`].

mod allowances;
pub mod claims;
pub mod delta;
pub mod disruption;
pub mod endpoints;
mod history;
pub mod liveness;
mod liveness_index;
mod persist;
pub mod replicaset;
mod report;
pub mod scheduler;
pub mod statefulset;
pub mod sts_rules;
pub mod volumes;

pub use allowances::Allowances;
pub use delta::{Delta, Scan};
pub use history::history_before;
pub use report::{CheckReport, Checked, Invariant, Violation};
pub use statefulset::{Checked as StsChecked, StatefulSetChecker};
pub use sts_rules::{Violation as StsViolation, ViolationKind as StsViolationKind};

use crate::engine::SimTime;
use crate::metrics::RunOutput;
use crate::scenario::Scenario;
use crate::sim::{RunError, WorldView};

/// How many events and log lines before the first violation a report shows.
pub const HISTORY_LINES: usize = 30;

/// One invariant (or a family of them) fed the world after every event.
pub trait Checker {
    /// Judges the world after one event at `now`, adding what it finds to `findings`; `delta` names
    /// what the event changed: a checker judges those objects (and keeps its indexes up to date
    /// from them), and must find what a judgement of every object would find.
    fn observe(
        &mut self,
        view: &WorldView<'_>,
        delta: &Delta,
        now: SimTime,
        findings: &mut Findings,
    );
    /// Judges what it saw once the run has ended at `end` (liveness).
    fn finish(&mut self, _end: SimTime, _findings: &mut Findings) {}
}

/// What the checkers found so far: the violations, and how many judgements they made.
#[derive(Debug, Default)]
pub struct Findings {
    pub violations: Vec<Violation>,
    pub checked: Checked,
}

impl Findings {
    /// Counts `n` judgements of `invariant` (a run that judges nothing proves nothing).
    pub fn judged(&mut self, invariant: Invariant, n: u64) {
        *self.checked.judgements.entry(invariant).or_default() += n;
    }

    /// Records a violation of `invariant` by `object` at `at`.
    pub fn violate(&mut self, at: SimTime, invariant: Invariant, object: String, detail: String) {
        self.violations.push(Violation {
            at,
            invariant,
            object,
            detail,
        });
    }
}

/// Every checker, each invariant on.
pub fn all_checkers(scenario: &Scenario) -> Vec<Box<dyn Checker>> {
    let a = Allowances::of(scenario);
    vec![
        Box::new(statefulset::StsInvariants::new(scenario)),
        Box::new(claims::ClaimChecker::default()),
        Box::new(replicaset::ReplicaChecker::new(scenario, &a)),
        Box::new(volumes::VolumeChecker::default()),
        Box::new(scheduler::SchedulerChecker),
        // The controller hears of a pod change after one watch latency and writes after another.
        Box::new(endpoints::EndpointsChecker::new(
            a.endpoints_lag_ms + 2 * scenario.timings.watch_latency_ms,
        )),
        Box::new(disruption::DisruptionChecker::default()),
        Box::new(liveness::LivenessChecker::new(a.faults_end_ms)),
    ]
}

/// Runs `scenario` with `seed`, every invariant checked after every event and liveness at the end.
pub fn check_run(scenario: &Scenario, seed: u64) -> Result<(RunOutput, CheckReport), RunError> {
    check_run_with(scenario, seed, Scan::Incremental)
}

/// [`check_run`], the checkers reading each event as `scan` says (the same violations either way;
/// the judgement counts differ, a full rescan judging every object each time).
pub fn check_run_with(
    scenario: &Scenario,
    seed: u64,
    scan: Scan,
) -> Result<(RunOutput, CheckReport), RunError> {
    let mut checkers = all_checkers(scenario);
    let mut findings = Findings::default();
    let out = crate::sim::run_inspected(scenario, seed, |view, now| {
        findings.checked.events += 1;
        let delta = scan.delta(&view);
        for c in checkers.iter_mut() {
            c.observe(&view, &delta, now, &mut findings);
        }
    })?;
    for c in checkers.iter_mut() {
        c.finish(SimTime(scenario.duration_ms), &mut findings);
    }
    let history = match findings.violations.first() {
        Some(v) => history_before(&out, v.at, HISTORY_LINES),
        None => Vec::new(),
    };
    let report = CheckReport {
        violations: findings.violations,
        checked: findings.checked,
        history,
    };
    Ok((out, report))
}

//! The summary's Jobs and DaemonSets: how each Job ended and each DaemonSet's final status.

use crate::api::Store;
use crate::engine::SimTime;

/// A Job at the end of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSummary {
    pub namespace: String,
    pub name: String,
    /// `spec.completions` (None: any one success completes it).
    pub completions: Option<u32>,
    pub succeeded: u32,
    /// Failed pods (attempts that ended in a non-zero exit with restartPolicy Never).
    pub failed: u32,
    pub started: Option<SimTime>,
    /// When it got its Complete or Failed condition.
    pub finished: Option<SimTime>,
    /// `Complete`, `Failed`, or None while running.
    pub condition: Option<&'static str>,
    /// The Failed condition's reason (`BackoffLimitExceeded`, `DeadlineExceeded`).
    pub reason: Option<&'static str>,
}

/// A DaemonSet's final status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonSetSummary {
    pub namespace: String,
    pub name: String,
    pub desired: u32,
    pub current: u32,
    pub ready: u32,
    pub available: u32,
    pub updated: u32,
    pub misscheduled: u32,
}

/// Every Job, in creation order.
pub fn jobs(store: &Store) -> Vec<JobSummary> {
    let live = store.jobs.iter().filter(|j| j.meta.exists());
    live.map(|j| {
        let s = &j.status;
        let condition = s.condition.as_ref();
        JobSummary {
            namespace: j.meta.namespace.clone(),
            name: j.meta.name.clone(),
            completions: j.completions,
            succeeded: s.succeeded,
            failed: s.failed,
            started: s.start_time,
            finished: condition.map(|c| c.at),
            condition: condition.map(|c| c.kind.name()),
            reason: condition.map(|c| c.reason).filter(|r| !r.is_empty()),
        }
    })
    .collect()
}

/// Every DaemonSet, in creation order.
pub fn daemon_sets(store: &Store) -> Vec<DaemonSetSummary> {
    let live = store.daemon_sets.iter().filter(|d| d.meta.exists());
    live.map(|d| {
        let s = &d.status;
        DaemonSetSummary {
            namespace: d.meta.namespace.clone(),
            name: d.meta.name.clone(),
            desired: s.desired_number_scheduled,
            current: s.current_number_scheduled,
            ready: s.number_ready,
            available: s.number_available,
            updated: s.updated_number_scheduled,
            misscheduled: s.number_misscheduled,
        }
    })
    .collect()
}

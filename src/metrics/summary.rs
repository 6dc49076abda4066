//! The summary of a run (`summary.json`): availability per service and recovery per fault.

use super::records::{Outcome, RequestRecord};
use crate::engine::SimTime;

/// What the users of one Service saw.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceSummary {
    pub name: String,
    pub requests: u64,
    pub failed: u64,
    /// ok / requests (1.0 when there were no requests).
    pub availability: f64,
    /// Total time covered by failed requests: from a failed request until the next ok one.
    pub downtime_ms: u64,
    pub longest_outage_ms: u64,
}

/// One fault and how long the service took to answer again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultSummary {
    /// The index of the scenario's fault this is an occurrence of.
    pub spec: usize,
    pub at: SimTime,
    /// The action's name as the scenario spells it (`delete-pod`, `kill-container`).
    pub action: String,
    /// What it acted on (`default/mariadb-7c9f...`).
    pub target: String,
    /// From the fault until the first request sent after it is answered; None if never.
    pub recovery_ms: Option<u64>,
}

/// A PersistentVolumeClaim and the volume it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimSummary {
    pub namespace: String,
    pub name: String,
    pub storage_class: Option<String>,
    pub requested_bytes: u64,
    /// The bound volume's capacity; None while unbound.
    pub capacity_bytes: Option<u64>,
    pub volume: Option<String>,
}

/// A PodDisruptionBudget's status at the end of the run, as the disruption controller last wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetSummary {
    pub namespace: String,
    pub name: String,
    pub expected_pods: i32,
    pub current_healthy: i32,
    pub desired_healthy: i32,
    pub disruptions_allowed: i32,
}

/// A pod still waiting for a node at the end of the run, and why, as its last FailedScheduling
/// Event says (`0/2 nodes are available: ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSummary {
    pub namespace: String,
    pub name: String,
    pub created: SimTime,
    /// The message of the pod's last FailedScheduling Event; None if it has had none.
    pub reason: Option<String>,
}

/// The whole summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub duration_ms: u64,
    /// Simulation events processed.
    pub events: u64,
    pub services: Vec<ServiceSummary>,
    pub faults: Vec<FaultSummary>,
    /// Every claim, in creation order.
    pub claims: Vec<ClaimSummary>,
    /// Every rollout of every Deployment (a new revision until complete or timed out), in start order.
    pub rollouts: Vec<RolloutSpan>,
    /// Every PodDisruptionBudget's final status, in creation order.
    pub disruption_budgets: Vec<BudgetSummary>,
    /// Pods without a node at the end of the run, in creation order.
    pub pending: Vec<PendingSummary>,
    /// The scenario's quorum workloads, in file order.
    pub quorums: Vec<super::QuorumSummary>,
    /// Every Job: completions, failed attempts, how it ended.
    pub jobs: Vec<super::JobSummary>,
    /// Every DaemonSet's final status.
    pub daemon_sets: Vec<super::DaemonSetSummary>,
    /// Capacity lost, nodes NotReady, pods stuck Terminating on silent nodes.
    pub node_report: super::node_report::NodeReport,
}

/// One rollout: from the Deployment's move to a new revision until it is complete (every replica
/// updated and available) or reports ProgressDeadlineExceeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutSpan {
    /// `namespace/name` of the Deployment.
    pub deployment: String,
    pub revision: u64,
    pub started: SimTime,
    /// When every replica was updated and available (`DeploymentComplete`).
    pub completed: Option<SimTime>,
    /// When the Progressing condition turned to ProgressDeadlineExceeded.
    pub timed_out: Option<SimTime>,
}

/// Availability, downtime and the longest outage of one service from its requests (in send order);
/// an outage still going on at `end` (the end of the run) counts until then.
pub fn summarize_service(name: &str, requests: &[&RequestRecord], end: SimTime) -> ServiceSummary {
    let total = requests.len() as u64;
    let failed = requests.iter().filter(|r| r.outcome != Outcome::Ok).count() as u64;
    let (mut downtime_ms, mut longest_outage_ms) = (0, 0);
    let mut outage_start: Option<SimTime> = None;
    for r in requests {
        match (r.outcome, outage_start) {
            (Outcome::Ok, Some(start)) => {
                let answered = r.time.plus_ms(r.latency_ms);
                let len = answered.since_ms(start);
                downtime_ms += len;
                longest_outage_ms = longest_outage_ms.max(len);
                outage_start = None;
            }
            (Outcome::Ok, None) => {}
            (_, None) => outage_start = Some(r.time),
            (_, Some(_)) => {}
        }
    }
    if let Some(start) = outage_start {
        let len = end.since_ms(start);
        downtime_ms += len;
        longest_outage_ms = longest_outage_ms.max(len);
    }
    let availability = if total == 0 {
        1.0
    } else {
        (total - failed) as f64 / total as f64
    };
    ServiceSummary {
        name: name.to_string(),
        requests: total,
        failed,
        availability,
        downtime_ms,
        longest_outage_ms,
    }
}

/// Time from `at` until the service first answers a request sent at or after `at` (`requests`
/// in time order).
pub fn recovery_after(at: SimTime, requests: &[&RequestRecord]) -> Option<u64> {
    let first = requests.partition_point(|r| r.time < at);
    requests[first..]
        .iter()
        .filter(|r| r.time >= at && r.outcome == Outcome::Ok)
        .map(|r| r.time.plus_ms(r.latency_ms).since_ms(at))
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(t_ms: u64, outcome: Outcome, latency_ms: u64) -> RequestRecord {
        RequestRecord {
            time: SimTime(t_ms),
            service: "s".into(),
            outcome,
            latency_ms,
            pod: None,
        }
    }

    #[test]
    fn an_outage_lasts_from_the_first_failure_until_the_next_answer() {
        let rs = [
            req(0, Outcome::Ok, 5),
            req(1000, Outcome::Refused, 0),
            req(2000, Outcome::Refused, 0),
            req(3000, Outcome::Ok, 500),
            req(4000, Outcome::Timeout, 30_000),
            req(35_000, Outcome::Ok, 0),
        ];
        let refs: Vec<_> = rs.iter().collect();
        let s = summarize_service("s", &refs, SimTime(60_000));
        assert_eq!((s.requests, s.failed), (6, 3));
        assert_eq!(s.downtime_ms, 2_500 + 31_000);
        assert_eq!(s.longest_outage_ms, 31_000);
        assert!((s.availability - 0.5).abs() < 1e-9);
    }

    #[test]
    fn an_outage_that_never_ends_counts_until_the_end_of_the_run() {
        let rs = [
            req(0, Outcome::Ok, 5),
            req(1000, Outcome::Refused, 0),
            req(2000, Outcome::Refused, 0),
        ];
        let refs: Vec<_> = rs.iter().collect();
        let s = summarize_service("s", &refs, SimTime(10_000));
        assert_eq!((s.downtime_ms, s.longest_outage_ms), (9_000, 9_000));
    }

    #[test]
    fn recovery_counts_until_the_first_answer_to_a_request_sent_after_the_fault() {
        let rs = [
            req(0, Outcome::Ok, 5),
            req(1000, Outcome::Ok, 14_000),
            req(2000, Outcome::Ok, 5),
        ];
        let refs: Vec<_> = rs.iter().collect();
        assert_eq!(recovery_after(SimTime(500), &refs), Some(14_500));
        assert_eq!(recovery_after(SimTime(9000), &refs), None);
    }
}

//! `summary.json`: the run's summary with the contract's keys in a fixed order.

use crate::metrics::{
    BudgetSummary, ClaimSummary, DaemonSetSummary, FaultSummary, JobSummary, PendingSummary,
    QuorumSummary, RolloutSpan, ServiceSummary, Summary,
};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// Milliseconds written as a JSON number of seconds (`31004` → `31.004`).
///
/// `ms / 1000` is correctly rounded to the nearest f64, whose shortest round-trip form is the
/// three-decimal value (or shorter, as `31.5`), so the text is exact and deterministic.
#[derive(Clone, Copy)]
struct Secs(u64);

impl Serialize for Secs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0 as f64 / 1000.0)
    }
}

/// The top level of `summary.json`; field order is key order.
#[derive(Serialize)]
struct SummaryJson<'a> {
    scenario: &'a str,
    seed: u64,
    duration_s: Secs,
    events: u64,
    services: Services<'a>,
    faults: Vec<FaultJson<'a>>,
    claims: Vec<ClaimJson<'a>>,
    rollouts: Vec<RolloutJson<'a>>,
    /// Added after the contract's keys; left out when there is no PodDisruptionBudget.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    disruption_budgets: Vec<BudgetJson<'a>>,
    /// Added: pods still without a node at the end, and why; left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pending_pods: Vec<PendingJson<'a>>,
    /// Added: the scenario's quorum workloads; left out when it declares none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    quorums: Vec<QuorumJson<'a>>,
    /// Added: each Job's outcome; left out when there is none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    jobs: Vec<JobJson<'a>>,
    /// Added: each DaemonSet's final status; left out when there is none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    daemon_sets: Vec<DaemonSetJson<'a>>,
    /// Added: nodes whose Ready condition left True; left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    nodes: Vec<NodeJson<'a>>,
    /// Added: workloads that had fewer ready pods than desired after first having them all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    capacity: Vec<CapacityJson<'a>>,
    /// Added: pods Terminating at the end on a node that is not Ready (waiting for its kubelet).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    stuck_terminating: Vec<StuckJson<'a>>,
}

/// A quorum workload: availability from its first quorum on, and each outage.
#[derive(Serialize)]
struct QuorumJson<'a> {
    name: &'a str,
    selector: &'a str,
    min_ready: u32,
    since_s: Option<Secs>,
    availability: f64,
    downtime_s: Secs,
    longest_outage_s: Secs,
    outages: Vec<OutageJson>,
}

#[derive(Serialize)]
struct OutageJson {
    start_s: Secs,
    end_s: Secs,
}

impl<'a> From<&'a QuorumSummary> for QuorumJson<'a> {
    fn from(q: &'a QuorumSummary) -> Self {
        QuorumJson {
            name: &q.name,
            selector: &q.selector,
            min_ready: q.min_ready,
            since_s: q.since.map(|t| Secs(t.0)),
            availability: q.availability,
            downtime_s: Secs(q.downtime_ms),
            longest_outage_s: Secs(q.longest_outage_ms),
            outages: q
                .outages
                .iter()
                .map(|(a, b)| OutageJson {
                    start_s: Secs(a.0),
                    end_s: Secs(b.0),
                })
                .collect(),
        }
    }
}

/// A Job: completions, succeeded and failed pods, when it started and finished, its condition.
#[derive(Serialize)]
struct JobJson<'a> {
    namespace: &'a str,
    name: &'a str,
    completions: Option<u32>,
    succeeded: u32,
    failed: u32,
    started_s: Option<Secs>,
    duration_s: Option<Secs>,
    condition: Option<&'a str>,
    reason: Option<&'a str>,
}

impl<'a> From<&'a JobSummary> for JobJson<'a> {
    fn from(j: &'a JobSummary) -> Self {
        let duration = j.started.zip(j.finished).map(|(s, f)| Secs(f.since_ms(s)));
        JobJson {
            namespace: &j.namespace,
            name: &j.name,
            completions: j.completions,
            succeeded: j.succeeded,
            failed: j.failed,
            started_s: j.started.map(|t| Secs(t.as_ms())),
            duration_s: duration,
            condition: j.condition,
            reason: j.reason,
        }
    }
}

/// A DaemonSet's status counts.
#[derive(Serialize)]
struct DaemonSetJson<'a> {
    namespace: &'a str,
    name: &'a str,
    desired: u32,
    current: u32,
    ready: u32,
    available: u32,
    updated: u32,
    misscheduled: u32,
}

impl<'a> From<&'a DaemonSetSummary> for DaemonSetJson<'a> {
    fn from(d: &'a DaemonSetSummary) -> Self {
        DaemonSetJson {
            namespace: &d.namespace,
            name: &d.name,
            desired: d.desired,
            current: d.current,
            ready: d.ready,
            available: d.available,
            updated: d.updated,
            misscheduled: d.misscheduled,
        }
    }
}

/// A node's NotReady spell.
#[derive(Serialize)]
struct NodeJson<'a> {
    node: &'a str,
    not_ready_s: Secs,
    ready_again_s: Option<Secs>,
}

/// Capacity lost by a workload.
#[derive(Serialize)]
struct CapacityJson<'a> {
    kind: &'a str,
    workload: &'a str,
    desired: u32,
    lowest_ready: u32,
    first_below_s: Secs,
    below_s: Secs,
    longest_below_s: Secs,
}

/// A pod stuck Terminating on a silent node.
#[derive(Serialize)]
struct StuckJson<'a> {
    pod: &'a str,
    node: &'a str,
    since_s: Secs,
}

/// A pod still Pending at the end of the run, with its last FailedScheduling message.
#[derive(Serialize)]
struct PendingJson<'a> {
    namespace: &'a str,
    name: &'a str,
    created_s: Secs,
    reason: Option<&'a str>,
}

impl<'a> From<&'a PendingSummary> for PendingJson<'a> {
    fn from(p: &'a PendingSummary) -> Self {
        PendingJson {
            namespace: &p.namespace,
            name: &p.name,
            created_s: Secs(p.created.0),
            reason: p.reason.as_deref(),
        }
    }
}

/// A PodDisruptionBudget's final status, named as in its `status` (camelCase there, snake_case here).
#[derive(Serialize)]
struct BudgetJson<'a> {
    namespace: &'a str,
    name: &'a str,
    expected_pods: i32,
    current_healthy: i32,
    desired_healthy: i32,
    disruptions_allowed: i32,
}

impl<'a> From<&'a BudgetSummary> for BudgetJson<'a> {
    fn from(b: &'a BudgetSummary) -> Self {
        BudgetJson {
            namespace: &b.namespace,
            name: &b.name,
            expected_pods: b.expected_pods,
            current_healthy: b.current_healthy,
            desired_healthy: b.desired_healthy,
            disruptions_allowed: b.disruptions_allowed,
        }
    }
}

/// One rollout: when it started and how long it took to complete or to time out.
#[derive(Serialize)]
struct RolloutJson<'a> {
    deployment: &'a str,
    revision: u64,
    started_s: Secs,
    /// From the start until every replica was updated and available; null if it never was.
    duration_s: Option<Secs>,
    /// When the Progressing condition said ProgressDeadlineExceeded; null if it never did.
    timed_out_s: Option<Secs>,
}

impl<'a> From<&'a RolloutSpan> for RolloutJson<'a> {
    fn from(r: &'a RolloutSpan) -> Self {
        RolloutJson {
            deployment: &r.deployment,
            revision: r.revision,
            started_s: Secs(r.started.0),
            duration_s: r.completed.map(|c| Secs(c.since_ms(r.started))),
            timed_out_s: r.timed_out.map(|t| Secs(t.0)),
        }
    }
}

/// One claim's entry: what was asked for and what the provisioner gave (`10Gi` asked, `50Gi` given).
#[derive(Serialize)]
struct ClaimJson<'a> {
    namespace: &'a str,
    name: &'a str,
    storage_class: Option<&'a str>,
    requested_bytes: u64,
    capacity_bytes: Option<u64>,
    volume: Option<&'a str>,
}

impl<'a> From<&'a ClaimSummary> for ClaimJson<'a> {
    fn from(c: &'a ClaimSummary) -> Self {
        ClaimJson {
            namespace: &c.namespace,
            name: &c.name,
            storage_class: c.storage_class.as_deref(),
            requested_bytes: c.requested_bytes,
            capacity_bytes: c.capacity_bytes,
            volume: c.volume.as_deref(),
        }
    }
}

/// The services as an object keyed by name, in the summary's order.
struct Services<'a>(&'a [ServiceSummary]);

impl Serialize for Services<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for svc in self.0 {
            map.serialize_entry(&svc.name, &ServiceJson::from(svc))?;
        }
        map.end()
    }
}

/// One service's entry.
#[derive(Serialize)]
struct ServiceJson {
    availability: f64,
    requests: u64,
    failed: u64,
    downtime_s: Secs,
    longest_outage_s: Secs,
}

impl From<&ServiceSummary> for ServiceJson {
    fn from(s: &ServiceSummary) -> Self {
        ServiceJson {
            availability: (s.availability * 1e6).round() / 1e6,
            requests: s.requests,
            failed: s.failed,
            downtime_s: Secs(s.downtime_ms),
            longest_outage_s: Secs(s.longest_outage_ms),
        }
    }
}

/// One fault's entry; `recovery_s` is null when the service never answered again.
#[derive(Serialize)]
struct FaultJson<'a> {
    at_s: Secs,
    action: &'a str,
    target: &'a str,
    recovery_s: Option<Secs>,
}

impl<'a> From<&'a FaultSummary> for FaultJson<'a> {
    fn from(f: &'a FaultSummary) -> Self {
        FaultJson {
            at_s: Secs(f.at.as_ms()),
            action: &f.action,
            target: &f.target,
            recovery_s: f.recovery_ms.map(Secs),
        }
    }
}

/// `summary.json` as pretty-printed text, ending in a newline.
pub fn summary_json(s: &Summary) -> String {
    let r = &s.node_report;
    let doc = SummaryJson {
        scenario: &s.scenario,
        seed: s.seed,
        duration_s: Secs(s.duration_ms),
        events: s.events,
        services: Services(&s.services),
        faults: s.faults.iter().map(FaultJson::from).collect(),
        claims: s.claims.iter().map(ClaimJson::from).collect(),
        rollouts: s.rollouts.iter().map(RolloutJson::from).collect(),
        disruption_budgets: s.disruption_budgets.iter().map(BudgetJson::from).collect(),
        pending_pods: s.pending.iter().map(PendingJson::from).collect(),
        quorums: s.quorums.iter().map(QuorumJson::from).collect(),
        jobs: s.jobs.iter().map(JobJson::from).collect(),
        daemon_sets: s.daemon_sets.iter().map(DaemonSetJson::from).collect(),
        nodes: r
            .nodes
            .iter()
            .map(|n| NodeJson {
                node: &n.node,
                not_ready_s: Secs(n.not_ready.0),
                ready_again_s: n.ready_again.map(|t| Secs(t.0)),
            })
            .collect(),
        capacity: r
            .capacity
            .iter()
            .map(|c| CapacityJson {
                kind: c.kind,
                workload: &c.workload,
                desired: c.desired,
                lowest_ready: c.lowest_ready,
                first_below_s: Secs(c.first_below.0),
                below_s: Secs(c.below_ms),
                longest_below_s: Secs(c.longest_below_ms),
            })
            .collect(),
        stuck_terminating: r
            .stuck_terminating
            .iter()
            .map(|p| StuckJson {
                pod: &p.pod,
                node: &p.node,
                since_s: Secs(p.since.0),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("the summary has only string keys");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_summary as sample;

    #[test]
    fn summary_json_has_the_contract_keys_in_order() {
        let text = summary_json(&sample());
        let keys = [
            "\"scenario\"",
            "\"seed\"",
            "\"duration_s\"",
            "\"events\"",
            "\"services\"",
            "\"faults\"",
        ];
        let positions: Vec<_> = keys.iter().map(|k| text.find(k).expect(k)).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let web = &v["services"]["web"];
        for key in [
            "availability",
            "requests",
            "failed",
            "downtime_s",
            "longest_outage_s",
        ] {
            assert!(web.get(key).is_some(), "services.web.{key} missing");
        }
        for key in ["at_s", "action", "target", "recovery_s"] {
            assert!(v["faults"][0].get(key).is_some(), "faults[0].{key} missing");
        }
        assert!(
            text.find("\"web\"").unwrap() < text.find("\"db\"").unwrap(),
            "services keep their order"
        );
    }

    #[test]
    fn summary_json_writes_seconds_with_millisecond_precision() {
        let text = summary_json(&sample());
        assert!(text.contains("\"duration_s\": 300.0,"), "{text}");
        assert!(text.contains("\"downtime_s\": 31.004,"), "{text}");
        assert!(text.contains("\"longest_outage_s\": 14.5\n"), "{text}");
        assert!(text.contains("\"at_s\": 120.001,"), "{text}");
        assert!(text.contains("\"recovery_s\": null"), "{text}");
        assert!(text.contains("\"availability\": 0.99,"), "{text}");
        assert!(text.contains("\"availability\": 0.666667,"), "{text}");
    }

    #[test]
    fn every_millisecond_count_prints_as_its_three_decimal_value() {
        for ms in (0..200_000u64)
            .step_by(7)
            .chain([u32::MAX as u64, 86_400_000_123])
        {
            let printed = serde_json::to_string(&Secs(ms)).unwrap();
            let expected = format!("{}.{:03}", ms / 1000, ms % 1000);
            let trimmed = expected.trim_end_matches('0');
            let trimmed = if trimmed.ends_with('.') {
                format!("{trimmed}0")
            } else {
                trimmed.to_string()
            };
            assert_eq!(printed, trimmed);
        }
    }
}

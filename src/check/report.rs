//! What a checked run reports: the violations found, how much was judged, and the history before the first.

use crate::engine::SimTime;
use std::collections::BTreeMap;

/// The invariants the checker knows, each a family of rules about one controller or actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Invariant {
    /// A StatefulSet identity (ordinal) has at most one pod object and one running incarnation.
    StsIdentity,
    /// OrderedReady creation and scale-down order.
    StsOrder,
    /// A RollingUpdate never deletes below the partition; OnDelete only finished pods.
    StsPartition,
    /// Each ordinal keeps the same PVC uid across incarnations; claims deleted only as the retention policy allows.
    ClaimIdentity,
    /// A ReplicaSet never owns more live pods than `spec.replicas` (but while scaling down).
    ReplicaSetReplicas,
    /// A Deployment stays within replicas+maxSurge and keeps replicas-maxUnavailable available.
    DeploymentBounds,
    /// An RWO volume is attached to at most one node and never detached while mounted.
    VolumeAttachment,
    /// PV-PVC binding is one to one.
    VolumeBinding,
    /// The scheduler never overcommits allocatable nor breaks selectors, taints, affinity, spread.
    SchedulerFit,
    /// Ready endpoints only for Ready, non-terminating pods (unless publishNotReadyAddresses).
    EndpointsReady,
    /// Voluntary evictions never break a PodDisruptionBudget.
    DisruptionBudget,
    /// After the faults stop and a quiet period, every controller's objects reach their desired
    /// state, status tells the truth, and nobody keeps writing.
    Liveness,
}

impl Invariant {
    /// Its short name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Invariant::StsIdentity => "statefulset-identity",
            Invariant::StsOrder => "statefulset-order",
            Invariant::StsPartition => "statefulset-partition",
            Invariant::ClaimIdentity => "claim-identity",
            Invariant::ReplicaSetReplicas => "replicaset-replicas",
            Invariant::DeploymentBounds => "deployment-bounds",
            Invariant::VolumeAttachment => "volume-attachment",
            Invariant::VolumeBinding => "volume-binding",
            Invariant::SchedulerFit => "scheduler-fit",
            Invariant::EndpointsReady => "endpoints-ready",
            Invariant::DisruptionBudget => "disruption-budget",
            Invariant::Liveness => "liveness",
        }
    }
}

impl std::fmt::Display for Invariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A broken invariant: when, which, about what object, what happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at {at} s: {invariant}: {object}: {detail}")]
pub struct Violation {
    pub at: SimTime,
    pub invariant: Invariant,
    /// `Kind namespace/name` (and ordinal or node where it helps).
    pub object: String,
    pub detail: String,
}

/// How much a checked run judged: a run that checks nothing proves nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// Events after which the invariants were evaluated.
    pub events: u64,
    /// Judgements made per invariant (transitions or objects examined).
    pub judgements: BTreeMap<Invariant, u64>,
}

impl Checked {
    /// The judgements made of `invariant`.
    pub fn of(&self, invariant: Invariant) -> u64 {
        self.judgements.get(&invariant).copied().unwrap_or(0)
    }
}

/// The outcome of [`super::check_run`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Every violation, in the order found.
    pub violations: Vec<Violation>,
    pub checked: Checked,
    /// The events and watch-log lines that led to the first violation (empty when none).
    pub history: Vec<String>,
}

impl CheckReport {
    /// True if no invariant was broken.
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }

    /// The first violation and its history, as `kubesim check` prints it.
    pub fn first_text(&self) -> Option<String> {
        let first = self.violations.first()?;
        let mut text = format!("VIOLATION {first}\n");
        if !self.history.is_empty() {
            text.push_str("history (last events and pod changes before it):\n");
            for line in &self.history {
                text.push_str("  ");
                text.push_str(line);
                text.push('\n');
            }
        }
        Some(text)
    }
}

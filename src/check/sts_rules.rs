//! The StatefulSet invariants as pure rules over what one instant shows of a set and its pods.
//!
//! Sources: kk:pkg/controller/statefulset/stateful_set_control.go (`processReplica`,
//! `processCondemned`, the RollingUpdate loop) and reference-kubernetes.md §1.

use crate::engine::SimTime;

/// One StatefulSet as the rules read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetFacts {
    /// `namespace/name`.
    pub key: String,
    /// `spec.ordinals.start`.
    pub start: u32,
    pub replicas: u32,
    /// podManagementPolicy OrderedReady (`monotonic`).
    pub ordered: bool,
    /// None: OnDelete; Some(partition): RollingUpdate.
    pub partition: Option<u32>,
    /// `status.updateRevision`.
    pub update_revision: String,
}

impl SetFacts {
    /// `podInOrdinalRange`.
    pub fn in_range(&self, ordinal: u32) -> bool {
        ordinal >= self.start && ordinal < self.start.saturating_add(self.replicas)
    }
}

/// One pod object of a StatefulSet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodFacts {
    /// The pod's id in the store (`PodId.0`).
    pub key: u32,
    pub ordinal: u32,
    /// Its `controller-revision-hash` label.
    pub revision: String,
    /// A deletionTimestamp is set.
    pub terminating: bool,
    /// Phase Failed or Succeeded.
    pub finished: bool,
    /// Running, Ready, available for minReadySeconds and not terminating.
    pub healthy: bool,
}

/// What went wrong with one identity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViolationKind {
    #[error(
        "the containers of several pod incarnations of this identity run at once (pod ids {0:?})"
    )]
    RunningTwice(Vec<u32>),
    #[error("{0} pod objects of this identity exist at once")]
    TwoObjects(usize),
    #[error("pod created while ordinal {0} had no pod (OrderedReady)")]
    CreatedBeforePredecessor(u32),
    #[error(
        "pod created while ordinal {0}'s pod was not Running, Ready and available (OrderedReady)"
    )]
    CreatedBeforePredecessorReady(u32),
    #[error("pod deleted by scale-down while ordinal {0}'s pod still exists (OrderedReady)")]
    ScaleDownOutOfOrder(u32),
    #[error("pod deleted by the controller for a revision change below partition {0}")]
    UpdatedBelowPartition(u32),
    #[error("pod deleted by the controller under OnDelete although it had not finished")]
    UpdatedUnderOnDelete,
    #[error("pod deleted by the controller for a revision change although it has the update revision {0}")]
    DeletedAtUpdateRevision(String),
}

/// A broken invariant: when, which set and ordinal, what happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at {at} s: StatefulSet {set}, ordinal {ordinal}: {kind}")]
pub struct Violation {
    pub at: SimTime,
    pub set: String,
    pub ordinal: u32,
    pub kind: ViolationKind,
}

/// (b) Under OrderedReady, a pod with ordinal k is created only while every ordinal in
/// `start..k` has a pod that is Running, Ready and available and not terminating.
pub fn check_created(
    set: &SetFacts,
    pods: &[PodFacts],
    created: &PodFacts,
) -> Option<ViolationKind> {
    if !set.ordered || !set.in_range(created.ordinal) {
        return None;
    }
    (set.start..created.ordinal).find_map(|o| match pods.iter().find(|p| p.ordinal == o) {
        None => Some(ViolationKind::CreatedBeforePredecessor(o)),
        Some(p) if !p.healthy => Some(ViolationKind::CreatedBeforePredecessorReady(o)),
        Some(_) => None,
    })
}

/// (c) and (d): a pod the controller deleted (`deleted` as it was just before; `pods` the set's pods
/// after the deletion). A finished pod may go any time; a condemned one only after every higher
/// ordinal is gone (OrderedReady); one in range only by a RollingUpdate, at or above the partition,
/// and only if its revision is not the update revision.
pub fn check_deleted(
    set: &SetFacts,
    pods: &[PodFacts],
    deleted: &PodFacts,
) -> Option<ViolationKind> {
    if deleted.finished {
        return None;
    }
    if !set.in_range(deleted.ordinal) {
        let higher = pods
            .iter()
            .filter(|p| p.key != deleted.key && p.ordinal > deleted.ordinal)
            .map(|p| p.ordinal)
            .max();
        return higher
            .filter(|_| set.ordered)
            .map(ViolationKind::ScaleDownOutOfOrder);
    }
    let Some(partition) = set.partition else {
        return Some(ViolationKind::UpdatedUnderOnDelete);
    };
    if deleted.ordinal < set.start.saturating_add(partition) {
        return Some(ViolationKind::UpdatedBelowPartition(partition));
    }
    (deleted.revision == set.update_revision)
        .then(|| ViolationKind::DeletedAtUpdateRevision(deleted.revision.clone()))
}

/// The ordinals held by more than one of `holders` ((ordinal, pod id) pairs), with their pod ids.
pub fn shared_ordinals(holders: impl IntoIterator<Item = (u32, u32)>) -> Vec<(u32, Vec<u32>)> {
    let mut by_ordinal: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for (ordinal, pod) in holders {
        by_ordinal.entry(ordinal).or_default().push(pod);
    }
    by_ordinal
        .into_iter()
        .filter(|(_, p)| p.len() > 1)
        .collect()
}

#[cfg(test)]
#[path = "sts_rules_tests.rs"]
mod tests;

//! `updateStatefulSet` (kk:pkg/controller/statefulset/stateful_set_control.go): the per-sync decisions
//! over the set's pods, as pure functions of views; `controller` turns the actions into writes.

use super::utils::PodView;

/// Most calls of one slow-start batch in Parallel mode (`MaxBatchSize = 500`).
pub const MAX_BATCH_SIZE: usize = 500;

/// What `updateStatefulSet` reads of the set itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetView {
    pub replicas: u32,
    /// `getStartOrdinal`.
    pub start: u32,
    /// `!allowsBurst`: podManagementPolicy OrderedReady.
    pub monotonic: bool,
    /// None: OnDelete. Some(partition): RollingUpdate.
    pub partition: Option<u32>,
    /// `getStatefulSetMaxUnavailable` when the MaxUnavailableStatefulSet gate is on; None when off.
    pub max_unavailable: Option<u32>,
    pub current_revision: String,
    pub update_revision: String,
    /// The set has a deletionTimestamp: only its status is updated.
    pub deleting: bool,
    /// Mutant `statefulset-early-scale-down` (testing only): a terminating condemned pod does not block
    /// the next one, as before kubernetes/kubernetes#44229 was fixed.
    pub early_scale_down: bool,
}

impl SetView {
    /// `newVersionedStatefulSetPod`: a missing ordinal below the partition is recreated at the
    /// current revision, any other at the update revision (OnDelete: always the update revision).
    pub fn creates_at_current(&self, ordinal: u32) -> bool {
        self.partition
            .is_some_and(|p| ordinal < self.start.saturating_add(p))
    }
}

/// One ordinal in `[start, start + replicas)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub ordinal: u32,
    /// None: no pod of that ordinal exists (`!isCreated`).
    pub pod: Option<PodView>,
    /// `PodClaimIsStale`: a claim of this ordinal is owned by an earlier pod incarnation.
    pub claims_stale: bool,
    /// `ClaimsMatchRetentionPolicy`: the claims' owner references are as the policy wants.
    pub claims_match: bool,
}

/// A pod out of the ordinal range (`condemned`), with the same claim flag as [`Slot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condemned {
    pub pod: PodView,
    pub claims_match: bool,
}

/// What one sync asks the pod control to do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `CreateStatefulPod`: the missing claims, then the pod, at the current or update revision.
    Create { ordinal: u32, at_current: bool },
    /// `createMissingPersistentVolumeClaims` for a Pending pod.
    CreateMissingClaims { ordinal: u32, pod: u32 },
    /// `UpdatePodClaimForRetentionPolicy`: set the claims' owner references per the policy.
    FixClaims { pod: u32, condemned: bool },
    /// `DeleteStatefulPod` of a Failed or Succeeded pod (a new one is created once it is gone).
    DeleteFinished { pod: u32 },
    /// `DeleteStatefulPod` of a condemned pod (scale-down).
    DeleteCondemned { pod: u32 },
    /// `DeleteStatefulPod` of a pod at an old revision (RollingUpdate).
    DeleteForUpdate { pod: u32 },
}

/// The actions of one sync and how many pods the rolling update deleted (`status.CurrentReplicas--`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decision {
    pub actions: Vec<Action>,
    pub deleted_for_update: u32,
}

/// `processReplica` / `processCondemned` return: stop the monotonic loop here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Continue,
    Block,
}

/// `updateStatefulSet` on the slots (ascending ordinal) and condemned pods (descending ordinal).
pub fn update_stateful_set(set: &SetView, slots: &[Slot], condemned: &[Condemned]) -> Decision {
    let mut d = Decision::default();
    if set.deleting {
        return d;
    }
    let first_unavailable = first_unavailable_pod(slots, condemned);
    let exit = run_for_all(slots.len(), set.monotonic, |i| {
        process_replica(set, &slots[i], &mut d.actions)
    });
    if exit {
        return d;
    }
    // Fix pod claims for condemned pods, if necessary (never blocks).
    for c in condemned.iter().filter(|c| !c.claims_match) {
        d.actions.push(Action::FixClaims {
            pod: c.pod.key,
            condemned: true,
        });
    }
    let exit = run_for_all(condemned.len(), set.monotonic, |i| {
        process_condemned(set, &condemned[i], first_unavailable, &mut d.actions)
    });
    if exit || set.partition.is_none() {
        // OnDelete: pods are updated when they are deleted by hand.
        return d;
    }
    match set.max_unavailable {
        Some(max) => rolling_update_max_unavailable(set, slots, max, &mut d),
        None => rolling_update(set, slots, &mut d),
    }
    d
}

/// `runForAll`: in order, stopping at the first block (monotonic), or every call in slow-start
/// batches (Parallel; the model's calls never fail, so every batch runs). Returns `shouldExit`.
fn run_for_all(n: usize, monotonic: bool, mut f: impl FnMut(usize) -> Step) -> bool {
    if monotonic {
        return (0..n).any(|i| f(i) == Step::Block);
    }
    let mut i = 0;
    for batch in slow_start_batch_sizes(n) {
        for _ in 0..batch {
            f(i);
            i += 1;
        }
    }
    false
}

/// The batches of `slowStartBatch(1, n, fn)` when no call fails: 1, 2, 4, ... capped at [`MAX_BATCH_SIZE`].
pub fn slow_start_batch_sizes(n: usize) -> Vec<usize> {
    let (mut sizes, mut remaining) = (Vec::new(), n);
    let mut batch = remaining.min(1);
    while batch > 0 {
        sizes.push(batch);
        remaining -= batch;
        batch = (2 * batch).min(remaining).min(MAX_BATCH_SIZE);
    }
    sizes
}

/// The first unavailable pod among the replicas (ascending), else the lowest condemned one.
fn first_unavailable_pod(slots: &[Slot], condemned: &[Condemned]) -> Option<u32> {
    let replica = slots
        .iter()
        .find(|s| s.pod.as_ref().is_none_or(PodView::unavailable))
        .map(|s| s.pod.as_ref().map(|p| p.key));
    match replica {
        // A missing pod is unavailable too; it has no key any condemned pod could match.
        Some(key) => key,
        None => condemned
            .iter()
            .rev()
            .find(|c| c.pod.unavailable())
            .map(|c| c.pod.key),
    }
}

/// `processReplica` for one ordinal.
fn process_replica(set: &SetView, slot: &Slot, actions: &mut Vec<Action>) -> Step {
    let Some(pod) = &slot.pod else {
        if slot.claims_stale {
            // "If a pod has a stale PVC, no more work can be done this round."
            return Step::Block;
        }
        let at_current = set.creates_at_current(slot.ordinal);
        actions.push(Action::Create {
            ordinal: slot.ordinal,
            at_current,
        });
        // Monotonic: return immediately after one creation.
        return if set.monotonic {
            Step::Block
        } else {
            Step::Continue
        };
    };
    if pod.finished() {
        if !pod.terminating {
            actions.push(Action::DeleteFinished { pod: pod.key });
        }
        return Step::Block;
    }
    if pod.pending() {
        actions.push(Action::CreateMissingClaims {
            ordinal: slot.ordinal,
            pod: pod.key,
        });
    }
    let waiting = pod.terminating || !pod.running_and_ready() || !pod.running_and_available();
    if waiting && set.monotonic {
        return Step::Block;
    }
    if !slot.claims_match {
        actions.push(Action::FixClaims {
            pod: pod.key,
            condemned: false,
        });
    }
    Step::Continue
}

/// `processCondemned`: a terminating pod blocks (monotonic); an unhealthy one blocks unless it is
/// the first unavailable pod; otherwise it is deleted, and a monotonic set waits for it to go.
fn process_condemned(
    set: &SetView,
    c: &Condemned,
    first_unavailable: Option<u32>,
    actions: &mut Vec<Action>,
) -> Step {
    let pod = &c.pod;
    if pod.terminating {
        return if set.monotonic && !set.early_scale_down {
            Step::Block
        } else {
            Step::Continue
        };
    }
    let unhealthy = !pod.running_and_ready() || !pod.running_and_available();
    if unhealthy && set.monotonic && first_unavailable != Some(pod.key) {
        return Step::Block;
    }
    actions.push(Action::DeleteCondemned { pod: pod.key });
    Step::Block
}

/// The revision a slot's pod has, or will be created at.
fn slot_revision<'a>(set: &'a SetView, slot: &'a Slot) -> &'a str {
    match &slot.pod {
        Some(p) => &p.revision,
        None if set.creates_at_current(slot.ordinal) => &set.current_revision,
        None => &set.update_revision,
    }
}

fn slot_unavailable(slot: &Slot) -> bool {
    slot.pod.as_ref().is_none_or(PodView::unavailable)
}

fn slot_stale(set: &SetView, slot: &Slot) -> Option<u32> {
    let pod = slot.pod.as_ref()?;
    (slot_revision(set, slot) != set.update_revision && !pod.terminating).then_some(pod.key)
}

/// RollingUpdate without the gate: from the highest ordinal down to the partition, delete the first
/// pod at an old revision and stop; stop as well at an unavailable pod.
fn rolling_update(set: &SetView, slots: &[Slot], d: &mut Decision) {
    let update_min = set.partition.unwrap_or(0) as usize;
    for slot in slots.iter().skip(update_min).rev() {
        if let Some(pod) = slot_stale(set, slot) {
            d.actions.push(Action::DeleteForUpdate { pod });
            d.deleted_for_update += 1;
            return;
        }
        if slot_unavailable(slot) {
            return;
        }
    }
}

/// `updateStatefulSetAfterInvariantEstablished` (MaxUnavailableStatefulSet gate): with `unavailable`
/// pods among the replicas, delete up to `max - unavailable` pods at an old revision, highest first.
fn rolling_update_max_unavailable(set: &SetView, slots: &[Slot], max: u32, d: &mut Decision) {
    let unavailable = slots.iter().filter(|s| slot_unavailable(s)).count() as u32;
    if unavailable > max {
        return;
    }
    let update_min = set.partition.unwrap_or(0) as usize;
    let to_delete = max - unavailable;
    for slot in slots.iter().skip(update_min).rev() {
        if d.deleted_for_update >= to_delete {
            return;
        }
        if let Some(pod) = slot_stale(set, slot) {
            d.actions.push(Action::DeleteForUpdate { pod });
            d.deleted_for_update += 1;
        }
    }
}

#[cfg(test)]
#[path = "control_tests.rs"]
mod tests;

//! The StatefulSet invariant checker: reads the world after every event, finds pod creations and the
//! controller's deletions by comparing with the previous event, and applies [`super::sts_rules`].
//! Only the sets the event touched (the set, a member pod, a member's process) are read again.

use super::sts_rules::{
    check_created, check_deleted, shared_ordinals, PodFacts, SetFacts, Violation, ViolationKind,
};
use super::Delta;
use crate::api::{Owner, PodId, PodPhase, Store, StsId, StsUpdateStrategy};
use crate::controllers::statefulset::pod_views;
use crate::controllers::statefulset::utils::parent_and_ordinal;
use crate::engine::SimTime;
use crate::sim::WorldView;
use std::collections::{BTreeMap, BTreeSet};

/// One set and its live pods at one instant.
struct SetNow {
    id: StsId,
    facts: SetFacts,
    pods: Vec<PodFacts>,
}

/// Checks the StatefulSet invariants after every event (feed it from [`crate::sim::run_inspected`]):
/// (a) one pod object and one running pod per identity, (b) OrderedReady creation order,
/// (c) OrderedReady scale-down order, (d) rolling updates respect the partition.
#[derive(Debug, Default)]
pub struct StatefulSetChecker {
    /// The live pods of every set after the previous event, by pod id.
    prev: BTreeMap<u32, (StsId, PodFacts)>,
    /// The pods of each set in `prev`.
    members: BTreeMap<StsId, Vec<u32>>,
    /// Identity violations (a) in progress, reported once when they begin.
    ongoing: BTreeSet<(StsId, u32, bool)>,
    /// (pod id -> ordinal) of the pods of each set whose container process is alive.
    running: BTreeMap<StsId, BTreeMap<u32, u32>>,
    /// The set each pod of `running` counts for.
    running_in: BTreeMap<u32, StsId>,
    violations: Vec<Violation>,
    checked: Checked,
}

/// How many transitions the checker judged: a run that checks nothing proves nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Checked {
    /// Pods that appeared (rule b).
    pub creations: u32,
    /// Pods the StatefulSet controller deleted (rules c and d).
    pub controller_deletions: u32,
}

impl StatefulSetChecker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every violation found so far, in the order found.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// How many creations and controller deletions were judged so far.
    pub fn checked(&self) -> Checked {
        self.checked
    }

    /// Checks the world after one event at `now` (reading every set); returns how many new
    /// violations it found.
    pub fn observe(&mut self, view: WorldView<'_>, now: SimTime) -> usize {
        self.observe_delta(view, &Delta::everything(&view), now)
    }

    /// Checks the world after one event at `now` that changed `delta`; returns how many new
    /// violations it found.
    pub fn observe_delta(&mut self, view: WorldView<'_>, delta: &Delta, now: SimTime) -> usize {
        let before = self.violations.len();
        let touched = self.touched(&view, delta);
        let sets = sets_now(view.store, &touched, now);
        self.check_transitions(&view, &touched, &sets, now);
        self.check_identities(&touched, &sets, now);
        for id in &touched {
            for key in self.members.remove(id).unwrap_or_default() {
                self.prev.remove(&key);
            }
        }
        for s in &sets {
            self.members
                .insert(s.id, s.pods.iter().map(|p| p.key).collect());
            (self.prev).extend(s.pods.iter().map(|p| (p.key, (s.id, p.clone()))));
        }
        self.violations.len() - before
    }

    /// The sets the event touched: changed sets, and the sets of changed pods and processes, as
    /// they were and as they are (the running index brought up to date on the way).
    fn touched(&mut self, view: &WorldView<'_>, delta: &Delta) -> BTreeSet<StsId> {
        let mut touched: BTreeSet<StsId> = delta.stateful_sets.iter().copied().collect();
        for pod in delta.pods.iter().chain(&delta.lifecycle).copied() {
            if let Some((set, _)) = self.prev.get(&pod.0) {
                touched.insert(*set);
            }
            if let Some(Owner::StatefulSet(set)) = view.store.pods[pod.index()].meta.owner {
                touched.insert(set);
            }
            if let Some(set) = self.running_in.remove(&pod.0) {
                touched.insert(set);
                self.running.entry(set).or_default().remove(&pod.0);
            }
            if let Some((set, ordinal)) = running_identity(view, pod) {
                self.running_in.insert(pod.0, set);
                self.running.entry(set).or_default().insert(pod.0, ordinal);
            }
        }
        touched
    }

    /// (b), (c), (d): pods that appeared, and pods the controller deleted, since the previous event.
    fn check_transitions(
        &mut self,
        view: &WorldView<'_>,
        touched: &BTreeSet<StsId>,
        sets: &[SetNow],
        now: SimTime,
    ) {
        for set in sets {
            let created: Vec<&PodFacts> = (set.pods.iter())
                .filter(|p| !self.prev.contains_key(&p.key))
                .collect();
            for pod in created {
                self.checked.creations += 1;
                let kind = check_created(&set.facts, &set.pods, pod);
                self.report(now, set, pod.ordinal, kind);
            }
        }
        let mut keys: Vec<u32> = touched
            .iter()
            .flat_map(|id| self.members.get(id).into_iter().flatten().copied())
            .collect();
        keys.sort_unstable();
        let deleted: Vec<(StsId, PodFacts)> = (keys.iter().map(|k| &self.prev[k]))
            .filter(|(_, was)| !was.terminating && now_terminating_or_gone(view.store, was.key))
            .filter(|(_, was)| deleted_by_controller(view, was.key))
            .cloned()
            .collect();
        for (id, was) in deleted {
            let Some(set) = sets.iter().find(|s| s.id == id) else {
                continue;
            };
            self.checked.controller_deletions += 1;
            let kind = check_deleted(&set.facts, &set.pods, &was);
            self.report(now, set, was.ordinal, kind);
        }
    }

    /// (a): at most one pod object, and at most one pod with live containers, per identity.
    fn check_identities(&mut self, touched: &BTreeSet<StsId>, sets: &[SetNow], now: SimTime) {
        let mut ongoing = BTreeSet::new();
        for set in sets {
            let objects = shared_ordinals(set.pods.iter().map(|p| (p.ordinal, p.key)));
            for (ordinal, pods) in objects {
                ongoing.insert((set.id, ordinal, false));
                let kind = ViolationKind::TwoObjects(pods.len());
                self.report_ongoing(now, set, ordinal, false, kind);
            }
            let holders = self.running.get(&set.id).into_iter().flatten();
            let running = shared_ordinals(holders.map(|(pod, ordinal)| (*ordinal, *pod)));
            for (ordinal, pods) in running {
                ongoing.insert((set.id, ordinal, true));
                self.report_ongoing(now, set, ordinal, true, ViolationKind::RunningTwice(pods));
            }
        }
        self.ongoing.retain(|(id, _, _)| !touched.contains(id));
        self.ongoing.extend(ongoing);
    }

    fn report_ongoing(
        &mut self,
        now: SimTime,
        set: &SetNow,
        ordinal: u32,
        running: bool,
        kind: ViolationKind,
    ) {
        if !self.ongoing.contains(&(set.id, ordinal, running)) {
            self.report(now, set, ordinal, Some(kind));
        }
    }

    fn report(&mut self, at: SimTime, set: &SetNow, ordinal: u32, kind: Option<ViolationKind>) {
        if let Some(kind) = kind {
            self.violations.push(Violation {
                at,
                set: set.facts.key.clone(),
                ordinal,
                kind,
            });
        }
    }
}

/// The sets of `ids` that exist and are not being deleted, with their live pods.
fn sets_now(store: &Store, ids: &BTreeSet<StsId>, now: SimTime) -> Vec<SetNow> {
    ids.iter()
        .copied()
        .filter(|id| {
            let meta = &store.stateful_sets[id.index()].meta;
            meta.exists() && meta.deletion.is_none()
        })
        .map(|id| SetNow {
            id,
            facts: set_facts(store, id),
            pods: pods_of(store, id, now),
        })
        .collect()
}

fn set_facts(store: &Store, id: StsId) -> SetFacts {
    let set = &store.stateful_sets[id.index()];
    let partition = match &set.update_strategy {
        StsUpdateStrategy::OnDelete => None,
        StsUpdateStrategy::RollingUpdate { partition, .. } => Some(*partition),
    };
    SetFacts {
        key: set.meta.key(),
        start: set.start_ordinal,
        replicas: set.replicas,
        ordered: set.pod_management == crate::api::PodManagement::OrderedReady,
        partition,
        // The revision of the template as it is (`getStatefulSetRevisions`), not status.updateRevision:
        // a sync deletes pods for the new revision before it writes the status, which may fail (409).
        update_revision: update_revision_of(set),
    }
}

/// The name of the revision of `set`'s template (stateful_set_control.go `getStatefulSetRevisions`).
fn update_revision_of(set: &crate::api::StatefulSet) -> String {
    use crate::controllers::statefulset::utils::{revision_hash, revision_name};
    let hash = revision_hash(set.template.hash_text().as_bytes());
    revision_name(&set.meta.name, &hash)
}

/// The set's live member pods, read as the controller reads them (`getPodsForStatefulSet`).
fn pods_of(store: &Store, id: StsId, now: SimTime) -> Vec<PodFacts> {
    pod_views(store, id, now)
        .into_iter()
        .map(|v| PodFacts {
            key: v.key,
            ordinal: v.ordinal,
            finished: matches!(v.phase, PodPhase::Failed | PodPhase::Succeeded),
            healthy: v.phase == PodPhase::Running && v.available && !v.terminating,
            terminating: v.terminating,
            revision: v.revision,
        })
        .collect()
}

fn now_terminating_or_gone(store: &Store, key: u32) -> bool {
    let meta = &store.pods[key as usize].meta;
    !meta.exists() || meta.deletion.is_some()
}

/// The StatefulSet controller recorded `SuccessfulDelete` of this pod while handling this event
/// (`DeleteStatefulPod`'s Event), and the event was not a person's `kubectl delete`.
fn deleted_by_controller(view: &WorldView<'_>, key: u32) -> bool {
    if view.scenario_action {
        return false;
    }
    let pod = &view.store.pods[key as usize];
    let needle = format!("delete Pod {} in StatefulSet", pod.meta.name);
    view.new_events.iter().any(|e| {
        e.kind == "StatefulSet"
            && e.reason == "SuccessfulDelete"
            && e.namespace == pod.meta.namespace
            && e.message.starts_with(&needle)
    })
}

/// The set and ordinal of `pod` if its container process is alive on some node and it is a
/// member of a StatefulSet by owner and name (the pod object gone or not).
fn running_identity(view: &WorldView<'_>, pod: PodId) -> Option<(StsId, u32)> {
    view.runtime.process(pod).filter(|p| p.died.is_none())?;
    let p = &view.store.pods[pod.index()];
    let Some(Owner::StatefulSet(set)) = p.meta.owner else {
        return None;
    };
    let (parent, ordinal) = parent_and_ordinal(&p.meta.name)?;
    (parent == view.store.stateful_sets[set.index()].meta.name).then_some((set, ordinal))
}

/// The StatefulSet rules as one of [`super::check_run`]'s checkers.
#[derive(Debug, Default)]
pub struct StsInvariants {
    inner: StatefulSetChecker,
    /// Violations of `inner` already passed on.
    reported: usize,
    /// When the StatefulSet controller decides from a lagging cache (`delay-watch`): a creation or
    /// deletion then follows the set as it was, so the order and partition rules, judged against
    /// the set as it is, are not (the identity rules always are).
    stale: Vec<super::allowances::StaleWindow>,
}

impl StsInvariants {
    /// With the stale windows of `scenario`'s watch delays of the StatefulSet controller.
    pub fn new(scenario: &crate::scenario::Scenario) -> Self {
        let c = crate::scenario::Controller::StatefulSet;
        StsInvariants {
            stale: super::allowances::stale_windows(scenario, c),
            ..Self::default()
        }
    }

    fn excused(&self, v: &Violation) -> bool {
        let decision = invariant_of(&v.kind) != super::Invariant::StsIdentity;
        decision && self.stale.iter().any(|w| w.covers(v.at))
    }
}

impl super::Checker for StsInvariants {
    fn observe(
        &mut self,
        view: &WorldView<'_>,
        delta: &Delta,
        now: SimTime,
        findings: &mut super::Findings,
    ) {
        use super::Invariant;
        let before = self.inner.checked();
        self.inner.observe_delta(*view, delta, now);
        let after = self.inner.checked();
        findings.judged(
            Invariant::StsOrder,
            u64::from(after.creations - before.creations),
        );
        let deletions = after.controller_deletions - before.controller_deletions;
        findings.judged(Invariant::StsPartition, u64::from(deletions));
        findings.judged(
            Invariant::StsIdentity,
            view.store.stateful_sets.len() as u64,
        );
        for v in &self.inner.violations()[self.reported..] {
            if self.excused(v) {
                continue;
            }
            let object = format!("StatefulSet {} ordinal {}", v.set, v.ordinal);
            findings.violate(v.at, invariant_of(&v.kind), object, v.kind.to_string());
        }
        self.reported = self.inner.violations().len();
    }
}

/// Which family a StatefulSet rule belongs to.
fn invariant_of(kind: &ViolationKind) -> super::Invariant {
    use super::Invariant;
    match kind {
        ViolationKind::RunningTwice(_) | ViolationKind::TwoObjects(_) => Invariant::StsIdentity,
        ViolationKind::CreatedBeforePredecessor(_)
        | ViolationKind::CreatedBeforePredecessorReady(_)
        | ViolationKind::ScaleDownOutOfOrder(_) => Invariant::StsOrder,
        ViolationKind::UpdatedBelowPartition(_)
        | ViolationKind::UpdatedUnderOnDelete
        | ViolationKind::DeletedAtUpdateRevision(_) => Invariant::StsPartition,
    }
}

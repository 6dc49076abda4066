//! `ReplicaSetController` (kk:pkg/controller/replicaset/replica_set.go): `syncReplicaSet` and `manageReplicas`.

use super::expectations::Expectations;
use super::slow_start::{slow_start_batch, SLOW_START_INITIAL_BATCH_SIZE};
use super::{status, Requeue, BURST_REPLICAS};
use crate::api::{selector_matches, Effects, Event, Owner, PodId, RsId, Store, Write};
use crate::controllers::pod_ranking;
use crate::engine::SimTime;
use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

/// The controller's own state: its expectations per ReplicaSet and what its pod informer last delivered.
#[derive(Debug, Clone, Default)]
pub struct ReplicaSetController {
    /// `rsc.expectations` (`UIDTrackingControllerExpectations`).
    pub expectations: Expectations<RsId>,
    /// Per pod the informer has delivered: whether it was Ready (`updatePod` compares old and new).
    pub(super) informer: BTreeMap<PodId, bool>,
    /// Mutant `replicaset-no-expectations` (testing only): sync as if every expectation were met, trusting
    /// a possibly stale pod list (kubernetes/kubernetes#129795 at its extreme).
    pub no_expectations: bool,
}

impl ReplicaSetController {
    /// `syncReplicaSet`: create or delete pods toward `spec.replicas` when the expectations allow it, then
    /// update the status (always), and resync after minReadySeconds when only availability is missing.
    pub fn sync(&mut self, store: &Store, id: RsId, now: SimTime) -> Effects<Requeue> {
        let mut fx = Effects::default();
        let rs = &store.replica_sets[id.index()];
        if !rs.meta.exists() {
            // NotFound: forget the expectations so a new ReplicaSet of that name starts clean.
            self.expectations.delete(id);
            return fx;
        }
        let needs_sync = self.no_expectations || self.expectations.satisfied(id, now);
        let filtered = active_pods(store, id);
        // `rs.DeletionTimestamp == nil` always holds: a deleted ReplicaSet leaves the store at once.
        if needs_sync {
            self.manage_replicas(store, id, &filtered, now, &mut fx);
        }
        // Status from the pods listed before manageReplicas, as upstream (calculateStatus(rs, filteredPods)).
        let updated = status::update_replica_set_status(store, id, &filtered, now, &mut fx);
        // "Resync the ReplicaSet after MinReadySeconds as a last line of defense to guard against clock-skew."
        let (replicas, min_ready_ms) = (rs.replicas, rs.min_ready_ms);
        if min_ready_ms > 0 && updated.ready == replicas && updated.available != replicas {
            fx.timer(now.plus_ms(min_ready_ms), Requeue(id));
        }
        fx
    }

    /// `manageReplicas`: `diff = len(filteredPods) - spec.replicas`, capped at the burst either way.
    fn manage_replicas(
        &mut self,
        store: &Store,
        id: RsId,
        filtered: &[PodId],
        now: SimTime,
        fx: &mut Effects<Requeue>,
    ) {
        let replicas = store.replica_sets[id.index()].replicas as usize;
        if filtered.len() < replicas {
            let diff = (replicas - filtered.len()).min(BURST_REPLICAS);
            self.create_pods(store, id, diff, now, fx);
        } else if filtered.len() > replicas {
            let diff = (filtered.len() - replicas).min(BURST_REPLICAS);
            self.delete_pods(store, id, filtered, diff, now, fx);
        }
    }

    /// Scale up: `ExpectCreations(diff)`, then `slowStartBatch` of `CreatePods`; creations that were never
    /// made (after a failed batch) are observed at once, since the informer will never see them.
    fn create_pods(
        &mut self,
        store: &Store,
        id: RsId,
        diff: usize,
        now: SimTime,
        fx: &mut Effects<Requeue>,
    ) {
        let rs = &store.replica_sets[id.index()];
        self.expectations.expect_creations(id, diff, now);
        // The API server of the model accepts every create (no quota, no terminating namespace): the error
        // type is `Infallible`, so the pattern below is irrefutable.
        let (successes, Ok(())) = slow_start_batch(diff, SLOW_START_INITIAL_BATCH_SIZE, || {
            fx.write(Write::CreatePod {
                namespace: rs.meta.namespace.clone(),
                generate_name: format!("{}-", rs.meta.name),
                owner: Owner::ReplicaSet(id),
                template: rs.template.clone(),
            });
            Ok::<(), Infallible>(())
        });
        for _ in successes..diff {
            self.expectations.creation_observed(id);
        }
    }

    /// Scale down: `getPodsToDelete`, `ExpectDeletions` of exactly those pods, then delete them all at once
    /// (upstream: in parallel, no slow start). The SuccessfulCreate Events are recorded by the run loop,
    /// which knows the generated names; SuccessfulDelete ones here.
    fn delete_pods(
        &mut self,
        store: &Store,
        id: RsId,
        filtered: &[PodId],
        diff: usize,
        now: SimTime,
        fx: &mut Effects<Requeue>,
    ) {
        let rs = &store.replica_sets[id.index()];
        let related = indirectly_related_pods(store, id);
        let victims = pod_ranking::pods_to_delete(store, filtered, &related, diff, now);
        self.expectations.expect_deletions(id, &victims, now);
        for pod in victims {
            let name = &store.pods[pod.index()].meta.name;
            let message = format!("Deleted pod: {name}");
            let (ns, rs_name) = (&rs.meta.namespace, &rs.meta.name);
            fx.event(Event::new(
                now,
                "ReplicaSet",
                ns,
                rs_name,
                "SuccessfulDelete",
                message,
            ));
            fx.write(Write::DeletePod {
                pod,
                grace_period_ms: None,
            });
        }
    }
}

/// `FilterActivePods` over the ReplicaSet's pods (`claimPods` adopts nothing in this model: every pod is
/// created with its controller reference): not terminal and not being deleted, in creation order.
pub fn active_pods(store: &Store, id: RsId) -> Vec<PodId> {
    store
        .pods_of_rs(id)
        .filter(|p| store.pods[p.index()].is_active())
        .collect()
}

/// The `diff` pods a scale-down of `id` deletes, in upstream's order (`getPodsToDelete` over the active pods,
/// ranked against the related pods of [`indirectly_related_pods`]).
pub fn pods_to_delete(store: &Store, id: RsId, diff: usize, now: SimTime) -> Vec<PodId> {
    let related = indirectly_related_pods(store, id);
    pod_ranking::pods_to_delete(store, &active_pods(store, id), &related, diff, now)
}

/// `getIndirectlyRelatedPods`: the pods (any state) in the namespace selected by any ReplicaSet with the same
/// controller as `id` (`getReplicaSetsWithSameController`, itself included), each once. A ReplicaSet without
/// a controller has none, so all its pods rank 0 on co-location.
pub fn indirectly_related_pods(store: &Store, id: RsId) -> Vec<PodId> {
    let rs = &store.replica_sets[id.index()];
    let Some(owner) = rs.meta.owner else {
        return Vec::new();
    };
    let candidates: Vec<RsId> = match owner {
        Owner::Deployment(d) => store.replica_sets_of(d).collect(),
        _ => (0..store.replica_sets.len() as u32).map(RsId).collect(),
    };
    let siblings = candidates
        .into_iter()
        .map(|other| &store.replica_sets[other.index()])
        .filter(|other| other.meta.exists() && other.meta.owner == Some(owner))
        .filter(|other| other.meta.namespace == rs.meta.namespace);
    let mut related = BTreeSet::new();
    for s in siblings {
        // The namespace's label index narrows the pods to those with the selector's rarest pair.
        let maybe = store.pods_maybe_labelled(&rs.meta.namespace, &s.selector);
        related.extend(maybe.into_iter().filter(|p| {
            let meta = &store.pods[p.index()].meta;
            meta.namespace == rs.meta.namespace && selector_matches(&s.selector, &meta.labels)
        }));
    }
    related.into_iter().collect()
}

//! The pod informer's handlers (kk:pkg/controller/replicaset/replica_set.go `addPod`, `updatePod`, `deletePod`).
//
// The store tells actors only that a pod changed; the controller keeps what its informer delivered before,
// so each change reads as the watch event it is: the first sight of a pod is its ADDED event, later ones are
// updates, and a pod with a deletionTimestamp or gone from the store goes through `deletePod`. Several writes
// between two notifications (a create and a delete in one step) are read as the events in their order: ADDED,
// then the deletion. Observations are recorded when the change is notified, the same instant the store
// shows it to the controller's syncs (the model has no separate informer cache that could lag behind).

use super::replica_set::ReplicaSetController;
use super::Requeue;
use crate::api::{Owner, Pod, PodId, RsId, Store};
use crate::engine::SimTime;

impl ReplicaSetController {
    /// Records what the notification of a change to `id` tells the expectations, as upstream's handlers
    /// would on receiving it at `at`. Returns `updatePod`'s delayed requeue (a pod of a ReplicaSet with
    /// minReadySeconds turned Ready: requeue after minReadySeconds + 1 s). The caller enqueues the owner
    /// itself (every handler does `queue.Add(rsKey)`).
    pub fn observe_pod(
        &mut self,
        store: &Store,
        id: PodId,
        at: SimTime,
    ) -> Option<(SimTime, Requeue)> {
        let pod = &store.pods[id.index()];
        let rs = resolve_controller_ref(store, pod)?;
        let was_ready = self.informer.insert(id, pod.ready);
        if was_ready.is_none() {
            // addPod: a pod with a ControllerRef is a creation observation.
            self.expectations.creation_observed(rs);
        }
        if pod.meta.deletion.is_some() || !pod.meta.exists() {
            // updatePod with a deletionTimestamp, or deletePod: DeletionObserved (counted once per pod).
            self.expectations.deletion_observed(rs, id);
            return None;
        }
        let min_ready_ms = store.replica_sets[rs.index()].min_ready_ms;
        // updatePod: "Add a second to avoid milliseconds skew in AddAfter."
        let became_ready = !was_ready.unwrap_or(false) && pod.ready;
        (became_ready && min_ready_ms > 0).then(|| (at.plus_ms(min_ready_ms + 1_000), Requeue(rs)))
    }
}

impl ReplicaSetController {
    /// A relist after a broken watch (client-go `DeltaFIFO.Replace`): the handlers see every pod
    /// the list returns (an add for one not seen before, else an update) and a delete for each
    /// pod held that the list lacks (`DeletedFinalStateUnknown`). Returns the delayed requeues.
    pub fn relist(&mut self, store: &Store, at: SimTime) -> Vec<(SimTime, Requeue)> {
        let held = self.informer.keys().copied();
        let pods: std::collections::BTreeSet<PodId> =
            held.chain(store.live_pods.iter().copied()).collect();
        pods.into_iter()
            .filter_map(|p| self.observe_pod(store, p, at))
            .collect()
    }
}

/// `resolveControllerRef`: the pod's controlling ReplicaSet, if it still exists.
fn resolve_controller_ref(store: &Store, pod: &Pod) -> Option<RsId> {
    match pod.meta.owner {
        Some(Owner::ReplicaSet(rs)) if store.replica_sets[rs.index()].meta.exists() => Some(rs),
        _ => None,
    }
}

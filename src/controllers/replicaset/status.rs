//! ReplicaSet status (kk:pkg/controller/replicaset/replica_set_utils.go `calculateStatus`, `updateReplicaSetStatus`).

use super::Requeue;
use crate::api::{Effects, PodId, ReplicaStatus, RsId, Store, Write};
use crate::engine::SimTime;

/// `calculateStatus`: counts of the active pods, of those Ready, and of those Ready for minReadySeconds
/// (`IsPodAvailable`); `observedGeneration` is the generation being synced. fullyLabeledReplicas and the
/// ReplicaFailure condition are not modelled (every pod carries its template's labels; creates never fail).
pub fn calculate_status(store: &Store, id: RsId, active: &[PodId], now: SimTime) -> ReplicaStatus {
    let rs = &store.replica_sets[id.index()];
    let pods = active.iter().map(|p| &store.pods[p.index()]);
    let ready = pods.clone().filter(|p| p.ready);
    ReplicaStatus {
        replicas: active.len() as u32,
        ready: ready.clone().count() as u32,
        available: ready
            .filter(|p| p.is_available(rs.min_ready_ms, now))
            .count() as u32,
        observed_generation: rs.meta.generation,
    }
}

/// `updateReplicaSetStatus`: writes the new status unless the counts are unchanged and the generation
/// already observed (the comparison of all fields, observedGeneration included, is exactly that).
/// Returns the status the ReplicaSet has afterwards.
pub fn update_replica_set_status(
    store: &Store,
    id: RsId,
    active: &[PodId],
    now: SimTime,
    fx: &mut Effects<Requeue>,
) -> ReplicaStatus {
    let status = calculate_status(store, id, active, now);
    if status != store.replica_sets[id.index()].status {
        fx.write(Write::SetReplicaSetStatus { rs: id, status });
    }
    status
}

//! The garbage collector (kk:pkg/controller/garbagecollector): deletes claims whose owner is gone.
//
// Only PersistentVolumeClaims have owner references the model's controllers leave to the collector
// (a StatefulSet's `persistentVolumeClaimRetentionPolicy`). Deletion is in the background, as the
// default propagation policy; the `kubernetes.io/pvc-protection` finalizer is not modelled: by the
// time an owner is gone, no pod mounts its claims any more (the owning pod itself has left).

use crate::api::{Effects, Owner, PvcId, Store, Write};

/// The collector has no timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoTimer;

/// True when `owner` has left the API server (`attemptToDeleteItem` finds it absent).
fn owner_gone(store: &Store, owner: Owner) -> bool {
    match owner {
        Owner::Pod(p) => !store.pods[p.index()].meta.exists(),
        Owner::StatefulSet(s) => !store.stateful_sets[s.index()].meta.exists(),
        Owner::ReplicaSet(r) => !store.replica_sets[r.index()].meta.exists(),
        Owner::Deployment(d) => !store.deployments[d.index()].meta.exists(),
        Owner::DaemonSet(d) => !store.daemon_sets[d.index()].meta.exists(),
        Owner::Job(j) => !store.jobs[j.index()].meta.exists(),
    }
}

/// `attemptToDeleteItem` for one claim: delete it when its owner is gone.
pub fn sync_claim(store: &Store, id: PvcId) -> Effects<NoTimer> {
    let mut fx = Effects::default();
    let claim = &store.claims[id.index()];
    let dangling = claim.meta.owner.is_some_and(|o| owner_gone(store, o));
    if claim.meta.exists() && claim.meta.deletion.is_none() && dangling {
        fx.write(Write::DeleteClaim { claim: id });
    }
    fx
}

/// The claims that name `owner` (the graph builder's dependents of an object that went away).
pub fn claims_owned_by(store: &Store, owner: Owner) -> Vec<PvcId> {
    (0..store.claims.len() as u32)
        .map(PvcId)
        .filter(|c| {
            let claim = &store.claims[c.index()];
            claim.meta.exists() && claim.meta.owner == Some(owner)
        })
        .collect()
}

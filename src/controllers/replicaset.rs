//! The ReplicaSet controller (kk:pkg/controller/replicaset/replica_set.go): keeps `replicas` active pods.

use crate::api::{Effects, Event, Owner, Pod, PodId, ReplicaStatus, RsId, Store, Write};
use crate::engine::SimTime;

/// Most pods created or deleted in one sync (`BurstReplicas = 500`, replica_set.go).
pub const BURST_REPLICAS: usize = 500;

/// A ReplicaSet sync's timer: requeue the set (minReadySeconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requeue(pub RsId);

/// `syncReplicaSet`: create or delete pods toward `spec.replicas`, then update status.
pub fn sync(store: &Store, id: RsId, now: SimTime) -> Effects<Requeue> {
    let mut fx = Effects::default();
    let rs = &store.replica_sets[id.index()];
    if !rs.meta.exists() {
        return fx;
    }
    // FilterActivePods: terminating and terminal pods do not count, so they are replaced at once.
    let active: Vec<PodId> = store
        .pods_of_rs(id)
        .filter(|p| store.pods[p.index()].is_active())
        .collect();
    let diff = active.len() as i64 - i64::from(rs.replicas);
    if diff < 0 {
        let n = (-diff as usize).min(BURST_REPLICAS);
        for _ in 0..n {
            fx.write(Write::CreatePod {
                namespace: rs.meta.namespace.clone(),
                generate_name: format!("{}-", rs.meta.name),
                owner: Owner::ReplicaSet(id),
                template: rs.template.clone(),
            });
        }
    } else if diff > 0 {
        let victims = pods_to_delete(store, &active, (diff as usize).min(BURST_REPLICAS), now);
        for pod in victims {
            let name = &store.pods[pod.index()].meta.name;
            fx.event(Event::new(
                now,
                "ReplicaSet",
                &rs.meta.namespace,
                &rs.meta.name,
                "SuccessfulDelete",
                format!("Deleted pod: {name}"),
            ));
            fx.write(Write::DeletePod {
                pod,
                grace_period_ms: None,
            });
        }
    }
    update_status(store, id, &active, now, &mut fx);
    fx
}

fn update_status(
    store: &Store,
    id: RsId,
    active: &[PodId],
    now: SimTime,
    fx: &mut Effects<Requeue>,
) {
    let rs = &store.replica_sets[id.index()];
    let pods = active.iter().map(|p| &store.pods[p.index()]);
    let status = ReplicaStatus {
        replicas: active.len() as u32,
        ready: pods.clone().filter(|p| p.ready).count() as u32,
        available: pods
            .clone()
            .filter(|p| p.is_available(rs.min_ready_ms, now))
            .count() as u32,
        observed_generation: rs.meta.generation,
    };
    if status != rs.status {
        fx.write(Write::SetReplicaSetStatus { rs: id, status });
    }
    // A pod that is ready but not yet available: requeue after minReadySeconds + 1 s (replica_set.go updatePod).
    if rs.min_ready_ms > 0 && status.ready > status.available {
        fx.timer(now.plus_ms(rs.min_ready_ms + 1_000), Requeue(id));
    }
}

/// `getPodsToDelete`: the `n` pods ranked first by `ActivePodsWithRanks.Less` (kk:pkg/controller/controller_utils.go):
/// unassigned before assigned, pending before running, not ready before ready, ready for less time first,
/// more restarts first, newer first.
pub fn pods_to_delete(store: &Store, pods: &[PodId], n: usize, now: SimTime) -> Vec<PodId> {
    let mut ranked: Vec<PodId> = pods.to_vec();
    ranked.sort_by_key(|p| rank_key(&store.pods[p.index()], *p, now));
    ranked.truncate(n);
    ranked
}

fn rank_key(
    pod: &Pod,
    id: PodId,
    now: SimTime,
) -> (
    bool,
    u8,
    bool,
    u64,
    std::cmp::Reverse<u32>,
    std::cmp::Reverse<SimTime>,
    PodId,
) {
    let phase = match pod.phase {
        crate::api::PodPhase::Pending => 0,
        crate::api::PodPhase::Running => 2,
        _ => 1,
    };
    let ready_for_ms = pod.ready_since.map_or(0, |t| now.since_ms(t));
    (
        pod.node.is_some(),
        phase,
        pod.ready,
        ready_for_ms,
        std::cmp::Reverse(pod.restarts),
        std::cmp::Reverse(pod.meta.created),
        id,
    )
}

//! The Deployment controller (kk:pkg/controller/deployment): owns one ReplicaSet per pod template.
//!
//! This module creates the ReplicaSet for the current template (named `<deployment>-<pod-template-hash>`),
//! keeps it at `spec.replicas` and mirrors status. Rolling updates, Recreate, history and rollback are
//! built on it in the rollout work (issue 5); until then a changed template scales older sets to zero.

pub mod progress;
pub mod recreate;
pub mod rolling;
pub mod sync;
pub mod util;

use crate::api::{DeployId, Effects, Event, Owner, ReplicaSet, ReplicaStatus, RsId, Store, Write};
use crate::engine::{rng::fnv1a, SimTime};

/// The Deployment controller has no timers yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoTimer;

/// The label a ReplicaSet and its pods carry (`DefaultDeploymentUniqueLabelKey`).
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// `syncDeployment` for the steady state: one ReplicaSet at `replicas`.
pub fn sync(store: &Store, id: DeployId, now: SimTime) -> Effects<NoTimer> {
    let mut fx = Effects::default();
    let d = &store.deployments[id.index()];
    if !d.meta.exists() {
        return fx;
    }
    let hash = template_hash(d);
    let owned: Vec<RsId> = owned_sets(store, id);
    let current = owned.iter().copied().find(|rs| {
        store.replica_sets[rs.index()]
            .template
            .labels
            .get(POD_TEMPLATE_HASH)
            == Some(&hash)
    });
    match current {
        None => {
            let rs = new_replica_set(store, id, &hash, now);
            fx.event(Event::new(
                now,
                "Deployment",
                &d.meta.namespace,
                &d.meta.name,
                "ScalingReplicaSet",
                format!(
                    "Scaled up replica set {} from 0 to {}",
                    rs.meta.name, d.replicas
                ),
            ));
            fx.write(Write::CreateReplicaSet { rs: Box::new(rs) });
        }
        Some(rs) if store.replica_sets[rs.index()].replicas != d.replicas => {
            fx.write(Write::ScaleReplicaSet {
                rs,
                replicas: d.replicas,
            });
        }
        Some(_) => {}
    }
    for old in owned.iter().filter(|rs| Some(**rs) != current) {
        if store.replica_sets[old.index()].replicas > 0 {
            fx.write(Write::ScaleReplicaSet {
                rs: *old,
                replicas: 0,
            });
        }
    }
    let status = owned.iter().fold(ReplicaStatus::default(), |acc, rs| {
        let s = store.replica_sets[rs.index()].status;
        ReplicaStatus {
            replicas: acc.replicas + s.replicas,
            ready: acc.ready + s.ready,
            available: acc.available + s.available,
        }
    });
    if status != d.status {
        fx.write(Write::SetDeploymentStatus {
            deployment: id,
            status,
        });
    }
    fx
}

fn owned_sets(store: &Store, id: DeployId) -> Vec<RsId> {
    (0..store.replica_sets.len() as u32)
        .map(RsId)
        .filter(|rs| {
            let rs = &store.replica_sets[rs.index()];
            rs.meta.exists() && rs.meta.owner == Some(Owner::Deployment(id))
        })
        .collect()
}

/// `ComputeHash` of the pod template, encoded with the alphabet of `rand.SafeEncodeString`
/// (kk:pkg/controller/controller_utils.go): a stable 32-bit FNV hash of the template.
pub fn template_hash(d: &crate::api::Deployment) -> String {
    const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = fnv1a(format!("{:?}", d.template).as_bytes()) as u32;
    let mut out = String::new();
    for _ in 0..10 {
        out.push(SAFE[(h % SAFE.len() as u32) as usize] as char);
        h /= SAFE.len() as u32;
        if h == 0 {
            break;
        }
    }
    out
}

fn new_replica_set(store: &Store, id: DeployId, hash: &str, now: SimTime) -> ReplicaSet {
    let d = &store.deployments[id.index()];
    let mut template = d.template.clone();
    template
        .labels
        .insert(POD_TEMPLATE_HASH.into(), hash.into());
    let mut selector = d.selector.clone();
    selector.insert(POD_TEMPLATE_HASH.into(), hash.into());
    let mut meta = d.meta.clone();
    meta.name = format!("{}-{}", d.meta.name, hash);
    meta.labels = template.labels.clone();
    meta.owner = Some(Owner::Deployment(id));
    meta.created = now;
    meta.annotations
        .insert("deployment.kubernetes.io/revision".into(), "1".into());
    ReplicaSet {
        meta,
        replicas: d.replicas,
        selector,
        template,
        min_ready_ms: d.min_ready_ms,
        status: ReplicaStatus::default(),
    }
}

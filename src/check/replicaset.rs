//! ReplicaSets and Deployments: a ReplicaSet never creates a pod beyond `spec.replicas` active pods
//! (kk:pkg/controller/replicaset/replica_set.go `manageReplicas`, guarded by the expectations of
//! kk:pkg/controller/controller_utils.go while its notifications are younger than
//! `ExpectationsTimeout`, 5 min); a Deployment never sizes its ReplicaSets beyond
//! replicas + maxSurge (kk:pkg/controller/deployment/util/deployment_util.go `NewRSNewReplicas`).

use super::persist::Persisting;
use super::{Checker, Findings, Invariant};
use crate::api::{DeployId, Owner, RsId, Store};
use crate::controllers::deployment::util::{max_surge, DeploymentView};
use crate::engine::SimTime;
use crate::sim::WorldView;

/// Why a ReplicaSet that just created a pod has too many, if it has: `active` pods (not terminal,
/// not terminating) against `replicas`.
pub fn over_replicas(active: usize, replicas: u32) -> Option<String> {
    (active > replicas as usize).then(|| {
        format!("created a pod while {active} active pods exceed spec.replicas {replicas}")
    })
}

/// Why a Deployment's ReplicaSets are too big, if they are: the sum of their `spec.replicas`
/// against the Deployment's replicas + maxSurge.
pub fn over_surge(sum: u64, replicas: u32, surge: i32) -> Option<String> {
    let bound = i64::from(replicas) + i64::from(surge.max(0));
    (sum as i64 > bound).then(|| {
        format!(
            "its ReplicaSets hold {sum} replicas, more than replicas {replicas} + maxSurge {surge}"
        )
    })
}

/// Judges each ReplicaSet when it creates pods, and each Deployment after its controller scales.
#[derive(Debug)]
pub struct ReplicaChecker {
    surge: Persisting<DeployId>,
    /// The ReplicaSet bound is not judged (a watch lag beyond the expectations timeout).
    skip_replicas: bool,
}

impl ReplicaChecker {
    /// With the scenario's allowances for stale Deployment and ReplicaSet controllers.
    pub fn new(a: &super::Allowances) -> Self {
        ReplicaChecker {
            // A scale of the Deployment by a person is followed, at the same instant, by its sync.
            surge: Persisting::after_ms(a.deployment_lag_ms + a.watch_latency_ms * 2),
            skip_replicas: a.expectations_may_expire,
        }
    }
}

impl Checker for ReplicaChecker {
    fn observe(&mut self, view: &WorldView<'_>, now: SimTime, findings: &mut Findings) {
        let store = view.store;
        let mut creators: Vec<RsId> = (view.new_events.iter())
            .filter(|e| e.kind == "ReplicaSet" && e.reason == "SuccessfulCreate")
            .filter_map(|e| replica_set(store, &e.namespace, &e.name))
            .collect();
        creators.dedup();
        if self.skip_replicas {
            creators.clear();
        }
        for rs in creators {
            findings.judged(Invariant::ReplicaSetReplicas, 1);
            let r = &store.replica_sets[rs.index()];
            let active = store
                .pods_of_rs(rs)
                .filter(|p| store.pods[p.index()].is_active());
            if let Some(detail) = over_replicas(active.count(), r.replicas) {
                let object = format!("ReplicaSet {}/{}", r.meta.namespace, r.meta.name);
                findings.violate(now, Invariant::ReplicaSetReplicas, object, detail);
            }
        }
        self.check_surge(store, now, findings);
    }
}

impl ReplicaChecker {
    fn check_surge(&mut self, store: &Store, now: SimTime, findings: &mut Findings) {
        let live = store
            .deployments
            .iter()
            .enumerate()
            .filter(|(_, d)| d.meta.exists());
        let mut bad = Vec::new();
        for (i, d) in live {
            findings.judged(Invariant::DeploymentBounds, 1);
            let id = DeployId(i as u32);
            if over_surge(rs_sum(store, id), d.replicas, surge_of(store, id)).is_some() {
                bad.push(id);
            }
        }
        for id in self.surge.update(bad, now) {
            let d = &store.deployments[id.index()];
            let detail = over_surge(rs_sum(store, id), d.replicas, surge_of(store, id));
            let object = format!("Deployment {}/{}", d.meta.namespace, d.meta.name);
            findings.violate(
                now,
                Invariant::DeploymentBounds,
                object,
                detail.unwrap_or_default(),
            );
        }
    }
}

fn surge_of(store: &Store, id: DeployId) -> i32 {
    max_surge(&DeploymentView::of(&store.deployments[id.index()]))
}

/// The sum of `spec.replicas` over the Deployment's live ReplicaSets.
fn rs_sum(store: &Store, id: DeployId) -> u64 {
    (store.replica_sets.iter())
        .filter(|r| r.meta.exists() && r.meta.owner == Some(Owner::Deployment(id)))
        .map(|r| u64::from(r.replicas))
        .sum()
}

fn replica_set(store: &Store, namespace: &str, name: &str) -> Option<RsId> {
    let i = store
        .replica_sets
        .iter()
        .position(|r| r.meta.exists() && r.meta.name == name && r.meta.namespace == namespace)?;
    Some(RsId(i as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creating_up_to_replicas_is_right_and_beyond_is_wrong() {
        assert_eq!(over_replicas(3, 3), None);
        assert!(over_replicas(4, 3).is_some());
    }

    #[test]
    fn replica_sets_may_surge_by_max_surge_and_no_more() {
        assert_eq!(over_surge(4, 3, 1), None);
        assert!(over_surge(5, 3, 1).is_some());
        assert!(over_surge(4, 3, 0).is_some(), "Recreate has no surge");
    }
}

//! ReplicaSets and Deployments: a ReplicaSet never creates a pod beyond `spec.replicas` active pods
//! (kk:pkg/controller/replicaset/replica_set.go `manageReplicas`, guarded by the expectations of
//! kk:pkg/controller/controller_utils.go while its notifications are younger than
//! `ExpectationsTimeout`, 5 min); a Deployment never sizes its ReplicaSets beyond
//! replicas + maxSurge (kk:pkg/controller/deployment/util/deployment_util.go `NewRSNewReplicas`).

use super::allowances::{stale_windows, StaleWindow};
use super::persist::Persisting;
use super::{Checker, Delta, Findings, Invariant};
use crate::api::{DeployId, Owner, RsId, Store};
use crate::controllers::deployment::util::{max_surge, DeploymentView};
use crate::engine::SimTime;
use crate::scenario::{Controller, Scenario, WatchedResource};
use crate::sim::WorldView;
use std::collections::{BTreeMap, BTreeSet};

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

/// Judges each ReplicaSet when it creates pods, and each Deployment after it or one of its
/// ReplicaSets changed.
#[derive(Debug)]
pub struct ReplicaChecker {
    surge: Persisting<DeployId>,
    /// The ReplicaSet bound is not judged (a watch lag beyond the expectations timeout).
    skip_replicas: bool,
    /// Every ReplicaSet ever seen, by (namespace, name).
    rs_by_name: BTreeMap<(String, String), BTreeSet<RsId>>,
    /// The Deployment owning each ReplicaSet, as last read.
    owner_of: BTreeMap<RsId, DeployId>,
    rs_of: BTreeMap<DeployId, BTreeSet<RsId>>,
    /// Deployments whose ReplicaSets are too big now.
    over_now: BTreeSet<DeployId>,
    /// When the ReplicaSet controller reads ReplicaSets from a lagging cache (`delay-watch` of all
    /// its informers): it then sizes a set by a `spec.replicas` that may have changed since.
    spec_stale: Vec<StaleWindow>,
    /// While some window is set: each ReplicaSet's `spec.replicas` since when, oldest first.
    replicas_since: BTreeMap<RsId, Vec<(SimTime, u32)>>,
}

impl ReplicaChecker {
    /// With the scenario's allowances for stale Deployment and ReplicaSet controllers.
    pub fn new(scenario: &Scenario, a: &super::Allowances) -> Self {
        let mut spec_stale = stale_windows(scenario, Controller::ReplicaSet);
        spec_stale.retain(|w| w.resource == WatchedResource::All);
        ReplicaChecker {
            spec_stale,
            replicas_since: BTreeMap::new(),
            // A scale of the Deployment by a person is followed, at the same instant, by its sync.
            surge: Persisting::after_ms(a.deployment_lag_ms + a.watch_latency_ms * 2),
            skip_replicas: a.expectations_may_expire,
            rs_by_name: BTreeMap::new(),
            owner_of: BTreeMap::new(),
            rs_of: BTreeMap::new(),
            over_now: BTreeSet::new(),
        }
    }
}

impl Checker for ReplicaChecker {
    fn observe(
        &mut self,
        view: &WorldView<'_>,
        delta: &Delta,
        now: SimTime,
        findings: &mut Findings,
    ) {
        let store = view.store;
        let deployments = self.reindex(store, delta);
        self.record_replicas(store, delta, now);
        let mut creators: Vec<RsId> = (view.new_events.iter())
            .filter(|e| e.kind == "ReplicaSet" && e.reason == "SuccessfulCreate")
            .filter_map(|e| self.replica_set(store, &e.namespace, &e.name))
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
            let replicas = self.replicas_bound(rs, r.replicas, now);
            if let Some(detail) = over_replicas(active.count(), replicas) {
                let object = format!("ReplicaSet {}/{}", r.meta.namespace, r.meta.name);
                findings.violate(now, Invariant::ReplicaSetReplicas, object, detail);
            }
        }
        self.check_surge(store, deployments, now, findings);
    }
}

impl ReplicaChecker {
    /// Re-reads the names and owners of the ReplicaSets the event changed; returns the Deployments
    /// to judge again (those it changed, and the owners, old and new, of those ReplicaSets).
    fn reindex(&mut self, store: &Store, delta: &Delta) -> BTreeSet<DeployId> {
        let mut deployments: BTreeSet<DeployId> = delta.deployments.iter().copied().collect();
        for rs in delta.replica_sets.iter().copied() {
            let r = &store.replica_sets[rs.index()];
            let key = (r.meta.namespace.clone(), r.meta.name.clone());
            self.rs_by_name.entry(key).or_default().insert(rs);
            if let Some(old) = self.owner_of.remove(&rs) {
                self.rs_of.entry(old).or_default().remove(&rs);
                deployments.insert(old);
            }
            if let Some(Owner::Deployment(d)) = r.meta.owner {
                self.owner_of.insert(rs, d);
                self.rs_of.entry(d).or_default().insert(rs);
                deployments.insert(d);
            }
        }
        deployments
    }

    /// Keeps the `spec.replicas` of the ReplicaSets the event changed, if a lagging cache may have
    /// read an older one.
    fn record_replicas(&mut self, store: &Store, delta: &Delta, now: SimTime) {
        if self.spec_stale.is_empty() {
            return;
        }
        let lag_ms = self.spec_stale.iter().map(|w| w.lag_ms).max().unwrap_or(0);
        let horizon = SimTime(now.as_ms().saturating_sub(lag_ms));
        for rs in delta.replica_sets.iter().copied() {
            let replicas = store.replica_sets[rs.index()].replicas;
            let since = self.replicas_since.entry(rs).or_default();
            if since.last().is_none_or(|(_, r)| *r != replicas) {
                since.push((now, replicas));
            }
            // Older values than the one held at the horizon can no longer be read.
            let first = since.iter().rposition(|(t, _)| *t <= horizon).unwrap_or(0);
            since.drain(..first);
        }
    }

    /// The largest `spec.replicas` of `rs` (`live` now) the ReplicaSet controller may have read at
    /// `now`: while its whole cache lags, any value it held within the lag, as upstream's
    /// `manageReplicas` sizes the set from its lister's copy
    /// (kk:pkg/controller/replicaset/replica_set.go `syncReplicaSet`).
    fn replicas_bound(&self, rs: RsId, live: u32, now: SimTime) -> u32 {
        let windows = self.spec_stale.iter().filter(|w| w.covers(now));
        let Some(lag_ms) = windows.map(|w| w.lag_ms).max() else {
            return live;
        };
        let horizon = SimTime(now.as_ms().saturating_sub(lag_ms));
        let since = self.replicas_since.get(&rs).map_or(&[][..], Vec::as_slice);
        // The value held at the horizon (the last set at or before it) and every later one.
        let first = since.iter().rposition(|(t, _)| *t <= horizon).unwrap_or(0);
        since[first..].iter().map(|(_, r)| *r).fold(live, u32::max)
    }

    /// The first live ReplicaSet called `namespace/name`.
    fn replica_set(&self, store: &Store, namespace: &str, name: &str) -> Option<RsId> {
        let key = (namespace.to_string(), name.to_string());
        let ids = self.rs_by_name.get(&key)?;
        ids.iter()
            .copied()
            .find(|r| store.replica_sets[r.index()].meta.exists())
    }

    fn check_surge(
        &mut self,
        store: &Store,
        deployments: BTreeSet<DeployId>,
        now: SimTime,
        findings: &mut Findings,
    ) {
        for id in deployments {
            self.over_now.remove(&id);
            let d = &store.deployments[id.index()];
            if !d.meta.exists() {
                continue;
            }
            findings.judged(Invariant::DeploymentBounds, 1);
            if over_surge(self.rs_sum(store, id), d.replicas, surge_of(store, id)).is_some() {
                self.over_now.insert(id);
            }
        }
        for id in self.surge.update(self.over_now.iter().copied(), now) {
            let d = &store.deployments[id.index()];
            let detail = over_surge(self.rs_sum(store, id), d.replicas, surge_of(store, id));
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

impl ReplicaChecker {
    /// The sum of `spec.replicas` over the Deployment's live ReplicaSets.
    fn rs_sum(&self, store: &Store, id: DeployId) -> u64 {
        let rss = self.rs_of.get(&id).into_iter().flatten();
        rss.map(|r| &store.replica_sets[r.index()])
            .filter(|r| r.meta.exists())
            .map(|r| u64::from(r.replicas))
            .sum()
    }
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
    fn a_lagging_replicaset_cache_may_size_a_set_by_a_replicas_value_of_its_lag() {
        let text = "name: t\nduration: 5m\nfaults:\n  - {at: 10s, delay-watch: {controller: replicaset, by: 7s, for: 60s}}\n";
        let s = crate::scenario::load_str(text, std::path::Path::new("t.yaml")).unwrap();
        let mut c = ReplicaChecker::new(&s, &super::super::Allowances::of(&s));
        let rs = RsId(0);
        c.replicas_since
            .insert(rs, vec![(SimTime(20_000), 4), (SimTime(25_000), 0)]);
        assert_eq!(
            c.replicas_bound(rs, 0, SimTime(27_000)),
            4,
            "4 was held 7 s ago"
        );
        assert_eq!(
            c.replicas_bound(rs, 0, SimTime(40_000)),
            0,
            "the lag has passed"
        );
        assert_eq!(
            c.replicas_bound(rs, 0, SimTime(5_000)),
            0,
            "no lag before the fault"
        );
    }

    #[test]
    fn replica_sets_may_surge_by_max_surge_and_no_more() {
        assert_eq!(over_surge(4, 3, 1), None);
        assert!(over_surge(5, 3, 1).is_some());
        assert!(over_surge(4, 3, 0).is_some(), "Recreate has no surge");
    }
}

//! The liveness checker's view of the world within the quiet tail, kept up to date from each
//! event's changes: which live pods are active but not Ready, and each workload's problem; only
//! the workloads an event touched (themselves, a ReplicaSet or a pod of theirs) are judged again.

use super::liveness::{deployment_problem, judge};
use super::Delta;
use crate::api::{DeployId, Owner, PodId, RsId, Store, StsId};
use std::collections::{BTreeMap, BTreeSet};

/// A workload, ordered as the problems are listed: ReplicaSets, StatefulSets, Deployments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Workload {
    ReplicaSet(RsId),
    StatefulSet(StsId),
    Deployment(DeployId),
}

/// Live, active pods not Ready; workloads' problems; the owners last seen of pods and ReplicaSets.
#[derive(Debug, Default)]
pub struct LiveIndex {
    not_ready: BTreeSet<PodId>,
    problems: BTreeMap<Workload, (String, String)>,
    pod_owner: BTreeMap<PodId, Owner>,
    rs_owner: BTreeMap<RsId, DeployId>,
    /// The ReplicaSets of each Deployment, by their owner last seen.
    rs_of: BTreeMap<DeployId, BTreeSet<RsId>>,
}

impl LiveIndex {
    /// Brings the index up to date with what `delta` changed.
    pub fn update(&mut self, store: &Store, delta: &Delta) {
        let mut touched = BTreeSet::new();
        for pod in delta.pods.iter().copied() {
            self.repod(store, pod, &mut touched);
        }
        for rs in delta.replica_sets.iter().copied() {
            self.rs_touched(store, rs, &mut touched);
        }
        touched.extend(
            delta
                .stateful_sets
                .iter()
                .map(|s| Workload::StatefulSet(*s)),
        );
        touched.extend(delta.deployments.iter().map(|d| Workload::Deployment(*d)));
        for w in touched {
            self.judge(store, w);
        }
    }

    /// Every workload's problem, in order, and whether every live active pod is Ready.
    pub fn problems(&self) -> (Vec<(String, String)>, bool) {
        (
            self.problems.values().cloned().collect(),
            self.not_ready.is_empty(),
        )
    }

    fn repod(&mut self, store: &Store, pod: PodId, touched: &mut BTreeSet<Workload>) {
        let p = &store.pods[pod.index()];
        if store.live_pods.contains(&pod) && p.is_active() && !p.ready {
            self.not_ready.insert(pod);
        } else {
            self.not_ready.remove(&pod);
        }
        let owners = self.pod_owner.remove(&pod).into_iter().chain(p.meta.owner);
        for owner in owners.collect::<Vec<_>>() {
            match owner {
                Owner::ReplicaSet(rs) => self.rs_touched(store, rs, touched),
                Owner::StatefulSet(s) => {
                    touched.insert(Workload::StatefulSet(s));
                }
                _ => {}
            }
        }
        if let Some(owner) = p.meta.owner {
            self.pod_owner.insert(pod, owner);
        }
    }

    /// Marks `rs` and its Deployments, as last seen and now, to judge again.
    fn rs_touched(&mut self, store: &Store, rs: RsId, touched: &mut BTreeSet<Workload>) {
        touched.insert(Workload::ReplicaSet(rs));
        if let Some(d) = self.rs_owner.remove(&rs) {
            self.rs_of.entry(d).or_default().remove(&rs);
            touched.insert(Workload::Deployment(d));
        }
        if let Some(Owner::Deployment(d)) = store.replica_sets[rs.index()].meta.owner {
            self.rs_owner.insert(rs, d);
            self.rs_of.entry(d).or_default().insert(rs);
            touched.insert(Workload::Deployment(d));
        }
    }

    fn judge(&mut self, store: &Store, w: Workload) {
        self.problems.remove(&w);
        let rss: Vec<RsId> = match w {
            Workload::Deployment(d) => self.rs_of.get(&d).into_iter().flatten().copied().collect(),
            _ => Vec::new(),
        };
        if let Some(problem) = problem(store, w, &rss) {
            self.problems.insert(w, problem);
        }
    }
}

/// The problem of workload `w`, as (object, detail), if it has converged wrongly.
fn problem(store: &Store, w: Workload, rss: &[RsId]) -> Option<(String, String)> {
    match w {
        Workload::ReplicaSet(id) => {
            let rs = &store.replica_sets[id.index()];
            if !rs.meta.exists() {
                return None;
            }
            let pods: Vec<PodId> = store.pods_of_rs(id).collect();
            let status = (rs.status.replicas, rs.status.ready);
            let p = judge(store, &pods, rs.replicas, status)?;
            Some((
                format!("ReplicaSet {}/{}", rs.meta.namespace, rs.meta.name),
                p,
            ))
        }
        Workload::StatefulSet(id) => {
            let set = &store.stateful_sets[id.index()];
            if !set.meta.exists() || set.meta.deletion.is_some() {
                return None;
            }
            let pods: Vec<PodId> = store.pods_of_sts(id).collect();
            let status = (set.status.replicas, set.status.ready);
            let p = judge(store, &pods, set.replicas, status)?;
            Some((
                format!("StatefulSet {}/{}", set.meta.namespace, set.meta.name),
                p,
            ))
        }
        Workload::Deployment(id) => {
            let d = &store.deployments[id.index()];
            if !d.meta.exists() || d.paused {
                return None;
            }
            let p = deployment_problem(store, rss, d, Owner::Deployment(id))?;
            Some((
                format!("Deployment {}/{}", d.meta.namespace, d.meta.name),
                p,
            ))
        }
    }
}

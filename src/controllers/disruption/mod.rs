//! The disruption controller (kk:pkg/controller/disruption/disruption.go): keeps each
//! PodDisruptionBudget's status (expected pods, desired and current healthy, disruptions allowed) as
//! the pods it selects change, and `disruptedPods`, the pods the Eviction API (`api::eviction`) has
//! let go and that must not count as healthy until they are deleted (or 2 minutes pass).

pub mod status;

#[cfg(test)]
mod tests;

use crate::api::{
    DeployId, Effects, Event, Owner, Pdb, PdbId, PdbStatus, PodId, RsId, Store, StsId, Write,
};
use crate::engine::SimTime;
use status::{Controller, PodFacts};
use std::collections::BTreeMap;

/// A controller that has a scale (`controllerAndScale`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScaleOwner {
    Deployment(DeployId),
    ReplicaSet(RsId),
    StatefulSet(StsId),
}

/// `sync` / `trySync`: the budget's status from its pods, written when it changed; a failure to
/// find a pod's controller leaves no disruption allowed (`failSafe`). A timer `((), at)` asks for
/// the budget to be synced again at `at`, when an entry of `disruptedPods` expires
/// (`enqueuePdbForRecheck`).
pub fn sync(store: &Store, id: PdbId, now: SimTime) -> Effects<()> {
    let mut fx = Effects::default();
    let pdb = &store.pdbs[id.index()];
    if !pdb.meta.exists() {
        return fx;
    }
    let pods = pods_for(store, pdb);
    let disrupted = disrupted_pods(store, pdb, &pods, now, &mut fx);
    let facts: Vec<PodFacts<ScaleOwner>> = pods
        .iter()
        .map(|p| pod_facts(store, *p, &disrupted, now))
        .collect();
    if facts.is_empty() {
        fx.event(pdb_event(
            now,
            pdb,
            "NoPods",
            "No matching pods found".into(),
        ));
    }
    let next = match status::expected_pod_count(pdb.budget, &facts) {
        Ok((expected, desired, unmanaged)) => {
            if unmanaged > 0 {
                fx.event(pdb_event(now, pdb, "UnmanagedPods", unmanaged_message(pdb)));
            }
            let current = status::count_healthy(&facts);
            let allowed = status::disruptions_allowed(current, desired, expected);
            PdbStatus {
                current_healthy: current,
                desired_healthy: desired,
                expected_pods: expected,
                disruptions_allowed: allowed,
                observed_generation: pdb.meta.generation,
                condition: Some(if allowed > 0 {
                    "SufficientPods"
                } else {
                    "InsufficientPods"
                }),
                disrupted_pods: disrupted,
            }
        }
        Err(e) => {
            let msg = format!("Failed to calculate the number of expected pods: {e}");
            fx.event(pdb_event(now, pdb, "CalculateExpectedPodCountFailed", msg));
            PdbStatus {
                disruptions_allowed: 0,
                condition: Some("SyncFailed"),
                ..pdb.status.clone()
            }
        }
    };
    if next != pdb.status {
        fx.write(Write::SetPdbStatus {
            pdb: id,
            status: next,
        });
    }
    fx
}

/// `buildDisruptedPodMap` over the budget's pods: the entries still expected to be deleted; a recheck
/// timer at the earliest expiry and a `NotDeleted` Warning for each overdue pod go into `fx`.
fn disrupted_pods(
    store: &Store,
    pdb: &Pdb,
    pods: &[PodId],
    now: SimTime,
    fx: &mut Effects<()>,
) -> BTreeMap<String, SimTime> {
    let seen: Vec<status::Disrupted> = pods
        .iter()
        .map(|p| {
            let meta = &store.pods[p.index()].meta;
            status::Disrupted {
                name: &meta.name,
                deleting: meta.deletion.is_some(),
                evicted: pdb.status.disrupted_pods.get(&meta.name).copied(),
            }
        })
        .collect();
    let (kept, recheck, overdue) = status::disrupted_pod_map(&seen, now);
    if let Some(at) = recheck {
        fx.timer(at, ());
    }
    for name in overdue {
        let (ns, key) = (&pdb.meta.namespace, pdb.meta.key());
        let msg = format!("Pod was expected by PDB {key} to be deleted but it wasn't");
        fx.event(Event::new(now, "Pod", ns, name, "NotDeleted", msg));
    }
    kept
}

/// `getPodsForPdb`: the pods of its namespace its selector selects (none without a selector).
pub fn pods_for(store: &Store, pdb: &Pdb) -> Vec<PodId> {
    let Some(sel) = &pdb.selector else {
        return Vec::new();
    };
    store
        .live_pods
        .iter()
        .copied()
        .filter(|p| {
            let pod = &store.pods[p.index()];
            pod.meta.namespace == pdb.meta.namespace && sel.matches(&pod.meta.labels)
        })
        .collect()
}

/// The budgets that select `pod` (`getPdbForPod` enqueues the first; all are synced here).
pub fn pdbs_for_pod(store: &Store, pod: PodId) -> Vec<PdbId> {
    let p = &store.pods[pod.index()];
    (0..store.pdbs.len() as u32)
        .map(PdbId)
        .filter(|id| {
            let pdb = &store.pdbs[id.index()];
            pdb.meta.exists()
                && pdb.meta.namespace == p.meta.namespace
                && pdb
                    .selector
                    .as_ref()
                    .is_some_and(|s| s.matches(&p.meta.labels))
        })
        .collect()
}

/// What the controller counts of a pod: healthy is `countHealthyPods`' test (ready, not being
/// deleted, not in `disruptedPods` within `DeletionTimeout`).
fn pod_facts(
    store: &Store,
    id: PodId,
    disrupted: &BTreeMap<String, SimTime>,
    now: SimTime,
) -> PodFacts<ScaleOwner> {
    let p = &store.pods[id.index()];
    let evicted = disrupted.get(&p.meta.name).copied();
    PodFacts {
        name: p.meta.name.clone(),
        healthy: p.ready && p.meta.deletion.is_none() && !status::recently_disrupted(evicted, now),
        controller: match p.meta.owner {
            None => Controller::None,
            Some(owner) => controller_scale(store, owner),
        },
    }
}

/// The finders: a ReplicaSet's Deployment if it has one (`getPodDeployment`), else the ReplicaSet
/// (`getPodReplicaSet`), or the StatefulSet (`getPodStatefulSet`), with `spec.replicas`.
fn controller_scale(store: &Store, owner: Owner) -> Controller<ScaleOwner> {
    let scaled = |k, n: u32| Controller::Scaled(k, n as i32);
    match owner {
        Owner::ReplicaSet(rs) => {
            let set = &store.replica_sets[rs.index()];
            match set.meta.owner {
                _ if !set.meta.exists() => Controller::Unknown,
                Some(Owner::Deployment(d)) => {
                    let dep = &store.deployments[d.index()];
                    match dep.meta.exists() {
                        true => scaled(ScaleOwner::Deployment(d), dep.replicas),
                        false => Controller::Unknown,
                    }
                }
                _ => scaled(ScaleOwner::ReplicaSet(rs), set.replicas),
            }
        }
        Owner::StatefulSet(s) => {
            let set = &store.stateful_sets[s.index()];
            match set.meta.exists() {
                true => scaled(ScaleOwner::StatefulSet(s), set.replicas),
                false => Controller::Unknown,
            }
        }
        // No finder knows DaemonSets or Jobs (they have no scale subresource).
        Owner::Deployment(_) | Owner::Pod(_) | Owner::DaemonSet(_) | Owner::Job(_) => {
            Controller::Unknown
        }
    }
}

fn unmanaged_message(pdb: &Pdb) -> String {
    format!(
        "Pods selected by this PodDisruptionBudget (selector: {:?}) were found to be unmanaged. As a result, \
         the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To \
         account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.",
        pdb.selector
    )
}

fn pdb_event(now: SimTime, pdb: &Pdb, reason: &str, msg: String) -> Event {
    let (ns, name) = (&pdb.meta.namespace, &pdb.meta.name);
    Event::new(now, "PodDisruptionBudget", ns, name, reason, msg)
}

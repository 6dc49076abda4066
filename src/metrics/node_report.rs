//! What the summary says about node failures: each workload's capacity lost (time with fewer ready
//! pods than desired), each node's NotReady spell, and pods left Terminating on a silent node.

use crate::api::{NodeId, Owner, PodId, Store};
use crate::engine::SimTime;
use std::collections::BTreeMap;

/// A workload that had fewer ready pods than desired after it first had them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacitySummary {
    /// `Deployment` or `StatefulSet`.
    pub kind: &'static str,
    /// `namespace/name`.
    pub workload: String,
    pub desired: u32,
    /// The fewest ready pods seen while below.
    pub lowest_ready: u32,
    /// When it first went below.
    pub first_below: SimTime,
    /// Total time below desired, and the longest spell (a spell still open counts until the end).
    pub below_ms: u64,
    pub longest_below_ms: u64,
}

/// A node's Ready condition left True.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpell {
    pub node: String,
    pub not_ready: SimTime,
    /// When the kubelet reported Ready again, if it did.
    pub ready_again: Option<SimTime>,
}

/// A pod still Terminating at the end on a node whose kubelet cannot confirm its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StuckPod {
    /// `namespace/name`.
    pub pod: String,
    pub node: String,
    pub since: SimTime,
}

/// The node-failure part of the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeReport {
    pub capacity: Vec<CapacitySummary>,
    pub nodes: Vec<NodeSpell>,
    pub stuck_terminating: Vec<StuckPod>,
}

#[derive(Debug, Default)]
struct Track {
    full_once: bool,
    below_since: Option<SimTime>,
    summary: Option<CapacitySummary>,
}

/// Follows ready pods per workload as pods change.
#[derive(Debug, Default)]
pub struct CapacityRecorder {
    ready: BTreeMap<PodId, (Owner, bool)>,
    counts: BTreeMap<Owner, u32>,
    tracks: BTreeMap<Owner, Track>,
}

/// The workload a pod counts for: its StatefulSet, or its ReplicaSet's Deployment.
fn workload(store: &Store, pod: PodId) -> Option<Owner> {
    match store.pods[pod.index()].meta.owner? {
        Owner::ReplicaSet(rs) => match store.replica_sets[rs.index()].meta.owner {
            Some(d @ Owner::Deployment(_)) => Some(d),
            _ => None,
        },
        o @ Owner::StatefulSet(_) => Some(o),
        _ => None,
    }
}

fn describe(store: &Store, owner: Owner) -> Option<(&'static str, String, u32)> {
    match owner {
        Owner::Deployment(d) => {
            let d = &store.deployments[d.index()];
            Some(("Deployment", d.meta.key(), d.replicas))
        }
        Owner::StatefulSet(s) => {
            let s = &store.stateful_sets[s.index()];
            Some(("StatefulSet", s.meta.key(), s.replicas))
        }
        _ => None,
    }
}

impl CapacityRecorder {
    /// A pod changed at `now`.
    pub fn on_pod_change(&mut self, store: &Store, pod: PodId, now: SimTime) {
        let Some(owner) = workload(store, pod) else {
            return;
        };
        let p = &store.pods[pod.index()];
        let ready = p.meta.exists() && p.meta.deletion.is_none() && p.ready;
        let was = self
            .ready
            .insert(pod, (owner, ready))
            .is_some_and(|(_, r)| r);
        if was == ready && self.tracks.contains_key(&owner) {
            return;
        }
        let count = self.counts.entry(owner).or_default();
        match (was, ready) {
            (false, true) => *count += 1,
            (true, false) => *count -= 1,
            _ => {}
        }
        let count = *count;
        let Some((kind, name, desired)) = describe(store, owner) else {
            return;
        };
        let t = self.tracks.entry(owner).or_default();
        if count >= desired {
            t.full_once = true;
            if let (Some(since), Some(s)) = (t.below_since.take(), t.summary.as_mut()) {
                s.below_ms += now.since_ms(since);
                s.longest_below_ms = s.longest_below_ms.max(now.since_ms(since));
            }
        } else if t.full_once {
            t.below_since.get_or_insert(now);
            let s = t.summary.get_or_insert(CapacitySummary {
                kind,
                workload: name,
                desired,
                lowest_ready: count,
                first_below: now,
                below_ms: 0,
                longest_below_ms: 0,
            });
            s.lowest_ready = s.lowest_ready.min(count);
            s.desired = desired;
        }
    }

    /// The workloads that lost capacity, with open spells closed at `end`.
    pub fn finish(&self, end: SimTime) -> Vec<CapacitySummary> {
        let mut out: Vec<CapacitySummary> = Vec::new();
        for t in self.tracks.values() {
            let Some(mut s) = t.summary.clone() else {
                continue;
            };
            if let Some(since) = t.below_since {
                s.below_ms += end.since_ms(since);
                s.longest_below_ms = s.longest_below_ms.max(end.since_ms(since));
            }
            out.push(s);
        }
        out.sort_by_key(|s| (s.first_below, s.workload.clone()));
        out
    }
}

/// Each node's NotReady spells, from the NodeNotReady and NodeReady Events.
pub fn node_spells(events: &[crate::api::Event]) -> Vec<NodeSpell> {
    let mut out: Vec<NodeSpell> = Vec::new();
    let mut node_events: Vec<&crate::api::Event> =
        events.iter().filter(|e| e.kind == "Node").collect();
    node_events.sort_by_key(|e| e.time);
    for e in node_events {
        match e.reason.as_str() {
            "NodeNotReady" => out.push(NodeSpell {
                node: e.name.clone(),
                not_ready: e.time,
                ready_again: None,
            }),
            "NodeReady" => {
                let open = out
                    .iter_mut()
                    .rev()
                    .find(|s| s.node == e.name && s.ready_again.is_none());
                if let Some(s) = open {
                    s.ready_again = Some(e.time);
                }
            }
            _ => {}
        }
    }
    out
}

/// Pods Terminating at the end on a node that is not Ready (or gone): only its kubelet can end them.
pub fn stuck_terminating(store: &Store) -> Vec<StuckPod> {
    let silent = |n: NodeId| {
        !store.nodes[n.index()].meta.exists()
            || store.health(n).ready != crate::api::ConditionStatus::True
    };
    store
        .live_pods
        .iter()
        .map(|p| &store.pods[p.index()])
        .filter_map(|p| {
            let (deletion, node) = (p.meta.deletion?, p.node?);
            silent(node).then(|| StuckPod {
                pod: p.meta.key(),
                node: store.nodes[node.index()].meta.name.clone(),
                since: deletion.requested,
            })
        })
        .collect()
}

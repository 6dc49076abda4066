//! PodTopologySpread's score (kk:pkg/scheduler/framework/plugins/podtopologyspread/scoring.go, weight 2):
//! fewer matching pods in a node's domains score higher, for the ScheduleAnyway constraints or the
//! system defaults.

use super::cycle::live_nodes;
use super::topology_spread::{constraints, has_all_keys, Constraint, HOSTNAME};
use crate::api::{Labels, NodeId, Pod, Store, WhenUnsatisfiable};
use std::collections::{BTreeMap, BTreeSet};

/// PreScore state (`preScoreState`).
#[derive(Debug)]
pub struct PreScore {
    constraints: Vec<Constraint>,
    /// Feasible nodes without every topology key, when all are required: they score 0.
    ignored: BTreeSet<NodeId>,
    /// Per constraint: matching pods per domain value (`TopologyPairToPodCounts`), or, for hostname,
    /// per node.
    counts: Vec<BTreeMap<String, i64>>,
    /// Per constraint: `log(domains + 2)` (`TopologyNormalizingWeight`).
    weights: Vec<f64>,
}

/// `PreScore` over the feasible nodes; None when the pod has no soft constraints (Skip: 0 everywhere).
/// Nodes lacking a key are ignored only for the pod's own constraints: with the system defaults, nodes
/// without a zone still spread by hostname (`requireAllTopologies`).
pub fn pre_score(store: &Store, pod: &Pod, feasible: &[NodeId]) -> Option<PreScore> {
    let constraints = constraints(store, pod, WhenUnsatisfiable::ScheduleAnyway);
    if constraints.is_empty() {
        return None;
    }
    let require_all = !pod.spec.topology_spread.is_empty();
    let labels = |n: NodeId| &store.nodes[n.index()].meta.labels;
    let ignored: BTreeSet<NodeId> = feasible
        .iter()
        .copied()
        .filter(|n| require_all && !has_all_keys(labels(*n), &constraints))
        .collect();
    let scored = feasible.iter().copied().filter(|n| !ignored.contains(n));
    let mut counts = vec![BTreeMap::new(); constraints.len()];
    for n in scored.clone() {
        for (c, d) in constraints.iter().zip(counts.iter_mut()) {
            if c.key != HOSTNAME {
                d.entry(domain(labels(n), &c.key)).or_insert(0);
            }
        }
    }
    let weights = constraints
        .iter()
        .zip(&counts)
        .map(|(c, d)| {
            let size = if c.key == HOSTNAME {
                scored.clone().count()
            } else {
                d.len()
            };
            ((size + 2) as f64).ln()
        })
        .collect();
    count_pods(store, pod, &constraints, require_all, &mut counts);
    Some(PreScore {
        constraints,
        ignored,
        counts,
        weights,
    })
}

/// A node's value of `key`, empty when it has none (a domain of its own, as upstream's topology pair).
fn domain(labels: &Labels, key: &str) -> String {
    labels.get(key).cloned().unwrap_or_default()
}

/// Adds each counted pod to its node's domain (nodes of every live node that has the keys when required
/// and passes the inclusion policies; domains of no feasible node are left out). Hostname counts go per
/// node, unfiltered, as `Score` counts them.
fn count_pods(
    store: &Store,
    pod: &Pod,
    constraints: &[Constraint],
    require_all: bool,
    counts: &mut [BTreeMap<String, i64>],
) {
    let live: BTreeSet<NodeId> = live_nodes(store).collect();
    for (c, d) in constraints.iter().zip(counts.iter_mut()) {
        for (other, node) in c.counted(store, pod) {
            let id = other.node.expect("assigned");
            if !live.contains(&id) {
                continue;
            }
            if c.key == HOSTNAME {
                *d.entry(node.meta.name.clone()).or_insert(0) += 1;
                continue;
            }
            let labels = &node.meta.labels;
            if require_all && !has_all_keys(labels, constraints) || !c.includes(pod, node) {
                continue;
            }
            if let Some(n) = d.get_mut(&domain(labels, &c.key)) {
                *n += 1;
            }
        }
    }
}

/// `Score`: per constraint whose key the node has, `matching × weight + maxSkew − 1`, summed and rounded.
pub fn score(state: &PreScore, store: &Store, node: NodeId) -> i64 {
    if state.ignored.contains(&node) {
        return 0;
    }
    let n = &store.nodes[node.index()];
    let mut total = 0.0;
    for (i, c) in state.constraints.iter().enumerate() {
        let Some(value) = n.meta.labels.get(&c.key) else {
            continue;
        };
        let key = if c.key == HOSTNAME {
            &n.meta.name
        } else {
            value
        };
        let matching = state.counts[i].get(key).copied().unwrap_or(0);
        total += matching as f64 * state.weights[i] + (c.max_skew - 1) as f64;
    }
    total.round() as i64
}

/// `NormalizeScore`: `100 × (max + min − score) / max` over the scored nodes, 100 when max is 0, and 0
/// for ignored nodes.
pub fn normalize(state: &PreScore, nodes: &[NodeId], scores: &mut [i64]) {
    let scored = || {
        nodes
            .iter()
            .zip(scores.iter())
            .filter(|(n, _)| !state.ignored.contains(n))
    };
    let min = scored().map(|(_, s)| *s).min().unwrap_or(i64::MAX);
    let max = scored().map(|(_, s)| *s).max().unwrap_or(0).max(0);
    for (n, s) in nodes.iter().zip(scores.iter_mut()) {
        *s = if state.ignored.contains(n) {
            0
        } else if max == 0 {
            100
        } else {
            100 * (max + min - *s) / max
        };
    }
}

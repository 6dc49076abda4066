//! PodTopologySpread's score (kk:pkg/scheduler/framework/plugins/podtopologyspread/scoring.go, weight 2):
//! fewer matching pods in a node's domains score higher, for the ScheduleAnyway constraints or the
//! system defaults.

use super::topology_spread::{constraints, has_all_keys, Constraint, HOSTNAME};
use crate::api::pod_groups::PodGroup;
use crate::api::{Labels, NodeId, Pod, Store, WhenUnsatisfiable};
use std::collections::{BTreeMap, BTreeSet};

/// Matching pods per domain of one constraint (`TopologyPairToPodCounts`).
#[derive(Debug)]
enum Counts<'s> {
    /// Hostname: `Score` counts each node's own matching pods, read from these groups.
    PerNode(Vec<&'s PodGroup>),
    /// Any other key: per value of it among the feasible nodes.
    PerValue(BTreeMap<String, i64>),
}

/// PreScore state (`preScoreState`).
#[derive(Debug)]
pub struct PreScore<'s> {
    constraints: Vec<Constraint>,
    /// Feasible nodes without every topology key, when all are required: they score 0.
    ignored: BTreeSet<NodeId>,
    /// Per constraint: its matching pods per domain.
    counts: Vec<Counts<'s>>,
    /// Per constraint: `log(domains + 2)` (`TopologyNormalizingWeight`).
    weights: Vec<f64>,
}

/// `PreScore` over the feasible nodes; None when the pod has no soft constraints (Skip: 0 everywhere).
/// Nodes lacking a key are ignored only for the pod's own constraints: with the system defaults, nodes
/// without a zone still spread by hostname (`requireAllTopologies`).
pub fn pre_score<'s>(store: &'s Store, pod: &Pod, feasible: &[NodeId]) -> Option<PreScore<'s>> {
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
    let mut counts: Vec<Counts> = constraints
        .iter()
        .map(|c| match c.key == HOSTNAME {
            true => Counts::PerNode(Vec::new()),
            false => Counts::PerValue(BTreeMap::new()),
        })
        .collect();
    for n in scored.clone() {
        for (c, d) in constraints.iter().zip(counts.iter_mut()) {
            let value = domain(labels(n), &c.key);
            match d {
                Counts::PerValue(values) if !values.contains_key(value) => {
                    values.insert(value.to_string(), 0);
                }
                _ => {}
            }
        }
    }
    let weights = counts
        .iter()
        .map(|d| {
            let size = match d {
                Counts::PerNode(_) => scored.clone().count(),
                Counts::PerValue(values) => values.len(),
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
fn domain<'l>(labels: &'l Labels, key: &str) -> &'l str {
    labels.get(key).map_or("", String::as_str)
}

/// Adds each counted pod to its node's domain (nodes of every live node that has the keys when required
/// and passes the inclusion policies; domains of no feasible node are left out). Hostname counts are
/// read per node, unfiltered, as `Score` counts them.
fn count_pods<'s>(
    store: &'s Store,
    pod: &Pod,
    constraints: &[Constraint],
    require_all: bool,
    counts: &mut [Counts<'s>],
) {
    for (c, d) in constraints.iter().zip(counts.iter_mut()) {
        let groups = c.counted(store, pod);
        let values = match d {
            Counts::PerNode(per_node) => {
                *per_node = groups;
                continue;
            }
            Counts::PerValue(values) => values,
        };
        for (id, count) in groups.into_iter().flat_map(|g| &g.per_node) {
            let node = &store.nodes[id.index()];
            let labels = &node.meta.labels;
            let eligible =
                (!require_all || has_all_keys(labels, constraints)) && c.includes(pod, node);
            if !node.meta.exists() || !eligible {
                continue;
            }
            if let Some(n) = values.get_mut(domain(labels, &c.key)) {
                *n += count;
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
        let matching = match &state.counts[i] {
            Counts::PerNode(groups) => groups.iter().filter_map(|g| g.per_node.get(&node)).sum(),
            Counts::PerValue(values) => values.get(value).copied().unwrap_or(0),
        };
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

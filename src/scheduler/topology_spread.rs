//! PodTopologySpread (kk:pkg/scheduler/framework/plugins/podtopologyspread): the pod's constraints, or the
//! system default ones (common.go, plugin.go), and the DoNotSchedule filter (filtering.go). The
//! ScheduleAnyway score is in `spread_score`.

use super::cycle::live_nodes;
use super::fit_error::Rejection;
use super::node_affinity;
use crate::api::pod_groups::PodGroup;
use crate::api::{
    LabelSelector, Labels, Node, NodeId, Operator, Owner, Pod, Requirement, Store,
    WhenUnsatisfiable,
};
use std::collections::BTreeMap;

/// `ErrReasonConstraintsNotMatch` (Unschedulable).
pub const ERR_CONSTRAINTS: &str = "node(s) didn't match pod topology spread constraints";
/// `ErrReasonNodeLabelNotMatch` (UnschedulableAndUnresolvable).
pub const ERR_MISSING_LABEL: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";
/// `v1.LabelHostname`: the key whose per-node counts the score takes straight from each node.
pub const HOSTNAME: &str = "kubernetes.io/hostname";
/// `v1.LabelTopologyZone`.
pub const ZONE: &str = "topology.kubernetes.io/zone";

/// A constraint as the plugin evaluates it (`topologySpreadConstraint`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub max_skew: i64,
    pub key: String,
    /// The label selector with `matchLabelKeys` merged in; None selects no pod.
    pub selector: Option<LabelSelector>,
    pub min_domains: usize,
    pub honor_node_affinity: bool,
    pub honor_node_taints: bool,
}

impl Constraint {
    /// The groups of assigned pods the constraint counts, with their counts per node:
    /// `countPodsMatchSelector` counts nothing for a nil or empty selector, and skips terminating pods
    /// and pods of other namespaces.
    pub fn counted<'s>(&self, store: &'s Store, pod: &Pod) -> Vec<&'s PodGroup> {
        let Some(selector) = &self.selector else {
            return Vec::new();
        };
        if selector.match_labels.is_empty() && selector.match_expressions.is_empty() {
            return Vec::new();
        }
        store.pod_groups_matching(&pod.meta.namespace, selector)
    }

    /// `matchNodeInclusionPolicies`: nodeAffinityPolicy Honor leaves out nodes the pod's required node
    /// affinity rejects, nodeTaintsPolicy Honor nodes with a NoSchedule/NoExecute taint it does not tolerate.
    pub fn includes(&self, pod: &Pod, node: &Node) -> bool {
        let labels = &node.meta.labels;
        let affinity_ok = !self.honor_node_affinity || node_affinity::required_matches(pod, labels);
        let taints_ok =
            !self.honor_node_taints || super::plugins::untolerated_taint(pod, node).is_none();
        affinity_ok && taints_ok
    }
}

/// The system default constraints (kk:pkg/scheduler/apis/config/v1/defaults.go, `defaultingType: System`):
/// hostname with maxSkew 3 and zone with maxSkew 5, both ScheduleAnyway.
const SYSTEM_DEFAULTS: [(&str, i64); 2] = [(HOSTNAME, 3), (ZONE, 5)];

/// `filterTopologySpreadConstraints`: the pod's constraints with `action`, or, when the pod has none at
/// all, the system defaults (`buildDefaultConstraints`; only ScheduleAnyway ones).
pub fn constraints(store: &Store, pod: &Pod, action: WhenUnsatisfiable) -> Vec<Constraint> {
    let own = &pod.spec.topology_spread;
    if own.is_empty() {
        return match action {
            WhenUnsatisfiable::ScheduleAnyway => system_defaults(store, pod),
            WhenUnsatisfiable::DoNotSchedule => Vec::new(),
        };
    }
    let of_action = own.iter().filter(|c| c.when_unsatisfiable == action);
    of_action
        .map(|c| Constraint {
            max_skew: i64::from(c.max_skew),
            key: c.topology_key.clone(),
            selector: c
                .selector
                .clone()
                .map(|s| with_label_keys(s, &c.match_label_keys, &pod.meta.labels)),
            min_domains: c.min_domains.max(1) as usize,
            honor_node_affinity: c.honor_node_affinity,
            honor_node_taints: c.honor_node_taints,
        })
        .collect()
}

/// `matchLabelKeys` (MatchLabelKeysInPodTopologySpread): the pod's value of each key it has, ANDed in.
fn with_label_keys(mut selector: LabelSelector, keys: &[String], labels: &Labels) -> LabelSelector {
    for key in keys {
        if let Some(value) = labels.get(key) {
            selector.match_expressions.push(Requirement {
                key: key.clone(),
                operator: Operator::In,
                values: vec![value.clone()],
            });
        }
    }
    selector
}

/// The system defaults with the pod's default selector; none when that selector is empty.
fn system_defaults(store: &Store, pod: &Pod) -> Vec<Constraint> {
    let selector = default_selector(store, pod);
    if selector.match_labels.is_empty() {
        return Vec::new();
    }
    let constraint = |(key, max_skew): (&str, i64)| Constraint {
        max_skew,
        key: key.to_string(),
        selector: Some(selector.clone()),
        min_domains: 1,
        honor_node_affinity: true,
        honor_node_taints: false,
    };
    SYSTEM_DEFAULTS.into_iter().map(constraint).collect()
}

/// `helper.DefaultSelector` (kk:pkg/scheduler/framework/plugins/helper/spread.go): the selectors of the
/// Services in the pod's namespace that select it (one with a nil selector selects nothing), and of its
/// controlling ReplicaSet or StatefulSet, merged.
pub fn default_selector(store: &Store, pod: &Pod) -> LabelSelector {
    let mut merged = Labels::new();
    let labels = &pod.meta.labels;
    let in_namespace = store.services_in(&pod.meta.namespace);
    for svc in in_namespace
        .map(|s| &store.services[s.index()])
        .filter(|s| s.meta.exists())
    {
        let selects = |sel: &Labels| crate::api::selector_matches(sel, labels);
        if svc.meta.namespace == pod.meta.namespace && svc.selector.as_ref().is_some_and(selects) {
            merged.extend(svc.selector.clone().unwrap_or_default());
        }
    }
    let owner = match pod.meta.owner {
        Some(Owner::ReplicaSet(rs)) => Some(&store.replica_sets[rs.index()].selector),
        Some(Owner::StatefulSet(set)) => Some(&store.stateful_sets[set.index()].selector),
        _ => None,
    };
    merged.extend(
        owner
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    LabelSelector {
        match_labels: merged,
        match_expressions: Vec::new(),
    }
}

/// PreFilter state: the DoNotSchedule constraints and, per constraint, the matching pods per domain of the
/// nodes that have every constraint's key and pass its inclusion policies (`TpValueToMatchNum`).
#[derive(Debug, Default)]
pub struct PreFilter {
    constraints: Vec<Constraint>,
    domains: Vec<BTreeMap<String, i64>>,
}

/// `calPreFilterState`.
pub fn pre_filter(store: &Store, pod: &Pod) -> PreFilter {
    let constraints = constraints(store, pod, WhenUnsatisfiable::DoNotSchedule);
    let mut domains = vec![BTreeMap::new(); constraints.len()];
    if constraints.is_empty() {
        return PreFilter::default();
    }
    let eligible = |c: &Constraint, node: &Node| {
        has_all_keys(&node.meta.labels, &constraints) && c.includes(pod, node)
    };
    for node in live_nodes(store).map(|n| &store.nodes[n.index()]) {
        for (c, d) in constraints.iter().zip(domains.iter_mut()) {
            if eligible(c, node) {
                d.entry(node.meta.labels[&c.key].clone()).or_insert(0);
            }
        }
    }
    for (c, d) in constraints.iter().zip(domains.iter_mut()) {
        let per_node = c.counted(store, pod).into_iter().flat_map(|g| &g.per_node);
        for (id, count) in per_node {
            let node = &store.nodes[id.index()];
            if node.meta.exists() && eligible(c, node) {
                *d.entry(node.meta.labels[&c.key].clone()).or_insert(0) += count;
            }
        }
    }
    PreFilter {
        constraints,
        domains,
    }
}

/// `nodeLabelsMatchSpreadConstraints`: the node has every constraint's topology key.
pub fn has_all_keys(labels: &Labels, constraints: &[Constraint]) -> bool {
    constraints.iter().all(|c| labels.contains_key(&c.key))
}

/// `Filter`: for each constraint, the node must have its key and placing the pod there must keep
/// `matching in the node's domain + self - global minimum <= maxSkew`, the global minimum being 0 while
/// there are fewer eligible domains than minDomains.
pub fn filter(state: &PreFilter, pod: &Pod, labels: &Labels) -> Option<Rejection> {
    for (c, domains) in state.constraints.iter().zip(&state.domains) {
        let Some(value) = labels.get(&c.key) else {
            return Some(Rejection::unresolvable(ERR_MISSING_LABEL));
        };
        let global_min = if domains.len() < c.min_domains {
            0
        } else {
            domains.values().copied().min().unwrap_or(0)
        };
        let self_match = c
            .selector
            .as_ref()
            .is_some_and(|s| s.matches(&pod.meta.labels));
        let matching = domains.get(value).copied().unwrap_or(0);
        if matching + i64::from(self_match) - global_min > c.max_skew {
            return Some(Rejection::unschedulable(ERR_CONSTRAINTS));
        }
    }
    None
}

/// The node ids among `nodes` that pass `keep`.
pub fn node_ids<'s>(
    store: &'s Store,
    keep: impl Fn(&Node) -> bool + 's,
) -> impl Iterator<Item = NodeId> + 's {
    live_nodes(store).filter(move |n| keep(&store.nodes[n.index()]))
}

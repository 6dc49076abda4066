//! InterPodAffinity (kk:pkg/scheduler/framework/plugins/interpodaffinity): required pod affinity and
//! anti-affinity as a filter, existing pods' required anti-affinity against the incoming pod included
//! (filtering.go); preferred terms of the incoming pod, and of existing pods towards it, as a score
//! (scoring.go, weight 2 in the default profile).

use super::cycle::{assigned, assigned_matching};
use super::fit_error::Rejection;
use crate::api::{Labels, Node, Pod, PodAffinityTerm, Store};
use std::collections::BTreeMap;

/// `ErrReasonAffinityRulesNotMatch` (UnschedulableAndUnresolvable).
pub const ERR_AFFINITY: &str = "node(s) didn't match pod affinity rules";
/// `ErrReasonAntiAffinityRulesNotMatch` (Unschedulable).
pub const ERR_ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";
/// `ErrReasonExistingAntiAffinityRulesNotMatch` (Unschedulable).
pub const ERR_EXISTING_ANTI_AFFINITY: &str =
    "node(s) didn't satisfy existing pods anti-affinity rules";
/// `hardPodAffinityWeight` (kk:pkg/scheduler/apis/config/v1/defaults.go): what an existing pod's required
/// affinity term adds to the score of the domains it would accept the incoming pod in.
const HARD_POD_AFFINITY_WEIGHT: i64 = 1;

/// Counts (or weights) per topology pair: key, then value (`topologyToMatchedTermCount`, `scoreMap`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Topology(BTreeMap<String, BTreeMap<String, i64>>);

impl Topology {
    /// Adds `by` to the pair (`key`, the node's value of it); nothing when the node lacks the key.
    fn add(&mut self, key: &str, node: &Node, by: i64) {
        if let Some(value) = node.meta.labels.get(key) {
            let values = self.0.entry(key.to_string()).or_default();
            *values.entry(value.clone()).or_default() += by;
        }
    }

    fn get(&self, key: &str, value: &str) -> i64 {
        self.0
            .get(key)
            .and_then(|v| v.get(value))
            .copied()
            .unwrap_or(0)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True if some pair of the node's labels has a count above 0; walks this map's keys (none
    /// for most pods), not the node's labels.
    fn matches_any(&self, labels: &Labels) -> bool {
        let count = |(k, values): (&String, &BTreeMap<String, i64>)| {
            labels.get(k).and_then(|v| values.get(v)).copied()
        };
        self.0.iter().filter_map(count).any(|n| n > 0)
    }

    /// The sum over this map's keys of the node's pair (`Score`).
    fn sum_for(&self, labels: &Labels) -> i64 {
        let pairs = self
            .0
            .iter()
            .filter_map(|(k, values)| values.get(labels.get(k)?));
        pairs.sum()
    }
}

/// PreFilter state: the incoming pod's required terms counted against existing pods, and existing pods'
/// required anti-affinity terms that the incoming pod matches.
#[derive(Debug, Default)]
pub struct PreFilter {
    affinity: Topology,
    anti: Topology,
    existing_anti: Topology,
}

/// `term` of `owner` selects `other` (namespaces and label selector).
fn selects(term: &PodAffinityTerm, owner: &Pod, other: &Pod) -> bool {
    let (o, p) = (&owner.meta, &other.meta);
    term.matches(&o.namespace, &o.labels, &p.namespace, &p.labels)
}

/// Assigned pods `term` of `owner` selects, with their nodes.
fn selected<'s>(
    store: &'s Store,
    term: &'s PodAffinityTerm,
    owner: &'s Pod,
) -> Vec<(&'s Pod, &'s Node)> {
    let Some(selector) = &term.selector else {
        return Vec::new();
    };
    let pods = assigned_matching(store, selector);
    pods.filter(|(p, _)| selects(term, owner, p)).collect()
}

/// `PreFilter`: the three counts, each from the pods that can matter (label index, pods with affinity).
pub fn pre_filter(store: &Store, pod: &Pod) -> PreFilter {
    let mut state = PreFilter::default();
    let required = &pod.spec.affinity.pod.required;
    if let Some(first) = required.first() {
        for (other, node) in selected(store, first, pod) {
            // updateWithAffinityTerms: an existing pod counts only if it matches every term.
            if required.iter().all(|t| selects(t, pod, other)) {
                required
                    .iter()
                    .for_each(|t| state.affinity.add(&t.topology_key, node, 1));
            }
        }
    }
    for term in &pod.spec.affinity.anti.required {
        for (_, node) in selected(store, term, pod) {
            state.anti.add(&term.topology_key, node, 1);
        }
    }
    for (other, node) in store
        .pods_with_affinity()
        .filter_map(|id| assigned(store, id))
    {
        for term in &other.spec.affinity.anti.required {
            if selects(term, other, pod) {
                state.existing_anti.add(&term.topology_key, node, 1);
            }
        }
    }
    state
}

/// `Filter`: affinity first (unresolvable), then the pod's anti-affinity, then existing pods'.
pub fn filter(state: &PreFilter, pod: &Pod, labels: &Labels) -> Option<Rejection> {
    if !satisfies_affinity(state, pod, labels) {
        return Some(Rejection::unresolvable(ERR_AFFINITY));
    }
    let anti = &pod.spec.affinity.anti.required;
    let in_anti_domain = |t: &PodAffinityTerm| {
        labels
            .get(&t.topology_key)
            .is_some_and(|v| state.anti.get(&t.topology_key, v) > 0)
    };
    if anti.iter().any(in_anti_domain) {
        return Some(Rejection::unschedulable(ERR_ANTI_AFFINITY));
    }
    if state.existing_anti.matches_any(labels) {
        return Some(Rejection::unschedulable(ERR_EXISTING_ANTI_AFFINITY));
    }
    None
}

/// `satisfyPodAffinity`: the node has every term's topology key and each of its domains holds a matching
/// pod; or no pod matches anywhere and the pod matches its own terms (the first of a group with affinity
/// to itself).
fn satisfies_affinity(state: &PreFilter, pod: &Pod, labels: &Labels) -> bool {
    let terms = &pod.spec.affinity.pod.required;
    let mut pods_exist = true;
    for t in terms {
        let Some(value) = labels.get(&t.topology_key) else {
            return false;
        };
        if state.affinity.get(&t.topology_key, value) <= 0 {
            pods_exist = false;
        }
    }
    pods_exist || state.affinity.is_empty() && terms.iter().all(|t| selects(t, pod, pod))
}

/// `PreScore`: the weights per topology pair from the incoming pod's preferred terms (over every assigned
/// pod they select) and from existing pods' terms that select the incoming pod (`processExistingPod`).
/// None when no term applies (the plugin returns Skip and scores 0 everywhere).
pub fn pre_score(store: &Store, pod: &Pod) -> Option<Topology> {
    let mut topo = Topology::default();
    let a = &pod.spec.affinity;
    let incoming = a
        .pod
        .preferred
        .iter()
        .map(|w| (w, 1))
        .chain(a.anti.preferred.iter().map(|w| (w, -1)));
    for (w, sign) in incoming {
        for (_, node) in selected(store, &w.term, pod) {
            topo.add(&w.term.topology_key, node, sign * w.weight);
        }
    }
    for (other, node) in store
        .pods_with_affinity()
        .filter_map(|id| assigned(store, id))
    {
        let oa = &other.spec.affinity;
        let hard = oa
            .pod
            .required
            .iter()
            .map(|t| (t, HARD_POD_AFFINITY_WEIGHT));
        let soft = oa.pod.preferred.iter().map(|w| (&w.term, w.weight));
        let anti = oa.anti.preferred.iter().map(|w| (&w.term, -w.weight));
        for (term, weight) in hard.chain(soft).chain(anti) {
            if selects(term, other, pod) {
                topo.add(&term.topology_key, node, weight);
            }
        }
    }
    (!topo.is_empty()).then_some(topo)
}

/// `Score`: the sum of the weights of the node's topology pairs.
pub fn score(topo: &Topology, labels: &Labels) -> i64 {
    topo.sum_for(labels)
}

/// `NormalizeScore`: `100 * (score - min) / (max - min)`, truncated; all 0 when they are equal.
pub fn normalize(scores: &mut [i64]) {
    let (min, max) = match (scores.iter().min(), scores.iter().max()) {
        (Some(&min), Some(&max)) => (min, max),
        _ => return,
    };
    for s in scores.iter_mut() {
        *s = if max > min {
            (100.0 * ((*s - min) as f64 / (max - min) as f64)) as i64
        } else {
            0
        };
    }
}

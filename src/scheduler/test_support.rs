//! Builders for the scheduler's tests: a store with labelled nodes and pods bound to them, and the terms
//! and constraints of upstream's test tables (kk:pkg/scheduler/testing/wrappers.go).

use super::cycle::Cycle;
use super::fit_error::Rejection;
use super::{interpod_affinity, spread_score, topology_spread};
use crate::api::affinity::WeightedTerm;
use crate::api::*;
use crate::engine::{SimTime, Streams};

/// Labels from pairs.
pub fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A pod in namespace `default` with no containers (not yet in a store).
pub fn pod(name: &str, pairs: &[(&str, &str)]) -> Pod {
    let meta = Meta {
        name: name.to_string(),
        namespace: "default".to_string(),
        uid: String::new(),
        labels: labels(pairs),
        annotations: Labels::new(),
        resource_version: 0,
        generation: 1,
        created: SimTime(0),
        owner: None,
        deletion: None,
        gone: None,
    };
    let spec = crate::manifest::convert::pod_spec(None);
    Pod {
        meta,
        spec,
        node: None,
        ip: None,
        phase: PodPhase::Running,
        container: ContainerState::Waiting("Pending"),
        ready: false,
        ready_since: None,
        restarts: 0,
    }
}

/// A label selector `key operator values` (`st.MakeLabelSelector()`, `PodAffinityIn` and friends).
pub fn expr(key: &str, operator: Operator, values: &[&str]) -> LabelSelector {
    LabelSelector {
        match_labels: Labels::new(),
        match_expressions: vec![Requirement {
            key: key.into(),
            operator,
            values: values.iter().map(|v| v.to_string()).collect(),
        }],
    }
}

/// A pod affinity term on `topology_key` with `selector`.
pub fn term(selector: LabelSelector, topology_key: &str) -> PodAffinityTerm {
    PodAffinityTerm {
        selector: Some(selector),
        topology_key: topology_key.to_string(),
        ..Default::default()
    }
}

/// A weighted (preferred) term.
pub fn weighted(weight: i64, term: PodAffinityTerm) -> WeightedTerm {
    WeightedTerm { weight, term }
}

/// A spread constraint with the API's defaults.
pub fn spread(
    max_skew: u32,
    key: &str,
    when: WhenUnsatisfiable,
    selector: Option<LabelSelector>,
) -> SpreadConstraint {
    SpreadConstraint {
        max_skew,
        topology_key: key.to_string(),
        when_unsatisfiable: when,
        selector,
        min_domains: 1,
        honor_node_affinity: true,
        honor_node_taints: false,
        match_label_keys: Vec::new(),
    }
}

/// A store of nodes and pods for one test.
pub struct Cluster {
    pub store: Store,
}

impl Cluster {
    /// An empty cluster.
    pub fn new() -> Self {
        Cluster {
            store: Store::new(Streams::new(1, 0).stream("names")),
        }
    }

    /// Adds a node with `pairs` as its labels and room for anything.
    pub fn node(&mut self, name: &str, pairs: &[(&str, &str)]) -> NodeId {
        let meta = self.store.new_meta(name, "", labels(pairs), SimTime(0));
        self.store.add_node(Node {
            meta,
            cpu_milli: 64_000,
            memory_bytes: 256 << 30,
            pods: 110,
            taints: Vec::new(),
            unschedulable: false,
            ready: true,
            volumes_in_use: Vec::new(),
            images: Vec::new(),
        })
    }

    /// Adds `pod` unscheduled.
    pub fn add(&mut self, pod: Pod) -> PodId {
        let mut pod = pod;
        pod.meta = Meta {
            uid: format!("uid-{}", self.store.pods.len()),
            ..pod.meta
        };
        self.store.add_pod(pod)
    }

    /// Adds `pod` bound to the node called `node`.
    pub fn bind(&mut self, pod: Pod, node: &str) -> PodId {
        let id = self.add(pod);
        let n = self.store.nodes.iter().position(|n| n.meta.name == node);
        let node = NodeId(n.expect("node exists") as u32);
        self.store
            .apply(Write::BindPod { pod: id, node }, SimTime(0));
        id
    }

    /// All nodes, in order.
    pub fn nodes(&self) -> Vec<NodeId> {
        (0..self.store.nodes.len() as u32).map(NodeId).collect()
    }

    fn labels_of(&self, node: NodeId) -> &Labels {
        &self.store.nodes[node.index()].meta.labels
    }

    /// InterPodAffinity's filter status of `pod` on each node.
    pub fn affinity_filter(&self, pod: PodId) -> Vec<Option<Rejection>> {
        let cycle = Cycle::new(&self.store, pod);
        let each =
            |n: NodeId| interpod_affinity::filter(&cycle.affinity, cycle.pod, self.labels_of(n));
        self.nodes().into_iter().map(each).collect()
    }

    /// PodTopologySpread's filter status of `pod` on each node.
    pub fn spread_filter(&self, pod: PodId) -> Vec<Option<Rejection>> {
        let cycle = Cycle::new(&self.store, pod);
        let each = |n: NodeId| topology_spread::filter(&cycle.spread, cycle.pod, self.labels_of(n));
        self.nodes().into_iter().map(each).collect()
    }

    /// InterPodAffinity's normalized scores of `pod` on each node (all 0 when PreScore skips).
    pub fn affinity_scores(&self, pod: PodId) -> Vec<i64> {
        let p = &self.store.pods[pod.index()];
        let Some(topo) = interpod_affinity::pre_score(&self.store, p) else {
            return vec![0; self.store.nodes.len()];
        };
        let mut s: Vec<i64> = self
            .nodes()
            .into_iter()
            .map(|n| interpod_affinity::score(&topo, self.labels_of(n)))
            .collect();
        interpod_affinity::normalize(&mut s);
        s
    }

    /// PodTopologySpread's normalized scores of `pod` on `feasible` (None when PreScore skips).
    pub fn spread_scores(&self, pod: PodId, feasible: &[NodeId]) -> Option<Vec<i64>> {
        let p = &self.store.pods[pod.index()];
        let state = spread_score::pre_score(&self.store, p, feasible)?;
        let mut s: Vec<i64> = feasible
            .iter()
            .map(|n| spread_score::score(&state, &self.store, *n))
            .collect();
        spread_score::normalize(&state, feasible, &mut s);
        Some(s)
    }
}

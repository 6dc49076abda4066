//! One scheduling cycle's view of the cluster: the pod, the live nodes, the pods the scheduler's cache
//! holds, and the PreFilter state the filters read (computed once per cycle, as upstream's CycleState).

use super::{interpod_affinity, topology_spread, volume_binding};
use crate::api::node_usage::Requested;
use crate::api::{LabelSelector, Labels, Node, NodeId, Pod, PodId, PodPhase, Store};
use std::collections::BTreeMap;

/// The pod being scheduled and what its filters precomputed.
pub struct Cycle<'a> {
    pub store: &'a Store,
    pub id: PodId,
    pub pod: &'a Pod,
    /// The live nodes, in index order (the snapshot's node list).
    pub nodes: Vec<NodeId>,
    pub affinity: interpod_affinity::PreFilter,
    pub spread: topology_spread::PreFilter,
    /// VolumeBinding's PreFilter: the pod's claims, or the message that rejects every node.
    pub volumes: Result<volume_binding::PodVolumes, String>,
    /// Per node, what the pods assumed on it but not yet bound request: those waiting in PreBind for
    /// their volumes (the scheduler cache's `AssumePod`, kk:pkg/scheduler/schedule_one.go, counts
    /// them in the node's NodeInfo until the bind ends).
    pub assumed: BTreeMap<NodeId, Requested>,
}

impl<'a> Cycle<'a> {
    /// PreFilter for `pod`: InterPodAffinity's topology counts, PodTopologySpread's domain counts and
    /// VolumeBinding's claims.
    pub fn new(store: &'a Store, id: PodId) -> Self {
        Self::with_assumed(store, id, BTreeMap::new())
    }

    /// [`Cycle::new`], with `assumed` the requests of the pods assumed on each node.
    pub fn with_assumed(store: &'a Store, id: PodId, assumed: BTreeMap<NodeId, Requested>) -> Self {
        let pod = &store.pods[id.index()];
        Cycle {
            store,
            id,
            pod,
            nodes: live_nodes(store).collect(),
            affinity: interpod_affinity::pre_filter(store, pod),
            spread: topology_spread::pre_filter(store, pod),
            volumes: volume_binding::pre_filter(store, pod),
            assumed,
        }
    }

    /// What the pods bound to or assumed on `node` request (the NodeInfo's `Requested`).
    pub fn requested_on(&self, node: NodeId) -> Requested {
        let bound = self.store.requested_on(node);
        self.assumed.get(&node).map_or(bound, |a| bound.plus(a))
    }

    /// The FailedScheduling message for `rejections` (one per node): VolumeBinding's PreFilter message
    /// when it rejected the pod, else the per-node histogram.
    pub fn failure_message(&self, rejections: &[super::fit_error::Rejection]) -> String {
        match &self.volumes {
            Err(msg) => super::fit_error::pre_filter_message(msg, rejections),
            Ok(_) => super::fit_error::message(rejections),
        }
    }

    /// The node's labels.
    pub fn labels(&self, node: NodeId) -> &'a Labels {
        &self.store.nodes[node.index()].meta.labels
    }
}

/// Nodes in the scheduler's snapshot: those that exist, in index order.
pub fn live_nodes(store: &Store) -> impl Iterator<Item = NodeId> + '_ {
    (0..store.nodes.len() as u32)
        .map(NodeId)
        .filter(|n| store.nodes[n.index()].meta.exists())
}

/// A pod in the scheduler's cache and its node: live, bound, and not terminal (the scheduler's pod
/// informer leaves out Succeeded and Failed pods; kk:pkg/scheduler/eventhandlers.go).
pub fn assigned(store: &Store, id: PodId) -> Option<(&Pod, &Node)> {
    let pod = &store.pods[id.index()];
    let node = pod.node?;
    let terminal = matches!(pod.phase, PodPhase::Succeeded | PodPhase::Failed);
    (pod.meta.exists() && !terminal).then(|| (pod, &store.nodes[node.index()]))
}

/// Assigned pods that `selector` selects (looked up through the store's label index).
pub fn assigned_matching<'s>(
    store: &'s Store,
    selector: &'s LabelSelector,
) -> impl Iterator<Item = (&'s Pod, &'s Node)> + 's {
    store
        .pods_maybe_matching(selector)
        .into_iter()
        .filter_map(move |id| assigned(store, id))
        .filter(move |(p, _)| selector.matches(&p.meta.labels))
}

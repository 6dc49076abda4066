//! The scheduler's informer view (kk:pkg/scheduler/eventhandlers.go): the last seen state of each node
//! and the set of assigned pods, so a store change can be turned into the cluster event it is
//! (NodeAdd, UpdateNodeLabel/Taint/Allocatable, AssignedPodAdd/Delete). Kept incrementally: one
//! change costs one lookup.

use super::events::{ClusterEvent, NodeChange};
use crate::api::{Labels, Node, NodeId, PodId, Store, Taint};
use std::collections::BTreeMap;

/// The fields of a Node the scheduling plugins read (`NodeSchedulingPropertiesChange`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct NodeView {
    labels: Labels,
    taints: Vec<Taint>,
    unschedulable: bool,
    allocatable: (u64, u64, u32),
}

impl NodeView {
    fn of(node: &Node) -> Self {
        NodeView {
            labels: node.meta.labels.clone(),
            taints: node.taints.clone(),
            unschedulable: node.unschedulable,
            allocatable: (node.cpu_milli, node.memory_bytes, node.pods),
        }
    }

    fn change_to(&self, new: &NodeView) -> NodeChange {
        NodeChange {
            allocatable: self.allocatable != new.allocatable,
            labels: self.labels != new.labels,
            taints: self.taints != new.taints || self.unschedulable != new.unschedulable,
        }
    }
}

/// What the scheduler last saw of nodes and assigned pods.
#[derive(Debug, Default)]
pub struct Informer {
    nodes: Vec<Option<NodeView>>,
    /// Bound pods that exist, and whether they are still counted (not terminal).
    assigned: BTreeMap<PodId, bool>,
}

/// How an assigned pod's presence in the scheduler's cache changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodEvent {
    Added,
    Deleted,
    None,
}

impl Informer {
    /// A node changed: the event the scheduler's node handlers see, if any that matters.
    pub fn on_node(&mut self, store: &Store, id: NodeId) -> Option<ClusterEvent<'static>> {
        let node = &store.nodes[id.index()];
        if self.nodes.len() <= id.index() {
            self.nodes.resize(id.index() + 1, None);
        }
        let slot = &mut self.nodes[id.index()];
        let new = node.meta.exists().then(|| NodeView::of(node));
        let event = match (slot.as_ref(), new.as_ref()) {
            (None, Some(_)) => Some(ClusterEvent::NodeAdd),
            (Some(_), None) => Some(ClusterEvent::NodeDelete),
            (Some(old), Some(new)) => {
                let c = old.change_to(new);
                (c != NodeChange::default()).then_some(ClusterEvent::NodeUpdate(c))
            }
            (None, None) => None,
        };
        *slot = new;
        event
    }

    /// A pod changed: whether it entered or left the assigned pods the scheduler's cache holds. It
    /// leaves twice, in effect: when it turns terminal (inter-pod affinity and spreading stop counting
    /// it, `super::cycle::assigned`) and when the object is gone (NodeResourcesFit stops counting its
    /// requests, `plugins::requested`); each is an AssignedPodDelete for the plugins that count it.
    pub fn on_pod(&mut self, store: &Store, id: PodId) -> PodEvent {
        let pod = &store.pods[id.index()];
        let bound = pod.meta.exists() && pod.node.is_some();
        let counted = super::cycle::assigned(store, id).is_some();
        match (self.assigned.get(&id).copied(), bound, counted) {
            (None, true, true) => {
                self.assigned.insert(id, true);
                PodEvent::Added
            }
            (Some(true), true, false) => {
                self.assigned.insert(id, false);
                PodEvent::Deleted
            }
            (Some(_), false, _) => {
                self.assigned.remove(&id);
                PodEvent::Deleted
            }
            _ => PodEvent::None,
        }
    }
}

//! Node faults and `kubectl delete pod --force`: what the machine, the kubelet and the person do
//! (the kubelet's part is carried out by the world: [`NodeStep`]).

use super::Applied;
use crate::api::{Event, Heartbeat, NodeId, NodeWrite, Store, Taint, Write};
use crate::engine::SimTime;
use crate::metrics::FaultMark;
use crate::scenario::{FaultAction, NodeFault, PodSelector};

/// kubectl's warning for `--grace-period=0 --force` (staging/src/k8s.io/kubectl/pkg/cmd/delete/delete.go).
pub const FORCE_DELETE_WARNING: &str = "Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.";

/// What the machine or its kubelet does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeStep {
    /// Containers die, the kubelet stops.
    Crash(NodeId),
    /// The kubelet is cut off from the API server.
    Partition(NodeId),
    /// The kubelet is back (after `0` ms more).
    Recover(NodeId, u64),
    /// Graceful node shutdown with this `shutdownGracePeriod`.
    Shutdown(NodeId, u64),
}

pub(crate) fn node_id(store: &Store, name: &str) -> Option<NodeId> {
    store
        .nodes
        .iter()
        .position(|n| n.meta.name == name)
        .map(|i| NodeId(i as u32))
}

/// Applies a node fault to the named nodes; with `repair_ms`, each comes back after that long.
pub fn apply_node(
    fault: &NodeFault,
    names: &[String],
    repair_ms: Option<u64>,
    store: &Store,
    now: SimTime,
) -> Applied {
    let mut out = Applied::default();
    for node in names.iter().filter_map(|n| node_id(store, n)) {
        step(fault, node, store, now, &mut out);
        if let Some(ms) = repair_ms {
            out.nodes.push(NodeStep::Recover(node, ms));
        }
    }
    out.mark = Some(FaultMark {
        at: now,
        action: FaultAction::Node {
            fault: fault.clone(),
            nodes: Vec::new(),
            repair: None,
        }
        .name()
        .to_string(),
        target: names.join(","),
    });
    out
}

fn step(fault: &NodeFault, node: NodeId, store: &Store, now: SimTime, out: &mut Applied) {
    // The Lease is no longer renewed: its renewTime stays at the last renewal.
    let silence = |out: &mut Applied| {
        let last = store.health(node).heartbeat.last_renew(now);
        out.writes.push(Write::Node(NodeWrite::SetHeartbeat {
            node,
            heartbeat: Heartbeat::Stopped { last },
        }));
    };
    match fault {
        NodeFault::Crash => {
            silence(out);
            out.nodes.push(NodeStep::Crash(node));
        }
        NodeFault::Partition => {
            silence(out);
            out.nodes.push(NodeStep::Partition(node));
        }
        NodeFault::Restart { down_ms } => {
            silence(out);
            out.nodes.push(NodeStep::Crash(node));
            out.nodes.push(NodeStep::Recover(node, *down_ms));
        }
        NodeFault::Recover => out.nodes.push(NodeStep::Recover(node, 0)),
        NodeFault::Shutdown { grace_ms } => {
            // The Lease is renewed until the machine powers off.
            let last = store
                .health(node)
                .heartbeat
                .last_renew(now.plus_ms(*grace_ms));
            out.writes.push(Write::Node(NodeWrite::SetHeartbeat {
                node,
                heartbeat: Heartbeat::Stopped { last },
            }));
            out.nodes.push(NodeStep::Shutdown(node, *grace_ms));
        }
        NodeFault::Delete => out.writes.push(Write::Node(NodeWrite::Delete { node })),
        NodeFault::Taint {
            key,
            value,
            effect,
            remove,
        } => out.writes.push(Write::Node(if *remove {
            NodeWrite::RemoveTaint {
                node,
                key: key.clone(),
                effect: effect.clone(),
            }
        } else {
            NodeWrite::AddTaint {
                node,
                taint: Taint::new(key, value, effect),
            }
        })),
        NodeFault::ZoneOutage(inner) => step(inner, node, store, now, out),
    }
}

/// `kubectl delete pod --grace-period=0 --force`: every matching pod, terminating or not, leaves the
/// API at once; kubectl warns that its containers may still run.
pub fn force_delete(selector: &PodSelector, store: &Store, now: SimTime) -> Applied {
    let mut out = Applied::default();
    let pods: Vec<_> = store
        .live_pods
        .iter()
        .copied()
        .filter(|p| {
            let p = &store.pods[p.index()];
            p.meta.namespace == selector.namespace
                && crate::api::selector_matches(&selector.labels, &p.meta.labels)
        })
        .collect();
    let mut names = Vec::new();
    for pod in pods {
        let meta = &store.pods[pod.index()].meta;
        out.events.push(Event::new(
            now,
            "kubectl",
            &meta.namespace,
            &meta.name,
            "ForceDeleteWarning",
            format!("warning: {FORCE_DELETE_WARNING}"),
        ));
        out.writes.push(Write::RemovePod { pod });
        names.push(meta.key());
    }
    out.mark = Some(FaultMark {
        at: now,
        action: "force-delete-pod".into(),
        target: names.join(","),
    });
    out
}

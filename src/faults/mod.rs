//! The scenario's faults and changes, applied like the commands a person types.

pub mod changes;
mod changes_ds;
mod changes_sts;
pub mod drain;
pub mod nodes;
pub mod plan;
mod rollback;

use crate::api::{Event, PodId, Runtime, Store, Write};
use crate::engine::SimTime;
use crate::metrics::FaultMark;
use crate::scenario::{FaultAction, PodSelector};

/// What applying a fault did.
#[derive(Debug, Default)]
pub struct Applied {
    pub writes: Vec<Write>,
    /// Pods whose container was killed outside the kubelet (it notices at its next relist).
    pub killed: Vec<PodId>,
    pub mark: Option<FaultMark>,
    /// A refused change, as a Warning Event with the message kubectl would print.
    pub events: Vec<Event>,
    /// What machines and kubelets do (node faults).
    pub nodes: Vec<nodes::NodeStep>,
}

/// Live, not-terminating pods the selector matches, in creation order.
pub fn select(store: &Store, sel: &PodSelector) -> Vec<PodId> {
    store
        .live_pods
        .iter()
        .copied()
        .filter(|p| {
            let p = &store.pods[p.index()];
            p.meta.namespace == sel.namespace
                && p.meta.deletion.is_none()
                && crate::api::selector_matches(&sel.labels, &p.meta.labels)
        })
        .collect()
}

/// Applies `action` at `now`.
pub fn apply(action: &FaultAction, store: &Store, runtime: &mut Runtime, now: SimTime) -> Applied {
    apply_narrowed(action, store, runtime, now, &mut |pods| pods)
}

/// Applies `action` at `now` to the pods `narrow` keeps of those it selects (`pick: one`).
pub fn apply_narrowed(
    action: &FaultAction,
    store: &Store,
    runtime: &mut Runtime,
    now: SimTime,
    narrow: &mut dyn FnMut(Vec<PodId>) -> Vec<PodId>,
) -> Applied {
    let mut out = Applied::default();
    let targets = match action {
        FaultAction::DeletePod {
            selector,
            grace_period_ms,
        } => {
            let pods = narrow(select(store, selector));
            // `kubectl delete pod`: a graceful DELETE of each.
            out.writes = pods
                .iter()
                .map(|p| Write::DeletePod {
                    pod: *p,
                    grace_period_ms: *grace_period_ms,
                })
                .collect();
            pods
        }
        FaultAction::KillContainer { selector, .. } => {
            // `docker kill`: SIGKILL to the running container; the kubelet is not told.
            let pods: Vec<PodId> = narrow(select(store, selector))
                .into_iter()
                .filter(|p| runtime.kill(*p, now, false))
                .collect();
            out.killed = pods.clone();
            pods
        }
        FaultAction::Cordon { node } | FaultAction::Uncordon { node } => {
            return cordon(action, node, store, now)
        }
        // The drain itself is `drain::Drainer`'s: it runs on after this instant.
        FaultAction::Drain(spec) => return mark(action, spec.nodes.join(","), now),
        FaultAction::Node { fault, nodes, .. } => {
            return nodes::apply_node(fault, nodes, None, store, now)
        }
        FaultAction::ForceDeletePod { selector } => {
            return nodes::force_delete(selector, store, now)
        }
        // What it does to the controller is the world's (`sim::control_plane`).
        FaultAction::ControlPlane(f) => return mark(action, f.target(), now),
        _ => return change(action, store, now),
    };
    let names: Vec<String> = targets
        .iter()
        .map(|p| store.pods[p.index()].meta.key())
        .collect();
    out.mark = Some(FaultMark {
        at: now,
        action: action.name().to_string(),
        target: names.join(","),
    });
    out
}

/// What only marks the fault: its time, action and target.
fn mark(action: &FaultAction, target: String, now: SimTime) -> Applied {
    Applied {
        mark: Some(FaultMark {
            at: now,
            action: action.name().to_string(),
            target,
        }),
        ..Applied::default()
    }
}

/// `kubectl cordon` / `uncordon` of the node called `name`.
fn cordon(action: &FaultAction, name: &str, store: &Store, now: SimTime) -> Applied {
    let mut out = mark(action, name.to_string(), now);
    let Some(node) = store.nodes.iter().position(|n| n.meta.name == name) else {
        return out;
    };
    let mut fx = crate::api::Effects::default();
    let unschedulable = matches!(action, FaultAction::Cordon { .. });
    drain::cordon(
        store,
        crate::api::NodeId(node as u32),
        unschedulable,
        now,
        &mut fx,
    );
    (out.writes, out.events) = (fx.writes, fx.events);
    out
}

/// A change to a named object (`set-image`, `scale`, `rollout-*`, `patch`, `apply`): the writes
/// kubectl sends, or, when it is refused, a Warning Event with kubectl's message and no writes.
fn change(action: &FaultAction, store: &Store, now: SimTime) -> Applied {
    let target = change_target(action);
    let (writes, events) = match changes::writes(action, store, now) {
        Ok(writes) => (writes, Vec::new()),
        Err(e) => {
            let (namespace, name) = target.split_once('/').unwrap_or(("", &target));
            let refused = Event::new(
                now,
                "kubectl",
                namespace,
                name,
                "ChangeRefused",
                format!("{}: {e}", action.name()),
            );
            (Vec::new(), vec![refused])
        }
    };
    Applied {
        writes,
        events,
        mark: Some(FaultMark {
            at: now,
            action: action.name().to_string(),
            target,
        }),
        ..Applied::default()
    }
}

/// `namespace/name` of what a change is aimed at (comma-separated for `apply`).
fn change_target(action: &FaultAction) -> String {
    match action {
        FaultAction::SetImage {
            namespace, name, ..
        }
        | FaultAction::RolloutUndo {
            namespace,
            deployment: name,
            ..
        }
        | FaultAction::RolloutPause {
            namespace,
            deployment: name,
        }
        | FaultAction::RolloutResume {
            namespace,
            deployment: name,
        }
        | FaultAction::Scale {
            namespace, name, ..
        }
        | FaultAction::Patch {
            namespace, name, ..
        } => format!("{namespace}/{name}"),
        FaultAction::Apply { objects } => {
            let key = |o: &crate::manifest::Object| {
                format!("{}/{}", o.namespace().unwrap_or("default"), o.name())
            };
            let keys: Vec<String> = objects.iter().map(|l| key(&l.object)).collect();
            keys.join(",")
        }
        FaultAction::DeletePod { .. }
        | FaultAction::KillContainer { .. }
        | FaultAction::Cordon { .. }
        | FaultAction::Uncordon { .. }
        | FaultAction::Drain(_)
        | FaultAction::Node { .. }
        | FaultAction::ForceDeletePod { .. }
        | FaultAction::ControlPlane(_) => String::new(),
    }
}

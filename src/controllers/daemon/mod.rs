//! The DaemonSet controller (kk:pkg/controller/daemon): one pod per eligible node, scheduled by the
//! default scheduler through a node affinity term naming the node, replaced by RollingUpdate or OnDelete.
//
// `util` is `NodeShouldRunDaemonPod`, `NewPod` and daemon/util; `control` is `manage` /
// `podsShouldBeOnNode` and update.go's `rollingUpdate` as pure decisions; this file is `syncDaemonSet`
// over the store and `updateDaemonSetStatus`.

pub mod control;
pub mod util;

#[cfg(test)]
mod tests;

use crate::api::{
    DaemonSet, DaemonSetStatus, DsId, DsUpdateStrategy, Effects, Event, NodeId, Owner, PodId,
    Store, Write,
};
use crate::engine::SimTime;
use control::{Actions, PodView, Slot};
use std::collections::BTreeMap;

/// A DaemonSet's delayed requeue (`enqueueDaemonSetAfter`, for minReadySeconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requeue(pub DsId);

/// `syncDaemonSet`: manage the nodes' pods, then (when manage had nothing to do, i.e. its
/// expectations are satisfied) the rolling update, then the status.
pub fn sync(store: &Store, id: DsId, now: SimTime) -> Effects<Requeue> {
    let mut fx = Effects::default();
    let ds = &store.daemon_sets[id.index()];
    if !ds.meta.exists() || ds.meta.deletion.is_some() {
        return fx;
    }
    let hash = util::template_hash(ds);
    let (slots, orphans) = slots(store, id, &hash, now);
    let mut actions = control::manage(&slots, surge_of(ds, &slots) > 0);
    // `getUnscheduledPodsWithoutNode`: pods meant for nodes that no longer exist.
    actions.delete.extend(orphans);
    if actions.is_empty() {
        if let DsUpdateStrategy::RollingUpdate { .. } = ds.update_strategy {
            let (max_surge, max_unavailable) = desired_counts(ds, &slots);
            actions = control::rolling_update(&slots, max_unavailable, max_surge);
        }
    }
    apply(store, id, &hash, &actions, now, &mut fx);
    let status = status(ds, &slots);
    if status != ds.status {
        fx.write(Write::SetDaemonSetStatus { ds: id, status });
    }
    // Resync after minReadySeconds while ready pods are not yet available.
    if ds.min_ready_ms > 0 && status.number_ready != status.number_available {
        fx.timer(now.plus_ms(ds.min_ready_ms), Requeue(id));
    }
    fx
}

/// Each live node with the set's pods meant for it, and the unscheduled pods meant for gone nodes.
fn slots(store: &Store, id: DsId, hash: &str, now: SimTime) -> (Vec<Slot>, Vec<u32>) {
    let ds = &store.daemon_sets[id.index()];
    let mut by_node: BTreeMap<NodeId, Vec<PodView>> = BTreeMap::new();
    let mut orphans = Vec::new();
    for p in store.pods_of(Owner::DaemonSet(id)) {
        let pod = &store.pods[p.index()];
        let terminal = matches!(
            pod.phase,
            crate::api::PodPhase::Succeeded | crate::api::PodPhase::Failed
        );
        if terminal && pod.meta.deletion.is_some() {
            continue;
        }
        let Some(node) = util::target_node(pod, &store.nodes) else {
            continue;
        };
        if !store.nodes[node.index()].meta.exists() {
            if pod.node.is_none() {
                orphans.push(p.0);
            }
            continue;
        }
        by_node
            .entry(node)
            .or_default()
            .push(view(store, p, ds, hash, now));
    }
    let slots = (0..store.nodes.len() as u32)
        .map(NodeId)
        .filter(|n| store.nodes[n.index()].meta.exists())
        .map(|n| {
            let (should_run, should_continue) = util::should_run(&store.nodes[n.index()], ds);
            let mut pods = by_node.remove(&n).unwrap_or_default();
            control::sort_pods(&mut pods);
            Slot {
                node: n,
                should_run,
                should_continue,
                pods,
            }
        })
        .collect();
    (slots, orphans)
}

fn view(store: &Store, p: PodId, ds: &DaemonSet, hash: &str, now: SimTime) -> PodView {
    let pod = &store.pods[p.index()];
    PodView {
        key: p.0,
        name: pod.meta.name.clone(),
        created: pod.meta.created,
        scheduled: pod.node.is_some(),
        updated: pod.meta.labels.get(util::HASH_LABEL).map(String::as_str) == Some(hash),
        ready: pod.ready,
        available: pod.is_available(ds.min_ready_ms, now),
        terminating: pod.meta.deletion.is_some(),
        phase: pod.phase,
    }
}

fn surge_of(ds: &DaemonSet, slots: &[Slot]) -> u32 {
    desired_counts(ds, slots).0
}

/// `updatedDesiredNodeCounts`: maxSurge and maxUnavailable scaled to the desired number of nodes
/// (rounding up); both zero means maxUnavailable 1.
fn desired_counts(ds: &DaemonSet, slots: &[Slot]) -> (u32, u32) {
    let DsUpdateStrategy::RollingUpdate {
        max_unavailable,
        max_surge,
    } = &ds.update_strategy
    else {
        return (0, 0);
    };
    let desired = slots.iter().filter(|s| s.should_run).count() as u32;
    let surge = control::scaled(max_surge, desired);
    let mut unavailable = control::scaled(max_unavailable, desired);
    if desired > 0 && surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable)
}

/// `syncNodes`: create a pod for each node, delete the others, with the pod control's Events.
fn apply(
    store: &Store,
    id: DsId,
    hash: &str,
    actions: &Actions,
    now: SimTime,
    fx: &mut Effects<Requeue>,
) {
    let ds = &store.daemon_sets[id.index()];
    let event = |reason: &str, message: String| {
        Event::new(
            now,
            "DaemonSet",
            &ds.meta.namespace,
            &ds.meta.name,
            reason,
            message,
        )
    };
    for (p, phase) in &actions.finished {
        let pod = &store.pods[*p as usize];
        let node = pod
            .node
            .map_or("", |n| store.nodes[n.index()].meta.name.as_str());
        let (reason, what) = match phase {
            crate::api::PodPhase::Failed => ("FailedDaemonPod", "failed daemon pod"),
            _ => ("SucceededDaemonPod", "succeeded daemon pod"),
        };
        let msg = format!(
            "Found {what} {}/{} on node {node}, will try to kill it",
            pod.meta.namespace, pod.meta.name
        );
        fx.event(event(reason, msg));
    }
    for node in &actions.create_on {
        let name = &store.nodes[node.index()].meta.name;
        fx.write(Write::CreatePod {
            namespace: ds.meta.namespace.clone(),
            generate_name: format!("{}-", ds.meta.name),
            owner: Owner::DaemonSet(id),
            template: util::pod_template(ds, hash, name),
        });
    }
    for p in &actions.delete {
        fx.write(Write::DeletePod {
            pod: PodId(*p),
            grace_period_ms: None,
        });
        let name = &store.pods[*p as usize].meta.name;
        fx.event(event("SuccessfulDelete", format!("Deleted pod: {name}")));
    }
}

/// `updateDaemonSetStatus`: counted over the live nodes, each by its oldest pod.
fn status(ds: &DaemonSet, slots: &[Slot]) -> DaemonSetStatus {
    let mut s = DaemonSetStatus {
        observed_generation: ds.meta.generation,
        ..Default::default()
    };
    for slot in slots {
        let oldest = slot.pods.first();
        match (slot.should_run, oldest) {
            (false, Some(_)) => s.number_misscheduled += 1,
            (false, None) => {}
            (true, None) => s.desired_number_scheduled += 1,
            (true, Some(pod)) => {
                s.desired_number_scheduled += 1;
                s.current_number_scheduled += 1;
                s.number_ready += u32::from(pod.ready);
                s.number_available += u32::from(pod.ready && pod.available);
                s.updated_number_scheduled += u32::from(pod.updated);
            }
        }
    }
    s.number_unavailable = s.desired_number_scheduled - s.number_available;
    s
}

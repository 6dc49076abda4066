//! The node lifecycle controller (kk:pkg/controller/nodelifecycle/node_lifecycle_controller.go): marks a
//! node whose kubelet went silent Ready=Unknown after `node-monitor-grace-period`, marks its pods not
//! ready, and taints not-ready and unreachable nodes (NoSchedule at once, NoExecute through the per-zone
//! rate-limited tainter).
//!
//! `monitorNodeHealth` runs every `--node-monitor-period` (5 s). It is not ticked: a pass is scheduled at
//! the first 5 s tick after the grace period of a node whose Lease stopped would expire, and at the next
//! tick after a node's Ready condition or taints changed; healthy clusters cost no events.

pub mod zone;

use crate::api::node_health::{TAINT_NOT_READY, TAINT_UNREACHABLE};
use crate::api::{
    ConditionStatus, Effects, Event, Heartbeat, NodeId, NodeWrite, PodStatus, Store, Taint, Write,
};
use crate::engine::SimTime;
use std::collections::{BTreeMap, BTreeSet};
use zone::{zone_state, EvictionRates, Tainter, ZoneState};

/// `--node-monitor-period` (kk:pkg/controller/nodelifecycle/config/v1alpha1/defaults.go).
pub const NODE_MONITOR_PERIOD_MS: u64 = 5_000;
/// `nodeEvictionPeriod`: how often `doNoExecuteTaintingPass` runs (node_lifecycle_controller.go).
pub const NODE_EVICTION_PERIOD_MS: u64 = 100;

/// A timer of the node lifecycle controller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timer {
    /// A `monitorNodeHealth` pass.
    Monitor,
    /// `doNoExecuteTaintingPass` for the zone.
    Taint(String),
}

/// The controller's memory: the Ready status it last observed per node, the zones' tainters.
#[derive(Debug, Default)]
pub struct NodeLifecycle {
    observed: BTreeMap<NodeId, ConditionStatus>,
    zones: BTreeMap<String, Tainter>,
    /// Passes already in the calendar.
    passes: BTreeSet<SimTime>,
    rates: EvictionRates,
    /// Mutant `nodelifecycle-force-delete` (testing only): force-delete the pods of a node as soon as it
    /// is not Ready, as the node controller did before kubernetes/kubernetes#35145 was fixed.
    pub force_delete_pods: bool,
}

/// The zone key of a node (`nodetopology.GetZoneKey`: region and zone labels).
pub fn zone_of(store: &Store, node: NodeId) -> String {
    let labels = &store.nodes[node.index()].meta.labels;
    let get = |k: &str| labels.get(k).cloned().unwrap_or_default();
    let (region, zone) = (
        get("topology.kubernetes.io/region"),
        get(crate::api::ZONE_LABEL),
    );
    if region.is_empty() && zone.is_empty() {
        String::new()
    } else {
        format!("{region}:\x00:{zone}")
    }
}

fn live_nodes(store: &Store) -> impl Iterator<Item = NodeId> + '_ {
    (0..store.nodes.len() as u32)
        .map(NodeId)
        .filter(|n| store.nodes[n.index()].meta.exists())
}

impl NodeLifecycle {
    /// A node changed (watch handler): schedule a pass when its health may need acting on.
    pub fn on_node_change(
        &mut self,
        store: &Store,
        node: NodeId,
        at: SimTime,
        grace_ms: u64,
    ) -> Effects<Timer> {
        let mut fx = Effects::default();
        let n = &store.nodes[node.index()];
        if !n.meta.exists() {
            return fx;
        }
        let h = store.health(node);
        // `doNoScheduleTaintingPass` runs on every node update, not on the monitor's passes.
        no_schedule_taints(store, node, h.ready, &mut fx);
        let observed = self
            .observed
            .get(&node)
            .copied()
            .unwrap_or(ConditionStatus::True);
        let tainted = n
            .taints
            .iter()
            .any(|t| t.key == TAINT_UNREACHABLE || t.key == TAINT_NOT_READY);
        if h.ready != observed || (tainted && h.ready == ConditionStatus::True) {
            self.pass_at(
                crate::controllers::next_tick(at, NODE_MONITOR_PERIOD_MS),
                &mut fx,
            );
        }
        if let (Heartbeat::Stopped { last }, false) =
            (h.heartbeat, h.ready == ConditionStatus::Unknown)
        {
            let expiry = last.plus_ms(grace_ms + 1);
            self.pass_at(
                crate::controllers::next_tick(expiry, NODE_MONITOR_PERIOD_MS),
                &mut fx,
            );
        }
        fx
    }

    fn pass_at(&mut self, at: SimTime, fx: &mut Effects<Timer>) {
        if self.passes.insert(at) {
            fx.timer(at, Timer::Monitor);
        }
    }

    /// A timer fired.
    pub fn on_timer(
        &mut self,
        store: &Store,
        timer: Timer,
        now: SimTime,
        grace_ms: u64,
    ) -> Effects<Timer> {
        match timer {
            Timer::Monitor => {
                self.passes.remove(&now);
                self.monitor(store, now, grace_ms)
            }
            Timer::Taint(zone) => self.taint_pass(store, &zone, now),
        }
    }

    /// `monitorNodeHealth`: conditions, pods not ready, NoSchedule taints, zone states, NoExecute queue.
    fn monitor(&mut self, store: &Store, now: SimTime, grace_ms: u64) -> Effects<Timer> {
        let mut fx = Effects::default();
        let mut statuses = Vec::new();
        for node in live_nodes(store) {
            let status = self.try_update_node_health(store, node, now, grace_ms, &mut fx);
            self.on_transition(store, node, status, now, &mut fx);
            no_schedule_taints(store, node, status, &mut fx);
            statuses.push((node, status));
        }
        let all_full = self.handle_disruption(store, &statuses, &mut fx);
        for (node, status) in statuses {
            if !all_full {
                self.process_taint_based_eviction(store, node, status, &mut fx);
            }
        }
        self.schedule_taint_passes(now, &mut fx);
        fx
    }

    /// `tryUpdateNodeHealth`: Ready becomes Unknown when the Lease was not renewed within the grace period.
    fn try_update_node_health(
        &mut self,
        store: &Store,
        node: NodeId,
        now: SimTime,
        grace_ms: u64,
        fx: &mut Effects<Timer>,
    ) -> ConditionStatus {
        let h = store.health(node);
        let probe = h.heartbeat.last_renew(now);
        if h.ready == ConditionStatus::Unknown || now <= probe.plus_ms(grace_ms) {
            return h.ready;
        }
        // "Kubelet stopped posting node status." (nodeConditionUnknownReason, NodeStatusUnknown)
        fx.write(Write::Node(NodeWrite::SetReady {
            node,
            status: ConditionStatus::Unknown,
            reason: "NodeStatusUnknown",
        }));
        ConditionStatus::Unknown
    }

    /// On Ready True → not True: event NodeNotReady and `MarkPodsNotReady` (kk:pkg/controller/util/node/controller_utils.go).
    fn on_transition(
        &mut self,
        store: &Store,
        node: NodeId,
        status: ConditionStatus,
        now: SimTime,
        fx: &mut Effects<Timer>,
    ) {
        let was = self.observed.insert(node, status);
        let was_ready = was.unwrap_or(ConditionStatus::True) == ConditionStatus::True;
        if !was_ready || status == ConditionStatus::True {
            return;
        }
        let name = &store.nodes[node.index()].meta.name;
        fx.event(Event::new(
            now,
            "Node",
            "",
            name,
            "NodeNotReady",
            format!("Node {name} status is now: NodeNotReady"),
        ));
        for pod in store.pods_on_node(node) {
            let p = &store.pods[pod.index()];
            if !p.ready {
                continue;
            }
            fx.write(Write::SetPodStatus {
                pod,
                status: PodStatus {
                    phase: p.phase,
                    container: p.container,
                    ready: false,
                    ip: p.ip,
                    restarts: p.restarts,
                },
            });
            fx.event(Event::pod(
                now,
                &p.meta,
                "NodeNotReady",
                "Node is not ready".into(),
            ));
        }
        if self.force_delete_pods {
            force_delete_pods(store, node, now, fx);
        }
    }

    /// `handleDisruption`: each zone's state and tainter rate; true when every zone is fully
    /// disrupted ("master disruption mode": all NoExecute taints removed, evictions stopped).
    fn handle_disruption(
        &mut self,
        store: &Store,
        statuses: &[(NodeId, ConditionStatus)],
        fx: &mut Effects<Timer>,
    ) -> bool {
        let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for (node, status) in statuses {
            if store.nodes[node.index()]
                .meta
                .labels
                .contains_key("node.kubernetes.io/exclude-disruption")
            {
                continue;
            }
            let c = counts.entry(zone_of(store, *node)).or_default();
            match status {
                ConditionStatus::True => c.0 += 1,
                _ => c.1 += 1,
            }
        }
        let states: BTreeMap<&String, ZoneState> = counts
            .iter()
            .map(|(z, (r, n))| (z, zone_state(*r, *n, self.rates.unhealthy_zone_threshold)))
            .collect();
        let all_full =
            !states.is_empty() && states.values().all(|s| *s == ZoneState::FullDisruption);
        for (zone, state) in &states {
            let size = counts[*zone].0 + counts[*zone].1;
            let t = self.zones.entry((*zone).clone()).or_default();
            t.set_rate(*state, size, &self.rates);
            if all_full {
                t.interval_ms = None;
                t.queue.clear();
            }
        }
        if all_full {
            for (node, _) in statuses {
                remove_no_execute(store, *node, fx);
            }
        }
        all_full
    }

    /// `processTaintBaseEviction`: swap the NoExecute taint at once if the other one is there, queue
    /// the node for tainting, or (Ready) remove the taints and the node from the queue.
    fn process_taint_based_eviction(
        &mut self,
        store: &Store,
        node: NodeId,
        status: ConditionStatus,
        fx: &mut Effects<Timer>,
    ) {
        let taints = &store.nodes[node.index()].taints;
        let has = |key: &str| {
            taints
                .iter()
                .any(|t| t.key == key && t.effect == "NoExecute")
        };
        let zone = self.zones.entry(zone_of(store, node)).or_default();
        let (want, other) = match status {
            ConditionStatus::True => {
                zone.queue.retain(|n| *n != node);
                remove_no_execute(store, node, fx);
                return;
            }
            ConditionStatus::False => (TAINT_NOT_READY, TAINT_UNREACHABLE),
            ConditionStatus::Unknown => (TAINT_UNREACHABLE, TAINT_NOT_READY),
        };
        if has(want) {
            return;
        }
        if has(other) {
            swap_taint(node, want, other, fx);
        } else if !zone.queue.contains(&node) {
            zone.queue.push(node);
        }
    }

    fn schedule_taint_passes(&mut self, now: SimTime, fx: &mut Effects<Timer>) {
        for (zone, t) in &self.zones {
            if let Some(at) = t.next_try() {
                let at = crate::controllers::next_tick(at.max(now), NODE_EVICTION_PERIOD_MS);
                fx.timer(at, Timer::Taint(zone.clone()));
            }
        }
    }

    /// `doNoExecuteTaintingPass` for one zone: the nodes the rate limiter lets through get the
    /// NoExecute taint their Ready condition calls for now.
    fn taint_pass(&mut self, store: &Store, zone: &str, now: SimTime) -> Effects<Timer> {
        let mut fx = Effects::default();
        let Some(t) = self.zones.get_mut(zone) else {
            return fx;
        };
        for node in t.take(now) {
            let n = &store.nodes[node.index()];
            let (want, other) = match store.health(node).ready {
                ConditionStatus::True => continue,
                ConditionStatus::False => (TAINT_NOT_READY, TAINT_UNREACHABLE),
                ConditionStatus::Unknown => (TAINT_UNREACHABLE, TAINT_NOT_READY),
            };
            if n.meta.exists() {
                swap_taint(node, want, other, &mut fx);
            }
        }
        if let Some(at) = t.next_try() {
            let at = crate::controllers::next_tick(at.max(now.plus_ms(1)), NODE_EVICTION_PERIOD_MS);
            fx.timer(at, Timer::Taint(zone.to_string()));
        }
        fx
    }
}

/// `SwapNodeControllerTaint`: add `want:NoExecute`, remove `other:NoExecute`.
fn swap_taint(node: NodeId, want: &str, other: &str, fx: &mut Effects<Timer>) {
    fx.write(Write::Node(NodeWrite::AddTaint {
        node,
        taint: Taint::new(want, "", "NoExecute"),
    }));
    fx.write(Write::Node(NodeWrite::RemoveTaint {
        node,
        key: other.into(),
        effect: "NoExecute".into(),
    }));
}

/// `markNodeAsReachable`: both NoExecute taints removed.
fn remove_no_execute(store: &Store, node: NodeId, fx: &mut Effects<Timer>) {
    for key in [TAINT_UNREACHABLE, TAINT_NOT_READY] {
        if store.nodes[node.index()]
            .taints
            .iter()
            .any(|t| t.key == key && t.effect == "NoExecute")
        {
            fx.write(Write::Node(NodeWrite::RemoveTaint {
                node,
                key: key.into(),
                effect: "NoExecute".into(),
            }));
        }
    }
}

/// `doNoScheduleTaintingPass` (TaintNodesByCondition): `not-ready:NoSchedule` while Ready is False,
/// `unreachable:NoSchedule` while Unknown, neither while True.
fn no_schedule_taints(
    store: &Store,
    node: NodeId,
    status: ConditionStatus,
    fx: &mut Effects<Timer>,
) {
    let want = match status {
        ConditionStatus::True => None,
        ConditionStatus::False => Some(TAINT_NOT_READY),
        ConditionStatus::Unknown => Some(TAINT_UNREACHABLE),
    };
    let taints = &store.nodes[node.index()].taints;
    for key in [TAINT_UNREACHABLE, TAINT_NOT_READY] {
        let has = taints
            .iter()
            .any(|t| t.key == key && t.effect == "NoSchedule");
        if has && want != Some(key) {
            fx.write(Write::Node(NodeWrite::RemoveTaint {
                node,
                key: key.into(),
                effect: "NoSchedule".into(),
            }));
        } else if !has && want == Some(key) {
            fx.write(Write::Node(NodeWrite::AddTaint {
                node,
                taint: Taint::new(key, "", "NoSchedule"),
            }));
        }
    }
}

/// The mutant of kubernetes/kubernetes#35145: `forcefullyDeletePod` of every pod bound to a node that
/// stopped being Ready, whether or not its containers still run there (testing the checker only).
fn force_delete_pods(store: &Store, node: NodeId, now: SimTime, fx: &mut Effects<Timer>) {
    for pod in store.pods_on_node(node) {
        let p = &store.pods[pod.index()];
        fx.write(Write::RemovePod { pod });
        let msg = "Deleting pod from a NotReady node".to_string();
        fx.event(Event::pod(now, &p.meta, "NodeControllerEviction", msg));
    }
}

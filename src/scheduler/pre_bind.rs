//! VolumeBinding's Reserve and PreBind in the binding cycle (kk:pkg/scheduler/schedule_one.go
//! `bindingCycle`; volumebinding/binder.go `BindPodVolumes`): the claims' API updates are written, and the
//! pod is bound to its node only once every claim is bound. The wait is not ticked: a claim's change
//! re-enqueues the pod (src/sim/notify_volumes.rs), and its next cycle finds the claims bound.

use super::cycle::Cycle;
use super::{volume_binding, QueueTimer, Scheduler};
use crate::api::node_usage::Requested;
use crate::api::{Effects, Event, NodeId, PodId, Store, Write};
use crate::engine::SimTime;
use std::collections::BTreeMap;

impl Scheduler {
    /// Reserve and PreBind on the chosen node: None when the pod's claims are all bound (bind now);
    /// else the claims' writes, and the pod waits for them.
    pub(super) fn reserve_volumes(
        &mut self,
        cycle: &Cycle,
        node: NodeId,
    ) -> Option<Effects<QueueTimer>> {
        let vols = cycle.volumes.as_ref().ok()?;
        let decisions = volume_binding::find_pod_volumes(cycle.store, vols, node).ok()?;
        if decisions.static_bindings.is_empty() && decisions.provisions.is_empty() {
            return None;
        }
        let mut fx = Effects::default();
        for w in volume_binding::pre_bind_writes(cycle.store, &decisions, node) {
            fx.write(w);
        }
        self.waiting_for_volumes.insert(cycle.id, node);
        Some(fx)
    }

    /// What the pods waiting in PreBind request, per node they are assumed on (live, unbound ones).
    pub(super) fn assumed(&self, store: &Store) -> BTreeMap<NodeId, Requested> {
        let mut assumed: BTreeMap<NodeId, Requested> = BTreeMap::new();
        for (pod, node) in &self.waiting_for_volumes {
            let p = &store.pods[pod.index()];
            if p.meta.exists() && p.node.is_none() {
                let sum = assumed.entry(*node).or_default();
                *sum = sum.plus(&Requested::of(&p.spec));
            }
        }
        assumed
    }

    /// A pod waiting in PreBind was re-enqueued: bound to its node once its claims are bound, else it
    /// keeps waiting (None: it is not waiting).
    pub(super) fn resume_pre_bind(
        &mut self,
        store: &Store,
        pod: PodId,
        now: SimTime,
    ) -> Option<Effects<QueueTimer>> {
        let node = *self.waiting_for_volumes.get(&pod)?;
        if !volume_binding::all_bound(store, &store.pods[pod.index()]) {
            return Some(Effects::default());
        }
        self.waiting_for_volumes.remove(&pod);
        Some(bind(store, pod, node, now))
    }
}

/// The Binding and its `Scheduled` Event.
pub(super) fn bind(store: &Store, pod: PodId, node: NodeId, now: SimTime) -> Effects<QueueTimer> {
    let mut fx = Effects::default();
    let p = &store.pods[pod.index()];
    let node_name = &store.nodes[node.index()].meta.name;
    fx.event(Event::pod(
        now,
        &p.meta,
        "Scheduled",
        format!(
            "Successfully assigned {}/{} to {node_name}",
            p.meta.namespace, p.meta.name
        ),
    ));
    fx.write(Write::BindPod { pod, node });
    fx
}

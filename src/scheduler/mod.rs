//! kube-scheduler: a queue of unscheduled pods, the filter and score plugins, and binding.
//!
//! Plugins modelled (kk:pkg/scheduler/framework/plugins), in the default profile's order: NodeUnschedulable,
//! TaintToleration (filter), NodeAffinity (nodeSelector and required terms; preferred terms score, weight
//! 2), NodeResourcesFit (filter; LeastAllocated score), PodTopologySpread (DoNotSchedule filter;
//! ScheduleAnyway and system default constraints score, weight 2), InterPodAffinity (required terms and
//! existing pods' anti-affinity filter; preferred terms score, weight 2), NodeResourcesBalancedAllocation
//! and ImageLocality (scores), VolumeBinding (PreFilter, Filter, and a PreBind that binds the pod only once
//! its WaitForFirstConsumer claims are bound; `volume_binding`, `pre_bind`) and VolumeZone (filter). Ties
//! among the best nodes are broken uniformly at random like `selectHost`.
//! A pod that fits no node gets the FailedScheduling Event upstream writes (`fit_error`) and waits in
//! the scheduling queue (`queue`) until a cluster event its rejecting plugins registered for
//! (`events`, seen through `informer`) or the 5-minute flush moves it back, after its back-off.

mod cycle;
pub mod events;
mod events_handlers;
pub mod fit_error;
mod informer;
pub mod interpod_affinity;
#[cfg(test)]
mod interpod_affinity_tests;
pub mod node_affinity;
pub mod plugins;
mod pre_bind;
pub mod queue;
#[cfg(test)]
mod queue_tests;
mod score;
mod spread_score;
#[cfg(test)]
pub(crate) mod test_support;
pub mod topology_spread;
#[cfg(test)]
mod topology_spread_tests;
pub mod volume_binding;
#[cfg(test)]
mod volume_binding_tests;
pub mod volume_zone;

use crate::api::{Effects, Event, NodeId, PodId, Store};
use crate::engine::SimTime;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

pub use queue::{QueueConfig, QueueFull, QueueTimer};

/// The scheduler: its informer view, its scheduling queue, and the scheduling cycle.
#[derive(Debug, Default)]
pub struct Scheduler {
    pub queue: queue::SchedulingQueue,
    informer: informer::Informer,
    pub config: QueueConfig,
    /// Pods in VolumeBinding's PreBind, waiting on the node they were given for their claims to bind.
    waiting_for_volumes: BTreeMap<PodId, NodeId>,
    /// Where the next cycle starts checking nodes (`nextStartNodeIndex`, kk:pkg/scheduler/schedule_one.go).
    next_start_node_index: usize,
}

impl Scheduler {
    /// A scheduler with the queue timings `config`.
    pub fn new(config: QueueConfig) -> Self {
        Scheduler {
            config,
            ..Default::default()
        }
    }

    /// One scheduling cycle for `pod` if it is in activeQ: filter, score, pick, bind; or report
    /// FailedScheduling and put it in unschedulablePods (schedule_one.go `handleSchedulingFailure`).
    pub fn schedule(
        &mut self,
        store: &Store,
        pod: PodId,
        rng: &mut ChaCha8Rng,
        now: SimTime,
    ) -> Effects<QueueTimer> {
        let mut fx = Effects::default();
        let p = &store.pods[pod.index()];
        if !p.meta.exists() || p.node.is_some() || p.meta.deletion.is_some() {
            self.queue.forget(pod);
            self.waiting_for_volumes.remove(&pod);
            return fx;
        }
        if let Some(fx) = self.resume_pre_bind(store, pod, now) {
            return fx;
        }
        if !self.queue.pop(pod) {
            return fx;
        }
        let cycle = cycle::Cycle::with_assumed(store, pod, self.assumed(store));
        let plugins::Filtered {
            feasible,
            rejections,
            processed,
        } = plugins::filter(&cycle, self.next_start_node_index);
        if !cycle.nodes.is_empty() {
            self.next_start_node_index =
                (self.next_start_node_index + processed) % cycle.nodes.len();
        }
        let totals = score::totals(&cycle, &feasible);
        let Some(node) = pick(&feasible, &totals, rng) else {
            let rejectors = fit_error::rejectors(&rejections);
            let moves = self.queue.failed(pod, rejectors, now, &self.config);
            let msg = cycle.failure_message(&rejections);
            fx.event(Event::pod(now, &p.meta, "FailedScheduling", msg));
            for (at, t) in moves.timers {
                fx.timer(at, t);
            }
            return fx;
        };
        self.queue.forget(pod);
        if let Some(fx) = self.reserve_volumes(&cycle, node) {
            return fx;
        }
        pre_bind::bind(store, pod, node, now)
    }
}

/// The highest-scoring node; ties broken uniformly at random (reservoir sampling, schedule_one.go `selectHost`).
fn pick(feasible: &[NodeId], totals: &[i64], rng: &mut ChaCha8Rng) -> Option<NodeId> {
    let mut best: Option<(i64, NodeId)> = None;
    let mut ties = 0u32;
    for (node, score) in feasible.iter().zip(totals.iter().copied()) {
        match best {
            Some((b, _)) if score < b => {}
            Some((b, _)) if score == b => {
                ties += 1;
                if rng.random_range(0..ties + 1) == 0 {
                    best = Some((score, *node));
                }
            }
            _ => {
                best = Some((score, *node));
                ties = 0;
            }
        }
    }
    best.map(|(_, n)| n)
}

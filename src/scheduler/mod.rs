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
//! A pod that fits no node gets the FailedScheduling Event upstream writes (`fit_error`) and is retried
//! after its back-off.

mod cycle;
pub mod fit_error;
pub mod interpod_affinity;
#[cfg(test)]
mod interpod_affinity_tests;
pub mod node_affinity;
pub mod plugins;
mod pre_bind;
mod score;
mod spread_score;
#[cfg(test)]
mod test_support;
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

/// Retry a pod that did not fit (its back-off expired).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry(pub PodId);

/// The scheduler's per-pod back-off (`podInitialBackoffSeconds` 1, `podMaxBackoffSeconds` 10).
#[derive(Debug, Default)]
pub struct Scheduler {
    attempts: BTreeMap<PodId, u32>,
    /// Until when a pod that did not fit waits in the back-off queue: an event that would move it
    /// (a claim's change) meanwhile leaves it there, and its retry timer brings it back
    /// (kk:pkg/scheduler/backend/queue/scheduling_queue.go `moveToActiveQ` / `isPodBackingoff`).
    backoff_until: BTreeMap<PodId, SimTime>,
    /// Pods in VolumeBinding's PreBind, waiting on the node they were given for their claims to bind.
    waiting_for_volumes: BTreeMap<PodId, NodeId>,
}

impl Scheduler {
    /// One scheduling cycle for `pod`: filter, score, pick, bind (or report FailedScheduling and back off).
    pub fn schedule(
        &mut self,
        store: &Store,
        pod: PodId,
        backoff: (u64, u64),
        rng: &mut ChaCha8Rng,
        now: SimTime,
    ) -> Effects<Retry> {
        let mut fx = Effects::default();
        let p = &store.pods[pod.index()];
        if !p.meta.exists() || p.node.is_some() || p.meta.deletion.is_some() {
            self.attempts.remove(&pod);
            self.backoff_until.remove(&pod);
            self.waiting_for_volumes.remove(&pod);
            return fx;
        }
        if let Some(fx) = self.resume_pre_bind(store, pod, now) {
            return fx;
        }
        if self
            .backoff_until
            .get(&pod)
            .is_some_and(|until| now < *until)
        {
            return fx;
        }
        let cycle = cycle::Cycle::new(store, pod);
        let (feasible, rejections) = plugins::filter(&cycle);
        let totals = score::totals(&cycle, &feasible);
        let Some(node) = pick(&feasible, &totals, rng) else {
            let n = self.attempts.entry(pod).or_insert(0);
            *n += 1;
            let wait_ms = (backoff.0 << (*n - 1).min(20)).min(backoff.1);
            self.backoff_until.insert(pod, now.plus_ms(wait_ms));
            let msg = cycle.failure_message(&rejections);
            fx.event(Event::pod(now, &p.meta, "FailedScheduling", msg));
            fx.timer(now.plus_ms(wait_ms), Retry(pod));
            return fx;
        };
        self.attempts.remove(&pod);
        self.backoff_until.remove(&pod);
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

//! kube-scheduler: a queue of unscheduled pods, the filter and score plugins, and binding.
//!
//! Plugins modelled (kk:pkg/scheduler/framework/plugins): NodeUnschedulable, NodeName, TaintToleration
//! (filter), NodeAffinity (nodeSelector), NodeResourcesFit (filter; LeastAllocated score),
//! NodeResourcesBalancedAllocation and ImageLocality (scores). Ties among the best nodes are broken
//! uniformly at random like `selectHost`.

pub mod plugins;

use crate::api::{Effects, Event, NodeId, PodId, Store, Write};
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
            return fx;
        }
        let (feasible, reasons) = plugins::filter(store, pod);
        let Some(node) = pick(store, pod, &feasible, rng) else {
            let n = self.attempts.entry(pod).or_insert(0);
            *n += 1;
            let wait_ms = (backoff.0 << (*n - 1).min(20)).min(backoff.1);
            let msg = plugins::failure_message(store.nodes.len(), &reasons);
            fx.event(Event::pod(now, &p.meta, "FailedScheduling", msg));
            fx.timer(now.plus_ms(wait_ms), Retry(pod));
            return fx;
        };
        self.attempts.remove(&pod);
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
}

/// The highest-scoring node; ties broken uniformly at random (reservoir sampling, schedule_one.go `selectHost`).
fn pick(store: &Store, pod: PodId, feasible: &[NodeId], rng: &mut ChaCha8Rng) -> Option<NodeId> {
    let mut best: Option<(u64, NodeId)> = None;
    let mut ties = 0u32;
    for node in feasible {
        let score = plugins::score(store, pod, *node);
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

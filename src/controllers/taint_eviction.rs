//! The taint eviction controller (kk:pkg/controller/tainteviction/taint_eviction.go, the former
//! NoExecuteTaintManager): deletes pods from nodes with NoExecute taints they do not tolerate, or
//! tolerate only for `tolerationSeconds`.

use crate::api::{Effects, Event, NodeId, PodId, Store, Taint, Toleration, Write};
use crate::engine::SimTime;
use std::collections::BTreeMap;

/// An eviction due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evict(pub PodId, pub SimTime);

/// The scheduled evictions (`taintEvictionQueue`): pod → (created, trigger).
#[derive(Debug, Default)]
pub struct TaintEviction {
    scheduled: BTreeMap<PodId, (SimTime, SimTime)>,
}

/// `getMinTolerationTime` over the tolerations used: None tolerates forever; 0 or less is at once.
fn min_toleration_ms(used: &[&Toleration]) -> Option<u64> {
    if used.is_empty() {
        return Some(0);
    }
    used.iter()
        .filter_map(|t| t.toleration_seconds)
        .min()
        .map(|s| s * 1_000)
}

/// `GetMatchingTolerations`: the first toleration of each taint, or None if one is not tolerated.
fn matching<'p>(taints: &[&Taint], tolerations: &'p [Toleration]) -> Option<Vec<&'p Toleration>> {
    taints
        .iter()
        .map(|taint| tolerations.iter().find(|t| t.tolerates(taint)))
        .collect()
}

impl TaintEviction {
    /// A node's taints changed: every pod on it is looked at again.
    pub fn on_node_change(&mut self, store: &Store, node: NodeId, now: SimTime) -> Effects<Evict> {
        let mut fx = Effects::default();
        let pods: Vec<PodId> = store.pods_on_node(node).collect();
        for pod in pods {
            self.process_pod(store, pod, now, &mut fx);
        }
        fx
    }

    /// A pod changed (`handlePodUpdate`).
    pub fn on_pod_change(&mut self, store: &Store, pod: PodId, now: SimTime) -> Effects<Evict> {
        let mut fx = Effects::default();
        self.process_pod(store, pod, now, &mut fx);
        fx
    }

    /// `processPodOnNode`.
    fn process_pod(&mut self, store: &Store, pod: PodId, now: SimTime, fx: &mut Effects<Evict>) {
        let p = &store.pods[pod.index()];
        let node = p
            .node
            .filter(|_| p.meta.exists() && p.meta.deletion.is_none());
        let Some(node) = node else {
            self.scheduled.remove(&pod);
            return;
        };
        let taints: Vec<&Taint> = store.nodes[node.index()]
            .taints
            .iter()
            .filter(|t| t.effect == "NoExecute")
            .collect();
        if taints.is_empty() {
            return self.cancel(store, pod, now, fx);
        }
        let wait_ms = match matching(&taints, &p.spec.tolerations) {
            None => Some(0),
            Some(used) => min_toleration_ms(&used),
        };
        let Some(wait_ms) = wait_ms else {
            return self.cancel(store, pod, now, fx);
        };
        let created = match self.scheduled.get(&pod) {
            Some((created, trigger)) if created.plus_ms(wait_ms) >= *trigger => return,
            Some((created, _)) => *created,
            None => now,
        };
        let trigger = created.plus_ms(wait_ms).max(now);
        self.scheduled.insert(pod, (created, trigger));
        fx.timer(trigger, Evict(pod, trigger));
    }

    /// `cancelWorkWithEvent`.
    fn cancel(&mut self, store: &Store, pod: PodId, now: SimTime, fx: &mut Effects<Evict>) {
        if self.scheduled.remove(&pod).is_some() {
            let p = &store.pods[pod.index()];
            let msg = format!("Cancelling deletion of Pod {}", p.meta.key());
            fx.event(Event::pod(now, &p.meta, "TaintManagerEviction", msg));
        }
    }

    /// The eviction is due (`deletePodHandler`): a graceful DELETE with the pod's own grace period.
    pub fn on_evict(&mut self, store: &Store, e: Evict, now: SimTime) -> Effects<Evict> {
        let mut fx = Effects::default();
        if self.scheduled.get(&e.0).map(|s| s.1) != Some(e.1) {
            return fx;
        }
        self.scheduled.remove(&e.0);
        let p = &store.pods[e.0.index()];
        if !p.meta.exists() || p.meta.deletion.is_some() {
            return fx;
        }
        let msg = format!("Marking for deletion Pod {}", p.meta.key());
        fx.event(Event::pod(now, &p.meta, "TaintManagerEviction", msg));
        fx.write(Write::DeletePod {
            pod: e.0,
            grace_period_ms: None,
        });
        fx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tol(key: &str, seconds: Option<u64>) -> Toleration {
        Toleration {
            key: Some(key.into()),
            value: None,
            effect: Some("NoExecute".into()),
            exists: true,
            toleration_seconds: seconds,
        }
    }

    #[test]
    fn the_shortest_toleration_seconds_wins_and_none_tolerates_forever() {
        let unreachable = Taint::new("node.kubernetes.io/unreachable", "", "NoExecute");
        let tols = vec![tol("node.kubernetes.io/unreachable", Some(300))];
        let used = matching(&[&unreachable], &tols).unwrap();
        assert_eq!(min_toleration_ms(&used), Some(300_000));
        let forever = vec![tol("node.kubernetes.io/unreachable", None)];
        let used = matching(&[&unreachable], &forever).unwrap();
        assert_eq!(min_toleration_ms(&used), None);
        let other = Taint::new(
            "node.kubernetes.io/out-of-service",
            "nodeshutdown",
            "NoExecute",
        );
        assert!(matching(&[&unreachable, &other], &tols).is_none());
    }
}

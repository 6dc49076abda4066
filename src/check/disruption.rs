//! Voluntary evictions never break a PodDisruptionBudget: after the Eviction API lets a Ready pod go
//! (kk:pkg/registry/core/pod/storage/eviction.go `checkAndDecrement`), the budget's pods that are
//! still Ready and not terminating number at least its `desiredHealthy`.

use super::{Checker, Delta, Findings, Invariant};
use crate::api::eviction::budgets_for;
use crate::api::{PdbId, PodId, Store};
use crate::engine::SimTime;
use crate::sim::WorldView;

/// Why an eviction broke a budget, if it did: `healthy` pods left against `desired`.
pub fn budget_broken(healthy: i32, desired: i32) -> Option<String> {
    (healthy < desired).then(|| {
        format!("a voluntary eviction left {healthy} healthy pods where the budget wants {desired}")
    })
}

/// Judges every eviction the Eviction API granted in the event (the drain's `Evicting` Event of a
/// pod deleted at that instant).
#[derive(Debug, Default)]
pub struct DisruptionChecker;

impl Checker for DisruptionChecker {
    fn observe(
        &mut self,
        view: &WorldView<'_>,
        delta: &Delta,
        now: SimTime,
        findings: &mut Findings,
    ) {
        let store = view.store;
        let evicting =
            (view.new_events.iter()).filter(|e| e.kind == "Pod" && e.reason == "Evicting");
        for e in evicting {
            let pod = super::scheduler::live_pod(store, &delta.pods, &e.namespace, &e.name);
            let Some(pod) = pod.filter(|p| evicted_now(store, *p, now)) else {
                continue;
            };
            for pdb in budgets_for(store, &store.pods[pod.index()]) {
                findings.judged(Invariant::DisruptionBudget, 1);
                let b = &store.pdbs[pdb.index()];
                if let Some(detail) = budget_broken(healthy(store, pdb), b.status.desired_healthy) {
                    let object =
                        format!("PodDisruptionBudget {}/{}", b.meta.namespace, b.meta.name);
                    let detail = format!("{detail} (evicted {})", e.name);
                    findings.violate(now, Invariant::DisruptionBudget, object, detail);
                }
            }
        }
    }
}

/// The pod is Ready and its deletion was requested at `now`.
fn evicted_now(store: &Store, pod: PodId, now: SimTime) -> bool {
    let pod = &store.pods[pod.index()];
    pod.ready && pod.meta.deletion.is_some_and(|d| d.requested == now)
}

/// The budget's pods that are Ready and not terminating.
fn healthy(store: &Store, pdb: PdbId) -> i32 {
    let n = (store.live_pods.iter().map(|p| &store.pods[p.index()]))
        .filter(|p| p.ready && p.meta.deletion.is_none())
        .filter(|p| budgets_for(store, p).contains(&pdb))
        .count();
    n as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_eviction_that_keeps_desired_healthy_pods_is_allowed() {
        assert_eq!(budget_broken(2, 2), None);
    }

    #[test]
    fn an_eviction_below_desired_healthy_breaks_the_budget() {
        assert!(budget_broken(1, 2).is_some());
    }
}

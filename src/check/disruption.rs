//! Voluntary evictions never break a PodDisruptionBudget: after the Eviction API lets a Ready pod go
//! (kk:pkg/registry/core/pod/storage/eviction.go `checkAndDecrement`), the budget's pods that are
//! still Ready and not terminating number at least its `desiredHealthy`. An eviction of a pod that
//! was already terminating ignores the budget (`canIgnorePDB`) and disrupts nothing: not judged.

use super::{Checker, Delta, Findings, Invariant};
use crate::api::eviction::budgets_for;
use crate::api::{PdbId, PodId, Store};
use crate::engine::SimTime;
use crate::sim::WorldView;
use std::collections::BTreeSet;

/// Why an eviction broke a budget, if it did: `healthy` pods left against `desired`.
pub fn budget_broken(healthy: i32, desired: i32) -> Option<String> {
    (healthy < desired).then(|| {
        format!("a voluntary eviction left {healthy} healthy pods where the budget wants {desired}")
    })
}

/// Judges every eviction the Eviction API granted in the event (the drain's `Evicting` Event of a
/// pod deleted at that instant, which was not terminating before the event).
#[derive(Debug, Default)]
pub struct DisruptionChecker {
    /// Live pods seen terminating after an earlier event: their eviction ignores the budget.
    terminating: BTreeSet<PodId>,
}

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
            let evicted = |p: &PodId| evicted_now(store, *p, now) && !self.terminating.contains(p);
            let Some(pod) = pod.filter(evicted) else {
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
        self.remember_terminating(store, &delta.pods);
    }
}

impl DisruptionChecker {
    /// Keeps the set of live terminating pods current with the pods the event changed.
    fn remember_terminating(&mut self, store: &Store, changed: &[PodId]) {
        for &id in changed {
            let pod = &store.pods[id.index()];
            if pod.meta.exists() && pod.meta.deletion.is_some() {
                self.terminating.insert(id);
            } else {
                self.terminating.remove(&id);
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

    /// Shows the checker one event that changed `pod` at `now`, with a drain's `Evicting` Event for
    /// it if `evicting`, and returns how many violations it found.
    fn show(c: &mut DisruptionChecker, store: &Store, pod: PodId, evicting: bool) -> usize {
        let (now, p) = (SimTime(7_000), &store.pods[pod.index()]);
        let events = [crate::api::Event::pod(
            now,
            &p.meta,
            "Evicting",
            String::new(),
        )];
        let changes = [crate::api::Change {
            kind: crate::api::Kind::Pod,
            id: pod.0,
        }];
        let runtime = crate::api::Runtime::default();
        let view = WorldView {
            store,
            runtime: &runtime,
            scenario_action: !evicting,
            new_events: if evicting { &events } else { &[] },
            changes: &changes,
            lifecycle: &[],
        };
        let mut findings = Findings::default();
        c.observe(&view, &Delta::of(&view), now, &mut findings);
        findings.violations.len()
    }

    fn delete(store: &mut Store, pod: PodId, now: SimTime) {
        let write = crate::api::Write::DeletePod {
            pod,
            grace_period_ms: None,
        };
        store.apply(write, now);
    }

    #[test]
    fn an_eviction_of_the_last_healthy_pod_is_a_violation() {
        let (mut store, pods) = crate::api::eviction::tests::store_with_pods(1);
        crate::api::eviction::tests::add_budget(&mut store, "zk", 1, 1);
        delete(&mut store, pods[0], SimTime(7_000));
        assert_eq!(
            show(&mut DisruptionChecker::default(), &store, pods[0], true),
            1
        );
    }

    /// Regression for the soak's seed 1 (`KUBESIM_PROPTEST_SEED=0`, a drain and a delete-pod at
    /// the same instant): evicting a pod deleted by an earlier event ignores the budget.
    #[test]
    fn evicting_a_pod_an_earlier_event_deleted_is_not_a_violation() {
        let (mut store, pods) = crate::api::eviction::tests::store_with_pods(1);
        crate::api::eviction::tests::add_budget(&mut store, "zk", 1, 1);
        delete(&mut store, pods[0], SimTime(7_000));
        let mut checker = DisruptionChecker::default();
        assert_eq!(
            show(&mut checker, &store, pods[0], false),
            0,
            "the delete-pod"
        );
        assert_eq!(show(&mut checker, &store, pods[0], true), 0, "the eviction");
    }
}

//! The pod garbage collector (kk:pkg/controller/podgc/gc_controller.go): force-deletes pods bound to
//! nodes that no longer exist (after a 40 s quarantine) and terminating pods on not-ready nodes with
//! the `node.kubernetes.io/out-of-service` taint.
//!
//! It runs every `gcCheckPeriod` (20 s); a pass is scheduled only when a node is deleted or tainted
//! out-of-service, or a pod on such a node changes. Force delete = `markFailedAndDeletePod`: phase
//! Failed, then DELETE with grace 0. The terminated-pod threshold (12500) is not modelled.

use crate::api::node_health::TAINT_OUT_OF_SERVICE;
use crate::api::{
    ConditionStatus, Effects, Event, NodeId, PodId, PodPhase, PodStatus, Store, Write,
};
use crate::engine::SimTime;
use std::collections::{BTreeMap, BTreeSet};

/// `gcCheckPeriod`.
pub const GC_CHECK_PERIOD_MS: u64 = 20_000;
/// `quarantineTime`: a missing node must stay missing this long before its pods are deleted.
pub const QUARANTINE_MS: u64 = 40_000;

/// A pass of the collector is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pass;

/// Passes in the calendar and the missing nodes in quarantine (`nodeQueue`).
#[derive(Debug, Default)]
pub struct PodGc {
    passes: BTreeSet<SimTime>,
    quarantine: BTreeMap<NodeId, SimTime>,
}

/// True if the pod is bound to a node that is gone, or is terminating on a not-ready node tainted
/// out-of-service: the cases a pass acts on.
fn concerns(store: &Store, pod: PodId) -> bool {
    let p = &store.pods[pod.index()];
    let Some(node) = p.node.filter(|_| p.meta.exists()) else {
        return false;
    };
    !store.nodes[node.index()].meta.exists() || out_of_service_terminating(store, pod, node)
}

fn out_of_service_terminating(store: &Store, pod: PodId, node: NodeId) -> bool {
    let p = &store.pods[pod.index()];
    let terminal = matches!(p.phase, PodPhase::Succeeded | PodPhase::Failed);
    p.meta.deletion.is_some()
        && !terminal
        && store.health(node).ready != ConditionStatus::True
        && store.has_taint(node, TAINT_OUT_OF_SERVICE)
}

impl PodGc {
    /// A pod or node changed at `at`: a pass at the next tick if there is anything to collect.
    pub fn on_change(&mut self, store: &Store, pods: &[PodId], at: SimTime) -> Effects<Pass> {
        let mut fx = Effects::default();
        if pods.iter().any(|p| concerns(store, *p)) {
            self.pass_at(
                crate::controllers::next_tick(at, GC_CHECK_PERIOD_MS),
                &mut fx,
            );
        }
        fx
    }

    fn pass_at(&mut self, at: SimTime, fx: &mut Effects<Pass>) {
        if self.passes.insert(at) {
            fx.timer(at, Pass);
        }
    }

    /// `gc`: `gcOrphaned` and `gcTerminating`.
    pub fn on_pass(&mut self, store: &Store, now: SimTime) -> Effects<Pass> {
        let mut fx = Effects::default();
        self.passes.remove(&now);
        for pod in store.live_pods.iter().copied() {
            let Some(node) = store.pods[pod.index()].node else {
                continue;
            };
            if store.nodes[node.index()].meta.exists() {
                if out_of_service_terminating(store, pod, node) {
                    force_delete(
                        store,
                        pod,
                        "PodGC: node has the out-of-service taint",
                        now,
                        &mut fx,
                    );
                }
                continue;
            }
            let ready = *self
                .quarantine
                .entry(node)
                .or_insert(now.plus_ms(QUARANTINE_MS));
            if ready <= now {
                force_delete(store, pod, "PodGC: node no longer exists", now, &mut fx);
            } else {
                let at = crate::controllers::next_tick(ready, GC_CHECK_PERIOD_MS);
                self.pass_at(at, &mut fx);
            }
        }
        fx
    }
}

/// `markFailedAndDeletePod`: phase Failed, then a DELETE with grace 0. The Event carries the
/// DisruptionTarget condition's reason, DeletionByPodGC.
fn force_delete(store: &Store, pod: PodId, why: &str, now: SimTime, fx: &mut Effects<Pass>) {
    let p = &store.pods[pod.index()];
    fx.event(Event::pod(now, &p.meta, "DeletionByPodGC", why.to_string()));
    fx.write(Write::SetPodStatus {
        pod,
        status: PodStatus {
            phase: PodPhase::Failed,
            container: p.container,
            ready: false,
            ip: p.ip,
            restarts: p.restarts,
        },
    });
    fx.write(Write::RemovePod { pod });
}

//! One module per upstream controller in kube-controller-manager, each a reconcile over the store
//! that returns the writes it wants (`api::Effects`).

pub mod attach_detach;
pub mod daemon;
pub mod deployment;
pub mod disruption;
pub mod endpointslice;
pub mod garbage_collector;
pub mod job;
pub mod nodelifecycle;
pub mod pod_ranking;
pub mod podgc;
pub mod pv_controller;
pub mod replicaset;
pub mod statefulset;
pub mod taint_eviction;

/// Rounds `t` up to the next tick of a loop that runs every `period_ms` from time zero
/// (how a `wait.Until` loop with a fixed period sees a change).
pub fn next_tick(t: crate::engine::SimTime, period_ms: u64) -> crate::engine::SimTime {
    let ms = t.as_ms();
    let period = period_ms.max(1);
    crate::engine::SimTime(ms.div_ceil(period) * period)
}

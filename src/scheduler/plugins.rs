//! Filter and score plugins of the default profile that the model implements.

use crate::api::{NodeId, PodId, Store};
use std::collections::BTreeMap;

/// `DefaultMilliCPURequest`: the CPU a container without a request counts as when scoring (100m).
pub const DEFAULT_MILLI_CPU_REQUEST: u64 = 100;
/// `DefaultMemoryRequest`: the memory a container without a request counts as when scoring (200 MiB).
pub const DEFAULT_MEMORY_REQUEST: u64 = 200 * 1024 * 1024;

/// Nodes that pass every filter, and per reason the number of nodes it rejected.
pub fn filter(store: &Store, pod: PodId) -> (Vec<NodeId>, BTreeMap<&'static str, usize>) {
    let mut feasible = Vec::new();
    let mut reasons: BTreeMap<&'static str, usize> = BTreeMap::new();
    for i in 0..store.nodes.len() as u32 {
        match reject_reason(store, pod, NodeId(i)) {
            None => feasible.push(NodeId(i)),
            Some(r) => *reasons.entry(r).or_default() += 1,
        }
    }
    (feasible, reasons)
}

fn reject_reason(store: &Store, pod: PodId, node: NodeId) -> Option<&'static str> {
    let p = &store.pods[pod.index()];
    let n = &store.nodes[node.index()];
    if !n.meta.exists() {
        return Some("node(s) were deleted");
    }
    if n.unschedulable {
        return Some("node(s) were unschedulable");
    }
    if !crate::api::selector_matches(&p.spec.node_selector, &n.meta.labels) {
        return Some("node(s) didn't match Pod's node affinity/selector");
    }
    let untolerated = n
        .taints
        .iter()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .any(|t| !p.spec.tolerations.iter().any(|tol| tol.tolerates(t)));
    if untolerated {
        return Some("node(s) had untolerated taint");
    }
    fit_reason(store, pod, node)
}

/// NodeResourcesFit's filter (kk:pkg/scheduler/framework/plugins/noderesources/fit.go `fitsRequest`).
fn fit_reason(store: &Store, pod: PodId, node: NodeId) -> Option<&'static str> {
    let p = &store.pods[pod.index()];
    let n = &store.nodes[node.index()];
    let (cpu, mem, count) = requested(store, node, false);
    if count + 1 > u64::from(n.pods) {
        return Some("Too many pods");
    }
    if cpu + p.spec.cpu_milli() > n.cpu_milli {
        return Some("Insufficient cpu");
    }
    if mem + p.spec.memory_bytes() > n.memory_bytes {
        return Some("Insufficient memory");
    }
    None
}

/// CPU, memory and pod count requested on `node` by the pods bound to it (terminating ones included, as
/// in the scheduler's cache); with `non_zero`, containers without requests count as the scoring defaults.
fn requested(store: &Store, node: NodeId, non_zero: bool) -> (u64, u64, u64) {
    store.pods_on_node(node).fold((0, 0, 0), |(c, m, k), id| {
        let (pc, pm) = pod_requests(store, id, non_zero);
        (c + pc, m + pm, k + 1)
    })
}

fn pod_requests(store: &Store, pod: PodId, non_zero: bool) -> (u64, u64) {
    store.pods[pod.index()].spec.containers.iter().fold((0, 0), |(c, m), ct| {
        let cpu = if non_zero && ct.cpu_milli == 0 { DEFAULT_MILLI_CPU_REQUEST } else { ct.cpu_milli };
        let mem = if non_zero && ct.memory_bytes == 0 { DEFAULT_MEMORY_REQUEST } else { ct.memory_bytes };
        (c + cpu, m + mem)
    })
}

/// NodeResourcesFit's LeastAllocated score, 0-100 (least_allocated.go): per resource
/// `(allocatable - requested) * 100 / allocatable`, averaged with weights cpu 1, memory 1.
pub fn score(store: &Store, pod: PodId, node: NodeId) -> u64 {
    let n = &store.nodes[node.index()];
    let (cpu, mem, _) = requested(store, node, true);
    let (pc, pm) = pod_requests(store, pod, true);
    let least = |req: u64, alloc: u64| if alloc == 0 || req > alloc { 0 } else { (alloc - req) * 100 / alloc };
    (least(cpu + pc, n.cpu_milli) + least(mem + pm, n.memory_bytes)) / 2
}

/// The FailedScheduling message: `0/3 nodes are available: 3 Insufficient cpu.`
pub fn failure_message(nodes: usize, reasons: &BTreeMap<&'static str, usize>) -> String {
    let parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
    format!("0/{nodes} nodes are available: {}.", parts.join(", "))
}

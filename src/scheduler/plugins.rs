//! The filter plugins of the default profile in their order, the node-local ones among them
//! (NodeUnschedulable, TaintToleration, NodeResourcesFit), and the resource and image scores.

use super::cycle::{live_nodes, Cycle};
use super::events::Plugin;
use super::fit_error::Rejection;
use super::{interpod_affinity, node_affinity, topology_spread, volume_binding, volume_zone};
use crate::api::{Node, NodeId, Pod, PodId, Store, Taint};

/// `DefaultMilliCPURequest`: the CPU a container without a request counts as when scoring (100m).
pub const DEFAULT_MILLI_CPU_REQUEST: u64 = 100;
/// `DefaultMemoryRequest`: the memory a container without a request counts as when scoring (200 MiB).
pub const DEFAULT_MEMORY_REQUEST: u64 = 200 * 1024 * 1024;

/// Runs the filter plugins on every live node: the feasible nodes, and a rejection per other node.
pub fn filter(cycle: &Cycle) -> (Vec<NodeId>, Vec<Rejection>) {
    let mut feasible = Vec::new();
    let mut rejections = Vec::new();
    if let Err(msg) = &cycle.volumes {
        // A PreFilter rejection gives every node its status (framework.go `RunPreFilterPlugins`).
        let all = live_nodes(cycle.store)
            .map(|_| Rejection::unresolvable(msg.clone()).by(Plugin::VolumeBinding));
        return (feasible, all.collect());
    }
    for node in live_nodes(cycle.store) {
        match reject_reason(cycle, node) {
            None => feasible.push(node),
            Some(r) => rejections.push(r),
        }
    }
    (feasible, rejections)
}

/// The filter plugins in the default profile's order (kk:pkg/scheduler/apis/config/v1/default_plugins.go);
/// the first that rejects the node gives its status, as `RunFilterPlugins` stops there.
fn reject_reason(cycle: &Cycle, node: NodeId) -> Option<Rejection> {
    let (store, pod) = (cycle.store, cycle.pod);
    let n = &store.nodes[node.index()];
    let labels = &n.meta.labels;
    let by = |p: Plugin| move |r: Rejection| r.by(p);
    node_unschedulable(pod, n)
        .map(by(Plugin::NodeUnschedulable))
        .or_else(|| {
            untolerated_taint(pod, n)
                .map(taint_rejection)
                .map(by(Plugin::TaintToleration))
        })
        .or_else(|| node_affinity::filter(pod, labels, &n.meta.name).map(by(Plugin::NodeAffinity)))
        .or_else(|| fit(store, pod, node).map(by(Plugin::NodeResourcesFit)))
        // VolumeRestrictions and NodeVolumeLimits run here upstream (not modelled).
        .or_else(|| volumes(cycle, node, volume_binding::filter).map(by(Plugin::VolumeBinding)))
        // VolumeZone registers the same events as VolumeBinding (PV, PVC, StorageClass, Node labels:
        // kk:pkg/scheduler/framework/plugins/volumezone/volume_zone.go `EventsToRegister`).
        .or_else(|| volumes(cycle, node, volume_zone::filter).map(by(Plugin::VolumeBinding)))
        .or_else(|| {
            topology_spread::filter(&cycle.spread, pod, labels).map(by(Plugin::PodTopologySpread))
        })
        .or_else(|| {
            interpod_affinity::filter(&cycle.affinity, pod, labels)
                .map(by(Plugin::InterPodAffinity))
        })
}

/// A volume plugin's filter, given VolumeBinding's PreFilter state (which passed, or no node is filtered).
fn volumes(
    cycle: &Cycle,
    node: NodeId,
    f: fn(&Store, &volume_binding::PodVolumes, NodeId) -> Option<Rejection>,
) -> Option<Rejection> {
    cycle
        .volumes
        .as_ref()
        .ok()
        .and_then(|v| f(cycle.store, v, node))
}

/// NodeUnschedulable (nodeunschedulable/node_unschedulable.go): a cordoned node, unless the pod tolerates
/// the `node.kubernetes.io/unschedulable:NoSchedule` taint.
fn node_unschedulable(pod: &Pod, node: &Node) -> Option<Rejection> {
    let taint = Taint::new("node.kubernetes.io/unschedulable", "", "NoSchedule");
    let tolerated = pod.spec.tolerations.iter().any(|t| t.tolerates(&taint));
    (node.unschedulable && !tolerated)
        .then(|| Rejection::unresolvable("node(s) were unschedulable"))
}

/// The node's first NoSchedule or NoExecute taint the pod does not tolerate
/// (`v1helper.FindMatchingUntoleratedTaint` with `DoNotScheduleTaintsFilterFunc`).
pub fn untolerated_taint<'n>(pod: &Pod, node: &'n Node) -> Option<&'n Taint> {
    node.taints
        .iter()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .find(|t| !pod.spec.tolerations.iter().any(|tol| tol.tolerates(t)))
}

/// TaintToleration's filter status (tainttoleration/taint_toleration.go).
fn taint_rejection(taint: &Taint) -> Rejection {
    Rejection::unresolvable(format!(
        "node(s) had untolerated taint {{{}: {}}}",
        taint.key, taint.value
    ))
}

/// NodeResourcesFit's filter (kk:pkg/scheduler/framework/plugins/noderesources/fit.go `fitsRequest`): every
/// insufficient resource is a reason; cpu and memory are checked only when the pod requests them.
fn fit(store: &Store, pod: &Pod, node: NodeId) -> Option<Rejection> {
    let n = &store.nodes[node.index()];
    let (cpu, mem, count) = requested(store, node, false);
    let (pod_cpu, pod_mem) = (pod.spec.cpu_milli(), pod.spec.memory_bytes());
    let checks = [
        (count + 1 > u64::from(n.pods), "Too many pods"),
        (
            pod_cpu > 0 && cpu + pod_cpu > n.cpu_milli,
            "Insufficient cpu",
        ),
        (
            pod_mem > 0 && mem + pod_mem > n.memory_bytes,
            "Insufficient memory",
        ),
    ];
    let reasons: Vec<String> = checks
        .iter()
        .filter(|(failed, _)| *failed)
        .map(|(_, r)| r.to_string())
        .collect();
    (!reasons.is_empty()).then_some(Rejection {
        reasons,
        resolvable: true,
        plugin: None,
    })
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
    store.pods[pod.index()]
        .spec
        .containers
        .iter()
        .fold((0, 0), |(c, m), ct| {
            let cpu = if non_zero && ct.cpu_milli == 0 {
                DEFAULT_MILLI_CPU_REQUEST
            } else {
                ct.cpu_milli
            };
            let mem = if non_zero && ct.memory_bytes == 0 {
                DEFAULT_MEMORY_REQUEST
            } else {
                ct.memory_bytes
            };
            (c + cpu, m + mem)
        })
}

/// The node's score: the default profile's weighted sum (kk:pkg/scheduler/apis/config/v1/default_plugins.go)
/// of the score plugins modelled here, each 0-100: NodeResourcesFit (1), NodeResourcesBalancedAllocation (1),
/// ImageLocality (1).
pub fn score(store: &Store, pod: PodId, node: NodeId) -> u64 {
    least_allocated(store, pod, node)
        + balanced_allocation(store, pod, node)
        + image_locality(store, pod, node)
}

/// NodeResourcesFit's LeastAllocated score (noderesources/least_allocated.go): per resource
/// `(allocatable - requested) * 100 / allocatable` with non-zero requests, averaged with weights cpu 1, memory 1.
pub fn least_allocated(store: &Store, pod: PodId, node: NodeId) -> u64 {
    let n = &store.nodes[node.index()];
    let (cpu, mem, _) = requested(store, node, true);
    let (pc, pm) = pod_requests(store, pod, true);
    let least = |req: u64, alloc: u64| {
        if alloc == 0 || req > alloc {
            0
        } else {
            (alloc - req) * 100 / alloc
        }
    };
    (least(cpu + pc, n.cpu_milli) + least(mem + pm, n.memory_bytes)) / 2
}

/// NodeResourcesBalancedAllocation (noderesources/balanced_allocation.go, two resources): with the
/// requested fractions f of cpu and memory (actual requests, capped at 1), `(1 - |f_cpu - f_mem| / 2) * 100`.
pub fn balanced_allocation(store: &Store, pod: PodId, node: NodeId) -> u64 {
    let n = &store.nodes[node.index()];
    let (cpu, mem, _) = requested(store, node, false);
    let (pc, pm) = pod_requests(store, pod, false);
    let fraction = |req: u64, alloc: u64| {
        if alloc == 0 {
            1.0
        } else {
            (req as f64 / alloc as f64).min(1.0)
        }
    };
    let std = (fraction(cpu + pc, n.cpu_milli) - fraction(mem + pm, n.memory_bytes)).abs() / 2.0;
    ((1.0 - std) * 100.0) as u64
}

const MB: u64 = 1024 * 1024;
/// ImageLocality's thresholds (imagelocality/image_locality.go): 23 MB, and 1000 MB per container.
const IMAGE_MIN_THRESHOLD: u64 = 23 * MB;
const IMAGE_MAX_CONTAINER_THRESHOLD: u64 = 1000 * MB;

/// ImageLocality: the sizes of the pod's images already on the node, each scaled by the share of nodes
/// that have it, clamped to [23 MB, 1000 MB x containers] and mapped onto 0-100.
pub fn image_locality(store: &Store, pod: PodId, node: NodeId) -> u64 {
    let containers = &store.pods[pod.index()].spec.containers;
    let total_nodes = store
        .nodes
        .iter()
        .filter(|n| n.meta.exists())
        .count()
        .max(1) as f64;
    let sum: u64 = containers
        .iter()
        .filter_map(|c| {
            let name = crate::api::normalized_image(&c.image);
            let size = store.nodes[node.index()]
                .images
                .iter()
                .find(|(n, _)| *n == name)?
                .1;
            let spread = store
                .nodes
                .iter()
                .filter(|n| n.images.iter().any(|(i, _)| *i == name))
                .count() as f64
                / total_nodes;
            Some((size as f64 * spread) as u64)
        })
        .sum();
    let max = IMAGE_MAX_CONTAINER_THRESHOLD * containers.len().max(1) as u64;
    let clamped = sum.clamp(IMAGE_MIN_THRESHOLD, max);
    100 * (clamped - IMAGE_MIN_THRESHOLD) / (max - IMAGE_MIN_THRESHOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_locality_scores_a_420mi_image_on_one_of_three_nodes_as_11() {
        // 420 MiB x 1/3 = 140 MiB; (140 - 23) * 100 / (1000 - 23) = 11.
        let sum = 420 * MB / 3;
        assert_eq!(
            100 * (sum - IMAGE_MIN_THRESHOLD)
                / (IMAGE_MAX_CONTAINER_THRESHOLD - IMAGE_MIN_THRESHOLD),
            11
        );
    }
}

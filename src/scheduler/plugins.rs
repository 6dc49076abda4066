//! The filter plugins of the default profile in their order, the node-local ones among them
//! (NodeUnschedulable, TaintToleration, NodeResourcesFit), and the resource and image scores.

use super::cycle::Cycle;
use super::events::Plugin;
use super::fit_error::Rejection;
use super::{interpod_affinity, node_affinity, topology_spread, volume_binding, volume_zone};
use crate::api::node_usage::Requested;
use crate::api::{Node, NodeId, Pod, Store, Taint};

/// `minFeasibleNodesToFind` (kk:pkg/scheduler/schedule_one.go): clusters smaller than this have every
/// node checked, and no cycle stops before finding this many feasible nodes.
const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// `minFeasibleNodesPercentageToFind`: the least share of nodes (percent) the adaptive default checks.
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: i64 = 5;

/// `numFeasibleNodesToFind` with the default `percentageOfNodesToScore` (0, adaptive;
/// kk:pkg/scheduler/schedule_one.go): every node below 100 nodes, else `50 - nodes/125` percent of
/// them (at least 5 %), and never fewer than 100.
pub fn num_feasible_nodes_to_find(all_nodes: usize) -> usize {
    if all_nodes < MIN_FEASIBLE_NODES_TO_FIND {
        return all_nodes;
    }
    let percentage = (50 - all_nodes as i64 / 125).max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
    (all_nodes * percentage as usize / 100).max(MIN_FEASIBLE_NODES_TO_FIND)
}

/// The outcome of the filter plugins in one cycle.
pub struct Filtered {
    /// The feasible nodes, in the order they were found.
    pub feasible: Vec<NodeId>,
    /// A rejection per other node checked.
    pub rejections: Vec<Rejection>,
    /// How many nodes were checked (`processedNodes`, which moves `nextStartNodeIndex` on).
    pub processed: usize,
}

/// `findNodesThatPassFilters` (kk:pkg/scheduler/schedule_one.go): runs the filter plugins on the live
/// nodes round-robin from index `start` (`nextStartNodeIndex`, so every node gets the same chance
/// across pods) and stops once `numFeasibleNodesToFind` nodes passed. Upstream checks nodes in
/// parallel and may check a few more before it cancels; here they are checked one by one.
pub fn filter(cycle: &Cycle, start: usize) -> Filtered {
    let nodes = &cycle.nodes;
    if let Err(msg) = &cycle.volumes {
        // A PreFilter rejection gives every node its status (framework.go `RunPreFilterPlugins`).
        let all = nodes
            .iter()
            .map(|_| Rejection::unresolvable(msg.clone()).by(Plugin::VolumeBinding));
        return Filtered {
            feasible: Vec::new(),
            rejections: all.collect(),
            processed: 0,
        };
    }
    let to_find = num_feasible_nodes_to_find(nodes.len());
    let (mut feasible, mut rejections) = (Vec::new(), Vec::new());
    for i in 0..nodes.len() {
        if feasible.len() == to_find {
            break;
        }
        let node = nodes[(start + i) % nodes.len()];
        match reject_reason(cycle, node) {
            None => feasible.push(node),
            Some(r) => rejections.push(r),
        }
    }
    let processed = feasible.len() + rejections.len();
    Filtered {
        feasible,
        rejections,
        processed,
    }
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
        .or_else(|| fit(cycle, node).map(by(Plugin::NodeResourcesFit)))
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

/// A volume plugin's filter, given VolumeBinding's PreFilter state (which passed, or no node is
/// filtered). A pod without claims skips both plugins: their PreFilters return Skip
/// (volumebinding/volume_binding.go, volumezone/volume_zone.go `PreFilter`).
fn volumes(
    cycle: &Cycle,
    node: NodeId,
    f: fn(&Store, &volume_binding::PodVolumes, NodeId) -> Option<Rejection>,
) -> Option<Rejection> {
    let vols = cycle.volumes.as_ref().ok()?;
    if vols.bound.is_empty() && vols.delayed.is_empty() {
        return None;
    }
    f(cycle.store, vols, node)
}

/// NodeUnschedulable (nodeunschedulable/node_unschedulable.go): a cordoned node, unless the pod tolerates
/// the `node.kubernetes.io/unschedulable:NoSchedule` taint.
fn node_unschedulable(pod: &Pod, node: &Node) -> Option<Rejection> {
    if !node.unschedulable {
        return None;
    }
    let taint = Taint::new("node.kubernetes.io/unschedulable", "", "NoSchedule");
    let tolerated = pod.spec.tolerations.iter().any(|t| t.tolerates(&taint));
    (!tolerated).then(|| Rejection::unresolvable("node(s) were unschedulable"))
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
fn fit(cycle: &Cycle, node: NodeId) -> Option<Rejection> {
    let (store, pod) = (cycle.store, cycle.pod);
    let n = &store.nodes[node.index()];
    let on_node = cycle.requested_on(node);
    let (cpu, mem, count) = (on_node.cpu_milli, on_node.memory_bytes, on_node.pods);
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
    let reasons: Vec<_> = checks
        .iter()
        .filter(|(failed, _)| *failed)
        .map(|(_, r)| (*r).into())
        .collect();
    (!reasons.is_empty()).then_some(Rejection {
        reasons,
        resolvable: true,
        plugin: None,
    })
}

/// The score plugins that look only at the node (NodeResourcesFit, BalancedAllocation, ImageLocality),
/// with what they need of the pod computed once per cycle.
pub struct NodeScorer<'a> {
    cycle: &'a Cycle<'a>,
    store: &'a Store,
    pod: Requested,
    images: ImageSpread,
}

impl<'a> NodeScorer<'a> {
    /// The scorer for the cycle's pod.
    pub fn new(cycle: &'a Cycle<'a>) -> Self {
        NodeScorer {
            cycle,
            store: cycle.store,
            pod: Requested::of(&cycle.pod.spec),
            images: ImageSpread::new(cycle),
        }
    }

    /// The node's score: the default profile's weighted sum
    /// (kk:pkg/scheduler/apis/config/v1/default_plugins.go) of the score plugins modelled here, each
    /// 0-100: NodeResourcesFit (1), NodeResourcesBalancedAllocation (1), ImageLocality (1).
    pub fn score(&self, node: NodeId) -> u64 {
        let n = &self.store.nodes[node.index()];
        let on_node = self.cycle.requested_on(node);
        least_allocated(n, &on_node, &self.pod)
            + balanced_allocation(n, &on_node, &self.pod)
            + self.images.score(n)
    }
}

/// NodeResourcesFit's LeastAllocated score (noderesources/least_allocated.go): per resource
/// `(allocatable - requested) * 100 / allocatable` with non-zero requests, averaged with weights cpu 1, memory 1.
fn least_allocated(n: &Node, on_node: &Requested, pod: &Requested) -> u64 {
    let (cpu, mem) = on_node.cpu_memory(true);
    let (pc, pm) = pod.cpu_memory(true);
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
fn balanced_allocation(n: &Node, on_node: &Requested, pod: &Requested) -> u64 {
    let (cpu, mem) = on_node.cpu_memory(false);
    let (pc, pm) = pod.cpu_memory(false);
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

/// ImageLocality's view of the pod: each container's normalized image with the share of nodes that have
/// it (the snapshot's `ImageStateSummary.NumNodes` over the number of nodes), computed once per cycle.
struct ImageSpread {
    images: Vec<(String, f64)>,
    containers: usize,
}

impl ImageSpread {
    fn new(cycle: &Cycle) -> Self {
        let store = cycle.store;
        let total_nodes = cycle.nodes.len().max(1) as f64;
        let containers = &cycle.pod.spec.containers;
        let spread = |name: &str| {
            let having = store.nodes.iter();
            having
                .filter(|n| n.images.iter().any(|(i, _)| i == name))
                .count() as f64
                / total_nodes
        };
        let images = containers
            .iter()
            .map(|c| crate::api::normalized_image(&c.image))
            .map(|name| {
                let share = spread(&name);
                (name, share)
            })
            .collect();
        ImageSpread {
            images,
            containers: containers.len(),
        }
    }

    /// ImageLocality (imagelocality/image_locality.go): the sizes of the pod's images already on the
    /// node, each scaled by the share of nodes that have it, clamped to [23 MB, 1000 MB x containers]
    /// and mapped onto 0-100.
    fn score(&self, node: &Node) -> u64 {
        let sum: u64 = self
            .images
            .iter()
            .filter_map(|(name, spread)| {
                let size = node.images.iter().find(|(n, _)| n == name)?.1;
                Some((size as f64 * spread) as u64)
            })
            .sum();
        let max = IMAGE_MAX_CONTAINER_THRESHOLD * self.containers.max(1) as u64;
        let clamped = sum.clamp(IMAGE_MIN_THRESHOLD, max);
        100 * (clamped - IMAGE_MIN_THRESHOLD) / (max - IMAGE_MIN_THRESHOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_is_checked_below_100_nodes_and_an_adaptive_share_above() {
        assert_eq!(num_feasible_nodes_to_find(99), 99);
        // 50 - 1000/125 = 42 % of 1,000.
        assert_eq!(num_feasible_nodes_to_find(1000), 420);
        // 50 - 5000/125 = 10 % of 5,000.
        assert_eq!(num_feasible_nodes_to_find(5000), 500);
        // 200 nodes: 49 % is 98, raised to 100.
        assert_eq!(num_feasible_nodes_to_find(200), 100);
        // 10,000 nodes: the percentage bottoms out at 5 %.
        assert_eq!(num_feasible_nodes_to_find(10_000), 500);
    }

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

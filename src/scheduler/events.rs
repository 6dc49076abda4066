//! Cluster events and the filter plugins that registered interest in them (`EventsToRegister` and the
//! queueing hints of kk:pkg/scheduler/framework/plugins/*): which events may make a pod that a set of
//! plugins rejected schedulable again.

use crate::api::Pod;

/// A filter plugin of the default profile that can reject a pod (kk:pkg/scheduler/apis/config/v1/default_plugins.go).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Plugin {
    NodeUnschedulable,
    TaintToleration,
    NodeAffinity,
    NodeResourcesFit,
    PodTopologySpread,
    InterPodAffinity,
    VolumeBinding,
    /// A rejection not tagged with its plugin: treated as interested in every event.
    Other,
}

impl Plugin {
    /// Every plugin, in index order.
    pub const ALL: [Plugin; 8] = [
        Plugin::NodeUnschedulable,
        Plugin::TaintToleration,
        Plugin::NodeAffinity,
        Plugin::NodeResourcesFit,
        Plugin::PodTopologySpread,
        Plugin::InterPodAffinity,
        Plugin::VolumeBinding,
        Plugin::Other,
    ];

    /// Its position in `ALL`.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A set of plugins (`QueuedPodInfo.UnschedulablePlugins`), as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PluginSet(u16);

impl PluginSet {
    /// Adds `p`.
    pub fn insert(&mut self, p: Plugin) {
        self.0 |= 1 << p.index();
    }

    /// Whether `p` is in the set.
    pub fn contains(self, p: Plugin) -> bool {
        self.0 & (1 << p.index()) != 0
    }

    /// True when no plugin rejected the pod (an error, or no node at all).
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The plugins in the set, in index order.
    pub fn iter(self) -> impl Iterator<Item = Plugin> {
        Plugin::ALL.into_iter().filter(move |p| self.contains(*p))
    }
}

/// Which fields of a Node changed (`framework.ActionType` UpdateNodeAllocatable, UpdateNodeLabel,
/// UpdateNodeTaint; kk:pkg/scheduler/framework/events.go `NodeSchedulingPropertiesChange`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeChange {
    pub allocatable: bool,
    pub labels: bool,
    /// Taints or `spec.unschedulable`.
    pub taints: bool,
}

/// A change of the cluster the scheduling queue reacts to (`framework.ClusterEvent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterEvent<'a> {
    NodeAdd,
    NodeUpdate(NodeChange),
    NodeDelete,
    /// A pod was bound (or appeared bound) to a node.
    AssignedPodAdd(&'a Pod),
    /// An assigned pod left the scheduler's cache (deleted, or terminal).
    AssignedPodDelete(&'a Pod),
    /// A PersistentVolumeClaim or PersistentVolume was added or changed.
    Volume,
    /// `EventUnschedulableTimeout`: the pod stayed 5 minutes in unschedulablePods.
    UnschedulableTimeout,
}

/// Whether `event` may make `pod`, rejected by `plugin`, schedulable (`QueueingHintFn` returning Queue
/// rather than QueueSkip).
pub fn worth_requeuing(plugin: Plugin, event: ClusterEvent, pod: &Pod) -> bool {
    use ClusterEvent as E;
    use Plugin as P;
    match (plugin, event) {
        (P::Other, _) | (_, E::UnschedulableTimeout) => true,
        (_, E::NodeAdd) => true,
        (P::NodeUnschedulable | P::TaintToleration, E::NodeUpdate(c)) => c.taints,
        (P::NodeAffinity | P::InterPodAffinity | P::VolumeBinding, E::NodeUpdate(c)) => c.labels,
        (P::NodeResourcesFit, E::NodeUpdate(c)) => c.allocatable || c.taints,
        (P::PodTopologySpread, E::NodeUpdate(c)) => c.labels || c.taints,
        (P::PodTopologySpread, E::NodeDelete) => true,
        (P::NodeResourcesFit, E::AssignedPodDelete(_)) => true,
        (P::PodTopologySpread, E::AssignedPodAdd(o) | E::AssignedPodDelete(o)) => {
            involved_in_spreading(pod, o)
        }
        (P::InterPodAffinity, E::AssignedPodAdd(o)) => affinity_after_add(pod, o),
        (P::InterPodAffinity, E::AssignedPodDelete(o)) => affinity_after_delete(pod, o),
        (P::VolumeBinding, E::Volume) => true,
        _ => false,
    }
}

/// PodTopologySpread's hint for an assigned pod added or deleted (podtopologyspread/plugin.go
/// `isSchedulableAfterPodChange`, `involvedInTopologySpreading`): the other pod is in the pod's
/// namespace and a constraint's selector matches it.
fn involved_in_spreading(pod: &Pod, other: &Pod) -> bool {
    other.meta.namespace == pod.meta.namespace
        && pod.spec.topology_spread.iter().any(|c| {
            c.selector
                .as_ref()
                .is_some_and(|s| s.matches(&other.meta.labels))
        })
}

/// `podMatchesAllAffinityTerms`: false for no terms.
fn matches_all(pod: &Pod, terms: &[crate::api::PodAffinityTerm], other: &Pod) -> bool {
    let (o, p) = (&pod.meta, &other.meta);
    !terms.is_empty()
        && terms
            .iter()
            .all(|t| t.matches(&o.namespace, &o.labels, &p.namespace, &p.labels))
}

/// InterPodAffinity's hint for an added assigned pod (interpodaffinity/plugin.go
/// `isSchedulableAfterPodChange`): it matches all the pod's required affinity terms.
fn affinity_after_add(pod: &Pod, added: &Pod) -> bool {
    matches_all(pod, &pod.spec.affinity.pod.required, added)
}

/// InterPodAffinity's hint for a deleted assigned pod: it matched all the pod's required anti-affinity
/// terms (upstream); or it had required anti-affinity terms of its own, which may have been what kept
/// the pod out (the existing pods' anti-affinity check; a conservative addition to the upstream hint).
fn affinity_after_delete(pod: &Pod, deleted: &Pod) -> bool {
    matches_all(pod, &pod.spec.affinity.anti.required, deleted)
        || !deleted.spec.affinity.anti.required.is_empty()
}

/// Whether `event` concerns a pod whose last attempt `plugins` rejected (any of them queues it); a pod
/// no plugin rejected is moved by every event.
pub fn worth_requeuing_any(plugins: PluginSet, event: ClusterEvent, pod: &Pod) -> bool {
    plugins.is_empty() || plugins.iter().any(|p| worth_requeuing(p, event, pod))
}

/// The plugins whose pods an event may concern (the `EventsToRegister` side, before hints run): the
/// queue looks only at the unschedulable pods these plugins rejected.
pub fn registered(event: ClusterEvent<'_>) -> impl Iterator<Item = Plugin> + '_ {
    Plugin::ALL.into_iter().filter(move |p| match event {
        ClusterEvent::AssignedPodAdd(_) => {
            matches!(
                p,
                Plugin::PodTopologySpread | Plugin::InterPodAffinity | Plugin::Other
            )
        }
        ClusterEvent::AssignedPodDelete(_) => matches!(
            p,
            Plugin::NodeResourcesFit
                | Plugin::PodTopologySpread
                | Plugin::InterPodAffinity
                | Plugin::Other
        ),
        ClusterEvent::Volume => matches!(p, Plugin::VolumeBinding | Plugin::Other),
        ClusterEvent::NodeDelete => matches!(p, Plugin::PodTopologySpread | Plugin::Other),
        _ => true,
    })
}

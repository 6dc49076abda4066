//! Live pods that are bound, not terminating and not finished, counted per node within groups of pods
//! with the same namespace and labels (which do not change after creation): what PodTopologySpread
//! counts (kk:pkg/scheduler/framework/plugins/podtopologyspread/common.go `countPodsMatchSelector`),
//! found by matching a selector once per group instead of once per pod.

use super::ids::{NodeId, PodId};
use super::objects::{Labels, Pod, PodPhase};
use super::selector::LabelSelector;
use std::collections::BTreeMap;

/// Pods of one namespace with the same labels.
#[derive(Debug, Clone)]
pub struct PodGroup {
    pub namespace: String,
    pub labels: Labels,
    /// Counted pods per node (nodes with none are left out).
    pub per_node: BTreeMap<NodeId, i64>,
}

/// The groups, and per pod its group and the node it is counted on.
#[derive(Debug, Default, Clone)]
pub struct PodGroups {
    ids: BTreeMap<(String, Labels), usize>,
    groups: Vec<PodGroup>,
    /// Each namespace's groups, in creation order.
    by_namespace: BTreeMap<String, Vec<usize>>,
    of_pod: Vec<(usize, Option<NodeId>)>,
}

/// Whether `pod` is counted: live, bound, not being deleted, and neither Succeeded nor Failed.
fn counted_on(pod: &Pod) -> Option<NodeId> {
    let terminal = matches!(pod.phase, PodPhase::Succeeded | PodPhase::Failed);
    let counted = pod.meta.exists() && pod.meta.deletion.is_none() && !terminal;
    pod.node.filter(|_| counted)
}

impl PodGroups {
    /// Puts a pod that was just created (the next id) in its group.
    pub(super) fn insert(&mut self, id: PodId, pod: &Pod) {
        debug_assert_eq!(id.index(), self.of_pod.len());
        let key = (pod.meta.namespace.clone(), pod.meta.labels.clone());
        let next = self.groups.len();
        let group = *self.ids.entry(key).or_insert(next);
        if group == next {
            self.groups.push(PodGroup {
                namespace: pod.meta.namespace.clone(),
                labels: pod.meta.labels.clone(),
                per_node: BTreeMap::new(),
            });
            let in_namespace = self.by_namespace.entry(pod.meta.namespace.clone());
            in_namespace.or_default().push(group);
        }
        self.of_pod.push((group, None));
        self.refresh(id, pod);
    }

    /// Recounts a pod after a change to it.
    pub(super) fn refresh(&mut self, id: PodId, pod: &Pod) {
        let (group, was) = self.of_pod[id.index()];
        let now = counted_on(pod);
        if was == now {
            return;
        }
        let per_node = &mut self.groups[group].per_node;
        if let Some(node) = was {
            let n = per_node.get_mut(&node).expect("counted before");
            *n -= 1;
            if *n == 0 {
                per_node.remove(&node);
            }
        }
        if let Some(node) = now {
            *per_node.entry(node).or_insert(0) += 1;
        }
        self.of_pod[id.index()].1 = now;
    }

    /// The groups in `namespace` with counted pods whose labels `selector` selects.
    pub fn matching(&self, namespace: &str, selector: &LabelSelector) -> Vec<&PodGroup> {
        let selects = |g: &&PodGroup| {
            !g.per_node.is_empty() && g.namespace == namespace && selector.matches(&g.labels)
        };
        let in_namespace = self.by_namespace.get(namespace).into_iter().flatten();
        in_namespace
            .map(|g| &self.groups[*g])
            .filter(selects)
            .collect()
    }
}

//! Indexes of live pods for label-selector lookups (like an informer's indexer): by label, and those
//! with pod (anti-)affinity terms. Pod labels and specs do not change after creation in the model.

use super::ids::PodId;
use super::objects::Pod;
use super::selector::{LabelSelector, Operator};
use super::store::Store;
use std::collections::{BTreeMap, BTreeSet};

/// Live pods by label key and value, and the live pods with pod (anti-)affinity terms.
#[derive(Debug, Clone, Default)]
pub struct PodIndex {
    by_label: BTreeMap<String, BTreeMap<String, BTreeSet<PodId>>>,
    with_affinity: BTreeSet<PodId>,
}

impl PodIndex {
    /// Indexes a pod that was just created.
    pub(super) fn insert(&mut self, id: PodId, pod: &Pod) {
        for (k, v) in &pod.meta.labels {
            let values = self.by_label.entry(k.clone()).or_default();
            values.entry(v.clone()).or_default().insert(id);
        }
        if pod.spec.affinity.has_pod_terms() {
            self.with_affinity.insert(id);
        }
    }

    /// Forgets a pod that left the API server.
    pub(super) fn remove(&mut self, id: PodId, pod: &Pod) {
        for (k, v) in &pod.meta.labels {
            if let Some(set) = self.by_label.get_mut(k).and_then(|m| m.get_mut(v)) {
                set.remove(&id);
            }
        }
        self.with_affinity.remove(&id);
    }

    /// Live pods with a label `key=value`.
    fn with_label(&self, key: &str, value: &str) -> Vec<PodId> {
        let set = self.by_label.get(key).and_then(|m| m.get(value));
        set.into_iter().flatten().copied().collect()
    }

    /// Live pods with a label `key` (any value), in id order.
    fn with_key(&self, key: &str) -> Vec<PodId> {
        let sets = self.by_label.get(key).into_iter().flat_map(|m| m.values());
        let all: BTreeSet<PodId> = sets.flatten().copied().collect();
        all.into_iter().collect()
    }

    /// Live pods with `key` in `values`, in id order.
    fn with_values(&self, key: &str, values: &[String]) -> Vec<PodId> {
        let all: BTreeSet<PodId> = values
            .iter()
            .flat_map(|v| self.with_label(key, v))
            .collect();
        all.into_iter().collect()
    }
}

impl Store {
    /// Live pods that may match `selector`, in id order: the smallest indexed set among its `matchLabels`
    /// pairs and its `In` and `Exists` expressions, or every live pod when it has none. Callers still
    /// check the selector itself.
    pub fn pods_maybe_matching(&self, selector: &LabelSelector) -> Vec<PodId> {
        let index = &self.pod_index;
        let by_labels = selector
            .match_labels
            .iter()
            .map(|(k, v)| index.with_label(k, v));
        let by_exprs = selector
            .match_expressions
            .iter()
            .filter_map(|r| match r.operator {
                Operator::In => Some(index.with_values(&r.key, &r.values)),
                Operator::Exists => Some(index.with_key(&r.key)),
                _ => None,
            });
        by_labels
            .chain(by_exprs)
            .min_by_key(Vec::len)
            .unwrap_or_else(|| self.live_pods.iter().copied().collect())
    }

    /// Live pods with pod (anti-)affinity terms (`PodsWithAffinity`), in id order.
    pub fn pods_with_affinity(&self) -> impl Iterator<Item = PodId> + '_ {
        self.pod_index.with_affinity.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_are_found_by_label_by_key_and_by_a_list_of_values() {
        let mut index = PodIndex::default();
        let mut add = |id: u32, pairs: &[(&str, &str)]| {
            for (k, v) in pairs {
                let values = index.by_label.entry(k.to_string()).or_default();
                values.entry(v.to_string()).or_default().insert(PodId(id));
            }
        };
        add(0, &[("app", "web"), ("tier", "a")]);
        add(1, &[("app", "web"), ("tier", "b")]);
        add(2, &[("app", "db")]);
        assert_eq!(index.with_label("app", "web"), vec![PodId(0), PodId(1)]);
        assert_eq!(index.with_key("tier"), vec![PodId(0), PodId(1)]);
        let values = ["b".to_string(), "a".to_string()];
        assert_eq!(index.with_values("tier", &values), vec![PodId(0), PodId(1)]);
    }
}

//! Indexes of live pods for lookups (like an informer's indexers): by label, by claim they mount, and
//! those with pod (anti-)affinity terms. Pod labels and specs do not change after creation in the model.

use super::ids::PodId;
use super::objects::{Labels, Pod};
use super::selector::{LabelSelector, Operator};
use super::store::Store;
use std::collections::{BTreeMap, BTreeSet};

/// Live pods by label key, then value.
type LabelIndex = BTreeMap<String, BTreeMap<String, BTreeSet<PodId>>>;

/// Live pods by label key and value, by the claims they name, and the live pods with pod
/// (anti-)affinity terms.
#[derive(Debug, Clone, Default)]
pub struct PodIndex {
    by_label: LabelIndex,
    /// By namespace, then label key and value (a namespaced lister's selector lookups).
    by_namespace_label: BTreeMap<String, LabelIndex>,
    /// By namespace, then claim name (the attach/detach controller's `podsByPVC`-like lookup).
    by_claim: BTreeMap<String, BTreeMap<String, BTreeSet<PodId>>>,
    with_affinity: BTreeSet<PodId>,
}

impl PodIndex {
    /// Indexes a pod that was just created.
    pub(super) fn insert(&mut self, id: PodId, pod: &Pod) {
        let in_namespace = self.by_namespace_label.entry(pod.meta.namespace.clone());
        let in_namespace = in_namespace.or_default();
        for (k, v) in &pod.meta.labels {
            let values = self.by_label.entry(k.clone()).or_default();
            values.entry(v.clone()).or_default().insert(id);
            let values = in_namespace.entry(k.clone()).or_default();
            values.entry(v.clone()).or_default().insert(id);
        }
        for claim in &pod.spec.claims {
            let claims = self.by_claim.entry(pod.meta.namespace.clone()).or_default();
            claims.entry(claim.clone()).or_default().insert(id);
        }
        if pod.spec.affinity.has_pod_terms() {
            self.with_affinity.insert(id);
        }
    }

    /// Forgets a pod that left the API server.
    pub(super) fn remove(&mut self, id: PodId, pod: &Pod) {
        let mut in_namespace = self.by_namespace_label.get_mut(&pod.meta.namespace);
        for (k, v) in &pod.meta.labels {
            if let Some(set) = self.by_label.get_mut(k).and_then(|m| m.get_mut(v)) {
                set.remove(&id);
            }
            let values = in_namespace.as_mut().and_then(|i| i.get_mut(k));
            if let Some(set) = values.and_then(|m| m.get_mut(v)) {
                set.remove(&id);
            }
        }
        for claim in &pod.spec.claims {
            let claims = self.by_claim.get_mut(&pod.meta.namespace);
            if let Some(set) = claims.and_then(|m| m.get_mut(claim)) {
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

    /// Live pods with the rarest `key=value` pair of `labels` in `index`, in id order; None when it
    /// has no pairs.
    fn smallest_pair(index: &LabelIndex, labels: &Labels) -> Option<Vec<PodId>> {
        let empty = BTreeSet::new();
        let sets = labels.iter().map(|(k, v)| {
            let set = index.get(k).and_then(|m| m.get(v));
            set.unwrap_or(&empty)
        });
        let smallest = sets.min_by_key(|s| s.len())?;
        Some(smallest.iter().copied().collect())
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
        let by_labels =
            PodIndex::smallest_pair(&index.by_label, &selector.match_labels).into_iter();
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

    /// Live pods of `namespace` that may carry every label of `labels` (a Service's selector), in id
    /// order: the rarest pair's pods there, or every live pod when `labels` is empty. Callers still
    /// check the namespace and the labels.
    pub fn pods_maybe_labelled(&self, namespace: &str, labels: &Labels) -> Vec<PodId> {
        let Some(index) = self.pod_index.by_namespace_label.get(namespace) else {
            return Vec::new();
        };
        let smallest = PodIndex::smallest_pair(index, labels);
        smallest.unwrap_or_else(|| self.live_pods.iter().copied().collect())
    }

    /// Live pods that name the claim `claim` in `namespace` among their volumes, in id order.
    pub fn pods_using_claim<'a>(
        &'a self,
        namespace: &str,
        claim: &str,
    ) -> impl Iterator<Item = PodId> + 'a {
        let claims = self.pod_index.by_claim.get(namespace);
        let set = claims.and_then(|m| m.get(claim));
        set.into_iter().flatten().copied()
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

    #[test]
    fn pods_are_found_by_the_claims_they_name_until_they_leave() {
        let mut index = PodIndex::default();
        let mut with_claim = crate::scheduler::test_support::pod("web-0", &[]);
        with_claim.spec.claims = vec!["data-web-0".to_string()];
        let other = crate::scheduler::test_support::pod("web-1", &[]);
        index.insert(PodId(0), &with_claim);
        index.insert(PodId(1), &other);
        let using = |index: &PodIndex, ns: &str| -> Vec<PodId> {
            let set = index.by_claim.get(ns).and_then(|m| m.get("data-web-0"));
            set.into_iter().flatten().copied().collect()
        };
        assert_eq!(using(&index, "default"), vec![PodId(0)]);
        assert_eq!(using(&index, "other"), Vec::<PodId>::new());
        index.remove(PodId(0), &with_claim);
        assert_eq!(using(&index, "default"), Vec::<PodId>::new());
    }
}

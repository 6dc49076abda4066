//! Where a pod may and would rather run: node affinity, pod (anti-)affinity terms and topology spread constraints.

use super::objects::Labels;
use super::selector::{LabelSelector, Requirement};

/// The label every namespace carries with its own name (kk:pkg/controlplane `NamespaceLabelKey`); the model's
/// namespaces have no other labels, so a term's `namespaceSelector` sees only this one.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A `PodAffinityTerm` (kk:staging/src/k8s.io/api/core/v1/types.go).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodAffinityTerm {
    /// `labelSelector`; None (nil) selects no pod.
    pub selector: Option<LabelSelector>,
    /// `namespaces`; with no `namespaceSelector` either, the pod's own namespace.
    pub namespaces: Vec<String>,
    /// `namespaceSelector`; None (nil) selects no namespace, an empty one every namespace.
    pub namespace_selector: Option<LabelSelector>,
    pub topology_key: String,
    /// `matchLabelKeys` / `mismatchLabelKeys`: the owner's values of these labels are added to the selector
    /// as `In` / `NotIn` (the API server merges them at pod creation, MatchLabelKeysInPodAffinity).
    pub match_label_keys: Vec<String>,
    pub mismatch_label_keys: Vec<String>,
}

impl PodAffinityTerm {
    /// `AffinityTerm.Matches` (kk:pkg/scheduler/framework/types.go): whether a pod in `namespace` with
    /// `labels` matches this term of a pod in `owner_ns` with `owner_labels`.
    pub fn matches(
        &self,
        owner_ns: &str,
        owner_labels: &Labels,
        namespace: &str,
        labels: &Labels,
    ) -> bool {
        self.namespace_matches(owner_ns, namespace) && self.selector_matches(owner_labels, labels)
    }

    fn namespace_matches(&self, owner_ns: &str, namespace: &str) -> bool {
        if self.namespaces.is_empty() && self.namespace_selector.is_none() {
            return owner_ns == namespace;
        }
        if self.namespaces.iter().any(|n| n == namespace) {
            return true;
        }
        let ns_labels = Labels::from([(NAMESPACE_NAME_LABEL.to_string(), namespace.to_string())]);
        self.namespace_selector
            .as_ref()
            .is_some_and(|s| s.matches(&ns_labels))
    }

    fn selector_matches(&self, owner_labels: &Labels, labels: &Labels) -> bool {
        let Some(selector) = &self.selector else {
            return false;
        };
        let keyed = |keys: &[String], same: bool| {
            keys.iter().all(|k| match owner_labels.get(k) {
                Some(v) => (labels.get(k) == Some(v)) == same,
                None => true,
            })
        };
        selector.matches(labels)
            && keyed(&self.match_label_keys, true)
            && keyed(&self.mismatch_label_keys, false)
    }
}

/// A `WeightedPodAffinityTerm` (weight 1-100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightedTerm {
    pub weight: i64,
    pub term: PodAffinityTerm,
}

/// `podAffinity` or `podAntiAffinity`: required terms (a filter) and preferred ones (a score).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodAffinity {
    pub required: Vec<PodAffinityTerm>,
    pub preferred: Vec<WeightedTerm>,
}

impl PodAffinity {
    /// True when it has no terms.
    pub fn is_empty(&self) -> bool {
        self.required.is_empty() && self.preferred.is_empty()
    }
}

/// `nodeAffinity`: required node selector terms (ORed) and weighted preferred terms.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeAffinity {
    /// `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms` (their `matchExpressions`).
    pub required: Option<super::selector::NodeSelector>,
    /// `preferredDuringSchedulingIgnoredDuringExecution`: weight and the term's `matchExpressions`.
    pub preferred: Vec<(i64, Vec<Requirement>)>,
    /// A required term `matchFields: [{key: metadata.name, operator: In, values: [name]}]`: the node a
    /// DaemonSet pod is made for (kk:pkg/controller/daemon/util `ReplaceDaemonSetPodNodeNameNodeAffinity`
    /// replaces the required terms with this one).
    pub required_node_name: Option<String>,
}

/// `spec.affinity`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Affinity {
    pub node: NodeAffinity,
    pub pod: PodAffinity,
    pub anti: PodAffinity,
}

impl Affinity {
    /// `PodInfo` keeps pods with any pod (anti-)affinity term in `PodsWithAffinity`.
    pub fn has_pod_terms(&self) -> bool {
        !self.pod.is_empty() || !self.anti.is_empty()
    }
}

/// `whenUnsatisfiable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenUnsatisfiable {
    DoNotSchedule,
    ScheduleAnyway,
}

/// A `TopologySpreadConstraint` with the scheduler's defaults applied
/// (kk:pkg/scheduler/framework/plugins/podtopologyspread/common.go `filterTopologySpreadConstraints`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpreadConstraint {
    pub max_skew: u32,
    pub topology_key: String,
    pub when_unsatisfiable: WhenUnsatisfiable,
    /// `labelSelector`; None (nil) matches no pod.
    pub selector: Option<LabelSelector>,
    /// `minDomains` (1 when unset).
    pub min_domains: u32,
    /// `nodeAffinityPolicy` Honor (the default) or Ignore.
    pub honor_node_affinity: bool,
    /// `nodeTaintsPolicy` Honor or Ignore (the default).
    pub honor_node_taints: bool,
    /// `matchLabelKeys`: the pod's values of these labels are ANDed into the selector.
    pub match_label_keys: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Operator;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn term(namespaces: &[&str], ns_selector: Option<LabelSelector>) -> PodAffinityTerm {
        PodAffinityTerm {
            selector: Some(LabelSelector {
                match_labels: labels(&[("app", "zk")]),
                match_expressions: vec![],
            }),
            namespaces: namespaces.iter().map(|n| n.to_string()).collect(),
            namespace_selector: ns_selector,
            topology_key: "kubernetes.io/hostname".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_term_without_namespaces_matches_only_pods_of_its_owners_namespace() {
        let zk = labels(&[("app", "zk")]);
        let t = term(&[], None);
        assert!(t.matches("default", &Labels::new(), "default", &zk));
        assert!(!t.matches("default", &Labels::new(), "other", &zk));
        assert!(term(&["other"], None).matches("default", &Labels::new(), "other", &zk));
    }

    #[test]
    fn an_empty_namespace_selector_matches_every_namespace_and_a_nil_label_selector_no_pod() {
        let zk = labels(&[("app", "zk")]);
        assert!(term(&[], Some(LabelSelector::default())).matches("a", &Labels::new(), "b", &zk));
        let by_name = LabelSelector {
            match_labels: Labels::new(),
            match_expressions: vec![Requirement {
                key: NAMESPACE_NAME_LABEL.into(),
                operator: Operator::In,
                values: vec!["b".into()],
            }],
        };
        assert!(term(&[], Some(by_name)).matches("a", &Labels::new(), "b", &zk));
        let nil = PodAffinityTerm {
            selector: None,
            ..term(&[], None)
        };
        assert!(!nil.matches("a", &Labels::new(), "a", &zk));
    }

    #[test]
    fn match_label_keys_take_the_owners_value() {
        let t = PodAffinityTerm {
            match_label_keys: vec!["hash".into()],
            ..term(&[], None)
        };
        let owner = labels(&[("hash", "1")]);
        assert!(t.matches("a", &owner, "a", &labels(&[("app", "zk"), ("hash", "1")])));
        assert!(!t.matches("a", &owner, "a", &labels(&[("app", "zk"), ("hash", "2")])));
        assert!(t.matches(
            "a",
            &Labels::new(),
            "a",
            &labels(&[("app", "zk"), ("hash", "2")])
        ));
    }
}

//! Converts a pod's `affinity` and `topologySpreadConstraints` into the store's compact form.

use super::convert_storage::{label_selector, node_selector};
use crate::api::affinity::{NodeAffinity, PodAffinity, WeightedTerm};
use crate::api::{Affinity, PodAffinityTerm, Requirement, SpreadConstraint, WhenUnsatisfiable};
use k8s_openapi::api::core::v1 as core;

/// `spec.affinity` (node affinity's `matchFields` are not modelled).
pub fn affinity(a: Option<&core::Affinity>) -> Affinity {
    let Some(a) = a else {
        return Affinity::default();
    };
    let pod = a.pod_affinity.as_ref().map(|p| {
        pod_terms(
            &p.required_during_scheduling_ignored_during_execution,
            &p.preferred_during_scheduling_ignored_during_execution,
        )
    });
    let anti = a.pod_anti_affinity.as_ref().map(|p| {
        pod_terms(
            &p.required_during_scheduling_ignored_during_execution,
            &p.preferred_during_scheduling_ignored_during_execution,
        )
    });
    Affinity {
        node: a.node_affinity.as_ref().map(node).unwrap_or_default(),
        pod: pod.unwrap_or_default(),
        anti: anti.unwrap_or_default(),
    }
}

fn pod_terms(
    required: &Option<Vec<core::PodAffinityTerm>>,
    preferred: &Option<Vec<core::WeightedPodAffinityTerm>>,
) -> PodAffinity {
    let weighted = |w: &core::WeightedPodAffinityTerm| WeightedTerm {
        weight: i64::from(w.weight),
        term: term(&w.pod_affinity_term),
    };
    PodAffinity {
        required: required.iter().flatten().map(term).collect(),
        preferred: preferred.iter().flatten().map(weighted).collect(),
    }
}

fn term(t: &core::PodAffinityTerm) -> PodAffinityTerm {
    PodAffinityTerm {
        selector: t.label_selector.as_ref().map(label_selector),
        namespaces: t.namespaces.clone().unwrap_or_default(),
        namespace_selector: t.namespace_selector.as_ref().map(label_selector),
        topology_key: t.topology_key.clone(),
        match_label_keys: t.match_label_keys.clone().unwrap_or_default(),
        mismatch_label_keys: t.mismatch_label_keys.clone().unwrap_or_default(),
    }
}

fn node(n: &core::NodeAffinity) -> NodeAffinity {
    let expressions = |t: &core::NodeSelectorTerm| -> Vec<Requirement> {
        let one = core::NodeSelector {
            node_selector_terms: vec![t.clone()],
        };
        node_selector(&one).terms.pop().unwrap_or_default()
    };
    let preferred = n
        .preferred_during_scheduling_ignored_during_execution
        .iter()
        .flatten();
    NodeAffinity {
        required: n
            .required_during_scheduling_ignored_during_execution
            .as_ref()
            .map(node_selector),
        preferred: preferred
            .map(|p| (i64::from(p.weight), expressions(&p.preference)))
            .collect(),
        required_node_name: None,
    }
}

/// `spec.topologySpreadConstraints` with the scheduler's defaults: minDomains 1, nodeAffinityPolicy Honor,
/// nodeTaintsPolicy Ignore (kk:pkg/scheduler/framework/plugins/podtopologyspread/common.go).
pub fn spread(constraints: Option<&Vec<core::TopologySpreadConstraint>>) -> Vec<SpreadConstraint> {
    let one = |c: &core::TopologySpreadConstraint| SpreadConstraint {
        max_skew: c.max_skew.max(0) as u32,
        topology_key: c.topology_key.clone(),
        when_unsatisfiable: match c.when_unsatisfiable.as_str() {
            "ScheduleAnyway" => WhenUnsatisfiable::ScheduleAnyway,
            _ => WhenUnsatisfiable::DoNotSchedule,
        },
        selector: c.label_selector.as_ref().map(label_selector),
        min_domains: c.min_domains.unwrap_or(1).max(1) as u32,
        honor_node_affinity: c.node_affinity_policy.as_deref() != Some("Ignore"),
        honor_node_taints: c.node_taints_policy.as_deref() == Some("Honor"),
        match_label_keys: c.match_label_keys.clone().unwrap_or_default(),
    };
    constraints.into_iter().flatten().map(one).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod_spec(lines: &[&str]) -> core::PodSpec {
        serde_yaml_ng::from_str(&lines.join("\n")).expect("pod spec")
    }

    #[test]
    fn required_anti_affinity_and_a_spread_constraint_convert_with_their_defaults() {
        let s = pod_spec(&[
            "containers: []",
            "affinity:",
            "  podAntiAffinity:",
            "    requiredDuringSchedulingIgnoredDuringExecution:",
            "    - labelSelector: {matchExpressions: [{key: app, operator: In, values: [zk]}]}",
            "      topologyKey: kubernetes.io/hostname",
            "    preferredDuringSchedulingIgnoredDuringExecution:",
            "    - weight: 20",
            "      podAffinityTerm: {topologyKey: zone, namespaces: [other]}",
            "topologySpreadConstraints:",
            "- {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: zk}}}",
        ]);
        let a = affinity(s.affinity.as_ref());
        assert!(a.pod.is_empty() && a.node.required.is_none());
        let req = &a.anti.required[0];
        assert_eq!(req.topology_key, "kubernetes.io/hostname");
        assert_eq!(req.selector.as_ref().unwrap().match_expressions.len(), 1);
        let pref = &a.anti.preferred[0];
        assert_eq!((pref.weight, pref.term.selector.is_none()), (20, true));
        assert_eq!(pref.term.namespaces, vec!["other".to_string()]);
        let c = &spread(s.topology_spread_constraints.as_ref())[0];
        assert_eq!(c.when_unsatisfiable, WhenUnsatisfiable::ScheduleAnyway);
        assert_eq!((c.max_skew, c.min_domains), (1, 1));
        assert!(c.honor_node_affinity && !c.honor_node_taints);
    }

    #[test]
    fn node_affinity_keeps_required_terms_and_weighted_preferences() {
        let s = pod_spec(&[
            "containers: []",
            "affinity:",
            "  nodeAffinity:",
            "    requiredDuringSchedulingIgnoredDuringExecution:",
            "      nodeSelectorTerms: [{matchExpressions: [{key: disk, operator: In, values: [ssd]}]}]",
            "    preferredDuringSchedulingIgnoredDuringExecution:",
            "    - {weight: 5, preference: {matchExpressions: [{key: zone, operator: Exists}]}}",
        ]);
        let a = affinity(s.affinity.as_ref());
        assert_eq!(a.node.required.unwrap().terms.len(), 1);
        assert_eq!(a.node.preferred[0].0, 5);
        assert_eq!(a.node.preferred[0].1[0].key, "zone");
    }
}

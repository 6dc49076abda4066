//! Which nodes a DaemonSet's pod belongs on, and the pod it creates there (kk:pkg/controller/daemon/
//! daemon_controller.go `NodeShouldRunDaemonPod`, `predicates`, `NewPod`; kk:pkg/controller/daemon/util/
//! daemonset_util.go `AddOrUpdateDaemonPodTolerations`, `ReplaceDaemonSetPodNodeNameNodeAffinity`).

use crate::api::{selector_matches, DaemonSet, Node, Pod, PodSpec, PodTemplate, Taint, Toleration};

/// `apps.DefaultDaemonSetUniqueLabelKey`: the pod template's hash on each pod.
pub const HASH_LABEL: &str = "controller-revision-hash";

/// The tolerations every DaemonSet pod gets (`AddOrUpdateDaemonPodTolerations`): it keeps running on
/// a not-ready or unreachable node (NoExecute, no tolerationSeconds: never evicted), and is scheduled
/// onto nodes under disk, memory or PID pressure and onto cordoned ones. `hostNetwork` pods also
/// tolerate `network-unavailable`; host networking is not modelled, so that one is not added.
const DEFAULT_TOLERATIONS: &[(&str, &str)] = &[
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
];

/// Adds the default tolerations the spec does not have yet (`AddOrUpdateTolerationInPodSpec`).
pub fn add_daemon_tolerations(spec: &mut PodSpec) {
    for (key, effect) in DEFAULT_TOLERATIONS {
        let toleration = Toleration {
            key: Some(key.to_string()),
            value: None,
            effect: Some(effect.to_string()),
            exists: true,
            toleration_seconds: None,
        };
        spec.tolerations
            .retain(|t| t.key.as_deref() != Some(key) || t.effect.as_deref() != Some(effect));
        spec.tolerations.push(toleration);
    }
}

/// `NodeShouldRunDaemonPod`: (shouldRun, shouldContinueRunning). The node must match the template's
/// nodeName, nodeSelector and required node affinity; an untolerated NoSchedule or NoExecute taint
/// keeps new pods off, and only an untolerated NoExecute one removes a running pod.
pub fn should_run(node: &Node, ds: &DaemonSet) -> (bool, bool) {
    let spec = &ds.template.spec;
    let fits_name = spec.node_name.as_ref().is_none_or(|n| *n == node.meta.name);
    let labels = &node.meta.labels;
    let fits_affinity = selector_matches(&spec.node_selector, labels)
        && spec
            .affinity
            .node
            .required
            .as_ref()
            .is_none_or(|r| r.matches(labels));
    if !fits_name || !fits_affinity {
        return (false, false);
    }
    let mut tolerations = spec.clone();
    add_daemon_tolerations(&mut tolerations);
    let untolerated = |effects: &[&str]| {
        node.taints
            .iter()
            .filter(|t| effects.contains(&t.effect.as_str()))
            .any(|t| !tolerated(&tolerations.tolerations, t))
    };
    if untolerated(&["NoSchedule", "NoExecute"]) {
        return (false, !untolerated(&["NoExecute"]));
    }
    (true, true)
}

fn tolerated(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| t.tolerates(taint))
}

/// `CreatePodTemplate` plus `ReplaceDaemonSetPodNodeNameNodeAffinity`: the template with the default
/// tolerations and the hash label, and one required node affinity term, `matchFields metadata.name In
/// [node]`, in place of the template's, so that the default scheduler binds it to that node.
pub fn pod_template(ds: &DaemonSet, hash: &str, node: &str) -> PodTemplate {
    let mut t = ds.template.clone();
    t.labels.insert(HASH_LABEL.to_string(), hash.to_string());
    add_daemon_tolerations(&mut t.spec);
    t.spec.affinity.node.required = None;
    t.spec.affinity.node.required_node_name = Some(node.to_string());
    t
}

/// The hash of the DaemonSet's current template (`controller.HashControllerRevision` of its revision).
pub fn template_hash(ds: &DaemonSet) -> String {
    let data = ds.template.hash_text();
    crate::controllers::statefulset::utils::revision_hash(data.as_bytes())
}

/// `GetTargetNodeName`: the node a pod is bound to or, before binding, the one its affinity names.
pub fn target_node(pod: &Pod, nodes: &[Node]) -> Option<crate::api::NodeId> {
    if pod.node.is_some() {
        return pod.node;
    }
    let name = pod.spec.affinity.node.required_node_name.as_deref()?;
    nodes
        .iter()
        .position(|n| n.meta.name == name)
        .map(|i| crate::api::NodeId(i as u32))
}

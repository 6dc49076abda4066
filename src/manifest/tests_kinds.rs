//! Loader tests on the ZooKeeper manifests of article 003 and on the other kinds.

use super::tests_fixtures::*;
use super::*;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

#[test]
fn a_service_without_target_port_targets_its_port() {
    let loaded = parse_str(ZK_HEAD.split("---").next().unwrap(), "zk.yaml").unwrap();
    let Object::Service(s) = &loaded[0].object else {
        panic!("a Service")
    };
    let spec = s.spec.as_ref().unwrap();
    assert_eq!(spec.cluster_ip.as_deref(), Some("None"));
    let targets: Vec<_> = spec
        .ports
        .iter()
        .flatten()
        .map(|p| p.target_port.clone())
        .collect();
    assert_eq!(
        targets,
        [Some(IntOrString::Int(2888)), Some(IntOrString::Int(3888))]
    );
}

#[test]
fn a_removed_api_version_names_its_replacement() {
    let e = err(ZK_HEAD, "zk.yaml");
    assert_eq!(
        e,
        "resource mapping not found for name: \"zk-budget\" namespace: \"\" from \"zk.yaml#3\": no matches for kind \
         \"PodDisruptionBudget\" in version \"policy/v1beta1\"\nPodDisruptionBudget policy/v1beta1 was removed in \
         Kubernetes 1.25; use apiVersion: policy/v1 instead"
    );
    let e = err(&zk_statefulset("apps/v1beta1", ""), "zk.yaml");
    assert!(
        e.contains("no matches for kind \"StatefulSet\" in version \"apps/v1beta1\""),
        "{e}"
    );
    assert!(e.ends_with("use apiVersion: apps/v1 instead"), "{e}");
}

#[test]
fn the_zookeeper_ensemble_loads_once_its_api_versions_are_current() {
    let text = format!(
        "{}---\n{}",
        ZK_HEAD.replace("policy/v1beta1", "policy/v1"),
        zk_statefulset("apps/v1", ZK_SELECTOR)
    );
    let loaded = parse_str(&text, "zk.yaml").unwrap();
    assert_eq!(loaded.len(), 4);
    let Object::StatefulSet(s) = &loaded[3].object else {
        panic!("a StatefulSet")
    };
    assert_eq!(loaded[3].source, "zk.yaml#4");
    let spec = s.spec.as_ref().unwrap();
    let probe = spec.template.spec.as_ref().unwrap().containers[0]
        .readiness_probe
        .clone()
        .unwrap();
    assert_eq!(
        (
            probe.timeout_seconds,
            probe.period_seconds,
            probe.success_threshold,
            probe.failure_threshold
        ),
        (Some(5), Some(10), Some(1), Some(3))
    );
    let claim = &spec.volume_claim_templates.as_ref().unwrap()[0];
    assert_eq!(
        claim.spec.as_ref().unwrap().volume_mode.as_deref(),
        Some("Filesystem")
    );
}

#[test]
fn statefulset_defaults_match_upstream() {
    let loaded = parse_str(&zk_statefulset("apps/v1", ZK_SELECTOR), "zk.yaml").unwrap();
    let Object::StatefulSet(s) = &loaded[0].object else {
        panic!("a StatefulSet")
    };
    let spec = s.spec.as_ref().unwrap();
    assert_eq!(spec.pod_management_policy.as_deref(), Some("OrderedReady"));
    assert_eq!(spec.revision_history_limit, Some(10));
    let strategy = spec.update_strategy.as_ref().unwrap();
    assert_eq!(strategy.type_.as_deref(), Some("RollingUpdate"));
    let rolling = strategy.rolling_update.as_ref().unwrap();
    assert_eq!(
        (rolling.partition, &rolling.max_unavailable),
        (Some(0), &None)
    );
    let retention = spec
        .persistent_volume_claim_retention_policy
        .as_ref()
        .unwrap();
    assert_eq!(
        (
            retention.when_deleted.as_deref(),
            retention.when_scaled.as_deref()
        ),
        (Some("Retain"), Some("Retain"))
    );
    // The tag is v1, and the article asked for Always anyway.
    assert_eq!(
        spec.template.spec.as_ref().unwrap().containers[0]
            .image_pull_policy
            .as_deref(),
        Some("Always")
    );
}

/// k8s-openapi reads a missing selector as an empty one, so the API server's message for an empty
/// selector is the one given.
#[test]
fn a_statefulset_without_a_selector_is_rejected_in_apps_v1() {
    assert_eq!(
        err(&zk_statefulset("apps/v1", ""), "zk.yaml"),
        "error when creating \"zk.yaml\": StatefulSet.apps \"zk\" is invalid: spec.selector: Invalid value: {}: \
         empty selector is invalid for statefulset"
    );
}

#[test]
fn every_simulated_kind_decodes() {
    for k in kinds::KINDS {
        let text = format!(
            "apiVersion: {}\nkind: {}\nmetadata: {{name: x}}\n",
            k.api_version, k.kind
        );
        let result = parse_str(&text, "k.yaml");
        if let Ok(loaded) = result {
            assert_eq!(loaded[0].object.kind(), k.kind);
        } else if let Err(e) = result {
            assert!(
                matches!(
                    e,
                    ManifestError::Invalid { .. } | ManifestError::Decode { .. }
                ),
                "{}: {e}",
                k.kind
            );
        }
    }
}

#[test]
fn a_job_template_must_not_restart_always() {
    let text = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: pi}\nspec:\n  template:\n    spec:\n      containers: [{name: pi, image: perl:5.34}]\n";
    let e = err(text, "job.yaml");
    assert!(e.ends_with("spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""), "{e}");
    let ok = parse_str(
        &text.replace(
            "      containers",
            "      restartPolicy: Never\n      containers",
        ),
        "job.yaml",
    )
    .unwrap();
    let Object::Job(j) = &ok[0].object else {
        panic!("a Job")
    };
    let spec = j.spec.as_ref().unwrap();
    assert_eq!(
        (spec.completions, spec.parallelism, spec.backoff_limit),
        (Some(1), Some(1), Some(6))
    );
}

#[test]
fn daemonset_and_storage_defaults_match_upstream() {
    let text = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec: {containers: [{name: a, image: agent:2}]}\n---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: cbs, namespace: ignored}\nprovisioner: cloud.tencent.com/qcloud-cbs\n";
    let loaded = parse_str(text, "x.yaml").unwrap();
    let Object::DaemonSet(d) = &loaded[0].object else {
        panic!("a DaemonSet")
    };
    let rolling = d
        .spec
        .as_ref()
        .unwrap()
        .update_strategy
        .as_ref()
        .unwrap()
        .rolling_update
        .clone()
        .unwrap();
    assert_eq!(
        (rolling.max_unavailable, rolling.max_surge),
        (Some(IntOrString::Int(1)), Some(IntOrString::Int(0)))
    );
    let Object::StorageClass(c) = &loaded[1].object else {
        panic!("a StorageClass")
    };
    assert_eq!(
        (
            c.reclaim_policy.as_deref(),
            c.volume_binding_mode.as_deref()
        ),
        (Some("Delete"), Some("Immediate"))
    );
    assert_eq!(loaded[1].object.namespace(), None);
}

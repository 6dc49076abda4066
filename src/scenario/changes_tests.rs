//! Tests of the scenario's changes over time: each parses, and a target the manifests lack is rejected.

use super::tests::{message, object, temp_dir, with_objects, HEAD};
use super::*;
use crate::manifest::Object;
use crate::scenario::{FaultAction, ScaleKind};
use serde_json::json;

/// A Deployment `web` (containers `web` and `log`), a ReplicaSet `batch`, a StatefulSet `db` and a
/// Service `web`, all in `default`.
fn web() -> Vec<Loaded> {
    let template = |app: &str, containers: &[&str]| {
        let containers: Vec<_> = containers
            .iter()
            .map(|c| json!({"name": c, "image": "nginx:1.26"}))
            .collect();
        json!({"metadata": {"labels": {"app": app}}, "spec": {"containers": containers}})
    };
    let spec = |app: &str, containers: &[&str]| json!({"selector": {"matchLabels": {"app": app}}, "template": template(app, containers)});
    vec![
        object(
            Object::Deployment,
            json!({"metadata": {"name": "web"}, "spec": spec("web", &["web", "log"])}),
        ),
        object(
            Object::ReplicaSet,
            json!({"metadata": {"name": "batch"}, "spec": spec("batch", &["batch"])}),
        ),
        object(
            Object::StatefulSet,
            json!({"metadata": {"name": "db"}, "spec": spec("db", &["db"])}),
        ),
        object(Object::Service, json!({"metadata": {"name": "web"}})),
    ]
}

/// The actions of a scenario whose faults are `lines` (each a `{at: ..., ...}` mapping).
fn actions(lines: &[&str]) -> Vec<FaultAction> {
    let faults: String = lines.iter().map(|l| format!("  - {l}\n")).collect();
    let s = with_objects(&format!("{HEAD}faults:\n{faults}"), web()).unwrap();
    s.faults.into_iter().map(|f| f.action).collect()
}

/// The message rejecting a scenario whose only fault is `line`.
fn rejected(line: &str) -> String {
    message(with_objects(&format!("{HEAD}faults:\n  - {line}\n"), web()))
}

#[test]
fn each_change_parses_into_its_action() {
    let got = actions(&[
        "{at: 1m, set-image: {deployment: web, image: nginx:1.27, container: log}}",
        "{at: 2m, scale: {deployment: web, replicas: 5}}",
        "{at: 3m, scale: {replicaset: batch, replicas: 0, namespace: default}}",
        "{at: 4m, rollout-undo: {deployment: web, to-revision: 2}}",
        "{at: 5m, rollout-pause: {deployment: web}}",
        "{at: 6m, rollout-resume: {deployment: web}}",
    ]);
    let names: Vec<_> = got.iter().map(FaultAction::name).collect();
    let expected = ["set-image", "scale", "scale", "rollout-undo"];
    assert_eq!(names[..4], expected);
    assert_eq!(names[4..], ["rollout-pause", "rollout-resume"]);
    let FaultAction::SetImage {
        namespace,
        name: deployment,
        container,
        image,
        ..
    } = &got[0]
    else {
        panic!("{:?}", got[0])
    };
    let set = (
        namespace.as_str(),
        deployment.as_str(),
        container.as_deref(),
    );
    assert_eq!(
        (set, image.as_str()),
        (("default", "web", Some("log")), "nginx:1.27")
    );
    assert!(
        matches!(&got[1], FaultAction::Scale { kind: ScaleKind::Deployment, name, replicas: 5, .. } if name == "web")
    );
    assert!(
        matches!(&got[2], FaultAction::Scale { kind: ScaleKind::ReplicaSet, name, replicas: 0, .. } if name == "batch")
    );
    assert!(matches!(
        &got[3],
        FaultAction::RolloutUndo {
            to_revision: Some(2),
            ..
        }
    ));
    assert!(matches!(&got[4], FaultAction::RolloutPause { deployment, .. } if deployment == "web"));
}

#[test]
fn set_image_without_a_container_and_undo_to_revision_zero_mean_the_defaults() {
    let got = actions(&[
        "{at: 1m, set-image: {deployment: web, image: nginx:1.27}}",
        "{at: 2m, rollout-undo: {deployment: web, to-revision: 0}}",
        "{at: 3m, rollout-undo: {deployment: web}}",
    ]);
    assert!(matches!(
        &got[0],
        FaultAction::SetImage {
            container: None,
            ..
        }
    ));
    for undo in &got[1..] {
        let previous = matches!(
            undo,
            FaultAction::RolloutUndo {
                to_revision: None,
                ..
            }
        );
        assert!(previous, "{undo:?}");
    }
}

#[test]
fn patch_keeps_its_merge_value_and_the_kind_of_its_target() {
    let got = actions(&[
        "{at: 1m, patch: {deployment: web, merge: {spec: {strategy: {rollingUpdate: {maxSurge: 2}}}}}}",
        "{at: 2m, patch: {service: web, merge: {spec: {selector: {app: db}}, metadata: {labels: {old: null}}}}}",
    ]);
    let FaultAction::Patch {
        namespace,
        kind,
        name,
        merge,
    } = &got[0]
    else {
        panic!("{:?}", got[0])
    };
    let target = (namespace.as_str(), kind.as_str(), name.as_str());
    assert_eq!(target, ("default", "Deployment", "web"));
    let surge = json!({"spec": {"strategy": {"rollingUpdate": {"maxSurge": 2}}}});
    assert_eq!(*merge, surge);
    let FaultAction::Patch { kind, merge, .. } = &got[1] else {
        panic!("{:?}", got[1])
    };
    assert_eq!(kind, "Service");
    assert_eq!(merge["metadata"]["labels"]["old"], serde_json::Value::Null);
}

#[test]
fn a_misspelt_change_gets_a_hint() {
    let err = rejected("{at: 1m, set-imag: {deployment: web, image: nginx:1.27}}");
    assert!(err.contains("faults[0].set-imag: unknown field;"), "{err}");
    assert!(err.ends_with("; did you mean set-image?"), "{err}");
    let err = rejected("{at: 1m, scale: {deployment: web, replica: 3}}");
    assert!(
        err.contains("faults[0].scale.replica: unknown field;"),
        "{err}"
    );
    assert!(err.ends_with("; did you mean replicas?"), "{err}");
}

#[test]
fn a_set_image_on_an_unknown_deployment_is_rejected_naming_the_field() {
    let err = rejected("{at: 1m, set-image: {deployment: wbe, image: nginx:1.27}}");
    assert_eq!(err, "scenarios/x.yaml: faults[0].set-image.deployment: no Deployment default/wbe in the manifests; did you mean web?");
    let err = rejected("{at: 1m, rollout-pause: {deployment: web, namespace: prod}}");
    assert!(
        err.ends_with(
            "faults[0].rollout-pause.deployment: no Deployment prod/web in the manifests"
        ),
        "{err}"
    );
    let err = rejected("{at: 1m, scale: {replicaset: web, replicas: 1}}");
    assert!(err.contains("no ReplicaSet default/web in"), "{err}");
}

#[test]
fn a_container_the_deployment_lacks_is_rejected() {
    let err = rejected("{at: 1m, set-image: {deployment: web, container: app, image: nginx:1.27}}");
    assert_eq!(err, "scenarios/x.yaml: faults[0].set-image.container: Deployment default/web has no container named app (it has: web, log)");
}

#[test]
fn malformed_changes_are_rejected_naming_the_field() {
    let cases = [
        (
            "{at: 1m, scale: {deployment: web, replicas: -1}}",
            "faults[0].scale.replicas: expected a non-negative integer, found a number (-1)",
        ),
        (
            "{at: 1m, scale: {deployment: web, replicaset: batch, replicas: 1}}",
            "faults[0].scale: name exactly one of: deployment, replicaset, statefulset",
        ),
        (
            "{at: 1m, set-image: {deployment: web, image: \"\"}}",
            "faults[0].set-image.image: \"\" is not an image reference",
        ),
        (
            "{at: 1m, set-image: {deployment: web}}",
            "faults[0].set-image.image: required field is missing",
        ),
        (
            "{at: 1m, patch: {statefulset: db, merge: [1]}}",
            "faults[0].patch.merge: expected a mapping (a JSON merge patch), found a list",
        ),
        (
            "{at: 1m, patch: {merge: {spec: {}}}}",
            "faults[0].patch: name exactly one of: deployment, replicaset, statefulset, service",
        ),
        ("{at: 1m, apply: []}", "faults[0].apply: nothing to apply"),
    ];
    for (line, expected) in cases {
        let err = rejected(line);
        assert!(err.contains(expected), "{line}: {err}");
    }
}

/// Needs the manifest loader (`crate::manifest::parse_str`).
#[test]
fn apply_loads_its_manifests_from_files_and_inline_documents() {
    let tmp = temp_dir();
    let dir = tmp.path();
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx:1.27}]}\n";
    std::fs::write(dir.join("web-v2.yaml"), deployment).unwrap();
    let service = "{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {selector: {app: web}, ports: [{port: 80}]}}";
    let text = format!("{HEAD}faults:\n  - {{at: 1m, apply: web-v2.yaml}}\n  - {{at: 2m, apply: [web-v2.yaml, {service}]}}\n");
    std::fs::write(dir.join("x.yaml"), text).unwrap();
    let s = load(&dir.join("x.yaml")).unwrap();
    let kinds = |action: &FaultAction| -> Vec<&'static str> {
        let FaultAction::Apply { objects } = action else {
            panic!("{action:?}")
        };
        objects.iter().map(|l| l.object.kind()).collect()
    };
    assert_eq!(kinds(&s.faults[0].action), ["Deployment"]);
    assert_eq!(kinds(&s.faults[1].action), ["Deployment", "Service"]);
    let missing = format!("{HEAD}faults:\n  - {{at: 1m, apply: [nothere.yaml]}}\n");
    std::fs::write(dir.join("x.yaml"), missing).unwrap();
    let err = message(load(&dir.join("x.yaml")));
    assert!(err.contains("x.yaml: faults[0].apply[0]: "), "{err}");
}

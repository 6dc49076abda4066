//! The scenario's changes over time, like kubectl: set-image, scale, rollout-*, patch, apply.

use super::field::{did_you_mean, Field, Fields, Result};
use super::manifests::{self, Index};
use super::model::{FaultAction, ScaleKind};
use std::path::Path;

/// The changes, as the scenario spells them.
pub(crate) const CHANGES: &[&str] = &[
    "set-image",
    "scale",
    "rollout-undo",
    "rollout-pause",
    "rollout-resume",
    "patch",
    "apply",
];

/// What `patch` may name: the key and the Kubernetes kind.
const PATCH_KINDS: &[(&str, &str)] = &[
    ("deployment", "Deployment"),
    ("replicaset", "ReplicaSet"),
    ("statefulset", "StatefulSet"),
    ("service", "Service"),
];

/// Reads the body of the change `action` (one of [`CHANGES`]); `base`: the scenario's folder.
pub(crate) fn change(
    action: &str,
    body: &Field,
    index: &Index,
    base: &Path,
) -> Result<FaultAction> {
    match action {
        "set-image" => set_image(body, index),
        "scale" => scale(body, index),
        "rollout-undo" => rollout_undo(body, index),
        "rollout-pause" | "rollout-resume" => rollout_pause(action, body, index),
        "patch" => patch(body, index),
        "apply" => apply(body, base),
        _ => unreachable!("{action} is not among CHANGES"),
    }
}

/// `{deployment | statefulset | daemonset, image, container?, namespace?}`.
fn set_image(body: &Field, index: &Index) -> Result<FaultAction> {
    let f = body.fields(&[
        "deployment",
        "statefulset",
        "daemonset",
        "container",
        "image",
        "namespace",
    ])?;
    let (key, kind) = match one_of(&f, &["deployment", "statefulset", "daemonset"])? {
        "deployment" => ("deployment", ScaleKind::Deployment),
        "daemonset" => ("daemonset", ScaleKind::DaemonSet),
        _ => ("statefulset", ScaleKind::StatefulSet),
    };
    let (namespace, name, containers) = target(&f, key, kind.kind(), index)?;
    let container = match f.opt("container") {
        None => None,
        Some(c) => Some(container(&c, kind.kind(), &namespace, &name, containers)?),
    };
    let image_field = f.req("image")?;
    let image = image_field.str()?;
    if image.trim().is_empty() || image.contains(char::is_whitespace) {
        let reason = format!("{image:?} is not an image reference, like nginx:1.27");
        return Err(image_field.invalid(reason));
    }
    Ok(FaultAction::SetImage {
        namespace,
        kind,
        name,
        container,
        image: image.to_string(),
    })
}

/// `set-image.container`, which must be one of the workload's `containers`.
fn container(
    field: &Field,
    kind: &str,
    namespace: &str,
    name: &str,
    containers: &[String],
) -> Result<String> {
    let wanted = field.str()?;
    if containers.iter().any(|n| n == wanted) {
        return Ok(wanted.to_string());
    }
    let has = containers.join(", ");
    let reason =
        format!("{kind} {namespace}/{name} has no container named {wanted} (it has: {has})");
    Err(field.invalid(reason))
}

/// `{deployment | replicaset | statefulset, replicas, namespace?}`.
fn scale(body: &Field, index: &Index) -> Result<FaultAction> {
    let kinds = ["deployment", "replicaset", "statefulset"];
    let f = body.fields(&[
        "deployment",
        "replicaset",
        "statefulset",
        "replicas",
        "namespace",
    ])?;
    let (key, kind) = match one_of(&f, &kinds)? {
        "deployment" => ("deployment", ScaleKind::Deployment),
        "replicaset" => ("replicaset", ScaleKind::ReplicaSet),
        _ => ("statefulset", ScaleKind::StatefulSet),
    };
    let (namespace, name, _) = target(&f, key, kind.kind(), index)?;
    let replicas_field = f.req("replicas")?;
    let replicas = u32::try_from(replicas_field.u64()?)
        .map_err(|_| replicas_field.invalid("too many replicas (at most 4294967295)"))?;
    Ok(FaultAction::Scale {
        namespace,
        kind,
        name,
        replicas,
    })
}

/// `{deployment, to-revision?, namespace?}`; `to-revision: 0` is the previous one, as in kubectl.
fn rollout_undo(body: &Field, index: &Index) -> Result<FaultAction> {
    let f = body.fields(&["deployment", "to-revision", "namespace"])?;
    let (namespace, deployment, _) = target(&f, "deployment", "Deployment", index)?;
    let to_revision = f.opt("to-revision").map(|r| r.u64()).transpose()?;
    Ok(FaultAction::RolloutUndo {
        namespace,
        deployment,
        to_revision: to_revision.filter(|r| *r != 0),
    })
}

/// `{deployment, namespace?}` of `rollout-pause` or `rollout-resume`.
fn rollout_pause(action: &str, body: &Field, index: &Index) -> Result<FaultAction> {
    let f = body.fields(&["deployment", "namespace"])?;
    let (namespace, deployment, _) = target(&f, "deployment", "Deployment", index)?;
    Ok(match action {
        "rollout-pause" => FaultAction::RolloutPause {
            namespace,
            deployment,
        },
        _ => FaultAction::RolloutResume {
            namespace,
            deployment,
        },
    })
}

/// `{deployment | replicaset | statefulset | service, merge, namespace?}`.
fn patch(body: &Field, index: &Index) -> Result<FaultAction> {
    let mut keys: Vec<&str> = PATCH_KINDS.iter().map(|(k, _)| *k).collect();
    let kind_keys = keys.clone();
    keys.extend(["merge", "namespace"]);
    let f = body.fields(&keys)?;
    let key = one_of(&f, &kind_keys)?;
    let kind = PATCH_KINDS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, kind)| *kind);
    let kind = kind.expect("one_of returns one of PATCH_KINDS");
    let (namespace, name, _) = target(&f, key, kind, index)?;
    let merge_field = f.req("merge")?;
    if !merge_field.value.is_mapping() {
        return Err(merge_field.wrong_type("a mapping (a JSON merge patch)"));
    }
    let merge = serde_json::to_value(merge_field.value)
        .map_err(|e| merge_field.invalid(format!("not a JSON merge patch: {e}")))?;
    if merge.as_object().is_some_and(|m| m.is_empty()) {
        return Err(merge_field.invalid("an empty patch changes nothing"));
    }
    Ok(FaultAction::Patch {
        namespace,
        kind: kind.to_string(),
        name,
        merge,
    })
}

/// A file name, an inline document, or a list of them, loaded like `manifests`.
fn apply(body: &Field, base: &Path) -> Result<FaultAction> {
    let objects = match body.value {
        serde_yaml_ng::Value::Sequence(_) => manifests::load_list(body, base)?,
        _ => manifests::load_one(body, base)?,
    };
    if objects.is_empty() {
        return Err(body.invalid("nothing to apply"));
    }
    Ok(FaultAction::Apply { objects })
}

/// The one key of `keys` present in `f`; none or several is an error.
fn one_of<'k>(f: &Fields, keys: &[&'k str]) -> Result<&'k str> {
    let present = f.present();
    let found: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| present.contains(k))
        .collect();
    match found[..] {
        [one] => Ok(one),
        _ => Err(f
            .field
            .invalid(format!("name exactly one of: {}", keys.join(", ")))),
    }
}

/// The object of `kind` named by the field `key` in `namespace` (default `default`): its namespace,
/// name and pod template's containers. An object the manifests lack is an error, with a hint.
fn target<'i>(
    f: &Fields,
    key: &str,
    kind: &'static str,
    index: &'i Index,
) -> Result<(String, String, &'i [String])> {
    let namespace = match f.opt("namespace") {
        Some(ns) => ns.str()?.to_string(),
        None => "default".to_string(),
    };
    let field = f.req(key)?;
    let name = field.str()?.to_string();
    let lookup = (kind, namespace.clone(), name.clone());
    if let Some(containers) = index.named.get(&lookup) {
        return Ok((namespace, name, containers));
    }
    let hint = did_you_mean(&name, &index.names(kind, &namespace))
        .map(|s| format!("; did you mean {s}?"))
        .unwrap_or_default();
    let reason = format!("no {kind} {namespace}/{name} in the manifests{hint}");
    Err(field.invalid(reason))
}

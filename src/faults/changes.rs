//! The scenario's changes as kubectl makes them: `set-image`, `scale`, `rollout undo/pause/resume`,
//! `patch` (a JSON merge patch) and `apply`, each turned into the API writes kubectl would send.
//!
//! An edited Deployment goes back through the manifest loader (strict decoding, API defaults,
//! validation), so a change the API server would refuse is refused here with its message.

use super::{changes_ds, changes_sts, rollback};
use crate::api::{DeployId, RsId, Store, Write};
use crate::engine::SimTime;
use crate::manifest::{self, convert, Object};
use crate::scenario::{FaultAction, ScaleKind};
use k8s_openapi::api::apps::v1::Deployment as K8sDeployment;

/// Why kubectl (or the API server behind it) refused a change: the message it prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    /// The named object does not exist (any more).
    #[error("{kind}.apps \"{name}\" not found")]
    NotFound { kind: &'static str, name: String },
    /// `set-image` named a container the template does not have.
    #[error("unable to find container named \"{0}\"")]
    NoContainer(String),
    /// `rollout pause` of a paused Deployment, or `resume` of a running one.
    #[error("deployments.apps \"{name}\" is {state}")]
    AlreadyInState { name: String, state: &'static str },
    /// `rollout undo` found no revision to go back to, or the Deployment is paused.
    #[error("{0}")]
    Rollback(String),
    /// The edited object failed decoding, defaulting or validation.
    #[error("{0}")]
    Invalid(String),
    /// The change touches something the simulator does not model yet.
    #[error("{0} is not modelled yet")]
    NotModelled(String),
}

/// The writes of `action` at `now` (not for the actions on pods and nodes).
pub fn writes(
    action: &FaultAction,
    store: &Store,
    now: SimTime,
) -> Result<Vec<Write>, ChangeError> {
    match action {
        FaultAction::SetImage {
            namespace,
            kind: ScaleKind::StatefulSet,
            name,
            container,
            image,
        } => changes_sts::set_image(store, namespace, name, container.as_deref(), image),
        FaultAction::SetImage {
            namespace,
            kind: ScaleKind::DaemonSet,
            name,
            container,
            image,
        } => changes_ds::set_image(store, namespace, name, container.as_deref(), image),
        FaultAction::SetImage {
            namespace,
            name,
            container,
            image,
            ..
        } => {
            let id = find(store, namespace, name)?;
            edit(store, id, |d| {
                let spec = d.spec.get_or_insert_with(Default::default);
                set_image(&mut spec.template, container.as_deref(), image)
            })
        }
        FaultAction::Scale {
            namespace,
            kind,
            name,
            replicas,
        } => scale(store, namespace, *kind, name, *replicas),
        FaultAction::RolloutUndo {
            namespace,
            deployment,
            to_revision,
        } => {
            let id = find(store, namespace, deployment)?;
            let (template, annotations) = rollback::target(store, id, to_revision.unwrap_or(0))?;
            edit(store, id, move |d| {
                d.spec.get_or_insert_with(Default::default).template = template;
                d.metadata.annotations = Some(annotations);
                Ok(())
            })
        }
        FaultAction::RolloutPause {
            namespace,
            deployment,
        } => pause(store, namespace, deployment, true),
        FaultAction::RolloutResume {
            namespace,
            deployment,
        } => pause(store, namespace, deployment, false),
        FaultAction::Patch {
            namespace,
            kind,
            name,
            merge,
        } => patch(store, namespace, kind, name, merge),
        FaultAction::Apply { objects } => apply(store, objects, now),
        FaultAction::DeletePod { .. }
        | FaultAction::KillContainer { .. }
        | FaultAction::Cordon { .. }
        | FaultAction::Uncordon { .. }
        | FaultAction::Drain(_)
        | FaultAction::Node { .. }
        | FaultAction::ForceDeletePod { .. }
        | FaultAction::ControlPlane(_) => Ok(Vec::new()),
    }
}

/// The live Deployment `namespace/name`.
fn find(store: &Store, namespace: &str, name: &str) -> Result<DeployId, ChangeError> {
    store
        .deployments
        .iter()
        .position(|d| d.meta.exists() && d.meta.namespace == namespace && d.meta.name == name)
        .map(|i| DeployId(i as u32))
        .ok_or_else(|| ChangeError::NotFound {
            kind: "deployments",
            name: name.to_string(),
        })
}

/// Edits the Deployment's manifest with `f`, re-checks it as the API server would, and writes it.
fn edit(
    store: &Store,
    id: DeployId,
    f: impl FnOnce(&mut K8sDeployment) -> Result<(), ChangeError>,
) -> Result<Vec<Write>, ChangeError> {
    let d = &store.deployments[id.index()];
    let mut source = (*d.source).clone();
    f(&mut source)?;
    let checked = recheck(&source, &d.meta.name)?;
    update(store, id, &checked)
}

/// The UPDATE of Deployment `id` to `new` (`spec.selector` is immutable in apps/v1).
fn update(store: &Store, id: DeployId, new: &K8sDeployment) -> Result<Vec<Write>, ChangeError> {
    let d = &store.deployments[id.index()];
    let selector = |k: &K8sDeployment| k.spec.as_ref().map(|s| s.selector.clone());
    if selector(new) != selector(&d.source) {
        return Err(ChangeError::Invalid(format!(
            "Deployment.apps \"{}\" is invalid: spec.selector: Invalid value: {}: field is immutable",
            d.meta.name,
            serde_json::to_string(&selector(new)).unwrap_or_default()
        )));
    }
    let object = convert::deployment(new, d.meta.clone());
    Ok(vec![Write::UpdateDeployment {
        deployment: id,
        object: Box::new(object),
    }])
}

/// Runs an edited Deployment through the manifest loader: strict decoding, defaults, validation.
fn recheck(source: &K8sDeployment, name: &str) -> Result<K8sDeployment, ChangeError> {
    let mut value =
        serde_json::to_value(source).map_err(|e| ChangeError::Invalid(e.to_string()))?;
    if let Some(m) = value.as_object_mut() {
        m.insert("apiVersion".into(), "apps/v1".into());
        m.insert("kind".into(), "Deployment".into());
    }
    let text = serde_yaml_ng::to_string(&value).map_err(|e| ChangeError::Invalid(e.to_string()))?;
    let loaded = manifest::parse_str(&text, &format!("deployment {name}"))
        .map_err(|e| ChangeError::Invalid(e.to_string()))?;
    match loaded.into_iter().next().map(|l| l.object) {
        Some(Object::Deployment(d)) => Ok(*d),
        _ => Err(ChangeError::Invalid(
            "the edit did not give a Deployment".into(),
        )),
    }
}

/// `kubectl set image KIND/NAME CONTAINER=IMAGE` on a pod template (no container: the first).
pub(super) fn set_image(
    template: &mut k8s_openapi::api::core::v1::PodTemplateSpec,
    container: Option<&str>,
    image: &str,
) -> Result<(), ChangeError> {
    let pod = template.spec.get_or_insert_with(Default::default);
    let target = match container {
        Some(name) => pod.containers.iter_mut().find(|c| c.name == name),
        None => pod.containers.first_mut(),
    };
    let target = target.ok_or_else(|| ChangeError::NoContainer(container.unwrap_or("").into()))?;
    target.image = Some(image.to_string());
    Ok(())
}

/// `kubectl scale`: a Deployment through its manifest, a ReplicaSet directly.
fn scale(
    store: &Store,
    namespace: &str,
    kind: ScaleKind,
    name: &str,
    replicas: u32,
) -> Result<Vec<Write>, ChangeError> {
    if kind == ScaleKind::StatefulSet {
        return changes_sts::scale(store, namespace, name, replicas);
    }
    if kind == ScaleKind::DaemonSet {
        return Err(ChangeError::NotModelled("scale of a DaemonSet".into()));
    }
    if kind == ScaleKind::Deployment {
        let id = find(store, namespace, name)?;
        return edit(store, id, |d| {
            d.spec.get_or_insert_with(Default::default).replicas = Some(replicas as i32);
            Ok(())
        });
    }
    let rs = store
        .replica_sets
        .iter()
        .position(|r| r.meta.exists() && r.meta.namespace == namespace && r.meta.name == name)
        .ok_or_else(|| ChangeError::NotFound {
            kind: "replicasets",
            name: name.to_string(),
        })?;
    Ok(vec![Write::ScaleReplicaSet {
        rs: RsId(rs as u32),
        replicas,
        annotations: Vec::new(),
    }])
}

/// `kubectl rollout pause` / `resume`: refused when already so, as kubectl does.
fn pause(
    store: &Store,
    namespace: &str,
    name: &str,
    paused: bool,
) -> Result<Vec<Write>, ChangeError> {
    let id = find(store, namespace, name)?;
    if store.deployments[id.index()].paused == paused {
        let state = if paused {
            "already paused"
        } else {
            "not paused"
        };
        return Err(ChangeError::AlreadyInState {
            name: name.to_string(),
            state,
        });
    }
    edit(store, id, |d| {
        d.spec.get_or_insert_with(Default::default).paused = Some(paused);
        Ok(())
    })
}

/// `kubectl patch --type=merge`: RFC 7386 on the Deployment's JSON; `spec.replicas` of a ReplicaSet.
fn patch(
    store: &Store,
    namespace: &str,
    kind: &str,
    name: &str,
    merge: &serde_json::Value,
) -> Result<Vec<Write>, ChangeError> {
    match kind {
        "Deployment" => {
            let id = find(store, namespace, name)?;
            edit(store, id, |d| {
                let mut value =
                    serde_json::to_value(&*d).map_err(|e| ChangeError::Invalid(e.to_string()))?;
                json_patch::merge(&mut value, merge);
                *d = serde_json::from_value(value)
                    .map_err(|e| ChangeError::Invalid(e.to_string()))?;
                Ok(())
            })
        }
        "ReplicaSet" => patch_replica_set(store, namespace, name, merge),
        "StatefulSet" => changes_sts::patch(store, namespace, name, merge),
        other => Err(ChangeError::NotModelled(format!("a patch of a {other}"))),
    }
}

/// A ReplicaSet patch may only set `spec.replicas` here (its template is the Deployment's).
fn patch_replica_set(
    store: &Store,
    namespace: &str,
    name: &str,
    merge: &serde_json::Value,
) -> Result<Vec<Write>, ChangeError> {
    let replicas = merge
        .pointer("/spec/replicas")
        .and_then(serde_json::Value::as_u64);
    let only_replicas = merge.as_object().is_some_and(|m| m.len() == 1)
        && merge["spec"].as_object().is_some_and(|s| s.len() == 1);
    match (replicas, only_replicas) {
        (Some(n), true) => scale(store, namespace, ScaleKind::ReplicaSet, name, n as u32),
        _ => Err(ChangeError::NotModelled(
            "a ReplicaSet patch other than spec.replicas".into(),
        )),
    }
}

/// `kubectl apply -f`: each Deployment created or updated (its whole spec replaced).
fn apply(
    store: &Store,
    objects: &[manifest::Loaded],
    _now: SimTime,
) -> Result<Vec<Write>, ChangeError> {
    let mut writes = Vec::new();
    for loaded in objects {
        let Object::Deployment(new) = &loaded.object else {
            return Err(ChangeError::NotModelled(format!(
                "apply of a {}",
                loaded.object.kind()
            )));
        };
        let namespace = new.metadata.namespace.as_deref().unwrap_or("default");
        let name = new.metadata.name.as_deref().unwrap_or("");
        match find(store, namespace, name) {
            Ok(id) => writes.extend(update(store, id, new)?),
            Err(_) => writes.push(Write::CreateDeployment {
                object: Box::new(convert::deployment(
                    new,
                    convert::unstored_meta(&new.metadata),
                )),
            }),
        }
    }
    Ok(writes)
}

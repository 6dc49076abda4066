//! `kubectl rollout undo`: the revision to go back to and what it copies into the Deployment
//! (kubectl's `DeploymentRollbacker`, k8s.io/kubectl/pkg/polymorphichelpers/rollback.go).

use super::changes::ChangeError;
use crate::api::{DeployId, Owner, ReplicaSet, Store};
use crate::controllers::deployment::{equal_ignore_hash, POD_TEMPLATE_HASH};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use std::collections::BTreeMap;

/// `annotationsToSkip`: kept from the Deployment, never copied from the ReplicaSet.
const ANNOTATIONS_TO_SKIP: [&str; 5] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
];

/// The template (without the pod-template-hash label) and the annotations `rollout undo` writes
/// into Deployment `id`; `to_revision` 0 means the previous revision.
pub fn target(
    store: &Store,
    id: DeployId,
    to_revision: u64,
) -> Result<(PodTemplateSpec, BTreeMap<String, String>), ChangeError> {
    let d = &store.deployments[id.index()];
    if d.paused {
        return Err(ChangeError::Rollback(
            "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again".into(),
        ));
    }
    let rs = revision(store, id, to_revision)?;
    if equal_ignore_hash(&rs.template, &d.template) {
        return Err(ChangeError::Rollback(format!(
            "skipped rollback (current template already matches revision {})",
            revision_of(rs).unwrap_or(0)
        )));
    }
    let mut template = (*rs.source_template).clone();
    if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(POD_TEMPLATE_HASH);
    }
    let mut annotations: BTreeMap<String, String> = ANNOTATIONS_TO_SKIP
        .iter()
        .filter_map(|k| {
            d.meta
                .annotations
                .get(*k)
                .map(|v| (k.to_string(), v.clone()))
        })
        .collect();
    for (k, v) in &rs.meta.annotations {
        if !ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
            annotations.insert(k.clone(), v.clone());
        }
    }
    Ok((template, annotations))
}

/// A ReplicaSet seen while looking for a revision, with its revision.
type Found<'a> = Option<(u64, &'a ReplicaSet)>;

/// `deploymentRevision`: the ReplicaSet of `to_revision`, or the second newest for 0.
fn revision(store: &Store, id: DeployId, to_revision: u64) -> Result<&ReplicaSet, ChangeError> {
    let owned = store
        .replica_sets
        .iter()
        .filter(|rs| rs.meta.exists() && rs.meta.owner == Some(Owner::Deployment(id)));
    let (mut latest, mut previous): (Found, Found) = (None, None);
    for rs in owned {
        let Some(v) = revision_of(rs) else { continue };
        if to_revision != 0 {
            if v == to_revision {
                return Ok(rs);
            }
        } else if latest.is_none_or(|(l, _)| l < v) {
            previous = latest;
            latest = Some((v, rs));
        } else if previous.is_none_or(|(p, _)| p < v) {
            previous = Some((v, rs));
        }
    }
    if to_revision != 0 {
        return Err(ChangeError::Rollback(format!(
            "unable to find specified revision {to_revision} in history"
        )));
    }
    let name = &store.deployments[id.index()].meta.name;
    previous.map(|(_, rs)| rs).ok_or_else(|| {
        ChangeError::Rollback(format!(
            "no rollout history found for deployment \"{name}\""
        ))
    })
}

/// The ReplicaSet's revision annotation, when it parses.
fn revision_of(rs: &ReplicaSet) -> Option<u64> {
    rs.meta
        .annotations
        .get("deployment.kubernetes.io/revision")
        .and_then(|v| v.parse().ok())
}

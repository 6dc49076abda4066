//! kubectl's changes to a StatefulSet (`scale`, `set-image`, `patch`): the edited manifest goes back
//! through the manifest loader and the API server's update validation, then an UPDATE.

use super::changes::{set_image as set_template_image, ChangeError};
use crate::api::{Store, StsId, Write};
use crate::manifest::{convert, Object};
use k8s_openapi::api::apps::v1::StatefulSet as K8sStatefulSet;

/// `kubectl scale statefulset NAME --replicas=N`.
pub(super) fn scale(
    store: &Store,
    namespace: &str,
    name: &str,
    replicas: u32,
) -> Result<Vec<Write>, ChangeError> {
    let id = find(store, namespace, name)?;
    edit(store, id, |s| {
        s.spec.get_or_insert_with(Default::default).replicas = Some(replicas as i32);
        Ok(())
    })
}

/// `kubectl set image statefulset/NAME CONTAINER=IMAGE`.
pub(super) fn set_image(
    store: &Store,
    namespace: &str,
    name: &str,
    container: Option<&str>,
    image: &str,
) -> Result<Vec<Write>, ChangeError> {
    let id = find(store, namespace, name)?;
    edit(store, id, |s| {
        let spec = s.spec.get_or_insert_with(Default::default);
        set_template_image(&mut spec.template, container, image)
    })
}

/// `kubectl patch statefulset NAME --type merge -p ...` (RFC 7386 on the manifest's JSON).
pub(super) fn patch(
    store: &Store,
    namespace: &str,
    name: &str,
    merge: &serde_json::Value,
) -> Result<Vec<Write>, ChangeError> {
    let id = find(store, namespace, name)?;
    edit(store, id, |s| {
        let mut value = serde_json::to_value(&*s).map_err(invalid)?;
        json_patch::merge(&mut value, merge);
        *s = serde_json::from_value(value).map_err(invalid)?;
        Ok(())
    })
}

fn invalid(e: impl std::fmt::Display) -> ChangeError {
    ChangeError::Invalid(e.to_string())
}

/// The live StatefulSet `namespace/name`.
fn find(store: &Store, namespace: &str, name: &str) -> Result<StsId, ChangeError> {
    store
        .stateful_sets
        .iter()
        .position(|s| s.meta.exists() && s.meta.namespace == namespace && s.meta.name == name)
        .map(|i| StsId(i as u32))
        .ok_or_else(|| ChangeError::NotFound {
            kind: "statefulsets",
            name: name.to_string(),
        })
}

/// Edits the set's manifest with `f`, re-checks it as the API server would, and writes it.
fn edit(
    store: &Store,
    id: StsId,
    f: impl FnOnce(&mut K8sStatefulSet) -> Result<(), ChangeError>,
) -> Result<Vec<Write>, ChangeError> {
    let set = &store.stateful_sets[id.index()];
    let mut source = (*set.source).clone();
    f(&mut source)?;
    let checked = recheck(&source, &set.meta.name)?;
    check_update(&set.source, &checked, &set.meta.name)?;
    // The claim templates are immutable: the stored ones (with their defaulted class) are kept.
    let mut object = convert::stateful_set(&checked, set.meta.clone(), None);
    object.claim_templates = set.claim_templates.clone();
    Ok(vec![Write::UpdateStatefulSet {
        set: id,
        object: Box::new(object),
    }])
}

/// Runs an edited StatefulSet through the manifest loader: strict decoding, defaults, validation.
fn recheck(source: &K8sStatefulSet, name: &str) -> Result<K8sStatefulSet, ChangeError> {
    match super::changes_ds::recheck_object(source, "apps/v1", "StatefulSet", name)? {
        Object::StatefulSet(s) => Ok(*s),
        _ => Err(invalid("the edit did not give a StatefulSet")),
    }
}

/// kk:pkg/apis/apps/validation `ValidateStatefulSetUpdate`: only some fields of the spec may change.
fn check_update(old: &K8sStatefulSet, new: &K8sStatefulSet, name: &str) -> Result<(), ChangeError> {
    let frozen = |s: &K8sStatefulSet| {
        let mut spec = s.spec.clone().unwrap_or_default();
        spec.replicas = None;
        spec.ordinals = None;
        spec.template = Default::default();
        spec.update_strategy = None;
        spec.revision_history_limit = None;
        spec.persistent_volume_claim_retention_policy = None;
        spec.min_ready_seconds = None;
        spec
    };
    if frozen(old) == frozen(new) {
        return Ok(());
    }
    Err(ChangeError::Invalid(format!(
        "StatefulSet.apps \"{name}\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
    )))
}

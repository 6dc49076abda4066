//! kubectl's `set image` on a DaemonSet: the edited manifest goes back through the manifest loader
//! (strict decoding, defaults, validation), then an UPDATE.

use super::changes::{set_image as set_template_image, ChangeError};
use crate::api::{DsId, Store, Write};
use crate::manifest::{self, convert, Object};
use k8s_openapi::api::apps::v1::DaemonSet as K8sDaemonSet;

/// `kubectl set image daemonset/NAME CONTAINER=IMAGE`.
pub(super) fn set_image(
    store: &Store,
    namespace: &str,
    name: &str,
    container: Option<&str>,
    image: &str,
) -> Result<Vec<Write>, ChangeError> {
    let id = store
        .daemon_sets
        .iter()
        .position(|d| d.meta.exists() && d.meta.namespace == namespace && d.meta.name == name)
        .map(|i| DsId(i as u32))
        .ok_or_else(|| ChangeError::NotFound {
            kind: "daemonsets",
            name: name.to_string(),
        })?;
    let ds = &store.daemon_sets[id.index()];
    let mut source = (*ds.source).clone();
    let spec = source.spec.get_or_insert_with(Default::default);
    set_template_image(&mut spec.template, container, image)?;
    let checked = recheck(&source, name)?;
    let object = convert::daemon_set(&checked, ds.meta.clone());
    Ok(vec![Write::UpdateDaemonSet {
        ds: id,
        object: Box::new(object),
    }])
}

/// Runs an edited DaemonSet through the manifest loader.
fn recheck(source: &K8sDaemonSet, name: &str) -> Result<K8sDaemonSet, ChangeError> {
    match recheck_object(source, "apps/v1", "DaemonSet", name)? {
        Object::DaemonSet(d) => Ok(*d),
        _ => Err(ChangeError::Invalid(
            "the edit did not give a DaemonSet".into(),
        )),
    }
}

/// Runs an edited manifest of `kind` through the manifest loader: strict decoding, defaults, validation.
pub(super) fn recheck_object(
    source: &impl serde::Serialize,
    api_version: &str,
    kind: &str,
    name: &str,
) -> Result<Object, ChangeError> {
    let invalid = |e: String| ChangeError::Invalid(e);
    let mut value = serde_json::to_value(source).map_err(|e| invalid(e.to_string()))?;
    if let Some(m) = value.as_object_mut() {
        m.insert("apiVersion".into(), api_version.into());
        m.insert("kind".into(), kind.into());
    }
    let text = serde_yaml_ng::to_string(&value).map_err(|e| invalid(e.to_string()))?;
    let source = format!("{} {name}", kind.to_lowercase());
    let loaded = manifest::parse_str(&text, &source).map_err(|e| invalid(e.to_string()))?;
    loaded
        .into_iter()
        .next()
        .map(|l| l.object)
        .ok_or_else(|| invalid(format!("the edit did not give a {kind}")))
}

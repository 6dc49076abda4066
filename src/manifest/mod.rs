//! Kubernetes YAML to typed objects: parsing (k8s-openapi types), API defaults, and validation.
//!
//! `load_file` / `parse_str` read multi-document YAML, reject what the API server or kubectl's strict
//! field validation would reject (with the file, document and field named), and apply the defaults
//! of kk:pkg/apis/*/v1/defaults.go.
//!
//! Pipeline per document (parse.rs): header (apiVersion, kind) → removed/unknown kinds (kinds.rs) →
//! strict decoding (strict.rs) → defaults (defaults.rs, defaults_pod.rs) → validation (validate*.rs);
//! then duplicates across the whole text.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{
    ConfigMap, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service,
};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// A Kubernetes object of a kind the simulator knows.
#[derive(Debug, Clone)]
pub enum Object {
    Deployment(Box<Deployment>),
    ReplicaSet(Box<ReplicaSet>),
    StatefulSet(Box<StatefulSet>),
    DaemonSet(Box<DaemonSet>),
    Job(Box<Job>),
    Pod(Box<Pod>),
    Service(Box<Service>),
    PersistentVolumeClaim(Box<PersistentVolumeClaim>),
    PersistentVolume(Box<PersistentVolume>),
    StorageClass(Box<StorageClass>),
    Node(Box<Node>),
    ConfigMap(Box<ConfigMap>),
    Secret(Box<Secret>),
    PodDisruptionBudget(Box<PodDisruptionBudget>),
}

/// An object and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// `file.yaml` or `file.yaml#2` (document index from 1 when the file has several).
    pub source: String,
    pub object: Object,
}

pub mod convert;
mod convert_affinity;
mod convert_batch;
mod convert_storage;
pub mod defaults;
mod defaults_pod;
mod error;
mod kinds;
mod names;
mod parse;
mod parse_fast;
pub mod quantity;
pub mod selector;
mod strict;
mod validate;
mod validate_pod;
mod validate_storage;
mod validate_strategy;
mod validate_svc;
mod validate_workload;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fixtures;
#[cfg(test)]
mod tests_kinds;

pub use error::{FieldError, ManifestError, ObjectRef};

/// Runs `$body` with `$o` bound to the boxed object, whatever its kind.
macro_rules! with_object {
    ($obj:expr, $o:ident => $body:expr) => {
        match $obj {
            Object::Deployment($o) => $body,
            Object::ReplicaSet($o) => $body,
            Object::StatefulSet($o) => $body,
            Object::DaemonSet($o) => $body,
            Object::Job($o) => $body,
            Object::Pod($o) => $body,
            Object::Service($o) => $body,
            Object::PersistentVolumeClaim($o) => $body,
            Object::PersistentVolume($o) => $body,
            Object::StorageClass($o) => $body,
            Object::Node($o) => $body,
            Object::ConfigMap($o) => $body,
            Object::Secret($o) => $body,
            Object::PodDisruptionBudget($o) => $body,
        }
    };
}

impl Object {
    /// `Deployment`, `Service`, ...
    pub fn kind(&self) -> &'static str {
        with_object!(self, o => resource_kind(&**o))
    }

    /// `apps/v1`, `v1`, ...
    pub fn api_version(&self) -> &'static str {
        with_object!(self, o => resource_api_version(&**o))
    }

    pub fn metadata(&self) -> &ObjectMeta {
        with_object!(self, o => &o.metadata)
    }

    pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
        with_object!(self, o => &mut o.metadata)
    }

    /// metadata.name (validated to be present).
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or_default()
    }

    /// metadata.namespace: `default` unless set, None for cluster-scoped kinds.
    pub fn namespace(&self) -> Option<&str> {
        self.metadata().namespace.as_deref()
    }

    /// As kubectl names it: `Deployment.apps "mariadb"`.
    pub fn describe(&self) -> String {
        kinds::describe(self.kind(), self.api_version(), self.name())
    }
}

fn resource_kind<T: k8s_openapi::Resource>(_: &T) -> &'static str {
    T::KIND
}

fn resource_api_version<T: k8s_openapi::Resource>(_: &T) -> &'static str {
    T::API_VERSION
}

/// Reads every document of a YAML file.
pub fn load_file(path: &std::path::Path) -> Result<Vec<Loaded>, ManifestError> {
    let text = std::fs::read_to_string(path).map_err(|e| ManifestError::Read {
        file: path.display().to_string(),
        reason: e.to_string(),
    })?;
    parse_str(&text, &path.display().to_string())
}

/// Parses every document of a YAML text named `source` in messages: decoded strictly, defaulted and
/// validated as the API server would, with no two objects of the same kind, namespace and name.
pub fn parse_str(text: &str, source: &str) -> Result<Vec<Loaded>, ManifestError> {
    let loaded = parse::documents(text, source)?;
    check_duplicates(&loaded)?;
    Ok(loaded)
}

/// Rejects a second object with the kind, namespace and name of an earlier one (for loads that
/// span several files, call this on their concatenation).
pub fn check_duplicates(loaded: &[Loaded]) -> Result<(), ManifestError> {
    let mut seen: BTreeMap<(&str, Option<&str>, &str), &str> = BTreeMap::new();
    for l in loaded {
        let key = (l.object.kind(), l.object.namespace(), l.object.name());
        if let Some(first) = seen.insert(key, &l.source) {
            return Err(ManifestError::Duplicate {
                file: l.source.clone(),
                object: l.object.describe(),
                namespace: l.object.namespace().map(str::to_string),
                first: first.to_string(),
            });
        }
    }
    Ok(())
}

/// Applies the API defaults, then the API server's validation.
fn finish(mut object: Object, ctx: &strict::Ctx<'_>) -> Result<Object, ManifestError> {
    defaults::apply(&mut object);
    let errors = validate::object(&object);
    if errors.is_empty() {
        return Ok(object);
    }
    Err(ManifestError::Invalid {
        file: ctx.source.to_string(),
        object: ctx.object.clone(),
        errors,
    })
}

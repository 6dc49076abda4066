//! The scenario's `manifests`: loading them (files or inline documents) and indexing what the
//! scenario's references must name: pod templates, Services and StorageClasses.

use super::error::ScenarioError;
use super::field::{Field, Result};
use crate::manifest::{self, Loaded, Object};
use k8s_openapi::api::core::v1::{PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Loads every entry of `manifests`: a path relative to the scenario file's folder, or an inline
/// document (a mapping with apiVersion and kind).
pub(crate) fn load_all(list: Option<Field>, base: &Path) -> Result<Vec<Loaded>> {
    list.map_or(Ok(Vec::new()), |list| load_list(&list, base))
}

/// Loads every entry of a list of files and inline documents, like `manifests` or `apply`.
pub(crate) fn load_list(list: &Field, base: &Path) -> Result<Vec<Loaded>> {
    let mut objects = Vec::new();
    for item in &list.list()? {
        objects.extend(load_one(item, base)?);
    }
    // The same object in two files is rejected like a second `kubectl create` of it.
    manifest::check_duplicates(&objects).map_err(|e| ScenarioError::ManifestFile {
        file: list.file.to_string(),
        path: list.path.clone(),
        source: Box::new(e),
    })?;
    Ok(objects)
}

/// Loads one file (relative to `base`) or one inline document.
pub(crate) fn load_one(item: &Field, base: &Path) -> Result<Vec<Loaded>> {
    match item.value {
        serde_yaml_ng::Value::String(relative) => manifest::load_file(&base.join(relative))
            .map_err(|source| ScenarioError::ManifestFile {
                file: item.file.to_string(),
                path: item.path.clone(),
                source: Box::new(source),
            }),
        serde_yaml_ng::Value::Mapping(_) => {
            let text = serde_yaml_ng::to_string(item.value)
                .map_err(|e| item.invalid(format!("cannot re-serialize: {e}")))?;
            let source = format!("{}: {}", item.file, item.path);
            manifest::parse_str(&text, &source)
                .map_err(|e| ScenarioError::InlineManifest(Box::new(e)))
        }
        _ => Err(item
            .wrong_type("a file name or an inline manifest (a mapping with apiVersion and kind)")),
    }
}

/// The pods a workload (or a bare Pod) creates: their namespace, labels and container names.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    /// The kind and name of the object the template belongs to.
    pub owner: (&'static str, String),
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub containers: Vec<String>,
}

/// What the scenario's references may name among the manifests.
#[derive(Debug, Default)]
pub(crate) struct Index {
    pub templates: Vec<Template>,
    /// (namespace, name) of every Service.
    pub services: BTreeSet<(String, String)>,
    pub storage_classes: BTreeSet<String>,
    /// (kind, namespace, name) of every object, with the containers of its pod template (if any).
    pub named: BTreeMap<(&'static str, String, String), Vec<String>>,
}

impl Index {
    /// Indexes the objects.
    pub fn new(objects: &[Loaded]) -> Index {
        let mut index = Index::default();
        for loaded in objects {
            index.add(&loaded.object);
        }
        index
    }

    fn add(&mut self, object: &Object) {
        let from =
            |meta: &ObjectMeta, spec: Option<&PodTemplateSpec>| spec.map(|t| template(meta, t));
        let found = match object {
            Object::Deployment(d) => from(&d.metadata, d.spec.as_ref().map(|s| &s.template)),
            Object::ReplicaSet(r) => from(
                &r.metadata,
                r.spec.as_ref().and_then(|s| s.template.as_ref()),
            ),
            Object::StatefulSet(s) => from(&s.metadata, s.spec.as_ref().map(|s| &s.template)),
            Object::DaemonSet(d) => from(&d.metadata, d.spec.as_ref().map(|s| &s.template)),
            Object::Job(j) => from(&j.metadata, j.spec.as_ref().map(|s| &s.template)),
            Object::Pod(p) => Some(pod_template(&p.metadata, &p.metadata, p.spec.as_ref())),
            Object::Service(s) => {
                let name = s.metadata.name.clone().unwrap_or_default();
                self.services.insert((namespace(&s.metadata), name));
                None
            }
            Object::StorageClass(c) => {
                self.storage_classes
                    .insert(c.metadata.name.clone().unwrap_or_default());
                None
            }
            _ => None,
        };
        let mut found = found;
        if let Some(t) = found.as_mut() {
            t.owner = (object.kind(), object.name().to_string());
        }
        let containers = found.as_ref().map(|t| t.containers.clone());
        let key = (
            object.kind(),
            namespace(object.metadata()),
            object.name().to_string(),
        );
        self.named.insert(key, containers.unwrap_or_default());
        self.templates.extend(found);
    }

    /// The names of the objects of `kind` in `namespace`, in name order.
    pub fn names(&self, kind: &str, namespace: &str) -> Vec<&str> {
        let of = |(k, ns, _): &&(&str, String, String)| *k == kind && ns == namespace;
        self.named
            .keys()
            .filter(of)
            .map(|(_, _, n)| n.as_str())
            .collect()
    }

    /// The templates in `namespace` (any namespace if None) whose labels include all of `labels`.
    pub fn matching<'s: 'q, 'q>(
        &'s self,
        namespace: Option<&'q str>,
        labels: &'q BTreeMap<String, String>,
    ) -> impl Iterator<Item = &'s Template> + 'q {
        self.templates.iter().filter(move |t| {
            namespace.is_none_or(|ns| t.namespace == ns)
                && labels.iter().all(|(k, v)| t.labels.get(k) == Some(v))
        })
    }
}

fn namespace(meta: &ObjectMeta) -> String {
    meta.namespace
        .clone()
        .unwrap_or_else(|| "default".to_string())
}

fn template(owner: &ObjectMeta, t: &PodTemplateSpec) -> Template {
    let no_meta = ObjectMeta::default();
    let meta = t.metadata.as_ref().unwrap_or(&no_meta);
    pod_template(owner, meta, t.spec.as_ref())
}

/// The template of pods with `meta` and `spec`, owned by the object with `owner` (a bare Pod is
/// its own).
fn pod_template(owner: &ObjectMeta, meta: &ObjectMeta, spec: Option<&PodSpec>) -> Template {
    let labels = meta.labels.clone().unwrap_or_default();
    let containers = spec
        .iter()
        .flat_map(|s| &s.containers)
        .map(|c| c.name.clone())
        .collect();
    Template {
        owner: ("", String::new()),
        namespace: namespace(owner),
        labels,
        containers,
    }
}

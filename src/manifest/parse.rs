//! Splitting a YAML stream into documents and decoding each by apiVersion and kind.
//!
//! Each document is read twice: once as a generic value (to find apiVersion, kind and name, and to
//! skip empty documents), then straight from the text into its k8s-openapi type, so that type
//! errors carry the field path and the line in the original file, and unquoted numbers are
//! accepted where Kubernetes accepts them (`cpu: 1`). That is the careful path, taken when the fast
//! one (parse_fast.rs, one read per document) meets anything it does not take.

use super::error::{ManifestError, ObjectRef};
use super::kinds::{self, Unresolved};
use super::strict::{self, Ctx};
use super::{finish, Loaded, Object};
use serde::Deserialize;
use serde_yaml_ng::{Deserializer, Value};

/// Every object of a YAML text, in order; empty documents are skipped. Tries the fast path
/// (parse_fast.rs) first; whatever it cannot take is read here, which names what is wrong.
pub(crate) fn documents(text: &str, file: &str) -> Result<Vec<Loaded>, ManifestError> {
    match super::parse_fast::documents(text, file) {
        Some(loaded) => Ok(loaded),
        None => careful_documents(text, file),
    }
}

/// Every object of a YAML text, each document read as a value and again as text.
pub(super) fn careful_documents(text: &str, file: &str) -> Result<Vec<Loaded>, ManifestError> {
    let values = read_values(text, file)?;
    let several = values.iter().filter(|v| !v.is_null()).count() > 1;
    let mut out = Vec::new();
    for (i, (value, de)) in values.iter().zip(Deserializer::from_str(text)).enumerate() {
        if value.is_null() {
            continue;
        }
        let source = match several {
            true => format!("{file}#{}", i + 1),
            false => file.to_string(),
        };
        load(value, de, &source, false, &mut out)?;
    }
    Ok(out)
}

/// Every document as a generic value; stops at the first syntax error (the document iterator
/// would repeat it forever).
fn read_values(text: &str, file: &str) -> Result<Vec<Value>, ManifestError> {
    let mut values = Vec::new();
    for doc in Deserializer::from_str(text) {
        let value = Value::deserialize(doc).map_err(|e| ManifestError::Syntax {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
        values.push(value);
    }
    Ok(values)
}

/// Decodes, defaults and validates one document (expanding a `List`) into `out`.
fn load(
    value: &Value,
    de: Deserializer<'_>,
    source: &str,
    strip_location: bool,
    out: &mut Vec<Loaded>,
) -> Result<(), ManifestError> {
    let header = header(value, source)?;
    if header.kind == "List" && header.api_version == "v1" {
        return expand_list(value, source, out);
    }
    let kind = match kinds::resolve(&header.api_version, &header.kind) {
        Ok(kind) => kind,
        Err(u) => return Err(unresolved(u, header, source)),
    };
    let object = kinds::describe(kind.kind, kind.api_version, &header.name);
    let ctx = Ctx {
        source,
        object,
        strip_location,
    };
    let decoded = decode(kind.kind, de, &ctx)?;
    out.push(Loaded {
        source: source.to_string(),
        object: finish(decoded, &ctx)?,
    });
    Ok(())
}

/// A `kind: List` (what `kubectl get -o yaml` prints): each item is loaded as a document of its own.
fn expand_list(value: &Value, source: &str, out: &mut Vec<Loaded>) -> Result<(), ManifestError> {
    let items = match value.get("items") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Sequence(items)) => items,
        Some(_) => return Err(syntax(source, "items: a List's items must be a sequence")),
    };
    for (i, item) in items.iter().enumerate() {
        let text = serde_yaml_ng::to_string(item)
            .map_err(|e| syntax(source, &format!("items[{i}]: {e}")))?;
        load(item, Deserializer::from_str(&text), source, true, out)?;
    }
    Ok(())
}

fn header(value: &Value, source: &str) -> Result<ObjectRef, ManifestError> {
    if !value.is_mapping() {
        return Err(syntax(
            source,
            "a Kubernetes object must be a mapping with apiVersion and kind",
        ));
    }
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
    let meta = value.get("metadata");
    let header = ObjectRef {
        api_version: text(value.get("apiVersion")),
        kind: text(value.get("kind")),
        name: text(meta.and_then(|m| m.get("name"))),
        namespace: text(meta.and_then(|m| m.get("namespace"))),
    };
    let missing: Vec<String> = [("apiVersion", &header.api_version), ("kind", &header.kind)]
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(field, _)| format!("{field} not set"))
        .collect();
    if missing.is_empty() {
        return Ok(header);
    }
    Err(ManifestError::MissingTypeInfo {
        file: source.to_string(),
        missing,
    })
}

fn unresolved(u: Unresolved, header: ObjectRef, source: &str) -> ManifestError {
    let (file, object) = (source.to_string(), Box::new(header));
    match u {
        Unresolved::Removed(r) => ManifestError::RemovedApiVersion {
            file,
            object,
            replacement: r.replacement.to_string(),
            removed_in: r.removed_in.to_string(),
        },
        Unresolved::Unknown(hint) => ManifestError::UnknownKind { file, object, hint },
    }
}

fn syntax(source: &str, reason: &str) -> ManifestError {
    ManifestError::Syntax {
        file: source.to_string(),
        reason: reason.to_string(),
    }
}

/// The typed object for a resolved kind.
fn decode(kind: &str, de: Deserializer<'_>, ctx: &Ctx<'_>) -> Result<Object, ManifestError> {
    Ok(match kind {
        "Deployment" => Object::Deployment(Box::new(strict::decode(de, ctx)?)),
        "ReplicaSet" => Object::ReplicaSet(Box::new(strict::decode(de, ctx)?)),
        "StatefulSet" => Object::StatefulSet(Box::new(strict::decode(de, ctx)?)),
        "DaemonSet" => Object::DaemonSet(Box::new(strict::decode(de, ctx)?)),
        "Job" => Object::Job(Box::new(strict::decode(de, ctx)?)),
        "Pod" => Object::Pod(Box::new(strict::decode(de, ctx)?)),
        "Service" => Object::Service(Box::new(strict::decode(de, ctx)?)),
        "PersistentVolumeClaim" => {
            Object::PersistentVolumeClaim(Box::new(strict::decode(de, ctx)?))
        }
        "PersistentVolume" => Object::PersistentVolume(Box::new(strict::decode(de, ctx)?)),
        "StorageClass" => Object::StorageClass(Box::new(strict::decode(de, ctx)?)),
        "Node" => Object::Node(Box::new(strict::decode(de, ctx)?)),
        "ConfigMap" => Object::ConfigMap(Box::new(strict::decode(de, ctx)?)),
        "Secret" => Object::Secret(Box::new(strict::decode(de, ctx)?)),
        "PodDisruptionBudget" => Object::PodDisruptionBudget(Box::new(strict::decode(de, ctx)?)),
        other => unreachable!("kind {other} is in kinds::KINDS but not decoded"),
    })
}

//! Why a manifest was rejected, naming the file, the document and the field.

use std::fmt;

/// A manifest the API server or kubectl would reject.
///
/// Messages follow kubectl's wording without its leading `error: `; `file` is `file.yaml`, or
/// `file.yaml#2` (document index from 1) when the file holds several documents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("{file}: cannot read: {reason}")]
    Read { file: String, reason: String },

    /// The text is not YAML, or a document is not a mapping (reason carries the line and column).
    #[error("error parsing {file}: error converting YAML to JSON: {reason}")]
    Syntax { file: String, reason: String },

    /// A document lacks `apiVersion` or `kind` (`missing` holds e.g. "kind not set").
    #[error("error validating \"{file}\": error validating data: [{}]", .missing.join(", "))]
    MissingTypeInfo { file: String, missing: Vec<String> },

    /// The apiVersion no longer serves this kind; `replacement` is the apiVersion that does.
    #[error(
        "{}\n{} {} was removed in Kubernetes {removed_in}; use apiVersion: {replacement} instead",
        no_match(.file, .object), .object.kind, .object.api_version
    )]
    RemovedApiVersion {
        file: String,
        object: Box<ObjectRef>,
        replacement: String,
        removed_in: String,
    },

    /// The kind (in that apiVersion) is not one kubesim simulates; `hint` says what is.
    #[error("{}\n{hint}", no_match(.file, .object))]
    UnknownKind {
        file: String,
        object: Box<ObjectRef>,
        hint: String,
    },

    /// A field has the wrong type or a required field is absent (reason starts with its path).
    #[error("error parsing {file}: {object}: {reason}")]
    Decode {
        file: String,
        object: String,
        reason: String,
    },

    /// Fields the schema does not have, as kubectl's strict field validation reports them.
    #[error("error parsing {file}: {object}: strict decoding error: {}", unknown_list(.fields))]
    UnknownFields {
        file: String,
        object: String,
        fields: Vec<String>,
    },

    /// The API server's validation rejects the object (one entry per offending field).
    #[error("error when creating \"{file}\": {object} is invalid: {}", field_list(.errors))]
    Invalid {
        file: String,
        object: String,
        errors: Vec<FieldError>,
    },

    /// A second object with the same kind, namespace and name; `first` is where the first one is.
    #[error("error when creating \"{file}\": {object} already exists{} (first defined in {first})", in_namespace(.namespace))]
    Duplicate {
        file: String,
        object: String,
        namespace: Option<String>,
        first: String,
    },
}

/// What a document says it is: its apiVersion, kind, name and namespace (empty when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

/// One rejected field, as the API server's `field.Error` prints it: `spec.replicas: Invalid value: -1: ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Full path, e.g. `spec.template.spec.containers[0].image`.
    pub field: String,
    /// `Required value`, `Invalid value: ...`, `Unsupported value: ...`, ...
    pub detail: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.detail)
    }
}

// Constructors mirroring k8s.io/apimachinery/pkg/util/validation/field/errors.go.
impl FieldError {
    pub(crate) fn required(field: impl Into<String>, msg: &str) -> Self {
        Self::new(field, with_msg("Required value", msg))
    }

    pub(crate) fn invalid(field: impl Into<String>, value: impl fmt::Display, msg: &str) -> Self {
        Self::new(field, with_msg(&format!("Invalid value: {value}"), msg))
    }

    pub(crate) fn not_supported(field: impl Into<String>, value: &str, supported: &[&str]) -> Self {
        let list: Vec<String> = supported.iter().map(|s| quote(s)).collect();
        let detail = format!(
            "Unsupported value: {}: supported values: {}",
            quote(value),
            list.join(", ")
        );
        Self::new(field, detail)
    }

    pub(crate) fn forbidden(field: impl Into<String>, msg: &str) -> Self {
        Self::new(field, with_msg("Forbidden", msg))
    }

    pub(crate) fn duplicate(field: impl Into<String>, value: &str) -> Self {
        Self::new(field, format!("Duplicate value: {}", quote(value)))
    }

    pub(crate) fn not_found(field: impl Into<String>, value: &str) -> Self {
        Self::new(field, format!("Not found: {}", quote(value)))
    }

    fn new(field: impl Into<String>, detail: String) -> Self {
        Self {
            field: field.into(),
            detail,
        }
    }
}

/// A string as Go's `%q` prints it (close enough for names and values).
pub(crate) fn quote(s: &str) -> String {
    format!("{s:?}")
}

fn with_msg(head: &str, msg: &str) -> String {
    if msg.is_empty() {
        head.to_string()
    } else {
        format!("{head}: {msg}")
    }
}

fn no_match(file: &str, o: &ObjectRef) -> String {
    format!(
        "resource mapping not found for name: {:?} namespace: {:?} from \"{file}\": \
         no matches for kind {:?} in version {:?}",
        o.name, o.namespace, o.kind, o.api_version
    )
}

fn unknown_list(fields: &[String]) -> String {
    let items: Vec<String> = fields
        .iter()
        .map(|f| format!("unknown field {}", quote(f)))
        .collect();
    items.join(", ")
}

fn field_list(errors: &[FieldError]) -> String {
    let items: Vec<String> = errors.iter().map(ToString::to_string).collect();
    match items.as_slice() {
        [one] => one.clone(),
        _ => format!("[{}]", items.join(", ")),
    }
}

fn in_namespace(namespace: &Option<String>) -> String {
    namespace
        .as_ref()
        .map(|ns| format!(" in namespace {}", quote(ns)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_field_errors_are_listed_in_brackets_like_the_api_server() {
        let e = ManifestError::Invalid {
            file: "a.yaml".into(),
            object: "Deployment.apps \"web\"".into(),
            errors: vec![
                FieldError::required("spec.selector", ""),
                FieldError::invalid("spec.replicas", -1, "must be greater than or equal to 0"),
            ],
        };
        assert_eq!(
            e.to_string(),
            "error when creating \"a.yaml\": Deployment.apps \"web\" is invalid: [spec.selector: Required value, \
             spec.replicas: Invalid value: -1: must be greater than or equal to 0]"
        );
    }

    #[test]
    fn unsupported_values_list_the_supported_ones_quoted() {
        let e = FieldError::not_supported("spec.type", "Foo", &["ClusterIP", "NodePort"]);
        assert_eq!(
            e.to_string(),
            "spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"NodePort\""
        );
    }
}

//! Why a scenario file was rejected: every message names the file and the field path.

use crate::manifest::ManifestError;

/// A scenario file `kubesim` refuses to run. Paths look like `faults[1].delete-pod.selector`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// The scenario file could not be read.
    #[error("{file}: cannot read: {reason}")]
    Read { file: String, reason: String },

    /// The file is not valid YAML.
    #[error("{file}: not valid YAML: {reason}")]
    Syntax { file: String, reason: String },

    /// A key that no scenario field has, usually a misspelling; `hint` may suggest the closest one.
    #[error("{file}: {path}: unknown field; expected one of: {expected}{hint}")]
    UnknownField {
        file: String,
        path: String,
        /// The valid keys at this place, comma-separated.
        expected: String,
        /// Empty, or `; did you mean X?`.
        hint: String,
    },

    /// A required field is absent.
    #[error("{file}: {path}: required field is missing")]
    MissingField { file: String, path: String },

    /// A value of the wrong shape, such as a list where a mapping belongs.
    #[error("{file}: {path}: expected {expected}, found {found}")]
    WrongType {
        file: String,
        path: String,
        expected: String,
        found: String,
    },

    /// A value of the right shape that is not allowed: a bad duration, quantity, name or bound.
    #[error("{file}: {path}: {reason}")]
    Invalid {
        file: String,
        path: String,
        reason: String,
    },

    /// A selector or `match` that selects the pods of no workload among the manifests.
    #[error("{file}: {path}: {selector} matches no pods of any workload in the manifests")]
    NoMatch {
        file: String,
        path: String,
        /// The selector as `k=v,k=v` (with `namespace/` when not `default`).
        selector: String,
    },

    /// A traffic client aimed at a Service that no manifest defines.
    #[error("{file}: {path}: no Service {namespace}/{service} among the manifests")]
    UnknownService {
        file: String,
        path: String,
        namespace: String,
        service: String,
    },

    /// A `storage-classes` entry for a class that no StorageClass manifest defines.
    #[error("{file}: {path}: no StorageClass named {class} among the manifests")]
    UnknownStorageClass {
        file: String,
        path: String,
        class: String,
    },

    /// A manifest file named in `manifests` is missing or was rejected.
    #[error("{file}: {path}: {source}")]
    ManifestFile {
        file: String,
        path: String,
        source: Box<ManifestError>,
    },

    /// An inline manifest was rejected (its source reads `FILE: manifests[i]`).
    #[error(transparent)]
    InlineManifest(Box<ManifestError>),
}

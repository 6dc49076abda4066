//! Why a manifest was rejected, naming the file, the document and the field.

/// A manifest the API server or kubectl would reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("{file}: cannot read: {reason}")]
    Read { file: String, reason: String },
}

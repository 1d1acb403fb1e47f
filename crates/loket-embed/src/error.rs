//! The crate's error type: everything that can go wrong happens while loading a model directory.
//! Encoding a loaded model cannot fail: any text, including an empty one, has an embedding.

use std::path::PathBuf;

/// Why an encoder could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A model file could not be read.
    #[error("encoder file {path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying IO error.
        source: std::io::Error,
    },
    /// A model file is malformed: bad JSON, a truncated tensor, inconsistent shapes.
    #[error("malformed encoder file {file}: {reason}")]
    Malformed {
        /// The file name (`config.json`, `tokenizer.json`, `model.safetensors`).
        file: String,
        /// What was wrong with it.
        reason: String,
    },
    /// The model is well-formed but of a kind this encoder does not implement (another
    /// tokenizer model, another architecture, an unsupported tensor type).
    #[error("unsupported encoder: {0}")]
    Unsupported(String),
    /// A tensor the architecture needs is not in `model.safetensors`.
    #[error("tensor {0} is missing from model.safetensors")]
    MissingTensor(String),
}

impl Error {
    pub(crate) fn malformed(file: &str, reason: impl Into<String>) -> Error {
        Error::Malformed {
            file: file.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

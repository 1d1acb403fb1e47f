//! The crate's error type. Rejected input files are not errors: they are reported in
//! [`crate::ImportReport`]; an [`Error`] means the operation as a whole did not happen.

use std::path::PathBuf;

/// Why a knowledge-base operation failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing the data directory failed.
    #[error("knowledge base storage at {path}: {source}")]
    Storage {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying IO error.
        source: std::io::Error,
    },
    /// The search index could not be built or opened.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// A stored generation is unreadable (for example a truncated `entries.json`).
    #[error("knowledge base generation {generation} is corrupt: {reason}")]
    Corrupt {
        /// The generation directory name.
        generation: String,
        /// What was wrong with it.
        reason: String,
    },
    /// Every source was rejected; the previous index keeps serving. The report says why.
    #[error("nothing to import: all {rejected} entries or files were rejected")]
    NothingImported {
        /// How many files or lines were rejected.
        rejected: usize,
        /// The full report with a reason per rejected source.
        report: Box<crate::ImportReport>,
    },
    /// A rollback found no earlier generation to serve again.
    #[error("no earlier knowledge base generation is kept to roll back to")]
    NothingToRollBack,
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn storage(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Storage {
            path: path.into(),
            source,
        }
    }
}

//! The service's error type: conditions a caller can act on, each with a stable code.

use loket_core::TransitionError;

/// A use case failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The conversation, account or resource does not exist.
    #[error("not found")]
    NotFound,
    /// Missing or wrong credentials (token, password, session).
    #[error("not authorised")]
    Unauthorized,
    /// Authenticated, but the role or setting does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// The input breaks a rule; `code` is stable, `message` says which.
    #[error("{message}")]
    Invalid {
        /// Stable machine-readable code.
        code: &'static str,
        /// Human-readable explanation, free of content.
        message: String,
    },
    /// A rate limit was reached.
    #[error("rate limit reached")]
    RateLimited,
    /// The state does not allow it (already claimed, not assigned).
    #[error("{message}")]
    Conflict {
        /// Stable machine-readable code.
        code: &'static str,
        /// Explanation.
        message: &'static str,
    },
    /// A guard failed; the message was blocked, not stored (fail closed).
    #[error("the message could not be checked and was not stored")]
    GuardFailed,
    /// Storage or another dependency failed.
    #[error("service unavailable: {0}")]
    Unavailable(String),
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<loket_store::Error> for Error {
    fn from(error: loket_store::Error) -> Self {
        match error {
            loket_store::Error::NotFound => Error::NotFound,
            loket_store::Error::Conflict => Error::Conflict {
                code: "conflict",
                message: "the conversation changed at the same time; try again",
            },
            loket_store::Error::Backend(description) => Error::Unavailable(description),
        }
    }
}

impl From<TransitionError> for Error {
    fn from(error: TransitionError) -> Self {
        match error {
            TransitionError::NotWaiting => Error::Conflict {
                code: "already_claimed",
                message: "this conversation is not waiting for an agent: a colleague took it over or it was closed",
            },
            TransitionError::NotAssigned => Error::Conflict {
                code: "not_assigned",
                message: "you do not hold this conversation",
            },
            TransitionError::DisclosureMissing => Error::Unavailable("disclosure invariant violated".into()),
        }
    }
}

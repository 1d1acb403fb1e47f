//! The crate's error type. Loading can fail in every way a file can be wrong; generating fails
//! only when the prompt does not fit the model's context (stopping early is not an error but a
//! [`crate::Finish`]).

/// Why a model could not be loaded or a generation could not start.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The model file could not be read.
    #[error("reading the model file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not a well-formed GGUF file, or its contents contradict each other: bad magic,
    /// truncated header, tensor data past the end of the file, shapes that do not match the
    /// hyperparameters, missing tensors or metadata.
    #[error("malformed model file: {0}")]
    Format(String),
    /// The file is well-formed but describes something this crate does not implement: another
    /// architecture, tensor type, tokenizer or chat template.
    #[error("unsupported model: {0}")]
    Unsupported(String),
    /// The rendered conversation needs `tokens` tokens, but the model's context holds `limit`
    /// (and at least one position must stay free for the answer).
    #[error("the prompt needs {tokens} tokens but the model's context holds {limit}")]
    PromptTooLong {
        /// Tokens of the rendered prompt.
        tokens: usize,
        /// The model's context length.
        limit: usize,
    },
}

impl LlmError {
    pub(crate) fn format(reason: impl Into<String>) -> LlmError {
        LlmError::Format(reason.into())
    }
}

/// Result with this crate's [`LlmError`].
pub type Result<T, E = LlmError> = std::result::Result<T, E>;

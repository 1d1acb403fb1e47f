//! The one model interface that every generating model implements, so the chat pipeline does not
//! care where a model runs.

use std::time::Instant;

use tokio::sync::mpsc;

/// Who wrote a chat message sent to a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The instructions.
    System,
    /// The (untrusted) data: passages and the customer's question.
    User,
    /// An earlier answer of the model.
    Assistant,
}

impl Role {
    /// The role's name in the chat-completions API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One chat message sent to a model.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    /// Who wrote it.
    pub role: Role,
    /// What it says.
    pub content: String,
}

/// One request: the messages and the limits.
#[derive(Debug, Clone)]
pub struct ModelRequest {
    /// The chat, system message first.
    pub messages: Vec<ChatMessage>,
    /// Most tokens the model may write.
    pub max_tokens: u32,
    /// When the whole answer must be complete.
    pub deadline: Instant,
    /// How long to wait for the first token, per attempt.
    pub first_token_timeout: std::time::Duration,
}

/// Why a model stopped writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// It ended the answer itself.
    Stop,
    /// It reached the token limit.
    Length,
}

/// What a model sends while it writes.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelEvent {
    /// The next piece of text (whole characters).
    Text(String),
    /// The answer is complete; nothing follows.
    Done(Finish),
}

/// Why a model gave no usable answer. Stable names for audit records and metrics; never text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// No first token in time, or the answer was not complete by the deadline.
    #[error("the model did not answer in time")]
    Timeout,
    /// The server could not be reached or answered with an error status after every retry.
    #[error("the model is unavailable: {0}")]
    Unavailable(String),
    /// The server's answer was not a valid completion (bad JSON, a stream that broke off).
    #[error("the model's answer was malformed: {0}")]
    Malformed(String),
    /// The model or its provider refused (content filter, refusal field).
    #[error("the model refused")]
    Refused,
    /// Every slot for in-process generation is busy.
    #[error("the model is busy")]
    Busy,
}

impl ModelError {
    /// The stable name of this failure.
    pub fn code(&self) -> &'static str {
        match self {
            ModelError::Timeout => "model_timeout",
            ModelError::Unavailable(_) => "model_unavailable",
            ModelError::Malformed(_) => "model_malformed",
            ModelError::Refused => "model_refused",
            ModelError::Busy => "model_busy",
        }
    }
}

/// The stream of one answer. It ends with [`ModelEvent::Done`] or an error; a sender that goes
/// away without either means the answer broke off.
pub type ModelStream = mpsc::Receiver<Result<ModelEvent, ModelError>>;

/// A model that writes answers: an OpenAI-compatible server ([`super::OpenAiModel`]) or a GGUF
/// file run in this process ([`super::LocalGguf`]). Dropping the stream cancels the answer.
pub trait AnswerModel: Send + Sync {
    /// The model's name, for the records of processing.
    fn name(&self) -> &str;

    /// Starts writing an answer to `request`. Never blocks: the work runs elsewhere.
    fn start(&self, request: ModelRequest) -> ModelStream;
}

//! A GGUF model run in this process on the CPU ([`loket_llm::LocalModel`]), for deployments that
//! send nothing to any model server. Each answer runs on a blocking thread; at most `concurrency`
//! answers are written at once and a further turn gets [`ModelError::Busy`] (and so the approved
//! answer) instead of queueing behind them.

use std::path::Path;
use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};

use super::model::{AnswerModel, ChatMessage, Finish, ModelError, ModelEvent, ModelRequest, ModelStream, Role};

/// A loaded GGUF model.
pub struct LocalGguf {
    model: Arc<loket_llm::LocalModel>,
    slots: Arc<Semaphore>,
}

impl std::fmt::Debug for LocalGguf {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("LocalGguf")
            .field("model", &self.model.name())
            .finish_non_exhaustive()
    }
}

impl LocalGguf {
    /// Loads the GGUF file at `path`; `concurrency` answers may be written at once.
    pub fn load(path: &Path, concurrency: usize) -> Result<Self, loket_llm::LlmError> {
        Ok(Self::from_model(
            Arc::new(loket_llm::LocalModel::load(path)?),
            concurrency,
        ))
    }

    /// Wraps a model that is already loaded.
    pub fn from_model(model: Arc<loket_llm::LocalModel>, concurrency: usize) -> Self {
        Self {
            model,
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }
}

fn llm_message(message: &ChatMessage) -> loket_llm::ChatMessage {
    loket_llm::ChatMessage {
        role: match message.role {
            Role::System => loket_llm::Role::System,
            Role::User => loket_llm::Role::User,
            Role::Assistant => loket_llm::Role::Assistant,
        },
        content: message.content.clone(),
    }
}

impl AnswerModel for LocalGguf {
    fn name(&self) -> &str {
        self.model.name()
    }

    fn start(&self, request: ModelRequest) -> ModelStream {
        let (sender, receiver) = mpsc::channel(256);
        let Ok(permit) = self.slots.clone().try_acquire_owned() else {
            let _ = sender.try_send(Err(ModelError::Busy));
            return receiver;
        };
        let model = self.model.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let messages: Vec<loket_llm::ChatMessage> = request.messages.iter().map(llm_message).collect();
            let options = loket_llm::GenerateOptions {
                max_tokens: request.max_tokens as usize,
                deadline: Some(request.deadline),
                stop: Vec::new(),
            };
            // Returning false stops generation: the reader went away (the turn ended).
            let mut on_text = |piece: &str| sender.blocking_send(Ok(ModelEvent::Text(piece.to_string()))).is_ok();
            let outcome = match model.generate(&messages, &options, &mut on_text) {
                Ok(generation) => match generation.finish {
                    loket_llm::Finish::Stop => Ok(ModelEvent::Done(Finish::Stop)),
                    loket_llm::Finish::Length => Ok(ModelEvent::Done(Finish::Length)),
                    loket_llm::Finish::Deadline => Err(ModelError::Timeout),
                    loket_llm::Finish::Cancelled => return,
                },
                Err(loket_llm::LlmError::PromptTooLong { .. }) => Err(ModelError::Malformed(
                    "the prompt is longer than the model's context".into(),
                )),
                Err(error) => Err(ModelError::Unavailable(error.to_string())),
            };
            let _ = sender.blocking_send(outcome);
        });
        receiver
    }
}

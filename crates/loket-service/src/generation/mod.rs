//! Step 4's optional second half: a language model phrases the answer from the passages the
//! knowledge base cited, and nothing it writes reaches the customer unchecked (issue 8;
//! REQUIREMENTS ACC-01 to ACC-03, SEC-05, SEC-06, PRIV-03, PRIV-04).
//!
//! The model is asked only when the knowledge base already answered with enough confidence; it
//! may rephrase, never widen, what the approved sources say. Below the threshold the bot abstains
//! and offers a person exactly as without a model.
//!
//! 1. **Prompt** ([`prompt`]): instructions in the conversation's language with the cited passages
//!    numbered, and the customer's question, pseudonymised (personal data was replaced by
//!    placeholders in step 2, before any model sees it), as the user message; the canary of the
//!    output guard in the instructions.
//! 2. **Stream**: the model's text is cut into sentences as it arrives. A sentence is shown (as a
//!    draft on the live stream) only after it passed, in this order: no placeholder of personal
//!    data; citation markers `[n]` name passages that were given; the grounding verifier against
//!    the passages it cites (all passages when it cites none); the output guard (canary,
//!    non-public overlap, human claim, markup and links).
//! 3. **Fallback**: a failing sentence, a model error, a timeout, a refusal, `NO_ANSWER`, an
//!    empty or truncated answer: the approved answer is sent instead and the drafts are withdrawn.
//!    The reason is a stable name in the audit record; no text is logged.

pub mod local;
pub mod model;
pub mod openai;
pub mod prompt;

use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use loket_core::Locale;
use loket_core::config::{GenerationConfig, ModelProvider};
use loket_guard::grounding::{self, GroundingVerifier};
use regex::Regex;

pub use local::LocalGguf;
pub use model::{AnswerModel, ChatMessage, Finish, ModelError, ModelEvent, ModelRequest, ModelStream, Role};
pub use openai::{OpenAiModel, OpenAiSettings};

/// Why a generated answer was not used. Stable names, for audit records and metrics.
pub mod fallback {
    /// A sentence was not supported by its passages (the verifier's reason is recorded too).
    pub const UNSUPPORTED: &str = "unsupported";
    /// A sentence repeated a placeholder of the customer's personal data.
    pub const PERSONAL_DATA: &str = "personal_data";
    /// A sentence cited a passage that was not given.
    pub const UNKNOWN_CITATION: &str = "unknown_citation";
    /// The output guard blocked a sentence.
    pub const OUTPUT_GUARD: &str = "output_guard";
    /// The model said the passages do not answer the question.
    pub const NO_ANSWER: &str = "no_answer";
    /// The model wrote nothing usable.
    pub const EMPTY: &str = "empty";
    /// The model stopped at its token limit in the middle of a sentence.
    pub const TRUNCATED: &str = "truncated";
    /// The stream ended without saying it was complete.
    pub const BROKEN_STREAM: &str = "broken_stream";
}

/// What the model must write when the passages do not answer the question.
pub const NO_ANSWER_MARK: &str = "NO_ANSWER";

/// Placeholders of pseudonymised personal data, such as `[IBAN_1]`.
static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[[A-Z][A-Z_]*(?:_\d+)?\]").unwrap_or_else(|_| never_matching()));
/// Citation markers: `[1]`, `[2, 3]`, `[P1]`.
static CITATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[\s*P?\d+(?:\s*,\s*P?\d+)*\s*\]").unwrap_or_else(|_| never_matching()));

/// A pattern that matches nothing, for the impossible case that a constant pattern fails to
/// compile (keeps the gate panic-free by construction).
fn never_matching() -> Regex {
    Regex::new(r"[^\s\S]").unwrap_or_else(|_| never_matching())
}

/// One passage given to the model: what a citation of the answer points to.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcePassage {
    /// The entry or document id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The passage text.
    pub text: String,
}

/// The result of asking the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Generated {
    /// Every sentence passed: this text (citation markers removed) is the answer.
    Answer(String),
    /// Use the approved answer; `reason` is a [`fallback`] name, `detail` the verifier's or the
    /// model's reason when there is one.
    Fallback {
        /// Why.
        reason: &'static str,
        /// The finer reason (a verifier reason or a model error code).
        detail: Option<&'static str>,
    },
}

/// A sentence check that runs after grounding: the output guard, given by the caller so this
/// module does not depend on the knowledge base. `Ok(text)` is the sanitised sentence.
pub type OutputCheck<'a> = dyn Fn(&str) -> Result<String, &'static str> + Send + Sync + 'a;

/// The configured model with its limits and the verifier.
pub struct Generator {
    model: Arc<dyn AnswerModel>,
    verifier: GroundingVerifier,
    max_tokens: u32,
    timeout: Duration,
    first_token_timeout: Duration,
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Generator")
            .field("model", &self.model.name())
            .finish_non_exhaustive()
    }
}

impl Generator {
    /// A generator for `model` with the limits of `config`.
    pub fn new(model: Arc<dyn AnswerModel>, config: &GenerationConfig) -> Self {
        Self {
            model,
            verifier: GroundingVerifier::new(),
            max_tokens: config.max_tokens,
            timeout: Duration::from_secs(config.timeout_seconds),
            first_token_timeout: Duration::from_secs(config.first_token_timeout_seconds),
        }
    }

    /// Builds the configured model: `None` when the configuration has none. A local model is
    /// loaded here (it takes a moment and some memory); an error names the file.
    pub fn from_config(config: &GenerationConfig) -> Result<Option<Self>, String> {
        let model: Arc<dyn AnswerModel> = match config.provider {
            ModelProvider::None => return Ok(None),
            ModelProvider::Local => {
                let path = config
                    .model_path
                    .as_ref()
                    .ok_or_else(|| "generation.model_path is not set".to_string())?;
                Arc::new(
                    LocalGguf::load(path, config.concurrency)
                        .map_err(|error| format!("loading the model {}: {error}", path.display()))?,
                )
            }
            ModelProvider::Openai => {
                let api_key = match &config.api_key_env {
                    Some(variable) => Some(
                        std::env::var(variable)
                            .map_err(|_| format!("generation.api_key_env names {variable}, which is not set"))?,
                    ),
                    None => None,
                };
                Arc::new(
                    OpenAiModel::new(OpenAiSettings {
                        base_url: config.base_url.clone().unwrap_or_default(),
                        model: config.model.clone(),
                        api_key,
                        api_version: config.api_version.clone(),
                        retries: config.retries,
                        retry_base: Duration::from_millis(config.retry_base_millis),
                    })
                    .map_err(|error| error.to_string())?,
                )
            }
        };
        Ok(Some(Self::new(model, config)))
    }

    /// The model's name, recorded with every message it wrote (DIS-10).
    pub fn model_name(&self) -> &str {
        self.model.name()
    }

    /// Asks the model to phrase an answer to `question` (already pseudonymised) from `passages`,
    /// in `locale`. Each sentence that passes every check is handed to `draft` with the text
    /// shown so far; on a fallback the caller withdraws the drafts.
    pub async fn generate(
        &self,
        question: &str,
        locale: Locale,
        passages: &[SourcePassage],
        canary: Option<&str>,
        output_check: &OutputCheck<'_>,
        draft: &mut (dyn FnMut(&str) + Send),
    ) -> Generated {
        if passages.is_empty() {
            return Generated::Fallback {
                reason: fallback::EMPTY,
                detail: None,
            };
        }
        let request = ModelRequest {
            messages: prompt::messages(question, locale, passages, canary),
            max_tokens: self.max_tokens,
            deadline: Instant::now() + self.timeout,
            first_token_timeout: self.first_token_timeout,
        };
        let deadline = request.deadline;
        let mut stream = self.model.start(request);
        let mut answer = StreamingAnswer::new(&self.verifier, passages, output_check);
        loop {
            let event = match tokio::time::timeout_at(deadline.into(), stream.recv()).await {
                Err(_) => return model_failure(&ModelError::Timeout),
                Ok(None) => {
                    return Generated::Fallback {
                        reason: fallback::BROKEN_STREAM,
                        detail: None,
                    };
                }
                Ok(Some(Err(error))) => return model_failure(&error),
                Ok(Some(Ok(event))) => event,
            };
            let outcome = match event {
                ModelEvent::Text(text) => answer.push(&text, false),
                ModelEvent::Done(finish) => {
                    return match answer.push("", true) {
                        Ok(_) => answer.finish(finish),
                        Err(failure) => failure,
                    };
                }
            };
            match outcome {
                Ok(true) => draft(&answer.shown),
                Ok(false) => {}
                Err(failure) => return failure,
            }
        }
    }
}

fn model_failure(error: &ModelError) -> Generated {
    Generated::Fallback {
        reason: error.code(),
        detail: None,
    }
}

/// A growing answer: text that arrived, and the sentences that passed, which are shown.
struct StreamingAnswer<'a> {
    verifier: &'a GroundingVerifier,
    passages: &'a [SourcePassage],
    output_check: &'a OutputCheck<'a>,
    /// Text not yet cut into complete sentences.
    pending: String,
    /// The sentences that passed, sanitised, citation markers removed, joined by a space.
    shown: String,
    /// Everything the model wrote, for the `NO_ANSWER` check.
    written: String,
}

impl<'a> StreamingAnswer<'a> {
    fn new(verifier: &'a GroundingVerifier, passages: &'a [SourcePassage], output_check: &'a OutputCheck<'a>) -> Self {
        Self {
            verifier,
            passages,
            output_check,
            pending: String::new(),
            shown: String::new(),
            written: String::new(),
        }
    }

    /// Adds text; at the end (`last`), the remainder counts as a sentence too. `Ok(true)` when a
    /// sentence was added to what is shown; the fallback as soon as something fails.
    fn push(&mut self, text: &str, last: bool) -> Result<bool, Generated> {
        self.pending.push_str(text);
        self.written.push_str(text);
        if self.written.contains(NO_ANSWER_MARK) {
            return Err(Generated::Fallback {
                reason: fallback::NO_ANSWER,
                detail: None,
            });
        }
        let pending = std::mem::take(&mut self.pending);
        // Final sentences only: whatever text follows cannot change them. At the end of the
        // stream the rest counts too.
        let ready = if last {
            grounding::sentences(&pending)
        } else {
            grounding::complete_sentences(&pending)
        };
        let mut grew = false;
        for sentence in &ready {
            grew |= self.accept(sentence)?;
        }
        if !last {
            // Keep what follows the last final sentence, with its spacing, for the next piece.
            let consumed = ready.last().map_or(0, |sentence| {
                (sentence.as_ptr() as usize).saturating_sub(pending.as_ptr() as usize) + sentence.len()
            });
            self.pending = pending.get(consumed..).unwrap_or_default().to_string();
        }
        Ok(grew)
    }

    /// Checks one final sentence; `Ok(true)` when it was added to what is shown, `Ok(false)`
    /// when it has no words (only markers or punctuation).
    fn accept(&mut self, sentence: &str) -> Result<bool, Generated> {
        let fallback = |reason, detail| Generated::Fallback { reason, detail };
        let mut cited = Vec::new();
        for marker in CITATION.find_iter(sentence) {
            for number in marker
                .as_str()
                .trim_matches(['[', ']'])
                .split(',')
                .map(|part| part.trim().trim_start_matches('P'))
            {
                match number.parse::<usize>() {
                    Ok(number) if number >= 1 && number <= self.passages.len() => cited.push(number - 1),
                    _ => return Err(fallback(fallback::UNKNOWN_CITATION, None)),
                }
            }
        }
        let clean = CITATION.replace_all(sentence, "");
        let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
        let clean = clean
            .replace(" .", ".")
            .replace(" ,", ",")
            .replace(" !", "!")
            .replace(" ?", "?");
        if clean.chars().all(|c| !c.is_alphanumeric()) {
            return Ok(false);
        }
        if PLACEHOLDER.is_match(&clean) {
            return Err(fallback(fallback::PERSONAL_DATA, None));
        }
        let sources: Vec<&str> = if cited.is_empty() {
            self.passages.iter().map(|passage| passage.text.as_str()).collect()
        } else {
            cited.iter().map(|index| self.passages[*index].text.as_str()).collect()
        };
        let verdict = self.verifier.check_sentence(&sources, &clean);
        if !verdict.supported {
            return Err(fallback(fallback::UNSUPPORTED, verdict.reasons.first().copied()));
        }
        let sanitised = (self.output_check)(&clean).map_err(|reason| fallback(fallback::OUTPUT_GUARD, Some(reason)))?;
        if !self.shown.is_empty() {
            self.shown.push(' ');
        }
        self.shown.push_str(&sanitised);
        Ok(true)
    }

    fn finish(self, finish: Finish) -> Generated {
        if self.shown.is_empty() {
            return Generated::Fallback {
                reason: if finish == Finish::Length {
                    fallback::TRUNCATED
                } else {
                    fallback::EMPTY
                },
                detail: None,
            };
        }
        if finish == Finish::Length {
            // Stopped at the limit: the last sentence may be cut short, so the answer may say
            // less than it means to. The approved answer is safer.
            return Generated::Fallback {
                reason: fallback::TRUNCATED,
                detail: None,
            };
        }
        Generated::Answer(self.shown)
    }
}

#[cfg(test)]
mod tests;

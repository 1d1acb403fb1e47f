//! Rendering a conversation into prompt tokens with the ChatML template:
//!
//! ```text
//! <|im_start|>system
//! You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
//! <|im_start|>user
//! What is the capital of France?<|im_end|>
//! <|im_start|>assistant
//! ```
//!
//! The file's `tokenizer.chat_template` is a Jinja program; rather than interpret Jinja, this
//! module checks that the template is ChatML and takes from it the one thing that varies between
//! ChatML models: the system prompt inserted when the conversation does not start with one.
//!
//! The markers are inserted as token ids and everything else is tokenized as plain text, split
//! exactly where a tokenizer that knows the markers would split the rendered string. So the
//! tokens equal those of the rendered template, except that a marker spelled inside a message is
//! text, not a marker: a customer cannot close their turn and open a system turn.

use regex::Regex;

use crate::bpe::Tokenizer;
use crate::{ChatMessage, LlmError, Result, Role};

/// The ChatML markers and the default system prompt.
#[derive(Debug)]
pub(crate) struct ChatTemplate {
    start: u32,
    end: u32,
    /// Inserted when the first message is not a system message.
    default_system: Option<String>,
}

impl ChatTemplate {
    /// Checks that `template` (when the file has one) is ChatML and finds the markers' ids.
    pub(crate) fn new(template: Option<&str>, tokenizer: &Tokenizer) -> Result<ChatTemplate> {
        let (Some(start), Some(end)) = (
            tokenizer.control_token("<|im_start|>"),
            tokenizer.control_token("<|im_end|>"),
        ) else {
            return Err(LlmError::Unsupported(
                "the vocabulary has no <|im_start|> and <|im_end|> control tokens".into(),
            ));
        };
        let mut default_system = None;
        if let Some(template) = template {
            if !template.contains("'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>'") {
                return Err(LlmError::Unsupported("a chat template other than ChatML".into()));
            }
            // `{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\n…<|im_end|>\n' }}`
            let inserted = Regex::new(
                r"(?s)messages\[0\]\['role'\] != 'system' %\}\{\{ '<\|im_start\|>system\n([^']*)<\|im_end\|>",
            )
            .map_err(|error| LlmError::Unsupported(error.to_string()))?;
            default_system = inserted
                .captures(template)
                .and_then(|captures| captures.get(1))
                .map(|prompt| prompt.as_str().to_owned());
        }
        Ok(ChatTemplate {
            start,
            end,
            default_system,
        })
    }

    /// The prompt tokens of `messages`, ending with the assistant's turn opened.
    pub(crate) fn render(&self, messages: &[ChatMessage], tokenizer: &Tokenizer) -> Vec<u32> {
        let mut tokens = Vec::new();
        let turn = |role: &str, content: &str, tokens: &mut Vec<u32>| {
            tokens.push(self.start);
            tokenizer.encode(&format!("{role}\n{content}"), tokens);
            tokens.push(self.end);
            tokenizer.encode("\n", tokens);
        };
        if let Some(system) = &self.default_system
            && messages.first().is_none_or(|message| message.role != Role::System)
        {
            turn("system", system, &mut tokens);
        }
        for message in messages {
            turn(role_name(message.role), &message.content, &mut tokens);
        }
        tokens.push(self.start);
        tokenizer.encode("assistant\n", &mut tokens);
        tokens
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
    }
}

//! A client for OpenAI-compatible chat-completions servers: vLLM, Ollama, llama.cpp's server,
//! Mistral, Azure OpenAI, or `loket model serve`.
//!
//! It always asks for a stream (`"stream": true`) and reads the server-sent events as they come;
//! a server that answers with one JSON body instead is read too. Before the first token, a failed
//! connection, a 429 or a 5xx answer, or a first token that does not come within
//! `first_token_timeout` is retried with exponential backoff (doubling from `retry_base`), as long
//! as the deadline allows. Once text has arrived nothing is retried: the stream ends with an error
//! and the caller falls back to the approved answer. The prompt is sent; nothing of it is logged.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::mpsc;
use tracing::{debug, warn};

use super::model::{AnswerModel, Finish, ModelError, ModelEvent, ModelRequest, ModelStream};

/// Bytes of one server-sent event line that are accepted; a longer line is malformed.
const MAX_EVENT_LINE_BYTES: usize = 256 * 1024;
/// Bytes of a non-streamed JSON answer that are accepted.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Where and how to reach the server.
#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    /// The API root, such as `http://127.0.0.1:8080/v1` (`/chat/completions` is appended).
    pub base_url: String,
    /// The model name sent with each request.
    pub model: String,
    /// The API key, if the server needs one.
    pub api_key: Option<String>,
    /// Azure OpenAI's `api-version`; with it the key goes in the `api-key` header.
    pub api_version: Option<String>,
    /// Further attempts after a failure before the first token.
    pub retries: u32,
    /// Wait before the first retry.
    pub retry_base: Duration,
}

/// An OpenAI-compatible chat-completions server.
#[derive(Clone)]
pub struct OpenAiModel {
    settings: OpenAiSettings,
    client: reqwest::Client,
}

impl std::fmt::Debug for OpenAiModel {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("OpenAiModel")
            .field("base_url", &self.settings.base_url)
            .field("model", &self.settings.model)
            .finish_non_exhaustive()
    }
}

impl OpenAiModel {
    /// A client for `settings`.
    pub fn new(settings: OpenAiSettings) -> Result<Self, ModelError> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|error| ModelError::Unavailable(error.to_string()))?;
        Ok(Self { settings, client })
    }

    fn endpoint(&self) -> String {
        let root = self.settings.base_url.trim_end_matches('/');
        match &self.settings.api_version {
            Some(version) => format!("{root}/chat/completions?api-version={version}"),
            None => format!("{root}/chat/completions"),
        }
    }

    fn body(&self, request: &ModelRequest) -> Value {
        let messages: Vec<Value> = request
            .messages
            .iter()
            .map(|message| json!({ "role": message.role.as_str(), "content": message.content }))
            .collect();
        json!({
            "model": self.settings.model,
            "messages": messages,
            "max_tokens": request.max_tokens,
            "temperature": 0,
            "stream": true,
        })
    }
}

impl AnswerModel for OpenAiModel {
    fn name(&self) -> &str {
        &self.settings.model
    }

    fn start(&self, request: ModelRequest) -> ModelStream {
        let (sender, receiver) = mpsc::channel(64);
        let model = self.clone();
        tokio::spawn(async move {
            let outcome = model.run(&request, &sender).await;
            if let Err(error) = outcome {
                debug!(code = error.code(), "model request ended without an answer");
                let _ = sender.send(Err(error)).await;
            }
        });
        receiver
    }
}

/// What one attempt achieved.
enum Attempt {
    /// The answer was streamed to the end.
    Done,
    /// Failed before any text was sent: may be retried.
    Retry(ModelError),
}

impl OpenAiModel {
    async fn run(
        &self,
        request: &ModelRequest,
        sender: &mpsc::Sender<Result<ModelEvent, ModelError>>,
    ) -> Result<(), ModelError> {
        let mut wait = self.settings.retry_base;
        let mut last = ModelError::Unavailable("no attempt was made".into());
        for attempt in 0..=self.settings.retries {
            if attempt > 0 {
                if Instant::now() + wait >= request.deadline {
                    break;
                }
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2);
            }
            match self.attempt(request, sender).await? {
                Attempt::Done => return Ok(()),
                Attempt::Retry(error) => {
                    warn!(code = error.code(), attempt, "model attempt failed");
                    last = error;
                }
            }
        }
        Err(last)
    }

    /// One request. `Err` ends the answer (text was already sent, or the deadline passed);
    /// `Ok(Retry)` may be tried again.
    async fn attempt(
        &self,
        request: &ModelRequest,
        sender: &mpsc::Sender<Result<ModelEvent, ModelError>>,
    ) -> Result<Attempt, ModelError> {
        let remaining = request.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(ModelError::Timeout);
        }
        let first_wait = request.first_token_timeout.min(remaining);
        let mut call = self
            .client
            .post(self.endpoint())
            .timeout(remaining)
            .header("Accept", "text/event-stream")
            .json(&self.body(request));
        match (&self.settings.api_key, &self.settings.api_version) {
            (Some(key), Some(_)) => call = call.header("api-key", key),
            (Some(key), None) => call = call.bearer_auth(key),
            (None, _) => {}
        }
        let response = match tokio::time::timeout(first_wait, call.send()).await {
            Err(_) => return Ok(Attempt::Retry(ModelError::Timeout)),
            Ok(Err(error)) if error.is_timeout() => return Ok(Attempt::Retry(ModelError::Timeout)),
            Ok(Err(error)) => return Ok(Attempt::Retry(ModelError::Unavailable(connection_error(&error)))),
            Ok(Ok(response)) => response,
        };
        let status = response.status();
        if status.as_u16() == 429 || status.is_server_error() {
            return Ok(Attempt::Retry(ModelError::Unavailable(format!(
                "status {}",
                status.as_u16()
            ))));
        }
        if !status.is_success() {
            return Err(ModelError::Unavailable(format!("status {}", status.as_u16())));
        }
        let streamed = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/event-stream"));
        let started = Instant::now();
        if !streamed {
            let body = read_limited(response, MAX_BODY_BYTES, request.deadline).await?;
            let value: Value =
                serde_json::from_slice(&body).map_err(|_| ModelError::Malformed("the body is not JSON".into()))?;
            let (text, finish) = whole_answer(&value)?;
            if !text.is_empty() {
                send(sender, ModelEvent::Text(text)).await?;
            }
            send(sender, ModelEvent::Done(finish)).await?;
            return Ok(Attempt::Done);
        }
        let mut stream = response;
        let mut lines = LineBuffer::default();
        let mut sent_text = false;
        loop {
            let deadline = if sent_text {
                request.deadline
            } else {
                (started + first_wait).min(request.deadline)
            };
            let chunk = match tokio::time::timeout_at(deadline.into(), stream.chunk()).await {
                Err(_) if !sent_text => return Ok(Attempt::Retry(ModelError::Timeout)),
                Err(_) => return Err(ModelError::Timeout),
                Ok(Err(error)) if !sent_text => {
                    return Ok(Attempt::Retry(ModelError::Unavailable(connection_error(&error))));
                }
                Ok(Err(_)) => return Err(ModelError::Malformed("the stream broke off".into())),
                Ok(Ok(None)) => return Err(ModelError::Malformed("the stream ended without a finish".into())),
                Ok(Ok(Some(chunk))) => chunk,
            };
            for line in lines.push(&chunk)? {
                match parse_event_line(&line)? {
                    StreamLine::Ignore => {}
                    StreamLine::Text(text) => {
                        if !text.is_empty() {
                            sent_text = true;
                            send(sender, ModelEvent::Text(text)).await?;
                        }
                    }
                    StreamLine::Finish(finish) => {
                        send(sender, ModelEvent::Done(finish)).await?;
                        return Ok(Attempt::Done);
                    }
                    StreamLine::TextAndFinish(text, finish) => {
                        if !text.is_empty() {
                            send(sender, ModelEvent::Text(text)).await?;
                        }
                        send(sender, ModelEvent::Done(finish)).await?;
                        return Ok(Attempt::Done);
                    }
                }
            }
        }
    }
}

/// A connection error without the URL (it may carry credentials).
fn connection_error(error: &reqwest::Error) -> String {
    if error.is_connect() {
        "connection failed".into()
    } else if error.is_timeout() {
        "timed out".into()
    } else {
        "request failed".into()
    }
}

async fn send(sender: &mpsc::Sender<Result<ModelEvent, ModelError>>, event: ModelEvent) -> Result<(), ModelError> {
    // The reader went away (the turn was cancelled): stop quietly.
    sender
        .send(Ok(event))
        .await
        .map_err(|_| ModelError::Unavailable("the answer is no longer wanted".into()))
}

async fn read_limited(mut response: reqwest::Response, limit: usize, deadline: Instant) -> Result<Vec<u8>, ModelError> {
    let mut body = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline.into(), response.chunk()).await {
            Err(_) => return Err(ModelError::Timeout),
            Ok(Err(_)) => return Err(ModelError::Malformed("the body broke off".into())),
            Ok(Ok(None)) => return Ok(body),
            Ok(Ok(Some(chunk))) => {
                if body.len() + chunk.len() > limit {
                    return Err(ModelError::Malformed("the body is too large".into()));
                }
                body.extend_from_slice(&chunk);
            }
        }
    }
}

/// Splits a byte stream into lines, keeping an unfinished line for the next chunk.
#[derive(Default)]
struct LineBuffer {
    pending: Vec<u8>,
}

impl LineBuffer {
    fn push(&mut self, chunk: &[u8]) -> Result<Vec<String>, ModelError> {
        self.pending.extend_from_slice(chunk);
        let mut lines = Vec::new();
        while let Some(end) = self.pending.iter().position(|byte| *byte == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8(line).map_err(|_| ModelError::Malformed("a line is not UTF-8".into()))?;
            lines.push(line.trim_end_matches(['\n', '\r']).to_string());
        }
        if self.pending.len() > MAX_EVENT_LINE_BYTES {
            return Err(ModelError::Malformed("an event line is too long".into()));
        }
        Ok(lines)
    }
}

/// What one line of the event stream says.
#[derive(Debug, PartialEq)]
enum StreamLine {
    Ignore,
    Text(String),
    Finish(Finish),
    TextAndFinish(String, Finish),
}

fn parse_event_line(line: &str) -> Result<StreamLine, ModelError> {
    let Some(data) = line.strip_prefix("data:") else {
        // Comments, `event:` and `id:` lines and the blank lines between events.
        return Ok(StreamLine::Ignore);
    };
    let data = data.trim();
    if data == "[DONE]" {
        return Ok(StreamLine::Finish(Finish::Stop));
    }
    let value: Value = serde_json::from_str(data).map_err(|_| ModelError::Malformed("an event is not JSON".into()))?;
    if value.get("error").is_some() {
        return Err(ModelError::Unavailable(
            "the server reported an error in the stream".into(),
        ));
    }
    let Some(choice) = value
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|choices| choices.first())
    else {
        // Usage-only chunks and keep-alives carry no choice.
        return Ok(StreamLine::Ignore);
    };
    let text = content(choice.get("delta").unwrap_or(&Value::Null))?;
    match finish_reason(choice)? {
        Some(finish) => Ok(StreamLine::TextAndFinish(text, finish)),
        None => Ok(StreamLine::Text(text)),
    }
}

/// The text of a streamed delta or a whole message; a non-empty `refusal` is [`ModelError::Refused`].
fn content(part: &Value) -> Result<String, ModelError> {
    if part
        .get("refusal")
        .and_then(Value::as_str)
        .is_some_and(|refusal| !refusal.is_empty())
    {
        return Err(ModelError::Refused);
    }
    Ok(part.get("content").and_then(Value::as_str).unwrap_or("").to_string())
}

fn finish_reason(choice: &Value) -> Result<Option<Finish>, ModelError> {
    match choice.get("finish_reason").and_then(Value::as_str) {
        None => Ok(None),
        Some("length") => Ok(Some(Finish::Length)),
        Some("content_filter") => Err(ModelError::Refused),
        Some(_) => Ok(Some(Finish::Stop)),
    }
}

fn whole_answer(value: &Value) -> Result<(String, Finish), ModelError> {
    let choice = value
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|choices| choices.first())
        .ok_or_else(|| ModelError::Malformed("no choices".into()))?;
    let message = choice
        .get("message")
        .ok_or_else(|| ModelError::Malformed("no message".into()))?;
    let text = content(message)?;
    let finish = finish_reason(choice)?.unwrap_or(Finish::Stop);
    Ok((text, finish))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_lines_are_read_as_the_api_describes() {
        assert_eq!(parse_event_line(": keep-alive").unwrap(), StreamLine::Ignore);
        assert_eq!(parse_event_line("").unwrap(), StreamLine::Ignore);
        assert_eq!(
            parse_event_line(r#"data: {"choices":[{"delta":{"content":"Hoi"},"finish_reason":null}]}"#).unwrap(),
            StreamLine::Text("Hoi".into())
        );
        assert_eq!(
            parse_event_line(r#"data: {"choices":[{"delta":{},"finish_reason":"length"}]}"#).unwrap(),
            StreamLine::TextAndFinish(String::new(), Finish::Length)
        );
        assert_eq!(
            parse_event_line("data: [DONE]").unwrap(),
            StreamLine::Finish(Finish::Stop)
        );
        assert_eq!(parse_event_line(r#"data: {"usage":{}}"#).unwrap(), StreamLine::Ignore);
        assert_eq!(
            parse_event_line("data: {not json").unwrap_err().code(),
            "model_malformed"
        );
        assert_eq!(
            parse_event_line(r#"data: {"choices":[{"delta":{"refusal":"no"}}]}"#).unwrap_err(),
            ModelError::Refused
        );
        assert_eq!(
            parse_event_line(r#"data: {"choices":[{"delta":{},"finish_reason":"content_filter"}]}"#).unwrap_err(),
            ModelError::Refused
        );
    }

    #[test]
    fn lines_split_across_chunks_are_joined_and_overlong_lines_refused() {
        let mut buffer = LineBuffer::default();
        assert!(buffer.push(b"data: {\"a\"").unwrap().is_empty());
        assert_eq!(buffer.push(b":1}\r\n\ndata: x").unwrap(), vec!["data: {\"a\":1}", ""]);
        let mut long = LineBuffer::default();
        assert!(long.push(&vec![b'x'; MAX_EVENT_LINE_BYTES + 1]).is_err());
    }

    #[test]
    fn azure_deployments_get_their_api_version_and_key_header() {
        let settings = |base: &str, version: Option<&str>| OpenAiSettings {
            base_url: base.into(),
            model: "m".into(),
            api_key: Some("k".into()),
            api_version: version.map(str::to_string),
            retries: 0,
            retry_base: Duration::from_millis(1),
        };
        let plain = OpenAiModel::new(settings("http://127.0.0.1:8081/v1/", None)).unwrap();
        assert_eq!(plain.endpoint(), "http://127.0.0.1:8081/v1/chat/completions");
        let azure = OpenAiModel::new(settings(
            "https://shop.openai.azure.com/openai/deployments/gpt",
            Some("2024-10-21"),
        ))
        .unwrap();
        assert_eq!(
            azure.endpoint(),
            "https://shop.openai.azure.com/openai/deployments/gpt/chat/completions?api-version=2024-10-21"
        );
        assert!(
            !format!("{azure:?}").contains("\"k\""),
            "the key is not in debug output"
        );
    }

    #[test]
    fn a_whole_json_answer_is_read_too() {
        let value = json!({"choices":[{"message":{"content":"Binnen 14 dagen."},"finish_reason":"stop"}]});
        assert_eq!(whole_answer(&value).unwrap(), ("Binnen 14 dagen.".into(), Finish::Stop));
        assert!(whole_answer(&json!({"choices":[]})).is_err());
        assert_eq!(
            whole_answer(&json!({"choices":[{"message":{"content":null,"refusal":"no"}}]})).unwrap_err(),
            ModelError::Refused
        );
    }
}

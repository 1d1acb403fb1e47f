//! `loket model serve`: an OpenAI-compatible chat-completions server for a local GGUF model.
//!
//! For a company that wants the model in a separate process (its own machine, its own memory
//! limit) and for the tests, which run Loket's OpenAI client against it over loopback. It speaks
//! the subset of the API that chat clients use: `GET /v1/models` and `POST /v1/chat/completions`
//! with `messages`, `max_tokens` (or `max_completion_tokens`), `stop` and `stream`; decoding is
//! greedy, so `temperature` and `top_p` are accepted and ignored. Errors use the API's
//! `{"error":{"message","type","code"}}` shape. Nothing of a prompt or an answer is logged.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use loket_llm::{ChatMessage, Finish, GenerateOptions, LocalModel, Role};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc};
use tokio_stream::wrappers::ReceiverStream;

/// Settings of `loket model serve`.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeOptions {
    /// The GGUF file to serve.
    #[arg(long)]
    pub gguf: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub listen: String,
    /// Answers written at the same time; further requests wait for a slot.
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    /// Most tokens one answer may have, whatever the request asks.
    #[arg(long, default_value_t = 512)]
    pub max_tokens_limit: usize,
    /// Seconds a request may wait for a slot before it gets 429.
    #[arg(long, default_value_t = 30)]
    pub queue_seconds: u64,
    /// Seconds one answer may take.
    #[arg(long, default_value_t = 120)]
    pub answer_seconds: u64,
    /// Bytes of a request body.
    #[arg(long, default_value_t = 1024 * 1024)]
    pub body_bytes: usize,
}

struct Served {
    model: Arc<LocalModel>,
    slots: Arc<Semaphore>,
    options: ServeOptions,
}

/// Loads the model and serves it until interrupted.
pub fn serve(options: ServeOptions) -> anyhow::Result<()> {
    let started = Instant::now();
    let model = LocalModel::load(&options.gguf).with_context(|| format!("loading {}", options.gguf.display()))?;
    tracing::info!(
        model = model.name(),
        load_ms = started.elapsed().as_millis() as u64,
        "model loaded"
    );
    let address: SocketAddr = options
        .listen
        .parse()
        .with_context(|| format!("`{}` is not an address such as 127.0.0.1:8081", options.listen))?;
    let state = Arc::new(Served {
        model: Arc::new(model),
        slots: Arc::new(Semaphore::new(options.concurrency.max(1))),
        options: options.clone(),
    });
    let app = Router::new()
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(completions))
        .layer(DefaultBodyLimit::max(options.body_bytes))
        .with_state(state);
    let runtime = tokio::runtime::Runtime::new().context("starting the runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("listening on {address}"))?;
        println!("loket model serve: listening on http://{}", listener.local_addr()?);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("serving")
    })
}

async fn models(State(state): State<Arc<Served>>) -> Json<Value> {
    Json(json!({
        "object": "list",
        "data": [{ "id": state.model.name(), "object": "model", "owned_by": "local" }],
    }))
}

#[derive(Deserialize)]
struct CompletionRequest {
    messages: Vec<RequestMessage>,
    #[serde(default)]
    max_tokens: Option<usize>,
    #[serde(default)]
    max_completion_tokens: Option<usize>,
    #[serde(default)]
    stream: bool,
    #[serde(default)]
    stop: Option<Stop>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Stop {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct RequestMessage {
    role: String,
    #[serde(default)]
    content: Option<String>,
}

fn error(status: StatusCode, kind: &str, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "message": message, "type": kind, "code": code } })),
    )
        .into_response()
}

async fn completions(State(state): State<Arc<Served>>, body: axum::body::Bytes) -> Response {
    let request: CompletionRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "invalid_json",
                "the body must be a chat-completions request in JSON",
            );
        }
    };
    let mut messages = Vec::with_capacity(request.messages.len());
    for message in &request.messages {
        let role = match message.role.as_str() {
            "system" | "developer" => Role::System,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request_error",
                    "invalid_role",
                    "roles are system, developer, user or assistant",
                );
            }
        };
        messages.push(ChatMessage {
            role,
            content: message.content.clone().unwrap_or_default(),
        });
    }
    if messages.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "no_messages",
            "messages must not be empty",
        );
    }
    let max_tokens = request
        .max_completion_tokens
        .or(request.max_tokens)
        .unwrap_or(state.options.max_tokens_limit)
        .clamp(1, state.options.max_tokens_limit);
    let stop = match request.stop {
        None => Vec::new(),
        Some(Stop::One(stop)) => vec![stop],
        Some(Stop::Many(stops)) => stops.into_iter().take(4).collect(),
    };
    let permit = match tokio::time::timeout(
        Duration::from_secs(state.options.queue_seconds),
        state.slots.clone().acquire_owned(),
    )
    .await
    {
        Ok(Ok(permit)) => permit,
        _ => {
            return error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_error",
                "busy",
                "every slot is busy; try again",
            );
        }
    };
    let options = GenerateOptions {
        max_tokens,
        deadline: Some(Instant::now() + Duration::from_secs(state.options.answer_seconds)),
        stop,
    };
    let id = format!("chatcmpl-{}", uuid::Uuid::new_v4().simple());
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let model = state.model.clone();
    let name = model.name().to_string();
    // Pieces of text, then the end: (finish reason, prompt tokens, completion tokens) or an error.
    let (sender, mut receiver) = mpsc::channel::<Piece>(256);
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let pieces = sender.clone();
        let mut on_text = |text: &str| pieces.blocking_send(Piece::Text(text.to_string())).is_ok();
        let end = match model.generate(&messages, &options, &mut on_text) {
            Ok(generation) => Piece::End {
                finish: match generation.finish {
                    Finish::Length => "length",
                    _ => "stop",
                },
                prompt_tokens: generation.prompt_tokens,
                completion_tokens: generation.completion_tokens,
            },
            Err(loket_llm::LlmError::PromptTooLong { tokens, limit }) => {
                Piece::Failed(format!("the prompt has {tokens} tokens; the model takes {limit}"))
            }
            Err(_) => Piece::Failed("the model failed".into()),
        };
        let _ = sender.blocking_send(end);
    });
    if request.stream {
        let (events, stream) = mpsc::channel::<Result<Event, Infallible>>(256);
        tokio::spawn(async move {
            let chunk = |delta: Value, finish: Option<&str>| {
                let body = json!({
                    "id": id, "object": "chat.completion.chunk", "created": created, "model": name,
                    "choices": [{ "index": 0, "delta": delta, "finish_reason": finish }],
                });
                Ok(Event::default().data(body.to_string()))
            };
            if events.send(chunk(json!({ "role": "assistant" }), None)).await.is_err() {
                return;
            }
            while let Some(piece) = receiver.recv().await {
                let event = match piece {
                    Piece::Text(text) => chunk(json!({ "content": text }), None),
                    Piece::End { finish, .. } => {
                        let _ = events.send(chunk(json!({}), Some(finish))).await;
                        let _ = events.send(Ok(Event::default().data("[DONE]"))).await;
                        return;
                    }
                    Piece::Failed(message) => {
                        let body = json!({ "error": { "message": message, "type": "server_error", "code": "generation_failed" } });
                        let _ = events.send(Ok(Event::default().data(body.to_string()))).await;
                        return;
                    }
                };
                if events.send(event).await.is_err() {
                    // The client went away; dropping the receiver stops the generation.
                    return;
                }
            }
        });
        return Sse::new(ReceiverStream::new(stream)).into_response();
    }
    let mut text = String::new();
    while let Some(piece) = receiver.recv().await {
        match piece {
            Piece::Text(piece) => text.push_str(&piece),
            Piece::End {
                finish,
                prompt_tokens,
                completion_tokens,
            } => {
                return Json(json!({
                    "id": id, "object": "chat.completion", "created": created, "model": name,
                    "choices": [{ "index": 0, "message": { "role": "assistant", "content": text }, "finish_reason": finish }],
                    "usage": { "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                               "total_tokens": prompt_tokens + completion_tokens },
                }))
                .into_response();
            }
            Piece::Failed(message) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request_error",
                    "generation_failed",
                    &message,
                );
            }
        }
    }
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "generation_failed",
        "the model stopped without an answer",
    )
}

enum Piece {
    Text(String),
    End {
        finish: &'static str,
        prompt_tokens: usize,
        completion_tokens: usize,
    },
    Failed(String),
}

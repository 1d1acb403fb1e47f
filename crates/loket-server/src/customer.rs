//! The widget's routes: `/api/v1/conversations...` and `/api/v1/widget/config`.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use loket_core::{ConversationId, Locale};
use loket_service::LiveEvent;
use loket_service::customer::CallbackRequest;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use utoipa::IntoParams;

use crate::dto::{
    CallbackDto, ConversationCreated, ConversationDto, CreateConversation, FeedbackDto, MessageDto, MessagesDto,
    SendMessage, TicketCreatedDto, TurnDto, WidgetConfigDto, WithdrawalReceiptDto,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Bearer};
use crate::{AppState, ClientAddress};

/// Seconds between keep-alive comments on a stream.
const KEEPALIVE_SECONDS: u64 = 15;

/// `?after=SEQ`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct After {
    /// Only messages with a greater seq.
    pub after: Option<i64>,
}

/// `?locale=nl`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct LocaleQuery {
    /// `nl` or `en`.
    pub locale: Option<String>,
}

fn conversation_id(text: &str) -> Result<ConversationId, ApiError> {
    ConversationId::parse(text).map_err(|_| ApiError::not_found())
}

/// Opens a conversation; the first message is the AI disclosure (DIS-01).
#[utoipa::path(post, path = "/api/v1/conversations", tag = "customer", request_body = CreateConversation,
    responses((status = 201, body = ConversationCreated), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ApiJson(body): ApiJson<CreateConversation>,
) -> Result<Response, ApiError> {
    let locale = Locale::parse(&body.locale)
        .filter(|_| body.locale.len() <= 16)
        .ok_or_else(|| ApiError::new("invalid_locale", "locale must be nl or en"))?;
    let opened = state
        .loket
        .open_conversation(locale, &client.to_string(), body.identity.as_deref())
        .await?;
    let view = ConversationDto::from(opened.view);
    let created = ConversationCreated {
        id: view.id,
        token: opened.token,
        state: view.state,
        locale: view.locale,
        messages: view.messages,
    };
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Reads a conversation with all its messages.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = ConversationDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Bearer(token): Bearer,
) -> Result<Json<ConversationDto>, ApiError> {
    let id = conversation_id(&id)?;
    Ok(Json(state.loket.conversation_view(&id, &token, 0).await?.into()))
}

/// Sends a customer message; answers with it and every reply it caused.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")), request_body = SendMessage,
    responses((status = 200, body = TurnDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Bearer(token): Bearer,
    ApiJson(body): ApiJson<SendMessage>,
) -> Result<Json<TurnDto>, ApiError> {
    let id = conversation_id(&id)?;
    Ok(Json(
        state.loket.customer_message(&id, &token, &body.text).await?.into(),
    ))
}

/// Messages after a seq (polling fallback of the stream).
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"), After),
    responses((status = 200, body = MessagesDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(after): Query<After>,
    Bearer(token): Bearer,
) -> Result<Json<MessagesDto>, ApiError> {
    let id = conversation_id(&id)?;
    let view = state
        .loket
        .conversation_view(&id, &token, after.after.unwrap_or(0).max(0))
        .await?;
    Ok(Json(MessagesDto {
        state: view.state.as_str(),
        messages: view.messages.into_iter().map(MessageDto::from).collect(),
    }))
}

/// The customer's answer to "Klopte dit antwoord?" for the AI answer at `seq` (ACC-09): stored
/// as an audit record without text. 204; 400 `not_an_answer` when `seq` is no AI answer of this
/// conversation; 409 `feedback_given` when it was rated before.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages/{seq}/feedback", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"), ("seq" = i64, Path, description = "The answer's seq")),
    request_body = FeedbackDto,
    responses((status = 204, description = "Recorded"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn feedback(
    State(state): State<AppState>,
    Path((id, seq)): Path<(String, String)>,
    Bearer(token): Bearer,
    ApiJson(body): ApiJson<FeedbackDto>,
) -> Result<StatusCode, ApiError> {
    let id = conversation_id(&id)?;
    let seq = seq
        .parse::<i64>()
        .map_err(|_| ApiError::new("not_an_answer", "only an answer of the AI assistant can be rated"))?;
    state.loket.answer_feedback(&id, &token, seq, body.helpful).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?format=json|text` of a withdrawal receipt.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ReceiptQuery {
    /// `json` (default) or `text` (a plain-text document to keep, as a download).
    pub format: Option<String>,
}

/// The signed copy of the withdrawal or cancellation acknowledgement at `seq` (ACC-04): the
/// customer's words, the time of receipt and the acknowledgement, for the customer to keep.
/// 404 `not_found` when `seq` is not an acknowledgement of this conversation.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages/{seq}/receipt", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"), ("seq" = i64, Path, description = "The acknowledgement's seq"), ReceiptQuery),
    responses((status = 200, body = WithdrawalReceiptDto, description = "The signed receipt, as JSON or as a text file"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn withdrawal_receipt(
    State(state): State<AppState>,
    Path((id, seq)): Path<(String, String)>,
    Query(query): Query<ReceiptQuery>,
    Bearer(token): Bearer,
) -> Result<Response, ApiError> {
    let id = conversation_id(&id)?;
    let seq = seq.parse::<i64>().map_err(|_| ApiError::not_found())?;
    let receipt = state.loket.withdrawal_receipt(&id, &token, seq).await?;
    match query.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(WithdrawalReceiptDto::from(receipt)).into_response()),
        "text" => {
            let file = format!(
                "attachment; filename=\"{}-{}-{}.txt\"",
                match receipt.locale {
                    Locale::Nl => "ontvangstbevestiging",
                    Locale::En => "acknowledgement",
                },
                receipt.conversation.as_str(),
                receipt.acknowledgement_seq
            );
            Ok((
                [
                    (
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; charset=utf-8".to_string(),
                    ),
                    (axum::http::header::CONTENT_DISPOSITION, file),
                ],
                receipt.to_text(),
            )
                .into_response())
        }
        _ => Err(ApiError::new("invalid_query", "format must be json or text")),
    }
}

/// The "talk to a person" control (HUM-01): accepted in every state.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/handoff", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = TurnDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn handoff(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Bearer(token): Bearer,
) -> Result<Json<TurnDto>, ApiError> {
    let id = conversation_id(&id)?;
    Ok(Json(state.loket.request_person(&id, &token).await?.into()))
}

/// A callback or e-mail request when nobody is online (HUM-04).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/callback", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")), request_body = CallbackDto,
    responses((status = 201, body = TicketCreatedDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn callback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Bearer(token): Bearer,
    ApiJson(body): ApiJson<CallbackDto>,
) -> Result<Response, ApiError> {
    let id = conversation_id(&id)?;
    let request = CallbackRequest {
        name: body.name,
        phone: body.phone,
        email: body.email,
        preferred_time: body.preferred_time,
        note: body.note,
    };
    let (ticket_id, outcome) = state.loket.request_callback(&id, &token, request).await?;
    let turn = TurnDto::from(outcome);
    let created = TicketCreatedDto {
        ticket_id,
        state: turn.state,
        messages: turn.messages,
    };
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Live stream of new messages (`event: message`), state changes (`event: state`) and, while a
/// model writes an answer, its verified part (`event: draft`, `{"text": "..."}`; `{"text": null}`
/// withdraws it) as server-sent events; `: keepalive` comments every 15 s. Read it with `fetch` and the
/// Authorization header.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/stream", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"), After),
    responses((status = 200, description = "text/event-stream", content_type = "text/event-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn stream(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(after): Query<After>,
    Bearer(token): Bearer,
) -> Result<Response, ApiError> {
    let id = conversation_id(&id)?;
    state.loket.authorize(&id, &token).await?;
    let permit = state.streams.acquire(Some(&id))?;
    // Subscribe before catching up, so nothing stored in between is missed; duplicates are
    // dropped by seq.
    let mut live = state.loket.hub().subscribe(&id);
    // Events travel boxed: the channel allocates its first block of 32 slots when it is made,
    // and an idle stream then holds 32 pointers rather than 32 events (1 KiB less each,
    // BENCHMARKS.md "Idle streams").
    let (sender, receiver) = tokio::sync::mpsc::channel::<Box<Event>>(32);
    let loket = state.loket.clone();
    let mut shutdown = state.shutdown.clone();
    let page = loket.config().config.limits.messages_page;
    let mut last_seq = after.after.unwrap_or(0).max(0);
    tokio::spawn(async move {
        let _permit = permit;
        let catch_up = |last_seq: i64| {
            let loket = loket.clone();
            let id = id.clone();
            async move { loket.store().messages(&id, last_seq, page).await }
        };
        let Ok(initial) = catch_up(last_seq).await else { return };
        for message in initial {
            last_seq = message.seq;
            if sender.send(Box::new(message_event(message))).await.is_err() {
                return;
            }
        }
        loop {
            tokio::select! {
                _ = shutdown.changed() => return,
                received = live.recv() => match received {
                    Ok(LiveEvent::Message(message)) => {
                        if message.seq <= last_seq { continue; }
                        last_seq = message.seq;
                        let message = std::sync::Arc::unwrap_or_clone(message);
                        if sender.send(Box::new(message_event(message))).await.is_err() { return; }
                    }
                    Ok(LiveEvent::State(new_state)) => {
                        let event = Event::default().event("state").data(format!("{{\"state\":\"{}\"}}", new_state.as_str()));
                        if sender.send(Box::new(event)).await.is_err() { return; }
                    }
                    Ok(LiveEvent::Draft(text)) => {
                        let event = Event::default()
                            .event("draft")
                            .json_data(serde_json::json!({ "text": text.as_deref() }))
                            .unwrap_or_else(|_| Event::default().comment("encode"));
                        if sender.send(Box::new(event)).await.is_err() { return; }
                    }
                    Err(RecvError::Lagged(_)) => {
                        let Ok(missed) = catch_up(last_seq).await else { return };
                        for message in missed {
                            last_seq = message.seq;
                            if sender.send(Box::new(message_event(message))).await.is_err() { return; }
                        }
                    }
                    Err(RecvError::Closed) => return,
                },
                _ = sender.closed() => return,
            }
        }
    });
    let events = ReceiverStream::new(receiver).map(|event| Ok::<_, std::convert::Infallible>(*event));
    let sse = Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(KEEPALIVE_SECONDS))
            .text("keepalive"),
    );
    Ok(sse.into_response())
}

fn message_event(message: loket_core::StoredMessage) -> Event {
    let dto = MessageDto::from(message);
    Event::default()
        .event("message")
        .id(dto.seq.to_string())
        .json_data(&dto)
        .unwrap_or_else(|_| Event::default().comment("encode"))
}

/// The notice page has no script and only its own inline style (like the report page).
const NOTICE_CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/// "Over deze chat": the notice generated from the configuration, as an accessible HTML page
/// in the asked language (`?locale=nl|en`, Dutch by default), linked from the widget
/// (PRIV-02, GOV-08, GOV-10). Not part of the JSON API.
pub async fn about(State(state): State<AppState>, Query(query): Query<LocaleQuery>) -> Response {
    let locale = query.locale.as_deref().and_then(Locale::parse).unwrap_or(Locale::Nl);
    let html = loket_service::notice::chat_notice(state.loket.config(), locale).to_html();
    let mut response = (StatusCode::OK, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(locale.as_str()));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(NOTICE_CONTENT_SECURITY_POLICY),
    );
    response
}

/// Strings and contact routes for the widget, before any conversation exists.
#[utoipa::path(get, path = "/api/v1/widget/config", tag = "customer", params(LocaleQuery),
    responses((status = 200, body = WidgetConfigDto)))]
pub async fn widget_config(State(state): State<AppState>, Query(query): Query<LocaleQuery>) -> Json<WidgetConfigDto> {
    let locale = query.locale.as_deref().and_then(Locale::parse).unwrap_or(Locale::Nl);
    let valid = state.loket.config();
    let contact = &valid.config.contact;
    let pick = |map: &std::collections::BTreeMap<Locale, String>| map.get(&locale).cloned().unwrap_or_default();
    Json(WidgetConfigDto {
        company: valid.wording.company().to_string(),
        bot_name: valid.wording.bot_name(locale).to_string(),
        locale: locale.as_str(),
        contact: crate::dto::ContactDto {
            phone: contact.phone.clone(),
            phone_hours: pick(&contact.phone_hours),
            email: contact.email.clone(),
            email_response: pick(&contact.email_response),
            contact_url: contact.contact_url.clone(),
        },
        privacy_url: contact.privacy_url.clone(),
        agents_available: state.loket.config().hours.is_open(state.loket.now())
            && state.loket.agents_online_in(locale) > 0,
        theme: crate::dto::ThemeDto {
            primary: valid.config.theme.primary.clone(),
            on_primary: valid.config.theme.on_primary.clone(),
            surface: valid.config.theme.surface.clone(),
            text: valid.config.theme.text.clone(),
            link: valid.config.theme.link.clone(),
        },
    })
}

//! The console's routes: `/api/v1/agent/...`. Authenticated by the `loket_session` cookie;
//! every state-changing request also carries `X-CSRF-Token`. A customer's bearer token never
//! opens these routes, and a session cookie never opens the customer routes.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use loket_core::ConversationId;
use loket_service::StaffEvent;
use loket_service::staff::StaffContext;
use tokio::sync::broadcast::error::RecvError;
use tokio_stream::wrappers::ReceiverStream;

use crate::AppState;
use crate::dto::{
    AgentConversationDto, LoginRequest, MessageDto, QueueDto, RevealDto, RevealRequest, SendMessage, StaffDto, TurnDto,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "loket_session";

/// An authenticated staff member (any request).
pub struct Staff(pub StaffContext);

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let cookie = session_cookie(&parts.headers).ok_or_else(|| ApiError::new("not_logged_in", "log in first"))?;
        let context = state.loket.staff_session(&cookie).await.map_err(|error| match error {
            loket_service::Error::Unauthorized => ApiError::new("not_logged_in", "the session ended; log in again"),
            other => other.into(),
        })?;
        Ok(Staff(context))
    }
}

/// An authenticated staff member on a state-changing request: the CSRF token is checked.
pub struct StaffWrite(pub StaffContext);

impl FromRequestParts<AppState> for StaffWrite {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Staff(context) = Staff::from_request_parts(parts, state).await?;
        let presented = parts.headers.get("x-csrf-token").and_then(|value| value.to_str().ok());
        state
            .loket
            .check_csrf(&context, presented)
            .map_err(|_| ApiError::new("csrf_failed", "missing or wrong X-CSRF-Token header"))?;
        Ok(StaffWrite(context))
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|line| {
            line.split(';').find_map(|pair| {
                let (name, value) = pair.trim().split_once('=')?;
                (name == SESSION_COOKIE && !value.is_empty() && value.len() <= 128).then(|| value.to_string())
            })
        })
}

fn conversation_id(text: &str) -> Result<ConversationId, ApiError> {
    ConversationId::parse(text).map_err(|_| ApiError::not_found())
}

/// Logs in; sets the session cookie (HttpOnly, SameSite=Strict, Secure behind TLS).
#[utoipa::path(post, path = "/api/v1/agent/login", tag = "console", request_body = LoginRequest,
    responses((status = 200, body = StaffDto), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    if body.username.len() > 64 || body.password.len() > 1024 {
        return Err(ApiError::new("invalid_credentials", "wrong login name or password"));
    }
    let login = state
        .loket
        .login(&body.username, &body.password, &client.ip().to_string())
        .await
        .map_err(|error| match error {
            loket_service::Error::Unauthorized => ApiError::new("invalid_credentials", "wrong login name or password"),
            other => other.into(),
        })?;
    let max_age = i64::from(state.loket.config().config.auth.session_max_hours) * 3600;
    let secure = if state.loket.config().config.server.behind_tls {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
        login.cookie
    );
    let mut response = Json(StaffDto::from(&login.context)).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// Logs out and clears the cookie.
#[utoipa::path(post, path = "/api/v1/agent/logout", tag = "console", responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, StaffWrite(context): StaffWrite) -> Result<Response, ApiError> {
    state.loket.logout(&context).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("loket_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(response)
}

/// The logged-in staff member.
#[utoipa::path(get, path = "/api/v1/agent/me", tag = "console", responses((status = 200, body = StaffDto), (status = 401, body = ErrorBody)))]
pub async fn me(Staff(context): Staff) -> Json<StaffDto> {
    Json(StaffDto::from(&context))
}

/// The queue, held conversations and open tickets.
#[utoipa::path(get, path = "/api/v1/agent/queue", tag = "console", responses((status = 200, body = QueueDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn queue(State(state): State<AppState>, Staff(context): Staff) -> Result<Json<QueueDto>, ApiError> {
    Ok(Json(state.loket.queue_view(&context).await?.into()))
}

/// Claims a waiting conversation; 409 `already_claimed` when a colleague was first.
#[utoipa::path(post, path = "/api/v1/agent/conversations/{id}/claim", tag = "console", params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = AgentConversationDto), (status = 409, body = ErrorBody)))]
pub async fn claim(
    State(state): State<AppState>,
    Path(id): Path<String>,
    StaffWrite(context): StaffWrite,
) -> Result<Json<AgentConversationDto>, ApiError> {
    let id = conversation_id(&id)?;
    Ok(Json(state.loket.claim(&context, &id).await?.into()))
}

/// The whole transcript (HUM-03), personal data as placeholders.
#[utoipa::path(get, path = "/api/v1/agent/conversations/{id}", tag = "console", params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = AgentConversationDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn conversation(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Staff(context): Staff,
) -> Result<Json<AgentConversationDto>, ApiError> {
    let id = conversation_id(&id)?;
    Ok(Json(state.loket.agent_view(&context, &id).await?.into()))
}

/// The holding agent writes to the customer.
#[utoipa::path(post, path = "/api/v1/agent/conversations/{id}/messages", tag = "console", params(("id" = String, Path, description = "Conversation id")),
    request_body = SendMessage, responses((status = 200, body = TurnDto), (status = 409, body = ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    Path(id): Path<String>,
    StaffWrite(context): StaffWrite,
    ApiJson(body): ApiJson<SendMessage>,
) -> Result<Json<TurnDto>, ApiError> {
    let id = conversation_id(&id)?;
    Ok(Json(state.loket.agent_message(&context, &id, &body.text).await?.into()))
}

/// Hands the conversation back to the AI assistant (the disclosure is repeated).
#[utoipa::path(post, path = "/api/v1/agent/conversations/{id}/handback", tag = "console", params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = TurnDto), (status = 409, body = ErrorBody)))]
pub async fn hand_back(
    State(state): State<AppState>,
    Path(id): Path<String>,
    StaffWrite(context): StaffWrite,
) -> Result<Json<TurnDto>, ApiError> {
    let id = conversation_id(&id)?;
    Ok(Json(state.loket.hand_back(&context, &id).await?.into()))
}

/// Closes the conversation.
#[utoipa::path(post, path = "/api/v1/agent/conversations/{id}/close", tag = "console", params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = TurnDto), (status = 409, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<String>,
    StaffWrite(context): StaffWrite,
) -> Result<Json<TurnDto>, ApiError> {
    let id = conversation_id(&id)?;
    Ok(Json(state.loket.close(&context, &id).await?.into()))
}

/// Reveals the value behind a placeholder; every reveal is audited.
#[utoipa::path(post, path = "/api/v1/agent/conversations/{id}/reveal", tag = "console", params(("id" = String, Path, description = "Conversation id")),
    request_body = RevealRequest, responses((status = 200, body = RevealDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reveal(
    State(state): State<AppState>,
    Path(id): Path<String>,
    StaffWrite(context): StaffWrite,
    ApiJson(body): ApiJson<RevealRequest>,
) -> Result<Json<RevealDto>, ApiError> {
    let id = conversation_id(&id)?;
    if body.placeholder.len() > 64 {
        return Err(ApiError::not_found());
    }
    Ok(Json(RevealDto {
        value: state.loket.reveal(&context, &id, &body.placeholder).await?,
    }))
}

/// Live console events: `queue` (the queue object), `message` (`{"conversation_id","message"}`),
/// `state` (`{"conversation_id","state"}`). While it is open the agent counts as online.
#[utoipa::path(get, path = "/api/v1/agent/stream", tag = "console",
    responses((status = 200, description = "text/event-stream", content_type = "text/event-stream"), (status = 401, body = ErrorBody)))]
pub async fn stream(State(state): State<AppState>, Staff(context): Staff) -> Result<Response, ApiError> {
    if !context.account.role.handles_conversations() {
        return Err(ApiError::new("forbidden", "your role does not allow this"));
    }
    let permit = state.streams.acquire(None)?;
    let mut live = state.loket.hub().subscribe_staff();
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Event, std::convert::Infallible>>(64);
    let loket = state.loket.clone();
    let mut shutdown = state.shutdown.clone();
    loket.agent_connected(&context);
    tokio::spawn(async move {
        let _permit = permit;
        let queue_event = |loket: std::sync::Arc<loket_service::Loket>, context: StaffContext| async move {
            let view = loket.queue_view(&context).await.ok()?;
            let mine: Vec<String> = view
                .mine
                .iter()
                .map(|conversation| conversation.id.to_string())
                .collect();
            let dto = QueueDto::from(view);
            Some((Event::default().event("queue").json_data(&dto).ok()?, mine))
        };
        let mut watched: Vec<String> = Vec::new();
        if let Some((event, mine)) = queue_event(loket.clone(), context.clone()).await {
            watched = mine;
            if sender.send(Ok(event)).await.is_err() {
                loket.agent_disconnected(&context);
                return;
            }
        }
        loop {
            let event = tokio::select! {
                _ = shutdown.changed() => break,
                _ = sender.closed() => break,
                received = live.recv() => match received {
                    Ok(StaffEvent::QueueChanged | StaffEvent::TicketCreated) | Err(RecvError::Lagged(_)) => {
                        match queue_event(loket.clone(), context.clone()).await {
                            Some((event, mine)) => { watched = mine; Some(event) }
                            None => None,
                        }
                    }
                    Ok(StaffEvent::Message(message)) => {
                        let id = message.conversation_id.to_string();
                        if watched.contains(&id) {
                            let payload = serde_json::json!({ "conversation_id": id, "message": MessageDto::from(message) });
                            Event::default().event("message").json_data(&payload).ok()
                        } else {
                            None
                        }
                    }
                    Ok(StaffEvent::State(id, new_state)) => {
                        let payload = serde_json::json!({ "conversation_id": id.to_string(), "state": new_state.as_str() });
                        Event::default().event("state").json_data(&payload).ok()
                    }
                    Err(RecvError::Closed) => break,
                },
            };
            if let Some(event) = event
                && sender.send(Ok(event)).await.is_err()
            {
                break;
            }
        }
        loket.agent_disconnected(&context);
    });
    let sse = Sse::new(ReceiverStream::new(receiver))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)).text("keepalive"));
    Ok(sse.into_response())
}

/// Every AI disclosure shown in a conversation, from the audit log (DIS-12). Admins and auditors.
#[utoipa::path(get, path = "/api/v1/agent/conversations/{id}/disclosures", tag = "console", params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = Vec<crate::dto::DisclosureDto>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn disclosures(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Staff(context): Staff,
) -> Result<Json<Vec<crate::dto::DisclosureDto>>, ApiError> {
    let id = conversation_id(&id)?;
    let evidence = state.loket.disclosure_evidence(&context, &id).await?;
    Ok(Json(
        evidence
            .into_iter()
            .map(|item| crate::dto::DisclosureDto {
                audit_seq: item.audit_seq,
                at: item.at,
                locale: item.locale,
                template_version: item.template_version,
                channel: item.channel,
            })
            .collect(),
    ))
}

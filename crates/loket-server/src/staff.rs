//! The console's routes: `/api/v1/agent/...`. Authenticated by the `loket_session` cookie;
//! every state-changing request also carries `X-CSRF-Token`. A customer's bearer token never
//! opens these routes, and a session cookie never opens the customer routes.

use std::time::Duration;

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use loket_core::ConversationId;
use loket_service::StaffEvent;
use loket_service::staff::StaffContext;
use tokio::sync::broadcast::error::RecvError;
use tokio_stream::wrappers::ReceiverStream;

use crate::dto::{
    AgentConversationDto, LoginRequest, MessageDto, QueueDto, RecoveryCodesDto, RevealDto, RevealRequest,
    SecondFactorCode, SendMessage, StaffDto, TotpSetupDto, TurnDto,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::{AppState, ClientAddress};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "loket_session";

/// Longest second-factor input accepted (a spaced six-digit code or a dashed recovery code fit).
const MAX_CODE_BYTES: usize = 32;

/// An authenticated staff member whose session may still be limited to setting up the second
/// factor (SEC-09): only `me`, logout and the setup take this.
pub struct StaffAnySession(pub StaffContext);

impl FromRequestParts<AppState> for StaffAnySession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let cookie = session_cookie(&parts.headers).ok_or_else(|| ApiError::new("not_logged_in", "log in first"))?;
        let context = state.loket.staff_session(&cookie).await.map_err(|error| match error {
            loket_service::Error::Unauthorized => ApiError::new("not_logged_in", "the session ended; log in again"),
            other => other.into(),
        })?;
        Ok(StaffAnySession(context))
    }
}

/// [`StaffAnySession`] on a state-changing request: the CSRF token is checked.
pub struct StaffAnySessionWrite(pub StaffContext);

impl FromRequestParts<AppState> for StaffAnySessionWrite {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let StaffAnySession(context) = StaffAnySession::from_request_parts(parts, state).await?;
        check_csrf(parts, state, &context)?;
        Ok(StaffAnySessionWrite(context))
    }
}

/// An authenticated staff member (any request but the second factor's setup): a member who must
/// set up a second factor and has not gets 403 `second_factor_setup_required`.
pub struct Staff(pub StaffContext);

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let StaffAnySession(context) = StaffAnySession::from_request_parts(parts, state).await?;
        state.loket.require_full_session(&context)?;
        Ok(Staff(context))
    }
}

/// An authenticated staff member on a state-changing request: the CSRF token is checked.
pub struct StaffWrite(pub StaffContext);

impl FromRequestParts<AppState> for StaffWrite {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Staff(context) = Staff::from_request_parts(parts, state).await?;
        check_csrf(parts, state, &context)?;
        Ok(StaffWrite(context))
    }
}

fn check_csrf(parts: &Parts, state: &AppState, context: &StaffContext) -> Result<(), ApiError> {
    let presented = parts.headers.get("x-csrf-token").and_then(|value| value.to_str().ok());
    state
        .loket
        .check_csrf(context, presented)
        .map_err(|_| ApiError::new("csrf_failed", "missing or wrong X-CSRF-Token header"))
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
    ClientAddress(client): ClientAddress,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    if body.username.len() > 64 || body.password.len() > 1024 {
        return Err(ApiError::new("invalid_credentials", "wrong login name or password"));
    }
    if body.code.as_ref().is_some_and(|code| code.len() > MAX_CODE_BYTES) {
        return Err(ApiError::new(
            "invalid_second_factor",
            "a code is six digits, a recovery code ten letters and digits",
        ));
    }
    let login = state
        .loket
        .login(
            &body.username,
            &body.password,
            body.code.as_deref(),
            &client.to_string(),
        )
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
    let second_factor = state.loket.second_factor_state(&login.context.account);
    let mut response = Json(StaffDto::new(&login.context, second_factor)).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// Logs out and clears the cookie.
#[utoipa::path(post, path = "/api/v1/agent/logout", tag = "console", responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    StaffAnySessionWrite(context): StaffAnySessionWrite,
) -> Result<Response, ApiError> {
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
pub async fn me(State(state): State<AppState>, StaffAnySession(context): StaffAnySession) -> Json<StaffDto> {
    let second_factor = state.loket.second_factor_state(&context.account);
    Json(StaffDto::new(&context, second_factor))
}

/// Starts setting up an authenticator app (SEC-09): a new secret, shown once as text and as a QR
/// code. Starting again replaces one not yet confirmed; 409 `second_factor_in_use` when one is
/// set up (an admin resets it with `loket user reset-second-factor`).
#[utoipa::path(post, path = "/api/v1/agent/second-factor", tag = "console",
    responses((status = 200, body = TotpSetupDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn begin_second_factor(
    State(state): State<AppState>,
    StaffAnySessionWrite(context): StaffAnySessionWrite,
) -> Result<Json<TotpSetupDto>, ApiError> {
    let setup = state.loket.begin_second_factor(&context).await?;
    let qr_svg = qrcode::QrCode::new(setup.uri.as_bytes())
        .map_err(|_| ApiError::from(loket_service::Error::Unavailable("QR code".into())))?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(Json(TotpSetupDto {
        secret: setup.secret,
        uri: setup.uri,
        qr_svg,
    }))
}

/// Confirms the authenticator app with its current code and puts it in use; answers the ten
/// recovery codes, shown once. 401 `invalid_second_factor` for a wrong code, 409
/// `no_second_factor_pending` without a setup started.
#[utoipa::path(post, path = "/api/v1/agent/second-factor/confirm", tag = "console", request_body = SecondFactorCode,
    responses((status = 200, body = RecoveryCodesDto), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn confirm_second_factor(
    State(state): State<AppState>,
    StaffAnySessionWrite(context): StaffAnySessionWrite,
    ApiJson(body): ApiJson<SecondFactorCode>,
) -> Result<Json<RecoveryCodesDto>, ApiError> {
    if body.code.len() > MAX_CODE_BYTES {
        return Err(ApiError::new("invalid_second_factor", "a code is six digits"));
    }
    let recovery_codes = state.loket.confirm_second_factor(&context, &body.code).await?;
    Ok(Json(RecoveryCodesDto { recovery_codes }))
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

//! Data-subject rights and evidence over HTTP (GDPR art. 15, 17, 20; RET-03, RET-07; SEC-09).
//!
//! Customers export or erase their own conversation with its bearer token. Admins export or
//! erase by conversation id or by the customer identifier of the company's login; the identifier
//! travels in a POST body, never in a URL, so it does not end up in access logs. Admins also place
//! legal holds and start a retention run; admins and auditors read a conversation's retention
//! status and read and verify the signed audit checkpoints. The register of data subjects'
//! requests (GDPR art. 12(3)) is kept here too: admins register a request, record the extension
//! told and the answer; admins and auditors read it with each request's deadline and standing.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use loket_core::ConversationId;
use loket_core::staff::Role;
use loket_service::rights_request::{Change, Outcome, right_named};
use loket_service::subject::{Subject, SubjectExport, export_html};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Bearer};
use crate::staff::{Staff, StaffWrite};

/// `?format=json|html`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct FormatQuery {
    /// `json` (default) or `html` (a readable page).
    pub format: Option<String>,
}

/// Whose data: exactly one of the two.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectRequest {
    /// A conversation id.
    pub conversation_id: Option<String>,
    /// The customer identifier used by the company's login (the `sub` of its identity tokens).
    pub customer: Option<String>,
    /// `json` (default) or `html`; only for exports.
    pub format: Option<String>,
}

/// Places or lifts a legal hold.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalHoldRequest {
    /// True to place the hold, false to lift it.
    pub hold: bool,
}

/// Tags a conversation as kept for a statutory ground, or removes the tag.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatutoryRetentionRequest {
    /// A ground of `retention.statutory` (`mifid_ii`), or null for the ordinary periods.
    pub ground: Option<String>,
}

/// Registers a data subject's request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RightsRequestBody {
    /// The company's reference for the request (1 to 64 letters, digits, `-`, `_`, `.`); who
    /// asked stays in the company's case file under it.
    pub reference: String,
    /// `access`, `rectification`, `erasure`, `restriction`, `portability` or `objection`.
    pub right: String,
    /// When the request reached the company (RFC 3339); now when absent.
    pub received_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Conversations concerned, if known.
    #[serde(default)]
    pub conversation_ids: Vec<String>,
}

/// How a request was answered.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RightsAnswerBody {
    /// `fulfilled`, `partly_fulfilled` or `refused`.
    pub outcome: String,
}

fn conversation_id(text: &str) -> Result<ConversationId, ApiError> {
    ConversationId::parse(text).map_err(|_| ApiError::not_found())
}

fn subject(request: &SubjectRequest) -> Result<Subject, ApiError> {
    match (&request.conversation_id, &request.customer) {
        (Some(id), None) => {
            Ok(Subject::Conversation(ConversationId::parse(id).map_err(|_| {
                ApiError::new("invalid_subject", "conversation_id is not valid")
            })?))
        }
        (None, Some(customer)) if !customer.trim().is_empty() && customer.chars().count() <= 200 => {
            Ok(Subject::Customer(customer.trim().to_string()))
        }
        _ => Err(ApiError::new(
            "invalid_subject",
            "give either conversation_id or customer (at most 200 characters)",
        )),
    }
}

fn export_response(export: &SubjectExport, format: Option<&str>) -> Result<Response, ApiError> {
    match format.unwrap_or("json") {
        "json" => Ok(Json(export).into_response()),
        "html" => Ok((
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "inline"),
            ],
            export_html(export),
        )
            .into_response()),
        _ => Err(ApiError::new("invalid_query", "format must be json or html")),
    }
}

/// The customer's own data (GDPR art. 15 and 20): their conversation, or all conversations of
/// the customer when the company's login identified them.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/export", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"), FormatQuery),
    responses((status = 200, description = "Everything held, as JSON or an HTML page"), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn export_own(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<FormatQuery>,
    Bearer(token): Bearer,
) -> Result<Response, ApiError> {
    let id = conversation_id(&id)?;
    let export = state.loket.export_own(&id, &token).await?;
    export_response(&export, query.format.as_deref())
}

/// Erases the customer's own conversation (GDPR art. 17) and returns a signed deletion
/// certificate.
#[utoipa::path(delete, path = "/api/v1/conversations/{id}", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, description = "Deletion certificate"), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn erase_own(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Bearer(token): Bearer,
) -> Result<Response, ApiError> {
    let id = conversation_id(&id)?;
    let certificate = state.loket.erase_own(&id, &token).await?;
    Ok(Json(certificate).into_response())
}

/// Exports everything held about a conversation or an identified customer (admin).
#[utoipa::path(post, path = "/api/v1/admin/subjects/export", tag = "admin", request_body = SubjectRequest,
    responses((status = 200, description = "Everything held, as JSON or an HTML page"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export_subject(
    State(state): State<AppState>,
    StaffWrite(context): StaffWrite,
    ApiJson(body): ApiJson<SubjectRequest>,
) -> Result<Response, ApiError> {
    let subject = subject(&body)?;
    let export = state.loket.export_subject(&context, &subject).await?;
    export_response(&export, body.format.as_deref())
}

/// Erases everything held about a conversation or an identified customer (admin) and returns
/// a signed deletion certificate.
#[utoipa::path(post, path = "/api/v1/admin/subjects/erase", tag = "admin", request_body = SubjectRequest,
    responses((status = 200, description = "Deletion certificate"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn erase_subject(
    State(state): State<AppState>,
    StaffWrite(context): StaffWrite,
    ApiJson(body): ApiJson<SubjectRequest>,
) -> Result<Response, ApiError> {
    let subject = subject(&body)?;
    let certificate = state.loket.erase_subject(&context, &subject).await?;
    Ok(Json(certificate).into_response())
}

/// How long a conversation is kept and what keeps it (admins and auditors): legal hold,
/// statutory ground, the deletion dates, and the grounds an admin can tag it with. No content.
#[utoipa::path(get, path = "/api/v1/admin/conversations/{id}", tag = "admin",
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, description = "Retention status"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn retention_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Staff(context): Staff,
) -> Result<Response, ApiError> {
    let id = conversation_id(&id)?;
    Ok(Json(state.loket.retention_status(&context, &id).await?).into_response())
}

/// The retention status of every conversation of a conversation id or of a customer the
/// company's login identified (admin; the identifier travels in the body, never in a URL).
#[utoipa::path(post, path = "/api/v1/admin/subjects/retention", tag = "admin", request_body = SubjectRequest,
    responses((status = 200, description = "`{\"conversations\": [retention status, ...]}`, oldest first"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn subject_retention(
    State(state): State<AppState>,
    StaffWrite(context): StaffWrite,
    ApiJson(body): ApiJson<SubjectRequest>,
) -> Result<Response, ApiError> {
    let subject = subject(&body)?;
    let conversations = state.loket.subject_retention(&context, &subject).await?;
    Ok(Json(serde_json::json!({ "conversations": conversations })).into_response())
}

/// Places or lifts a legal hold on a conversation (admin, RET-03).
#[utoipa::path(post, path = "/api/v1/admin/conversations/{id}/legal-hold", tag = "admin",
    params(("id" = String, Path, description = "Conversation id")), request_body = LegalHoldRequest,
    responses((status = 204, description = "Done"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn legal_hold(
    State(state): State<AppState>,
    Path(id): Path<String>,
    StaffWrite(context): StaffWrite,
    ApiJson(body): ApiJson<LegalHoldRequest>,
) -> Result<StatusCode, ApiError> {
    let id = conversation_id(&id)?;
    state.loket.set_legal_hold(Some(&context), &id, body.hold).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Tags a conversation as kept for a statutory ground of `retention.statutory`, or removes the tag
/// (admin, RET-03, FIN-06).
#[utoipa::path(post, path = "/api/v1/admin/conversations/{id}/statutory-retention", tag = "admin",
    params(("id" = String, Path, description = "Conversation id")), request_body = StatutoryRetentionRequest,
    responses((status = 204, description = "Done"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn statutory_retention(
    State(state): State<AppState>,
    Path(id): Path<String>,
    StaffWrite(context): StaffWrite,
    ApiJson(body): ApiJson<StatutoryRetentionRequest>,
) -> Result<StatusCode, ApiError> {
    let id = conversation_id(&id)?;
    state
        .loket
        .set_statutory_ground(Some(&context), &id, body.ground.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs retention now (admin, RET-02); returns what was removed per store.
#[utoipa::path(post, path = "/api/v1/admin/retention/run", tag = "admin",
    responses((status = 200, description = "Records removed per store"), (status = 403, body = ErrorBody)))]
pub async fn run_retention(
    State(state): State<AppState>,
    StaffWrite(context): StaffWrite,
) -> Result<Response, ApiError> {
    if context.account.role != Role::Admin {
        return Err(ApiError::new("forbidden", "only admins start a retention run"));
    }
    let report = state
        .loket
        .run_retention(&format!("agent:{}", context.account.id))
        .await?;
    Ok(Json(report).into_response())
}

/// The signed audit checkpoints with the public key (admins and auditors, SEC-09).
#[utoipa::path(get, path = "/api/v1/admin/audit/checkpoints", tag = "admin",
    responses((status = 200, description = "Public key, anchor and checkpoints"), (status = 403, body = ErrorBody)))]
pub async fn checkpoints(State(state): State<AppState>, Staff(context): Staff) -> Result<Response, ApiError> {
    require_evidence_role(context.account.role)?;
    Ok(Json(state.loket.export_checkpoints().await?).into_response())
}

/// Verifies the audit chain and the checkpoints (admins and auditors).
#[utoipa::path(get, path = "/api/v1/admin/audit/verify", tag = "admin",
    responses((status = 200, description = "Records checked and the first problem, if any"), (status = 403, body = ErrorBody)))]
pub async fn verify(State(state): State<AppState>, Staff(context): Staff) -> Result<Response, ApiError> {
    require_evidence_role(context.account.role)?;
    Ok(Json(state.loket.verify_audit().await?).into_response())
}

fn require_evidence_role(role: Role) -> Result<(), ApiError> {
    if matches!(role, Role::Admin | Role::Auditor) {
        Ok(())
    } else {
        Err(ApiError::new(
            "forbidden",
            "only admins and auditors read the audit evidence",
        ))
    }
}

/// The register of data subjects' requests with each one's deadline and standing (admins and
/// auditors; GDPR art. 12(3)). Open requests first, the nearest deadline first.
#[utoipa::path(get, path = "/api/v1/admin/rights-requests", tag = "admin",
    responses((status = 200, description = "`{generated_at, open, late, requests: [...]}`"), (status = 403, body = ErrorBody)))]
pub async fn rights_requests(State(state): State<AppState>, Staff(context): Staff) -> Result<Response, ApiError> {
    Ok(Json(state.loket.rights_requests(&context).await?).into_response())
}

/// Registers a data subject's request under the company's reference (admin). Its deadline is one
/// month after receipt.
#[utoipa::path(post, path = "/api/v1/admin/rights-requests", tag = "admin", request_body = RightsRequestBody,
    responses((status = 201, description = "The registered request with its deadline"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn register_rights_request(
    State(state): State<AppState>,
    StaffWrite(context): StaffWrite,
    ApiJson(body): ApiJson<RightsRequestBody>,
) -> Result<Response, ApiError> {
    let right = right_named(&body.right)?;
    let conversations = body
        .conversation_ids
        .iter()
        .map(|id| {
            ConversationId::parse(id.trim())
                .map_err(|_| ApiError::new("invalid_conversation_id", "a conversation id is not valid"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let change = Change::Register {
        right,
        received_at: body.received_at,
        conversations,
    };
    let request = state
        .loket
        .record_rights_request(Some(&context), &body.reference, change)
        .await?;
    Ok((StatusCode::CREATED, Json(request)).into_response())
}

/// Records that the person was told, now, that the deadline is extended by two months with the
/// reasons (admin). Only within the first month, once, before the answer.
#[utoipa::path(post, path = "/api/v1/admin/rights-requests/{reference}/extend", tag = "admin",
    params(("reference" = String, Path, description = "The company's reference")),
    responses((status = 200, description = "The request with its new deadline"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn extend_rights_request(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    StaffWrite(context): StaffWrite,
) -> Result<Response, ApiError> {
    let request = state
        .loket
        .record_rights_request(Some(&context), &reference, Change::Extend)
        .await?;
    Ok(Json(request).into_response())
}

/// Records that the request was answered, now, and how (admin).
#[utoipa::path(post, path = "/api/v1/admin/rights-requests/{reference}/answer", tag = "admin",
    params(("reference" = String, Path, description = "The company's reference")), request_body = RightsAnswerBody,
    responses((status = 200, description = "The answered request and whether it was in time"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn answer_rights_request(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    StaffWrite(context): StaffWrite,
    ApiJson(body): ApiJson<RightsAnswerBody>,
) -> Result<Response, ApiError> {
    let outcome = Outcome::named(&body.outcome)?;
    let request = state
        .loket
        .record_rights_request(Some(&context), &reference, Change::Answer(outcome))
        .await?;
    Ok(Json(request).into_response())
}

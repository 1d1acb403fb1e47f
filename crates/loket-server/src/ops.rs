//! Operations: health, readiness, Prometheus metrics, the OpenAPI document.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

use crate::AppState;
use crate::dto::HealthDto;
use crate::error::ApiError;

/// Liveness: the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = HealthDto)))]
pub async fn healthz() -> Json<HealthDto> {
    Json(HealthDto {
        status: "ok",
        knowledge_base: None,
    })
}

/// Readiness: the database answers and the server is not shutting down.
///
/// Reports the knowledge-base generation served, so a deployment can check that its instances
/// agree.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, body = HealthDto), (status = 503, body = crate::error::ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<HealthDto>, ApiError> {
    if *state.shutdown.borrow() {
        return Err(ApiError::new("unavailable", "shutting down"));
    }
    state
        .loket
        .store()
        .stats()
        .await
        .map_err(|_| ApiError::new("unavailable", "the database does not answer"))?;
    Ok(Json(HealthDto {
        status: "ok",
        knowledge_base: state.loket.knowledge().base().generation(),
    }))
}

/// Prometheus metrics: requests, latencies, conversations, messages by author, handover KPIs,
/// and the data subjects' requests still open per standing (`open`, `due_soon`, `overdue`), to
/// alert on a GDPR art. 12(3) deadline. Labels are routes, statuses, authors and event kinds:
/// never content.
pub async fn metrics(State(state): State<AppState>) -> Response {
    if let Ok(stats) = state.loket.store().stats().await {
        for (name, value) in [
            ("bot", stats.bot),
            ("waiting_for_agent", stats.waiting_for_agent),
            ("with_agent", stats.with_agent),
            ("closed", stats.closed),
        ] {
            metrics::gauge!("loket_conversations", "state" => name).set(value as f64);
        }
        metrics::gauge!("loket_open_tickets").set(stats.open_tickets as f64);
    }
    if let Ok(requests) = state.loket.open_rights_requests().await {
        for (standing, count) in requests {
            metrics::gauge!("loket_rights_requests_open", "standing" => standing.as_str()).set(count as f64);
        }
    }
    metrics::gauge!("loket_agents_online").set(state.loket.agents_online() as f64);
    for language in loket_core::Locale::ALL {
        metrics::gauge!("loket_agents_online_speaking", "language" => language.as_str())
            .set(state.loket.agents_online_in(language) as f64);
    }
    metrics::gauge!("loket_live_streams").set(state.streams.open() as f64);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// The OpenAPI document of this API, generated from the code.
pub async fn openapi() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        openapi_json(),
    )
        .into_response()
}

/// The document as pretty JSON, the form committed in `docs/openapi.json`.
pub fn openapi_json() -> String {
    crate::ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".into())
}

//! The one HTTP error shape, `{"code","message"}`, and the one table from code to status.
//!
//! Codes are stable: clients (the widget, the console, integrations) branch on them. A 5xx body
//! carries no internals; its cause is logged once, without content.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Every error the API returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human-readable explanation, free of content and internals.
    pub message: String,
}

/// The JSON body of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `text_too_long`.
    pub code: &'static str,
    /// Explanation for people.
    pub message: String,
}

/// Code → status: the whole table.
pub const CODES: &[(&str, u16)] = &[
    ("malformed_json", 400),
    ("invalid_utf8", 400),
    ("invalid_body", 400),
    ("invalid_locale", 400),
    ("invalid_query", 400),
    ("invalid_format", 400),
    ("invalid_days", 400),
    ("empty_text", 400),
    ("invalid_text", 400),
    ("invalid_field", 400),
    ("invalid_email", 400),
    ("contact_required", 400),
    ("weak_password", 400),
    ("invalid_name", 400),
    ("invalid_training_reference", 400),
    ("invalid_subject", 400),
    ("not_an_answer", 400),
    ("unknown_statutory_ground", 400),
    ("invalid_reference", 400),
    ("invalid_right", 400),
    ("invalid_outcome", 400),
    ("invalid_time", 400),
    ("invalid_conversation_id", 400),
    ("too_many_conversations", 400),
    ("missing_token", 401),
    ("invalid_token", 401),
    ("invalid_credentials", 401),
    ("invalid_import", 400),
    ("nothing_imported", 422),
    ("second_factor_required", 401),
    ("invalid_second_factor", 401),
    ("not_logged_in", 401),
    ("identity_invalid", 401),
    ("forbidden", 403),
    ("csrf_failed", 403),
    ("second_factor_setup_required", 403),
    ("not_found", 404),
    ("unknown_subject", 404),
    ("method_not_allowed", 405),
    ("request_timeout", 408),
    ("already_claimed", 409),
    ("second_factor_in_use", 409),
    ("no_second_factor_pending", 409),
    ("not_assigned", 409),
    ("conflict", 409),
    ("staff_exists", 409),
    ("legal_hold", 409),
    ("statutory_retention", 409),
    ("feedback_given", 409),
    ("reference_taken", 409),
    ("already_extended", 409),
    ("extension_too_late", 409),
    ("already_answered", 409),
    ("payload_too_large", 413),
    ("text_too_long", 413),
    ("unsupported_media_type", 415),
    ("rate_limited", 429),
    ("too_many_streams", 429),
    ("internal", 500),
    ("guard_unavailable", 503),
    ("unavailable", 503),
];

impl ApiError {
    /// An error with a code from [`CODES`].
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The status of this error's code; unknown codes are a bug and answer 500.
    pub fn status(&self) -> StatusCode {
        CODES
            .iter()
            .find(|(code, _)| *code == self.code)
            .and_then(|(_, status)| StatusCode::from_u16(*status).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// 404 for an unknown conversation or resource.
    pub fn not_found() -> Self {
        Self::new("not_found", "no such resource")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (
            status,
            Json(ErrorBody {
                code: self.code,
                message: self.message,
            }),
        )
            .into_response();
        if status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        }
        // A database or guard that is briefly unavailable: nothing was stored, try again soon.
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

impl From<loket_service::Error> for ApiError {
    fn from(error: loket_service::Error) -> Self {
        use loket_service::Error;
        match error {
            Error::NotFound => ApiError::not_found(),
            Error::Unauthorized => ApiError::new("invalid_token", "the token does not open this conversation"),
            Error::Forbidden => ApiError::new("forbidden", "your role does not allow this"),
            Error::Invalid { code, message } => ApiError::new(code, message),
            Error::RateLimited => ApiError::new("rate_limited", "too many requests; wait a minute"),
            Error::Conflict { code, message } => ApiError::new(code, message),
            Error::GuardFailed => {
                tracing::error!("guard failure: message blocked");
                ApiError::new(
                    "guard_unavailable",
                    "the message could not be checked and was not stored; try again",
                )
            }
            Error::Unavailable(cause) => {
                tracing::error!(%cause, "service unavailable");
                ApiError::new(
                    "unavailable",
                    "the service is temporarily unavailable and nothing was stored; try again in a second",
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_maps_to_a_client_or_server_status() {
        let mut seen = std::collections::HashSet::new();
        for (code, status) in CODES {
            assert!(seen.insert(code), "{code} listed twice");
            assert!((400..600).contains(status));
        }
    }

    #[test]
    fn busy_and_unavailable_answers_carry_a_retry_hint() {
        let unavailable = ApiError::from(loket_service::Error::Unavailable("database down".into())).into_response();
        assert_eq!(unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(unavailable.headers()[header::RETRY_AFTER], "1");
        let limited = ApiError::new("rate_limited", "slow down").into_response();
        assert_eq!(limited.headers()[header::RETRY_AFTER], "60");
    }
}

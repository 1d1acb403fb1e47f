//! Extractors that turn every malformed request into an [`ApiError`] with a stable code, so
//! clients see one error shape whatever went wrong.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body: content type checked, size limited (by the router's body limit), UTF-8
/// checked, then parsed.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::new(
                "unsupported_media_type",
                "send the body as application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new("payload_too_large", "the request body is larger than allowed")
            } else {
                ApiError::new("invalid_body", "the request body could not be read")
            }
        })?;
        let text =
            std::str::from_utf8(&bytes).map_err(|_| ApiError::new("invalid_utf8", "the body is not valid UTF-8"))?;
        serde_json::from_str(text).map(ApiJson).map_err(|error| {
            if error.is_data() {
                ApiError::new(
                    "invalid_body",
                    format!("the body does not have the expected fields ({})", field_hint(&error)),
                )
            } else {
                ApiError::new("malformed_json", "the body is not valid JSON")
            }
        })
    }
}

/// The structural part of a serde error (which field, what type) without echoing input.
fn field_hint(error: &serde_json::Error) -> String {
    let text = error.to_string();
    // serde_json's data errors name fields and types; they never quote string values except for
    // unknown variants, which are enum names from our own schema.
    text.split(" at line")
        .next()
        .unwrap_or("invalid value")
        .chars()
        .take(120)
        .collect()
}

/// The bearer token of a customer request.
#[derive(Debug, Clone)]
pub struct Bearer(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| ApiError::new("missing_token", "send the conversation token as Authorization: Bearer"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty() && token.len() <= 128)
            .ok_or_else(|| ApiError::new("missing_token", "send the conversation token as Authorization: Bearer"))?;
        Ok(Bearer(token.to_string()))
    }
}

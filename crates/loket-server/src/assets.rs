//! The web assets (widget, demo page, agent console), embedded in the binary at build time.

use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::ApiError;

/// Everything under `web/` except its tests.
#[derive(RustEmbed)]
#[folder = "../../web/"]
#[exclude = "test/*"]
#[exclude = "node_modules/*"]
struct WebAssets;

/// The content security policy of Loket's own pages: nothing from elsewhere, no inline script.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
     frame-ancestors 'self'; base-uri 'none'; form-action 'self'";

/// Serves an embedded file for `uri`: `/` is the demo shop, `/console/` the agent console,
/// other paths are looked up as given and then under `demo/`.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let candidates: Vec<String> = match path {
        "" => vec!["demo/index.html".into()],
        "console" | "console/" => vec!["console/index.html".into()],
        other if other.starts_with("api/") => Vec::new(),
        other => vec![other.to_string(), format!("demo/{other}")],
    };
    for candidate in candidates {
        if candidate
            .split('/')
            .any(|segment| segment == ".." || segment.is_empty())
        {
            continue;
        }
        if let Some(file) = WebAssets::get(&candidate) {
            let mime = file.metadata.mimetype();
            let mut response = (StatusCode::OK, file.data.into_owned()).into_response();
            let headers = response.headers_mut();
            if let Ok(value) = HeaderValue::from_str(mime) {
                headers.insert(header::CONTENT_TYPE, value);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            if mime.starts_with("text/html") {
                headers.insert(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(CONTENT_SECURITY_POLICY),
                );
            }
            return response;
        }
    }
    ApiError::not_found().into_response()
}

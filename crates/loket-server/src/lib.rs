//! Loket's HTTP server: routes, wire types, authentication, live streams, embedded web assets.
//!
//! Only this crate knows HTTP and JSON wire types; it translates requests into the service's
//! use cases and the service's errors into [`error::ApiError`] with stable codes.
//!
//! # Layout
//! - [`customer`]: the widget's API (`/api/v1/conversations...`), bearer-token authenticated.
//! - [`staff`]: the console's API (`/api/v1/agent/...`), cookie + CSRF authenticated.
//! - [`admin`]: evidence for admins and auditors (`/api/v1/admin/compliance-report`,
//!   `/api/v1/admin/dashboard`).
//! - [`ops`]: `/healthz`, `/readyz`, `/metrics`, `/api/v1/openapi.json`.
//! - [`assets`]: the embedded widget, demo page and console.
//! - [`dto`], [`extract`], [`error`]: wire types, extractors and the error table.

pub mod admin;
pub mod assets;
pub mod customer;
pub mod dto;
pub mod error;
pub mod extract;
pub mod ops;
pub mod rights;
pub mod staff;

use std::collections::HashMap;
use std::future::IntoFuture;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use loket_core::ConversationId;
use loket_core::proxy::TrustedProxies;
use loket_service::Loket;
use loket_service::rate::RateLimiter;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::cors::{Any, CorsLayer};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::error::ApiError;

/// The OpenAPI document, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(title = "Loket", description = "A customer-service chatbot that discloses it is an AI, always offers a person, \
        answers only from approved knowledge and protects personal data. Errors are {\"code\",\"message\"} with stable codes."),
    paths(
        customer::create, customer::read, customer::send, customer::list, customer::handoff, customer::callback,
        customer::feedback,
        customer::withdrawal_receipt,
        customer::stream, customer::widget_config,
        staff::login, staff::logout, staff::me, staff::begin_second_factor, staff::confirm_second_factor,
        staff::queue, staff::claim, staff::conversation, staff::send,
        staff::hand_back, staff::close, staff::reveal, staff::disclosures, staff::stream,
        admin::compliance_report, admin::dashboard, admin::import_knowledge,
        ops::healthz, ops::readyz,
        rights::export_own, rights::erase_own, rights::export_subject, rights::erase_subject, rights::retention_status, rights::subject_retention, rights::legal_hold, rights::statutory_retention,
        rights::run_retention, rights::checkpoints, rights::verify,
        rights::rights_requests, rights::register_rights_request, rights::extend_rights_request, rights::answer_rights_request,
    ),
    modifiers(&BearerScheme),
    tags((name = "customer", description = "The chat widget"), (name = "console", description = "The agent console"),
        (name = "operations", description = "Health and readiness"),
        (name = "admin", description = "Data-subject rights, retention and evidence"))
)]
pub struct ApiDoc;

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Shared state of every request.
#[derive(Clone)]
pub struct AppState {
    /// The application.
    pub loket: Arc<Loket>,
    /// Live-stream connection limits.
    pub streams: Arc<StreamLimits>,
    /// The Prometheus registry.
    pub metrics: PrometheusHandle,
    /// Flips to true when shutdown starts; streams end on it.
    pub shutdown: watch::Receiver<bool>,
    /// Requests per client address.
    ip_limiter: Arc<RateLimiter>,
    /// The company's reverse proxies, whose `X-Forwarded-For` names the client.
    proxies: Arc<TrustedProxies>,
}

/// The client's address: the peer, or behind a trusted proxy the client it names
/// (`server.trusted_proxies`). Every per-address limit counts by it.
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    fn of(parts_extensions: &axum::http::Extensions, headers: &HeaderMap, state: &AppState) -> Option<IpAddr> {
        let peer = parts_extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        Some(state.proxies.client(peer, &forwarded))
    }
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        ClientAddress::of(&parts.extensions, &parts.headers, state)
            .map(ClientAddress)
            .ok_or_else(|| ApiError::new("internal", "the client's address is unknown"))
    }
}

impl AppState {
    /// State for `loket`, with `shutdown` telling streams to end.
    pub fn new(loket: Arc<Loket>, shutdown: watch::Receiver<bool>) -> Self {
        let limits = &loket.config().config.limits;
        Self {
            streams: Arc::new(StreamLimits::new(
                limits.stream_connections,
                limits.streams_per_conversation,
            )),
            // A flood guard for this process's own resources, checked on every request before
            // routing: counted in memory, per instance. The limits that carry meaning for a
            // customer (conversations per address, messages per conversation, logins) are
            // counted in the store and hold across instances.
            ip_limiter: Arc::new(RateLimiter::new(
                limits.requests_per_ip_per_minute,
                chrono::Duration::minutes(1),
            )),
            metrics: metrics_handle(),
            // Validated at startup (`Config::validate`); an entry that does not parse never
            // reaches here, so the fallback (trust nobody) is the safe side, not a silent loss.
            proxies: Arc::new(TrustedProxies::parse(&loket.config().config.server.trusted_proxies).unwrap_or_default()),
            loket,
            shutdown,
        }
    }
}

/// The process-wide Prometheus recorder, installed on first use.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0, 120.0, 600.0, 1800.0,
                ])
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (for example by a test harness);
            // metrics then go there and this handle renders an empty page, never a failure.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Open streams per conversation, shared between the limits and their permits.
type StreamCounts = Arc<Mutex<HashMap<ConversationId, usize>>>;

/// Limits on live-stream connections, total and per conversation.
#[derive(Debug)]
pub struct StreamLimits {
    total: Arc<tokio::sync::Semaphore>,
    per_conversation_limit: usize,
    per_conversation: StreamCounts,
}

/// A held stream slot, released on drop.
pub struct StreamPermit {
    _total: tokio::sync::OwnedSemaphorePermit,
    conversation: Option<(ConversationId, StreamCounts)>,
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        if let Some((id, counts)) = self.conversation.take() {
            let mut counts = counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(count) = counts.get_mut(&id) {
                *count -= 1;
                if *count == 0 {
                    counts.remove(&id);
                }
            }
        }
    }
}

impl StreamLimits {
    /// Limits of `total` streams and `per_conversation` per conversation.
    pub fn new(total: usize, per_conversation: usize) -> Self {
        Self {
            total: Arc::new(tokio::sync::Semaphore::new(total)),
            per_conversation_limit: per_conversation,
            per_conversation: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Takes a slot, or refuses with 429 `too_many_streams`.
    pub fn acquire(&self, conversation: Option<&ConversationId>) -> Result<StreamPermit, ApiError> {
        let refused = || {
            ApiError::new(
                "too_many_streams",
                "too many live connections; use polling or try later",
            )
        };
        let total = self.total.clone().try_acquire_owned().map_err(|_| refused())?;
        let conversation = match conversation {
            Some(id) => {
                let mut counts = self
                    .per_conversation
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                let count = counts.entry(id.clone()).or_insert(0);
                if *count >= self.per_conversation_limit {
                    return Err(refused());
                }
                *count += 1;
                Some((id.clone(), self.per_conversation.clone()))
            }
            None => None,
        };
        Ok(StreamPermit {
            _total: total,
            conversation,
        })
    }

    /// Streams open now.
    pub fn open(&self) -> usize {
        let counts = self
            .per_conversation
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        counts.values().sum()
    }
}

/// Builds the router with every route and layer.
pub fn router(state: AppState) -> Router {
    let limits = &state.loket.config().config.limits;
    let body_limit = limits.body_bytes;
    let import_body_limit = limits.import_body_bytes;
    let timeout = Duration::from_secs(state.loket.config().config.server.request_timeout_seconds);
    // The widget may be embedded on the company's own site; the customer API allows any origin
    // but never credentials (it authenticates with a bearer token, not cookies).
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]);
    let customer_api = Router::new()
        .route("/api/v1/conversations", post(customer::create))
        .route(
            "/api/v1/conversations/{id}",
            get(customer::read).delete(rights::erase_own),
        )
        .route("/api/v1/conversations/{id}/export", get(rights::export_own))
        .route(
            "/api/v1/conversations/{id}/messages",
            post(customer::send).get(customer::list),
        )
        .route("/api/v1/conversations/{id}/handoff", post(customer::handoff))
        .route("/api/v1/conversations/{id}/callback", post(customer::callback))
        .route(
            "/api/v1/conversations/{id}/messages/{seq}/feedback",
            post(customer::feedback),
        )
        .route(
            "/api/v1/conversations/{id}/messages/{seq}/receipt",
            get(customer::withdrawal_receipt),
        )
        .route("/api/v1/widget/config", get(customer::widget_config))
        .layer(cors.clone())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ));
    let streams = Router::new()
        .route("/api/v1/conversations/{id}/stream", get(customer::stream))
        .layer(cors)
        .route("/api/v1/agent/stream", get(staff::stream));
    let console_api = Router::new()
        .route("/api/v1/agent/login", post(staff::login))
        .route("/api/v1/agent/logout", post(staff::logout))
        .route("/api/v1/agent/me", get(staff::me))
        .route("/api/v1/agent/second-factor", post(staff::begin_second_factor))
        .route(
            "/api/v1/agent/second-factor/confirm",
            post(staff::confirm_second_factor),
        )
        .route("/api/v1/agent/queue", get(staff::queue))
        .route("/api/v1/agent/conversations/{id}", get(staff::conversation))
        .route("/api/v1/agent/conversations/{id}/claim", post(staff::claim))
        .route("/api/v1/agent/conversations/{id}/messages", post(staff::send))
        .route("/api/v1/agent/conversations/{id}/handback", post(staff::hand_back))
        .route("/api/v1/agent/conversations/{id}/close", post(staff::close))
        .route("/api/v1/agent/conversations/{id}/reveal", post(staff::reveal))
        .route("/api/v1/agent/conversations/{id}/disclosures", get(staff::disclosures))
        .route("/api/v1/admin/compliance-report", get(admin::compliance_report))
        .route("/api/v1/admin/dashboard", get(admin::dashboard))
        .route(
            "/api/v1/admin/knowledge/import",
            // Files travel base64-encoded in JSON: this route alone gets the larger limit.
            post(admin::import_knowledge).layer(DefaultBodyLimit::max(import_body_limit)),
        )
        .route("/api/v1/admin/subjects/export", post(rights::export_subject))
        .route("/api/v1/admin/subjects/erase", post(rights::erase_subject))
        .route("/api/v1/admin/subjects/retention", post(rights::subject_retention))
        .route("/api/v1/admin/conversations/{id}", get(rights::retention_status))
        .route("/api/v1/admin/conversations/{id}/legal-hold", post(rights::legal_hold))
        .route(
            "/api/v1/admin/conversations/{id}/statutory-retention",
            post(rights::statutory_retention),
        )
        .route("/api/v1/admin/retention/run", post(rights::run_retention))
        .route("/api/v1/admin/audit/checkpoints", get(rights::checkpoints))
        .route("/api/v1/admin/audit/verify", get(rights::verify))
        .route(
            "/api/v1/admin/rights-requests",
            get(rights::rights_requests).post(rights::register_rights_request),
        )
        .route(
            "/api/v1/admin/rights-requests/{reference}/extend",
            post(rights::extend_rights_request),
        )
        .route(
            "/api/v1/admin/rights-requests/{reference}/answer",
            post(rights::answer_rights_request),
        )
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ));
    Router::new()
        .merge(customer_api)
        .merge(streams)
        .merge(console_api)
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/v1/openapi.json", get(ops::openapi))
        .route("/about", get(customer::about))
        .fallback(assets::serve)
        .method_not_allowed_fallback(|| async {
            ApiError::new("method_not_allowed", "this method is not allowed here")
        })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), per_ip_limit))
        .layer(middleware::from_fn(observe))
        .with_state(state)
}

/// Refuses clients over `limits.requests_per_ip_per_minute` with 429.
async fn per_ip_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let client = ClientAddress::of(request.extensions(), request.headers(), &state).map(|address| address.to_string());
    // An in-memory limiter cannot fail to count.
    if let Some(client) = client
        && let Ok(false) = state.ip_limiter.allow(&client, state.loket.now()).await
    {
        return ApiError::new("rate_limited", "too many requests from this address; wait a minute").into_response();
    }
    next.run(request).await
}

/// Request metrics and a log line per request: method, route template, status, duration.
/// Never the URI's values, the body or headers.
async fn observe(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string())
        .unwrap_or_else(|| "other".into());
    let started = Instant::now();
    let mut response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    metrics::counter!("loket_http_requests_total", "method" => method.to_string(), "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("loket_http_request_duration_seconds", "route" => route.clone()).record(elapsed.as_secs_f64());
    tracing::info!(method = %method, route = %route, status, micros = elapsed.as_micros() as u64, "request");
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// Serves until `shutdown` resolves, then stops accepting, tells streams to end, and lets
/// in-flight requests finish within the configured grace period.
pub async fn serve(
    listener: TcpListener,
    loket: Arc<Loket>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (shutdown_sender, shutdown_receiver) = watch::channel(false);
    let grace = Duration::from_secs(loket.config().config.server.shutdown_grace_seconds);
    let app = router(AppState::new(loket, shutdown_receiver));
    let (started_sender, started_receiver) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = shutdown_sender.send(true);
        let _ = started_sender.send(());
    };
    // Replies are written whole, so Nagle's algorithm only ever delays them: with it, a reply
    // written while the previous one is unacknowledged waits for the client's delayed ACK (40 ms).
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not disable Nagle's algorithm on a connection");
        }
    });
    let server = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(signal)
        .into_future();
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => return result,
        _ = started_receiver => {}
    }
    match tokio::time::timeout(grace, server).await {
        Ok(result) => result,
        Err(_) => {
            tracing::warn!(
                seconds = grace.as_secs(),
                "grace period over; closing remaining connections"
            );
            Ok(())
        }
    }
}

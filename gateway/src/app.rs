//! The gateway assembled: state, routes, middleware (request context, rate
//! limit, idempotency), and serving.

use std::{net::SocketAddr, time::Instant};

use axum::{
    Json, Router,
    extract::{FromRef, Request},
    http::HeaderValue,
    middleware::{self, Next},
    response::Response,
    routing::get,
};
use prm_kit::auth::InternalKey;
use tokio::net::TcpListener;
use tracing::Instrument;

use crate::{
    admin, auth,
    auth::Auth,
    idempotency::{self, Idempotency, IdempotencyConfig},
    identity::IdentityStore,
    kv::Kv,
    openapi,
    ratelimit::{self, RateLimitConfig, RateLimiter},
    rest,
    services::Services,
    web,
};

#[derive(Clone)]
pub struct AppState {
    pub auth: Auth,
    pub services: Services,
}

impl FromRef<AppState> for Auth {
    fn from_ref(s: &AppState) -> Auth {
        s.auth.clone()
    }
}

impl FromRef<AppState> for Services {
    fn from_ref(s: &AppState) -> Services {
        s.services.clone()
    }
}

/// Everything the gateway needs to start.
pub struct GatewaySettings {
    /// The identity store's database.
    pub database_url: String,
    /// Redis for rate limits, refresh tokens and idempotency keys; in memory without.
    pub redis_url: Option<String>,
    pub internal_key: InternalKey,
    /// Signs people's access tokens.
    pub access_token_key: Vec<u8>,
    /// gRPC URL of each service, by name (`account` → `http://…:50051`).
    pub service_urls: std::collections::BTreeMap<&'static str, String>,
    pub rate_limit: RateLimitConfig,
    /// How long a session lives after its sign-in, however often refreshed.
    pub session_max_age: std::time::Duration,
    /// Where the web portal's files come from.
    pub web: web::Assets,
}

/// Connects the stores and builds the router.
pub async fn build(s: GatewaySettings) -> anyhow::Result<(Router, AppState)> {
    let identity = IdentityStore::connect_and_migrate(&s.database_url).await?;
    let kv = match &s.redis_url {
        Some(url) => Kv::redis(url).await?,
        None => Kv::memory(),
    };
    let auth = Auth::new(&s.access_token_key, kv.clone(), identity).with_policy(auth::SessionPolicy {
        sign_in_per_account: s.rate_limit.sign_in_per_account,
        sign_in_window: s.rate_limit.sign_in_window,
        max_age: s.session_max_age,
        key_prefix: s.rate_limit.key_prefix.clone(),
    });
    let services = Services::new(s.internal_key, &s.service_urls)?;
    let state = AppState { auth: auth.clone(), services };
    let limiter = RateLimiter::new(kv.clone(), s.rate_limit, Some(auth.verifier()));
    let idem = Idempotency::new(kv, IdempotencyConfig::default(), auth.clone());
    let router = Router::new()
        .merge(auth::routes())
        .merge(admin::routes())
        .merge(rest::accounts::routes())
        .merge(rest::contacts::routes())
        .merge(rest::leads::routes())
        .merge(rest::catalogue::routes())
        .merge(rest::quotes::routes())
        .merge(rest::orders::routes())
        .merge(rest::projects::routes())
        .merge(rest::tasks::routes())
        .merge(rest::views::routes())
        .merge(rest::cases::routes())
        .merge(rest::reports::routes())
        .merge(rest::records::routes())
        .merge(rest::home::routes())
        .merge(rest::search::routes())
        .route("/api/v1/openapi.json", get(|| async { Json(openapi::document()) }))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(move |method, uri, headers| web::serve(s.web.clone(), method, uri, headers))
        .with_state(state.clone())
        .layer(axum::extract::DefaultBodyLimit::max(rest::BODY_LIMIT))
        .layer(middleware::from_fn(crate::problem::json_bodies))
        .layer(middleware::from_fn_with_state(idem, idempotency::idempotency))
        .layer(middleware::from_fn_with_state(limiter, ratelimit::rate_limit))
        .layer(middleware::from_fn(web::security_headers))
        .layer(compression())
        .layer(middleware::from_fn(request_context));
    Ok((router, state))
}

/// Answers compressed (brotli or gzip) for a client that accepts it, from 1 KiB
/// on: a board page of 80 cards goes from 72 KB of JSON to 8 KB. The portal's
/// files are precompressed and leave as they are; gRPC and event streams are
/// never compressed here.
fn compression() -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::{DefaultPredicate, Predicate, predicate::SizeAbove};
    tower_http::compression::CompressionLayer::new()
        .no_deflate()
        .no_zstd()
        .compress_when(DefaultPredicate::new().and(SizeAbove::new(1024)))
}

/// Serves until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// A request id on every request and response, the trace started (or
/// continued from `traceparent`) here, and one access-log line per request.
async fn request_context(req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let span = tracing::info_span!(
        "http",
        otel.name = %method,
        otel.kind = "server",
        http.request.method = %method,
        url.path = %path,
        request_id = %request_id,
        http.response.status_code = tracing::field::Empty,
    );
    prm_kit::telemetry::set_parent_from_headers(&span, req.headers());
    let start = Instant::now();
    let mut res = next.run(req).instrument(span.clone()).await;
    let status = res.status();
    span.record("http.response.status_code", status.as_u16());
    let latency_ms = start.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::warn!(%method, %path, status = status.as_u16(), latency_ms, "request");
        } else {
            tracing::info!(%method, %path, status = status.as_u16(), latency_ms, "request");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

//! Fixed-window rate limiting in the Kv: per authenticated user (the
//! verified `sub` of the bearer token, no database hit) or, for anonymous
//! requests, per client address. Every response carries the IETF draft
//! `RateLimit-*` headers; over the limit answers 429 with `Retry-After`.
//!
//! Mount with `axum::middleware::from_fn_with_state(limiter, rate_limit)` and
//! serve with `into_make_service_with_connect_info::<SocketAddr>()`.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::TokenVerifier;
use crate::kv::Kv;
use crate::problem::Problem;

pub const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
pub const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
pub const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
pub const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

#[derive(Clone, Debug)]
pub struct RateLimitConfig {
    /// Requests per window for an authenticated user.
    pub per_user: u32,
    /// Requests per window for an anonymous client address.
    pub per_ip: u32,
    pub window: Duration,
    /// Sign-in attempts per account within `sign_in_window`, counted by the
    /// sign-in itself (see `Auth::sign_in`), on top of the address's bucket.
    pub sign_in_per_account: u32,
    pub sign_in_window: Duration,
    /// Take the client address from `X-Forwarded-For` (its last entry, the
    /// one our own proxy appended). Only behind a trusted proxy: otherwise
    /// clients could pick their own bucket.
    pub trust_forwarded: bool,
    /// Prepended to counter keys, to share one Redis between deployments.
    pub key_prefix: String,
}

impl Default for RateLimitConfig {
    fn default() -> RateLimitConfig {
        RateLimitConfig {
            per_user: 600,
            per_ip: 120,
            window: Duration::from_secs(60),
            sign_in_per_account: 10,
            sign_in_window: Duration::from_secs(15 * 60),
            trust_forwarded: false,
            key_prefix: String::new(),
        }
    }
}

/// The middleware's state.
#[derive(Clone)]
pub struct RateLimiter {
    kv: Kv,
    config: RateLimitConfig,
    verifier: Option<TokenVerifier>,
}

impl RateLimiter {
    /// Without a verifier every request counts per address.
    pub fn new(kv: Kv, config: RateLimitConfig, verifier: Option<TokenVerifier>) -> RateLimiter {
        RateLimiter { kv, config, verifier }
    }
}

/// The client address: the socket peer, or the proxy-reported one if trusted.
pub fn client_ip(req: &Request, trust_forwarded: bool) -> Option<IpAddr> {
    if trust_forwarded
        && let Some(ip) = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse::<IpAddr>().ok())
            .next_back()
    {
        return Some(ip);
    }
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|ci| ci.0.ip())
}

fn set_headers(h: &mut HeaderMap, limit: u32, remaining: u64, reset: u64, window: u64) {
    h.insert(RATELIMIT_LIMIT, HeaderValue::from(limit));
    h.insert(RATELIMIT_REMAINING, HeaderValue::from(remaining));
    h.insert(RATELIMIT_RESET, HeaderValue::from(reset));
    if let Ok(v) = HeaderValue::from_str(&format!("{limit};w={window}")) {
        h.insert(RATELIMIT_POLICY, v);
    }
}

/// The routes that take a password: counted per address always, so a
/// bearer token of one's own account does not buy a larger bucket of guesses.
fn is_sign_in(req: &Request) -> bool {
    req.method() == axum::http::Method::POST
        && matches!(req.uri().path(), "/api/v1/auth/login" | crate::auth::session::PATH)
}

/// What is left of a window, in whole seconds and at least one, for
/// `Retry-After` and `RateLimit-Reset`.
pub fn whole_seconds(left: Duration) -> u64 {
    u64::try_from(left.as_millis().div_ceil(1000)).unwrap_or(u64::MAX).max(1)
}

pub async fn rate_limit(State(rl): State<RateLimiter>, req: Request, next: Next) -> Response {
    let sign_in = is_sign_in(&req);
    let user = if sign_in { None } else { rl.verifier.as_ref().and_then(|v| v.subject(req.headers())) };
    let prefix = &rl.config.key_prefix;
    let (key, limit) = match user {
        Some(sub) => (format!("{prefix}rl:user:{sub}"), rl.config.per_user),
        None => {
            let ip =
                client_ip(&req, rl.config.trust_forwarded).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
            (format!("{prefix}rl:ip:{ip}"), rl.config.per_ip)
        }
    };
    let (count, left) = match rl.kv.incr(&key, rl.config.window).await {
        Ok(r) => r,
        Err(e) if sign_in => {
            // Unbounded password guesses are worse than no sign-in for a while.
            tracing::error!(error = %e, "rate limiter unavailable; refusing sign-ins");
            return Problem::sign_in_unavailable().into_response();
        }
        Err(e) => {
            // Losing the limiter must not take the rest of the API down with it.
            tracing::warn!(error = %e, "rate limiter unavailable; letting the request through");
            return next.run(req).await;
        }
    };
    let reset = whole_seconds(left);
    let window = rl.config.window.as_secs().max(1);
    let used = u64::try_from(count).unwrap_or(0);
    let remaining = u64::from(limit).saturating_sub(used);
    let mut res =
        if used > u64::from(limit) { Problem::too_many_requests(reset).into_response() } else { next.run(req).await };
    set_headers(res.headers_mut(), limit, remaining, reset, window);
    res
}

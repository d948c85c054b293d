//! `Idempotency-Key` for POST, with the semantics of payment APIs: the
//! first request with a key runs and its response is stored; a retry with
//! the same key and body gets that response again (`Idempotent-Replayed:
//! true`) without running twice; the same key with another body is 422; a
//! retry while the first is still running is 409. Keys are scoped to the
//! authenticated caller (a live access token: signed, unexpired, not
//! revoked), method and path; the query string and the body are the
//! request's fingerprint. A request that is not authenticated is passed on
//! untouched, its body unread, so only a signed-in caller ever gets a
//! replay or makes the gateway buffer a body. Responses marked
//! `Cache-Control: no-store` (token responses) are never stored.
//!
//! Mount with `axum::middleware::from_fn_with_state(idem, idempotency)`,
//! inside the rate limiter.

use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::{Auth, bearer_token};
use crate::kv::Kv;
use crate::problem::Problem;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
pub const MAX_KEY_LEN: usize = 255;

/// Response headers worth replaying; the rest describe the transport.
const STORED_HEADERS: [HeaderName; 4] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG, header::LAST_MODIFIED];

#[derive(Clone, Debug)]
pub struct IdempotencyConfig {
    /// How long a completed response is replayed.
    pub ttl: Duration,
    /// How long a started request holds its key. Shorter than `ttl` so a
    /// crash mid-request does not block retries for a day.
    pub lock_ttl: Duration,
    /// Larger responses are returned but not stored (so not replayable).
    pub max_stored_response: usize,
}

impl Default for IdempotencyConfig {
    fn default() -> IdempotencyConfig {
        IdempotencyConfig {
            ttl: Duration::from_secs(24 * 3600),
            lock_ttl: Duration::from_secs(5 * 60),
            max_stored_response: 1 << 20,
        }
    }
}

/// The middleware's state.
#[derive(Clone)]
pub struct Idempotency {
    kv: Kv,
    config: IdempotencyConfig,
    auth: Auth,
}

impl Idempotency {
    pub fn new(kv: Kv, config: IdempotencyConfig, auth: Auth) -> Idempotency {
        Idempotency { kv, config, auth }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
enum Entry {
    InProgress { fp: String },
    Done { fp: String, status: u16, headers: Vec<(String, String)>, body: String },
}

fn hex_sha256(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        // Length-prefixed so ("ab","c") and ("a","bc") differ.
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn unavailable(e: anyhow::Error) -> Response {
    // Without the store we cannot promise one effect, so refuse rather than guess.
    tracing::error!(error = %e, "idempotency store unavailable");
    let mut p =
        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "Idempotency keys cannot be checked right now; retry later.");
    p.retry_after = Some(1);
    p.into_response()
}

/// Frees the key if the handler never finished (client went away, panic),
/// so a retry is not answered 409 until the lock expires.
struct Unlock {
    kv: Kv,
    key: Option<String>,
}

impl Unlock {
    fn disarm(&mut self) {
        self.key = None;
    }
}

impl Drop for Unlock {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let kv = self.kv.clone();
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    let _ = kv.del(&key).await;
                });
            }
        }
    }
}

fn replay(status: u16, headers: Vec<(String, String)>, body: &str) -> Response {
    let Ok(body) = STANDARD.decode(body) else {
        return Problem::internal("stored idempotent body is not base64").into_response();
    };
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    for (name, value) in headers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            res.headers_mut().append(n, v);
        }
    }
    res.headers_mut().insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    res
}

pub async fn idempotency(State(idem): State<Idempotency>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(&IDEMPOTENCY_KEY) else {
        return next.run(req).await;
    };
    let client_key = match key.to_str() {
        Ok(k) if !k.is_empty() && k.len() <= MAX_KEY_LEN => k.to_owned(),
        _ => {
            return Problem::bad_request(format!(
                "Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters."
            ))
            .into_response();
        }
    };
    let who = match bearer_token(req.headers()) {
        Some(token) => match idem.auth.authenticate(token).await {
            Ok(caller) => format!("user:{}", caller.user_id),
            // The handler refuses it; nothing is read, stored or replayed.
            Err(_) => return next.run(req).await,
        },
        None => return next.run(req).await,
    };
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let store_key = format!(
        "idem:{who}:{}",
        hex_sha256(&[req.method().as_str().as_bytes(), path.as_bytes(), client_key.as_bytes()])
    );

    let (parts, body) = req.into_parts();
    // No more than the route's own limit, which the handler would apply.
    let body = match to_bytes(body, crate::rest::body_limit(&path)).await {
        Ok(b) => b,
        Err(_) => {
            return Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "The request body is too large.").into_response();
        }
    };
    let fp = hex_sha256(&[query.as_bytes(), &body]);
    let kv = &idem.kv;

    // A finished entry can expire between our failed SETNX and GET; then
    // try to claim the key again (bounded, in case of churn).
    for _ in 0..3 {
        let claim = serde_json::to_string(&Entry::InProgress { fp: fp.clone() }).unwrap_or_default();
        match kv.set_nx(&store_key, &claim, idem.config.lock_ttl).await {
            Ok(true) => {
                let req = Request::from_parts(parts, Body::from(body));
                return run_and_store(&idem, store_key, fp, req, next).await;
            }
            Ok(false) => {}
            Err(e) => return unavailable(e),
        }
        let stored = match kv.get(&store_key).await {
            Ok(Some(s)) => s,
            Ok(None) => continue,
            Err(e) => return unavailable(e),
        };
        let stored: Entry = match serde_json::from_str(&stored) {
            Ok(e) => e,
            Err(e) => {
                return Problem::internal(format!("bad idempotency entry: {e}")).into_response();
            }
        };
        let stored_fp = match &stored {
            Entry::InProgress { fp } | Entry::Done { fp, .. } => fp,
        };
        if *stored_fp != fp {
            return Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "This Idempotency-Key was already used with a different request (body or query).",
            )
            .with_field("Idempotency-Key")
            .into_response();
        }
        return match stored {
            Entry::InProgress { .. } => {
                let mut p = Problem::new(
                    StatusCode::CONFLICT,
                    "A request with this Idempotency-Key is still being processed; retry later.",
                );
                p.retry_after = Some(1);
                p.into_response()
            }
            Entry::Done { status, headers, body, .. } => replay(status, headers, &body),
        };
    }
    Problem::new(StatusCode::CONFLICT, "This Idempotency-Key is changing state; retry later.").into_response()
}

/// Runs the handler as the key's owner and records what it answered.
async fn run_and_store(idem: &Idempotency, store_key: String, fp: String, req: Request, next: Next) -> Response {
    let kv = &idem.kv;
    let mut unlock = Unlock { kv: kv.clone(), key: Some(store_key.clone()) };
    let res = next.run(req).await;
    let status = res.status();
    // Server errors and "try again later" answers are not final: free the
    // key so the client's retry runs again.
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::UNAUTHORIZED {
        unlock.disarm();
        if let Err(e) = kv.del(&store_key).await {
            tracing::warn!(error = %e, "could not release idempotency key");
        }
        return res;
    }
    // `no-store` responses (e.g. tokens) must not sit in the Kv; the key is
    // released, so a retry runs again.
    let no_store = res
        .headers()
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|d| d.trim().eq_ignore_ascii_case("no-store")));
    if no_store {
        unlock.disarm();
        let _ = kv.del(&store_key).await;
        return res;
    }
    let (parts, body) = res.into_parts();
    // Buffer generously; only bodies within the storage cap are stored.
    let bytes: Bytes = match to_bytes(body, idem.config.max_stored_response.max(16 << 20)).await {
        Ok(b) => b,
        Err(e) => return Problem::internal(format!("reading response body: {e}")).into_response(),
    };
    unlock.disarm();
    if bytes.len() > idem.config.max_stored_response {
        tracing::warn!(len = bytes.len(), "response too large to store for idempotent replay");
        let _ = kv.del(&store_key).await;
    } else {
        let headers = STORED_HEADERS
            .iter()
            .flat_map(|n| parts.headers.get_all(n).iter().map(move |v| (n, v)))
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let done = Entry::Done { fp, status: status.as_u16(), headers, body: STANDARD.encode(&bytes) };
        let stored = match serde_json::to_string(&done) {
            Ok(s) => kv.set(&store_key, &s, idem.config.ttl).await,
            Err(e) => Err(e.into()),
        };
        if let Err(e) = stored {
            // The effect happened; the client still gets its answer, but a
            // retry may run again once the lock expires.
            tracing::error!(error = %e, "could not store idempotent response");
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

//! `spawn_app()`: the gateway's auth, admin and middleware stack on a real
//! server at 127.0.0.1:0, seeded with two partners and one user per role,
//! plus tiny test-only routes whose effects can be counted.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use prm_gateway::admin;
use prm_gateway::auth::{self, Auth, SessionPolicy};
use prm_gateway::idempotency::{self, Idempotency, IdempotencyConfig};
use prm_gateway::identity::{IdentityStore, NewUser, Partner, Role, User};
use prm_gateway::kv::Kv;
use prm_gateway::ratelimit::{self, RateLimitConfig, RateLimiter};
use serde_json::{Value, json};

use crate::testutil::{TestDb, dbs, prefix, test_redis};

pub const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";
pub const PASSWORD: &str = "correct horse battery";

#[derive(Clone)]
struct AppState {
    auth: Auth,
    counter: Arc<AtomicUsize>,
    flaky: Arc<AtomicUsize>,
}

impl FromRef<AppState> for Auth {
    fn from_ref(s: &AppState) -> Auth {
        s.auth.clone()
    }
}

/// Counts its effects and is slow enough for concurrent retries to overlap.
async fn counter(State(s): State<AppState>, body: String) -> impl IntoResponse {
    tokio::time::sleep(Duration::from_millis(150)).await;
    let n = s.counter.fetch_add(1, Ordering::SeqCst) + 1;
    (StatusCode::CREATED, [(header::LOCATION, format!("/things/{n}"))], Json(json!({ "n": n, "echo": body })))
}

/// Fails with 500 the first time, succeeds afterwards.
async fn flaky(State(s): State<AppState>) -> impl IntoResponse {
    if s.flaky.fetch_add(1, Ordering::SeqCst) == 0 {
        (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response()
    } else {
        (StatusCode::CREATED, Json(json!({ "ok": true }))).into_response()
    }
}

pub struct Seed {
    pub acme: Partner,
    pub other: Partner,
    pub vendor_admin: User,
    pub acme_admin: User,
    pub acme_user: User,
    pub other_user: User,
    pub account_manager: User,
    pub support: User,
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub counter: Arc<AtomicUsize>,
    pub identity: IdentityStore,
    pub kv: Kv,
    pub seed: Seed,
    pub label: String,
    _db: TestDb,
}

pub struct Backend {
    pub kv: Kv,
    pub db: TestDb,
}

/// Memory + SQLite always; Redis / PostgreSQL as a second variant when
/// `PRM_TEST_REDIS_URL` / `PRM_TEST_DATABASE_URL` are set.
pub async fn backends() -> Vec<Backend> {
    let mut dbs = dbs().await.into_iter();
    let sqlite = dbs.next().expect("sqlite");
    let pg = dbs.next();
    let redis = test_redis().await;
    let mut v = vec![Backend { kv: Kv::memory(), db: sqlite }];
    if redis.is_some() || pg.is_some() {
        v.push(Backend { kv: redis.unwrap_or_else(Kv::memory), db: pg.unwrap_or_else(TestDb::sqlite) });
    }
    v
}

async fn user(s: &IdentityStore, email: &str, role: Role, partner: Option<&Partner>) -> User {
    s.create_user(NewUser {
        email: email.to_owned(),
        display_name: email.split('@').next().unwrap_or(email).to_owned(),
        password: PASSWORD.to_owned(),
        role,
        partner_id: partner.map(|p| p.id),
    })
    .await
    .expect("seed user")
}

/// Rate limits high enough not to interfere unless a test asks otherwise.
pub fn relaxed_limits() -> RateLimitConfig {
    RateLimitConfig {
        per_user: 10_000,
        per_ip: 10_000,
        window: Duration::from_secs(60),
        sign_in_per_account: 10_000,
        sign_in_window: Duration::from_secs(60),
        trust_forwarded: false,
        key_prefix: prefix("rl"),
    }
}

pub async fn spawn_app(backend: Backend, limits: RateLimitConfig) -> TestApp {
    spawn_app_with(backend, limits, SessionPolicy::default().max_age).await
}

/// As [`spawn_app`], with sessions that end `max_age` after their sign-in.
pub async fn spawn_app_with(backend: Backend, limits: RateLimitConfig, max_age: Duration) -> TestApp {
    let Backend { kv, db } = backend;
    let label = format!("{:?}+{}", kv, db.label);
    let identity = db.identity().await;
    let acme = identity.create_partner("Acme", Some("gold")).await.unwrap();
    let other = identity.create_partner("Other", None).await.unwrap();
    let seed = Seed {
        vendor_admin: user(&identity, "va@vendor.test", Role::VendorAdmin, None).await,
        acme_admin: user(&identity, "admin@acme.test", Role::PartnerAdmin, Some(&acme)).await,
        acme_user: user(&identity, "user@acme.test", Role::PartnerUser, Some(&acme)).await,
        other_user: user(&identity, "user@other.test", Role::PartnerUser, Some(&other)).await,
        account_manager: user(&identity, "am@vendor.test", Role::AccountManager, None).await,
        support: user(&identity, "support@vendor.test", Role::SupportAgent, None).await,
        acme,
        other,
    };
    identity.assign_account_manager(seed.account_manager.id, seed.acme.id).await.unwrap();

    let auth = Auth::new(SECRET, kv.clone(), identity.clone()).with_policy(SessionPolicy {
        sign_in_per_account: limits.sign_in_per_account,
        sign_in_window: limits.sign_in_window,
        max_age,
        key_prefix: limits.key_prefix.clone(),
    });
    let state = AppState { auth: auth.clone(), counter: Arc::default(), flaky: Arc::default() };
    let limiter = RateLimiter::new(kv.clone(), limits, Some(auth.verifier()));
    let idem = Idempotency::new(kv.clone(), IdempotencyConfig::default(), auth.clone());
    // Layers wrap outward: rate limiting sees every request first.
    let app = Router::new()
        .merge(auth::routes())
        .merge(admin::routes())
        .route("/test/counter", post(counter))
        .route("/test/flaky", post(flaky))
        .layer(axum::middleware::from_fn_with_state(idem, idempotency::idempotency))
        .layer(axum::middleware::from_fn_with_state(limiter, ratelimit::rate_limit))
        .with_state(state.clone());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        counter: state.counter,
        identity,
        kv,
        seed,
        label,
        _db: db,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn login_raw(&self, email: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Logs in and returns the whole token response.
    pub async fn login(&self, email: &str) -> Value {
        let res = self.login_raw(email, PASSWORD).await;
        assert_eq!(res.status(), 200, "{}: login {email}", self.label);
        res.json().await.unwrap()
    }

    pub async fn token(&self, email: &str) -> String {
        self.login(email).await["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn send_json(&self, method: reqwest::Method, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.client.request(method, self.url(path)).bearer_auth(token).json(body).send().await.unwrap()
    }

    pub async fn refresh(&self, refresh_token: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/refresh"))
            .json(&json!({ "refresh_token": refresh_token }))
            .send()
            .await
            .unwrap()
    }
}

/// Asserts a problem+json answer with `status`; returns its body.
pub async fn problem(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let content_type = res.headers().get(header::CONTENT_TYPE.as_str()).map(|v| v.to_str().unwrap().to_owned());
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "body: {text}");
    assert_eq!(content_type.as_deref(), Some("application/problem+json"), "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["status"], status);
    body
}

/// The field a 400 problem names.
pub async fn problem_field(res: reqwest::Response) -> String {
    let body = problem(res, 400).await;
    body["errors"][0]["field"].as_str().unwrap_or_else(|| panic!("no field in {body}")).to_owned()
}

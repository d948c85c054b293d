//! Login, refresh rotation with reuse detection, logout, token checks.

use jsonwebtoken::{EncodingKey, Header, encode};
use reqwest::Method;
use serde_json::json;

use std::time::Duration;

use crate::helpers::{
    Backend, PASSWORD, SECRET, backends, problem, problem_field, relaxed_limits, spawn_app, spawn_app_with,
};

#[tokio::test]
async fn login_answers_tokens_and_the_user() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let body = app.login("User@Acme.test").await;
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 900);
        assert!(body["refresh_token"].as_str().unwrap().len() >= 43);
        let user = &body["user"];
        assert_eq!(user["email"], "user@acme.test");
        assert_eq!(user["role"], "partner_user");
        assert_eq!(user["partner_id"], app.seed.acme.id.to_string());
        assert!(user.get("password_hash").is_none());

        // Token responses are never cached, nor stored for idempotent replay.
        for _ in 0..2 {
            let res = app
                .client
                .post(app.url("/api/v1/auth/login"))
                .header("idempotency-key", "login-1")
                .json(&json!({ "email": "user@acme.test", "password": PASSWORD }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()["cache-control"], "no-store");
            assert!(res.headers().get("idempotent-replayed").is_none());
        }

        let token = body["access_token"].as_str().unwrap();
        let me = app.get("/api/v1/me", token).await;
        assert_eq!(me.status(), 200, "{}", app.label);
        let me: serde_json::Value = me.json().await.unwrap();
        assert_eq!(me["id"], app.seed.acme_user.id.to_string());
    }
}

#[tokio::test]
async fn bad_password_and_unknown_email_look_the_same() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let wrong = problem(app.login_raw("user@acme.test", "wrong password").await, 401).await;
        let unknown = problem(app.login_raw("nobody@acme.test", PASSWORD).await, 401).await;
        assert_eq!(wrong, unknown, "{}", app.label);

        // An inactive account cannot log in either, with the same answer.
        app.identity.update_user(app.seed.acme_user.id, None, None, Some(false)).await.unwrap();
        let inactive = problem(app.login_raw("user@acme.test", PASSWORD).await, 401).await;
        assert_eq!(inactive, unknown);
    }
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let first = app.login("user@acme.test").await;
        let r1 = first["refresh_token"].as_str().unwrap();

        let res = app.refresh(r1).await;
        assert_eq!(res.status(), 200, "{}", app.label);
        let second: serde_json::Value = res.json().await.unwrap();
        let r2 = second["refresh_token"].as_str().unwrap();
        let a2 = second["access_token"].as_str().unwrap();
        assert_ne!(r1, r2);
        assert_eq!(second["token_type"], "Bearer");
        assert_eq!(app.get("/api/v1/me", a2).await.status(), 200);

        // Replaying the consumed token fails and kills the whole family:
        // the newest refresh token and its access token stop working.
        problem(app.refresh(r1).await, 401).await;
        problem(app.refresh(r2).await, 401).await;
        problem(app.get("/api/v1/me", a2).await, 401).await;

        // Another session of the same user is unaffected.
        let other = app.token("user@acme.test").await;
        assert_eq!(app.get("/api/v1/me", &other).await.status(), 200);
    }
}

#[tokio::test]
async fn refresh_of_garbage_or_deactivated_user_fails() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        problem(app.refresh("not-a-token").await, 401).await;
        let first = app.login("user@acme.test").await;
        app.identity.update_user(app.seed.acme_user.id, None, None, Some(false)).await.unwrap();
        problem(app.refresh(first["refresh_token"].as_str().unwrap()).await, 401).await;
    }
}

#[tokio::test]
async fn logout_revokes_access_and_refresh_tokens() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let s = app.login("user@acme.test").await;
        let (access, refresh) = (s["access_token"].as_str().unwrap(), s["refresh_token"].as_str().unwrap());
        // Logout needs the access token.
        let res = app
            .client
            .post(app.url("/api/v1/auth/logout"))
            .json(&json!({ "refresh_token": refresh }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        problem(res, 401).await;

        let res =
            app.send_json(Method::POST, "/api/v1/auth/logout", access, &json!({ "refresh_token": refresh })).await;
        assert_eq!(res.status(), 204, "{}", app.label);
        problem(app.get("/api/v1/me", access).await, 401).await;
        problem(app.refresh(refresh).await, 401).await;
    }
}

#[tokio::test]
async fn garbage_forged_and_expired_tokens_are_401() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let res = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        problem(res, 401).await;
        problem(app.get("/api/v1/me", "garbage").await, 401).await;

        let now = jsonwebtoken::get_current_timestamp();
        let claims = |iat: u64, aud: &str| {
            json!({
                "sub": app.seed.vendor_admin.id, "partner_id": null, "role": "vendor_admin",
                "iat": iat, "exp": iat + 900, "jti": uuid::Uuid::now_v7().to_string(),
                "typ": "access", "iss": "prm-gateway", "aud": aud, "sid": uuid::Uuid::new_v4(),
            })
        };
        let sign =
            |c: &serde_json::Value, key: &[u8]| encode(&Header::default(), c, &EncodingKey::from_secret(key)).unwrap();
        // Sanity: a well-formed token made here is accepted...
        let good = sign(&claims(now, "prm-api"), SECRET);
        assert_eq!(app.get("/api/v1/me", &good).await.status(), 200, "{}", app.label);
        // ...but not when expired, for another audience, or signed with another key.
        let expired = sign(&claims(now - 1000, "prm-api"), SECRET);
        problem(app.get("/api/v1/me", &expired).await, 401).await;
        let other_aud = sign(&claims(now, "elsewhere"), SECRET);
        problem(app.get("/api/v1/me", &other_aud).await, 401).await;
        let forged = sign(&claims(now, "prm-api"), b"another-secret-another-secret-12345");
        problem(app.get("/api/v1/me", &forged).await, 401).await;
    }
}

#[tokio::test]
async fn login_body_refuses_unknown_fields() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let res = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "email": "user@acme.test", "password": PASSWORD, "role": "vendor_admin" }))
            .send()
            .await
            .unwrap();
        assert_eq!(problem_field(res).await, "role");
        let res = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "email": "user@acme.test" }))
            .send()
            .await
            .unwrap();
        assert_eq!(problem_field(res).await, "password");
    }
}

/// Guesses at one account are bounded whoever makes them: after the
/// account's attempts, even the right password is 429 with Retry-After,
/// and a bearer token of another account on the sign-in request buys no
/// larger bucket.
#[tokio::test]
async fn sign_in_is_throttled_per_account_and_a_bearer_does_not_lift_it() {
    for b in backends().await {
        let mut limits = relaxed_limits();
        limits.sign_in_per_account = 3;
        let app = spawn_app(b, limits).await;
        let other = app.token("admin@acme.test").await;
        let attempt = |password: &'static str| {
            app.client
                .post(app.url("/api/v1/auth/login"))
                .bearer_auth(&other)
                .json(&json!({ "email": "User@Acme.test", "password": password }))
                .send()
        };
        for _ in 0..3 {
            problem(attempt("wrong password").await.unwrap(), 401).await;
        }
        let refused = attempt(PASSWORD).await.unwrap();
        assert!(refused.headers().contains_key("retry-after"), "{}", app.label);
        problem(refused, 429).await;
        // The browser's sign-in counts against the same account.
        let session = app
            .client
            .post(app.url("/api/v1/auth/session"))
            .header("x-prm-csrf", "1")
            .json(&json!({ "email": "user@acme.test", "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        problem(session, 429).await;
        // Another account is not held back.
        assert_eq!(app.login_raw("admin@acme.test", PASSWORD).await.status(), 200);
    }

    // A valid bearer token does not move sign-ins into the person's larger
    // per-user bucket: they count against the address.
    for b in backends().await {
        let mut limits = relaxed_limits();
        limits.per_ip = 4;
        let app = spawn_app(b, limits).await;
        let token = app.token("admin@acme.test").await; // 1 of 4
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let res = app
                .client
                .post(app.url("/api/v1/auth/login"))
                .bearer_auth(&token)
                .json(&json!({ "email": "user@acme.test", "password": "wrong password" }))
                .send()
                .await
                .unwrap();
            statuses.push(res.status().as_u16());
        }
        assert_eq!(statuses, [401, 401, 401, 429], "{}", app.label);
        // Other routes still count per person.
        assert_eq!(app.get("/api/v1/me", &token).await.status(), 200);
    }
}

/// With the counter store down, sign-in fails closed: a right and a wrong
/// password get the same 503, so nobody can guess unthrottled.
#[tokio::test]
async fn sign_in_fails_closed_without_redis() {
    let Some(server) = RedisServer::start() else {
        eprintln!("redis-server not installed: skipped");
        return;
    };
    let kv = prm_gateway::kv::Kv::redis(&server.url()).await.unwrap();
    let db = crate::testutil::TestDb::sqlite();
    let app = spawn_app(Backend { kv, db }, relaxed_limits()).await;
    assert_eq!(app.login_raw("user@acme.test", PASSWORD).await.status(), 200);
    drop(server);
    let right = problem(app.login_raw("user@acme.test", PASSWORD).await, 503).await;
    let wrong = problem(app.login_raw("user@acme.test", "wrong password").await, 503).await;
    assert_eq!(right, wrong);
}

/// A private `redis-server` on a free port, killed on drop.
struct RedisServer {
    port: u16,
    child: std::process::Child,
}

impl RedisServer {
    fn start() -> Option<RedisServer> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .ok()?;
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(RedisServer { port, child });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A session ends its configured lifetime after sign-in, however often it
/// was refreshed on the way: the refresh past it is 401 and ends the family.
#[tokio::test]
async fn a_session_has_an_absolute_lifetime() {
    for b in backends().await {
        // Whole seconds are counted: margins of a second and more either side.
        let app = spawn_app_with(b, relaxed_limits(), Duration::from_secs(6)).await;
        let login = app.login("user@acme.test").await;
        let mut refresh_token = login["refresh_token"].as_str().unwrap().to_owned();
        // Refreshed on the way, within its lifetime.
        for _ in 0..2 {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let res = app
                .client
                .post(app.url("/api/v1/auth/refresh"))
                .json(&json!({ "refresh_token": refresh_token }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{}", app.label);
            let pair: serde_json::Value = res.json().await.unwrap();
            refresh_token = pair["refresh_token"].as_str().unwrap().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(4500)).await;
        let res = app
            .client
            .post(app.url("/api/v1/auth/refresh"))
            .json(&json!({ "refresh_token": refresh_token }))
            .send()
            .await
            .unwrap();
        problem(res, 401).await;
        // A new sign-in starts a new session.
        assert_eq!(app.login_raw("user@acme.test", PASSWORD).await.status(), 200);
    }
}

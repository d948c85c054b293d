//! Rate limiting and idempotency keys, end to end.

use std::sync::atomic::Ordering;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, backends, problem, relaxed_limits, spawn_app};

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers().get(name).unwrap_or_else(|| panic!("missing {name}")).to_str().unwrap().to_owned()
}

#[tokio::test]
async fn rate_limit_answers_429_with_headers() {
    for b in backends().await {
        let mut limits = relaxed_limits();
        limits.per_ip = 3;
        limits.per_user = 5;
        let app = spawn_app(b, limits).await;
        let me = app.url("/api/v1/me");

        // Anonymous requests count per address.
        for left in (0..3).rev() {
            let res = app.client.get(&me).send().await.unwrap();
            assert_eq!(res.status(), 401, "{}", app.label);
            assert_eq!(header(&res, "ratelimit-limit"), "3");
            assert_eq!(header(&res, "ratelimit-remaining"), left.to_string());
            assert_eq!(header(&res, "ratelimit-policy"), "3;w=60");
            let reset: u64 = header(&res, "ratelimit-reset").parse().unwrap();
            assert!((1..=60).contains(&reset));
        }
        let res = app.client.get(&me).send().await.unwrap();
        let retry: u64 = header(&res, "retry-after").parse().unwrap();
        assert!((1..=60).contains(&retry));
        assert_eq!(header(&res, "ratelimit-remaining"), "0");
        problem(res, 429).await;

        // An authenticated user has their own, larger bucket. (Minted
        // directly: the login endpoint is itself over the address limit.)
        let pair = app_token(&app).await;
        for left in (0..5).rev() {
            let res = app.get("/api/v1/me", &pair).await;
            assert_eq!(res.status(), 200);
            assert_eq!(header(&res, "ratelimit-limit"), "5");
            assert_eq!(header(&res, "ratelimit-remaining"), left.to_string());
        }
        problem(app.get("/api/v1/me", &pair).await, 429).await;
    }
}

/// An access token for the acme user without going through the API.
async fn app_token(app: &TestApp) -> String {
    let auth = prm_gateway::auth::Auth::new(crate::helpers::SECRET, app.kv.clone(), app.identity.clone());
    let user = app.identity.get_user(app.seed.acme_user.id).await.unwrap();
    auth.issue_pair(&user).await.unwrap().access_token
}

#[tokio::test]
async fn forwarded_addresses_are_used_only_when_trusted() {
    for trust in [false, true] {
        let mut limits = relaxed_limits();
        limits.per_ip = 1;
        limits.trust_forwarded = trust;
        let b = backends().await.into_iter().next().unwrap();
        let app = spawn_app(b, limits).await;
        let get = |ip: &'static str| {
            app.client.get(app.url("/api/v1/me")).header("x-forwarded-for", format!("203.0.113.9, {ip}")).send()
        };
        assert_eq!(get("10.0.0.1").await.unwrap().status(), 401);
        let second = get("10.0.0.2").await.unwrap().status();
        assert_eq!(second, if trust { 401 } else { 429 }, "trust={trust}");
    }
}

async fn post_idem(app: &TestApp, key: &str, body: &Value, token: Option<&str>) -> reqwest::Response {
    post_idem_to(app, "/test/counter", key, body, token).await
}

async fn post_idem_to(app: &TestApp, path: &str, key: &str, body: &Value, token: Option<&str>) -> reqwest::Response {
    let mut req = app.client.request(Method::POST, app.url(path)).header("idempotency-key", key).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn idempotent_retry_replays_the_first_response() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let token = app.token("user@acme.test").await;
        let me = Some(token.as_str());
        let key = uuid::Uuid::new_v4().to_string();
        let body = json!({ "amount": 1 });

        let first = post_idem(&app, &key, &body, me).await;
        assert_eq!(first.status(), 201, "{}", app.label);
        assert!(first.headers().get("idempotent-replayed").is_none());
        let location = header(&first, "location");
        let first_body = first.text().await.unwrap();

        let again = post_idem(&app, &key, &body, me).await;
        assert_eq!(again.status(), 201);
        assert_eq!(header(&again, "idempotent-replayed"), "true");
        assert_eq!(header(&again, "location"), location);
        assert_eq!(header(&again, "content-type"), "application/json");
        assert_eq!(again.text().await.unwrap(), first_body);
        assert_eq!(app.counter.load(Ordering::SeqCst), 1, "one effect");

        // Same key, different body or query: refused, nothing runs.
        problem(post_idem(&app, &key, &json!({ "amount": 2 }), me).await, 422).await;
        problem(post_idem_to(&app, "/test/counter?dry_run=true", &key, &body, me).await, 422).await;
        // The same key from another caller is another key.
        let other = app.token("admin@acme.test").await;
        let theirs = post_idem(&app, &key, &body, Some(&other)).await;
        assert_eq!(theirs.status(), 201);
        assert!(theirs.headers().get("idempotent-replayed").is_none());
        assert_eq!(app.counter.load(Ordering::SeqCst), 2);

        // Without a key every request runs.
        for _ in 0..2 {
            let res = app.client.post(app.url("/test/counter")).bearer_auth(&token).json(&body).send().await.unwrap();
            assert_eq!(res.status(), 201);
        }
        assert_eq!(app.counter.load(Ordering::SeqCst), 4);

        // Keys longer than 255 characters are refused.
        problem(post_idem(&app, &"k".repeat(256), &body, me).await, 400).await;
        assert_eq!(post_idem(&app, &"k".repeat(255), &body, me).await.status(), 201);
    }
}

/// Replays only after authentication: no token, a forged one or a revoked
/// one never gets the stored answer, and its body is not buffered by the
/// idempotency layer (the request goes on to the handler as it came).
#[tokio::test]
async fn replays_are_only_for_the_authenticated_caller() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let login = app.login("user@acme.test").await;
        let token = login["access_token"].as_str().unwrap().to_owned();
        let key = uuid::Uuid::new_v4().to_string();
        let body = json!({ "amount": 1 });
        assert_eq!(post_idem(&app, &key, &body, Some(&token)).await.status(), 201, "{}", app.label);
        assert_eq!(app.counter.load(Ordering::SeqCst), 1);

        // Anonymous and forged callers with the same key: no replay; the
        // (test) handler runs for each, as a real handler would refuse each.
        for who in [None, Some(format!("{token}x"))] {
            let res = post_idem(&app, &key, &body, who.as_deref()).await;
            assert_eq!(res.status(), 201);
            assert!(res.headers().get("idempotent-replayed").is_none(), "{}: replayed to {who:?}", app.label);
        }
        assert_eq!(app.counter.load(Ordering::SeqCst), 3);

        // After sign-out the same token no longer gets the stored answer.
        let out = app
            .client
            .post(app.url("/api/v1/auth/logout"))
            .bearer_auth(&token)
            .json(&json!({ "refresh_token": login["refresh_token"] }))
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), 204);
        let res = post_idem(&app, &key, &body, Some(&token)).await;
        assert!(res.headers().get("idempotent-replayed").is_none(), "{}: replayed to a revoked token", app.label);
    }
}

#[tokio::test]
async fn concurrent_requests_with_one_key_have_one_effect() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let token = app.token("user@acme.test").await;
        let key = uuid::Uuid::new_v4().to_string();
        let body = json!({ "order": 42 });
        let results = futures_join(&app, &token, &key, &body, 6).await;
        let fresh = results.iter().filter(|(s, replayed)| *s == 201 && !replayed).count();
        assert_eq!(fresh, 1, "{}: {results:?}", app.label);
        assert!(results.iter().all(|(s, _)| *s == 201 || *s == 409), "{results:?}");
        assert_eq!(app.counter.load(Ordering::SeqCst), 1);

        // Once done, a retry is a replay.
        let res = post_idem(&app, &key, &body, Some(&token)).await;
        assert_eq!(header(&res, "idempotent-replayed"), "true");
        assert_eq!(app.counter.load(Ordering::SeqCst), 1);
    }
}

/// Fires `n` identical requests at once; (status, replayed) for each.
async fn futures_join(app: &TestApp, token: &str, key: &str, body: &Value, n: usize) -> Vec<(u16, bool)> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let req =
            app.client.post(app.url("/test/counter")).bearer_auth(token).header("idempotency-key", key).json(body);
        tasks.push(tokio::spawn(async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.headers().contains_key("idempotent-replayed"))
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test]
async fn server_errors_are_not_stored_so_retries_run_again() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let key = uuid::Uuid::new_v4().to_string();
        let token = app.token("user@acme.test").await;
        let send = || {
            app.client
                .post(app.url("/test/flaky"))
                .bearer_auth(&token)
                .header("idempotency-key", &key)
                .json(&json!({}))
                .send()
        };
        assert_eq!(send().await.unwrap().status(), 500, "{}", app.label);
        let retry = send().await.unwrap();
        assert_eq!(retry.status(), 201);
        assert!(retry.headers().get("idempotent-replayed").is_none());
        let replay = send().await.unwrap();
        assert_eq!(header(&replay, "idempotent-replayed"), "true");
    }
}

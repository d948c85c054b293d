//! `Idempotency-Key` on POST: replayed, refused with another body, and one
//! effect when raced.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::spawn_app;

async fn account_count(app: &crate::helpers::TestApp, token: &str, name: &str) -> usize {
    app.get("/api/v1/accounts?page_size=500", token).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["name"] == name)
        .count()
}

#[tokio::test]
async fn a_replayed_post_answers_the_first_response_once() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let key = uuid::Uuid::new_v4().to_string();
    let body = json!({"name": "Idempotent Inc"});
    let first = app
        .call_with(Method::POST, "/api/v1/accounts", Some(&bob), Some(body.clone()), &[("idempotency-key", &key)])
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again =
        app.call_with(Method::POST, "/api/v1/accounts", Some(&bob), Some(body), &[("idempotency-key", &key)]).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body, "the same record, replayed");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(account_count(&app, &bob, "Idempotent Inc").await, 1);

    let other = app
        .call_with(
            Method::POST,
            "/api/v1/accounts",
            Some(&bob),
            Some(json!({"name": "Something else"})),
            &[("idempotency-key", &key)],
        )
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(account_count(&app, &bob, "Something else").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn racing_posts_with_one_key_have_one_effect() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let key = uuid::Uuid::new_v4().to_string();
    let body = json!({"name": "Raced Ltd"});
    let headers = [("idempotency-key", key.as_str())];
    let replies = futures::future::join_all(
        (0..8).map(|_| app.call_with(Method::POST, "/api/v1/accounts", Some(&bob), Some(body.clone()), &headers)),
    )
    .await;
    let created: Vec<_> = replies.iter().filter(|r| r.status == StatusCode::CREATED).collect();
    assert!(!created.is_empty());
    for r in &replies {
        assert!(matches!(r.status, StatusCode::CREATED | StatusCode::CONFLICT), "{} {}", r.status, r.body);
    }
    let ids: std::collections::HashSet<_> =
        created.iter().map(|r| r.body["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 1, "every success is the same record");
    assert_eq!(account_count(&app, &bob, "Raced Ltd").await, 1);
    app.stop().await;
}

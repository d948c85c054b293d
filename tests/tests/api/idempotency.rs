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

/// Sends the head of a POST announcing `announced` bytes and then `sent` of
/// them, and reads what the gateway answers before the rest would arrive.
async fn answer_to_a_partial_body(
    app: &crate::helpers::TestApp,
    path: &str,
    token: &str,
    key: Option<&str>,
    announced: usize,
    sent: usize,
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let key = key.map(|k| format!("idempotency-key: {k}\r\n")).unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {token}\r\ncontent-type: application/json\r\n{key}content-length: {announced}\r\n\r\n",
        app.addr
    );
    s.write_all(head.as_bytes()).await.unwrap();
    // The gateway may answer and close while this is still being written.
    let _ = s.write_all(&vec![b' '; sent]).await;
    let mut answer = vec![0u8; 512];
    let n = tokio::time::timeout(std::time::Duration::from_secs(20), s.read(&mut answer))
        .await
        .expect("an answer while the body is still unfinished")
        .unwrap();
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

/// A body is read no further than its route allows, with or without an
/// `Idempotency-Key` (which makes the gateway read the body before the
/// handler): a note's route 2 MiB, a file upload's twice the attachment
/// limit. A 3 MiB upload is replayed by its key; a note's body is refused
/// as soon as it passes 2 MiB, not after the upload's 20 MiB.
#[tokio::test]
async fn bodies_are_read_no_further_than_their_routes_limit() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let account = app.create_account(&bob, "Big Files GmbH").await;
    let base = format!("/api/v1/accounts/{}", account["id"].as_str().unwrap());
    let key = uuid::Uuid::new_v4().to_string();
    let upload = || {
        app.http
            .post(app.url(&format!("{base}/files?file_name=plan.bin")))
            .bearer_auth(&bob)
            .header("content-type", "application/octet-stream")
            .header("idempotency-key", &key)
            .body(vec![7u8; 3 << 20])
            .send()
    };
    let first = upload().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: serde_json::Value = first.json().await.unwrap();
    let again = upload().await.unwrap();
    assert_eq!(
        (again.status(), again.headers()["idempotent-replayed"].to_str().unwrap()),
        (StatusCode::CREATED, "true")
    );
    assert_eq!(again.json::<serde_json::Value>().await.unwrap()["id"], first["id"]);

    let limit = 2 << 20;
    for key in [Some(uuid::Uuid::new_v4().to_string()), None] {
        let answer =
            answer_to_a_partial_body(&app, &format!("{base}/notes"), &bob, key.as_deref(), 8 << 20, limit + 1).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "with key {key:?}: {answer}");
    }
    let notes = app.get(&format!("{base}/notes"), &bob).await;
    assert_eq!(notes.body["items"].as_array().unwrap().len(), 0, "{}", notes.body);
    app.stop().await;
}

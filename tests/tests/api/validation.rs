//! Bad input gets 400 problem+json naming the field, and changes nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn bad_input_names_the_field_and_changes_nothing() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let before = count(&app, &bob).await;
    let cases = [
        (json!({"phone": "+1 555"}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(256)}), "name"),
        (json!({"name": "A", "website": "not a website"}), "website"),
        (json!({"name": "A", "type": "enemy"}), "type"),
        (json!({"name": "A", "billing_address": {"planet": "Mars"}}), "billing_address.planet"),
        (json!({"name": "A", "partner_id": uuid::Uuid::now_v7().to_string()}), "partner_id"),
        (json!({"name": "A", "owner_id": uuid::Uuid::now_v7().to_string()}), "owner_id"),
        (json!({"name": "A", "id": "x"}), "id"),
        (json!({"name": "A", "create_time": "2020-01-01T00:00:00Z"}), "create_time"),
        (json!({"name": "A", "shoe_size": 42}), "shoe_size"),
        (json!({"name": 42}), "name"),
    ];
    for (body, field) in cases {
        let r = app.post("/api/v1/accounts", &bob, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert_eq!(r.headers["content-type"], "application/problem+json");
        assert_eq!(r.field(), field, "{body}: {}", r.body);
    }
    assert_eq!(count(&app, &bob).await, before, "no account was created");

    let a = app.create_account(&bob, "Valid").await;
    let id = a["id"].as_str().unwrap();
    let c = app.post("/api/v1/contacts", &bob, json!({"account_id": id, "last_name": "Doe", "email": "doe@"})).await;
    assert_eq!(c.status, StatusCode::BAD_REQUEST);
    assert_eq!(c.field(), "email");
    for (body, field) in [
        (json!({"nickname": "V"}), "nickname"),
        (json!({"owner_id": uuid::Uuid::now_v7().to_string()}), "owner_id"),
        (json!({"name": "V", "phone": "call me maybe"}), "phone"),
    ] {
        let r = app.patch(&format!("/api/v1/accounts/{id}"), &bob, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.field(), field, "{body}: {}", r.body);
    }
    let after = app.get(&format!("/api/v1/accounts/{id}"), &bob).await;
    assert_eq!(after.body, a, "a refused update changes nothing");

    let big = vec![0u8; prm_kit::record::MAX_ATTACHMENT_BYTES + 1];
    let r = app
        .http
        .post(app.url(&format!("/api/v1/accounts/{id}/files?file_name=big.bin")))
        .bearer_auth(&bob)
        .header("content-type", "application/octet-stream")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "content");
    let files = app.get(&format!("/api/v1/accounts/{id}/files"), &bob).await;
    assert!(files.body["items"].as_array().unwrap().is_empty());

    let r = app.get("/api/v1/accounts?filter=planet%20%3D%20mars", &bob).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.field(), "filter");
    app.stop().await;
}

async fn count(app: &crate::helpers::TestApp, token: &str) -> usize {
    app.get("/api/v1/accounts?page_size=500", token).await.body["items"].as_array().unwrap().len()
}

/// Saved views refuse unknown fields like every other route (they once
/// accepted any), and refuse the server-owned ones by name.
#[tokio::test]
async fn saved_views_refuse_unknown_and_server_owned_fields() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    for collection in ["projects", "tasks"] {
        let path = format!("/api/v1/{collection}/views");
        let before = app.get(&path, &bob).await.body["items"].as_array().unwrap().len();
        for (body, field) in [
            (json!({"name": "Mine", "colour": "red"}), "colour"),
            (json!({"name": "Mine", "built_in": true}), "built_in"),
            (json!({"name": "Mine", "id": "x"}), "id"),
        ] {
            let r = app.post(&path, &bob, body.clone()).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path} {body}: {}", r.body);
            assert_eq!(r.field(), field, "{path} {body}: {}", r.body);
        }
        assert_eq!(app.get(&path, &bob).await.body["items"].as_array().unwrap().len(), before, "{path}");
        let made = app.post(&path, &bob, json!({"name": "Mine"})).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let id = made.body["id"].as_str().unwrap();
        let r = app.patch(&format!("{path}/{id}"), &bob, json!({"name": "Renamed", "colour": "red"})).await;
        assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "colour"), "{}", r.body);
    }
    app.stop().await;
}

/// A body that is not JSON is refused with 415 on every route that takes
/// JSON, those that read their body as bytes (creates, PATCHes, verbs) as
/// much as those that extract it, and changes nothing; a verb without a body
/// needs no type, and a file's upload takes its own.
#[tokio::test]
async fn a_body_that_is_not_json_is_415_and_changes_nothing() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let a = app.create_account(&bob, "Typed").await;
    let id = a["id"].as_str().unwrap();
    let accounts = count(&app, &bob).await;
    let send = |method: reqwest::Method, path: String, content_type: Option<&'static str>, body: &'static str| {
        let mut r = app.http.request(method, app.url(&path)).bearer_auth(&bob).body(body);
        if let Some(t) = content_type {
            r = r.header("content-type", t);
        }
        r.send()
    };
    let body = r#"{"name":"Renamed"}"#;
    for (method, path) in [
        (reqwest::Method::POST, "/api/v1/accounts".to_string()),
        (reqwest::Method::PATCH, format!("/api/v1/accounts/{id}")),
        (reqwest::Method::POST, format!("/api/v1/accounts/{id}/notes")),
        (reqwest::Method::POST, "/api/v1/accounts/views".to_string()),
        (reqwest::Method::POST, "/api/v1/projects".to_string()),
    ] {
        for content_type in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None] {
            let r = send(method.clone(), path.clone(), content_type, body).await.unwrap();
            assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{method} {path} as {content_type:?}");
            assert_eq!(r.headers()["content-type"], "application/problem+json");
        }
    }
    let r =
        send(reqwest::Method::PATCH, format!("/api/v1/accounts/{id}"), Some("application/json; charset=utf-8"), body)
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "JSON with a charset is JSON");
    let after = app.get(&format!("/api/v1/accounts/{id}"), &bob).await;
    assert_eq!(after.body["name"], "Renamed");
    let notes = app.get(&format!("/api/v1/accounts/{id}/notes"), &bob).await;
    assert!(notes.body["items"].as_array().unwrap().is_empty(), "no refused note was written");
    assert_eq!(count(&app, &bob).await, accounts, "no refused account was created");
    // No body, no type needed.
    let r = send(reqwest::Method::POST, format!("/api/v1/accounts/{id}:follow"), None, "").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // A file is its own type.
    let r =
        send(reqwest::Method::POST, format!("/api/v1/accounts/{id}/files?file_name=a.txt"), Some("text/plain"), "hi")
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    app.stop().await;
}

/// A malformed id in a path is named as the path names it, whatever the
/// service behind calls it in its request (`record.id`, `attachment_id`,
/// `quote_id`, `view.id`).
#[tokio::test]
async fn a_malformed_path_id_is_named_as_the_path_names_it() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let a = app.create_account(&bob, "Named").await;
    let id = a["id"].as_str().unwrap();
    let bad = "not-an-id";
    for (method, path, body, field) in [
        (reqwest::Method::GET, format!("/api/v1/accounts/{bad}/notes"), None, "id"),
        (reqwest::Method::POST, format!("/api/v1/accounts/{bad}/notes"), Some(json!({"body": "hi"})), "id"),
        (reqwest::Method::GET, format!("/api/v1/accounts/{bad}/history"), None, "id"),
        (reqwest::Method::GET, format!("/api/v1/accounts/{bad}/followers"), None, "id"),
        (reqwest::Method::POST, format!("/api/v1/accounts/{bad}:follow"), None, "id"),
        (reqwest::Method::GET, format!("/api/v1/accounts/{id}/files/{bad}"), None, "file_id"),
        (
            reqwest::Method::POST,
            format!("/api/v1/quotes/{bad}/lines"),
            Some(json!({"product_id": id, "quantity": 1})),
            "id",
        ),
        (reqwest::Method::DELETE, format!("/api/v1/quotes/{bad}/lines/{id}"), None, "id"),
        (reqwest::Method::PATCH, format!("/api/v1/accounts/views/{bad}"), Some(json!({"name": "X"})), "view_id"),
        (reqwest::Method::DELETE, format!("/api/v1/accounts/views/{bad}"), None, "view_id"),
        (reqwest::Method::PATCH, format!("/api/v1/projects/views/{bad}"), Some(json!({"name": "X"})), "view_id"),
    ] {
        let r = app.call(method.clone(), &path, Some(&bob), body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{method} {path}: {}", r.body);
        assert_eq!(r.field(), field, "{method} {path}: {}", r.body);
    }
    app.stop().await;
}

/// A date is written one way, the document's `format: date`: every date
/// field takes `YYYY-MM-DD` exactly and refuses anything looser (a space,
/// a missing zero, a day that does not exist) with 400 naming the field.
#[tokio::test]
async fn a_date_is_taken_only_as_the_document_declares_it() {
    let app = spawn_app().await;
    let alice = app.login("alice@acme.example").await;
    let account = app.create_account(&alice, "Dated").await["id"].as_str().unwrap().to_string();
    let project = app.create_project(&alice, &account).await;
    let good = prm_kit::testing::days_from_today(30);
    let bad =
        [format!(" {good}"), format!("{good} "), good.replace("-0", "-"), "2027-02-30".into(), "31.12.2027".into()];
    let bad: Vec<String> = bad.into_iter().filter(|b| *b != good).collect();
    let bodies = |date: &str| {
        [
            (
                "/api/v1/projects",
                "close_date",
                json!({"name": "D", "account_id": account, "record_type": "new_business", "close_date": date}),
            ),
            (
                "/api/v1/quotes",
                "expiry_date",
                json!({"name": "D", "project_id": project, "account_id": account, "currency_code": "EUR", "shipping_address_type": "end_user", "expiry_date": date}),
            ),
            (
                "/api/v1/tasks",
                "due_date",
                json!({"subject": "D", "type": "call", "related": {"type": "project", "id": project}, "due_date": date}),
            ),
        ]
    };
    for date in &bad {
        for (path, field, body) in bodies(date) {
            let r = app.post(path, &alice, body.clone()).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path} {date:?}: {}", r.body);
            assert_eq!(r.field(), field, "{path} {date:?}: {}", r.body);
        }
        let r = app.patch(&format!("/api/v1/projects/{project}"), &alice, json!({"close_date": date})).await;
        assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "close_date"), "PATCH {date:?}: {}", r.body);
    }
    for (path, field, body) in bodies(&good) {
        let r = app.post(path, &alice, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
        assert_eq!(r.body[field], json!(good), "{path}");
    }
    app.stop().await;
}

//! Support cases over REST: the thread with internal comments for support
//! only, the status path, assignment, the e-mail to the submitter (an .eml
//! file in the embedded default), tenancy on every route, and bad input.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn open_case(app: &TestApp, token: &str, subject: &str) -> Value {
    let r = app
        .post(
            "/api/v1/cases",
            token,
            json!({"subject": subject, "description": "Calls drop after 30 s.", "product": "classound", "priority": "high"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

/// The .eml files in the mail directory, waiting (up to 10 s) for `n`: the
/// outbox relay sends them shortly after the change.
async fn mails(app: &TestApp, n: usize) -> Vec<String> {
    let read = || -> Vec<String> {
        std::fs::read_dir(&app.mail_dir.0)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    // Undo quoted-printable soft line breaks, so long lines read whole.
                    .map(|m| m.replace("=\r\n", "").replace("=\n", ""))
                    .collect()
            })
            .unwrap_or_default()
    };
    for _ in 0..100 {
        let m = read();
        if m.len() >= n {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    read()
}

#[tokio::test]
async fn a_case_is_answered_in_its_thread_and_the_submitter_is_mailed_a_link() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let sam = app.login("sam@vendor.example").await;
    let case = open_case(&app, &bob, "SIP trunk down").await;
    let id = case["id"].as_str().unwrap();
    assert_eq!(case["number"], "CS-000001");
    assert_eq!(case["status"], "new");
    assert_eq!(case["submitter"]["email"], "bob@acme.example");

    // Support sees it, takes it and answers; one note stays internal.
    let listed = app.get("/api/v1/cases", &sam).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let taken = app.post(&format!("/api/v1/cases/{id}:assign"), &sam, json!({})).await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    assert_eq!(taken.body["assignee"]["email"], "sam@vendor.example");
    let moved = app.post(&format!("/api/v1/cases/{id}:transition"), &sam, json!({"status": "in_progress"})).await;
    assert_eq!(moved.body["status"], "in_progress", "{}", moved.body);
    let internal = app
        .post(&format!("/api/v1/cases/{id}/comments"), &sam, json!({"body": "Known SBC bug.", "internal": true}))
        .await;
    assert_eq!(internal.status, StatusCode::CREATED, "{}", internal.body);
    let reply =
        app.post(&format!("/api/v1/cases/{id}/comments"), &sam, json!({"body": "Please restart the SBC."})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["author_name"], "Sam Support");

    // Exactly one e-mail, to Bob, with the reply and a link to the case.
    let sent = mails(&app, 1).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let sent = if mails(&app, 0).await.len() > sent.len() { mails(&app, 0).await } else { sent };
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("bob@acme.example"), "{}", sent[0]);
    assert!(sent[0].contains("Please restart the SBC."), "{}", sent[0]);
    assert!(sent[0].contains(&format!("/cases/{id}")), "{}", sent[0]);
    assert!(!sent[0].contains("Known SBC bug"), "{}", sent[0]);

    // Bob sees the public thread only, and counts what he sees.
    let thread = app.get(&format!("/api/v1/cases/{id}/comments"), &bob).await;
    let bodies: Vec<&str> =
        thread.body["items"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Please restart the SBC."]);
    assert_eq!(app.get(&format!("/api/v1/cases/{id}"), &bob).await.body["comment_count"], 1);
    assert_eq!(app.get(&format!("/api/v1/cases/{id}"), &sam).await.body["comment_count"], 2);
    assert_eq!(app.get(&format!("/api/v1/cases/{id}/comments"), &sam).await.body["items"].as_array().unwrap().len(), 2);
    let psst = app.post(&format!("/api/v1/cases/{id}/comments"), &bob, json!({"body": "psst", "internal": true})).await;
    assert_eq!(psst.status, StatusCode::FORBIDDEN);

    // The partner edits while open; the status path with its refusals.
    let patched = app.patch(&format!("/api/v1/cases/{id}"), &bob, json!({"subject": "SIP trunk down (Berlin)"})).await;
    assert_eq!(patched.body["subject"], "SIP trunk down (Berlin)", "{}", patched.body);
    let r = app.post(&format!("/api/v1/cases/{id}:transition"), &bob, json!({"status": "solved"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.post(&format!("/api/v1/cases/{id}:transition"), &sam, json!({"status": "closed"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body["detail"].as_str().unwrap().contains("waiting_on_partner or solved"), "{}", r.body);
    let asked = app
        .post(
            &format!("/api/v1/cases/{id}:transition"),
            &sam,
            json!({"status": "waiting_on_partner", "message": "Did the restart help?"}),
        )
        .await;
    assert_eq!(asked.body["status"], "waiting_on_partner");
    app.post(&format!("/api/v1/cases/{id}/comments"), &bob, json!({"body": "Yes, all good."})).await;
    assert_eq!(app.get(&format!("/api/v1/cases/{id}"), &bob).await.body["status"], "in_progress");
    app.post(&format!("/api/v1/cases/{id}:transition"), &sam, json!({"status": "solved"})).await;
    let closed = app.post(&format!("/api/v1/cases/{id}:transition"), &bob, json!({"status": "closed"})).await;
    assert_eq!(closed.body["status"], "closed", "{}", closed.body);
    // Sam got Bob's two replies; Bob the question as well as the first reply.
    let sent = mails(&app, 3).await;
    assert!(sent.iter().any(|m| m.contains("sam@vendor.example") && m.contains("Yes, all good.")), "{sent:?}");
    assert!(sent.iter().any(|m| m.contains("Did the restart help?")), "{sent:?}");

    // History, search and follow work on cases like on every record.
    let history = app.get(&format!("/api/v1/cases/{id}/history"), &bob).await;
    assert!(history.body["items"].as_array().unwrap().iter().any(|c| c["field"] == "status"), "{}", history.body);
    let hits = app.get("/api/v1/cases:search?query=cs-000001", &bob).await;
    assert_eq!(hits.body["items"][0]["id"], id, "{}", hits.body);
    let r = app.post(&format!("/api/v1/cases/{id}:follow"), &bob, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.stop().await;
}

#[tokio::test]
async fn another_partner_finds_no_case_on_any_route_and_support_sees_all() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let sam = app.login("sam@vendor.example").await;
    let maria = app.login("maria@vendor.example").await;
    let case = open_case(&app, &bob, "Acme only").await;
    let id = case["id"].as_str().unwrap();
    open_case(&app, &carol, "Borealis only").await;

    let base = format!("/api/v1/cases/{id}");
    for r in [
        app.get(&base, &carol).await,
        app.patch(&base, &carol, json!({"subject": "x"})).await,
        app.post(&format!("{base}:transition"), &carol, json!({"status": "closed"})).await,
        app.post(&format!("{base}:follow"), &carol, json!({})).await,
        app.get(&format!("{base}/comments"), &carol).await,
        app.post(&format!("{base}/comments"), &carol, json!({"body": "hi"})).await,
        app.get(&format!("{base}/notes"), &carol).await,
        app.get(&format!("{base}/history"), &carol).await,
        app.get(&format!("{base}/files"), &carol).await,
    ] {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    let theirs = app.get("/api/v1/cases", &carol).await;
    assert_eq!(theirs.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(theirs.body["items"][0]["subject"], "Borealis only");
    assert_eq!(app.get("/api/v1/cases:search?query=acme", &carol).await.body["items"].as_array().unwrap().len(), 0);
    // Support sees every partner's case; Maria those of Acme, her partner.
    assert_eq!(app.get("/api/v1/cases", &sam).await.body["items"].as_array().unwrap().len(), 2);
    let hers = app.get("/api/v1/cases", &maria).await;
    assert_eq!(hers.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(hers.body["items"][0]["subject"], "Acme only");
    // Only support assigns, and only to a support agent.
    let r = app.post(&format!("{base}:assign"), &bob, json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let bob_id = app.get("/api/v1/me", &bob).await.body["id"].as_str().unwrap().to_string();
    let r = app.post(&format!("{base}:assign"), &sam, json!({"assignee_id": bob_id})).await;
    assert_eq!(r.field(), "assignee_id", "{}", r.body);
    app.stop().await;
}

#[tokio::test]
async fn bad_case_input_names_the_field() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let ok = json!({"subject": "S", "description": "D", "product": "hwaas"});
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    for (body, field) in [
        (with("subject", json!("")), "subject"),
        (with("description", json!("  ")), "description"),
        (with("product", json!("phone")), "product"),
        (with("product", json!("")), "product"),
        (with("priority", json!("asap")), "priority"),
        (with("number", json!("CS-1")), "number"),
    ] {
        let r = app.post("/api/v1/cases", &bob, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert_eq!(r.field(), field, "{body}: {}", r.body);
    }
    let case = open_case(&app, &bob, "Valid").await;
    let id = case["id"].as_str().unwrap();
    let r = app.post(&format!("/api/v1/cases/{id}:transition"), &bob, json!({"status": "bogus"})).await;
    assert_eq!(r.field(), "status", "{}", r.body);
    let r = app.post(&format!("/api/v1/cases/{id}/comments"), &bob, json!({"body": ""})).await;
    assert_eq!(r.field(), "body", "{}", r.body);
    let r = app.patch(&format!("/api/v1/cases/{id}"), &bob, json!({"status": "closed"})).await;
    assert_eq!(r.field(), "status", "{}", r.body);
    let r = app.get("/api/v1/cases?filter=colour%20%3D%20red", &bob).await;
    assert_eq!(r.field(), "filter", "{}", r.body);
    app.stop().await;
}

/// A case says which moves of its status path the reader may make, and each
/// one offered is accepted: the submitter may withdraw a new case, support
/// moves it along, a colleague who did not submit it (a partner user)
/// moves nothing.
#[tokio::test]
async fn a_case_offers_each_reader_the_moves_they_may_make() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let alice = app.login("alice@acme.example").await;
    let sam = app.login("sam@vendor.example").await;
    let id = open_case(&app, &alice, "Moves").await["id"].as_str().unwrap().to_string();
    let moves = |token: String| {
        let (app, id) = (&app, id.clone());
        async move { app.get(&format!("/api/v1/cases/{id}"), &token).await.body["moves"].clone() }
    };
    assert_eq!(moves(alice.clone()).await, json!(["closed"]));
    assert_eq!(moves(bob.clone()).await, json!([]), "a colleague who did not submit it");
    assert_eq!(moves(sam.clone()).await, json!(["in_progress", "waiting_on_partner", "solved", "closed"]));
    // What is offered is taken; after solving, the partner closes or reopens.
    let r = app.post(&format!("/api/v1/cases/{id}:transition"), &sam, json!({"status": "solved"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["moves"],
        json!(["closed", "in_progress"]),
        "support's moves from solved, in the transition's answer"
    );
    assert_eq!(moves(alice.clone()).await, json!(["closed", "in_progress"]));
    let r = app.post(&format!("/api/v1/cases/{id}:transition"), &alice, json!({"status": "closed"})).await;
    assert_eq!((r.status, r.body["moves"].clone()), (StatusCode::OK, json!([])), "{}", r.body);
    app.stop().await;
}

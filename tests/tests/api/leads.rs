//! Leads over REST: create with duplicates, status moves, the vendor's
//! distribution, conversion (also replayed with an Idempotency-Key), search,
//! tenancy and errors naming the field.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn create_lead(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post("/api/v1/leads", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

async fn partner_id(app: &TestApp, token: &str, name: &str) -> String {
    let r = app.get("/api/v1/partners", token).await;
    let p = r.body["items"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap().clone();
    id(&p)
}

#[tokio::test]
async fn a_lead_is_created_worked_and_converted_once_over_rest() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let body = json!({"company": "Wayne Enterprises", "first_name": "Lucius", "last_name": "Fox",
        "email": "lucius@wayne.example", "phone": "+1 555 0100", "address": {"city": "Gotham", "country": "US"},
        "source": "referral", "estimated_users": 250, "interested_solutions": ["licenses", "classound"]});
    let created = create_lead(&app, &bob, body).await;
    assert_eq!(created["duplicates"], json!([]));
    let lead = &created["lead"];
    let lid = id(lead);
    assert_eq!((lead["status"].as_str(), lead["source"].as_str()), (Some("new"), Some("referral")));
    assert_eq!(lead["interested_solutions"], json!(["licenses", "classound"]));
    assert_eq!(app.get(&format!("/api/v1/leads/{lid}"), &bob).await.body, *lead);

    // The same e-mail in another case is a likely duplicate.
    let again =
        create_lead(&app, &bob, json!({"company": "Wayne Corp", "last_name": "Fox", "email": "LUCIUS@wayne.example"}))
            .await;
    assert_eq!(again["duplicates"][0]["id"], lead["id"]);
    // And before saving, as the form is typed.
    let found = app.post("/api/v1/leads:findDuplicates", &bob, json!({"email": " Lucius@Wayne.example"})).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let found: Vec<&str> = found.body["items"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert!(found.contains(&lid.as_str()) && found.len() == 2, "{found:?}");
    let carol = app.login("carol@borealis.example").await;
    let theirs = app.post("/api/v1/leads:findDuplicates", &carol, json!({"email": "lucius@wayne.example"})).await;
    assert_eq!(theirs.body["items"], json!([]), "another partner's leads are not found");
    let bad = app.post("/api/v1/leads:findDuplicates", &bob, json!({"email": "x", "id": "1"})).await;
    assert_eq!((bad.status, bad.field()), (StatusCode::BAD_REQUEST, "id"), "{}", bad.body);

    // Status moves, and a refused one.
    let path = format!("/api/v1/leads/{lid}");
    let r = app.patch(&path, &bob, json!({"status": "qualified"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    for s in ["working", "qualified"] {
        let r = app.patch(&path, &bob, json!({"status": s})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], s);
    }

    // Converted with a project; the Idempotency-Key replays the answer, and
    // a plain retry answers the same conversion.
    let key = uuid::Uuid::new_v4().to_string();
    let convert = json!({"create_project": true, "project_close_date": prm_kit::testing::days_from_today(180)});
    let headers = [("idempotency-key", key.as_str())];
    let first =
        app.call_with(Method::POST, &format!("{path}:convert"), Some(&bob), Some(convert.clone()), &headers).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["status"], "converted");
    let replayed =
        app.call_with(Method::POST, &format!("{path}:convert"), Some(&bob), Some(convert.clone()), &headers).await;
    assert_eq!(replayed.body, first.body);
    assert_eq!(replayed.headers["idempotent-replayed"], "true");
    let retried = app.post(&format!("{path}:convert"), &bob, convert).await;
    assert_eq!(retried.status, StatusCode::OK);
    for link in ["converted_account_id", "converted_contact_id", "converted_project_id"] {
        assert_eq!(retried.body[link], first.body[link], "{link}");
    }
    let account =
        app.get(&format!("/api/v1/accounts/{}", first.body["converted_account_id"].as_str().unwrap()), &bob).await;
    assert_eq!(account.body["name"], "Wayne Enterprises");
    let contact =
        app.get(&format!("/api/v1/contacts/{}", first.body["converted_contact_id"].as_str().unwrap()), &bob).await;
    assert_eq!(contact.body["last_name"], "Fox");
    let project =
        app.get(&format!("/api/v1/projects/{}", first.body["converted_project_id"].as_str().unwrap()), &bob).await;
    assert_eq!(project.status, StatusCode::OK, "{}", project.body);
    assert_eq!(
        (project.body["name"].as_str(), project.body["total_users"].as_i64()),
        (Some("Wayne Enterprises"), Some(250))
    );
    let accounts = app.get("/api/v1/accounts?filter=name%20%3D%20%22Wayne%20Enterprises%22", &bob).await;
    assert_eq!(accounts.body["items"].as_array().unwrap().len(), 1, "one account for three calls");

    // A converted lead no longer changes; its history shows the conversion.
    let r = app.patch(&path, &bob, json!({"company": "Other"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let h = app.get(&format!("{path}/history"), &bob).await;
    assert!(h.body["items"].as_array().unwrap().iter().any(|c| c["new_value"] == "converted"), "{}", h.body);
    let note = app.post(&format!("{path}/notes"), &bob, json!({"body": "Signed!"})).await;
    assert_eq!(note.status, StatusCode::CREATED);
    app.stop().await;
}

#[tokio::test]
async fn the_vendor_distributes_leads_that_partners_accept_or_reject() {
    let app = spawn_app().await;
    let (victor, alice, bob) = (
        app.login("victor@vendor.example").await,
        app.login("alice@acme.example").await,
        app.login("bob@acme.example").await,
    );
    let carol = app.login("carol@borealis.example").await;
    let acme = partner_id(&app, &victor, "Acme Telecom").await;

    // The demo's pending lead waits for Acme.
    let pending = app.get("/api/v1/leads?filter=acceptance_state%20%3D%20pending", &alice).await;
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 1, "{}", pending.body);

    let pooled = create_lead(&app, &victor, json!({"company": "Gringotts", "last_name": "Griphook"})).await;
    let lid = id(&pooled["lead"]);
    let path = format!("/api/v1/leads/{lid}");
    assert_eq!(pooled["lead"]["partner_id"], "");
    assert_eq!(app.get(&path, &alice).await.status, StatusCode::NOT_FOUND, "the pool is the vendor's");

    let r = app.post(&format!("{path}:distribute"), &victor, json!({"partner_id": uuid::Uuid::new_v4()})).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "partner_id"));
    let r = app.post(&format!("{path}:distribute"), &victor, json!({"partner_id": acme})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["acceptance_state"].as_str(), r.body["source"].as_str()),
        (Some("pending"), Some("vendor_distributed"))
    );

    // Acme sees it, read-only; its admin decides.
    assert_eq!(app.get(&path, &bob).await.status, StatusCode::OK);
    assert_eq!(app.get(&path, &carol).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.patch(&path, &bob, json!({"status": "working"})).await.status, StatusCode::CONFLICT);
    assert_eq!(app.post(&format!("{path}:accept"), &bob, json!({})).await.status, StatusCode::FORBIDDEN);
    let accepted = app.post(&format!("{path}:accept"), &alice, json!({})).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.body["acceptance_state"], "accepted");

    // The demo's pending lead is rejected: back in the vendor's pool.
    let demo_id = id(&pending.body["items"][0]);
    let r = app.post(&format!("/api/v1/leads/{demo_id}:reject"), &alice, json!({"reason": ""})).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "reason"));
    let r = app.post(&format!("/api/v1/leads/{demo_id}:reject"), &alice, json!({"reason": "Not our region"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.get(&format!("/api/v1/leads/{demo_id}"), &alice).await.status, StatusCode::NOT_FOUND);
    let seen = app.get(&format!("/api/v1/leads/{demo_id}"), &victor).await;
    assert_eq!(
        (seen.body["acceptance_state"].as_str(), seen.body["reject_reason"].as_str()),
        (Some("rejected"), Some("Not our region"))
    );
    app.stop().await;
}

#[tokio::test]
async fn another_partners_leads_are_not_found_on_any_route() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let lead =
        create_lead(&app, &bob, json!({"company": "Krusty Krab", "last_name": "Krabs", "phone": "+49 30 5550199"}))
            .await;
    let path = format!("/api/v1/leads/{}", id(&lead["lead"]));
    assert_eq!(app.get(&path, &carol).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.patch(&path, &carol, json!({"company": "Mine"})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&path, &carol).await.status, StatusCode::NOT_FOUND);
    for verb in ["convert", "accept", "follow"] {
        assert_eq!(
            app.post(&format!("{path}:{verb}"), &carol, json!({})).await.status,
            StatusCode::NOT_FOUND,
            "{verb}"
        );
    }
    let r = app.post(&format!("{path}:reject"), &carol, json!({"reason": "no"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("{path}/notes"), &carol).await.status, StatusCode::NOT_FOUND);
    let listed = app.get("/api/v1/leads?page_size=500", &carol).await;
    assert!(listed.body["items"].as_array().unwrap().iter().all(|l| l["company"] != "Krusty Krab"));
    let hits = app.get("/api/v1/leads:search?query=krusty", &carol).await;
    assert_eq!(hits.body["items"], json!([]));
    // Bob's colleagues and Bob find it, by company or by phone in another format.
    for q in ["krusty", "30%20555-0199"] {
        let hits = app.get(&format!("/api/v1/leads:search?query={q}"), &bob).await;
        assert_eq!(hits.status, StatusCode::OK, "{}", hits.body);
        assert_eq!(hits.body["items"][0]["id"], lead["lead"]["id"], "{q}");
    }
    app.stop().await;
}

#[tokio::test]
async fn bad_input_answers_400_naming_the_field() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    for (body, field) in [
        (json!({"last_name": "Fox"}), "company"),
        (json!({"company": "W", "last_name": "Fox", "status": "bogus"}), "status"),
        (json!({"company": "W", "last_name": "Fox", "source": "vendor_distributed"}), "source"),
        (json!({"company": "W", "last_name": "Fox", "interested_solutions": ["phones"]}), "interested_solutions"),
        (json!({"company": "W", "last_name": "Fox", "email": "fox@"}), "email"),
        (json!({"company": "W", "last_name": "Fox", "partner_id": "x"}), "partner_id"),
        (json!({"company": "W", "last_name": "Fox", "acceptance_state": "accepted"}), "acceptance_state"),
    ] {
        let r = app.post("/api/v1/leads", &bob, body.clone()).await;
        assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, field), "{body} {}", r.body);
    }
    let lead = create_lead(&app, &bob, json!({"company": "Wayne", "last_name": "Fox"})).await;
    let path = format!("/api/v1/leads/{}", id(&lead["lead"]));
    let r = app.patch(&path, &bob, json!({"estimated_users": -5})).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "estimated_users"));
    for s in ["working", "qualified"] {
        app.patch(&path, &bob, json!({"status": s})).await;
    }
    for (body, field) in [
        (json!({"create_project": true, "project_record_type": "partnership"}), "project_record_type"),
        (json!({"create_project": true, "project_close_date": "next spring"}), "project_close_date"),
    ] {
        let r = app.post(&format!("{path}:convert"), &bob, body).await;
        assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, field), "{}", r.body);
    }
    assert_eq!(app.get(&path, &bob).await.body["status"], "qualified", "nothing converted");
    let r = app.get("/api/v1/leads?filter=status%20%3D%20done", &bob).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "filter"));
    let r = app.get("/api/v1/leads:search?query=x", &bob).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "query"));
    app.stop().await;
}

#[tokio::test]
async fn a_redistributed_lead_shows_the_next_partner_nothing_the_first_one_wrote() {
    let app = spawn_app().await;
    let victor = app.login("victor@vendor.example").await;
    let alice = app.login("alice@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let (acme, borealis) =
        (partner_id(&app, &victor, "Acme Telecom").await, partner_id(&app, &victor, "Borealis Networks").await);
    let lead = create_lead(&app, &victor, json!({"company": "Ollivanders", "last_name": "Ollivander"})).await;
    let path = format!("/api/v1/leads/{}", id(&lead["lead"]));
    let r = app.post(&format!("{path}:distribute"), &victor, json!({"partner_id": acme})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Acme writes on it, then hands it back.
    let r = app.post(&format!("{path}/notes"), &alice, json!({"body": "Acme's pricing idea: 30 % off"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let f = app
        .http
        .post(app.url(&format!("{path}/files?file_name=acme-offer.pdf")))
        .bearer_auth(&alice)
        .header("content-type", "application/pdf")
        .body(b"%PDF-1.7 Acme's offer".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(f.status(), StatusCode::CREATED);
    let file: Value = f.json().await.unwrap();
    assert_eq!(app.post(&format!("{path}:follow"), &alice, json!({})).await.status, StatusCode::OK);
    let r = app.post(&format!("{path}:reject"), &alice, json!({"reason": "Acme is too busy"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app.post(&format!("{path}:distribute"), &victor, json!({"partner_id": borealis})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["reject_reason"], "", "the reason is not carried to the next partner");

    // Borealis sees the lead and none of what Acme wrote.
    let lead_now = app.get(&path, &carol).await;
    assert_eq!(lead_now.status, StatusCode::OK, "{}", lead_now.body);
    for part in ["notes", "files", "followers"] {
        let r = app.get(&format!("{path}/{part}"), &carol).await;
        assert_eq!(r.status, StatusCode::OK, "{part}: {}", r.body);
        assert_eq!(r.body["items"], json!([]), "{part}: {}", r.body);
    }
    let file_path = format!("{path}/files/{}", file["id"].as_str().unwrap());
    assert_eq!(app.get(&file_path, &carol).await.status, StatusCode::NOT_FOUND);
    let history = app.get(&format!("{path}/history"), &carol).await;
    let text = history.body.to_string();
    assert!(!text.contains("Acme is too busy") && !text.contains(&acme), "{text}");
    // The vendor still sees everything.
    let notes = app.get(&format!("{path}/notes"), &victor).await;
    assert_eq!(notes.body["items"][0]["body"], "Acme's pricing idea: 30 % off");
    app.stop().await;
}

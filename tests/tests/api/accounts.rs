//! Accounts and contacts over REST: sign in, CRUD, history, paging.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn login_and_crud_over_rest() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;

    let created = app
        .post(
            "/api/v1/accounts",
            &bob,
            json!({"name": "Wayne Enterprises", "type": "customer", "website": "wayne.example",
                   "billing_address": {"city": "Gotham", "country": "US"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.headers["location"], format!("/api/v1/accounts/{id}").as_str());
    assert_eq!(created.body["type"], "customer");
    assert_eq!(created.body["website"], "https://wayne.example");
    assert_eq!(created.body["billing_address"]["city"], "Gotham");

    let read = app.get(&format!("/api/v1/accounts/{id}"), &bob).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, created.body);

    let patched = app
        .patch(&format!("/api/v1/accounts/{id}"), &bob, json!({"billing_address": {"street": "1007 Mountain Drive"}}))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["billing_address"]["street"], "1007 Mountain Drive");
    assert_eq!(patched.body["billing_address"]["city"], "Gotham", "other address parts stay");

    let contact = app.create_contact(&bob, &id, "Pennyworth").await;
    let cid = contact["id"].as_str().unwrap();
    let listed = app.get(&format!("/api/v1/contacts?filter=account_id%20%3D%20{id}"), &bob).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);

    // An account with a contact is not deleted; without, it is.
    let refused = app.delete(&format!("/api/v1/accounts/{id}"), &bob).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body["detail"].as_str().unwrap().contains("1 contact"), "{}", refused.body);
    assert_eq!(app.delete(&format!("/api/v1/contacts/{cid}"), &bob).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.delete(&format!("/api/v1/accounts/{id}"), &bob).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/v1/accounts/{id}"), &bob).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/contacts/{cid}"), &bob).await.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn what_others_point_at_is_not_deleted_and_a_deleted_contact_leaves_its_roles() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let alice = app.login("alice@acme.example").await;
    let account = app.create_account(&bob, "Umbrella Corp").await["id"].as_str().unwrap().to_string();
    // A colleague's project counts as well: bob cannot see it is alice's.
    let project = app.create_project(&alice, &account).await;
    let refused = app.delete(&format!("/api/v1/accounts/{account}"), &bob).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body["detail"].as_str().unwrap().contains("project ("), "{}", refused.body);
    assert_eq!(app.get(&format!("/api/v1/accounts/{account}"), &bob).await.status, StatusCode::OK, "still there");

    // A project with a quote is not deleted either.
    let quote = app
        .post(
            "/api/v1/quotes",
            &alice,
            json!({"name": "Umbrella offer", "project_id": project, "account_id": account, "currency_code": "EUR",
                   "shipping_address_type": "end_user", "expiry_date": prm_kit::testing::days_from_today(30)}),
        )
        .await;
    assert_eq!(quote.status, StatusCode::CREATED, "{}", quote.body);
    let refused = app.delete(&format!("/api/v1/projects/{project}"), &alice).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body["detail"].as_str().unwrap().contains("Umbrella offer"), "{}", refused.body);
    let qid = quote.body["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/api/v1/quotes/{qid}"), &alice).await.status, StatusCode::NO_CONTENT);

    // A deleted contact leaves the contact roles of its projects.
    let contact = app.create_contact(&alice, &account, "Wesker").await["id"].as_str().unwrap().to_string();
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{project}/contacts/{contact}"),
            Some(&alice),
            Some(json!({"role": "Decision maker"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.delete(&format!("/api/v1/contacts/{contact}"), &alice).await.status, StatusCode::NO_CONTENT);
    let mut roles = Vec::new();
    for _ in 0..100 {
        roles = app.get(&format!("/api/v1/projects/{project}/contacts"), &alice).await.body["items"]
            .as_array()
            .unwrap()
            .clone();
        if roles.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(roles.is_empty(), "the deleted contact still has a role: {roles:?}");

    // Dependents gone, both deletes go through.
    assert_eq!(app.delete(&format!("/api/v1/projects/{project}"), &alice).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.delete(&format!("/api/v1/accounts/{account}"), &bob).await.status, StatusCode::NO_CONTENT);
    app.stop().await;
}

#[tokio::test]
async fn every_route_but_login_needs_a_token() {
    let app = spawn_app().await;
    for path in ["/api/v1/accounts", "/api/v1/contacts", "/api/v1/me", "/api/v1/users"] {
        let r = app.call(reqwest::Method::GET, path, None, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(r.headers["content-type"], "application/problem+json");
    }
    let r = app.call(reqwest::Method::GET, "/api/v1/accounts", Some("not-a-token"), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn field_history_holds_old_and_new_values() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let a = app.create_account(&bob, "Initrode").await;
    let id = a["id"].as_str().unwrap();
    app.patch(&format!("/api/v1/accounts/{id}"), &bob, json!({"name": "Initrode Global", "type": "customer"})).await;
    let h = app.get(&format!("/api/v1/accounts/{id}/history"), &bob).await;
    assert_eq!(h.status, StatusCode::OK);
    let mut changes: Vec<(String, String, String)> = h.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap().into(),
                c["old_value"].as_str().unwrap().into(),
                c["new_value"].as_str().unwrap().into(),
            )
        })
        .collect();
    changes.sort();
    assert_eq!(
        changes,
        vec![
            ("name".into(), "Initrode".into(), "Initrode Global".into()),
            ("type".into(), "prospect".into(), "customer".into()),
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn paging_neither_skips_nor_repeats_while_rows_are_inserted() {
    let app = spawn_app().await;
    let carol = app.login("carol@borealis.example").await;
    let mut all = Vec::new();
    for i in 0..12 {
        all.push(app.create_account(&carol, &format!("Paged {i:02}")).await["id"].as_str().unwrap().to_string());
    }
    let before = app.get("/api/v1/accounts?page_size=100", &carol).await.body["items"].as_array().unwrap().len();
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let r = app.get(&format!("/api/v1/accounts?page_size=5&order_by=create_time&page_token={token}"), &carol).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        seen.extend(r.body["items"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_string()));
        app.create_account(&carol, "Inserted while paging").await;
        token = r.body["next_page_token"].as_str().unwrap().to_string();
        if token.is_empty() {
            break;
        }
    }
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no row twice");
    for id in &all {
        assert!(seen.contains(id), "no row skipped");
    }
    assert!(seen.len() >= before);
    app.stop().await;
}

#[tokio::test]
async fn notes_files_and_follow() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let a = app.create_account(&bob, "Hooli").await;
    let id = a["id"].as_str().unwrap();
    let n = app.post(&format!("/api/v1/accounts/{id}/notes"), &bob, json!({"body": "Met their CTO"})).await;
    assert_eq!(n.status, StatusCode::CREATED, "{}", n.body);
    let notes = app.get(&format!("/api/v1/accounts/{id}/notes"), &bob).await;
    assert_eq!(notes.body["items"][0]["body"], "Met their CTO");

    let f = app
        .http
        .post(app.url(&format!("/api/v1/accounts/{id}/files?file_name=offer.pdf")))
        .bearer_auth(&bob)
        .header("content-type", "application/pdf")
        .body(b"%PDF-1.7 offer".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(f.status(), StatusCode::CREATED);
    let file: serde_json::Value = f.json().await.unwrap();
    let content = app
        .http
        .get(app.url(&format!("/api/v1/accounts/{id}/files/{}/content", file["id"].as_str().unwrap())))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(content.headers()["content-type"], "application/pdf");
    assert_eq!(content.bytes().await.unwrap().as_ref(), b"%PDF-1.7 offer");

    let r = app.post(&format!("/api/v1/accounts/{id}:follow"), &bob, json!({})).await;
    assert_eq!(r.body["following"], true);
    let followers = app.get(&format!("/api/v1/accounts/{id}/followers"), &bob).await;
    assert_eq!(followers.body["items"].as_array().unwrap().len(), 1);
    let r = app.post(&format!("/api/v1/accounts/{id}:unfollow"), &bob, json!({})).await;
    assert_eq!(r.body["following"], false);
    app.stop().await;
}

#[tokio::test]
async fn owner_changes_only_to_a_colleague() {
    let app = spawn_app().await;
    let alice = app.login("alice@acme.example").await;
    let bob_id =
        app.get("/api/v1/me", &app.login("bob@acme.example").await).await.body["id"].as_str().unwrap().to_string();
    let carol_id = app.get("/api/v1/me", &app.login("carol@borealis.example").await).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = app.create_account(&alice, "Vandelay Industries").await;
    let id = a["id"].as_str().unwrap();
    let r = app.post(&format!("/api/v1/accounts/{id}:changeOwner"), &alice, json!({"new_owner_id": carol_id})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.field(), "new_owner_id");
    let r = app.post(&format!("/api/v1/accounts/{id}:changeOwner"), &alice, json!({"new_owner_id": bob_id})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["owner_id"], bob_id.as_str());
    app.stop().await;
}

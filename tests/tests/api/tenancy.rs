//! A partner never sees another partner's record; account managers read
//! their assigned partners only.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn another_partner_gets_404_on_accounts_and_contacts() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let a = app.create_account(&bob, "Acme's secret customer").await;
    let id = a["id"].as_str().unwrap();
    let c = app.create_contact(&bob, id, "Secret").await;
    let cid = c["id"].as_str().unwrap();

    for path in [format!("/api/v1/accounts/{id}"), format!("/api/v1/contacts/{cid}")] {
        assert_eq!(app.get(&path, &carol).await.status, StatusCode::NOT_FOUND, "GET {path}");
        assert_eq!(
            app.patch(&path, &carol, json!({"phone": "+1 555 0000"})).await.status,
            StatusCode::NOT_FOUND,
            "PATCH {path}"
        );
        assert_eq!(app.delete(&path, &carol).await.status, StatusCode::NOT_FOUND, "DELETE {path}");
        assert_eq!(
            app.post(&format!("{path}/notes"), &carol, json!({"body": "x"})).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(app.get(&format!("{path}/notes"), &carol).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("{path}/history"), &carol).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("{path}/files"), &carol).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.post(&format!("{path}:follow"), &carol, json!({})).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.post(&format!("{path}:changeOwner"), &carol, json!({"new_owner_id": uuid::Uuid::now_v7().to_string()}))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
    for path in ["/api/v1/accounts", "/api/v1/contacts"] {
        let listed = app.get(path, &carol).await;
        let ids: Vec<&str> =
            listed.body["items"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect();
        assert!(!ids.contains(&id) && !ids.contains(&cid), "{path} leaks");
    }
    // A filter on the other partner's id finds nothing either.
    let r = app.get(&format!("/api/v1/contacts?filter=account_id%20%3D%20{id}"), &carol).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 0);
    // Nothing changed.
    assert_eq!(app.get(&format!("/api/v1/accounts/{id}"), &bob).await.body["phone"], a["phone"]);
    app.stop().await;
}

#[tokio::test]
async fn account_manager_reads_assigned_partners_only_and_cannot_edit() {
    let app = spawn_app().await;
    let maria = app.login("maria@vendor.example").await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let acme = app.create_account(&bob, "Acme customer").await;
    let borealis = app.create_account(&carol, "Borealis customer").await;
    let acme_id = acme["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/v1/accounts/{acme_id}"), &maria).await.status, StatusCode::OK);
    assert_eq!(
        app.get(&format!("/api/v1/accounts/{}", borealis["id"].as_str().unwrap()), &maria).await.status,
        StatusCode::NOT_FOUND
    );
    let listed = app.get("/api/v1/accounts?page_size=500", &maria).await;
    assert!(listed.body["items"].as_array().unwrap().iter().all(|a| a["partner_id"] == acme["partner_id"]));
    let r = app.patch(&format!("/api/v1/accounts/{acme_id}"), &maria, json!({"name": "Renamed"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.delete(&format!("/api/v1/accounts/{acme_id}"), &maria).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post("/api/v1/accounts", &maria, json!({"name": "Mine"})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/api/v1/accounts/{acme_id}"), &bob).await.body["name"], "Acme customer");
    app.stop().await;
}

#[tokio::test]
async fn support_agents_do_not_see_partner_accounts() {
    let app = spawn_app().await;
    let sam = app.login("sam@vendor.example").await;
    let listed = app.get("/api/v1/accounts", &sam).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert!(listed.body["items"].as_array().unwrap().is_empty());
    app.stop().await;
}

/// Ids that name another service's record are checked there, in the caller's
/// scope: another partner's project (or no project) is refused like a missing
/// one, naming the field, nothing is stored, and the project's MRR, stage and
/// quotes stay its owner's.
#[tokio::test]
async fn no_partner_quotes_on_another_partners_project_or_names_its_contacts() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let acme_account = app.create_account(&bob, "Acme's customer").await;
    let acme_account = acme_account["id"].as_str().unwrap();
    let project = app.create_project(&bob, acme_account).await;
    let before = app.get(&format!("/api/v1/projects/{project}"), &bob).await.body;
    let own_account = app.create_account(&carol, "Borealis customer").await;
    let own_account = own_account["id"].as_str().unwrap();
    let own_project = app.create_project(&carol, own_account).await;
    let random = uuid::Uuid::now_v7().to_string();
    for (project_id, account_id, field) in [
        (project.as_str(), own_account, "project_id"),
        (project.as_str(), acme_account, "project_id"),
        (random.as_str(), own_account, "project_id"),
        (own_project.as_str(), acme_account, "account_id"),
    ] {
        let r = app
            .post(
                "/api/v1/quotes",
                &carol,
                json!({"name": "Takeover", "project_id": project_id, "account_id": account_id, "currency_code": "EUR"}),
            )
            .await;
        assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, field), "{}", r.body);
    }
    // Bob's own project and account, but not the project's account: refused too.
    let other = app.create_account(&bob, "Another customer").await;
    let r = app
        .post(
            "/api/v1/quotes",
            &bob,
            json!({"name": "Mixed", "project_id": project, "account_id": other["id"], "currency_code": "EUR"}),
        )
        .await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "account_id"), "{}", r.body);
    assert_eq!(app.get("/api/v1/quotes", &carol).await.body["items"].as_array().unwrap().len(), 0);
    assert_eq!(app.get(&format!("/api/v1/projects/{project}/quotes"), &bob).await.body["items"], json!([]));
    let after = app.get(&format!("/api/v1/projects/{project}"), &bob).await.body;
    assert_eq!((&after["cost_info"], &after["stage"]), (&before["cost_info"], &before["stage"]));

    // A contact role names a contact of the project's own account only.
    let stranger = app.create_contact(&bob, other["id"].as_str().unwrap(), "Stranger").await;
    let r = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/projects/{project}/contacts/{}", stranger["id"].as_str().unwrap()),
            Some(&bob),
            Some(json!({"role": "Decision maker"})),
        )
        .await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "contact_id"), "{}", r.body);
    let theirs = app.create_contact(&carol, own_account, "Theirs").await;
    let r = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/projects/{project}/contacts/{}", theirs["id"].as_str().unwrap()),
            Some(&bob),
            Some(json!({"role": "Decision maker"})),
        )
        .await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "contact_id"), "{}", r.body);
    assert_eq!(app.get(&format!("/api/v1/projects/{project}/contacts"), &bob).await.body["items"], json!([]));
    app.stop().await;
}

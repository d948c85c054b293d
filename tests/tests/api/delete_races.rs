//! A delete and a create that names the deleted record, sent at the same
//! moment, over and over: whichever wins, nothing is left pointing at a
//! record that is gone. The services run in separate databases, so no
//! foreign key holds this; the fence does (a delete marks its record
//! first, and a create checks the record again after it has stored).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Reply, TestApp, spawn_app};

/// Rounds per pair.
const ROUNDS: u64 = 30;

/// The delete and the create of one round, sent together: the delete a
/// little later each round, so every interleaving gets its turn.
async fn together(
    round: u64,
    delete: impl Future<Output = Reply>,
    create: impl Future<Output = Reply>,
) -> (Reply, Reply) {
    let delay = std::time::Duration::from_micros((round % 10) * 700);
    tokio::join!(
        async {
            tokio::time::sleep(delay).await;
            delete.await
        },
        create
    )
}

/// How the two answers of one round may pair up: the delete and the
/// create never both succeed.
fn judge(what: &str, round: u64, deleted: StatusCode, created: StatusCode, body: &serde_json::Value) {
    assert!(
        matches!(deleted, StatusCode::NO_CONTENT | StatusCode::CONFLICT),
        "{what} round {round}: the delete answered {deleted}"
    );
    assert!(
        matches!(created.as_u16(), 200 | 201 | 400 | 404),
        "{what} round {round}: the create answered {created}: {body}"
    );
    assert!(
        !(deleted == StatusCode::NO_CONTENT && created.is_success()),
        "{what} round {round}: both the delete and the create succeeded, so the new record names a deleted one: {body}"
    );
}

async fn listed(app: &TestApp, token: &str, path: &str) -> Vec<serde_json::Value> {
    app.get(path, token).await.body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn an_account_deleted_while_a_project_is_created_for_it() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let (mut deletes, mut creates) = (0, 0);
    for round in 0..ROUNDS {
        let account = app.create_account(&bob, &format!("Race {round}")).await["id"].as_str().unwrap().to_string();
        let body = json!({"name": "Racing", "account_id": account, "record_type": "new_business",
                          "close_date": prm_kit::testing::days_from_today(90)});
        let (deleted, created) = together(
            round,
            app.delete(&format!("/api/v1/accounts/{account}"), &bob),
            app.post("/api/v1/projects", &bob, body),
        )
        .await;
        judge("account/project", round, deleted.status, created.status, &created.body);
        if deleted.status == StatusCode::NO_CONTENT {
            deletes += 1;
            let left = listed(&app, &bob, &format!("/api/v1/projects?filter=account_id%20%3D%20{account}")).await;
            assert!(left.is_empty(), "round {round}: projects of a deleted account: {left:?}");
        } else if created.status.is_success() {
            creates += 1;
            let project = created.body["id"].as_str().unwrap();
            assert_eq!(app.get(&format!("/api/v1/projects/{project}"), &bob).await.status, StatusCode::OK);
        }
    }
    println!("account/project: {ROUNDS} rounds, the delete won {deletes}, the create {creates}");
    app.stop().await;
}

#[tokio::test]
async fn a_project_deleted_while_a_quote_is_created_for_it() {
    let app = spawn_app().await;
    let alice = app.login("alice@acme.example").await;
    let account = app.create_account(&alice, "Race Corp").await["id"].as_str().unwrap().to_string();
    let (mut deletes, mut creates) = (0, 0);
    for round in 0..ROUNDS {
        let project = app.create_project(&alice, &account).await;
        let body = json!({"name": format!("Offer {round}"), "project_id": project, "account_id": account,
                          "currency_code": "EUR", "shipping_address_type": "end_user",
                          "expiry_date": prm_kit::testing::days_from_today(30)});
        let (deleted, created) = together(
            round,
            app.delete(&format!("/api/v1/projects/{project}"), &alice),
            app.post("/api/v1/quotes", &alice, body),
        )
        .await;
        judge("project/quote", round, deleted.status, created.status, &created.body);
        if deleted.status == StatusCode::NO_CONTENT {
            deletes += 1;
            let left = listed(&app, &alice, &format!("/api/v1/quotes?filter=project_id%20%3D%20{project}")).await;
            assert!(left.is_empty(), "round {round}: quotes of a deleted project: {left:?}");
        } else if created.status.is_success() {
            creates += 1;
        }
    }
    println!("project/quote: {ROUNDS} rounds, the delete won {deletes}, the create {creates}");
    app.stop().await;
}

#[tokio::test]
async fn a_contact_deleted_while_it_is_given_a_role() {
    let app = spawn_app().await;
    let alice = app.login("alice@acme.example").await;
    let account = app.create_account(&alice, "Race Corp").await["id"].as_str().unwrap().to_string();
    let project = app.create_project(&alice, &account).await;
    let (mut deletes, mut roles) = (0, 0);
    for round in 0..ROUNDS {
        let contact =
            app.create_contact(&alice, &account, &format!("Racer{round}")).await["id"].as_str().unwrap().to_string();
        let role = format!("/api/v1/projects/{project}/contacts/{contact}");
        let (deleted, given) = together(
            round,
            app.delete(&format!("/api/v1/contacts/{contact}"), &alice),
            app.call(Method::PUT, &role, Some(&alice), Some(json!({"role": "Decision maker"}))),
        )
        .await;
        // A contact's delete cascades to its roles, so here both may
        // succeed: what matters is that no role is left behind.
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "round {round}: {}", deleted.body);
        assert!(matches!(given.status.as_u16(), 200 | 400 | 404), "round {round}: {} {}", given.status, given.body);
        deletes += 1;
        if given.status.is_success() {
            roles += 1;
        }
    }
    // The cascade runs through the outbox: wait for it, then no role may
    // name a deleted contact.
    let mut left = Vec::new();
    for _ in 0..100 {
        left = listed(&app, &alice, &format!("/api/v1/projects/{project}/contacts")).await;
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(left.is_empty(), "roles of deleted contacts: {left:?}");
    println!("contact/role: {ROUNDS} rounds, {deletes} deletes, {roles} roles given while their contact went");
    app.stop().await;
}

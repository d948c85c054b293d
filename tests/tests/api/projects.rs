//! Projects over REST: the stage machine through the gateway, the board,
//! list views, options and related records, tenancy, and the demo projects.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn demo_account(app: &TestApp, token: &str, name: &str) -> String {
    let r = app.get(&format!("/api/v1/accounts?filter=name%20%3D%20%22{}%22", name.replace(' ', "%20")), token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"][0]["id"].as_str().unwrap().to_string()
}

async fn new_project(app: &TestApp, token: &str, account_id: &str, extra: Value) -> Value {
    let mut body = json!({
        "name": "Globex rollout",
        "account_id": account_id,
        "record_type": "new_business",
        "close_date": prm_kit::testing::days_from_today(90),
        "total_users": 10,
        "interested_solutions": ["licenses", "hwaas"],
    });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let r = app.post("/api/v1/projects", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

#[tokio::test]
async fn a_project_walks_its_gates_over_rest() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let account = demo_account(&app, &bob, "Initech Software").await;
    let p = new_project(&app, &bob, &account, json!({})).await;
    let id = p["id"].as_str().unwrap();
    assert_eq!(p["stage"], "intro_qualification");
    assert_eq!(p["probability"], 10);
    // 10 users × (18.50 + 9.80), the demo WAPs.
    assert_eq!(p["cost_info"]["expected_mrr"], "283.00");
    assert_eq!(p["cost_info"]["mrr"], "283.00");
    assert_eq!(p["cost_info"]["weighted_pipeline"], "28.30");

    let r = app.post(&format!("/api/v1/projects/{id}:move"), &bob, json!({"stage": "demo"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body["detail"].as_str().unwrap().contains("Users of POC"), "{}", r.body);
    let r = app.patch(&format!("/api/v1/projects/{id}"), &bob, json!({"users_of_poc": 4, "capex": "2500.50"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for stage in ["demo", "project_presentation", "proposal"] {
        let r = app.post(&format!("/api/v1/projects/{id}:move"), &bob, json!({"stage": stage})).await;
        assert_eq!(r.status, StatusCode::OK, "{stage}: {}", r.body);
        assert_eq!(r.body["stage"], stage);
    }
    let r = app.post(&format!("/api/v1/projects/{id}:move"), &bob, json!({"stage": "contract_out"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app.post(&format!("/api/v1/projects/{id}:move"), &bob, json!({"stage": "closed_lost"})).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "lost_reason"), "{}", r.body);
    let r = app.post(&format!("/api/v1/projects/{id}:move"), &bob, json!({"stage": "sideways"})).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "stage"));

    let history = app.get(&format!("/api/v1/projects/{id}/history"), &bob).await;
    assert_eq!(history.status, StatusCode::OK);
    let stages: Vec<&str> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["field"] == "stage")
        .map(|c| c["new_value"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["proposal", "project_presentation", "demo"]);
    app.stop().await;
}

#[tokio::test]
async fn bad_project_input_is_a_400_naming_the_field() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let account = demo_account(&app, &bob, "Initech Software").await;
    let close = prm_kit::testing::days_from_today(90);
    for (body, field) in [
        (json!({"name": "x", "account_id": account, "record_type": "new_business"}), "close_date"),
        (json!({"name": "x", "account_id": account, "record_type": "old", "close_date": close}), "record_type"),
        (
            json!({"name": "x", "account_id": account, "record_type": "new_business", "close_date": close, "capex": "1,5"}),
            "capex",
        ),
        (
            json!({"name": "x", "account_id": account, "record_type": "new_business", "close_date": close, "interested_solutions": ["fax"]}),
            "interested_solutions",
        ),
        (
            json!({"name": "x", "account_id": account, "record_type": "new_business", "close_date": close, "stage": "proposal"}),
            "stage",
        ),
        (
            json!({"name": "x", "account_id": account, "record_type": "new_business", "close_date": close, "cost_info": {}}),
            "cost_info",
        ),
        (
            json!({"name": "x", "account_id": account, "record_type": "new_business", "close_date": close, "colour": "red"}),
            "colour",
        ),
    ] {
        let r = app.post("/api/v1/projects", &bob, body).await;
        assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, field), "{}", r.body);
    }
    let list = app.get("/api/v1/projects", &bob).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);
    let p = new_project(&app, &bob, &account, json!({})).await;
    let id = p["id"].as_str().unwrap();
    for (body, field) in [
        (json!({"record_type": "existing_customer"}), "record_type"),
        (json!({"probability": 101}), "probability"),
        (json!({"close_date": "tomorrow"}), "close_date"),
        (json!({"mrr": "5"}), "mrr"),
    ] {
        let r = app.patch(&format!("/api/v1/projects/{id}"), &bob, body).await;
        assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, field), "{}", r.body);
    }
    app.stop().await;
}

#[tokio::test]
async fn options_and_related_records_of_a_project() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let alice = app.login("alice@acme.example").await;
    let maria = app.login("maria@vendor.example").await;
    let account = demo_account(&app, &bob, "Initech Software").await;
    let p = new_project(&app, &bob, &account, json!({"users_of_poc": 3})).await;
    let id = p["id"].as_str().unwrap();

    // A quote of the project, with its products.
    let r = app.post(&format!("/api/v1/projects/{id}/quotes"), &bob, json!({"shipping_address_type": "partner"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["project_id"], *id);
    assert_eq!(r.body["account_id"], account.as_str());
    let quotes = app.get(&format!("/api/v1/projects/{id}/quotes"), &bob).await;
    assert_eq!(quotes.body["items"].as_array().unwrap().len(), 1);

    // Contacts with roles.
    let contact = app.create_contact(&bob, &account, "Lumbergh").await;
    let cid = contact["id"].as_str().unwrap();
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{id}/contacts/{cid}"),
            Some(&bob),
            Some(json!({"role": "Decision maker"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let contacts = app.get(&format!("/api/v1/projects/{id}/contacts"), &bob).await;
    assert_eq!(contacts.body["items"][0]["role"], "Decision maker");

    // Note, follow, clone.
    let r = app.post(&format!("/api/v1/projects/{id}/notes"), &bob, json!({"body": "Met the CIO."})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app.post(&format!("/api/v1/projects/{id}:follow"), &alice, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app.post(&format!("/api/v1/projects/{id}:clone"), &bob, json!({"name": "Initech phase 2"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["name"], "Initech phase 2");
    assert_eq!(r.body["stage"], "intro_qualification");
    let copy = r.body["id"].as_str().unwrap().to_string();
    let copy_quotes = app.get(&format!("/api/v1/projects/{copy}/quotes"), &bob).await;
    assert_eq!(copy_quotes.body["items"].as_array().unwrap().len(), 0);

    // Change owner: a partner admin, to a colleague only.
    let me = app.get("/api/v1/me", &alice).await;
    let alice_id = me.body["id"].as_str().unwrap();
    let r = app.post(&format!("/api/v1/projects/{id}:changeOwner"), &bob, json!({"new_owner_id": alice_id})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let carol = app.login("carol@borealis.example").await;
    let carol_id = app.get("/api/v1/me", &carol).await.body["id"].as_str().unwrap().to_string();
    let r = app.post(&format!("/api/v1/projects/{id}:changeOwner"), &alice, json!({"new_owner_id": carol_id})).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "new_owner_id"), "{}", r.body);
    let r = app.post(&format!("/api/v1/projects/{id}:changeOwner"), &alice, json!({"new_owner_id": alice_id})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["owner_id"], alice_id);

    // Approved by AM: Acme's account manager, never the partner.
    let r = app.post(&format!("/api/v1/projects/{id}:setApprovedByAm"), &alice, json!({"approved": true})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.post(&format!("/api/v1/projects/{id}:setApprovedByAm"), &maria, json!({"approved": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["approved_by_am"], true);
    assert_eq!(r.body["bonus_pipeline_satisfied"], false, "no Demo Done yet");
    app.stop().await;
}

#[tokio::test]
async fn the_board_and_list_views_over_rest() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let account = demo_account(&app, &bob, "Initech Software").await;
    for users in [1, 2, 3] {
        new_project(&app, &bob, &account, json!({"total_users": users})).await;
    }
    let r = app.get("/api/v1/projects/board?record_type=new_business&page_size=2", &bob).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let intro = &r.body["columns"][0];
    assert_eq!(intro["stage"], "intro_qualification");
    assert_eq!(intro["count"], 3);
    // (1 + 2 + 3) × 28.30
    assert_eq!(intro["mrr_total"]["EUR"], "169.80");
    assert_eq!(intro["items"].as_array().unwrap().len(), 2);
    let token = intro["next_page_token"].as_str().unwrap();
    let rest = app
        .get(
            &format!(
                "/api/v1/projects/board/intro_qualification?record_type=new_business&page_size=2&page_token={token}"
            ),
            &bob,
        )
        .await;
    assert_eq!(rest.status, StatusCode::OK, "{}", rest.body);
    assert_eq!(rest.body["items"].as_array().unwrap().len(), 1);
    let r = app.get("/api/v1/projects/board?record_type=nope", &bob).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "record_type"));

    let views = app.get("/api/v1/projects/views", &bob).await;
    assert_eq!(views.body["items"].as_array().unwrap().iter().filter(|v| v["built_in"] == true).count(), 4);
    let r = app
        .post(
            "/api/v1/projects/views",
            &bob,
            json!({"name": "Big ones", "filter": "total_users >= 2", "order_by": "mrr desc"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let view = r.body["id"].as_str().unwrap().to_string();
    let list = app.get(&format!("/api/v1/projects?view={view}"), &bob).await;
    let users: Vec<i64> =
        list.body["items"].as_array().unwrap().iter().map(|p| p["total_users"].as_i64().unwrap()).collect();
    assert_eq!(users, [3, 2]);
    let r = app.patch(&format!("/api/v1/projects/views/{view}"), &bob, json!({"filter": "colour = red"})).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "filter"), "{}", r.body);
    let mine = app.get("/api/v1/projects?view=my_projects", &bob).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 3);
    let r = app.delete(&format!("/api/v1/projects/views/{view}"), &bob).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.stop().await;
}

#[tokio::test]
async fn another_partners_project_is_not_found_on_every_route() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let sam = app.login("sam@vendor.example").await;
    let account = demo_account(&app, &bob, "Initech Software").await;
    let p = new_project(&app, &bob, &account, json!({})).await;
    let id = p["id"].as_str().unwrap();
    let contact = uuid::Uuid::now_v7();
    for token in [&carol, &sam] {
        for (method, path, body) in [
            (Method::GET, format!("/api/v1/projects/{id}"), None),
            (Method::PATCH, format!("/api/v1/projects/{id}"), Some(json!({"name": "Mine"}))),
            (Method::DELETE, format!("/api/v1/projects/{id}"), None),
            (Method::POST, format!("/api/v1/projects/{id}:move"), Some(json!({"stage": "demo"}))),
            (Method::POST, format!("/api/v1/projects/{id}:clone"), Some(json!({}))),
            (Method::POST, format!("/api/v1/projects/{id}:setApprovedByAm"), Some(json!({"approved": true}))),
            (Method::POST, format!("/api/v1/projects/{id}:follow"), Some(json!({}))),
            (
                Method::POST,
                format!("/api/v1/projects/{id}:changeOwner"),
                Some(json!({"new_owner_id": uuid::Uuid::now_v7()})),
            ),
            (Method::GET, format!("/api/v1/projects/{id}/contacts"), None),
            (Method::PUT, format!("/api/v1/projects/{id}/contacts/{contact}"), Some(json!({"role": "x"}))),
            (Method::DELETE, format!("/api/v1/projects/{id}/contacts/{contact}"), None),
            (Method::GET, format!("/api/v1/projects/{id}/quotes"), None),
            (Method::POST, format!("/api/v1/projects/{id}/quotes"), Some(json!({"shipping_address_type": "end_user"}))),
            (Method::GET, format!("/api/v1/projects/{id}/notes"), None),
            (Method::GET, format!("/api/v1/projects/{id}/history"), None),
        ] {
            let r = app.call(method.clone(), &path, Some(token), body).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}: {}", r.body);
        }
        let list = app.get("/api/v1/projects", token).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 0);
        let board = app.get("/api/v1/projects/board", token).await;
        assert!(board.body["columns"].as_array().unwrap().iter().all(|c| c["count"] == 0));
    }
    // Still there for its partner.
    assert_eq!(app.get(&format!("/api/v1/projects/{id}"), &bob).await.status, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn the_demo_has_projects_in_every_stage_of_both_record_types() {
    let app = spawn_app().await;
    prm_gateway::demo::seed_projects(app.state()).await.expect("demo projects");
    let alice = app.login("alice@acme.example").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    for (record_type, stages) in [
        (
            "new_business",
            &[
                "intro_qualification",
                "demo",
                "project_presentation",
                "proposal",
                "contract_out",
                "order_management",
                "closed_won",
                "closed_lost",
            ][..],
        ),
        (
            "existing_customer",
            &["presentation", "proposal", "contract_out", "order_management", "closed_won", "closed_lost"][..],
        ),
    ] {
        // The automatic stages follow the events of the quotes and orders.
        loop {
            let board = app.get(&format!("/api/v1/projects/board?record_type={record_type}"), &alice).await;
            assert_eq!(board.status, StatusCode::OK, "{}", board.body);
            let empty: Vec<&str> = board.body["columns"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["count"] == 0)
                .map(|c| c["stage"].as_str().unwrap())
                .collect();
            if stages.iter().all(|s| !empty.contains(s)) {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "{record_type}: no project in {empty:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn only_reading_a_project_makes_it_recently_viewed() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let alice = app.login("alice@acme.example").await;
    let account = demo_account(&app, &bob, "Initech Software").await;
    let p = new_project(&app, &alice, &account, json!({})).await;
    let id = p["id"].as_str().unwrap();
    let recent = |token: String| {
        let app = &app;
        async move {
            let r = app.get("/api/v1/projects?view=recently_viewed", &token).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };

    // Routes that only check the project is visible leave no trace.
    let r = app.get(&format!("/api/v1/projects/{id}/quotes"), &alice).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let bob_id = app.get("/api/v1/me", &bob).await.body["id"].as_str().unwrap().to_string();
    let r = app.post(&format!("/api/v1/projects/{id}:changeOwner"), &alice, json!({"new_owner_id": bob_id})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!recent(alice.clone()).await.contains(&id.to_string()));

    // Opening the project does.
    let r = app.get(&format!("/api/v1/projects/{id}"), &alice).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(recent(alice.clone()).await.first(), Some(&id.to_string()));
    assert!(!recent(bob.clone()).await.contains(&id.to_string()), "a view is the viewer's own");
    app.stop().await;
}

//! Tasks over REST: activities of a record of every type, my tasks,
//! completion, tenancy and validation.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn first_account(app: &TestApp, token: &str) -> String {
    let r = app.get("/api/v1/accounts?order_by=name", token).await;
    r.body["items"][0]["id"].as_str().unwrap().to_string()
}

async fn task(app: &TestApp, token: &str, kind: &str, id: &str, extra: Value) -> Value {
    let mut body =
        json!({"subject": format!("Call about the {kind}"), "type": "call", "related": {"type": kind, "id": id}});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let r = app.post("/api/v1/tasks", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
    r.body
}

fn today(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn open_activities_of_records_of_every_type_over_rest() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let account = first_account(&app, &bob).await;
    let contact = app.create_contact(&bob, &account, "Lumbergh").await["id"].as_str().unwrap().to_string();
    let lead = app.post("/api/v1/leads", &bob, json!({"company": "Initrode", "last_name": "Smykowski"})).await;
    assert_eq!(lead.status, StatusCode::CREATED, "{}", lead.body);
    let lead = lead.body["lead"]["id"].as_str().unwrap().to_string();
    let project = app
        .post(
            "/api/v1/projects",
            &bob,
            json!({"name": "Rollout", "account_id": account, "record_type": "new_business", "close_date": prm_kit::testing::days_from_today(60)}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let quote = app
        .post(&format!("/api/v1/projects/{project}/quotes"), &bob, json!({"shipping_address_type": "partner"}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let case = app
        .post(
            "/api/v1/cases",
            &bob,
            json!({"subject": "Phones reboot", "description": "Every morning.", "product": "hwaas"}),
        )
        .await;
    assert_eq!(case.status, StatusCode::CREATED, "{}", case.body);
    let case = case.body["id"].as_str().unwrap().to_string();
    for (collection, kind, id) in [
        ("cases", "case", &case),
        ("accounts", "account", &account),
        ("contacts", "contact", &contact),
        ("leads", "lead", &lead),
        ("projects", "project", &project),
        ("quotes", "quote", &quote),
    ] {
        task(&app, &bob, kind, id, json!({"due_date": today(3), "subject": "later"})).await;
        task(&app, &bob, kind, id, json!({"due_date": today(1), "subject": "sooner"})).await;
        let done = task(&app, &bob, kind, id, json!({"subject": "done"})).await;
        let r = app
            .patch(&format!("/api/v1/tasks/{}", done["id"].as_str().unwrap()), &bob, json!({"status": "completed"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body["completed_by"].is_string() && r.body["complete_time"].is_string(), "{}", r.body);
        let a = app.get(&format!("/api/v1/{collection}/{id}/activities"), &bob).await;
        assert_eq!(a.status, StatusCode::OK, "{collection}: {}", a.body);
        let subjects: Vec<&str> =
            a.body["items"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
        assert_eq!(subjects, ["sooner", "later"], "{collection}");
    }
    // My tasks: due today, this week.
    task(&app, &bob, "account", &account, json!({"subject": "today", "due_date": today(0)})).await;
    let r = app.get("/api/v1/tasks?view=due_today", &bob).await;
    let subjects: Vec<&str> =
        r.body["items"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["today"]);
    let r = app.get("/api/v1/tasks?view=someday", &bob).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "view"));
    // A saved view.
    let r = app.post("/api/v1/tasks/views", &bob, json!({"name": "Leads", "filter": "related.type = lead"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let view = r.body["id"].as_str().unwrap().to_string();
    let r = app.get(&format!("/api/v1/tasks?view={view}"), &bob).await;
    let subjects: Vec<&str> =
        r.body["items"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects.len(), 3, "the three tasks on the lead: {}", r.body);
    let r = app.post("/api/v1/tasks/views", &bob, json!({"name": "Bad", "order_by": "colour"})).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "order_by"), "{}", r.body);
    let views = app.get("/api/v1/tasks/views", &bob).await;
    assert_eq!(views.body["items"].as_array().unwrap().len(), 5);
    app.stop().await;
}

#[tokio::test]
async fn tasks_on_records_out_of_scope_are_not_found_and_others_tasks_do_not_exist() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let carols_account = first_account(&app, &carol).await;
    let r = app
        .post(
            "/api/v1/tasks",
            &bob,
            json!({"subject": "Snoop", "type": "call", "related": {"type": "account", "id": carols_account}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(
        app.get(&format!("/api/v1/accounts/{carols_account}/activities"), &bob).await.status,
        StatusCode::NOT_FOUND
    );

    let account = first_account(&app, &bob).await;
    let t = task(&app, &bob, "account", &account, json!({})).await;
    let id = t["id"].as_str().unwrap();
    for (method, path, body) in [
        (Method::GET, format!("/api/v1/tasks/{id}"), None),
        (Method::PATCH, format!("/api/v1/tasks/{id}"), Some(json!({"subject": "Mine"}))),
        (Method::DELETE, format!("/api/v1/tasks/{id}"), None),
        (Method::POST, format!("/api/v1/tasks/{id}:follow"), Some(json!({}))),
        (Method::POST, format!("/api/v1/tasks/{id}:changeOwner"), Some(json!({"new_owner_id": uuid::Uuid::now_v7()}))),
        (Method::GET, format!("/api/v1/tasks/{id}/history"), None),
        (Method::GET, format!("/api/v1/tasks/{id}/notes"), None),
    ] {
        let r = app.call(method.clone(), &path, Some(&carol), body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}: {}", r.body);
    }
    assert_eq!(app.get("/api/v1/tasks", &carol).await.body["items"].as_array().unwrap().len(), 0);
    assert_eq!(app.get(&format!("/api/v1/tasks/{id}"), &bob).await.status, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn bad_task_input_is_a_400_naming_the_field() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let carol_id = app.get("/api/v1/me", &carol).await.body["id"].as_str().unwrap().to_string();
    let account = first_account(&app, &bob).await;
    let related = json!({"type": "account", "id": account});
    for (body, field) in [
        (json!({"subject": "x", "type": "fax", "related": related}), "type"),
        (json!({"subject": "x", "type": "call", "related": related, "due_date": "soon"}), "due_date"),
        (json!({"subject": "x", "type": "call", "related": {"type": "task", "id": account}}), "related.type"),
        (json!({"subject": "x", "type": "call"}), "related"),
        (json!({"subject": "", "type": "call", "related": related}), "subject"),
        (json!({"subject": "x", "type": "call", "related": related, "completed_by": "me"}), "completed_by"),
        (json!({"subject": "x", "type": "call", "related": related, "owner_id": carol_id}), "owner_id"),
    ] {
        let r = app.post("/api/v1/tasks", &bob, body).await;
        assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, field), "{}", r.body);
    }
    // A colleague may be given the task.
    let alice = app.login("alice@acme.example").await;
    let alice_id = app.get("/api/v1/me", &alice).await.body["id"].as_str().unwrap().to_string();
    let t = task(&app, &bob, "account", &account, json!({"owner_id": alice_id})).await;
    assert_eq!(t["owner_id"], alice_id.as_str());
    assert_eq!(app.get("/api/v1/tasks?view=my_open", &alice).await.body["items"].as_array().unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn the_demo_seeds_open_tasks() {
    let app = spawn_app().await;
    prm_gateway::demo::seed_projects(app.state()).await.expect("demo projects");
    prm_gateway::demo::seed_tasks(app.state()).await.expect("demo tasks");
    let bob = app.login("bob@acme.example").await;
    let open = app.get("/api/v1/tasks?view=my_open", &bob).await;
    assert_eq!(open.body["items"].as_array().unwrap().len(), 5, "{}", open.body);
    let overdue = app.get("/api/v1/tasks?view=overdue", &bob).await;
    assert_eq!(overdue.body["items"].as_array().unwrap().len(), 1, "{}", overdue.body);
    app.stop().await;
}

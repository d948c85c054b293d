//! User and partner administration: scoping by role, 404 for what a caller
//! cannot see, 403 for what their role cannot do, 400 naming bad fields.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, backends, problem, problem_field, relaxed_limits, spawn_app};

fn emails(list: &Value) -> Vec<String> {
    let mut v: Vec<String> =
        list["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn partner_admin_sees_only_their_partners_users() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let admin = app.token("admin@acme.test").await;

        let list: Value = app.get("/api/v1/users", &admin).await.json().await.unwrap();
        assert_eq!(emails(&list), ["admin@acme.test", "user@acme.test"], "{}", app.label);
        let other = format!("/api/v1/users?partner_id={}", app.seed.other.id);
        let list: Value = app.get(&other, &admin).await.json().await.unwrap();
        assert_eq!(list, json!({"items": [], "next_page_token": ""}));

        let own = format!("/api/v1/users/{}", app.seed.acme_user.id);
        assert_eq!(app.get(&own, &admin).await.status(), 200);
        // Another partner's user does not exist for this caller.
        let foreign = format!("/api/v1/users/{}", app.seed.other_user.id);
        problem(app.get(&foreign, &admin).await, 404).await;
        let res = app.send_json(Method::PATCH, &foreign, &admin, &json!({ "display_name": "x" })).await;
        problem(res, 404).await;
        problem(app.get("/api/v1/users/not-a-uuid", &admin).await, 404).await;

        // Vendor admins see everyone; partner users may not list.
        let va = app.token("va@vendor.test").await;
        let list: Value = app.get("/api/v1/users", &va).await.json().await.unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 6);
        let user = app.token("user@acme.test").await;
        problem(app.get("/api/v1/users", &user).await, 403).await;
        // A partner user sees colleagues but not other partners' users.
        assert_eq!(app.get(&format!("/api/v1/users/{}", app.seed.acme_admin.id), &user).await.status(), 200);
        problem(app.get(&foreign, &user).await, 404).await;
    }
}

#[tokio::test]
async fn creating_and_updating_users_follows_the_role_rules() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let admin = app.token("admin@acme.test").await;
        let new = |role: &str| {
            json!({ "email": format!("new-{role}@acme.test"), "display_name": "New",
                    "password": PASSWORD, "role": role })
        };

        let res = app.send_json(Method::POST, "/api/v1/users", &admin, &new("partner_user")).await;
        assert_eq!(res.status(), 201, "{}", app.label);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let created: Value = res.json().await.unwrap();
        assert_eq!(created["partner_id"], app.seed.acme.id.to_string());
        assert_eq!(location, format!("/api/v1/users/{}", created["id"].as_str().unwrap()));

        // Partner admins cannot make vendor staff or users of another partner.
        let res = app.send_json(Method::POST, "/api/v1/users", &admin, &new("vendor_admin")).await;
        problem(res, 403).await;
        let mut body = new("partner_admin");
        body["partner_id"] = json!(app.seed.other.id);
        let res = app.send_json(Method::POST, "/api/v1/users", &admin, &body).await;
        assert_eq!(problem_field(res).await, "partner_id");
        // Duplicate email.
        let res = app.send_json(Method::POST, "/api/v1/users", &admin, &new("partner_user")).await;
        assert_eq!(problem(res, 409).await["errors"][0]["field"], "email");

        // Vendor admins must place partner roles in a partner.
        let va = app.token("va@vendor.test").await;
        let res = app
            .send_json(
                Method::POST,
                "/api/v1/users",
                &va,
                &json!({
            "email": "x@y.test", "display_name": "X", "password": PASSWORD, "role": "partner_user" }),
            )
            .await;
        assert_eq!(problem_field(res).await, "partner_id");
        let res = app
            .send_json(
                Method::POST,
                "/api/v1/users",
                &va,
                &json!({
            "email": "x@y.test", "display_name": "X", "password": "short", "role": "support_agent" }),
            )
            .await;
        assert_eq!(problem_field(res).await, "password");

        // Partner users cannot create users, nor change their own role.
        let user = app.token("user@acme.test").await;
        problem(app.send_json(Method::POST, "/api/v1/users", &user, &new("partner_user")).await, 403).await;
        let me = format!("/api/v1/users/{}", app.seed.acme_user.id);
        problem(app.send_json(Method::PATCH, &me, &user, &json!({ "role": "partner_admin" })).await, 403).await;
        let res = app.send_json(Method::PATCH, &me, &user, &json!({ "display_name": "Me" })).await;
        assert_eq!(res.status(), 200);

        // The admin promotes the user; the old token stops working at once.
        let res = app.send_json(Method::PATCH, &me, &admin, &json!({ "role": "partner_admin" })).await;
        assert_eq!(res.status(), 200);
        let updated: Value = res.json().await.unwrap();
        assert_eq!((updated["role"].as_str(), updated["display_name"].as_str()), (Some("partner_admin"), Some("Me")));
        problem(app.get("/api/v1/me", &user).await, 401).await;
        let fresh = app.token("user@acme.test").await;
        assert_eq!(app.get("/api/v1/users", &fresh).await.status(), 200);

        // Deactivation ends access too.
        let res = app.send_json(Method::PATCH, &me, &admin, &json!({ "active": false })).await;
        assert_eq!(res.status(), 200);
        problem(app.get("/api/v1/me", &fresh).await, 401).await;
        problem(app.login_raw("user@acme.test", PASSWORD).await, 401).await;
    }
}

#[tokio::test]
async fn unknown_and_server_owned_fields_are_refused_by_name() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let admin = app.token("admin@acme.test").await;
        let me = format!("/api/v1/users/{}", app.seed.acme_user.id);
        for field in ["partner_id", "password_hash", "id", "created_at", "email", "nickname"] {
            let res = app.send_json(Method::PATCH, &me, &admin, &json!({ field: "x" })).await;
            assert_eq!(problem_field(res).await, field, "{}", app.label);
        }
        let res = app.send_json(Method::PATCH, &me, &admin, &json!({ "active": "yes" })).await;
        assert_eq!(problem_field(res).await, "active");
        let res = app.send_json(Method::PATCH, &me, &admin, &json!({ "role": "boss" })).await;
        assert_eq!(problem_field(res).await, "role");
        let res = app
            .send_json(
                Method::POST,
                "/api/v1/users",
                &admin,
                &json!({
            "id": uuid::Uuid::new_v4(), "email": "a@acme.test", "display_name": "A",
            "password": PASSWORD, "role": "partner_user" }),
            )
            .await;
        assert_eq!(problem_field(res).await, "id");
        let va = app.token("va@vendor.test").await;
        let res =
            app.send_json(Method::POST, "/api/v1/partners", &va, &json!({ "name": "N", "created_at": "now" })).await;
        assert_eq!(problem_field(res).await, "created_at");
        // Not JSON at all.
        let res = app
            .client
            .post(app.url("/api/v1/partners"))
            .bearer_auth(&va)
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await
            .unwrap();
        problem(res, 400).await;
    }
}

#[tokio::test]
async fn partners_are_visible_by_role_and_managed_by_vendor_admins() {
    for b in backends().await {
        let app = spawn_app(b, relaxed_limits()).await;
        let (acme, other) = (app.seed.acme.id, app.seed.other.id);
        let user = app.token("user@acme.test").await;
        let am = app.token("am@vendor.test").await;
        let va = app.token("va@vendor.test").await;
        let support = app.token("support@vendor.test").await;

        assert_eq!(app.get(&format!("/api/v1/partners/{acme}"), &user).await.status(), 200, "{}", app.label);
        problem(app.get(&format!("/api/v1/partners/{other}"), &user).await, 404).await;
        let list: Value = app.get("/api/v1/partners", &user).await.json().await.unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);

        assert_eq!(app.get(&format!("/api/v1/partners/{acme}"), &am).await.status(), 200);
        problem(app.get(&format!("/api/v1/partners/{other}"), &am).await, 404).await;
        assert_eq!(app.get(&format!("/api/v1/partners/{other}"), &support).await.status(), 200);
        problem(app.get("/api/v1/users", &support).await, 403).await;
        let own = format!("/api/v1/users/{}", app.seed.support.id);
        assert_eq!(app.get(&own, &support).await.status(), 200);

        // Only vendor admins create partners and assign account managers.
        problem(app.send_json(Method::POST, "/api/v1/partners", &user, &json!({ "name": "Nope" })).await, 403).await;
        let res =
            app.send_json(Method::POST, "/api/v1/partners", &va, &json!({ "name": "Newco", "tier": "silver" })).await;
        assert_eq!(res.status(), 201);
        let newco: Value = res.json().await.unwrap();
        assert_eq!(newco["tier"], "silver");
        let res = app.send_json(Method::POST, "/api/v1/partners", &va, &json!({ "name": "Newco" })).await;
        assert_eq!(problem(res, 409).await["errors"][0]["field"], "name");

        let assign = format!("/api/v1/partners/{other}/account_managers/{}", app.seed.account_manager.id);
        problem(app.client.put(app.url(&assign)).bearer_auth(&am).send().await.unwrap(), 403).await;
        assert_eq!(app.client.put(app.url(&assign)).bearer_auth(&va).send().await.unwrap().status(), 204);
        assert_eq!(app.get(&format!("/api/v1/partners/{other}"), &am).await.status(), 200);
        // The assigned manager now sees that partner's users too.
        assert_eq!(app.get(&format!("/api/v1/users/{}", app.seed.other_user.id), &am).await.status(), 200);
        assert_eq!(app.client.delete(app.url(&assign)).bearer_auth(&va).send().await.unwrap().status(), 204);
        problem(app.client.delete(app.url(&assign)).bearer_auth(&va).send().await.unwrap(), 404).await;
        problem(app.get(&format!("/api/v1/partners/{other}"), &am).await, 404).await;

        let not_am = format!("/api/v1/partners/{other}/account_managers/{}", app.seed.acme_user.id);
        let res = app.client.put(app.url(&not_am)).bearer_auth(&va).send().await.unwrap();
        assert_eq!(problem_field(res).await, "user_id");
    }
}

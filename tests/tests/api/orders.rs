//! Orders over REST: from an accepted quote, for stock, along the status path.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn product_id(app: &TestApp, token: &str, sku: &str) -> String {
    let r = app.get(&format!("/api/v1/products?filter=sku%20%3D%20{sku}"), token).await;
    r.body["items"][0]["id"].as_str().unwrap().to_string()
}

/// An accepted quote of `token`'s partner with one licence line.
async fn accepted_quote(app: &TestApp, token: &str) -> Value {
    let account = app.create_account(token, "Ordering Corp").await;
    let lic = product_id(app, token, "LIC-PRO").await;
    let q = app
        .post(
            "/api/v1/quotes",
            token,
            json!({"name": "Rollout", "project_id": app.create_project(token, account["id"].as_str().unwrap()).await,
                   "account_id": account["id"], "currency_code": "EUR"}),
        )
        .await
        .body;
    let id = q["id"].as_str().unwrap();
    app.post(&format!("/api/v1/quotes/{id}/lines"), token, json!({"product_id": lic, "quantity": 40})).await;
    for status in ["presented", "contract_sent", "accepted"] {
        let r = app.post(&format!("/api/v1/quotes/{id}:transition"), token, json!({"status": status})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    app.get(&format!("/api/v1/quotes/{id}"), token).await.body
}

#[tokio::test]
async fn an_order_from_an_accepted_quote_goes_through_the_vendor() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let victor = app.login("victor@vendor.example").await;
    let q = accepted_quote(&app, &bob).await;
    let r = app
        .call_with(
            reqwest::Method::POST,
            "/api/v1/orders",
            Some(&bob),
            Some(json!({"quote_id": q["id"]})),
            &[("idempotency-key", "order-rollout-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let order = r.body;
    assert!(order["number"].as_str().unwrap().starts_with("ORD-"));
    assert_eq!(order["type"], "project");
    assert_eq!(order["mrr"], q["mrr"], "totals copied exactly");
    assert_eq!(order["lines"][0]["net_amount"], q["lines"][0]["net_amount"]);
    let again = app.post("/api/v1/orders", &bob, json!({"quote_id": q["id"]})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "one order per quote: {}", again.body);

    let id = order["id"].as_str().unwrap();
    let step = |token: &str, status: &str| {
        let (token, path) = (token.to_string(), format!("/api/v1/orders/{id}:transition"));
        let app = &app;
        let status = status.to_string();
        async move { app.post(&path, &token, json!({"status": status})).await }
    };
    assert_eq!(step(&bob, "submitted").await.status, StatusCode::OK);
    assert_eq!(step(&bob, "approved").await.status, StatusCode::FORBIDDEN, "approval is the vendor's");
    assert_eq!(step(&victor, "shipped").await.status, StatusCode::CONFLICT, "not approved yet");
    assert_eq!(step(&victor, "approved").await.status, StatusCode::OK);
    assert_eq!(step(&victor, "shipped").await.status, StatusCode::OK);
    assert_eq!(step(&bob, "cancelled").await.status, StatusCode::CONFLICT, "shipped orders are not cancelled");
    let done = step(&bob, "completed").await;
    assert_eq!(done.body["status"], "completed");
    let h = app.get(&format!("/api/v1/orders/{id}/history"), &bob).await;
    assert_eq!(h.body["items"].as_array().unwrap().len(), 4);
    app.stop().await;
}

/// An order says which moves its reader may make, and each one offered is
/// accepted: the partner submits, the vendor approves and ships, either
/// completes; a colleague who does not own it (a partner user) moves nothing.
/// The owner here is a partner admin, so the colleague is a plain user.
#[tokio::test]
async fn an_order_offers_each_reader_the_moves_they_may_make() {
    let app = spawn_app().await;
    let alice = app.login("alice@acme.example").await;
    let bob = app.login("bob@acme.example").await;
    let victor = app.login("victor@vendor.example").await;
    let q = accepted_quote(&app, &alice).await;
    let r = app.post("/api/v1/orders", &alice, json!({"quote_id": q["id"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["moves"], json!(["submitted", "cancelled"]), "in the answer that placed it");
    let id = r.body["id"].as_str().unwrap().to_string();
    let moves = |token: String| {
        let (app, id) = (&app, id.clone());
        async move { app.get(&format!("/api/v1/orders/{id}"), &token).await.body["moves"].clone() }
    };
    assert_eq!(moves(victor.clone()).await, json!([]), "the vendor waits for the partner to submit");
    assert_eq!(moves(bob.clone()).await, json!([]), "a colleague who does not own it");
    // Each step is made with the first move its reader is offered.
    for (token, expected) in [
        (&alice, json!(["submitted", "cancelled"])),
        (&victor, json!(["approved", "cancelled"])),
        (&victor, json!(["shipped", "cancelled"])),
        (&alice, json!(["completed"])),
    ] {
        let offered = moves(token.clone()).await;
        assert_eq!(offered, expected);
        let to = offered[0].as_str().unwrap();
        let r = app.post(&format!("/api/v1/orders/{id}:transition"), token, json!({"status": to})).await;
        assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some(to)), "{}", r.body);
    }
    assert_eq!(moves(alice.clone()).await, json!([]), "a completed order is final");
    assert_eq!(moves(victor.clone()).await, json!([]));
    let list = app.get("/api/v1/orders", &victor).await;
    assert_eq!(list.body["items"][0]["moves"], json!([]), "the list carries moves too");
    app.stop().await;
}

#[tokio::test]
async fn a_stock_order_is_priced_from_the_price_book() {
    let app = spawn_app().await;
    let alice = app.login("alice@acme.example").await;
    let headset = product_id(&app, &alice, "HW-HEADSET").await;
    let phone = product_id(&app, &alice, "HW-DESK-PHONE").await;
    let r = app
        .post(
            "/api/v1/orders",
            &alice,
            json!({"type": "stock", "currency_code": "EUR",
                   "shipping_address": {"street": "1 Acme Way", "city": "Berlin", "country": "DE"},
                   "lines": [{"product_id": headset, "quantity": 10}, {"product_id": phone, "quantity": 3}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["type"], "stock");
    // Acme is a gold partner: the vendor's 10 % on every line.
    assert_eq!(r.body["lines"][1]["discount_percent"], "10");
    assert_eq!(r.body["one_time_total"]["amount"], "711.00");
    assert_eq!(r.body["mrr"]["amount"], "17.55");
    // A partner cannot name its own discount (99 % off was once accepted).
    let cheap = app
        .post(
            "/api/v1/orders",
            &alice,
            json!({"type": "stock", "currency_code": "EUR",
                   "shipping_address": {"street": "1 Acme Way", "city": "Berlin", "country": "DE"},
                   "lines": [{"product_id": headset, "quantity": 10}, {"product_id": phone, "quantity": 3, "discount_percent": "99"}]}),
        )
        .await;
    assert_eq!((cheap.status, cheap.field()), (StatusCode::BAD_REQUEST, "lines[1].discount_percent"), "{}", cheap.body);
    // Nor afterwards: only the vendor admin overrides a line's discount.
    let (order, line) = (r.body["id"].as_str().unwrap(), r.body["lines"][1]["id"].as_str().unwrap());
    let path = format!("/api/v1/orders/{order}/lines/{line}");
    let own = app.patch(&path, &alice, json!({"discount_percent": "99"})).await;
    assert_eq!((own.status, own.field()), (StatusCode::BAD_REQUEST, "discount_percent"), "{}", own.body);
    let victor = app.login("victor@vendor.example").await;
    let unknown = app.patch(&path, &victor, json!({"quantity": 1})).await;
    assert_eq!((unknown.status, unknown.field()), (StatusCode::BAD_REQUEST, "quantity"), "{}", unknown.body);
    let granted = app.patch(&path, &victor, json!({"discount_percent": "25"})).await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    // 3 × 6.50 × 0.75 = 14.625, to the cent half away from zero.
    let got = &granted.body;
    assert_eq!(
        (got["lines"][1]["discount_percent"].as_str(), got["mrr"]["amount"].as_str()),
        (Some("25"), Some("14.63"))
    );
    assert_eq!(got["one_time_total"]["amount"], "711.00", "the other line is as it was");
    let history = app.get(&format!("/api/v1/orders/{order}/history"), &alice).await;
    assert!(history.body.to_string().contains("line_discount_percent"), "{}", history.body);
    let bad = app
        .post(
            "/api/v1/orders",
            &alice,
            json!({"type": "stock", "currency_code": "EUR", "shipping_address": {"street": "1 Acme Way", "city": "Berlin"},
                   "lines": [{"product_id": headset, "quantity": -2}]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.field().ends_with("quantity"), "{}", bad.body);
    app.stop().await;
}

#[tokio::test]
async fn another_partner_cannot_see_or_move_an_order() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let q = accepted_quote(&app, &bob).await;
    let order = app.post("/api/v1/orders", &bob, json!({"quote_id": q["id"]})).await.body;
    let id = order["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/v1/orders/{id}"), &carol).await.status, StatusCode::NOT_FOUND);
    assert!(app.get("/api/v1/orders", &carol).await.body["items"].as_array().unwrap().is_empty());
    let r = app.post(&format!("/api/v1/orders/{id}:transition"), &carol, json!({"status": "submitted"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(&format!("/api/v1/orders/{id}/notes"), &carol, json!({"body": "x"})).await.status,
        StatusCode::NOT_FOUND
    );
    // Nor order from another partner's quote.
    let r = app.post("/api/v1/orders", &carol, json!({"quote_id": q["id"]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.field(), "quote_id");
    assert_eq!(app.get(&format!("/api/v1/orders/{id}"), &bob).await.body["status"], "draft");
    app.stop().await;
}

//! Events keep flowing for the life of the system: the outbox relays and the
//! services' own clients renew their internal tokens, so every kind of event
//! is still applied after several token lifetimes (here made one second).

use std::time::Duration;

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

/// Longer than a token's lifetime (1 s) and the verifier's clock leeway (5 s):
/// any token signed before it is refused after it.
const PAST_EVERY_LIFETIME: Duration = Duration::from_secs(7);

/// Polls `read` until `done` holds on what it answers, for up to 15 s.
async fn eventually(what: &str, mut read: impl AsyncFnMut() -> Value, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let v = read().await;
        if done(&v) {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what} never happened; last seen: {v}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn ok(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let r = app.post(path, token, body).await;
    assert!(r.status.is_success(), "POST {path}: {} {}", r.status, r.body);
    r.body
}

#[tokio::test]
async fn every_kind_of_event_is_still_applied_after_several_token_lifetimes() {
    let app = spawn_app_with(|cfg| cfg.internal_token_ttl = Duration::from_secs(1)).await;
    let (bob, victor) = (app.login("bob@acme.example").await, app.login("victor@vendor.example").await);
    let account = app.create_account(&bob, "Long Running GmbH").await;
    let close = (chrono::Utc::now().date_naive() + chrono::Duration::days(60)).to_string();
    let project = ok(
        &app,
        "/api/v1/projects",
        &bob,
        json!({"name": "Long rollout", "account_id": account["id"], "record_type": "existing_customer",
               "close_date": close, "total_users": 10, "interested_solutions": ["licenses"],
               "verbal_agreement": true}),
    )
    .await;
    let id = project["id"].as_str().unwrap().to_string();
    let read_project = async || app.get(&format!("/api/v1/projects/{id}"), &bob).await.body;
    ok(&app, &format!("/api/v1/projects/{id}:move"), &bob, json!({"stage": "proposal"})).await;

    // A WAP change refreshes Expected MRR of every project in that currency.
    tokio::time::sleep(PAST_EVERY_LIFETIME).await;
    let r = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/weighted-average-prices/EUR",
            Some(&victor),
            Some(json!({"licenses": "20.00", "hwaas": "9.80", "classound": "4.10"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    eventually("the new WAP reaching Expected MRR", read_project, |p| {
        p["cost_info"]["expected_mrr"].as_str().and_then(|m| m.parse::<Decimal>().ok()) == Some(Decimal::from(200))
    })
    .await;

    // The primary quote's MRR becomes the project's.
    tokio::time::sleep(PAST_EVERY_LIFETIME).await;
    let quote = ok(&app, &format!("/api/v1/projects/{id}/quotes"), &bob, json!({"name": "Offer"})).await;
    let q = quote["id"].as_str().unwrap().to_string();
    let products = app.get("/api/v1/products?filter=sku%20%3D%20LIC-PRO", &bob).await.body;
    ok(
        &app,
        &format!("/api/v1/quotes/{q}/lines"),
        &bob,
        json!({"product_id": products["items"][0]["id"], "quantity": 7}),
    )
    .await;
    let quote = ok(&app, &format!("/api/v1/quotes/{q}:setPrimary"), &bob, json!({})).await;
    let mrr = quote["mrr"]["amount"].as_str().unwrap().to_string();
    eventually("the primary quote's MRR reaching the project", read_project, |p| p["cost_info"]["mrr"] == mrr.as_str())
        .await;

    // Contract sent moves the project to Contract out.
    tokio::time::sleep(PAST_EVERY_LIFETIME).await;
    for status in ["presented", "contract_sent"] {
        ok(&app, &format!("/api/v1/quotes/{q}:transition"), &bob, json!({"status": status})).await;
    }
    eventually("Contract out", read_project, |p| p["stage"] == "contract_out").await;

    // An order placed from the primary quote moves it to Order Management.
    tokio::time::sleep(PAST_EVERY_LIFETIME).await;
    ok(&app, &format!("/api/v1/quotes/{q}:transition"), &bob, json!({"status": "accepted"})).await;
    let order = ok(&app, "/api/v1/orders", &bob, json!({"quote_id": q})).await;
    let o = order["id"].as_str().unwrap().to_string();
    eventually("Order Management", read_project, |p| p["stage"] == "order_management").await;

    // The completed order closes it as won.
    tokio::time::sleep(PAST_EVERY_LIFETIME).await;
    for (token, status) in [(&bob, "submitted"), (&victor, "approved"), (&victor, "shipped"), (&bob, "completed")] {
        ok(&app, &format!("/api/v1/orders/{o}:transition"), token, json!({"status": status})).await;
    }
    eventually("Closed (won)", read_project, |p| p["stage"] == "closed_won").await;
    app.stop().await;
}

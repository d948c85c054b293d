//! The price book and quotes over REST.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn product_id(app: &TestApp, token: &str, sku: &str) -> String {
    let r = app.get(&format!("/api/v1/products?filter=sku%20%3D%20{sku}"), token).await;
    r.body["items"][0]["id"].as_str().unwrap_or_else(|| panic!("no {sku}: {}", r.body)).to_string()
}

async fn new_quote(app: &TestApp, token: &str) -> Value {
    let account = app.create_account(token, "Quoted Corp").await;
    let r = app
        .post(
            "/api/v1/quotes",
            token,
            json!({"name": "Phones for Quoted", "project_id": app.create_project(token, account["id"].as_str().unwrap()).await,
                   "account_id": account["id"], "currency_code": "EUR", "shipping_address_type": "end_user",
                   "expiry_date": prm_kit::testing::days_from_today(60)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

#[tokio::test]
async fn a_quote_is_priced_from_the_price_book_with_the_partner_discount() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let products = app.get("/api/v1/products?page_size=100", &bob).await;
    assert_eq!(products.body["items"].as_array().unwrap().len(), 9, "the demo catalogue");
    let lic = product_id(&app, &bob, "LIC-PRO").await;
    let setup = product_id(&app, &bob, "SRV-SETUP").await;
    let q = new_quote(&app, &bob).await;
    let id = q["id"].as_str().unwrap();
    assert_eq!(q["status"], "draft");
    let r = app.post(&format!("/api/v1/quotes/{id}/lines"), &bob, json!({"product_id": lic, "quantity": 25})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // Acme is a gold partner: 10 % off 19.90 by default.
    assert_eq!(r.body["lines"][0]["discount_percent"], "10");
    assert_eq!(r.body["lines"][0]["net_amount"]["amount"], "447.75");
    // A partner never sets the discount; the vendor admin may override it,
    // and the override is in the quote's history.
    let r = app
        .post(
            &format!("/api/v1/quotes/{id}/lines"),
            &bob,
            json!({"product_id": setup, "quantity": 1, "discount_percent": "0"}),
        )
        .await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "discount_percent"), "{}", r.body);
    let r = app.post(&format!("/api/v1/quotes/{id}/lines"), &bob, json!({"product_id": setup, "quantity": 1})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["one_time_total"]["amount"], "441.00");
    let setup_line = r.body["lines"][1]["id"].as_str().unwrap().to_string();
    let r = app.patch(&format!("/api/v1/quotes/{id}/lines/{setup_line}"), &bob, json!({"discount_percent": "0"})).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "discount_percent"), "{}", r.body);
    let victor = app.login("victor@vendor.example").await;
    let r =
        app.patch(&format!("/api/v1/quotes/{id}/lines/{setup_line}"), &victor, json!({"discount_percent": "0"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["mrr"], json!({"currency_code": "EUR", "amount": "447.75"}));
    assert_eq!(r.body["one_time_total"], json!({"currency_code": "EUR", "amount": "490.00"}));
    let history = app.get(&format!("/api/v1/quotes/{id}/history"), &bob).await;
    let change = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "line_discount_percent")
        .cloned()
        .unwrap_or_else(|| panic!("the override in history: {}", history.body));
    assert_eq!(
        (change["old_value"].as_str(), change["new_value"].as_str()),
        (Some("SRV-SETUP: 10"), Some("SRV-SETUP: 0"))
    );
    let line = r.body["lines"][0]["id"].as_str().unwrap().to_string();
    let r = app.patch(&format!("/api/v1/quotes/{id}/lines/{line}"), &bob, json!({"quantity": 30})).await;
    assert_eq!(r.body["mrr"]["amount"], "537.30");

    // Status path and the primary quote.
    for status in ["presented", "contract_sent"] {
        let r = app.post(&format!("/api/v1/quotes/{id}:transition"), &bob, json!({"status": status})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = app.post(&format!("/api/v1/quotes/{id}/lines"), &bob, json!({"product_id": lic, "quantity": 1})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "lines freeze once the contract is sent");
    let r = app.post(&format!("/api/v1/quotes/{id}:transition"), &bob, json!({"status": "draft"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app.post(&format!("/api/v1/quotes/{id}:setPrimary"), &bob, json!({})).await;
    assert_eq!(r.body["primary"], true);
    let project = q["project_id"].as_str().unwrap();
    let p = app.get(&format!("/api/v1/projects/{project}/primary-quote"), &bob).await;
    assert_eq!(p.body["id"], id);
    let h = app.get(&format!("/api/v1/quotes/{id}/history"), &bob).await;
    assert!(
        h.body["items"].as_array().unwrap().iter().any(|c| c["field"] == "status" && c["new_value"] == "contract_sent")
    );
    app.stop().await;
}

#[tokio::test]
async fn another_partner_cannot_see_or_touch_a_quote() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let q = new_quote(&app, &bob).await;
    let id = q["id"].as_str().unwrap();
    let lic = product_id(&app, &carol, "LIC-ESS").await;
    let path = format!("/api/v1/quotes/{id}");
    assert_eq!(app.get(&path, &carol).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.patch(&path, &carol, json!({"name": "Mine"})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&path, &carol).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(&format!("{path}/lines"), &carol, json!({"product_id": lic, "quantity": 1})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&format!("{path}:transition"), &carol, json!({"status": "presented"})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.post(&format!("{path}:setPrimary"), &carol, json!({})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post(&format!("{path}/notes"), &carol, json!({"body": "x"})).await.status, StatusCode::NOT_FOUND);
    let project = q["project_id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/projects/{project}/primary-quote"), &carol).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(app.get("/api/v1/quotes", &carol).await.body["items"].as_array().unwrap().is_empty());
    assert_eq!(app.get(&path, &bob).await.body["name"], q["name"], "unchanged");
    app.stop().await;
}

#[tokio::test]
async fn only_vendor_admins_write_the_price_book_and_bad_input_is_named() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let victor = app.login("victor@vendor.example").await;
    let body = json!({"sku": "LIC-NEW", "name": "New license", "family": "licenses", "billing": "monthly"});
    assert_eq!(app.post("/api/v1/products", &bob, body.clone()).await.status, StatusCode::FORBIDDEN);
    let p = app.post("/api/v1/products", &victor, body).await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    let pid = p.body["id"].as_str().unwrap();
    for (price, field) in [(json!({"amount": "1e3"}), "amount"), (json!({"amount": "12.34567"}), "amount")] {
        let r = app
            .call(reqwest::Method::PUT, &format!("/api/v1/products/{pid}/prices/EUR"), Some(&victor), Some(price))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.field(), field);
    }
    let r = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/products/{pid}/prices/euro"),
            Some(&victor),
            Some(json!({"amount": "5"})),
        )
        .await;
    assert_eq!(r.field(), "currency");
    let r = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/products/{pid}/prices/USD"),
            Some(&victor),
            Some(json!({"amount": "5"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    let q = new_quote(&app, &bob).await;
    let id = q["id"].as_str().unwrap();
    for (line, field) in [
        (json!({"product_id": pid, "quantity": -1}), "quantity"),
        (json!({"product_id": pid, "quantity": 1}), "product_id"),
        (json!({"product_id": uuid::Uuid::now_v7().to_string(), "quantity": 1}), "product_id"),
        (
            json!({"product_id": product_id(&app, &bob, "LIC-PRO").await, "quantity": 1, "discount_percent": "5"}),
            "discount_percent",
        ),
    ] {
        let r = app.post(&format!("/api/v1/quotes/{id}/lines"), &bob, line.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{line}: {}", r.body);
        assert_eq!(r.field(), field, "{line}");
    }
    let r = app.post("/api/v1/quotes", &bob, json!({"name": "Q", "project_id": uuid::Uuid::now_v7().to_string(), "account_id": q["account_id"], "currency_code": "euro"})).await;
    assert_eq!(r.field(), "currency_code");
    let r =
        app.post("/api/v1/quotes", &bob, json!({"name": "Q", "mrr": {"currency_code": "EUR", "amount": "1"}})).await;
    assert_eq!(r.field(), "mrr", "computed fields cannot be written");
    assert!(app.get(&format!("/api/v1/quotes/{id}"), &bob).await.body["lines"].as_array().unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_quote_is_downloaded_as_pdf_and_e_mailed_to_a_contact() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let lic = product_id(&app, &bob, "LIC-ENT").await;
    let q = new_quote(&app, &bob).await;
    let id = q["id"].as_str().unwrap();
    let number = q["number"].as_str().unwrap();
    assert!(number.len() >= 8 && number.starts_with("Q-"), "a quote number: {number}");
    app.post(&format!("/api/v1/quotes/{id}/lines"), &bob, json!({"product_id": lic, "quantity": 5})).await;
    let pdf = app.http.get(app.url(&format!("/api/v1/quotes/{id}/document"))).bearer_auth(&bob).send().await.unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let pdf = pdf.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.windows(9).any(|w| w == b"/FontFile"), "the font is embedded");

    let contact = app.create_contact(&bob, q["account_id"].as_str().unwrap(), "Fox").await;
    let r = app.post(&format!("/api/v1/quotes/{id}:send"), &bob, json!({"contact_id": contact["id"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["recipient"], "fox@example.com");
    // The embedded default writes the message as an .eml file.
    let files: Vec<_> = std::fs::read_dir(&app.mail_dir.0).unwrap().filter_map(|e| e.ok()).collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(
        eml.contains("To: Fox <fox@example.com>")
            || eml.contains("To: \"Fox\" <fox@example.com>")
            || eml.contains("fox@example.com")
    );
    assert!(eml.contains("Subject: Quote: Phones for Quoted"));
    assert!(eml.contains("application/pdf"));
    let r = app
        .post(&format!("/api/v1/quotes/{id}:send"), &bob, json!({"contact_id": uuid::Uuid::now_v7().to_string()}))
        .await;
    assert_eq!(r.field(), "contact_id");
    app.stop().await;
}

#[tokio::test]
async fn a_quote_ships_to_the_partner_or_reseller_address_on_record() {
    let app = spawn_app().await;
    let alice = app.login("alice@acme.example").await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let acme = app.get("/api/v1/me", &alice).await.body["partner_id"].as_str().unwrap().to_string();
    let warehouse =
        json!({"street": "Neuer Weg 9", "postal_code": "12345", "city": "Potsdam", "region": "", "country": "DE"});
    let r = app.patch(&format!("/api/v1/partners/{acme}"), &alice, json!({"reseller_address": warehouse})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.patch(&format!("/api/v1/partners/{acme}"), &bob, json!({"reseller_address": warehouse})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.patch(&format!("/api/v1/partners/{acme}"), &carol, json!({"reseller_address": warehouse})).await.status,
        StatusCode::NOT_FOUND
    );

    let account = app.create_account(&bob, "Shipped Corp").await;
    let project = app.create_project(&bob, account["id"].as_str().unwrap()).await;
    let mut body = json!({"name": "Q", "project_id": project, "account_id": account["id"],
                          "currency_code": "EUR", "shipping_address_type": "reseller"});
    let q = app.post("/api/v1/quotes", &bob, body.clone()).await;
    assert_eq!(q.status, StatusCode::CREATED, "{}", q.body);
    assert_eq!(q.body["shipping_address"], warehouse);
    body["shipping_address_type"] = json!("partner");
    let q = app.post("/api/v1/quotes", &bob, body).await;
    assert_eq!(q.body["shipping_address"]["city"], "Berlin", "the demo's partner address");
    // Switching the type re-copies the address.
    let id = q.body["id"].as_str().unwrap();
    let q = app.patch(&format!("/api/v1/quotes/{id}"), &bob, json!({"shipping_address_type": "reseller"})).await;
    assert_eq!(q.body["shipping_address"], warehouse);
    app.stop().await;
}

/// A quote says which moves of its status path its reader may make, and each
/// one offered is accepted; a colleague who does not own it, and the vendor,
/// move nothing; a final quote offers nothing.
#[tokio::test]
async fn a_quote_offers_each_reader_the_moves_they_may_make() {
    let app = spawn_app().await;
    let alice = app.login("alice@acme.example").await;
    let bob = app.login("bob@acme.example").await;
    let victor = app.login("victor@vendor.example").await;
    let q = new_quote(&app, &alice).await;
    assert_eq!(q["moves"], json!(["presented"]), "in the answer that created it");
    let id = q["id"].as_str().unwrap().to_string();
    let moves = |token: String| {
        let (app, id) = (&app, id.clone());
        async move { app.get(&format!("/api/v1/quotes/{id}"), &token).await.body["moves"].clone() }
    };
    assert_eq!(moves(bob.clone()).await, json!([]), "a colleague who does not own it");
    assert_eq!(moves(victor.clone()).await, json!([]), "the vendor reads quotes");
    for expected in [json!(["presented"]), json!(["contract_sent"]), json!(["accepted", "rejected", "expired"])] {
        let offered = moves(alice.clone()).await;
        assert_eq!(offered, expected);
        let to = offered[0].as_str().unwrap();
        let r = app.post(&format!("/api/v1/quotes/{id}:transition"), &alice, json!({"status": to})).await;
        assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some(to)), "{}", r.body);
    }
    assert_eq!(moves(alice.clone()).await, json!([]), "an accepted quote is final");
    let list = app.get("/api/v1/quotes", &alice).await;
    assert_eq!(list.body["items"][0]["moves"], json!([]), "the list carries moves too");
    app.stop().await;
}

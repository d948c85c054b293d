//! The required fields of every create, generated from the OpenAPI document
//! as served and held to what the services enforce: a body of only the
//! fields a create's schema requires (ids of the caller's own records) is
//! accepted, and the same body with one of them left out, empty or only
//! spaces answers 400 naming that field and creates nothing. A create whose
//! schema requires nothing must say why here; a new field the document
//! requires needs a value below, or the test fails.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::bola::{Acme, fill, sample, seed_acme};
use crate::helpers::{TestApp, spawn_app};

/// Creates that need no field: a quote from a project, and a project's
/// copy, take everything from the project; an order's fields depend on its
/// type (from a quote or stock), which the schema cannot say; a file is
/// its body.
const NEEDS_NOTHING: &[&str] = &[
    "/api/v1/projects/{id}/quotes",
    "/api/v1/projects/{id}:clone",
    "/api/v1/orders",
    "/api/v1/{collection}/{id}/files",
];

/// The vendor's own creates, made by its admin.
const VENDOR: &[&str] = &["/api/v1/products", "/api/v1/news", "/api/v1/users", "/api/v1/partners"];

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap_or("")],
        None => schema,
    }
}

/// A value the service takes for a required field: a record of the caller's
/// where it names one, else the document's own sample with a distinct text.
fn value(doc: &Value, property: &Value, field: &str, acme: &Acme, product: &str, n: usize) -> Value {
    let account = &acme.records["accounts"];
    match field {
        "account_id" => json!(account),
        "project_id" => json!(acme.project),
        "contact_id" => json!(acme.contact),
        "product_id" => json!(product),
        "close_date" => json!(prm_kit::testing::days_from_today(30)),
        "currency_code" => json!("EUR"),
        "quantity" => json!(1),
        "sku" => json!(format!("SKU-{}-{n}", acme.marker)),
        "related" => json!({"type": "account", "id": account}),
        "measures" => json!([{"function": "count"}]),
        "email" => json!(format!("required{n}@{}.example", acme.marker.to_lowercase())),
        "password" => json!("a long enough password 1"),
        _ => match sample(doc, property, 0) {
            Value::String(s) if s == "x" => json!(format!("{field} {} {n}", acme.marker)),
            v => v,
        },
    }
}

/// How many records the list at `path` holds for `token`.
async fn count(app: &TestApp, token: &str, path: &str) -> usize {
    let r = app.get(&format!("{path}?page_size=500"), token).await;
    assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.body);
    r.body["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn every_create_refuses_a_body_without_a_field_its_schema_requires() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let victor = app.login("victor@vendor.example").await;
    let acme = seed_acme(&app, &bob).await;
    let products = app.get("/api/v1/products?filter=sku%20%3D%20LIC-PRO", &bob).await;
    let product = products.body["items"][0]["id"].as_str().unwrap().to_string();
    let doc = app.get("/api/v1/openapi.json", &bob).await.body;

    // Each create of the document, by path, as written once for every collection.
    let mut creates: BTreeMap<String, (String, Value)> = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(op) = item.get("post") else { continue };
        if !op["responses"].as_object().unwrap().contains_key("201") {
            continue;
        }
        let template =
            path.replacen(&format!("/api/v1/{}/", op["tags"][0].as_str().unwrap_or("")), "/api/v1/{collection}/", 1);
        let schema = op["requestBody"]["content"]["application/json"]["schema"].clone();
        creates.insert(path.clone(), (template, schema));
    }
    assert!(creates.len() > 20, "{} creates", creates.len());

    let mut checked = 0;
    let mut without = Vec::new();
    for (path, (template, schema)) in &creates {
        let schema = resolve(&doc, schema);
        let required: Vec<&str> =
            schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        if required.is_empty() {
            if !NEEDS_NOTHING.contains(&path.as_str()) && !NEEDS_NOTHING.contains(&template.as_str()) {
                without.push(path.clone());
            }
            continue;
        }
        // The routes the vendor owns (users and partners are the gateway's
        // own, tested with their forms) need no Acme record.
        if ["/api/v1/users", "/api/v1/partners"].contains(&path.as_str()) {
            continue;
        }
        let token = if VENDOR.contains(&path.as_str()) { &victor } else { &bob };
        let url = fill(path, &acme, false).unwrap_or_else(|| panic!("no record for {path}"));
        // What the create adds to, where a list of it answers.
        let listed = doc["paths"][path.as_str()].get("get").is_some() && !url.contains(':');
        let body = |n: usize| -> serde_json::Map<String, Value> {
            required
                .iter()
                .map(|f| (f.to_string(), value(&doc, &schema["properties"][*f], f, &acme, &product, n)))
                .collect()
        };
        let before = if listed { Some(count(&app, token, &url).await) } else { None };
        for field in &required {
            let property = resolve(&doc, &schema["properties"][*field]);
            let mut cases: Vec<(&str, Option<Value>)> = vec![("left out", None)];
            if property["type"] == "string" {
                cases.push(("empty", Some(json!(""))));
                cases.push(("only spaces", Some(json!("   "))));
            }
            if property["type"] == "array" {
                cases.push(("empty", Some(json!([]))));
            }
            for (how, replacement) in cases {
                let mut b = body(checked);
                match replacement {
                    None => {
                        b.remove(*field);
                    }
                    Some(v) => {
                        b.insert(field.to_string(), v);
                    }
                }
                let r = app.post(&url, token, Value::Object(b.clone())).await;
                assert_eq!(r.status, StatusCode::BAD_REQUEST, "POST {url} with {field} {how} ({b:?}): {}", r.body);
                assert_eq!(r.field(), *field, "POST {url} with {field} {how}: {}", r.body);
            }
        }
        if let Some(before) = before {
            assert_eq!(count(&app, token, &url).await, before, "POST {url}: a refused create stored something");
        }
        let b = body(checked);
        let r = app.post(&url, token, Value::Object(b.clone())).await;
        assert!(r.status.is_success(), "POST {url} with only its required fields ({b:?}): {} {}", r.status, r.body);
        if let Some(before) = before {
            assert_eq!(count(&app, token, &url).await, before + 1, "POST {url}: the create is not in its list");
        }
        checked += 1;
    }
    eprintln!("{checked} creates checked, each without each of its required fields");
    assert!(without.is_empty(), "creates whose schema requires no field: {without:#?}");
    assert!(checked > 20, "{checked} creates checked");
}

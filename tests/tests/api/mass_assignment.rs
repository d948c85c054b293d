//! Mass assignment, generated from the OpenAPI document as served: every
//! JSON body of every POST, PUT and PATCH, sent by someone allowed to make
//! the call, with one server-owned field its schema does not offer (ids,
//! partner, owner, stage, Cost Info, Demo Done and Date, Approved by AM,
//! primary, status, number, discount…), answers 400 naming that field, and
//! changes nothing. A new route or field is covered without editing this test.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::bola::{fill, sample, seed_acme, snapshot};
use crate::helpers::spawn_app;

/// Fields only the server sets, each with a value a client might try.
fn server_owned() -> Vec<(&'static str, Value)> {
    let id = || json!(uuid::Uuid::now_v7().to_string());
    vec![
        ("id", id()),
        ("number", json!("ORD-000001")),
        ("partner_id", id()),
        ("owner_id", id()),
        ("submitter_id", id()),
        ("assignee_id", id()),
        ("status", json!("accepted")),
        ("stage", json!("closed_won")),
        ("probability", json!(100)),
        ("cost_info", json!({"mrr": "1000000.00"})),
        ("mrr", json!("1000000.00")),
        ("one_time_total", json!("1000000.00")),
        ("net_amount", json!("1.00")),
        ("primary_quote_id", id()),
        ("primary", json!(true)),
        ("demo_done", json!(true)),
        ("demo_date", json!("2026-01-01")),
        ("approved_by_am", json!(true)),
        ("bonus_pipeline_satisfied", json!(true)),
        ("discount_percent", json!("99")),
        ("acceptance_state", json!("accepted")),
        ("distributed_partner_id", id()),
        ("converted_account_id", id()),
        ("completed_by", id()),
        ("built_in", json!(true)),
        ("create_time", json!("2020-01-01T00:00:00Z")),
        ("update_time", json!("2020-01-01T00:00:00Z")),
    ]
}

/// The properties a request schema offers (through `$ref` and `allOf`).
fn offered(doc: &Value, schema: &Value) -> Vec<String> {
    if let Some(r) = schema["$ref"].as_str() {
        return offered(doc, &doc["components"]["schemas"][r.rsplit('/').next().unwrap_or("")]);
    }
    let mut out: Vec<String> =
        schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
    for key in ["allOf", "oneOf", "anyOf"] {
        for s in schema[key].as_array().into_iter().flatten() {
            out.extend(offered(doc, s));
        }
    }
    out
}

#[tokio::test]
async fn no_body_sets_a_field_the_server_owns() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let victor = app.login("victor@vendor.example").await;
    let acme = seed_acme(&app, &bob).await;
    let before = snapshot(&app, &bob, &acme).await;
    let doc = app.get("/api/v1/openapi.json", &bob).await.body;

    let mut tried = 0;
    let mut failures = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Ok(m) = method.to_uppercase().parse::<Method>() else { continue };
            if !matches!(m, Method::POST | Method::PUT | Method::PATCH) {
                continue;
            }
            let Some(schema) = op["requestBody"]["content"].get("application/json").map(|c| &c["schema"]) else {
                continue;
            };
            let Some(path) = fill(template, &acme, false) else { continue };
            let fields = offered(&doc, schema);
            for (field, value) in server_owned() {
                if fields.iter().any(|f| f == field) {
                    continue;
                }
                let mut body = sample(&doc, schema, 0);
                let Some(map) = body.as_object_mut() else { continue };
                map.insert(field.to_string(), value.clone());
                tried += 1;
                let mut r = app.call(m.clone(), &path, Some(&bob), Some(body.clone())).await;
                if r.status == StatusCode::FORBIDDEN {
                    // A vendor's route: the vendor admin may call it.
                    r = app.call(m.clone(), &path, Some(&victor), Some(body.clone())).await;
                }
                if r.status != StatusCode::BAD_REQUEST || r.field() != field {
                    failures.push(format!("{method} {template} with {field}: {} {}", r.status, r.body));
                }
            }
        }
    }
    println!("mass assignment matrix: {tried} bodies with a server-owned field");
    assert!(
        failures.is_empty(),
        "{} of {tried} bodies were not refused by field:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(tried > 500, "only {tried} combinations: the document lost its bodies?");
    let after = snapshot(&app, &bob, &acme).await;
    for (path, was) in &before {
        assert_eq!(after.get(path), Some(was), "{path} changed");
    }
    app.stop().await;
}

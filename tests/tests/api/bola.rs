//! Broken object-level authorization, generated from the OpenAPI document
//! as served: every operation whose path names a record, called by people
//! who must not reach Acme's records (a Borealis user, an account manager
//! not assigned to Acme, a support agent outside cases) with Acme's ids,
//! answers 404 or exactly what the same call with random ids answers (a
//! role check that refuses before it looks), never a success or a 409; the
//! records read back unchanged by their owner; and no list, search, board,
//! home figure or report result of theirs carries Acme's ids or names. A new
//! route is covered without editing this test.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};

/// Acme's records, one of each kind, by the path parameter or collection that names them.
pub struct Acme {
    /// `accounts` → an account id, `projects` → a project id, …
    pub records: BTreeMap<&'static str, String>,
    /// A file of each collection's record.
    pub files: BTreeMap<&'static str, String>,
    /// Saved views of the collections that have them.
    pub views: BTreeMap<&'static str, String>,
    pub contact: String,
    pub line: String,
    pub project: String,
    pub user: String,
    pub partner: String,
    /// In every name Acme gave its records: no other caller's answer holds it.
    pub marker: String,
    /// The case's own marker: support agents see the case by design.
    pub case_marker: String,
}

async fn created(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let r = app.post(path, token, body).await;
    assert!(r.status.is_success(), "POST {path}: {} {}", r.status, r.body);
    r.body
}

async fn upload(app: &TestApp, token: &str, path: &str) -> String {
    let r = app
        .http
        .post(app.url(&format!("{path}/files?file_name=plan.txt")))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body("the plan")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "upload to {path}: {}", r.status());
    r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

pub async fn seed_acme(app: &TestApp, bob: &str) -> Acme {
    let marker = format!("Zq{}", &Uuid::new_v4().simple().to_string()[..8]);
    let case_marker = format!("Zc{}", &Uuid::new_v4().simple().to_string()[..8]);
    let name = |what: &str| format!("{what} {marker}");
    let account = app.create_account(bob, &name("Account")).await;
    let account_id = account["id"].as_str().unwrap().to_string();
    let contact =
        app.create_contact(bob, &account_id, &format!("Contact{marker}")).await["id"].as_str().unwrap().to_string();
    let project = app.create_project(bob, &account_id).await;
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/projects/{project}/contacts/{contact}"),
            Some(bob),
            Some(json!({"role": "Decision maker"})),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let lead = created(
        app,
        "/api/v1/leads",
        bob,
        json!({"first_name": "Lena", "last_name": name("Lead"), "company": name("Company"), "email": "lena@zq.example"}),
    )
    .await;
    let quote = created(
        app,
        "/api/v1/quotes",
        bob,
        json!({"name": name("Quote"), "project_id": project, "account_id": account_id, "currency_code": "EUR"}),
    )
    .await;
    let quote_id = quote["id"].as_str().unwrap().to_string();
    let products = app.get("/api/v1/products?filter=sku%20%3D%20LIC-PRO", bob).await;
    let product = products.body["items"][0]["id"].as_str().unwrap().to_string();
    let line =
        created(app, &format!("/api/v1/quotes/{quote_id}/lines"), bob, json!({"product_id": product, "quantity": 40}))
            .await;
    let line = line["lines"][0]["id"].as_str().or(line["id"].as_str()).unwrap().to_string();
    // An order needs an accepted quote of its own (this one stays a draft to be edited).
    let ordered = created(
        app,
        "/api/v1/quotes",
        bob,
        json!({"name": name("Ordered"), "project_id": app.create_project(bob, &account_id).await, "account_id": account_id, "currency_code": "EUR"}),
    )
    .await;
    let ordered = ordered["id"].as_str().unwrap().to_string();
    created(app, &format!("/api/v1/quotes/{ordered}/lines"), bob, json!({"product_id": product, "quantity": 5})).await;
    for status in ["presented", "contract_sent", "accepted"] {
        created(app, &format!("/api/v1/quotes/{ordered}:transition"), bob, json!({"status": status})).await;
    }
    let order = created(app, "/api/v1/orders", bob, json!({"quote_id": ordered})).await;
    let task = created(
        app,
        "/api/v1/tasks",
        bob,
        json!({"subject": name("Call"), "type": "call", "related": {"type": "account", "id": account_id}}),
    )
    .await;
    let case = created(
        app,
        "/api/v1/cases",
        bob,
        json!({"subject": format!("Case {case_marker}"), "description": "Calls drop.", "product": "classound", "priority": "high"}),
    )
    .await;
    let report = created(
        app,
        "/api/v1/reports",
        bob,
        json!({"name": name("Report"), "source": "projects", "group_by": [{"field": "stage"}], "measures": [{"function": "count"}]}),
    )
    .await;
    let mut records = BTreeMap::new();
    records.insert("accounts", account_id);
    records.insert("contacts", contact.clone());
    records.insert("leads", lead["lead"]["id"].as_str().unwrap().to_string());
    records.insert("projects", project.clone());
    records.insert("quotes", quote_id);
    records.insert("orders", order["id"].as_str().unwrap().to_string());
    records.insert("tasks", task["id"].as_str().unwrap().to_string());
    records.insert("cases", case["id"].as_str().unwrap().to_string());
    records.insert("reports", report["id"].as_str().unwrap().to_string());
    let mut files = BTreeMap::new();
    for (collection, id) in &records {
        if *collection != "reports" {
            files.insert(*collection, upload(app, bob, &format!("/api/v1/{collection}/{id}")).await);
            let note = if *collection == "cases" { format!("Note {case_marker}") } else { name("Note") };
            created(app, &format!("/api/v1/{collection}/{id}/notes"), bob, json!({"body": note})).await;
        }
    }
    let mut views = BTreeMap::new();
    for collection in ["projects", "tasks"] {
        let v = created(app, &format!("/api/v1/{collection}/views"), bob, json!({"name": name("View")})).await;
        views.insert(collection, v["id"].as_str().unwrap().to_string());
    }
    let me = app.get("/api/v1/me", bob).await.body;
    Acme {
        records,
        files,
        views,
        contact,
        line,
        project,
        user: me["id"].as_str().unwrap().to_string(),
        partner: me["partner_id"].as_str().unwrap().to_string(),
        marker,
        case_marker,
    }
}

/// The path with its parameters filled: Acme's records, or random ids.
pub fn fill(path: &str, acme: &Acme, random: bool) -> Option<String> {
    let collection = path.trim_start_matches("/api/v1/").split(['/', ':']).next().unwrap_or("");
    let fresh = || Uuid::now_v7().to_string();
    let mut out = path.to_string();
    for (name, value) in [
        (
            "{id}",
            if collection == "users" {
                Some(acme.user.clone())
            } else if collection == "partners" {
                Some(acme.partner.clone())
            } else {
                acme.records.get(collection).cloned()
            },
        ),
        ("{file_id}", acme.files.get(collection).cloned()),
        ("{view_id}", acme.views.get(collection).cloned()),
        ("{contact_id}", Some(acme.contact.clone())),
        ("{line_id}", Some(acme.line.clone())),
        ("{project_id}", Some(acme.project.clone())),
        ("{user_id}", Some(acme.user.clone())),
        ("{partner_id}", Some(acme.partner.clone())),
    ] {
        if out.contains(name) {
            let value = value?;
            out = out.replace(name, &if random { fresh() } else { value });
        }
    }
    // Parameters that are not ids (a stage, a currency) name no record.
    if out.contains('{') { None } else { Some(out) }
}

/// A body the operation's schema accepts in shape: every required property
/// with a value of its type.
pub fn sample(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 6 {
        return Value::Null;
    }
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or("");
        return sample(doc, &doc["components"]["schemas"][name], depth + 1);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = schema[key].as_array().and_then(|a| a.iter().find(|s| s["type"] != "null")) {
            return sample(doc, first, depth + 1);
        }
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    let ty = match &schema["type"] {
        Value::Array(types) => types.iter().find(|t| *t != "null").cloned().unwrap_or(Value::Null),
        t => t.clone(),
    };
    match ty.as_str().unwrap_or("object") {
        "string" => match schema["format"].as_str() {
            Some("uuid") => json!(Uuid::now_v7().to_string()),
            Some("date") => json!(prm_kit::testing::days_from_today(30)),
            Some("date-time") => json!(chrono::Utc::now().to_rfc3339()),
            _ => json!("x"),
        },
        "integer" | "number" => json!(1),
        "boolean" => json!(false),
        "array" => json!([]),
        _ => {
            let mut out = serde_json::Map::new();
            for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                out.insert(name.to_string(), sample(doc, &schema["properties"][name], depth + 1));
            }
            Value::Object(out)
        }
    }
}

async fn send(
    app: &TestApp,
    method: &Method,
    path: &str,
    token: &str,
    op: &Value,
    doc: &Value,
) -> (StatusCode, String) {
    let mut url = app.url(path);
    let required_query: Vec<String> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query" && p["required"] == true)
        .filter_map(|p| p["name"].as_str().map(|n| format!("{n}=x.txt")))
        .collect();
    if !required_query.is_empty() {
        url = format!("{url}?{}", required_query.join("&"));
    }
    let mut req = app.http.request(method.clone(), url).bearer_auth(token);
    let content = &op["requestBody"]["content"];
    if let Some(schema) = content.get("application/json").map(|c| &c["schema"]) {
        req = req.json(&sample(doc, schema, 0));
    } else if content.get("application/octet-stream").is_some() {
        req = req.header("content-type", "application/octet-stream").body("planted");
    }
    let res = req.send().await.expect("request sent");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

/// The record reads of the owner, to compare before and after.
pub async fn snapshot(app: &TestApp, bob: &str, acme: &Acme) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (collection, id) in &acme.records {
        let mut paths = vec![format!("/api/v1/{collection}/{id}")];
        if *collection != "reports" {
            paths.push(format!("/api/v1/{collection}/{id}/notes"));
            paths.push(format!("/api/v1/{collection}/{id}/files"));
            paths.push(format!("/api/v1/{collection}/{id}/followers"));
        }
        for path in paths {
            let r = app.get(&path, bob).await;
            out.insert(path, json!({"status": r.status.as_u16(), "body": r.body}));
        }
    }
    for collection in acme.views.keys() {
        let path = format!("/api/v1/{collection}/views");
        out.insert(path.clone(), app.get(&path, bob).await.body);
    }
    let path = format!("/api/v1/projects/{}/contacts", acme.project);
    out.insert(path.clone(), app.get(&path, bob).await.body);
    out
}

#[tokio::test]
async fn no_other_caller_reaches_a_partners_records_through_any_route() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    let sam = app.login("sam@vendor.example").await;
    // An account manager of Borealis only.
    let identity = app.state().auth.identity();
    let borealis =
        identity.list_partners().await.unwrap().into_iter().find(|p| p.name.starts_with("Borealis")).unwrap();
    let amy = identity
        .create_user(prm_gateway::identity::NewUser {
            email: "amy@vendor.example".into(),
            display_name: "Amy Manager".into(),
            password: prm_gateway::demo::DEMO_PASSWORD.into(),
            role: prm_gateway::identity::Role::AccountManager,
            partner_id: None,
        })
        .await
        .unwrap();
    identity.assign_account_manager(amy.id, borealis.id).await.unwrap();
    let amy = app.login("amy@vendor.example").await;

    let acme = seed_acme(&app, &bob).await;
    let before = snapshot(&app, &bob, &acme).await;
    let doc = app.get("/api/v1/openapi.json", &bob).await.body;

    let actors =
        [("carol (Borealis)", &carol, false), ("amy (AM of Borealis)", &amy, false), ("sam (support)", &sam, true)];
    let mut tried = 0;
    let mut failures = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Ok(m) = method.to_uppercase().parse::<Method>() else { continue };
            let (Some(path), Some(random)) = (fill(template, &acme, false), fill(template, &acme, true)) else {
                continue;
            };
            if path == random {
                continue; // no id in it
            }
            for (who, token, support) in &actors {
                // Support agents work on every partner's cases by design, and
                // read the partners' names and addresses for them.
                if *support
                    && (template.starts_with("/api/v1/cases/")
                        || (template == "/api/v1/partners/{id}" && method == "get"))
                {
                    continue;
                }
                tried += 1;
                let (got, body) = send(&app, &m, &path, token, op, &doc).await;
                let (baseline, _) = send(&app, &m, &random, token, op, &doc).await;
                let refused = !got.is_success() && got != StatusCode::CONFLICT;
                if !refused || (got != StatusCode::NOT_FOUND && got != baseline) {
                    failures.push(format!("{who}: {method} {template} → {got} (random ids: {baseline}) {body}"));
                }
            }
        }
    }
    println!("BOLA matrix: {tried} calls with another partner's ids");
    assert!(
        failures.is_empty(),
        "{} of {tried} calls reached Acme's records:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(tried > 300, "only {tried} combinations: the document lost its routes?");

    // Nothing changed for Acme.
    let after = snapshot(&app, &bob, &acme).await;
    for (path, was) in &before {
        assert_eq!(after.get(path), Some(was), "{path} changed");
    }

    // No answer of theirs names Acme's records (support agents: but its case).
    for (who, token, support) in &actors {
        let case = (acme.records["cases"].as_str(), acme.files["cases"].as_str());
        let acme_ids: Vec<&str> = acme
            .records
            .values()
            .chain(acme.files.values())
            .chain(acme.views.values())
            .map(String::as_str)
            .filter(|id| !*support || (*id != case.0 && *id != case.1))
            .collect();
        let markers: Vec<&str> = if *support { vec![&acme.marker] } else { vec![&acme.marker, &acme.case_marker] };
        let mut paths: Vec<String> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(p, item)| !p.contains('{') && item.get("get").is_some())
            .map(|(p, _)| p.clone())
            .collect();
        for marker in [&acme.marker, &acme.case_marker] {
            paths.push(format!("/api/v1/search?q={marker}"));
            paths.push(format!("/api/v1/accounts:search?q={marker}"));
            paths.push(format!("/api/v1/leads:search?q={marker}"));
        }
        let reports = app.get("/api/v1/reports", token).await;
        for r in reports.body["items"].as_array().into_iter().flatten() {
            let id = r["id"].as_str().unwrap();
            for part in ["result", "export.csv", "chart.svg"] {
                paths.push(format!("/api/v1/reports/{id}/{part}"));
            }
        }
        for path in &paths {
            let r = app.http.get(app.url(path)).bearer_auth(token).send().await.unwrap();
            let text = r.text().await.unwrap_or_default();
            for marker in &markers {
                assert!(!text.contains(marker), "{who}: GET {path} names Acme's records: {text}");
            }
            for id in &acme_ids {
                assert!(!text.contains(id), "{who}: GET {path} holds Acme's id {id}");
            }
        }
        println!("{who}: {} answers searched for Acme's ids and names", paths.len());
    }
    app.stop().await;
}

//! Global search over REST: one query fanned out to every service, found by
//! a word of a name, part of an e-mail, a phone number in another format;
//! the exact match first; never across tenants; partial answers naming the
//! service that is down.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn search(app: &TestApp, token: &str, q: &str) -> Value {
    let r = app.get(&format!("/api/v1/search?q={}", urlencode(q)), token).await;
    assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
    r.body
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// (type, title) of every result, group by group.
fn found(body: &Value) -> Vec<(String, String)> {
    body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| {
            g["results"].as_array().unwrap().iter().map(move |h| {
                assert_eq!(h["type"], g["type"]);
                (h["type"].as_str().unwrap().to_string(), h["title"].as_str().unwrap().to_string())
            })
        })
        .collect()
}

fn types(body: &Value) -> Vec<String> {
    body["groups"].as_array().unwrap().iter().map(|g| g["type"].as_str().unwrap().to_string()).collect()
}

/// Records of several services that share the word "Zyxwv".
async fn seed(app: &TestApp, token: &str) -> (String, String) {
    let r = app
        .post(
            "/api/v1/accounts",
            token,
            json!({"name": "Zyxwv Fjord Ltd", "type": "prospect", "phone": "+44 20 7946 0321"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let account = r.body["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v1/contacts",
            token,
            json!({"account_id": account, "first_name": "Hedda", "last_name": "Gäbler", "email": "hedda.gabler@fjord.example"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let contact = r.body["id"].as_str().unwrap().to_string();
    let r = app
        .post("/api/v1/leads", token, json!({"company": "Café Zyxwv", "last_name": "Ibsen", "phone": "(555) 010-7788"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .post(
            "/api/v1/projects",
            token,
            json!({"name": "Zyxwv rollout", "account_id": account, "record_type": "new_business",
                   "close_date": prm_kit::testing::days_from_today(90), "total_users": 5, "interested_solutions": ["licenses"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    (account, contact)
}

#[tokio::test]
async fn search_finds_records_of_every_service_by_word_email_and_phone() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let (account, contact) = seed(&app, &bob).await;

    // A word of the name, in another case, finds the records of three services.
    let body = search(&app, &bob, "ZYXWV").await;
    let hits = found(&body);
    for (kind, title) in [("account", "Zyxwv Fjord Ltd"), ("project", "Zyxwv rollout")] {
        assert!(hits.contains(&(kind.into(), title.into())), "{kind} {title}: {body}");
    }
    assert!(hits.iter().any(|(k, _)| k == "lead"), "{body}");
    assert!(body["missing"].as_array().unwrap().is_empty(), "{body}");
    let acc = &body["groups"].as_array().unwrap().iter().find(|g| g["type"] == "account").unwrap()["results"][0];
    assert_eq!(acc["href"], format!("/api/v1/accounts/{account}"));

    // Accents and case do not matter, either way round.
    let body = search(&app, &bob, "cafe zyxwv").await;
    assert_eq!(types(&body), ["lead"], "{body}");
    let body = search(&app, &bob, "gabler").await;
    assert!(found(&body).contains(&("contact".into(), "Hedda Gäbler".into())), "{body}");

    // Part of an e-mail address.
    let body = search(&app, &bob, "hedda.gab").await;
    let c = &body["groups"][0]["results"][0];
    assert_eq!((c["type"].as_str(), c["id"].as_str()), (Some("contact"), Some(contact.as_str())), "{body}");

    // A phone number in another format.
    let body = search(&app, &bob, "20 7946-0321").await;
    assert!(found(&body).contains(&("account".into(), "Zyxwv Fjord Ltd".into())), "{body}");
    let body = search(&app, &bob, "555.010.7788").await;
    assert_eq!(types(&body), ["lead"], "{body}");

    // Types narrow the search to the services that own them.
    let r = app.get("/api/v1/search?q=zyxwv&types=project", &bob).await;
    assert_eq!(types(&r.body), ["project"], "{}", r.body);
    app.stop().await;
}

#[tokio::test]
async fn the_exact_match_ranks_first() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    for name in ["Quillon Brothers", "The Quillon Group", "Quillon", "Quillonaire"] {
        app.create_account(&bob, name).await;
    }
    let body = search(&app, &bob, "quillon").await;
    let titles: Vec<String> = found(&body).into_iter().filter(|(k, _)| k == "account").map(|(_, t)| t).collect();
    assert_eq!(titles[0], "Quillon", "{body}");
    assert_eq!(titles.len(), 4, "{body}");
    assert_eq!(
        titles.last().map(String::as_str),
        Some("The Quillon Group"),
        "a word inside ranks after the prefixes: {body}"
    );
    let scores: Vec<f64> =
        body["groups"][0]["results"].as_array().unwrap().iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    app.stop().await;
}

#[tokio::test]
async fn search_never_crosses_tenants() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    seed(&app, &bob).await;

    // Another partner's people find nothing, not even a count or a group.
    let carol = app.login("carol@borealis.example").await;
    for q in ["zyxwv", "hedda", "+44 20 7946 0321", "555 010 7788"] {
        let body = search(&app, &carol, q).await;
        assert_eq!(body["groups"], json!([]), "{q}: {body}");
    }
    // The account manager of Acme sees it; support sees cases, not accounts.
    let maria = app.login("maria@vendor.example").await;
    assert!(found(&search(&app, &maria, "zyxwv").await).iter().any(|(k, _)| k == "account"));
    let sam = app.login("sam@vendor.example").await;
    assert_eq!(search(&app, &sam, "zyxwv").await["groups"], json!([]));
    // The vendor admin sees every partner's records.
    let victor = app.login("victor@vendor.example").await;
    assert!(found(&search(&app, &victor, "zyxwv").await).iter().any(|(k, _)| k == "project"));
    app.stop().await;
}

#[tokio::test]
async fn a_stopped_service_is_listed_as_missing_and_the_rest_answers() {
    let mut app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    seed(&app, &bob).await;
    app.stop_service("project").await;

    let body = search(&app, &bob, "zyxwv").await;
    assert_eq!(body["missing"], json!([{"service": "project", "reason": "unavailable"}]), "{body}");
    let kinds = types(&body);
    assert!(kinds.contains(&"account".to_string()) && kinds.contains(&"lead".to_string()), "{body}");
    assert!(!kinds.contains(&"project".to_string()));
    app.stop().await;
}

#[tokio::test]
async fn bad_search_input_is_a_400_naming_the_field() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    for (path, field) in [
        ("/api/v1/search?q=a", "q"),
        ("/api/v1/search?q=", "q"),
        (&*format!("/api/v1/search?q={}", "x".repeat(201)), "q"),
        ("/api/v1/search?q=acme&types=planet", "types"),
        ("/api/v1/search?q=acme&page_size=-1", "page_size"),
    ] {
        let r = app.get(path, &bob).await;
        assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, field), "{path}: {}", r.body);
    }
    let r = app.call(reqwest::Method::GET, "/api/v1/search?q=acme", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

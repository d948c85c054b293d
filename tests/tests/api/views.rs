//! Saved list views of leads, accounts and contacts over REST: one shape for
//! every collection, kept by the collection's own service, personal to the
//! person who saved them, beside the built-in views.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

fn ids(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn leads_accounts_and_contacts_keep_each_persons_saved_views_beside_the_built_in_ones() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let alice = app.login("alice@acme.example").await;
    let carol = app.login("carol@borealis.example").await;
    for (collection, built_ins, filter, column) in [
        ("leads", &["all", "open", "mine", "pending"][..], r#"status = "new""#, "company"),
        ("accounts", &["all", "mine", "customers"], r#"type = "customer""#, "billing_address.city"),
        ("contacts", &["all", "mine"], r#"last_name : "a""#, "email"),
    ] {
        let base = format!("/api/v1/{collection}/views");
        let listed = app.get(&base, &bob).await;
        assert_eq!(listed.status, StatusCode::OK, "{collection}: {}", listed.body);
        assert_eq!(ids(&listed.body), built_ins, "{collection}");
        // Every built-in view runs as its list.
        for v in listed.body["items"].as_array().unwrap() {
            let q = [("filter", v["filter"].as_str().unwrap()), ("order_by", v["order_by"].as_str().unwrap())];
            let url = reqwest::Url::parse_with_params(&app.url(&format!("/api/v1/{collection}")), q).unwrap();
            let r = app.get(&format!("{}?{}", url.path(), url.query().unwrap()), &bob).await;
            assert_eq!(r.status, StatusCode::OK, "{collection} {}: {}", v["id"], r.body);
        }

        let made = app.post(&base, &bob, json!({"name": "Mine", "filter": filter, "columns": [column]})).await;
        assert_eq!(made.status, StatusCode::CREATED, "{collection}: {}", made.body);
        assert_eq!((made.body["built_in"].as_bool(), made.body["columns"].clone()), (Some(false), json!([column])));
        let id = made.body["id"].as_str().unwrap().to_string();
        assert!(ids(&app.get(&base, &bob).await.body).contains(&id));
        // Personal: a colleague and another partner see and touch nothing.
        for other in [&alice, &carol] {
            assert!(!ids(&app.get(&base, other).await.body).contains(&id), "{collection}");
            let r = app.patch(&format!("{base}/{id}"), other, json!({"name": "Theirs"})).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{collection}: {}", r.body);
            assert_eq!(app.delete(&format!("{base}/{id}"), other).await.status, StatusCode::NOT_FOUND);
        }
        // A rename changes the name only.
        let renamed = app.patch(&format!("{base}/{id}"), &bob, json!({"name": "Renamed"})).await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        assert_eq!((renamed.body["name"].as_str(), renamed.body["filter"].as_str()), (Some("Renamed"), Some(filter)));
        // Bad input names the field and saves nothing.
        for (body, field) in [
            (json!({"name": ""}), "name"),
            (json!({"name": "x", "filter": "nonsense = 1"}), "filter"),
            (json!({"name": "x", "order_by": "nonsense desc"}), "order_by"),
            (json!({"name": "x", "columns": ["password"]}), "columns[0]"),
            (json!({"name": "x", "built_in": true}), "built_in"),
        ] {
            let r = app.post(&base, &bob, body.clone()).await;
            assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, field), "{collection} {body}: {}", r.body);
        }
        assert_eq!(ids(&app.get(&base, &bob).await.body).len(), built_ins.len() + 1, "{collection}");
        // Built-in views stay as they are.
        let r = app.patch(&format!("{base}/{}", built_ins[0]), &bob, json!({"name": "Mine now"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(app.delete(&format!("{base}/{}", built_ins[0]), &bob).await.status, StatusCode::CONFLICT);
        assert_eq!(app.delete(&format!("{base}/{id}"), &bob).await.status, StatusCode::NO_CONTENT);
        assert_eq!(app.delete(&format!("{base}/{id}"), &bob).await.status, StatusCode::NOT_FOUND);
        assert_eq!(ids(&app.get(&base, &bob).await.body), built_ins);
    }
    app.stop().await;
}

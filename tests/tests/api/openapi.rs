//! The OpenAPI document describes the routes.

use reqwest::{Method, StatusCode};

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_openapi_document_lists_the_routes() {
    let app = spawn_app().await;
    let r = app.call(Method::GET, "/api/v1/openapi.json", None, None).await;
    // The document is public only to signed-in clients.
    let token = app.login("bob@acme.example").await;
    let r = if r.status == StatusCode::UNAUTHORIZED { app.get("/api/v1/openapi.json", &token).await } else { r };
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["openapi"], "3.1.0");
    let paths = r.body["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/accounts", "get"),
        ("/api/v1/accounts", "post"),
        ("/api/v1/accounts/{id}", "get"),
        ("/api/v1/accounts/{id}", "patch"),
        ("/api/v1/accounts/{id}", "delete"),
        ("/api/v1/accounts/{id}:changeOwner", "post"),
        ("/api/v1/contacts", "get"),
        ("/api/v1/contacts/{id}", "patch"),
        ("/api/v1/accounts/{id}/notes", "post"),
        ("/api/v1/contacts/{id}/history", "get"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/refresh", "post"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} missing");
    }
    // Every documented path answers something other than the router's fallback.
    for path in paths.keys() {
        let concrete = path
            .replace("{id}", &uuid::Uuid::now_v7().to_string())
            .replace("{file_id}", &uuid::Uuid::now_v7().to_string())
            .replace("{partner_id}", &uuid::Uuid::now_v7().to_string())
            .replace("{user_id}", &uuid::Uuid::now_v7().to_string());
        let methods: Vec<&String> = paths[path].as_object().unwrap().keys().collect();
        let method = Method::from_bytes(methods[0].to_uppercase().as_bytes()).unwrap();
        let res = app.http.request(method.clone(), app.url(&concrete)).bearer_auth(&token).send().await.unwrap();
        assert_ne!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        let body = res.text().await.unwrap();
        assert!(!body.contains("No route matches"), "{method} {path} is not routed");
    }
    app.stop().await;
}

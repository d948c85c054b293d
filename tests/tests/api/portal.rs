//! The web portal as the gateway serves it: the app's pages and files with
//! their cache rules and security headers, and sign-in fit for a browser
//! (the refresh token in an HttpOnly cookie, CSRF refused).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

const CSRF: (&str, &str) = ("x-prm-csrf", "1");

/// The `prm_refresh` cookie a response sets: its value and attributes.
fn refresh_cookie(headers: &reqwest::header::HeaderMap) -> (String, String) {
    let set = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("prm_refresh="))
        .expect("a prm_refresh cookie is set")
        .to_string();
    let (pair, attributes) = set.split_once(';').unwrap_or((&set, ""));
    (pair.trim_start_matches("prm_refresh=").to_string(), attributes.to_string())
}

async fn sign_in(app: &TestApp, email: &str) -> (String, String) {
    let r = app
        .call_with(
            Method::POST,
            "/api/v1/auth/session",
            None,
            Some(json!({"email": email, "password": prm_gateway::demo::DEMO_PASSWORD})),
            &[CSRF],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["user"]["email"], email);
    assert!(r.body.get("refresh_token").is_none(), "the refresh token never reaches the page");
    let (cookie, attributes) = refresh_cookie(&r.headers);
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth/session"] {
        assert!(attributes.contains(attribute), "{attribute} missing from {attributes}");
    }
    (r.body["access_token"].as_str().unwrap().to_string(), cookie)
}

#[tokio::test]
async fn the_portal_is_served_at_the_root_and_on_every_page_of_the_app() {
    let app = spawn_app().await;
    for path in ["/", "/projects/0192f7a0-0000-7000-8000-000000000000", "/cases/abc", "/home"] {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let h = r.headers().clone();
        assert!(h["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
        assert_eq!(h["cache-control"], "no-cache", "index.html is revalidated at every load");
        let csp = h["content-security-policy"].to_str().unwrap();
        for directive in ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"] {
            assert!(csp.contains(directive), "{directive} missing from {csp}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
        let etag = h["etag"].to_str().unwrap().to_string();
        let again = app.http.get(app.url(path)).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let body = r.text().await.unwrap();
        assert!(body.contains("<html"), "{body}");
    }
    // The index names its hashed assets: each is served, immutable.
    let index = app.http.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    let assets: Vec<&str> = index.split(['"', '\'']).filter(|s| s.starts_with("/assets/")).collect();
    for asset in &assets {
        let r = app.http.get(app.url(asset)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{asset}");
        assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable", "{asset}");
    }
    // A missing file is a 404, never the app's page; the API keeps its own 404.
    for path in ["/assets/missing-0000.js", "/favicon-missing.png", "/api/v1/nothing", "/api/v1"] {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"), "{path}");
    }
    for path in ["/../Cargo.toml", "/assets/../../Cargo.toml", "/%2e%2e/Cargo.toml"] {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        let body = r.text().await.unwrap();
        assert!(!body.contains("[workspace]"), "{path} escapes the assets");
    }
    let r = app.http.post(app.url("/projects")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    app.stop().await;
}

/// Every text file goes out in the smallest form the browser accepts, as the
/// build compressed it (brotli, else gzip, else as it is), with `Vary` so
/// caches keep each form apart, and an ETag of its own.
#[tokio::test]
async fn the_portals_files_are_sent_precompressed_in_the_encoding_the_browser_accepts() {
    let app = spawn_app().await;
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist");
    let index = app.http.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    let mut files: Vec<(String, String)> = index
        .split(['"', '\''])
        .filter(|s| s.starts_with("/assets/"))
        .map(|s| (s.to_string(), s.trim_start_matches('/').to_string()))
        .collect();
    files.push(("/".into(), "index.html".into()));
    files.push(("/projects".into(), "index.html".into()));
    assert!(files.len() >= 4, "{files:?}");
    for (path, file) in &files {
        let get = |accept: &'static str| {
            let mut req = app.http.get(app.url(path));
            if !accept.is_empty() {
                req = req.header("accept-encoding", accept);
            }
            req.send()
        };
        let mut etags = vec![];
        for (accept, encoding, ext) in [
            ("gzip, deflate, br, zstd", Some("br"), ".br"),
            ("gzip", Some("gzip"), ".gz"),
            ("br;q=0, gzip;q=0.8", Some("gzip"), ".gz"),
            ("identity", None, ""),
            ("", None, ""),
        ] {
            let r = get(accept).await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path} {accept}");
            let h = r.headers().clone();
            assert_eq!(h.get("content-encoding").map(|v| v.to_str().unwrap()), encoding, "{path} {accept}");
            assert_eq!(h["vary"], "accept-encoding", "{path}");
            let want = std::fs::read(dist.join(format!("{file}{ext}"))).unwrap();
            assert_eq!(r.bytes().await.unwrap().as_ref(), want.as_slice(), "{path} {accept}: the build's bytes");
            let etag = h["etag"].to_str().unwrap().to_string();
            let again = app.http.get(app.url(path)).header("accept-encoding", accept).header("if-none-match", &etag);
            assert_eq!(again.send().await.unwrap().status(), StatusCode::NOT_MODIFIED, "{path} {accept}");
            etags.push(etag);
        }
        etags.dedup();
        assert_eq!(etags.len(), 3, "one ETag per form of {path}: {etags:?}");
    }
    app.stop().await;
}

/// API answers from 1 KiB on are compressed for a client that accepts it,
/// and the same bytes once decompressed; small ones and clients that do
/// not ask get them as they are.
#[tokio::test]
async fn api_answers_are_compressed_for_clients_that_accept_it() {
    use std::io::Read;
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    let get = |path: &'static str, accept: Option<&'static str>| {
        let mut req = app.http.get(app.url(path)).bearer_auth(&bob);
        if let Some(a) = accept {
            req = req.header("accept-encoding", a);
        }
        req.send()
    };
    let large = "/api/v1/openapi.json";
    let plain = get(large, None).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    assert!(plain.len() > 1024, "{}", plain.len());
    let gz = get(large, Some("gzip")).await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.headers()["cache-control"], "no-store", "still personal data");
    let packed = gz.bytes().await.unwrap();
    assert!(packed.len() < plain.len() / 2, "{} of {}", packed.len(), plain.len());
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&packed[..]).read_to_end(&mut unpacked).unwrap();
    let (a, b): (serde_json::Value, serde_json::Value) =
        (serde_json::from_slice(&unpacked).unwrap(), serde_json::from_slice(&plain).unwrap());
    assert_eq!(a, b);
    assert_eq!(get(large, Some("br")).await.unwrap().headers()["content-encoding"], "br");
    // A small answer (a person) is not worth it.
    let me = get("/api/v1/me", Some("gzip, br")).await.unwrap();
    assert!(me.headers().get("content-encoding").is_none());
    app.stop().await;
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_api_answers_are_not_stored() {
    let app = spawn_app().await;
    let bob = app.login("bob@acme.example").await;
    for (path, token) in
        [("/api/v1/me", Some(&bob)), ("/api/v1/accounts", Some(&bob)), ("/api/v1/me", None), ("/", None)]
    {
        let r = app.call(Method::GET, path, token.map(|t| t.as_str()), None).await;
        let h = &r.headers;
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h["strict-transport-security"].to_str().unwrap().starts_with("max-age="), "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"), "{path}");
        if path.starts_with("/api/") {
            assert_eq!(h["cache-control"], "no-store", "{path}: personal data is never cached");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_browser_session_lives_in_an_http_only_cookie_refreshes_and_signs_out() {
    let app = spawn_app().await;
    let (access, cookie) = sign_in(&app, "bob@acme.example").await;
    assert_eq!(app.get("/api/v1/me", &access).await.status, StatusCode::OK);

    // Refresh by the cookie alone: a new access token and a rotated cookie.
    let cookie_header = format!("prm_refresh={cookie}");
    let r = app
        .call_with(Method::POST, "/api/v1/auth/session/refresh", None, None, &[CSRF, ("cookie", &cookie_header)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["user"]["email"], "bob@acme.example");
    let fresh = r.body["access_token"].as_str().unwrap().to_string();
    let (rotated, _) = refresh_cookie(&r.headers);
    assert_ne!(rotated, cookie);
    assert_eq!(app.get("/api/v1/me", &fresh).await.status, StatusCode::OK);

    // The consumed cookie again is a replay: the whole session is revoked.
    let r = app
        .call_with(Method::POST, "/api/v1/auth/session/refresh", None, None, &[CSRF, ("cookie", &cookie_header)])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(refresh_cookie(&r.headers).1.contains("Max-Age=0"), "a dead cookie is cleared");
    assert_eq!(app.get("/api/v1/me", &fresh).await.status, StatusCode::UNAUTHORIZED);

    // A new session, signed out: the cookie and the access token stop working.
    let (access, cookie) = sign_in(&app, "bob@acme.example").await;
    let cookie_header = format!("prm_refresh={cookie}");
    let r = app
        .call_with(Method::DELETE, "/api/v1/auth/session", Some(&access), None, &[CSRF, ("cookie", &cookie_header)])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(refresh_cookie(&r.headers).1.contains("Max-Age=0"));
    assert_eq!(app.get("/api/v1/me", &access).await.status, StatusCode::UNAUTHORIZED);
    let r = app
        .call_with(Method::POST, "/api/v1/auth/session/refresh", None, None, &[CSRF, ("cookie", &cookie_header)])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.call_with(Method::POST, "/api/v1/auth/session/refresh", None, None, &[CSRF]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "no cookie, no session");

    // Wrong password: one answer, no cookie.
    let r = app
        .call_with(
            Method::POST,
            "/api/v1/auth/session",
            None,
            Some(json!({"email": "bob@acme.example", "password": "wrong"})),
            &[CSRF],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.headers.get("set-cookie").is_none());
    app.stop().await;
}

#[tokio::test]
async fn cross_site_requests_to_the_session_routes_are_refused() {
    let app = spawn_app().await;
    let (_, cookie) = sign_in(&app, "alice@acme.example").await;
    let cookie_header = format!("prm_refresh={cookie}");
    let login = json!({"email": "alice@acme.example", "password": prm_gateway::demo::DEMO_PASSWORD});
    let host = app.addr.to_string();
    let same_origin = format!("http://{host}");
    for headers in [
        vec![],
        vec![("x-prm-csrf", "0")],
        vec![CSRF, ("origin", "https://evil.example")],
        vec![CSRF, ("sec-fetch-site", "cross-site")],
        vec![CSRF, ("origin", "null")],
    ] {
        for (method, path, body) in [
            (Method::POST, "/api/v1/auth/session", Some(login.clone())),
            (Method::POST, "/api/v1/auth/session/refresh", None),
            (Method::DELETE, "/api/v1/auth/session", None),
        ] {
            let mut all = headers.clone();
            all.push(("cookie", &cookie_header));
            let r = app.call_with(method.clone(), path, None, body, &all).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path} with {headers:?}: {}", r.body);
            assert!(r.headers.get("set-cookie").is_none(), "{method} {path}");
        }
    }
    // The refused attempts changed nothing: the session still refreshes from
    // this site.
    let r = app
        .call_with(
            Method::POST,
            "/api/v1/auth/session/refresh",
            None,
            None,
            &[CSRF, ("cookie", &cookie_header), ("origin", &same_origin), ("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.stop().await;
}

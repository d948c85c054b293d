//! The rate limit answers 429 with Retry-After and RateLimit headers.

use reqwest::StatusCode;

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn the_rate_limit_answers_429_with_its_headers() {
    let app = spawn_app_with(|cfg| {
        cfg.rate_limit.per_user = 5;
    })
    .await;
    let bob = app.login("bob@acme.example").await;
    let mut last = None;
    for i in 0..5 {
        let r = app.get("/api/v1/accounts", &bob).await;
        assert_eq!(r.status, StatusCode::OK, "request {i}");
        assert_eq!(r.headers["ratelimit-limit"], "5");
        assert_eq!(r.headers["ratelimit-remaining"], (4 - i).to_string().as_str());
        last = Some(r);
    }
    assert!(last.unwrap().headers.contains_key("ratelimit-reset"));
    let r = app.get("/api/v1/accounts", &bob).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(r.headers["ratelimit-remaining"], "0");
    // Another user has a budget of their own.
    let alice = app.login("alice@acme.example").await;
    assert_eq!(app.get("/api/v1/accounts", &alice).await.status, StatusCode::OK);
    app.stop().await;
}

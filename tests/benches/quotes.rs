//! Quotes over REST: creating a 20-line quote (one POST for the quote and
//! twenty for its lines, as a client does), and recomputing the totals of a
//! 500-line quote (PATCH of one line, which reprices it and re-sums all 500).
//! Prints requests/s, p50 and p99.
//!
//! `cargo bench -p prm-e2e --bench quotes` (PostgreSQL when
//! PRM_TEST_DATABASE_URL is set, else SQLite). BENCH_SECONDS (default 10) and
//! BENCH_CONCURRENCY (default 8) tune the run.

use std::sync::Arc;

mod common;

use common::{env_or, load, row};
use prm_gateway::{demo, launcher, ratelimit::RateLimitConfig};
use prm_kit::testing::TestDatabase;
use serde_json::{Value, json};

static NEXT_LINE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    async fn quote(&self, account: &str, lines: usize, product: &str) -> Value {
        let q = self
            .send(
                reqwest::Method::POST,
                "/api/v1/quotes",
                json!({"name": "Bench quote", "project_id": uuid::Uuid::now_v7().to_string(), "account_id": account, "currency_code": "EUR"}),
            )
            .await;
        let id = q["id"].as_str().unwrap().to_string();
        let mut last = q;
        for i in 0..lines {
            last = self
                .send(
                    reqwest::Method::POST,
                    &format!("/api/v1/quotes/{id}/lines"),
                    json!({"product_id": product, "quantity": 1 + i % 50, "discount_percent": "7.5"}),
                )
                .await;
        }
        last
    }
}

#[tokio::main]
async fn main() {
    let seconds = env_or("BENCH_SECONDS", 10);
    let concurrency = env_or("BENCH_CONCURRENCY", 8);
    let mut dbs = Vec::new();
    // The gateway's, then one per service.
    for _ in 0..=launcher::SERVICES.len() {
        dbs.push(TestDatabase::create().await.unwrap());
    }
    let backend = if dbs[0].is_postgres() { "PostgreSQL" } else { "SQLite" };
    let system = launcher::start(launcher::SystemConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        grpc_port_base: 0,
        gateway_database_url: dbs[0].owner_url(),
        database_urls: launcher::SERVICES.iter().copied().zip(dbs[1..].iter().map(|d| d.urls())).collect(),
        redis_url: std::env::var("PRM_TEST_REDIS_URL").ok().filter(|u| !u.is_empty()),
        internal_key: b"bench-internal-key".to_vec(),
        internal_token_ttl: prm_kit::auth::DEFAULT_TOKEN_TTL,
        session_max_age: prm_gateway::auth::SessionPolicy::default().max_age,
        access_token_key: b"bench-access-token-key-of-32-bytes!!".to_vec(),
        rate_limit: RateLimitConfig { per_user: u32::MAX, per_ip: u32::MAX, ..RateLimitConfig::default() },
        mail: Default::default(),
    })
    .await
    .unwrap();
    demo::seed(&system.state).await.unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://{}", system.rest_addr);
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "bob@acme.example", "password": demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let api = Arc::new(Api { http, base, token: login["access_token"].as_str().unwrap().to_string() });
    let account = api.send(reqwest::Method::POST, "/api/v1/accounts", json!({"name": "Bench customer"})).await;
    let account = account["id"].as_str().unwrap().to_string();
    let products = api.send(reqwest::Method::GET, "/api/v1/products?filter=sku%20%3D%20LIC-PRO", json!(null)).await;
    let product = products["items"][0]["id"].as_str().unwrap().to_string();

    // 1. A whole 20-line quote per operation.
    let (create, create_elapsed) = {
        let (api, account, product) = (api.clone(), account.clone(), product.clone());
        load(concurrency, seconds, move |_| {
            let (api, account, product) = (api.clone(), account.clone(), product.clone());
            async move {
                let q = api.quote(&account, 20, &product).await;
                assert_eq!(q["lines"].as_array().unwrap().len(), 20);
            }
        })
        .await
    };

    // 2. One 500-line quote per worker; each operation changes one line and re-sums all.
    let mut big = Vec::new();
    for _ in 0..concurrency {
        let q = api.quote(&account, 500, &product).await;
        let lines: Vec<String> =
            q["lines"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_string()).collect();
        big.push((q["id"].as_str().unwrap().to_string(), lines));
    }
    let big = Arc::new(big);
    let (recompute, recompute_elapsed) = {
        let (api, big) = (api.clone(), big.clone());
        load(concurrency, seconds, move |worker| {
            let (api, big) = (api.clone(), big.clone());
            async move {
                let (id, lines) = &big[worker as usize];
                // Walk the lines, so each change hits a different one.
                let n = NEXT_LINE.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as usize;
                let line = &lines[n % lines.len()];
                let q = api
                    .send(reqwest::Method::PATCH, &format!("/api/v1/quotes/{id}/lines/{line}"), json!({"quantity": 3}))
                    .await;
                assert_eq!(q["lines"].as_array().unwrap().len(), 500);
            }
        })
        .await
    };

    println!("\n{backend}, {concurrency} concurrent clients, {seconds} s each\n");
    println!("| operation | per second | p50 ms | p99 ms |\n|---|---|---|---|");
    println!("{}", row("create a 20-line quote (21 REST calls)", create, create_elapsed));
    println!("{}", row("recompute a 500-line quote (PATCH one line)", recompute, recompute_elapsed));
    system.shutdown().await.unwrap();
    for mut db in dbs {
        db.drop_database().await.unwrap();
    }
}

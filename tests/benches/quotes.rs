//! Quotes over REST: creating a 20-line quote (one POST for the quote and
//! twenty for its lines, as a client does), and recomputing the totals of a
//! 500-line quote (PATCH of one line, which reprices it and re-sums all 500).
//! Prints requests/s, p50 and p99.
//!
//! `cargo bench -p prm-e2e --bench quotes` (PostgreSQL when
//! PRM_TEST_DATABASE_URL is set, else SQLite). BENCH_SECONDS (default 10) and
//! BENCH_CONCURRENCY (default 8) tune the run.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use prm_gateway::{demo, launcher, ratelimit::RateLimitConfig};
use prm_kit::testing::TestDatabase;
use serde_json::{Value, json};

static NEXT_LINE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn row(name: &str, mut lat: Vec<Duration>, elapsed: Duration) -> String {
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1].as_secs_f64() * 1000.0;
    format!("| {name} | {:.1} | {:.2} | {:.2} |", lat.len() as f64 / elapsed.as_secs_f64(), pct(0.5), pct(0.99))
}

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

/// Runs `op` from `concurrency` tasks for `seconds`; answers latencies and elapsed time.
async fn load<F, Fut>(concurrency: u64, seconds: u64, op: F) -> (Vec<Duration>, Duration)
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..concurrency)
        .map(|worker| {
            let op = op.clone();
            tokio::spawn(async move {
                let mut lat = Vec::new();
                while Instant::now() < end {
                    let t = Instant::now();
                    op(worker).await;
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    (all, start.elapsed())
}

#[tokio::main]
async fn main() {
    let seconds = env_or("BENCH_SECONDS", 10);
    let concurrency = env_or("BENCH_CONCURRENCY", 8);
    let mut dbs = Vec::new();
    for _ in 0..4 {
        dbs.push(TestDatabase::create().await.unwrap());
    }
    let backend = if dbs[0].is_postgres() { "PostgreSQL" } else { "SQLite" };
    let system = launcher::start(launcher::SystemConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        grpc_port_base: 0,
        gateway_database_url: dbs[0].url.clone(),
        database_urls: [("account", dbs[1].url.clone()), ("quote", dbs[2].url.clone()), ("order", dbs[3].url.clone())]
            .into_iter()
            .collect(),
        redis_url: std::env::var("PRM_TEST_REDIS_URL").ok().filter(|u| !u.is_empty()),
        internal_key: b"bench-internal-key".to_vec(),
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

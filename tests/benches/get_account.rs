//! GET one account: over REST through the gateway, over gRPC straight to the
//! account service, and `pgbench` running the same primary-key select on the
//! same table as the ceiling. Prints requests/s, p50 and p99 of each.
//!
//! `cargo bench -p prm-e2e --bench get_account` (PostgreSQL when
//! PRM_TEST_DATABASE_URL is set, else SQLite). BENCH_SECONDS (default 10) and
//! BENCH_CONCURRENCY (default 16) tune the run.

use std::{
    process::Command,
    sync::Arc,
    time::{Duration, Instant},
};

use prm_gateway::{demo, launcher, ratelimit::RateLimitConfig};
use prm_kit::{Caller, Role, auth::CallerInterceptor, testing::TestDatabase};
use prm_proto::account::v1::{GetAccountRequest, account_service_client::AccountServiceClient};
use tonic::transport::Channel;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Figures {
    name: &'static str,
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn row(&mut self) -> String {
        self.latencies.sort();
        let pct = |p: f64| {
            let i = ((self.latencies.len() as f64 * p).ceil() as usize).clamp(1, self.latencies.len()) - 1;
            self.latencies[i].as_secs_f64() * 1000.0
        };
        format!(
            "| {} | {:.0} | {:.2} | {:.2} |",
            self.name,
            self.requests as f64 / self.elapsed.as_secs_f64(),
            pct(0.50),
            pct(0.99)
        )
    }
}

/// Runs `op` from `concurrency` tasks for `seconds`, after a short warm-up.
async fn load<F, Fut>(name: &'static str, concurrency: u64, seconds: u64, op: F) -> Figures
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    let warm_until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < warm_until {
        op().await;
    }
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let op = op.clone();
            tokio::spawn(async move {
                let mut lat = Vec::new();
                while Instant::now() < end {
                    let t = Instant::now();
                    op().await;
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    Figures { name, requests: latencies.len(), elapsed: start.elapsed(), latencies }
}

/// pgbench on the same select. Its per-transaction log is no use for
/// percentiles here (its clock is read once per event-loop turn, so most
/// entries are 0 µs), so it gives throughput and mean latency.
fn pgbench(url: &str, id: &str, concurrency: u64, seconds: u64) -> Option<(String, f64)> {
    let dir = prm_kit::testing::TempDir::new("pgbench").ok()?;
    let script = dir.0.join("select.sql");
    std::fs::write(&script, format!("SELECT * FROM accounts WHERE id = '{id}';\n")).ok()?;
    let out = Command::new("pgbench")
        .args(["-n", "-M", "prepared", "-c", &concurrency.to_string(), "-j", "2", "-T", &seconds.to_string(), "-f"])
        .arg(&script)
        .arg(url)
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("pgbench failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let value = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
    };
    let tps = value("tps = ")?;
    let mean = value("latency average = ")?;
    Some((format!("| pgbench, the same SELECT by primary key | {tps:.0} | mean {mean:.3} | n/a |"), tps))
}

#[tokio::main]
async fn main() {
    let seconds = env_or("BENCH_SECONDS", 10);
    let concurrency = env_or("BENCH_CONCURRENCY", 16);
    let mut gateway_db = TestDatabase::create().await.unwrap();
    let mut service_dbs = Vec::new();
    for _ in launcher::SERVICES {
        service_dbs.push(TestDatabase::create().await.unwrap());
    }
    let system = launcher::start(launcher::SystemConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        grpc_port_base: 0,
        gateway_database_url: gateway_db.owner_url(),
        database_urls: launcher::SERVICES.iter().copied().zip(service_dbs.iter().map(|d| d.urls())).collect(),
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
    let login: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "bob@acme.example", "password": demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_string();
    let me: serde_json::Value =
        http.get(format!("{base}/api/v1/me")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    // A table of realistic size: 10,000 accounts of the same partner.
    let caller = Caller {
        user_id: me["id"].as_str().unwrap().parse().unwrap(),
        partner_id: me["partner_id"].as_str().map(|p| p.parse().unwrap()),
        role: Role::PartnerUser,
        assigned_partners: vec![],
        partner_tier: None,
    };
    let channel = Channel::from_shared(format!("http://{}", system.addr("account"))).unwrap().connect().await.unwrap();
    let mut grpc = AccountServiceClient::with_interceptor(
        channel.clone(),
        CallerInterceptor::new(&system.internal_key, &caller).unwrap(),
    );
    let mut id = String::new();
    for i in 0..10_000 {
        let a = grpc
            .create_account(prm_proto::account::v1::CreateAccountRequest {
                account: Some(prm_proto::account::v1::Account {
                    name: format!("Bench account {i:05}"),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .account
            .unwrap();
        if i == 5_000 {
            id = a.id;
        }
    }

    let rest = {
        let (http, url, token) = (http.clone(), format!("{base}/api/v1/accounts/{id}"), token.clone());
        load("REST through the gateway (GET /api/v1/accounts/{id})", concurrency, seconds, move || {
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            async move {
                let r = http.get(&url).bearer_auth(&token).send().await.unwrap();
                assert!(r.status().is_success());
                r.bytes().await.unwrap();
            }
        })
        .await
    };
    let direct = {
        let (client, id) = (grpc.clone(), id.clone());
        load("gRPC straight to the account service (GetAccount)", concurrency, seconds, move || {
            let (mut client, id) = (client.clone(), id.clone());
            async move {
                client.get_account(GetAccountRequest { id }).await.unwrap();
            }
        })
        .await
    };
    let account_db = &service_dbs[launcher::SERVICES.iter().position(|s| *s == "account").unwrap()];
    let backend = if account_db.is_postgres() { "PostgreSQL" } else { "SQLite" };
    let ceiling =
        if account_db.is_postgres() { pgbench(&account_db.owner_url(), &id, concurrency, seconds) } else { None };

    let (mut rest, mut direct) = (rest, direct);
    let rate = |f: &Figures| f.requests as f64 / f.elapsed.as_secs_f64();
    println!("\n{backend}, {concurrency} concurrent clients, {seconds} s each, 10,000 accounts in the table\n");
    println!("| path | requests/s | p50 ms | p99 ms |\n|---|---|---|---|");
    println!("{}\n{}", rest.row(), direct.row());
    if let Some((row, tps)) = &ceiling {
        println!("{row}");
        println!(
            "\nREST / gRPC = {:.2}, gRPC / pgbench = {:.2}, REST / pgbench = {:.2}",
            rate(&rest) / rate(&direct),
            rate(&direct) / tps,
            rate(&rest) / tps
        );
    } else {
        println!("\nREST / gRPC = {:.2}", rate(&rest) / rate(&direct));
    }
    system.shutdown().await.unwrap();
    gateway_db.drop_database().await.unwrap();
    for db in &mut service_dbs {
        db.drop_database().await.unwrap();
    }
}

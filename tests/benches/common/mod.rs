//! What the REST benchmarks share: settings from the environment, a load
//! loop, and the table row of its figures; the system on fresh databases, a
//! signed-in client, and projects written in bulk.

// Each benchmark includes this module and uses a part of it.
#![allow(dead_code)]

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// `| name | per second | p50 ms | p99 ms |`
pub fn row(name: &str, mut lat: Vec<Duration>, elapsed: Duration) -> String {
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1].as_secs_f64() * 1000.0;
    format!("| {name} | {:.1} | {:.2} | {:.2} |", lat.len() as f64 / elapsed.as_secs_f64(), pct(0.5), pct(0.99))
}

/// Runs `op` from `concurrency` tasks for `seconds`; answers latencies and elapsed time.
pub async fn load<F, Fut>(concurrency: u64, seconds: u64, op: F) -> (Vec<Duration>, Duration)
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

/// The whole system on fresh databases (PostgreSQL when PRM_TEST_DATABASE_URL
/// is set, else SQLite) with the demo's partners, users and accounts.
pub struct System {
    pub system: prm_gateway::launcher::RunningSystem,
    pub dbs: Vec<prm_kit::testing::TestDatabase>,
    /// Database URL of each service.
    pub urls: std::collections::BTreeMap<&'static str, String>,
    pub backend: &'static str,
    pub base: String,
    pub http: reqwest::Client,
}

impl System {
    pub async fn start() -> System {
        use prm_gateway::{demo, launcher, ratelimit::RateLimitConfig};
        let mut dbs = Vec::new();
        // The gateway's, then one per service.
        for _ in 0..=launcher::SERVICES.len() {
            dbs.push(prm_kit::testing::TestDatabase::create().await.unwrap());
        }
        let backend = if dbs[0].is_postgres() { "PostgreSQL" } else { "SQLite" };
        // The owners' URLs: the benches write their data behind the services.
        let urls: std::collections::BTreeMap<&'static str, String> =
            launcher::SERVICES.iter().copied().zip(dbs[1..].iter().map(|d| d.owner_url())).collect();
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
        demo::seed_base(&system.state).await.unwrap();
        let base = format!("http://{}", system.rest_addr);
        System { system, dbs, urls, backend, base, http: reqwest::Client::new() }
    }

    /// A demo user, signed in.
    pub async fn login(&self, email: &str) -> Api {
        let r: serde_json::Value = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&serde_json::json!({"email": email, "password": prm_gateway::demo::DEMO_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Api { http: self.http.clone(), base: self.base.clone(), token: r["access_token"].as_str().unwrap().to_string() }
    }

    pub async fn shutdown(self) {
        self.system.shutdown().await.unwrap();
        for mut db in self.dbs {
            db.drop_database().await.unwrap();
        }
    }
}

/// A signed-in client of the REST API.
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    /// The JSON answer of a request that must succeed.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> serde_json::Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// (user id, partner id) of the signed-in person.
    pub async fn me(&self) -> (uuid::Uuid, Option<uuid::Uuid>) {
        let me = self.send(reqwest::Method::GET, "/api/v1/me", None).await;
        (
            uuid::Uuid::parse_str(me["id"].as_str().unwrap()).unwrap(),
            me["partner_id"].as_str().and_then(|p| uuid::Uuid::parse_str(p).ok()),
        )
    }

    pub async fn first_account(&self) -> uuid::Uuid {
        let page = self.send(reqwest::Method::GET, "/api/v1/accounts?page_size=1", None).await;
        uuid::Uuid::parse_str(page["items"][0]["id"].as_str().unwrap()).unwrap()
    }
}

pub const STAGES: [&str; 8] = [
    "intro_qualification",
    "demo",
    "project_presentation",
    "proposal",
    "contract_out",
    "order_management",
    "closed_won",
    "closed_lost",
];

/// Writes `n` projects of `partner_id` straight into the project service's
/// database, spread over every stage and two years of close dates, in
/// batches; every 3rd past Demo has its demo done, every 4th is approved.
pub async fn seed_projects(
    db: &sea_orm::DatabaseConnection,
    partner_id: uuid::Uuid,
    owner_id: uuid::Uuid,
    account_id: uuid::Uuid,
    n: usize,
) {
    use prm_project::store::project;
    use sea_orm::{EntityTrait, IntoActiveModel};
    let today = chrono::Utc::now().date_naive();
    let now = chrono::Utc::now();
    let mut batch = Vec::with_capacity(1000);
    for i in 0..n {
        let stage_index = i % STAGES.len();
        let stage = STAGES[stage_index];
        let mrr = 10_000 * (50 + (i as i64 * 37) % 5000);
        let demo_done = stage_index >= 2 && i.is_multiple_of(3);
        batch.push(
            project::Model {
                id: uuid::Uuid::now_v7(),
                partner_id,
                owner_id,
                account_id,
                name: format!("Project {i}"),
                record_type: "new_business".into(),
                stage: stage.into(),
                probability: 20,
                close_date: (today + chrono::Days::new((i * 7919 % 730) as u64)).format("%Y-%m-%d").to_string(),
                total_users: 10,
                users_of_poc: Some(5),
                solution_licenses: true,
                solution_hwaas: false,
                solution_classound: false,
                amount_mrr_units: Some(mrr),
                capex_units: None,
                verbal_agreement: true,
                currency: "EUR".into(),
                description: String::new(),
                next_step: String::new(),
                expected_mrr_units: mrr,
                mrr_units: mrr,
                weighted_pipeline_units: mrr / 5,
                primary_quote_id: None,
                primary_quote_mrr_units: None,
                demo_answers: "{}".into(),
                demo_date: demo_done.then(|| today.format("%Y-%m-%d").to_string()),
                pipeline_mrr_units: demo_done.then_some(mrr),
                approved_by_am: demo_done && i.is_multiple_of(4),
                lost_reason: if stage == "closed_lost" { "Budget".into() } else { String::new() },
                held_event: String::new(),
                create_time: now,
                update_time: now,
            }
            .into_active_model(),
        );
        if batch.len() == 1000 || i + 1 == n {
            project::Entity::insert_many(std::mem::take(&mut batch)).exec(db).await.unwrap();
        }
    }
}

/// What autovacuum does soon after a bulk load on a live system.
pub async fn analyze(db: &sea_orm::DatabaseConnection, tables: &[&str]) {
    use sea_orm::ConnectionTrait;
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        for t in tables {
            db.execute_unprepared(&format!("VACUUM ANALYZE {t}")).await.unwrap();
        }
    }
}

//! Projects over REST with 50,000 projects of one partner (and 10,000 of
//! another, which its queries must skip): the Kanban board, a list view page
//! of 50 sorted by close date, and a stage move. Prints requests/s, p50, p99.
//!
//! The projects are written straight into the project service's database
//! (the API would take minutes to make 60,000); every measured request goes
//! through the gateway and the service as in real use.
//!
//! `cargo bench -p prm-e2e --bench projects` (PostgreSQL when
//! PRM_TEST_DATABASE_URL is set, else SQLite). BENCH_SECONDS (default 10),
//! BENCH_CONCURRENCY (default 16) and BENCH_PROJECTS (default 50000) tune it.

mod common;

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use common::{env_or, load, row};
use prm_gateway::{demo, launcher, ratelimit::RateLimitConfig};
use prm_kit::testing::TestDatabase;
use prm_project::store::project;
use sea_orm::{ConnectionTrait, EntityTrait, IntoActiveModel};
use serde_json::{Value, json};
use uuid::Uuid;

const STAGES: [&str; 8] = [
    "intro_qualification",
    "demo",
    "project_presentation",
    "proposal",
    "contract_out",
    "order_management",
    "closed_won",
    "closed_lost",
];

/// Writes `n` projects of `partner_id`, spread over every stage and two years
/// of close dates, in batches.
async fn seed(db: &sea_orm::DatabaseConnection, partner_id: Uuid, owner_id: Uuid, account_id: Uuid, n: usize) {
    let today = chrono::Utc::now().date_naive();
    let now = chrono::Utc::now();
    let mut batch = Vec::with_capacity(1000);
    for i in 0..n {
        let stage = STAGES[i % STAGES.len()];
        let mrr = 10_000 * (50 + (i as i64 * 37) % 5000);
        batch.push(
            project::Model {
                id: Uuid::now_v7(),
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
                demo_date: None,
                pipeline_mrr_units: None,
                approved_by_am: false,
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

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }
}

async fn first_account(api: &Api) -> Uuid {
    let page = api.send(reqwest::Method::GET, "/api/v1/accounts?page_size=1", None).await;
    Uuid::parse_str(page["items"][0]["id"].as_str().unwrap()).unwrap()
}

#[tokio::main]
async fn main() {
    let seconds = env_or("BENCH_SECONDS", 10);
    let concurrency = env_or("BENCH_CONCURRENCY", 16);
    let n = env_or("BENCH_PROJECTS", 50_000) as usize;
    let mut dbs = Vec::new();
    // The gateway's, then one per service.
    for _ in 0..=launcher::SERVICES.len() {
        dbs.push(TestDatabase::create().await.unwrap());
    }
    let backend = if dbs[0].is_postgres() { "PostgreSQL" } else { "SQLite" };
    let urls: std::collections::BTreeMap<&'static str, String> =
        launcher::SERVICES.iter().copied().zip(dbs[1..].iter().map(|d| d.url.clone())).collect();
    let system = launcher::start(launcher::SystemConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        grpc_port_base: 0,
        gateway_database_url: dbs[0].url.clone(),
        database_urls: urls.clone(),
        redis_url: std::env::var("PRM_TEST_REDIS_URL").ok().filter(|u| !u.is_empty()),
        internal_key: b"bench-internal-key".to_vec(),
        access_token_key: b"bench-access-token-key-of-32-bytes!!".to_vec(),
        rate_limit: RateLimitConfig { per_user: u32::MAX, per_ip: u32::MAX, ..RateLimitConfig::default() },
        mail: Default::default(),
    })
    .await
    .unwrap();
    demo::seed_base(&system.state).await.unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://{}", system.rest_addr);
    let login = |email: &'static str| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let r: Value = http
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"email": email, "password": demo::DEMO_PASSWORD}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            Api { http, base, token: r["access_token"].as_str().unwrap().to_string() }
        }
    };
    let bob = Arc::new(login("bob@acme.example").await);
    let carol = login("carol@borealis.example").await;
    let ids = |me: Value| {
        (
            Uuid::parse_str(me["id"].as_str().unwrap()).unwrap(),
            Uuid::parse_str(me["partner_id"].as_str().unwrap()).unwrap(),
        )
    };
    let (bob_id, acme) = ids(bob.send(reqwest::Method::GET, "/api/v1/me", None).await);
    let (carol_id, borealis) = ids(carol.send(reqwest::Method::GET, "/api/v1/me", None).await);
    let (bob_account, carol_account) = (first_account(&bob).await, first_account(&carol).await);

    let project_db = prm_kit::db::connect(&urls["project"]).await.unwrap();
    let t = std::time::Instant::now();
    seed(&project_db, acme, bob_id, bob_account, n).await;
    seed(&project_db, borealis, carol_id, carol_account, n / 5).await;
    if project_db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // What autovacuum does soon after a bulk load on a live system.
        project_db.execute_unprepared("VACUUM ANALYZE projects").await.unwrap();
    }
    println!("seeded {} projects in {:.1} s", n + n / 5, t.elapsed().as_secs_f64());

    // 1. The board of the partner: counts and MRR per column, 20 cards each.
    let (board, board_elapsed) = {
        let bob = bob.clone();
        load(concurrency, seconds, move |_| {
            let bob = bob.clone();
            async move {
                let b = bob.send(reqwest::Method::GET, "/api/v1/projects/board?record_type=new_business", None).await;
                let total: i64 = b["columns"].as_array().unwrap().iter().map(|c| c["count"].as_i64().unwrap()).sum();
                assert_eq!(total as usize, n);
            }
        })
        .await
    };

    // 2. A list view page: all open projects, 50 by close date.
    let (list, list_elapsed) = {
        let bob = bob.clone();
        load(concurrency, seconds, move |_| {
            let bob = bob.clone();
            async move {
                let page = bob.send(reqwest::Method::GET, "/api/v1/projects?view=all_open&page_size=50", None).await;
                assert_eq!(page["items"].as_array().unwrap().len(), 50);
            }
        })
        .await
    };

    // 3. A stage move through the gates: projects of the first stage go to
    // Demo, each a different one.
    let intro: Vec<String> = {
        let mut ids = Vec::new();
        let mut token = String::new();
        while ids.len() < 20_000.min(n / 8) {
            let page = bob
                .send(
                    reqwest::Method::GET,
                    &format!(
                        "/api/v1/projects?filter=stage%20%3D%20intro_qualification&page_size=500&page_token={token}"
                    ),
                    None,
                )
                .await;
            ids.extend(page["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()));
            token = page["next_page_token"].as_str().unwrap().to_string();
            if token.is_empty() {
                break;
            }
        }
        ids
    };
    let intro = Arc::new(intro);
    let next = Arc::new(AtomicU64::new(0));
    let (moves, moves_elapsed) = {
        let (bob, intro, next) = (bob.clone(), intro.clone(), next.clone());
        load(concurrency, seconds, move |_| {
            let (bob, intro, next) = (bob.clone(), intro.clone(), next.clone());
            async move {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                let id = &intro[i % intro.len()];
                // Past the end of the list the projects are in Demo: move them back.
                let to = if (i / intro.len()).is_multiple_of(2) { "demo" } else { "intro_qualification" };
                let p = bob
                    .send(reqwest::Method::POST, &format!("/api/v1/projects/{id}:move"), Some(json!({"stage": to})))
                    .await;
                assert_eq!(p["stage"], to);
            }
        })
        .await
    };

    println!(
        "\n{backend}, {n} projects of one partner (+{} of another), {concurrency} concurrent clients, {seconds} s each\n",
        n / 5
    );
    println!("| operation | per second | p50 ms | p99 ms |\n|---|---|---|---|");
    println!("{}", row("Kanban board (8 columns: counts, MRR totals, 20 cards each)", board, board_elapsed));
    println!("{}", row("list view page of 50, all open, by close date", list, list_elapsed));
    println!("{}", row("stage move (Intro → Demo through its gate)", moves, moves_elapsed));
    system.shutdown().await.unwrap();
    for mut db in dbs {
        db.drop_database().await.unwrap();
    }
}

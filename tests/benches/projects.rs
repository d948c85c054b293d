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
use serde_json::json;

#[tokio::main]
async fn main() {
    let seconds = env_or("BENCH_SECONDS", 10);
    let concurrency = env_or("BENCH_CONCURRENCY", 16);
    let n = env_or("BENCH_PROJECTS", 50_000) as usize;
    let sys = common::System::start().await;
    let backend = sys.backend;
    let bob = Arc::new(sys.login("bob@acme.example").await);
    let carol = sys.login("carol@borealis.example").await;
    let (bob_id, acme) = bob.me().await;
    let (carol_id, borealis) = carol.me().await;
    let (acme, borealis) = (acme.unwrap(), borealis.unwrap());
    let (bob_account, carol_account) = (bob.first_account().await, carol.first_account().await);

    let project_db = prm_kit::db::connect(&sys.urls["project"]).await.unwrap();
    let t = std::time::Instant::now();
    common::seed_projects(&project_db, acme, bob_id, bob_account, n).await;
    common::seed_projects(&project_db, borealis, carol_id, carol_account, n / 5).await;
    common::analyze(&project_db, &["projects"]).await;
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
    sys.shutdown().await;
}

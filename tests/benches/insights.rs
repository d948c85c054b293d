//! Home, global search and the pipeline report over REST, at scale:
//!
//! - global search over 1,000,000 search documents spread over the seven
//!   record services and 20 partners (accounts, contacts, leads, projects,
//!   quotes, orders, tasks, cases), searched by a partner user: a common word,
//!   an exact name, part of an e-mail, a phone number in another format;
//! - the home statistics of a partner with 50,000 projects;
//! - the pipeline-by-stage report over 1,000,000 projects, run by the vendor
//!   admin (every partner).
//!
//! Projects and search documents are written straight into the services'
//! databases (the API would take hours to make a million); documents are the
//! rows the services write beside their records (`prm_kit::search::row`).
//! Every measured request goes through the gateway and the services.
//!
//! `PRM_DATABASE_MAX_CONNECTIONS=8 cargo bench -p prm-e2e --bench insights`
//! (PostgreSQL when PRM_TEST_DATABASE_URL is set, else SQLite; eight services
//! of 8 connections each stay under PostgreSQL's 100). BENCH_SECONDS (default 10),
//! BENCH_CONCURRENCY (default 16), BENCH_SEARCH_RECORDS (default 1,000,000),
//! BENCH_PROJECTS (default 1,000,000) and BENCH_PARTNER_PROJECTS (default
//! 50,000) tune it.

mod common;

use std::sync::Arc;

use common::{env_or, load, row};
use prm_kit::search::{Document, row as search_row, search_document};
use prm_proto::common::v1::RecordType;
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

const ADJECTIVES: [&str; 40] = [
    "Nordic", "Alpine", "Coastal", "Urban", "Golden", "Silver", "Crimson", "Azure", "Emerald", "Granite", "Lunar",
    "Solar", "Rapid", "Quiet", "Bright", "Northern", "Southern", "Eastern", "Western", "Central", "Royal", "Prime",
    "Vital", "Noble", "Swift", "Bold", "Clear", "Deep", "Grand", "Iron", "Maple", "Oak", "Pine", "Cedar", "River",
    "Harbor", "Summit", "Valley", "Meadow", "Crystal",
];
const NOUNS: [&str; 40] = [
    "Falcon",
    "Bridge",
    "Systems",
    "Logistics",
    "Dental",
    "Foods",
    "Motors",
    "Energy",
    "Labs",
    "Media",
    "Health",
    "Textiles",
    "Robotics",
    "Partners",
    "Capital",
    "Studios",
    "Analytics",
    "Networks",
    "Clinic",
    "Pharma",
    "Farms",
    "Hotels",
    "Airways",
    "Builders",
    "Metals",
    "Optics",
    "Printing",
    "Security",
    "Telecom",
    "Travel",
    "Water",
    "Wines",
    "Works",
    "Yachts",
    "Zinc",
    "Acoustics",
    "Bakery",
    "Cargo",
    "Design",
    "Estates",
];
const FIRST: [&str; 20] = [
    "anna", "bjorn", "carla", "dmitri", "elena", "farid", "greta", "hugo", "ines", "jonas", "kari", "luca", "maja",
    "nils", "olga", "pedro", "rosa", "sven", "tomas", "ulla",
];

/// The name of the i-th record. Partners take every 20th record in turn, so
/// words follow the index within the partner (`i / 20`): each adjective is
/// 1 in 40 of a partner's records, as of all.
fn name(i: usize) -> String {
    format!("{} {} {}", ADJECTIVES[(i / 20) % 40], NOUNS[(i / 800) % 40], i)
}

/// The i-th document of a service's share: its title, e-mail and phone
/// are made from `i`, so a query can name a record that exists.
fn document(kind: RecordType, i: usize, partner_id: Uuid) -> Document {
    let name = name(i);
    let person = format!("{}.{}{}", FIRST[(i / 20) % 20], NOUNS[(i / 400) % 40].to_lowercase(), i);
    let phone = format!("+1 (555) {:03}-{:04}", (i / 10_000) % 1000, i % 10_000);
    let (title, email) = match kind {
        RecordType::Contact | RecordType::Lead => (person.replace('.', " "), format!("{person}@example.com")),
        _ => (name, String::new()),
    };
    Document::new(kind, Uuid::now_v7(), partner_id, title)
        .subtitle([email.as_str(), phone.as_str()])
        .terms([email.as_str()])
        .phones([phone.as_str()])
}

/// Writes `n` documents of `kind` into a service's database, spread over `partners`.
async fn seed_documents(db: &DatabaseConnection, kind: RecordType, n: usize, partners: &[Uuid]) {
    let mut batch = Vec::with_capacity(1000);
    for i in 0..n {
        batch.push(search_row(&document(kind, i, partners[i % partners.len()])));
        if batch.len() == 1000 || i + 1 == n {
            search_document::Entity::insert_many(std::mem::take(&mut batch)).exec_without_returning(db).await.unwrap();
        }
    }
}

/// A kind of search query: its name, and the query naming Acme's i-th record.
type QueryKind = (&'static str, fn(usize) -> String);

#[tokio::main]
async fn main() {
    let seconds = env_or("BENCH_SECONDS", 10);
    let concurrency = env_or("BENCH_CONCURRENCY", 16);
    let records = env_or("BENCH_SEARCH_RECORDS", 1_000_000) as usize;
    let projects = env_or("BENCH_PROJECTS", 1_000_000) as usize;
    let partner_projects = env_or("BENCH_PARTNER_PROJECTS", 50_000) as usize;

    let sys = common::System::start().await;
    let bob = Arc::new(sys.login("bob@acme.example").await);
    let victor = Arc::new(sys.login("victor@vendor.example").await);
    let (bob_id, acme) = bob.me().await;
    let acme = acme.unwrap();
    let account = bob.first_account().await;
    // Acme and 19 other partners.
    let partners: Vec<Uuid> = std::iter::once(acme).chain((0..19).map(|_| Uuid::now_v7())).collect();

    // Search documents: each service its share of the million.
    let t = std::time::Instant::now();
    let shares = [
        ("account", RecordType::Account, 15),
        ("account", RecordType::Contact, 10),
        ("lead", RecordType::Lead, 20),
        ("project", RecordType::Project, 25),
        ("quote", RecordType::Quote, 10),
        ("order", RecordType::Order, 5),
        ("task", RecordType::Task, 10),
        ("case", RecordType::Case, 5),
    ];
    let mut dbs = std::collections::BTreeMap::new();
    for (service, kind, percent) in shares {
        if !dbs.contains_key(service) {
            dbs.insert(service, prm_kit::db::connect(&sys.urls[service]).await.unwrap());
        }
        seed_documents(&dbs[service], kind, records * percent / 100, &partners).await;
    }
    for db in dbs.values() {
        common::analyze(db, &["search_documents"]).await;
    }
    println!("seeded {records} search documents in {:.1} s", t.elapsed().as_secs_f64());

    // Projects: Acme's, then the rest spread over the 19 others.
    let t = std::time::Instant::now();
    let project_db = &dbs["project"];
    common::seed_projects(project_db, acme, bob_id, account, partner_projects).await;
    let others = projects.saturating_sub(partner_projects);
    for (k, p) in partners[1..].iter().enumerate() {
        let n = others / 19 + usize::from(k < others % 19);
        common::seed_projects(project_db, *p, Uuid::now_v7(), Uuid::now_v7(), n).await;
    }
    common::analyze(project_db, &["projects"]).await;
    println!("seeded {projects} projects in {:.1} s", t.elapsed().as_secs_f64());

    // Acme owns every 20th document: queries name Acme's records.
    // Each query kind names one of Acme's first contacts' numbers, which
    // every kind of document has.
    let acme_numbers = (records * 10 / 100 / 20).max(1) as u64;
    let acme_index = move |k: u64| ((k * 7919) % acme_numbers) as usize * 20;
    let searches: [QueryKind; 4] = [
        ("a common word (1 in 40 records)", |i| ADJECTIVES[(i / 20) % 40].to_lowercase()),
        ("an exact account name", name),
        ("part of an e-mail", |i| format!("{}{}@exa", NOUNS[(i / 400) % 40].to_lowercase(), i)),
        ("a phone number, other format", |i| format!("555.{:03}.{:04}", (i / 10_000) % 1000, i % 10_000)),
    ];
    let mut rows = vec![];
    for (name, query) in searches {
        let bob = bob.clone();
        let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (lat, elapsed) = load(concurrency, seconds, move |_| {
            let (bob, counter) = (bob.clone(), counter.clone());
            async move {
                let i = acme_index(counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
                let q = query(i);
                let path = format!("/api/v1/search?q={}", q.replace(' ', "%20").replace('@', "%40"));
                let r = bob.send(reqwest::Method::GET, &path, None).await;
                assert!(r["missing"].as_array().unwrap().is_empty(), "{q}: {r}");
                assert!(!r["groups"].as_array().unwrap().is_empty(), "nothing found for {q}");
            }
        })
        .await;
        rows.push(row(&format!("search: {name}"), lat, elapsed));
    }

    let (home, home_elapsed) = {
        let bob = bob.clone();
        load(concurrency, seconds, move |_| {
            let bob = bob.clone();
            async move {
                let h = bob.send(reqwest::Method::GET, "/api/v1/home", None).await;
                let open = h["statistics"]["open_projects"].as_u64().unwrap();
                assert_eq!(open as usize, partner_projects - partner_projects / 4, "{h}");
            }
        })
        .await
    };
    rows.push(row(&format!("home statistics, a partner with {partner_projects} projects"), home, home_elapsed));

    let (report, report_elapsed) = {
        let victor = victor.clone();
        load(concurrency, seconds, move |_| {
            let victor = victor.clone();
            async move {
                let r = victor.send(reqwest::Method::GET, "/api/v1/reports/pipeline-by-stage/result", None).await;
                assert!(!r["rows"].as_array().unwrap().is_empty(), "{r}");
            }
        })
        .await
    };
    rows.push(row(
        &format!("pipeline-by-stage report over {projects} projects (vendor admin)"),
        report,
        report_elapsed,
    ));

    println!(
        "\n{}, {records} search documents and {projects} projects over 20 partners, {concurrency} concurrent clients, {seconds} s each\n",
        sys.backend
    );
    println!("| operation | per second | p50 ms | p99 ms |\n|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
    sys.shutdown().await;
}

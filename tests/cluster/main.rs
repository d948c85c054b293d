//! The distributed system on this machine: every service binary its own OS
//! process on its own fresh PostgreSQL database, the gateway its own process
//! on Redis, each configured only by environment (`prm_gateway::cluster`,
//! what `prm cluster` runs), driven over REST, with grpcurl and over OTLP.
//!
//! The processes are cargo's binaries beside this test's executable, so
//! `cargo build --workspace --bins` comes first (scripts/test does it).

mod grpcurl;
mod telemetry;

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use prm_gateway::{
    cluster::{Cluster, ClusterConfig},
    launcher::SERVICES,
};
use prm_kit::testing::{TempDir, TestDatabase};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Where cargo put the binaries: the test runs from `target/<profile>/deps`.
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps").to_path_buf();
    for bin in std::iter::once("prm".to_string()).chain(SERVICES.iter().map(|s| format!("prm-{s}"))) {
        assert!(
            dir.join(&bin).is_file(),
            "{} is missing: run `cargo build --workspace --bins` first (scripts/test does)",
            dir.join(&bin).display()
        );
    }
    dir
}

/// A running system on its own databases; its processes are killed and its
/// databases dropped with it.
pub struct System {
    pub cluster: Cluster,
    pub http: reqwest::Client,
    pub internal_key: String,
    pub dir: TempDir,
    dbs: Vec<TestDatabase>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

/// Starts every service and the gateway on fresh databases, with `env` for
/// every process, and seeds the demo data.
pub async fn start_system(env: &[(&str, &str)]) -> System {
    let dir = TempDir::new("prm-cluster").expect("temporary directory");
    let mut dbs = Vec::new();
    let mut database_urls = std::collections::BTreeMap::new();
    for name in SERVICES.iter().copied().chain(["gateway"]) {
        let db = TestDatabase::create().await.expect("database");
        assert!(db.is_postgres(), "the cluster test runs on PostgreSQL: set PRM_TEST_DATABASE_URL (scripts/test does)");
        database_urls.insert(name.to_string(), db.urls());
        dbs.push(db);
    }
    let internal_key = uuid::Uuid::new_v4().to_string();
    // Later entries win: `env` overrides the defaults.
    let all_env: Vec<(String, String)> = [
        ("RUST_LOG", "info"),
        // The suite signs in often from one address.
        ("PRM_RATE_LIMIT_PER_IP", "100000"),
        ("PRM_RATE_LIMIT_PER_USER", "100000"),
        // A publisher retries a consumer that was down within a second.
        ("PRM_RELAY_MAX_BACKOFF_MS", "1000"),
    ]
    .iter()
    .chain(env)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let cluster = Cluster::start(ClusterConfig {
        bin_dir: bin_dir(),
        data_dir: dir.0.clone(),
        listen: "127.0.0.1:0".parse().unwrap(),
        grpc_port_base: 0,
        database_urls,
        redis_url: std::env::var("PRM_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
        internal_key: internal_key.clone(),
        access_token_key: format!("{}{}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4()),
        env: all_env,
        demo: true,
    })
    .await
    .expect("every process starts, the demo data seeded before the gateway");
    System { cluster, http: reqwest::Client::new(), internal_key, dir, dbs }
}

impl System {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.cluster.rest_addr, path)
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        self.call_with(method, path, token, body, &[]).await
    }

    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.http.request(method, self.url(path)).timeout(Duration::from_secs(30));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        Reply { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Signs in a demo user; answers the access token.
    pub async fn login(&self, email: &str) -> String {
        let body = json!({"email": email, "password": prm_gateway::demo::DEMO_PASSWORD});
        let r = self.call(Method::POST, "/api/v1/auth/login", None, Some(body)).await;
        assert_eq!(r.status, StatusCode::OK, "login of {email}: {}", r.body);
        r.body["access_token"].as_str().unwrap().to_string()
    }

    /// Stops every process with SIGTERM and drops the databases.
    pub async fn stop(mut self) {
        self.cluster.stop();
        for db in &mut self.dbs {
            db.drop_database().await.expect("drop test database");
        }
    }
}

impl Drop for System {
    /// A failing test shows what the processes logged.
    fn drop(&mut self) {
        if std::thread::panicking() {
            for name in SERVICES.iter().copied().chain(["gateway"]) {
                let log = self.cluster.log(name);
                let tail: Vec<&str> = log.lines().rev().take(15).collect();
                eprintln!("--- {name}.log (last lines)");
                for line in tail.into_iter().rev() {
                    eprintln!("{line}");
                }
            }
        }
    }
}

/// Polls `check` until it answers Some, for at most `within`.
pub async fn eventually<T, F, Fut>(within: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check().await {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_string()
}

/// A process is killed and restarted in the middle of a scenario: while the
/// quote service is down the gateway answers 503 for quotes and the price
/// book and still serves everything else; the write the quote service took
/// before it was killed is there after the restart, and the event it wrote
/// to its outbox while its consumer (the project service) was down too is
/// delivered once both are back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_service_answers_503_and_recovers_without_losing_a_write() {
    let mut sys = start_system(&[]).await;
    let bob = sys.login("bob@acme.example").await;
    let r = sys.get("/api/v1/accounts?filter=name%20%3D%20%22Initech%20Software%22", &bob).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let account = id(&r.body["items"][0]);
    let r = sys
        .post(
            "/api/v1/projects",
            &bob,
            json!({"name": "Initech call centre", "account_id": account, "record_type": "new_business",
                   "close_date": prm_kit::testing::days_from_today(120), "total_users": 40, "interested_solutions": ["licenses"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let project = id(&r.body);
    assert_eq!(r.body["primary_quote_id"], Value::Null);
    let r = sys.get("/api/v1/products?filter=sku%20%3D%20LIC-PRO", &bob).await;
    let product = id(&r.body["items"][0]);
    let r = sys
        .post(&format!("/api/v1/projects/{project}/quotes"), &bob, json!({"shipping_address_type": "partner"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let quote = id(&r.body);
    let r =
        sys.post(&format!("/api/v1/quotes/{quote}/lines"), &bob, json!({"product_id": product, "quantity": 40})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mrr = r.body["mrr"].clone();

    // The project service (the consumer of the quote service's events) goes down.
    sys.cluster.kill("project");
    let r = sys.get(&format!("/api/v1/projects/{project}"), &bob).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.headers.get("retry-after").map(|v| v.to_str().unwrap()), Some("1"));
    // The quote service still takes writes; their event waits in its outbox.
    let r = sys.post(&format!("/api/v1/quotes/{quote}:setPrimary"), &bob, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["primary"], true);
    // Then the quote service is killed too, the event still undelivered.
    sys.cluster.kill("quote");
    for path in [format!("/api/v1/quotes/{quote}"), "/api/v1/quotes".into(), "/api/v1/products".into()] {
        let r = sys.get(&path, &bob).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {}", r.body);
        assert_eq!(r.body["status"], 503, "a problem document: {}", r.body);
    }
    // Everything the other services own still works, reads and writes.
    assert_eq!(sys.get(&format!("/api/v1/accounts/{account}"), &bob).await.status, StatusCode::OK);
    let r = sys.post("/api/v1/accounts", &bob, json!({"name": "Written meanwhile"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(sys.get("/api/v1/cases", &bob).await.status, StatusCode::OK);
    assert_eq!(sys.get("/api/v1/leads", &bob).await.status, StatusCode::OK);
    let r = sys
        .post(
            "/api/v1/tasks",
            &bob,
            json!({"subject": "Call Initech", "type": "call", "due_date": prm_kit::testing::days_from_today(45),
                   "related": {"type": "account", "id": account}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // The quote service is back: the write it took before the crash is there.
    sys.cluster.restart("quote").await.expect("quote restarts");
    let r = sys.get(&format!("/api/v1/quotes/{quote}"), &bob).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["primary"], true);
    assert_eq!(r.body["mrr"], mrr);
    assert_eq!(sys.get(&format!("/api/v1/projects/{project}"), &bob).await.status, StatusCode::SERVICE_UNAVAILABLE);

    // The project service is back: the event from before both crashes arrives,
    // and the project follows its primary quote.
    sys.cluster.restart("project").await.expect("project restarts");
    let followed = eventually(Duration::from_secs(30), || async {
        let r = sys.get(&format!("/api/v1/projects/{project}"), &bob).await;
        (r.status == StatusCode::OK && r.body["primary_quote_id"] == quote.as_str()).then_some(r.body)
    })
    .await;
    assert!(followed.is_some(), "the project never learnt of its primary quote");
    let r = sys.get("/api/v1/accounts?filter=name%20%3D%20%22Written%20meanwhile%22", &bob).await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1), "{}", r.body);
    assert!(sys.cluster.exited().is_empty(), "no process died on its own: {:?}", sys.cluster.exited());
    sys.stop().await;
}

#[test]
fn the_binaries_refuse_short_keys_and_the_examples_placeholders() {
    let dir = bin_dir();
    let example = "change-me-internal-key";
    let random = "5f0c1e9a7b3d2c4e6a8b0d1f3e5c7a9b";
    for (bin, args, env, says) in [
        ("prm-account", vec![], vec![("PRM_INTERNAL_KEY", example)], "PRM_INTERNAL_KEY is the placeholder"),
        ("prm-case", vec![], vec![("PRM_INTERNAL_KEY", "short")], "PRM_INTERNAL_KEY has 5 bytes"),
        (
            "prm",
            vec!["gateway"],
            vec![
                ("PRM_INTERNAL_KEY", random),
                ("PRM_ACCESS_TOKEN_KEY", "change-me-access-token-key-at-least-32-bytes"),
            ],
            "PRM_ACCESS_TOKEN_KEY is the placeholder",
        ),
    ] {
        let out = std::process::Command::new(dir.join(bin))
            .args(args)
            .env_clear()
            .env("PRM_DATABASE_URL", "sqlite::memory:")
            .env("PRM_LISTEN", "127.0.0.1:0")
            .envs(SERVICES.iter().map(|s| (format!("PRM_{}_URL", s.to_uppercase()), "http://127.0.0.1:1".to_string())))
            .envs(env)
            .output()
            .expect("binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{bin} started with a bad key");
        assert!(stderr.contains(says), "{bin}: {stderr}");
    }
}

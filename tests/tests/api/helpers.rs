//! `spawn_app()`: the whole system on port 0, on fresh databases (PostgreSQL
//! when PRM_TEST_DATABASE_URL is set, SQLite otherwise) and Redis when
//! PRM_TEST_REDIS_URL is set, seeded with the demo data.

use std::net::SocketAddr;

use prm_gateway::{demo, launcher, ratelimit::RateLimitConfig};
use prm_kit::testing::TestDatabase;
use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::Value;

pub struct TestApp {
    pub addr: SocketAddr,
    pub account_addr: SocketAddr,
    pub http: reqwest::Client,
    pub internal_key: prm_kit::auth::InternalKey,
    system: Option<launcher::RunningSystem>,
    dbs: Vec<TestDatabase>,
    /// Where the system's e-mail lands as .eml files.
    pub mail_dir: prm_kit::testing::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The field a problem+json names.
    pub fn field(&self) -> &str {
        self.body["errors"][0]["field"].as_str().unwrap_or("")
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut launcher::SystemConfig)) -> TestApp {
    spawn(configure, false).await
}

/// The system as `prm up --demo` starts it: the whole demo seeded before
/// the gateway answers its first request.
pub async fn spawn_demo_app() -> TestApp {
    spawn(|_| {}, true).await
}

async fn spawn(configure: impl FnOnce(&mut launcher::SystemConfig), full_demo: bool) -> TestApp {
    let gateway_db = TestDatabase::create().await.expect("gateway database");
    let mail_dir = prm_kit::testing::TempDir::new("prm-mail").expect("mail directory");
    let mut dbs = Vec::new();
    for _ in launcher::SERVICES {
        dbs.push(TestDatabase::create().await.expect("service database"));
    }
    let mut cfg = launcher::SystemConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        grpc_port_base: 0,
        gateway_database_url: gateway_db.owner_url(),
        database_urls: launcher::SERVICES.iter().copied().zip(dbs.iter().map(|d| d.urls())).collect(),
        redis_url: std::env::var("PRM_TEST_REDIS_URL").ok().filter(|u| !u.is_empty()),
        internal_key: uuid::Uuid::new_v4().to_string().into_bytes(),
        internal_token_ttl: prm_kit::auth::DEFAULT_TOKEN_TTL,
        session_max_age: prm_gateway::auth::SessionPolicy::default().max_age,
        access_token_key: format!("{}{}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4()).into_bytes(),
        rate_limit: RateLimitConfig {
            per_user: 10_000,
            per_ip: 10_000,
            sign_in_per_account: 10_000,
            // Tests share one Redis: each gets its own counters.
            key_prefix: format!("test-{}:", uuid::Uuid::new_v4().simple()),
            ..RateLimitConfig::default()
        },
        mail: prm_kit::mail::MailSettings { mail_dir: mail_dir.0.clone(), ..Default::default() },
    };
    configure(&mut cfg);
    let system = if full_demo {
        launcher::start_demo(cfg).await.expect("system starts with its demo")
    } else {
        let system = launcher::start(cfg).await.expect("system starts");
        demo::seed_base(&system.state).await.expect("demo data");
        system
    };
    TestApp {
        addr: system.rest_addr,
        account_addr: system.addr("account"),
        internal_key: system.internal_key.clone(),
        http: reqwest::Client::new(),
        system: Some(system),
        dbs: std::iter::once(gateway_db).chain(dbs).collect(),
        mail_dir,
    }
}

impl TestApp {
    /// The running system's gateway state (its stores and service channels).
    pub fn state(&self) -> &prm_gateway::app::AppState {
        &self.system.as_ref().expect("system running").state
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Signs in a demo user; answers the access token.
    pub async fn login(&self, email: &str) -> String {
        let r = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({"email": email, "password": demo::DEMO_PASSWORD})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login of {email}: {}", r.body);
        r.body["access_token"].as_str().unwrap().to_string()
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
        let mut req = self.http.request(method, self.url(path));
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
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Creates an account as `token`'s user; answers its JSON.
    pub async fn create_account(&self, token: &str, name: &str) -> Value {
        let r =
            self.post("/api/v1/accounts", token, serde_json::json!({"name": name, "phone": "+49 30 1234567"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body
    }

    /// Creates a project on `account_id` as `token`'s user; answers its id.
    pub async fn create_project(&self, token: &str, account_id: &str) -> String {
        let body = serde_json::json!({"name": "Rollout", "account_id": account_id, "record_type": "new_business",
                                      "close_date": prm_kit::testing::days_from_today(90)});
        let r = self.post("/api/v1/projects", token, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }

    pub async fn create_contact(&self, token: &str, account_id: &str, last_name: &str) -> Value {
        let r = self
            .post("/api/v1/contacts", token, serde_json::json!({"account_id": account_id, "last_name": last_name, "email": format!("{}@example.com", last_name.to_lowercase())}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body
    }

    /// The database of the service `name`.
    pub fn service_db(&self, name: &str) -> &TestDatabase {
        let i = launcher::SERVICES.iter().position(|s| *s == name).expect("a service of SERVICES");
        &self.dbs[i + 1]
    }

    /// Stops one service alone; the gateway and the rest keep running.
    pub async fn stop_service(&mut self, name: &str) {
        self.system.as_mut().expect("system running").stop_service(name).await.expect("service stops");
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.system.take() {
            s.shutdown().await.expect("clean shutdown");
        }
        for db in &mut self.dbs {
            db.drop_database().await.expect("drop test database");
        }
    }
}

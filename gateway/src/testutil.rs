//! Test harness shared by the module tests: the backends to run against
//! (memory Kv and SQLite always; Redis and PostgreSQL when their env vars
//! are set) and a fresh database per test. Also compiled into the API test
//! binary (`tests/api`), where not every helper is used.
#![allow(dead_code)]

use crate::identity::IdentityStore;
use crate::kv::Kv;

/// The Redis backend when `PRM_TEST_REDIS_URL` is set, else `None` with a
/// note, so the suite still runs on machines without Redis.
pub async fn test_redis() -> Option<Kv> {
    match std::env::var("PRM_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(Kv::redis(&url).await.expect("connect to Redis")),
        _ => {
            eprintln!("note: PRM_TEST_REDIS_URL not set; skipping the Redis variant");
            None
        }
    }
}

/// Memory, plus Redis when configured.
pub async fn kvs() -> Vec<Kv> {
    let mut v = vec![Kv::memory()];
    v.extend(test_redis().await);
    v
}

/// Unique per test so parallel tests and old keys cannot collide.
pub fn prefix(name: &str) -> String {
    format!("prm-test:{}:{}:", name, uuid::Uuid::new_v4().simple())
}

/// A freshly created database; a PostgreSQL one is dropped when this is
/// dropped, even if the test panicked.
pub struct TestDb {
    pub label: &'static str,
    pub url: String,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        TestDb { label: "sqlite", url: "sqlite::memory:".to_owned(), pg: None }
    }

    /// Creates `prm_gw_test_<uuid>` next to the database in the admin URL.
    pub async fn postgres(admin_url: &str) -> TestDb {
        use sea_orm::{ConnectionTrait, Database};
        let name = format!("prm_gw_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url).await.expect("connect to PostgreSQL");
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
        admin.close().await.ok();
        let base = admin_url.split('?').next().unwrap_or(admin_url);
        let root = base.rsplit_once('/').map_or(base, |(r, _)| r);
        TestDb { label: "postgres", url: format!("{root}/{name}"), pg: Some((admin_url.to_owned(), name)) }
    }

    pub async fn identity(&self) -> IdentityStore {
        IdentityStore::connect_and_migrate(&self.url).await.expect("connect and migrate identity store")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.pg.take() else {
            return;
        };
        // Drop runs inside the test's runtime, so clean up on a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                use sea_orm::{ConnectionTrait, Database};
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                    admin.close().await.ok();
                }
            });
        })
        .join();
    }
}

/// SQLite, plus PostgreSQL when `PRM_TEST_DATABASE_URL` is set.
pub async fn dbs() -> Vec<TestDb> {
    let mut v = vec![TestDb::sqlite()];
    match std::env::var("PRM_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => v.push(TestDb::postgres(&url).await),
        _ => eprintln!("note: PRM_TEST_DATABASE_URL not set; skipping the PostgreSQL variant"),
    }
    v
}

//! Test support: a fresh database per test (PostgreSQL when
//! `PRM_TEST_DATABASE_URL` is set, a uniquely named database created and
//! dropped; a SQLite file in a temporary directory otherwise), and services
//! started on them over real gRPC.

use std::{collections::BTreeMap, net::SocketAddr};

use sea_orm::{ConnectionTrait, Database};

use crate::{
    Caller,
    auth::{CallerInterceptor, InternalKey},
    mail::MailSettings,
    server::PrmService,
};

pub struct TestDatabase {
    pub url: String,
    admin_url: Option<String>,
    name: String,
    _dir: Option<TempDir>,
}

impl TestDatabase {
    pub async fn create() -> anyhow::Result<TestDatabase> {
        let name = format!("prm_test_{}", uuid::Uuid::new_v4().simple());
        match std::env::var("PRM_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            Some(admin_url) => {
                let admin = Database::connect(&admin_url).await?;
                admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
                admin.close().await?;
                let url = replace_db_name(&admin_url, &name);
                Ok(TestDatabase { url, admin_url: Some(admin_url), name, _dir: None })
            }
            None => {
                let dir = TempDir::new(&name)?;
                let url = format!("sqlite://{}/db.sqlite?mode=rwc", dir.0.display());
                Ok(TestDatabase { url, admin_url: None, name, _dir: Some(dir) })
            }
        }
    }

    /// A further database for another service of the same test.
    pub async fn sibling(&self) -> anyhow::Result<TestDatabase> {
        TestDatabase::create().await
    }

    pub fn is_postgres(&self) -> bool {
        self.admin_url.is_some()
    }

    /// Drops the PostgreSQL database now (connections are closed by force);
    /// dropping the value does the same.
    pub async fn drop_database(&mut self) -> anyhow::Result<()> {
        if let Some(admin_url) = self.admin_url.take() {
            let admin = Database::connect(&admin_url).await?;
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)).await?;
            admin.close().await?;
        }
        Ok(())
    }
}

impl Drop for TestDatabase {
    /// A test that panics still leaves no database behind. Drop runs inside
    /// the test's runtime, so the cleanup gets a thread and runtime of its own.
    fn drop(&mut self) {
        let Some(admin_url) = self.admin_url.take() else {
            return;
        };
        let name = std::mem::take(&mut self.name);
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Services started for one test, each on its own fresh database and port,
/// all stopped (and their databases dropped) together.
pub struct TestServices {
    pub key: InternalKey,
    addrs: BTreeMap<String, SocketAddr>,
    dbs: BTreeMap<String, TestDatabase>,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Default for TestServices {
    fn default() -> Self {
        TestServices::new()
    }
}

impl TestServices {
    pub fn new() -> TestServices {
        TestServices {
            key: InternalKey::new(b"test-key"),
            addrs: BTreeMap::new(),
            dbs: BTreeMap::new(),
            stop: tokio::sync::watch::channel(false).0,
        }
    }

    /// Starts `S`; it may call every service started before it.
    pub async fn start<S: PrmService>(&mut self) -> SocketAddr {
        self.start_with_mail::<S>(MailSettings::default()).await
    }

    /// As [`TestServices::start`], with the service's mail settings.
    pub async fn start_with_mail<S: PrmService>(&mut self, mail: MailSettings) -> SocketAddr {
        let db = TestDatabase::create().await.expect("test database");
        let downstream = self.addrs.iter().map(|(name, addr)| (name.clone(), format!("http://{addr}"))).collect();
        let mut rx = self.stop.subscribe();
        let stopped = async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let (addr, _) = crate::server::spawn_with::<S>(
            &db.url,
            self.key.clone(),
            downstream,
            mail,
            "127.0.0.1:0".parse().expect("an address"),
            stopped,
        )
        .await
        .expect("service starts");
        self.addrs.insert(S::NAME.to_string(), addr);
        self.dbs.insert(S::NAME.to_string(), db);
        addr
    }

    /// Points the `service` downstream of services started from now on at
    /// `addr`, e.g. a closed port to test how a caller copes with it down.
    pub fn point(&mut self, service: &str, addr: SocketAddr) {
        self.addrs.insert(service.to_string(), addr);
    }

    pub fn addr(&self, service: &str) -> SocketAddr {
        self.addrs[service]
    }

    pub fn database_url(&self, service: &str) -> String {
        self.dbs[service].url.clone()
    }

    /// A connected channel to `service`.
    pub async fn channel(&self, service: &str) -> tonic::transport::Channel {
        tonic::transport::Channel::from_shared(format!("http://{}", self.addr(service)))
            .expect("a URL")
            .connect()
            .await
            .expect("service reachable")
    }

    /// Calls on behalf of `caller`.
    pub fn auth(&self, caller: &Caller) -> CallerInterceptor {
        CallerInterceptor::new(&self.key, caller).expect("token signed")
    }

    /// Stops the services and drops their databases.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        for db in self.dbs.values_mut() {
            db.drop_database().await.expect("test database dropped");
        }
    }
}

impl Drop for TestServices {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// The field an INVALID_ARGUMENT status names, or "".
pub fn field_of(status: &tonic::Status) -> String {
    crate::error::violated_field(status).map(|(f, _)| f).unwrap_or_default()
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end).unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..path_start], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> std::io::Result<TempDir> {
        let p = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&p)?;
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            replace_db_name("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(replace_db_name("postgres://u@h:5432", "x"), "postgres://u@h:5432/x");
        assert_eq!(replace_db_name("postgres://u@h/db?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
    }
}

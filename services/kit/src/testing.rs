//! Test support: a fresh database per test (PostgreSQL when
//! `PRM_TEST_DATABASE_URL` is set, a uniquely named database created and
//! dropped; a SQLite file in a temporary directory otherwise), and services
//! started on them over real gRPC.

use std::{collections::BTreeMap, net::SocketAddr};

use prm_proto::record::v1::{
    AggregateRequest, AggregateRow, SearchRecordsRequest, SearchResult,
    aggregate_service_client::AggregateServiceClient, search_service_client::SearchServiceClient,
};
use sea_orm::{ConnectionTrait, Database};
use tonic::transport::Channel;

use crate::{
    Caller, Role,
    auth::{CallerInterceptor, InternalKey},
    mail::MailSettings,
    server::{GrpcServer, PrmService},
};

pub struct TestDatabase {
    /// The URL the services serve with: on PostgreSQL the role
    /// [`SERVING_ROLE`], which owns nothing and is subject to row-level
    /// security.
    pub url: String,
    /// On PostgreSQL the owner's URL (the server's own user), which the
    /// migrations run with.
    pub migration_url: Option<String>,
    admin_url: Option<String>,
    name: String,
    _dir: Option<TempDir>,
}

impl TestDatabase {
    pub async fn create() -> anyhow::Result<TestDatabase> {
        let name = format!("prm_test_{}", uuid::Uuid::new_v4().simple());
        match std::env::var("PRM_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            Some(admin_url) => {
                crate::db::ensure_serving_role(&admin_url, SERVING_ROLE).await?;
                let admin = Database::connect(&admin_url).await?;
                admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
                admin.close().await?;
                let owner_url = replace_db_name(&admin_url, &name);
                let url = crate::db::with_user(&owner_url, SERVING_ROLE);
                Ok(TestDatabase { url, migration_url: Some(owner_url), admin_url: Some(admin_url), name, _dir: None })
            }
            None => {
                let dir = TempDir::new(&name)?;
                let url = format!("sqlite://{}/db.sqlite?mode=rwc", dir.0.display());
                Ok(TestDatabase { url, migration_url: None, admin_url: None, name, _dir: Some(dir) })
            }
        }
    }

    /// Both URLs, for starting a service on this database.
    pub fn urls(&self) -> crate::db::DatabaseUrls {
        crate::db::DatabaseUrls { url: self.url.clone(), migration_url: self.migration_url.clone() }
    }

    /// The owner's URL: for what has no row-level security of its own (the
    /// gateway's identity store), and for a test that reads or repairs rows
    /// behind a service's back.
    pub fn owner_url(&self) -> String {
        self.migration_url.clone().unwrap_or_else(|| self.url.clone())
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
/// The role test services connect as on PostgreSQL: not a superuser,
/// owning nothing, so row-level security applies to every statement.
pub const SERVING_ROLE: &str = "prm_test_serving";

pub struct TestServices {
    pub key: InternalKey,
    addrs: BTreeMap<String, SocketAddr>,
    dbs: BTreeMap<String, TestDatabase>,
    /// Listeners bound for services that start later (see [`TestServices::reserve`]).
    reserved: BTreeMap<String, GrpcServer>,
    running: BTreeMap<String, Running>,
    stop: tokio::sync::watch::Sender<bool>,
    /// Limits of services started from now on (e.g. a short relay backoff).
    pub limits: crate::config::ServerLimits,
}

/// One started service: its own stop switch, its task, and how it was started.
struct Running {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    mail: MailSettings,
}

/// A port where nothing listens: the address given to a service for an event
/// consumer the test does not start, so deliveries fail fast and stay queued.
const NOBODY: &str = "http://127.0.0.1:1";

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
            reserved: BTreeMap::new(),
            running: BTreeMap::new(),
            stop: tokio::sync::watch::channel(false).0,
            limits: crate::config::ServerLimits::default(),
        }
    }

    /// Binds the port of `service` now, so services started before it (a
    /// publisher of the events it consumes) know its address.
    pub async fn reserve(&mut self, service: &str) -> SocketAddr {
        let server = GrpcServer::bind("127.0.0.1:0".parse().expect("an address")).await.expect("port bound");
        let addr = server.local_addr();
        self.addrs.insert(service.to_string(), addr);
        self.reserved.insert(service.to_string(), server);
        addr
    }

    /// Starts `S`; it may call every service started or reserved before it.
    pub async fn start<S: PrmService>(&mut self) -> SocketAddr {
        self.start_with_mail::<S>(MailSettings::default()).await
    }

    /// As [`TestServices::start`], with the service's mail settings.
    pub async fn start_with_mail<S: PrmService>(&mut self, mail: MailSettings) -> SocketAddr {
        let db = TestDatabase::create().await.expect("test database");
        let server = match self.reserved.remove(S::NAME) {
            Some(server) => server,
            None => GrpcServer::bind("127.0.0.1:0".parse().expect("an address")).await.expect("port bound"),
        };
        let addr = self.run::<S>(server, db.urls(), mail).await;
        self.dbs.insert(S::NAME.to_string(), db);
        addr
    }

    async fn run<S: PrmService>(
        &mut self,
        server: GrpcServer,
        database: crate::db::DatabaseUrls,
        mail: MailSettings,
    ) -> SocketAddr {
        let addr = server.local_addr();
        self.addrs.insert(S::NAME.to_string(), addr);
        // A service it calls that is not started yet gets its port now, so
        // services that call each other start in any order.
        for name in S::DOWNSTREAM {
            if !self.addrs.contains_key(*name) {
                self.reserve(name).await;
            }
        }
        let mut downstream: BTreeMap<String, String> =
            self.addrs.iter().map(|(name, addr)| (name.clone(), format!("http://{addr}"))).collect();
        if let Some(consumer) = S::EVENTS_TO {
            downstream.entry(consumer.to_string()).or_insert_with(|| NOBODY.to_string());
        }
        let (stop, mut rx) = tokio::sync::watch::channel(false);
        let mut all = self.stop.subscribe();
        let stopped = async move {
            tokio::select! {
                _ = rx.wait_for(|s| *s) => {}
                _ = all.wait_for(|s| *s) => {}
            }
        };
        let (_, task) = crate::server::spawn_limited::<S>(
            server,
            database,
            self.key.clone(),
            downstream,
            mail.clone(),
            self.limits.clone(),
            stopped,
        )
        .await
        .expect("service starts");
        self.running.insert(S::NAME.to_string(), Running { stop, task, mail });
        addr
    }

    /// Stops one service and waits until it has let go of its port; its
    /// database stays, for [`TestServices::restart`].
    pub async fn stop_service(&mut self, service: &str) {
        let running = self.running.remove(service).expect("service running");
        let _ = running.stop.send(true);
        running.task.await.expect("service task").expect("service stopped cleanly");
        self.running.insert(
            service.to_string(),
            Running { stop: running.stop, task: tokio::spawn(async { Ok(()) }), mail: running.mail },
        );
    }

    /// Starts a stopped service again on the same port and database.
    pub async fn restart<S: PrmService>(&mut self) -> SocketAddr {
        let addr = self.addr(S::NAME);
        let server = GrpcServer::bind(addr).await.expect("the same port again");
        let urls = self.dbs[S::NAME].urls();
        let mail = self.running.get(S::NAME).map(|r| r.mail.clone()).unwrap_or_default();
        self.run::<S>(server, urls, mail).await
    }

    /// Points the `service` downstream of services started from now on at
    /// `addr`, e.g. a closed port to test how a caller copes with it down.
    pub fn point(&mut self, service: &str, addr: SocketAddr) {
        self.addrs.insert(service.to_string(), addr);
    }

    pub fn addr(&self, service: &str) -> SocketAddr {
        self.addrs[service]
    }

    /// The owner's URL of `service`'s database, for a test that reads or
    /// repairs rows behind the service's back (see [`TestDatabase::owner_url`]).
    pub fn database_url(&self, service: &str) -> String {
        self.dbs[service].owner_url()
    }

    /// The serving URL of `service`'s database (row-level security applies).
    pub fn serving_url(&self, service: &str) -> String {
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

    /// A project of `caller`'s partner on `account_id`, made by the running
    /// project service, for records that name one (quotes, orders).
    pub async fn create_project(&self, caller: &Caller, account_id: &str) -> String {
        use prm_proto::project::v1::{self as ppb, project_service_client::ProjectServiceClient};
        ProjectServiceClient::with_interceptor(self.channel("project").await, self.auth(caller))
            .create_project(ppb::CreateProjectRequest {
                project: Some(ppb::Project {
                    name: "Rollout".into(),
                    account_id: account_id.into(),
                    record_type: ppb::RecordType::NewBusiness as i32,
                    close_date: days_from_today(90),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .await
            .expect("project created")
            .into_inner()
            .project
            .expect("a project")
            .id
    }

    /// Calls on behalf of `caller`.
    pub fn auth(&self, caller: &Caller) -> CallerInterceptor {
        CallerInterceptor::new(&self.key, caller).expect("token signed")
    }

    /// Panics on a failed call: search tests compare results, never statuses.
    pub async fn search(&self, service: &str, caller: &Caller, q: &str) -> Vec<SearchResult> {
        let req = SearchRecordsRequest { query: q.into(), ..Default::default() };
        self.search_on(self.channel(service).await, caller, req).await
    }

    /// For a service started apart from these, or a request narrowed by record type.
    pub async fn search_on(&self, channel: Channel, caller: &Caller, req: SearchRecordsRequest) -> Vec<SearchResult> {
        SearchServiceClient::with_interceptor(channel, self.auth(caller))
            .search_records(req)
            .await
            .expect("search answers")
            .into_inner()
            .results
    }

    /// The status is returned: tests check which field a rejected request names.
    pub async fn aggregate(
        &self,
        service: &str,
        caller: &Caller,
        req: AggregateRequest,
    ) -> Result<Vec<AggregateRow>, tonic::Status> {
        self.aggregate_on(self.channel(service).await, caller, req).await
    }

    /// For a service started apart from these (e.g. a second one on SQLite).
    pub async fn aggregate_on(
        &self,
        channel: Channel,
        caller: &Caller,
        req: AggregateRequest,
    ) -> Result<Vec<AggregateRow>, tonic::Status> {
        AggregateServiceClient::with_interceptor(channel, self.auth(caller))
            .aggregate(req)
            .await
            .map(|r| r.into_inner().rows)
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

/// A fresh user id each time, so no two callers of a test share one by accident.
pub fn person(role: Role, partner: Option<uuid::Uuid>) -> Caller {
    Caller { user_id: uuid::Uuid::now_v7(), partner_id: partner, role, assigned_partners: vec![], partner_tier: None }
}

/// Search results reduced to what tests compare.
pub mod search {
    use prm_proto::record::v1::SearchResult;

    pub fn titles(results: &[SearchResult]) -> Vec<&str> {
        results.iter().map(|r| r.title.as_str()).collect()
    }

    pub fn ids(results: &[SearchResult]) -> Vec<String> {
        results.iter().map(|r| r.record.as_ref().expect("a record").id.clone()).collect()
    }
}

/// Aggregate requests written briefly, and rows as plain strings, so expected
/// figures read as literals.
pub mod aggregates {
    use prm_proto::record::v1::{AggregateFunction, AggregateRequest, AggregateRow, DateBucket, Grouping, Measure};

    pub fn measure(function: AggregateFunction, field: &str) -> Measure {
        Measure { function: function as i32, field: field.into() }
    }

    pub fn group(field: &str, bucket: DateBucket) -> Grouping {
        Grouping { field: field.into(), bucket: bucket as i32 }
    }

    pub fn request(
        collection: &str,
        group_by: Vec<Grouping>,
        filter: &str,
        measures: Vec<Measure>,
    ) -> AggregateRequest {
        AggregateRequest { collection: collection.into(), filter: filter.into(), group_by, measures }
    }

    pub fn rows(rows: &[AggregateRow]) -> Vec<(Vec<&str>, Vec<&str>)> {
        rows.iter()
            .map(|r| (r.keys.iter().map(String::as_str).collect(), r.values.iter().map(String::as_str).collect()))
            .collect()
    }
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

/// The ISO date `days` from today (negative: in the past): tests derive every
/// date from today, so they mean the same thing in any month they run.
pub fn days_from_today(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
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

//! The gRPC server every service runs: its business services behind the
//! auth interceptor, plus `grpc.health.v1` (readiness follows the database)
//! and server reflection, with tracing, timeouts, a concurrency limit and
//! load shedding, and graceful shutdown.

use std::{collections::BTreeMap, future::Future, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use clap::Parser;
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;
use tokio::net::TcpListener;
use tonic::service::Routes;
use tonic_health::ServingStatus;

use crate::{
    auth::InternalKey,
    config::{ServerLimits, ServiceConfig},
    db,
    outbox::{GrpcSink, Sink},
};

/// What a service crate tells the kit about itself.
pub trait PrmService {
    /// Short name, e.g. `account`; used in logs and the process name.
    const NAME: &'static str;
    /// Fully qualified gRPC service names it serves, for health.
    const GRPC_NAMES: &'static [&'static str];
    type Migrator: MigratorTrait;
    /// Services this one calls, by name (`account` is read from
    /// `PRM_ACCOUNT_URL`); all must be configured before it starts.
    const DOWNSTREAM: &'static [&'static str] = &[];
    /// Services this one calls when they are deployed (their URL set); the
    /// calls that need one that is not answer UNAVAILABLE.
    const OPTIONAL_DOWNSTREAM: &'static [&'static str] = &[];
    /// The service that consumes this one's outbox events through its
    /// `prm.outbox.v1.EventSinkService`, if any. A relay runs beside the
    /// server and delivers them, retrying with backoff while it is down.
    const EVENTS_TO: Option<&'static str> = None;
    /// The business services, each already wrapped in the auth interceptor.
    fn routes(ctx: ServiceContext) -> anyhow::Result<Routes>;

    /// The partners whose rows a caller's statements reach under
    /// PostgreSQL's row-level security: those of ordinary partner records
    /// unless overridden (cases are seen by support agents too). It must
    /// cover everything the service's own scoping lets the caller see.
    fn row_scope(caller: &crate::Caller) -> crate::scope::Scope {
        crate::scope::Scope::records(caller)
    }

    /// Where the relay beside the server delivers this service's outbox
    /// events, if anywhere: by default the `EVENTS_TO` consumer over gRPC;
    /// a service that mails from its outbox answers a
    /// [`crate::mail::MailSink`].
    fn event_sink(ctx: &ServiceContext) -> anyhow::Result<Option<Arc<dyn Sink>>> {
        match Self::EVENTS_TO {
            Some(consumer) => Ok(Some(Arc::new(GrpcSink::new(ctx.channel(consumer)?, &ctx.key)?))),
            None => Ok(None),
        }
    }
}

/// What a service is built from.
#[derive(Clone)]
pub struct ServiceContext {
    pub db: DatabaseConnection,
    pub key: InternalKey,
    /// gRPC URL of each downstream service, by name.
    pub downstream: BTreeMap<String, String>,
    /// Where the service's e-mail goes.
    pub mail: crate::mail::MailSettings,
}

impl ServiceContext {
    /// A lazily connected channel to the downstream service `name`.
    pub fn channel(&self, name: &str) -> anyhow::Result<tonic::transport::Channel> {
        let url = self
            .downstream
            .get(name)
            .with_context(|| format!("no URL for the {name} service (PRM_{}_URL)", name.to_uppercase()))?;
        Ok(tonic::transport::Channel::from_shared(url.clone())
            .with_context(|| format!("the {name} service URL `{url}`"))?
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(15))
            .connect_lazy())
    }
}

/// A bound listener, so callers (tests, the launcher) know the port before serving.
pub struct GrpcServer {
    listener: TcpListener,
}

impl GrpcServer {
    pub async fn bind(addr: SocketAddr) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
        Ok(GrpcServer { listener })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound listener has an address")
    }

    /// Serves `S` on `db` until `shutdown` completes, then drains in-flight calls.
    pub async fn serve<S: PrmService>(
        self,
        ctx: ServiceContext,
        limits: &ServerLimits,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (reporter, health) = tonic_health::server::health_reporter();
        let reflection = reflection_builder::<S>().build_v1()?;
        let reflection_alpha = reflection_builder::<S>().build_v1alpha()?;

        // The first check runs before serving, so no probe sees an unknown service.
        let db = ctx.db.clone();
        let first = check_readiness(&db, &reporter, S::GRPC_NAMES, None).await;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let relay = S::event_sink(&ctx)?
            .map(|sink| crate::outbox::Relay::new(ctx.db.clone(), sink, limits.relay()).spawn(stop_rx.clone()));
        let readiness = tokio::spawn(watch_readiness(db, reporter, S::GRPC_NAMES, first, stop_rx));

        let key = ctx.key.clone();
        let routes = S::routes(ctx)?.add_service(health).add_service(reflection).add_service(reflection_alpha);
        tracing::info!(service = S::NAME, addr = %self.local_addr(), "serving gRPC");
        let result = tonic::transport::Server::builder()
            .trace_fn(crate::telemetry::grpc_span)
            .timeout(limits.request_timeout())
            .load_shed(true)
            .layer(tower::limit::GlobalConcurrencyLimitLayer::new(limits.concurrency_limit))
            .layer(crate::row_security::RowScopeLayer::new(key, S::row_scope))
            .add_routes(routes)
            // Without TCP_NODELAY a response written in several frames waits
            // for the peer's delayed ACK: ~40 ms on every larger reply.
            .serve_with_incoming_shutdown(
                tonic::transport::server::TcpIncoming::from(self.listener).with_nodelay(Some(true)),
                shutdown,
            )
            .await;
        let _ = stop_tx.send(true);
        let _ = readiness.await;
        if let Some(relay) = relay {
            let _ = relay.await;
        }
        result.context("gRPC server")
    }
}

/// Reflection that lists what this port serves: `S`'s services, health and
/// reflection itself, so grpcurl shows no method that answers UNIMPLEMENTED.
fn reflection_builder<S: PrmService>() -> tonic_reflection::server::Builder<'static> {
    let builder = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(prm_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .with_service_name("grpc.health.v1.Health")
        .with_service_name("grpc.reflection.v1.ServerReflection")
        .with_service_name("grpc.reflection.v1alpha.ServerReflection");
    S::GRPC_NAMES.iter().fold(builder, |b, name| b.with_service_name(*name))
}

/// Health follows the database: NOT_SERVING while it does not answer.
async fn watch_readiness(
    db: DatabaseConnection,
    reporter: tonic_health::server::HealthReporter,
    names: &'static [&'static str],
    mut last: ServingStatus,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = stop.changed() => return,
        }
        last = check_readiness(&db, &reporter, names, Some(last)).await;
    }
}

/// Pings the database and publishes the status when it changed from `last`.
async fn check_readiness(
    db: &DatabaseConnection,
    reporter: &tonic_health::server::HealthReporter,
    names: &[&str],
    last: Option<ServingStatus>,
) -> ServingStatus {
    let status = match db.ping().await {
        Ok(()) => ServingStatus::Serving,
        Err(e) => {
            tracing::warn!(error = %e, "database unreachable: NOT_SERVING");
            ServingStatus::NotServing
        }
    };
    if last != Some(status) {
        reporter.set_service_status("", status).await;
        for name in names {
            reporter.set_service_status(*name, status).await;
        }
    }
    status
}

/// Connects, migrates and starts `S` on `addr` in the background; answers
/// with the bound address. Used by the all-in-one launcher and tests.
pub async fn spawn<S: PrmService>(
    database: impl Into<db::DatabaseUrls>,
    key: InternalKey,
    downstream: BTreeMap<String, String>,
    addr: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<anyhow::Result<()>>)> {
    spawn_with::<S>(database, key, downstream, crate::mail::MailSettings::default(), addr, shutdown).await
}

/// [`spawn`], with the service's mail settings.
pub async fn spawn_with<S: PrmService>(
    database: impl Into<db::DatabaseUrls>,
    key: InternalKey,
    downstream: BTreeMap<String, String>,
    mail: crate::mail::MailSettings,
    addr: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<anyhow::Result<()>>)> {
    spawn_on::<S>(GrpcServer::bind(addr).await?, database, key, downstream, mail, shutdown).await
}

/// [`spawn_with`] on a listener bound beforehand, so services that call each
/// other (a publisher and its event consumer) can all know every address
/// before any of them starts.
pub async fn spawn_on<S: PrmService>(
    server: GrpcServer,
    database: impl Into<db::DatabaseUrls>,
    key: InternalKey,
    downstream: BTreeMap<String, String>,
    mail: crate::mail::MailSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<anyhow::Result<()>>)> {
    spawn_limited::<S>(server, database, key, downstream, mail, ServerLimits::default(), shutdown).await
}

/// [`spawn_on`] with limits of its own, e.g. a short relay backoff in tests.
pub async fn spawn_limited<S: PrmService>(
    server: GrpcServer,
    database: impl Into<db::DatabaseUrls>,
    key: InternalKey,
    downstream: BTreeMap<String, String>,
    mail: crate::mail::MailSettings,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<anyhow::Result<()>>)> {
    check_downstream::<S>(&downstream)?;
    let db = db::connect_and_migrate::<S::Migrator>(&database.into())
        .await
        .with_context(|| format!("{} database", S::NAME))?;
    let local = server.local_addr();
    let ctx = ServiceContext { db, key, downstream, mail };
    let handle = tokio::spawn(async move { server.serve::<S>(ctx, &limits, shutdown).await });
    Ok((local, handle))
}

/// Every downstream address is configuration, checked before start.
fn check_downstream<S: PrmService>(downstream: &BTreeMap<String, String>) -> anyhow::Result<()> {
    for name in S::DOWNSTREAM.iter().chain(S::EVENTS_TO.as_ref()) {
        let url = downstream
            .get(*name)
            .with_context(|| format!("the {} service needs PRM_{}_URL", S::NAME, name.to_uppercase()))?;
        http::Uri::try_from(url.as_str()).with_context(|| format!("PRM_{}_URL `{url}`", name.to_uppercase()))?;
    }
    for name in S::OPTIONAL_DOWNSTREAM {
        if let Some(url) = downstream.get(*name) {
            http::Uri::try_from(url.as_str()).with_context(|| format!("PRM_{}_URL `{url}`", name.to_uppercase()))?;
        }
    }
    Ok(())
}

#[derive(Parser, Debug)]
struct Cli {
    #[command(flatten)]
    config: ServiceConfig,
}

/// The whole `main` of a service binary: configuration from `PRM_*`,
/// telemetry, database and migrations, serve until SIGINT/SIGTERM.
pub async fn main<S: PrmService>() -> anyhow::Result<()> {
    let cfg = Cli::parse().config;
    let _telemetry = crate::telemetry::init(&format!("prm-{}", S::NAME), cfg.log_format);
    let downstream: BTreeMap<String, String> = S::DOWNSTREAM
        .iter()
        .chain(S::EVENTS_TO.as_ref())
        .chain(S::OPTIONAL_DOWNSTREAM)
        .filter_map(|name| {
            let url = std::env::var(format!("PRM_{}_URL", name.to_uppercase())).ok()?;
            Some((name.to_string(), url))
        })
        .collect();
    check_downstream::<S>(&downstream)?;
    crate::auth::check_key("PRM_INTERNAL_KEY", &cfg.internal_key)?;
    let urls = db::DatabaseUrls { url: cfg.database_url.clone(), migration_url: cfg.database_migration_url.clone() };
    let db = db::connect_and_migrate::<S::Migrator>(&urls).await?;
    let server = GrpcServer::bind(cfg.listen).await?;
    let ctx = ServiceContext {
        db,
        key: InternalKey::new(cfg.internal_key.as_bytes())
            .with_token_ttl(Duration::from_secs(cfg.internal_token_ttl_secs)),
        downstream,
        mail: cfg.mail,
    };
    server.serve::<S>(ctx, &cfg.server, shutdown_signal()).await
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}

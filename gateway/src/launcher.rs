//! The all-in-one launcher: every service of the workspace and the gateway in
//! one process, each service on its own loopback port and reached over gRPC,
//! on SQLite files (or the databases given), with the in-memory cache unless
//! Redis is configured. Tests start the same system with [`start`].

use std::collections::BTreeMap;
use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::Context;
use prm_kit::{auth::InternalKey, server};
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};

use crate::{
    app::{self, AppState, GatewaySettings},
    ratelimit::RateLimitConfig,
};

/// Where each part keeps its data and listens.
pub struct SystemConfig {
    /// REST address of the gateway.
    pub listen: SocketAddr,
    /// First gRPC port; services take it in the order of DESIGN.md
    /// (account, lead, project, quote, order, task, case, report). 0 picks free ports.
    pub grpc_port_base: u16,
    pub gateway_database_url: String,
    /// Database of each service, by name (see [`SERVICES`]).
    pub database_urls: BTreeMap<&'static str, prm_kit::db::DatabaseUrls>,
    pub redis_url: Option<String>,
    pub internal_key: Vec<u8>,
    /// Lifetime of internal tokens (`PRM_INTERNAL_TOKEN_TTL_SECS`); they are
    /// renewed at half of it by every long-lived client.
    pub internal_token_ttl: std::time::Duration,
    pub access_token_key: Vec<u8>,
    pub rate_limit: RateLimitConfig,
    /// How long a person's session lives after sign-in
    /// (`PRM_SESSION_MAX_AGE_SECS`, 7 days by default).
    pub session_max_age: std::time::Duration,
    /// Where the services' e-mail goes.
    pub mail: prm_kit::mail::MailSettings,
}

impl SystemConfig {
    /// SQLite files under `data_dir`; keys from `PRM_INTERNAL_KEY` /
    /// `PRM_ACCESS_TOKEN_KEY`, or generated once into `data_dir`.
    pub fn in_data_dir(data_dir: &Path, listen: SocketAddr, grpc_port_base: u16) -> anyhow::Result<SystemConfig> {
        std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
        // The folder holds password hashes, keys and everyone's records:
        // its owner alone may enter it.
        #[cfg(unix)]
        std::fs::set_permissions(data_dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .with_context(|| format!("making {} private", data_dir.display()))?;
        let sqlite = |name: &str| format!("sqlite://{}?mode=rwc", data_dir.join(format!("{name}.db")).display());
        Ok(SystemConfig {
            listen,
            grpc_port_base,
            gateway_database_url: sqlite("gateway"),
            database_urls: SERVICES.iter().map(|s| (*s, sqlite(s).into())).collect(),
            redis_url: std::env::var("PRM_REDIS_URL").ok().filter(|u| !u.is_empty()),
            internal_key: key_from_env_or_file("PRM_INTERNAL_KEY", &data_dir.join("internal.key"))?,
            internal_token_ttl: internal_token_ttl_from_env()?,
            access_token_key: key_from_env_or_file("PRM_ACCESS_TOKEN_KEY", &data_dir.join("access-token.key"))?,
            rate_limit: rate_limit_from_env()?,
            session_max_age: session_max_age_from_env()?,
            // SMTP when PRM_SMTP_URL is set, .eml files under the data directory otherwise.
            mail: prm_kit::mail::MailSettings {
                smtp_url: std::env::var("PRM_SMTP_URL").ok().filter(|u| !u.is_empty()),
                mail_dir: data_dir.join("mail"),
                mail_from: std::env::var("PRM_MAIL_FROM").unwrap_or_else(|_| "prm <no-reply@prm.localhost>".into()),
                // Links in e-mails (a case's page) point at this gateway unless told otherwise.
                public_url: std::env::var("PRM_PUBLIC_URL")
                    .ok()
                    .filter(|u| !u.is_empty())
                    .unwrap_or_else(|| format!("http://localhost:{}", listen.port())),
            },
        })
    }
}

/// `PRM_INTERNAL_TOKEN_TTL_SECS`, else the kit's default.
pub fn internal_token_ttl_from_env() -> anyhow::Result<std::time::Duration> {
    Ok(std::time::Duration::from_secs(env_number(
        "PRM_INTERNAL_TOKEN_TTL_SECS",
        prm_kit::auth::DEFAULT_TOKEN_TTL.as_secs(),
    )?))
}

/// `PRM_SESSION_MAX_AGE_SECS`: how long a session lives after sign-in.
pub fn session_max_age_from_env() -> anyhow::Result<std::time::Duration> {
    let default = crate::auth::SessionPolicy::default().max_age.as_secs();
    Ok(std::time::Duration::from_secs(env_number("PRM_SESSION_MAX_AGE_SECS", default)?))
}

/// The rate limits, each a `PRM_*` variable as `prm gateway` reads them:
/// `PRM_RATE_LIMIT_PER_USER`, `PRM_RATE_LIMIT_PER_IP` and
/// `PRM_SIGN_IN_PER_ACCOUNT` (requests a minute).
pub fn rate_limit_from_env() -> anyhow::Result<RateLimitConfig> {
    let d = RateLimitConfig::default();
    Ok(RateLimitConfig {
        per_user: env_number("PRM_RATE_LIMIT_PER_USER", d.per_user)?,
        per_ip: env_number("PRM_RATE_LIMIT_PER_IP", d.per_ip)?,
        sign_in_per_account: env_number("PRM_SIGN_IN_PER_ACCOUNT", d.sign_in_per_account)?,
        ..d
    })
}

/// A positive whole number from `var`, else `default` when it is unset or
/// empty; anything else stops the start with the variable named.
pub fn env_number<T: std::str::FromStr + PartialOrd + Default>(var: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(var).ok().filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => match v.parse::<T>() {
            Ok(n) if n > T::default() => Ok(n),
            _ => anyhow::bail!("{var} `{v}` is not a positive whole number"),
        },
    }
}

/// A key from the environment, else from `file`, else a new random one
/// written to `file` (owner-only) so restarts keep sessions and ops tokens.
pub fn key_from_env_or_file(var: &str, file: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(k) = std::env::var(var).ok().filter(|k| !k.is_empty()) {
        prm_kit::auth::check_key(var, &k)?;
        return Ok(k.into_bytes());
    }
    if let Ok(k) = std::fs::read_to_string(file) {
        let k = k.trim().to_string();
        if !k.is_empty() {
            return Ok(k.into_bytes());
        }
    }
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let k: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(file, &k).with_context(|| format!("writing {}", file.display()))?;
    Ok(k.into_bytes())
}

fn write_private(file: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(file)?.write_all(content.as_bytes())
}

/// The running system.
pub struct RunningSystem {
    pub rest_addr: SocketAddr,
    /// gRPC address of each service, by name.
    pub service_addrs: BTreeMap<&'static str, SocketAddr>,
    pub state: AppState,
    pub internal_key: InternalKey,
    stop: watch::Sender<bool>,
    /// Each service's own stop switch and task, to stop one alone.
    services: BTreeMap<&'static str, (watch::Sender<bool>, JoinHandle<anyhow::Result<()>>)>,
    tasks: Vec<JoinHandle<anyhow::Result<()>>>,
}

async fn stopped(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

/// Every service of the design, in the order of their ports (DESIGN.md).
pub const PORT_ORDER: [&str; 8] = ["account", "lead", "project", "quote", "order", "task", "case", "report"];

/// The services of the workspace, in start order: a service starts after
/// those it calls. Every port is bound before the first starts, so a
/// publisher's relay knows its consumer's address (quote and order deliver
/// their events to project).
pub const SERVICES: &[&str] = &["account", "quote", "order", "project", "lead", "task", "case", "report"];

/// Binds the port of every service of the launcher's range.
async fn bind_all(cfg: &SystemConfig) -> anyhow::Result<BTreeMap<&'static str, server::GrpcServer>> {
    let mut listeners = BTreeMap::new();
    for name in SERVICES {
        let index = PORT_ORDER.iter().position(|s| s == name).expect("service listed in PORT_ORDER") as u16;
        let port = if cfg.grpc_port_base == 0 { 0 } else { cfg.grpc_port_base + index };
        listeners.insert(*name, server::GrpcServer::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?);
    }
    Ok(listeners)
}

/// Starts one service on its bound port; it may call every other service.
async fn start_service<S: server::PrmService>(
    cfg: &SystemConfig,
    key: &InternalKey,
    stop: &watch::Receiver<bool>,
    listeners: &mut BTreeMap<&'static str, server::GrpcServer>,
    addrs: &BTreeMap<&'static str, SocketAddr>,
    tasks: &mut BTreeMap<&'static str, (watch::Sender<bool>, JoinHandle<anyhow::Result<()>>)>,
) -> anyhow::Result<()> {
    let listener = listeners.remove(S::NAME).with_context(|| format!("{} is not in SERVICES", S::NAME))?;
    let url = cfg.database_urls.get(S::NAME).with_context(|| format!("no database for {}", S::NAME))?;
    let downstream = addrs.iter().map(|(name, addr)| (name.to_string(), format!("http://{addr}"))).collect();
    let (own_stop, own_rx) = watch::channel(false);
    let (all, own) = (stopped(stop.clone()), stopped(own_rx));
    let shutdown = async move {
        tokio::select! {
            _ = all => {}
            _ = own => {}
        }
    };
    let (_, task) =
        server::spawn_on::<S>(listener, url.clone(), key.clone(), downstream, cfg.mail.clone(), shutdown).await?;
    tasks.insert(S::NAME, (own_stop, task));
    Ok(())
}

/// Starts every service, then the gateway.
pub async fn start(cfg: SystemConfig) -> anyhow::Result<RunningSystem> {
    start_then(cfg, false).await
}

/// As [`start`], with the demo data seeded before the gateway takes its
/// first request: no early sign-in finds the demo people missing.
pub async fn start_demo(cfg: SystemConfig) -> anyhow::Result<RunningSystem> {
    start_then(cfg, true).await
}

async fn start_then(cfg: SystemConfig, demo: bool) -> anyhow::Result<RunningSystem> {
    let (stop, rx) = watch::channel(false);
    let internal_key = InternalKey::new(&cfg.internal_key).with_token_ttl(cfg.internal_token_ttl);
    let mut tasks = Vec::new();
    let mut services = BTreeMap::new();
    let mut listeners = bind_all(&cfg).await?;
    let addrs: BTreeMap<&'static str, SocketAddr> = listeners.iter().map(|(n, l)| (*n, l.local_addr())).collect();
    let (key, l) = (&internal_key, &mut listeners);
    // One line per service: account, lead, project, quote, order, task, case, report.
    start_service::<prm_account::AccountService>(&cfg, key, &rx, l, &addrs, &mut services).await?;
    start_service::<prm_quote::QuoteService>(&cfg, key, &rx, l, &addrs, &mut services).await?;
    start_service::<prm_order::OrderService>(&cfg, key, &rx, l, &addrs, &mut services).await?;
    start_service::<prm_project::ProjectService>(&cfg, key, &rx, l, &addrs, &mut services).await?;
    start_service::<prm_lead::LeadService>(&cfg, key, &rx, l, &addrs, &mut services).await?;
    start_service::<prm_task::TaskService>(&cfg, key, &rx, l, &addrs, &mut services).await?;
    start_service::<prm_case::CaseService>(&cfg, key, &rx, l, &addrs, &mut services).await?;
    start_service::<prm_report::ReportService>(&cfg, key, &rx, l, &addrs, &mut services).await?;

    let (router, state) = app::build(GatewaySettings {
        database_url: cfg.gateway_database_url,
        redis_url: cfg.redis_url,
        internal_key: internal_key.clone(),
        access_token_key: cfg.access_token_key,
        service_urls: addrs.iter().map(|(name, addr)| (*name, format!("http://{addr}"))).collect(),
        rate_limit: cfg.rate_limit,
        session_max_age: cfg.session_max_age,
        web: crate::web::Assets::from_env(),
    })
    .await?;
    if demo {
        crate::demo::seed(&state).await.context("seeding the demo data")?;
    }
    let listener = TcpListener::bind(cfg.listen).await.with_context(|| format!("binding {}", cfg.listen))?;
    let rest_addr = listener.local_addr()?;
    let shutdown = stopped(rx);
    tasks.push(tokio::spawn(async move { app::serve(listener, router, shutdown).await.context("gateway") }));
    tracing::info!(%rest_addr, services = ?addrs, "prm is up");
    Ok(RunningSystem { rest_addr, service_addrs: addrs, state, internal_key, stop, services, tasks })
}

impl RunningSystem {
    /// gRPC address of the service `name`.
    pub fn addr(&self, name: &str) -> SocketAddr {
        self.service_addrs[name]
    }

    /// Stops one service alone (its port closes), as when its process dies:
    /// for tests of what the rest does without it.
    pub async fn stop_service(&mut self, name: &str) -> anyhow::Result<()> {
        let (stop, task) = self.services.remove(name).with_context(|| format!("{name} is not running"))?;
        let _ = stop.send(true);
        task.await?
    }

    /// Stops the gateway and every service, letting in-flight requests finish.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        for t in self.tasks.into_iter().chain(self.services.into_values().map(|(_, t)| t)) {
            t.await??;
        }
        Ok(())
    }
}

/// The default data directory.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn the_data_directory_is_its_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("prm-data-{}", uuid::Uuid::new_v4()));
        super::SystemConfig::in_data_dir(&dir, "127.0.0.1:0".parse().unwrap(), 0).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        let key = std::fs::metadata(dir.join("internal.key")).unwrap().permissions().mode() & 0o777;
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!((mode, key), (0o700, 0o600), "password hashes and keys are not world-readable");
    }
}

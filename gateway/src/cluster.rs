//! The distributed system on one machine: every service binary
//! (`prm-account`, `prm-quote`, …) its own OS process on its own database,
//! and the gateway (`prm gateway`) its own process on Redis, each configured
//! only by environment variables, as in a container. `prm cluster` runs it;
//! tests start it to kill and restart single processes.
//!
//! Each service migrates its own database at start; the databases must
//! exist ([`create_databases`] makes them on a PostgreSQL server).

use std::{
    collections::BTreeMap,
    fs::File,
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use prm_kit::server::PrmService;
use sea_orm::{ConnectionTrait, Database};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::launcher::{PORT_ORDER, SERVICES};

/// How long a process may take to answer its health check after start.
const READY_TIMEOUT: Duration = Duration::from_secs(90);

/// What the system is started with.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// Where `prm` and the `prm-<service>` binaries are.
    pub bin_dir: PathBuf,
    /// Log files (`<name>.log`, appended) and, without SMTP, e-mail.
    pub data_dir: PathBuf,
    /// REST address of the gateway; port 0 picks a free one.
    pub listen: SocketAddr,
    /// First gRPC port (services in the order of [`PORT_ORDER`]); 0 picks free ports.
    pub grpc_port_base: u16,
    /// Database of each service, by name, and of the gateway (`gateway`);
    /// a service with a migration URL migrates as the owner and serves as
    /// the role of its URL. The gateway (no row-level security) uses the
    /// owner's.
    pub database_urls: BTreeMap<String, prm_kit::db::DatabaseUrls>,
    pub redis_url: String,
    pub internal_key: String,
    pub access_token_key: String,
    /// Further variables of every process (`RUST_LOG`, `OTEL_*`, limits).
    pub env: Vec<(String, String)>,
    /// Seed the demo data before the gateway starts, so its first answer
    /// already knows the demo people.
    pub demo: bool,
}

/// One child process and how to start it again.
struct Proc {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
}

impl Proc {
    fn spawn(&mut self) -> anyhow::Result<()> {
        let log = File::options().create(true).append(true).open(&self.log)?;
        let child = Command::new(&self.program)
            .args(&self.args)
            // Nothing but its own configuration, as in a container.
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", self.program.display()))?;
        self.child = Some(child);
        Ok(())
    }

    fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL, as a crash would.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM, then SIGKILL after `grace`.
    fn terminate(&mut self, grace: Duration) {
        let Some(mut c) = self.child.take() else { return };
        let _ = Command::new("kill").args(["-TERM", &c.id().to_string()]).status();
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = c.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = c.kill();
        let _ = c.wait();
    }

    /// Whether the process ended, with its status.
    fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.as_mut().and_then(|c| c.try_wait().ok().flatten())
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

/// The running system; every process is killed when it is dropped.
pub struct Cluster {
    /// REST address of the gateway.
    pub rest_addr: SocketAddr,
    /// gRPC address of each service, by name.
    pub service_addrs: BTreeMap<&'static str, SocketAddr>,
    procs: BTreeMap<String, Proc>,
    gateway_env: Vec<(String, String)>,
    bin_dir: PathBuf,
}

/// The services a service's code calls (its `DOWNSTREAM`,
/// `OPTIONAL_DOWNSTREAM` and `EVENTS_TO`); None for one unknown here, which
/// is then given every URL.
fn downstream_of(name: &str) -> Option<Vec<&'static str>> {
    fn of<S: PrmService>() -> Vec<&'static str> {
        S::DOWNSTREAM.iter().chain(S::OPTIONAL_DOWNSTREAM).chain(S::EVENTS_TO.as_ref()).copied().collect()
    }
    Some(match name {
        "account" => of::<prm_account::AccountService>(),
        "quote" => of::<prm_quote::QuoteService>(),
        "order" => of::<prm_order::OrderService>(),
        "project" => of::<prm_project::ProjectService>(),
        "lead" => of::<prm_lead::LeadService>(),
        "task" => of::<prm_task::TaskService>(),
        "case" => of::<prm_case::CaseService>(),
        "report" => of::<prm_report::ReportService>(),
        _ => return None,
    })
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn url_var(name: &str) -> String {
    format!("PRM_{}_URL", name.to_uppercase())
}

impl Cluster {
    /// Starts every service of [`SERVICES`] and the gateway, and waits until
    /// each answers its health check.
    pub async fn start(cfg: ClusterConfig) -> anyhow::Result<Cluster> {
        std::fs::create_dir_all(&cfg.data_dir).with_context(|| format!("creating {}", cfg.data_dir.display()))?;
        let mut service_addrs = BTreeMap::new();
        for name in SERVICES {
            let index = PORT_ORDER.iter().position(|s| s == name).expect("service listed in PORT_ORDER") as u16;
            let port = if cfg.grpc_port_base == 0 { free_port()? } else { cfg.grpc_port_base + index };
            service_addrs.insert(*name, SocketAddr::from(([127, 0, 0, 1], port)));
        }
        let rest_addr =
            if cfg.listen.port() == 0 { SocketAddr::new(cfg.listen.ip(), free_port()?) } else { cfg.listen };
        let url = |name: &str| format!("http://{}", service_addrs[name]);
        let db = |name: &str| {
            cfg.database_urls.get(name).cloned().with_context(|| format!("no database URL for the {name} service"))
        };
        let mail_dir = cfg.data_dir.join("mail");
        let common: Vec<(String, String)> = [("PRM_INTERNAL_KEY", cfg.internal_key.clone())]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .chain(cfg.env.iter().cloned())
            .collect();

        let mut procs = BTreeMap::new();
        for name in SERVICES {
            let mut env = common.clone();
            env.push(("PRM_LISTEN".into(), service_addrs[name].to_string()));
            let urls = db(name)?;
            env.push(("PRM_DATABASE_URL".into(), urls.url.clone()));
            if let Some(owner) = urls.migration_url {
                env.push(("PRM_DATABASE_MIGRATION_URL".into(), owner));
            }
            env.push(("PRM_MAIL_DIR".into(), mail_dir.display().to_string()));
            env.push(("PRM_PUBLIC_URL".into(), format!("http://{rest_addr}")));
            let downstream = downstream_of(name).unwrap_or_else(|| SERVICES.to_vec());
            for d in downstream.iter().filter(|d| service_addrs.contains_key(*d)) {
                env.push((url_var(d), url(d)));
            }
            let program = cfg.bin_dir.join(format!("prm-{name}"));
            let log = cfg.data_dir.join(format!("{name}.log"));
            procs.insert(name.to_string(), Proc { program, args: vec![], env, log, child: None });
        }
        let mut gateway_env = common.clone();
        gateway_env.push(("PRM_LISTEN".into(), rest_addr.to_string()));
        gateway_env.push(("PRM_DATABASE_URL".into(), db("gateway")?.owner().to_string()));
        gateway_env.push(("PRM_REDIS_URL".into(), cfg.redis_url.clone()));
        gateway_env.push(("PRM_ACCESS_TOKEN_KEY".into(), cfg.access_token_key.clone()));
        for name in SERVICES {
            gateway_env.push((url_var(name), url(name)));
        }
        procs.insert(
            "gateway".into(),
            Proc {
                program: cfg.bin_dir.join("prm"),
                args: vec!["gateway".into()],
                env: gateway_env.clone(),
                log: cfg.data_dir.join("gateway.log"),
                child: None,
            },
        );

        let mut cluster = Cluster { rest_addr, service_addrs, procs, gateway_env, bin_dir: cfg.bin_dir };
        // Services call each other lazily, so all start at once.
        for name in SERVICES {
            cluster.procs.get_mut(*name).expect("service process").spawn()?;
        }
        for name in SERVICES {
            cluster.wait_ready(name).await?;
        }
        if cfg.demo {
            cluster.seed_demo().await?;
        }
        cluster.procs.get_mut("gateway").expect("gateway process").spawn()?;
        cluster.wait_ready("gateway").await?;
        Ok(cluster)
    }

    /// Waits until `name` (a service or `gateway`) answers its health check.
    pub async fn wait_ready(&mut self, name: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            let ready = match self.service_addrs.get(name) {
                Some(addr) => grpc_health(*addr, "").await.is_ok(),
                None => http_health(self.rest_addr, "/healthz").await.is_ok(),
            };
            if ready {
                return Ok(());
            }
            let proc = self.procs.get_mut(name).with_context(|| format!("no process {name}"))?;
            if let Some(status) = proc.exited() {
                bail!("{name} exited with {status} before it was ready:\n{}", proc.log_tail());
            }
            if Instant::now() > deadline {
                bail!("{name} not ready after {READY_TIMEOUT:?}:\n{}", proc.log_tail());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Kills `name` with SIGKILL, as a crash would.
    pub fn kill(&mut self, name: &str) {
        if let Some(p) = self.procs.get_mut(name) {
            p.kill();
        }
    }

    /// Starts `name` again with the same configuration and waits until it is ready.
    pub async fn restart(&mut self, name: &str) -> anyhow::Result<()> {
        let proc = self.procs.get_mut(name).with_context(|| format!("no process {name}"))?;
        proc.kill();
        proc.spawn()?;
        self.wait_ready(name).await
    }

    /// Process id of `name`, while it runs.
    pub fn pid(&self, name: &str) -> Option<u32> {
        self.procs.get(name).and_then(Proc::pid)
    }

    /// The log of `name` so far.
    pub fn log(&self, name: &str) -> String {
        self.procs.get(name).map(|p| std::fs::read_to_string(&p.log).unwrap_or_default()).unwrap_or_default()
    }

    /// Names of the processes that ended on their own, with their status.
    pub fn exited(&mut self) -> Vec<(String, std::process::ExitStatus)> {
        self.procs.iter_mut().filter_map(|(n, p)| p.exited().map(|s| (n.clone(), s))).collect()
    }

    /// Seeds the demo data with `prm seed`, configured like the gateway,
    /// through the services (the gateway need not run).
    async fn seed_demo(&self) -> anyhow::Result<()> {
        let out = tokio::process::Command::new(self.bin_dir.join("prm"))
            .arg("seed")
            .env_clear()
            .envs(self.gateway_env.iter().map(|(k, v)| (k, v)))
            .output()
            .await
            .context("running prm seed")?;
        if !out.status.success() {
            bail!("prm seed failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    /// Stops every process with SIGTERM (gateway first), so each finishes
    /// what it is doing and flushes its traces.
    pub fn stop(&mut self) {
        if let Some(g) = self.procs.get_mut("gateway") {
            g.terminate(Duration::from_secs(10));
        }
        for p in self.procs.values_mut() {
            p.terminate(Duration::from_secs(10));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for p in self.procs.values_mut() {
            p.kill();
        }
    }
}

/// Creates each database of `urls` that does not exist yet, connecting to
/// the server through its `postgres` database as the owner. SQLite files
/// create themselves.
pub async fn create_databases(urls: &BTreeMap<String, prm_kit::db::DatabaseUrls>) -> anyhow::Result<()> {
    for url in urls.values().map(|u| u.owner()).filter(|u| u.starts_with("postgres")) {
        let (server, name) = url.rsplit_once('/').with_context(|| format!("no database name in {url}"))?;
        let name = name.split('?').next().unwrap_or(name);
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            bail!("database name `{name}`: letters, digits and _ only");
        }
        let admin = Database::connect(format!("{server}/postgres"))
            .await
            .with_context(|| format!("connecting to {}/postgres", prm_kit::db::redact(server)))?;
        let exists = admin
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT 1 FROM pg_database WHERE datname = $1",
                [name.into()],
            ))
            .await?
            .is_some();
        if !exists {
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
            tracing::info!(database = name, "created");
        }
        admin.close().await?;
    }
    Ok(())
}

/// `grpc.health.v1.Health/Check` of `service` ("" for the whole server);
/// Ok when SERVING.
pub async fn grpc_health(addr: SocketAddr, service: &str) -> anyhow::Result<()> {
    use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient};
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))?
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(3))
        .connect()
        .await?;
    let status =
        HealthClient::new(channel).check(HealthCheckRequest { service: service.into() }).await?.into_inner().status();
    if status != ServingStatus::Serving {
        bail!("{addr} is {status:?}");
    }
    Ok(())
}

/// GET `path` over HTTP/1.0; Ok on a 2xx answer.
pub async fn http_health(addr: SocketAddr, path: &str) -> anyhow::Result<()> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream.write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes()).await?;
        let mut head = vec![0u8; 64];
        let n = stream.read(&mut head).await?;
        anyhow::Ok(String::from_utf8_lossy(&head[..n]).into_owned())
    };
    let head = tokio::time::timeout(Duration::from_secs(3), exchange).await.context("timed out")??;
    let ok = head.split_whitespace().nth(1).is_some_and(|code| code.starts_with('2'));
    if !ok {
        bail!("{addr}{path} answered {:?}", head.lines().next().unwrap_or(""));
    }
    Ok(())
}

/// The directory of the running executable (where cargo puts every binary).
pub fn own_bin_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    Ok(exe.parent().map(Path::to_path_buf).unwrap_or_default())
}

//! `prm`: run the whole system on one machine (in one process, or each part
//! its own process), run the gateway alone, seed demo data, probe health,
//! or mint an ops token.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Parser, Subcommand};
use prm_gateway::{demo, launcher};
use prm_kit::{Caller, Role, auth::InternalKey};

#[derive(Parser)]
#[command(name = "prm", about = "Partner relationship management portal")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the gateway and every service in one process, on SQLite files.
    Up {
        /// Seed demo partners, users (password `demo-password`) and records.
        #[arg(long)]
        demo: bool,
        /// Where the SQLite files and generated keys live.
        #[arg(long, env = "PRM_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
        /// REST address of the gateway.
        #[arg(long, env = "PRM_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// First loopback gRPC port: account, lead, project, quote, order, task, case, report follow in that order.
        #[arg(long, env = "PRM_GRPC_PORT_BASE", default_value_t = 50051)]
        grpc_port_base: u16,
    },
    /// Run the gateway alone, in front of services running elsewhere.
    Gateway(Box<GatewayArgs>),
    /// Start every service binary as its own process on its own PostgreSQL
    /// database, and the gateway as another on Redis, each configured only by
    /// environment; stop them all with Ctrl-C.
    Cluster(Box<ClusterArgs>),
    /// Seed the demo partners, users (password `demo-password`) and records
    /// through running services; configured like `prm gateway`. Seeding twice
    /// changes nothing.
    Seed(Box<GatewayArgs>),
    /// Exit 0 when a service answers `grpc.health.v1` SERVING, or the gateway
    /// answers its health endpoint (container health checks).
    Probe {
        #[arg(value_enum)]
        protocol: ProbeProtocol,
        /// host:port
        addr: SocketAddr,
        /// gRPC: the service name to check ("" is the whole server).
        #[arg(long, default_value = "")]
        service: String,
        /// HTTP: the path to GET.
        #[arg(long, default_value = "/healthz")]
        path: String,
    },
    /// Print the REST API's OpenAPI document (the web portal's client is generated from it).
    Openapi,
    /// Print an internal token for calling services with grpcurl.
    Token {
        /// `ops` (everything), or a role of DOMAIN.md.
        #[arg(long, default_value = "ops")]
        role: String,
        /// Partner of a partner role.
        #[arg(long)]
        partner_id: Option<uuid::Uuid>,
        /// Acting user; a fresh id when not given.
        #[arg(long)]
        user_id: Option<uuid::Uuid>,
        /// For `account_manager`: a partner assigned to them (repeatable).
        #[arg(long = "assigned-partner")]
        assigned_partners: Vec<uuid::Uuid>,
        #[arg(long, env = "PRM_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ProbeProtocol {
    Grpc,
    Http,
}

/// `prm cluster`: where the processes find their binaries, databases and Redis.
#[derive(clap::Args)]
struct ClusterArgs {
    /// Seed the demo data once the services are up, before the gateway serves.
    #[arg(long)]
    demo: bool,
    /// Logs (`<process>.log`), generated keys and e-mail files.
    #[arg(long, env = "PRM_DATA_DIR", default_value = "data/cluster")]
    data_dir: PathBuf,
    /// REST address of the gateway.
    #[arg(long, env = "PRM_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// First gRPC port: account, lead, project, quote, order, task, case, report follow in that order.
    #[arg(long, env = "PRM_GRPC_PORT_BASE", default_value_t = 50051)]
    grpc_port_base: u16,
    /// PostgreSQL server; each service gets the database `<prefix>_<service>`, created when missing.
    #[arg(long, env = "PRM_CLUSTER_POSTGRES_URL", default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres_url: String,
    #[arg(long, env = "PRM_CLUSTER_DATABASE_PREFIX", default_value = "prm")]
    database_prefix: String,
    /// The role the services serve as: the user of `--postgres-url` owns the
    /// databases and runs the migrations, this one owns nothing and is
    /// subject to row-level security. Created (without a password) when
    /// missing, for a server that trusts local connections; `-` serves as
    /// the owner.
    #[arg(long, env = "PRM_CLUSTER_SERVING_ROLE", default_value = "prm_serving")]
    serving_role: String,
    /// The gateway's Redis.
    #[arg(long, env = "PRM_REDIS_URL", default_value = "redis://127.0.0.1:6379")]
    redis_url: String,
    /// Where `prm-<service>` binaries are; by default beside this `prm`.
    #[arg(long)]
    bin_dir: Option<PathBuf>,
}

async fn run_cluster(a: ClusterArgs) -> anyhow::Result<()> {
    use prm_gateway::cluster;
    let _telemetry = prm_kit::telemetry::init("prm-cluster", prm_kit::telemetry::LogFormat::Text);
    std::fs::create_dir_all(&a.data_dir)?;
    let key = |var: &str, file: &str| -> anyhow::Result<String> {
        Ok(String::from_utf8(launcher::key_from_env_or_file(var, &a.data_dir.join(file))?)?)
    };
    let server = a.postgres_url.trim_end_matches('/');
    let serving = (a.serving_role != "-").then_some(a.serving_role.as_str());
    if let Some(role) = serving {
        prm_kit::db::ensure_serving_role(&format!("{server}/postgres"), role).await?;
    }
    let database_urls = launcher::SERVICES
        .iter()
        .copied()
        .chain(["gateway"])
        .map(|name| {
            let owner = format!("{server}/{}_{name}", a.database_prefix);
            let urls = match serving {
                Some(role) => {
                    prm_kit::db::DatabaseUrls { url: prm_kit::db::with_user(&owner, role), migration_url: Some(owner) }
                }
                None => owner.into(),
            };
            (name.to_string(), urls)
        })
        .collect();
    cluster::create_databases(&database_urls).await?;
    // What every process inherits from this one: log level and OpenTelemetry settings.
    let env = std::env::vars().filter(|(k, _)| k == "RUST_LOG" || k.starts_with("OTEL_")).collect();
    let mut system = cluster::Cluster::start(cluster::ClusterConfig {
        bin_dir: match a.bin_dir {
            Some(dir) => dir,
            None => cluster::own_bin_dir()?,
        },
        data_dir: a.data_dir.clone(),
        listen: a.listen,
        grpc_port_base: a.grpc_port_base,
        database_urls,
        redis_url: a.redis_url,
        internal_key: key("PRM_INTERNAL_KEY", "internal.key")?,
        access_token_key: key("PRM_ACCESS_TOKEN_KEY", "access-token.key")?,
        env,
        demo: a.demo,
    })
    .await?;
    println!("prm cluster is up: REST on http://{}", system.rest_addr);
    for (name, addr) in &system.service_addrs {
        println!("  prm-{name} (pid {}): gRPC on {addr}", system.pid(name).unwrap_or_default());
    }
    println!("  logs in {0}; an ops token: prm token --data-dir {0}", a.data_dir.display());
    prm_kit::server::shutdown_signal().await;
    system.stop();
    Ok(())
}

/// The gateway's configuration, every setting a `PRM_*` variable.
#[derive(clap::Args)]
struct GatewayArgs {
    /// REST address.
    #[arg(long, env = "PRM_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The identity store: `postgres://…` or `sqlite://…`.
    #[arg(long, env = "PRM_DATABASE_URL")]
    database_url: String,
    /// Redis for rate limits, refresh tokens and idempotency keys; memory when unset.
    #[arg(long, env = "PRM_REDIS_URL")]
    redis_url: Option<String>,
    /// Signs the internal tokens the services verify.
    #[arg(long, env = "PRM_INTERNAL_KEY", hide_env_values = true)]
    internal_key: String,
    /// Lifetime of the internal tokens, in seconds (renewed at half of it).
    #[arg(long, env = "PRM_INTERNAL_TOKEN_TTL_SECS", default_value_t = 60)]
    internal_token_ttl_secs: u64,
    /// Signs people's access tokens (at least 32 bytes).
    #[arg(long, env = "PRM_ACCESS_TOKEN_KEY", hide_env_values = true)]
    access_token_key: String,
    /// gRPC address of the account service, e.g. `http://account:50051`.
    #[arg(long, env = "PRM_ACCOUNT_URL")]
    account_url: String,
    /// gRPC address of the lead service, e.g. `http://lead:50052`.
    #[arg(long, env = "PRM_LEAD_URL")]
    lead_url: String,
    /// gRPC address of the quote service, e.g. `http://quote:50054`.
    #[arg(long, env = "PRM_QUOTE_URL")]
    quote_url: String,
    /// gRPC address of the order service, e.g. `http://order:50055`.
    #[arg(long, env = "PRM_ORDER_URL")]
    order_url: String,
    /// gRPC address of the project service, e.g. `http://project:50053`.
    #[arg(long, env = "PRM_PROJECT_URL")]
    project_url: String,
    /// gRPC address of the task service, e.g. `http://task:50056`.
    #[arg(long, env = "PRM_TASK_URL")]
    task_url: String,
    /// gRPC address of the case service, e.g. `http://case:50057`.
    #[arg(long, env = "PRM_CASE_URL")]
    case_url: String,
    /// gRPC address of the report service, e.g. `http://report:50058`.
    #[arg(long, env = "PRM_REPORT_URL")]
    report_url: String,
    /// Requests per minute of one signed-in user.
    #[arg(long, env = "PRM_RATE_LIMIT_PER_USER", default_value_t = 600)]
    rate_limit_per_user: u32,
    /// Requests per minute of one anonymous client address.
    #[arg(long, env = "PRM_RATE_LIMIT_PER_IP", default_value_t = 120)]
    rate_limit_per_ip: u32,
    /// Sign-in attempts per account (e-mail address) in 15 minutes, from any address.
    #[arg(long, env = "PRM_SIGN_IN_PER_ACCOUNT", default_value_t = 10)]
    sign_in_per_account: u32,
    /// How long a session lives after its sign-in, however often it is refreshed, in seconds.
    #[arg(long, env = "PRM_SESSION_MAX_AGE_SECS", default_value_t = 7 * 24 * 3600)]
    session_max_age_secs: u64,
    /// Take client addresses from X-Forwarded-For (only behind a trusted proxy).
    #[arg(long, env = "PRM_TRUST_FORWARDED")]
    trust_forwarded: bool,
    #[arg(long, env = "PRM_LOG_FORMAT", default_value = "text")]
    log_format: prm_kit::telemetry::LogFormat,
}

async fn run_gateway(a: GatewayArgs) -> anyhow::Result<()> {
    let _telemetry = prm_kit::telemetry::init("prm-gateway", a.log_format);
    let listen = a.listen;
    let (router, _state) = prm_gateway::app::build(gateway_settings(a)?).await?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(addr = %listen, "gateway serving REST");
    prm_gateway::app::serve(listener, router, prm_kit::server::shutdown_signal()).await?;
    Ok(())
}

/// `prm seed`: the demo data, through the stores and services the gateway uses.
async fn run_seed(a: GatewayArgs) -> anyhow::Result<()> {
    let _telemetry = prm_kit::telemetry::init("prm-seed", a.log_format);
    let (_router, state) = prm_gateway::app::build(gateway_settings(a)?).await?;
    demo::seed(&state).await?;
    println!("demo data seeded (password `{}`)", demo::DEMO_PASSWORD);
    Ok(())
}

/// The gateway's settings; keys that are short or the examples' placeholders refuse to start.
fn gateway_settings(a: GatewayArgs) -> anyhow::Result<prm_gateway::app::GatewaySettings> {
    prm_kit::auth::check_key("PRM_INTERNAL_KEY", &a.internal_key)?;
    prm_kit::auth::check_key("PRM_ACCESS_TOKEN_KEY", &a.access_token_key)?;
    Ok(prm_gateway::app::GatewaySettings {
        database_url: a.database_url,
        redis_url: a.redis_url.filter(|u| !u.is_empty()),
        internal_key: InternalKey::new(a.internal_key.as_bytes())
            .with_token_ttl(Duration::from_secs(a.internal_token_ttl_secs)),
        access_token_key: a.access_token_key.into_bytes(),
        service_urls: [
            ("account", a.account_url),
            ("lead", a.lead_url),
            ("quote", a.quote_url),
            ("order", a.order_url),
            ("project", a.project_url),
            ("task", a.task_url),
            ("case", a.case_url),
            ("report", a.report_url),
        ]
        .into_iter()
        .collect(),
        rate_limit: prm_gateway::ratelimit::RateLimitConfig {
            per_user: a.rate_limit_per_user,
            per_ip: a.rate_limit_per_ip,
            sign_in_per_account: a.sign_in_per_account,
            trust_forwarded: a.trust_forwarded,
            ..Default::default()
        },
        session_max_age: Duration::from_secs(a.session_max_age_secs),
        web: prm_gateway::web::Assets::from_env(),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Up { demo: seed_demo, data_dir, listen, grpc_port_base } => {
            let _telemetry = prm_kit::telemetry::init("prm", prm_kit::telemetry::LogFormat::Text);
            let cfg = launcher::SystemConfig::in_data_dir(&data_dir, listen, grpc_port_base)?;
            let system = if seed_demo { launcher::start_demo(cfg).await? } else { launcher::start(cfg).await? };
            println!("prm is up: REST on http://{}", system.rest_addr);
            for (name, addr) in &system.service_addrs {
                println!("  {name} service: gRPC on {addr}");
            }
            if seed_demo {
                println!(
                    "demo logins: alice@acme.example, bob@acme.example, carol@borealis.example, maria@vendor.example, sam@vendor.example, victor@vendor.example — password `{}`",
                    demo::DEMO_PASSWORD
                );
            }
            prm_kit::server::shutdown_signal().await;
            system.shutdown().await
        }
        Command::Openapi => {
            println!("{}", serde_json::to_string_pretty(&prm_gateway::openapi::document())?);
            Ok(())
        }
        Command::Gateway(args) => run_gateway(*args).await,
        Command::Cluster(args) => run_cluster(*args).await,
        Command::Seed(args) => run_seed(*args).await,
        Command::Probe { protocol, addr, service, path } => {
            let result = match protocol {
                ProbeProtocol::Grpc => prm_gateway::cluster::grpc_health(addr, &service).await,
                ProbeProtocol::Http => prm_gateway::cluster::http_health(addr, &path).await,
            };
            if let Err(e) = result {
                eprintln!("unhealthy: {e:#}");
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Token { role, partner_id, user_id, assigned_partners, data_dir, ttl } => {
            let role: Role = role.parse().map_err(|e: String| anyhow::anyhow!(e))?;
            if role.is_partner_role() && partner_id.is_none() {
                anyhow::bail!("--partner-id is required for {role}");
            }
            if !assigned_partners.is_empty() && role != Role::AccountManager {
                anyhow::bail!("--assigned-partner is for account_manager tokens only");
            }
            let key = launcher::key_from_env_or_file("PRM_INTERNAL_KEY", &data_dir.join("internal.key"))?;
            let caller = Caller {
                user_id: user_id.unwrap_or_else(uuid::Uuid::now_v7),
                partner_id,
                role,
                assigned_partners,
                partner_tier: None,
            };
            println!("{}", InternalKey::new(&key).sign(&caller, Duration::from_secs(ttl))?);
            Ok(())
        }
    }
}

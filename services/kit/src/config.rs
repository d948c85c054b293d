//! Configuration shared by every service binary: each setting is a `PRM_*`
//! environment variable with a matching flag.

use std::{net::SocketAddr, time::Duration};

use crate::telemetry::LogFormat;

#[derive(clap::Args, Debug, Clone)]
pub struct ServiceConfig {
    /// Address the gRPC server listens on.
    #[arg(long, env = "PRM_LISTEN", default_value = "127.0.0.1:50051")]
    pub listen: SocketAddr,

    /// Database of this service: `postgres://…` or `sqlite://path.db`.
    #[arg(long, env = "PRM_DATABASE_URL")]
    pub database_url: String,

    /// The same database as its owner, for the migrations at start (on
    /// PostgreSQL): the serving role of `PRM_DATABASE_URL` then owns nothing
    /// and is granted the use of the tables, so it cannot turn row-level
    /// security off. Unset, migrations run with `PRM_DATABASE_URL`.
    #[arg(long, env = "PRM_DATABASE_MIGRATION_URL", hide_env_values = true)]
    pub database_migration_url: Option<String>,

    /// Shared key that verifies the gateway's internal tokens.
    #[arg(long, env = "PRM_INTERNAL_KEY", hide_env_values = true)]
    pub internal_key: String,

    /// Lifetime of the internal tokens this service signs for its own calls
    /// (outbox relays, calls to other services), in seconds; they are renewed
    /// at half of it.
    #[arg(long, env = "PRM_INTERNAL_TOKEN_TTL_SECS", default_value_t = 60)]
    pub internal_token_ttl_secs: u64,

    #[command(flatten)]
    pub server: ServerLimits,

    #[command(flatten)]
    pub mail: crate::mail::MailSettings,

    /// Log format: `text` for people, `json` for collectors.
    #[arg(long, env = "PRM_LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,
}

/// The tower limits every gRPC server runs with.
#[derive(clap::Args, Debug, Clone)]
pub struct ServerLimits {
    /// Deadline for one RPC, in milliseconds, when the client sets none shorter.
    #[arg(long, env = "PRM_REQUEST_TIMEOUT_MS", default_value_t = 10_000)]
    pub request_timeout_ms: u64,

    /// RPCs served at once; beyond it, calls are shed with UNAVAILABLE.
    #[arg(long, env = "PRM_CONCURRENCY_LIMIT", default_value_t = 512)]
    pub concurrency_limit: usize,

    /// Longest wait between two delivery attempts of an outbox event, in
    /// milliseconds; the wait doubles from 250 ms after each failure.
    #[arg(long, env = "PRM_RELAY_MAX_BACKOFF_MS", default_value_t = 60_000)]
    pub relay_max_backoff_ms: u64,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits { request_timeout_ms: 10_000, concurrency_limit: 512, relay_max_backoff_ms: 60_000 }
    }
}

impl ServerLimits {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    /// How the outbox relay of a publishing service paces itself.
    pub fn relay(&self) -> crate::outbox::RelayConfig {
        crate::outbox::RelayConfig {
            batch: 100,
            poll_interval: Duration::from_millis(250),
            lease: Duration::from_secs(30),
            base_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_millis(self.relay_max_backoff_ms),
        }
    }
}

//! Database connection from a URL, and the service's own migrations at start.

use std::time::Duration;

use anyhow::Context;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

/// Connects to `postgres://…` or `sqlite://…` (a SQLite file is created with
/// its directory if missing).
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let url = sqlite_rwc(url)?;
    let mut opts = ConnectOptions::new(url.clone());
    opts.sqlx_logging(false).connect_timeout(Duration::from_secs(10)).acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        // SQLite allows one writer at a time; a small pool avoids lock storms.
        opts.max_connections(4).min_connections(1);
    } else {
        opts.max_connections(max_connections()?).min_connections(1);
    }
    let db = Database::connect(opts).await.with_context(|| format!("connecting to {}", redact(&url)))?;
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;").await?;
    }
    Ok(db)
}

/// Connections of one process's PostgreSQL pool: `PRM_DATABASE_MAX_CONNECTIONS`,
/// 16 by default. Every replica of every service holds up to this many, so
/// their sum must stay under the server's `max_connections` (100 by default):
/// eight services of 16 on one server already exceed it.
pub fn max_connections() -> anyhow::Result<u32> {
    match std::env::var("PRM_DATABASE_MAX_CONNECTIONS") {
        Err(_) => Ok(16),
        Ok(v) => match v.trim().parse::<u32>() {
            Ok(n) if (1..=1000).contains(&n) => Ok(n),
            _ => anyhow::bail!("PRM_DATABASE_MAX_CONNECTIONS must be a whole number from 1 to 1000, not `{v}`"),
        },
    }
}

/// Connects and brings the schema up to date with `M`.
pub async fn connect_and_migrate<M: MigratorTrait>(url: &str) -> anyhow::Result<DatabaseConnection> {
    let db = connect(url).await?;
    M::up(&db, None).await.context("running migrations")?;
    Ok(db)
}

/// Begins a transaction that will write. On SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`), so concurrent writers wait their turn
/// (busy timeout) instead of failing when a read lock cannot be upgraded;
/// PostgreSQL ignores the mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

fn sqlite_rwc(url: &str) -> anyhow::Result<String> {
    let Some(path) = url.strip_prefix("sqlite://") else {
        return Ok(url.to_string());
    };
    let file = path.split('?').next().unwrap_or(path);
    if let Some(dir) = std::path::Path::new(file).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    Ok(if path.contains("mode=") {
        url.to_string()
    } else if path.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// The URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:pw@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn sqlite_files_are_created_on_demand() {
        assert_eq!(sqlite_rwc("sqlite://a.db").unwrap(), "sqlite://a.db?mode=rwc");
        assert_eq!(sqlite_rwc("sqlite::memory:").unwrap(), "sqlite::memory:");
    }
}

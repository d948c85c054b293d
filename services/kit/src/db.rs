//! Database connection from a URL, the service's own migrations at start,
//! and the caller's scope handed to PostgreSQL's row-level security.
//!
//! On PostgreSQL every tenant table of a service has policies (see
//! [`crate::row_security`]) that read two settings of the session:
//! `prm.all` (`on` for the system and vendor-wide callers) and
//! `prm.partners` (the partners the caller sees). Every checkout of a
//! pooled connection sets both from the task's [`Scope`] before any
//! statement runs, so a connection never carries one caller's scope into
//! another's work; a task with no scope sees no tenant row at all.

use std::{future::Future, time::Duration};

use anyhow::Context;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait, sqlx,
};
use sea_orm_migration::MigratorTrait;

use crate::scope::Scope;

tokio::task_local! {
    /// The scope of the call the current task serves; see [`with_scope`].
    static ROW_SCOPE: Scope;
}

/// Runs `f` with `scope` as the row-level security scope of every database
/// statement it makes (on this task).
pub async fn with_scope<F: Future>(scope: Scope, f: F) -> F::Output {
    scoped(scope, f).await
}

/// `f` with `scope` as its row-level security scope, as a named future.
pub fn scoped<F: Future>(scope: Scope, f: F) -> tokio::task::futures::TaskLocalFuture<Scope, F> {
    ROW_SCOPE.scope(scope, f)
}

/// Runs `f` as the system, which sees every tenant row: migrations,
/// background passes, and the few writes that hand a record out of the
/// caller's own scope (a rejected lead going back to the vendor's pool).
pub async fn as_system<F: Future>(f: F) -> F::Output {
    with_scope(Scope::All, f).await
}

/// The scope of the current task; nothing when none was set.
pub fn current_scope() -> Scope {
    ROW_SCOPE.try_with(Clone::clone).unwrap_or(Scope::Partners(vec![]))
}

/// The two session settings the policies read, for `scope`.
fn scope_settings(scope: &Scope) -> (&'static str, String) {
    match scope {
        Scope::All => ("on", String::new()),
        Scope::Partners(ps) => {
            ("off", format!("{{{}}}", ps.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",")))
        }
    }
}

/// Sets the current task's scope on a PostgreSQL connection. It is one round
/// trip, and it replaces the liveness ping sqlx would send on checkout.
fn set_scope(conn: &mut sqlx::PgConnection) -> futures::future::BoxFuture<'_, Result<(), sqlx::Error>> {
    let (all, partners) = scope_settings(&current_scope());
    Box::pin(async move {
        sqlx::query("SELECT set_config('prm.all', $1, false), set_config('prm.partners', $2, false)")
            .bind(all)
            .bind(partners)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

/// A service's database: the URL it serves with and, on PostgreSQL, the
/// owner's URL its migrations run with (`PRM_DATABASE_MIGRATION_URL`), so
/// the serving role owns nothing and cannot turn row-level security off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrls {
    pub url: String,
    pub migration_url: Option<String>,
}

impl From<&str> for DatabaseUrls {
    fn from(url: &str) -> Self {
        DatabaseUrls { url: url.to_string(), migration_url: None }
    }
}

impl From<String> for DatabaseUrls {
    fn from(url: String) -> Self {
        DatabaseUrls { url, migration_url: None }
    }
}

impl From<&String> for DatabaseUrls {
    fn from(url: &String) -> Self {
        url.as_str().into()
    }
}

impl DatabaseUrls {
    /// The URL that owns the schema: the migration URL when there is one.
    pub fn owner(&self) -> &str {
        self.migration_url.as_deref().unwrap_or(&self.url)
    }
}

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
        opts.max_connections(max_connections()?).min_connections(1).test_before_acquire(false);
        // A new connection and every checkout of an idle one take the scope
        // of the task that asks for it.
        opts.map_sqlx_postgres_pool_opts(|pool| {
            pool.test_before_acquire(false).after_connect(|conn, _| set_scope(conn)).before_acquire(|conn, _| {
                let set = set_scope(conn);
                Box::pin(async move { set.await.map(|()| true) })
            })
        });
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

/// Connects and brings the schema up to date with `M`. With a migration
/// URL the migrations run as the owner, who then grants the serving role
/// the use of every table (and nothing more); migrations run as the system.
pub async fn connect_and_migrate<M: MigratorTrait>(urls: &DatabaseUrls) -> anyhow::Result<DatabaseConnection> {
    let db = connect(&urls.url).await?;
    match &urls.migration_url {
        None => as_system(M::up(&db, None)).await.context("running migrations")?,
        Some(owner_url) => {
            let owner = connect(owner_url).await.context("the migration URL")?;
            as_system(M::up(&owner, None)).await.context("running migrations")?;
            if owner.get_database_backend() == DbBackend::Postgres {
                let role = current_user(&db).await?;
                if role != current_user(&owner).await? {
                    let role = quote_ident(&role);
                    owner
                        .execute_unprepared(&format!(
                            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}; \
                             GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}"
                        ))
                        .await
                        .context("granting the serving role its tables")?;
                }
            }
            owner.close().await?;
        }
    }
    Ok(db)
}

async fn current_user(db: &DatabaseConnection) -> anyhow::Result<String> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, "SELECT current_user::text AS name"))
        .await?
        .context("no current_user")?;
    Ok(row.try_get::<String>("", "name")?)
}

/// A PostgreSQL identifier, quoted.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates the login role `role` on the PostgreSQL server of `admin_url` if
/// it does not exist: not a superuser, owning nothing, subject to row-level
/// security. For `prm cluster` and the tests, on a server that trusts local
/// connections; a deployment creates its role with a password instead.
pub async fn ensure_serving_role(admin_url: &str, role: &str) -> anyhow::Result<()> {
    let admin = Database::connect(admin_url).await.with_context(|| format!("connecting to {}", redact(admin_url)))?;
    if !role_exists(&admin, role).await? {
        let created = admin
            .execute_unprepared(&format!(
                "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
                quote_ident(role)
            ))
            .await;
        // Another process may have created it at the same moment.
        if let Err(e) = created
            && !role_exists(&admin, role).await?
        {
            return Err(e).context("creating the serving role");
        }
    }
    admin.close().await?;
    Ok(())
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

/// `url` connecting as `user` (without a password: for a server that trusts
/// local connections).
pub fn with_user(url: &str, user: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let host = match rest[..authority_end].rfind('@') {
                Some(at) => &rest[at + 1..],
                None => rest,
            };
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_string(),
    }
}

async fn role_exists(admin: &DatabaseConnection, role: &str) -> Result<bool, DbErr> {
    let stmt =
        Statement::from_sql_and_values(DbBackend::Postgres, "SELECT 1 FROM pg_roles WHERE rolname = $1", [role.into()]);
    Ok(admin.query_one_raw(stmt).await?.is_some())
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
    fn urls_take_another_user() {
        assert_eq!(with_user("postgres://postgres@127.0.0.1:5432/db", "app"), "postgres://app@127.0.0.1:5432/db");
        assert_eq!(with_user("postgres://u:pw@h/db?x=1", "app"), "postgres://app@h/db?x=1");
        assert_eq!(with_user("postgres://h/db", "app"), "postgres://app@h/db");
    }

    #[test]
    fn scopes_become_settings() {
        let p = uuid::Uuid::nil();
        assert_eq!(scope_settings(&Scope::All), ("on", String::new()));
        assert_eq!(scope_settings(&Scope::Partners(vec![])), ("off", "{}".to_string()));
        assert_eq!(scope_settings(&Scope::Partners(vec![p, p])), ("off", format!("{{{p},{p}}}")));
    }

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

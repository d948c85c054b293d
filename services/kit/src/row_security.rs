//! PostgreSQL row-level security: the second wall behind the services' own
//! scoping ([`crate::scope`]). Every tenant table has `ENABLE` and `FORCE ROW
//! LEVEL SECURITY` and one policy, `prm_scope`, for reads and writes alike:
//! a row is there for a statement only when its partner is in the scope of
//! the call that runs it ([`crate::db`] sets that scope on every connection
//! checkout, from the [`RowScopeLayer`] around every call). A query that
//! forgets its partner condition still returns no other partner's rows, and
//! a write of a row for another partner fails.
//!
//! SQLite has no row-level security: there the services' scoping is the
//! only wall.

use std::task::{Context, Poll};

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager, async_trait};

use crate::{Caller, auth::InternalKey, scope::Scope};

/// How one table's rows are tied to a partner.
#[derive(Debug, Clone, Copy)]
pub enum Guard {
    /// The row's `partner_id` column.
    Partner(&'static str),
    /// A row of a partner, or a vendor-wide row with no partner (a report of
    /// vendor staff), which every caller may read.
    PartnerOrVendor(&'static str),
    /// A row of a parent row: visible exactly when its parent is
    /// (`table.column` names the parent's `id`).
    Child { table: &'static str, column: &'static str, parent: &'static str },
}

impl Guard {
    fn table(&self) -> &'static str {
        match self {
            Guard::Partner(t) | Guard::PartnerOrVendor(t) | Guard::Child { table: t, .. } => t,
        }
    }

    fn condition(&self) -> String {
        match self {
            Guard::Partner(_) => IN_SCOPE.into(),
            Guard::PartnerOrVendor(_) => format!("partner_id IS NULL OR {IN_SCOPE}"),
            Guard::Child { table, column, parent } => {
                format!("EXISTS (SELECT 1 FROM {parent} p WHERE p.id = {table}.{column})")
            }
        }
    }
}

/// The tables of the kit's record features and search, guarded in every
/// service database that has them.
const KIT_TABLES: &[&str] =
    &["record_notes", "record_attachments", "record_field_changes", "record_followers", "search_documents"];

/// The scope's settings as SQL functions: `prm.all` is `on` for callers
/// who see every partner, `prm.partners` the array of partners a caller
/// sees; unset (a connection nobody scoped) means nothing. `prm_in_scope`
/// is the same test for one partner, for people at a SQL prompt.
const SCOPE_FUNCTIONS: &str = "
    CREATE OR REPLACE FUNCTION prm_scope_all() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
      SELECT coalesce(current_setting('prm.all', true) = 'on', false) $$;
    CREATE OR REPLACE FUNCTION prm_scope_partners() RETURNS uuid[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
      SELECT coalesce(nullif(current_setting('prm.partners', true), ''), '{}')::uuid[] $$;
    CREATE OR REPLACE FUNCTION prm_in_scope(partner uuid) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
      SELECT prm_scope_all() OR partner = ANY (prm_scope_partners()) $$";

/// A row's partner in the scope. The settings are read in uncorrelated
/// sub-selects, which PostgreSQL evaluates once per statement; called per
/// row, the array's parse made a 50-row page 3.5 times as slow.
const IN_SCOPE: &str = "(SELECT prm_scope_all()) OR partner_id = ANY (CAST((SELECT prm_scope_partners()) AS uuid[]))";

/// Turns row-level security on for one table, for a kit table created after
/// a service's [`RowSecurityMigration`] ran; nothing on SQLite.
pub async fn guard<C: ConnectionTrait>(db: &C, g: Guard) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    db.execute_unprepared(SCOPE_FUNCTIONS).await?;
    guard_one(db, g).await
}

async fn guard_one<C: ConnectionTrait>(db: &C, g: Guard) -> Result<(), DbErr> {
    let (t, cond) = (g.table(), g.condition());
    db.execute_unprepared(&format!(
        "ALTER TABLE {t} ENABLE ROW LEVEL SECURITY; ALTER TABLE {t} FORCE ROW LEVEL SECURITY; \
         DROP POLICY IF EXISTS prm_scope ON {t}; \
         CREATE POLICY prm_scope ON {t} USING ({cond}) WITH CHECK ({cond})"
    ))
    .await?;
    Ok(())
}

/// A service's migration that turns row-level security on for `tables` and
/// for the kit's tables present in its database; nothing on SQLite.
pub struct RowSecurityMigration {
    pub name: &'static str,
    pub tables: &'static [Guard],
}

impl MigrationName for RowSecurityMigration {
    fn name(&self) -> &str {
        self.name
    }
}

#[async_trait::async_trait]
impl MigrationTrait for RowSecurityMigration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(SCOPE_FUNCTIONS).await?;
        let mut guards = self.tables.to_vec();
        for table in KIT_TABLES {
            if m.has_table(*table).await? {
                guards.push(Guard::Partner(table));
            }
        }
        for g in guards {
            guard_one(db, g).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let mut tables: Vec<&str> = self.tables.iter().map(Guard::table).collect();
        tables.extend(KIT_TABLES);
        for t in tables {
            if m.has_table(t).await? {
                db.execute_unprepared(&format!(
                    "DROP POLICY IF EXISTS prm_scope ON {t}; ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY; \
                     ALTER TABLE {t} DISABLE ROW LEVEL SECURITY"
                ))
                .await?;
            }
        }
        Ok(())
    }
}

/// The tables of the connected database that hold a `partner_id` and have no
/// forced row-level security with a policy: empty when every tenant table is
/// guarded (a check for tests and operators).
pub async fn unguarded_tables<C: ConnectionTrait>(db: &C) -> Result<Vec<String>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.relname::text AS name FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
              WHERE c.relkind = 'r'
                AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'partner_id')
                AND NOT (c.relrowsecurity AND c.relforcerowsecurity
                         AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
              ORDER BY 1",
        ))
        .await?;
    rows.iter().map(|r| r.try_get::<String>("", "name")).collect()
}

/// Around every call of a service: the verified caller's row scope for the
/// statements the call makes, and the caller itself for the
/// [`crate::auth::AuthInterceptor`], so a token is verified once per call.
/// A call without a valid token runs with no scope (and is refused by the
/// interceptor).
#[derive(Clone)]
pub struct RowScopeLayer {
    key: InternalKey,
    scope_of: fn(&Caller) -> Scope,
}

impl RowScopeLayer {
    pub fn new(key: InternalKey, scope_of: fn(&Caller) -> Scope) -> Self {
        RowScopeLayer { key, scope_of }
    }
}

impl<S> tower::Layer<S> for RowScopeLayer {
    type Service = RowScoped<S>;

    fn layer(&self, inner: S) -> RowScoped<S> {
        RowScoped { inner, layer: self.clone() }
    }
}

#[derive(Clone)]
pub struct RowScoped<S> {
    inner: S,
    layer: RowScopeLayer,
}

/// The caller a [`RowScopeLayer`] verified, in the request's extensions.
#[derive(Clone, Debug)]
pub(crate) struct Verified(pub Caller);

impl<S, B> tower::Service<http::Request<B>> for RowScoped<S>
where
    S: tower::Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = tokio::task::futures::TaskLocalFuture<Scope, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
        let caller = req
            .headers()
            .get("authorization")
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .and_then(|token| self.layer.key.verify(token).ok());
        let scope = match caller {
            Some(caller) => {
                let scope = (self.layer.scope_of)(&caller);
                req.extensions_mut().insert(Verified(caller));
                scope
            }
            None => Scope::Partners(vec![]),
        };
        crate::db::scoped(scope, self.inner.call(req))
    }
}

//! Deletes whose dependents live in other services' databases, where no
//! foreign key can hold a reference. Without a fence, a create that checked
//! its reference just before the delete asked for dependents stores a record
//! that names one that is gone.
//!
//! The fence, for a delete that asks other services for dependents
//! ([`crate::owned::delete_fenced`]):
//! 1. the delete puts up a fence for its record and commits it;
//! 2. it asks the other services for dependents;
//! 3. in one transaction it deletes the record, if its fence still stands.
//!
//! While a fence stands, `RecordService.GetRecordInfo` answers NOT_FOUND.
//! A create checks its reference, stores, then checks again
//! ([`crate::references::References::confirm`]) and undoes itself if the
//! record is fenced or gone. Either the create stored before step 2 looked,
//! so the delete is refused, or its second check ran after step 1 and found
//! the fence, so the create withdraws.
//!
//! A fence lasts a lease, so a delete that dies midway blocks nothing for
//! long; a delete that outlives its lease deletes nothing.

use std::time::Duration;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QuerySelect,
    sea_query::OnConflict,
};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager, async_trait, prelude::*, schema::*};
use uuid::Uuid;

use crate::{
    Result,
    record::type_name,
    row_security::{self, Guard},
    time,
};
use prm_proto::common::v1::RecordType;

/// How long a fence stands: far longer than a delete's dependents check
/// takes (its downstream calls time out well before).
pub const LEASE: Duration = Duration::from_secs(30);

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "record_fences")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub record_type: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub record_id: Uuid,
        pub partner_id: Uuid,
        /// Which delete put the fence up: only that one may take it down.
        pub token: Uuid,
        pub until: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A fence row's key.
fn key(kind: RecordType, id: Uuid) -> (String, Uuid) {
    (type_name(kind).to_string(), id)
}

/// A fence put up by one delete.
#[derive(Debug, Clone, Copy)]
pub struct Fence {
    kind: RecordType,
    id: Uuid,
    token: Uuid,
}

/// Puts up the fence for a record, replacing one whose lease ran out. The
/// caller holds the record's row lock, so two deletes of one record take
/// turns; the second finds the first one's fence and is told to retry.
pub async fn raise<C: ConnectionTrait>(conn: &C, kind: RecordType, id: Uuid, partner_id: Uuid) -> Result<Fence> {
    let now = time::now();
    if let Some(f) = entity::Entity::find_by_id(key(kind, id)).one(conn).await?
        && f.until > now
    {
        return Err(crate::Error::Aborted("the record is being deleted".into()));
    }
    let token = Uuid::now_v7();
    let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
    let (record_type, record_id) = key(kind, id);
    let row = entity::ActiveModel {
        record_type: Set(record_type),
        record_id: Set(record_id),
        partner_id: Set(partner_id),
        token: Set(token),
        until: Set(until),
    };
    entity::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([entity::Column::RecordType, entity::Column::RecordId])
                .update_columns([entity::Column::PartnerId, entity::Column::Token, entity::Column::Until])
                .to_owned(),
        )
        .exec(conn)
        .await?;
    Ok(Fence { kind, id, token })
}

impl Fence {
    /// Whether this fence still stands, its lease unexpired; the fence row
    /// is locked for the rest of the transaction on PostgreSQL.
    pub async fn holds<C: ConnectionTrait>(&self, conn: &C) -> Result<bool> {
        let q = entity::Entity::find_by_id(key(self.kind, self.id));
        let q = match conn.get_database_backend() {
            DbBackend::Postgres => q.lock_exclusive(),
            _ => q,
        };
        Ok(q.one(conn).await?.is_some_and(|f| f.token == self.token && f.until > time::now()))
    }

    /// Takes the fence down, if it is still this delete's.
    pub async fn lower<C: ConnectionTrait>(&self, conn: &C) -> Result<()> {
        entity::Entity::delete_by_id(key(self.kind, self.id))
            .filter(entity::Column::Token.eq(self.token))
            .exec(conn)
            .await?;
        Ok(())
    }
}

/// Whether a delete has fenced the record off: it is then about to be gone,
/// and a reference to it is refused like one to a missing record.
pub async fn fenced<C: ConnectionTrait>(conn: &C, kind: RecordType, id: Uuid) -> Result<bool> {
    let found =
        entity::Entity::find_by_id(key(kind, id)).filter(entity::Column::Until.gt(time::now())).one(conn).await?;
    Ok(found.is_some())
}

/// The `record_fences` table, guarded by row-level security on PostgreSQL;
/// every record service lists it after its other migrations.
pub struct FencesMigration;

impl MigrationName for FencesMigration {
    fn name(&self) -> &str {
        "m20261203_000001_kit_record_fences"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for FencesMigration {
    async fn up(&self, m: &SchemaManager) -> std::result::Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("record_fences")
                .if_not_exists()
                .col(string_len("record_type", 16))
                .col(uuid("record_id"))
                .col(uuid("partner_id"))
                .col(uuid("token"))
                .col(timestamp_with_time_zone("until"))
                .primary_key(Index::create().col("record_type").col("record_id"))
                .to_owned(),
        )
        .await?;
        row_security::guard(m.get_connection(), Guard::Partner("record_fences")).await
    }

    async fn down(&self, m: &SchemaManager) -> std::result::Result<(), DbErr> {
        m.drop_table(Table::drop().table("record_fences").if_exists().to_owned()).await
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{Database, sea_query::Expr};
    use sea_orm_migration::{MigrationTrait, SchemaManager};

    use super::*;
    use crate::{Error, testing::TestDatabase};

    #[tokio::test]
    async fn a_fence_stands_for_its_lease_and_only_its_delete_takes_it_down() {
        let tdb = TestDatabase::create().await.unwrap();
        let db = Database::connect(tdb.owner_url()).await.unwrap();
        FencesMigration.up(&SchemaManager::new(&db)).await.unwrap();
        let (kind, id, partner) = (RecordType::Account, Uuid::now_v7(), Uuid::now_v7());
        assert!(!fenced(&db, kind, id).await.unwrap());

        let first = raise(&db, kind, id, partner).await.unwrap();
        assert!(fenced(&db, kind, id).await.unwrap());
        assert!(!fenced(&db, RecordType::Contact, id).await.unwrap(), "a fence is for one kind of record");
        assert!(first.holds(&db).await.unwrap());
        // A second delete of the record while the first runs is told to retry.
        assert!(matches!(raise(&db, kind, id, partner).await, Err(Error::Aborted(_))));

        // Its lease run out, the fence no longer stands, the first delete no
        // longer holds it, and a new delete puts up its own.
        let past = time::now() - chrono::Duration::seconds(1);
        entity::Entity::update_many().col_expr(entity::Column::Until, Expr::value(past)).exec(&db).await.unwrap();
        assert!(!fenced(&db, kind, id).await.unwrap());
        assert!(!first.holds(&db).await.unwrap());
        let second = raise(&db, kind, id, partner).await.unwrap();
        assert!(!first.holds(&db).await.unwrap(), "the first delete's token was replaced");

        // The first delete taking its fence down leaves the second's up.
        first.lower(&db).await.unwrap();
        assert!(fenced(&db, kind, id).await.unwrap());
        second.lower(&db).await.unwrap();
        assert!(!fenced(&db, kind, id).await.unwrap());
    }
}

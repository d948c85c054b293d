//! Storage of the account service: its entities, its migrations, and the
//! scoped queries the handlers use. Every read goes through [`visible`]
//! filters built from the caller's [`Scope`].

pub mod account;
pub mod contact;
mod migration;

pub use migration::Migrator;

use prm_kit::{
    Caller, Error, Result,
    record::{RecordAccess, RecordInfo},
    scope::Scope,
};
use prm_proto::common::v1::RecordType;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, Select,
};
use uuid::Uuid;

/// Accounts the caller may see.
pub fn visible_accounts(caller: &Caller) -> Select<account::Entity> {
    account::Entity::find().filter(Scope::records(caller).condition(account::Column::PartnerId))
}

/// Contacts the caller may see.
pub fn visible_contacts(caller: &Caller) -> Select<contact::Entity> {
    contact::Entity::find().filter(Scope::records(caller).condition(contact::Column::PartnerId))
}

/// One visible account, locked for update where the database can.
pub async fn account_for_update<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    id: Uuid,
) -> Result<account::Model> {
    let q = visible_accounts(caller).filter(account::Column::Id.eq(id));
    lock(q, conn.get_database_backend())
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn contact_for_update<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    id: Uuid,
) -> Result<contact::Model> {
    let q = visible_contacts(caller).filter(contact::Column::Id.eq(id));
    lock(q, conn.get_database_backend())
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

/// `FOR UPDATE` on PostgreSQL; SQLite has one writer at a time anyway.
fn lock<E: EntityTrait>(q: Select<E>, backend: DbBackend) -> Select<E> {
    match backend {
        DbBackend::Postgres => q.lock_exclusive(),
        _ => q,
    }
}

/// Resolves accounts and contacts for the kit's record features.
pub struct Access {
    db: DatabaseConnection,
}

impl Access {
    pub fn new(db: DatabaseConnection) -> Self {
        Access { db }
    }
}

#[tonic::async_trait]
impl RecordAccess for Access {
    async fn find(&self, caller: &Caller, kind: RecordType, id: Uuid) -> Result<RecordInfo> {
        match kind {
            RecordType::Account => {
                let a = visible_accounts(caller)
                    .filter(account::Column::Id.eq(id))
                    .one(&self.db)
                    .await?
                    .ok_or(Error::NotFound)?;
                Ok(RecordInfo {
                    partner_id: a.partner_id,
                    owner_id: a.owner_id,
                })
            }
            RecordType::Contact => {
                let c = visible_contacts(caller)
                    .filter(contact::Column::Id.eq(id))
                    .one(&self.db)
                    .await?
                    .ok_or(Error::NotFound)?;
                Ok(RecordInfo {
                    partner_id: c.partner_id,
                    owner_id: c.owner_id,
                })
            }
            _ => Err(Error::NotFound),
        }
    }
}

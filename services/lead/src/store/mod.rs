//! Storage of the lead service: its entities and migrations. Reads and edits
//! go through the kit's [`owned`] helpers, which apply tenancy; the lead's
//! own rules (pool, pending, converted) plug in through `check_change`.

pub mod conversion;
mod indexing;
pub mod lead;
mod migration;

pub use indexing::{BackfillSearch, Searchable, index};
pub use migration::Migrator;

use prm_kit::{
    Caller, Error, Result,
    owned::{self, Change, OwnedEntity},
    record::{RecordAccess, RecordInfo},
};
use prm_proto::common::v1::RecordType;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

impl OwnedEntity for lead::Entity {
    const KIND: RecordType = RecordType::Lead;
    const ID: lead::Column = lead::Column::Id;
    const PARTNER_ID: lead::Column = lead::Column::PartnerId;
    const OWNER_ID: lead::Column = lead::Column::OwnerId;
    const UPDATE_TIME: lead::Column = lead::Column::UpdateTime;

    fn document(row: &lead::Model) -> Option<prm_kit::search::Document> {
        Some(Searchable::from(row).document())
    }

    fn check_change(caller: &Caller, row: &lead::Model, change: Change) -> Result<()> {
        crate::domain::check_change(caller, &row.state(), change, || {
            owned::partner_rules::<lead::Entity>(caller, row, change)
        })
    }
}

/// Resolves leads for the kit's record features.
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
            RecordType::Lead => owned::record_info::<lead::Entity, _>(&self.db, caller, id).await,
            _ => Err(Error::NotFound),
        }
    }
}

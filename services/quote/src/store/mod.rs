//! Storage of the quote service: entities, migrations, and the access rules
//! of quotes (partner records, through the kit's owned-record helpers).

mod entities;
mod indexing;
mod migration;

pub use entities::{list_price, partner_discount, product, quote, quote_line, wap};
pub use indexing::{BackfillSearch, Searchable, index};
pub use migration::Migrator;

use prm_kit::{
    Caller, Error, Result,
    owned::{self, OwnedEntity},
    record::{RecordAccess, RecordInfo},
};
use prm_proto::common::v1::RecordType;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

impl OwnedEntity for quote::Entity {
    const KIND: RecordType = RecordType::Quote;
    const ID: quote::Column = quote::Column::Id;
    const PARTNER_ID: quote::Column = quote::Column::PartnerId;
    const OWNER_ID: quote::Column = quote::Column::OwnerId;
    const UPDATE_TIME: quote::Column = quote::Column::UpdateTime;
    const ACCOUNT_ID: Option<quote::Column> = Some(quote::Column::AccountId);

    fn document(row: &quote::Model) -> Option<prm_kit::search::Document> {
        Some(Searchable::from(row).document())
    }
}

/// Resolves quotes for the kit's record features.
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
            RecordType::Quote => owned::record_info::<quote::Entity, _>(&self.db, caller, id).await,
            _ => Err(Error::NotFound),
        }
    }
}

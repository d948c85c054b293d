//! Storage of the quote service: entities, migrations, quote numbers, and
//! the access rules of quotes (partner records, through the kit's
//! owned-record helpers).

mod entities;
mod indexing;
mod migration;

pub use entities::{counter, list_price, partner_discount, product, quote, quote_line, wap};
pub use indexing::{BackfillSearch, Searchable, index};
pub use migration::Migrator;

use prm_kit::{
    Caller, Error, Result,
    owned::{self, OwnedEntity},
    record::{RecordAccess, RecordInfo},
};
use prm_proto::common::v1::RecordType;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
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

/// The name of the quote number's row in `counters`.
pub(crate) const QUOTE_NUMBER: &str = "quote_number";

/// The next quote number's count. The update locks the counter row until
/// the transaction ends (SQLite's write transactions are serial anyway), so
/// two quotes never get the same count and a rolled-back quote frees its.
pub async fn next_quote_count(txn: &DatabaseTransaction) -> Result<i64> {
    counter::Entity::update_many()
        .col_expr(counter::Column::Value, Expr::col(counter::Column::Value).add(1))
        .filter(counter::Column::Name.eq(QUOTE_NUMBER))
        .exec(txn)
        .await?;
    let row = counter::Entity::find_by_id(QUOTE_NUMBER.to_string())
        .one(txn)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("the quote number counter is missing")))?;
    Ok(row.value)
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

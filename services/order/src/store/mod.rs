//! Storage of the order service: entities, migrations, order numbers, and the
//! access rules of orders (partner records, through the kit's owned-record
//! helpers).

mod entities;
mod indexing;
mod migration;

pub use entities::{counter, order, order_line};
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

impl OwnedEntity for order::Entity {
    const KIND: RecordType = RecordType::Order;
    const ID: order::Column = order::Column::Id;
    const PARTNER_ID: order::Column = order::Column::PartnerId;
    const OWNER_ID: order::Column = order::Column::OwnerId;
    const UPDATE_TIME: order::Column = order::Column::UpdateTime;

    fn document(row: &order::Model) -> Option<prm_kit::search::Document> {
        Some(Searchable::from(row).document())
    }
}

/// The next order number's count. The update locks the counter row until
/// the transaction ends (SQLite's write transactions are serial anyway), so
/// two orders never get the same count and a rolled-back order frees its.
pub async fn next_order_count(txn: &DatabaseTransaction) -> Result<i64> {
    const NAME: &str = "order_number";
    counter::Entity::update_many()
        .col_expr(counter::Column::Value, Expr::col(counter::Column::Value).add(1))
        .filter(counter::Column::Name.eq(NAME))
        .exec(txn)
        .await?;
    let row = counter::Entity::find_by_id(NAME.to_string())
        .one(txn)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("the order number counter is missing")))?;
    Ok(row.value)
}

/// Resolves orders for the kit's record features.
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
            RecordType::Order => owned::record_info::<order::Entity, _>(&self.db, caller, id).await,
            _ => Err(Error::NotFound),
        }
    }
}

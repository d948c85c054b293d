//! How an order is found by global search: its search document, written
//! with every write that changes what it shows, and the backfill of the
//! orders written before documents existed.

use prm_kit::search::{self, Document};
use prm_proto::common::v1::RecordType;
use sea_orm::{ConnectionTrait, FromQueryResult};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager, prelude::*};
use uuid::Uuid;

use super::order;

/// The columns an order's document is made of: the backfill reads only
/// these, so later columns of the table never break it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Searchable {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub number: String,
    pub order_type: String,
    pub status: String,
    pub currency: String,
    pub ship_city: String,
}

impl Searchable {
    const COLUMNS: [order::Column; 7] = [
        order::Column::Id,
        order::Column::PartnerId,
        order::Column::Number,
        order::Column::OrderType,
        order::Column::Status,
        order::Column::Currency,
        order::Column::ShipCity,
    ];

    /// Title: the order number (`ORD-000123`); subtitle: project or stock
    /// order, status, currency; found by the shipping city too.
    pub fn document(&self) -> Document {
        let kind = format!("{} order", self.order_type);
        Document::new(RecordType::Order, self.id, self.partner_id, self.number.clone())
            .subtitle([kind.as_str(), self.status.as_str(), self.currency.as_str()])
            .terms([self.ship_city.as_str()])
    }
}

impl From<&order::Model> for Searchable {
    fn from(m: &order::Model) -> Self {
        Searchable {
            id: m.id,
            partner_id: m.partner_id,
            number: m.number.clone(),
            order_type: m.order_type.clone(),
            status: m.status.clone(),
            currency: m.currency.clone(),
            ship_city: m.ship_city.clone(),
        }
    }
}

/// Writes the order's document; call it in the transaction that wrote it.
pub async fn index<C: ConnectionTrait>(conn: &C, m: &order::Model) -> prm_kit::Result<()> {
    search::put(conn, &Searchable::from(m).document()).await
}

/// Indexes the orders written before search documents existed, 500 a page.
pub struct BackfillSearch;

impl MigrationName for BackfillSearch {
    fn name(&self) -> &str {
        "m20261201_000002_order_search_backfill"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for BackfillSearch {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        search::backfill::<order::Entity, _, _>(
            m.get_connection(),
            order::Column::Id,
            &Searchable::COLUMNS,
            |r: &Searchable| r.id,
            Searchable::document,
        )
        .await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

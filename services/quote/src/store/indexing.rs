//! How a quote is found by global search: its search document, written with
//! every write that changes what it shows, and the backfill of the quotes
//! written before documents existed.

use prm_kit::search::{self, Document};
use prm_proto::common::v1::RecordType;
use sea_orm::{ConnectionTrait, FromQueryResult};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager, prelude::*};
use uuid::Uuid;

use super::quote;

/// The columns a quote's document is made of: the backfill reads only these,
/// so later columns of the table never break it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Searchable {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub name: String,
    pub status: String,
    pub currency: String,
    pub ship_city: String,
}

impl Searchable {
    const COLUMNS: [quote::Column; 6] = [
        quote::Column::Id,
        quote::Column::PartnerId,
        quote::Column::Name,
        quote::Column::Status,
        quote::Column::Currency,
        quote::Column::ShipCity,
    ];

    /// Title: the quote's name; subtitle: status and currency; found by the
    /// shipping city too.
    pub fn document(&self) -> Document {
        Document::new(RecordType::Quote, self.id, self.partner_id, self.name.clone())
            .subtitle([self.status.as_str(), self.currency.as_str()])
            .terms([self.ship_city.as_str()])
    }
}

impl From<&quote::Model> for Searchable {
    fn from(m: &quote::Model) -> Self {
        Searchable {
            id: m.id,
            partner_id: m.partner_id,
            name: m.name.clone(),
            status: m.status.clone(),
            currency: m.currency.clone(),
            ship_city: m.ship_city.clone(),
        }
    }
}

/// Writes the quote's document; call it in the transaction that wrote it.
pub async fn index<C: ConnectionTrait>(conn: &C, m: &quote::Model) -> prm_kit::Result<()> {
    search::put(conn, &Searchable::from(m).document()).await
}

/// Indexes the quotes written before search documents existed, 500 a page.
pub struct BackfillSearch;

impl MigrationName for BackfillSearch {
    fn name(&self) -> &str {
        "m20261201_000002_quote_search_backfill"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for BackfillSearch {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        search::backfill::<quote::Entity, _, _>(
            m.get_connection(),
            quote::Column::Id,
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

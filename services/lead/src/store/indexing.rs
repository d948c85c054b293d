//! How a lead is found by global search: its search document, written with
//! every write of the lead, and the backfill of the leads written before
//! documents existed.
//!
//! The document carries the lead's `partner_id` as it stands, so search
//! sees leads exactly as the lead service does: a partner its own leads and
//! those pending for it, the vendor's pool (the nil partner) only the
//! vendor. Distribution, acceptance and rejection change the partner, so
//! they rewrite the document.

use prm_kit::search::{self, Document};
use prm_proto::common::v1::RecordType;
use sea_orm::{ConnectionTrait, FromQueryResult};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager, prelude::*};
use uuid::Uuid;

use super::lead;

/// The columns a lead's document is made of: the backfill reads only these,
/// so later columns of the table never break it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Searchable {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub company: String,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub city: String,
    pub status: String,
}

impl Searchable {
    const COLUMNS: [lead::Column; 10] = [
        lead::Column::Id,
        lead::Column::PartnerId,
        lead::Column::Company,
        lead::Column::FirstName,
        lead::Column::LastName,
        lead::Column::Title,
        lead::Column::Email,
        lead::Column::Phone,
        lead::Column::City,
        lead::Column::Status,
    ];

    /// Title: the person ("First Last"), or the company when the lead names
    /// nobody; subtitle: company, e-mail, phone and status; found by
    /// company, e-mail, job title, city and phone too.
    pub fn document(&self) -> Document {
        let name = format!("{} {}", self.first_name, self.last_name).trim().to_string();
        let title = if name.is_empty() { self.company.clone() } else { name };
        Document::new(RecordType::Lead, self.id, self.partner_id, title)
            .subtitle([self.company.as_str(), self.email.as_str(), self.phone.as_str(), self.status.as_str()])
            .terms([self.company.as_str(), self.email.as_str(), self.title.as_str(), self.city.as_str()])
            .phones([self.phone.as_str()])
    }
}

impl From<&lead::Model> for Searchable {
    fn from(m: &lead::Model) -> Self {
        Searchable {
            id: m.id,
            partner_id: m.partner_id,
            company: m.company.clone(),
            first_name: m.first_name.clone(),
            last_name: m.last_name.clone(),
            title: m.title.clone(),
            email: m.email.clone(),
            phone: m.phone.clone(),
            city: m.city.clone(),
            status: m.status.clone(),
        }
    }
}

/// Writes the lead's document; call it in the transaction that wrote it.
pub async fn index<C: ConnectionTrait>(conn: &C, m: &lead::Model) -> prm_kit::Result<()> {
    search::put(conn, &Searchable::from(m).document()).await
}

/// Indexes the leads written before search documents existed, 500 a page.
pub struct BackfillSearch;

impl MigrationName for BackfillSearch {
    fn name(&self) -> &str {
        "m20261201_000002_lead_search_backfill"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for BackfillSearch {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        search::backfill::<lead::Entity, _, _>(
            m.get_connection(),
            lead::Column::Id,
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

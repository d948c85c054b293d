//! How a case is found by global search: its search document, written with
//! every write that changes what it shows, and the backfill of the cases
//! written before documents existed. Search sees cases in the case scope
//! (support agents every case), like every read of cases.

use prm_kit::search::{self, Document};
use prm_proto::common::v1::RecordType;
use sea_orm::{ConnectionTrait, FromQueryResult};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager, prelude::*};
use uuid::Uuid;

use super::case;

/// The columns a case's document is made of: the backfill reads only these,
/// so later columns of the table never break it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Searchable {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub number: String,
    pub subject: String,
    pub status: String,
    pub product: String,
    pub priority: String,
    pub submitter_name: String,
    pub submitter_email: String,
}

impl Searchable {
    const COLUMNS: [case::Column; 9] = [
        case::Column::Id,
        case::Column::PartnerId,
        case::Column::Number,
        case::Column::Subject,
        case::Column::Status,
        case::Column::Product,
        case::Column::Priority,
        case::Column::SubmitterName,
        case::Column::SubmitterEmail,
    ];

    /// Title: "CS-000001 · subject", as the case search shows it; subtitle:
    /// status, product and priority; found by the submitter's name and
    /// e-mail too.
    pub fn document(&self) -> Document {
        Document::new(RecordType::Case, self.id, self.partner_id, format!("{} · {}", self.number, self.subject))
            .subtitle([self.status.as_str(), self.product.as_str(), self.priority.as_str()])
            .terms([self.submitter_name.as_str(), self.submitter_email.as_str()])
    }
}

impl From<&case::Model> for Searchable {
    fn from(m: &case::Model) -> Self {
        Searchable {
            id: m.id,
            partner_id: m.partner_id,
            number: m.number.clone(),
            subject: m.subject.clone(),
            status: m.status.clone(),
            product: m.product.clone(),
            priority: m.priority.clone(),
            submitter_name: m.submitter_name.clone(),
            submitter_email: m.submitter_email.clone(),
        }
    }
}

/// Writes the case's document; call it in the transaction that wrote it.
pub async fn index<C: ConnectionTrait>(conn: &C, m: &case::Model) -> prm_kit::Result<()> {
    search::put(conn, &Searchable::from(m).document()).await
}

/// Indexes the cases written before search documents existed, 500 a page.
pub struct BackfillSearch;

impl MigrationName for BackfillSearch {
    fn name(&self) -> &str {
        "m20261201_000002_case_search_backfill"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for BackfillSearch {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        search::backfill::<case::Entity, _, _>(
            m.get_connection(),
            case::Column::Id,
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

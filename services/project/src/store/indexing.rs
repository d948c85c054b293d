//! How a project is found by global search: its search document, written
//! with every write of the project, and the backfill of the projects that
//! were written before documents existed.

use std::str::FromStr;

use prm_kit::search::{self, Document};
use prm_proto::common::v1::RecordType as Kind;
use sea_orm::{ConnectionTrait, FromQueryResult};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager, prelude::*};
use uuid::Uuid;

use super::project;
use crate::domain::Stage;

/// The columns a project's document is made of: the backfill reads only
/// these, so later columns of the table never break it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Searchable {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub name: String,
    pub stage: String,
    pub close_date: String,
}

impl Searchable {
    /// Title: the project's name; subtitle: its stage and close date.
    pub fn document(&self) -> Document {
        let stage = Stage::from_str(&self.stage).map(Stage::label).unwrap_or(self.stage.as_str());
        let closes = if self.close_date.is_empty() { String::new() } else { format!("closes {}", self.close_date) };
        Document::new(Kind::Project, self.id, self.partner_id, self.name.clone()).subtitle([stage, closes.as_str()])
    }
}

impl From<&project::Model> for Searchable {
    fn from(m: &project::Model) -> Self {
        Searchable {
            id: m.id,
            partner_id: m.partner_id,
            name: m.name.clone(),
            stage: m.stage.clone(),
            close_date: m.close_date.clone(),
        }
    }
}

/// Writes the project's document; call it in the transaction that wrote it.
pub async fn index<C: ConnectionTrait>(conn: &C, m: &project::Model) -> prm_kit::Result<()> {
    search::put(conn, &Searchable::from(m).document()).await
}

/// Indexes the projects written before search documents existed, 500 a page.
pub struct BackfillSearch;

impl MigrationName for BackfillSearch {
    fn name(&self) -> &str {
        "m20261201_000102_project_search_backfill"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for BackfillSearch {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        search::backfill::<project::Entity, _, _>(
            m.get_connection(),
            project::Column::Id,
            &[
                project::Column::Id,
                project::Column::PartnerId,
                project::Column::Name,
                project::Column::Stage,
                project::Column::CloseDate,
            ],
            |r: &Searchable| r.id,
            Searchable::document,
        )
        .await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

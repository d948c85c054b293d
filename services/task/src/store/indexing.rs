//! How a task is found by global search: its search document, written with
//! every write of the task, and the backfill of the tasks written before
//! documents existed.

use prm_kit::search::{self, Document};
use prm_proto::common::v1::RecordType;
use sea_orm::{ConnectionTrait, FromQueryResult};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager, prelude::*};
use uuid::Uuid;

use super::{NO_DUE_DATE, task};

/// The columns a task's document is made of: the backfill reads only these,
/// so later columns of the table never break it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Searchable {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub subject: String,
    pub task_type: String,
    pub status: String,
    pub due_date: String,
}

impl Searchable {
    const COLUMNS: [task::Column; 6] = [
        task::Column::Id,
        task::Column::PartnerId,
        task::Column::Subject,
        task::Column::TaskType,
        task::Column::Status,
        task::Column::DueDate,
    ];

    /// Title: the subject; subtitle: type, status and due date.
    pub fn document(&self) -> Document {
        let due = if self.due_date == NO_DUE_DATE { String::new() } else { format!("due {}", self.due_date) };
        Document::new(RecordType::Task, self.id, self.partner_id, self.subject.clone()).subtitle([
            self.task_type.as_str(),
            self.status.as_str(),
            due.as_str(),
        ])
    }
}

impl From<&task::Model> for Searchable {
    fn from(m: &task::Model) -> Self {
        Searchable {
            id: m.id,
            partner_id: m.partner_id,
            subject: m.subject.clone(),
            task_type: m.task_type.clone(),
            status: m.status.clone(),
            due_date: m.due_date.clone(),
        }
    }
}

/// Writes the task's document; call it in the transaction that wrote it.
pub async fn index<C: ConnectionTrait>(conn: &C, m: &task::Model) -> prm_kit::Result<()> {
    search::put(conn, &Searchable::from(m).document()).await
}

/// Indexes the tasks written before search documents existed, 500 a page.
pub struct BackfillSearch;

impl MigrationName for BackfillSearch {
    fn name(&self) -> &str {
        "m20261201_000002_task_search_backfill"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for BackfillSearch {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        search::backfill::<task::Entity, _, _>(
            m.get_connection(),
            task::Column::Id,
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

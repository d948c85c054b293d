//! Storage of the task service: the `tasks` table, its migrations, and the
//! access rules of tasks (partner records, through the kit's owned-record
//! helpers).

mod indexing;
mod migration;

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

pub mod task {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tasks")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub partner_id: Uuid,
        pub owner_id: Uuid,
        pub subject: String,
        pub task_type: String,
        pub status: String,
        pub priority: String,
        /// `YYYY-MM-DD`; [`super::NO_DUE_DATE`] for none, so undated tasks
        /// sort after every dated one and pages need no NULL handling.
        pub due_date: String,
        pub reminder_time: Option<DateTimeUtc>,
        /// The record the task is about: its kind (`prm_kit::record::type_name`) and id.
        pub related_type: String,
        pub related_id: Uuid,
        pub description: String,
        pub completed_by: Option<Uuid>,
        pub complete_time: Option<DateTimeUtc>,
        pub create_time: DateTimeUtc,
        pub update_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

impl OwnedEntity for task::Entity {
    const KIND: RecordType = RecordType::Task;
    const ID: task::Column = task::Column::Id;
    const PARTNER_ID: task::Column = task::Column::PartnerId;
    const OWNER_ID: task::Column = task::Column::OwnerId;
    const UPDATE_TIME: task::Column = task::Column::UpdateTime;

    fn document(row: &task::Model) -> Option<prm_kit::search::Document> {
        Some(Searchable::from(row).document())
    }
}

/// The stored due date of a task without one.
pub const NO_DUE_DATE: &str = "9999-12-31";

/// Resolves tasks for the kit's record features.
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
            RecordType::Task => owned::record_info::<task::Entity, _>(&self.db, caller, id).await,
            _ => Err(Error::NotFound),
        }
    }
}

//! The task service's schema, in order.

use prm_kit::row_security::{Guard, RowSecurityMigration};
use prm_kit::{record::RecordFeaturesMigration, search::SearchMigration, views::SavedViewsMigration};
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(RecordFeaturesMigration),
            Box::new(CreateTasks),
            Box::new(SavedViewsMigration),
            Box::new(SearchMigration),
            Box::new(super::indexing::BackfillSearch),
            Box::new(RowSecurityMigration {
                name: "m20261202_000001_row_security",
                tables: &[Guard::Partner("tasks")],
            }),
            Box::new(prm_kit::fence::FencesMigration),
        ]
    }
}

struct CreateTasks;

impl MigrationName for CreateTasks {
    fn name(&self) -> &str {
        "m20261128_000101_tasks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateTasks {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("tasks")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("partner_id"))
                .col(uuid("owner_id"))
                .col(string_len("subject", 255))
                .col(string_len("task_type", 16))
                .col(string_len("status", 16))
                .col(string_len("priority", 16))
                .col(string_len("due_date", 10))
                .col(timestamp_with_time_zone_null("reminder_time"))
                .col(string_len("related_type", 16))
                .col(uuid("related_id"))
                .col(string_len("description", 32_000).default(""))
                .col(uuid_null("completed_by"))
                .col(timestamp_with_time_zone_null("complete_time"))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .to_owned(),
        )
        .await?;
        // A record's open activities; an owner's tasks by due date.
        for (name, cols) in [
            ("tasks_related", &["related_type", "related_id", "status", "due_date"][..]),
            ("tasks_owner_due", &["owner_id", "status", "due_date"][..]),
            ("tasks_partner_created", &["partner_id", "create_time", "id"][..]),
        ] {
            let mut idx = Index::create().name(name).table("tasks").if_not_exists().to_owned();
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("tasks").if_exists().to_owned()).await
    }
}

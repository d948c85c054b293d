//! Outbox and inbox tables; a service lists the ones it needs in its migrator.

use sea_orm_migration::{prelude::*, schema::*};

pub struct OutboxMigration;

impl MigrationName for OutboxMigration {
    fn name(&self) -> &str {
        "m20261125_000010_outbox"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for OutboxMigration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("outbox_events")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("topic", 100))
                .col(string_len("aggregate_id", 64))
                .col(text("payload"))
                .col(timestamp_with_time_zone("create_time"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_time"))
                .col(timestamp_with_time_zone_null("deliver_time"))
                .col(text("last_error"))
                .to_owned(),
        )
        .await?;
        // The relay's query: undelivered events, due first.
        m.create_index(
            Index::create()
                .name("outbox_events_due")
                .table("outbox_events")
                .col("deliver_time")
                .col("next_attempt_time")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("outbox_events").if_exists().to_owned()).await
    }
}

pub struct InboxMigration;

impl MigrationName for InboxMigration {
    fn name(&self) -> &str {
        "m20261125_000011_inbox"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for InboxMigration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("inbox_events")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("topic", 100))
                .col(timestamp_with_time_zone("receive_time"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("inbox_events").if_exists().to_owned()).await
    }
}

//! Creates the record-feature tables; every service lists this migration
//! first in its own migrator.

use sea_orm_migration::{prelude::*, schema::*};

pub struct RecordFeaturesMigration;

impl MigrationName for RecordFeaturesMigration {
    fn name(&self) -> &str {
        "m20261125_000000_record_features"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for RecordFeaturesMigration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("record_notes")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("record_type", 16))
                .col(uuid("record_id"))
                .col(uuid("partner_id"))
                .col(uuid("author_id"))
                .col(text("body"))
                .col(timestamp_with_time_zone("create_time"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("record_notes_record")
                .table("record_notes")
                .col("record_type")
                .col("record_id")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("record_attachments")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("record_type", 16))
                .col(uuid("record_id"))
                .col(uuid("partner_id"))
                .col(string_len("file_name", 255))
                .col(string_len("content_type", 127))
                .col(big_integer("size_bytes"))
                .col(string_len("sha256", 64))
                .col(blob("content"))
                .col(uuid("uploaded_by"))
                .col(timestamp_with_time_zone("create_time"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("record_attachments_record")
                .table("record_attachments")
                .col("record_type")
                .col("record_id")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("record_field_changes")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("record_type", 16))
                .col(uuid("record_id"))
                .col(uuid("partner_id"))
                .col(string_len("field", 64))
                .col(text("old_value"))
                .col(text("new_value"))
                .col(uuid("changed_by"))
                .col(timestamp_with_time_zone("change_time"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("record_field_changes_record")
                .table("record_field_changes")
                .col("record_type")
                .col("record_id")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("record_followers")
                .if_not_exists()
                .col(string_len("record_type", 16))
                .col(uuid("record_id"))
                .col(uuid("user_id"))
                .col(uuid("partner_id"))
                .col(timestamp_with_time_zone("follow_time"))
                .primary_key(Index::create().col("record_type").col("record_id").col("user_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["record_followers", "record_field_changes", "record_attachments", "record_notes"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}

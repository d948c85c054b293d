//! The case service's schema, in order.

use prm_kit::row_security::{Guard, RowSecurityMigration};
use prm_kit::{outbox::OutboxMigration, record::RecordFeaturesMigration, search::SearchMigration};
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(RecordFeaturesMigration),
            Box::new(OutboxMigration),
            Box::new(CreateCases),
            Box::new(SearchMigration),
            Box::new(super::indexing::BackfillSearch),
            Box::new(RowSecurityMigration {
                name: "m20261202_000001_row_security",
                tables: &[Guard::Partner("cases"), Guard::Partner("case_comments")],
            }),
            Box::new(prm_kit::fence::FencesMigration),
        ]
    }
}

struct CreateCases;

impl MigrationName for CreateCases {
    fn name(&self) -> &str {
        "m20261201_000101_cases"
    }
}

fn txt(name: &'static str, len: u32) -> ColumnDef {
    string_len(name, len).default("").to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CreateCases {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("counters")
                .if_not_exists()
                .col(string_len("name", 32).primary_key())
                .col(big_integer("value"))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table("counters")
                .columns(["name", "value"])
                .values_panic(["case_number".into(), 0i64.into()])
                .on_conflict(OnConflict::column("name").do_nothing().to_owned())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("cases")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len_uniq("number", 20))
                .col(uuid("partner_id"))
                .col(uuid("submitter_id"))
                .col(txt("submitter_email", 254))
                .col(txt("submitter_name", 200))
                .col(string_len("subject", 200))
                .col(text("description"))
                .col(string_len("product", 16))
                .col(string_len("priority", 16))
                .col(string_len("status", 24))
                .col(uuid("assignee_id"))
                .col(txt("assignee_email", 254))
                .col(txt("assignee_name", 200))
                .col(integer("public_comments").default(0))
                .col(integer("internal_comments").default(0))
                .col(txt("request_id", 64))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("cases_partner_created", &["partner_id", "create_time", "id"][..]),
            ("cases_status_created", &["status", "create_time", "id"][..]),
            ("cases_assignee", &["assignee_id", "status"][..]),
        ] {
            let mut idx = Index::create().name(name).table("cases").if_not_exists().to_owned();
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx).await?;
        }
        // One case per idempotency key of a partner, whatever races.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS cases_request ON cases (partner_id, request_id) \
                 WHERE request_id <> ''",
            )
            .await?;
        m.create_table(
            Table::create()
                .table("case_comments")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("case_id"))
                .col(uuid("partner_id"))
                .col(uuid("author_id"))
                .col(txt("author_name", 200))
                .col(boolean("from_support"))
                .col(text("body"))
                .col(boolean("internal"))
                .col(timestamp_with_time_zone("create_time"))
                .foreign_key(
                    ForeignKey::create()
                        .from("case_comments", "case_id")
                        .to("cases", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("case_comments_thread")
                .table("case_comments")
                .col("case_id")
                .col("create_time")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["case_comments", "cases", "counters"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}

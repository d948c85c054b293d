//! The report service's schema, in order.

use prm_kit::row_security::{Guard, RowSecurityMigration};
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateReports),
            Box::new(RowSecurityMigration {
                name: "m20261202_000001_row_security",
                tables: &[Guard::PartnerOrVendor("reports")],
            }),
        ]
    }
}

struct CreateReports;

impl MigrationName for CreateReports {
    fn name(&self) -> &str {
        "m20261130_000101_reports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateReports {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("reports")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("owner_id"))
                .col(uuid_null("partner_id"))
                .col(string_len("name", 100))
                .col(string_len("description", 2000).default(""))
                .col(string_len("source", 16))
                .col(string_len("filter", 2000).default(""))
                .col(text("spec"))
                .col(boolean("shared").default(false))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .to_owned(),
        )
        .await?;
        // A person's own reports; the shared reports of a partner.
        for (name, cols) in
            [("reports_owner", &["owner_id", "id"][..]), ("reports_shared", &["partner_id", "shared", "id"][..])]
        {
            let mut idx = Index::create().name(name).table("reports").if_not_exists().to_owned();
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("reports").if_exists().to_owned()).await
    }
}

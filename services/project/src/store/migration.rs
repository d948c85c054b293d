//! The project service's schema, in order.

use prm_kit::row_security::{Guard, RowSecurityMigration};
use prm_kit::{
    outbox::InboxMigration, record::RecordFeaturesMigration, search::SearchMigration, views::SavedViewsMigration,
};
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(RecordFeaturesMigration),
            Box::new(InboxMigration),
            Box::new(CreateProjects),
            Box::new(SavedViewsMigration),
            Box::new(SearchMigration),
            Box::new(super::indexing::BackfillSearch),
            Box::new(PipelineTotalsIndex),
            Box::new(RowSecurityMigration {
                name: "m20261202_000001_row_security",
                tables: &[
                    Guard::Partner("projects"),
                    Guard::Child { table: "project_contacts", column: "project_id", parent: "projects" },
                    Guard::Child { table: "project_views", column: "project_id", parent: "projects" },
                ],
            }),
            Box::new(prm_kit::fence::FencesMigration),
        ]
    }
}

struct CreateProjects;

impl MigrationName for CreateProjects {
    fn name(&self) -> &str {
        "m20261127_000101_projects"
    }
}

fn txt(name: &'static str, len: u32) -> ColumnDef {
    string_len(name, len).default("").to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CreateProjects {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("projects")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("partner_id"))
                .col(uuid("owner_id"))
                .col(uuid("account_id"))
                .col(string_len("name", 255))
                .col(string_len("record_type", 32))
                .col(string_len("stage", 32))
                .col(integer("probability"))
                .col(string_len("close_date", 10))
                .col(integer("total_users"))
                .col(integer_null("users_of_poc"))
                .col(boolean("solution_licenses"))
                .col(boolean("solution_hwaas"))
                .col(boolean("solution_classound"))
                .col(big_integer_null("amount_mrr_units"))
                .col(big_integer_null("capex_units"))
                .col(boolean("verbal_agreement"))
                .col(string_len("currency", 3))
                .col(txt("description", 32_000))
                .col(txt("next_step", 255))
                .col(big_integer("expected_mrr_units"))
                .col(big_integer("mrr_units"))
                .col(big_integer("weighted_pipeline_units"))
                .col(uuid_null("primary_quote_id"))
                .col(big_integer_null("primary_quote_mrr_units"))
                .col(text("demo_answers"))
                .col(string_len_null("demo_date", 10))
                .col(big_integer_null("pipeline_mrr_units"))
                .col(boolean("approved_by_am"))
                .col(txt("lost_reason", 1000))
                .col(txt("held_event", 64))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .to_owned(),
        )
        .await?;
        // The board groups by stage and pages each column by close date; lists
        // sort by close date; both within a partner. The board's counts and
        // MRR totals read only `projects_board_totals` (an index-only scan).
        for (name, cols) in [
            ("projects_board_totals", &["partner_id", "record_type", "stage", "currency", "mrr_units"][..]),
            ("projects_partner_stage_close", &["partner_id", "stage", "close_date", "id"][..]),
            ("projects_partner_close", &["partner_id", "close_date", "id"][..]),
            ("projects_stage_close", &["stage", "close_date", "id"][..]),
            ("projects_owner", &["owner_id"][..]),
            ("projects_account", &["account_id"][..]),
            ("projects_primary_quote", &["primary_quote_id"][..]),
        ] {
            let mut idx = Index::create().name(name).table("projects").if_not_exists().to_owned();
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx).await?;
        }
        m.create_table(
            Table::create()
                .table("project_contacts")
                .if_not_exists()
                .col(uuid("project_id"))
                .col(uuid("contact_id"))
                .col(string_len("role", 100))
                .col(timestamp_with_time_zone("create_time"))
                .primary_key(Index::create().col("project_id").col("contact_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("project_contacts", "project_id")
                        .to("projects", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("project_views")
                .if_not_exists()
                .col(uuid("user_id"))
                .col(uuid("project_id"))
                .col(timestamp_with_time_zone("view_time"))
                .primary_key(Index::create().col("user_id").col("project_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("project_views", "project_id")
                        .to("projects", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("settings")
                .if_not_exists()
                .col(string_len("key", 64).primary_key())
                .col(text("value"))
                .col(timestamp_with_time_zone("update_time"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["settings", "project_views", "project_contacts", "projects"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}

/// The figures of the home page and the pipeline report (count, MRR and
/// weighted pipeline by stage and currency, in a partner or across all) are
/// read from this index alone, never from the table.
struct PipelineTotalsIndex;

impl MigrationName for PipelineTotalsIndex {
    fn name(&self) -> &str {
        "m20261202_000101_projects_pipeline_totals"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for PipelineTotalsIndex {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("projects_pipeline_totals")
                .table("projects")
                .col("partner_id")
                .col("stage")
                .col("currency")
                .col("mrr_units")
                .col("weighted_pipeline_units")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("projects_pipeline_totals").table("projects").to_owned()).await
    }
}

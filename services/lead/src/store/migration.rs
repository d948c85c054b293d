//! The lead service's schema, in order.

use prm_kit::row_security::{Guard, RowSecurityMigration};
use prm_kit::{record::RecordFeaturesMigration, search::SearchMigration, views::SavedViewsMigration};
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(RecordFeaturesMigration),
            Box::new(CreateLeads),
            Box::new(SearchMigration),
            Box::new(super::indexing::BackfillSearch),
            Box::new(RowSecurityMigration {
                name: "m20261202_000001_row_security",
                tables: &[Guard::Partner("leads"), Guard::Partner("lead_conversions")],
            }),
            Box::new(SavedViewsMigration),
            Box::new(prm_kit::fence::FencesMigration),
        ]
    }
}

struct CreateLeads;

impl MigrationName for CreateLeads {
    fn name(&self) -> &str {
        "m20261125_000001_leads_and_conversions"
    }
}

fn text_col(name: &'static str, len: u32) -> ColumnDef {
    string_len(name, len).default("").to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CreateLeads {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("leads")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("partner_id"))
                .col(uuid("owner_id"))
                .col(string_len("company", 255))
                .col(string_len("company_key", 255))
                .col(text_col("first_name", 100))
                .col(string_len("last_name", 100))
                .col(text_col("title", 128))
                .col(text_col("email", 254))
                .col(text_col("email_key", 254))
                .col(text_col("phone", 32))
                .col(text_col("phone_digits", 32))
                .col(text_col("street", 500))
                .col(text_col("city", 100))
                .col(text_col("postal_code", 20))
                .col(text_col("region", 100))
                .col(text_col("country", 64))
                .col(string_len("source", 32))
                .col(string_len("status", 32))
                .col(integer("estimated_users").default(0))
                .col(text_col("interested_solutions", 64))
                .col(text("description").default(""))
                .col(text_col("acceptance", 16))
                .col(uuid_null("distributed_partner_id"))
                .col(text_col("reject_reason", 500))
                .col(timestamp_with_time_zone_null("distribute_time"))
                .col(uuid_null("account_id"))
                .col(uuid_null("contact_id"))
                .col(uuid_null("project_id"))
                .col(timestamp_with_time_zone_null("convert_time"))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("leads_partner_created", &["partner_id", "create_time", "id"][..]),
            ("leads_partner_company", &["partner_id", "company", "id"][..]),
            ("leads_partner_status", &["partner_id", "status"][..]),
            ("leads_partner_email_key", &["partner_id", "email_key"][..]),
            ("leads_partner_company_key", &["partner_id", "company_key", "phone_digits"][..]),
        ] {
            let mut idx = Index::create().name(name).table("leads").if_not_exists().to_owned();
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx).await?;
        }
        m.create_table(
            Table::create()
                .table("lead_conversions")
                .if_not_exists()
                .col(pk_uuid("lead_id"))
                .col(uuid("partner_id"))
                .col(string_len("state", 16))
                .col(uuid("account_id"))
                .col(uuid("contact_id"))
                .col(uuid_null("project_id"))
                .col(text_col("project_name", 255))
                .col(text_col("project_record_type", 32))
                .col(text_col("project_close_date", 10))
                .col(text("caller"))
                .col(boolean("undo_project").default(false))
                .col(integer("attempts").default(0))
                .col(text("last_error").default(""))
                .col(timestamp_with_time_zone("lease_until"))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .foreign_key(
                    ForeignKey::create()
                        .name("lead_conversions_lead")
                        .from("lead_conversions", "lead_id")
                        .to("leads", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("lead_conversions_state_lease")
                .table("lead_conversions")
                .if_not_exists()
                .col("state")
                .col("lease_until")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("lead_conversions").if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table("leads").if_exists().to_owned()).await
    }
}

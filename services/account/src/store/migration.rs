//! The account service's schema, in order.

use prm_kit::row_security::{Guard, RowSecurityMigration};
use prm_kit::{
    outbox::OutboxMigration, record::RecordFeaturesMigration, search::SearchMigration, views::SavedViewsMigration,
};
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(RecordFeaturesMigration),
            Box::new(CreateAccountsAndContacts),
            Box::new(SearchMigration),
            Box::new(super::indexing::BackfillSearch),
            Box::new(OutboxMigration),
            Box::new(RowSecurityMigration {
                name: "m20261202_000001_row_security",
                tables: &[Guard::Partner("accounts"), Guard::Partner("contacts")],
            }),
            Box::new(SavedViewsMigration),
            Box::new(prm_kit::fence::FencesMigration),
        ]
    }
}

struct CreateAccountsAndContacts;

impl MigrationName for CreateAccountsAndContacts {
    fn name(&self) -> &str {
        "m20261125_000001_accounts_and_contacts"
    }
}

fn text_col(name: &'static str, len: u32) -> ColumnDef {
    string_len(name, len).default("").to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CreateAccountsAndContacts {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("accounts")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("partner_id"))
                .col(uuid("owner_id"))
                .col(string_len("name", 255))
                .col(string_len("account_type", 32))
                .col(text_col("industry", 100))
                .col(text_col("website", 2048))
                .col(text_col("phone", 32))
                .col(text_col("phone_digits", 32))
                .col(text_col("vat_number", 32))
                .col(text_col("billing_street", 500))
                .col(text_col("billing_city", 100))
                .col(text_col("billing_postal_code", 20))
                .col(text_col("billing_region", 100))
                .col(text_col("billing_country", 64))
                .col(text_col("shipping_street", 500))
                .col(text_col("shipping_city", 100))
                .col(text_col("shipping_postal_code", 20))
                .col(text_col("shipping_region", 100))
                .col(text_col("shipping_country", 64))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("accounts_partner_name", &["partner_id", "name", "id"][..]),
            ("accounts_partner_created", &["partner_id", "create_time", "id"][..]),
            ("accounts_partner_owner", &["partner_id", "owner_id"][..]),
        ] {
            let mut idx = Index::create().name(name).table("accounts").if_not_exists().to_owned();
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx).await?;
        }
        m.create_table(
            Table::create()
                .table("contacts")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("partner_id"))
                .col(uuid("owner_id"))
                .col(uuid("account_id"))
                .col(text_col("first_name", 100))
                .col(string_len("last_name", 100))
                .col(text_col("title", 128))
                .col(text_col("email", 254))
                .col(text_col("phone", 32))
                .col(text_col("phone_digits", 32))
                .col(text_col("mailing_street", 500))
                .col(text_col("mailing_city", 100))
                .col(text_col("mailing_postal_code", 20))
                .col(text_col("mailing_region", 100))
                .col(text_col("mailing_country", 64))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .foreign_key(
                    ForeignKey::create()
                        .name("contacts_account")
                        .from("contacts", "account_id")
                        .to("accounts", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("contacts_partner_last_name", &["partner_id", "last_name", "id"][..]),
            ("contacts_partner_created", &["partner_id", "create_time", "id"][..]),
            ("contacts_account", &["account_id"][..]),
            ("contacts_partner_email", &["partner_id", "email"][..]),
        ] {
            let mut idx = Index::create().name(name).table("contacts").if_not_exists().to_owned();
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("contacts").if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table("accounts").if_exists().to_owned()).await
    }
}

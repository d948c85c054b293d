//! The quote service's schema, in order.

use prm_kit::row_security::{Guard, RowSecurityMigration};
use prm_kit::{outbox::OutboxMigration, record::RecordFeaturesMigration, search::SearchMigration};
use sea_orm_migration::{prelude::*, schema::*, sea_orm::ConnectionTrait};

use super::QUOTE_NUMBER;
use crate::domain::quote_number;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(RecordFeaturesMigration),
            Box::new(OutboxMigration),
            Box::new(CreateCatalogueAndQuotes),
            Box::new(SearchMigration),
            Box::new(super::indexing::BackfillSearch),
            Box::new(OnePrimaryPerPartnerProject),
            Box::new(RowSecurityMigration {
                name: "m20261202_000001_row_security",
                tables: &[
                    Guard::Partner("quotes"),
                    Guard::Child { table: "quote_lines", column: "quote_id", parent: "quotes" },
                ],
            }),
            Box::new(prm_kit::fence::FencesMigration),
            Box::new(QuoteNumbers),
        ]
    }
}

struct CreateCatalogueAndQuotes;

impl MigrationName for CreateCatalogueAndQuotes {
    fn name(&self) -> &str {
        "m20261125_000101_catalogue_and_quotes"
    }
}

fn txt(name: &'static str, len: u32) -> ColumnDef {
    string_len(name, len).default("").to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CreateCatalogueAndQuotes {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("products")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len_uniq("sku", 40))
                .col(string_len("name", 255))
                .col(string_len("family", 16))
                .col(string_len("billing", 16))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("list_prices")
                .if_not_exists()
                .col(uuid("product_id"))
                .col(string_len("currency", 3))
                .col(big_integer("amount_units"))
                .primary_key(Index::create().col("product_id").col("currency"))
                .foreign_key(
                    ForeignKey::create()
                        .from("list_prices", "product_id")
                        .to("products", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("partner_discounts")
                .if_not_exists()
                .col(string_len("scope", 100).primary_key())
                .col(big_integer("percent_units"))
                .col(timestamp_with_time_zone("update_time"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("weighted_average_prices")
                .if_not_exists()
                .col(string_len("currency", 3).primary_key())
                .col(big_integer("licenses_units"))
                .col(big_integer("hwaas_units"))
                .col(big_integer("classound_units"))
                .col(timestamp_with_time_zone("update_time"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("quotes")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("partner_id"))
                .col(uuid("owner_id"))
                .col(uuid("project_id"))
                .col(uuid("account_id"))
                .col(string_len("name", 255))
                .col(string_len("status", 16))
                .col(txt("expiry_date", 10))
                .col(string_len("currency", 3))
                .col(string_len("shipping_type", 16))
                .col(txt("ship_street", 500))
                .col(txt("ship_city", 100))
                .col(txt("ship_postal_code", 20))
                .col(txt("ship_region", 100))
                .col(txt("ship_country", 64))
                .col(big_integer("mrr_units"))
                .col(big_integer("one_time_units"))
                .col(boolean("is_primary"))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("quotes_partner_created", &["partner_id", "create_time", "id"][..]),
            ("quotes_project", &["project_id"][..]),
        ] {
            let mut idx = Index::create().name(name).table("quotes").if_not_exists().to_owned();
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx).await?;
        }
        // At most one primary quote per project, whatever races.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS quotes_one_primary ON quotes (project_id) WHERE is_primary",
            )
            .await?;
        m.create_table(
            Table::create()
                .table("quote_lines")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("quote_id"))
                .col(uuid("product_id"))
                .col(string_len("sku", 40))
                .col(string_len("product_name", 255))
                .col(big_integer("quantity"))
                .col(big_integer("unit_price_units"))
                .col(big_integer("discount_units"))
                .col(string_len("billing", 16))
                .col(big_integer("net_units"))
                .foreign_key(
                    ForeignKey::create()
                        .from("quote_lines", "quote_id")
                        .to("quotes", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("quote_lines_quote")
                .table("quote_lines")
                .col("quote_id")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["quote_lines", "quotes", "weighted_average_prices", "partner_discounts", "list_prices", "products"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}

/// One primary quote per project *of a partner*: a project id is only a
/// partner's own, so another partner's quote naming it (which the service
/// now refuses) could never take or block its primary.
struct OnePrimaryPerPartnerProject;

impl MigrationName for OnePrimaryPerPartnerProject {
    fn name(&self) -> &str {
        "m20261201_000102_one_primary_per_partner_project"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for OnePrimaryPerPartnerProject {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS quotes_one_primary").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS quotes_one_primary_per_project \
             ON quotes (partner_id, project_id) WHERE is_primary",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS quotes_one_primary_per_project").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS quotes_one_primary ON quotes (project_id) WHERE is_primary",
        )
        .await?;
        Ok(())
    }
}

/// Quote numbers (`Q-000123`), counted like order numbers; the quotes stored
/// before are numbered in the order they were created.
struct QuoteNumbers;

impl MigrationName for QuoteNumbers {
    fn name(&self) -> &str {
        "m20261203_000101_quote_numbers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for QuoteNumbers {
    /// All or nothing on SQLite too: half the quotes numbered would leave
    /// the counter behind them.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        m.create_table(
            Table::create()
                .table("counters")
                .if_not_exists()
                .col(string_len("name", 32).primary_key())
                .col(big_integer("value"))
                .to_owned(),
        )
        .await?;
        if !m.has_column("quotes", "number").await? {
            m.alter_table(Table::alter().table("quotes").add_column(txt("number", 20)).to_owned()).await?;
        }
        let ids = db
            .query_all(
                &Query::select()
                    .column("id")
                    .from("quotes")
                    .order_by("create_time", Order::Asc)
                    .order_by("id", Order::Asc)
                    .to_owned(),
            )
            .await?;
        let mut count = 0i64;
        for row in ids {
            let id: uuid::Uuid = row.try_get("", "id")?;
            count += 1;
            db.execute(
                &Query::update()
                    .table("quotes")
                    .value("number", quote_number(count))
                    .and_where(Expr::col("id").eq(id))
                    .to_owned(),
            )
            .await?;
        }
        db.execute(
            &Query::insert()
                .into_table("counters")
                .columns(["name", "value"])
                .values_panic([QUOTE_NUMBER.into(), count.into()])
                .on_conflict(OnConflict::column("name").update_column("value").to_owned())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("quotes_number").table("quotes").col("number").unique().if_not_exists().to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("quotes_number").table("quotes").if_exists().to_owned()).await?;
        m.alter_table(Table::alter().table("quotes").drop_column("number").to_owned()).await?;
        m.drop_table(Table::drop().table("counters").if_exists().to_owned()).await
    }
}

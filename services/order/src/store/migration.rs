//! The order service's schema, in order.

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
            Box::new(CreateOrders),
            Box::new(SearchMigration),
            Box::new(super::indexing::BackfillSearch),
            Box::new(RowSecurityMigration {
                name: "m20261202_000001_row_security",
                tables: &[
                    Guard::Partner("orders"),
                    Guard::Child { table: "order_lines", column: "order_id", parent: "orders" },
                ],
            }),
            Box::new(prm_kit::fence::FencesMigration),
        ]
    }
}

struct CreateOrders;

impl MigrationName for CreateOrders {
    fn name(&self) -> &str {
        "m20261126_000101_orders"
    }
}

fn txt(name: &'static str, len: u32) -> ColumnDef {
    string_len(name, len).default("").to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CreateOrders {
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
                .values_panic(["order_number".into(), 0i64.into()])
                .on_conflict(OnConflict::column("name").do_nothing().to_owned())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("orders")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len_uniq("number", 20))
                .col(uuid("partner_id"))
                .col(uuid("owner_id"))
                .col(string_len("order_type", 16))
                .col(string_len("status", 16))
                .col(uuid("quote_id"))
                .col(uuid("project_id"))
                .col(uuid("account_id"))
                .col(string_len("currency", 3))
                .col(txt("ship_street", 500))
                .col(txt("ship_city", 100))
                .col(txt("ship_postal_code", 20))
                .col(txt("ship_region", 100))
                .col(txt("ship_country", 64))
                .col(big_integer("mrr_units"))
                .col(big_integer("one_time_units"))
                .col(txt("request_id", 64))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("orders_partner_created", &["partner_id", "create_time", "id"][..]),
            ("orders_project", &["project_id"][..]),
        ] {
            let mut idx = Index::create().name(name).table("orders").if_not_exists().to_owned();
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx).await?;
        }
        // One order per quote, and one per idempotency key of a partner,
        // whatever races.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS orders_one_per_quote ON orders (quote_id) \
                 WHERE order_type = 'project'",
            )
            .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS orders_request ON orders (partner_id, request_id) \
                 WHERE request_id <> ''",
            )
            .await?;
        m.create_table(
            Table::create()
                .table("order_lines")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("order_id"))
                .col(integer("position"))
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
                        .from("order_lines", "order_id")
                        .to("orders", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("order_lines_order")
                .table("order_lines")
                .col("order_id")
                .col("position")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["order_lines", "orders", "counters"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}

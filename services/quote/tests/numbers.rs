//! Quote numbers on a database that had quotes before numbers existed: the
//! migration numbers them in the order they were created, and the counter
//! goes on after the last.

use chrono::{TimeZone, Utc};
use prm_kit::{db, testing::TestDatabase};
use prm_quote::store::{Migrator, next_quote_count, quote};
use sea_orm::{EntityTrait, QueryOrder, TransactionTrait};
use sea_orm_migration::{MigratorTrait, prelude::*};
use uuid::Uuid;

#[tokio::test]
async fn quotes_stored_before_numbers_are_numbered_in_creation_order() {
    let test_db = TestDatabase::create().await.unwrap();
    let conn = db::connect(&test_db.owner_url()).await.unwrap();
    let before = Migrator::migrations().len() as u32 - 1;
    db::as_system(Migrator::up(&conn, Some(before))).await.unwrap();
    // Ids in the reverse of the creation order, so the numbers follow the
    // creation time, not the id.
    let created = [3, 1, 2].map(|day| Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).unwrap());
    let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).rev().collect();
    for (id, at) in ids.iter().zip(created) {
        let insert = Query::insert()
            .into_table("quotes")
            .columns([
                "id",
                "partner_id",
                "owner_id",
                "project_id",
                "account_id",
                "name",
                "status",
                "currency",
                "shipping_type",
                "mrr_units",
                "one_time_units",
                "is_primary",
                "create_time",
                "update_time",
            ])
            .values_panic([
                (*id).into(),
                Uuid::now_v7().into(),
                Uuid::now_v7().into(),
                Uuid::now_v7().into(),
                Uuid::now_v7().into(),
                format!("Quote of {at}").into(),
                "draft".into(),
                "EUR".into(),
                "end_user".into(),
                0i64.into(),
                0i64.into(),
                false.into(),
                at.into(),
                at.into(),
            ])
            .to_owned();
        db::as_system(conn.execute(&insert)).await.unwrap();
    }
    db::as_system(Migrator::up(&conn, None)).await.unwrap();

    let quotes = db::as_system(quote::Entity::find().order_by_asc(quote::Column::Number).all(&conn)).await.unwrap();
    let numbered: Vec<(&str, Uuid)> = quotes.iter().map(|q| (q.number.as_str(), q.id)).collect();
    assert_eq!(numbered, [("Q-000001", ids[1]), ("Q-000002", ids[2]), ("Q-000003", ids[0])]);
    let next = db::as_system(async {
        let txn = conn.begin().await.unwrap();
        let n = next_quote_count(&txn).await.unwrap();
        txn.rollback().await.unwrap();
        n
    })
    .await;
    assert_eq!(next, 4, "new quotes count on after the numbered ones");
    conn.close().await.unwrap();
}

//! Global search and aggregates of the order service over real gRPC, on a
//! fresh database (PostgreSQL when PRM_TEST_DATABASE_URL is set, SQLite
//! otherwise), with the quote service whose price book stock orders use.

use prm_kit::{
    Caller, Role,
    auth::CallerInterceptor,
    testing::{
        TestServices,
        aggregates::{group, measure, request, rows},
        field_of, person,
        search::{ids, titles},
    },
};
use prm_proto::{
    common::v1::{Address, Money, RecordType},
    order::v1::{self as pb, order_service_client::OrderServiceClient},
    quote::v1::{self as qpb, quote_service_client::QuoteServiceClient},
    record::v1::{self as rpb, AggregateFunction as F, DateBucket},
};
use sea_orm::ConnectionTrait;
use sea_orm_migration::{MigrationTrait, SchemaManager};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Orders = OrderServiceClient<InterceptedService<Channel, CallerInterceptor>>;

struct TestApp {
    services: TestServices,
}

impl TestApp {
    async fn spawn() -> TestApp {
        let mut services = TestServices::new();
        services.start::<prm_account::AccountService>().await;
        services.start::<prm_quote::QuoteService>().await;
        services.start::<prm_order::OrderService>().await;
        TestApp { services }
    }

    async fn orders(&self, caller: &Caller) -> Orders {
        OrderServiceClient::with_interceptor(self.services.channel("order").await, self.services.auth(caller))
    }

    /// A product of the vendor's price book at `price` EUR.
    async fn product(&self, sku: &str, billing: qpb::Billing, price: &str) -> String {
        let mut v =
            QuoteServiceClient::with_interceptor(self.services.channel("quote").await, self.services.auth(&vendor()));
        let p = v
            .create_product(qpb::CreateProductRequest {
                product: Some(qpb::Product {
                    sku: sku.into(),
                    name: sku.into(),
                    family: qpb::ProductFamily::Licenses as i32,
                    billing: billing as i32,
                    ..Default::default()
                }),
            })
            .await
            .unwrap()
            .into_inner()
            .product
            .unwrap();
        v.set_list_price(qpb::SetListPriceRequest {
            product_id: p.id.clone(),
            price: Some(Money { currency_code: "EUR".into(), amount: price.into() }),
        })
        .await
        .unwrap();
        p.id
    }
}

fn partner_user() -> Caller {
    person(Role::PartnerUser, Some(Uuid::now_v7()))
}

fn vendor() -> Caller {
    person(Role::VendorAdmin, None)
}

/// A stock order shipping to `city` with `(product, quantity)` lines.
async fn stock(app: &TestApp, caller: &Caller, city: &str, lines: &[(&str, i64)]) -> pb::Order {
    app.orders(caller)
        .await
        .create_stock_order(pb::CreateStockOrderRequest {
            order: Some(pb::Order {
                currency_code: "EUR".into(),
                shipping_address: Some(Address { street: "7 Quay St".into(), city: city.into(), ..Default::default() }),
                lines: lines
                    .iter()
                    .map(|(p, n)| pb::OrderLine { product_id: p.to_string(), quantity: *n, ..Default::default() })
                    .collect(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .order
        .unwrap()
}

async fn transition(app: &TestApp, caller: &Caller, id: &str, to: pb::OrderStatus) -> pb::Order {
    app.orders(caller)
        .await
        .transition_order(pb::TransitionOrderRequest { id: id.into(), status: to as i32 })
        .await
        .unwrap()
        .into_inner()
        .order
        .unwrap()
}

#[tokio::test]
async fn search_finds_orders_by_number_and_city_in_the_callers_scope_only() {
    let app = TestApp::spawn().await;
    let lic = app.product("LIC", qpb::Billing::Monthly, "10").await;
    let (a, b) = (partner_user(), partner_user());
    let first = stock(&app, &a, "Mönchengladbach", &[(&lic, 1)]).await;
    let second = stock(&app, &a, "Bremen", &[(&lic, 1)]).await;
    let theirs = stock(&app, &b, "Mönchengladbach", &[(&lic, 1)]).await;
    assert_eq!((first.number.as_str(), theirs.number.as_str()), ("ORD-000001", "ORD-000003"));

    // By number, any case; the exact number first.
    let found = app.services.search("order", &a, "ord-000001").await;
    assert_eq!(ids(&found), [first.id.as_str()]);
    assert_eq!(found[0].record.as_ref().unwrap().r#type, RecordType::Order as i32);
    assert_eq!(found[0].subtitle, "stock order · draft · EUR");
    assert!(found[0].score > 0.99, "the exact title");
    assert_eq!(titles(&app.services.search("order", &a, "ORD-00000").await), ["ORD-000001", "ORD-000002"]);
    // By the shipping city, accents folded.
    assert_eq!(ids(&app.services.search("order", &a, "MONCHENGLADBACH").await), [first.id.as_str()]);
    // Never another partner's order; support agents see none.
    assert!(!ids(&app.services.search("order", &a, "gladbach").await).contains(&theirs.id));
    assert_eq!(ids(&app.services.search("order", &b, "ord-000003").await), [theirs.id.as_str()]);
    assert!(app.services.search("order", &a, "ord-000003").await.is_empty());
    assert!(app.services.search("order", &person(Role::SupportAgent, None), "ord").await.is_empty());
    assert_eq!(app.services.search("order", &vendor(), "ord-00000").await.len(), 3);

    // A status move changes what it shows (orders are never deleted).
    transition(&app, &a, &second.id, pb::OrderStatus::Submitted).await;
    assert_eq!(app.services.search("order", &a, "ord-000002").await[0].subtitle, "stock order · submitted · EUR");
    transition(&app, &a, &second.id, pb::OrderStatus::Cancelled).await;
    assert_eq!(app.services.search("order", &a, "bremen").await[0].subtitle, "stock order · cancelled · EUR");
    app.services.stop().await;
}

#[tokio::test]
async fn orders_written_before_search_existed_are_indexed_by_the_backfill() {
    let app = TestApp::spawn().await;
    let lic = app.product("LIC", qpb::Billing::Monthly, "10").await;
    let a = partner_user();
    let o = stock(&app, &a, "Hooliville", &[(&lic, 2)]).await;
    let db = prm_kit::db::connect(&app.services.database_url("order")).await.unwrap();
    db.execute_unprepared("DELETE FROM search_documents").await.unwrap();
    assert!(app.services.search("order", &a, "hooliville").await.is_empty());
    prm_order::store::BackfillSearch.up(&SchemaManager::new(&db)).await.unwrap();
    assert_eq!(ids(&app.services.search("order", &a, "hooliville").await), [o.id.as_str()]);
    assert_eq!(ids(&app.services.search("order", &a, "ORD-000001").await), [o.id.as_str()]);
    db.close().await.unwrap();
    app.services.stop().await;
}

#[tokio::test]
async fn aggregates_sum_the_order_totals_exactly() {
    let app = TestApp::spawn().await;
    let monthly = app.product("LIC-M", qpb::Billing::Monthly, "12.3456").await;
    let once = app.product("HW-1", qpb::Billing::OneTime, "1234.5678").await;
    let (a, b) = (partner_user(), partner_user());
    stock(&app, &a, "Bremen", &[(&monthly, 1), (&once, 1)]).await;
    stock(&app, &a, "Bremen", &[(&monthly, 3)]).await;
    let cancelled = stock(&app, &a, "Kiel", &[(&once, 2)]).await;
    transition(&app, &a, &cancelled.id, pb::OrderStatus::Cancelled).await;
    stock(&app, &b, "Bremen", &[(&once, 100)]).await;

    let total = app
        .services
        .aggregate(
            "order",
            &a,
            request(
                "orders",
                vec![],
                "",
                vec![
                    measure(F::Count, ""),
                    measure(F::Sum, "mrr"),
                    measure(F::Sum, "one_time_total"),
                    measure(F::Avg, "mrr"),
                    measure(F::Avg, "one_time_total"),
                    measure(F::Min, "one_time_total"),
                    measure(F::Sum, "open"),
                ],
            ),
        )
        .await
        .unwrap();
    // Nets to the cent: MRR 12.35 + 37.04 + 0; one-time 1234.57 + 0 + 2469.14.
    assert_eq!(rows(&total), [(vec![], vec!["3", "49.39", "3703.71", "16.4633", "1234.57", "0.00", "2"])]);
    let by_status = app
        .services
        .aggregate(
            "order",
            &a,
            request(
                "orders",
                vec![group("status", DateBucket::Unspecified), group("type", DateBucket::Unspecified)],
                "",
                vec![measure(F::Count, ""), measure(F::Sum, "one_time_total")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        rows(&by_status),
        [(vec!["cancelled", "stock"], vec!["1", "2469.14"]), (vec!["draft", "stock"], vec!["2", "1234.57"])]
    );
    let by_year = app
        .services
        .aggregate(
            "order",
            &a,
            request(
                "orders",
                vec![group("create_time", DateBucket::Year)],
                r#"status != "cancelled" AND currency_code = "EUR""#,
                vec![measure(F::Sum, "mrr")],
            ),
        )
        .await
        .unwrap();
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(rows(&by_year), [(vec![year.as_str()], vec!["49.39"])]);
    let theirs = app
        .services
        .aggregate("order", &b, request("orders", vec![], "", vec![measure(F::Sum, "one_time_total")]))
        .await
        .unwrap();
    assert_eq!(rows(&theirs), [(vec![], vec!["123456.78"])]);
    let everyone = app
        .services
        .aggregate("order", &vendor(), request("orders", vec![], "", vec![measure(F::Sum, "one_time_total")]))
        .await;
    assert_eq!(rows(&everyone.unwrap()), [(vec![], vec!["127160.49"])]);

    for (r, field) in [
        (request("orders", vec![], "", vec![measure(F::Sum, "number")]), "measures[0].field"),
        (request("orders", vec![], "", vec![measure(F::Count, ""), measure(F::Avg, "weight")]), "measures[1].field"),
        (
            request("orders", vec![group("status", DateBucket::Week)], "", vec![measure(F::Count, "")]),
            "group_by[0].bucket",
        ),
        (rpb::AggregateRequest { collection: "quotes".into(), ..request("orders", vec![], "", vec![]) }, "collection"),
    ] {
        let e = app.services.aggregate("order", &a, r).await.unwrap_err();
        assert_eq!((e.code(), field_of(&e)), (Code::InvalidArgument, field.to_string()));
    }
    app.services.stop().await;
}

//! Global search and aggregates of the quote service over real gRPC, on a
//! fresh database (PostgreSQL when PRM_TEST_DATABASE_URL is set, SQLite
//! otherwise), with the account service quotes take their address from and
//! the project service that checks the project a quote names.

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
    account::v1::{self as apb, account_service_client::AccountServiceClient},
    common::v1::{Address, Money, RecordType},
    quote::v1::{self as pb, quote_service_client::QuoteServiceClient},
    record::v1::{self as rpb, AggregateFunction as F, DateBucket},
};
use sea_orm::ConnectionTrait;
use sea_orm_migration::{MigrationTrait, SchemaManager};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Client = QuoteServiceClient<InterceptedService<Channel, CallerInterceptor>>;

struct TestApp {
    services: TestServices,
}

impl TestApp {
    async fn spawn() -> TestApp {
        let mut services = TestServices::new();
        services.start::<prm_account::AccountService>().await;
        services.reserve("quote").await;
        services.start::<prm_project::ProjectService>().await;
        services.start::<prm_quote::QuoteService>().await;
        TestApp { services }
    }

    async fn client(&self, caller: &Caller) -> Client {
        QuoteServiceClient::with_interceptor(self.services.channel("quote").await, self.services.auth(caller))
    }

    /// A partner user and an account of theirs shipping to Hamburg.
    async fn seller(&self) -> (Caller, String) {
        let me = person(Role::PartnerUser, Some(Uuid::now_v7()));
        let account =
            AccountServiceClient::with_interceptor(self.services.channel("account").await, self.services.auth(&me))
                .create_account(apb::CreateAccountRequest {
                    account: Some(apb::Account {
                        name: "Globex".into(),
                        shipping_address: Some(Address { city: "Hamburg".into(), ..Default::default() }),
                        ..Default::default()
                    }),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
                .account
                .unwrap();
        (me, account.id)
    }
}

fn vendor() -> Caller {
    person(Role::VendorAdmin, None)
}

async fn create_quote(app: &TestApp, caller: &Caller, account: &str, name: &str) -> pb::Quote {
    app.client(caller)
        .await
        .create_quote(pb::CreateQuoteRequest {
            quote: Some(pb::Quote {
                name: name.into(),
                project_id: app.services.create_project(caller, account).await,
                account_id: account.into(),
                currency_code: "EUR".into(),
                shipping_address_type: pb::ShippingAddressType::EndUser as i32,
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .quote
        .unwrap()
}

async fn transition(app: &TestApp, caller: &Caller, id: &str, to: pb::QuoteStatus) -> pb::Quote {
    app.client(caller)
        .await
        .transition_quote(pb::TransitionQuoteRequest { id: id.into(), status: to as i32 })
        .await
        .unwrap()
        .into_inner()
        .quote
        .unwrap()
}

#[tokio::test]
async fn search_finds_quotes_by_a_word_of_their_name_in_the_callers_scope_only() {
    let app = TestApp::spawn().await;
    let ((a, acc_a), (b, acc_b)) = (app.seller().await, app.seller().await);
    let offer = create_quote(&app, &a, &acc_a, "Café Müller Angebot").await;
    let second = create_quote(&app, &a, &acc_a, "Café Müller Angebot 2").await;
    let theirs = create_quote(&app, &b, &acc_b, "Café Müller Angebot").await;

    let found = app.services.search("quote", &a, "cafe muller angebot").await;
    assert_eq!(titles(&found), ["Café Müller Angebot", "Café Müller Angebot 2"]);
    assert_eq!(ids(&found), [offer.id.as_str(), second.id.as_str()]);
    assert_eq!(found[0].record.as_ref().unwrap().r#type, RecordType::Quote as i32);
    assert_eq!(found[0].subtitle, "draft · EUR");
    assert!(found[0].score > found[1].score);
    assert_eq!(app.services.search("quote", &a, "HAMBURG").await.len(), 2, "by the shipping city");
    assert!(!ids(&app.services.search("quote", &a, "muller").await).contains(&theirs.id));
    assert_eq!(ids(&app.services.search("quote", &b, "muller").await), [theirs.id.as_str()]);
    assert!(app.services.search("quote", &person(Role::SupportAgent, None), "muller").await.is_empty());
    assert_eq!(app.services.search("quote", &vendor(), "muller").await.len(), 3);

    // An edit changes what is found, a status move what it shows; a delete removes it.
    app.client(&a)
        .await
        .update_quote(pb::UpdateQuoteRequest {
            quote: Some(pb::Quote { id: second.id.clone(), name: "Initech offer".into(), ..Default::default() }),
            update_mask: Some(prost_types::FieldMask { paths: vec!["name".into()] }),
        })
        .await
        .unwrap();
    assert_eq!(ids(&app.services.search("quote", &a, "muller").await), [offer.id.as_str()]);
    assert_eq!(ids(&app.services.search("quote", &a, "initech").await), [second.id.as_str()]);
    transition(&app, &a, &offer.id, pb::QuoteStatus::Presented).await;
    assert_eq!(app.services.search("quote", &a, "muller").await[0].subtitle, "presented · EUR");
    app.client(&a).await.delete_quote(pb::DeleteQuoteRequest { id: second.id.clone() }).await.unwrap();
    assert!(app.services.search("quote", &a, "initech").await.is_empty());
    app.services.stop().await;
}

#[tokio::test]
async fn quotes_written_before_search_existed_are_indexed_by_the_backfill() {
    let app = TestApp::spawn().await;
    let (a, acc) = app.seller().await;
    let q = create_quote(&app, &a, &acc, "Hooli phones").await;
    let db = prm_kit::db::connect(&app.services.database_url("quote")).await.unwrap();
    db.execute_unprepared("DELETE FROM search_documents").await.unwrap();
    assert!(app.services.search("quote", &a, "hooli").await.is_empty());
    prm_quote::store::BackfillSearch.up(&SchemaManager::new(&db)).await.unwrap();
    assert_eq!(ids(&app.services.search("quote", &a, "hooli").await), [q.id.as_str()]);
    db.close().await.unwrap();
    app.services.stop().await;
}

async fn product(v: &mut Client, sku: &str, billing: pb::Billing, price: &str) -> String {
    let p = v
        .create_product(pb::CreateProductRequest {
            product: Some(pb::Product {
                sku: sku.into(),
                name: sku.into(),
                family: pb::ProductFamily::Licenses as i32,
                billing: billing as i32,
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .product
        .unwrap();
    v.set_list_price(pb::SetListPriceRequest {
        product_id: p.id.clone(),
        price: Some(Money { currency_code: "EUR".into(), amount: price.into() }),
    })
    .await
    .unwrap();
    p.id
}

#[tokio::test]
async fn aggregates_sum_the_quote_totals_exactly() {
    let app = TestApp::spawn().await;
    let mut v = app.client(&vendor()).await;
    let monthly = product(&mut v, "LIC-M", pb::Billing::Monthly, "12.3456").await;
    let once = product(&mut v, "HW-1", pb::Billing::OneTime, "1234.5678").await;
    let ((a, acc_a), (b, acc_b)) = (app.seller().await, app.seller().await);
    let mut c = app.client(&a).await;
    // (monthly, one-time) quantities of each quote.
    for (i, (m, o)) in [(1, 1), (3, 0), (0, 2)].into_iter().enumerate() {
        let q = create_quote(&app, &a, &acc_a, &format!("Q{i}")).await;
        for (product, quantity) in [(&monthly, m), (&once, o)].into_iter().filter(|(_, n)| *n > 0) {
            c.add_quote_line(pb::AddQuoteLineRequest {
                quote_id: q.id.clone(),
                line: Some(pb::QuoteLine { product_id: product.clone(), quantity, ..Default::default() }),
            })
            .await
            .unwrap();
        }
        if i == 0 {
            transition(&app, &a, &q.id, pb::QuoteStatus::Presented).await;
        }
    }
    let theirs = create_quote(&app, &b, &acc_b, "Theirs").await;
    app.client(&b)
        .await
        .add_quote_line(pb::AddQuoteLineRequest {
            quote_id: theirs.id.clone(),
            line: Some(pb::QuoteLine { product_id: once.clone(), quantity: 100, ..Default::default() }),
        })
        .await
        .unwrap();

    let all = vec![
        measure(F::Count, ""),
        measure(F::Sum, "mrr"),
        measure(F::Sum, "one_time_total"),
        measure(F::Avg, "mrr"),
        measure(F::Avg, "one_time_total"),
        measure(F::Max, "mrr"),
        measure(F::Sum, "open"),
    ];
    let total = app.services.aggregate("quote", &a, request("quotes", vec![], "", all)).await.unwrap();
    // Nets to the cent: MRR 12.35 + 37.04 + 0; one-time 1234.57 + 0 + 2469.14.
    // (An average keeps 4 places: 49.39 / 3.)
    assert_eq!(rows(&total), [(vec![], vec!["3", "49.39", "3703.71", "16.4633", "1234.57", "37.04", "3"])]);
    let by_status = app
        .services
        .aggregate(
            "quote",
            &a,
            request(
                "quotes",
                vec![group("status", DateBucket::Unspecified)],
                "",
                vec![measure(F::Count, ""), measure(F::Sum, "mrr"), measure(F::Sum, "one_time_total")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        rows(&by_status),
        [(vec!["draft"], vec!["2", "37.04", "2469.14"]), (vec!["presented"], vec!["1", "12.35", "1234.57"])]
    );
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let by_month = app
        .services
        .aggregate(
            "quote",
            &a,
            request(
                "quotes",
                vec![group("create_time", DateBucket::Month)],
                r#"status = "draft" AND currency_code = "EUR""#,
                vec![measure(F::Sum, "one_time_total")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(rows(&by_month), [(vec![month.as_str()], vec!["2469.14"])]);
    let theirs = app
        .services
        .aggregate("quote", &b, request("quotes", vec![], "", vec![measure(F::Sum, "one_time_total")]))
        .await
        .unwrap();
    assert_eq!(rows(&theirs), [(vec![], vec!["123456.78"])]);
    let everyone = app
        .services
        .aggregate("quote", &vendor(), request("quotes", vec![], "", vec![measure(F::Sum, "one_time_total")]))
        .await;
    assert_eq!(rows(&everyone.unwrap()), [(vec![], vec!["127160.49"])]);

    for (r, field) in [
        (request("quotes", vec![], "", vec![measure(F::Sum, "name")]), "measures[0].field"),
        (request("quotes", vec![], "", vec![measure(F::Sum, "total")]), "measures[0].field"),
        (
            request("quotes", vec![group("mrr", DateBucket::Month)], "", vec![measure(F::Count, "")]),
            "group_by[0].bucket",
        ),
        (rpb::AggregateRequest { collection: "orders".into(), ..request("quotes", vec![], "", vec![]) }, "collection"),
    ] {
        let e = app.services.aggregate("quote", &a, r).await.unwrap_err();
        assert_eq!((e.code(), field_of(&e)), (Code::InvalidArgument, field.to_string()));
    }
    app.services.stop().await;
}

//! The order service over real gRPC, with the quote service it orders from
//! and the account service the quotes need, each on a fresh database
//! (PostgreSQL when PRM_TEST_DATABASE_URL is set, SQLite otherwise).

use std::{net::SocketAddr, sync::Arc};

use prm_kit::{
    Caller, Role,
    auth::{CallerInterceptor, InternalKey},
    outbox::{Relay, RelayConfig, Sink, outbox_event},
    testing::{TestServices, field_of},
};
use prm_proto::{
    account::v1::{self as apb, account_service_client::AccountServiceClient},
    common::v1::{Address, Money, RecordRef, RecordType},
    order::v1::{self as pb, order_service_client::OrderServiceClient},
    outbox::v1 as opb,
    quote::v1::{self as qpb, quote_service_client::QuoteServiceClient},
    record::v1::{self as rpb, record_service_client::RecordServiceClient},
};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Intercepted = InterceptedService<Channel, CallerInterceptor>;
type Orders = OrderServiceClient<Intercepted>;
type Quotes = QuoteServiceClient<Intercepted>;

struct TestApp {
    order_addr: SocketAddr,
    quote_addr: SocketAddr,
    account_addr: SocketAddr,
    key: InternalKey,
    order_db_url: String,
    services: TestServices,
}

impl TestApp {
    async fn spawn() -> TestApp {
        let mut services = TestServices::new();
        let account_addr = services.start::<prm_account::AccountService>().await;
        services.reserve("quote").await;
        let project_addr = services.start::<prm_project::ProjectService>().await;
        let quote_addr = services.start::<prm_quote::QuoteService>().await;
        // The order service's own events stay in its outbox for the tests to
        // read: its consumer is pointed where nobody listens.
        services.point("project", "127.0.0.1:1".parse().unwrap());
        let order_addr = services.start::<prm_order::OrderService>().await;
        services.point("project", project_addr);
        TestApp {
            order_addr,
            quote_addr,
            account_addr,
            key: services.key.clone(),
            order_db_url: services.database_url("order"),
            services,
        }
    }

    async fn channel(&self, addr: SocketAddr) -> Channel {
        Channel::from_shared(format!("http://{addr}")).unwrap().connect().await.unwrap()
    }

    fn auth(&self, caller: &Caller) -> CallerInterceptor {
        CallerInterceptor::new(&self.key, caller).unwrap()
    }

    async fn orders(&self, caller: &Caller) -> Orders {
        OrderServiceClient::with_interceptor(self.channel(self.order_addr).await, self.auth(caller))
    }

    async fn quotes(&self, caller: &Caller) -> Quotes {
        QuoteServiceClient::with_interceptor(self.channel(self.quote_addr).await, self.auth(caller))
    }

    async fn records(&self, caller: &Caller) -> RecordServiceClient<Intercepted> {
        RecordServiceClient::with_interceptor(self.channel(self.order_addr).await, self.auth(caller))
    }

    async fn accounts(&self, caller: &Caller) -> AccountServiceClient<Intercepted> {
        AccountServiceClient::with_interceptor(self.channel(self.account_addr).await, self.auth(caller))
    }

    /// The order service's outbox, nothing delivered yet.
    async fn outbox(&self) -> Vec<outbox_event::Model> {
        let db = prm_kit::db::connect(&self.order_db_url).await.unwrap();
        Relay::new(db, Arc::new(Nowhere), RelayConfig::default()).pending().await.unwrap()
    }

    /// A project of `caller`'s partner on `account`, for quotes to name.
    async fn project(&self, caller: &Caller, account: &str) -> String {
        self.services.create_project(caller, account).await
    }

    async fn stop(self) {
        self.services.stop().await;
    }
}

struct Nowhere;

#[tonic::async_trait]
impl Sink for Nowhere {
    async fn deliver(&self, _: &opb::Event) -> anyhow::Result<()> {
        anyhow::bail!("not delivering in tests")
    }
}

fn person(role: Role, partner: Option<Uuid>) -> Caller {
    Caller { user_id: Uuid::now_v7(), partner_id: partner, role, assigned_partners: vec![], partner_tier: None }
}

fn vendor() -> Caller {
    person(Role::VendorAdmin, None)
}

fn ops() -> Caller {
    person(Role::Ops, None)
}

fn money(c: &str, a: &str) -> Option<Money> {
    Some(Money { currency_code: c.into(), amount: a.into() })
}

fn amount(m: &Option<Money>) -> &str {
    m.as_ref().map(|m| m.amount.as_str()).unwrap_or("")
}

async fn product(v: &mut Quotes, sku: &str, billing: qpb::Billing, prices: &[(&str, &str)]) -> String {
    let p = v
        .create_product(qpb::CreateProductRequest {
            product: Some(qpb::Product {
                sku: sku.into(),
                name: format!("Product {sku}"),
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
    for (cur, amount) in prices {
        v.set_list_price(qpb::SetListPriceRequest { product_id: p.id.clone(), price: money(cur, amount) })
            .await
            .unwrap();
    }
    p.id
}

/// The vendor's catalogue of these tests: a monthly licence, a one-time
/// phone, and a monthly channel priced to four decimals.
struct Catalogue {
    lic: String,
    hw: String,
    ch: String,
}

async fn catalogue(app: &TestApp) -> Catalogue {
    let mut v = app.quotes(&vendor()).await;
    Catalogue {
        lic: product(&mut v, "LIC-PRO", qpb::Billing::Monthly, &[("EUR", "19.99")]).await,
        hw: product(&mut v, "HW-PHONE", qpb::Billing::OneTime, &[("EUR", "249.00"), ("USD", "270")]).await,
        ch: product(&mut v, "CLS-CHAN", qpb::Billing::Monthly, &[("EUR", "0.0333")]).await,
    }
}

/// A partner user with an account (shipping address set), ready to quote.
async fn seller(app: &TestApp) -> (Caller, String) {
    let me = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let account = app
        .accounts(&me)
        .await
        .create_account(apb::CreateAccountRequest {
            account: Some(apb::Account {
                name: "Globex".into(),
                shipping_address: Some(Address {
                    street: "1 Dock Rd".into(),
                    city: "Hamburg".into(),
                    postal_code: "20457".into(),
                    country: "DE".into(),
                    ..Default::default()
                }),
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

/// A quote of `me` with these lines (product, quantity, discount), moved
/// along its path to `status`.
async fn quote(
    app: &TestApp,
    me: &Caller,
    account_id: &str,
    lines: &[(&str, i64, &str)],
    status: qpb::QuoteStatus,
) -> qpb::Quote {
    let mut c = app.quotes(me).await;
    let mut q = c
        .create_quote(qpb::CreateQuoteRequest {
            quote: Some(qpb::Quote {
                name: "Offer".into(),
                project_id: app.project(me, account_id).await,
                account_id: account_id.into(),
                currency_code: "EUR".into(),
                shipping_address_type: qpb::ShippingAddressType::EndUser as i32,
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .quote
        .unwrap();
    for (product_id, quantity, discount) in lines {
        q = c
            .add_quote_line(qpb::AddQuoteLineRequest {
                quote_id: q.id.clone(),
                line: Some(qpb::QuoteLine {
                    product_id: product_id.to_string(),
                    quantity: *quantity,
                    ..Default::default()
                }),
            })
            .await
            .unwrap()
            .into_inner()
            .quote
            .unwrap();
        if !discount.is_empty() {
            // Only the vendor admin sets a line's own discount.
            let line_id = q.lines.last().unwrap().id.clone();
            q = app
                .quotes(&vendor())
                .await
                .update_quote_line(qpb::UpdateQuoteLineRequest {
                    quote_id: q.id.clone(),
                    line: Some(qpb::QuoteLine {
                        id: line_id,
                        discount_percent: discount.to_string(),
                        ..Default::default()
                    }),
                    update_mask: Some(prost_types::FieldMask { paths: vec!["discount_percent".into()] }),
                })
                .await
                .unwrap()
                .into_inner()
                .quote
                .unwrap();
        }
    }
    use qpb::QuoteStatus::*;
    for step in [Presented, ContractSent, Accepted] {
        if q.status == status as i32 {
            break;
        }
        q = c
            .transition_quote(qpb::TransitionQuoteRequest { id: q.id.clone(), status: step as i32 })
            .await
            .unwrap()
            .into_inner()
            .quote
            .unwrap();
    }
    assert_eq!(q.status, status as i32);
    q
}

async fn accepted_quote(app: &TestApp, me: &Caller, account_id: &str, cat: &Catalogue) -> qpb::Quote {
    let lines = [(cat.lic.as_str(), 250, "12.5"), (cat.hw.as_str(), 37, ""), (cat.ch.as_str(), 999_999, "33.33")];
    quote(app, me, account_id, &lines, qpb::QuoteStatus::Accepted).await
}

async fn from_quote(c: &mut Orders, quote_id: &str, request_id: &str) -> Result<pb::Order, tonic::Status> {
    c.create_order_from_quote(pb::CreateOrderFromQuoteRequest {
        quote_id: quote_id.into(),
        request_id: request_id.into(),
    })
    .await
    .map(|r| r.into_inner().order.unwrap())
}

fn line(product_id: &str, quantity: i64) -> pb::OrderLine {
    pb::OrderLine { product_id: product_id.into(), quantity, ..Default::default() }
}

/// A line that names a discount, which partners may not.
fn line_with_discount(product_id: &str, percent: &str) -> pb::OrderLine {
    pb::OrderLine { discount_percent: percent.into(), ..line(product_id, 1) }
}

/// The vendor's discount for `partner`.
async fn partner_discount(app: &TestApp, partner: Uuid, percent: &str) {
    app.quotes(&vendor())
        .await
        .set_partner_discount(qpb::SetPartnerDiscountRequest {
            discount: Some(qpb::PartnerDiscount {
                partner_id: partner.to_string(),
                percent: percent.into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap();
}

fn dock() -> Option<Address> {
    Some(Address { street: "7 Quay St".into(), city: "Bremen".into(), ..Default::default() })
}

async fn stock(
    c: &mut Orders,
    currency: &str,
    lines: Vec<pb::OrderLine>,
    request_id: &str,
) -> Result<pb::Order, tonic::Status> {
    c.create_stock_order(pb::CreateStockOrderRequest {
        order: Some(pb::Order {
            currency_code: currency.into(),
            shipping_address: dock(),
            lines,
            ..Default::default()
        }),
        request_id: request_id.into(),
    })
    .await
    .map(|r| r.into_inner().order.unwrap())
}

async fn get(c: &mut Orders, id: &str) -> Result<pb::Order, tonic::Status> {
    c.get_order(pb::GetOrderRequest { id: id.into() }).await.map(|r| r.into_inner().order.unwrap())
}

async fn transition(c: &mut Orders, id: &str, to: pb::OrderStatus) -> Result<pb::Order, tonic::Status> {
    c.transition_order(pb::TransitionOrderRequest { id: id.into(), status: to as i32 })
        .await
        .map(|r| r.into_inner().order.unwrap())
}

async fn list(c: &mut Orders, filter: &str) -> Vec<pb::Order> {
    c.list_orders(pb::ListOrdersRequest { filter: filter.into(), page_size: 500, ..Default::default() })
        .await
        .unwrap_or_else(|e| panic!("{filter}: {e}"))
        .into_inner()
        .orders
}

async fn history(app: &TestApp, caller: &Caller, id: &str) -> Result<Vec<rpb::FieldChange>, tonic::Status> {
    app.records(caller)
        .await
        .list_field_changes(rpb::ListFieldChangesRequest {
            record: Some(RecordRef { r#type: RecordType::Order as i32, id: id.into() }),
            ..Default::default()
        })
        .await
        .map(|r| r.into_inner().field_changes)
}

fn topics(events: &[outbox_event::Model]) -> Vec<&str> {
    events.iter().map(|e| e.topic.as_str()).collect()
}

#[tokio::test]
async fn an_order_from_an_accepted_quote_copies_its_lines_and_totals_and_is_published() {
    let app = TestApp::spawn().await;
    let cat = catalogue(&app).await;
    let (me, account) = seller(&app).await;
    let q = accepted_quote(&app, &me, &account, &cat).await;
    let mut c = app.orders(&me).await;
    let o = from_quote(&mut c, &q.id, "").await.unwrap();

    assert_eq!((o.r#type, o.status), (pb::OrderType::Project as i32, pb::OrderStatus::Draft as i32));
    assert_eq!(o.number, "ORD-000001");
    assert_eq!((o.quote_id.as_str(), o.project_id.as_str()), (q.id.as_str(), q.project_id.as_str()));
    assert_eq!((o.account_id.as_str(), o.partner_id.as_str()), (account.as_str(), q.partner_id.as_str()));
    assert_eq!(o.owner_id, me.user_id.to_string());
    assert_eq!(o.currency_code, "EUR");
    assert_eq!(o.shipping_address, q.shipping_address, "the quote's shipping address");
    assert_eq!(o.shipping_address.as_ref().unwrap().city, "Hamburg");
    assert_eq!(o.lines.len(), 3);
    for (ol, ql) in o.lines.iter().zip(&q.lines) {
        assert_eq!(
            (&ol.product_id, &ol.sku, &ol.product_name, ol.quantity),
            (&ql.product_id, &ql.sku, &ql.product_name, ql.quantity)
        );
        assert_eq!((&ol.unit_price, &ol.net_amount), (&ql.unit_price, &ql.net_amount), "{}", ql.sku);
        assert_eq!(ol.discount_percent, ql.discount_percent, "{}", ql.sku);
        let billing = qpb::Billing::try_from(ql.billing).unwrap().as_str_name().to_string();
        assert_eq!(pb::Billing::try_from(ol.billing).unwrap().as_str_name(), billing);
    }
    // 250 × 19.99 × 0.875; 37 × 249; 999999 × 0.0333 × 0.6667, each to the cent.
    let nets: Vec<&str> = o.lines.iter().map(|l| amount(&l.net_amount)).collect();
    assert_eq!(nets, ["4372.81", "9213.00", "22201.09"]);
    assert_eq!((amount(&o.mrr), amount(&o.one_time_total)), ("26573.90", "9213.00"));
    assert_eq!((&o.mrr, &o.one_time_total), (&q.mrr, &q.one_time_total));
    // Read back from the database: the same order.
    let again = get(&mut c, &o.id).await.unwrap();
    assert_eq!(again, o);

    let events = app.outbox().await;
    assert_eq!(topics(&events), ["order.placed"], "exactly one event on placing");
    let payload: serde_json::Value = serde_json::from_str(&events[0].payload).unwrap();
    assert_eq!(
        payload,
        serde_json::json!({
            "order_id": o.id, "quote_id": q.id, "project_id": q.project_id, "partner_id": q.partner_id,
        })
    );
    assert_eq!(events[0].aggregate_id, o.id);

    // Through to completion: one more event, and every move in the history.
    let mut v = app.orders(&vendor()).await;
    transition(&mut c, &o.id, pb::OrderStatus::Submitted).await.unwrap();
    transition(&mut v, &o.id, pb::OrderStatus::Approved).await.unwrap();
    transition(&mut v, &o.id, pb::OrderStatus::Shipped).await.unwrap();
    assert_eq!(topics(&app.outbox().await), ["order.placed"], "no event before completion");
    let done = transition(&mut c, &o.id, pb::OrderStatus::Completed).await.unwrap();
    assert_eq!(done.status, pb::OrderStatus::Completed as i32);
    let events = app.outbox().await;
    assert_eq!(topics(&events), ["order.placed", "order.completed"]);
    let payload: serde_json::Value = serde_json::from_str(&events[1].payload).unwrap();
    assert_eq!(payload["project_id"], q.project_id.as_str());
    let moves: Vec<(String, String)> = history(&app, &me, &o.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.field == "status")
        .map(|c| (c.old_value, c.new_value))
        .collect();
    for m in [("draft", "submitted"), ("submitted", "approved"), ("approved", "shipped"), ("shipped", "completed")] {
        assert!(moves.contains(&(m.0.into(), m.1.into())), "{m:?} in {moves:?}");
    }
    assert_eq!(moves.len(), 4);
    app.stop().await;
}

#[tokio::test]
async fn only_an_accepted_quote_you_can_see_is_ordered() {
    let app = TestApp::spawn().await;
    let cat = catalogue(&app).await;
    let (me, account) = seller(&app).await;
    let lines = [(cat.lic.as_str(), 2, "")];
    let draft = quote(&app, &me, &account, &lines, qpb::QuoteStatus::Draft).await;
    let sent = quote(&app, &me, &account, &lines, qpb::QuoteStatus::ContractSent).await;
    let (other, other_account) = seller(&app).await;
    let theirs = accepted_quote(&app, &other, &other_account, &cat).await;
    let mut c = app.orders(&me).await;
    for id in [draft.id.as_str(), sent.id.as_str(), theirs.id.as_str(), &Uuid::now_v7().to_string(), "nope", ""] {
        let err = from_quote(&mut c, id, "").await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{id}: {err}");
        assert_eq!(field_of(&err), "quote_id", "{id}");
    }
    let err = from_quote(&mut c, &draft.id, "").await.unwrap_err();
    assert!(err.message().contains("draft"), "{err}");
    let err = from_quote(&mut c, &theirs.id, "").await.unwrap_err();
    assert!(err.message().contains("names no accepted quote you can see"), "{err}");
    // Vendor staff place no partner orders.
    let err = from_quote(&mut app.orders(&vendor()).await, &theirs.id, "").await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    assert!(list(&mut app.orders(&ops()).await, "").await.is_empty(), "nothing was placed");
    assert!(app.outbox().await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn one_order_per_quote_and_a_retry_answers_the_same_order() {
    let app = TestApp::spawn().await;
    let cat = catalogue(&app).await;
    let (me, account) = seller(&app).await;
    let q = accepted_quote(&app, &me, &account, &cat).await;
    let mut c = app.orders(&me).await;
    let first = from_quote(&mut c, &q.id, "req-1").await.unwrap();
    let retry = from_quote(&mut c, &q.id, "req-1").await.unwrap();
    assert_eq!(retry, first, "the same request answers the same order");
    for request_id in ["", "req-2"] {
        let err = from_quote(&mut c, &q.id, request_id).await.unwrap_err();
        assert_eq!(err.code(), Code::AlreadyExists, "{request_id:?}");
        assert!(err.message().contains(&first.number), "{err}");
    }
    // A colleague asking for the same quote gets the same answer.
    let colleague = Caller { user_id: Uuid::now_v7(), ..me.clone() };
    let err = from_quote(&mut app.orders(&colleague).await, &q.id, "").await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    // A request id names one request: reusing it for another quote is an error.
    let q2 = accepted_quote(&app, &me, &account, &cat).await;
    let err = from_quote(&mut c, &q2.id, "req-1").await.unwrap_err();
    assert_eq!(field_of(&err), "request_id");
    let err = from_quote(&mut c, &q2.id, "has space").await.unwrap_err();
    assert_eq!(field_of(&err), "request_id");

    // Racing: many calls for one quote place one order; those with the
    // winner's request id get it, the others ALREADY_EXISTS.
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..8 {
        let mut c = c.clone();
        let (id, request_id) = (q2.id.clone(), if i % 2 == 0 { "same".to_string() } else { format!("r{i}") });
        calls.spawn(async move { (request_id.clone(), from_quote(&mut c, &id, &request_id).await) });
    }
    let mut placed = std::collections::HashSet::new();
    while let Some(r) = calls.join_next().await {
        match r.unwrap() {
            (_, Ok(o)) => {
                placed.insert(o.id);
            }
            (request_id, Err(e)) => assert_eq!(e.code(), Code::AlreadyExists, "{request_id}: {e}"),
        }
    }
    assert_eq!(placed.len(), 1, "one order for the quote");
    assert_eq!(list(&mut c, &format!("quote_id = {}", q2.id)).await.len(), 1);
    assert_eq!(topics(&app.outbox().await), ["order.placed", "order.placed"], "one event per order");
    app.stop().await;
}

#[tokio::test]
async fn every_forbidden_status_move_is_refused_and_changes_nothing() {
    use pb::OrderStatus::*;
    let app = TestApp::spawn().await;
    let cat = catalogue(&app).await;
    let (me, _) = seller(&app).await;
    let mut c = app.orders(&me).await;
    // Ops may make every move on the path, so only the path refuses here.
    let mut o = app.orders(&ops()).await;
    let all = [Draft, Submitted, Approved, Shipped, Completed, Cancelled];
    let paths: [&[pb::OrderStatus]; 6] = [
        &[],
        &[Submitted],
        &[Submitted, Approved],
        &[Submitted, Approved, Shipped],
        &[Submitted, Approved, Shipped, Completed],
        &[Cancelled],
    ];
    for path in paths {
        let order = stock(&mut c, "EUR", vec![line(&cat.lic, 1)], "").await.unwrap();
        for step in path {
            transition(&mut o, &order.id, *step).await.unwrap();
        }
        let before = get(&mut c, &order.id).await.unwrap();
        let at = pb::OrderStatus::try_from(before.status).unwrap();
        let changes = history(&app, &me, &order.id).await.unwrap().len();
        for to in all {
            let allowed = matches!(
                (at, to),
                (Draft, Submitted | Cancelled)
                    | (Submitted, Approved | Cancelled)
                    | (Approved, Shipped | Cancelled)
                    | (Shipped, Completed)
            );
            if allowed {
                continue;
            }
            let err = transition(&mut o, &order.id, to).await.unwrap_err();
            assert_eq!(err.code(), Code::FailedPrecondition, "{at:?} → {to:?}");
            if !matches!(at, Completed | Cancelled) {
                assert!(err.message().contains(" only"), "names the allowed moves: {err}");
            }
            assert_eq!(get(&mut c, &order.id).await.unwrap(), before, "unchanged after {at:?} → {to:?}");
        }
        assert_eq!(history(&app, &me, &order.id).await.unwrap().len(), changes, "no history for refused moves");
    }
    let order = stock(&mut c, "EUR", vec![line(&cat.lic, 1)], "").await.unwrap();
    let err = transition(&mut o, &order.id, Unspecified).await.unwrap_err();
    assert_eq!(field_of(&err), "status");
    assert!(app.outbox().await.is_empty(), "stock orders publish nothing");
    app.stop().await;
}

#[tokio::test]
async fn vendor_admins_approve_and_ship_partners_submit_and_complete() {
    use pb::OrderStatus::*;
    let app = TestApp::spawn().await;
    let cat = catalogue(&app).await;
    let (me, account) = seller(&app).await;
    let q = accepted_quote(&app, &me, &account, &cat).await;
    let mut c = app.orders(&me).await;
    let mut v = app.orders(&vendor()).await;
    let colleague = Caller { user_id: Uuid::now_v7(), ..me.clone() };
    let mut col = app.orders(&colleague).await;
    let admin = Caller { user_id: Uuid::now_v7(), role: Role::PartnerAdmin, ..me.clone() };
    let mut adm = app.orders(&admin).await;
    let am = Caller { assigned_partners: vec![me.partner_id.unwrap()], ..person(Role::AccountManager, None) };
    let mut amc = app.orders(&am).await;
    let o = from_quote(&mut c, &q.id, "").await.unwrap();

    let denied = async |c: &mut Orders, to: pb::OrderStatus, at: pb::OrderStatus| {
        let err = transition(c, &o.id, to).await.unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied, "{at:?} → {to:?}: {err}");
        assert_eq!(get(c, &o.id).await.unwrap().status, at as i32, "unchanged");
    };
    denied(&mut v, Submitted, Draft).await;
    denied(&mut amc, Submitted, Draft).await;
    denied(&mut col, Submitted, Draft).await;
    transition(&mut c, &o.id, Submitted).await.unwrap();
    denied(&mut c, Approved, Submitted).await;
    denied(&mut adm, Approved, Submitted).await;
    transition(&mut v, &o.id, Approved).await.unwrap();
    denied(&mut c, Shipped, Approved).await;
    denied(&mut adm, Cancelled, Approved).await;
    transition(&mut v, &o.id, Shipped).await.unwrap();
    denied(&mut col, Completed, Shipped).await;
    denied(&mut amc, Completed, Shipped).await;
    transition(&mut adm, &o.id, Completed).await.unwrap();

    // A partner withdraws a submitted order; a vendor admin rejects one.
    for canceller in [&mut c, &mut v] {
        let s = stock(&mut app.orders(&me).await, "EUR", vec![line(&cat.hw, 1)], "").await.unwrap();
        transition(&mut app.orders(&me).await, &s.id, Submitted).await.unwrap();
        assert_eq!(transition(canceller, &s.id, Cancelled).await.unwrap().status, Cancelled as i32);
    }
    // Cancelling a project order tells the project.
    let q2 = accepted_quote(&app, &me, &account, &cat).await;
    let o2 = from_quote(&mut c, &q2.id, "").await.unwrap();
    transition(&mut c, &o2.id, Cancelled).await.unwrap();
    assert_eq!(topics(&app.outbox().await), ["order.placed", "order.completed", "order.placed", "order.cancelled"]);
    app.stop().await;
}

#[tokio::test]
async fn a_stock_order_of_mixed_lines_has_exact_totals() {
    let app = TestApp::spawn().await;
    let cat = catalogue(&app).await;
    let (me, _) = seller(&app).await;
    let mut c = app.orders(&me).await;
    // Every line takes the partner's discount; the partner sets none.
    partner_discount(&app, me.partner_id.unwrap(), "12.5").await;
    let lines = vec![line(&cat.lic, 250), line(&cat.hw, 37), line(&cat.ch, 999_999)];
    let o = stock(&mut c, "EUR", lines.clone(), "stock-1").await.unwrap();
    assert_eq!((o.r#type, o.status), (pb::OrderType::Stock as i32, pb::OrderStatus::Draft as i32));
    assert_eq!((o.quote_id.as_str(), o.project_id.as_str(), o.account_id.as_str()), ("", "", ""));
    assert_eq!(o.shipping_address, dock());
    let got: Vec<(&str, &str, &str, &str)> = o
        .lines
        .iter()
        .map(|l| (l.sku.as_str(), amount(&l.unit_price), l.discount_percent.as_str(), amount(&l.net_amount)))
        .collect();
    assert_eq!(
        got,
        [
            // To the cent, half away from zero: 4372.8125, 8061.375, and
            // 999999 × 0.0333 × 0.875 = 29137.4708625.
            ("LIC-PRO", "19.99", "12.5", "4372.81"),
            ("HW-PHONE", "249.00", "12.5", "8061.38"),
            ("CLS-CHAN", "0.0333", "12.5", "29137.47"),
        ]
    );
    assert_eq!(o.lines[1].billing, pb::Billing::OneTime as i32);
    assert_eq!((amount(&o.mrr), amount(&o.one_time_total)), ("33510.28", "8061.38"));
    assert_eq!(get(&mut c, &o.id).await.unwrap(), o, "read back exactly");
    // Prices in the order's currency; a retry answers the same order.
    partner_discount(&app, me.partner_id.unwrap(), "10").await;
    let usd = stock(&mut c, "USD", vec![line(&cat.hw, 3)], "").await.unwrap();
    assert_eq!(
        (amount(&usd.one_time_total), usd.one_time_total.as_ref().unwrap().currency_code.as_str()),
        ("729.00", "USD")
    );
    assert_eq!(stock(&mut c, "EUR", lines, "stock-1").await.unwrap().id, o.id);
    assert!(app.outbox().await.is_empty(), "stock orders concern no project");
    app.stop().await;
}

async fn override_discount(
    c: &mut Orders,
    order_id: &str,
    line_id: &str,
    percent: &str,
    mask: &[&str],
) -> Result<pb::Order, tonic::Status> {
    c.update_order_line(pb::UpdateOrderLineRequest {
        order_id: order_id.into(),
        line: Some(pb::OrderLine { id: line_id.into(), discount_percent: percent.into(), ..Default::default() }),
        update_mask: Some(prost_types::FieldMask { paths: mask.iter().map(|p| p.to_string()).collect() }),
    })
    .await
    .map(|r| r.into_inner().order.unwrap())
}

#[tokio::test]
async fn only_a_vendor_admin_overrides_a_stock_line_discount_until_approval_and_it_is_in_the_history() {
    use pb::OrderStatus::*;
    let app = TestApp::spawn().await;
    let cat = catalogue(&app).await;
    let (me, account) = seller(&app).await;
    partner_discount(&app, me.partner_id.unwrap(), "12.5").await;
    let mut c = app.orders(&me).await;
    let mut v = app.orders(&vendor()).await;
    let o = stock(&mut c, "EUR", vec![line(&cat.lic, 250), line(&cat.hw, 37)], "").await.unwrap();
    let (lic, hw) = (o.lines[0].id.clone(), o.lines[1].id.clone());

    // Partners, their admins and account managers: refused before anything is
    // looked up, and nothing changes.
    let admin = Caller { role: Role::PartnerAdmin, ..me.clone() };
    let am = Caller {
        role: Role::AccountManager,
        partner_id: None,
        assigned_partners: vec![me.partner_id.unwrap()],
        ..me.clone()
    };
    for who in [&me, &admin, &am] {
        let e =
            override_discount(&mut app.orders(who).await, &o.id, &lic, "50", &["discount_percent"]).await.unwrap_err();
        assert_eq!(
            (e.code(), field_of(&e).as_str()),
            (tonic::Code::InvalidArgument, "line.discount_percent"),
            "{:?}",
            who.role
        );
    }
    assert_eq!(get(&mut c, &o.id).await.unwrap(), o, "unchanged");

    // Bad input names the field and changes nothing.
    for (percent, mask, field) in [
        ("100.5", &["discount_percent"][..], "line.discount_percent"),
        ("-1", &["discount_percent"], "line.discount_percent"),
        ("12.345", &["discount_percent"], "line.discount_percent"),
        ("50", &[], "update_mask"),
        ("50", &["quantity"], "update_mask"),
        ("50", &["discount_percent", "quantity"], "update_mask"),
    ] {
        let e = override_discount(&mut v, &o.id, &lic, percent, mask).await.unwrap_err();
        assert_eq!((e.code(), field_of(&e).as_str()), (tonic::Code::InvalidArgument, field), "{percent} {mask:?}");
    }
    let random = Uuid::now_v7().to_string();
    assert_eq!(
        override_discount(&mut v, &o.id, &random, "50", &["discount_percent"]).await.unwrap_err().code(),
        tonic::Code::NotFound
    );
    assert_eq!(
        override_discount(&mut v, &random, &lic, "50", &["discount_percent"]).await.unwrap_err().code(),
        tonic::Code::NotFound
    );
    assert_eq!(get(&mut c, &o.id).await.unwrap(), o, "unchanged");

    // The override: the line's net and the order's totals follow, to the cent.
    let got = override_discount(&mut v, &o.id, &hw, "20", &["discount_percent"]).await.unwrap();
    assert_eq!((got.lines[1].discount_percent.as_str(), amount(&got.lines[1].net_amount)), ("20", "7370.40"));
    assert_eq!(got.lines[0], o.lines[0], "the other line is as it was");
    assert_eq!((amount(&got.mrr), amount(&got.one_time_total)), ("4372.81", "7370.40"));
    // The reader differs (the vendor moved, the partner reads), so do the moves offered.
    let read = get(&mut c, &o.id).await.unwrap();
    assert_eq!(pb::Order { moves: got.moves.clone(), ..read }, got, "read back exactly");
    transition(&mut c, &o.id, Submitted).await.unwrap();
    let got = override_discount(&mut v, &o.id, &lic, "0", &["discount_percent"]).await.unwrap();
    assert_eq!((amount(&got.lines[0].net_amount), amount(&got.mrr)), ("4997.50", "4997.50"));
    let changes: Vec<(String, String)> = history(&app, &me, &o.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.field == "line_discount_percent")
        .map(|c| (c.old_value, c.new_value))
        .collect();
    assert_eq!(changes.len(), 2, "{changes:?}");
    for m in [("HW-PHONE: 12.5", "HW-PHONE: 20"), ("LIC-PRO: 12.5", "LIC-PRO: 0")] {
        assert!(changes.contains(&(m.0.into(), m.1.into())), "{m:?} in {changes:?}");
    }

    // Approved, the vendor has committed to it: no more overrides.
    let approved = transition(&mut v, &o.id, Approved).await.unwrap();
    let e = override_discount(&mut v, &o.id, &lic, "5", &["discount_percent"]).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::FailedPrecondition, "{e:?}");
    assert_eq!(get(&mut v, &o.id).await.unwrap(), approved);

    // A project order's lines are its quote's.
    let q = accepted_quote(&app, &me, &account, &cat).await;
    let po = from_quote(&mut c, &q.id, "").await.unwrap();
    let e = override_discount(&mut v, &po.id, &po.lines[0].id, "5", &["discount_percent"]).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::FailedPrecondition, "{e:?}");
    assert!(e.message().contains("quote"), "{}", e.message());
    assert_eq!(get(&mut c, &po.id).await.unwrap(), po);
    app.stop().await;
}

#[tokio::test]
async fn another_partner_cannot_see_or_touch_an_order() {
    let app = TestApp::spawn().await;
    let cat = catalogue(&app).await;
    let (me, account) = seller(&app).await;
    let q = accepted_quote(&app, &me, &account, &cat).await;
    let o = from_quote(&mut app.orders(&me).await, &q.id, "").await.unwrap();
    let record = || Some(RecordRef { r#type: RecordType::Order as i32, id: o.id.clone() });

    let (other, _) = seller(&app).await;
    let stranger_am =
        Caller { assigned_partners: vec![other.partner_id.unwrap()], ..person(Role::AccountManager, None) };
    for outsider in [other.clone(), Caller { role: Role::PartnerAdmin, ..other.clone() }, stranger_am] {
        let mut c = app.orders(&outsider).await;
        assert_eq!(get(&mut c, &o.id).await.unwrap_err().code(), Code::NotFound);
        assert!(list(&mut c, "").await.is_empty());
        assert!(list(&mut c, &format!("quote_id = {}", q.id)).await.is_empty());
        for to in [pb::OrderStatus::Submitted, pb::OrderStatus::Cancelled, pb::OrderStatus::Approved] {
            assert_eq!(transition(&mut c, &o.id, to).await.unwrap_err().code(), Code::NotFound);
        }
        let mut r = app.records(&outsider).await;
        let err = r.create_note(rpb::CreateNoteRequest { record: record(), body: "hi".into() }).await.unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
        let err = r.list_notes(rpb::ListNotesRequest { record: record(), ..Default::default() }).await.unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
        assert_eq!(history(&app, &outsider, &o.id).await.unwrap_err().code(), Code::NotFound);
    }
    // Nor can it order from my quote.
    let err = from_quote(&mut app.orders(&other).await, &q.id, "").await.unwrap_err();
    assert_eq!(field_of(&err), "quote_id");

    // My partner's account manager and the vendor read it; only I still own it.
    let am = Caller { assigned_partners: vec![me.partner_id.unwrap()], ..person(Role::AccountManager, None) };
    for reader in [am, vendor()] {
        let mut c = app.orders(&reader).await;
        assert_eq!(get(&mut c, &o.id).await.unwrap().id, o.id);
        assert_eq!(list(&mut c, "").await.len(), 1);
    }
    let mut r = app.records(&me).await;
    r.create_note(rpb::CreateNoteRequest { record: record(), body: "Ship before Friday".into() }).await.unwrap();
    let notes = r.list_notes(rpb::ListNotesRequest { record: record(), ..Default::default() }).await.unwrap();
    assert_eq!(notes.into_inner().notes.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn bad_input_names_the_field_and_places_nothing() {
    let app = TestApp::spawn().await;
    let cat = catalogue(&app).await;
    let mut v = app.quotes(&vendor()).await;
    let retired = product(&mut v, "LIC-OLD", qpb::Billing::Monthly, &[("EUR", "5")]).await;
    v.update_product(qpb::UpdateProductRequest {
        product: Some(qpb::Product { id: retired.clone(), active: false, ..Default::default() }),
        update_mask: Some(prost_types::FieldMask { paths: vec!["active".into()] }),
    })
    .await
    .unwrap();
    let (me, _) = seller(&app).await;
    let mut c = app.orders(&me).await;
    let unknown = Uuid::now_v7().to_string();
    let cases: Vec<(&str, Vec<pb::OrderLine>, &str)> = vec![
        ("EUR", vec![line(&cat.lic, -1)], "lines[0].quantity"),
        ("EUR", vec![line(&cat.lic, 1), line(&cat.hw, 0)], "lines[1].quantity"),
        ("EUR", vec![line(&cat.lic, 1_000_001)], "lines[0].quantity"),
        ("EUR", vec![line(&cat.lic, 1), line_with_discount(&cat.hw, "5")], "lines[1].discount_percent"),
        ("EUR", vec![line_with_discount(&cat.lic, "0")], "lines[0].discount_percent"),
        ("EUR", vec![line(&cat.lic, 1), line(&unknown, 1)], "lines[1].product_id"),
        ("EUR", vec![line("not-an-id", 1)], "lines[0].product_id"),
        ("EUR", vec![line(&retired, 1)], "lines[0].product_id"),
        ("USD", vec![line(&cat.hw, 1), line(&cat.lic, 1)], "lines[1].product_id"),
        ("euro", vec![line(&cat.lic, 1)], "currency_code"),
        ("EU", vec![line(&cat.lic, 1)], "currency_code"),
        ("EUR", vec![], "lines"),
    ];
    for (currency, lines, field) in cases {
        let err = stock(&mut c, currency, lines, "").await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{field}: {err}");
        assert_eq!(field_of(&err), field);
    }
    let no_street = c
        .create_stock_order(pb::CreateStockOrderRequest {
            order: Some(pb::Order {
                currency_code: "EUR".into(),
                shipping_address: Some(Address { city: "Bremen".into(), ..Default::default() }),
                lines: vec![line(&cat.lic, 1)],
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&no_street), "shipping_address.street");
    let err = c.create_stock_order(pb::CreateStockOrderRequest::default()).await.unwrap_err();
    assert_eq!(field_of(&err), "order");
    let err = stock(&mut c, "EUR", vec![line(&cat.lic, 1)], &"x".repeat(65)).await.unwrap_err();
    assert_eq!(field_of(&err), "request_id");
    for filter in ["status = lost", "colour = red", "create_time >= yesterday", "quote_id = 42"] {
        let err =
            c.list_orders(pb::ListOrdersRequest { filter: filter.into(), ..Default::default() }).await.unwrap_err();
        assert_eq!(field_of(&err), "filter", "{filter}");
    }
    assert_eq!(field_of(&get(&mut c, "nope").await.unwrap_err()), "id");
    assert!(list(&mut c, "").await.is_empty(), "nothing was placed");
    // Refused requests take no number.
    assert_eq!(stock(&mut c, "EUR", vec![line(&cat.lic, 1)], "").await.unwrap().number, "ORD-000001");
    app.stop().await;
}

#[tokio::test]
async fn numbers_are_unique_and_orders_are_found_by_filter() {
    let app = TestApp::spawn().await;
    let cat = catalogue(&app).await;
    let (me, account) = seller(&app).await;
    let mut c = app.orders(&me).await;
    let q = accepted_quote(&app, &me, &account, &cat).await;
    let project_order = from_quote(&mut c, &q.id, "").await.unwrap();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let mut c = c.clone();
        let lic = cat.lic.clone();
        calls.spawn(async move { stock(&mut c, "EUR", vec![line(&lic, 1)], "").await.unwrap() });
    }
    let mut numbers: Vec<String> = calls.join_all().await.into_iter().map(|o| o.number).collect();
    numbers.push(project_order.number.clone());
    numbers.sort();
    let expected: Vec<String> = (1..=9).map(|n| format!("ORD-{n:06}")).collect();
    assert_eq!(numbers, expected, "unique and gapless under concurrency");

    let numbers_of = |orders: Vec<pb::Order>| {
        let mut n: Vec<String> = orders.into_iter().map(|o| o.number).collect();
        n.sort();
        n
    };
    assert_eq!(numbers_of(list(&mut c, "number = ORD-000004").await), ["ORD-000004"]);
    assert_eq!(numbers_of(list(&mut c, r#"number : "0001""#).await), ["ORD-000001"]);
    assert_eq!(numbers_of(list(&mut c, r#"number : "00005""#).await), ["ORD-000005"]);
    assert_eq!(numbers_of(list(&mut c, "number : ord-00000").await).len(), 9, "case-insensitive");
    assert_eq!(list(&mut c, "type = stock").await.len(), 8);
    assert_eq!(numbers_of(list(&mut c, "type = project").await), [project_order.number.as_str()]);
    assert_eq!(list(&mut c, &format!("project_id = {}", q.project_id)).await.len(), 1);
    assert_eq!(list(&mut c, &format!("quote_id = {}", q.id)).await[0].id, project_order.id);
    transition(&mut c, &project_order.id, pb::OrderStatus::Submitted).await.unwrap();
    assert_eq!(list(&mut c, "status = submitted").await.len(), 1);
    assert_eq!(list(&mut c, "status = draft AND type = stock").await.len(), 8);
    let created = project_order.create_time.unwrap();
    let at = chrono::DateTime::from_timestamp(created.seconds, created.nanos as u32).unwrap().to_rfc3339();
    assert_eq!(list(&mut c, &format!("create_time >= {at}")).await.len(), 9);
    assert_eq!(list(&mut c, &format!("create_time < {at}")).await.len(), 0);

    // Pages by number, none skipped or repeated.
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let page = c
            .list_orders(pb::ListOrdersRequest {
                page_size: 4,
                page_token: token.clone(),
                order_by: "number desc".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        seen.extend(page.orders.into_iter().map(|o| o.number));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    let mut desc = expected.clone();
    desc.reverse();
    assert_eq!(seen, desc);
    app.stop().await;
}

//! The quote service over real gRPC, with the account service it asks for
//! addresses and the project service that checks the project a quote names,
//! each on a fresh database (PostgreSQL when PRM_TEST_DATABASE_URL is set,
//! SQLite otherwise).

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use prm_kit::{
    Caller, Role,
    auth::{CallerInterceptor, InternalKey},
    outbox::{Relay, RelayConfig, Sink},
    testing::{TestServices, field_of},
};
use prm_proto::{
    account::v1::{self as apb, account_service_client::AccountServiceClient},
    common::v1::{Address, Money, RecordRef, RecordType},
    outbox::v1 as opb,
    quote::v1::{self as pb, quote_service_client::QuoteServiceClient},
    record::v1::{self as rpb, record_service_client::RecordServiceClient},
};
use prost_types::FieldMask;
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Client = QuoteServiceClient<InterceptedService<Channel, CallerInterceptor>>;

struct TestApp {
    quote_addr: SocketAddr,
    account_addr: SocketAddr,
    key: InternalKey,
    quote_db_url: String,
    services: TestServices,
}

impl TestApp {
    async fn spawn() -> TestApp {
        TestApp::spawn_with_mail(prm_kit::mail::MailSettings::default()).await
    }

    async fn spawn_with_mail(mail: prm_kit::mail::MailSettings) -> TestApp {
        let mut services = TestServices::new();
        let account_addr = services.start::<prm_account::AccountService>().await;
        services.reserve("quote").await;
        services.start::<prm_project::ProjectService>().await;
        let quote_addr = services.start_with_mail::<prm_quote::QuoteService>(mail).await;
        TestApp {
            quote_addr,
            account_addr,
            key: services.key.clone(),
            quote_db_url: services.database_url("quote"),
            services,
        }
    }

    async fn client(&self, caller: &Caller) -> Client {
        let ch = Channel::from_shared(format!("http://{}", self.quote_addr)).unwrap().connect().await.unwrap();
        QuoteServiceClient::with_interceptor(ch, CallerInterceptor::new(&self.key, caller).unwrap())
    }

    async fn accounts(&self, caller: &Caller) -> AccountServiceClient<InterceptedService<Channel, CallerInterceptor>> {
        let ch = Channel::from_shared(format!("http://{}", self.account_addr)).unwrap().connect().await.unwrap();
        AccountServiceClient::with_interceptor(ch, CallerInterceptor::new(&self.key, caller).unwrap())
    }

    /// A project of `caller`'s partner on `account`, for quotes to name.
    async fn project(&self, caller: &Caller, account: &str) -> String {
        self.services.create_project(caller, account).await
    }

    /// Stops the project service, so the quote service's events stay in its
    /// outbox for the test to read (deliveries fail and are retried).
    async fn hold_events(&mut self) {
        self.services.stop_service("project").await;
    }

    async fn stop(self) {
        self.services.stop().await;
    }
}

fn person(role: Role, partner: Option<Uuid>) -> Caller {
    Caller { user_id: Uuid::now_v7(), partner_id: partner, role, assigned_partners: vec![], partner_tier: None }
}

fn vendor() -> Caller {
    person(Role::VendorAdmin, None)
}

fn money(c: &str, a: &str) -> Option<Money> {
    Some(Money { currency_code: c.into(), amount: a.into() })
}

async fn product(c: &mut Client, sku: &str, billing: pb::Billing, prices: &[(&str, &str)]) -> String {
    let p = c
        .create_product(pb::CreateProductRequest {
            product: Some(pb::Product {
                sku: sku.into(),
                name: format!("Product {sku}"),
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
    for (cur, amount) in prices {
        c.set_list_price(pb::SetListPriceRequest { product_id: p.id.clone(), price: money(cur, amount) })
            .await
            .unwrap();
    }
    p.id
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

async fn quote(c: &mut Client, account_id: &str, project_id: &str, currency: &str) -> pb::Quote {
    c.create_quote(pb::CreateQuoteRequest {
        quote: Some(pb::Quote {
            name: "Offer".into(),
            project_id: project_id.into(),
            account_id: account_id.into(),
            currency_code: currency.into(),
            shipping_address_type: pb::ShippingAddressType::EndUser as i32,
            expiry_date: prm_kit::testing::days_from_today(60),
            ..Default::default()
        }),
    })
    .await
    .unwrap()
    .into_inner()
    .quote
    .unwrap()
}

async fn add(c: &mut Client, quote_id: &str, product_id: &str, quantity: i64) -> Result<pb::Quote, tonic::Status> {
    c.add_quote_line(pb::AddQuoteLineRequest {
        quote_id: quote_id.into(),
        line: Some(pb::QuoteLine { product_id: product_id.into(), quantity, ..Default::default() }),
    })
    .await
    .map(|r| r.into_inner().quote.unwrap())
}

/// Sets a line's discount, as only a vendor admin may.
async fn set_discount(
    c: &mut Client,
    quote_id: &str,
    line_id: &str,
    percent: &str,
) -> Result<pb::Quote, tonic::Status> {
    c.update_quote_line(pb::UpdateQuoteLineRequest {
        quote_id: quote_id.into(),
        line: Some(pb::QuoteLine { id: line_id.into(), discount_percent: percent.into(), ..Default::default() }),
        update_mask: Some(FieldMask { paths: vec!["discount_percent".into()] }),
    })
    .await
    .map(|r| r.into_inner().quote.unwrap())
}

fn amount(m: &Option<Money>) -> &str {
    m.as_ref().map(|m| m.amount.as_str()).unwrap_or("")
}

#[tokio::test]
async fn quotes_are_numbered_in_the_order_they_are_created() {
    let app = TestApp::spawn().await;
    let (me, account) = seller(&app).await;
    let (other, other_account) = seller(&app).await;
    let mut c = app.client(&me).await;
    let mut o = app.client(&other).await;
    let first = quote(&mut c, &account, &app.project(&me, &account).await, "EUR").await;
    // One count for the installation, across partners.
    let second = quote(&mut o, &other_account, &app.project(&other, &other_account).await, "EUR").await;
    let third = quote(&mut c, &account, &app.project(&me, &account).await, "EUR").await;
    assert_eq!([first.number.as_str(), &second.number, &third.number], ["Q-000001", "Q-000002", "Q-000003"]);
    let read = c.get_quote(pb::GetQuoteRequest { id: third.id.clone() }).await.unwrap().into_inner().quote.unwrap();
    assert_eq!(read.number, "Q-000003");
    let found = c
        .list_quotes(pb::ListQuotesRequest { filter: "number = \"Q-000003\"".into(), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .quotes;
    assert_eq!(found.iter().map(|q| q.id.as_str()).collect::<Vec<_>>(), [third.id.as_str()]);
    app.stop().await;
}

#[tokio::test]
async fn totals_of_mixed_lines_are_exact() {
    let app = TestApp::spawn().await;
    let mut v = app.client(&vendor()).await;
    let lic = product(&mut v, "LIC-PRO", pb::Billing::Monthly, &[("EUR", "19.99")]).await;
    let hw = product(&mut v, "HW-PHONE", pb::Billing::OneTime, &[("EUR", "249.00")]).await;
    let ch = product(&mut v, "CLS-CHAN", pb::Billing::Monthly, &[("EUR", "0.0333")]).await;
    let (me, account) = seller(&app).await;
    let mut c = app.client(&me).await;
    let q = quote(&mut c, &account, &app.project(&me, &account).await, "EUR").await;
    assert_eq!(q.shipping_address.as_ref().unwrap().city, "Hamburg", "end-user address from the account");
    add(&mut c, &q.id, &lic, 250).await.unwrap();
    add(&mut c, &q.id, &hw, 37).await.unwrap();
    let q = add(&mut c, &q.id, &ch, 999_999).await.unwrap();
    set_discount(&mut v, &q.id, &q.lines[0].id, "12.5").await.unwrap();
    let q = set_discount(&mut v, &q.id, &q.lines[2].id, "33.33").await.unwrap();
    // Each net rounded once, to the cent, half away from zero:
    // 250 × 19.99 × 0.875 = 4372.8125 → 4372.81; 999999 × 0.0333 × 0.6667 = 22201.08779889 → 22201.09
    assert_eq!(amount(&q.lines[0].unit_price), "19.99");
    assert_eq!(amount(&q.lines[2].unit_price), "0.0333", "a price finer than a cent stays");
    assert_eq!(amount(&q.lines[0].net_amount), "4372.81");
    assert_eq!(amount(&q.lines[1].net_amount), "9213.00");
    assert_eq!(amount(&q.lines[2].net_amount), "22201.09");
    // The totals are the sums of the rounded nets.
    assert_eq!(amount(&q.mrr), "26573.90");
    assert_eq!(amount(&q.one_time_total), "9213.00");
    // Read back from the database: the same figures.
    let again = c.get_quote(pb::GetQuoteRequest { id: q.id.clone() }).await.unwrap().into_inner().quote.unwrap();
    assert_eq!(amount(&again.mrr), "26573.90");
    // Changing a line recomputes; removing one too.
    let q = c
        .update_quote_line(pb::UpdateQuoteLineRequest {
            quote_id: q.id.clone(),
            line: Some(pb::QuoteLine { id: q.lines[0].id.clone(), quantity: 1, ..Default::default() }),
            update_mask: Some(FieldMask { paths: vec!["quantity".into()] }),
        })
        .await
        .unwrap()
        .into_inner()
        .quote
        .unwrap();
    // 19.99 × 0.875 = 17.49125 → 17.49.
    assert_eq!(amount(&q.lines[0].net_amount), "17.49");
    let q = c
        .remove_quote_line(pb::RemoveQuoteLineRequest { quote_id: q.id.clone(), line_id: q.lines[2].id.clone() })
        .await
        .unwrap()
        .into_inner()
        .quote
        .unwrap();
    assert_eq!(amount(&q.mrr), "17.49");
    app.stop().await;
}

#[tokio::test]
async fn the_discount_is_the_vendors_and_only_a_vendor_admin_overrides_it() {
    let app = TestApp::spawn().await;
    let mut v = app.client(&vendor()).await;
    let lic = product(&mut v, "LIC-STD", pb::Billing::Monthly, &[("EUR", "10")]).await;
    let (mut me, account) = seller(&app).await;
    me.partner_tier = Some("gold".into());
    v.set_partner_discount(pb::SetPartnerDiscountRequest {
        discount: Some(pb::PartnerDiscount { tier: "gold".into(), percent: "10".into(), ..Default::default() }),
    })
    .await
    .unwrap();
    let mut c = app.client(&me).await;
    let q = quote(&mut c, &account, &app.project(&me, &account).await, "EUR").await;
    let q1 = add(&mut c, &q.id, &lic, 1).await.unwrap();
    assert_eq!(q1.lines[0].discount_percent, "10", "the tier's discount");
    v.set_partner_discount(pb::SetPartnerDiscountRequest {
        discount: Some(pb::PartnerDiscount {
            partner_id: me.partner_id.unwrap().to_string(),
            percent: "15".into(),
            ..Default::default()
        }),
    })
    .await
    .unwrap();
    let q2 = add(&mut c, &q.id, &lic, 1).await.unwrap();
    assert_eq!(q2.lines[1].discount_percent, "15", "the partner's own discount wins");

    // A partner never sets a discount: not on a new line, not on a change.
    let err = c
        .add_quote_line(pb::AddQuoteLineRequest {
            quote_id: q.id.clone(),
            line: Some(pb::QuoteLine {
                product_id: lic.clone(),
                quantity: 1,
                discount_percent: "99".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!((err.code(), field_of(&err)), (Code::InvalidArgument, "line.discount_percent".into()));
    let line = q2.lines[0].id.clone();
    for caller in [me.clone(), person(Role::PartnerAdmin, me.partner_id), manager_of(me.partner_id.unwrap())] {
        let err = set_discount(&mut app.client(&caller).await, &q.id, &line, "99").await.unwrap_err();
        assert_eq!((err.code(), field_of(&err)), (Code::InvalidArgument, "line.discount_percent".into()), "{caller:?}");
    }
    let unchanged = c.get_quote(pb::GetQuoteRequest { id: q.id.clone() }).await.unwrap().into_inner().quote.unwrap();
    assert_eq!(unchanged.lines.len(), 2);
    assert_eq!(amount(&unchanged.mrr), amount(&q2.mrr));

    // The vendor admin overrides one line's discount, alone, within 0 to 100.
    for (percent, field) in [("100.5", "line.discount_percent"), ("-3", "line.discount_percent")] {
        let err = set_discount(&mut v, &q.id, &line, percent).await.unwrap_err();
        assert_eq!((err.code(), field_of(&err)), (Code::InvalidArgument, field.into()), "{percent}");
    }
    let err = v
        .update_quote_line(pb::UpdateQuoteLineRequest {
            quote_id: q.id.clone(),
            line: Some(pb::QuoteLine {
                id: line.clone(),
                quantity: 5,
                discount_percent: "20".into(),
                ..Default::default()
            }),
            update_mask: Some(FieldMask { paths: vec!["quantity".into(), "discount_percent".into()] }),
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), "update_mask");
    let q3 = set_discount(&mut v, &q.id, &line, "25").await.unwrap();
    assert_eq!(q3.lines[0].discount_percent, "25");
    assert_eq!(amount(&q3.lines[0].net_amount), "7.50");
    assert_eq!(amount(&q3.mrr), "16.00");

    // The override is in the quote's history, by the vendor admin, and the
    // partner sees it there.
    let ch = Channel::from_shared(format!("http://{}", app.quote_addr)).unwrap().connect().await.unwrap();
    let mut records = RecordServiceClient::with_interceptor(ch, CallerInterceptor::new(&app.key, &me).unwrap());
    let history = records
        .list_field_changes(rpb::ListFieldChangesRequest {
            record: Some(RecordRef { r#type: RecordType::Quote as i32, id: q.id.clone() }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .field_changes;
    let change = history.iter().find(|c| c.field == "line_discount_percent").expect("the override in history");
    assert_eq!((change.old_value.as_str(), change.new_value.as_str()), ("LIC-STD: 10", "LIC-STD: 25"));
    app.stop().await;
}

/// An account manager assigned to `partner`.
fn manager_of(partner: Uuid) -> Caller {
    Caller { assigned_partners: vec![partner], ..person(Role::AccountManager, None) }
}

#[tokio::test]
async fn account_managers_read_the_discounts_of_their_partners_only() {
    let app = TestApp::spawn().await;
    let mut v = app.client(&vendor()).await;
    let (mine, theirs) = (Uuid::now_v7(), Uuid::now_v7());
    for (partner, tier, percent) in
        [(mine.to_string(), "", "12"), (theirs.to_string(), "", "30"), (String::new(), "gold", "10")]
    {
        v.set_partner_discount(pb::SetPartnerDiscountRequest {
            discount: Some(pb::PartnerDiscount { partner_id: partner, tier: tier.into(), percent: percent.into() }),
        })
        .await
        .unwrap();
    }
    let seen = |d: &[pb::PartnerDiscount]| {
        let mut v: Vec<String> = d.iter().map(|d| format!("{}{}={}", d.partner_id, d.tier, d.percent)).collect();
        v.sort();
        v
    };
    let list = |caller: Caller| {
        let app = &app;
        async move {
            let mut c = app.client(&caller).await;
            c.list_partner_discounts(pb::ListPartnerDiscountsRequest {}).await.unwrap().into_inner().discounts
        }
    };
    assert_eq!(seen(&list(manager_of(mine)).await), vec![format!("{mine}=12"), "gold=10".to_string()]);
    assert_eq!(seen(&list(vendor()).await).len(), 3);
    let partner = Caller { partner_tier: Some("gold".into()), ..person(Role::PartnerAdmin, Some(theirs)) };
    assert_eq!(seen(&list(partner).await), vec![format!("{theirs}=30"), "gold=10".to_string()]);
    app.stop().await;
}

#[tokio::test]
async fn only_vendor_admins_maintain_the_price_book() {
    let app = TestApp::spawn().await;
    let (me, _) = seller(&app).await;
    let mut c = app.client(&me).await;
    let err = c
        .create_product(pb::CreateProductRequest {
            product: Some(pb::Product {
                sku: "X-1".into(),
                name: "X".into(),
                family: 1,
                billing: 1,
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let err = c
        .set_weighted_average_prices(pb::SetWeightedAveragePricesRequest {
            prices: Some(pb::WeightedAveragePrices {
                currency_code: "EUR".into(),
                licenses: "1".into(),
                hwaas: "1".into(),
                classound: "1".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let mut v = app.client(&vendor()).await;
    v.set_weighted_average_prices(pb::SetWeightedAveragePricesRequest {
        prices: Some(pb::WeightedAveragePrices {
            currency_code: "EUR".into(),
            licenses: "12.5".into(),
            hwaas: "30".into(),
            classound: "4.2".into(),
            ..Default::default()
        }),
    })
    .await
    .unwrap();
    // Everyone reads them.
    let w = c
        .get_weighted_average_prices(pb::GetWeightedAveragePricesRequest { currency_code: "EUR".into() })
        .await
        .unwrap()
        .into_inner()
        .prices
        .unwrap();
    assert_eq!((w.licenses.as_str(), w.hwaas.as_str(), w.classound.as_str()), ("12.50", "30.00", "4.20"));
    app.stop().await;
}

#[tokio::test]
async fn bad_input_names_the_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let mut v = app.client(&vendor()).await;
    let usd_only = product(&mut v, "HW-USD", pb::Billing::OneTime, &[("USD", "100")]).await;
    let lic = product(&mut v, "LIC-EUR", pb::Billing::Monthly, &[("EUR", "10")]).await;
    let err = v
        .set_list_price(pb::SetListPriceRequest { product_id: lic.clone(), price: money("EUR", "1.5e3") })
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), "price.amount");
    let (me, account) = seller(&app).await;
    let mut c = app.client(&me).await;
    let q = quote(&mut c, &account, &app.project(&me, &account).await, "EUR").await;
    for (product, quantity, field) in [
        (lic.as_str(), -1, "line.quantity"),
        (lic.as_str(), 0, "line.quantity"),
        (usd_only.as_str(), 1, "line.product_id"),
        (&Uuid::now_v7().to_string(), 1, "line.product_id"),
    ] {
        let err = add(&mut c, &q.id, product, quantity).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{field}");
        assert_eq!(field_of(&err), field);
    }
    let err = c
        .create_quote(pb::CreateQuoteRequest {
            quote: Some(pb::Quote {
                name: "Q".into(),
                project_id: Uuid::now_v7().to_string(),
                account_id: account.clone(),
                currency_code: "euro".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), "currency_code");
    // Three capitals are not enough: the code must be an active ISO 4217 one.
    let err = c
        .create_quote(pb::CreateQuoteRequest {
            quote: Some(pb::Quote {
                name: "Q".into(),
                project_id: app.project(&me, &account).await,
                account_id: account.clone(),
                currency_code: "XYZ".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!((err.code(), field_of(&err)), (Code::InvalidArgument, "currency_code".into()), "{err:?}");
    let err = v
        .set_list_price(pb::SetListPriceRequest { product_id: lic.clone(), price: money("XYZ", "10") })
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), "price.currency_code");
    let after = c.get_quote(pb::GetQuoteRequest { id: q.id.clone() }).await.unwrap().into_inner().quote.unwrap();
    assert!(after.lines.is_empty());
    assert_eq!(amount(&after.mrr), "0.00");
    app.stop().await;
}

#[tokio::test]
async fn every_forbidden_status_move_is_refused_and_changes_nothing() {
    use pb::QuoteStatus::*;
    let app = TestApp::spawn().await;
    let (me, account) = seller(&app).await;
    let mut c = app.client(&me).await;
    let all = [Draft, Presented, ContractSent, Accepted, Rejected, Expired];
    let path = [Draft, Presented, ContractSent];
    for (i, at) in path.iter().enumerate() {
        let q = quote(&mut c, &account, &app.project(&me, &account).await, "EUR").await;
        for step in &path[1..=i] {
            c.transition_quote(pb::TransitionQuoteRequest { id: q.id.clone(), status: *step as i32 }).await.unwrap();
        }
        for to in all {
            let allowed = match at {
                Draft => to == Presented,
                Presented => to == ContractSent,
                _ => matches!(to, Accepted | Rejected | Expired),
            };
            if allowed {
                continue;
            }
            let err = c
                .transition_quote(pb::TransitionQuoteRequest { id: q.id.clone(), status: to as i32 })
                .await
                .unwrap_err();
            assert_eq!(err.code(), Code::FailedPrecondition, "{at:?} → {to:?}");
            let now = c.get_quote(pb::GetQuoteRequest { id: q.id.clone() }).await.unwrap().into_inner().quote.unwrap();
            assert_eq!(now.status, *at as i32, "unchanged after {at:?} → {to:?}");
        }
    }
    // Final states accept no move at all.
    let q = quote(&mut c, &account, &app.project(&me, &account).await, "EUR").await;
    for s in [Presented, ContractSent, Accepted] {
        c.transition_quote(pb::TransitionQuoteRequest { id: q.id.clone(), status: s as i32 }).await.unwrap();
    }
    for to in all {
        assert!(c.transition_quote(pb::TransitionQuoteRequest { id: q.id.clone(), status: to as i32 }).await.is_err());
    }
    app.stop().await;
}

async fn pending(app: &TestApp) -> Vec<prm_kit::outbox::outbox_event::Model> {
    let db = prm_kit::db::connect(&app.quote_db_url).await.unwrap();
    Relay::new(db, Arc::new(Receiver::default()), RelayConfig::default()).pending().await.unwrap()
}

#[tokio::test]
async fn one_primary_quote_per_project_and_one_event_per_change() {
    let mut app = TestApp::spawn().await;
    let mut v = app.client(&vendor()).await;
    let lic = product(&mut v, "LIC-PRI", pb::Billing::Monthly, &[("EUR", "10")]).await;
    let (me, account) = seller(&app).await;
    let mut c = app.client(&me).await;
    let project = app.project(&me, &account).await;
    let a = quote(&mut c, &account, &project, "EUR").await;
    let b = quote(&mut c, &account, &project, "EUR").await;
    let racing = app.project(&me, &account).await;
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(quote(&mut c, &account, &racing, "EUR").await.id);
    }
    app.hold_events().await;
    add(&mut c, &a.id, &lic, 3).await.unwrap();
    assert!(pending(&app).await.is_empty(), "a quote that is not primary publishes nothing");

    c.set_primary_quote(pb::SetPrimaryQuoteRequest { id: a.id.clone() }).await.unwrap();
    let p = c
        .get_primary_quote(pb::GetPrimaryQuoteRequest { project_id: project.clone() })
        .await
        .unwrap()
        .into_inner()
        .quote
        .unwrap();
    assert_eq!((p.id.as_str(), amount(&p.mrr)), (a.id.as_str(), "30.00"));
    c.set_primary_quote(pb::SetPrimaryQuoteRequest { id: b.id.clone() }).await.unwrap();
    let a_now = c.get_quote(pb::GetQuoteRequest { id: a.id.clone() }).await.unwrap().into_inner().quote.unwrap();
    assert!(!a_now.primary, "setting one unsets the previous");
    add(&mut c, &b.id, &lic, 1).await.unwrap();
    c.transition_quote(pb::TransitionQuoteRequest { id: b.id.clone(), status: pb::QuoteStatus::Presented as i32 })
        .await
        .unwrap();
    c.transition_quote(pb::TransitionQuoteRequest { id: b.id.clone(), status: pb::QuoteStatus::ContractSent as i32 })
        .await
        .unwrap();
    let topics: Vec<String> = pending(&app).await.into_iter().map(|e| e.topic).collect();
    assert_eq!(
        topics,
        vec!["quote.primary_changed", "quote.primary_changed", "quote.primary_mrr_changed", "quote.contract_sent"],
        "exactly one event per change of the primary quote"
    );
    // Ops see the same queue over gRPC; partners may not look.
    let ch = Channel::from_shared(format!("http://{}", app.quote_addr)).unwrap().connect().await.unwrap();
    let ops = person(Role::Ops, None);
    let mut outbox = prm_proto::outbox::v1::outbox_service_client::OutboxServiceClient::with_interceptor(
        ch.clone(),
        CallerInterceptor::new(&app.key, &ops).unwrap(),
    );
    let listed = outbox
        .list_outbox_events(opb::ListOutboxEventsRequest { pending_only: true, ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .events;
    assert_eq!(listed.iter().map(|e| e.topic.as_str()).collect::<Vec<_>>(), topics);
    let payload: serde_json::Value = serde_json::from_str(&listed[2].payload_json).unwrap();
    assert_eq!((payload["mrr"].as_str(), payload["project_id"].as_str()), (Some("10"), Some(project.as_str())));
    let mut as_partner = prm_proto::outbox::v1::outbox_service_client::OutboxServiceClient::with_interceptor(
        ch,
        CallerInterceptor::new(&app.key, &me).unwrap(),
    );
    let err = as_partner.list_outbox_events(opb::ListOutboxEventsRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);

    // Racing: many quotes made primary at once leave exactly one primary.
    let project = racing;
    let calls = ids.iter().map(|id| {
        let mut c = c.clone();
        let id = id.clone();
        async move { c.set_primary_quote(pb::SetPrimaryQuoteRequest { id }).await }
    });
    for r in futures_join(calls).await {
        if let Err(e) = r {
            assert_eq!(e.code(), Code::Aborted, "a lost race is retryable: {e}");
        }
    }
    let listed = c
        .list_quotes(pb::ListQuotesRequest { filter: format!("project_id = {project}"), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .quotes;
    assert_eq!(listed.iter().filter(|q| q.primary).count(), 1);
    app.stop().await;
}

async fn futures_join<F: std::future::Future>(fs: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = fs.into_iter().collect();
    let mut out = Vec::new();
    let mut set = Vec::new();
    for f in handles {
        set.push(f);
    }
    // Drive them concurrently.
    let joined = futures_util_join_all(set).await;
    out.extend(joined);
    out
}

async fn futures_util_join_all<F: std::future::Future>(fs: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = fs.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (i, f) in pinned.iter_mut().enumerate() {
            if results[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => results[i] = Some(v),
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    results.into_iter().map(|r| r.unwrap()).collect()
}

/// A consumer that fails its first tries, and counts what it applied per id.
#[derive(Default)]
struct Receiver {
    fail_first: usize,
    calls: Mutex<usize>,
    applied: Mutex<HashMap<String, usize>>,
}

#[tonic::async_trait]
impl Sink for Receiver {
    async fn deliver(&self, event: &opb::Event) -> anyhow::Result<()> {
        let mut calls = self.calls.lock().unwrap();
        *calls += 1;
        if *calls <= self.fail_first {
            anyhow::bail!("receiver down (call {calls})");
        }
        *self.applied.lock().unwrap().entry(event.id.clone()).or_default() += 1;
        Ok(())
    }
}

#[tokio::test]
async fn the_relay_delivers_each_event_once_even_when_the_receiver_fails_first() {
    let mut app = TestApp::spawn().await;
    let mut v = app.client(&vendor()).await;
    let lic = product(&mut v, "LIC-RLY", pb::Billing::Monthly, &[("EUR", "10")]).await;
    let (me, account) = seller(&app).await;
    let mut c = app.client(&me).await;
    let q = quote(&mut c, &account, &app.project(&me, &account).await, "EUR").await;
    app.hold_events().await;
    c.set_primary_quote(pb::SetPrimaryQuoteRequest { id: q.id.clone() }).await.unwrap();
    add(&mut c, &q.id, &lic, 2).await.unwrap();
    add(&mut c, &q.id, &lic, 2).await.unwrap();
    let queued = pending(&app).await;
    assert_eq!(queued.len(), 3);

    let receiver = Arc::new(Receiver { fail_first: 4, ..Default::default() });
    let db = prm_kit::db::connect(&app.quote_db_url).await.unwrap();
    let relay = Relay::new(
        db,
        receiver.clone(),
        RelayConfig {
            base_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(40),
            poll_interval: Duration::from_millis(5),
            ..Default::default()
        },
    );
    let (tx, rx) = tokio::sync::watch::channel(false);
    let handle = relay.spawn(rx);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while receiver.applied.lock().unwrap().len() < 3 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Give a wrongly repeated delivery the chance to show.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = tx.send(true);
    handle.await.unwrap();
    let applied = receiver.applied.lock().unwrap().clone();
    assert_eq!(applied.len(), 3, "every event delivered");
    assert!(applied.values().all(|n| *n == 1), "each exactly once: {applied:?}");
    for e in &queued {
        assert!(applied.contains_key(&e.id.to_string()));
    }
    assert!(pending(&app).await.is_empty(), "nothing left queued");
    app.stop().await;
}

#[tokio::test]
async fn another_partner_cannot_see_or_touch_a_quote() {
    let app = TestApp::spawn().await;
    let mut v = app.client(&vendor()).await;
    let lic = product(&mut v, "LIC-TEN", pb::Billing::Monthly, &[("EUR", "10")]).await;
    let (me, account) = seller(&app).await;
    let mut mine = app.client(&me).await;
    let project = app.project(&me, &account).await;
    let q = quote(&mut mine, &account, &project, "EUR").await;
    let (other, other_account) = seller(&app).await;
    let mut c = app.client(&other).await;
    assert_eq!(c.get_quote(pb::GetQuoteRequest { id: q.id.clone() }).await.unwrap_err().code(), Code::NotFound);
    assert!(c.list_quotes(pb::ListQuotesRequest::default()).await.unwrap().into_inner().quotes.is_empty());
    assert_eq!(add(&mut c, &q.id, &lic, 1).await.unwrap_err().code(), Code::NotFound);
    assert_eq!(
        c.transition_quote(pb::TransitionQuoteRequest { id: q.id.clone(), status: pb::QuoteStatus::Presented as i32 })
            .await
            .unwrap_err()
            .code(),
        Code::NotFound
    );
    assert_eq!(
        c.set_primary_quote(pb::SetPrimaryQuoteRequest { id: q.id.clone() }).await.unwrap_err().code(),
        Code::NotFound
    );
    assert_eq!(c.delete_quote(pb::DeleteQuoteRequest { id: q.id.clone() }).await.unwrap_err().code(), Code::NotFound);
    assert!(
        c.get_primary_quote(pb::GetPrimaryQuoteRequest { project_id: project.clone() })
            .await
            .unwrap()
            .into_inner()
            .quote
            .is_none()
    );
    // Nor quote on another partner's project or account, nor on a project
    // that is no one's: refused like a missing one, naming the field, and
    // nothing is stored.
    let their_project = app.project(&other, &other_account).await;
    let random = Uuid::now_v7().to_string();
    for (project_id, account_id, field) in [
        (&project, &other_account, "project_id"),
        (&project, &account, "project_id"),
        (&random, &other_account, "project_id"),
        (&their_project, &account, "account_id"),
    ] {
        let err = c
            .create_quote(pb::CreateQuoteRequest {
                quote: Some(pb::Quote {
                    name: "Q".into(),
                    project_id: project_id.clone(),
                    account_id: account_id.clone(),
                    currency_code: "EUR".into(),
                    ..Default::default()
                }),
            })
            .await
            .unwrap_err();
        assert_eq!((err.code(), field_of(&err).as_str()), (Code::InvalidArgument, field), "{err:?}");
    }
    assert!(c.list_quotes(pb::ListQuotesRequest::default()).await.unwrap().into_inner().quotes.is_empty());
    assert!(
        mine.get_primary_quote(pb::GetPrimaryQuoteRequest { project_id: project.clone() })
            .await
            .unwrap()
            .into_inner()
            .quote
            .is_none()
    );
    app.stop().await;
}

/// A real SMTP server (aiosmtpd) on a free loopback port, writing what it
/// receives into a directory.
struct SmtpSink {
    port: u16,
    dir: prm_kit::testing::TempDir,
    child: std::process::Child,
}

impl SmtpSink {
    fn start() -> SmtpSink {
        use std::io::BufRead;
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = prm_kit::testing::TempDir::new("smtp").unwrap();
        let mut child = std::process::Command::new("python3")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_sink.py"))
            .arg(port.to_string())
            .arg(&dir.0)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd (scripts/test installs it)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "READY", "the SMTP server did not start (pip install aiosmtpd)");
        SmtpSink { port, dir, child }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages received so far, parsed.
    fn messages(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir.0)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| {
                let out = std::process::Command::new("python3")
                    .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/read_mail.py"))
                    .arg(f)
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                serde_json::from_slice(&out.stdout).unwrap()
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn contact(app: &TestApp, me: &Caller, account_id: &str, email: &str) -> String {
    app.accounts(me)
        .await
        .create_contact(apb::CreateContactRequest {
            contact: Some(apb::Contact {
                account_id: account_id.into(),
                first_name: "Lena".into(),
                last_name: "Kraus".into(),
                email: email.into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .contact
        .unwrap()
        .id
}

#[tokio::test]
async fn a_sent_quote_reaches_the_smtp_server_with_its_pdf() {
    let smtp = SmtpSink::start();
    let app =
        TestApp::spawn_with_mail(prm_kit::mail::MailSettings { smtp_url: Some(smtp.url()), ..Default::default() })
            .await;
    let mut v = app.client(&vendor()).await;
    let lic = product(&mut v, "LIC-MAIL", pb::Billing::Monthly, &[("EUR", "19.90")]).await;
    let (me, account) = seller(&app).await;
    let lena = contact(&app, &me, &account, "lena.kraus@globex.example").await;
    let mut c = app.client(&me).await;
    let q = quote(&mut c, &account, &app.project(&me, &account).await, "EUR").await;
    add(&mut c, &q.id, &lic, 12).await.unwrap();
    let sent = c
        .send_quote(pb::SendQuoteRequest {
            id: q.id.clone(),
            contact_id: lena.clone(),
            message: "As discussed.".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(sent.recipient, "lena.kraus@globex.example");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "exactly one message");
    let m = &messages[0];
    assert_eq!(m["envelope_to"], "lena.kraus@globex.example");
    assert_eq!(m["subject"], "Quote: Offer");
    assert!(m["body"].as_str().unwrap().contains("As discussed."));
    assert!(m["body"].as_str().unwrap().contains("238.8"), "the MRR in the body: {}", m["body"]);
    let pdf = &m["attachments"][0];
    assert_eq!(pdf["content_type"], "application/pdf");
    let text = pdf["text"].as_str().unwrap();
    let expiry = prm_kit::testing::days_from_today(60);
    for expected in ["Offer", "LIC-MAIL", "238.80 EUR", "Hamburg", expiry.as_str(), q.number.as_str(), "Page 1 of 1"] {
        assert!(text.contains(expected), "{expected} missing from the PDF text: {text}");
    }
    // A contact of another account is refused, and nothing is sent.
    let (other, other_account) = seller(&app).await;
    let stranger = contact(&app, &other, &other_account, "x@other.example").await;
    let err = c
        .send_quote(pb::SendQuoteRequest { id: q.id.clone(), contact_id: stranger, message: String::new() })
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), "contact_id");
    assert_eq!(smtp.messages().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_quote_is_not_sent_while_the_mail_server_is_down() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mail = prm_kit::mail::MailSettings { smtp_url: Some(format!("smtp://127.0.0.1:{port}")), ..Default::default() };
    let app = TestApp::spawn_with_mail(mail).await;
    let (me, account) = seller(&app).await;
    let lena = contact(&app, &me, &account, "lena@globex.example").await;
    let mut c = app.client(&me).await;
    let q = quote(&mut c, &account, &app.project(&me, &account).await, "EUR").await;
    let err =
        c.send_quote(pb::SendQuoteRequest { id: q.id, contact_id: lena, message: String::new() }).await.unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);
    app.stop().await;
}

/// The page count and the text pypdf reads from a PDF.
fn pdf_text(pdf: &[u8]) -> (usize, String) {
    let mut child = std::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pdf_text.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pypdf read the PDF");
    let text = String::from_utf8(out.stdout).unwrap();
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    (first.strip_prefix("PAGES ").unwrap().parse().unwrap(), rest.to_string())
}

#[tokio::test]
async fn the_quote_document_is_a_pdf_of_its_lines() {
    let app = TestApp::spawn().await;
    let mut v = app.client(&vendor()).await;
    let lic = product(&mut v, "LIC-DOC", pb::Billing::Monthly, &[("EUR", "10")]).await;
    let (me, account) = seller(&app).await;
    let mut c = app.client(&me).await;
    let q = quote(&mut c, &account, &app.project(&me, &account).await, "EUR").await;
    for _ in 0..60 {
        add(&mut c, &q.id, &lic, 1).await.unwrap();
    }
    let doc = c.get_quote_document(pb::GetQuoteDocumentRequest { id: q.id.clone() }).await.unwrap().into_inner();
    assert_eq!(doc.content_type, "application/pdf");
    assert_eq!(doc.file_name, "quote-offer.pdf");
    let (pages, text) = pdf_text(&doc.content);
    assert_eq!(pages, prm_quote::document::page_count(60));
    assert_eq!(pages, 2, "60 lines take two pages: {text}");
    assert_eq!(text.matches("Product LIC-DOC").count(), 60, "every line printed once");
    for expected in ["Globex", "Hamburg", q.number.as_str(), "600.00 EUR", "Page 2 of 2"] {
        assert!(text.contains(expected), "{expected} missing from the PDF text: {text}");
    }
    // Another partner cannot render it.
    let (other, _) = seller(&app).await;
    let err = app.client(&other).await.get_quote_document(pb::GetQuoteDocumentRequest { id: q.id }).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    app.stop().await;
}

#[tokio::test]
async fn a_long_quote_to_lodz_prints_every_accented_name_on_numbered_pages() {
    let app = TestApp::spawn().await;
    let mut v = app.client(&vendor()).await;
    let names = [
        "Łódź",
        "Dvořák",
        "Øresund",
        "Müller",
        "Ærøskøbing",
        "Škoda",
        "Ångström",
        "Győr",
        "Çağlayan",
        "Żółć",
        "Šťastný",
        "Þórshöfn",
    ];
    let mut products = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let p = v
            .create_product(pb::CreateProductRequest {
                product: Some(pb::Product {
                    sku: format!("HS-{i:02}"),
                    name: format!("Headset {name}"),
                    family: pb::ProductFamily::Hardware as i32,
                    billing: pb::Billing::OneTime as i32,
                    ..Default::default()
                }),
            })
            .await
            .unwrap()
            .into_inner()
            .product
            .unwrap();
        v.set_list_price(pb::SetListPriceRequest { product_id: p.id.clone(), price: money("EUR", "1234.5") })
            .await
            .unwrap();
        products.push(p.id);
    }
    let me = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let lodz = Address {
        street: "ul. Piotrkowska 104".into(),
        postal_code: "90-926".into(),
        city: "Łódź".into(),
        country: "Polska".into(),
        ..Default::default()
    };
    let account = app
        .accounts(&me)
        .await
        .create_account(apb::CreateAccountRequest {
            account: Some(apb::Account {
                name: "Zakłady Włókiennicze Łódź".into(),
                vat_number: "PL7250012345".into(),
                billing_address: Some(lodz.clone()),
                shipping_address: Some(lodz),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap()
        .id;
    let mut c = app.client(&me).await;
    let q = quote(&mut c, &account, &app.project(&me, &account).await, "EUR").await;
    for i in 0..120 {
        add(&mut c, &q.id, &products[i % names.len()], 1).await.unwrap();
    }
    let doc = c.get_quote_document(pb::GetQuoteDocumentRequest { id: q.id.clone() }).await.unwrap().into_inner();
    let (pages, text) = pdf_text(&doc.content);

    let expected_pages = prm_quote::document::page_count(120);
    assert!(expected_pages > 1);
    assert_eq!(pages, expected_pages, "{text}");
    for n in 1..=pages {
        assert!(text.contains(&format!("Page {n} of {pages}")), "page {n} is numbered: {text}");
    }
    for name in names {
        assert_eq!(text.matches(&format!("Headset {name}")).count(), 10, "{name}, every line of it: {text}");
    }
    assert!(q.number.starts_with("Q-"), "{}", q.number);
    for expected in [
        q.number.as_str(),
        "Zakłady Włókiennicze Łódź",
        "90-926 Łódź",
        "VAT PL7250012345",
        "1,234.50",
        "148,140.00 EUR",
    ] {
        assert!(text.contains(expected), "{expected} missing from the PDF text: {text}");
    }
    app.stop().await;
}

#[tokio::test]
async fn partner_and_reseller_addresses_come_with_the_request() {
    let app = TestApp::spawn().await;
    let (me, account) = seller(&app).await;
    let mut c = app.client(&me).await;
    let warehouse = Address { street: "Lagerweg 5".into(), city: "Berlin".into(), ..Default::default() };
    let project = app.project(&me, &account).await;
    let make = |shipping: Option<Address>| pb::Quote {
        name: "Q".into(),
        project_id: project.clone(),
        account_id: account.clone(),
        currency_code: "EUR".into(),
        shipping_address_type: pb::ShippingAddressType::Reseller as i32,
        shipping_address: shipping,
        ..Default::default()
    };
    let q = c
        .create_quote(pb::CreateQuoteRequest { quote: Some(make(Some(warehouse.clone()))) })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(q.quote.unwrap().shipping_address, Some(warehouse));
    let err = c.create_quote(pb::CreateQuoteRequest { quote: Some(make(None)) }).await.unwrap_err();
    assert_eq!(field_of(&err), "shipping_address_type");
    app.stop().await;
}

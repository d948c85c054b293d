//! Global search and aggregates of the account service over real gRPC, on a
//! fresh database (PostgreSQL when PRM_TEST_DATABASE_URL is set, SQLite
//! otherwise).

use prm_account::AccountService;
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
    account::v1::{self as pb, account_service_client::AccountServiceClient},
    common::v1::{Address, RecordType},
    record::v1::{self as rpb, AggregateFunction as F, DateBucket},
};
use sea_orm::ConnectionTrait;
use sea_orm_migration::{MigrationTrait, SchemaManager};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Client = AccountServiceClient<InterceptedService<Channel, CallerInterceptor>>;

struct TestApp {
    services: TestServices,
}

impl TestApp {
    async fn spawn() -> TestApp {
        let mut services = TestServices::new();
        services.start::<AccountService>().await;
        // Asked before an account is deleted whether a project names it.
        services.start::<prm_project::ProjectService>().await;
        TestApp { services }
    }

    async fn client(&self, caller: &Caller) -> Client {
        AccountServiceClient::with_interceptor(self.services.channel("account").await, self.services.auth(caller))
    }

    async fn search_types(&self, caller: &Caller, q: &str, types: &[RecordType]) -> Vec<rpb::SearchResult> {
        let req = rpb::SearchRecordsRequest {
            query: q.into(),
            page_size: 0,
            types: types.iter().map(|t| *t as i32).collect(),
        };
        self.services.search_on(self.services.channel("account").await, caller, req).await
    }
}

fn partner_user() -> Caller {
    person(Role::PartnerUser, Some(Uuid::now_v7()))
}

fn account(name: &str, phone: &str, city: &str, kind: pb::AccountType) -> pb::Account {
    pb::Account {
        name: name.into(),
        r#type: kind as i32,
        phone: phone.into(),
        website: "cafe-mueller.example".into(),
        vat_number: "DE123456789".into(),
        billing_address: Some(Address { city: city.into(), country: "DE".into(), ..Default::default() }),
        ..Default::default()
    }
}

async fn create_account(app: &TestApp, caller: &Caller, a: pb::Account) -> pb::Account {
    app.client(caller)
        .await
        .create_account(pb::CreateAccountRequest { account: Some(a), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap()
}

async fn create_contact(app: &TestApp, caller: &Caller, c: pb::Contact) -> pb::Contact {
    app.client(caller)
        .await
        .create_contact(pb::CreateContactRequest { contact: Some(c), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .contact
        .unwrap()
}

fn kinds(results: &[rpb::SearchResult]) -> Vec<i32> {
    results.iter().map(|r| r.record.as_ref().unwrap().r#type).collect()
}

fn mask(paths: &[&str]) -> Option<prost_types::FieldMask> {
    Some(prost_types::FieldMask { paths: paths.iter().map(|p| p.to_string()).collect() })
}

#[tokio::test]
async fn search_finds_accounts_and_contacts_by_name_email_phone_and_city_in_the_callers_scope_only() {
    let app = TestApp::spawn().await;
    let (a, b) = (partner_user(), partner_user());
    let cafe = create_account(
        &app,
        &a,
        account("Café Müller GmbH", "+1 (555) 010-7788", "München", pb::AccountType::Customer),
    )
    .await;
    let branch =
        create_account(&app, &a, account("Café Müller GmbH Filiale", "", "Köln", pb::AccountType::Prospect)).await;
    let zoe = create_contact(
        &app,
        &a,
        pb::Contact {
            account_id: cafe.id.clone(),
            first_name: "Zoë".into(),
            last_name: "Brandt".into(),
            title: "Head of IT".into(),
            email: "zoe.brandt@cafe-mueller.example".into(),
            phone: "555-010-9900".into(),
            ..Default::default()
        },
    )
    .await;
    let theirs = create_account(
        &app,
        &b,
        account("Café Müller GmbH", "+1 (555) 010-7788", "München", pb::AccountType::Customer),
    )
    .await;

    // A word of the name, any case, accents folded; the exact title first.
    let found = app.services.search("account", &a, "cafe muller gmbh").await;
    assert_eq!(titles(&found), ["Café Müller GmbH", "Café Müller GmbH Filiale"]);
    assert_eq!(ids(&found), [cafe.id.as_str(), branch.id.as_str()]);
    assert_eq!(kinds(&found), [RecordType::Account as i32; 2]);
    assert_eq!(found[0].subtitle, "München · +1 (555) 010-7788");
    assert!(found[0].score > found[1].score);
    assert_eq!(ids(&app.services.search("account", &a, "MÜLLER").await), [cafe.id.as_str(), branch.id.as_str()]);
    // A contact by a word of its name, by part of its e-mail.
    for q in ["zoe", "BRANDT", "zoe.bra", "brandt@cafe", "mueller.example"] {
        let found = app.search_types(&a, q, &[RecordType::Contact]).await;
        assert_eq!(ids(&found), [zoe.id.as_str()], "{q}");
    }
    let found = app.services.search("account", &a, "zoe brandt").await;
    assert_eq!(
        (found[0].title.as_str(), found[0].subtitle.as_str()),
        ("Zoë Brandt", "zoe.brandt@cafe-mueller.example · 555-010-9900")
    );
    assert_eq!(found[0].score, app.services.search("account", &a, "Zoë Brandt").await[0].score);
    // By phone in another format, either way round.
    assert_eq!(ids(&app.services.search("account", &a, "555 0107788").await), [cafe.id.as_str()]);
    assert_eq!(ids(&app.services.search("account", &a, "(555) 010 7788").await), [cafe.id.as_str()]);
    assert_eq!(
        ids(&app.services.search("account", &a, "+1 555.010.9900").await),
        Vec::<String>::new(),
        "more digits than stored"
    );
    assert_eq!(ids(&app.services.search("account", &a, "(555) 010 9900").await), [zoe.id.as_str()]);
    // By city, VAT number and website.
    assert_eq!(ids(&app.services.search("account", &a, "munchen").await), [cafe.id.as_str()]);
    assert_eq!(ids(&app.search_types(&a, "DE123456789", &[RecordType::Account]).await).len(), 2);
    // Never another partner's record; support agents see no accounts.
    for q in ["cafe", "555 0107788", "munchen"] {
        assert!(!ids(&app.services.search("account", &a, q).await).contains(&theirs.id), "{q}");
    }
    let am = Caller { assigned_partners: vec![b.partner_id.unwrap()], ..person(Role::AccountManager, None) };
    assert_eq!(ids(&app.services.search("account", &am, "cafe").await), [theirs.id.as_str()]);
    assert!(app.services.search("account", &person(Role::SupportAgent, None), "cafe").await.is_empty());
    assert_eq!(app.services.search("account", &person(Role::VendorAdmin, None), "cafe muller").await.len(), 3);

    // An edit changes what is found.
    let mut c = app.client(&a).await;
    c.update_account(pb::UpdateAccountRequest {
        account: Some(pb::Account { id: branch.id.clone(), name: "Initech Köln".into(), ..Default::default() }),
        update_mask: mask(&["name"]),
    })
    .await
    .unwrap();
    assert_eq!(ids(&app.services.search("account", &a, "muller").await), [cafe.id.as_str()]);
    assert_eq!(titles(&app.services.search("account", &a, "initech").await), ["Initech Köln"]);
    c.update_contact(pb::UpdateContactRequest {
        contact: Some(pb::Contact { id: zoe.id.clone(), email: "zb@initech.example".into(), ..Default::default() }),
        update_mask: mask(&["email"]),
    })
    .await
    .unwrap();
    assert!(app.services.search("account", &a, "brandt@cafe").await.is_empty());
    assert_eq!(titles(&app.services.search("account", &a, "initech").await), ["Initech Köln", "Zoë Brandt"]);

    // A delete removes it from search: an account, then a contact and its account.
    c.delete_account(pb::DeleteAccountRequest { id: branch.id.clone() }).await.unwrap();
    assert_eq!(titles(&app.services.search("account", &a, "initech").await), ["Zoë Brandt"]);
    c.delete_contact(pb::DeleteContactRequest { id: zoe.id.clone() }).await.unwrap();
    c.delete_account(pb::DeleteAccountRequest { id: cafe.id.clone() }).await.unwrap();
    assert!(app.services.search("account", &a, "zoe").await.is_empty());
    assert!(app.services.search("account", &a, "cafe").await.is_empty());
    app.services.stop().await;
}

#[tokio::test]
async fn records_written_before_search_existed_are_indexed_by_the_backfill() {
    let app = TestApp::spawn().await;
    let a = partner_user();
    let acme = create_account(&app, &a, account("Hooli", "030 1234567", "Berlin", pb::AccountType::Customer)).await;
    create_contact(
        &app,
        &a,
        pb::Contact {
            account_id: acme.id,
            first_name: "Gavin".into(),
            last_name: "Belson".into(),
            ..Default::default()
        },
    )
    .await;
    let db = prm_kit::db::connect(&app.services.database_url("account")).await.unwrap();
    db.execute_unprepared("DELETE FROM search_documents").await.unwrap();
    assert!(app.services.search("account", &a, "hooli").await.is_empty());
    prm_account::store::BackfillSearch.up(&SchemaManager::new(&db)).await.unwrap();
    assert_eq!(titles(&app.services.search("account", &a, "hooli").await), ["Hooli"]);
    assert_eq!(titles(&app.services.search("account", &a, "030-123 4567").await), ["Hooli"]);
    assert_eq!(titles(&app.services.search("account", &a, "belson").await), ["Gavin Belson"]);
    db.close().await.unwrap();
    app.services.stop().await;
}

#[tokio::test]
async fn aggregates_count_accounts_and_contacts_in_the_callers_scope() {
    let app = TestApp::spawn().await;
    let (a, b) = (partner_user(), partner_user());
    let mut made = vec![];
    for (name, city, kind) in [
        ("A1", "Berlin", pb::AccountType::Customer),
        ("A2", "Berlin", pb::AccountType::Prospect),
        ("A3", "Hamburg", pb::AccountType::Customer),
        ("A4", "", pb::AccountType::FormerCustomer),
    ] {
        made.push(create_account(&app, &a, account(name, "", city, kind)).await);
    }
    for (i, acc) in [&made[0], &made[0], &made[2]].into_iter().enumerate() {
        create_contact(
            &app,
            &a,
            pb::Contact { account_id: acc.id.clone(), last_name: format!("P{i}"), ..Default::default() },
        )
        .await;
    }
    create_account(&app, &b, account("B1", "", "Berlin", pb::AccountType::Customer)).await;

    let by_type = app
        .services
        .aggregate(
            "account",
            &a,
            request("accounts", vec![group("type", DateBucket::Unspecified)], "", vec![measure(F::Count, "")]),
        )
        .await
        .unwrap();
    assert_eq!(
        rows(&by_type),
        [(vec!["customer"], vec!["2"]), (vec!["former_customer"], vec!["1"]), (vec!["prospect"], vec!["1"])]
    );
    let by_city = app
        .services
        .aggregate(
            "account",
            &a,
            request(
                "accounts",
                vec![group("billing_address.city", DateBucket::Unspecified), group("type", DateBucket::Unspecified)],
                r#"type != "former_customer""#,
                vec![measure(F::Count, "")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        rows(&by_city),
        [
            (vec!["Berlin", "customer"], vec!["1"]),
            (vec!["Berlin", "prospect"], vec!["1"]),
            (vec!["Hamburg", "customer"], vec!["1"]),
        ]
    );
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let by_month = app
        .services
        .aggregate(
            "account",
            &a,
            request("accounts", vec![group("create_time", DateBucket::Month)], "", vec![measure(F::Count, "")]),
        )
        .await
        .unwrap();
    assert_eq!(rows(&by_month), [(vec![month.as_str()], vec!["4"])]);
    let contacts = app
        .services
        .aggregate(
            "account",
            &a,
            request("contacts", vec![group("account_id", DateBucket::Unspecified)], "", vec![measure(F::Count, "")]),
        )
        .await
        .unwrap();
    let mut expected = vec![(vec![made[0].id.as_str()], vec!["2"]), (vec![made[2].id.as_str()], vec!["1"])];
    expected.sort();
    assert_eq!(rows(&contacts), expected);
    // The other partner, an account manager of neither, a vendor admin.
    let am = Caller { assigned_partners: vec![Uuid::now_v7()], ..person(Role::AccountManager, None) };
    assert_eq!(count(&app, &b).await, ["1"]);
    assert_eq!(count(&app, &am).await, ["0"]);
    assert_eq!(count(&app, &person(Role::VendorAdmin, None)).await, ["5"]);

    // Bad requests name the field.
    for (r, field) in [
        (request("accounts", vec![], "", vec![measure(F::Sum, "name")]), "measures[0].field"),
        (request("accounts", vec![], "", vec![measure(F::Avg, "nope")]), "measures[0].field"),
        (
            request("contacts", vec![group("email", DateBucket::Week)], "", vec![measure(F::Count, "")]),
            "group_by[0].bucket",
        ),
        (request("leads", vec![], "", vec![measure(F::Count, "")]), "collection"),
    ] {
        let e = app.services.aggregate("account", &a, r).await.unwrap_err();
        assert_eq!((e.code(), field_of(&e)), (Code::InvalidArgument, field.to_string()));
    }
    app.services.stop().await;
}

async fn count(app: &TestApp, caller: &Caller) -> Vec<String> {
    let req = request("accounts", vec![], "", vec![measure(F::Count, "")]);
    app.services.aggregate("account", caller, req).await.unwrap().into_iter().flat_map(|r| r.values).collect()
}

//! Global search and aggregates of the lead service over real gRPC, on a
//! fresh database (PostgreSQL when PRM_TEST_DATABASE_URL is set, SQLite
//! otherwise), with the account service it converts leads into.

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
use prm_lead::LeadService;
use prm_proto::{
    common::v1::{Address, RecordType},
    lead::v1::{self as pb, lead_service_client::LeadServiceClient},
    record::v1::{self as rpb, AggregateFunction as F, DateBucket},
};
use sea_orm::ConnectionTrait;
use sea_orm_migration::{MigrationTrait, SchemaManager};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Leads = LeadServiceClient<InterceptedService<Channel, CallerInterceptor>>;

struct TestApp {
    services: TestServices,
}

impl TestApp {
    /// Leads and accounts; the project service's address is a closed port
    /// (conversions here make no project).
    async fn spawn() -> TestApp {
        let mut services = TestServices::new();
        services.start::<prm_account::AccountService>().await;
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        services.point("project", closed);
        services.start::<LeadService>().await;
        TestApp { services }
    }

    async fn leads(&self, caller: &Caller) -> Leads {
        LeadServiceClient::with_interceptor(self.services.channel("lead").await, self.services.auth(caller))
    }
}

fn vendor() -> Caller {
    person(Role::VendorAdmin, None)
}

fn lead(first: &str, last: &str, company: &str, email: &str, phone: &str) -> pb::Lead {
    pb::Lead {
        company: company.into(),
        first_name: first.into(),
        last_name: last.into(),
        title: "CTO".into(),
        email: email.into(),
        phone: phone.into(),
        address: Some(Address { city: "Zürich".into(), country: "CH".into(), ..Default::default() }),
        source: pb::LeadSource::Web as i32,
        estimated_users: 40,
        ..Default::default()
    }
}

async fn create(app: &TestApp, caller: &Caller, l: pb::Lead) -> pb::Lead {
    app.leads(caller)
        .await
        .create_lead(pb::CreateLeadRequest { lead: Some(l) })
        .await
        .unwrap()
        .into_inner()
        .lead
        .unwrap()
}

fn mask(paths: &[&str]) -> Option<prost_types::FieldMask> {
    Some(prost_types::FieldMask { paths: paths.iter().map(|p| p.to_string()).collect() })
}

async fn set_status(app: &TestApp, caller: &Caller, id: &str, status: pb::LeadStatus) -> pb::Lead {
    app.leads(caller)
        .await
        .update_lead(pb::UpdateLeadRequest {
            lead: Some(pb::Lead { id: id.into(), status: status as i32, ..Default::default() }),
            update_mask: mask(&["status"]),
        })
        .await
        .unwrap()
        .into_inner()
        .lead
        .unwrap()
}

#[tokio::test]
async fn search_finds_leads_by_name_company_email_and_phone_in_the_callers_scope_only() {
    let app = TestApp::spawn().await;
    let partner = Uuid::now_v7();
    let (a, admin) = (person(Role::PartnerUser, Some(partner)), person(Role::PartnerAdmin, Some(partner)));
    let b = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let weiss = create(
        &app,
        &a,
        lead("Jürgen", "Weiß", "Café Müller GmbH", "j.weiss@cafe-mueller.example", "+1 (555) 010-7788"),
    )
    .await;
    let weissmann = create(&app, &a, lead("Jürgen", "Weißmann", "Initech", "jw@initech.example", "")).await;
    let theirs = create(&app, &b, lead("Jürgen", "Weiß", "Café Müller GmbH", "j.weiss@cafe-mueller.example", "")).await;

    // The person's name, any case, accents folded; the exact title first.
    let found = app.services.search("lead", &a, "jurgen weiss").await;
    assert_eq!(titles(&found), ["Jürgen Weiß", "Jürgen Weißmann"]);
    assert_eq!(ids(&found), [weiss.id.as_str(), weissmann.id.as_str()]);
    assert_eq!(found[0].record.as_ref().unwrap().r#type, RecordType::Lead as i32);
    assert_eq!(found[0].subtitle, "Café Müller GmbH · j.weiss@cafe-mueller.example · +1 (555) 010-7788 · new");
    assert!(found[0].score > found[1].score);
    // By company, partial e-mail, phone in another format, city.
    for q in ["cafe muller", "CAFÉ", "j.weiss@cafe", "weiss@cafe-mue", "555 0107788", "555-010-7788", "zurich cafe"] {
        assert_eq!(ids(&app.services.search("lead", &a, q).await), [weiss.id.as_str()], "{q}");
    }
    // Never another partner's lead; support agents see none.
    assert!(!ids(&app.services.search("lead", &a, "weiss").await).contains(&theirs.id));
    assert_eq!(ids(&app.services.search("lead", &b, "weiss").await), [theirs.id.as_str()]);
    assert!(app.services.search("lead", &person(Role::SupportAgent, None), "weiss").await.is_empty());

    // The vendor's pool: only the vendor sees it, until it is distributed
    // (its partner and that partner's account manager see it, pending), and
    // again once the partner rejects it.
    let pooled = create(&app, &vendor(), lead("Pia", "Pool", "Hooli", "pia@hooli.example", "")).await;
    let am = Caller { assigned_partners: vec![partner], ..person(Role::AccountManager, None) };
    assert!(app.services.search("lead", &a, "hooli").await.is_empty());
    assert!(app.services.search("lead", &am, "hooli").await.is_empty());
    assert_eq!(ids(&app.services.search("lead", &vendor(), "hooli").await), [pooled.id.as_str()]);
    let mut v = app.leads(&vendor()).await;
    v.distribute_lead(pb::DistributeLeadRequest { id: pooled.id.clone(), partner_id: partner.to_string() })
        .await
        .unwrap();
    assert_eq!(ids(&app.services.search("lead", &a, "hooli").await), [pooled.id.as_str()]);
    assert_eq!(ids(&app.services.search("lead", &am, "hooli").await), [pooled.id.as_str()]);
    assert!(app.services.search("lead", &b, "hooli").await.is_empty());
    app.leads(&admin)
        .await
        .reject_lead(pb::RejectLeadRequest { id: pooled.id.clone(), reason: "not our region".into() })
        .await
        .unwrap();
    assert!(app.services.search("lead", &a, "hooli").await.is_empty());
    assert!(app.services.search("lead", &am, "hooli").await.is_empty());
    assert_eq!(ids(&app.services.search("lead", &vendor(), "hooli").await), [pooled.id.as_str()]);

    // An edit changes what is found; a status move and a conversion show.
    let mut c = app.leads(&a).await;
    c.update_lead(pb::UpdateLeadRequest {
        lead: Some(pb::Lead { id: weiss.id.clone(), email: "jw@globex.example".into(), ..Default::default() }),
        update_mask: mask(&["email"]),
    })
    .await
    .unwrap();
    assert!(app.services.search("lead", &a, "cafe-mueller.example").await.is_empty());
    assert_eq!(ids(&app.services.search("lead", &a, "jw@globex").await), [weiss.id.as_str()]);
    set_status(&app, &a, &weiss.id, pb::LeadStatus::Working).await;
    set_status(&app, &a, &weiss.id, pb::LeadStatus::Qualified).await;
    assert!(app.services.search("lead", &a, "jw@globex").await[0].subtitle.ends_with(" · qualified"));
    c.convert_lead(pb::ConvertLeadRequest { id: weiss.id.clone(), ..Default::default() }).await.unwrap();
    assert!(app.services.search("lead", &a, "jw@globex").await[0].subtitle.ends_with(" · converted"));

    // A delete removes it.
    c.delete_lead(pb::DeleteLeadRequest { id: weissmann.id.clone() }).await.unwrap();
    assert!(app.services.search("lead", &a, "initech").await.is_empty());
    app.services.stop().await;
}

#[tokio::test]
async fn leads_written_before_search_existed_are_indexed_by_the_backfill() {
    let app = TestApp::spawn().await;
    let a = person(Role::PartnerUser, Some(Uuid::now_v7()));
    create(&app, &a, lead("Gavin", "Belson", "Hooli", "gavin@hooli.example", "030 1234567")).await;
    let pooled = create(&app, &vendor(), lead("Pia", "Pool", "Hooli", "pia@hooli.example", "")).await;
    let db = prm_kit::db::connect(&app.services.database_url("lead")).await.unwrap();
    db.execute_unprepared("DELETE FROM search_documents").await.unwrap();
    assert!(app.services.search("lead", &a, "hooli").await.is_empty());
    prm_lead::store::BackfillSearch.up(&SchemaManager::new(&db)).await.unwrap();
    assert_eq!(titles(&app.services.search("lead", &a, "hooli").await), ["Gavin Belson"]);
    assert_eq!(titles(&app.services.search("lead", &a, "030/1234567").await), ["Gavin Belson"]);
    assert_eq!(ids(&app.services.search("lead", &vendor(), "pia").await), [pooled.id.as_str()]);
    db.close().await.unwrap();
    app.services.stop().await;
}

#[tokio::test]
async fn aggregates_count_and_sum_the_leads_in_the_callers_scope() {
    let app = TestApp::spawn().await;
    let a = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let b = person(Role::PartnerUser, Some(Uuid::now_v7()));
    for (i, (source, users, status)) in [
        (pb::LeadSource::Web, 40, None),
        (pb::LeadSource::Web, 25, Some(pb::LeadStatus::Working)),
        (pb::LeadSource::Referral, 12, Some(pb::LeadStatus::Unqualified)),
        (pb::LeadSource::Event, 1, Some(pb::LeadStatus::Qualified)),
    ]
    .into_iter()
    .enumerate()
    {
        let l = pb::Lead {
            source: source as i32,
            estimated_users: users,
            ..lead("Lea", &format!("L{i}"), "Acme", &format!("l{i}@acme.example"), "")
        };
        let l = create(&app, &a, l).await;
        if let Some(status) = status {
            set_status(&app, &a, &l.id, pb::LeadStatus::Working).await;
            set_status(&app, &a, &l.id, status).await;
        }
    }
    create(&app, &b, pb::Lead { estimated_users: 1000, ..lead("Bo", "B", "B", "b@b.example", "") }).await;
    create(&app, &vendor(), pb::Lead { estimated_users: 500, ..lead("Pia", "Pool", "P", "p@p.example", "") }).await;

    let total = app
        .services
        .aggregate(
            "lead",
            &a,
            request(
                "leads",
                vec![],
                "",
                vec![
                    measure(F::Count, ""),
                    measure(F::Sum, "estimated_users"),
                    measure(F::Avg, "estimated_users"),
                    measure(F::Min, "estimated_users"),
                    measure(F::Max, "estimated_users"),
                    measure(F::Sum, "open"),
                    measure(F::Sum, "converted"),
                ],
            ),
        )
        .await
        .unwrap();
    // (40 + 25 + 12 + 1) / 4 = 19.5.
    assert_eq!(rows(&total), [(vec![], vec!["4", "78", "19.5", "1", "40", "3", "0"])]);
    let by_source_status = app
        .services
        .aggregate(
            "lead",
            &a,
            request(
                "leads",
                vec![group("source", DateBucket::Unspecified), group("status", DateBucket::Unspecified)],
                "",
                vec![measure(F::Count, ""), measure(F::Avg, "estimated_users")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        rows(&by_source_status),
        [
            (vec!["event", "qualified"], vec!["1", "1"]),
            (vec!["referral", "unqualified"], vec!["1", "12"]),
            (vec!["web", "new"], vec!["1", "40"]),
            (vec!["web", "working"], vec!["1", "25"]),
        ]
    );
    // A filter, and a group by the month leads were created in.
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let open = app
        .services
        .aggregate(
            "lead",
            &a,
            request(
                "leads",
                vec![group("create_time", DateBucket::Month)],
                r#"status != "unqualified" AND status != "converted" AND source = "web""#,
                vec![measure(F::Count, ""), measure(F::Avg, "estimated_users")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(rows(&open), [(vec![month.as_str()], vec!["2", "32.5"])]);
    // Averages stay exact: (40 + 25 + 12) / 3.
    let avg = app
        .services
        .aggregate(
            "lead",
            &a,
            request("leads", vec![], r#"source != "event""#, vec![measure(F::Avg, "estimated_users")]),
        )
        .await
        .unwrap();
    assert_eq!(rows(&avg), [(vec![], vec!["25.6667"])]);
    // The pool counts for the vendor only; each partner its own.
    let count = |caller: Caller| {
        let app = &app;
        async move {
            let r = app
                .services
                .aggregate("lead", &caller, request("leads", vec![], "", vec![measure(F::Sum, "estimated_users")]))
                .await;
            r.unwrap().into_iter().flat_map(|r| r.values).collect::<Vec<_>>()
        }
    };
    assert_eq!(count(b.clone()).await, ["1000"]);
    assert_eq!(count(vendor()).await, ["1578"]);
    assert_eq!(count(person(Role::SupportAgent, None)).await, [""]);

    for (r, field) in [
        (request("leads", vec![], "", vec![measure(F::Sum, "company")]), "measures[0].field"),
        (request("leads", vec![], "", vec![measure(F::Count, ""), measure(F::Max, "budget")]), "measures[1].field"),
        (
            request("leads", vec![group("status", DateBucket::Year)], "", vec![measure(F::Count, "")]),
            "group_by[0].bucket",
        ),
        (rpb::AggregateRequest { collection: "projects".into(), ..request("leads", vec![], "", vec![]) }, "collection"),
    ] {
        let e = app.services.aggregate("lead", &a, r).await.unwrap_err();
        assert_eq!((e.code(), field_of(&e)), (Code::InvalidArgument, field.to_string()));
    }
    app.services.stop().await;
}

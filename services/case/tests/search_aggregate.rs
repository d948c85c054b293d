//! Global search and aggregates of the case service over real gRPC, on a
//! fresh database (PostgreSQL when PRM_TEST_DATABASE_URL is set, SQLite
//! otherwise). Cases are seen in the case scope: support agents see every
//! partner's.

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
    case::v1::{self as pb, case_service_client::CaseServiceClient},
    common::v1::RecordType,
    record::v1::{self as rpb, AggregateFunction as F, DateBucket},
};
use sea_orm::ConnectionTrait;
use sea_orm_migration::{MigrationTrait, SchemaManager};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Client = CaseServiceClient<InterceptedService<Channel, CallerInterceptor>>;

struct TestApp {
    services: TestServices,
}

impl TestApp {
    async fn spawn() -> TestApp {
        let mut services = TestServices::new();
        services.start::<prm_case::CaseService>().await;
        TestApp { services }
    }

    async fn client(&self, caller: &Caller) -> Client {
        CaseServiceClient::with_interceptor(self.services.channel("case").await, self.services.auth(caller))
    }
}

fn partner_user() -> Caller {
    person(Role::PartnerUser, Some(Uuid::now_v7()))
}

fn agent() -> Caller {
    person(Role::SupportAgent, None)
}

fn who(email: &str, name: &str) -> Option<pb::Person> {
    Some(pb::Person { email: email.into(), display_name: name.into() })
}

async fn open_case(
    app: &TestApp,
    caller: &Caller,
    subject: &str,
    email: &str,
    product: pb::CaseProduct,
    priority: pb::CasePriority,
) -> pb::Case {
    app.client(caller)
        .await
        .create_case(pb::CreateCaseRequest {
            case: Some(pb::Case {
                subject: subject.into(),
                description: "Calls drop after 30 seconds.".into(),
                product: product as i32,
                priority: priority as i32,
                ..Default::default()
            }),
            submitter: who(email, "Bob Bäcker"),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .case
        .unwrap()
}

async fn move_to(app: &TestApp, id: &str, to: pb::CaseStatus, message: &str) -> pb::Case {
    app.client(&agent())
        .await
        .transition_case(pb::TransitionCaseRequest {
            id: id.into(),
            status: to as i32,
            message: message.into(),
            author: who("sam@vendor.example", "Sam Support"),
        })
        .await
        .unwrap()
        .into_inner()
        .case
        .unwrap()
}

#[tokio::test]
async fn search_finds_cases_by_number_subject_and_submitter_in_the_case_scope() {
    let app = TestApp::spawn().await;
    let (a, b) = (partner_user(), partner_user());
    let (p, h) = (pb::CaseProduct::Classound, pb::CasePriority::High);
    let long = open_case(&app, &a, "Café Müller phones drop calls", "bob@cafe-mueller.example", p, h).await;
    let short = open_case(&app, &a, "Café Müller phones", "bob@cafe-mueller.example", p, h).await;
    let theirs = open_case(&app, &b, "Café Müller outage", "eve@globex.example", p, h).await;
    assert_eq!((long.number.as_str(), short.number.as_str()), ("CS-000001", "CS-000002"));

    // Words of the subject, any case, accents folded: the closest title first.
    let found = app.services.search("case", &a, "cafe muller phones").await;
    assert_eq!(titles(&found), ["CS-000002 · Café Müller phones", "CS-000001 · Café Müller phones drop calls"]);
    assert_eq!(found[0].record.as_ref().unwrap().r#type, RecordType::Case as i32);
    assert_eq!(found[0].subtitle, "new · classound · high");
    assert!(found[0].score > found[1].score);
    // By number, by the submitter's e-mail and name.
    assert_eq!(ids(&app.services.search("case", &a, "cs-000001").await), [long.id.as_str()]);
    assert_eq!(
        ids(&app.services.search("case", &a, "CS-000001 · café müller phones drop calls").await),
        [long.id.as_str()]
    );
    assert!(
        app.services.search("case", &a, "CS-000001 · café müller phones drop calls").await[0].score > 0.99,
        "the exact title"
    );
    assert_eq!(app.services.search("case", &a, "bob@cafe").await.len(), 2);
    assert_eq!(app.services.search("case", &a, "bob backer").await.len(), 2);
    // A partner sees its own; its account manager too; support every case.
    assert!(!ids(&app.services.search("case", &a, "muller").await).contains(&theirs.id));
    assert_eq!(ids(&app.services.search("case", &b, "cafe").await), [theirs.id.as_str()]);
    let am = Caller { assigned_partners: vec![b.partner_id.unwrap()], ..person(Role::AccountManager, None) };
    assert_eq!(ids(&app.services.search("case", &am, "cafe").await), [theirs.id.as_str()]);
    assert_eq!(app.services.search("case", &agent(), "cafe muller").await.len(), 3);
    assert_eq!(ids(&app.services.search("case", &agent(), "eve@globex").await), [theirs.id.as_str()]);

    // An edit changes what is found; a status move shows.
    app.client(&a)
        .await
        .update_case(pb::UpdateCaseRequest {
            case: Some(pb::Case { id: short.id.clone(), subject: "Voicemail greeting".into(), ..Default::default() }),
            update_mask: Some(prost_types::FieldMask { paths: vec!["subject".into()] }),
        })
        .await
        .unwrap();
    assert_eq!(ids(&app.services.search("case", &a, "cafe muller").await), [long.id.as_str()]);
    assert_eq!(titles(&app.services.search("case", &a, "voicemail").await), ["CS-000002 · Voicemail greeting"]);
    move_to(&app, &short.id, pb::CaseStatus::InProgress, "Looking into it").await;
    assert_eq!(app.services.search("case", &a, "voicemail").await[0].subtitle, "in_progress · classound · high");
    move_to(&app, &short.id, pb::CaseStatus::WaitingOnPartner, "Which handset?").await;
    // The partner's answer reopens it.
    app.client(&a)
        .await
        .add_case_comment(pb::AddCaseCommentRequest {
            case_id: short.id.clone(),
            body: "A T54W".into(),
            internal: false,
            author: who("bob@cafe-mueller.example", "Bob Bäcker"),
        })
        .await
        .unwrap();
    assert_eq!(app.services.search("case", &a, "voicemail").await[0].subtitle, "in_progress · classound · high");
    app.services.stop().await;
}

#[tokio::test]
async fn cases_written_before_search_existed_are_indexed_by_the_backfill() {
    let app = TestApp::spawn().await;
    let a = partner_user();
    let c =
        open_case(&app, &a, "Hooli trunk down", "g@hooli.example", pb::CaseProduct::Hwaas, pb::CasePriority::Low).await;
    let db = prm_kit::db::connect(&app.services.database_url("case")).await.unwrap();
    db.execute_unprepared("DELETE FROM search_documents").await.unwrap();
    assert!(app.services.search("case", &a, "hooli").await.is_empty());
    prm_case::store::BackfillSearch.up(&SchemaManager::new(&db)).await.unwrap();
    assert_eq!(ids(&app.services.search("case", &a, "hooli").await), [c.id.as_str()]);
    assert_eq!(ids(&app.services.search("case", &agent(), "cs-000001").await), [c.id.as_str()]);
    db.close().await.unwrap();
    app.services.stop().await;
}

#[tokio::test]
async fn aggregates_count_open_cases_by_product_and_age_in_the_case_scope() {
    let app = TestApp::spawn().await;
    let (a, b) = (partner_user(), partner_user());
    use pb::{CasePriority as Pr, CaseProduct as P, CaseStatus as S};
    let c1 = open_case(&app, &a, "One", "a@a.example", P::Classound, Pr::High).await;
    let c2 = open_case(&app, &a, "Two", "a@a.example", P::Classound, Pr::Low).await;
    let c3 = open_case(&app, &a, "Three", "a@a.example", P::Hwaas, Pr::Urgent).await;
    open_case(&app, &a, "Four", "a@a.example", P::Licenses, Pr::Medium).await;
    open_case(&app, &b, "Theirs", "b@b.example", P::Classound, Pr::High).await;
    // c1: in progress with 2 public comments; c2: solved with 1; c3: closed.
    move_to(&app, &c1.id, S::InProgress, "On it").await;
    move_to(&app, &c1.id, S::WaitingOnPartner, "Which handset?").await;
    move_to(&app, &c2.id, S::Solved, "Fixed").await;
    move_to(&app, &c3.id, S::Closed, "").await;

    let measures = || {
        vec![
            measure(F::Count, ""),
            measure(F::Sum, "open"),
            measure(F::Sum, "public_comments"),
            measure(F::Avg, "public_comments"),
        ]
    };
    let total = app.services.aggregate("case", &a, request("cases", vec![], "", measures())).await.unwrap();
    // 3 comments over 4 cases: 0.75.
    assert_eq!(rows(&total), [(vec![], vec!["4", "2", "3", "0.75"])]);
    let by_product = app
        .services
        .aggregate(
            "case",
            &a,
            request(
                "cases",
                vec![group("product", DateBucket::Unspecified), group("create_time", DateBucket::Age)],
                r#"status != "solved" AND status != "closed""#,
                vec![measure(F::Count, "")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        rows(&by_product),
        [(vec!["classound", "0-7 days"], vec!["1"]), (vec!["licenses", "0-7 days"], vec!["1"])]
    );
    let by_open = app
        .services
        .aggregate(
            "case",
            &a,
            request(
                "cases",
                vec![group("open", DateBucket::Unspecified)],
                "",
                vec![measure(F::Count, ""), measure(F::Avg, "public_comments")],
            ),
        )
        .await
        .unwrap();
    // Open: c1 (2 comments) and Four (0); settled: c2 (1) and c3 (0).
    assert_eq!(rows(&by_open), [(vec!["false"], vec!["2", "0.5"]), (vec!["true"], vec!["2", "1"])]);
    // Support counts every partner's cases; a partner its own.
    let count = |caller: Caller| {
        let app = &app;
        async move {
            let r = app
                .services
                .aggregate("case", &caller, request("cases", vec![], "", vec![measure(F::Count, "")]))
                .await;
            r.unwrap().into_iter().flat_map(|r| r.values).collect::<Vec<_>>()
        }
    };
    assert_eq!(count(agent()).await, ["5"]);
    assert_eq!(count(b.clone()).await, ["1"]);

    for (r, field) in [
        (request("cases", vec![], "", vec![measure(F::Avg, "subject")]), "measures[0].field"),
        (
            request("cases", vec![group("severity", DateBucket::Unspecified)], "", vec![measure(F::Count, "")]),
            "group_by[0].field",
        ),
        (
            rpb::AggregateRequest { collection: "tickets".into(), ..request("cases", vec![], "", measures()) },
            "collection",
        ),
    ] {
        let e = app.services.aggregate("case", &a, r).await.unwrap_err();
        assert_eq!((e.code(), field_of(&e)), (Code::InvalidArgument, field.to_string()));
    }
    app.services.stop().await;
}

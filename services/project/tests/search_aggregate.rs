//! Global search and aggregates of the project service over real gRPC, with
//! the account and quote services it needs (PostgreSQL when
//! PRM_TEST_DATABASE_URL is set, SQLite otherwise). One aggregate test runs
//! the same figures on a second project service kept on SQLite, so both
//! databases are checked in one run.

use std::{collections::BTreeMap, net::SocketAddr, str::FromStr};

use prm_kit::{
    Caller, Role,
    auth::CallerInterceptor,
    mail::MailSettings,
    server::GrpcServer,
    testing::{
        TempDir, TestServices,
        aggregates::{group, measure, request, rows},
        field_of, person,
        search::titles,
    },
};
use prm_proto::{
    account::v1::{self as apb, account_service_client::AccountServiceClient},
    common::v1::RecordType,
    project::v1::{self as pb, Stage, project_service_client::ProjectServiceClient},
    quote::v1::{self as qpb, quote_service_client::QuoteServiceClient},
    record::v1::{self as rpb, AggregateFunction as F, DateBucket, search_service_client::SearchServiceClient},
};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use sea_orm_migration::{MigrationTrait, SchemaManager};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Intercepted = InterceptedService<Channel, CallerInterceptor>;

struct TestApp {
    services: TestServices,
}

impl TestApp {
    async fn spawn() -> TestApp {
        let mut services = TestServices::new();
        services.reserve("project").await;
        services.start::<prm_account::AccountService>().await;
        services.start::<prm_quote::QuoteService>().await;
        services.start::<prm_project::ProjectService>().await;
        TestApp { services }
    }

    async fn at(&self, service: SocketAddr) -> Channel {
        Channel::from_shared(format!("http://{service}")).unwrap().connect().await.unwrap()
    }

    async fn projects(&self, at: SocketAddr, caller: &Caller) -> ProjectServiceClient<Intercepted> {
        ProjectServiceClient::with_interceptor(self.at(at).await, self.services.auth(caller))
    }

    async fn aggregate(
        &self,
        at: SocketAddr,
        caller: &Caller,
        req: rpb::AggregateRequest,
    ) -> Result<Vec<rpb::AggregateRow>, tonic::Status> {
        self.services.aggregate_on(self.at(at).await, caller, req).await
    }

    fn project(&self) -> SocketAddr {
        self.services.addr("project")
    }

    /// A second project service on a SQLite file of its own, beside the
    /// account and quote services of the test.
    async fn sqlite_project(&self) -> (SocketAddr, TempDir, tokio::sync::oneshot::Sender<()>) {
        let dir = TempDir::new("prm_project_sqlite").unwrap();
        let url = format!("sqlite://{}/db.sqlite?mode=rwc", dir.0.display());
        let downstream: BTreeMap<String, String> =
            ["account", "quote"].iter().map(|s| (s.to_string(), format!("http://{}", self.services.addr(s)))).collect();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = GrpcServer::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let (addr, _task) = prm_kit::server::spawn_on::<prm_project::ProjectService>(
            server,
            &url,
            self.services.key.clone(),
            downstream,
            MailSettings::default(),
            async move {
                let _ = rx.await;
            },
        )
        .await
        .unwrap();
        (addr, dir, tx)
    }
}

fn vendor() -> Caller {
    person(Role::VendorAdmin, None)
}

/// A partner user and its account.
async fn partner(app: &TestApp) -> (Caller, String) {
    let user = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let account =
        AccountServiceClient::with_interceptor(app.services.channel("account").await, app.services.auth(&user))
            .create_account(apb::CreateAccountRequest {
                account: Some(apb::Account { name: "Globex".into(), ..Default::default() }),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .account
            .unwrap();
    (user, account.id)
}

async fn set_waps(app: &TestApp, licenses: &str) {
    QuoteServiceClient::with_interceptor(app.services.channel("quote").await, app.services.auth(&vendor()))
        .set_weighted_average_prices(qpb::SetWeightedAveragePricesRequest {
            prices: Some(qpb::WeightedAveragePrices {
                currency_code: "EUR".into(),
                licenses: licenses.into(),
                hwaas: "0".into(),
                classound: "0".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap();
}

fn project(account_id: &str, name: &str, close_date: &str) -> pb::Project {
    pb::Project {
        name: name.into(),
        account_id: account_id.into(),
        record_type: pb::RecordType::NewBusiness as i32,
        close_date: close_date.into(),
        total_users: 10,
        interested_solutions: vec![pb::Solution::Licenses as i32],
        ..Default::default()
    }
}

async fn create(app: &TestApp, at: SocketAddr, caller: &Caller, p: pb::Project) -> pb::Project {
    app.projects(at, caller)
        .await
        .create_project(pb::CreateProjectRequest { project: Some(p), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .project
        .unwrap()
}

async fn move_to(app: &TestApp, at: SocketAddr, caller: &Caller, id: &str, stage: Stage, reason: &str) -> pb::Project {
    app.projects(at, caller)
        .await
        .move_project(pb::MoveProjectRequest { id: id.into(), stage: stage as i32, lost_reason: reason.into() })
        .await
        .unwrap()
        .into_inner()
        .project
        .unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Money as the aggregates show it: exact, at least 2 places.
fn shown(d: Decimal) -> String {
    let mut d = d.normalize();
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

#[tokio::test]
async fn search_finds_projects_by_a_word_of_their_name_in_the_callers_scope_only() {
    let app = TestApp::spawn().await;
    let (a, account) = partner(&app).await;
    let (b, b_account) = partner(&app).await;
    let at = app.project();
    let cafe = create(&app, at, &a, project(&account, "Café Müller GmbH", "2026-06-30")).await;
    let rollout = create(&app, at, &a, project(&account, "Café Müller GmbH rollout", "2026-06-30")).await;
    create(&app, at, &a, project(&account, "Globex telephony", "2026-06-30")).await;
    let other = create(&app, at, &b, project(&b_account, "Café Müller GmbH", "2026-06-30")).await;

    // Any case, accents folded; the exact title first, then the longer one.
    let found = app.services.search("project", &a, "cafe muller gmbh").await;
    assert_eq!(titles(&found), ["Café Müller GmbH", "Café Müller GmbH rollout"]);
    assert_eq!(found[0].record.as_ref().unwrap().id, cafe.id);
    assert_eq!(found[0].record.as_ref().unwrap().r#type, RecordType::Project as i32);
    assert!(found[0].score > found[1].score);
    assert_eq!(found[0].subtitle, "Intro / Qualification · closes 2026-06-30");
    assert_eq!(titles(&app.services.search("project", &a, "MÜLLER").await).len(), 2);
    assert_eq!(
        titles(&app.services.search("project", &a, "rollo").await),
        ["Café Müller GmbH rollout"],
        "part of a word"
    );
    // Never another partner's project, for anyone who may not see it.
    for r in app.services.search("project", &a, "muller").await {
        assert_ne!(r.record.unwrap().id, other.id);
    }
    let support = person(Role::SupportAgent, None);
    assert!(
        app.services.search("project", &support, "muller").await.is_empty(),
        "support agents see cases, not projects"
    );
    let am = Caller { assigned_partners: vec![b.partner_id.unwrap()], ..person(Role::AccountManager, None) };
    let seen: Vec<String> =
        app.services.search("project", &am, "muller").await.into_iter().map(|r| r.record.unwrap().id).collect();
    assert_eq!(seen, std::slice::from_ref(&other.id));
    assert_eq!(app.services.search("project", &vendor(), "muller").await.len(), 3);

    // A rename changes what is found; a move changes the subtitle; a clone is found.
    app.projects(at, &a)
        .await
        .update_project(pb::UpdateProjectRequest {
            project: Some(pb::Project { id: rollout.id.clone(), name: "Initech upgrade".into(), ..Default::default() }),
            update_mask: Some(prost_types::FieldMask { paths: vec!["name".into()] }),
        })
        .await
        .unwrap();
    assert_eq!(titles(&app.services.search("project", &a, "muller").await), ["Café Müller GmbH"]);
    assert_eq!(titles(&app.services.search("project", &a, "initech").await), ["Initech upgrade"]);
    let lost = move_to(&app, at, &a, &rollout.id, Stage::ClosedLost, "budget").await;
    assert_eq!(
        app.services.search("project", &a, "initech").await[0].subtitle,
        format!("Closed lost · closes {}", lost.close_date)
    );
    app.projects(at, &a)
        .await
        .clone_project(pb::CloneProjectRequest { id: rollout.id.clone(), name: "Initech phase two".into() })
        .await
        .unwrap();
    assert_eq!(titles(&app.services.search("project", &a, "initech").await), ["Initech upgrade", "Initech phase two"]);

    // A delete removes it.
    app.projects(at, &a).await.delete_project(pb::DeleteProjectRequest { id: cafe.id.clone() }).await.unwrap();
    assert!(app.services.search("project", &a, "muller").await.is_empty());

    // Bad queries name the field.
    let e = SearchServiceClient::with_interceptor(app.at(at).await, app.services.auth(&a))
        .search_records(rpb::SearchRecordsRequest { query: "x".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!((e.code(), field_of(&e).as_str()), (Code::InvalidArgument, "query"));
    app.services.stop().await;
}

#[tokio::test]
async fn projects_written_before_search_existed_are_indexed_by_the_backfill() {
    let app = TestApp::spawn().await;
    let (a, account) = partner(&app).await;
    for i in 0..3 {
        create(&app, app.project(), &a, project(&account, &format!("Hooli site {i}"), "2026-06-30")).await;
    }
    let db = prm_kit::db::connect(&app.services.database_url("project")).await.unwrap();
    db.execute_unprepared("DELETE FROM search_documents").await.unwrap();
    assert!(app.services.search("project", &a, "hooli").await.is_empty());
    prm_project::store::BackfillSearch.up(&SchemaManager::new(&db)).await.unwrap();
    assert_eq!(
        titles(&app.services.search("project", &a, "hooli").await),
        ["Hooli site 0", "Hooli site 1", "Hooli site 2"]
    );
    db.close().await.unwrap();
    app.services.stop().await;
}

/// The same projects and the same figures on the service at `at`.
async fn aggregates_equal_what_was_created(app: &TestApp, at: SocketAddr) {
    let (a, account) = partner(app).await;
    let (b, b_account) = partner(app).await;
    let mut made = vec![];
    for (close, amount, capex) in
        [("2026-01-15", "1234.56", "10.01"), ("2026-01-31", "0.01", ""), ("2026-02-01", "999.99", "5000")]
    {
        let p = pb::Project {
            amount_mrr: amount.into(),
            capex: capex.into(),
            users_of_poc: Some(2),
            ..project(&account, &format!("Deal {close}"), close)
        };
        made.push(create(app, at, &a, p).await);
    }
    let lost = create(app, at, &a, project(&account, "Lost deal", "2026-03-10")).await;
    made.push(move_to(app, at, &a, &lost.id, Stage::ClosedLost, "price").await);
    // Another partner's project never counts.
    create(app, at, &b, pb::Project { amount_mrr: "1000000".into(), ..project(&b_account, "Big", "2026-01-20") }).await;

    let req = |group_by, filter, measures| request("projects", group_by, filter, measures);
    let sum = |f: &dyn Fn(&pb::CostInfo) -> String| {
        shown(made.iter().map(|p| dec(&f(p.cost_info.as_ref().unwrap()))).sum::<Decimal>())
    };
    let total = app
        .aggregate(
            at,
            &a,
            req(
                vec![],
                "",
                vec![
                    measure(F::Count, ""),
                    measure(F::Sum, "amount_mrr"),
                    measure(F::Sum, "capex"),
                    measure(F::Avg, "amount_mrr"),
                    measure(F::Sum, "mrr"),
                    measure(F::Sum, "weighted_pipeline"),
                    measure(F::Min, "amount_mrr"),
                    measure(F::Max, "probability"),
                    measure(F::Sum, "open"),
                    measure(F::Count, "capex"),
                ],
            ),
        )
        .await
        .unwrap();
    let (mrr, weighted) = (sum(&|c| c.mrr.clone()), sum(&|c| c.weighted_pipeline.clone()));
    // (1234.56 + 0.01 + 999.99) / 3 = 744.85333… → 744.8533 (an average keeps 4 places).
    assert_eq!(
        rows(&total),
        [(vec![], vec!["4", "2234.56", "5010.01", "744.8533", &mrr, &weighted, "0.01", "10", "3", "2"])]
    );

    // By month of the close date; an empty sum is "".
    let by_month = app
        .aggregate(
            at,
            &a,
            req(
                vec![group("close_date", DateBucket::Month)],
                "",
                vec![measure(F::Count, ""), measure(F::Sum, "amount_mrr"), measure(F::Avg, "capex")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        rows(&by_month),
        [
            (vec!["2026-01"], vec!["2", "1234.57", "10.01"]),
            (vec!["2026-02"], vec!["1", "999.99", "5000.00"]),
            (vec!["2026-03"], vec!["1", "", ""]),
        ]
    );

    // A list filter: the open projects, by stage.
    let open = app
        .aggregate(
            at,
            &a,
            req(
                vec![group("stage", DateBucket::Unspecified), group("open", DateBucket::Unspecified)],
                r#"stage != "closed_won" AND stage != "closed_lost" AND close_date >= "2026-01-20""#,
                vec![measure(F::Count, ""), measure(F::Sum, "amount_mrr")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(rows(&open), [(vec!["intro_qualification", "true"], vec!["2", "1000.00"])]);

    // The other partner sees only its own; a vendor admin both.
    let theirs = app.aggregate(at, &b, req(vec![], "", vec![measure(F::Sum, "amount_mrr")])).await.unwrap();
    assert_eq!(rows(&theirs), [(vec![], vec!["1000000.00"])]);
    let all = app.aggregate(at, &vendor(), req(vec![], "", vec![measure(F::Count, "")])).await.unwrap();
    assert_eq!(rows(&all), [(vec![], vec!["5"])]);
    let support = person(Role::SupportAgent, None);
    let none = app.aggregate(at, &support, req(vec![], "", vec![measure(F::Count, "")])).await.unwrap();
    assert_eq!(rows(&none), [(vec![], vec!["0"])]);

    // Bad requests name what is wrong.
    for (r, field) in [
        (req(vec![], "", vec![measure(F::Sum, "nope")]), "measures[0].field"),
        (req(vec![], "", vec![measure(F::Count, ""), measure(F::Sum, "name")]), "measures[1].field"),
        (req(vec![group("stage", DateBucket::Month)], "", vec![measure(F::Count, "")]), "group_by[0].bucket"),
        (req(vec![group("secret", DateBucket::Unspecified)], "", vec![measure(F::Count, "")]), "group_by[0].field"),
        (req(vec![], "", vec![]), "measures"),
        (rpb::AggregateRequest { collection: "quotes".into(), ..req(vec![], "", vec![]) }, "collection"),
    ] {
        let e = app.aggregate(at, &a, r).await.unwrap_err();
        assert_eq!((e.code(), field_of(&e)), (Code::InvalidArgument, field.to_string()));
    }
    let e = app.aggregate(at, &a, req(vec![], "bogus = 1", vec![measure(F::Count, "")])).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
}

#[tokio::test]
async fn aggregates_equal_the_sums_of_the_projects_exactly_on_this_database_and_on_sqlite() {
    let app = TestApp::spawn().await;
    set_waps(&app, "12.3456").await;
    aggregates_equal_what_was_created(&app, app.project()).await;
    let (sqlite, _dir, stop) = app.sqlite_project().await;
    aggregates_equal_what_was_created(&app, sqlite).await;
    let _ = stop.send(());
    app.services.stop().await;
}

#[tokio::test]
async fn bonus_pipeline_fields_are_counted_and_summed() {
    let app = TestApp::spawn().await;
    set_waps(&app, "12.3456").await;
    let (a, account) = partner(&app).await;
    let at = app.project();
    let am = Caller { assigned_partners: vec![a.partner_id.unwrap()], ..person(Role::AccountManager, None) };
    let with_gates = |name: &str, users: i32| pb::Project {
        users_of_poc: Some(2),
        amount_mrr: "100".into(),
        total_users: users,
        ..project(&account, name, "2026-09-30")
    };
    // Demo done and approved; demo done only; approved only; neither.
    let mut demo_done = vec![];
    for (name, users) in [("Both", 3), ("Demo only", 7)] {
        let p = create(&app, at, &a, with_gates(name, users)).await;
        move_to(&app, at, &a, &p.id, Stage::Demo, "").await;
        demo_done.push(move_to(&app, at, &a, &p.id, Stage::ProjectPresentation, "").await);
    }
    let approved_only = create(&app, at, &a, with_gates("Approved only", 1)).await;
    create(&app, at, &a, with_gates("Neither", 1)).await;
    for id in [&demo_done[0].id, &approved_only.id] {
        app.projects(at, &am)
            .await
            .set_approved_by_am(pb::SetApprovedByAmRequest { id: id.clone(), approved: true })
            .await
            .unwrap();
    }
    let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
    assert!(demo_done.iter().all(|p| p.demo_done && p.demo_date == today));
    let pipeline: Decimal = demo_done.iter().map(|p| dec(&p.cost_info.as_ref().unwrap().pipeline_mrr)).sum();
    assert_eq!(pipeline, dec("123.46"), "3 × 12.3456 → 37.04, 7 × 12.3456 → 86.42");

    let measures = vec![
        measure(F::Count, ""),
        measure(F::Sum, "demo_done"),
        measure(F::Sum, "approved_by_am"),
        measure(F::Sum, "bonus_pipeline_satisfied"),
        measure(F::Sum, "pipeline_mrr"),
        measure(F::Count, "demo_done"),
    ];
    let req = |group_by| request("projects", group_by, "", measures.clone());
    let total = app.aggregate(at, &am, req(vec![])).await.unwrap();
    assert_eq!(rows(&total), [(vec![], vec!["4", "2", "2", "1", "123.46", "2"])]);
    // Grouped by the flag and by the Demo Date.
    let by_flag = app.aggregate(at, &am, req(vec![group("bonus_pipeline_satisfied", DateBucket::Unspecified)])).await;
    assert_eq!(
        rows(&by_flag.unwrap()),
        [
            (vec!["false"], vec!["3", "1", "1", "0", "86.42", "1"]),
            (vec!["true"], vec!["1", "1", "1", "1", "37.04", "1"])
        ]
    );
    let by_day = app.aggregate(at, &am, req(vec![group("demo_date", DateBucket::Day)])).await.unwrap();
    assert_eq!(
        rows(&by_day),
        [
            (vec![today.as_str()], vec!["2", "2", "1", "1", "123.46", "2"]),
            (vec![""], vec!["2", "0", "1", "0", "", "0"])
        ]
    );
    app.services.stop().await;
}

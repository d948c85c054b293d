//! The report service over real gRPC, with the real owning services beside
//! it (project with account and quote; lead; case), each on its own fresh
//! database (PostgreSQL when PRM_TEST_DATABASE_URL is set, SQLite
//! otherwise). Records are created through the owning services; every
//! figure a report shows is checked against the sum of what was created.

use std::{net::SocketAddr, str::FromStr};

use prm_kit::{
    Caller, Role,
    auth::CallerInterceptor,
    testing::{TestServices, field_of},
};
use prm_proto::{
    account::v1::{self as apb, account_service_client::AccountServiceClient},
    case::v1::{self as cpb, case_service_client::CaseServiceClient},
    lead::v1::{self as lpb, lead_service_client::LeadServiceClient},
    project::v1::{self as ppb, Stage, project_service_client::ProjectServiceClient},
    quote::v1::{self as qpb, quote_service_client::QuoteServiceClient},
    record::v1::{self as rpb, AggregateFunction as F, DateBucket},
    report::v1::{self as pb, report_service_client::ReportServiceClient},
};
use rust_decimal::Decimal;
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Intercepted = InterceptedService<Channel, CallerInterceptor>;
type Reports = ReportServiceClient<Intercepted>;

struct TestApp {
    services: TestServices,
}

/// A port where nothing listens.
fn closed_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

impl TestApp {
    /// Projects (with accounts and quotes), leads and cases; orders and
    /// tasks are not deployed (their port is closed).
    async fn spawn() -> TestApp {
        let mut services = TestServices::new();
        services.reserve("project").await;
        services.start::<prm_account::AccountService>().await;
        services.start::<prm_quote::QuoteService>().await;
        services.start::<prm_project::ProjectService>().await;
        services.start::<prm_lead::LeadService>().await;
        services.start::<prm_case::CaseService>().await;
        services.point("order", closed_port());
        services.point("task", closed_port());
        services.start::<prm_report::ReportService>().await;
        TestApp { services }
    }

    async fn reports(&self, caller: &Caller) -> Reports {
        ReportServiceClient::with_interceptor(self.services.channel("report").await, self.services.auth(caller))
    }

    async fn projects(&self, caller: &Caller) -> ProjectServiceClient<Intercepted> {
        ProjectServiceClient::with_interceptor(self.services.channel("project").await, self.services.auth(caller))
    }

    async fn run(&self, caller: &Caller, id: &str) -> Result<pb::ReportResult, tonic::Status> {
        self.reports(caller)
            .await
            .run_report(pb::RunReportRequest { id: id.into(), definition: None })
            .await
            .map(|r| r.into_inner().result.unwrap())
    }

    async fn preview(&self, caller: &Caller, d: pb::Report) -> Result<pb::ReportResult, tonic::Status> {
        self.reports(caller)
            .await
            .run_report(pb::RunReportRequest { id: String::new(), definition: Some(d) })
            .await
            .map(|r| r.into_inner().result.unwrap())
    }

    async fn save(&self, caller: &Caller, d: pb::Report) -> Result<pb::Report, tonic::Status> {
        self.reports(caller)
            .await
            .create_report(pb::CreateReportRequest { report: Some(d) })
            .await
            .map(|r| r.into_inner().report.unwrap())
    }

    async fn get(&self, caller: &Caller, id: &str) -> Result<pb::Report, tonic::Status> {
        self.reports(caller)
            .await
            .get_report(pb::GetReportRequest { id: id.into() })
            .await
            .map(|r| r.into_inner().report.unwrap())
    }

    async fn list(&self, caller: &Caller) -> Vec<String> {
        self.reports(caller)
            .await
            .list_reports(pb::ListReportsRequest::default())
            .await
            .unwrap()
            .into_inner()
            .reports
            .into_iter()
            .map(|r| r.id)
            .collect()
    }

    async fn update(&self, caller: &Caller, r: pb::Report, paths: &[&str]) -> Result<pb::Report, tonic::Status> {
        self.reports(caller)
            .await
            .update_report(pb::UpdateReportRequest {
                report: Some(r),
                update_mask: Some(prost_types::FieldMask { paths: paths.iter().map(|p| p.to_string()).collect() }),
            })
            .await
            .map(|r| r.into_inner().report.unwrap())
    }
}

fn person(role: Role, partner: Option<Uuid>) -> Caller {
    Caller { user_id: Uuid::now_v7(), partner_id: partner, role, assigned_partners: vec![], partner_tier: None }
}

fn vendor() -> Caller {
    person(Role::VendorAdmin, None)
}

fn account_manager_of(partners: &[&Caller]) -> Caller {
    Caller {
        assigned_partners: partners.iter().filter_map(|p| p.partner_id).collect(),
        ..person(Role::AccountManager, None)
    }
}

/// A partner user of a new partner, and an account of theirs.
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

async fn set_waps(app: &TestApp, currency: &str, licenses: &str) {
    QuoteServiceClient::with_interceptor(app.services.channel("quote").await, app.services.auth(&vendor()))
        .set_weighted_average_prices(qpb::SetWeightedAveragePricesRequest {
            prices: Some(qpb::WeightedAveragePrices {
                currency_code: currency.into(),
                licenses: licenses.into(),
                hwaas: "0".into(),
                classound: "0".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap();
}

fn project(account_id: &str, name: &str, users: i32, currency: &str) -> ppb::Project {
    ppb::Project {
        name: name.into(),
        account_id: account_id.into(),
        record_type: ppb::RecordType::NewBusiness as i32,
        close_date: "2026-06-30".into(),
        total_users: users,
        users_of_poc: Some(2),
        currency_code: currency.into(),
        interested_solutions: vec![ppb::Solution::Licenses as i32],
        ..Default::default()
    }
}

async fn create_project(app: &TestApp, caller: &Caller, p: ppb::Project) -> ppb::Project {
    app.projects(caller)
        .await
        .create_project(ppb::CreateProjectRequest { project: Some(p), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .project
        .unwrap()
}

async fn move_project(app: &TestApp, caller: &Caller, id: &str, stage: Stage) -> ppb::Project {
    app.projects(caller)
        .await
        .move_project(ppb::MoveProjectRequest {
            id: id.into(),
            stage: stage as i32,
            lost_reason: if stage == Stage::ClosedLost { "price".into() } else { String::new() },
        })
        .await
        .unwrap()
        .into_inner()
        .project
        .unwrap()
}

fn dec(s: &str) -> Decimal {
    if s.is_empty() { Decimal::ZERO } else { Decimal::from_str(s).unwrap() }
}

/// Money as reports show it: exact, at least two places.
fn shown(d: Decimal) -> String {
    let mut d = d.normalize();
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

fn mrr(c: &ppb::CostInfo) -> &str {
    &c.mrr
}

fn weighted(c: &ppb::CostInfo) -> &str {
    &c.weighted_pipeline
}

fn sum(ps: &[&ppb::Project], f: fn(&ppb::CostInfo) -> &str) -> String {
    shown(ps.iter().map(|p| dec(f(p.cost_info.as_ref().unwrap()))).sum())
}

/// The rows of a result as (keys, values).
fn table(r: &pb::ReportResult) -> Vec<(Vec<&str>, Vec<&str>)> {
    r.rows
        .iter()
        .map(|r| (r.keys.iter().map(String::as_str).collect(), r.values.iter().map(String::as_str).collect()))
        .collect()
}

fn group(field: &str, bucket: DateBucket) -> rpb::Grouping {
    rpb::Grouping { field: field.into(), bucket: bucket as i32 }
}

fn measure(function: F, field: &str) -> rpb::Measure {
    rpb::Measure { function: function as i32, field: field.into() }
}

/// A definition over projects by stage: count and sum of MRR.
fn by_stage(name: &str) -> pb::Report {
    pb::Report {
        name: name.into(),
        source: pb::ReportSource::Projects as i32,
        group_by: vec![group("stage", DateBucket::Unspecified)],
        measures: vec![measure(F::Count, ""), measure(F::Sum, "mrr")],
        chart_type: pb::ChartType::Bar as i32,
        ..Default::default()
    }
}

/// Partner A: two intro projects in EUR, one moved to demo, one lost, one
/// in USD; partner B: one project. Answers A, A's projects as they stand, B,
/// B's project.
async fn pipeline(app: &TestApp) -> (Caller, Vec<ppb::Project>, Caller, ppb::Project) {
    set_waps(app, "EUR", "12.3456").await;
    set_waps(app, "USD", "10.0001").await;
    let (a, account) = partner(app).await;
    let (b, b_account) = partner(app).await;
    let intro1 = create_project(app, &a, project(&account, "Intro one", 7, "EUR")).await;
    let intro2 = create_project(app, &a, project(&account, "Intro two", 13, "EUR")).await;
    let demo = create_project(app, &a, project(&account, "Demo", 3, "EUR")).await;
    let demo = move_project(app, &a, &demo.id, Stage::Demo).await;
    let lost = create_project(app, &a, project(&account, "Lost", 50, "EUR")).await;
    let lost = move_project(app, &a, &lost.id, Stage::ClosedLost).await;
    let usd = create_project(app, &a, project(&account, "Dollars", 9, "USD")).await;
    let theirs = create_project(app, &b, project(&b_account, "Theirs", 100, "EUR")).await;
    (a, vec![intro1, intro2, demo, lost, usd], b, theirs)
}

#[tokio::test]
async fn pipeline_by_stage_equals_the_sums_of_the_open_projects_in_the_callers_scope() {
    let app = TestApp::spawn().await;
    let (a, ps, b, theirs) = pipeline(&app).await;
    let (intro1, intro2, demo, usd) = (&ps[0], &ps[1], &ps[2], &ps[4]);
    assert_eq!(demo.stage, Stage::Demo as i32);

    let r = app.run(&a, "pipeline-by-stage").await.unwrap();
    let keys: Vec<_> = r.columns.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["stage", "currency_code", "count", "sum_mrr", "sum_weighted_pipeline"]);
    assert_eq!(r.columns[3].label, "Sum of MRR");
    assert!(r.columns[3].money && !r.columns[2].money);
    // Stages in the stage machine's order; the lost project is not open.
    let (eur_intro_mrr, eur_intro_w) = (sum(&[intro1, intro2], mrr), sum(&[intro1, intro2], weighted));
    let (demo_mrr, demo_w) = (sum(&[demo], mrr), sum(&[demo], weighted));
    let (usd_mrr, usd_w) = (sum(&[usd], mrr), sum(&[usd], weighted));
    assert_eq!(
        table(&r),
        [
            (vec!["intro_qualification", "EUR"], vec!["2", eur_intro_mrr.as_str(), eur_intro_w.as_str()]),
            (vec!["intro_qualification", "USD"], vec!["1", usd_mrr.as_str(), usd_w.as_str()]),
            (vec!["demo", "EUR"], vec!["1", demo_mrr.as_str(), demo_w.as_str()]),
        ]
    );
    // 7 × 12.3456 = 86.4192, to the cent.
    assert_eq!(intro1.cost_info.as_ref().unwrap().mrr, "86.42");
    // Counts add up; money over two currencies has no total.
    assert_eq!(r.totals.as_ref().unwrap().values, ["4", "", ""]);
    assert_eq!(r.totals.as_ref().unwrap().labels[0], "Total");
    // The funnel plots MRR by stage, a series per currency.
    let chart = r.chart.as_ref().unwrap();
    assert_eq!(chart.r#type, pb::ChartType::Funnel as i32);
    assert_eq!(chart.categories, ["Intro / Qualification", "Demo"]);
    let series: Vec<_> = chart.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(series, ["EUR", "USD"]);
    assert_eq!(chart.series[0].values, [eur_intro_mrr.clone(), demo_mrr.clone()]);

    // Partner B sees its own project only.
    let r = app.run(&b, "pipeline-by-stage").await.unwrap();
    let theirs_mrr = sum(&[&theirs], mrr);
    let theirs_w = sum(&[&theirs], weighted);
    assert_eq!(table(&r), [(vec!["intro_qualification", "EUR"], vec!["1", theirs_mrr.as_str(), theirs_w.as_str()])]);
    assert_eq!(r.totals.unwrap().values, ["1", theirs_mrr.as_str(), theirs_w.as_str()]);
    // An account manager sees the partners assigned to them; a vendor admin all.
    let r = app.run(&account_manager_of(&[&b]), "pipeline-by-stage").await.unwrap();
    assert_eq!(table(&r), [(vec!["intro_qualification", "EUR"], vec!["1", theirs_mrr.as_str(), theirs_w.as_str()])]);
    let r = app.run(&vendor(), "pipeline-by-stage").await.unwrap();
    let all_intro = sum(&[intro1, intro2, &theirs], mrr);
    assert_eq!(
        table(&r)[0],
        (vec!["intro_qualification", "EUR"], vec!["3", all_intro.as_str(), &sum(&[intro1, intro2, &theirs], weighted)])
    );
    // Support agents do not see projects: the report is not theirs.
    let agent = person(Role::SupportAgent, None);
    assert_eq!(app.run(&agent, "pipeline-by-stage").await.unwrap_err().code(), Code::NotFound);
    assert_eq!(app.list(&agent).await, ["open-cases-by-product-and-age"]);
    app.services.stop().await;
}

#[tokio::test]
async fn a_preview_groups_money_by_currency_sorts_and_totals_exactly() {
    let app = TestApp::spawn().await;
    let (a, ps, _, _) = pipeline(&app).await;
    let eur: Vec<&ppb::Project> = ps.iter().filter(|p| p.currency_code == "EUR").collect();

    // Only EUR: the total of money is exact; sorted by the sum, largest first.
    let d = pb::Report {
        filter: "currency_code = EUR".into(),
        measures: vec![measure(F::Count, ""), measure(F::Sum, "mrr"), measure(F::Max, "mrr"), measure(F::Avg, "mrr")],
        sort: Some(pb::ReportSort { column: "sum_mrr".into(), descending: true }),
        ..by_stage("EUR by stage")
    };
    let r = app.preview(&a, d).await.unwrap();
    // currency_code was appended to the groupings as run.
    let run = r.report.as_ref().unwrap();
    assert_eq!(run.group_by.iter().map(|g| g.field.as_str()).collect::<Vec<_>>(), ["stage", "currency_code"]);
    let sums: Vec<Decimal> = r.rows.iter().map(|row| dec(&row.values[1])).collect();
    assert!(sums.windows(2).all(|w| w[0] >= w[1]), "sorted by sum, descending: {sums:?}");
    let totals = r.totals.unwrap();
    assert_eq!(totals.values[0], eur.len().to_string());
    assert_eq!(totals.values[1], sum(&eur, mrr));
    let max = eur.iter().map(|p| dec(&p.cost_info.as_ref().unwrap().mrr)).max().unwrap();
    assert_eq!(totals.values[2], shown(max));
    assert_eq!(totals.values[3], "", "an average of averages is not exact");
    // No grouping: one row over everything visible, no totals row.
    let d = pb::Report { group_by: vec![], filter: "currency_code = EUR".into(), ..by_stage("All EUR") };
    let r = app.preview(&a, d).await.unwrap();
    assert_eq!(table(&r), [(vec!["EUR"], vec![eur.len().to_string().as_str(), sum(&eur, mrr).as_str()])]);
    app.services.stop().await;
}

#[tokio::test]
async fn bad_definitions_name_the_field_and_save_nothing() {
    let app = TestApp::spawn().await;
    let (a, _) = partner(&app).await;
    let cases: Vec<(pb::Report, &str)> = vec![
        (pb::Report { name: " ".into(), ..by_stage("x") }, "report.name"),
        (pb::Report { name: "x".repeat(101), ..by_stage("x") }, "report.name"),
        (pb::Report { source: 0, ..by_stage("x") }, "report.source"),
        (pb::Report { filter: "bogus = 1".into(), ..by_stage("x") }, "report.filter"),
        (pb::Report { filter: "stage = nowhere".into(), ..by_stage("x") }, "report.filter"),
        (pb::Report { measures: vec![], ..by_stage("x") }, "report.measures"),
        (pb::Report { measures: vec![measure(F::Sum, "nope")], ..by_stage("x") }, "report.measures[0].field"),
        (pb::Report { measures: vec![measure(F::Unspecified, "mrr")], ..by_stage("x") }, "report.measures[0].function"),
        (
            pb::Report { group_by: vec![group("secret", DateBucket::Unspecified)], ..by_stage("x") },
            "report.group_by[0].field",
        ),
        (
            pb::Report { group_by: vec![group("stage", DateBucket::Month)], ..by_stage("x") },
            "report.group_by[0].bucket",
        ),
        (
            pb::Report {
                chart_type: pb::ChartType::Funnel as i32,
                source: pb::ReportSource::Leads as i32,
                ..by_stage("x")
            },
            "report.chart_type",
        ),
        (
            pb::Report {
                sort: Some(pb::ReportSort { column: "sum_capex".into(), descending: false }),
                ..by_stage("x")
            },
            "report.sort.column",
        ),
        (pb::Report { chart_measure: 5, ..by_stage("x") }, "report.chart_measure"),
    ];
    for (d, field) in cases {
        let e = app.save(&a, d.clone()).await.unwrap_err();
        assert_eq!((e.code(), field_of(&e)), (Code::InvalidArgument, field.to_string()), "{d:?}");
        let e = app.preview(&a, d.clone()).await.unwrap_err();
        assert_eq!((e.code(), field_of(&e)), (Code::InvalidArgument, field.to_string()), "preview of {d:?}");
    }
    assert_eq!(app.list(&a).await.len(), 4, "only the built-ins");
    // An update that breaks the definition changes nothing.
    let saved = app.save(&a, by_stage("Mine")).await.unwrap();
    let e = app
        .update(
            &a,
            pb::Report {
                id: saved.id.clone(),
                name: "Renamed".into(),
                filter: "bogus = 1".into(),
                ..Default::default()
            },
            &["name", "filter"],
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "report.filter");
    assert_eq!(app.get(&a, &saved.id).await.unwrap().name, "Mine");
    let e = app.update(&a, pb::Report { id: saved.id.clone(), ..Default::default() }, &["owner_id"]).await.unwrap_err();
    assert_eq!(field_of(&e), "update_mask");
    let e = app.run(&a, "").await.unwrap_err();
    assert_eq!(field_of(&e), "id");
    app.services.stop().await;
}

/// A report's filter may name an account, project, quote or partner; each
/// is a reference the caller must see, checked by its owner before the
/// report is saved: another partner's (or none at all) is bad input naming
/// `report.filter`, on create and on update, and nothing is stored.
#[tokio::test]
async fn ids_a_filter_names_are_references_checked_in_the_callers_scope() {
    let app = TestApp::spawn().await;
    let (mine, my_projects, theirs_caller, theirs) = pipeline(&app).await;
    let (my_account, their_account) = (my_projects[0].account_id.clone(), theirs.account_id.clone());
    let random = Uuid::now_v7().to_string();
    let with = |filter: String| pb::Report { filter, ..by_stage("Filtered") };
    let their_partner = theirs_caller.partner_id.unwrap().to_string();
    let listed = app.list(&mine).await;
    for filter in [
        format!("account_id = {their_account}"),
        format!("account_id = {random}"),
        format!("stage != closed_lost AND account_id != {their_account}"),
        format!("partner_id = {their_partner}"),
        format!("partner_id = {random}"),
    ] {
        let e = app.save(&mine, with(filter.clone())).await.unwrap_err();
        assert_eq!((e.code(), field_of(&e).as_str()), (Code::InvalidArgument, "report.filter"), "{filter}: {e:?}");
    }
    assert_eq!(app.list(&mine).await, listed, "nothing saved");
    let mine_saved = app.save(&mine, with(format!("account_id = {my_account}"))).await.unwrap();
    let by_partner = format!("partner_id = {}", mine.partner_id.unwrap());
    app.save(&mine, with(by_partner)).await.unwrap();
    // Changing the filter to another partner's account is refused; the saved one stays.
    let e = app
        .update(
            &mine,
            pb::Report {
                id: mine_saved.id.clone(),
                filter: format!("account_id = {their_account}"),
                ..Default::default()
            },
            &["filter"],
        )
        .await
        .unwrap_err();
    assert_eq!((e.code(), field_of(&e).as_str()), (Code::InvalidArgument, "report.filter"));
    assert_eq!(app.get(&mine, &mine_saved.id).await.unwrap().filter, format!("account_id = {my_account}"));
    // The vendor sees every partner's records: its filters name any of them.
    app.save(&vendor(), with(format!("account_id = {their_account} AND partner_id = {their_partner}"))).await.unwrap();
    let e = app.save(&vendor(), with(format!("account_id = {random}"))).await.unwrap_err();
    assert_eq!(field_of(&e), "report.filter");
    // An account manager names the accounts of an assigned partner only.
    let am = account_manager_of(&[&mine]);
    app.save(&am, with(format!("account_id = {my_account}"))).await.unwrap();
    let e = app.save(&am, with(format!("account_id = {their_account}"))).await.unwrap_err();
    assert_eq!(field_of(&e), "report.filter");
    app.services.stop().await;
}

#[tokio::test]
async fn saved_reports_are_their_owners_until_shared_within_the_partner() {
    let app = TestApp::spawn().await;
    let (owner, _) = partner(&app).await;
    let colleague = person(Role::PartnerUser, owner.partner_id);
    let admin = person(Role::PartnerAdmin, owner.partner_id);
    let (stranger, _) = partner(&app).await;
    let stranger_admin = person(Role::PartnerAdmin, stranger.partner_id);

    let saved = app.save(&owner, by_stage("My pipeline")).await.unwrap();
    assert_eq!(saved.owner_id, owner.user_id.to_string());
    assert_eq!(saved.partner_id, owner.partner_id.unwrap().to_string());
    assert!(saved.editable && !saved.shared && !saved.built_in);
    assert!(app.list(&owner).await.contains(&saved.id));
    // Unshared: nobody else's business, not even the partner admin's.
    for c in [&colleague, &admin, &stranger, &stranger_admin, &vendor()] {
        assert_eq!(app.get(c, &saved.id).await.unwrap_err().code(), Code::NotFound);
        assert_eq!(app.run(c, &saved.id).await.unwrap_err().code(), Code::NotFound);
        assert!(!app.list(c).await.contains(&saved.id));
    }

    let shared = app
        .update(&owner, pb::Report { id: saved.id.clone(), shared: true, ..Default::default() }, &["shared"])
        .await
        .unwrap();
    assert!(shared.shared);
    assert_eq!(shared.name, "My pipeline", "only the masked field changed");
    // Colleagues see and run it; they do not change it.
    let seen = app.get(&colleague, &saved.id).await.unwrap();
    assert!(!seen.editable);
    app.run(&colleague, &saved.id).await.unwrap();
    assert!(app.list(&colleague).await.contains(&saved.id));
    let rename = pb::Report { id: saved.id.clone(), name: "Ours".into(), ..Default::default() };
    let e = app.update(&colleague, rename.clone(), &["name"]).await.unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied);
    let e = app
        .reports(&colleague)
        .await
        .delete_report(pb::DeleteReportRequest { id: saved.id.clone() })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied);
    // The partner admin does.
    assert!(app.get(&admin, &saved.id).await.unwrap().editable);
    assert_eq!(app.update(&admin, rename, &["name"]).await.unwrap().name, "Ours");
    // Another partner never sees it.
    for c in [&stranger, &stranger_admin, &account_manager_of(&[&owner])] {
        assert_eq!(app.get(c, &saved.id).await.unwrap_err().code(), Code::NotFound);
    }

    // Vendor staff share among vendor staff.
    let am = account_manager_of(&[&owner]);
    let theirs = app.save(&am, pb::Report { shared: true, ..by_stage("AM pipeline") }).await.unwrap();
    assert_eq!(theirs.partner_id, "");
    assert!(!app.get(&vendor(), &theirs.id).await.unwrap().editable);
    assert_eq!(app.get(&owner, &theirs.id).await.unwrap_err().code(), Code::NotFound);

    // Built-ins are read-only.
    let e = app
        .update(
            &owner,
            pb::Report { id: "pipeline-by-stage".into(), name: "x".into(), ..Default::default() },
            &["name"],
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition, "as a built-in list view: {e:?}");
    let e = app.reports(&owner).await.delete_report(pb::DeleteReportRequest { id: "pipeline-by-stage".into() }).await;
    assert_eq!(e.unwrap_err().code(), Code::FailedPrecondition);
    assert!(app.get(&owner, "pipeline-by-stage").await.unwrap().built_in);

    // The owner deletes it; then it is gone for everyone.
    app.reports(&owner).await.delete_report(pb::DeleteReportRequest { id: saved.id.clone() }).await.unwrap();
    for c in [&owner, &colleague, &admin] {
        assert_eq!(app.get(c, &saved.id).await.unwrap_err().code(), Code::NotFound);
    }
    app.services.stop().await;
}

#[tokio::test]
async fn reports_list_in_pages_builtins_first() {
    let app = TestApp::spawn().await;
    let (a, _) = partner(&app).await;
    let mut ids = vec![];
    for i in 0..5 {
        ids.push(app.save(&a, by_stage(&format!("R{i}"))).await.unwrap().id);
    }
    let mut seen = vec![];
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = app
            .reports(&a)
            .await
            .list_reports(pb::ListReportsRequest { page_size: 2, page_token: token.clone(), source: 0 })
            .await
            .unwrap()
            .into_inner();
        seen.extend(page.reports.into_iter().map(|r| r.id));
        pages += 1;
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(pages, 3);
    assert_eq!(
        &seen[..4],
        ["pipeline-by-stage", "mrr-won-by-month", "leads-by-source-and-status", "open-cases-by-product-and-age"]
    );
    assert_eq!(seen[4..], ids[..]);
    // By source.
    let leads = app
        .reports(&a)
        .await
        .list_reports(pb::ListReportsRequest { source: pb::ReportSource::Leads as i32, ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .reports;
    assert_eq!(leads.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["leads-by-source-and-status"]);
    app.services.stop().await;
}

#[tokio::test]
async fn the_bonus_pipeline_report_is_for_account_managers_and_vendor_admins() {
    let app = TestApp::spawn().await;
    let (a, ps, b, _) = pipeline(&app).await;
    const BONUS: &str = "bonus-pipeline-by-partner";
    for c in [&a, &person(Role::PartnerAdmin, a.partner_id), &person(Role::SupportAgent, None)] {
        assert_eq!(app.run(c, BONUS).await.unwrap_err().code(), Code::NotFound);
        assert_eq!(app.get(c, BONUS).await.unwrap_err().code(), Code::NotFound);
        assert!(!app.list(c).await.contains(&BONUS.to_string()));
    }
    let am = account_manager_of(&[&a]);
    assert!(app.list(&am).await.contains(&BONUS.to_string()));
    let r = app.run(&am, BONUS).await.unwrap();
    let partner = a.partner_id.unwrap().to_string();
    let eur = ps.iter().filter(|p| p.currency_code == "EUR").count().to_string();
    // Nobody demoed on to Presentation, so nothing is done or approved yet.
    assert_eq!(
        table(&r),
        [
            (vec![partner.as_str(), "EUR"], vec![eur.as_str(), "0", "0", "0", ""]),
            (vec![partner.as_str(), "USD"], vec!["1", "0", "0", "0", ""]),
        ]
    );
    // The vendor admin sees both partners.
    let r = app.run(&vendor(), BONUS).await.unwrap();
    let partners: std::collections::BTreeSet<&str> = r.rows.iter().map(|r| r.keys[0].as_str()).collect();
    assert_eq!(partners, [partner.as_str(), b.partner_id.unwrap().to_string().as_str()].into_iter().collect());
    app.services.stop().await;
}

#[tokio::test]
async fn csv_and_svg_are_the_table_parsed_back() {
    let app = TestApp::spawn().await;
    let (a, _, _, _) = pipeline(&app).await;
    let result = app.run(&a, "pipeline-by-stage").await.unwrap();

    let csv = app
        .reports(&a)
        .await
        .export_report(pb::ExportReportRequest { id: "pipeline-by-stage".into(), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(csv.content_type, "text/csv; charset=utf-8");
    assert_eq!(csv.filename, "pipeline-by-stage.csv");
    let text = String::from_utf8(csv.content.clone()).unwrap();
    assert!(text.ends_with("\r\n") && text.matches("\r\n").count() == result.rows.len() + 2);
    let mut reader = csv::Reader::from_reader(csv.content.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, result.columns.iter().map(|c| c.label.clone()).collect::<Vec<_>>());
    let parsed: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    let expected: Vec<Vec<String>> = result
        .rows
        .iter()
        .chain(result.totals.as_ref())
        .map(|r| r.labels.iter().chain(&r.values).cloned().collect())
        .collect();
    assert_eq!(parsed, expected);

    // The chart: one funnel stage per row, well-formed XML.
    let svg = app
        .reports(&a)
        .await
        .render_chart(pb::RenderChartRequest { id: "pipeline-by-stage".into(), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(svg.content_type, "image/svg+xml");
    let doc = roxmltree::Document::parse(&svg.svg).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let stages: Vec<_> = doc.descendants().filter(|n| n.attribute("class") == Some("stage")).collect();
    assert_eq!(stages.len(), result.rows.len());
    for row in &result.rows {
        assert!(stages.iter().any(|n| n.attribute("data-category") == Some(&row.labels[0])
            && n.attribute("data-series") == Some(&row.labels[1])
            && n.attribute("data-value") == Some(&row.values[1])));
    }
    // A result sent back (as the gateway does with names in its labels) is drawn as given.
    let mut named = result.clone();
    named.rows[0].labels[0] = "Intro <& Qualification>".into();
    let svg = app
        .reports(&a)
        .await
        .render_chart(pb::RenderChartRequest { result: Some(named), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .svg;
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(doc.descendants().any(|n| n.attribute("data-category") == Some("Intro <& Qualification>")));
    // A bar chart of every stage (the lost one too): one bar per row.
    let d = pb::Report { chart_type: pb::ChartType::Bar as i32, chart_measure: 1, ..by_stage("Bars") };
    let rows = app.preview(&a, d.clone()).await.unwrap().rows.len();
    assert_eq!(rows, result.rows.len() + 1);
    let svg = app
        .reports(&a)
        .await
        .render_chart(pb::RenderChartRequest { definition: Some(d), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .svg;
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(doc.descendants().filter(|n| n.attribute("class") == Some("bar")).count(), rows);
    app.services.stop().await;
}

#[tokio::test]
async fn leads_by_source_and_status_count_the_partners_leads() {
    let app = TestApp::spawn().await;
    let (a, _) = partner(&app).await;
    let (b, _) = partner(&app).await;
    for (i, (caller, source)) in [
        (&a, lpb::LeadSource::Web),
        (&a, lpb::LeadSource::Web),
        (&a, lpb::LeadSource::Referral),
        (&b, lpb::LeadSource::Event),
    ]
    .into_iter()
    .enumerate()
    {
        LeadServiceClient::with_interceptor(app.services.channel("lead").await, app.services.auth(caller))
            .create_lead(lpb::CreateLeadRequest {
                lead: Some(lpb::Lead {
                    company: format!("Company {i}"),
                    last_name: format!("Person {i}"),
                    email: format!("p{i}@example.com"),
                    source: source as i32,
                    ..Default::default()
                }),
            })
            .await
            .unwrap();
    }
    let r = app.run(&a, "leads-by-source-and-status").await.unwrap();
    assert_eq!(table(&r), [(vec!["referral", "new"], vec!["1"]), (vec!["web", "new"], vec!["2"])]);
    assert_eq!(r.totals.unwrap().values, ["3"]);
    let r = app.run(&b, "leads-by-source-and-status").await.unwrap();
    assert_eq!(table(&r), [(vec!["event", "new"], vec!["1"])]);
    app.services.stop().await;
}

#[tokio::test]
async fn open_cases_by_product_and_age_count_the_open_cases() {
    let app = TestApp::spawn().await;
    let (a, _) = partner(&app).await;
    let (b, _) = partner(&app).await;
    for (caller, product) in [
        (&a, cpb::CaseProduct::Classound),
        (&a, cpb::CaseProduct::Classound),
        (&a, cpb::CaseProduct::Hwaas),
        (&b, cpb::CaseProduct::Licenses),
    ] {
        CaseServiceClient::with_interceptor(app.services.channel("case").await, app.services.auth(caller))
            .create_case(cpb::CreateCaseRequest {
                case: Some(cpb::Case {
                    subject: "Calls drop".into(),
                    description: "After 30 seconds.".into(),
                    product: product as i32,
                    ..Default::default()
                }),
                submitter: Some(cpb::Person { email: "bob@partner.example".into(), display_name: "Bob".into() }),
                request_id: String::new(),
            })
            .await
            .unwrap();
    }
    let r = app.run(&a, "open-cases-by-product-and-age").await.unwrap();
    assert_eq!(table(&r), [(vec!["classound", "0-7 days"], vec!["2"]), (vec!["hwaas", "0-7 days"], vec!["1"])]);
    // Support agents see every partner's cases.
    let r = app.run(&person(Role::SupportAgent, None), "open-cases-by-product-and-age").await.unwrap();
    assert_eq!(r.totals.unwrap().values, ["4"]);
    app.services.stop().await;
}

#[tokio::test]
async fn an_owning_service_that_is_not_there_is_unavailable_by_name() {
    let app = TestApp::spawn().await;
    let (a, _) = partner(&app).await;
    let d = pb::Report {
        name: "Orders".into(),
        source: pb::ReportSource::Orders as i32,
        measures: vec![measure(F::Count, "")],
        ..Default::default()
    };
    let e = app.preview(&a, d.clone()).await.unwrap_err();
    assert_eq!(e.code(), Code::Unavailable);
    assert!(e.message().contains("order service"), "{}", e.message());
    // Nothing is saved that could not be checked.
    assert_eq!(app.save(&a, d).await.unwrap_err().code(), Code::Unavailable);
    assert_eq!(app.list(&a).await.len(), 4);
    app.services.stop().await;
}

#[tokio::test]
async fn a_source_is_described_by_its_owning_service_with_what_reports_do_with_each_field() {
    let app = TestApp::spawn().await;
    let (a, _) = partner(&app).await;
    let describe = |source: pb::ReportSource| {
        let app = &app;
        let a = a.clone();
        async move {
            app.reports(&a)
                .await
                .describe_source(pb::DescribeSourceRequest { source: source as i32 })
                .await
                .map(|r| r.into_inner().fields)
        }
    };
    let fields = describe(pb::ReportSource::Projects).await.unwrap();
    let field = |name: &str| fields.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no {name}")).clone();
    let stage = field("stage");
    assert_eq!((stage.label.as_str(), stage.kind()), ("Stage", rpb::FieldKind::Text));
    assert_eq!(stage.values.first().map(String::as_str), Some("intro_qualification"));
    assert!(stage.groupable && !stage.measurable && !stage.money && stage.buckets.is_empty());
    let close = field("close_date");
    assert_eq!(close.kind(), rpb::FieldKind::Date);
    let buckets: Vec<DateBucket> = close.buckets.iter().map(|b| DateBucket::try_from(*b).unwrap()).collect();
    assert_eq!(
        buckets,
        [DateBucket::Day, DateBucket::Week, DateBucket::Month, DateBucket::Quarter, DateBucket::Year, DateBucket::Age]
    );
    let mrr = field("mrr");
    assert!(mrr.measurable && mrr.money && mrr.kind() == rpb::FieldKind::Money, "{mrr:?}");
    let demo_done = field("demo_done");
    assert!(demo_done.measurable && !demo_done.money && demo_done.kind() == rpb::FieldKind::Flag, "{demo_done:?}");
    // Leads carry no money; their computed fields follow their list fields.
    let leads = describe(pb::ReportSource::Leads).await.unwrap();
    assert!(leads.iter().all(|f| !f.money));
    assert_eq!(leads.last().map(|f| f.name.as_str()), Some("distribute_time"));

    let e = describe(pb::ReportSource::Unspecified).await.unwrap_err();
    assert_eq!((e.code(), field_of(&e).as_str()), (Code::InvalidArgument, "source"));
    // Orders are not deployed here: unavailable, by name, as a run is.
    let e = describe(pb::ReportSource::Orders).await.unwrap_err();
    assert_eq!(e.code(), Code::Unavailable);
    assert!(e.message().contains("order service"), "{}", e.message());
    app.services.stop().await;
}

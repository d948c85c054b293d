//! The project service over real gRPC, with the account, quote and order
//! services it works with, each on a fresh database (PostgreSQL when
//! PRM_TEST_DATABASE_URL is set, SQLite otherwise). Events travel through
//! the real outbox relays of the quote and order services.

use std::time::Duration;

use prm_kit::{
    Caller, Role,
    auth::CallerInterceptor,
    testing::{TestServices, days_from_today, field_of},
};
use prm_proto::{
    account::v1::{self as apb, account_service_client::AccountServiceClient},
    order::v1::{self as opb, order_service_client::OrderServiceClient},
    project::v1::{self as pb, Stage, project_service_client::ProjectServiceClient},
    quote::v1::{self as qpb, quote_service_client::QuoteServiceClient},
    record::v1::{self as rpb, record_service_client::RecordServiceClient},
};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Intercepted = InterceptedService<Channel, CallerInterceptor>;
type Projects = ProjectServiceClient<Intercepted>;
type Quotes = QuoteServiceClient<Intercepted>;

struct TestApp {
    services: TestServices,
}

impl TestApp {
    async fn spawn() -> TestApp {
        let mut services = TestServices::new();
        // The quote and order services deliver their events to the project
        // service, so its port is known before they start.
        services.reserve("project").await;
        services.start::<prm_account::AccountService>().await;
        services.start::<prm_quote::QuoteService>().await;
        services.start::<prm_order::OrderService>().await;
        services.start::<prm_project::ProjectService>().await;
        TestApp { services }
    }

    async fn projects(&self, caller: &Caller) -> Projects {
        ProjectServiceClient::with_interceptor(self.services.channel("project").await, self.services.auth(caller))
    }

    async fn quotes(&self, caller: &Caller) -> Quotes {
        QuoteServiceClient::with_interceptor(self.services.channel("quote").await, self.services.auth(caller))
    }

    async fn orders(&self, caller: &Caller) -> OrderServiceClient<Intercepted> {
        OrderServiceClient::with_interceptor(self.services.channel("order").await, self.services.auth(caller))
    }

    async fn accounts(&self, caller: &Caller) -> AccountServiceClient<Intercepted> {
        AccountServiceClient::with_interceptor(self.services.channel("account").await, self.services.auth(caller))
    }

    async fn records(&self, caller: &Caller) -> RecordServiceClient<Intercepted> {
        RecordServiceClient::with_interceptor(self.services.channel("project").await, self.services.auth(caller))
    }

    async fn get(&self, caller: &Caller, id: &str) -> pb::Project {
        self.projects(caller)
            .await
            .get_project(pb::GetProjectRequest { id: id.into() })
            .await
            .unwrap()
            .into_inner()
            .project
            .unwrap()
    }

    /// Polls until the project satisfies `ok` (events arrive through relays).
    async fn wait_for(&self, caller: &Caller, id: &str, what: &str, ok: impl Fn(&pb::Project) -> bool) -> pb::Project {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let p = self.get(caller, id).await;
            if ok(&p) {
                return p;
            }
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}: {p:#?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn history(&self, caller: &Caller, id: &str) -> Vec<rpb::FieldChange> {
        self.records(caller)
            .await
            .list_field_changes(rpb::ListFieldChangesRequest {
                record: Some(prm_proto::common::v1::RecordRef {
                    r#type: prm_proto::common::v1::RecordType::Project as i32,
                    id: id.into(),
                }),
                page_size: 500,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .field_changes
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

/// Two people of one partner, and its account.
struct Partner {
    user: Caller,
    admin: Caller,
    account_id: String,
}

async fn partner(app: &TestApp) -> Partner {
    let id = Uuid::now_v7();
    let user = person(Role::PartnerUser, Some(id));
    let admin = person(Role::PartnerAdmin, Some(id));
    let account = app
        .accounts(&user)
        .await
        .create_account(apb::CreateAccountRequest {
            account: Some(apb::Account { name: "Globex".into(), ..Default::default() }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap();
    Partner { user, admin, account_id: account.id }
}

async fn set_waps(app: &TestApp, licenses: &str, hwaas: &str, classound: &str) {
    app.quotes(&vendor())
        .await
        .set_weighted_average_prices(qpb::SetWeightedAveragePricesRequest {
            prices: Some(qpb::WeightedAveragePrices {
                currency_code: "EUR".into(),
                licenses: licenses.into(),
                hwaas: hwaas.into(),
                classound: classound.into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap();
}

fn new_business(account_id: &str) -> pb::Project {
    pb::Project {
        name: "Globex rollout".into(),
        account_id: account_id.into(),
        record_type: pb::RecordType::NewBusiness as i32,
        close_date: days_from_today(90),
        total_users: 10,
        interested_solutions: vec![pb::Solution::Licenses as i32],
        ..Default::default()
    }
}

async fn create(app: &TestApp, caller: &Caller, p: pb::Project) -> pb::Project {
    app.projects(caller)
        .await
        .create_project(pb::CreateProjectRequest { project: Some(p), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .project
        .unwrap()
}

async fn update(app: &TestApp, caller: &Caller, p: pb::Project, mask: &[&str]) -> Result<pb::Project, tonic::Status> {
    app.projects(caller)
        .await
        .update_project(pb::UpdateProjectRequest {
            project: Some(p),
            update_mask: Some(prost_types::FieldMask { paths: mask.iter().map(|s| s.to_string()).collect() }),
        })
        .await
        .map(|r| r.into_inner().project.unwrap())
}

async fn move_to(app: &TestApp, caller: &Caller, id: &str, stage: Stage) -> Result<pb::Project, tonic::Status> {
    app.projects(caller)
        .await
        .move_project(pb::MoveProjectRequest { id: id.into(), stage: stage as i32, ..Default::default() })
        .await
        .map(|r| r.into_inner().project.unwrap())
}

fn stage_of(p: &pb::Project) -> Stage {
    Stage::try_from(p.stage).unwrap()
}

/// Sets every gate field, then walks a new business project to Proposal.
async fn to_proposal(app: &TestApp, who: &Partner, verbal_agreement: bool) -> pb::Project {
    let p = create(app, &who.user, new_business(&who.account_id)).await;
    let gates = pb::Project {
        id: p.id.clone(),
        users_of_poc: Some(5),
        capex: "1500".into(),
        verbal_agreement,
        ..Default::default()
    };
    update(app, &who.user, gates, &["users_of_poc", "capex", "verbal_agreement"]).await.unwrap();
    for s in [Stage::Demo, Stage::ProjectPresentation, Stage::Proposal] {
        move_to(app, &who.user, &p.id, s).await.unwrap();
    }
    app.get(&who.user, &p.id).await
}

/// A monthly product at `price` EUR.
async fn product(app: &TestApp, sku: &str, price: &str) -> String {
    let mut v = app.quotes(&vendor()).await;
    let p = v
        .create_product(qpb::CreateProductRequest {
            product: Some(qpb::Product {
                sku: sku.into(),
                name: format!("Product {sku}"),
                family: qpb::ProductFamily::Licenses as i32,
                billing: qpb::Billing::Monthly as i32,
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
        price: Some(prm_proto::common::v1::Money { currency_code: "EUR".into(), amount: price.into() }),
    })
    .await
    .unwrap();
    p.id
}

/// A quote of the project, made through the project service, with `quantity` of `product_id`.
async fn project_quote(
    app: &TestApp,
    caller: &Caller,
    project_id: &str,
    product_id: &str,
    quantity: i64,
) -> qpb::Quote {
    let q = app
        .projects(caller)
        .await
        .create_project_quote(pb::CreateProjectQuoteRequest {
            project_id: project_id.into(),
            quote: Some(qpb::Quote {
                shipping_address_type: qpb::ShippingAddressType::EndUser as i32,
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .quote
        .unwrap();
    app.quotes(caller)
        .await
        .add_quote_line(qpb::AddQuoteLineRequest {
            quote_id: q.id.clone(),
            line: Some(qpb::QuoteLine { product_id: product_id.into(), quantity, ..Default::default() }),
        })
        .await
        .unwrap()
        .into_inner()
        .quote
        .unwrap()
}

async fn set_primary(app: &TestApp, caller: &Caller, quote_id: &str) {
    app.quotes(caller).await.set_primary_quote(qpb::SetPrimaryQuoteRequest { id: quote_id.into() }).await.unwrap();
}

async fn quote_to(app: &TestApp, caller: &Caller, quote_id: &str, status: qpb::QuoteStatus) {
    app.quotes(caller)
        .await
        .transition_quote(qpb::TransitionQuoteRequest { id: quote_id.into(), status: status as i32 })
        .await
        .unwrap();
}

async fn order_to(app: &TestApp, caller: &Caller, order_id: &str, status: opb::OrderStatus) {
    app.orders(caller)
        .await
        .transition_order(opb::TransitionOrderRequest { id: order_id.into(), status: status as i32 })
        .await
        .unwrap();
}

/// A project taken to Order Management the real way: its primary quote
/// accepted and an order placed from it.
async fn ordered(app: &TestApp, a: &Partner) -> (pb::Project, opb::Order) {
    let lic = product(app, "LIC", "20").await;
    let p = to_proposal(app, a, true).await;
    let q = project_quote(app, &a.user, &p.id, &lic, 5).await;
    set_primary(app, &a.user, &q.id).await;
    for s in [qpb::QuoteStatus::Presented, qpb::QuoteStatus::ContractSent, qpb::QuoteStatus::Accepted] {
        quote_to(app, &a.user, &q.id, s).await;
    }
    let order = app
        .orders(&a.user)
        .await
        .create_order_from_quote(opb::CreateOrderFromQuoteRequest { quote_id: q.id.clone(), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .order
        .unwrap();
    let p = app.wait_for(&a.user, &p.id, "Order Management", |p| stage_of(p) == Stage::OrderManagement).await;
    (p, order)
}

fn cost(p: &pb::Project) -> pb::CostInfo {
    p.cost_info.clone().unwrap()
}

// --- create, validation ----------------------------------------------------------

#[tokio::test]
async fn a_new_project_starts_at_the_first_stage_of_its_path_with_its_probability() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let p = create(&app, &a.user, new_business(&a.account_id)).await;
    assert_eq!(stage_of(&p), Stage::IntroQualification);
    assert_eq!(p.probability, 10);
    assert_eq!(p.owner_id, a.user.user_id.to_string());
    assert_eq!(p.currency_code, "EUR");
    let e = create(
        &app,
        &a.user,
        pb::Project { record_type: pb::RecordType::ExistingCustomer as i32, ..new_business(&a.account_id) },
    )
    .await;
    assert_eq!(stage_of(&e), Stage::Presentation);
    assert_eq!(e.probability, 40);
    app.stop().await;
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let other = partner(&app).await;
    let base = new_business(&a.account_id);
    let cases: Vec<(&str, pb::Project)> = vec![
        ("name", pb::Project { name: " ".into(), ..base.clone() }),
        ("record_type", pb::Project { record_type: 0, ..base.clone() }),
        ("close_date", pb::Project { close_date: "31/12/2026".into(), ..base.clone() }),
        ("close_date", pb::Project { close_date: "".into(), ..base.clone() }),
        ("account_id", pb::Project { account_id: "nope".into(), ..base.clone() }),
        ("account_id", pb::Project { account_id: other.account_id.clone(), ..base.clone() }),
        ("total_users", pb::Project { total_users: -1, ..base.clone() }),
        ("users_of_poc", pb::Project { users_of_poc: Some(-5), ..base.clone() }),
        ("amount_mrr", pb::Project { amount_mrr: "12,50".into(), ..base.clone() }),
        ("capex", pb::Project { capex: "-1".into(), ..base.clone() }),
        ("currency_code", pb::Project { currency_code: "euro".into(), ..base.clone() }),
        ("currency_code", pb::Project { currency_code: "XYZ".into(), ..base.clone() }),
        // Typed amounts are no finer than the currency's minor unit.
        ("amount_mrr", pb::Project { amount_mrr: "12.505".into(), ..base.clone() }),
        ("capex", pb::Project { capex: "10.5".into(), currency_code: "JPY".into(), ..base.clone() }),
        ("interested_solutions", pb::Project { interested_solutions: vec![0], ..base.clone() }),
    ];
    let mut c = app.projects(&a.user).await;
    for (field, p) in cases {
        let e =
            c.create_project(pb::CreateProjectRequest { project: Some(p), ..Default::default() }).await.unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument, "{field}: {e:?}");
        assert_eq!(field_of(&e), field, "{e:?}");
    }
    let list = c.list_projects(pb::ListProjectsRequest::default()).await.unwrap().into_inner();
    assert!(list.projects.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn computed_and_output_only_fields_are_refused_in_an_update() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let p = create(&app, &a.user, new_business(&a.account_id)).await;
    for field in ["stage", "cost_info", "cost_info.mrr", "approved_by_am", "demo_done", "owner_id", "primary_quote_id"]
    {
        let e =
            update(&app, &a.user, pb::Project { id: p.id.clone(), ..Default::default() }, &[field]).await.unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument, "{field}");
        assert_eq!(field_of(&e), field);
    }
    assert_eq!(app.get(&a.user, &p.id).await.update_time, p.update_time);
    app.stop().await;
}

#[tokio::test]
async fn a_repeated_create_with_the_same_project_id_answers_the_first_project() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let id = Uuid::now_v7().to_string();
    let mut c = app.projects(&a.user).await;
    let req = pb::CreateProjectRequest { project: Some(new_business(&a.account_id)), project_id: id.clone() };
    let first = c.create_project(req.clone()).await.unwrap().into_inner().project.unwrap();
    let again = c.create_project(req).await.unwrap().into_inner().project.unwrap();
    assert_eq!(first.id, id);
    assert_eq!(again.id, id);
    let list = c.list_projects(pb::ListProjectsRequest::default()).await.unwrap().into_inner();
    assert_eq!(list.projects.len(), 1);
    app.stop().await;
}

// --- Cost Info -------------------------------------------------------------------

#[tokio::test]
async fn expected_mrr_counts_the_wap_of_each_selected_solution() {
    let app = TestApp::spawn().await;
    set_waps(&app, "12.50", "7.25", "3.0001").await;
    let a = partner(&app).await;
    use pb::Solution::*;
    let cases: [(&[pb::Solution], &str); 8] = [
        // 7 × the WAPs, to the cent: 21.0007 is 21.00.
        (&[], "0.00"),
        (&[Licenses], "87.50"),
        (&[Hwaas], "50.75"),
        (&[Classound], "21.00"),
        (&[Licenses, Hwaas], "138.25"),
        (&[Licenses, Classound], "108.50"),
        (&[Hwaas, Classound], "71.75"),
        (&[Licenses, Hwaas, Classound], "159.25"),
    ];
    for (solutions, expected) in cases {
        let p = create(
            &app,
            &a.user,
            pb::Project {
                total_users: 7,
                interested_solutions: solutions.iter().map(|s| *s as i32).collect(),
                ..new_business(&a.account_id)
            },
        )
        .await;
        let c = cost(&p);
        assert_eq!(c.expected_mrr, expected, "{solutions:?}");
        assert_eq!(c.mrr, expected, "MRR is Expected MRR without a primary quote");
    }
    // Changing an input recomputes: more users, another solution.
    let p = create(&app, &a.user, new_business(&a.account_id)).await;
    assert_eq!(cost(&p).expected_mrr, "125.00");
    let p = update(
        &app,
        &a.user,
        pb::Project {
            id: p.id.clone(),
            total_users: 20,
            interested_solutions: vec![Hwaas as i32],
            ..Default::default()
        },
        &["total_users", "interested_solutions"],
    )
    .await
    .unwrap();
    assert_eq!(cost(&p).expected_mrr, "145.00");
    assert_eq!(cost(&p).weighted_pipeline, "14.50", "MRR × 10 %");
    app.stop().await;
}

#[tokio::test]
async fn new_waps_recompute_expected_mrr_of_projects_without_a_primary_quote() {
    let app = TestApp::spawn().await;
    set_waps(&app, "10", "5", "1").await;
    let a = partner(&app).await;
    let lic = product(&app, "LIC", "20").await;
    let plain = create(&app, &a.user, pb::Project { total_users: 4, ..new_business(&a.account_id) }).await;
    let quoted = create(&app, &a.user, pb::Project { total_users: 4, ..new_business(&a.account_id) }).await;
    let q = project_quote(&app, &a.user, &quoted.id, &lic, 1).await;
    set_primary(&app, &a.user, &q.id).await;
    app.wait_for(&a.user, &quoted.id, "the primary quote's MRR", |p| cost(p).mrr == "20.00").await;
    set_waps(&app, "12.5", "5", "1").await;
    let p = app.wait_for(&a.user, &plain.id, "Expected MRR at the new WAP", |p| cost(p).expected_mrr == "50.00").await;
    assert_eq!((cost(&p).mrr.as_str(), cost(&p).weighted_pipeline.as_str()), ("50.00", "5.00"));
    let p = app.wait_for(&a.user, &quoted.id, "Expected MRR at the new WAP", |p| cost(p).expected_mrr == "50.00").await;
    assert_eq!(cost(&p).mrr, "20.00", "MRR stays the primary quote's");
    let changes: Vec<_> =
        app.history(&a.user, &plain.id).await.into_iter().filter(|c| c.field == "expected_mrr").collect();
    assert_eq!((changes.len(), changes[0].old_value.as_str(), changes[0].new_value.as_str()), (1, "40.00", "50.00"));
    app.stop().await;
}

#[tokio::test]
async fn weighted_pipeline_is_mrr_times_probability_exactly() {
    let app = TestApp::spawn().await;
    set_waps(&app, "12.3457", "0", "0").await;
    let a = partner(&app).await;
    let p = create(&app, &a.user, pb::Project { total_users: 1, ..new_business(&a.account_id) }).await;
    // Expected MRR 12.3457 → 12.35; × 10 % = 1.235 → half away from zero, 1.24.
    assert_eq!(cost(&p).expected_mrr, "12.35");
    assert_eq!(cost(&p).weighted_pipeline, "1.24");
    let p = update(
        &app,
        &a.user,
        pb::Project { id: p.id.clone(), probability: 35, ..Default::default() },
        &["probability"],
    )
    .await
    .unwrap();
    // 12.35 × 35 % = 4.3225 → 4.32.
    assert_eq!(cost(&p).weighted_pipeline, "4.32");
    app.stop().await;
}

#[tokio::test]
async fn mrr_follows_the_primary_quote_and_falls_back_when_it_goes() {
    let app = TestApp::spawn().await;
    set_waps(&app, "10", "0", "0").await;
    let a = partner(&app).await;
    let lic = product(&app, "LIC", "19.99").await;
    let p = create(&app, &a.user, new_business(&a.account_id)).await;
    assert_eq!(cost(&p).mrr, "100.00");
    let q1 = project_quote(&app, &a.user, &p.id, &lic, 3).await; // 59.97
    let q2 = project_quote(&app, &a.user, &p.id, &lic, 10).await; // 199.90
    set_primary(&app, &a.user, &q1.id).await;
    let p1 = app.wait_for(&a.user, &p.id, "MRR of quote 1", |p| cost(p).mrr == "59.97").await;
    assert_eq!(p1.primary_quote_id, q1.id);
    assert_eq!(cost(&p1).expected_mrr, "100.00", "Expected MRR stays");
    assert_eq!(cost(&p1).weighted_pipeline, "6.00", "59.97 × 10 % = 5.997");
    set_primary(&app, &a.user, &q2.id).await;
    app.wait_for(&a.user, &p.id, "MRR of quote 2", |p| cost(p).mrr == "199.90" && p.primary_quote_id == q2.id).await;
    // The primary quote changes: MRR follows.
    app.quotes(&a.user)
        .await
        .add_quote_line(qpb::AddQuoteLineRequest {
            quote_id: q2.id.clone(),
            line: Some(qpb::QuoteLine { product_id: lic.clone(), quantity: 1, ..Default::default() }),
        })
        .await
        .unwrap();
    app.wait_for(&a.user, &p.id, "MRR of the changed quote", |p| cost(p).mrr == "219.89").await;
    // Back to quote 1, then no primary quote at all.
    set_primary(&app, &a.user, &q1.id).await;
    app.wait_for(&a.user, &p.id, "MRR of quote 1 again", |p| cost(p).mrr == "59.97").await;
    app.quotes(&a.user).await.delete_quote(qpb::DeleteQuoteRequest { id: q1.id.clone() }).await.unwrap();
    let p = app.wait_for(&a.user, &p.id, "Expected MRR again", |p| cost(p).mrr == "100.00").await;
    assert_eq!(p.primary_quote_id, "");
    let mrr_changes: Vec<_> = app.history(&a.user, &p.id).await.into_iter().filter(|c| c.field == "mrr").collect();
    assert_eq!(mrr_changes.len(), 5, "{mrr_changes:#?}");
    app.stop().await;
}

// --- the stage machine -----------------------------------------------------------

#[tokio::test]
async fn every_gate_of_the_new_business_path_refuses_until_its_field_is_set() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let p = create(&app, &a.user, new_business(&a.account_id)).await;
    let id = p.id.clone();

    let e = move_to(&app, &a.user, &id, Stage::Demo).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(e.message().contains("Users of POC"), "{}", e.message());
    update(
        &app,
        &a.user,
        pb::Project { id: id.clone(), users_of_poc: Some(3), ..Default::default() },
        &["users_of_poc"],
    )
    .await
    .unwrap();
    let p = move_to(&app, &a.user, &id, Stage::Demo).await.unwrap();
    assert_eq!((stage_of(&p), p.probability), (Stage::Demo, 20));

    let e = move_to(&app, &a.user, &id, Stage::ProjectPresentation).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(e.message().contains("Amount MRR") && e.message().contains("Capex"), "{}", e.message());
    update(
        &app,
        &a.user,
        pb::Project { id: id.clone(), amount_mrr: "99.5".into(), ..Default::default() },
        &["amount_mrr"],
    )
    .await
    .unwrap();
    let p = move_to(&app, &a.user, &id, Stage::ProjectPresentation).await.unwrap();
    assert_eq!((stage_of(&p), p.probability), (Stage::ProjectPresentation, 40));
    let p = move_to(&app, &a.user, &id, Stage::Proposal).await.unwrap();
    assert_eq!((stage_of(&p), p.probability), (Stage::Proposal, 60));

    // Users never leave Proposal forward: Contract out follows the contract.
    let e = move_to(&app, &a.user, &id, Stage::ContractOut).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(e.message().contains("contract is sent"), "{}", e.message());
    // Back is free.
    let p = move_to(&app, &a.user, &id, Stage::Demo).await.unwrap();
    assert_eq!(stage_of(&p), Stage::Demo);
    let stages: Vec<_> = app.history(&a.user, &id).await.into_iter().filter(|c| c.field == "stage").collect();
    assert_eq!(stages.len(), 4);
    app.stop().await;
}

#[tokio::test]
async fn the_existing_customer_path_has_its_own_stages() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let p = create(
        &app,
        &a.user,
        pb::Project { record_type: pb::RecordType::ExistingCustomer as i32, ..new_business(&a.account_id) },
    )
    .await;
    for stage in [Stage::IntroQualification, Stage::Demo, Stage::ProjectPresentation] {
        let e = move_to(&app, &a.user, &p.id, stage).await.unwrap_err();
        assert_eq!(e.code(), Code::FailedPrecondition, "{stage:?}");
        assert!(e.message().contains("not on the existing customer path"), "{}", e.message());
    }
    let p = move_to(&app, &a.user, &p.id, Stage::Proposal).await.unwrap();
    assert_eq!(stage_of(&p), Stage::Proposal);
    for stage in [Stage::ContractOut, Stage::OrderManagement, Stage::ClosedWon] {
        assert_eq!(move_to(&app, &a.user, &p.id, stage).await.unwrap_err().code(), Code::FailedPrecondition);
    }
    app.stop().await;
}

#[tokio::test]
async fn refused_moves_change_nothing() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let p = create(&app, &a.user, new_business(&a.account_id)).await;
    for stage in [Stage::Demo, Stage::Proposal, Stage::ContractOut, Stage::ClosedWon, Stage::IntroQualification] {
        assert!(move_to(&app, &a.user, &p.id, stage).await.is_err());
    }
    let e = move_to(&app, &a.user, &p.id, Stage::Unspecified).await.unwrap_err();
    assert_eq!(field_of(&e), "stage");
    let after = app.get(&a.user, &p.id).await;
    assert_eq!((after.stage, after.probability, after.update_time), (p.stage, p.probability, p.update_time));
    assert!(app.history(&a.user, &p.id).await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_project_is_closed_lost_from_any_open_stage_with_a_reason() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let mut c = app.projects(&a.user).await;
    let p = to_proposal(&app, &a, false).await;
    let e = c
        .move_project(pb::MoveProjectRequest {
            id: p.id.clone(),
            stage: Stage::ClosedLost as i32,
            lost_reason: " ".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "lost_reason");
    let lost = c
        .move_project(pb::MoveProjectRequest {
            id: p.id.clone(),
            stage: Stage::ClosedLost as i32,
            lost_reason: "Went with a competitor".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .project
        .unwrap();
    assert_eq!(
        (stage_of(&lost), lost.probability, lost.lost_reason.as_str()),
        (Stage::ClosedLost, 0, "Went with a competitor")
    );
    assert_eq!(cost(&lost).weighted_pipeline, "0.00");
    // Closed is final.
    let e = move_to(&app, &a.user, &p.id, Stage::Proposal).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    let e = c
        .move_project(pb::MoveProjectRequest {
            id: p.id.clone(),
            stage: Stage::ClosedLost as i32,
            lost_reason: "again".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    // From the first stage too.
    let fresh = create(&app, &a.user, new_business(&a.account_id)).await;
    c.move_project(pb::MoveProjectRequest {
        id: fresh.id,
        stage: Stage::ClosedLost as i32,
        lost_reason: "No budget".into(),
    })
    .await
    .unwrap();
    app.stop().await;
}

#[tokio::test]
async fn default_probabilities_are_the_vendors_to_set() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let mask = |p: &str| Some(prost_types::FieldMask { paths: vec![p.into()] });
    let settings = pb::ProjectSettings {
        probabilities: vec![pb::StageProbability { stage: Stage::Demo as i32, probability: 33 }],
        ..Default::default()
    };
    let e = app
        .projects(&a.admin)
        .await
        .update_project_settings(pb::UpdateProjectSettingsRequest {
            settings: Some(settings.clone()),
            update_mask: mask("probabilities"),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied);
    let bad = pb::ProjectSettings {
        probabilities: vec![pb::StageProbability { stage: Stage::ClosedWon as i32, probability: 90 }],
        ..Default::default()
    };
    let e = app
        .projects(&vendor())
        .await
        .update_project_settings(pb::UpdateProjectSettingsRequest {
            settings: Some(bad),
            update_mask: mask("probabilities"),
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "probabilities.closed_won");
    app.projects(&vendor())
        .await
        .update_project_settings(pb::UpdateProjectSettingsRequest {
            settings: Some(settings),
            update_mask: mask("probabilities"),
        })
        .await
        .unwrap();
    let p = create(&app, &a.user, pb::Project { users_of_poc: Some(2), ..new_business(&a.account_id) }).await;
    let p = move_to(&app, &a.user, &p.id, Stage::Demo).await.unwrap();
    assert_eq!(p.probability, 33);
    app.stop().await;
}

// --- automatic stages through real events ----------------------------------------------

#[tokio::test]
async fn the_contract_the_order_and_its_completion_move_the_project_to_closed_won() {
    let app = TestApp::spawn().await;
    set_waps(&app, "10", "0", "0").await;
    let a = partner(&app).await;
    let lic = product(&app, "LIC", "20").await;
    let p = to_proposal(&app, &a, true).await;
    let q = project_quote(&app, &a.user, &p.id, &lic, 5).await;
    set_primary(&app, &a.user, &q.id).await;
    quote_to(&app, &a.user, &q.id, qpb::QuoteStatus::Presented).await;
    quote_to(&app, &a.user, &q.id, qpb::QuoteStatus::ContractSent).await;
    let p = app.wait_for(&a.user, &p.id, "Contract out", |p| stage_of(p) == Stage::ContractOut).await;
    assert_eq!(p.probability, 80);
    assert_eq!(cost(&p).mrr, "100.00");
    quote_to(&app, &a.user, &q.id, qpb::QuoteStatus::Accepted).await;
    let order = app
        .orders(&a.user)
        .await
        .create_order_from_quote(opb::CreateOrderFromQuoteRequest { quote_id: q.id.clone(), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .order
        .unwrap();
    app.wait_for(&a.user, &p.id, "Order Management", |p| stage_of(p) == Stage::OrderManagement).await;
    // A user cannot move out of an automatic stage, except closing as lost.
    assert_eq!(move_to(&app, &a.user, &p.id, Stage::Proposal).await.unwrap_err().code(), Code::FailedPrecondition);
    order_to(&app, &a.user, &order.id, opb::OrderStatus::Submitted).await;
    order_to(&app, &vendor(), &order.id, opb::OrderStatus::Approved).await;
    order_to(&app, &vendor(), &order.id, opb::OrderStatus::Shipped).await;
    order_to(&app, &a.user, &order.id, opb::OrderStatus::Completed).await;
    let p = app.wait_for(&a.user, &p.id, "Closed won", |p| stage_of(p) == Stage::ClosedWon).await;
    assert_eq!(p.probability, 100);
    assert_eq!(cost(&p).weighted_pipeline, "100.00");
    // History is newest first.
    let stages: Vec<String> = app
        .history(&a.user, &p.id)
        .await
        .into_iter()
        .rev()
        .filter(|c| c.field == "stage")
        .map(|c| c.new_value)
        .collect();
    assert_eq!(stages, ["demo", "project_presentation", "proposal", "contract_out", "order_management", "closed_won"]);
    app.stop().await;
}

#[tokio::test]
async fn a_cancelled_order_takes_the_project_back_to_contract_out() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let (p, order) = ordered(&app, &a).await;
    order_to(&app, &a.user, &order.id, opb::OrderStatus::Cancelled).await;
    let p = app.wait_for(&a.user, &p.id, "Contract out again", |p| stage_of(p) == Stage::ContractOut).await;
    assert_eq!(p.probability, 80);
    app.stop().await;
}

#[tokio::test]
async fn a_contract_sent_without_verbal_agreement_waits_for_it() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let lic = product(&app, "LIC", "20").await;
    let p = to_proposal(&app, &a, false).await;
    let q = project_quote(&app, &a.user, &p.id, &lic, 1).await;
    set_primary(&app, &a.user, &q.id).await;
    quote_to(&app, &a.user, &q.id, qpb::QuoteStatus::Presented).await;
    quote_to(&app, &a.user, &q.id, qpb::QuoteStatus::ContractSent).await;
    let held = app.wait_for(&a.user, &p.id, "a held event", |p| !p.held_event.is_empty()).await;
    assert_eq!(stage_of(&held), Stage::Proposal);
    assert!(held.held_event.contains("Verbal Agreement"), "{}", held.held_event);
    let p = update(
        &app,
        &a.user,
        pb::Project { id: p.id.clone(), verbal_agreement: true, ..Default::default() },
        &["verbal_agreement"],
    )
    .await
    .unwrap();
    assert_eq!(stage_of(&p), Stage::ContractOut);
    assert_eq!(p.held_event, "");
    app.stop().await;
}

#[tokio::test]
async fn an_order_completed_while_the_project_service_is_down_is_applied_when_it_returns() {
    let mut app = TestApp::spawn().await;
    let a = partner(&app).await;
    let (p, order) = ordered(&app, &a).await;

    app.services.stop_service("project").await;
    order_to(&app, &a.user, &order.id, opb::OrderStatus::Submitted).await;
    order_to(&app, &vendor(), &order.id, opb::OrderStatus::Approved).await;
    order_to(&app, &vendor(), &order.id, opb::OrderStatus::Shipped).await;
    order_to(&app, &a.user, &order.id, opb::OrderStatus::Completed).await;
    // The relay fails against the stopped service and keeps the event.
    tokio::time::sleep(Duration::from_millis(600)).await;
    app.services.restart::<prm_project::ProjectService>().await;

    let p = app.wait_for(&a.user, &p.id, "Closed won", |p| stage_of(p) == Stage::ClosedWon).await;
    let closed: Vec<_> = app
        .history(&a.user, &p.id)
        .await
        .into_iter()
        .filter(|c| c.field == "stage" && c.new_value == "closed_won")
        .collect();
    assert_eq!(closed.len(), 1);
    app.stop().await;
}

// --- Bonus Pipeline ------------------------------------------------------------------

#[tokio::test]
async fn the_bonus_pipeline_from_demo_answers_to_approval_by_the_account_manager() {
    let app = TestApp::spawn().await;
    set_waps(&app, "10", "0", "0").await;
    let a = partner(&app).await;
    let settings = app
        .projects(&vendor())
        .await
        .update_project_settings(pb::UpdateProjectSettingsRequest {
            settings: Some(pb::ProjectSettings {
                demo_questions: vec![
                    pb::DemoQuestion { text: "Who attended?".into(), ..Default::default() },
                    pb::DemoQuestion { text: "Which features did they see?".into(), ..Default::default() },
                ],
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask { paths: vec!["demo_questions".into()] }),
        })
        .await
        .unwrap()
        .into_inner()
        .settings
        .unwrap();
    let questions: Vec<String> = settings.demo_questions.iter().map(|q| q.id.clone()).collect();
    let p = create(
        &app,
        &a.user,
        pb::Project { users_of_poc: Some(4), amount_mrr: "100".into(), ..new_business(&a.account_id) },
    )
    .await;
    let answer = |i: usize, text: &str| pb::DemoAnswer { question_id: questions[i].clone(), answer: text.into() };
    // Answers are shown from Demo on.
    let e = update(
        &app,
        &a.user,
        pb::Project { id: p.id.clone(), demo_answers: vec![answer(0, "CIO")], ..Default::default() },
        &["demo_answers"],
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    move_to(&app, &a.user, &p.id, Stage::Demo).await.unwrap();
    let e = update(
        &app,
        &a.user,
        pb::Project {
            id: p.id.clone(),
            demo_answers: vec![pb::DemoAnswer { question_id: Uuid::now_v7().to_string(), answer: "x".into() }],
            ..Default::default()
        },
        &["demo_answers"],
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&e), "demo_answers[0]");
    update(
        &app,
        &a.user,
        pb::Project {
            id: p.id.clone(),
            demo_answers: vec![answer(0, "CIO"), answer(1, "Call routing")],
            ..Default::default()
        },
        &["demo_answers"],
    )
    .await
    .unwrap();
    let p = move_to(&app, &a.user, &p.id, Stage::ProjectPresentation).await.unwrap();
    assert!(p.demo_done);
    assert_eq!(p.demo_date, chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string());
    assert_eq!(cost(&p).pipeline_mrr, "100.00", "Pipeline MRR = MRR on the Demo Date");
    assert!(!p.bonus_pipeline_satisfied);
    // Pipeline MRR stays frozen when MRR changes later.
    let p = update(
        &app,
        &a.user,
        pb::Project { id: p.id.clone(), total_users: 50, ..Default::default() },
        &["total_users"],
    )
    .await
    .unwrap();
    assert_eq!((cost(&p).mrr.as_str(), cost(&p).pipeline_mrr.as_str()), ("500.00", "100.00"));

    // Approved by AM: not the partner, not another partner's AM.
    let approve = |caller: Caller| {
        let app = &app;
        let id = p.id.clone();
        async move {
            app.projects(&caller).await.set_approved_by_am(pb::SetApprovedByAmRequest { id, approved: true }).await
        }
    };
    assert_eq!(approve(a.user.clone()).await.unwrap_err().code(), Code::PermissionDenied);
    assert_eq!(approve(a.admin.clone()).await.unwrap_err().code(), Code::PermissionDenied);
    let stranger = Caller { assigned_partners: vec![Uuid::now_v7()], ..person(Role::AccountManager, None) };
    assert_eq!(approve(stranger).await.unwrap_err().code(), Code::NotFound, "another partner's AM does not see it");
    let am = Caller { assigned_partners: vec![a.user.partner_id.unwrap()], ..person(Role::AccountManager, None) };
    let p = approve(am).await.unwrap().into_inner().project.unwrap();
    assert!(p.approved_by_am && p.bonus_pipeline_satisfied);
    let p = approve(vendor()).await.unwrap().into_inner().project.unwrap();
    assert!(p.bonus_pipeline_satisfied);
    app.stop().await;
}

// --- options, related, lists ---------------------------------------------------------------

#[tokio::test]
async fn a_clone_copies_what_people_typed_without_quotes_history_or_bonus_state() {
    let app = TestApp::spawn().await;
    set_waps(&app, "10", "0", "0").await;
    let a = partner(&app).await;
    let lic = product(&app, "LIC", "20").await;
    let p = to_proposal(&app, &a, true).await;
    let q = project_quote(&app, &a.user, &p.id, &lic, 1).await;
    set_primary(&app, &a.user, &q.id).await;
    app.wait_for(&a.user, &p.id, "primary quote", |p| !p.primary_quote_id.is_empty()).await;
    let contact = app
        .accounts(&a.user)
        .await
        .create_contact(apb::CreateContactRequest {
            contact: Some(apb::Contact {
                account_id: a.account_id.clone(),
                last_name: "Ng".into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .contact
        .unwrap();
    app.projects(&a.user)
        .await
        .set_project_contact(pb::SetProjectContactRequest {
            project_id: p.id.clone(),
            contact: Some(pb::ProjectContact {
                contact_id: contact.id.clone(),
                role: "Decision maker".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap();
    let copy = app
        .projects(&a.admin)
        .await
        .clone_project(pb::CloneProjectRequest { id: p.id.clone(), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .project
        .unwrap();
    assert_ne!(copy.id, p.id);
    assert_eq!(copy.name, "Globex rollout (copy)");
    assert_eq!(copy.owner_id, a.admin.user_id.to_string());
    assert_eq!((stage_of(&copy), copy.probability), (Stage::IntroQualification, 10));
    assert_eq!((copy.users_of_poc, copy.capex.as_str(), copy.verbal_agreement), (Some(5), "1500.00", true));
    assert_eq!(copy.primary_quote_id, "");
    assert_eq!(cost(&copy).mrr, "100.00", "MRR is Expected MRR again");
    assert!(!copy.demo_done && !copy.approved_by_am);
    assert!(app.history(&a.user, &copy.id).await.is_empty());
    let contacts = app
        .projects(&a.user)
        .await
        .list_project_contacts(pb::ListProjectContactsRequest { project_id: copy.id.clone() })
        .await
        .unwrap()
        .into_inner()
        .contacts;
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].role, "Decision maker");
    app.stop().await;
}

#[tokio::test]
async fn contacts_of_the_partner_join_a_project_with_a_role() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let b = partner(&app).await;
    let p = create(&app, &a.user, new_business(&a.account_id)).await;
    let contact_of = |who: &Partner| {
        let app = &app;
        let (caller, account_id) = (who.user.clone(), who.account_id.clone());
        async move {
            app.accounts(&caller)
                .await
                .create_contact(apb::CreateContactRequest {
                    contact: Some(apb::Contact { account_id, last_name: "Ng".into(), ..Default::default() }),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
                .contact
                .unwrap()
                .id
        }
    };
    let mine = contact_of(&a).await;
    let theirs = contact_of(&b).await;
    let mut c = app.projects(&a.user).await;
    let set = |contact_id: &str, role: &str| pb::SetProjectContactRequest {
        project_id: p.id.clone(),
        contact: Some(pb::ProjectContact { contact_id: contact_id.into(), role: role.into(), ..Default::default() }),
    };
    let e = c.set_project_contact(set(&theirs, "Buyer")).await.unwrap_err();
    assert_eq!(field_of(&e), "contact.contact_id");
    let e = c.set_project_contact(set(&mine, "")).await.unwrap_err();
    assert_eq!(field_of(&e), "contact.role");
    c.set_project_contact(set(&mine, "Buyer")).await.unwrap();
    c.set_project_contact(set(&mine, "Technical contact")).await.unwrap();
    let list = c
        .list_project_contacts(pb::ListProjectContactsRequest { project_id: p.id.clone() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.contacts.len(), 1);
    assert_eq!(list.contacts[0].role, "Technical contact");
    c.remove_project_contact(pb::RemoveProjectContactRequest { project_id: p.id.clone(), contact_id: mine.clone() })
        .await
        .unwrap();
    let e = c
        .remove_project_contact(pb::RemoveProjectContactRequest { project_id: p.id.clone(), contact_id: mine })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    app.stop().await;
}

#[tokio::test]
async fn only_a_partner_admin_changes_the_owner_and_only_the_owner_edits() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let colleague = person(Role::PartnerUser, a.user.partner_id);
    let p = create(&app, &a.user, new_business(&a.account_id)).await;
    let e = update(
        &app,
        &colleague,
        pb::Project { id: p.id.clone(), name: "Mine".into(), ..Default::default() },
        &["name"],
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied);
    let change = |caller: &Caller| {
        let (app, caller, id, to) = (&app, caller.clone(), p.id.clone(), colleague.user_id.to_string());
        async move {
            app.projects(&caller)
                .await
                .change_project_owner(pb::ChangeProjectOwnerRequest { id, new_owner_id: to })
                .await
        }
    };
    assert_eq!(change(&a.user).await.unwrap_err().code(), Code::PermissionDenied);
    let p = change(&a.admin).await.unwrap().into_inner().project.unwrap();
    assert_eq!(p.owner_id, colleague.user_id.to_string());
    update(&app, &colleague, pb::Project { id: p.id.clone(), name: "Mine".into(), ..Default::default() }, &["name"])
        .await
        .unwrap();
    let owners: Vec<_> = app.history(&a.user, &p.id).await.into_iter().filter(|c| c.field == "owner_id").collect();
    assert_eq!(owners.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn the_board_counts_and_sums_each_column_and_pages_each_on_its_own() {
    let app = TestApp::spawn().await;
    set_waps(&app, "10", "0", "0").await;
    let a = partner(&app).await;
    let b = partner(&app).await;
    for users in [1, 2, 3] {
        create(&app, &a.user, pb::Project { total_users: users, ..new_business(&a.account_id) }).await;
    }
    let demo =
        create(&app, &a.user, pb::Project { total_users: 7, users_of_poc: Some(1), ..new_business(&a.account_id) })
            .await;
    move_to(&app, &a.user, &demo.id, Stage::Demo).await.unwrap();
    create(&app, &b.user, new_business(&b.account_id)).await;

    let mut c = app.projects(&a.user).await;
    let board = c
        .get_project_board(pb::GetProjectBoardRequest {
            record_type: pb::RecordType::NewBusiness as i32,
            page_size: 2,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let stages: Vec<i32> = board.columns.iter().map(|c| c.stage).collect();
    assert_eq!(stages.len(), 8, "the path and closed lost");
    let intro = &board.columns[0];
    assert_eq!((intro.stage, intro.count), (Stage::IntroQualification as i32, 3));
    assert_eq!(intro.mrr_total.get("EUR").map(String::as_str), Some("60.00"));
    assert_eq!(intro.projects.len(), 2);
    assert!(!intro.next_page_token.is_empty());
    let demo_col = &board.columns[1];
    assert_eq!((demo_col.count, demo_col.mrr_total.get("EUR").map(String::as_str)), (1, Some("70.00")));
    assert!(board.columns[2..].iter().all(|c| c.count == 0 && c.projects.is_empty()));
    // The rest of one column.
    let rest = c
        .list_board_column(pb::ListBoardColumnRequest {
            record_type: pb::RecordType::NewBusiness as i32,
            stage: Stage::IntroQualification as i32,
            page_size: 2,
            page_token: intro.next_page_token.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(rest.projects.len(), 1);
    assert!(rest.next_page_token.is_empty());
    // A column's token is not another column's.
    let e = c
        .list_board_column(pb::ListBoardColumnRequest {
            stage: Stage::Demo as i32,
            page_token: intro.next_page_token.clone(),
            record_type: pb::RecordType::NewBusiness as i32,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "page_token");
    // Filtered like a list.
    let board = c
        .get_project_board(pb::GetProjectBoardRequest { filter: "total_users >= 3".into(), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(board.columns.len(), 9, "both paths");
    let counts: i64 = board.columns.iter().map(|c| c.count).sum();
    assert_eq!(counts, 2);
    app.stop().await;
}

#[tokio::test]
async fn list_views_built_in_and_saved() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let this_month = chrono::Utc::now().date_naive().format("%Y-%m-15").to_string();
    let mine =
        create(&app, &a.user, pb::Project { close_date: this_month.clone(), ..new_business(&a.account_id) }).await;
    let admins = create(&app, &a.admin, pb::Project { name: "Admin's".into(), ..new_business(&a.account_id) }).await;
    let lost = create(&app, &a.admin, pb::Project { close_date: this_month, ..new_business(&a.account_id) }).await;
    app.projects(&a.admin)
        .await
        .move_project(pb::MoveProjectRequest {
            id: lost.id.clone(),
            stage: Stage::ClosedLost as i32,
            lost_reason: "No".into(),
        })
        .await
        .unwrap();
    let mut c = app.projects(&a.user).await;
    let lister = c.clone();
    let ids = |view: &str, filter: &str| {
        let mut c = lister.clone();
        let (view, filter) = (view.to_string(), filter.to_string());
        async move {
            c.list_projects(pb::ListProjectsRequest { view, filter, ..Default::default() })
                .await
                .map(|r| r.into_inner().projects.into_iter().map(|p| p.id).collect::<Vec<_>>())
        }
    };
    assert_eq!(ids("all_open", "").await.unwrap().len(), 2);
    assert_eq!(ids("my_projects", "").await.unwrap(), vec![mine.id.clone()]);
    assert_eq!(ids("closing_this_month", "").await.unwrap(), vec![mine.id.clone()]);
    assert!(ids("recently_viewed", "").await.unwrap().is_empty());
    app.get(&a.user, &admins.id).await;
    app.get(&a.user, &mine.id).await;
    assert_eq!(ids("recently_viewed", "").await.unwrap(), vec![mine.id.clone(), admins.id.clone()]);
    assert_eq!(field_of(&ids("nope", "").await.unwrap_err()), "view");

    let views = c.list_list_views(pb::ListListViewsRequest {}).await.unwrap().into_inner().views;
    assert_eq!(views.iter().filter(|v| v.built_in).count(), 4);
    let e = c
        .create_list_view(pb::CreateListViewRequest {
            view: Some(pb::ListView { name: "Big".into(), filter: "colour = red".into(), ..Default::default() }),
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "view.filter");
    let e = c
        .create_list_view(pb::CreateListViewRequest {
            view: Some(pb::ListView { name: "Big".into(), columns: vec!["shoe_size".into()], ..Default::default() }),
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "view.columns[0]");
    let saved = c
        .create_list_view(pb::CreateListViewRequest {
            view: Some(pb::ListView {
                name: "Admin's projects".into(),
                filter: r#"name : "admin""#.into(),
                order_by: "close_date desc".into(),
                columns: vec!["name".into(), "mrr".into(), "demo_done".into()],
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .view
        .unwrap();
    assert_eq!(ids(&saved.id, "").await.unwrap(), vec![admins.id.clone()]);
    // Views are personal.
    let theirs = app.projects(&a.admin).await.list_list_views(pb::ListListViewsRequest {}).await.unwrap().into_inner();
    assert!(theirs.views.iter().all(|v| v.built_in));
    let e = app
        .projects(&a.admin)
        .await
        .delete_list_view(pb::DeleteListViewRequest { id: saved.id.clone() })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    c.delete_list_view(pb::DeleteListViewRequest { id: saved.id.clone() }).await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn lists_sort_by_close_date_and_page_with_tokens() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let (d1, d2, d3) = (days_from_today(30), days_from_today(60), days_from_today(90));
    for day in [&d3, &d1, &d2] {
        create(&app, &a.user, pb::Project { close_date: day.clone(), ..new_business(&a.account_id) }).await;
    }
    let mut c = app.projects(&a.user).await;
    let first =
        c.list_projects(pb::ListProjectsRequest { page_size: 2, ..Default::default() }).await.unwrap().into_inner();
    let dates: Vec<_> = first.projects.iter().map(|p| p.close_date.as_str()).collect();
    assert_eq!(dates, [d1.as_str(), d2.as_str()]);
    let next = c
        .list_projects(pb::ListProjectsRequest {
            page_size: 2,
            page_token: first.next_page_token,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(next.projects[0].close_date, d3);
    let e = c
        .list_projects(pb::ListProjectsRequest { filter: r#"close_date > "soon""#.into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "filter");
    let filtered = c
        .list_projects(pb::ListProjectsRequest {
            filter: format!(r#"close_date >= "{d2}" AND mrr >= 0"#),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(filtered.projects.len(), 2);
    app.stop().await;
}

// --- tenancy ----------------------------------------------------------------------------

#[tokio::test]
async fn another_partners_project_does_not_exist_on_any_rpc() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let b = partner(&app).await;
    let p = create(&app, &a.user, pb::Project { users_of_poc: Some(1), ..new_business(&a.account_id) }).await;
    let support = person(Role::SupportAgent, None);
    for outsider in [b.user.clone(), b.admin.clone(), support] {
        let mut c = app.projects(&outsider).await;
        let id = p.id.clone();
        let codes = vec![
            c.get_project(pb::GetProjectRequest { id: id.clone() }).await.map(|_| ()),
            update(&app, &outsider, pb::Project { id: id.clone(), name: "x".into(), ..Default::default() }, &["name"])
                .await
                .map(|_| ()),
            c.delete_project(pb::DeleteProjectRequest { id: id.clone() }).await.map(|_| ()),
            c.change_project_owner(pb::ChangeProjectOwnerRequest {
                id: id.clone(),
                new_owner_id: outsider.user_id.to_string(),
            })
            .await
            .map(|_| ()),
            c.move_project(pb::MoveProjectRequest { id: id.clone(), stage: Stage::Demo as i32, ..Default::default() })
                .await
                .map(|_| ()),
            c.clone_project(pb::CloneProjectRequest { id: id.clone(), ..Default::default() }).await.map(|_| ()),
            c.set_approved_by_am(pb::SetApprovedByAmRequest { id: id.clone(), approved: true }).await.map(|_| ()),
            c.create_project_quote(pb::CreateProjectQuoteRequest { project_id: id.clone(), quote: None })
                .await
                .map(|_| ()),
            c.list_project_contacts(pb::ListProjectContactsRequest { project_id: id.clone() }).await.map(|_| ()),
            c.set_project_contact(pb::SetProjectContactRequest {
                project_id: id.clone(),
                contact: Some(pb::ProjectContact {
                    contact_id: Uuid::now_v7().to_string(),
                    role: "x".into(),
                    ..Default::default()
                }),
            })
            .await
            .map(|_| ()),
            c.remove_project_contact(pb::RemoveProjectContactRequest {
                project_id: id.clone(),
                contact_id: Uuid::now_v7().to_string(),
            })
            .await
            .map(|_| ()),
        ];
        for (i, r) in codes.into_iter().enumerate() {
            assert_eq!(r.unwrap_err().code(), Code::NotFound, "rpc {i} as {:?}", outsider.role);
        }
        let list = c.list_projects(pb::ListProjectsRequest::default()).await.unwrap().into_inner();
        assert!(list.projects.iter().all(|x| x.id != p.id));
        let board = c.get_project_board(pb::GetProjectBoardRequest::default()).await.unwrap().into_inner();
        assert!(board.columns.iter().all(|col| col.projects.iter().all(|x| x.id != p.id)));
        assert_eq!(board.columns.iter().map(|c| c.count).sum::<i64>(), 0, "counted in no column");
    }
    // The partner's account manager reads it but does not edit it.
    let am = Caller { assigned_partners: vec![a.user.partner_id.unwrap()], ..person(Role::AccountManager, None) };
    app.get(&am, &p.id).await;
    assert_eq!(move_to(&app, &am, &p.id, Stage::Demo).await.unwrap_err().code(), Code::PermissionDenied);
    app.stop().await;
}

#[tokio::test]
async fn only_the_system_delivers_events() {
    let app = TestApp::spawn().await;
    let a = partner(&app).await;
    let mut sink = prm_proto::outbox::v1::event_sink_service_client::EventSinkServiceClient::with_interceptor(
        app.services.channel("project").await,
        app.services.auth(&a.admin),
    );
    let e = sink
        .deliver_event(prm_proto::outbox::v1::DeliverEventRequest {
            event: Some(prm_proto::outbox::v1::Event {
                id: Uuid::now_v7().to_string(),
                topic: "order.completed".into(),
                payload_json: "{}".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied);
    app.stop().await;
}

//! The task service over real gRPC, with the record services whose records
//! tasks are about, each on a fresh database (PostgreSQL when
//! PRM_TEST_DATABASE_URL is set, SQLite otherwise).

use prm_kit::{
    Caller, Role,
    auth::CallerInterceptor,
    testing::{TestServices, field_of},
};
use prm_proto::{
    account::v1::{self as apb, account_service_client::AccountServiceClient},
    case::v1::{self as cpb, case_service_client::CaseServiceClient},
    common::v1::{RecordRef, RecordType},
    lead::v1::{self as lpb, lead_service_client::LeadServiceClient},
    order::v1::{self as opb, order_service_client::OrderServiceClient},
    project::v1::{self as ppb, project_service_client::ProjectServiceClient},
    quote::v1::{self as qpb, quote_service_client::QuoteServiceClient},
    record::v1::{self as rpb, record_service_client::RecordServiceClient},
    task::v1::{self as pb, TaskStatus, task_service_client::TaskServiceClient},
};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Intercepted = InterceptedService<Channel, CallerInterceptor>;
type Tasks = TaskServiceClient<Intercepted>;

struct TestApp {
    services: TestServices,
}

impl TestApp {
    async fn spawn() -> TestApp {
        let mut services = TestServices::new();
        services.reserve("project").await;
        services.start::<prm_account::AccountService>().await;
        services.start::<prm_quote::QuoteService>().await;
        services.start::<prm_order::OrderService>().await;
        services.start::<prm_project::ProjectService>().await;
        services.start::<prm_lead::LeadService>().await;
        services.start::<prm_case::CaseService>().await;
        services.start::<prm_task::TaskService>().await;
        TestApp { services }
    }

    async fn client<T>(&self, service: &str, caller: &Caller, make: fn(Intercepted) -> T) -> T {
        let channel = self.services.channel(service).await;
        make(InterceptedService::new(channel, self.services.auth(caller)))
    }

    async fn tasks(&self, caller: &Caller) -> Tasks {
        self.client("task", caller, TaskServiceClient::new).await
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

fn record(kind: RecordType, id: &str) -> Option<RecordRef> {
    Some(RecordRef { r#type: kind as i32, id: id.into() })
}

/// One record of every kind a task may be about, of `me`'s partner.
struct Records {
    all: Vec<(RecordType, String)>,
}

async fn records(app: &TestApp, me: &Caller) -> Records {
    let mut accounts = app.client("account", me, AccountServiceClient::new).await;
    let account = accounts
        .create_account(apb::CreateAccountRequest {
            account: Some(apb::Account { name: "Globex".into(), ..Default::default() }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap()
        .id;
    let contact = accounts
        .create_contact(apb::CreateContactRequest {
            contact: Some(apb::Contact { account_id: account.clone(), last_name: "Ng".into(), ..Default::default() }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .contact
        .unwrap()
        .id;
    let lead = app
        .client("lead", me, LeadServiceClient::new)
        .await
        .create_lead(lpb::CreateLeadRequest {
            lead: Some(lpb::Lead { company: "Initech".into(), last_name: "Lumbergh".into(), ..Default::default() }),
        })
        .await
        .unwrap()
        .into_inner()
        .lead
        .unwrap()
        .id;
    let project = app
        .client("project", me, ProjectServiceClient::new)
        .await
        .create_project(ppb::CreateProjectRequest {
            project: Some(ppb::Project {
                name: "Rollout".into(),
                account_id: account.clone(),
                record_type: ppb::RecordType::NewBusiness as i32,
                close_date: prm_kit::testing::days_from_today(90),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .project
        .unwrap()
        .id;
    // An accepted quote with a line, and the order placed from it.
    let mut v = app.client("quote", &vendor(), QuoteServiceClient::new).await;
    let product = v
        .create_product(qpb::CreateProductRequest {
            product: Some(qpb::Product {
                sku: format!("LIC-{}", Uuid::now_v7().simple()),
                name: "Licence".into(),
                family: qpb::ProductFamily::Licenses as i32,
                billing: qpb::Billing::Monthly as i32,
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .product
        .unwrap()
        .id;
    v.set_list_price(qpb::SetListPriceRequest {
        product_id: product.clone(),
        price: Some(prm_proto::common::v1::Money { currency_code: "EUR".into(), amount: "10".into() }),
    })
    .await
    .unwrap();
    let mut quotes = app.client("quote", me, QuoteServiceClient::new).await;
    let quote = quotes
        .create_quote(qpb::CreateQuoteRequest {
            quote: Some(qpb::Quote {
                name: "Offer".into(),
                project_id: project.clone(),
                account_id: account.clone(),
                currency_code: "EUR".into(),
                shipping_address_type: qpb::ShippingAddressType::EndUser as i32,
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .quote
        .unwrap()
        .id;
    quotes
        .add_quote_line(qpb::AddQuoteLineRequest {
            quote_id: quote.clone(),
            line: Some(qpb::QuoteLine { product_id: product, quantity: 1, ..Default::default() }),
        })
        .await
        .unwrap();
    for s in [qpb::QuoteStatus::Presented, qpb::QuoteStatus::ContractSent, qpb::QuoteStatus::Accepted] {
        quotes.transition_quote(qpb::TransitionQuoteRequest { id: quote.clone(), status: s as i32 }).await.unwrap();
    }
    let order = app
        .client("order", me, OrderServiceClient::new)
        .await
        .create_order_from_quote(opb::CreateOrderFromQuoteRequest { quote_id: quote.clone(), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .order
        .unwrap()
        .id;
    let case = app
        .client("case", me, CaseServiceClient::new)
        .await
        .create_case(cpb::CreateCaseRequest {
            case: Some(cpb::Case {
                subject: "Phones reboot".into(),
                description: "Every morning.".into(),
                product: cpb::CaseProduct::Hwaas as i32,
                ..Default::default()
            }),
            submitter: Some(cpb::Person { email: "bob@acme.example".into(), display_name: "Bob".into() }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .case
        .unwrap()
        .id;
    Records {
        all: vec![
            (RecordType::Case, case),
            (RecordType::Account, account),
            (RecordType::Contact, contact),
            (RecordType::Lead, lead),
            (RecordType::Project, project),
            (RecordType::Quote, quote),
            (RecordType::Order, order),
        ],
    }
}

fn task_on(kind: RecordType, id: &str, subject: &str, due: &str) -> pb::Task {
    pb::Task {
        subject: subject.into(),
        r#type: pb::TaskType::Call as i32,
        due_date: due.into(),
        related: record(kind, id),
        ..Default::default()
    }
}

async fn create(c: &mut Tasks, t: pb::Task) -> pb::Task {
    c.create_task(pb::CreateTaskRequest { task: Some(t) }).await.unwrap().into_inner().task.unwrap()
}

async fn set_status(c: &mut Tasks, id: &str, status: TaskStatus) -> Result<pb::Task, tonic::Status> {
    c.update_task(pb::UpdateTaskRequest {
        task: Some(pb::Task { id: id.into(), status: status as i32, ..Default::default() }),
        update_mask: Some(prost_types::FieldMask { paths: vec!["status".into()] }),
    })
    .await
    .map(|r| r.into_inner().task.unwrap())
}

async fn open_activities(c: &mut Tasks, kind: RecordType, id: &str) -> Result<Vec<String>, tonic::Status> {
    c.list_open_activities(pb::ListOpenActivitiesRequest { record: record(kind, id) })
        .await
        .map(|r| r.into_inner().tasks.into_iter().map(|t| t.subject).collect())
}

fn date(days_from_today: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days_from_today)).format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn open_activities_of_a_record_of_every_type_soonest_due_first() {
    let app = TestApp::spawn().await;
    let me = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let recs = records(&app, &me).await;
    let mut c = app.tasks(&me).await;
    for (kind, id) in &recs.all {
        let name = kind.as_str_name();
        create(&mut c, task_on(*kind, id, &format!("{name}: later"), &date(5))).await;
        create(&mut c, task_on(*kind, id, &format!("{name}: undated"), "")).await;
        create(&mut c, task_on(*kind, id, &format!("{name}: soon"), &date(1))).await;
        let done = create(&mut c, task_on(*kind, id, &format!("{name}: done"), &date(0))).await;
        set_status(&mut c, &done.id, TaskStatus::Completed).await.unwrap();
    }
    for (kind, id) in &recs.all {
        let name = kind.as_str_name();
        assert_eq!(
            open_activities(&mut c, *kind, id).await.unwrap(),
            [format!("{name}: soon"), format!("{name}: later"), format!("{name}: undated")],
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_task_on_a_record_the_caller_cannot_see_is_refused() {
    let app = TestApp::spawn().await;
    let me = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let other = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let theirs = records(&app, &other).await;
    let mut c = app.tasks(&me).await;
    for (kind, id) in &theirs.all {
        let e = c.create_task(pb::CreateTaskRequest { task: Some(task_on(*kind, id, "Call", "")) }).await.unwrap_err();
        assert_eq!(e.code(), Code::NotFound, "{kind:?}");
        assert_eq!(open_activities(&mut c, *kind, id).await.unwrap_err().code(), Code::NotFound, "{kind:?}");
    }
    let e = c
        .create_task(pb::CreateTaskRequest {
            task: Some(task_on(RecordType::Account, &Uuid::now_v7().to_string(), "Call", "")),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    let list = c.list_tasks(pb::ListTasksRequest::default()).await.unwrap().into_inner();
    assert!(list.tasks.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_record_service_that_is_down_is_not_a_missing_record() {
    let mut app = TestApp::spawn().await;
    let me = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let recs = records(&app, &me).await;
    let (kind, id) = recs.all[0].clone();
    assert_eq!(kind, RecordType::Case);
    app.services.stop_service("case").await;
    let mut c = app.tasks(&me).await;
    let e = c.create_task(pb::CreateTaskRequest { task: Some(task_on(kind, &id, "Call", "")) }).await.unwrap_err();
    assert_eq!(e.code(), Code::Unavailable);
    assert_eq!(open_activities(&mut c, kind, &id).await.unwrap_err().code(), Code::Unavailable);
    app.stop().await;
}

#[tokio::test]
async fn completing_a_task_stamps_who_and_when_and_reopening_clears_it() {
    let app = TestApp::spawn().await;
    let partner = Uuid::now_v7();
    let me = person(Role::PartnerUser, Some(partner));
    let admin = person(Role::PartnerAdmin, Some(partner));
    let recs = records(&app, &me).await;
    let (kind, id) = &recs.all[0];
    let mut c = app.tasks(&me).await;
    let t = create(&mut c, task_on(*kind, id, "Call the CIO", &date(0))).await;
    assert_eq!(t.status, TaskStatus::Open as i32);
    assert_eq!((t.completed_by.as_str(), t.complete_time), ("", None));
    let mut a = app.tasks(&admin).await;
    let done = set_status(&mut a, &t.id, TaskStatus::Completed).await.unwrap();
    assert_eq!(done.completed_by, admin.user_id.to_string());
    assert!(done.complete_time.is_some());
    let again = set_status(&mut a, &t.id, TaskStatus::InProgress).await.unwrap();
    assert_eq!((again.completed_by.as_str(), again.complete_time), ("", None));
    let history = app
        .client("task", &me, RecordServiceClient::new)
        .await
        .list_field_changes(rpb::ListFieldChangesRequest {
            record: record(RecordType::Task, &t.id),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .field_changes;
    let statuses: Vec<_> = history.iter().filter(|c| c.field == "status").map(|c| c.new_value.as_str()).collect();
    assert_eq!(statuses, ["in_progress", "completed"], "newest first");
    // A partner user may not change a colleague's task.
    let colleague = person(Role::PartnerUser, Some(partner));
    let e = set_status(&mut app.tasks(&colleague).await, &t.id, TaskStatus::Completed).await.unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied);
    app.stop().await;
}

#[tokio::test]
async fn my_tasks_due_today_overdue_and_this_week() {
    let app = TestApp::spawn().await;
    let partner = Uuid::now_v7();
    let me = person(Role::PartnerUser, Some(partner));
    let colleague = person(Role::PartnerUser, Some(partner));
    let recs = records(&app, &me).await;
    let (kind, id) = &recs.all[0];
    let mut c = app.tasks(&me).await;
    let today = chrono::Utc::now().date_naive();
    let monday = today - chrono::Duration::days(chrono::Datelike::weekday(&today).num_days_from_monday().into());
    let day = |n: i64| Some(today + chrono::Duration::days(n));
    let mine = [
        ("today", day(0)),
        ("yesterday", day(-1)),
        ("last month", day(-31)),
        ("monday", Some(monday)),
        ("sunday", Some(monday + chrono::Duration::days(6))),
        ("next monday", Some(monday + chrono::Duration::days(7))),
        ("undated", None),
    ];
    for (subject, due) in mine {
        let due = due.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
        create(&mut c, task_on(*kind, id, subject, &due)).await;
    }
    let done = create(&mut c, task_on(*kind, id, "done today", &date(0))).await;
    set_status(&mut c, &done.id, TaskStatus::Completed).await.unwrap();
    // A task I made for a colleague is theirs.
    create(&mut c, pb::Task { owner_id: colleague.user_id.to_string(), ..task_on(*kind, id, "theirs", &date(0)) })
        .await;

    let view = |name: &str| {
        let mut c = c.clone();
        let name = name.to_string();
        async move {
            let mut subjects: Vec<String> = c
                .list_tasks(pb::ListTasksRequest { view: name, ..Default::default() })
                .await
                .unwrap()
                .into_inner()
                .tasks
                .into_iter()
                .map(|t| t.subject)
                .collect();
            subjects.sort();
            subjects
        }
    };
    let expect = |keep: &dyn Fn(chrono::NaiveDate) -> bool| {
        let mut v: Vec<String> = mine.iter().filter(|(_, d)| d.is_some_and(keep)).map(|(s, _)| s.to_string()).collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(view("due_today").await, expect(&|d| d == today));
    assert_eq!(view("overdue").await, expect(&|d| d < today));
    assert_eq!(view("this_week").await, expect(&|d| monday <= d && d <= monday + chrono::Duration::days(6)));
    assert_eq!(view("my_open").await.len(), 7);
    let e = c.list_tasks(pb::ListTasksRequest { view: "someday".into(), ..Default::default() }).await.unwrap_err();
    assert_eq!(field_of(&e), "view");
    let theirs = app
        .tasks(&colleague)
        .await
        .list_tasks(pb::ListTasksRequest { view: "due_today".into(), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .tasks;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].subject, "theirs");
    app.stop().await;
}

#[tokio::test]
async fn bad_input_names_the_field_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let me = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let recs = records(&app, &me).await;
    let (kind, id) = recs.all[0].clone();
    let mut c = app.tasks(&me).await;
    let base = task_on(kind, &id, "Call", "");
    for (field, t) in [
        ("subject", pb::Task { subject: " ".into(), ..base.clone() }),
        ("type", pb::Task { r#type: 0, ..base.clone() }),
        ("type", pb::Task { r#type: 42, ..base.clone() }),
        ("due_date", pb::Task { due_date: "soon".into(), ..base.clone() }),
        ("related", pb::Task { related: None, ..base.clone() }),
        ("related.id", pb::Task { related: record(kind, "x"), ..base.clone() }),
        ("related.type", pb::Task { related: record(RecordType::Task, &id), ..base.clone() }),
        ("owner_id", pb::Task { owner_id: "me".into(), ..base.clone() }),
    ] {
        let e = c.create_task(pb::CreateTaskRequest { task: Some(t) }).await.unwrap_err();
        assert_eq!((e.code(), field_of(&e)), (Code::InvalidArgument, field.to_string()), "{e:?}");
    }
    assert!(c.list_tasks(pb::ListTasksRequest::default()).await.unwrap().into_inner().tasks.is_empty());
    let t = create(&mut c, base).await;
    for field in ["related", "completed_by", "owner_id", "colour"] {
        let e = c
            .update_task(pb::UpdateTaskRequest {
                task: Some(pb::Task { id: t.id.clone(), ..Default::default() }),
                update_mask: Some(prost_types::FieldMask { paths: vec![field.into()] }),
            })
            .await
            .unwrap_err();
        let expected = if field == "colour" { "update_mask" } else { field };
        assert_eq!(field_of(&e), expected);
    }
    app.stop().await;
}

#[tokio::test]
async fn another_partners_task_does_not_exist_on_any_rpc() {
    let app = TestApp::spawn().await;
    let me = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let recs = records(&app, &me).await;
    let (kind, id) = recs.all.iter().find(|(k, _)| *k == RecordType::Account).cloned().unwrap();
    let t = create(&mut app.tasks(&me).await, task_on(kind, &id, "Call", "")).await;
    let support = person(Role::SupportAgent, None);
    for outsider in [person(Role::PartnerAdmin, Some(Uuid::now_v7())), support] {
        let mut c = app.tasks(&outsider).await;
        let results = vec![
            c.get_task(pb::GetTaskRequest { id: t.id.clone() }).await.map(|_| ()),
            set_status(&mut c, &t.id, TaskStatus::Completed).await.map(|_| ()),
            c.delete_task(pb::DeleteTaskRequest { id: t.id.clone() }).await.map(|_| ()),
            c.change_task_owner(pb::ChangeTaskOwnerRequest {
                id: t.id.clone(),
                new_owner_id: outsider.user_id.to_string(),
            })
            .await
            .map(|_| ()),
            c.list_open_activities(pb::ListOpenActivitiesRequest { record: record(kind, &id) }).await.map(|_| ()),
        ];
        for (i, r) in results.into_iter().enumerate() {
            assert_eq!(r.unwrap_err().code(), Code::NotFound, "rpc {i} as {:?}", outsider.role);
        }
        assert!(c.list_tasks(pb::ListTasksRequest::default()).await.unwrap().into_inner().tasks.is_empty());
    }
    // The partner's account manager reads it.
    let am = Caller { assigned_partners: vec![me.partner_id.unwrap()], ..person(Role::AccountManager, None) };
    assert_eq!(
        app.tasks(&am)
            .await
            .get_task(pb::GetTaskRequest { id: t.id.clone() })
            .await
            .unwrap()
            .into_inner()
            .task
            .unwrap()
            .id,
        t.id
    );
    app.stop().await;
}

#[tokio::test]
async fn saved_views_of_tasks_are_personal_and_checked() {
    let app = TestApp::spawn().await;
    let partner = Uuid::now_v7();
    let me = person(Role::PartnerUser, Some(partner));
    let colleague = person(Role::PartnerUser, Some(partner));
    let recs = records(&app, &me).await;
    let (kind, id) = recs.all[0].clone();
    let mut c = app.tasks(&me).await;
    create(&mut c, pb::Task { priority: pb::TaskPriority::High as i32, ..task_on(kind, &id, "Urgent call", "") }).await;
    create(&mut c, task_on(kind, &id, "Routine call", "")).await;
    let views = c.list_task_views(pb::ListTaskViewsRequest {}).await.unwrap().into_inner().views;
    assert_eq!(views.iter().filter(|v| v.built_in).count(), 4);
    for (field, v) in [
        ("view.filter", pb::TaskView { name: "x".into(), filter: "colour = red".into(), ..Default::default() }),
        ("view.order_by", pb::TaskView { name: "x".into(), order_by: "colour".into(), ..Default::default() }),
        ("view.columns[0]", pb::TaskView { name: "x".into(), columns: vec!["shoe".into()], ..Default::default() }),
        ("view.name", pb::TaskView { name: " ".into(), ..Default::default() }),
    ] {
        let e = c.create_task_view(pb::CreateTaskViewRequest { view: Some(v) }).await.unwrap_err();
        assert_eq!(field_of(&e), field);
    }
    let saved = c
        .create_task_view(pb::CreateTaskViewRequest {
            view: Some(pb::TaskView {
                name: "High priority".into(),
                filter: "priority = high".into(),
                order_by: "subject".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .view
        .unwrap();
    let listed = c.list_tasks(pb::ListTasksRequest { view: saved.id.clone(), ..Default::default() }).await.unwrap();
    let subjects: Vec<String> = listed.into_inner().tasks.into_iter().map(|t| t.subject).collect();
    assert_eq!(subjects, ["Urgent call"]);
    let mut theirs = app.tasks(&colleague).await;
    let e = theirs.list_tasks(pb::ListTasksRequest { view: saved.id.clone(), ..Default::default() }).await.unwrap_err();
    assert_eq!(field_of(&e), "view");
    let e = theirs.delete_task_view(pb::DeleteTaskViewRequest { id: saved.id.clone() }).await.unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    let renamed = c
        .update_task_view(pb::UpdateTaskViewRequest {
            view: Some(pb::TaskView { id: saved.id.clone(), name: "Hot".into(), ..Default::default() }),
            update_mask: Some(prost_types::FieldMask { paths: vec!["name".into()] }),
        })
        .await
        .unwrap()
        .into_inner()
        .view
        .unwrap();
    assert_eq!((renamed.name.as_str(), renamed.filter.as_str()), ("Hot", "priority = high"));
    c.delete_task_view(pb::DeleteTaskViewRequest { id: saved.id }).await.unwrap();
    app.stop().await;
}

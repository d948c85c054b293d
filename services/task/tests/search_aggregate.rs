//! Global search and aggregates of the task service over real gRPC, on a
//! fresh database (PostgreSQL when PRM_TEST_DATABASE_URL is set, SQLite
//! otherwise). Tasks here are about accounts; the other record services are
//! configured at a closed port.

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
    common::v1::{RecordRef, RecordType},
    record::v1::{self as rpb, AggregateFunction as F, DateBucket},
    task::v1::{self as pb, task_service_client::TaskServiceClient},
};
use sea_orm::ConnectionTrait;
use sea_orm_migration::{MigrationTrait, SchemaManager};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Tasks = TaskServiceClient<InterceptedService<Channel, CallerInterceptor>>;

struct TestApp {
    services: TestServices,
}

impl TestApp {
    async fn spawn() -> TestApp {
        let mut services = TestServices::new();
        services.start::<prm_account::AccountService>().await;
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        for s in ["lead", "project", "quote", "order"] {
            services.point(s, closed);
        }
        services.start::<prm_task::TaskService>().await;
        TestApp { services }
    }

    async fn tasks(&self, caller: &Caller) -> Tasks {
        TaskServiceClient::with_interceptor(self.services.channel("task").await, self.services.auth(caller))
    }

    /// An account of `caller`'s partner, for tasks to be about.
    async fn account(&self, caller: &Caller) -> String {
        AccountServiceClient::with_interceptor(self.services.channel("account").await, self.services.auth(caller))
            .create_account(apb::CreateAccountRequest {
                account: Some(apb::Account { name: "Globex".into(), ..Default::default() }),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .account
            .unwrap()
            .id
    }
}

fn partner_user() -> Caller {
    person(Role::PartnerUser, Some(Uuid::now_v7()))
}

fn task(account: &str, subject: &str, kind: pb::TaskType, due: &str) -> pb::Task {
    pb::Task {
        subject: subject.into(),
        r#type: kind as i32,
        due_date: due.into(),
        related: Some(RecordRef { r#type: RecordType::Account as i32, id: account.into() }),
        ..Default::default()
    }
}

async fn create(app: &TestApp, caller: &Caller, t: pb::Task) -> pb::Task {
    app.tasks(caller)
        .await
        .create_task(pb::CreateTaskRequest { task: Some(t) })
        .await
        .unwrap()
        .into_inner()
        .task
        .unwrap()
}

async fn update(app: &TestApp, caller: &Caller, t: pb::Task, paths: &[&str]) -> pb::Task {
    app.tasks(caller)
        .await
        .update_task(pb::UpdateTaskRequest {
            task: Some(t),
            update_mask: Some(prost_types::FieldMask { paths: paths.iter().map(|p| p.to_string()).collect() }),
        })
        .await
        .unwrap()
        .into_inner()
        .task
        .unwrap()
}

#[tokio::test]
async fn search_finds_tasks_by_a_word_of_their_subject_in_the_callers_scope_only() {
    let app = TestApp::spawn().await;
    let (a, b) = (partner_user(), partner_user());
    let (acc_a, acc_b) = (app.account(&a).await, app.account(&b).await);
    let due = prm_kit::testing::days_from_today(7);
    let call = create(&app, &a, task(&acc_a, "Call Café Müller", pb::TaskType::Call, &due)).await;
    let follow = create(&app, &a, task(&acc_a, "Call Café Müller about the quote", pb::TaskType::Call, "")).await;
    let theirs = create(&app, &b, task(&acc_b, "Call Café Müller", pb::TaskType::Call, "")).await;

    let found = app.services.search("task", &a, "call cafe muller").await;
    assert_eq!(titles(&found), ["Call Café Müller", "Call Café Müller about the quote"]);
    assert_eq!(ids(&found), [call.id.as_str(), follow.id.as_str()]);
    assert_eq!(found[0].record.as_ref().unwrap().r#type, RecordType::Task as i32);
    assert_eq!(
        (found[0].subtitle.as_str(), found[1].subtitle.as_str()),
        (format!("call · open · due {due}").as_str(), "call · open")
    );
    assert!(found[0].score > found[1].score);
    assert_eq!(ids(&app.services.search("task", &a, "QUOTE").await), [follow.id.as_str()]);
    // Never another partner's task; support agents see none.
    assert!(!ids(&app.services.search("task", &a, "muller").await).contains(&theirs.id));
    assert_eq!(ids(&app.services.search("task", &b, "muller").await), [theirs.id.as_str()]);
    assert!(app.services.search("task", &person(Role::SupportAgent, None), "muller").await.is_empty());
    assert_eq!(app.services.search("task", &person(Role::VendorAdmin, None), "muller").await.len(), 3);

    // An edit changes what is found and what it shows; a delete removes it.
    update(
        &app,
        &a,
        pb::Task { id: follow.id.clone(), subject: "Send the Initech quote".into(), ..Default::default() },
        &["subject"],
    )
    .await;
    assert_eq!(ids(&app.services.search("task", &a, "muller").await), [call.id.as_str()]);
    update(
        &app,
        &a,
        pb::Task { id: call.id.clone(), status: pb::TaskStatus::Completed as i32, ..Default::default() },
        &["status"],
    )
    .await;
    assert_eq!(app.services.search("task", &a, "muller").await[0].subtitle, format!("call · completed · due {due}"));
    app.tasks(&a).await.delete_task(pb::DeleteTaskRequest { id: call.id.clone() }).await.unwrap();
    assert!(app.services.search("task", &a, "muller").await.is_empty());
    assert_eq!(titles(&app.services.search("task", &a, "initech").await), ["Send the Initech quote"]);
    app.services.stop().await;
}

#[tokio::test]
async fn tasks_written_before_search_existed_are_indexed_by_the_backfill() {
    let app = TestApp::spawn().await;
    let a = partner_user();
    let acc = app.account(&a).await;
    let t = create(&app, &a, task(&acc, "Demo for Hooli", pb::TaskType::Meeting, "")).await;
    let db = prm_kit::db::connect(&app.services.database_url("task")).await.unwrap();
    db.execute_unprepared("DELETE FROM search_documents").await.unwrap();
    assert!(app.services.search("task", &a, "hooli").await.is_empty());
    prm_task::store::BackfillSearch.up(&SchemaManager::new(&db)).await.unwrap();
    assert_eq!(ids(&app.services.search("task", &a, "hooli").await), [t.id.as_str()]);
    db.close().await.unwrap();
    app.services.stop().await;
}

#[tokio::test]
async fn aggregates_count_tasks_by_type_status_and_due_month() {
    let app = TestApp::spawn().await;
    let (a, b) = (partner_user(), partner_user());
    let (acc_a, acc_b) = (app.account(&a).await, app.account(&b).await);
    use pb::TaskType as T;
    let mut made = vec![];
    for (subject, kind, due) in [
        ("t1", T::Call, "2026-01-05"),
        ("t2", T::Call, "2026-01-31"),
        ("t3", T::Email, "2026-02-01"),
        ("t4", T::Meeting, ""),
        ("t5", T::Todo, "2025-12-31"),
    ] {
        made.push(create(&app, &a, task(&acc_a, subject, kind, due)).await);
    }
    for t in [&made[1], &made[4]] {
        update(
            &app,
            &a,
            pb::Task { id: t.id.clone(), status: pb::TaskStatus::Completed as i32, ..Default::default() },
            &["status"],
        )
        .await;
    }
    create(&app, &b, task(&acc_b, "theirs", T::Call, "2026-01-10")).await;

    let total = app
        .services
        .aggregate(
            "task",
            &a,
            request(
                "tasks",
                vec![],
                "",
                vec![measure(F::Count, ""), measure(F::Sum, "open"), measure(F::Sum, "has_due_date")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(rows(&total), [(vec![], vec!["5", "3", "4"])]);
    // Open tasks with a due date, by month due: the sentinel of "no due date" stays out.
    let by_month = app
        .services
        .aggregate(
            "task",
            &a,
            request(
                "tasks",
                vec![group("due_date", DateBucket::Month), group("type", DateBucket::Unspecified)],
                r#"status != "completed" AND due_date < "9999-12-31""#,
                vec![measure(F::Count, "")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(rows(&by_month), [(vec!["2026-01", "call"], vec!["1"]), (vec!["2026-02", "email"], vec!["1"])]);
    // Due by a day or overdue, open: what the home page counts.
    let due = app
        .services
        .aggregate(
            "task",
            &a,
            request(
                "tasks",
                vec![],
                r#"due_date <= "2026-01-31" AND status != "completed""#,
                vec![measure(F::Count, "")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(rows(&due), [(vec![], vec!["1"])]);
    let by_status = app
        .services
        .aggregate(
            "task",
            &a,
            request("tasks", vec![group("status", DateBucket::Unspecified)], "", vec![measure(F::Count, "")]),
        )
        .await
        .unwrap();
    assert_eq!(rows(&by_status), [(vec!["completed"], vec!["2"]), (vec!["open"], vec!["3"])]);
    let theirs =
        app.services.aggregate("task", &b, request("tasks", vec![], "", vec![measure(F::Count, "")])).await.unwrap();
    assert_eq!(rows(&theirs), [(vec![], vec!["1"])]);

    for (r, field) in [
        (request("tasks", vec![], "", vec![measure(F::Sum, "subject")]), "measures[0].field"),
        (
            request("tasks", vec![group("type", DateBucket::Month)], "", vec![measure(F::Count, "")]),
            "group_by[0].bucket",
        ),
        (rpb::AggregateRequest { collection: "todos".into(), ..request("tasks", vec![], "", vec![]) }, "collection"),
    ] {
        let e = app.services.aggregate("task", &a, r).await.unwrap_err();
        assert_eq!((e.code(), field_of(&e)), (Code::InvalidArgument, field.to_string()));
    }
    app.services.stop().await;
}

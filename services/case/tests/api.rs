//! The case service over real gRPC on a fresh database (PostgreSQL when
//! PRM_TEST_DATABASE_URL is set, SQLite otherwise), with a real SMTP server
//! on loopback where e-mail matters.

use std::{net::SocketAddr, time::Duration};

use prm_kit::{
    Caller, Role,
    auth::CallerInterceptor,
    mail::MailSettings,
    testing::{TempDir, TestServices, field_of},
};
use prm_proto::{
    case::v1::{self as pb, case_service_client::CaseServiceClient},
    common::v1::{RecordRef, RecordType},
    record::v1::{self as rpb, record_service_client::RecordServiceClient},
};
use prost_types::FieldMask;
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Client = CaseServiceClient<InterceptedService<Channel, CallerInterceptor>>;

struct TestApp {
    addr: SocketAddr,
    services: TestServices,
    _mail_dir: TempDir,
}

impl TestApp {
    /// The case service mailing to `smtp_url`, or to .eml files nobody reads.
    async fn spawn(smtp_url: Option<String>) -> TestApp {
        let mut services = TestServices::new();
        // A mail server that was down is tried again within half a second.
        services.limits.relay_max_backoff_ms = 500;
        let mail_dir = TempDir::new("case-mail").unwrap();
        let mail = MailSettings {
            smtp_url,
            mail_dir: mail_dir.0.clone(),
            public_url: "https://prm.example".into(),
            ..Default::default()
        };
        let addr = services.start_with_mail::<prm_case::CaseService>(mail).await;
        TestApp { addr, services, _mail_dir: mail_dir }
    }

    async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr)).unwrap().connect().await.unwrap()
    }

    async fn client(&self, caller: &Caller) -> Client {
        CaseServiceClient::with_interceptor(self.channel().await, self.services.auth(caller))
    }

    async fn records(&self, caller: &Caller) -> RecordServiceClient<InterceptedService<Channel, CallerInterceptor>> {
        RecordServiceClient::with_interceptor(self.channel().await, self.services.auth(caller))
    }

    async fn stop(self) {
        self.services.stop().await;
    }
}

fn person(role: Role, partner: Option<Uuid>) -> Caller {
    Caller { user_id: Uuid::now_v7(), partner_id: partner, role, assigned_partners: vec![], partner_tier: None }
}

fn partner_user() -> Caller {
    person(Role::PartnerUser, Some(Uuid::now_v7()))
}

fn colleague(of: &Caller, role: Role) -> Caller {
    person(role, of.partner_id)
}

fn agent() -> Caller {
    person(Role::SupportAgent, None)
}

fn who(email: &str, name: &str) -> Option<pb::Person> {
    Some(pb::Person { email: email.into(), display_name: name.into() })
}

async fn open_case(c: &mut Client, subject: &str, email: &str) -> pb::Case {
    c.create_case(pb::CreateCaseRequest {
        case: Some(pb::Case {
            subject: subject.into(),
            description: "Calls drop after 30 seconds.".into(),
            product: pb::CaseProduct::Classound as i32,
            priority: pb::CasePriority::High as i32,
            ..Default::default()
        }),
        submitter: who(email, "Bob Baker"),
        request_id: String::new(),
    })
    .await
    .unwrap()
    .into_inner()
    .case
    .unwrap()
}

async fn move_to(c: &mut Client, id: &str, to: pb::CaseStatus) -> Result<pb::Case, tonic::Status> {
    c.transition_case(pb::TransitionCaseRequest {
        id: id.into(),
        status: to as i32,
        message: String::new(),
        author: who("sam@vendor.example", "Sam Support"),
    })
    .await
    .map(|r| r.into_inner().case.unwrap())
}

async fn comment(c: &mut Client, id: &str, body: &str, internal: bool, author: &str) -> pb::CaseComment {
    c.add_case_comment(pb::AddCaseCommentRequest {
        case_id: id.into(),
        body: body.into(),
        internal,
        author: who(&format!("{}@x.example", author.to_lowercase().replace(' ', ".")), author),
    })
    .await
    .unwrap()
    .into_inner()
    .comment
    .unwrap()
}

async fn assign_to_me(c: &mut Client, id: &str) -> pb::Case {
    c.assign_case(pb::AssignCaseRequest {
        id: id.into(),
        assignee_id: String::new(),
        assignee: who("sam@vendor.example", "Sam Support"),
    })
    .await
    .unwrap()
    .into_inner()
    .case
    .unwrap()
}

async fn thread(c: &mut Client, id: &str) -> Vec<pb::CaseComment> {
    c.list_case_comments(pb::ListCaseCommentsRequest { case_id: id.into(), page_size: 0, page_token: String::new() })
        .await
        .unwrap()
        .into_inner()
        .comments
}

fn status(c: &pb::Case) -> pb::CaseStatus {
    pb::CaseStatus::try_from(c.status).unwrap()
}

#[tokio::test]
async fn cases_are_numbered_and_move_along_the_documented_path_only() {
    use pb::CaseStatus::*;
    let app = TestApp::spawn(None).await;
    let bob = partner_user();
    let mut b = app.client(&bob).await;
    let mut s = app.client(&agent()).await;
    let first = open_case(&mut b, "SIP trunk down", "bob@acme.example").await;
    assert_eq!(first.number, "CS-000001");
    assert_eq!(status(&first), New);
    assert_eq!(first.submitter.as_ref().unwrap().email, "bob@acme.example");
    let id = first.id.clone();

    // The partner does not start work; support does.
    assert_eq!(move_to(&mut b, &id, InProgress).await.unwrap_err().code(), Code::PermissionDenied);
    assert_eq!(status(&move_to(&mut s, &id, InProgress).await.unwrap()), InProgress);
    // Off the path: refused, naming where the case can go.
    let err = move_to(&mut s, &id, Closed).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(err.message().contains("waiting_on_partner or solved"), "{}", err.message());
    assert_eq!(move_to(&mut s, &id, New).await.unwrap_err().code(), Code::FailedPrecondition);

    // in_progress ⇄ waiting_on_partner; the partner's reply hands it back.
    assert_eq!(status(&move_to(&mut s, &id, WaitingOnPartner).await.unwrap()), WaitingOnPartner);
    assert_eq!(move_to(&mut b, &id, Solved).await.unwrap_err().code(), Code::PermissionDenied);
    comment(&mut b, &id, "Here are the logs.", false, "Bob Baker").await;
    let got = b.get_case(pb::GetCaseRequest { id: id.clone() }).await.unwrap().into_inner().case.unwrap();
    assert_eq!(status(&got), InProgress);
    assert_eq!(status(&move_to(&mut s, &id, WaitingOnPartner).await.unwrap()), WaitingOnPartner);
    assert_eq!(status(&move_to(&mut s, &id, InProgress).await.unwrap()), InProgress);
    assert_eq!(status(&move_to(&mut s, &id, Solved).await.unwrap()), Solved);

    // A colleague who did not open it neither reopens nor closes it.
    let mut carl = app.client(&colleague(&bob, Role::PartnerUser)).await;
    assert_eq!(move_to(&mut carl, &id, Closed).await.unwrap_err().code(), Code::PermissionDenied);
    // The submitter reopens a solved case, and closes it once solved again.
    assert_eq!(status(&move_to(&mut b, &id, InProgress).await.unwrap()), InProgress);
    assert_eq!(status(&move_to(&mut s, &id, Solved).await.unwrap()), Solved);
    assert_eq!(status(&move_to(&mut b, &id, Closed).await.unwrap()), Closed);
    // Closed is final.
    let err = move_to(&mut s, &id, InProgress).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(err.message().contains("final"), "{}", err.message());
    let err = b
        .add_case_comment(pb::AddCaseCommentRequest {
            case_id: id.clone(),
            body: "Hello?".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);

    // A partner admin withdraws a new case; support solves one directly.
    let second = open_case(&mut b, "Licence count wrong", "bob@acme.example").await;
    assert_eq!(second.number, "CS-000002");
    let mut alice = app.client(&colleague(&bob, Role::PartnerAdmin)).await;
    assert_eq!(status(&move_to(&mut alice, &second.id, Closed).await.unwrap()), Closed);
    let third = open_case(&mut b, "Headset question", "bob@acme.example").await;
    assert_eq!(status(&move_to(&mut s, &third.id, Solved).await.unwrap()), Solved);

    // Every move is in the case's history.
    let history = app
        .records(&bob)
        .await
        .list_field_changes(rpb::ListFieldChangesRequest {
            record: Some(RecordRef { r#type: RecordType::Case as i32, id: id.clone() }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let moves = history.field_changes.iter().filter(|c| c.field == "status").count();
    assert_eq!(moves, 9, "{:?}", history.field_changes);
    app.stop().await;
}

#[tokio::test]
async fn internal_comments_are_invisible_to_partners() {
    let app = TestApp::spawn(None).await;
    let bob = partner_user();
    let mut b = app.client(&bob).await;
    let sam = agent();
    let mut s = app.client(&sam).await;
    let c = open_case(&mut b, "Phones reboot", "bob@acme.example").await;
    comment(&mut s, &c.id, "Looking into it.", false, "Sam Support").await;
    comment(&mut s, &c.id, "Firmware bug #4411, do not tell them yet.", true, "Sam Support").await;
    comment(&mut b, &c.id, "Thanks!", false, "Bob Baker").await;

    let seen_by_partner = thread(&mut b, &c.id).await;
    assert_eq!(
        seen_by_partner.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["Looking into it.", "Thanks!"],
        "oldest first, no internal comment"
    );
    assert_eq!(seen_by_partner[0].author_name, "Sam Support");
    assert!(seen_by_partner[0].from_support && !seen_by_partner[1].from_support);
    assert!(seen_by_partner[0].create_time.is_some());
    let seen_by_support = thread(&mut s, &c.id).await;
    assert_eq!(seen_by_support.len(), 3);
    assert!(seen_by_support[1].internal);

    // Counts follow what each side sees, in the case and in lists.
    for (client, expected) in [(&mut b, 2), (&mut s, 3)] {
        let got = client.get_case(pb::GetCaseRequest { id: c.id.clone() }).await.unwrap().into_inner().case.unwrap();
        assert_eq!(got.comment_count, expected);
    }
    let listed = b.list_cases(pb::ListCasesRequest::default()).await.unwrap().into_inner().cases;
    assert_eq!(listed[0].comment_count, 2);
    // An account manager of the partner reads the case, not support's notes.
    let am = Caller { assigned_partners: vec![bob.partner_id.unwrap()], ..person(Role::AccountManager, None) };
    let mut m = app.client(&am).await;
    assert_eq!(thread(&mut m, &c.id).await.len(), 2);

    // Partners neither write internal comments, nor do account managers comment.
    let err = b
        .add_case_comment(pb::AddCaseCommentRequest {
            case_id: c.id.clone(),
            body: "psst".into(),
            internal: true,
            author: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let err = m
        .add_case_comment(pb::AddCaseCommentRequest { case_id: c.id.clone(), body: "hi".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    app.stop().await;
}

#[tokio::test]
async fn an_agent_reply_mails_the_submitter_once_with_a_link_and_internal_comments_are_not_mailed() {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn(Some(smtp.url())).await;
    let bob = partner_user();
    let mut b = app.client(&bob).await;
    let mut s = app.client(&agent()).await;
    let c = open_case(&mut b, "SIP trunk down", "bob@acme.example").await;
    comment(&mut s, &c.id, "Internal: check the SBC first.", true, "Sam Support").await;
    comment(&mut s, &c.id, "Please restart the SBC and tell us.", false, "Sam Support").await;

    let messages = smtp.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let messages = if smtp.messages().len() > messages.len() { smtp.messages() } else { messages };
    assert_eq!(messages.len(), 1, "exactly one message: {messages:?}");
    let m = &messages[0];
    assert_eq!(m["envelope_to"], "bob@acme.example");
    assert!(m["to"].as_str().unwrap().contains("Bob Baker"), "{m}");
    assert!(m["subject"].as_str().unwrap().contains("CS-000001"), "{m}");
    let body = m["body"].as_str().unwrap();
    assert!(body.contains("Please restart the SBC and tell us."), "{body}");
    assert!(body.contains(&format!("https://prm.example/cases/{}", c.id)), "{body}");
    assert!(!body.contains("check the SBC first"), "{body}");

    // Asking a question (waiting_on_partner) is mailed too, with the question.
    s.transition_case(pb::TransitionCaseRequest {
        id: c.id.clone(),
        status: pb::CaseStatus::WaitingOnPartner as i32,
        message: "Which firmware do the phones run?".into(),
        author: who("sam@vendor.example", "Sam Support"),
    })
    .await
    .unwrap();
    let messages = smtp.wait_for(2).await;
    assert!(messages[1]["subject"].as_str().unwrap().contains("Waiting on you"), "{}", messages[1]);
    assert!(messages[1]["body"].as_str().unwrap().contains("Which firmware"), "{}", messages[1]);
    assert_eq!(thread(&mut b, &c.id).await.len(), 2, "the question is in the thread");
    app.stop().await;
}

#[tokio::test]
async fn a_partner_reply_mails_the_assigned_agent_and_nobody_while_unassigned() {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn(Some(smtp.url())).await;
    let bob = partner_user();
    let mut b = app.client(&bob).await;
    let sam = agent();
    let mut s = app.client(&sam).await;
    let c = open_case(&mut b, "Porting numbers", "bob@acme.example").await;
    comment(&mut b, &c.id, "Any news?", false, "Bob Baker").await;
    let assigned = assign_to_me(&mut s, &c.id).await;
    assert_eq!(assigned.assignee_id, sam.user_id.to_string());
    assert_eq!(assigned.assignee.as_ref().unwrap().display_name, "Sam Support");
    comment(&mut b, &c.id, "The porting date is 1 March.", false, "Bob Baker").await;
    let messages = smtp.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let messages = if smtp.messages().len() > messages.len() { smtp.messages() } else { messages };
    assert_eq!(messages.len(), 1, "only the reply after assignment: {messages:?}");
    assert_eq!(messages[0]["envelope_to"], "sam@vendor.example");
    assert!(messages[0]["body"].as_str().unwrap().contains("The porting date is 1 March."));
    assert!(messages[0]["body"].as_str().unwrap().contains(&format!("/cases/{}", c.id)));

    // Only support assigns.
    let err = b
        .assign_case(pb::AssignCaseRequest { id: c.id.clone(), assignee_id: String::new(), assignee: None })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let err = b
        .assign_case(pb::AssignCaseRequest {
            id: c.id.clone(),
            assignee_id: bob.user_id.to_string(),
            assignee: who("bob@acme.example", "Bob"),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    app.stop().await;
}

#[tokio::test]
async fn the_mail_goes_out_after_the_smtp_server_was_down_when_the_reply_was_posted() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = TestApp::spawn(Some(format!("smtp://127.0.0.1:{port}"))).await;
    let mut b = app.client(&partner_user()).await;
    let mut s = app.client(&agent()).await;
    let c = open_case(&mut b, "Fax gateway", "bob@acme.example").await;
    // Nobody listens on the port: the reply still succeeds.
    let reply = comment(&mut s, &c.id, "Fixed on our side, please retry.", false, "Sam Support").await;
    assert_eq!(reply.body, "Fixed on our side, please retry.");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // The mail server comes up on that port; the relay's retry delivers.
    let smtp = SmtpSink::start_on(port);
    let messages = smtp.wait_for(1).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["envelope_to"], "bob@acme.example");
    assert!(messages[0]["body"].as_str().unwrap().contains("Fixed on our side"));
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(smtp.messages().len(), 1, "delivered once");
    app.stop().await;
}

#[tokio::test]
async fn tenancy_holds_on_every_rpc_and_support_sees_every_case() {
    let app = TestApp::spawn(None).await;
    let bob = partner_user();
    let mut b = app.client(&bob).await;
    let carol = partner_user();
    let mut c = app.client(&carol).await;
    let mine = open_case(&mut b, "Acme trunk", "bob@acme.example").await;
    let theirs = open_case(&mut c, "Borealis trunk", "carol@borealis.example").await;
    let id = theirs.id.clone();

    let nf = |r: Result<(), tonic::Status>, what: &str| {
        assert_eq!(r.unwrap_err().code(), Code::NotFound, "{what}");
    };
    nf(b.get_case(pb::GetCaseRequest { id: id.clone() }).await.map(|_| ()), "get");
    nf(
        b.update_case(pb::UpdateCaseRequest {
            case: Some(pb::Case { id: id.clone(), subject: "x".into(), ..Default::default() }),
            update_mask: Some(FieldMask { paths: vec!["subject".into()] }),
        })
        .await
        .map(|_| ()),
        "update",
    );
    nf(move_to(&mut b, &id, pb::CaseStatus::Closed).await.map(|_| ()), "transition");
    nf(
        b.assign_case(pb::AssignCaseRequest {
            id: id.clone(),
            assignee_id: bob.user_id.to_string(),
            assignee: who("bob@acme.example", "Bob"),
        })
        .await
        .map(|_| ()),
        "assign",
    );
    nf(
        b.list_case_comments(pb::ListCaseCommentsRequest { case_id: id.clone(), ..Default::default() })
            .await
            .map(|_| ()),
        "list comments",
    );
    nf(
        b.add_case_comment(pb::AddCaseCommentRequest { case_id: id.clone(), body: "hi".into(), ..Default::default() })
            .await
            .map(|_| ()),
        "add comment",
    );
    let record = Some(RecordRef { r#type: RecordType::Case as i32, id: id.clone() });
    nf(
        app.records(&bob)
            .await
            .create_note(rpb::CreateNoteRequest { record: record.clone(), body: "x".into() })
            .await
            .map(|_| ()),
        "note",
    );
    nf(app.records(&bob).await.follow_record(rpb::FollowRecordRequest { record }).await.map(|_| ()), "follow");
    let listed = b.list_cases(pb::ListCasesRequest::default()).await.unwrap().into_inner().cases;
    assert_eq!(listed.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [mine.id.as_str()]);
    let hits = b.search(pb::SearchRequest { query: "trunk".into(), page_size: 0 }).await.unwrap().into_inner().hits;
    assert_eq!(hits.len(), 1);

    // Support sees both partners' cases, and finds them by number or subject.
    let mut s = app.client(&agent()).await;
    let all = s.list_cases(pb::ListCasesRequest::default()).await.unwrap().into_inner().cases;
    assert_eq!(all.len(), 2);
    s.get_case(pb::GetCaseRequest { id: id.clone() }).await.unwrap();
    let hits = s.search(pb::SearchRequest { query: "cs-000002".into(), page_size: 0 }).await.unwrap().into_inner().hits;
    assert_eq!(hits[0].record.as_ref().unwrap().id, id);
    let filtered = s
        .list_cases(pb::ListCasesRequest {
            filter: format!("partner_id = {} AND status = new", carol.partner_id.unwrap()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .cases;
    assert_eq!(filtered.len(), 1);
    // An account manager sees the assigned partner's cases only.
    let am = Caller { assigned_partners: vec![bob.partner_id.unwrap()], ..person(Role::AccountManager, None) };
    let seen = app.client(&am).await.list_cases(pb::ListCasesRequest::default()).await.unwrap().into_inner().cases;
    assert_eq!(seen.len(), 1);
    // Support opens no cases: they come from partners.
    let err = open_case_err(&mut s).await;
    assert_eq!(err.code(), Code::PermissionDenied);
    app.stop().await;
}

async fn open_case_err(c: &mut Client) -> tonic::Status {
    c.create_case(pb::CreateCaseRequest {
        case: Some(pb::Case {
            subject: "x".into(),
            description: "y".into(),
            product: pb::CaseProduct::Other as i32,
            ..Default::default()
        }),
        submitter: who("sam@vendor.example", "Sam"),
        request_id: String::new(),
    })
    .await
    .unwrap_err()
}

#[tokio::test]
async fn the_partner_edits_an_open_case_support_triages_and_retries_answer_the_first_case() {
    let app = TestApp::spawn(None).await;
    let bob = partner_user();
    let mut b = app.client(&bob).await;
    let mut s = app.client(&agent()).await;
    let c = open_case(&mut b, "Typo in subjet", "bob@acme.example").await;
    let upd = |id: &str, case: pb::Case, paths: &[&str]| pb::UpdateCaseRequest {
        case: Some(pb::Case { id: id.into(), ..case }),
        update_mask: Some(FieldMask { paths: paths.iter().map(|p| p.to_string()).collect() }),
    };
    let fixed = b
        .update_case(upd(&c.id, pb::Case { subject: "Typo in subject".into(), ..Default::default() }, &["subject"]))
        .await
        .unwrap()
        .into_inner()
        .case
        .unwrap();
    assert_eq!(fixed.subject, "Typo in subject");
    assert_eq!(fixed.description, c.description, "fields outside the mask stay");
    let triaged = s
        .update_case(upd(
            &c.id,
            pb::Case { priority: pb::CasePriority::Urgent as i32, ..Default::default() },
            &["priority"],
        ))
        .await
        .unwrap()
        .into_inner()
        .case
        .unwrap();
    assert_eq!(triaged.priority, pb::CasePriority::Urgent as i32);
    let err = s
        .update_case(upd(&c.id, pb::Case { subject: "Mine now".into(), ..Default::default() }, &["subject"]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    move_to(&mut s, &c.id, pb::CaseStatus::Solved).await.unwrap();
    let err = b
        .update_case(upd(&c.id, pb::Case { subject: "Late".into(), ..Default::default() }, &["subject"]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);

    // A retried create with the same request_id answers the first case.
    let req = pb::CreateCaseRequest {
        case: Some(pb::Case {
            subject: "Once".into(),
            description: "Only once".into(),
            product: pb::CaseProduct::Hwaas as i32,
            ..Default::default()
        }),
        submitter: who("bob@acme.example", "Bob Baker"),
        request_id: "2f1e1c3c-retry".into(),
    };
    let first = b.create_case(req.clone()).await.unwrap().into_inner().case.unwrap();
    let again = b.create_case(req).await.unwrap().into_inner().case.unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(first.priority, pb::CasePriority::Medium as i32, "medium unless chosen");
    app.stop().await;
}

#[tokio::test]
async fn bad_input_names_the_field() {
    let app = TestApp::spawn(None).await;
    let mut b = app.client(&partner_user()).await;
    let base = pb::Case {
        subject: "S".into(),
        description: "D".into(),
        product: pb::CaseProduct::Licenses as i32,
        ..Default::default()
    };
    let create = |case: pb::Case, submitter: Option<pb::Person>| pb::CreateCaseRequest {
        case: Some(case),
        submitter,
        request_id: String::new(),
    };
    let field = |r: Result<tonic::Response<pb::CreateCaseResponse>, tonic::Status>| {
        let e = r.unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
        field_of(&e)
    };
    let me = || who("bob@acme.example", "Bob");
    assert_eq!(
        field(b.create_case(create(pb::Case { subject: " ".into(), ..base.clone() }, me())).await),
        "case.subject"
    );
    assert_eq!(
        field(b.create_case(create(pb::Case { description: String::new(), ..base.clone() }, me())).await),
        "case.description"
    );
    assert_eq!(field(b.create_case(create(pb::Case { product: 0, ..base.clone() }, me())).await), "case.product");
    assert_eq!(field(b.create_case(create(pb::Case { priority: 99, ..base.clone() }, me())).await), "case.priority");
    assert_eq!(field(b.create_case(create(base.clone(), None)).await), "submitter.email");
    assert_eq!(field(b.create_case(create(base.clone(), who("not-an-address", "Bob"))).await), "submitter.email");
    let c = b.create_case(create(base, me())).await.unwrap().into_inner().case.unwrap();

    let e = b.get_case(pb::GetCaseRequest { id: "nope".into() }).await.unwrap_err();
    assert_eq!((e.code(), field_of(&e)), (Code::InvalidArgument, "id".into()));
    let e = b
        .add_case_comment(pb::AddCaseCommentRequest { case_id: c.id.clone(), body: "  ".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "body");
    let e = b
        .transition_case(pb::TransitionCaseRequest { id: c.id.clone(), status: 0, ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "status");
    let e = b
        .update_case(pb::UpdateCaseRequest {
            case: Some(pb::Case { id: c.id.clone(), ..Default::default() }),
            update_mask: Some(FieldMask { paths: vec!["status".into()] }),
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "update_mask");
    let e =
        b.list_cases(pb::ListCasesRequest { filter: "colour = red".into(), ..Default::default() }).await.unwrap_err();
    assert_eq!(field_of(&e), "filter");
    let e = b.search(pb::SearchRequest { query: "x".into(), page_size: 0 }).await.unwrap_err();
    assert_eq!(field_of(&e), "query");
    app.stop().await;
}

/// A real SMTP server (aiosmtpd, the quote service's test script) on a
/// loopback port, writing what it receives into a directory.
struct SmtpSink {
    port: u16,
    dir: TempDir,
    child: std::process::Child,
}

const SMTP_SINK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../quote/tests/smtp_sink.py");
const READ_MAIL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../quote/tests/read_mail.py");

impl SmtpSink {
    fn start() -> SmtpSink {
        // The probe listener closes before the server binds the port.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        SmtpSink::start_on(port)
    }

    fn start_on(port: u16) -> SmtpSink {
        use std::io::BufRead;
        let dir = TempDir::new("smtp").unwrap();
        let mut child = std::process::Command::new("python3")
            .arg(SMTP_SINK)
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

    /// The messages received so far, parsed, in the order they arrived.
    fn messages(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir.0)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort_by_key(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok());
        files
            .iter()
            .map(|f| {
                let out = std::process::Command::new("python3").arg(READ_MAIL).arg(f).output().unwrap();
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                serde_json::from_slice(&out.stdout).unwrap()
            })
            .collect()
    }

    /// Waits (up to 15 s) until `n` messages arrived; the relay sends them.
    async fn wait_for(&self, n: usize) -> Vec<serde_json::Value> {
        for _ in 0..150 {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{n} messages expected, {} arrived", self.messages().len());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! The account service over real gRPC, against a fresh database per test
//! (PostgreSQL when PRM_TEST_DATABASE_URL is set, SQLite otherwise).

use prm_account::AccountService;
use prm_kit::{
    Caller, Role,
    auth::{CallerInterceptor, InternalKey},
    testing::{TestServices, field_of},
};
use prm_proto::{
    account::v1::{self as pb, account_service_client::AccountServiceClient},
    common::v1::{Address, RecordRef, RecordType},
    record::v1::{self as rpb, record_service_client::RecordServiceClient},
};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Client = AccountServiceClient<InterceptedService<Channel, CallerInterceptor>>;
type Records = RecordServiceClient<InterceptedService<Channel, CallerInterceptor>>;

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

    async fn channel(&self) -> Channel {
        self.services.channel("account").await
    }

    async fn client(&self, caller: &Caller) -> Client {
        AccountServiceClient::with_interceptor(self.channel().await, self.services.auth(caller))
    }

    async fn records(&self, caller: &Caller) -> Records {
        RecordServiceClient::with_interceptor(self.channel().await, self.services.auth(caller))
    }

    async fn stop(self) {
        self.services.stop().await;
    }
}

fn person(role: Role, partner: Option<Uuid>) -> Caller {
    Caller { user_id: Uuid::now_v7(), partner_id: partner, role, assigned_partners: vec![], partner_tier: None }
}

fn account(name: &str) -> pb::Account {
    pb::Account {
        name: name.into(),
        r#type: pb::AccountType::Prospect as i32,
        phone: "+49 30 1234 567".into(),
        website: "acme.example".into(),
        billing_address: Some(Address { city: "Berlin".into(), country: "DE".into(), ..Default::default() }),
        ..Default::default()
    }
}

async fn create(client: &mut Client, name: &str) -> pb::Account {
    client
        .create_account(pb::CreateAccountRequest { account: Some(account(name)), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap()
}

#[tokio::test]
async fn create_read_update_delete_an_account() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.client(&alice).await;
    let a = create(&mut c, "Acme Telecom").await;
    assert_eq!(a.owner_id, alice.user_id.to_string());
    assert_eq!(a.partner_id, alice.partner_id.unwrap().to_string());
    assert_eq!(a.website, "https://acme.example");

    let got = c.get_account(pb::GetAccountRequest { id: a.id.clone() }).await.unwrap().into_inner().account.unwrap();
    assert_eq!(got, a);

    let updated = c
        .update_account(pb::UpdateAccountRequest {
            account: Some(pb::Account {
                id: a.id.clone(),
                name: "Acme Corp".into(),
                phone: "".into(),
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask { paths: vec!["name".into()] }),
        })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap();
    assert_eq!(updated.name, "Acme Corp");
    assert_eq!(updated.phone, a.phone, "fields outside the mask stay");

    c.delete_account(pb::DeleteAccountRequest { id: a.id.clone() }).await.unwrap();
    let err = c.get_account(pb::GetAccountRequest { id: a.id }).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    app.stop().await;
}

#[tokio::test]
async fn field_history_holds_old_and_new_values() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.client(&alice).await;
    let a = create(&mut c, "Acme").await;
    c.update_account(pb::UpdateAccountRequest {
        account: Some(pb::Account { id: a.id.clone(), r#type: pb::AccountType::Customer as i32, ..Default::default() }),
        update_mask: Some(prost_types::FieldMask { paths: vec!["type".into()] }),
    })
    .await
    .unwrap();
    let history = app
        .records(&alice)
        .await
        .list_field_changes(rpb::ListFieldChangesRequest {
            record: Some(RecordRef { r#type: RecordType::Account as i32, id: a.id.clone() }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .field_changes;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].field, "type");
    assert_eq!(history[0].old_value, "prospect");
    assert_eq!(history[0].new_value, "customer");
    assert_eq!(history[0].changed_by, alice.user_id.to_string());
    app.stop().await;
}

#[tokio::test]
async fn another_partner_cannot_see_or_touch_an_account() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerAdmin, Some(Uuid::now_v7()));
    let carol = person(Role::PartnerAdmin, Some(Uuid::now_v7()));
    let a = create(&mut app.client(&alice).await, "Acme").await;
    let mut c = app.client(&carol).await;
    let record = Some(RecordRef { r#type: RecordType::Account as i32, id: a.id.clone() });

    assert_eq!(c.get_account(pb::GetAccountRequest { id: a.id.clone() }).await.unwrap_err().code(), Code::NotFound);
    let listed = c.list_accounts(pb::ListAccountsRequest::default()).await.unwrap().into_inner().accounts;
    assert!(listed.is_empty());
    let upd = c
        .update_account(pb::UpdateAccountRequest {
            account: Some(pb::Account { id: a.id.clone(), name: "Mine".into(), ..Default::default() }),
            update_mask: Some(prost_types::FieldMask { paths: vec!["name".into()] }),
        })
        .await
        .unwrap_err();
    assert_eq!(upd.code(), Code::NotFound);
    assert_eq!(
        c.delete_account(pb::DeleteAccountRequest { id: a.id.clone() }).await.unwrap_err().code(),
        Code::NotFound
    );
    let own = c
        .change_account_owner(pb::ChangeAccountOwnerRequest {
            id: a.id.clone(),
            new_owner_id: carol.user_id.to_string(),
        })
        .await
        .unwrap_err();
    assert_eq!(own.code(), Code::NotFound);
    let mut r = app.records(&carol).await;
    let note = r.create_note(rpb::CreateNoteRequest { record: record.clone(), body: "hi".into() }).await.unwrap_err();
    assert_eq!(note.code(), Code::NotFound);
    let follow = r.follow_record(rpb::FollowRecordRequest { record: record.clone() }).await.unwrap_err();
    assert_eq!(follow.code(), Code::NotFound);
    let search = c.search(pb::SearchRequest { query: "acme".into(), page_size: 0 }).await.unwrap().into_inner().hits;
    assert!(search.is_empty());

    // Nothing changed for the owner.
    let still = app.client(&alice).await.get_account(pb::GetAccountRequest { id: a.id }).await.unwrap().into_inner();
    assert_eq!(still.account.unwrap().name, "Acme");
    app.stop().await;
}

#[tokio::test]
async fn account_managers_read_assigned_partners_only_and_cannot_edit() {
    let app = TestApp::spawn().await;
    let (acme, borealis) = (Uuid::now_v7(), Uuid::now_v7());
    let a = create(&mut app.client(&person(Role::PartnerUser, Some(acme))).await, "Acme customer").await;
    let b = create(&mut app.client(&person(Role::PartnerUser, Some(borealis))).await, "Borealis customer").await;
    let maria = Caller { assigned_partners: vec![acme], ..person(Role::AccountManager, None) };
    let mut c = app.client(&maria).await;
    assert!(c.get_account(pb::GetAccountRequest { id: a.id.clone() }).await.is_ok());
    assert_eq!(c.get_account(pb::GetAccountRequest { id: b.id.clone() }).await.unwrap_err().code(), Code::NotFound);
    let listed = c.list_accounts(pb::ListAccountsRequest::default()).await.unwrap().into_inner().accounts;
    assert_eq!(listed.iter().map(|x| x.id.clone()).collect::<Vec<_>>(), vec![a.id.clone()]);
    let err = c
        .update_account(pb::UpdateAccountRequest {
            account: Some(pb::Account { id: a.id.clone(), name: "X".into(), ..Default::default() }),
            update_mask: Some(prost_types::FieldMask { paths: vec!["name".into()] }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let err = c
        .create_account(pb::CreateAccountRequest { account: Some(account("X")), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    // An account manager may comment.
    let record = Some(RecordRef { r#type: RecordType::Account as i32, id: a.id });
    app.records(&maria).await.create_note(rpb::CreateNoteRequest { record, body: "Looks good".into() }).await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn partner_users_edit_only_their_own_records() {
    let app = TestApp::spawn().await;
    let acme = Uuid::now_v7();
    let alice = person(Role::PartnerAdmin, Some(acme));
    let bob = person(Role::PartnerUser, Some(acme));
    let a = create(&mut app.client(&alice).await, "Alice's").await;
    let mut bc = app.client(&bob).await;
    assert!(bc.get_account(pb::GetAccountRequest { id: a.id.clone() }).await.is_ok(), "colleagues see it");
    let err = bc.delete_account(pb::DeleteAccountRequest { id: a.id.clone() }).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let err = bc
        .change_account_owner(pb::ChangeAccountOwnerRequest { id: a.id.clone(), new_owner_id: bob.user_id.to_string() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    // The admin hands it over; then Bob may edit it.
    let moved = app
        .client(&alice)
        .await
        .change_account_owner(pb::ChangeAccountOwnerRequest { id: a.id.clone(), new_owner_id: bob.user_id.to_string() })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap();
    assert_eq!(moved.owner_id, bob.user_id.to_string());
    bc.update_account(pb::UpdateAccountRequest {
        account: Some(pb::Account { id: a.id.clone(), industry: "Telecom".into(), ..Default::default() }),
        update_mask: Some(prost_types::FieldMask { paths: vec!["industry".into()] }),
    })
    .await
    .unwrap();
    app.stop().await;
}

#[tokio::test]
async fn bad_input_names_the_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.client(&alice).await;
    let cases: Vec<(pb::Account, &str)> = vec![
        (pb::Account { name: "".into(), ..Default::default() }, "name"),
        (pb::Account { name: "x".repeat(256), ..Default::default() }, "name"),
        (pb::Account { name: "A".into(), phone: "call me".into(), ..Default::default() }, "phone"),
        (pb::Account { name: "A".into(), website: "not a site".into(), ..Default::default() }, "website"),
        (pb::Account { name: "A".into(), r#type: 42, ..Default::default() }, "type"),
        (
            pb::Account {
                name: "A".into(),
                billing_address: Some(Address { city: "c".repeat(101), ..Default::default() }),
                ..Default::default()
            },
            "billing_address.city",
        ),
    ];
    for (a, field) in cases {
        let err =
            c.create_account(pb::CreateAccountRequest { account: Some(a), ..Default::default() }).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert_eq!(field_of(&err), field);
    }
    let a = create(&mut c, "Acme").await;
    let err = c
        .update_account(pb::UpdateAccountRequest {
            account: Some(pb::Account { id: a.id.clone(), name: "B".into(), ..Default::default() }),
            update_mask: Some(prost_types::FieldMask { paths: vec!["name".into(), "owner_id".into()] }),
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), "update_mask");
    let err = c
        .create_contact(pb::CreateContactRequest {
            contact: Some(pb::Contact {
                account_id: a.id.clone(),
                last_name: "Doe".into(),
                email: "doe@".into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), "email");
    let listed = c.list_accounts(pb::ListAccountsRequest::default()).await.unwrap().into_inner().accounts;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Acme");
    let contacts = c.list_contacts(pb::ListContactsRequest::default()).await.unwrap().into_inner().contacts;
    assert!(contacts.is_empty());
    let err = c.get_account(pb::GetAccountRequest { id: "42".into() }).await.unwrap_err();
    assert_eq!(field_of(&err), "id");
    app.stop().await;
}

#[tokio::test]
async fn paging_neither_skips_nor_repeats_while_rows_are_inserted() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.client(&alice).await;
    let mut expected = Vec::new();
    for i in 0..25 {
        expected.push(create(&mut c, &format!("Account {i:02}")).await.id);
    }
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut inserted = 0;
    loop {
        let page = c
            .list_accounts(pb::ListAccountsRequest {
                page_size: 7,
                page_token: token.clone(),
                order_by: "name".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        seen.extend(page.accounts.iter().map(|a| a.id.clone()));
        // Rows sorting before and after the cursor arrive between pages.
        create(&mut c, &format!("Account {inserted:02}a")).await;
        create(&mut c, "AAA first").await;
        inserted += 1;
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    for id in &expected {
        assert_eq!(seen.iter().filter(|s| *s == id).count(), 1, "every original row exactly once");
    }
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no row repeated");
    app.stop().await;
}

#[tokio::test]
async fn lists_filter_and_sort() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.client(&alice).await;
    for name in ["Charlie", "alpha", "Bravo"] {
        create(&mut c, name).await;
    }
    let names = |r: pb::ListAccountsResponse| r.accounts.into_iter().map(|a| a.name).collect::<Vec<_>>();
    let r = c
        .list_accounts(pb::ListAccountsRequest { order_by: "name desc".into(), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(names(r), vec!["Charlie", "Bravo", "alpha"], "case-insensitive");
    let r = c
        .list_accounts(pb::ListAccountsRequest { filter: "name : \"AR\"".into(), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(names(r), vec!["Charlie"]);
    let r = c
        .list_accounts(pb::ListAccountsRequest { filter: "type = customer".into(), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert!(r.accounts.is_empty());
    for (filter, order_by) in [("planet = mars", ""), ("type = alien", ""), ("", "password"), ("", "name sideways")] {
        let err = c
            .list_accounts(pb::ListAccountsRequest {
                filter: filter.into(),
                order_by: order_by.into(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{filter} {order_by}");
        assert_eq!(field_of(&err), if filter.is_empty() { "order_by" } else { "filter" });
    }
    app.stop().await;
}

#[tokio::test]
async fn contacts_belong_to_an_account_of_the_same_partner() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let carol = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let a = create(&mut app.client(&alice).await, "Acme").await;
    let mut cc = app.client(&carol).await;
    let err = cc
        .create_contact(pb::CreateContactRequest {
            contact: Some(pb::Contact { account_id: a.id.clone(), last_name: "Spy".into(), ..Default::default() }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), "account_id");
    let mut ac = app.client(&alice).await;
    let contact = ac
        .create_contact(pb::CreateContactRequest {
            contact: Some(pb::Contact {
                account_id: a.id.clone(),
                first_name: "Ann".into(),
                last_name: "Lee".into(),
                email: "ann.lee@acme.example".into(),
                phone: "(030) 555-0199".into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .contact
        .unwrap();
    assert_eq!(
        cc.get_contact(pb::GetContactRequest { id: contact.id.clone() }).await.unwrap_err().code(),
        Code::NotFound
    );
    // Search finds the contact by partial e-mail and by a phone in another format.
    for q in ["ann.lee@", "0305550199", "030 555 0199"] {
        let hits = ac.search(pb::SearchRequest { query: q.into(), page_size: 0 }).await.unwrap().into_inner().hits;
        assert!(hits.iter().any(|h| h.record.as_ref().unwrap().id == contact.id), "{q}");
    }
    // An account with contacts is not deleted; the refusal says why.
    let err = ac.delete_account(pb::DeleteAccountRequest { id: a.id.clone() }).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(err.message().contains("1 contact"), "{}", err.message());
    ac.delete_contact(pb::DeleteContactRequest { id: contact.id.clone() }).await.unwrap();
    ac.delete_account(pb::DeleteAccountRequest { id: a.id }).await.unwrap();
    assert_eq!(ac.get_contact(pb::GetContactRequest { id: contact.id }).await.unwrap_err().code(), Code::NotFound);
    app.stop().await;
}

#[tokio::test]
async fn attachments_are_checked_and_kept_exactly() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let a = create(&mut app.client(&alice).await, "Acme").await;
    let record = Some(RecordRef { r#type: RecordType::Account as i32, id: a.id.clone() });
    let mut r = app.records(&alice).await;
    let content = b"%PDF-1.4 contract".to_vec();
    let att = r
        .create_attachment(rpb::CreateAttachmentRequest {
            record: record.clone(),
            file_name: "contract.pdf".into(),
            content_type: "application/pdf".into(),
            content: content.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .attachment
        .unwrap();
    assert_eq!(att.size_bytes, content.len() as i64);
    assert_eq!(att.sha256.len(), 64);
    let got = r
        .get_attachment(rpb::GetAttachmentRequest { record: record.clone(), attachment_id: att.id.clone() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.content, content);
    let big = vec![0u8; prm_kit::record::MAX_ATTACHMENT_BYTES + 1];
    let err = r
        .create_attachment(rpb::CreateAttachmentRequest {
            record: record.clone(),
            file_name: "big.bin".into(),
            content_type: "application/octet-stream".into(),
            content: big,
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), "content");
    let err = r
        .create_attachment(rpb::CreateAttachmentRequest {
            record: record.clone(),
            file_name: "../etc/passwd".into(),
            content_type: "text/plain".into(),
            content: b"x".to_vec(),
        })
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), "file_name");
    let listed =
        r.list_attachments(rpb::ListAttachmentsRequest { record, ..Default::default() }).await.unwrap().into_inner();
    assert_eq!(listed.attachments.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_call_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let mut c = AccountServiceClient::new(app.channel().await);
    let err = c.list_accounts(pb::ListAccountsRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    // A token signed with another key is refused too.
    let other = InternalKey::new(b"not-the-key");
    let mut c = AccountServiceClient::with_interceptor(
        app.channel().await,
        CallerInterceptor::new(&other, &person(Role::VendorAdmin, None)).unwrap(),
    );
    assert_eq!(c.list_accounts(pb::ListAccountsRequest::default()).await.unwrap_err().code(), Code::Unauthenticated);
    app.stop().await;
}

#[tokio::test]
async fn health_reports_serving() {
    let app = TestApp::spawn().await;
    let mut h = tonic_health::pb::health_client::HealthClient::new(app.channel().await);
    for service in ["", "prm.account.v1.AccountService"] {
        let r = h.check(tonic_health::pb::HealthCheckRequest { service: service.into() }).await.unwrap().into_inner();
        assert_eq!(r.status, tonic_health::pb::health_check_response::ServingStatus::Serving as i32);
    }
    app.stop().await;
}

#[tokio::test]
async fn a_create_with_a_chosen_id_is_made_once_and_retries_answer_it() {
    let app = TestApp::spawn().await;
    let acme = Uuid::now_v7();
    let alice = person(Role::PartnerUser, Some(acme));
    let bob = person(Role::PartnerUser, Some(acme));
    let mut c = app.client(&alice).await;
    let (account_id, contact_id) = (Uuid::now_v7().to_string(), Uuid::now_v7().to_string());
    let mut made = Vec::new();
    for name in ["Acme", "Acme (retried)"] {
        let a = c
            .create_account(pb::CreateAccountRequest { account: Some(account(name)), account_id: account_id.clone() })
            .await
            .unwrap()
            .into_inner()
            .account
            .unwrap();
        made.push(a);
    }
    assert_eq!(made[0].id, account_id);
    assert_eq!(made[1], made[0], "the retry answers the first account, unchanged");
    // A colleague retrying (e.g. a recovery acting for the same partner) gets it too.
    let again = app
        .client(&bob)
        .await
        .create_account(pb::CreateAccountRequest { account: Some(account("Other")), account_id: account_id.clone() })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap();
    assert_eq!(again.id, account_id);
    for _ in 0..2 {
        let contact = c
            .create_contact(pb::CreateContactRequest {
                contact: Some(pb::Contact {
                    account_id: account_id.clone(),
                    last_name: "Lee".into(),
                    ..Default::default()
                }),
                contact_id: contact_id.clone(),
            })
            .await
            .unwrap()
            .into_inner()
            .contact
            .unwrap();
        assert_eq!(contact.id, contact_id);
    }
    assert_eq!(c.list_accounts(pb::ListAccountsRequest::default()).await.unwrap().into_inner().accounts.len(), 1);
    assert_eq!(c.list_contacts(pb::ListContactsRequest::default()).await.unwrap().into_inner().contacts.len(), 1);

    // Another partner choosing a taken id learns nothing about the record.
    let carol = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut cc = app.client(&carol).await;
    let err = cc
        .create_account(pb::CreateAccountRequest { account: Some(account("Mine")), account_id: account_id.clone() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert!(!err.message().contains("Acme"));
    let own = cc.create_account(pb::CreateAccountRequest { account: Some(account("Mine")), ..Default::default() });
    let own = own.await.unwrap().into_inner().account.unwrap();
    let err = cc
        .create_contact(pb::CreateContactRequest {
            contact: Some(pb::Contact { account_id: own.id.clone(), last_name: "Spy".into(), ..Default::default() }),
            contact_id: contact_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    let listed = cc.list_accounts(pb::ListAccountsRequest::default()).await.unwrap().into_inner().accounts;
    assert_eq!(listed.len(), 1);
    assert!(cc.list_contacts(pb::ListContactsRequest::default()).await.unwrap().into_inner().contacts.is_empty());

    // A chosen id must be an id.
    let err = c
        .create_account(pb::CreateAccountRequest { account: Some(account("X")), account_id: "42".into() })
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), "account_id");
    app.stop().await;
}

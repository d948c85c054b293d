//! The lead service over real gRPC, against a fresh database per test
//! (PostgreSQL when PRM_TEST_DATABASE_URL is set, SQLite otherwise), with
//! the account service (and the project service, or a closed port in its
//! place) it converts leads into.

use prm_kit::{
    Caller, Role,
    auth::CallerInterceptor,
    testing::{TestServices, field_of},
};
use prm_lead::{
    LeadService,
    convert::Converter,
    store::{conversion, lead as lead_row},
};
use prm_proto::{
    account::v1::{self as apb, account_service_client::AccountServiceClient},
    common::v1::{Address, RecordRef, RecordType},
    lead::v1::{self as pb, lead_service_client::LeadServiceClient},
    project::v1::{self as ppb, project_service_client::ProjectServiceClient},
    record::v1::{self as rpb, record_service_client::RecordServiceClient},
};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use uuid::Uuid;

type Leads = LeadServiceClient<InterceptedService<Channel, CallerInterceptor>>;
type Accounts = AccountServiceClient<InterceptedService<Channel, CallerInterceptor>>;

struct TestApp {
    services: TestServices,
}

impl TestApp {
    /// Leads and accounts; to the lead service the project service's address
    /// is a closed port (the account service asks a real one, empty, before
    /// an account is deleted).
    async fn spawn() -> TestApp {
        let mut services = TestServices::new();
        services.start::<prm_account::AccountService>().await;
        services.start::<prm_project::ProjectService>().await;
        services.point("project", closed_port());
        services.start::<LeadService>().await;
        TestApp { services }
    }

    /// Leads, accounts and the real project service (with the quote service it prices from).
    async fn spawn_with_projects() -> TestApp {
        let mut services = TestServices::new();
        services.start::<prm_account::AccountService>().await;
        services.start::<prm_quote::QuoteService>().await;
        services.start::<prm_project::ProjectService>().await;
        services.start::<LeadService>().await;
        TestApp { services }
    }

    async fn leads(&self, caller: &Caller) -> Leads {
        LeadServiceClient::with_interceptor(self.services.channel("lead").await, self.services.auth(caller))
    }

    async fn accounts(&self, caller: &Caller) -> Accounts {
        AccountServiceClient::with_interceptor(self.services.channel("account").await, self.services.auth(caller))
    }

    async fn records(&self, caller: &Caller) -> RecordServiceClient<InterceptedService<Channel, CallerInterceptor>> {
        RecordServiceClient::with_interceptor(self.services.channel("lead").await, self.services.auth(caller))
    }

    /// What the lead service itself runs, over its database, for recovery tests.
    async fn converter(&self) -> (Converter, sea_orm::DatabaseConnection) {
        let db = prm_kit::db::connect(&self.services.database_url("lead")).await.unwrap();
        let project = Channel::from_shared(format!("http://{}", self.services.addr("project"))).unwrap().connect_lazy();
        let c = Converter::new(db.clone(), self.services.channel("account").await, project, self.services.key.clone());
        (c, db)
    }

    async fn stop(self) {
        self.services.stop().await;
    }
}

/// An address where nothing listens.
fn closed_port() -> std::net::SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

fn person(role: Role, partner: Option<Uuid>) -> Caller {
    Caller { user_id: Uuid::now_v7(), partner_id: partner, role, assigned_partners: vec![], partner_tier: None }
}

fn lead(company: &str, last_name: &str, email: &str, phone: &str) -> pb::Lead {
    pb::Lead {
        company: company.into(),
        first_name: "Ann".into(),
        last_name: last_name.into(),
        title: "CTO".into(),
        email: email.into(),
        phone: phone.into(),
        address: Some(Address { city: "Berlin".into(), country: "DE".into(), ..Default::default() }),
        source: pb::LeadSource::Web as i32,
        estimated_users: 40,
        interested_solutions: vec![pb::Solution::Licenses as i32, pb::Solution::Classound as i32],
        description: "Wants phones for the new office".into(),
        ..Default::default()
    }
}

async fn create(c: &mut Leads, l: pb::Lead) -> (pb::Lead, Vec<pb::Lead>) {
    let r = c.create_lead(pb::CreateLeadRequest { lead: Some(l) }).await.unwrap().into_inner();
    (r.lead.unwrap(), r.duplicates)
}

async fn globex(c: &mut Leads) -> pb::Lead {
    create(c, lead("Globex", "Lee", "ann.lee@globex.example", "+49 30 1234567")).await.0
}

fn mask(paths: &[&str]) -> Option<prost_types::FieldMask> {
    Some(prost_types::FieldMask { paths: paths.iter().map(|p| p.to_string()).collect() })
}

async fn set_status(c: &mut Leads, id: &str, status: pb::LeadStatus) -> Result<pb::Lead, tonic::Status> {
    c.update_lead(pb::UpdateLeadRequest {
        lead: Some(pb::Lead { id: id.into(), status: status as i32, ..Default::default() }),
        update_mask: mask(&["status"]),
    })
    .await
    .map(|r| r.into_inner().lead.unwrap())
}

async fn qualified(c: &mut Leads) -> pb::Lead {
    let l = globex(c).await;
    set_status(c, &l.id, pb::LeadStatus::Working).await.unwrap();
    set_status(c, &l.id, pb::LeadStatus::Qualified).await.unwrap()
}

async fn get(c: &mut Leads, id: &str) -> Result<pb::Lead, tonic::Status> {
    c.get_lead(pb::GetLeadRequest { id: id.into() }).await.map(|r| r.into_inner().lead.unwrap())
}

async fn convert(c: &mut Leads, id: &str, project: bool) -> Result<pb::Lead, tonic::Status> {
    c.convert_lead(pb::ConvertLeadRequest { id: id.into(), create_project: project, ..Default::default() })
        .await
        .map(|r| r.into_inner().lead.unwrap())
}

async fn account_count(a: &mut Accounts) -> (usize, usize) {
    let accounts = a.list_accounts(apb::ListAccountsRequest::default()).await.unwrap().into_inner().accounts;
    let contacts = a.list_contacts(apb::ListContactsRequest::default()).await.unwrap().into_inner().contacts;
    (accounts.len(), contacts.len())
}

#[tokio::test]
async fn create_read_update_delete_a_lead() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.leads(&alice).await;
    let (l, dups) = create(&mut c, lead("Globex", "Lee", "Ann.Lee@Globex.EXAMPLE", "+49 30 1234567")).await;
    assert!(dups.is_empty());
    assert_eq!(l.owner_id, alice.user_id.to_string());
    assert_eq!(l.partner_id, alice.partner_id.unwrap().to_string());
    assert_eq!(l.status, pb::LeadStatus::New as i32);
    assert_eq!(l.email, "Ann.Lee@globex.example");
    assert_eq!(l.interested_solutions, vec![pb::Solution::Licenses as i32, pb::Solution::Classound as i32]);
    assert_eq!(l.acceptance_state, pb::AcceptanceState::Unspecified as i32);
    assert_eq!(get(&mut c, &l.id).await.unwrap(), l);

    let updated = c
        .update_lead(pb::UpdateLeadRequest {
            lead: Some(pb::Lead {
                id: l.id.clone(),
                company: "Globex Corp".into(),
                estimated_users: 55,
                phone: String::new(),
                address: Some(Address { city: "Hamburg".into(), ..Default::default() }),
                ..Default::default()
            }),
            update_mask: mask(&["company", "estimated_users", "address.city"]),
        })
        .await
        .unwrap()
        .into_inner()
        .lead
        .unwrap();
    assert_eq!((updated.company.as_str(), updated.estimated_users), ("Globex Corp", 55));
    assert_eq!(updated.phone, l.phone, "fields outside the mask stay");
    assert_eq!(updated.address.as_ref().unwrap().city, "Hamburg");
    assert_eq!(updated.address.as_ref().unwrap().country, "DE");

    let history = app
        .records(&alice)
        .await
        .list_field_changes(rpb::ListFieldChangesRequest {
            record: Some(RecordRef { r#type: RecordType::Lead as i32, id: l.id.clone() }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .field_changes;
    let mut fields: Vec<_> = history.iter().map(|h| h.field.as_str()).collect();
    fields.sort();
    assert_eq!(fields, vec!["address", "company", "estimated_users"]);

    c.delete_lead(pb::DeleteLeadRequest { id: l.id.clone() }).await.unwrap();
    assert_eq!(get(&mut c, &l.id).await.unwrap_err().code(), Code::NotFound);
    app.stop().await;
}

#[tokio::test]
async fn every_status_move_is_allowed_or_refused_as_the_domain_says() {
    use pb::LeadStatus::*;
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.leads(&alice).await;
    let paths: [(pb::LeadStatus, &[pb::LeadStatus]); 5] = [
        (New, &[]),
        (Working, &[Working]),
        (Nurturing, &[Working, Nurturing]),
        (Qualified, &[Working, Qualified]),
        (Unqualified, &[Working, Unqualified]),
    ];
    let allowed = [
        (New, Working),
        (Working, Nurturing),
        (Working, Qualified),
        (Working, Unqualified),
        (Nurturing, Working),
        (Nurturing, Qualified),
        (Nurturing, Unqualified),
        (Qualified, Working),
        (Unqualified, Working),
    ];
    for (from, path) in paths {
        for to in [New, Working, Nurturing, Qualified, Unqualified, Converted] {
            let l = globex(&mut c).await;
            for s in path {
                set_status(&mut c, &l.id, *s).await.unwrap();
            }
            let r = set_status(&mut c, &l.id, to).await;
            if from == to || allowed.contains(&(from, to)) {
                assert_eq!(r.unwrap().status, to as i32, "{from:?} → {to:?}");
            } else {
                let err = r.unwrap_err();
                if to == Converted {
                    assert_eq!((err.code(), field_of(&err).as_str()), (Code::InvalidArgument, "status"));
                } else {
                    assert_eq!(err.code(), Code::FailedPrecondition, "{from:?} → {to:?}");
                }
                assert_eq!(get(&mut c, &l.id).await.unwrap().status, from as i32, "a refused move changes nothing");
            }
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn vendor_leads_are_distributed_accepted_or_rejected_back_into_the_pool() {
    let app = TestApp::spawn().await;
    let (acme, borealis) = (Uuid::now_v7(), Uuid::now_v7());
    let victor = person(Role::VendorAdmin, None);
    let alice = person(Role::PartnerAdmin, Some(acme));
    let bob = person(Role::PartnerUser, Some(acme));
    let carol = person(Role::PartnerAdmin, Some(borealis));
    let maria = Caller { assigned_partners: vec![acme], ..person(Role::AccountManager, None) };
    let mut v = app.leads(&victor).await;
    let (mut a, mut b, mut cc) = (app.leads(&alice).await, app.leads(&bob).await, app.leads(&carol).await);

    // The vendor's pool: the vendor's alone.
    let pooled = globex(&mut v).await;
    assert_eq!(pooled.partner_id, "");
    for c in [&mut a, &mut b, &mut cc, &mut app.leads(&maria).await] {
        assert_eq!(get(c, &pooled.id).await.unwrap_err().code(), Code::NotFound);
        assert!(c.list_leads(pb::ListLeadsRequest::default()).await.unwrap().into_inner().leads.is_empty());
    }
    let edited = set_status(&mut v, &pooled.id, pb::LeadStatus::Working).await.unwrap();
    assert_eq!(edited.status, pb::LeadStatus::Working as i32, "vendor admins work their pool");

    // Distributed to Acme: pending, visible there, read-only.
    let distribute =
        |id: &str, partner: Uuid| pb::DistributeLeadRequest { id: id.into(), partner_id: partner.to_string() };
    let pending = v.distribute_lead(distribute(&pooled.id, acme)).await.unwrap().into_inner().lead.unwrap();
    assert_eq!(pending.partner_id, acme.to_string());
    assert_eq!(pending.source, pb::LeadSource::VendorDistributed as i32);
    assert_eq!(pending.acceptance_state, pb::AcceptanceState::Pending as i32);
    assert!(pending.distribute_time.is_some());
    assert_eq!(get(&mut b, &pooled.id).await.unwrap().id, pooled.id, "the partner's people see it");
    assert_eq!(get(&mut app.leads(&maria).await, &pooled.id).await.unwrap().id, pooled.id);
    assert_eq!(get(&mut cc, &pooled.id).await.unwrap_err().code(), Code::NotFound);
    let err = set_status(&mut a, &pooled.id, pb::LeadStatus::Nurturing).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "pending leads are read-only");
    let err = a.delete_lead(pb::DeleteLeadRequest { id: pooled.id.clone() }).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let err = v.distribute_lead(distribute(&pooled.id, borealis)).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "only a pool lead is distributed");
    let err = b.accept_lead(pb::AcceptLeadRequest { id: pooled.id.clone() }).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "a partner admin decides");
    let err = cc.accept_lead(pb::AcceptLeadRequest { id: pooled.id.clone() }).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);

    // Accepted: Acme's lead, owned by the admin who took it.
    let accepted = a.accept_lead(pb::AcceptLeadRequest { id: pooled.id.clone() }).await.unwrap().into_inner();
    let accepted = accepted.lead.unwrap();
    assert_eq!(accepted.acceptance_state, pb::AcceptanceState::Accepted as i32);
    assert_eq!(accepted.owner_id, alice.user_id.to_string());
    set_status(&mut a, &pooled.id, pb::LeadStatus::Nurturing).await.unwrap();
    let err = a.accept_lead(pb::AcceptLeadRequest { id: pooled.id.clone() }).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "decided once");

    // Rejected: back in the pool, gone for Acme, with the reason for the vendor.
    let second = globex(&mut v).await;
    v.distribute_lead(distribute(&second.id, acme)).await.unwrap();
    let err = a.reject_lead(pb::RejectLeadRequest { id: second.id.clone(), reason: " ".into() }).await.unwrap_err();
    assert_eq!(field_of(&err), "reason");
    let reason = "Outside our region";
    let rejected = a.reject_lead(pb::RejectLeadRequest { id: second.id.clone(), reason: reason.into() }).await;
    let rejected = rejected.unwrap().into_inner().lead.unwrap();
    assert_eq!(rejected.partner_id, "");
    assert_eq!(get(&mut a, &second.id).await.unwrap_err().code(), Code::NotFound);
    assert_eq!(get(&mut b, &second.id).await.unwrap_err().code(), Code::NotFound);
    let seen = get(&mut v, &second.id).await.unwrap();
    assert_eq!(seen.acceptance_state, pb::AcceptanceState::Rejected as i32);
    assert_eq!(seen.reject_reason, reason);
    assert_eq!(seen.distributed_partner_id, acme.to_string());
    let listed = a.list_leads(pb::ListLeadsRequest::default()).await.unwrap().into_inner().leads;
    assert_eq!(listed.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), vec![pooled.id.as_str()]);
    let pool = v
        .list_leads(pb::ListLeadsRequest { filter: "acceptance_state = rejected".into(), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .leads;
    assert_eq!(pool.len(), 1);

    // The vendor offers it to another partner.
    v.distribute_lead(distribute(&second.id, borealis)).await.unwrap();
    assert_eq!(get(&mut cc, &second.id).await.unwrap().acceptance_state, pb::AcceptanceState::Pending as i32);
    // Partners neither distribute nor create in the pool.
    let err = a.distribute_lead(distribute(&pooled.id, borealis)).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    app.stop().await;
}

async fn find(c: &mut Leads, email: &str, company: &str, phone: &str) -> Result<Vec<String>, tonic::Status> {
    c.find_duplicate_leads(pb::FindDuplicateLeadsRequest {
        email: email.into(),
        company: company.into(),
        phone: phone.into(),
    })
    .await
    .map(|r| r.into_inner().duplicates.into_iter().map(|l| l.id).collect())
}

/// Before a lead is saved, what it would duplicate is found by the rule a
/// created lead comes back with, in the caller's scope, and nothing is saved.
#[tokio::test]
async fn duplicates_are_found_before_a_lead_is_saved() {
    let app = TestApp::spawn().await;
    let acme = Uuid::now_v7();
    let alice = person(Role::PartnerUser, Some(acme));
    let carol = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut a = app.leads(&alice).await;
    let first = create(&mut a, lead("Globex  Corp", "Lee", "ann.lee@globex.example", "+49 30 1234567")).await.0;
    let listed =
        async |c: &mut Leads| c.list_leads(pb::ListLeadsRequest::default()).await.unwrap().into_inner().leads.len();
    let before = listed(&mut a).await;
    for (email, company, phone) in [
        (" ANN.lee@Globex.example ", "", ""),
        ("", "globex corp", "+49 (30) 123-45 67"),
        ("nobody@else.example", "GLOBEX CORP", "49-30-1234567"),
    ] {
        assert_eq!(
            find(&mut a, email, company, phone).await.unwrap(),
            std::slice::from_ref(&first.id),
            "{email} {company} {phone}"
        );
    }
    for (email, company, phone) in
        [("", "", ""), ("", "Globex Corp", ""), ("", "", "+49 30 1234567"), ("", "Umbrella", "+49 30 1234567")]
    {
        assert!(find(&mut a, email, company, phone).await.unwrap().is_empty(), "{company} {phone}");
    }
    // Another partner's leads are not in its scope.
    let mut c = app.leads(&carol).await;
    assert!(find(&mut c, "ann.lee@globex.example", "Globex Corp", "+49 30 1234567").await.unwrap().is_empty());
    // Too long is bad input naming the field.
    let e = find(&mut a, &format!("{}@x.example", "a".repeat(260)), "", "").await.unwrap_err();
    assert_eq!((e.code(), field_of(&e).as_str()), (Code::InvalidArgument, "email"));
    assert_eq!(listed(&mut a).await, before, "nothing saved");
    app.stop().await;
}

#[tokio::test]
async fn likely_duplicates_come_with_a_new_lead_within_the_callers_scope() {
    let app = TestApp::spawn().await;
    let acme = Uuid::now_v7();
    let (alice, bob) = (person(Role::PartnerUser, Some(acme)), person(Role::PartnerUser, Some(acme)));
    let carol = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut a = app.leads(&alice).await;
    let first = create(&mut a, lead("Globex  Corp", "Lee", "ann.lee@globex.example", "+49 30 1234567")).await.0;
    let ids = |d: Vec<pb::Lead>| d.into_iter().map(|l| l.id).collect::<Vec<_>>();

    // The same e-mail in another case, by a colleague.
    let mut b = app.leads(&bob).await;
    let (by_email, dups) = create(&mut b, lead("Initech", "Lee", "ANN.LEE@Globex.example", "")).await;
    assert_eq!(ids(dups), vec![first.id.clone()]);
    // The same company (any case and spacing) and phone digits (any formatting).
    let (_, dups) = create(&mut b, lead("globex corp", "Other", "", "+49 (30) 123-45 67")).await;
    assert_eq!(ids(dups), vec![first.id.clone()]);
    // The same company with another phone, or the same phone at another company, is no duplicate.
    let (_, dups) = create(&mut b, lead("Globex Corp", "Other", "", "+49 40 999999")).await;
    assert!(dups.is_empty());
    let (_, dups) = create(&mut b, lead("Umbrella", "Other", "", "+49 30 1234567")).await;
    assert!(dups.is_empty());
    // An e-mail matches every earlier lead with it.
    let (_, dups) = create(&mut a, lead("X", "Y", "ann.lee@globex.example", "")).await;
    let mut got = ids(dups);
    got.sort();
    let mut want = vec![first.id.clone(), by_email.id.clone()];
    want.sort();
    assert_eq!(got, want);
    // Another partner's leads are not in its scope.
    let (_, dups) =
        create(&mut app.leads(&carol).await, lead("Globex Corp", "Lee", "ann.lee@globex.example", "+49 30 1234567"))
            .await;
    assert!(dups.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_qualified_lead_converts_into_an_account_and_a_contact_once() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.leads(&alice).await;
    let mut accounts = app.accounts(&alice).await;
    let l = qualified(&mut c).await;
    let converted = convert(&mut c, &l.id, false).await.unwrap();
    assert_eq!(converted.status, pb::LeadStatus::Converted as i32);
    assert!(converted.convert_time.is_some());
    assert_eq!(converted.converted_project_id, "");
    let account = accounts
        .get_account(apb::GetAccountRequest { id: converted.converted_account_id.clone() })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap();
    assert_eq!((account.name.as_str(), account.phone.as_str()), ("Globex", "+49 30 1234567"));
    assert_eq!(account.owner_id, alice.user_id.to_string());
    assert_eq!(account.billing_address.unwrap().city, "Berlin");
    let contact = accounts
        .get_contact(apb::GetContactRequest { id: converted.converted_contact_id.clone() })
        .await
        .unwrap()
        .into_inner()
        .contact
        .unwrap();
    assert_eq!(contact.account_id, account.id);
    assert_eq!((contact.first_name.as_str(), contact.last_name.as_str()), ("Ann", "Lee"));
    assert_eq!(contact.email, "ann.lee@globex.example");

    // Repeating the call answers the same conversion and makes nothing new.
    let again = convert(&mut c, &l.id, true).await.unwrap();
    assert_eq!(again.converted_account_id, converted.converted_account_id);
    assert_eq!(again.converted_contact_id, converted.converted_contact_id);
    assert_eq!(account_count(&mut accounts).await, (1, 1));

    // A converted lead no longer changes.
    let err = set_status(&mut c, &l.id, pb::LeadStatus::Working).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let err = c
        .update_lead(pb::UpdateLeadRequest {
            lead: Some(pb::Lead { id: l.id.clone(), company: "Other".into(), ..Default::default() }),
            update_mask: mask(&["company"]),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let err = c.delete_lead(pb::DeleteLeadRequest { id: l.id.clone() }).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let admin = person(Role::PartnerAdmin, alice.partner_id);
    let err = app
        .leads(&admin)
        .await
        .change_lead_owner(pb::ChangeLeadOwnerRequest { id: l.id.clone(), new_owner_id: admin.user_id.to_string() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let history = app
        .records(&alice)
        .await
        .list_field_changes(rpb::ListFieldChangesRequest {
            record: Some(RecordRef { r#type: RecordType::Lead as i32, id: l.id.clone() }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .field_changes;
    assert!(history.iter().any(|h| h.field == "status" && h.new_value == "converted"));
    app.stop().await;
}

#[tokio::test]
async fn only_a_qualified_lead_converts() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.leads(&alice).await;
    let l = globex(&mut c).await;
    for status in [None, Some(pb::LeadStatus::Working), Some(pb::LeadStatus::Unqualified)] {
        if let Some(s) = status {
            set_status(&mut c, &l.id, s).await.unwrap();
        }
        let err = convert(&mut c, &l.id, false).await.unwrap_err();
        assert_eq!(err.code(), Code::FailedPrecondition, "{status:?}");
    }
    assert_eq!(account_count(&mut app.accounts(&alice).await).await, (0, 0));
    // A colleague who does not own it may not convert it either.
    set_status(&mut c, &l.id, pb::LeadStatus::Working).await.unwrap();
    set_status(&mut c, &l.id, pb::LeadStatus::Qualified).await.unwrap();
    let bob = person(Role::PartnerUser, alice.partner_id);
    let err = convert(&mut app.leads(&bob).await, &l.id, false).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    app.stop().await;
}

#[tokio::test]
async fn a_conversion_whose_project_step_fails_leaves_no_account_or_contact_behind() {
    let app = TestApp::spawn().await; // the project service is a closed port
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.leads(&alice).await;
    let mut accounts = app.accounts(&alice).await;
    let l = qualified(&mut c).await;
    let err = convert(&mut c, &l.id, true).await.unwrap_err();
    assert_eq!(err.code(), Code::Unavailable, "{err:?}");
    assert_eq!(account_count(&mut accounts).await, (0, 0), "the account and its contact are undone");
    let still = get(&mut c, &l.id).await.unwrap();
    assert_eq!(still.status, pb::LeadStatus::Qualified as i32);
    assert_eq!(still.converted_account_id, "");
    // Nothing is left in the way of a conversion without a project.
    let converted = convert(&mut c, &l.id, false).await.unwrap();
    assert_eq!(converted.status, pb::LeadStatus::Converted as i32);
    assert_eq!(account_count(&mut accounts).await, (1, 1));
    app.stop().await;
}

#[tokio::test]
async fn a_qualified_lead_converts_with_a_project_once() {
    let app = TestApp::spawn_with_projects().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.leads(&alice).await;
    let l = qualified(&mut c).await;
    let converted = c
        .convert_lead(pb::ConvertLeadRequest {
            id: l.id.clone(),
            create_project: true,
            project_close_date: prm_kit::testing::days_from_today(120),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .lead
        .unwrap();
    assert_ne!(converted.converted_project_id, "");
    let mut projects =
        ProjectServiceClient::with_interceptor(app.services.channel("project").await, app.services.auth(&alice));
    let project = projects
        .get_project(ppb::GetProjectRequest { id: converted.converted_project_id.clone() })
        .await
        .unwrap()
        .into_inner()
        .project
        .unwrap();
    assert_eq!(project.account_id, converted.converted_account_id);
    assert_eq!((project.name.as_str(), project.total_users), ("Globex", 40));
    assert_eq!(project.close_date, prm_kit::testing::days_from_today(120));
    assert_eq!(project.record_type, ppb::RecordType::NewBusiness as i32);
    assert_eq!(project.interested_solutions, vec![ppb::Solution::Licenses as i32, ppb::Solution::Classound as i32]);

    let again = convert(&mut c, &l.id, true).await.unwrap();
    assert_eq!(again.converted_project_id, converted.converted_project_id);
    let listed = projects.list_projects(ppb::ListProjectsRequest::default()).await.unwrap().into_inner().projects;
    assert_eq!(listed.len(), 1);
    assert_eq!(account_count(&mut app.accounts(&alice).await).await, (1, 1));
    app.stop().await;
}

/// A conversion row as a crash leaves it: written, lease run out, nothing finished.
fn left_behind(lead: &pb::Lead, caller: &Caller, project: bool, attempts: i32) -> conversion::Model {
    let now = prm_kit::time::now();
    conversion::Model {
        lead_id: lead.id.parse().unwrap(),
        partner_id: caller.partner_id.unwrap(),
        state: "converting".into(),
        account_id: Uuid::now_v7(),
        contact_id: Uuid::now_v7(),
        project_id: project.then(Uuid::now_v7),
        project_name: if project { "Globex".into() } else { String::new() },
        project_record_type: if project { "new_business".into() } else { String::new() },
        project_close_date: if project { prm_kit::testing::days_from_today(120) } else { String::new() },
        caller: serde_json::to_string(caller).unwrap(),
        undo_project: false,
        attempts,
        last_error: String::new(),
        lease_until: now - chrono::Duration::seconds(1),
        create_time: now,
        update_time: now,
    }
}

#[tokio::test]
async fn recovery_finishes_a_conversion_a_crash_left_half_done() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.leads(&alice).await;
    let mut accounts = app.accounts(&alice).await;
    let l = qualified(&mut c).await;
    let (converter, db) = app.converter().await;
    let conv = left_behind(&l, &alice, false, 0);
    conv.clone().into_active_model().reset_all().insert(&db).await.unwrap();
    // The account step ran before the crash.
    accounts
        .create_account(apb::CreateAccountRequest {
            account: Some(apb::Account { name: "Globex".into(), ..Default::default() }),
            account_id: conv.account_id.to_string(),
        })
        .await
        .unwrap();
    assert_eq!(converter.recover_once().await.unwrap(), 1);
    let done = get(&mut c, &l.id).await.unwrap();
    assert_eq!(done.status, pb::LeadStatus::Converted as i32);
    assert_eq!(done.converted_account_id, conv.account_id.to_string());
    assert_eq!(done.converted_contact_id, conv.contact_id.to_string());
    assert_eq!(account_count(&mut accounts).await, (1, 1), "the account made before the crash is the one linked");
    assert_eq!(converter.recover_once().await.unwrap(), 0, "nothing left");
    let row = conversion::Entity::find_by_id(conv.lead_id).one(&db).await.unwrap().unwrap();
    assert_eq!(row.state, "done");
    app.stop().await;
}

#[tokio::test]
async fn a_retry_carries_on_the_conversion_a_crash_left_behind() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.leads(&alice).await;
    let l = qualified(&mut c).await;
    let (_, db) = app.converter().await;
    let conv = left_behind(&l, &alice, false, 0);
    conv.clone().into_active_model().reset_all().insert(&db).await.unwrap();
    let converted = convert(&mut c, &l.id, false).await.unwrap();
    assert_eq!(converted.converted_account_id, conv.account_id.to_string(), "the ids chosen the first time");
    assert_eq!(account_count(&mut app.accounts(&alice).await).await, (1, 1));
    app.stop().await;
}

#[tokio::test]
async fn recovery_undoes_a_conversion_that_cannot_be_finished() {
    let app = TestApp::spawn().await; // the project service is a closed port
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.leads(&alice).await;
    let mut accounts = app.accounts(&alice).await;
    let l = qualified(&mut c).await;
    let (converter, db) = app.converter().await;
    // Its last allowed try: the project service is still down, so it is undone.
    let conv = left_behind(&l, &alice, true, 19);
    conv.clone().into_active_model().reset_all().insert(&db).await.unwrap();
    accounts
        .create_account(apb::CreateAccountRequest {
            account: Some(apb::Account { name: "Globex".into(), ..Default::default() }),
            account_id: conv.account_id.to_string(),
        })
        .await
        .unwrap();
    assert_eq!(converter.recover_once().await.unwrap(), 1);
    assert_eq!(account_count(&mut accounts).await, (0, 0), "the account and its contact are gone");
    assert!(conversion::Entity::find_by_id(conv.lead_id).one(&db).await.unwrap().is_none());
    let lead = lead_row::Entity::find_by_id(conv.lead_id).one(&db).await.unwrap().unwrap();
    assert_eq!(lead.status, "qualified");
    // A conversion still short of its tries waits for the project service instead.
    let l2 = qualified(&mut c).await;
    let conv = left_behind(&l2, &alice, true, 0);
    conv.clone().into_active_model().reset_all().insert(&db).await.unwrap();
    assert_eq!(converter.recover_once().await.unwrap(), 0);
    let row = conversion::Entity::find_by_id(conv.lead_id).one(&db).await.unwrap().unwrap();
    assert_eq!((row.state.as_str(), row.attempts), ("converting", 1));
    assert!(row.lease_until > prm_kit::time::now(), "backs off before the next try");
    let err = convert(&mut c, &l2.id, true).await.unwrap_err();
    assert_eq!(err.code(), Code::Aborted, "in progress: not started twice");
    let err = set_status(&mut c, &l2.id, pb::LeadStatus::Working).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "nor edited meanwhile");
    app.stop().await;
}

fn nf<T>(r: Result<tonic::Response<T>, tonic::Status>, what: &str) {
    assert_eq!(r.map(|_| ()).unwrap_err().code(), Code::NotFound, "{what}");
}

#[tokio::test]
async fn another_partners_lead_does_not_exist_for_any_rpc() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerAdmin, Some(Uuid::now_v7()));
    let carol = person(Role::PartnerAdmin, Some(Uuid::now_v7()));
    let mut a = app.leads(&alice).await;
    let l = qualified(&mut a).await;
    let mut c = app.leads(&carol).await;
    nf(c.get_lead(pb::GetLeadRequest { id: l.id.clone() }).await, "get");
    nf(
        c.update_lead(pb::UpdateLeadRequest {
            lead: Some(pb::Lead { id: l.id.clone(), company: "Mine".into(), ..Default::default() }),
            update_mask: mask(&["company"]),
        })
        .await,
        "update",
    );
    nf(c.delete_lead(pb::DeleteLeadRequest { id: l.id.clone() }).await, "delete");
    nf(
        c.change_lead_owner(pb::ChangeLeadOwnerRequest { id: l.id.clone(), new_owner_id: carol.user_id.to_string() })
            .await,
        "change owner",
    );
    nf(c.accept_lead(pb::AcceptLeadRequest { id: l.id.clone() }).await, "accept");
    nf(c.reject_lead(pb::RejectLeadRequest { id: l.id.clone(), reason: "no".into() }).await, "reject");
    nf(c.convert_lead(pb::ConvertLeadRequest { id: l.id.clone(), ..Default::default() }).await, "convert");
    assert!(c.list_leads(pb::ListLeadsRequest::default()).await.unwrap().into_inner().leads.is_empty());
    let hits = c.search(pb::SearchRequest { query: "globex".into(), page_size: 0 }).await.unwrap().into_inner().hits;
    assert!(hits.is_empty());
    let record = Some(RecordRef { r#type: RecordType::Lead as i32, id: l.id.clone() });
    let mut r = app.records(&carol).await;
    nf(r.create_note(rpb::CreateNoteRequest { record: record.clone(), body: "hi".into() }).await, "note");
    nf(r.follow_record(rpb::FollowRecordRequest { record }).await, "follow");
    // Support agents see no leads either.
    let sam = person(Role::SupportAgent, None);
    nf(app.leads(&sam).await.get_lead(pb::GetLeadRequest { id: l.id.clone() }).await, "support agent");
    // Nothing changed for the owner.
    assert_eq!(get(&mut a, &l.id).await.unwrap().company, "Globex");
    app.stop().await;
}

#[tokio::test]
async fn bad_input_names_the_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.leads(&alice).await;
    let ok = || lead("Globex", "Lee", "", "");
    let cases: Vec<(pb::Lead, &str)> = vec![
        (pb::Lead { company: " ".into(), ..ok() }, "company"),
        (pb::Lead { last_name: "".into(), ..ok() }, "last_name"),
        (pb::Lead { company: "x".repeat(256), ..ok() }, "company"),
        (pb::Lead { email: "ann@".into(), ..ok() }, "email"),
        (pb::Lead { phone: "call me".into(), ..ok() }, "phone"),
        (pb::Lead { estimated_users: -1, ..ok() }, "estimated_users"),
        (pb::Lead { source: 42, ..ok() }, "source"),
        (pb::Lead { source: pb::LeadSource::VendorDistributed as i32, ..ok() }, "source"),
        (pb::Lead { status: pb::LeadStatus::Qualified as i32, ..ok() }, "status"),
        (pb::Lead { interested_solutions: vec![9], ..ok() }, "interested_solutions"),
        (pb::Lead { address: Some(Address { city: "c".repeat(101), ..Default::default() }), ..ok() }, "address.city"),
    ];
    for (l, field) in cases {
        let err = c.create_lead(pb::CreateLeadRequest { lead: Some(l) }).await.unwrap_err();
        assert_eq!((err.code(), field_of(&err).as_str()), (Code::InvalidArgument, field));
    }
    let l = globex(&mut c).await;
    let update = |lead: pb::Lead, paths: &[&str]| pb::UpdateLeadRequest { lead: Some(lead), update_mask: mask(paths) };
    for (req, field) in [
        (update(pb::Lead { id: l.id.clone(), ..Default::default() }, &["owner_id"]), "update_mask"),
        (update(pb::Lead { id: l.id.clone(), ..Default::default() }, &[]), "update_mask"),
        (update(pb::Lead { id: l.id.clone(), ..Default::default() }, &["status"]), "status"),
        (update(pb::Lead { id: l.id.clone(), ..Default::default() }, &["company"]), "company"),
        (update(pb::Lead { id: "42".into(), ..Default::default() }, &["company"]), "id"),
    ] {
        let err = c.update_lead(req).await.unwrap_err();
        assert_eq!((err.code(), field_of(&err).as_str()), (Code::InvalidArgument, field));
    }
    set_status(&mut c, &l.id, pb::LeadStatus::Working).await.unwrap();
    set_status(&mut c, &l.id, pb::LeadStatus::Qualified).await.unwrap();
    for (req, field) in [
        (
            pb::ConvertLeadRequest {
                id: l.id.clone(),
                create_project: true,
                project_close_date: "31.03.2027".into(),
                ..Default::default()
            },
            "project_close_date",
        ),
        (
            pb::ConvertLeadRequest {
                id: l.id.clone(),
                create_project: true,
                project_record_type: 7,
                ..Default::default()
            },
            "project_record_type",
        ),
        (pb::ConvertLeadRequest { id: "".into(), ..Default::default() }, "id"),
    ] {
        let err = c.convert_lead(req).await.unwrap_err();
        assert_eq!((err.code(), field_of(&err).as_str()), (Code::InvalidArgument, field));
    }
    let victor = person(Role::VendorAdmin, None);
    let err = app
        .leads(&victor)
        .await
        .distribute_lead(pb::DistributeLeadRequest { id: l.id.clone(), partner_id: "acme".into() })
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), "partner_id");
    for (filter, order_by, field) in
        [("planet = mars", "", "filter"), ("status = done", "", "filter"), ("", "password", "order_by")]
    {
        let err = c
            .list_leads(pb::ListLeadsRequest { filter: filter.into(), order_by: order_by.into(), ..Default::default() })
            .await
            .unwrap_err();
        assert_eq!(field_of(&err), field);
    }
    let listed = c.list_leads(pb::ListLeadsRequest::default()).await.unwrap().into_inner().leads;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status, pb::LeadStatus::Qualified as i32);
    assert_eq!(account_count(&mut app.accounts(&alice).await).await, (0, 0));
    app.stop().await;
}

#[tokio::test]
async fn search_finds_leads_by_name_company_email_and_phone_in_any_format() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.leads(&alice).await;
    let l = globex(&mut c).await;
    create(&mut c, lead("Initech", "Smith", "bob@initech.example", "+1 555 0100")).await;
    for q in ["globex", "GLOB", "ann.lee@", "Lee", "30 1234567", "(30) 123-4567"] {
        let hits = c.search(pb::SearchRequest { query: q.into(), page_size: 0 }).await.unwrap().into_inner().hits;
        assert_eq!(hits.len(), 1, "{q}");
        assert_eq!(hits[0].record.as_ref().unwrap().id, l.id, "{q}");
        assert_eq!(hits[0].record.as_ref().unwrap().r#type, RecordType::Lead as i32);
    }
    let err = c.search(pb::SearchRequest { query: "g".into(), page_size: 0 }).await.unwrap_err();
    assert_eq!(field_of(&err), "query");
    app.stop().await;
}

#[tokio::test]
async fn lists_filter_sort_and_page() {
    let app = TestApp::spawn().await;
    let alice = person(Role::PartnerUser, Some(Uuid::now_v7()));
    let mut c = app.leads(&alice).await;
    for company in ["Charlie", "alpha", "Bravo"] {
        create(&mut c, lead(company, "Lee", "", "")).await;
    }
    let q = qualified(&mut c).await;
    let names = |r: pb::ListLeadsResponse| r.leads.into_iter().map(|l| l.company).collect::<Vec<_>>();
    let r = c.list_leads(pb::ListLeadsRequest { order_by: "company".into(), ..Default::default() }).await.unwrap();
    assert_eq!(names(r.into_inner()), vec!["alpha", "Bravo", "Charlie", "Globex"]);
    let r = c.list_leads(pb::ListLeadsRequest { filter: "status = qualified".into(), ..Default::default() }).await;
    assert_eq!(r.unwrap().into_inner().leads.iter().map(|l| l.id.clone()).collect::<Vec<_>>(), vec![q.id]);
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let page = c
            .list_leads(pb::ListLeadsRequest {
                page_size: 3,
                page_token: token,
                order_by: "company desc".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        seen.extend(page.leads.into_iter().map(|l| l.company));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen, vec!["Globex", "Charlie", "Bravo", "alpha"]);
    app.stop().await;
}

#[tokio::test]
async fn health_reports_serving() {
    let app = TestApp::spawn().await;
    let mut h = tonic_health::pb::health_client::HealthClient::new(app.services.channel("lead").await);
    for service in ["", "prm.lead.v1.LeadService", "prm.record.v1.RecordService"] {
        let r = h.check(tonic_health::pb::HealthCheckRequest { service: service.into() }).await.unwrap().into_inner();
        assert_eq!(r.status, tonic_health::pb::health_check_response::ServingStatus::Serving as i32);
    }
    app.stop().await;
}

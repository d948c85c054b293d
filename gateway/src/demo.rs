//! `prm up --demo`: two partner companies, a user of each role and sample
//! accounts and contacts, created through the same stores and services as
//! real use. Seeding twice changes nothing.

use prm_kit::auth::CallerInterceptor;
use prm_proto::{
    account::v1::{self as pb, account_service_client::AccountServiceClient},
    common::v1::Address,
    lead::v1::{self as lpb, lead_service_client::LeadServiceClient},
    order::v1::{self as opb, order_service_client::OrderServiceClient},
    project::v1::{self as pprm, project_service_client::ProjectServiceClient},
    quote::v1::{self as qpb, quote_service_client::QuoteServiceClient},
};

use crate::{
    app::AppState,
    identity::{NewUser, PostalAddress, Role, User},
};

/// Every demo user signs in with this password.
pub const DEMO_PASSWORD: &str = "demo-password";

pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
    /// Index into [`PARTNERS`].
    pub partner: Option<usize>,
}

pub const PARTNERS: &[&str] = &["Acme Telecom", "Borealis Networks"];

type Street = (&'static str, &'static str, &'static str, &'static str);

/// (partner address, reseller address) of each partner: street, postal code, city, country.
const PARTNER_ADDRESSES: [(Street, Street); 2] = [
    (("Friedrichstraße 100", "10117", "Berlin", "DE"), ("Lagerweg 5", "12099", "Berlin", "DE")),
    (("Storgata 10", "0155", "Oslo", "NO"), ("Havnelageret 2", "0150", "Oslo", "NO")),
];

pub const USERS: &[DemoUser] = &[
    DemoUser { email: "alice@acme.example", name: "Alice Admin", role: Role::PartnerAdmin, partner: Some(0) },
    DemoUser { email: "bob@acme.example", name: "Bob Seller", role: Role::PartnerUser, partner: Some(0) },
    DemoUser { email: "carol@borealis.example", name: "Carol North", role: Role::PartnerUser, partner: Some(1) },
    DemoUser { email: "maria@vendor.example", name: "Maria Manager", role: Role::AccountManager, partner: None },
    DemoUser { email: "sam@vendor.example", name: "Sam Support", role: Role::SupportAgent, partner: None },
    DemoUser { email: "victor@vendor.example", name: "Victor Vendor", role: Role::VendorAdmin, partner: None },
];

/// (owner e-mail, account name, type, industry, city, country, phone, contacts (first, last, title, email))
type SampleAccount = (
    &'static str,
    &'static str,
    pb::AccountType,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, &'static str, &'static str)],
);

const ACCOUNTS: &[SampleAccount] = &[
    (
        "alice@acme.example",
        "Globex Logistics",
        pb::AccountType::Customer,
        "Logistics",
        "Hamburg",
        "DE",
        "+49 40 555 0101",
        &[
            ("Hank", "Scorpio", "CEO", "hank@globex.example"),
            ("Lena", "Kraus", "IT Manager", "lena.kraus@globex.example"),
        ],
    ),
    (
        "bob@acme.example",
        "Initech Software",
        pb::AccountType::Prospect,
        "Software",
        "Munich",
        "DE",
        "+49 89 555 0102",
        &[("Peter", "Gibbons", "Engineer", "peter@initech.example")],
    ),
    (
        "bob@acme.example",
        "Umbrella Clinics",
        pb::AccountType::Prospect,
        "Healthcare",
        "Cologne",
        "DE",
        "+49 221 555 0103",
        &[("Alice", "Marsh", "Head of Operations", "a.marsh@umbrella.example")],
    ),
    (
        "alice@acme.example",
        "Stark Retail",
        pb::AccountType::FormerCustomer,
        "Retail",
        "Berlin",
        "DE",
        "+49 30 555 0104",
        &[],
    ),
    (
        "carol@borealis.example",
        "Nordic Fisheries",
        pb::AccountType::Customer,
        "Food",
        "Oslo",
        "NO",
        "+47 22 55 01 05",
        &[("Ingrid", "Berg", "CFO", "ingrid.berg@nordicfish.example")],
    ),
    (
        "carol@borealis.example",
        "Fjord Hotels",
        pb::AccountType::Prospect,
        "Hospitality",
        "Bergen",
        "NO",
        "+47 55 55 01 06",
        &[],
    ),
];

/// Seeds the demo data unless it is there already: people, accounts, the
/// price book, and projects in every stage of both record types.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    if seed_base(state).await? {
        seed_projects(state).await?;
        seed_tasks(state).await?;
        seed_cases(state).await?;
        seed_news(state).await?;
    }
    Ok(())
}

/// News on the home page, posted by Victor Vendor, the newest last.
pub async fn seed_news(state: &AppState) -> anyhow::Result<()> {
    let identity = state.auth.identity();
    let victor = identity
        .find_by_email("victor@vendor.example")
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo vendor admin"))?;
    for (title, body) in [
        (
            "HWaaS price list 2027",
            "The 2027 HWaaS prices apply to quotes presented from 1 January. Open quotes keep their prices.",
        ),
        (
            "CLASSOUND maintenance on Sunday",
            "CLASSOUND SIP trunks restart between 02:00 and 02:30 UTC on Sunday. Calls in progress may drop.",
        ),
    ] {
        crate::news::post(identity.connection(), victor.id, title, body).await?;
    }
    Ok(())
}

/// Support cases of Acme and Borealis with comment threads: one new, one
/// Sam Support works on (with an internal note), one waiting on the partner,
/// one solved. Sam's replies go out as e-mail like any other.
pub async fn seed_cases(state: &AppState) -> anyhow::Result<()> {
    use prm_proto::case::v1::{self as cpb, case_service_client::CaseServiceClient};
    let identity = state.auth.identity();
    let user = |email: &'static str| async move {
        identity.find_by_email(email).await?.ok_or_else(|| anyhow::anyhow!("no demo user {email}"))
    };
    let sam = user("sam@vendor.example").await?;
    let sam_person = Some(cpb::Person { email: sam.email.clone(), display_name: sam.display_name.clone() });
    let mut support = CaseServiceClient::with_interceptor(
        state.services.case.clone(),
        CallerInterceptor::new(&state.services.key, &caller_of(&sam, vec![]))?,
    );
    /// A comment: its text, whether support writes it, whether it is internal.
    type Step = (&'static str, bool, bool);
    /// Submitter, subject, description, product, priority, thread, final status.
    type Plan = (
        &'static str,
        &'static str,
        &'static str,
        cpb::CaseProduct,
        cpb::CasePriority,
        &'static [Step],
        cpb::CaseStatus,
    );
    let plan: [Plan; 4] = [
        (
            "bob@acme.example",
            "SIP trunk drops calls after 30 seconds",
            "Since this morning every outbound call on the CLASSOUND trunk drops after about 30 seconds.",
            cpb::CaseProduct::Classound,
            cpb::CasePriority::High,
            &[
                ("We are looking into it. Which SBC firmware do you run?", true, false),
                ("Session timers on the SBC side; likely the known 30 s re-INVITE issue.", true, true),
                ("Firmware 7.2.1 on both SBCs.", false, false),
            ],
            cpb::CaseStatus::InProgress,
        ),
        (
            "bob@acme.example",
            "Licence count on the invoice is wrong",
            "The November invoice counts 120 licences; we have 100.",
            cpb::CaseProduct::Licenses,
            cpb::CasePriority::Medium,
            &[("Could you send us the invoice number?", true, false)],
            cpb::CaseStatus::WaitingOnPartner,
        ),
        (
            "alice@acme.example",
            "Desk phones for the new office",
            "Which HWaaS models support PoE class 2?",
            cpb::CaseProduct::Hwaas,
            cpb::CasePriority::Low,
            &[],
            cpb::CaseStatus::New,
        ),
        (
            "carol@borealis.example",
            "Fax to e-mail not delivering",
            "Faxes to our main number no longer arrive as e-mail.",
            cpb::CaseProduct::Classound,
            cpb::CasePriority::Urgent,
            &[
                ("The mail relay rejected our sender; fixed on our side. Please try again.", true, false),
                ("Works again, thanks!", false, false),
            ],
            cpb::CaseStatus::Solved,
        ),
    ];
    for (email, subject, description, product, priority, thread, end) in plan {
        let partner = user(email).await?;
        let me = Some(cpb::Person { email: partner.email.clone(), display_name: partner.display_name.clone() });
        let mut client = CaseServiceClient::with_interceptor(
            state.services.case.clone(),
            CallerInterceptor::new(&state.services.key, &caller_of(&partner, vec![]))?,
        );
        let case = client
            .create_case(cpb::CreateCaseRequest {
                case: Some(cpb::Case {
                    subject: subject.into(),
                    description: description.into(),
                    product: product as i32,
                    priority: priority as i32,
                    ..Default::default()
                }),
                submitter: me.clone(),
                request_id: String::new(),
            })
            .await?
            .into_inner()
            .case
            .unwrap_or_default();
        if end == cpb::CaseStatus::New {
            continue;
        }
        support
            .assign_case(cpb::AssignCaseRequest {
                id: case.id.clone(),
                assignee_id: String::new(),
                assignee: sam_person.clone(),
            })
            .await?;
        let to = |status: cpb::CaseStatus| cpb::TransitionCaseRequest {
            id: case.id.clone(),
            status: status as i32,
            message: String::new(),
            author: sam_person.clone(),
        };
        support.transition_case(to(cpb::CaseStatus::InProgress)).await?;
        for (body, from_support, internal) in thread {
            let (c, author) = if *from_support { (&mut support, &sam_person) } else { (&mut client, &me) };
            c.add_case_comment(cpb::AddCaseCommentRequest {
                case_id: case.id.clone(),
                body: body.to_string(),
                internal: *internal,
                author: author.clone(),
            })
            .await?;
        }
        if end != cpb::CaseStatus::InProgress {
            support.transition_case(to(end)).await?;
        }
    }
    tracing::info!("demo cases seeded");
    Ok(())
}

/// Open tasks of Bob and Carol on their projects and accounts: some overdue,
/// some due today, some this week, one undated.
pub async fn seed_tasks(state: &AppState) -> anyhow::Result<()> {
    use prm_proto::{
        common::v1::{RecordRef, RecordType},
        task::v1::{self as tpb, task_service_client::TaskServiceClient},
    };
    let identity = state.auth.identity();
    for email in ["bob@acme.example", "carol@borealis.example"] {
        let user = identity.find_by_email(email).await?.ok_or_else(|| anyhow::anyhow!("no demo user {email}"))?;
        let auth = CallerInterceptor::new(&state.services.key, &caller_of(&user, vec![]))?;
        let mut tasks = TaskServiceClient::with_interceptor(state.services.task.clone(), auth.clone());
        let mut projects = ProjectServiceClient::with_interceptor(state.services.project.clone(), auth.clone());
        let mut accounts = AccountServiceClient::with_interceptor(state.services.account.clone(), auth);
        let mine = projects
            .list_projects(pprm::ListProjectsRequest { view: "my_projects".into(), page_size: 3, ..Default::default() })
            .await?
            .into_inner()
            .projects;
        let account = accounts
            .list_accounts(pb::ListAccountsRequest { page_size: 1, ..Default::default() })
            .await?
            .into_inner()
            .accounts;
        let today = chrono::Utc::now().date_naive();
        let day = |n: i64| (today + chrono::Duration::days(n)).format("%Y-%m-%d").to_string();
        let mut plan: Vec<(RecordType, String, &str, tpb::TaskType, String)> = Vec::new();
        for (p, (subject, kind, due)) in mine.iter().zip([
            ("Follow up on the demo", tpb::TaskType::Call, day(-2)),
            ("Send the revised quote", tpb::TaskType::SendQuote, day(0)),
            ("Workshop with the IT team", tpb::TaskType::Meeting, day(3)),
        ]) {
            plan.push((RecordType::Project, p.id.clone(), subject, kind, due));
        }
        if let Some(a) = account.first() {
            plan.push((RecordType::Account, a.id.clone(), "Check the VAT number", tpb::TaskType::Todo, String::new()));
            plan.push((RecordType::Account, a.id.clone(), "Quarterly review e-mail", tpb::TaskType::Email, day(1)));
        }
        for (kind, id, subject, task_type, due_date) in plan {
            tasks
                .create_task(tpb::CreateTaskRequest {
                    task: Some(tpb::Task {
                        subject: subject.into(),
                        r#type: task_type as i32,
                        due_date,
                        related: Some(RecordRef { r#type: kind as i32, id }),
                        ..Default::default()
                    }),
                })
                .await?;
        }
    }
    tracing::info!("demo tasks seeded");
    Ok(())
}

/// The caller a demo user acts as.
fn caller_of(u: &User, assigned_partners: Vec<uuid::Uuid>) -> prm_kit::Caller {
    prm_kit::Caller {
        user_id: u.id,
        partner_id: u.partner_id,
        role: u.role.into(),
        assigned_partners,
        partner_tier: None,
    }
}

/// People, partners, accounts and the price book, without projects (what
/// most tests start from); false when they were there already.
pub async fn seed_base(state: &AppState) -> anyhow::Result<bool> {
    let identity = state.auth.identity();
    if identity.find_by_email(USERS[0].email).await?.is_some() {
        tracing::info!("demo data already present");
        return Ok(false);
    }
    let mut partners = Vec::new();
    for (name, (office, warehouse)) in PARTNERS.iter().zip(PARTNER_ADDRESSES) {
        let p = identity.create_partner(name, Some("gold")).await?;
        let address = |(street, postal_code, city, country): (&str, &str, &str, &str)| PostalAddress {
            street: street.into(),
            postal_code: postal_code.into(),
            city: city.into(),
            country: country.into(),
            ..Default::default()
        };
        partners.push(identity.set_partner_addresses(p.id, Some(&address(office)), Some(&address(warehouse))).await?);
    }
    let mut users: Vec<User> = Vec::new();
    for u in USERS {
        users.push(
            identity
                .create_user(NewUser {
                    email: u.email.into(),
                    display_name: u.name.into(),
                    password: DEMO_PASSWORD.into(),
                    role: u.role,
                    partner_id: u.partner.map(|i| partners[i].id),
                })
                .await?,
        );
    }
    let maria = users.iter().find(|u| u.role == Role::AccountManager).expect("demo has an account manager");
    identity.assign_account_manager(maria.id, partners[0].id).await?;

    for (owner, name, kind, industry, city, country, phone, contacts) in ACCOUNTS {
        let owner = users.iter().find(|u| u.email == *owner).expect("demo owner exists");
        let caller = prm_kit::Caller {
            user_id: owner.id,
            partner_id: owner.partner_id,
            role: owner.role.into(),
            assigned_partners: vec![],
            partner_tier: None,
        };
        let mut client = AccountServiceClient::with_interceptor(
            state.services.account.clone(),
            CallerInterceptor::new(&state.services.key, &caller)?,
        );
        let address = Some(Address { city: (*city).into(), country: (*country).into(), ..Default::default() });
        let account = client
            .create_account(pb::CreateAccountRequest {
                account: Some(pb::Account {
                    name: (*name).into(),
                    r#type: *kind as i32,
                    industry: (*industry).into(),
                    phone: (*phone).into(),
                    billing_address: address.clone(),
                    shipping_address: address,
                    ..Default::default()
                }),
                ..Default::default()
            })
            .await?
            .into_inner()
            .account
            .expect("created account");
        for (first, last, title, email) in *contacts {
            client
                .create_contact(pb::CreateContactRequest {
                    contact: Some(pb::Contact {
                        account_id: account.id.clone(),
                        first_name: (*first).into(),
                        last_name: (*last).into(),
                        title: (*title).into(),
                        email: (*email).into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                })
                .await?;
        }
    }
    let victor = users.iter().find(|u| u.role == Role::VendorAdmin).expect("demo has a vendor admin");
    seed_catalogue(state, victor).await?;
    seed_leads(state, &users, &partners).await?;
    tracing::info!(users = USERS.len(), accounts = ACCOUNTS.len(), products = PRODUCTS.len(), "demo data seeded");
    Ok(true)
}

/// (owner e-mail, company, first name, last name, e-mail, phone, city, source, estimated users, status path)
type SampleLead = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    lpb::LeadSource,
    i32,
    &'static [lpb::LeadStatus],
);

const LEADS: &[SampleLead] = {
    use lpb::{LeadSource as S, LeadStatus as T};
    &[
        (
            "bob@acme.example",
            "Vandelay Industries",
            "Art",
            "Vandelay",
            "art@vandelay.example",
            "+49 30 555 0201",
            "Berlin",
            S::Web,
            25,
            &[],
        ),
        (
            "bob@acme.example",
            "Soylent Foods",
            "Sol",
            "Green",
            "sol@soylent.example",
            "+49 40 555 0202",
            "Hamburg",
            S::Event,
            120,
            &[T::Working],
        ),
        (
            "alice@acme.example",
            "Cyberdyne Systems",
            "Miles",
            "Dyson",
            "miles@cyberdyne.example",
            "+49 89 555 0203",
            "Munich",
            S::Referral,
            300,
            &[T::Working, T::Qualified],
        ),
        (
            "alice@acme.example",
            "Tyrell Corp",
            "Eldon",
            "Tyrell",
            "eldon@tyrell.example",
            "+49 69 555 0204",
            "Frankfurt",
            S::Web,
            60,
            &[T::Working, T::Nurturing],
        ),
        (
            "carol@borealis.example",
            "Aurora Shipping",
            "Sigrid",
            "Lund",
            "sigrid@aurora.example",
            "+47 22 55 02 05",
            "Oslo",
            S::Web,
            80,
            &[T::Working, T::Qualified],
        ),
        (
            "carol@borealis.example",
            "Polar Bakery",
            "Nils",
            "Dahl",
            "nils@polarbakery.example",
            "+47 55 55 02 06",
            "Bergen",
            S::Other,
            8,
            &[T::Working, T::Unqualified],
        ),
        // The vendor's pool: the first goes to Acme, pending acceptance.
        (
            "victor@vendor.example",
            "Wonka Confectionery",
            "Willy",
            "Wonka",
            "willy@wonka.example",
            "+49 221 555 0207",
            "Cologne",
            S::Event,
            150,
            &[],
        ),
        (
            "victor@vendor.example",
            "Oceanic Airlines",
            "Jack",
            "Shephard",
            "jack@oceanic.example",
            "+49 211 555 0208",
            "Düsseldorf",
            S::Web,
            900,
            &[],
        ),
    ]
};

/// Leads of each partner in several statuses, and the vendor's pool with one
/// lead distributed to Acme, waiting for Alice to accept or reject it.
async fn seed_leads(state: &AppState, users: &[User], partners: &[crate::identity::Partner]) -> anyhow::Result<()> {
    let mut pooled = Vec::new();
    for (owner, company, first, last, email, phone, city, source, users_count, path) in LEADS {
        let owner = users.iter().find(|u| u.email == *owner).expect("demo owner exists");
        let caller = prm_kit::Caller {
            user_id: owner.id,
            partner_id: owner.partner_id,
            role: owner.role.into(),
            assigned_partners: vec![],
            partner_tier: None,
        };
        let mut client = LeadServiceClient::with_interceptor(
            state.services.lead.clone(),
            CallerInterceptor::new(&state.services.key, &caller)?,
        );
        let lead = client
            .create_lead(lpb::CreateLeadRequest {
                lead: Some(lpb::Lead {
                    company: (*company).into(),
                    first_name: (*first).into(),
                    last_name: (*last).into(),
                    email: (*email).into(),
                    phone: (*phone).into(),
                    address: Some(Address { city: (*city).into(), ..Default::default() }),
                    source: *source as i32,
                    estimated_users: *users_count,
                    interested_solutions: vec![lpb::Solution::Licenses as i32, lpb::Solution::Hwaas as i32],
                    ..Default::default()
                }),
            })
            .await?
            .into_inner()
            .lead
            .expect("created lead");
        for status in *path {
            client
                .update_lead(lpb::UpdateLeadRequest {
                    lead: Some(lpb::Lead { id: lead.id.clone(), status: *status as i32, ..Default::default() }),
                    update_mask: Some(prost_types::FieldMask { paths: vec!["status".into()] }),
                })
                .await?;
        }
        if owner.role == Role::VendorAdmin {
            pooled.push((client, lead.id));
        }
    }
    if let Some((client, id)) = pooled.first_mut() {
        client
            .distribute_lead(lpb::DistributeLeadRequest { id: id.clone(), partner_id: partners[0].id.to_string() })
            .await?;
    }
    Ok(())
}

/// (SKU, name, family, billing, EUR list price)
const PRODUCTS: &[(&str, &str, qpb::ProductFamily, qpb::Billing, &str)] = &[
    ("LIC-ESS", "User license, Essential edition", qpb::ProductFamily::Licenses, qpb::Billing::Monthly, "9.90"),
    ("LIC-PRO", "User license, Professional edition", qpb::ProductFamily::Licenses, qpb::Billing::Monthly, "19.90"),
    ("LIC-ENT", "User license, Enterprise edition", qpb::ProductFamily::Licenses, qpb::Billing::Monthly, "29.90"),
    ("HW-DESK-PHONE", "Desk phone as a service", qpb::ProductFamily::Hwaas, qpb::Billing::Monthly, "6.50"),
    ("HW-CONF-UNIT", "Conference unit as a service", qpb::ProductFamily::Hwaas, qpb::Billing::Monthly, "24.00"),
    ("CLS-CHANNEL", "CLASSOUND SIP channel", qpb::ProductFamily::Classound, qpb::Billing::Monthly, "4.50"),
    ("CLS-NUMBER", "CLASSOUND phone number", qpb::ProductFamily::Classound, qpb::Billing::Monthly, "1.00"),
    ("HW-HEADSET", "Wireless headset", qpb::ProductFamily::Hardware, qpb::Billing::OneTime, "79.00"),
    ("SRV-SETUP", "Installation and onboarding", qpb::ProductFamily::Services, qpb::Billing::OneTime, "490.00"),
];

/// The price book: products with EUR list prices, weighted average prices,
/// and a 10 % discount for gold partners.
async fn seed_catalogue(state: &AppState, vendor: &User) -> anyhow::Result<()> {
    let caller = prm_kit::Caller {
        user_id: vendor.id,
        partner_id: None,
        role: vendor.role.into(),
        assigned_partners: vec![],
        partner_tier: None,
    };
    let mut q = QuoteServiceClient::with_interceptor(
        state.services.quote.clone(),
        CallerInterceptor::new(&state.services.key, &caller)?,
    );
    let eur = |amount: &str| Some(prm_proto::common::v1::Money { currency_code: "EUR".into(), amount: amount.into() });
    for (sku, name, family, billing, price) in PRODUCTS {
        let p = q
            .create_product(qpb::CreateProductRequest {
                product: Some(qpb::Product {
                    sku: (*sku).into(),
                    name: (*name).into(),
                    family: *family as i32,
                    billing: *billing as i32,
                    ..Default::default()
                }),
            })
            .await?
            .into_inner()
            .product
            .expect("created product");
        q.set_list_price(qpb::SetListPriceRequest { product_id: p.id, price: eur(price) }).await?;
    }
    q.set_weighted_average_prices(qpb::SetWeightedAveragePricesRequest {
        prices: Some(qpb::WeightedAveragePrices {
            currency_code: "EUR".into(),
            licenses: "18.50".into(),
            hwaas: "9.80".into(),
            classound: "5.20".into(),
            update_time: None,
        }),
    })
    .await?;
    q.set_partner_discount(qpb::SetPartnerDiscountRequest {
        discount: Some(qpb::PartnerDiscount { tier: "gold".into(), percent: "10".into(), partner_id: String::new() }),
    })
    .await?;
    Ok(())
}

/// (owner e-mail, account name, project name, record type, stage, total users)
type SampleProject = (&'static str, &'static str, &'static str, pprm::RecordType, pprm::Stage, i32);

/// Projects in every stage of both paths. The automatic stages are reached
/// as in real use: the primary quote's contract is sent, an order placed
/// and completed, and the events move the projects (shortly after seeding).
const PROJECTS: &[SampleProject] = {
    use pprm::{RecordType::*, Stage::*};
    &[
        ("bob@acme.example", "Globex Logistics", "Globex: 40-seat pilot", NewBusiness, IntroQualification, 40),
        ("bob@acme.example", "Globex Logistics", "Globex: warehouse phones", NewBusiness, Demo, 25),
        ("bob@acme.example", "Initech Software", "Initech: contact centre", NewBusiness, ProjectPresentation, 120),
        ("alice@acme.example", "Initech Software", "Initech: SIP trunking", NewBusiness, Proposal, 60),
        ("alice@acme.example", "Globex Logistics", "Globex: head office", NewBusiness, ContractOut, 80),
        ("bob@acme.example", "Initech Software", "Initech: branch offices", NewBusiness, OrderManagement, 35),
        ("alice@acme.example", "Globex Logistics", "Globex: HQ licences", NewBusiness, ClosedWon, 150),
        ("bob@acme.example", "Initech Software", "Initech: video rooms", NewBusiness, ClosedLost, 12),
        ("alice@acme.example", "Initech Software", "Initech: licence upgrade", ExistingCustomer, Presentation, 90),
        ("alice@acme.example", "Globex Logistics", "Globex: more channels", ExistingCustomer, Proposal, 30),
        ("bob@acme.example", "Globex Logistics", "Globex: second site", ExistingCustomer, ContractOut, 45),
        ("alice@acme.example", "Initech Software", "Initech: headsets refresh", ExistingCustomer, OrderManagement, 70),
        ("bob@acme.example", "Globex Logistics", "Globex: renewal", ExistingCustomer, ClosedWon, 200),
        ("alice@acme.example", "Globex Logistics", "Globex: fax replacement", ExistingCustomer, ClosedLost, 8),
        ("carol@borealis.example", "Fjord Hotels", "Fjord: fleet telephony", NewBusiness, Demo, 55),
        ("carol@borealis.example", "Fjord Hotels", "Fjord: HQ renewal", ExistingCustomer, Proposal, 65),
    ]
};

/// Every fourth demo project closes on the last day of this month (so
/// "closing this month" has some whatever the day); the rest within months.
fn demo_close_date(i: usize, users: i32) -> String {
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    let date = if i.is_multiple_of(4) {
        let first_of_next = if today.month() == 12 {
            chrono::NaiveDate::from_ymd_opt(today.year() + 1, 1, 1)
        } else {
            chrono::NaiveDate::from_ymd_opt(today.year(), today.month() + 1, 1)
        };
        first_of_next.and_then(|d| d.pred_opt()).unwrap_or(today)
    } else {
        today + chrono::Days::new(30 + 7 * (users as u64 % 9))
    };
    date.format("%Y-%m-%d").to_string()
}

/// The demo projects, with the vendor's Demo Answers questions.
pub async fn seed_projects(state: &AppState) -> anyhow::Result<()> {
    let identity = state.auth.identity();
    let mut users = Vec::new();
    for u in USERS {
        users.push(identity.find_by_email(u.email).await?.ok_or_else(|| anyhow::anyhow!("no demo user {}", u.email))?);
    }
    let user = |email: &str| users.iter().find(|u| u.email == email).expect("demo user");
    let key = &state.services.key;
    let victor = caller_of(user("victor@vendor.example"), vec![]);
    let mut vendor_projects =
        ProjectServiceClient::with_interceptor(state.services.project.clone(), CallerInterceptor::new(key, &victor)?);
    vendor_projects
        .update_project_settings(pprm::UpdateProjectSettingsRequest {
            settings: Some(pprm::ProjectSettings {
                demo_questions: ["Who attended the demo?", "Which features mattered most?", "What are the next steps?"]
                    .iter()
                    .map(|t| pprm::DemoQuestion { id: String::new(), text: (*t).into() })
                    .collect(),
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask { paths: vec!["demo_questions".into()] }),
        })
        .await?;
    let lic_pro =
        QuoteServiceClient::with_interceptor(state.services.quote.clone(), CallerInterceptor::new(key, &victor)?)
            .list_products(qpb::ListProductsRequest { filter: r#"sku = "LIC-PRO""#.into(), ..Default::default() })
            .await?
            .into_inner()
            .products
            .into_iter()
            .next()
            .ok_or_else(|| anyhow::anyhow!("the demo price book has no LIC-PRO"))?
            .id;

    for (i, (owner, account_name, name, record_type, stage, users_count)) in PROJECTS.iter().enumerate() {
        let owner = caller_of(user(owner), vec![]);
        let auth = CallerInterceptor::new(key, &owner)?;
        let mut projects = ProjectServiceClient::with_interceptor(state.services.project.clone(), auth.clone());
        let mut accounts = AccountServiceClient::with_interceptor(state.services.account.clone(), auth.clone());
        let mut quotes = QuoteServiceClient::with_interceptor(state.services.quote.clone(), auth.clone());
        let account = accounts
            .list_accounts(pb::ListAccountsRequest {
                filter: format!(r#"name = "{account_name}""#),
                ..Default::default()
            })
            .await?
            .into_inner()
            .accounts
            .into_iter()
            .next()
            .ok_or_else(|| anyhow::anyhow!("no demo account {account_name}"))?;
        let p = projects
            .create_project(pprm::CreateProjectRequest {
                project: Some(pprm::Project {
                    name: (*name).into(),
                    account_id: account.id,
                    record_type: *record_type as i32,
                    close_date: demo_close_date(i, *users_count),
                    total_users: *users_count,
                    interested_solutions: vec![pprm::Solution::Licenses as i32, pprm::Solution::Hwaas as i32],
                    users_of_poc: Some((*users_count / 5).max(1)),
                    amount_mrr: format!("{}", users_count * 25),
                    verbal_agreement: !matches!(stage, pprm::Stage::Proposal),
                    ..Default::default()
                }),
                project_id: String::new(),
            })
            .await?
            .into_inner()
            .project
            .expect("created project");
        let walk = |to: pprm::Stage| pprm::MoveProjectRequest {
            id: p.id.clone(),
            stage: to as i32,
            lost_reason: String::new(),
        };
        let path: &[pprm::Stage] = match record_type {
            pprm::RecordType::ExistingCustomer => &[pprm::Stage::Proposal],
            _ => &[pprm::Stage::Demo, pprm::Stage::ProjectPresentation, pprm::Stage::Proposal],
        };
        let target = *stage as i32;
        if *stage == pprm::Stage::ClosedLost {
            projects
                .move_project(pprm::MoveProjectRequest {
                    id: p.id.clone(),
                    stage: target,
                    lost_reason: "Chose a competitor's on-premises system".into(),
                })
                .await?;
            continue;
        }
        for step in path {
            if (*step as i32) > target && target <= pprm::Stage::Proposal as i32 {
                break;
            }
            projects.move_project(walk(*step)).await?;
        }
        if target <= pprm::Stage::Proposal as i32 {
            continue;
        }
        // The automatic stages: a primary quote, its contract, its order.
        let q = projects
            .create_project_quote(pprm::CreateProjectQuoteRequest {
                project_id: p.id.clone(),
                quote: Some(qpb::Quote {
                    shipping_address_type: qpb::ShippingAddressType::EndUser as i32,
                    ..Default::default()
                }),
            })
            .await?
            .into_inner()
            .quote
            .expect("created quote");
        quotes
            .add_quote_line(qpb::AddQuoteLineRequest {
                quote_id: q.id.clone(),
                line: Some(qpb::QuoteLine {
                    product_id: lic_pro.clone(),
                    quantity: i64::from(*users_count),
                    ..Default::default()
                }),
            })
            .await?;
        quotes.set_primary_quote(qpb::SetPrimaryQuoteRequest { id: q.id.clone() }).await?;
        let mut statuses = vec![qpb::QuoteStatus::Presented, qpb::QuoteStatus::ContractSent];
        if target >= pprm::Stage::OrderManagement as i32 {
            statuses.push(qpb::QuoteStatus::Accepted);
        }
        for s in statuses {
            quotes.transition_quote(qpb::TransitionQuoteRequest { id: q.id.clone(), status: s as i32 }).await?;
        }
        if target < pprm::Stage::OrderManagement as i32 {
            continue;
        }
        let mut orders = OrderServiceClient::with_interceptor(state.services.order.clone(), auth.clone());
        let order = orders
            .create_order_from_quote(opb::CreateOrderFromQuoteRequest {
                quote_id: q.id.clone(),
                request_id: String::new(),
            })
            .await?
            .into_inner()
            .order
            .expect("placed order");
        if *stage != pprm::Stage::ClosedWon {
            continue;
        }
        let mut vendor_orders =
            OrderServiceClient::with_interceptor(state.services.order.clone(), CallerInterceptor::new(key, &victor)?);
        let to = |s: opb::OrderStatus| opb::TransitionOrderRequest { id: order.id.clone(), status: s as i32 };
        orders.transition_order(to(opb::OrderStatus::Submitted)).await?;
        vendor_orders.transition_order(to(opb::OrderStatus::Approved)).await?;
        vendor_orders.transition_order(to(opb::OrderStatus::Shipped)).await?;
        orders.transition_order(to(opb::OrderStatus::Completed)).await?;
    }
    tracing::info!(projects = PROJECTS.len(), "demo projects seeded");
    Ok(())
}

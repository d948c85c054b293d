//! `prm up --demo`: two partner companies, a user of each role and sample
//! accounts and contacts, created through the same stores and services as
//! real use. Seeding twice changes nothing.

use prm_kit::auth::CallerInterceptor;
use prm_proto::{
    account::v1::{self as pb, account_service_client::AccountServiceClient},
    common::v1::Address,
};

use crate::{
    app::AppState,
    identity::{NewUser, Role, User},
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

pub const USERS: &[DemoUser] = &[
    DemoUser {
        email: "alice@acme.example",
        name: "Alice Admin",
        role: Role::PartnerAdmin,
        partner: Some(0),
    },
    DemoUser {
        email: "bob@acme.example",
        name: "Bob Seller",
        role: Role::PartnerUser,
        partner: Some(0),
    },
    DemoUser {
        email: "carol@borealis.example",
        name: "Carol North",
        role: Role::PartnerUser,
        partner: Some(1),
    },
    DemoUser {
        email: "maria@vendor.example",
        name: "Maria Manager",
        role: Role::AccountManager,
        partner: None,
    },
    DemoUser {
        email: "sam@vendor.example",
        name: "Sam Support",
        role: Role::SupportAgent,
        partner: None,
    },
    DemoUser {
        email: "victor@vendor.example",
        name: "Victor Vendor",
        role: Role::VendorAdmin,
        partner: None,
    },
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
        &[(
            "Alice",
            "Marsh",
            "Head of Operations",
            "a.marsh@umbrella.example",
        )],
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

/// Seeds the demo data unless it is there already.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let identity = state.auth.identity();
    if identity.find_by_email(USERS[0].email).await?.is_some() {
        tracing::info!("demo data already present");
        return Ok(());
    }
    let mut partners = Vec::new();
    for name in PARTNERS {
        partners.push(identity.create_partner(name, Some("gold")).await?);
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
    let maria = users
        .iter()
        .find(|u| u.role == Role::AccountManager)
        .expect("demo has an account manager");
    identity
        .assign_account_manager(maria.id, partners[0].id)
        .await?;

    for (owner, name, kind, industry, city, country, phone, contacts) in ACCOUNTS {
        let owner = users
            .iter()
            .find(|u| u.email == *owner)
            .expect("demo owner exists");
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
        let address = Some(Address {
            city: (*city).into(),
            country: (*country).into(),
            ..Default::default()
        });
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
                })
                .await?;
        }
    }
    tracing::info!(
        users = USERS.len(),
        accounts = ACCOUNTS.len(),
        "demo data seeded"
    );
    Ok(())
}

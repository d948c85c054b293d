//! `prm up --demo`: two partner companies, a user of each role and sample
//! accounts and contacts, created through the same stores and services as
//! real use. Seeding twice changes nothing.

use prm_kit::auth::CallerInterceptor;
use prm_proto::{
    account::v1::{self as pb, account_service_client::AccountServiceClient},
    common::v1::Address,
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

/// Seeds the demo data unless it is there already.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let identity = state.auth.identity();
    if identity.find_by_email(USERS[0].email).await?.is_some() {
        tracing::info!("demo data already present");
        return Ok(());
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
    tracing::info!(users = USERS.len(), accounts = ACCOUNTS.len(), products = PRODUCTS.len(), "demo data seeded");
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

//! `prm.account.v1.AccountService`: proto ⇄ domain translation, calling the
//! domain rules and the store.

use prm_kit::{
    Caller, Error, Result,
    auth::{CallerInterceptor, InternalKey},
    listing::{Field, FieldKind, ListParams, Listing, SortValue},
    outbox, owned,
    record::parse_id,
    time,
    views::{self, BuiltIn},
};
use prm_proto::{
    account::v1::{self as pb, account_service_server::AccountService},
    common::v1::Address as PbAddress,
    project::v1::{self as ppb, project_service_client::ProjectServiceClient},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
};
use tonic::{Request, Response, Status, transport::Channel};
use uuid::Uuid;

use crate::{
    domain::{AccountFields, AccountType, Address, ContactFields, delete_refusal},
    store::{account, contact},
};

pub struct AccountApi {
    db: DatabaseConnection,
    projects: Channel,
    key: InternalKey,
}

impl AccountApi {
    pub fn new(db: DatabaseConnection, projects: Channel, key: InternalKey) -> Self {
        AccountApi { db, projects, key }
    }

    /// Some of the projects of the account's partner on the account (their
    /// names), and whether there are more: read as the partner itself, so a
    /// colleague's project counts too.
    async fn projects_of(&self, partner_id: Uuid, account_id: Uuid) -> Result<(Vec<String>, bool)> {
        let caller = Caller::system_for_partner(partner_id);
        let mut client =
            ProjectServiceClient::with_interceptor(self.projects.clone(), CallerInterceptor::new(&self.key, &caller)?);
        let page = client
            .list_projects(ppb::ListProjectsRequest {
                page_size: 3,
                filter: format!(r#"account_id = "{account_id}""#),
                ..Default::default()
            })
            .await
            .map_err(|s| Error::Unavailable(format!("the project service: {}", s.message())))?
            .into_inner();
        Ok((page.projects.into_iter().map(|p| p.name).collect(), !page.next_page_token.is_empty()))
    }
}

/// How many contacts an account has.
async fn contact_count<C: sea_orm::ConnectionTrait>(conn: &C, account_id: Uuid) -> Result<u64> {
    Ok(contact::Entity::find().filter(contact::Column::AccountId.eq(account_id)).count(conn).await?)
}

pub const ACCOUNT_FIELDS: &[Field<account::Column>] = &[
    Field { name: "name", column: account::Column::Name, kind: FieldKind::Text },
    Field { name: "type", column: account::Column::AccountType, kind: FieldKind::Enum(AccountType::NAMES) },
    Field { name: "industry", column: account::Column::Industry, kind: FieldKind::Text },
    Field { name: "website", column: account::Column::Website, kind: FieldKind::Text },
    Field { name: "phone", column: account::Column::Phone, kind: FieldKind::Text },
    Field { name: "vat_number", column: account::Column::VatNumber, kind: FieldKind::Text },
    Field { name: "billing_address.city", column: account::Column::BillingCity, kind: FieldKind::Text },
    Field { name: "billing_address.country", column: account::Column::BillingCountry, kind: FieldKind::Text },
    Field { name: "owner_id", column: account::Column::OwnerId, kind: FieldKind::Uuid },
    Field { name: "partner_id", column: account::Column::PartnerId, kind: FieldKind::Uuid },
    Field { name: "create_time", column: account::Column::CreateTime, kind: FieldKind::Timestamp },
    Field { name: "update_time", column: account::Column::UpdateTime, kind: FieldKind::Timestamp },
];

pub const CONTACT_FIELDS: &[Field<contact::Column>] = &[
    Field { name: "first_name", column: contact::Column::FirstName, kind: FieldKind::Text },
    Field { name: "last_name", column: contact::Column::LastName, kind: FieldKind::Text },
    Field { name: "title", column: contact::Column::Title, kind: FieldKind::Text },
    Field { name: "email", column: contact::Column::Email, kind: FieldKind::Text },
    Field { name: "phone", column: contact::Column::Phone, kind: FieldKind::Text },
    Field { name: "account_id", column: contact::Column::AccountId, kind: FieldKind::Uuid },
    Field { name: "owner_id", column: contact::Column::OwnerId, kind: FieldKind::Uuid },
    Field { name: "partner_id", column: contact::Column::PartnerId, kind: FieldKind::Uuid },
    Field { name: "mailing_address.city", column: contact::Column::MailingCity, kind: FieldKind::Text },
    Field { name: "create_time", column: contact::Column::CreateTime, kind: FieldKind::Timestamp },
    Field { name: "update_time", column: contact::Column::UpdateTime, kind: FieldKind::Timestamp },
];

/// The collections whose views this service keeps (`prm.record.v1.ViewService`).
pub static VIEWS: &[&dyn views::ViewCollection] = &[&ACCOUNT_VIEWS, &CONTACT_VIEWS];

/// Saved and built-in views of the account list.
pub static ACCOUNT_VIEWS: views::Collection<account::Column> = views::Collection {
    name: "accounts",
    fields: ACCOUNT_FIELDS,
    id_column: account::Column::Id,
    default_order: "create_time desc",
    display_only: &[],
    default_columns: &["name", "type", "industry", "phone", "billing_address.city", "owner_id"],
    built_ins: |caller| {
        vec![
            BuiltIn { id: "all", name: "All accounts", filter: String::new(), order_by: "name" },
            BuiltIn {
                id: "mine",
                name: "My accounts",
                filter: format!(r#"owner_id = "{}""#, caller.user_id),
                order_by: "name",
            },
            BuiltIn { id: "customers", name: "Customers", filter: r#"type = "customer""#.into(), order_by: "name" },
        ]
    },
};

/// Saved and built-in views of the contact list.
pub static CONTACT_VIEWS: views::Collection<contact::Column> = views::Collection {
    name: "contacts",
    fields: CONTACT_FIELDS,
    id_column: contact::Column::Id,
    default_order: "create_time desc",
    display_only: &[],
    default_columns: &["last_name", "title", "account_id", "email", "phone"],
    built_ins: |caller| {
        vec![
            BuiltIn { id: "all", name: "All contacts", filter: String::new(), order_by: "last_name" },
            BuiltIn {
                id: "mine",
                name: "My contacts",
                filter: format!(r#"owner_id = "{}""#, caller.user_id),
                order_by: "last_name",
            },
        ]
    },
};

fn account_sort_key(a: &account::Model, field: &str) -> (SortValue, Uuid) {
    let v: SortValue = match field {
        "name" => a.name.as_str().into(),
        "type" => a.account_type.as_str().into(),
        "industry" => a.industry.as_str().into(),
        "website" => a.website.as_str().into(),
        "phone" => a.phone.as_str().into(),
        "vat_number" => a.vat_number.as_str().into(),
        "billing_address.city" => a.billing_city.as_str().into(),
        "billing_address.country" => a.billing_country.as_str().into(),
        "owner_id" => a.owner_id.into(),
        "partner_id" => a.partner_id.into(),
        "update_time" => a.update_time.into(),
        _ => a.create_time.into(),
    };
    (v, a.id)
}

fn contact_sort_key(c: &contact::Model, field: &str) -> (SortValue, Uuid) {
    let v: SortValue = match field {
        "first_name" => c.first_name.as_str().into(),
        "last_name" => c.last_name.as_str().into(),
        "title" => c.title.as_str().into(),
        "email" => c.email.as_str().into(),
        "phone" => c.phone.as_str().into(),
        "account_id" => c.account_id.into(),
        "owner_id" => c.owner_id.into(),
        "partner_id" => c.partner_id.into(),
        "mailing_address.city" => c.mailing_city.as_str().into(),
        "update_time" => c.update_time.into(),
        _ => c.create_time.into(),
    };
    (v, c.id)
}

fn address_in(a: Option<&PbAddress>) -> Address {
    a.map(|a| Address {
        street: a.street.clone(),
        city: a.city.clone(),
        postal_code: a.postal_code.clone(),
        region: a.region.clone(),
        country: a.country.clone(),
    })
    .unwrap_or_default()
}

fn address_out(a: &Address) -> Option<PbAddress> {
    Some(PbAddress {
        street: a.street.clone(),
        city: a.city.clone(),
        postal_code: a.postal_code.clone(),
        region: a.region.clone(),
        country: a.country.clone(),
    })
}

/// `required_type`: whether an unset type is an error (an update that names
/// `type`) or means the default (a create).
fn account_type_in(v: i32, required_type: bool) -> Result<AccountType> {
    match pb::AccountType::try_from(v) {
        Ok(pb::AccountType::Unspecified) if required_type => Err(Error::invalid("type", "is required")),
        Ok(pb::AccountType::Unspecified) => Ok(AccountType::Prospect),
        Ok(pb::AccountType::Prospect) => Ok(AccountType::Prospect),
        Ok(pb::AccountType::Customer) => Ok(AccountType::Customer),
        Ok(pb::AccountType::FormerCustomer) => Ok(AccountType::FormerCustomer),
        Err(_) => Err(Error::invalid("type", format!("unknown account type {v}"))),
    }
}

fn account_type_out(t: AccountType) -> pb::AccountType {
    match t {
        AccountType::Prospect => pb::AccountType::Prospect,
        AccountType::Customer => pb::AccountType::Customer,
        AccountType::FormerCustomer => pb::AccountType::FormerCustomer,
    }
}

fn account_in(a: &pb::Account, required_type: bool) -> Result<AccountFields> {
    Ok(AccountFields {
        name: a.name.clone(),
        account_type: account_type_in(a.r#type, required_type)?,
        industry: a.industry.clone(),
        website: a.website.clone(),
        phone: a.phone.clone(),
        vat_number: a.vat_number.clone(),
        billing_address: address_in(a.billing_address.as_ref()),
        shipping_address: address_in(a.shipping_address.as_ref()),
    })
}

pub fn account_out(m: &account::Model) -> pb::Account {
    let f = m.fields();
    pb::Account {
        id: m.id.to_string(),
        partner_id: m.partner_id.to_string(),
        owner_id: m.owner_id.to_string(),
        name: f.name,
        r#type: account_type_out(f.account_type) as i32,
        industry: f.industry,
        website: f.website,
        phone: f.phone,
        vat_number: f.vat_number,
        billing_address: address_out(&f.billing_address),
        shipping_address: address_out(&f.shipping_address),
        create_time: Some(time::to_proto(m.create_time)),
        update_time: Some(time::to_proto(m.update_time)),
    }
}

fn contact_in(c: &pb::Contact) -> Result<ContactFields> {
    let account_id = if c.account_id.is_empty() { None } else { Some(parse_id(&c.account_id, "account_id")?) };
    Ok(ContactFields {
        account_id,
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        title: c.title.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        mailing_address: address_in(c.mailing_address.as_ref()),
    })
}

pub fn contact_out(m: &contact::Model) -> pb::Contact {
    let f = m.fields();
    pb::Contact {
        id: m.id.to_string(),
        partner_id: m.partner_id.to_string(),
        owner_id: m.owner_id.to_string(),
        account_id: m.account_id.to_string(),
        first_name: f.first_name,
        last_name: f.last_name,
        title: f.title,
        email: f.email,
        phone: f.phone,
        mailing_address: address_out(&f.mailing_address),
        create_time: Some(time::to_proto(m.create_time)),
        update_time: Some(time::to_proto(m.update_time)),
    }
}

fn mask_paths(mask: Option<&prost_types::FieldMask>) -> Vec<String> {
    mask.map(|m| m.paths.clone()).unwrap_or_default()
}

/// A client-chosen id of a create (empty: the service chooses). A create
/// repeated with the same id answers the record the first one made.
fn chosen_id(s: &str, field: &str) -> Result<Option<Uuid>> {
    if s.is_empty() { Ok(None) } else { parse_id(s, field).map(Some) }
}

fn no_such_account() -> Error {
    Error::invalid("account_id", "names no account of this partner")
}

type Reply<T> = std::result::Result<Response<T>, Status>;

#[tonic::async_trait]
impl AccountService for AccountApi {
    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn get_account(&self, req: Request<pb::GetAccountRequest>) -> Reply<pb::GetAccountResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let a = owned::find::<account::Entity, _>(&self.db, &caller, id).await?;
        Ok(Response::new(pb::GetAccountResponse { account: Some(account_out(&a)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_accounts(&self, req: Request<pb::ListAccountsRequest>) -> Reply<pb::ListAccountsResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let listing = Listing::parse(
            ListParams { page_size: r.page_size, page_token: &r.page_token, filter: &r.filter, order_by: &r.order_by },
            ACCOUNT_FIELDS,
            account::Column::Id,
            "create_time desc",
        )?;
        let rows =
            listing.apply(owned::visible::<account::Entity>(&caller)).all(&self.db).await.map_err(Error::from)?;
        let (rows, next_page_token) = listing.page(rows, account_sort_key);
        Ok(Response::new(pb::ListAccountsResponse {
            accounts: rows.iter().map(account_out).collect(),
            next_page_token,
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn create_account(&self, req: Request<pb::CreateAccountRequest>) -> Reply<pb::CreateAccountResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let raw = r.account.as_ref().ok_or_else(|| Error::invalid("account", "is required"))?;
        let chosen_id = chosen_id(&r.account_id, "account_id")?;
        let fields = AccountFields::parse(&account_in(raw, false)?)?;
        let partner_id = caller.creating_partner()?;
        let now = time::now();
        let mut m = account::Model {
            id: chosen_id.unwrap_or_else(Uuid::now_v7),
            partner_id,
            owner_id: caller.user_id,
            name: String::new(),
            account_type: String::new(),
            industry: String::new(),
            website: String::new(),
            phone: String::new(),
            phone_digits: String::new(),
            vat_number: String::new(),
            billing_street: String::new(),
            billing_city: String::new(),
            billing_postal_code: String::new(),
            billing_region: String::new(),
            billing_country: String::new(),
            shipping_street: String::new(),
            shipping_city: String::new(),
            shipping_postal_code: String::new(),
            shipping_region: String::new(),
            shipping_country: String::new(),
            create_time: now,
            update_time: now,
        };
        m.set_fields(&fields);
        let m = match chosen_id {
            Some(_) => owned::insert_once::<account::Entity>(&self.db, m).await?,
            None => {
                let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
                let m = m.into_active_model().reset_all().insert(&txn).await.map_err(Error::from)?;
                crate::store::index_account(&txn, &m).await?;
                txn.commit().await.map_err(Error::from)?;
                m
            }
        };
        tracing::info!(account_id = %m.id, partner_id = %m.partner_id, "account created");
        Ok(Response::new(pb::CreateAccountResponse { account: Some(account_out(&m)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn update_account(&self, req: Request<pb::UpdateAccountRequest>) -> Reply<pb::UpdateAccountResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let raw = r.account.ok_or_else(|| Error::invalid("account", "is required"))?;
        let id = parse_id(&raw.id, "id")?;
        let mask = mask_paths(r.update_mask.as_ref());
        let patch = account_in(&raw, mask.iter().any(|p| p == "type"))?;
        let updated = owned::edit::<account::Entity>(&self.db, &caller, id, |current| {
            let before = current.fields();
            let after = before.patched(&patch, &mask)?;
            let mut next = current.clone();
            next.set_fields(&after);
            next.update_time = time::now();
            let changes = before.changes(&after);
            Ok((!changes.is_empty()).then_some((next, changes)))
        })
        .await?;
        Ok(Response::new(pb::UpdateAccountResponse { account: Some(account_out(&updated)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn delete_account(&self, req: Request<pb::DeleteAccountRequest>) -> Reply<pb::DeleteAccountResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        // Contacts, and the projects (whose quotes and orders name the
        // account too) refuse the delete; a project is always the parent of
        // the account's quotes and orders, so asking the project service is
        // enough. The fence keeps a project created meanwhile from naming
        // the account once it is gone; contacts are counted again in the
        // delete's own transaction.
        let refuse = |why: Option<String>| why.map_or(Ok(()), |why| Err(Error::FailedPrecondition(why)));
        owned::delete_fenced::<account::Entity, _, _, _>(
            &self.db,
            &caller,
            id,
            |current| {
                let partner_id = current.partner_id;
                async move {
                    let (projects, more) = self.projects_of(partner_id, id).await?;
                    refuse(delete_refusal(contact_count(&self.db, id).await?, &projects, more))
                }
            },
            |txn| Box::pin(async move { refuse(delete_refusal(contact_count(txn, id).await?, &[], false)) }),
        )
        .await?;
        Ok(Response::new(pb::DeleteAccountResponse {}))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn change_account_owner(
        &self,
        req: Request<pb::ChangeAccountOwnerRequest>,
    ) -> Reply<pb::ChangeAccountOwnerResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let new_owner = parse_id(&req.get_ref().new_owner_id, "new_owner_id")?;
        let updated = owned::change_owner::<account::Entity>(&self.db, &caller, id, new_owner).await?;
        Ok(Response::new(pb::ChangeAccountOwnerResponse { account: Some(account_out(&updated)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn get_contact(&self, req: Request<pb::GetContactRequest>) -> Reply<pb::GetContactResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let c = owned::find::<contact::Entity, _>(&self.db, &caller, id).await?;
        Ok(Response::new(pb::GetContactResponse { contact: Some(contact_out(&c)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_contacts(&self, req: Request<pb::ListContactsRequest>) -> Reply<pb::ListContactsResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let listing = Listing::parse(
            ListParams { page_size: r.page_size, page_token: &r.page_token, filter: &r.filter, order_by: &r.order_by },
            CONTACT_FIELDS,
            contact::Column::Id,
            "create_time desc",
        )?;
        let rows =
            listing.apply(owned::visible::<contact::Entity>(&caller)).all(&self.db).await.map_err(Error::from)?;
        let (rows, next_page_token) = listing.page(rows, contact_sort_key);
        Ok(Response::new(pb::ListContactsResponse {
            contacts: rows.iter().map(contact_out).collect(),
            next_page_token,
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn create_contact(&self, req: Request<pb::CreateContactRequest>) -> Reply<pb::CreateContactResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let raw = r.contact.as_ref().ok_or_else(|| Error::invalid("contact", "is required"))?;
        let chosen_id = chosen_id(&r.contact_id, "contact_id")?;
        let fields = ContactFields::parse(&contact_in(raw)?)?;
        let partner_id = caller.creating_partner()?;
        let account_id = fields.account_id.expect("parsed contacts have an account");
        // A new contact belongs to an account the caller sees, of the caller's partner.
        match owned::find::<account::Entity, _>(&self.db, &caller, account_id).await {
            Ok(a) if a.partner_id == partner_id => {}
            _ => return Err(no_such_account().into()),
        }
        let now = time::now();
        let mut m = contact::Model {
            id: chosen_id.unwrap_or_else(Uuid::now_v7),
            partner_id,
            owner_id: caller.user_id,
            account_id,
            first_name: String::new(),
            last_name: String::new(),
            title: String::new(),
            email: String::new(),
            phone: String::new(),
            phone_digits: String::new(),
            mailing_street: String::new(),
            mailing_city: String::new(),
            mailing_postal_code: String::new(),
            mailing_region: String::new(),
            mailing_country: String::new(),
            create_time: now,
            update_time: now,
        };
        m.set_fields(&fields);
        let m = match chosen_id {
            Some(_) => owned::insert_once::<contact::Entity>(&self.db, m).await?,
            None => {
                let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
                let m = m.into_active_model().reset_all().insert(&txn).await.map_err(Error::from)?;
                crate::store::index_contact(&txn, &m).await?;
                txn.commit().await.map_err(Error::from)?;
                m
            }
        };
        Ok(Response::new(pb::CreateContactResponse { contact: Some(contact_out(&m)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn update_contact(&self, req: Request<pb::UpdateContactRequest>) -> Reply<pb::UpdateContactResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let raw = r.contact.ok_or_else(|| Error::invalid("contact", "is required"))?;
        let id = parse_id(&raw.id, "id")?;
        let mask = mask_paths(r.update_mask.as_ref());
        let patch = contact_in(&raw)?;
        // A contact moves only to an account the caller sees, of its own partner.
        let new_account_partner = match patch.account_id.filter(|_| mask.iter().any(|p| p == "account_id")) {
            Some(a) => Some(
                owned::find::<account::Entity, _>(&self.db, &caller, a)
                    .await
                    .map_err(|_| no_such_account())?
                    .partner_id,
            ),
            None => None,
        };
        let updated = owned::edit::<contact::Entity>(&self.db, &caller, id, |current| {
            if new_account_partner.is_some_and(|p| p != current.partner_id) {
                return Err(no_such_account());
            }
            let before = current.fields();
            let after = before.patched(&patch, &mask)?;
            let mut next = current.clone();
            next.set_fields(&after);
            next.update_time = time::now();
            let changes = before.changes(&after);
            Ok((!changes.is_empty()).then_some((next, changes)))
        })
        .await?;
        Ok(Response::new(pb::UpdateContactResponse { contact: Some(contact_out(&updated)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn delete_contact(&self, req: Request<pb::DeleteContactRequest>) -> Reply<pb::DeleteContactResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let current = owned::find::<contact::Entity, _>(&self.db, &caller, id).await?;
        owned::delete::<contact::Entity, _>(&self.db, &caller, id, |txn| {
            Box::pin(async move {
                // The contact leaves the contact roles of its projects.
                let payload = serde_json::json!({ "contact_id": id, "partner_id": current.partner_id });
                outbox::enqueue(txn, "contact.deleted", id, &payload).await?;
                Ok(())
            })
        })
        .await?;
        Ok(Response::new(pb::DeleteContactResponse {}))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn change_contact_owner(
        &self,
        req: Request<pb::ChangeContactOwnerRequest>,
    ) -> Reply<pb::ChangeContactOwnerResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let new_owner = parse_id(&req.get_ref().new_owner_id, "new_owner_id")?;
        let updated = owned::change_owner::<contact::Entity>(&self.db, &caller, id, new_owner).await?;
        Ok(Response::new(pb::ChangeContactOwnerResponse { contact: Some(contact_out(&updated)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn search(&self, req: Request<pb::SearchRequest>) -> Reply<pb::SearchResponse> {
        // The service's global search documents, in its list's words.
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let found =
            prm_kit::search::search(&self.db, crate::aggregates::search_scopes(&caller), &r.query, r.page_size).await?;
        let hits = found
            .into_iter()
            .map(|h| pb::SearchHit { record: h.record, title: h.title, subtitle: h.subtitle, score: h.score })
            .collect();
        Ok(Response::new(pb::SearchResponse { hits }))
    }
}

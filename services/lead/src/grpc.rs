//! `prm.lead.v1.LeadService`: proto ⇄ domain translation, calling the domain
//! rules, the store and the conversion saga.

use std::sync::Arc;

use prm_kit::{
    Caller, Error, Result, Role,
    db::begin_write,
    listing::{Field, FieldKind, ListParams, Listing, SortValue},
    owned,
    record::{self, FieldDiff, parse_id},
    text, time,
    views::{self, BuiltIn},
};
use prm_proto::{
    common::v1::{Address as PbAddress, RecordType},
    lead::v1::{self as pb, lead_service_server::LeadService},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::{
    convert::{Converter, RecoveryGuard, in_progress},
    domain::{
        Acceptance, Address, LeadFields, LeadStatus, ProjectInput, ProjectRecordType, Solution, Source, VENDOR_POOL,
        check_decide, check_distribute, company_key, email_key,
    },
    store::lead,
};

pub struct LeadApi {
    db: DatabaseConnection,
    converter: Arc<Converter>,
    /// Held so that the recovery task stops with the service.
    _recovery: Arc<RecoveryGuard>,
}

impl LeadApi {
    pub fn new(db: DatabaseConnection, converter: Arc<Converter>, recovery: RecoveryGuard) -> Self {
        LeadApi { db, converter, _recovery: Arc::new(recovery) }
    }
}

pub const LEAD_FIELDS: &[Field<lead::Column>] = &[
    Field { name: "company", column: lead::Column::Company, kind: FieldKind::Text },
    Field { name: "first_name", column: lead::Column::FirstName, kind: FieldKind::Text },
    Field { name: "last_name", column: lead::Column::LastName, kind: FieldKind::Text },
    Field { name: "title", column: lead::Column::Title, kind: FieldKind::Text },
    Field { name: "email", column: lead::Column::Email, kind: FieldKind::Text },
    Field { name: "phone", column: lead::Column::Phone, kind: FieldKind::Text },
    Field { name: "source", column: lead::Column::Source, kind: FieldKind::Enum(Source::NAMES) },
    Field { name: "status", column: lead::Column::Status, kind: FieldKind::Enum(LeadStatus::NAMES) },
    Field { name: "acceptance_state", column: lead::Column::Acceptance, kind: FieldKind::Enum(Acceptance::NAMES) },
    Field { name: "address.city", column: lead::Column::City, kind: FieldKind::Text },
    Field { name: "address.country", column: lead::Column::Country, kind: FieldKind::Text },
    Field { name: "owner_id", column: lead::Column::OwnerId, kind: FieldKind::Uuid },
    Field { name: "partner_id", column: lead::Column::PartnerId, kind: FieldKind::Uuid },
    Field { name: "distributed_partner_id", column: lead::Column::DistributedPartnerId, kind: FieldKind::Uuid },
    Field { name: "create_time", column: lead::Column::CreateTime, kind: FieldKind::Timestamp },
    Field { name: "update_time", column: lead::Column::UpdateTime, kind: FieldKind::Timestamp },
];

/// The collections whose views this service keeps (`prm.record.v1.ViewService`).
pub static VIEWS: &[&dyn views::ViewCollection] = &[&LEAD_VIEWS];

/// Saved and built-in views of the lead list.
pub static LEAD_VIEWS: views::Collection<lead::Column> = views::Collection {
    name: "leads",
    fields: LEAD_FIELDS,
    id_column: lead::Column::Id,
    default_order: "create_time desc",
    display_only: &[],
    default_columns: &["company", "last_name", "email", "status", "source", "owner_id"],
    built_ins: |caller| {
        vec![
            BuiltIn { id: "all", name: "All leads", filter: String::new(), order_by: "" },
            BuiltIn {
                id: "open",
                name: "Open leads",
                filter: r#"status != "converted" AND status != "unqualified""#.into(),
                order_by: "",
            },
            BuiltIn {
                id: "mine",
                name: "My leads",
                filter: format!(r#"owner_id = "{}""#, caller.user_id),
                order_by: "",
            },
            BuiltIn {
                id: "pending",
                name: "Distributed, pending",
                filter: r#"acceptance_state = "pending""#.into(),
                order_by: "",
            },
        ]
    },
};

fn sort_key(l: &lead::Model, field: &str) -> (SortValue, Uuid) {
    let v: SortValue = match field {
        "company" => l.company.as_str().into(),
        "first_name" => l.first_name.as_str().into(),
        "last_name" => l.last_name.as_str().into(),
        "title" => l.title.as_str().into(),
        "email" => l.email.as_str().into(),
        "phone" => l.phone.as_str().into(),
        "source" => l.source.as_str().into(),
        "status" => l.status.as_str().into(),
        "acceptance_state" => l.acceptance.as_str().into(),
        "address.city" => l.city.as_str().into(),
        "address.country" => l.country.as_str().into(),
        "owner_id" => l.owner_id.into(),
        "partner_id" => l.partner_id.into(),
        "distributed_partner_id" => l.distributed_partner_id.unwrap_or_default().into(),
        "update_time" => l.update_time.into(),
        _ => l.create_time.into(),
    };
    (v, l.id)
}

fn source_in(v: i32, required: bool) -> Result<Source> {
    match pb::LeadSource::try_from(v) {
        Ok(pb::LeadSource::Unspecified) if required => Err(Error::invalid("source", "is required")),
        Ok(pb::LeadSource::Unspecified) | Ok(pb::LeadSource::Other) => Ok(Source::Other),
        Ok(pb::LeadSource::Web) => Ok(Source::Web),
        Ok(pb::LeadSource::Referral) => Ok(Source::Referral),
        Ok(pb::LeadSource::Event) => Ok(Source::Event),
        Ok(pb::LeadSource::VendorDistributed) => Ok(Source::VendorDistributed),
        Err(_) => Err(Error::invalid("source", format!("unknown source {v}"))),
    }
}

fn source_out(s: Source) -> pb::LeadSource {
    match s {
        Source::Web => pb::LeadSource::Web,
        Source::Referral => pb::LeadSource::Referral,
        Source::Event => pb::LeadSource::Event,
        Source::VendorDistributed => pb::LeadSource::VendorDistributed,
        Source::Other => pb::LeadSource::Other,
    }
}

fn status_in(v: i32, required: bool) -> Result<LeadStatus> {
    match pb::LeadStatus::try_from(v) {
        Ok(pb::LeadStatus::Unspecified) if required => Err(Error::invalid("status", "is required")),
        Ok(pb::LeadStatus::Unspecified) | Ok(pb::LeadStatus::New) => Ok(LeadStatus::New),
        Ok(pb::LeadStatus::Working) => Ok(LeadStatus::Working),
        Ok(pb::LeadStatus::Nurturing) => Ok(LeadStatus::Nurturing),
        Ok(pb::LeadStatus::Qualified) => Ok(LeadStatus::Qualified),
        Ok(pb::LeadStatus::Unqualified) => Ok(LeadStatus::Unqualified),
        Ok(pb::LeadStatus::Converted) => Ok(LeadStatus::Converted),
        Err(_) => Err(Error::invalid("status", format!("unknown status {v}"))),
    }
}

fn status_out(s: LeadStatus) -> pb::LeadStatus {
    match s {
        LeadStatus::New => pb::LeadStatus::New,
        LeadStatus::Working => pb::LeadStatus::Working,
        LeadStatus::Nurturing => pb::LeadStatus::Nurturing,
        LeadStatus::Qualified => pb::LeadStatus::Qualified,
        LeadStatus::Unqualified => pb::LeadStatus::Unqualified,
        LeadStatus::Converted => pb::LeadStatus::Converted,
    }
}

fn solutions_in(v: &[i32]) -> Result<Vec<Solution>> {
    v.iter()
        .map(|s| match pb::Solution::try_from(*s) {
            Ok(pb::Solution::Licenses) => Ok(Solution::Licenses),
            Ok(pb::Solution::Hwaas) => Ok(Solution::Hwaas),
            Ok(pb::Solution::Classound) => Ok(Solution::Classound),
            _ => Err(Error::invalid("interested_solutions", format!("unknown solution {s}"))),
        })
        .collect()
}

fn solution_out(s: Solution) -> pb::Solution {
    match s {
        Solution::Licenses => pb::Solution::Licenses,
        Solution::Hwaas => pb::Solution::Hwaas,
        Solution::Classound => pb::Solution::Classound,
    }
}

fn acceptance_out(a: Option<Acceptance>) -> pb::AcceptanceState {
    match a {
        None => pb::AcceptanceState::Unspecified,
        Some(Acceptance::Pending) => pb::AcceptanceState::Pending,
        Some(Acceptance::Accepted) => pb::AcceptanceState::Accepted,
        Some(Acceptance::Rejected) => pb::AcceptanceState::Rejected,
    }
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

/// `mask`: the paths of an update, whose enums must then be given; `None` on create.
fn lead_in(l: &pb::Lead, mask: Option<&[String]>) -> Result<LeadFields> {
    let named = |p: &str| mask.is_some_and(|m| m.iter().any(|x| x == p));
    Ok(LeadFields {
        company: l.company.clone(),
        first_name: l.first_name.clone(),
        last_name: l.last_name.clone(),
        title: l.title.clone(),
        email: l.email.clone(),
        phone: l.phone.clone(),
        address: address_in(l.address.as_ref()),
        source: source_in(l.source, named("source"))?,
        status: status_in(l.status, named("status"))?,
        estimated_users: l.estimated_users,
        interested_solutions: solutions_in(&l.interested_solutions)?,
        description: l.description.clone(),
    })
}

fn id_out(id: Option<Uuid>) -> String {
    id.map(|u| u.to_string()).unwrap_or_default()
}

pub fn lead_out(m: &lead::Model) -> pb::Lead {
    let f = m.fields();
    pb::Lead {
        id: m.id.to_string(),
        partner_id: if m.partner_id == VENDOR_POOL { String::new() } else { m.partner_id.to_string() },
        owner_id: m.owner_id.to_string(),
        company: f.company,
        first_name: f.first_name,
        last_name: f.last_name,
        title: f.title,
        email: f.email,
        phone: f.phone,
        address: Some(PbAddress {
            street: f.address.street,
            city: f.address.city,
            postal_code: f.address.postal_code,
            region: f.address.region,
            country: f.address.country,
        }),
        source: source_out(f.source) as i32,
        status: status_out(f.status) as i32,
        estimated_users: f.estimated_users,
        interested_solutions: f.interested_solutions.iter().map(|s| solution_out(*s) as i32).collect(),
        description: f.description,
        acceptance_state: acceptance_out(m.acceptance()) as i32,
        distributed_partner_id: id_out(m.distributed_partner_id),
        reject_reason: m.reject_reason.clone(),
        distribute_time: m.distribute_time.map(time::to_proto),
        converted_account_id: id_out(m.account_id),
        converted_contact_id: id_out(m.contact_id),
        converted_project_id: id_out(m.project_id),
        convert_time: m.convert_time.map(time::to_proto),
        create_time: Some(time::to_proto(m.create_time)),
        update_time: Some(time::to_proto(m.update_time)),
    }
}

fn mask_paths(mask: Option<&prost_types::FieldMask>) -> Vec<String> {
    mask.map(|m| m.paths.clone()).unwrap_or_default()
}

/// The leads in `caller`'s scope that a lead with these keys likely
/// duplicates (see [`crate::domain`]), `except` itself.
async fn duplicates(
    db: &DatabaseConnection,
    caller: &Caller,
    (email_key, company_key, phone_digits): (&str, &str, &str),
    except: Option<Uuid>,
) -> Result<Vec<lead::Model>> {
    let mut any = Condition::any();
    if !email_key.is_empty() {
        any = any.add(lead::Column::EmailKey.eq(email_key));
    }
    if !phone_digits.is_empty() && !company_key.is_empty() {
        any = any.add(
            Condition::all()
                .add(lead::Column::CompanyKey.eq(company_key))
                .add(lead::Column::PhoneDigits.eq(phone_digits)),
        );
    }
    if any.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = owned::visible::<lead::Entity>(caller).filter(any);
    if let Some(id) = except {
        q = q.filter(lead::Column::Id.ne(id));
    }
    Ok(q.order_by_desc(lead::Column::CreateTime).limit(MAX_DUPLICATES).all(db).await?)
}

/// At most this many duplicates come back.
const MAX_DUPLICATES: u64 = 20;

/// A change to a lead that the edit rules do not cover (distribution and
/// its decision): locked, checked and written with its history in one
/// transaction. `apply` sees the visible row and answers the next one.
async fn transition(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    apply: impl FnOnce(&lead::Model) -> Result<(lead::Model, Vec<FieldDiff>)>,
) -> Result<lead::Model> {
    let txn = begin_write(db).await?;
    let current = owned::find_for_update::<lead::Entity, _>(&txn, caller, id).await?;
    let (mut next, changes) = apply(&current)?;
    next.update_time = time::now();
    let next = next.into_active_model().reset_all().update(&txn).await?;
    // Its partner and status show in search.
    crate::store::index(&txn, &next).await?;
    // History belongs to the partner that holds the lead after the change.
    record::write_history(&txn, RecordType::Lead, id, next.partner_id, caller.user_id, &changes).await?;
    txn.commit().await?;
    Ok(next)
}

type Reply<T> = std::result::Result<Response<T>, Status>;

#[tonic::async_trait]
impl LeadService for LeadApi {
    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn get_lead(&self, req: Request<pb::GetLeadRequest>) -> Reply<pb::GetLeadResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let l = owned::find::<lead::Entity, _>(&self.db, &caller, id).await?;
        Ok(Response::new(pb::GetLeadResponse { lead: Some(lead_out(&l)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_leads(&self, req: Request<pb::ListLeadsRequest>) -> Reply<pb::ListLeadsResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let listing = Listing::parse(
            ListParams { page_size: r.page_size, page_token: &r.page_token, filter: &r.filter, order_by: &r.order_by },
            LEAD_FIELDS,
            lead::Column::Id,
            "create_time desc",
        )?;
        let rows = listing.apply(owned::visible::<lead::Entity>(&caller)).all(&self.db).await.map_err(Error::from)?;
        let (rows, next_page_token) = listing.page(rows, sort_key);
        Ok(Response::new(pb::ListLeadsResponse { leads: rows.iter().map(lead_out).collect(), next_page_token }))
    }

    #[tracing::instrument(skip_all)]
    async fn create_lead(&self, req: Request<pb::CreateLeadRequest>) -> Reply<pb::CreateLeadResponse> {
        let caller = Caller::of(&req)?;
        let raw = req.get_ref().lead.as_ref().ok_or_else(|| Error::invalid("lead", "is required"))?;
        let fields = LeadFields::parse_new(&lead_in(raw, None)?)?;
        // Partner people create their partner's leads; vendor admins the pool's.
        let partner_id = match caller.role {
            Role::VendorAdmin => VENDOR_POOL,
            _ => caller.creating_partner()?,
        };
        let m = lead::Model::new(Uuid::now_v7(), partner_id, caller.user_id, &fields);
        let dups = duplicates(&self.db, &caller, (&m.email_key, &m.company_key, &m.phone_digits), Some(m.id)).await?;
        let txn = begin_write(&self.db).await.map_err(Error::from)?;
        let m = m.into_active_model().reset_all().insert(&txn).await.map_err(Error::from)?;
        crate::store::index(&txn, &m).await?;
        txn.commit().await.map_err(Error::from)?;
        tracing::info!(lead_id = %m.id, partner_id = %m.partner_id, duplicates = dups.len(), "lead created");
        Ok(Response::new(pb::CreateLeadResponse {
            lead: Some(lead_out(&m)),
            duplicates: dups.iter().map(lead_out).collect(),
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn find_duplicate_leads(
        &self,
        req: Request<pb::FindDuplicateLeadsRequest>,
    ) -> Reply<pb::FindDuplicateLeadsResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        // No longer than a lead's own fields may be.
        for (field, value, max) in [("email", &r.email, 254), ("company", &r.company, 255), ("phone", &r.phone, 50)] {
            text::line(field, value, max)?;
        }
        let keys = (email_key(&r.email), company_key(&r.company), prm_kit::text::digits(&r.phone));
        let dups = duplicates(&self.db, &caller, (&keys.0, &keys.1, &keys.2), None).await?;
        Ok(Response::new(pb::FindDuplicateLeadsResponse { duplicates: dups.iter().map(lead_out).collect() }))
    }

    #[tracing::instrument(skip_all)]
    async fn update_lead(&self, req: Request<pb::UpdateLeadRequest>) -> Reply<pb::UpdateLeadResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let raw = r.lead.ok_or_else(|| Error::invalid("lead", "is required"))?;
        let id = parse_id(&raw.id, "id")?;
        let mask = mask_paths(r.update_mask.as_ref());
        let patch = lead_in(&raw, Some(&mask))?;
        // A lead being converted keeps the fields its conversion copies.
        owned::find::<lead::Entity, _>(&self.db, &caller, id).await?;
        if in_progress(&self.db, id).await? {
            return Err(Error::FailedPrecondition("the lead is being converted".into()).into());
        }
        let updated = owned::edit::<lead::Entity>(&self.db, &caller, id, |current| {
            let before = current.fields();
            let after = before.patched(&patch, &mask)?;
            let mut next = current.clone();
            next.set_fields(&after);
            next.update_time = time::now();
            Ok(Some((next, before.changes(&after))))
        })
        .await?;
        Ok(Response::new(pb::UpdateLeadResponse { lead: Some(lead_out(&updated)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn delete_lead(&self, req: Request<pb::DeleteLeadRequest>) -> Reply<pb::DeleteLeadResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        owned::delete::<lead::Entity, _>(&self.db, &caller, id, |txn| {
            Box::pin(async move {
                if in_progress(txn, id).await? {
                    return Err(Error::FailedPrecondition("the lead is being converted".into()));
                }
                Ok(())
            })
        })
        .await?;
        Ok(Response::new(pb::DeleteLeadResponse {}))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn change_lead_owner(&self, req: Request<pb::ChangeLeadOwnerRequest>) -> Reply<pb::ChangeLeadOwnerResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let new_owner = parse_id(&req.get_ref().new_owner_id, "new_owner_id")?;
        let updated = owned::change_owner::<lead::Entity>(&self.db, &caller, id, new_owner).await?;
        Ok(Response::new(pb::ChangeLeadOwnerResponse { lead: Some(lead_out(&updated)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn distribute_lead(&self, req: Request<pb::DistributeLeadRequest>) -> Reply<pb::DistributeLeadResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let partner_id = parse_id(&req.get_ref().partner_id, "partner_id")?;
        let updated = transition(&self.db, &caller, id, |current| {
            check_distribute(&caller, &current.state(), partner_id)?;
            let mut next = current.clone();
            next.partner_id = partner_id;
            next.acceptance = Acceptance::Pending.to_string();
            next.distributed_partner_id = Some(partner_id);
            next.source = Source::VendorDistributed.to_string();
            next.reject_reason = String::new();
            next.distribute_time = Some(time::now());
            // The next partner reads this entry: it does not say which
            // partner had the lead before, nor how that one answered.
            let changes = record::diff(&[
                ("source", current.source.clone(), next.source.clone()),
                ("acceptance_state", String::new(), next.acceptance.clone()),
                ("distributed_partner_id", String::new(), partner_id.to_string()),
            ]);
            Ok((next, changes))
        })
        .await?;
        tracing::info!(lead_id = %id, %partner_id, "lead distributed");
        Ok(Response::new(pb::DistributeLeadResponse { lead: Some(lead_out(&updated)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn accept_lead(&self, req: Request<pb::AcceptLeadRequest>) -> Reply<pb::AcceptLeadResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let updated = transition(&self.db, &caller, id, |current| {
            check_decide(&caller, &current.state())?;
            let mut next = current.clone();
            next.acceptance = Acceptance::Accepted.to_string();
            next.owner_id = caller.user_id;
            let changes = record::diff(&[
                ("acceptance_state", current.acceptance.clone(), next.acceptance.clone()),
                ("owner_id", current.owner_id.to_string(), next.owner_id.to_string()),
            ]);
            Ok((next, changes))
        })
        .await?;
        Ok(Response::new(pb::AcceptLeadResponse { lead: Some(lead_out(&updated)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn reject_lead(&self, req: Request<pb::RejectLeadRequest>) -> Reply<pb::RejectLeadResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let reason = text::required_line("reason", &req.get_ref().reason, 500)?;
        // The answer hands the lead out of the partner's scope, back to the
        // vendor's pool: the write runs as the system so row-level security
        // lets it through (the lead itself is found in the caller's scope).
        let updated = prm_kit::db::as_system(transition(&self.db, &caller, id, |current| {
            check_decide(&caller, &current.state())?;
            let mut next = current.clone();
            next.partner_id = VENDOR_POOL;
            next.acceptance = Acceptance::Rejected.to_string();
            next.reject_reason = reason;
            let changes = record::diff(&[
                ("acceptance_state", current.acceptance.clone(), next.acceptance.clone()),
                ("reject_reason", current.reject_reason.clone(), next.reject_reason.clone()),
            ]);
            Ok((next, changes))
        }))
        .await?;
        // The answer is the last the partner sees of it: back in the vendor's pool.
        Ok(Response::new(pb::RejectLeadResponse { lead: Some(lead_out(&updated)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn convert_lead(&self, req: Request<pb::ConvertLeadRequest>) -> Reply<pb::ConvertLeadResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let id = parse_id(&r.id, "id")?;
        let record_type = match prm_proto::project::v1::RecordType::try_from(r.project_record_type) {
            Ok(prm_proto::project::v1::RecordType::Unspecified) => None,
            Ok(prm_proto::project::v1::RecordType::NewBusiness) => Some(ProjectRecordType::NewBusiness),
            Ok(prm_proto::project::v1::RecordType::ExistingCustomer) => Some(ProjectRecordType::ExistingCustomer),
            Err(_) => return Err(Error::invalid("project_record_type", "is not a record type").into()),
        };
        let project = r.create_project.then(|| ProjectInput {
            name: r.project_name.clone(),
            record_type,
            close_date: r.project_close_date.clone(),
        });
        let lead = self.converter.convert(&caller, id, project).await?;
        Ok(Response::new(pb::ConvertLeadResponse { lead: Some(lead_out(&lead)) }))
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

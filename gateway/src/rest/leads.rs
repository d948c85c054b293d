//! `/api/v1/leads`: prospects not yet qualified, the vendor's distribution
//! of leads to partners, and conversion into an account, a contact and a
//! project.

use axum::{
    Json, Router,
    body::Bytes,
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::{DateTime, Utc};
use prm_proto::{lead::v1 as pb, project::v1::RecordType as ProjectRecordType};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::words::table;

use super::{
    AddressJson, ListQuery, Page, object, refuse_server_owned, split_verb, status::OrProblem, time, update_mask,
};
use crate::{
    app::AppState,
    problem::{ApiQuery, Problem, parse_json},
    services::Acting,
};

/// Fields the server owns on a lead.
pub const SERVER_OWNED: &[&str] = &[
    "id",
    "partner_id",
    "owner_id",
    "acceptance_state",
    "distributed_partner_id",
    "reject_reason",
    "distribute_time",
    "converted_account_id",
    "converted_contact_id",
    "converted_project_id",
    "convert_time",
    "create_time",
    "update_time",
];
const NESTED: &[&str] = &["address"];

/// A lead as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LeadJson {
    pub id: String,
    /// Empty while the lead is in the vendor's pool.
    pub partner_id: String,
    pub owner_id: String,
    pub company: String,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub address: AddressJson,
    /// `web`, `referral`, `event`, `vendor_distributed` or `other`.
    #[schema(schema_with = source_schema)]
    pub source: String,
    /// `new`, `working`, `nurturing`, `qualified`, `unqualified` or `converted`.
    #[schema(schema_with = status_schema)]
    pub status: String,
    pub estimated_users: i32,
    /// Any of `licenses`, `hwaas`, `classound`.
    #[schema(schema_with = solutions_schema)]
    pub interested_solutions: Vec<String>,
    pub description: String,
    /// For leads the vendor distributed: `pending`, `accepted` or `rejected`; else empty.
    #[schema(schema_with = acceptance_schema)]
    pub acceptance_state: String,
    pub distributed_partner_id: String,
    pub reject_reason: String,
    pub distribute_time: Option<DateTime<Utc>>,
    pub converted_account_id: String,
    pub converted_contact_id: String,
    pub converted_project_id: String,
    pub convert_time: Option<DateTime<Utc>>,
    pub create_time: Option<DateTime<Utc>>,
    pub update_time: Option<DateTime<Utc>>,
}

/// A new lead, and the leads it likely duplicates (same e-mail, or same
/// company and phone) in your scope.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedLeadJson {
    pub lead: LeadJson,
    pub duplicates: Vec<LeadJson>,
}

/// What a client writes on create (all fields) or update (the fields sent).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LeadInput {
    pub company: String,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub address: Option<AddressJson>,
    /// `web`, `referral`, `event` or `other` (default).
    #[schema(schema_with = nullable_source_schema)]
    pub source: Option<String>,
    /// `new` on create; on update, a move the status allows.
    #[schema(schema_with = nullable_status_schema)]
    pub status: Option<String>,
    pub estimated_users: i32,
    #[schema(schema_with = solutions_schema)]
    pub interested_solutions: Vec<String>,
    pub description: String,
}

/// `:convert`: a project too, with its name (the company), record type
/// (`new_business`) and close date (90 days on) unless given.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ConvertInput {
    pub create_project: bool,
    pub project_name: String,
    /// `new_business` or `existing_customer`.
    #[schema(schema_with = record_type_schema)]
    pub project_record_type: String,
    /// `2026-12-31`, or "" for 90 days from today.
    #[schema(schema_with = super::dates::date_or_empty_schema)]
    pub project_close_date: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DistributeInput {
    pub partner_id: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectInput {
    pub reason: String,
}

/// `GET /api/v1/leads:search?query=…`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, default)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Name, company, e-mail or phone (any formatting); at least 2 characters.
    pub query: String,
    pub page_size: i32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LeadHitJson {
    pub id: String,
    pub title: String,
    pub subtitle: String,
    pub score: f64,
}

table!(SOURCE, source_schema, pb::LeadSource, "LEAD_SOURCE_", empty: true);
fn nullable_source_schema() -> utoipa::openapi::schema::Object {
    SOURCE.nullable_schema(true)
}
table!(STATUS, status_schema, pb::LeadStatus, "LEAD_STATUS_", empty: true);
fn nullable_status_schema() -> utoipa::openapi::schema::Object {
    STATUS.nullable_schema(true)
}
table!(SOLUTION, solutions_schema, pb::Solution, "SOLUTION_", list);
table!(ACCEPTANCE, acceptance_schema, pb::AcceptanceState, "ACCEPTANCE_STATE_", empty: true);
table!(RECORD_TYPE, record_type_schema, ProjectRecordType, "RECORD_TYPE_", empty: true);

pub fn to_json(l: pb::Lead) -> LeadJson {
    LeadJson {
        source: SOURCE.word(l.source),
        status: STATUS.word(l.status),
        interested_solutions: l.interested_solutions.iter().map(|s| SOLUTION.word(*s)).collect(),
        acceptance_state: ACCEPTANCE.word(l.acceptance_state),
        id: l.id,
        partner_id: l.partner_id,
        owner_id: l.owner_id,
        company: l.company,
        first_name: l.first_name,
        last_name: l.last_name,
        title: l.title,
        email: l.email,
        phone: l.phone,
        address: l.address.into(),
        estimated_users: l.estimated_users,
        description: l.description,
        distributed_partner_id: l.distributed_partner_id,
        reject_reason: l.reject_reason,
        distribute_time: time(l.distribute_time),
        converted_account_id: l.converted_account_id,
        converted_contact_id: l.converted_contact_id,
        converted_project_id: l.converted_project_id,
        convert_time: time(l.convert_time),
        create_time: time(l.create_time),
        update_time: time(l.update_time),
    }
}

fn to_proto(id: String, i: LeadInput) -> Result<pb::Lead, Problem> {
    Ok(pb::Lead {
        id,
        source: SOURCE.value("source", i.source.as_deref().unwrap_or_default())?,
        status: STATUS.value("status", i.status.as_deref().unwrap_or_default())?,
        interested_solutions: SOLUTION.values("interested_solutions", &i.interested_solutions)?,
        company: i.company,
        first_name: i.first_name,
        last_name: i.last_name,
        title: i.title,
        email: i.email,
        phone: i.phone,
        address: super::address(i.address),
        estimated_users: i.estimated_users,
        description: i.description,
        ..Default::default()
    })
}

fn lead_of(l: Option<pb::Lead>) -> Json<LeadJson> {
    Json(to_json(l.unwrap_or_default()))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/leads", get(list).post(create))
        .route("/api/v1/leads:search", get(search))
        .route("/api/v1/leads:findDuplicates", post(find_duplicates))
        .route("/api/v1/leads/{id}", get(read).patch(update).delete(delete).post(custom))
}

#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", params(ListQuery),
    responses((status = 200, body = Page<LeadJson>), (status = 400, description = "bad filter, order_by or page token")))]
pub async fn list(acting: Acting, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Page<LeadJson>>, Problem> {
    let r = acting
        .leads()?
        .list_leads(pb::ListLeadsRequest {
            page_size: q.page_size,
            page_token: q.page_token,
            filter: q.filter,
            order_by: q.order_by,
        })
        .await
        .or_problem()?;
    Ok(Json(Page { items: r.leads.into_iter().map(to_json).collect(), next_page_token: r.next_page_token }))
}

#[utoipa::path(post, path = "/api/v1/leads", tag = "leads", request_body = LeadInput,
    responses((status = 201, body = CreatedLeadJson), (status = 400, description = "invalid field, named in `errors`")))]
pub async fn create(acting: Acting, body: Bytes) -> Result<Response, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    let input: LeadInput = parse_json(&body)?;
    let r = acting
        .leads()?
        .create_lead(pb::CreateLeadRequest { lead: Some(to_proto(String::new(), input)?) })
        .await
        .or_problem()?;
    let lead = to_json(r.lead.unwrap_or_default());
    let location = format!("/api/v1/leads/{}", lead.id);
    let created = CreatedLeadJson { lead, duplicates: r.duplicates.into_iter().map(to_json).collect() };
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(created)).into_response())
}

#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = String, Path)),
    responses((status = 200, body = LeadJson), (status = 404, description = "no such lead in your scope")))]
pub async fn read(acting: Acting, Path(id): Path<String>) -> Result<Json<LeadJson>, Problem> {
    let r = acting.leads()?.get_lead(pb::GetLeadRequest { id }).await.or_problem()?;
    Ok(lead_of(r.lead))
}

#[utoipa::path(patch, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = String, Path)), request_body = LeadInput,
    responses((status = 200, body = LeadJson), (status = 400), (status = 403), (status = 404),
        (status = 409, description = "a refused status move, a pending or a converted lead")))]
pub async fn update(acting: Acting, Path(id): Path<String>, body: Bytes) -> Result<Json<LeadJson>, Problem> {
    let mut map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    super::nulls_to_empty(&mut map, NESTED);
    let mask = update_mask(&map, NESTED);
    if mask.is_empty() {
        return Err(Problem::bad_request("The body names no field to update."));
    }
    let input: LeadInput = parse_json(&serde_json::to_vec(&map).map_err(Problem::internal)?)?;
    let r = acting
        .leads()?
        .update_lead(pb::UpdateLeadRequest {
            lead: Some(to_proto(id, input)?),
            update_mask: Some(prost_types::FieldMask { paths: mask }),
        })
        .await
        .or_problem()?;
    Ok(lead_of(r.lead))
}

#[utoipa::path(delete, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = String, Path)),
    responses((status = 204, description = "deleted"), (status = 403), (status = 404), (status = 409, description = "converted or being converted")))]
pub async fn delete(acting: Acting, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    acting.leads()?.delete_lead(pb::DeleteLeadRequest { id }).await.or_problem()?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/leads:search", tag = "leads", params(SearchQuery),
    responses((status = 200, body = Page<LeadHitJson>), (status = 400, description = "query too short or too long")))]
pub async fn search(acting: Acting, ApiQuery(q): ApiQuery<SearchQuery>) -> Result<Json<Page<LeadHitJson>>, Problem> {
    let r = acting.leads()?.search(pb::SearchRequest { query: q.query, page_size: q.page_size }).await.or_problem()?;
    let hits = r
        .hits
        .into_iter()
        .map(|h| LeadHitJson {
            id: h.record.map(|r| r.id).unwrap_or_default(),
            title: h.title,
            subtitle: h.subtitle,
            score: h.score,
        })
        .collect();
    Ok(Json(Page::all(hits)))
}

/// A lead as far as it has been typed: what duplicates are looked for by.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DuplicateQuery {
    pub email: String,
    pub company: String,
    pub phone: String,
}

/// The leads in the caller's scope a lead being typed would likely duplicate
/// (the same e-mail in any case, or the same company and phone digits), at
/// most 20, before it is saved. A POST so the e-mail never sits in a URL.
#[utoipa::path(post, path = "/api/v1/leads:findDuplicates", tag = "leads", request_body = DuplicateQuery,
    responses((status = 200, body = Page<LeadJson>), (status = 400, description = "a field longer than a lead's")))]
pub async fn find_duplicates(acting: Acting, body: Bytes) -> Result<Json<Page<LeadJson>>, Problem> {
    let q: DuplicateQuery = parse_json(&body)?;
    let r = acting
        .leads()?
        .find_duplicate_leads(pb::FindDuplicateLeadsRequest { email: q.email, company: q.company, phone: q.phone })
        .await
        .or_problem()?;
    Ok(Json(Page::all(r.duplicates.into_iter().map(to_json).collect())))
}

/// `POST /api/v1/leads/{id}:convert`, `:distribute`, `:accept`, `:reject`,
/// `:changeOwner`, `:follow`, `:unfollow`.
#[utoipa::path(post, path = "/api/v1/leads/{id}:convert", tag = "leads", params(("id" = String, Path)),
    request_body = ConvertInput,
    responses((status = 200, body = LeadJson, description = "the converted lead, linking to its account, contact and project; a repeated call answers the same"),
        (status = 400), (status = 403), (status = 404), (status = 409, description = "the lead is not qualified"),
        (status = 503, description = "a service was unavailable; nothing was converted")))]
pub async fn custom(acting: Acting, Path(segment): Path<String>, body: Bytes) -> Result<Response, Problem> {
    let (id, verb) = split_verb(&segment);
    let mut client = acting.leads()?;
    let lead = match verb {
        Some("convert") => {
            let i: ConvertInput = if body.is_empty() { ConvertInput::default() } else { parse_json(&body)? };
            client
                .convert_lead(pb::ConvertLeadRequest {
                    id: id.into(),
                    create_project: i.create_project,
                    project_record_type: RECORD_TYPE.value("project_record_type", &i.project_record_type)?,
                    project_name: i.project_name,
                    project_close_date: i.project_close_date,
                })
                .await
                .or_problem()?
                .lead
        }
        Some("distribute") => {
            let i: DistributeInput = parse_json(&body)?;
            // Partners are the gateway's: a lead goes only to one that exists.
            let partner = uuid::Uuid::parse_str(&i.partner_id)
                .map_err(|_| Problem::bad_request_field("partner_id", "is not a valid id"))?;
            match acting.auth.identity().get_partner(partner).await {
                Ok(_) => {}
                Err(crate::identity::IdentityError::NotFound) => {
                    return Err(Problem::bad_request_field("partner_id", "names no partner"));
                }
                Err(e) => return Err(e.into()),
            }
            client
                .distribute_lead(pb::DistributeLeadRequest { id: id.into(), partner_id: i.partner_id })
                .await
                .or_problem()?
                .lead
        }
        Some("accept") => client.accept_lead(pb::AcceptLeadRequest { id: id.into() }).await.or_problem()?.lead,
        Some("reject") => {
            let i: RejectInput = parse_json(&body)?;
            client.reject_lead(pb::RejectLeadRequest { id: id.into(), reason: i.reason }).await.or_problem()?.lead
        }
        Some("changeOwner") => {
            let i: super::accounts::ChangeOwnerInput = parse_json(&body)?;
            let current = client.get_lead(pb::GetLeadRequest { id: id.into() }).await.or_problem()?.lead;
            let partner_id = current.map(|l| l.partner_id).unwrap_or_default();
            super::records::check_colleague(&acting, &i.new_owner_id, &partner_id).await?;
            client
                .change_lead_owner(pb::ChangeLeadOwnerRequest { id: id.into(), new_owner_id: i.new_owner_id })
                .await
                .or_problem()?
                .lead
        }
        Some(verb) => return super::records::follow_verb(&acting, super::records::LEADS, id, verb).await,
        None => return Err(Problem::new(StatusCode::METHOD_NOT_ALLOWED, "POST a new lead to /api/v1/leads.")),
    };
    Ok(lead_of(lead).into_response())
}

// The other verbs `custom` serves, for the document.

#[utoipa::path(post, path = "/api/v1/leads/{id}:distribute", tag = "leads", operation_id = "distribute_lead",
    summary = "Hand a lead of the vendor's pool to a partner, pending its acceptance (vendor admin)",
    params(("id" = String, Path)), request_body = DistributeInput,
    responses((status = 200, body = LeadJson), (status = 400, description = "partner_id names no partner"),
        (status = 409, description = "the lead is not in the vendor's pool")))]
pub fn distribute_doc() {}

#[utoipa::path(post, path = "/api/v1/leads/{id}:accept", tag = "leads", operation_id = "accept_lead",
    summary = "Take a lead the vendor distributed: you become its owner (partner admin)",
    params(("id" = String, Path)),
    responses((status = 200, body = LeadJson), (status = 409, description = "the lead is not pending acceptance")))]
pub fn accept_doc() {}

#[utoipa::path(post, path = "/api/v1/leads/{id}:reject", tag = "leads", operation_id = "reject_lead",
    summary = "Decline a lead the vendor distributed, with a reason: it returns to the vendor's pool (partner admin)",
    params(("id" = String, Path)), request_body = RejectInput,
    responses((status = 200, body = LeadJson), (status = 400, description = "the reason is missing"),
        (status = 409, description = "the lead is not pending acceptance")))]
pub fn reject_doc() {}

#[utoipa::path(post, path = "/api/v1/leads/{id}:changeOwner", tag = "leads", operation_id = "change_lead_owner",
    summary = "Hand the lead to a colleague (partner admin)",
    params(("id" = String, Path)), request_body = super::accounts::ChangeOwnerInput,
    responses((status = 200, body = LeadJson), (status = 400, description = "the new owner is not a colleague")))]
pub fn change_owner_doc() {}

//! `/api/v1/cases`: support cases, their comment thread, status moves and
//! assignment. The case service owns no identity, so the gateway sends the
//! caller's e-mail address and name from its identity store with every call
//! that may lead to an e-mail (create, comment, transition, assign).

use axum::{
    Json, Router,
    body::Bytes,
    extract::Path,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use prm_proto::case::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::words::table;

use super::{
    ListQuery, Page, object, refuse_server_owned, split_verb,
    status::{OrProblem, problem},
    time, update_mask,
};
use crate::{
    app::AppState,
    identity::Role,
    problem::{ApiQuery, Problem, parse_json},
    services::Acting,
};

const SERVER_OWNED: &[&str] = &[
    "id",
    "number",
    "partner_id",
    "submitter_id",
    "submitter",
    "status",
    "assignee_id",
    "assignee",
    "comment_count",
    "create_time",
    "update_time",
    "moves",
];

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PersonJson {
    pub email: String,
    pub display_name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CaseJson {
    pub id: String,
    /// e.g. `CS-000123`.
    pub number: String,
    pub partner_id: String,
    /// The partner user who opened the case.
    pub submitter_id: String,
    pub submitter: PersonJson,
    pub subject: String,
    pub description: String,
    /// `licenses`, `hwaas`, `classound`, `hardware` or `other`.
    #[schema(schema_with = product_schema)]
    pub product: String,
    /// `low`, `medium`, `high` or `urgent`.
    #[schema(schema_with = priority_schema)]
    pub priority: String,
    /// `new`, `in_progress`, `waiting_on_partner`, `solved` or `closed`.
    #[schema(schema_with = status_schema)]
    pub status: String,
    /// The support agent on the case; empty while unassigned.
    pub assignee_id: String,
    pub assignee: Option<PersonJson>,
    /// Comments the caller may see.
    pub comment_count: i32,
    pub create_time: Option<DateTime<Utc>>,
    pub update_time: Option<DateTime<Utc>>,
    /// The statuses you may move the case to now (`:transition`).
    #[schema(schema_with = moves_schema)]
    pub moves: Vec<String>,
}

/// A new case (all fields) or a PATCH (the fields that change).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CaseInput {
    pub subject: String,
    pub description: String,
    #[schema(schema_with = product_schema)]
    pub product: String,
    /// Medium when unset.
    #[schema(schema_with = priority_schema)]
    pub priority: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseTransitionInput {
    #[schema(schema_with = status_schema)]
    pub status: String,
    /// Optional: posted as a comment with the move and sent in its e-mail.
    #[serde(default)]
    pub message: String,
}

/// `{}` takes the case (the caller, a support agent); `{"assignee_id"}`
/// hands it to another support agent.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AssignInput {
    pub assignee_id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CommentJson {
    pub id: String,
    pub case_id: String,
    pub author_id: String,
    pub author_name: String,
    /// Written by support rather than the partner.
    pub from_support: bool,
    pub body: String,
    /// Support only; never shown to the partner nor e-mailed.
    pub internal: bool,
    pub create_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CommentInput {
    pub body: String,
    /// Support agents only.
    pub internal: bool,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, default)]
#[into_params(parameter_in = Query)]
pub struct CommentQuery {
    pub page_size: i32,
    pub page_token: String,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, default)]
#[into_params(parameter_in = Query)]
pub struct CaseSearchQuery {
    /// At least two characters of a case number or subject.
    pub query: String,
    pub page_size: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseHitJson {
    pub id: String,
    pub title: String,
    pub subtitle: String,
    pub score: f64,
}

table!(PRODUCT, product_schema, pb::CaseProduct, "CASE_PRODUCT_", empty: true);
table!(PRIORITY, priority_schema, pb::CasePriority, "CASE_PRIORITY_", empty: true);
table!(STATUS, status_schema, pb::CaseStatus, "CASE_STATUS_", empty: false);

fn moves_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    STATUS.list_schema()
}

fn person_json(p: Option<pb::Person>) -> PersonJson {
    let p = p.unwrap_or_default();
    PersonJson { email: p.email, display_name: p.display_name }
}

pub fn to_json(c: pb::Case) -> CaseJson {
    CaseJson {
        product: PRODUCT.word(c.product),
        priority: PRIORITY.word(c.priority),
        status: STATUS.word(c.status),
        id: c.id,
        number: c.number,
        partner_id: c.partner_id,
        submitter_id: c.submitter_id,
        submitter: person_json(c.submitter),
        subject: c.subject,
        description: c.description,
        assignee_id: c.assignee_id,
        assignee: c.assignee.map(|p| person_json(Some(p))),
        comment_count: c.comment_count,
        create_time: time(c.create_time),
        update_time: time(c.update_time),
        moves: c.moves.into_iter().map(|m| STATUS.word(m)).collect(),
    }
}

fn comment_json(c: pb::CaseComment) -> CommentJson {
    CommentJson {
        id: c.id,
        case_id: c.case_id,
        author_id: c.author_id,
        author_name: c.author_name,
        from_support: c.from_support,
        body: c.body,
        internal: c.internal,
        create_time: time(c.create_time),
    }
}

fn case_of(c: Option<pb::Case>) -> Json<CaseJson> {
    Json(to_json(c.unwrap_or_default()))
}

fn to_proto(id: String, i: CaseInput) -> Result<pb::Case, Problem> {
    Ok(pb::Case {
        id,
        subject: i.subject,
        description: i.description,
        // Empty is unspecified: the service names the field when it is required.
        product: PRODUCT.value("product", &i.product)?,
        priority: PRIORITY.value("priority", &i.priority)?,
        ..Default::default()
    })
}

/// The caller as the identity store knows them, for e-mails and the thread.
async fn me(acting: &Acting) -> Result<pb::Person, Problem> {
    let u = acting.auth.identity().get_user(acting.user.user_id).await.map_err(Problem::from)?;
    Ok(pb::Person { email: u.email, display_name: u.display_name })
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases", get(list).post(create))
        .route("/api/v1/cases:search", get(search))
        .route("/api/v1/cases/{id}", get(read).patch(update).post(custom))
        .route("/api/v1/cases/{id}/comments", get(list_comments).post(add_comment))
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(ListQuery), responses((status = 200, body = Page<CaseJson>), (status = 400)))]
pub async fn list(acting: Acting, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Page<CaseJson>>, Problem> {
    let r = acting
        .cases()?
        .list_cases(pb::ListCasesRequest {
            page_size: q.page_size,
            page_token: q.page_token,
            filter: q.filter,
            order_by: q.order_by,
        })
        .await
        .or_problem()?;
    Ok(Json(Page { items: r.cases.into_iter().map(to_json).collect(), next_page_token: r.next_page_token }))
}

/// Partner people submit cases; the `Idempotency-Key` also makes the
/// service's retry check, so a retried submit never opens two cases.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CaseInput,
    responses((status = 201, body = CaseJson), (status = 400), (status = 403, description = "only partner people submit cases")))]
pub async fn create(acting: Acting, headers: HeaderMap, body: Bytes) -> Result<Response, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    let i: CaseInput = parse_json(&body)?;
    let request_id =
        headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string).unwrap_or_default();
    let case = to_proto(String::new(), i)?;
    let submitter = me(&acting).await?;
    let c = acting
        .cases()?
        .create_case(pb::CreateCaseRequest { case: Some(case), submitter: Some(submitter), request_id })
        .await
        .map_err(|s| problem(s).without_prefix("case."))?
        .into_inner()
        .case
        .unwrap_or_default();
    let location = format!("/api/v1/cases/{}", c.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(to_json(c))).into_response())
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path)), responses((status = 200, body = CaseJson), (status = 404)))]
pub async fn read(acting: Acting, Path(id): Path<String>) -> Result<Json<CaseJson>, Problem> {
    Ok(case_of(acting.cases()?.get_case(pb::GetCaseRequest { id }).await.or_problem()?.case))
}

/// The partner edits subject, description, product and priority while the
/// case is open; support triages product and priority.
#[utoipa::path(patch, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path)), request_body = CaseInput,
    responses((status = 200, body = CaseJson), (status = 400), (status = 403), (status = 404), (status = 409, description = "the case is solved or closed")))]
pub async fn update(acting: Acting, Path(id): Path<String>, body: Bytes) -> Result<Json<CaseJson>, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    let mask = update_mask(&map, &[]);
    if mask.is_empty() {
        return Err(Problem::bad_request("The body names no field to update."));
    }
    let input: CaseInput = parse_json(&body)?;
    let r = acting
        .cases()?
        .update_case(pb::UpdateCaseRequest {
            case: Some(to_proto(id, input)?),
            update_mask: Some(prost_types::FieldMask { paths: mask }),
        })
        .await
        .map_err(|s| problem(s).without_prefix("case."))?
        .into_inner();
    Ok(case_of(r.case))
}

#[utoipa::path(get, path = "/api/v1/cases:search", tag = "cases", params(CaseSearchQuery),
    responses((status = 200, body = Page<CaseHitJson>), (status = 400, description = "query too short or too long")))]
pub async fn search(
    acting: Acting,
    ApiQuery(q): ApiQuery<CaseSearchQuery>,
) -> Result<Json<Page<CaseHitJson>>, Problem> {
    let r = acting.cases()?.search(pb::SearchRequest { query: q.query, page_size: q.page_size }).await.or_problem()?;
    let hits = r
        .hits
        .into_iter()
        .map(|h| CaseHitJson {
            id: h.record.map(|r| r.id).unwrap_or_default(),
            title: h.title,
            subtitle: h.subtitle,
            score: h.score,
        })
        .collect();
    Ok(Json(Page::all(hits)))
}

/// `POST /api/v1/cases/{id}:transition`, `:assign`, `:follow`, `:unfollow`.
#[utoipa::path(post, path = "/api/v1/cases/{id}:transition", tag = "cases", params(("id" = String, Path)), request_body = CaseTransitionInput,
    responses((status = 200, body = CaseJson), (status = 403, description = "support moves cases; the partner closes, reopens or withdraws"), (status = 409, description = "a move the status path does not allow")))]
pub async fn custom(acting: Acting, Path(segment): Path<String>, body: Bytes) -> Result<Response, Problem> {
    let (id, verb) = split_verb(&segment);
    match verb {
        Some("transition") => {
            let i: CaseTransitionInput = parse_json(&body)?;
            let status = STATUS.required("status", &i.status)?;
            let author = me(&acting).await?;
            let c = acting
                .cases()?
                .transition_case(pb::TransitionCaseRequest {
                    id: id.into(),
                    status,
                    message: i.message,
                    author: Some(author),
                })
                .await
                .or_problem()?;
            Ok(case_of(c.case).into_response())
        }
        Some("assign") => {
            let i: AssignInput = if body.is_empty() { AssignInput::default() } else { parse_json(&body)? };
            // The gateway owns identity: the assignee must be a support agent.
            let assignee = if i.assignee_id.is_empty() {
                me(&acting).await?
            } else {
                let bad = || Problem::bad_request_field("assignee_id", "names no support agent");
                let uid = Uuid::parse_str(&i.assignee_id).map_err(|_| bad())?;
                let u = acting.auth.identity().get_user(uid).await.map_err(|_| bad())?;
                if u.role != Role::SupportAgent || !u.active {
                    return Err(bad());
                }
                pb::Person { email: u.email, display_name: u.display_name }
            };
            let c = acting
                .cases()?
                .assign_case(pb::AssignCaseRequest {
                    id: id.into(),
                    assignee_id: i.assignee_id,
                    assignee: Some(assignee),
                })
                .await
                .or_problem()?;
            Ok(case_of(c.case).into_response())
        }
        Some(verb) => super::records::follow_verb(&acting, super::records::CASES, id, verb).await,
        None => Err(Problem::new(StatusCode::METHOD_NOT_ALLOWED, "POST a new case to /api/v1/cases.")),
    }
}

// The other verb `custom` serves, for the document.

#[utoipa::path(post, path = "/api/v1/cases/{id}:assign", tag = "cases", operation_id = "assign_case",
    summary = "Assign the case to a support agent (support; the caller when assignee_id is empty)",
    params(("id" = String, Path)), request_body(content = Option<AssignInput>),
    responses((status = 200, body = CaseJson), (status = 400, description = "assignee_id names no active support agent"),
        (status = 403, description = "support assigns cases")))]
pub fn assign_doc() {}

/// The thread, oldest first; internal comments only for support.
#[utoipa::path(get, path = "/api/v1/cases/{id}/comments", tag = "cases", params(("id" = String, Path), CommentQuery),
    responses((status = 200, body = Page<CommentJson>), (status = 404)))]
pub async fn list_comments(
    acting: Acting,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<CommentQuery>,
) -> Result<Json<Page<CommentJson>>, Problem> {
    let r = acting
        .cases()?
        .list_case_comments(pb::ListCaseCommentsRequest {
            case_id: id,
            page_size: q.page_size,
            page_token: q.page_token,
        })
        .await
        .or_problem()?;
    Ok(Json(Page { items: r.comments.into_iter().map(comment_json).collect(), next_page_token: r.next_page_token }))
}

/// A reply: support's public replies e-mail the submitter, the partner's
/// e-mail the assigned agent; internal comments (support only) are not sent.
#[utoipa::path(post, path = "/api/v1/cases/{id}/comments", tag = "cases", params(("id" = String, Path)), request_body = CommentInput,
    responses((status = 201, body = CommentJson), (status = 400), (status = 403), (status = 404), (status = 409, description = "the case is closed")))]
pub async fn add_comment(acting: Acting, Path(id): Path<String>, body: Bytes) -> Result<Response, Problem> {
    let i: CommentInput = parse_json(&body)?;
    let author = me(&acting).await?;
    let c = acting
        .cases()?
        .add_case_comment(pb::AddCaseCommentRequest {
            case_id: id,
            body: i.body,
            internal: i.internal,
            author: Some(author),
        })
        .await
        .map_err(|s| problem(s).renamed("case_id", "id"))?
        .into_inner()
        .comment
        .unwrap_or_default();
    Ok((StatusCode::CREATED, Json(comment_json(c))).into_response())
}

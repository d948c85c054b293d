//! `/api/v1/projects`: opportunities through the gated stage machine, with
//! the Kanban board, list views, contacts with roles, and their quotes.

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    body::Bytes,
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, put},
};
use chrono::{DateTime, Utc};
use prm_proto::{project::v1 as pb, quote::v1 as qpb};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::words::table;

use super::{Page, object, quotes::QuoteJson, refuse_server_owned, split_verb, status::OrProblem, time, update_mask};
use crate::{
    app::AppState,
    problem::{ApiQuery, Problem, parse_json},
    services::Acting,
};

/// Fields the server owns or computes on a project.
pub const SERVER_OWNED: &[&str] = &[
    "id",
    "partner_id",
    "owner_id",
    "stage",
    "cost_info",
    "primary_quote_id",
    "demo_done",
    "demo_date",
    "approved_by_am",
    "bonus_pipeline_satisfied",
    "lost_reason",
    "held_event",
    "create_time",
    "update_time",
];

/// Computed, never written: decimal strings in the project's currency.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CostInfoJson {
    /// Total Users × the WAPs of the selected Interested Solutions.
    pub expected_mrr: String,
    /// The primary quote's MRR when there is one, else Expected MRR.
    pub mrr: String,
    /// MRR × Probability.
    pub weighted_pipeline: String,
    /// The MRR on the Demo Date; null before.
    pub pipeline_mrr: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemoAnswerJson {
    pub question_id: String,
    pub answer: String,
}

/// A project as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProjectJson {
    pub id: String,
    pub partner_id: String,
    pub owner_id: String,
    pub account_id: String,
    pub name: String,
    /// `new_business` or `existing_customer`.
    #[schema(schema_with = record_type_schema)]
    pub record_type: String,
    /// e.g. `intro_qualification`, `demo`, `proposal`, `contract_out`, `closed_won`, `closed_lost`.
    #[schema(schema_with = stage_schema)]
    pub stage: String,
    pub probability: i32,
    #[schema(schema_with = super::dates::date_schema)]
    pub close_date: String,
    pub total_users: i32,
    pub users_of_poc: Option<i32>,
    /// Any of `licenses`, `hwaas`, `classound`.
    #[schema(schema_with = solutions_schema)]
    pub interested_solutions: Vec<String>,
    pub amount_mrr: Option<String>,
    pub capex: Option<String>,
    pub verbal_agreement: bool,
    pub currency_code: String,
    pub description: String,
    pub next_step: String,
    pub cost_info: CostInfoJson,
    pub primary_quote_id: Option<String>,
    pub demo_answers: Vec<DemoAnswerJson>,
    pub demo_done: bool,
    #[schema(schema_with = super::dates::date_or_null_schema)]
    pub demo_date: Option<String>,
    pub approved_by_am: bool,
    pub bonus_pipeline_satisfied: bool,
    pub lost_reason: String,
    /// An automatic stage change waiting for a gate, with what it needs.
    pub held_event: String,
    pub create_time: Option<DateTime<Utc>>,
    pub update_time: Option<DateTime<Utc>>,
}

/// What a client writes on create (all fields) or update (the fields sent).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ProjectInput {
    pub name: String,
    /// Set on create.
    pub account_id: String,
    /// `new_business` or `existing_customer`; set on create.
    #[schema(schema_with = record_type_schema)]
    pub record_type: String,
    /// `2026-12-31`.
    #[schema(schema_with = super::dates::date_schema)]
    pub close_date: String,
    pub total_users: i32,
    /// null clears it.
    pub users_of_poc: Option<i32>,
    #[schema(schema_with = solutions_schema)]
    pub interested_solutions: Vec<String>,
    /// A decimal string; null or "" clears it.
    pub amount_mrr: Option<String>,
    pub capex: Option<String>,
    pub verbal_agreement: bool,
    /// ISO 4217, default EUR; set on create.
    pub currency_code: String,
    pub description: String,
    pub next_step: String,
    /// 0..100; a stage move sets the stage's default.
    pub probability: i32,
    /// Answers to the vendor's Demo Answers questions, from the Demo stage on.
    pub demo_answers: Vec<DemoAnswerJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// The stage to move to; `closed_lost` needs `lost_reason`.
    #[schema(schema_with = stage_schema)]
    pub stage: String,
    #[serde(default)]
    pub lost_reason: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CloneInput {
    /// The copy's name; "<name> (copy)" when empty.
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalInput {
    pub approved: bool,
}

/// A contact's role on a project, as answered (written with `RoleInput`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectContactJson {
    pub contact_id: String,
    /// e.g. "decision maker", "technical contact".
    pub role: String,
    #[schema(required)]
    pub create_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardColumnJson {
    #[schema(schema_with = stage_schema)]
    pub stage: String,
    /// Projects in the stage that match the board's filter.
    pub count: i64,
    /// Their MRR, summed per currency: `{"EUR": "1234.5"}`.
    pub mrr_total: BTreeMap<String, String>,
    pub items: Vec<ProjectJson>,
    /// Empty when the column has no more cards; see `/api/v1/projects/board/{stage}`.
    pub next_page_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardJson {
    pub columns: Vec<BoardColumnJson>,
}

/// Parameters of the board and its columns.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, default)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// `new_business` or `existing_customer`; both paths' columns when empty.
    #[param(schema_with = record_type_schema)]
    pub record_type: String,
    /// As in the project list.
    pub filter: String,
    /// A list view whose filter applies.
    pub view: String,
    /// Cards per column (default 20).
    pub page_size: i32,
    /// For one column: its `next_page_token`.
    pub page_token: String,
}

/// List parameters of projects: those of every collection, and a list view.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, default)]
#[into_params(parameter_in = Query)]
pub struct ProjectListQuery {
    pub page_size: i32,
    pub page_token: String,
    pub filter: String,
    /// One listed field, optionally followed by `desc`; default `close_date`.
    pub order_by: String,
    /// A saved list view's id, or `all_open`, `my_projects`, `closing_this_month`, `recently_viewed`.
    pub view: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListViewJson {
    /// A uuid, or the name of a built-in view.
    pub id: String,
    pub name: String,
    pub filter: String,
    pub order_by: String,
    pub columns: Vec<String>,
    pub built_in: bool,
}

/// A saved view as a client writes it; on PATCH the keys sent are the
/// fields changed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ListViewInput {
    pub name: String,
    pub filter: String,
    pub order_by: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StageProbabilityJson {
    #[schema(schema_with = stage_schema)]
    pub stage: String,
    pub probability: i32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DemoQuestionJson {
    /// Empty for a new question.
    #[serde(default)]
    pub id: String,
    pub text: String,
}

/// The vendor's project settings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsJson {
    #[serde(default)]
    pub probabilities: Vec<StageProbabilityJson>,
    #[serde(default)]
    pub demo_questions: Vec<DemoQuestionJson>,
}

table!(pub(crate) STAGE, stage_schema, pb::Stage, "STAGE_", empty: false);
table!(RECORD_TYPE, record_type_schema, pb::RecordType, "RECORD_TYPE_", empty: true);
table!(SOLUTION, solutions_schema, pb::Solution, "SOLUTION_", list);

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

pub fn to_json(p: pb::Project) -> ProjectJson {
    let cost = p.cost_info.unwrap_or_default();
    ProjectJson {
        record_type: RECORD_TYPE.word(p.record_type),
        stage: STAGE.word(p.stage),
        interested_solutions: p.interested_solutions.iter().map(|s| SOLUTION.word(*s)).collect(),
        id: p.id,
        partner_id: p.partner_id,
        owner_id: p.owner_id,
        account_id: p.account_id,
        name: p.name,
        probability: p.probability,
        close_date: p.close_date,
        total_users: p.total_users,
        users_of_poc: p.users_of_poc,
        amount_mrr: non_empty(p.amount_mrr),
        capex: non_empty(p.capex),
        verbal_agreement: p.verbal_agreement,
        currency_code: p.currency_code,
        description: p.description,
        next_step: p.next_step,
        cost_info: CostInfoJson {
            expected_mrr: cost.expected_mrr,
            mrr: cost.mrr,
            weighted_pipeline: cost.weighted_pipeline,
            pipeline_mrr: non_empty(cost.pipeline_mrr),
        },
        primary_quote_id: non_empty(p.primary_quote_id),
        demo_answers: p
            .demo_answers
            .into_iter()
            .map(|a| DemoAnswerJson { question_id: a.question_id, answer: a.answer })
            .collect(),
        demo_done: p.demo_done,
        demo_date: non_empty(p.demo_date),
        approved_by_am: p.approved_by_am,
        bonus_pipeline_satisfied: p.bonus_pipeline_satisfied,
        lost_reason: p.lost_reason,
        held_event: p.held_event,
        create_time: time(p.create_time),
        update_time: time(p.update_time),
    }
}

fn to_proto(id: String, i: ProjectInput) -> Result<pb::Project, Problem> {
    Ok(pb::Project {
        id,
        record_type: RECORD_TYPE.value("record_type", &i.record_type)?,
        interested_solutions: SOLUTION.values("interested_solutions", &i.interested_solutions)?,
        name: i.name,
        account_id: i.account_id,
        close_date: i.close_date,
        total_users: i.total_users,
        users_of_poc: i.users_of_poc,
        amount_mrr: i.amount_mrr.unwrap_or_default(),
        capex: i.capex.unwrap_or_default(),
        verbal_agreement: i.verbal_agreement,
        currency_code: i.currency_code,
        description: i.description,
        next_step: i.next_step,
        probability: i.probability,
        demo_answers: i
            .demo_answers
            .into_iter()
            .map(|a| pb::DemoAnswer { question_id: a.question_id, answer: a.answer })
            .collect(),
        ..Default::default()
    })
}

fn project_of(p: Option<pb::Project>) -> Json<ProjectJson> {
    Json(to_json(p.unwrap_or_default()))
}

fn view_json(v: pb::ListView) -> ListViewJson {
    ListViewJson {
        id: v.id,
        name: v.name,
        filter: v.filter,
        order_by: v.order_by,
        columns: v.columns,
        built_in: v.built_in,
    }
}

fn contact_json(c: pb::ProjectContact) -> ProjectContactJson {
    ProjectContactJson { contact_id: c.contact_id, role: c.role, create_time: time(c.create_time) }
}

fn settings_json(s: pb::ProjectSettings) -> SettingsJson {
    SettingsJson {
        probabilities: s
            .probabilities
            .into_iter()
            .map(|p| StageProbabilityJson { stage: STAGE.word(p.stage), probability: p.probability })
            .collect(),
        demo_questions: s.demo_questions.into_iter().map(|q| DemoQuestionJson { id: q.id, text: q.text }).collect(),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/projects", get(list).post(create))
        .route("/api/v1/projects/board", get(board))
        .route("/api/v1/projects/board/{stage}", get(board_column))
        .route("/api/v1/projects/views", get(list_views).post(create_view))
        .route("/api/v1/projects/views/{view_id}", axum::routing::patch(update_view).delete(delete_view))
        .route("/api/v1/projects/settings", get(read_settings).patch(update_settings))
        .route("/api/v1/projects/{id}", get(read).patch(update).delete(delete).post(custom))
        .route("/api/v1/projects/{id}/contacts", get(list_contacts))
        .route("/api/v1/projects/{id}/contacts/{contact_id}", put(set_contact).delete(remove_contact))
        .route("/api/v1/projects/{id}/quotes", get(list_quotes).post(create_quote))
}

#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ProjectListQuery),
    responses((status = 200, body = Page<ProjectJson>), (status = 400, description = "bad filter, order_by, view or page token")))]
pub async fn list(acting: Acting, ApiQuery(q): ApiQuery<ProjectListQuery>) -> Result<Json<Page<ProjectJson>>, Problem> {
    let r = acting
        .projects()?
        .list_projects(pb::ListProjectsRequest {
            page_size: q.page_size,
            page_token: q.page_token,
            filter: q.filter,
            order_by: q.order_by,
            view: q.view,
        })
        .await
        .or_problem()?;
    Ok(Json(Page { items: r.projects.into_iter().map(to_json).collect(), next_page_token: r.next_page_token }))
}

#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = ProjectInput,
    responses((status = 201, body = ProjectJson), (status = 400, description = "invalid field, named in `errors`")))]
pub async fn create(acting: Acting, body: Bytes) -> Result<Response, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    let input: ProjectInput = parse_json(&body)?;
    let p = acting
        .projects()?
        .create_project(pb::CreateProjectRequest {
            project: Some(to_proto(String::new(), input)?),
            project_id: String::new(),
        })
        .await
        .or_problem()?
        .project
        .unwrap_or_default();
    let location = format!("/api/v1/projects/{}", p.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(to_json(p))).into_response())
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = ProjectJson), (status = 404, description = "no such project in your scope")))]
pub async fn read(acting: Acting, Path(id): Path<String>) -> Result<Json<ProjectJson>, Problem> {
    Ok(project_of(acting.projects()?.get_project(pb::GetProjectRequest { id }).await.or_problem()?.project))
}

/// `null` clears a field: an empty string, an empty list, or no Users of POC.
fn clear_nulls(map: &mut Map<String, Value>) {
    for (k, v) in map.iter_mut() {
        if v.is_null() {
            *v = match k.as_str() {
                "users_of_poc" | "amount_mrr" | "capex" => Value::Null,
                "interested_solutions" | "demo_answers" => Value::Array(vec![]),
                _ => Value::String(String::new()),
            };
        }
    }
}

#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = String, Path)), request_body = ProjectInput,
    responses((status = 200, body = ProjectJson), (status = 400), (status = 403), (status = 404),
        (status = 409, description = "Demo Answers before the Demo stage")))]
pub async fn update(acting: Acting, Path(id): Path<String>, body: Bytes) -> Result<Json<ProjectJson>, Problem> {
    let mut map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    clear_nulls(&mut map);
    let mask = update_mask(&map, &[]);
    if mask.is_empty() {
        return Err(Problem::bad_request("The body names no field to update."));
    }
    let input: ProjectInput = parse_json(&serde_json::to_vec(&map).map_err(Problem::internal)?)?;
    let p = acting
        .projects()?
        .update_project(pb::UpdateProjectRequest {
            project: Some(to_proto(id, input)?),
            update_mask: Some(prost_types::FieldMask { paths: mask }),
        })
        .await
        .or_problem()?;
    Ok(project_of(p.project))
}

#[utoipa::path(delete, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn delete(acting: Acting, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    acting.projects()?.delete_project(pb::DeleteProjectRequest { id }).await.or_problem()?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/projects/{id}:move`, `:clone`, `:changeOwner`, `:setApprovedByAm`, `:follow`, `:unfollow`.
#[utoipa::path(post, path = "/api/v1/projects/{id}:move", tag = "projects", params(("id" = String, Path)), request_body = MoveInput,
    responses((status = 200, body = ProjectJson), (status = 400), (status = 403), (status = 404),
        (status = 409, description = "a gate is shut (the message names the missing field), or the stage is automatic")))]
pub async fn custom(acting: Acting, Path(segment): Path<String>, body: Bytes) -> Result<Response, Problem> {
    let (id, verb) = split_verb(&segment);
    let mut client = acting.projects()?;
    let p = match verb {
        Some("move") => {
            let i: MoveInput = parse_json(&body)?;
            let stage = STAGE.required("stage", &i.stage)?;
            client
                .move_project(pb::MoveProjectRequest { id: id.into(), stage, lost_reason: i.lost_reason })
                .await
                .or_problem()?
                .project
        }
        Some("clone") => {
            let i: CloneInput = if body.is_empty() { CloneInput::default() } else { parse_json(&body)? };
            let p = client
                .clone_project(pb::CloneProjectRequest { id: id.into(), name: i.name })
                .await
                .or_problem()?
                .project
                .unwrap_or_default();
            let location = format!("/api/v1/projects/{}", p.id);
            return Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(to_json(p))).into_response());
        }
        Some("changeOwner") => {
            let i: super::accounts::ChangeOwnerInput = parse_json(&body)?;
            let partner_id = super::records::PROJECTS.info(&acting, id).await?.partner_id;
            super::records::check_colleague(&acting, &i.new_owner_id, &partner_id).await?;
            client
                .change_project_owner(pb::ChangeProjectOwnerRequest { id: id.into(), new_owner_id: i.new_owner_id })
                .await
                .or_problem()?
                .project
        }
        Some("setApprovedByAm") => {
            let i: ApprovalInput = parse_json(&body)?;
            client
                .set_approved_by_am(pb::SetApprovedByAmRequest { id: id.into(), approved: i.approved })
                .await
                .or_problem()?
                .project
        }
        Some(verb) => return super::records::follow_verb(&acting, super::records::PROJECTS, id, verb).await,
        None => return Err(Problem::new(StatusCode::METHOD_NOT_ALLOWED, "POST a new project to /api/v1/projects.")),
    };
    Ok(project_of(p).into_response())
}

// The other verbs `custom` serves, for the document.

#[utoipa::path(post, path = "/api/v1/projects/{id}:clone", tag = "projects", operation_id = "clone_project",
    summary = "Copy the project without its quotes, history or Bonus Pipeline state",
    params(("id" = String, Path)), request_body(content = Option<CloneInput>, description = "optional: the copy's name"),
    responses((status = 201, body = ProjectJson, description = "the copy, at its record type's first stage",
        headers(("Location" = String, description = "the copy's address")))))]
pub fn clone_doc() {}

#[utoipa::path(post, path = "/api/v1/projects/{id}:changeOwner", tag = "projects", operation_id = "change_project_owner",
    summary = "Hand the project to a colleague (partner admin)",
    params(("id" = String, Path)), request_body = super::accounts::ChangeOwnerInput,
    responses((status = 200, body = ProjectJson), (status = 400, description = "the new owner is not a colleague")))]
pub fn change_owner_doc() {}

#[utoipa::path(post, path = "/api/v1/projects/{id}:setApprovedByAm", tag = "projects", operation_id = "set_approved_by_am",
    summary = "Set Approved by AM (an account manager of the project's partner, or a vendor admin)",
    params(("id" = String, Path)), request_body = ApprovalInput,
    responses((status = 200, body = ProjectJson), (status = 403, description = "not the partner's account manager nor a vendor admin")))]
pub fn approve_doc() {}

#[utoipa::path(get, path = "/api/v1/projects/board", tag = "projects", params(BoardQuery),
    responses((status = 200, body = BoardJson), (status = 400)))]
pub async fn board(acting: Acting, ApiQuery(q): ApiQuery<BoardQuery>) -> Result<Json<BoardJson>, Problem> {
    if !q.page_token.is_empty() {
        return Err(Problem::bad_request_field("page_token", "pages one column: /api/v1/projects/board/{stage}"));
    }
    let r = acting
        .projects()?
        .get_project_board(pb::GetProjectBoardRequest {
            record_type: RECORD_TYPE.value("record_type", &q.record_type)?,
            filter: q.filter,
            view: q.view,
            page_size: q.page_size,
        })
        .await
        .or_problem()?;
    let columns = r
        .columns
        .into_iter()
        .map(|c| BoardColumnJson {
            stage: STAGE.word(c.stage),
            count: c.count,
            mrr_total: c.mrr_total.into_iter().collect(),
            items: c.projects.into_iter().map(to_json).collect(),
            next_page_token: c.next_page_token,
        })
        .collect();
    Ok(Json(BoardJson { columns }))
}

/// The stage of one board column.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ColumnPath {
    #[param(schema_with = stage_schema)]
    pub stage: String,
}

#[utoipa::path(get, path = "/api/v1/projects/board/{stage}", tag = "projects", params(ColumnPath, BoardQuery),
    responses((status = 200, body = Page<ProjectJson>), (status = 400)))]
pub async fn board_column(
    acting: Acting,
    Path(ColumnPath { stage }): Path<ColumnPath>,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> Result<Json<Page<ProjectJson>>, Problem> {
    let r = acting
        .projects()?
        .list_board_column(pb::ListBoardColumnRequest {
            record_type: RECORD_TYPE.value("record_type", &q.record_type)?,
            filter: q.filter,
            view: q.view,
            stage: STAGE.required("stage", &stage)?,
            page_size: q.page_size,
            page_token: q.page_token,
        })
        .await
        .or_problem()?;
    Ok(Json(Page { items: r.projects.into_iter().map(to_json).collect(), next_page_token: r.next_page_token }))
}

#[utoipa::path(get, path = "/api/v1/projects/views", tag = "projects", responses((status = 200, body = Page<ListViewJson>)))]
pub async fn list_views(acting: Acting) -> Result<Json<Page<ListViewJson>>, Problem> {
    let r = acting.projects()?.list_list_views(pb::ListListViewsRequest {}).await.or_problem()?;
    Ok(Json(Page::all(r.views.into_iter().map(view_json).collect())))
}

#[utoipa::path(post, path = "/api/v1/projects/views", tag = "projects", request_body = ListViewInput,
    responses((status = 201, body = ListViewJson), (status = 400, description = "a bad filter, order or column")))]
pub async fn create_view(acting: Acting, body: Bytes) -> Result<Response, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, &["id", "built_in"])?;
    let v: ListViewInput = parse_json(&body)?;
    let view =
        pb::ListView { name: v.name, filter: v.filter, order_by: v.order_by, columns: v.columns, ..Default::default() };
    let v = acting
        .projects()?
        .create_list_view(pb::CreateListViewRequest { view: Some(view) })
        .await
        .map_err(|s| super::status::problem(s).without_prefix("view."))?
        .into_inner()
        .view
        .unwrap_or_default();
    Ok((StatusCode::CREATED, Json(view_json(v))).into_response())
}

#[utoipa::path(patch, path = "/api/v1/projects/views/{view_id}", tag = "projects", params(("view_id" = String, Path)),
    request_body = ListViewInput, responses((status = 200, body = ListViewJson), (status = 400), (status = 404)))]
pub async fn update_view(
    acting: Acting,
    Path(view_id): Path<String>,
    body: Bytes,
) -> Result<Json<ListViewJson>, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, &["id", "built_in"])?;
    let mask = update_mask(&map, &[]);
    let p: ListViewInput = parse_json(&body)?;
    let view = pb::ListView {
        id: view_id,
        name: p.name,
        filter: p.filter,
        order_by: p.order_by,
        columns: p.columns,
        built_in: false,
    };
    let v = acting
        .projects()?
        .update_list_view(pb::UpdateListViewRequest {
            view: Some(view),
            update_mask: Some(prost_types::FieldMask { paths: mask }),
        })
        .await
        .map_err(|s| super::status::problem(s).renamed("view.id", "view_id").without_prefix("view."))?
        .into_inner()
        .view
        .unwrap_or_default();
    Ok(Json(view_json(v)))
}

#[utoipa::path(delete, path = "/api/v1/projects/views/{view_id}", tag = "projects", params(("view_id" = String, Path)),
    responses((status = 204), (status = 404)))]
pub async fn delete_view(acting: Acting, Path(view_id): Path<String>) -> Result<StatusCode, Problem> {
    acting.projects()?.delete_list_view(pb::DeleteListViewRequest { id: view_id }).await.or_problem()?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/projects/settings", tag = "projects", responses((status = 200, body = SettingsJson)))]
pub async fn read_settings(acting: Acting) -> Result<Json<SettingsJson>, Problem> {
    let r = acting.projects()?.get_project_settings(pb::GetProjectSettingsRequest {}).await.or_problem()?;
    Ok(Json(settings_json(r.settings.unwrap_or_default())))
}

/// Vendor admins set the default probability of each stage and the Demo
/// Answers questions; the keys sent are the settings changed.
#[utoipa::path(patch, path = "/api/v1/projects/settings", tag = "projects", request_body = SettingsJson,
    responses((status = 200, body = SettingsJson), (status = 400), (status = 403)))]
pub async fn update_settings(acting: Acting, body: Bytes) -> Result<Json<SettingsJson>, Problem> {
    let map = object(&body)?;
    let mask = update_mask(&map, &[]);
    let s: SettingsJson = parse_json(&body)?;
    let probabilities = s
        .probabilities
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(pb::StageProbability {
                stage: STAGE.required(&format!("probabilities[{i}].stage"), &p.stage)?,
                probability: p.probability,
            })
        })
        .collect::<Result<Vec<_>, Problem>>()?;
    let settings = pb::ProjectSettings {
        probabilities,
        demo_questions: s.demo_questions.into_iter().map(|q| pb::DemoQuestion { id: q.id, text: q.text }).collect(),
    };
    let r = acting
        .projects()?
        .update_project_settings(pb::UpdateProjectSettingsRequest {
            settings: Some(settings),
            update_mask: Some(prost_types::FieldMask { paths: mask }),
        })
        .await
        .map_err(|s| super::status::problem(s).without_prefix("settings."))?
        .into_inner();
    Ok(Json(settings_json(r.settings.unwrap_or_default())))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/contacts", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = Page<ProjectContactJson>), (status = 404)))]
pub async fn list_contacts(acting: Acting, Path(id): Path<String>) -> Result<Json<Page<ProjectContactJson>>, Problem> {
    let r = acting
        .projects()?
        .list_project_contacts(pb::ListProjectContactsRequest { project_id: id })
        .await
        .or_problem()?;
    Ok(Json(Page::all(r.contacts.into_iter().map(contact_json).collect())))
}

/// Adds a contact to the project with a role, or changes its role.
#[utoipa::path(put, path = "/api/v1/projects/{id}/contacts/{contact_id}", tag = "projects",
    params(("id" = String, Path), ("contact_id" = String, Path)), request_body = RoleInput,
    responses((status = 200, body = ProjectContactJson), (status = 400), (status = 403), (status = 404)))]
pub async fn set_contact(
    acting: Acting,
    Path((id, contact_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<ProjectContactJson>, Problem> {
    let i: RoleInput = parse_json(&body)?;
    let r = acting
        .projects()?
        .set_project_contact(pb::SetProjectContactRequest {
            project_id: id,
            contact: Some(pb::ProjectContact { contact_id, role: i.role, create_time: None }),
        })
        .await
        .map_err(|s| super::status::problem(s).without_prefix("contact."))?
        .into_inner();
    Ok(Json(contact_json(r.contact.unwrap_or_default())))
}

#[utoipa::path(delete, path = "/api/v1/projects/{id}/contacts/{contact_id}", tag = "projects",
    params(("id" = String, Path), ("contact_id" = String, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub async fn remove_contact(
    acting: Acting,
    Path((id, contact_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    acting
        .projects()?
        .remove_project_contact(pb::RemoveProjectContactRequest { project_id: id, contact_id })
        .await
        .or_problem()?;
    Ok(StatusCode::NO_CONTENT)
}

/// The project's quotes with their lines (products).
#[utoipa::path(get, path = "/api/v1/projects/{id}/quotes", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = Page<QuoteJson>), (status = 404)))]
pub async fn list_quotes(acting: Acting, Path(id): Path<String>) -> Result<Json<Page<QuoteJson>>, Problem> {
    // The project must be visible; its quotes then follow the quote service's own rules.
    super::records::PROJECTS.info(&acting, &id).await?;
    let mut quotes = acting.quotes()?;
    let mut items = Vec::new();
    let mut page_token = String::new();
    loop {
        let r = quotes
            .list_quotes(qpb::ListQuotesRequest {
                page_size: 500,
                page_token,
                filter: format!(r#"project_id = "{id}""#),
                order_by: "create_time".into(),
            })
            .await
            .or_problem()?;
        items.extend(r.quotes.into_iter().map(super::quotes::to_json));
        if r.next_page_token.is_empty() {
            break;
        }
        page_token = r.next_page_token;
    }
    Ok(Json(Page::all(items)))
}

/// Creates a quote of the project: its account and currency are filled in.
#[utoipa::path(post, path = "/api/v1/projects/{id}/quotes", tag = "projects", params(("id" = String, Path)),
    request_body = super::quotes::QuoteInput, responses((status = 201, body = QuoteJson), (status = 400), (status = 404)))]
pub async fn create_quote(acting: Acting, Path(id): Path<String>, body: Bytes) -> Result<Response, Problem> {
    let quote = super::quotes::input_to_proto(&acting, &body).await?;
    let q = acting
        .projects()?
        .create_project_quote(pb::CreateProjectQuoteRequest { project_id: id, quote: Some(quote) })
        .await
        .map_err(|s| super::status::problem(s).without_prefix("quote."))?
        .into_inner()
        .quote
        .unwrap_or_default();
    let location = format!("/api/v1/quotes/{}", q.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(super::quotes::to_json(q))).into_response())
}

//! `/api/v1/tasks`: activities of partner people on any record, "my tasks",
//! and `/api/v1/{record}/{id}/activities`: the open tasks of a record.

use axum::{
    Json, Router,
    body::Bytes,
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use prm_proto::{common::v1::RecordRef, task::v1 as pb};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::words::table;

use super::{
    Page, object,
    projects::{ListViewInput, ListViewJson},
    records::{COLLECTIONS, Collection},
    refuse_server_owned, split_verb,
    status::OrProblem,
    time, update_mask,
};
use crate::{
    app::AppState,
    problem::{ApiQuery, Problem, parse_json},
    services::Acting,
};

pub const SERVER_OWNED: &[&str] = &["id", "partner_id", "completed_by", "complete_time", "create_time", "update_time"];

/// The record a task is about.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelatedJson {
    /// `lead`, `account`, `contact`, `project`, `quote`, `order` or `case`.
    #[serde(rename = "type")]
    #[schema(schema_with = kind_schema)]
    pub kind: String,
    pub id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TaskJson {
    pub id: String,
    pub partner_id: String,
    pub owner_id: String,
    pub subject: String,
    /// `call`, `email`, `meeting`, `send_quote` or `todo`.
    #[serde(rename = "type")]
    #[schema(schema_with = type_schema)]
    pub task_type: String,
    /// `open`, `in_progress`, `completed` or `deferred`.
    #[schema(schema_with = status_schema)]
    pub status: String,
    /// `low`, `normal` or `high`.
    #[schema(schema_with = priority_schema)]
    pub priority: String,
    #[schema(schema_with = super::dates::date_or_null_schema)]
    pub due_date: Option<String>,
    pub reminder_time: Option<DateTime<Utc>>,
    pub related: RelatedJson,
    pub description: String,
    pub completed_by: Option<String>,
    pub complete_time: Option<DateTime<Utc>>,
    pub create_time: Option<DateTime<Utc>>,
    pub update_time: Option<DateTime<Utc>>,
}

/// What a client writes on create (all fields) or update (the fields sent).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TaskInput {
    pub subject: String,
    #[serde(rename = "type")]
    #[schema(schema_with = type_schema)]
    pub task_type: String,
    /// `open` by default.
    #[schema(schema_with = status_schema)]
    pub status: String,
    /// `normal` by default.
    #[schema(schema_with = priority_schema)]
    pub priority: String,
    /// `2026-12-31`; null or "" for none.
    #[schema(schema_with = super::dates::nullable_date_schema)]
    pub due_date: Option<String>,
    pub reminder_time: Option<DateTime<Utc>>,
    /// Set on create.
    pub related: Option<RelatedJson>,
    pub description: String,
    /// A colleague of the same partner; yourself by default. Set on create.
    pub owner_id: String,
}

/// List parameters of tasks: those of every collection, and a view.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, default)]
#[into_params(parameter_in = Query)]
pub struct TaskListQuery {
    pub page_size: i32,
    pub page_token: String,
    /// e.g. `status = open AND related.type = project`.
    pub filter: String,
    pub order_by: String,
    /// Your own open tasks: `my_open`, `due_today`, `overdue`, `this_week`.
    pub view: String,
}

table!(KIND, kind_schema, prm_proto::common::v1::RecordType, "RECORD_TYPE_", empty: true);
table!(TYPE, type_schema, pb::TaskType, "TASK_TYPE_", empty: true);
table!(STATUS, status_schema, pb::TaskStatus, "TASK_STATUS_", empty: true);
table!(PRIORITY, priority_schema, pb::TaskPriority, "TASK_PRIORITY_", empty: true);

pub fn to_json(t: pb::Task) -> TaskJson {
    let related = t.related.clone().unwrap_or_default();
    TaskJson {
        task_type: TYPE.word(t.r#type),
        status: STATUS.word(t.status),
        priority: PRIORITY.word(t.priority),
        related: RelatedJson { kind: KIND.word(related.r#type), id: related.id },
        id: t.id,
        partner_id: t.partner_id,
        owner_id: t.owner_id,
        subject: t.subject,
        due_date: Some(t.due_date).filter(|d| !d.is_empty()),
        reminder_time: time(t.reminder_time),
        description: t.description,
        completed_by: Some(t.completed_by).filter(|c| !c.is_empty()),
        complete_time: time(t.complete_time),
        create_time: time(t.create_time),
        update_time: time(t.update_time),
    }
}

fn related_value(r: Option<RelatedJson>) -> Result<Option<RecordRef>, Problem> {
    let Some(r) = r else { return Ok(None) };
    let kind = KIND.value("related.type", &r.kind)?;
    Ok(Some(RecordRef { r#type: kind, id: r.id }))
}

fn to_proto(id: String, i: TaskInput) -> Result<pb::Task, Problem> {
    Ok(pb::Task {
        id,
        r#type: TYPE.value("type", &i.task_type)?,
        status: STATUS.value("status", &i.status)?,
        priority: PRIORITY.value("priority", &i.priority)?,
        related: related_value(i.related)?,
        subject: i.subject,
        due_date: i.due_date.unwrap_or_default(),
        reminder_time: i
            .reminder_time
            .map(|t| prost_types::Timestamp { seconds: t.timestamp(), nanos: t.timestamp_subsec_nanos() as i32 }),
        description: i.description,
        owner_id: i.owner_id,
        ..Default::default()
    })
}

fn task_of(t: Option<pb::Task>) -> Json<TaskJson> {
    Json(to_json(t.unwrap_or_default()))
}

pub fn routes() -> Router<AppState> {
    let mut r = Router::new()
        .route("/api/v1/tasks", get(list).post(create))
        .route("/api/v1/tasks/views", get(list_views).post(create_view))
        .route("/api/v1/tasks/views/{view_id}", axum::routing::patch(update_view).delete(delete_view))
        .route("/api/v1/tasks/{id}", get(read).patch(update).delete(delete).post(custom));
    for &c in COLLECTIONS.iter().filter(|c| c.path != "tasks") {
        r = r.route(
            &format!("/api/v1/{}/{{id}}/activities", c.path),
            get(move |a: Acting, Path(id): Path<String>| activities(c, a, id)),
        );
    }
    r
}

#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(TaskListQuery),
    responses((status = 200, body = Page<TaskJson>), (status = 400, description = "bad filter, order_by, view or page token")))]
pub async fn list(acting: Acting, ApiQuery(q): ApiQuery<TaskListQuery>) -> Result<Json<Page<TaskJson>>, Problem> {
    let r = acting
        .tasks()?
        .list_tasks(pb::ListTasksRequest {
            page_size: q.page_size,
            page_token: q.page_token,
            filter: q.filter,
            order_by: q.order_by,
            view: q.view,
        })
        .await
        .or_problem()?;
    Ok(Json(Page { items: r.tasks.into_iter().map(to_json).collect(), next_page_token: r.next_page_token }))
}

/// Creates a task on a record you can see; `owner_id` may name a colleague.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", request_body = TaskInput,
    responses((status = 201, body = TaskJson), (status = 400), (status = 404, description = "no such record in your scope")))]
pub async fn create(acting: Acting, body: Bytes) -> Result<Response, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    let input: TaskInput = parse_json(&body)?;
    if !input.owner_id.is_empty() && acting.user.partner_id.is_some() {
        let partner = acting.user.partner_id.map(|p| p.to_string()).unwrap_or_default();
        super::records::check_colleague(&acting, &input.owner_id, &partner)
            .await
            .map_err(|p| p.renamed("new_owner_id", "owner_id"))?;
    }
    let t = acting
        .tasks()?
        .create_task(pb::CreateTaskRequest { task: Some(to_proto(String::new(), input)?) })
        .await
        .or_problem()?
        .task
        .unwrap_or_default();
    let location = format!("/api/v1/tasks/{}", t.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(to_json(t))).into_response())
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = String, Path)),
    responses((status = 200, body = TaskJson), (status = 404)))]
pub async fn read(acting: Acting, Path(id): Path<String>) -> Result<Json<TaskJson>, Problem> {
    Ok(task_of(acting.tasks()?.get_task(pb::GetTaskRequest { id }).await.or_problem()?.task))
}

/// Setting `status` to `completed` stamps who and when; back to another status clears it.
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = String, Path)), request_body = TaskInput,
    responses((status = 200, body = TaskJson), (status = 400), (status = 403), (status = 404)))]
pub async fn update(acting: Acting, Path(id): Path<String>, body: Bytes) -> Result<Json<TaskJson>, Problem> {
    let mut map = object(&body)?;
    refuse_server_owned(&map, SERVER_OWNED)?;
    for v in map.values_mut() {
        // null clears a due date or reminder, and empties text.
        if v.is_null() {
            *v = serde_json::Value::String(String::new());
        }
    }
    if map.get("reminder_time").is_some_and(|v| v == "") {
        map.insert("reminder_time".into(), serde_json::Value::Null);
    }
    let mask = update_mask(&map, &[]);
    if mask.is_empty() {
        return Err(Problem::bad_request("The body names no field to update."));
    }
    let input: TaskInput = parse_json(&serde_json::to_vec(&map).map_err(Problem::internal)?)?;
    let t = acting
        .tasks()?
        .update_task(pb::UpdateTaskRequest {
            task: Some(to_proto(id, input)?),
            update_mask: Some(prost_types::FieldMask { paths: mask }),
        })
        .await
        .or_problem()?;
    Ok(task_of(t.task))
}

#[utoipa::path(delete, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn delete(acting: Acting, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    acting.tasks()?.delete_task(pb::DeleteTaskRequest { id }).await.or_problem()?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/tasks/{id}:changeOwner`, `:follow`, `:unfollow`.
#[utoipa::path(post, path = "/api/v1/tasks/{id}:changeOwner", tag = "tasks", params(("id" = String, Path)),
    request_body = super::accounts::ChangeOwnerInput,
    responses((status = 200, body = TaskJson), (status = 400), (status = 403), (status = 404)))]
pub async fn custom(acting: Acting, Path(segment): Path<String>, body: Bytes) -> Result<Response, Problem> {
    let (id, verb) = split_verb(&segment);
    match verb {
        Some("changeOwner") => {
            let i: super::accounts::ChangeOwnerInput = parse_json(&body)?;
            let mut client = acting.tasks()?;
            let current = client.get_task(pb::GetTaskRequest { id: id.into() }).await.or_problem()?.task;
            let partner_id = current.map(|t| t.partner_id).unwrap_or_default();
            super::records::check_colleague(&acting, &i.new_owner_id, &partner_id).await?;
            let t = client
                .change_task_owner(pb::ChangeTaskOwnerRequest { id: id.into(), new_owner_id: i.new_owner_id })
                .await
                .or_problem()?;
            Ok(task_of(t.task).into_response())
        }
        Some(verb) => super::records::follow_verb(&acting, super::records::TASKS, id, verb).await,
        None => Err(Problem::new(StatusCode::METHOD_NOT_ALLOWED, "POST a new task to /api/v1/tasks.")),
    }
}

fn view_json(v: pb::TaskView) -> ListViewJson {
    ListViewJson {
        id: v.id,
        name: v.name,
        filter: v.filter,
        order_by: v.order_by,
        columns: v.columns,
        built_in: v.built_in,
    }
}

/// The built-in views (your own open tasks by due date) and your saved ones.
#[utoipa::path(get, path = "/api/v1/tasks/views", tag = "tasks", responses((status = 200, body = Page<ListViewJson>)))]
pub async fn list_views(acting: Acting) -> Result<Json<Page<ListViewJson>>, Problem> {
    let r = acting.tasks()?.list_task_views(pb::ListTaskViewsRequest {}).await.or_problem()?;
    Ok(Json(Page::all(r.views.into_iter().map(view_json).collect())))
}

#[utoipa::path(post, path = "/api/v1/tasks/views", tag = "tasks", request_body = ListViewInput,
    responses((status = 201, body = ListViewJson), (status = 400, description = "a bad filter, order or column")))]
pub async fn create_view(acting: Acting, body: Bytes) -> Result<Response, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, &["id", "built_in"])?;
    let v: ListViewInput = parse_json(&body)?;
    let view =
        pb::TaskView { name: v.name, filter: v.filter, order_by: v.order_by, columns: v.columns, ..Default::default() };
    let v = acting
        .tasks()?
        .create_task_view(pb::CreateTaskViewRequest { view: Some(view) })
        .await
        .map_err(|s| super::status::problem(s).without_prefix("view."))?
        .into_inner()
        .view
        .unwrap_or_default();
    Ok((StatusCode::CREATED, Json(view_json(v))).into_response())
}

#[utoipa::path(patch, path = "/api/v1/tasks/views/{view_id}", tag = "tasks", params(("view_id" = String, Path)),
    request_body = ListViewInput, responses((status = 200, body = ListViewJson), (status = 400), (status = 404)))]
pub async fn update_view(
    acting: Acting,
    Path(view_id): Path<String>,
    body: Bytes,
) -> Result<Json<ListViewJson>, Problem> {
    let map = object(&body)?;
    refuse_server_owned(&map, &["id", "built_in"])?;
    let mask = update_mask(&map, &[]);
    let v: ListViewInput = parse_json(&body)?;
    let view = pb::TaskView {
        id: view_id,
        name: v.name,
        filter: v.filter,
        order_by: v.order_by,
        columns: v.columns,
        built_in: false,
    };
    let v = acting
        .tasks()?
        .update_task_view(pb::UpdateTaskViewRequest {
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

#[utoipa::path(delete, path = "/api/v1/tasks/views/{view_id}", tag = "tasks", params(("view_id" = String, Path)),
    responses((status = 204), (status = 404)))]
pub async fn delete_view(acting: Acting, Path(view_id): Path<String>) -> Result<StatusCode, Problem> {
    acting.tasks()?.delete_task_view(pb::DeleteTaskViewRequest { id: view_id }).await.or_problem()?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/{collection}/{id}/activities", tag = "tasks", operation_id = "list_activities",
    params(("collection" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Page<TaskJson>, description = "open tasks, soonest due first")))]
pub fn activities_doc() {}

/// `GET /api/v1/{record}/{id}/activities`: the record's open tasks, soonest due first.
async fn activities(c: &'static Collection, acting: Acting, id: String) -> Result<Json<Page<TaskJson>>, Problem> {
    let r = acting
        .tasks()?
        .list_open_activities(pb::ListOpenActivitiesRequest { record: Some(RecordRef { r#type: c.kind as i32, id }) })
        .await
        .or_problem()?;
    Ok(Json(Page::all(r.tasks.into_iter().map(to_json).collect())))
}

//! `prm.task.v1.TaskService`: proto ⇄ domain translation, the rules of
//! [`crate::domain`], the store, and the record services that say whether a
//! task's record is visible.

use std::str::FromStr;

use chrono::NaiveDate;
use prm_kit::{
    Caller, Error, Result,
    listing::{Field, FieldKind, ListParams, Listing, SortValue},
    owned,
    record::{self, parse_id, parse_ref, type_from_name, type_name},
    references::References,
    text::{paragraph, required_line},
    time,
    views::{self, and},
};
use prm_proto::{
    common::v1::RecordRef,
    task::v1::{self as pb, task_service_server::TaskService},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::{
    domain::{Completion, Priority, TaskStatus, TaskType, Window, related_kind},
    store::{NO_DUE_DATE, task},
};

type Reply<T> = std::result::Result<Response<T>, Status>;

pub struct TaskApi {
    db: DatabaseConnection,
    records: References,
}

impl TaskApi {
    pub fn new(db: DatabaseConnection, records: References) -> Self {
        TaskApi { db, records }
    }
}

const RELATED_TYPES: &[&str] = &["lead", "account", "contact", "project", "quote", "order", "case"];

pub const TASK_FIELDS: &[Field<task::Column>] = &[
    Field { name: "subject", column: task::Column::Subject, kind: FieldKind::Text },
    Field { name: "type", column: task::Column::TaskType, kind: FieldKind::Enum(TaskType::NAMES) },
    Field { name: "status", column: task::Column::Status, kind: FieldKind::Enum(TaskStatus::NAMES) },
    Field { name: "priority", column: task::Column::Priority, kind: FieldKind::Enum(Priority::NAMES) },
    Field { name: "due_date", column: task::Column::DueDate, kind: FieldKind::Date },
    Field { name: "related.type", column: task::Column::RelatedType, kind: FieldKind::Enum(RELATED_TYPES) },
    Field { name: "related.id", column: task::Column::RelatedId, kind: FieldKind::Uuid },
    Field { name: "owner_id", column: task::Column::OwnerId, kind: FieldKind::Uuid },
    Field { name: "partner_id", column: task::Column::PartnerId, kind: FieldKind::Uuid },
    Field { name: "create_time", column: task::Column::CreateTime, kind: FieldKind::Timestamp },
    Field { name: "update_time", column: task::Column::UpdateTime, kind: FieldKind::Timestamp },
];

fn sort_key(t: &task::Model, field: &str) -> (SortValue, Uuid) {
    let v: SortValue = match field {
        "subject" => t.subject.as_str().into(),
        "type" => t.task_type.as_str().into(),
        "status" => t.status.as_str().into(),
        "priority" => t.priority.as_str().into(),
        "due_date" => t.due_date.as_str().into(),
        "related.type" => t.related_type.as_str().into(),
        "related.id" => t.related_id.into(),
        "owner_id" => t.owner_id.into(),
        "partner_id" => t.partner_id.into(),
        "update_time" => t.update_time.into(),
        _ => t.create_time.into(),
    };
    (v, t.id)
}

// --- wire mapping ------------------------------------------------------------

macro_rules! enum_map {
    ($in:ident, $out:ident, $pb:ty, $dom:ty, $field:literal, { $($p:ident => $d:ident),+ $(,)? }) => {
        fn $in(v: i32) -> Result<Option<$dom>> {
            match <$pb>::try_from(v) {
                Ok(<$pb>::Unspecified) => Ok(None),
                $(Ok(<$pb>::$p) => Ok(Some(<$dom>::$d)),)+
                Err(_) => Err(Error::invalid($field, "is not one of its values")),
            }
        }
        fn $out(v: &str) -> i32 {
            match <$dom>::from_str(v) {
                $(Ok(<$dom>::$d) => <$pb>::$p as i32,)+
                Err(_) => 0,
            }
        }
    };
}

enum_map!(type_in, type_out, pb::TaskType, TaskType, "type", {
    Call => Call, Email => Email, Meeting => Meeting, SendQuote => SendQuote, Todo => Todo,
});
enum_map!(status_in, status_out, pb::TaskStatus, TaskStatus, "status", {
    Open => Open, InProgress => InProgress, Completed => Completed, Deferred => Deferred,
});
enum_map!(priority_in, priority_out, pb::TaskPriority, Priority, "priority", {
    Low => Low, Normal => Normal, High => High,
});

fn due_date_in(s: &str) -> Result<String> {
    Ok(time::optional_date("due_date", s)?.map_or_else(|| NO_DUE_DATE.into(), |d| d.format("%Y-%m-%d").to_string()))
}

fn due_date_out(s: &str) -> String {
    if s == NO_DUE_DATE { String::new() } else { s.to_string() }
}

fn task_out(t: &task::Model) -> pb::Task {
    pb::Task {
        id: t.id.to_string(),
        partner_id: t.partner_id.to_string(),
        owner_id: t.owner_id.to_string(),
        subject: t.subject.clone(),
        r#type: type_out(&t.task_type),
        status: status_out(&t.status),
        priority: priority_out(&t.priority),
        due_date: due_date_out(&t.due_date),
        reminder_time: t.reminder_time.map(time::to_proto),
        related: Some(RecordRef { r#type: type_from_name(&t.related_type) as i32, id: t.related_id.to_string() }),
        description: t.description.clone(),
        completed_by: t.completed_by.map(|u| u.to_string()).unwrap_or_default(),
        complete_time: t.complete_time.map(time::to_proto),
        create_time: Some(time::to_proto(t.create_time)),
        update_time: Some(time::to_proto(t.update_time)),
    }
}

/// What the history keeps of a task.
fn tracked(t: &task::Model) -> [(&'static str, String); 7] {
    [
        ("subject", t.subject.clone()),
        ("type", t.task_type.clone()),
        ("status", t.status.clone()),
        ("priority", t.priority.clone()),
        ("due_date", due_date_out(&t.due_date)),
        ("reminder_time", t.reminder_time.map(|r| r.to_rfc3339()).unwrap_or_default()),
        ("completed_by", t.completed_by.map(|u| u.to_string()).unwrap_or_default()),
    ]
}

fn changes(before: &task::Model, after: &task::Model) -> Vec<record::FieldDiff> {
    let pairs: Vec<(&'static str, String, String)> =
        tracked(before).into_iter().zip(tracked(after)).map(|((f, old), (_, new))| (f, old, new)).collect();
    record::diff(&pairs)
}

/// Writes the masked fields of `raw` into `t`; a status change stamps or
/// clears the completion.
fn apply_fields(t: &mut task::Model, raw: &pb::Task, mask: &[String], caller: &Caller) -> Result<()> {
    for path in mask {
        match path.as_str() {
            "subject" => t.subject = required_line("subject", &raw.subject, 255)?,
            "type" => {
                t.task_type = type_in(raw.r#type)?.ok_or_else(|| Error::invalid("type", "is required"))?.to_string();
            }
            "priority" => t.priority = priority_in(raw.priority)?.unwrap_or(Priority::Normal).to_string(),
            "due_date" => t.due_date = due_date_in(&raw.due_date)?,
            "reminder_time" => {
                t.reminder_time = match &raw.reminder_time {
                    Some(ts) => {
                        Some(time::from_proto(ts).ok_or_else(|| Error::invalid("reminder_time", "is not a time"))?)
                    }
                    None => None,
                };
            }
            "description" => t.description = paragraph("description", &raw.description, 32_000)?,
            "status" => {
                let from = TaskStatus::from_str(&t.status).unwrap_or(TaskStatus::Open);
                let to = status_in(raw.status)?.ok_or_else(|| Error::invalid("status", "is required"))?;
                let current = t.completed_by.zip(t.complete_time).map(|(by, at)| Completion { by, at });
                let done = Completion::after(current, from, to, caller.user_id, time::now());
                t.completed_by = done.map(|c| c.by);
                t.complete_time = done.map(|c| c.at);
                t.status = to.to_string();
            }
            "id" | "partner_id" | "create_time" | "update_time" | "completed_by" | "complete_time" => {
                return Err(Error::invalid(path.as_str(), "is output only"));
            }
            "owner_id" => return Err(Error::invalid("owner_id", "changes with ChangeTaskOwner")),
            "related" | "related.type" | "related.id" => {
                return Err(Error::invalid(path.as_str(), "is set on create"));
            }
            other => {
                return Err(Error::invalid("update_mask", format!("`{other}` is not a field of a task")));
            }
        }
    }
    Ok(())
}

fn today() -> NaiveDate {
    time::now().date_naive()
}

/// A built-in view as a list filter: the caller's own open tasks, due in
/// the window (undated tasks hold NO_DUE_DATE, after every real date).
fn window_view(caller: &Caller, window: Window) -> pb::TaskView {
    let mut filter = format!(r#"owner_id = "{}" AND status != "completed""#, caller.user_id);
    if let Some((from, to)) = window.due_between(today()) {
        if let Some(from) = from {
            filter.push_str(&format!(r#" AND due_date >= "{}""#, from.format("%Y-%m-%d")));
        }
        let to = to.map(|d| d.format("%Y-%m-%d").to_string());
        filter.push_str(&format!(r#" AND due_date <= "{}""#, to.as_deref().unwrap_or(NO_DUE_DATE)));
        filter.push_str(&format!(r#" AND due_date != "{NO_DUE_DATE}""#));
    }
    let name = match window {
        Window::MyOpen => "My open tasks",
        Window::DueToday => "Due today",
        Window::Overdue => "Overdue",
        Window::ThisWeek => "Due this week",
    };
    pb::TaskView {
        id: window.to_string(),
        name: name.into(),
        filter,
        order_by: "due_date".into(),
        columns: DEFAULT_COLUMNS.iter().map(|c| c.to_string()).collect(),
        built_in: true,
    }
}

const DEFAULT_ORDER: &str = "create_time desc";
const DEFAULT_COLUMNS: &[&str] = &["subject", "type", "status", "priority", "due_date", "related.type", "owner_id"];

/// Saved views of tasks, kept by the kit.
static TASK_VIEWS: &dyn views::ViewCollection = &views::Collection {
    name: "tasks",
    fields: TASK_FIELDS,
    id_column: task::Column::Id,
    default_order: DEFAULT_ORDER,
    display_only: &["reminder_time", "description", "completed_by", "complete_time"],
    default_columns: DEFAULT_COLUMNS,
    built_ins: views::no_built_ins,
};

fn view_out(v: views::SavedView) -> pb::TaskView {
    pb::TaskView {
        id: v.id.to_string(),
        name: v.name,
        filter: v.filter,
        order_by: v.order_by,
        columns: v.columns,
        built_in: false,
    }
}

fn view_in(v: pb::TaskView) -> views::ViewInput {
    views::ViewInput { name: v.name, filter: v.filter, order_by: v.order_by, columns: v.columns }
}

impl TaskApi {
    /// The filter and order of `view`: a built-in window or a saved view.
    async fn resolve_view(&self, caller: &Caller, view: &str) -> Result<(String, String)> {
        if view.is_empty() {
            return Ok((String::new(), String::new()));
        }
        if let Ok(w) = Window::from_str(view) {
            let v = window_view(caller, w);
            return Ok((v.filter, v.order_by));
        }
        let unknown = || {
            Error::invalid(
                "view",
                format!("names no list view: a saved view's id or one of {}", Window::NAMES.join(", ")),
            )
        };
        let id = Uuid::parse_str(view).map_err(|_| unknown())?;
        let v = TASK_VIEWS.get(&self.db, caller, id).await.map_err(|_| unknown())?;
        Ok((v.filter, v.order_by))
    }
}

#[tonic::async_trait]
impl TaskService for TaskApi {
    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn get_task(&self, req: Request<pb::GetTaskRequest>) -> Reply<pb::GetTaskResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let t = owned::find::<task::Entity, _>(&self.db, &caller, id).await?;
        Ok(Response::new(pb::GetTaskResponse { task: Some(task_out(&t)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_tasks(&self, req: Request<pb::ListTasksRequest>) -> Reply<pb::ListTasksResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let (view_filter, view_order) = self.resolve_view(&caller, &r.view).await?;
        let filter = and(&view_filter, &r.filter);
        let order_by = if r.order_by.trim().is_empty() { view_order.as_str() } else { r.order_by.as_str() };
        let listing = Listing::parse(
            ListParams { page_size: r.page_size, page_token: &r.page_token, filter: &filter, order_by },
            TASK_FIELDS,
            task::Column::Id,
            DEFAULT_ORDER,
        )?;
        let rows = listing.apply(owned::visible::<task::Entity>(&caller)).all(&self.db).await.map_err(Error::from)?;
        let (rows, next_page_token) = listing.page(rows, sort_key);
        Ok(Response::new(pb::ListTasksResponse { tasks: rows.iter().map(task_out).collect(), next_page_token }))
    }

    #[tracing::instrument(skip_all)]
    async fn create_task(&self, req: Request<pb::CreateTaskRequest>) -> Reply<pb::CreateTaskResponse> {
        let caller = Caller::of(&req)?;
        let raw = req.get_ref().task.as_ref().ok_or_else(|| Error::invalid("task", "is required"))?;
        let partner_id = caller.creating_partner()?;
        let (kind, related_id) = parse_ref(raw.related.as_ref(), "related")?;
        let kind = related_kind(kind)?;
        let owner_id = if raw.owner_id.is_empty() { caller.user_id } else { parse_id(&raw.owner_id, "owner_id")? };
        let now = time::now();
        let mut t = task::Model {
            id: Uuid::now_v7(),
            partner_id,
            owner_id,
            subject: String::new(),
            task_type: String::new(),
            status: TaskStatus::Open.to_string(),
            priority: Priority::Normal.to_string(),
            due_date: NO_DUE_DATE.into(),
            reminder_time: None,
            related_type: type_name(kind).into(),
            related_id,
            description: String::new(),
            completed_by: None,
            complete_time: None,
            create_time: now,
            update_time: now,
        };
        let mut mask: Vec<String> =
            ["subject", "type", "priority", "due_date", "reminder_time", "description"].map(String::from).to_vec();
        if raw.status != 0 {
            mask.push("status".into());
        }
        apply_fields(&mut t, raw, &mask, &caller)?;
        // The record must be one the caller sees, of the caller's partner.
        if self.records.info(&caller, kind, related_id).await?.partner_id != partner_id {
            return Err(Error::NotFound.into());
        }
        let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
        let t = t.into_active_model().insert(&txn).await.map_err(Error::from)?;
        crate::store::index(&txn, &t).await?;
        txn.commit().await.map_err(Error::from)?;
        tracing::info!(task_id = %t.id, related = %kind.as_str_name(), "task created");
        Ok(Response::new(pb::CreateTaskResponse { task: Some(task_out(&t)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn update_task(&self, req: Request<pb::UpdateTaskRequest>) -> Reply<pb::UpdateTaskResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let raw = r.task.ok_or_else(|| Error::invalid("task", "is required"))?;
        let id = parse_id(&raw.id, "id")?;
        let mask = r.update_mask.map(|m| m.paths).unwrap_or_default();
        if mask.is_empty() {
            return Err(Error::invalid("update_mask", "names no field to change").into());
        }
        let updated = owned::edit::<task::Entity>(&self.db, &caller, id, |current| {
            let mut next = current.clone();
            apply_fields(&mut next, &raw, &mask, &caller)?;
            let diff = changes(current, &next);
            if diff.is_empty() && next.description == current.description {
                return Ok(None);
            }
            next.update_time = time::now();
            Ok(Some((next, diff)))
        })
        .await?;
        Ok(Response::new(pb::UpdateTaskResponse { task: Some(task_out(&updated)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn delete_task(&self, req: Request<pb::DeleteTaskRequest>) -> Reply<pb::DeleteTaskResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        owned::delete::<task::Entity, _>(&self.db, &caller, id, |_| Box::pin(async { Ok(()) })).await?;
        Ok(Response::new(pb::DeleteTaskResponse {}))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn change_task_owner(&self, req: Request<pb::ChangeTaskOwnerRequest>) -> Reply<pb::ChangeTaskOwnerResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let new_owner = parse_id(&req.get_ref().new_owner_id, "new_owner_id")?;
        let t = owned::change_owner::<task::Entity>(&self.db, &caller, id, new_owner).await?;
        Ok(Response::new(pb::ChangeTaskOwnerResponse { task: Some(task_out(&t)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_open_activities(
        &self,
        req: Request<pb::ListOpenActivitiesRequest>,
    ) -> Reply<pb::ListOpenActivitiesResponse> {
        let caller = Caller::of(&req)?;
        let (kind, id) = parse_ref(req.get_ref().record.as_ref(), "record")?;
        let kind = related_kind(kind).map_err(|e| match e {
            Error::Invalid { message, .. } => Error::invalid("record.type", message),
            other => other,
        })?;
        // Its own service decides whether the caller sees the record.
        self.records.info(&caller, kind, id).await?;
        let rows = owned::visible::<task::Entity>(&caller)
            .filter(task::Column::RelatedType.eq(type_name(kind)))
            .filter(task::Column::RelatedId.eq(id))
            .filter(task::Column::Status.is_in(TaskStatus::OPEN))
            .order_by_asc(task::Column::DueDate)
            .order_by_asc(task::Column::Id)
            .limit(500)
            .all(&self.db)
            .await
            .map_err(Error::from)?;
        Ok(Response::new(pb::ListOpenActivitiesResponse { tasks: rows.iter().map(task_out).collect() }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_task_views(&self, req: Request<pb::ListTaskViewsRequest>) -> Reply<pb::ListTaskViewsResponse> {
        let caller = Caller::of(&req)?;
        let mut views: Vec<pb::TaskView> =
            Window::NAMES.iter().filter_map(|n| Window::from_str(n).ok()).map(|w| window_view(&caller, w)).collect();
        views.extend(TASK_VIEWS.list(&self.db, &caller).await?.into_iter().map(view_out));
        Ok(Response::new(pb::ListTaskViewsResponse { views }))
    }

    #[tracing::instrument(skip_all)]
    async fn create_task_view(&self, req: Request<pb::CreateTaskViewRequest>) -> Reply<pb::CreateTaskViewResponse> {
        let caller = Caller::of(&req)?;
        let v = req.into_inner().view.ok_or_else(|| Error::invalid("view", "is required"))?;
        let saved = TASK_VIEWS.create(&self.db, &caller, view_in(v)).await?;
        Ok(Response::new(pb::CreateTaskViewResponse { view: Some(view_out(saved)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn update_task_view(&self, req: Request<pb::UpdateTaskViewRequest>) -> Reply<pb::UpdateTaskViewResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let v = r.view.ok_or_else(|| Error::invalid("view", "is required"))?;
        if Window::from_str(&v.id).is_ok() {
            return Err(Error::FailedPrecondition("built-in list views cannot be changed".into()).into());
        }
        let id = parse_id(&v.id, "view.id")?;
        let mask = r.update_mask.map(|m| m.paths).unwrap_or_default();
        let saved = TASK_VIEWS.update(&self.db, &caller, id, view_in(v), &mask).await?;
        Ok(Response::new(pb::UpdateTaskViewResponse { view: Some(view_out(saved)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn delete_task_view(&self, req: Request<pb::DeleteTaskViewRequest>) -> Reply<pb::DeleteTaskViewResponse> {
        let caller = Caller::of(&req)?;
        if Window::from_str(&req.get_ref().id).is_ok() {
            return Err(Error::FailedPrecondition("built-in list views cannot be deleted".into()).into());
        }
        let id = parse_id(&req.get_ref().id, "id")?;
        TASK_VIEWS.delete(&self.db, &caller, id).await?;
        Ok(Response::new(pb::DeleteTaskViewResponse {}))
    }
}

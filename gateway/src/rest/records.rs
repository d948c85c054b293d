//! Notes, files, history and followers of any record, served by the service
//! that owns the record: `/api/v1/{collection}/{id}/notes` and friends, and
//! the `:follow` / `:unfollow` custom methods. A collection added here gets
//! all of them.

use axum::{
    Json, Router,
    body::Bytes,
    extract::Path,
    handler::Handler,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use prm_proto::{
    common::v1::{RecordRef, RecordType},
    record::v1 as pb,
};
use serde::{Deserialize, Serialize};
use tonic::transport::Channel;
use utoipa::ToSchema;

use super::{Page, status::OrProblem, time};
use crate::{
    app::AppState,
    problem::{ApiQuery, Problem, parse_json},
    services::{Acting, Services},
};

/// The record service names the record and the file a path holds by its
/// request's fields; a problem names them as the path does.
const PATH_FIELDS: &[(&str, &str)] = &[("record.id", "id"), ("attachment_id", "file_id")];

/// A REST collection whose records have notes, files, history and followers.
pub struct Collection {
    pub path: &'static str,
    pub kind: RecordType,
    pub channel: fn(&Services) -> &Channel,
}

impl Collection {
    /// The record features of the service that owns this collection.
    fn client(&self, acting: &Acting) -> Result<crate::services::RecordClient, Problem> {
        acting.records((self.channel)(acting.services()))
    }

    /// Who a record belongs to, read in the caller's scope (404 when it is not
    /// theirs): a visibility check that, unlike reading the record itself,
    /// leaves no trace such as "recently viewed".
    pub async fn info(&self, acting: &Acting, id: &str) -> Result<pb::GetRecordInfoResponse, Problem> {
        let request = pb::GetRecordInfoRequest { record: record(self, id.to_owned()) };
        self.client(acting)?.get_record_info(request).await.or_problem_as(PATH_FIELDS)
    }
}

pub const ACCOUNTS: &Collection = &Collection { path: "accounts", kind: RecordType::Account, channel: |s| &s.account };
pub const CONTACTS: &Collection = &Collection { path: "contacts", kind: RecordType::Contact, channel: |s| &s.account };

pub const LEADS: &Collection = &Collection { path: "leads", kind: RecordType::Lead, channel: |s| &s.lead };

pub const QUOTES: &Collection = &Collection { path: "quotes", kind: RecordType::Quote, channel: |s| &s.quote };

pub const ORDERS: &Collection = &Collection { path: "orders", kind: RecordType::Order, channel: |s| &s.order };

pub const PROJECTS: &Collection = &Collection { path: "projects", kind: RecordType::Project, channel: |s| &s.project };

pub const TASKS: &Collection = &Collection { path: "tasks", kind: RecordType::Task, channel: |s| &s.task };

pub const CASES: &Collection = &Collection { path: "cases", kind: RecordType::Case, channel: |s| &s.case };

pub const COLLECTIONS: &[&Collection] = &[ACCOUNTS, CONTACTS, LEADS, QUOTES, ORDERS, PROJECTS, TASKS, CASES];

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NoteJson {
    pub id: String,
    pub author_id: String,
    pub body: String,
    pub create_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    pub body: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AttachmentJson {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    pub uploaded_by: String,
    pub create_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FieldChangeJson {
    pub id: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    pub changed_by: String,
    pub change_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FollowerJson {
    pub user_id: String,
    pub follow_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FollowingJson {
    pub following: bool,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, default)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page_size: i32,
    pub page_token: String,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name as shown to people.
    pub file_name: String,
}

fn record(c: &Collection, id: String) -> Option<RecordRef> {
    Some(RecordRef { r#type: c.kind as i32, id })
}

fn note_json(n: pb::Note) -> NoteJson {
    NoteJson { id: n.id, author_id: n.author_id, body: n.body, create_time: time(n.create_time) }
}

fn attachment_json(a: pb::Attachment) -> AttachmentJson {
    AttachmentJson {
        id: a.id,
        file_name: a.file_name,
        content_type: a.content_type,
        size_bytes: a.size_bytes,
        sha256: a.sha256,
        uploaded_by: a.uploaded_by,
        create_time: time(a.create_time),
    }
}

type Q<T> = ApiQuery<T>;

pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for &c in COLLECTIONS {
        let base = format!("/api/v1/{}/{{id}}", c.path);
        r = r
            .route(
                &format!("{base}/notes"),
                get(move |a: Acting, Path(id): Path<String>, q: Q<PageQuery>| list_notes(c, a, id, q))
                    .post(move |a: Acting, Path(id): Path<String>, b: Bytes| create_note(c, a, id, b)),
            )
            .route(
                &format!("{base}/files"),
                get(move |a: Acting, Path(id): Path<String>, q: Q<PageQuery>| list_files(c, a, id, q)).post(
                    (move |a: Acting, Path(id): Path<String>, q: Q<UploadQuery>, h: HeaderMap, b: Bytes| {
                        upload(c, a, id, q, h, b)
                    })
                    .layer(axum::extract::DefaultBodyLimit::max(super::UPLOAD_BODY_LIMIT)),
                ),
            )
            .route(
                &format!("{base}/files/{{file_id}}"),
                get(move |a: Acting, Path((id, file)): Path<(String, String)>| file_info(c, a, id, file)),
            )
            .route(
                &format!("{base}/files/{{file_id}}/content"),
                get(move |a: Acting, Path((id, file)): Path<(String, String)>| download(c, a, id, file)),
            )
            .route(
                &format!("{base}/history"),
                get(move |a: Acting, Path(id): Path<String>, q: Q<PageQuery>| history(c, a, id, q)),
            )
            .route(&format!("{base}/followers"), get(move |a: Acting, Path(id): Path<String>| followers(c, a, id)));
    }
    r
}

async fn list_notes(
    c: &Collection,
    acting: Acting,
    id: String,
    q: Q<PageQuery>,
) -> Result<Json<Page<NoteJson>>, Problem> {
    let ApiQuery(q) = q;
    let r = c
        .client(&acting)?
        .list_notes(pb::ListNotesRequest { record: record(c, id), page_size: q.page_size, page_token: q.page_token })
        .await
        .or_problem_as(PATH_FIELDS)?;
    Ok(Json(Page { items: r.notes.into_iter().map(note_json).collect(), next_page_token: r.next_page_token }))
}

async fn create_note(c: &Collection, acting: Acting, id: String, body: Bytes) -> Result<Response, Problem> {
    let input: NoteInput = parse_json(&body)?;
    let n = c
        .client(&acting)?
        .create_note(pb::CreateNoteRequest { record: record(c, id), body: input.body })
        .await
        .or_problem_as(PATH_FIELDS)?;
    Ok((StatusCode::CREATED, Json(note_json(n.note.unwrap_or_default()))).into_response())
}

async fn list_files(
    c: &Collection,
    acting: Acting,
    id: String,
    q: Q<PageQuery>,
) -> Result<Json<Page<AttachmentJson>>, Problem> {
    let ApiQuery(q) = q;
    let r = c
        .client(&acting)?
        .list_attachments(pb::ListAttachmentsRequest {
            record: record(c, id),
            page_size: q.page_size,
            page_token: q.page_token,
        })
        .await
        .or_problem_as(PATH_FIELDS)?;
    Ok(Json(Page {
        items: r.attachments.into_iter().map(attachment_json).collect(),
        next_page_token: r.next_page_token,
    }))
}

async fn upload(
    c: &Collection,
    acting: Acting,
    id: String,
    q: Q<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let ApiQuery(q) = q;
    if body.len() > prm_kit::record::MAX_ATTACHMENT_BYTES {
        return Err(Problem::bad_request_field(
            "content",
            format!("is larger than {} bytes", prm_kit::record::MAX_ATTACHMENT_BYTES),
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_string())
        .unwrap_or_default();
    let a = c
        .client(&acting)?
        .create_attachment(pb::CreateAttachmentRequest {
            record: record(c, id),
            file_name: q.file_name,
            content_type,
            content: body.to_vec(),
        })
        .await
        .or_problem_as(PATH_FIELDS)?;
    Ok((StatusCode::CREATED, Json(attachment_json(a.attachment.unwrap_or_default()))).into_response())
}

async fn fetch(
    c: &Collection,
    acting: &Acting,
    id: String,
    file: String,
) -> Result<pb::GetAttachmentResponse, Problem> {
    c.client(acting)?
        .get_attachment(pb::GetAttachmentRequest { record: record(c, id), attachment_id: file })
        .await
        .or_problem_as(PATH_FIELDS)
}

async fn file_info(c: &Collection, acting: Acting, id: String, file: String) -> Result<Json<AttachmentJson>, Problem> {
    let r = fetch(c, &acting, id, file).await?;
    Ok(Json(attachment_json(r.attachment.unwrap_or_default())))
}

async fn download(c: &Collection, acting: Acting, id: String, file: String) -> Result<Response, Problem> {
    let r = fetch(c, &acting, id, file).await?;
    let a = r.attachment.unwrap_or_default();
    // The name was checked to be a plain file name when it was stored.
    let disposition = format!("attachment; filename=\"{}\"", a.file_name.replace('"', "'"));
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
        ],
        r.content,
    )
        .into_response())
}

async fn history(
    c: &Collection,
    acting: Acting,
    id: String,
    q: Q<PageQuery>,
) -> Result<Json<Page<FieldChangeJson>>, Problem> {
    let ApiQuery(q) = q;
    let r = c
        .client(&acting)?
        .list_field_changes(pb::ListFieldChangesRequest {
            record: record(c, id),
            page_size: q.page_size,
            page_token: q.page_token,
        })
        .await
        .or_problem_as(PATH_FIELDS)?;
    let items = r
        .field_changes
        .into_iter()
        .map(|f| FieldChangeJson {
            id: f.id,
            field: f.field,
            old_value: f.old_value,
            new_value: f.new_value,
            changed_by: f.changed_by,
            change_time: time(f.change_time),
        })
        .collect();
    Ok(Json(Page { items, next_page_token: r.next_page_token }))
}

async fn followers(c: &Collection, acting: Acting, id: String) -> Result<Json<Page<FollowerJson>>, Problem> {
    let r = c
        .client(&acting)?
        .list_followers(pb::ListFollowersRequest { record: record(c, id) })
        .await
        .or_problem_as(PATH_FIELDS)?;
    let items = r
        .followers
        .into_iter()
        .map(|f| FollowerJson { user_id: f.user_id, follow_time: time(f.follow_time) })
        .collect();
    Ok(Json(Page { items, next_page_token: String::new() }))
}

/// `:follow` and `:unfollow` on any record.
pub async fn follow_verb(acting: &Acting, c: &Collection, id: &str, verb: &str) -> Result<Response, Problem> {
    let mut client = c.client(acting)?;
    let following = match verb {
        "follow" => {
            client
                .follow_record(pb::FollowRecordRequest { record: record(c, id.into()) })
                .await
                .or_problem_as(PATH_FIELDS)?
                .following
        }
        "unfollow" => {
            client
                .unfollow_record(pb::UnfollowRecordRequest { record: record(c, id.into()) })
                .await
                .or_problem_as(PATH_FIELDS)?
                .following
        }
        other => {
            return Err(Problem::new(StatusCode::NOT_FOUND, format!("`:{other}` is not a method of {}", c.path)));
        }
    };
    Ok(Json(FollowingJson { following }).into_response())
}

/// A record changes hands only to an active colleague of the record's partner.
/// Identity is the gateway's, so the gateway checks it before the service
/// applies the change.
pub async fn check_colleague(acting: &Acting, new_owner_id: &str, partner_id: &str) -> Result<(), Problem> {
    let bad = || Problem::bad_request_field("new_owner_id", "is not an active user of the record's partner");
    let id = uuid::Uuid::parse_str(new_owner_id)
        .map_err(|_| Problem::bad_request_field("new_owner_id", "is not a valid id"))?;
    let user = match acting.auth.identity().get_user(id).await {
        Ok(u) => u,
        Err(crate::identity::IdentityError::NotFound) => return Err(bad()),
        Err(e) => return Err(e.into()),
    };
    if !user.active || user.partner_id.map(|p| p.to_string()).as_deref() != Some(partner_id) {
        return Err(bad());
    }
    Ok(())
}

// The document of the routes above, written once for `{collection}` and
// copied for each collection (`document_each`).

#[utoipa::path(get, path = "/api/v1/{collection}/{id}/notes", tag = "records", operation_id = "list_notes",
    params(("collection" = String, Path), ("id" = String, Path), PageQuery),
    responses((status = 200, body = Page<NoteJson>, description = "newest first")))]
pub fn list_notes_doc() {}

#[utoipa::path(post, path = "/api/v1/{collection}/{id}/notes", tag = "records", operation_id = "create_note",
    params(("collection" = String, Path), ("id" = String, Path)), request_body = NoteInput,
    responses((status = 201, body = NoteJson)))]
pub fn create_note_doc() {}

#[utoipa::path(get, path = "/api/v1/{collection}/{id}/files", tag = "records", operation_id = "list_files",
    params(("collection" = String, Path), ("id" = String, Path), PageQuery),
    responses((status = 200, body = Page<AttachmentJson>)))]
pub fn list_files_doc() {}

/// The body is the file's content, its `Content-Type` the file's type.
#[utoipa::path(post, path = "/api/v1/{collection}/{id}/files", tag = "records", operation_id = "upload_file",
    params(("collection" = String, Path), ("id" = String, Path), UploadQuery),
    request_body(content = super::Binary, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentJson), (status = 413, description = "larger than the route allows")))]
pub fn upload_doc() {}

#[utoipa::path(get, path = "/api/v1/{collection}/{id}/files/{file_id}", tag = "records", operation_id = "file_info",
    params(("collection" = String, Path), ("id" = String, Path), ("file_id" = String, Path)),
    responses((status = 200, body = AttachmentJson)))]
pub fn file_info_doc() {}

#[utoipa::path(get, path = "/api/v1/{collection}/{id}/files/{file_id}/content", tag = "records", operation_id = "download_file",
    params(("collection" = String, Path), ("id" = String, Path), ("file_id" = String, Path)),
    responses((status = 200, content_type = "*/*", body = super::Binary, description = "the file, in its own content type")))]
pub fn download_doc() {}

#[utoipa::path(get, path = "/api/v1/{collection}/{id}/history", tag = "records", operation_id = "list_history",
    params(("collection" = String, Path), ("id" = String, Path), PageQuery),
    responses((status = 200, body = Page<FieldChangeJson>, description = "newest first")))]
pub fn history_doc() {}

#[utoipa::path(get, path = "/api/v1/{collection}/{id}/followers", tag = "records", operation_id = "list_followers",
    params(("collection" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Page<FollowerJson>)))]
pub fn followers_doc() {}

#[utoipa::path(post, path = "/api/v1/{collection}/{id}:follow", tag = "records", operation_id = "follow",
    params(("collection" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = FollowingJson)))]
pub fn follow_doc() {}

#[utoipa::path(post, path = "/api/v1/{collection}/{id}:unfollow", tag = "records", operation_id = "unfollow",
    params(("collection" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = FollowingJson)))]
pub fn unfollow_doc() {}

/// The record routes of the document, one copy for each collection; the
/// open activities of every collection but tasks.
pub fn document_each(doc: &mut utoipa::openapi::OpenApi) {
    for template in [
        "/api/v1/{collection}/{id}/notes",
        "/api/v1/{collection}/{id}/files",
        "/api/v1/{collection}/{id}/files/{file_id}",
        "/api/v1/{collection}/{id}/files/{file_id}/content",
        "/api/v1/{collection}/{id}/history",
        "/api/v1/{collection}/{id}/followers",
        "/api/v1/{collection}/{id}:follow",
        "/api/v1/{collection}/{id}:unfollow",
    ] {
        crate::openapi::copy_per_collection(doc, template, COLLECTIONS);
    }
    let with_activities: Vec<&Collection> = COLLECTIONS.iter().copied().filter(|c| c.path != "tasks").collect();
    crate::openapi::copy_per_collection(doc, "/api/v1/{collection}/{id}/activities", &with_activities);
}

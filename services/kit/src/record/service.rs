//! `prm.record.v1.RecordService`, served by every record service over its own
//! tables.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use prm_proto::{
    common::v1::{RecordRef, RecordType},
    record::v1::{self as pb, record_service_server::RecordService},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use sha2::{Digest, Sha256};
use tonic::{Request, Response, Status};
use uuid::Uuid;

use super::{
    RecordAccess, RecordInfo, attachment, field_change, follower, note, parse_id, parse_ref, type_from_name, type_name,
};
use crate::{Caller, Error, Result, Role, time};

/// Largest file accepted as an attachment.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// gRPC message limit of the record service: an attachment and its envelope.
pub const MAX_MESSAGE_BYTES: usize = MAX_ATTACHMENT_BYTES + 64 * 1024;
const MAX_NOTE_CHARS: usize = 32_000;
const CONTENT_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/octet-stream",
];

/// The record features of one service: `A` resolves that service's records.
pub struct RecordFeatures<A> {
    db: DatabaseConnection,
    access: A,
}

impl<A: RecordAccess> RecordFeatures<A> {
    pub fn new(db: DatabaseConnection, access: A) -> Self {
        RecordFeatures { db, access }
    }

    async fn resolve(&self, caller: &Caller, r: Option<&RecordRef>) -> Result<(RecordType, Uuid, RecordInfo)> {
        let (kind, id) = parse_ref(r, "record")?;
        let info = self.access.find(caller, kind, id).await?;
        Ok((kind, id, info))
    }
}

fn page_size(n: i32) -> Result<u64> {
    match n {
        0 => Ok(50),
        n if n < 0 => Err(Error::invalid("page_size", "must not be negative")),
        n => Ok((n as u64).min(500)),
    }
}

fn after(token: &str) -> Result<Option<Uuid>> {
    if token.is_empty() {
        return Ok(None);
    }
    let bytes =
        URL_SAFE_NO_PAD.decode(token).map_err(|_| Error::invalid("page_token", "is not a token of this list"))?;
    Uuid::from_slice(&bytes).map(Some).map_err(|_| Error::invalid("page_token", "is not a token of this list"))
}

/// Newest first, keyset on the time-ordered (v7) id.
fn cut<M>(mut rows: Vec<M>, size: u64, id: impl Fn(&M) -> Uuid) -> (Vec<M>, String) {
    if rows.len() as u64 <= size {
        return (rows, String::new());
    }
    rows.truncate(size as usize);
    let token = rows.last().map(|m| URL_SAFE_NO_PAD.encode(id(m).as_bytes())).unwrap_or_default();
    (rows, token)
}

fn record_ref(kind: &str, id: Uuid) -> Option<RecordRef> {
    Some(RecordRef { r#type: type_from_name(kind) as i32, id: id.to_string() })
}

fn note_pb(n: note::Model) -> pb::Note {
    pb::Note {
        id: n.id.to_string(),
        record: record_ref(&n.record_type, n.record_id),
        author_id: n.author_id.to_string(),
        body: n.body,
        create_time: Some(time::to_proto(n.create_time)),
    }
}

fn attachment_pb(a: &attachment::Model) -> pb::Attachment {
    pb::Attachment {
        id: a.id.to_string(),
        record: record_ref(&a.record_type, a.record_id),
        file_name: a.file_name.clone(),
        content_type: a.content_type.clone(),
        size_bytes: a.size_bytes,
        sha256: a.sha256.clone(),
        uploaded_by: a.uploaded_by.to_string(),
        create_time: Some(time::to_proto(a.create_time)),
    }
}

fn change_pb(c: field_change::Model) -> pb::FieldChange {
    pb::FieldChange {
        id: c.id.to_string(),
        record: record_ref(&c.record_type, c.record_id),
        field: c.field,
        old_value: c.old_value,
        new_value: c.new_value,
        changed_by: c.changed_by.to_string(),
        change_time: Some(time::to_proto(c.change_time)),
    }
}

/// File names are shown and offered for download: no paths, no control characters.
fn valid_file_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("file_name", "is required"));
    }
    if name.chars().count() > 255 {
        return Err(Error::invalid("file_name", "is longer than 255 characters"));
    }
    if name.contains(['/', '\\']) || name.chars().any(char::is_control) || name == "." || name == ".." {
        return Err(Error::invalid("file_name", "must be a plain file name"));
    }
    Ok(name.to_string())
}

#[tonic::async_trait]
impl<A: RecordAccess> RecordService for RecordFeatures<A> {
    #[tracing::instrument(skip_all)]
    async fn create_note(
        &self,
        req: Request<pb::CreateNoteRequest>,
    ) -> Result<Response<pb::CreateNoteResponse>, Status> {
        let caller = Caller::of(&req)?;
        let req = req.into_inner();
        let body = req.body.trim();
        if body.is_empty() {
            return Err(Error::invalid("body", "is required").into());
        }
        if body.chars().count() > MAX_NOTE_CHARS {
            return Err(Error::invalid("body", format!("is longer than {MAX_NOTE_CHARS} characters")).into());
        }
        let (kind, id, info) = self.resolve(&caller, req.record.as_ref()).await?;
        let n = note::ActiveModel {
            id: Set(Uuid::now_v7()),
            record_type: Set(type_name(kind).into()),
            record_id: Set(id),
            partner_id: Set(info.partner_id),
            author_id: Set(caller.user_id),
            body: Set(body.to_string()),
            create_time: Set(time::now()),
        }
        .insert(&self.db)
        .await
        .map_err(Error::from)?;
        Ok(Response::new(pb::CreateNoteResponse { note: Some(note_pb(n)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_notes(&self, req: Request<pb::ListNotesRequest>) -> Result<Response<pb::ListNotesResponse>, Status> {
        let caller = Caller::of(&req)?;
        let req = req.into_inner();
        let size = page_size(req.page_size)?;
        let after = after(&req.page_token)?;
        let (kind, id, info) = self.resolve(&caller, req.record.as_ref()).await?;
        let mut q = note::Entity::find()
            .filter(note::Column::RecordType.eq(type_name(kind)))
            .filter(note::Column::RecordId.eq(id));
        if let Some(p) = written_for(&caller, &info) {
            q = q.filter(note::Column::PartnerId.eq(p));
        }
        if let Some(a) = after {
            q = q.filter(note::Column::Id.lt(a));
        }
        let rows = q.order_by_desc(note::Column::Id).limit(size + 1).all(&self.db).await.map_err(Error::from)?;
        let (rows, next_page_token) = cut(rows, size, |n| n.id);
        Ok(Response::new(pb::ListNotesResponse { notes: rows.into_iter().map(note_pb).collect(), next_page_token }))
    }

    #[tracing::instrument(skip_all)]
    async fn create_attachment(
        &self,
        req: Request<pb::CreateAttachmentRequest>,
    ) -> Result<Response<pb::CreateAttachmentResponse>, Status> {
        let caller = Caller::of(&req)?;
        let req = req.into_inner();
        let file_name = valid_file_name(&req.file_name)?;
        let content_type = req.content_type.trim().to_ascii_lowercase();
        if !CONTENT_TYPES.contains(&content_type.as_str()) {
            return Err(Error::invalid("content_type", format!("`{content_type}` is not an accepted file type")).into());
        }
        if req.content.is_empty() {
            return Err(Error::invalid("content", "is empty").into());
        }
        if req.content.len() > MAX_ATTACHMENT_BYTES {
            return Err(Error::invalid("content", format!("is larger than {MAX_ATTACHMENT_BYTES} bytes")).into());
        }
        let (kind, id, info) = self.resolve(&caller, req.record.as_ref()).await?;
        // Files belong to the partner's own people; vendor staff read them.
        if !(caller.partner_id == Some(info.partner_id) || caller.role == Role::Ops) {
            return Err(Error::PermissionDenied("only the partner's people attach files".into()).into());
        }
        let sha256 = Sha256::digest(&req.content).iter().map(|b| format!("{b:02x}")).collect();
        let a = attachment::ActiveModel {
            id: Set(Uuid::now_v7()),
            record_type: Set(type_name(kind).into()),
            record_id: Set(id),
            partner_id: Set(info.partner_id),
            file_name: Set(file_name),
            content_type: Set(content_type),
            size_bytes: Set(req.content.len() as i64),
            sha256: Set(sha256),
            content: Set(req.content),
            uploaded_by: Set(caller.user_id),
            create_time: Set(time::now()),
        }
        .insert(&self.db)
        .await
        .map_err(Error::from)?;
        Ok(Response::new(pb::CreateAttachmentResponse { attachment: Some(attachment_pb(&a)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_attachments(
        &self,
        req: Request<pb::ListAttachmentsRequest>,
    ) -> Result<Response<pb::ListAttachmentsResponse>, Status> {
        let caller = Caller::of(&req)?;
        let req = req.into_inner();
        let size = page_size(req.page_size)?;
        let after = after(&req.page_token)?;
        let (kind, id, info) = self.resolve(&caller, req.record.as_ref()).await?;
        // Listing never loads file contents.
        let mut q = attachment::Entity::find()
            .select_only()
            .columns([
                attachment::Column::Id,
                attachment::Column::RecordType,
                attachment::Column::RecordId,
                attachment::Column::PartnerId,
                attachment::Column::FileName,
                attachment::Column::ContentType,
                attachment::Column::SizeBytes,
                attachment::Column::Sha256,
                attachment::Column::UploadedBy,
                attachment::Column::CreateTime,
            ])
            .column_as(sea_orm::sea_query::Expr::val(Vec::<u8>::new()), "content")
            .filter(attachment::Column::RecordType.eq(type_name(kind)))
            .filter(attachment::Column::RecordId.eq(id));
        if let Some(p) = written_for(&caller, &info) {
            q = q.filter(attachment::Column::PartnerId.eq(p));
        }
        if let Some(a) = after {
            q = q.filter(attachment::Column::Id.lt(a));
        }
        let rows = q
            .order_by_desc(attachment::Column::Id)
            .limit(size + 1)
            .into_model::<attachment::Model>()
            .all(&self.db)
            .await
            .map_err(Error::from)?;
        let (rows, next_page_token) = cut(rows, size, |a| a.id);
        Ok(Response::new(pb::ListAttachmentsResponse {
            attachments: rows.iter().map(attachment_pb).collect(),
            next_page_token,
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn get_attachment(
        &self,
        req: Request<pb::GetAttachmentRequest>,
    ) -> Result<Response<pb::GetAttachmentResponse>, Status> {
        let caller = Caller::of(&req)?;
        let req = req.into_inner();
        let attachment_id = parse_id(&req.attachment_id, "attachment_id")?;
        let (kind, id, info) = self.resolve(&caller, req.record.as_ref()).await?;
        let mut q = attachment::Entity::find_by_id(attachment_id)
            .filter(attachment::Column::RecordType.eq(type_name(kind)))
            .filter(attachment::Column::RecordId.eq(id));
        if let Some(p) = written_for(&caller, &info) {
            q = q.filter(attachment::Column::PartnerId.eq(p));
        }
        let a = q.one(&self.db).await.map_err(Error::from)?.ok_or(Error::NotFound)?;
        Ok(Response::new(pb::GetAttachmentResponse { attachment: Some(attachment_pb(&a)), content: a.content }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_field_changes(
        &self,
        req: Request<pb::ListFieldChangesRequest>,
    ) -> Result<Response<pb::ListFieldChangesResponse>, Status> {
        let caller = Caller::of(&req)?;
        let req = req.into_inner();
        let size = page_size(req.page_size)?;
        let after = after(&req.page_token)?;
        let (kind, id, info) = self.resolve(&caller, req.record.as_ref()).await?;
        let mut q = field_change::Entity::find()
            .filter(field_change::Column::RecordType.eq(type_name(kind)))
            .filter(field_change::Column::RecordId.eq(id));
        if let Some(p) = written_for(&caller, &info) {
            q = q.filter(field_change::Column::PartnerId.eq(p));
        }
        if let Some(a) = after {
            q = q.filter(field_change::Column::Id.lt(a));
        }
        let rows =
            q.order_by_desc(field_change::Column::Id).limit(size + 1).all(&self.db).await.map_err(Error::from)?;
        let (rows, next_page_token) = cut(rows, size, |c| c.id);
        Ok(Response::new(pb::ListFieldChangesResponse {
            field_changes: rows.into_iter().map(change_pb).collect(),
            next_page_token,
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn follow_record(
        &self,
        req: Request<pb::FollowRecordRequest>,
    ) -> Result<Response<pb::FollowRecordResponse>, Status> {
        let caller = Caller::of(&req)?;
        let (kind, id, info) = self.resolve(&caller, req.get_ref().record.as_ref()).await?;
        let exists = follower::Entity::find_by_id((type_name(kind).to_string(), id, caller.user_id))
            .one(&self.db)
            .await
            .map_err(Error::from)?
            .is_some();
        if !exists {
            let row = follower::ActiveModel {
                record_type: Set(type_name(kind).into()),
                record_id: Set(id),
                user_id: Set(caller.user_id),
                partner_id: Set(info.partner_id),
                follow_time: Set(time::now()),
            };
            // A concurrent follow of the same record by the same user is the same fact.
            if let Err(e) = follower::Entity::insert(row).on_conflict_do_nothing().exec(&self.db).await {
                return Err(Error::from(e).into());
            }
        }
        Ok(Response::new(pb::FollowRecordResponse { following: true }))
    }

    #[tracing::instrument(skip_all)]
    async fn unfollow_record(
        &self,
        req: Request<pb::UnfollowRecordRequest>,
    ) -> Result<Response<pb::UnfollowRecordResponse>, Status> {
        let caller = Caller::of(&req)?;
        let (kind, id, _) = self.resolve(&caller, req.get_ref().record.as_ref()).await?;
        follower::Entity::delete_by_id((type_name(kind).to_string(), id, caller.user_id))
            .exec(&self.db)
            .await
            .map_err(Error::from)?;
        Ok(Response::new(pb::UnfollowRecordResponse { following: false }))
    }

    #[tracing::instrument(skip_all)]
    async fn get_record_info(
        &self,
        req: Request<pb::GetRecordInfoRequest>,
    ) -> Result<Response<pb::GetRecordInfoResponse>, Status> {
        let caller = Caller::of(&req)?;
        // Other services ask this before they store a reference: a record
        // being deleted is as good as gone. The fence is looked at first: a
        // delete takes it down as it deletes, so looked at after the record
        // it could be gone with the record already read.
        let (kind, id) = parse_ref(req.get_ref().record.as_ref(), "record")?;
        if crate::fence::fenced(&self.db, kind, id).await? {
            return Err(Error::NotFound.into());
        }
        let info = self.access.find(&caller, kind, id).await?;
        Ok(Response::new(pb::GetRecordInfoResponse {
            partner_id: info.partner_id.to_string(),
            owner_id: info.owner_id.to_string(),
            account_id: info.account_id.map(|a| a.to_string()).unwrap_or_default(),
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_followers(
        &self,
        req: Request<pb::ListFollowersRequest>,
    ) -> Result<Response<pb::ListFollowersResponse>, Status> {
        let caller = Caller::of(&req)?;
        let (kind, id, info) = self.resolve(&caller, req.get_ref().record.as_ref()).await?;
        let mut q = follower::Entity::find()
            .filter(follower::Column::RecordType.eq(type_name(kind)))
            .filter(follower::Column::RecordId.eq(id));
        if let Some(p) = written_for(&caller, &info) {
            q = q.filter(follower::Column::PartnerId.eq(p));
        }
        let rows = q.order_by_asc(follower::Column::FollowTime).all(&self.db).await.map_err(Error::from)?;
        Ok(Response::new(pb::ListFollowersResponse {
            followers: rows
                .into_iter()
                .map(|f| pb::Follower {
                    user_id: f.user_id.to_string(),
                    follow_time: Some(time::to_proto(f.follow_time)),
                })
                .collect(),
        }))
    }
}

/// What a partner wrote on a record stays that partner's: people of a
/// partner see the notes, files, history and followers written while the
/// record was their partner's (a redistributed lead shows the next partner
/// none of the first one's); vendor staff see all of them.
fn written_for(caller: &Caller, info: &RecordInfo) -> Option<Uuid> {
    caller.role.is_partner_role().then_some(info.partner_id)
}

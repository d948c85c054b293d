//! `prm.case.v1.CaseService`: proto ⇄ domain translation, the store, and the
//! e-mails of [`crate::domain::notify`], queued in the outbox in the
//! transaction of the change that causes them (topic `mail.send`).

use prm_kit::{
    Caller, Error, Result,
    listing::{Field, FieldKind, ListParams, Listing, SortValue},
    mail::{self, MailSettings},
    owned,
    record::{self, parse_id},
    text, time,
};
use prm_proto::{
    case::v1::{self as pb, case_service_server::CaseService},
    common::v1::RecordType,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::{
    domain::{
        CaseStatus, PARTNER_FIELDS, Priority, Product, SUPPORT_FIELDS, Side, case_number, commenter,
        notify::{self, CaseMail},
        sees_internal,
    },
    store::{self, case, comment},
};

const MAX_SUBJECT: usize = 200;
const MAX_TEXT: usize = 20_000;

pub struct CaseApi {
    db: DatabaseConnection,
    mail: MailSettings,
}

impl CaseApi {
    pub fn new(db: DatabaseConnection, mail: MailSettings) -> Self {
        CaseApi { db, mail }
    }
}

type Reply<T> = std::result::Result<Response<T>, Status>;

fn status_in(v: i32) -> Result<CaseStatus> {
    Ok(match pb::CaseStatus::try_from(v) {
        Ok(pb::CaseStatus::New) => CaseStatus::New,
        Ok(pb::CaseStatus::InProgress) => CaseStatus::InProgress,
        Ok(pb::CaseStatus::WaitingOnPartner) => CaseStatus::WaitingOnPartner,
        Ok(pb::CaseStatus::Solved) => CaseStatus::Solved,
        Ok(pb::CaseStatus::Closed) => CaseStatus::Closed,
        _ => return Err(Error::invalid("status", "is required")),
    })
}

fn status_out(s: &str) -> pb::CaseStatus {
    match s.parse::<CaseStatus>() {
        Ok(CaseStatus::New) => pb::CaseStatus::New,
        Ok(CaseStatus::InProgress) => pb::CaseStatus::InProgress,
        Ok(CaseStatus::WaitingOnPartner) => pb::CaseStatus::WaitingOnPartner,
        Ok(CaseStatus::Solved) => pb::CaseStatus::Solved,
        Ok(CaseStatus::Closed) => pb::CaseStatus::Closed,
        Err(_) => pb::CaseStatus::Unspecified,
    }
}

fn product_in(field: &str, v: i32) -> Result<Product> {
    Ok(match pb::CaseProduct::try_from(v) {
        Ok(pb::CaseProduct::Licenses) => Product::Licenses,
        Ok(pb::CaseProduct::Hwaas) => Product::Hwaas,
        Ok(pb::CaseProduct::Classound) => Product::Classound,
        Ok(pb::CaseProduct::Hardware) => Product::Hardware,
        Ok(pb::CaseProduct::Other) => Product::Other,
        _ => return Err(Error::invalid(field, "is required")),
    })
}

fn product_out(s: &str) -> pb::CaseProduct {
    match s.parse::<Product>() {
        Ok(Product::Licenses) => pb::CaseProduct::Licenses,
        Ok(Product::Hwaas) => pb::CaseProduct::Hwaas,
        Ok(Product::Classound) => pb::CaseProduct::Classound,
        Ok(Product::Hardware) => pb::CaseProduct::Hardware,
        Ok(Product::Other) => pb::CaseProduct::Other,
        Err(_) => pb::CaseProduct::Unspecified,
    }
}

fn priority_in(field: &str, v: i32) -> Result<Option<Priority>> {
    Ok(match pb::CasePriority::try_from(v) {
        Ok(pb::CasePriority::Unspecified) => None,
        Ok(pb::CasePriority::Low) => Some(Priority::Low),
        Ok(pb::CasePriority::Medium) => Some(Priority::Medium),
        Ok(pb::CasePriority::High) => Some(Priority::High),
        Ok(pb::CasePriority::Urgent) => Some(Priority::Urgent),
        Err(_) => return Err(Error::invalid(field, "is not a priority")),
    })
}

fn priority_out(s: &str) -> pb::CasePriority {
    match s.parse::<Priority>() {
        Ok(Priority::Low) => pb::CasePriority::Low,
        Ok(Priority::Medium) => pb::CasePriority::Medium,
        Ok(Priority::High) => pb::CasePriority::High,
        Ok(Priority::Urgent) => pb::CasePriority::Urgent,
        Err(_) => pb::CasePriority::Unspecified,
    }
}

fn id_out(id: Uuid) -> String {
    if id.is_nil() { String::new() } else { id.to_string() }
}

/// A case as `caller` sees it: internal comments count only for support.
fn case_out(c: &case::Model, caller: &Caller) -> pb::Case {
    let internal = if sees_internal(caller) { c.internal_comments } else { 0 };
    pb::Case {
        id: c.id.to_string(),
        number: c.number.clone(),
        partner_id: c.partner_id.to_string(),
        submitter_id: c.submitter_id.to_string(),
        submitter: Some(pb::Person { email: c.submitter_email.clone(), display_name: c.submitter_name.clone() }),
        subject: c.subject.clone(),
        description: c.description.clone(),
        product: product_out(&c.product) as i32,
        priority: priority_out(&c.priority) as i32,
        status: status_out(&c.status) as i32,
        assignee_id: id_out(c.assignee_id),
        assignee: (!c.assignee_id.is_nil())
            .then(|| pb::Person { email: c.assignee_email.clone(), display_name: c.assignee_name.clone() }),
        comment_count: c.public_comments + internal,
        create_time: Some(time::to_proto(c.create_time)),
        update_time: Some(time::to_proto(c.update_time)),
        moves: c
            .status
            .parse::<CaseStatus>()
            .map(|s| s.moves_for(&Side::of(caller, c.partner_id, c.submitter_id)))
            .unwrap_or_default()
            .into_iter()
            .map(|to| status_out(&to.to_string()) as i32)
            .collect(),
    }
}

fn comment_out(m: comment::Model) -> pb::CaseComment {
    pb::CaseComment {
        id: m.id.to_string(),
        case_id: m.case_id.to_string(),
        author_id: m.author_id.to_string(),
        author_name: m.author_name,
        from_support: m.from_support,
        body: m.body,
        internal: m.internal,
        create_time: Some(time::to_proto(m.create_time)),
    }
}

/// A person the gateway names; `email_required` where an e-mail goes to them.
struct PersonIn {
    email: String,
    name: String,
}

fn person_in(field: &str, p: Option<&pb::Person>, email_required: bool) -> Result<PersonIn> {
    let empty = pb::Person::default();
    let p = p.unwrap_or(&empty);
    let email = text::email(&format!("{field}.email"), &p.email)?;
    if email_required && email.is_empty() {
        return Err(Error::invalid(format!("{field}.email"), "is required"));
    }
    Ok(PersonIn { email, name: text::line(&format!("{field}.display_name"), &p.display_name, 200)? })
}

/// An idempotency key: optional, up to 64 visible characters.
fn request_id_in(s: &str) -> Result<String> {
    if s.chars().count() > 64 || s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::invalid("request_id", "must be at most 64 visible characters, such as a UUID"));
    }
    Ok(s.to_string())
}

fn required_text(field: &str, value: &str) -> Result<String> {
    let v = text::paragraph(field, value, MAX_TEXT)?;
    if v.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    Ok(v)
}

pub const CASE_FIELDS: &[Field<case::Column>] = &[
    Field { name: "number", column: case::Column::Number, kind: FieldKind::Text },
    Field { name: "subject", column: case::Column::Subject, kind: FieldKind::Text },
    Field { name: "status", column: case::Column::Status, kind: FieldKind::Enum(CaseStatus::NAMES) },
    Field { name: "product", column: case::Column::Product, kind: FieldKind::Enum(Product::NAMES) },
    Field { name: "priority", column: case::Column::Priority, kind: FieldKind::Enum(Priority::NAMES) },
    Field { name: "partner_id", column: case::Column::PartnerId, kind: FieldKind::Uuid },
    Field { name: "submitter_id", column: case::Column::SubmitterId, kind: FieldKind::Uuid },
    Field { name: "assignee_id", column: case::Column::AssigneeId, kind: FieldKind::Uuid },
    Field { name: "create_time", column: case::Column::CreateTime, kind: FieldKind::Timestamp },
    Field { name: "update_time", column: case::Column::UpdateTime, kind: FieldKind::Timestamp },
];

fn case_sort_key(c: &case::Model, field: &str) -> (SortValue, Uuid) {
    let v: SortValue = match field {
        "number" => c.number.as_str().into(),
        "subject" => c.subject.as_str().into(),
        "status" => c.status.as_str().into(),
        "product" => c.product.as_str().into(),
        "priority" => c.priority.as_str().into(),
        "partner_id" => c.partner_id.into(),
        "submitter_id" => c.submitter_id.into(),
        "assignee_id" => c.assignee_id.into(),
        "update_time" => c.update_time.into(),
        _ => c.create_time.into(),
    };
    (v, c.id)
}

/// The thread pages oldest first on (create_time, id).
const COMMENT_FIELDS: &[Field<comment::Column>] =
    &[Field { name: "create_time", column: comment::Column::CreateTime, kind: FieldKind::Timestamp }];

/// Was this a unique index refusing a row (a race another call won)?
fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

impl CaseApi {
    /// Queues the e-mail `event` causes on `c`, if any, in `conn`'s transaction.
    async fn notify<C: ConnectionTrait>(
        &self,
        conn: &C,
        c: &case::Model,
        author_name: &str,
        event: notify::Event<'_>,
    ) -> Result<()> {
        let link = self.mail.link(&format!("/cases/{}", c.id));
        let view = CaseMail {
            number: &c.number,
            subject: &c.subject,
            link: &link,
            submitter_email: &c.submitter_email,
            submitter_name: &c.submitter_name,
            assignee_email: &c.assignee_email,
            assignee_name: &c.assignee_name,
            author_name,
        };
        if let Some(m) = notify::mail_for(&view, event) {
            mail::enqueue(conn, c.id, &m).await?;
        }
        Ok(())
    }

    /// The case the caller's partner opened earlier with `request_id`.
    async fn replay(&self, caller: &Caller, partner_id: Uuid, request_id: &str) -> Result<Option<case::Model>> {
        if request_id.is_empty() {
            return Ok(None);
        }
        Ok(owned::visible::<case::Entity>(caller)
            .filter(case::Column::PartnerId.eq(partner_id))
            .filter(case::Column::RequestId.eq(request_id))
            .one(&self.db)
            .await?)
    }
}

/// Writes a comment on `c` by `caller` writing as `side`.
async fn insert_comment<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    c: &case::Model,
    side: Side,
    author_name: &str,
    body: &str,
    internal: bool,
) -> Result<comment::Model> {
    let name = if author_name.is_empty() {
        match side {
            Side::Support => "Support",
            Side::Partner => "Partner",
        }
    } else {
        author_name
    };
    Ok(comment::ActiveModel {
        id: Set(Uuid::now_v7()),
        case_id: Set(c.id),
        partner_id: Set(c.partner_id),
        author_id: Set(caller.user_id),
        author_name: Set(name.to_string()),
        from_support: Set(side == Side::Support),
        body: Set(body.to_string()),
        internal: Set(internal),
        create_time: Set(time::now()),
    }
    .insert(conn)
    .await?)
}

#[tonic::async_trait]
impl CaseService for CaseApi {
    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn get_case(&self, req: Request<pb::GetCaseRequest>) -> Reply<pb::GetCaseResponse> {
        let caller = Caller::of(&req)?;
        let id = parse_id(&req.get_ref().id, "id")?;
        let c = owned::find::<case::Entity, _>(&self.db, &caller, id).await?;
        Ok(Response::new(pb::GetCaseResponse { case: Some(case_out(&c, &caller)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_cases(&self, req: Request<pb::ListCasesRequest>) -> Reply<pb::ListCasesResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let listing = Listing::parse(
            ListParams { page_size: r.page_size, page_token: &r.page_token, filter: &r.filter, order_by: &r.order_by },
            CASE_FIELDS,
            case::Column::Id,
            "create_time desc",
        )?;
        let rows = listing.apply(owned::visible::<case::Entity>(&caller)).all(&self.db).await.map_err(Error::from)?;
        let (rows, next_page_token) = listing.page(rows, case_sort_key);
        Ok(Response::new(pb::ListCasesResponse {
            cases: rows.iter().map(|c| case_out(c, &caller)).collect(),
            next_page_token,
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn create_case(&self, req: Request<pb::CreateCaseRequest>) -> Reply<pb::CreateCaseResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let request_id = request_id_in(&r.request_id)?;
        let c = r.case.ok_or_else(|| Error::invalid("case", "is required"))?;
        let partner_id = caller.creating_partner()?;
        if let Some(c) = self.replay(&caller, partner_id, &request_id).await? {
            return Ok(Response::new(pb::CreateCaseResponse { case: Some(case_out(&c, &caller)) }));
        }
        let subject = text::required_line("case.subject", &c.subject, MAX_SUBJECT)?;
        let description = required_text("case.description", &c.description)?;
        let product = product_in("case.product", c.product)?;
        let priority = priority_in("case.priority", c.priority)?.unwrap_or(Priority::Medium);
        let submitter = person_in("submitter", r.submitter.as_ref(), true)?;
        let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
        let n = store::next_case_count(&txn).await?;
        let now = time::now();
        let inserted = case::ActiveModel {
            id: Set(Uuid::now_v7()),
            number: Set(case_number(n)),
            partner_id: Set(partner_id),
            submitter_id: Set(caller.user_id),
            submitter_email: Set(submitter.email),
            submitter_name: Set(submitter.name),
            subject: Set(subject),
            description: Set(description),
            product: Set(product.to_string()),
            priority: Set(priority.to_string()),
            status: Set(CaseStatus::New.to_string()),
            assignee_id: Set(Uuid::nil()),
            assignee_email: Set(String::new()),
            assignee_name: Set(String::new()),
            public_comments: Set(0),
            internal_comments: Set(0),
            request_id: Set(request_id.clone()),
            create_time: Set(now),
            update_time: Set(now),
        }
        .insert(&txn)
        .await;
        let created = match inserted {
            Ok(m) => {
                store::index(&txn, &m).await?;
                txn.commit().await.map_err(Error::from)?;
                m
            }
            // A concurrent retry with the same request_id won: answer its case.
            Err(e) if is_unique_violation(&e) && !request_id.is_empty() => {
                drop(txn);
                self.replay(&caller, partner_id, &request_id).await?.ok_or(Error::Internal(e.into()))?
            }
            Err(e) => return Err(Error::from(e).into()),
        };
        Ok(Response::new(pb::CreateCaseResponse { case: Some(case_out(&created, &caller)) }))
    }

    #[tracing::instrument(skip_all)]
    async fn update_case(&self, req: Request<pb::UpdateCaseRequest>) -> Reply<pb::UpdateCaseResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let raw = r.case.ok_or_else(|| Error::invalid("case", "is required"))?;
        let id = parse_id(&raw.id, "case.id")?;
        let mask: Vec<String> = r.update_mask.map(|m| m.paths).unwrap_or_default();
        if mask.is_empty() {
            return Err(Error::invalid("update_mask", "names no field to change").into());
        }
        if let Some(p) = mask.iter().find(|p| !PARTNER_FIELDS.contains(&p.as_str())) {
            return Err(Error::invalid(
                "update_mask",
                format!("`{p}` cannot be changed; only {}", PARTNER_FIELDS.join(", ")),
            )
            .into());
        }
        let has = |f: &str| mask.iter().any(|p| p == f);
        let subject =
            if has("subject") { Some(text::required_line("case.subject", &raw.subject, MAX_SUBJECT)?) } else { None };
        let description =
            if has("description") { Some(required_text("case.description", &raw.description)?) } else { None };
        let product = if has("product") { Some(product_in("case.product", raw.product)?) } else { None };
        let priority = if has("priority") {
            Some(
                priority_in("case.priority", raw.priority)?
                    .ok_or_else(|| Error::invalid("case.priority", "is required"))?,
            )
        } else {
            None
        };
        let updated = owned::edit::<case::Entity>(&self.db, &caller, id, |current| {
            let sides = Side::of(&caller, current.partner_id, current.submitter_id);
            if !sides.contains(&Side::Partner)
                && let Some(p) = mask.iter().find(|p| !SUPPORT_FIELDS.contains(&p.as_str()))
            {
                return Err(Error::PermissionDenied(format!(
                    "support changes only {} of a case, not {p}",
                    SUPPORT_FIELDS.join(" and ")
                )));
            }
            let mut next = current.clone();
            if let Some(s) = &subject {
                next.subject = s.clone();
            }
            if let Some(d) = &description {
                next.description = d.clone();
            }
            if let Some(p) = product {
                next.product = p.to_string();
            }
            if let Some(p) = priority {
                next.priority = p.to_string();
            }
            if next == *current {
                return Ok(None);
            }
            next.update_time = time::now();
            // The description is long text: changed, but not kept in history.
            let changes = record::diff(&[
                ("subject", current.subject.clone(), next.subject.clone()),
                ("product", current.product.clone(), next.product.clone()),
                ("priority", current.priority.clone(), next.priority.clone()),
            ]);
            Ok(Some((next, changes)))
        })
        .await?;
        Ok(Response::new(pb::UpdateCaseResponse { case: Some(case_out(&updated, &caller)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn transition_case(&self, req: Request<pb::TransitionCaseRequest>) -> Reply<pb::TransitionCaseResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let id = parse_id(&r.id, "id")?;
        let to = status_in(r.status)?;
        let message = text::paragraph("message", &r.message, MAX_TEXT)?;
        let author = person_in("author", r.author.as_ref(), false)?;
        let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
        let c = owned::find_for_update::<case::Entity, _>(&txn, &caller, id).await?;
        let from = store::status_of(&c)?;
        let sides = Side::of(&caller, c.partner_id, c.submitter_id);
        from.move_to(to, &sides)?;
        // Support speaks for the vendor when acting in both capacities (ops).
        let side = if sides.contains(&Side::Support) { Side::Support } else { Side::Partner };
        let mut next = c.clone().into_active_model();
        next.status = Set(to.to_string());
        next.update_time = Set(time::now());
        if !message.is_empty() {
            next.public_comments = Set(c.public_comments + 1);
        }
        let next = next.update(&txn).await.map_err(Error::from)?;
        store::index(&txn, &next).await?;
        let changes = record::diff(&[("status", from.to_string(), to.to_string())]);
        record::write_history(&txn, RecordType::Case, id, next.partner_id, caller.user_id, &changes).await?;
        if !message.is_empty() {
            insert_comment(&txn, &caller, &next, side, &author.name, &message, false).await?;
        }
        self.notify(&txn, &next, &author.name, notify::Event::Moved { side, to, text: &message }).await?;
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::TransitionCaseResponse { case: Some(case_out(&next, &caller)) }))
    }

    #[tracing::instrument(skip_all, fields(id = %req.get_ref().id))]
    async fn assign_case(&self, req: Request<pb::AssignCaseRequest>) -> Reply<pb::AssignCaseResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let id = parse_id(&r.id, "id")?;
        let assignee_id = if r.assignee_id.is_empty() {
            match caller.role {
                prm_kit::Role::SupportAgent => caller.user_id,
                prm_kit::Role::Ops => return Err(Error::invalid("assignee_id", "is required").into()),
                _ => return Err(Error::PermissionDenied("only a support agent assigns cases".into()).into()),
            }
        } else {
            parse_id(&r.assignee_id, "assignee_id")?
        };
        let assignee = person_in("assignee", r.assignee.as_ref(), true)?;
        let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
        let c = owned::find_for_update::<case::Entity, _>(&txn, &caller, id).await?;
        if !Side::of(&caller, c.partner_id, c.submitter_id).contains(&Side::Support) {
            return Err(Error::PermissionDenied("only a support agent assigns cases".into()).into());
        }
        if store::status_of(&c)? == CaseStatus::Closed {
            return Err(Error::FailedPrecondition("a closed case is not assigned".into()).into());
        }
        let mut next = c.clone().into_active_model();
        next.assignee_id = Set(assignee_id);
        next.assignee_email = Set(assignee.email);
        next.assignee_name = Set(assignee.name);
        next.update_time = Set(time::now());
        let next = next.update(&txn).await.map_err(Error::from)?;
        let changes = record::diff(&[("assignee_id", id_out(c.assignee_id), assignee_id.to_string())]);
        record::write_history(&txn, RecordType::Case, id, next.partner_id, caller.user_id, &changes).await?;
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::AssignCaseResponse { case: Some(case_out(&next, &caller)) }))
    }

    #[tracing::instrument(skip_all, fields(case_id = %req.get_ref().case_id))]
    async fn list_case_comments(
        &self,
        req: Request<pb::ListCaseCommentsRequest>,
    ) -> Reply<pb::ListCaseCommentsResponse> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let id = parse_id(&r.case_id, "case_id")?;
        let listing = Listing::parse(
            ListParams { page_size: r.page_size, page_token: &r.page_token, filter: "", order_by: "" },
            COMMENT_FIELDS,
            comment::Column::Id,
            "create_time asc",
        )?;
        owned::find::<case::Entity, _>(&self.db, &caller, id).await?;
        let mut q = comment::Entity::find().filter(comment::Column::CaseId.eq(id));
        if !sees_internal(&caller) {
            q = q.filter(comment::Column::Internal.eq(false));
        }
        let rows = listing.apply(q).all(&self.db).await.map_err(Error::from)?;
        let (rows, next_page_token) = listing.page(rows, |m, _| (m.create_time.into(), m.id));
        Ok(Response::new(pb::ListCaseCommentsResponse {
            comments: rows.into_iter().map(comment_out).collect(),
            next_page_token,
        }))
    }

    #[tracing::instrument(skip_all, fields(case_id = %req.get_ref().case_id))]
    async fn add_case_comment(&self, req: Request<pb::AddCaseCommentRequest>) -> Reply<pb::AddCaseCommentResponse> {
        let caller = Caller::of(&req)?;
        let r = req.into_inner();
        let id = parse_id(&r.case_id, "case_id")?;
        let body = required_text("body", &r.body)?;
        let author = person_in("author", r.author.as_ref(), false)?;
        let txn = prm_kit::db::begin_write(&self.db).await.map_err(Error::from)?;
        let c = owned::find_for_update::<case::Entity, _>(&txn, &caller, id).await?;
        let side = commenter(&caller, c.partner_id)
            .ok_or_else(|| Error::PermissionDenied(format!("a {} reads cases but does not comment", caller.role)))?;
        if r.internal && side != Side::Support {
            return Err(Error::PermissionDenied("only support writes internal comments".into()).into());
        }
        let from = store::status_of(&c)?;
        if from == CaseStatus::Closed {
            return Err(Error::FailedPrecondition("a closed case takes no comments".into()).into());
        }
        let mut next = c.clone().into_active_model();
        if r.internal {
            next.internal_comments = Set(c.internal_comments + 1);
        } else {
            next.public_comments = Set(c.public_comments + 1);
            next.update_time = Set(time::now());
        }
        // The partner's answer puts a case waiting on it back in support's hands.
        let reopened = side == Side::Partner && !r.internal && from == CaseStatus::WaitingOnPartner;
        if reopened {
            next.status = Set(CaseStatus::InProgress.to_string());
        }
        let next = next.update(&txn).await.map_err(Error::from)?;
        if reopened {
            store::index(&txn, &next).await?;
            let changes = record::diff(&[("status", from.to_string(), CaseStatus::InProgress.to_string())]);
            record::write_history(&txn, RecordType::Case, id, next.partner_id, caller.user_id, &changes).await?;
        }
        let saved = insert_comment(&txn, &caller, &next, side, &author.name, &body, r.internal).await?;
        self.notify(
            &txn,
            &next,
            &saved.author_name,
            notify::Event::Comment { side, internal: r.internal, text: &body },
        )
        .await?;
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::AddCaseCommentResponse { comment: Some(comment_out(saved)) }))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_need_an_address_where_mail_goes() {
        let err = person_in("submitter", None, true).err().unwrap();
        assert!(matches!(err, Error::Invalid { ref field, .. } if field == "submitter.email"), "{err:?}");
        assert!(person_in("author", None, false).is_ok());
    }

    #[test]
    fn enums_map_both_ways() {
        for s in CaseStatus::NAMES {
            assert_eq!(status_in(status_out(s) as i32).unwrap().as_str(), *s);
        }
        for p in Product::NAMES {
            assert_eq!(product_in("p", product_out(p) as i32).unwrap().as_str(), *p);
        }
        for p in Priority::NAMES {
            assert_eq!(priority_in("p", priority_out(p) as i32).unwrap().unwrap().as_str(), *p);
        }
    }
}

//! Lead conversion, a saga over three services: the account service makes
//! the account and its contact, the project service the project, and this
//! service marks the lead converted.
//!
//! All or nothing, without a distributed transaction:
//! 1. In one local transaction the lead is checked (qualified, the caller
//!    may change it) and a conversion row is written with the ids of what
//!    will be made, chosen once, and a lease on it.
//! 2. The account, the contact and the project are created with those ids.
//!    Those creates are idempotent by id, so doing a step again (a client
//!    retry, or the recovery pass after a crash) answers what the first try
//!    made instead of making a second one.
//! 3. One local transaction marks the lead converted, links it, and marks
//!    the conversion done.
//!
//! When a step fails during the call, what was made is undone at once
//! (deleting the account deletes its contacts; the project is deleted when it
//! may exist), the lead stays qualified and the caller gets the error. An
//! undo that cannot finish (a service down) stays recorded as `undoing`.
//! A recovery pass, at start and then periodically, takes conversions whose
//! lease ran out (their driver crashed or gave up): it finishes those still
//! `converting` (undoing them when a service refuses, or after many tries)
//! and completes pending undos. So nothing is left half made.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use prm_kit::{
    Caller, Error, Result,
    auth::{CallerInterceptor, InternalKey},
    db::begin_write,
    owned::{self, Change, OwnedEntity},
    record, time,
};
use prm_proto::{
    account::v1::{self as apb, account_service_client::AccountServiceClient},
    common::v1::{Address as PbAddress, RecordType},
    project::v1::{self as ppb, project_service_client::ProjectServiceClient},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, sea_query::Expr,
};
use tonic::{Code, Status, transport::Channel};
use uuid::Uuid;

use crate::{
    domain::{ConversionState, LeadStatus, ProjectDraft, ProjectInput, ProjectRecordType, Solution, check_convertible},
    store::{conversion, lead},
};

/// How long a driver holds a conversion: longer than its calls may take
/// (three creates and two deletes, each with a 15 s deadline).
const LEASE: Duration = Duration::from_secs(120);
/// Failed recovery tries of a conversion before it is undone instead.
const MAX_ATTEMPTS: i32 = 20;
/// How often the recovery pass looks for conversions left behind.
pub const RECOVERY_INTERVAL: Duration = Duration::from_secs(30);

/// What a failed call to another service says about its effect.
#[derive(Debug)]
enum Failure {
    /// The service refused (bad input, a rule): it made nothing.
    Refused(Status),
    /// Not reached: it made nothing; a later try may succeed.
    Down(Status),
    /// No clear answer (deadline, internal error): it may have made it.
    Unknown(Status),
    /// This service's own database failed after the steps.
    Local(Error),
}

fn classify(s: Status) -> Failure {
    match s.code() {
        Code::InvalidArgument
        | Code::FailedPrecondition
        | Code::PermissionDenied
        | Code::NotFound
        | Code::AlreadyExists
        | Code::OutOfRange
        | Code::Unauthenticated
        | Code::Unimplemented => Failure::Refused(s),
        Code::Unavailable | Code::ResourceExhausted => Failure::Down(s),
        _ => Failure::Unknown(s),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Account,
    Contact,
    Project,
    Finish,
}

impl Step {
    fn service(self) -> &'static str {
        match self {
            Step::Account | Step::Contact => "account",
            Step::Project => "project",
            Step::Finish => "lead",
        }
    }
}

/// The error the caller of ConvertLead gets for a failed (and undone) step.
fn caller_error(step: Step, failure: Failure) -> Error {
    let service = step.service();
    match failure {
        Failure::Refused(s) if s.code() == Code::InvalidArgument && step == Step::Project => {
            match prm_kit::error::violated_field(&s) {
                // The project's own fields are the request's `project_…` fields.
                Some((field, message)) => {
                    let field = field.strip_prefix("project.").unwrap_or(&field);
                    if ["name", "record_type", "close_date"].contains(&field) {
                        Error::invalid(format!("project_{field}"), message)
                    } else {
                        Error::FailedPrecondition(format!(
                            "the project service refused the project: {field}: {message}"
                        ))
                    }
                }
                None => Error::FailedPrecondition(format!("the project service refused the project: {}", s.message())),
            }
        }
        Failure::Refused(s) => Error::FailedPrecondition(format!("the {service} service refused: {}", s.message())),
        Failure::Down(s) => {
            tracing::warn!(status = ?s, "conversion step could not reach its service");
            Error::Unavailable(format!("the {service} service is unavailable; nothing was converted, retry later"))
        }
        Failure::Unknown(s) => {
            tracing::warn!(status = ?s, "conversion step without a clear answer");
            Error::Unavailable(format!("the {service} service did not answer; nothing was converted, retry later"))
        }
        Failure::Local(e) => e,
    }
}

/// Runs conversions and their recovery.
pub struct Converter {
    db: DatabaseConnection,
    accounts: Channel,
    projects: Channel,
    key: InternalKey,
}

/// How a conversion request starts, decided under the lead's lock.
enum Begin {
    /// Already converted (a retry): the answer is the lead.
    Converted(Box<lead::Model>),
    /// Make the records of this conversion (new, or left behind).
    Drive(conversion::Model),
    /// An earlier attempt is still being undone: finish that first.
    Undo(conversion::Model),
}

fn lease_from(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Pause before the next try of a failing conversion: 5 s, doubling, at most 10 min.
fn backoff(attempts: i32) -> Duration {
    Duration::from_secs(5u64.saturating_mul(1 << attempts.clamp(0, 7)).min(600))
}

impl Converter {
    pub fn new(db: DatabaseConnection, accounts: Channel, projects: Channel, key: InternalKey) -> Self {
        Converter { db, accounts, projects, key }
    }

    /// Converts lead `id` for `caller`; `project` asks for a project too.
    /// Repeating it answers the converted lead and makes nothing new.
    pub async fn convert(&self, caller: &Caller, id: Uuid, project: Option<ProjectInput>) -> Result<lead::Model> {
        // At most one earlier undo to finish before the conversion proper.
        for _ in 0..2 {
            match self.begin(caller, id, project.as_ref()).await? {
                Begin::Converted(lead) => return Ok(*lead),
                Begin::Drive(conv) => return self.drive_live(conv).await,
                Begin::Undo(conv) => {
                    if !self.undo(&conv).await? {
                        return Err(Error::Unavailable(
                            "an earlier conversion is still being undone; retry later".into(),
                        ));
                    }
                }
            }
        }
        Err(Error::Aborted("the conversion changed under way; retry".into()))
    }

    async fn begin(&self, caller: &Caller, id: Uuid, project: Option<&ProjectInput>) -> Result<Begin> {
        let txn = begin_write(&self.db).await?;
        let current = owned::find_for_update::<lead::Entity, _>(&txn, caller, id).await?;
        if current.status == LeadStatus::Converted.as_str() {
            return Ok(Begin::Converted(Box::new(current)));
        }
        lead::Entity::check_change(caller, &current, Change::Edit)?;
        // The account and contact are the lead's partner's, made by its people.
        if !(caller.role.is_partner_role() && caller.partner_id == Some(current.partner_id)) {
            return Err(Error::PermissionDenied("only the partner's people convert its leads".into()));
        }
        let now = time::now();
        let existing = conversion::Entity::find_by_id(id).one(&txn).await?;
        if let Some(conv) = existing {
            if conv.lease_until > now {
                return Err(Error::Aborted("the lead is being converted; retry shortly".into()));
            }
            let mut claimed = conv.clone();
            claimed.lease_until = lease_from(now, LEASE);
            claimed.update_time = now;
            let claimed = claimed.into_active_model().reset_all().update(&txn).await?;
            txn.commit().await?;
            return Ok(match claimed.state.parse::<ConversionState>() {
                Ok(ConversionState::Undoing) => Begin::Undo(claimed),
                _ => Begin::Drive(claimed),
            });
        }
        check_convertible(current.state().status)?;
        let draft = project.map(|p| ProjectDraft::new(&current.fields(), p, now.date_naive())).transpose()?;
        let caller_json = serde_json::to_string(caller).map_err(|e| Error::Internal(e.into()))?;
        let conv = conversion::Model {
            lead_id: id,
            partner_id: current.partner_id,
            state: ConversionState::Converting.to_string(),
            account_id: Uuid::now_v7(),
            contact_id: Uuid::now_v7(),
            project_id: draft.as_ref().map(|_| Uuid::now_v7()),
            project_name: draft.as_ref().map(|d| d.name.clone()).unwrap_or_default(),
            project_record_type: draft.as_ref().map(|d| d.record_type.to_string()).unwrap_or_default(),
            project_close_date: draft.as_ref().map(|d| d.close_date.to_string()).unwrap_or_default(),
            caller: caller_json,
            undo_project: false,
            attempts: 0,
            last_error: String::new(),
            lease_until: lease_from(now, LEASE),
            create_time: now,
            update_time: now,
        };
        let conv = conv.into_active_model().reset_all().insert(&txn).await?;
        txn.commit().await?;
        tracing::info!(lead_id = %id, account_id = %conv.account_id, project_id = ?conv.project_id, "converting lead");
        Ok(Begin::Drive(conv))
    }

    /// Drives a conversion for a waiting caller: on failure, undo at once.
    async fn drive_live(&self, conv: conversion::Model) -> Result<lead::Model> {
        let (step, failure) = match self.forward(&conv).await {
            Ok(lead) => return Ok(lead),
            Err(e) => e,
        };
        if let Failure::Local(e) = failure {
            // Our database failed: the lease runs out and recovery finishes it.
            return Err(e);
        }
        tracing::warn!(lead_id = %conv.lead_id, ?step, ?failure, "conversion step failed; undoing");
        let conv = self.mark_undoing(conv, may_have_made_project(step, &failure), &format!("{failure:?}")).await?;
        self.undo(&conv).await?;
        Err(caller_error(step, failure))
    }

    /// Makes the records (each step idempotent by id) and marks the lead converted.
    async fn forward(&self, conv: &conversion::Model) -> std::result::Result<lead::Model, (Step, Failure)> {
        let local = |e: Error| (Step::Finish, Failure::Local(e));
        let caller: Caller = serde_json::from_str(&conv.caller).map_err(|e| local(Error::Internal(e.into())))?;
        let lead = lead::Entity::find_by_id(conv.lead_id)
            .one(&self.db)
            .await
            .map_err(|e| local(e.into()))?
            .ok_or_else(|| local(Error::NotFound))?;
        let f = lead.fields();
        let auth = CallerInterceptor::new(&self.key, &caller).map_err(|e| local(Error::Internal(e)))?;
        let address = Some(PbAddress {
            street: f.address.street.clone(),
            city: f.address.city.clone(),
            postal_code: f.address.postal_code.clone(),
            region: f.address.region.clone(),
            country: f.address.country.clone(),
        });
        let mut accounts = AccountServiceClient::with_interceptor(self.accounts.clone(), auth.clone());
        accounts
            .create_account(apb::CreateAccountRequest {
                account: Some(apb::Account {
                    name: f.company.clone(),
                    r#type: apb::AccountType::Prospect as i32,
                    phone: f.phone.clone(),
                    billing_address: address.clone(),
                    ..Default::default()
                }),
                account_id: conv.account_id.to_string(),
            })
            .await
            .map_err(|s| (Step::Account, classify(s)))?;
        accounts
            .create_contact(apb::CreateContactRequest {
                contact: Some(apb::Contact {
                    account_id: conv.account_id.to_string(),
                    first_name: f.first_name.clone(),
                    last_name: f.last_name.clone(),
                    title: f.title.clone(),
                    email: f.email.clone(),
                    phone: f.phone.clone(),
                    mailing_address: address,
                    ..Default::default()
                }),
                contact_id: conv.contact_id.to_string(),
            })
            .await
            .map_err(|s| (Step::Contact, classify(s)))?;
        if let Some(project_id) = conv.project_id {
            let record_type = match conv.project_record_type.parse::<ProjectRecordType>() {
                Ok(ProjectRecordType::ExistingCustomer) => ppb::RecordType::ExistingCustomer,
                _ => ppb::RecordType::NewBusiness,
            };
            let mut projects = ProjectServiceClient::with_interceptor(self.projects.clone(), auth);
            projects
                .create_project(ppb::CreateProjectRequest {
                    project: Some(ppb::Project {
                        account_id: conv.account_id.to_string(),
                        name: conv.project_name.clone(),
                        record_type: record_type as i32,
                        close_date: conv.project_close_date.clone(),
                        total_users: f.estimated_users,
                        interested_solutions: f
                            .interested_solutions
                            .iter()
                            .map(|s| match s {
                                Solution::Licenses => ppb::Solution::Licenses as i32,
                                Solution::Hwaas => ppb::Solution::Hwaas as i32,
                                Solution::Classound => ppb::Solution::Classound as i32,
                            })
                            .collect(),
                        description: f.description.clone(),
                        ..Default::default()
                    }),
                    project_id: project_id.to_string(),
                })
                .await
                .map_err(|s| (Step::Project, classify(s)))?;
        }
        self.finish(conv, &caller).await.map_err(local)
    }

    /// Marks the lead converted and the conversion done, in one transaction.
    async fn finish(&self, conv: &conversion::Model, caller: &Caller) -> Result<lead::Model> {
        let txn = begin_write(&self.db).await?;
        let q = lead::Entity::find_by_id(conv.lead_id);
        let q = match self.db.get_database_backend() {
            DbBackend::Postgres => q.lock_exclusive(),
            _ => q,
        };
        let current = q.one(&txn).await?.ok_or(Error::NotFound)?;
        if current.status == LeadStatus::Converted.as_str() {
            return Ok(current);
        }
        let now = time::now();
        let mut next = current.clone();
        next.status = LeadStatus::Converted.to_string();
        next.account_id = Some(conv.account_id);
        next.contact_id = Some(conv.contact_id);
        next.project_id = conv.project_id;
        next.convert_time = Some(now);
        next.update_time = now;
        let next = next.into_active_model().reset_all().update(&txn).await?;
        crate::store::index(&txn, &next).await?;
        let changes = record::diff(&[("status", current.status.clone(), next.status.clone())]);
        record::write_history(&txn, RecordType::Lead, next.id, next.partner_id, caller.user_id, &changes).await?;
        conversion::Entity::update_many()
            .col_expr(conversion::Column::State, Expr::value(ConversionState::Done.as_str()))
            .col_expr(conversion::Column::UpdateTime, Expr::value(now))
            .filter(conversion::Column::LeadId.eq(conv.lead_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        tracing::info!(lead_id = %next.id, "lead converted");
        Ok(next)
    }

    async fn mark_undoing(
        &self,
        conv: conversion::Model,
        undo_project: bool,
        error: &str,
    ) -> Result<conversion::Model> {
        let mut next = conv;
        next.state = ConversionState::Undoing.to_string();
        next.undo_project = next.project_id.is_some() && undo_project;
        next.last_error = error.chars().take(2000).collect();
        next.update_time = time::now();
        Ok(next.into_active_model().reset_all().update(&self.db).await?)
    }

    /// Deletes what the conversion may have made; answers whether it is all
    /// gone. The conversion row goes with it; while a service cannot be
    /// reached, the row stays `undoing` for the recovery pass.
    async fn undo(&self, conv: &conversion::Model) -> Result<bool> {
        let caller: Caller = serde_json::from_str(&conv.caller).map_err(|e| Error::Internal(e.into()))?;
        let auth = CallerInterceptor::new(&self.key, &caller)?;
        // What points at the account goes first (the project, then the
        // contact), since an account others point at is not deleted.
        let mut result = Ok(());
        if let (true, Some(project_id)) = (conv.undo_project, conv.project_id) {
            result = gone(
                ProjectServiceClient::with_interceptor(self.projects.clone(), auth.clone())
                    .delete_project(ppb::DeleteProjectRequest { id: project_id.to_string() })
                    .await,
            );
        }
        let mut accounts = AccountServiceClient::with_interceptor(self.accounts.clone(), auth);
        if result.is_ok() {
            result = gone(accounts.delete_contact(apb::DeleteContactRequest { id: conv.contact_id.to_string() }).await);
        }
        if result.is_ok() {
            result = gone(accounts.delete_account(apb::DeleteAccountRequest { id: conv.account_id.to_string() }).await);
        }
        match result {
            Ok(()) => {
                conversion::Entity::delete_by_id(conv.lead_id).exec(&self.db).await?;
                tracing::info!(lead_id = %conv.lead_id, "conversion undone");
                Ok(true)
            }
            Err(s) => {
                tracing::warn!(lead_id = %conv.lead_id, status = ?s, "undo incomplete; the recovery pass retries");
                self.release(conv, &format!("undo: {s:?}")).await?;
                Ok(false)
            }
        }
    }

    /// Gives a conversion back until its next try.
    async fn release(&self, conv: &conversion::Model, error: &str) -> Result<()> {
        let attempts = conv.attempts + 1;
        let now = time::now();
        conversion::Entity::update_many()
            .col_expr(conversion::Column::Attempts, Expr::value(attempts))
            .col_expr(conversion::Column::LastError, Expr::value(error.chars().take(2000).collect::<String>()))
            .col_expr(conversion::Column::LeaseUntil, Expr::value(lease_from(now, backoff(attempts))))
            .col_expr(conversion::Column::UpdateTime, Expr::value(now))
            .filter(conversion::Column::LeadId.eq(conv.lead_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Takes a conversion whose lease ran out; false when another driver was quicker.
    async fn claim(&self, conv: &conversion::Model) -> Result<bool> {
        let now = time::now();
        let r = conversion::Entity::update_many()
            .col_expr(conversion::Column::LeaseUntil, Expr::value(lease_from(now, LEASE)))
            .filter(conversion::Column::LeadId.eq(conv.lead_id))
            .filter(conversion::Column::LeaseUntil.lt(now))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// One recovery pass: finishes or undoes the conversions left behind.
    /// Answers how many it settled (converted or undone).
    pub async fn recover_once(&self) -> Result<usize> {
        let left = conversion::Entity::find()
            .filter(
                conversion::Column::State
                    .is_in([ConversionState::Converting.as_str(), ConversionState::Undoing.as_str()]),
            )
            .filter(conversion::Column::LeaseUntil.lt(time::now()))
            .limit(50)
            .all(&self.db)
            .await?;
        let mut settled = 0;
        for conv in left {
            if !self.claim(&conv).await? {
                continue;
            }
            let done = match conv.state.parse::<ConversionState>() {
                Ok(ConversionState::Undoing) => self.undo(&conv).await?,
                _ => self.recover_forward(conv).await?,
            };
            settled += usize::from(done);
        }
        Ok(settled)
    }

    /// Recovery carries a conversion forward (the person asked for it); a
    /// refusal, or too many failed tries, undoes it instead.
    async fn recover_forward(&self, conv: conversion::Model) -> Result<bool> {
        let (step, failure) = match self.forward(&conv).await {
            Ok(_) => return Ok(true),
            Err(e) => e,
        };
        let give_up = matches!(failure, Failure::Refused(_)) || conv.attempts + 1 >= MAX_ATTEMPTS;
        if !give_up {
            tracing::warn!(lead_id = %conv.lead_id, ?step, ?failure, "conversion not finished; retrying later");
            self.release(&conv, &format!("{step:?}: {failure:?}")).await?;
            return Ok(false);
        }
        // What an earlier, crashed try made is not known: delete the project
        // too unless its own step just said it made none.
        let project_unmade = step == Step::Project && matches!(failure, Failure::Refused(_) | Failure::Down(_));
        let conv = self.mark_undoing(conv, !project_unmade, &format!("{step:?}: {failure:?}")).await?;
        self.undo(&conv).await
    }

    /// Runs [`Converter::recover_once`] now and every `every`, until the
    /// answered guard is dropped.
    pub fn spawn_recovery(self: Arc<Self>, every: Duration) -> RecoveryGuard {
        RecoveryGuard(tokio::spawn(async move {
            loop {
                match self.recover_once().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(settled = n, "lead conversions recovered"),
                    Err(e) => tracing::warn!(error = %e, "lead conversion recovery pass failed"),
                }
                tokio::time::sleep(every).await;
            }
        }))
    }
}

/// A delete that found nothing to delete did its job.
fn gone<T>(r: std::result::Result<tonic::Response<T>, Status>) -> std::result::Result<(), Status> {
    match r {
        Ok(_) => Ok(()),
        Err(s) if s.code() == Code::NotFound => Ok(()),
        Err(s) => Err(s),
    }
}

/// Whether the project may exist after `step` failed so: only when the
/// project step got no clear answer, or when everything after it failed.
fn may_have_made_project(step: Step, failure: &Failure) -> bool {
    matches!((step, failure), (Step::Project, Failure::Unknown(_)) | (Step::Finish, _))
}

/// Stops the recovery task when the service (which holds it) goes away.
pub struct RecoveryGuard(tokio::task::JoinHandle<()>);

impl Drop for RecoveryGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A lead's conversion row, if any: a lead being converted or undone is not deleted.
pub async fn in_progress<C: sea_orm::ConnectionTrait>(conn: &C, lead_id: Uuid) -> Result<bool> {
    let n = conversion::Entity::find_by_id(lead_id).one(conn).await?;
    Ok(n.is_some_and(|c| c.state != ConversionState::Done.as_str()))
}

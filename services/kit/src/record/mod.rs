//! Record features every service offers on its own records, each kept in the
//! owning service's own tables: notes, file attachments, field history and
//! followers. A service plugs in a [`RecordAccess`] that says whether the
//! caller sees a record; everything else is here, once.

mod entities;
mod migration;
mod service;

pub use entities::{attachment, field_change, follower, note};
pub use migration::RecordFeaturesMigration;
pub use service::{MAX_ATTACHMENT_BYTES, MAX_MESSAGE_BYTES, RecordFeatures};

use prm_proto::common::v1::{RecordRef, RecordType};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::{Caller, Error, Result};

/// What the owning service tells about one record the caller asked for.
#[derive(Debug, Clone, Copy)]
pub struct RecordInfo {
    pub partner_id: Uuid,
    pub owner_id: Uuid,
    /// The account the record belongs to, where it belongs to one.
    pub account_id: Option<Uuid>,
}

/// The owning service's answer to "does this caller see this record?".
#[tonic::async_trait]
pub trait RecordAccess: Send + Sync + 'static {
    /// The record, if it is one of this service's and the caller sees it;
    /// NOT_FOUND otherwise.
    async fn find(&self, caller: &Caller, kind: RecordType, id: Uuid) -> Result<RecordInfo>;
}

/// Parses a `RecordRef` of a request, naming `field` when it is malformed.
pub fn parse_ref(r: Option<&RecordRef>, field: &str) -> Result<(RecordType, Uuid)> {
    let r = r.ok_or_else(|| Error::invalid(field, "is required"))?;
    let kind = RecordType::try_from(r.r#type)
        .ok()
        .filter(|k| *k != RecordType::Unspecified)
        .ok_or_else(|| Error::invalid(format!("{field}.type"), "is required"))?;
    let id = parse_id(&r.id, &format!("{field}.id"))?;
    Ok((kind, id))
}

/// Parses an id, naming `field` when it is not one.
pub fn parse_id(s: &str, field: &str) -> Result<Uuid> {
    if s.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    Uuid::parse_str(s).map_err(|_| Error::invalid(field, "is not a valid id"))
}

/// The stored name of a record type.
pub fn type_name(kind: RecordType) -> &'static str {
    match kind {
        RecordType::Unspecified => "unspecified",
        RecordType::Account => "account",
        RecordType::Contact => "contact",
        RecordType::Lead => "lead",
        RecordType::Project => "project",
        RecordType::Quote => "quote",
        RecordType::Order => "order",
        RecordType::Task => "task",
        RecordType::Case => "case",
    }
}

pub fn type_from_name(s: &str) -> RecordType {
    match s {
        "account" => RecordType::Account,
        "contact" => RecordType::Contact,
        "lead" => RecordType::Lead,
        "project" => RecordType::Project,
        "quote" => RecordType::Quote,
        "order" => RecordType::Order,
        "task" => RecordType::Task,
        "case" => RecordType::Case,
        _ => RecordType::Unspecified,
    }
}

/// One change of a tracked field, for the record's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDiff {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

/// Compares tracked values and keeps those that changed.
pub fn diff(pairs: &[(&'static str, String, String)]) -> Vec<FieldDiff> {
    pairs
        .iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| FieldDiff { field, old: old.clone(), new: new.clone() })
        .collect()
}

/// Writes history rows, in the caller's transaction so history and change
/// commit together.
pub async fn write_history<C: ConnectionTrait>(
    conn: &C,
    kind: RecordType,
    record_id: Uuid,
    partner_id: Uuid,
    changed_by: Uuid,
    changes: &[FieldDiff],
) -> Result<()> {
    let now = crate::time::now();
    for c in changes {
        field_change::ActiveModel {
            id: Set(Uuid::now_v7()),
            record_type: Set(type_name(kind).into()),
            record_id: Set(record_id),
            partner_id: Set(partner_id),
            field: Set(c.field.into()),
            old_value: Set(c.old.clone()),
            new_value: Set(c.new.clone()),
            changed_by: Set(changed_by),
            change_time: Set(now),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// Removes the notes, files, history, followers and search document of a
/// deleted record.
pub async fn delete_features<C: ConnectionTrait>(conn: &C, kind: RecordType, id: Uuid) -> Result<()> {
    crate::search::remove(conn, kind, id).await?;
    let t = type_name(kind);
    note::Entity::delete_many()
        .filter(note::Column::RecordType.eq(t))
        .filter(note::Column::RecordId.eq(id))
        .exec(conn)
        .await?;
    attachment::Entity::delete_many()
        .filter(attachment::Column::RecordType.eq(t))
        .filter(attachment::Column::RecordId.eq(id))
        .exec(conn)
        .await?;
    field_change::Entity::delete_many()
        .filter(field_change::Column::RecordType.eq(t))
        .filter(field_change::Column::RecordId.eq(id))
        .exec(conn)
        .await?;
    follower::Entity::delete_many()
        .filter(follower::Column::RecordType.eq(t))
        .filter(follower::Column::RecordId.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_history() {
        let d = diff(&[("name", "A".into(), "B".into()), ("phone", "1".into(), "1".into())]);
        assert_eq!(d, vec![FieldDiff { field: "name", old: "A".into(), new: "B".into() }]);
    }

    #[test]
    fn malformed_refs_name_the_field() {
        let r = RecordRef { r#type: RecordType::Account as i32, id: "nope".into() };
        match parse_ref(Some(&r), "record") {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "record.id"),
            other => panic!("{other:?}"),
        }
        match parse_ref(None, "record") {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "record"),
            other => panic!("{other:?}"),
        }
    }
}

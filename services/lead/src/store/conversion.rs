//! The `lead_conversions` table: one row per lead conversion, written before
//! any other service is called, with the ids of what it will make. It is the
//! saga's memory: a retry, or the recovery pass after a crash, reads it to
//! finish or undo the conversion without making anything twice.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_conversions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub lead_id: Uuid,
    pub partner_id: Uuid,
    /// `crate::domain::ConversionState`.
    pub state: String,
    pub account_id: Uuid,
    pub contact_id: Uuid,
    /// Set when the conversion makes a project.
    pub project_id: Option<Uuid>,
    pub project_name: String,
    pub project_record_type: String,
    /// `YYYY-MM-DD`.
    pub project_close_date: String,
    /// The person who asked, as JSON: the other services are called on their
    /// behalf, also by the recovery pass.
    pub caller: String,
    /// While undoing: whether the project may exist and must be deleted too.
    pub undo_project: bool,
    pub attempts: i32,
    pub last_error: String,
    /// Whoever drives the conversion holds it until then; the recovery pass
    /// takes rows whose lease has run out (a crashed or failed driver).
    pub lease_until: DateTimeUtc,
    pub create_time: DateTimeUtc,
    pub update_time: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

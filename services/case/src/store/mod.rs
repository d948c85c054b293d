//! Storage of the case service: entities, migrations, case numbers, and the
//! access rules of cases (the kit's owned-record helpers with the case
//! scope: support agents see every case).

mod entities;
mod indexing;
mod migration;

pub use entities::{case, comment, counter};
pub use indexing::{BackfillSearch, Searchable, index};
pub use migration::Migrator;

use std::str::FromStr;

use prm_kit::{
    Caller, Error, Result,
    owned::{self, Change, OwnedEntity},
    record::{RecordAccess, RecordInfo},
    scope::Scope,
};
use prm_proto::common::v1::RecordType;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::domain::{CaseStatus, Side};

impl OwnedEntity for case::Entity {
    const KIND: RecordType = RecordType::Case;
    const ID: case::Column = case::Column::Id;
    const PARTNER_ID: case::Column = case::Column::PartnerId;
    const OWNER_ID: case::Column = case::Column::SubmitterId;
    const UPDATE_TIME: case::Column = case::Column::UpdateTime;

    fn scope(caller: &Caller) -> Scope {
        Scope::cases(caller)
    }

    fn document(row: &case::Model) -> Option<prm_kit::search::Document> {
        Some(Searchable::from(row).document())
    }

    /// The partner or support edit an open case (which fields, the update
    /// decides); cases are neither deleted nor handed to another submitter.
    fn check_change(caller: &Caller, row: &case::Model, change: Change) -> Result<()> {
        if change != Change::Edit {
            return Err(Error::PermissionDenied("cases are not deleted nor given another submitter".into()));
        }
        if Side::of(caller, row.partner_id, row.submitter_id).is_empty() {
            return Err(Error::PermissionDenied(format!("a {} may not change this case", caller.role)));
        }
        if !status_of(row)?.is_open() {
            return Err(Error::FailedPrecondition(format!("a {} case is no longer edited", row.status)));
        }
        Ok(())
    }
}

/// The stored status of a case.
pub fn status_of(c: &case::Model) -> Result<CaseStatus> {
    CaseStatus::from_str(&c.status).map_err(|e| Error::Internal(anyhow::anyhow!("case {}: {e}", c.number)))
}

/// The next case number's count. The update locks the counter row until
/// the transaction ends (SQLite's write transactions are serial anyway), so
/// two cases never get the same count.
pub async fn next_case_count(txn: &DatabaseTransaction) -> Result<i64> {
    const NAME: &str = "case_number";
    counter::Entity::update_many()
        .col_expr(counter::Column::Value, Expr::col(counter::Column::Value).add(1))
        .filter(counter::Column::Name.eq(NAME))
        .exec(txn)
        .await?;
    let row = counter::Entity::find_by_id(NAME.to_string())
        .one(txn)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("the case number counter is missing")))?;
    Ok(row.value)
}

/// Resolves cases for the kit's record features (notes, files, history,
/// followers), in the case scope.
pub struct Access {
    db: DatabaseConnection,
}

impl Access {
    pub fn new(db: DatabaseConnection) -> Self {
        Access { db }
    }
}

#[tonic::async_trait]
impl RecordAccess for Access {
    async fn find(&self, caller: &Caller, kind: RecordType, id: Uuid) -> Result<RecordInfo> {
        match kind {
            RecordType::Case => owned::record_info::<case::Entity, _>(&self.db, caller, id).await,
            _ => Err(Error::NotFound),
        }
    }
}

//! Storage of the account service: its entities and migrations. Reads and
//! edits go through the kit's [`owned`] helpers, which apply tenancy.

pub mod account;
pub mod contact;
mod indexing;
mod migration;

pub use indexing::{BackfillSearch, SearchableAccount, SearchableContact, index_account, index_contact};
pub use migration::Migrator;

use prm_kit::{
    Caller, Error, Result,
    owned::{self, OwnedEntity},
    record::{RecordAccess, RecordInfo},
};
use prm_proto::common::v1::RecordType;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

impl OwnedEntity for account::Entity {
    const KIND: RecordType = RecordType::Account;
    const ID: account::Column = account::Column::Id;
    const PARTNER_ID: account::Column = account::Column::PartnerId;
    const OWNER_ID: account::Column = account::Column::OwnerId;
    const UPDATE_TIME: account::Column = account::Column::UpdateTime;

    fn document(row: &account::Model) -> Option<prm_kit::search::Document> {
        Some(SearchableAccount::from(row).document())
    }
}

impl OwnedEntity for contact::Entity {
    const KIND: RecordType = RecordType::Contact;
    const ID: contact::Column = contact::Column::Id;
    const PARTNER_ID: contact::Column = contact::Column::PartnerId;
    const OWNER_ID: contact::Column = contact::Column::OwnerId;
    const UPDATE_TIME: contact::Column = contact::Column::UpdateTime;
    const ACCOUNT_ID: Option<contact::Column> = Some(contact::Column::AccountId);

    fn document(row: &contact::Model) -> Option<prm_kit::search::Document> {
        Some(SearchableContact::from(row).document())
    }
}

/// Resolves accounts and contacts for the kit's record features.
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
            RecordType::Account => owned::record_info::<account::Entity, _>(&self.db, caller, id).await,
            RecordType::Contact => owned::record_info::<contact::Entity, _>(&self.db, caller, id).await,
            _ => Err(Error::NotFound),
        }
    }
}

//! How accounts and contacts are found by global search: their search
//! documents, written with every write of the record, and the backfill of
//! the records written before documents existed.

use prm_kit::search::{self, Document};
use prm_proto::common::v1::RecordType;
use sea_orm::{ConnectionTrait, FromQueryResult};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager, prelude::*};
use uuid::Uuid;

use super::{account, contact};

/// The columns of an account's document: the backfill reads only these,
/// so later columns of the table never break it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct SearchableAccount {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub name: String,
    pub website: String,
    pub phone: String,
    pub vat_number: String,
    pub billing_city: String,
    pub shipping_city: String,
}

impl SearchableAccount {
    const COLUMNS: [account::Column; 8] = [
        account::Column::Id,
        account::Column::PartnerId,
        account::Column::Name,
        account::Column::Website,
        account::Column::Phone,
        account::Column::VatNumber,
        account::Column::BillingCity,
        account::Column::ShippingCity,
    ];

    /// Title: the name; subtitle: the billing city and phone, as the
    /// account search shows them; found by website, VAT number, cities and
    /// phone too.
    pub fn document(&self) -> Document {
        Document::new(RecordType::Account, self.id, self.partner_id, self.name.clone())
            .subtitle([self.billing_city.as_str(), self.phone.as_str()])
            .terms([
                self.website.as_str(),
                self.vat_number.as_str(),
                self.billing_city.as_str(),
                self.shipping_city.as_str(),
            ])
            .phones([self.phone.as_str()])
    }
}

impl From<&account::Model> for SearchableAccount {
    fn from(m: &account::Model) -> Self {
        SearchableAccount {
            id: m.id,
            partner_id: m.partner_id,
            name: m.name.clone(),
            website: m.website.clone(),
            phone: m.phone.clone(),
            vat_number: m.vat_number.clone(),
            billing_city: m.billing_city.clone(),
            shipping_city: m.shipping_city.clone(),
        }
    }
}

/// The columns of a contact's document.
#[derive(Debug, Clone, FromQueryResult)]
pub struct SearchableContact {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub mailing_city: String,
}

impl SearchableContact {
    const COLUMNS: [contact::Column; 8] = [
        contact::Column::Id,
        contact::Column::PartnerId,
        contact::Column::FirstName,
        contact::Column::LastName,
        contact::Column::Title,
        contact::Column::Email,
        contact::Column::Phone,
        contact::Column::MailingCity,
    ];

    /// Title: the full name; subtitle: e-mail and phone, as the contact
    /// search shows them; found by job title and city too.
    pub fn document(&self) -> Document {
        let name = format!("{} {}", self.first_name, self.last_name).trim().to_string();
        Document::new(RecordType::Contact, self.id, self.partner_id, name)
            .subtitle([self.email.as_str(), self.phone.as_str()])
            .terms([self.email.as_str(), self.title.as_str(), self.mailing_city.as_str()])
            .phones([self.phone.as_str()])
    }
}

impl From<&contact::Model> for SearchableContact {
    fn from(m: &contact::Model) -> Self {
        SearchableContact {
            id: m.id,
            partner_id: m.partner_id,
            first_name: m.first_name.clone(),
            last_name: m.last_name.clone(),
            title: m.title.clone(),
            email: m.email.clone(),
            phone: m.phone.clone(),
            mailing_city: m.mailing_city.clone(),
        }
    }
}

/// Writes an account's document; call it in the transaction that wrote it.
pub async fn index_account<C: ConnectionTrait>(conn: &C, m: &account::Model) -> prm_kit::Result<()> {
    search::put(conn, &SearchableAccount::from(m).document()).await
}

/// Writes a contact's document; call it in the transaction that wrote it.
pub async fn index_contact<C: ConnectionTrait>(conn: &C, m: &contact::Model) -> prm_kit::Result<()> {
    search::put(conn, &SearchableContact::from(m).document()).await
}

/// Indexes the accounts and contacts written before search documents existed.
pub struct BackfillSearch;

impl MigrationName for BackfillSearch {
    fn name(&self) -> &str {
        "m20261201_000002_account_search_backfill"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for BackfillSearch {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        search::backfill::<account::Entity, _, _>(
            db,
            account::Column::Id,
            &SearchableAccount::COLUMNS,
            |r: &SearchableAccount| r.id,
            SearchableAccount::document,
        )
        .await?;
        search::backfill::<contact::Entity, _, _>(
            db,
            contact::Column::Id,
            &SearchableContact::COLUMNS,
            |r: &SearchableContact| r.id,
            SearchableContact::document,
        )
        .await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

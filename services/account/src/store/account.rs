//! The `accounts` table.

use sea_orm::entity::prelude::*;

use crate::domain::{AccountFields, Address};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub partner_id: Uuid,
    pub owner_id: Uuid,
    pub name: String,
    pub account_type: String,
    pub industry: String,
    pub website: String,
    pub phone: String,
    /// The digits of `phone`, so a search finds it whatever its formatting.
    pub phone_digits: String,
    pub vat_number: String,
    pub billing_street: String,
    pub billing_city: String,
    pub billing_postal_code: String,
    pub billing_region: String,
    pub billing_country: String,
    pub shipping_street: String,
    pub shipping_city: String,
    pub shipping_postal_code: String,
    pub shipping_region: String,
    pub shipping_country: String,
    pub create_time: DateTimeUtc,
    pub update_time: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn fields(&self) -> AccountFields {
        AccountFields {
            name: self.name.clone(),
            account_type: self.account_type.parse().unwrap_or_default(),
            industry: self.industry.clone(),
            website: self.website.clone(),
            phone: self.phone.clone(),
            vat_number: self.vat_number.clone(),
            billing_address: Address {
                street: self.billing_street.clone(),
                city: self.billing_city.clone(),
                postal_code: self.billing_postal_code.clone(),
                region: self.billing_region.clone(),
                country: self.billing_country.clone(),
            },
            shipping_address: Address {
                street: self.shipping_street.clone(),
                city: self.shipping_city.clone(),
                postal_code: self.shipping_postal_code.clone(),
                region: self.shipping_region.clone(),
                country: self.shipping_country.clone(),
            },
        }
    }

    /// Writes `f` into this row.
    pub fn set_fields(&mut self, f: &AccountFields) {
        self.name = f.name.clone();
        self.account_type = f.account_type.to_string();
        self.industry = f.industry.clone();
        self.website = f.website.clone();
        self.phone = f.phone.clone();
        self.phone_digits = crate::domain::fields::digits(&f.phone);
        self.vat_number = f.vat_number.clone();
        self.billing_street = f.billing_address.street.clone();
        self.billing_city = f.billing_address.city.clone();
        self.billing_postal_code = f.billing_address.postal_code.clone();
        self.billing_region = f.billing_address.region.clone();
        self.billing_country = f.billing_address.country.clone();
        self.shipping_street = f.shipping_address.street.clone();
        self.shipping_city = f.shipping_address.city.clone();
        self.shipping_postal_code = f.shipping_address.postal_code.clone();
        self.shipping_region = f.shipping_address.region.clone();
        self.shipping_country = f.shipping_address.country.clone();
    }
}

//! The `contacts` table.

use sea_orm::entity::prelude::*;

use crate::domain::{Address, ContactFields};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub partner_id: Uuid,
    pub owner_id: Uuid,
    pub account_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub phone_digits: String,
    pub mailing_street: String,
    pub mailing_city: String,
    pub mailing_postal_code: String,
    pub mailing_region: String,
    pub mailing_country: String,
    pub create_time: DateTimeUtc,
    pub update_time: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn fields(&self) -> ContactFields {
        ContactFields {
            account_id: Some(self.account_id),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            title: self.title.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            mailing_address: Address {
                street: self.mailing_street.clone(),
                city: self.mailing_city.clone(),
                postal_code: self.mailing_postal_code.clone(),
                region: self.mailing_region.clone(),
                country: self.mailing_country.clone(),
            },
        }
    }

    pub fn set_fields(&mut self, f: &ContactFields) {
        if let Some(a) = f.account_id {
            self.account_id = a;
        }
        self.first_name = f.first_name.clone();
        self.last_name = f.last_name.clone();
        self.title = f.title.clone();
        self.email = f.email.clone();
        self.phone = f.phone.clone();
        self.phone_digits = crate::domain::fields::digits(&f.phone);
        self.mailing_street = f.mailing_address.street.clone();
        self.mailing_city = f.mailing_address.city.clone();
        self.mailing_postal_code = f.mailing_address.postal_code.clone();
        self.mailing_region = f.mailing_address.region.clone();
        self.mailing_country = f.mailing_address.country.clone();
    }
}

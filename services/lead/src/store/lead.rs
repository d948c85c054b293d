//! The `leads` table.

use sea_orm::entity::prelude::*;

use crate::domain::{Acceptance, Address, LeadFields, LeadState, Solution, company_key, email_key};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning partner, the partner a distributed lead is pending for, or
    /// nil for the vendor's pool.
    pub partner_id: Uuid,
    pub owner_id: Uuid,
    pub company: String,
    /// [`company_key`] of `company`, for duplicates.
    pub company_key: String,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: String,
    /// [`email_key`] of `email`, for duplicates.
    pub email_key: String,
    pub phone: String,
    /// The digits of `phone`, for search and duplicates whatever the formatting.
    pub phone_digits: String,
    pub street: String,
    pub city: String,
    pub postal_code: String,
    pub region: String,
    pub country: String,
    pub source: String,
    pub status: String,
    pub estimated_users: i32,
    /// Solution names, comma-separated.
    pub interested_solutions: String,
    pub description: String,
    /// Empty for leads never distributed.
    pub acceptance: String,
    pub distributed_partner_id: Option<Uuid>,
    pub reject_reason: String,
    pub distribute_time: Option<DateTimeUtc>,
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub convert_time: Option<DateTimeUtc>,
    pub create_time: DateTimeUtc,
    pub update_time: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// An empty row of `partner_id`, owned by `owner_id`, made now.
    pub fn new(id: Uuid, partner_id: Uuid, owner_id: Uuid, fields: &LeadFields) -> Model {
        let now = prm_kit::time::now();
        let mut m = Model {
            id,
            partner_id,
            owner_id,
            company: String::new(),
            company_key: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            title: String::new(),
            email: String::new(),
            email_key: String::new(),
            phone: String::new(),
            phone_digits: String::new(),
            street: String::new(),
            city: String::new(),
            postal_code: String::new(),
            region: String::new(),
            country: String::new(),
            source: String::new(),
            status: String::new(),
            estimated_users: 0,
            interested_solutions: String::new(),
            description: String::new(),
            acceptance: String::new(),
            distributed_partner_id: None,
            reject_reason: String::new(),
            distribute_time: None,
            account_id: None,
            contact_id: None,
            project_id: None,
            convert_time: None,
            create_time: now,
            update_time: now,
        };
        m.set_fields(fields);
        m
    }

    pub fn fields(&self) -> LeadFields {
        LeadFields {
            company: self.company.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            title: self.title.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            address: Address {
                street: self.street.clone(),
                city: self.city.clone(),
                postal_code: self.postal_code.clone(),
                region: self.region.clone(),
                country: self.country.clone(),
            },
            source: self.source.parse().unwrap_or(crate::domain::Source::Other),
            status: self.status.parse().unwrap_or(crate::domain::LeadStatus::New),
            estimated_users: self.estimated_users,
            interested_solutions: self
                .interested_solutions
                .split(',')
                .filter_map(|s| s.parse::<Solution>().ok())
                .collect(),
            description: self.description.clone(),
        }
    }

    pub fn set_fields(&mut self, f: &LeadFields) {
        self.company = f.company.clone();
        self.company_key = company_key(&f.company);
        self.first_name = f.first_name.clone();
        self.last_name = f.last_name.clone();
        self.title = f.title.clone();
        self.email = f.email.clone();
        self.email_key = email_key(&f.email);
        self.phone = f.phone.clone();
        self.phone_digits = prm_kit::text::digits(&f.phone);
        self.street = f.address.street.clone();
        self.city = f.address.city.clone();
        self.postal_code = f.address.postal_code.clone();
        self.region = f.address.region.clone();
        self.country = f.address.country.clone();
        self.source = f.source.to_string();
        self.status = f.status.to_string();
        self.estimated_users = f.estimated_users;
        self.interested_solutions = f.solutions_text();
        self.description = f.description.clone();
    }

    pub fn acceptance(&self) -> Option<Acceptance> {
        self.acceptance.parse().ok()
    }

    pub fn state(&self) -> LeadState {
        LeadState {
            partner_id: self.partner_id,
            owner_id: self.owner_id,
            status: self.status.parse().unwrap_or(crate::domain::LeadStatus::New),
            acceptance: self.acceptance(),
        }
    }
}

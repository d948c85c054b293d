//! A contact: a person of an account, qualified to do business with the partner.

use prm_kit::{Error, Result, record::FieldDiff};
use uuid::Uuid;

use super::fields::{self, Address};

/// The fields of a contact that people write; valid by construction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFields {
    pub account_id: Option<Uuid>,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub mailing_address: Address,
}

pub const CONTACT_MASK_PATHS: &[&str] =
    &["account_id", "first_name", "last_name", "title", "email", "phone", "mailing_address"];

impl ContactFields {
    pub fn parse(raw: &ContactFields) -> Result<ContactFields> {
        Ok(ContactFields {
            account_id: Some(raw.account_id.ok_or_else(|| Error::invalid("account_id", "is required"))?),
            first_name: fields::text("first_name", &raw.first_name, 100)?,
            last_name: fields::required("last_name", &raw.last_name, 100)?,
            title: fields::text("title", &raw.title, 128)?,
            email: fields::email("email", &raw.email)?,
            phone: fields::phone("phone", &raw.phone)?,
            mailing_address: Address::parse("mailing_address", &raw.mailing_address)?,
        })
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_string()
    }

    pub fn patched(&self, patch: &ContactFields, mask: &[String]) -> Result<ContactFields> {
        if mask.is_empty() {
            return Err(Error::invalid("update_mask", "names no field"));
        }
        let mut next = self.clone();
        for path in mask {
            let (head, sub) = match path.split_once('.') {
                Some((h, s)) => (h, Some(s)),
                None => (path.as_str(), None),
            };
            let unknown = || Error::invalid("update_mask", format!("`{path}` is not a field that can be updated"));
            match (head, sub) {
                ("account_id", None) => next.account_id = patch.account_id,
                ("first_name", None) => next.first_name = patch.first_name.clone(),
                ("last_name", None) => next.last_name = patch.last_name.clone(),
                ("title", None) => next.title = patch.title.clone(),
                ("email", None) => next.email = patch.email.clone(),
                ("phone", None) => next.phone = patch.phone.clone(),
                ("mailing_address", sub) => {
                    if !next.mailing_address.merge(&patch.mailing_address, sub) {
                        return Err(unknown());
                    }
                }
                _ => return Err(unknown()),
            }
        }
        ContactFields::parse(&next)
    }

    pub fn changes(&self, after: &ContactFields) -> Vec<FieldDiff> {
        let id = |a: Option<Uuid>| a.map(|u| u.to_string()).unwrap_or_default();
        prm_kit::record::diff(&[
            ("account_id", id(self.account_id), id(after.account_id)),
            ("first_name", self.first_name.clone(), after.first_name.clone()),
            ("last_name", self.last_name.clone(), after.last_name.clone()),
            ("title", self.title.clone(), after.title.clone()),
            ("email", self.email.clone(), after.email.clone()),
            ("phone", self.phone.clone(), after.phone.clone()),
            ("mailing_address", self.mailing_address.one_line(), after.mailing_address.one_line()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_needs_an_account_and_a_last_name() {
        let err = |r: Result<ContactFields>| match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            err(ContactFields::parse(&ContactFields { last_name: "Doe".into(), ..Default::default() })),
            "account_id"
        );
        assert_eq!(
            err(ContactFields::parse(&ContactFields { account_id: Some(Uuid::now_v7()), ..Default::default() })),
            "last_name"
        );
    }

    #[test]
    fn a_bad_email_is_named() {
        let r = ContactFields::parse(&ContactFields {
            account_id: Some(Uuid::now_v7()),
            last_name: "Doe".into(),
            email: "doe-at-example".into(),
            ..Default::default()
        });
        assert!(matches!(r, Err(Error::Invalid { field, .. }) if field == "email"));
    }
}

//! An account: a company the partner sells to.

use std::{fmt, str::FromStr};

use prm_kit::{Error, Result, record::FieldDiff};

use super::fields::{self, Address};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountType {
    #[default]
    Prospect,
    Customer,
    FormerCustomer,
}

impl AccountType {
    pub const NAMES: &'static [&'static str] = &["prospect", "customer", "former_customer"];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Prospect => "prospect",
            AccountType::Customer => "customer",
            AccountType::FormerCustomer => "former_customer",
        }
    }
}

impl fmt::Display for AccountType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccountType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "prospect" => Ok(AccountType::Prospect),
            "customer" => Ok(AccountType::Customer),
            "former_customer" => Ok(AccountType::FormerCustomer),
            _ => Err(Error::invalid("type", format!("unknown account type `{s}`"))),
        }
    }
}

/// The fields of an account that people write. Built only through
/// [`AccountFields::parse`], so a value of this type is always valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFields {
    pub name: String,
    pub account_type: AccountType,
    pub industry: String,
    pub website: String,
    pub phone: String,
    pub vat_number: String,
    pub billing_address: Address,
    pub shipping_address: Address,
}

/// The paths an update mask may name.
pub const ACCOUNT_MASK_PATHS: &[&str] =
    &["name", "type", "industry", "website", "phone", "vat_number", "billing_address", "shipping_address"];

impl AccountFields {
    /// Validates and normalises what a client sent.
    pub fn parse(raw: &AccountFields) -> Result<AccountFields> {
        Ok(AccountFields {
            name: fields::required("name", &raw.name, fields::MAX_NAME)?,
            account_type: raw.account_type,
            industry: fields::text("industry", &raw.industry, 100)?,
            website: fields::website("website", &raw.website)?,
            phone: fields::phone("phone", &raw.phone)?,
            vat_number: fields::vat_number("vat_number", &raw.vat_number)?,
            billing_address: Address::parse("billing_address", &raw.billing_address)?,
            shipping_address: Address::parse("shipping_address", &raw.shipping_address)?,
        })
    }

    /// This record with the fields named by `mask` taken from `patch`, then
    /// validated as a whole. Paths are those of [`ACCOUNT_MASK_PATHS`], and
    /// `billing_address.city`-style sub-paths.
    pub fn patched(&self, patch: &AccountFields, mask: &[String]) -> Result<AccountFields> {
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
                ("name", None) => next.name = patch.name.clone(),
                ("type", None) => next.account_type = patch.account_type,
                ("industry", None) => next.industry = patch.industry.clone(),
                ("website", None) => next.website = patch.website.clone(),
                ("phone", None) => next.phone = patch.phone.clone(),
                ("vat_number", None) => next.vat_number = patch.vat_number.clone(),
                ("billing_address", sub) => {
                    if !next.billing_address.merge(&patch.billing_address, sub) {
                        return Err(unknown());
                    }
                }
                ("shipping_address", sub) => {
                    if !next.shipping_address.merge(&patch.shipping_address, sub) {
                        return Err(unknown());
                    }
                }
                _ => return Err(unknown()),
            }
        }
        AccountFields::parse(&next)
    }

    /// The tracked fields that differ between `self` (before) and `after`.
    pub fn changes(&self, after: &AccountFields) -> Vec<FieldDiff> {
        prm_kit::record::diff(&[
            ("name", self.name.clone(), after.name.clone()),
            ("type", self.account_type.to_string(), after.account_type.to_string()),
            ("industry", self.industry.clone(), after.industry.clone()),
            ("website", self.website.clone(), after.website.clone()),
            ("phone", self.phone.clone(), after.phone.clone()),
            ("vat_number", self.vat_number.clone(), after.vat_number.clone()),
            ("billing_address", self.billing_address.one_line(), after.billing_address.one_line()),
            ("shipping_address", self.shipping_address.one_line(), after.shipping_address.one_line()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme() -> AccountFields {
        AccountFields::parse(&AccountFields { name: "Acme".into(), phone: "+1 555 0100".into(), ..Default::default() })
            .unwrap()
    }

    #[test]
    fn a_patch_changes_only_masked_fields() {
        let patch = AccountFields { name: "Acme Corp".into(), phone: "".into(), ..Default::default() };
        let next = acme().patched(&patch, &["name".into()]).unwrap();
        assert_eq!(next.name, "Acme Corp");
        assert_eq!(next.phone, "+1 555 0100");
    }

    #[test]
    fn address_parts_can_be_patched_alone() {
        let mut a = acme();
        a.billing_address.street = "1 Main St".into();
        let patch = AccountFields {
            billing_address: Address { city: "Springfield".into(), ..Default::default() },
            ..Default::default()
        };
        let next = a.patched(&patch, &["billing_address.city".into()]).unwrap();
        assert_eq!(next.billing_address.street, "1 Main St");
        assert_eq!(next.billing_address.city, "Springfield");
    }

    #[test]
    fn unknown_and_server_owned_paths_are_refused() {
        for path in ["owner_id", "partner_id", "id", "create_time", "billing_address.planet", "nope"] {
            match acme().patched(&AccountFields::default(), &[path.into()]) {
                Err(Error::Invalid { field, .. }) => assert_eq!(field, "update_mask", "{path}"),
                other => panic!("{path}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_patch_cannot_empty_the_name() {
        match acme().patched(&AccountFields::default(), &["name".into()]) {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "name"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn history_names_changed_fields_only() {
        let before = acme();
        let mut after = before.clone();
        after.account_type = AccountType::Customer;
        let d = before.changes(&after);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].field, d[0].old.as_str(), d[0].new.as_str()), ("type", "prospect", "customer"));
    }
}

/// An account that other records point at is not deleted: the refusal names
/// what depends on it, so the person knows what to delete or move first.
/// `projects` are the names of some of its projects, `more_projects` whether
/// there are others. None when nothing depends on the account.
pub fn delete_refusal(contacts: u64, projects: &[String], more_projects: bool) -> Option<String> {
    let mut parts = Vec::new();
    if contacts > 0 {
        parts.push(format!("{contacts} contact{}", if contacts == 1 { "" } else { "s" }));
    }
    if !projects.is_empty() {
        let more = if more_projects { ", …" } else { "" };
        let noun = if projects.len() == 1 && !more_projects { "project" } else { "projects" };
        parts.push(format!("{noun} ({}{more})", projects.join(", ")));
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!("the account still has {}; delete them first", parts.join(" and ")))
}

#[cfg(test)]
mod delete_tests {
    use super::delete_refusal;

    #[test]
    fn the_refusal_names_every_kind_of_dependent() {
        assert_eq!(delete_refusal(0, &[], false), None);
        let one = delete_refusal(1, &[], false).unwrap();
        assert_eq!(one, "the account still has 1 contact; delete them first");
        let both = delete_refusal(3, &["Rollout".into(), "Phase 2".into()], true).unwrap();
        assert!(both.contains("3 contacts and projects (Rollout, Phase 2, …)"), "{both}");
        assert!(delete_refusal(0, &["Rollout".into()], false).unwrap().contains("project (Rollout)"));
    }
}

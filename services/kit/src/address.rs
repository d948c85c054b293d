//! A postal address as people type it (billing, shipping, mailing, a
//! lead's): every part an optional single line.

use crate::{Result, text::line};

/// A postal address; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    pub street: String,
    pub city: String,
    pub postal_code: String,
    pub region: String,
    pub country: String,
}

impl Address {
    pub fn parse(field: &str, a: &Address) -> Result<Address> {
        Ok(Address {
            street: line(&format!("{field}.street"), &a.street, 500)?,
            city: line(&format!("{field}.city"), &a.city, 100)?,
            postal_code: line(&format!("{field}.postal_code"), &a.postal_code, 20)?,
            region: line(&format!("{field}.region"), &a.region, 100)?,
            country: line(&format!("{field}.country"), &a.country, 64)?,
        })
    }

    /// One line for history and search.
    pub fn one_line(&self) -> String {
        [&self.street, &self.postal_code, &self.city, &self.region, &self.country]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Sets the part named by `sub` (`street`, …) from `from`; `None` sets all.
    pub fn merge(&mut self, from: &Address, sub: Option<&str>) -> bool {
        match sub {
            None => *self = from.clone(),
            Some("street") => self.street = from.street.clone(),
            Some("city") => self.city = from.city.clone(),
            Some("postal_code") => self.postal_code = from.postal_code.clone(),
            Some("region") => self.region = from.region.clone(),
            Some("country") => self.country = from.country.clone(),
            Some(_) => return false,
        }
        true
    }
}

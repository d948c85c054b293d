//! Products of the vendor's catalogue.

use prm_kit::{Error, Result};

/// A stock-keeping unit: 2–40 upper-case letters, digits and dashes, not
/// starting or ending with a dash. Only ASCII letters are upper-cased, so
/// a letter that would become two (`ß` → `SS`) is refused, not rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku(String);

impl Sku {
    pub fn parse(field: &str, s: &str) -> Result<Sku> {
        let v = s.trim().to_ascii_uppercase();
        let ok = (2..=40).contains(&v.len())
            && v.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
            && !v.starts_with('-')
            && !v.ends_with('-');
        if !ok {
            return Err(Error::invalid(field, format!("`{s}` is not a SKU (2–40 letters, digits and dashes)")));
        }
        Ok(Sku(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

prm_kit::text_enum!(Family {
    Licenses => "licenses",
    Hwaas => "hwaas",
    Classound => "classound",
    Hardware => "hardware",
    Services => "services",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus_are_normalised_and_checked() {
        assert_eq!(Sku::parse("sku", " lic-pro-1 ").unwrap().as_str(), "LIC-PRO-1");
        for bad in ["", "X", "LIC PRO", "-LIC", "LIC_1", "ßß", &"A".repeat(41)] {
            assert!(matches!(Sku::parse("sku", bad), Err(Error::Invalid { field, .. }) if field == "sku"), "{bad}");
        }
    }

    #[test]
    fn enums_round_trip_their_names() {
        for n in Family::NAMES {
            assert_eq!(n.parse::<Family>().unwrap().as_str(), *n);
        }
        assert!("capex".parse::<Family>().is_err());
    }
}

//! Field values shared by accounts and contacts: parse, don't validate. Each
//! function takes what a client sent and answers the value to store, or an
//! error naming the field.

use prm_kit::{Error, Result};

pub const MAX_NAME: usize = 255;
pub const MAX_TEXT: usize = 255;

/// Trimmed text of at most `max` characters, without control characters;
/// empty is allowed.
pub fn text(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(Error::invalid(field, format!("is longer than {max} characters")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(v.to_string())
}

/// As [`text`], and not empty.
pub fn required(field: &str, value: &str, max: usize) -> Result<String> {
    let v = text(field, value, max)?;
    if v.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    Ok(v)
}

/// An e-mail address (`local@domain.tld`), domain lower-cased; empty allowed.
pub fn email(field: &str, value: &str) -> Result<String> {
    let v = text(field, value, 254)?;
    if v.is_empty() {
        return Ok(v);
    }
    let bad = || Error::invalid(field, format!("`{v}` is not an e-mail address"));
    let (local, domain) = v.rsplit_once('@').ok_or_else(bad)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.contains(['@', ' ', ',', ';', '<', '>', '"'])
        && !local.starts_with('.')
        && !local.ends_with('.');
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if !(local_ok && domain_ok) {
        return Err(bad());
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

/// A phone number as people write it (`+49 (30) 123-45 67`); empty allowed.
pub fn phone(field: &str, value: &str) -> Result<String> {
    let v = text(field, value, 32)?;
    if v.is_empty() {
        return Ok(v);
    }
    let allowed = v
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '-' | '.' | '/') || (c == '+' && i == 0));
    if !allowed || digits(&v).len() < 3 {
        return Err(Error::invalid(field, format!("`{v}` is not a phone number")));
    }
    Ok(v)
}

/// The digits of a phone number, so that any formatting finds it.
pub fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// A web address; `https://` is assumed when no scheme is given.
pub fn website(field: &str, value: &str) -> Result<String> {
    let v = text(field, value, 2048)?;
    if v.is_empty() {
        return Ok(v);
    }
    let with_scheme = if v.contains("://") { v.clone() } else { format!("https://{v}") };
    let bad = || Error::invalid(field, format!("`{v}` is not a web address"));
    let rest = with_scheme.strip_prefix("https://").or_else(|| with_scheme.strip_prefix("http://")).ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host =
        host.rsplit_once(':').map_or(host, |(h, port)| if port.chars().all(|c| c.is_ascii_digit()) { h } else { host });
    let ok = host.contains('.')
        && host.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && !rest.contains(char::is_whitespace);
    if !ok {
        return Err(bad());
    }
    Ok(with_scheme)
}

/// A VAT number: country prefix and 2–18 letters or digits; spaces and dots
/// dropped, upper-cased; empty allowed.
pub fn vat_number(field: &str, value: &str) -> Result<String> {
    let v: String =
        text(field, value, 32)?.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect::<String>().to_uppercase();
    if v.is_empty() {
        return Ok(v);
    }
    let ok = v.len() >= 4
        && v.len() <= 20
        && v[..2].chars().all(|c| c.is_ascii_alphabetic())
        && v.chars().all(|c| c.is_ascii_alphanumeric());
    if !ok {
        return Err(Error::invalid(field, format!("`{v}` is not a VAT number")));
    }
    Ok(v)
}

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
            street: text(&format!("{field}.street"), &a.street, 500)?,
            city: text(&format!("{field}.city"), &a.city, 100)?,
            postal_code: text(&format!("{field}.postal_code"), &a.postal_code, 20)?,
            region: text(&format!("{field}.region"), &a.region, 100)?,
            country: text(&format!("{field}.country"), &a.country, 64)?,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(r: Result<String>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn emails() {
        assert_eq!(email("email", " Ann@Example.COM ").unwrap(), "Ann@example.com");
        assert_eq!(email("email", "").unwrap(), "");
        for bad in ["ann", "ann@", "@x.com", "ann@x", "a b@x.com", "ann@x..com", "ann@-x.com"] {
            assert_eq!(field_of(email("email", bad)), "email", "{bad}");
        }
    }

    #[test]
    fn phones_keep_their_format_and_index_digits() {
        assert_eq!(phone("phone", "+49 (30) 123-45 67").unwrap(), "+49 (30) 123-45 67");
        assert_eq!(digits("+49 (30) 123-45 67"), "4930123 4567".replace(' ', ""));
        for bad in ["12", "call me", "49+30", "+49 30 x"] {
            assert_eq!(field_of(phone("phone", bad)), "phone", "{bad}");
        }
    }

    #[test]
    fn websites_get_a_scheme() {
        assert_eq!(website("website", "acme.example").unwrap(), "https://acme.example");
        assert_eq!(website("website", "http://acme.example:8080/x").unwrap(), "http://acme.example:8080/x");
        for bad in ["acme", "ftp://acme.example", "https://ac me.example"] {
            assert_eq!(field_of(website("website", bad)), "website", "{bad}");
        }
    }

    #[test]
    fn vat_numbers_are_normalised() {
        assert_eq!(vat_number("vat_number", "de 123.456.789").unwrap(), "DE123456789");
        assert_eq!(field_of(vat_number("vat_number", "123456")), "vat_number");
    }

    #[test]
    fn long_and_empty_text() {
        assert_eq!(field_of(required("name", "   ", 10)), "name");
        assert_eq!(field_of(text("name", &"x".repeat(11), 10)), "name");
        assert_eq!(text("name", &"é".repeat(10), 10).unwrap().chars().count(), 10);
        assert_eq!(field_of(text("name", "a\u{0}b", 10)), "name");
    }
}

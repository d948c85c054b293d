//! Field values shared by accounts and contacts: parse, don't validate. Each
//! function takes what a client sent and answers the value to store, or an
//! error naming the field.

use prm_kit::{Error, Result};
pub use prm_kit::{
    address::Address,
    text::{digits, email, phone},
};

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

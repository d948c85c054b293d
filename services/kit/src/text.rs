//! Text people type: single lines into a record (names, address parts),
//! paragraphs into a message, e-mail addresses and phone numbers; trimmed,
//! bounded, no stray control characters. One check for every service.

use crate::{Error, Result};

/// Trimmed `value` of at most `max` characters without control characters;
/// empty is allowed.
pub fn line(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(Error::invalid(field, format!("is longer than {max} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(v.to_string())
}

/// As [`line`], and not empty.
pub fn required_line(field: &str, value: &str, max: usize) -> Result<String> {
    let v = line(field, value, max)?;
    if v.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    Ok(v)
}

/// Free text a person adds to a message: trimmed, at most `max` characters,
/// no control characters but line breaks and tabs.
pub fn paragraph(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(Error::invalid(field, format!("is longer than {max} characters")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(v.to_string())
}

/// An e-mail address (`local@domain.tld`), domain lower-cased; empty allowed.
pub fn email(field: &str, value: &str) -> Result<String> {
    let v = line(field, value, 254)?;
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
    let v = line(field, value, 32)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(r: Result<String>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lines_are_trimmed_bounded_and_plain() {
        assert_eq!(line("name", "  Acme ", 10).unwrap(), "Acme");
        assert_eq!(line("name", "", 10).unwrap(), "");
        assert_eq!(field_of(line("name", &"x".repeat(11), 10)), "name");
        assert_eq!(field_of(line("name", "a\nb", 10)), "name");
        assert_eq!(field_of(required_line("name", "   ", 10)), "name");
        assert_eq!(required_line("name", &"é".repeat(10), 10).unwrap().chars().count(), 10);
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
}

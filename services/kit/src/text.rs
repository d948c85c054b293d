//! Text people type: single lines into a record (names, address parts),
//! paragraphs into a message; trimmed, bounded, no stray control
//! characters. One check for every service.

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
}

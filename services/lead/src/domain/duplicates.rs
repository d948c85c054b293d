//! Likely duplicates: the same e-mail address in any case, or the same
//! company name (any case and spacing) with the same phone digits. The keys
//! are stored beside the lead so the database compares them.

/// The e-mail address as duplicates compare it; empty matches nothing.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The company name as duplicates compare it: lower case, single spaces.
pub fn company_key(company: &str) -> String {
    company.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_and_spacing() {
        assert_eq!(email_key(" Ann@Globex.Example"), "ann@globex.example");
        assert_eq!(company_key("  Globex   Corp "), "globex corp");
        assert_eq!(company_key("GLOBEX CORP"), company_key("Globex Corp"));
    }
}

//! Quote numbers: `Q-` and the installation's running count of quotes, at
//! least six digits (`Q-000123`), as orders are numbered, so a customer can
//! quote one back and they sort and read well.

/// The number of the `n`th quote.
pub fn quote_number(n: i64) -> String {
    format!("Q-{n:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_padded_to_six_digits_and_grow_beyond() {
        assert_eq!(quote_number(1), "Q-000001");
        assert_eq!(quote_number(123), "Q-000123");
        assert_eq!(quote_number(999_999), "Q-999999");
        assert_eq!(quote_number(1_234_567), "Q-1234567");
    }
}

//! Order numbers: `ORD-` and the installation's running count, at least six
//! digits (`ORD-000123`), so they sort and read well and can be searched by
//! any part.

/// The number of the `n`th order.
pub fn order_number(n: i64) -> String {
    format!("ORD-{n:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_padded_to_six_digits_and_grow_beyond() {
        assert_eq!(order_number(1), "ORD-000001");
        assert_eq!(order_number(123), "ORD-000123");
        assert_eq!(order_number(1_234_567), "ORD-1234567");
    }
}

//! The rules of orders, pure: the status path and who may move an order
//! along it, the arithmetic of lines and totals (exact decimals), and order
//! numbers.
//!
//! # Who does what
//!
//! | move | by |
//! |---|---|
//! | draft → submitted | the partner (the order's owner or a partner admin) |
//! | draft → cancelled | the partner |
//! | submitted → approved | a vendor admin |
//! | submitted → cancelled | the partner (withdraws it) or a vendor admin (rejects it) |
//! | approved → shipped | a vendor admin |
//! | approved → cancelled | a vendor admin (the vendor has committed to it) |
//! | shipped → completed | the partner (confirms receipt) or a vendor admin |
//!
//! Partner people create orders (from their partner's accepted quotes, or for
//! stock); account managers read their partners' orders and move none; ops
//! may do everything, to repair. Shipped, completed and cancelled orders
//! cannot be cancelled.

pub mod number;
pub mod status;

pub use number::order_number;
pub use prm_kit::pricing::{Billing, Discount, LineAmounts, Quantity, Totals, line_net, totals};
pub use status::{Actor, OrderStatus};

prm_kit::text_enum!(OrderType {
    Project => "project",
    Stock => "stock",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_their_names() {
        for n in OrderType::NAMES {
            assert_eq!(n.parse::<OrderType>().unwrap().as_str(), *n);
        }
        for n in Billing::NAMES {
            assert_eq!(n.parse::<Billing>().unwrap().as_str(), *n);
        }
        assert!("capex".parse::<Billing>().is_err());
    }
}

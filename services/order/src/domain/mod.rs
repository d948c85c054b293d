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

/// Whether the discount of a line of this order may still be overridden (by a
/// vendor admin, the only one who may): a stock order's, until the vendor
/// approves it. A project order's lines are its quote's, whose MRR the
/// project carries, so a discount changes on the quote.
pub fn discount_overridable(kind: OrderType, status: OrderStatus) -> prm_kit::Result<()> {
    if kind == OrderType::Project {
        return Err(prm_kit::Error::FailedPrecondition(
            "a project order's lines are its quote's: override the discount on the quote".into(),
        ));
    }
    if !matches!(status, OrderStatus::Draft | OrderStatus::Submitted) {
        return Err(prm_kit::Error::FailedPrecondition(format!(
            "the lines of a {status} order cannot change; only a draft or submitted order's can"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_stock_order_before_approval_takes_a_discount_override() {
        use OrderStatus::*;
        for status in [Draft, Submitted] {
            assert!(discount_overridable(OrderType::Stock, status).is_ok());
        }
        for status in [Approved, Shipped, Completed, Cancelled] {
            let e = discount_overridable(OrderType::Stock, status).unwrap_err();
            assert!(e.to_string().contains(status.as_str()), "{e}");
        }
        for status in [Draft, Submitted] {
            assert!(discount_overridable(OrderType::Project, status).is_err());
        }
    }

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

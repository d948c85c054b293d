//! Priced lines and their totals, the same for quotes and orders, in exact
//! decimal arithmetic.
//!
//! net = quantity × unit price × (100 − discount %) / 100, rounded once, to
//! the currency's minor unit, half away from zero (EUR 2 places, JPY 0); MRR
//! is the sum of the monthly nets, the one-time total the sum of the one-time
//! nets. Sums of rounded nets are exact.

use rust_decimal::Decimal;

use crate::{Error, Result, money::Currency};

crate::text_enum!(
    /// How a product is charged: monthly lines make MRR, one-time lines capex.
    Billing {
        Monthly => "monthly",
        OneTime => "one_time",
    }
);

/// How many of a product: 1 to 1,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity(i64);

impl Quantity {
    pub const MAX: i64 = 1_000_000;

    pub fn parse(field: &str, n: i64) -> Result<Quantity> {
        if n < 1 {
            return Err(Error::invalid(field, "must be at least 1"));
        }
        if n > Self::MAX {
            return Err(Error::invalid(field, format!("must be at most {}", Self::MAX)));
        }
        Ok(Quantity(n))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// Why a partner's request that names a line's discount is refused.
pub const DISCOUNT_IS_THE_VENDORS: &str = "is the vendor's partner discount (the partner's own, else its tier's); only a vendor admin overrides it, on an existing line";

/// A discount in percent: 0 to 100, at most two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discount(Decimal);

impl Discount {
    pub const NONE: Discount = Discount(Decimal::ZERO);

    pub fn parse(field: &str, s: &str) -> Result<Discount> {
        let d = crate::money::parse_amount(field, s.trim())?;
        Discount::from_decimal(field, d)
    }

    pub fn from_decimal(field: &str, d: Decimal) -> Result<Discount> {
        if d.is_sign_negative() && !d.is_zero() {
            return Err(Error::invalid(field, "must not be negative"));
        }
        if d > Decimal::ONE_HUNDRED {
            return Err(Error::invalid(field, "must not be over 100 %"));
        }
        if d.normalize().scale() > 2 {
            return Err(Error::invalid(field, "has more than 2 decimal places"));
        }
        Ok(Discount(d.normalize()))
    }

    pub fn percent(self) -> Decimal {
        self.0
    }

    /// The history entry of a vendor admin's override of a line's discount,
    /// from this discount to `to`: one field for every line, each side
    /// naming the line by its SKU.
    pub fn override_change(self, sku: &str, to: Discount) -> (&'static str, String, String) {
        ("line_discount_percent", format!("{sku}: {}", self.0), format!("{sku}: {}", to.0))
    }
}

/// What a line contributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineAmounts {
    pub billing: Billing,
    pub net: Decimal,
}

/// The net amount of one line.
pub fn line_net(quantity: Quantity, unit_price: Decimal, discount: Discount, currency: Currency) -> Decimal {
    let gross = Decimal::from(quantity.get()) * unit_price;
    currency.round(gross * (Decimal::ONE_HUNDRED - discount.percent()) / Decimal::ONE_HUNDRED)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub mrr: Decimal,
    pub one_time: Decimal,
}

pub fn totals(lines: impl IntoIterator<Item = LineAmounts>) -> Totals {
    let mut t = Totals::default();
    for l in lines {
        match l.billing {
            Billing::Monthly => t.mrr += l.net,
            Billing::OneTime => t.one_time += l.net,
        }
    }
    Totals { mrr: t.mrr.normalize(), one_time: t.one_time.normalize() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn eur() -> Currency {
        Currency::parse("c", "EUR").unwrap()
    }

    #[test]
    fn a_line_is_quantity_times_price_less_discount() {
        let q = Quantity::parse("quantity", 3).unwrap();
        assert_eq!(line_net(q, d("19.99"), Discount::NONE, eur()).to_string(), "59.97");
        // 53.973 → 53.97
        assert_eq!(line_net(q, d("19.99"), Discount::parse("d", "10").unwrap(), eur()).to_string(), "53.97");
        assert_eq!(line_net(q, d("19.99"), Discount::parse("d", "100").unwrap(), eur()).to_string(), "0.00");
    }

    #[test]
    fn nets_round_once_to_the_minor_unit_half_away_from_zero() {
        let one = Quantity::parse("q", 1).unwrap();
        let half = Discount::parse("d", "50").unwrap();
        // 0.005 is exactly half a cent: away from zero, up.
        assert_eq!(line_net(one, d("0.01"), half, eur()).to_string(), "0.01");
        // 0.0333 × 999,999 × (1 − 0.3333) = 22201.08779889 → 22201.09
        let q = Quantity::parse("q", 999_999).unwrap();
        assert_eq!(line_net(q, d("0.0333"), Discount::parse("d", "33.33").unwrap(), eur()).to_string(), "22201.09");
        // Yen have no minor unit: 2.5 → 3.
        let jpy = Currency::parse("c", "JPY").unwrap();
        assert_eq!(line_net(one, d("5"), half, jpy).to_string(), "3");
    }

    #[test]
    fn totals_split_monthly_and_one_time_exactly() {
        let lines = (0..1000).map(|i| LineAmounts {
            billing: if i % 2 == 0 { Billing::Monthly } else { Billing::OneTime },
            net: d("0.1"),
        });
        let t = totals(lines);
        assert_eq!(t.mrr, d("50"));
        assert_eq!(t.one_time, d("50"));
    }

    #[test]
    fn big_quantities_stay_exact() {
        let q = Quantity::parse("q", 1_000_000).unwrap();
        let net = line_net(q, d("12345678.1234"), Discount::parse("d", "12.5").unwrap(), eur());
        assert_eq!(net.to_string(), "10802468357975.00");
    }

    #[test]
    fn bad_quantities_and_discounts_are_named() {
        for n in [0, -1, Quantity::MAX + 1] {
            assert!(matches!(Quantity::parse("quantity", n), Err(Error::Invalid { field, .. }) if field == "quantity"));
        }
        for s in ["100.01", "-1", "150", "12.345", "ten", ""] {
            assert!(
                matches!(Discount::parse("discount_percent", s), Err(Error::Invalid { field, .. }) if field == "discount_percent"),
                "{s}"
            );
        }
    }
}

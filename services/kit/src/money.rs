//! Money on the wire: an ISO 4217 currency and an exact decimal amount as a
//! string. Parsed here, once, for every service; never a float.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::{Error, Result};

/// Amounts carry at most this many decimal places (prices to 1/100 of a cent).
pub const MAX_SCALE: u32 = 4;
/// And at most this many digits in all, what a `numeric(20, 4)` column holds.
pub const MAX_DIGITS: usize = 20;

/// A valid amount of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub currency: Currency,
    pub amount: Decimal,
}

/// An ISO 4217 alphabetic code: three upper-case letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(field: &str, code: &str) -> Result<Currency> {
        let b = code.as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_uppercase) {
            return Err(Error::invalid(field, format!("`{code}` is not an ISO 4217 currency code")));
        }
        Ok(Currency([b[0], b[1], b[2]]))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII by construction")
    }
}

impl Money {
    /// Parses `{currency_code, amount}`; `field` names the message field
    /// (e.g. `unit_price`) in errors as `unit_price.amount`.
    pub fn parse(field: &str, m: Option<&prm_proto::common::v1::Money>) -> Result<Money> {
        let m = m.ok_or_else(|| Error::invalid(field, "is required"))?;
        let currency = Currency::parse(&format!("{field}.currency_code"), &m.currency_code)?;
        let amount = parse_amount(&format!("{field}.amount"), &m.amount)?;
        Ok(Money { currency, amount })
    }

    pub fn to_proto(&self) -> prm_proto::common::v1::Money {
        prm_proto::common::v1::Money {
            currency_code: self.currency.as_str().to_string(),
            amount: self.amount.normalize().to_string(),
        }
    }
}

/// Stored money: an integer count of 1/10,000 of the currency unit. Exact on
/// PostgreSQL and SQLite alike (SQLite keeps decimals as doubles), and summed
/// exactly by SQL.
pub fn to_units(field: &str, amount: Decimal) -> Result<i64> {
    let scaled = amount.round_dp(MAX_SCALE) * Decimal::from(10_000);
    if scaled != amount * Decimal::from(10_000) {
        return Err(Error::invalid(field, format!("has more than {MAX_SCALE} decimal places")));
    }
    i64::try_from(scaled.trunc()).map_err(|_| Error::invalid(field, "is too large"))
}

/// The amount of stored units.
pub fn from_units(units: i64) -> Decimal {
    Decimal::new(units, MAX_SCALE).normalize()
}

/// A plain decimal: optional sign, digits, optional fraction; no exponent,
/// no thousands separators, no more than [`MAX_SCALE`] places.
pub fn parse_amount(field: &str, s: &str) -> Result<Decimal> {
    let bad = |why: &str| Error::invalid(field, format!("`{s}` {why}"));
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || body.ends_with('.')
    {
        return Err(bad("is not a decimal amount such as 1234.50"));
    }
    if frac.len() > MAX_SCALE as usize {
        return Err(bad(&format!("has more than {MAX_SCALE} decimal places")));
    }
    if int.trim_start_matches('0').len() + frac.len() > MAX_DIGITS {
        return Err(bad(&format!("has more than {MAX_DIGITS} digits")));
    }
    Decimal::from_str(s).map_err(|_| bad("is not a decimal amount"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use prm_proto::common::v1::Money as Pb;

    fn field_of(r: Result<Money>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn exact_amounts_parse_exactly() {
        let m = Money::parse("price", Some(&Pb { currency_code: "EUR".into(), amount: "12345678901234.5678".into() }))
            .unwrap();
        assert_eq!(m.amount.to_string(), "12345678901234.5678");
        assert_eq!(m.to_proto().amount, "12345678901234.5678");
        let m = Money::parse("price", Some(&Pb { currency_code: "USD".into(), amount: "-0.10".into() })).unwrap();
        assert_eq!(m.to_proto().amount, "-0.1");
    }

    #[test]
    fn units_round_trip_exactly() {
        for s in ["0", "0.0001", "12345678901234.5678", "-42.5", "922337203685477.5807"] {
            let d = Decimal::from_str(s).unwrap();
            assert_eq!(from_units(to_units("x", d).unwrap()), d.normalize(), "{s}");
        }
        assert!(to_units("x", Decimal::from_str("0.00001").unwrap()).is_err());
        assert!(to_units("x", Decimal::from_str("922337203685477.5808").unwrap()).is_err());
    }

    #[test]
    fn malformed_money_names_the_field() {
        for amount in ["", "1e3", "1,000.00", "12.", ".5", "abc", "1.23456", "NaN", "123456789012345678901", " 1"] {
            let r = Money::parse("price", Some(&Pb { currency_code: "EUR".into(), amount: amount.into() }));
            assert_eq!(field_of(r), "price.amount", "{amount:?}");
        }
        for code in ["", "eur", "EURO", "E1R"] {
            let r = Money::parse("price", Some(&Pb { currency_code: code.into(), amount: "1".into() }));
            assert_eq!(field_of(r), "price.currency_code", "{code:?}");
        }
        assert_eq!(field_of(Money::parse("price", None)), "price");
    }
}

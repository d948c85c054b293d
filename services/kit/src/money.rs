//! Money on the wire: an ISO 4217 currency and an exact decimal amount as a
//! string. Parsed here, once, for every service; never a float.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

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

/// An active ISO 4217 currency, with the decimal places of its minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

/// The active ISO 4217 codes whose minor unit is not 2 decimal places; every
/// other code of [`ISO_4217`] has 2.
#[rustfmt::skip]
const MINOR_UNITS: &[(&str, u32)] = &[
    ("BHD", 3), ("BIF", 0), ("CLF", 4), ("CLP", 0), ("DJF", 0), ("GNF", 0), ("IQD", 3), ("ISK", 0),
    ("JOD", 3), ("JPY", 0), ("KMF", 0), ("KRW", 0), ("KWD", 3), ("LYD", 3), ("OMR", 3), ("PYG", 0),
    ("RWF", 0), ("TND", 3), ("UGX", 0), ("UYI", 0), ("UYW", 4), ("VND", 0), ("VUV", 0), ("XAF", 0),
    ("XOF", 0), ("XPF", 0),
];

/// The active ISO 4217 currency codes (funds and units of account with a
/// minor unit included; precious metals, XDR and test codes, which have no
/// minor unit, are not money here). Sorted.
#[rustfmt::skip]
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CLF",
    "CLP", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR",
    "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS",
    "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT",
    "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP",
    "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
    "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS",
    "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG",
    "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

impl Currency {
    pub fn parse(field: &str, code: &str) -> Result<Currency> {
        let b = code.as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_uppercase) {
            return Err(Error::invalid(field, format!("`{code}` is not an ISO 4217 currency code such as EUR")));
        }
        if ISO_4217.binary_search(&code).is_err() {
            return Err(Error::invalid(field, format!("`{code}` is not an active ISO 4217 currency")));
        }
        Ok(Currency([b[0], b[1], b[2]]))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII by construction")
    }

    /// Decimal places of the minor unit: EUR and USD 2, JPY 0, KWD 3.
    pub fn minor_unit(&self) -> u32 {
        MINOR_UNITS.iter().find(|(c, _)| *c == self.as_str()).map(|(_, n)| *n).unwrap_or(2)
    }

    /// An amount rounded to the minor unit, half away from zero: the one
    /// rounding of every computed amount (a line's net, Expected MRR,
    /// Weighted Pipeline).
    pub fn round(&self, amount: Decimal) -> Decimal {
        let mut d = amount.round_dp_with_strategy(self.minor_unit(), RoundingStrategy::MidpointAwayFromZero);
        d.rescale(self.minor_unit());
        d
    }

    /// An amount as written on the wire: with the minor unit's decimals
    /// (`1132.00`, `0` yen), more only for a price finer than the minor unit
    /// (a price book's `0.0333`).
    pub fn write(&self, amount: Decimal) -> String {
        let mut d = amount.normalize();
        if d.scale() < self.minor_unit() {
            d.rescale(self.minor_unit());
        }
        d.to_string()
    }
}

/// Stored units in a currency stored as a code, as written on the wire: with
/// the currency's minor unit, or plainly when the stored code is not one
/// (never in data a service wrote).
pub fn write_units(currency: &str, units: i64) -> String {
    let amount = from_units(units);
    match Currency::parse("currency", currency) {
        Ok(c) => c.write(amount),
        Err(_) => amount.to_string(),
    }
}

/// Stored units in a stored currency as wire money.
pub fn units_to_proto(currency: &str, units: i64) -> prm_proto::common::v1::Money {
    prm_proto::common::v1::Money { currency_code: currency.to_string(), amount: write_units(currency, units) }
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
            amount: self.currency.write(self.amount),
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
        let m = Money::parse("price", Some(&Pb { currency_code: "USD".into(), amount: "-0.1".into() })).unwrap();
        assert_eq!(m.to_proto().amount, "-0.10");
    }

    #[test]
    fn amounts_are_written_and_rounded_in_the_minor_unit() {
        let (eur, jpy, kwd) = (cur("EUR"), cur("JPY"), cur("KWD"));
        assert_eq!((eur.minor_unit(), jpy.minor_unit(), kwd.minor_unit()), (2, 0, 3));
        assert_eq!(eur.write(Decimal::from(1132)), "1132.00");
        assert_eq!(eur.write(Decimal::from_str("0.0333").unwrap()), "0.0333", "a price finer than a cent");
        assert_eq!(jpy.write(Decimal::from(1500)), "1500");
        assert_eq!(kwd.write(Decimal::from_str("1.5").unwrap()), "1.500");
        // Half away from zero, both signs.
        for (code, amount, rounded) in [
            ("EUR", "33.3315", "33.33"),
            ("EUR", "0.005", "0.01"),
            ("EUR", "-0.005", "-0.01"),
            ("EUR", "2.675", "2.68"),
            ("JPY", "2.5", "3"),
            ("JPY", "-2.5", "-3"),
            ("KWD", "0.0005", "0.001"),
        ] {
            let r = cur(code).round(Decimal::from_str(amount).unwrap());
            assert_eq!(cur(code).write(r), rounded, "{code} {amount}");
        }
    }

    fn cur(code: &str) -> Currency {
        Currency::parse("c", code).unwrap()
    }

    #[test]
    fn only_active_iso_4217_codes_are_currencies() {
        for code in ["EUR", "USD", "JPY", "CHF", "GBP", "PLN", "CZK", "DKK", "SEK", "NOK", "KWD", "ZWG"] {
            assert!(Currency::parse("c", code).is_ok(), "{code}");
        }
        for code in ["XYZ", "ABC", "EUX", "XAU", "XXX", "XTS", "DEM", "HRK"] {
            assert_eq!(field_of_code(code), "c", "{code}");
        }
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]), "sorted, for the binary search");
        assert!(MINOR_UNITS.iter().all(|(c, _)| ISO_4217.contains(c)));
    }

    fn field_of_code(code: &str) -> String {
        match Currency::parse("c", code) {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{code}: {other:?}"),
        }
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

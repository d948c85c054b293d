//! Conversions between stored times and protobuf timestamps, and the one
//! way a date is read from a request.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::{Error, Result};

pub fn to_proto(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp { seconds: t.timestamp(), nanos: t.timestamp_subsec_nanos() as i32 }
}

pub fn from_proto(t: &prost_types::Timestamp) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(t.seconds, u32::try_from(t.nanos).ok()?).single()
}

/// Now, truncated to microseconds: what PostgreSQL keeps, so a value read
/// back equals the value written on every backend.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// A calendar date written exactly `2026-12-31` (RFC 3339's full-date, the
/// document's `format: date`): no spaces, no missing zeros, a real day.
pub fn date(field: &str, s: &str) -> Result<NaiveDate> {
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| Error::invalid(field, format!("`{s}` is not a date such as 2026-12-31")))
}

/// As [`date`], where "" means none.
pub fn optional_date(field: &str, s: &str) -> Result<Option<NaiveDate>> {
    if s.is_empty() { Ok(None) } else { date(field, s).map(Some) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_written_one_way() {
        assert_eq!(date("d", "2026-12-31").unwrap(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(date("d", "2028-02-29").unwrap(), NaiveDate::from_ymd_opt(2028, 2, 29).unwrap());
        for bad in [
            "",
            " 2026-12-31",
            "2026-12-31 ",
            "2026-1-5",
            "2026-02-30",
            "2026-13-01",
            "26-12-31",
            "2026/12/31",
            "２０２６-12-31",
            "+2026-12-31",
        ] {
            match date("close_date", bad) {
                Err(Error::Invalid { field, .. }) => assert_eq!(field, "close_date", "{bad:?}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert_eq!(optional_date("d", "").unwrap(), None);
        assert!(optional_date("d", "   ").is_err(), "spaces are not none");
    }
}

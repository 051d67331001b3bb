//! Calendar dates: as users type them, and the one rule that turns an event's time into
//! the calendar day it happened on.
//!
//! Events are stored as UTC timestamps; people think in the days of their own time zone.
//! Every "today", every "added on" and every as-of cut-off goes through [`Zone::day_of`],
//! so the window, the command line and the pack agree on which day something happened.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, Local, NaiveDate, Offset as _, SecondsFormat, Utc};

use super::RuleError;

/// The text of an event's time, as it is stored and shown: RFC 3339 in UTC with whole
/// seconds (`2026-11-28T13:53:52Z`).
pub fn stamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Reads an event's time stored as RFC 3339 text.
pub fn parse_stamp(text: &str) -> Result<DateTime<Utc>, RuleError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| RuleError::BadTimestamp(text.to_string()))
}

/// Serde helpers that write an event's time as [`stamp`] does, for records shown as JSON.
pub mod stamped {
    use chrono::{DateTime, Utc};
    use serde::Serializer;

    /// Writes a time as its stamp.
    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::stamp(at))
    }

    /// Writes a time that may be absent as its stamp, or `null`.
    pub fn option<S: Serializer>(
        at: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => serializer.serialize_str(&super::stamp(at)),
            None => serializer.serialize_none(),
        }
    }
}

/// Parses a `YYYY-MM-DD` date, refusing impossible ones such as `2027-02-30`.
pub fn parse_date(text: &str) -> Result<NaiveDate, RuleError> {
    let trimmed = text.trim();
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        .ok()
        .filter(|_| trimmed.len() == 10)
        .ok_or_else(|| RuleError::BadDate(text.to_string()))
}

/// Parses a date that may be left empty: empty (or blank) is `None`.
pub fn parse_optional_date(text: &str) -> Result<Option<NaiveDate>, RuleError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(text).map(Some)
    }
}

/// The time zone a workspace counts its days in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Zone {
    /// The computer's own time zone (the default).
    #[default]
    Local,
    /// A fixed offset from UTC, such as `+02:00`.
    Fixed(FixedOffset),
}

impl Zone {
    /// The calendar day an instant falls on in this zone.
    pub fn day_of(self, at: DateTime<Utc>) -> NaiveDate {
        match self {
            Zone::Local => at.with_timezone(&Local).date_naive(),
            Zone::Fixed(offset) => at.with_timezone(&offset).date_naive(),
        }
    }

    /// The calendar day of a stored RFC 3339 timestamp (`2026-11-28T13:53:52Z`), or `None`
    /// when the text is not one.
    pub fn day_of_timestamp(self, timestamp: &str) -> Option<NaiveDate> {
        DateTime::parse_from_rfc3339(timestamp)
            .ok()
            .map(|at| self.day_of(at.with_timezone(&Utc)))
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Local => f.write_str("local"),
            Zone::Fixed(offset) => write!(f, "{offset}"),
        }
    }
}

impl FromStr for Zone {
    type Err = RuleError;

    /// `local`, `UTC`, `Z`, or an offset such as `+02:00` or `-0530`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("local") {
            return Ok(Zone::Local);
        }
        if trimmed.eq_ignore_ascii_case("utc") || trimmed.eq_ignore_ascii_case("z") {
            return Ok(Zone::Fixed(Utc.fix()));
        }
        FixedOffset::from_str(trimmed)
            .ok()
            .map(Zone::Fixed)
            .ok_or_else(|| RuleError::BadTimeZone(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_reads_back_to_the_same_text_and_bad_text_is_refused() {
        let text = "2026-11-28T13:53:52Z";
        assert_eq!(stamp(&parse_stamp(text).unwrap()), text);
        assert_eq!(
            stamp(&parse_stamp("2026-11-28T14:53:52+01:00").unwrap()),
            text
        );
        assert_eq!(
            parse_stamp("yesterday"),
            Err(RuleError::BadTimestamp("yesterday".into()))
        );
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn an_event_counts_on_the_day_of_the_workspace_zone() {
        let berlin: Zone = "+01:00".parse().unwrap();
        // 23:30 and 00:30 in Berlin, on either side of midnight.
        assert_eq!(
            berlin.day_of(at("2026-11-28T22:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
        );
        assert_eq!(
            berlin.day_of(at("2026-11-28T23:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
        );
        let utc: Zone = "UTC".parse().unwrap();
        assert_eq!(
            utc.day_of_timestamp("2026-11-28T23:30:00Z"),
            NaiveDate::from_ymd_opt(2026, 11, 28)
        );
        assert_eq!(utc.day_of_timestamp("2026-11-28"), None);
        assert_eq!(utc.day_of_timestamp("garbage"), None);
    }

    #[test]
    fn zones_read_and_print_alike() {
        for text in ["local", "+02:00", "-05:30"] {
            assert_eq!(text.parse::<Zone>().unwrap().to_string(), text);
        }
        assert!("Mars/Olympus".parse::<Zone>().is_err());
    }

    #[test]
    fn real_dates_parse() {
        assert_eq!(
            parse_date("2027-03-01").unwrap(),
            NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()
        );
        assert_eq!(
            parse_date(" 2024-02-29 ").unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
    }

    #[test]
    fn an_empty_optional_date_is_none() {
        assert_eq!(parse_optional_date("  "), Ok(None));
        assert!(parse_optional_date("2027-02-30").is_err());
        assert!(parse_optional_date("2027-03-01").unwrap().is_some());
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "2027-02-30",
            "2027-13-01",
            "01/03/2027",
            "2027-3-1",
            "",
            "tomorrow",
        ] {
            assert!(parse_date(bad).is_err(), "{bad} should be refused");
        }
    }
}

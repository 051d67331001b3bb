//! Calendar dates as users type them.

use chrono::NaiveDate;

use super::RuleError;

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

#[cfg(test)]
mod tests {
    use super::*;

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

//! Whole-number flags (`--review-every-days`, `--every-days`, the patch deadlines, evidence
//! ids), read so that each way a value can be wrong gets its own plain sentence.
//!
//! Rust's integer parsing says "invalid digit found in string" for `-5` in an unsigned
//! field and "number too large to fit in target type" for twenty digits; people need "cannot
//! be negative" and "too large: at most 3650 days". These parsers run inside clap, so a bad
//! value is refused before the workspace is opened, and clap's error already names the flag
//! and the value given.

use crate::model::MAX_REVIEW_DAYS;
use crate::store::{MAX_DEADLINE_DAYS, MAX_EVERY_DAYS};

/// A whole number as typed: its sign and its size, or why it is not one.
#[derive(Debug, PartialEq, Eq)]
enum Whole {
    /// Zero or more; `None` when it does not fit in 64 bits.
    Positive(Option<u64>),
    /// Below zero; `None` when it does not fit in 64 bits.
    Negative(Option<u64>),
}

/// Reads optional sign and digits, ignoring surrounding spaces.
fn whole(text: &str) -> Option<Whole> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let size = digits.parse::<u64>().ok();
    Some(match (negative, size) {
        (true, Some(0)) => Whole::Positive(Some(0)),
        (true, size) => Whole::Negative(size),
        (false, size) => Whole::Positive(size),
    })
}

/// A number of days from 1 to `max`, with a sentence for blank, non-numeric, negative, zero
/// and too-large values.
fn days_in_range(text: &str, max: u32) -> Result<u32, String> {
    if text.trim().is_empty() {
        return Err("a number of days cannot be blank".to_string());
    }
    match whole(text) {
        None => Err("not a whole number of days".to_string()),
        Some(Whole::Negative(_)) => Err("a number of days cannot be negative".to_string()),
        Some(Whole::Positive(Some(0))) => Err("must be 1 day or more".to_string()),
        Some(Whole::Positive(Some(days))) if days <= u64::from(max) => {
            u32::try_from(days).map_err(|_| format!("too large: at most {max} days"))
        }
        Some(Whole::Positive(_)) => Err(format!("too large: at most {max} days")),
    }
}

/// `--review-every-days`: 1 to [`MAX_REVIEW_DAYS`] days, or blank to clear the cadence
/// (returned as the empty text the control's fields use for "none").
pub(crate) fn review_days(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Ok(String::new());
    }
    days_in_range(text, MAX_REVIEW_DAYS).map(|days| days.to_string())
}

/// A patch deadline flag (`--critical` and the others): 1 to [`MAX_DEADLINE_DAYS`] days.
pub(crate) fn deadline_days(text: &str) -> Result<u32, String> {
    days_in_range(text, MAX_DEADLINE_DAYS)
}

/// `course add --every-days`: any whole number that fits, so that the store's own rule
/// ("every 1 day or more, not 0") speaks for zero and negative values; only text that is no
/// number and numbers far past the store's limit are refused here.
pub(crate) fn course_days(text: &str) -> Result<i64, String> {
    let too_large = || format!("too large: at most {MAX_EVERY_DAYS} days (100 years)");
    match whole(text) {
        None if text.trim().is_empty() => Err("a number of days cannot be blank".to_string()),
        None => Err("not a whole number of days".to_string()),
        Some(Whole::Positive(size)) => size
            .and_then(|n| i64::try_from(n).ok())
            .ok_or_else(too_large),
        Some(Whole::Negative(size)) => size
            .and_then(|n| i64::try_from(n).ok())
            .map(|n| -n)
            .ok_or_else(|| "a number of days cannot be negative".to_string()),
    }
}

/// An evidence id as `evidence list` shows it. Zero and negative ids fit, and the store
/// answers that no such evidence exists; text and numbers past 64 bits are refused here.
pub(crate) fn evidence_id(text: &str) -> Result<i64, String> {
    record_id(text, "evidence id", "evidence")
}

/// An attachment id as `attachment list` shows it, read as [`evidence_id`] reads its own.
pub(crate) fn attachment_id(text: &str) -> Result<i64, String> {
    record_id(text, "attachment id", "attachment")
}

fn record_id(text: &str, what: &str, command: &str) -> Result<i64, String> {
    let hint = format!("not an {what}: use a number from `lockstep {command} list`");
    match whole(text) {
        None => Err(hint),
        Some(Whole::Positive(size)) => size
            .and_then(|n| i64::try_from(n).ok())
            .ok_or_else(|| format!("too large to be an {what}")),
        Some(Whole::Negative(size)) => size
            .and_then(|n| i64::try_from(n).ok())
            .map(|n| -n)
            .ok_or(hint),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_days_name_each_way_a_value_is_wrong() {
        assert_eq!(review_days("30"), Ok("30".to_string()));
        assert_eq!(review_days(" +30 "), Ok("30".to_string()));
        assert_eq!(review_days(""), Ok(String::new()));
        assert_eq!(
            review_days("99999999999999999999"),
            Err("too large: at most 36525 days".to_string())
        );
        assert_eq!(
            review_days("36526"),
            Err("too large: at most 36525 days".to_string())
        );
        assert_eq!(
            review_days("-5"),
            Err("a number of days cannot be negative".to_string())
        );
        assert_eq!(
            review_days("-99999999999999999999"),
            Err("a number of days cannot be negative".to_string())
        );
        assert_eq!(review_days("0"), Err("must be 1 day or more".to_string()));
        assert_eq!(review_days("-0"), Err("must be 1 day or more".to_string()));
        for text in ["abc", "1.5", "1e3", "--5", "+", "٣"] {
            assert_eq!(
                review_days(text),
                Err("not a whole number of days".to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn deadline_days_stop_at_ten_years() {
        assert_eq!(deadline_days("3650"), Ok(3650));
        assert_eq!(
            deadline_days("3651"),
            Err("too large: at most 3650 days".to_string())
        );
        assert_eq!(
            deadline_days(""),
            Err("a number of days cannot be blank".to_string())
        );
    }

    #[test]
    fn course_days_leave_zero_and_negative_to_the_store() {
        assert_eq!(course_days("0"), Ok(0));
        assert_eq!(course_days("-30"), Ok(-30));
        assert_eq!(course_days("100000"), Ok(100_000));
        assert_eq!(
            course_days("99999999999999999999"),
            Err("too large: at most 36525 days (100 years)".to_string())
        );
        assert_eq!(
            course_days("yearly"),
            Err("not a whole number of days".to_string())
        );
    }

    #[test]
    fn evidence_ids_that_fit_reach_the_store() {
        assert_eq!(evidence_id("7"), Ok(7));
        assert_eq!(evidence_id("-5"), Ok(-5));
        assert_eq!(
            evidence_id("99999999999999999999"),
            Err("too large to be an evidence id".to_string())
        );
        assert!(evidence_id("abc").is_err());
    }
}

//! What every findings format shares: the result of one record, the file being built, and
//! the reading of severities, dates and package lists.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

use super::record::{FindingFile, FindingFormat, FindingRecord, RecordProblem};
use crate::model::{FindingKind, FindingSeverity, nist_id};

/// What one record of a file turned into.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// A record to import.
    Record(Box<FindingRecord>),
    /// A record that cannot be imported, and why (one sentence).
    Problem(String),
    /// A record that is not a finding at all (a patch that does not apply), left out
    /// without a word.
    Skip,
}

impl From<Result<FindingRecord, String>> for Outcome {
    fn from(result: Result<FindingRecord, String>) -> Self {
        match result {
            Ok(record) => Outcome::Record(Box::new(record)),
            Err(reason) => Outcome::Problem(reason),
        }
    }
}

/// Turns one JSON element of a list into an outcome; `record` counts from 1.
pub(crate) type Convert = fn(record: usize, value: Value, asset: Option<&str>) -> Outcome;

/// A findings file as it is read, record by record.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    records: Vec<FindingRecord>,
    problems: Vec<RecordProblem>,
    accounts: BTreeSet<String>,
    newest: Option<NaiveDate>,
}

impl Builder {
    /// Adds the outcome of record `record`.
    pub(crate) fn push(&mut self, record: usize, outcome: Outcome) {
        match outcome {
            Outcome::Record(finding) => {
                if !finding.account.is_empty() && !self.accounts.contains(&finding.account) {
                    self.accounts.insert(finding.account.clone());
                }
                for time in [finding.first_seen, finding.last_seen, finding.fixed_at]
                    .into_iter()
                    .flatten()
                {
                    let day = time.date_naive();
                    if self.newest.is_none_or(|newest| day > newest) {
                        self.newest = Some(day);
                    }
                }
                self.records.push(*finding);
            }
            Outcome::Problem(reason) => self.problems.push(RecordProblem { record, reason }),
            Outcome::Skip => {}
        }
    }

    /// The file, as a format.
    pub(crate) fn finish(self, format: FindingFormat) -> FindingFile {
        FindingFile {
            format,
            records: self.records,
            problems: self.problems,
            accounts: self.accounts,
            newest: self.newest,
        }
    }
}

/// A record with its position, kind and severity, and every other field blank.
pub(crate) fn blank(record: usize, kind: FindingKind, severity: FindingSeverity) -> FindingRecord {
    FindingRecord {
        record,
        source_id: String::new(),
        account: String::new(),
        kind,
        title: String::new(),
        description: String::new(),
        severity,
        resource: String::new(),
        resource_type: String::new(),
        vulnerability: String::new(),
        package: String::new(),
        fixed_in: String::new(),
        fix_available: None,
        check: String::new(),
        passed: None,
        controls: Vec::new(),
        first_seen: None,
        last_seen: None,
        fixed_at: None,
    }
}

/// The trimmed text of an optional field; empty when absent.
pub(crate) fn text(value: &Option<String>) -> String {
    value.as_deref().map(str::trim).unwrap_or("").to_string()
}

/// The finding's id, refused when missing or blank.
pub(crate) fn required_id(value: &Option<String>) -> Result<String, String> {
    let id = text(value);
    if id.is_empty() {
        Err("the finding has no id".to_string())
    } else {
        Ok(id)
    }
}

/// A severity word of any AWS tool; a missing one is refused.
pub(crate) fn severity(word: Option<&str>) -> Result<FindingSeverity, String> {
    match word.map(str::trim) {
        None | Some("") => Err("the finding has no severity".to_string()),
        Some(word) => {
            FindingSeverity::from_aws(word).map_err(|_| format!("unknown severity '{word}'"))
        }
    }
}

/// A date and time as AWS writes them: RFC 3339 (`2026-03-01T12:00:00Z`,
/// `2026-03-01T12:00:00.000Z`, `2026-03-01T12:00:00+00:00`), the same without a zone (UTC),
/// a bare day, or the Inspector console's `Mar 1, 2026, 12:00:00 PM` (UTC).
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%b %d, %Y, %I:%M:%S %p",
        "%b %d, %Y %I:%M:%S %p",
    ] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Some(time.and_utc());
        }
    }
    // `2026-03-01 12:00:00+00:00` and `…Z` with a space instead of the `T`.
    if let Ok(time) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Some(time.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|time| time.and_utc())
}

/// Seconds since 1970 (fractions allowed) as a time; none when out of range.
pub(crate) fn from_epoch_seconds(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.floor();
    let nanos = ((seconds - whole) * 1e9).round().clamp(0.0, 999_999_999.0) as u32;
    if whole < i64::MIN as f64 || whole > i64::MAX as f64 {
        return None;
    }
    DateTime::from_timestamp(whole as i64, nanos)
}

/// The years a time of a finding may fall in. AWS's tools began in the 2010s; a time far
/// outside these is a damaged or hostile file, and no report format (OSCAL's date-times
/// among them) could carry it.
pub(crate) const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1990..=2999;

/// Whether a time falls in [`PLAUSIBLE_YEARS`].
pub(crate) fn plausible(time: &DateTime<Utc>) -> bool {
    PLAUSIBLE_YEARS.contains(&chrono::Datelike::year(time))
}

/// `time` when plausible, else why not, naming the field and the value as written.
fn within_years(
    field: &str,
    written: &dyn std::fmt::Display,
    time: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    if plausible(&time) {
        Ok(time)
    } else {
        Err(format!(
            "{field} {written} is outside the years {} to {}",
            PLAUSIBLE_YEARS.start(),
            PLAUSIBLE_YEARS.end()
        ))
    }
}

/// A time field given as text or as seconds since 1970; none when absent or blank. A value
/// that is not a date, or not in [`PLAUSIBLE_YEARS`], is refused, naming the field.
pub(crate) fn time_field(
    field: &str,
    value: &Option<Value>,
) -> Result<Option<DateTime<Utc>>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
        // Zero seconds is how AWS's APIs write "never" (an uninstalled patch's time).
        Some(Value::Number(number)) if number.as_f64() == Some(0.0) => Ok(None),
        Some(Value::String(text)) => parse_time(text)
            .ok_or_else(|| format!("{field} '{}' is not a date", text.trim()))
            .and_then(|time| within_years(field, &format!("'{}'", text.trim()), time))
            .map(Some),
        Some(Value::Number(number)) => number
            .as_f64()
            .and_then(from_epoch_seconds)
            .ok_or_else(|| format!("{field} {number} is not a date"))
            .and_then(|time| within_years(field, number, time))
            .map(Some),
        Some(other) => Err(format!("{field} {other} is not a date")),
    }
}

/// A time field given as text only; none when absent or blank.
pub(crate) fn text_time_field(
    field: &str,
    value: &Option<String>,
) -> Result<Option<DateTime<Utc>>, String> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse_time(text)
            .ok_or_else(|| format!("{field} '{text}' is not a date"))
            .and_then(|time| within_years(field, &format!("'{text}'"), time))
            .map(Some),
    }
}

/// A list of the non-blank values, in order, without repeats, joined by `, `.
pub(crate) fn join_distinct<I, S>(values: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut kept: Vec<String> = Vec::new();
    for value in values {
        let value = value.as_ref().trim();
        if value.is_empty() || kept.iter().any(|k| k == value) {
            continue;
        }
        kept.push(value.to_string());
    }
    kept.join(", ")
}

/// A fixed-in version worth stating: not blank, not Inspector's `NotAvailable`.
pub(crate) fn real_version(version: &str) -> Option<&str> {
    let version = version.trim();
    if version.is_empty() || version.eq_ignore_ascii_case("NotAvailable") {
        None
    } else {
        Some(version)
    }
}

/// Fills a record's packages (`name version`, without repeats) and the versions that fix
/// them, from each package's name, version and fixed-in version.
pub(crate) fn set_packages(out: &mut FindingRecord, packages: &[[&Option<String>; 3]]) {
    out.package = join_distinct(
        packages
            .iter()
            .map(|[name, version, _]| name_version(&text(name), &text(version))),
    );
    out.fixed_in = join_distinct(
        packages
            .iter()
            .filter_map(|[_, _, fixed_in]| fixed_in.as_deref().and_then(real_version)),
    );
}

/// `name version`, or the name alone when the version is blank.
pub(crate) fn name_version(name: &str, version: &str) -> String {
    let (name, version) = (name.trim(), version.trim());
    if version.is_empty() {
        name.to_string()
    } else {
        format!("{name} {version}")
    }
}

/// The NIST SP 800-53 controls among requirement texts, sorted, without repeats; other
/// frameworks' requirements are ignored.
pub(crate) fn nist_controls<'a>(requirements: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let ids: BTreeSet<String> = requirements
        .into_iter()
        .filter(|text| {
            let text = text.trim_start();
            // "PCI DSS v4.0.1/8.2.1", "CIS AWS Foundations 1.4.0/1.10" are not NIST ids even
            // where their tails look like one.
            !text.contains('/')
        })
        .filter_map(nist_id)
        .collect();
    ids.into_iter().collect()
}

/// The reason a JSON element could not be read as a finding (a field of the wrong type).
pub(crate) fn shape_problem(error: &serde_json::Error) -> String {
    format!("the finding has a field of the wrong type ({error})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_outside_the_plausible_years_are_refused_by_name() {
        let old = Some(Value::String("1850-01-01T00:00:00Z".into()));
        let error = time_field("firstObservedAt", &old).unwrap_err();
        assert!(
            error.contains(
                "firstObservedAt '1850-01-01T00:00:00Z' is outside the years 1990 to 2999"
            ),
            "{error}"
        );
        let far = Some(serde_json::json!(4.0e10));
        assert!(
            time_field("time", &far)
                .unwrap_err()
                .contains("outside the years")
        );
        assert_eq!(
            time_field("InstalledTime", &Some(serde_json::json!(0))),
            Ok(None)
        );
        let fine = Some(Value::String("2026-03-01T12:00:00Z".into()));
        assert!(time_field("time", &fine).unwrap().is_some());
    }

    #[test]
    fn times_read_in_every_form_aws_writes() {
        let noon = parse_time("2026-03-01T12:00:00Z");
        assert!(noon.is_some());
        for text in [
            "2026-03-01T12:00:00.000Z",
            "2026-03-01T12:00:00+00:00",
            "2026-03-01T13:00:00+01:00",
            "2026-03-01T12:00:00",
            "Mar 1, 2026, 12:00:00 PM",
            "Mar 01, 2026, 12:00:00 PM",
        ] {
            assert_eq!(parse_time(text), noon, "{text}");
        }
        assert!(parse_time("yesterday").is_none());
        assert_eq!(from_epoch_seconds(1_772_366_400.0), noon);
        assert_eq!(
            time_field("updatedAt", &Some(Value::String("soon".into()))),
            Err("updatedAt 'soon' is not a date".to_string())
        );
    }

    #[test]
    fn only_nist_requirements_become_controls() {
        assert_eq!(
            nist_controls([
                "NIST.800-53.r5 SI-2",
                "NIST.800-53.r5 AC-2(1)",
                "PCI DSS v4.0.1/8.2.1",
                "NIST.800-53.r5 AC-2(1)",
                "CIS AWS Foundations Benchmark v1.2.0/1.10",
            ]),
            vec!["AC-2(1)".to_string(), "SI-2".to_string()]
        );
    }
}

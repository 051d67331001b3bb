//! Evidence files attached to controls, and when they count as expired or expiring.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::RuleError;

/// How many days ahead "expiring" looks.
pub const EXPIRING_WITHIN_DAYS: i64 = 30;

/// A file attached to a control. The row stays when the evidence is removed: removal is a
/// tombstone with a reason, and the file stays in the vault until an explicit purge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Evidence id, unique in the workspace.
    pub id: i64,
    /// The control's id (`SRM-CUS-IAM-01`).
    pub control: String,
    /// The file's name when it was attached.
    pub file_name: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Media type guessed from the name (`application/pdf`).
    pub media_type: String,
    /// SHA-256 of the content, lowercase hex: also its name in the vault.
    pub sha256: String,
    /// What it shows.
    pub description: String,
    /// The date the evidence is about.
    pub collected_on: NaiveDate,
    /// The last day it counts, if it expires.
    pub valid_until: Option<NaiveDate>,
    /// Who attached it.
    pub added_by: String,
    /// When; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "super::stamped::serialize")]
    pub added_at: DateTime<Utc>,
    /// Whether it was removed (a tombstone).
    pub removed: bool,
    /// Who removed it.
    pub removed_by: Option<String>,
    /// When it was removed.
    #[serde(serialize_with = "super::stamped::option")]
    pub removed_at: Option<DateTime<Utc>>,
    /// Why it was removed.
    pub removed_reason: Option<String>,
}

/// Where a piece of evidence stands on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// No end date, or the end is more than 30 days away.
    Valid,
    /// Ends within the next 30 days (today included).
    Expiring,
    /// Ended before today.
    Expired,
}

impl Evidence {
    /// Where the evidence stands on `today`.
    pub fn validity(&self, today: NaiveDate) -> Validity {
        validity(self.valid_until, today)
    }
}

/// Where evidence valid until `valid_until` stands on `today`.
pub fn validity(valid_until: Option<NaiveDate>, today: NaiveDate) -> Validity {
    match valid_until {
        None => Validity::Valid,
        Some(end) if end < today => Validity::Expired,
        Some(end) if (end - today).num_days() <= EXPIRING_WITHIN_DAYS => Validity::Expiring,
        Some(_) => Validity::Valid,
    }
}

/// Checks the dates of new evidence: it cannot stop being valid before the day it is about.
pub fn check_evidence_dates(
    collected_on: NaiveDate,
    valid_until: Option<NaiveDate>,
) -> Result<(), RuleError> {
    match valid_until {
        Some(end) if end < collected_on => Err(RuleError::ValidBeforeCollected {
            collected_on,
            valid_until: end,
        }),
        _ => Ok(()),
    }
}

/// The media type for a file name, from its extension.
pub fn media_type_for(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "xml" => "application/xml",
        "html" | "htm" => "text/html",
        "md" => "text/markdown",
        "yaml" | "yml" => "application/yaml",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "doc" => "application/msword",
        "xls" => "application/vnd.ms-excel",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn validity_at_the_boundaries() {
        let today = day("2026-11-28");
        assert_eq!(validity(None, today), Validity::Valid);
        assert_eq!(validity(Some(day("2026-11-27")), today), Validity::Expired);
        assert_eq!(validity(Some(today), today), Validity::Expiring);
        assert_eq!(validity(Some(day("2026-12-28")), today), Validity::Expiring);
        assert_eq!(validity(Some(day("2026-12-29")), today), Validity::Valid);
    }

    #[test]
    fn valid_until_cannot_precede_collected_on() {
        assert!(check_evidence_dates(day("2026-11-01"), Some(day("2026-10-31"))).is_err());
        assert!(check_evidence_dates(day("2026-11-01"), Some(day("2026-11-01"))).is_ok());
        assert!(check_evidence_dates(day("2026-11-01"), None).is_ok());
    }

    #[test]
    fn media_types_come_from_the_extension() {
        assert_eq!(media_type_for("SOC2 report.PDF"), "application/pdf");
        assert_eq!(media_type_for("iam.csv"), "text/csv");
        assert_eq!(media_type_for("noext"), "application/octet-stream");
    }
}

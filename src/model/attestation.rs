//! Training and patch attestations and sign-offs: the states an auditor asks about, and
//! the rules that compute them from dates.

use std::fmt;
use std::str::FromStr;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{EXPIRING_WITHIN_DAYS, RuleError};

/// Where one active person stands on one course on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingState {
    /// Completed, and valid for more than 30 more days.
    Current,
    /// Completed, and expires within 30 days (the expiry day itself included).
    Expiring,
    /// Completed once, but expired before the date.
    Expired,
    /// Never completed.
    Missing,
}

impl TrainingState {
    /// All states, best first.
    pub const ALL: [TrainingState; 4] = [
        TrainingState::Current,
        TrainingState::Expiring,
        TrainingState::Expired,
        TrainingState::Missing,
    ];

    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            TrainingState::Current => "current",
            TrainingState::Expiring => "expiring",
            TrainingState::Expired => "expired",
            TrainingState::Missing => "missing",
        }
    }

    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            TrainingState::Current => "Current",
            TrainingState::Expiring => "Expiring",
            TrainingState::Expired => "Expired",
            TrainingState::Missing => "Missing",
        }
    }
}

impl fmt::Display for TrainingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When a completion expires: the completion date plus the course's recurrence.
pub fn training_expires_on(completed_on: NaiveDate, every_days: u32) -> NaiveDate {
    completed_on
        .checked_add_days(Days::new(u64::from(every_days)))
        .unwrap_or(NaiveDate::MAX)
}

/// The state of a person on a course as of a date, from the expiry of their latest
/// completion (none: missing).
pub fn training_state(latest_expiry: Option<NaiveDate>, as_of: NaiveDate) -> TrainingState {
    match latest_expiry {
        None => TrainingState::Missing,
        Some(expires) if expires < as_of => TrainingState::Expired,
        Some(expires) if (expires - as_of).num_days() <= EXPIRING_WITHIN_DAYS => {
            TrainingState::Expiring
        }
        Some(_) => TrainingState::Current,
    }
}

/// How urgent an advisory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fix first.
    Critical,
    /// Fix soon.
    High,
    /// Fix in the normal cycle.
    Medium,
    /// Fix when convenient.
    Low,
}

impl Severity {
    /// All severities, most urgent first.
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "Critical",
            Severity::High => "High",
            Severity::Medium => "Medium",
            Severity::Low => "Low",
        }
    }

    /// Days from release to deadline unless a project says otherwise.
    pub fn default_deadline_days(self) -> u32 {
        match self {
            Severity::Critical => 15,
            Severity::High => 30,
            Severity::Medium => 90,
            Severity::Low => 180,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|severity| severity.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| RuleError::UnknownSeverity(s.to_string()))
    }
}

/// Where a patch record stands on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatchState {
    /// Applied on or before its deadline.
    OnTime,
    /// Applied after its deadline.
    Late,
    /// Not applied, and the deadline has not passed.
    Open,
    /// Not applied, and the deadline has passed.
    Overdue,
}

impl PatchState {
    /// All states.
    pub const ALL: [PatchState; 4] = [
        PatchState::OnTime,
        PatchState::Late,
        PatchState::Open,
        PatchState::Overdue,
    ];

    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchState::OnTime => "on_time",
            PatchState::Late => "late",
            PatchState::Open => "open",
            PatchState::Overdue => "overdue",
        }
    }

    /// The words shown to people.
    pub fn label(self) -> &'static str {
        match self {
            PatchState::OnTime => "On time",
            PatchState::Late => "Late",
            PatchState::Open => "Open",
            PatchState::Overdue => "Overdue",
        }
    }
}

impl fmt::Display for PatchState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The deadline of an advisory released on `released_on` with `days` to patch.
pub fn patch_deadline(released_on: NaiveDate, days: u32) -> NaiveDate {
    released_on
        .checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// The state of a patch record as of a date. The deadline day itself is still on time.
pub fn patch_state(
    deadline: NaiveDate,
    applied_on: Option<NaiveDate>,
    as_of: NaiveDate,
) -> PatchState {
    match applied_on {
        Some(applied) if applied <= deadline => PatchState::OnTime,
        Some(_) => PatchState::Late,
        None if as_of <= deadline => PatchState::Open,
        None => PatchState::Overdue,
    }
}

/// Days from release to application, for applied patches.
pub fn days_to_patch(released_on: NaiveDate, applied_on: Option<NaiveDate>) -> Option<i64> {
    applied_on.map(|applied| (applied - released_on).num_days())
}

/// Checks a patch record's dates: it cannot be applied before it was released.
pub fn check_patch_dates(
    released_on: NaiveDate,
    applied_on: Option<NaiveDate>,
) -> Result<(), RuleError> {
    match applied_on {
        Some(applied) if applied < released_on => Err(RuleError::AppliedBeforeReleased {
            released_on,
            applied_on: applied,
        }),
        _ => Ok(()),
    }
}

/// What an asset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssetKind {
    /// A running instance.
    Instance,
    /// A machine image.
    Ami,
    /// A container image.
    ContainerImage,
    /// A database.
    Database,
    /// An application.
    Application,
    /// Anything else.
    Other,
}

impl AssetKind {
    /// All kinds.
    pub const ALL: [AssetKind; 6] = [
        AssetKind::Instance,
        AssetKind::Ami,
        AssetKind::ContainerImage,
        AssetKind::Database,
        AssetKind::Application,
        AssetKind::Other,
    ];

    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Instance => "instance",
            AssetKind::Ami => "ami",
            AssetKind::ContainerImage => "container-image",
            AssetKind::Database => "database",
            AssetKind::Application => "application",
            AssetKind::Other => "other",
        }
    }
}

impl FromStr for AssetKind {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AssetKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| RuleError::UnknownAssetKind(s.to_string()))
    }
}

/// Who patches an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ManagedBy {
    /// The customer patches it.
    Customer,
    /// AWS patches it (a managed service's platform).
    Aws,
}

impl ManagedBy {
    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            ManagedBy::Customer => "customer",
            ManagedBy::Aws => "aws",
        }
    }
}

impl FromStr for ManagedBy {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "customer" => Ok(ManagedBy::Customer),
            "aws" => Ok(ManagedBy::Aws),
            _ => Err(RuleError::UnknownManagedBy(s.to_string())),
        }
    }
}

/// What a sign-off covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignoffSubject {
    /// One control of the project, by id.
    Control(String),
    /// The training roster.
    Training,
    /// The project's patches released in one month, `YYYY-MM`.
    PatchCycle(String),
    /// One finding and its deviation request, by the finding's id (`F-12`).
    Finding(String),
}

impl SignoffSubject {
    /// The stored kind.
    pub fn kind(&self) -> &'static str {
        match self {
            SignoffSubject::Control(_) => "control",
            SignoffSubject::Training => "training",
            SignoffSubject::PatchCycle(_) => "patch_cycle",
            SignoffSubject::Finding(_) => "finding",
        }
    }

    /// The stored key within the kind.
    pub fn key(&self) -> &str {
        match self {
            SignoffSubject::Control(id) => id,
            SignoffSubject::Training => "roster",
            SignoffSubject::PatchCycle(month) => month,
            SignoffSubject::Finding(id) => id,
        }
    }

    /// How people and JSON name it: `control SRM-CUS-IAM-01`, `training`, `patch-cycle 2026-10`,
    /// `finding F-12`.
    pub fn describe(&self) -> String {
        match self {
            SignoffSubject::Control(id) => format!("control {id}"),
            SignoffSubject::Training => "training".to_string(),
            SignoffSubject::PatchCycle(month) => format!("patch-cycle {month}"),
            SignoffSubject::Finding(id) => format!("finding {id}"),
        }
    }

    /// Rebuilds a subject from its stored kind and key.
    pub fn from_stored(kind: &str, key: &str) -> Option<Self> {
        match kind {
            "control" => Some(SignoffSubject::Control(key.to_string())),
            "training" => Some(SignoffSubject::Training),
            "patch_cycle" => Some(SignoffSubject::PatchCycle(key.to_string())),
            "finding" => Some(SignoffSubject::Finding(key.to_string())),
            _ => None,
        }
    }
}

/// Parses a month as `YYYY-MM` and returns its first day.
pub fn parse_month(text: &str) -> Result<NaiveDate, RuleError> {
    let trimmed = text.trim();
    if trimmed.len() != 7 {
        return Err(RuleError::BadMonth(text.to_string()));
    }
    NaiveDate::parse_from_str(&format!("{trimmed}-01"), "%Y-%m-%d")
        .map_err(|_| RuleError::BadMonth(text.to_string()))
}

/// What a user gives to add a person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPerson {
    /// Full name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Job or team; may be empty.
    pub role: String,
}

impl NewPerson {
    /// The person's name, email and role checked and trimmed.
    pub fn checked(&self) -> Result<NewPerson, RuleError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(RuleError::Blank("name"));
        }
        if self.email.trim().is_empty() {
            return Err(RuleError::Blank("email"));
        }
        Ok(NewPerson {
            name: name.to_string(),
            email: check_email(&self.email)?,
            role: self.role.trim().to_string(),
        })
    }
}

/// A normalised email address, or why it is not one: one `@`, something on each side, a dot
/// in the domain, no spaces.
pub fn check_email(text: &str) -> Result<String, RuleError> {
    let email = text.trim();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(email.to_string())
    } else {
        Err(RuleError::BadEmail(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn training_states_at_the_boundaries() {
        let as_of = day("2026-11-28");
        assert_eq!(training_state(None, as_of), TrainingState::Missing);
        assert_eq!(
            training_state(Some(day("2026-11-27")), as_of),
            TrainingState::Expired
        );
        assert_eq!(training_state(Some(as_of), as_of), TrainingState::Expiring);
        assert_eq!(
            training_state(Some(day("2026-12-28")), as_of),
            TrainingState::Expiring
        );
        assert_eq!(
            training_state(Some(day("2026-12-29")), as_of),
            TrainingState::Current
        );
        assert_eq!(training_expires_on(day("2025-11-28"), 365), as_of);
    }

    #[test]
    fn patch_states_at_the_deadline() {
        let released = day("2026-10-01");
        let deadline = patch_deadline(released, Severity::Critical.default_deadline_days());
        assert_eq!(deadline, day("2026-10-16"));
        assert_eq!(
            patch_state(deadline, Some(deadline), day("2026-11-28")),
            PatchState::OnTime
        );
        assert_eq!(
            patch_state(deadline, Some(day("2026-10-17")), day("2026-11-28")),
            PatchState::Late
        );
        assert_eq!(patch_state(deadline, None, deadline), PatchState::Open);
        assert_eq!(
            patch_state(deadline, None, day("2026-10-17")),
            PatchState::Overdue
        );
        assert_eq!(days_to_patch(released, Some(day("2026-10-11"))), Some(10));
        assert!(check_patch_dates(released, Some(day("2026-09-30"))).is_err());
    }

    #[test]
    fn default_deadlines_by_severity() {
        let days: Vec<u32> = Severity::ALL
            .iter()
            .map(|s| s.default_deadline_days())
            .collect();
        assert_eq!(days, [15, 30, 90, 180]);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("urgent".parse::<Severity>().is_err());
    }

    #[test]
    fn emails_and_months_are_checked() {
        assert_eq!(
            check_email(" ana@example.com "),
            Ok("ana@example.com".to_string())
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a b@example.com",
            "a@b@c.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(parse_month("2026-10"), Ok(day("2026-10-01")));
        for bad in ["2026-13", "2026-1", "october", "2026-10-01"] {
            assert!(parse_month(bad).is_err(), "{bad} should be refused");
        }
    }
}

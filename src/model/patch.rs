//! Patch deadlines: how many days a project gives each severity of advisory, and where a
//! patch stands against them on a date. Pure rules; the store keeps the days per project.

use chrono::NaiveDate;
use serde::Serialize;

use super::{PatchState, Severity, days_to_patch, patch_deadline, patch_state};

/// Days from release to deadline, by severity, for one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PatchDeadlines {
    /// Days for critical advisories.
    pub critical: u32,
    /// Days for high advisories.
    pub high: u32,
    /// Days for medium advisories.
    pub medium: u32,
    /// Days for low advisories.
    pub low: u32,
}

impl Default for PatchDeadlines {
    fn default() -> Self {
        PatchDeadlines {
            critical: Severity::Critical.default_deadline_days(),
            high: Severity::High.default_deadline_days(),
            medium: Severity::Medium.default_deadline_days(),
            low: Severity::Low.default_deadline_days(),
        }
    }
}

impl PatchDeadlines {
    /// Days from release to deadline for a severity.
    pub fn days(&self, severity: Severity) -> u32 {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }

    /// The same deadlines with one severity's days changed.
    pub fn with(mut self, severity: Severity, days: u32) -> Self {
        match severity {
            Severity::Critical => self.critical = days,
            Severity::High => self.high = days,
            Severity::Medium => self.medium = days,
            Severity::Low => self.low = days,
        }
        self
    }

    /// The deadline of an advisory of this severity released on `released_on`.
    pub fn deadline(&self, severity: Severity, released_on: NaiveDate) -> NaiveDate {
        patch_deadline(released_on, self.days(severity))
    }
}

/// A patch judged against deadlines on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JudgedPatch {
    /// The last day it is on time.
    pub deadline: NaiveDate,
    /// Days from release to application, for applied patches.
    pub days_to_patch: Option<i64>,
    /// Where it stands on the date asked for.
    pub state: PatchState,
}

impl PatchDeadlines {
    /// Judges an advisory of `severity` released on `released_on`, and applied on
    /// `applied_on` if it was, as it stands on `as_of`.
    pub fn judge(
        &self,
        severity: Severity,
        released_on: NaiveDate,
        applied_on: Option<NaiveDate>,
        as_of: NaiveDate,
    ) -> JudgedPatch {
        let deadline = self.deadline(severity, released_on);
        JudgedPatch {
            deadline,
            days_to_patch: days_to_patch(released_on, applied_on),
            state: patch_state(deadline, applied_on, as_of),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_project_deadline_replaces_the_default_for_its_severity_only() {
        let deadlines = PatchDeadlines::default().with(Severity::High, 7);
        assert_eq!(deadlines.days(Severity::High), 7);
        assert_eq!(
            deadlines.days(Severity::Low),
            Severity::Low.default_deadline_days()
        );
        assert_eq!(
            deadlines.deadline(Severity::High, day("2026-11-01")),
            patch_deadline(day("2026-11-01"), 7)
        );
    }

    #[test]
    fn an_applied_patch_counts_its_days_and_an_open_one_has_none() {
        let deadlines = PatchDeadlines::default();
        let applied = deadlines.judge(
            Severity::Critical,
            day("2026-11-01"),
            Some(day("2026-11-04")),
            day("2026-11-28"),
        );
        assert_eq!(applied.days_to_patch, Some(3));
        let open = deadlines.judge(
            Severity::Critical,
            day("2026-11-01"),
            None,
            day("2026-11-28"),
        );
        assert_eq!(open.days_to_patch, None);
        assert_eq!(open.deadline, applied.deadline);
    }
}

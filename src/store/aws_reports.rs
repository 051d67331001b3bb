//! AWS's own reports, kept once per workspace: adding one (its file and bridge letter are
//! the vault's business), removing one as a tombstone, listing, and the coverage of a
//! project's audit period.
//!
//! Reports serve every project, so their rows and activity carry no project. Coverage is
//! computed by [`crate::model::coverage`] from the current reports read here in one snapshot.

use super::db::{OptionalExtension, Row, params};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::write::{Change, Logged};
use super::{Result, Store, StoreError};
use crate::model::{
    Action, AwsReportDetail, Coverage, DateRange, ReportKind, ReportSpan, RuleError,
    check_report_dates, coverage,
};

/// A file stored in the vault for a report: its SHA-256 and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportFile {
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// The file's name when added.
    pub file_name: String,
}

/// What is recorded when a report is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAwsReport {
    /// Its kind.
    pub kind: ReportKind,
    /// Its title, e.g. "AWS SOC 2 Type II, Oct 2026 – Sep 2027".
    pub title: String,
    /// The period it reports on: first day.
    pub period_start: Option<NaiveDate>,
    /// The period it reports on: last day.
    pub period_end: Option<NaiveDate>,
    /// The last day it counts (certificates).
    pub valid_until: Option<NaiveDate>,
    /// Services in its scope, lowercase ids; empty when not stated.
    pub services: Vec<String>,
    /// The last day its bridge letter vouches for, when it has one.
    pub bridge_until: Option<NaiveDate>,
}

/// One of AWS's reports as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwsReport {
    /// Its id.
    pub id: i64,
    /// Its kind.
    pub kind: ReportKind,
    /// Its title.
    pub title: String,
    /// The report file.
    pub file_name: String,
    /// Bytes.
    pub size_bytes: u64,
    /// SHA-256 of the report file.
    pub sha256: String,
    /// The period's first day.
    pub period_start: Option<NaiveDate>,
    /// The period's last day.
    pub period_end: Option<NaiveDate>,
    /// The last day it counts.
    pub valid_until: Option<NaiveDate>,
    /// Services in its scope.
    pub services: Vec<String>,
    /// The bridge letter's file.
    pub bridge_letter: Option<ReportFile>,
    /// The last day the bridge letter vouches for.
    pub bridge_until: Option<NaiveDate>,
    /// Who added it.
    pub added_by: String,
    /// When; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    pub added_at: DateTime<Utc>,
    /// Whether it was removed.
    pub removed: bool,
    /// When it was removed.
    #[serde(serialize_with = "crate::model::stamped::option")]
    pub removed_at: Option<DateTime<Utc>>,
    /// Who removed it.
    pub removed_by: Option<String>,
    /// Why.
    pub removed_reason: Option<String>,
}

impl AwsReport {
    /// What coverage needs of it.
    pub fn span(&self) -> ReportSpan {
        ReportSpan {
            id: self.id,
            title: self.title.clone(),
            period: match (self.period_start, self.period_end) {
                (Some(from), Some(to)) => Some(DateRange { from, to }),
                _ => None,
            },
            bridge_until: self.bridge_until,
            services: self.services.clone(),
        }
    }
}

/// A project's coverage by AWS's reports, or why there is none to compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectCoverage {
    /// The project has no audit period to cover.
    NoPeriod,
    /// The coverage of its audit period.
    Period(Coverage),
}

const REPORT_COLUMNS: &str = "id, kind, title, file_name, size_bytes, sha256, period_start,
    period_end, valid_until, services, bridge_sha256, bridge_name, bridge_until, added_by,
    added_at, removed_at, removed_by, removed_reason";

fn report_from_row(row: &Row<'_>) -> super::db::Result<AwsReport> {
    let bad = |index: usize, what: String| {
        super::db::Error::FromSqlConversionFailure(index, super::db::Type::Text, what.into())
    };
    let date = |index: usize| -> super::db::Result<Option<NaiveDate>> {
        row.get::<_, Option<String>>(index)?
            .map(|text| {
                text.parse::<NaiveDate>()
                    .map_err(|_| bad(index, format!("date '{text}'")))
            })
            .transpose()
    };
    let kind: String = row.get(1)?;
    let services: String = row.get(9)?;
    let bridge_sha256: Option<String> = row.get(10)?;
    let removed_at: Option<DateTime<Utc>> = row.get(15)?;
    Ok(AwsReport {
        id: row.get(0)?,
        kind: kind
            .parse()
            .map_err(|_| bad(1, format!("report kind '{kind}'")))?,
        title: row.get(2)?,
        file_name: row.get(3)?,
        size_bytes: row.get::<_, i64>(4)?.max(0) as u64,
        sha256: row.get(5)?,
        period_start: date(6)?,
        period_end: date(7)?,
        valid_until: date(8)?,
        services: crate::model::parse_services(&services),
        bridge_letter: match bridge_sha256 {
            Some(sha256) => Some(ReportFile {
                sha256,
                file_name: row.get::<_, Option<String>>(11)?.unwrap_or_default(),
            }),
            None => None,
        },
        bridge_until: date(12)?,
        added_by: row.get(13)?,
        added_at: row.get(14)?,
        removed: removed_at.is_some(),
        removed_at,
        removed_by: row.get(16)?,
        removed_reason: row.get(17)?,
    })
}

impl Store {
    /// Checks a report's title and dates before any file is read.
    pub fn check_aws_report(&self, new: &NewAwsReport, has_bridge_letter: bool) -> Result<()> {
        if new.title.trim().is_empty() {
            return Err(RuleError::Blank("report title").into());
        }
        if has_bridge_letter != new.bridge_until.is_some() {
            return Err(crate::model::ReportError::HalfBridge.into());
        }
        check_report_dates((new.period_start, new.period_end), new.bridge_until)?;
        Ok(())
    }

    /// Records a report whose file (and bridge letter, when given) are staged in the vault.
    pub fn add_aws_report(
        &mut self,
        new: &NewAwsReport,
        file: &ReportFile,
        size_bytes: u64,
        bridge_letter: Option<&ReportFile>,
    ) -> Result<AwsReport> {
        self.check_aws_report(new, bridge_letter.is_some())?;
        let id = self.write(|tx| {
            tx.execute(
                "INSERT INTO aws_reports (kind, title, file_name, size_bytes, sha256, period_start,
                    period_end, valid_until, services, bridge_sha256, bridge_name, bridge_until,
                    added_by, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    new.kind.as_str(),
                    new.title.trim(),
                    file.file_name,
                    i64::try_from(size_bytes).unwrap_or(i64::MAX),
                    file.sha256,
                    new.period_start.map(|d| d.to_string()),
                    new.period_end.map(|d| d.to_string()),
                    new.valid_until.map(|d| d.to_string()),
                    new.services.join(","),
                    bridge_letter.map(|b| b.sha256.as_str()),
                    bridge_letter.map(|b| b.file_name.as_str()),
                    new.bridge_until.map(|d| d.to_string()),
                    tx.actor,
                    tx.at,
                ],
            )?;
            let id = tx.last_insert_rowid()?;
            let action = Action::AwsReportAdd(Box::new(AwsReportDetail {
                report_id: id,
                kind: new.kind.as_str().to_string(),
                title: new.title.trim().to_string(),
                file_name: file.file_name.clone(),
                sha256: file.sha256.clone(),
                period_start: new.period_start,
                period_end: new.period_end,
                valid_until: new.valid_until,
                services: new.services.clone(),
                bridge_sha256: bridge_letter.map(|b| b.sha256.clone()),
                bridge_until: new.bridge_until,
            }));
            Ok(Change::Made(
                id,
                Logged::new(None, format!("aws-report {id}"), action),
            ))
        })?;
        self.aws_report(id)
    }

    /// Removes a report: the row stays as a tombstone with the reason, and its files stay in
    /// the vault.
    pub fn remove_aws_report(&mut self, id: i64, reason: &str) -> Result<AwsReport> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(RuleError::Blank("reason for removing the report").into());
        }
        self.write(|tx| {
            let report = tx.store.aws_report(id)?;
            if report.removed {
                return Err(StoreError::AwsReportRemoved(id));
            }
            tx.execute(
                "UPDATE aws_reports SET removed_at = ?1, removed_by = ?2, removed_reason = ?3
                 WHERE id = ?4 AND removed_at IS NULL",
                params![tx.at, tx.actor, reason, id],
            )?;
            let action = Action::AwsReportRemove {
                report_id: id,
                title: report.title,
                reason: reason.to_string(),
            };
            Ok(Change::Made(
                (),
                Logged::new(None, format!("aws-report {id}"), action),
            ))
        })?;
        self.aws_report(id)
    }

    /// One report, removed or not.
    pub fn aws_report(&self, id: i64) -> Result<AwsReport> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {REPORT_COLUMNS} FROM aws_reports WHERE id = ?1"
            ))?
            .query_row(params![id], report_from_row)
            .optional()?
            .ok_or(StoreError::UnknownAwsReport(id))
    }

    /// Every report, removed included, oldest first.
    pub fn aws_reports(&self) -> Result<Vec<AwsReport>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {REPORT_COLUMNS} FROM aws_reports ORDER BY id"
        ))?;
        let rows = stmt.query_map([], report_from_row)?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// How the current reports cover a project's audit period, and which of its services a
    /// report's scope lacks.
    pub fn coverage(&self, project: i64) -> Result<ProjectCoverage> {
        self.read(|store| {
            let project = store.project(project)?;
            let (Some(from), Some(to)) = (project.period_start, project.period_end) else {
                return Ok(ProjectCoverage::NoPeriod);
            };
            let spans: Vec<ReportSpan> = store
                .aws_reports()?
                .iter()
                .filter(|r| !r.removed)
                .map(AwsReport::span)
                .collect();
            Ok(ProjectCoverage::Period(coverage(
                DateRange { from, to },
                &spans,
                &project.services,
            )))
        })
    }
}

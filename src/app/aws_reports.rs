//! The window's side of AWS's own reports: the add form, adding a report as a background job
//! (its files are read into the vault), removing one, and what coverage puts on the
//! dashboard and the board.

use std::path::PathBuf;

use super::jobs::{Job, JobKind, JobOutcome, Repaint, open_for_job};
use super::{App, AttentionItem, Concern, Level, Target};
use crate::model::{Column, Control, DateRange, ReportKind, parse_optional_date, parse_services};
use crate::store::{AwsReport, Clock, CuecLine, NewAwsReport, ProjectCoverage};
use crate::vault::VaultError;
use crate::workspace::{WorkspaceError, add_aws_report};

/// The AWS reports view's add form, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsReportForm {
    /// The kind chosen.
    pub kind: ReportKind,
    /// The title.
    pub title: String,
    /// Period start, `YYYY-MM-DD` or empty.
    pub period_start: String,
    /// Period end, `YYYY-MM-DD` or empty.
    pub period_end: String,
    /// Valid until, `YYYY-MM-DD` or empty.
    pub valid_until: String,
    /// Services in its scope, separated by commas or spaces.
    pub services: String,
    /// The report file chosen.
    pub file: Option<PathBuf>,
    /// The bridge letter chosen.
    pub bridge_letter: Option<PathBuf>,
    /// The bridge letter's last day, `YYYY-MM-DD` or empty.
    pub bridge_until: String,
    /// Why a report is being removed.
    pub remove_reason: String,
}

impl Default for AwsReportForm {
    fn default() -> Self {
        AwsReportForm {
            kind: ReportKind::Soc2Type2,
            title: String::new(),
            period_start: String::new(),
            period_end: String::new(),
            valid_until: String::new(),
            services: String::new(),
            file: None,
            bridge_letter: None,
            bridge_until: String::new(),
            remove_reason: String::new(),
        }
    }
}

impl AwsReportForm {
    /// The request the form describes, or why it cannot be made.
    fn request(&self) -> Result<NewAwsReport, String> {
        let date = |text: &str| parse_optional_date(text).map_err(|e| e.to_string());
        Ok(NewAwsReport {
            kind: self.kind,
            title: self.title.clone(),
            period_start: date(&self.period_start)?,
            period_end: date(&self.period_end)?,
            valid_until: date(&self.valid_until)?,
            services: parse_services(&self.services),
            bridge_until: date(&self.bridge_until)?,
        })
    }
}

/// Whether a control's AWS side relies on AWS's reports: AWS-column controls and the AWS
/// part of shared ones.
pub fn relies_on_aws_reports(control: &Control) -> bool {
    !control.retired && matches!(control.column, Column::Aws | Column::Shared)
}

/// What coverage puts under "Needs attention": each gap and each missing service.
pub fn coverage_attention(coverage: Option<&ProjectCoverage>) -> Vec<AttentionItem> {
    let Some(ProjectCoverage::Period(coverage)) = coverage else {
        return Vec::new();
    };
    let gaps = coverage.gaps.iter().map(|gap| {
        format!(
            "No AWS report covers {gap} ({} days of the audit period)",
            gap.days()
        )
    });
    let missing = coverage.missing_services.iter().map(|m| {
        format!(
            "{} is not in the scope of AWS report '{}'",
            m.service, m.title
        )
    });
    gaps.chain(missing)
        .map(|text| AttentionItem {
            concern: Concern::AwsCoverage,
            text,
            target: Target::AwsReports,
        })
        .collect()
}

/// What the CUEC table puts under "Needs attention": each CUEC no control carries out.
pub fn cuec_attention(cuecs: &[CuecLine]) -> Vec<AttentionItem> {
    cuecs
        .iter()
        .filter(|line| line.controls.is_empty())
        .map(|line| AttentionItem {
            concern: Concern::UnmappedCuec,
            text: format!("CUEC {}: {}", line.cuec.id, line.cuec.text),
            target: Target::AwsReports,
        })
        .collect()
}

/// How much of the project's audit period one report vouches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportCover {
    /// All of it, or the project has no period to measure (a report without a period, such
    /// as a certificate, counts as covering).
    Whole,
    /// Only these days of it.
    Part(DateRange),
    /// None of it: the report is removed, or its dates fall outside the period.
    Nothing,
}

/// How much of the audit period `report` (with its bridge letter) covers.
pub fn report_cover(report: &AwsReport, coverage: Option<&ProjectCoverage>) -> ReportCover {
    if report.removed {
        return ReportCover::Nothing;
    }
    let Some(ProjectCoverage::Period(coverage)) = coverage else {
        return ReportCover::Whole;
    };
    let span = report.span();
    if span.span().is_none() {
        return if report.period_start.is_none() {
            ReportCover::Whole
        } else {
            ReportCover::Nothing
        };
    }
    match span.part_of(coverage.period) {
        Some(part) if part == coverage.period => ReportCover::Whole,
        Some(part) => ReportCover::Part(part),
        None => ReportCover::Nothing,
    }
}

/// The reports whose period (with its bridge letter) reaches into the project's audit
/// period, or that have no period: those that back the AWS column.
pub fn covering_reports<'a>(
    reports: &'a [AwsReport],
    coverage: Option<&ProjectCoverage>,
) -> Vec<&'a AwsReport> {
    reports
        .iter()
        .filter(|r| report_cover(r, coverage) != ReportCover::Nothing)
        .collect()
}

impl App {
    /// Adds the report the form describes, reading its files in the background.
    pub(super) fn add_aws_report(&mut self) {
        let form = self.state.views.aws_reports.clone();
        let request = match form.request() {
            Ok(request) => request,
            Err(error) => {
                self.notify(Level::Error, format!("Not added: {error}"));
                return;
            }
        };
        let Some(file) = form.file else {
            self.notify(
                Level::Error,
                "Not added: choose the report file first.".to_string(),
            );
            return;
        };
        if let Some(store) = self.store.as_ref()
            && let Err(error) = store.check_aws_report(&request, form.bridge_letter.is_some())
        {
            self.notify(Level::Error, format!("Not added: {error:#}"));
            return;
        }
        let bridge = form.bridge_letter;
        self.start_job(JobKind::AddAwsReport, |dir, clock, repaint| {
            add_report_job(dir, clock, request, file, bridge, repaint)
        });
    }

    /// Takes in a report added by the background job.
    pub(super) fn aws_report_added(&mut self, report: &AwsReport) {
        self.state.views.aws_reports = AwsReportForm::default();
        self.refresh();
        self.notify(
            Level::Info,
            format!(
                "Added AWS report {}: {} ({}).",
                report.id,
                report.title,
                report.kind.label()
            ),
        );
    }

    /// Removes a report (a tombstone) with the reason typed in the view.
    pub(super) fn remove_aws_report(&mut self, id: i64, reason: &str) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        match store.remove_aws_report(id, reason) {
            Ok(report) => {
                self.state.views.aws_reports.remove_reason.clear();
                self.refresh();
                self.notify(
                    Level::Info,
                    format!(
                        "Removed AWS report {} ({}); its files stay in the vault.",
                        report.id, report.title
                    ),
                );
            }
            Err(error) => self.notify(Level::Error, format!("Not removed: {error:#}")),
        }
    }
}

impl App {
    /// Imports the CUECs a report lists from a picked CSV file; a short file, read at once.
    pub(super) fn import_cuecs(&mut self, report_id: i64, path: &std::path::Path) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        let name = super::escape_name(
            &path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
        );
        match store.import_cuecs(report_id, path) {
            Ok(report) => {
                self.refresh();
                self.notify(
                    Level::Info,
                    format!(
                        "Imported {} CUECs of {} rows from {name}.",
                        report.imported, report.rows
                    ),
                );
                for problem in report.refused {
                    self.notify(Level::Error, format!("Not imported: {problem}"));
                }
            }
            Err(error) => self.notify(Level::Error, format!("Not imported: {error:#}")),
        }
    }

    /// Maps a CUEC to a control of the project by hand, or unmaps it.
    pub(super) fn map_cuec(&mut self, cuec: i64, control: &str, mapped: bool) {
        let (Some(store), Some(project)) =
            (self.store.as_mut(), self.state.records.project.as_ref())
        else {
            return;
        };
        match store.map_cuec(project.key, cuec, control, mapped) {
            Ok(_) => self.refresh(),
            Err(error) => self.notify(Level::Error, format!("Not mapped: {error:#}")),
        }
    }
}

fn add_report_job(
    dir: PathBuf,
    clock: Clock,
    request: NewAwsReport,
    file: PathBuf,
    bridge: Option<PathBuf>,
    repaint: Repaint,
) -> Result<Job, String> {
    Job::spawn(JobKind::AddAwsReport, repaint, move |_, cancel| {
        let added = (|| -> Result<AwsReport, WorkspaceError> {
            let (mut store, vault) = open_for_job(&dir, clock)?;
            add_aws_report(
                &mut store,
                &vault,
                &request,
                &file,
                bridge.as_deref(),
                cancel,
            )
        })();
        match added {
            Ok(report) => JobOutcome::AwsReportAdded(Box::new(report)),
            Err(WorkspaceError::Vault(VaultError::Cancelled)) => JobOutcome::Cancelled,
            Err(error) => JobOutcome::Failed(format!("Not added: {error:#}")),
        }
    })
}

//! The Findings view's model: the findings of AWS's tools as the window shows them, sorted
//! and filtered, the selected finding with the deviation and milestone being written for
//! it, and the commands that import exports, ask for deviations, plan milestones, record
//! a person's evaluation and write the POA&M.
//!
//! Tens of thousands of findings are not sorted every frame: the rows shown are computed
//! once, when the list, the sort or the filter changes ([`App::sync_findings`]), and the
//! view draws only the rows in sight from that cached order.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::jobs::{Job, JobKind, JobOutcome, open_for_job, set_progress};
use super::{App, Level, PickMode, PickPurpose, PickRequest};
use crate::export_oscal::poam::{ReportPeriod, documents, read_snapshot};
use crate::export_oscal::write_files;
use crate::model::{DeviationKind, FindingSeverity, FindingSource, FindingState};
use crate::store::{Finding, FindingFacts, FindingImport, NewDeviation};
use crate::workspace::import_findings;

/// The columns the findings table sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FindingSort {
    /// Its number (`F-2` before `F-10`).
    Id,
    /// The tool.
    Source,
    /// The resource.
    Asset,
    /// The vulnerability or check.
    Vulnerability,
    /// Its severity, most urgent first.
    #[default]
    Severity,
    /// When it was first seen.
    FirstSeen,
    /// Its deadline, none last.
    Deadline,
    /// Its state.
    State,
    /// Its deviation.
    Deviation,
}

/// Which findings the table shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingFilter {
    /// Only open and late ones.
    pub open_only: bool,
    /// Only this severity.
    pub severity: Option<FindingSeverity>,
    /// Only this tool's.
    pub source: Option<FindingSource>,
    /// Only those whose id, resource, vulnerability, check or title contain this
    /// (ignoring case).
    pub text: String,
}

impl Default for FindingFilter {
    fn default() -> Self {
        FindingFilter {
            open_only: true,
            severity: None,
            source: None,
            text: String::new(),
        }
    }
}

impl FindingFilter {
    fn keeps(&self, finding: &Finding, text: &str) -> bool {
        (!self.open_only || finding.state.is_open())
            && self
                .severity
                .is_none_or(|s| finding.effective_severity == s)
            && self.source.is_none_or(|s| finding.source == s)
            && (text.is_empty()
                || [
                    finding.id.as_str(),
                    finding.resource.as_str(),
                    finding.vulnerability.as_str(),
                    finding.check.as_str(),
                    finding.title.as_str(),
                    finding.package.as_str(),
                ]
                .iter()
                .any(|field| field.to_lowercase().contains(text)))
    }
}

/// The deviation being written for the selected finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviationDraft {
    /// What kind.
    pub kind: DeviationKind,
    /// Why.
    pub rationale: String,
    /// The severity a risk adjustment asks for.
    pub adjusted: FindingSeverity,
}

impl Default for DeviationDraft {
    fn default() -> Self {
        DeviationDraft {
            kind: DeviationKind::FalsePositive,
            rationale: String::new(),
            adjusted: FindingSeverity::Low,
        }
    }
}

/// The milestone being written for the selected finding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MilestoneDraft {
    /// When it is due, as typed (`YYYY-MM-DD`).
    pub due: String,
    /// What it is.
    pub text: String,
}

/// The Findings view's state: filter, sort, the cached rows, the selected finding and its
/// drafts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingsView {
    /// Which findings are shown.
    pub filter: FindingFilter,
    /// The sort column and whether it is descending.
    pub sort: (FindingSort, bool),
    /// Indices into [`super::AppState::findings`] of the rows shown, in order.
    pub rows: Vec<usize>,
    rows_for: Option<(FindingFilter, (FindingSort, bool))>,
    /// The selected finding's id (`F-12`): the detail pane shows it.
    pub selected: Option<String>,
    /// The deviation being written.
    pub deviation: DeviationDraft,
    /// The milestone being written.
    pub milestone: MilestoneDraft,
    /// How many findings are open, late, and open with a deviation awaiting sign-off;
    /// counted when the list is read, not every frame.
    pub counts: FindingCounts,
}

/// The Findings view's summary counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FindingCounts {
    /// Open or late.
    pub open: usize,
    /// Past their deadline.
    pub late: usize,
    /// Open, with a deviation asked for and not signed off.
    pub awaiting_signoff: usize,
}

impl FindingCounts {
    fn of(findings: &[Finding]) -> Self {
        let mut counts = FindingCounts::default();
        for f in findings.iter().filter(|f| f.is_open()) {
            counts.open += 1;
            counts.late += usize::from(f.state == FindingState::Late);
            counts.awaiting_signoff += usize::from(
                f.deviation
                    .as_ref()
                    .is_some_and(|d| d.state == crate::model::DeviationState::Requested),
            );
        }
        counts
    }
}

/// Orders and filters the findings: the indices of those shown.
pub fn finding_rows(
    findings: &[Finding],
    filter: &FindingFilter,
    (by, descending): (FindingSort, bool),
) -> Vec<usize> {
    let text = filter.text.trim().to_lowercase();
    let mut rows: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| filter.keeps(f, &text))
        .map(|(n, _)| n)
        .collect();
    let deviation = |f: &Finding| {
        f.deviation
            .as_ref()
            .map(|d| (d.kind.as_str(), d.state.as_str()))
    };
    rows.sort_by(|a, b| {
        let (a, b) = (&findings[*a], &findings[*b]);
        let order = match by {
            FindingSort::Id => a.key.cmp(&b.key),
            FindingSort::Source => a.source.cmp(&b.source),
            FindingSort::Asset => a.resource.cmp(&b.resource),
            FindingSort::Vulnerability => {
                (&a.vulnerability, &a.check).cmp(&(&b.vulnerability, &b.check))
            }
            FindingSort::Severity => a.effective_severity.cmp(&b.effective_severity),
            FindingSort::FirstSeen => a.first_seen.cmp(&b.first_seen),
            FindingSort::Deadline => {
                (a.deadline.is_none(), a.deadline).cmp(&(b.deadline.is_none(), b.deadline))
            }
            FindingSort::State => state_rank(a.state).cmp(&state_rank(b.state)),
            FindingSort::Deviation => deviation(a).cmp(&deviation(b)),
        }
        .then_with(|| a.key.cmp(&b.key));
        if descending { order.reverse() } else { order }
    });
    rows
}

/// Late first, then open, false positives, closed.
fn state_rank(state: FindingState) -> u8 {
    match state {
        FindingState::Late => 0,
        FindingState::Open => 1,
        FindingState::FalsePositive => 2,
        FindingState::Closed => 3,
    }
}

impl App {
    /// Recomputes the Findings view's rows if the filter or sort changed since. Called once
    /// per frame before drawing; cheap when nothing changed.
    pub fn sync_findings(&mut self) {
        let view = &mut self.state.views.findings;
        let wanted = (view.filter.clone(), view.sort);
        if view.rows_for.as_ref() != Some(&wanted) {
            view.rows = finding_rows(&self.state.records.findings, &view.filter, view.sort);
            view.rows_for = Some(wanted);
        }
    }

    /// Takes in a fresh list of findings: rows and the selection follow it.
    pub(super) fn findings_loaded(&mut self, findings: Vec<Finding>) {
        let view = &mut self.state.views.findings;
        view.rows_for = None;
        view.counts = FindingCounts::of(&findings);
        if let Some(id) = &view.selected
            && !findings.iter().any(|f| &f.id == id)
        {
            view.selected = None;
        }
        self.state.records.findings = findings;
        self.sync_findings();
    }

    /// Selects a finding (or none), with fresh drafts.
    pub(super) fn select_finding(&mut self, id: Option<String>) {
        let view = &mut self.state.views.findings;
        if view.selected != id {
            view.deviation = DeviationDraft::default();
            view.milestone = MilestoneDraft::default();
        }
        view.selected = id;
    }

    /// Opens the file dialog for findings exports.
    pub(super) fn pick_findings_files(&mut self) {
        if self.state.records.project.is_some() {
            self.start_pick(
                PickPurpose::FindingsFiles,
                PickMode::Files,
                PickRequest::titled(
                    "Import findings exports of Amazon Inspector, Security Hub or Systems Manager",
                )
                .filter("Findings export", &["json", "jsonl", "ndjson", "csv"]),
            );
        }
    }

    /// Imports findings exports into the current project in the background, one
    /// transaction per file.
    pub(super) fn import_findings_files(&mut self, files: Vec<PathBuf>) {
        let Some(project) = self.state.records.project.as_ref().map(|p| p.key) else {
            return;
        };
        if files.is_empty() {
            return;
        }
        self.start_job(JobKind::ImportFindings, |dir, clock, repaint| {
            Job::spawn(JobKind::ImportFindings, repaint, move |progress, cancel| {
                let (mut store, vault) = match open_for_job(&dir, clock) {
                    Ok(opened) => opened,
                    Err(error) => return JobOutcome::Failed(format!("{error:#}")),
                };
                let mut imported = Vec::new();
                let mut failed = Vec::new();
                for path in &files {
                    if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_else(|| path.display().to_string());
                    let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
                    set_progress(progress, &name, 0, total, "bytes");
                    let result = import_findings(
                        &mut store,
                        &vault,
                        (project, false),
                        (path, None),
                        cancel,
                        &mut |done| set_progress(progress, &name, done, total, "bytes"),
                    );
                    match result {
                        Ok(report) => imported.push((name, report)),
                        Err(error) => failed.push(format!("{name}: {error:#}")),
                    }
                }
                let cancelled = cancel.load(std::sync::atomic::Ordering::Relaxed);
                JobOutcome::FindingsImported {
                    imported,
                    failed,
                    cancelled,
                }
            })
        });
    }

    /// Says what each import did, and what was refused.
    pub(super) fn findings_imported(
        &mut self,
        imported: &[(String, FindingImport)],
        failed: &[String],
        cancelled: bool,
    ) {
        self.refresh();
        for (name, report) in imported {
            let text = format!(
                "{name}: {} — {} new, {} updated, {} closed, {} reopened{}",
                report.format.map(|f| f.label()).unwrap_or("findings"),
                report.new,
                report.updated,
                report.closed,
                report.reopened,
                if report.refused.is_empty() {
                    ".".to_string()
                } else {
                    format!(
                        "; {} records refused (see Notifications).",
                        report.refused.len()
                    )
                }
            );
            let level = if report.refused.is_empty() {
                Level::Info
            } else {
                Level::Error
            };
            self.notify(level, text);
            for problem in report.refused.iter().take(20) {
                self.notify(Level::Error, format!("{name}: {problem}"));
            }
        }
        for problem in failed {
            self.notify(Level::Error, problem.clone());
        }
        if cancelled {
            self.notify(
                Level::Info,
                "Import cancelled: the files before it are in; the one being read left nothing behind."
                    .to_string(),
            );
        }
    }

    /// Asks for a deviation of a finding through the store.
    pub(super) fn request_finding_deviation(&mut self, id: &str, deviation: NewDeviation) {
        let (Some(store), Some(project)) =
            (self.store.as_mut(), self.state.records.project.as_ref())
        else {
            return;
        };
        match store.request_deviation(project.key, id, &deviation) {
            Ok(finding) => {
                self.refresh();
                self.state.views.findings.deviation = DeviationDraft::default();
                self.notify(
                    Level::Info,
                    format!(
                        "{}: {} asked for; it counts once signed off.",
                        finding.id,
                        deviation.kind.label().to_lowercase()
                    ),
                );
            }
            Err(error) => self.notify(Level::Error, format!("{error:#}")),
        }
    }

    /// Plans a milestone for a finding through the store.
    pub(super) fn add_finding_milestone(&mut self, id: &str, due: NaiveDate, text: &str) {
        let (Some(store), Some(project)) =
            (self.store.as_mut(), self.state.records.project.as_ref())
        else {
            return;
        };
        match store.add_milestone(project.key, id, due, text) {
            Ok(finding) => {
                self.refresh();
                self.state.views.findings.milestone = MilestoneDraft::default();
                self.notify(
                    Level::Info,
                    format!("{}: milestone planned for {due}.", finding.id),
                );
            }
            Err(error) => self.notify(Level::Error, format!("{error:#}")),
        }
    }

    /// Records a person's evaluation of a finding through the store.
    pub(super) fn set_finding_facts(&mut self, id: &str, facts: FindingFacts) {
        let (Some(store), Some(project)) =
            (self.store.as_mut(), self.state.records.project.as_ref())
        else {
            return;
        };
        match store.set_finding_facts(project.key, id, facts) {
            Ok(_) => self.refresh(),
            Err(error) => self.notify(Level::Error, format!("{error:#}")),
        }
    }

    /// Asks for the folder to write the POA&M files into.
    pub(super) fn pick_poam_folder(&mut self) {
        if self.state.records.project.is_none() {
            return;
        }
        self.start_pick(
            PickPurpose::PoamFolder,
            PickMode::Folder,
            PickRequest::titled("Choose a folder for the POA&M files"),
        );
    }

    /// Writes the POA&M files of the selected project into `folder` in the background,
    /// with the vulnerability detail report for last month when it can be written.
    pub(super) fn export_poam(&mut self, folder: PathBuf) {
        let Some(project) = self.state.records.project.as_ref().map(|p| p.key) else {
            return;
        };
        let period = ReportPeriod::last_month(self.state.session.today);
        self.start_job(JobKind::ExportPoam, |dir, clock, repaint| {
            Job::spawn(JobKind::ExportPoam, repaint, move |progress, _| {
                set_progress(progress, "Reading the project", 0, 0, "items");
                let written = open_for_job(&dir, clock)
                    .map_err(|e| format!("{e:#}"))
                    .and_then(|(store, _)| {
                        read_snapshot(&store, project).map_err(|e| format!("{e:#}"))
                    })
                    .and_then(|data| documents(&data, period).map_err(|e| format!("{e:#}")))
                    .and_then(|export| {
                        let files =
                            write_files(&folder, &export.files).map_err(|e| format!("{e:#}"))?;
                        if export.report.is_err() {
                            // An earlier report must not stand beside a POA&M it no longer
                            // matches.
                            let stale = folder.join(crate::export_oscal::poam::VDR_FILE);
                            if stale.is_file() {
                                std::fs::remove_file(&stale)
                                    .map_err(|e| format!("{}: {e}", stale.display()))?;
                            }
                        }
                        Ok((
                            files,
                            export.open,
                            export.closed,
                            export.report.err().map(|r| r.to_string()),
                        ))
                    });
                match written {
                    Ok((files, open, closed, refusal)) => JobOutcome::PoamExported {
                        files,
                        open,
                        closed,
                        refusal,
                    },
                    Err(error) => JobOutcome::Failed(format!("The POA&M was not written: {error}")),
                }
            })
        });
    }

    /// Says what the POA&M export wrote, with the folder to show.
    pub(super) fn poam_exported(
        &mut self,
        files: Vec<PathBuf>,
        (open, closed): (usize, usize),
        refusal: Option<String>,
    ) {
        let folder = files
            .first()
            .and_then(|f| f.parent())
            .map(|f| f.display().to_string())
            .unwrap_or_default();
        let names: Vec<String> = files
            .iter()
            .filter_map(|f| f.file_name())
            .map(|n| n.to_string_lossy().to_string())
            .collect();
        self.notify(
            Level::Info,
            format!(
                "POA&M written ({open} open, {closed} closed items): {} in {folder}",
                names.join(", ")
            ),
        );
        if let Some(note) = self.state.shell.notifications.last_mut() {
            note.file = files.into_iter().next();
        }
        if let Some(refusal) = refusal {
            self.notify(
                Level::Error,
                format!("The vulnerability detail report was not written: {refusal}"),
            );
        }
    }
}

//! The window's commands for people, training, assets, patches and sign-offs. Each calls
//! the same store or workspace function as the command line, then refreshes the state.
//! Whatever reads a file (a certificate, patch evidence, a CSV import) runs as a
//! background job, so the window keeps drawing.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::{App, ImportKind, Job, JobKind, Level};
use crate::import::ImportReport;
use crate::model::{AssetKind, ManagedBy, Severity, SignoffSubject, parse_optional_date};
use crate::store::{NewAsset, NewPatch, NewPerson, NewSignoff, NewTraining, PatchRecord};

/// The form of the training view: a completion to record, a person or a course to add.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrainingForm {
    /// The person's email.
    pub email: String,
    /// The course's name.
    pub course: String,
    /// Completed on, as typed (empty: today).
    pub completed_on: String,
    /// A certificate to keep in the vault.
    pub certificate: Option<PathBuf>,
    /// New person: name.
    pub person_name: String,
    /// New person: email.
    pub person_email: String,
    /// New person: role.
    pub person_role: String,
    /// New course: name.
    pub course_name: String,
    /// New course: recurrence in days, as typed.
    pub course_days: String,
}

/// The form of the patches view: an asset to add or a patch to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchForm {
    /// New asset: name.
    pub asset_name: String,
    /// New asset: kind.
    pub asset_kind: AssetKind,
    /// New asset: environment.
    pub asset_environment: String,
    /// New asset: who patches it.
    pub asset_managed_by: ManagedBy,
    /// Patch: the asset.
    pub asset: String,
    /// Patch: the advisory id.
    pub advisory: String,
    /// Patch: severity.
    pub severity: Severity,
    /// Patch: released on, as typed.
    pub released_on: String,
    /// Patch: applied on, as typed (empty while open).
    pub applied_on: String,
    /// Patch: evidence to keep in the vault.
    pub evidence: Option<PathBuf>,
    /// Sign-off: the month, `YYYY-MM`.
    pub month: String,
    /// Only records in this state.
    pub state_filter: Option<crate::model::PatchState>,
    /// The column the table is sorted by, and whether descending.
    pub sort: (PatchSort, bool),
}

/// How the patch table is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PatchSort {
    /// By asset name.
    Asset,
    /// By severity.
    Severity,
    /// By release date.
    #[default]
    Released,
    /// By deadline.
    Deadline,
    /// By state.
    State,
}

impl Default for PatchForm {
    fn default() -> Self {
        PatchForm {
            asset_name: String::new(),
            asset_kind: AssetKind::Instance,
            asset_environment: String::new(),
            asset_managed_by: ManagedBy::Customer,
            asset: String::new(),
            advisory: String::new(),
            severity: Severity::High,
            released_on: String::new(),
            applied_on: String::new(),
            evidence: None,
            month: String::new(),
            state_filter: None,
            sort: (PatchSort::Released, true),
        }
    }
}

/// A sign-off being written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignoffForm {
    /// Who signs.
    pub by: String,
    /// Their role.
    pub role: String,
    /// What they state.
    pub statement: String,
}

impl SignoffForm {
    /// The request for a subject.
    pub fn request(&self, subject: SignoffSubject) -> NewSignoff {
        NewSignoff {
            subject,
            by: self.by.clone(),
            role: self.role.clone(),
            statement: self.statement.clone(),
        }
    }
}

fn optional_date(text: &str) -> Result<Option<NaiveDate>, String> {
    parse_optional_date(text).map_err(|e| e.to_string())
}

impl App {
    /// Clears the completion form and says what was recorded, with or without a certificate.
    pub(super) fn training_recorded(&mut self, record: &crate::store::TrainingRecord) {
        self.state.views.training.certificate = None;
        self.state.views.training.completed_on.clear();
        self.refresh();
        self.notify(
            Level::Info,
            format!(
                "Recorded {} completing {} on {} (expires {}).",
                record.name, record.course, record.completed_on, record.expires_on
            ),
        );
    }

    pub(super) fn add_person(&mut self) {
        let form = &self.state.views.training;
        let request = NewPerson {
            name: form.person_name.clone(),
            email: form.person_email.clone(),
            role: form.person_role.clone(),
        };
        let Some(store) = self.store.as_mut() else {
            return;
        };
        match store.add_person(&request) {
            Ok(person) => {
                let form = &mut self.state.views.training;
                form.person_name.clear();
                form.person_email.clear();
                form.person_role.clear();
                self.refresh();
                self.notify(
                    Level::Info,
                    format!("Added {} <{}>.", person.name, person.email),
                );
            }
            Err(error) => self.notify(Level::Error, format!("{error:#}")),
        }
    }

    pub(super) fn add_course(&mut self) {
        let form = &self.state.views.training;
        let name = form.course_name.clone();
        let days = match form.course_days.trim().parse::<i64>() {
            Ok(days) => days,
            Err(_) => {
                self.notify(
                    Level::Error,
                    "Give the course's recurrence as a whole number of days, such as 365."
                        .to_string(),
                );
                return;
            }
        };
        let Some(store) = self.store.as_mut() else {
            return;
        };
        match store.add_course(&name, days) {
            Ok(course) => {
                self.state.views.training.course_name.clear();
                self.state.views.training.course_days.clear();
                self.refresh();
                self.notify(
                    Level::Info,
                    format!(
                        "Added the course {} (every {} days).",
                        course.name, course.every_days
                    ),
                );
            }
            Err(error) => self.notify(Level::Error, format!("{error:#}")),
        }
    }

    pub(super) fn record_training(&mut self) {
        let form = self.state.views.training.clone();
        let completed_on = match optional_date(&form.completed_on) {
            Ok(date) => date.unwrap_or(self.state.session.today),
            Err(error) => {
                self.notify(Level::Error, format!("Not recorded: {error}"));
                return;
            }
        };
        let request = NewTraining {
            email: form.email.clone(),
            course: form.course.clone(),
            completed_on,
            certificate: None,
        };
        if let Some(certificate) = form.certificate {
            self.start_job(JobKind::RecordTraining, |dir, clock, repaint| {
                Job::record_training(dir, clock, request, certificate, repaint)
            });
            return;
        }
        let Some(store) = self.store.as_mut() else {
            return;
        };
        match store.record_training(&request) {
            Ok(record) => self.training_recorded(&record),
            Err(error) => self.notify(Level::Error, format!("Not recorded: {error:#}")),
        }
    }

    pub(super) fn add_asset(&mut self) {
        let form = &self.state.views.patches;
        let request = NewAsset {
            name: form.asset_name.clone(),
            kind: form.asset_kind,
            environment: form.asset_environment.clone(),
            managed_by: form.asset_managed_by,
        };
        let (Some(store), Some(project)) =
            (self.store.as_mut(), self.state.records.project.as_ref())
        else {
            return;
        };
        match store.add_asset(project.key, &request) {
            Ok(asset) => {
                self.state.views.patches.asset_name.clear();
                self.state.views.patches.asset_environment.clear();
                self.state.views.patches.asset = asset.name.clone();
                self.refresh();
                self.notify(Level::Info, format!("Added the asset {}.", asset.name));
            }
            Err(error) => self.notify(Level::Error, format!("{error:#}")),
        }
    }

    pub(super) fn record_patch(&mut self) {
        let form = self.state.views.patches.clone();
        let released_on = match optional_date(&form.released_on) {
            Ok(Some(date)) => date,
            Ok(None) => {
                self.notify(
                    Level::Error,
                    "Not recorded: give the date the advisory was released.".to_string(),
                );
                return;
            }
            Err(error) => {
                self.notify(Level::Error, format!("Not recorded: {error}"));
                return;
            }
        };
        let applied_on = match optional_date(&form.applied_on) {
            Ok(date) => date,
            Err(error) => {
                self.notify(Level::Error, format!("Not recorded: {error}"));
                return;
            }
        };
        let Some(project) = self.state.records.project.as_ref().map(|p| p.key) else {
            return;
        };
        let request = NewPatch {
            asset: form.asset.clone(),
            advisory: form.advisory.clone(),
            severity: form.severity,
            released_on,
            applied_on,
            evidence: None,
        };
        if let Some(evidence) = form.evidence {
            self.start_job(JobKind::RecordPatch, |dir, clock, repaint| {
                Job::record_patch(dir, clock, project, request, evidence, repaint)
            });
            return;
        }
        let Some(store) = self.store.as_mut() else {
            return;
        };
        match store.record_patch(project, &request) {
            Ok((_, record)) => self.patch_recorded(&record),
            Err(error) => self.notify(Level::Error, format!("Not recorded: {error:#}")),
        }
    }

    /// Clears the patch form and says what was recorded.
    pub(super) fn patch_recorded(&mut self, record: &PatchRecord) {
        let form = &mut self.state.views.patches;
        form.advisory.clear();
        form.applied_on.clear();
        form.evidence = None;
        self.refresh();
        self.notify(
            Level::Info,
            format!(
                "Recorded {} on {}: {} (deadline {}).",
                record.advisory,
                record.asset,
                record.state.label(),
                record.deadline
            ),
        );
    }

    /// Imports a CSV file in the background; each refused row is reported when it ends.
    pub fn import_csv_file(&mut self, kind: ImportKind, path: PathBuf) {
        if self.store.is_none() {
            return;
        }
        let project = self.state.records.project.as_ref().map(|p| p.key);
        self.start_job(JobKind::Import, |dir, clock, repaint| {
            Job::import(dir, clock, kind, project, path, repaint)
        });
    }

    /// Says what an import stored and what it refused.
    pub(super) fn imported(&mut self, kind: ImportKind, name: &str, report: &ImportReport) {
        self.refresh();
        let level = if report.refused.is_empty() {
            Level::Info
        } else {
            Level::Error
        };
        let what = match kind {
            ImportKind::People => "people",
            ImportKind::Training => "training completions",
            ImportKind::Patches => "patch records",
            ImportKind::Crm => "the CRM",
        };
        self.notify(
            level,
            format!(
                "Imported {} of {} rows of {what} from {name}{}",
                report.imported,
                report.rows,
                if report.refused.is_empty() {
                    ".".to_string()
                } else {
                    format!("; {} refused (see Notifications).", report.refused.len())
                }
            ),
        );
        for problem in &report.refused {
            self.notify(Level::Error, problem.to_string());
        }
    }

    pub(super) fn sign_off(&mut self, request: NewSignoff) {
        let (Some(store), Some(project)) =
            (self.store.as_mut(), self.state.records.project.as_ref())
        else {
            return;
        };
        match store.add_signoff(project.key, &request) {
            Ok(signoff) => {
                self.state.views.signoff.statement.clear();
                self.refresh();
                self.refresh_selection(false);
                self.notify(
                    Level::Info,
                    format!("Signed off {} by {}.", signoff.subject, signoff.by),
                );
            }
            Err(error) => self.notify(Level::Error, format!("Not signed: {error:#}")),
        }
    }
}

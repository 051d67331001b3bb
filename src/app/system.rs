//! The System view's data and actions: what a FedRAMP plan still needs of the project, and
//! the forms that give it (the system's facts, its roles and users, the values of open
//! parameters, and the attached documents), each carried out through the store functions
//! the command line uses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::{App, Job, JobKind, JobOutcome, Level, PickMode, PickPurpose, PickRequest};
use crate::export_oscal::{Missing, OscalInput, missing, requirements};
use crate::model::{
    Attachment, AttachmentKind, RoleHolder, SystemFact, SystemFacts, SystemRole, SystemUser,
};
use crate::store::{ProjectParameter, StoreError};
use crate::workspace::{WorkspaceError, attach_document};

/// What the System view shows of the project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemPage {
    /// The system's facts given so far.
    pub facts: SystemFacts,
    /// Who holds each role.
    pub roles: Vec<RoleHolder>,
    /// The users described.
    pub users: Vec<SystemUser>,
    /// The documents attached, current ones only.
    pub attachments: Vec<Attachment>,
    /// The parameters still without a value.
    pub open_parameters: Vec<ProjectParameter>,
    /// The policy and procedure controls (each family's first) of the project, in board
    /// order.
    pub first_controls: Vec<String>,
    /// What the plan still leaves out, as `export-oscal` lists it.
    pub missing: Vec<Missing>,
}

/// The System view's forms, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemForm {
    /// Each fact as typed; a fact not here shows its stored value.
    pub facts: BTreeMap<SystemFact, String>,
    /// The new user's title.
    pub user_title: String,
    /// The roles ticked for the new user.
    pub user_roles: BTreeSet<String>,
    /// internal, external or general-public.
    pub user_type: String,
    /// privileged, non-privileged or no-logical-access.
    pub user_privilege: String,
    /// The sensitivity of the position.
    pub user_sensitivity: String,
    /// The functions it performs, one per line.
    pub user_functions: String,
    /// Values typed for open parameters, by id.
    pub parameters: BTreeMap<String, String>,
}

impl App {
    /// Reads what the System view shows for the project on the board.
    pub(super) fn load_system(&mut self) {
        let (Some(store), Some(project)) =
            (self.store.as_ref(), self.state.records.project.as_ref())
        else {
            return;
        };
        let key = project.key;
        let loaded = store.read(|store| {
            let input = OscalInput::read(store, key)?;
            let needs = missing(&input, &requirements(&input));
            let parameters = store.project_parameters(key)?;
            Ok(SystemPage {
                facts: store.system_facts(key)?,
                roles: store.system_roles(key)?,
                users: store.system_users(key)?,
                attachments: store
                    .attachments(key)?
                    .into_iter()
                    .filter(|a| a.removed_at.is_none())
                    .collect(),
                open_parameters: parameters.into_iter().filter(|p| p.missing).collect(),
                first_controls: store
                    .controls(key)?
                    .into_iter()
                    .filter(|c| !c.retired && c.framework.is_some())
                    .filter(|c| c.id.ends_with("-1") && !c.id.contains('('))
                    .map(|c| c.id)
                    .collect(),
                missing: needs,
            })
        });
        match loaded {
            Ok(page) => self.state.records.system = page,
            Err(error) => self.notify(
                Level::Error,
                format!("Could not read the system's facts: {error:#}"),
            ),
        }
    }

    /// Saves the facts typed in the System view.
    pub(super) fn save_system_facts(&mut self) {
        let given: Vec<(SystemFact, String)> = self
            .state
            .views
            .system
            .facts
            .iter()
            .map(|(fact, value)| (*fact, value.clone()))
            .collect();
        let Some(project) = self.state.records.project.as_ref().map(|p| p.key) else {
            return;
        };
        let Some(store) = self.store.as_mut() else {
            return;
        };
        if given.is_empty() {
            self.notify(Level::Info, "No fact was changed.".to_string());
            return;
        }
        match store.set_system_facts(project, &given) {
            Ok(_) => {
                self.state.views.system.facts.clear();
                self.refresh();
                self.notify(Level::Info, "Saved the system's facts.".to_string());
            }
            Err(error) => self.notify(Level::Error, format!("Not saved: {error:#}")),
        }
    }

    /// Gives a role of the system to the person with `email`.
    pub(super) fn assign_system_role(&mut self, role: SystemRole, email: &str) {
        let Some(project) = self.state.records.project.as_ref().map(|p| p.key) else {
            return;
        };
        let Some(store) = self.store.as_mut() else {
            return;
        };
        match store.assign_role(project, role, email) {
            Ok(holder) => {
                self.refresh();
                self.notify(
                    Level::Info,
                    format!("{} is now {}.", holder.name, role.title()),
                );
            }
            Err(error) => self.notify(Level::Error, format!("Not assigned: {error:#}")),
        }
    }

    /// Describes the user typed in the System view.
    pub(super) fn save_system_user(&mut self) {
        let form = &self.state.views.system;
        let roles: Vec<String> = form.user_roles.iter().cloned().collect();
        let functions: Vec<String> = form.user_functions.lines().map(str::to_string).collect();
        let user = match SystemUser::checked(
            &form.user_title,
            &roles,
            &form.user_type,
            &form.user_privilege,
            &form.user_sensitivity,
            &functions,
        ) {
            Ok(user) => user,
            Err(why) => {
                self.notify(Level::Error, format!("Not saved: {why}."));
                return;
            }
        };
        let Some(project) = self.state.records.project.as_ref().map(|p| p.key) else {
            return;
        };
        let Some(store) = self.store.as_mut() else {
            return;
        };
        match store.set_system_user(project, &user) {
            Ok(user) => {
                self.state.views.system = SystemForm {
                    facts: std::mem::take(&mut self.state.views.system.facts),
                    parameters: std::mem::take(&mut self.state.views.system.parameters),
                    ..SystemForm::default()
                };
                self.refresh();
                self.notify(Level::Info, format!("Saved the user {}.", user.title));
            }
            Err(error) => self.notify(Level::Error, format!("Not saved: {error:#}")),
        }
    }

    /// Removes a described user.
    pub(super) fn remove_system_user(&mut self, title: &str) {
        let Some(project) = self.state.records.project.as_ref().map(|p| p.key) else {
            return;
        };
        let Some(store) = self.store.as_mut() else {
            return;
        };
        match store.remove_system_user(project, title) {
            Ok(user) => {
                self.refresh();
                self.notify(Level::Info, format!("Removed the user {}.", user.title));
            }
            Err(error) => self.notify(Level::Error, format!("Not removed: {error:#}")),
        }
    }

    /// Saves the value typed for a parameter.
    pub(super) fn save_parameter(&mut self, id: &str) {
        let value = self
            .state
            .views
            .system
            .parameters
            .get(id)
            .cloned()
            .unwrap_or_default();
        let Some(project) = self.state.records.project.as_ref().map(|p| p.key) else {
            return;
        };
        let Some(store) = self.store.as_mut() else {
            return;
        };
        if value.trim().is_empty() {
            self.notify(
                Level::Error,
                format!("Not saved: type a value for {id} first."),
            );
            return;
        }
        match store.set_parameter(project, id, &value) {
            Ok(param) => {
                self.state.views.system.parameters.remove(id);
                self.refresh();
                self.notify(
                    Level::Info,
                    format!("Gave {} of {} its value.", param.state.id, param.control),
                );
            }
            Err(error) => self.notify(Level::Error, format!("Not saved: {error:#}")),
        }
    }

    /// Opens the file dialog for a document of `kind` (for `control`, for a policy or
    /// procedure).
    pub(super) fn pick_document(&mut self, kind: AttachmentKind, control: Option<String>) {
        let title = match &control {
            Some(control) => format!("{} for {control}", kind.label()),
            None => kind.label().to_string(),
        };
        let request = if kind.is_image() {
            PickRequest::titled(title).filter("Pictures", &["png", "jpg", "jpeg", "svg", "gif"])
        } else {
            PickRequest::titled(title)
        };
        self.start_pick(
            PickPurpose::Document(kind, control),
            PickMode::File,
            request,
        );
    }

    /// Attaches a document in the background.
    pub(super) fn attach_document(
        &mut self,
        kind: AttachmentKind,
        control: Option<String>,
        path: PathBuf,
    ) {
        let Some(project) = self.state.records.project.as_ref().map(|p| p.key) else {
            return;
        };
        self.start_job(JobKind::AttachDocument, |dir, clock, repaint| {
            Job::attach_document(dir, clock, project, (kind, control), path, repaint)
        });
    }

    /// Takes in an attached document.
    pub(super) fn document_attached(&mut self, added: &[Attachment]) {
        self.refresh();
        if let Some(first) = added.first() {
            self.notify(
                Level::Info,
                format!(
                    "Attached {} as the {}.",
                    first.file_name,
                    first.kind.label().to_lowercase()
                ),
            );
        }
    }
}

impl Job {
    /// Starts attaching a document of `kind` (for a control, when it answers one).
    pub fn attach_document(
        dir: PathBuf,
        clock: crate::store::Clock,
        project: i64,
        (kind, control): (AttachmentKind, Option<String>),
        file: PathBuf,
        repaint: super::Repaint,
    ) -> Result<Job, String> {
        let ticker = repaint.clone();
        Job::spawn(JobKind::AttachDocument, repaint, move |progress, cancel| {
            let attached = (|| -> Result<Vec<Attachment>, WorkspaceError> {
                let (mut store, vault) = super::jobs::open_for_job(&dir, clock)?;
                let controls: Vec<String> = control.into_iter().collect();
                let mut report = super::jobs::file_progress(progress, &file, &ticker);
                attach_document(
                    &mut store,
                    &vault,
                    project,
                    (kind, &controls, ""),
                    &file,
                    cancel,
                    &mut report,
                )
            })();
            match attached {
                Ok(added) => JobOutcome::DocumentAttached(added),
                Err(WorkspaceError::Vault(crate::vault::VaultError::Cancelled)) => {
                    JobOutcome::Cancelled
                }
                Err(WorkspaceError::Store(StoreError::Rule(rule))) => {
                    JobOutcome::Failed(format!("Not attached: {rule}"))
                }
                Err(error) => JobOutcome::Failed(format!("Not attached: {error:#}")),
            }
        })
    }
}

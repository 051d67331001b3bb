//! Carrying out the commands the drawing code recorded: [`App::apply`] is the one place
//! where a [`Command`] turns into a store call, a job or a change of view. A failed command
//! becomes a notification (or an inline message in the dialog that sent it).

use std::path::PathBuf;

use super::{
    AddControlForm, App, BoardFilter, Command, Dialog, ExportForm, ExportRequest, ImportKind, Job,
    JobKind, Level, NewProjectForm, PickMode, PickPurpose, PickRequest, ServicesForm, SettingsForm,
    Target, View, escape_name, open_folder,
};
use crate::model::{
    ControlChange, ControlEdit, ControlField, ControlPatch, RuleError, parse_optional_date,
};
use crate::sign::keys::{KeyInfo, create_key_in, own_key_in};
use crate::store::{RequestPatch, StoreError};
use crate::workspace::AttachOptions;

/// An edit that can be undone.
#[derive(Debug, Clone)]
pub(super) struct UndoEntry {
    pub(super) project: i64,
    pub(super) control_id: String,
    pub(super) changes: Vec<ControlChange>,
}

impl App {
    /// Carries out one command.
    pub fn apply(&mut self, command: Command) {
        // By name only: what a command carries (typed text, file names) stays out of the log.
        tracing::info!(command = %command.name(), "window command");
        match command {
            Command::SelectProject(..)
            | Command::OpenNewProject
            | Command::CreateProject(..)
            | Command::OpenServices
            | Command::SetServices(..)
            | Command::OpenPeriod
            | Command::SetPeriod(..)
            | Command::OpenAddControl
            | Command::AddControl(..) => self.apply_project_command(command),
            Command::OpenSettings | Command::CreateSigningKey(..) | Command::SetUserName(..) => {
                self.apply_settings_command(command)
            }
            Command::SelectControl(..)
            | Command::ToggleArea(..)
            | Command::FoldAllAreas(..)
            | Command::SortBoardTable(..)
            | Command::EditControl { .. }
            | Command::EditControlText { .. }
            | Command::Undo
            | Command::FocusSearch => self.apply_board_command(command),
            Command::Back
            | Command::CloseDialog
            | Command::ShowView(..)
            | Command::Goto(..)
            | Command::ToggleNotifications
            | Command::ClearNotifications
            | Command::DismissToast
            | Command::ShowInFolder(..)
            | Command::OpenLogFolder => self.apply_navigation_command(command),
            Command::AttachFiles(..)
            | Command::PickFiles
            | Command::OpenEvidence(..)
            | Command::RemoveEvidence { .. }
            | Command::PickDocument(..)
            | Command::AttachDocument(..) => self.apply_evidence_command(command),
            Command::CancelJob
            | Command::VerifyWorkspace
            | Command::DismissVerifyResult
            | Command::OpenExport
            | Command::PickExportTarget
            | Command::StartExport
            | Command::ExportOscal
            | Command::VerifyPack => self.apply_job_command(command),
            Command::SaveSystemFacts
            | Command::AssignSystemRole(..)
            | Command::SaveSystemUser
            | Command::RemoveSystemUser(..)
            | Command::SaveParameter(..)
            | Command::AddAsset => self.apply_system_command(command),
            Command::AddPerson
            | Command::AddCourse
            | Command::RecordTraining
            | Command::PickCertificate
            | Command::RecordPatch
            | Command::PickPatchEvidence
            | Command::SignOff(..) => self.apply_attestation_command(command),
            Command::PickAwsReportFile
            | Command::PickBridgeLetter
            | Command::AddAwsReport
            | Command::ImportCuecs(..)
            | Command::MapCuec { .. }
            | Command::RemoveAwsReport { .. } => self.apply_aws_report_command(command),
            Command::ImportFramework | Command::ImportCrm | Command::Import(..) => {
                self.apply_import_command(command)
            }
            Command::ImportRequestList
            | Command::SelectRequest(..)
            | Command::SaveRequestResponse { .. }
            | Command::MoveRequest { .. }
            | Command::LinkRequest { .. }
            | Command::PickRequestFiles
            | Command::ExportRequests
            | Command::AttachRequestFiles(..) => self.apply_request_command(command),
            Command::ImportFindings
            | Command::ImportFindingsFiles(..)
            | Command::SelectFinding(..)
            | Command::RequestDeviation { .. }
            | Command::AddFindingMilestone { .. }
            | Command::SetFindingFacts { .. }
            | Command::ExportPoam => self.apply_finding_command(command),
            Command::OpenTeamDetails | Command::PushToTeam => self.apply_team_command(command),
            Command::SignIn => self.sign_in(),
        }
    }

    /// Carries out a command that chooses, creates or changes the shape of a project, or opens
    /// the dialog that does.
    fn apply_project_command(&mut self, command: Command) {
        match command {
            Command::SelectProject(key) => {
                let project = self
                    .state
                    .records
                    .projects
                    .iter()
                    .find(|p| p.key == key)
                    .cloned();
                if project.is_some() {
                    self.state.records.project = project;
                    self.state.shell.selected = None;
                    self.state.views.board.filter = BoardFilter::default();
                    self.refresh();
                }
            }
            Command::OpenNewProject => {
                if self.store.is_some() {
                    self.state.views.dialog = Dialog::NewProject(NewProjectForm::default());
                }
            }
            Command::CreateProject(request, baseline) => self.create_project(request, baseline),
            Command::OpenServices => {
                if let Some(project) = &self.state.records.project {
                    self.state.views.dialog = Dialog::Services(ServicesForm {
                        services: project.services.iter().cloned().collect(),
                        ..ServicesForm::default()
                    });
                }
            }
            Command::SetServices(services) => self.set_services(services),
            Command::OpenPeriod => {
                if let Some(project) = &self.state.records.project {
                    let day =
                        |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
                    self.state.views.dialog = Dialog::Period(crate::app::PeriodForm {
                        start: day(project.period_start),
                        end: day(project.period_end),
                        error: None,
                    });
                }
            }
            Command::SetPeriod(period) => self.set_period(period),
            Command::OpenAddControl => {
                if self.state.records.project.is_some() {
                    self.state.views.dialog = Dialog::AddControl(AddControlForm::default());
                }
            }
            Command::AddControl(request) => self.add_control(request),
            _ => unreachable!("apply sends only these commands here"),
        }
    }

    /// Carries out a command of the settings dialog: opening it, the user name and the signing key.
    fn apply_settings_command(&mut self, command: Command) {
        match command {
            Command::OpenSettings => {
                let (key, key_error) = match own_key_in(&self.config_dir) {
                    Ok(key) => (key.as_ref().map(KeyInfo::of), None),
                    Err(error) => (None, Some(format!("{error:#}"))),
                };
                self.state.views.dialog = Dialog::Settings(SettingsForm {
                    user_name: self.state.session.user_name.clone(),
                    error: None,
                    key,
                    key_error,
                    signer: String::new(),
                });
            }
            Command::CreateSigningKey(signer) => {
                let made = create_key_in(&self.config_dir, signer.trim());
                if let Dialog::Settings(form) = &mut self.state.views.dialog {
                    match made {
                        Ok(key) => {
                            form.key = Some(KeyInfo::of(&key));
                            form.key_error = None;
                        }
                        Err(error) => form.key_error = Some(format!("{error:#}")),
                    }
                } else if let Err(error) = made {
                    self.notify(Level::Error, format!("{error:#}"));
                }
            }
            Command::SetUserName(name) => {
                let Some(store) = self.store.as_mut() else {
                    return;
                };
                match store.set_user_name(&name) {
                    Ok(()) => {
                        self.state.views.dialog = Dialog::None;
                        self.refresh();
                        self.notify(
                            Level::Info,
                            format!(
                                "Changes are now recorded as {}.",
                                self.state.session.user_name
                            ),
                        );
                    }
                    Err(error) => match &mut self.state.views.dialog {
                        Dialog::Settings(form) => form.error = Some(format!("{error:#}")),
                        Dialog::Name(form) => form.error = Some(format!("{error:#}")),
                        _ => self.notify(Level::Error, format!("{error:#}")),
                    },
                }
            }
            _ => unreachable!("apply sends only these commands here"),
        }
    }

    /// Carries out a command of the board: selecting, folding, sorting, searching and editing
    /// controls, and undoing an edit.
    fn apply_board_command(&mut self, command: Command) {
        match command {
            Command::SelectControl(id) => {
                self.state.shell.selected = id;
                self.refresh_selection(true);
            }
            Command::ToggleArea(column, area) => {
                self.state.views.board.view.toggle_area(column, &area);
            }
            Command::FoldAllAreas(fold) => {
                let state = &mut self.state;
                state
                    .views
                    .board
                    .view
                    .collapse_all(&state.records.controls, fold);
            }
            Command::SortBoardTable(column) => self.state.views.board.view.sort_by(column),
            Command::EditControl { id, patch } => self.edit_control(&id, patch, true),
            Command::EditControlText { id, field, text } => {
                match ControlEdit::parse(field, &text) {
                    Ok(edit) => self.edit_control(&id, ControlPatch::one(edit), true),
                    Err(error) => {
                        self.notify(Level::Error, format!("{id}: {error:#}"));
                        self.refresh_selection(true);
                    }
                }
            }
            Command::Undo => self.undo(),
            Command::FocusSearch => {
                if self.state.records.project.is_some() {
                    self.state.views.board.focus_search = true;
                }
            }
            _ => unreachable!("apply sends only these commands here"),
        }
    }

    /// Carries out a command that moves between views, closes what is open, handles
    /// notifications or opens a folder.
    fn apply_navigation_command(&mut self, command: Command) {
        match command {
            Command::Back => {
                if self.state.views.dialog != Dialog::None {
                    self.state.views.dialog = Dialog::None;
                } else if self.state.shell.notifications_open {
                    self.state.shell.notifications_open = false;
                    self.state.shell.toast = false;
                } else if self.state.shell.selected.is_some() {
                    self.state.shell.selected = None;
                    self.refresh_selection(true);
                }
            }
            Command::CloseDialog => self.state.views.dialog = Dialog::None,
            Command::ShowView(view) => {
                self.state.shell.view = view;
                if view == View::System {
                    self.load_system();
                }
                if view == View::Findings {
                    self.refresh();
                }
            }
            Command::Goto(target) => match target {
                Target::Control(id) => {
                    self.state.shell.view = View::Board;
                    self.state.views.board.filter = BoardFilter::default();
                    self.state.shell.selected = Some(id);
                    self.refresh_selection(true);
                }
                Target::Training => self.state.shell.view = View::Training,
                Target::Patches => self.state.shell.view = View::Patches,
                Target::AwsReports => self.state.shell.view = View::AwsReports,
                Target::Request(id) => {
                    self.state.shell.view = View::Requests;
                    self.state.views.requests.filter = Default::default();
                    self.select_request(Some(id));
                }
            },
            Command::ToggleNotifications => {
                self.state.shell.notifications_open = !self.state.shell.notifications_open;
                self.state.shell.toast = false;
            }
            Command::ClearNotifications => {
                self.state.shell.notifications.clear();
                self.state.shell.toast = false;
            }
            Command::DismissToast => self.state.shell.toast = false,
            Command::ShowInFolder(path) => {
                let folder = path.parent().map(|p| p.to_path_buf()).unwrap_or(path);
                if let Err(error) = (self.opener)(&folder) {
                    self.notify(
                        Level::Error,
                        format!("cannot open {}: {error}", folder.display()),
                    );
                }
            }
            Command::OpenLogFolder => {
                let folder = crate::log::log_dir(&self.state.session.workspace);
                if let Err(error) = (self.opener)(&folder) {
                    self.notify(
                        Level::Error,
                        format!("cannot open the log folder ({error}): {}", folder.display()),
                    );
                }
            }
            _ => unreachable!("apply sends only these commands here"),
        }
    }

    /// Carries out a command that attaches, opens or removes evidence, or attaches a document to
    /// the plan.
    fn apply_evidence_command(&mut self, command: Command) {
        match command {
            Command::AttachFiles(files) => self.attach_files(files),
            Command::PickFiles => {
                if self.state.shell.selected.is_some() {
                    self.start_pick(
                        PickPurpose::Attach,
                        PickMode::Files,
                        PickRequest::titled("Attach evidence files"),
                    );
                }
            }
            Command::OpenEvidence(id) => self.open_evidence(id),
            Command::RemoveEvidence { id, reason } => self.remove_evidence(id, &reason),
            Command::PickDocument(kind, control) => self.pick_document(kind, control),
            Command::AttachDocument(kind, control, path) => {
                self.attach_document(kind, control, path)
            }
            _ => unreachable!("apply sends only these commands here"),
        }
    }

    /// Carries out a command that starts, cancels or dismisses a background job: verifying the
    /// workspace or a pack, and exporting the evidence pack or OSCAL.
    fn apply_job_command(&mut self, command: Command) {
        match command {
            Command::CancelJob => {
                if let Some(job) = &self.job {
                    job.cancel();
                }
            }
            Command::VerifyWorkspace => {
                if self.store.is_some() {
                    self.start_job(JobKind::Verify, Job::verify);
                }
            }
            Command::DismissVerifyResult => self.state.shell.verify_result = None,
            Command::OpenExport => {
                if self.state.records.project.is_some() {
                    // A key that cannot be read is said when signing is asked for; here it
                    // only means the box is not offered.
                    let key = own_key_in(&self.config_dir)
                        .ok()
                        .flatten()
                        .map(|key| KeyInfo::of(&key));
                    self.state.views.dialog = Dialog::Export(ExportForm {
                        as_of: self.state.session.today.to_string(),
                        sign: key.is_some(),
                        key,
                        ..ExportForm::default()
                    });
                }
            }
            Command::PickExportTarget => {
                let name = self
                    .state
                    .records
                    .project
                    .as_ref()
                    .map(|p| {
                        format!(
                            "{} evidence pack.zip",
                            crate::snapshot::names::safe_component(&p.name)
                        )
                    })
                    .unwrap_or_else(|| "evidence pack.zip".to_string());
                self.start_pick(
                    PickPurpose::ExportTarget,
                    PickMode::Save,
                    PickRequest::titled("Save the evidence pack")
                        .file_name(name)
                        .filter("Zip", &["zip"]),
                );
            }
            Command::StartExport => self.start_export(),
            Command::ExportOscal => self.pick_oscal_folder(),
            Command::VerifyPack => self.start_pick(
                PickPurpose::VerifyPack,
                PickMode::File,
                PickRequest::titled("Check an evidence pack").filter("Zip", &["zip"]),
            ),
            _ => unreachable!("apply sends only these commands here"),
        }
    }

    /// Carries out a command that changes the system's facts, roles, users, parameters or assets.
    fn apply_system_command(&mut self, command: Command) {
        match command {
            Command::SaveSystemFacts => self.save_system_facts(),
            Command::AssignSystemRole(role, email) => self.assign_system_role(role, &email),
            Command::SaveSystemUser => self.save_system_user(),
            Command::RemoveSystemUser(title) => self.remove_system_user(&title),
            Command::SaveParameter(id) => self.save_parameter(&id),
            Command::AddAsset => self.add_asset(),
            _ => unreachable!("apply sends only these commands here"),
        }
    }

    /// Carries out a command that records training, a patch or a sign-off.
    fn apply_attestation_command(&mut self, command: Command) {
        match command {
            Command::AddPerson => self.add_person(),
            Command::AddCourse => self.add_course(),
            Command::RecordTraining => self.record_training(),
            Command::PickCertificate => self.start_pick(
                PickPurpose::Certificate,
                PickMode::File,
                PickRequest::titled("Training certificate"),
            ),
            Command::RecordPatch => self.record_patch(),
            Command::PickPatchEvidence => self.start_pick(
                PickPurpose::PatchEvidence,
                PickMode::File,
                PickRequest::titled("Evidence of the patch"),
            ),
            Command::SignOff(request) => self.sign_off(request),
            _ => unreachable!("apply sends only these commands here"),
        }
    }

    /// Carries out a command that adds or removes one of AWS's reports, or imports or maps its
    /// CUECs.
    fn apply_aws_report_command(&mut self, command: Command) {
        match command {
            Command::PickAwsReportFile => self.start_pick(
                PickPurpose::AwsReportFile,
                PickMode::File,
                PickRequest::titled("AWS report downloaded from AWS Artifact"),
            ),
            Command::PickBridgeLetter => self.start_pick(
                PickPurpose::BridgeLetter,
                PickMode::File,
                PickRequest::titled("Bridge letter for the AWS report"),
            ),
            Command::AddAwsReport => self.add_aws_report(),
            Command::ImportCuecs(report) => self.start_pick(
                PickPurpose::Cuecs(report),
                PickMode::File,
                PickRequest::titled(format!(
                    "Import the CUECs of AWS report {report}: a CSV file with the columns cuec[,criteria,controls]"
                ))
                .filter("CSV", &["csv"]),
            ),
            Command::MapCuec {
                cuec,
                control,
                mapped,
            } => self.map_cuec(cuec, &control, mapped),
            Command::RemoveAwsReport { id, reason } => self.remove_aws_report(id, &reason),
            _ => unreachable!("apply sends only these commands here"),
        }
    }

    /// Carries out a command that imports a framework, a CRM or a CSV file.
    fn apply_import_command(&mut self, command: Command) {
        match command {
            Command::ImportFramework => self.start_pick(
                PickPurpose::Framework,
                PickMode::Files,
                PickRequest::titled(
                    "Import a framework: OSCAL JSON catalog and profile files (choose both together)",
                )
                .filter("OSCAL JSON", &["json"]),
            ),
            Command::ImportCrm => self.start_pick(
                PickPurpose::Import(ImportKind::Crm),
                PickMode::File,
                PickRequest::titled(format!(
                    "Import a CRM: a .csv or .xlsx file with the columns {}",
                    ImportKind::Crm.columns()
                ))
                .filter("CRM", &["csv", "xlsx"]),
            ),
            Command::Import(kind) => self.start_pick(
                PickPurpose::Import(kind),
                PickMode::File,
                PickRequest::titled(format!(
                    "Import a CSV file with the columns {}",
                    kind.columns()
                ))
                .filter("CSV", &["csv"]),
            ),
            _ => unreachable!("apply sends only these commands here"),
        }
    }

    /// Carries out a command on the auditor's requests.
    /// Carries out a command of the Findings view.
    fn apply_finding_command(&mut self, command: Command) {
        match command {
            Command::ImportFindings => self.pick_findings_files(),
            Command::ImportFindingsFiles(files) => self.import_findings_files(files),
            Command::SelectFinding(id) => self.select_finding(id),
            Command::RequestDeviation { id, deviation } => {
                self.request_finding_deviation(&id, deviation)
            }
            Command::AddFindingMilestone { id, due, text } => {
                self.add_finding_milestone(&id, due, &text)
            }
            Command::SetFindingFacts { id, facts } => self.set_finding_facts(&id, facts),
            Command::ExportPoam => self.pick_poam_folder(),
            _ => {}
        }
    }

    fn apply_request_command(&mut self, command: Command) {
        match command {
            Command::ImportRequestList => self.pick_request_list(),
            Command::SelectRequest(id) => self.select_request(id),
            Command::SaveRequestResponse { id, response } => self.patch_request(
                &id,
                RequestPatch {
                    response: Some(response),
                    ..RequestPatch::default()
                },
                "response saved.",
            ),
            Command::MoveRequest {
                id,
                status,
                comment,
            } => self.patch_request(
                &id,
                RequestPatch {
                    status: Some(status),
                    comment,
                    ..RequestPatch::default()
                },
                &format!("now {}.", status.label().to_lowercase()),
            ),
            Command::LinkRequest { id, link } => self.link_request(&id, link),
            Command::PickRequestFiles => self.pick_request_files(),
            Command::ExportRequests => self.pick_requests_export_target(),
            Command::AttachRequestFiles(files) => self.attach_request_files(files),

            _ => unreachable!("apply sends only these commands here"),
        }
    }

    pub(super) fn start_export(&mut self) {
        let (Some(project), Dialog::Export(form)) = (
            self.state.records.project.as_ref(),
            &mut self.state.views.dialog,
        ) else {
            return;
        };
        let date = |text: &str| parse_optional_date(text).map_err(|e| e.to_string());
        let request = (|| -> Result<ExportRequest, String> {
            let as_of = date(&form.as_of)?.unwrap_or(self.state.session.today);
            let period = match (date(&form.from)?, date(&form.to)?) {
                (Some(from), Some(to)) if to < from => {
                    return Err(format!("the period ends ({to}) before it starts ({from})"));
                }
                (Some(from), Some(to)) => Some((from, to)),
                (None, None) => None,
                _ => {
                    return Err(
                        "give both ends of the period, or neither to use the project's".to_string(),
                    );
                }
            };
            let target = form.target.clone().ok_or("choose where to save the pack")?;
            Ok(ExportRequest {
                project: project.key,
                as_of,
                period,
                target,
                sign_with: (form.sign && form.key.is_some()).then(|| self.config_dir.clone()),
                requests: Vec::new(),
            })
        })();
        match request {
            Ok(request) => {
                self.state.views.dialog = Dialog::None;
                self.start_job(JobKind::Export, |dir, clock, repaint| {
                    Job::export(dir, clock, request, repaint)
                });
            }
            Err(error) => form.error = Some(error),
        }
    }

    pub(super) fn attach_files(&mut self, files: Vec<PathBuf>) {
        let (Some(project), Some(control)) = (
            self.state.records.project.as_ref(),
            self.state.selected_control(),
        ) else {
            self.notify(
                Level::Error,
                "Select a control first, then attach files to it.".to_string(),
            );
            return;
        };
        if files.is_empty() {
            return;
        }
        if control.retired {
            let text = format!(
                "{} is retired: add its services back before attaching evidence.",
                control.id
            );
            self.notify(Level::Error, text);
            return;
        }
        let date = |text: &str| parse_optional_date(text).map_err(|e| e.to_string());
        let options = match (
            date(&self.state.views.panel.collected_on),
            date(&self.state.views.panel.valid_until),
        ) {
            (Ok(collected), Ok(valid_until)) => AttachOptions {
                description: self
                    .state
                    .views
                    .panel
                    .evidence_description
                    .trim()
                    .to_string(),
                collected_on: collected.unwrap_or(self.state.session.today),
                valid_until,
            },
            (Err(error), _) | (_, Err(error)) => {
                self.notify(Level::Error, format!("Not attached: {error}"));
                return;
            }
        };
        if let Err(error) =
            crate::model::check_evidence_dates(options.collected_on, options.valid_until)
        {
            self.notify(Level::Error, format!("Not attached: {error}"));
            return;
        }
        let (project, control) = (project.key, control.id.clone());
        self.start_job(JobKind::Attach, |dir, clock, repaint| {
            Job::attach(dir, clock, project, control, files, options, repaint)
        });
    }

    pub(super) fn open_evidence(&mut self, evidence_id: i64) {
        let Some(evidence) = self
            .state
            .records
            .selected_evidence
            .iter()
            .find(|e| e.id == evidence_id)
            .cloned()
        else {
            return;
        };
        if self.vault.is_none() {
            return;
        }
        if !crate::vault::is_sha256(&evidence.sha256) {
            self.notify(
                Level::Error,
                format!(
                    "Cannot open {}: its recorded SHA-256 is damaged (\"{}\"), so its file cannot be found. Run Verify to see what else is damaged.",
                    escape_name(&evidence.file_name),
                    escape_name(&evidence.sha256)
                ),
            );
            return;
        }
        let folder = match open_folder(&self.state.session.workspace, false) {
            Ok(folder) => folder.join(evidence.id.to_string()),
            Err(error) => {
                self.notify(Level::Error, error);
                return;
            }
        };
        let opener = self.opener.clone();
        self.start_job(JobKind::OpenEvidence, |dir, _, repaint| {
            Job::open_evidence(
                dir,
                evidence.sha256,
                evidence.file_name,
                folder,
                opener,
                repaint,
            )
        });
    }

    pub(super) fn remove_evidence(&mut self, evidence_id: i64, reason: &str) {
        let (Some(store), Some(project)) =
            (self.store.as_mut(), self.state.records.project.as_ref())
        else {
            return;
        };
        match store.remove_evidence(project.key, evidence_id, reason) {
            Ok(evidence) => {
                self.state.views.panel.removing = None;
                self.refresh();
                self.notify(
                    Level::Info,
                    format!(
                        "Removed {} from {} (kept as a removed record).",
                        evidence.file_name, evidence.control
                    ),
                );
            }
            Err(error) => self.notify(Level::Error, format!("{error:#}")),
        }
    }

    pub(super) fn create_project(
        &mut self,
        request: crate::store::NewProject,
        baseline: Option<String>,
    ) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        let created = match &baseline {
            Some(name) => store
                .baseline_controls(name)
                .and_then(|controls| store.create_project_on_baseline(&request, name, &controls)),
            None => store.create_project(&request),
        };
        match created {
            Ok(project) => {
                self.state.views.dialog = Dialog::None;
                self.state.records.project = Some(project.clone());
                self.state.shell.selected = None;
                self.state.views.board.filter = BoardFilter::default();
                self.refresh();
                let count = self.state.records.controls.len();
                self.notify(
                    Level::Info,
                    format!("Created '{}' with {count} controls.", project.name),
                );
            }
            Err(error) => {
                if let Dialog::NewProject(form) = &mut self.state.views.dialog {
                    form.error = Some(format!("{error:#}"));
                } else {
                    self.notify(Level::Error, format!("{error:#}"));
                }
            }
        }
    }

    pub(super) fn set_period(&mut self, period: Option<(chrono::NaiveDate, chrono::NaiveDate)>) {
        let (Some(store), Some(project)) =
            (self.store.as_mut(), self.state.records.project.as_ref())
        else {
            return;
        };
        match store.set_project_period(project.key, period) {
            Ok(project) => {
                self.state.views.dialog = Dialog::None;
                let text = match project.period_start.zip(project.period_end) {
                    Some((start, end)) => format!("The audit period is now {start} to {end}."),
                    None => "The project has no audit period now.".to_string(),
                };
                self.state.records.project = Some(project);
                self.refresh();
                self.notify(Level::Info, text);
            }
            Err(error) => {
                if let Dialog::Period(form) = &mut self.state.views.dialog {
                    form.error = Some(format!("{error:#}"));
                } else {
                    self.notify(Level::Error, format!("{error:#}"));
                }
            }
        }
    }

    pub(super) fn set_services(&mut self, services: Vec<String>) {
        let (Some(store), Some(project)) =
            (self.store.as_mut(), self.state.records.project.as_ref())
        else {
            return;
        };
        let before: Vec<(String, bool)> = self
            .state
            .records
            .controls
            .iter()
            .map(|c| (c.id.clone(), c.retired))
            .collect();
        match store.set_project_services(project.key, &services) {
            Ok(project) => {
                self.state.views.dialog = Dialog::None;
                self.state.records.project = Some(project);
                self.refresh();
                let newly = |retired: bool| {
                    self.state
                        .records
                        .controls
                        .iter()
                        .filter(|c| {
                            c.retired == retired && !before.contains(&(c.id.clone(), retired))
                        })
                        .count()
                };
                let text = format!(
                    "Services saved: {} controls came into scope, {} retired.",
                    newly(false),
                    newly(true)
                );
                self.notify(Level::Info, text);
            }
            Err(error) => {
                if let Dialog::Services(form) = &mut self.state.views.dialog {
                    form.error = Some(format!("{error:#}"));
                } else {
                    self.notify(Level::Error, format!("{error:#}"));
                }
            }
        }
    }

    pub(super) fn add_control(&mut self, request: crate::store::NewControl) {
        let (Some(store), Some(project)) =
            (self.store.as_mut(), self.state.records.project.as_ref())
        else {
            return;
        };
        match store.add_control(project.key, &request) {
            Ok(control) => {
                self.state.views.dialog = Dialog::None;
                self.state.shell.selected = Some(control.id.clone());
                self.refresh();
                self.notify(
                    Level::Info,
                    format!(
                        "Added {} to the {} column.",
                        control.id,
                        control.column.label()
                    ),
                );
            }
            Err(error) => {
                if let Dialog::AddControl(form) = &mut self.state.views.dialog {
                    form.error = Some(format!("{error:#}"));
                } else {
                    self.notify(Level::Error, format!("{error:#}"));
                }
            }
        }
    }

    pub(super) fn edit_control(&mut self, id: &str, patch: ControlPatch, undoable: bool) {
        let (Some(store), Some(project)) =
            (self.store.as_mut(), self.state.records.project.as_ref())
        else {
            return;
        };
        let project = project.key;
        let loaded = Some(self.state.records.loaded_seq);
        match store.update_control_since(project, id, &patch, loaded) {
            Ok(changes) => {
                if changes.is_empty() {
                    self.refresh_selection(true);
                    return;
                }
                if undoable {
                    self.undo.push(UndoEntry {
                        project,
                        control_id: id.to_string(),
                        changes,
                    });
                }
                self.refresh();
                self.refresh_selection(true);
            }
            Err(error @ StoreError::ChangedMeanwhile { .. }) => {
                // Never a silent overwrite: the panel reloads with the other person's version.
                self.notify(Level::Error, format!("{error:#}"));
                self.refresh();
                self.refresh_selection(true);
            }
            Err(error) => {
                self.notify(Level::Error, format!("{id}: {error:#}"));
                self.refresh_selection(true);
            }
        }
    }

    pub(super) fn undo(&mut self) {
        let Some(entry) = self.undo.pop() else {
            self.notify(Level::Info, "Nothing to undo.".to_string());
            return;
        };
        let patch = match undo_patch(&entry.changes) {
            Ok(patch) => patch,
            Err(error) => {
                self.notify(Level::Error, format!("{}: {error:#}", entry.control_id));
                return;
            }
        };
        if self.state.records.project.as_ref().map(|p| p.key) != Some(entry.project) {
            self.apply(Command::SelectProject(entry.project));
        }
        self.edit_control(&entry.control_id, patch, false);
        self.state.shell.selected = Some(entry.control_id.clone());
        self.refresh_selection(true);
        self.notify(
            Level::Info,
            format!("Undid the last edit of {}.", entry.control_id),
        );
    }
}

/// The edit that puts back what `changes` changed. The values before are read back from the
/// text the log keeps; a status or column put back needs a reason, and the old one serves
/// when there was one.
fn undo_patch(changes: &[ControlChange]) -> Result<ControlPatch, RuleError> {
    let mut patch = ControlPatch::default();
    let mut reason = None;
    for change in changes {
        if change.field == ControlField::StatusReason {
            reason = Some(change.from.clone());
        } else {
            patch
                .edits
                .push(ControlEdit::parse(change.field, &change.from)?);
        }
    }
    let moves = changes
        .iter()
        .any(|c| matches!(c.field, ControlField::Column | ControlField::Status));
    match reason {
        Some(reason) if !reason.trim().is_empty() => patch.reason = Some(reason),
        Some(_) if moves => {
            patch.reason = Some("Undo of the previous edit".to_string());
        }
        Some(reason) => patch.edits.push(ControlEdit::StatusReason(reason)),
        None => {
            if moves {
                patch.reason = Some("Undo of the previous edit".to_string());
            }
        }
    }
    Ok(patch)
}

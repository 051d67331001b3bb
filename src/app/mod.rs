//! The window's state and the commands that change it, with no drawing.
//!
//! [`App`] owns the open workspace and a plain [`AppState`] that the drawing code reads.
//! Drawing code records [`Command`]s; [`App::apply`] carries each out through the same store
//! functions the command line uses, then refreshes the state from the database, so what
//! the window shows is always what is stored. A failed command becomes a notification (or
//! an inline message in the dialog that sent it), never a panic.

mod attestations;
mod board;
mod command;
mod dashboard;
mod forms;
mod jobs;
mod picker;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::catalog::{Baseline, Service};
use crate::model::{Control, ControlChange, ControlField, ControlPatch, Project, Status};
use crate::model::{Evidence, Validity, Zone, parse_optional_date};
use crate::store::{
    ActivityEntry, Asset, Clock, Course, PatchDeadlines, PatchRecord, Person, RosterEntry, Signoff,
    Store, system_clock,
};
use crate::vault::Vault;
use crate::workspace::{AttachOptions, Workspace};

pub use attestations::{ImportKind, PatchForm, PatchSort, SignoffForm, TrainingForm};
pub use board::{BoardColumn, BoardFilter, BoardRow, EvidenceSummary, layout};
pub use command::{Command, SHORTCUTS};
pub use dashboard::{
    AttentionItem, Concern, Dashboard, PatchLine, RosterLine, SignoffLine, Target, dashboard,
};
pub use forms::{
    AddControlForm, Answer, ExportForm, NewProjectForm, PanelDraft, ServicesForm, SettingsForm,
};
pub use jobs::{ExportRequest, Job, JobKind, JobOutcome, Opener, Progress, Repaint, system_opener};
pub use picker::{FilePicker, PendingPick, PickMode, PickPurpose, PickRequest, SystemPicker};

/// The folder inside a workspace where evidence is copied to be opened.
pub const OPEN_DIR: &str = "open";

/// How serious a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something worked.
    Info,
    /// Something failed.
    Error,
}

/// A message for the user that stays readable in the notification list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Local time it was raised, `HH:MM:SS`.
    pub at: String,
    /// How serious.
    pub level: Level,
    /// The message.
    pub text: String,
    /// A file the message is about, offered with "Show in folder".
    pub file: Option<PathBuf>,
}

/// The main views of a project, chosen in the top bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum View {
    /// The three-column board: the home.
    #[default]
    Board,
    /// People × courses and their training state.
    Training,
    /// Assets and patch records against their deadlines.
    Patches,
    /// Charts and what needs attention.
    Dashboard,
}

impl View {
    /// All views, in top-bar order.
    pub const ALL: [View; 4] = [View::Board, View::Training, View::Patches, View::Dashboard];

    /// The tab's name.
    pub fn label(self) -> &'static str {
        match self {
            View::Board => "Board",
            View::Training => "Training",
            View::Patches => "Patches",
            View::Dashboard => "Dashboard",
        }
    }
}

/// The dialog on top of the board, if any.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Dialog {
    /// None open.
    #[default]
    None,
    /// Creating a project.
    NewProject(NewProjectForm),
    /// Changing the current project's services.
    Services(ServicesForm),
    /// Adding a control through the ownership test.
    AddControl(AddControlForm),
    /// Settings.
    Settings(SettingsForm),
    /// Exporting an evidence pack.
    Export(ExportForm),
}

/// Everything the drawing code reads; plain data, refreshed from the store after each
/// command.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The workspace folder.
    pub workspace: PathBuf,
    /// Why the workspace could not be opened, if it could not.
    pub open_error: Option<String>,
    /// The name recorded with changes.
    pub user_name: String,
    /// The date overdue is judged against.
    pub today: NaiveDate,
    /// The AWS services Lockstep knows.
    pub services: Vec<Service>,
    /// All projects, by name.
    pub projects: Vec<Project>,
    /// The project on the board.
    pub project: Option<Project>,
    /// Its controls, retired ones included, in board order.
    pub controls: Vec<Control>,
    /// The view shown.
    pub view: View,
    /// The dashboard's charts and attention list.
    pub dashboard: Dashboard,
    /// The filter bar.
    pub filter: BoardFilter,
    /// The board as laid out for `board_filter`.
    pub board: Vec<BoardColumn>,
    board_filter: BoardFilter,
    /// Owners named on the project's controls, for the owner filter.
    pub owners: Vec<String>,
    /// The selected control's id: the control panel shows it.
    pub selected: Option<String>,
    /// The selected control's activity history, newest first.
    pub history: Vec<ActivityEntry>,
    /// The control panel's fields while being typed.
    pub draft: PanelDraft,
    /// The open dialog.
    pub dialog: Dialog,
    /// Messages, oldest first.
    pub notifications: Vec<Notification>,
    /// Whether the notification list is open.
    pub notifications_open: bool,
    /// Whether the newest notification is still shown in the status bar.
    pub toast: bool,
    /// Set when the search field should take the keyboard focus.
    pub focus_search: bool,
    /// What Ctrl+Z would undo, if anything.
    pub undo_label: Option<String>,
    /// Current evidence per control id: counts and expiry, for cards and filters.
    pub evidence_summary: HashMap<String, EvidenceSummary>,
    /// The selected control's evidence, removed included.
    pub selected_evidence: Vec<Evidence>,
    /// The running background job: what it is and how far it got.
    pub job: Option<(JobKind, Progress, bool)>,
    /// What the open file dialog is for, while one is open.
    pub picking: Option<PickPurpose>,
    /// The last verification's lines and whether all was well, until dismissed.
    pub verify_result: Option<(bool, Vec<String>)>,
    /// People of the workspace.
    pub people: Vec<Person>,
    /// Courses of the workspace.
    pub courses: Vec<Course>,
    /// Each active person's state on each course, today.
    pub roster: Vec<RosterEntry>,
    /// The project's assets.
    pub assets: Vec<Asset>,
    /// The project's patch records, with states as of today.
    pub patches: Vec<PatchRecord>,
    /// The project's patch deadlines.
    pub deadlines: PatchDeadlines,
    /// The project's sign-offs, oldest first.
    pub signoffs: Vec<Signoff>,
    /// The training view's form.
    pub training_form: TrainingForm,
    /// The patches view's form.
    pub patch_form: PatchForm,
    /// The sign-off being written (shared by the panel and the views).
    pub signoff_form: SignoffForm,
}

impl AppState {
    /// The selected control.
    pub fn selected_control(&self) -> Option<&Control> {
        let id = self.selected.as_ref()?;
        self.controls.iter().find(|c| &c.id == id)
    }
}

/// What one refresh reads, all from one snapshot of the database.
struct Snapshot {
    user_name: String,
    projects: Vec<Project>,
    project: Option<Project>,
    controls: Vec<Control>,
    evidence: Vec<Evidence>,
    people: Vec<Person>,
    courses: Vec<Course>,
    roster: Vec<RosterEntry>,
    assets: Vec<Asset>,
    patches: Vec<PatchRecord>,
    deadlines: PatchDeadlines,
    signoffs: Vec<Signoff>,
}

/// An edit that can be undone.
#[derive(Debug, Clone)]
struct UndoEntry {
    project: i64,
    control_id: String,
    changes: Vec<ControlChange>,
}

/// The window's model: the open workspace and the state drawn from it.
pub struct App {
    store: Option<Store>,
    vault: Option<Vault>,
    clock: Clock,
    repaint: Repaint,
    job: Option<Job>,
    picker: Arc<dyn FilePicker>,
    pick: Option<PendingPick>,
    opener: Opener,
    /// What the drawing code reads.
    pub state: AppState,
    undo: Vec<UndoEntry>,
}

impl App {
    /// Opens the workspace in `dir` with the system clock and the system's file dialogs.
    pub fn open(dir: PathBuf) -> Self {
        Self::open_with(dir, system_clock())
    }

    /// Opens the workspace with a given clock (tests fix it). "Today" is always the
    /// workspace's today by this clock, so it moves on at midnight.
    pub fn open_with(dir: PathBuf, clock: Clock) -> Self {
        let (store, vault, open_error) = match Workspace::open_with_clock(&dir, clock.clone()) {
            Ok(workspace) => (Some(workspace.store), Some(workspace.vault), None),
            Err(error) => (None, None, Some(format!("{error:#}"))),
        };
        let today = match &store {
            Some(store) => store.today(),
            None => Zone::default().day_of(clock()),
        };
        let mut app = App {
            store,
            vault,
            clock,
            repaint: Arc::new(|| {}),
            job: None,
            picker: Arc::new(SystemPicker),
            pick: None,
            opener: system_opener(),
            state: AppState {
                workspace: dir,
                open_error,
                user_name: String::new(),
                today,
                services: Baseline::builtin().services.clone(),
                projects: Vec::new(),
                project: None,
                controls: Vec::new(),
                view: View::Board,
                dashboard: Dashboard::default(),
                filter: BoardFilter::default(),
                board: Vec::new(),
                board_filter: BoardFilter::default(),
                owners: Vec::new(),
                selected: None,
                history: Vec::new(),
                draft: PanelDraft::default(),
                dialog: Dialog::None,
                notifications: Vec::new(),
                notifications_open: false,
                toast: false,
                focus_search: false,
                undo_label: None,
                evidence_summary: HashMap::new(),
                selected_evidence: Vec::new(),
                job: None,
                picking: None,
                verify_result: None,
                people: Vec::new(),
                courses: Vec::new(),
                roster: Vec::new(),
                assets: Vec::new(),
                patches: Vec::new(),
                deadlines: PatchDeadlines::default(),
                signoffs: Vec::new(),
                training_form: TrainingForm::default(),
                patch_form: PatchForm::default(),
                signoff_form: SignoffForm::default(),
            },
            undo: Vec::new(),
        };
        if app.store.is_some()
            && let Err(error) = open_folder(&app.state.workspace, true)
        {
            app.notify(Level::Error, error);
        }
        app.refresh();
        let recent = match app.store.as_ref().map(|s| s.most_recent_project()) {
            Some(Ok(recent)) => recent,
            Some(Err(error)) => {
                app.notify(
                    Level::Error,
                    format!("Could not read the last project used: {error:#}"),
                );
                None
            }
            None => None,
        };
        if let Some(key) = recent.or_else(|| app.state.projects.first().map(|p| p.key)) {
            app.apply(Command::SelectProject(key));
        }
        app
    }

    /// Sets how a background job asks the window to draw again.
    pub fn set_repaint(&mut self, repaint: Repaint) {
        self.repaint = repaint;
    }

    /// Sets where the window asks for files (tests give a scripted picker).
    pub fn set_picker(&mut self, picker: Arc<dyn FilePicker>) {
        self.picker = picker;
    }

    /// Sets how files and folders are handed to the system (tests record them).
    pub fn set_opener(&mut self, opener: Opener) {
        self.opener = opener;
    }

    /// Whether a background job is running or a file dialog is open.
    pub fn is_busy(&self) -> bool {
        self.job.is_some() || self.pick.is_some()
    }

    /// Takes in what the running job and the open file dialog report: progress each
    /// frame, the outcome or the picked files when they arrive. Called once per frame
    /// before drawing.
    pub fn poll_jobs(&mut self) {
        self.poll_pick();
        self.poll_job();
    }

    fn poll_job(&mut self) {
        let Some(job) = &self.job else { return };
        self.state.job = Some((job.kind, job.progress(), job.is_cancelling()));
        let Some(outcome) = job.poll() else { return };
        self.job = None;
        self.state.job = None;
        match outcome {
            JobOutcome::Attached {
                control,
                added,
                refused,
                cancelled,
            } => {
                self.refresh();
                if !added.is_empty() {
                    let names: Vec<&str> = added.iter().map(|e| e.file_name.as_str()).collect();
                    self.notify(
                        Level::Info,
                        format!("Attached {} to {control}.", names.join(", ")),
                    );
                }
                for reason in refused {
                    self.notify(Level::Error, format!("Not attached: {reason}"));
                }
                if cancelled {
                    self.notify(
                        Level::Info,
                        "Attaching was cancelled; nothing half-written was kept.".to_string(),
                    );
                }
            }
            JobOutcome::Verified(report) => {
                let clean = report.is_clean();
                self.notify(
                    if clean { Level::Info } else { Level::Error },
                    if clean {
                        "Workspace verified: the activity log and every evidence file are intact."
                            .to_string()
                    } else {
                        "Verification found problems: see the report.".to_string()
                    },
                );
                self.state.verify_result = Some((clean, report.lines()));
            }
            JobOutcome::Exported(summary) => {
                self.notify(
                    Level::Info,
                    format!(
                        "Evidence pack written: {} ({} files). Check it anywhere with `sha256sum -c SHA256SUMS`.",
                        summary.path.display(),
                        summary.files
                    ),
                );
                if let Some(note) = self.state.notifications.last_mut() {
                    note.file = Some(summary.path.clone());
                }
            }
            JobOutcome::PackChecked(path, outcome) => {
                let name = path.display().to_string();
                let (clean, lines) = match outcome {
                    crate::pack::VerifyOutcome::Intact { files, bytes } => (
                        true,
                        vec![format!(
                            "{name}: intact — {files} files, {bytes} bytes match the manifest and SHA256SUMS"
                        )],
                    ),
                    crate::pack::VerifyOutcome::Problems(problems) => {
                        let mut lines = vec![format!("{name}: {} problems", problems.len())];
                        lines.extend(problems);
                        (false, lines)
                    }
                    crate::pack::VerifyOutcome::NotAPack(why) => (
                        false,
                        vec![format!("{name} is not a Lockstep evidence pack: {why}")],
                    ),
                };
                self.notify(
                    if clean { Level::Info } else { Level::Error },
                    lines[0].clone(),
                );
                self.state.verify_result = Some((clean, lines));
            }
            JobOutcome::TrainingRecorded(record) => {
                self.state.training_form.certificate = None;
                self.state.training_form.completed_on.clear();
                self.refresh();
                self.notify(
                    Level::Info,
                    format!(
                        "Recorded {} completing {} on {} (expires {}).",
                        record.name, record.course, record.completed_on, record.expires_on
                    ),
                );
            }
            JobOutcome::PatchRecorded(record) => {
                self.patch_recorded(&record);
            }
            JobOutcome::Imported(kind, name, report) => self.imported(kind, &name, &report),
            JobOutcome::Opened(path) => {
                self.notify(Level::Info, format!("Opened a copy: {}", path.display()));
                if let Some(note) = self.state.notifications.last_mut() {
                    note.file = Some(path);
                }
            }
            JobOutcome::Failed(error) => self.notify(Level::Error, error),
            JobOutcome::Cancelled => self.notify(Level::Info, "Cancelled.".to_string()),
        }
    }

    /// Opens a file dialog on its own thread; what the user picks is used by
    /// [`App::picked`] when it arrives.
    fn start_pick(&mut self, purpose: PickPurpose, mode: PickMode, request: PickRequest) {
        if self.pick.is_some() {
            self.notify(
                Level::Error,
                "A file dialog is already open: answer it first.".to_string(),
            );
            return;
        }
        match PendingPick::start(
            self.picker.clone(),
            purpose,
            mode,
            request,
            self.repaint.clone(),
        ) {
            Ok(pick) => {
                self.state.picking = Some(purpose);
                self.pick = Some(pick);
            }
            Err(error) => self.notify(Level::Error, format!("Cannot open a file dialog: {error}")),
        }
    }

    fn poll_pick(&mut self) {
        let Some(answer) = self.pick.as_ref().and_then(|pick| pick.poll()) else {
            return;
        };
        let purpose = self.pick.take().map(|pick| pick.purpose);
        self.state.picking = None;
        // A cancelled dialog is the user's answer: nothing to do.
        if let (Some(purpose), Some(paths)) = (purpose, answer) {
            self.picked(purpose, paths);
        }
    }

    /// Carries on the flow that asked for files, now that they are picked.
    fn picked(&mut self, purpose: PickPurpose, mut paths: Vec<PathBuf>) {
        match purpose {
            PickPurpose::Attach => self.attach_files(paths),
            PickPurpose::Certificate => {
                self.state.training_form.certificate = paths.pop();
            }
            PickPurpose::PatchEvidence => self.state.patch_form.evidence = paths.pop(),
            PickPurpose::Import(kind) => {
                if let Some(path) = paths.pop() {
                    self.import_csv_file(kind, path);
                }
            }
            PickPurpose::ExportTarget => {
                if let Dialog::Export(form) = &mut self.state.dialog {
                    form.target = paths.pop();
                }
            }
            PickPurpose::VerifyPack => {
                if let Some(path) = paths.pop() {
                    self.start_job(JobKind::VerifyPack, |_, _, repaint| {
                        Job::verify_pack(path, repaint)
                    });
                }
            }
        }
    }

    /// Waits for the open file dialog and the running job to end, and takes in what they
    /// give (tests use this).
    pub fn finish_jobs(&mut self) {
        while self.is_busy() {
            self.poll_jobs();
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    fn start_job(
        &mut self,
        kind: JobKind,
        start: impl FnOnce(PathBuf, Clock, Repaint) -> Result<Job, String>,
    ) {
        if let Some(job) = &self.job {
            let text = format!(
                "{} is still running: wait for it or cancel it first.",
                job.kind.label()
            );
            self.notify(Level::Error, text);
            return;
        }
        match start(
            self.state.workspace.clone(),
            self.clock.clone(),
            self.repaint.clone(),
        ) {
            Ok(job) => {
                self.state.job = Some((kind, job.progress(), false));
                self.job = Some(job);
            }
            Err(error) => self.notify(Level::Error, error),
        }
    }

    fn start_export(&mut self) {
        let (Some(project), Dialog::Export(form)) =
            (self.state.project.as_ref(), &mut self.state.dialog)
        else {
            return;
        };
        let date = |text: &str| parse_optional_date(text).map_err(|e| e.to_string());
        let request = (|| -> Result<ExportRequest, String> {
            let as_of = date(&form.as_of)?.unwrap_or(self.state.today);
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
            })
        })();
        match request {
            Ok(request) => {
                self.state.dialog = Dialog::None;
                self.start_job(JobKind::Export, |dir, clock, repaint| {
                    Job::export(dir, clock, request, repaint)
                });
            }
            Err(error) => form.error = Some(error),
        }
    }

    fn attach_files(&mut self, files: Vec<PathBuf>) {
        let (Some(project), Some(control)) =
            (self.state.project.as_ref(), self.state.selected_control())
        else {
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
            date(&self.state.draft.collected_on),
            date(&self.state.draft.valid_until),
        ) {
            (Ok(collected), Ok(valid_until)) => AttachOptions {
                description: self.state.draft.evidence_description.trim().to_string(),
                collected_on: collected.unwrap_or(self.state.today),
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

    fn open_evidence(&mut self, evidence_id: i64) {
        let Some(evidence) = self
            .state
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
        let folder = match open_folder(&self.state.workspace, false) {
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

    fn remove_evidence(&mut self, evidence_id: i64, reason: &str) {
        let (Some(store), Some(project)) = (self.store.as_mut(), self.state.project.as_ref())
        else {
            return;
        };
        match store.remove_evidence(project.key, evidence_id, reason) {
            Ok(evidence) => {
                self.state.draft.removing = None;
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

    /// The open store, for tests and benchmarks that check what was written.
    pub fn store(&self) -> Option<&Store> {
        self.store.as_ref()
    }

    /// Lays the board out again if the filter changed since it was last laid out. Called
    /// once per frame before drawing; cheap when nothing changed.
    pub fn sync_board(&mut self) {
        if self.state.filter != self.state.board_filter {
            self.relayout();
        }
    }

    fn relayout(&mut self) {
        self.state.board = layout(
            &self.state.controls,
            &self.state.filter,
            self.state.today,
            &self.state.evidence_summary,
        );
        self.state.board_filter = self.state.filter.clone();
    }

    /// Carries out one command.
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::SelectProject(key) => {
                let project = self.state.projects.iter().find(|p| p.key == key).cloned();
                if project.is_some() {
                    self.state.project = project;
                    self.state.selected = None;
                    self.state.filter = BoardFilter::default();
                    self.refresh();
                }
            }
            Command::OpenNewProject => {
                if self.store.is_some() {
                    self.state.dialog = Dialog::NewProject(NewProjectForm::default());
                }
            }
            Command::CreateProject(request) => self.create_project(request),
            Command::OpenServices => {
                if let Some(project) = &self.state.project {
                    self.state.dialog = Dialog::Services(ServicesForm {
                        services: project.services.iter().cloned().collect(),
                        ..ServicesForm::default()
                    });
                }
            }
            Command::SetServices(services) => self.set_services(services),
            Command::OpenAddControl => {
                if self.state.project.is_some() {
                    self.state.dialog = Dialog::AddControl(AddControlForm::default());
                }
            }
            Command::AddControl(request) => self.add_control(request),
            Command::OpenSettings => {
                self.state.dialog = Dialog::Settings(SettingsForm {
                    user_name: self.state.user_name.clone(),
                    error: None,
                });
            }
            Command::SetUserName(name) => {
                let Some(store) = self.store.as_mut() else {
                    return;
                };
                match store.set_user_name(&name) {
                    Ok(()) => {
                        self.state.dialog = Dialog::None;
                        self.refresh();
                        self.notify(
                            Level::Info,
                            format!("Changes are now recorded as {}.", self.state.user_name),
                        );
                    }
                    Err(error) => {
                        if let Dialog::Settings(form) = &mut self.state.dialog {
                            form.error = Some(format!("{error:#}"));
                        }
                    }
                }
            }
            Command::CloseDialog => self.state.dialog = Dialog::None,
            Command::SelectControl(id) => {
                self.state.selected = id;
                self.refresh_selection(true);
            }
            Command::EditControl { id, patch } => self.edit_control(&id, patch, true),
            Command::Undo => self.undo(),
            Command::AttachFiles(files) => self.attach_files(files),
            Command::PickFiles => {
                if self.state.selected.is_some() {
                    self.start_pick(
                        PickPurpose::Attach,
                        PickMode::Files,
                        PickRequest::titled("Attach evidence files"),
                    );
                }
            }
            Command::OpenEvidence(id) => self.open_evidence(id),
            Command::RemoveEvidence { id, reason } => self.remove_evidence(id, &reason),
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
            Command::DismissVerifyResult => self.state.verify_result = None,
            Command::DismissToast => self.state.toast = false,
            Command::OpenExport => {
                if self.state.project.is_some() {
                    self.state.dialog = Dialog::Export(ExportForm {
                        as_of: self.state.today.to_string(),
                        ..ExportForm::default()
                    });
                }
            }
            Command::PickExportTarget => {
                let name = self
                    .state
                    .project
                    .as_ref()
                    .map(|p| {
                        format!(
                            "{} evidence pack.zip",
                            crate::pack::names::safe_component(&p.name)
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
            Command::VerifyPack => self.start_pick(
                PickPurpose::VerifyPack,
                PickMode::File,
                PickRequest::titled("Check an evidence pack").filter("Zip", &["zip"]),
            ),
            Command::ShowInFolder(path) => {
                let folder = path.parent().map(|p| p.to_path_buf()).unwrap_or(path);
                if let Err(error) = (self.opener)(&folder) {
                    self.notify(
                        Level::Error,
                        format!("cannot open {}: {error}", folder.display()),
                    );
                }
            }
            Command::ShowView(view) => self.state.view = view,
            Command::AddPerson => self.add_person(),
            Command::AddCourse => self.add_course(),
            Command::RecordTraining => self.record_training(),
            Command::AddAsset => self.add_asset(),
            Command::RecordPatch => self.record_patch(),
            Command::PickCertificate => self.start_pick(
                PickPurpose::Certificate,
                PickMode::File,
                PickRequest::titled("Training certificate"),
            ),
            Command::PickPatchEvidence => self.start_pick(
                PickPurpose::PatchEvidence,
                PickMode::File,
                PickRequest::titled("Evidence of the patch"),
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
            Command::SignOff(request) => self.sign_off(request),
            Command::Goto(target) => match target {
                Target::Control(id) => {
                    self.state.view = View::Board;
                    self.state.filter = BoardFilter::default();
                    self.state.selected = Some(id);
                    self.refresh_selection(true);
                }
                Target::Training => self.state.view = View::Training,
                Target::Patches => self.state.view = View::Patches,
            },
            Command::ToggleNotifications => {
                self.state.notifications_open = !self.state.notifications_open;
                self.state.toast = false;
            }
            Command::ClearNotifications => {
                self.state.notifications.clear();
                self.state.toast = false;
            }
        }
    }

    fn create_project(&mut self, request: crate::store::NewProject) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        match store.create_project(&request) {
            Ok(project) => {
                self.state.dialog = Dialog::None;
                self.state.project = Some(project.clone());
                self.state.selected = None;
                self.state.filter = BoardFilter::default();
                self.refresh();
                let count = self.state.controls.len();
                self.notify(
                    Level::Info,
                    format!("Created '{}' with {count} controls.", project.name),
                );
            }
            Err(error) => {
                if let Dialog::NewProject(form) = &mut self.state.dialog {
                    form.error = Some(format!("{error:#}"));
                } else {
                    self.notify(Level::Error, format!("{error:#}"));
                }
            }
        }
    }

    fn set_services(&mut self, services: Vec<String>) {
        let (Some(store), Some(project)) = (self.store.as_mut(), self.state.project.as_ref())
        else {
            return;
        };
        let before: Vec<(String, bool)> = self
            .state
            .controls
            .iter()
            .map(|c| (c.id.clone(), c.retired))
            .collect();
        match store.set_project_services(project.key, &services) {
            Ok(project) => {
                self.state.dialog = Dialog::None;
                self.state.project = Some(project);
                self.refresh();
                let newly = |retired: bool| {
                    self.state
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
                if let Dialog::Services(form) = &mut self.state.dialog {
                    form.error = Some(format!("{error:#}"));
                } else {
                    self.notify(Level::Error, format!("{error:#}"));
                }
            }
        }
    }

    fn add_control(&mut self, request: crate::store::NewControl) {
        let (Some(store), Some(project)) = (self.store.as_mut(), self.state.project.as_ref())
        else {
            return;
        };
        match store.add_control(project.key, &request) {
            Ok(control) => {
                self.state.dialog = Dialog::None;
                self.state.selected = Some(control.id.clone());
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
                if let Dialog::AddControl(form) = &mut self.state.dialog {
                    form.error = Some(format!("{error:#}"));
                } else {
                    self.notify(Level::Error, format!("{error:#}"));
                }
            }
        }
    }

    fn edit_control(&mut self, id: &str, patch: ControlPatch, undoable: bool) {
        let (Some(store), Some(project)) = (self.store.as_mut(), self.state.project.as_ref())
        else {
            return;
        };
        let project = project.key;
        match store.update_control(project, id, &patch) {
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
            Err(error) => {
                self.notify(Level::Error, format!("{id}: {error:#}"));
                self.refresh_selection(true);
            }
        }
    }

    fn undo(&mut self) {
        let Some(entry) = self.undo.pop() else {
            self.notify(Level::Info, "Nothing to undo.".to_string());
            return;
        };
        let mut patch = ControlPatch::default();
        let mut reason = None;
        for change in &entry.changes {
            if change.field == ControlField::StatusReason {
                reason = Some(change.from.clone());
            } else {
                patch.fields.push((change.field, change.from.clone()));
            }
        }
        let moves = entry
            .changes
            .iter()
            .any(|c| matches!(c.field, ControlField::Column | ControlField::Status));
        match reason {
            Some(reason) if !reason.trim().is_empty() => patch.reason = Some(reason),
            Some(_) if moves => {
                patch.reason = Some("Undo of the previous edit".to_string());
            }
            Some(reason) => patch.fields.push((ControlField::StatusReason, reason)),
            None => {
                if moves {
                    patch.reason = Some("Undo of the previous edit".to_string());
                }
            }
        }
        if self.state.project.as_ref().map(|p| p.key) != Some(entry.project) {
            self.apply(Command::SelectProject(entry.project));
        }
        self.edit_control(&entry.control_id, patch, false);
        self.state.selected = Some(entry.control_id.clone());
        self.refresh_selection(true);
        self.notify(
            Level::Info,
            format!("Undid the last edit of {}.", entry.control_id),
        );
    }

    /// The workspace's today by the app's clock: the store's when the workspace is open.
    fn today(&self) -> NaiveDate {
        match &self.store {
            Some(store) => store.today(),
            None => Zone::default().day_of((self.clock)()),
        }
    }

    /// Moves "today" on when the clock has passed midnight in the workspace's zone, and
    /// then reads everything again (overdue and expiry depend on it). Called once per frame
    /// before drawing; cheap when the day is the same.
    pub fn sync_today(&mut self) {
        if self.today() != self.state.today {
            self.refresh();
        }
    }

    /// Records a message for the user.
    pub fn notify(&mut self, level: Level, text: String) {
        let now = (self.clock)();
        let zone = self.store.as_ref().map(|s| s.zone()).unwrap_or_default();
        let at = match zone {
            Zone::Local => now.with_timezone(&chrono::Local).format("%H:%M:%S"),
            Zone::Fixed(offset) => now.with_timezone(&offset).format("%H:%M:%S"),
        }
        .to_string();
        self.state.notifications.push(Notification {
            at,
            level,
            text,
            file: None,
        });
        self.state.toast = true;
    }

    /// Reloads everything the window shows from the store.
    pub fn refresh(&mut self) {
        let Some(store) = self.store.as_ref() else {
            return;
        };
        self.state.today = store.today();
        let today = self.state.today;
        let project_key = self.state.project.as_ref().map(|p| p.key);
        // One read transaction: everything shown comes from one snapshot, even while
        // another process writes.
        let loaded = store.read(|store| {
            let projects = store.projects()?;
            let project = project_key.and_then(|key| projects.iter().find(|p| p.key == key));
            let (controls, evidence, assets, patches, deadlines, signoffs) = match project {
                Some(project) => (
                    store.controls(project.key)?,
                    store.evidence(project.key, None)?,
                    store.assets(project.key)?,
                    store.patch_records(project.key, today)?,
                    store.patch_deadlines(project.key)?,
                    store.signoffs(project.key)?,
                ),
                None => Default::default(),
            };
            Ok(Snapshot {
                user_name: store.user_name()?,
                project: project.cloned(),
                projects,
                controls,
                evidence,
                people: store.people()?,
                courses: store.courses()?,
                roster: store.training_roster(today)?,
                assets,
                patches,
                deadlines,
                signoffs,
            })
        });
        match loaded {
            Ok(snapshot) => {
                let mut summary: HashMap<String, EvidenceSummary> = HashMap::new();
                for item in snapshot.evidence.iter().filter(|e| !e.removed) {
                    let entry = summary.entry(item.control.clone()).or_default();
                    entry.count += 1;
                    match item.validity(today) {
                        Validity::Valid => {}
                        Validity::Expiring => entry.expiring += 1,
                        Validity::Expired => entry.expired += 1,
                    }
                }
                let state = &mut self.state;
                state.evidence_summary = summary;
                state.user_name = snapshot.user_name;
                state.projects = snapshot.projects;
                state.project = snapshot.project;
                state.controls = snapshot.controls;
                state.people = snapshot.people;
                state.courses = snapshot.courses;
                state.roster = snapshot.roster;
                state.assets = snapshot.assets;
                state.patches = snapshot.patches;
                state.deadlines = snapshot.deadlines;
                state.signoffs = snapshot.signoffs;
            }
            Err(error) => self.notify(
                Level::Error,
                format!("Could not read the workspace: {error:#}"),
            ),
        }
        let mut owners: Vec<String> = self
            .state
            .controls
            .iter()
            .map(|c| c.owner.clone())
            .filter(|o| !o.is_empty())
            .collect();
        owners.sort_by_key(|o| o.to_lowercase());
        owners.dedup();
        self.state.owners = owners;
        self.state.undo_label = self.undo.last().map(|entry| {
            let fields: Vec<&str> = entry
                .changes
                .iter()
                .filter(|c| c.field != ControlField::StatusReason)
                .map(|c| c.field.label())
                .collect();
            format!("Undo {} of {}", fields.join(", "), entry.control_id)
        });
        let roster: Vec<RosterLine> = self
            .state
            .roster
            .iter()
            .map(|r| RosterLine {
                name: r.name.clone(),
                course: r.course.clone(),
                state: r.state,
                expires_on: r.expires_on,
            })
            .collect();
        let patches: Vec<PatchLine> = self
            .state
            .patches
            .iter()
            .map(|p| PatchLine {
                asset: p.asset.clone(),
                advisory: p.advisory.clone(),
                released_on: p.released_on,
                deadline: p.deadline,
                state: p.state,
            })
            .collect();
        let stale: Vec<SignoffLine> = self
            .state
            .signoffs
            .iter()
            .filter(|s| s.stale && !s.superseded)
            .map(|s| SignoffLine {
                subject: s.subject.clone(),
                control: (s.subject_kind == "control").then(|| s.subject_key.clone()),
                training: s.subject_kind == "training",
                by: s.by.clone(),
            })
            .collect();
        self.state.dashboard = dashboard(
            &self.state.controls,
            &self.state.evidence_summary,
            &roster,
            &patches,
            &stale,
            self.state.today,
        );
        self.relayout();
        self.refresh_selection(false);
    }

    fn refresh_selection(&mut self, reset_draft: bool) {
        let control = self.state.selected_control().cloned();
        match (control, self.store.as_ref(), self.state.project.as_ref()) {
            (Some(control), Some(store), Some(project)) => {
                let loaded = store.read(|store| {
                    Ok((
                        store.activity(Some(project.key), Some(&control.id))?,
                        store.evidence(project.key, Some(&control.id))?,
                    ))
                });
                match loaded {
                    Ok((mut history, evidence)) => {
                        history.reverse();
                        self.state.history = history;
                        self.state.selected_evidence = evidence;
                    }
                    Err(error) => {
                        self.state.history.clear();
                        self.state.selected_evidence.clear();
                        self.notify(
                            Level::Error,
                            format!(
                                "Could not read the history and evidence of {}: {error:#}",
                                control.id
                            ),
                        );
                    }
                }
                if reset_draft || self.state.draft.control_id != control.id {
                    self.state.draft = PanelDraft::of(&control);
                }
            }
            _ => {
                self.state.selected = None;
                self.state.history.clear();
                self.state.selected_evidence.clear();
                self.state.draft = PanelDraft::default();
            }
        }
    }

    /// Counts of the current project's controls in scope per status.
    pub fn status_counts(&self) -> Vec<(Status, usize)> {
        Status::ALL
            .into_iter()
            .map(|status| {
                let count = self
                    .state
                    .controls
                    .iter()
                    .filter(|c| !c.retired && c.status == status)
                    .count();
                (status, count)
            })
            .collect()
    }
}

/// The folder inside the workspace where evidence is copied to be opened, readable by its
/// owner only; created when missing, and emptied first when `empty` is set (the window
/// does that when it starts, so copies do not pile up).
fn open_folder(workspace: &std::path::Path, empty: bool) -> Result<PathBuf, String> {
    let folder = workspace.join(OPEN_DIR);
    let failed = |what: &str, error: std::io::Error| {
        format!(
            "cannot {what} the folder for opened evidence ({error}): {}",
            folder.display()
        )
    };
    if empty {
        match std::fs::remove_dir_all(&folder) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(failed("empty", error)),
        }
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
        builder.mode(0o700);
        builder.create(&folder).map_err(|e| failed("create", e))?;
        // A folder left by an older version, or made by hand, is made private too.
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| failed("protect", e))?;
    }
    #[cfg(not(unix))]
    builder.create(&folder).map_err(|e| failed("create", e))?;
    Ok(folder)
}

/// A name as it is safe to show on one line: control characters (a newline, say) are
/// shown escaped.
pub fn escape_name(name: &str) -> String {
    if name.chars().any(char::is_control) {
        name.chars().flat_map(char::escape_debug).collect()
    } else {
        name.to_string()
    }
}

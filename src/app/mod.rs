//! The window's state and the commands that change it, with no drawing.
//!
//! [`App`] owns the open workspace and a plain [`AppState`] that the drawing code reads.
//! Drawing code records [`Command`]s; [`App::apply`] carries each out through the same store
//! functions the command line uses, then refreshes the state from the database, so what
//! the window shows is always what is stored. A failed command becomes a notification (or
//! an inline message in the dialog that sent it), never a panic.
//!
//! One idea per file: `state` is the plain data drawn; `command_handling` applies
//! commands; `refresh` reads the state from the store in one snapshot, with "today" from
//! the store's clock; `background` opens file dialogs through the injected [`FilePicker`]
//! and takes in what background `jobs` report, so the window's thread never waits on
//! a file or a dialog.

mod attestations;
mod aws_reports;
mod background;
mod board;
mod command;
mod command_handling;
mod dashboard;
mod export_oscal;
mod findings;
mod forms;
mod jobs;
mod notice;
mod picker;
mod refresh;
mod requests;
mod state;
mod system;
mod team;

use std::path::PathBuf;
use std::sync::Arc;

use crate::catalog::Baseline;
use crate::model::Zone;
use crate::store::{Clock, Store, system_clock};
use crate::vault::Vault;
use crate::workspace::WorkspaceError;

use command_handling::UndoEntry;

pub use attestations::{PatchForm, PatchSort, SignoffForm, TrainingForm};
pub use aws_reports::{
    AwsReportForm, ReportCover, coverage_attention, covering_reports, cuec_attention,
    relies_on_aws_reports, report_cover,
};
pub use board::{
    BoardColumn, BoardFilter, BoardMode, BoardRow, BoardView, Density, EvidenceSummary,
    TableColumn, layout, table_rows,
};
pub use command::Command;
pub use dashboard::{
    AttentionItem, Concern, Dashboard, PatchLine, Readiness, RosterLine, SignoffLine, Target,
    dashboard, request_attention,
};
pub use findings::{
    DeviationDraft, FindingCounts, FindingFilter, FindingSort, FindingsView, MilestoneDraft,
    finding_rows,
};
pub use forms::{
    AddControlForm, Answer, ExportForm, IdentityState, NameForm, NewProjectForm, PanelDraft,
    PeriodForm, ServicesForm, SettingsForm, TeamDetails,
};
pub use jobs::{
    ExportRequest, ImportKind, Job, JobKind, JobOutcome, Opener, Progress, Repaint,
    WorkspaceOpener, system_opener, system_workspace_opener,
};
pub use notice::{Level, Notification};
pub use picker::{FilePicker, PendingPick, PickMode, PickPurpose, PickRequest, SystemPicker};
pub use requests::{
    PROGRESS_DAYS, RequestFilter, RequestProgress, RequestSort, RequestsView, references,
    request_progress, request_rows, short,
};
pub use state::{
    AppState, BoardState, Dialog, Records, Session, Shell, SignInForm, View, ViewContext, Views,
};
// The records the views read, as the catalog and the store give them: views take them from
// here and never reach past the app into the layers below.
pub use crate::catalog::Service;
pub use crate::store::{
    ActivityEntry, Asset, AwsReport, CheckResult, CuecControl, CuecLine, Deviation, Finding,
    FindingFacts, MappedBy, Milestone, NewDeviation, PatchRecord, ProjectCoverage, Request,
    RequestLink, Signoff,
};
pub use system::{SystemForm, SystemPage};
pub use team::expiry;

/// The folder inside a workspace where evidence is copied to be opened.
pub const OPEN_DIR: &str = "open";

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
    /// How workspaces are opened: this one, and a team workspace pushed into.
    workspaces: WorkspaceOpener,
    /// The AWS identity being asked of STS for the team details.
    identity: Option<team::PendingIdentity>,
    /// The config folder holding the person's signing key.
    config_dir: PathBuf,
    /// What the drawing code reads.
    pub state: AppState,
    undo: Vec<UndoEntry>,
    /// Others' changes to a team workspace, as they commit.
    watch: Option<crate::store::pg::watch::ChangeWatch>,
}

impl App {
    /// Opens the workspace in `dir` with the system clock and the system's file dialogs.
    pub fn open(dir: PathBuf) -> Self {
        Self::open_with(dir, system_clock())
    }

    /// Opens the workspace with a given clock (tests fix it). "Today" is always the
    /// workspace's today by this clock, so it moves on at midnight.
    pub fn open_with(dir: PathBuf, clock: Clock) -> Self {
        Self::open_with_opener(dir, clock, system_workspace_opener())
    }

    /// Opens the workspace through `workspaces`, which also opens any team workspace this
    /// one is pushed into (tests give credentials of their own this way).
    pub fn open_with_opener(dir: PathBuf, clock: Clock, workspaces: WorkspaceOpener) -> Self {
        let opened = workspaces(&dir, clock.clone(), &crate::workspace::SignIn::default());
        let today = Zone::default().day_of(clock());
        let mut app = App {
            store: None,
            vault: None,
            clock,
            repaint: Arc::new(|| {}),
            job: None,
            picker: Arc::new(SystemPicker),
            pick: None,
            opener: system_opener(),
            workspaces,
            identity: None,
            config_dir: crate::sign::keys::config_dir(),
            state: AppState::fresh(dir, today, Baseline::builtin().services.clone()),
            undo: Vec::new(),
            watch: None,
        };
        app.opened(opened);
        app
    }

    /// Takes the outcome of opening the workspace: on success its store and vault, then the
    /// first reads and the most recent project; else the reason, with what the person may
    /// type to get past it.
    fn opened(&mut self, opened: Result<crate::workspace::Workspace, WorkspaceError>) {
        let workspace = match opened {
            Ok(workspace) => workspace,
            Err(error) => {
                self.state.views.sign_in = error.sign_in_need().map(|need| SignInForm {
                    need,
                    value: String::new(),
                    focus: true,
                });
                self.state.session.open_error = Some(format!("{error:#}"));
                return;
            }
        };
        self.state.session.open_error = None;
        self.state.views.sign_in = None;
        self.state.session.team = workspace.store.is_team();
        self.state.session.today = workspace.store.today();
        self.store = Some(workspace.store);
        self.vault = Some(workspace.vault);
        if let Err(error) = open_folder(&self.state.session.workspace, true) {
            self.notify(Level::Error, error);
        }
        self.refresh();
        let recent = match self.store.as_ref().map(|s| s.most_recent_project()) {
            Some(Ok(recent)) => recent,
            Some(Err(error)) => {
                self.notify(
                    Level::Error,
                    format!("Could not read the last project used: {error:#}"),
                );
                None
            }
            None => None,
        };
        if let Some(key) = recent.or_else(|| self.state.records.projects.first().map(|p| p.key)) {
            self.apply(Command::SelectProject(key));
        }
    }

    /// Opens the workspace again with what the person typed in the sign-in form.
    pub(crate) fn sign_in(&mut self) {
        let Some(form) = self.state.views.sign_in.clone() else {
            return;
        };
        let value = Some(form.value.trim().to_string()).filter(|v| !v.is_empty());
        let sign_in = match form.need {
            crate::workspace::SignInNeed::Password(_) => crate::workspace::SignIn {
                password: value,
                mfa_code: None,
            },
            crate::workspace::SignInNeed::MfaCode { .. } => crate::workspace::SignIn {
                password: None,
                mfa_code: value,
            },
        };
        let opened = (self.workspaces)(&self.state.session.workspace, self.clock.clone(), &sign_in);
        self.opened(opened);
        if self.store.is_some() {
            self.watch = self
                .store
                .as_ref()
                .and_then(|store| store.watch_changes(self.repaint.clone()));
        }
    }

    /// On the first run of a person in this workspace, asks the name their changes are
    /// recorded under, offering their full name where the system has one; the login name is
    /// kept until they answer.
    pub fn ask_for_name_on_first_run(&mut self) {
        self.ask_for_name_offering(crate::store::suggested_user_name());
    }

    /// The same, offering `suggested` (tests give one).
    pub fn ask_for_name_offering(&mut self, suggested: String) {
        let Some(store) = self.store.as_ref() else {
            return;
        };
        match store.user_name_chosen() {
            Ok(false)
                if !self.state.session.read_only && self.state.views.dialog == Dialog::None =>
            {
                self.state.views.dialog = Dialog::Name(NameForm {
                    user_name: suggested,
                    error: None,
                });
            }
            Ok(_) => {}
            Err(error) => self.notify(Level::Error, format!("Cannot read your name: {error:#}")),
        }
    }

    /// Sets how a background job asks the window to draw again.
    pub fn set_repaint(&mut self, repaint: Repaint) {
        // On a team workspace, others' changes wake the window too (`poll_jobs` reloads).
        self.watch = self
            .store
            .as_ref()
            .and_then(|store| store.watch_changes(repaint.clone()));
        self.repaint = repaint;
    }

    /// Keeps the signing key in this config folder instead of the user's (tests give a
    /// temp folder).
    pub fn set_config_dir(&mut self, dir: PathBuf) {
        self.config_dir = dir;
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
        self.job.is_some() || self.pick.is_some() || self.identity.is_some()
    }

    /// The open store, for tests and benchmarks that check what was written.
    pub fn store(&self) -> Option<&Store> {
        self.store.as_ref()
    }

    /// Records a message for the user.
    pub fn notify(&mut self, level: Level, text: String) {
        // Errors reach the log too, so they can be sent with a support request once the
        // notification is gone.
        if level == Level::Error {
            tracing::error!("{text}");
        } else {
            tracing::info!("{text}");
        }
        let now = (self.clock)();
        let zone = self.store.as_ref().map(|s| s.zone()).unwrap_or_default();
        let at = match zone {
            Zone::Local => now.with_timezone(&chrono::Local).format("%H:%M:%S"),
            Zone::Fixed(offset) => now.with_timezone(&offset).format("%H:%M:%S"),
        }
        .to_string();
        self.state.shell.notifications.push(Notification {
            at,
            level,
            text,
            file: None,
        });
        self.state.shell.toast = true;
    }
}

/// The folder inside the workspace where evidence is copied to be opened, readable by its
/// owner only; created when missing, and emptied first when `empty` is set (the window
/// does that when it starts, so copies do not pile up).
pub(super) fn open_folder(workspace: &std::path::Path, empty: bool) -> Result<PathBuf, String> {
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

//! The plain state the drawing code reads: the session, the window's chrome, the records
//! the store gave and each view's own state. Refreshed from the store after each command;
//! nothing here touches the database or the file system.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::NaiveDate;

use super::{
    AddControlForm, AwsReportForm, BoardColumn, BoardFilter, BoardView, Dashboard, EvidenceSummary,
    ExportForm, FindingsView, JobKind, NewProjectForm, Notification, PanelDraft, PatchForm,
    PickPurpose, Progress, RequestsView, ServicesForm, SettingsForm, SignoffForm, SystemForm,
    SystemPage, TrainingForm,
};
use crate::catalog::Service;
use crate::model::{BaselineSummary, Control, Evidence, Project, SrmMatch};
use crate::store::{
    ActivityEntry, Asset, AwsReport, CheckResult, Course, CuecLine, Finding, PatchDeadlines,
    PatchRecord, Person, ProjectCoverage, Request, RosterEntry, Signoff,
};

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
    /// AWS's own reports and how they cover the audit period.
    AwsReports,
    /// The auditor's request list, answered request by request.
    Requests,
    /// What a FedRAMP plan still needs of the system, and the forms that give it.
    System,
    /// The findings of AWS's tools: vulnerabilities and checks, their deadlines and
    /// deviations.
    Findings,
}

impl View {
    /// All views, in top-bar order.
    pub const ALL: [View; 8] = [
        View::Board,
        View::Requests,
        View::Training,
        View::Patches,
        View::Findings,
        View::AwsReports,
        View::System,
        View::Dashboard,
    ];

    /// The tab's name.
    pub fn label(self) -> &'static str {
        match self {
            View::Board => "Board",
            View::Training => "Training",
            View::Patches => "Patches",
            View::Dashboard => "Dashboard",
            View::AwsReports => "AWS reports",
            View::System => "System",
            View::Requests => "Requests",
            View::Findings => "Findings",
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
    /// Setting the current project's audit period.
    Period(super::PeriodForm),
    /// Adding a control through the ownership test.
    AddControl(AddControlForm),
    /// Settings.
    Settings(SettingsForm),
    /// The first run's question: the name changes are recorded under.
    Name(super::NameForm),
    /// Exporting an evidence pack.
    Export(ExportForm),
    /// The team workspace's database session and AWS identity.
    Team(super::TeamDetails),
}

/// Everything the window holds between frames, in four parts: the session's facts, the
/// window's own chrome, the records read from the store, and each view's state.
///
/// The app changes all four; a view is given a [`ViewContext`] to read the first three and
/// its own part of [`Views`] to edit.
#[derive(Debug, Clone)]
pub struct AppState {
    /// What was opened, by whom, and the date overdue is judged against.
    pub session: Session,
    /// Which view is shown, what is selected, messages and the running job.
    pub shell: Shell,
    /// What the store gave at the last refresh.
    pub records: Records,
    /// Each view's own state: forms as typed, filters, sorts, the open dialog.
    pub views: Views,
}

/// The session's facts: set when the workspace opens (today also at midnight).
#[derive(Debug, Clone)]
pub struct Session {
    /// The workspace folder.
    pub workspace: PathBuf,
    /// Why the workspace could not be opened, if it could not.
    pub open_error: Option<String>,
    /// The name recorded with changes.
    pub user_name: String,
    /// Whether this login may only read the workspace (a team workspace's reader role):
    /// editing is hidden and every change refused.
    pub read_only: bool,
    /// Whether this is a team workspace (records on PostgreSQL, evidence in S3).
    pub team: bool,
    /// The date overdue is judged against.
    pub today: NaiveDate,
    /// The AWS services Lockstep knows.
    pub services: Vec<Service>,
}

/// The window around the views: changed only by commands.
#[derive(Debug, Clone, Default)]
pub struct Shell {
    /// The view shown.
    pub view: View,
    /// The selected control's id: the control panel shows it.
    pub selected: Option<String>,
    /// Messages, oldest first.
    pub notifications: Vec<Notification>,
    /// Whether the notification list is open.
    pub notifications_open: bool,
    /// Whether the newest notification is still shown in the status bar.
    pub toast: bool,
    /// What Ctrl+Z would undo, if anything.
    pub undo_label: Option<String>,
    /// The running background job: what it is and how far it got.
    pub job: Option<(JobKind, Progress, bool)>,
    /// What the open file dialog is for, while one is open.
    pub picking: Option<PickPurpose>,
    /// The last verification's lines and whether all was well, until dismissed.
    pub verify_result: Option<(bool, Vec<String>)>,
}

/// What the store gave at the last refresh, and the board laid out from it.
#[derive(Debug, Clone, Default)]
pub struct Records {
    /// The activity log's last row when the state was read: an edit to a control changed
    /// after it is refused rather than overwriting the change.
    pub loaded_seq: i64,
    /// All projects, by name.
    pub projects: Vec<Project>,
    /// The project on the board.
    pub project: Option<Project>,
    /// Its controls, retired ones included, in board order.
    pub controls: Vec<Control>,
    /// The dashboard's charts and attention list.
    pub dashboard: Dashboard,
    /// The board as laid out for `board_laid`.
    pub board: Vec<BoardColumn>,
    /// The table view's rows: indices into `controls`, filtered and sorted.
    pub table: Vec<usize>,
    pub(super) board_laid: (BoardFilter, BoardView),
    /// Owners named on the project's controls, for the owner filter.
    pub owners: Vec<String>,
    /// Control families of a baseline project (AC, AU, …), for the family filter.
    pub families: Vec<String>,
    /// The framework baselines imported into the workspace, for the New project dialog.
    pub baselines: Vec<BaselineSummary>,
    /// The built-in SRM controls related to the selected control, for the panel.
    pub related: Vec<SrmMatch>,
    /// The control the selected enhancement enhances, shown as context in the panel.
    pub parent: Option<Control>,
    /// The selected control's activity history, newest first.
    pub history: Vec<ActivityEntry>,
    /// Current evidence per control id: counts and expiry, for cards and filters.
    pub evidence_summary: HashMap<String, EvidenceSummary>,
    /// Security Hub check results per control id, failing ones first.
    pub check_results: HashMap<String, Vec<CheckResult>>,
    /// The selected control's evidence, removed included.
    pub selected_evidence: Vec<Evidence>,
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
    /// AWS's reports in the workspace, removed included.
    pub aws_reports: Vec<AwsReport>,
    /// How they cover the project's audit period.
    pub coverage: Option<ProjectCoverage>,
    /// The project's CUEC table.
    pub cuecs: Vec<CuecLine>,
    /// The project's evidence, removed included, for linking it to requests.
    pub evidence: Vec<Evidence>,
    /// The project's requests, in list order.
    pub requests: Vec<Request>,
    /// The project's findings of AWS's tools, with states as of today.
    pub findings: Vec<Finding>,
    /// What the System view shows (read while it is open).
    pub system: SystemPage,
}

impl Records {
    /// The active people as choices for a form: each one's email (the value) and
    /// `Name <email>` (the label).
    pub fn person_choices(&self) -> Vec<(String, String)> {
        self.people
            .iter()
            .filter(|p| p.active)
            .map(|p| (p.email.clone(), format!("{} <{}>", p.name, p.email)))
            .collect()
    }
}

/// Each view's own state, which only that view (and the app) edits.
#[derive(Debug, Clone, Default)]
pub struct Views {
    /// The board's filter bar and layout choices.
    pub board: BoardState,
    /// The control panel's fields while being typed.
    pub panel: PanelDraft,
    /// The sign-off being written (shared by the panel and the views).
    pub signoff: SignoffForm,
    /// The open dialog.
    pub dialog: Dialog,
    /// What the person may type to open the workspace (a team workspace's password or MFA
    /// code).
    pub sign_in: Option<SignInForm>,
    /// The training view's form.
    pub training: TrainingForm,
    /// The patches view's form.
    pub patches: PatchForm,
    /// The AWS reports view's form.
    pub aws_reports: AwsReportForm,
    /// The Requests view's filter, sort, rows and selection.
    pub requests: RequestsView,
    /// The Findings view's filter, sort, rows, selection and drafts.
    pub findings: FindingsView,
    /// The System view's forms, as typed.
    pub system: SystemForm,
}

/// The board's own state: its filter bar and how it is laid out.
#[derive(Debug, Clone, Default)]
pub struct BoardState {
    /// The filter bar.
    pub filter: BoardFilter,
    /// Cards or table, density, folded groups and the table's order.
    pub view: BoardView,
    /// Set when the search field should take the keyboard focus.
    pub focus_search: bool,
}

/// What every view may read: the session, the window's chrome and the records. Borrowed
/// for one frame; a view changes nothing through it.
#[derive(Debug, Clone, Copy)]
pub struct ViewContext<'a> {
    /// The session's facts.
    pub session: &'a Session,
    /// The window's chrome.
    pub shell: &'a Shell,
    /// The records.
    pub records: &'a Records,
}

impl<'a> ViewContext<'a> {
    /// Whether AWS's reports leave a gap in the audit period or a project service out of
    /// scope: AWS-column and shared cards are marked then.
    pub fn aws_coverage_incomplete(&self) -> bool {
        matches!(&self.records.coverage, Some(ProjectCoverage::Period(c)) if !c.is_complete())
    }

    /// The selected control.
    pub fn selected_control(&self) -> Option<&'a Control> {
        let id = self.shell.selected.as_ref()?;
        self.records.controls.iter().find(|c| &c.id == id)
    }

    /// The project on the board.
    pub fn project(&self) -> Option<&'a Project> {
        self.records.project.as_ref()
    }

    /// The date overdue is judged against.
    pub fn today(&self) -> NaiveDate {
        self.session.today
    }

    /// Whether editing is hidden.
    pub fn read_only(&self) -> bool {
        self.session.read_only
    }
}

impl AppState {
    /// The state before anything is read: the workspace folder and today, with every list
    /// empty, every form blank and the board shown.
    pub(super) fn fresh(workspace: PathBuf, today: NaiveDate, services: Vec<Service>) -> Self {
        AppState {
            session: Session {
                workspace,
                open_error: None,
                user_name: String::new(),
                read_only: false,
                team: false,
                today,
                services,
            },
            shell: Shell::default(),
            records: Records::default(),
            views: Views::default(),
        }
    }

    /// The view's read-only context, and each view's own state to edit beside it.
    pub fn split(&mut self) -> (ViewContext<'_>, &mut Views) {
        let AppState {
            session,
            shell,
            records,
            views,
        } = self;
        (
            ViewContext {
                session,
                shell,
                records,
            },
            views,
        )
    }

    /// The read-only context.
    pub fn context(&self) -> ViewContext<'_> {
        ViewContext {
            session: &self.session,
            shell: &self.shell,
            records: &self.records,
        }
    }

    /// Whether AWS's reports leave a gap in the audit period or a project service out of
    /// scope.
    pub fn aws_coverage_incomplete(&self) -> bool {
        self.context().aws_coverage_incomplete()
    }

    /// The selected control.
    pub fn selected_control(&self) -> Option<&Control> {
        self.context().selected_control()
    }
}

/// The sign-in asked for when a team workspace cannot be opened without a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SignInForm {
    /// What is needed.
    pub need: crate::workspace::SignInNeed,
    /// What has been typed.
    pub value: String,
    /// The field takes the keyboard focus when the form first shows.
    pub focus: bool,
}

impl std::fmt::Debug for SignInForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInForm")
            .field("need", &self.need)
            .finish_non_exhaustive()
    }
}

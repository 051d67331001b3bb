//! Reading the window's state from the store: everything in one read transaction, with
//! "today" taken from the store's clock and zone each time, so it moves on at midnight.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{
    App, EvidenceSummary, Level, PanelDraft, PatchLine, RosterLine, SignoffLine, dashboard, layout,
    table_rows,
};
use crate::model::{Control, ControlField, Evidence, Project, Status, Validity, Zone};
use crate::store::{
    ActivityEntry, Asset, AwsReport, Course, CuecLine, PatchDeadlines, PatchRecord, Person,
    ProjectCoverage, Request, RosterEntry, Signoff, Store,
};

/// What one refresh reads, all from one snapshot of the database.
struct Snapshot {
    user_name: String,
    head_seq: i64,
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
    aws_reports: Vec<AwsReport>,
    coverage: Option<ProjectCoverage>,
    cuecs: Vec<CuecLine>,
    requests: Vec<Request>,
    request_log: Vec<ActivityEntry>,
    baselines: Vec<crate::model::BaselineSummary>,
    check_results: HashMap<String, Vec<crate::store::CheckResult>>,
    findings: Option<Vec<crate::store::Finding>>,
}

impl App {
    /// Lays the board out again if the filter changed since it was last laid out. Called
    /// once per frame before drawing; cheap when nothing changed.
    pub fn sync_board(&mut self) {
        let (filter, view) = &self.state.records.board_laid;
        let current = &self.state.views.board.view;
        if self.state.views.board.filter != *filter
            || current.collapsed != view.collapsed
            || current.sort != view.sort
            || current.ascending != view.ascending
        {
            self.relayout();
        }
    }

    pub(super) fn relayout(&mut self) {
        let state = &mut self.state;
        state.records.board = layout(
            &state.records.controls,
            &state.views.board.filter,
            &state.views.board.view.collapsed,
            state.session.today,
            &state.records.evidence_summary,
        );
        state.records.table = table_rows(
            &state.records.controls,
            &state.views.board.filter,
            &state.views.board.view,
            state.session.today,
            &state.records.evidence_summary,
        );
        state.records.board_laid = (
            state.views.board.filter.clone(),
            state.views.board.view.clone(),
        );
    }

    /// The workspace's today by the app's clock: the store's when the workspace is open.
    pub(super) fn today(&self) -> NaiveDate {
        match &self.store {
            Some(store) => store.today(),
            None => Zone::default().day_of((self.clock)()),
        }
    }

    /// Moves "today" on when the clock has passed midnight in the workspace's zone, and
    /// then reads everything again (overdue and expiry depend on it). Called once per frame
    /// before drawing; cheap when the day is the same.
    pub fn sync_today(&mut self) {
        if self.today() != self.state.session.today {
            self.refresh();
        }
    }

    /// Reloads everything the window shows from the store.
    pub fn refresh(&mut self) {
        let Some(store) = self.store.as_ref() else {
            return;
        };
        self.state.session.today = store.today();
        let today = self.state.session.today;
        let project_key = self.state.records.project.as_ref().map(|p| p.key);
        // Tens of thousands of findings take a moment to read: only the Findings view shows
        // them all, so they are read while it is open (and when it opens).
        let with_findings = self.state.shell.view == super::View::Findings;
        let loaded = read_snapshot(store, project_key, today, with_findings);
        let mut requests_progress = super::RequestProgress::default();
        match loaded {
            Ok(snapshot) => requests_progress = self.snapshot_loaded(snapshot),
            Err(error) => self.notify(
                Level::Error,
                format!("Could not read the workspace: {error:#}"),
            ),
        }
        self.derive_lists();
        self.rebuild_dashboard(requests_progress);
        self.relayout();
        self.refresh_selection(false);
    }

    /// Puts what one refresh read into the state, and returns the requests' progress for
    /// the dashboard.
    fn snapshot_loaded(&mut self, snapshot: Snapshot) -> super::RequestProgress {
        let Some(store) = self.store.as_ref() else {
            return super::RequestProgress::default();
        };
        let today = self.state.session.today;
        let state = &mut self.state;
        state.records.evidence_summary = evidence_summary(&snapshot.evidence, today);
        state.records.check_results = snapshot.check_results;
        state.session.user_name = snapshot.user_name;
        state.records.loaded_seq = snapshot.head_seq;
        state.session.read_only = store.is_read_only();
        state.records.projects = snapshot.projects;
        state.records.project = snapshot.project;
        state.records.controls = snapshot.controls;
        state.records.people = snapshot.people;
        state.records.courses = snapshot.courses;
        state.records.roster = snapshot.roster;
        state.records.assets = snapshot.assets;
        state.records.patches = snapshot.patches;
        state.records.deadlines = snapshot.deadlines;
        state.records.signoffs = snapshot.signoffs;
        state.records.aws_reports = snapshot.aws_reports;
        state.records.coverage = snapshot.coverage;
        state.records.cuecs = snapshot.cuecs;
        let requests_progress = super::request_progress(
            &snapshot.requests,
            &snapshot.request_log,
            store.zone(),
            today,
        );
        state.records.evidence = snapshot.evidence;
        state.records.baselines = snapshot.baselines;
        self.requests_loaded(snapshot.requests);
        if let Some(findings) = snapshot.findings {
            self.findings_loaded(findings);
        }
        if self.state.shell.view == super::View::System {
            self.load_system();
        }
        requests_progress
    }

    /// Derives the owner and family lists the filters offer, and the undo button's label.
    fn derive_lists(&mut self) {
        let mut owners: Vec<String> = self
            .state
            .records
            .controls
            .iter()
            .map(|c| c.owner.clone())
            .filter(|o| !o.is_empty())
            .collect();
        owners.sort_by_key(|o| o.to_lowercase());
        owners.dedup();
        self.state.records.owners = owners;
        let mut families: Vec<String> = self
            .state
            .records
            .controls
            .iter()
            .filter_map(|c| c.family())
            .collect();
        families.sort();
        families.dedup();
        self.state.records.families = families;
        self.state.shell.undo_label = self.undo.last().map(|entry| {
            let fields: Vec<&str> = entry
                .changes
                .iter()
                .filter(|c| c.field != ControlField::StatusReason)
                .map(|c| c.field.label())
                .collect();
            format!("Undo {} of {}", fields.join(", "), entry.control_id)
        });
    }

    /// Computes the dashboard again from the loaded state: its counts, what needs
    /// attention (most pressing first) and the readiness summary.
    fn rebuild_dashboard(&mut self, requests_progress: super::RequestProgress) {
        let roster = roster_lines(&self.state.records.roster);
        let patches = patch_lines(&self.state.records.patches);
        let stale = stale_signoff_lines(&self.state.records.signoffs);
        self.state.records.dashboard = dashboard(
            &self.state.records.controls,
            &self.state.records.evidence_summary,
            &roster,
            &patches,
            &stale,
            self.state.session.today,
        );
        self.state.records.dashboard.requests = requests_progress;
        let attention = &mut self.state.records.dashboard.attention;
        attention.extend(super::coverage_attention(
            self.state.records.coverage.as_ref(),
        ));
        attention.extend(super::cuec_attention(&self.state.records.cuecs));
        attention.extend(super::request_attention(&self.state.records.requests));
        attention.extend(super::dashboard::check_attention(
            &self.state.records.controls,
            &self.state.records.check_results,
        ));
        attention.sort_by_key(|item| item.concern);
        self.state.records.dashboard.readiness = super::Readiness::read(
            &self.state.records.dashboard,
            &self.state.records.controls,
            &self.state.records.evidence_summary,
            &roster,
            self.state
                .records
                .project
                .as_ref()
                .and_then(|p| p.period_end),
        );
    }

    pub(super) fn refresh_selection(&mut self, reset_draft: bool) {
        let control = self.state.selected_control().cloned();
        match (
            control,
            self.store.as_ref(),
            self.state.records.project.as_ref(),
        ) {
            (Some(control), Some(store), Some(project)) => {
                let loaded = store.read(|store| {
                    Ok((
                        store.activity(Some(project.key), Some(&control.id))?,
                        store.evidence(project.key, Some(&control.id))?,
                        store.parent_control(project.key, &control)?,
                    ))
                });
                self.state.records.related = store.related_srm(project, &control);
                match loaded {
                    Ok((mut history, evidence, parent)) => {
                        history.reverse();
                        self.state.records.history = history;
                        self.state.records.selected_evidence = evidence;
                        self.state.records.parent = parent;
                    }
                    Err(error) => {
                        self.state.records.history.clear();
                        self.state.records.selected_evidence.clear();
                        self.state.records.parent = None;
                        self.notify(
                            Level::Error,
                            format!(
                                "Could not read the history and evidence of {}: {error:#}",
                                control.id
                            ),
                        );
                    }
                }
                if reset_draft || self.state.views.panel.control_id != control.id {
                    self.state.views.panel = PanelDraft::of(&control);
                }
            }
            _ => {
                self.state.shell.selected = None;
                self.state.records.related.clear();
                self.state.records.parent = None;
                self.state.records.history.clear();
                self.state.records.selected_evidence.clear();
                self.state.views.panel = PanelDraft::default();
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
                    .records
                    .controls
                    .iter()
                    .filter(|c| !c.retired && c.status == status)
                    .count();
                (status, count)
            })
            .collect()
    }
}

/// Reads everything one refresh shows in one read transaction, so it all comes from one
/// snapshot even while another process writes.
fn read_snapshot(
    store: &Store,
    project_key: Option<i64>,
    today: NaiveDate,
    with_findings: bool,
) -> crate::store::Result<Snapshot> {
    store.read(|store| {
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
        let (coverage, cuecs) = match project {
            Some(project) => (
                Some(store.coverage(project.key)?),
                store.cuec_table(project.key)?,
            ),
            None => (None, Vec::new()),
        };
        let (requests, request_log) = match project {
            Some(project) => {
                let requests = store.requests(project.key)?;
                let log = if requests.is_empty() {
                    Vec::new()
                } else {
                    store.activity(Some(project.key), None)?
                };
                (requests, log)
            }
            None => (Vec::new(), Vec::new()),
        };
        let (check_results, findings) = match project {
            Some(project) => (
                store.check_results(project.key)?,
                if with_findings {
                    Some(store.findings(project.key, today)?)
                } else {
                    None
                },
            ),
            None => (HashMap::new(), Some(Vec::new())),
        };
        Ok(Snapshot {
            user_name: store.user_name()?,
            head_seq: store.head_seq()?,
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
            aws_reports: store.aws_reports()?,
            coverage,
            cuecs,
            requests,
            request_log,
            baselines: store.baselines()?,
            check_results,
            findings,
        })
    })
}

/// Counts each control's evidence that is not removed, and how much of it is expiring or
/// expired on `today`.
fn evidence_summary(evidence: &[Evidence], today: NaiveDate) -> HashMap<String, EvidenceSummary> {
    let mut summary: HashMap<String, EvidenceSummary> = HashMap::new();
    for item in evidence.iter().filter(|e| !e.removed) {
        let entry = summary.entry(item.control.clone()).or_default();
        entry.count += 1;
        match item.validity(today) {
            Validity::Valid => {}
            Validity::Expiring => entry.expiring += 1,
            Validity::Expired => entry.expired += 1,
        }
    }
    summary
}

/// The training roster as the dashboard reads it.
fn roster_lines(roster: &[RosterEntry]) -> Vec<RosterLine> {
    roster
        .iter()
        .map(|r| RosterLine {
            name: r.name.clone(),
            course: r.course.clone(),
            state: r.state,
            expires_on: r.expires_on,
        })
        .collect()
}

/// The patch records as the dashboard reads them.
fn patch_lines(patches: &[PatchRecord]) -> Vec<PatchLine> {
    patches
        .iter()
        .map(|p| PatchLine {
            asset: p.asset.clone(),
            advisory: p.advisory.clone(),
            released_on: p.released_on,
            deadline: p.deadline,
            state: p.state,
        })
        .collect()
}

/// The sign-offs gone stale (and not superseded), as the dashboard reads them.
fn stale_signoff_lines(signoffs: &[Signoff]) -> Vec<SignoffLine> {
    signoffs
        .iter()
        .filter(|s| s.stale && !s.superseded)
        .map(|s| SignoffLine {
            subject: s.subject.clone(),
            control: (s.subject_kind == "control").then(|| s.subject_key.clone()),
            training: s.subject_kind == "training",
            by: s.by.clone(),
        })
        .collect()
}

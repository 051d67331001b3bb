//! The Requests view's model: the auditor's request list as the window shows it, sorted and
//! filtered, the selected request and what is being typed for it, request progress for the
//! dashboard, and the commands that answer a request (import, link, attach, respond, move
//! the status).
//!
//! Sorting and filtering thousands of requests is not a per-frame job: the rows shown are
//! computed once, when the list, the sort or the filter changes ([`App::sync_requests`]),
//! and the view draws only the rows in sight from that cached order.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use chrono::NaiveDate;

use super::jobs::{open_for_job, set_progress};
use super::{
    App, ExportRequest, Job, JobKind, JobOutcome, Level, PickMode, PickPurpose, PickRequest,
};
use crate::model::{Action, LoggedAction, RequestStatus, Zone};
use crate::store::{ActivityEntry, Request, RequestImport, RequestLink, RequestPatch};
use crate::vault::VaultError;
use crate::workspace::{WorkspaceError, attach_to_request};

/// The columns the request table sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RequestSort {
    /// The list's id, numbers in order (`R-2` before `R-10`).
    #[default]
    Id,
    /// The request's text.
    Request,
    /// Its control references.
    Controls,
    /// Its owner.
    Owner,
    /// Its due date, undated last.
    Due,
    /// Its priority as the list words it, most urgent first, blank last.
    Priority,
    /// Its status, in lifecycle order.
    Status,
    /// How many evidence files answer it.
    Evidence,
}

/// Which requests the table shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    /// Only this status.
    pub status: Option<RequestStatus>,
    /// Only this owner.
    pub owner: Option<String>,
    /// Only overdue requests.
    pub overdue: bool,
    /// Only requests with no evidence yet.
    pub without_evidence: bool,
    /// Only requests whose id, text, controls, owner or response contain this (ignoring
    /// case).
    pub text: String,
}

impl RequestFilter {
    fn keeps(&self, request: &Request, text: &str) -> bool {
        self.status.is_none_or(|s| request.status == s)
            && self.owner.as_ref().is_none_or(|o| &request.owner == o)
            && (!self.overdue || request.overdue)
            && (!self.without_evidence || request.evidence_count == 0)
            && (text.is_empty()
                || [
                    request.id.as_str(),
                    request.request.as_str(),
                    request.owner.as_str(),
                    request.response.as_str(),
                ]
                .iter()
                .any(|field| field.to_lowercase().contains(text))
                || request
                    .controls
                    .iter()
                    .any(|c| c.reference.to_lowercase().contains(text)))
    }
}

/// The Requests view's state: filter, sort, the cached rows, the selected request and its
/// drafts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestsView {
    /// Which requests are shown.
    pub filter: RequestFilter,
    /// The sort column and whether it is descending.
    pub sort: (RequestSort, bool),
    /// Indices into [`super::AppState::requests`] of the rows shown, in order.
    pub rows: Vec<usize>,
    rows_for: Option<(RequestFilter, (RequestSort, bool))>,
    /// Owners named on the list, for the owner filter.
    pub owners: Vec<String>,
    /// The selected request's id: the detail pane shows it.
    pub selected: Option<String>,
    /// The response being written for the selected request.
    pub response: String,
    /// The auditor's comment being written, for returning it.
    pub comment: String,
}

/// Request progress for the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestProgress {
    /// Requests per status, in [`RequestStatus::ALL`] order.
    pub counts: [usize; 5],
    /// Per day on which a request was added or changed status (`YYYY-MM-DD`, oldest
    /// first, at most [`PROGRESS_DAYS`]), the counts at the end of that day.
    pub days: Vec<(String, [usize; 5])>,
}

/// How many days the dashboard's request chart shows at most.
pub const PROGRESS_DAYS: usize = 10;

/// Orders and filters the requests: the indices of those shown.
pub fn request_rows(
    requests: &[Request],
    filter: &RequestFilter,
    (by, descending): (RequestSort, bool),
) -> Vec<usize> {
    let text = filter.text.trim().to_lowercase();
    let mut rows: Vec<usize> = requests
        .iter()
        .enumerate()
        .filter(|(_, r)| filter.keeps(r, &text))
        .map(|(n, _)| n)
        .collect();
    let key = |n: &usize| requests.get(*n);
    rows.sort_by(|a, b| {
        let (Some(a), Some(b)) = (key(a), key(b)) else {
            return std::cmp::Ordering::Equal;
        };
        let order = match by {
            RequestSort::Id => natural(&a.id).cmp(&natural(&b.id)),
            RequestSort::Request => a.request.to_lowercase().cmp(&b.request.to_lowercase()),
            RequestSort::Controls => references(a).cmp(&references(b)),
            RequestSort::Owner => a.owner.to_lowercase().cmp(&b.owner.to_lowercase()),
            RequestSort::Due => (a.due.is_none(), a.due).cmp(&(b.due.is_none(), b.due)),
            RequestSort::Priority => priority_rank(&a.priority).cmp(&priority_rank(&b.priority)),
            RequestSort::Status => a.status.cmp(&b.status),
            RequestSort::Evidence => a.evidence_count.cmp(&b.evidence_count),
        }
        .then_with(|| natural(&a.id).cmp(&natural(&b.id)));
        if descending { order.reverse() } else { order }
    });
    rows
}

/// A key that orders priorities as auditors word them: "Critical", "High", "Medium", "Low"
/// by urgency, other words (`P1`, `2`) by their text and numbers, blank last.
fn priority_rank(priority: &str) -> (u8, Vec<(String, u64)>) {
    let text = priority.trim().to_lowercase();
    let rank = match text.as_str() {
        "critical" | "urgent" | "highest" => 0,
        "high" => 1,
        "medium" | "moderate" | "normal" => 2,
        "low" | "lowest" => 3,
        "" => 5,
        _ => 4,
    };
    (rank, natural(&text))
}

/// The control references of a request on one line.
pub fn references(request: &Request) -> String {
    request
        .controls
        .iter()
        .map(|c| c.reference.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A key that orders ids the way people count: runs of digits by their value.
fn natural(id: &str) -> Vec<(String, u64)> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for c in id.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                parts.push((
                    std::mem::take(&mut text),
                    digits.parse().unwrap_or(u64::MAX),
                ));
                digits.clear();
            }
            text.extend(c.to_lowercase());
        }
    }
    parts.push((text, digits.parse().unwrap_or(0)));
    parts
}

/// The statuses a log entry moved requests from, by lower-case request id; `None` for an
/// entry that moved no request.
fn status_moves(entry: &ActivityEntry) -> Option<Vec<(String, RequestStatus)>> {
    let LoggedAction::Known(action) = &entry.action else {
        return None;
    };
    match action {
        Action::RequestUpdate { changes, .. } => Some(
            changes
                .iter()
                .filter(|c| c.field == "status")
                .filter_map(|c| Some((entry.subject.to_lowercase(), c.from.parse().ok()?)))
                .collect(),
        ),
        Action::RequestImport { changes, .. } => Some(
            changes
                .iter()
                .flat_map(|r| {
                    r.changes
                        .iter()
                        .filter(|c| c.field == "status")
                        .filter_map(|c| Some((r.request.to_lowercase(), c.from.parse().ok()?)))
                })
                .collect(),
        ),
        _ => None,
    }
}

/// Counts per status now, and at the end of each day on which the log shows a request
/// added or moved, by walking the log back from today's statuses. `zone` is the workspace's
/// time zone, which turns a time into its day.
pub fn request_progress(
    requests: &[Request],
    log: &[ActivityEntry],
    zone: Zone,
    today: NaiveDate,
) -> RequestProgress {
    let day_of = |at: &str| zone.day_of_timestamp(at);
    let slot = |s: RequestStatus| RequestStatus::ALL.iter().position(|x| *x == s).unwrap_or(0);
    let mut status: HashMap<String, RequestStatus> = requests
        .iter()
        .map(|r| (r.id.to_lowercase(), r.status))
        .collect();
    let added: HashMap<String, NaiveDate> = requests
        .iter()
        .map(|r| (r.id.to_lowercase(), zone.day_of(r.added_at)))
        .collect();
    let count = |status: &HashMap<String, RequestStatus>, day: NaiveDate| {
        let mut counts = [0; 5];
        for (id, s) in status {
            if added.get(id).is_none_or(|a| *a <= day) {
                counts[slot(*s)] += 1;
            }
        }
        counts
    };
    let mut counts = [0; 5];
    for request in requests {
        counts[slot(request.status)] += 1;
    }
    // The days worth a bar: each day a request was added or moved, and today.
    let mut moves: Vec<(NaiveDate, Vec<(String, RequestStatus)>)> = Vec::new();
    for entry in log {
        let Some(back) = status_moves(entry) else {
            continue;
        };
        let Some(day) = day_of(&entry.at) else {
            continue;
        };
        moves.push((day, back));
    }
    let mut days: Vec<NaiveDate> = moves.iter().map(|(d, _)| *d).collect();
    days.extend(added.values().copied());
    days.push(today);
    days.sort();
    days.dedup();
    let keep = days.len().saturating_sub(PROGRESS_DAYS);
    let days = days.split_off(keep);
    // Newest first: each day's counts, then undo that day's moves.
    moves.sort_by_key(|(day, _)| std::cmp::Reverse(*day));
    let mut moves = moves.into_iter().peekable();
    let mut series = Vec::new();
    for day in days.iter().rev() {
        while let Some((_, back)) = moves.next_if(|(d, _)| d > day) {
            for (id, from) in back.into_iter().rev() {
                status.insert(id, from);
            }
        }
        series.push((day.to_string(), count(&status, *day)));
    }
    series.reverse();
    RequestProgress {
        counts,
        days: series,
    }
}

/// The first `chars` characters of a text on one line, with an ellipsis when cut.
pub fn short(text: &str, chars: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > chars || text.lines().nth(1).is_some() {
        format!("{}…", line.chars().take(chars).collect::<String>())
    } else {
        line.to_string()
    }
}

impl App {
    /// Recomputes the Requests view's rows if the filter or sort changed since. Called once
    /// per frame before drawing; cheap when nothing changed.
    pub fn sync_requests(&mut self) {
        let view = &mut self.state.views.requests;
        let wanted = (view.filter.clone(), view.sort);
        if view.rows_for.as_ref() != Some(&wanted) {
            view.rows = request_rows(&self.state.records.requests, &view.filter, view.sort);
            view.rows_for = Some(wanted);
        }
    }

    /// Takes in a fresh list of requests: rows, owners and the selection follow it.
    pub(super) fn requests_loaded(&mut self, requests: Vec<Request>) {
        let view = &mut self.state.views.requests;
        let mut owners: Vec<String> = requests
            .iter()
            .map(|r| r.owner.clone())
            .filter(|o| !o.is_empty())
            .collect();
        owners.sort_by_key(|o| o.to_lowercase());
        owners.dedup();
        view.owners = owners;
        view.rows_for = None;
        if let Some(id) = &view.selected
            && !requests.iter().any(|r| &r.id == id)
        {
            view.selected = None;
        }
        self.state.records.requests = requests;
        self.sync_requests();
    }

    /// Selects a request (or none), with its response as the draft.
    pub(super) fn select_request(&mut self, id: Option<String>) {
        let view = &mut self.state.views.requests;
        view.response = id
            .as_ref()
            .and_then(|id| self.state.records.requests.iter().find(|r| &r.id == id))
            .map(|r| r.response.clone())
            .unwrap_or_default();
        view.comment.clear();
        view.selected = id;
    }

    /// Changes one request through the store, then reads the list again.
    pub(super) fn patch_request(&mut self, id: &str, patch: RequestPatch, done: &str) {
        let (Some(store), Some(project)) =
            (self.store.as_mut(), self.state.records.project.as_ref())
        else {
            return;
        };
        match store.set_request(project.key, id, &patch) {
            Ok(request) => {
                let text = format!("{}: {done}", request.id);
                self.refresh();
                self.select_request(Some(request.id));
                self.notify(Level::Info, text);
            }
            Err(error) => self.notify(Level::Error, format!("{error:#}")),
        }
    }

    /// Links a request to evidence of the project or to a control.
    pub(super) fn link_request(&mut self, id: &str, link: RequestLink) {
        let (Some(store), Some(project)) =
            (self.store.as_mut(), self.state.records.project.as_ref())
        else {
            return;
        };
        let what = match &link {
            RequestLink::Evidence(e) => format!("evidence {e}"),
            RequestLink::Control(c) => c.clone(),
        };
        match store.link_request(project.key, id, &[link]) {
            Ok(request) => {
                let response = self.state.views.requests.response.clone();
                self.refresh();
                self.state.views.requests.response = response;
                self.notify(Level::Info, format!("Linked {} to {what}.", request.id));
            }
            Err(error) => self.notify(Level::Error, format!("{error:#}")),
        }
    }

    /// Opens the file dialog for a request list.
    pub(super) fn pick_request_list(&mut self) {
        if self.state.records.project.is_some() {
            self.start_pick(
                PickPurpose::RequestList,
                PickMode::File,
                PickRequest::titled(
                    "Import the auditor's request list: a CSV or XLSX file with ID and Request columns",
                )
                .filter("Request list", &["csv", "xlsx"]),
            );
        }
    }

    /// Opens the file dialog for files to attach to the selected request.
    pub(super) fn pick_request_files(&mut self) {
        if let Some(id) = self.state.views.requests.selected.clone() {
            self.start_pick(
                PickPurpose::RequestFiles,
                PickMode::Files,
                PickRequest::titled(format!("Attach files to request {id}")),
            );
        }
    }

    /// Opens the save dialog for a delivery pack of the requests shown.
    pub(super) fn pick_requests_export_target(&mut self) {
        let Some(project) = self.state.records.project.as_ref() else {
            return;
        };
        if self.state.views.requests.rows.is_empty() {
            self.notify(
                Level::Error,
                "No requests are shown: clear the filter to export them.".to_string(),
            );
            return;
        }
        let name = format!(
            "{} requests.zip",
            crate::snapshot::names::safe_component(&project.name)
        );
        self.start_pick(
            PickPurpose::RequestsExportTarget,
            PickMode::Save,
            PickRequest::titled(format!(
                "Save the delivery pack of {} requests",
                self.state.views.requests.rows.len()
            ))
            .file_name(name)
            .filter("Zip", &["zip"]),
        );
    }

    /// Writes a delivery pack of the requests shown in the background, signed when the
    /// person has a signing key.
    pub(super) fn export_requests(&mut self, target: PathBuf) {
        let Some(project) = self.state.records.project.as_ref().map(|p| p.key) else {
            return;
        };
        let requests: Vec<String> = self
            .state
            .views
            .requests
            .rows
            .iter()
            .filter_map(|n| self.state.records.requests.get(*n))
            .map(|r| r.id.clone())
            .collect();
        if requests.is_empty() {
            return;
        }
        let signed = matches!(crate::sign::keys::own_key_in(&self.config_dir), Ok(Some(_)));
        let request = ExportRequest {
            project,
            as_of: self.state.session.today,
            period: None,
            target,
            sign_with: signed.then(|| self.config_dir.clone()),
            requests,
        };
        self.start_job(JobKind::Export, |dir, clock, repaint| {
            Job::export(dir, clock, request, repaint)
        });
    }

    /// Imports a request list into the current project in the background.
    pub(super) fn import_request_list(&mut self, path: PathBuf) {
        let Some(project) = self.state.records.project.as_ref().map(|p| p.key) else {
            return;
        };
        self.start_job(JobKind::ImportRequests, |dir, clock, repaint| {
            Job::spawn(JobKind::ImportRequests, repaint, move |progress, _| {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                set_progress(progress, &name, 0, 0, "rows");
                let (mut store, _) = match open_for_job(&dir, clock) {
                    Ok(opened) => opened,
                    Err(error) => return JobOutcome::Failed(format!("{error:#}")),
                };
                match store.import_requests(project, &path) {
                    Ok(report) => JobOutcome::RequestsImported(name, report),
                    Err(error) => JobOutcome::Failed(format!("{error:#}")),
                }
            })
        });
    }

    /// Says what a request list import stored and what it refused.
    pub(super) fn requests_imported(&mut self, name: &str, report: &RequestImport) {
        self.refresh();
        let refused = &report.report.refused;
        self.notify(
            if refused.is_empty() {
                Level::Info
            } else {
                Level::Error
            },
            format!(
                "Imported {} of {} requests from {name}: {} added, {} updated{}",
                report.report.imported,
                report.report.rows,
                report.added,
                report.updated,
                if refused.is_empty() {
                    ".".to_string()
                } else {
                    format!("; {} refused (see Notifications).", refused.len())
                }
            ),
        );
        for problem in refused {
            self.notify(Level::Error, problem.to_string());
        }
    }

    /// Attaches files to the selected request in the background.
    pub(super) fn attach_request_files(&mut self, files: Vec<PathBuf>) {
        let (Some(project), Some(id)) = (
            self.state.records.project.as_ref().map(|p| p.key),
            self.state.views.requests.selected.clone(),
        ) else {
            self.notify(
                Level::Error,
                "Select a request first, then attach files to it.".to_string(),
            );
            return;
        };
        if files.is_empty() {
            return;
        }
        self.start_job(JobKind::AttachToRequest, |dir, clock, repaint| {
            let ticker = repaint.clone();
            Job::spawn(
                JobKind::AttachToRequest,
                repaint,
                move |progress, cancel| {
                    let (mut store, vault) = match open_for_job(&dir, clock) {
                        Ok(opened) => opened,
                        Err(error) => return JobOutcome::Failed(format!("{error:#}")),
                    };
                    let total = files.len() as u64;
                    let (mut added, mut refused) = (Vec::new(), Vec::new());
                    for (n, file) in files.iter().enumerate() {
                        if cancel.load(Ordering::Relaxed) {
                            break;
                        }
                        let name = file
                            .file_name()
                            .map(|n| n.to_string_lossy().to_string())
                            .unwrap_or_default();
                        set_progress(progress, &name, n as u64, total, "files");
                        ticker();
                        match attach_to_request(
                            &mut store,
                            &vault,
                            (project, &id),
                            file,
                            cancel,
                            &mut |_| {},
                        ) {
                            Ok(_) => added.push(name),
                            Err(WorkspaceError::Vault(VaultError::Cancelled)) => break,
                            Err(error) => refused.push(format!("{error:#}")),
                        }
                    }
                    JobOutcome::RequestFilesAttached {
                        request: id,
                        added,
                        refused,
                        cancelled: cancel.load(Ordering::Relaxed),
                    }
                },
            )
        });
    }

    /// Says what attaching files to a request did.
    pub(super) fn request_files_attached(
        &mut self,
        request: &str,
        added: &[String],
        refused: &[String],
        cancelled: bool,
    ) {
        let response = self.state.views.requests.response.clone();
        self.refresh();
        if self.state.views.requests.selected.as_deref() == Some(request) {
            self.state.views.requests.response = response;
        }
        if !added.is_empty() {
            self.notify(
                Level::Info,
                format!("Attached {} to request {request}.", added.join(", ")),
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(id: &str, owner: &str, status: RequestStatus, due: Option<u32>) -> Request {
        Request {
            key: 0,
            id: id.to_string(),
            request: format!("Text of {id}"),
            controls: Vec::new(),
            control_ids: Vec::new(),
            linked_controls: Vec::new(),
            owner: owner.to_string(),
            due: due.and_then(|d| NaiveDate::from_ymd_opt(2026, 12, d)),
            priority: String::new(),
            status,
            evidence: Vec::new(),
            files: Vec::new(),
            evidence_count: 0,
            response: String::new(),
            comments: Vec::new(),
            other: Vec::new(),
            overdue: false,
            added_at: crate::model::parse_stamp("2026-11-01T09:00:00Z").unwrap(),
            updated_at: crate::model::parse_stamp("2026-11-01T09:00:00Z").unwrap(),
        }
    }

    #[test]
    fn priorities_sort_by_urgency_and_blank_ones_last() {
        let requests: Vec<Request> = ["Low", "", "High", "P2", "medium", "P10", "Critical"]
            .iter()
            .enumerate()
            .map(|(n, priority)| Request {
                priority: priority.to_string(),
                ..request(&format!("R-{n}"), "", RequestStatus::Open, None)
            })
            .collect();
        let rows = request_rows(
            &requests,
            &RequestFilter::default(),
            (RequestSort::Priority, false),
        );
        let order: Vec<&str> = rows
            .iter()
            .map(|n| requests[*n].priority.as_str())
            .collect();
        assert_eq!(
            order,
            ["Critical", "High", "medium", "Low", "P2", "P10", ""]
        );
    }

    #[test]
    fn ids_sort_by_their_numbers_and_undated_requests_sort_last() {
        let list = vec![
            request("R-10", "ann", RequestStatus::Open, None),
            request("R-2", "bob", RequestStatus::Submitted, Some(3)),
            request("R-1", "ann", RequestStatus::InProgress, Some(9)),
        ];
        let ids =
            |rows: Vec<usize>| -> Vec<&str> { rows.iter().map(|n| list[*n].id.as_str()).collect() };
        let all = RequestFilter::default();
        assert_eq!(
            ids(request_rows(&list, &all, (RequestSort::Id, false))),
            ["R-1", "R-2", "R-10"]
        );
        assert_eq!(
            ids(request_rows(&list, &all, (RequestSort::Due, false))),
            ["R-2", "R-1", "R-10"]
        );
        let ann = RequestFilter {
            owner: Some("ann".to_string()),
            ..RequestFilter::default()
        };
        assert_eq!(
            ids(request_rows(&list, &ann, (RequestSort::Id, true))),
            ["R-10", "R-1"]
        );
    }
}

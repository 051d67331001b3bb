//! The auditor's request list of a project: importing it, moving each request through its
//! lifecycle, answering it with evidence, controls and a response, and reading it back.
//!
//! A request is its own aggregate, linked by id: to evidence of the project (any control),
//! to controls by hand, and through the control references its list names. A file attached
//! to a request becomes evidence of each of the project's controls the request names, so
//! the board, `verify`, `vault purge` and the pack see it like any other evidence; a request
//! that names none of the project's controls keeps the file as a request file of its own,
//! which `verify` re-hashes, a purge keeps and the pack carries under the request.
//!
//! Every change is one write with one activity row; an import is one write for the whole
//! file. Reading the list takes a handful of queries whatever its length, so the window can
//! refresh a list of thousands of requests within a frame budget.

use std::collections::HashMap;
use std::path::Path;

use super::db::{OptionalExtension, params};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::write::{Change, Logged, Tx};
use super::{Result, Store, StoreError};
use crate::import::requests::{ListRow, RequestRows, read_request_rows};
pub use crate::import::requests::{OtherColumn, RequestList, RequestListError, read_request_list};
use crate::import::{ImportReport, RowProblem};
use crate::model::{
    Action, Answer, ControlRef, ImportedFile, ReferenceIndex, RequestChange, RequestChanges,
    RequestStatus, RuleError, check_request_move, request_is_overdue, split_references,
};

/// A comment on a request, with the status it came with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestComment {
    /// What it says.
    pub text: String,
    /// Who wrote it down.
    pub by: String,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// The request's status once the comment was made.
    pub status: RequestStatus,
}

/// A file attached to a request that names none of the project's controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestFile {
    /// Its record id.
    pub id: i64,
    /// The file's name when attached.
    pub file_name: String,
    /// Bytes.
    pub size_bytes: u64,
    /// Media type.
    pub media_type: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// Who attached it.
    pub added_by: String,
    /// When; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    pub added_at: DateTime<Utc>,
}

/// One request of the auditor's list, with its answer so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// Database key.
    #[serde(skip)]
    pub key: i64,
    /// The list's id for it (`R-014`), unique within the project regardless of case.
    pub id: String,
    /// What the auditor asks for.
    pub request: String,
    /// The control references the list names, as written, each with the project's
    /// controls it names.
    pub controls: Vec<ControlRef>,
    /// The project's controls the request concerns: those its references name, then those
    /// linked by hand.
    pub control_ids: Vec<String>,
    /// Controls linked by hand.
    pub linked_controls: Vec<String>,
    /// Who answers it.
    pub owner: String,
    /// When the answer is due.
    pub due: Option<NaiveDate>,
    /// The list's priority, as written.
    pub priority: String,
    /// Where it stands.
    pub status: RequestStatus,
    /// Current (not removed) evidence linked to it, by evidence id.
    pub evidence: Vec<i64>,
    /// Files attached to it alone (when it names none of the project's controls).
    pub files: Vec<RequestFile>,
    /// Evidence and files together: what the window shows as its evidence count.
    pub evidence_count: usize,
    /// The team's written response.
    pub response: String,
    /// Comments, oldest first.
    pub comments: Vec<RequestComment>,
    /// The list's other columns.
    pub other: Vec<OtherColumn>,
    /// Whether its due date has passed (by [`Store::today`]) and it is not yet submitted
    /// or accepted.
    pub overdue: bool,
    /// When it was first imported; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    pub added_at: DateTime<Utc>,
    /// When it last changed; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    pub updated_at: DateTime<Utc>,
}

/// A change to one request: each field given is set; a status is checked against the
/// lifecycle. The comment is recorded with the status the request has afterwards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestPatch {
    /// The new status.
    pub status: Option<RequestStatus>,
    /// A comment (the auditor's, when returning it).
    pub comment: Option<String>,
    /// The written response.
    pub response: Option<String>,
    /// Who answers it.
    pub owner: Option<String>,
    /// The due date; `Some(None)` clears it.
    pub due: Option<Option<NaiveDate>>,
}

/// What a request is linked to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestLink {
    /// Evidence of the project, by id.
    Evidence(i64),
    /// A control of the project, by id.
    Control(String),
}

/// What is recorded when a file is attached to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequestFile {
    /// The file's name.
    pub file_name: String,
    /// Bytes.
    pub size_bytes: u64,
    /// Media type.
    pub media_type: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

/// What an import of a request list did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestImport {
    /// Rows read, stored and refused.
    #[serde(flatten)]
    pub report: ImportReport,
    /// Requests added.
    pub added: usize,
    /// Requests updated.
    pub updated: usize,
    /// Rows whose request was already as the list says.
    pub unchanged: usize,
}

impl AsRef<ImportReport> for RequestImport {
    fn as_ref(&self) -> &ImportReport {
        &self.report
    }
}

/// The stored values of a request that an import compares.
struct Stored {
    key: i64,
    id: String,
    request: String,
    refs: String,
    owner: String,
    due: Option<String>,
    priority: String,
    status: RequestStatus,
    other: Vec<OtherColumn>,
}

/// What became of one row of a request list when the import wrote it.
enum RowOutcome {
    /// Its request was added.
    Added,
    /// Its request was updated, with these changes.
    Updated(RequestChanges),
    /// Its request already said what the row says.
    Unchanged,
    /// The row was refused.
    Refused(RowProblem),
}

/// The project's requests as an import compares them, by lower-case id, and the highest
/// list position they hold (0 when there are none).
fn stored_requests(tx: &Tx<'_>, project: i64) -> Result<(HashMap<String, Stored>, i64)> {
    let mut stored: HashMap<String, Stored> = HashMap::new();
    let mut position: i64 = 0;
    let mut stmt = tx.prepare_cached(
        "SELECT id, request_id, request, control_refs, owner, due, priority, status,
                other, position
         FROM requests WHERE project_id = ?1",
    )?;
    let found = stmt.query_map(params![project], |row| {
        Ok((
            Stored {
                key: row.get(0)?,
                id: row.get(1)?,
                request: row.get(2)?,
                refs: row.get(3)?,
                owner: row.get(4)?,
                due: row.get(5)?,
                priority: row.get(6)?,
                status: status_of(7, row.get(7)?)?,
                other: other_of(8, &row.get::<_, String>(8)?)?,
            },
            row.get::<_, i64>(9)?,
        ))
    })?;
    for row in found {
        let (request, at) = row?;
        position = position.max(at);
        stored.insert(request.id.to_lowercase(), request);
    }
    Ok((stored, position))
}

/// For each request of the project, by key: how many files answer it (evidence still
/// present and files of its own) and whether it has a response.
fn request_answers(tx: &Tx<'_>, project: i64) -> Result<HashMap<i64, (usize, bool)>> {
    let mut answered: HashMap<i64, (usize, bool)> = HashMap::new();
    let mut stmt = tx.prepare_cached(
        "SELECT r.id,
            (SELECT count(*) FROM request_evidence re JOIN evidence e
               ON e.id = re.evidence_id
             WHERE re.request_key = r.id AND e.removed_at IS NULL)
            + (SELECT count(*) FROM request_files f WHERE f.request_key = r.id),
            r.response <> ''
         FROM requests r WHERE r.project_id = ?1",
    )?;
    let found = stmt.query_map(params![project], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            (
                row.get::<_, i64>(1)?.max(0) as usize,
                row.get::<_, bool>(2)?,
            ),
        ))
    })?;
    for row in found {
        let (key, answer) = row?;
        answered.insert(key, answer);
    }
    Ok(answered)
}

/// Adds the request of a row whose id the project does not have yet, after the last
/// position, or refuses the row when its request text is blank or its status cannot be
/// reached from open without an answer.
fn add_listed_request(
    tx: &Tx<'_>,
    project: i64,
    row: &ListRow,
    position: &mut i64,
) -> Result<RowOutcome> {
    let request = row.request.clone().unwrap_or_default();
    if request.is_empty() {
        return Ok(RowOutcome::Refused(RowProblem::new(
            row.line,
            "the request text is blank",
        )));
    }
    let status = row.status.unwrap_or(RequestStatus::Open);
    if let Err(error) = check_request_move(
        &row.id,
        RequestStatus::Open,
        status,
        Answer {
            files: 0,
            has_response: false,
            has_comment: false,
        },
    ) {
        return Ok(RowOutcome::Refused(RowProblem::new(row.line, error)));
    }
    *position += 1;
    tx.prepare_cached(
        "INSERT INTO requests (project_id, request_id, request, control_refs,
             owner, due, priority, status, other, position, added_at,
             updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
    )?
    .execute(params![
        project,
        row.id,
        request,
        row.refs.clone().unwrap_or_default(),
        row.owner.clone().unwrap_or_default(),
        row.due.flatten().map(|d| d.to_string()),
        row.priority.clone().unwrap_or_default(),
        status.as_str(),
        other_json(&row.other),
        *position,
        tx.at
    ])?;
    Ok(RowOutcome::Added)
}

/// Updates a stored request with what its row changes, keeping the team's status when the
/// list's is one it has moved past, or refuses the row when it blanks the request text or
/// asks for a status move the request's answer does not allow.
fn update_listed_request(
    tx: &Tx<'_>,
    row: &ListRow,
    old: &Stored,
    answered: &HashMap<i64, (usize, bool)>,
) -> Result<RowOutcome> {
    let request = row.request.clone().filter(|r| !r.is_empty());
    if row.request.is_some() && request.is_none() {
        return Ok(RowOutcome::Refused(RowProblem::new(
            row.line,
            "the request text is blank",
        )));
    }
    let mut changes = field_changes(row, old, &request);
    // A list written before the team moved the request on still says
    // an earlier status: the team's status stands.
    let status = match row.status {
        Some(listed) if listed.leads_to(old.status) => old.status,
        Some(listed) => listed,
        None => old.status,
    };
    if status != old.status {
        let (files, has_response) = answered.get(&old.key).copied().unwrap_or((0, false));
        if let Err(error) = check_request_move(
            &old.id,
            old.status,
            status,
            Answer {
                files,
                has_response,
                has_comment: false,
            },
        ) {
            return Ok(RowOutcome::Refused(RowProblem::new(row.line, error)));
        }
        changes.push(RequestChange {
            field: "status".to_string(),
            from: old.status.as_str().to_string(),
            to: status.as_str().to_string(),
        });
    }
    if changes.is_empty() {
        return Ok(RowOutcome::Unchanged);
    }
    let other = merged_other_columns(old, row);
    tx.prepare_cached(
        "UPDATE requests SET request = ?1, control_refs = ?2, owner = ?3,
             due = ?4, priority = ?5, status = ?6, other = ?7, updated_at = ?8
         WHERE id = ?9",
    )?
    .execute(params![
        request.unwrap_or_else(|| old.request.clone()),
        row.refs.clone().unwrap_or_else(|| old.refs.clone()),
        row.owner.clone().unwrap_or_else(|| old.owner.clone()),
        match row.due {
            Some(due) => due.map(|d| d.to_string()),
            None => old.due.clone(),
        },
        row.priority.clone().unwrap_or_else(|| old.priority.clone()),
        status.as_str(),
        other_json(&other),
        tx.at,
        old.key
    ])?;
    Ok(RowOutcome::Updated(RequestChanges {
        request: old.id.clone(),
        changes,
    }))
}

/// The fields a row changes on a stored request, from what to what: those the list has a
/// column for and gives another value, with `request` the row's text when it is not blank.
fn field_changes(row: &ListRow, old: &Stored, request: &Option<String>) -> Vec<RequestChange> {
    let mut changes = Vec::new();
    let mut change = |field: &str, from: &str, to: &Option<String>| {
        if let Some(to) = to
            && to != from
        {
            changes.push(RequestChange {
                field: field.to_string(),
                from: from.to_string(),
                to: to.clone(),
            });
        }
    };
    change("request", &old.request, request);
    change("controls", &old.refs, &row.refs);
    change("owner", &old.owner, &row.owner);
    change(
        "due",
        old.due.as_deref().unwrap_or(""),
        &row.due.map(date_text),
    );
    change("priority", &old.priority, &row.priority);
    for column in &row.other {
        let before = old
            .other
            .iter()
            .find(|o| o.name == column.name)
            .map(|o| o.value.as_str())
            .unwrap_or("");
        change(&column.name, before, &Some(column.value.clone()));
    }
    changes
}

/// A stored request's other columns with a row's laid over them: a column the row gives
/// takes its value, and one the request did not have is added after the others.
fn merged_other_columns(old: &Stored, row: &ListRow) -> Vec<OtherColumn> {
    let mut other = old.other.clone();
    for column in &row.other {
        match other.iter_mut().find(|o| o.name == column.name) {
            Some(kept) => kept.value = column.value.clone(),
            None => other.push(column.clone()),
        }
    }
    other
}

const REQUEST_COLUMNS: &str = "r.id, r.request_id, r.request, r.control_refs, r.owner, r.due,
    r.priority, r.status, r.response, r.other, r.added_at, r.updated_at";

fn corrupt(index: usize, what: String) -> super::db::Error {
    super::db::Error::FromSqlConversionFailure(index, super::db::Type::Text, what.into())
}

fn status_of(index: usize, text: String) -> super::db::Result<RequestStatus> {
    text.parse()
        .map_err(|_| corrupt(index, format!("request status '{text}'")))
}

fn other_of(index: usize, text: &str) -> super::db::Result<Vec<OtherColumn>> {
    serde_json::from_str(text).map_err(|_| corrupt(index, "request columns".to_string()))
}

fn request_from_row(row: &super::db::Row<'_>) -> super::db::Result<Request> {
    let due: Option<String> = row.get(5)?;
    Ok(Request {
        key: row.get(0)?,
        id: row.get(1)?,
        request: row.get(2)?,
        controls: split_references(&row.get::<_, String>(3)?)
            .into_iter()
            .map(|reference| ControlRef {
                reference,
                kind: crate::model::ReferenceKind::Text,
                controls: Vec::new(),
            })
            .collect(),
        control_ids: Vec::new(),
        linked_controls: Vec::new(),
        owner: row.get(4)?,
        due: due
            .map(|t| {
                t.parse::<NaiveDate>()
                    .map_err(|_| corrupt(5, format!("date '{t}'")))
            })
            .transpose()?,
        priority: row.get(6)?,
        status: status_of(7, row.get(7)?)?,
        evidence: Vec::new(),
        files: Vec::new(),
        evidence_count: 0,
        response: row.get(8)?,
        comments: Vec::new(),
        other: other_of(9, &row.get::<_, String>(9)?)?,
        overdue: false,
        added_at: row.get(10)?,
        updated_at: row.get(11)?,
    })
}

impl Store {
    /// A project's requests in list order, each with its references read against the
    /// project's controls, its evidence, files and comments.
    pub fn requests(&self, project: i64) -> Result<Vec<Request>> {
        self.read(|store| store.load_requests(project, None))
    }

    /// One request of a project by its id (ignoring case).
    pub fn request(&self, project: i64, id: &str) -> Result<Request> {
        self.read(|store| {
            store
                .load_requests(project, Some(id.trim()))?
                .pop()
                .ok_or_else(|| StoreError::UnknownRequest(id.trim().to_string()))
        })
    }

    fn load_requests(&self, project: i64, only: Option<&str>) -> Result<Vec<Request>> {
        let mut requests: Vec<Request> = self
            .conn
            .prepare_cached(&format!(
                "SELECT {REQUEST_COLUMNS} FROM requests r
                 WHERE r.project_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR r.request_id = ?2)
                 ORDER BY r.position, r.id"
            ))?
            .query_map(params![project, only], request_from_row)?
            .collect::<super::db::Result<_>>()?;
        if requests.is_empty() {
            return Ok(requests);
        }
        let mut answers = RequestAnswers::new(&self.conn, (project, only), &mut requests);
        answers.fill(
            "SELECT rc.request_key, c.control_id FROM request_controls rc
             JOIN requests r ON r.id = rc.request_key JOIN controls c ON c.id = rc.control_key
             WHERE r.project_id = ?1 AND {filter} ORDER BY c.id",
            |row| row.get::<_, String>(1),
            |request, control| request.linked_controls.push(control),
        )?;
        answers.fill(
            "SELECT re.request_key, re.evidence_id FROM request_evidence re
             JOIN requests r ON r.id = re.request_key JOIN evidence e ON e.id = re.evidence_id
             WHERE r.project_id = ?1 AND {filter} AND e.removed_at IS NULL
             ORDER BY re.evidence_id",
            |row| row.get::<_, i64>(1),
            |request, evidence| request.evidence.push(evidence),
        )?;
        answers.fill(
            "SELECT f.request_key, f.id, f.file_name, f.size_bytes, f.media_type, f.sha256,
                    f.added_by, f.added_at
             FROM request_files f JOIN requests r ON r.id = f.request_key
             WHERE r.project_id = ?1 AND {filter} ORDER BY f.id",
            |row| {
                Ok(RequestFile {
                    id: row.get(1)?,
                    file_name: row.get(2)?,
                    size_bytes: row.get::<_, i64>(3)?.max(0) as u64,
                    media_type: row.get(4)?,
                    sha256: row.get(5)?,
                    added_by: row.get(6)?,
                    added_at: row.get(7)?,
                })
            },
            |request, file| request.files.push(file),
        )?;
        answers.fill(
            "SELECT m.request_key, m.text, m.by, m.at, m.status
             FROM request_comments m JOIN requests r ON r.id = m.request_key
             WHERE r.project_id = ?1 AND {filter} ORDER BY m.id",
            |row| {
                Ok(RequestComment {
                    text: row.get(1)?,
                    by: row.get(2)?,
                    at: row.get(3)?,
                    status: status_of(4, row.get(4)?)?,
                })
            },
            |request, comment| request.comments.push(comment),
        )?;
        let controls = self.controls(project)?;
        let index = ReferenceIndex::new(&controls);
        let today = self.today();
        for request in &mut requests {
            settle_request(request, &index, today);
        }
        Ok(requests)
    }

    /// Changes one request: its status (checked against the lifecycle), response, owner or
    /// due date, with an optional comment. One activity row lists every change; a patch
    /// that changes nothing writes nothing.
    pub fn set_request(&mut self, project: i64, id: &str, patch: &RequestPatch) -> Result<Request> {
        let comment = patch
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        if patch.comment.is_some() && comment.is_none() {
            return Err(RuleError::Blank("comment").into());
        }
        self.write(|tx| {
            let request = tx.store.request(project, id)?;
            let after = RequestFields::patched(&request, patch);
            check_request_move(
                &request.id,
                request.status,
                after.status,
                Answer {
                    files: request.evidence_count,
                    has_response: !after.response.is_empty(),
                    has_comment: comment.is_some(),
                },
            )?;
            let changes = after.changes_from(&request);
            if changes.is_empty() && comment.is_none() {
                return Ok(Change::Unchanged(()));
            }
            after.write(tx, request.key, comment.as_deref())?;
            let action = Action::RequestUpdate { changes, comment };
            Ok(Change::Made(
                (),
                Logged::new(Some(project), request.id, action),
            ))
        })?;
        self.request(project, id)
    }

    /// Links a request to evidence of the project (any control) and to controls. Links
    /// that exist already are left as they are; when all do, nothing is written.
    pub fn link_request(
        &mut self,
        project: i64,
        id: &str,
        links: &[RequestLink],
    ) -> Result<Request> {
        self.write(|tx| {
            let request = tx.store.request(project, id)?;
            let mut evidence = Vec::new();
            let mut controls = Vec::new();
            for link in links {
                match link {
                    RequestLink::Evidence(evidence_id) => {
                        let found = tx.store.evidence_by_id(project, *evidence_id)?;
                        if found.removed {
                            return Err(StoreError::AlreadyRemoved(*evidence_id));
                        }
                        let added = tx.execute(
                            "INSERT INTO request_evidence (request_key, evidence_id)
                             VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                            params![request.key, evidence_id],
                        )?;
                        if added > 0 {
                            evidence.push(*evidence_id);
                        }
                    }
                    RequestLink::Control(control_id) => {
                        let control = tx.store.control(project, control_id)?;
                        let added = tx.execute(
                            "INSERT INTO request_controls (request_key, control_key)
                             VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                            params![request.key, control.key],
                        )?;
                        if added > 0 {
                            controls.push(control.id);
                        }
                    }
                }
            }
            if evidence.is_empty() && controls.is_empty() {
                return Ok(Change::Unchanged(()));
            }
            tx.execute(
                "UPDATE requests SET updated_at = ?1 WHERE id = ?2",
                params![tx.at, request.key],
            )?;
            let action = Action::RequestLink { evidence, controls };
            Ok(Change::Made(
                (),
                Logged::new(Some(project), request.id, action),
            ))
        })?;
        self.request(project, id)
    }

    /// Checks that a file can be attached to this request, before any file is read; the
    /// request's current controls (retired ones left out) are where the file will go.
    pub fn check_request_target(&self, project: i64, id: &str) -> Result<Request> {
        self.request(project, id)
    }

    /// Records a file, staged in the vault, as an answer to a request: as evidence of each
    /// current control the request concerns (collected today), linked to the request; or,
    /// when it concerns none, as a file of the request alone.
    pub fn attach_request_file(
        &mut self,
        project: i64,
        id: &str,
        new: &NewRequestFile,
    ) -> Result<Request> {
        let file_name = new.file_name.trim();
        if file_name.is_empty() {
            return Err(RuleError::Blank("file name").into());
        }
        let today = self.today();
        self.write(|tx| {
            let request = tx.store.request(project, id)?;
            let mut evidence = Vec::new();
            let mut file_id = None;
            let mut targets = Vec::new();
            for control_id in &request.control_ids {
                let control = tx.store.control(project, control_id)?;
                if !control.retired {
                    targets.push(control);
                }
            }
            for control in &targets {
                evidence.push(insert_answer_evidence(
                    tx,
                    (project, control.key),
                    &request,
                    file_name,
                    new,
                    today,
                )?);
            }
            if targets.is_empty() {
                file_id = Some(insert_request_file(tx, request.key, file_name, new)?);
            }
            tx.execute(
                "UPDATE requests SET updated_at = ?1 WHERE id = ?2",
                params![tx.at, request.key],
            )?;
            let action = Action::RequestAttach {
                file_name: file_name.to_string(),
                sha256: new.sha256.clone(),
                size_bytes: new.size_bytes,
                evidence,
                file_id,
            };
            Ok(Change::Made(
                (),
                Logged::new(Some(project), request.id, action),
            ))
        })?;
        self.request(project, id)
    }

    /// Imports an auditor's request list (`.csv` or `.xlsx`) into a project: new ids are
    /// added in list order, known ids (ignoring case) are updated where the list changed,
    /// and every change is listed in the import's one activity row. Rows that cannot be
    /// used are refused by line; the others are stored in one transaction.
    pub fn import_requests(&mut self, project: i64, path: &Path) -> Result<RequestImport> {
        let list = read_request_rows(path)?;
        self.import_request_rows(project, &list)
    }

    /// Adds and updates a project's requests from a request list already read (see
    /// [`crate::import::requests`]), in one transaction with one activity row.
    pub fn import_request_rows(
        &mut self,
        project: i64,
        list: &RequestRows,
    ) -> Result<RequestImport> {
        let (rows, refused, data_rows) = (&list.rows, &list.refused, list.data_rows);
        let file = (list.file_name.clone(), list.sha256.clone());
        self.write(|tx| {
            let (stored, mut position) = stored_requests(tx, project)?;
            let answered = if rows.iter().any(|r| r.status.is_some()) {
                request_answers(tx, project)?
            } else {
                HashMap::new()
            };
            let mut refused = refused.clone();
            let (mut added, mut updated, mut unchanged) = (0usize, 0usize, 0usize);
            let mut logged_changes = Vec::new();
            for row in rows {
                let outcome = match stored.get(&row.id.to_lowercase()) {
                    None => add_listed_request(tx, project, row, &mut position)?,
                    Some(old) => update_listed_request(tx, row, old, &answered)?,
                };
                match outcome {
                    RowOutcome::Added => added += 1,
                    RowOutcome::Updated(changes) => {
                        updated += 1;
                        logged_changes.push(changes);
                    }
                    RowOutcome::Unchanged => unchanged += 1,
                    RowOutcome::Refused(problem) => refused.push(problem),
                }
            }
            refused.sort_by_key(|problem| problem.line);
            let report = RequestImport {
                report: ImportReport {
                    rows: data_rows,
                    imported: added + updated + unchanged,
                    refused,
                },
                added,
                updated,
                unchanged,
            };
            if added + updated == 0 {
                return Ok(Change::Unchanged(report));
            }
            let import = ImportedFile {
                file_name: file.0.clone(),
                file_sha256: file.1.clone(),
                rows: data_rows as u64,
                imported: report.report.imported as u64,
                refused: report.report.refused.len() as u64,
            };
            let action = Action::RequestImport {
                import,
                added: added as u64,
                updated: updated as u64,
                changes: logged_changes,
            };
            Ok(Change::Made(report, Logged::new(Some(project), "", action)))
        })
    }

    /// Of the ids given, those that are not requests of the project, as given.
    pub fn unknown_requests(&self, project: i64, ids: &[String]) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM requests WHERE project_id = ?1 AND request_id = ?2)",
        )?;
        let mut unknown = Vec::new();
        for id in ids {
            let known: bool = stmt.query_row(params![project, id.trim()], |row| row.get(0))?;
            if !known {
                unknown.push(id.clone());
            }
        }
        Ok(unknown)
    }

    /// The key of a request, when the project has it.
    pub fn request_key(&self, project: i64, id: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM requests WHERE project_id = ?1 AND request_id = ?2")?
            .query_row(params![project, id.trim()], |row| row.get(0))
            .optional()?)
    }
}

/// The requests being read, by key, and the query parameters that chose them: the
/// project, and one request id or none for all.
struct RequestAnswers<'a> {
    conn: &'a super::db::Connection,
    chosen: (i64, Option<&'a str>),
    requests: &'a mut [Request],
    at: HashMap<i64, usize>,
}

impl<'a> RequestAnswers<'a> {
    fn new(
        conn: &'a super::db::Connection,
        chosen: (i64, Option<&'a str>),
        requests: &'a mut [Request],
    ) -> Self {
        let at = requests
            .iter()
            .enumerate()
            .map(|(index, r)| (r.key, index))
            .collect();
        RequestAnswers {
            conn,
            chosen,
            requests,
            at,
        }
    }

    /// Runs `sql`, whose first column is a request's key and whose `{filter}` stands for
    /// the choice of requests, and gives what `read` makes of each row to its request.
    fn fill<T>(
        &mut self,
        sql: &str,
        mut read: impl FnMut(&super::db::Row<'_>) -> super::db::Result<T>,
        mut put: impl FnMut(&mut Request, T),
    ) -> Result<()> {
        let sql = sql.replace(
            "{filter}",
            "(CAST(?2 AS TEXT) IS NULL OR r.request_id = ?2)",
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![self.chosen.0, self.chosen.1], |row| {
            Ok((row.get::<_, i64>(0)?, read(row)?))
        })?;
        for row in rows {
            let (key, value) = row?;
            if let Some(request) = self.at.get(&key).and_then(|i| self.requests.get_mut(*i)) {
                put(request, value);
            }
        }
        Ok(())
    }
}

/// Works out what a request read from the database shows: the controls its references
/// name, every control it is about, how many files answer it, and whether it is overdue.
fn settle_request(request: &mut Request, index: &ReferenceIndex, today: NaiveDate) {
    request.controls = request
        .controls
        .iter()
        .map(|r| index.resolve(&r.reference))
        .collect();
    let mut ids: Vec<String> = Vec::new();
    for id in request
        .controls
        .iter()
        .flat_map(|r| r.controls.iter())
        .chain(request.linked_controls.iter())
    {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    request.control_ids = ids;
    request.evidence_count = request.evidence.len() + request.files.len();
    request.overdue = request_is_overdue(request.status, request.due, today);
}

/// Records an attached file as evidence of one control (project and control key), dated
/// `today`, and links it to the request; its id.
fn insert_answer_evidence(
    tx: &Tx<'_>,
    (project, control_key): (i64, i64),
    request: &Request,
    file_name: &str,
    new: &NewRequestFile,
    today: NaiveDate,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO evidence (project_id, control_key, file_name, size_bytes,
             media_type, sha256, description, collected_on, added_by, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            project,
            control_key,
            file_name,
            i64::try_from(new.size_bytes).unwrap_or(i64::MAX),
            new.media_type,
            new.sha256,
            format!("Answer to request {}", request.id),
            today.to_string(),
            tx.actor,
            tx.at
        ],
    )?;
    let evidence_id = tx.last_insert_rowid()?;
    tx.execute(
        "INSERT INTO request_evidence (request_key, evidence_id) VALUES (?1, ?2)",
        params![request.key, evidence_id],
    )?;
    Ok(evidence_id)
}

/// Records an attached file as a file of the request alone; its id.
fn insert_request_file(
    tx: &Tx<'_>,
    request_key: i64,
    file_name: &str,
    new: &NewRequestFile,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO request_files (request_key, file_name, size_bytes, media_type,
             sha256, added_by, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            request_key,
            file_name,
            i64::try_from(new.size_bytes).unwrap_or(i64::MAX),
            new.media_type,
            new.sha256,
            tx.actor,
            tx.at
        ],
    )?;
    Ok(tx.last_insert_rowid()?)
}

/// The fields of a request that `set_request` changes, as they will be.
struct RequestFields {
    response: String,
    owner: String,
    due: Option<NaiveDate>,
    status: RequestStatus,
}

impl RequestFields {
    /// The request's fields with the patch applied (text trimmed).
    fn patched(request: &Request, patch: &RequestPatch) -> Self {
        RequestFields {
            response: patch
                .response
                .as_deref()
                .map(|r| r.trim().to_string())
                .unwrap_or_else(|| request.response.clone()),
            owner: patch
                .owner
                .as_deref()
                .map(|o| o.trim().to_string())
                .unwrap_or_else(|| request.owner.clone()),
            due: patch.due.unwrap_or(request.due),
            status: patch.status.unwrap_or(request.status),
        }
    }

    /// What differs from the request as it stands, field by field.
    fn changes_from(&self, request: &Request) -> Vec<RequestChange> {
        [
            ("response", request.response.clone(), self.response.clone()),
            ("owner", request.owner.clone(), self.owner.clone()),
            ("due", date_text(request.due), date_text(self.due)),
            (
                "status",
                request.status.as_str().to_string(),
                self.status.as_str().to_string(),
            ),
        ]
        .into_iter()
        .filter(|(_, from, to)| from != to)
        .map(|(field, from, to)| RequestChange {
            field: field.to_string(),
            from,
            to,
        })
        .collect()
    }

    /// Stores the fields on the request, and the comment with the status it came with.
    fn write(&self, tx: &Tx<'_>, key: i64, comment: Option<&str>) -> Result<()> {
        tx.execute(
            "UPDATE requests SET response = ?1, owner = ?2, due = ?3, status = ?4,
                 updated_at = ?5 WHERE id = ?6",
            params![
                self.response,
                self.owner,
                self.due.map(|d| d.to_string()),
                self.status.as_str(),
                tx.at,
                key
            ],
        )?;
        if let Some(text) = comment {
            tx.execute(
                "INSERT INTO request_comments (request_key, text, by, at, status)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key, text, tx.actor, tx.at, self.status.as_str()],
            )?;
        }
        Ok(())
    }
}

fn date_text(day: Option<NaiveDate>) -> String {
    day.map(|d| d.to_string()).unwrap_or_default()
}

fn other_json(other: &[OtherColumn]) -> String {
    serde_json::to_string(other).unwrap_or_else(|_| "[]".to_string())
}

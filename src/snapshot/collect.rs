//! Taking the snapshot a pack shows: the project as it stood on the as-of date.
//!
//! Control values are the current ones with every later edit undone, using the `from`
//! values the activity log recorded; evidence is what had been attached and not yet
//! removed on that day; the roster counts completions up to that day. Patch records and the
//! activity excerpt are limited to the audit period.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::names::{Folder, safe_component};
use super::{
    PackAttachment, PackAwsReport, PackControl, PackData, PackEvidence, PackKind, PackRequest,
    PackRequestFile,
};
use crate::model::{
    Action, AttachmentKind, Column, Control, ControlField, Coverage, DateRange, Evidence, Project,
    RequestChange, RoleHolder, Status, SystemFacts, SystemRole, SystemUser, coverage,
    media_type_for, request_is_overdue,
};
use crate::store::{
    ActivityEntry, CuecLine, Finding, PatchRecord, Request, Result, Signoff, Store, StoreError,
};

/// Puts a field of a control back to an earlier value.
fn set_field(control: &mut Control, field: ControlField, value: &str) {
    match field {
        ControlField::Title => control.title = value.to_string(),
        ControlField::Description => control.description = value.to_string(),
        ControlField::Column => {
            if let Ok(column) = value.parse::<Column>() {
                control.column = column;
            }
        }
        ControlField::Status => {
            if let Ok(status) = value.parse::<Status>() {
                control.status = status;
            }
        }
        ControlField::StatusReason => control.status_reason = value.to_string(),
        ControlField::Owner => control.owner = value.to_string(),
        ControlField::Due => control.due = value.parse().ok(),
        ControlField::ReviewDays => control.review_days = value.parse().ok(),
        ControlField::Notes => control.notes = value.to_string(),
        ControlField::AwsPart => control.aws_part = value.to_string(),
        ControlField::CustomerPart => control.customer_part = value.to_string(),
    }
}

/// Takes the snapshot of `project` as of `as_of`; `period` limits the patches and the
/// activity excerpt (default: the project's audit period, else from its creation to the
/// as-of date). Everything is read in one snapshot, so an edit landing meanwhile cannot
/// make the pack disagree with itself. Days are counted in the workspace's time zone.
pub fn collect(
    store: &Store,
    project: i64,
    as_of: NaiveDate,
    period: Option<(NaiveDate, NaiveDate)>,
) -> Result<PackData> {
    store.read(|store| collect_snapshot(store, project, as_of, period))
}

fn collect_snapshot(
    store: &Store,
    project: i64,
    as_of: NaiveDate,
    period: Option<(NaiveDate, NaiveDate)>,
) -> Result<PackData> {
    let project = store.project(project)?;
    let (from, to) = period.unwrap_or_else(|| audit_period(store, &project, as_of));
    let activity = store.activity(Some(project.key), None)?;
    let last_activity = activity
        .iter()
        .rev()
        .find(|e| store.day_of(&e.at).is_some_and(|day| day <= as_of))
        .map(|e| (e.seq, e.at.clone()));
    let rewound = Rewound::as_of(store, project.key, &activity, as_of)?;
    let signoffs = signoffs_by(store, project.key, as_of)?;

    // Paths are handed out in pack order, so the same snapshot always gets the same names.
    let mut control_folders: BTreeMap<Column, Folder> = BTreeMap::new();
    let evidence = store.evidence(project.key, None)?;
    let pack_controls = pack_controls(
        store,
        &rewound.controls,
        &evidence,
        &signoffs,
        as_of,
        &mut control_folders,
    );
    let aws_reports = pack_aws_reports(store, as_of, &mut control_folders)?;
    let attachments = pack_attachments(store, project.key, as_of, &pack_controls)?;

    let project_key = project.key;
    let resolved_catalog = match &project.baseline {
        Some(name) => store.resolved_catalog(name).ok().flatten(),
        None => None,
    };
    let coverage = period_coverage(&project, &aws_reports);
    let cuecs = pack_cuecs(store, project.key, &aws_reports, &pack_controls)?;
    let requests = pack_requests(
        store,
        project.key,
        as_of,
        &activity,
        Some(&pack_controls),
        None,
    )?;

    let patches = patches_between(store, project.key, as_of, from, to)?;
    let activity = activity_between(store, activity, from, to);
    Ok(PackData {
        findings: findings_as_of(store, project.key, as_of)?,
        package_uri: store.package_uri(project.key)?,
        roster: store.training_roster(as_of)?,
        deadlines: store.patch_deadlines(project.key)?,
        generated_by: store.user_name()?,
        generator: format!("Lockstep {}", env!("CARGO_PKG_VERSION")),
        project,
        as_of,
        from,
        to,
        controls: pack_controls,
        patches,
        signoffs,
        activity,
        aws_reports,
        coverage,
        cuecs,
        kind: PackKind::Full,
        requests,
        last_activity,
        system: rewound.system,
        roles: rewound.roles,
        users: rewound.users,
        parameters: rewound.parameters,
        attachments,
        resolved_catalog,
        assets: store.assets(project_key)?,
    })
}

/// The project's sign-offs made by the as-of date.
fn signoffs_by(store: &Store, project: i64, as_of: NaiveDate) -> Result<Vec<Signoff>> {
    Ok(store
        .signoffs(project)?
        .into_iter()
        .filter(|s| store.zone().day_of(s.signed_at) <= as_of)
        .collect())
}

/// The patch records (as of `as_of`) of patches released in the period `from`..=`to`.
fn patches_between(
    store: &Store,
    project: i64,
    as_of: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<PatchRecord>> {
    Ok(store
        .patch_records(project, as_of)?
        .into_iter()
        .filter(|p| p.released_on >= from && p.released_on <= to && p.released_on <= as_of)
        .collect())
}

/// The activity log's excerpt for the period `from`..=`to`.
fn activity_between(
    store: &Store,
    activity: Vec<ActivityEntry>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<ActivityEntry> {
    activity
        .into_iter()
        .filter(|e| {
            store
                .day_of(&e.at)
                .is_some_and(|day| day >= from && day <= to)
        })
        .collect()
}

/// How AWS's reports cover the project's audit period, when it has one.
fn period_coverage(project: &Project, aws_reports: &[PackAwsReport]) -> Option<Coverage> {
    let (Some(from), Some(to)) = (project.period_start, project.period_end) else {
        return None;
    };
    let spans: Vec<_> = aws_reports.iter().map(|r| r.report.span()).collect();
    Some(coverage(DateRange { from, to }, &spans, &project.services))
}

/// The project's audit period, or, while it has none, from its creation to the as-of date.
fn audit_period(store: &Store, project: &Project, as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    let created = store.zone().day_of(project.created_at);
    match (project.period_start, project.period_end) {
        (Some(start), Some(end)) => (start, end),
        _ => (created.min(as_of), as_of),
    }
}

/// The project's controls and system as they stood on the as-of date.
struct Rewound {
    /// The controls not retired and not added after the as-of date.
    controls: Vec<Control>,
    system: SystemFacts,
    /// Role holders in [`SystemRole::ALL`]'s order.
    roles: Vec<RoleHolder>,
    /// Kinds of users, by title.
    users: Vec<SystemUser>,
    parameters: BTreeMap<String, String>,
}

impl Rewound {
    /// Reads the current values and undoes, newest first, every edit made after `as_of`;
    /// controls added after it are left out.
    fn as_of(
        store: &Store,
        project: i64,
        activity: &[ActivityEntry],
        as_of: NaiveDate,
    ) -> Result<Self> {
        let mut rewound = Rewound {
            controls: store.controls(project)?,
            system: store.system_facts(project)?,
            roles: store.system_roles(project)?,
            users: store.system_users(project)?,
            parameters: store.parameter_values(project)?,
        };
        let mut added_later = Vec::new();
        for entry in activity.iter().rev() {
            if store.day_of(&entry.at).is_none_or(|day| day <= as_of) {
                break;
            }
            match entry.typed() {
                Some(Action::ControlAdd { .. }) => added_later.push(entry.subject.clone()),
                Some(action) => rewound.undo(store, &entry.subject, action),
                None => {}
            }
        }
        rewound
            .controls
            .retain(|c| !c.retired && !added_later.contains(&c.id));
        rewound.users.sort_by_key(|u| u.title.to_lowercase());
        rewound
            .roles
            .sort_by_key(|h| SystemRole::ALL.iter().position(|r| *r == h.role));
        Ok(rewound)
    }

    /// Undoes one logged edit (of `subject`) of a control, a system fact, a role, a kind of
    /// user or a parameter; other actions change nothing here.
    fn undo(&mut self, store: &Store, subject: &str, action: Action) {
        match action {
            Action::ControlUpdate { changes } => {
                if let Some(control) = self.controls.iter_mut().find(|c| c.id == subject) {
                    for change in changes.iter().rev() {
                        set_field(control, change.field, &change.from);
                    }
                }
            }
            Action::SystemSet { changes } => {
                for change in changes.iter().rev() {
                    self.system.set(change.fact, change.from.clone());
                }
            }
            Action::RoleAssign { role, from, .. } => {
                self.roles.retain(|h| h.role != role);
                if let Some(email) = from
                    && let Ok(person) = store.person(&email)
                {
                    self.roles.push(RoleHolder {
                        role,
                        name: person.name,
                        email: person.email,
                    });
                }
            }
            Action::SystemUserSet { from, to } => {
                if let Some(to) = to {
                    self.users
                        .retain(|u| !u.title.eq_ignore_ascii_case(&to.title));
                }
                if let Some(from) = from {
                    self.users
                        .retain(|u| !u.title.eq_ignore_ascii_case(&from.title));
                    self.users.push(from);
                }
            }
            Action::ParameterSet { param, from, .. } => match from {
                Some(value) => {
                    self.parameters.insert(param, value);
                }
                None => {
                    self.parameters.remove(&param);
                }
            },
            _ => {}
        }
    }
}

/// The controls in pack order (column by column), each with its folder under `evidence/`,
/// the evidence current on the as-of date and its sign-offs.
fn pack_controls(
    store: &Store,
    controls: &[Control],
    evidence: &[Evidence],
    signoffs: &[Signoff],
    as_of: NaiveDate,
    control_folders: &mut BTreeMap<Column, Folder>,
) -> Vec<PackControl> {
    let mut pack_controls = Vec::with_capacity(controls.len());
    for column in Column::ALL {
        for control in controls.iter().filter(|c| c.column == column) {
            let folder_name = control_folders
                .entry(column)
                .or_default()
                .name(&format!("{} {}", control.id, control.title));
            let folder = format!("evidence/{}/{folder_name}", safe_component(column.as_str()));
            pack_controls.push(PackControl {
                overdue: control.is_overdue(as_of),
                evidence: evidence_as_of(store, evidence, &control.id, as_of, &folder),
                signoffs: signoffs
                    .iter()
                    .filter(|s| s.subject_kind == "control" && s.subject_key == control.id)
                    .cloned()
                    .collect(),
                control: control.clone(),
            });
        }
    }
    pack_controls
}

/// The evidence of control `id` current on the as-of date, filed in `folder`.
fn evidence_as_of(
    store: &Store,
    evidence: &[Evidence],
    id: &str,
    as_of: NaiveDate,
    folder: &str,
) -> Vec<PackEvidence> {
    let mut files = Folder::default();
    evidence
        .iter()
        .filter(|e| e.control == id)
        .filter(|e| store.zone().day_of(e.added_at) <= as_of)
        .filter(|e| {
            !e.removed
                || e.removed_at
                    .is_some_and(|at| store.zone().day_of(at) > as_of)
        })
        .map(|e| {
            let mut shown = e.clone();
            // Removed after the as-of date: on that day it was still current.
            shown.removed = false;
            shown.removed_at = None;
            shown.removed_by = None;
            shown.removed_reason = None;
            PackEvidence {
                path: format!("{folder}/{}", files.name(&e.file_name)),
                evidence: shown,
            }
        })
        .collect()
}

/// AWS's reports as they stood on the as-of date, filed beside the AWS column's controls.
fn pack_aws_reports(
    store: &Store,
    as_of: NaiveDate,
    control_folders: &mut BTreeMap<Column, Folder>,
) -> Result<Vec<PackAwsReport>> {
    let mut aws_reports = Vec::new();
    for report in store.aws_reports()? {
        let added = store.zone().day_of(report.added_at) <= as_of;
        let removed = report
            .removed_at
            .is_some_and(|at| store.zone().day_of(at) <= as_of);
        if !added || removed {
            continue;
        }
        let mut shown = report;
        shown.removed = false;
        shown.removed_at = None;
        shown.removed_by = None;
        shown.removed_reason = None;
        let folder = control_folders
            .entry(Column::Aws)
            .or_default()
            .name(&format!("AWS report {} {}", shown.id, shown.title));
        let mut files = Folder::default();
        let base = format!("evidence/{}/{folder}", safe_component(Column::Aws.as_str()));
        let path = format!("{base}/{}", files.name(&shown.file_name));
        let bridge_path = shown
            .bridge_letter
            .as_ref()
            .map(|letter| format!("{base}/{}", files.name(&letter.file_name)));
        aws_reports.push(PackAwsReport {
            report: shown,
            path,
            bridge_path,
        });
    }
    Ok(aws_reports)
}

/// The plan's documents as they stood on the as-of date, for controls the pack keeps; a
/// file attached several times (a policy for several controls) is carried once.
fn pack_attachments(
    store: &Store,
    project: i64,
    as_of: NaiveDate,
    pack_controls: &[PackControl],
) -> Result<Vec<PackAttachment>> {
    let mut attachments = Vec::new();
    let mut attachment_folders: BTreeMap<AttachmentKind, Folder> = BTreeMap::new();
    let mut placed: BTreeMap<(AttachmentKind, String), String> = BTreeMap::new();
    for attachment in store.attachments(project)? {
        let added = store.zone().day_of(attachment.added_at) <= as_of;
        let removed = attachment
            .removed_at
            .is_some_and(|at| store.zone().day_of(at) <= as_of);
        let kept = attachment
            .control
            .as_ref()
            .is_none_or(|id| pack_controls.iter().any(|pc| &pc.control.id == id));
        if !added || removed || !kept {
            continue;
        }
        let mut shown = attachment;
        shown.removed_at = None;
        shown.removed_reason = None;
        let path = placed
            .entry((shown.kind, shown.sha256.clone()))
            .or_insert_with(|| {
                let name = attachment_folders
                    .entry(shown.kind)
                    .or_default()
                    .name(&shown.file_name);
                format!("attachments/{}/{name}", shown.kind.as_str())
            })
            .clone();
        attachments.push(PackAttachment {
            attachment: shown,
            path,
        });
    }
    Ok(attachments)
}

/// The CUEC table's lines of the reports the pack carries, with the mapped controls'
/// statuses as of the pack's date; controls the pack leaves out drop out here too.
fn pack_cuecs(
    store: &Store,
    project: i64,
    aws_reports: &[PackAwsReport],
    pack_controls: &[PackControl],
) -> Result<Vec<CuecLine>> {
    Ok(store
        .cuec_table(project)?
        .into_iter()
        .filter(|line| {
            aws_reports
                .iter()
                .any(|r| r.report.id == line.cuec.report_id)
        })
        .map(|mut line| {
            line.controls.retain_mut(|mapped| {
                match pack_controls.iter().find(|pc| pc.control.id == mapped.id) {
                    Some(pc) => {
                        mapped.status = pc.control.status;
                        true
                    }
                    None => false,
                }
            });
            line
        })
        .collect())
}

/// The findings imported by the as-of date (the import's UTC day), with their states as of
/// then.
fn findings_as_of(store: &Store, project: i64, as_of: NaiveDate) -> Result<Vec<Finding>> {
    Ok(store
        .findings(project, as_of)?
        .into_iter()
        .filter(|f| f.imported_at.date_naive() <= as_of)
        .collect())
}

/// Takes the snapshot of a delivery pack: only the requests `ids` of `project` (in list
/// order), each with its response and the files that answer it, as of `as_of`. An id the
/// project does not have is refused.
pub fn collect_requests(
    store: &Store,
    project: i64,
    ids: &[String],
    as_of: NaiveDate,
) -> Result<PackData> {
    store.read(|store| {
        if let Some(unknown) = store.unknown_requests(project, ids)?.into_iter().next() {
            return Err(StoreError::UnknownRequest(unknown));
        }
        let project = store.project(project)?;
        let (from, to) = audit_period(store, &project, as_of);
        let activity = store.activity(Some(project.key), None)?;
        let requests = pack_requests(store, project.key, as_of, &activity, None, Some(ids))?;
        Ok(PackData {
            findings: Vec::new(),
            package_uri: String::new(),
            deadlines: store.patch_deadlines(project.key)?,
            generated_by: store.user_name()?,
            generator: format!("Lockstep {}", env!("CARGO_PKG_VERSION")),
            project,
            as_of,
            from,
            to,
            controls: Vec::new(),
            roster: Vec::new(),
            patches: Vec::new(),
            signoffs: Vec::new(),
            activity: Vec::new(),
            aws_reports: Vec::new(),
            coverage: None,
            cuecs: Vec::new(),
            kind: PackKind::Requests,
            requests,
            last_activity: None,
            system: SystemFacts::default(),
            roles: Vec::new(),
            users: Vec::new(),
            parameters: Default::default(),
            attachments: Vec::new(),
            resolved_catalog: None,
            assets: Vec::new(),
        })
    })
}

/// The first words of a request, for its folder's name.
fn short_title(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() <= MAX_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(MAX_CHARS).collect();
    match cut.rsplit_once(' ') {
        Some((words, _)) if !words.is_empty() => words.to_string(),
        _ => cut,
    }
}

/// Puts a field of a request back to an earlier value.
fn set_request_field(request: &mut Request, change: &RequestChange) {
    let value = change.from.as_str();
    match change.field.as_str() {
        "status" => {
            if let Ok(status) = value.parse() {
                request.status = status;
            }
        }
        "response" => request.response = value.to_string(),
        "owner" => request.owner = value.to_string(),
        "due" => request.due = value.parse().ok(),
        "request" => request.request = value.to_string(),
        "priority" => request.priority = value.to_string(),
        _ => {}
    }
}

/// The requests a pack shows, as they stood on `as_of`: every request of the project (a
/// full pack, whose evidence is already filed under its controls in `controls`), or only
/// those named (a delivery, which copies every file into the request's folder).
fn pack_requests(
    store: &Store,
    project: i64,
    as_of: NaiveDate,
    activity: &[ActivityEntry],
    controls: Option<&[PackControl]>,
    only: Option<&[String]>,
) -> Result<Vec<PackRequest>> {
    let requests = requests_as_of(store, project, as_of, activity, only)?;
    let mut folders = Folder::default();
    let mut shown = Vec::with_capacity(requests.len());
    for request in requests {
        shown.push(pack_request(
            store,
            project,
            as_of,
            controls,
            request,
            &mut folders,
        )?);
    }
    Ok(shown)
}

/// The project's requests added by `as_of` (only those named in `only`, when given), with
/// every change made after that day undone, newest first.
fn requests_as_of(
    store: &Store,
    project: i64,
    as_of: NaiveDate,
    activity: &[ActivityEntry],
    only: Option<&[String]>,
) -> Result<Vec<Request>> {
    let mut requests: Vec<Request> = store
        .requests(project)?
        .into_iter()
        .filter(|r| store.zone().day_of(r.added_at) <= as_of)
        .filter(|r| {
            only.is_none_or(|ids| ids.iter().any(|id| id.trim().eq_ignore_ascii_case(&r.id)))
        })
        .collect();
    for entry in activity.iter().rev() {
        if store.day_of(&entry.at).is_none_or(|day| day <= as_of) {
            break;
        }
        match entry.typed() {
            Some(Action::RequestUpdate { changes, .. }) => {
                if let Some(request) = requests.iter_mut().find(|r| r.id == entry.subject) {
                    for change in changes.iter().rev() {
                        set_request_field(request, change);
                    }
                }
            }
            Some(Action::RequestImport { changes, .. }) => {
                for item in changes.iter().rev() {
                    if let Some(request) = requests.iter_mut().find(|r| r.id == item.request) {
                        for change in item.changes.iter().rev() {
                            set_request_field(request, change);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(requests)
}

/// One request as the pack shows it: its comments and files up to `as_of`, its folder
/// (named in `folders`), its response file (a delivery only) and the files that answer it.
fn pack_request(
    store: &Store,
    project: i64,
    as_of: NaiveDate,
    controls: Option<&[PackControl]>,
    mut request: Request,
    folders: &mut Folder,
) -> Result<PackRequest> {
    let on_or_before = |at: &str| store.day_of(at).is_some_and(|day| day <= as_of);
    request.comments.retain(|c| on_or_before(&c.at));
    request
        .files
        .retain(|f| store.zone().day_of(f.added_at) <= as_of);
    request.overdue = request_is_overdue(request.status, request.due, as_of);
    let folder = format!(
        "requests/{}",
        folders.name(&format!("{} {}", request.id, short_title(&request.request)))
    );
    let mut names = Folder::default();
    let response_path = match controls {
        None if !request.response.is_empty() => {
            Some(format!("{folder}/{}", names.name("response.txt")))
        }
        _ => None,
    };
    let mut files = Vec::new();
    let mut evidence_ids = Vec::new();
    for evidence_id in &request.evidence {
        let file = match controls {
            Some(controls) => filed_evidence(controls, *evidence_id),
            None => copied_evidence(store, project, as_of, *evidence_id, &folder, &mut names)?,
        };
        if let Some(file) = file {
            evidence_ids.push(*evidence_id);
            files.push(file);
        }
    }
    for file in &request.files {
        files.push(PackRequestFile {
            path: format!("{folder}/{}", names.name(&file.file_name)),
            file_name: file.file_name.clone(),
            sha256: file.sha256.clone(),
            size_bytes: file.size_bytes,
            media_type: if file.media_type.is_empty() {
                media_type_for(&file.file_name).to_string()
            } else {
                file.media_type.clone()
            },
            evidence: None,
            copied: true,
        });
    }
    request.evidence = evidence_ids;
    request.evidence_count = request.evidence.len() + request.files.len();
    Ok(PackRequest {
        request,
        folder,
        response_path,
        files,
    })
}

/// In a full pack, a request's evidence points at the copy already filed under its control;
/// evidence the pack does not carry is left out.
fn filed_evidence(controls: &[PackControl], evidence_id: i64) -> Option<PackRequestFile> {
    let (pc, e) = controls.iter().find_map(|pc| {
        pc.evidence
            .iter()
            .find(|e| e.evidence.id == evidence_id)
            .map(|e| (pc, e))
    })?;
    Some(PackRequestFile {
        path: e.path.clone(),
        file_name: e.evidence.file_name.clone(),
        sha256: e.evidence.sha256.clone(),
        size_bytes: e.evidence.size_bytes,
        media_type: e.evidence.media_type.clone(),
        evidence: Some((e.evidence.id, pc.control.id.clone())),
        copied: false,
    })
}

/// In a delivery, a request's evidence is copied into the request's folder; evidence
/// removed, or added after `as_of`, is left out.
fn copied_evidence(
    store: &Store,
    project: i64,
    as_of: NaiveDate,
    evidence_id: i64,
    folder: &str,
    names: &mut Folder,
) -> Result<Option<PackRequestFile>> {
    let e = store.evidence_by_id(project, evidence_id)?;
    if e.removed || store.zone().day_of(e.added_at) > as_of {
        return Ok(None);
    }
    Ok(Some(PackRequestFile {
        path: format!("{folder}/{}", names.name(&e.file_name)),
        file_name: e.file_name,
        sha256: e.sha256,
        size_bytes: e.size_bytes,
        media_type: e.media_type,
        evidence: Some((e.id, e.control)),
        copied: true,
    }))
}

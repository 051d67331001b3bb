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
    Action, AttachmentKind, Column, Control, ControlField, DateRange, RequestChange, RoleHolder,
    Status, SystemFacts, coverage, media_type_for, request_is_overdue,
};
use crate::store::{ActivityEntry, Request, Result, Store, StoreError};

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
    let created = store.zone().day_of(project.created_at);
    let (from, to) = period.unwrap_or(match (project.period_start, project.period_end) {
        (Some(start), Some(end)) => (start, end),
        _ => (created.min(as_of), as_of),
    });
    let activity = store.activity(Some(project.key), None)?;
    let last_activity = activity
        .iter()
        .rev()
        .find(|e| store.day_of(&e.at).is_some_and(|day| day <= as_of))
        .map(|e| (e.seq, e.at.clone()));

    // Undo, newest first, every edit made after the as-of date; leave out controls added
    // after it.
    let mut controls: Vec<Control> = store.controls(project.key)?;
    let mut system = store.system_facts(project.key)?;
    let mut roles = store.system_roles(project.key)?;
    let mut users = store.system_users(project.key)?;
    let mut parameters = store.parameter_values(project.key)?;
    let mut added_later = Vec::new();
    for entry in activity.iter().rev() {
        if store.day_of(&entry.at).is_none_or(|day| day <= as_of) {
            break;
        }
        match entry.typed() {
            Some(Action::ControlUpdate { changes }) => {
                if let Some(control) = controls.iter_mut().find(|c| c.id == entry.subject) {
                    for change in changes.iter().rev() {
                        set_field(control, change.field, &change.from);
                    }
                }
            }
            Some(Action::ControlAdd { .. }) => added_later.push(entry.subject.clone()),
            Some(Action::SystemSet { changes }) => {
                for change in changes.iter().rev() {
                    system.set(change.fact, change.from.clone());
                }
            }
            Some(Action::RoleAssign { role, from, .. }) => {
                roles.retain(|h| h.role != role);
                if let Some(email) = from
                    && let Ok(person) = store.person(&email)
                {
                    roles.push(RoleHolder {
                        role,
                        name: person.name,
                        email: person.email,
                    });
                }
            }
            Some(Action::SystemUserSet { from, to }) => {
                if let Some(to) = to {
                    users.retain(|u| !u.title.eq_ignore_ascii_case(&to.title));
                }
                if let Some(from) = from {
                    users.retain(|u| !u.title.eq_ignore_ascii_case(&from.title));
                    users.push(from);
                }
            }
            Some(Action::ParameterSet { param, from, .. }) => match from {
                Some(value) => {
                    parameters.insert(param, value);
                }
                None => {
                    parameters.remove(&param);
                }
            },
            _ => {}
        }
    }
    controls.retain(|c| !c.retired && !added_later.contains(&c.id));
    users.sort_by_key(|u| u.title.to_lowercase());
    roles.sort_by_key(|h| {
        crate::model::SystemRole::ALL
            .iter()
            .position(|r| *r == h.role)
    });

    let evidence = store.evidence(project.key, None)?;
    let signoffs: Vec<_> = store
        .signoffs(project.key)?
        .into_iter()
        .filter(|s| store.zone().day_of(s.signed_at) <= as_of)
        .collect();

    // Paths are handed out in pack order, so the same snapshot always gets the same names.
    let mut control_folders: BTreeMap<Column, Folder> = BTreeMap::new();
    let mut pack_controls = Vec::with_capacity(controls.len());
    for column in Column::ALL {
        for control in controls.iter().filter(|c| c.column == column) {
            let folder_name = control_folders
                .entry(column)
                .or_default()
                .name(&format!("{} {}", control.id, control.title));
            let mut files = Folder::default();
            let current: Vec<PackEvidence> = evidence
                .iter()
                .filter(|e| e.control == control.id)
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
                        path: format!(
                            "evidence/{}/{}/{}",
                            safe_component(column.as_str()),
                            folder_name,
                            files.name(&e.file_name)
                        ),
                        evidence: shown,
                    }
                })
                .collect();
            pack_controls.push(PackControl {
                overdue: control.is_overdue(as_of),
                evidence: current,
                signoffs: signoffs
                    .iter()
                    .filter(|s| s.subject_kind == "control" && s.subject_key == control.id)
                    .cloned()
                    .collect(),
                control: control.clone(),
            });
        }
    }

    // AWS's reports as they stood on the as-of date, filed beside the AWS column's controls.
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
    // The plan's documents as they stood on the as-of date, for controls the pack keeps; a
    // file attached several times (a policy for several controls) is carried once.
    let mut attachments = Vec::new();
    let mut attachment_folders: BTreeMap<AttachmentKind, Folder> = BTreeMap::new();
    let mut placed: BTreeMap<(AttachmentKind, String), String> = BTreeMap::new();
    for attachment in store.attachments(project.key)? {
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

    let project_key = project.key;
    let resolved_catalog = match &project.baseline {
        Some(name) => store.resolved_catalog(name).ok().flatten(),
        None => None,
    };
    let coverage = match (project.period_start, project.period_end) {
        (Some(from), Some(to)) => {
            let spans: Vec<_> = aws_reports.iter().map(|r| r.report.span()).collect();
            Some(coverage(DateRange { from, to }, &spans, &project.services))
        }
        _ => None,
    };

    let cuecs = store
        .cuec_table(project.key)?
        .into_iter()
        .filter(|line| {
            aws_reports
                .iter()
                .any(|r| r.report.id == line.cuec.report_id)
        })
        .map(|mut line| {
            // Statuses as of the pack's date; controls the pack leaves out drop out here too.
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
        .collect();

    let requests = pack_requests(
        store,
        project.key,
        as_of,
        &activity,
        Some(&pack_controls),
        None,
    )?;

    let patches = store
        .patch_records(project.key, as_of)?
        .into_iter()
        .filter(|p| p.released_on >= from && p.released_on <= to && p.released_on <= as_of)
        .collect();
    let activity = activity
        .into_iter()
        .filter(|e| {
            store
                .day_of(&e.at)
                .is_some_and(|day| day >= from && day <= to)
        })
        .collect();
    // Imported by the as-of date (the import's UTC day), with their states as of then.
    let findings = store
        .findings(project.key, as_of)?
        .into_iter()
        .filter(|f| f.imported_at.date_naive() <= as_of)
        .collect();
    Ok(PackData {
        findings,
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
        system,
        roles,
        users,
        parameters,
        attachments,
        resolved_catalog,
        assets: store.assets(project_key)?,
    })
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
        let created = store.zone().day_of(project.created_at);
        let (from, to) = match (project.period_start, project.period_end) {
            (Some(start), Some(end)) => (start, end),
            _ => (created.min(as_of), as_of),
        };
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
    let on_or_before = |at: &str| store.day_of(at).is_some_and(|day| day <= as_of);
    let mut requests: Vec<Request> = store
        .requests(project)?
        .into_iter()
        .filter(|r| store.zone().day_of(r.added_at) <= as_of)
        .filter(|r| {
            only.is_none_or(|ids| ids.iter().any(|id| id.trim().eq_ignore_ascii_case(&r.id)))
        })
        .collect();
    // Undo, newest first, every change made after the as-of date.
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
    let mut folders = Folder::default();
    let mut shown = Vec::with_capacity(requests.len());
    for mut request in requests {
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
            match controls {
                Some(controls) => {
                    let found = controls.iter().find_map(|pc| {
                        pc.evidence
                            .iter()
                            .find(|e| e.evidence.id == *evidence_id)
                            .map(|e| (pc, e))
                    });
                    if let Some((pc, e)) = found {
                        evidence_ids.push(*evidence_id);
                        files.push(PackRequestFile {
                            path: e.path.clone(),
                            file_name: e.evidence.file_name.clone(),
                            sha256: e.evidence.sha256.clone(),
                            size_bytes: e.evidence.size_bytes,
                            media_type: e.evidence.media_type.clone(),
                            evidence: Some((e.evidence.id, pc.control.id.clone())),
                            copied: false,
                        });
                    }
                }
                None => {
                    let e = store.evidence_by_id(project, *evidence_id)?;
                    if e.removed || store.zone().day_of(e.added_at) > as_of {
                        continue;
                    }
                    evidence_ids.push(*evidence_id);
                    files.push(PackRequestFile {
                        path: format!("{folder}/{}", names.name(&e.file_name)),
                        file_name: e.file_name,
                        sha256: e.sha256,
                        size_bytes: e.size_bytes,
                        media_type: e.media_type,
                        evidence: Some((e.id, e.control)),
                        copied: true,
                    });
                }
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
        shown.push(PackRequest {
            request,
            folder,
            response_path,
            files,
        });
    }
    Ok(shown)
}

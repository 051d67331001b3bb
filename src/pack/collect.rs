//! Taking the snapshot a pack shows: the project as it stood on the as-of date.
//!
//! Control values are the current ones with every later edit undone, using the `from`
//! values the activity log recorded; evidence is what had been attached and not yet
//! removed on that day; the roster counts completions up to that day. Patch records and the
//! activity excerpt are limited to the audit period.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::names::{Folder, safe_component};
use super::{PackAwsReport, PackControl, PackData, PackEvidence};
use crate::model::{Action, Column, Control, ControlField, DateRange, Status, coverage};
use crate::store::{Result, Store};

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
    let created = store.day_of(&project.created_at).unwrap_or(as_of);
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
            _ => {}
        }
    }
    controls.retain(|c| !c.retired && !added_later.contains(&c.id));

    let evidence = store.evidence(project.key, None)?;
    let signoffs: Vec<_> = store
        .signoffs(project.key)?
        .into_iter()
        .filter(|s| store.day_of(&s.signed_at).is_some_and(|day| day <= as_of))
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
                .filter(|e| store.day_of(&e.added_at).is_some_and(|day| day <= as_of))
                .filter(|e| {
                    !e.removed
                        || e.removed_at
                            .as_deref()
                            .and_then(|at| store.day_of(at))
                            .is_some_and(|day| day > as_of)
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
        let added = store
            .day_of(&report.added_at)
            .is_some_and(|day| day <= as_of);
        let removed = report
            .removed_at
            .as_deref()
            .is_some_and(|at| store.day_of(at).is_none_or(|day| day <= as_of));
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
    Ok(PackData {
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
        last_activity,
    })
}

//! The tables behind the CSV files and the workbook: one row per control, evidence file,
//! roster entry, patch record, sign-off, activity entry, AWS report and CUEC.
//!
//! Both the CSV writer and the workbook read these rows, so the two always carry the same
//! columns in the same order. Cells are typed ([`Cell`]) so the workbook can write numbers
//! and dates as such while the CSV files write them as text.

use super::super::{PackData, PackKind};
use super::table::{Cell, Table};
use crate::model::stamp;

fn size_number(size_bytes: u64) -> Cell {
    Cell::Number(Some(i64::try_from(size_bytes).unwrap_or(i64::MAX)))
}

/// The tables, in pack order: the eight of every full pack, then the requests and the
/// findings when the project has any; a delivery pack has the requests alone.
pub(super) fn tables(data: &PackData) -> Vec<Table> {
    if data.kind == PackKind::Requests {
        return vec![super::requests::requests_table(data)];
    }
    let mut tables = vec![
        controls_table(data),
        evidence_table(data),
        training_table(data),
        patches_table(data),
        signoffs_table(data),
        activity_table(data),
        aws_reports_table(data),
        cuecs_table(data),
    ];
    if !data.requests.is_empty() {
        tables.push(super::requests::requests_table(data));
    }
    if !data.findings.is_empty() {
        tables.push(findings_table(data));
    }
    tables
}

fn findings_table(data: &PackData) -> Table {
    let rows = data
        .findings
        .iter()
        .map(|f| {
            vec![
                Cell::text(&f.id),
                Cell::text(f.source.as_str()),
                Cell::text(&f.source_id),
                Cell::text(f.kind.as_str()),
                Cell::text(&f.account),
                Cell::text(&f.resource),
                Cell::text(&f.vulnerability),
                Cell::text(&f.check),
                Cell::Text(f.controls.join(" ")),
                Cell::text(&f.title),
                Cell::text(f.severity.as_str()),
                Cell::text(f.effective_severity.as_str()),
                Cell::Stamp(crate::model::stamp(&f.first_seen)),
                Cell::Date(f.deadline),
                Cell::Date(f.closed_on.filter(|day| *day <= data.as_of)),
                Cell::text(f.state.as_str()),
                Cell::Text(
                    f.deviation
                        .as_ref()
                        .map(|d| format!("{} ({})", d.kind.as_str(), d.state.as_str()))
                        .unwrap_or_default(),
                ),
            ]
        })
        .collect();
    Table {
        file: "findings.csv",
        sheet: "Findings",
        header: &[
            "id",
            "source",
            "source_id",
            "kind",
            "account",
            "resource",
            "vulnerability",
            "check",
            "controls",
            "title",
            "severity",
            "effective_severity",
            "first_seen",
            "deadline",
            "closed_on",
            "state",
            "deviation",
        ],
        rows,
    }
}

fn cuecs_table(data: &PackData) -> Table {
    let rows = data
        .cuecs
        .iter()
        .map(|line| {
            let ids: Vec<&str> = line.controls.iter().map(|c| c.id.as_str()).collect();
            let statuses: Vec<&str> = line.controls.iter().map(|c| c.status.as_str()).collect();
            vec![
                Cell::Number(Some(line.cuec.id)),
                Cell::Number(Some(line.cuec.report_id)),
                Cell::text(&line.report_title),
                Cell::text(&line.cuec.text),
                Cell::text(&line.cuec.criteria),
                Cell::Text(ids.join(";")),
                Cell::Text(statuses.join(";")),
                Cell::Flag(!line.controls.is_empty()),
            ]
        })
        .collect();
    Table {
        file: "cuecs.csv",
        sheet: "CUECs",
        header: &[
            "cuec_id",
            "report_id",
            "report",
            "cuec",
            "criteria",
            "controls",
            "control_statuses",
            "mapped",
        ],
        rows,
    }
}

fn aws_reports_table(data: &PackData) -> Table {
    let rows = data
        .aws_reports
        .iter()
        .map(|item| {
            let r = &item.report;
            vec![
                Cell::Number(Some(r.id)),
                Cell::text(r.kind.as_str()),
                Cell::text(&r.title),
                Cell::Date(r.period_start),
                Cell::Date(r.period_end),
                Cell::Date(r.bridge_until),
                Cell::Date(r.valid_until),
                Cell::Text(r.services.join(",")),
                Cell::text(&r.file_name),
                Cell::text(&item.path),
                size_number(r.size_bytes),
                Cell::text(&r.sha256),
                Cell::Text(item.bridge_path.clone().unwrap_or_default()),
                Cell::Text(
                    r.bridge_letter
                        .as_ref()
                        .map(|b| b.sha256.clone())
                        .unwrap_or_default(),
                ),
                Cell::text(&r.added_by),
                Cell::Stamp(stamp(&r.added_at)),
            ]
        })
        .collect();
    Table {
        file: "aws-reports.csv",
        sheet: "AWS reports",
        header: &[
            "report_id",
            "kind",
            "title",
            "period_start",
            "period_end",
            "bridge_until",
            "valid_until",
            "services",
            "file_name",
            "path",
            "size_bytes",
            "sha256",
            "bridge_letter_path",
            "bridge_letter_sha256",
            "added_by",
            "added_at",
        ],
        rows,
    }
}

fn controls_table(data: &PackData) -> Table {
    let rows = data
        .controls
        .iter()
        .map(|pc| {
            let c = &pc.control;
            let signoffs = pc
                .signoffs
                .iter()
                .map(|s| s.id.to_string())
                .collect::<Vec<_>>()
                .join(" ");
            vec![
                Cell::text(&c.id),
                Cell::text(c.column.as_str()),
                Cell::text(&c.area),
                Cell::text(&c.title),
                Cell::text(c.status.as_str()),
                Cell::text(&c.status_reason),
                Cell::text(&c.owner),
                Cell::Date(c.due),
                Cell::Flag(pc.overdue),
                Cell::Number(c.review_days.map(i64::from)),
                Cell::Text(c.services.join(" ")),
                Cell::Text(c.nist.join(" ")),
                Cell::text(&c.aws_part),
                Cell::text(&c.customer_part),
                Cell::text(&c.notes),
                Cell::Number(Some(i64::try_from(pc.evidence.len()).unwrap_or(i64::MAX))),
                Cell::Text(signoffs),
            ]
        })
        .collect();
    Table {
        file: "controls.csv",
        sheet: "Controls",
        header: &[
            "id",
            "column",
            "area",
            "title",
            "status",
            "status_reason",
            "owner",
            "due",
            "overdue",
            "review_days",
            "services",
            "nist",
            "aws_part",
            "customer_part",
            "notes",
            "evidence_count",
            "signoffs",
        ],
        rows,
    }
}

fn evidence_table(data: &PackData) -> Table {
    let rows = data
        .evidence()
        .map(|(_, pe)| {
            let e = &pe.evidence;
            vec![
                Cell::Number(Some(e.id)),
                Cell::text(&e.control),
                Cell::text(&e.file_name),
                Cell::text(&pe.path),
                size_number(e.size_bytes),
                Cell::text(&e.media_type),
                Cell::text(&e.sha256),
                Cell::text(&e.description),
                Cell::Date(Some(e.collected_on)),
                Cell::Date(e.valid_until),
                Cell::text(&e.added_by),
                Cell::Stamp(stamp(&e.added_at)),
            ]
        })
        .collect();
    Table {
        file: "evidence.csv",
        sheet: "Evidence",
        header: &[
            "evidence_id",
            "control",
            "file_name",
            "path",
            "size_bytes",
            "media_type",
            "sha256",
            "description",
            "collected_on",
            "valid_until",
            "added_by",
            "added_at",
        ],
        rows,
    }
}

fn training_table(data: &PackData) -> Table {
    let rows = data
        .roster
        .iter()
        .map(|r| {
            vec![
                Cell::text(&r.email),
                Cell::text(&r.name),
                Cell::text(&r.course),
                Cell::Date(r.completed_on),
                Cell::Date(r.expires_on),
                Cell::text(r.state.as_str()),
            ]
        })
        .collect();
    Table {
        file: "training.csv",
        sheet: "Training",
        header: &[
            "email",
            "name",
            "course",
            "completed_on",
            "expires_on",
            "state",
        ],
        rows,
    }
}

fn patches_table(data: &PackData) -> Table {
    let rows = data
        .patches
        .iter()
        .map(|p| {
            vec![
                Cell::text(&p.asset),
                Cell::text(&p.advisory),
                Cell::text(p.severity.as_str()),
                Cell::Date(Some(p.released_on)),
                Cell::Date(Some(p.deadline)),
                Cell::Date(p.applied_on),
                Cell::Number(p.days_to_patch),
                Cell::text(p.state.as_str()),
                Cell::text(&p.attested_by),
                Cell::Text(p.evidence_sha256.clone().unwrap_or_default()),
            ]
        })
        .collect();
    Table {
        file: "patches.csv",
        sheet: "Patches",
        header: &[
            "asset",
            "advisory",
            "severity",
            "released_on",
            "deadline",
            "applied_on",
            "days_to_patch",
            "state",
            "attested_by",
            "evidence_sha256",
        ],
        rows,
    }
}

fn signoffs_table(data: &PackData) -> Table {
    let rows = data
        .signoffs
        .iter()
        .map(|s| {
            vec![
                Cell::Number(Some(s.id)),
                Cell::text(&s.subject),
                Cell::text(&s.by),
                Cell::text(&s.role),
                Cell::text(&s.statement),
                Cell::Stamp(stamp(&s.signed_at)),
                Cell::Flag(s.stale),
                Cell::Flag(s.superseded),
            ]
        })
        .collect();
    Table {
        file: "signoffs.csv",
        sheet: "Sign-offs",
        header: &[
            "id",
            "subject",
            "by",
            "role",
            "statement",
            "signed_at",
            "stale",
            "superseded",
        ],
        rows,
    }
}

fn activity_table(data: &PackData) -> Table {
    let rows = data
        .activity
        .iter()
        .map(|a| {
            vec![
                Cell::Number(Some(a.seq)),
                Cell::Stamp(a.at.clone()),
                Cell::text(&a.actor),
                Cell::text(&a.subject),
                Cell::text(&a.action.name()),
                Cell::text(&a.summary),
                Cell::text(&a.hash),
            ]
        })
        .collect();
    Table {
        file: "activity.csv",
        sheet: "Activity",
        header: &["seq", "at", "actor", "subject", "action", "summary", "hash"],
        rows,
    }
}

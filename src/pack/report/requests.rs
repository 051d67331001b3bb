//! The auditor's requests in a pack: the `requests.csv` table and its sheet, the Requests
//! section of the full report, and the page of a delivery pack, which holds only the
//! requests asked for with their responses and files.
//!
//! Every request links to its files by relative path: in a full pack to the evidence
//! folders of its controls (and its own folder for files that belong to no control), in a
//! delivery pack to its own folder. A full pack of a project without requests has none of
//! these parts, so its bytes stay as they were.

use super::super::{PackData, PackRequest};
use super::escape_html;
use super::markup::{STYLE, date_or_dash, encode_href};
use super::table::{Cell, Table};
use crate::model::{ReferenceKind, RequestStatus};
use crate::store::Request;

/// The requests table: one row per request.
pub(super) fn requests_table(data: &PackData) -> Table {
    let rows = data
        .requests
        .iter()
        .map(|item| {
            let r = &item.request;
            let references: Vec<&str> = r.controls.iter().map(|c| c.reference.as_str()).collect();
            let paths: Vec<&str> = item.files.iter().map(|f| f.path.as_str()).collect();
            let evidence: Vec<String> = r.evidence.iter().map(i64::to_string).collect();
            let comments: Vec<String> = r
                .comments
                .iter()
                .map(|c| format!("{} {} ({}): {}", c.at, c.by, c.status.as_str(), c.text))
                .collect();
            let other: Vec<String> = r
                .other
                .iter()
                .map(|o| format!("{}: {}", o.name, o.value))
                .collect();
            vec![
                Cell::Text(r.id.clone()),
                Cell::Text(r.request.clone()),
                Cell::Text(references.join("; ")),
                Cell::Text(r.control_ids.join(";")),
                Cell::Text(r.owner.clone()),
                Cell::Date(r.due),
                Cell::Text(r.priority.clone()),
                Cell::Text(r.status.as_str().to_string()),
                Cell::Flag(r.overdue),
                Cell::Text(evidence.join(";")),
                Cell::Text(paths.join(";")),
                Cell::Text(r.response.clone()),
                Cell::Text(comments.join("\n")),
                Cell::Text(other.join("\n")),
            ]
        })
        .collect();
    Table {
        file: "requests.csv",
        sheet: "Requests",
        header: &[
            "request_id",
            "request",
            "control_references",
            "controls",
            "owner",
            "due",
            "priority",
            "status",
            "overdue",
            "evidence_ids",
            "files",
            "response",
            "comments",
            "other_columns",
        ],
        rows,
    }
}

fn request_status_html(status: RequestStatus) -> String {
    let class = match status {
        RequestStatus::Accepted => "good",
        RequestStatus::Submitted => "muted",
        RequestStatus::Returned => "bad",
        RequestStatus::Open | RequestStatus::InProgress => "warn",
    };
    format!(
        "<span class=\"state {class}\"><span aria-hidden=\"true\">●</span> {}</span>",
        status.label()
    )
}

/// One request as an article: what is asked, its state, response, comments and files.
fn request_html(out: &mut String, item: &PackRequest) {
    let r = &item.request;
    let late = if r.overdue { " late" } else { "" };
    out.push_str(&format!(
        "<article class=\"control{late}\" id=\"request-{}\">\n<div class=\"control-head\">\
         <span class=\"control-id\">{}</span><h3>{}</h3>{}</div>\n",
        encode_href(&r.id),
        escape_html(&r.id),
        escape_html(&r.request),
        request_status_html(r.status)
    ));
    request_meta_html(out, r);
    if r.response.is_empty() {
        out.push_str("<p class=\"empty\">No written response.</p>\n");
    } else {
        out.push_str(&format!(
            "<h4>Response</h4>\n<p class=\"pre\">{}</p>\n",
            escape_html(&r.response)
        ));
    }
    request_comments_html(out, r);
    request_files_html(out, item);
    out.push_str("</article>\n");
}

/// The request's owner, due date, priority and the controls it names.
fn request_meta_html(out: &mut String, r: &Request) {
    let due = match r.due {
        Some(day) if r.overdue => format!("<span class=\"bad\">{day} (overdue)</span>"),
        day => date_or_dash(day),
    };
    let references = references_html(r);
    out.push_str(&format!(
        "<p class=\"muted\">Owner {} · due {due} · priority {} · controls {}</p>\n",
        if r.owner.is_empty() {
            "—".to_string()
        } else {
            escape_html(&r.owner)
        },
        if r.priority.is_empty() {
            "—".to_string()
        } else {
            escape_html(&r.priority)
        },
        if references.is_empty() {
            "—".to_string()
        } else {
            references.join(", ")
        }
    ));
    if !r.control_ids.is_empty() {
        let ids: Vec<String> = r.control_ids.iter().map(|id| escape_html(id)).collect();
        out.push_str(&format!(
            "<p class=\"muted\">This project's controls: {}</p>\n",
            ids.join(", ")
        ));
    }
}

/// The control references of the auditor's list, each with the framework it names.
fn references_html(r: &Request) -> Vec<String> {
    r.controls
        .iter()
        .map(|c| {
            let kind = match c.kind {
                ReferenceKind::Control => "",
                ReferenceKind::Nist => " (NIST)",
                ReferenceKind::Soc2 => " (SOC 2)",
                ReferenceKind::Iso27001 => " (ISO 27001)",
                ReferenceKind::Text => "",
            };
            format!("{}{kind}", escape_html(&c.reference))
        })
        .collect()
}

/// The request's comments, when it has any.
fn request_comments_html(out: &mut String, r: &Request) {
    if !r.comments.is_empty() {
        out.push_str("<h4>Comments</h4>\n<ul>\n");
        for c in &r.comments {
            out.push_str(&format!(
                "<li><span class=\"muted\">{} {} ({})</span> <span class=\"pre\">{}</span></li>\n",
                escape_html(&c.at),
                escape_html(&c.by),
                c.status.as_str(),
                escape_html(&c.text)
            ));
        }
        out.push_str("</ul>\n");
    }
}

/// The files that answer the request, with the evidence each one is.
fn request_files_html(out: &mut String, item: &PackRequest) {
    if item.files.is_empty() {
        out.push_str("<p class=\"empty\">No files.</p>\n");
    } else {
        out.push_str("<h4>Files</h4>\n<ul>\n");
        for file in &item.files {
            let of = match &file.evidence {
                Some((id, control)) => {
                    format!(
                        " <span class=\"muted\">evidence {id} of {}</span>",
                        escape_html(control)
                    )
                }
                None => String::new(),
            };
            out.push_str(&format!(
                "<li><a href=\"{}\">{}</a>{of} <span class=\"mono\">{}</span></li>\n",
                encode_href(&file.path),
                escape_html(&file.file_name),
                escape_html(&file.sha256)
            ));
        }
        out.push_str("</ul>\n");
    }
}

/// The Requests section of a report.
pub(super) fn requests_html(out: &mut String, data: &PackData) {
    out.push_str("<section class=\"part\" id=\"requests\">\n<h2>Requests</h2>\n");
    let count = |status: RequestStatus| {
        data.requests
            .iter()
            .filter(|r| r.request.status == status)
            .count()
    };
    let tally: Vec<String> = RequestStatus::ALL
        .iter()
        .map(|s| format!("{} {}", count(*s), s.label().to_lowercase()))
        .collect();
    out.push_str(&format!(
        "<p class=\"lead\">The auditor's requests as they stood on {}: {}. The table is in \
         <span class=\"mono\">requests.csv</span>.</p>\n",
        data.as_of,
        tally.join(", ")
    ));
    for item in &data.requests {
        request_html(out, item);
    }
    out.push_str("</section>\n");
}

/// The page of a delivery pack: the requests delivered, each with its response and files.
pub(super) fn delivery_html(data: &PackData) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let name = escape_html(&data.project.name);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>Requests delivered: {name}</title>\n"));
    out.push_str(&format!(
        "<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n"
    ));
    let ids: Vec<String> = data
        .requests
        .iter()
        .map(|r| escape_html(&r.request.id))
        .collect();
    out.push_str(&format!(
        "<header class=\"cover\">\n<h1>Requests delivered: {name}</h1>\n\
         <p class=\"lead\">Requests {} as of {}, each with its response and the files that \
         answer it.</p>\n</header>\n",
        ids.join(", "),
        data.as_of
    ));
    requests_html(&mut out, data);
    out.push_str(&format!(
        "<footer>Generated by {} with {}, as of {}. \
         Check the pack's files with <span class=\"mono\">sha256sum -c SHA256SUMS</span>.\
         </footer>\n",
        escape_html(&data.generated_by),
        escape_html(&data.generator),
        data.as_of
    ));
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

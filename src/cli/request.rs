//! `lockstep request`: the auditor's request list of a project — import it, list it, move
//! each request through its lifecycle, and answer it with evidence, controls, files and a
//! written response.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use clap::{ArgGroup, Subcommand};

use super::{Outcome, numbers, print_json, print_table, shown};
use crate::model::RequestStatus;
use crate::store::{Request, RequestLink, RequestPatch, Store};
use crate::workspace::{Workspace, attach_to_request};

/// The `request` subcommands.
#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// Import an auditor's request list (.csv or .xlsx). Columns are found by name: an id
    /// (ID, Ref, Request #), the request (Request, PBC item, Description), control
    /// references (Control, Criteria), Owner or Assigned to, Due or Due date, Priority and
    /// Status; other columns are kept. Importing an updated list updates requests by id.
    Import {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The list.
        #[arg(value_name = "FILE.csv|FILE.xlsx")]
        file: PathBuf,
    },
    /// List a project's requests.
    List {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Only requests with this status (open, in_progress, submitted, accepted, returned).
        #[arg(long, value_parser = parse_status)]
        status: Option<RequestStatus>,
        /// Only requests this person owns (ignoring case).
        #[arg(long)]
        owner: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Change a request: move its status one step (open → in_progress → submitted →
    /// accepted or returned → in_progress), write its response, add a comment, or set its
    /// owner or due date.
    #[command(group(ArgGroup::new("change").required(true).multiple(true)
        .args(["status", "comment", "response", "owner", "due"])))]
    Set {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The request's id.
        id: String,
        /// The new status.
        #[arg(long, value_parser = parse_status)]
        status: Option<RequestStatus>,
        /// A comment (the auditor's, when returning a request).
        #[arg(long)]
        comment: Option<String>,
        /// The written response.
        #[arg(long)]
        response: Option<String>,
        /// Who answers it.
        #[arg(long)]
        owner: Option<String>,
        /// When the answer is due (YYYY-MM-DD; an empty value clears it).
        #[arg(long, value_name = "YYYY-MM-DD")]
        due: Option<String>,
    },
    /// Link a request to evidence of the project (any control) and to controls.
    #[command(group(ArgGroup::new("target").required(true).multiple(true)
        .args(["evidence", "control"])))]
    Link {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The request's id.
        id: String,
        /// An evidence id (see `evidence list`); may be given more than once.
        #[arg(long, value_parser = numbers::evidence_id)]
        evidence: Vec<i64>,
        /// A control id; may be given more than once.
        #[arg(long)]
        control: Vec<String>,
    },
    /// Attach files to a request: each is stored once in the vault and becomes evidence of
    /// every control the request names, or a file of the request alone when it names none.
    Attach {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The request's id.
        id: String,
        /// The files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

fn parse_status(text: &str) -> Result<RequestStatus, String> {
    text.parse()
        .map_err(|e: crate::model::RuleError| e.to_string())
}

pub(super) fn run(workspace: &mut Workspace, command: RequestCommand) -> Outcome {
    let store = &mut workspace.store;
    match command {
        RequestCommand::Import { project, file } => import(store, &project, &file),
        RequestCommand::List {
            project,
            status,
            owner,
            json,
        } => list(store, &project, status, owner.as_deref(), json),
        RequestCommand::Set {
            project,
            id,
            status,
            comment,
            response,
            owner,
            due,
        } => {
            let due: Option<Option<NaiveDate>> = due
                .as_deref()
                .map(crate::model::parse_optional_date)
                .transpose()?;
            let patch = RequestPatch {
                status,
                comment,
                response,
                owner,
                due,
            };
            set(store, &project, &id, &patch)
        }
        RequestCommand::Link {
            project,
            id,
            evidence,
            control,
        } => {
            let links: Vec<RequestLink> = evidence
                .into_iter()
                .map(RequestLink::Evidence)
                .chain(control.into_iter().map(RequestLink::Control))
                .collect();
            link(store, &project, &id, &links)
        }
        RequestCommand::Attach { project, id, files } => attach(workspace, &project, &id, &files),
    }
}

/// `request import`: the counts, then each refused row; exit 2 when any was refused.
fn import(store: &mut Store, project: &str, file: &Path) -> Outcome {
    let project = store.project_by_name(project)?;
    let imported = store.import_requests(project.key, file)?;
    let report = &imported.report;
    if report.rows == 0 {
        outln!(
            "nothing to import: the file has a header row but no rows under it: {}",
            file.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "imported {} of {} requests from {} ({} added, {} updated, {} unchanged)",
        report.imported,
        report.rows,
        file.display(),
        imported.added,
        imported.updated,
        imported.unchanged
    );
    for problem in &report.refused {
        eprintln!("{}", shown(&problem.to_string()));
    }
    if !report.refused.is_empty() {
        eprintln!(
            "lockstep: {} of {} rows refused; fix them and import the file again (requests already imported are updated, never duplicated)",
            report.refused.len(),
            report.rows
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// `request list`: the project's requests with a status and owner, as JSON or a table.
fn list(
    store: &Store,
    project: &str,
    status: Option<RequestStatus>,
    owner: Option<&str>,
    json: bool,
) -> Outcome {
    let project = store.project_by_name(project)?;
    let requests: Vec<Request> = store
        .requests(project.key)?
        .into_iter()
        .filter(|r| status.is_none_or(|s| r.status == s))
        .filter(|r| owner.is_none_or(|o| r.owner.trim().eq_ignore_ascii_case(o.trim())))
        .collect();
    if json {
        print_json(&requests)?;
    } else if requests.is_empty() {
        outln!("no requests: import the auditor's list with `lockstep request import`");
    } else {
        let rows: Vec<Vec<String>> = requests.iter().map(request_row).collect();
        print_table(
            &[
                "ID", "STATUS", "OWNER", "DUE", "CONTROLS", "FILES", "REQUEST",
            ],
            &rows,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One request as a row of `request list`'s table.
fn request_row(r: &Request) -> Vec<String> {
    vec![
        r.id.clone(),
        r.status.as_str().to_string(),
        r.owner.clone(),
        match r.due {
            Some(due) if r.overdue => format!("{due} (overdue)"),
            Some(due) => due.to_string(),
            None => "-".to_string(),
        },
        r.controls
            .iter()
            .map(|c| c.reference.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        r.evidence_count.to_string(),
        r.request.clone(),
    ]
}

/// `request set`: changes a request and says its status, or that nothing changed.
fn set(store: &mut Store, project: &str, id: &str, patch: &RequestPatch) -> Outcome {
    let project = store.project_by_name(project)?;
    let before = store.request(project.key, id)?;
    let after = store.set_request(project.key, id, patch)?;
    if after == before {
        outln!("request {} unchanged", shown(&after.id));
    } else {
        outln!("request {}: {}", shown(&after.id), after.status.as_str());
    }
    Ok(ExitCode::SUCCESS)
}

/// `request link`: links evidence and controls, and says what the request has now.
fn link(store: &mut Store, project: &str, id: &str, links: &[RequestLink]) -> Outcome {
    let project = store.project_by_name(project)?;
    let request = store.link_request(project.key, id, links)?;
    outln!(
        "request {}: {} evidence, controls {}",
        shown(&request.id),
        request.evidence_count,
        if request.control_ids.is_empty() {
            "none".to_string()
        } else {
            shown(&request.control_ids.join(", ")).into_owned()
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `request attach`: attaches each file, going on past a refused one; exit 2 when any was.
fn attach(workspace: &mut Workspace, project: &str, id: &str, files: &[PathBuf]) -> Outcome {
    let Workspace { store, vault } = workspace;
    let project = store.project_by_name(project)?;
    // An unknown request refuses every file alike: say it once.
    let request = store.check_request_target(project.key, id)?;
    let cancel = AtomicBool::new(false);
    let mut refused = 0;
    for file in files {
        match attach_to_request(
            store,
            vault,
            (project.key, &request.id),
            file,
            &cancel,
            &mut |_| {},
        ) {
            Ok(_) => outln!(
                "attached {} to request {}",
                file.display(),
                shown(&request.id)
            ),
            Err(error) => {
                refused += 1;
                super::file_refused(&error);
            }
        }
    }
    Ok(super::files_outcome(refused, files.len()))
}

//! `lockstep attachment`: the documents a project's plan attaches (policies and procedures for
//! controls, the user guide, rules of behavior, plans, the separation of duties matrix,
//! diagrams, the FedRAMP logo): add one, list them, remove one (a tombstone).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::Subcommand;

use super::{Outcome, numbers, print_json, print_table, shown};
use crate::model::AttachmentKind;
use crate::workspace::{Workspace, attach_document};

/// The `attachment` subcommands.
#[derive(Debug, Subcommand)]
pub enum AttachmentCommand {
    /// Attach a document to the project's plan; the file is stored once in the vault under
    /// its SHA-256.
    Add {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// policy, procedure, users-guide, rules-of-behavior, contingency-plan,
        /// configuration-management-plan, incident-response-plan,
        /// separation-of-duties-matrix, authorization-boundary-diagram, network-diagram,
        /// data-flow-diagram or fedramp-logo.
        #[arg(long, value_parser = parse_kind)]
        kind: AttachmentKind,
        /// A control a policy or procedure answers (repeat for each, such as the -1 control
        /// of each family it covers).
        #[arg(long = "control", value_name = "ID")]
        controls: Vec<String>,
        /// Its title (default: the file's name); for a diagram, the caption.
        #[arg(long, default_value = "")]
        title: String,
        /// The document.
        file: PathBuf,
    },
    /// List the project's attachments.
    List {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Include removed ones.
        #[arg(long)]
        all: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove an attachment; the record stays as a tombstone with the reason.
    Remove {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The attachment's id, as `attachment list` shows it.
        #[arg(allow_negative_numbers = true, value_parser = numbers::attachment_id)]
        id: i64,
        /// Why it is removed.
        #[arg(long)]
        reason: String,
    },
}

fn parse_kind(text: &str) -> Result<AttachmentKind, String> {
    text.parse()
}

pub(super) fn run(workspace: &mut Workspace, command: AttachmentCommand) -> Outcome {
    match command {
        AttachmentCommand::Add {
            project,
            kind,
            controls,
            title,
            file,
        } => add(workspace, project, kind, controls, title, file),
        AttachmentCommand::List { project, all, json } => list(workspace, project, all, json),
        AttachmentCommand::Remove {
            project,
            id,
            reason,
        } => remove(workspace, project, id, reason),
    }
}

/// Attach a document to the project's plan; the file is stored once in the vault under
/// its SHA-256.
fn add(
    workspace: &mut Workspace,
    project: String,
    kind: AttachmentKind,
    controls: Vec<String>,
    title: String,
    file: PathBuf,
) -> Outcome {
    let Workspace { store, vault } = workspace;
    let project = store.project_by_name(&project)?;
    let cancel = AtomicBool::new(false);
    let added = attach_document(
        store,
        vault,
        project.key,
        (kind, &controls, &title),
        &file,
        &cancel,
        &mut |_| {},
    )?;
    for attachment in &added {
        match &attachment.control {
            Some(control) => outln!(
                "{}  {} {} for {control} (attachment {})",
                attachment.sha256,
                kind.as_str(),
                shown(&attachment.file_name),
                attachment.id
            ),
            None => outln!(
                "{}  {} {} (attachment {})",
                attachment.sha256,
                kind.as_str(),
                shown(&attachment.file_name),
                attachment.id
            ),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// List the project's attachments.
fn list(workspace: &mut Workspace, project: String, all: bool, json: bool) -> Outcome {
    let Workspace { store, .. } = workspace;
    let project = store.project_by_name(&project)?;
    let attachments: Vec<_> = store
        .attachments(project.key)?
        .into_iter()
        .filter(|a| all || a.removed_at.is_none())
        .collect();
    if json {
        print_json(&attachments)?;
    } else if attachments.is_empty() {
        outln!("no attachments yet: add the plan's documents with `lockstep attachment add`");
    } else {
        let rows: Vec<Vec<String>> = attachments
            .iter()
            .map(|a| {
                vec![
                    a.id.to_string(),
                    a.kind.as_str().to_string(),
                    a.control.clone().unwrap_or_default(),
                    a.title.clone(),
                    a.size_bytes.to_string(),
                    if a.removed_at.is_some() {
                        "removed".to_string()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        print_table(&["ID", "KIND", "CONTROL", "TITLE", "BYTES", ""], &rows)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Remove an attachment; the record stays as a tombstone with the reason.
fn remove(workspace: &mut Workspace, project: String, id: i64, reason: String) -> Outcome {
    let Workspace { store, .. } = workspace;
    let project = store.project_by_name(&project)?;
    let removed = store.remove_attachment(project.key, id, &reason)?;
    outln!(
        "removed attachment {} ({} {})",
        removed.id,
        removed.kind.as_str(),
        shown(&removed.file_name)
    );
    Ok(ExitCode::SUCCESS)
}

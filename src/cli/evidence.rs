//! `lockstep evidence`: attach files to a control, list them, remove one (a tombstone).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use clap::Subcommand;

use super::{Outcome, numbers, parse_date_arg, print_json, print_table, shown};
use crate::workspace::{AttachOptions, Workspace, attach};

/// The `evidence` subcommands.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Attach files to a control; each is stored once in the vault under its SHA-256.
    Add {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The control's id.
        #[arg(long)]
        control: String,
        /// The files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// What the files show.
        #[arg(long, default_value = "")]
        description: String,
        /// The date the evidence is about (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
        collected: Option<NaiveDate>,
        /// The last day the evidence counts.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
        valid_until: Option<NaiveDate>,
    },
    /// List a project's evidence, removed files included.
    List {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Only this control's.
        #[arg(long)]
        control: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove evidence from its control; the record stays, marked removed, with the reason.
    Remove {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The evidence id (see `evidence list`).
        #[arg(allow_negative_numbers = true, value_parser = numbers::evidence_id)]
        evidence_id: i64,
        /// Why it is removed.
        #[arg(long)]
        reason: String,
    },
}

pub(super) fn run(workspace: &mut Workspace, command: EvidenceCommand) -> Outcome {
    match command {
        EvidenceCommand::Add {
            project,
            control,
            files,
            description,
            collected,
            valid_until,
        } => add(
            workspace,
            project,
            control,
            files,
            description,
            collected,
            valid_until,
        ),
        EvidenceCommand::List {
            project,
            control,
            json,
        } => list(workspace, project, control, json),
        EvidenceCommand::Remove {
            project,
            evidence_id,
            reason,
        } => remove(workspace, project, evidence_id, reason),
    }
}

/// Attach files to a control; each is stored once in the vault under its SHA-256.
fn add(
    workspace: &mut Workspace,
    project: String,
    control: String,
    files: Vec<PathBuf>,
    description: String,
    collected: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
) -> Outcome {
    let Workspace { store, vault } = workspace;
    let project = store.project_by_name(&project)?;
    let options = AttachOptions {
        description,
        collected_on: collected.unwrap_or_else(|| store.today()),
        valid_until,
    };
    // A wrong control or dates refuse every file alike: say it once.
    let control = store.check_evidence_target(
        project.key,
        &control,
        options.collected_on,
        options.valid_until,
    )?;
    let cancel = AtomicBool::new(false);
    let mut refused = 0;
    for file in &files {
        match attach(
            store,
            vault,
            (project.key, &control.id),
            file,
            &options,
            &cancel,
            &mut |_| {},
        ) {
            Ok(evidence) => {
                outln!("{}  {}", evidence.sha256, shown(&evidence.file_name));
            }
            Err(error) => {
                refused += 1;
                super::file_refused(&error);
            }
        }
    }
    Ok(super::files_outcome(refused, files.len()))
}

/// List a project's evidence, removed files included.
fn list(
    workspace: &mut Workspace,
    project: String,
    control: Option<String>,
    json: bool,
) -> Outcome {
    let Workspace { store, .. } = workspace;
    let project = store.project_by_name(&project)?;
    let evidence = store.evidence(project.key, control.as_deref())?;
    if json {
        print_json(&evidence)?;
    } else if evidence.is_empty() {
        outln!("no evidence yet: attach files with `lockstep evidence add`");
    } else {
        let rows: Vec<Vec<String>> = evidence
            .iter()
            .map(|e| {
                vec![
                    e.id.to_string(),
                    e.control.clone(),
                    short_hash(&e.sha256),
                    e.size_bytes.to_string(),
                    e.collected_on.to_string(),
                    e.valid_until
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "-".into()),
                    if e.removed {
                        format!("{} (removed)", e.file_name)
                    } else {
                        e.file_name.clone()
                    },
                ]
            })
            .collect();
        print_table(
            &[
                "ID",
                "CONTROL",
                "SHA256",
                "BYTES",
                "COLLECTED",
                "VALID UNTIL",
                "FILE",
            ],
            &rows,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Remove evidence from its control; the record stays, marked removed, with the reason.
fn remove(workspace: &mut Workspace, project: String, evidence_id: i64, reason: String) -> Outcome {
    let Workspace { store, .. } = workspace;
    let project = store.project_by_name(&project)?;
    let evidence = store.remove_evidence(project.key, evidence_id, &reason)?;
    outln!(
        "removed evidence {} ({}) from {}; the file stays in the vault until `lockstep vault purge`",
        evidence.id,
        evidence.file_name,
        evidence.control
    );
    Ok(ExitCode::SUCCESS)
}

/// The first 12 hex digits of a SHA-256, enough to tell files apart in a table; a stored
/// value that is not 64 hex digits (a damaged or edited database) is marked, never sliced.
fn short_hash(sha256: &str) -> String {
    let is_hash = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
    if is_hash {
        sha256.chars().take(12).collect()
    } else {
        "(not a hash)".to_string()
    }
}

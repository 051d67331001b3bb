//! `lockstep control`: list a project's controls, change one, or add one of the team's own.

use std::process::ExitCode;

use clap::{ArgAction, Subcommand};

use super::{Outcome, numbers, parse_yes_no, print_json, print_table};
use crate::model::{Column, ControlField, ControlPatch};
use crate::store::{NewControl, Store};

/// The `control` subcommands.
#[derive(Debug, Subcommand)]
pub enum ControlCommand {
    /// List a project's controls.
    List {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Only this column: aws, shared or customer.
        #[arg(long, value_parser = parse_column)]
        column: Option<Column>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Change a control's status, owner, due date, notes or column.
    Set {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The control's id, such as SRM-CUS-IAM-01.
        id: String,
        /// not_started, in_progress, implemented or not_applicable.
        #[arg(long)]
        status: Option<String>,
        /// Why: required for not_applicable and for a column move.
        #[arg(long)]
        reason: Option<String>,
        /// Who is responsible.
        #[arg(long)]
        owner: Option<String>,
        /// Due date, YYYY-MM-DD; an empty value clears it.
        #[arg(long, value_name = "YYYY-MM-DD")]
        due: Option<String>,
        /// Notes (replace the current ones).
        #[arg(long)]
        notes: Option<String>,
        /// Move to another column: aws, shared or customer (needs --reason).
        #[arg(long)]
        column: Option<String>,
        /// Review cadence in days (1 to 36525); an empty value clears it.
        #[arg(long, value_name = "DAYS", allow_negative_numbers = true, value_parser = numbers::review_days)]
        review_every_days: Option<String>,
    },
    /// Add a control of your own; the ownership test decides its column.
    Add {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Short title.
        #[arg(long)]
        title: String,
        /// What it requires.
        #[arg(long, default_value = "")]
        description: String,
        /// Can your team log in and adjust its security settings? yes or no.
        #[arg(long, value_name = "yes|no", value_parser = parse_yes_no, action = ArgAction::Set, required = true)]
        can_adjust: bool,
        /// Does AWS also operate part of it? yes or no (needed when --can-adjust yes).
        #[arg(long, value_name = "yes|no", value_parser = parse_yes_no)]
        aws_operates_part: Option<bool>,
        /// The board group it is shown under.
        #[arg(long, default_value = "")]
        area: String,
    },
}

fn parse_column(text: &str) -> Result<Column, String> {
    text.parse()
        .map_err(|e: crate::model::RuleError| e.to_string())
}

pub(super) fn run(store: &mut Store, command: ControlCommand) -> Outcome {
    match command {
        ControlCommand::List {
            project,
            column,
            json,
        } => {
            let project = store.project_by_name(&project)?;
            let controls: Vec<_> = store
                .controls(project.key)?
                .into_iter()
                .filter(|c| column.is_none_or(|col| c.column == col))
                .collect();
            if json {
                print_json(&controls)?;
            } else {
                let rows: Vec<Vec<String>> = controls
                    .iter()
                    .map(|c| {
                        vec![
                            c.id.clone(),
                            c.column.as_str().to_string(),
                            if c.retired {
                                "retired".to_string()
                            } else {
                                c.status.as_str().to_string()
                            },
                            c.due
                                .map(|d| d.to_string())
                                .unwrap_or_else(|| "-".to_string()),
                            if c.owner.is_empty() {
                                "-".to_string()
                            } else {
                                c.owner.clone()
                            },
                            c.title.clone(),
                        ]
                    })
                    .collect();
                print_table(&["ID", "COLUMN", "STATUS", "DUE", "OWNER", "TITLE"], &rows)?;
            }
        }
        ControlCommand::Set {
            project,
            id,
            status,
            reason,
            owner,
            due,
            notes,
            column,
            review_every_days,
        } => {
            let project = store.project_by_name(&project)?;
            let mut patch = ControlPatch::default();
            for (field, value) in [
                (ControlField::Status, status),
                (ControlField::Owner, owner),
                (ControlField::Due, due),
                (ControlField::Notes, notes),
                (ControlField::Column, column),
                (ControlField::ReviewDays, review_every_days),
            ] {
                if let Some(value) = value {
                    patch = patch.with(field, value);
                }
            }
            patch.reason = reason;
            if patch.is_empty() {
                anyhow::bail!(
                    "nothing to change: give at least one of --status, --owner, --due, --notes, --column or --review-every-days"
                );
            }
            let control = store.control(project.key, &id)?;
            let changes = store.update_control(project.key, &control.id, &patch)?;
            if changes.is_empty() {
                println!("{}: nothing changed", control.id);
            }
            for change in changes {
                println!(
                    "{}: {} {} -> {}",
                    control.id,
                    change.field.as_str(),
                    if change.from.is_empty() {
                        "(empty)"
                    } else {
                        &change.from
                    },
                    if change.to.is_empty() {
                        "(empty)"
                    } else {
                        &change.to
                    }
                );
            }
        }
        ControlCommand::Add {
            project,
            title,
            description,
            can_adjust,
            aws_operates_part,
            area,
        } => {
            let project = store.project_by_name(&project)?;
            let control = store.add_control(
                project.key,
                &NewControl {
                    title,
                    description,
                    area,
                    can_adjust,
                    aws_operates_part,
                },
            )?;
            println!(
                "added {} in {}: {}",
                control.id,
                control.column.label(),
                control.title
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `lockstep control`: list a project's controls, show one with its framework text and why it
//! is in its column, change one, or add one of the team's own.

use std::process::ExitCode;

use clap::{ArgAction, Subcommand};

use serde::Serialize;

use super::{Outcome, numbers, parse_yes_no, print_json, print_table, shown};
use crate::model::{Column, Control, ControlEdit, ControlField, ControlPatch, FilledParameter};
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
    /// Show one control: its statement, parameters, guidance, column and why, and the
    /// built-in SRM controls related to it.
    Show {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The control's id: AC-2(1) or ac-2.1 on a baseline project, an SRM id otherwise.
        id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Change a control's status, owner, due date, notes, column or the narrative of each
    /// side's part.
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
        /// What the customer does for it: the narrative the plan states as the system's part.
        #[arg(long, value_name = "TEXT")]
        customer_part: Option<String>,
        /// What AWS does for it (a shared or AWS control).
        #[arg(long, value_name = "TEXT")]
        aws_part: Option<String>,
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

/// A related SRM control, as `control show` prints it.
#[derive(Serialize)]
struct Related {
    id: String,
    title: String,
    column: Column,
}

/// What `control show --json` prints; the keys are part of the interface.
#[derive(Serialize)]
struct Shown {
    id: String,
    title: String,
    column: Column,
    why: String,
    statement: String,
    guidance: String,
    parameters: Vec<FilledParameter>,
    related: Vec<Related>,
}

fn show(store: &Store, project: &str, id: &str, json: bool) -> anyhow::Result<()> {
    let project = store.project_by_name(project)?;
    let control = store.control(project.key, id)?;
    let related = store
        .related_srm(&project, &control)
        .into_iter()
        .map(|m| Related {
            id: m.id,
            title: m.title,
            column: m.column,
        })
        .collect();
    let (statement, guidance, parameters) = match &control.framework {
        Some(framework) => (
            framework.statement.text.clone(),
            framework.guidance.clone(),
            framework.parameters.clone(),
        ),
        None => (control.description.clone(), String::new(), Vec::new()),
    };
    let shown_control = Shown {
        id: control.id.clone(),
        title: control.title.clone(),
        column: control.column,
        why: control.why(),
        statement,
        guidance,
        parameters,
        related,
    };
    if json {
        return print_json(&shown_control);
    }
    show_text(store, project.key, &control, &shown_control)
}

/// `control show` as text: the control, its framework text, and the related SRM controls.
fn show_text(store: &Store, project: i64, control: &Control, s: &Shown) -> anyhow::Result<()> {
    outln!("{}  {}", shown(&s.id), shown(&s.title));
    outln!("Column: {}", s.column.label());
    outln!("Why: {}", shown(&s.why));
    if !control.aws_part.is_empty() {
        outln!("AWS does: {}", shown(&control.aws_part));
    }
    if !control.customer_part.is_empty() {
        outln!("You do: {}", shown(&control.customer_part));
    }
    if let Some(parent) = store.parent_control(project, control)? {
        outln!("Enhances: {}  {}", shown(&parent.id), shown(&parent.title));
    }
    outln!();
    outln!("Statement:");
    for line in s.statement.lines() {
        outln!("  {}", shown(line));
    }
    if !s.parameters.is_empty() {
        outln!();
        outln!("Parameters:");
        for p in &s.parameters {
            let label = if p.label.is_empty() { &p.id } else { &p.label };
            outln!("  {}: {}", shown(label), shown(&p.value));
        }
    }
    if !s.guidance.is_empty() {
        outln!();
        outln!("Guidance:");
        for line in s.guidance.lines() {
            outln!("  {}", shown(line));
        }
    }
    outln!();
    if s.related.is_empty() {
        outln!("Related SRM controls: none for this project's services");
    } else {
        outln!("Related SRM controls:");
        for r in &s.related {
            outln!(
                "  {}  {}  ({})",
                shown(&r.id),
                shown(&r.title),
                r.column.label()
            );
        }
    }
    Ok(())
}

fn parse_column(text: &str) -> Result<Column, String> {
    text.parse()
        .map_err(|e: crate::model::RuleError| e.to_string())
}

/// `control set`: reads each value given into its type, then edits the control and prints
/// each change. The values are read after the control is found, so an unknown control is
/// named before a bad value.
fn set(
    store: &mut Store,
    project: &str,
    id: &str,
    texts: [(ControlField, Option<String>); 8],
    reason: Option<String>,
) -> anyhow::Result<()> {
    let project = store.project_by_name(project)?;
    if texts.iter().all(|(_, text)| text.is_none()) {
        anyhow::bail!(
            "nothing to change: give at least one of --status, --owner, --due, --notes, --column, --review-every-days, --customer-part or --aws-part"
        );
    }
    let control = store.control(project.key, id)?;
    let mut patch = ControlPatch::default();
    for (field, text) in texts {
        if let Some(text) = text {
            patch = patch.with(ControlEdit::parse(field, &text)?);
        }
    }
    patch.reason = reason;
    let changes = store.update_control(project.key, &control.id, &patch)?;
    if changes.is_empty() {
        outln!("{}: nothing changed", control.id);
    }
    let shown_value = |text: &str| {
        if text.is_empty() {
            "(empty)".to_string()
        } else {
            text.to_string()
        }
    };
    for change in changes {
        outln!(
            "{}: {} {} -> {}",
            control.id,
            change.field.as_str(),
            shown_value(&change.from),
            shown_value(&change.to)
        );
    }
    Ok(())
}

/// `control list`: a project's controls as a table or JSON, perhaps of one column only.
fn list(store: &Store, project: &str, column: Option<Column>, json: bool) -> anyhow::Result<()> {
    let project = store.project_by_name(project)?;
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
    Ok(())
}

pub(super) fn run(store: &mut Store, command: ControlCommand) -> Outcome {
    match command {
        ControlCommand::Show { project, id, json } => show(store, &project, &id, json)?,
        ControlCommand::List {
            project,
            column,
            json,
        } => list(store, &project, column, json)?,
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
            customer_part,
            aws_part,
        } => {
            let texts = [
                (ControlField::Status, status),
                (ControlField::Owner, owner),
                (ControlField::Due, due),
                (ControlField::Notes, notes),
                (ControlField::Column, column),
                (ControlField::ReviewDays, review_every_days),
                (ControlField::CustomerPart, customer_part),
                (ControlField::AwsPart, aws_part),
            ];
            set(store, &project, &id, texts, reason)?;
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
            outln!(
                "added {} in {}: {}",
                control.id,
                control.column.label(),
                control.title
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

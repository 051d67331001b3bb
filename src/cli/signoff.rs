//! `lockstep signoff`: sign off a control, the training roster or a monthly patch cycle,
//! and list sign-offs with whether each still matches what it covered.

use std::process::ExitCode;

use clap::{ArgGroup, Subcommand};

use super::{Outcome, print_json, print_table};
use crate::model::{SignoffSubject, stamp};
use crate::store::{NewSignoff, Store};

/// The `signoff` subcommands.
#[derive(Debug, Subcommand)]
pub enum SignoffCommand {
    /// Record a sign-off of one subject: a control, the training roster, or a patch month.
    #[command(group(ArgGroup::new("subject").required(true).args(["control", "training", "patch_cycle", "finding"])))]
    Add {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Sign off this control.
        #[arg(long, value_name = "ID")]
        control: Option<String>,
        /// Sign off the training roster.
        #[arg(long)]
        training: bool,
        /// Sign off the patches released in this month.
        #[arg(long, value_name = "YYYY-MM")]
        patch_cycle: Option<String>,
        /// Sign off this finding and its deviation request (`F-12`).
        #[arg(long, value_name = "ID")]
        finding: Option<String>,
        /// Who signs.
        #[arg(long)]
        by: String,
        /// Their role.
        #[arg(long)]
        role: String,
        /// What they state.
        #[arg(long)]
        statement: String,
    },
    /// List a project's sign-offs; stale ones no longer match what they covered.
    List {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(store: &mut Store, command: SignoffCommand) -> Outcome {
    match command {
        SignoffCommand::Add {
            project,
            control,
            training,
            patch_cycle,
            finding,
            by,
            role,
            statement,
        } => {
            let project = store.project_by_name(&project)?;
            let subject = match (control, training, patch_cycle, finding) {
                (Some(id), _, _, _) => SignoffSubject::Control(id),
                (None, true, _, _) => SignoffSubject::Training,
                (None, false, Some(month), _) => SignoffSubject::PatchCycle(month),
                (None, false, None, Some(id)) => SignoffSubject::Finding(id),
                (None, false, None, None) => anyhow::bail!(
                    "say what is signed off: --control ID, --training, --patch-cycle YYYY-MM or --finding ID"
                ),
            };
            let signoff = store.add_signoff(
                project.key,
                &NewSignoff {
                    subject,
                    by,
                    role,
                    statement,
                },
            )?;
            outln!(
                "signed off {} by {} ({}) as sign-off {}",
                signoff.subject,
                signoff.by,
                signoff.role,
                signoff.id
            );
        }
        SignoffCommand::List { project, json } => {
            let project = store.project_by_name(&project)?;
            let signoffs = store.signoffs(project.key)?;
            if json {
                print_json(&signoffs)?;
            } else if signoffs.is_empty() {
                outln!("no sign-offs yet: record one with `lockstep signoff add`");
            } else {
                let rows: Vec<Vec<String>> = signoffs
                    .iter()
                    .map(|s| {
                        vec![
                            s.id.to_string(),
                            s.subject.clone(),
                            format!("{} ({})", s.by, s.role),
                            stamp(&s.signed_at),
                            match (s.stale, s.superseded) {
                                (_, true) => "superseded".to_string(),
                                (true, false) => "STALE".to_string(),
                                (false, false) => "valid".to_string(),
                            },
                            s.statement.clone(),
                        ]
                    })
                    .collect();
                print_table(
                    &["ID", "SUBJECT", "BY", "SIGNED AT", "STATE", "STATEMENT"],
                    &rows,
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

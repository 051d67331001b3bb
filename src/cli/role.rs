//! `lockstep role`: who holds the roles an authorization package names for a project's
//! system (system owner, authorizing official and their point of contact, ISSO, and the
//! management, technical and other points of contact).

use std::process::ExitCode;

use clap::Subcommand;

use super::{Outcome, print_json, print_table, shown};
use crate::model::SystemRole;
use crate::store::Store;

/// The `role` subcommands.
#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Give a role of the project's system to a person (added with `person add`).
    Assign {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// system-owner, authorizing-official, authorizing-official-poc,
        /// information-system-security-officer, system-poc-management, system-poc-technical
        /// or system-poc-other.
        #[arg(value_parser = parse_role)]
        role: SystemRole,
        /// The person's email.
        #[arg(long, value_name = "EMAIL")]
        person: String,
    },
    /// List each role and who holds it.
    List {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn parse_role(text: &str) -> Result<SystemRole, String> {
    text.parse()
}

pub(super) fn run(store: &mut Store, command: RoleCommand) -> Outcome {
    match command {
        RoleCommand::Assign {
            project,
            role,
            person,
        } => {
            let project = store.project_by_name(&project)?;
            let holder = store.assign_role(project.key, role, &person)?;
            outln!(
                "{}: {} <{}>",
                role.as_str(),
                shown(&holder.name),
                shown(&holder.email)
            );
        }
        RoleCommand::List { project, json } => {
            let project = store.project_by_name(&project)?;
            let holders = store.system_roles(project.key)?;
            if json {
                print_json(&holders)?;
            } else {
                let rows: Vec<Vec<String>> = SystemRole::ALL
                    .into_iter()
                    .map(|role| match holders.iter().find(|h| h.role == role) {
                        Some(h) => vec![
                            role.as_str().to_string(),
                            format!("{} <{}>", h.name, h.email),
                        ],
                        None => vec![role.as_str().to_string(), "(not assigned)".to_string()],
                    })
                    .collect();
                print_table(&["ROLE", "PERSON"], &rows)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

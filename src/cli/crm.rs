//! `lockstep crm`: import a provider's Customer Responsibility Matrix for a baseline project.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{Outcome, shown};
use crate::store::Store;

/// The `crm` subcommands.
#[derive(Debug, Subcommand)]
pub enum CrmCommand {
    /// Import a CRM (.csv or .xlsx) with the columns "Control ID", "Can Be Inherited from CSP"
    /// (Yes, Partial, No) and "Specific Inheritance and Customer Agency/CSP
    /// Responsibilities"; it replaces the project's CRM and places the controls it names.
    Import {
        /// The project's name (on a framework baseline).
        #[arg(long)]
        project: String,
        /// The CRM file.
        file: PathBuf,
    },
}

pub(super) fn run(store: &mut Store, command: CrmCommand) -> Outcome {
    match command {
        CrmCommand::Import { project, file } => {
            let project = store.project_by_name(&project)?;
            let report = store.import_crm(project.key, &file)?;
            for problem in &report.refused {
                eprintln!("{}", shown(&problem.to_string()));
            }
            if report.rows == 0 {
                outln!(
                    "nothing to import: the file has a header row but no rows under it: {}",
                    file.display()
                );
            } else if report.imported == 0 {
                outln!(
                    "imported no CRM rows of {}: every row was refused, the project's CRM is unchanged",
                    report.rows
                );
            } else {
                outln!(
                    "imported {} of {} CRM rows for project '{}' from {}",
                    report.imported,
                    report.rows,
                    shown(&project.name),
                    file.display()
                );
            }
            if report.refused.is_empty() {
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "{} rows refused: fix those lines and import the file again (it replaces the CRM whole)",
                    report.refused.len()
                );
                Ok(ExitCode::from(2))
            }
        }
    }
}

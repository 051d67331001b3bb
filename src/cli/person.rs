//! `lockstep person`: add staff one at a time or from an HR export, list them, and take
//! them off or put them back on the training roster.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use super::{Outcome, print_json, print_table, shown};
use crate::import::ImportReport;
use crate::store::{NewPerson, Store};

/// The `person` subcommands.
#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Add a person to the roster.
    Add {
        /// Their full name.
        name: String,
        /// Their email address (unique, ignoring case).
        #[arg(long)]
        email: String,
        /// Their job or team.
        #[arg(long, default_value = "")]
        role: String,
    },
    /// Import people from a CSV file with a header row naming the columns name, email and
    /// (optionally) role; other columns are ignored.
    Import {
        /// The CSV file (UTF-8).
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
    },
    /// List everyone, active or not.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Take a person off the training roster; their records stay.
    Deactivate {
        /// Their email address.
        email: String,
    },
    /// Put a person back on the training roster.
    Activate {
        /// Their email address.
        email: String,
    },
}

pub(super) fn run(store: &mut Store, command: PersonCommand) -> Outcome {
    match command {
        PersonCommand::Add { name, email, role } => {
            let person = store.add_person(&NewPerson { name, email, role })?;
            outln!("added {} <{}>", person.name, person.email);
        }
        PersonCommand::Import { file } => {
            let report = store.import_people(&file)?;
            return Ok(print_import(&report, &file, "people"));
        }
        PersonCommand::List { json } => {
            let people = store.people()?;
            if json {
                print_json(&people)?;
            } else if people.is_empty() {
                outln!(
                    "no people yet: add them with `lockstep person add` or `lockstep person import`"
                );
            } else {
                let rows: Vec<Vec<String>> = people
                    .iter()
                    .map(|p| {
                        vec![
                            p.name.clone(),
                            p.email.clone(),
                            if p.active { "yes" } else { "no" }.to_string(),
                            p.role.clone(),
                        ]
                    })
                    .collect();
                print_table(&["NAME", "EMAIL", "ACTIVE", "ROLE"], &rows)?;
            }
        }
        PersonCommand::Deactivate { email } => {
            let person = store.set_person_active(&email, false)?;
            outln!(
                "{} <{}> is off the training roster",
                person.name,
                person.email
            );
        }
        PersonCommand::Activate { email } => {
            let person = store.set_person_active(&email, true)?;
            outln!(
                "{} <{}> is on the training roster",
                person.name,
                person.email
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reports an import: what went in on stdout, each refused row as `line N: reason` on
/// stderr. Exit 2 when any row was refused, though the others were imported.
pub(super) fn print_import(report: &ImportReport, file: &Path, what: &str) -> ExitCode {
    if report.rows == 0 {
        outln!(
            "nothing to import: the file has a header row but no rows under it: {}",
            file.display()
        );
        return ExitCode::SUCCESS;
    }
    outln!(
        "imported {} {what} of {} rows from {}",
        report.imported,
        report.rows,
        file.display()
    );
    for problem in &report.refused {
        eprintln!("{}", shown(&problem.to_string()));
    }
    if report.refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "lockstep: {} of {} rows refused; fix them and import the file again (rows already imported are skipped)",
            report.refused.len(),
            report.rows
        );
        ExitCode::from(2)
    }
}

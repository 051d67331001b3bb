//! `lockstep training`: record completions (one at a time, with an optional certificate,
//! or from an HR export), list them, and show where everyone stands.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Subcommand;

use super::person::print_import;
use super::{Outcome, parse_date_arg, print_json, print_table};
use crate::model::TrainingState;
use crate::store::{NewTraining, Store, TrainingRecord};
use crate::vault::Vault;
use crate::workspace::Workspace;

/// The `training` subcommands.
#[derive(Debug, Subcommand)]
pub enum TrainingCommand {
    /// Record that a person completed a course; you are recorded as attesting it.
    Record {
        /// The person's email address.
        #[arg(long)]
        email: String,
        /// The course's name.
        #[arg(long)]
        course: String,
        /// The day it was completed.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
        completed: NaiveDate,
        /// The completion certificate, kept in the evidence vault.
        #[arg(long, value_name = "FILE")]
        certificate: Option<PathBuf>,
    },
    /// Import completions from a CSV file with a header row naming the columns email,
    /// course and completed_on; other columns are ignored.
    Import {
        /// The CSV file (UTF-8).
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
    },
    /// List every recorded completion.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show where every active person stands on every course: current, expiring (within
    /// 30 days), expired or missing.
    Status {
        /// The day to judge on (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
        as_of: Option<NaiveDate>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(workspace: &mut Workspace, command: TrainingCommand) -> Outcome {
    let Workspace { store, vault } = workspace;
    match command {
        TrainingCommand::Record {
            email,
            course,
            completed,
            certificate,
        } => {
            let new = NewTraining {
                email,
                course,
                completed_on: completed,
                certificate: None,
            };
            let record = match certificate {
                Some(path) => record_with_certificate(store, vault, new, &path)?,
                None => store.record_training(&new)?,
            };
            outln!(
                "recorded {} completed by {} on {}; it expires on {}{}",
                record.course,
                record.email,
                record.completed_on,
                record.expires_on,
                match &record.certificate_sha256 {
                    Some(sha) => format!("; certificate sha256 {sha}"),
                    None => String::new(),
                }
            );
        }
        TrainingCommand::Import { file } => {
            let report = store.import_training(&file)?;
            return Ok(print_import(&report, &file, "training records"));
        }
        TrainingCommand::List { json } => list(store, json)?,
        TrainingCommand::Status { as_of, json } => status(store, as_of, json)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `training list`: every recorded completion, as JSON or a table.
fn list(store: &Store, json: bool) -> anyhow::Result<()> {
    let records = store.training_records()?;
    if json {
        print_json(&records)?;
    } else if records.is_empty() {
        outln!(
            "no training recorded yet: record some with `lockstep training record` or `lockstep training import`"
        );
    } else {
        let rows: Vec<Vec<String>> = records
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.email.clone(),
                    r.course.clone(),
                    r.completed_on.to_string(),
                    r.expires_on.to_string(),
                    r.attested_by.clone(),
                    r.certificate_name.clone().unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        print_table(
            &[
                "NAME",
                "EMAIL",
                "COURSE",
                "COMPLETED",
                "EXPIRES",
                "ATTESTED BY",
                "CERTIFICATE",
            ],
            &rows,
        )?;
    }
    Ok(())
}

/// `training status`: where every active person stands on every course on a day (today
/// when none is given), with a count of each state.
fn status(store: &Store, as_of: Option<NaiveDate>, json: bool) -> anyhow::Result<()> {
    let as_of = as_of.unwrap_or_else(|| store.today());
    let roster = store.training_roster(as_of)?;
    if json {
        print_json(&roster)?;
    } else if roster.is_empty() {
        outln!(
            "no one to train yet: add people with `lockstep person add` and courses with `lockstep course add`"
        );
    } else {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or("-".into());
        let rows: Vec<Vec<String>> = roster
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.email.clone(),
                    r.course.clone(),
                    date(r.completed_on),
                    date(r.expires_on),
                    r.state.to_string(),
                ]
            })
            .collect();
        print_table(
            &["NAME", "EMAIL", "COURSE", "COMPLETED", "EXPIRES", "STATE"],
            &rows,
        )?;
        let counts: Vec<String> = TrainingState::ALL
            .iter()
            .map(|state| {
                let count = roster.iter().filter(|r| r.state == *state).count();
                format!("{count} {state}")
            })
            .collect();
        outln!("as of {as_of}: {}", counts.join(", "));
    }
    Ok(())
}

/// Records a completion with its certificate: checks the request, reads the file once into
/// the vault, records the row and its activity in one transaction, then moves the file
/// into place. A refused request leaves nothing in the vault.
fn record_with_certificate(
    store: &mut Store,
    vault: &Vault,
    new: NewTraining,
    path: &Path,
) -> anyhow::Result<TrainingRecord> {
    Ok(crate::workspace::record_training(
        store,
        vault,
        new,
        Some(path),
    )?)
}

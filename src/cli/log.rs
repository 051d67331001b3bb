//! `lockstep log`: a project's activity log, oldest first.

use std::process::ExitCode;

use clap::Args;

use super::{Outcome, print_json, print_table};
use crate::store::Store;

/// Options of `lockstep log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// The project's name.
    #[arg(long)]
    project: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(store: &Store, args: &LogArgs) -> Outcome {
    let project = store.project_by_name(&args.project)?;
    let entries = store.activity(Some(project.key), None)?;
    if args.json {
        print_json(&entries)?;
    } else {
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                vec![
                    e.seq.to_string(),
                    e.at.clone(),
                    e.actor.clone(),
                    if e.subject.is_empty() {
                        "project".to_string()
                    } else {
                        e.subject.clone()
                    },
                    e.summary.clone(),
                ]
            })
            .collect();
        print_table(&["SEQ", "AT", "ACTOR", "SUBJECT", "CHANGE"], &rows)?;
    }
    Ok(ExitCode::SUCCESS)
}

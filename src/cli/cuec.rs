//! `lockstep cuec`: the complementary user entity controls (CUECs) an AWS report lists,
//! which of a project's controls carry each out, and the project's CUEC table.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::person::print_import;
use super::{Outcome, print_json, print_table};
use crate::store::{CuecLine, MappedBy, Store};

/// The `cuec` subcommands.
#[derive(Debug, Subcommand)]
pub enum CuecCommand {
    /// Import the CUECs a report lists from a CSV file: a `cuec` column with the text, and
    /// optional `criteria` and `controls` (control ids) columns.
    Import {
        /// The AWS report that lists them (see `aws-report list`).
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..))]
        report: i64,
        /// The CSV file (UTF-8).
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
    },
    /// Map a CUEC to a customer or shared control of a project by hand (or unmap it).
    Map {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The CUEC's id (see `cuec list`).
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        cuec: i64,
        /// The control's id.
        control: String,
        /// Take the hand-made mapping away instead.
        #[arg(long)]
        unmap: bool,
    },
    /// Show a project's CUEC table: each CUEC with the controls that carry it out and their
    /// status; exit 1 when a CUEC is not mapped to any control.
    List {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(store: &mut Store, command: CuecCommand) -> Outcome {
    match command {
        CuecCommand::Import { report, file } => {
            let imported = store.import_cuecs(report, &file)?;
            Ok(print_import(&imported, &file, "CUECs"))
        }
        CuecCommand::Map {
            project,
            cuec,
            control,
            unmap,
        } => {
            let project = store.project_by_name(&project)?;
            let changed = store.map_cuec(project.key, cuec, &control, !unmap)?;
            let what = match (unmap, changed) {
                (false, true) => "mapped",
                (false, false) => "was already mapped",
                (true, true) => "unmapped",
                (true, false) => "was not mapped by hand",
            };
            outln!("CUEC {cuec} {what}: {}", super::shown(&control));
            Ok(ExitCode::SUCCESS)
        }
        CuecCommand::List { project, json } => {
            let project = store.project_by_name(&project)?;
            let lines = store.cuec_table(project.key)?;
            if json {
                print_json(&lines)?;
            } else if lines.is_empty() {
                outln!(
                    "no CUECs yet: import a report's list with `lockstep cuec import --report ID FILE.csv`"
                );
            } else {
                let rows: Vec<Vec<String>> = lines.iter().map(row).collect();
                print_table(&["ID", "REPORT", "CONTROLS", "CUEC"], &rows)?;
            }
            let unmapped = lines.iter().filter(|l| l.controls.is_empty()).count();
            if unmapped > 0 {
                eprintln!(
                    "lockstep: {unmapped} CUEC(s) not mapped to a control: map them with `lockstep cuec map`"
                );
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn row(line: &CuecLine) -> Vec<String> {
    let controls = if line.controls.is_empty() {
        "UNMAPPED".to_string()
    } else {
        line.controls
            .iter()
            .map(|c| {
                format!(
                    "{} ({}{})",
                    c.id,
                    c.status.label().to_lowercase(),
                    if c.mapped_by == MappedBy::Hand {
                        ", by hand"
                    } else {
                        ""
                    }
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![
        line.cuec.id.to_string(),
        line.cuec.report_id.to_string(),
        controls,
        line.cuec.text.clone(),
    ]
}

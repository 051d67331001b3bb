//! `lockstep patch`: record patch attestations one by one or from a patch tool's CSV
//! export, set the deadlines by severity, and report where each patch stands.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Subcommand;

use super::{Outcome, numbers, parse_date_arg, print_json, print_table, shown};
use crate::model::{PatchState, Severity};
use crate::store::{NewPatch, PatchChange, PatchDeadlines, PatchRecord, Store};
use crate::workspace::Workspace;

/// The `patch` subcommands.
#[derive(Debug, Subcommand)]
pub enum PatchCommand {
    /// Record that an advisory concerns an asset and, once applied, when; recording an
    /// open advisory again with --applied marks it applied.
    Record {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The asset's name.
        #[arg(long)]
        asset: String,
        /// The advisory's id: a CVE, ALAS or KB number.
        #[arg(long)]
        advisory: String,
        /// critical, high, medium or low.
        #[arg(long)]
        severity: String,
        /// The day the advisory was released.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
        released: NaiveDate,
        /// The day the patch was applied; leave it out while the patch is open.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
        applied: Option<NaiveDate>,
        /// A file that shows the patch (a scan report, a change ticket), stored in the vault.
        #[arg(long, value_name = "FILE")]
        evidence: Option<PathBuf>,
    },
    /// Import a patch tool's CSV export with the columns asset, advisory, severity,
    /// released_on and applied_on (found by name; applied_on may be left out or blank).
    Import {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The CSV file.
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
    },
    /// Show every patch record with its deadline, days to patch and state.
    Status {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The day to judge open patches on (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
        as_of: Option<NaiveDate>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show the project's deadlines (days after release by severity), or set some of them.
    Deadlines {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Days to patch a critical advisory.
        #[arg(long, value_name = "DAYS", allow_negative_numbers = true, value_parser = numbers::deadline_days)]
        critical: Option<u32>,
        /// Days to patch a high advisory.
        #[arg(long, value_name = "DAYS", allow_negative_numbers = true, value_parser = numbers::deadline_days)]
        high: Option<u32>,
        /// Days to patch a medium advisory.
        #[arg(long, value_name = "DAYS", allow_negative_numbers = true, value_parser = numbers::deadline_days)]
        medium: Option<u32>,
        /// Days to patch a low advisory.
        #[arg(long, value_name = "DAYS", allow_negative_numbers = true, value_parser = numbers::deadline_days)]
        low: Option<u32>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(workspace: &mut Workspace, command: PatchCommand) -> Outcome {
    match command {
        PatchCommand::Record {
            project,
            asset,
            advisory,
            severity,
            released,
            applied,
            evidence,
        } => {
            let project = workspace.store.project_by_name(&project)?;
            let new = NewPatch {
                asset,
                advisory,
                severity: severity.parse::<Severity>()?,
                released_on: released,
                applied_on: applied,
                evidence: None,
            };
            let (change, record) = record(workspace, project.key, new, evidence)?;
            print_recorded(change, &record);
            Ok(ExitCode::SUCCESS)
        }
        PatchCommand::Import { project, file } => import(&mut workspace.store, &project, &file),
        PatchCommand::Status {
            project,
            as_of,
            json,
        } => status(&workspace.store, &project, as_of, json),
        PatchCommand::Deadlines {
            project,
            critical,
            high,
            medium,
            low,
            json,
        } => deadlines(
            &mut workspace.store,
            &project,
            [critical, high, medium, low],
            json,
        ),
    }
}

/// The line `patch record` prints about what it recorded.
fn print_recorded(change: PatchChange, record: &PatchRecord) {
    let state = match (record.applied_on, record.days_to_patch) {
        (Some(applied), Some(days)) => {
            format!("applied {applied} after {days} days, {}", record.state)
        }
        _ => "open".to_string(),
    };
    outln!(
        "{} {} for {}: {}, released {}, deadline {}, {state}",
        match change {
            PatchChange::Added => "recorded",
            PatchChange::Applied => "applied",
        },
        record.advisory,
        record.asset,
        record.severity,
        record.released_on,
        record.deadline
    );
}

/// `patch import`: each refused row, then the counts; exit 2 when any row was refused.
fn import(store: &mut Store, project: &str, file: &Path) -> Outcome {
    let project = store.project_by_name(project)?;
    let import = store.import_patches(project.key, file)?;
    for problem in &import.report.refused {
        eprintln!("{}", shown(&problem.to_string()));
    }
    let report = &import.report;
    if report.rows == 0 {
        outln!("the file has a header but no rows: nothing imported");
    } else {
        outln!(
            "imported {} of {} rows ({} applied open records){}",
            report.imported,
            report.rows,
            import.applied,
            if report.refused.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} refused: fix those lines and import the file again, rows already stored are not doubled",
                    report.refused.len()
                )
            }
        );
    }
    Ok(if report.refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// `patch status`: every record as of a day (today when none is given).
fn status(store: &Store, project: &str, as_of: Option<NaiveDate>, json: bool) -> Outcome {
    let project = store.project_by_name(project)?;
    let as_of = as_of.unwrap_or_else(|| store.today());
    let records = store.patch_records(project.key, as_of)?;
    if json {
        print_json(&records)?;
    } else if records.is_empty() {
        outln!(
            "no patch records yet: record one with `lockstep patch record` or import a CSV with `lockstep patch import`"
        );
    } else {
        outln!("patches of {} as of {as_of}", project.name);
        print_status(&records)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `patch deadlines`: sets the days given (critical, high, medium, low), then shows all.
fn deadlines(
    store: &mut Store,
    project: &str,
    days_by_severity: [Option<u32>; 4],
    json: bool,
) -> Outcome {
    let project = store.project_by_name(project)?;
    let changes: Vec<(Severity, u32)> = Severity::ALL
        .into_iter()
        .zip(days_by_severity)
        .filter_map(|(severity, days)| days.map(|days| (severity, days)))
        .collect();
    let deadlines = if changes.is_empty() {
        store.patch_deadlines(project.key)?
    } else {
        store.set_patch_deadlines(project.key, &changes)?
    };
    if json {
        print_json(&deadlines)?;
    } else {
        print_deadlines(&deadlines)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Records a patch; an evidence file is read once into the vault, its row written, and
/// only then moved into place, so a refusal leaves nothing behind.
fn record(
    workspace: &mut Workspace,
    project: i64,
    new: NewPatch,
    evidence: Option<PathBuf>,
) -> anyhow::Result<(PatchChange, PatchRecord)> {
    let Workspace { store, vault } = workspace;
    Ok(crate::workspace::record_patch(
        store,
        vault,
        project,
        new,
        evidence.as_deref(),
    )?)
}

fn print_status(records: &[PatchRecord]) -> anyhow::Result<()> {
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            vec![
                r.asset.clone(),
                r.advisory.clone(),
                r.severity.to_string(),
                r.released_on.to_string(),
                r.deadline.to_string(),
                r.applied_on
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into()),
                r.days_to_patch
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into()),
                r.state.to_string(),
            ]
        })
        .collect();
    print_table(
        &[
            "ASSET", "ADVISORY", "SEVERITY", "RELEASED", "DEADLINE", "APPLIED", "DAYS", "STATE",
        ],
        &rows,
    )?;
    let counts: Vec<String> = PatchState::ALL
        .into_iter()
        .map(|state| {
            let count = records.iter().filter(|r| r.state == state).count();
            format!("{count} {}", state.label().to_lowercase())
        })
        .collect();
    outln!("{}", counts.join(", "));
    Ok(())
}

fn print_deadlines(deadlines: &PatchDeadlines) -> anyhow::Result<()> {
    let rows: Vec<Vec<String>> = Severity::ALL
        .into_iter()
        .map(|severity| vec![severity.to_string(), deadlines.days(severity).to_string()])
        .collect();
    print_table(&["SEVERITY", "DAYS AFTER RELEASE"], &rows)
}

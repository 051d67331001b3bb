//! `lockstep findings` and `lockstep finding`: import the findings exports of Amazon
//! Inspector, Security Hub and Systems Manager, list a project's findings, and ask for a
//! deviation or plan a milestone for one.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use clap::Subcommand;

use super::{Outcome, parse_date_arg, print_json, print_table, shown};
use crate::model::{DeviationKind, FindingSeverity};
use crate::store::{Finding, FindingFacts, NewDeviation};
use crate::workspace::{Workspace, import_findings, store_with_record};

/// The `findings` subcommands.
#[derive(Debug, Subcommand)]
pub enum FindingsCommand {
    /// Import findings exports (Inspector JSON or CSV, Security Hub ASFF or OCSF, Systems
    /// Manager patch lists), recognised by their content.
    Import {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The exported files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Each file lists every current finding of its source and accounts: close the
        /// project's findings from that source that it no longer lists.
        #[arg(long)]
        snapshot: bool,
        /// The instance a `describe-instance-patches` file describes.
        #[arg(long, value_name = "ID")]
        asset: Option<String>,
        /// Print JSON instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// List a project's findings with their deadlines and states.
    List {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// As of this date (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
        as_of: Option<NaiveDate>,
        /// Only the open ones (open or late).
        #[arg(long)]
        open: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// The `finding` subcommands.
#[derive(Debug, Subcommand)]
pub enum FindingCommand {
    /// Show one finding, with its deviation and milestones.
    Show {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The finding's id (`F-12`) or its tool's id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ask for a deviation (FedRAMP's false positive, operational requirement or risk
    /// adjustment); it counts once `signoff add --finding ID` signs it off.
    Deviate {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The finding's id.
        id: String,
        /// false-positive, operational-requirement or risk-adjustment.
        #[arg(long)]
        kind: String,
        /// Why.
        #[arg(long)]
        rationale: String,
        /// For a risk adjustment: the severity it lowers the finding to.
        #[arg(long, value_name = "SEVERITY")]
        adjusted_severity: Option<String>,
        /// A file that supports it, kept in the vault.
        #[arg(long, value_name = "FILE")]
        evidence: Option<PathBuf>,
    },
    /// Record what the tools cannot know about a finding: whether its resource is reachable
    /// from the internet and whether it is likely exploitable (yes, no or unknown).
    Set {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The finding's id.
        id: String,
        /// yes, no or unknown.
        #[arg(long, value_enum)]
        internet_reachable: Option<Said>,
        /// yes, no or unknown.
        #[arg(long, value_enum)]
        likely_exploitable: Option<Said>,
    },
    /// Plan a milestone towards closing a finding.
    Milestone {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The finding's id.
        id: String,
        /// When it is due.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
        due: NaiveDate,
        /// What it is.
        #[arg(long)]
        text: String,
    },
}

/// What a person says of a fact: yes, no, or that it is not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Said {
    /// It holds.
    Yes,
    /// It does not.
    No,
    /// Not known (clears what was said).
    Unknown,
}

impl Said {
    fn value(self) -> Option<bool> {
        match self {
            Said::Yes => Some(true),
            Said::No => Some(false),
            Said::Unknown => None,
        }
    }
}

pub(super) fn run(workspace: &mut Workspace, command: FindingsCommand) -> Outcome {
    match command {
        FindingsCommand::Import {
            project,
            files,
            snapshot,
            asset,
            json,
        } => import(workspace, project, files, snapshot, asset, json),
        FindingsCommand::List {
            project,
            as_of,
            open,
            json,
        } => list(workspace, project, as_of, open, json),
    }
}

/// Import findings exports (Inspector JSON or CSV, Security Hub ASFF or OCSF, Systems
/// Manager patch lists), recognised by their content.
fn import(
    workspace: &mut Workspace,
    project: String,
    files: Vec<PathBuf>,
    snapshot: bool,
    asset: Option<String>,
    json: bool,
) -> Outcome {
    let project = workspace.store.project_by_name(&project)?;
    let mut reports = Vec::new();
    let mut refused = false;
    for file in &files {
        let report = import_findings(
            &mut workspace.store,
            &workspace.vault,
            (project.key, snapshot),
            (file, asset.as_deref()),
            &AtomicBool::new(false),
            &mut |_| {},
        )?;
        for problem in &report.refused {
            eprintln!("{}: {}", file.display(), shown(&problem.to_string()));
        }
        refused |= !report.refused.is_empty();
        if !json {
            outln!(
                "{}: {} — {} new, {} updated, {} closed, {} reopened, {} unchanged{}{}",
                file.display(),
                report.format.map(|f| f.label()).unwrap_or_default(),
                report.new,
                report.updated,
                report.closed,
                report.reopened,
                report.unchanged,
                if report.refused.is_empty() {
                    String::new()
                } else {
                    let n = report.refused.len();
                    format!("; {n} record{} refused", if n == 1 { "" } else { "s" })
                },
                if report.evidence_controls.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; filed as evidence of {}",
                        report.evidence_controls.join(", ")
                    )
                }
            );
        }
        reports.push(report);
    }
    if json {
        print_json(&reports)?;
    }
    Ok(if refused {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// List a project's findings with their deadlines and states.
fn list(
    workspace: &mut Workspace,
    project: String,
    as_of: Option<NaiveDate>,
    open: bool,
    json: bool,
) -> Outcome {
    let store = &workspace.store;
    let project = store.project_by_name(&project)?;
    let as_of = as_of.unwrap_or_else(|| store.today());
    let findings: Vec<Finding> = store
        .findings(project.key, as_of)?
        .into_iter()
        .filter(|f| !open || f.is_open())
        .collect();
    if json {
        print_json(&findings)?;
    } else if findings.is_empty() {
        outln!(
            "no findings yet: import an export with `lockstep findings import --project NAME FILE`"
        );
    } else {
        let rows: Vec<Vec<String>> = findings
            .iter()
            .map(|f| {
                vec![
                    f.id.clone(),
                    f.source.as_str().to_string(),
                    f.resource.clone(),
                    if f.vulnerability.is_empty() {
                        f.check.clone()
                    } else {
                        f.vulnerability.clone()
                    },
                    f.effective_severity.as_str().to_string(),
                    f.first_seen.date_naive().to_string(),
                    f.deadline.map(|d| d.to_string()).unwrap_or_default(),
                    f.state.as_str().to_string(),
                    f.deviation
                        .as_ref()
                        .map(|d| format!("{} ({})", d.kind, d.state.as_str()))
                        .unwrap_or_default(),
                ]
            })
            .collect();
        print_table(
            &[
                "ID",
                "SOURCE",
                "RESOURCE",
                "VULNERABILITY/CHECK",
                "SEVERITY",
                "FIRST SEEN",
                "DEADLINE",
                "STATE",
                "DEVIATION",
            ],
            &rows,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn run_one(workspace: &mut Workspace, command: FindingCommand) -> Outcome {
    match command {
        FindingCommand::Show { project, id, json } => show(workspace, project, id, json),
        FindingCommand::Deviate {
            project,
            id,
            kind,
            rationale,
            adjusted_severity,
            evidence,
        } => deviate(
            workspace,
            project,
            id,
            kind,
            rationale,
            adjusted_severity,
            evidence,
        ),
        FindingCommand::Set {
            project,
            id,
            internet_reachable,
            likely_exploitable,
        } => set(
            workspace,
            project,
            id,
            internet_reachable,
            likely_exploitable,
        ),
        FindingCommand::Milestone {
            project,
            id,
            due,
            text,
        } => milestone(workspace, project, id, due, text),
    }
}

/// Show one finding, with its deviation and milestones.
fn show(workspace: &mut Workspace, project: String, id: String, json: bool) -> Outcome {
    let store = &workspace.store;
    let project = store.project_by_name(&project)?;
    let finding = store.finding(project.key, &id)?;
    if json {
        print_json(&finding)?;
    } else {
        outln!("{} {}", finding.id, shown(&finding.title));
        outln!(
            "source: {} {}",
            finding.source.label(),
            shown(&finding.source_id)
        );
        outln!("resource: {}", shown(&finding.resource));
        outln!(
            "severity: {}, first seen {}, deadline {}, {}",
            finding.effective_severity,
            finding.first_seen.date_naive(),
            finding
                .deadline
                .map(|d| d.to_string())
                .unwrap_or_else(|| "none".into()),
            finding.state
        );
        if let Some(d) = &finding.deviation {
            outln!(
                "deviation: {} ({}): {}",
                d.kind,
                d.state.as_str(),
                shown(&d.rationale)
            );
        }
        for m in &finding.milestones {
            outln!("milestone due {}: {}", m.due, shown(&m.text));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Ask for a deviation (FedRAMP's false positive, operational requirement or risk
/// adjustment); it counts once `signoff add --finding ID` signs it off.
fn deviate(
    workspace: &mut Workspace,
    project: String,
    id: String,
    kind: String,
    rationale: String,
    adjusted_severity: Option<String>,
    evidence: Option<PathBuf>,
) -> Outcome {
    let Workspace { store, vault } = workspace;
    let project = store.project_by_name(&project)?;
    let mut new = NewDeviation {
        kind: kind.parse::<DeviationKind>()?,
        rationale,
        adjusted_severity: adjusted_severity
            .map(|s| s.parse::<FindingSeverity>())
            .transpose()?,
        evidence: None,
    };
    store.check_writable()?;
    store.check_deviation_target(project.key, &id)?;
    let finding = match evidence {
        None => store.request_deviation(project.key, &id, &new)?,
        Some(path) => {
            store_with_record(vault, &path, &AtomicBool::new(false), &mut |_| {}, |file| {
                new.evidence = Some((file.sha256, file.file_name));
                store.request_deviation(project.key, &id, &new)
            })?
        }
    };
    outln!(
        "asked for a {} deviation of {}: it counts once signed off with `lockstep signoff add --project {} --finding {}`",
        new.kind,
        finding.id,
        shown(&project.name),
        finding.id
    );
    Ok(ExitCode::SUCCESS)
}

/// Record what the tools cannot know about a finding: whether its resource is reachable
/// from the internet and whether it is likely exploitable (yes, no or unknown).
fn set(
    workspace: &mut Workspace,
    project: String,
    id: String,
    internet_reachable: Option<Said>,
    likely_exploitable: Option<Said>,
) -> Outcome {
    let store = &mut workspace.store;
    let project = store.project_by_name(&project)?;
    if internet_reachable.is_none() && likely_exploitable.is_none() {
        anyhow::bail!(
            "say what to set: --internet-reachable yes|no|unknown or --likely-exploitable yes|no|unknown"
        );
    }
    let said = |value: Option<bool>| match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    };
    let finding = store.set_finding_facts(
        project.key,
        &id,
        FindingFacts {
            internet_reachable: internet_reachable.map(Said::value),
            likely_exploitable: likely_exploitable.map(Said::value),
        },
    )?;
    outln!(
        "{}: internet reachable {}, likely exploitable {}",
        finding.id,
        said(finding.internet_reachable),
        said(finding.likely_exploitable)
    );
    Ok(ExitCode::SUCCESS)
}

/// Plan a milestone towards closing a finding.
fn milestone(
    workspace: &mut Workspace,
    project: String,
    id: String,
    due: NaiveDate,
    text: String,
) -> Outcome {
    let store = &mut workspace.store;
    let project = store.project_by_name(&project)?;
    let finding = store.add_milestone(project.key, &id, due, &text)?;
    outln!("planned a milestone of {} due {due}", finding.id);
    Ok(ExitCode::SUCCESS)
}

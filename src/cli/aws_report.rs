//! `lockstep aws-report`: AWS's own reports (SOC 2, SOC 1, ISO 27001, PCI AOC, FedRAMP),
//! kept once per workspace; and how they cover a project's audit period.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use clap::Subcommand;
use serde::Serialize;

use super::{Outcome, parse_date_arg, print_json, print_table, shown};
use crate::model::{Coverage, DateRange, MissingService, ReportKind, parse_services};
use crate::store::{AwsReport, NewAwsReport, ProjectCoverage};
use crate::workspace::{Workspace, add_aws_report};

/// The `aws-report` subcommands.
#[derive(Debug, Subcommand)]
pub enum AwsReportCommand {
    /// Add a report downloaded from AWS Artifact; its file goes into the vault.
    Add {
        /// The report file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// What it is.
        #[arg(long, value_name = "soc2-type2|soc1-type2|iso27001|pci-aoc|fedramp|other", value_parser = parse_kind)]
        kind: ReportKind,
        /// Its title.
        #[arg(long)]
        title: String,
        /// The first day of the period it reports on.
        #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
        period_start: Option<NaiveDate>,
        /// The last day of the period it reports on.
        #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
        period_end: Option<NaiveDate>,
        /// The last day it counts (a certificate's expiry).
        #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
        valid_until: Option<NaiveDate>,
        /// The AWS services in its scope, separated by commas (e.g. ec2,s3,rds).
        #[arg(long, value_name = "LIST", default_value = "")]
        services: String,
        /// A bridge letter vouching for the months after the period.
        #[arg(long, value_name = "FILE")]
        bridge_letter: Option<PathBuf>,
        /// The last day the bridge letter vouches for.
        #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
        bridge_until: Option<NaiveDate>,
    },
    /// List the workspace's AWS reports, removed ones included.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove a report; the record and its files stay, marked removed, with the reason.
    Remove {
        /// The report's id (see `aws-report list`).
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        id: i64,
        /// Why it is removed.
        #[arg(long)]
        reason: String,
    },
    /// Show how the reports cover a project's audit period; exit 1 on a gap or a service
    /// missing from a report's scope.
    Coverage {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Print JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
}

fn parse_kind(text: &str) -> Result<ReportKind, String> {
    text.parse()
        .map_err(|e: crate::model::ReportError| e.to_string())
}

/// Coverage as `--json` prints it.
#[derive(Serialize)]
struct CoverageJson<'a> {
    project: &'a str,
    period: Option<DateRange>,
    covered: &'a [DateRange],
    gaps: &'a [DateRange],
    missing_services: &'a [MissingService],
}

pub(super) fn run(workspace: &mut Workspace, command: AwsReportCommand) -> Outcome {
    match command {
        AwsReportCommand::Add {
            file,
            kind,
            title,
            period_start,
            period_end,
            valid_until,
            services,
            bridge_letter,
            bridge_until,
        } => {
            let new = NewAwsReport {
                kind,
                title,
                period_start,
                period_end,
                valid_until,
                services: parse_services(&services),
                bridge_until,
            };
            add(workspace, &new, &file, bridge_letter.as_deref())
        }
        AwsReportCommand::List { json } => list(workspace, json),
        AwsReportCommand::Remove { id, reason } => remove(workspace, id, reason),
        AwsReportCommand::Coverage { project, json } => coverage(workspace, project, json),
    }
}

/// Add a report downloaded from AWS Artifact; its file goes into the vault.
fn add(
    workspace: &mut Workspace,
    new: &NewAwsReport,
    file: &Path,
    bridge_letter: Option<&Path>,
) -> Outcome {
    let Workspace { store, vault } = workspace;
    let report = add_aws_report(
        store,
        vault,
        new,
        file,
        bridge_letter,
        &AtomicBool::new(false),
    )?;
    outln!(
        "added AWS report {}: {} ({})  {}",
        report.id,
        shown(&report.title),
        report.kind,
        report.sha256
    );
    Ok(ExitCode::SUCCESS)
}

/// List the workspace's AWS reports, removed ones included.
fn list(workspace: &mut Workspace, json: bool) -> Outcome {
    let Workspace { store, .. } = workspace;
    let reports = store.aws_reports()?;
    if json {
        print_json(&reports)?;
    } else if reports.is_empty() {
        outln!("no AWS reports yet: add one with `lockstep aws-report add`");
    } else {
        let rows: Vec<Vec<String>> = reports.iter().map(row).collect();
        print_table(
            &[
                "ID",
                "KIND",
                "PERIOD",
                "BRIDGE TO",
                "VALID TO",
                "SERVICES",
                "TITLE",
            ],
            &rows,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Remove a report; the record and its files stay, marked removed, with the reason.
fn remove(workspace: &mut Workspace, id: i64, reason: String) -> Outcome {
    let Workspace { store, .. } = workspace;
    let report = store.remove_aws_report(id, &reason)?;
    outln!(
        "removed AWS report {} ({}); its files stay in the vault",
        report.id,
        shown(&report.title)
    );
    Ok(ExitCode::SUCCESS)
}

/// Show how the reports cover a project's audit period; exit 1 on a gap or a service
/// missing from a report's scope.
fn coverage(workspace: &mut Workspace, project: String, json: bool) -> Outcome {
    let Workspace { store, .. } = workspace;
    let project = store.project_by_name(&project)?;
    let coverage = match store.coverage(project.key)? {
        ProjectCoverage::Period(coverage) => coverage,
        ProjectCoverage::NoPeriod => {
            anyhow::bail!(
                "project '{}' has no audit period, so there is no coverage to check (a project's period is set with `project create --period-start DATE --period-end DATE`)",
                project.name
            );
        }
    };
    if json {
        print_json(&CoverageJson {
            project: &project.name,
            period: Some(coverage.period),
            covered: &coverage.covered,
            gaps: &coverage.gaps,
            missing_services: &coverage.missing_services,
        })?;
    } else {
        for line in coverage_lines(&coverage) {
            outln!("{}", shown(&line));
        }
    }
    if !coverage.is_complete() {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn row(report: &AwsReport) -> Vec<String> {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
    let period = match (report.period_start, report.period_end) {
        (Some(from), Some(to)) => format!("{from} to {to}"),
        _ => "-".into(),
    };
    vec![
        report.id.to_string(),
        report.kind.to_string(),
        period,
        date(report.bridge_until),
        date(report.valid_until),
        if report.services.is_empty() {
            "-".into()
        } else {
            report.services.join(",")
        },
        if report.removed {
            format!("{} (removed)", report.title)
        } else {
            report.title.clone()
        },
    ]
}

/// The coverage as lines for people: the period, what is covered, each gap and each
/// missing service.
pub(crate) fn coverage_lines(coverage: &Coverage) -> Vec<String> {
    let mut lines = vec![format!("audit period: {}", coverage.period)];
    if coverage.covered.is_empty() {
        lines.push("covered: nothing".into());
    }
    for range in &coverage.covered {
        lines.push(format!("covered: {range}"));
    }
    for gap in &coverage.gaps {
        lines.push(format!("gap: {gap} ({} days)", gap.days()));
    }
    for missing in &coverage.missing_services {
        lines.push(format!(
            "missing service: {} is not in the scope of AWS report {} '{}'",
            missing.service, missing.report, missing.title
        ));
    }
    if coverage.is_complete() {
        lines.push("no gaps and no missing services".into());
    }
    lines
}

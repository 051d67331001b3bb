//! `lockstep poam`: writes a project's plan of action and milestones as an OSCAL POA&M and
//! FedRAMP's workbook, and FedRAMP's vulnerability detail report for a period.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;

use super::{Outcome, parse_date_arg, print_json, shown};
use crate::export_oscal::poam::{
    MissingFacts, ReportPeriod, VDR_FILE, VdrCounts, VdrRefusal, documents, read_snapshot,
};
use crate::export_oscal::write_files;
use crate::workspace::Workspace;

/// Options of `lockstep poam`.
#[derive(Debug, Args)]
pub struct PoamArgs {
    /// The project's name.
    #[arg(long)]
    project: String,
    /// The folder to write `poam.json`, `poam.xlsx` and `vulnerability-detail-report.json`
    /// into; created when missing, and files of those names in it are replaced.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The authorization package's address (FedRAMP's certification package overview),
    /// remembered for the project once given.
    #[arg(long, value_name = "URI")]
    package_uri: Option<String>,
    /// First day of the report's period (default: the first day of last month).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg, requires = "to")]
    from: Option<NaiveDate>,
    /// Last day of the report's period (default: the last day of last month).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg, requires = "from")]
    to: Option<NaiveDate>,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

/// What `poam --json` prints.
#[derive(Debug, serde::Serialize)]
struct Written {
    files: Vec<String>,
    open: usize,
    closed: usize,
    period: ReportPeriod,
    report: ReportOutcome,
}

#[derive(Debug, serde::Serialize)]
struct ReportOutcome {
    written: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    counts: Option<VdrCounts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    missing: Vec<MissingFacts>,
}

pub(super) fn run(workspace: &mut Workspace, args: &PoamArgs) -> Outcome {
    let project = workspace.store.project_by_name(&args.project)?;
    let period = match (args.from, args.to) {
        (Some(from), Some(to)) if from > to => anyhow::bail!(
            "the period's first day ({from}) is after its last ({to}): give --from before --to"
        ),
        (Some(from), Some(to)) => ReportPeriod { from, to },
        _ => ReportPeriod::last_month(workspace.store.today()),
    };
    if let Some(uri) = &args.package_uri {
        workspace.store.set_package_uri(project.key, uri)?;
    }
    let data = read_snapshot(&workspace.store, project.key)?;
    let export = documents(&data, period)?;
    let written = write_files(&args.out, &export.files)?;
    // An earlier export's report must not stand beside a POA&M it no longer matches.
    let stale = args.out.join(VDR_FILE);
    let removed_stale = export.report.is_err() && stale.is_file() && {
        std::fs::remove_file(&stale)?;
        true
    };
    let outcome = ReportOutcome {
        written: export.report.is_ok(),
        counts: export.report.as_ref().ok().copied(),
        reason: export.report.as_ref().err().map(ToString::to_string),
        missing: match &export.report {
            Err(VdrRefusal::MissingFacts(missing)) => missing.clone(),
            _ => vec![],
        },
    };
    let code = match &export.report {
        Err(VdrRefusal::MissingFacts(_) | VdrRefusal::Json(_)) => ExitCode::from(2),
        _ => ExitCode::SUCCESS,
    };
    if args.json {
        print_json(&Written {
            files: written.iter().map(|p| p.display().to_string()).collect(),
            open: export.open,
            closed: export.closed,
            period,
            report: outcome,
        })?;
        return Ok(code);
    }
    for (path, (_, bytes)) in written.iter().zip(&export.files) {
        outln!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    outln!(
        "for '{}': {} open and {} closed POA&M items",
        shown(&project.name),
        export.open,
        export.closed
    );
    match &export.report {
        Ok(counts) => outln!(
            "vulnerability detail report for {} to {}: {} vulnerabilities, {} overdue, {} accepted ones left out",
            period.from,
            period.to,
            counts.vulnerabilities,
            counts.overdue,
            counts.accepted
        ),
        Err(refusal) => {
            eprintln!(
                "{VDR_FILE} not written: {}{}",
                shown(&refusal.to_string()),
                if removed_stale {
                    " (the earlier one in the folder was removed)"
                } else {
                    ""
                }
            );
        }
    }
    Ok(code)
}

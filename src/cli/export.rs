//! `lockstep export`: writes a project's evidence pack, the zip an auditor reads and checks
//! without Lockstep.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use clap::Args;

use super::{Outcome, parse_date_arg};
use crate::pack::{collect, export};
use crate::workspace::Workspace;

/// Options of `lockstep export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The project's name.
    #[arg(long)]
    project: String,
    /// The zip to write.
    #[arg(long, value_name = "FILE.zip")]
    out: PathBuf,
    /// Show statuses, evidence and roster as of this day (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
    as_of: Option<NaiveDate>,
    /// First day of the period for the activity excerpt and patch records (default: the
    /// project's audit period).
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg, requires = "to")]
    from: Option<NaiveDate>,
    /// Last day of that period.
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg, requires = "from")]
    to: Option<NaiveDate>,
    /// Replace the target if it exists.
    #[arg(long)]
    force: bool,
}

pub(super) fn run(workspace: &Workspace, args: &ExportArgs) -> Outcome {
    let project = workspace.store.project_by_name(&args.project)?;
    let as_of = args.as_of.unwrap_or_else(|| workspace.store.today());
    let period = match (args.from, args.to) {
        (Some(from), Some(to)) if to < from => {
            anyhow::bail!("the period ends ({to}) before it starts ({from})")
        }
        (Some(from), Some(to)) => Some((from, to)),
        _ => None,
    };
    let data = collect(&workspace.store, project.key, as_of, period)?;
    let summary = export(
        &data,
        &workspace.vault,
        &args.out,
        args.force,
        &AtomicBool::new(false),
        &mut |_| {},
    )?;
    println!(
        "wrote {} ({} files with manifest.json and SHA256SUMS, {} bytes of content) for '{}' as of {as_of}",
        summary.path.display(),
        summary.files,
        summary.bytes,
        project.name
    );
    Ok(ExitCode::SUCCESS)
}

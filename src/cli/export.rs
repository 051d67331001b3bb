//! `lockstep export`: writes a project's evidence pack, the zip an auditor reads and checks
//! without Lockstep, signed with the author's SSH key when asked (`--sign`, `--sign-key`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use clap::Args;

use super::{Outcome, parse_date_arg, shown};
use crate::model::Project;
use crate::pack::{PackData, collect, collect_requests, export_signed};
use crate::sign::SigningKey;
use crate::sign::keys::{own_key, own_key_path, read_key};
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
    /// Write a delivery pack of just these requests (ids separated by commas): each
    /// request's response and files under `requests/<id> <title>/`.
    #[arg(long, value_name = "ID,ID,...", value_delimiter = ',', num_args = 1.., conflicts_with_all = ["from", "to"])]
    requests: Vec<String>,
    /// Replace the target if it exists.
    #[arg(long)]
    force: bool,
    /// Sign the pack with your key (`lockstep key create`): adds SHA256SUMS.sig and
    /// allowed_signers.
    #[arg(long, conflicts_with = "sign_key")]
    sign: bool,
    /// Sign the pack with this unencrypted OpenSSH Ed25519 private key; its comment names
    /// the signer.
    #[arg(long, value_name = "FILE")]
    sign_key: Option<PathBuf>,
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
    let key = signing_key(args)?;
    let data = pack_data(workspace, args, &project, as_of, period)?;
    let summary = export_signed(
        &data,
        &workspace.vault,
        &args.out,
        args.force,
        key.as_ref(),
        &AtomicBool::new(false),
        &mut |_| {},
    )?;
    outln!(
        "wrote {} ({} files with manifest.json and SHA256SUMS, {} bytes of content) for '{}' as of {as_of}",
        summary.path.display(),
        summary.files,
        summary.bytes,
        shown(&project.name)
    );
    if let Some(key) = &key {
        outln!(
            "signed by {} with {}",
            shown(key.signer()),
            key.public().fingerprint()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The key to sign the pack with: the one given with --sign-key, or with --sign the user's
/// own; its comment must name the signer.
fn signing_key(args: &ExportArgs) -> anyhow::Result<Option<SigningKey>> {
    let key = match (&args.sign_key, args.sign) {
        (Some(path), _) => Some(read_key(path)?),
        (None, true) => Some(own_key()?.ok_or_else(|| {
            anyhow::anyhow!(
                "there is no signing key yet; make one with `lockstep key create`, or give one with --sign-key FILE: {}",
                own_key_path().display()
            )
        })?),
        (None, false) => None,
    };
    if let Some(key) = &key {
        key.check_signer().map_err(|e| {
            anyhow::anyhow!(
                "{e}; the signer is the key's comment (change it with ssh-keygen -c -C ID -f FILE)"
            )
        })?;
    }
    Ok(key)
}

/// The snapshot the pack shows: the whole project, or with --requests a delivery of the
/// requests named (each of which the project must have).
fn pack_data(
    workspace: &Workspace,
    args: &ExportArgs,
    project: &Project,
    as_of: NaiveDate,
    period: Option<(NaiveDate, NaiveDate)>,
) -> anyhow::Result<PackData> {
    let requests: Vec<String> = args
        .requests
        .iter()
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
        .collect();
    if !args.requests.is_empty() && requests.is_empty() {
        anyhow::bail!(
            "--requests names no request: give their ids separated by commas, such as R-001,R-007"
        );
    }
    let data = if requests.is_empty() {
        collect(&workspace.store, project.key, as_of, period)?
    } else {
        let unknown = workspace.store.unknown_requests(project.key, &requests)?;
        if !unknown.is_empty() {
            anyhow::bail!(
                "project '{}' has no request {}: run `lockstep request list --project \"{}\"` to see the ids",
                shown(&project.name),
                unknown
                    .iter()
                    .map(|id| format!("'{}'", shown(id)))
                    .collect::<Vec<_>>()
                    .join(", "),
                shown(&project.name)
            );
        }
        collect_requests(&workspace.store, project.key, &requests, as_of)?
    };
    Ok(data)
}

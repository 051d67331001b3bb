//! `lockstep vault purge`: removes vault files that no current evidence uses. A dry run
//! unless `--yes` is given.

use std::process::ExitCode;

use clap::Subcommand;

use super::Outcome;
use crate::vault::is_sha256;
use crate::workspace::Workspace;

/// The `vault` subcommands.
#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// Remove files that no current evidence uses (those of removed evidence); lists them
    /// without removing anything unless --yes is given.
    Purge {
        /// Remove them.
        #[arg(long)]
        yes: bool,
    },
}

pub(super) fn run(workspace: &mut Workspace, command: VaultCommand) -> Outcome {
    let VaultCommand::Purge { yes } = command;
    if yes {
        // A read-only login is refused before any file is touched.
        workspace.store.check_writable()?;
    }
    // Under the vault's lock, an ingest cannot reuse a file between the check and the delete.
    let _lock = workspace.vault.lock()?;
    let keep = workspace.store.current_hashes()?;
    // A damaged hash hides which file its row uses, and that file would look unused.
    let damaged = keep.iter().filter(|sha| !is_sha256(sha)).count();
    if damaged > 0 {
        anyhow::bail!(
            "nothing was purged: {damaged} recorded hash(es) are not a SHA-256, so which vault files are still in use cannot be told; run `lockstep verify` to see which records"
        );
    }
    let mut unused = Vec::new();
    let mut locked = 0;
    for (sha, size) in workspace.vault.unreferenced(&keep)? {
        // On a team vault under Object Lock, a file stays until its retention ends.
        match workspace.vault.locked_until(&sha)? {
            Some(until) => {
                locked += 1;
                outln!(
                    "kept  {sha}  {size} bytes: under Object Lock until {}",
                    until.format("%Y-%m-%d %H:%M UTC")
                );
            }
            None => unused.push((sha, size)),
        }
    }
    let bytes: u64 = unused.iter().map(|(_, size)| size).sum();
    if unused.is_empty() {
        if locked == 0 {
            outln!("nothing to purge: every file in the vault belongs to current evidence");
        } else {
            outln!("nothing to purge: {locked} unused files stay under Object Lock");
        }
        return Ok(ExitCode::SUCCESS);
    }
    for (sha, size) in &unused {
        outln!(
            "{}  {sha}  {size} bytes",
            if yes { "purge" } else { "would purge" }
        );
    }
    if !yes {
        outln!(
            "{} files, {bytes} bytes: run `lockstep vault purge --yes` to remove them",
            unused.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    workspace.store.record_purge(&unused)?;
    let mut failed = 0;
    for (sha, _) in &unused {
        if let Err(error) = workspace.vault.remove(sha) {
            failed += 1;
            eprintln!("lockstep: {error:#}");
        }
    }
    outln!("purged {} files, {bytes} bytes", unused.len() - failed);
    Ok(if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

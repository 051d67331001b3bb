//! `lockstep verify-pack FILE.zip`: checks an evidence pack against its manifest and
//! `SHA256SUMS`, and its signature when it has one, without a workspace: the pack is all it
//! needs, so an auditor's copy of Lockstep can check a pack it did not write.
//!
//! Prints one line per missing, extra or altered entry and a summary, then the signer and
//! the key's fingerprint of a signed pack. `--signers FILE` checks the signer against an
//! allowed_signers file the auditor already trusts. Exit 0 when the pack is intact (and its
//! signature good), 1 when anything in it is wrong, the signature fails, or the signer is
//! not in `--signers`; 2 when the file is not a Lockstep pack at all (not a zip, truncated,
//! no manifest, or an entry with a path that would escape the folder it is extracted into)
//! or the `--signers` file cannot be read, with the reason on stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use super::{Outcome, shown};
use crate::pack::{SignatureCheck, VerifyOutcome, check_signature, verify_pack};
use crate::sign::{AllowedSigner, parse_allowed_signers};

/// Options of `lockstep verify-pack`.
#[derive(Debug, Args)]
pub struct VerifyPackArgs {
    /// The pack to check (a zip written by `lockstep export`).
    #[arg(value_name = "FILE.zip")]
    file: PathBuf,
    /// An allowed_signers file you trust: the pack must be signed by a key it lists for
    /// namespace lockstep-pack.
    #[arg(long, value_name = "FILE")]
    signers: Option<PathBuf>,
}

pub(super) fn run(args: &VerifyPackArgs) -> Outcome {
    let trusted = match &args.signers {
        None => None,
        Some(path) => Some(read_trusted_signers(path)?),
    };
    let mut failed = false;
    match verify_pack(&args.file, &mut |_, _| {}) {
        VerifyOutcome::Intact { files, bytes } => {
            outln!("intact: {files} files, {bytes} bytes match manifest.json and SHA256SUMS");
        }
        VerifyOutcome::Problems(problems) => {
            for problem in &problems {
                outln!("{problem}");
            }
            let noun = if problems.len() == 1 {
                "problem"
            } else {
                "problems"
            };
            outln!("NOT intact: {} {noun}", problems.len());
            failed = true;
        }
        VerifyOutcome::NotAPack(why) => {
            eprintln!(
                "not a Lockstep evidence pack: {why}: {}",
                args.file.display()
            );
            return Ok(ExitCode::from(2));
        }
    }
    match check_signature(&args.file, trusted.as_deref()) {
        SignatureCheck::Unsigned => outln!("unsigned: the pack has no SHA256SUMS.sig"),
        SignatureCheck::Good {
            signer,
            fingerprint,
            trusted,
        } => {
            let whose = if trusted {
                "your allowed_signers"
            } else {
                "the pack's own allowed_signers; check the fingerprint with the signer, or use --signers"
            };
            outln!(
                "signed by {} with ED25519 key {fingerprint} (listed in {whose})",
                shown(&signer)
            );
        }
        SignatureCheck::Failed(why) => {
            outln!("signature NOT good: {why}");
            failed = true;
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The trusted allowed_signers file given with --signers, refused when it is a bare public
/// key, cannot be read or lists no key.
fn read_trusted_signers(path: &Path) -> anyhow::Result<Vec<AllowedSigner>> {
    let bytes = crate::input::read(path, crate::input::MAX_SMALL_BYTES)
        .with_context(|| format!("cannot read the allowed_signers file: {}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    if text.trim_start().starts_with("ssh-") {
        anyhow::bail!(
            "the --signers file is a public key, not an allowed_signers file; put the signer before the key (SIGNER ssh-ed25519 KEY): {}",
            path.display()
        );
    }
    let lines = parse_allowed_signers(&text).map_err(|error| {
        anyhow::anyhow!(
            "the allowed_signers file cannot be read at {error} (expected: PRINCIPALS [OPTIONS] ssh-ed25519 KEY): {}",
            path.display()
        )
    })?;
    if lines.is_empty() {
        anyhow::bail!(
            "the allowed_signers file lists no Ed25519 key: {}",
            path.display()
        );
    }
    Ok(lines)
}

//! `lockstep verify-pack FILE.zip`: checks an evidence pack against its manifest and
//! `SHA256SUMS`, without a workspace: the pack is all it needs, so an auditor's copy of
//! Lockstep can check a pack it did not write.
//!
//! Prints one line per missing, extra or altered entry and a summary. Exit 0 when the pack
//! is intact, 1 when anything in it is wrong, 2 when the file is not a Lockstep pack at
//! all (not a zip, truncated, no manifest, or an entry with a path that would escape the
//! folder it is extracted into), with the reason on stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::Outcome;
use crate::pack::{VerifyOutcome, verify_pack};

/// Options of `lockstep verify-pack`.
#[derive(Debug, Args)]
pub struct VerifyPackArgs {
    /// The pack to check (a zip written by `lockstep export`).
    #[arg(value_name = "FILE.zip")]
    file: PathBuf,
}

pub(super) fn run(args: &VerifyPackArgs) -> Outcome {
    match verify_pack(&args.file, &mut |_, _| {}) {
        VerifyOutcome::Intact { files, bytes } => {
            println!("intact: {files} files, {bytes} bytes match manifest.json and SHA256SUMS");
            Ok(ExitCode::SUCCESS)
        }
        VerifyOutcome::Problems(problems) => {
            for problem in &problems {
                println!("{problem}");
            }
            let noun = if problems.len() == 1 {
                "problem"
            } else {
                "problems"
            };
            println!("NOT intact: {} {noun}", problems.len());
            Ok(ExitCode::from(1))
        }
        VerifyOutcome::NotAPack(why) => {
            eprintln!(
                "not a Lockstep evidence pack: {why}: {}",
                args.file.display()
            );
            Ok(ExitCode::from(2))
        }
    }
}

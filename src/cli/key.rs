//! `lockstep key`: the person's own signing key, kept in their config folder and used by
//! `lockstep export --sign`. Needs no workspace: the key belongs to the person, not to an
//! audit.

use std::process::ExitCode;

use clap::Subcommand;
use serde::Serialize;

use super::{Outcome, print_json, shown};
use crate::sign::keys::{KeyInfo, create_own_key, own_key, own_key_path};

/// The `key` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make your Ed25519 signing key (OpenSSH format, owner-only, in your config folder).
    Create {
        /// The name auditors will know you by in allowed_signers, such as your e-mail
        /// address (default: your user name on this computer).
        #[arg(long, value_name = "ID")]
        signer: Option<String>,
    },
    /// Show your key's signer, fingerprint and public line to send to auditors.
    Show {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// The key as `key show --json` prints it.
#[derive(Debug, Serialize)]
struct Shown {
    signer: String,
    fingerprint: String,
    public_line: String,
    allowed_signers: String,
    path: String,
}

pub(super) fn run(command: KeyCommand) -> Outcome {
    match command {
        KeyCommand::Create { signer } => {
            let Some(signer) = signer.or_else(login_name) else {
                anyhow::bail!("this computer names no user; give one with --signer ID");
            };
            let key = create_own_key(&signer)?;
            outln!(
                "made the signing key {} for {} in {}",
                key.public().fingerprint(),
                shown(key.signer()),
                own_key_path().display()
            );
            outln!("send auditors this line for their allowed_signers file:");
            outln!("{}", key.allowed_signers_line().trim_end());
            Ok(ExitCode::SUCCESS)
        }
        KeyCommand::Show { json } => {
            let Some(key) = own_key()? else {
                anyhow::bail!(
                    "there is no signing key yet; make one with `lockstep key create`: {}",
                    own_key_path().display()
                );
            };
            let KeyInfo {
                signer,
                fingerprint,
                public_line,
                allowed_signers,
            } = KeyInfo::of(&key);
            let info = Shown {
                signer,
                fingerprint,
                public_line,
                allowed_signers,
                path: own_key_path().display().to_string(),
            };
            if json {
                print_json(&info)?;
            } else {
                outln!("signer       {}", shown(&info.signer));
                outln!("fingerprint  {}", info.fingerprint);
                outln!("public key   {}", shown(&info.public_line));
                outln!("file         {}", info.path);
                outln!("allowed_signers line for auditors:");
                outln!("{}", shown(&info.allowed_signers));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The computer's user name, the signer when none is given.
fn login_name() -> Option<String> {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|key| std::env::var(key).ok())
        .map(|name| name.trim().to_string())
        .find(|name| !name.is_empty())
}

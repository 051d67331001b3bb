//! Checking who signed a pack: its `SHA256SUMS.sig` against its `SHA256SUMS`, and the key
//! that made it against `allowed_signers` — the pack's own, which only names the signer, and,
//! when the auditor gives one, an allowed_signers file they already trust, which is what
//! makes the check mean something: anyone can sign a pack and name themselves in it.
//!
//! The same check `ssh-keygen -Y verify -f allowed_signers -I SIGNER -n lockstep-pack -s
//! SHA256SUMS.sig < SHA256SUMS` makes. Only the three small entries are read; whether the
//! rest of the pack matches `SHA256SUMS` is [`super::verify`]'s part.

use std::io::Read;
use std::path::Path;

use zip::read::ZipArchive;

use super::{ALLOWED_SIGNERS, SIGNATURE};
use crate::sign::{AllowedSigner, PublicKey, parse_allowed_signers, verify};

/// The largest `SHA256SUMS` read, as in [`super::verify`].
const MAX_SUMS_BYTES: u64 = 64 * 1024 * 1024;
/// The largest signature or allowed_signers entry read.
const MAX_SMALL_BYTES: u64 = 1024 * 1024;

/// What the signature check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// The pack carries no signature (and none was asked for).
    Unsigned,
    /// The signature matches `SHA256SUMS`, made by a key the pack's allowed_signers (and
    /// the trusted file, when given) names.
    Good {
        /// Who signed, as the trusted file names them (else as the pack does).
        signer: String,
        /// The key's fingerprint, as `ssh-keygen -l` prints it.
        fingerprint: String,
        /// Whether the key was found in an allowed_signers file the auditor gave.
        trusted: bool,
    },
    /// The signature fails, or its signer is not allowed: why, one sentence.
    Failed(String),
}

/// Checks the signature of the pack at `path`; `trusted` is the allowed_signers file the
/// auditor trusts, already read, when they gave one.
pub fn check_signature(path: &Path, trusted: Option<&[AllowedSigner]>) -> SignatureCheck {
    let [sums, signature, allowed] = match read_signature_entries(path) {
        Ok(entries) => entries,
        Err(why) => return SignatureCheck::Failed(why),
    };
    let (signature, allowed) = match signature_pair(signature, allowed, trusted.is_some()) {
        Ok(pair) => pair,
        Err(check) => return check,
    };
    let Some(sums) = sums else {
        return SignatureCheck::Failed("the pack has no SHA256SUMS to check".to_string());
    };
    let key = match verify(&String::from_utf8_lossy(&signature), &sums) {
        Ok(key) => key,
        Err(error) => return SignatureCheck::Failed(error.to_string()),
    };
    let fingerprint = key.fingerprint();
    let own = match parse_allowed_signers(&String::from_utf8_lossy(&allowed)) {
        Ok(lines) => lines,
        Err(error) => {
            return SignatureCheck::Failed(format!(
                "the pack's allowed_signers cannot be read ({error})"
            ));
        }
    };
    let now = chrono::Utc::now();
    let named = match allowing_line(&own, &key, None, now) {
        Ok(line) => line,
        Err(None) => {
            return SignatureCheck::Failed(format!(
                "the pack's allowed_signers does not name the key that signed it ({fingerprint}): one of the two was swapped"
            ));
        }
        Err(Some(why)) => {
            return SignatureCheck::Failed(format!(
                "the pack's allowed_signers does not let the key that signed it ({fingerprint}) sign packs: {why}"
            ));
        }
    };
    let Some(trusted) = trusted else {
        return SignatureCheck::Good {
            signer: named.principals.clone(),
            fingerprint,
            trusted: false,
        };
    };
    trusted_check(trusted, &key, &named.principals, fingerprint, now)
}

/// The pack's SHA256SUMS, SHA256SUMS.sig and allowed_signers, each when present.
fn read_signature_entries(path: &Path) -> Result<[Option<Vec<u8>>; 3], String> {
    let file = crate::input::open(path).map_err(|e| format!("the pack cannot be read ({e})"))?;
    let mut archive =
        ZipArchive::new(file).map_err(|e| format!("the pack cannot be read ({e})"))?;
    let mut entry = |name: &str, limit: u64| -> Result<Option<Vec<u8>>, String> {
        let Some(index) = archive.index_for_name(name) else {
            return Ok(None);
        };
        let entry = archive
            .by_index(index)
            .map_err(|e| format!("{name} cannot be read ({e})"))?;
        let mut bytes = Vec::new();
        entry
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name} cannot be read ({e})"))?;
        Ok(Some(bytes))
    };
    Ok([
        entry(super::write::SHA256SUMS, MAX_SUMS_BYTES)?,
        entry(SIGNATURE, MAX_SMALL_BYTES)?,
        entry(ALLOWED_SIGNERS, MAX_SMALL_BYTES)?,
    ])
}

/// The signature and the allowed_signers that names its signer, which a signed pack carries
/// together; otherwise what the check says (unsigned, or failed when one lacks the other or
/// a signature is asked for with `signature_required`).
fn signature_pair(
    signature: Option<Vec<u8>>,
    allowed: Option<Vec<u8>>,
    signature_required: bool,
) -> Result<(Vec<u8>, Vec<u8>), SignatureCheck> {
    match (signature, allowed) {
        (None, None) if signature_required => Err(SignatureCheck::Failed(
            "the pack is not signed (it has no SHA256SUMS.sig), and --signers asks for a signature"
                .to_string(),
        )),
        (None, None) => Err(SignatureCheck::Unsigned),
        (Some(_), None) => Err(SignatureCheck::Failed(
            "the pack has SHA256SUMS.sig but no allowed_signers naming its signer".to_string(),
        )),
        (None, Some(_)) => Err(SignatureCheck::Failed(
            "the pack has allowed_signers but no SHA256SUMS.sig: its signature was removed"
                .to_string(),
        )),
        (Some(signature), Some(allowed)) => Ok((signature, allowed)),
    }
}

/// Whether the trusted allowed_signers file accepts the key that signed the pack, for the
/// signer the pack's own file names (`principals`).
fn trusted_check(
    trusted: &[AllowedSigner],
    key: &PublicKey,
    principals: &str,
    fingerprint: String,
    now: chrono::DateTime<chrono::Utc>,
) -> SignatureCheck {
    let signer = principals;
    match allowing_line(trusted, key, Some(signer), now) {
        Ok(line) => SignatureCheck::Good {
            // A pattern names whom it matched; a plain list is shown as written.
            signer: if line.principals.contains(['*', '?', '!']) {
                signer.to_string()
            } else {
                line.principals.clone()
            },
            fingerprint,
            trusted: true,
        },
        Err(None) => SignatureCheck::Failed(format!(
            "the pack was signed by '{}' with key {fingerprint}, which the trusted allowed_signers file does not list",
            crate::text::shown(signer)
        )),
        Err(Some(why)) => SignatureCheck::Failed(format!(
            "the pack was signed by '{}' with key {fingerprint}, which the trusted allowed_signers file does not accept now: {why}",
            crate::text::shown(signer)
        )),
    }
}

/// The first line of `lines` that lets `key` sign a pack at `now` (for `principal`, when
/// given), as `ssh-keygen -Y verify` looks for one. `Err(None)` when no line lists the key;
/// `Err(Some(why))` when the lines that list it do not allow it, with the first reason.
fn allowing_line<'a>(
    lines: &'a [AllowedSigner],
    key: &crate::sign::PublicKey,
    principal: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<&'a AllowedSigner, Option<String>> {
    let mut first_reason = None;
    for line in lines.iter().filter(|line| &line.key == key) {
        let reason = match principal {
            Some(principal) if !line.names(principal) => Some(format!(
                "line {} lists the key for '{}', which does not match '{}'",
                line.line,
                crate::text::shown(&line.principals),
                crate::text::shown(principal)
            )),
            _ => line.refusal(now),
        };
        match reason {
            None => return Ok(line),
            Some(why) => {
                first_reason.get_or_insert(why);
            }
        }
    }
    Err(first_reason)
}

//! Signing evidence packs with an SSH key, in the formats OpenSSH itself reads, so an auditor
//! checks who made a pack with `ssh-keygen -Y verify` and nothing else installed.
//!
//! Three formats, each written and read here and nowhere else:
//!
//! - **OpenSSH private keys** (`-----BEGIN OPENSSH PRIVATE KEY-----`, PROTOCOL.key): only
//!   unencrypted Ed25519 keys are used. An encrypted key, a key of another type, a public key
//!   given in place of the private one, or a file that is no key at all each get their own
//!   message.
//! - **SSH signatures** (PROTOCOL.sshsig): magic `SSHSIG`, version 1, the public key, the
//!   namespace [`NAMESPACE`], an empty reserved field, hash algorithm `sha512`, and the
//!   Ed25519 signature over the signed-data blob; armoured as
//!   `-----BEGIN SSH SIGNATURE-----` with base64 wrapped at 70 columns, as `ssh-keygen -Y
//!   sign` writes it. Ed25519 signatures are deterministic, so the same key signing the same
//!   `SHA256SUMS` gives the same bytes, and a signed pack stays byte-identical.
//! - **allowed_signers** lines (`ssh-keygen(1)`, ALLOWED SIGNERS), with their options, in
//!   [`allowed`].
//!
//! [`keys`] keeps the person's own key in the user's config folder, never in a workspace.

pub mod allowed;
pub mod keys;

pub use allowed::{
    AllowedSigner, AllowedSignersError, parse_allowed_signers, pattern_list_matches,
};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use ed25519_dalek::Signer as _;
use sha2::{Digest, Sha256, Sha512};

/// The namespace every pack signature is made in, so a signature made for something else
/// (an e-mail, a git commit) cannot pass for a pack's.
pub const NAMESPACE: &str = "lockstep-pack";
/// The key type this module signs with.
const KEY_TYPE: &str = "ssh-ed25519";
/// The hash the signed message is reduced with.
const HASH_ALG: &str = "sha512";
const SIG_MAGIC: &[u8; 6] = b"SSHSIG";
const SIG_BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
const SIG_END: &str = "-----END SSH SIGNATURE-----";
const KEY_MAGIC: &[u8] = b"openssh-key-v1\0";
const KEY_BEGIN: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
const KEY_END: &str = "-----END OPENSSH PRIVATE KEY-----";
/// Armoured lines are this wide, as OpenSSH writes them.
const ARMOUR_COLUMNS: usize = 70;

/// Why a key file cannot be used to sign.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// The file is protected by a passphrase.
    #[error(
        "the key is encrypted with a passphrase, and Lockstep signs only with an unencrypted key; make one with `lockstep key create`, or give a copy without a passphrase (ssh-keygen -p -N \"\" -f COPY)"
    )]
    Encrypted,
    /// The file holds a public key, not the private one.
    #[error("the file holds a public key; give the private key file (the one without .pub)")]
    PublicKeyGiven,
    /// An OpenSSH key of another type.
    #[error(
        "the key is of type {0}, and Lockstep signs only with Ed25519 keys (ssh-keygen -t ed25519)"
    )]
    NotEd25519(String),
    /// Some other private-key format (PEM, PKCS#8, PuTTY).
    #[error("the file is not an OpenSSH private key (it should begin with {KEY_BEGIN})")]
    OtherFormat,
    /// Not a key at all.
    #[error("the file is not an SSH key")]
    NotAKey,
    /// Looks like an OpenSSH key but its contents do not hold together.
    #[error("the OpenSSH key is damaged ({0})")]
    Damaged(&'static str),
    /// The signer's name cannot go into an allowed_signers file.
    #[error(
        "the signer '{0}' cannot be used: give a name such as an e-mail address, without spaces, commas, quotes or the wildcards * ? !"
    )]
    BadSigner(String),
}

/// Why a signature does not check out.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    /// Not an armoured SSH signature, or its fields do not parse.
    #[error("SHA256SUMS.sig is not an SSH signature ({0})")]
    Malformed(&'static str),
    /// Made for another purpose.
    #[error("the signature was made for namespace '{0}', not {NAMESPACE}")]
    WrongNamespace(String),
    /// Made with a key or hash this module does not check.
    #[error(
        "the signature uses {0}, and Lockstep checks only Ed25519 signatures over sha512 or sha256"
    )]
    Unsupported(String),
    /// The signature does not match the signed text and key.
    #[error("the signature does not match SHA256SUMS: SHA256SUMS or SHA256SUMS.sig was changed")]
    Mismatch,
}

/// An Ed25519 public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// The key in the SSH wire format (`string "ssh-ed25519"`, `string key`).
    pub fn blob(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(51);
        put_string(&mut out, KEY_TYPE.as_bytes());
        put_string(&mut out, &self.0);
        out
    }

    /// The key as `ssh-keygen -l` fingerprints it: `SHA256:` and unpadded base64.
    pub fn fingerprint(&self) -> String {
        format!(
            "SHA256:{}",
            STANDARD_NO_PAD.encode(Sha256::digest(self.blob()))
        )
    }

    /// The key as one line of a `.pub` file or an authorized_keys file:
    /// `ssh-ed25519 AAAA… comment`.
    pub fn line(&self, comment: &str) -> String {
        let key = format!("{KEY_TYPE} {}", STANDARD.encode(self.blob()));
        if comment.is_empty() {
            key
        } else {
            format!("{key} {comment}")
        }
    }

    /// Reads a key from its wire format.
    fn from_blob(blob: &[u8]) -> Option<PublicKey> {
        let mut reader = Reader(blob);
        if reader.string()? != KEY_TYPE.as_bytes() {
            return None;
        }
        let key: [u8; 32] = reader.string()?.try_into().ok()?;
        reader.0.is_empty().then_some(PublicKey(key))
    }
}

/// A private Ed25519 key with the name of the person it signs for.
pub struct SigningKey {
    key: ed25519_dalek::SigningKey,
    signer: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("signer", &self.signer)
            .field("public", &self.public().fingerprint())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Makes a new key from the operating system's random source.
    pub fn generate(signer: &str) -> Result<SigningKey, KeyError> {
        check_signer(signer)?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|_| KeyError::Damaged("no random source"))?;
        Ok(SigningKey {
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
            signer: signer.to_string(),
        })
    }

    /// Reads an unencrypted OpenSSH Ed25519 private key; its comment names the signer.
    pub fn from_openssh(text: &str) -> Result<SigningKey, KeyError> {
        let trimmed = text.trim_start();
        if !trimmed.starts_with(KEY_BEGIN) {
            let first = trimmed.split_whitespace().next().unwrap_or("");
            if first.starts_with("ssh-") || first.starts_with("ecdsa-") || first.starts_with("sk-")
            {
                return Err(KeyError::PublicKeyGiven);
            }
            if trimmed.starts_with("-----BEGIN") || trimmed.starts_with("PuTTY-User-Key-File") {
                return Err(KeyError::OtherFormat);
            }
            return Err(KeyError::NotAKey);
        }
        let bytes = dearmour(trimmed, KEY_BEGIN, KEY_END).ok_or(KeyError::Damaged("bad base64"))?;
        let rest = bytes
            .strip_prefix(KEY_MAGIC)
            .ok_or(KeyError::Damaged("no openssh-key-v1 header"))?;
        let mut reader = Reader(rest);
        let damaged = || KeyError::Damaged("cut short");
        let cipher = reader.string().ok_or_else(damaged)?;
        let _kdf = reader.string().ok_or_else(damaged)?;
        let _kdf_options = reader.string().ok_or_else(damaged)?;
        if cipher != b"none" {
            return Err(KeyError::Encrypted);
        }
        if reader.u32().ok_or_else(damaged)? != 1 {
            return Err(KeyError::Damaged("it holds more than one key"));
        }
        let public = reader.string().ok_or_else(damaged)?;
        let key_type = Reader(public).string().ok_or_else(damaged)?;
        if key_type != KEY_TYPE.as_bytes() {
            return Err(KeyError::NotEd25519(
                String::from_utf8_lossy(key_type).into_owned(),
            ));
        }
        let mut private = Reader(reader.string().ok_or_else(damaged)?);
        let (check1, check2) = (
            private.u32().ok_or_else(damaged)?,
            private.u32().ok_or_else(damaged)?,
        );
        if check1 != check2 {
            return Err(KeyError::Damaged("its check numbers differ"));
        }
        if private.string().ok_or_else(damaged)? != KEY_TYPE.as_bytes() {
            return Err(KeyError::Damaged("its private part has another type"));
        }
        let public_key: [u8; 32] = private
            .string()
            .and_then(|k| k.try_into().ok())
            .ok_or(KeyError::Damaged("its public key is not 32 bytes"))?;
        let secret: [u8; 64] = private
            .string()
            .and_then(|k| k.try_into().ok())
            .ok_or(KeyError::Damaged("its private key is not 64 bytes"))?;
        let comment = private.string().ok_or_else(damaged)?;
        let seed: [u8; 32] = secret
            .get(..32)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(damaged)?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        if key.verifying_key().to_bytes() != public_key
            || PublicKey::from_blob(public) != Some(PublicKey(public_key))
        {
            return Err(KeyError::Damaged(
                "its public and private halves do not match",
            ));
        }
        Ok(SigningKey {
            key,
            signer: String::from_utf8_lossy(comment).into_owned(),
        })
    }

    /// The key as an unencrypted OpenSSH private key file, the signer as its comment.
    pub fn to_openssh(&self) -> String {
        let public = self.public();
        let mut check = [0u8; 4];
        // The check number only detects a wrong passphrase; any value does without one.
        let _ = getrandom::fill(&mut check);
        let mut private = Vec::new();
        private.extend_from_slice(&check);
        private.extend_from_slice(&check);
        put_string(&mut private, KEY_TYPE.as_bytes());
        put_string(&mut private, &public.0);
        let mut secret = self.key.to_bytes().to_vec();
        secret.extend_from_slice(&public.0);
        put_string(&mut private, &secret);
        put_string(&mut private, self.signer.as_bytes());
        let mut pad = 1u8;
        while private.len() % 8 != 0 {
            private.push(pad);
            pad += 1;
        }
        let mut bytes = KEY_MAGIC.to_vec();
        put_string(&mut bytes, b"none");
        put_string(&mut bytes, b"none");
        put_string(&mut bytes, b"");
        bytes.extend_from_slice(&1u32.to_be_bytes());
        put_string(&mut bytes, &public.blob());
        put_string(&mut bytes, &private);
        armour(&bytes, KEY_BEGIN, KEY_END)
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.key.verifying_key().to_bytes())
    }

    /// The person the key signs for (the key's comment).
    pub fn signer(&self) -> &str {
        &self.signer
    }

    /// Names another signer than the key's comment.
    pub fn with_signer(self, signer: &str) -> Result<SigningKey, KeyError> {
        check_signer(signer)?;
        Ok(SigningKey {
            signer: signer.to_string(),
            ..self
        })
    }

    /// Checks that the key's signer can go into an allowed_signers file.
    pub fn check_signer(&self) -> Result<(), KeyError> {
        check_signer(&self.signer)
    }

    /// Signs `message` in [`NAMESPACE`] and returns the armoured SSH signature, as
    /// `ssh-keygen -Y sign -n lockstep-pack` would write it.
    pub fn sign(&self, message: &[u8]) -> String {
        let digest = Sha512::digest(message);
        let signature = self.key.sign(&signed_data(NAMESPACE, HASH_ALG, &digest));
        let mut inner = Vec::with_capacity(83);
        put_string(&mut inner, KEY_TYPE.as_bytes());
        put_string(&mut inner, &signature.to_bytes());
        let mut blob = SIG_MAGIC.to_vec();
        blob.extend_from_slice(&1u32.to_be_bytes());
        put_string(&mut blob, &self.public().blob());
        put_string(&mut blob, NAMESPACE.as_bytes());
        put_string(&mut blob, b"");
        put_string(&mut blob, HASH_ALG.as_bytes());
        put_string(&mut blob, &inner);
        armour(&blob, SIG_BEGIN, SIG_END)
    }

    /// The allowed_signers line naming this key's signer, limited to [`NAMESPACE`].
    pub fn allowed_signers_line(&self) -> String {
        format!(
            "{} namespaces=\"{NAMESPACE}\" {}\n",
            self.signer,
            self.public().line("")
        )
    }
}

/// Checks an armoured SSH signature of `message` in [`NAMESPACE`]; returns the key that made it.
pub fn verify(armoured: &str, message: &[u8]) -> Result<PublicKey, SignatureError> {
    let blob = dearmour(armoured.trim_start(), SIG_BEGIN, SIG_END)
        .ok_or(SignatureError::Malformed("no armoured signature"))?;
    let rest = blob
        .strip_prefix(SIG_MAGIC.as_slice())
        .ok_or(SignatureError::Malformed("no SSHSIG header"))?;
    let mut reader = Reader(rest);
    let short = SignatureError::Malformed("cut short");
    if reader.u32().ok_or(short.clone())? != 1 {
        return Err(SignatureError::Malformed("not version 1"));
    }
    let public = reader.string().ok_or(short.clone())?;
    let namespace = reader.string().ok_or(short.clone())?;
    let reserved = reader.string().ok_or(short.clone())?;
    let hash_alg = reader.string().ok_or(short.clone())?;
    let signature = reader.string().ok_or(short.clone())?;
    if namespace != NAMESPACE.as_bytes() {
        return Err(SignatureError::WrongNamespace(
            String::from_utf8_lossy(namespace).into_owned(),
        ));
    }
    let key_type = Reader(public).string().ok_or(short.clone())?;
    let key = PublicKey::from_blob(public).ok_or_else(|| {
        SignatureError::Unsupported(String::from_utf8_lossy(key_type).into_owned())
    })?;
    let digest = match hash_alg {
        b"sha512" => Sha512::digest(message).to_vec(),
        b"sha256" => Sha256::digest(message).to_vec(),
        other => {
            return Err(SignatureError::Unsupported(
                String::from_utf8_lossy(other).into_owned(),
            ));
        }
    };
    let mut inner = Reader(signature);
    if inner.string().ok_or(short.clone())? != KEY_TYPE.as_bytes() {
        return Err(SignatureError::Malformed("its signature is not Ed25519"));
    }
    let bytes: [u8; 64] = inner
        .string()
        .and_then(|s| s.try_into().ok())
        .ok_or(SignatureError::Malformed("its signature is not 64 bytes"))?;
    let verifying =
        ed25519_dalek::VerifyingKey::from_bytes(&key.0).map_err(|_| SignatureError::Mismatch)?;
    // The reserved field is signed as found.
    let mut data = SIG_MAGIC.to_vec();
    put_string(&mut data, NAMESPACE.as_bytes());
    put_string(&mut data, reserved);
    put_string(&mut data, hash_alg);
    put_string(&mut data, &digest);
    verifying
        .verify_strict(&data, &ed25519_dalek::Signature::from_bytes(&bytes))
        .map_err(|_| SignatureError::Mismatch)?;
    Ok(key)
}

/// Whether `signer` can stand as a principal in an allowed_signers file and in
/// `ssh-keygen -Y verify -I`.
fn check_signer(signer: &str) -> Result<(), KeyError> {
    let fine = !signer.is_empty()
        && signer.len() <= 200
        && !signer.starts_with('#')
        && !signer.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, ',' | '"' | '*' | '?' | '!')
        });
    if fine {
        Ok(())
    } else {
        Err(KeyError::BadSigner(crate::text::shown(signer).into_owned()))
    }
}

/// The blob an SSH signature signs (PROTOCOL.sshsig).
fn signed_data(namespace: &str, hash_alg: &str, digest: &[u8]) -> Vec<u8> {
    let mut out = SIG_MAGIC.to_vec();
    put_string(&mut out, namespace.as_bytes());
    put_string(&mut out, b"");
    put_string(&mut out, hash_alg.as_bytes());
    put_string(&mut out, digest);
    out
}

/// Appends an SSH `string`: a big-endian length and the bytes.
fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Reads SSH wire-format fields without ever reading past the end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(u32::from_be_bytes(*head))
    }

    fn string(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.u32()?).ok()?;
        let bytes = self.0.get(..len)?;
        self.0 = self.0.get(len..)?;
        Some(bytes)
    }
}

/// Base64 between two armour lines, wrapped at [`ARMOUR_COLUMNS`], ending in a newline.
fn armour(bytes: &[u8], begin: &str, end: &str) -> String {
    let encoded = STANDARD.encode(bytes);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / ARMOUR_COLUMNS + 80);
    out.push_str(begin);
    out.push('\n');
    for line in encoded.as_bytes().chunks(ARMOUR_COLUMNS) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(end);
    out.push('\n');
    out
}

/// The bytes between two armour lines.
fn dearmour(text: &str, begin: &str, end: &str) -> Option<Vec<u8>> {
    let body = text.strip_prefix(begin)?;
    let body = body.get(..body.find(end)?)?;
    let joined: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(joined).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_survives_its_openssh_file() {
        let key = SigningKey::generate("ada@example.com").unwrap();
        let text = key.to_openssh();
        assert!(text.starts_with(KEY_BEGIN));
        assert!(text.lines().all(|l| l.len() <= ARMOUR_COLUMNS));
        let back = SigningKey::from_openssh(&text).unwrap();
        assert_eq!(back.public(), key.public());
        assert_eq!(back.signer(), "ada@example.com");
    }

    #[test]
    fn signatures_are_deterministic_and_check_out() {
        let key = SigningKey::generate("ada@example.com").unwrap();
        let one = key.sign(b"abc  index.html\n");
        assert_eq!(one, key.sign(b"abc  index.html\n"));
        assert!(one.starts_with(SIG_BEGIN));
        assert_eq!(verify(&one, b"abc  index.html\n"), Ok(key.public()));
        assert_eq!(
            verify(&one, b"abd  index.html\n"),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn allowed_signers_lines_read_back_with_their_namespace() {
        let key = SigningKey::generate("ada@example.com").unwrap();
        let parsed = parse_allowed_signers(&key.allowed_signers_line()).unwrap();
        assert_eq!(parsed.len(), 1);
        assert!(parsed[0].names("ada@example.com"));
        assert_eq!(parsed[0].key, key.public());
        assert_eq!(parsed[0].refusal(chrono::Utc::now()), None);
    }

    #[test]
    fn files_that_are_not_usable_keys_get_their_own_reason() {
        let key = SigningKey::generate("ada").unwrap();
        assert_eq!(
            SigningKey::from_openssh(&key.public().line("ada")).unwrap_err(),
            KeyError::PublicKeyGiven
        );
        assert_eq!(
            SigningKey::from_openssh("hello").unwrap_err(),
            KeyError::NotAKey
        );
        assert_eq!(
            SigningKey::from_openssh("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n").unwrap_err(),
            KeyError::OtherFormat
        );
        assert!(matches!(
            SigningKey::from_openssh(&format!("{KEY_BEGIN}\nAAAA\n{KEY_END}\n")),
            Err(KeyError::Damaged(_))
        ));
    }

    #[test]
    fn signers_with_blanks_commas_or_wildcards_are_refused() {
        for bad in ["", "Ada Lovelace", "a,b", "a*", "\"a\"", "a\nb"] {
            assert!(SigningKey::generate(bad).is_err(), "{bad:?}");
        }
    }
}

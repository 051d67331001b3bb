//! The team vault: evidence in an S3 bucket, under the same content-addressed names as the
//! local vault (`PREFIX/sha256/ab/cdef…`).
//!
//! An upload reads the file twice, never into memory whole. The first pass hashes it, since
//! the key is the hash; a file already stored under that key is not sent again. The second
//! pass sends it, as one request with its SHA-256 when it is small and otherwise as a
//! multipart upload whose every part carries its SHA-256 for S3 to check, while the whole
//! is hashed again: a file that changed between the passes is abandoned, so the key always
//! names the content stored under it. A multipart upload becomes an object only when it is
//! completed, so an upload interrupted at any point leaves no object, and the record is
//! written only after the upload completes; unfinished uploads are abandoned by
//! [`S3Vault::abandon_unfinished`].
//!
//! Why not upload once under a temporary name and copy: on a bucket with Object Lock, the
//! temporary object would itself be locked for the whole retention period, a second copy
//! nobody can remove.
//!
//! On a bucket with Object Lock and a default retention every object is locked when it is
//! written. [`S3Vault::purge`] then deletes only objects whose retention has ended and says
//! until when the others are locked.

mod client;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::aws::{AwsError, CredentialChain};
use crate::model::hex;

pub use crate::aws::Credentials;
pub use client::{Client, DefaultRetention, ObjectHead, RetentionPeriod};

use super::{BlobCheck, Vault, VaultError, hash_reader, is_sha256};

/// Bytes in a multipart upload's part, unless the file needs larger parts to fit S3's
/// limit of 10,000.
pub const PART_BYTES: usize = 8 << 20;
/// S3's largest number of parts in one upload (a margin below it is kept).
const MAX_PARTS: u64 = 9_000;

/// Where the team vault lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    /// The bucket.
    pub bucket: String,
    /// The folder inside it, without leading or trailing `/` (may be empty).
    pub prefix: String,
    /// The endpoint of an S3-compatible store (`https://host:port`); AWS's when `None`.
    pub endpoint: Option<String>,
    /// The region requests are signed for.
    pub region: String,
}

/// `url` with anything before an `@` in its authority (a user and password) left out.
fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}***@{host}{}", &rest[authority_end..]),
        None => url.to_string(),
    }
}

impl S3Location {
    /// Reads `s3://BUCKET/PREFIX`.
    pub fn parse(url: &str, endpoint: Option<String>, region: String) -> Result<Self, S3Error> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| {
            S3Error::Setting(format!(
                "the vault must be s3://BUCKET/PREFIX, not '{}'",
                without_userinfo(url)
            ))
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid_bucket {
            return Err(S3Error::Setting(format!(
                "'{}' is not a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens",
                without_userinfo(bucket)
            )));
        }
        if let Some(given) = &endpoint {
            let authority = given
                .split_once("://")
                .map_or(given.as_str(), |(_, rest)| rest);
            let authority = authority.split(['/', '?', '#']).next().unwrap_or("");
            if authority.contains('@') {
                // The endpoint is kept in the settings file, so credentials in it would be
                // written there; they are not shown back either.
                return Err(S3Error::Setting(
                    "leave credentials out of the S3 endpoint: Lockstep never stores them, and takes S3 keys from the AWS environment or profile".to_string(),
                ));
            }
        }
        Ok(S3Location {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
            endpoint,
            region,
        })
    }

    /// The location as `s3://bucket/prefix`.
    pub fn url(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }
}

/// What can go wrong with the team vault.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    /// The endpoint could not be reached, or the connection broke.
    #[error("cannot reach the S3 endpoint {endpoint}: {reason}")]
    Unreachable {
        /// Where.
        endpoint: String,
        /// Why.
        reason: String,
    },
    /// S3 answered with an error.
    #[error("S3 refused {what}: {code} ({status}){}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Service {
        /// What was being done.
        what: String,
        /// The HTTP status.
        status: u16,
        /// S3's error code, such as `AccessDenied` or `NoSuchBucket`.
        code: String,
        /// S3's message.
        message: String,
    },
    /// A setting is malformed or missing.
    #[error("{0}")]
    Setting(String),
    /// The file changed between the pass that hashed it and the pass that sent it.
    #[error("this file changed while it was uploaded; attach it again once it is complete: {0}")]
    Changed(PathBuf),
    /// The local file could not be used.
    #[error(transparent)]
    File(#[from] VaultError),
    /// A stored hash is not a SHA-256.
    #[error("'{0}' is not a SHA-256, so it names no evidence object")]
    NotAHash(String),
    /// The user cancelled the upload.
    #[error("cancelled")]
    Cancelled,
    /// No AWS credentials could be had.
    #[error(transparent)]
    Credentials(#[from] AwsError),
}

/// The AWS credentials for the vault, resolved as the AWS CLI resolves them: the keys in
/// the environment, or `profile` (else `AWS_PROFILE`, else `default`). See
/// [`CredentialChain`]; the first credentials are fetched now, so problems show at once.
pub fn aws_credentials(profile: Option<&str>) -> Result<Arc<CredentialChain>, S3Error> {
    Ok(CredentialChain::resolve(profile, None)?)
}

/// An upload's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// The content's SHA-256, the object's name.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
    /// The object was there already, so nothing was sent.
    pub already_stored: bool,
}

/// What purging an object did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purged {
    /// It is gone.
    Removed,
    /// It is under Object Lock until then, and stays.
    Locked(DateTime<Utc>),
    /// There was nothing under that name.
    Absent,
}

/// The evidence vault in a bucket.
pub struct S3Vault {
    client: Client,
}

impl std::fmt::Debug for S3Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Vault")
            .field("location", &self.location().url())
            .finish()
    }
}

impl S3Vault {
    /// Opens the vault at `location`, checking that the bucket answers.
    pub fn open(
        location: S3Location,
        credentials: impl Into<Arc<CredentialChain>>,
    ) -> Result<Self, S3Error> {
        let vault = S3Vault::unchecked(location, credentials)?;
        vault.client.head_bucket()?;
        Ok(vault)
    }

    /// The vault at `location`, with nothing sent yet (to create its bucket, say).
    pub fn unchecked(
        location: S3Location,
        credentials: impl Into<Arc<CredentialChain>>,
    ) -> Result<Self, S3Error> {
        Ok(S3Vault {
            client: Client::new(location, credentials)?,
        })
    }

    /// The S3 calls, for set-up.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Where it is.
    pub fn location(&self) -> &S3Location {
        self.client.location()
    }

    fn folder(&self) -> String {
        let prefix = &self.location().prefix;
        if prefix.is_empty() {
            "sha256/".to_string()
        } else {
            format!("{prefix}/sha256/")
        }
    }

    /// The object key of the content with this SHA-256.
    pub fn key_of(&self, sha256: &str) -> Result<String, S3Error> {
        if !is_sha256(sha256) {
            return Err(S3Error::NotAHash(sha256.to_string()));
        }
        Ok(format!("{}{}/{sha256}", self.folder(), &sha256[..2]))
    }

    /// The bucket's default retention, when it is under Object Lock.
    pub fn object_lock(&self) -> Result<Option<DefaultRetention>, S3Error> {
        self.client.default_retention()
    }

    /// Uploads `path` under its hash, reporting bytes done of the total as it goes (the
    /// hashing pass and the sending pass each count once). See the module's description.
    pub fn upload(
        &self,
        path: &Path,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Uploaded, S3Error> {
        let size = Vault::check_source(path)?;
        let source = UploadSource { path, size };
        let total = size * 2;
        let mut buffer = vec![0u8; part_size(size)];

        let sha256 = source.hash(&mut buffer, cancel, &mut |done| {
            progress(done.min(size), total)
        })?;
        let key = self.key_of(&sha256)?;
        if let Some(head) = self.client.head_object(&key)?
            && head.size == size
        {
            progress(total, total);
            return Ok(Uploaded {
                sha256,
                bytes: size,
                already_stored: true,
            });
        }

        let mut file = source.open()?;
        if size as usize <= buffer.len() {
            self.put_whole(&source, &mut file, &key, &sha256, &mut buffer)?;
            progress(total, total);
        } else {
            let sent = &mut |n| progress(size + n, total);
            self.put_in_parts(&source, &mut file, &key, &sha256, &mut buffer, cancel, sent)?;
        }
        Ok(Uploaded {
            sha256,
            bytes: size,
            already_stored: false,
        })
    }

    /// Sends a file that fits in `buffer` as one request, checking it is still the file
    /// hashed as `sha256`.
    fn put_whole(
        &self,
        source: &UploadSource<'_>,
        file: &mut File,
        key: &str,
        sha256: &str,
        buffer: &mut [u8],
    ) -> Result<(), S3Error> {
        let n = read_full(file, buffer).map_err(|error| source.unreadable(error))?;
        if n as u64 != source.size || hex(&Sha256::digest(&buffer[..n])) != sha256 {
            return Err(source.changed());
        }
        self.client.put_object(key, &buffer[..n], sha256)?;
        Ok(())
    }

    /// Sends a file as a multipart upload, completed only when the bytes sent still hash
    /// to `sha256`; otherwise the upload is abandoned and no object is made.
    #[allow(clippy::too_many_arguments)]
    fn put_in_parts(
        &self,
        source: &UploadSource<'_>,
        file: &mut File,
        key: &str,
        sha256: &str,
        buffer: &mut [u8],
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), S3Error> {
        let upload_id = self.client.create_multipart(key, sha256)?;
        let sent = self.send_parts(file, key, &upload_id, buffer, cancel, progress);
        let outcome = match sent {
            Ok((parts, again)) if again == sha256 => {
                self.client.complete_multipart(key, &upload_id, &parts)
            }
            Ok(_) => Err(source.changed()),
            Err(error) => Err(error),
        };
        if let Err(error) = outcome {
            // The upload is abandoned so its parts do not linger; if that fails too,
            // `abandon_unfinished` finds it later.
            let _ = self.client.abort_multipart(key, &upload_id);
            return Err(error);
        }
        Ok(())
    }

    /// Sends the file part by part, hashing it again; returns the parts and the hash.
    fn send_parts(
        &self,
        file: &mut File,
        key: &str,
        upload_id: &str,
        buffer: &mut [u8],
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(Vec<client::SentPart>, String), S3Error> {
        let mut hasher = Sha256::new();
        let mut parts = Vec::new();
        let mut done = 0u64;
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(S3Error::Cancelled);
            }
            let n = read_full(file, buffer).map_err(|source| VaultError::Unreadable {
                path: PathBuf::from(key),
                source,
            })?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            let number = parts.len() as u32 + 1;
            parts.push(
                self.client
                    .upload_part(key, upload_id, number, &buffer[..n])?,
            );
            done += n as u64;
            progress(done);
        }
        Ok((parts, hex(&hasher.finalize())))
    }

    /// Abandons every upload under the vault's folder that was started and never
    /// finished, as an interrupted ingest leaves; returns how many.
    pub fn abandon_unfinished(&self) -> Result<usize, S3Error> {
        let unfinished = self.client.unfinished_uploads(&self.folder())?;
        for (key, id) in &unfinished {
            self.client.abort_multipart(key, id)?;
        }
        Ok(unfinished.len())
    }

    /// Whether an object is stored under this hash.
    pub fn contains(&self, sha256: &str) -> Result<bool, S3Error> {
        Ok(self.client.head_object(&self.key_of(sha256)?)?.is_some())
    }

    /// Until when Object Lock keeps the object, if it does.
    pub fn locked_until(&self, sha256: &str) -> Result<Option<DateTime<Utc>>, S3Error> {
        let head = self.client.head_object(&self.key_of(sha256)?)?;
        Ok(head
            .and_then(|head| head.retain_until)
            .filter(|until| *until > Utc::now()))
    }

    /// Streams the object with this hash, or `None` when there is none.
    pub fn read(&self, sha256: &str) -> Result<Option<Box<dyn Read + Send + Sync>>, S3Error> {
        let key = self.key_of(sha256)?;
        match self.client.get_object(&key) {
            Ok(reader) => Ok(Some(reader)),
            Err(S3Error::Service { status: 404, .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Reads the object back, streaming, and checks its hash (and its size, when given).
    pub fn check(&self, sha256: &str, expected_bytes: Option<u64>) -> Result<BlobCheck, S3Error> {
        let Some(mut reader) = self.read(sha256)? else {
            return Ok(BlobCheck::Missing);
        };
        let (actual, bytes) = hash_reader(&mut reader).map_err(|e| S3Error::Unreachable {
            endpoint: self.location().url(),
            reason: e.to_string(),
        })?;
        Ok(
            if actual == sha256 && expected_bytes.is_none_or(|expected| expected == bytes) {
                BlobCheck::Intact
            } else {
                BlobCheck::Altered { actual }
            },
        )
    }

    /// Every object in the vault's folder, as (sha256, size); other names are left out.
    pub fn stored(&self) -> Result<Vec<(String, u64)>, S3Error> {
        let folder = self.folder();
        Ok(self
            .client
            .list(&folder)?
            .into_iter()
            .filter_map(|(key, size)| {
                let name = key.rsplit('/').next()?.to_string();
                (is_sha256(&name) && key == format!("{folder}{}/{name}", &name[..2]))
                    .then_some((name, size))
            })
            .collect())
    }

    /// Deletes the object with this hash unless Object Lock keeps it; on a versioned bucket
    /// the stored version itself is deleted, not hidden behind a delete marker.
    pub fn purge(&self, sha256: &str) -> Result<Purged, S3Error> {
        let key = self.key_of(sha256)?;
        let Some(head) = self.client.head_object(&key)? else {
            return Ok(Purged::Absent);
        };
        if let Some(until) = head.retain_until
            && until > Utc::now()
        {
            return Ok(Purged::Locked(until));
        }
        self.client
            .delete_object(&key, head.version_id.as_deref())?;
        Ok(Purged::Removed)
    }
}

/// The file an upload reads, once to hash it and once to send it.
struct UploadSource<'a> {
    path: &'a Path,
    /// Its size when the upload began; a different size on either pass means it changed.
    size: u64,
}

impl UploadSource<'_> {
    fn open(&self) -> Result<File, VaultError> {
        crate::input::open(self.path).map_err(|source| self.unreadable(source))
    }

    fn unreadable(&self, source: io::Error) -> VaultError {
        VaultError::Unreadable {
            path: self.path.to_path_buf(),
            source,
        }
    }

    fn changed(&self) -> S3Error {
        S3Error::Changed(self.path.to_path_buf())
    }

    /// The first pass: the file's SHA-256, read through `buffer`, telling `progress` the
    /// bytes read so far.
    fn hash(
        &self,
        buffer: &mut [u8],
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<String, S3Error> {
        let mut file = self.open()?;
        let mut hasher = Sha256::new();
        let mut done = 0u64;
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(S3Error::Cancelled);
            }
            let n = read_full(&mut file, buffer).map_err(|error| self.unreadable(error))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            done += n as u64;
            progress(done);
        }
        if done != self.size {
            return Err(self.changed());
        }
        Ok(hex(&hasher.finalize()))
    }
}

/// The part size for a file of `size` bytes: [`PART_BYTES`], or more for files so large
/// that parts of that size would exceed S3's part count.
fn part_size(size: u64) -> usize {
    let needed = size.div_ceil(MAX_PARTS);
    (needed as usize).max(PART_BYTES)
}

/// Fills `buffer` from `reader` as far as it goes; returns how much was read (less than the
/// buffer only at the end).
fn read_full(reader: &mut dyn Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vault_url_names_bucket_and_prefix() {
        let at =
            S3Location::parse("s3://audit-evidence/team/2026/", None, "eu-west-1".into()).unwrap();
        assert_eq!(at.bucket, "audit-evidence");
        assert_eq!(at.prefix, "team/2026");
        assert_eq!(at.url(), "s3://audit-evidence/team/2026");
        for bad in ["audit-evidence", "s3://A_B/x", "s3://ab", "https://x/y"] {
            assert!(
                S3Location::parse(bad, None, "us-east-1".into()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn keys_are_content_addressed_and_refuse_what_is_not_a_hash() {
        let vault = S3Vault::unchecked(
            S3Location::parse("s3://bucket/team", None, "us-east-1".into()).unwrap(),
            Credentials {
                access_key: "a".into(),
                secret_key: "b".into(),
                session_token: None,
                expires: None,
            },
        )
        .unwrap();
        let hash = "ab".repeat(32);
        assert_eq!(
            vault.key_of(&hash).unwrap(),
            format!("team/sha256/ab/{hash}")
        );
        assert!(vault.key_of("../../etc/passwd").is_err());
    }

    #[test]
    fn large_files_get_parts_large_enough_for_the_part_limit() {
        assert_eq!(part_size(1 << 30), PART_BYTES);
        let huge = 200u64 << 30;
        assert!(huge.div_ceil(part_size(huge) as u64) <= MAX_PARTS);
    }
}

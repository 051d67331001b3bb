//! The person's own signing key, kept in the user's config folder (never in a workspace,
//! which is shared and goes into backups): `signing_key` (the OpenSSH private key, readable
//! by its owner only) and `signing_key.pub` beside it, in a folder only its owner can open.
//! `LOCKSTEP_CONFIG_DIR` names another folder, so tests and scripted set-ups never touch the
//! real one.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{KeyError, SigningKey};

/// The environment variable that names the config folder.
pub const CONFIG_ENV: &str = "LOCKSTEP_CONFIG_DIR";
/// The private key's file name in the config folder.
pub const KEY_FILE: &str = "signing_key";

/// Why the person's key cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// A key exists already and would be overwritten.
    #[error("a signing key exists already; Lockstep never replaces one: {0}")]
    Exists(PathBuf),
    /// The file system refused.
    #[error("cannot {action} the signing key ({source}): {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file is not a usable key.
    #[error("{source}: {path}")]
    Key {
        /// The file.
        path: PathBuf,
        /// Why.
        source: KeyError,
    },
}

/// The config folder: `LOCKSTEP_CONFIG_DIR` when set, else the platform's preferences folder
/// for Lockstep (`~/.config/lockstep` on Linux, `~/Library/Preferences/Lockstep` on macOS,
/// `%APPDATA%\Lockstep\config` on Windows), else `./lockstep-config`. The preferences folder
/// rather than the config folder: on macOS the latter is the default workspace folder.
pub fn config_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(CONFIG_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "Lockstep")
        .map(|dirs| dirs.preference_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("lockstep-config"))
}

/// Where the person's private key is kept.
pub fn own_key_path() -> PathBuf {
    config_dir().join(KEY_FILE)
}

/// The key and what to tell others about it, as Settings and `lockstep key show` show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyInfo {
    /// Who the key signs for (its comment).
    pub signer: String,
    /// Its fingerprint, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// Its public line, `ssh-ed25519 AAAA… signer`.
    pub public_line: String,
    /// The allowed_signers line auditors add to their file.
    pub allowed_signers: String,
}

impl KeyInfo {
    /// What to show of `key`.
    pub fn of(key: &SigningKey) -> KeyInfo {
        KeyInfo {
            signer: key.signer().to_string(),
            fingerprint: key.public().fingerprint(),
            public_line: key.public().line(key.signer()),
            allowed_signers: key.allowed_signers_line().trim_end().to_string(),
        }
    }
}

/// Reads a private key file.
pub fn read_key(path: &Path) -> Result<SigningKey, KeyFileError> {
    let bytes = crate::input::read(path, crate::input::MAX_SMALL_BYTES).map_err(|source| {
        KeyFileError::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        }
    })?;
    let text = String::from_utf8_lossy(&bytes);
    SigningKey::from_openssh(&text).map_err(|source| KeyFileError::Key {
        path: path.to_path_buf(),
        source,
    })
}

/// The person's own key, or `None` when none was made yet.
pub fn own_key() -> Result<Option<SigningKey>, KeyFileError> {
    own_key_in(&config_dir())
}

/// The key kept in the config folder `dir`, or `None` when there is none.
pub fn own_key_in(dir: &Path) -> Result<Option<SigningKey>, KeyFileError> {
    let path = dir.join(KEY_FILE);
    if !path.exists() {
        return Ok(None);
    }
    read_key(&path).map(Some)
}

/// Makes the person's key for `signer` and writes it, owner-only, into the config folder.
/// An existing key is never replaced.
pub fn create_own_key(signer: &str) -> Result<SigningKey, KeyFileError> {
    create_key_in(&config_dir(), signer)
}

/// Makes a key for `signer` in the config folder `dir`, owner-only; never replaces one.
pub fn create_key_in(dir: &Path, signer: &str) -> Result<SigningKey, KeyFileError> {
    let path = dir.join(KEY_FILE);
    let key = SigningKey::generate(signer).map_err(|source| KeyFileError::Key {
        path: path.clone(),
        source,
    })?;
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| KeyFileError::Io {
            action,
            path,
            source,
        }
    };
    create_private_dir(dir).map_err(io("create the folder for", dir))?;
    if path.exists() {
        return Err(KeyFileError::Exists(path));
    }
    write_new(&path, key.to_openssh().as_bytes(), 0o600).map_err(|source| {
        if source.kind() == io::ErrorKind::AlreadyExists {
            KeyFileError::Exists(path.clone())
        } else {
            KeyFileError::Io {
                action: "write",
                path: path.clone(),
                source,
            }
        }
    })?;
    let public = path.with_file_name(format!("{KEY_FILE}.pub"));
    let line = format!("{}\n", key.public().line(key.signer()));
    // A .pub left from an earlier key is replaced: it is derived from the private one.
    let _ = fs::remove_file(&public);
    write_new(&public, line.as_bytes(), 0o644).map_err(io("write", &public))?;
    Ok(key)
}

/// Creates `dir` (and its parents) and makes it owner-only.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes a file that must not exist yet, with `mode` from the start on Unix.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

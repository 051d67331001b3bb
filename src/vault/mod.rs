//! The evidence vault: content-addressed files inside the workspace.
//!
//! Each file is stored once, as a plain file named by its SHA-256
//! (`vault/sha256/ab/cdef…`), so identical content attached twice under any names takes
//! the space once, and a file's name is its own integrity check.
//!
//! Ingest reads the source once. Where the kernel can copy (see [`copy`]), it copies the
//! source into a temporary file on one thread while the calling thread reads the copy back
//! from the page cache and hashes it, so the digest is that of the bytes stored; this is
//! `cp`'s own way of copying, plus the hash on the second core. Elsewhere, the portable
//! path: the calling thread reads a chunk and writes it to the temporary file while a
//! second thread hashes the chunk before, so read, write and hash overlap on two cores.
//! Either way memory stays at a few chunks whatever the file's size. Chunks are small
//! enough that a few of them stay in the processor's cache between the read, the write and
//! the hash; larger ones measured slower. Every [`WRITE_BACK_BYTES`] a third thread, which
//! only waits on the disk, syncs the data written so far, so the disk writes while the rest
//! is copied and hashed and the final sync has little left to do. The
//! temporary file is synced and renamed to `tmp/<sha256>.<n>.ready`; the caller records
//! the evidence row, and only then [`Vault::commit`] moves the file into `sha256/`. A kill
//! at any moment therefore leaves either no row (and a leftover in `tmp/`, removed on the
//! next open) or a committed row whose file is either in place or still `ready` in `tmp/`,
//! where [`Vault::recover`] finishes the move on the next open. Nothing outside `tmp/` is
//! ever without its row.
//!
//! Hashes come back from the database, which anyone can edit: every call that takes one
//! checks that it is a SHA-256 before it becomes a path, so a damaged row can neither
//! panic nor name a file outside `sha256/`.

mod copy;
pub mod s3;

pub use copy::CopyMethod;
pub(crate) use copy::{KernelCopied, KernelCopyError, kernel_copy};

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;

use sha2::{Digest, Sha256};

/// Size of one read.
pub const CHUNK_BYTES: usize = 256 << 10;
/// Chunks in flight between the reader and the hasher.
const CHUNKS_IN_FLIGHT: usize = 8;
/// Bytes written between two early syncs of the temporary file.
pub const WRITE_BACK_BYTES: u64 = 32 << 20;

/// What can go wrong with a file being ingested or a vault folder. Messages name the file
/// last.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The source does not exist.
    #[error("no such file: {0}")]
    Missing(PathBuf),
    /// The source is a folder.
    #[error("this is a folder, not a file: {0}")]
    Folder(PathBuf),
    /// The source is a link to nothing.
    #[error("this link points to a file that does not exist: {0}")]
    DanglingLink(PathBuf),
    /// The source is a link that leads back to itself.
    #[error("this link loops back on itself: {0}")]
    LinkLoop(PathBuf),
    /// The source is not a regular file (a device, a pipe, a socket).
    #[error("{reason}: {path}")]
    NotAFile {
        /// What it is instead ("it is a named pipe, not a regular file").
        reason: String,
        /// The source.
        path: PathBuf,
    },
    /// The vault's own folder is a file.
    #[error(
        "the workspace's evidence vault is a file, not a folder; move it away or choose another workspace: {0}"
    )]
    NotAFolder(PathBuf),
    /// The source is empty.
    #[error("this file is empty, and evidence must have content: {0}")]
    Empty(PathBuf),
    /// The source cannot be read.
    #[error("cannot read this file ({source}): {path}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The source changed size while it was read.
    #[error(
        "this file changed while it was read ({expected} bytes became {actual}); attach it again once it is complete: {path}"
    )]
    Changed {
        /// The file.
        path: PathBuf,
        /// Size when the read began.
        expected: u64,
        /// Bytes read or size at the end.
        actual: u64,
    },
    /// The disk is full.
    #[error("the disk holding the workspace is full; free some space and attach it again: {0}")]
    DiskFull(PathBuf),
    /// Writing into the vault failed.
    #[error("cannot write into the evidence vault ({source}): {path}")]
    Write {
        /// The vault path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A recorded hash is not a SHA-256 (64 lowercase hex digits), so it names no file in
    /// the vault; the database holding it was damaged or edited by hand.
    #[error("the recorded hash is not a SHA-256, so it names no file in the vault: {0:?}")]
    NotASha256(String),
    /// The vault's lock could not be taken.
    #[error("cannot lock the evidence vault ({reason}): {path}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why, in words.
        reason: String,
    },
    /// The user cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The team vault's bucket refused or could not be reached.
    #[error(transparent)]
    Remote(Box<s3::S3Error>),
    /// The file is under S3 Object Lock and cannot be deleted yet.
    #[error("kept: {sha256} is under Object Lock until {until}")]
    Locked {
        /// The file.
        sha256: String,
        /// Until when.
        until: chrono::DateTime<chrono::Utc>,
    },
}

impl From<s3::S3Error> for VaultError {
    fn from(error: s3::S3Error) -> Self {
        match error {
            s3::S3Error::File(inner) => inner,
            s3::S3Error::Cancelled => VaultError::Cancelled,
            s3::S3Error::Changed(path) => VaultError::Changed {
                path,
                expected: 0,
                actual: 0,
            },
            other => VaultError::Remote(Box::new(other)),
        }
    }
}

/// Why a stored file could not be opened for reading.
#[derive(Debug)]
pub enum BlobOpen {
    /// The recorded hash is not a SHA-256.
    NotASha256,
    /// No file is stored under it.
    Missing,
    /// It is there but cannot be read.
    Unreadable {
        /// Its local path or S3 address, for messages.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// A stored file opened for copying.
pub(crate) enum Blob {
    /// A file of a local vault.
    File(File),
    /// An object of a team vault, streamed from the bucket.
    Stream(Box<dyn Read + Send>),
}

/// A file hashed and copied into the vault's temporary folder, waiting for its row.
#[derive(Debug)]
pub struct Staged {
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// Bytes.
    pub size_bytes: u64,
    ready: PathBuf,
}

/// What a re-hash of a stored file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobCheck {
    /// Present and matching its name.
    Intact,
    /// Not in the vault.
    Missing,
    /// Present, but its content hashes to something else.
    Altered {
        /// What the content hashes to now.
        actual: String,
    },
    /// Present but unreadable.
    Unreadable(String),
    /// The recorded hash is not a SHA-256, so it names no file at all.
    NotASha256,
}

/// The vault folder of a workspace, or a team workspace's bucket.
///
/// A team vault keeps its files in S3 (see [`s3`]) and its local folder only for the lock
/// and for copies a program opens. Its upload is already in place when it returns, so
/// committing has nothing to move, and a discarded upload is an object no record names,
/// which `vault purge` removes once no Object Lock keeps it.
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
    remote: Option<std::sync::Arc<s3::S3Vault>>,
    copy: CopyMethod,
}

/// Makes temporary names unique within this process.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

impl Vault {
    /// The vault in `root` (the workspace's `vault/`), creating its folders.
    pub fn open(root: &Path) -> Result<Self, VaultError> {
        if root.exists() && !root.is_dir() {
            return Err(VaultError::NotAFolder(root.to_path_buf()));
        }
        let vault = Vault {
            root: root.to_path_buf(),
            remote: None,
            copy: CopyMethod::default(),
        };
        for dir in [vault.blobs_dir(), vault.tmp_dir()] {
            fs::create_dir_all(&dir).map_err(|source| VaultError::Write {
                path: dir.clone(),
                source,
            })?;
        }
        Ok(vault)
    }

    /// A team vault: files in `remote`, with `root` as its local folder.
    pub fn open_remote(root: &Path, remote: s3::S3Vault) -> Result<Self, VaultError> {
        let mut vault = Vault::open(root)?;
        vault.remote = Some(std::sync::Arc::new(remote));
        Ok(vault)
    }

    /// Chooses how ingests and pack exports copy this vault's files: the fastest way
    /// (the default) or the portable one.
    pub fn set_copy_method(&mut self, method: CopyMethod) {
        self.copy = method;
    }

    /// How ingests and pack exports copy this vault's files.
    pub fn copy_method(&self) -> CopyMethod {
        self.copy
    }

    /// The bucket, for a team vault.
    pub fn remote(&self) -> Option<&s3::S3Vault> {
        self.remote.as_deref()
    }

    /// Where a stored file is, for messages: its path, or its `s3://` address.
    pub fn describe(&self, sha256: &str) -> PathBuf {
        match &self.remote {
            Some(remote) => {
                let key = remote.key_of(sha256).unwrap_or_else(|_| sha256.to_string());
                PathBuf::from(format!("s3://{}/{key}", remote.location().bucket))
            }
            None => self
                .blob_path(sha256)
                .unwrap_or_else(|_| self.blobs_dir().join(sha256)),
        }
    }

    /// Opens a stored file for reading, from the folder or streamed from the bucket.
    pub fn open_blob(&self, sha256: &str) -> Result<Box<dyn Read + Send>, BlobOpen> {
        match self.open_blob_for_copy(sha256)? {
            Blob::File(file) => Ok(Box::new(file)),
            Blob::Stream(reader) => Ok(reader),
        }
    }

    /// Opens a stored file as [`Vault::open_blob`] does, but a local one as the file
    /// itself, which the kernel can copy.
    pub(crate) fn open_blob_for_copy(&self, sha256: &str) -> Result<Blob, BlobOpen> {
        if !is_sha256(sha256) {
            return Err(BlobOpen::NotASha256);
        }
        let path = self.describe(sha256);
        let unreadable = |reason: String| BlobOpen::Unreadable {
            path: path.clone(),
            source: io::Error::other(reason),
        };
        if let Some(remote) = &self.remote {
            return match remote.read(sha256) {
                Ok(Some(reader)) => Ok(Blob::Stream(reader)),
                Ok(None) => Err(BlobOpen::Missing),
                Err(error) => Err(unreadable(error.to_string())),
            };
        }
        match self.open_local(sha256) {
            Ok(file) => Ok(Blob::File(file)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Err(BlobOpen::Missing),
            Err(source) => Err(BlobOpen::Unreadable { path, source }),
        }
    }

    /// Opens a stored file of a local vault. A row is committed a moment before its file
    /// moves from `tmp/` into place (see the module's notes), so a reader in another process
    /// that finds no file in place reads the `ready` copy the commit is about to move, and
    /// looks in place once more should the move land in between.
    fn open_local(&self, sha256: &str) -> io::Result<File> {
        let path = self
            .blob_path(sha256)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        match File::open(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            opened => return opened,
        }
        let prefix = format!("{sha256}.");
        if let Ok(entries) = fs::read_dir(self.tmp_dir()) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with(&prefix)
                    && name.ends_with(".ready")
                    && let Ok(file) = File::open(entry.path())
                {
                    return Ok(file);
                }
            }
        }
        File::open(&path)
    }

    /// Until when Object Lock keeps a stored file, on a team vault; `None` when nothing
    /// keeps it (and always on a local vault).
    pub fn locked_until(
        &self,
        sha256: &str,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, VaultError> {
        match &self.remote {
            Some(remote) => Ok(remote.locked_until(sha256)?),
            None => Ok(None),
        }
    }

    /// The vault's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn blobs_dir(&self) -> PathBuf {
        self.root.join("sha256")
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Where the file with this hash is stored. A hash read from the database is text
    /// anyone could have edited, so anything but 64 lowercase hex digits is refused rather
    /// than turned into a path (`../../x` must never name a file outside the vault).
    pub fn blob_path(&self, sha256: &str) -> Result<PathBuf, VaultError> {
        if !is_sha256(sha256) {
            return Err(VaultError::NotASha256(sha256.to_string()));
        }
        // Both halves are ASCII hex digits, so the split falls on a character boundary.
        let (head, tail) = sha256.split_at(2);
        Ok(self.blobs_dir().join(head).join(tail))
    }

    /// Whether the file with this hash is stored.
    pub fn contains(&self, sha256: &str) -> Result<bool, VaultError> {
        if let Some(remote) = &self.remote {
            return Ok(remote.contains(sha256)?);
        }
        Ok(self.blob_path(sha256)?.is_file())
    }

    /// Checks a source path before anything is read, so each bad input gets its own message.
    pub fn check_source(path: &Path) -> Result<u64, VaultError> {
        let link = fs::symlink_metadata(path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => VaultError::Missing(path.to_path_buf()),
            _ => VaultError::Unreadable {
                path: path.to_path_buf(),
                source: e,
            },
        })?;
        let meta = match fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if link.file_type().is_symlink() && e.kind() == io::ErrorKind::NotFound => {
                return Err(VaultError::DanglingLink(path.to_path_buf()));
            }
            Err(e) if link.file_type().is_symlink() && is_link_loop(&e) => {
                return Err(VaultError::LinkLoop(path.to_path_buf()));
            }
            Err(e) => {
                return Err(VaultError::Unreadable {
                    path: path.to_path_buf(),
                    source: e,
                });
            }
        };
        if meta.is_dir() {
            return Err(VaultError::Folder(path.to_path_buf()));
        }
        if let Err(error) = crate::input::check_regular(path) {
            return Err(VaultError::NotAFile {
                reason: error.to_string(),
                path: path.to_path_buf(),
            });
        }
        if meta.len() == 0 {
            return Err(VaultError::Empty(path.to_path_buf()));
        }
        Ok(meta.len())
    }

    /// Reads `source` once, hashing it while copying it into the temporary folder, and
    /// syncs the copy. `progress` is told the bytes done after each chunk; setting `cancel`
    /// stops the ingest and leaves nothing behind.
    pub fn stage(
        &self,
        source: &Path,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Staged, VaultError> {
        let expected = Self::check_source(source)?;
        if let Some(remote) = &self.remote {
            // Both passes are reported, each as half of the file's bytes.
            let uploaded = remote.upload(source, cancel, &mut |done, _| progress(done / 2))?;
            return Ok(Staged {
                sha256: uploaded.sha256,
                size_bytes: uploaded.bytes,
                ready: PathBuf::new(),
            });
        }
        let unreadable = |e: io::Error| VaultError::Unreadable {
            path: source.to_path_buf(),
            source: e,
        };
        let mut input = crate::input::open(source).map_err(unreadable)?;
        let part = self.tmp_dir().join(format!(
            "{}-{}.part",
            std::process::id(),
            NEXT_TEMP.fetch_add(1, Ordering::Relaxed)
        ));
        let result = self.copy_and_hash(&mut input, source, &part, expected, cancel, progress);
        match result {
            Ok((sha256, size_bytes)) => {
                let ready = self.tmp_dir().join(format!(
                    "{sha256}.{}-{}.ready",
                    std::process::id(),
                    NEXT_TEMP.fetch_add(1, Ordering::Relaxed)
                ));
                if let Err(source) = fs::rename(&part, &ready) {
                    // A part file left behind is removed by the next open.
                    let _ = fs::remove_file(&part);
                    return Err(self.write_error(&ready, source));
                }
                // Sync the folder so the `ready` name survives a power cut before the row
                // that names its hash is committed.
                // Some file systems cannot sync a folder; the data itself is synced already.
                if let Ok(dir) = File::open(self.tmp_dir()) {
                    let _ = dir.sync_all();
                }
                Ok(Staged {
                    sha256,
                    size_bytes,
                    ready,
                })
            }
            Err(error) => {
                // A part file left behind is removed by the next open.
                let _ = fs::remove_file(&part);
                Err(error)
            }
        }
    }

    fn write_error(&self, path: &Path, source: io::Error) -> VaultError {
        if source.raw_os_error() == Some(28) || source.kind() == io::ErrorKind::StorageFull {
            VaultError::DiskFull(self.root.clone())
        } else {
            VaultError::Write {
                path: path.to_path_buf(),
                source,
            }
        }
    }

    /// Copies `input` into a new file at `part` and hashes what was written, then checks
    /// that the source kept its size and syncs the copy. Returns the SHA-256 and the size.
    fn copy_and_hash(
        &self,
        input: &mut File,
        source: &Path,
        part: &Path,
        expected: u64,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(String, u64), VaultError> {
        // Readable too: the kernel path hashes the copy by reading it back.
        let mut output = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(part)
            .map_err(|e| self.write_error(part, e))?;
        let mut write_back = WriteBack::default();
        let copied = self.copy_fastest(
            input,
            &output,
            source,
            part,
            expected,
            cancel,
            progress,
            &mut write_back,
        );
        let copied = match copied {
            Some(copied) => copied,
            None => self.copy_portable(
                input,
                &mut output,
                source,
                part,
                expected,
                cancel,
                progress,
                &mut write_back,
            ),
        };
        // Joined on every path, so no handle to the temporary file outlives this call and
        // `stage` can remove it (Windows cannot remove an open file).
        let early_sync = write_back.finish();
        let (digest, total) = copied?;
        let now = input.metadata().map(|m| m.len()).unwrap_or(total);
        if total != expected || now != expected {
            return Err(VaultError::Changed {
                path: source.to_path_buf(),
                expected,
                actual: if total != expected { total } else { now },
            });
        }
        // An early sync shares the file's error state, so its failure is this sync's.
        early_sync.map_err(|e| self.write_error(part, e))?;
        output.sync_all().map_err(|e| self.write_error(part, e))?;
        Ok((digest, total))
    }

    /// The kernel's copy with the hash read back from the copy (see [`copy`]), when this
    /// vault uses it; `None` when the kernel cannot copy this file, with nothing written,
    /// so the portable path takes over.
    // The arguments are the copy's ends and its three observers; a struct would only
    // rename them.
    #[allow(clippy::too_many_arguments)]
    fn copy_fastest(
        &self,
        input: &File,
        output: &File,
        source: &Path,
        part: &Path,
        expected: u64,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64),
        write_back: &mut WriteBack,
    ) -> Option<Result<(String, u64), VaultError>> {
        if self.copy != CopyMethod::Fastest {
            return None;
        }
        let mut total = 0;
        let copied = kernel_copy(input, output, 0, expected, true, cancel, &mut |bytes| {
            total += bytes;
            write_back.wrote(output, total);
            progress(total);
        });
        match copied {
            Ok(KernelCopied { sha256, bytes, .. }) => Some(Ok((crate::model::hex(&sha256), bytes))),
            Err(KernelCopyError::Unsupported) => None,
            Err(KernelCopyError::Cancelled) => Some(Err(VaultError::Cancelled)),
            Err(KernelCopyError::Read(e)) => Some(Err(VaultError::Unreadable {
                path: source.to_path_buf(),
                source: e,
            })),
            Err(KernelCopyError::Write(e)) => Some(Err(self.write_error(part, e))),
        }
    }

    /// The portable copy: this thread reads and writes chunks while a second one hashes
    /// them.
    #[allow(clippy::too_many_arguments)]
    fn copy_portable(
        &self,
        input: &mut File,
        output: &mut File,
        source: &Path,
        part: &Path,
        expected: u64,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64),
        write_back: &mut WriteBack,
    ) -> Result<(String, u64), VaultError> {
        let (to_hasher, hasher_inbox) = mpsc::sync_channel::<(Vec<u8>, usize)>(CHUNKS_IN_FLIGHT);
        let (to_reader, returned) = mpsc::channel::<Vec<u8>>();
        let hasher = thread::Builder::new()
            .name("vault-hash".into())
            .spawn(move || {
                let mut hasher = Sha256::new();
                for (buffer, len) in hasher_inbox {
                    hasher.update(&buffer[..len]);
                    // The reader may have stopped early; a closed return channel is fine.
                    let _ = to_reader.send(buffer);
                }
                hasher.finalize()
            })
            .map_err(|e| self.write_error(part, e))?;
        let mut allocated = 0;
        let mut total: u64 = 0;
        let outcome = (|| -> Result<(), VaultError> {
            loop {
                if cancel.load(Ordering::Relaxed) {
                    return Err(VaultError::Cancelled);
                }
                let mut buffer = match returned.try_recv() {
                    Ok(buffer) => buffer,
                    Err(_) if allocated < CHUNKS_IN_FLIGHT + 2 => {
                        allocated += 1;
                        vec![0; CHUNK_BYTES]
                    }
                    Err(_) => returned.recv().unwrap_or_else(|_| vec![0; CHUNK_BYTES]),
                };
                let len = read_some(input, &mut buffer).map_err(|e| VaultError::Unreadable {
                    path: source.to_path_buf(),
                    source: e,
                })?;
                if len == 0 {
                    return Ok(());
                }
                total += len as u64;
                if total > expected {
                    return Err(VaultError::Changed {
                        path: source.to_path_buf(),
                        expected,
                        actual: total,
                    });
                }
                output
                    .write_all(&buffer[..len])
                    .map_err(|e| self.write_error(part, e))?;
                if to_hasher.send((buffer, len)).is_err() {
                    return Err(
                        self.write_error(part, io::Error::other("the hashing thread stopped"))
                    );
                }
                write_back.wrote(output, total);
                progress(total);
            }
        })();
        drop(to_hasher);
        let digest = hasher.join();
        outcome?;
        let digest = digest
            .map_err(|_| self.write_error(part, io::Error::other("the hashing thread failed")))?;
        Ok((crate::model::hex(&digest), total))
    }

    /// Moves a staged file into place once its row is committed. Identical content already
    /// in place is kept and the copy dropped.
    pub fn commit(&self, staged: Staged) -> Result<PathBuf, VaultError> {
        if self.remote.is_some() {
            // The upload completed before the record was written: it is in place.
            return Ok(self.describe(&staged.sha256));
        }
        // A purge in another process holds the lock while it deletes: the check below then
        // sees the file gone and moves this copy into place instead of relying on it.
        let _lock = self.lock()?;
        let target = self.blob_path(&staged.sha256)?;
        if target.is_file() {
            // A copy that cannot be removed now is removed by the next open.
            let _ = fs::remove_file(&staged.ready);
            return Ok(target);
        }
        self.move_into_place(&staged.ready, &target)?;
        Ok(target)
    }

    /// Takes the vault's lock, held while files move into place or are purged, so a purge
    /// never deletes a file an ingest in another process has just decided to reuse. The lock
    /// is released when the returned handle is dropped.
    pub fn lock(&self) -> Result<File, VaultError> {
        let path = self.root.join(".lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| self.lock_error(&path, e))?;
        file.lock().map_err(|e| self.lock_error(&path, e))?;
        Ok(file)
    }

    fn lock_error(&self, path: &Path, source: io::Error) -> VaultError {
        match self.write_error(path, source) {
            VaultError::Write { path, source } => VaultError::Lock {
                path,
                reason: source.to_string(),
            },
            other => other,
        }
    }

    /// Drops a staged file whose row was not written.
    pub fn discard(&self, staged: Staged) {
        if self.remote.is_some() {
            // The object stays until `vault purge` finds that no record names it.
            return;
        }
        // Without its row the file is a leftover, which the next open removes.
        let _ = fs::remove_file(&staged.ready);
    }

    fn move_into_place(&self, from: &Path, target: &Path) -> Result<(), VaultError> {
        let dir = target.parent().unwrap_or(&self.root).to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| self.write_error(&dir, e))?;
        fs::rename(from, target).map_err(|e| self.write_error(target, e))?;
        // Sync the folder so the rename itself survives a power cut. Some file systems
        // cannot sync a folder; the file is in place either way.
        if let Ok(handle) = File::open(&dir) {
            let _ = handle.sync_all();
        }
        Ok(())
    }

    /// Finishes or undoes ingests a kill interrupted: a `ready` file whose hash the
    /// database references is moved into place; everything else in `tmp/` is removed.
    /// Returns how many files were moved and removed.
    pub fn recover(&self, referenced: &dyn Fn(&str) -> bool) -> (usize, usize) {
        let (mut moved, mut removed) = (0, 0);
        if let Some(remote) = &self.remote {
            // Uploads a kill interrupted were never completed, so no object or record came
            // of them; their parts are abandoned. Unreachable, they wait for the next open.
            return (0, remote.abandon_unfinished().unwrap_or(0));
        }
        let Ok(entries) = fs::read_dir(self.tmp_dir()) else {
            return (0, 0);
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            let sha = name.split('.').next().unwrap_or("");
            if owner_is_running(&name, &path) {
                // Another Lockstep process (the CLI beside an open window) is ingesting it.
                continue;
            }
            // A name that does not start with a SHA-256 is nothing a commit would move.
            let target = self.blob_path(sha).ok();
            if let Some(target) = target.filter(|_| name.ends_with(".ready") && referenced(sha)) {
                // Under the lock, as in `commit`, so a purge cannot delete between the check
                // and the move. Without the lock the file stays for the next open to finish.
                let Ok(_lock) = self.lock() else {
                    continue;
                };
                if target.is_file() {
                    if fs::remove_file(&path).is_ok() {
                        removed += 1;
                    }
                } else if self.move_into_place(&path, &target).is_ok() {
                    moved += 1;
                }
            } else if fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        (moved, removed)
    }

    /// Re-hashes a stored file.
    pub fn check(&self, sha256: &str) -> BlobCheck {
        if !is_sha256(sha256) {
            return BlobCheck::NotASha256;
        }
        if let Some(remote) = &self.remote {
            return remote
                .check(sha256, None)
                .unwrap_or_else(|error| BlobCheck::Unreadable(error.to_string()));
        }
        let mut file = match self.open_local(sha256) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return BlobCheck::Missing,
            Err(e) => return BlobCheck::Unreadable(e.to_string()),
        };
        match hash_reader(&mut file) {
            Ok((actual, _)) if actual == sha256 => BlobCheck::Intact,
            Ok((actual, _)) => BlobCheck::Altered { actual },
            Err(e) => BlobCheck::Unreadable(e.to_string()),
        }
    }

    /// Every stored hash with its size.
    pub fn stored(&self) -> Result<Vec<(String, u64)>, VaultError> {
        if let Some(remote) = &self.remote {
            let mut found = remote.stored()?;
            found.sort();
            return Ok(found);
        }
        Ok(self.stored_here())
    }

    fn stored_here(&self) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        let Ok(heads) = fs::read_dir(self.blobs_dir()) else {
            return out;
        };
        for head in heads.flatten() {
            let Ok(files) = fs::read_dir(head.path()) else {
                continue;
            };
            for file in files.flatten() {
                let sha = format!(
                    "{}{}",
                    head.file_name().to_string_lossy(),
                    file.file_name().to_string_lossy()
                );
                if is_sha256(&sha) {
                    out.push((sha, file.metadata().map(|m| m.len()).unwrap_or(0)));
                }
            }
        }
        out.sort();
        out
    }

    /// The stored files nothing in `keep` references, with their sizes: what a purge
    /// would remove.
    pub fn unreferenced(&self, keep: &HashSet<String>) -> Result<Vec<(String, u64)>, VaultError> {
        Ok(self
            .stored()?
            .into_iter()
            .filter(|(sha, _)| !keep.contains(sha))
            .collect())
    }

    /// Removes a stored file.
    pub fn remove(&self, sha256: &str) -> Result<(), VaultError> {
        let path = self.blob_path(sha256)?;
        if let Some(remote) = &self.remote {
            return match remote.purge(sha256)? {
                s3::Purged::Removed | s3::Purged::Absent => Ok(()),
                s3::Purged::Locked(until) => Err(VaultError::Locked {
                    sha256: sha256.to_string(),
                    until,
                }),
            };
        }
        fs::remove_file(&path).map_err(|e| self.write_error(&path, e))?;
        if let Some(dir) = path.parent() {
            // An emptied two-letter folder goes too; a non-empty one stays.
            let _ = fs::remove_dir(dir);
        }
        Ok(())
    }

    /// Copies a stored file to `dir/<file_name>` so a program can open it under its
    /// original name and extension. Returns the copy's path.
    pub fn copy_out(
        &self,
        sha256: &str,
        file_name: &str,
        dir: &Path,
    ) -> Result<PathBuf, VaultError> {
        self.blob_path(sha256)?;
        fs::create_dir_all(dir).map_err(|e| self.write_error(dir, e))?;
        let safe: String = file_name
            .chars()
            .map(|c| {
                if matches!(c, '/' | '\\' | ':' | '\0') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        let target = dir.join(if safe.trim().is_empty() {
            "evidence".to_string()
        } else {
            safe
        });
        let mut blob = self.open_blob(sha256).map_err(|problem| match problem {
            BlobOpen::NotASha256 => VaultError::NotASha256(sha256.to_string()),
            BlobOpen::Missing => VaultError::Missing(self.describe(sha256)),
            BlobOpen::Unreadable { path, source } => VaultError::Unreadable { path, source },
        })?;
        let mut out = File::create(&target).map_err(|e| self.write_error(&target, e))?;
        io::copy(&mut blob, &mut out).map_err(|e| self.write_error(&target, e))?;
        Ok(target)
    }
}

/// Whether the process that wrote a temporary file is still running. Temporary names
/// carry the writer's process id (`<pid>-<n>.part`, `<sha256>.<pid>-<n>.ready`).
fn owner_is_running(name: &str, path: &Path) -> bool {
    let pid = name
        .trim_end_matches(".part")
        .trim_end_matches(".ready")
        .rsplit('.')
        .next()
        .and_then(|tail| tail.split('-').next())
        .and_then(|pid| pid.parse::<u32>().ok());
    match pid {
        None => false,
        Some(pid) if pid == std::process::id() => false,
        Some(pid) => crate::process::writer_is_running(pid, path),
    }
}

/// Syncs a file being written every [`WRITE_BACK_BYTES`] on a thread of its own, so its
/// data reaches the disk during the copy rather than all in the final sync. It only saves
/// time: when no thread or handle can be had, the copy goes on without it and the final
/// sync writes everything.
#[derive(Default)]
pub(crate) struct WriteBack {
    /// Bytes written when the next early sync is due.
    due: u64,
    /// Asks the thread for a sync; holds at most one request, so a busy thread is not
    /// queued more work than one sync of everything written.
    wake: Option<mpsc::SyncSender<()>>,
    /// Syncs on each request until `wake` is dropped; stops at its first error.
    thread: Option<thread::JoinHandle<io::Result<()>>>,
    /// Set when the thread could not be started, so it is not tried again.
    unavailable: bool,
}

impl WriteBack {
    /// Tells the thread that `total` bytes are written, starting it on the first call that
    /// passes [`WRITE_BACK_BYTES`].
    pub(crate) fn wrote(&mut self, output: &File, total: u64) {
        if total < self.due.max(WRITE_BACK_BYTES) || self.unavailable {
            return;
        }
        self.due = total + WRITE_BACK_BYTES;
        if self.wake.is_none() {
            self.start(output);
        }
        if let Some(wake) = &self.wake {
            // A full channel means a sync is already asked for; a closed one means the
            // thread stopped on an error, which `finish` returns.
            let _ = wake.try_send(());
        }
    }

    fn start(&mut self, output: &File) {
        let (wake, requests) = mpsc::sync_channel::<()>(1);
        let started = output.try_clone().and_then(|file| {
            thread::Builder::new()
                .name("vault-write-back".into())
                .spawn(move || -> io::Result<()> {
                    for () in requests {
                        file.sync_data()?;
                    }
                    Ok(())
                })
        });
        match started {
            Ok(handle) => {
                self.wake = Some(wake);
                self.thread = Some(handle);
            }
            Err(_) => self.unavailable = true,
        }
    }

    /// Stops the thread and returns the first error of its syncs.
    pub(crate) fn finish(self) -> io::Result<()> {
        drop(self.wake);
        match self.thread.map(thread::JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the write-back thread failed")),
        }
    }
}

fn read_some(input: &mut File, buffer: &mut [u8]) -> io::Result<usize> {
    loop {
        match input.read(buffer) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

fn is_link_loop(error: &io::Error) -> bool {
    // ELOOP is 40 on Linux and 62 on macOS and the BSDs.
    matches!(error.raw_os_error(), Some(40) | Some(62))
}

/// Whether a string is 64 lowercase hex digits.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// SHA-256 and length of everything a reader yields, in chunks.
pub fn hash_reader(reader: &mut dyn Read) -> io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; CHUNK_BYTES];
    let mut total = 0;
    loop {
        let len = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(len) => len,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buffer[..len]);
        total += len as u64;
    }
    Ok((crate::model::hex(&hasher.finalize()), total))
}

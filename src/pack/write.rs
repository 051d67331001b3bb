//! Writing a pack: the report files, then every evidence file streamed from the vault,
//! then `manifest.json` and `SHA256SUMS` (and for a signed pack `SHA256SUMS.sig` and
//! `allowed_signers`), into a temporary file beside the target that is
//! renamed into place only when complete. A failed export removes that file, and every
//! export first removes the ones killed exports of the same target left behind; failures
//! are one sentence naming the target.
//!
//! Entries go in a fixed order with a fixed timestamp (the as-of date), so the same
//! snapshot gives the same bytes. Evidence is never loaded whole: it is read in chunks,
//! hashed and written as it goes, and a file whose hash no longer matches its record stops
//! the export, since a pack must never carry altered evidence. Files already compressed
//! (PDF, images, archives, office files) are stored; text is deflated.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::report::{ReportError, report_files};
use super::{
    AwsReportFile, FORMAT_VERSION, PackAttachment, PackControl, PackData, PackEvidence,
    PackRequest, PackRequestFile,
};
use crate::model::hex;
use crate::process::{Claim, partial_name, remove_stale_partials};
use crate::sign::SigningKey;
use crate::vault::{
    Blob, BlobOpen, CHUNK_BYTES, CopyMethod, KernelCopyError, Vault, WriteBack, kernel_copy,
};

/// The name the manifest has in every pack.
pub const MANIFEST: &str = "manifest.json";
/// The name the checksum list has in every pack.
pub const SHA256SUMS: &str = "SHA256SUMS";
/// The name of the signature over `SHA256SUMS` in a signed pack.
pub const SIGNATURE: &str = "SHA256SUMS.sig";
/// The name of the file naming a signed pack's signer.
pub const ALLOWED_SIGNERS: &str = "allowed_signers";

/// What can stop an export. Nothing is left at the target, and no temporary file beside
/// it, when it does. Messages are one sentence for people and name the target last.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The target exists and `force` was not given.
    #[error("the target already exists; choose another name or use --force to replace it: {0}")]
    TargetExists(PathBuf),
    /// The target's folder does not exist.
    #[error("the folder to write the pack in does not exist: {0}")]
    NoSuchFolder(PathBuf),
    /// Writing failed (permissions, a read-only folder, a device error).
    #[error("cannot write the evidence pack: {reason}: {path}")]
    Write {
        /// The target.
        path: PathBuf,
        /// Why, in words.
        reason: String,
    },
    /// The disk filled up.
    #[error("cannot write the evidence pack: the disk is full: {0}")]
    DiskFull(PathBuf),
    /// A file in the vault could not be read.
    #[error("cannot read a file from the evidence vault: {reason}: {path}")]
    Read {
        /// The vault file.
        path: PathBuf,
        /// Why, in words.
        reason: String,
    },
    /// An evidence file is not in the vault.
    #[error(
        "evidence {evidence_id} '{file_name}' of {control} is missing from the vault; run `lockstep verify`"
    )]
    EvidenceMissing {
        /// Evidence id.
        evidence_id: i64,
        /// Its file name.
        file_name: String,
        /// Its control.
        control: String,
    },
    /// An evidence row's hash is not a SHA-256, so it names no file.
    #[error(
        "evidence {evidence_id} '{file_name}' of {control}: its recorded hash is not a SHA-256, so its file cannot be found; run `lockstep verify`"
    )]
    EvidenceHashInvalid {
        /// Evidence id.
        evidence_id: i64,
        /// Its file name.
        file_name: String,
        /// Its control.
        control: String,
    },
    /// An evidence file no longer matches its record.
    #[error(
        "evidence {evidence_id} '{file_name}' of {control} was altered in the vault (it no longer hashes to {sha256}); the pack was not written"
    )]
    EvidenceAltered {
        /// Evidence id.
        evidence_id: i64,
        /// Its file name.
        file_name: String,
        /// Its control.
        control: String,
        /// The hash it should have.
        sha256: String,
    },
    /// A file of one of AWS's reports is missing, altered or unnamed in the vault.
    #[error("AWS report {report_id}: its file '{file_name}' {problem}; the pack was not written")]
    AwsReportFile {
        /// The report's id.
        report_id: i64,
        /// The file's name.
        file_name: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A file that answers a request is missing, altered or unnamed in the vault.
    #[error("request {request}: its file '{file_name}' {problem}; the pack was not written")]
    RequestFile {
        /// The request's id.
        request: String,
        /// The file's name.
        file_name: String,
        /// What is wrong with it.
        problem: String,
    },
    /// An attached document's file is missing, altered or unnamed in the vault.
    #[error("attachment {id}: its file '{file_name}' {problem}; the pack was not written")]
    AttachmentFile {
        /// The attachment's id.
        id: i64,
        /// The file's name.
        file_name: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The report could not be built.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// The OSCAL files could not be built.
    #[error(transparent)]
    Oscal(#[from] crate::export_oscal::OscalError),
    /// The zip library refused.
    #[error("cannot write the evidence pack: the zip library refused ({0}): {1}")]
    Zip(String, PathBuf),
    /// The user cancelled.
    #[error("cancelled")]
    Cancelled,
}

/// How far an export has got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportProgress {
    /// Files written.
    pub files_done: usize,
    /// Files in all.
    pub files_total: usize,
    /// Bytes written (before compression).
    pub bytes_done: u64,
    /// Bytes in all.
    pub bytes_total: u64,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    /// The pack.
    pub path: PathBuf,
    /// Files in it, manifest and checksums included.
    pub files: usize,
    /// Bytes of content (before compression).
    pub bytes: u64,
}

/// Whether content of this media type is worth deflating.
fn deflate(media_type: &str) -> bool {
    media_type.starts_with("text/")
        || matches!(
            media_type,
            "application/json" | "application/xml" | "application/yaml" | "image/svg+xml"
        )
}

/// One entry of the manifest.
struct Entry {
    path: String,
    size_bytes: u64,
    sha256: String,
    evidence: Option<(i64, String)>,
    aws_report: Option<i64>,
    request: Option<String>,
}

/// Writes the pack for `data` to `target`.
///
/// The pack is written to a hidden `.<name>.<pid>.partial` file beside the target and
/// renamed into place when complete. A failed or cancelled export removes that file; an
/// export a kill stopped leaves it behind, so every export first removes the ones of this
/// target whose process is gone.
pub fn export(
    data: &PackData,
    vault: &Vault,
    target: &Path,
    force: bool,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(ExportProgress),
) -> Result<ExportSummary, ExportError> {
    export_signed(data, vault, target, force, None, cancel, progress)
}

/// Writes the pack like [`export`], signed with `key` when one is given: then the pack also
/// holds [`SIGNATURE`], an SSH signature over `SHA256SUMS` in namespace `lockstep-pack`, and
/// [`ALLOWED_SIGNERS`] naming the key's signer. Ed25519 signatures are deterministic, so a
/// signed pack stays byte-identical for the same workspace, as-of date and key.
pub fn export_signed(
    data: &PackData,
    vault: &Vault,
    target: &Path,
    force: bool,
    key: Option<&SigningKey>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(ExportProgress),
) -> Result<ExportSummary, ExportError> {
    let folder = match target.parent() {
        Some(parent) if parent.as_os_str().is_empty() => PathBuf::from("."),
        Some(parent) => parent.to_path_buf(),
        None => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(ExportError::NoSuchFolder(folder));
    }
    if target.exists() && !force {
        return Err(ExportError::TargetExists(target.to_path_buf()));
    }
    if target.is_dir() {
        return Err(ExportError::TargetExists(target.to_path_buf()));
    }
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "pack.zip".to_string());
    remove_stale_partials(&folder, &file_name);
    let partial = folder.join(partial_name(&file_name, std::process::id()));
    let _claim = Claim::take(&partial).ok_or_else(|| ExportError::Write {
        path: target.to_path_buf(),
        reason: "another export to this file is under way".to_string(),
    })?;
    // Readable too: stored entries the kernel copies are hashed by reading them back.
    let file = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(|e| write_error(target, e))?;
    let result = write_partial(data, vault, file, target, key, cancel, progress).and_then(
        |(file, files, bytes)| {
            file.sync_all().map_err(|e| write_error(target, e))?;
            drop(file);
            if force && target.exists() {
                fs::remove_file(target).map_err(|e| write_error(target, e))?;
            }
            fs::rename(&partial, target).map_err(|e| write_error(target, e))?;
            Ok(ExportSummary {
                path: target.to_path_buf(),
                files,
                bytes,
            })
        },
    );
    if result.is_err() {
        // Losing this removal is harmless: the file is hidden, and the next export into
        // this folder removes it once this process has ended.
        let _ = fs::remove_file(&partial);
    }
    result
}

/// Writes the whole pack into the open partial file and returns the file, synced only as
/// far as the early syncs got, with the count of files and bytes of content.
fn write_partial(
    data: &PackData,
    vault: &Vault,
    file: File,
    target: &Path,
    key: Option<&SigningKey>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(ExportProgress),
) -> Result<(File, usize, u64), ExportError> {
    // A second handle lets a helper thread sync what is written while the rest is read
    // and hashed, so the final sync has little left to do.
    let sync_handle = file.try_clone().ok();
    let mut write_back = WriteBack::default();
    let mut early_sync = |bytes: u64| {
        if let Some(handle) = &sync_handle {
            write_back.wrote(handle, bytes);
        }
    };
    let sink = PackFile::new(file);
    let abandoned = Arc::clone(&sink.abandoned);
    let mut zip = ZipWriter::new(BufWriter::with_capacity(CHUNK_BYTES, sink));
    let filled = write_pack(
        data,
        vault,
        &mut zip,
        target,
        key,
        cancel,
        progress,
        &mut early_sync,
    );
    let finished = match filled {
        Ok((files, bytes)) => zip
            .finish()
            .map_err(|e| zip_error(target, e))
            .and_then(|sink| {
                sink.into_inner()
                    .map_err(|e| write_error(target, e.into_error()))
            })
            .map(|sink| (sink.file, files, bytes)),
        Err(error) => {
            // The zip writer finishes the archive when dropped, and prints on stderr when
            // that fails; an abandoned file takes the ending in silence and writes nothing.
            abandoned.store(true, Ordering::Relaxed);
            drop(zip);
            Err(error)
        }
    };
    // Joined on every path, so no handle to the partial file outlives the export.
    let synced = write_back.finish();
    drop(sync_handle);
    let written = finished?;
    synced.map_err(|e| write_error(target, e))?;
    Ok(written)
}

/// The file a pack is written into. Once abandoned it takes every write and seek without
/// touching the file, so the zip writer, which finishes its archive when dropped and
/// prints on stderr when that fails, can be dropped after an error in silence. Any failed
/// write or seek abandons it, since the export stops there.
struct PackFile {
    file: File,
    abandoned: Arc<AtomicBool>,
    /// Where an abandoned file pretends to be, and how long it pretends to be.
    position: u64,
    length: u64,
}

impl PackFile {
    fn new(file: File) -> Self {
        PackFile {
            file,
            abandoned: Arc::new(AtomicBool::new(false)),
            position: 0,
            length: 0,
        }
    }

    fn is_abandoned(&self) -> bool {
        self.abandoned.load(Ordering::Relaxed)
    }

    fn failed(&self, error: io::Error) -> io::Error {
        if error.kind() != io::ErrorKind::Interrupted {
            self.abandoned.store(true, Ordering::Relaxed);
        }
        error
    }
}

impl Write for PackFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.is_abandoned() {
            self.position += buf.len() as u64;
            self.length = self.length.max(self.position);
            return Ok(buf.len());
        }
        match self.file.write(buf) {
            Ok(written) => {
                self.position += written as u64;
                self.length = self.length.max(self.position);
                Ok(written)
            }
            Err(error) => Err(self.failed(error)),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.is_abandoned() {
            return Ok(());
        }
        self.file.flush().map_err(|e| self.failed(e))
    }
}

impl Seek for PackFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        if self.is_abandoned() {
            let base = match to {
                SeekFrom::Start(offset) => Some(offset),
                SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
                SeekFrom::End(delta) => self.length.checked_add_signed(delta),
            };
            self.position = base.unwrap_or(0);
            return Ok(self.position);
        }
        match self.file.seek(to) {
            Ok(position) => {
                self.position = position;
                self.length = self.length.max(position);
                Ok(position)
            }
            Err(error) => Err(self.failed(error)),
        }
    }
}

fn write_error(target: &Path, source: io::Error) -> ExportError {
    if is_disk_full(&source) {
        ExportError::DiskFull(target.to_path_buf())
    } else {
        ExportError::Write {
            path: target.to_path_buf(),
            reason: io_reason(&source),
        }
    }
}

fn read_error(path: &Path, source: io::Error) -> ExportError {
    ExportError::Read {
        path: path.to_path_buf(),
        reason: io_reason(&source),
    }
}

fn is_disk_full(error: &io::Error) -> bool {
    // ENOSPC is 28 on Linux, macOS and the BSDs; Windows reports ERROR_DISK_FULL (112).
    error.kind() == io::ErrorKind::StorageFull
        || error.kind() == io::ErrorKind::QuotaExceeded
        || matches!(error.raw_os_error(), Some(28) | Some(112))
}

/// An I/O error in words, without the operating system's error number.
fn io_reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".to_string(),
        io::ErrorKind::NotFound => "a file or folder it needs is gone".to_string(),
        io::ErrorKind::AlreadyExists => "a file of that name appeared meanwhile".to_string(),
        _ => {
            let text = error.to_string();
            let text = match text.find(" (os error") {
                Some(at) => text.get(..at).unwrap_or(&text).to_string(),
                None => text,
            };
            text.to_lowercase()
        }
    }
}

fn zip_error(target: &Path, error: zip::result::ZipError) -> ExportError {
    match error {
        zip::result::ZipError::Io(source) => write_error(target, source),
        other => ExportError::Zip(other.to_string(), target.to_path_buf()),
    }
}

/// Writes every entry of the pack for `data`: the report files, the evidence, AWS's
/// reports, the request files and the plan's documents, then the manifest and
/// `SHA256SUMS`, and with `key` the signature and `allowed_signers`. Returns the files
/// written and the bytes they held before compression.
// Each argument is a separate concern of the one pass over the pack (what, from where, to
// where, signed by whom, and three callbacks); bundling them would only rename them.
#[allow(clippy::too_many_arguments)]
fn write_pack(
    data: &PackData,
    vault: &Vault,
    zip: &mut PackZip,
    target: &Path,
    key: Option<&SigningKey>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(ExportProgress),
    early_sync: &mut dyn FnMut(u64),
) -> Result<(usize, u64), ExportError> {
    let stamp = entry_stamp(data.as_of);
    let mut reports = report_files(data)?;
    reports.extend(crate::export_oscal::pack_files(data, vault)?);
    reports.extend(crate::export_oscal::poam::pack_files(data)?);
    let evidence: Vec<_> = data.evidence().collect();
    let aws_files: Vec<_> = data.aws_report_files().collect();
    let request_files: Vec<_> = data.request_files().collect();
    let documents: Vec<_> = data.attachment_files().collect();
    let state = ExportProgress {
        files_done: 0,
        files_total: reports.len()
            + evidence.len()
            + aws_files.len()
            + request_files.len()
            + documents.len()
            + 2,
        bytes_done: 0,
        bytes_total: reports.iter().map(|(_, b)| b.len() as u64).sum::<u64>()
            + evidence
                .iter()
                .map(|(_, e)| e.evidence.size_bytes)
                .sum::<u64>()
            + aws_files.iter().filter_map(|f| f.size_bytes).sum::<u64>()
            + request_files.iter().map(|(_, f)| f.size_bytes).sum::<u64>()
            + documents
                .iter()
                .map(|d| d.attachment.size_bytes)
                .sum::<u64>(),
    };
    progress(state);
    let mut pack = PackWriter {
        zip,
        vault,
        target,
        cancel,
        progress,
        early_sync,
        stamp,
        state,
        entries: Vec::new(),
        buffers: Vec::new(),
    };
    pack.write_reports(&reports)?;
    pack.write_evidence(&evidence)?;
    // AWS's reports and the request files go in alike; only their words and manifest
    // fields differ.
    let others = aws_files
        .iter()
        .map(aws_report_file)
        .chain(
            request_files
                .iter()
                .map(|(request, file)| request_file(request, file)),
        )
        .chain(documents.iter().map(|document| document_file(document)));
    pack.write_other_files(others)?;
    pack.finish(data, key)
}

/// The timestamp every entry of a pack carries: midnight of its as-of date, within the
/// years a zip can hold.
fn entry_stamp(as_of: chrono::NaiveDate) -> DateTime {
    use chrono::Datelike as _;
    DateTime::from_date_and_time(
        u16::try_from(as_of.year().clamp(1980, 2107)).unwrap_or(1980),
        u8::try_from(as_of.month()).unwrap_or(1),
        u8::try_from(as_of.day()).unwrap_or(1),
        0,
        0,
        0,
    )
    .unwrap_or_default()
}

/// How an entry of a pack is written: compressed by `method`, stamped with `stamp`, and
/// in zip64 form when `size` needs it.
fn entry_options(stamp: DateTime, method: CompressionMethod, size: u64) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(method)
        // The fastest level: text still shrinks several times, at a fraction of the time.
        .compression_level((method == CompressionMethod::Deflated).then_some(1))
        .last_modified_time(stamp)
        .unix_permissions(0o644)
        .large_file(size >= u64::from(u32::MAX))
}

/// How a file is compressed in a pack: deflated when its media type is one that shrinks,
/// stored otherwise.
fn compression_for(media_type: &str) -> CompressionMethod {
    if deflate(media_type) {
        CompressionMethod::Deflated
    } else {
        CompressionMethod::Stored
    }
}

/// One of AWS's report files (a report or its bridge letter) on its way into the pack.
fn aws_report_file<'a>(file: &'a AwsReportFile<'a>) -> OtherFile<'a> {
    OtherFile {
        file: VaultFile {
            sha256: file.sha256,
            path: file.path,
            method: compression_for(crate::model::media_type_for(file.file_name)),
            size_bytes: file.size_bytes,
        },
        refused: Box::new(move |problem: &str| ExportError::AwsReportFile {
            report_id: file.report_id,
            file_name: file.file_name.to_string(),
            problem: problem.to_string(),
        }),
        evidence: None,
        aws_report: Some(file.report_id),
        request: None,
    }
}

/// A file attached to a request on its way into the pack.
fn request_file<'a>(request: &'a PackRequest, file: &'a PackRequestFile) -> OtherFile<'a> {
    OtherFile {
        file: VaultFile {
            sha256: &file.sha256,
            path: &file.path,
            method: compression_for(&file.media_type),
            size_bytes: Some(file.size_bytes),
        },
        refused: Box::new(move |problem: &str| ExportError::RequestFile {
            request: request.request.id.clone(),
            file_name: file.file_name.clone(),
            problem: problem.to_string(),
        }),
        evidence: file.evidence.clone(),
        aws_report: None,
        request: Some(request.request.id.clone()),
    }
}

/// A document attached to the plan on its way into the pack.
fn document_file(document: &PackAttachment) -> OtherFile<'_> {
    OtherFile {
        file: VaultFile {
            sha256: &document.attachment.sha256,
            path: &document.path,
            method: compression_for(&document.attachment.media_type),
            size_bytes: Some(document.attachment.size_bytes),
        },
        refused: Box::new(move |problem: &str| ExportError::AttachmentFile {
            id: document.attachment.id,
            file_name: document.attachment.file_name.clone(),
            problem: problem.to_string(),
        }),
        evidence: None,
        aws_report: None,
        request: None,
    }
}

/// The one pass that writes a pack's entries: where they go, what may stop it, the
/// entries written so far for the manifest, and the progress it reports.
struct PackWriter<'a> {
    zip: &'a mut PackZip,
    vault: &'a Vault,
    target: &'a Path,
    cancel: &'a AtomicBool,
    progress: &'a mut dyn FnMut(ExportProgress),
    early_sync: &'a mut dyn FnMut(u64),
    /// The timestamp of every entry.
    stamp: DateTime,
    state: ExportProgress,
    entries: Vec<Entry>,
    /// Read buffers, kept from one file to the next.
    buffers: Vec<Vec<u8>>,
}

impl PackWriter<'_> {
    /// Writes `bytes` as the entry `name`, compressed by `method`.
    fn write_bytes(
        &mut self,
        name: &str,
        method: CompressionMethod,
        bytes: &[u8],
    ) -> Result<(), ExportError> {
        self.zip
            .start_file(name, entry_options(self.stamp, method, bytes.len() as u64))
            .map_err(|e| zip_error(self.target, e))?;
        self.zip
            .write_all(bytes)
            .map_err(|e| write_error(self.target, e))
    }

    /// Writes the report files, workbooks stored and the rest deflated.
    fn write_reports(&mut self, reports: &[(String, Vec<u8>)]) -> Result<(), ExportError> {
        for (path, bytes) in reports {
            let method = if path.ends_with(".xlsx") {
                CompressionMethod::Stored
            } else {
                CompressionMethod::Deflated
            };
            self.write_bytes(path, method, bytes)?;
            self.entries.push(Entry {
                path: path.clone(),
                size_bytes: bytes.len() as u64,
                sha256: hex(&Sha256::digest(bytes)),
                evidence: None,
                aws_report: None,
                request: None,
            });
            self.state.files_done += 1;
            self.state.bytes_done += bytes.len() as u64;
            (self.progress)(self.state);
        }
        Ok(())
    }

    /// Copies a vault file into the pack as an entry of its own, reporting progress as
    /// its bytes go in, and returns its size and SHA-256.
    fn copy(&mut self, file: &VaultFile<'_>) -> Result<(u64, String), FileProblem> {
        let stamp = self.stamp;
        let state = &mut self.state;
        let progress = &mut self.progress;
        let early_sync = &mut self.early_sync;
        copy_vault_file(
            self.zip,
            self.vault,
            file,
            &|method, size| entry_options(stamp, method, size),
            self.target,
            &mut self.buffers,
            self.cancel,
            &mut |read| {
                state.bytes_done += read;
                progress(*state);
                early_sync(state.bytes_done);
            },
        )
    }

    /// Writes each control's evidence, refusing a file that is missing from the vault or
    /// no longer matches its record.
    fn write_evidence(
        &mut self,
        evidence: &[(&PackControl, &PackEvidence)],
    ) -> Result<(), ExportError> {
        for (control, item) in evidence {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(ExportError::Cancelled);
            }
            let e = &item.evidence;
            let file = VaultFile {
                sha256: &e.sha256,
                path: &item.path,
                method: compression_for(&e.media_type),
                size_bytes: Some(e.size_bytes),
            };
            let (size, digest) = self.copy(&file).map_err(|problem| match problem {
                FileProblem::NotASha256 => ExportError::EvidenceHashInvalid {
                    evidence_id: e.id,
                    file_name: e.file_name.clone(),
                    control: control.control.id.clone(),
                },
                FileProblem::Missing => ExportError::EvidenceMissing {
                    evidence_id: e.id,
                    file_name: e.file_name.clone(),
                    control: control.control.id.clone(),
                },
                FileProblem::Export(error) => error,
            })?;
            if size != e.size_bytes || digest != e.sha256 {
                return Err(ExportError::EvidenceAltered {
                    evidence_id: e.id,
                    file_name: e.file_name.clone(),
                    control: control.control.id.clone(),
                    sha256: e.sha256.clone(),
                });
            }
            self.entries.push(Entry {
                path: item.path.clone(),
                size_bytes: size,
                sha256: e.sha256.clone(),
                evidence: Some((e.id, control.control.id.clone())),
                aws_report: None,
                request: None,
            });
            self.state.files_done += 1;
            (self.progress)(self.state);
        }
        Ok(())
    }

    /// Writes vault files other than evidence, refusing one that is missing or altered in
    /// the words of its kind.
    fn write_other_files<'f>(
        &mut self,
        others: impl Iterator<Item = OtherFile<'f>>,
    ) -> Result<(), ExportError> {
        for other in others {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(ExportError::Cancelled);
            }
            let (size, digest) = self
                .copy(&other.file)
                .map_err(|problem| problem.word(&other.refused))?;
            let expected = other.file.size_bytes;
            if digest != other.file.sha256 || expected.is_some_and(|bytes| bytes != size) {
                return Err((other.refused)(&format!(
                    "was altered in the vault (it no longer hashes to {})",
                    other.file.sha256
                )));
            }
            self.entries.push(Entry {
                path: other.file.path.to_string(),
                size_bytes: size,
                sha256: digest,
                evidence: other.evidence,
                aws_report: other.aws_report,
                request: other.request,
            });
            self.state.files_done += 1;
            (self.progress)(self.state);
        }
        Ok(())
    }

    /// Writes the manifest, then `SHA256SUMS` over every entry before it, then with `key`
    /// the signature over the sums and `allowed_signers`. Returns the files written in all
    /// and the bytes they held.
    fn finish(
        mut self,
        data: &PackData,
        key: Option<&SigningKey>,
    ) -> Result<(usize, u64), ExportError> {
        let manifest = manifest_bytes(data, &self.entries);
        self.write_bytes(MANIFEST, CompressionMethod::Deflated, &manifest)?;
        self.entries.push(Entry {
            path: MANIFEST.to_string(),
            size_bytes: manifest.len() as u64,
            sha256: hex(&Sha256::digest(&manifest)),
            evidence: None,
            aws_report: None,
            request: None,
        });
        let sums: String = self
            .entries
            .iter()
            .map(|e| format!("{}  {}\n", e.sha256, e.path))
            .collect();
        self.write_bytes(SHA256SUMS, CompressionMethod::Deflated, sums.as_bytes())?;
        let mut files = self.entries.len() + 1;
        if let Some(key) = key {
            // Outside SHA256SUMS, since the signature covers it; the auditor checks the
            // signer against an allowed_signers file of their own, this one only names it.
            for (name, text) in [
                (SIGNATURE, key.sign(sums.as_bytes())),
                (ALLOWED_SIGNERS, key.allowed_signers_line()),
            ] {
                self.write_bytes(name, CompressionMethod::Deflated, text.as_bytes())?;
                files += 1;
            }
        }
        self.state.files_done = self.state.files_total;
        (self.progress)(self.state);
        Ok((files, self.state.bytes_total))
    }
}

/// The zip writer of a pack, over the partial file.
type PackZip = ZipWriter<BufWriter<PackFile>>;

/// A vault file to put in the pack.
struct VaultFile<'a> {
    sha256: &'a str,
    /// Its path inside the pack.
    path: &'a str,
    method: CompressionMethod,
    /// Bytes, when recorded.
    size_bytes: Option<u64>,
}

/// An AWS report file or a request's file on its way into the pack: the file, how a problem
/// with it is worded, and what its manifest entry names.
struct OtherFile<'a> {
    file: VaultFile<'a>,
    refused: Box<dyn Fn(&str) -> ExportError + 'a>,
    evidence: Option<(i64, String)>,
    aws_report: Option<i64>,
    request: Option<String>,
}

/// Why a vault file could not go into the pack; the caller words the first two for its
/// kind of file.
enum FileProblem {
    NotASha256,
    Missing,
    Export(ExportError),
}

impl FileProblem {
    /// The error, with the first two worded by `refused`.
    fn word(self, refused: impl Fn(&str) -> ExportError) -> ExportError {
        match self {
            FileProblem::NotASha256 => {
                refused("has a recorded hash that is not a SHA-256; run `lockstep verify`")
            }
            FileProblem::Missing => refused("is missing from the vault; run `lockstep verify`"),
            FileProblem::Export(error) => error,
        }
    }
}

/// Adds a vault file to the pack as an entry of its own and returns its size and SHA-256,
/// for the caller to check against the record. A stored entry of a local vault is copied
/// by the kernel straight into the partial file at its offset, and hashed (SHA-256 and the
/// zip's CRC-32) by reading it back from there (see `vault::copy`); everything else, and
/// that too where the kernel cannot copy, goes through the zip writer with
/// [`copy_hashing`].
// Each argument is a separate concern of the copy; bundling them would only rename them.
#[allow(clippy::too_many_arguments)]
fn copy_vault_file(
    zip: &mut PackZip,
    vault: &Vault,
    file: &VaultFile<'_>,
    options: &dyn Fn(CompressionMethod, u64) -> SimpleFileOptions,
    target: &Path,
    buffers: &mut Vec<Vec<u8>>,
    cancel: &AtomicBool,
    on_bytes: &mut dyn FnMut(u64),
) -> Result<(u64, String), FileProblem> {
    let blob_path = vault.describe(file.sha256);
    let blob = match vault.open_blob_for_copy(file.sha256) {
        Ok(blob) => blob,
        Err(BlobOpen::NotASha256) => return Err(FileProblem::NotASha256),
        Err(BlobOpen::Missing) => return Err(FileProblem::Missing),
        Err(BlobOpen::Unreadable { path, source }) => {
            return Err(FileProblem::Export(read_error(&path, source)));
        }
    };
    let fail = |error: ExportError| FileProblem::Export(error);
    zip.start_file(
        file.path,
        options(file.method, file.size_bytes.unwrap_or(0)),
    )
    .map_err(|e| fail(zip_error(target, e)))?;
    let mut reader: Box<dyn Read> = match blob {
        Blob::File(blob) => {
            if file.method == CompressionMethod::Stored
                && vault.copy_method() == CopyMethod::Fastest
            {
                let expected = match file.size_bytes {
                    Some(bytes) => bytes,
                    None => blob
                        .metadata()
                        .map_err(|e| fail(read_error(&blob_path, e)))?
                        .len(),
                };
                let copied = copy_stored(zip, &blob, expected, cancel, on_bytes).map_err(
                    |error| match error {
                        KernelCopyError::Read(source) => fail(read_error(&blob_path, source)),
                        other => fail(copy_error(target, other)),
                    },
                )?;
                if let Some(copied) = copied {
                    return Ok(copied);
                }
            }
            Box::new(blob)
        }
        Blob::Stream(reader) => reader,
    };
    copy_hashing(&mut reader, zip, buffers, cancel, on_bytes).map_err(|error| match error {
        CopyError::Cancelled => fail(ExportError::Cancelled),
        CopyError::Read(source) => fail(read_error(&blob_path, source)),
        CopyError::Write(source) => fail(write_error(target, source)),
    })
}

/// Has the kernel copy `blob` into the entry just started, which must be stored, at its
/// offset in the partial file, and tells the zip writer its size and CRC-32. Returns the
/// bytes copied and their SHA-256, or `None` when the kernel cannot copy between these
/// files and nothing was written.
fn copy_stored(
    zip: &mut PackZip,
    blob: &File,
    expected: u64,
    cancel: &AtomicBool,
    on_bytes: &mut dyn FnMut(u64),
) -> Result<Option<(u64, String)>, KernelCopyError> {
    // SAFETY (of the archive, which is all `get_mut` asks about): the entry just started
    // is stored, so its data is the file's bytes as they are, starting where the zip writer
    // stands; they are written there, and the writer is left standing right after them,
    // where its own writes would have left it.
    let Some(writer) = (unsafe { zip.get_mut() }) else {
        return Ok(None);
    };
    // Seeking flushes the buffer, so the header is in the file before the data.
    let start = writer.stream_position().map_err(KernelCopyError::Write)?;
    let pack = writer.get_ref();
    if pack.is_abandoned() {
        return Ok(None);
    }
    let copied = match kernel_copy(blob, &pack.file, start, expected, false, cancel, on_bytes) {
        Ok(copied) => copied,
        Err(KernelCopyError::Unsupported) => return Ok(None),
        Err(error) => return Err(error),
    };
    writer
        .seek(SeekFrom::Start(start + copied.bytes))
        .map_err(KernelCopyError::Write)?;
    // SAFETY (likewise of the archive): the size and CRC-32 are those of the bytes just
    // written as the entry's data, read back from the file.
    unsafe { zip.set_file_metadata(copied.bytes, copied.crc32) }
        .map_err(|e| KernelCopyError::Write(e.into()))?;
    Ok(Some((copied.bytes, hex(&copied.sha256))))
}

/// The export error for a kernel copy that stopped on the pack's side.
fn copy_error(target: &Path, error: KernelCopyError) -> ExportError {
    match error {
        KernelCopyError::Cancelled => ExportError::Cancelled,
        KernelCopyError::Write(source) | KernelCopyError::Read(source) => {
            write_error(target, source)
        }
        KernelCopyError::Unsupported => write_error(
            target,
            io::Error::other("the kernel cannot copy into this file"),
        ),
    }
}

/// Why copying a file into the zip stopped.
enum CopyError {
    Cancelled,
    Read(io::Error),
    Write(io::Error),
}

/// Chunks in flight between the copying thread and the hashing one.
const CHUNKS_IN_FLIGHT: usize = 8;

/// Copies `source` into `sink` while a second thread hashes the same chunks, so the zip's
/// own work (CRC-32, compression, writing) overlaps SHA-256 on two cores. Buffers are
/// recycled through `pool`; returns the bytes copied and their SHA-256.
fn copy_hashing(
    source: &mut dyn Read,
    sink: &mut dyn Write,
    pool: &mut Vec<Vec<u8>>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<(u64, String), CopyError> {
    let (to_hasher, inbox) = std::sync::mpsc::sync_channel::<(Vec<u8>, usize)>(CHUNKS_IN_FLIGHT);
    let (to_copier, returned) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::scope(|scope| {
        let hasher = scope.spawn(move || {
            let mut hasher = Sha256::new();
            for (buffer, len) in inbox {
                hasher.update(&buffer[..len]);
                // The copier may have stopped early; then nobody takes the buffer back.
                let _ = to_copier.send(buffer);
            }
            hex(&hasher.finalize())
        });
        let mut total: u64 = 0;
        let mut allocated = 0;
        let copied = (|| -> Result<(), CopyError> {
            loop {
                if cancel.load(Ordering::Relaxed) {
                    return Err(CopyError::Cancelled);
                }
                let mut buffer = match returned.try_recv() {
                    Ok(buffer) => buffer,
                    Err(_) => match pool.pop() {
                        Some(buffer) => buffer,
                        None if allocated < CHUNKS_IN_FLIGHT + 2 => {
                            allocated += 1;
                            vec![0; CHUNK_BYTES]
                        }
                        None => returned.recv().unwrap_or_else(|_| vec![0; CHUNK_BYTES]),
                    },
                };
                let read = loop {
                    match source.read(&mut buffer) {
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other.map_err(CopyError::Read)?,
                    }
                };
                if read == 0 {
                    pool.push(buffer);
                    return Ok(());
                }
                sink.write_all(&buffer[..read]).map_err(CopyError::Write)?;
                total += read as u64;
                progress(read as u64);
                if to_hasher.send((buffer, read)).is_err() {
                    return Err(CopyError::Write(io::Error::other(
                        "the hashing thread stopped",
                    )));
                }
            }
        })();
        drop(to_hasher);
        let digest = hasher.join();
        pool.extend(returned.try_iter());
        copied?;
        let digest =
            digest.map_err(|_| CopyError::Write(io::Error::other("the hashing thread failed")))?;
        Ok((total, digest))
    })
}

fn manifest_bytes(data: &PackData, entries: &[Entry]) -> Vec<u8> {
    let files: Vec<serde_json::Value> = entries
        .iter()
        .map(|entry| {
            let mut file = json!({
                "path": entry.path,
                "size_bytes": entry.size_bytes,
                "sha256": entry.sha256,
            });
            if let Some((id, control)) = &entry.evidence {
                file["evidence_id"] = json!(id);
                file["control"] = json!(control);
            }
            if let Some(id) = entry.aws_report {
                file["aws_report_id"] = json!(id);
            }
            if let Some(request) = &entry.request {
                file["request"] = json!(request);
            }
            file
        })
        .collect();
    let manifest = json!({
        "format": "lockstep-evidence-pack",
        "format_version": FORMAT_VERSION,
        "project": data.project.name,
        "as_of": data.as_of.to_string(),
        "period": { "from": data.from.to_string(), "to": data.to.to_string() },
        "generated_by": data.generated_by,
        "generator": data.generator,
        "files": files,
    });
    // A delivery says which requests it delivers; a full pack's manifest is unchanged.
    let mut manifest = manifest;
    if data.kind == super::PackKind::Requests {
        let ids: Vec<&str> = data
            .requests
            .iter()
            .map(|r| r.request.id.as_str())
            .collect();
        manifest["requests"] = json!(ids);
    }
    let mut bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

//! Writing a pack: the report files, then every evidence file streamed from the vault,
//! then `manifest.json` and `SHA256SUMS`, into a temporary file beside the target that is
//! renamed into place only when complete.
//!
//! Entries go in a fixed order with a fixed timestamp (the as-of date), so the same
//! snapshot gives the same bytes. Evidence is never loaded whole: it is read in chunks,
//! hashed and written as it goes, and a file whose hash no longer matches its record stops
//! the export, since a pack must never carry altered evidence. Files already compressed
//! (PDF, images, archives, office files) are stored; text is deflated.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::report::{ReportError, report_files};
use super::{FORMAT_VERSION, PackData};
use crate::model::hex;
use crate::vault::{CHUNK_BYTES, Vault, WriteBack};

/// The name the manifest has in every pack.
pub const MANIFEST: &str = "manifest.json";
/// The name the checksum list has in every pack.
pub const SHA256SUMS: &str = "SHA256SUMS";

/// What can stop an export. Nothing is left at the target when it does.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The target exists and `force` was not given.
    #[error("the target already exists; choose another name or use --force to replace it: {0}")]
    TargetExists(PathBuf),
    /// The target's folder does not exist.
    #[error("the folder to write the pack in does not exist: {0}")]
    NoSuchFolder(PathBuf),
    /// Writing failed (permissions, a read-only folder).
    #[error("cannot write the pack ({source}): {path}")]
    Write {
        /// Where.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The disk filled up.
    #[error("the disk filled up while writing the pack; free some space and export again: {0}")]
    DiskFull(PathBuf),
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
    /// The report could not be built.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// The zip library refused.
    #[error("cannot write the zip: {0}")]
    Zip(String),
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
}

/// Writes the pack for `data` to `target`.
pub fn export(
    data: &PackData,
    vault: &Vault,
    target: &Path,
    force: bool,
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
    let partial = folder.join(format!(".{file_name}.{}.partial", std::process::id()));
    let file = File::options()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(|e| write_error(&partial, e))?;
    // A second handle lets a helper thread sync what is written while the rest is read
    // and hashed, so the final sync has little left to do.
    let sync_handle = file.try_clone().ok();
    let mut write_back = WriteBack::default();
    let sink = BufWriter::with_capacity(CHUNK_BYTES, file);
    let mut early_sync = |bytes: u64| {
        if let Some(handle) = &sync_handle {
            write_back.wrote(handle, bytes);
        }
    };
    let result = write_pack(
        data,
        vault,
        sink,
        &partial,
        cancel,
        progress,
        &mut early_sync,
    );
    // Joined on every path, so no handle to the partial file outlives the export.
    let synced = write_back.finish();
    drop(sync_handle);
    let result = match (result, synced) {
        (Ok(written), Ok(())) => Ok(written),
        (Ok(_), Err(error)) => Err(write_error(&partial, error)),
        (Err(error), _) => Err(error),
    };
    match result {
        Ok((file, files, bytes)) => {
            let finished = file
                .sync_all()
                .and_then(|()| {
                    drop(file);
                    if force && target.exists() {
                        fs::remove_file(target)?;
                    }
                    fs::rename(&partial, target)
                })
                .map_err(|e| write_error(target, e));
            if let Err(error) = finished {
                let _ = fs::remove_file(&partial);
                return Err(error);
            }
            Ok(ExportSummary {
                path: target.to_path_buf(),
                files,
                bytes,
            })
        }
        Err(error) => {
            let _ = fs::remove_file(&partial);
            Err(error)
        }
    }
}

fn write_error(path: &Path, source: io::Error) -> ExportError {
    if source.raw_os_error() == Some(28) || source.kind() == io::ErrorKind::StorageFull {
        ExportError::DiskFull(path.to_path_buf())
    } else {
        ExportError::Write {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn zip_error(path: &Path, error: zip::result::ZipError) -> ExportError {
    match error {
        zip::result::ZipError::Io(source) => write_error(path, source),
        other => ExportError::Zip(other.to_string()),
    }
}

fn write_pack<W: Write + Seek>(
    data: &PackData,
    vault: &Vault,
    sink: BufWriter<W>,
    partial: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(ExportProgress),
    early_sync: &mut dyn FnMut(u64),
) -> Result<(W, usize, u64), ExportError> {
    use chrono::Datelike as _;
    let stamp = DateTime::from_date_and_time(
        u16::try_from(data.as_of.year().clamp(1980, 2107)).unwrap_or(1980),
        u8::try_from(data.as_of.month()).unwrap_or(1),
        u8::try_from(data.as_of.day()).unwrap_or(1),
        0,
        0,
        0,
    )
    .unwrap_or_default();
    let options = |method: CompressionMethod, size: u64| {
        SimpleFileOptions::default()
            .compression_method(method)
            // The fastest level: text still shrinks several times, at a fraction of the time.
            .compression_level((method == CompressionMethod::Deflated).then_some(1))
            .last_modified_time(stamp)
            .unix_permissions(0o644)
            .large_file(size >= u64::from(u32::MAX))
    };
    let reports = report_files(data)?;
    let evidence: Vec<_> = data.evidence().collect();
    let mut state = ExportProgress {
        files_done: 0,
        files_total: reports.len() + evidence.len() + 2,
        bytes_done: 0,
        bytes_total: reports.iter().map(|(_, b)| b.len() as u64).sum::<u64>()
            + evidence
                .iter()
                .map(|(_, e)| e.evidence.size_bytes)
                .sum::<u64>(),
    };
    progress(state);
    let mut zip = ZipWriter::new(sink);
    let mut entries: Vec<Entry> = Vec::new();
    for (path, bytes) in &reports {
        let method = if path.ends_with(".xlsx") {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        zip.start_file(path.as_str(), options(method, bytes.len() as u64))
            .map_err(|e| zip_error(partial, e))?;
        zip.write_all(bytes).map_err(|e| write_error(partial, e))?;
        entries.push(Entry {
            path: path.clone(),
            size_bytes: bytes.len() as u64,
            sha256: hex(&Sha256::digest(bytes)),
            evidence: None,
        });
        state.files_done += 1;
        state.bytes_done += bytes.len() as u64;
        progress(state);
    }
    let mut buffers: Vec<Vec<u8>> = Vec::new();
    for (control, item) in evidence {
        if cancel.load(Ordering::Relaxed) {
            return Err(ExportError::Cancelled);
        }
        let e = &item.evidence;
        let missing = || ExportError::EvidenceMissing {
            evidence_id: e.id,
            file_name: e.file_name.clone(),
            control: control.control.id.clone(),
        };
        let altered = || ExportError::EvidenceAltered {
            evidence_id: e.id,
            file_name: e.file_name.clone(),
            control: control.control.id.clone(),
            sha256: e.sha256.clone(),
        };
        let Ok(blob_path) = vault.blob_path(&e.sha256) else {
            return Err(ExportError::EvidenceHashInvalid {
                evidence_id: e.id,
                file_name: e.file_name.clone(),
                control: control.control.id.clone(),
            });
        };
        let mut blob = match File::open(&blob_path) {
            Ok(blob) => blob,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Err(missing()),
            Err(error) => return Err(write_error(&blob_path, error)),
        };
        let method = if deflate(&e.media_type) {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        zip.start_file(item.path.as_str(), options(method, e.size_bytes))
            .map_err(|err| zip_error(partial, err))?;
        let (size, digest) = copy_hashing(&mut blob, &mut zip, &mut buffers, cancel, &mut |read| {
            state.bytes_done += read;
            progress(state);
            early_sync(state.bytes_done);
        })
        .map_err(|error| match error {
            CopyError::Cancelled => ExportError::Cancelled,
            CopyError::Read(source) => write_error(&blob_path, source),
            CopyError::Write(source) => write_error(partial, source),
        })?;
        if size != e.size_bytes || digest != e.sha256 {
            return Err(altered());
        }
        entries.push(Entry {
            path: item.path.clone(),
            size_bytes: size,
            sha256: e.sha256.clone(),
            evidence: Some((e.id, control.control.id.clone())),
        });
        state.files_done += 1;
        progress(state);
    }
    let manifest = manifest_bytes(data, &entries);
    zip.start_file(
        MANIFEST,
        options(CompressionMethod::Deflated, manifest.len() as u64),
    )
    .map_err(|e| zip_error(partial, e))?;
    zip.write_all(&manifest)
        .map_err(|e| write_error(partial, e))?;
    entries.push(Entry {
        path: MANIFEST.to_string(),
        size_bytes: manifest.len() as u64,
        sha256: hex(&Sha256::digest(&manifest)),
        evidence: None,
    });
    let sums: String = entries
        .iter()
        .map(|e| format!("{}  {}\n", e.sha256, e.path))
        .collect();
    zip.start_file(
        SHA256SUMS,
        options(CompressionMethod::Deflated, sums.len() as u64),
    )
    .map_err(|e| zip_error(partial, e))?;
    zip.write_all(sums.as_bytes())
        .map_err(|e| write_error(partial, e))?;
    state.files_done = state.files_total;
    progress(state);
    let sink = zip.finish().map_err(|e| zip_error(partial, e))?;
    let inner = sink
        .into_inner()
        .map_err(|e| write_error(partial, e.into_error()))?;
    Ok((inner, entries.len() + 1, state.bytes_total))
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
    source: &mut File,
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
    let mut bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

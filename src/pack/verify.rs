//! Checking an evidence pack against its own `manifest.json` and `SHA256SUMS`, so an
//! auditor (or the team, before sending it) can tell that the pack is complete and that no
//! byte of it changed since it was written.
//!
//! A pack is judged in three steps, and the answer says which step failed:
//!
//! 1. **Is it a Lockstep pack at all?** It must be a readable zip with a `manifest.json`
//!    describing a Lockstep evidence pack and a `SHA256SUMS`. Every entry name must be a
//!    plain relative path: an absolute path, a `..` component, a backslash, a drive prefix
//!    (`C:`), a NUL byte or a symbolic link is refused before any entry is read. Such an
//!    entry could write outside the folder a careless unzip puts it in; Lockstep never
//!    writes one, so a pack holding one was not made by Lockstep, or was made into a trap,
//!    and is answered with [`VerifyOutcome::NotAPack`] (exit 2 on the command line) rather
//!    than a list of problems. Nothing is ever extracted: entries are only read and hashed.
//! 2. **Do the two lists agree?** `manifest.json` lists every entry but itself and
//!    `SHA256SUMS`; `SHA256SUMS` lists every entry but itself, so it also carries
//!    `manifest.json`'s hash. A path in one list and not the other, or a hash the two
//!    disagree on, is a problem.
//! 3. **Does every entry match?** Each entry is hashed and its size counted, and compared
//!    with both lists. Entries listed but absent are *missing*, entries present but listed
//!    nowhere are *extra*, entries whose size or hash differ are *altered*, and a name used
//!    by two entries is a *duplicate*.
//!
//! A signed pack's `SHA256SUMS.sig` and `allowed_signers` are in neither list (the signature
//! covers `SHA256SUMS` itself); [`super::signature`] checks them.
//!
//! A check can be cancelled: [`verify_pack_with_cancel`] looks at its flag before each
//! entry and after each chunk read, and answers `None` once it is set.
//!
//! Performance: entries are streamed through SHA-256 in 1 MiB reads, never held whole.
//! The zip's own CRC-32 is not checked, since SHA-256 already covers every byte. Two
//! threads, each with its own handle on the file, take entries from a shared queue,
//! largest first; on two cores that nearly halves the time one thread takes, and the check
//! runs several times faster than `sha256sum -c` on the extracted pack (see
//! `benches/pack.rs`). The count stays at two, the case measured: more would pay only
//! where more cores and a disk faster than SHA-256 are both there.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use zip::ZipReadOptions;
use zip::read::ZipArchive;

/// The name of the manifest entry.
const MANIFEST: &str = "manifest.json";
/// The name of the checksum list entry.
const SUMS: &str = "SHA256SUMS";
/// The `format` value of a Lockstep pack's manifest.
const FORMAT: &str = "lockstep-evidence-pack";
/// The largest `manifest.json` or `SHA256SUMS` read; a pack of a hundred thousand files
/// stays well under it.
const MAX_LIST_BYTES: u64 = 64 * 1024 * 1024;
/// How much of an entry is read at a time.
const CHUNK_BYTES: usize = 1024 * 1024;
/// How many threads hash entries.
const HASH_THREADS: usize = 2;
/// How often progress is reported while entries hash, at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// What a pack check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyOutcome {
    /// Every entry matches the manifest and SHA256SUMS.
    Intact {
        /// How many files the manifest lists (every entry but `manifest.json` and
        /// `SHA256SUMS`).
        files: usize,
        /// Their total size.
        bytes: u64,
    },
    /// The pack is a Lockstep pack, but these entries are missing, extra or altered (one
    /// line each, naming the path last).
    Problems(Vec<String>),
    /// The file is not a Lockstep pack (not a zip, truncated, no manifest, hostile
    /// paths…): why, one sentence.
    NotAPack(String),
}

/// Why a file is not a Lockstep pack.
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("the file cannot be read ({0})")]
    Open(std::io::Error),
    #[error("the file is not a zip archive, or it is cut short ({0})")]
    NotAZip(zip::result::ZipError),
    #[error("an entry's name cannot be read ({0})")]
    UnreadableName(zip::result::ZipError),
    #[error("it holds an entry whose path could escape the folder it is unpacked into: {0}")]
    HostilePath(String),
    #[error("it holds a symbolic link, which Lockstep never writes: {0}")]
    Symlink(String),
    #[error("it has no {0}")]
    Missing(&'static str),
    #[error("its {0} cannot be read ({1})")]
    UnreadableList(&'static str, String),
    #[error("its manifest.json does not describe a Lockstep evidence pack (format \"{0}\")")]
    WrongFormat(String),
    #[error("it is a version {0} evidence pack, and this Lockstep checks version 1")]
    WrongVersion(u32),
}

/// The parts of `manifest.json` a check needs.
#[derive(Debug, Deserialize)]
struct Manifest {
    format: String,
    format_version: u32,
    files: Vec<ManifestFile>,
}

/// One file as `manifest.json` lists it.
#[derive(Debug, Deserialize)]
struct ManifestFile {
    path: String,
    size_bytes: u64,
    sha256: String,
}

/// What the two lists say one entry should be.
#[derive(Debug, Default)]
struct Expected {
    /// Size and hash from `manifest.json`.
    manifest: Option<(u64, Option<[u8; 32]>)>,
    /// Hash from `SHA256SUMS`.
    sums: Option<[u8; 32]>,
}

/// An entry to hash: its index in the zip, its name and its size.
struct Job {
    index: usize,
    name: String,
    size_bytes: u64,
}

/// What hashing one entry gave: its size and SHA-256, or why it could not be read.
type Hashed = Result<(u64, [u8; 32]), String>;

/// Checks the pack at `path` against its `manifest.json` and `SHA256SUMS`, reporting
/// `progress(bytes done, bytes total)` while it hashes. Nothing is extracted or written.
pub fn verify_pack(path: &Path, progress: &mut dyn FnMut(u64, u64)) -> VerifyOutcome {
    let never = AtomicBool::new(false);
    match verify_pack_with_cancel(path, &never, progress) {
        Some(outcome) => outcome,
        // The flag is never set, so the check always runs to its end.
        None => VerifyOutcome::NotAPack("the check was cancelled".to_string()),
    }
}

/// Checks the pack at `path` like [`verify_pack`], stopping soon after `cancel` is set;
/// then the answer is `None`.
pub fn verify_pack_with_cancel(
    path: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, u64),
) -> Option<VerifyOutcome> {
    match check(path, cancel, progress) {
        Ok(outcome) => outcome,
        // Whoever cancelled asked for no answer, so a refusal found while stopping is moot.
        Err(_) if cancel.load(Ordering::Relaxed) => None,
        Err(refusal) => Some(VerifyOutcome::NotAPack(refusal.to_string())),
    }
}

/// Judges the pack at `path` in the three steps the module describes: a refusal when it is
/// not a Lockstep pack, `None` when cancelled, otherwise whether it is intact and, if not,
/// every problem found.
fn check(
    path: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Option<VerifyOutcome>, Refusal> {
    let file = crate::input::open(path).map_err(Refusal::Open)?;
    let mut archive = ZipArchive::new(file).map_err(Refusal::NotAZip)?;

    // Step 1: every name is looked at before any entry is read.
    let Some(names) = entry_names(&mut archive, cancel)? else {
        return Ok(None);
    };
    let lists = read_lists(&mut archive)?;

    let mut problems = Vec::new();
    if archive.has_duplicate_names() {
        for (name, count) in duplicate_names(path, archive.central_directory_start()) {
            problems.push(format!(
                "duplicate ({count} entries have this name): {name}"
            ));
        }
    }

    // Step 2: what each list expects, and whether the lists agree.
    let (expected, order) = expected_entries(&lists, &mut problems);
    compare_lists(&expected, &order, lists.manifest_hash, &mut problems);

    // Step 3: hash what is listed; flag what is not listed, and what has the wrong size
    // already by its header, without reading it.
    let (jobs, total_bytes, mut entry_problems) = plan_hashing(&names, &lists, &expected);
    let hashed = hash_entries(path, archive, &jobs, total_bytes, cancel, progress);
    if cancel.load(Ordering::Relaxed) {
        return Ok(None);
    }
    compare_hashes(&jobs, hashed, &expected, &mut entry_problems);
    entry_problems.sort_by_key(|(index, _)| *index);
    problems.extend(entry_problems.into_iter().map(|(_, line)| line));
    let present: HashSet<&str> = names.iter().map(|(name, _)| name.as_str()).collect();
    for name in &order {
        if !present.contains(name.as_str()) {
            problems.push(format!("missing (listed, not in the pack): {name}"));
        }
    }

    Ok(Some(if problems.is_empty() {
        VerifyOutcome::Intact {
            files: lists.manifest.files.len(),
            bytes: lists.manifest.files.iter().map(|f| f.size_bytes).sum(),
        }
    } else {
        VerifyOutcome::Problems(problems)
    }))
}

/// The pack's two lists, read and checked to describe a Lockstep pack of this version.
struct Lists {
    /// `manifest.json`, read.
    manifest: Manifest,
    /// The SHA-256 of `manifest.json`'s bytes.
    manifest_hash: [u8; 32],
    /// Where `manifest.json` is in the zip.
    manifest_index: usize,
    /// `SHA256SUMS` as text.
    sums_text: String,
    /// Where `SHA256SUMS` is in the zip.
    sums_index: usize,
}

/// Every entry's name and size, in zip order, refusing the pack at the first name that
/// could escape the folder it is unpacked into or that is a symbolic link; `None` when
/// cancelled.
fn entry_names(
    archive: &mut ZipArchive<File>,
    cancel: &AtomicBool,
) -> Result<Option<Vec<(String, u64)>>, Refusal> {
    let mut names = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        if cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let entry = archive.by_index_data(index).map_err(Refusal::NotAZip)?;
        let name = entry.name().map_err(Refusal::UnreadableName)?.into_owned();
        if is_hostile(&name) {
            return Err(Refusal::HostilePath(name));
        }
        if entry.is_symlink() {
            return Err(Refusal::Symlink(name));
        }
        names.push((name, entry.size()));
    }
    Ok(Some(names))
}

/// Reads `manifest.json` and `SHA256SUMS`, refusing the pack when either is missing or
/// unreadable, or when the manifest is not of a Lockstep pack of the version this checks.
fn read_lists(archive: &mut ZipArchive<File>) -> Result<Lists, Refusal> {
    let manifest_index = archive
        .index_for_name(MANIFEST)
        .ok_or(Refusal::Missing(MANIFEST))?;
    let sums_index = archive.index_for_name(SUMS).ok_or(Refusal::Missing(SUMS))?;

    let (manifest_bytes, manifest_hash) = read_list(archive, manifest_index, MANIFEST)?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| Refusal::UnreadableList(MANIFEST, e.to_string()))?;
    if manifest.format != FORMAT {
        return Err(Refusal::WrongFormat(manifest.format));
    }
    if manifest.format_version != super::FORMAT_VERSION {
        return Err(Refusal::WrongVersion(manifest.format_version));
    }
    let (sums_bytes, _) = read_list(archive, sums_index, SUMS)?;
    let sums_text = String::from_utf8(sums_bytes)
        .map_err(|_| Refusal::UnreadableList(SUMS, "it is not UTF-8 text".to_string()))?;
    Ok(Lists {
        manifest,
        manifest_hash,
        manifest_index,
        sums_text,
        sums_index,
    })
}

/// What each list expects of each path, and the paths in the order they are first listed
/// (`manifest.json` itself left out). Malformed hashes and lines, and paths a list gives
/// twice, are problems.
fn expected_entries(
    lists: &Lists,
    problems: &mut Vec<String>,
) -> (HashMap<String, Expected>, Vec<String>) {
    let mut expected: HashMap<String, Expected> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for file in &lists.manifest.files {
        let hash = parse_hash(&file.sha256);
        if hash.is_none() {
            problems.push(format!(
                "malformed (manifest.json's SHA-256 is not 64 hex digits): {}",
                file.path
            ));
        }
        let slot = expected.entry(file.path.clone()).or_default();
        if slot.manifest.is_some() {
            problems.push(format!(
                "duplicate (manifest.json lists it twice): {}",
                file.path
            ));
            continue;
        }
        slot.manifest = Some((file.size_bytes, hash));
        order.push(file.path.clone());
    }
    for (number, line) in lists.sums_text.lines().enumerate() {
        let Some((hash, name)) = parse_sums_line(line) else {
            problems.push(format!(
                "malformed (not \"<sha256>  <path>\"): SHA256SUMS line {}",
                number + 1
            ));
            continue;
        };
        let slot = expected.entry(name.clone()).or_default();
        if slot.sums.is_some() {
            problems.push(format!("duplicate (SHA256SUMS lists it twice): {name}"));
            continue;
        }
        if slot.manifest.is_none() && name != MANIFEST {
            order.push(name.clone());
        }
        slot.sums = Some(hash);
    }
    (expected, order)
}

/// Adds a problem for each path only one list gives or the two give different hashes for,
/// for a list that names itself, and for a `manifest.json` that `SHA256SUMS` leaves out or
/// gives another hash.
fn compare_lists(
    expected: &HashMap<String, Expected>,
    order: &[String],
    manifest_hash: [u8; 32],
    problems: &mut Vec<String>,
) {
    for name in order {
        let slot = &expected[name];
        match (&slot.manifest, &slot.sums) {
            (Some(_), None) => problems.push(format!(
                "unlisted (in manifest.json, not in SHA256SUMS): {name}"
            )),
            (None, Some(_)) => problems.push(format!(
                "unlisted (in SHA256SUMS, not in manifest.json): {name}"
            )),
            (Some((_, Some(a))), Some(b)) if a != b => problems.push(format!(
                "mismatch (manifest.json and SHA256SUMS give different SHA-256): {name}"
            )),
            _ => {}
        }
    }
    if expected
        .get(MANIFEST)
        .and_then(|slot| slot.manifest.as_ref())
        .is_some()
    {
        problems.push(format!(
            "listed (manifest.json cannot list itself): {MANIFEST}"
        ));
    }
    if expected.contains_key(SUMS) {
        problems.push(format!(
            "listed (SHA256SUMS cannot be checked against itself): {SUMS}"
        ));
    }
    match expected.get(MANIFEST).and_then(|slot| slot.sums) {
        None => problems.push(format!("unlisted (not in SHA256SUMS): {MANIFEST}")),
        Some(hash) if hash != manifest_hash => problems.push(format!(
            "altered (SHA-256 differs from SHA256SUMS): {MANIFEST}"
        )),
        Some(_) => {}
    }
}

/// The entries to hash, largest first, and the bytes they hold; entries listed nowhere or
/// whose header gives another size than the manifest are problems instead, by zip index.
fn plan_hashing(
    names: &[(String, u64)],
    lists: &Lists,
    expected: &HashMap<String, Expected>,
) -> (Vec<Job>, u64, Vec<(usize, String)>) {
    let mut jobs = Vec::new();
    let mut total_bytes = 0u64;
    let mut entry_problems: Vec<(usize, String)> = Vec::new();
    for (index, (name, size)) in names.iter().enumerate() {
        // The signature and its allowed_signers sit outside both lists, since the signature
        // covers SHA256SUMS; `pack::signature` checks them.
        if index == lists.manifest_index
            || index == lists.sums_index
            || name == super::SIGNATURE
            || name == super::ALLOWED_SIGNERS
        {
            continue;
        }
        match expected.get(name) {
            None => entry_problems.push((
                index,
                format!("extra (listed in neither manifest.json nor SHA256SUMS): {name}"),
            )),
            Some(Expected {
                manifest: Some((want, _)),
                ..
            }) if want != size => entry_problems.push((
                index,
                format!("altered (size {size} bytes, manifest.json says {want}): {name}"),
            )),
            Some(_) => {
                total_bytes += size;
                jobs.push(Job {
                    index,
                    name: name.clone(),
                    size_bytes: *size,
                });
            }
        }
    }
    // Largest first, so the threads finish together rather than one hashing a big entry
    // alone at the end.
    jobs.sort_by_key(|job| std::cmp::Reverse(job.size_bytes));
    (jobs, total_bytes, entry_problems)
}

/// Adds a problem, by zip index, for each hashed entry that could not be read or whose size
/// or SHA-256 differs from what either list says.
fn compare_hashes(
    jobs: &[Job],
    hashed: Vec<Hashed>,
    expected: &HashMap<String, Expected>,
    entry_problems: &mut Vec<(usize, String)>,
) {
    for (job, result) in jobs.iter().zip(hashed) {
        let slot = &expected[&job.name];
        match result {
            Err(why) => {
                entry_problems.push((job.index, format!("unreadable ({why}): {}", job.name)))
            }
            Ok((size, hash)) => {
                let manifest_differs = match slot.manifest {
                    Some((want_size, want_hash)) => {
                        want_size != size || want_hash.is_some_and(|h| h != hash)
                    }
                    None => false,
                };
                let sums_differs = slot.sums.is_some_and(|h| h != hash);
                let against = match (manifest_differs, sums_differs) {
                    (true, true) => "manifest.json and SHA256SUMS",
                    (true, false) => "manifest.json",
                    (false, true) => "SHA256SUMS",
                    (false, false) => continue,
                };
                entry_problems.push((
                    job.index,
                    format!("altered (SHA-256 differs from {against}): {}", job.name),
                ));
            }
        }
    }
}

/// Whether an entry name could land outside the folder it is unpacked into, on any
/// operating system.
fn is_hostile(name: &str) -> bool {
    let bytes = name.as_bytes();
    name.is_empty()
        || name.starts_with('/')
        || name.contains('\\')
        || name.contains('\0')
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
        || name.split('/').any(|component| component == "..")
}

/// Reads a small listing entry whole (bounded), with its SHA-256.
fn read_list(
    archive: &mut ZipArchive<File>,
    index: usize,
    name: &'static str,
) -> Result<(Vec<u8>, [u8; 32]), Refusal> {
    let unreadable = |e: &dyn std::fmt::Display| Refusal::UnreadableList(name, e.to_string());
    let entry = archive.by_index(index).map_err(|e| unreadable(&e))?;
    let mut bytes = Vec::new();
    entry
        .take(MAX_LIST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(&e))?;
    if bytes.len() as u64 > MAX_LIST_BYTES {
        return Err(unreadable(&format_args!(
            "it is larger than {MAX_LIST_BYTES} bytes"
        )));
    }
    let hash = Sha256::digest(&bytes).into();
    Ok((bytes, hash))
}

/// Parses 64 hex digits.
fn parse_hash(text: &str) -> Option<[u8; 32]> {
    let text = text.as_bytes();
    if text.len() != 64 {
        return None;
    }
    let mut hash = [0u8; 32];
    for (byte, pair) in hash.iter_mut().zip(text.chunks_exact(2)) {
        let digit = |c: u8| (c as char).to_digit(16);
        *byte = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
    }
    Some(hash)
}

/// Parses one `SHA256SUMS` line as `sha256sum` writes it: `<hash>  <path>` (or
/// `<hash> *<path>` in binary mode), with a leading `\` when the path has `\\`, `\n` or `\r`
/// escapes.
fn parse_sums_line(line: &str) -> Option<([u8; 32], String)> {
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let hash = parse_hash(line.get(..64)?)?;
    let rest = line.get(64..)?;
    let name = rest
        .strip_prefix("  ")
        .or_else(|| rest.strip_prefix(" *"))?;
    if name.is_empty() {
        return None;
    }
    if !escaped {
        return Some((hash, name.to_string()));
    }
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            _ => return None,
        }
    }
    Some((hash, out))
}

/// Names used by more than one entry of the central directory, with how many use each.
/// The zip reader keeps one entry per name, so the central directory is walked directly;
/// anything unexpected in it simply ends the walk.
fn duplicate_names(path: &Path, directory_start: u64) -> Vec<(String, usize)> {
    const CENTRAL_HEADER: u32 = 0x0201_4b50;
    let mut counts: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut order: Vec<Vec<u8>> = Vec::new();
    let walk = |counts: &mut HashMap<Vec<u8>, usize>,
                order: &mut Vec<Vec<u8>>|
     -> std::io::Result<()> {
        let mut file = BufReader::new(crate::input::open(path)?);
        file.seek(SeekFrom::Start(directory_start))?;
        let mut header = [0u8; 46];
        loop {
            if file.read_exact(&mut header).is_err() {
                return Ok(());
            }
            if u32::from_le_bytes([header[0], header[1], header[2], header[3]]) != CENTRAL_HEADER {
                return Ok(());
            }
            let field = |at: usize| u16::from_le_bytes([header[at], header[at + 1]]);
            let (name_len, extra_len, comment_len) = (field(28), field(30), field(32));
            let mut name = vec![0u8; usize::from(name_len)];
            file.read_exact(&mut name)?;
            file.seek_relative(i64::from(extra_len) + i64::from(comment_len))?;
            let count = counts.entry(name.clone()).or_insert(0);
            *count += 1;
            if *count == 2 {
                order.push(name);
            }
        }
    };
    // A walk cut short by a read error still names what it found.
    let _ = walk(&mut counts, &mut order);
    order
        .into_iter()
        .map(|name| {
            let count = counts[&name];
            (String::from_utf8_lossy(&name).into_owned(), count)
        })
        .collect()
}

/// Hashes the entries of `jobs` on up to [`HASH_THREADS`] threads, each reading the file
/// through its own handle; returns one result per job, in order.
fn hash_entries(
    path: &Path,
    archive: ZipArchive<File>,
    jobs: &[Job],
    total_bytes: u64,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, u64),
) -> Vec<Hashed> {
    let next = AtomicUsize::new(0);
    let done_bytes = AtomicU64::new(0);
    let mut results: Vec<Option<Hashed>> = (0..jobs.len()).map(|_| None).collect();
    progress(0, total_bytes);
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, Hashed)>();
        let threads = HASH_THREADS.min(jobs.len()).max(1);
        let mut first = Some(archive);
        for _ in 0..threads {
            let sender = sender.clone();
            // The first thread takes the archive already open; the others open their own.
            let archive = first.take();
            let (next, done_bytes) = (&next, &done_bytes);
            scope.spawn(move || {
                let mut archive = match archive {
                    Some(archive) => archive,
                    None => match crate::input::open(path)
                        .map_err(|e| e.to_string())
                        .and_then(|f| ZipArchive::new(f).map_err(|e| e.to_string()))
                    {
                        Ok(archive) => archive,
                        // The other thread still hashes every entry.
                        Err(_) => return,
                    },
                };
                let mut buffer = vec![0u8; CHUNK_BYTES];
                loop {
                    if cancel.load(Ordering::Relaxed) {
                        return;
                    }
                    let at = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(at) else { return };
                    let result =
                        hash_entry(&mut archive, job.index, &mut buffer, done_bytes, cancel);
                    if sender.send((at, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(sender);
        loop {
            match receiver.recv_timeout(PROGRESS_EVERY) {
                Ok((at, result)) => results[at] = Some(result),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            progress(done_bytes.load(Ordering::Relaxed), total_bytes);
        }
    });
    progress(total_bytes, total_bytes);
    results
        .into_iter()
        .map(|result| result.unwrap_or_else(|| Err("it was not hashed".to_string())))
        .collect()
}

/// Streams one entry through SHA-256, adding the bytes read to `done_bytes` as it goes.
fn hash_entry(
    archive: &mut ZipArchive<File>,
    index: usize,
    buffer: &mut [u8],
    done_bytes: &AtomicU64,
    cancel: &AtomicBool,
) -> Hashed {
    // SHA-256 covers every byte, so the CRC-32 would only cost time.
    let options = ZipReadOptions::new().ignore_crc32(true);
    let mut entry = archive
        .by_index_with_options(index, options)
        .map_err(|e| e.to_string())?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err("the check was cancelled".to_string());
        }
        let read = match entry.read(buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.to_string()),
        };
        hasher.update(&buffer[..read]);
        size += read as u64;
        done_bytes.fetch_add(read as u64, Ordering::Relaxed);
    }
    Ok((size, hasher.finalize().into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_cancelled_before_it_ends_gives_no_answer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pack.zip");
        std::fs::write(&path, b"not a zip").unwrap();
        let cancel = AtomicBool::new(true);
        assert_eq!(
            verify_pack_with_cancel(&path, &cancel, &mut |_, _| {}),
            None
        );
        let cancel = AtomicBool::new(false);
        assert!(matches!(
            verify_pack_with_cancel(&path, &cancel, &mut |_, _| {}),
            Some(VerifyOutcome::NotAPack(_))
        ));
    }

    #[test]
    fn plain_relative_names_are_not_hostile() {
        for name in [
            "index.html",
            "evidence/aws/SRM-AWS-PE-01 Data centre/scan (2).pdf",
            "evidence/x/..hidden",
            "a/./b",
        ] {
            assert!(!is_hostile(name), "{name}");
        }
    }

    #[test]
    fn names_that_escape_or_mean_other_things_on_windows_are_hostile() {
        for name in [
            "",
            "../evil",
            "a/../../evil",
            "a/..",
            "/etc/passwd",
            "evidence\\evil",
            "C:/Windows/evil.dll",
            "c:evil",
            "a\0b",
        ] {
            assert!(is_hostile(name), "{name:?}");
        }
    }

    #[test]
    fn sums_lines_parse_as_sha256sum_writes_them() {
        let hash = "ab".repeat(32);
        let (parsed, name) = parse_sums_line(&format!("{hash}  evidence/a b/c.pdf")).unwrap();
        assert_eq!(parsed, [0xab; 32]);
        assert_eq!(name, "evidence/a b/c.pdf");
        assert_eq!(
            parse_sums_line(&format!("{hash} *c.pdf")).unwrap().1,
            "c.pdf"
        );
        assert_eq!(
            parse_sums_line(&format!("\\{hash}  a\\nb\\\\c")).unwrap().1,
            "a\nb\\c"
        );
    }

    #[test]
    fn malformed_sums_lines_are_refused() {
        let hash = "ab".repeat(32);
        for line in [
            String::new(),
            format!("{hash} c.pdf"),
            format!("{hash}  "),
            format!("{}  c.pdf", "ab".repeat(31)),
            format!("{}  c.pdf", "zz".repeat(32)),
            format!("\\{hash}  a\\qb"),
        ] {
            assert!(parse_sums_line(&line).is_none(), "{line:?}");
        }
    }
}

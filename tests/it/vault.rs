//! The evidence vault on temp workspaces, through the library and the real binary: files
//! stored once under their SHA-256, tombstones and purge, `verify`, kills and cancels in the
//! middle of an ingest, and files that are refused.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{
    Run, binary, files_under, listing, lockstep, new_project, open_workspace, wait_until, workspace,
};
use chrono::NaiveDate;
use lockstep::model::Evidence;
use lockstep::store::{NewEvidence, VAULT_DIR};
use lockstep::vault::{BlobCheck, CHUNK_BYTES, VaultError};
use lockstep::workspace::{AttachOptions, Workspace, WorkspaceError, attach, verify_workspace};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

const PROJECT: &str = "Payments platform";
const SERVICES: [&str; 3] = ["ec2", "rds", "s3"];
const CONTROL: &str = "SRM-CUS-IAM-03";
const OTHER_CONTROL: &str = "SRM-CUS-IAM-04";
const MIB: usize = 1 << 20;

// Content and hashes.

/// Deterministic bytes that do not repeat within a file (xorshift64*).
fn pseudo_random(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

fn write_file(path: &Path, content: &[u8]) -> PathBuf {
    fs::write(path, content).unwrap();
    path.to_path_buf()
}

fn sha256_hex(content: &[u8]) -> String {
    format!("{:x}", Sha256::digest(content))
}

/// The hash the real `sha256sum` prints, or `None` when it is not installed.
fn sha256sum(path: &Path) -> Option<String> {
    let output = Command::new("sha256sum").arg(path).output().ok()?;
    assert!(output.status.success(), "sha256sum failed: {output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    Some(text.split_whitespace().next().unwrap().to_string())
}

/// Checks a recorded hash against `sha256sum`, and against sha2 in any case.
fn assert_hash_matches(path: &Path, recorded: &str) {
    assert_eq!(recorded, sha256_hex(&fs::read(path).unwrap()));
    match sha256sum(path) {
        Some(expected) => assert_eq!(recorded, expected),
        None => println!("sha256sum is not installed: skipped the comparison with it"),
    }
}

// Workspaces.

/// A workspace opened through the library with the project the tests use.
struct Library {
    _tmp: TempDir,
    dir: PathBuf,
    workspace: Workspace,
    project: i64,
}

fn library() -> Library {
    let (tmp, dir) = workspace();
    let mut workspace = open_workspace(&dir);
    let project = workspace
        .store
        .create_project(&new_project(PROJECT, &SERVICES))
        .unwrap()
        .key;
    Library {
        _tmp: tmp,
        dir,
        workspace,
        project,
    }
}

impl Library {
    fn attach_with(
        &mut self,
        control: &str,
        path: &Path,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Evidence, WorkspaceError> {
        let options = AttachOptions {
            description: "IAM credential report".to_string(),
            collected_on: day("2026-11-01"),
            valid_until: None,
        };
        let Workspace { store, vault } = &mut self.workspace;
        attach(
            store,
            vault,
            (self.project, control),
            path,
            &options,
            cancel,
            progress,
        )
    }

    fn attach(&mut self, control: &str, path: &Path) -> Result<Evidence, WorkspaceError> {
        self.attach_with(control, path, &AtomicBool::new(false), &mut |_| {})
    }

    fn rows(&self) -> Vec<Evidence> {
        self.workspace.store.evidence(self.project, None).unwrap()
    }

    /// A file next to the workspace, outside it.
    fn source(&self, name: &str) -> PathBuf {
        self.dir.parent().unwrap().join(name)
    }
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn blobs_dir(dir: &Path) -> PathBuf {
    dir.join(VAULT_DIR).join("sha256")
}

fn tmp_dir(dir: &Path) -> PathBuf {
    dir.join(VAULT_DIR).join("tmp")
}

fn blob_path(dir: &Path, sha256: &str) -> PathBuf {
    blobs_dir(dir).join(&sha256[..2]).join(&sha256[2..])
}

/// Checks that the vault holds no stored file and nothing waits in its temporary folder.
fn assert_vault_empty(dir: &Path) {
    assert_eq!(files_under(&blobs_dir(dir)), Vec::<PathBuf>::new());
    assert_eq!(listing(&tmp_dir(dir)), Vec::<String>::new());
}

/// Creates the project through the binary.
fn create_project(dir: &Path) {
    let created = lockstep(
        dir,
        &["project", "create", PROJECT, "--services", "ec2,rds,s3"],
    );
    assert_eq!(created.code, 0, "{created:?}");
}

fn add_args<'a>(control: &'a str, files: &'a [&'a Path]) -> Vec<&'a std::ffi::OsStr> {
    let mut args: Vec<&std::ffi::OsStr> = ["evidence", "add", "--project", PROJECT, "--control"]
        .iter()
        .map(|s| s.as_ref())
        .collect();
    args.push(control.as_ref());
    args.extend(files.iter().map(|f| f.as_os_str()));
    args
}

/// Runs `lockstep evidence add` on these files with any extra options.
fn add(dir: &Path, control: &str, files: &[&Path], extra: &[&str]) -> Run {
    let mut command = binary();
    command
        .arg("--workspace")
        .arg(dir)
        .args(add_args(control, files))
        .args(extra);
    crate::common::run(command)
}

fn evidence_json(dir: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["evidence", "list", "--project", PROJECT, "--json"];
    args.extend_from_slice(extra);
    let listed = lockstep(dir, &args);
    assert_eq!(listed.code, 0, "{listed:?}");
    listed.json().as_array().unwrap().clone()
}

fn remove(dir: &Path, evidence_id: &Value, reason: &str) -> Run {
    let id = evidence_id.to_string();
    lockstep(
        dir,
        &[
            "evidence",
            "remove",
            "--project",
            PROJECT,
            &id,
            "--reason",
            reason,
        ],
    )
}

fn purge_rows(dir: &Path) -> Vec<Value> {
    open_workspace(dir)
        .store
        .activity(None, None)
        .unwrap()
        .into_iter()
        .filter(|entry| entry.action.name() == "vault.purge")
        .map(|entry| entry.detail)
        .collect()
}

// Ingest.

#[test]
fn ingest_stores_the_file_under_its_sha256_in_a_two_letter_folder() {
    let mut lib = library();
    let content = b"UserName,PasswordEnabled,MfaActive\nana,true,true\n";
    let source = write_file(&lib.source("credential-report.csv"), content);

    let evidence = lib.attach(CONTROL, &source).unwrap();

    assert_hash_matches(&source, &evidence.sha256);
    let stored = files_under(&blobs_dir(&lib.dir));
    assert_eq!(stored, [blob_path(&lib.dir, &evidence.sha256)]);
    let relative = stored[0].strip_prefix(blobs_dir(&lib.dir)).unwrap();
    let parts: Vec<&str> = relative
        .components()
        .map(|c| c.as_os_str().to_str().unwrap())
        .collect();
    assert_eq!(parts.len(), 2, "{relative:?}");
    assert_eq!((parts[0].len(), parts[1].len()), (2, 62), "{relative:?}");
    assert_eq!(fs::read(&stored[0]).unwrap(), content);
    assert_eq!(evidence.file_name, "credential-report.csv");
    assert_eq!(evidence.size_bytes, content.len() as u64);
    assert_eq!(evidence.media_type, "text/csv");
    assert_eq!(evidence.control, CONTROL);
    assert!(!evidence.removed);
    assert_eq!(listing(&tmp_dir(&lib.dir)), Vec::<String>::new());
}

#[test]
fn identical_content_under_two_names_is_stored_once() {
    let mut lib = library();
    let content = pseudo_random(7, 40_000);
    let first = write_file(&lib.source("q3-export.json"), &content);
    let second = write_file(&lib.source("copy of q3-export.json"), &content);

    let a = lib.attach(CONTROL, &first).unwrap();
    let b = lib.attach(OTHER_CONTROL, &second).unwrap();

    assert_eq!(a.sha256, b.sha256);
    assert_ne!(a.id, b.id);
    assert_eq!(lib.rows().len(), 2);
    assert_eq!(
        files_under(&blobs_dir(&lib.dir)),
        [blob_path(&lib.dir, &a.sha256)]
    );
    assert_eq!(listing(&tmp_dir(&lib.dir)), Vec::<String>::new());
}

#[test]
fn a_file_of_several_chunks_hashes_like_sha256sum() {
    let mut lib = library();
    let size = 5 * CHUNK_BYTES + 12_345;
    let content = pseudo_random(11, size);
    let source = write_file(&lib.source("vpc-flow-logs.gz"), &content);
    let mut reported = Vec::new();

    let evidence = lib
        .attach_with(CONTROL, &source, &AtomicBool::new(false), &mut |done| {
            reported.push(done)
        })
        .unwrap();

    assert_hash_matches(&source, &evidence.sha256);
    assert_eq!(evidence.size_bytes, size as u64);
    assert!(reported.len() >= 6, "{reported:?}");
    assert!(reported.windows(2).all(|w| w[0] < w[1]), "{reported:?}");
    assert_eq!(reported.last(), Some(&(size as u64)));
    assert_eq!(
        fs::read(blob_path(&lib.dir, &evidence.sha256)).unwrap(),
        content
    );
}

#[test]
fn evidence_add_prints_each_hash_and_name_like_sha256sum() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let source = write_file(
        &dir.parent().unwrap().join("guardduty findings.json"),
        b"{\"findings\": []}\n",
    );
    let added = add(&dir, CONTROL, &[&source], &[]);
    assert_eq!(added.code, 0, "{added:?}");
    let sha = sha256_hex(&fs::read(&source).unwrap());
    assert_eq!(added.stdout, format!("{sha}  guardduty findings.json\n"));
    assert_hash_matches(&source, &sha);
}

// Tombstones and purge.

#[test]
fn removing_evidence_needs_a_reason_and_keeps_the_row_and_the_blob() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let source = write_file(&dir.parent().unwrap().join("mfa.png"), b"png bytes");
    assert_eq!(add(&dir, CONTROL, &[&source], &[]).code, 0);
    let row = evidence_json(&dir, &[]).remove(0);
    let blob = blob_path(&dir, row["sha256"].as_str().unwrap());

    let refused = remove(&dir, &row["id"], "   ");
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("reason"), "{refused:?}");
    let id = row["id"].to_string();
    let refused = lockstep(&dir, &["evidence", "remove", "--project", PROJECT, &id]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("--reason"), "{refused:?}");
    assert_eq!(evidence_json(&dir, &[]), vec![row.clone()]);

    let removed = remove(&dir, &row["id"], "Superseded by the Q4 report");
    assert_eq!(removed.code, 0, "{removed:?}");
    let rows = evidence_json(&dir, &[]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], row["id"]);
    assert_eq!(rows[0]["removed"], true);
    assert_eq!(rows[0]["removed_reason"], "Superseded by the Q4 report");
    assert!(
        rows[0]["removed_at"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    assert!(
        rows[0]["removed_by"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    assert_eq!(fs::read(&blob).unwrap(), b"png bytes");
    let verified = lockstep(&dir, &["verify"]);
    assert_eq!(verified.code, 0, "{verified:?}");
}

#[test]
fn removing_evidence_twice_is_refused() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let source = write_file(&dir.parent().unwrap().join("mfa.png"), b"png bytes");
    assert_eq!(add(&dir, CONTROL, &[&source], &[]).code, 0);
    let id = evidence_json(&dir, &[])[0]["id"].clone();
    assert_eq!(remove(&dir, &id, "Wrong account").code, 0);

    let again = remove(&dir, &id, "Still wrong");
    assert_eq!(again.code, 2, "{again:?}");
    assert!(again.stderr.contains("already removed"), "{again:?}");
    assert_eq!(
        evidence_json(&dir, &[])[0]["removed_reason"],
        "Wrong account"
    );
}

#[test]
fn purge_lists_unused_files_and_removes_them_only_with_yes() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let old = write_file(&dir.parent().unwrap().join("old.pdf"), b"old report");
    let new = write_file(&dir.parent().unwrap().join("new.pdf"), b"new report");
    assert_eq!(add(&dir, CONTROL, &[&old, &new], &[]).code, 0);
    let rows = evidence_json(&dir, &[]);
    let (old_sha, new_sha) = (
        rows[0]["sha256"].as_str().unwrap(),
        rows[1]["sha256"].as_str().unwrap(),
    );
    assert_eq!(remove(&dir, &rows[0]["id"], "Superseded").code, 0);

    let dry = lockstep(&dir, &["vault", "purge"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(dry.stdout.contains(old_sha), "{dry:?}");
    assert!(!dry.stdout.contains(new_sha), "{dry:?}");
    assert!(blob_path(&dir, old_sha).is_file());
    assert_eq!(purge_rows(&dir), Vec::<Value>::new());

    let purged = lockstep(&dir, &["vault", "purge", "--yes"]);
    assert_eq!(purged.code, 0, "{purged:?}");
    assert!(purged.stdout.contains(old_sha), "{purged:?}");
    assert!(!blob_path(&dir, old_sha).exists());
    assert_eq!(fs::read(blob_path(&dir, new_sha)).unwrap(), b"new report");
    let logged = purge_rows(&dir);
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0]["files"][0]["sha256"], old_sha);
    assert_eq!(logged[0]["files"].as_array().unwrap().len(), 1);

    let again = lockstep(&dir, &["vault", "purge", "--yes"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("nothing to purge"), "{again:?}");
    assert_eq!(purge_rows(&dir).len(), 1);
    // The tombstone outlives its file.
    assert_eq!(evidence_json(&dir, &[])[0]["removed"], true);
    let verified = lockstep(&dir, &["verify"]);
    assert_eq!(verified.code, 0, "{verified:?}");
}

#[test]
fn a_file_still_used_by_current_evidence_is_never_purged() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let first = write_file(&dir.parent().unwrap().join("a.txt"), b"same content");
    let second = write_file(&dir.parent().unwrap().join("b.txt"), b"same content");
    assert_eq!(add(&dir, CONTROL, &[&first], &[]).code, 0);
    assert_eq!(add(&dir, OTHER_CONTROL, &[&second], &[]).code, 0);
    let rows = evidence_json(&dir, &[]);
    let sha = rows[0]["sha256"].as_str().unwrap();
    assert_eq!(remove(&dir, &rows[0]["id"], "Attached twice").code, 0);

    let dry = lockstep(&dir, &["vault", "purge"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(dry.stdout.contains("nothing to purge"), "{dry:?}");
    let purged = lockstep(&dir, &["vault", "purge", "--yes"]);
    assert_eq!(purged.code, 0, "{purged:?}");
    assert!(!purged.stdout.contains(sha), "{purged:?}");

    assert_eq!(fs::read(blob_path(&dir, sha)).unwrap(), b"same content");
    let verified = lockstep(&dir, &["verify"]);
    assert_eq!(verified.code, 0, "{verified:?}");
}

// Verify.

#[test]
fn verify_names_the_evidence_whose_file_was_altered() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let parent = dir.parent().unwrap();
    let shared = pseudo_random(3, 3000);
    let report = write_file(&parent.join("config-rules.csv"), &shared);
    let copy = write_file(&parent.join("config-rules-copy.csv"), &shared);
    let other = write_file(&parent.join("untouched.txt"), b"leave me be");
    assert_eq!(add(&dir, CONTROL, &[&report, &other], &[]).code, 0);
    assert_eq!(add(&dir, OTHER_CONTROL, &[&copy], &[]).code, 0);
    let verified = lockstep(&dir, &["verify"]);
    assert_eq!(verified.code, 0, "{verified:?}");
    assert!(verified.stdout.contains("all intact"), "{verified:?}");

    let rows = evidence_json(&dir, &[]);
    let blob = blob_path(&dir, rows[0]["sha256"].as_str().unwrap());
    let mut bytes = fs::read(&blob).unwrap();
    bytes[1500] ^= 0x01;
    fs::write(&blob, &bytes).unwrap();

    let verified = lockstep(&dir, &["verify"]);
    assert_eq!(verified.code, 1, "{verified:?}");
    for (row, control) in [(&rows[0], CONTROL), (&rows[2], OTHER_CONTROL)] {
        let line = verified
            .stdout
            .lines()
            .find(|line| line.contains(&format!("evidence {} ", row["id"])))
            .unwrap_or_else(|| panic!("evidence {} not named: {verified:?}", row["id"]));
        assert!(line.contains(row["file_name"].as_str().unwrap()), "{line}");
        assert!(line.contains(control), "{line}");
        assert!(line.contains("altered"), "{line}");
    }
    assert!(!verified.stdout.contains("untouched.txt"), "{verified:?}");
}

#[test]
fn verify_names_the_evidence_whose_file_is_missing() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let parent = dir.parent().unwrap();
    let gone = write_file(&parent.join("cloudtrail.json"), b"{\"Records\": []}");
    let kept = write_file(&parent.join("kept.txt"), b"still here");
    assert_eq!(add(&dir, OTHER_CONTROL, &[&gone, &kept], &[]).code, 0);
    let rows = evidence_json(&dir, &[]);
    fs::remove_file(blob_path(&dir, rows[0]["sha256"].as_str().unwrap())).unwrap();

    let verified = lockstep(&dir, &["verify"]);
    assert_eq!(verified.code, 1, "{verified:?}");
    let line = verified
        .stdout
        .lines()
        .find(|line| line.contains(&format!("evidence {} ", rows[0]["id"])))
        .unwrap_or_else(|| panic!("the missing file is not named: {verified:?}"));
    assert!(line.contains("cloudtrail.json"), "{line}");
    assert!(line.contains(OTHER_CONTROL), "{line}");
    assert!(line.contains("missing"), "{line}");
    assert!(!verified.stdout.contains("kept.txt"), "{verified:?}");
}

// Kills, crashes and cancels.

/// Size of the file the kill test ingests.
const KILLED_FILE_MIB: u64 = 384;

/// Writes real data fast: one random MiB repeated with a counter in each, so no two MiB
/// are alike. Returns the file's SHA-256.
fn write_big_file(path: &Path, mib: u64) -> String {
    let mut chunk = pseudo_random(42, MIB);
    let mut file = std::io::BufWriter::with_capacity(4 * MIB, File::create(path).unwrap());
    let mut hasher = Sha256::new();
    for counter in 0..mib {
        chunk[..8].copy_from_slice(&counter.to_le_bytes());
        file.write_all(&chunk).unwrap();
        hasher.update(&chunk);
    }
    file.into_inner().unwrap().sync_all().unwrap();
    format!("{:x}", hasher.finalize())
}

/// After a reopen: either no row and nothing stored, or one complete row whose file is in
/// place; the temporary folder is empty and `verify` passes. Says which it was.
fn assert_nothing_or_complete(dir: &Path, sha256: &str, size_bytes: u64) -> bool {
    let rows = evidence_json(dir, &[]);
    let complete = match rows.as_slice() {
        [] => {
            assert_eq!(listing(&blobs_dir(dir)), Vec::<String>::new());
            false
        }
        [row] => {
            assert_eq!(row["sha256"], sha256, "{row}");
            assert_eq!(row["size_bytes"], size_bytes, "{row}");
            assert_eq!(row["removed"], false, "{row}");
            let blob = blob_path(dir, sha256);
            assert_eq!(fs::metadata(&blob).unwrap().len(), size_bytes);
            assert_eq!(files_under(&blobs_dir(dir)), [blob]);
            true
        }
        _ => panic!("more than one row for one file: {rows:?}"),
    };
    assert_eq!(listing(&tmp_dir(dir)), Vec::<String>::new());
    // `verify` re-hashes the stored file, so a complete row is also an intact one.
    let verified = lockstep(dir, &["verify"]);
    assert_eq!(verified.code, 0, "{verified:?}");
    complete
}

/// When the kill test stops an ingest.
#[derive(Debug, Clone, Copy)]
enum KillPoint {
    /// This long after the process started.
    After(Duration),
    /// Once the copy in the temporary folder holds this many bytes.
    CopyReaches(u64),
    /// Once the hashed copy is renamed `ready`, around the time its row is written.
    ReadyAppears,
}

/// Whether the kill point has come; `started` is when the process was spawned.
fn kill_point_reached(point: KillPoint, dir: &Path, started: Instant) -> bool {
    let waiting = || fs::read_dir(tmp_dir(dir)).into_iter().flatten().flatten();
    match point {
        KillPoint::After(delay) => started.elapsed() >= delay,
        KillPoint::CopyReaches(size_bytes) => waiting().any(|entry| {
            entry.file_name().to_string_lossy().ends_with(".part")
                && entry.metadata().is_ok_and(|m| m.len() >= size_bytes)
        }),
        KillPoint::ReadyAppears => {
            waiting().any(|entry| entry.file_name().to_string_lossy().ends_with(".ready"))
        }
    }
}

#[test]
fn killing_an_ingest_at_any_moment_leaves_nothing_or_a_complete_row() {
    let sources = tempfile::tempdir().unwrap();
    let source = sources.path().join("s3-inventory.bin");
    let sha256 = write_big_file(&source, KILLED_FILE_MIB);
    let size_bytes = KILLED_FILE_MIB * MIB as u64;

    // An uncut run first: it must store the file, and its length places the timed kills.
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let started = Instant::now();
    let added = add(&dir, CONTROL, &[&source], &[]);
    let full = started.elapsed();
    assert_eq!(added.code, 0, "{added:?}");
    assert!(assert_nothing_or_complete(&dir, &sha256, size_bytes));

    let mut points: Vec<KillPoint> = [5, 50, 200]
        .map(|ms| KillPoint::After(Duration::from_millis(ms)))
        .to_vec();
    points.extend([0.5, 0.8, 0.95, 1.05].map(|share| KillPoint::After(full.mul_f64(share))));
    points.extend([
        KillPoint::CopyReaches(1),
        KillPoint::CopyReaches(size_bytes / 2),
        KillPoint::CopyReaches(size_bytes),
        KillPoint::ReadyAppears,
    ]);
    let mut outcomes = Vec::new();
    for point in points {
        let (_tmp, dir) = workspace();
        create_project(&dir);
        let started = Instant::now();
        let mut child = binary()
            .arg("--workspace")
            .arg(&dir)
            .args(add_args(CONTROL, &[&source]))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        while !kill_point_reached(point, &dir, started) && child.try_wait().unwrap().is_none() {
            thread::sleep(Duration::from_micros(200));
        }
        // The run may have finished already; the wait reaps it either way, so the reopen
        // sees its process gone.
        let _ = child.kill();
        child.wait().unwrap();
        let left_in_tmp = listing(&tmp_dir(&dir));
        let complete = assert_nothing_or_complete(&dir, &sha256, size_bytes);
        outcomes.push((point, left_in_tmp, complete));
    }
    println!("uncut ingest took {full:?}; kills (point, left in tmp, row complete):");
    for outcome in &outcomes {
        println!("  {outcome:?}");
    }
    assert!(
        outcomes.iter().any(|(_, left, _)| !left.is_empty()),
        "no kill landed in the middle of an ingest"
    );
}

#[test]
fn a_ready_file_whose_row_was_committed_is_moved_into_place_on_open() {
    let mut lib = library();
    let content = pseudo_random(5, 3 * MIB + 7);
    let source = write_file(&lib.source("kms-key-policy.json"), &content);

    let sha256 = {
        let staged = lib
            .workspace
            .vault
            .stage(&source, &AtomicBool::new(false), &mut |_| {})
            .unwrap();
        let record = NewEvidence {
            file_name: "kms-key-policy.json".to_string(),
            size_bytes: staged.size_bytes,
            media_type: "application/json".to_string(),
            sha256: staged.sha256.clone(),
            description: String::new(),
            collected_on: day("2026-11-01"),
            valid_until: None,
        };
        lib.workspace
            .store
            .add_evidence(lib.project, CONTROL, &record)
            .unwrap();
        // Between the commit and the move, a reader in another process sees the row: it
        // reads the copy about to move rather than calling the file missing.
        let report =
            verify_workspace(&lib.workspace, &AtomicBool::new(false), &mut |_, _| {}).unwrap();
        assert!(report.is_clean(), "{:?}", report.lines());
        let mut read = Vec::new();
        let mut blob = lib.workspace.vault.open_blob(&staged.sha256).unwrap();
        blob.read_to_end(&mut read).unwrap();
        assert!(read == content, "the pending copy reads back as stored");
        // The process stops here: the row is committed and the file never moved.
        staged.sha256.clone()
    };
    let Library {
        _tmp,
        dir,
        workspace,
        project,
    } = lib;
    drop(workspace);
    assert!(!blob_path(&dir, &sha256).exists());
    let waiting = listing(&tmp_dir(&dir));
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert!(waiting[0].starts_with(&sha256) && waiting[0].ends_with(".ready"));

    let reopened = open_workspace(&dir);
    assert_eq!(fs::read(blob_path(&dir, &sha256)).unwrap(), content);
    assert_eq!(listing(&tmp_dir(&dir)), Vec::<String>::new());
    assert_eq!(reopened.store.evidence(project, None).unwrap().len(), 1);
    let report = verify_workspace(&reopened, &AtomicBool::new(false), &mut |_, _| {}).unwrap();
    assert!(report.is_clean(), "{:?}", report.lines());
}

#[test]
fn leftovers_without_a_row_are_removed_on_open() {
    let lib = library();
    let source = write_file(&lib.source("waf-logs.txt"), &pseudo_random(9, 100_000));
    let staged = lib
        .workspace
        .vault
        .stage(&source, &AtomicBool::new(false), &mut |_| {})
        .unwrap();
    let sha256 = staged.sha256.clone();
    // A half-written copy from an earlier process that is gone.
    fs::write(tmp_dir(&lib.dir).join("999999999-0.part"), b"half").unwrap();
    let Library {
        _tmp,
        dir,
        workspace,
        ..
    } = lib;
    drop(workspace);
    assert_eq!(listing(&tmp_dir(&dir)).len(), 2);

    let _reopened = open_workspace(&dir);
    assert!(!blob_path(&dir, &sha256).exists());
    assert_vault_empty(&dir);
}

#[cfg(target_os = "linux")]
#[test]
fn leftovers_of_a_process_still_running_are_left_alone() {
    let (_tmp, dir) = workspace();
    drop(open_workspace(&dir));
    let Ok(mut other) = Command::new("sleep").arg("60").spawn() else {
        println!("no `sleep` to stand in for another process: skipped");
        return;
    };
    let part = tmp_dir(&dir).join(format!("{}-0.part", other.id()));
    fs::write(&part, b"still being written").unwrap();

    drop(open_workspace(&dir));
    let still_there = part.is_file();
    other.kill().unwrap();
    other.wait().unwrap();
    assert!(
        still_there,
        "a running process's temporary file was removed"
    );

    drop(open_workspace(&dir));
    assert!(!part.exists());
}

#[test]
fn cancelling_an_ingest_leaves_nothing_behind() {
    let mut lib = library();
    let source = write_file(&lib.source("big.bin"), &pseudo_random(13, 16 * MIB));

    let cancel = AtomicBool::new(false);
    let staged = lib.workspace.vault.stage(&source, &cancel, &mut |_| {
        cancel.store(true, Ordering::Relaxed)
    });
    assert!(matches!(staged, Err(VaultError::Cancelled)), "{staged:?}");
    assert_vault_empty(&lib.dir);

    let cancel = AtomicBool::new(false);
    let attached = lib.attach_with(CONTROL, &source, &cancel, &mut |done| {
        if done >= 4 * MIB as u64 {
            cancel.store(true, Ordering::Relaxed);
        }
    });
    assert!(
        matches!(attached, Err(WorkspaceError::Vault(VaultError::Cancelled))),
        "{attached:?}"
    );
    assert_eq!(lib.rows(), []);
    assert_vault_empty(&lib.dir);
}

// Files that change while read.

/// Checks that an ingest was refused because the file changed, naming it, and that nothing
/// was kept.
fn assert_refused_as_changed(
    lib: &Library,
    source: &Path,
    outcome: Result<Evidence, WorkspaceError>,
) {
    match outcome {
        Err(WorkspaceError::Vault(error @ VaultError::Changed { .. })) => {
            assert!(
                error.to_string().ends_with(&source.display().to_string()),
                "{error}"
            );
        }
        other => panic!("expected a refusal as changed: {other:?}"),
    }
    assert_eq!(lib.rows(), []);
    assert_vault_empty(&lib.dir);
}

#[test]
fn a_file_cut_short_while_read_is_refused() {
    let mut lib = library();
    let source = write_file(&lib.source("shrinking.log"), &pseudo_random(17, 8 * MIB));
    let mut cut = false;
    let outcome = lib.attach_with(CONTROL, &source, &AtomicBool::new(false), &mut |_| {
        if !cut {
            let file = OpenOptions::new().write(true).open(&source).unwrap();
            file.set_len(2 * MIB as u64 + 1).unwrap();
            cut = true;
        }
    });
    assert_refused_as_changed(&lib, &source, outcome);
}

#[test]
fn a_file_that_grows_while_read_is_refused() {
    let mut lib = library();
    let source = write_file(&lib.source("growing.log"), &pseudo_random(19, 8 * MIB));
    let mut grown = false;
    let outcome = lib.attach_with(CONTROL, &source, &AtomicBool::new(false), &mut |_| {
        if !grown {
            let mut file = OpenOptions::new().append(true).open(&source).unwrap();
            file.write_all(b"one more line\n").unwrap();
            grown = true;
        }
    });
    assert_refused_as_changed(&lib, &source, outcome);
}

#[test]
fn a_file_appended_to_by_another_writer_is_refused_or_stored_as_read() {
    let mut lib = library();
    let source = write_file(&lib.source("live.log"), &pseudo_random(23, 32 * MIB));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (source, stop) = (source.clone(), Arc::clone(&stop));
        thread::spawn(move || {
            let mut file = OpenOptions::new().append(true).open(&source).unwrap();
            let line = [b'x'; 4095];
            while !stop.load(Ordering::Relaxed) {
                file.write_all(&line).unwrap();
                file.write_all(b"\n").unwrap();
                thread::sleep(Duration::from_micros(200));
            }
        })
    };
    thread::sleep(Duration::from_millis(5));
    let outcome = lib.attach(CONTROL, &source);
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();

    match outcome {
        Err(WorkspaceError::Vault(VaultError::Changed { .. })) => {
            assert_eq!(lib.rows(), []);
            assert_vault_empty(&lib.dir);
        }
        Ok(evidence) => {
            // The writer paused at just the wrong moments: then what is stored must be the
            // file exactly as it was read, a prefix of what it became.
            println!("the growing file was read between two appends");
            let stored = fs::read(blob_path(&lib.dir, &evidence.sha256)).unwrap();
            let mut now = Vec::new();
            File::open(&source).unwrap().read_to_end(&mut now).unwrap();
            assert_eq!(stored.len() as u64, evidence.size_bytes);
            assert_eq!(stored, now[..stored.len()]);
            assert_eq!(sha256_hex(&stored), evidence.sha256);
            assert_eq!(listing(&tmp_dir(&lib.dir)), Vec::<String>::new());
        }
        Err(other) => panic!("unexpected refusal: {other:#}"),
    }
}

// Bad input through the command line.

/// Checks that `evidence add` refused, naming `name` and saying `why`, and kept nothing.
fn assert_add_refused(dir: &Path, run: &Run, name: &str, why: &str) {
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains(name), "{name} not named: {run:?}");
    assert!(run.stderr.contains(why), "no '{why}': {run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    assert_eq!(evidence_json(dir, &[]), Vec::<Value>::new());
    assert_vault_empty(dir);
}

#[cfg(unix)]
#[test]
fn bad_files_are_refused_by_name_and_leave_nothing_behind() {
    use std::os::unix::fs::{PermissionsExt, symlink};

    let (_tmp, dir) = workspace();
    create_project(&dir);
    let parent = dir.parent().unwrap();
    let missing = parent.join("no-such-report.pdf");
    let folder = parent.join("screenshots");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("inside.png"), b"png").unwrap();
    let dangling = parent.join("dangling.pdf");
    symlink(parent.join("gone.pdf"), &dangling).unwrap();
    let looping = parent.join("loop-a.pdf");
    symlink(parent.join("loop-b.pdf"), &looping).unwrap();
    symlink(&looping, parent.join("loop-b.pdf")).unwrap();
    let empty = write_file(&parent.join("empty.csv"), b"");

    for (file, why) in [
        (&missing, "no such file"),
        (&folder, "folder"),
        (&dangling, "does not exist"),
        (&looping, "loops"),
        (&empty, "empty"),
    ] {
        let refused = add(&dir, CONTROL, &[file], &[]);
        assert_add_refused(&dir, &refused, &file.display().to_string(), why);
    }

    let fifo = parent.join("pipe");
    match Command::new("mkfifo").arg(&fifo).status() {
        Ok(status) if status.success() => {
            let refused = add(&dir, CONTROL, &[&fifo], &[]);
            assert_add_refused(
                &dir,
                &refused,
                &fifo.display().to_string(),
                "not a regular file",
            );
        }
        _ => println!("mkfifo is not available: skipped the pipe"),
    }

    let locked = write_file(&parent.join("locked.txt"), b"secret");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if File::open(&locked).is_ok() {
        println!("this user reads files whatever their mode (root?): skipped the unreadable file");
    } else {
        let refused = add(&dir, CONTROL, &[&locked], &[]);
        assert_add_refused(&dir, &refused, &locked.display().to_string(), "cannot read");
    }
}

#[test]
fn a_wrong_target_or_bad_dates_are_refused_once_for_all_files() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let source = write_file(&dir.parent().unwrap().join("ok.txt"), b"fine content");
    let other = write_file(&dir.parent().unwrap().join("also-ok.txt"), b"more content");
    let cases: [(&str, &[&str], &str); 4] = [
        ("SRM-CUS-NOPE-01", &[], "SRM-CUS-NOPE-01"),
        (
            CONTROL,
            &["--collected", "2027-02-01", "--valid-until", "2027-01-31"],
            "before collected-on",
        ),
        (CONTROL, &["--collected", "2027-02-30"], "2027-02-30"),
        (CONTROL, &["--valid-until", "2027-13-01"], "2027-13-01"),
    ];
    for (control, extra, expected) in cases {
        let refused = add(&dir, control, &[&source, &other], extra);
        assert_eq!(refused.code, 2, "{refused:?}");
        assert!(refused.stdout.is_empty(), "{refused:?}");
        assert!(refused.stderr.contains(expected), "{refused:?}");
        assert_eq!(refused.stderr.trim_end().lines().count(), 1, "{refused:?}");
        assert_eq!(evidence_json(&dir, &[]), Vec::<Value>::new());
        assert_vault_empty(&dir);
    }

    let mut command = binary();
    command.arg("--workspace").arg(&dir).args([
        "evidence",
        "add",
        "--project",
        "No such project",
        "--control",
        CONTROL,
    ]);
    command.arg(&source);
    let refused = crate::common::run(command);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("No such project"), "{refused:?}");
    assert_eq!(evidence_json(&dir, &[]), Vec::<Value>::new());
    assert_vault_empty(&dir);
}

#[test]
fn good_files_are_added_and_bad_ones_named_when_mixed() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let parent = dir.parent().unwrap();
    let first = write_file(
        &parent.join("iam-policy.json"),
        b"{\"Version\": \"2012-10-17\"}",
    );
    let missing = parent.join("missing.pdf");
    let second = write_file(&parent.join("access-review.xlsx"), &pseudo_random(29, 5000));
    let empty = write_file(&parent.join("blank.txt"), b"");
    let folder = parent.join("exports");
    fs::create_dir(&folder).unwrap();

    let run = add(
        &dir,
        CONTROL,
        &[&first, &missing, &second, &empty, &folder],
        &[],
    );

    assert_eq!(run.code, 2, "{run:?}");
    let expected: Vec<String> = [&first, &second]
        .iter()
        .map(|path| {
            let sha = sha256sum(path).unwrap_or_else(|| sha256_hex(&fs::read(path).unwrap()));
            format!("{sha}  {}", path.file_name().unwrap().to_str().unwrap())
        })
        .collect();
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), expected, "{run:?}");
    for refused in [&missing, &empty, &folder] {
        assert!(
            run.stderr.contains(&refused.display().to_string()),
            "{} not named: {run:?}",
            refused.display()
        );
    }
    assert!(!run.stderr.contains("iam-policy.json"), "{run:?}");
    assert!(!run.stderr.contains("access-review.xlsx"), "{run:?}");

    let rows = evidence_json(&dir, &[]);
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["iam-policy.json", "access-review.xlsx"]);
    assert_eq!(files_under(&blobs_dir(&dir)).len(), 2);
    assert_eq!(listing(&tmp_dir(&dir)), Vec::<String>::new());
}

// Listing.

#[test]
fn evidence_list_json_has_the_documented_keys_and_filters_by_control() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let parent = dir.parent().unwrap();
    let report = write_file(&parent.join("soc2-bridge-letter.pdf"), b"%PDF-1.7 letter");
    let review = write_file(
        &parent.join("access-review.csv"),
        b"user,decision\nana,keep\n",
    );
    let added = add(
        &dir,
        CONTROL,
        &[&report],
        &[
            "--description",
            "Bridge letter for Q4",
            "--collected",
            "2026-10-01",
            "--valid-until",
            "2027-03-31",
        ],
    );
    assert_eq!(added.code, 0, "{added:?}");
    assert_eq!(add(&dir, OTHER_CONTROL, &[&review], &[]).code, 0);
    let review_id = evidence_json(&dir, &[])[1]["id"].clone();
    assert_eq!(remove(&dir, &review_id, "Wrong quarter").code, 0);

    let rows = evidence_json(&dir, &[]);
    assert_eq!(rows.len(), 2);
    for row in &rows {
        for key in [
            "id",
            "control",
            "file_name",
            "sha256",
            "size_bytes",
            "media_type",
            "collected_on",
            "valid_until",
            "added_by",
            "added_at",
            "removed",
        ] {
            assert!(row.get(key).is_some(), "no {key} in {row}");
        }
        assert!(row["id"].is_i64(), "{row}");
        assert!(
            row["added_by"].as_str().is_some_and(|a| !a.is_empty()),
            "{row}"
        );
        assert!(
            row["added_at"].as_str().is_some_and(|a| !a.is_empty()),
            "{row}"
        );
    }
    let letter = &rows[0];
    assert_eq!(letter["control"], CONTROL);
    assert_eq!(letter["file_name"], "soc2-bridge-letter.pdf");
    assert_eq!(letter["sha256"], sha256_hex(b"%PDF-1.7 letter"));
    assert_eq!(letter["size_bytes"], 15);
    assert_eq!(letter["media_type"], "application/pdf");
    assert_eq!(letter["description"], "Bridge letter for Q4");
    assert_eq!(letter["collected_on"], "2026-10-01");
    assert_eq!(letter["valid_until"], "2027-03-31");
    assert_eq!(letter["removed"], false);
    let removed = &rows[1];
    assert_eq!(removed["control"], OTHER_CONTROL);
    assert_eq!(removed["media_type"], "text/csv");
    assert!(removed["valid_until"].is_null(), "{removed}");
    assert_eq!(removed["removed"], true);
    assert_eq!(removed["removed_reason"], "Wrong quarter");

    assert_eq!(
        evidence_json(&dir, &["--control", OTHER_CONTROL]),
        vec![removed.clone()]
    );
    assert_eq!(
        evidence_json(&dir, &["--control", CONTROL]),
        vec![letter.clone()]
    );
    let refused = lockstep(
        &dir,
        &[
            "evidence",
            "list",
            "--project",
            PROJECT,
            "--control",
            "SRM-CUS-NOPE-01",
            "--json",
        ],
    );
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stdout.is_empty(), "{refused:?}");
}

#[test]
fn vault_calls_refuse_hashes_that_are_not_sha256_instead_of_naming_a_path() {
    let lib = library();
    let vault = &lib.workspace.vault;
    let outside = lib.dir.parent().unwrap().join("opened");
    for hash in [
        "",
        "ab",
        "../../x",
        &"z".repeat(64),
        &"AB".repeat(32),
        &"é".repeat(32),
    ] {
        assert!(
            matches!(vault.blob_path(hash), Err(VaultError::NotASha256(_))),
            "{hash:?}"
        );
        assert!(vault.contains(hash).is_err(), "{hash:?}");
        assert_eq!(vault.check(hash), BlobCheck::NotASha256, "{hash:?}");
        assert!(vault.remove(hash).is_err(), "{hash:?}");
        assert!(vault.copy_out(hash, "x.txt", &outside).is_err(), "{hash:?}");
    }
    let good = "ab".repeat(32);
    assert_eq!(
        vault.blob_path(&good).unwrap(),
        blobs_dir(&lib.dir).join("ab").join("ab".repeat(31))
    );
    assert_eq!(vault.check(&good), BlobCheck::Missing);
}

#[test]
fn a_vault_that_is_a_file_is_named_in_one_sentence() {
    let (_tmp, dir) = workspace();
    assert_eq!(lockstep(&dir, &["project", "list"]).code, 0);
    fs::remove_dir_all(dir.join(VAULT_DIR)).unwrap();
    fs::write(dir.join(VAULT_DIR), "not a folder").unwrap();
    for args in [
        &["verify"][..],
        &["project", "list"][..],
        &["vault", "purge"][..],
    ] {
        let run = lockstep(&dir, args);
        assert_eq!(run.code, 2, "{run:?}");
        assert_eq!(
            run.stderr,
            format!(
                "lockstep: the workspace's evidence vault is a file, not a folder; move it away or choose another workspace: {}\n",
                dir.join(VAULT_DIR).display()
            )
        );
    }
}

#[test]
fn a_saved_record_whose_file_could_not_be_moved_says_so_and_the_next_open_moves_it() {
    let mut lib = library();
    let content = pseudo_random(11, 40_000);
    let source = write_file(&lib.source("guardduty-findings.json"), &content);
    // A folder where the lock file belongs: the lock cannot be taken, so the move cannot
    // happen safely.
    let lock = lib.dir.join(VAULT_DIR).join(".lock");
    fs::create_dir(&lock).unwrap();
    let attached = lib.attach(CONTROL, &source);
    match &attached {
        Err(error @ WorkspaceError::SavedFileNotInPlace(_)) => {
            let text = error.to_string();
            assert!(text.contains("the record is saved"), "{text}");
            assert!(text.contains("next time the workspace is opened"), "{text}");
        }
        other => panic!("expected a saved record whose file is not in place: {other:?}"),
    }
    let rows = lib.rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(files_under(&blobs_dir(&lib.dir)), Vec::<PathBuf>::new());
    assert_eq!(listing(&tmp_dir(&lib.dir)).len(), 1);

    fs::remove_dir(&lock).unwrap();
    drop(lib.workspace);
    let reopened = open_workspace(&lib.dir);
    assert_eq!(
        reopened.vault.check(&rows[0].sha256),
        BlobCheck::Intact,
        "the file was not moved into place on open"
    );
    assert_eq!(listing(&tmp_dir(&lib.dir)), Vec::<String>::new());
}

#[test]
fn verify_waits_for_a_file_being_moved_into_place_instead_of_calling_it_missing() {
    let mut lib = library();
    let source = write_file(&lib.source("config-snapshot.json"), b"{\"rules\": 12}");
    let evidence = lib.attach(CONTROL, &source).unwrap();
    let blob = blob_path(&lib.dir, &evidence.sha256);
    // Outside the vault, so the open that `verify` starts with does not touch it.
    let aside = lib.source("being-moved");

    // The moment between a row's commit and its file's move: the committing process holds
    // the vault's lock and the file is not in place yet.
    let lock = lib.workspace.vault.lock().unwrap();
    fs::rename(&blob, &aside).unwrap();
    let verifying = binary()
        .arg("--workspace")
        .arg(&lib.dir)
        .arg("verify")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Linux lists the waiters of each lock in /proc/locks, so the file is put back once
    // verify waits for the lock; elsewhere verify is given a moment to get there.
    if Path::new("/proc/locks").exists() {
        use std::os::unix::fs::MetadataExt;
        let lock_file = lib.dir.join(VAULT_DIR).join(".lock");
        let inode = fs::metadata(&lock_file).unwrap().ino();
        wait_until("verify to wait for the vault's lock", || {
            waits_for_lock(verifying.id(), inode)
        });
    } else {
        thread::sleep(Duration::from_millis(600));
    }
    fs::rename(&aside, &blob).unwrap();
    drop(lock);

    let output = verifying.wait_with_output().unwrap();
    let run = Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("all intact"), "{run:?}");
}

/// Whether process `pid` waits for a lock on the file with this inode: /proc/locks lists a
/// blocked waiter under the lock it waits for, as `N: -> FLOCK ADVISORY WRITE PID MAJ:MIN:INODE`.
fn waits_for_lock(pid: u32, inode: u64) -> bool {
    let Ok(locks) = fs::read_to_string("/proc/locks") else {
        return false;
    };
    let (pid, inode) = (pid.to_string(), inode.to_string());
    locks.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.get(1) == Some(&"->")
            && fields.get(5) == Some(&pid.as_str())
            && fields.get(6).and_then(|file| file.rsplit(':').next()) == Some(inode.as_str())
    })
}

// The kernel's copy and the portable path.

#[test]
fn the_kernel_copy_and_the_portable_path_store_the_same_bytes_under_the_same_hash() {
    use lockstep::vault::CopyMethod;
    // Several kernel copy steps and hash chunks, with an odd tail.
    let content = pseudo_random(29, 20 * MIB + 4_099);
    let mut stored = Vec::new();
    for method in [CopyMethod::Fastest, CopyMethod::Portable] {
        let mut lib = library();
        lib.workspace.vault.set_copy_method(method);
        let source = write_file(&lib.source("report.bin"), &content);
        let mut reported = 0;
        let evidence = lib
            .attach_with(CONTROL, &source, &AtomicBool::new(false), &mut |done| {
                assert!(done >= reported, "{method:?}: progress went back");
                reported = done;
            })
            .unwrap();
        assert_eq!(reported, content.len() as u64, "{method:?}");
        assert_eq!(evidence.sha256, sha256_hex(&content), "{method:?}");
        assert_eq!(evidence.size_bytes, content.len() as u64, "{method:?}");
        let bytes = fs::read(blob_path(&lib.dir, &evidence.sha256)).unwrap();
        assert!(bytes == content, "{method:?}: the stored bytes differ");
        assert_eq!(listing(&tmp_dir(&lib.dir)), Vec::<String>::new());
        stored.push(evidence.sha256);
    }
    assert_eq!(stored[0], stored[1]);
}

#[test]
fn the_portable_path_refuses_a_changed_file_and_cancels_too() {
    use lockstep::vault::CopyMethod;
    let mut lib = library();
    lib.workspace.vault.set_copy_method(CopyMethod::Portable);
    let source = write_file(&lib.source("growing.log"), &pseudo_random(31, 8 * MIB));
    let mut grown = false;
    let outcome = lib.attach_with(CONTROL, &source, &AtomicBool::new(false), &mut |_| {
        if !grown {
            let mut file = OpenOptions::new().append(true).open(&source).unwrap();
            file.write_all(b"one more line\n").unwrap();
            grown = true;
        }
    });
    assert_refused_as_changed(&lib, &source, outcome);

    let source = write_file(&lib.source("big.bin"), &pseudo_random(37, 16 * MIB));
    let cancel = AtomicBool::new(false);
    let attached = lib.attach_with(CONTROL, &source, &cancel, &mut |done| {
        if done >= 4 * MIB as u64 {
            cancel.store(true, Ordering::Relaxed);
        }
    });
    assert!(
        matches!(attached, Err(WorkspaceError::Vault(VaultError::Cancelled))),
        "{attached:?}"
    );
    assert_vault_empty(&lib.dir);
}

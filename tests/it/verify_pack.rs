//! `lockstep verify-pack` on packs built by hand: intact, altered, incomplete, padded, and
//! files that are not packs at all, including zips built to escape the folder they are
//! unpacked into.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lockstep::pack::{VerifyOutcome, verify_pack};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// One entry to write: its name and its bytes.
type Entry = (String, Vec<u8>);

/// The content entries of a small pack, in pack order.
fn content() -> Vec<Entry> {
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend((0..50_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let text = |s: &str| s.as_bytes().to_vec();
    vec![
        (
            "index.html".into(),
            text("<!doctype html><title>Evidence pack</title><h1>Demo</h1>\n"),
        ),
        (
            "controls.csv".into(),
            text("id,title,status\nSRM-IAM-01,Access reviews,done\n"),
        ),
        (
            "evidence.csv".into(),
            text("id,control,path\n3,SRM-IAM-01,evidence/Customer/...\n"),
        ),
        (
            "training.csv".into(),
            text("person,course,state\nAda,Security basics,current\n"),
        ),
        (
            "patches.csv".into(),
            text("asset,release,state\nweb-1,2025-01,applied\n"),
        ),
        (
            "signoffs.csv".into(),
            text("what,by,at\nSRM-IAM-01,Ada,2025-02-01\n"),
        ),
        (
            "activity.csv".into(),
            text("at,who,what\n2025-02-01T10:00:00Z,Ada,signed off\n"),
        ),
        ("evidence-pack.xlsx".into(), pdf[..4_000].to_vec()),
        (
            "evidence/Customer/SRM-IAM-01 Access reviews/review.pdf".into(),
            pdf,
        ),
        (
            "evidence/AWS/SRM-LOG-02 Log retention/retention (2).txt".into(),
            text("kept 400 days\n").repeat(500),
        ),
    ]
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `content` followed by the `manifest.json` and `SHA256SUMS` that describe it.
fn with_lists(content: Vec<Entry>) -> Vec<Entry> {
    let files: Vec<serde_json::Value> = content
        .iter()
        .map(|(path, data)| {
            let mut file =
                serde_json::json!({ "path": path, "size_bytes": data.len(), "sha256": hex(data) });
            if path.starts_with("evidence/") {
                file["evidence_id"] = 3.into();
                file["control"] = "SRM-IAM-01".into();
            }
            file
        })
        .collect();
    let manifest = serde_json::json!({
        "format": "lockstep-evidence-pack",
        "format_version": 1,
        "project": "Demo",
        "as_of": "2025-03-31",
        "period": { "from": "2025-01-01", "to": "2025-03-31" },
        "generated_by": "Ada",
        "generator": "Lockstep 0.1.0",
        "files": files,
    });
    let mut entries = content;
    entries.push((
        "manifest.json".into(),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    ));
    let sums: String = entries
        .iter()
        .map(|(path, data)| format!("{}  {path}\n", hex(data)))
        .collect();
    entries.push(("SHA256SUMS".into(), sums.into_bytes()));
    entries
}

/// A valid pack's entries.
fn valid() -> Vec<Entry> {
    with_lists(content())
}

/// Writes `entries` as a zip: CSV and HTML deflated, everything else stored.
fn write_zip(path: &Path, entries: &[Entry]) {
    let mut zip = ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, data) in entries {
        let method = if name.ends_with(".csv") || name.ends_with(".html") {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        zip.start_file(
            name.as_str(),
            SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

/// Runs `lockstep verify-pack FILE` with `dir` as the working directory, and no workspace
/// anywhere near.
fn verify_pack_cli(dir: &Path, file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .current_dir(dir)
        .env("LOCKSTEP_WORKSPACE", dir.join("no-workspace-here"))
        .arg("verify-pack")
        .arg(file)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Writes `entries` to `pack.zip` in a fresh temp dir and checks it.
fn check(entries: &[Entry]) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.zip");
    write_zip(&pack, entries);
    let output = verify_pack_cli(dir.path(), &pack);
    (dir, output)
}

#[test]
fn an_intact_pack_exits_0_and_says_so() {
    let (dir, output) = check(&valid());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert!(
        stdout(&output).contains("intact: 10 files"),
        "{}",
        stdout(&output)
    );
    assert!(
        !dir.path().join("no-workspace-here").exists(),
        "verify-pack opened a workspace"
    );
}

#[test]
fn one_flipped_byte_exits_1_naming_the_altered_entry() {
    let mut entries = valid();
    let path = "evidence/Customer/SRM-IAM-01 Access reviews/review.pdf";
    let entry = entries.iter_mut().find(|(name, _)| name == path).unwrap();
    entry.1[1234] ^= 0x01;
    let (_dir, output) = check(&entries);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains(&format!(
            "altered (SHA-256 differs from manifest.json and SHA256SUMS): {path}"
        )),
        "{out}"
    );
    assert!(out.contains("NOT intact: 1 problem"), "{out}");
}

#[test]
fn a_flipped_byte_in_a_deflated_entry_is_caught_too() {
    let mut entries = valid();
    entries[1].1[5] ^= 0x20;
    let (_dir, output) = check(&entries);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output)
            .contains("altered (SHA-256 differs from manifest.json and SHA256SUMS): controls.csv")
    );
}

#[test]
fn an_extra_entry_exits_1_naming_it() {
    let mut entries = valid();
    let sums = entries.pop().unwrap();
    entries.push((
        "evidence/Customer/SRM-IAM-01 Access reviews/planted.pdf".into(),
        b"not ours".to_vec(),
    ));
    entries.push(sums);
    let (_dir, output) = check(&entries);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains("extra (listed in neither manifest.json nor SHA256SUMS): evidence/Customer/SRM-IAM-01 Access reviews/planted.pdf"),
        "{out}"
    );
}

#[test]
fn a_missing_entry_exits_1_naming_it() {
    let mut entries = valid();
    entries.retain(|(name, _)| name != "training.csv");
    let (_dir, output) = check(&entries);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("missing (listed, not in the pack): training.csv"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn an_entry_of_another_size_exits_1_naming_it() {
    let mut entries = valid();
    entries[0].1.push(b'\n');
    let (_dir, output) = check(&entries);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("manifest.json says"),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).contains(": index.html"));
}

#[test]
fn a_manifest_edited_after_sha256sums_was_written_exits_1() {
    let mut entries = valid();
    let manifest = entries
        .iter_mut()
        .find(|(name, _)| name == "manifest.json")
        .unwrap();
    let text = String::from_utf8(manifest.1.clone())
        .unwrap()
        .replace("\"Ada\"", "\"Eve\"");
    manifest.1 = text.into_bytes();
    let (_dir, output) = check(&entries);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("altered (SHA-256 differs from SHA256SUMS): manifest.json"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_name_used_by_two_entries_exits_1_naming_it() {
    // The zip writer refuses duplicate names, so a name of the same length is patched in
    // both headers after the fact.
    let mut entries = valid();
    let sums = entries.pop().unwrap();
    entries.push(("index.htmX".into(), b"<h1>Other</h1>".to_vec()));
    entries.push(sums);
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.zip");
    write_zip(&pack, &entries);
    let mut bytes = std::fs::read(&pack).unwrap();
    let mut patched = 0;
    for at in 0..bytes.len() - 10 {
        if &bytes[at..at + 10] == b"index.htmX" {
            bytes[at + 9] = b'l';
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "local and central header");
    std::fs::write(&pack, bytes).unwrap();
    let output = verify_pack_cli(dir.path(), &pack);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("duplicate (2 entries have this name): index.html"),
        "{}",
        stdout(&output)
    );
}

/// Checks that a pack holding `hostile` is refused with exit 2, naming it, and that the run
/// writes nothing: not in the pack's folder, not above it.
fn refuses_hostile_entry(hostile: &str) {
    let root = tempfile::tempdir().unwrap();
    let work = root.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let mut entries = valid();
    entries.insert(
        8,
        (hostile.to_string(), b"root::0:0:owned:/:/bin/sh\n".to_vec()),
    );
    let pack = work.join("pack.zip");
    write_zip(&pack, &entries);
    let before = snapshot(root.path());
    let output = verify_pack_cli(&work, &pack);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    let err = stderr(&output);
    assert!(err.contains("not a Lockstep evidence pack"), "{err}");
    assert!(err.contains(hostile), "{err}");
    assert_eq!(snapshot(root.path()), before, "something was written");
    assert!(!root.path().join("evil").exists());
}

#[test]
fn a_parent_dir_entry_exits_2_and_writes_nothing() {
    refuses_hostile_entry("../evil");
}

#[test]
fn an_absolute_entry_exits_2_and_writes_nothing() {
    refuses_hostile_entry("/etc/passwd");
}

#[test]
fn a_nested_parent_dir_entry_exits_2() {
    refuses_hostile_entry("evidence/Customer/../../../evil");
}

#[test]
fn backslash_and_drive_prefixed_entries_exit_2() {
    refuses_hostile_entry("evidence\\..\\..\\evil");
    refuses_hostile_entry("C:/Windows/evil.dll");
}

#[test]
fn a_symlink_entry_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.zip");
    let mut zip = ZipWriter::new(std::fs::File::create(&pack).unwrap());
    for (name, data) in valid() {
        if name == "manifest.json" {
            zip.add_symlink("evidence/link", "/etc", SimpleFileOptions::default())
                .unwrap();
        }
        zip.start_file(name, SimpleFileOptions::default()).unwrap();
        zip.write_all(&data).unwrap();
    }
    zip.finish().unwrap();
    let output = verify_pack_cli(dir.path(), &pack);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("symbolic link"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_pack_cut_in_half_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.zip");
    write_zip(&pack, &valid());
    let bytes = std::fs::read(&pack).unwrap();
    std::fs::write(&pack, &bytes[..bytes.len() / 2]).unwrap();
    let output = verify_pack_cli(dir.path(), &pack);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not a zip archive, or it is cut short"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_text_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.zip");
    std::fs::write(&file, "just some notes\n".repeat(100)).unwrap();
    let output = verify_pack_cli(dir.path(), &file);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).is_empty());
}

#[test]
fn a_file_that_does_not_exist_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = verify_pack_cli(dir.path(), &dir.path().join("nowhere.zip"));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot be read"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_zip_without_manifest_exits_2() {
    let mut entries = valid();
    entries.retain(|(name, _)| name != "manifest.json");
    let (_dir, output) = check(&entries);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("it has no manifest.json"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_zip_without_sha256sums_exits_2() {
    let mut entries = valid();
    entries.retain(|(name, _)| name != "SHA256SUMS");
    let (_dir, output) = check(&entries);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("it has no SHA256SUMS"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_manifest_of_another_format_exits_2() {
    let mut content = content();
    content.push((
        "manifest.json".into(),
        br#"{"format": "something-else", "format_version": 1, "files": []}"#.to_vec(),
    ));
    content.push(("SHA256SUMS".into(), Vec::new()));
    let (_dir, output) = check(&content);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("does not describe a Lockstep evidence pack"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unreadable_manifest_exits_2() {
    let mut content = content();
    content.push(("manifest.json".into(), b"{ not json".to_vec()));
    content.push(("SHA256SUMS".into(), Vec::new()));
    let (_dir, output) = check(&content);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("its manifest.json cannot be read"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn progress_ends_at_the_total_and_the_outcome_counts_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.zip");
    write_zip(&pack, &valid());
    let mut last = (0, 0);
    let outcome = verify_pack(&pack, &mut |done, total| last = (done, total));
    let bytes: u64 = content().iter().map(|(_, data)| data.len() as u64).sum();
    assert_eq!(outcome, VerifyOutcome::Intact { files: 10, bytes });
    assert_eq!(last, (bytes, bytes));
}

/// Whether `program` runs on this machine.
fn have(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn an_extracted_pack_passes_sha256sum_c() {
    if !have("sha256sum", "--version") {
        println!("skipped: sha256sum is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.zip");
    write_zip(&pack, &valid());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let extracted = if have("unzip", "-v") {
        Command::new("unzip")
            .arg("-q")
            .arg(&pack)
            .arg("-d")
            .arg(&out)
            .status()
            .unwrap()
    } else if have("python3", "--version") {
        Command::new("python3")
            .args(["-m", "zipfile", "-e"])
            .arg(&pack)
            .arg(&out)
            .status()
            .unwrap()
    } else {
        println!("skipped: neither unzip nor python3 is installed");
        return;
    };
    assert!(extracted.success());
    let output = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(stdout(&output).lines().count(), 11, "{}", stdout(&output));
}

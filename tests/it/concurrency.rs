//! Several processes on one workspace at once, and processes killed in the middle of an
//! edit: the real binary on temp workspaces, as people's scripts and a window would use it.
//!
//! What the tests assert is fixed; only the timing varies from run to run. Every write must
//! land exactly once with its log row, no `verify` may report tampering that did not happen,
//! and a workspace must open and check clean after any kill. A failure here is a real bug,
//! so each assertion prints the runs that went wrong.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{Run, binary, lockstep, open_workspace, raw, workspace};

const PROJECT: &str = "Payments platform";

/// Controls in scope whatever services the kill test switches between.
const CONTROLS: [&str; 4] = [
    "SRM-CUS-IAM-01",
    "SRM-CUS-IAM-02",
    "SRM-CUS-DATA-01",
    "SRM-CUS-LOG-01",
];

/// Creates the project every test starts from, on ec2, rds and s3.
fn create_project(dir: &Path) {
    let created = lockstep(
        dir,
        &["project", "create", PROJECT, "--services", "ec2,rds,s3"],
    );
    assert_eq!(created.code, 0, "{created:?}");
}

/// Starts `lockstep --workspace DIR ARGS...` without waiting for it.
fn start(dir: &Path, args: &[&str]) -> Child {
    binary()
        .arg("--workspace")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a started run and collects what it printed.
fn finish(child: Child) -> Run {
    let output = child.wait_with_output().unwrap();
    Run {
        code: output
            .status
            .code()
            .unwrap_or_else(|| panic!("the binary was killed by a signal: {output:?}")),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Starts every run first and only then waits for them, so they overlap.
fn all_at_once(dir: &Path, runs: &[Vec<String>]) -> Vec<Run> {
    let children: Vec<Child> = runs
        .iter()
        .map(|args| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            start(dir, &args)
        })
        .collect();
    children.into_iter().map(finish).collect()
}

/// The runs that did not exit 0, with their output, for an assertion message.
fn failures(runs: &[Run]) -> Vec<&Run> {
    runs.iter().filter(|run| run.code != 0).collect()
}

/// Whether a `verify` run found everything intact.
fn verify_is_clean(run: &Run) -> bool {
    run.code == 0
        && run.stdout.contains("chain intact")
        && !run.stdout.contains("missing")
        && !run.stdout.contains("altered")
        && run.stderr.is_empty()
}

/// Runs `verify` and checks that it found everything intact.
fn assert_verify_clean(dir: &Path) -> Run {
    let verified = lockstep(dir, &["verify"]);
    assert!(verify_is_clean(&verified), "{verified:?}");
    verified
}

/// The project's activity log.
fn log(dir: &Path) -> Vec<Value> {
    let listed = lockstep(dir, &["log", "--project", PROJECT, "--json"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    listed.json().as_array().unwrap().clone()
}

/// The log's rows with this action.
fn rows<'a>(log: &'a [Value], action: &str) -> Vec<&'a Value> {
    log.iter().filter(|row| row["action"] == action).collect()
}

/// The project's evidence records, removed ones included.
fn evidence(dir: &Path) -> Vec<Value> {
    let listed = lockstep(dir, &["evidence", "list", "--project", PROJECT, "--json"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    listed.json().as_array().unwrap().clone()
}

/// One control as `control list --json` shows it.
fn control(dir: &Path, id: &str) -> Value {
    let listed = lockstep(dir, &["control", "list", "--project", PROJECT, "--json"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no control {id}"))
        .clone()
}

/// Writes a small file whose content no other test file has, and returns its SHA-256.
fn write_unique(path: &Path) -> String {
    let content = format!("evidence kept in {}\n", path.display());
    fs::write(path, &content).unwrap();
    format!("{:x}", Sha256::digest(content.as_bytes()))
}

/// Writes `count` unique files named `PREFIX-N.txt` in `folder`: their paths and hashes.
fn unique_files(folder: &Path, prefix: &str, count: usize) -> Vec<(PathBuf, String)> {
    fs::create_dir_all(folder).unwrap();
    (0..count)
        .map(|n| {
            let path = folder.join(format!("{prefix}-{n}.txt"));
            let sha256 = write_unique(&path);
            (path, sha256)
        })
        .collect()
}

/// `evidence add` arguments that attach these files to a control.
fn add_args(control: &str, files: &[&Path]) -> Vec<String> {
    let mut args: Vec<String> = [
        "evidence",
        "add",
        "--project",
        PROJECT,
        "--control",
        control,
    ]
    .map(String::from)
    .to_vec();
    args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
    args
}

/// Runs with string arguments.
fn lockstep_owned(dir: &Path, args: &[String]) -> Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    lockstep(dir, &args)
}

/// Checks that the evidence list holds exactly these files, each once and current, and that
/// `verify` re-hashed every one of them.
fn assert_recorded_once(dir: &Path, expected: &[(PathBuf, String)]) {
    let records = evidence(dir);
    let found: BTreeMap<String, String> = records
        .iter()
        .map(|r| {
            assert_eq!(r["removed"], false, "{r}");
            (
                r["file_name"].as_str().unwrap().to_string(),
                r["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let wanted: BTreeMap<String, String> = expected
        .iter()
        .map(|(path, sha256)| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, sha256.clone())
        })
        .collect();
    assert_eq!(records.len(), expected.len(), "{records:#?}");
    assert_eq!(found, wanted);
    assert_eq!(rows(&log(dir), "evidence.add").len(), expected.len());
    let verified = assert_verify_clean(dir);
    let checked = format!("evidence files: {} checked", expected.len());
    assert!(verified.stdout.contains(&checked), "{verified:?}");
}

/// Checks that the notes changes logged for a control follow one another, each starting
/// from what the one before left, and end at the control's notes now.
fn assert_notes_history_consistent(dir: &Path, log: &[Value], id: &str) {
    let changes: Vec<&Value> = rows(log, "control.update")
        .into_iter()
        .filter(|row| row["subject"] == id)
        .flat_map(|row| row["detail"]["changes"].as_array().unwrap())
        .filter(|change| change["field"] == "notes")
        .collect();
    let mut notes = "";
    let mut stale = Vec::new();
    for (n, change) in changes.iter().enumerate() {
        if change["from"] != notes {
            stale.push(format!(
                "change {n} logs notes {} -> {}, but the change before left {notes:?}",
                change["from"], change["to"]
            ));
        }
        notes = change["to"].as_str().unwrap();
    }
    assert!(
        stale.is_empty(),
        "{id}: {} of {} logged notes changes start from a stale value; the first: {:#?}",
        stale.len(),
        changes.len(),
        &stale[..stale.len().min(3)]
    );
    assert_eq!(
        control(dir, id)["notes"],
        notes,
        "{id}'s notes and its log disagree"
    );
}

// Writers and a verifier.

#[test]
fn verify_reports_nothing_while_two_processes_write() {
    const VERIFIES: usize = 200;
    let (tmp, dir) = workspace();
    create_project(&dir);
    let stop = Arc::new(AtomicBool::new(false));

    let editor = {
        let (dir, stop) = (dir.clone(), Arc::clone(&stop));
        thread::spawn(move || {
            let mut runs = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let n = runs.len();
                let notes = format!("edit {n}");
                let id = CONTROLS[n % CONTROLS.len()];
                runs.push(lockstep(
                    &dir,
                    &[
                        "control",
                        "set",
                        "--project",
                        PROJECT,
                        id,
                        "--notes",
                        &notes,
                    ],
                ));
            }
            runs
        })
    };
    let adder = {
        let (dir, stop) = (dir.clone(), Arc::clone(&stop));
        let folder = tmp.path().join("files");
        fs::create_dir_all(&folder).unwrap();
        thread::spawn(move || {
            let mut runs = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let file = folder.join(format!("scan-{}.txt", runs.len()));
                write_unique(&file);
                runs.push(lockstep_owned(&dir, &add_args(CONTROLS[0], &[&file])));
            }
            runs
        })
    };

    let mut false_reports = Vec::new();
    for _ in 0..VERIFIES {
        let verified = lockstep(&dir, &["verify"]);
        if !verify_is_clean(&verified) {
            false_reports.push(verified);
        }
    }
    stop.store(true, Ordering::SeqCst);
    let edits = editor.join().unwrap();
    let adds = adder.join().unwrap();

    assert!(
        false_reports.is_empty(),
        "{} of {VERIFIES} verify runs reported a problem while others wrote; the first: {:#?}",
        false_reports.len(),
        false_reports.first()
    );
    let (failed_edits, failed_adds) = (failures(&edits), failures(&adds));
    assert!(
        failed_edits.is_empty() && failed_adds.is_empty(),
        "{} of {} control edits and {} of {} evidence adds failed; first of each: {:#?} {:#?}",
        failed_edits.len(),
        edits.len(),
        failed_adds.len(),
        adds.len(),
        failed_edits.first(),
        failed_adds.first()
    );
    println!(
        "{VERIFIES} verify runs beside {} control edits and {} evidence adds",
        edits.len(),
        adds.len()
    );
    assert!(!edits.is_empty() && !adds.is_empty());
    let log = log(&dir);
    assert_eq!(rows(&log, "control.update").len(), edits.len());
    assert_eq!(rows(&log, "evidence.add").len(), adds.len());
    assert_eq!(evidence(&dir).len(), adds.len());
    assert_verify_clean(&dir);
}

#[test]
fn two_processes_adding_twenty_files_each_at_once_record_all_forty() {
    // A few rounds, each on a fresh workspace, so the two batches overlap in different ways.
    for round in 0..3 {
        let (tmp, dir) = workspace();
        create_project(&dir);
        let first = unique_files(&tmp.path().join("first"), "first", 20);
        let second = unique_files(&tmp.path().join("second"), "second", 20);
        let batch = |files: &[(PathBuf, String)], control: &str| {
            let paths: Vec<&Path> = files.iter().map(|(p, _)| p.as_path()).collect();
            add_args(control, &paths)
        };
        let runs = all_at_once(
            &dir,
            &[batch(&first, CONTROLS[0]), batch(&second, CONTROLS[1])],
        );
        assert!(failures(&runs).is_empty(), "round {round}: {runs:#?}");
        let all: Vec<(PathBuf, String)> = first.into_iter().chain(second).collect();
        assert_recorded_once(&dir, &all);
    }
}

#[test]
fn two_scripts_adding_one_file_at_a_time_record_all_forty() {
    let (tmp, dir) = workspace();
    create_project(&dir);
    let writers: Vec<_> = ["first", "second"]
        .into_iter()
        .zip(CONTROLS)
        .map(|(name, control)| {
            let files = unique_files(&tmp.path().join(name), name, 20);
            let dir = dir.clone();
            thread::spawn(move || {
                let runs: Vec<Run> = files
                    .iter()
                    .map(|(path, _)| lockstep_owned(&dir, &add_args(control, &[path])))
                    .collect();
                (files, runs)
            })
        })
        .collect();
    let mut all = Vec::new();
    for writer in writers {
        let (files, runs) = writer.join().unwrap();
        let failed = failures(&runs);
        assert!(
            failed.is_empty(),
            "{} of 20 adds failed: {failed:#?}",
            failed.len()
        );
        all.extend(files);
    }
    assert_recorded_once(&dir, &all);
}

// Many processes opening one workspace.

/// Runs `project list` in a hundred processes at once and checks that every one succeeded,
/// and that no opener left a file of its own behind.
fn open_a_hundred_times(dir: &Path, what: &str) {
    let runs = all_at_once(dir, &vec![vec!["project".into(), "list".into()]; 100]);
    let failed = failures(&runs);
    assert!(
        failed.is_empty(),
        "{what}: {} of 100 opens failed; the first: {:#?}",
        failed.len(),
        failed.first()
    );
    let left: Vec<String> = crate::common::listing(dir)
        .into_iter()
        .filter(|name| name.starts_with(".lockstep"))
        .collect();
    assert!(left.is_empty(), "{what}: left in the workspace: {left:?}");
}

#[test]
fn a_hundred_processes_creating_one_workspace_at_once_all_succeed() {
    // Creating is the racy part (who makes the file, who migrates it), and a lost race
    // shows in about one fresh folder in ten, so ten are tried.
    for round in 0..10 {
        let (_tmp, dir) = workspace();
        open_a_hundred_times(&dir, &format!("fresh folder, round {round}"));
        let listed = lockstep(&dir, &["project", "list", "--json"]);
        assert_eq!(listed.code, 0, "{listed:?}");
        assert_eq!(listed.json(), serde_json::json!([]));
        assert_verify_clean(&dir);
    }
}

#[test]
fn a_hundred_processes_opening_an_existing_workspace_at_once_all_succeed() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    open_a_hundred_times(&dir, "existing workspace");
    let listed = lockstep(&dir, &["project", "list", "--json"]);
    assert_eq!(listed.json()[0]["name"], PROJECT, "{listed:?}");
    assert_verify_clean(&dir);
}

// Writers on the same rows.

#[test]
fn four_processes_editing_one_control_at_once_all_succeed_and_log_every_edit() {
    const EDITS: usize = 25;
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let id = CONTROLS[0];
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let dir = dir.clone();
            thread::spawn(move || {
                (0..EDITS)
                    .map(|n| {
                        let notes = format!("writer {writer} edit {n}");
                        lockstep(
                            &dir,
                            &[
                                "control",
                                "set",
                                "--project",
                                PROJECT,
                                id,
                                "--notes",
                                &notes,
                            ],
                        )
                    })
                    .collect::<Vec<Run>>()
            })
        })
        .collect();
    let runs: Vec<Run> = writers
        .into_iter()
        .flat_map(|writer| writer.join().unwrap())
        .collect();
    let failed = failures(&runs);
    assert!(
        failed.is_empty(),
        "{} of {} edits failed; the first: {:#?}",
        failed.len(),
        runs.len(),
        failed.first()
    );
    let log = log(&dir);
    assert_eq!(rows(&log, "control.update").len(), 4 * EDITS);
    assert_notes_history_consistent(&dir, &log, id);
    assert_verify_clean(&dir);
}

#[test]
fn two_removals_of_one_evidence_record_at_once_remove_it_once() {
    const RECORDS: usize = 20;
    let (tmp, dir) = workspace();
    create_project(&dir);
    let files = unique_files(&tmp.path().join("files"), "report", RECORDS);
    let paths: Vec<&Path> = files.iter().map(|(p, _)| p.as_path()).collect();
    let added = lockstep_owned(&dir, &add_args(CONTROLS[0], &paths));
    assert_eq!(added.code, 0, "{added:?}");
    let ids: Vec<i64> = evidence(&dir)
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), RECORDS);

    // Each record is removed by two processes at once, each giving its own reason.
    let mut winners = BTreeMap::new();
    for &id in &ids {
        let remove = |who: &str| {
            let reason = format!("duplicate, says {who}");
            let args = [
                "evidence",
                "remove",
                "--project",
                PROJECT,
                "--reason",
                &reason,
            ];
            let mut args: Vec<String> = args.map(String::from).to_vec();
            args.push(id.to_string());
            (args, reason)
        };
        let (ann, bob) = (remove("Ann"), remove("Bob"));
        let runs = all_at_once(&dir, &[ann.0, bob.0]);
        let winner = match (runs[0].code, runs[1].code) {
            (0, _) => (&ann.1, &runs[1]),
            (_, 0) => (&bob.1, &runs[0]),
            _ => panic!("evidence {id}: neither removal succeeded: {runs:#?}"),
        };
        let (reason, loser) = winner;
        assert_eq!(
            loser.code, 2,
            "evidence {id}: both removals succeeded: {runs:#?}"
        );
        assert!(
            loser.stderr.contains("already removed"),
            "evidence {id}: the second removal was not refused as already removed: {loser:?}"
        );
        winners.insert(id, reason.clone());
    }

    // One tombstone per record, with the winner's reason, and one log row naming it.
    let records = evidence(&dir);
    assert_eq!(records.len(), RECORDS);
    for record in &records {
        let id = record["id"].as_i64().unwrap();
        assert_eq!(record["removed"], true, "{record}");
        assert_eq!(record["removed_reason"], winners[&id], "{record}");
    }
    let log = log(&dir);
    let removals = rows(&log, "evidence.remove");
    let removed_ids: BTreeSet<i64> = removals
        .iter()
        .map(|row| row["detail"]["evidence_id"].as_i64().unwrap())
        .collect();
    assert_eq!(removals.len(), RECORDS, "{removals:#?}");
    assert_eq!(removed_ids, ids.iter().copied().collect());
    for row in removals {
        let id = row["detail"]["evidence_id"].as_i64().unwrap();
        assert_eq!(row["detail"]["reason"], winners[&id], "{row}");
    }
    assert_verify_clean(&dir);
}

// Kills.

/// A small fixed-seed generator for kill times: the schedule is the same on every run.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A share of `span`, evenly spread over it.
    fn within(&mut self, span: Duration) -> Duration {
        span.mul_f64((self.next() % 10_000) as f64 / 10_000.0)
    }
}

/// The script of edits trial `trial` runs: a control edit, a change of services that
/// retires or restores controls, and a sign-off.
fn edit_script(trial: usize) -> Vec<Vec<String>> {
    let notes = format!("trial {trial}");
    let status = ["in_progress", "implemented"][trial % 2];
    let services = ["s3", "ec2,rds,s3"][trial % 2];
    let id = CONTROLS[0];
    let script: [&[&str]; 3] = [
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            id,
            "--notes",
            &notes,
            "--status",
            status,
        ],
        &["project", "set-services", PROJECT, "--services", services],
        &[
            "signoff",
            "add",
            "--project",
            PROJECT,
            "--control",
            id,
            "--by",
            "Ann Lee",
            "--role",
            "Security manager",
            "--statement",
            &notes,
        ],
    ];
    script
        .iter()
        .map(|step| step.iter().map(|s| s.to_string()).collect())
        .collect()
}

/// Runs the script, killing whichever step is running once `kill_after` has passed since
/// the script started. Returns the step killed, if the kill came before the script ended.
fn run_script_until(dir: &Path, script: &[Vec<String>], kill_after: Duration) -> Option<usize> {
    let started = Instant::now();
    for (step, args) in script.iter().enumerate() {
        let mut child = binary()
            .arg("--workspace")
            .arg(dir)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if started.elapsed() >= kill_after {
                // SIGKILL: the process gets no chance to tidy up.
                child.kill().unwrap();
                child.wait().unwrap();
                return Some(step);
            }
            thread::sleep(Duration::from_micros(100));
        }
        let run = finish(child);
        assert_eq!(
            run.code, 0,
            "step {step} of an uncut script failed: {run:?}"
        );
    }
    None
}

/// After a kill: the database is sound to SQLite, `verify` is clean, the workspace opens in
/// the binary and in the library, and every edit's state agrees with its log row.
fn assert_sound_after_kill(dir: &Path, what: &str) {
    let check: String = raw(dir)
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(check, "ok", "{what}");
    let verified = lockstep(dir, &["verify"]);
    assert!(verify_is_clean(&verified), "{what}: {verified:?}");
    let listed = lockstep(dir, &["project", "list", "--json"]);
    assert_eq!(listed.code, 0, "{what}: {listed:?}");
    drop(open_workspace(dir));
    let left: Vec<String> = crate::common::listing(dir)
        .into_iter()
        .filter(|name| name.starts_with(".lockstep"))
        .collect();
    assert!(
        left.is_empty(),
        "{what}: left after the next open: {left:?}"
    );

    // An edit and its log row are one: what the log last said is what the workspace holds.
    let log = log(dir);
    assert_notes_history_consistent(dir, &log, CONTROLS[0]);
    let services = rows(&log, "project.services")
        .last()
        .map_or(serde_json::json!(["ec2", "rds", "s3"]), |row| {
            row["detail"]["to"].clone()
        });
    assert_eq!(listed.json()[0]["services"], services, "{what}");
    let signoffs = lockstep(dir, &["signoff", "list", "--project", PROJECT, "--json"]);
    assert_eq!(signoffs.code, 0, "{what}: {signoffs:?}");
    assert_eq!(
        signoffs.json().as_array().unwrap().len(),
        rows(&log, "signoff.add").len(),
        "{what}: sign-offs and their log rows disagree"
    );
}

#[test]
fn killing_a_script_of_edits_at_random_points_leaves_a_sound_workspace() {
    const TRIALS: usize = 60;
    const SEED: u64 = 0x5eed_1234_abcd_0001;
    let (_tmp, dir) = workspace();
    create_project(&dir);

    // An uncut run first: it must succeed, and its length spreads the kills over the script.
    let started = Instant::now();
    assert_eq!(run_script_until(&dir, &edit_script(0), Duration::MAX), None);
    let full = started.elapsed();
    assert_sound_after_kill(&dir, "after the uncut script");

    let mut random = Xorshift(SEED);
    let mut killed = Vec::new();
    for trial in 1..=TRIALS {
        let kill_after = random.within(full);
        let step = run_script_until(&dir, &edit_script(trial), kill_after);
        let what =
            format!("trial {trial} (seed {SEED:#x}), killed {kill_after:?} in, step {step:?}");
        assert_sound_after_kill(&dir, &what);
        killed.push((kill_after, step));
    }
    println!("uncut script took {full:?}; kills (after, step killed): {killed:?}");
}

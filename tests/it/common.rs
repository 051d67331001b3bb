//! Helpers shared by the integration tests: a fixed clock, temp workspaces, direct access to
//! a workspace's database for checking and tampering, and a runner for the real binary.
//!
//! Each test crate uses only some of these, so unused ones are allowed here.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use lockstep::store::{DB_FILE, NewProject, Store};
use lockstep::workspace::Workspace;
use tempfile::TempDir;

/// The instant every test store lives in.
pub fn fixed_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap()
}

/// `fixed_time` as the activity log writes it.
pub const FIXED_TIME_TEXT: &str = "2026-11-28T09:30:00Z";

/// Today's date as the binary sees it: the day of [`fixed_time`] in the workspace's default
/// time zone, the machine's. [`binary`] fixes the binary's clock at that instant.
pub fn today() -> chrono::NaiveDate {
    fixed_time().with_timezone(&chrono::Local).date_naive()
}

/// [`today`] as commands take and print it.
pub fn today_text() -> String {
    today().to_string()
}

/// A fresh temp folder and the path of a workspace inside it that does not exist yet.
pub fn workspace() -> (TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("workspace");
    (tmp, dir)
}

/// Opens the workspace in `dir` on the fixed clock. With `LOCKSTEP_TEST_BACKEND=postgres`
/// its records are kept in a database of their own on the test PostgreSQL server instead.
pub fn open(dir: &Path) -> Store {
    if on_postgres() {
        return open_on_postgres(dir);
    }
    Store::open_with_clock(dir, Arc::new(fixed_time)).unwrap()
}

/// Whether this run keeps the store tests' records on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("LOCKSTEP_TEST_BACKEND").as_deref() == Ok("postgres")
}

/// For tests about SQLite's own file (its mode, its header, editing it by hand): true, with
/// a note, when this run is on PostgreSQL, where there is no such file.
pub fn sqlite_file_only() -> bool {
    if on_postgres() {
        eprintln!("skipped on PostgreSQL: this test is about the SQLite file");
    }
    on_postgres()
}

/// Opens the records of `dir` on the test PostgreSQL server: the first open creates a
/// database for the folder and notes its URL in the folder.
pub fn open_on_postgres(dir: &Path) -> Store {
    std::fs::create_dir_all(dir).unwrap();
    let noted = dir.join("test-database-url");
    let url = match std::fs::read_to_string(&noted) {
        Ok(url) => url,
        Err(_) => {
            let url = crate::servers::fresh_database("store");
            std::fs::write(&noted, &url).unwrap();
            url
        }
    };
    let url = lockstep::store::pg::DatabaseUrl::parse(&url).unwrap();
    Store::open_team(dir, &url, Arc::new(fixed_time), &|_| {
        Some(crate::servers::PG_PASSWORD.to_string())
    })
    .unwrap()
}

/// Opens the workspace in `dir`, database and vault, on the fixed clock; this also cleans up
/// after interrupted ingests.
pub fn open_workspace(dir: &Path) -> Workspace {
    Workspace::open_with_clock(dir, Arc::new(fixed_time)).unwrap()
}

/// A project request on these services with no period.
pub fn new_project(name: &str, services: &[&str]) -> NewProject {
    NewProject {
        name: name.to_string(),
        description: String::new(),
        services: services.iter().map(|s| s.to_string()).collect(),
        period_start: None,
        period_end: None,
    }
}

/// A plain SQLite connection to the workspace's database, as another program would open it.
pub fn raw(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join(DB_FILE)).unwrap()
}

/// A plain connection to the workspace's database with its shape checks switched off, as a
/// hand-edited or damaged file would be: CHECK constraints ignored and the checking
/// triggers dropped.
pub fn tamper(dir: &Path) -> rusqlite::Connection {
    let conn = raw(dir);
    let triggers: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '%_checked_on_%'",
        )
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for trigger in triggers {
        conn.execute_batch(&format!("DROP TRIGGER {trigger}"))
            .unwrap();
    }
    conn.execute_batch("PRAGMA ignore_check_constraints = ON")
        .unwrap();
    conn
}

/// The names in a folder, sorted, so a test can tell whether anything appeared or vanished.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every file below a folder, at any depth, sorted; empty when the folder does not exist.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// What a run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Everything printed on stdout.
    pub stdout: String,
    /// Everything printed on stderr.
    pub stderr: String,
}

impl Run {
    /// Stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// A command for the real `lockstep` binary with no workspace from the environment, its
/// clock standing at [`fixed_time`] (a debug build reads `LOCKSTEP_TEST_NOW`).
pub fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lockstep"));
    command
        .env_remove("LOCKSTEP_WORKSPACE")
        .env(lockstep::store::TEST_NOW_VAR, FIXED_TIME_TEXT);
    command
}

/// Runs a prepared command and collects its output.
pub fn run(mut command: Command) -> Run {
    let output = command.output().unwrap();
    Run {
        code: output
            .status
            .code()
            .expect("the binary was killed by a signal"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Runs `lockstep --workspace DIR ARGS...`.
pub fn lockstep(dir: &Path, args: &[&str]) -> Run {
    let mut command = binary();
    command.arg("--workspace").arg(dir).args(args);
    run(command)
}

/// Polls `done` until it is true, failing the test after a generous deadline.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = std::time::Instant::now();
    while !done() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "gave up waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A folder of the shared data (`../shared/data/<path>`), or `None`, saying so, when the
/// shared data is not checked out beside the repository.
pub fn shared_data(path: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(path);
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!(
            "skipping schema validation: {} is absent (it comes with the shared data)",
            dir.display()
        );
        None
    }
}

/// Asserts that `document` passes `validator`, listing the first errors when not.
pub fn assert_valid_with(validator: &jsonschema::Validator, document: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .take(10)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

//! Assets and patch attestations: states at the deadline, per-project deadlines, CSV
//! import, evidence in the vault, and what the command line refuses, through the store and
//! through the real binary on a temp workspace.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{Run, files_under, lockstep, new_project, open, raw, workspace};
use chrono::NaiveDate;
use lockstep::model::{AssetKind, ManagedBy, PatchState, Severity};
use lockstep::store::{NewAsset, NewPatch, PatchChange, PatchDeadlines, Store, StoreError};
use serde_json::Value;
use sha2::{Digest, Sha256};

const PROJECT: &str = "Payments platform";

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A store with a project holding the asset `web-1`, and the project's key.
fn store_with_asset(dir: &Path) -> (Store, i64) {
    let mut store = open(dir);
    let project = store
        .create_project(&new_project(PROJECT, &["ec2"]))
        .unwrap()
        .key;
    store
        .add_asset(
            project,
            &NewAsset {
                name: "web-1".to_string(),
                kind: AssetKind::Instance,
                environment: "production".to_string(),
                managed_by: ManagedBy::Customer,
            },
        )
        .unwrap();
    (store, project)
}

fn patch(advisory: &str, severity: Severity, released: &str, applied: Option<&str>) -> NewPatch {
    NewPatch {
        asset: "web-1".to_string(),
        advisory: advisory.to_string(),
        severity,
        released_on: day(released),
        applied_on: applied.map(day),
        evidence: None,
    }
}

/// Creates the project and the assets `web-1` (customer) and `db-1` (AWS) through the CLI.
fn cli_project(dir: &Path) {
    let created = lockstep(
        dir,
        &["project", "create", PROJECT, "--services", "ec2,rds"],
    );
    assert_eq!(created.code, 0, "{created:?}");
    for args in [
        [
            "web-1",
            "--kind",
            "instance",
            "--managed-by",
            "customer",
            "--environment",
            "production",
        ],
        [
            "db-1",
            "--kind",
            "database",
            "--managed-by",
            "aws",
            "--environment",
            "production",
        ],
    ] {
        let mut full = vec!["asset", "add", "--project", PROJECT];
        full.extend(args);
        let added = lockstep(dir, &full);
        assert_eq!(added.code, 0, "{added:?}");
    }
}

fn record(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["patch", "record", "--project", PROJECT];
    args.extend(extra);
    lockstep(dir, &args)
}

fn status(dir: &Path, as_of: &str) -> Vec<Value> {
    let shown = lockstep(
        dir,
        &[
            "patch",
            "status",
            "--project",
            PROJECT,
            "--as-of",
            as_of,
            "--json",
        ],
    );
    assert_eq!(shown.code, 0, "{shown:?}");
    shown.json().as_array().unwrap().clone()
}

fn find<'a>(records: &'a [Value], advisory: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["advisory"] == advisory)
        .unwrap_or_else(|| panic!("no record of {advisory} in {records:?}"))
}

/// The actions of the activity log, oldest first.
fn actions(dir: &Path) -> Vec<String> {
    let conn = raw(dir);
    let mut stmt = conn
        .prepare("SELECT action FROM activity ORDER BY seq")
        .unwrap();
    stmt.query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn count(dir: &Path, table: &str) -> i64 {
    raw(dir)
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .unwrap()
}

/// Checks that a run was refused as bad input with one sentence on stderr.
fn assert_refused(run: &Run) {
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{run:?}");
    assert!(run.stderr.starts_with("lockstep: "), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
}

/// Runs a command that must be refused and checks that nothing was stored or logged.
fn assert_refused_unchanged(dir: &Path, args: &[&str]) -> Run {
    let before = (
        actions(dir),
        count(dir, "assets"),
        count(dir, "patches"),
        count(dir, "patch_deadlines"),
    );
    let refused = lockstep(dir, args);
    assert_refused(&refused);
    let after = (
        actions(dir),
        count(dir, "assets"),
        count(dir, "patches"),
        count(dir, "patch_deadlines"),
    );
    assert_eq!(after, before, "{args:?} changed the workspace");
    refused
}

fn write_csv(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.parent().unwrap().join(name);
    fs::write(&path, content).unwrap();
    path
}

fn import(dir: &Path, file: &Path) -> Run {
    lockstep(
        dir,
        &[
            "patch",
            "import",
            "--project",
            PROJECT,
            file.to_str().unwrap(),
        ],
    )
}

#[test]
fn the_deadline_day_is_on_time_or_open_and_the_day_after_is_late_or_overdue() {
    let (_tmp, dir) = workspace();
    let (mut store, project) = store_with_asset(&dir);
    // Critical: 15 days, so released 2026-10-01 means due by 2026-10-16.
    for new in [
        patch(
            "CVE-2026-0001",
            Severity::Critical,
            "2026-10-01",
            Some("2026-10-16"),
        ),
        patch(
            "CVE-2026-0002",
            Severity::Critical,
            "2026-10-01",
            Some("2026-10-17"),
        ),
        patch("CVE-2026-0003", Severity::Critical, "2026-10-01", None),
    ] {
        store.record_patch(project, &new).unwrap();
    }
    let on_deadline = store.patch_records(project, day("2026-10-16")).unwrap();
    let states: Vec<(&str, PatchState, Option<i64>)> = on_deadline
        .iter()
        .map(|r| (r.advisory.as_str(), r.state, r.days_to_patch))
        .collect();
    assert_eq!(
        states,
        [
            ("CVE-2026-0001", PatchState::OnTime, Some(15)),
            ("CVE-2026-0002", PatchState::Late, Some(16)),
            ("CVE-2026-0003", PatchState::Open, None),
        ]
    );
    assert!(on_deadline.iter().all(|r| r.deadline == day("2026-10-16")));
    let day_after = store.patch_records(project, day("2026-10-17")).unwrap();
    assert_eq!(day_after[2].state, PatchState::Overdue);
    assert_eq!(day_after[0].state, PatchState::OnTime);
    assert_eq!(day_after[0].attested_by, store.user_name().unwrap());
}

#[test]
fn patch_status_json_has_the_documented_keys_and_boundary_states() {
    let (_tmp, dir) = workspace();
    cli_project(&dir);
    for extra in [
        &[
            "--asset",
            "web-1",
            "--advisory",
            "CVE-2026-0001",
            "--severity",
            "critical",
            "--released",
            "2026-10-01",
            "--applied",
            "2026-10-16",
        ][..],
        &[
            "--asset",
            "WEB-1",
            "--advisory",
            "ALAS-2026-001",
            "--severity",
            "high",
            "--released",
            "2026-10-01",
        ][..],
    ] {
        let recorded = record(&dir, extra);
        assert_eq!(recorded.code, 0, "{recorded:?}");
    }
    // High: 30 days, so due by 2026-10-31.
    let on_deadline = status(&dir, "2026-10-31");
    assert_eq!(on_deadline.len(), 2);
    for record in &on_deadline {
        for key in [
            "asset",
            "advisory",
            "severity",
            "released_on",
            "applied_on",
            "deadline",
            "days_to_patch",
            "state",
        ] {
            assert!(record.get(key).is_some(), "no {key} in {record}");
        }
    }
    let applied = find(&on_deadline, "CVE-2026-0001");
    assert_eq!(applied["asset"], "web-1");
    assert_eq!(applied["severity"], "critical");
    assert_eq!(applied["released_on"], "2026-10-01");
    assert_eq!(applied["applied_on"], "2026-10-16");
    assert_eq!(applied["deadline"], "2026-10-16");
    assert_eq!(applied["days_to_patch"], 15);
    assert_eq!(applied["state"], "on_time");
    let open = find(&on_deadline, "ALAS-2026-001");
    assert_eq!(open["asset"], "web-1");
    assert_eq!(open["deadline"], "2026-10-31");
    assert!(open["applied_on"].is_null(), "{open}");
    assert!(open["days_to_patch"].is_null(), "{open}");
    assert_eq!(open["state"], "open");
    let day_after = status(&dir, "2026-11-01");
    assert_eq!(find(&day_after, "ALAS-2026-001")["state"], "overdue");

    let table = lockstep(
        &dir,
        &[
            "patch",
            "status",
            "--project",
            PROJECT,
            "--as-of",
            "2026-11-01",
        ],
    );
    assert_eq!(table.code, 0, "{table:?}");
    assert!(table.stdout.contains("DEADLINE"), "{table:?}");
    assert!(
        table
            .stdout
            .contains("1 on time, 0 late, 0 open, 1 overdue"),
        "{table:?}"
    );
}

#[test]
fn a_project_deadline_changes_the_states_of_its_patches() {
    let (_tmp, dir) = workspace();
    let (mut store, project) = store_with_asset(&dir);
    store
        .record_patch(
            project,
            &patch(
                "CVE-2026-0001",
                Severity::Critical,
                "2026-10-01",
                Some("2026-10-10"),
            ),
        )
        .unwrap();
    store
        .record_patch(
            project,
            &patch("CVE-2026-0002", Severity::Low, "2026-10-01", None),
        )
        .unwrap();
    let as_of = day("2026-10-20");
    let states = |store: &Store| -> Vec<PatchState> {
        store
            .patch_records(project, as_of)
            .unwrap()
            .iter()
            .map(|r| r.state)
            .collect()
    };
    assert_eq!(states(&store), [PatchState::OnTime, PatchState::Open]);
    let set = store
        .set_patch_deadlines(project, &[(Severity::Critical, 7), (Severity::Low, 14)])
        .unwrap();
    assert_eq!(
        set,
        PatchDeadlines {
            critical: 7,
            high: 30,
            medium: 90,
            low: 14
        }
    );
    assert_eq!(store.patch_deadlines(project).unwrap(), set);
    assert_eq!(states(&store), [PatchState::Late, PatchState::Overdue]);
    let records = store.patch_records(project, as_of).unwrap();
    assert_eq!(records[0].deadline, day("2026-10-08"));
    assert_eq!(records[1].deadline, day("2026-10-15"));
}

#[test]
fn patch_deadlines_prints_them_and_sets_them_with_one_activity_row() {
    let (_tmp, dir) = workspace();
    cli_project(&dir);
    let before = actions(&dir);
    let shown = lockstep(&dir, &["patch", "deadlines", "--project", PROJECT]);
    assert_eq!(shown.code, 0, "{shown:?}");
    assert!(shown.stdout.contains("critical  15"), "{shown:?}");
    assert!(shown.stdout.contains("low       180"), "{shown:?}");
    assert_eq!(actions(&dir), before, "showing deadlines wrote to the log");

    let recorded = record(
        &dir,
        &[
            "--asset",
            "web-1",
            "--advisory",
            "CVE-2026-0001",
            "--severity",
            "critical",
            "--released",
            "2026-10-01",
            "--applied",
            "2026-10-10",
        ],
    );
    assert_eq!(recorded.code, 0, "{recorded:?}");
    assert_eq!(
        find(&status(&dir, "2026-10-20"), "CVE-2026-0001")["state"],
        "on_time"
    );

    let before = actions(&dir);
    let set = lockstep(
        &dir,
        &[
            "patch",
            "deadlines",
            "--project",
            PROJECT,
            "--critical",
            "7",
            "--high",
            "20",
            "--json",
        ],
    );
    assert_eq!(set.code, 0, "{set:?}");
    assert_eq!(
        set.json(),
        serde_json::json!({"critical": 7, "high": 20, "medium": 90, "low": 180})
    );
    let after = actions(&dir);
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().unwrap(), "patch.deadlines");
    let late = find(&status(&dir, "2026-10-20"), "CVE-2026-0001").clone();
    assert_eq!(late["state"], "late");
    assert_eq!(late["deadline"], "2026-10-08");

    // Setting what is already set changes nothing and logs nothing.
    let again = lockstep(
        &dir,
        &[
            "patch",
            "deadlines",
            "--project",
            PROJECT,
            "--critical",
            "7",
        ],
    );
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(actions(&dir), after);

    assert_refused_unchanged(
        &dir,
        &[
            "patch",
            "deadlines",
            "--project",
            PROJECT,
            "--critical",
            "0",
        ],
    );
    assert_refused_unchanged(
        &dir,
        &["patch", "deadlines", "--project", PROJECT, "--low", "5000"],
    );
    assert_refused_unchanged(
        &dir,
        &["patch", "deadlines", "--project", "Nope", "--low", "10"],
    );
}

#[test]
fn a_csv_import_stores_good_rows_reports_bad_lines_and_doubles_nothing_again() {
    let (_tmp, dir) = workspace();
    cli_project(&dir);
    let file = write_csv(
        &dir,
        "scanner.csv",
        b" Asset ,ADVISORY,Severity,Released_On,Applied_On,Scanner\n\
web-1,CVE-2026-0001,critical,2026-10-01,2026-10-05,nessus\n\
web-1,CVE-2026-0002,HIGH,2026-10-02,,nessus\n\
ghost,CVE-2026-0003,low,2026-10-01,,nessus\n\
web-1,CVE-2026-0004,urgent,2026-10-01,,nessus\n\
web-1,CVE-2026-0005,low,2026-02-30,,nessus\n\
web-1,CVE-2026-0006,low,2026-10-05,2026-10-01,nessus\n\
WEB-1,cve-2026-0001,critical,2026-10-01,2026-10-05,nessus\n\
db-1,ALAS-2026-100,medium,2026-10-03,2026-10-20,inspector\n",
    );
    let before = actions(&dir);
    let imported = import(&dir, &file);
    assert_eq!(imported.code, 2, "{imported:?}");
    assert_eq!(
        imported.stderr.lines().collect::<Vec<_>>(),
        [
            "line 4: project has no asset named 'ghost': add it with `lockstep asset add`",
            "line 5: unknown severity 'urgent': use critical, high, medium or low",
            "line 6: released_on '2026-02-30' is not a date: write it as YYYY-MM-DD, for example 2027-03-01",
            "line 7: applied-on (2026-10-01) is before released-on (2026-10-05): a patch cannot be applied before it exists",
            "line 8: cve-2026-0001 for web-1 repeats line 2",
        ]
    );
    let records = status(&dir, "2026-10-20");
    let mut stored: Vec<(&str, &str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["asset"].as_str().unwrap(),
                r["advisory"].as_str().unwrap(),
                r["severity"].as_str().unwrap(),
            )
        })
        .collect();
    stored.sort();
    assert_eq!(
        stored,
        [
            ("db-1", "ALAS-2026-100", "medium"),
            ("web-1", "CVE-2026-0001", "critical"),
            ("web-1", "CVE-2026-0002", "high"),
        ]
    );
    assert!(find(&records, "CVE-2026-0002")["applied_on"].is_null());
    let after = actions(&dir);
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    assert_eq!(after.last().unwrap(), "patch.import");
    let log = lockstep(&dir, &["log", "--project", PROJECT, "--json"]).json();
    let entry = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(entry["detail"]["added"], 3);
    assert_eq!(entry["detail"]["refused"], 5);
    assert_eq!(entry["detail"]["file_name"], "scanner.csv");

    let again = import(&dir, &file);
    assert_eq!(again.code, 2, "{again:?}");
    let lines: Vec<&str> = again.stderr.lines().collect();
    assert_eq!(lines.len(), 8, "{again:?}");
    assert_eq!(
        lines[0],
        "line 2: CVE-2026-0001 is already recorded for web-1"
    );
    assert_eq!(
        lines[1],
        "line 3: CVE-2026-0002 is already recorded for web-1"
    );
    assert_eq!(
        lines[6],
        "line 8: CVE-2026-0001 is already recorded for web-1"
    );
    assert_eq!(
        lines[7],
        "line 9: ALAS-2026-100 is already recorded for db-1"
    );
    assert_eq!(count(&dir, "patches"), 3);
    assert_eq!(actions(&dir), after, "a refused import wrote to the log");
}

#[test]
fn a_csv_without_a_required_column_is_refused_whole() {
    let (_tmp, dir) = workspace();
    cli_project(&dir);
    let file = write_csv(
        &dir,
        "no-severity.csv",
        b"asset,advisory,released_on,applied_on\nweb-1,CVE-2026-0001,2026-10-01,\n",
    );
    let refused = assert_refused_unchanged(
        &dir,
        &[
            "patch",
            "import",
            "--project",
            PROJECT,
            file.to_str().unwrap(),
        ],
    );
    assert!(refused.stderr.contains("'severity'"), "{refused:?}");
    assert!(
        refused.stderr.trim_end().ends_with("no-severity.csv"),
        "{refused:?}"
    );
}

#[test]
fn a_csv_that_is_not_utf8_is_refused_whole() {
    let (_tmp, dir) = workspace();
    cli_project(&dir);
    let file = write_csv(
        &dir,
        "latin1.csv",
        b"asset,advisory,severity,released_on,applied_on\n\
web-1,CVE-2026-0001,low,2026-10-01,\n\
web-1,KB\xe9001,low,2026-10-01,\n",
    );
    let refused = assert_refused_unchanged(
        &dir,
        &[
            "patch",
            "import",
            "--project",
            PROJECT,
            file.to_str().unwrap(),
        ],
    );
    assert!(refused.stderr.contains("UTF-8"), "{refused:?}");
}

#[test]
fn an_empty_csv_is_refused_and_a_header_alone_imports_nothing() {
    let (_tmp, dir) = workspace();
    cli_project(&dir);
    let empty = write_csv(&dir, "empty.csv", b"");
    let refused = assert_refused_unchanged(
        &dir,
        &[
            "patch",
            "import",
            "--project",
            PROJECT,
            empty.to_str().unwrap(),
        ],
    );
    assert!(refused.stderr.contains("empty"), "{refused:?}");

    let header = write_csv(
        &dir,
        "header.csv",
        b"asset,advisory,severity,released_on,applied_on\n",
    );
    let before = actions(&dir);
    let nothing = import(&dir, &header);
    assert_eq!(nothing.code, 0, "{nothing:?}");
    assert!(nothing.stdout.contains("nothing imported"), "{nothing:?}");
    assert_eq!(actions(&dir), before);
    assert_eq!(count(&dir, "patches"), 0);
}

#[test]
fn a_csv_without_applied_on_imports_open_patches() {
    let (_tmp, dir) = workspace();
    cli_project(&dir);
    let file = write_csv(
        &dir,
        "open.csv",
        b"severity,asset,released_on,advisory\nlow,web-1,2026-10-01,KB5001\n",
    );
    let imported = import(&dir, &file);
    assert_eq!(imported.code, 0, "{imported:?}");
    assert!(imported.stderr.is_empty(), "{imported:?}");
    let records = status(&dir, "2026-10-02");
    assert_eq!(find(&records, "KB5001")["state"], "open");
}

#[test]
fn recording_with_bad_input_is_refused_and_stores_nothing() {
    let (_tmp, dir) = workspace();
    cli_project(&dir);
    let base = |asset: &str, severity: &str, released: &str, applied: Option<&str>| {
        let mut args = vec![
            "patch".to_string(),
            "record".to_string(),
            "--project".to_string(),
            PROJECT.to_string(),
            "--asset".to_string(),
            asset.to_string(),
            "--advisory".to_string(),
            "CVE-2026-0001".to_string(),
            "--severity".to_string(),
            severity.to_string(),
            "--released".to_string(),
            released.to_string(),
        ];
        if let Some(applied) = applied {
            args.push("--applied".to_string());
            args.push(applied.to_string());
        }
        args
    };
    let cases = [
        (base("ghost", "high", "2026-10-01", None), "ghost"),
        (base("web-1", "urgent", "2026-10-01", None), "urgent"),
        (
            base("web-1", "high", "2026-10-05", Some("2026-10-01")),
            "before released-on",
        ),
        (base("web-1", "high", "2026-02-30", None), "2026-02-30"),
        (
            base("web-1", "high", "2026-10-01", Some("2026-13-01")),
            "2026-13-01",
        ),
    ];
    for (args, says) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let refused = assert_refused_unchanged(&dir, &args);
        assert!(refused.stderr.contains(says), "{refused:?}");
    }
    let mut unknown_project = base("web-1", "high", "2026-10-01", None);
    unknown_project[3] = "Nope".to_string();
    let args: Vec<&str> = unknown_project.iter().map(String::as_str).collect();
    let refused = assert_refused_unchanged(&dir, &args);
    assert!(refused.stderr.contains("'Nope'"), "{refused:?}");
    assert_eq!(count(&dir, "patches"), 0);
}

#[test]
fn adding_assets_with_bad_input_is_refused_and_stores_nothing() {
    let (_tmp, dir) = workspace();
    cli_project(&dir);
    let add = |name: &str, kind: &str, manager: &str| {
        vec![
            "asset".to_string(),
            "add".to_string(),
            "--project".to_string(),
            PROJECT.to_string(),
            name.to_string(),
            "--kind".to_string(),
            kind.to_string(),
            "--managed-by".to_string(),
            manager.to_string(),
        ]
    };
    for (args, says) in [
        (
            add("api", "server", "customer"),
            "unknown asset kind 'server'",
        ),
        (add("api", "instance", "vendor"), "unknown manager 'vendor'"),
        (add("WEB-1", "instance", "customer"), "already exists"),
        (add("  ", "instance", "customer"), "blank"),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let refused = assert_refused_unchanged(&dir, &args);
        assert!(refused.stderr.contains(says), "{refused:?}");
    }
}

#[test]
fn asset_list_json_shows_kind_environment_manager_and_counts() {
    let (_tmp, dir) = workspace();
    cli_project(&dir);
    let added = lockstep(
        &dir,
        &[
            "asset",
            "add",
            "--project",
            PROJECT,
            "payments-api",
            "--kind",
            "container-image",
            "--managed-by",
            "customer",
        ],
    );
    assert_eq!(added.code, 0, "{added:?}");
    let recorded = record(
        &dir,
        &[
            "--asset",
            "db-1",
            "--advisory",
            "ALAS-2026-100",
            "--severity",
            "medium",
            "--released",
            "2026-10-01",
        ],
    );
    assert_eq!(recorded.code, 0, "{recorded:?}");
    let listed = lockstep(&dir, &["asset", "list", "--project", PROJECT, "--json"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    assert_eq!(
        listed.json(),
        serde_json::json!([
            {"name": "db-1", "kind": "database", "environment": "production",
             "managed_by": "aws", "patches": 1, "unapplied": 1, "inventory": {}},
            {"name": "payments-api", "kind": "container-image", "environment": "",
             "managed_by": "customer", "patches": 0, "unapplied": 0, "inventory": {}},
            {"name": "web-1", "kind": "instance", "environment": "production",
             "managed_by": "customer", "patches": 0, "unapplied": 0, "inventory": {}},
        ])
    );
}

#[test]
fn evidence_for_a_patch_is_stored_in_the_vault_under_its_hash() {
    let (_tmp, dir) = workspace();
    cli_project(&dir);
    let report = dir.parent().unwrap().join("scan-2026-10.pdf");
    let content = b"%PDF-1.4 scan report: CVE-2026-0001 fixed on web-1\n";
    fs::write(&report, content).unwrap();
    let sha = lockstep::model::hex(&Sha256::digest(content));

    // A refused record reads no file into the vault.
    let refused = assert_refused_unchanged(
        &dir,
        &[
            "patch",
            "record",
            "--project",
            PROJECT,
            "--asset",
            "ghost",
            "--advisory",
            "CVE-2026-0001",
            "--severity",
            "critical",
            "--released",
            "2026-10-01",
            "--evidence",
            report.to_str().unwrap(),
        ],
    );
    assert!(refused.stderr.contains("ghost"), "{refused:?}");
    assert!(files_under(&dir.join("vault")).is_empty());

    let recorded = record(
        &dir,
        &[
            "--asset",
            "web-1",
            "--advisory",
            "CVE-2026-0001",
            "--severity",
            "critical",
            "--released",
            "2026-10-01",
            "--applied",
            "2026-10-04",
            "--evidence",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(recorded.code, 0, "{recorded:?}");
    let blob = dir.join("vault/sha256").join(&sha[..2]).join(&sha[2..]);
    assert_eq!(fs::read(&blob).unwrap(), content);
    assert_eq!(
        files_under(&dir.join("vault/sha256")),
        std::slice::from_ref(&blob)
    );
    assert!(files_under(&dir.join("vault/tmp")).is_empty());
    let records = status(&dir, "2026-10-20");
    let stored = find(&records, "CVE-2026-0001");
    assert_eq!(stored["evidence_sha256"], sha.as_str());
    assert_eq!(stored["evidence_name"], "scan-2026-10.pdf");

    let missing = dir.parent().unwrap().join("missing.pdf");
    assert_refused_unchanged(
        &dir,
        &[
            "patch",
            "record",
            "--project",
            PROJECT,
            "--asset",
            "web-1",
            "--advisory",
            "CVE-2026-0002",
            "--severity",
            "low",
            "--released",
            "2026-10-01",
            "--evidence",
            missing.to_str().unwrap(),
        ],
    );
}

#[test]
fn applying_an_open_patch_later_updates_it_and_other_repeats_are_refused() {
    let (_tmp, dir) = workspace();
    cli_project(&dir);
    let open = [
        "--asset",
        "web-1",
        "--advisory",
        "CVE-2026-0001",
        "--severity",
        "high",
        "--released",
        "2026-10-01",
    ];
    let recorded = record(&dir, &open);
    assert_eq!(recorded.code, 0, "{recorded:?}");
    // Open and recorded again while still open: a repeat.
    let repeat: Vec<&str> = ["patch", "record", "--project", PROJECT]
        .into_iter()
        .chain(open)
        .collect();
    let refused = assert_refused_unchanged(&dir, &repeat);
    assert!(refused.stderr.contains("already recorded"), "{refused:?}");
    // Applied, but said to be of another severity: a repeat too.
    let mut other = repeat.clone();
    other[9] = "critical";
    other.extend(["--applied", "2026-10-20"]);
    assert_refused_unchanged(&dir, &other);

    let before = actions(&dir);
    let applied = record(
        &dir,
        &[
            "--asset",
            "Web-1",
            "--advisory",
            "cve-2026-0001",
            "--severity",
            "high",
            "--released",
            "2026-10-01",
            "--applied",
            "2026-10-20",
        ],
    );
    assert_eq!(applied.code, 0, "{applied:?}");
    let after = actions(&dir);
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().unwrap(), "patch.apply");
    assert_eq!(count(&dir, "patches"), 1);
    let records = status(&dir, "2026-11-20");
    let updated = find(&records, "CVE-2026-0001");
    assert_eq!(updated["applied_on"], "2026-10-20");
    assert_eq!(updated["days_to_patch"], 19);
    assert_eq!(updated["state"], "on_time");

    // Once applied, it cannot be applied again.
    let mut reapply = repeat.clone();
    reapply.extend(["--applied", "2026-10-25"]);
    assert_refused_unchanged(&dir, &reapply);
}

#[test]
fn an_import_applies_open_records_of_the_same_advisory() {
    let (_tmp, dir) = workspace();
    cli_project(&dir);
    let open = write_csv(
        &dir,
        "open.csv",
        b"asset,advisory,severity,released_on,applied_on\n\
web-1,CVE-2026-0001,high,2026-10-01,\n\
db-1,ALAS-2026-100,low,2026-10-01,\n",
    );
    assert_eq!(import(&dir, &open).code, 0);
    let applied = write_csv(
        &dir,
        "applied.csv",
        b"asset,advisory,severity,released_on,applied_on\n\
web-1,CVE-2026-0001,high,2026-10-01,2026-10-09\n\
db-1,ALAS-2026-100,low,2026-10-01,\n",
    );
    let before = actions(&dir);
    let second = import(&dir, &applied);
    assert_eq!(second.code, 2, "{second:?}");
    assert_eq!(
        second.stderr.trim_end(),
        "line 3: ALAS-2026-100 is already recorded for db-1"
    );
    assert!(second.stdout.contains("1 applied"), "{second:?}");
    assert_eq!(actions(&dir).len(), before.len() + 1);
    assert_eq!(count(&dir, "patches"), 2);
    let records = status(&dir, "2026-10-20");
    assert_eq!(find(&records, "CVE-2026-0001")["applied_on"], "2026-10-09");
}

#[test]
fn each_patch_command_writes_exactly_one_activity_row() {
    let (_tmp, dir) = workspace();
    let created = lockstep(&dir, &["project", "create", PROJECT, "--services", "ec2"]);
    assert_eq!(created.code, 0, "{created:?}");
    let file = write_csv(
        &dir,
        "one.csv",
        b"asset,advisory,severity,released_on,applied_on\nweb-1,KB5001,low,2026-10-01,\n",
    );
    let steps: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "asset",
                "add",
                "--project",
                PROJECT,
                "web-1",
                "--kind",
                "instance",
                "--managed-by",
                "customer",
            ],
            "asset.add",
        ),
        (
            vec![
                "patch",
                "record",
                "--project",
                PROJECT,
                "--asset",
                "web-1",
                "--advisory",
                "CVE-2026-0001",
                "--severity",
                "low",
                "--released",
                "2026-10-01",
            ],
            "patch.record",
        ),
        (
            vec![
                "patch",
                "record",
                "--project",
                PROJECT,
                "--asset",
                "web-1",
                "--advisory",
                "CVE-2026-0001",
                "--severity",
                "low",
                "--released",
                "2026-10-01",
                "--applied",
                "2026-10-02",
            ],
            "patch.apply",
        ),
        (
            vec![
                "patch",
                "import",
                "--project",
                PROJECT,
                file.to_str().unwrap(),
            ],
            "patch.import",
        ),
        (
            vec!["patch", "deadlines", "--project", PROJECT, "--medium", "60"],
            "patch.deadlines",
        ),
    ];
    for (args, action) in steps {
        let before = actions(&dir);
        let done = lockstep(&dir, &args);
        assert_eq!(done.code, 0, "{done:?}");
        let after = actions(&dir);
        assert_eq!(after.len(), before.len() + 1, "{args:?}");
        assert_eq!(after.last().unwrap(), action);
    }
    // Reports write nothing.
    let before = actions(&dir);
    for args in [
        ["patch", "status", "--project", PROJECT],
        ["patch", "deadlines", "--project", PROJECT],
        ["asset", "list", "--project", PROJECT],
    ] {
        let shown = lockstep(&dir, &args);
        assert_eq!(shown.code, 0, "{shown:?}");
    }
    assert_eq!(actions(&dir), before);
    let chain = lockstep(&dir, &["verify"]);
    assert_eq!(chain.code, 0, "{chain:?}");
}

#[test]
fn check_patch_refuses_what_record_patch_would_refuse_without_writing() {
    let (_tmp, dir) = workspace();
    let (mut store, project) = store_with_asset(&dir);
    let open = patch("CVE-2026-0001", Severity::High, "2026-10-01", None);
    assert_eq!(
        store.check_patch(project, &open).unwrap(),
        PatchChange::Added
    );
    assert_eq!(count(&dir, "patches"), 0);
    store.record_patch(project, &open).unwrap();
    assert!(matches!(
        store.check_patch(project, &open),
        Err(StoreError::DuplicatePatch { .. })
    ));
    let applied = patch(
        "cve-2026-0001",
        Severity::High,
        "2026-10-01",
        Some("2026-10-03"),
    );
    assert_eq!(
        store.check_patch(project, &applied).unwrap(),
        PatchChange::Applied
    );
    let (change, record) = store.record_patch(project, &applied).unwrap();
    assert_eq!(change, PatchChange::Applied);
    assert_eq!(record.advisory, "CVE-2026-0001");
    assert_eq!(record.applied_on, Some(day("2026-10-03")));
    let mut ghost = open.clone();
    ghost.asset = "ghost".to_string();
    assert!(matches!(
        store.check_patch(project, &ghost),
        Err(StoreError::UnknownAsset(name)) if name == "ghost"
    ));
    let assets = store.assets(project).unwrap();
    assert_eq!((assets[0].patches, assets[0].unapplied), (1, 0));
}

#[test]
fn the_patch_cycle_fingerprint_follows_that_months_records_and_the_deadlines() {
    let (_tmp, dir) = workspace();
    let (mut store, project) = store_with_asset(&dir);
    let october = day("2026-10-01");
    let empty = store.patch_cycle_fingerprint(project, october).unwrap();
    assert_eq!(empty.len(), 64);
    store
        .record_patch(
            project,
            &patch("CVE-2026-0001", Severity::High, "2026-10-31", None),
        )
        .unwrap();
    let recorded = store.patch_cycle_fingerprint(project, october).unwrap();
    assert_ne!(recorded, empty);
    assert_eq!(
        store.patch_cycle_fingerprint(project, october).unwrap(),
        recorded
    );
    assert_eq!(
        store
            .patch_cycle_fingerprint(project, day("2026-10-17"))
            .unwrap(),
        recorded,
        "any day of the month names the month"
    );

    // A record of another month leaves October's fingerprint alone.
    for released in ["2026-09-30", "2026-11-01"] {
        store
            .record_patch(
                project,
                &patch(&format!("KB-{released}"), Severity::Low, released, None),
            )
            .unwrap();
    }
    assert_eq!(
        store.patch_cycle_fingerprint(project, october).unwrap(),
        recorded
    );

    store
        .record_patch(
            project,
            &patch(
                "CVE-2026-0001",
                Severity::High,
                "2026-10-31",
                Some("2026-11-02"),
            ),
        )
        .unwrap();
    let applied = store.patch_cycle_fingerprint(project, october).unwrap();
    assert_ne!(applied, recorded);

    store
        .set_patch_deadlines(project, &[(Severity::Low, 100)])
        .unwrap();
    assert_ne!(
        store.patch_cycle_fingerprint(project, october).unwrap(),
        applied
    );
}

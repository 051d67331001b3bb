//! People, courses and training attestations checked from outside: the real binary on a
//! temp workspace for the commands, their exit codes, JSON and `line N: reason` reports,
//! and the store for the activity log, the roster and its fingerprint.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{Run, files_under, lockstep, open, workspace};
use chrono::NaiveDate;
use lockstep::model::TrainingState;
use serde_json::Value;
use sha2::{Digest, Sha256};

const COURSE: &str = "Security awareness";
const AS_OF: &str = "2026-11-28";

fn ok(run: &Run) {
    assert_eq!(run.code, 0, "{run:?}");
}

/// Checks that a run was refused as bad input: exit 2, a sentence on stderr, no panic.
fn assert_refused(run: &Run) {
    assert_eq!(run.code, 2, "{run:?}");
    assert!(!run.stderr.trim().is_empty(), "nothing on stderr: {run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
}

/// The actions in the workspace's activity log, oldest first.
fn actions(dir: &Path) -> Vec<String> {
    open(dir)
        .activity(None, None)
        .unwrap()
        .into_iter()
        .map(|entry| entry.action.name())
        .collect()
}

fn add_person(dir: &Path, name: &str, email: &str) {
    ok(&lockstep(dir, &["person", "add", name, "--email", email]));
}

fn add_course(dir: &Path, name: &str, every_days: &str) {
    ok(&lockstep(
        dir,
        &["course", "add", name, "--every-days", every_days],
    ));
}

fn record(dir: &Path, email: &str, course: &str, completed: &str) -> Run {
    lockstep(
        dir,
        &[
            "training",
            "record",
            "--email",
            email,
            "--course",
            course,
            "--completed",
            completed,
        ],
    )
}

fn status_json(dir: &Path, as_of: &str) -> Vec<Value> {
    let run = lockstep(dir, &["training", "status", "--as-of", as_of, "--json"]);
    ok(&run);
    run.json().as_array().unwrap().clone()
}

fn state_of(roster: &[Value], email: &str, course: &str) -> String {
    roster
        .iter()
        .find(|entry| entry["email"] == email && entry["course"] == course)
        .unwrap_or_else(|| panic!("{email} on {course} is not on the roster: {roster:?}"))["state"]
        .as_str()
        .unwrap()
        .to_string()
}

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.parent().unwrap().join(name);
    fs::write(&path, content).unwrap();
    path
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The lines of stderr that report a refused row.
fn row_reports(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|line| line.starts_with("line "))
        .collect()
}

/// A workspace with a yearly course and five people whose latest completions put them at
/// each boundary on 2026-11-28.
fn boundary_roster(dir: &Path) {
    add_course(dir, COURSE, "365");
    for (name, email, completed) in [
        ("Ana", "ana@example.com", Some("2025-11-28")),
        ("Bo", "bo@example.com", Some("2025-12-28")),
        ("Cy", "cy@example.com", Some("2025-12-29")),
        ("Di", "di@example.com", Some("2025-11-27")),
        ("Ed", "ed@example.com", None),
    ] {
        add_person(dir, name, email);
        if let Some(completed) = completed {
            ok(&record(dir, email, COURSE, completed));
        }
    }
}

#[test]
fn states_at_the_boundaries_follow_the_latest_expiry() {
    let (_tmp, dir) = workspace();
    boundary_roster(&dir);
    let roster = status_json(&dir, AS_OF);
    // Expires today, in 30 days, in 31 days, yesterday, never completed.
    assert_eq!(state_of(&roster, "ana@example.com", COURSE), "expiring");
    assert_eq!(state_of(&roster, "bo@example.com", COURSE), "expiring");
    assert_eq!(state_of(&roster, "cy@example.com", COURSE), "current");
    assert_eq!(state_of(&roster, "di@example.com", COURSE), "expired");
    assert_eq!(state_of(&roster, "ed@example.com", COURSE), "missing");
    // A newer completion wins over an older one, whichever was recorded first.
    ok(&record(&dir, "di@example.com", COURSE, "2026-06-01"));
    ok(&record(&dir, "di@example.com", COURSE, "2024-01-01"));
    let roster = status_json(&dir, AS_OF);
    assert_eq!(state_of(&roster, "di@example.com", COURSE), "current");
}

#[test]
fn the_store_roster_matches_the_rule() {
    let (_tmp, dir) = workspace();
    boundary_roster(&dir);
    let as_of: NaiveDate = AS_OF.parse().unwrap();
    let roster = open(&dir).training_roster(as_of).unwrap();
    let states: Vec<(&str, TrainingState)> = roster
        .iter()
        .map(|entry| (entry.email.as_str(), entry.state))
        .collect();
    assert_eq!(
        states,
        [
            ("ana@example.com", TrainingState::Expiring),
            ("bo@example.com", TrainingState::Expiring),
            ("cy@example.com", TrainingState::Current),
            ("di@example.com", TrainingState::Expired),
            ("ed@example.com", TrainingState::Missing),
        ]
    );
    assert_eq!(roster[0].expires_on, Some(as_of));
    assert_eq!(roster[4].completed_on, None);
}

#[test]
fn status_json_has_the_documented_keys_and_null_dates_when_missing() {
    let (_tmp, dir) = workspace();
    boundary_roster(&dir);
    let roster = status_json(&dir, AS_OF);
    assert_eq!(roster.len(), 5);
    for entry in &roster {
        let mut keys: Vec<&str> = entry
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "completed_on",
                "course",
                "email",
                "expires_on",
                "name",
                "state"
            ]
        );
    }
    let ana = &roster[0];
    assert_eq!(ana["name"], "Ana");
    assert_eq!(ana["completed_on"], "2025-11-28");
    assert_eq!(ana["expires_on"], "2026-11-28");
    let ed = &roster[4];
    assert_eq!(ed["completed_on"], Value::Null);
    assert_eq!(ed["expires_on"], Value::Null);
    assert_eq!(ed["state"], "missing");
}

#[test]
fn status_prints_a_table_and_a_count_per_state() {
    let (_tmp, dir) = workspace();
    boundary_roster(&dir);
    let run = lockstep(&dir, &["training", "status", "--as-of", AS_OF]);
    ok(&run);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{}", run.stdout);
    assert!(lines[0].ends_with("STATE"), "{}", run.stdout);
    // Aligned: every row's state starts where the header's does.
    let column = lines[0].find("STATE").unwrap();
    for line in &lines[1..6] {
        assert!(
            ["current", "expiring", "expired", "missing"]
                .iter()
                .any(|state| line[column..].starts_with(state)),
            "{line}"
        );
    }
    assert_eq!(
        lines.last().unwrap(),
        &"as of 2026-11-28: 1 current, 2 expiring, 1 expired, 1 missing"
    );
}

#[test]
fn people_taken_off_the_roster_are_left_out_of_the_status() {
    let (_tmp, dir) = workspace();
    boundary_roster(&dir);
    ok(&lockstep(&dir, &["person", "deactivate", "ED@example.com"]));
    let roster = status_json(&dir, AS_OF);
    assert!(
        roster
            .iter()
            .all(|entry| entry["email"] != "ed@example.com")
    );
    let people = lockstep(&dir, &["person", "list", "--json"]);
    ok(&people);
    let ed = people
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == "ed@example.com")
        .cloned()
        .unwrap();
    assert_eq!(ed["active"], false);
}

#[test]
fn a_person_import_stores_good_rows_and_reports_bad_ones_by_line() {
    let (_tmp, dir) = workspace();
    add_person(&dir, "Ana Silva", "ana@example.com");
    let csv = write(
        &dir,
        "people.csv",
        b"Department,EMAIL, Name ,role\n\
          Ops,bo@example.com,Bo Li,SRE\n\
          Ops,cy@example,Cy,\n\
          Ops,di@example.com,,\n\
          Eng,BO@Example.com,Bo Again,\n\
          Eng,Ana@example.com,Ana S,\n\
          \n\
          Eng,ed@example.com,Ed,\n",
    );
    let run = lockstep(&dir, &["person", "import", arg(&csv)]);
    assert_refused(&run);
    assert_eq!(
        row_reports(&run),
        [
            "line 3: 'cy@example' is not an email address: write it as name@example.com",
            "line 4: the name cannot be blank",
            "line 5: the email 'BO@Example.com' is already on line 2",
            "line 6: a person with the email 'ana@example.com' already exists",
        ]
    );
    let people = lockstep(&dir, &["person", "list", "--json"]);
    let people = people.json();
    let emails: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["ana@example.com", "bo@example.com", "ed@example.com"]
    );
    let bo = &people[1];
    assert_eq!(bo["name"], "Bo Li");
    assert_eq!(bo["role"], "SRE");
    assert_eq!(bo["active"], true);
    assert_eq!(actions(&dir), ["person.add", "person.import"]);
    let entry = open(&dir).activity(None, None).unwrap().pop().unwrap();
    assert_eq!(entry.detail["imported"], 2);
    assert_eq!(entry.detail["refused"], 4);
    assert_eq!(entry.detail["rows"], 6);

    // The same file again imports nothing, doubles nothing and logs nothing.
    let again = lockstep(&dir, &["person", "import", arg(&csv)]);
    assert_refused(&again);
    assert_eq!(row_reports(&again).len(), 6, "{again:?}");
    assert!(
        row_reports(&again)
            .contains(&"line 2: a person with the email 'bo@example.com' already exists")
    );
    assert_eq!(open(&dir).people().unwrap().len(), 3);
    assert_eq!(actions(&dir), ["person.add", "person.import"]);
}

#[test]
fn a_person_import_without_a_role_column_is_accepted() {
    let (_tmp, dir) = workspace();
    let csv = write(&dir, "people.csv", b"name,email\nBo,bo@example.com\n");
    let run = lockstep(&dir, &["person", "import", arg(&csv)]);
    ok(&run);
    assert_eq!(run.stderr, "");
    assert_eq!(open(&dir).people().unwrap()[0].role, "");
}

#[test]
fn a_training_import_stores_good_rows_and_reports_bad_ones_by_line() {
    let (_tmp, dir) = workspace();
    add_course(&dir, COURSE, "365");
    add_person(&dir, "Ana", "ana@example.com");
    add_person(&dir, "Bo", "bo@example.com");
    ok(&record(&dir, "bo@example.com", COURSE, "2026-01-05"));
    let csv = write(
        &dir,
        "training.csv",
        b"completed_on,email,course,score\n\
          2026-03-01,ana@example.com,security awareness,90\n\
          2027-02-30,ana@example.com,Security awareness,\n\
          2026-03-01,zoe@example.com,Security awareness,\n\
          2026-03-01,ana@example.com,Fire safety,\n\
          2026-03-01,ANA@example.com,Security Awareness,\n\
          2026-01-05,bo@example.com,Security awareness,\n\
          2026-03-01,not-an-email,Security awareness,\n\
          2025-03-01,bo@example.com,Security awareness,\n",
    );
    let run = lockstep(&dir, &["training", "import", arg(&csv)]);
    assert_refused(&run);
    assert_eq!(
        row_reports(&run),
        [
            "line 3: '2027-02-30' is not a date: write it as YYYY-MM-DD, for example 2027-03-01",
            "line 4: no person has the email 'zoe@example.com': add them with `lockstep person add`",
            "line 5: no course is named 'Fire safety': add it with `lockstep course add`",
            "line 6: ana@example.com completing Security awareness on 2026-03-01 is already on line 2",
            "line 7: bo@example.com already has Security awareness completed on 2026-01-05 recorded",
            "line 8: 'not-an-email' is not an email address: write it as name@example.com",
        ]
    );
    let records = open(&dir).training_records().unwrap();
    let stored: Vec<(&str, String)> = records
        .iter()
        .map(|r| (r.email.as_str(), r.completed_on.to_string()))
        .collect();
    assert_eq!(
        stored,
        [
            ("ana@example.com", "2026-03-01".to_string()),
            ("bo@example.com", "2025-03-01".to_string()),
            ("bo@example.com", "2026-01-05".to_string()),
        ]
    );
    assert_eq!(records[0].course, COURSE);
    assert_eq!(records[0].name, "Ana");
    assert_eq!(records[0].expires_on.to_string(), "2027-03-01");
    assert_eq!(records[0].certificate_sha256, None);
    assert_eq!(
        actions(&dir),
        [
            "course.add",
            "person.add",
            "person.add",
            "training.record",
            "training.import"
        ]
    );

    let again = lockstep(&dir, &["training", "import", arg(&csv)]);
    assert_refused(&again);
    assert_eq!(open(&dir).training_records().unwrap().len(), 3);
    assert_eq!(actions(&dir).len(), 5);
}

/// Runs an import that must be refused whole and checks it stored and logged nothing.
fn assert_import_refused_whole(dir: &Path, kind: &str, content: &[u8], words: &str) -> Run {
    let csv = write(dir, "import.csv", content);
    let before = actions(dir);
    let run = lockstep(dir, &[kind, "import", arg(&csv)]);
    assert_refused(&run);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{run:?}");
    assert!(run.stderr.contains(words), "{run:?}");
    assert!(run.stderr.contains("import.csv"), "{run:?}");
    assert_eq!(actions(dir), before);
    let store = open(dir);
    assert!(store.people().unwrap().len() <= 1);
    assert!(store.training_records().unwrap().is_empty());
    run
}

#[test]
fn a_missing_column_refuses_the_whole_file() {
    let (_tmp, dir) = workspace();
    add_course(&dir, COURSE, "365");
    add_person(&dir, "Ana", "ana@example.com");
    assert_import_refused_whole(
        &dir,
        "person",
        b"name,mail\nBo,bo@example.com\n",
        "no 'email' column",
    );
    assert_import_refused_whole(
        &dir,
        "training",
        b"email,course\nana@example.com,Security awareness\n",
        "no 'completed_on' column",
    );
}

#[test]
fn a_file_that_is_not_utf8_refuses_the_whole_file() {
    let (_tmp, dir) = workspace();
    add_person(&dir, "Ana", "ana@example.com");
    assert_import_refused_whole(
        &dir,
        "person",
        b"name,email\nBo,bo@example.com\nJos\xe9,jose@example.com\n",
        "not UTF-8",
    );
}

#[test]
fn an_empty_file_is_refused_and_a_header_alone_imports_nothing() {
    let (_tmp, dir) = workspace();
    add_person(&dir, "Ana", "ana@example.com");
    assert_import_refused_whole(&dir, "person", b"", "empty");
    assert_import_refused_whole(&dir, "training", b"\n  \n", "empty");
    let csv = write(&dir, "header.csv", b"name,email,role\n");
    let before = actions(&dir);
    let run = lockstep(&dir, &["person", "import", arg(&csv)]);
    ok(&run);
    assert!(run.stdout.contains("nothing to import"), "{run:?}");
    assert_eq!(actions(&dir), before);
}

#[test]
fn a_malformed_email_is_refused() {
    let (_tmp, dir) = workspace();
    for bad in ["ana", "ana@example", "a b@example.com", "@example.com"] {
        let run = lockstep(&dir, &["person", "add", "Ana", "--email", bad]);
        assert_refused(&run);
        assert!(run.stderr.contains("is not an email address"), "{run:?}");
    }
    assert!(open(&dir).people().unwrap().is_empty());
    assert!(actions(&dir).is_empty());
}

#[test]
fn an_email_taken_in_another_case_is_refused() {
    let (_tmp, dir) = workspace();
    add_person(&dir, "Ana", "ana@example.com");
    let run = lockstep(
        &dir,
        &["person", "add", "Ana B", "--email", "ANA@Example.COM"],
    );
    assert_refused(&run);
    assert!(
        run.stderr
            .contains("a person with the email 'ana@example.com' already exists"),
        "{run:?}"
    );
    assert_eq!(open(&dir).people().unwrap().len(), 1);
    assert_eq!(actions(&dir), ["person.add"]);
}

#[test]
fn a_recurrence_of_zero_or_fewer_days_is_refused() {
    let (_tmp, dir) = workspace();
    for days in ["0", "-30"] {
        let run = lockstep(&dir, &["course", "add", COURSE, "--every-days", days]);
        assert_refused(&run);
        assert_eq!(
            run.stderr.trim_end(),
            format!("lockstep: a course must recur every 1 day or more, not {days}")
        );
    }
    assert!(open(&dir).courses().unwrap().is_empty());
    assert!(actions(&dir).is_empty());
}

#[test]
fn a_course_name_taken_in_another_case_is_refused() {
    let (_tmp, dir) = workspace();
    add_course(&dir, COURSE, "365");
    let run = lockstep(
        &dir,
        &["course", "add", "SECURITY awareness", "--every-days", "30"],
    );
    assert_refused(&run);
    assert!(run.stderr.contains("already exists"), "{run:?}");
    let courses = open(&dir).courses().unwrap();
    assert_eq!(courses.len(), 1);
    assert_eq!(courses[0].every_days, 365);
}

#[test]
fn a_completion_for_an_unknown_person_or_course_is_refused() {
    let (_tmp, dir) = workspace();
    add_course(&dir, COURSE, "365");
    add_person(&dir, "Ana", "ana@example.com");
    let person = record(&dir, "zoe@example.com", COURSE, "2026-01-01");
    assert_refused(&person);
    assert!(
        person
            .stderr
            .contains("no person has the email 'zoe@example.com'")
    );
    let course = record(&dir, "ana@example.com", "Fire safety", "2026-01-01");
    assert_refused(&course);
    assert!(course.stderr.contains("no course is named 'Fire safety'"));
    assert!(open(&dir).training_records().unwrap().is_empty());
    assert_eq!(actions(&dir), ["course.add", "person.add"]);
}

#[test]
fn an_impossible_completion_date_is_refused() {
    let (_tmp, dir) = workspace();
    add_course(&dir, COURSE, "365");
    add_person(&dir, "Ana", "ana@example.com");
    let run = record(&dir, "ana@example.com", COURSE, "2027-02-30");
    assert_refused(&run);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{run:?}");
    assert!(run.stderr.contains("'2027-02-30' is not a date"), "{run:?}");
    assert!(open(&dir).training_records().unwrap().is_empty());
}

#[test]
fn the_same_completion_twice_is_reported_and_not_doubled() {
    let (_tmp, dir) = workspace();
    add_course(&dir, COURSE, "365");
    add_person(&dir, "Ana", "ana@example.com");
    ok(&record(&dir, "ana@example.com", COURSE, "2026-01-01"));
    let run = record(&dir, "ANA@example.com", "security awareness", "2026-01-01");
    assert_refused(&run);
    assert!(
        run.stderr.contains(
            "ana@example.com already has Security awareness completed on 2026-01-01 recorded"
        ),
        "{run:?}"
    );
    assert_eq!(open(&dir).training_records().unwrap().len(), 1);
}

#[test]
fn a_certificate_is_kept_in_the_vault_under_its_hash() {
    let (_tmp, dir) = workspace();
    add_course(&dir, COURSE, "365");
    add_person(&dir, "Ana", "ana@example.com");
    let content = b"%PDF-1.4 certificate of completion for Ana";
    let certificate = write(&dir, "ana-certificate.pdf", content);
    let run = lockstep(
        &dir,
        &[
            "training",
            "record",
            "--email",
            "ana@example.com",
            "--course",
            COURSE,
            "--completed",
            "2026-02-01",
            "--certificate",
            arg(&certificate),
        ],
    );
    ok(&run);
    let sha = lockstep::model::hex(&Sha256::digest(content));
    let blob = dir.join("vault/sha256").join(&sha[..2]).join(&sha[2..]);
    assert_eq!(fs::read(&blob).unwrap(), content);
    assert!(files_under(&dir.join("vault/tmp")).is_empty());
    let records = open(&dir).training_records().unwrap();
    assert_eq!(records[0].certificate_sha256.as_deref(), Some(sha.as_str()));
    assert_eq!(
        records[0].certificate_name.as_deref(),
        Some("ana-certificate.pdf")
    );
    assert_eq!(records[0].expires_on.to_string(), "2027-02-01");
    let entry = open(&dir).activity(None, None).unwrap().pop().unwrap();
    assert_eq!(entry.action.name(), "training.record");
    assert_eq!(entry.detail["certificate_sha256"], sha.as_str());
    ok(&lockstep(&dir, &["verify"]));
}

#[test]
fn a_refused_completion_leaves_its_certificate_out_of_the_vault() {
    let (_tmp, dir) = workspace();
    add_course(&dir, COURSE, "365");
    add_person(&dir, "Ana", "ana@example.com");
    let certificate = write(&dir, "certificate.pdf", b"certificate");
    for (email, course) in [
        ("zoe@example.com", COURSE),
        ("ana@example.com", "Fire safety"),
    ] {
        let run = lockstep(
            &dir,
            &[
                "training",
                "record",
                "--email",
                email,
                "--course",
                course,
                "--completed",
                "2026-02-01",
                "--certificate",
                arg(&certificate),
            ],
        );
        assert_refused(&run);
    }
    let missing = dir.parent().unwrap().join("no-such-certificate.pdf");
    let run = lockstep(
        &dir,
        &[
            "training",
            "record",
            "--email",
            "ana@example.com",
            "--course",
            COURSE,
            "--completed",
            "2026-02-01",
            "--certificate",
            arg(&missing),
        ],
    );
    assert_refused(&run);
    assert!(run.stderr.contains("no such file"), "{run:?}");
    assert!(files_under(&dir.join("vault")).is_empty());
    assert!(open(&dir).training_records().unwrap().is_empty());
    assert_eq!(actions(&dir), ["course.add", "person.add"]);
}

#[test]
fn every_command_writes_one_activity_row_and_refused_ones_write_none() {
    let (_tmp, dir) = workspace();
    let people = write(&dir, "people.csv", b"name,email\nBo,bo@example.com\n");
    let training = write(
        &dir,
        "training.csv",
        b"email,course,completed_on\nbo@example.com,Security awareness,2026-01-01\n",
    );
    let steps: [(&[&str], &str); 7] = [
        (
            &["person", "add", "Ana", "--email", "ana@example.com"],
            "person.add",
        ),
        (&["person", "import", arg(&people)], "person.import"),
        (
            &["course", "add", COURSE, "--every-days", "365"],
            "course.add",
        ),
        (
            &[
                "training",
                "record",
                "--email",
                "ana@example.com",
                "--course",
                COURSE,
                "--completed",
                "2026-01-01",
            ],
            "training.record",
        ),
        (&["training", "import", arg(&training)], "training.import"),
        (&["person", "deactivate", "bo@example.com"], "person.active"),
        (&["person", "activate", "bo@example.com"], "person.active"),
    ];
    for (args, action) in steps {
        let before = actions(&dir);
        ok(&lockstep(&dir, args));
        let after = actions(&dir);
        assert_eq!(after.len(), before.len() + 1, "{args:?}");
        assert_eq!(after.last().unwrap(), action);
    }
    let entries = open(&dir).activity(None, None).unwrap();
    assert!(
        entries.iter().all(|e| e.summary != e.action.name()),
        "{entries:?}"
    );
    let refused: [&[&str]; 6] = [
        &["person", "add", "Ana", "--email", "ANA@example.com"],
        &["person", "add", " ", "--email", "new@example.com"],
        &["course", "add", COURSE, "--every-days", "365"],
        &["course", "add", "Fire safety", "--every-days", "-1"],
        &[
            "training",
            "record",
            "--email",
            "ana@example.com",
            "--course",
            COURSE,
            "--completed",
            "2026-01-01",
        ],
        &["training", "import", arg(&training)],
    ];
    let before = actions(&dir);
    for args in refused {
        assert_refused(&lockstep(&dir, args));
    }
    // Status and lists only read.
    ok(&lockstep(&dir, &["training", "status"]));
    ok(&lockstep(&dir, &["training", "list", "--json"]));
    ok(&lockstep(&dir, &["person", "activate", "bo@example.com"]));
    assert_eq!(actions(&dir), before);
    ok(&lockstep(&dir, &["verify"]));
}

#[test]
fn the_fingerprint_changes_with_the_roster_and_only_then() {
    let (_tmp, dir) = workspace();
    add_course(&dir, COURSE, "365");
    add_person(&dir, "Ana", "ana@example.com");
    let first = open(&dir).training_fingerprint().unwrap();
    assert_eq!(first.len(), 64);
    ok(&lockstep(&dir, &["training", "status"]));
    assert_eq!(open(&dir).training_fingerprint().unwrap(), first);
    ok(&record(&dir, "ana@example.com", COURSE, "2026-01-01"));
    let second = open(&dir).training_fingerprint().unwrap();
    assert_ne!(second, first);
    ok(&lockstep(
        &dir,
        &["person", "deactivate", "ana@example.com"],
    ));
    assert_ne!(open(&dir).training_fingerprint().unwrap(), second);
    ok(&lockstep(&dir, &["person", "activate", "ana@example.com"]));
    assert_eq!(open(&dir).training_fingerprint().unwrap(), second);
}

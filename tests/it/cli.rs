//! The command line checked from outside: the real binary on a temp workspace, its exit
//! codes, its JSON, and what it prints when it refuses.

use std::fs;
use std::path::Path;

use crate::common::{Run, binary, lockstep, raw, run, today_text, workspace};
use serde_json::Value;

const PROJECT: &str = "Payments platform";

/// Creates the project every test starts from: on ec2, rds and s3, through the CLI.
fn create_project(dir: &Path) {
    let created = lockstep(
        dir,
        &[
            "project",
            "create",
            PROJECT,
            "--services",
            "ec2,rds,s3",
            "--description",
            "SOC 2 scope",
            "--period-start",
            "2027-01-01",
            "--period-end",
            "2027-12-31",
        ],
    );
    assert_eq!(created.code, 0, "{created:?}");
}

fn controls(dir: &Path) -> Vec<Value> {
    let listed = lockstep(dir, &["control", "list", "--project", PROJECT, "--json"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    listed.json().as_array().unwrap().clone()
}

fn control(dir: &Path, id: &str) -> Value {
    controls(dir)
        .into_iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no control {id}"))
}

fn log(dir: &Path) -> Vec<Value> {
    let listed = lockstep(dir, &["log", "--project", PROJECT, "--json"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    listed.json().as_array().unwrap().clone()
}

/// Checks that a run failed on bad input: exit 2, something on stderr, and no panic.
fn assert_refused(run: &Run) {
    assert_eq!(run.code, 2, "{run:?}");
    assert!(!run.stderr.trim().is_empty(), "nothing on stderr: {run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    assert!(!run.stdout.contains("panicked"), "{run:?}");
}

/// Checks that a refusal is one line on stderr.
fn assert_one_line(run: &Run) {
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{run:?}");
}

/// Runs a command that must be refused and checks that the project did not change.
fn assert_refused_unchanged(dir: &Path, args: &[&str]) -> Run {
    let (controls_before, log_before) = (controls(dir), log(dir));
    let refused = lockstep(dir, args);
    assert_refused(&refused);
    assert_eq!(controls(dir), controls_before, "{args:?} changed a control");
    assert_eq!(log(dir), log_before, "{args:?} wrote to the log");
    refused
}

#[test]
fn services_json_lists_every_service_with_its_model() {
    let (_tmp, dir) = workspace();
    let listed = lockstep(&dir, &["services", "--json"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    let services = listed.json();
    let services = services.as_array().unwrap();
    assert!(services.len() >= 25, "only {} services", services.len());
    for service in services {
        assert!(service["id"].as_str().is_some_and(|id| !id.is_empty()));
        assert!(service["name"].as_str().is_some_and(|n| !n.is_empty()));
        assert!(
            ["infrastructure", "managed", "abstracted"]
                .contains(&service["model"].as_str().unwrap()),
            "{service}"
        );
    }
    assert!(services.iter().any(|s| s["id"] == "ec2"));
}

#[test]
fn a_created_project_shows_in_the_list() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let listed = lockstep(&dir, &["project", "list", "--json"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    let projects = listed.json();
    let projects = projects.as_array().unwrap();
    assert_eq!(projects.len(), 1);
    let project = &projects[0];
    assert_eq!(project["name"], PROJECT);
    assert_eq!(project["description"], "SOC 2 scope");
    assert_eq!(project["services"], serde_json::json!(["ec2", "rds", "s3"]));
    assert_eq!(project["period_start"], "2027-01-01");
    assert_eq!(project["period_end"], "2027-12-31");
    assert!(project["controls"].as_u64().unwrap() > 0);
}

#[test]
fn the_workspace_can_come_from_the_environment() {
    let (_tmp, dir) = workspace();
    let mut create = binary();
    create.env("LOCKSTEP_WORKSPACE", &dir).args([
        "project",
        "create",
        "From env",
        "--services",
        "s3",
    ]);
    let created = run(create);
    assert_eq!(created.code, 0, "{created:?}");
    assert!(dir.join("lockstep.db").is_file());

    let mut list = binary();
    list.env("LOCKSTEP_WORKSPACE", &dir)
        .args(["project", "list", "--json"]);
    let listed = run(list);
    assert_eq!(listed.code, 0, "{listed:?}");
    assert_eq!(listed.json()[0]["name"], "From env");
    // The same workspace named on the command line holds the same project.
    assert_eq!(
        lockstep(&dir, &["project", "list", "--json"]).json()[0]["name"],
        "From env"
    );
}

#[test]
fn control_list_json_has_the_documented_fields() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let all = controls(&dir);
    assert!(all.len() >= 40, "only {} controls", all.len());
    for control in &all {
        for text in ["id", "title", "status", "owner"] {
            assert!(control[text].is_string(), "{text} in {control}");
        }
        assert!(
            ["aws", "shared", "customer"].contains(&control["column"].as_str().unwrap()),
            "{control}"
        );
        assert_eq!(control["status"], "not_started");
        assert!(control["due"].is_null(), "{control}");
        assert!(control["services"].is_array(), "{control}");
        assert!(control["nist"].is_array(), "{control}");
        assert_eq!(control["retired"], false);
    }
    let guest = control(&dir, "SRM-CUS-OS-02");
    assert_eq!(guest["services"], serde_json::json!(["ec2"]));

    let listed = lockstep(
        &dir,
        &[
            "control",
            "list",
            "--project",
            PROJECT,
            "--column",
            "shared",
            "--json",
        ],
    );
    assert_eq!(listed.code, 0, "{listed:?}");
    let shared = listed.json();
    let shared = shared.as_array().unwrap();
    assert!(!shared.is_empty());
    assert!(shared.len() < all.len());
    assert!(shared.iter().all(|c| c["column"] == "shared"));
    assert_eq!(
        shared.len(),
        all.iter().filter(|c| c["column"] == "shared").count()
    );
}

#[test]
fn control_set_changes_status_owner_and_due() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let set = lockstep(
        &dir,
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            "SRM-CUS-IAM-03",
            "--status",
            "implemented",
            "--owner",
            "Ana Lima",
            "--due",
            "2027-03-01",
        ],
    );
    assert_eq!(set.code, 0, "{set:?}");
    let changed = control(&dir, "SRM-CUS-IAM-03");
    assert_eq!(changed["status"], "implemented");
    assert_eq!(changed["owner"], "Ana Lima");
    assert_eq!(changed["due"], "2027-03-01");

    let set = lockstep(
        &dir,
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            "SRM-CUS-IAM-04",
            "--status",
            "not_applicable",
            "--reason",
            "Single break-glass admin only",
        ],
    );
    assert_eq!(set.code, 0, "{set:?}");
    let changed = control(&dir, "SRM-CUS-IAM-04");
    assert_eq!(changed["status"], "not_applicable");
    assert_eq!(changed["status_reason"], "Single break-glass admin only");
}

#[test]
fn not_applicable_without_a_reason_is_refused_in_one_line() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let refused = assert_refused_unchanged(
        &dir,
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            "SRM-CUS-IAM-03",
            "--status",
            "not_applicable",
        ],
    );
    assert_one_line(&refused);
    assert!(refused.stderr.contains("reason"), "{refused:?}");
}

#[test]
fn moving_a_control_without_a_reason_is_refused() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let refused = assert_refused_unchanged(
        &dir,
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            "SRM-CUS-IAM-03",
            "--column",
            "aws",
        ],
    );
    assert_one_line(&refused);
    assert!(refused.stderr.contains("reason"), "{refused:?}");
}

#[test]
fn bad_values_for_control_set_are_refused() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let set = |extra: &[&str]| {
        let mut args = vec!["control", "set", "--project", PROJECT];
        args.extend_from_slice(extra);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    for (args, expected) in [
        (
            set(&["SRM-CUS-IAM-03", "--due", "2027-02-30"]),
            "2027-02-30",
        ),
        (set(&["SRM-CUS-IAM-03", "--status", "done"]), "done"),
        (set(&["SRM-CUS-IAM-03", "--column", "vendor"]), "vendor"),
        (
            set(&["SRM-CUS-NOPE-01", "--owner", "ana"]),
            "SRM-CUS-NOPE-01",
        ),
        (set(&["SRM-CUS-IAM-03"]), "nothing to change"),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let refused = assert_refused_unchanged(&dir, &args);
        assert_one_line(&refused);
        assert!(refused.stderr.contains(expected), "{refused:?}");
    }

    let refused = lockstep(
        &dir,
        &[
            "control",
            "set",
            "--project",
            "No such project",
            "SRM-CUS-IAM-03",
            "--owner",
            "ana",
        ],
    );
    assert_refused(&refused);
    assert_one_line(&refused);
    assert!(refused.stderr.contains("No such project"), "{refused:?}");

    let refused = lockstep(
        &dir,
        &[
            "control",
            "list",
            "--project",
            PROJECT,
            "--column",
            "vendor",
            "--json",
        ],
    );
    assert_refused(&refused);
    assert!(refused.stdout.is_empty());
    let refused = lockstep(&dir, &["control", "list", "--project", "Nope", "--json"]);
    assert_refused(&refused);
    assert!(refused.stdout.is_empty());
}

#[test]
fn bad_project_requests_are_refused() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let list = || lockstep(&dir, &["project", "list", "--json"]).stdout;
    let before = list();
    for (args, expected) in [
        (
            vec!["project", "create", "Data lake", "--services", "s3,lamdba"],
            "lamdba",
        ),
        (
            vec!["project", "create", "   ", "--services", "s3"],
            "blank",
        ),
        (
            vec!["project", "create", "PAYMENTS PLATFORM", "--services", "s3"],
            PROJECT,
        ),
        (
            vec![
                "project",
                "create",
                "Data lake",
                "--period-start",
                "2027-12-31",
                "--period-end",
                "2027-01-01",
            ],
            "before it starts",
        ),
        (
            vec!["project", "set-services", PROJECT, "--services", "ec2,ec3"],
            "ec3",
        ),
    ] {
        let refused = lockstep(&dir, &args);
        assert_refused(&refused);
        assert_one_line(&refused);
        assert!(refused.stderr.contains(expected), "{refused:?}");
        assert_eq!(list(), before, "{args:?} changed the projects");
    }
    let refused = lockstep(
        &dir,
        &[
            "project",
            "create",
            "Data lake",
            "--period-start",
            "2027-02-30",
            "--period-end",
            "2027-12-31",
        ],
    );
    assert_refused(&refused);
    assert_eq!(list(), before);
}

#[test]
fn control_add_applies_the_ownership_test() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let add = |title: &str, answers: &[&str]| {
        let mut args = vec!["control", "add", "--project", PROJECT, "--title", title];
        args.extend_from_slice(answers);
        lockstep(&dir, &args)
    };
    let column_of = |title: &str| {
        controls(&dir)
            .into_iter()
            .find(|c| c["title"] == title)
            .unwrap_or_else(|| panic!("no control titled {title}"))["column"]
            .clone()
    };

    let added = add("Colocation cage", &["--can-adjust", "no"]);
    assert_eq!(added.code, 0, "{added:?}");
    assert_eq!(column_of("Colocation cage"), "aws");

    let added = add(
        "Key ceremonies",
        &["--can-adjust", "yes", "--aws-operates-part", "yes"],
    );
    assert_eq!(added.code, 0, "{added:?}");
    assert_eq!(column_of("Key ceremonies"), "shared");

    let added = add(
        "Vendor review",
        &["--can-adjust", "yes", "--aws-operates-part", "no"],
    );
    assert_eq!(added.code, 0, "{added:?}");
    assert_eq!(column_of("Vendor review"), "customer");
    assert!(added.stdout.contains("USR-CUS-01"), "{added:?}");

    let before = controls(&dir);
    let refused = add("Half answered", &["--can-adjust", "yes"]);
    assert_refused(&refused);
    assert_one_line(&refused);
    assert!(
        refused.stderr.contains("--aws-operates-part"),
        "{refused:?}"
    );
    let refused = add("Unsure", &["--can-adjust", "maybe"]);
    assert_refused(&refused);
    assert_eq!(controls(&dir), before);
}

#[test]
fn dropping_a_service_retires_its_controls() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let before = controls(&dir);
    let changed = lockstep(
        &dir,
        &["project", "set-services", PROJECT, "--services", "s3"],
    );
    assert_eq!(changed.code, 0, "{changed:?}");
    let after = controls(&dir);
    assert_eq!(after.len(), before.len(), "retired controls are kept");
    let ec2_only: Vec<&Value> = before
        .iter()
        .filter(|c| c["services"] == serde_json::json!(["ec2"]))
        .collect();
    assert!(!ec2_only.is_empty());
    for old in ec2_only {
        let now = after.iter().find(|c| c["id"] == old["id"]).unwrap();
        assert_eq!(now["retired"], true, "{now}");
    }
    let platform = after.iter().find(|c| c["id"] == "SRM-AWS-PLT-01").unwrap();
    assert_eq!(platform["retired"], false);
    assert_eq!(platform["services"], serde_json::json!(["s3"]));
}

#[test]
fn the_log_has_one_row_per_change() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    let changes: [&[&str]; 4] = [
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            "SRM-CUS-IAM-03",
            "--owner",
            "ana",
            "--due",
            "2027-03-01",
        ],
        &[
            "control",
            "add",
            "--project",
            PROJECT,
            "--title",
            "Vendor review",
            "--can-adjust",
            "no",
        ],
        &["project", "set-services", PROJECT, "--services", "rds,s3"],
        // Setting what is already there changes nothing and logs nothing.
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            "SRM-CUS-IAM-03",
            "--owner",
            "ana",
        ],
    ];
    for args in changes {
        let done = lockstep(&dir, args);
        assert_eq!(done.code, 0, "{done:?}");
    }
    let refused = lockstep(
        &dir,
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            "SRM-CUS-IAM-03",
            "--status",
            "not_applicable",
        ],
    );
    assert_refused(&refused);

    let rows = log(&dir);
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "project.create",
            "control.update",
            "control.add",
            "project.services"
        ]
    );
    for (row, seq) in rows.iter().zip(1..) {
        assert_eq!(row["seq"], seq);
        assert!(row["at"].as_str().is_some_and(|at| !at.is_empty()));
        assert!(row["actor"].as_str().is_some_and(|a| !a.is_empty()));
        assert!(row["detail"].is_object(), "{row}");
        assert_eq!(row["hash"].as_str().unwrap().len(), 64, "{row}");
    }
    assert_eq!(rows[1]["detail"]["changes"].as_array().unwrap().len(), 2);
}

#[test]
fn verify_finds_an_intact_log_and_names_a_tampered_row() {
    let (_tmp, dir) = workspace();
    create_project(&dir);
    for owner in ["ana", "bo"] {
        let done = lockstep(
            &dir,
            &[
                "control",
                "set",
                "--project",
                PROJECT,
                "SRM-CUS-IAM-03",
                "--owner",
                owner,
            ],
        );
        assert_eq!(done.code, 0, "{done:?}");
    }
    let verified = lockstep(&dir, &["verify"]);
    assert_eq!(verified.code, 0, "{verified:?}");
    assert!(verified.stdout.contains("intact"), "{verified:?}");

    raw(&dir)
        .execute(
            r#"UPDATE activity SET detail = '{"changes":[{"field":"owner","from":"","to":"mallory"}]}' WHERE seq = 2"#,
            [],
        )
        .unwrap();
    let verified = lockstep(&dir, &["verify"]);
    assert_eq!(verified.code, 1, "{verified:?}");
    assert!(verified.stdout.contains("row 2"), "{verified:?}");
    assert!(!verified.stderr.contains("panicked"), "{verified:?}");
}

#[test]
fn a_workspace_that_is_a_file_is_refused() {
    let (_tmp, dir) = workspace();
    fs::write(&dir, "my notes").unwrap();
    let refused = lockstep(&dir, &["project", "list"]);
    assert_refused(&refused);
    assert_one_line(&refused);
    assert!(refused.stderr.contains("folder"), "{refused:?}");
    assert!(
        refused.stderr.contains(&dir.display().to_string()),
        "{refused:?}"
    );
    assert_eq!(fs::read_to_string(&dir).unwrap(), "my notes");
}

#[test]
fn a_garbage_database_is_refused() {
    let (_tmp, dir) = workspace();
    fs::create_dir(&dir).unwrap();
    let text = "not a database at all\n".repeat(50);
    fs::write(dir.join("lockstep.db"), &text).unwrap();
    let refused = lockstep(&dir, &["project", "list", "--json"]);
    assert_refused(&refused);
    assert_one_line(&refused);
    assert!(refused.stderr.contains("lockstep.db"), "{refused:?}");
    assert!(refused.stdout.is_empty());
    assert_eq!(fs::read_to_string(dir.join("lockstep.db")).unwrap(), text);
}

#[test]
fn settings_show_the_user_name_and_the_local_time_zone_by_default() {
    let (_tmp, dir) = workspace();
    let mut command = binary();
    command
        .env("USER", "ana")
        .arg("--workspace")
        .arg(&dir)
        .args(["settings", "show", "--json"]);
    let shown = run(command);
    assert_eq!(shown.code, 0, "{shown:?}");
    let json = shown.json();
    assert_eq!(json["user_name"], "ana");
    assert_eq!(json["time_zone"], "local");
    assert_eq!(json["today"], today_text(), "{json}");

    let table = lockstep(&dir, &["settings", "show"]);
    assert_eq!(table.code, 0, "{table:?}");
    assert!(table.stdout.contains("time zone  local"), "{table:?}");
}

#[test]
fn setting_the_time_zone_moves_today_and_is_logged() {
    let (_tmp, dir) = workspace();
    // The binary's clock stands at 2026-11-28T09:30:00Z: 23:30 that day at +14:00, 21:30 the
    // day before at -12:00.
    for (zone, shown, today) in [
        ("+14:00", "+14:00", "2026-11-28"),
        ("-12:00", "-12:00", "2026-11-27"),
    ] {
        let set = lockstep(&dir, &["settings", "set-time-zone", zone]);
        assert_eq!(set.code, 0, "{set:?}");
        let json = lockstep(&dir, &["settings", "show", "--json"]).json();
        assert_eq!(json["time_zone"], shown);
        assert_eq!(json["today"], today, "{json}");
    }
    let set = lockstep(&dir, &["settings", "set-time-zone", "UTC"]);
    assert_eq!(set.code, 0, "{set:?}");
    assert_eq!(
        lockstep(&dir, &["settings", "show", "--json"]).json()["time_zone"],
        "+00:00"
    );

    let actions: Vec<String> = raw(&dir)
        .prepare("SELECT action FROM activity ORDER BY seq")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(actions, ["settings.time_zone"; 3]);
}

#[test]
fn a_time_zone_that_is_not_one_is_refused_in_one_line() {
    let (_tmp, dir) = workspace();
    for zone in ["Mars", "+25:00", "Europe/Berlin", ""] {
        let refused = lockstep(&dir, &["settings", "set-time-zone", zone]);
        assert_refused(&refused);
        assert_one_line(&refused);
        assert!(refused.stderr.contains("is not a time zone"), "{refused:?}");
    }
    assert_eq!(
        lockstep(&dir, &["settings", "show", "--json"]).json()["time_zone"],
        "local"
    );
}

#[test]
fn the_user_name_set_is_the_actor_of_later_changes() {
    let (_tmp, dir) = workspace();
    let set = lockstep(&dir, &["settings", "set-user-name", "  Ana Lima "]);
    assert_eq!(set.code, 0, "{set:?}");
    assert_eq!(set.stdout.trim_end(), "user name: Ana Lima");
    create_project(&dir);
    assert_eq!(
        lockstep(&dir, &["settings", "show", "--json"]).json()["user_name"],
        "Ana Lima"
    );
    let entries = log(&dir);
    assert!(
        entries.iter().all(|e| e["actor"] == "Ana Lima"),
        "{entries:?}"
    );

    let refused = lockstep(&dir, &["settings", "set-user-name", " "]);
    assert_refused(&refused);
    assert_one_line(&refused);
    assert!(refused.stderr.contains("cannot be blank"), "{refused:?}");
}

#[test]
fn a_reader_that_stops_early_is_not_an_error_for_json_output() {
    use std::io::Read as _;
    let (_tmp, dir) = workspace();
    create_project(&dir);
    // A log far larger than a pipe holds, so the writer is still writing when it closes.
    let mut store = crate::common::open(&dir);
    let project = store.project_by_name(PROJECT).unwrap().key;
    let id = store.controls(project).unwrap()[0].id.clone();
    for edit in 0..200 {
        let notes = format!("{edit} {}", "x".repeat(1000));
        let patch = lockstep::model::ControlPatch::one(lockstep::model::ControlEdit::Notes(notes));
        store.update_control(project, &id, &patch).unwrap();
    }
    drop(store);
    let mut child = binary()
        .arg("--workspace")
        .arg(&dir)
        .args(["log", "--project", PROJECT, "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, then close the pipe as `head -c 10` would.
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

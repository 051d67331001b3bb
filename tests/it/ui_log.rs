//! Issue 13: the workspace keeps a log to send with a support request: each command, each
//! error with its whole chain, nothing typed into fields; Settings says where it is and
//! opens its folder.

use crate::common::lockstep;
use crate::window::{PROJECT, ScriptedPicker, create_project, harness, open_app_with_picker};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;
use lockstep::app::Dialog;

fn log_text(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("logs").join("lockstep.log")).unwrap()
}

#[test]
fn each_command_and_each_error_with_its_chain_go_to_the_workspace_log() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("workspace");
    let made = lockstep(&dir, &["project", "create", PROJECT, "--services", "ec2"]);
    assert_eq!(made.code, 0, "{made:?}");
    let secret = "door code 4711";
    let set = lockstep(
        &dir,
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            "SRM-CUS-IAM-01",
            "--notes",
            secret,
        ],
    );
    assert_eq!(set.code, 0, "{set:?}");
    let refused = lockstep(
        &dir,
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            "SRM-CUS-IAM-01",
            "--due",
            "2027-02-30",
        ],
    );
    assert_eq!(refused.code, 2, "{refused:?}");

    let log = log_text(&dir);
    assert!(
        log.contains("command started command=project create"),
        "{log}"
    );
    assert!(
        log.contains("command finished command=control set"),
        "{log}"
    );
    // The error as the user saw it, with its causes.
    let shown = refused.stderr.trim().trim_start_matches("lockstep: ");
    let failed = log
        .lines()
        .find(|line| line.contains("command failed"))
        .unwrap_or_else(|| panic!("no failure in {log}"));
    assert!(failed.contains("ERROR"), "{failed}");
    assert!(failed.contains(shown), "{failed} / {shown}");
    assert!(!log.contains(secret), "{log}");
}

#[test]
fn settings_show_the_log_folder_and_open_it() {
    let dir = tempfile::tempdir().unwrap();
    create_project(dir.path());
    let picker = ScriptedPicker::new();
    let (app, opened) = open_app_with_picker(dir.path(), &picker);
    let mut harness = harness(app);
    harness
        .get_by_role_and_label(Role::Button, "Settings")
        .click();
    harness.run();
    assert!(matches!(
        harness.state().state.views.dialog,
        Dialog::Settings(_)
    ));
    let folder = dir.path().join("logs");
    harness.get_by_label(&folder.display().to_string());
    harness
        .get_by_role_and_label(Role::Button, "Open log folder")
        .click();
    harness.run();
    assert_eq!(*opened.lock().unwrap(), [folder]);
}

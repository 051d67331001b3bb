//! "Export OSCAL…" in the window's Project menu: the folder is picked through the injected
//! picker, the files are written by a background job, and a notification names the folder.

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;
use lockstep::app::{Level, PickPurpose};

use crate::window::{
    ScriptedPicker, create_project, finish_background, harness, open_app_with_picker,
};

#[test]
fn export_oscal_in_the_project_menu_writes_the_three_files_into_the_picked_folder() {
    let tmp = tempfile::tempdir().unwrap();
    create_project(tmp.path());
    let folder = tmp.path().join("oscal out");
    let picker = ScriptedPicker::new();
    picker.will_pick(&[&folder]);
    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);

    harness
        .get_by_role_and_label(Role::Button, "Project")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "Export OSCAL…")
        .click();
    harness.step();
    assert_eq!(
        harness.state().state.shell.picking,
        Some(PickPurpose::OscalFolder)
    );
    finish_background(&mut harness);

    assert_eq!(
        picker.titles(),
        vec!["Choose a folder for the OSCAL files".to_string()]
    );
    for name in ["ssp.json", "component-definition.json", "crm.xlsx"] {
        assert!(folder.join(name).is_file(), "{name} is missing");
    }
    let ssp: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("ssp.json")).unwrap()).unwrap();
    assert_eq!(
        ssp["system-security-plan"]["system-characteristics"]["system-name"],
        crate::window::PROJECT
    );
    let note = harness.state().state.shell.notifications.last().unwrap();
    assert_eq!(note.level, Level::Info, "{}", note.text);
    assert!(note.text.contains("oscal out"), "{}", note.text);
    assert_eq!(
        note.file.as_deref(),
        Some(folder.join("ssp.json").as_path())
    );
}

#[test]
fn a_cancelled_folder_dialog_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    create_project(tmp.path());
    let picker = ScriptedPicker::new();
    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);
    let before = harness.state().state.shell.notifications.len();

    harness
        .get_by_role_and_label(Role::Button, "Project")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "Export OSCAL…")
        .click();
    finish_background(&mut harness);

    assert_eq!(harness.state().state.shell.notifications.len(), before);
    assert_eq!(harness.state().state.shell.job, None);
}

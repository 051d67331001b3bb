//! Two people on one workspace: an edit in the window to a control someone else changed
//! after the window loaded it is refused with who and when, and the panel shows their
//! version, never a silent overwrite.

use egui_kittest::kittest::Queryable as _;
use lockstep::app::{App, Command};
use lockstep::model::{ControlEdit, ControlPatch};
use lockstep::store::Store;

use crate::common::fixed_time;
use crate::window::{PROJECT, harness};

const MFA: &str = "SRM-CUS-IAM-03";

#[test]
fn an_edit_to_a_control_changed_meanwhile_is_refused_and_the_panel_shows_theirs() {
    let tmp = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(fixed_time);
    let mut store = Store::open_with_clock(tmp.path(), clock.clone()).unwrap();
    let project = store
        .create_project(&lockstep::store::NewProject {
            name: PROJECT.to_string(),
            services: vec!["ec2".into()],
            ..Default::default()
        })
        .unwrap()
        .key;
    let mut harness = harness(App::open_with(tmp.path().to_path_buf(), clock));
    harness
        .state_mut()
        .apply(Command::SelectControl(Some(MFA.to_string())));
    harness.run();

    // Ben changes the control from the command line while the window shows it.
    store.set_user_name("Ben").unwrap();
    store
        .update_control(
            project,
            MFA,
            &ControlPatch::one(ControlEdit::Notes("Ben's notes".into())),
        )
        .unwrap();

    harness.state_mut().apply(Command::EditControl {
        id: MFA.to_string(),
        patch: ControlPatch::one(ControlEdit::Notes("my notes".into())),
    });
    harness.run();

    let state = &harness.state().state;
    let said = &state.shell.notifications.last().unwrap().text;
    assert!(said.starts_with(&format!("Ben changed {MFA} at")), "{said}");
    let shown = state
        .records
        .controls
        .iter()
        .find(|c| c.id == MFA)
        .map(|c| c.notes.clone());
    assert_eq!(shown.as_deref(), Some("Ben's notes"));
    harness.get_by_label_contains("Ben changed");

    // Now that the window shows Ben's version, the edit goes through.
    harness.state_mut().apply(Command::EditControl {
        id: MFA.to_string(),
        patch: ControlPatch::one(ControlEdit::Notes("my notes".into())),
    });
    let stored = Store::open_with_clock(tmp.path(), std::sync::Arc::new(fixed_time))
        .unwrap()
        .control(project, MFA)
        .unwrap()
        .notes;
    assert_eq!(stored, "my notes");
}

/// A reader's window (the read-only role of a team workspace) shows everything and offers
/// no way to change it.
#[test]
fn a_read_only_window_hides_what_would_change_records() {
    use lockstep::app::View;
    let tmp = tempfile::tempdir().unwrap();
    crate::window::create_project(tmp.path());
    let mut harness = harness(crate::window::open_app(tmp.path()));
    harness.run();
    harness.get_by_label("+ Add control");
    harness.state_mut().state.session.read_only = true;
    harness
        .state_mut()
        .apply(Command::SelectControl(Some(MFA.to_string())));
    harness.state_mut().state.session.read_only = true;
    harness.run();
    harness.get_by_label_contains("Read only: your login may browse");
    for hidden in [
        "+ Add control",
        "AWS services…",
        "+ New project",
        "Attach files…",
    ] {
        assert!(
            harness.query_by_label(hidden).is_none(),
            "{hidden} is shown"
        );
    }
    for (view, hidden) in [
        (View::Training, "Record completion"),
        (View::Patches, "Import patch records…"),
    ] {
        harness.state_mut().apply(Command::ShowView(view));
        harness.state_mut().state.session.read_only = false;
        harness.run();
        harness.get_by_label(hidden);
        harness.state_mut().state.session.read_only = true;
        harness.run();
        assert!(
            harness.query_by_label(hidden).is_none(),
            "{hidden} is shown"
        );
    }
}

//! The System view: what FedRAMP's plan still needs of a baseline project, and its forms —
//! facts, roles, users, documents and parameter values — driven through `egui_kittest` by
//! role and label, checking what the store holds afterwards.

use std::path::Path;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use lockstep::app::{App, View};
use lockstep::model::{AttachmentKind, SystemFact, SystemRole};
use lockstep::store::{NewPerson, NewProject, Store};

use crate::window::{ScriptedPicker, finish_background, harness, open_app_with_picker, open_store};

/// A project on the parameter test baseline (AC-1 and PL-4), with one person; returns its key.
fn baseline_project(dir: &Path) -> i64 {
    let mut store = open_store(dir);
    let profile =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oscal/parameters-profile.json");
    store.import_profile(&profile, None).unwrap();
    let controls = store.baseline_controls("parameters-profile").unwrap();
    store
        .add_person(&NewPerson {
            name: "Olga Owner".into(),
            email: "olga@example.com".into(),
            role: "CTO".into(),
        })
        .unwrap();
    store
        .create_project_on_baseline(
            &NewProject {
                name: "Gov".into(),
                services: vec!["ec2".into(), "s3".into()],
                ..NewProject::default()
            },
            "parameters-profile",
            &controls,
        )
        .unwrap()
        .key
}

fn store<'h>(harness: &'h Harness<'_, App>) -> &'h Store {
    harness.state().store().unwrap()
}

fn click(harness: &mut Harness<'_, App>, role: Role, label: &str) {
    harness.get_by_role_and_label(role, label).scroll_to_me();
    harness.run();
    harness.get_by_role_and_label(role, label).click();
    harness.run();
}

fn type_into(harness: &mut Harness<'_, App>, role: Role, label: &str, text: &str) {
    click(harness, role, label);
    harness.get_by_role_and_label(role, label).type_text(text);
    harness.run();
}

fn choose(harness: &mut Harness<'_, App>, combo: &str, option: &str) {
    click(harness, Role::ComboBox, combo);
    harness.get_by_role_and_label(Role::Button, option).click();
    harness.run();
}

fn needed(harness: &Harness<'_, App>) -> usize {
    harness.state().state.records.system.missing.len()
}

#[test]
fn the_system_view_lists_what_is_needed_and_each_form_gives_it() {
    let tmp = tempfile::tempdir().unwrap();
    let project = baseline_project(tmp.path());
    let picker = ScriptedPicker::new();
    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);
    click(&mut harness, Role::Button, "System");
    assert_eq!(harness.state().state.shell.view, View::System);
    let at_first = needed(&harness);
    assert!(at_first > 20, "{at_first}");
    harness.get_by_label_contains(&format!("still needs {at_first} items"));

    // Facts: typed and chosen, saved together.
    type_into(&mut harness, Role::TextInput, "FedRAMP id", "F1234567890");
    choose(&mut harness, "Cloud service model", "saas");
    click(&mut harness, Role::Button, "Save facts");
    let facts = store(&harness).system_facts(project).unwrap();
    assert_eq!(facts.get(SystemFact::FedrampId), Some("F1234567890"));
    assert_eq!(facts.get(SystemFact::ServiceModel), Some("saas"));
    assert_eq!(needed(&harness), at_first - 2);

    // A role goes to the person chosen.
    choose(
        &mut harness,
        "Authorizing Official",
        "Olga Owner <olga@example.com>",
    );
    let roles = store(&harness).system_roles(project).unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].role, SystemRole::AuthorizingOfficial);

    // A user, with its roles ticked and its levels chosen.
    type_into(&mut harness, Role::TextInput, "Title", "Administrator");
    click(&mut harness, Role::CheckBox, "control-owner");
    choose(&mut harness, "Type", "internal");
    choose(&mut harness, "Privilege", "privileged");
    choose(&mut harness, "Sensitivity", "moderate");
    type_into(
        &mut harness,
        Role::MultilineTextInput,
        "Functions (one per line)",
        "Manages accounts",
    );
    click(&mut harness, Role::Button, "Save user");
    let users = store(&harness).system_users(project).unwrap();
    assert_eq!(
        users.len(),
        1,
        "{:?}",
        harness.state().state.shell.notifications
    );
    assert_eq!(users[0].roles, ["control-owner"]);
    assert_eq!(users[0].functions, ["Manages accounts"]);

    // A parameter's value, saved with Enter in its row.
    type_into(
        &mut harness,
        Role::TextInput,
        "AC-1 ac-01_odp.03",
        "at least annually",
    );
    harness.key_press(egui::Key::Enter);
    harness.run();
    let values = store(&harness).parameter_values(project).unwrap();
    assert_eq!(
        values.get("ac-01_odp.03").map(String::as_str),
        Some("at least annually")
    );

    // A document, picked with the file dialog and attached in the background.
    let guide = tmp.path().join("user guide.pdf");
    std::fs::write(&guide, b"%PDF-1.4 the guide").unwrap();
    picker.will_pick(&[&guide]);
    // The first document row is the user guide.
    harness
        .get_all_by_role_and_label(Role::Button, "Attach…")
        .next()
        .unwrap()
        .click();
    finish_background(&mut harness);
    let attached = store(&harness).attachments(project).unwrap();
    assert_eq!(
        attached.len(),
        1,
        "{:?}",
        harness.state().state.shell.notifications
    );
    assert_eq!(attached[0].kind, AttachmentKind::UsersGuide);
    assert_eq!(picker.titles(), ["User guide"]);
    harness.get_by_label("user guide.pdf");
    assert!(needed(&harness) < at_first - 3);
}

//! Issue 9 in the window: a project on a framework baseline shows why each control is in its
//! column, the statement with its parameter values, the guidance folded and the related SRM
//! controls; the family filter narrows the board; "Import CRM…" imports a provider's CRM as
//! a background job and says what it did.

use std::sync::Arc;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT as _, Queryable as _};
use lockstep::app::App;
use lockstep::model::{Column, Reason};
use lockstep::store::NewProject;

use crate::window::{
    ScriptedPicker, finish_background, harness, notification_texts, open_app, open_app_with_picker,
    open_store,
};

const PROJECT: &str = "Gov cloud";

/// A project on the small baseline of `baselines.rs`, on EC2 and S3; returns its key.
fn create_baseline_project(dir: &std::path::Path) -> i64 {
    open_store(dir)
        .create_project_on_baseline(
            &NewProject {
                name: PROJECT.to_string(),
                services: vec!["ec2".into(), "s3".into()],
                ..NewProject::default()
            },
            "small",
            &crate::baselines::small_baseline(),
        )
        .unwrap()
        .key
}

fn card_count(harness: &Harness<'_, App>, id: &str) -> usize {
    harness
        .query_all(By::new().role(Role::Button).label_contains(id))
        .count()
}

#[test]
fn the_panel_of_a_baseline_control_says_why_and_shows_its_framework_text() {
    let tmp = tempfile::tempdir().unwrap();
    create_baseline_project(tmp.path());
    let mut harness = harness(open_app(tmp.path()));
    harness
        .state_mut()
        .apply(lockstep::app::Command::SelectControl(Some("PE-3".into())));
    harness.run();
    harness.get_by_label("Why this column");
    harness.get_by_label_contains("The built-in SRM controls SRM-AWS-PE-01");
    harness.get_by_label("Statement");
    harness.get_by_label_contains("Physical Access Control: within 30 days.");
    harness.get_by_label("Related SRM controls");
    harness.get_by_label("SRM-AWS-GLB-02");
    // The guidance is folded until asked for.
    assert!(
        harness
            .query_by_label("Guidance for Physical Access Control.")
            .is_none()
    );
    harness.get_by_label("Guidance").click();
    harness.run();
    harness.get_by_label("Guidance for Physical Access Control.");

    // An enhancement shows the control it enhances as context.
    harness
        .state_mut()
        .apply(lockstep::app::Command::SelectControl(Some(
            "AC-2(1)".into(),
        )));
    harness.run();
    harness.get_by_label_contains("Enhances AC-2 Account Management");
}

#[test]
fn the_family_filter_narrows_a_baseline_board() {
    let tmp = tempfile::tempdir().unwrap();
    create_baseline_project(tmp.path());
    let mut harness = harness(open_app(tmp.path()));
    assert_eq!(card_count(&harness, "PL-2"), 1);
    harness
        .get_by_role_and_label(Role::ComboBox, "Filter by family")
        .click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "PE").click();
    harness.run();
    assert_eq!(
        harness.state().state.views.board.filter.family.as_deref(),
        Some("PE")
    );
    assert_eq!(card_count(&harness, "PE-3"), 1);
    assert_eq!(card_count(&harness, "PE-8"), 1);
    assert_eq!(card_count(&harness, "PL-2"), 0);
}

#[test]
fn import_crm_runs_in_the_background_and_places_the_controls_it_names() {
    let tmp = tempfile::tempdir().unwrap();
    let project = create_baseline_project(tmp.path());
    let crm = tmp.path().join("crm.csv");
    std::fs::write(
        &crm,
        "Control ID,Can Be Inherited from CSP,Specific Inheritance and Customer Agency/CSP Responsibilities\n\
         CA-2,Yes,The provider's assessor covers it.\n\
         pl-2,Partial,The customer writes its part of the plan.\n",
    )
    .unwrap();
    let picker = Arc::new(ScriptedPicker::default());
    picker.will_pick(&[crm.as_path()]);
    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);
    harness
        .get_by_role_and_label(Role::Button, "Project")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "Import CRM…")
        .click();
    finish_background(&mut harness);
    harness.get_by_label_contains("Imported 2 of 2 rows of the CRM from crm.csv");
    let store = open_store(tmp.path());
    let ca2 = store.control(project, "CA-2").unwrap();
    assert_eq!(ca2.column, Column::Aws);
    assert!(matches!(ca2.reason, Some(Reason::Crm { .. })));
    assert_eq!(
        store.control(project, "PL-2").unwrap().column,
        Column::Shared
    );
    assert!(picker.titles()[0].contains("Import a CRM"));
}

#[test]
fn a_project_on_the_builtin_set_offers_no_crm_import_nor_family_filter() {
    let tmp = tempfile::tempdir().unwrap();
    crate::window::create_project(tmp.path());
    let mut harness = harness(open_app(tmp.path()));
    harness
        .get_by_role_and_label(Role::Button, "Project")
        .click();
    harness.run();
    assert!(harness.query_by_label("Import CRM…").is_none());
    assert!(
        harness
            .query_by_role_and_label(Role::ComboBox, "Filter by family")
            .is_none()
    );
}

fn oscal_fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/oscal")
        .join(name)
}

/// `name` copied alone into `folder`, so a profile there has no catalog beside it.
fn alone(folder: &std::path::Path, name: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(folder).unwrap();
    let path = folder.join(name);
    std::fs::copy(oscal_fixture(name), &path).unwrap();
    path
}

#[test]
fn a_framework_imports_from_the_new_project_dialog_and_is_offered_by_title() {
    let tmp = tempfile::tempdir().unwrap();
    let workspace = tmp.path().join("ws");
    // The profile comes first and has no catalog beside it: the catalog picked with it
    // goes in first, and the profile resolves against it.
    let profile = alone(&tmp.path().join("profiles"), "tailored-profile.json");
    let catalog = alone(&tmp.path().join("catalogs"), "small-catalog.json");
    let picker = Arc::new(ScriptedPicker::default());
    picker.will_pick(&[profile.as_path(), catalog.as_path()]);
    let (app, _) = open_app_with_picker(&workspace, &picker);
    let mut harness = harness(app);
    harness.get_by_label("+ New project").click();
    harness.run();
    harness.get_by_label_contains("Track a NIST or FedRAMP baseline instead");
    harness
        .get_by_role_and_label(Role::Button, "Import framework…")
        .click();
    finish_background(&mut harness);
    assert!(picker.titles()[0].contains("OSCAL"));
    harness.get_by_label_contains("catalog 'Small Test Catalog'");
    harness.get_by_label_contains("baseline 'Tailored Test Baseline' (3 controls)");
    assert!(matches!(
        harness.state().state.views.dialog,
        lockstep::app::Dialog::NewProject(_)
    ));
    harness
        .get_by_role_and_label(Role::ComboBox, "Baseline")
        .click();
    harness.run();
    harness
        .get_by_label("Tailored Test Baseline (3 controls)")
        .click();
    harness.run();
    match &harness.state().state.views.dialog {
        lockstep::app::Dialog::NewProject(form) => {
            assert_eq!(form.baseline.as_deref(), Some("tailored-profile"));
        }
        other => panic!("the New project dialog closed: {other:?}"),
    }
}

#[test]
fn a_file_that_is_no_framework_is_refused_while_the_others_import() {
    let tmp = tempfile::tempdir().unwrap();
    let workspace = tmp.path().join("ws");
    let catalog = alone(&tmp.path().join("in"), "small-catalog.json");
    let stray = alone(&tmp.path().join("in"), "not-oscal.json");
    let picker = Arc::new(ScriptedPicker::default());
    picker.will_pick(&[stray.as_path(), catalog.as_path()]);
    let (app, _) = open_app_with_picker(&workspace, &picker);
    let mut harness = harness(app);
    harness
        .get_by_role_and_label(Role::Button, "Project")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "Import framework…")
        .click();
    finish_background(&mut harness);
    let said = notification_texts(&harness);
    assert!(
        said.iter()
            .any(|t| t.starts_with("Not imported: not-oscal.json")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|t| t.contains("catalog 'Small Test Catalog'")),
        "{said:?}"
    );
    assert_eq!(open_store(&workspace).catalogs().unwrap().len(), 1);
}

#[test]
fn a_project_without_services_is_refused_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let mut harness = harness(open_app(tmp.path()));
    harness.get_by_label("+ New project").click();
    harness.run();
    harness.get_by_label("Name the project to create it.");
    harness
        .get_by_role_and_label(Role::TextInput, "Name")
        .type_text("Payments");
    harness.run();
    let create = harness.get_by_label("Create project (0 services)");
    assert!(create.accesskit_node().is_disabled());
    harness.get_by_label_contains("Choose the AWS services the project uses");
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert!(open_store(tmp.path()).projects().unwrap().is_empty());
}

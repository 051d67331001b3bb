//! The Findings view: importing exports by the picker and by dropping them, the table's
//! order and filters, a deviation asked for and a milestone planned through the detail
//! pane's forms, a person's evaluation recorded, and "Export POA&M…" writing the files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::window::{
    ScriptedPicker, create_project, finish_background, harness, open_app, open_app_with_picker,
    open_store,
};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use lockstep::app::{App, View};
use lockstep::model::{DeviationKind, DeviationState};
use serde_json::json;

fn inspector(dir: &Path) -> PathBuf {
    let finding = |id: &str, severity: &str, cve: &str, first: &str| {
        json!({
            "findingArn": format!("arn:aws:inspector2:us-east-1:111122223333:finding/{id}"),
            "awsAccountId": "111122223333",
            "type": "PACKAGE_VULNERABILITY",
            "severity": severity,
            "status": "ACTIVE",
            "firstObservedAt": first,
            "lastObservedAt": "2026-11-20T08:00:00Z",
            "title": format!("{cve} - openssl"),
            "packageVulnerabilityDetails": {
                "vulnerabilityId": cve,
                "vulnerablePackages": [{"name": "openssl", "version": "3.0.1", "fixedInVersion": "3.0.9"}]
            },
            "resources": [{"id": format!("i-{id}"), "type": "AWS_EC2_INSTANCE"}]
        })
    };
    let path = dir.join("inspector.json");
    let document = json!({"findings": [
        finding("low1", "LOW", "CVE-2026-0001", "2026-11-10T00:00:00Z"),
        finding("crit1", "CRITICAL", "CVE-2026-0002", "2026-10-01T00:00:00Z"),
        finding("med1", "MEDIUM", "CVE-2026-0003", "2026-11-15T00:00:00Z"),
    ]});
    std::fs::write(&path, serde_json::to_vec(&document).unwrap()).unwrap();
    path
}

fn shown(harness: &egui_kittest::Harness<'_, App>) -> Vec<String> {
    let state = &harness.state().state;
    state
        .views
        .findings
        .rows
        .iter()
        .map(|n| state.records.findings[*n].id.clone())
        .collect()
}

fn imported(dir: &Path) -> i64 {
    let project = create_project(dir);
    let file = inspector(dir);
    let mut store = open_store(dir);
    let vault = lockstep::vault::Vault::open(&dir.join(lockstep::store::VAULT_DIR)).unwrap();
    lockstep::workspace::import_findings(
        &mut store,
        &vault,
        (project, false),
        (&file, None),
        &std::sync::atomic::AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    project
}

#[test]
fn an_export_picked_fills_the_table_most_severe_first_and_the_filters_narrow_it() {
    let dir = tempfile::tempdir().unwrap();
    create_project(dir.path());
    let file = inspector(dir.path());
    let picker = ScriptedPicker::new();
    let (app, _) = open_app_with_picker(dir.path(), &picker);
    let mut harness = harness(app);
    harness.get_by_label("Findings").click();
    harness.run();
    assert_eq!(harness.state().state.shell.view, View::Findings);
    harness.get_by_label_contains("No findings yet. Import what AWS's tools export");
    picker.will_pick(&[&file]);
    harness.get_by_label("Import findings…").click();
    finish_background(&mut harness);
    let ids = shown(&harness);
    assert_eq!(ids.len(), 3);
    let state = &harness.state().state;
    let first = state
        .records
        .findings
        .iter()
        .find(|f| f.id == ids[0])
        .unwrap();
    assert_eq!(first.vulnerability, "CVE-2026-0002", "critical first");
    assert!(
        state
            .shell
            .notifications
            .iter()
            .any(|n| n.text.contains("inspector.json") && n.text.contains("3 new")),
        "{:?}",
        state.shell.notifications
    );
    harness.get_by_label_contains("1 late");
    harness
        .get_by_role_and_label(Role::TextInput, "Search")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Search")
        .type_text("0003");
    harness.run();
    assert_eq!(shown(&harness).len(), 1);
    harness.get_by_label_contains("1 of 3 shown");
}

#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn an_export_dropped_on_the_findings_view_is_imported_not_attached() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    let file = inspector(dir.path());
    let mut harness = harness(open_app(dir.path()));
    harness.get_by_label("Findings").click();
    harness.run();
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(DroppedPath(file)));
    finish_background(&mut harness);
    assert_eq!(shown(&harness).len(), 3);
    let store = open_store(dir.path());
    assert_eq!(store.findings(project, store.today()).unwrap().len(), 3);
    assert!(
        store
            .evidence(project, None)
            .unwrap()
            .iter()
            .all(|e| e.file_name == "inspector.json"),
        "filed as the import's evidence, never attached as a file of a control"
    );
}

#[test]
fn a_deviation_and_a_milestone_are_asked_for_through_the_detail_pane() {
    let dir = tempfile::tempdir().unwrap();
    let project = imported(dir.path());
    let mut harness = harness(open_app(dir.path()));
    harness.get_by_label("Findings").click();
    harness.run();
    let id = shown(&harness)[0].clone();
    harness.get_by_label(&id).click();
    harness.run();
    harness.get_by_label("Ask for a deviation").click();
    harness.run();
    assert!(
        harness
            .get_by_label("Ask for deviation")
            .accesskit_node()
            .is_disabled(),
        "no rationale, nothing to ask"
    );
    harness
        .get_by_role_and_label(Role::MultilineTextInput, "Rationale")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::MultilineTextInput, "Rationale")
        .type_text("The scanner reads the package name; the binary is patched by the vendor.");
    harness.run();
    harness.get_by_label("Ask for deviation").click();
    harness.run();
    let finding = open_store(dir.path()).finding(project, &id).unwrap();
    let deviation = finding.deviation.expect("the deviation is recorded");
    assert_eq!(deviation.kind, DeviationKind::FalsePositive);
    assert_eq!(deviation.state, DeviationState::Requested);
    harness.get_by_label_contains("asked for, awaiting sign-off");

    harness.get_by_label("Plan a milestone").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Due")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Due")
        .type_text("2026-12-20");
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Step")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Step")
        .type_text("Upgrade openssl on the web tier");
    harness.run();
    harness.get_by_label("Plan milestone").click();
    harness.run();
    let finding = open_store(dir.path()).finding(project, &id).unwrap();
    assert_eq!(finding.milestones.len(), 1);
    assert_eq!(finding.milestones[0].due.to_string(), "2026-12-20");
    harness.get_by_label("Upgrade openssl on the web tier");
}

#[test]
fn export_poam_in_the_project_menu_writes_the_files_into_the_folder_picked() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let out = dir.path().join("poam-out");
    std::fs::create_dir_all(&out).unwrap();
    let picker = ScriptedPicker::new();
    let (app, _) = open_app_with_picker(dir.path(), &picker);
    let mut harness = harness(app);
    picker.will_pick(&[&out]);
    harness
        .get_by_role_and_label(Role::Button, "Project")
        .click();
    harness.run();
    harness.get_by_label("Export POA&M…").click();
    finish_background(&mut harness);
    assert!(out.join("poam.json").is_file());
    assert!(out.join("poam.xlsx").is_file());
    let notes = &harness.state().state.shell.notifications;
    assert!(
        notes
            .iter()
            .any(|n| n.text.contains("POA&M written (3 open, 0 closed items)")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n
            .text
            .contains("vulnerability detail report was not written")
            && n.text.contains("package URI")),
        "{notes:?}"
    );
}

//! The window's flows, driven through `egui_kittest` the way a screen reader finds widgets:
//! by role and label. Each flow runs on a fresh temp workspace with a fixed clock and a
//! fixed "today", and checks what the store holds afterwards, not only what is drawn.

use std::path::Path;
use std::sync::Arc;

use crate::window::{PROJECT, clock, create_project, harness, newest_note, open_app, today};
use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT as _, Queryable as _};
use lockstep::app::{App, Dialog};
use lockstep::catalog::Baseline;
use lockstep::model::{ControlEdit, ControlPatch, Status};
use lockstep::store::Store;

const MFA: &str = "SRM-CUS-IAM-03";
const MFA_CARD: &str = "SRM-CUS-IAM-03 Multi-factor authentication";
const ROOT_CARD: &str = "SRM-CUS-IAM-01 Root account protection";
const SEARCH_HINT: &str = "Search id, title";

fn store<'h>(harness: &'h Harness<'_, App>) -> &'h Store {
    harness.state().store().unwrap()
}

fn status_of(harness: &Harness<'_, App>, project: i64, id: &str) -> Status {
    store(harness).control(project, id).unwrap().status
}

/// The control panel's combo box with this label: the filter bar has its own.
fn panel_combo<'h>(harness: &'h Harness<'_, App>, label: &'h str) -> egui_kittest::Node<'h> {
    harness.get_by_role_and_label(Role::ComboBox, label)
}

fn open_card(harness: &mut Harness<'_, App>, card: &str) {
    harness.get_by_role_and_label(Role::Button, card).click();
    harness.run();
}

fn choose_status(harness: &mut Harness<'_, App>, status: Status) {
    panel_combo(harness, "Status").click();
    harness.run();
    harness
        .get(By::new().role(Role::Button).label_contains(status.label()))
        .click();
    harness.run();
}

fn search_field<'h>(harness: &'h Harness<'_, App>) -> egui_kittest::Node<'h> {
    harness.get(By::new().role(Role::TextInput).predicate(|node| {
        node.data()
            .placeholder()
            .is_some_and(|hint| hint.starts_with(SEARCH_HINT))
    }))
}

fn has_card(harness: &Harness<'_, App>, card: &str) -> bool {
    harness
        .query_by_role_and_label(Role::Button, card)
        .is_some()
}

#[test]
fn first_run_creates_a_project_from_the_dialog() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(open_app(dir.path()));
    harness.get_by_label("Get ready for your AWS security audit");
    // Issue 13: one way in, the big button under the text; the top bar offers it only once
    // there is a project.
    let buttons = harness
        .get_all_by_label("+ New project")
        .collect::<Vec<_>>();
    assert_eq!(buttons.len(), 1);
    buttons[0].click();
    harness.run();
    assert!(matches!(
        harness.state().state.views.dialog,
        Dialog::NewProject(_)
    ));

    harness
        .get_by_role_and_label(Role::TextInput, "Name")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Name")
        .type_text(PROJECT);
    harness.run();
    for service in ["Amazon EC2", "Amazon RDS", "Amazon S3"] {
        harness.get_by_label(service).scroll_to_me();
        harness.run();
        harness.get_by_label(service).click();
        harness.run();
    }
    harness.get_by_label("Create project (3 services)").click();
    harness.run();

    let store = store(&harness);
    let project = store.project_by_name(PROJECT).unwrap();
    assert_eq!(project.services, ["ec2", "rds", "s3"]);
    let stored: Vec<String> = store
        .controls(project.key)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let planned: Vec<String> = Baseline::builtin()
        .plan(&project.services)
        .iter()
        .map(|p| p.template.id.clone())
        .collect();
    assert!(!stored.is_empty());
    assert_eq!(stored, planned);
    assert_eq!(harness.state().state.views.dialog, Dialog::None);
    for heading in ["AWS", "Shared", "Customer"] {
        harness.get_by_label(heading);
    }
    assert!(has_card(&harness, MFA_CARD));
}

#[test]
fn changing_status_in_the_panel_is_saved_and_ctrl_z_undoes_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    let mut harness = harness(open_app(dir.path()));
    open_card(&mut harness, MFA_CARD);
    assert_eq!(harness.state().state.shell.selected.as_deref(), Some(MFA));

    choose_status(&mut harness, Status::InProgress);
    assert_eq!(status_of(&harness, project, MFA), Status::InProgress);
    let history = store(&harness).activity(Some(project), Some(MFA)).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].action.name(), "control.update");

    assert!(!harness.ctx.egui_wants_keyboard_input());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(status_of(&harness, project, MFA), Status::NotStarted);
    assert_eq!(
        store(&harness)
            .activity(Some(project), Some(MFA))
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn ctrl_z_works_while_a_combo_box_has_the_keyboard_focus_but_not_while_typing() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    let mut harness = harness(open_app(dir.path()));
    open_card(&mut harness, MFA_CARD);
    choose_status(&mut harness, Status::Implemented);
    assert_eq!(status_of(&harness, project, MFA), Status::Implemented);

    // In a text field Ctrl+Z belongs to the field: the control stays as it is.
    harness
        .get_by_role_and_label(Role::TextInput, "Owner")
        .click();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(status_of(&harness, project, MFA), Status::Implemented);

    // A keyboard user who tabbed to the status box is not typing.
    panel_combo(&harness, "Status").focus();
    harness.run();
    assert!(panel_combo(&harness, "Status").is_focused());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(status_of(&harness, project, MFA), Status::NotStarted);
}

#[test]
fn not_applicable_asks_for_a_reason_and_saves_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    let mut harness = harness(open_app(dir.path()));
    open_card(&mut harness, MFA_CARD);

    choose_status(&mut harness, Status::NotApplicable);
    // Nothing is written until a reason is given.
    assert_eq!(status_of(&harness, project, MFA), Status::NotStarted);
    let reason = harness.get_by_role_and_label(Role::TextInput, "Why does it not apply?");
    assert!(reason.is_focused());
    reason.type_text("Console access is through SSO only");
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Save").click();
    harness.run();

    let control = store(&harness).control(project, MFA).unwrap();
    assert_eq!(control.status, Status::NotApplicable);
    assert_eq!(control.status_reason, "Console access is through SSO only");
    assert!(
        harness
            .query_by_role_and_label(Role::TextInput, "Why does it not apply?")
            .is_none()
    );
}

#[test]
fn owner_is_saved_on_enter_and_on_tab() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    let mut harness = harness(open_app(dir.path()));
    open_card(&mut harness, MFA_CARD);

    harness
        .get_by_role_and_label(Role::TextInput, "Owner")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Owner")
        .type_text("Dana");
    harness.run();
    // Typing alone saves nothing.
    assert_eq!(store(&harness).control(project, MFA).unwrap().owner, "");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(store(&harness).control(project, MFA).unwrap().owner, "Dana");

    harness
        .get_by_role_and_label(Role::TextInput, "Owner")
        .click();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_by_role_and_label(Role::TextInput, "Owner")
        .type_text("Priya");
    harness.run();
    harness.key_press(Key::Tab);
    harness.run();
    assert_eq!(
        store(&harness).control(project, MFA).unwrap().owner,
        "Priya"
    );
    assert_eq!(
        store(&harness)
            .activity(Some(project), Some(MFA))
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn search_keeps_only_matching_cards() {
    let dir = tempfile::tempdir().unwrap();
    create_project(dir.path());
    let mut harness = harness(open_app(dir.path()));
    assert!(has_card(&harness, MFA_CARD));
    assert!(has_card(&harness, ROOT_CARD));

    search_field(&harness).click();
    harness.run();
    search_field(&harness).type_text("Multi-factor");
    harness.run();

    assert!(has_card(&harness, MFA_CARD));
    assert!(!has_card(&harness, ROOT_CARD));
    let cards = harness
        .query_all_by_role(Role::Button)
        .filter(|node| {
            node.accesskit_node()
                .label()
                .is_some_and(|l| l.starts_with("SRM-"))
        })
        .count();
    assert_eq!(cards, 1);
    harness.get_by_label("1 shown");
}

#[test]
fn overdue_only_shows_overdue_controls() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    let mut store = Store::open_with_clock(dir.path(), clock()).unwrap();
    store
        .update_control(
            project,
            MFA,
            &ControlPatch::one(ControlEdit::Due(Some("2026-10-01".parse().unwrap()))),
        )
        .unwrap();
    drop(store);
    let mut harness = harness(open_app(dir.path()));
    assert!(has_card(&harness, ROOT_CARD));

    harness.get_by_label("Overdue only").click();
    harness.run();

    assert!(harness.state().state.views.board.filter.overdue_only);
    assert!(has_card(&harness, MFA_CARD));
    assert!(!has_card(&harness, ROOT_CARD));
    assert!(!has_card(
        &harness,
        "SRM-AWS-PE-01 Data centre physical access"
    ));
    harness.get_by_label("1 shown");
}

#[test]
fn escape_closes_the_panel_and_ctrl_n_opens_the_new_project_dialog() {
    let dir = tempfile::tempdir().unwrap();
    create_project(dir.path());
    let mut harness = harness(open_app(dir.path()));
    open_card(&mut harness, MFA_CARD);
    assert!(
        harness
            .query_by_role_and_label(Role::TextInput, "Owner")
            .is_some()
    );

    harness.key_press(Key::Escape);
    harness.run();
    assert_eq!(harness.state().state.shell.selected, None);
    assert!(
        harness
            .query_by_role_and_label(Role::TextInput, "Owner")
            .is_none()
    );

    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run();
    assert!(matches!(
        harness.state().state.views.dialog,
        Dialog::NewProject(_)
    ));
    harness.get_by_label("New project");
    harness.get_by_role_and_label(Role::TextInput, "Name");

    harness.key_press(Key::Escape);
    harness.run();
    assert_eq!(harness.state().state.views.dialog, Dialog::None);
}

#[test]
fn a_workspace_that_is_a_file_shows_the_open_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"just a file").unwrap();
    let mut harness = harness(open_app(&file));
    harness.get_by_label("The workspace could not be opened");
    harness.get_by_label_contains("the workspace must be a folder");
    assert!(harness.state().store().is_none());
    assert!(harness.query_by_label("+ New project").is_none());

    // Shortcuts do nothing harmful without a store.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().state.views.dialog, Dialog::None);
    harness.get_by_label("The workspace could not be opened");
}

/// A file dropped onto the window, as the windowing layer hands it to egui.
#[derive(Debug)]
struct DroppedPath(std::path::PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn drop_file(harness: &mut Harness<'_, App>, path: &Path) {
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(DroppedPath(path.to_path_buf())));
    finish_background_job(harness);
}

/// Steps past the frame that starts a job (its spinner keeps repainting), waits for the
/// job, and lets the window settle on the outcome.
fn finish_background_job(harness: &mut Harness<'_, App>) {
    harness.step();
    harness.state_mut().finish_jobs();
    harness.run();
}

#[test]
fn a_file_dropped_on_the_window_is_attached_to_the_selected_control_and_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let project = create_project(tmp.path());
    let file = tmp.path().join("mfa-report.csv");
    std::fs::write(&file, "user,mfa\nana,enabled\n").unwrap();
    let mut harness = harness(open_app(tmp.path()));
    open_card(&mut harness, MFA_CARD);
    drop_file(&mut harness, &file);

    let evidence = store(&harness).evidence(project, Some(MFA)).unwrap();
    assert_eq!(evidence.len(), 1);
    assert_eq!(evidence[0].file_name, "mfa-report.csv");
    assert_eq!(evidence[0].collected_on, today());
    let blob = harness
        .state()
        .state
        .session
        .workspace
        .join("vault/sha256")
        .join(&evidence[0].sha256[..2])
        .join(&evidence[0].sha256[2..]);
    assert_eq!(std::fs::read(blob).unwrap(), std::fs::read(&file).unwrap());
    // The panel lists it and the card counts it.
    harness.get_by_label("mfa-report.csv");
    harness.get_by_label("Evidence (1)");
    harness.get_by_label("1 file");
}

#[test]
fn a_file_dropped_with_no_control_selected_is_refused_with_a_notification() {
    let tmp = tempfile::tempdir().unwrap();
    let project = create_project(tmp.path());
    let file = tmp.path().join("stray.txt");
    std::fs::write(&file, "stray").unwrap();
    let mut harness = harness(open_app(tmp.path()));
    drop_file(&mut harness, &file);
    assert!(store(&harness).evidence(project, None).unwrap().is_empty());
    harness.get_by_label("Select a control first, then attach files to it.");
}

#[test]
fn removing_evidence_in_the_panel_asks_for_a_reason_and_keeps_the_record() {
    let tmp = tempfile::tempdir().unwrap();
    let project = create_project(tmp.path());
    let file = tmp.path().join("old-export.json");
    std::fs::write(&file, "{\"mfa\": true}").unwrap();
    let mut harness = harness(open_app(tmp.path()));
    open_card(&mut harness, MFA_CARD);
    drop_file(&mut harness, &file);

    harness.get_by_label("Remove").click();
    harness.run();
    let before = store(&harness).activity(Some(project), None).unwrap().len();
    let reason = harness.get_by_role_and_label(
        Role::TextInput,
        "Why remove it? The record stays, marked removed.",
    );
    reason.click();
    reason.type_text("Superseded by the December export");
    harness.run();
    harness.get_by_label("Remove evidence").click();
    harness.run();

    let evidence = store(&harness).evidence(project, Some(MFA)).unwrap();
    assert!(evidence[0].removed);
    assert_eq!(
        evidence[0].removed_reason.as_deref(),
        Some("Superseded by the December export")
    );
    assert_eq!(
        store(&harness).activity(Some(project), None).unwrap().len(),
        before + 1
    );
    harness.get_by_label("Evidence (0)");
}

#[test]
fn verify_workspace_runs_in_the_background_and_reports_an_altered_file() {
    let tmp = tempfile::tempdir().unwrap();
    create_project(tmp.path());
    let file = tmp.path().join("scan.txt");
    std::fs::write(&file, "no findings").unwrap();
    let mut harness = harness(open_app(tmp.path()));
    open_card(&mut harness, MFA_CARD);
    drop_file(&mut harness, &file);

    harness.get_by_label("Verify workspace").click();
    finish_background_job(&mut harness);
    harness.get_by_label("Everything is intact.");
    harness.get_by_label("Close report").click();
    harness.run();

    let sha = store(&harness).evidence(1, Some(MFA)).unwrap()[0]
        .sha256
        .clone();
    let blob = tmp
        .path()
        .join("vault/sha256")
        .join(&sha[..2])
        .join(&sha[2..]);
    std::fs::write(&blob, "tampered").unwrap();
    harness.get_by_label("Verify workspace").click();
    finish_background_job(&mut harness);
    harness.get_by_label("Problems found");
    assert!(
        harness
            .state()
            .state
            .shell
            .verify_result
            .as_ref()
            .is_some_and(|(clean, lines)| !clean
                && lines
                    .iter()
                    .any(|l| l.contains("scan.txt") && l.contains(MFA)))
    );
}

#[test]
fn exporting_from_the_window_writes_the_pack_and_offers_show_in_folder() {
    let tmp = tempfile::tempdir().unwrap();
    create_project(tmp.path());
    let file = tmp.path().join("policy.txt");
    std::fs::write(&file, "MFA for every human login").unwrap();
    let mut harness = harness(open_app(tmp.path()));
    open_card(&mut harness, MFA_CARD);
    drop_file(&mut harness, &file);

    harness
        .get_by_role_and_label(Role::Button, "Project")
        .click();
    harness.run();
    harness.get_by_label("Export evidence pack…").click();
    harness.run();
    assert!(matches!(
        harness.state().state.views.dialog,
        Dialog::Export(_)
    ));
    // The system save dialog cannot run headless: the test chooses the target as it would.
    let target = tmp.path().join("out").join("pack.zip");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    if let Dialog::Export(form) = &mut harness.state_mut().state.views.dialog {
        form.target = Some(target.clone());
    }
    harness.run();
    harness.get_by_label("Export").click();
    finish_background_job(&mut harness);

    assert!(target.is_file());
    let bytes = std::fs::read(&target).unwrap();
    assert!(bytes.starts_with(b"PK"));
    harness.get_by_label("Show in folder");
    let note = newest_note(&harness);
    assert!(
        note.text.starts_with("Evidence pack written"),
        "{}",
        note.text
    );
    assert_eq!(note.file.as_deref(), Some(target.as_path()));
}

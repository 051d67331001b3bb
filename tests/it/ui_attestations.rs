//! The window's training, patch, sign-off and dashboard flows, driven through `egui_kittest`
//! by role and label. Each flow runs on a fresh temp workspace with a fixed clock and a fixed
//! "today", and checks what the store holds afterwards, not only what is drawn.

use std::path::Path;

use crate::window::{create_project, harness, last_notification, open_app, open_store, today};
use chrono::NaiveDate;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use lockstep::app::{App, Concern, Level, Target, View};
use lockstep::model::{
    AssetKind, ControlEdit, ControlPatch, ManagedBy, PatchState, Severity, TrainingState,
};
use lockstep::store::{NewAsset, NewPatch, NewPerson, Store};

const MFA: &str = "SRM-CUS-IAM-03";
const MFA_CARD: &str = "SRM-CUS-IAM-03 Multi-factor authentication";
const ANA: &str = "ana@example.com";
const AWARENESS: &str = "Security awareness";
const WEB: &str = "web-1";

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn add_ana_and_awareness(dir: &Path) {
    let mut store = open_store(dir);
    store
        .add_person(&NewPerson {
            name: "Ana Ruiz".into(),
            email: ANA.into(),
            role: "Engineer".into(),
        })
        .unwrap();
    store.add_course(AWARENESS, 365).unwrap();
}

fn add_web_asset(dir: &Path, project: i64) {
    open_store(dir)
        .add_asset(
            project,
            &NewAsset {
                name: WEB.into(),
                kind: AssetKind::Instance,
                environment: "prod".into(),
                managed_by: ManagedBy::Customer,
            },
        )
        .unwrap();
}

/// An advisory on `web-1` of high severity; without `applied_on` it is open.
fn patch(advisory: &str, released_on: &str, applied_on: Option<&str>) -> NewPatch {
    NewPatch {
        asset: WEB.into(),
        advisory: advisory.into(),
        severity: Severity::High,
        released_on: day(released_on),
        applied_on: applied_on.map(day),
        evidence: None,
    }
}

fn store<'h>(harness: &'h Harness<'_, App>) -> &'h Store {
    harness.state().store().unwrap()
}

fn show_view(harness: &mut Harness<'_, App>, view: &str) {
    harness.get_by_role_and_label(Role::Button, view).click();
    harness.run();
}

fn open_card(harness: &mut Harness<'_, App>, card: &str) {
    harness.get_by_role_and_label(Role::Button, card).click();
    harness.run();
}

/// Opens the combo box with this label and picks the option with this label.
fn choose(harness: &mut Harness<'_, App>, combo: &str, option: &str) {
    harness.get_by_role_and_label(Role::ComboBox, combo).click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, option).click();
    harness.run();
}

/// Scrolls to a widget and clicks it: side panels are taller than the window.
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

/// Opens the "Sign off" form on screen (only one is drawn at a time) and signs it.
fn sign_off(harness: &mut Harness<'_, App>, button: &str) {
    click(harness, Role::DisclosureTriangle, "Sign off");
    type_into(harness, Role::TextInput, "Signed by", "Maria Lopez");
    type_into(harness, Role::TextInput, "Role", "CISO");
    type_into(
        harness,
        Role::MultilineTextInput,
        "Statement",
        "Reviewed and accepted",
    );
    click(harness, Role::Button, button);
}

#[test]
fn recording_a_completion_stores_it_with_its_expiry_and_shows_its_state() {
    let dir = tempfile::tempdir().unwrap();
    create_project(dir.path());
    add_ana_and_awareness(dir.path());
    let mut harness = harness(open_app(dir.path()));
    show_view(&mut harness, "Training");
    harness.get_by_label("Missing");

    choose(&mut harness, "Person", "Ana Ruiz <ana@example.com>");
    choose(&mut harness, "Course", AWARENESS);
    type_into(&mut harness, Role::TextInput, "Completed on", "2026-03-02");
    click(&mut harness, Role::Button, "Record completion");

    let records = store(&harness).training_records().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].email, ANA);
    assert_eq!(records[0].course, AWARENESS);
    assert_eq!(records[0].completed_on, day("2026-03-02"));
    assert_eq!(records[0].expires_on, day("2027-03-02"));
    let roster = store(&harness).training_roster(today()).unwrap();
    assert_eq!(roster.len(), 1);
    assert_eq!(roster[0].state, TrainingState::Current);
    assert_eq!(roster[0].expires_on, Some(day("2027-03-02")));
    harness.get_by_label("Current · 2027-03-02");
    assert!(harness.query_by_label("Missing").is_none());
    assert_eq!(harness.state().state.views.training.completed_on, "");
}

#[test]
fn a_person_and_a_course_added_in_the_training_view_are_stored_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    create_project(dir.path());
    let mut harness = harness(open_app(dir.path()));
    show_view(&mut harness, "Training");

    type_into(&mut harness, Role::TextInput, "Name", "Ana Ruiz");
    type_into(&mut harness, Role::TextInput, "Email", ANA);
    type_into(&mut harness, Role::TextInput, "Role", "Engineer");
    click(&mut harness, Role::Button, "Add person");
    // "Course" is both the completion's combo box and the new course's name.
    type_into(&mut harness, Role::TextInput, "Course", AWARENESS);
    type_into(&mut harness, Role::TextInput, "Every (days)", "365");
    click(&mut harness, Role::Button, "Add course");

    let people = store(&harness).people().unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(
        (people[0].name.as_str(), people[0].email.as_str()),
        ("Ana Ruiz", ANA)
    );
    assert_eq!(people[0].role, "Engineer");
    assert!(people[0].active);
    let courses = store(&harness).courses().unwrap();
    assert_eq!(courses.len(), 1);
    assert_eq!(courses[0].name, AWARENESS);
    assert_eq!(courses[0].every_days, 365);
    // The new pair shows in the matrix, not yet completed, and both forms are empty again.
    harness.get_by_label("Ana Ruiz");
    harness.get_by_label("Missing");
    let form = &harness.state().state.views.training;
    assert!(form.person_email.is_empty() && form.course_name.is_empty());
}

#[test]
fn a_malformed_email_is_refused_with_an_error_and_stores_nobody() {
    let dir = tempfile::tempdir().unwrap();
    create_project(dir.path());
    let mut harness = harness(open_app(dir.path()));
    show_view(&mut harness, "Training");

    type_into(&mut harness, Role::TextInput, "Name", "Ana Ruiz");
    type_into(&mut harness, Role::TextInput, "Email", "ana.example.com");
    click(&mut harness, Role::Button, "Add person");

    assert!(store(&harness).people().unwrap().is_empty());
    let (level, text) = last_notification(&harness);
    assert_eq!(level, Level::Error);
    assert!(text.contains("'ana.example.com' is not an email address"));
    harness.get_by_label(&text);
    // What was typed stays, to be corrected.
    assert_eq!(
        harness.state().state.views.training.person_email,
        "ana.example.com"
    );
}

#[test]
fn a_patch_month_signed_off_in_the_patches_view_turns_stale_when_that_month_changes() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    add_web_asset(dir.path(), project);
    let mut setup = open_store(dir.path());
    setup
        .record_patch(project, &patch("CVE-2026-1001", "2026-10-05", None))
        .unwrap();
    setup
        .record_patch(project, &patch("CVE-2026-1102", "2026-11-02", None))
        .unwrap();
    drop(setup);
    let mut harness = harness(open_app(dir.path()));
    show_view(&mut harness, "Patches");

    // The newest month is offered first; October is chosen from the list.
    assert_eq!(harness.state().state.views.patches.month, "2026-11");
    choose(&mut harness, "Month", "2026-10");
    sign_off(&mut harness, "Sign off patch-cycle 2026-10");

    let signoffs = store(&harness).signoffs(project).unwrap();
    assert_eq!(signoffs.len(), 1);
    assert_eq!(signoffs[0].subject_kind, "patch_cycle");
    assert_eq!(signoffs[0].subject_key, "2026-10");
    assert_eq!(
        (signoffs[0].by.as_str(), signoffs[0].role.as_str()),
        ("Maria Lopez", "CISO")
    );
    assert_eq!(signoffs[0].statement, "Reviewed and accepted");
    assert!(!signoffs[0].stale);
    harness.get_by_label("valid");

    // Another month's change leaves it valid; its own month's change turns it stale.
    let mut cli = open_store(dir.path());
    cli.record_patch(
        project,
        &patch("CVE-2026-1102", "2026-11-02", Some("2026-11-20")),
    )
    .unwrap();
    harness.state_mut().refresh();
    harness.run();
    assert!(!store(&harness).signoffs(project).unwrap()[0].stale);
    harness.get_by_label("valid");
    cli.record_patch(
        project,
        &patch("CVE-2026-1001", "2026-10-05", Some("2026-11-20")),
    )
    .unwrap();
    drop(cli);
    harness.state_mut().refresh();
    harness.run();

    assert!(store(&harness).signoffs(project).unwrap()[0].stale);
    harness.get_by_label("STALE: changed since");
    let stale: Vec<_> = harness
        .state()
        .state
        .records
        .dashboard
        .attention
        .iter()
        .filter(|item| item.concern == Concern::StaleSignoff)
        .collect();
    assert_eq!(stale.len(), 1);
    assert!(stale[0].text.starts_with("patch-cycle 2026-10"));
    assert_eq!(stale[0].target, Target::Patches);
    show_view(&mut harness, "Dashboard");
    harness.get_by_label("Stale sign-offs (1)");
}

#[test]
fn a_patch_recorded_from_the_form_after_its_deadline_is_stored_as_late() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    add_web_asset(dir.path(), project);
    let mut harness = harness(open_app(dir.path()));
    show_view(&mut harness, "Patches");

    choose(&mut harness, "Asset", WEB);
    type_into(&mut harness, Role::TextInput, "Advisory", "CVE-2026-4321");
    choose(&mut harness, "Severity", Severity::Critical.label());
    type_into(&mut harness, Role::TextInput, "Released on", "2026-10-01");
    type_into(&mut harness, Role::TextInput, "Applied on", "2026-10-20");
    click(&mut harness, Role::Button, "Record patch");

    let records = store(&harness).patch_records(project, today()).unwrap();
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record.asset, WEB);
    assert_eq!(record.advisory, "CVE-2026-4321");
    assert_eq!(record.severity, Severity::Critical);
    assert_eq!(record.released_on, day("2026-10-01"));
    assert_eq!(record.applied_on, Some(day("2026-10-20")));
    // Critical advisories are due 15 days after release.
    assert_eq!(record.deadline, day("2026-10-16"));
    assert_eq!(record.days_to_patch, Some(19));
    assert_eq!(record.state, PatchState::Late);
    harness.get_by_label("Late");
    let form = &harness.state().state.views.patches;
    assert!(form.advisory.is_empty() && form.applied_on.is_empty());
}

#[test]
fn an_overdue_control_on_the_dashboard_opens_its_panel_on_the_board() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    open_store(dir.path())
        .update_control(
            project,
            MFA,
            &ControlPatch::one(ControlEdit::Due(Some("2026-10-01".parse().unwrap()))),
        )
        .unwrap();
    let mut harness = harness(open_app(dir.path()));
    show_view(&mut harness, "Dashboard");

    harness.get_by_label("Overdue controls (1)");
    click(
        &mut harness,
        Role::Link,
        "SRM-CUS-IAM-03 Multi-factor authentication — due 2026-10-01",
    );

    assert_eq!(harness.state().state.shell.view, View::Board);
    assert_eq!(harness.state().state.shell.selected.as_deref(), Some(MFA));
    harness.get_by_label("Overdue: it was due on 2026-10-01.");
    harness.get_by_role_and_label(Role::TextInput, "Owner");
}

#[test]
fn signing_off_a_control_in_its_panel_stores_a_control_signoff() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    let mut harness = harness(open_app(dir.path()));
    open_card(&mut harness, MFA_CARD);
    harness.get_by_label("Not signed off yet.");

    sign_off(&mut harness, "Sign off control SRM-CUS-IAM-03");

    let signoffs = store(&harness).signoffs(project).unwrap();
    assert_eq!(signoffs.len(), 1);
    assert_eq!(signoffs[0].subject, "control SRM-CUS-IAM-03");
    assert_eq!(signoffs[0].subject_kind, "control");
    assert_eq!(signoffs[0].subject_key, MFA);
    assert_eq!(signoffs[0].by, "Maria Lopez");
    assert!(!signoffs[0].stale && !signoffs[0].superseded);
    let history = store(&harness).activity(Some(project), Some(MFA)).unwrap();
    assert_eq!(history.last().unwrap().action.name(), "signoff.add");
    harness.get_by_label("valid");
    assert!(harness.query_by_label("Not signed off yet.").is_none());
    assert_eq!(harness.state().state.views.signoff.statement, "");
}

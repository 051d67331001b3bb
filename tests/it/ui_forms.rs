//! Issue 13: the dialogs fit the window and list every service, dates can be picked from a
//! calendar or typed (a wrong one is marked while typing), Enter does a dialog's main action
//! and Esc cancels it.

use crate::window::{PROJECT, create_project, open_app, open_store};
use egui::Key;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT as _, Queryable as _};
use lockstep::app::{App, Dialog};

/// Every abstracted service the issue found hidden below the fold.
const LATE_SERVICES: [&str; 3] = ["AWS CloudTrail", "AWS KMS", "AWS Step Functions"];

/// The whole app drawn in a window of this size.
fn sized_harness(app: App, width: f32, height: f32) -> Harness<'static, App> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(width, height))
        .with_max_steps(crate::window::MAX_STEPS)
        .with_context_setup(lockstep::ui::style)
        .build_ui_state(|ui, app: &mut App| lockstep::ui::frame_ui(app, ui), app);
    harness.run();
    harness
}

/// The same, for a test that opens a calendar: egui_extras's year, month and day boxes in it
/// carry no accessible names, which the harness would otherwise refuse.
fn calendar_harness(app: App) -> Harness<'static, App> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_max_steps(crate::window::MAX_STEPS)
        .with_accessibility_check(false)
        .with_context_setup(lockstep::ui::style)
        .build_ui_state(|ui, app: &mut App| lockstep::ui::frame_ui(app, ui), app);
    harness.run();
    harness
}

fn open_new_project(harness: &mut Harness<'_, App>) {
    harness.get_by_label("+ New project").click();
    harness.run();
    assert!(matches!(
        harness.state().state.views.dialog,
        Dialog::NewProject(_)
    ));
}

fn period_start(harness: &Harness<'_, App>) -> String {
    match &harness.state().state.views.dialog {
        Dialog::NewProject(form) => form.period_start.clone(),
        other => panic!("the new project dialog is not open: {other:?}"),
    }
}

#[test]
fn the_new_project_dialog_shows_every_service_without_scrolling_at_1280_by_800() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = sized_harness(open_app(dir.path()), 1280.0, 800.0);
    open_new_project(&mut harness);
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0));
    for label in [
        "Infrastructure services",
        "Managed and container services",
        "Abstracted services",
        "Find",
    ]
    .into_iter()
    .chain(LATE_SERVICES)
    {
        let rect = harness.get_by_label(label).rect();
        assert!(
            window.contains_rect(rect),
            "{label} is outside the window: {rect:?}"
        );
    }
    assert!(harness.query_by_label_contains("more below").is_none());
}

#[test]
fn a_list_too_long_for_a_small_window_says_how_many_services_are_below() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = sized_harness(open_app(dir.path()), 900.0, 560.0);
    open_new_project(&mut harness);
    let note = harness.get_by_label_contains("more services below");
    let text = note.accesskit_node().value().unwrap_or_default();
    let count: usize = text
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(count > 0 && count < 36, "{text}");
    // The buttons stay in the window.
    let create = harness.get_by_label("Create project (0 services)").rect();
    assert!(create.bottom() <= 560.0, "{create:?}");
}

#[test]
fn picking_a_day_in_the_calendar_fills_the_date_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = calendar_harness(open_app(dir.path()));
    open_new_project(&mut harness);
    harness
        .get_by_role_and_label(Role::Button, "Pick Audit period start")
        .click();
    harness.run();
    // The calendar opens on today (2026-11-28 in these tests).
    harness.get_by_role_and_label(Role::Button, "15").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Save").click();
    harness.run();
    assert_eq!(period_start(&harness), "2026-11-15");
    // The dialog is still open, and the calendar is closed.
    assert!(matches!(
        harness.state().state.views.dialog,
        Dialog::NewProject(_)
    ));
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "Save")
            .is_none()
    );
}

#[test]
fn esc_closes_the_calendar_before_the_dialog() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = calendar_harness(open_app(dir.path()));
    open_new_project(&mut harness);
    harness
        .get_by_role_and_label(Role::Button, "Pick Audit period end")
        .click();
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "Save")
            .is_none()
    );
    assert!(matches!(
        harness.state().state.views.dialog,
        Dialog::NewProject(_)
    ));
    harness.key_press(Key::Escape);
    harness.run();
    assert_eq!(harness.state().state.views.dialog, Dialog::None);
}

#[test]
fn a_wrong_date_is_marked_while_typing_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = sized_harness(open_app(dir.path()), 1280.0, 800.0);
    open_new_project(&mut harness);
    harness
        .get_by_role_and_label(Role::TextInput, "Name")
        .type_text(PROJECT);
    harness.run();
    let start = harness.get(By::new().role(Role::TextInput).label("Audit period"));
    start.focus();
    harness.run();
    harness
        .get(By::new().role(Role::TextInput).label("Audit period"))
        .type_text("2027-02-30");
    harness.run();
    harness.get_by_label("not a date (YYYY-MM-DD)");
    // Enter does not create a project with a wrong date; the mark stays.
    harness.key_press(Key::Enter);
    harness.run();
    assert!(matches!(
        harness.state().state.views.dialog,
        Dialog::NewProject(_)
    ));
    assert!(
        harness
            .state()
            .store()
            .unwrap()
            .projects()
            .unwrap()
            .is_empty()
    );
    // Corrected, the mark goes away while typing.
    harness
        .get(By::new().role(Role::TextInput).label("Audit period"))
        .focus();
    harness.run();
    harness.key_press(Key::Backspace);
    harness.key_press(Key::Backspace);
    harness.run();
    harness
        .get(By::new().role(Role::TextInput).label("Audit period"))
        .type_text("28");
    harness.run();
    assert!(harness.query_by_label("not a date (YYYY-MM-DD)").is_none());
    assert_eq!(period_start(&harness), "2027-02-28");
}

#[test]
fn enter_in_the_name_field_creates_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = sized_harness(open_app(dir.path()), 1280.0, 800.0);
    open_new_project(&mut harness);
    harness.get_by_label("Amazon EC2").click();
    harness.run();
    let name = harness.get_by_role_and_label(Role::TextInput, "Name");
    name.focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Name")
        .type_text(PROJECT);
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().state.views.dialog, Dialog::None);
    let project = open_store(dir.path()).project_by_name(PROJECT).unwrap();
    assert_eq!(project.services, ["ec2"]);
}

#[test]
fn esc_cancels_the_services_dialog_and_keeps_the_services() {
    let dir = tempfile::tempdir().unwrap();
    create_project(dir.path());
    let mut harness = sized_harness(open_app(dir.path()), 1280.0, 800.0);
    harness.get_by_label_contains("AWS services").click();
    harness.run();
    assert!(matches!(
        harness.state().state.views.dialog,
        Dialog::Services(_)
    ));
    harness.get_by_label("AWS CloudTrail").click();
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    assert_eq!(harness.state().state.views.dialog, Dialog::None);
    let project = open_store(dir.path()).project_by_name(PROJECT).unwrap();
    assert_eq!(project.services, ["ec2", "rds", "s3"]);
}

#[test]
fn tab_moves_through_the_new_project_form_in_reading_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = sized_harness(open_app(dir.path()), 1280.0, 800.0);
    open_new_project(&mut harness);
    harness
        .get_by_role_and_label(Role::TextInput, "Name")
        .focus();
    harness.run();
    let mut order = Vec::new();
    for _ in 0..8 {
        harness.key_press(Key::Tab);
        harness.run();
        let focused = harness.get(By::new().predicate(|node| node.is_focused()));
        order.push(focused.accesskit_node().label().unwrap_or_default());
    }
    assert_eq!(
        order,
        [
            "Description",
            "Audit period",
            "Pick Audit period start",
            "to",
            "Pick Audit period end",
            "Baseline",
            "Import framework…",
            "Find",
        ]
    );
}

#[test]
fn a_due_date_picked_in_the_control_panel_is_saved_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    let mut harness = calendar_harness(open_app(dir.path()));
    harness
        .get_by_role_and_label(Role::Button, "SRM-CUS-IAM-03 Multi-factor authentication")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "Pick Due")
        .click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "15").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Save").click();
    harness.run();
    let control = open_store(dir.path())
        .control(project, "SRM-CUS-IAM-03")
        .unwrap();
    assert_eq!(
        control.due.map(|d| d.to_string()).as_deref(),
        Some("2026-11-15")
    );
}

#[test]
fn enter_in_the_title_adds_the_control_once_the_ownership_test_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    let mut harness = sized_harness(open_app(dir.path()), 1280.0, 800.0);
    harness.get_by_label("+ Add control").click();
    harness.run();
    assert!(matches!(
        harness.state().state.views.dialog,
        Dialog::AddControl(_)
    ));
    harness
        .get_by_role_and_label(Role::TextInput, "Title")
        .type_text("Quarterly access review");
    harness.run();
    // Not answered yet: Enter does nothing.
    harness.key_press(Key::Enter);
    harness.run();
    assert!(matches!(
        harness.state().state.views.dialog,
        Dialog::AddControl(_)
    ));
    harness.get_by_label("No").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Title")
        .focus();
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().state.views.dialog, Dialog::None);
    let titles: Vec<String> = open_store(dir.path())
        .controls(project)
        .unwrap()
        .into_iter()
        .map(|c| c.title)
        .collect();
    assert!(titles.contains(&"Quarterly access review".to_string()));
}

#[test]
fn the_first_run_asks_the_name_changes_are_recorded_under() {
    let dir = tempfile::tempdir().unwrap();
    create_project(dir.path());
    let mut app = open_app(dir.path());
    app.ask_for_name_offering("Ada Lovelace".to_string());
    let mut harness = sized_harness(app, 1280.0, 800.0);
    harness.get_by_label("Welcome to Lockstep");
    let field = harness.get_by_role_and_label(Role::TextInput, "Your name");
    assert_eq!(field.value().as_deref(), Some("Ada Lovelace"));
    assert!(field.is_focused(), "the name is ready to confirm or retype");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().state.views.dialog, Dialog::None);
    assert_eq!(harness.state().state.session.user_name, "Ada Lovelace");
    let store = open_store(dir.path());
    assert_eq!(store.user_name().unwrap(), "Ada Lovelace");
    assert!(store.user_name_chosen().unwrap());

    // Once answered, it is not asked again.
    let mut app = open_app(dir.path());
    app.ask_for_name_offering("Someone Else".to_string());
    assert_eq!(app.state.views.dialog, Dialog::None);
}

#[test]
fn a_first_run_answered_later_asks_again_and_refuses_a_blank_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open_app(dir.path());
    app.ask_for_name_offering(String::new());
    let mut harness = sized_harness(app, 1280.0, 800.0);
    let proceed = harness.get_by_label("Continue");
    assert!(
        proceed.accesskit_node().is_disabled(),
        "a blank name cannot be recorded"
    );
    harness.get_by_label("Later").click();
    harness.run();
    assert_eq!(harness.state().state.views.dialog, Dialog::None);
    assert!(!open_store(dir.path()).user_name_chosen().unwrap());
    let mut app = open_app(dir.path());
    app.ask_for_name_offering("Ada Lovelace".to_string());
    assert!(matches!(app.state.views.dialog, Dialog::Name(_)));
}

//! The control panel of a framework control: each control opens at its top, empty narratives
//! fold so the statement sits high, and each parameter is named by the statement part it fills.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, Queryable as _};
use lockstep::app::{App, Command};
use lockstep::model::{
    ControlEdit, ControlPatch, FilledParameter, FilledText, FrameworkControl, ParameterSource,
    ParameterSpan,
};
use lockstep::store::NewProject;

use crate::baselines::framework;
use crate::window::{MAX_STEPS, open_app, open_store};

const STATEMENT: &str = "a. Assign account managers;\n\
h. Notify account managers within:\n  \
1. [30 days] when accounts are no longer required;\n  \
2. [8 hours] when users are terminated or transferred; and\n  \
3. [7 days] when need-to-know changes;\n\
j. Review accounts [monthly].";

/// AC-2 as a baseline writes it: three "time period" parameters in the parts of item h.
fn account_management() -> FrameworkControl {
    let mut control = framework("ac-2", "Account Management", 0);
    let mut params = Vec::new();
    let mut parameters = Vec::new();
    for (n, (value, label)) in [
        ("30 days", "time period"),
        ("8 hours", "time period"),
        ("7 days", "time period"),
        ("monthly", "frequency"),
    ]
    .into_iter()
    .enumerate()
    {
        let start = STATEMENT.find(&format!("[{value}]")).unwrap() + 1;
        let id = format!("ac-02_odp.{n:02}");
        params.push(ParameterSpan {
            start,
            end: start + value.len(),
            param: id.clone(),
        });
        parameters.push(FilledParameter {
            id,
            label: label.to_string(),
            value: value.to_string(),
            source: ParameterSource::Value,
            aggregates: Vec::new(),
        });
    }
    control.statement = FilledText {
        text: STATEMENT.to_string(),
        params,
    };
    control.parameters = parameters;
    control.guidance = "Long guidance. ".repeat(200);
    control
}

fn create(dir: &std::path::Path) -> i64 {
    let mut controls = vec![account_management()];
    controls.extend((1..=3).map(|n| framework(&format!("ac-{}", n + 2), "Other control", n)));
    open_store(dir)
        .create_project_on_baseline(
            &NewProject {
                name: "Gov cloud".to_string(),
                services: vec!["ec2".into()],
                ..NewProject::default()
            },
            "moderate",
            &controls,
        )
        .unwrap()
        .key
}

fn harness(app: App, height: f32) -> Harness<'static, App> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, height))
        .with_max_steps(MAX_STEPS)
        .with_context_setup(lockstep::ui::style)
        .build_ui_state(|ui, app: &mut App| lockstep::ui::frame_ui(app, ui), app);
    harness.run();
    harness
}

fn select(harness: &mut Harness<'_, App>, id: &str) {
    harness
        .state_mut()
        .apply(Command::SelectControl(Some(id.to_string())));
    harness.run();
}

fn close_button_top(harness: &Harness<'_, App>) -> f32 {
    harness
        .get_by_role_and_label(Role::Button, "Close")
        .rect()
        .top()
}

#[test]
fn each_control_opens_at_the_top_of_the_panel() {
    let tmp = tempfile::tempdir().unwrap();
    create(tmp.path());
    let mut harness = harness(open_app(tmp.path()), 500.0);
    select(&mut harness, "AC-2");
    harness.get_by_label("Guidance").click();
    harness.run();
    let top = close_button_top(&harness);
    harness.get_by_label("History").scroll_to_me();
    harness.run();
    assert!(
        close_button_top(&harness) < top - 100.0,
        "the panel scrolled down, taking the control's heading out of view"
    );
    select(&mut harness, "AC-3");
    assert_eq!(
        close_button_top(&harness),
        top,
        "the next control opens with its id, status and Close in view"
    );
}

#[test]
fn empty_narratives_fold_so_the_statement_sits_high() {
    let tmp = tempfile::tempdir().unwrap();
    let project = create(tmp.path());
    let mut harness = harness(open_app(tmp.path()), 900.0);
    select(&mut harness, "AC-2");
    let statement = harness.get_by_label("Statement").rect().top();
    let why = harness.get_by_label("Why this column").rect().top();
    assert!(statement < why, "the statement comes before the placement");
    // "You do" carries the built-in narrative and is open; the empty notes fold to a heading.
    harness.get_by_role_and_label(Role::MultilineTextInput, "You do");
    let fields = || harness.query_all_by_role(Role::MultilineTextInput).count();
    assert_eq!(fields(), 1, "empty notes show no field");
    harness.get_by_label("Notes").click();
    harness.run();
    assert_eq!(
        harness.query_all_by_role(Role::MultilineTextInput).count(),
        2,
        "unfolding Notes offers its field"
    );

    open_store(tmp.path())
        .update_control(
            project,
            "AC-3",
            &ControlPatch::one(ControlEdit::Notes("Reviewed with the ISSO".into())),
        )
        .unwrap();
    let mut harness = self::harness(open_app(tmp.path()), 900.0);
    select(&mut harness, "AC-3");
    assert!(
        harness
            .query_all(
                By::new()
                    .role(Role::MultilineTextInput)
                    .value("Reviewed with the ISSO")
            )
            .next()
            .is_some(),
        "notes with text are shown open"
    );
}

#[test]
fn parameters_are_named_by_the_part_they_fill() {
    let tmp = tempfile::tempdir().unwrap();
    create(tmp.path());
    let mut harness = harness(open_app(tmp.path()), 900.0);
    select(&mut harness, "AC-2");
    harness.get_by_label("Parameters (4)").click();
    harness.run();
    for name in [
        "(h.1) time period:",
        "(h.2) time period:",
        "(h.3) time period:",
        "(j) frequency:",
    ] {
        harness.get_by_label(name);
    }
}

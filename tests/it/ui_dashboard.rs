//! The dashboard: readiness first, then what needs attention folded by concern with each item
//! a way to its control, the audit period set from the window, and the charts' legends below
//! the bars with their counts in readable words.

use crate::window::{create_project, harness, open_app, open_store};
use egui_kittest::kittest::Queryable as _;
use lockstep::app::View;
use lockstep::model::{ControlEdit, ControlPatch, Status};

#[test]
fn the_progress_chart_legend_and_counts_sit_below_the_bars_and_a_bar_tells_its_counts() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    let mut store = open_store(dir.path());
    store
        .update_control(
            project,
            "SRM-CUS-IAM-03",
            &ControlPatch::one(ControlEdit::Status(Status::Implemented)),
        )
        .unwrap();
    let mut harness = harness(open_app(dir.path()));
    harness.get_by_label("Dashboard").click();
    harness.run();
    assert_eq!(harness.state().state.shell.view, View::Dashboard);
    let title = harness.get_by_label("Progress per column").rect();
    let legend = harness.get_by_label("Implemented 1").rect();
    let counts = harness.get_by_label_contains("Customer: 1 of").rect();
    // Title, then the chart's 190 points, then the legend, then the counts.
    assert!(
        legend.top() > title.bottom() + 150.0,
        "{legend:?} / {title:?}"
    );
    assert!(counts.top() > legend.bottom(), "{counts:?} / {legend:?}");

    // Hovering the Customer bar (the third of three) lists its counts.
    // The chart fills its third of the window's width, less the y axis on its left.
    let third = 1400.0 / 3.0;
    let pointer = egui::pos2(title.left() + third * 0.8, title.bottom() + 170.0);
    harness.hover_at(pointer);
    for _ in 0..60 {
        harness.step();
    }
    let texts: Vec<String> = harness
        .get_all_by_label_contains("Implemented: 1")
        .map(|node| node.value().unwrap_or_default())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Customer\nNot started: 31")),
        "{texts:?}"
    );
}

#[test]
fn readiness_comes_first_and_what_needs_attention_folds_by_concern() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    let mut store = open_store(dir.path());
    store
        .update_control(
            project,
            "SRM-CUS-IAM-03",
            &ControlPatch::one(ControlEdit::Due(Some("2026-11-01".parse().unwrap()))),
        )
        .unwrap();
    let mut harness = harness(open_app(dir.path()));
    harness.get_by_label("Dashboard").click();
    harness.run();
    let readiness = harness.get_by_label("Readiness").rect();
    let attention = harness.get_by_label("Needs attention").rect();
    let charts = harness.get_by_label("Progress per column").rect();
    assert!(readiness.bottom() < attention.top() && attention.bottom() < charts.top());
    assert_eq!(
        harness.query_all_by_label("0%").count(),
        3,
        "one per column"
    );
    harness.get_by_label("AWS done");

    // The one overdue control is open under its group; the long missing-evidence list is
    // folded to its count.
    harness.get_by_label("Overdue controls (1)");
    let link = harness.get_by_label_contains("SRM-CUS-IAM-03");
    let missing = harness.get_by_label_contains("Missing evidence (");
    assert!(link.rect().top() < missing.rect().top());
    let links_before = harness.query_all_by_label_contains("SRM-").count();
    missing.click();
    harness.run();
    assert!(
        harness.query_all_by_label_contains("SRM-").count() > links_before + 10,
        "unfolding lists each control without evidence"
    );
    // An item is a way to its control.
    harness
        .query_all_by_label_contains("SRM-CUS-IAM-03 ")
        .next()
        .unwrap()
        .click();
    harness.run();
    assert_eq!(harness.state().state.shell.view, View::Board);
    assert_eq!(
        harness.state().state.shell.selected.as_deref(),
        Some("SRM-CUS-IAM-03")
    );
}

#[test]
fn a_project_without_an_audit_period_says_how_to_set_it_and_the_dialog_sets_it() {
    let dir = tempfile::tempdir().unwrap();
    create_project(dir.path());
    let mut harness = harness(open_app(dir.path()));
    harness.get_by_label("Dashboard").click();
    harness.run();
    harness.get_by_label("No audit period");
    harness.get_by_label("Set it: Project ▸ Audit period…");
    assert!(harness.query_by_label_contains("Nothing overdue").is_none());

    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Project")
        .click();
    harness.run();
    harness.get_by_label("Audit period…").click();
    harness.run();
    let field = egui::accesskit::Role::TextInput;
    for (label, day) in [("From", "2026-01-01"), ("to", "2026-12-31")] {
        harness.get_by_role_and_label(field, label).focus();
        harness.run();
        harness.get_by_role_and_label(field, label).type_text(day);
        harness.run();
    }
    harness.get_by_label("Save period").click();
    harness.run();
    assert_eq!(
        harness.state().state.views.dialog,
        lockstep::app::Dialog::None
    );
    // 2026-11-28 to 2026-12-31.
    harness.get_by_label("33");
    harness.get_by_label("days to the period's end");
    let project = open_store(dir.path())
        .project_by_name(crate::window::PROJECT)
        .unwrap();
    assert_eq!(project.period_end, "2026-12-31".parse().ok());
}

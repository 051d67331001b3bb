//! Issue 13: the dashboard's charts keep their legends below the bars, say their counts in
//! readable words, and name a bar's counts on hover.

use crate::window::{create_project, harness, open_app, open_store};
use egui_kittest::kittest::Queryable as _;
use lockstep::app::View;
use lockstep::model::{ControlField, ControlPatch};

#[test]
fn the_progress_chart_legend_and_counts_sit_below_the_bars_and_a_bar_tells_its_counts() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    let mut store = open_store(dir.path());
    store
        .update_control(
            project,
            "SRM-CUS-IAM-03",
            &ControlPatch::one(ControlField::Status, "implemented"),
        )
        .unwrap();
    let mut harness = harness(open_app(dir.path()));
    harness.get_by_label("Dashboard").click();
    harness.run();
    assert_eq!(harness.state().state.view, View::Dashboard);
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

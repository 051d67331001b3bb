//! The board at framework scale: the filter bar and the top bar lay out without overlap on
//! 1280- and 1440-pixel windows, family groups fold with their counts and progress, compact
//! cards, the table view sorted by any column, filtered counts in the column headers, and the
//! AWS coverage gap said once, as a banner.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT as _, Queryable as _};
use lockstep::app::{App, BoardMode, Command, Density, TableColumn};
use lockstep::model::{ControlEdit, ControlField, ControlPatch, FrameworkControl};
use lockstep::store::NewProject;

use crate::baselines::framework;
use crate::window::{MAX_STEPS, clock, open_app, open_store};

const PROJECT: &str = "Gov cloud";
const FAMILIES: [&str; 6] = ["AC", "AU", "CM", "IA", "SC", "SI"];

/// A baseline of `count` controls spread over six families, like a MODERATE baseline's
/// larger families.
fn big_baseline(count: usize) -> Vec<FrameworkControl> {
    (0..count)
        .map(|n| {
            let family = FAMILIES[n * FAMILIES.len() / count];
            let id = format!("{}-{}", family.to_lowercase(), n + 1);
            framework(&id, &format!("Control number {}", n + 1), n)
        })
        .collect()
}

/// A project on that baseline, with the audit period of 2027 and no AWS report; returns its
/// key.
fn create_big_project(dir: &std::path::Path, count: usize) -> i64 {
    open_store(dir)
        .create_project_on_baseline(
            &NewProject {
                name: PROJECT.to_string(),
                services: vec!["ec2".into(), "rds".into(), "s3".into()],
                period_start: "2027-01-01".parse().ok(),
                period_end: "2027-12-31".parse().ok(),
                ..NewProject::default()
            },
            "big",
            &big_baseline(count),
        )
        .unwrap()
        .key
}

fn set(dir: &std::path::Path, project: i64, id: &str, field: ControlField, value: &str) {
    open_store(dir)
        .update_control(
            project,
            id,
            &ControlPatch::one(ControlEdit::parse(field, value).unwrap()),
        )
        .unwrap();
}

fn harness_sized(app: App, width: f32, height: f32) -> Harness<'static, App> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(width, height))
        .with_max_steps(MAX_STEPS)
        .with_context_setup(lockstep::ui::style)
        .build_ui_state(|ui, app: &mut App| lockstep::ui::frame_ui(app, ui), app);
    harness.run();
    harness
}

fn apply(harness: &mut Harness<'_, App>, command: Command) {
    harness.state_mut().apply(command);
    harness.run();
}

/// The widgets of a bar, by role and name, with their rectangles.
fn rects(harness: &Harness<'_, App>, widgets: &[(Role, &str)]) -> Vec<(String, egui::Rect)> {
    widgets
        .iter()
        .map(|(role, label)| {
            // The search field is named by its hint only: it is the bar's one text field.
            let node = if *role == Role::TextInput {
                harness.get_by_role(*role)
            } else {
                harness.get_by_role_and_label(*role, label)
            };
            (label.to_string(), node.rect())
        })
        .collect()
}

fn assert_apart(rects: &[(String, egui::Rect)], width: f32) {
    for (n, (a, ra)) in rects.iter().enumerate() {
        assert!(
            ra.left() >= 0.0 && ra.right() <= width,
            "{a} at {ra:?} is outside a {width}-point window"
        );
        for (b, rb) in &rects[n + 1..] {
            assert!(
                ra.intersect(*rb).area() < 1.0,
                "{a} at {ra:?} overlaps {b} at {rb:?} on a {width}-point window"
            );
        }
    }
}

/// The cards in view (the board lays out only those).
fn cards(harness: &Harness<'_, App>) -> usize {
    harness
        .query_all(
            By::new()
                .role(Role::Button)
                .label_contains("Control number"),
        )
        .count()
}

#[test]
fn the_bars_lay_out_without_overlap_on_narrow_windows() {
    let tmp = tempfile::tempdir().unwrap();
    create_big_project(tmp.path(), 300);
    for (width, height) in [(1280.0, 800.0), (1440.0, 900.0)] {
        let mut harness = harness_sized(open_app(tmp.path()), width, height);
        for filtered in [false, true] {
            if filtered {
                harness.state_mut().state.views.board.filter.text = "number".into();
                harness.state_mut().state.views.board.filter.overdue_only = false;
                harness
                    .state_mut()
                    .state
                    .views
                    .board
                    .filter
                    .missing_evidence = true;
                harness.run();
            }
            let mut bar = vec![
                (Role::TextInput, "Search id, title, owner… (Ctrl+F)"),
                (Role::ComboBox, "Filter by status"),
                (Role::ComboBox, "Filter by owner"),
                (Role::ComboBox, "Filter by family"),
                (Role::CheckBox, "Overdue only"),
                (
                    Role::Button,
                    if filtered {
                        "More filters (1)"
                    } else {
                        "More filters"
                    },
                ),
                (Role::Button, "Cards"),
                (Role::Button, "Table"),
                (Role::Button, "View"),
                (Role::Button, "AWS services…"),
                (Role::Button, "+ Add control"),
            ];
            if filtered {
                bar.push((Role::Label, "300 shown"));
                bar.push((Role::Button, "Clear filters"));
            }
            assert_apart(&rects(&harness, &bar), width);
            let top = [
                (Role::Button, "Board"),
                (Role::Button, "Requests"),
                (Role::Button, "Dashboard"),
                (Role::Button, "Notifications"),
                (Role::Button, "Verify workspace"),
                (Role::Button, "Project"),
                (Role::Button, "Settings"),
            ];
            assert_apart(&rects(&harness, &top), width);
        }
    }
}

#[test]
fn family_groups_fold_with_their_counts_and_progress() {
    let tmp = tempfile::tempdir().unwrap();
    let project = create_big_project(tmp.path(), 300);
    set(
        tmp.path(),
        project,
        "AC-1",
        ControlField::Status,
        "implemented",
    );
    let mut harness = harness_sized(open_app(tmp.path()), 1280.0, 800.0);
    // Each group heading says how many controls it holds and how many are done.
    let heading = harness.get_by_role_and_label(
        Role::Button,
        "Collapse group Family AC (AC), 50 controls, 1 done",
    );
    heading.click();
    harness.run();
    assert_eq!(
        harness
            .query_all(By::new().role(Role::Button).label_contains("AC-"))
            .count(),
        0,
        "a folded group shows no cards"
    );
    harness.get_by_role_and_label(
        Role::Button,
        "Expand group Family AC (AC), 50 controls, 1 done",
    );
    // The next family moves up into view.
    harness.get_by_role_and_label(Role::Button, "AU-51 Control number 51");

    apply(&mut harness, Command::FoldAllAreas(true));
    assert_eq!(cards(&harness), 0);
    for family in FAMILIES {
        harness.get_by_label_contains(&format!(
            "Expand group Family {family} ({family}), 50 controls"
        ));
    }
    apply(&mut harness, Command::FoldAllAreas(false));
    assert!(cards(&harness) > 0);

    // A filter counts what it lets through in each group and column header.
    harness.state_mut().state.views.board.filter.text = "number 1".into();
    harness.run();
    // "number 1", "number 10".."19", "number 100".."199" and no others below 300.
    harness.get_by_label("111 of 300");
    harness.get_by_label_contains("Collapse group Family AC (AC), 11 of 50 controls");
}

#[test]
fn compact_cards_show_more_of_a_long_column() {
    let tmp = tempfile::tempdir().unwrap();
    create_big_project(tmp.path(), 300);
    let mut harness = harness_sized(open_app(tmp.path()), 1280.0, 800.0);
    let comfortable = cards(&harness);
    harness.get_by_role_and_label(Role::Button, "View").click();
    harness.run();
    harness.get_by_label("Compact (one line)").click();
    harness.run();
    assert_eq!(
        harness.state().state.views.board.view.density,
        Density::Compact
    );
    let compact = cards(&harness);
    assert!(
        compact >= 2 * comfortable,
        "{compact} compact cards in view against {comfortable}"
    );
    // A compact card still opens the control.
    harness
        .get_by_role_and_label(Role::Button, "AC-3 Control number 3")
        .click();
    harness.run();
    assert_eq!(
        harness.state().state.shell.selected.as_deref(),
        Some("AC-3")
    );
}

#[test]
fn the_table_view_lists_the_controls_sorted_by_any_column() {
    let tmp = tempfile::tempdir().unwrap();
    let project = create_big_project(tmp.path(), 300);
    for (id, due) in [
        ("AC-5", "2027-03-01"),
        ("SI-300", "2027-01-15"),
        ("CM-120", "2027-02-01"),
    ] {
        set(tmp.path(), project, id, ControlField::Due, due);
    }
    let mut harness = harness_sized(open_app(tmp.path()), 1280.0, 800.0);
    harness.get_by_role_and_label(Role::Button, "Table").click();
    harness.run();
    assert_eq!(
        harness.state().state.views.board.view.mode,
        BoardMode::Table
    );
    // Rows in id order first: the board's order.
    let top_rows = |harness: &Harness<'_, App>| {
        let mut rows: Vec<(f32, String)> = harness
            .query_all(
                By::new()
                    .role(Role::Button)
                    .label_contains("Control number"),
            )
            .map(|node| {
                (
                    node.rect().top(),
                    node.accesskit_node().label().unwrap_or_default(),
                )
            })
            .collect();
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        rows.into_iter()
            .map(|(_, label)| label)
            .take(3)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        top_rows(&harness),
        [
            "AC-1 Control number 1",
            "AC-2 Control number 2",
            "AC-3 Control number 3"
        ]
    );
    // The wheel scrolls the table.
    harness.hover_at(egui::pos2(400.0, 500.0));
    for _ in 0..5 {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -200.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::NONE,
        });
        harness.run();
    }
    assert_ne!(
        top_rows(&harness)[0],
        "AC-1 Control number 1",
        "the table scrolled"
    );
    harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, 100_000.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
        modifiers: egui::Modifiers::NONE,
    });
    harness.run();
    // Sorting by due date puts the earliest first; again, the latest dated first.
    harness.get_by_role_and_label(Role::Button, "Due").click();
    harness.run();
    assert_eq!(
        harness.state().state.views.board.view.sort,
        TableColumn::Due
    );
    assert_eq!(
        top_rows(&harness),
        [
            "SI-300 Control number 300",
            "CM-120 Control number 120",
            "AC-5 Control number 5"
        ]
    );
    harness.get_by_role_and_label(Role::Button, "Due ^").click();
    harness.run();
    assert!(!harness.state().state.views.board.view.ascending);
    // Descending puts undated controls first, as the reverse of ascending.
    assert_eq!(top_rows(&harness)[0], "SI-299 Control number 299");
    // A row opens its control.
    harness
        .get_by_role_and_label(Role::Button, "SI-299 Control number 299")
        .click();
    harness.run();
    assert_eq!(
        harness.state().state.shell.selected.as_deref(),
        Some("SI-299")
    );
}

#[test]
fn a_coverage_gap_is_one_banner_and_not_a_mark_on_every_card() {
    let tmp = tempfile::tempdir().unwrap();
    create_big_project(tmp.path(), 300);
    let app = App::open_with(tmp.path().to_path_buf(), clock());
    let mut harness = harness_sized(app, 1280.0, 800.0);
    // No AWS report covers 2027: one banner says so, with the way to fix it.
    assert_eq!(harness.query_all_by_label("AWS coverage gap").count(), 1);
    harness.get_by_label_contains("leave 365 days of the audit period uncovered");
    harness
        .get_by_role_and_label(Role::Button, "Open AWS reports")
        .click();
    harness.run();
    assert_eq!(
        harness.state().state.shell.view,
        lockstep::app::View::AwsReports
    );
}

#[test]
fn a_failing_security_hub_check_shows_on_the_cards_of_its_controls_and_in_the_panel() {
    use lockstep::import::findings::parse_findings;
    use lockstep::store::FindingsFileRecord;

    let tmp = tempfile::tempdir().unwrap();
    let project = crate::window::create_project(tmp.path());
    let asff = serde_json::json!({"Findings": [{
        "Id": "arn:aws:securityhub:us-east-1:111122223333:finding/c1",
        "AwsAccountId": "111122223333",
        "Title": "IAM users should not have IAM policies attached",
        "Severity": {"Label": "MEDIUM"},
        "FirstObservedAt": "2026-11-03T00:00:00Z",
        "UpdatedAt": "2026-11-25T00:00:00Z",
        "Resources": [{"Id": "arn:aws:iam::111122223333:user/ci", "Type": "AwsIamUser"}],
        "Compliance": {"Status": "FAILED", "SecurityControlId": "IAM.2",
                       "RelatedRequirements": ["NIST.800-53.r5 AC-2(1)"]},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE"
    }]});
    let bytes = serde_json::to_vec(&asff).unwrap();
    let file = parse_findings(&bytes, None).unwrap();
    let mut store = open_store(tmp.path());
    let report = store
        .import_findings(
            project,
            &file,
            &FindingsFileRecord {
                file_name: "securityhub.json".into(),
                sha256: "a".repeat(64),
                size_bytes: bytes.len() as u64,
                media_type: "application/json".into(),
            },
            false,
        )
        .unwrap();
    assert_eq!(report.new, 1);
    let failing = store.failing_checks(project).unwrap();
    assert!(
        !failing.is_empty(),
        "the built-in set maps controls to AC-2"
    );
    let control = failing.keys().min().unwrap().clone();

    let mut harness = crate::window::harness(open_app(tmp.path()));
    let chips = harness.query_all_by_label("1 failing check").count();
    assert!(
        (1..=failing.len()).contains(&chips),
        "a chip on the cards in view that the check names: {chips} of {}",
        failing.len()
    );
    harness
        .state_mut()
        .apply(Command::SelectControl(Some(control.clone())));
    harness.run();
    harness.get_by_label_contains("Checks (1 failing of 1)");
    harness.get_by_label("IAM users should not have IAM policies attached");

    // The dashboard's "Needs attention" counts them, one line per control.
    harness.state_mut().state.shell.view = lockstep::app::View::Dashboard;
    harness.run();
    harness.get_by_label_contains("Failing Security Hub checks");
    assert_eq!(
        harness
            .query_all_by_label_contains("— 1 failing check")
            .count(),
        failing.len()
    );
}

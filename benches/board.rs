//! The board's cost with ten thousand controls, against a project of the baseline's 54, and
//! with a project on a 1,200-control framework baseline.
//!
//! DESIGN.md §7 asks for start-up to the first frame well under a second and a board of
//! 10,000 controls that draws each frame in a few milliseconds because only the rows in view
//! are laid out. This measures both the way the window runs them: a bare `egui::Context`
//! calls `lockstep::ui::frame_ui`, then tessellates the output, as eframe does before
//! handing it to the GPU (GPU time is not measured). No `egui_kittest` harness: it builds the
//! AccessKit tree every frame, which the window does only when a screen reader asks for it.
//!
//! Times are wall-clock `Instant` readings on this one thread. Nothing else runs on it (the
//! store has no background threads), so they stand for its CPU time; `libc` is not a
//! dependency and `getrusage` is not worth adding one for.
//!
//! The peer is the same board on a 54-control project in the same run: the 10,000-control
//! frame divided by the 54-control frame shows whether the cost follows the rows in view
//! (a ratio near 1) or the rows in the project (a ratio near 185).
//!
//! Set-up, not measured: a project on every AWS service (the baseline's 54 controls) plus
//! 9,946 controls of the team's own added one by one through `Store::add_control`, the same
//! call the add-control dialog makes. Run with `cargo bench --bench board`.
//!
//! The 10,000-control board is measured again with every area group folded, in compact
//! cards, and as the table view (in board order, then sorted by title): each must keep the
//! same frame goal.
//!
//! The framework board: a project on a synthetic baseline of 1,200 selected controls in 20
//! families (statements with filled parameters, guidance, a parent per enhancement), created
//! through `Store::create_project_on_baseline`, the call `project create --baseline` makes;
//! its creation is timed too (goal: a HIGH-sized project, 370 controls, in 0.5 s). The frame
//! is measured with a control selected, so the panel lays out its highlighted statement.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone as _, Utc};
use egui::{Event, Modifiers, MouseWheelSource, MouseWheelUnit, RawInput, TouchPhase};
use lockstep::app::App;
use lockstep::catalog::Baseline;
use lockstep::model::{
    FilledParameter, FilledText, FrameworkControl, ParameterSource, ParameterSpan, label_of,
    oscal_id_of,
};
use lockstep::store::{Clock, NewControl, NewProject, Store};

const FRAMEWORK_CONTROLS: usize = 1_200;
const HIGH_CONTROLS: usize = 370;
const CREATE_GOAL: Duration = Duration::from_millis(500);
const FAMILIES: [&str; 20] = [
    "AC", "AT", "AU", "CA", "CM", "CP", "IA", "IR", "MA", "MP", "PE", "PL", "PM", "PS", "PT", "RA",
    "SA", "SC", "SI", "SR",
];

const BIG_CONTROLS: usize = 10_000;
const WARM_UP_FRAMES: usize = 20;
const MEASURED_FRAMES: usize = 200;
const WINDOW_SIZE: egui::Vec2 = egui::vec2(1400.0, 900.0);
/// Over the first column's cards.
const POINTER: egui::Pos2 = egui::pos2(220.0, 520.0);
/// Points scrolled per frame: half a card.
const SCROLL_PER_FRAME: f32 = 43.0;
const FRAME_SECS: f64 = 1.0 / 60.0;

const OPEN_GOAL: Duration = Duration::from_millis(300);
const FRAME_GOAL: Duration = Duration::from_millis(4);
/// Our own bar for "only visible rows are laid out": 185 times the controls may cost at
/// most twice the frame.
const RATIO_GOAL: f64 = 2.0;

fn clock() -> Clock {
    Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap())
}

/// A workspace with one project on every service, topped up to `controls` with the team's
/// own controls spread over the three columns and 25 areas.
fn build_workspace(dir: &Path, controls: usize) {
    let mut store = Store::open_with_clock(dir, clock()).unwrap();
    let services = Baseline::builtin()
        .services
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let project = store
        .create_project(&NewProject {
            name: format!("Board of {controls}"),
            services,
            ..NewProject::default()
        })
        .unwrap()
        .key;
    let baseline = store.controls(project).unwrap().len();
    for n in baseline..controls {
        let (can_adjust, aws_operates_part) = match n % 3 {
            0 => (false, None),
            1 => (true, Some(true)),
            _ => (true, Some(false)),
        };
        store
            .add_control(
                project,
                &NewControl {
                    title: format!("Team check number {n}"),
                    description: "A control of the team's own, for the benchmark.".to_string(),
                    area: format!("Team area {:02}", n % 25),
                    can_adjust,
                    aws_operates_part,
                },
            )
            .unwrap();
    }
    assert_eq!(store.controls(project).unwrap().len(), controls);
}

/// A synthetic resolved baseline of `selected` controls: per family, base controls each
/// followed by enhancements, so that a fifth of the ids are enhancements of a parent.
fn synthetic_baseline(selected: usize) -> Vec<FrameworkControl> {
    let mut controls = Vec::with_capacity(selected);
    let mut n = 0;
    while controls.len() < selected {
        let family = FAMILIES[n % FAMILIES.len()];
        let number = n / FAMILIES.len() / 5 + 1;
        let enhancement = n / FAMILIES.len() % 5;
        let id = if enhancement == 0 {
            format!("{}-{number}", family.to_lowercase())
        } else {
            format!("{}-{number}.{enhancement}", family.to_lowercase())
        };
        let title = format!("Synthetic control {n}");
        let before = format!("{title}: review the settings every ");
        let value = "30 days";
        let text = format!("{before}{value} and record who did it.");
        controls.push(FrameworkControl {
            label: label_of(&id),
            parent: id.rsplit_once('.').map(|(parent, _)| label_of(parent)),
            id: id.clone(),
            family: family.to_string(),
            family_title: format!("Family {family}"),
            title,
            statement: FilledText {
                params: vec![ParameterSpan {
                    start: before.len(),
                    end: before.len() + value.len(),
                    param: format!("{id}_odp"),
                }],
                text,
            },
            guidance: "Guidance text for the benchmark, a few sentences long.".repeat(4),
            parameters: vec![FilledParameter {
                id: format!("{id}_odp"),
                label: "frequency".to_string(),
                value: value.to_string(),
                source: ParameterSource::Value,
                aggregates: Vec::new(),
            }],
            selected: true,
            position: controls.len(),
        });
        n += 1;
    }
    controls
}

/// A workspace with one project on every service on a synthetic baseline of `controls`
/// controls; returns how long creating the project took.
fn build_framework_workspace(dir: &Path, controls: usize) -> Duration {
    let mut store = Store::open_with_clock(dir, clock()).unwrap();
    let services: Vec<String> = Baseline::builtin()
        .services
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let baseline = synthetic_baseline(controls);
    let start = Instant::now();
    let project = store
        .create_project_on_baseline(
            &NewProject {
                name: format!("Baseline of {controls}"),
                services,
                ..NewProject::default()
            },
            "synthetic",
            &baseline,
        )
        .unwrap();
    let took = start.elapsed();
    assert_eq!(store.controls(project.key).unwrap().len(), controls);
    took
}

/// Frames drawn so far, across windows and views: the input's time only moves forward, as
/// egui's scrolling expects.
static FRAMES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The next frame's input: the pointer over the board, and a wheel notch when `scroll`.
fn input(scroll: bool) -> RawInput {
    let frame = FRAMES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut events = vec![Event::PointerMoved(POINTER)];
    if scroll {
        events.push(Event::MouseWheel {
            unit: MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -SCROLL_PER_FRAME),
            phase: TouchPhase::Move,
            source: MouseWheelSource::Wheel,
            modifiers: Modifiers::NONE,
        });
    }
    RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, WINDOW_SIZE)),
        time: Some(frame as f64 * FRAME_SECS),
        predicted_dt: FRAME_SECS as f32,
        events,
        ..RawInput::default()
    }
}

/// What one frame cost and which card ids it painted.
struct Frame {
    cpu: Duration,
    cards: Vec<String>,
}

/// Runs one frame as eframe would: the ui pass, then tessellation. The card ids are read
/// from the painted text between the two, outside the timing.
fn frame(ctx: &egui::Context, app: &mut App, input: RawInput) -> Frame {
    let start = Instant::now();
    let output = ctx.run_ui(input, |ui| lockstep::ui::frame_ui(app, ui));
    let ui_pass = start.elapsed();
    let mut cards = Vec::new();
    for clipped in &output.shapes {
        painted_cards(&clipped.shape, &mut cards);
    }
    let start = Instant::now();
    let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    let cpu = ui_pass + start.elapsed();
    std::hint::black_box(primitives);
    Frame { cpu, cards }
}

fn painted_cards(shape: &egui::Shape, cards: &mut Vec<String>) {
    match shape {
        egui::Shape::Text(text) => {
            let text = text.galley.text();
            let framework_id = oscal_id_of(text).is_some_and(|id| label_of(&id) == text);
            if text.starts_with("SRM-") || text.starts_with("USR-") || framework_id {
                cards.push(text.to_string());
            }
        }
        egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| painted_cards(s, cards)),
        _ => {}
    }
}

/// A fresh window on the workspace: open it and draw the first frame.
fn open_and_first_frame(dir: &Path) -> (egui::Context, App, Duration, Duration) {
    let start = Instant::now();
    let ctx = egui::Context::default();
    lockstep::ui::style(&ctx);
    let mut app = App::open_with(dir.to_path_buf(), clock());
    let opened = start.elapsed();
    let first = frame(&ctx, &mut app, input(false));
    assert!(!first.cards.is_empty(), "the first frame shows no cards");
    (ctx, app, opened, start.elapsed())
}

struct Steady {
    median: Duration,
    p95: Duration,
    cards_per_frame: usize,
    scrolled: bool,
}

fn steady_frames(ctx: &egui::Context, app: &mut App) -> Steady {
    for _ in 0..WARM_UP_FRAMES {
        frame(ctx, app, input(false));
    }
    let mut times = Vec::with_capacity(MEASURED_FRAMES);
    let mut first_cards = Vec::new();
    let mut last_cards = Vec::new();
    let mut most_cards = 0;
    for n in 0..MEASURED_FRAMES {
        let frame = frame(ctx, app, input(true));
        times.push(frame.cpu);
        most_cards = most_cards.max(frame.cards.len());
        if n == 0 {
            first_cards = frame.cards;
        } else {
            last_cards = frame.cards;
        }
    }
    times.sort();
    Steady {
        median: times[times.len() / 2],
        p95: times[times.len() * 95 / 100],
        cards_per_frame: most_cards,
        scrolled: first_cards != last_cards,
    }
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "over" }
}

fn main() {
    let root = tempfile::tempdir().unwrap();
    let big_dir = root.path().join("big");
    let small_dir = root.path().join("small");

    let start = Instant::now();
    build_workspace(&big_dir, BIG_CONTROLS);
    let small_controls = Baseline::builtin().controls.len();
    build_workspace(&small_dir, small_controls);
    println!(
        "set-up: {BIG_CONTROLS} and {small_controls} controls through Store in {:.1} s (not measured)",
        start.elapsed().as_secs_f64()
    );
    println!(
        "method: bare egui::Context::run_ui calling lockstep::ui::frame_ui, then tessellate; \
         {}x{} points; Instant on one thread",
        WINDOW_SIZE.x, WINDOW_SIZE.y
    );

    let (ctx, mut app, big_open, big_first) = open_and_first_frame(&big_dir);
    let big = steady_frames(&ctx, &mut app);
    // The same board with every area group folded, in compact cards, and as the table.
    app.apply(lockstep::app::Command::FoldAllAreas(true));
    let folded = steady_frames(&ctx, &mut app);
    app.apply(lockstep::app::Command::FoldAllAreas(false));
    app.state.views.board.view.density = lockstep::app::Density::Compact;
    let compact = steady_frames(&ctx, &mut app);
    app.state.views.board.view.density = lockstep::app::Density::Comfortable;
    app.state.views.board.view.mode = lockstep::app::BoardMode::Table;
    let table = steady_frames(&ctx, &mut app);
    assert!(table.scrolled, "the 10,000-row table did not scroll");
    app.apply(lockstep::app::Command::SortBoardTable(
        lockstep::app::TableColumn::Title,
    ));
    let sorted = steady_frames(&ctx, &mut app);
    let (ctx, mut app, _, small_first) = open_and_first_frame(&small_dir);
    let small = steady_frames(&ctx, &mut app);
    let ratio = big.median.as_secs_f64() / small.median.as_secs_f64();

    println!(
        "frames: {WARM_UP_FRAMES} warm-up, {MEASURED_FRAMES} measured, each scrolling \
         {SCROLL_PER_FRAME} points; cards painted per frame at most: {} of {BIG_CONTROLS}, \
         {} of {small_controls}; scrolled: {}, {}",
        big.cards_per_frame, small.cards_per_frame, big.scrolled, small.scrolled
    );
    assert!(big.scrolled, "the 10,000-control board did not scroll");
    println!();
    println!("{:<44} {:>10} {:>10}  result", "measure", "value", "goal");
    let rows = [
        (
            format!("open workspace ({BIG_CONTROLS} controls)"),
            ms(big_open),
            "-".to_string(),
            "",
        ),
        (
            "open + first frame".to_string(),
            ms(big_first),
            format!("< {}", ms(OPEN_GOAL)),
            verdict(big_first < OPEN_GOAL),
        ),
        (
            "frame, median".to_string(),
            ms(big.median),
            format!("< {}", ms(FRAME_GOAL)),
            verdict(big.median < FRAME_GOAL),
        ),
        (
            "frame, p95".to_string(),
            ms(big.p95),
            format!("< {}", ms(FRAME_GOAL)),
            verdict(big.p95 < FRAME_GOAL),
        ),
        (
            "frame, groups folded, median".to_string(),
            ms(folded.median),
            format!("< {}", ms(FRAME_GOAL)),
            verdict(folded.median < FRAME_GOAL),
        ),
        (
            "frame, compact cards, median".to_string(),
            ms(compact.median),
            format!("< {}", ms(FRAME_GOAL)),
            verdict(compact.median < FRAME_GOAL),
        ),
        (
            "frame, compact cards, p95".to_string(),
            ms(compact.p95),
            format!("< {}", ms(FRAME_GOAL)),
            verdict(compact.p95 < FRAME_GOAL),
        ),
        (
            "frame, table view, median".to_string(),
            ms(table.median),
            format!("< {}", ms(FRAME_GOAL)),
            verdict(table.median < FRAME_GOAL),
        ),
        (
            "frame, table sorted by title, p95".to_string(),
            ms(sorted.p95),
            format!("< {}", ms(FRAME_GOAL)),
            verdict(sorted.p95 < FRAME_GOAL),
        ),
        (
            format!("peer: open + first frame ({small_controls} controls)"),
            ms(small_first),
            "-".to_string(),
            "",
        ),
        (
            "peer: frame, median".to_string(),
            ms(small.median),
            "-".to_string(),
            "",
        ),
        (
            "peer: frame, p95".to_string(),
            ms(small.p95),
            "-".to_string(),
            "",
        ),
        (
            format!("ratio frame {BIG_CONTROLS} / {small_controls} (median)"),
            format!("{ratio:.2}x"),
            format!("< {RATIO_GOAL:.1}x"),
            verdict(ratio < RATIO_GOAL),
        ),
    ];
    for (measure, value, goal, result) in rows {
        println!("{measure:<44} {value:>10} {goal:>10}  {result}");
    }

    let high_dir = root.path().join("high");
    let framework_dir = root.path().join("framework");
    let high_create = build_framework_workspace(&high_dir, HIGH_CONTROLS);
    let framework_create = build_framework_workspace(&framework_dir, FRAMEWORK_CONTROLS);
    let (ctx, mut app, _, framework_first) = open_and_first_frame(&framework_dir);
    let plain = steady_frames(&ctx, &mut app);
    let selected = app.state.records.controls.first().map(|c| c.id.clone());
    assert!(selected.is_some(), "the framework board has no controls");
    app.apply(lockstep::app::Command::SelectControl(selected));
    let with_panel = steady_frames(&ctx, &mut app);
    assert!(plain.scrolled, "the 1,200-control board did not scroll");
    println!();
    println!(
        "framework baseline: {FRAMEWORK_CONTROLS} selected controls in {} families; cards painted per frame at most: {}",
        FAMILIES.len(),
        plain.cards_per_frame
    );
    let rows = [
        (
            format!("create project on {HIGH_CONTROLS} controls (HIGH)"),
            ms(high_create),
            format!("< {}", ms(CREATE_GOAL)),
            verdict(high_create < CREATE_GOAL),
        ),
        (
            format!("create project on {FRAMEWORK_CONTROLS} controls"),
            ms(framework_create),
            "-".to_string(),
            "",
        ),
        (
            "open + first frame".to_string(),
            ms(framework_first),
            format!("< {}", ms(OPEN_GOAL)),
            verdict(framework_first < OPEN_GOAL),
        ),
        (
            "frame, median".to_string(),
            ms(plain.median),
            format!("< {}", ms(FRAME_GOAL)),
            verdict(plain.median < FRAME_GOAL),
        ),
        (
            "frame, p95".to_string(),
            ms(plain.p95),
            format!("< {}", ms(FRAME_GOAL)),
            verdict(plain.p95 < FRAME_GOAL),
        ),
        (
            "frame with the panel open, median".to_string(),
            ms(with_panel.median),
            format!("< {}", ms(FRAME_GOAL)),
            verdict(with_panel.median < FRAME_GOAL),
        ),
        (
            "frame with the panel open, p95".to_string(),
            ms(with_panel.p95),
            format!("< {}", ms(FRAME_GOAL)),
            verdict(with_panel.p95 < FRAME_GOAL),
        ),
    ];
    for (measure, value, goal, result) in rows {
        println!("{measure:<44} {value:>10} {goal:>10}  {result}");
    }
}

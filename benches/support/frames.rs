//! Measuring a table view's frames, shared by the views' benches: a bare `egui::Context`
//! runs `lockstep::ui::frame_ui`, then tessellates the output as eframe does before handing
//! it to the GPU (GPU time is not measured), with the pointer over the table scrolling it
//! every frame. Times are wall-clock `Instant` readings on this one thread. Each bench
//! includes it with `#[path = "support/frames.rs"] mod frames;`.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use egui::{Event, Modifiers, MouseWheelSource, MouseWheelUnit, RawInput, TouchPhase};
use lockstep::app::App;

pub const WARM_UP_FRAMES: usize = 20;
pub const MEASURED_FRAMES: usize = 200;
pub const WINDOW_SIZE: egui::Vec2 = egui::vec2(1400.0, 900.0);
/// Over the table's rows.
pub const POINTER: egui::Pos2 = egui::pos2(500.0, 500.0);
/// Points scrolled per frame: a little over one row.
pub const SCROLL_PER_FRAME: f32 = 30.0;
pub const FRAME_SECS: f64 = 1.0 / 60.0;
pub const FRAME_GOAL: Duration = Duration::from_millis(4);

/// The input of frame number `frame`: the pointer over the table, scrolling when `scroll`.
pub fn input(frame: usize, scroll: bool) -> RawInput {
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

/// One frame as eframe runs it: the ui pass, then tessellation; and the texts painted that
/// start with `prefix` (the row ids).
pub fn frame(
    ctx: &egui::Context,
    app: &mut App,
    input: RawInput,
    prefix: &str,
) -> (Duration, Vec<String>) {
    let start = Instant::now();
    let output = ctx.run_ui(input, |ui| lockstep::ui::frame_ui(app, ui));
    let ui_pass = start.elapsed();
    let mut ids = Vec::new();
    for clipped in &output.shapes {
        painted_ids(&clipped.shape, prefix, &mut ids);
    }
    let start = Instant::now();
    let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    let cpu = ui_pass + start.elapsed();
    std::hint::black_box(primitives);
    (cpu, ids)
}

fn painted_ids(shape: &egui::Shape, prefix: &str, ids: &mut Vec<String>) {
    match shape {
        egui::Shape::Text(text) => {
            let text = text.galley.text();
            if text.starts_with(prefix) {
                ids.push(text.to_string());
            }
        }
        egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| painted_ids(s, prefix, ids)),
        _ => {}
    }
}

/// Steady frames: their median and 95th percentile, the most rows painted in one, and
/// whether the rows painted changed (the table scrolled).
pub struct Steady {
    pub median: Duration,
    pub p95: Duration,
    pub rows_per_frame: usize,
    pub scrolled: bool,
}

/// Warms up, then measures [`MEASURED_FRAMES`] frames scrolling the table, numbered from
/// `start`.
pub fn steady(ctx: &egui::Context, app: &mut App, start: usize, prefix: &str) -> Steady {
    for n in 0..WARM_UP_FRAMES {
        frame(ctx, app, input(start + n, false), prefix);
    }
    let mut times = Vec::with_capacity(MEASURED_FRAMES);
    let (mut first, mut last, mut most) = (Vec::new(), Vec::new(), 0);
    for n in 0..MEASURED_FRAMES {
        let (cpu, ids) = frame(ctx, app, input(start + WARM_UP_FRAMES + n, true), prefix);
        times.push(cpu);
        most = most.max(ids.len());
        if n == 0 {
            first = ids;
        } else {
            last = ids;
        }
    }
    times.sort();
    Steady {
        median: times[times.len() / 2],
        p95: times[times.len() * 95 / 100],
        rows_per_frame: most,
        scrolled: first != last,
    }
}

pub fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

pub fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "over" }
}

/// Prints the measures of a view with `big` rows against its peer with `small`: steady
/// frames, the frame that re-sorts by `resorted_by` and those after it, and the ratio.
pub fn print_results(
    (big_rows, small_rows, what): (usize, usize, &str),
    big: &Steady,
    (resorted_by, resort, sorted): (&str, Duration, &Steady),
    small: &Steady,
) {
    let ratio = big.median.as_secs_f64() / small.median.as_secs_f64();
    println!(
        "frames: {WARM_UP_FRAMES} warm-up, {MEASURED_FRAMES} measured, each scrolling \
         {SCROLL_PER_FRAME} points; rows painted per frame at most: {} of {big_rows}, {} of \
         {small_rows}",
        big.rows_per_frame, small.rows_per_frame
    );
    println!();
    println!("{:<44} {:>10} {:>10}  result", "measure", "value", "goal");
    let goal = format!("<= {}", ms(FRAME_GOAL));
    let rows = [
        (
            format!("frame, median ({big_rows} {what})"),
            ms(big.median),
            goal.clone(),
            verdict(big.median <= FRAME_GOAL),
        ),
        (
            "frame, p95".to_string(),
            ms(big.p95),
            goal.clone(),
            verdict(big.p95 <= FRAME_GOAL),
        ),
        (
            format!("frame that re-sorts by {resorted_by} (once)"),
            ms(resort),
            "-".to_string(),
            "",
        ),
        (
            "frame after the re-sort, median".to_string(),
            ms(sorted.median),
            goal,
            verdict(sorted.median <= FRAME_GOAL),
        ),
        (
            format!("peer: frame, median ({small_rows} {what})"),
            ms(small.median),
            "-".to_string(),
            "",
        ),
        (
            format!("ratio frame {big_rows} / {small_rows} (median)"),
            format!("{ratio:.2}x"),
            "< 2.0x".to_string(),
            verdict(ratio < 2.0),
        ),
    ];
    for (measure, value, goal, result) in rows {
        println!("{measure:<44} {value:>10} {goal:>10}  {result}");
    }
}

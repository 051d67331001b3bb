//! The Findings view's cost with 50,000 findings, against 500.
//!
//! Issue 17 asks the Findings view to draw a frame in 4 ms or less with 50,000 findings. This
//! measures it as `benches/requests_view.rs` measures the Requests view: a bare
//! `egui::Context` calls `lockstep::ui::frame_ui` with the Findings view open, then
//! tessellates the output as eframe does before handing it to the GPU (GPU time is not
//! measured), with the pointer over the table scrolling it every frame. Times are
//! wall-clock `Instant` readings on this one thread.
//!
//! The peer is the same view with 500 findings in the same run: the ratio of the two frames
//! shows whether the cost follows the rows in sight (near 1) or the rows in the list (near
//! 100). Then the sort changes to the deadline column: the one frame that sorts and the
//! frames after it are timed, to show that a change of sort is paid once, not every frame.
//!
//! Set-up, not measured: the usual project and an Inspector export written by
//! `import::findings::sample`, imported through `workspace::import_findings`, the call the
//! window's import makes. Run with `cargo bench --bench findings_view`.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use chrono::{NaiveDate, TimeZone as _, Utc};
use lockstep::app::{App, Command, FindingSort, View};
use lockstep::store::{Clock, NewProject, Store, VAULT_DIR};
use lockstep::vault::Vault;

#[path = "support/frames.rs"]
mod frames;

use frames::{Steady, WINDOW_SIZE, frame, input, print_results, steady};

const BIG: usize = 50_000;
const SMALL: usize = 500;

fn clock() -> Clock {
    Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap())
}

fn build_workspace(dir: &Path, findings: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let mut store = Store::open_with_clock(dir, clock()).unwrap();
    let project = store
        .create_project(&NewProject {
            name: format!("Findings of {findings}"),
            services: vec!["ec2".into(), "rds".into(), "s3".into()],
            ..NewProject::default()
        })
        .unwrap()
        .key;
    let path = dir.join("inspector.json");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let seed_day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    lockstep::import::findings::sample::write_sample_inspector_json(&mut file, findings, seed_day)
        .unwrap();
    drop(file);
    let vault = Vault::open(&dir.join(VAULT_DIR)).unwrap();
    let report = lockstep::workspace::import_findings(
        &mut store,
        &vault,
        (project, false),
        (&path, None),
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(report.new, findings);
    std::fs::remove_file(&path).unwrap();
}

/// Opens the window on the Findings view with every finding shown and measures steady
/// frames; then changes the sort and measures again. Also returns how long opening the view
/// took (reading the findings).
fn measure(dir: &Path) -> (Steady, std::time::Duration, Steady, std::time::Duration) {
    let ctx = egui::Context::default();
    lockstep::ui::style(&ctx);
    let mut app = App::open_with(dir.to_path_buf(), clock());
    let start = Instant::now();
    app.apply(Command::ShowView(View::Findings));
    let opened = start.elapsed();
    app.state.views.findings.filter.open_only = false;
    let first = steady(&ctx, &mut app, 0, "F-");
    app.state.views.findings.sort = (FindingSort::Deadline, true);
    let (resort, _) = frame(&ctx, &mut app, input(1_000, false), "F-");
    let sorted = steady(&ctx, &mut app, 1_001, "F-");
    (first, resort, sorted, opened)
}

fn main() {
    let root = tempfile::tempdir().unwrap();
    let (big_dir, small_dir) = (root.path().join("big"), root.path().join("small"));
    let start = Instant::now();
    build_workspace(&big_dir, BIG);
    build_workspace(&small_dir, SMALL);
    println!(
        "set-up: {BIG} and {SMALL} findings imported in {:.1} s (not measured)",
        start.elapsed().as_secs_f64()
    );
    println!(
        "method: bare egui::Context::run_ui calling lockstep::ui::frame_ui on the Findings view, \
         then tessellate; {}x{} points; Instant on one thread",
        WINDOW_SIZE.x, WINDOW_SIZE.y
    );
    let (big, resort, big_sorted, opened) = measure(&big_dir);
    let (small, _, _, _) = measure(&small_dir);
    assert!(big.scrolled, "the 50,000-finding table did not scroll");
    println!(
        "opening the view (reading {BIG} findings once): {:.0} ms",
        opened.as_secs_f64() * 1e3
    );
    print_results(
        (BIG, SMALL, "findings"),
        &big,
        ("deadline", resort, &big_sorted),
        &small,
    );
}

//! The Requests view's cost with 5,000 requests, against a list of 50.
//!
//! Issue 10 asks the Requests view with 5,000 requests to draw a frame in 4 ms or less. This
//! measures it the way `benches/board.rs` measures the board: a bare `egui::Context` calls
//! `lockstep::ui::frame_ui`, then tessellates the output, as eframe does before handing it
//! to the GPU (GPU time is not measured), with the pointer over the table scrolling it
//! every frame. Times are wall-clock `Instant` readings on this one thread.
//!
//! The peer is the same view on a 50-request list in the same run: the 5,000-request frame
//! divided by the 50-request frame shows whether the cost follows the rows in view (a ratio
//! near 1) or the rows in the list (near 100). Then the table is sorted by another column:
//! the one frame that sorts and the frames after it are timed, to show that a change of
//! sort is paid once, not every frame.
//!
//! Set-up, not measured: the usual project, and a request list imported through
//! `Store::import_requests`, the same call the window's import makes. Run with
//! `cargo bench --bench requests_view`.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone as _, Utc};
use lockstep::app::{App, RequestSort, View};
use lockstep::store::{Clock, NewProject, Store};

#[path = "support/frames.rs"]
mod frames;

use frames::{Steady, WINDOW_SIZE, frame, input, print_results, steady};

const BIG: usize = 5_000;
const SMALL: usize = 50;

fn clock() -> Clock {
    Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap())
}

fn build_workspace(dir: &Path, requests: usize) {
    let mut store = Store::open_with_clock(dir, clock()).unwrap();
    let project = store
        .create_project(&NewProject {
            name: format!("Requests of {requests}"),
            services: vec!["ec2".into(), "rds".into(), "s3".into()],
            ..NewProject::default()
        })
        .unwrap()
        .key;
    let mut list = String::from("ID,Request,Control,Owner,Due,Priority\n");
    for n in 1..=requests {
        list.push_str(&format!(
            "R-{n:04},Evidence for audit item number {n} covering the period end,CC{}.{},Owner {},2027-{:02}-{:02},{}\n",
            n % 9 + 1,
            n % 7 + 1,
            n % 12,
            n % 12 + 1,
            n % 27 + 1,
            ["High", "Medium", "Low"][n % 3]
        ));
    }
    let path = dir.join("list.csv");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(&path, list).unwrap();
    let report = store.import_requests(project, &path).unwrap();
    assert_eq!(report.added, requests);
}

/// Opens the window on the Requests view and measures steady frames; then changes the sort
/// and measures again.
fn measure(dir: &Path) -> (Steady, std::time::Duration, Steady) {
    let ctx = egui::Context::default();
    lockstep::ui::style(&ctx);
    let mut app = App::open_with(dir.to_path_buf(), clock());
    app.state.shell.view = View::Requests;
    let first = steady(&ctx, &mut app, 0, "R-");
    app.state.views.requests.sort = (RequestSort::Due, true);
    let (resort, _) = frame(&ctx, &mut app, input(1_000, false), "R-");
    let sorted = steady(&ctx, &mut app, 1_001, "R-");
    (first, resort, sorted)
}

fn main() {
    let root = tempfile::tempdir().unwrap();
    let (big_dir, small_dir) = (root.path().join("big"), root.path().join("small"));
    let start = Instant::now();
    build_workspace(&big_dir, BIG);
    build_workspace(&small_dir, SMALL);
    println!(
        "set-up: {BIG} and {SMALL} requests imported through Store in {:.1} s (not measured)",
        start.elapsed().as_secs_f64()
    );
    println!(
        "method: bare egui::Context::run_ui calling lockstep::ui::frame_ui on the Requests view, \
         then tessellate; {}x{} points; Instant on one thread",
        WINDOW_SIZE.x, WINDOW_SIZE.y
    );
    let (big, resort, big_sorted) = measure(&big_dir);
    let (small, _, _) = measure(&small_dir);
    assert!(big.scrolled, "the 5,000-request table did not scroll");
    print_results(
        (BIG, SMALL, "requests"),
        &big,
        ("due date", resort, &big_sorted),
        &small,
    );
}

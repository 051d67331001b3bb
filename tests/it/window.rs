//! What the window's tests share: a fixed clock and "today", the app on a temp workspace,
//! the harness that draws it, and the usual project created as the command line would.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone as _, Utc};
use egui_kittest::Harness;
use lockstep::app::App;
use lockstep::store::{Clock, NewProject, Store};

/// The project most flows work on.
pub const PROJECT: &str = "Payments platform";

/// The day the flows run on.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

/// A clock fixed on that day.
pub fn clock() -> Clock {
    Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap())
}

/// The app on a workspace, with the fixed clock and day.
pub fn open_app(dir: &Path) -> App {
    App::open_with(dir.to_path_buf(), clock(), today())
}

/// A harness drawing whole frames of the app, settled.
pub fn harness(app: App) -> Harness<'static, App> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .with_context_setup(lockstep::ui::style)
        .build_ui_state(|ui, app: &mut App| lockstep::ui::frame_ui(app, ui), app);
    harness.run();
    harness
}

/// The store as the command line would open it, beside the window's own.
pub fn open_store(dir: &Path) -> Store {
    Store::open_with_clock(dir, clock()).unwrap()
}

/// Creates the usual project on EC2, RDS and S3 through the store; returns its key.
pub fn create_project(dir: &Path) -> i64 {
    open_store(dir)
        .create_project(&NewProject {
            name: PROJECT.to_string(),
            services: vec!["ec2".into(), "rds".into(), "s3".into()],
            ..NewProject::default()
        })
        .unwrap()
        .key
}

//! What the window's tests share: a fixed clock and "today", the app on a temp workspace,
//! the harness that draws it, the usual project created as the command line would, a
//! file picker that answers from a script and an opener that only records.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use egui_kittest::Harness;
use lockstep::app::{App, FilePicker, Level, Notification, PickRequest};
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

/// The app on a workspace, with the fixed clock.
pub fn open_app(dir: &Path) -> App {
    App::open_with(dir.to_path_buf(), clock())
}

/// How many frames a harness waits for the window to settle: a dialog whose list of services
/// lays out its cells for the first time takes a few frames more than egui's default.
pub const MAX_STEPS: u64 = 10;

/// A harness drawing whole frames of the app, settled.
pub fn harness(app: App) -> Harness<'static, App> {
    harness_sized(app, egui::vec2(1400.0, 900.0))
}

/// A harness drawing whole frames of the app in a window of `size` points, settled: for
/// checking what fits on a laptop screen.
pub fn harness_sized(app: App, size: egui::Vec2) -> Harness<'static, App> {
    let mut harness = Harness::builder()
        .with_size(size)
        .with_max_steps(MAX_STEPS)
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

/// A file picker that answers each dialog with the next scripted answer (cancel when the
/// script is empty) and remembers each dialog's title.
#[derive(Default)]
pub struct ScriptedPicker {
    answers: Mutex<VecDeque<Option<Vec<PathBuf>>>>,
    titles: Mutex<Vec<String>>,
}

impl ScriptedPicker {
    /// A picker with nothing scripted yet.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The next dialog picks these paths.
    pub fn will_pick(&self, paths: &[&Path]) {
        let paths = paths.iter().map(|p| p.to_path_buf()).collect();
        self.answers.lock().unwrap().push_back(Some(paths));
    }

    /// The titles of the dialogs opened so far.
    pub fn titles(&self) -> Vec<String> {
        self.titles.lock().unwrap().clone()
    }

    fn next(&self, request: &PickRequest) -> Option<Vec<PathBuf>> {
        self.titles.lock().unwrap().push(request.title.clone());
        self.answers.lock().unwrap().pop_front().flatten()
    }
}

impl FilePicker for ScriptedPicker {
    fn pick_files(&self, request: &PickRequest) -> Option<Vec<PathBuf>> {
        self.next(request)
    }

    fn pick_file(&self, request: &PickRequest) -> Option<PathBuf> {
        self.next(request)?.pop()
    }

    fn save_file(&self, request: &PickRequest) -> Option<PathBuf> {
        self.next(request)?.pop()
    }

    fn pick_folder(&self, request: &PickRequest) -> Option<PathBuf> {
        self.next(request)?.pop()
    }
}

/// The app on a workspace with the fixed clock, a scripted picker, and an opener that
/// records what it was asked to open.
pub fn open_app_with_picker(
    dir: &Path,
    picker: &Arc<ScriptedPicker>,
) -> (App, Arc<Mutex<Vec<PathBuf>>>) {
    let mut app = open_app(dir);
    app.set_picker(picker.clone());
    let opened = Arc::new(Mutex::new(Vec::new()));
    let record = opened.clone();
    app.set_opener(Arc::new(move |path: &Path| {
        record.lock().unwrap().push(path.to_path_buf());
        Ok(())
    }));
    (app, opened)
}

/// The newest notification: its level and text.
pub fn last_notification(harness: &Harness<'_, App>) -> (Level, String) {
    let note = newest_note(harness);
    (note.level, note.text)
}

/// The newest notification, whole.
pub fn newest_note(harness: &Harness<'_, App>) -> Notification {
    let notes = &harness.state().state.shell.notifications;
    notes.last().expect("a notification").clone()
}

/// Every notification's text, oldest first.
pub fn notification_texts(harness: &Harness<'_, App>) -> Vec<String> {
    let notes = &harness.state().state.shell.notifications;
    notes.iter().map(|n| n.text.clone()).collect()
}

/// Steps past the frame that starts a file dialog or job (its spinner keeps repainting),
/// waits for both, and lets the window settle on the outcome.
pub fn finish_background(harness: &mut Harness<'_, App>) {
    harness.step();
    harness.state_mut().finish_jobs();
    harness.run();
}

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct HandClock(Arc<AtomicI64>);

impl HandClock {
    /// A clock showing `at`.
    pub fn at(at: DateTime<Utc>) -> Self {
        HandClock(Arc::new(AtomicI64::new(at.timestamp())))
    }

    /// Moves it to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        self.0.store(at.timestamp(), Ordering::SeqCst);
    }

    /// The clock the store and the app read.
    pub fn clock(&self) -> Clock {
        let seconds = self.0.clone();
        Arc::new(move || {
            Utc.timestamp_opt(seconds.load(Ordering::SeqCst), 0)
                .single()
                .unwrap()
        })
    }
}

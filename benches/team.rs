//! Edits on a team workspace's PostgreSQL database with two writers at once, and opening a
//! team workspace of 10,000 controls, each against the same work on a local SQLite workspace.
//!
//! Goals (issue 12, on loopback): an edit commits in ≤ 20 ms at the 95th percentile with two
//! writers; opening a team workspace with 10,000 controls shows the first frame in ≤ 1 s.
//!
//! The server is the test PostgreSQL on 127.0.0.1 (`LOCKSTEP_TEST_PG_PORT`, 54329 by
//! default), as `.ci/servers start` runs it (with `fsync=on`, so every commit waits for its
//! WAL to reach the disk, as SQLite's `synchronous = FULL` does for the local workspace); the
//! bench starts it that way when it does not answer. It creates its own databases,
//! `team_bench_<pid>` and `team_bench_<pid>_open`, and drops them at the end.
//!
//! Edits: a project on ec2, rds and s3 (54 controls), whose controls each writer walks
//! through in the same order, so the two writers edit the same controls, each edit setting
//! the owner or the notes to a value no other edit uses. Every `Store::update_control` call
//! is timed on its own thread: one transaction under the workspace's advisory write lock,
//! the control read, the field written, one hash-chained activity row appended, the commit.
//! A writer is a thread with its own `Store::open_team` (its own connection); two writers
//! start together behind a barrier and each makes 200 edits. Each writer's first edit
//! prepares its statements and is counted (it shows in the max). Measured in the same run:
//! one writer alone on PostgreSQL; one and two writers (`Store::open`, one connection each)
//! on a local SQLite workspace; and a floor, a 4 KiB write and `fdatasync` of a file in the
//! same file system, which every commit on either engine waits for at least once. The disk
//! is a virtual one whose flushes vary from run to run; the floor says how fast it was
//! during this one. After the PostgreSQL runs the chain is verified and the two-writer run's
//! 400 edits are looked up in the activity log, each exactly once. The same runs are made
//! again on the 10,000-control project below, on 200 of its controls spread over it, since
//! finding the control to edit is a query whose cost may follow the project's size.
//!
//! Opening: a second database with one project on every service topped up to 10,000 controls
//! through `Store::add_control`, the same on a local SQLite workspace (set-up; each add is
//! timed only to print the mean of the first and the last 500, to show whether adding slows
//! down as the project grows). Timed, five times each, in rounds: `Store::open_team` plus
//! `Store::controls` of the project; then, on a new connection, the reads the window makes
//! when it opens (the same store calls as `App::open_with` and its refresh in
//! `src/app/refresh.rs`, each refresh in one snapshot); the same with `Store::open` on SQLite.
//! The window (`lockstep::app::App`) opens a team folder through its `workspace.toml`, with
//! the database password from the environment or `~/.pgpass`; rather than give this process
//! a password that way, the first frame is estimated as PostgreSQL's open and reads plus what
//! the window adds to the same reads on SQLite: `App::open_with` and the first frame (drawn as
//! `benches/board.rs` does: `frame_ui` on a bare `egui::Context`, then tessellation) minus the
//! SQLite open and reads. That part is the window's own work on the loaded state, which does
//! not depend on the engine (it also opens the local vault, where a team workspace would
//! check its bucket).
//!
//! TLS: the same 10,000-control project built on the test servers' second PostgreSQL, which
//! takes only TLS (`.ci/servers` makes its certificate for `localhost` and the CA), then
//! opened over `sslmode=verify-full` against that CA, five times each in rounds with the plain
//! open above: `Store::open_team` plus the controls, and plus the window's start-up reads. Goal
//! (issue 18): ≤ 1.2× the same without TLS. Both servers are the same binaries on the same
//! machine with the same settings but for TLS.
//!
//! The machine's load average is printed before and after each part: the client threads,
//! the server's processes and anything else running share the same cores, and any other work
//! shows in the tail percentiles first. Run with `cargo bench --bench team`.

use std::collections::HashMap;
use std::io::{Seek, SeekFrom, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{TimeZone as _, Utc};
use egui::RawInput;
use lockstep::app::App;
use lockstep::catalog::Baseline;
use lockstep::model::{Action, ControlEdit, ControlPatch};
use lockstep::store::pg::DatabaseUrl;
use lockstep::store::{Clock, NewControl, NewProject, Store};

const EDITS_PER_WRITER: usize = 200;
const EDIT_GOAL: Duration = Duration::from_millis(20);
const OPEN_CONTROLS: usize = 10_000;
const OPEN_RUNS: usize = 5;
const OPEN_GOAL: Duration = Duration::from_secs(1);
/// How many adds at each end of the set-up are averaged to see whether adding slows down.
const ADD_SAMPLE: usize = 500;
const EDIT_SERVICES: [&str; 3] = ["ec2", "rds", "s3"];
/// How many controls of the large project the writers edit, spread over it.
const EDIT_TARGETS: usize = 200;
const WINDOW_SIZE: egui::Vec2 = egui::vec2(1400.0, 900.0);

const PORT_ENV: &str = "LOCKSTEP_TEST_PG_PORT";
const DEFAULT_PORT: u16 = 54329;
const TLS_PORT_ENV: &str = "LOCKSTEP_TEST_PG_TLS_PORT";
const DEFAULT_TLS_PORT: u16 = 54331;
const TLS_GOAL: f64 = 1.2;
/// The test server's superuser and its password, as `.ci/servers` sets them up.
const PG_USER: &str = "lockstep";
const PG_PASSWORD: &str = "lockstep";

fn clock() -> Clock {
    Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap())
}

fn main() -> Result<()> {
    let port = port();
    ensure_server(port)?;
    let mut admin = admin_client(port, "postgres")
        .with_context(|| format!("cannot log in to PostgreSQL on 127.0.0.1:{port}"))?;
    let setting = |admin: &mut postgres::Client, name: &str| -> Result<String> {
        Ok(admin.query_one(&format!("SHOW {name}"), &[])?.get(0))
    };
    println!(
        "PostgreSQL {} on 127.0.0.1:{port}, fsync={}, synchronous_commit={}; {} cores",
        setting(&mut admin, "server_version")?,
        setting(&mut admin, "fsync")?,
        setting(&mut admin, "synchronous_commit")?,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    drop(admin);
    let edits_db = TempDatabase::create(port, &format!("team_bench_{}", std::process::id()))?;
    let open_db = TempDatabase::create(port, &format!("team_bench_{}_open", std::process::id()))?;
    let root = tempfile::tempdir().context("cannot make a temp folder")?;
    let small = Pair::new(&edits_db, &root.path().join("edits"))?;
    let big = Pair::new(&open_db, &root.path().join("open"))?;

    // Goal 1, on a project of the size a team starts with.
    let (pg_project, ids) = edit_project(&mut small.open_pg()?)?;
    let (sqlite_project, sqlite_ids) = edit_project(&mut small.open_sqlite()?)?;
    if ids != sqlite_ids {
        bail!("the project has other controls on SQLite than on PostgreSQL");
    }
    println!(
        "edits: a project on {} with {} controls in scope; each writer edits them in turn (the \
         same controls for both writers), owner and notes alternately, {EDITS_PER_WRITER} edits \
         each",
        EDIT_SERVICES.join(", "),
        ids.len()
    );
    let runs = edit_runs(&small, (pg_project, sqlite_project), &ids, "small")?;
    runs.print(&format!("{} controls", ids.len()));
    let p95 = runs.pg_two.percentile(95);
    println!(
        "goal: an edit commits in ≤ {} at the 95th percentile with two writers: p95 {}: {}",
        ms(EDIT_GOAL),
        ms(p95),
        verdict(p95 <= EDIT_GOAL)
    );
    println!();

    // Goal 3, then goal 1 again on the same large project.
    let projects = big_projects(&big)?;
    opening(&big, projects)?;
    println!();
    tls_opening(&big, projects.0, root.path())?;
    println!();
    let ids = spread_ids(&mut big.open_pg()?, projects.0)?;
    if ids != spread_ids(&mut big.open_sqlite()?, projects.1)? {
        bail!("the large project has other controls on SQLite than on PostgreSQL");
    }
    println!(
        "edits on the {OPEN_CONTROLS}-control project: {} controls spread over it, edited as above",
        ids.len()
    );
    let runs = edit_runs(&big, projects, &ids, "big")?;
    runs.print(&format!("{OPEN_CONTROLS} controls"));
    let p95 = runs.pg_two.percentile(95);
    println!(
        "the same goal on the {OPEN_CONTROLS}-control project: p95 {}: {}",
        ms(p95),
        verdict(p95 <= EDIT_GOAL)
    );

    edits_db.drop_now()?;
    open_db.drop_now()?;
    Ok(())
}

/// The same workspace on both engines: a team database and a local folder.
struct Pair {
    pg_dir: PathBuf,
    sqlite_dir: PathBuf,
    url: DatabaseUrl,
}

impl Pair {
    fn new(db: &TempDatabase, root: &Path) -> Result<Self> {
        Ok(Pair {
            pg_dir: root.join("team"),
            sqlite_dir: root.join("local"),
            url: db.url()?,
        })
    }

    fn open_pg(&self) -> Result<Store> {
        std::fs::create_dir_all(&self.pg_dir)
            .with_context(|| format!("cannot create {}", self.pg_dir.display()))?;
        Ok(Store::open_team(&self.pg_dir, &self.url, clock(), &|_| {
            Some(PG_PASSWORD.to_string())
        })?)
    }

    fn open_sqlite(&self) -> Result<Store> {
        Ok(Store::open_with_clock(&self.sqlite_dir, clock())?)
    }
}

/// The four runs of one set of edits.
struct EditRuns {
    floor: Run,
    pg_two: Run,
    pg_one: Run,
    sqlite_two: Run,
    sqlite_one: Run,
}

impl EditRuns {
    fn print(&self, size: &str) {
        println!();
        println!(
            "{:<44} {:>9} {:>9} {:>9} {:>9} {:>8}",
            format!("update_control per call, {size}"),
            "median",
            "p95",
            "p99",
            "max",
            "edits/s"
        );
        for (what, run) in [
            ("PostgreSQL, two writers", &self.pg_two),
            ("PostgreSQL, one writer", &self.pg_one),
            ("peer: SQLite, two writers", &self.sqlite_two),
            ("peer: SQLite, one writer", &self.sqlite_one),
            ("floor: 4 KiB write + fdatasync, one thread", &self.floor),
        ] {
            println!(
                "{what:<44} {:>9} {:>9} {:>9} {:>9} {:>8.0}",
                ms(run.percentile(50)),
                ms(run.percentile(95)),
                ms(run.percentile(99)),
                ms(run.max()),
                run.count() as f64 / run.wall.as_secs_f64()
            );
        }
        let ratio =
            |a: &Run, b: &Run| a.percentile(95).as_secs_f64() / b.percentile(95).as_secs_f64();
        println!(
            "ratio PostgreSQL p95 / SQLite p95: {:.2}x with two writers, {:.2}x with one",
            ratio(&self.pg_two, &self.sqlite_two),
            ratio(&self.pg_one, &self.sqlite_one)
        );
        println!(
            "ratio two writers / one writer (p95): {:.2}x on PostgreSQL, {:.2}x on SQLite",
            ratio(&self.pg_two, &self.pg_one),
            ratio(&self.sqlite_two, &self.sqlite_one)
        );
    }
}

/// Edits `ids` of the project (its key on PostgreSQL and on SQLite) with one writer, then
/// two, on each engine; then checks that the chain on PostgreSQL is intact and holds every
/// edit of the two-writer run once. `tag` starts every value written.
fn edit_runs(pair: &Pair, (pg, sqlite): (i64, i64), ids: &[String], tag: &str) -> Result<EditRuns> {
    let open_pg = || pair.open_pg();
    let open_sqlite = || pair.open_sqlite();
    let checker = pair.open_pg()?;
    let rows_before = checker.verify_chain()?.rows;
    println!("load average before: {}", load_average());
    let floor = fsync_floor(&pair.sqlite_dir)?;
    let pg_one = writers(&open_pg, pg, ids, 1, &format!("{tag} pg-1"))?;
    let pg_two = writers(&open_pg, pg, ids, 2, &format!("{tag} pg-2"))?;
    let sqlite_one = writers(&open_sqlite, sqlite, ids, 1, &format!("{tag} sqlite-1"))?;
    let sqlite_two = writers(&open_sqlite, sqlite, ids, 2, &format!("{tag} sqlite-2"))?;
    println!("load average after:  {}", load_average());

    let report = checker.verify_chain()?;
    if let Some((seq, why)) = &report.first_break {
        bail!("the activity chain breaks at row {seq}: {why}");
    }
    let two_writers = format!("{tag} pg-2 ");
    let mut logged: HashMap<String, usize> = HashMap::new();
    for entry in checker.activity(Some(pg), None)? {
        if let Some(Action::ControlUpdate { changes }) = entry.typed() {
            for change in changes.iter().filter(|c| c.to.starts_with(&two_writers)) {
                *logged.entry(change.to.clone()).or_default() += 1;
            }
        }
    }
    let expected = 2 * EDITS_PER_WRITER;
    let once = logged.values().filter(|&&n| n == 1).count();
    let added = report.rows - rows_before;
    println!(
        "chain after the PostgreSQL runs: intact, {} rows ({added} added: {} by one writer, {} \
         by two); the two-writer run's {expected} edits found in the log: {} distinct, {once} \
         exactly once",
        report.rows,
        pg_one.count(),
        pg_two.count(),
        logged.len()
    );
    if added != (pg_one.count() + pg_two.count()) as i64 || logged.len() != expected {
        bail!("edits are missing from the activity log");
    }
    if once != expected {
        bail!("some edits are logged more than once");
    }
    Ok(EditRuns {
        floor,
        pg_two,
        pg_one,
        sqlite_two,
        sqlite_one,
    })
}

/// What one flush to the disk costs now: `EDITS_PER_WRITER` times, 4 KiB written over the
/// start of a file in `dir` and `File::sync_data`. Each commit on either engine waits for
/// at least one such flush (PostgreSQL's WAL, SQLite's WAL file), so this is the floor of an
/// edit on this disk at this moment.
fn fsync_floor(dir: &Path) -> Result<Run> {
    let path = dir.join("fsync-floor.bin");
    let mut file = std::fs::File::create(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let block = [0x5a_u8; 4096];
    let started = Instant::now();
    let mut times = Vec::with_capacity(EDITS_PER_WRITER);
    for _ in 0..EDITS_PER_WRITER {
        let start = Instant::now();
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&block)?;
        file.sync_data()?;
        times.push(start.elapsed());
    }
    let wall = started.elapsed();
    drop(file);
    std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    times.sort();
    Ok(Run { times, wall })
}

/// `EDIT_TARGETS` ids of the project's controls in scope, spread evenly over it.
fn spread_ids(store: &mut Store, project: i64) -> Result<Vec<String>> {
    let ids: Vec<String> = store
        .controls(project)?
        .into_iter()
        .filter(|c| !c.retired)
        .map(|c| c.id)
        .collect();
    let step = (ids.len() / EDIT_TARGETS).max(1);
    Ok(ids.into_iter().step_by(step).take(EDIT_TARGETS).collect())
}

/// Creates the edits' project; returns its key and the ids of its controls in scope.
fn edit_project(store: &mut Store) -> Result<(i64, Vec<String>)> {
    let project = store.create_project(&NewProject {
        name: "Team edits".into(),
        services: EDIT_SERVICES.iter().map(|s| s.to_string()).collect(),
        ..NewProject::default()
    })?;
    let ids: Vec<String> = store
        .controls(project.key)?
        .into_iter()
        .filter(|c| !c.retired)
        .map(|c| c.id)
        .collect();
    if ids.is_empty() {
        bail!("the project has no controls to edit");
    }
    Ok((project.key, ids))
}

/// Every edit's time, of all writers of one run together, and the run's wall time.
struct Run {
    times: Vec<Duration>,
    wall: Duration,
}

impl Run {
    fn count(&self) -> usize {
        self.times.len()
    }

    /// The nearest-rank percentile.
    fn percentile(&self, p: usize) -> Duration {
        let rank = (self.times.len() * p).div_ceil(100).max(1);
        self.times[rank.min(self.times.len()) - 1]
    }

    fn max(&self) -> Duration {
        self.times.last().copied().unwrap_or_default()
    }
}

/// Runs `count` writers at once, each on its own store from `open`, each making
/// `EDITS_PER_WRITER` edits of `ids` in turn; `tag` starts every value written.
fn writers(
    open: &(dyn Fn() -> Result<Store> + Sync),
    project: i64,
    ids: &[String],
    count: usize,
    tag: &str,
) -> Result<Run> {
    let barrier = Barrier::new(count);
    let results: Vec<Result<(Vec<Duration>, Instant, Instant)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..count)
            .map(|writer| {
                let barrier = &barrier;
                scope.spawn(move || {
                    let opened = open();
                    // Every writer reaches the barrier, opened or not, so none waits forever.
                    barrier.wait();
                    let mut store = opened?;
                    let started = Instant::now();
                    let mut times = Vec::with_capacity(EDITS_PER_WRITER);
                    for n in 0..EDITS_PER_WRITER {
                        let id = &ids[n % ids.len()];
                        let text = format!("{tag} w{writer} #{n}");
                        let edit = if n % 2 == 0 {
                            ControlEdit::Owner(text)
                        } else {
                            ControlEdit::Notes(text)
                        };
                        let patch = ControlPatch::one(edit);
                        let start = Instant::now();
                        let changes = store.update_control(project, id, &patch)?;
                        times.push(start.elapsed());
                        if changes.len() != 1 {
                            bail!("edit {n} of {id} changed {} fields", changes.len());
                        }
                    }
                    Ok((times, started, Instant::now()))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a writer panicked")))
            })
            .collect()
    });
    let mut times = Vec::new();
    let (mut first, mut last) = (None::<Instant>, None::<Instant>);
    for result in results {
        let (mut own, started, ended) = result?;
        times.append(&mut own);
        first = Some(first.map_or(started, |f| f.min(started)));
        last = Some(last.map_or(ended, |l| l.max(ended)));
    }
    times.sort();
    let wall = match (first, last) {
        (Some(first), Some(last)) => last - first,
        _ => Duration::ZERO,
    };
    Ok(Run { times, wall })
}

/// Builds the project of `OPEN_CONTROLS` controls on both engines (set-up); returns its
/// key on PostgreSQL and on SQLite.
fn big_projects(pair: &Pair) -> Result<(i64, i64)> {
    let (pg_project, pg_adds) = big_project(&mut pair.open_pg()?)?;
    let (sqlite_project, sqlite_adds) = big_project(&mut pair.open_sqlite()?)?;
    println!(
        "a project on every service topped up to {OPEN_CONTROLS} controls through \
         Store::add_control (set-up, not part of a goal)"
    );
    for (what, adds) in [("PostgreSQL", &pg_adds), ("SQLite", &sqlite_adds)] {
        let (first, last) = first_and_last(adds);
        println!(
            "  {what}: {} adds in {:.1} s; mean per add {} for the first {ADD_SAMPLE}, {} for \
             the last {ADD_SAMPLE}",
            adds.len(),
            adds.iter().sum::<Duration>().as_secs_f64(),
            ms(first),
            ms(last)
        );
    }
    Ok((pg_project, sqlite_project))
}

/// Goal 3: opening a workspace of `OPEN_CONTROLS` controls, on PostgreSQL and on SQLite.
fn opening(pair: &Pair, (pg_project, sqlite_project): (i64, i64)) -> Result<()> {
    println!("load average before: {}", load_average());

    // Each round opens every kind once, so a burst of other work falls on all alike.
    let mut pg = Opened::default();
    let mut sqlite = Opened::default();
    let mut app = Vec::new();
    for _ in 0..OPEN_RUNS {
        pg.push(timed_open(|| pair.open_pg(), pg_project, OPEN_CONTROLS)?);
        sqlite.push(timed_open(
            || pair.open_sqlite(),
            sqlite_project,
            OPEN_CONTROLS,
        )?);
        app.push(app_first_frame(&pair.sqlite_dir)?);
    }
    println!("load average after:  {}", load_average());
    app.sort();
    let app = app[app.len() / 2];
    let window_part = app.saturating_sub(sqlite.reads());
    let estimate = pg.reads() + window_part;

    println!();
    println!(
        "{:<52} {:>10} {:>10} {:>10}",
        format!("open a workspace of {OPEN_CONTROLS} controls"),
        "median",
        "worst",
        "first"
    );
    let row = |what: &str, times: &[Duration]| {
        let mut sorted = times.to_vec();
        sorted.sort();
        println!(
            "{what:<52} {:>10} {:>10} {:>10}",
            ms(sorted[sorted.len() / 2]),
            ms(sorted[sorted.len() - 1]),
            ms(times[0])
        );
    };
    row("PostgreSQL: Store::open_team", &pg.open);
    row("PostgreSQL: open + controls", &pg.controls);
    row("PostgreSQL: open + the window's start-up reads", &pg.all);
    row("peer: SQLite: Store::open", &sqlite.open);
    row("peer: SQLite: open + controls", &sqlite.controls);
    row(
        "peer: SQLite: open + the window's start-up reads",
        &sqlite.all,
    );
    println!(
        "{:<52} {:>10}",
        "peer: SQLite: App::open_with + first frame",
        ms(app)
    );
    println!(
        "{:<52} {:>10}",
        "  the window's part (minus SQLite's open + reads)",
        ms(window_part)
    );
    println!(
        "{:<52} {:>10}",
        "estimate: first frame of a team workspace",
        ms(estimate)
    );
    println!();
    println!(
        "ratio PostgreSQL / SQLite (median): {:.2}x for open + controls, {:.2}x for open + the \
         window's reads",
        pg.controls().as_secs_f64() / sqlite.controls().as_secs_f64(),
        pg.reads().as_secs_f64() / sqlite.reads().as_secs_f64()
    );
    println!(
        "goal: opening a team workspace with {OPEN_CONTROLS} controls shows the first frame in \
         ≤ {:.0} s: open + controls {}: {}; open + the window's reads {}: {}; first frame, \
         estimated (the window's part measured on SQLite) {}: {}",
        OPEN_GOAL.as_secs_f64(),
        ms(pg.controls()),
        verdict(pg.controls() <= OPEN_GOAL),
        ms(pg.reads()),
        verdict(pg.reads() <= OPEN_GOAL),
        ms(estimate),
        verdict(estimate <= OPEN_GOAL)
    );
    Ok(())
}

/// A project on every service topped up to `OPEN_CONTROLS` with the team's own controls,
/// as `benches/board.rs` builds it; returns its key and how long each control took to add.
fn big_project(store: &mut Store) -> Result<(i64, Vec<Duration>)> {
    let services = Baseline::builtin()
        .services
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let project = store
        .create_project(&NewProject {
            name: format!("Board of {OPEN_CONTROLS}"),
            services,
            ..NewProject::default()
        })?
        .key;
    let baseline = store.controls(project)?.len();
    let mut times = Vec::with_capacity(OPEN_CONTROLS - baseline);
    for n in baseline..OPEN_CONTROLS {
        let (can_adjust, aws_operates_part) = match n % 3 {
            0 => (false, None),
            1 => (true, Some(true)),
            _ => (true, Some(false)),
        };
        let start = Instant::now();
        store.add_control(
            project,
            &NewControl {
                title: format!("Team check number {n}"),
                description: "A control of the team's own, for the benchmark.".to_string(),
                area: format!("Team area {:02}", n % 25),
                can_adjust,
                aws_operates_part,
            },
        )?;
        times.push(start.elapsed());
    }
    Ok((project, times))
}

/// The mean of the first and of the last `ADD_SAMPLE` times: whether adding a control
/// costs more as the project grows.
fn first_and_last(times: &[Duration]) -> (Duration, Duration) {
    let mean = |part: &[Duration]| part.iter().sum::<Duration>() / part.len().max(1) as u32;
    let sample = ADD_SAMPLE.min(times.len());
    (mean(&times[..sample]), mean(&times[times.len() - sample..]))
}

/// The times of each opening, from the start of the open: the open alone, with the
/// project's controls loaded, and with everything the window reads at start-up.
#[derive(Default)]
struct Opened {
    open: Vec<Duration>,
    controls: Vec<Duration>,
    all: Vec<Duration>,
}

impl Opened {
    fn push(&mut self, (open, controls, all): (Duration, Duration, Duration)) {
        self.open.push(open);
        self.controls.push(controls);
        self.all.push(all);
    }

    fn controls(&self) -> Duration {
        median(&self.controls)
    }

    fn reads(&self) -> Duration {
        median(&self.all)
    }
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// Opens a store, then loads the project's controls; then, on a second open, makes the
/// window's start-up reads. Returns the open, the open with the controls, and the open with
/// all the reads.
fn timed_open(
    open: impl Fn() -> Result<Store>,
    project: i64,
    controls: usize,
) -> Result<(Duration, Duration, Duration)> {
    let start = Instant::now();
    let store = open()?;
    let opened = start.elapsed();
    let loaded = store.controls(project)?;
    let with_controls = start.elapsed();
    if loaded.len() != controls {
        bail!("{} controls loaded, not {controls}", loaded.len());
    }
    drop((store, loaded));

    let start = Instant::now();
    let store = open()?;
    let loaded = startup_reads(&store)?;
    let all = start.elapsed();
    if loaded != controls {
        bail!("{loaded} controls read at start-up, not {controls}");
    }
    Ok((opened, with_controls, all))
}

/// What `App::open_with` reads from an open store: a refresh without a project, the most
/// recent project, then a refresh with it (the calls of `src/app/refresh.rs`, each refresh
/// in one snapshot). Returns how many controls the project has.
fn startup_reads(store: &Store) -> Result<usize> {
    let today = store.today();
    std::hint::black_box(store.read(|s| {
        Ok((
            s.projects()?,
            s.user_name()?,
            s.people()?,
            s.courses()?,
            s.training_roster(today)?,
            s.aws_reports()?,
            s.baselines()?,
        ))
    })?);
    let project = match store.most_recent_project()? {
        Some(key) => key,
        None => store
            .projects()?
            .first()
            .map(|p| p.key)
            .context("the workspace has no project")?,
    };
    let controls = store.read(|s| {
        let controls = s.controls(project)?;
        std::hint::black_box((
            s.projects()?,
            s.evidence(project, None)?,
            s.assets(project)?,
            s.patch_records(project, today)?,
            s.patch_deadlines(project)?,
            s.signoffs(project)?,
            s.coverage(project)?,
            s.cuec_table(project)?,
        ));
        if !s.requests(project)?.is_empty() {
            std::hint::black_box(s.activity(Some(project), None)?);
        }
        std::hint::black_box((
            s.user_name()?,
            s.people()?,
            s.courses()?,
            s.training_roster(today)?,
            s.aws_reports()?,
            s.baselines()?,
        ));
        Ok(controls.len())
    })?;
    Ok(controls)
}

/// Opens the window's model on the local workspace in `dir` and draws its first frame as
/// `benches/board.rs` does; returns the time from the start of the open.
fn app_first_frame(dir: &Path) -> Result<Duration> {
    let start = Instant::now();
    let ctx = egui::Context::default();
    lockstep::ui::style(&ctx);
    let mut app = App::open_with(dir.to_path_buf(), clock());
    if let Some(error) = &app.state.session.open_error {
        bail!("the window could not open the workspace: {error}");
    }
    let input = RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, WINDOW_SIZE)),
        time: Some(0.0),
        ..RawInput::default()
    };
    let output = ctx.run_ui(input, |ui| lockstep::ui::frame_ui(&mut app, ui));
    let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    let took = start.elapsed();
    std::hint::black_box(primitives);
    if app.state.records.controls.len() != OPEN_CONTROLS {
        bail!(
            "the window shows {} controls, not {OPEN_CONTROLS}",
            app.state.records.controls.len()
        );
    }
    Ok(took)
}

/// A database of the bench's own on the test server, dropped when the bench ends (or
/// when it fails).
struct TempDatabase {
    port: u16,
    name: String,
    dropped: bool,
}

impl TempDatabase {
    fn create(port: u16, name: &str) -> Result<Self> {
        let mut admin = admin_client(port, "postgres")?;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .with_context(|| format!("cannot create the database {name}"))?;
        Ok(TempDatabase {
            port,
            name: name.to_string(),
            dropped: false,
        })
    }

    /// Its URL, as a workspace's settings would keep it (no password).
    fn url(&self) -> Result<DatabaseUrl> {
        Ok(DatabaseUrl::parse(&server_url(
            self.port,
            &format!("{PG_USER}@"),
            &self.name,
        ))?)
    }

    fn drop_now(mut self) -> Result<()> {
        self.dropped = true;
        let mut admin = admin_client(self.port, "postgres")?;
        admin
            .batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", self.name))
            .with_context(|| format!("cannot drop the database {}", self.name))?;
        Ok(())
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let dropped = admin_client(self.port, "postgres").and_then(|mut admin| {
            Ok(admin.batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", self.name))?)
        });
        if let Err(error) = dropped {
            eprintln!("could not drop the database {}: {error}", self.name);
        }
    }
}

fn admin_url(port: u16, database: &str) -> String {
    server_url(port, &format!("{PG_USER}:{PG_PASSWORD}@"), database)
}

/// A URL on the plain server, or on the TLS one (by its certificate's name, verified fully
/// against the test CA).
fn server_url(port: u16, login: &str, database: &str) -> String {
    if port == tls_port() {
        let state = std::env::var("LOCKSTEP_TEST_SERVERS")
            .unwrap_or_else(|_| "/tmp/lockstep-servers".to_string());
        format!(
            "postgres://{login}localhost:{port}/{database}?sslmode=verify-full&sslrootcert={state}/tls/ca.crt"
        )
    } else {
        format!("postgres://{login}127.0.0.1:{port}/{database}?sslmode=disable")
    }
}

fn admin_client(port: u16, database: &str) -> Result<postgres::Client> {
    Ok(DatabaseUrl::parse(&admin_url(port, database))?.connect(&|_| None)?)
}

fn tls_port() -> u16 {
    std::env::var(TLS_PORT_ENV)
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(DEFAULT_TLS_PORT)
}

/// The TLS goal: the 10,000-control project opened over verified TLS against the plain open.
fn tls_opening(plain: &Pair, plain_project: i64, root: &Path) -> Result<()> {
    let port = tls_port();
    ensure_server(port)?;
    let db = TempDatabase::create(port, &format!("team_bench_{}_tls", std::process::id()))?;
    let pair = Pair::new(&db, &root.join("tls"))?;
    let (project, _) = big_project(&mut pair.open_pg()?)?;
    println!("load average before: {}", load_average());
    let (mut tls, mut clear) = (Opened::default(), Opened::default());
    for _ in 0..OPEN_RUNS {
        clear.push(timed_open(
            || plain.open_pg(),
            plain_project,
            OPEN_CONTROLS,
        )?);
        tls.push(timed_open(|| pair.open_pg(), project, OPEN_CONTROLS)?);
    }
    println!("load average after:  {}", load_average());
    println!(
        "{:<60} {:>10} {:>10}",
        format!("team workspace of {OPEN_CONTROLS} controls (median)"),
        "open",
        "+ reads"
    );
    println!(
        "{:<60} {:>10} {:>10}",
        "TLS, sslmode=verify-full (localhost)",
        ms(tls.controls()),
        ms(tls.reads())
    );
    println!(
        "{:<60} {:>10} {:>10}",
        "peer: no TLS (127.0.0.1)",
        ms(clear.controls()),
        ms(clear.reads())
    );
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let (open, reads) = (
        ratio(tls.controls(), clear.controls()),
        ratio(tls.reads(), clear.reads()),
    );
    println!(
        "goal: connect and open over verify-full TLS ≤ {TLS_GOAL:.1}x without: open + controls {open:.2}x: {}; open + the window's reads {reads:.2}x: {}",
        verdict(open <= TLS_GOAL),
        verdict(reads <= TLS_GOAL)
    );
    db.drop_now()
}

fn port() -> u16 {
    std::env::var(PORT_ENV)
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(DEFAULT_PORT)
}

fn answers(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(500)).is_ok()
}

/// Makes sure PostgreSQL answers, starting it with `.ci/servers start` once if not.
fn ensure_server(port: u16) -> Result<()> {
    if answers(port) {
        return Ok(());
    }
    println!("PostgreSQL does not answer on port {port}; starting it with .ci/servers start");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/servers");
    let output = Command::new("bash")
        .arg(&script)
        .arg("start")
        .output()
        .with_context(|| format!("cannot run {}", script.display()))?;
    if output.status.success() && answers(port) {
        return Ok(());
    }
    bail!(
        "PostgreSQL does not answer on 127.0.0.1:{port} and `.ci/servers start` did not start it ({}): {}; start it by hand (see the README) or set {PORT_ENV}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    )
}

/// The 1, 5 and 15 minute load averages.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_string())
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
}

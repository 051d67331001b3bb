//! Importing 50,000 Amazon Inspector findings, importing the same file again, and a POA&M
//! export of 10,000 open items.
//!
//! The goals: an Inspector export of 50,000 findings (about 150 MB) imports in at most 5 s
//! on a 2-core machine with a peak memory of at most 200 MB; the same file imported again
//! takes no longer and writes no activity-log row; the POA&M export of a project with
//! 10,000 open items takes at most 2 s.
//!
//! The export is written by `import::findings::sample`, the same generated Inspector v2
//! export the Findings view bench imports: package vulnerabilities about 3 KB each, spread
//! over 300 instances in three accounts. It sits in a scratch folder under Cargo's
//! `target/tmp` beside every workspace, and is read once before any timing so every run
//! reads it from the page cache. The workspaces live on a fixed clock, so the figures do
//! not depend on the day the bench runs.
//!
//! What is timed for the import is `workspace::import_findings`, the call the window's
//! import and `lockstep findings import` make: reading and checking the file (streamed),
//! staging it in the vault (one read that copies, hashes and syncs it), and the one
//! transaction that stores the findings, their patch records and the activity row, with
//! the workspace's `synchronous = FULL` commit. Each run is on a fresh workspace, and the
//! same file imported again into it is the second figure: it compares every finding with
//! the stored one, changes nothing, logs nothing and drops the staged copy. Each figure is
//! the best of three; between runs the workspace is removed and the filesystem synced,
//! untimed. The reading alone and the vault's staging alone are timed too (best of three),
//! to show where an import's time goes; the rest is the transaction.
//!
//! Peak memory is read in a child process: the bench runs itself again with
//! `LOCKSTEP_FINDINGS_CHILD` set, and the child imports the file into a workspace and
//! reports `VmHWM` from `/proc/self/status` before and after. It runs once on a fresh
//! workspace and once more on the same one, so the re-import's peak is its own.
//!
//! For the POA&M, a workspace holds the first 13,965 findings of the same generator: 10,000
//! of them are open vulnerabilities with a deadline, each an open POA&M item; of the others,
//! the closed ones are closed items and the untriaged ones informational (outside the
//! deadlines and the POA&M). The project has a package URI, and every vulnerability the
//! report for last month asks about has a person's evaluation, so all three files are
//! written: `poam.json`, `poam.xlsx` and `vulnerability-detail-report.json`, the report
//! covering last month as `lockstep poam` does by default. The evaluations are set up
//! untimed, one `set_finding_facts` each, and take minutes: each is a change of its own, and
//! reading the one finding before and after it reads the facts of every finding of the
//! project. What is timed, best of five: `poam::read_snapshot` and `poam::documents`, each
//! alone and together, and together with `export_oscal::write_files` writing and syncing the
//! three files.
//!
//! Run with `cargo bench --bench findings`.

#[path = "support/mod.rs"]
mod support;

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, TimeZone as _, Utc};
use lockstep::export_oscal::poam::{self, ReportPeriod, VdrRefusal};
use lockstep::export_oscal::write_files;
use lockstep::import::findings::{read_findings, sample::write_sample_inspector_json};
use lockstep::store::{Clock, FindingFacts, FindingImport, NewProject};
use lockstep::workspace::{self, Workspace};
use support::{read_all, secs, sync_filesystem, vm_hwm_kib};

const IMPORT_FINDINGS: usize = 50_000;
/// The first 13,965 findings of the generator hold exactly 10,000 open vulnerabilities
/// with a deadline.
const POAM_FINDINGS: usize = 13_965;
const POAM_OPEN_ITEMS: usize = 10_000;
const IMPORT_RUNS: usize = 3;
const POAM_RUNS: usize = 5;
const CHILD_ENV: &str = "LOCKSTEP_FINDINGS_CHILD";
const PROJECT: &str = "Findings";

const IMPORT_GOAL: Duration = Duration::from_secs(5);
const MEMORY_GOAL_BYTES: u64 = 200_000_000;
const POAM_GOAL: Duration = Duration::from_secs(2);

fn clock() -> Clock {
    Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap())
}

fn seed_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

fn main() -> Result<()> {
    if std::env::var_os(CHILD_ENV).is_some() {
        return child();
    }
    let scratch = tempfile::Builder::new()
        .prefix("lockstep-findings-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .context("cannot make the scratch folder")?;
    let root = scratch.path();
    println!("scratch folder: {}", root.display());

    let export = root.join("inspector-50k.json");
    let started = Instant::now();
    write_export(&export, IMPORT_FINDINGS)?;
    let export_bytes = fs::metadata(&export)?.len();
    println!(
        "set-up: Inspector export of {IMPORT_FINDINGS} findings, {} ({export_bytes} bytes), \
         written in {:.1} s (not measured)",
        megabytes(export_bytes),
        started.elapsed().as_secs_f64()
    );
    sync_filesystem(root);
    read_all(&export)?;

    // The import and the re-import, each run on a fresh workspace.
    let mut first = Duration::MAX;
    let mut again = Duration::MAX;
    let mut imported = FindingImport::default();
    let mut log_rows = (0, 0);
    for run in 0..IMPORT_RUNS {
        let dir = root.join(format!("workspace-{run}"));
        let (mut ws, project) = fresh_workspace(&dir)?;
        let start = Instant::now();
        let report = import(&mut ws, project, &export)?;
        first = first.min(start.elapsed());
        if report.new != IMPORT_FINDINGS || !report.refused.is_empty() {
            bail!(
                "the import stored {} new findings of {IMPORT_FINDINGS}, refused {}",
                report.new,
                report.refused.len()
            );
        }
        let before = ws.store.activity(None, None)?.len();
        let start = Instant::now();
        let repeated = import(&mut ws, project, &export)?;
        again = again.min(start.elapsed());
        let after = ws.store.activity(None, None)?.len();
        if repeated.changed() || repeated.unchanged != IMPORT_FINDINGS {
            bail!(
                "the re-import changed something: {} new, {} updated, {} unchanged",
                repeated.new,
                repeated.updated,
                repeated.unchanged
            );
        }
        if after != before {
            bail!("the re-import added {} activity rows", after - before);
        }
        imported = report;
        log_rows = (before, after);
        drop(ws);
        fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;
        sync_filesystem(root);
    }

    // Where an import's time goes: the reading alone, and the vault's staging alone.
    let mut reading = Duration::MAX;
    let mut staging = Duration::MAX;
    let cancel = AtomicBool::new(false);
    let dir = root.join("workspace-parts");
    let (ws, _) = fresh_workspace(&dir)?;
    for _ in 0..IMPORT_RUNS {
        let start = Instant::now();
        let file = read_findings(&export, None, &cancel, &mut |_| {})?;
        reading = reading.min(start.elapsed());
        drop(file);
        let start = Instant::now();
        let staged = ws.vault.stage(&export, &cancel, &mut |_| {})?;
        staging = staging.min(start.elapsed());
        ws.vault.discard(staged);
        sync_filesystem(root);
    }
    drop(ws);
    fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;

    // Peak memory: an import into a fresh workspace, then the same file again, each in a
    // process of its own.
    let dir = root.join("workspace-memory");
    let memory = child_peak(&dir, &export)?;
    let memory_again = child_peak(&dir, &export)?;
    if !memory.2 || memory_again.2 {
        bail!("the child's imports did not store the file exactly once");
    }
    fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;

    // The POA&M of 10,000 open items.
    println!(
        "set-up: a workspace of {POAM_FINDINGS} findings with an evaluation on each \
         vulnerability the report asks about (several minutes, not measured)"
    );
    let poam = poam_figures(root)?;

    println!();
    println!(
        "{:<52} {:>10}  {:>10}  {:>6}",
        "measure", "measured", "goal", "ratio"
    );
    let row = |what: &str, took: Duration, goal: Option<Duration>| match goal {
        Some(goal) => println!(
            "{what:<52} {:>10}  {:>10}  {:>5.2}x{}",
            secs(took),
            goal_text(goal),
            took.as_secs_f64() / goal.as_secs_f64(),
            if took <= goal { "" } else { "  MISSED" }
        ),
        None => println!("{what:<52} {:>10}", secs(took)),
    };
    println!(
        "import of {IMPORT_FINDINGS} findings ({}):",
        megabytes(export_bytes)
    );
    row(
        "  import into a fresh workspace, best of 3",
        first,
        Some(IMPORT_GOAL),
    );
    row("    reading the file alone", reading, None);
    row("    staging it in the vault alone", staging, None);
    row("  the same file again, best of 3", again, Some(first));
    let memory_row = |what: &str, (before, after, _): (u64, u64, bool)| {
        let peak = after * 1024;
        println!(
            "{what:<52} {:>10}  {:>10}  {:>5.2}x{}",
            megabytes(peak),
            "≤ 200 MB",
            peak as f64 / MEMORY_GOAL_BYTES as f64,
            if peak <= MEMORY_GOAL_BYTES {
                ""
            } else {
                "  MISSED"
            }
        );
        println!(
            "{:<52} {:>10}",
            "    over the process's start",
            megabytes(after.saturating_sub(before) * 1024)
        );
    };
    memory_row("  peak memory of the import (VmHWM, own process)", memory);
    memory_row(
        "  peak memory of the re-import (VmHWM, own process)",
        memory_again,
    );
    println!(
        "  import: {} new, {} records, {} controls filed as evidence; re-import: changed \
         nothing, activity rows {} before and {} after",
        imported.new,
        imported.records,
        imported.evidence_controls.len(),
        log_rows.0,
        log_rows.1
    );
    println!();
    println!(
        "POA&M of {} open and {} closed items ({POAM_FINDINGS} findings; set-up {:.1} s, \
         of which {} evaluations set for the report in {:.1} s):",
        poam.open,
        poam.closed,
        poam.setup.as_secs_f64(),
        poam.evaluated,
        poam.evaluating.as_secs_f64()
    );
    row("  read_snapshot alone, best of 5", poam.read, None);
    row("  documents alone, best of 5", poam.documents, None);
    row(
        "  read_snapshot + documents, best of 5",
        poam.export,
        Some(POAM_GOAL),
    );
    row(
        "  the same and the files written and synced",
        poam.written,
        Some(POAM_GOAL),
    );
    for (name, size) in &poam.files {
        println!("    {name}: {} ({size} bytes)", megabytes(*size as u64));
    }
    println!("    {}", poam.report);
    drop(scratch);
    Ok(())
}

fn write_export(path: &Path, count: usize) -> Result<()> {
    let mut out = BufWriter::new(
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    write_sample_inspector_json(&mut out, count, seed_day())?;
    out.into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A new workspace on the fixed clock with one project on EC2, and the project's key.
fn fresh_workspace(dir: &Path) -> Result<(Workspace, i64)> {
    let mut ws = Workspace::open_with_clock(dir, clock())?;
    let project = ws.store.create_project(&NewProject {
        name: PROJECT.into(),
        services: vec!["ec2".into(), "rds".into(), "s3".into()],
        ..NewProject::default()
    })?;
    Ok((ws, project.key))
}

fn import(ws: &mut Workspace, project: i64, file: &Path) -> Result<FindingImport> {
    Ok(workspace::import_findings(
        &mut ws.store,
        &ws.vault,
        (project, false),
        (file, None),
        &AtomicBool::new(false),
        &mut |_| {},
    )?)
}

/// The child's part: import `args[2]` into the workspace at `args[1]` (creating it and its
/// project when new), then print the peak resident memory before and after the import as
/// `vmhwm_kib BEFORE AFTER`, with whether the import changed anything.
fn child() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, file] = args.as_slice() else {
        bail!("usage: {CHILD_ENV}=1 findings WORKSPACE FILE");
    };
    let dir = Path::new(dir);
    let (mut ws, project) = if dir.exists() {
        let ws = Workspace::open_with_clock(dir, clock())?;
        let project = ws.store.project_by_name(PROJECT)?.key;
        (ws, project)
    } else {
        fresh_workspace(dir)?
    };
    let before = vm_hwm_kib()?;
    let report = import(&mut ws, project, Path::new(file))?;
    let after = vm_hwm_kib()?;
    println!("vmhwm_kib {before} {after} changed {}", report.changed());
    Ok(())
}

/// Runs the child on `file` in the workspace `dir`, and returns its peak memory before and
/// after the import, in KiB, and whether the import changed anything.
fn child_peak(dir: &Path, file: &Path) -> Result<(u64, u64, bool)> {
    let exe = std::env::current_exe().context("cannot find the bench binary")?;
    let output = Command::new(exe)
        .env(CHILD_ENV, "1")
        .arg(dir)
        .arg(file)
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run the import child")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!("the import child failed ({}): {text}", output.status);
    }
    let words: Vec<&str> = text
        .split_whitespace()
        .skip_while(|word| *word != "vmhwm_kib")
        .skip(1)
        .collect();
    match words.as_slice() {
        [before, after, "changed", changed] => Ok((
            before.parse().context("bad peak")?,
            after.parse().context("bad peak")?,
            *changed == "true",
        )),
        _ => bail!("the import child printed no peak: {text}"),
    }
}

struct PoamFigures {
    open: usize,
    closed: usize,
    setup: Duration,
    evaluated: usize,
    evaluating: Duration,
    read: Duration,
    documents: Duration,
    export: Duration,
    written: Duration,
    files: Vec<(&'static str, usize)>,
    report: String,
}

fn poam_figures(root: &Path) -> Result<PoamFigures> {
    let started = Instant::now();
    let export = root.join("inspector-poam.json");
    write_export(&export, POAM_FINDINGS)?;
    let dir = root.join("workspace-poam");
    let (mut ws, project) = fresh_workspace(&dir)?;
    import(&mut ws, project, &export)?;
    ws.store
        .set_package_uri(project, "https://fedramp.example.gov/packages/F1234")?;
    let period = ReportPeriod::last_month(ws.store.today());

    // Each vulnerability the report asks about gets a person's evaluation, as
    // `lockstep finding set` would record it.
    let data = poam::read_snapshot(&ws.store, project)?;
    let missing = match poam::documents(&data, period)?.report {
        Err(VdrRefusal::MissingFacts(missing)) => missing,
        _ => vec![],
    };
    drop(data);
    let evaluating = Instant::now();
    for (n, finding) in missing.iter().enumerate() {
        ws.store.set_finding_facts(
            project,
            &finding.finding,
            FindingFacts {
                internet_reachable: Some(Some(n % 3 == 0)),
                likely_exploitable: Some(Some(n % 4 == 0)),
            },
        )?;
    }
    let evaluating = evaluating.elapsed();
    let setup = started.elapsed();

    let data = poam::read_snapshot(&ws.store, project)?;
    let made = poam::documents(&data, period)?;
    if made.open.abs_diff(POAM_OPEN_ITEMS) > POAM_OPEN_ITEMS / 100 {
        bail!(
            "the POA&M has {} open items, not about {POAM_OPEN_ITEMS}",
            made.open
        );
    }
    let report = match &made.report {
        Ok(counts) => format!(
            "report for {} to {}: {} vulnerabilities listed, {} overdue, {} accepted left out",
            period.from, period.to, counts.vulnerabilities, counts.overdue, counts.accepted
        ),
        Err(refusal) => bail!("the vulnerability detail report was not written: {refusal}"),
    };

    let best = |run: &mut dyn FnMut() -> Result<()>| -> Result<Duration> {
        let mut best = Duration::MAX;
        for _ in 0..POAM_RUNS {
            let start = Instant::now();
            run()?;
            best = best.min(start.elapsed());
        }
        Ok(best)
    };
    let read = best(&mut || {
        poam::read_snapshot(&ws.store, project)?;
        Ok(())
    })?;
    let documents = best(&mut || {
        poam::documents(&data, period)?;
        Ok(())
    })?;
    let together = best(&mut || {
        let data = poam::read_snapshot(&ws.store, project)?;
        poam::documents(&data, period)?;
        Ok(())
    })?;
    let out = root.join("poam-out");
    let written = best(&mut || {
        let data = poam::read_snapshot(&ws.store, project)?;
        let made = poam::documents(&data, period)?;
        write_files(&out, &made.files)?;
        Ok(())
    })?;
    Ok(PoamFigures {
        open: made.open,
        closed: made.closed,
        setup,
        evaluated: missing.len(),
        evaluating,
        read,
        documents,
        export: together,
        written,
        files: made
            .files
            .iter()
            .map(|(name, bytes)| (*name, bytes.len()))
            .collect(),
        report,
    })
}

/// A goal in seconds: whole seconds as such, others to the millisecond.
fn goal_text(goal: Duration) -> String {
    if goal.subsec_nanos() == 0 {
        format!("≤ {} s", goal.as_secs())
    } else {
        format!("≤ {}", secs(goal))
    }
}

/// Bytes in decimal megabytes, as the goals give them.
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

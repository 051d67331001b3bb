//! Attaching a 1 GiB file, against the tools a person would use instead.
//!
//! The vault reads a file once: the kernel copies it into `vault/tmp/` as `cp` does, while
//! the calling thread hashes the copy from the page cache, then the copy is synced (see
//! `lockstep::vault`); where the kernel cannot copy, the portable path reads and writes
//! through the process's buffers, hashing them on a second thread. The goals: an ingest
//! no slower than `cp` followed by an fsync of the copy (the ingest syncs, `cp` does not),
//! several times faster than `sha256sum` followed by `cp` (which reads the file twice and
//! hashes on one core), and a peak memory of a few MiB above the process's baseline
//! whatever the file's size. The portable path is timed too, for comparison.
//!
//! What is timed is `lockstep::workspace::attach` with a real `Store`, on a fresh workspace
//! each run, with each copy method: the read, hash, copy and sync of `Vault::stage`, the evidence row, and
//! `Vault::commit`'s move into `sha256/`. The peers run on the same file, into the same
//! folder: `cp`; `cp` followed by an fsync of the copy, since the ingest syncs and `cp`
//! does not; and `sha256sum` followed by `cp`. Each is the best of three, taken in rounds
//! that run every measure once. Between runs the copy is removed and the filesystem synced,
//! untimed, so one run's writeback does not land in the next.
//!
//! SHA-256 is sequential, so no ingest can take less than the time one core needs to hash
//! the file; that floor is printed too, from the sha2 crate hashing memory. `cp` hashes
//! nothing and copies inside the kernel, so where hashing is slower than copying the first
//! goal is out of reach and the floor says by how much.
//!
//! The source is pseudo-random, so no layer below can compress or deduplicate it. It sits
//! in a scratch folder under Cargo's `target/tmp` with every copy and workspace beside it,
//! so all of them are on one filesystem, and it is read once before any timing so every run
//! reads it from the page cache.
//!
//! Peak memory is read in a child process: the bench runs itself again with
//! `LOCKSTEP_INGEST_CHILD` set, and the child attaches one file and reports `VmHWM` from
//! `/proc/self/status` before and after. It does so for a 64 MiB file and for the 1 GiB
//! one; equal peaks show that memory does not follow the file's size.
//!
//! Run with `cargo bench --bench ingest`.

#[path = "support/mod.rs"]
mod support;

use std::fs::{self, File};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use lockstep::store::NewProject;
use lockstep::vault::CopyMethod;
use lockstep::workspace::{self, AttachOptions, Workspace};
use support::{
    keep_best, mib, read_all, run_tool, secs, sha2_bytes_per_sec, sync_filesystem, tool_available,
    vm_hwm_kib, write_pseudo_random,
};

const BIG_BYTES: u64 = 1 << 30;
const SMALL_BYTES: u64 = 64 << 20;
const RUNS: usize = 3;
const CHILD_ENV: &str = "LOCKSTEP_INGEST_CHILD";

const COPY_RATIO_GOAL: f64 = 1.0;
const TOOLS_RATIO_GOAL: f64 = 3.0;

fn main() -> Result<()> {
    if std::env::var_os(CHILD_ENV).is_some() {
        return child();
    }
    let scratch = tempfile::Builder::new()
        .prefix("lockstep-ingest-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .context("cannot make the scratch folder")?;
    let root = scratch.path();
    println!("scratch folder: {}", root.display());
    if let Some(kind) = filesystem_type(root) {
        println!("filesystem: {kind} (source, copies and workspaces all on it)");
        if kind == "tmpfs" {
            println!("warning: tmpfs holds files in memory; the fsync numbers mean nothing here");
        }
    }

    let source = root.join("source.bin");
    let small = root.join("small.bin");
    write_pseudo_random(&source, BIG_BYTES, 0x5eed)?;
    write_pseudo_random(&small, SMALL_BYTES, 0xfeed)?;
    // Settle the writeback of the source now, so it does not slow the first timed run.
    sync_filesystem(root);
    read_all(&source)?;
    read_all(&small)?;

    let sha2_speed = sha2_bytes_per_sec();

    let has_cp = tool_available("cp");
    let has_sha256sum = tool_available("sha256sum");
    if !has_cp {
        println!("skipped: cp, cp + fsync and sha256sum + cp (cp is not installed)");
    } else if !has_sha256sum {
        println!("skipped: sha256sum + cp (sha256sum is not installed)");
    }
    if !tool_available("sync") {
        println!("note: sync is not installed, so runs are not flushed between each other");
    }

    // Each round runs every measure once, so a burst of other work on the machine falls on
    // all of them alike rather than on one measure's three runs.
    let copy = root.join("copy.bin");
    let cp = || run_tool(Command::new("cp").arg(&source).arg(&copy));
    let mut ingest = Duration::MAX;
    let mut portable = Duration::MAX;
    let (mut plain_cp, mut cp_fsync, mut sha256sum_cp, mut sha256sum_alone) =
        (None, None, None, None);
    for run in 0..RUNS {
        let dir = root.join(format!("workspace-{run}"));
        for (method, best) in [
            (CopyMethod::Fastest, &mut ingest),
            (CopyMethod::Portable, &mut portable),
        ] {
            *best = (*best).min(timed_attach(&dir, &source, method)?);
            fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;
            sync_filesystem(root);
        }
        if !has_cp {
            continue;
        }
        keep_best(&mut plain_cp, timed(root, &copy, cp)?);
        keep_best(
            &mut cp_fsync,
            timed(root, &copy, || {
                cp()?;
                File::open(&copy)
                    .and_then(|f| f.sync_all())
                    .with_context(|| format!("cannot sync {}", copy.display()))
            })?,
        );
        if has_sha256sum {
            let time = timed(root, &copy, || {
                let start = Instant::now();
                run_tool(Command::new("sha256sum").arg(&source))?;
                keep_best(&mut sha256sum_alone, start.elapsed());
                cp()
            })?;
            keep_best(&mut sha256sum_cp, time);
        }
    }

    let small_memory = child_peak(&root.join("workspace-small"), &small)?;
    let big_memory = child_peak(&root.join("workspace-big"), &source)?;

    println!();
    println!(
        "{:<44} {:>10} {:>11}  goal",
        "measure (1 GiB, page cache)", "best of 3", "throughput"
    );
    let row = |what: &str, time: Option<Duration>, goal: &str| match time {
        Some(time) => println!(
            "{what:<44} {:>10} {:>11}  {goal}",
            secs(time),
            rate(BIG_BYTES as f64 / time.as_secs_f64())
        ),
        None => println!("{what:<44} {:>10} {:>11}  {goal}", "skipped", "-"),
    };
    row("ingest: workspace::attach (stage+commit)", Some(ingest), "");
    row("  the same on the portable path", Some(portable), "");
    row("cp", plain_cp, "");
    row("cp + fsync of the copy", cp_fsync, "");
    row("sha256sum + cp", sha256sum_cp, "");
    row("  of which sha256sum alone", sha256sum_alone, "");
    let hash_floor = Duration::from_secs_f64(BIG_BYTES as f64 / sha2_speed);
    row(
        "floor: sha2 SHA-256 in memory, one core",
        Some(hash_floor),
        "",
    );
    println!();
    let ratio = |what: &str, value: Option<f64>, goal: &str| match value {
        Some(value) => println!("{what:<44} {:>9.2}x  {goal}", value),
        None => println!("{what:<44} {:>10}  {goal}", "skipped"),
    };
    let over = |a: Duration, b: Option<Duration>| b.map(|b| a.as_secs_f64() / b.as_secs_f64());
    ratio("ingest / cp", over(ingest, plain_cp), "");
    ratio(
        "ingest / (cp + fsync)",
        over(ingest, cp_fsync),
        &format!("<= {COPY_RATIO_GOAL:.2}x"),
    );
    ratio(
        "portable ingest / (cp + fsync)",
        over(portable, cp_fsync),
        "",
    );
    ratio("ingest / floor", over(ingest, Some(hash_floor)), "");
    ratio("floor / (cp + fsync)", over(hash_floor, cp_fsync), "");
    ratio(
        "(sha256sum + cp) / ingest",
        sha256sum_cp.map(|t| t.as_secs_f64() / ingest.as_secs_f64()),
        &format!(">= {TOOLS_RATIO_GOAL:.0}x"),
    );
    println!();
    println!(
        "{:<44} {:>10} {:>11}  goal",
        "peak memory of one ingest (VmHWM)", "peak", "over start"
    );
    for (what, (before, after)) in [("64 MiB file", small_memory), ("1 GiB file", big_memory)] {
        println!(
            "{what:<44} {:>10} {:>11}  a few MiB, same for both",
            mib(after),
            mib(after.saturating_sub(before))
        );
    }
    drop(scratch);
    Ok(())
}

/// The child's part: attach `args[2]` in the workspace `args[1]`, then print the peak
/// resident memory before and after as `vmhwm_kib BEFORE AFTER`.
fn child() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, file] = args.as_slice() else {
        bail!("usage: {CHILD_ENV}=1 ingest WORKSPACE FILE");
    };
    let (mut ws, target) = fresh_workspace(Path::new(dir))?;
    let before = vm_hwm_kib()?;
    attach(&mut ws, &target, Path::new(file))?;
    let after = vm_hwm_kib()?;
    println!("vmhwm_kib {before} {after}");
    Ok(())
}

/// Runs the child on `file` and returns its peak memory before and after the ingest, in KiB.
fn child_peak(dir: &Path, file: &Path) -> Result<(u64, u64)> {
    let exe = std::env::current_exe().context("cannot find the bench binary")?;
    let output = Command::new(exe)
        .env(CHILD_ENV, "1")
        .arg(dir)
        .arg(file)
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run the ingest child")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!("the ingest child failed ({}): {text}", output.status);
    }
    let numbers: Vec<u64> = text
        .split_whitespace()
        .skip_while(|word| *word != "vmhwm_kib")
        .skip(1)
        .filter_map(|word| word.parse().ok())
        .collect();
    fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    match numbers.as_slice() {
        [before, after] => Ok((*before, *after)),
        _ => bail!("the ingest child printed no peak: {text}"),
    }
}

/// A project's key and one of its control ids.
type Target = (i64, String);

/// A new workspace with one project, and a control that takes evidence.
fn fresh_workspace(dir: &Path) -> Result<(Workspace, Target)> {
    let mut ws = Workspace::open(dir)?;
    let project = ws.store.create_project(&NewProject {
        name: "Ingest".into(),
        services: vec!["s3".into()],
        ..NewProject::default()
    })?;
    let control = ws
        .store
        .controls(project.key)?
        .into_iter()
        .find(|c| !c.retired)
        .context("the project has no control to attach to")?;
    Ok((ws, (project.key, control.id)))
}

fn attach(ws: &mut Workspace, (project, control_id): &Target, file: &Path) -> Result<()> {
    let options = AttachOptions {
        description: "Ingest bench".into(),
        collected_on: NaiveDate::from_ymd_opt(2026, 11, 28).context("bad date")?,
        valid_until: None,
    };
    let cancel = AtomicBool::new(false);
    workspace::attach(
        &mut ws.store,
        &ws.vault,
        (*project, control_id),
        file,
        &options,
        &cancel,
        &mut |_| {},
    )?;
    Ok(())
}

/// Opens a fresh workspace in `dir` (untimed) and times one attach of `file`, copied with
/// `method`.
fn timed_attach(dir: &Path, file: &Path, method: CopyMethod) -> Result<Duration> {
    let (mut ws, target) = fresh_workspace(dir)?;
    ws.vault.set_copy_method(method);
    let start = Instant::now();
    attach(&mut ws, &target, file)?;
    Ok(start.elapsed())
}

/// Times `run`, then removes `copy` and syncs, untimed.
fn timed(root: &Path, copy: &Path, run: impl FnOnce() -> Result<()>) -> Result<Duration> {
    let start = Instant::now();
    run()?;
    let time = start.elapsed();
    fs::remove_file(copy).with_context(|| format!("cannot remove {}", copy.display()))?;
    sync_filesystem(root);
    Ok(time)
}

fn filesystem_type(dir: &Path) -> Option<String> {
    let output = Command::new("df")
        .arg("--output=fstype")
        .arg(dir)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines().nth(1).map(|line| line.trim().to_string())
}

fn rate(bytes_per_sec: f64) -> String {
    format!("{:.2} GB/s", bytes_per_sec / 1e9)
}

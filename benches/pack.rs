//! Writing and checking a 1 GiB evidence pack, against the tools a person would use
//! instead.
//!
//! The evidence is about 70% incompressible files of 10 to 100 MiB (`.pdf`, which the
//! export stores) and about 30% log text in files of 40 to 60 MiB (`.log`, which it
//! deflates), attached to a handful of controls of one project in a fresh workspace. A
//! second project holds the same bytes with the text files named `.dat`, which the export
//! stores, so the cost of deflating shows apart from the rest.
//!
//! What is timed:
//! - `lockstep::pack::export` of each project (the snapshot is collected untimed), against
//!   `cp -r` of the same evidence files, `cp -r` followed by `sync` (the export syncs the
//!   pack, `cp` does not), and `zip -0 -r` of them (stores everything, hashes nothing).
//!   Stored entries are copied into the pack by the kernel, as `cp` copies, and hashed by
//!   reading them back from the page cache; the all-stored export is also timed on the
//!   portable path, which moves every byte through the process. Goal: the all-stored
//!   export no slower than `cp -r` followed by `sync`.
//! - `lockstep::pack::verify_pack` of the pack, against `sha256sum -c SHA256SUMS` in the
//!   pack extracted (extraction untimed). Goal: faster.
//!
//! SHA-256 is sequential, so neither an export nor a verify of one large file can take
//! less than one core's time to hash it; that floor, from the sha2 crate hashing memory,
//! is printed beside them.
//!
//! Each is the best of three, taken in rounds that run every measure once, with copies
//! removed and the filesystem synced, untimed, between runs. Every file lives in a scratch
//! folder under Cargo's `target/tmp`, and each run's input is read through right before it,
//! untimed, so every run reads from the page cache: a kernel that reclaims idle cache (as
//! DAMON does on some virtual machines) otherwise sends whichever measure runs after a long
//! one to the disk. Tools that are not installed are skipped with a message.
//!
//! Run with `cargo bench --bench pack`.

#[path = "support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::Local;
use lockstep::pack::{VerifyOutcome, collect, export, verify_pack};
use lockstep::store::NewProject;
use lockstep::vault::CopyMethod;
use lockstep::workspace::{self, AttachOptions, Workspace};

const MIB: u64 = 1 << 20;
/// Sizes of the incompressible files, in MiB: 717 MiB in all.
const BINARY_MIB: [u64; 15] = [100, 90, 80, 70, 64, 56, 48, 40, 32, 24, 20, 16, 12, 10, 55];
/// Sizes of the text files, in MiB: 307 MiB in all.
const TEXT_MIB: [u64; 6] = [60, 55, 52, 50, 48, 42];
/// How many controls the evidence is spread over.
const CONTROLS: usize = 6;
const RUNS: usize = 3;
const BLOCK_BYTES: usize = 8 << 20;

const COPY_RATIO_GOAL: f64 = 1.0;

fn main() -> Result<()> {
    let scratch = tempfile::Builder::new()
        .prefix("lockstep-pack-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .context("cannot make the scratch folder")?;
    let root = scratch.path();
    println!("scratch folder: {}", root.display());

    let source = root.join("evidence");
    let files = write_evidence(&source)?;
    let evidence_bytes: u64 = files.iter().map(|f| f.1).sum();
    println!(
        "evidence: {} files, {} ({} stored, {} deflated)",
        files.len(),
        mib(evidence_bytes),
        mib(BINARY_MIB.iter().sum::<u64>() * MIB),
        mib(TEXT_MIB.iter().sum::<u64>() * MIB),
    );

    // The same bytes under names the export stores, linked rather than copied: they land
    // on the same vault blobs, so the second project costs no disk.
    let stored_source = root.join("evidence-stored");
    fs::create_dir(&stored_source)?;
    let mut stored_files = Vec::new();
    for (path, size) in &files {
        let name = path.file_name().context("no file name")?;
        let link = stored_source.join(Path::new(name).with_extension("dat"));
        fs::hard_link(path, &link)?;
        stored_files.push((link, *size));
    }

    let started = Instant::now();
    let mut ws = Workspace::open(&root.join("workspace"))?;
    let today = Local::now().date_naive();
    let mixed = fill_workspace(&mut ws, "Pack bench", &files)?;
    let stored = fill_workspace(&mut ws, "Pack bench, all stored", &stored_files)?;
    println!("workspace filled in {} (untimed)", secs(started.elapsed()));
    let data = collect(&ws.store, mixed, today, None)?;
    let stored_data = collect(&ws.store, stored, today, None)?;
    sync_filesystem(root);
    let vault = ws.vault.root().to_path_buf();
    let mut portable_vault = ws.vault.clone();
    portable_vault.set_copy_method(CopyMethod::Portable);
    let sha2_speed = support::sha2_bytes_per_sec();

    let has_cp = tool_available("cp", "--version");
    let has_zip = tool_available("zip", "-h");
    if !has_cp {
        println!("skipped: cp -r (cp is not installed)");
    }
    if !has_zip {
        println!("skipped: zip -0 -r (zip is not installed)");
    }

    let pack = root.join("pack.zip");
    let copy = root.join("copy");
    let zipped = root.join("zipped.zip");
    let (mut export_time, mut cp_time, mut cp_sync_time, mut zip_time) = (None, None, None, None);
    let (mut stored_time, mut portable_time) = (None, None);
    for _ in 0..RUNS {
        let _ = fs::remove_file(&pack);
        sync_filesystem(root);
        warm(&vault)?;
        let start = Instant::now();
        export(
            &stored_data,
            &portable_vault,
            &pack,
            false,
            &AtomicBool::new(false),
            &mut |_| {},
        )?;
        keep_best(&mut portable_time, start.elapsed());
        let _ = fs::remove_file(&pack);
        sync_filesystem(root);
        warm(&vault)?;
        let start = Instant::now();
        export(
            &stored_data,
            &ws.vault,
            &pack,
            false,
            &AtomicBool::new(false),
            &mut |_| {},
        )?;
        keep_best(&mut stored_time, start.elapsed());
        let _ = fs::remove_file(&pack);
        sync_filesystem(root);
        warm(&vault)?;
        let start = Instant::now();
        export(
            &data,
            &ws.vault,
            &pack,
            false,
            &AtomicBool::new(false),
            &mut |_| {},
        )?;
        keep_best(&mut export_time, start.elapsed());
        if has_cp {
            let cp = || {
                warm(&source)?;
                let start = Instant::now();
                run_tool(Command::new("cp").arg("-r").arg(&source).arg(&copy))?;
                Ok(start)
            };
            keep_best(&mut cp_time, timed(root, &copy, cp)?);
            keep_best(
                &mut cp_sync_time,
                timed(root, &copy, || {
                    let start = cp()?;
                    sync_filesystem(root);
                    Ok(start)
                })?,
            );
        }
        if has_zip {
            keep_best(
                &mut zip_time,
                timed(root, &zipped, || {
                    warm(&source)?;
                    let start = Instant::now();
                    run_tool(
                        Command::new("zip")
                            .args(["-0", "-r", "-q"])
                            .arg(&zipped)
                            .arg("evidence")
                            .current_dir(root),
                    )?;
                    Ok(start)
                })?,
            );
        }
    }

    let extracted = root.join("extracted");
    let has_sha256sum = tool_available("sha256sum", "--version");
    let extractor = if !has_sha256sum {
        println!("skipped: sha256sum -c (sha256sum is not installed)");
        None
    } else if tool_available("unzip", "-v") {
        Some("unzip")
    } else if tool_available("python3", "--version") {
        Some("python3")
    } else {
        println!("skipped: sha256sum -c (neither unzip nor python3 is installed to extract)");
        None
    };
    if let Some(tool) = extractor {
        fs::create_dir(&extracted)?;
        let mut command = Command::new(tool);
        match tool {
            "unzip" => command.arg("-q").arg(&pack).arg("-d").arg(&extracted),
            _ => command
                .args(["-m", "zipfile", "-e"])
                .arg(&pack)
                .arg(&extracted),
        };
        run_tool(&mut command)?;
        sync_filesystem(root);
    }

    let (mut verify_time, mut sha256sum_time) = (None, None);
    let mut outcome = None;
    for _ in 0..RUNS {
        warm(&pack)?;
        let start = Instant::now();
        let result = verify_pack(&pack, &mut |_, _| {});
        keep_best(&mut verify_time, start.elapsed());
        outcome = Some(result);
        if extractor.is_some() {
            warm(&extracted)?;
            let start = Instant::now();
            run_tool(
                Command::new("sha256sum")
                    .args(["-c", "--quiet", "SHA256SUMS"])
                    .current_dir(&extracted),
            )?;
            keep_best(&mut sha256sum_time, start.elapsed());
        }
    }
    match outcome {
        Some(VerifyOutcome::Intact { .. }) => {}
        other => bail!("verify-pack did not find the exported pack intact: {other:?}"),
    }
    let pack_bytes = fs::metadata(&pack)?.len();

    println!();
    println!(
        "{:<40} {:>10} {:>11}  goal",
        "measure (1 GiB, page cache)", "best of 3", "throughput"
    );
    let row = |what: &str, time: Option<Duration>| match time {
        Some(time) => println!(
            "{what:<40} {:>10} {:>11}",
            secs(time),
            rate(evidence_bytes as f64 / time.as_secs_f64())
        ),
        None => println!("{what:<40} {:>10} {:>11}", "skipped", "-"),
    };
    row("export, text deflated (syncs the pack)", export_time);
    row("export, all stored (syncs the pack)", stored_time);
    row("  the same on the portable path", portable_time);
    row("cp -r", cp_time);
    row("cp -r + sync", cp_sync_time);
    row("zip -0 -r", zip_time);
    row("verify-pack", verify_time);
    row("sha256sum -c SHA256SUMS (extracted)", sha256sum_time);
    let hash_floor = Duration::from_secs_f64(evidence_bytes as f64 / sha2_speed);
    row("floor: sha2 SHA-256 in memory, one core", Some(hash_floor));
    println!(
        "pack size: {} for {} of evidence",
        mib(pack_bytes),
        mib(evidence_bytes)
    );

    println!();
    let ratio = |what: &str, a: Option<Duration>, b: Option<Duration>, goal: &str| match (a, b) {
        (Some(a), Some(b)) => {
            println!(
                "{what:<40} {:>9.2}x  {goal}",
                a.as_secs_f64() / b.as_secs_f64()
            )
        }
        _ => println!("{what:<40} {:>10}  {goal}", "skipped"),
    };
    let goal = format!("<= {COPY_RATIO_GOAL:.1}x");
    ratio("export, text deflated / cp -r", export_time, cp_time, "");
    ratio("export, all stored / cp -r", stored_time, cp_time, "");
    ratio(
        "export, all stored / (cp -r + sync)",
        stored_time,
        cp_sync_time,
        &goal,
    );
    ratio(
        "portable export / (cp -r + sync)",
        portable_time,
        cp_sync_time,
        "",
    );
    ratio(
        "export, all stored / floor",
        stored_time,
        Some(hash_floor),
        "",
    );
    ratio("floor / (cp -r + sync)", Some(hash_floor), cp_sync_time, "");
    ratio("export, all stored / zip -0 -r", stored_time, zip_time, "");
    ratio(
        "verify-pack / sha256sum -c",
        verify_time,
        sha256sum_time,
        "< 1x",
    );
    ratio("verify-pack / floor", verify_time, Some(hash_floor), "");
    drop(scratch);
    Ok(())
}

/// Writes the evidence files into `dir`; returns each path and size.
fn write_evidence(dir: &Path) -> Result<Vec<(PathBuf, u64)>> {
    fs::create_dir(dir)?;
    let mut files = Vec::new();
    for (i, size) in BINARY_MIB.iter().enumerate() {
        let path = dir.join(format!("scan-{i:02}.pdf"));
        write_random(&path, size * MIB, 0x5eed + i as u64)?;
        files.push((path, size * MIB));
    }
    for (i, size) in TEXT_MIB.iter().enumerate() {
        let path = dir.join(format!("audit-{i:02}.log"));
        write_log(&path, size * MIB, 0xfeed + i as u64)?;
        files.push((path, size * MIB));
    }
    Ok(files)
}

/// A workspace with one project and every file attached, spread over a few controls.
fn fill_workspace(ws: &mut Workspace, name: &str, files: &[(PathBuf, u64)]) -> Result<i64> {
    let project = ws.store.create_project(&NewProject {
        name: name.into(),
        services: vec!["s3".into(), "ec2".into(), "kms".into()],
        ..NewProject::default()
    })?;
    let controls: Vec<String> = ws
        .store
        .controls(project.key)?
        .into_iter()
        .filter(|c| !c.retired)
        .take(CONTROLS)
        .map(|c| c.id)
        .collect();
    if controls.is_empty() {
        bail!("the project has no control to attach to");
    }
    let options = AttachOptions {
        description: "Pack bench".into(),
        collected_on: Local::now().date_naive(),
        valid_until: None,
    };
    for (i, (path, _)) in files.iter().enumerate() {
        let control = &controls[i % controls.len()];
        workspace::attach(
            &mut ws.store,
            &ws.vault,
            (project.key, control),
            path,
            &options,
            &AtomicBool::new(false),
            &mut |_| {},
        )?;
    }
    Ok(project.key)
}

/// Times `run` from the instant it returns (taken after its untimed warm-up) to its end,
/// then removes `output` (a file or a folder) and syncs, untimed.
fn timed(root: &Path, output: &Path, run: impl FnOnce() -> Result<Instant>) -> Result<Duration> {
    let start = run()?;
    let time = start.elapsed();
    if output.is_dir() {
        fs::remove_dir_all(output)?;
    } else {
        fs::remove_file(output)?;
    }
    sync_filesystem(root);
    Ok(time)
}

fn keep_best(best: &mut Option<Duration>, time: Duration) {
    *best = Some(best.map_or(time, |best| best.min(time)));
}

fn tool_available(name: &str, arg: &str) -> bool {
    Command::new(name)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn run_tool(command: &mut Command) -> Result<()> {
    let status = command
        .stdout(Stdio::null())
        .status()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed: {status}");
    }
    Ok(())
}

/// Flushes the scratch filesystem; without `sync` the runs go on unflushed.
fn sync_filesystem(root: &Path) {
    let _ = Command::new("sync")
        .arg("-f")
        .arg(root)
        .stderr(Stdio::null())
        .status();
}

/// The next value of a xorshift generator.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

fn write_random(path: &Path, size_bytes: u64, seed: u64) -> Result<()> {
    let mut file =
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut block = vec![0; BLOCK_BYTES];
    let mut state = seed;
    let mut left = size_bytes;
    while left > 0 {
        let len = left.min(BLOCK_BYTES as u64) as usize;
        for word in block[..len].chunks_exact_mut(8) {
            word.copy_from_slice(&next(&mut state).to_le_bytes());
        }
        file.write_all(&block[..len])?;
        left -= len as u64;
    }
    Ok(())
}

/// Writes log lines, about as compressible as real ones, up to exactly `size_bytes`.
fn write_log(path: &Path, size_bytes: u64, seed: u64) -> Result<()> {
    const EVENTS: [&str; 5] = [
        "Accepted publickey for",
        "Failed password for invalid user",
        "session opened for user",
        "AssumeRole granted to",
        "PutObject denied for",
    ];
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = BufWriter::with_capacity(BLOCK_BYTES, file);
    let mut state = seed;
    let mut written = 0u64;
    let mut line = String::new();
    let mut second = 0u64;
    while written < size_bytes {
        let r = next(&mut state);
        second += r % 3;
        line.clear();
        let _ = writeln!(
            line,
            "2026-03-{:02}T{:02}:{:02}:{:02}Z ip-10-0-{}-{} sshd[{}]: {} user{} from 10.{}.{}.{} port {}",
            1 + (second / 86_400) % 28,
            (second / 3600) % 24,
            (second / 60) % 60,
            second % 60,
            (r >> 8) % 8,
            (r >> 12) % 64,
            1000 + (r >> 20) % 9000,
            EVENTS[((r >> 32) % 5) as usize],
            (r >> 36) % 200,
            (r >> 44) % 4,
            (r >> 48) % 256,
            (r >> 56) % 256,
            30_000 + (r >> 24) % 30_000,
        );
        let take = (size_bytes - written).min(line.len() as u64) as usize;
        out.write_all(&line.as_bytes()[..take])?;
        written += take as u64;
    }
    out.flush()?;
    Ok(())
}

/// Reads every file under `path` (or `path` itself) through once, right before a timed
/// run, so the run finds them in the page cache even where the kernel reclaims idle cache
/// pages proactively.
fn warm(path: &Path) -> Result<()> {
    if path.is_dir() {
        for entry in fs::read_dir(path)? {
            warm(&entry?.path())?;
        }
        Ok(())
    } else {
        read_all(path)
    }
}

/// Reads a file through once.
fn read_all(path: &Path) -> Result<()> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut block = vec![0; BLOCK_BYTES];
    loop {
        match file.read(&mut block) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}

fn secs(time: Duration) -> String {
    format!("{:.2} s", time.as_secs_f64())
}

fn rate(bytes_per_sec: f64) -> String {
    format!("{:.0} MiB/s", bytes_per_sec / MIB as f64)
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / MIB as f64)
}

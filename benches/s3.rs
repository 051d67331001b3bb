//! Uploading a 1 GiB evidence file to the team vault's S3 server, and reading it back,
//! against a plain local ingest and a plain HTTP transfer of the same bytes.
//!
//! `S3Vault::upload` reads the file twice: once to hash it (the key is the hash), then again
//! to send it in 8 MiB parts, each with its SHA-256, while the whole is hashed a second time
//! to catch a file that changed between the passes (see `lockstep::vault::s3`). Every byte
//! is so hashed three times on the calling thread. `S3Vault::check` streams the object back
//! and hashes it once. The goal (issue 12): an upload of 1 GiB on loopback stays under 64 MB
//! of memory. Upload time has no goal of its own; it is printed beside its peers.
//!
//! The server is moto's standalone S3 server on 127.0.0.1 (`LOCKSTEP_TEST_S3_PORT`, 54330 by
//! default), as `.ci/servers start` runs it; the bench starts it that way when it does not
//! answer. Moto is a mock written in Python: one process that keeps every object in its own
//! memory and joins a multipart upload's parts in Python when it is completed. It is far
//! slower than S3, so it bounds every time measured here; the peers that go through it show
//! by how much. Its memory is its own, not lockstep's, and is printed apart.
//!
//! What is timed, on the same 1 GiB file, in the same run:
//! - `S3Vault::upload` into a fresh prefix of one bucket (the vault is opened untimed);
//! - `S3Vault::check` of that object (a HEAD, then a GET streamed through SHA-256);
//! - peers: `lockstep::workspace::attach` into a fresh local workspace (as the ingest bench
//!   does); a single-stream signed `curl -T` PUT of the file to the same server, which
//!   hashes nothing and sends one request; and a `curl` GET of the uploaded object to
//!   `/dev/null`, the network-side peer of `check`;
//! - a floor: the time the sha2 crate needs on one core to hash 1 GiB in memory, three times
//!   over for an upload and once for a check.
//!
//! Each is the best of three, taken in rounds that run every measure once, so a burst of
//! other work (such as another build, or tests using the same server) falls on all of them
//! alike. Objects are deleted after each round, untimed, so moto's memory does not pile up.
//!
//! The sources are pseudo-random, in a scratch folder under Cargo's `target/tmp` beside the
//! local workspaces, and each is read through right before each run that reads it, untimed,
//! so every run reads it from the page cache.
//!
//! Peak memory is read in a child process: the bench runs itself again with
//! `LOCKSTEP_S3_CHILD` set, and the child uploads one file (or checks one object) and
//! reports `VmHWM` from `/proc/self/status` before and after. It does so for a 64 MiB file
//! and for the 1 GiB one; equal peaks show that memory does not follow the file's size.
//!
//! Run with `cargo bench --bench s3`.

#[path = "support/mod.rs"]
mod support;

use std::fs::{self};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use lockstep::store::NewProject;
use lockstep::vault::BlobCheck;
use lockstep::vault::s3::{Credentials, Purged, S3Location, S3Vault};
use lockstep::workspace::{self, AttachOptions, Workspace};
use support::{
    keep_best, mib, read_all, run_tool, secs, sha2_bytes_per_sec, sync_filesystem, tool_available,
    write_pseudo_random,
};

const BIG_BYTES: u64 = 1 << 30;
const SMALL_BYTES: u64 = 64 << 20;
const RUNS: usize = 3;
const CHILD_ENV: &str = "LOCKSTEP_S3_CHILD";
const PORT_ENV: &str = "LOCKSTEP_TEST_S3_PORT";
const DEFAULT_PORT: u16 = 54330;
const REGION: &str = "us-east-1";
/// Credentials moto accepts (it checks none); the same as the tests'.
const ACCESS_KEY: &str = "lockstep-test";
const SECRET_KEY: &str = "lockstep-test-secret";

/// The goal of issue 12: the peak resident memory of a process uploading 1 GiB.
const MEMORY_GOAL_BYTES: u64 = 64_000_000;
/// How far the peaks for 64 MiB and 1 GiB may differ and still count as equal.
const SAME_PEAK_SLACK_KIB: u64 = 2 << 10;

fn main() -> Result<()> {
    if std::env::var_os(CHILD_ENV).is_some() {
        return child();
    }
    let port = port();
    ensure_server(port)?;
    println!(
        "S3 server: {} at {}, a single Python process that keeps objects in its own memory;",
        moto_version(),
        endpoint(port)
    );
    println!("its speed bounds every upload and check time below, so compare with the curl rows");

    let scratch = tempfile::Builder::new()
        .prefix("lockstep-s3-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .context("cannot make the scratch folder")?;
    let root = scratch.path();
    println!("scratch folder: {}", root.display());

    let source = root.join("source.bin");
    let small = root.join("small.bin");
    write_pseudo_random(&source, BIG_BYTES, 0x5eed)?;
    write_pseudo_random(&small, SMALL_BYTES, 0xfeed)?;
    sync_filesystem(root);

    let bucket = format!("lockstep-bench-{}", std::process::id());
    S3Vault::unchecked(location(port, &bucket, ""), credentials())?
        .client()
        .create_bucket(None)
        .with_context(|| format!("cannot create the bucket {bucket}"))?;
    println!("bucket: {bucket}");

    let sha2_speed = sha2_bytes_per_sec();
    let has_curl = tool_available("curl");
    if !has_curl {
        println!("skipped: the curl PUT and GET peers (curl is not installed)");
    }

    // Each round runs every measure once, so a burst of other work on the machine falls on
    // all of them alike rather than on one measure's three runs.
    let curl_url = format!("{}/{bucket}/curl-put.bin", endpoint(port));
    let mut upload = UploadTimes {
        total: Duration::MAX,
        hashed: Duration::ZERO,
        sent: Duration::ZERO,
    };
    let mut check = Duration::MAX;
    let mut ingest = Duration::MAX;
    let (mut curl_put, mut curl_get) = (None, None);
    for run in 0..RUNS {
        let vault = S3Vault::open(
            location(port, &bucket, &format!("round-{run}")),
            credentials(),
        )?;
        read_all(&source)?;
        let (mut hashed, mut sent) = (None, None);
        let start = Instant::now();
        let uploaded = vault.upload(&source, &AtomicBool::new(false), &mut |done, total| {
            // The hashing pass reports up to half the total, the sending pass the rest.
            if done == total / 2 && hashed.is_none() {
                hashed = Some(start.elapsed());
            }
            if done == total && sent.is_none() {
                sent = Some(start.elapsed());
            }
        })?;
        let time = start.elapsed();
        if time < upload.total {
            upload = UploadTimes {
                total: time,
                hashed: hashed.unwrap_or_default(),
                sent: sent.unwrap_or(time),
            };
        }
        if uploaded.already_stored {
            bail!("round {run} found its object already stored, so nothing was timed");
        }

        let start = Instant::now();
        let outcome = vault.check(&uploaded.sha256, Some(uploaded.bytes))?;
        check = check.min(start.elapsed());
        if outcome != BlobCheck::Intact {
            bail!("the uploaded object does not read back intact: {outcome:?}");
        }

        if has_curl {
            let object_url = format!(
                "{}/{bucket}/{}",
                endpoint(port),
                vault.key_of(&uploaded.sha256)?
            );
            let start = Instant::now();
            run_tool(curl().args(["-o", "/dev/null"]).arg(&object_url))?;
            keep_best(&mut curl_get, start.elapsed());
        }
        remove(&vault, &uploaded.sha256)?;

        if has_curl {
            read_all(&source)?;
            let start = Instant::now();
            run_tool(
                curl()
                    .args(["-H", "Expect:", "-T"])
                    .arg(&source)
                    .arg(&curl_url),
            )?;
            keep_best(&mut curl_put, start.elapsed());
            run_tool(curl().args(["-X", "DELETE"]).arg(&curl_url))?;
        }

        let dir = root.join(format!("workspace-{run}"));
        read_all(&source)?;
        ingest = ingest.min(timed_attach(&dir, &source)?);
        fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;
        sync_filesystem(root);
    }

    read_all(&small)?;
    let small_memory = child_upload_peak(&bucket, "memory-small", &small)?;
    read_all(&source)?;
    let big_memory = child_upload_peak(&bucket, "memory-big", &source)?;
    let check_memory = child_check_peak(&bucket, "memory-big", &big_memory.1)?;
    remove(
        &S3Vault::open(location(port, &bucket, "memory-small"), credentials())?,
        &small_memory.1,
    )?;
    remove(
        &S3Vault::open(location(port, &bucket, "memory-big"), credentials())?,
        &big_memory.1,
    )?;
    if has_curl {
        // The bucket is empty now; the client has no call to delete a bucket.
        run_tool(
            curl()
                .args(["-X", "DELETE"])
                .arg(format!("{}/{bucket}", endpoint(port))),
        )?;
    } else {
        println!("note: the empty bucket {bucket} stays on the server (no curl to delete it)");
    }

    println!();
    println!(
        "{:<44} {:>10} {:>11}",
        "measure (1 GiB, page cache, loopback)", "best of 3", "throughput"
    );
    let row = |what: &str, time: Option<Duration>| match time {
        Some(time) => println!(
            "{what:<44} {:>10} {:>11}",
            secs(time),
            rate(BIG_BYTES as f64 / time.as_secs_f64())
        ),
        None => println!("{what:<44} {:>10} {:>11}", "skipped", "-"),
    };
    let hash_once = Duration::from_secs_f64(BIG_BYTES as f64 / sha2_speed);
    row(
        "upload: S3Vault::upload (hash, then parts)",
        Some(upload.total),
    );
    row("  of which the hashing pass", Some(upload.hashed));
    row(
        "  of which sending the parts (hashed twice)",
        Some(upload.sent.saturating_sub(upload.hashed)),
    );
    row(
        "  of which completing (moto joins the parts)",
        Some(upload.total.saturating_sub(upload.sent)),
    );
    row("curl -T: one signed PUT, no hashing", curl_put);
    row("ingest: workspace::attach, local disk", Some(ingest));
    row("floor: SHA-256 three times, one core", Some(hash_once * 3));
    row("check: S3Vault::check (GET, hash)", Some(check));
    row("curl GET to /dev/null", curl_get);
    row("floor: SHA-256 once, one core", Some(hash_once));
    println!();
    let ratio = |what: &str, value: Option<Duration>, base: Option<Duration>| match (value, base) {
        (Some(value), Some(base)) => {
            println!(
                "{what:<44} {:>9.2}x",
                value.as_secs_f64() / base.as_secs_f64()
            )
        }
        _ => println!("{what:<44} {:>10}", "skipped"),
    };
    ratio("upload / curl PUT", Some(upload.total), curl_put);
    ratio("upload / local ingest", Some(upload.total), Some(ingest));
    ratio(
        "upload / floor (three hashes)",
        Some(upload.total),
        Some(hash_once * 3),
    );
    ratio("check / curl GET", Some(check), curl_get);
    ratio("check / floor (one hash)", Some(check), Some(hash_once));

    println!();
    println!(
        "{:<44} {:>10} {:>11}",
        "peak memory of one process (VmHWM)", "peak", "over start"
    );
    for (what, (before, after)) in [
        ("upload of the 64 MiB file", small_memory.0),
        ("upload of the 1 GiB file", big_memory.0),
        ("check of the 1 GiB object", check_memory),
    ] {
        println!(
            "{what:<44} {:>10} {:>11}",
            mib(after),
            mib(after.saturating_sub(before))
        );
    }
    let growth = |(before, after): (u64, u64)| after.saturating_sub(before);
    let (small_growth, big_growth) = (growth(small_memory.0), growth(big_memory.0));
    println!(
        "memory follows the file's size: {} (growth {} for 64 MiB, {} for 1 GiB)",
        if big_growth.abs_diff(small_growth) <= SAME_PEAK_SLACK_KIB {
            "no"
        } else {
            "YES"
        },
        mib(small_growth),
        mib(big_growth)
    );
    if let Some(moto) = moto_peak_kib() {
        println!(
            "moto's own peak (VmHWM, the server's memory, not lockstep's): {}",
            mib(moto)
        );
    }
    println!();
    let verdict = |bytes: u64| {
        if bytes < MEMORY_GOAL_BYTES {
            "PASS"
        } else {
            "FAIL"
        }
    };
    let big_peak_bytes = big_memory.0.1 * 1024;
    println!(
        "goal: uploading 1 GiB stays under 64 MB of memory: peak {:.1} MB ({} over start): {}",
        big_peak_bytes as f64 / 1e6,
        mib(big_growth),
        verdict(big_peak_bytes)
    );
    let check_peak_bytes = check_memory.1 * 1024;
    println!(
        "      (same bound for a check of 1 GiB: peak {:.1} MB: {})",
        check_peak_bytes as f64 / 1e6,
        verdict(check_peak_bytes)
    );
    drop(scratch);
    Ok(())
}

/// The best upload's time, and when within it each pass ended.
struct UploadTimes {
    total: Duration,
    /// When the hashing pass had read the whole file.
    hashed: Duration,
    /// When the last part was sent, before the upload was completed.
    sent: Duration,
}

/// The child's part, as `upload PREFIX FILE` or `check PREFIX SHA256 BYTES` in the bucket
/// `args[2]`: does it once, then prints the peak resident memory before and after as
/// `vmhwm_kib BEFORE AFTER` (and, for an upload, `sha256 HASH`).
fn child() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let port = port();
    match args.as_slice() {
        [_, mode, bucket, prefix, file] if mode == "upload" => {
            let vault = S3Vault::open(location(port, bucket, prefix), credentials())?;
            let before = vm_hwm_kib()?;
            let uploaded =
                vault.upload(Path::new(file), &AtomicBool::new(false), &mut |_, _| {})?;
            let after = vm_hwm_kib()?;
            println!("vmhwm_kib {before} {after}");
            println!("sha256 {}", uploaded.sha256);
        }
        [_, mode, bucket, prefix, sha256, bytes] if mode == "check" => {
            let bytes = bytes.parse().context("the size is not a number")?;
            let vault = S3Vault::open(location(port, bucket, prefix), credentials())?;
            let before = vm_hwm_kib()?;
            let outcome = vault.check(sha256, Some(bytes))?;
            let after = vm_hwm_kib()?;
            if outcome != BlobCheck::Intact {
                bail!("the object does not read back intact: {outcome:?}");
            }
            println!("vmhwm_kib {before} {after}");
        }
        _ => bail!(
            "usage: {CHILD_ENV}=1 s3 upload BUCKET PREFIX FILE | check BUCKET PREFIX SHA256 BYTES"
        ),
    }
    Ok(())
}

/// Runs the child with `args`; returns its output.
fn run_child(args: &[&str]) -> Result<String> {
    let exe = std::env::current_exe().context("cannot find the bench binary")?;
    let output = Command::new(exe)
        .env(CHILD_ENV, "1")
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run the bench's child")?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!("the bench's child failed ({}): {text}", output.status);
    }
    Ok(text)
}

/// The words after `label` in the child's output.
fn after_label<'a>(text: &'a str, label: &str) -> Vec<&'a str> {
    text.lines()
        .find_map(|line| line.strip_prefix(label))
        .map(|rest| rest.split_whitespace().collect())
        .unwrap_or_default()
}

fn peaks(text: &str) -> Result<(u64, u64)> {
    let numbers: Vec<u64> = after_label(text, "vmhwm_kib ")
        .into_iter()
        .filter_map(|word| word.parse().ok())
        .collect();
    match numbers.as_slice() {
        [before, after] => Ok((*before, *after)),
        _ => bail!("the bench's child printed no peak: {text}"),
    }
}

/// Uploads `file` under `prefix` in a child; returns its peak memory before and after, in
/// KiB, and the object's hash.
fn child_upload_peak(bucket: &str, prefix: &str, file: &Path) -> Result<((u64, u64), String)> {
    let file = file.to_str().context("the scratch path is not UTF-8")?;
    let text = run_child(&["upload", bucket, prefix, file])?;
    let sha256 = match after_label(&text, "sha256 ").as_slice() {
        [hash] => hash.to_string(),
        _ => bail!("the bench's child printed no hash: {text}"),
    };
    Ok((peaks(&text)?, sha256))
}

/// Checks the 1 GiB object under `prefix` in a child; returns its peak memory before and
/// after, in KiB.
fn child_check_peak(bucket: &str, prefix: &str, sha256: &str) -> Result<(u64, u64)> {
    peaks(&run_child(&[
        "check",
        bucket,
        prefix,
        sha256,
        &BIG_BYTES.to_string(),
    ])?)
}

fn vm_hwm_kib() -> Result<u64> {
    let status =
        fs::read_to_string("/proc/self/status").context("cannot read /proc/self/status")?;
    status_kib(&status, "VmHWM:").context("no VmHWM line in /proc/self/status")
}

fn status_kib(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Moto's peak resident memory, when `.ci/servers` left its process id where it can be read.
fn moto_peak_kib() -> Option<u64> {
    let state = std::env::var("LOCKSTEP_TEST_SERVERS")
        .unwrap_or_else(|_| "/tmp/lockstep-servers".to_string());
    let pid = fs::read_to_string(Path::new(&state).join("moto.pid")).ok()?;
    let status = fs::read_to_string(format!("/proc/{}/status", pid.trim())).ok()?;
    status_kib(&status, "VmHWM:")
}

fn port() -> u16 {
    std::env::var(PORT_ENV)
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(DEFAULT_PORT)
}

fn endpoint(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

fn answers(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(500)).is_ok()
}

/// Makes sure the S3 server answers, starting it with `.ci/servers start` once if not.
fn ensure_server(port: u16) -> Result<()> {
    if answers(port) {
        return Ok(());
    }
    println!("the S3 server does not answer on port {port}; starting it with .ci/servers start");
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
        "the S3 server does not answer on 127.0.0.1:{port} and `.ci/servers start` did not start it ({}): {}; start it by hand (see the README) or set {PORT_ENV}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    )
}

/// Moto's version, as its Python package says, or just its name.
fn moto_version() -> String {
    Command::new("python3")
        .args(["-c", "import moto; print(moto.__version__)"])
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| format!("moto {}", String::from_utf8_lossy(&out.stdout).trim()))
        .unwrap_or_else(|| "moto".to_string())
}

fn credentials() -> Credentials {
    Credentials {
        access_key: ACCESS_KEY.into(),
        secret_key: SECRET_KEY.into(),
        session_token: None,
        expires: None,
    }
}

fn location(port: u16, bucket: &str, prefix: &str) -> S3Location {
    S3Location {
        bucket: bucket.to_string(),
        prefix: prefix.to_string(),
        endpoint: Some(endpoint(port)),
        region: REGION.to_string(),
    }
}

/// Deletes an uploaded object, so moto lets its memory go.
fn remove(vault: &S3Vault, sha256: &str) -> Result<()> {
    match vault.purge(sha256)? {
        Purged::Removed | Purged::Absent => Ok(()),
        Purged::Locked(until) => bail!("the bench's bucket is under Object Lock until {until}"),
    }
}

/// curl, silent, failing on an HTTP error, signing for moto as the vault does.
fn curl() -> Command {
    let mut command = Command::new("curl");
    command
        .args(["-s", "-S", "-f", "--aws-sigv4"])
        .arg(format!("aws:amz:{REGION}:s3"))
        .arg("--user")
        .arg(format!("{ACCESS_KEY}:{SECRET_KEY}"));
    command
}

/// A project's key and one of its control ids.
type Target = (i64, String);

/// A new workspace with one project, and a control that takes evidence.
fn fresh_workspace(dir: &Path) -> Result<(Workspace, Target)> {
    let mut ws = Workspace::open(dir)?;
    let project = ws.store.create_project(&NewProject {
        name: "S3 bench".into(),
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

/// Opens a fresh workspace in `dir` (untimed) and times one attach of `file`.
fn timed_attach(dir: &Path, file: &Path) -> Result<Duration> {
    let (mut ws, (project, control_id)) = fresh_workspace(dir)?;
    let options = AttachOptions {
        description: "S3 bench".into(),
        collected_on: NaiveDate::from_ymd_opt(2026, 11, 28).context("bad date")?,
        valid_until: None,
    };
    let cancel = AtomicBool::new(false);
    let start = Instant::now();
    workspace::attach(
        &mut ws.store,
        &ws.vault,
        (project, &control_id),
        file,
        &options,
        &cancel,
        &mut |_| {},
    )?;
    Ok(start.elapsed())
}

fn rate(bytes_per_sec: f64) -> String {
    format!("{:.0} MB/s", bytes_per_sec / 1e6)
}

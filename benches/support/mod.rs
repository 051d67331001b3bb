//! Helpers the file benchmarks share: pseudo-random sources, reading a file into the page
//! cache, syncing between runs, running the peer tools, the machine's SHA-256 speed, peak
//! memory, and printing. Each bench includes it with `#[path = "support/mod.rs"] mod support;`.

#![allow(dead_code)]

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

/// Size of the writes that make a source, and of the in-memory block hashed for sha2's own
/// speed.
pub const BLOCK_BYTES: usize = 8 << 20;
/// How much memory the sha2 speed test hashes per run.
pub const SHA2_BYTES: usize = 1 << 30;
/// Runs of the sha2 speed test; the best counts.
const SHA2_RUNS: usize = 3;

/// Fills a block from a xorshift generator, so no two blocks of the file repeat.
pub fn fill(block: &mut [u8], state: &mut u64) {
    for word in block.chunks_exact_mut(8) {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        word.copy_from_slice(&state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
}

pub fn write_pseudo_random(path: &Path, size_bytes: u64, seed: u64) -> Result<()> {
    let mut file =
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut block = vec![0; BLOCK_BYTES];
    let mut state = seed;
    let mut left = size_bytes;
    while left > 0 {
        let len = left.min(BLOCK_BYTES as u64) as usize;
        fill(&mut block[..len], &mut state);
        file.write_all(&block[..len])
            .with_context(|| format!("cannot write {}", path.display()))?;
        left -= len as u64;
    }
    Ok(())
}

/// Reads a file through once, so the runs after it find it in the page cache.
pub fn read_all(path: &Path) -> Result<u64> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut block = vec![0; BLOCK_BYTES];
    let mut total = 0;
    loop {
        match file.read(&mut block) {
            Ok(0) => return Ok(total),
            Ok(len) => total += len as u64,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}

pub fn keep_best(best: &mut Option<Duration>, time: Duration) {
    *best = Some(best.map_or(time, |best| best.min(time)));
}

pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

pub fn run_tool(command: &mut Command) -> Result<()> {
    let status = command
        .stdout(Stdio::null())
        .status()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed: {status}");
    }
    Ok(())
}

pub fn secs(time: Duration) -> String {
    format!("{:.3} s", time.as_secs_f64())
}

/// SHA-256 bytes per second of the sha2 crate on one core, over an in-memory block: best
/// of three.
pub fn sha2_bytes_per_sec() -> f64 {
    let mut block = vec![0; BLOCK_BYTES];
    fill(&mut block, &mut 0xbeef);
    let mut best = Duration::MAX;
    for _ in 0..SHA2_RUNS {
        let start = Instant::now();
        let mut hasher = Sha256::new();
        for _ in 0..SHA2_BYTES / BLOCK_BYTES {
            hasher.update(&block);
        }
        std::hint::black_box(hasher.finalize());
        best = best.min(start.elapsed());
    }
    SHA2_BYTES as f64 / best.as_secs_f64()
}

/// Flushes the scratch filesystem between runs; without `sync` the runs go on unflushed.
pub fn sync_filesystem(root: &Path) {
    let _ = Command::new("sync")
        .arg("-f")
        .arg(root)
        .stderr(Stdio::null())
        .status();
}

pub fn tool_available(name: &str) -> bool {
    Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// This process's peak resident memory so far, in KiB.
pub fn vm_hwm_kib() -> Result<u64> {
    let status =
        fs::read_to_string("/proc/self/status").context("cannot read /proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM line in /proc/self/status")
}

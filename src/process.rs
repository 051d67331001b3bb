//! Whether another process is still running, for cleaning up after killed ones.
//!
//! Temporary files (a vault file being ingested, an export's partial zip, a writability
//! probe) carry their writer's process id in their names. A file of a process that is gone
//! was left by a kill and can be removed; a file of a live process is still in use.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How long a temporary file is presumed in use where no process table can be read.
const PRESUMED_LIVE_SECS: u64 = 3600;

/// Whether the process `pid`, which wrote `path`, may still be running. On Linux the process
/// table answers; elsewhere a file touched within the hour is presumed in use.
pub fn writer_is_running(pid: u32, path: &Path) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        fs::metadata(path)
            .and_then(|m| m.modified())
            .map(|t| {
                t.elapsed()
                    .map(|age| age.as_secs() < PRESUMED_LIVE_SECS)
                    .unwrap_or(true)
            })
            .unwrap_or(false)
    }
}

/// The hidden name a writer in process `pid` writes `file_name` under before renaming it
/// into place: `.NAME.PID.partial`.
pub fn partial_name(file_name: &str, pid: u32) -> String {
    format!(".{file_name}.{pid}.partial")
}

/// Partial files this process is writing now, so a second writer in the same process
/// (the window) neither removes nor reuses one in use.
static ACTIVE_PARTIALS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A partial file this process is writing; released when dropped.
pub struct Claim(PathBuf);

impl Claim {
    /// Claims `path`, or `None` when another export in this process has it.
    pub fn take(path: &Path) -> Option<Claim> {
        let mut active = ACTIVE_PARTIALS.lock().unwrap_or_else(|p| p.into_inner());
        if active.iter().any(|p| p == path) {
            return None;
        }
        active.push(path.to_path_buf());
        Some(Claim(path.to_path_buf()))
    }

    fn is_active(path: &Path) -> bool {
        let active = ACTIVE_PARTIALS.lock().unwrap_or_else(|p| p.into_inner());
        active.iter().any(|p| p == path)
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut active = ACTIVE_PARTIALS.lock().unwrap_or_else(|p| p.into_inner());
        active.retain(|p| p != &self.0);
    }
}

/// Removes the partial files of writers of `file_name` in `folder` whose process is no
/// longer running: what a killed export leaves behind. Every writer of an output file calls
/// it before writing its own.
pub fn remove_stale_partials(folder: &Path, file_name: &str) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    let prefix = format!(".{file_name}.");
    let own = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".partial"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        let stale = if pid == own {
            !Claim::is_active(&path)
        } else {
            !writer_is_running(pid, &path)
        };
        if stale {
            // Losing this removal is harmless: the writer goes on, and the next one tries
            // again.
            let _ = fs::remove_file(&path);
        }
    }
}

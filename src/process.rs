//! Whether another process is still running, for cleaning up after killed ones.
//!
//! Temporary files (a vault file being ingested, an export's partial zip, a writability
//! probe) carry their writer's process id in their names. A file of a process that is gone
//! was left by a kill and can be removed; a file of a live process is still in use.

use std::fs;
use std::path::Path;

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

//! Where the workspace lives: `--workspace DIR`, else `LOCKSTEP_WORKSPACE`, else the
//! platform's data folder (for example `~/.local/share/lockstep` on Linux).

use std::path::PathBuf;

/// The environment variable that names the workspace folder.
pub const WORKSPACE_ENV: &str = "LOCKSTEP_WORKSPACE";

/// The platform's default workspace folder, or `./lockstep-workspace` when the platform has
/// no home folder to put it in.
pub fn default_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "Lockstep")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("lockstep-workspace"))
}

/// The workspace to use: the one given, else the default.
pub fn resolve(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(default_dir)
}

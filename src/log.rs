//! The workspace's log file, `logs/lockstep.log`: what a user attaches to a support request.
//!
//! It records, through `tracing`, each command the command line runs and each command the
//! window applies (by name, not with what was typed), each background job's start and end,
//! and each error with its full chain. It never records evidence content, file contents or
//! field values. The file is rotated by size: when it passes [`MAX_FILE_BYTES`] it becomes
//! `lockstep.log.1` (the older one `lockstep.log.2`, the oldest is dropped), so the folder
//! never holds more than [`KEPT_FILES`] files of that size. Several processes may write to
//! one workspace at once: each appends whole lines, and a rotation by one only means the
//! other starts a new file a little early.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use thiserror::Error;

/// The folder inside the workspace that holds the log.
pub const LOG_DIR: &str = "logs";
/// The log file's name inside [`LOG_DIR`].
pub const LOG_FILE: &str = "lockstep.log";
/// The size at which the log file is rotated, in bytes.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// How many files the folder keeps: the current one and the rotated ones.
pub const KEPT_FILES: usize = 3;

/// Why the log could not be started.
#[derive(Debug, Error)]
pub enum LogError {
    /// The folder or the file could not be created or opened.
    #[error("cannot open the log file ({source}): {}", path.display())]
    Open {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// A log was already started in this process.
    #[error("the log is already started")]
    AlreadyStarted,
}

/// The folder of the log in a workspace.
pub fn log_dir(workspace: &Path) -> PathBuf {
    workspace.join(LOG_DIR)
}

/// Starts writing the log of the workspace in `workspace`: creates `logs/` when missing and
/// makes it the destination of `tracing` events at level INFO and above for this process.
pub fn init(workspace: &Path) -> Result<(), LogError> {
    let writer = RotatingFile::open(&log_dir(workspace))?;
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_target(false)
        .with_max_level(tracing::Level::INFO)
        .try_init()
        .map_err(|_| LogError::AlreadyStarted)
}

/// A log file that rotates itself by size; cheap to clone, one file shared by the clones.
#[derive(Clone)]
pub struct RotatingFile {
    inner: Arc<Mutex<Current>>,
}

struct Current {
    dir: PathBuf,
    file: File,
    size_bytes: u64,
}

impl RotatingFile {
    /// Opens (or creates) `dir/lockstep.log` for appending, creating `dir` when missing.
    pub fn open(dir: &Path) -> Result<Self, LogError> {
        std::fs::create_dir_all(dir).map_err(|source| LogError::Open {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(LOG_FILE);
        let file = append(&path).map_err(|source| LogError::Open {
            path: path.clone(),
            source,
        })?;
        let size_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(Self {
            inner: Arc::new(Mutex::new(Current {
                dir: dir.to_path_buf(),
                file,
                size_bytes,
            })),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Current> {
        // A thread that panicked while writing leaves at worst a partial line.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

impl Current {
    /// Moves `lockstep.log` to `.1`, `.1` to `.2` and so on, dropping the oldest, and starts
    /// an empty file.
    fn rotate(&mut self) -> io::Result<()> {
        let name = |n: usize| {
            if n == 0 {
                self.dir.join(LOG_FILE)
            } else {
                self.dir.join(format!("{LOG_FILE}.{n}"))
            }
        };
        let oldest = name(KEPT_FILES - 1);
        match std::fs::remove_file(&oldest) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
        for n in (0..KEPT_FILES - 1).rev() {
            match std::fs::rename(name(n), name(n + 1)) {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => return Err(error),
            }
        }
        self.file = append(&name(0))?;
        self.size_bytes = 0;
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut current = self.lock();
        if current.size_bytes > 0 && current.size_bytes + buf.len() as u64 > MAX_FILE_BYTES {
            current.rotate()?;
        }
        current.file.write_all(buf)?;
        current.size_bytes += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.lock().file.flush()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RotatingFile {
    type Writer = RotatingFile;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_rotates_and_keeps_at_most_three_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RotatingFile::open(dir.path()).unwrap();
        let line = vec![b'x'; 64 * 1024];
        for _ in 0..80 {
            log.write_all(&line).unwrap();
        }
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["lockstep.log", "lockstep.log.1", "lockstep.log.2"]);
        for name in names {
            let size = std::fs::metadata(dir.path().join(name)).unwrap().len();
            assert!(size <= MAX_FILE_BYTES);
        }
    }
}

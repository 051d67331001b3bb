//! Findings exports of Amazon Inspector, Security Hub and Systems Manager, read into typed
//! records with per-record problems and no database access.
//!
//! The format is recognised from the content, never the file's name: a JSON object is
//! read by the key that holds its list (`findings`, `Findings`, `Patches`,
//! `ComplianceItems`) or as OCSF when it has a `class_uid` (one record, or the first of
//! one per line); a JSON array is OCSF; anything else must be a CSV whose header names
//! Inspector's columns. Files are streamed: one finding is held at a time, so a 150 MB
//! export is read in a few MB of memory.

mod asff;
mod common;
mod detect;
mod inspector;
mod json;
mod ocsf;
mod record;
pub mod sample;
mod ssm;

use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

pub use record::{FindingFile, FindingFileError, FindingFormat, FindingRecord, RecordProblem};
pub use sample::write_sample_inspector_json;

use detect::Start;

/// The size of the read buffer.
const BUFFER_BYTES: usize = 1 << 20;

/// Reads the findings export at `path`, whatever its name: `asset` names the instance of a
/// Systems Manager patch list (which does not name it), `cancel` stops the reading when
/// set, and `progress` is told the bytes read so far.
pub fn read_findings(
    path: &Path,
    asset: Option<&str>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<FindingFile, FindingFileError> {
    let file = crate::input::open(path).map_err(|reason| FindingFileError::Unreadable {
        path: path.to_path_buf(),
        reason,
    })?;
    read_from(file, path, asset, cancel, progress)
}

/// Reads a findings export held in memory, as [`read_findings`] does; messages name it
/// `<memory>`.
pub fn parse_findings(bytes: &[u8], asset: Option<&str>) -> Result<FindingFile, FindingFileError> {
    let cancel = AtomicBool::new(false);
    read_from(bytes, Path::new("<memory>"), asset, &cancel, &mut |_| {})
}

fn read_from<R: Read>(
    source: R,
    path: &Path,
    asset: Option<&str>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<FindingFile, FindingFileError> {
    let counting = Counting {
        inner: source,
        read: 0,
        progress,
        cancel,
    };
    let mut reader = BufReader::with_capacity(BUFFER_BYTES, counting);
    let start = detect::start(&mut reader).map_err(|reason| unreadable(reason, path, cancel))?;
    match start {
        Start::Empty => Err(detect::unknown("an empty file", path)),
        Start::NotText(why) => Err(detect::unknown(why, path)),
        Start::Object => json::read(reader, false, path, asset, cancel),
        Start::Array => json::read(reader, true, path, asset, cancel),
        Start::Text => inspector::read_csv(reader, path, cancel),
    }
}

/// The error of a failed read: cancelled when the reader was stopped.
fn unreadable(reason: io::Error, path: &Path, cancel: &AtomicBool) -> FindingFileError {
    if cancel.load(Ordering::Relaxed) {
        FindingFileError::Cancelled
    } else {
        FindingFileError::Unreadable {
            path: path.to_path_buf(),
            reason,
        }
    }
}

/// Counts the bytes read, tells `progress`, and stops once `cancel` is set.
struct Counting<'a, R> {
    inner: R,
    read: u64,
    progress: &'a mut dyn FnMut(u64),
    cancel: &'a AtomicBool,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.read += n as u64;
            (self.progress)(self.read);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests;

//! Opening and reading the files a person names: an import, a key, a signers list, a file to
//! attach.
//!
//! Every such file is a regular file, and nothing else is opened. A named pipe blocks its
//! reader until some writer appears, and a device such as `/dev/zero` never ends, so either
//! would hang a command or fill its memory. The path is looked at before it is opened, the
//! file is opened without blocking (a pipe put in its place between the two steps cannot
//! hang the open), and the open file is looked at again, so what is read is the regular file
//! that was checked. Reads stop at a bound the caller gives, and a file that grows past it
//! while being read is refused all the same.
//!
//! Errors are `io::Error`s whose message is the reason in words ("it is a named pipe, not a
//! regular file"), so each caller's own error names the file and keeps its shape.

pub mod csv;
pub mod xlsx;

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// What a path is, in words, when it is not a regular file.
fn not_regular(meta: &Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("it is a folder, not a file");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return Some("it is a named pipe, not a regular file");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("it is a device, not a regular file");
        }
        if kind.is_socket() {
            return Some("it is a socket, not a regular file");
        }
    }
    Some("it is not a regular file")
}

fn refusal(reason: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, reason)
}

/// Checks that `path` names a regular file (following links), without opening it.
pub fn check_regular(path: &Path) -> io::Result<Metadata> {
    let meta = std::fs::metadata(path)?;
    match not_regular(&meta) {
        Some(reason) => Err(refusal(reason)),
        None => Ok(meta),
    }
}

/// Opens the regular file at `path` for reading; anything else is refused without
/// blocking.
pub fn open(path: &Path) -> io::Result<File> {
    check_regular(path)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // A pipe swapped in after the check must not block the open. Reads from a regular
        // file are never affected by the flag.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    match not_regular(&file.metadata()?) {
        Some(reason) => Err(refusal(reason)),
        None => Ok(file),
    }
}

/// Reads the whole regular file at `path`, refusing one larger than `limit_bytes` before
/// reading it (and again if it grows while read).
pub fn read(path: &Path, limit_bytes: u64) -> io::Result<Vec<u8>> {
    let file = open(path)?;
    let size_bytes = file.metadata()?.len();
    if size_bytes > limit_bytes {
        return Err(too_large(limit_bytes));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size_bytes).unwrap_or(0));
    file.take(limit_bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit_bytes {
        return Err(too_large(limit_bytes));
    }
    Ok(bytes)
}

fn too_large(limit_bytes: u64) -> io::Error {
    let limit = if limit_bytes >= 1024 * 1024 {
        format!("{} MB", limit_bytes / (1024 * 1024))
    } else {
        format!("{} KB", limit_bytes.div_ceil(1024))
    };
    refusal(&format!(
        "it is larger than {limit}, the most Lockstep reads for it"
    ))
}

/// The most read of a spreadsheet or CSV file given for import.
pub const MAX_TABLE_BYTES: u64 = 256 * 1024 * 1024;
/// The most read of a small text file: a key, an allowed_signers list, settings.
pub const MAX_SMALL_BYTES: u64 = 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_reads_and_a_folder_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.csv");
        std::fs::write(&file, b"abc").unwrap();
        assert_eq!(read(&file, 10).unwrap(), b"abc");
        let error = read(dir.path(), 10).unwrap_err();
        assert_eq!(error.to_string(), "it is a folder, not a file");
        let error = read(&file, 2).unwrap_err();
        assert!(error.to_string().contains("larger than 1 KB"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_before_it_is_read() {
        let error = read(Path::new("/dev/zero"), u64::MAX - 1).unwrap_err();
        assert_eq!(error.to_string(), "it is a device, not a regular file");
    }
}

//! Copying a file's bytes at the disk's speed while hashing every byte written.
//!
//! A plain `cp` does not move a file's bytes through its own memory: on Linux it asks the
//! kernel to copy (`copy_file_range`), which moves page-cache pages from one file to the
//! other, and where the file system shares blocks (Btrfs, XFS, bcachefs) a reflink makes
//! the copy nearly free. Reading and writing through the process's buffers, as the
//! portable path does, costs two extra passes over memory for every byte, and on a fast
//! disk that alone is the difference between the disk's speed and less.
//!
//! Here the kernel copies, on a thread of its own, and the calling thread reads the copy
//! back from the *destination* and hashes it (SHA-256, and CRC-32 for a zip entry) as the
//! copy goes. The destination's pages have just been written, so they are in the page
//! cache: the read back costs a memory copy, not a disk read, and the source is still
//! read only once, by the kernel. Hashing the destination rather than the source is also
//! the stronger guarantee: the digests are those of the bytes the destination holds once
//! the copy is done, so they match what is stored even when the source changes under the
//! copy (its size is checked by the callers, as on the portable path), and the caller's
//! sync then makes those same pages durable. What no hash made in memory can see, on
//! either path, is the disk corrupting the pages on their way down.
//!
//! The method is chosen at run time, per file: a reflink (`FICLONE`) when the destination
//! is a whole new file, then `copy_file_range`, then the portable path, each falling to the
//! next when the kernel says it cannot copy between these two files (another file system,
//! an old kernel, a container that forbids the call) before anything is copied. Other
//! platforms use the portable path: macOS's `clonefile` and Windows' block cloning on ReFS
//! would be the equivalents there.
//!
//! The hash reads the copy through a small read-only mapping of the destination, a few MiB
//! at a time, so the page cache is hashed where it lies; where mapping fails, through a
//! buffer of [`CHUNK_BYTES`](super::CHUNK_BYTES). The kernel's copy is in the page cache,
//! which the kernel reclaims as for `cp`.

use std::fs::File;
use std::io;
use std::sync::atomic::AtomicBool;

/// How a file's bytes are copied into the vault or into a pack.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CopyMethod {
    /// The fastest the platform and the file systems allow, chosen at run time for each
    /// file: on Linux a reflink where the file system shares blocks, else the kernel's
    /// `copy_file_range`, else the portable path.
    #[default]
    Fastest,
    /// Read and write through this process's buffers, hashing them on a second thread:
    /// what every platform and file system can do. Tests use it to check that both paths
    /// store the same bytes under the same hash.
    Portable,
}

/// How the kernel copied a file.
// Only Linux builds a kernel copy; elsewhere the portable path is all there is.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KernelMethod {
    /// The destination shares the source's blocks (`FICLONE`).
    Reflink,
    /// The kernel copied the bytes (`copy_file_range`).
    CopyFileRange,
}

/// What a kernel copy wrote, with the digests of the destination's bytes.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KernelCopied {
    /// Bytes copied: the source's size, or one more than `expected` when it has more.
    pub bytes: u64,
    /// SHA-256 of the bytes as the destination holds them.
    pub sha256: [u8; 32],
    /// CRC-32 of the same bytes, as a zip entry records it.
    pub crc32: u32,
    /// How the kernel copied.
    pub method: KernelMethod,
}

/// Why a kernel copy stopped.
#[derive(Debug)]
pub(crate) enum KernelCopyError {
    /// The kernel cannot copy between these two files, and nothing was copied: the caller
    /// takes the portable path.
    Unsupported,
    /// The cancel flag was set.
    Cancelled,
    /// Reading the source failed.
    Read(io::Error),
    /// Writing the destination, or reading it back, failed.
    Write(io::Error),
}

/// Copies `input` from its start into `output` at `out_offset`, letting the kernel copy
/// while this thread hashes the destination from the page cache (see the module's doc).
///
/// At most `expected + 1` bytes are copied, so a source that grew shows as one byte too
/// many without copying the growth. `clone` allows a reflink, which replaces the whole of
/// `output` and so is only for a new, empty file with `out_offset` 0. `output` must be
/// open for reading as well as writing. `progress` is told the bytes hashed since its last
/// call; setting `cancel` stops the copy.
#[cfg(target_os = "linux")]
pub(crate) fn kernel_copy(
    input: &File,
    output: &File,
    out_offset: u64,
    expected: u64,
    clone: bool,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<KernelCopied, KernelCopyError> {
    linux::kernel_copy(input, output, out_offset, expected, clone, cancel, progress)
}

/// Copies `input` into `output` with the kernel; on this platform it never can, so the
/// caller always takes the portable path.
#[cfg(not(target_os = "linux"))]
pub(crate) fn kernel_copy(
    _input: &File,
    _output: &File,
    _out_offset: u64,
    _expected: u64,
    _clone: bool,
    _cancel: &AtomicBool,
    _progress: &mut dyn FnMut(u64),
) -> Result<KernelCopied, KernelCopyError> {
    Err(KernelCopyError::Unsupported)
}

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::File;
    use std::io;
    use std::os::unix::fs::FileExt;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;
    use std::thread;

    use rustix::io::Errno;
    use sha2::{Digest, Sha256};

    use super::{KernelCopied, KernelCopyError, KernelMethod};
    use crate::vault::CHUNK_BYTES;

    /// Bytes the kernel copies in one call. Large enough that the calls cost nothing,
    /// small enough that cancelling is prompt and the hash follows the copy closely.
    const COPY_BYTES: u64 = 8 << 20;

    /// Bytes of the destination mapped at once to be hashed. Hashing the page cache
    /// through a mapping spares a copy of every byte into a buffer, which on a fast disk is
    /// the difference between the hash keeping up with the copy and not. The mapped pages
    /// count in the process's resident memory while mapped, so the window is small.
    const MAP_BYTES: u64 = 4 << 20;

    /// A read-only mapping of part of a file, unmapped when dropped.
    struct Mapping {
        start: *mut std::ffi::c_void,
        len: usize,
        /// Bytes before the part asked for, since a mapping starts on a page.
        skip: usize,
    }

    impl Mapping {
        /// Maps `len` bytes of `file` from `offset`, with their pages already in place.
        fn new(file: &File, offset: u64, len: usize) -> io::Result<Mapping> {
            let page = rustix::param::page_size() as u64;
            let skip = offset % page;
            let mapped = len + skip as usize;
            // SAFETY: a new mapping, placed by the kernel, read only, of a file that only
            // this process writes and nobody shortens while it is mapped (a vault's
            // temporary file or a pack's partial file, both created here), so the slice
            // `bytes` gives never refers to memory that goes away or to a page past the end.
            let start = unsafe {
                rustix::mm::mmap(
                    std::ptr::null_mut(),
                    mapped,
                    rustix::mm::ProtFlags::READ,
                    rustix::mm::MapFlags::SHARED | rustix::mm::MapFlags::POPULATE,
                    file,
                    offset - skip,
                )
            }?;
            Ok(Mapping {
                start,
                len: mapped,
                skip: skip as usize,
            })
        }

        fn bytes(&self) -> &[u8] {
            // SAFETY: the mapping is `len` readable bytes from `start` until dropped.
            let all = unsafe { std::slice::from_raw_parts(self.start.cast::<u8>(), self.len) };
            &all[self.skip..]
        }
    }

    impl Drop for Mapping {
        fn drop(&mut self) {
            // SAFETY: `start` and `len` are the mapping's, and no slice of it outlives it.
            // An unmap that fails leaves address space used, nothing else.
            let _ = unsafe { rustix::mm::munmap(self.start, self.len) };
        }
    }

    /// How far the copying thread got, or how it ended.
    type Copied = Result<KernelMethod, KernelCopyError>;

    pub(super) fn kernel_copy(
        input: &File,
        output: &File,
        out_offset: u64,
        expected: u64,
        clone: bool,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<KernelCopied, KernelCopyError> {
        // Set by the hashing side when it stops early, so the copy stops too.
        let stop = AtomicBool::new(false);
        let (to_hasher, copied_to) = mpsc::channel::<u64>();
        thread::scope(|scope| {
            let copier = thread::Builder::new()
                .name("vault-kernel-copy".into())
                .spawn_scoped(scope, || {
                    copy(
                        input, output, out_offset, expected, clone, cancel, &stop, to_hasher,
                    )
                })
                .map_err(|_| KernelCopyError::Unsupported)?;
            let mut hasher = Hasher::new(output, out_offset, cancel, progress);
            let hashing = hasher.follow(&copied_to);
            if hashing.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            // Dropping the receiver also stops a copier waiting to report.
            drop(copied_to);
            let copied = copier.join().unwrap_or_else(|_| {
                Err(KernelCopyError::Write(io::Error::other(
                    "the copying thread failed",
                )))
            });
            // A copy error explains a stopped hash better than the hash's own error.
            let method = match (copied, hashing) {
                (Err(error), _) => return Err(error),
                (Ok(_), Err(error)) => return Err(error),
                (Ok(method), Ok(())) => method,
            };
            Ok(hasher.finish(method))
        })
    }

    /// The hashing side of a kernel copy: it follows the copy, hashing the destination's
    /// bytes as the copying thread reports them written.
    struct Hasher<'a> {
        output: &'a File,
        out_offset: u64,
        digests: Digests<'a>,
        /// Bytes hashed, from `out_offset`.
        hashed: u64,
        /// For reading the destination where it cannot be mapped; empty until then.
        buffer: Vec<u8>,
    }

    /// The digests, with what every chunk hashed must heed and tell.
    struct Digests<'a> {
        sha256: Sha256,
        crc32: crc32fast::Hasher,
        cancel: &'a AtomicBool,
        progress: &'a mut dyn FnMut(u64),
    }

    impl Digests<'_> {
        /// Hashes one chunk, unless the copy was cancelled.
        #[inline]
        fn update(&mut self, chunk: &[u8]) -> Result<(), KernelCopyError> {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(KernelCopyError::Cancelled);
            }
            self.sha256.update(chunk);
            self.crc32.update(chunk);
            (self.progress)(chunk.len() as u64);
            Ok(())
        }
    }

    impl<'a> Hasher<'a> {
        fn new(
            output: &'a File,
            out_offset: u64,
            cancel: &'a AtomicBool,
            progress: &'a mut dyn FnMut(u64),
        ) -> Self {
            Hasher {
                output,
                out_offset,
                digests: Digests {
                    sha256: Sha256::new(),
                    crc32: crc32fast::Hasher::new(),
                    cancel,
                    progress,
                },
                hashed: 0,
                buffer: Vec::new(),
            }
        }

        /// Hashes up to each end the copying thread reports, until it stops reporting.
        fn follow(&mut self, copied_to: &mpsc::Receiver<u64>) -> Result<(), KernelCopyError> {
            for end in copied_to.iter() {
                while self.hashed < end {
                    let len = (end - self.hashed).min(MAP_BYTES) as usize;
                    let at = self.out_offset + self.hashed;
                    if let Ok(mapping) = Mapping::new(self.output, at, len) {
                        mapping
                            .bytes()
                            .chunks(CHUNK_BYTES)
                            .try_for_each(|chunk| self.digests.update(chunk))?;
                    } else {
                        self.hash_read(at, len)?;
                    }
                    self.hashed += len as u64;
                }
            }
            Ok(())
        }

        /// Without a mapping, the same bytes through a buffer.
        fn hash_read(&mut self, at: u64, len: usize) -> Result<(), KernelCopyError> {
            self.buffer.resize(CHUNK_BYTES, 0);
            let mut done = 0;
            while done < len {
                let chunk = &mut self.buffer[..(len - done).min(CHUNK_BYTES)];
                self.output
                    .read_exact_at(chunk, at + done as u64)
                    .map_err(KernelCopyError::Write)?;
                self.digests.update(chunk)?;
                done += chunk.len();
            }
            Ok(())
        }

        /// What the copy wrote, once both sides are done.
        fn finish(self, method: KernelMethod) -> KernelCopied {
            KernelCopied {
                bytes: self.hashed,
                sha256: self.digests.sha256.finalize().into(),
                crc32: self.digests.crc32.finalize(),
                method,
            }
        }
    }

    /// The copying thread: a reflink when allowed and possible, else `copy_file_range` in
    /// steps, sending the destination's end (relative to `out_offset`) after each.
    #[allow(clippy::too_many_arguments)]
    fn copy(
        input: &File,
        output: &File,
        out_offset: u64,
        expected: u64,
        clone: bool,
        cancel: &AtomicBool,
        stop: &AtomicBool,
        to_hasher: mpsc::Sender<u64>,
    ) -> Copied {
        if clone && out_offset == 0 {
            match rustix::fs::ioctl_ficlone(output, input) {
                Ok(()) => {
                    let bytes = output
                        .metadata()
                        .map_err(KernelCopyError::Write)?
                        .len()
                        .min(expected + 1);
                    // A closed channel means the hashing side stopped, and says why.
                    let _ = to_hasher.send(bytes);
                    return Ok(KernelMethod::Reflink);
                }
                Err(_) => {
                    // Whatever the reason, a reflink changed nothing or is undone here, and
                    // the copy below decides whether the kernel can copy at all.
                    let empty = output.metadata().map(|m| m.len() == 0).unwrap_or(false);
                    if !empty {
                        output.set_len(0).map_err(KernelCopyError::Write)?;
                    }
                }
            }
        }
        let limit = expected.saturating_add(1);
        let (mut read_at, mut write_at) = (0u64, out_offset);
        while read_at < limit {
            if cancel.load(Ordering::Relaxed) {
                return Err(KernelCopyError::Cancelled);
            }
            if stop.load(Ordering::Relaxed) {
                // The hashing side has the error to report.
                return Ok(KernelMethod::CopyFileRange);
            }
            let want = (limit - read_at).min(COPY_BYTES) as usize;
            match rustix::fs::copy_file_range(
                input,
                Some(&mut read_at),
                output,
                Some(&mut write_at),
                want,
            ) {
                // At the very start, nothing copied from a file whose size said otherwise
                // is a file system that cannot copy this way (some report sizes they do
                // not have); later, it is the end of the file.
                Ok(0) if read_at == 0 => return Err(KernelCopyError::Unsupported),
                Ok(0) => break,
                Ok(_) => {
                    if to_hasher.send(read_at).is_err() {
                        return Ok(KernelMethod::CopyFileRange);
                    }
                }
                Err(Errno::INTR) => continue,
                Err(errno) if read_at == 0 && cannot_copy(errno) => {
                    return Err(KernelCopyError::Unsupported);
                }
                Err(errno) => return Err(classify(input, read_at, errno)),
            }
        }
        Ok(KernelMethod::CopyFileRange)
    }

    /// Errors by which the kernel says it cannot copy between these files at all.
    fn cannot_copy(errno: Errno) -> bool {
        // EXDEV: two file systems the kernel will not copy across; EOPNOTSUPP and EINVAL:
        // a file system without the call; ENOSYS: a kernel before 4.5; EPERM: a container
        // whose seccomp profile refuses calls it does not know.
        [
            Errno::XDEV,
            Errno::OPNOTSUPP,
            Errno::INVAL,
            Errno::NOSYS,
            Errno::PERM,
        ]
        .contains(&errno)
    }

    /// A failed copy is the source's fault when reading it fails too, else the
    /// destination's (a full disk, a device error on the way down).
    fn classify(input: &File, at: u64, errno: Errno) -> KernelCopyError {
        let error = io::Error::from(errno);
        let mut probe = [0u8; 1];
        match input.read_at(&mut probe, at) {
            Err(read) => KernelCopyError::Read(read),
            Ok(_) => KernelCopyError::Write(error),
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::fs::{self, File, OpenOptions};
    use std::sync::atomic::{AtomicBool, Ordering};

    use sha2::{Digest, Sha256};

    use super::*;

    /// Bytes that do not repeat, so a misplaced chunk changes the hash.
    fn content(len: usize) -> Vec<u8> {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect()
    }

    fn read_write(path: &std::path::Path) -> File {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .unwrap()
    }

    #[test]
    fn a_kernel_copy_at_an_offset_holds_the_source_and_its_digests() {
        let dir = tempfile::tempdir().unwrap();
        // Several copy steps and an odd tail, behind a header of odd length.
        let bytes = content((17 << 20) + 12_345);
        fs::write(dir.path().join("source"), &bytes).unwrap();
        let header = b"a zip entry's local header";
        fs::write(dir.path().join("pack"), header).unwrap();
        let input = File::open(dir.path().join("source")).unwrap();
        let output = read_write(&dir.path().join("pack"));
        let mut reported = 0;
        let copied = kernel_copy(
            &input,
            &output,
            header.len() as u64,
            bytes.len() as u64,
            false,
            &AtomicBool::new(false),
            &mut |len| reported += len,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(copied.bytes, bytes.len() as u64);
        assert_eq!(reported, copied.bytes);
        assert_eq!(copied.method, KernelMethod::CopyFileRange);
        assert_eq!(copied.sha256, <[u8; 32]>::from(Sha256::digest(&bytes)));
        assert_eq!(copied.crc32, crc32fast::hash(&bytes));
        let written = fs::read(dir.path().join("pack")).unwrap();
        assert_eq!(&written[..header.len()], header);
        assert_eq!(&written[header.len()..], &bytes[..]);
    }

    #[test]
    fn a_whole_file_copy_may_reflink_and_holds_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = content((3 << 20) + 1);
        fs::write(dir.path().join("source"), &bytes).unwrap();
        let input = File::open(dir.path().join("source")).unwrap();
        let output = read_write(&dir.path().join("copy"));
        let copied = kernel_copy(
            &input,
            &output,
            0,
            bytes.len() as u64,
            true,
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        // Which one depends on the file system the temporary folder is on.
        println!("copied by {:?}", copied.method);
        assert_eq!(copied.bytes, bytes.len() as u64);
        assert_eq!(copied.sha256, <[u8; 32]>::from(Sha256::digest(&bytes)));
        assert_eq!(fs::read(dir.path().join("copy")).unwrap(), bytes);
    }

    #[test]
    fn a_source_longer_than_expected_shows_one_byte_more_and_no_further() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = content(1 << 20);
        fs::write(dir.path().join("source"), &bytes).unwrap();
        let input = File::open(dir.path().join("source")).unwrap();
        let output = read_write(&dir.path().join("copy"));
        let expected = bytes.len() as u64 - 100;
        let copied = kernel_copy(
            &input,
            &output,
            0,
            expected,
            false,
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(copied.bytes, expected + 1);
        assert_eq!(output.metadata().unwrap().len(), expected + 1);
    }

    #[test]
    fn a_cancelled_kernel_copy_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = content(4 << 20);
        fs::write(dir.path().join("source"), &bytes).unwrap();
        let input = File::open(dir.path().join("source")).unwrap();
        let output = read_write(&dir.path().join("copy"));
        let cancel = AtomicBool::new(false);
        let copied = kernel_copy(
            &input,
            &output,
            0,
            bytes.len() as u64,
            false,
            &cancel,
            &mut |_| cancel.store(true, Ordering::Relaxed),
        );
        assert!(
            matches!(copied, Err(KernelCopyError::Cancelled)),
            "{copied:?}"
        );
    }

    #[test]
    fn a_source_the_kernel_cannot_copy_leaves_the_destination_untouched() {
        // procfs reports sizes it does not have and is another file system: the kernel
        // either refuses the copy across file systems or copies nothing.
        let dir = tempfile::tempdir().unwrap();
        let input = File::open("/proc/self/status").unwrap();
        let output = read_write(&dir.path().join("copy"));
        let copied = kernel_copy(
            &input,
            &output,
            0,
            100,
            true,
            &AtomicBool::new(false),
            &mut |_| {},
        );
        assert!(
            matches!(copied, Err(KernelCopyError::Unsupported)),
            "{copied:?}"
        );
        assert_eq!(output.metadata().unwrap().len(), 0);
    }
}

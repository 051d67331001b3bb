//! Faults a user can cause, run against the real binary: a process killed at a random
//! moment of an ingest or an export, a full disk under an export, and a database whose
//! recorded hashes were damaged or edited by hand (issue 8).
//!
//! The kill trials draw their sizes and delays from a small generator seeded from the
//! clock; the seed is printed, and `LOCKSTEP_FAULT_SEED` replays a run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{Run, binary, listing, lockstep, raw, workspace};

const PROJECT: &str = "Payments platform";
const CONTROL: &str = "SRM-AWS-PE-01";
const MIB: usize = 1 << 20;
/// Kill trials per kind of command.
const TRIALS: usize = 20;

/// A xorshift generator: enough to spread sizes and delays, and replayable.
struct Rng(u64);

impl Rng {
    fn seeded(test: &str) -> Rng {
        let seed = std::env::var("LOCKSTEP_FAULT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        println!("{test}: LOCKSTEP_FAULT_SEED={seed}");
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `low..high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low).max(1)
    }
}

/// Writes `size` bytes that no other call with a different `tag` writes.
fn write_source(path: &Path, size: usize, tag: u64) -> PathBuf {
    let mut rng = Rng(tag.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let block: Vec<u8> = (0..64 * 1024).map(|_| rng.next() as u8).collect();
    let mut content = Vec::with_capacity(size);
    content.extend_from_slice(format!("source {tag}\n").as_bytes());
    while content.len() < size {
        let take = block.len().min(size - content.len());
        content.extend_from_slice(&block[..take]);
    }
    fs::write(path, &content).unwrap();
    path.to_path_buf()
}

fn ok(run: Run) -> Run {
    assert_eq!(run.code, 0, "{run:?}");
    run
}

fn create_project(dir: &Path) {
    ok(lockstep(
        dir,
        &["project", "create", PROJECT, "--services", "ec2,s3"],
    ));
}

fn spawn(dir: &Path, args: &[&str]) -> Child {
    binary()
        .arg("--workspace")
        .arg(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Kills `child` with SIGKILL once `delay` has passed (or lets it end first), and reaps it
/// so the next open sees its process gone. Returns whether it was still running.
fn kill_after(mut child: Child, delay: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < delay {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        thread::sleep(Duration::from_micros(300));
    }
    let running = child.try_wait().unwrap().is_none();
    // It may have ended between the check and the kill; the wait reaps it either way.
    let _ = child.kill();
    child.wait().unwrap();
    running
}

fn tmp_dir(dir: &Path) -> PathBuf {
    dir.join("vault").join("tmp")
}

/// What a user checks after a crash: `verify` is clean, SQLite finds the database sound,
/// and the open `verify` made left nothing of dead processes in the vault's temporary
/// folder (no Lockstep process is running now).
fn assert_sound(dir: &Path, trial: &str) {
    let verify = lockstep(dir, &["verify"]);
    assert_eq!(verify.code, 0, "{trial}: {verify:?}");
    let integrity: String = raw(dir)
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "{trial}");
    assert_eq!(listing(&tmp_dir(dir)), Vec::<String>::new(), "{trial}");
}

fn partials_beside(target: &Path) -> Vec<String> {
    let name = target.file_name().unwrap().to_string_lossy().to_string();
    listing(target.parent().unwrap())
        .into_iter()
        .filter(|n| n.starts_with(&format!(".{name}.")) && n.ends_with(".partial"))
        .collect()
}

#[test]
fn an_evidence_add_killed_at_a_random_moment_leaves_a_sound_workspace() {
    let mut rng = Rng::seeded("evidence add");
    let sources = tempfile::tempdir().unwrap();
    let (_tmp, dir) = workspace();
    create_project(&dir);
    // An uncut run places the kills: most land inside an ingest, a few after it.
    let probe = write_source(&sources.path().join("probe.bin"), 24 * MIB, 0);
    let started = Instant::now();
    ok(lockstep(
        &dir,
        &[
            "evidence",
            "add",
            "--project",
            PROJECT,
            "--control",
            CONTROL,
            probe.to_str().unwrap(),
        ],
    ));
    let full = started.elapsed();
    let mut landed_mid_ingest = 0;
    for trial in 1..=TRIALS {
        let size = rng.between(2 * MIB as u64, 24 * MIB as u64) as usize;
        let source = write_source(
            &sources.path().join(format!("scan-{trial}.bin")),
            size,
            trial as u64,
        );
        let delay =
            full.mul_f64(rng.between(0, 1200) as f64 / 1000.0 * size as f64 / (24 * MIB) as f64);
        let child = spawn(
            &dir,
            &[
                "evidence",
                "add",
                "--project",
                PROJECT,
                "--control",
                CONTROL,
                source.to_str().unwrap(),
            ],
        );
        kill_after(child, delay);
        if !listing(&tmp_dir(&dir)).is_empty() {
            landed_mid_ingest += 1;
        }
        assert_sound(
            &dir,
            &format!("trial {trial}: {size} bytes, killed after {delay:?}"),
        );
    }
    println!(
        "uncut ingest took {full:?}; {landed_mid_ingest} of {TRIALS} kills left files in vault/tmp"
    );
    assert!(landed_mid_ingest > 0, "no kill landed inside an ingest");
}

#[test]
fn an_export_killed_at_a_random_moment_leaves_no_partial_file_after_the_next_export() {
    let mut rng = Rng::seeded("export");
    let sources = tempfile::tempdir().unwrap();
    let (tmp, dir) = workspace();
    create_project(&dir);
    for (n, size) in [3 * MIB, 9 * MIB].into_iter().enumerate() {
        let source = write_source(
            &sources.path().join(format!("config-{n}.bin")),
            size,
            100 + n as u64,
        );
        ok(lockstep(
            &dir,
            &[
                "evidence",
                "add",
                "--project",
                PROJECT,
                "--control",
                CONTROL,
                source.to_str().unwrap(),
            ],
        ));
    }
    let target = tmp.path().join("pack.zip");
    let export = [
        "export",
        "--project",
        PROJECT,
        "--out",
        target.to_str().unwrap(),
        "--force",
    ];
    let started = Instant::now();
    ok(lockstep(&dir, &export));
    let full = started.elapsed();
    let mut left_partial = 0;
    for trial in 1..=TRIALS {
        let delay = full.mul_f64(rng.between(0, 1100) as f64 / 1000.0);
        kill_after(spawn(&dir, &export), delay);
        if !partials_beside(&target).is_empty() {
            left_partial += 1;
        }
        let context = format!("trial {trial}: killed after {delay:?}");
        assert_sound(&dir, &context);
        ok(lockstep(&dir, &export));
        assert_eq!(partials_beside(&target), Vec::<String>::new(), "{context}");
        ok(lockstep(&dir, &["verify-pack", target.to_str().unwrap()]));
    }
    println!("uncut export took {full:?}; {left_partial} of {TRIALS} kills left a partial file");
    assert!(left_partial > 0, "no kill landed inside an export");
}

/// Mounts a 2 MiB tmpfs at `dir`, or says why not.
fn mount_tiny_disk(dir: &Path) -> Result<(), String> {
    let output = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(dir)
        .output()
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

#[test]
fn an_export_onto_a_full_disk_says_so_in_one_sentence_and_leaves_nothing() {
    let sources = tempfile::tempdir().unwrap();
    let (tmp, dir) = workspace();
    create_project(&dir);
    let source = write_source(&sources.path().join("inventory.bin"), 3 * MIB, 7);
    ok(lockstep(
        &dir,
        &[
            "evidence",
            "add",
            "--project",
            PROJECT,
            "--control",
            CONTROL,
            source.to_str().unwrap(),
        ],
    ));
    let disk = tmp.path().join("tiny");
    fs::create_dir(&disk).unwrap();
    if let Err(why) = mount_tiny_disk(&disk) {
        println!("skipped: cannot mount a tiny disk to fill ({why})");
        return;
    }
    let target = disk.join("pack.zip");
    let run = lockstep(
        &dir,
        &[
            "export",
            "--project",
            PROJECT,
            "--out",
            target.to_str().unwrap(),
        ],
    );
    let left = listing(&disk);
    let unmounted = std::process::Command::new("umount").arg(&disk).status();
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr,
        format!(
            "lockstep: cannot write the evidence pack: the disk is full: {}\n",
            target.display()
        )
    );
    assert_eq!(left, Vec::<String>::new());
    assert!(unmounted.unwrap().success());
}

/// The hashes a damaged or hand-edited database might hold.
const HOSTILE_HASHES: [&str; 3] = [
    "ab",
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    "../../x",
];

/// A workspace with an evidence row, a training certificate and a patch's evidence whose
/// recorded hashes are all `hash`.
fn workspace_with_hostile_hash(hash: &str) -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = workspace();
    create_project(&dir);
    let file = |name: &str, text: &str| {
        let path = tmp.path().join(name);
        fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let scan = file("iam-report.csv", "user,mfa\nada,yes\n");
    let certificate = file("certificate.pdf", "%PDF-1.4 certificate");
    let ticket = file("change-ticket.txt", "CHG-1 applied");
    ok(lockstep(
        &dir,
        &[
            "evidence",
            "add",
            "--project",
            PROJECT,
            "--control",
            CONTROL,
            &scan,
        ],
    ));
    ok(lockstep(
        &dir,
        &[
            "person",
            "add",
            "Ada Lovelace",
            "--email",
            "ada@example.com",
        ],
    ));
    ok(lockstep(
        &dir,
        &["course", "add", "Security awareness", "--every-days", "365"],
    ));
    ok(lockstep(
        &dir,
        &[
            "training",
            "record",
            "--email",
            "ada@example.com",
            "--course",
            "Security awareness",
            "--completed",
            "2026-11-01",
            "--certificate",
            &certificate,
        ],
    ));
    ok(lockstep(
        &dir,
        &[
            "asset",
            "add",
            "--project",
            PROJECT,
            "--kind",
            "instance",
            "--managed-by",
            "customer",
            "web-1",
        ],
    ));
    ok(lockstep(
        &dir,
        &[
            "patch",
            "record",
            "--project",
            PROJECT,
            "--asset",
            "web-1",
            "--advisory",
            "CVE-2026-0001",
            "--severity",
            "high",
            "--released",
            "2026-11-01",
            "--applied",
            "2026-11-05",
            "--evidence",
            &ticket,
        ],
    ));
    let db = crate::common::tamper(&dir);
    assert_eq!(
        db.execute("UPDATE evidence SET sha256 = ?1", [hash])
            .unwrap(),
        1
    );
    assert_eq!(
        db.execute("UPDATE training SET certificate_sha256 = ?1", [hash])
            .unwrap(),
        1
    );
    assert_eq!(
        db.execute("UPDATE patches SET evidence_sha256 = ?1", [hash])
            .unwrap(),
        1
    );
    (tmp, dir)
}

/// Whatever `run` did, it ended with an exit status of its own and, unless it succeeded,
/// a sentence on stderr, and nothing panicked.
fn assert_handled(run: &Run, what: &str) {
    assert!(
        !run.stderr.contains("panicked") && !run.stdout.contains("panicked"),
        "{what}: {run:?}"
    );
    assert!(matches!(run.code, 0..=2), "{what}: {run:?}");
    if run.code == 2 {
        assert!(run.stderr.starts_with("lockstep: "), "{what}: {run:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{what}: {run:?}");
    }
}

#[test]
fn hashes_that_are_not_sha256_are_named_by_verify_and_refused_by_export_and_purge() {
    for hash in HOSTILE_HASHES {
        let (tmp, dir) = workspace_with_hostile_hash(hash);
        // Where a hash that is split as a path would have pointed.
        let bystanders = [
            dir.join("x"),
            tmp.path().join("x"),
            dir.join("vault").join("x"),
        ];
        for path in &bystanders {
            fs::write(path, "not evidence").unwrap();
        }

        let verify = lockstep(&dir, &["verify"]);
        assert_handled(&verify, &format!("verify with {hash:?}"));
        assert_eq!(verify.code, 1, "{verify:?}");
        assert!(
            verify
                .stdout
                .contains("its recorded hash is not a SHA-256, so its file cannot be found"),
            "{verify:?}"
        );
        assert!(
            verify
                .stdout
                .contains("training certificate of ada@example.com")
        );
        assert!(verify.stdout.contains("patch CVE-2026-0001 on web-1"));
        assert_eq!(
            verify.stdout.matches("not a SHA-256").count(),
            3,
            "{}",
            verify.stdout
        );

        let out = tmp.path().join("pack.zip");
        let export = lockstep(
            &dir,
            &[
                "export",
                "--project",
                PROJECT,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_handled(&export, &format!("export with {hash:?}"));
        assert_eq!(export.code, 2);
        assert!(export.stderr.contains("its recorded hash is not a SHA-256"));
        assert!(!out.exists());
        assert_eq!(partials_beside(&out), Vec::<String>::new());

        for args in [&["vault", "purge"][..], &["vault", "purge", "--yes"][..]] {
            let purge = lockstep(&dir, args);
            assert_handled(&purge, &format!("{args:?} with {hash:?}"));
            assert_eq!(purge.code, 2);
            assert!(purge.stderr.contains("nothing was purged"), "{purge:?}");
        }
        for path in &bystanders {
            assert_eq!(fs::read_to_string(path).unwrap(), "not evidence");
        }
    }
}

#[test]
fn evidence_list_shows_rows_whose_hash_is_not_sha256_without_panicking() {
    for hash in HOSTILE_HASHES {
        let (_tmp, dir) = workspace_with_hostile_hash(hash);
        for args in [
            &["evidence", "list", "--project", PROJECT][..],
            &["evidence", "list", "--project", PROJECT, "--json"][..],
        ] {
            let run = lockstep(&dir, args);
            assert_handled(&run, &format!("{args:?} with {hash:?}"));
        }
    }
}

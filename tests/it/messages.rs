//! What the command line says when something is wrong: numbers out of range, a damaged
//! database, hostile names in the database, each as one sentence on stderr with exit 2 and
//! never a panic; and tables that stay whole whatever a name holds.

use std::fs;
use std::path::Path;

use lockstep::store::DB_FILE;

use crate::common::{Run, lockstep, tamper, workspace};

const PROJECT: &str = "Payments";

/// Asserts a refusal: exit 2 and one line on stderr that says `expected`, no panic.
fn assert_says(run: &Run, expected: &str) {
    assert_eq!(run.code, 2, "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    assert!(lines[0].starts_with("lockstep: "), "{run:?}");
    assert!(
        lines[0].contains(expected),
        "wanted {expected:?} in {run:?}"
    );
}

/// A workspace with one project on EC2, so it has baseline controls.
fn project(dir: &Path) {
    let run = lockstep(dir, &["project", "create", PROJECT, "--services", "ec2"]);
    assert_eq!(run.code, 0, "{run:?}");
}

const HUGE: &str = "99999999999999999999";

#[test]
fn a_review_cadence_of_twenty_digits_is_too_large_not_blank() {
    let (_tmp, dir) = workspace();
    project(&dir);
    let set = |value: &str| {
        let flag = format!("--review-every-days={value}");
        lockstep(
            &dir,
            &[
                "control",
                "set",
                "--project",
                PROJECT,
                "SRM-CUS-IAM-01",
                &flag,
            ],
        )
    };
    assert_says(&set(HUGE), "too large: at most 36525 days");
    assert_says(&set("36526"), "too large: at most 36525 days");
    assert_says(&set("-5"), "cannot be negative");
    assert_says(&set("0"), "must be 1 day or more");
    assert_says(&set("monthly"), "not a whole number of days");
    assert_says(&set("1.5"), "not a whole number of days");
    for run in [set("30"), set("")] {
        assert_eq!(run.code, 0, "{run:?}");
    }
}

#[test]
fn a_negative_review_cadence_after_a_space_is_read_as_a_value() {
    let (_tmp, dir) = workspace();
    project(&dir);
    let run = lockstep(
        &dir,
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            "SRM-CUS-IAM-01",
            "--review-every-days",
            "-5",
        ],
    );
    assert_says(&run, "cannot be negative");
}

#[test]
fn course_recurrences_out_of_range_each_get_their_sentence() {
    let (_tmp, dir) = workspace();
    let add = |value: &str| lockstep(&dir, &["course", "add", "Awareness", "--every-days", value]);
    assert_says(&add(HUGE), "too large: at most 36525 days (100 years)");
    assert_says(&add("100000"), "at least once every 36525 days");
    assert_says(&add("-5"), "every 1 day or more, not -5");
    assert_says(&add("0"), "every 1 day or more, not 0");
    assert_says(&add("yearly"), "not a whole number of days");
    assert_says(&add(""), "cannot be blank");
}

#[test]
fn patch_deadlines_out_of_range_each_get_their_sentence() {
    let (_tmp, dir) = workspace();
    project(&dir);
    for flag in ["--critical", "--high", "--medium", "--low"] {
        let set = |value: &str| {
            lockstep(
                &dir,
                &["patch", "deadlines", "--project", PROJECT, flag, value],
            )
        };
        assert_says(&set(HUGE), "too large: at most 3650 days");
        assert_says(&set("4294967296"), "too large: at most 3650 days");
        assert_says(&set("3651"), "too large: at most 3650 days");
        assert_says(&set("-5"), "cannot be negative");
        assert_says(&set("0"), "must be 1 day or more");
        assert_says(&set("soon"), "not a whole number of days");
    }
    let run = lockstep(
        &dir,
        &["patch", "deadlines", "--project", PROJECT, "--low", "3650"],
    );
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn evidence_ids_that_are_no_number_or_too_large_are_refused_plainly() {
    let (_tmp, dir) = workspace();
    project(&dir);
    let remove = |id: &str| {
        lockstep(
            &dir,
            &[
                "evidence",
                "remove",
                "--project",
                PROJECT,
                "--reason",
                "wrong",
                id,
            ],
        )
    };
    assert_says(&remove(HUGE), "too large to be an evidence id");
    assert_says(&remove("abc"), "not an evidence id");
    assert_says(&remove("-5"), "no evidence with id -5");
}

const DAMAGED: &str = "the workspace database is damaged and cannot be read; restore it from a backup, \
                       or move it away to start an empty workspace: ";

/// A workspace with a project and a database file whose bytes `damage` then changes.
fn damaged(damage: impl FnOnce(&mut Vec<u8>)) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = workspace();
    let run = lockstep(
        &dir,
        &[
            "project",
            "create",
            PROJECT,
            "--services",
            "ec2,rds,s3,lambda",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let db = dir.join(DB_FILE);
    assert!(!dir.join(format!("{DB_FILE}-wal")).exists());
    let mut bytes = fs::read(&db).unwrap();
    damage(&mut bytes);
    fs::write(&db, bytes).unwrap();
    (tmp, dir)
}

/// Asserts that each everyday command says the database is damaged, naming its path.
fn assert_damaged(dir: &Path) {
    let expected = format!("{DAMAGED}{}", dir.join(DB_FILE).display());
    for args in [
        &["control", "list", "--project", PROJECT][..],
        &["project", "list"],
        &["evidence", "list", "--project", PROJECT],
        &["verify"],
        &["log", "--project", PROJECT],
    ] {
        let run = lockstep(dir, args);
        assert_says(&run, &expected);
        assert!(!run.stderr.contains("Error code"), "{args:?}: {run:?}");
    }
}

#[test]
fn a_database_of_random_bytes_is_reported_as_damaged() {
    let (_tmp, dir) = damaged(|bytes| {
        let mut state = 0x2545_f491_u32;
        for byte in bytes.iter_mut() {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            *byte = state.to_le_bytes()[0];
        }
    });
    assert_damaged(&dir);
}

#[test]
fn a_truncated_database_is_reported_as_damaged() {
    let (_tmp, dir) = damaged(|bytes| bytes.truncate(bytes.len() / 3));
    assert_damaged(&dir);
}

#[test]
fn a_database_with_corrupt_pages_is_reported_as_damaged() {
    let (_tmp, dir) = damaged(|bytes| {
        let page = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
        let pages = bytes.len() / page;
        assert!(pages > 4, "{pages} pages");
        for index in (1..pages).step_by(2) {
            bytes[index * page..(index + 1) * page].fill(0xAB);
        }
    });
    assert_damaged(&dir);
}

#[test]
fn another_programs_sqlite_file_is_still_called_not_a_lockstep_database() {
    let (_tmp, dir) = workspace();
    fs::create_dir_all(&dir).unwrap();
    rusqlite::Connection::open(dir.join(DB_FILE))
        .unwrap()
        .execute_batch("CREATE TABLE recipes (name TEXT);")
        .unwrap();
    let run = lockstep(&dir, &["project", "list"]);
    assert_says(&run, "not a Lockstep database");
}

/// A name with a line break, a tab and a right-to-left override that turns `exe.pdf` around.
const HOSTILE_NAME: &str = "evil\nname\t\u{202e}fdp.exe";
/// How a table shows it.
const HOSTILE_SHOWN: &str = "evil\\nname\\t\\u{202e}fdp.exe";

/// A project with one evidence file named [`HOSTILE_NAME`] on SRM-CUS-IAM-01.
fn hostile_evidence(dir: &Path) {
    project(dir);
    let files = dir.with_file_name("files");
    fs::create_dir_all(&files).unwrap();
    let file = files.join(HOSTILE_NAME);
    fs::write(&file, "scan report").unwrap();
    let run = lockstep(
        dir,
        &[
            "evidence",
            "add",
            "--project",
            PROJECT,
            "--control",
            "SRM-CUS-IAM-01",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    assert!(run.stdout.contains(HOSTILE_SHOWN), "{run:?}");
}

#[test]
fn a_file_name_with_a_line_break_and_a_bidi_override_is_listed_escaped_on_one_line() {
    let (_tmp, dir) = workspace();
    hostile_evidence(&dir);
    let list = lockstep(&dir, &["evidence", "list", "--project", PROJECT]);
    assert_eq!(list.code, 0, "{list:?}");
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{list:?}");
    assert!(lines[1].ends_with(HOSTILE_SHOWN), "{list:?}");
    assert!(!list.stdout.contains('\u{202e}'));

    let json = lockstep(&dir, &["evidence", "list", "--project", PROJECT, "--json"]).json();
    assert_eq!(json[0]["file_name"], HOSTILE_NAME);
}

#[test]
fn names_with_control_characters_keep_people_training_and_patch_tables_whole() {
    let (_tmp, dir) = workspace();
    project(&dir);
    for args in [
        &["person", "add", "Ana\nLima", "--email", "ana@example.com"][..],
        &["course", "add", "Aware\tness", "--every-days", "365"],
        &[
            "asset",
            "add",
            "--project",
            PROJECT,
            "web\r1",
            "--kind",
            "instance",
            "--managed-by",
            "customer",
        ],
        &[
            "patch",
            "record",
            "--project",
            PROJECT,
            "--asset",
            "web\r1",
            "--advisory",
            "CVE-2026-\u{2066}1",
            "--severity",
            "high",
            "--released",
            "2026-11-01",
        ],
    ] {
        let run = lockstep(&dir, args);
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
    }
    let tables: [(&[&str], &[&str]); 5] = [
        (&["person", "list"], &["Ana\\nLima"]),
        (&["course", "list"], &["Aware\\tness"]),
        (&["training", "status"], &["Ana\\nLima", "Aware\\tness"]),
        (&["asset", "list", "--project", PROJECT], &["web\\r1"]),
        (
            &["patch", "status", "--project", PROJECT],
            &["web\\r1", "CVE-2026-\\u{2066}1"],
        ),
    ];
    for (args, escaped) in tables {
        let run = lockstep(&dir, args);
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        let row = run
            .stdout
            .lines()
            .find(|line| line.contains(escaped[0]))
            .unwrap_or_else(|| panic!("{args:?}: no row shows {:?}: {run:?}", escaped[0]));
        for text in escaped {
            assert!(row.contains(text), "{args:?}: {run:?}");
        }
        assert!(
            !run.stdout.contains(['\r', '\t', '\u{2066}']),
            "{args:?}: {run:?}"
        );
    }
    let people = lockstep(&dir, &["person", "list", "--json"]).json();
    assert_eq!(people[0]["name"], "Ana\nLima");
}

#[test]
fn hashes_that_are_short_not_hex_or_a_path_do_not_crash_any_command() {
    let (tmp, dir) = workspace();
    hostile_evidence(&dir);
    let out = tmp.path().join("pack.zip");
    for hash in ["ab".to_string(), "z".repeat(64), "../../x".to_string()] {
        // A damaged or hand-edited database need not keep the schema's checks.
        let db = tamper(&dir);
        db.execute("UPDATE evidence SET sha256 = ?1", [&hash])
            .unwrap();
        drop(db);

        let list = lockstep(&dir, &["evidence", "list", "--project", PROJECT]);
        assert_eq!(list.code, 0, "{hash}: {list:?}");
        assert!(list.stdout.contains("(not a hash)"), "{hash}: {list:?}");
        let json = lockstep(&dir, &["evidence", "list", "--project", PROJECT, "--json"]);
        assert_eq!(json.json()[0]["sha256"], hash.as_str());

        for args in [
            &["verify"][..],
            &["control", "list", "--project", PROJECT],
            &["vault", "purge"],
            &[
                "export",
                "--project",
                PROJECT,
                "--force",
                "--out",
                out.to_str().unwrap(),
            ],
        ] {
            let run = lockstep(&dir, args);
            assert!(
                matches!(run.code, 0..=2) && !run.stderr.contains("panicked"),
                "{hash} {args:?}: {run:?}"
            );
            if run.code == 2 {
                assert_eq!(run.stderr.lines().count(), 1, "{hash} {args:?}: {run:?}");
            }
        }
    }
}

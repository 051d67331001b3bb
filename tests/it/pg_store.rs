//! The team database on a real PostgreSQL server: logging in without a stored password,
//! and the schema's migrations, applied once however many processes open it at once.

use lockstep::store::pg::migrate::{self, SCHEMA_VERSION};
use lockstep::store::pg::{DatabaseUrl, PgError};

use crate::common::wait_until;
use crate::servers::{PG_PASSWORD, fresh_database, pg_url};

fn connect(url: &str) -> postgres::Client {
    DatabaseUrl::parse(url)
        .unwrap()
        .connect(&|_| Some(PG_PASSWORD.to_string()))
        .unwrap()
}

#[test]
fn without_a_password_anywhere_the_user_is_asked_and_a_wrong_one_is_refused() {
    crate::require_servers!();
    let url = DatabaseUrl::parse_to_keep(&pg_url("postgres")).unwrap();
    let asked = std::cell::RefCell::new(Vec::new());
    let mut client = url
        .connect(&|shown| {
            asked.borrow_mut().push(shown.to_string());
            Some(PG_PASSWORD.to_string())
        })
        .unwrap();
    let one: i32 = client.query_one("SELECT 1", &[]).unwrap().get(0);
    assert_eq!(one, 1);
    assert_eq!(asked.borrow().len(), 1);
    assert!(asked.borrow()[0].starts_with("postgres://lockstep@127.0.0.1:"));

    let refused = url
        .connect(&|_| Some("not the password".to_string()))
        .err()
        .unwrap();
    let message = refused.to_string();
    assert!(message.contains("refused the login"), "{message}");
    assert!(!message.contains("not the password"), "{message}");
    let unasked = url.connect(&|_| None).err().unwrap();
    assert!(matches!(unasked, PgError::NoPassword(_)), "{unasked}");
    assert!(unasked.to_string().contains("~/.pgpass"), "{unasked}");
}

#[test]
fn a_server_that_does_not_answer_is_named() {
    crate::require_servers!();
    let url = DatabaseUrl::parse("postgres://ana@127.0.0.1:9/audit").unwrap();
    let message = url.connect(&|_| None).err().unwrap().to_string();
    assert!(
        message.starts_with(
            "the team database at postgres://ana@127.0.0.1:9/audit could not be reached"
        ),
        "{message}"
    );
}

#[test]
fn a_new_database_is_migrated_once_and_records_each_step() {
    crate::require_servers!();
    let url = fresh_database("migrate");
    let mut client = connect(&url);
    assert_eq!(migrate::version(&mut client).unwrap(), 0);
    assert_eq!(
        migrate::migrate(&mut client, "2026-11-29T00:00:00Z").unwrap(),
        0
    );
    assert_eq!(migrate::version(&mut client).unwrap(), SCHEMA_VERSION);
    assert_eq!(
        migrate::migrate(&mut client, "2026-11-29T00:00:01Z").unwrap(),
        SCHEMA_VERSION
    );
    let names: Vec<String> = client
        .query("SELECT name FROM lockstep_migrations ORDER BY version", &[])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(names.len() as i64, SCHEMA_VERSION);
    assert_eq!(names[0], "0001_initial");
    assert_eq!(recorded_hashes(&mut client), shipped_hashes());
}

/// The migrations' hashes a team database records, in order: (version, sha256).
fn recorded_hashes(client: &mut postgres::Client) -> Vec<(i64, Option<String>)> {
    client
        .query(
            "SELECT version, sha256 FROM lockstep_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

/// What a database set up by this build records: every shipped migration with the SHA-256
/// of its text.
fn shipped_hashes() -> Vec<(i64, Option<String>)> {
    use sha2::{Digest, Sha256};
    migrate::MIGRATIONS
        .iter()
        .map(|(version, _, sql)| {
            let digest = Sha256::digest(sql.as_bytes());
            (
                *version,
                Some(digest.iter().map(|b| format!("{b:02x}")).collect()),
            )
        })
        .collect()
}

#[test]
fn a_migration_applied_from_another_text_is_refused_by_name_when_up_to_date() {
    crate::require_servers!();
    let url = fresh_database("changed");
    let mut client = connect(&url);
    migrate::migrate(&mut client, "2026-11-29T00:00:00Z").unwrap();
    client
        .execute(
            "UPDATE lockstep_migrations SET sha256 = repeat('0', 64) WHERE version = 3",
            &[],
        )
        .unwrap();
    let error = migrate::migrate(&mut client, "2026-11-29T00:00:01Z").unwrap_err();
    assert!(
        matches!(&error, PgError::ChangedMigration(name) if name == "0003_attestations.sql"),
        "{error:?}"
    );
    assert!(
        error.to_string().contains(
            "schema step 0003_attestations.sql was applied from a different text than this Lockstep ships"
        ),
        "{error}"
    );
}

#[test]
fn a_database_from_before_the_hashes_is_upgraded_and_records_them_all() {
    crate::require_servers!();
    let url = fresh_database("unhashed");
    let mut client = connect(&url);
    migrate::migrate(&mut client, "2026-11-29T00:00:00Z").unwrap();
    // What a Lockstep of schema version 13 left: the same tables, no hashes.
    client
        .batch_execute(
            "DELETE FROM lockstep_migrations WHERE version >= 14;
             ALTER TABLE lockstep_migrations DROP COLUMN sha256;
             DROP TABLE finding_milestones, finding_deviations, findings, finding_imports;
             ALTER TABLE projects DROP COLUMN package_uri;
             ALTER TABLE signoffs DROP CONSTRAINT signoffs_subject_kind_check;
             ALTER TABLE signoffs ADD CONSTRAINT signoffs_subject_kind_check
                 CHECK (subject_kind IN ('control', 'training', 'patch_cycle'));",
        )
        .unwrap();
    assert_eq!(
        migrate::migrate(&mut client, "2026-11-29T00:00:01Z").unwrap(),
        13
    );
    assert_eq!(recorded_hashes(&mut client), shipped_hashes());
    assert_eq!(
        migrate::migrate(&mut client, "2026-11-29T00:00:02Z").unwrap(),
        SCHEMA_VERSION
    );
}

#[test]
fn processes_opening_a_new_database_at_once_apply_each_migration_once() {
    crate::require_servers!();
    let url = fresh_database("race");
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut client = connect(&url);
                migrate::migrate(&mut client, "2026-11-29T00:00:00Z")
            })
        })
        .collect();
    let mut from: Vec<i64> = handles
        .into_iter()
        .map(|h| h.join().unwrap().unwrap())
        .collect();
    from.sort();
    assert_eq!(from, [0, SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION]);
    let mut client = connect(&url);
    let rows: i64 = client
        .query_one("SELECT COUNT(*) FROM lockstep_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, SCHEMA_VERSION);
}

#[test]
fn a_database_upgraded_by_a_newer_lockstep_is_left_alone() {
    crate::require_servers!();
    let url = fresh_database("newer");
    let mut client = connect(&url);
    migrate::migrate(&mut client, "2026-11-29T00:00:00Z").unwrap();
    client
        .execute(
            "INSERT INTO lockstep_migrations VALUES ($1, 'from the future', 'later')",
            &[&(SCHEMA_VERSION + 1)],
        )
        .unwrap();
    match migrate::migrate(&mut client, "2026-11-29T00:00:00Z") {
        Err(PgError::TooNew { found, known }) => {
            assert_eq!((found, known), (SCHEMA_VERSION + 1, SCHEMA_VERSION))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn two_writers_appending_at_once_leave_one_intact_chain_and_lose_nothing() {
    crate::require_servers!();
    let (_tmp, dir) = crate::common::workspace();
    drop(crate::common::open_on_postgres(&dir));
    let writers: Vec<_> = ["ana", "ben"]
        .into_iter()
        .map(|actor| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut store = crate::common::open_on_postgres(&dir);
                for n in 0..200 {
                    store.set_user_name(&format!("{actor} {n}")).unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }

    let store = crate::common::open_on_postgres(&dir);
    let log = store.activity(None, None).unwrap();
    let seqs: Vec<i64> = log.iter().map(|row| row.seq).collect();
    assert_eq!(seqs, (1..=400).collect::<Vec<i64>>());
    for actor in ["ana", "ben"] {
        for n in 0..200 {
            let name = format!("{actor} {n}");
            assert_eq!(
                log.iter().filter(|row| row.actor == name).count(),
                1,
                "{name}"
            );
        }
    }
    let report = store.verify_chain().unwrap();
    assert_eq!((report.rows, report.first_break), (400, None));

    let url = std::fs::read_to_string(dir.join("test-database-url")).unwrap();
    connect(&url)
        .execute("UPDATE activity SET actor = 'mallory' WHERE seq = 123", &[])
        .unwrap();
    let report = store.verify_chain().unwrap();
    assert_eq!(
        report.first_break,
        Some((
            123,
            "its content does not match its hash: it was altered".to_string()
        ))
    );
}

#[test]
fn on_a_team_database_the_actor_is_the_login_and_damaged_values_are_found() {
    crate::require_servers!();
    let (_tmp, dir) = crate::common::workspace();
    let mut store = crate::common::open_on_postgres(&dir);
    assert_eq!(store.user_name().unwrap(), "lockstep");
    let project = store
        .create_project(&crate::common::new_project("Payments", &["ec2"]))
        .unwrap();
    store.set_user_name("Ana Lima").unwrap();
    assert_eq!(store.user_name().unwrap(), "Ana Lima");
    let log = store.activity(None, None).unwrap();
    assert_eq!(log[0].actor, "lockstep");
    assert_eq!(log[1].actor, "Ana Lima");
    assert!(store.bad_values().unwrap().is_empty());

    // A value written with the schema's checks switched off, as by hand.
    let url = std::fs::read_to_string(dir.join("test-database-url")).unwrap();
    let mut raw = connect(&url);
    raw.batch_execute(&format!(
        "ALTER TABLE projects DISABLE TRIGGER USER;
         UPDATE projects SET period_start = '2026-02-30' WHERE id = {};
         ALTER TABLE projects ENABLE TRIGGER USER;",
        project.key
    ))
    .unwrap();
    let found = store.bad_values().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].to_string(),
        format!(
            "projects row {}: its period_start is not a date written YYYY-MM-DD",
            project.key
        )
    );
}

#[test]
fn two_sessions_editing_controls_at_once_keep_one_chain_and_every_edit() {
    crate::require_servers!();
    use lockstep::model::{ControlEdit, ControlPatch};
    let (_tmp, dir) = crate::common::workspace();
    let mut store = crate::common::open_on_postgres(&dir);
    let project = store
        .create_project(&crate::common::new_project(
            "Payments",
            &["ec2", "rds", "s3"],
        ))
        .unwrap();
    let ids: Vec<String> = store
        .controls(project.key)
        .unwrap()
        .into_iter()
        .filter(|c| !c.retired)
        .map(|c| c.id)
        .take(10)
        .collect();
    drop(store);
    let writers: Vec<_> = ["ana", "ben"]
        .into_iter()
        .map(|who| {
            let (dir, ids) = (dir.clone(), ids.clone());
            std::thread::spawn(move || {
                let mut store = crate::common::open_on_postgres(&dir);
                for n in 0..200 {
                    let id = &ids[n % ids.len()];
                    let patch = ControlPatch::one(ControlEdit::Notes(format!("{who} {n}")));
                    let changed = store.update_control(project.key, id, &patch).unwrap();
                    assert_eq!(changed.len(), 1);
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let store = crate::common::open_on_postgres(&dir);
    let report = store.verify_chain().unwrap();
    assert_eq!((report.rows, report.first_break), (401, None));
    let edits = store
        .activity(Some(project.key), None)
        .unwrap()
        .into_iter()
        .filter(|row| row.action.name() == "control.update")
        .count();
    assert_eq!(edits, 400);
}

#[test]
fn a_watch_hears_another_sessions_change_as_it_commits() {
    crate::require_servers!();
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (_tmp, dir) = crate::common::workspace();
    let watcher = crate::common::open_on_postgres(&dir);
    let woken = Arc::new(AtomicUsize::new(0));
    let counter = woken.clone();
    let mut watch = watcher
        .watch_changes(Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }))
        .expect("a team workspace can be watched");
    let mut other = crate::common::open_on_postgres(&dir);
    // The listener connects on its own thread: the change is made once its session listens,
    // so it is the only change the watch can hear.
    let url = std::fs::read_to_string(dir.join("test-database-url")).unwrap();
    let mut observer = connect(&url);
    wait_until("the watch to listen", || {
        let listening: i64 = observer
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND state = 'idle'
                   AND query = 'LISTEN lockstep_changes'",
                &[],
            )
            .unwrap()
            .get(0);
        listening > 0
    });
    other
        .create_project(&crate::common::new_project("Project 0", &["ec2"]))
        .unwrap();
    wait_until("the change to be heard", || watch.changed());
    wait_until("the watch to wake its owner", || {
        woken.load(Ordering::SeqCst) == 1
    });
    // A change that rolls back (a name already taken) is never announced. Nothing arriving
    // cannot be waited for, so the watch is given a bounded while: longer than a committed
    // change takes to be heard here, short enough to keep the test quick.
    assert!(
        other
            .create_project(&crate::common::new_project("project 0", &["ec2"]))
            .is_err()
    );
    std::thread::sleep(std::time::Duration::from_millis(800));
    assert!(!watch.changed());
    assert_eq!(woken.load(Ordering::SeqCst), 1);
}

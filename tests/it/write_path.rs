//! The one write path and consistent reads, checked with several connections to one
//! workspace at once, as several processes would hold them: writers wait for each other
//! instead of failing, every change reads what it replaces inside its own transaction, a
//! verify never mistakes a concurrent change for tampering, and days are counted in the
//! workspace's time zone.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::thread;

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use lockstep::model::{Action, ControlEdit, ControlPatch, Zone};
use lockstep::store::{NewEvidence, Store, StoreError};

use crate::common::{new_project, open, raw, workspace};

const PROJECT: &str = "Payments platform";

fn setup(dir: &Path) -> (i64, Vec<String>) {
    let mut store = open(dir);
    let project = store
        .create_project(&new_project(PROJECT, &["ec2", "rds", "s3"]))
        .unwrap();
    let ids = store
        .controls(project.key)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    (project.key, ids)
}

fn evidence(sha_byte: u8) -> NewEvidence {
    NewEvidence {
        file_name: "report.pdf".into(),
        size_bytes: 10,
        media_type: "application/pdf".into(),
        sha256: format!("{sha_byte:02x}").repeat(32),
        description: String::new(),
        collected_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        valid_until: None,
    }
}

#[test]
fn concurrent_writers_wait_for_each_other_and_every_edit_is_logged_once() {
    let (_tmp, dir) = workspace();
    let (project, ids) = setup(&dir);
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let dir = dir.clone();
            let ids = ids.clone();
            thread::spawn(move || {
                let mut store = open(&dir);
                for edit in 0..25 {
                    let id = &ids[(writer * 25 + edit) % ids.len()];
                    let owner = format!("writer {writer} edit {edit}");
                    store
                        .update_control(project, id, &ControlPatch::one(ControlEdit::Owner(owner)))
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let store = open(&dir);
    let updates = store
        .activity(Some(project), None)
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.typed(), Some(Action::ControlUpdate { .. })))
        .count();
    assert_eq!(updates, 100);
    assert_eq!(store.verify_chain().unwrap().first_break, None);
}

#[test]
fn an_edit_logs_the_value_it_replaced_even_when_another_connection_changed_it() {
    let (_tmp, dir) = workspace();
    let (project, ids) = setup(&dir);
    let id = &ids[0];
    let mut first = open(&dir);
    let mut second = open(&dir);
    // The second connection has read the control before the first changes it.
    assert_eq!(second.control(project, id).unwrap().owner, "");
    first
        .update_control(
            project,
            id,
            &ControlPatch::one(ControlEdit::Owner("Ana".into())),
        )
        .unwrap();
    let changes = second
        .update_control(
            project,
            id,
            &ControlPatch::one(ControlEdit::Owner("Bo".into())),
        )
        .unwrap();
    assert_eq!(changes[0].from, "Ana");
    assert_eq!(changes[0].to, "Bo");
}

#[test]
fn two_removals_of_one_evidence_record_leave_one_tombstone() {
    let (_tmp, dir) = workspace();
    let (project, ids) = setup(&dir);
    let added = open(&dir)
        .add_evidence(project, &ids[0], &evidence(0xab))
        .unwrap();
    let outcomes: Vec<_> = (0..2)
        .map(|n| {
            let dir = dir.clone();
            thread::spawn(move || {
                open(&dir).remove_evidence(project, added.id, &format!("duplicate {n}"))
            })
        })
        .map(|handle| handle.join().unwrap())
        .collect();
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1);
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, Err(StoreError::AlreadyRemoved(_))))
    );
    let removals = open(&dir)
        .activity(Some(project), None)
        .unwrap()
        .into_iter()
        .filter(|e| e.action.name() == "evidence.remove")
        .count();
    assert_eq!(removals, 1);
}

#[test]
fn verify_never_reports_tampering_while_another_connection_writes() {
    let (_tmp, dir) = workspace();
    let (project, ids) = setup(&dir);
    let done = Arc::new(AtomicBool::new(false));
    let edits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writer = {
        let dir = dir.clone();
        let done = done.clone();
        let edits = edits.clone();
        thread::spawn(move || {
            let mut store = open(&dir);
            let mut edit = 0;
            while !done.load(Ordering::Relaxed) {
                let id = &ids[edit % ids.len()];
                store
                    .update_control(
                        project,
                        id,
                        &ControlPatch::one(ControlEdit::Notes(format!("note {edit}"))),
                    )
                    .unwrap();
                edit += 1;
                edits.store(edit, Ordering::Relaxed);
            }
            edit
        })
    };
    let verifier = open(&dir);
    // On a loaded machine the writer may start late: verify while it is writing.
    crate::common::wait_until("the writer's first edit", || {
        edits.load(Ordering::Relaxed) > 0
    });
    for _ in 0..200 {
        let report = verifier.verify_chain().unwrap();
        assert_eq!(report.first_break, None, "after {} rows", report.rows);
    }
    done.store(true, Ordering::Relaxed);
    assert!(writer.join().unwrap() > 0);
}

#[test]
fn a_change_that_changes_nothing_logs_nothing() {
    let (_tmp, dir) = workspace();
    let (project, _) = setup(&dir);
    let mut store = open(&dir);
    let before = store.activity(None, None).unwrap().len();
    store
        .set_project_services(project, &["ec2".into(), "rds".into(), "s3".into()])
        .unwrap();
    store.set_time_zone(Zone::Local).unwrap();
    assert_eq!(store.activity(None, None).unwrap().len(), before);
}

#[test]
fn the_schema_refuses_hashes_and_dates_of_the_wrong_shape_and_verify_lists_old_ones() {
    let (_tmp, dir) = workspace();
    let (project, ids) = setup(&dir);
    let added = open(&dir)
        .add_evidence(project, &ids[0], &evidence(0xcd))
        .unwrap();
    let conn = raw(&dir);
    for bad in ["ab", "../../x", &"zz".repeat(32)] {
        let refused = conn.execute(
            "UPDATE evidence SET sha256 = ?1 WHERE id = ?2",
            rusqlite::params![bad, added.id],
        );
        assert!(refused.is_err(), "{bad} was stored");
    }
    assert!(
        conn.execute(
            "UPDATE controls SET due = '2027-02-30' WHERE project_id = ?1",
            [project]
        )
        .is_err()
    );
    assert!(open(&dir).bad_values().unwrap().is_empty());
    // A database edited with the checks switched off still opens, and the bad value is named.
    conn.execute_batch(
        "PRAGMA ignore_check_constraints = ON; DROP TRIGGER evidence_checked_on_update;",
    )
    .unwrap();
    conn.execute(
        "UPDATE evidence SET sha256 = '../../x' WHERE id = ?1",
        [added.id],
    )
    .unwrap();
    let found = open(&dir).bad_values().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].to_string(),
        format!(
            "evidence row {}: its sha256 is not a SHA-256 in lowercase hex",
            added.id
        )
    );
}

/// A store whose clock can be moved, in the workspace's zone of UTC+01:00.
fn store_at(dir: &Path, now: Arc<AtomicI64>) -> Store {
    let clock =
        move || -> DateTime<Utc> { Utc.timestamp_opt(now.load(Ordering::Relaxed), 0).unwrap() };
    let mut store = Store::open_with_clock(dir, Arc::new(clock)).unwrap();
    store.set_time_zone("+01:00".parse().unwrap()).unwrap();
    store
}

#[test]
fn events_just_before_and_after_local_midnight_count_on_their_own_days() {
    let (_tmp, dir) = workspace();
    let (project, ids) = setup(&dir);
    // 23:30 on the 28th in the workspace's zone is 22:30 UTC; 00:30 on the 29th is 23:30 UTC.
    let late = Utc.with_ymd_and_hms(2026, 11, 28, 22, 30, 0).unwrap();
    let now = Arc::new(AtomicI64::new(late.timestamp()));
    let mut store = store_at(&dir, now.clone());
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    assert_eq!(store.today(), day(28));
    store
        .update_control(
            project,
            &ids[0],
            &ControlPatch::one(ControlEdit::Owner("Ana".into())),
        )
        .unwrap();
    now.store(late.timestamp() + 3600, Ordering::Relaxed);
    assert_eq!(store.today(), day(29));
    store
        .update_control(
            project,
            &ids[0],
            &ControlPatch::one(ControlEdit::Owner("Bo".into())),
        )
        .unwrap();
    let as_of_28 = lockstep::pack::collect(&store, project, day(28), None).unwrap();
    let control = |data: &lockstep::pack::PackData| {
        data.controls
            .iter()
            .find(|c| c.control.id == ids[0])
            .map(|c| c.control.owner.clone())
            .unwrap()
    };
    assert_eq!(control(&as_of_28), "Ana");
    let as_of_29 = lockstep::pack::collect(&store, project, day(29), None).unwrap();
    assert_eq!(control(&as_of_29), "Bo");
}

#[test]
fn verify_names_a_date_damaged_by_hand_and_exits_one() {
    let (_tmp, dir) = workspace();
    let (project, _) = setup(&dir);
    crate::common::tamper(&dir)
        .execute(
            "UPDATE controls SET due = '2027-02-30' WHERE project_id = ?1 AND id = (SELECT min(id) FROM controls)",
            [project],
        )
        .unwrap();
    let run = crate::common::lockstep(&dir, &["verify"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("damaged value: controls row 1: its due is not a date written YYYY-MM-DD"),
        "{run:?}"
    );
}

//! A damaged or hostile database never panics the window: evidence rows whose hash is short,
//! not hex, or a path, and a file name with a newline, are drawn on the board, in the control
//! panel and in the evidence list, and opening one says clearly why it cannot be opened.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;
use lockstep::app::Level;
use lockstep::workspace::{AttachOptions, Workspace, attach};

use crate::window::{
    ScriptedPicker, clock, create_project, harness, last_notification, open_app_with_picker, today,
};

const MFA: &str = "SRM-CUS-IAM-03";
const MFA_CARD: &str = "SRM-CUS-IAM-03 Multi-factor authentication";

/// Hashes no Lockstep ever writes, each given to a copy of one real evidence row.
const HOSTILE: [&str; 3] = [
    "ab",
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    "../../x",
];

/// Attaches one real file to MFA, then writes copies of its row with damaged hashes and one
/// with a newline in its name, through a raw connection that skips the CHECK constraints.
fn write_damaged_rows(dir: &Path, project: i64) {
    let file = dir.join("report.csv");
    std::fs::write(&file, "a,b\n").unwrap();
    let mut workspace = Workspace::open_with_clock(dir, clock()).unwrap();
    let options = AttachOptions {
        description: String::new(),
        collected_on: today(),
        valid_until: None,
    };
    let vault = workspace.vault;
    attach(
        &mut workspace.store,
        &vault,
        (project, MFA),
        &file,
        &options,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    let conn = crate::common::tamper(dir);
    let copy = "INSERT INTO evidence (project_id, control_key, file_name, size_bytes, media_type, \
                sha256, description, collected_on, added_by, added_at) \
                SELECT project_id, control_key, ?1, size_bytes, media_type, ?2, description, \
                collected_on, added_by, added_at FROM evidence ORDER BY id LIMIT 1";
    for (n, hash) in HOSTILE.iter().enumerate() {
        conn.execute(copy, (format!("damaged-{n}.csv"), hash))
            .unwrap();
    }
    let sha: String = conn
        .query_row("SELECT sha256 FROM evidence ORDER BY id LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    conn.execute(copy, ("two\nlines.csv", sha)).unwrap();
}

#[test]
fn evidence_with_damaged_hashes_draws_everywhere_and_opening_it_says_why_not() {
    let tmp = tempfile::tempdir().unwrap();
    let project = create_project(tmp.path());
    write_damaged_rows(tmp.path(), project);
    let picker = ScriptedPicker::new();
    let (app, opened) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);

    // The board and its card.
    harness
        .get_by_role_and_label(Role::Button, MFA_CARD)
        .click();
    harness.run();
    // The control panel and its evidence list: every row is drawn.
    harness.get_by_label("Evidence (5)");
    for n in 0..HOSTILE.len() {
        harness.get_by_label(&format!("damaged-{n}.csv"));
    }
    harness.get_by_label("sha256 ab");
    harness.get_by_label("sha256 ../../x");
    // The name with a newline stays on one line, escaped.
    harness.get_by_label("two\\nlines.csv");
    assert!(harness.query_by_label("two\nlines.csv").is_none());

    // Open each damaged row: a clear error, nothing copied or opened.
    let opens: Vec<_> = harness
        .get_all_by_role_and_label(Role::Button, "Open")
        .collect();
    assert_eq!(opens.len(), 5);
    drop(opens);
    let damaged: Vec<i64> = harness
        .state()
        .state
        .records
        .selected_evidence
        .iter()
        .filter(|e| HOSTILE.contains(&e.sha256.as_str()))
        .map(|e| e.id)
        .collect();
    assert_eq!(damaged.len(), 3);
    for id in damaged {
        harness
            .state_mut()
            .apply(lockstep::app::Command::OpenEvidence(id));
        harness.state_mut().finish_jobs();
        harness.run();
        let (level, text) = last_notification(&harness);
        assert_eq!(level, Level::Error);
        assert!(text.contains("SHA-256 is damaged"), "{text}");
    }
    assert!(opened.lock().unwrap().is_empty());
    assert!(!tmp.path().join("x").exists());
}

#[test]
fn a_history_that_cannot_be_read_is_reported_not_shown_as_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let project = create_project(tmp.path());
    write_damaged_rows(tmp.path(), project);
    // The newest activity row is the attachment to MFA: its actor is no longer text.
    let conn = crate::common::tamper(tmp.path());
    conn.execute_batch(
        "PRAGMA writable_schema = ON; \
         UPDATE sqlite_schema SET sql = replace(sql, ') STRICT', ')') WHERE name = 'activity'; \
         PRAGMA writable_schema = OFF;",
    )
    .unwrap();
    drop(conn);
    crate::common::raw(tmp.path())
        .execute(
            "UPDATE activity SET actor = x'00ff' WHERE seq = (SELECT max(seq) FROM activity)",
            [],
        )
        .unwrap();
    let picker = ScriptedPicker::new();
    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);
    harness
        .state_mut()
        .apply(lockstep::app::Command::SelectControl(Some(MFA.to_string())));
    harness.run();

    let errors: Vec<String> = harness
        .state()
        .state
        .shell
        .notifications
        .iter()
        .filter(|n| n.level == Level::Error)
        .map(|n| n.text.clone())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|t| t.starts_with(&format!("Could not read the history and evidence of {MFA}"))),
        "{errors:?}"
    );
}

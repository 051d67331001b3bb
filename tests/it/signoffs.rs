//! Sign-offs: each kind of subject turns stale when what it covered changes, a new sign-off
//! supersedes without editing the old one, and the CLI speaks the contract.

use crate::common::{lockstep, new_project, open, workspace};
use chrono::NaiveDate;
use lockstep::model::{AssetKind, ManagedBy, Severity, SignoffSubject};
use lockstep::store::{NewAsset, NewPatch, NewPerson, NewSignoff, Store};

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn sign(store: &mut Store, project: i64, subject: SignoffSubject) -> i64 {
    store
        .add_signoff(
            project,
            &NewSignoff {
                subject,
                by: "Maria Lopez".into(),
                role: "CISO".into(),
                statement: "Reviewed and accepted".into(),
            },
        )
        .unwrap()
        .id
}

fn stale(store: &Store, project: i64, id: i64) -> bool {
    store
        .signoffs(project)
        .unwrap()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap()
        .stale
}

#[test]
fn a_control_signoff_turns_stale_when_the_control_changes() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("P", &["ec2"]))
        .unwrap()
        .key;
    let id = sign(
        &mut store,
        project,
        SignoffSubject::Control("srm-cus-iam-01".into()),
    );
    assert!(!stale(&store, project, id));
    let listed = &store.signoffs(project).unwrap()[0];
    assert_eq!(listed.subject, "control SRM-CUS-IAM-01");

    // Another control's change leaves it valid; its own change turns it stale.
    store
        .update_control(
            project,
            "SRM-CUS-IAM-02",
            &lockstep::model::ControlPatch::one(lockstep::model::ControlEdit::Owner("ana".into())),
        )
        .unwrap();
    assert!(!stale(&store, project, id));
    store
        .update_control(
            project,
            "SRM-CUS-IAM-01",
            &lockstep::model::ControlPatch::one(lockstep::model::ControlEdit::Notes(
                "rotated".into(),
            )),
        )
        .unwrap();
    assert!(stale(&store, project, id));

    // Signing again supersedes the old one, which stays listed.
    let again = sign(
        &mut store,
        project,
        SignoffSubject::Control("SRM-CUS-IAM-01".into()),
    );
    let all = store.signoffs(project).unwrap();
    assert_eq!(all.len(), 2);
    assert!(all[0].superseded && all[0].stale);
    assert!(!all[1].superseded && !all[1].stale);
    assert_eq!(all[1].id, again);
}

#[test]
fn a_control_signoff_turns_stale_when_evidence_is_attached() {
    let (_tmp, dir) = workspace();
    let mut workspace = crate::common::open_workspace(&dir);
    let project = workspace
        .store
        .create_project(&new_project("P", &["ec2"]))
        .unwrap()
        .key;
    let id = sign(
        &mut workspace.store,
        project,
        SignoffSubject::Control("SRM-CUS-IAM-03".into()),
    );
    let file = dir.join("mfa.csv");
    std::fs::write(&file, "user,mfa\nana,yes\n").unwrap();
    lockstep::workspace::attach(
        &mut workspace.store,
        &workspace.vault,
        (project, "SRM-CUS-IAM-03"),
        &file,
        &lockstep::workspace::AttachOptions {
            description: String::new(),
            collected_on: day("2026-11-01"),
            valid_until: None,
        },
        &std::sync::atomic::AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    assert!(stale(&workspace.store, project, id));
}

#[test]
fn a_training_signoff_turns_stale_when_the_roster_changes() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("P", &["s3"]))
        .unwrap()
        .key;
    let id = sign(&mut store, project, SignoffSubject::Training);
    assert!(!stale(&store, project, id));
    store
        .add_person(&NewPerson {
            name: "Ana Ruiz".into(),
            email: "ana@example.com".into(),
            role: "Engineer".into(),
        })
        .unwrap();
    assert!(stale(&store, project, id));
}

#[test]
fn a_patch_cycle_signoff_turns_stale_only_when_that_month_changes() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("P", &["ec2"]))
        .unwrap()
        .key;
    store
        .add_asset(
            project,
            &NewAsset {
                name: "web-1".into(),
                kind: AssetKind::Instance,
                environment: "prod".into(),
                managed_by: ManagedBy::Customer,
            },
        )
        .unwrap();
    let patch = |advisory: &str, released: &str| NewPatch {
        asset: "web-1".into(),
        advisory: advisory.into(),
        severity: Severity::High,
        released_on: day(released),
        applied_on: None,
        evidence: None,
    };
    store
        .record_patch(project, &patch("CVE-2026-0001", "2026-10-05"))
        .unwrap();
    let id = sign(
        &mut store,
        project,
        SignoffSubject::PatchCycle("2026-10".into()),
    );
    assert!(!stale(&store, project, id));
    // A patch of another month leaves October's sign-off valid.
    store
        .record_patch(project, &patch("CVE-2026-0002", "2026-11-02"))
        .unwrap();
    assert!(!stale(&store, project, id));
    // Applying October's patch changes October.
    let mut applied = patch("CVE-2026-0001", "2026-10-05");
    applied.applied_on = Some(day("2026-10-20"));
    store.record_patch(project, &applied).unwrap();
    assert!(stale(&store, project, id));
}

#[test]
fn signoff_refuses_blank_names_and_statements_and_unknown_subjects() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("P", &["ec2"]))
        .unwrap()
        .key;
    let base = NewSignoff {
        subject: SignoffSubject::Training,
        by: "Maria".into(),
        role: "CISO".into(),
        statement: "ok".into(),
    };
    for bad in [
        NewSignoff {
            by: "  ".into(),
            ..base.clone()
        },
        NewSignoff {
            statement: "".into(),
            ..base.clone()
        },
        NewSignoff {
            subject: SignoffSubject::Control("NOPE-01".into()),
            ..base.clone()
        },
        NewSignoff {
            subject: SignoffSubject::PatchCycle("2026-13".into()),
            ..base.clone()
        },
    ] {
        assert!(store.add_signoff(project, &bad).is_err());
    }
    assert!(store.signoffs(project).unwrap().is_empty());
    assert_eq!(store.activity(Some(project), None).unwrap().len(), 1);
}

#[test]
fn the_cli_adds_and_lists_signoffs_with_the_contract_keys() {
    let (_tmp, dir) = workspace();
    assert!(lockstep(&dir, &["project", "create", "P", "--services", "ec2"]).code == 0);
    let added = lockstep(
        &dir,
        &[
            "signoff",
            "add",
            "--project",
            "P",
            "--patch-cycle",
            "2026-10",
            "--by",
            "Maria Lopez",
            "--role",
            "CISO",
            "--statement",
            "October patches applied within deadlines",
        ],
    );
    assert_eq!(added.code, 0, "{}", added.stderr);
    let missing_subject = lockstep(
        &dir,
        &[
            "signoff",
            "add",
            "--project",
            "P",
            "--by",
            "M",
            "--role",
            "R",
            "--statement",
            "S",
        ],
    );
    assert_eq!(missing_subject.code, 2);
    let no_statement = lockstep(
        &dir,
        &[
            "signoff",
            "add",
            "--project",
            "P",
            "--training",
            "--by",
            "M",
            "--role",
            "R",
            "--statement",
            " ",
        ],
    );
    assert_eq!(no_statement.code, 2);
    assert!(!no_statement.stderr.contains("panicked"));

    let list = lockstep(&dir, &["signoff", "list", "--project", "P", "--json"]).json();
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    for key in [
        "id",
        "subject",
        "by",
        "role",
        "statement",
        "signed_at",
        "stale",
    ] {
        assert!(rows[0].get(key).is_some(), "missing key {key}");
    }
    assert_eq!(rows[0]["subject"], "patch-cycle 2026-10");
    assert_eq!(rows[0]["stale"], false);
}

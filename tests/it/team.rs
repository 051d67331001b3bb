//! A team workspace end to end, through the real binary, on a real PostgreSQL server and a
//! real S3 server with Object Lock: two members' folders connected to one database and one
//! bucket, evidence kept under lock, verify and the pack.

use std::fs;
use std::path::Path;

use lockstep::vault::s3::{DefaultRetention, RetentionPeriod, S3Location, S3Vault};
use serde_json::Value;

use crate::common::{Run, binary, run, workspace};
use crate::servers::{PG_PASSWORD, fresh_database, fresh_location, s3_credentials};

/// Runs the binary in `dir` with the database password and S3 keys in its environment.
pub(crate) fn member(dir: &Path, args: &[&str]) -> Run {
    member_with(dir, PG_PASSWORD, args)
}

/// Runs the binary in `dir` as a login with this database password.
pub(crate) fn member_with(dir: &Path, password: &str, args: &[&str]) -> Run {
    let credentials = s3_credentials();
    let mut command = binary();
    command
        .arg("--workspace")
        .arg(dir)
        .args(args)
        .env("PGPASSWORD", password)
        .env("AWS_ACCESS_KEY_ID", &credentials.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &credentials.secret_key)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN");
    run(command)
}

pub(crate) fn ok(run: &Run) -> &str {
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    &run.stdout
}

/// A database and a bucket under Object Lock (COMPLIANCE, 30 days).
pub(crate) fn team_servers() -> (String, S3Location) {
    let url = fresh_database("team");
    let location = fresh_location("team", "audit-2026");
    let lock = DefaultRetention {
        mode: "COMPLIANCE".into(),
        period: RetentionPeriod::Days(30),
    };
    S3Vault::unchecked(location.clone(), s3_credentials())
        .unwrap()
        .client()
        .create_bucket(Some(&lock))
        .unwrap();
    (url, location)
}

pub(crate) fn connect(dir: &Path, url: &str, location: &S3Location) -> Run {
    let endpoint = location.endpoint.clone().unwrap();
    member(
        dir,
        &[
            "workspace",
            "connect",
            "--database",
            url,
            "--vault",
            &location.url(),
            "--endpoint",
            &endpoint,
            "--region",
            &location.region,
        ],
    )
}

#[test]
fn two_members_share_records_and_locked_evidence_through_one_database_and_bucket() {
    crate::require_servers!();
    let (url, location) = team_servers();
    let (tmp, lead) = workspace();
    let engineer = tmp.path().join("engineer");

    let connected = connect(&lead, &url, &location);
    let said = ok(&connected);
    assert!(said.contains("schema brought from version 0"), "{said}");
    assert!(
        said.contains("under S3 Object Lock (COMPLIANCE mode, 30 days)"),
        "{said}"
    );
    let settings = fs::read_to_string(lead.join("workspace.toml")).unwrap();
    assert!(settings.contains(&url), "{settings}");
    assert!(
        !settings.contains(&format!(":{PG_PASSWORD}@")),
        "{settings}"
    );
    assert!(
        !settings.to_lowercase().contains("password ="),
        "{settings}"
    );
    assert!(ok(&connect(&engineer, &url, &location)).contains("schema up to date"));

    ok(&member(
        &lead,
        &["project", "create", "Payments", "--services", "ec2,rds,s3"],
    ));
    let file = tmp.path().join("iam-users.csv");
    fs::write(&file, "user,mfa\nana,yes\n").unwrap();
    ok(&member(
        &engineer,
        &[
            "evidence",
            "add",
            "--project",
            "Payments",
            "--control",
            "SRM-CUS-IAM-03",
            "--collected",
            "2026-11-01",
            file.to_str().unwrap(),
        ],
    ));

    // The lead sees the engineer's evidence, recorded as the engineer's login.
    let listed: Value = serde_json::from_str(ok(&member(
        &lead,
        &["evidence", "list", "--project", "Payments", "--json"],
    )))
    .unwrap();
    let evidence = &listed.as_array().unwrap()[0];
    let id = evidence["id"].to_string();
    let sha256 = evidence["sha256"].as_str().unwrap().to_string();
    let bucket = S3Vault::open(location.clone(), s3_credentials()).unwrap();
    assert_eq!(bucket.stored().unwrap(), [(sha256.clone(), 17)]);

    // Removing is a tombstone; the purge keeps the file and says until when.
    ok(&member(
        &lead,
        &[
            "evidence",
            "remove",
            "--project",
            "Payments",
            &id,
            "--reason",
            "superseded",
        ],
    ));
    let purge = member(&lead, &["vault", "purge", "--yes"]);
    let said = ok(&purge);
    assert!(said.contains(&format!("kept  {sha256}")), "{said}");
    assert!(said.contains("under Object Lock until"), "{said}");
    assert_eq!(bucket.stored().unwrap().len(), 1);

    let verify = member(&engineer, &["verify"]);
    let said = ok(&verify);
    assert!(said.contains("chain intact"), "{said}");
    assert!(
        said.contains(&format!(
            "evidence vault: {}, under S3 Object Lock",
            location.url()
        )),
        "{said}"
    );
    let log = ok(&member(&lead, &["log", "--project", "Payments"])).to_string();
    assert!(log.contains("lockstep"), "{log}");
}

#[test]
fn a_team_workspace_exports_a_pack_that_verifies_offline() {
    crate::require_servers!();
    let (url, location) = team_servers();
    let (tmp, dir) = workspace();
    ok(&connect(&dir, &url, &location));
    ok(&member(
        &dir,
        &["project", "create", "Payments", "--services", "ec2"],
    ));
    let file = tmp.path().join("report.pdf");
    fs::write(&file, vec![7u8; 300_000]).unwrap();
    ok(&member(
        &dir,
        &[
            "evidence",
            "add",
            "--project",
            "Payments",
            "--control",
            "SRM-CUS-IAM-03",
            "--collected",
            "2026-11-01",
            file.to_str().unwrap(),
        ],
    ));
    let pack = tmp.path().join("pack.zip");
    ok(&member(
        &dir,
        &[
            "export",
            "--project",
            "Payments",
            "--out",
            pack.to_str().unwrap(),
        ],
    ));
    let checked = run({
        let mut command = binary();
        command.args(["verify-pack", pack.to_str().unwrap()]);
        command
    });
    ok(&checked);
}

#[test]
fn connecting_refuses_a_stored_password_a_missing_bucket_and_a_local_workspace() {
    crate::require_servers!();
    let (url, location) = team_servers();
    let (_tmp, dir) = workspace();
    let with_password = url.replace("lockstep@", "lockstep:secret@");
    let refused = connect(&dir, &with_password, &location);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("leave the password out"),
        "{}",
        refused.stderr
    );
    assert!(!dir.join("workspace.toml").exists());

    let mut missing = location.clone();
    missing.bucket = format!("{}-missing", location.bucket);
    let refused = connect(&dir, &url, &missing);
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("NoSuchBucket") || refused.stderr.contains("404"),
        "{}",
        refused.stderr
    );
    assert!(!dir.join("workspace.toml").exists());

    let (_tmp2, local) = workspace();
    ok(&crate::common::lockstep(&local, &["project", "list"]));
    let refused = connect(&local, &url, &location);
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("holds a local workspace"),
        "{}",
        refused.stderr
    );
}

#[test]
fn an_editor_changes_records_and_a_reader_only_reads() {
    crate::require_servers!();
    let (url, location) = team_servers();
    let (tmp, admin) = workspace();
    ok(&connect(&admin, &url, &location));
    let said = ok(&member(&admin, &["workspace", "init-roles"])).to_string();
    assert!(
        said.contains("lockstep_editor") && said.contains("lockstep_reader"),
        "{said}"
    );
    ok(&member(&admin, &["workspace", "init-roles"]));

    let tag = std::process::id();
    let (editor, reader) = (format!("ana_{tag}"), format!("auditor_{tag}"));
    let mut owner = postgres::Client::connect(
        &url.replace("lockstep@", &format!("lockstep:{PG_PASSWORD}@")),
        postgres::NoTls,
    )
    .unwrap();
    owner
        .batch_execute(&format!(
            "CREATE ROLE {editor} LOGIN PASSWORD 'ana-pw' IN ROLE lockstep_editor;
             CREATE ROLE {reader} LOGIN PASSWORD 'auditor-pw' IN ROLE lockstep_reader;"
        ))
        .unwrap();
    let as_login = |login: &str| url.replace("lockstep@", &format!("{login}@"));
    let connect_as = |dir: &Path, login: &str, password: &str| {
        let endpoint = location.endpoint.clone().unwrap();
        member_with(
            dir,
            password,
            &[
                "workspace",
                "connect",
                "--database",
                &as_login(login),
                "--vault",
                &location.url(),
                "--endpoint",
                &endpoint,
            ],
        )
    };

    let ana = tmp.path().join("ana");
    ok(&connect_as(&ana, &editor, "ana-pw"));
    ok(&member_with(
        &ana,
        "ana-pw",
        &["project", "create", "Payments", "--services", "ec2"],
    ));
    let log = ok(&member_with(
        &ana,
        "ana-pw",
        &["log", "--project", "Payments"],
    ))
    .to_string();
    assert!(log.contains(&editor), "{log}");

    // An editor appends to the log but cannot rewrite it, even outside Lockstep.
    let mut as_ana = postgres::Client::connect(
        &as_login(&editor).replace(&format!("{editor}@"), &format!("{editor}:ana-pw@")),
        postgres::NoTls,
    )
    .unwrap();
    let tampered = as_ana.execute("UPDATE activity SET actor = 'someone else'", &[]);
    assert!(tampered.is_err(), "an editor rewrote the activity log");

    let auditor = tmp.path().join("auditor");
    ok(&connect_as(&auditor, &reader, "auditor-pw"));
    let listed = ok(&member_with(&auditor, "auditor-pw", &["project", "list"])).to_string();
    assert!(listed.contains("Payments"), "{listed}");
    let refused = member_with(
        &auditor,
        "auditor-pw",
        &["project", "create", "Other", "--services", "ec2"],
    );
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(
        refused.stderr.contains("read-only access"),
        "{}",
        refused.stderr
    );
    ok(&member_with(&auditor, "auditor-pw", &["verify"]));

    // A database left behind by an older Lockstep: the reader cannot upgrade it and is told
    // who can; once the owner has, the reader reads again.
    // It stopped at version 12, before the attachments, the migrations' hashes and findings.
    let last = lockstep::store::pg::migrate::SCHEMA_VERSION;
    owner
        .execute("DELETE FROM lockstep_migrations WHERE version > 12", &[])
        .unwrap();
    owner
        .batch_execute(
            "ALTER TABLE lockstep_migrations DROP COLUMN sha256;
             DROP TABLE attachments; DROP FUNCTION attachments_checked;
             ALTER TABLE system_facts DROP COLUMN aws_fedramp_id;
             ALTER TABLE profiles DROP COLUMN resolved_catalog;
             ALTER TABLE assets DROP COLUMN inventory;
             DROP TABLE finding_milestones, finding_deviations, findings, finding_imports;
             ALTER TABLE projects DROP COLUMN package_uri;
             ALTER TABLE signoffs DROP CONSTRAINT signoffs_subject_kind_check;
             ALTER TABLE signoffs ADD CONSTRAINT signoffs_subject_kind_check
                 CHECK (subject_kind IN ('control', 'training', 'patch_cycle'));",
        )
        .unwrap();
    let behind = member_with(&auditor, "auditor-pw", &["project", "list"]);
    assert_eq!(behind.code, 2, "{}", behind.stdout);
    assert!(
        behind
            .stderr
            .contains("ask the database's owner to run `lockstep workspace connect`"),
        "{}",
        behind.stderr
    );
    assert!(ok(&connect(&admin, &url, &location)).contains(&format!("to {last}")));
    ok(&member_with(&auditor, "auditor-pw", &["project", "list"]));
}

#[test]
fn two_processes_editing_at_once_keep_one_chain_and_every_edit() {
    crate::require_servers!();
    let (url, location) = team_servers();
    let (tmp, lead) = workspace();
    let other = tmp.path().join("other");
    ok(&connect(&lead, &url, &location));
    ok(&connect(&other, &url, &location));
    ok(&member(
        &lead,
        &["project", "create", "Payments", "--services", "ec2,rds,s3"],
    ));
    const EDITS: usize = 200;
    let writers: Vec<_> = [("ana", lead.clone()), ("ben", other.clone())]
        .into_iter()
        .map(|(who, dir)| {
            std::thread::spawn(move || {
                for n in 0..EDITS {
                    let owner = format!("{who} {n}");
                    let id = if n % 2 == 0 {
                        "SRM-CUS-IAM-03"
                    } else {
                        "SRM-CUS-OS-02"
                    };
                    let run = member(
                        &dir,
                        &[
                            "control",
                            "set",
                            "--project",
                            "Payments",
                            id,
                            "--owner",
                            &owner,
                        ],
                    );
                    assert_eq!(run.code, 0, "{}", run.stderr);
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let verify = member(&lead, &["verify"]);
    let said = ok(&verify);
    assert!(
        said.contains(&format!(
            "activity log: {} rows, chain intact",
            2 * EDITS + 1
        )),
        "{said}"
    );
    let log = ok(&member(&other, &["log", "--project", "Payments"])).to_string();
    for who in ["ana", "ben"] {
        for n in [0, EDITS - 1] {
            assert!(log.contains(&format!("{who} {n}")), "{who} {n} missing");
        }
    }
}

#[test]
fn an_upload_killed_midway_leaves_no_record_and_its_parts_are_abandoned_on_next_open() {
    crate::require_servers!();
    let (url, location) = team_servers();
    let (tmp, dir) = workspace();
    ok(&connect(&dir, &url, &location));
    ok(&member(
        &dir,
        &["project", "create", "Payments", "--services", "ec2"],
    ));
    let file = tmp.path().join("cloudtrail.json");
    let content: Vec<u8> = (0..96u32 << 20).map(|i| (i % 251) as u8).collect();
    fs::write(&file, &content).unwrap();
    let bucket = S3Vault::open(location.clone(), s3_credentials()).unwrap();
    let folder = format!("{}/sha256/", location.prefix);

    let credentials = s3_credentials();
    let mut command = binary();
    command
        .arg("--workspace")
        .arg(&dir)
        .args([
            "evidence",
            "add",
            "--project",
            "Payments",
            "--control",
            "SRM-CUS-IAM-03",
            "--collected",
            "2026-11-01",
            file.to_str().unwrap(),
        ])
        .env("PGPASSWORD", PG_PASSWORD)
        .env("AWS_ACCESS_KEY_ID", &credentials.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &credentials.secret_key)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = command.spawn().unwrap();
    // Killed once its multipart upload has started, before it can complete.
    let started = std::time::Instant::now();
    while bucket
        .client()
        .unfinished_uploads(&folder)
        .unwrap()
        .is_empty()
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the upload never started"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the upload finished first"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let listed: Value = serde_json::from_str(ok(&member(
        &dir,
        &["evidence", "list", "--project", "Payments", "--json"],
    )))
    .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 0, "{listed}");
    assert!(bucket.stored().unwrap().is_empty());
    // Opening the workspace (the list above) abandoned the unfinished upload.
    assert!(
        bucket
            .client()
            .unfinished_uploads(&folder)
            .unwrap()
            .is_empty()
    );
    ok(&member(&dir, &["verify"]));
}

#[test]
fn findings_imported_into_a_team_workspace_become_a_poam_as_on_a_local_one() {
    crate::require_servers!();
    let (url, location) = team_servers();
    let (tmp, dir) = workspace();
    ok(&connect(&dir, &url, &location));
    ok(&member(
        &dir,
        &["project", "create", "Payments", "--services", "ec2"],
    ));
    let vulnerability = |id: &str, status: &str| {
        serde_json::json!({
            "findingArn": format!("arn:aws:inspector2:us-east-1:111122223333:finding/{id}"),
            "awsAccountId": "111122223333",
            "type": "PACKAGE_VULNERABILITY",
            "severity": "HIGH",
            "status": status,
            "firstObservedAt": "2026-11-02T10:00:00Z",
            "lastObservedAt": "2026-11-20T08:00:00Z",
            "title": format!("CVE-2026-{id} - openssl"),
            "packageVulnerabilityDetails": {"vulnerabilityId": format!("CVE-2026-{id}")},
            "resources": [{"id": "i-0abc1234", "type": "AWS_EC2_INSTANCE"}]
        })
    };
    let hub = serde_json::json!({"Findings": [{
        "Id": "arn:aws:securityhub:us-east-1:111122223333:finding/c1",
        "AwsAccountId": "111122223333",
        "Title": "IAM users should not have policies attached",
        "Severity": {"Label": "MEDIUM"},
        "FirstObservedAt": "2026-11-03T00:00:00Z",
        "UpdatedAt": "2026-11-25T00:00:00Z",
        "Resources": [{"Id": "arn:aws:iam::111122223333:user/ci", "Type": "AwsIamUser"}],
        "Compliance": {"Status": "FAILED", "SecurityControlId": "IAM.2",
                       "RelatedRequirements": ["NIST.800-53.r5 AC-2(1)"]},
        "RecordState": "ACTIVE"
    }]});
    let write = |name: &str, value: &serde_json::Value| {
        let path = tmp.path().join(name);
        fs::write(&path, serde_json::to_vec(value).unwrap()).unwrap();
        path.to_str().unwrap().to_string()
    };
    let first = write(
        "inspector-1.json",
        &serde_json::json!({"findings": [vulnerability("1111", "ACTIVE"), vulnerability("2222", "ACTIVE")]}),
    );
    let second = write(
        "inspector-2.json",
        &serde_json::json!({"findings": [vulnerability("1111", "ACTIVE")]}),
    );
    let hub = write("hub.json", &hub);
    for file in [&first, &hub] {
        ok(&member(
            &dir,
            &["findings", "import", "--project", "Payments", file],
        ));
    }
    let again = ok(&member(
        &dir,
        &["findings", "import", "--project", "Payments", &first],
    ))
    .to_string();
    assert!(again.contains("0 new, 0 updated"), "{again}");
    ok(&member(
        &dir,
        &[
            "findings",
            "import",
            "--project",
            "Payments",
            "--snapshot",
            &second,
        ],
    ));
    let listed: Value = serde_json::from_str(ok(&member(
        &dir,
        &["findings", "list", "--project", "Payments", "--json"],
    )))
    .unwrap();
    let states: Vec<(&str, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [("F-1", "open"), ("F-2", "closed"), ("F-3", "open")]
    );
    ok(&member(
        &dir,
        &[
            "finding",
            "deviate",
            "--project",
            "Payments",
            "F-1",
            "--kind",
            "risk-adjustment",
            "--rationale",
            "Only the bastion reaches it",
            "--adjusted-severity",
            "low",
        ],
    ));
    ok(&member(
        &dir,
        &[
            "signoff",
            "add",
            "--project",
            "Payments",
            "--finding",
            "F-1",
            "--by",
            "Ana Ortiz",
            "--role",
            "ISSO",
            "--statement",
            "Approved",
        ],
    ));
    ok(&member(
        &dir,
        &[
            "finding",
            "set",
            "--project",
            "Payments",
            "F-1",
            "--internet-reachable",
            "no",
            "--likely-exploitable",
            "no",
        ],
    ));
    let out = tmp.path().join("poam");
    let written: Value = serde_json::from_str(ok(&member(
        &dir,
        &[
            "poam",
            "--project",
            "Payments",
            "--out",
            out.to_str().unwrap(),
            "--package-uri",
            "https://fedramp.example.gov/p/F1",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-27",
            "--json",
        ],
    )))
    .unwrap();
    assert_eq!(written["report"]["written"], true, "{written}");
    assert_eq!(written["closed"], 1);
    let document: Value =
        serde_json::from_slice(&fs::read(out.join("poam.json")).unwrap()).unwrap();
    let risks = document["plan-of-action-and-milestones"]["risks"]
        .as_array()
        .unwrap();
    assert!(risks.iter().any(|r| r["status"] == "deviation-approved"));
    ok(&member(&dir, &["verify"]));
}

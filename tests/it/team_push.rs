//! `lockstep workspace push`: a local workspace moved into a team workspace, through the real
//! binary, on a real PostgreSQL server and a real S3 server with Object Lock. The team folder
//! then shows the same projects, evidence and log, and verifies; pushing again changes
//! nothing; a push cut short is finished by the next; and a push that does not fit is refused.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{Run, lockstep, workspace};
use crate::servers::PG_PASSWORD;
use crate::team::{connect, member, ok, team_servers};

const PROJECT: &str = "Payments";

fn refused<'a>(run: &'a Run, says: &str) -> &'a str {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(run.stderr.contains(says), "{}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    &run.stderr
}

/// A connected team folder on a fresh database and a fresh bucket under Object Lock;
/// returns the folder and the database URL.
fn team_workspace(parent: &Path, name: &str) -> (PathBuf, String) {
    let (url, location) = team_servers();
    let dir = parent.join(name);
    ok(&connect(&dir, &url, &location));
    (dir, url)
}

/// A direct session on the team database, as its administrator.
fn admin(url: &str) -> postgres::Client {
    let url = url.replace("lockstep@", &format!("lockstep:{PG_PASSWORD}@"));
    postgres::Client::connect(&url, postgres::NoTls).unwrap()
}

fn local(dir: &Path, args: &[&str]) {
    let done = lockstep(dir, args);
    assert_eq!(done.code, 0, "{args:?}: {}", done.stderr);
}

/// A local workspace with a project, evidence, a trained person with a certificate, a patch
/// with evidence, an AWS report with a bridge letter, and a request with a file.
fn populated(dir: &Path, files: &Path) {
    fs::create_dir_all(files).unwrap();
    let file = |name: &str, content: &[u8]| {
        let path = files.join(name);
        fs::write(&path, content).unwrap();
        path.to_str().unwrap().to_string()
    };
    local(
        dir,
        &["project", "create", PROJECT, "--services", "ec2,rds,s3"],
    );
    local(dir, &["settings", "set-user-name", "Ana Lead"]);
    for (control, name, content) in [
        (
            "SRM-CUS-IAM-03",
            "iam-report.csv",
            &b"user,mfa\nana,yes\n"[..],
        ),
        ("SRM-AWS-PE-01", "soc2 summary.pdf", &[7u8; 150_000][..]),
    ] {
        let path = file(name, content);
        local(
            dir,
            &[
                "evidence",
                "add",
                "--project",
                PROJECT,
                "--control",
                control,
                "--collected",
                "2026-11-01",
                &path,
            ],
        );
    }
    local(
        dir,
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            "SRM-CUS-IAM-03",
            "--status",
            "implemented",
            "--owner",
            "Ana",
        ],
    );
    local(dir, &["person", "add", "Bo", "--email", "bo@example.com"]);
    local(
        dir,
        &["course", "add", "Security awareness", "--every-days", "365"],
    );
    let certificate = file("bo-certificate.pdf", b"%PDF-1.4 certificate for Bo");
    local(
        dir,
        &[
            "training",
            "record",
            "--email",
            "bo@example.com",
            "--course",
            "Security awareness",
            "--completed",
            "2026-02-01",
            "--certificate",
            &certificate,
        ],
    );
    local(
        dir,
        &[
            "asset",
            "add",
            "--project",
            PROJECT,
            "web-1",
            "--kind",
            "instance",
            "--managed-by",
            "customer",
        ],
    );
    let scan = file("scan.txt", b"CVE-2026-0001 fixed on web-1");
    local(
        dir,
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
            "critical",
            "--released",
            "2026-10-01",
            "--applied",
            "2026-10-04",
            "--evidence",
            &scan,
        ],
    );
    let report = file("aws-soc2.pdf", b"AWS SOC 2 report");
    let bridge = file("bridge.pdf", b"AWS bridge letter");
    local(
        dir,
        &[
            "aws-report",
            "add",
            &report,
            "--kind",
            "soc2-type2",
            "--title",
            "AWS SOC 2 Type II",
            "--period-start",
            "2025-10-01",
            "--period-end",
            "2026-09-30",
            "--services",
            "ec2,s3",
            "--bridge-letter",
            &bridge,
            "--bridge-until",
            "2026-12-31",
        ],
    );
    let list = file(
        "requests.csv",
        b"ID,Request,Due\nR-1,Firewall rules,2027-01-15\nR-2,Change tickets,2027-01-20\n",
    );
    local(dir, &["request", "import", "--project", PROJECT, &list]);
    let tickets = file("tickets.csv", b"ticket,date\nCHG-1,2026-10-02\n");
    local(
        dir,
        &["request", "attach", "--project", PROJECT, "R-2", &tickets],
    );
}

fn push(from: &Path, to: &Path) -> Run {
    member(from, &["workspace", "push", "--to", to.to_str().unwrap()])
}

/// What a member sees: projects, evidence, the log and the training roster, as printed.
fn seen(dir: &Path, run_as: fn(&Path, &[&str]) -> Run) -> Vec<String> {
    [
        &["project", "list", "--json"][..],
        &["evidence", "list", "--project", PROJECT, "--json"],
        &["log", "--project", PROJECT],
        &["request", "list", "--project", PROJECT, "--json"],
        &["aws-report", "list", "--json"],
        &["patch", "status", "--project", PROJECT, "--json"],
        &["control", "list", "--project", PROJECT, "--json"],
    ]
    .iter()
    .map(|args| ok(&run_as(dir, args)).to_string())
    .collect()
}

#[test]
fn a_pushed_workspace_reads_and_verifies_the_same_in_the_team_and_a_second_push_changes_nothing() {
    crate::require_servers!();
    let (tmp, dir) = workspace();
    populated(&dir, &tmp.path().join("files"));
    let (team, _url) = team_workspace(tmp.path(), "team");

    let pushed = push(&dir, &team);
    let said = ok(&pushed).to_string();
    assert!(said.contains("chain intact: "), "{said}");
    assert!(
        said.contains("files: 7 uploaded, 0 already there"),
        "{said}"
    );
    assert!(said.contains("all 7 files intact"), "{said}");
    assert!(said.contains("  evidence: 2 copied"), "{said}");
    assert!(
        pushed.stderr.contains("uploading 7 files"),
        "{}",
        pushed.stderr
    );

    assert_eq!(seen(&team, member), seen(&dir, lockstep));
    let verified = member(&team, &["verify"]);
    assert!(
        ok(&verified).contains("chain intact"),
        "{}",
        verified.stdout
    );

    // The pusher keeps the name they chose; it is kept under their login.
    let settings = ok(&member(&team, &["settings", "show"])).to_string();
    assert!(settings.contains("Ana Lead"), "{settings}");

    let again = push(&dir, &team);
    let said = ok(&again).to_string();
    assert!(said.contains("records: 0 rows copied"), "{said}");
    assert!(
        said.contains("files: 0 uploaded, 7 already there"),
        "{said}"
    );

    // The team carries on where the local log stopped, with fresh ids.
    ok(&member(
        &team,
        &["project", "create", "Second", "--services", "s3"],
    ));
    let evidence = tmp.path().join("files/later.txt");
    fs::write(&evidence, "added by the team").unwrap();
    ok(&member(
        &team,
        &[
            "evidence",
            "add",
            "--project",
            PROJECT,
            "--control",
            "SRM-CUS-IAM-03",
            "--collected",
            "2026-11-02",
            evidence.to_str().unwrap(),
        ],
    ));
    ok(&member(&team, &["verify"]));
    // Now the team database holds changes this workspace never made.
    refused(&push(&dir, &team), "not this workspace's");
}

#[test]
fn a_push_cut_short_is_finished_by_the_next_one() {
    crate::require_servers!();
    let (tmp, dir) = workspace();
    populated(&dir, &tmp.path().join("files"));
    let (team, url) = team_workspace(tmp.path(), "team");
    ok(&push(&dir, &team));

    // As if the records had stopped part way: the last rows of the log, the request's file
    // and a training record are gone; the files stay in the bucket.
    let mut db = admin(&url);
    db.batch_execute(
        "DELETE FROM request_evidence;
         DELETE FROM request_files;
         DELETE FROM training;
         DELETE FROM activity WHERE seq > (SELECT MAX(seq) - 3 FROM activity);",
    )
    .unwrap();
    let broken = member(&team, &["verify"]);
    assert_eq!(broken.code, 1, "{}", broken.stdout);

    let finished = push(&dir, &team);
    let said = ok(&finished).to_string();
    assert!(said.contains("  activity: 3 copied"), "{said}");
    assert!(said.contains("  training: 1 copied"), "{said}");
    assert!(
        said.contains("files: 0 uploaded, 7 already there"),
        "{said}"
    );
    ok(&member(&team, &["verify"]));
    assert_eq!(seen(&team, member), seen(&dir, lockstep));

    // Work done locally before the team took over is brought across by another push.
    local(
        &dir,
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            "SRM-CUS-IAM-03",
            "--status",
            "in_progress",
        ],
    );
    let caught_up = push(&dir, &team);
    let said = ok(&caught_up).to_string();
    assert!(said.contains("  controls: 0 copied, 1 updated"), "{said}");
    assert!(said.contains("  activity: 1 copied"), "{said}");
    ok(&member(&team, &["verify"]));
    assert_eq!(seen(&team, member), seen(&dir, lockstep));
}

#[test]
fn a_push_is_refused_from_a_team_or_missing_workspace_to_a_local_folder_or_onto_other_records() {
    crate::require_servers!();
    let (tmp, dir) = workspace();
    local(&dir, &["project", "create", PROJECT, "--services", "ec2"]);
    let (team, _url) = team_workspace(tmp.path(), "team");

    let plain = tmp.path().join("plain");
    fs::create_dir_all(&plain).unwrap();
    refused(&push(&dir, &plain), "not a team workspace");
    refused(
        &push(&dir, &tmp.path().join("nowhere")),
        "not a team workspace",
    );
    refused(&push(&team, &team), "is a team workspace already");
    refused(
        &push(&tmp.path().join("missing"), &team),
        "no local workspace to push from",
    );
    assert!(!tmp.path().join("missing").exists());

    // A team that has started on its own has a log of its own.
    ok(&member(
        &team,
        &["project", "create", "Theirs", "--services", "s3"],
    ));
    refused(&push(&dir, &team), "not this workspace's");
    let projects = ok(&member(&team, &["project", "list", "--json"])).to_string();
    assert!(!projects.contains(PROJECT), "{projects}");
}

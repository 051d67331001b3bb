//! Findings from AWS's tools through the real binary: an Inspector export imported,
//! imported again (nothing changes, nothing is logged), a complete export closing what it
//! no longer lists and reopening what comes back, patch records kept in line, Security Hub
//! checks landing on the controls their NIST ids name, deviations counting once signed off,
//! and files that are no findings export refused.

use std::fs;
use std::path::Path;

use crate::common::{lockstep, workspace};
use serde_json::{Value, json};

const PROJECT: &str = "Payments platform";

pub(crate) fn inspector_finding(
    id: &str,
    severity: &str,
    cve: &str,
    first: &str,
    status: &str,
) -> Value {
    json!({
        "findingArn": format!("arn:aws:inspector2:us-east-1:111122223333:finding/{id}"),
        "awsAccountId": "111122223333",
        "type": "PACKAGE_VULNERABILITY",
        "severity": severity,
        "status": status,
        "fixAvailable": "YES",
        "firstObservedAt": first,
        "lastObservedAt": "2026-11-20T08:00:00Z",
        "updatedAt": "2026-11-20T08:00:00Z",
        "title": format!("{cve} - openssl"),
        "description": "A flaw in <b>openssl</b> lets a remote peer read memory.",
        "packageVulnerabilityDetails": {
            "vulnerabilityId": cve,
            "vulnerablePackages": [{"name": "openssl", "version": "3.0.1", "fixedInVersion": "3.0.9"}]
        },
        "resources": [{"id": "i-0abc1234", "type": "AWS_EC2_INSTANCE"}]
    })
}

fn write(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    path.display().to_string()
}

fn findings(dir: &Path) -> Vec<Value> {
    let listed = lockstep(dir, &["findings", "list", "--project", PROJECT, "--json"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    listed.json().as_array().unwrap().clone()
}

fn log_rows(dir: &Path) -> usize {
    let log = lockstep(dir, &["log", "--project", PROJECT, "--json"]);
    assert_eq!(log.code, 0, "{log:?}");
    log.json().as_array().unwrap().len()
}

fn setup(dir: &Path) {
    let created = lockstep(dir, &["project", "create", PROJECT, "--services", "ec2,s3"]);
    assert_eq!(created.code, 0, "{created:?}");
}

#[test]
fn an_inspector_export_becomes_findings_and_patch_records_and_a_second_import_changes_nothing() {
    let (_tmp, dir) = workspace();
    setup(&dir);
    let file = write(
        &dir,
        "inspector.csv", // the name says CSV; the content decides
        &json!({"findings": [
            inspector_finding("a1", "HIGH", "CVE-2026-1111", "2026-11-01T10:00:00Z", "ACTIVE"),
            inspector_finding("a2", "UNTRIAGED", "CVE-2026-2222", "2026-11-02T10:00:00Z", "ACTIVE"),
            inspector_finding("a3", "SEVERE", "CVE-2026-3333", "2026-11-02T10:00:00Z", "ACTIVE"),
        ]}),
    );
    let imported = lockstep(&dir, &["findings", "import", "--project", PROJECT, &file]);
    assert_eq!(
        imported.code, 2,
        "a refused record makes exit 2: {imported:?}"
    );
    assert!(
        imported
            .stderr
            .contains("record 3: unknown severity 'SEVERE'"),
        "{imported:?}"
    );
    assert!(imported.stdout.contains("2 new"), "{imported:?}");
    let listed = findings(&dir);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["severity"], "high");
    assert_eq!(listed[0]["vulnerability"], "CVE-2026-1111");
    assert_eq!(
        listed[0]["deadline"], "2026-12-01",
        "high: 30 days from first detection"
    );
    assert_eq!(listed[1]["severity"], "informational");
    assert_eq!(
        listed[1]["deadline"],
        Value::Null,
        "informational has no deadline"
    );

    let patches = lockstep(&dir, &["patch", "status", "--project", PROJECT, "--json"]);
    let patches = patches.json();
    let patches = patches.as_array().unwrap();
    assert_eq!(
        patches.len(),
        1,
        "only the finding with a deadline is a patch record"
    );
    assert_eq!(patches[0]["asset"], "i-0abc1234");
    assert_eq!(patches[0]["released_on"], "2026-11-01");
    assert_eq!(patches[0]["applied_on"], Value::Null);

    let rows = log_rows(&dir);
    let again = lockstep(&dir, &["findings", "import", "--project", PROJECT, &file]);
    assert!(again.stdout.contains("0 new, 0 updated"), "{again:?}");
    assert_eq!(log_rows(&dir), rows, "the same file again logs nothing");
    assert_eq!(findings(&dir), listed, "and changes nothing");
}

#[test]
fn a_complete_export_closes_what_it_no_longer_lists_and_a_finding_that_returns_keeps_its_first_detection()
 {
    let (_tmp, dir) = workspace();
    setup(&dir);
    let both = write(
        &dir,
        "november.json",
        &json!({"findings": [
            inspector_finding("a1", "CRITICAL", "CVE-2026-1111", "2026-11-01T10:00:00Z", "ACTIVE"),
            inspector_finding("a2", "LOW", "CVE-2026-2222", "2026-11-02T10:00:00Z", "ACTIVE"),
        ]}),
    );
    let mut later = inspector_finding(
        "a2",
        "LOW",
        "CVE-2026-2222",
        "2026-11-02T10:00:00Z",
        "ACTIVE",
    );
    later["lastObservedAt"] = json!("2026-11-28T08:00:00Z");
    let one = write(&dir, "december.json", &json!({"findings": [later]}));
    assert_eq!(
        lockstep(&dir, &["findings", "import", "--project", PROJECT, &both]).code,
        0
    );
    let snapshot = lockstep(
        &dir,
        &[
            "findings",
            "import",
            "--project",
            PROJECT,
            "--snapshot",
            &one,
        ],
    );
    assert_eq!(snapshot.code, 0, "{snapshot:?}");
    assert!(snapshot.stdout.contains("1 closed"), "{snapshot:?}");
    let listed = findings(&dir);
    assert_eq!(listed[0]["state"], "closed");
    assert_eq!(listed[0]["closed_reason"], "no-longer-reported");
    assert_eq!(
        listed[0]["closed_on"], "2026-11-28",
        "on the file's own date"
    );
    let patches = lockstep(&dir, &["patch", "status", "--project", PROJECT, "--json"]).json();
    let critical = patches
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["advisory"] == "CVE-2026-1111")
        .unwrap()
        .clone();
    assert_eq!(critical["applied_on"], "2026-11-28");

    let back = lockstep(&dir, &["findings", "import", "--project", PROJECT, &both]);
    assert!(back.stdout.contains("1 reopened"), "{back:?}");
    let listed = findings(&dir);
    assert_eq!(listed[0]["closed_on"], Value::Null);
    assert_eq!(listed[0]["first_seen"], "2026-11-01T10:00:00Z");
    assert_eq!(listed.len(), 2, "never doubled");
}

#[test]
fn security_hub_checks_land_on_the_controls_their_nist_ids_name_and_the_file_is_their_evidence() {
    let (_tmp, dir) = workspace();
    setup(&dir);
    let check = |id: &str, status: &str, requirement: &str| {
        json!({
            "Id": format!("arn:aws:securityhub:us-east-1:111122223333:finding/{id}"),
            "AwsAccountId": "111122223333",
            "Title": "IAM users should not have IAM policies attached",
            "Description": "Checks whether IAM users have policies attached.",
            "Severity": {"Label": "MEDIUM"},
            "FirstObservedAt": "2026-11-03T00:00:00Z",
            "UpdatedAt": "2026-11-25T00:00:00Z",
            "CreatedAt": "2026-11-03T00:00:00Z",
            "Resources": [{"Id": "arn:aws:iam::111122223333:user/ci", "Type": "AwsIamUser"}],
            "Compliance": {
                "Status": status,
                "SecurityControlId": "IAM.2",
                "RelatedRequirements": [requirement, "PCI DSS v4.0.1/7.2.1"]
            },
            "Workflow": {"Status": "NEW"},
            "RecordState": "ACTIVE"
        })
    };
    let file = write(
        &dir,
        "securityhub.json",
        &json!({"Findings": [
            check("c1", "FAILED", "NIST.800-53.r5 AC-2(1)"),
            check("c2", "PASSED", "NIST.800-53.r5 AC-2(1)"),
        ]}),
    );
    let imported = lockstep(&dir, &["findings", "import", "--project", PROJECT, &file]);
    assert_eq!(imported.code, 0, "{imported:?}");
    let listed = findings(&dir);
    assert_eq!(listed[0]["kind"], "check");
    assert_eq!(listed[0]["controls"], json!(["AC-2(1)"]));
    assert_eq!(listed[0]["state"], "open");
    assert_eq!(
        listed[1]["state"], "closed",
        "a passed check is nothing to fix"
    );
    // The built-in set maps controls to AC-2, the base of AC-2(1): the file is evidence of them.
    let evidence = lockstep(&dir, &["evidence", "list", "--project", PROJECT, "--json"]).json();
    let evidence = evidence.as_array().unwrap();
    assert!(!evidence.is_empty(), "the export is filed as evidence");
    assert!(
        evidence
            .iter()
            .all(|e| e["file_name"] == "securityhub.json")
    );
    assert!(
        evidence.iter().all(|e| e["collected_on"] == "2026-11-25"),
        "collected on the export's newest date"
    );
}

#[test]
fn a_deviation_counts_once_signed_off_and_goes_stale_when_the_finding_changes() {
    let (_tmp, dir) = workspace();
    setup(&dir);
    let first = write(
        &dir,
        "one.json",
        &json!({"findings": [inspector_finding("a1", "HIGH", "CVE-2026-1111", "2026-11-01T10:00:00Z", "ACTIVE")]}),
    );
    assert_eq!(
        lockstep(&dir, &["findings", "import", "--project", PROJECT, &first]).code,
        0
    );
    let asked = lockstep(
        &dir,
        &[
            "finding",
            "deviate",
            "--project",
            PROJECT,
            "F-1",
            "--kind",
            "risk-adjustment",
            "--rationale",
            "Only reachable from the bastion subnet",
            "--adjusted-severity",
            "low",
        ],
    );
    assert_eq!(asked.code, 0, "{asked:?}");
    assert_eq!(findings(&dir)[0]["deviation"]["state"], "requested");
    assert_eq!(
        findings(&dir)[0]["deadline"],
        "2026-12-01",
        "not yet: unsigned"
    );
    let signed = lockstep(
        &dir,
        &[
            "signoff",
            "add",
            "--project",
            PROJECT,
            "--finding",
            "F-1",
            "--by",
            "Ana Ortiz",
            "--role",
            "ISSO",
            "--statement",
            "Risk adjustment approved",
        ],
    );
    assert_eq!(signed.code, 0, "{signed:?}");
    let listed = findings(&dir);
    assert_eq!(listed[0]["deviation"]["state"], "approved");
    assert_eq!(listed[0]["effective_severity"], "low");
    assert_eq!(listed[0]["deadline"], "2027-04-30", "low: 180 days");

    let changed = write(
        &dir,
        "two.json",
        &json!({"findings": [inspector_finding("a1", "CRITICAL", "CVE-2026-1111", "2026-11-01T10:00:00Z", "ACTIVE")]}),
    );
    lockstep(
        &dir,
        &["findings", "import", "--project", PROJECT, &changed],
    );
    let listed = findings(&dir);
    assert_eq!(
        listed[0]["deviation"]["state"], "requested",
        "stale once it changed"
    );
    assert_eq!(listed[0]["effective_severity"], "critical");

    let bad = lockstep(
        &dir,
        &[
            "finding",
            "deviate",
            "--project",
            PROJECT,
            "F-1",
            "--kind",
            "wishful",
            "--rationale",
            "x",
        ],
    );
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(
        bad.stderr
            .contains("false-positive, operational-requirement or risk-adjustment")
    );
    let unknown = lockstep(
        &dir,
        &[
            "finding",
            "milestone",
            "--project",
            PROJECT,
            "F-99",
            "--due",
            "2027-01-01",
            "--text",
            "x",
        ],
    );
    assert_eq!(unknown.code, 2, "{unknown:?}");
}

#[test]
fn files_that_are_no_findings_export_are_refused_with_the_formats_it_reads() {
    let (_tmp, dir) = workspace();
    setup(&dir);
    let cases: [(&str, &[u8]); 4] = [
        ("random.json", b"{\"Reservations\": []}"),
        ("noise.bin", &[0u8, 159, 146, 150, 255, 1, 2, 3]),
        (
            "cut.json",
            b"{\"findings\": [{\"findingArn\": \"arn:a\", \"severity\"",
        ),
        ("empty.json", b""),
    ];
    for (name, bytes) in cases {
        let path = dir.join(name);
        fs::write(&path, bytes).unwrap();
        let run = lockstep(
            &dir,
            &[
                "findings",
                "import",
                "--project",
                PROJECT,
                &path.display().to_string(),
            ],
        );
        assert_eq!(run.code, 2, "{name}: {run:?}");
        assert!(!run.stderr.contains("panicked"), "{name}: {run:?}");
        assert_eq!(
            run.stderr.trim().lines().count(),
            1,
            "one sentence: {run:?}"
        );
    }
    assert!(findings(&dir).is_empty(), "nothing half-imported");
}

#[test]
fn the_pack_carries_the_findings_with_hostile_text_neutralised_and_verifies() {
    use std::io::Read as _;

    let (_tmp, dir) = workspace();
    setup(&dir);
    let mut hostile = inspector_finding(
        "a1",
        "HIGH",
        "CVE-2026-1111",
        "2026-11-01T10:00:00Z",
        "ACTIVE",
    );
    hostile["title"] = json!("=HYPERLINK(\"http://x\")");
    hostile["resources"][0]["id"] = json!("<script>alert(1)</script>");
    let file = write(&dir, "inspector.json", &json!({"findings": [hostile]}));
    assert_eq!(
        lockstep(&dir, &["findings", "import", "--project", PROJECT, &file]).code,
        0
    );
    let pack = dir.join("pack.zip");
    let exported = lockstep(
        &dir,
        &[
            "export",
            "--project",
            PROJECT,
            "--out",
            pack.to_str().unwrap(),
        ],
    );
    assert_eq!(exported.code, 0, "{exported:?}");
    let mut archive = zip::ZipArchive::new(fs::File::open(&pack).unwrap()).unwrap();
    let name = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .find(|n| n.ends_with("findings.csv"))
        .expect("findings.csv in the pack");
    let mut csv = String::new();
    archive
        .by_name(&name)
        .unwrap()
        .read_to_string(&mut csv)
        .unwrap();
    assert!(csv.starts_with("id,source,source_id,kind"), "{csv}");
    assert!(csv.contains("F-1,inspector,"), "{csv}");
    assert!(
        !csv.contains(",=HYPERLINK"),
        "a formula is neutralised: {csv}"
    );
    let html_name = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .find(|n| n.ends_with("index.html"))
        .expect("index.html in the pack");
    let mut html = String::new();
    archive
        .by_name(&html_name)
        .unwrap()
        .read_to_string(&mut html)
        .unwrap();
    assert!(
        html.contains("<section class=\"part\" id=\"findings\">"),
        "a Findings section"
    );
    assert!(html.contains("1 open"), "counted as of the pack's date");
    assert!(
        html.contains("=HYPERLINK(&quot;http://x&quot;)"),
        "the title is escaped"
    );
    assert!(!html.contains("<script>"), "no markup from the file");
    let verified = lockstep(&dir, &["verify-pack", pack.to_str().unwrap()]);
    assert_eq!(verified.code, 0, "{verified:?}");
}

#[test]
fn what_the_tools_cannot_know_is_set_by_a_person_and_logged_once() {
    let (_tmp, dir) = workspace();
    setup(&dir);
    let file = write(
        &dir,
        "one.json",
        &json!({"findings": [inspector_finding("a1", "HIGH", "CVE-2026-1111", "2026-11-01T10:00:00Z", "ACTIVE")]}),
    );
    assert_eq!(
        lockstep(&dir, &["findings", "import", "--project", PROJECT, &file]).code,
        0
    );
    assert_eq!(findings(&dir)[0]["internet_reachable"], Value::Null);
    let set = [
        "finding",
        "set",
        "--project",
        PROJECT,
        "F-1",
        "--internet-reachable",
        "no",
        "--likely-exploitable",
        "yes",
    ];
    let said = lockstep(&dir, &set);
    assert_eq!(said.code, 0, "{said:?}");
    assert!(
        said.stdout
            .contains("internet reachable no, likely exploitable yes")
    );
    let rows = log_rows(&dir);
    assert_eq!(lockstep(&dir, &set).code, 0);
    assert_eq!(log_rows(&dir), rows, "the same facts again log nothing");
    let listed = findings(&dir);
    assert_eq!(listed[0]["internet_reachable"], false);
    assert_eq!(listed[0]["likely_exploitable"], true);
    let bad = lockstep(
        &dir,
        &[
            "finding",
            "set",
            "--project",
            PROJECT,
            "F-1",
            "--internet-reachable",
            "maybe",
        ],
    );
    assert_eq!(bad.code, 2, "{bad:?}");
    let nothing = lockstep(&dir, &["finding", "set", "--project", PROJECT, "F-1"]);
    assert_eq!(nothing.code, 2, "{nothing:?}");
}

#[test]
fn killing_an_import_at_any_moment_leaves_the_workspace_as_before_or_as_after() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    const COUNT: usize = 5_000;
    let sources = tempfile::tempdir().unwrap();
    let file = sources.path().join("inspector.json");
    {
        let mut out = std::io::BufWriter::new(fs::File::create(&file).unwrap());
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        lockstep::import::findings::sample::write_sample_inspector_json(&mut out, COUNT, day)
            .unwrap();
    }
    let file = file.to_str().unwrap().to_string();
    let import = ["findings", "import", "--project", PROJECT, file.as_str()];

    // An uncut run places the kills.
    let (_tmp, dir) = workspace();
    setup(&dir);
    let started = Instant::now();
    let run = lockstep(&dir, &import);
    let full = started.elapsed();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(findings(&dir).len(), COUNT);

    let mut seen = Vec::new();
    for share in [0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 1.0] {
        let (_tmp, dir) = workspace();
        setup(&dir);
        let rows_before = log_rows(&dir);
        let mut child = crate::common::binary()
            .arg("--workspace")
            .arg(&dir)
            .args(import)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(share).max(Duration::from_millis(1)));
        let _ = child.kill();
        child.wait().unwrap();
        let count = findings(&dir).len();
        assert!(
            count == 0 || count == COUNT,
            "killed at {share} of the run: {count} findings are visible"
        );
        let rows = log_rows(&dir);
        assert_eq!(
            rows,
            rows_before + usize::from(count == COUNT),
            "one log row exactly when the import landed"
        );
        let verified = lockstep(&dir, &["verify"]);
        assert_eq!(verified.code, 0, "killed at {share}: {verified:?}");
        // Importing again after the kill finishes the job, whatever the kill left.
        let again = lockstep(&dir, &import);
        assert_eq!(again.code, 0, "{again:?}");
        assert_eq!(findings(&dir).len(), COUNT);
        seen.push(count);
    }
    println!("uncut import took {full:?}; findings visible after each kill: {seen:?}");
}

//! `lockstep poam` through the real binary: the OSCAL POA&M and FedRAMP's workbook listing
//! each weakness under a POAM ID that stays put, FedRAMP's vulnerability detail report
//! written only when the package URI and a person's evaluations are there, both valid
//! against the schemas in the shared data, the same bytes from the same workspace, and the
//! pack carrying them under `poam/`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};

use crate::common::{assert_valid_with as assert_valid, lockstep, workspace};

const PROJECT: &str = "Payments platform";

/// An Inspector finding whose description runs over two lines and whose resource id has
/// spaces around it, as hand-edited exports do.
fn vulnerability(id: &str, severity: &str, cve: &str, first: &str, status: &str) -> Value {
    let mut finding = crate::findings::inspector_finding(id, severity, cve, first, status);
    finding["description"] = json!("A flaw in openssl lets a remote peer\nread memory.");
    finding["resources"][0]["id"] = json!(" i-0abc1234 ");
    finding
}

fn failing_check() -> Value {
    json!({
        "Id": "arn:aws:securityhub:us-east-1:111122223333:finding/c1",
        "AwsAccountId": "111122223333",
        "Title": "=HYPERLINK(\"http://x\") IAM users should not have policies attached",
        "Description": "Checks whether IAM users have policies attached.",
        "Severity": {"Label": "MEDIUM"},
        "FirstObservedAt": "2026-11-03T00:00:00Z",
        "UpdatedAt": "2026-11-25T00:00:00Z",
        "Resources": [{"Id": "arn:aws:iam::111122223333:user/ci", "Type": "AwsIamUser"}],
        "Compliance": {
            "Status": "FAILED",
            "SecurityControlId": "IAM.2",
            "RelatedRequirements": ["NIST.800-53.r5 AC-2(1)"]
        },
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE"
    })
}

fn write(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    path.display().to_string()
}

/// A project with two open vulnerabilities (one late), one fixed, a failing check naming
/// AC-2(1) and a control past its due date.
fn project_with_weaknesses(dir: &Path) {
    let run = lockstep(dir, &["project", "create", PROJECT, "--services", "ec2,s3"]);
    assert_eq!(run.code, 0, "{run:?}");
    let inspector = write(
        dir,
        "inspector.json",
        &json!({"findings": [
            vulnerability("a1", "CRITICAL", "CVE-2026-1111", "2026-10-01T10:00:00Z", "ACTIVE"),
            vulnerability("a2", "MEDIUM", "CVE-2026-2222", "2026-11-10T10:00:00Z", "ACTIVE"),
            vulnerability("a3", "HIGH", "CVE-2026-3333", "2026-10-20T10:00:00Z", "CLOSED"),
        ]}),
    );
    let hub = write(dir, "hub.json", &json!({"Findings": [failing_check()]}));
    for file in [&inspector, &hub] {
        let run = lockstep(dir, &["findings", "import", "--project", PROJECT, file]);
        assert_eq!(run.code, 0, "{run:?}");
    }
    let run = lockstep(
        dir,
        &[
            "control",
            "set",
            "--project",
            PROJECT,
            "SRM-CUS-NET-03",
            "--due",
            "2026-11-15",
            "--owner",
            "Ana Ortiz",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
}

fn poam(dir: &Path, out: &Path, extra: &[&str]) -> crate::common::Run {
    let mut args = vec!["poam", "--project", PROJECT, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    lockstep(dir, &args)
}

const PERIOD: [&str; 4] = ["--from", "2026-11-01", "--to", "2026-11-27"];

fn json_file(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

fn shared_data() -> Option<PathBuf> {
    crate::common::shared_data("")
}

fn oscal_validator(data: &Path) -> jsonschema::Validator {
    let schema = json_file(&data.join("oscal/schemas-1.1.3/oscal_complete_schema.json"));
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// FedRAMP's report schema with its common definitions. The report schema points into the
/// definitions as `…schema-2026-06-24.json/$defs/x`, a path rather than a fragment; read as
/// the fragment `#/$defs/x` it means, and the definitions served from their own `$id`.
fn vdr_validator(data: &Path) -> jsonschema::Validator {
    let dir = data.join("fedramp/schemas-2026-06-24");
    let common_text =
        fs::read_to_string(dir.join("fedramp-common-definitions-schema-2026-06-24.json")).unwrap();
    let common: Value = serde_json::from_str(&common_text).unwrap();
    let id = common["$id"].as_str().unwrap().to_string();
    let report_text =
        fs::read_to_string(dir.join("fedramp-vulnerability-detail-report-schema-2026-06-24.json"))
            .unwrap()
            .replace(&format!("{id}/$defs/"), &format!("{id}#/$defs/"));
    let report: Value = serde_json::from_str(&report_text).unwrap();
    let registry = jsonschema::Registry::new()
        .add(id, common)
        .unwrap()
        .prepare()
        .unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&report)
        .unwrap()
}

fn poam_ids(document: &Value) -> Vec<String> {
    document["plan-of-action-and-milestones"]["poam-items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            item["props"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "POAM-ID")
                .unwrap()["value"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_poam_lists_each_weakness_under_a_stable_id_and_the_report_waits_for_what_people_know() {
    let (_tmp, dir) = workspace();
    project_with_weaknesses(&dir);
    let out = dir.join("poam");

    // No package URI yet: the POA&M files are written, the report is not, and it says why.
    let first = poam(&dir, &out, &PERIOD);
    assert_eq!(first.code, 0, "{first:?}");
    assert!(out.join("poam.json").is_file() && out.join("poam.xlsx").is_file());
    assert!(!out.join("vulnerability-detail-report.json").exists());
    assert!(first.stderr.contains("package URI"), "{first:?}");

    let document = json_file(&out.join("poam.json"));
    let ids: BTreeSet<String> = poam_ids(&document).into_iter().collect();
    let expected: BTreeSet<String> = [
        "V-1",
        "V-2",
        "V-3",
        "C-SRM-CUS-IAM-01",
        "C-SRM-CUS-IAM-02",
        "C-SRM-CUS-IAM-07",
        "D-SRM-CUS-NET-03",
    ]
    .map(String::from)
    .into();
    assert_eq!(ids, expected);
    let plan = &document["plan-of-action-and-milestones"];
    let risks = plan["risks"].as_array().unwrap();
    let statuses: BTreeSet<&str> = risks
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, BTreeSet::from(["open", "closed"]));
    let impacted: Vec<&str> = risks
        .iter()
        .flat_map(|r| r["props"].as_array().into_iter().flatten())
        .filter(|p| p["name"] == "impacted-control-id")
        .map(|p| p["value"].as_str().unwrap())
        .collect();
    assert!(
        impacted.contains(&"ac-2.1") && impacted.contains(&"si-2"),
        "{impacted:?}"
    );
    if let Some(data) = shared_data() {
        assert_valid(&oscal_validator(&data), &document);
    }

    let open = sheet_rows(&out.join("poam.xlsx"), "Open POA&M Items");
    let closed = sheet_rows(&out.join("poam.xlsx"), "Closed POA&M Items");
    assert_eq!(open[0][0], "POAM ID");
    assert_eq!(open[0].len(), 27);
    assert_eq!(open[0][26], "Auto-Approve");
    assert_eq!(open.len() - 1, 6, "{open:?}");
    assert_eq!(closed.len() - 1, 1);
    assert_eq!(closed[1][0], "V-3");
    assert_eq!(open[1][0], "V-1", "the most urgent first: {open:?}");
    assert_eq!(open[1][18], "Critical");
    assert_eq!(open[1][10], "2026-10-01", "original detection date");
    assert!(
        open.iter()
            .all(|row| row.iter().all(|cell| !cell.starts_with('='))),
        "text from the tools is neutralised"
    );

    // With the package URI, still open vulnerabilities need a person's evaluation.
    let refused = poam(
        &dir,
        &out,
        &[
            &PERIOD[..],
            &[
                "--package-uri",
                "https://fedramp.example.gov/packages/F1234",
            ],
        ]
        .concat(),
    );
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("F-1") && refused.stderr.contains("F-2"),
        "{refused:?}"
    );
    assert!(!out.join("vulnerability-detail-report.json").exists());

    for (id, reachable, exploitable) in [("F-1", "yes", "yes"), ("F-2", "no", "no")] {
        let set = lockstep(
            &dir,
            &[
                "finding",
                "set",
                "--project",
                PROJECT,
                id,
                "--internet-reachable",
                reachable,
                "--likely-exploitable",
                exploitable,
            ],
        );
        assert_eq!(set.code, 0, "{set:?}");
    }
    // The package URI was remembered.
    let written = poam(&dir, &out, &[&PERIOD[..], &["--json"]].concat());
    assert_eq!(written.code, 0, "{written:?}");
    let summary = written.json();
    assert_eq!(summary["open"], 6);
    assert_eq!(summary["closed"], 1);
    assert_eq!(summary["report"]["written"], true);
    let report = json_file(&out.join("vulnerability-detail-report.json"));
    assert_eq!(
        report["certificationPackageOverviewUri"],
        "https://fedramp.example.gov/packages/F1234"
    );
    assert_eq!(report["reportPeriod"]["from"], "2026-11-01T00:00:00Z");
    let listed = report["vulnerabilities"].as_array().unwrap();
    let tracking: Vec<&str> = listed
        .iter()
        .map(|v| v["providerTrackingId"].as_str().unwrap())
        .collect();
    assert_eq!(tracking, ["V-1", "V-2", "V-3"]);
    assert_eq!(listed[0]["isInternetReachable"], true);
    assert_eq!(
        listed[0]["overdueStatus"]["isOverdue"], true,
        "critical: 30 days, late"
    );
    assert_eq!(listed[1]["overdueStatus"]["isOverdue"], false);
    assert_eq!(listed[2]["finalDisposition"], "Fully Mitigated");
    assert_eq!(
        listed[0]["detection"]["detectionSource"],
        "Amazon Inspector"
    );
    if let Some(data) = shared_data() {
        assert_valid(&vdr_validator(&data), &report);
    }

    // The same workspace gives the same bytes, and the ids stay put.
    let again = dir.join("again");
    assert_eq!(poam(&dir, &again, &PERIOD).code, 0);
    for name in ["poam.json", "poam.xlsx", "vulnerability-detail-report.json"] {
        assert!(
            fs::read(out.join(name)).unwrap() == fs::read(again.join(name)).unwrap(),
            "{name} differs between two exports"
        );
    }
}

#[test]
fn a_fixed_vulnerability_keeps_its_poam_id_as_it_moves_to_the_closed_sheet() {
    let (_tmp, dir) = workspace();
    project_with_weaknesses(&dir);
    let out = dir.join("poam");
    assert_eq!(poam(&dir, &out, &PERIOD).code, 0);
    let before = json_file(&out.join("poam.json"));
    let fixed = write(
        &dir,
        "fixed.json",
        &json!({"findings": [
            vulnerability("a1", "CRITICAL", "CVE-2026-1111", "2026-10-01T10:00:00Z", "CLOSED"),
        ]}),
    );
    assert_eq!(
        lockstep(&dir, &["findings", "import", "--project", PROJECT, &fixed]).code,
        0
    );
    assert_eq!(poam(&dir, &out, &PERIOD).code, 0);
    let after = json_file(&out.join("poam.json"));
    assert_eq!(
        poam_ids(&before).into_iter().collect::<BTreeSet<_>>(),
        poam_ids(&after).into_iter().collect::<BTreeSet<_>>()
    );
    let uuid_of = |document: &Value, id: &str| {
        let items = document["plan-of-action-and-milestones"]["poam-items"]
            .as_array()
            .unwrap()
            .clone();
        items
            .into_iter()
            .find(|i| i["props"][0]["value"] == id)
            .unwrap()["uuid"]
            .clone()
    };
    assert_eq!(uuid_of(&before, "V-1"), uuid_of(&after, "V-1"));
    let closed = sheet_rows(&out.join("poam.xlsx"), "Closed POA&M Items");
    let closed_ids: BTreeSet<&str> = closed[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(closed_ids, BTreeSet::from(["V-1", "V-3"]));
}

#[test]
fn a_control_whose_failed_check_now_passes_moves_to_the_closed_sheet() {
    let (_tmp, dir) = workspace();
    project_with_weaknesses(&dir);
    let mut passing = failing_check();
    passing["Compliance"]["Status"] = json!("PASSED");
    passing["UpdatedAt"] = json!("2026-11-26T00:00:00Z");
    let fixed = write(&dir, "hub-2.json", &json!({"Findings": [passing]}));
    assert_eq!(
        lockstep(&dir, &["findings", "import", "--project", PROJECT, &fixed]).code,
        0
    );
    let out = dir.join("poam");
    assert_eq!(poam(&dir, &out, &PERIOD).code, 0);
    let closed = sheet_rows(&out.join("poam.xlsx"), "Closed POA&M Items");
    let closed_ids: BTreeSet<&str> = closed[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        closed_ids,
        BTreeSet::from([
            "V-3",
            "C-SRM-CUS-IAM-01",
            "C-SRM-CUS-IAM-02",
            "C-SRM-CUS-IAM-07"
        ])
    );
    let row = closed.iter().find(|r| r[0] == "C-SRM-CUS-IAM-01").unwrap();
    assert_eq!(
        row[14], "2026-11-26",
        "the status date is the day it passed"
    );
    // A check that has only ever passed is no weakness at all.
    let mut clean = failing_check();
    clean["Id"] = json!("arn:aws:securityhub:us-east-1:111122223333:finding/c2");
    clean["Compliance"]["Status"] = json!("PASSED");
    let clean = write(&dir, "hub-3.json", &json!({"Findings": [clean]}));
    assert_eq!(
        lockstep(&dir, &["findings", "import", "--project", PROJECT, &clean]).code,
        0
    );
    assert_eq!(poam(&dir, &out, &PERIOD).code, 0);
    let closed_again = sheet_rows(&out.join("poam.xlsx"), "Closed POA&M Items");
    assert_eq!(closed_again.len(), closed.len());
}

#[test]
fn bad_requests_are_refused_in_one_sentence_and_write_nothing() {
    let (_tmp, dir) = workspace();
    let run = lockstep(&dir, &["project", "create", PROJECT, "--services", "ec2"]);
    assert_eq!(run.code, 0, "{run:?}");
    let out = dir.join("poam");
    let nothing = poam(&dir, &out, &[]);
    assert_ne!(nothing.code, 0);
    assert!(nothing.stderr.contains("no weakness"), "{nothing:?}");
    assert!(!out.join("poam.json").exists());

    project_with_weaknesses_again(&dir);
    let backwards = poam(&dir, &out, &["--from", "2026-11-27", "--to", "2026-11-01"]);
    assert_ne!(backwards.code, 0);
    assert!(backwards.stderr.contains("after its last"), "{backwards:?}");
    let half = poam(&dir, &out, &["--from", "2026-11-01"]);
    assert_ne!(half.code, 0, "{half:?}");
    for bad in ["not a uri", "https://exa mple.com", "", "x\ny://z"] {
        let run = poam(&dir, &out, &["--package-uri", bad]);
        assert_ne!(run.code, 0, "{bad:?} was accepted: {run:?}");
        assert!(run.stderr.contains("not a URI"), "{run:?}");
    }
    assert!(
        !out.join("poam.json").exists(),
        "a refused run writes nothing"
    );
    let unknown = lockstep(
        &dir,
        &["poam", "--project", "Nope", "--out", out.to_str().unwrap()],
    );
    assert_ne!(unknown.code, 0);
    assert!(unknown.stderr.contains("Nope"), "{unknown:?}");
}

fn project_with_weaknesses_again(dir: &Path) {
    let file = write(
        dir,
        "one.json",
        &json!({"findings": [
            vulnerability("b1", "HIGH", "CVE-2026-4444", "2026-11-01T10:00:00Z", "ACTIVE"),
        ]}),
    );
    let run = lockstep(dir, &["findings", "import", "--project", PROJECT, &file]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn the_pack_carries_the_poam_under_its_folder_and_verifies() {
    use std::io::Read as _;

    let (_tmp, dir) = workspace();
    project_with_weaknesses(&dir);
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
    let names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    let poam_json = names
        .iter()
        .find(|n| n.ends_with("poam/poam.json"))
        .expect("poam/poam.json in the pack")
        .clone();
    assert!(
        names.iter().any(|n| n.ends_with("poam/poam.xlsx")),
        "{names:?}"
    );
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with("vulnerability-detail-report.json")),
        "no package URI, no report"
    );
    let mut text = String::new();
    archive
        .by_name(&poam_json)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    assert!(poam_ids(&document).contains(&"V-1".to_string()));
    let verified = lockstep(&dir, &["verify-pack", pack.to_str().unwrap()]);
    assert_eq!(verified.code, 0, "{verified:?}");
}

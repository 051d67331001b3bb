//! AWS's own reports: adding, listing and removing them from the command line, their files in
//! the vault (kept by a purge, checked by verify), and coverage of a project's audit period.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Run, lockstep, raw, today_text, workspace};

fn ok(run: &Run) {
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
}

fn refused(run: &Run, says: &str) {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.contains(says),
        "stderr should say '{says}': {}",
        run.stderr
    );
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
}

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A project "Payments" on ec2, rds and s3 with the audit year 2027.
fn project(dir: &Path) {
    ok(&lockstep(
        dir,
        &[
            "project",
            "create",
            "Payments",
            "--services",
            "ec2,rds,s3",
            "--period-start",
            "2027-01-01",
            "--period-end",
            "2027-12-31",
        ],
    ));
}

fn add(dir: &Path, file: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["aws-report", "add", arg(file)];
    args.extend_from_slice(extra);
    lockstep(dir, &args)
}

fn list(dir: &Path) -> Vec<Value> {
    let run = lockstep(dir, &["aws-report", "list", "--json"]);
    ok(&run);
    run.json().as_array().unwrap().clone()
}

fn coverage(dir: &Path) -> (i32, Value) {
    let run = lockstep(
        dir,
        &["aws-report", "coverage", "--project", "Payments", "--json"],
    );
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    (run.code, run.json())
}

#[test]
fn a_report_is_added_listed_and_removed_with_its_file_kept() {
    let (tmp, dir) = workspace();
    let soc = write(tmp.path(), "soc2.pdf", b"SOC 2 report");
    let bridge = write(tmp.path(), "bridge.pdf", b"bridge letter");
    let run = add(
        &dir,
        &soc,
        &[
            "--kind",
            "soc2-type2",
            "--title",
            "AWS SOC 2 Type II 2026-27",
            "--period-start",
            "2026-10-01",
            "--period-end",
            "2027-09-30",
            "--services",
            "EC2, s3",
            "--bridge-letter",
            arg(&bridge),
            "--bridge-until",
            "2027-12-31",
        ],
    );
    ok(&run);
    let reports = list(&dir);
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!(report["kind"], "soc2-type2");
    assert_eq!(report["file_name"], "soc2.pdf");
    assert_eq!(report["services"], serde_json::json!(["ec2", "s3"]));
    assert_eq!(report["bridge_until"], "2027-12-31");
    assert_eq!(report["bridge_letter"]["file_name"], "bridge.pdf");
    let table = lockstep(&dir, &["aws-report", "list"]);
    ok(&table);
    assert!(
        table.stdout.contains("AWS SOC 2 Type II 2026-27"),
        "{}",
        table.stdout
    );

    let removed = lockstep(
        &dir,
        &["aws-report", "remove", "1", "--reason", "superseded"],
    );
    ok(&removed);
    let reports = list(&dir);
    assert_eq!(reports[0]["removed"], true);
    assert_eq!(reports[0]["removed_reason"], "superseded");
    let sha = reports[0]["sha256"].as_str().unwrap();
    let blob = dir.join("vault/sha256").join(&sha[..2]).join(&sha[2..]);
    assert!(blob.is_file(), "the report file stays in the vault");
    refused(
        &lockstep(&dir, &["aws-report", "remove", "1", "--reason", "again"]),
        "already removed",
    );
    refused(
        &lockstep(&dir, &["aws-report", "remove", "9", "--reason", "x"]),
        "no AWS report has the id 9",
    );

    let actions: Vec<String> = raw(&dir)
        .prepare("SELECT action FROM activity ORDER BY seq")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(actions, ["aws_report.add", "aws_report.remove"]);
}

#[test]
fn bad_reports_are_refused_with_one_sentence_and_nothing_stored() {
    let (tmp, dir) = workspace();
    let soc = write(tmp.path(), "soc2.pdf", b"SOC 2 report");
    let bridge = write(tmp.path(), "bridge.pdf", b"bridge letter");
    refused(
        &add(&dir, &soc, &["--kind", "soc3", "--title", "x"]),
        "unknown report kind 'soc3'",
    );
    refused(
        &add(
            &dir,
            &soc,
            &[
                "--kind",
                "soc2-type2",
                "--title",
                "x",
                "--period-start",
                "2027-06-30",
                "--period-end",
                "2027-01-01",
            ],
        ),
        "ends (2027-01-01) before it starts (2027-06-30)",
    );
    refused(
        &add(
            &dir,
            &soc,
            &[
                "--kind",
                "iso27001",
                "--title",
                "x",
                "--bridge-letter",
                arg(&bridge),
                "--bridge-until",
                "2027-12-31",
            ],
        ),
        "a bridge letter extends a report's period",
    );
    refused(
        &add(
            &dir,
            &soc,
            &[
                "--kind",
                "soc2-type2",
                "--title",
                "x",
                "--period-start",
                "2027-01-01",
                "--period-end",
                "2027-06-30",
                "--bridge-until",
                "2027-12-31",
            ],
        ),
        "needs both the file",
    );
    refused(
        &add(&dir, &soc, &["--kind", "iso27001", "--title", "  "]),
        "report title cannot be blank",
    );
    assert!(list(&dir).is_empty());
    let blobs = crate::common::files_under(&dir.join("vault/sha256"));
    assert!(blobs.is_empty(), "no file entered the vault: {blobs:?}");
}

#[test]
fn coverage_names_gaps_and_missing_services_and_exits_1() {
    let (tmp, dir) = workspace();
    project(&dir);
    let (code, json) = coverage(&dir);
    assert_eq!(code, 1, "no reports: the whole year is a gap");
    assert_eq!(
        json["gaps"],
        serde_json::json!([{ "from": "2027-01-01", "to": "2027-12-31" }])
    );

    let first = write(tmp.path(), "soc-a.pdf", b"first half");
    ok(&add(
        &dir,
        &first,
        &[
            "--kind",
            "soc2-type2",
            "--title",
            "First half",
            "--period-start",
            "2026-07-01",
            "--period-end",
            "2027-03-31",
            "--services",
            "ec2,rds,s3",
        ],
    ));
    let second = write(tmp.path(), "soc-b.pdf", b"second half");
    ok(&add(
        &dir,
        &second,
        &[
            "--kind",
            "soc1-type2",
            "--title",
            "Overlapping",
            "--period-start",
            "2027-03-01",
            "--period-end",
            "2027-06-30",
            "--services",
            "ec2,s3",
        ],
    ));
    let (code, json) = coverage(&dir);
    assert_eq!(code, 1);
    assert_eq!(
        json["covered"],
        serde_json::json!([{ "from": "2027-01-01", "to": "2027-06-30" }])
    );
    assert_eq!(
        json["gaps"],
        serde_json::json!([{ "from": "2027-07-01", "to": "2027-12-31" }])
    );
    let missing = json["missing_services"].as_array().unwrap();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["service"], "rds");
    assert_eq!(missing[0]["title"], "Overlapping");

    // A report that touches the last one and a bridge letter close the year; its scope is
    // complete, and removing the one that lacked rds leaves no finding.
    let third = write(tmp.path(), "soc-c.pdf", b"third");
    let bridge = write(tmp.path(), "bridge-c.pdf", b"bridge");
    ok(&add(
        &dir,
        &third,
        &[
            "--kind",
            "soc2-type2",
            "--title",
            "Third",
            "--period-start",
            "2027-04-01",
            "--period-end",
            "2027-09-30",
            "--services",
            "ec2,rds,s3,lambda",
            "--bridge-letter",
            arg(&bridge),
            "--bridge-until",
            "2027-12-31",
        ],
    ));
    ok(&lockstep(
        &dir,
        &["aws-report", "remove", "2", "--reason", "wrong scope"],
    ));
    let (code, json) = coverage(&dir);
    assert_eq!(code, 0, "{json}");
    assert_eq!(
        json["covered"],
        serde_json::json!([{ "from": "2027-01-01", "to": "2027-12-31" }])
    );
    assert_eq!(json["gaps"], serde_json::json!([]));
    assert_eq!(json["missing_services"], serde_json::json!([]));
    let text = lockstep(&dir, &["aws-report", "coverage", "--project", "Payments"]);
    ok(&text);
    assert!(
        text.stdout.contains("no gaps and no missing services"),
        "{}",
        text.stdout
    );
}

#[test]
fn coverage_of_a_project_without_a_period_is_bad_input() {
    let (_tmp, dir) = workspace();
    ok(&lockstep(
        &dir,
        &["project", "create", "Loose", "--services", "s3"],
    ));
    refused(
        &lockstep(&dir, &["aws-report", "coverage", "--project", "Loose"]),
        "has no audit period",
    );
}

#[test]
fn set_period_gives_and_takes_a_projects_audit_period() {
    let (_tmp, dir) = workspace();
    ok(&lockstep(
        &dir,
        &["project", "create", "Loose", "--services", "s3"],
    ));
    let set = lockstep(
        &dir,
        &[
            "project",
            "set-period",
            "Loose",
            "--period-start",
            "2026-01-01",
            "--period-end",
            "2026-12-31",
        ],
    );
    ok(&set);
    assert!(
        set.stdout.contains("2026-01-01 to 2026-12-31"),
        "{}",
        set.stdout
    );
    let coverage = lockstep(&dir, &["aws-report", "coverage", "--project", "Loose"]);
    assert!(
        coverage
            .stdout
            .contains("audit period: 2026-01-01 to 2026-12-31"),
        "{}",
        coverage.stdout
    );
    let log = lockstep(&dir, &["log", "--project", "Loose", "--json"]);
    ok(&log);
    assert!(log.stdout.contains("project.period"), "{}", log.stdout);

    refused(
        &lockstep(
            &dir,
            &[
                "project",
                "set-period",
                "Loose",
                "--period-start",
                "2026-12-31",
                "--period-end",
                "2026-01-01",
            ],
        ),
        "before",
    );
    refused(
        &lockstep(
            &dir,
            &[
                "project",
                "set-period",
                "Nowhere",
                "--period-start",
                "2026-01-01",
                "--period-end",
                "2026-12-31",
            ],
        ),
        "Nowhere",
    );
    let bad_date = lockstep(
        &dir,
        &[
            "project",
            "set-period",
            "Loose",
            "--period-start",
            "2026-13-01",
            "--period-end",
            "2026-12-31",
        ],
    );
    assert_eq!(bad_date.code, 2, "{}", bad_date.stderr);

    ok(&lockstep(
        &dir,
        &["project", "set-period", "Loose", "--clear"],
    ));
    refused(
        &lockstep(&dir, &["aws-report", "coverage", "--project", "Loose"]),
        "has no audit period",
    );
}

#[test]
fn report_files_survive_a_purge_and_verify_names_an_altered_one() {
    let (tmp, dir) = workspace();
    let soc = write(tmp.path(), "soc2.pdf", b"SOC 2 report body");
    ok(&add(
        &dir,
        &soc,
        &["--kind", "iso27001", "--title", "ISO cert"],
    ));
    ok(&lockstep(&dir, &["vault", "purge"]));
    let sha: String = raw(&dir)
        .query_row("SELECT sha256 FROM aws_reports", [], |row| row.get(0))
        .unwrap();
    let blob = dir.join("vault/sha256").join(&sha[..2]).join(&sha[2..]);
    assert!(blob.is_file(), "a purge keeps a current report's file");
    ok(&lockstep(&dir, &["verify"]));

    let mut permissions = std::fs::metadata(&blob).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&blob, permissions).unwrap();
    std::fs::write(&blob, b"altered").unwrap();
    let run = lockstep(&dir, &["verify"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("AWS report 1 ISO cert") && run.stdout.contains("was altered"),
        "{}",
        run.stdout
    );
}

fn pack_entries(pack: &Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read as _;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(pack).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().to_string(), bytes)
        })
        .collect()
}

#[test]
fn the_pack_carries_the_reports_their_coverage_and_their_sheet() {
    let (tmp, dir) = workspace();
    project(&dir);
    let soc = write(tmp.path(), "aws soc2.pdf", b"%PDF SOC 2 body");
    let bridge = write(tmp.path(), "bridge.pdf", b"%PDF bridge body");
    ok(&add(
        &dir,
        &soc,
        &[
            "--kind",
            "soc2-type2",
            "--title",
            "SOC 2 <2027>",
            "--period-start",
            "2026-10-01",
            "--period-end",
            "2027-06-30",
            "--services",
            "ec2,rds,s3",
            "--bridge-letter",
            arg(&bridge),
            "--bridge-until",
            "2027-09-30",
        ],
    ));
    let removed = write(tmp.path(), "old.pdf", b"%PDF old");
    ok(&add(&dir, &removed, &["--kind", "other", "--title", "Old"]));
    ok(&lockstep(
        &dir,
        &["aws-report", "remove", "2", "--reason", "old"],
    ));
    let cuecs = write(
        tmp.path(),
        "cuecs.csv",
        b"cuec,controls\n=Customers enforce MFA,SRM-CUS-IAM-03\nCustomers <review> access,\n",
    );
    ok(&lockstep(
        &dir,
        &["cuec", "import", "--report", "1", arg(&cuecs)],
    ));

    let pack = tmp.path().join("pack.zip");
    let today = today_text();
    let run = lockstep(
        &dir,
        &[
            "export",
            "--project",
            "Payments",
            "--out",
            arg(&pack),
            "--as-of",
            &today,
        ],
    );
    ok(&run);
    let entries = pack_entries(&pack);
    let file = |name: &str| -> Vec<u8> {
        entries
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} is in the pack"))
            .1
            .clone()
    };
    assert_eq!(
        file("evidence/aws/AWS report 1 SOC 2 _2027_/aws soc2.pdf"),
        b"%PDF SOC 2 body"
    );
    assert_eq!(
        file("evidence/aws/AWS report 1 SOC 2 _2027_/bridge.pdf"),
        b"%PDF bridge body"
    );
    assert!(
        !entries.iter().any(|(n, _)| n.ends_with("old.pdf")),
        "a removed report stays out of the pack"
    );

    let csv = String::from_utf8(file("aws-reports.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("report_id,kind,title,period_start")
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("1,soc2-type2,SOC 2 <2027>,2026-10-01,2027-06-30,2027-09-30"),
        "{row}"
    );
    assert_eq!(lines.next(), None);

    let cuecs = String::from_utf8(file("cuecs.csv")).unwrap();
    assert_eq!(
        cuecs.lines().collect::<Vec<_>>(),
        [
            "cuec_id,report_id,report,cuec,criteria,controls,control_statuses,mapped",
            "1,1,SOC 2 <2027>,'=Customers enforce MFA,,SRM-CUS-IAM-03,not_started,true",
            "2,1,SOC 2 <2027>,Customers <review> access,,,,false",
        ]
    );

    let html = String::from_utf8(file("index.html")).unwrap();
    assert!(html.contains("Customers &lt;review&gt; access"));
    assert!(
        html.contains("2 CUECs, 1 not mapped"),
        "the CUEC table is in the report"
    );
    assert!(html.contains("id=\"aws-reports\""));
    assert!(
        html.contains("Gap: 2027-10-01 to 2027-12-31 (92 days)"),
        "the gap is marked"
    );
    assert!(html.contains("class=\"timeline\""));
    assert!(html.contains("SOC 2 &lt;2027&gt;") && !html.contains("SOC 2 <2027>"));
    assert!(
        html.contains("href=\"evidence/aws/AWS%20report%201%20SOC%202%20_2027_/bridge.pdf\""),
        "links reach the files"
    );

    let manifest: Value = serde_json::from_slice(&file("manifest.json")).unwrap();
    let listed = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["aws_report_id"] == 1)
        .count();
    assert_eq!(listed, 2);
    let sums = String::from_utf8(file("SHA256SUMS")).unwrap();
    assert!(sums.contains("  evidence/aws/AWS report 1 SOC 2 _2027_/bridge.pdf\n"));
    ok(&crate::common::run({
        let mut command = crate::common::binary();
        command.args(["verify-pack", arg(&pack)]);
        command
    }));
}

#[test]
fn cuecs_are_imported_mapped_by_id_or_by_hand_and_unmapped_ones_exit_1() {
    let (tmp, dir) = workspace();
    project(&dir);
    let soc = write(tmp.path(), "soc2.pdf", b"SOC 2 report");
    ok(&add(
        &dir,
        &soc,
        &["--kind", "soc2-type2", "--title", "SOC 2"],
    ));
    let csv = write(
        tmp.path(),
        "cuecs.csv",
        b"cuec,criteria,controls\n\
          Customers enforce MFA for their users,CC6.1,SRM-CUS-IAM-03\n\
          Customers patch their guest operating systems,CC7.1,\n\
          ,CC8.1,\n",
    );
    let run = lockstep(&dir, &["cuec", "import", "--report", "1", arg(&csv)]);
    assert_eq!(run.code, 2, "a blank row is refused: {}", run.stderr);
    assert!(
        run.stdout.contains("imported 2 CUECs of 3 rows"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("line 4: the CUEC text is blank"),
        "{}",
        run.stderr
    );

    let list = lockstep(&dir, &["cuec", "list", "--project", "Payments", "--json"]);
    assert_eq!(list.code, 1, "one CUEC is unmapped: {}", list.stderr);
    let lines = list.json();
    assert_eq!(lines[0]["controls"][0]["id"], "SRM-CUS-IAM-03");
    assert_eq!(lines[0]["controls"][0]["mapped_by"], "id");
    assert_eq!(lines[0]["controls"][0]["status"], "not_started");
    assert_eq!(lines[1]["controls"], serde_json::json!([]));

    refused(
        &lockstep(
            &dir,
            &["cuec", "map", "--project", "Payments", "2", "SRM-AWS-PE-01"],
        ),
        "is in the AWS column",
    );
    refused(
        &lockstep(
            &dir,
            &["cuec", "map", "--project", "Payments", "9", "SRM-SHR-PM-01"],
        ),
        "no CUEC has the id 9",
    );
    ok(&lockstep(
        &dir,
        &["cuec", "map", "--project", "Payments", "2", "SRM-SHR-PM-01"],
    ));
    let list = lockstep(&dir, &["cuec", "list", "--project", "Payments", "--json"]);
    ok(&list);
    assert_eq!(list.json()[1]["controls"][0]["mapped_by"], "hand");
    let table = lockstep(&dir, &["cuec", "list", "--project", "Payments"]);
    assert!(
        table
            .stdout
            .contains("SRM-SHR-PM-01 (not started, by hand)"),
        "{}",
        table.stdout
    );

    ok(&lockstep(
        &dir,
        &[
            "cuec",
            "map",
            "--project",
            "Payments",
            "2",
            "SRM-SHR-PM-01",
            "--unmap",
        ],
    ));
    assert_eq!(
        lockstep(&dir, &["cuec", "list", "--project", "Payments"]).code,
        1
    );
    // Importing the same list again adds nothing twice.
    let again = lockstep(&dir, &["cuec", "import", "--report", "1", arg(&csv)]);
    assert!(
        again.stdout.contains("imported 0 CUECs"),
        "{}",
        again.stdout
    );
}

#[test]
fn a_pack_with_reports_is_byte_identical_and_an_altered_report_stops_the_export() {
    let (tmp, dir) = workspace();
    project(&dir);
    let soc = write(tmp.path(), "soc2.pdf", b"%PDF SOC 2 body");
    let bridge = write(tmp.path(), "bridge.pdf", b"%PDF bridge");
    ok(&add(
        &dir,
        &soc,
        &[
            "--kind",
            "soc2-type2",
            "--title",
            "SOC 2",
            "--period-start",
            "2027-01-01",
            "--period-end",
            "2027-06-30",
            "--bridge-letter",
            arg(&bridge),
            "--bridge-until",
            "2027-12-31",
        ],
    ));
    let today = today_text();
    let export = |name: &str| {
        let pack = tmp.path().join(name);
        let run = lockstep(
            &dir,
            &[
                "export",
                "--project",
                "Payments",
                "--out",
                arg(&pack),
                "--as-of",
                &today,
            ],
        );
        (run, pack)
    };
    let (first, one) = export("one.zip");
    ok(&first);
    let (second, two) = export("two.zip");
    ok(&second);
    assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());

    let sha: String = raw(&dir)
        .query_row("SELECT bridge_sha256 FROM aws_reports", [], |row| {
            row.get(0)
        })
        .unwrap();
    let blob = dir.join("vault/sha256").join(&sha[..2]).join(&sha[2..]);
    let mut permissions = std::fs::metadata(&blob).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&blob, permissions).unwrap();
    std::fs::write(&blob, b"forged bridge letter").unwrap();
    let (run, three) = export("three.zip");
    refused(
        &run,
        "AWS report 1: its file 'bridge.pdf' was altered in the vault",
    );
    assert!(!three.exists(), "no pack is left behind");
}

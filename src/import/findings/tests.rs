//! Each format recognised from its content, and read record by record.

use std::io::Write as _;

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::model::{FindingKind, FindingSeverity};

fn at(y: i32, m: u32, d: u32, h: u32) -> Option<chrono::DateTime<Utc>> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single()
}

const INSPECTOR_JSON: &str = r#"{
  "findings": [
    {
      "awsAccountId": "111122223333",
      "description": "A flaw in OpenSSL.",
      "findingArn": "arn:aws:inspector2:us-east-1:111122223333:finding/a1",
      "firstObservedAt": "2026-03-01T12:00:00.000Z",
      "fixAvailable": "YES",
      "lastObservedAt": "2026-03-04T12:00:00Z",
      "packageVulnerabilityDetails": {
        "vulnerabilityId": "CVE-2026-0001",
        "vulnerablePackages": [
          {"name": "openssl-libs", "version": "3.0.8", "release": "1.amzn2023", "fixedInVersion": "1:3.0.8-2.amzn2023"},
          {"name": "openssl", "version": "3.0.8", "fixedInVersion": "NotAvailable"}
        ]
      },
      "resources": [{"id": "i-0abc", "type": "AWS_EC2_INSTANCE"}],
      "severity": "HIGH",
      "status": "ACTIVE",
      "title": "CVE-2026-0001 - openssl-libs",
      "type": "PACKAGE_VULNERABILITY",
      "updatedAt": "2026-03-04T12:00:00Z"
    },
    {
      "awsAccountId": "444455556666",
      "findingArn": "arn:aws:inspector2:us-east-1:444455556666:finding/a2",
      "firstObservedAt": 1772366400,
      "lastObservedAt": 1772366400.5,
      "updatedAt": "2026-03-05T12:00:00+00:00",
      "fixAvailable": "NO",
      "resources": [{"id": "i-0def", "type": "AWS_EC2_INSTANCE"}],
      "severity": "UNTRIAGED",
      "status": "CLOSED",
      "title": "Port 22 is reachable from an internet gateway",
      "type": "NETWORK_REACHABILITY"
    },
    {"findingArn": "a3", "severity": "SEVERE", "resources": [{"id": "i-1"}], "title": "x"},
    {"findingArn": " ", "severity": "LOW", "resources": [{"id": "i-1"}], "title": "x"},
    {"findingArn": "a5", "severity": "LOW", "resources": [{"id": "i-1"}], "firstObservedAt": "yesterday"},
    {"findingArn": "a6", "severity": 3, "resources": [{"id": "i-1"}]},
    {"findingArn": "a7", "severity": "LOW", "resources": []}
  ],
  "nextToken": null
}"#;

#[test]
fn inspector_json_reads_good_records_and_names_bad_ones() {
    let file = parse_findings(INSPECTOR_JSON.as_bytes(), None).expect("reads");
    assert_eq!(file.format, FindingFormat::InspectorJson);
    assert_eq!(file.records.len(), 2);
    let first = &file.records[0];
    assert_eq!(first.record, 1);
    assert_eq!(
        first.source_id,
        "arn:aws:inspector2:us-east-1:111122223333:finding/a1"
    );
    assert_eq!(first.kind, FindingKind::Vulnerability);
    assert_eq!(first.severity, FindingSeverity::High);
    assert_eq!(first.vulnerability, "CVE-2026-0001");
    assert_eq!(
        first.package,
        "openssl-libs 3.0.8-1.amzn2023, openssl 3.0.8"
    );
    assert_eq!(first.fixed_in, "1:3.0.8-2.amzn2023");
    assert_eq!(first.fix_available, Some(true));
    assert_eq!(first.resource, "i-0abc");
    assert_eq!(first.resource_type, "AWS_EC2_INSTANCE");
    assert_eq!(first.first_seen, at(2026, 3, 1, 12));
    assert_eq!(first.last_seen, at(2026, 3, 4, 12));
    assert_eq!(first.fixed_at, None);
    let second = &file.records[1];
    assert_eq!(second.severity, FindingSeverity::Informational, "UNTRIAGED");
    assert_eq!(second.vulnerability, "");
    assert_eq!(second.fix_available, Some(false));
    assert_eq!(second.first_seen, at(2026, 3, 1, 12), "epoch seconds");
    assert_eq!(second.fixed_at, at(2026, 3, 5, 12), "closed at updatedAt");
    let problems: Vec<String> = file.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(problems.len(), 5, "{problems:?}");
    assert_eq!(problems[0], "record 3: unknown severity 'SEVERE'");
    assert_eq!(problems[1], "record 4: the finding has no id");
    assert_eq!(
        problems[2],
        "record 5: firstObservedAt 'yesterday' is not a date"
    );
    assert!(
        problems[3].starts_with("record 6: the finding has a field of the wrong type"),
        "{}",
        problems[3]
    );
    assert_eq!(problems[4], "record 7: the finding names no resource");
    assert_eq!(
        file.accounts.iter().cloned().collect::<Vec<_>>(),
        vec!["111122223333".to_string(), "444455556666".to_string()]
    );
    assert_eq!(file.newest, NaiveDate::from_ymd_opt(2026, 3, 5));
}

const INSPECTOR_CSV: &str = "AWS Account Id,Severity,Fix Available,Finding Type,Title,Description,Finding ARN,First Seen,Last Seen,Last Updated,Resource ID,Container Image Tags,Region,Platform,Resource Tags,Affected Packages,Package Installed Version,Fixed in Version,Package Remediation,File Path,Network Paths,Remediation,Inspector Score,Inspector Score Vector,Status,Vulnerability Id,Vendor,Vendor Severity,Vendor Advisory,Vendor Advisory Published,NVD CVSS3 Score,NVD CVSS3 Vector,NVD CVSS2 Score,NVD CVSS2 Vector,Vendor CVSS3 Score,Vendor CVSS3 Vector,Vendor CVSS2 Score,Vendor CVSS2 Vector,Resource Type,Ami,Resource Public Ipv4,Resource Private Ipv4,Resource Ipv6,Resource Vpc,Port Range,Epss Score,Exploit Available,Last Exploited At,Lambda Layers,Lambda Package Type,Lambda Last Updated At,Reference Urls,Detector Name,Package Manager
'111122223333,Critical,Yes,Package Vulnerability,CVE-2026-0002 - curl,\"curl mishandles cookies, badly.
Second line.\",arn:aws:inspector2:us-east-1:111122223333:finding/c1,2026-03-01T12:00:00.000Z,\"Mar 4, 2026, 12:00:00 PM\",2026-03-04T12:00:00.000Z,i-0abc,,us-east-1,AMAZON_LINUX_2023,,\"curl, libcurl\",\"8.5.0, 8.5.0\",\"8.5.1, 8.5.1\",,,,,9.8,,Closed,CVE-2026-0002,,,,,,,,,,,,,AWS_EC2_INSTANCE,,,,,,,,,,,,,,,OS
111122223333,Bogus,No,Package Vulnerability,t,d,arn:c2,,,,i-0abc,,,,,,,,,,,,,,Active,CVE-1,,,,,,,,,,,,,AWS_EC2_INSTANCE,,,,,,,,,,,,,,,

";

#[test]
fn inspector_csv_reads_quoted_cells_and_human_dates() {
    let csv = INSPECTOR_CSV.replacen('\'', "", 1);
    let file = parse_findings(csv.as_bytes(), None).expect("reads");
    assert_eq!(file.format, FindingFormat::InspectorCsv);
    assert_eq!(file.records.len(), 1, "{:?}", file.problems);
    let r = &file.records[0];
    assert_eq!(r.record, 1);
    assert_eq!(r.severity, FindingSeverity::Critical);
    assert_eq!(
        r.description,
        "curl mishandles cookies, badly.\nSecond line."
    );
    assert_eq!(r.package, "curl 8.5.0, libcurl 8.5.0");
    assert_eq!(r.fixed_in, "8.5.1");
    assert_eq!(r.last_seen, at(2026, 3, 4, 12));
    assert_eq!(r.fixed_at, at(2026, 3, 4, 12));
    assert_eq!(r.vulnerability, "CVE-2026-0002");
    assert_eq!(file.problems.len(), 1);
    assert_eq!(
        file.problems[0].to_string(),
        "record 2: unknown severity 'Bogus'"
    );
}

#[test]
fn a_csv_without_inspectors_columns_is_refused() {
    let err = parse_findings(b"Name,Email\nAda,ada@example.com\n", None).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("a CSV file whose header lacks AWS Account Id, Severity, Finding ARN, Title"),
        "{text}"
    );
    for format in FindingFormat::ALL {
        assert!(text.contains(format.label()), "{text}");
    }
}

#[test]
fn unknown_json_binary_and_empty_files_are_refused_with_the_formats() {
    for (bytes, why) in [
        (
            &br#"{"Items": [], "NextToken": "x"}"#[..],
            "a JSON object whose keys are Items, NextToken",
        ),
        (
            &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\x01\x02\xff\xfe"[..],
            "binary data",
        ),
        (&b"  \n "[..], "an empty file"),
        (
            &b"[{\"a\": 1}]"[..],
            "a JSON array whose first element has no class_uid",
        ),
    ] {
        match parse_findings(bytes, None) {
            Err(err @ FindingFileError::UnknownFormat { .. }) => {
                let text = err.to_string();
                assert!(text.contains(why), "{text}");
                assert!(
                    text.contains(FindingFormat::SsmComplianceItems.label()),
                    "{text}"
                );
            }
            other => panic!("{why}: {other:?}"),
        }
    }
}

#[test]
fn truncated_json_names_its_line() {
    let cut = &INSPECTOR_JSON[..INSPECTOR_JSON
        .find("\"awsAccountId\": \"444455556666\"")
        .expect("fixture")];
    match parse_findings(cut.as_bytes(), None) {
        Err(FindingFileError::Invalid { line, format, .. }) => {
            assert_eq!(line, cut.lines().count());
            assert_eq!(format, FindingFormat::InspectorJson.label());
        }
        other => panic!("{other:?}"),
    }
    match parse_findings(b"{\n\"findings\": [\n{\"a\": 1,,}\n]}", None) {
        Err(FindingFileError::Invalid { line, .. }) => assert_eq!(line, 3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_name_of_a_file_does_not_decide_its_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json_named_csv = dir.path().join("findings.csv");
    std::fs::File::create(&json_named_csv)
        .and_then(|mut f| f.write_all(INSPECTOR_JSON.as_bytes()))
        .expect("write");
    let csv_named_json = dir.path().join("findings.json");
    std::fs::write(&csv_named_json, INSPECTOR_CSV.replacen('\'', "", 1)).expect("write");
    let cancel = AtomicBool::new(false);
    let mut last = 0;
    let file = read_findings(&json_named_csv, None, &cancel, &mut |n| last = n).expect("reads");
    assert_eq!(file.format, FindingFormat::InspectorJson);
    assert_eq!(last, INSPECTOR_JSON.len() as u64);
    let file = read_findings(&csv_named_json, None, &cancel, &mut |_| {}).expect("reads");
    assert_eq!(file.format, FindingFormat::InspectorCsv);
    cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(matches!(
        read_findings(&csv_named_json, None, &cancel, &mut |_| {}),
        Err(FindingFileError::Cancelled)
    ));
}

#[test]
fn twenty_thousand_generated_findings_parse() {
    let mut bytes = Vec::new();
    let day = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
    write_sample_inspector_json(&mut bytes, 20_000, day).expect("writes");
    assert!(
        bytes.len() > 20_000 * 2_500,
        "about 3 KB a finding: {}",
        bytes.len()
    );
    let file = parse_findings(&bytes, None).expect("reads");
    assert_eq!(file.format, FindingFormat::InspectorJson);
    assert_eq!(file.records.len(), 20_000, "{:?}", file.problems.first());
    assert!(file.problems.is_empty());
    assert_eq!(file.accounts.len(), 3);
    assert_eq!(file.newest, Some(day));
}

const ASFF: &str = r#"{
  "Findings": [
    {
      "SchemaVersion": "2018-10-08",
      "Id": "arn:aws:securityhub:us-east-1:111122223333:security-control/IAM.1/finding/f1",
      "GeneratorId": "security-control/IAM.1",
      "AwsAccountId": "111122223333",
      "Title": "IAM policies should not allow full administrative privileges",
      "Description": "This control checks whether the default version of IAM policies has administrator access.",
      "Severity": {"Label": "HIGH", "Original": "HIGH"},
      "FirstObservedAt": "2026-02-01T00:00:00.000Z",
      "LastObservedAt": "2026-03-02T00:00:00.000Z",
      "CreatedAt": "2026-02-01T00:00:00.000Z",
      "UpdatedAt": "2026-03-02T00:00:00.000Z",
      "Resources": [{"Type": "AwsIamPolicy", "Id": "arn:aws:iam::111122223333:policy/admin"}],
      "Compliance": {
        "Status": "FAILED",
        "SecurityControlId": "IAM.1",
        "RelatedRequirements": ["NIST.800-53.r5 AC-2", "NIST.800-53.r5 AC-6(10)", "NIST.800-53.r5 AC-6", "PCI DSS v4.0.1/7.2.1"]
      },
      "Workflow": {"Status": "NEW"},
      "RecordState": "ACTIVE"
    },
    {
      "Id": "f2",
      "GeneratorId": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/1.10",
      "AwsAccountId": "111122223333",
      "Title": "Password policy",
      "Severity": {"Label": "MEDIUM"},
      "CreatedAt": "2026-02-01T00:00:00Z",
      "UpdatedAt": "2026-03-03T00:00:00Z",
      "Resources": [{"Type": "AwsAccount", "Id": "AWS::::Account:111122223333"}],
      "Compliance": {"Status": "PASSED"},
      "RecordState": "ARCHIVED"
    },
    {
      "Id": "arn:aws:inspector2:us-east-1:111122223333:finding/v1",
      "AwsAccountId": "111122223333",
      "Title": "CVE-2026-0003 - sudo",
      "Severity": {"Label": "CRITICAL"},
      "FirstObservedAt": "2026-03-01T00:00:00Z",
      "UpdatedAt": "2026-03-01T06:00:00Z",
      "Resources": [{"Type": "AwsEc2Instance", "Id": "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc"}],
      "Vulnerabilities": [{"Id": "CVE-2026-0003", "FixAvailable": "YES",
        "VulnerablePackages": [{"Name": "sudo", "Version": "1.9.15", "FixedInVersion": "1.9.16"}]}],
      "Workflow": {"Status": "RESOLVED"}
    },
    {"Id": "f4", "Severity": {"Label": "LOW"}, "Resources": [{"Id": "x"}], "Compliance": {"Status": "NOT_AVAILABLE", "SecurityControlId": "S3.1"}},
    {"Id": "f5", "Severity": {"Label": "LOW"}, "Resources": [{"Id": "x"}], "Types": ["TTPs/Discovery"]}
  ],
  "NextToken": "abc"
}"#;

#[test]
fn asff_reads_checks_with_nist_controls_and_vulnerabilities() {
    let file = parse_findings(ASFF.as_bytes(), None).expect("reads");
    assert_eq!(file.format, FindingFormat::SecurityHubAsff);
    assert_eq!(file.records.len(), 3, "{:?}", file.problems);
    let check = &file.records[0];
    assert_eq!(check.kind, FindingKind::Check);
    assert_eq!(check.check, "IAM.1");
    assert_eq!(check.passed, Some(false));
    assert_eq!(check.controls, vec!["AC-2", "AC-6", "AC-6(10)"]);
    assert_eq!(check.fixed_at, None);
    let passed = &file.records[1];
    assert_eq!(passed.check, "1.10", "the tail of GeneratorId");
    assert_eq!(passed.passed, Some(true));
    assert_eq!(passed.first_seen, at(2026, 2, 1, 0), "CreatedAt");
    assert_eq!(passed.fixed_at, at(2026, 3, 3, 0), "archived");
    let vuln = &file.records[2];
    assert_eq!(vuln.kind, FindingKind::Vulnerability);
    assert_eq!(vuln.vulnerability, "CVE-2026-0003");
    assert_eq!(vuln.package, "sudo 1.9.15");
    assert_eq!(vuln.fixed_in, "1.9.16");
    assert_eq!(vuln.fix_available, Some(true));
    assert_eq!(vuln.fixed_at, at(2026, 3, 1, 6), "resolved");
    assert_eq!(file.problems.len(), 2);
    assert_eq!(file.problems[0].record, 4);
    assert!(file.problems[0].reason.contains("NOT_AVAILABLE"));
    assert_eq!(file.problems[1].record, 5);
    assert!(
        file.problems[1]
            .reason
            .contains("neither a vulnerability nor a compliance check")
    );
}

const OCSF_VULN: &str = r#"{"class_uid": 2002, "class_name": "Vulnerability Finding", "severity": "High", "severity_id": 4, "status": "New", "cloud": {"account": {"uid": "111122223333"}, "provider": "AWS"}, "finding_info": {"uid": "o1", "title": "CVE-2026-0004 - glibc", "desc": "glibc overflow", "first_seen_time_dt": "2026-03-01T12:00:00Z", "last_seen_time_dt": "2026-03-02T12:00:00Z"}, "resources": [{"uid": "i-0abc", "type": "AWS::EC2::Instance"}], "vulnerabilities": [{"cve": {"uid": "CVE-2026-0004"}, "fix_available": true, "affected_packages": [{"name": "glibc", "version": "2.34", "fixed_in_version": "2.35"}]}]}"#;
const OCSF_CHECK: &str = r#"{"class_uid": 2003, "severity_id": 3, "status_id": 4, "cloud": {"account": {"uid": "111122223333"}}, "finding_info": {"uid": "o2", "title": "S3 buckets should block public access", "first_seen_time": 1772366400000, "modified_time_dt": "2026-03-05T12:00:00Z"}, "resources": [{"uid": "arn:aws:s3:::logs", "type": "AWS::S3::Bucket"}], "compliance": {"control": "S3.8", "status_id": 1, "requirements": ["NIST.800-53.r5 AC-3", "NIST.800-53.r5 SC-7(11)"]}}"#;
const OCSF_OTHER: &str = r#"{"class_uid": 2004, "severity_id": 3, "finding_info": {"uid": "o3"}, "resources": [{"uid": "x"}]}"#;

fn check_ocsf(file: &FindingFile) {
    assert_eq!(file.format, FindingFormat::SecurityHubOcsf);
    assert_eq!(file.records.len(), 2, "{:?}", file.problems);
    let vuln = &file.records[0];
    assert_eq!(vuln.kind, FindingKind::Vulnerability);
    assert_eq!(vuln.severity, FindingSeverity::High);
    assert_eq!(vuln.vulnerability, "CVE-2026-0004");
    assert_eq!(vuln.package, "glibc 2.34");
    assert_eq!(vuln.fixed_in, "2.35");
    assert_eq!(vuln.account, "111122223333");
    assert_eq!(vuln.last_seen, at(2026, 3, 2, 12));
    let check = &file.records[1];
    assert_eq!(check.kind, FindingKind::Check);
    assert_eq!(check.severity, FindingSeverity::Medium);
    assert_eq!(check.check, "S3.8");
    assert_eq!(check.passed, Some(true));
    assert_eq!(check.controls, vec!["AC-3", "SC-7(11)"]);
    assert_eq!(check.first_seen, at(2026, 3, 1, 12), "epoch milliseconds");
    assert_eq!(check.fixed_at, at(2026, 3, 5, 12), "resolved");
    assert_eq!(file.problems.len(), 1);
    assert_eq!(
        file.problems[0].to_string(),
        "record 3: OCSF class 2004 is neither a vulnerability (2002) nor a compliance (2003) finding"
    );
}

#[test]
fn ocsf_reads_as_an_array_and_as_lines() {
    let array = format!("[\n{OCSF_VULN},\n{OCSF_CHECK},\n{OCSF_OTHER}\n]");
    check_ocsf(&parse_findings(array.as_bytes(), None).expect("array"));
    let lines = format!("{OCSF_VULN}\n{OCSF_CHECK}\n{OCSF_OTHER}\n");
    check_ocsf(&parse_findings(lines.as_bytes(), None).expect("lines"));
    let one = parse_findings(OCSF_VULN.as_bytes(), None).expect("one");
    assert_eq!(one.format, FindingFormat::SecurityHubOcsf);
    assert_eq!(one.records.len(), 1);
    let empty = parse_findings(b"[]", None).expect("empty");
    assert_eq!(empty.format, FindingFormat::SecurityHubOcsf);
    assert!(empty.records.is_empty());
    match parse_findings(
        format!("{OCSF_VULN}\n{{\"class_uid\": 2002,").as_bytes(),
        None,
    ) {
        Err(FindingFileError::Invalid { line, .. }) => assert_eq!(line, 2),
        other => panic!("{other:?}"),
    }
}

const PATCHES: &str = r#"{
  "Patches": [
    {"Title": "2026-02 Cumulative Update for Windows Server 2022", "KBId": "KB5034439", "Classification": "SecurityUpdates", "Severity": "Critical", "State": "Missing", "InstalledTime": 0, "CVEIds": "CVE-2026-0005,CVE-2026-0006"},
    {"Title": "openssl", "KBId": "openssl.x86_64:0:3.0.8-1", "Classification": "Security", "Severity": "Important", "State": "Installed", "InstalledTime": "2026-03-02T08:00:00+00:00"},
    {"Title": "old", "KBId": "KB1", "Severity": "", "State": "NotApplicable", "InstalledTime": 0},
    {"Title": "no time", "KBId": "KB2", "Severity": "Low", "State": "InstalledPendingReboot", "InstalledTime": 0}
  ],
  "NextToken": null
}"#;

#[test]
fn ssm_patches_need_an_asset_and_read_the_patch_state() {
    assert!(matches!(
        parse_findings(PATCHES.as_bytes(), None),
        Err(FindingFileError::AssetNeeded { .. })
    ));
    let file = parse_findings(PATCHES.as_bytes(), Some("i-0abc")).expect("reads");
    assert_eq!(file.format, FindingFormat::SsmInstancePatches);
    assert_eq!(file.records.len(), 2);
    let missing = &file.records[0];
    assert_eq!(missing.source_id, "i-0abc/KB5034439");
    assert_eq!(missing.vulnerability, "KB5034439");
    assert!(
        missing
            .description
            .contains("(CVE-2026-0005,CVE-2026-0006)")
    );
    assert_eq!(missing.severity, FindingSeverity::Critical);
    assert_eq!(missing.resource, "i-0abc");
    assert_eq!(missing.resource_type, "AwsEc2Instance");
    assert_eq!(missing.fixed_at, None);
    let installed = &file.records[1];
    assert_eq!(installed.severity, FindingSeverity::High);
    assert_eq!(installed.fixed_at, at(2026, 3, 2, 8));
    assert_eq!(file.problems.len(), 1, "NotApplicable is skipped silently");
    assert_eq!(file.problems[0].record, 4);
    assert!(file.problems[0].reason.contains("without InstalledTime"));
}

const COMPLIANCE_ITEMS: &str = r#"{
  "ComplianceItems": [
    {"ComplianceType": "Patch", "ResourceType": "ManagedInstance", "ResourceId": "i-0abc", "Id": "KB5034439", "Title": "2026-02 Cumulative Update", "Status": "NON_COMPLIANT", "Severity": "CRITICAL", "ExecutionSummary": {"ExecutionTime": "2026-03-03T00:00:00Z", "ExecutionId": "e1", "ExecutionType": "Command"}, "Details": {"PatchState": "Missing", "Classification": "SecurityUpdates"}},
    {"ComplianceType": "Patch", "ResourceType": "ManagedInstance", "ResourceId": "i-0abc", "Id": "KB1", "Title": "x", "Status": "COMPLIANT", "Severity": "UNSPECIFIED", "ExecutionSummary": {"ExecutionTime": 1772712000}, "Details": {"PatchState": "Installed", "InstalledTime": "2026-03-02T00:00:00Z"}},
    {"ComplianceType": "Association", "ResourceType": "ManagedInstance", "ResourceId": "i-0abc", "Id": "3f2b-assoc", "Title": "CloudWatch agent", "Status": "COMPLIANT", "Severity": "UNSPECIFIED", "ExecutionSummary": {"ExecutionTime": "2026-03-03T00:00:00Z"}},
    {"ComplianceType": "Custom:Hardening", "ResourceType": "ManagedInstance", "ResourceId": "i-0abc", "Id": "ssh-root", "Title": "Root login", "Status": "MAYBE", "Severity": "HIGH"}
  ]
}"#;

#[test]
fn ssm_compliance_items_read_patches_and_checks() {
    let file = parse_findings(COMPLIANCE_ITEMS.as_bytes(), None).expect("reads");
    assert_eq!(file.format, FindingFormat::SsmComplianceItems);
    assert_eq!(file.records.len(), 3);
    let missing = &file.records[0];
    assert_eq!(missing.source_id, "i-0abc/Patch/KB5034439");
    assert_eq!(missing.kind, FindingKind::Vulnerability);
    assert_eq!(missing.vulnerability, "KB5034439");
    assert_eq!(missing.last_seen, at(2026, 3, 3, 0));
    assert_eq!(missing.fixed_at, None);
    assert_eq!(file.records[1].fixed_at, at(2026, 3, 2, 0), "InstalledTime");
    assert_eq!(file.records[1].severity, FindingSeverity::Informational);
    let check = &file.records[2];
    assert_eq!(check.kind, FindingKind::Check);
    assert_eq!(check.check, "3f2b-assoc");
    assert_eq!(check.passed, Some(true));
    assert!(check.controls.is_empty());
    assert_eq!(file.problems.len(), 1);
    assert_eq!(
        file.problems[0].to_string(),
        "record 4: unknown compliance status 'MAYBE'"
    );
}

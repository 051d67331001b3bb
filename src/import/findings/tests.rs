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

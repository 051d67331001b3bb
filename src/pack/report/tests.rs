//! The report's files built from one small snapshot with hostile text in every place a
//! user types: pack order, escaping, neutralised cells, and identical bytes on every build.

use std::io::{Cursor, Read};

use serde_json::json;

use chrono::NaiveDate;

use super::*;
use crate::model::{Column, PatchState, Severity, Status, TrainingState};
use crate::model::{Control, Evidence, Origin, Project};
use crate::pack::PackEvidence;
use crate::pack::{PackControl, PackData};
use crate::store::{ActivityEntry, PatchDeadlines, PatchRecord, RosterEntry, Signoff};

const HOSTILE_FILE: &str = "<script>alert(1)</script>&\"quote'.pdf";

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn control(id: &str, column: Column, title: &str, notes: &str) -> Control {
    Control {
        key: 0,
        id: id.to_string(),
        origin: Origin::Baseline,
        area: "Identity and access".to_string(),
        title: title.to_string(),
        description: "What the control requires.".to_string(),
        column,
        aws_part: String::new(),
        customer_part: String::new(),
        can_adjust: String::new(),
        nist: vec!["AC-2".to_string(), "IA-2".to_string()],
        services: vec!["iam".to_string()],
        status: Status::InProgress,
        status_reason: String::new(),
        owner: "ana@example.com".to_string(),
        due: Some(day("2026-12-01")),
        review_days: Some(90),
        notes: notes.to_string(),
        retired: false,
        sort_key: 0,
        reason: None,
        framework: None,
    }
}

fn evidence(id: i64, control: &str, file_name: &str, column: &str) -> PackEvidence {
    PackEvidence {
        evidence: Evidence {
            id,
            control: control.to_string(),
            file_name: file_name.to_string(),
            size_bytes: 2048,
            media_type: "application/pdf".to_string(),
            sha256: "ab".repeat(32),
            description: "Quarterly export".to_string(),
            collected_on: day("2026-10-01"),
            valid_until: Some(day("2027-10-01")),
            added_by: "ana".to_string(),
            added_at: crate::model::parse_stamp("2026-10-02T09:30:00Z").unwrap(),
            removed: false,
            removed_by: None,
            removed_at: None,
            removed_reason: None,
        },
        // The pack's names keep a file name inside its folder.
        path: format!(
            "evidence/{column}/{control} Title/{}",
            file_name.replace('/', "_")
        ),
    }
}

fn signoff(id: i64, subject: &str, stale: bool, superseded: bool) -> Signoff {
    Signoff {
        id,
        subject: subject.to_string(),
        subject_kind: "control".to_string(),
        subject_key: subject.trim_start_matches("control ").to_string(),
        by: "Mia <Manager>".to_string(),
        role: "CISO".to_string(),
        statement: "Reviewed & accepted".to_string(),
        signed_at: crate::model::parse_stamp("2026-11-02T10:00:00Z").unwrap(),
        recorded_by: "ana".to_string(),
        stale,
        superseded,
    }
}

/// Four controls, one per column plus edge cases: markup, formula-like notes, an overdue one,
/// and evidence and sign-offs (one stale and superseded) with hostile file names.
fn sample_controls() -> Vec<PackControl> {
    let mut aws = control("SRM-AWS-PE-01", Column::Aws, "Data centre security", "");
    aws.status = Status::Implemented;
    let mut shared = control(
        "SRM-SHR-PM-01",
        Column::Shared,
        "Patch <script>alert(\"x\")</script> & more",
        "=HYPERLINK(\"http://evil.example\",\"click\")",
    );
    shared.aws_part = "AWS patches the hosts".to_string();
    shared.customer_part = "You patch the guest OS".to_string();
    let mut minus = control("SRM-CUS-IAM-01", Column::Customer, "MFA", "-x");
    minus.status = Status::NotApplicable;
    minus.status_reason = "+1".to_string();
    minus.owner = "@SUM(A1:A2)".to_string();
    let mut number = control("SRM-CUS-IAM-02", Column::Customer, "Keys", "-3");
    number.due = Some(day("2026-11-01"));

    vec![
        PackControl {
            control: aws,
            overdue: false,
            evidence: vec![evidence(1, "SRM-AWS-PE-01", "SOC2 report é#1?.pdf", "aws")],
            signoffs: vec![],
        },
        PackControl {
            control: shared,
            overdue: false,
            evidence: vec![evidence(2, "SRM-SHR-PM-01", HOSTILE_FILE, "shared")],
            signoffs: vec![
                signoff(7, "control SRM-SHR-PM-01", true, true),
                signoff(8, "control SRM-SHR-PM-01", false, false),
            ],
        },
        PackControl {
            control: minus,
            overdue: false,
            evidence: vec![],
            signoffs: vec![],
        },
        PackControl {
            control: number,
            overdue: true,
            evidence: vec![],
            signoffs: vec![],
        },
    ]
}

/// A current trainee and one with no training, whose name looks like a formula.
fn sample_roster() -> Vec<RosterEntry> {
    vec![
        RosterEntry {
            email: "ana@example.com".to_string(),
            name: "Ana".to_string(),
            course: "Security awareness".to_string(),
            completed_on: Some(day("2026-03-01")),
            expires_on: Some(day("2027-03-01")),
            state: TrainingState::Current,
        },
        RosterEntry {
            email: "bo@example.com".to_string(),
            name: "=Bo".to_string(),
            course: "Security awareness".to_string(),
            completed_on: None,
            expires_on: None,
            state: TrainingState::Missing,
        },
    ]
}

/// One critical patch applied after its deadline.
fn sample_patches() -> Vec<PatchRecord> {
    vec![PatchRecord {
        asset: "web-1".to_string(),
        advisory: "CVE-2026-0001".to_string(),
        severity: Severity::Critical,
        released_on: day("2026-10-01"),
        applied_on: Some(day("2026-10-20")),
        deadline: day("2026-10-16"),
        days_to_patch: Some(19),
        state: PatchState::Late,
        attested_by: "ana".to_string(),
        evidence_sha256: None,
        evidence_name: None,
        recorded_at: crate::model::parse_stamp("2026-10-20T12:00:00Z").unwrap(),
    }]
}

/// One logged control update whose summary carries markup.
fn sample_activity() -> Vec<ActivityEntry> {
    vec![ActivityEntry {
        seq: 42,
        at: "2026-11-02T10:00:00Z".to_string(),
        actor: "ana".to_string(),
        project: "Payments <platform>".to_string(),
        subject: "SRM-SHR-PM-01".to_string(),
        action: crate::model::LoggedAction::Known(crate::model::Action::ControlUpdate {
            changes: vec![],
        }),
        detail: json!({}),
        summary: "notes: (empty) → <b>bold</b>".to_string(),
        prev_hash: "0".repeat(64),
        hash: "f".repeat(64),
    }]
}

/// A small snapshot with hostile text in the places users type.
fn sample() -> PackData {
    let controls = sample_controls();
    let signoffs = controls
        .iter()
        .flat_map(|pc| pc.signoffs.iter().cloned())
        .collect();
    PackData {
        project: Project {
            key: 1,
            name: "Payments <platform>".to_string(),
            description: "SOC 2 scope & \"friends\"".to_string(),
            services: vec!["ec2".to_string(), "iam".to_string(), "s3".to_string()],
            period_start: Some(day("2026-01-01")),
            period_end: Some(day("2026-12-31")),
            created_at: crate::model::parse_stamp("2026-01-01T00:00:00Z").unwrap(),
            baseline: None,
        },
        as_of: day("2026-11-28"),
        from: day("2026-01-01"),
        to: day("2026-11-28"),
        generated_by: "ana".to_string(),
        generator: "Lockstep 0.1.0".to_string(),
        controls,
        roster: sample_roster(),
        patches: sample_patches(),
        deadlines: PatchDeadlines::default(),
        signoffs,
        activity: sample_activity(),
        aws_reports: vec![],
        coverage: None,
        cuecs: vec![],
        kind: crate::pack::PackKind::Full,
        requests: vec![],
        findings: vec![],
        package_uri: String::new(),
        last_activity: None,
        system: Default::default(),
        roles: Vec::new(),
        users: Vec::new(),
        parameters: Default::default(),
        attachments: Vec::new(),
        resolved_catalog: None,
        assets: Vec::new(),
    }
}

fn file(files: &[(String, Vec<u8>)], name: &str) -> String {
    let (_, bytes) = files.iter().find(|(path, _)| path == name).unwrap();
    String::from_utf8(bytes.clone()).unwrap()
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    ::csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn files_come_in_pack_order() {
    let files = report_files(&sample()).unwrap();
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "index.html",
            "controls.csv",
            "evidence.csv",
            "training.csv",
            "patches.csv",
            "signoffs.csv",
            "activity.csv",
            "aws-reports.csv",
            "cuecs.csv",
            "evidence-pack.xlsx",
        ]
    );
}

#[test]
fn report_escapes_user_text_and_runs_no_script() {
    let html = file(&report_files(&sample()).unwrap(), "index.html");
    assert!(!html.to_lowercase().contains("<script"));
    assert!(html.contains("Patch &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;quote&#39;.pdf"));
    assert!(html.contains("Payments &lt;platform&gt;"));
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"));
    assert!(!html.contains("<b>bold"));
    assert!(html.contains("@media print"));
    // No outside resources: the only links are anchors and evidence paths.
    assert!(!html.contains(" src="));
    assert!(!html.contains("href=\"http"));
    assert!(!html.contains("<link"));
}

#[test]
fn report_links_each_evidence_file_with_an_encoded_href() {
    let html = file(&report_files(&sample()).unwrap(), "index.html");
    assert!(html.contains(
        "<a href=\"evidence/shared/SRM-SHR-PM-01%20Title/\
         %3Cscript%3Ealert%281%29%3C_script%3E%26%22quote%27.pdf\">"
    ));
    assert!(html.contains(
        "<a href=\"evidence/aws/SRM-AWS-PE-01%20Title/SOC2%20report%20%C3%A9%231%3F.pdf\">"
    ));
}

#[test]
fn report_shows_both_parts_of_shared_controls_and_flags_signoffs() {
    let html = file(&report_files(&sample()).unwrap(), "index.html");
    assert!(html.contains("AWS does") && html.contains("AWS patches the hosts"));
    assert!(html.contains("You do") && html.contains("You patch the guest OS"));
    assert!(html.contains("STALE") && html.contains("SUPERSEDED"));
    assert!(html.contains("OVERDUE"));
    assert!(html.contains("Critical 15 days"));
    assert!(html.contains("Mia &lt;Manager&gt;"));
}

#[test]
fn neutralise_cell_defuses_formulas_but_keeps_negative_numbers() {
    assert_eq!(neutralise_cell("=1+1"), "'=1+1");
    assert_eq!(neutralise_cell("+1"), "'+1");
    assert_eq!(neutralise_cell("-x"), "'-x");
    assert_eq!(neutralise_cell("@SUM(A1)"), "'@SUM(A1)");
    assert_eq!(neutralise_cell("\tcmd"), "'\tcmd");
    assert_eq!(neutralise_cell("\rcmd"), "'\rcmd");
    assert_eq!(neutralise_cell("-"), "'-");
    assert_eq!(neutralise_cell("-1-1"), "'-1-1");
    assert_eq!(neutralise_cell("-3"), "-3");
    assert_eq!(neutralise_cell("-2.5"), "-2.5");
    assert_eq!(neutralise_cell("plain = text"), "plain = text");
    assert_eq!(neutralise_cell(""), "");
}

#[test]
fn escape_html_escapes_the_five_characters() {
    assert_eq!(
        escape_html("<a href=\"x\">'&'</a>"),
        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
    );
    assert_eq!(escape_html("plain é"), "plain é");
}

#[test]
fn csv_cells_are_neutralised_and_negative_numbers_kept() {
    let files = report_files(&sample()).unwrap();
    let rows = csv_rows(&file(&files, "controls.csv"));
    let notes = rows[0].iter().position(|h| h == "notes").unwrap();
    let reason = rows[0].iter().position(|h| h == "status_reason").unwrap();
    let owner = rows[0].iter().position(|h| h == "owner").unwrap();
    assert_eq!(
        rows[2][notes],
        "'=HYPERLINK(\"http://evil.example\",\"click\")"
    );
    assert_eq!(rows[3][notes], "'-x");
    assert_eq!(rows[3][reason], "'+1");
    assert_eq!(rows[3][owner], "'@SUM(A1:A2)");
    assert_eq!(rows[4][notes], "-3");
    let training = csv_rows(&file(&files, "training.csv"));
    assert_eq!(training[2][1], "'=Bo");
}

#[test]
fn each_csv_has_its_header_and_one_row_per_item() {
    let files = report_files(&sample()).unwrap();
    let expected = [
        (
            "controls.csv",
            "id,column,area,title,status,status_reason,owner,due,overdue,review_days,services,nist,aws_part,customer_part,notes,evidence_count,signoffs",
            4,
        ),
        (
            "evidence.csv",
            "evidence_id,control,file_name,path,size_bytes,media_type,sha256,description,collected_on,valid_until,added_by,added_at",
            2,
        ),
        (
            "training.csv",
            "email,name,course,completed_on,expires_on,state",
            2,
        ),
        (
            "patches.csv",
            "asset,advisory,severity,released_on,deadline,applied_on,days_to_patch,state,attested_by,evidence_sha256",
            1,
        ),
        (
            "signoffs.csv",
            "id,subject,by,role,statement,signed_at,stale,superseded",
            2,
        ),
        (
            "activity.csv",
            "seq,at,actor,subject,action,summary,hash",
            1,
        ),
    ];
    for (name, header, count) in expected {
        let text = file(&files, name);
        assert_eq!(text.lines().next(), Some(header), "{name}");
        assert_eq!(csv_rows(&text).len(), count + 1, "{name}");
    }
    let evidence = csv_rows(&file(&files, "evidence.csv"));
    assert_eq!(evidence[2][2], HOSTILE_FILE);
    assert_eq!(evidence[2][4], "2048");
    assert_eq!(evidence[2][8], "2026-10-01");
}

#[test]
fn workbook_is_a_zip_and_identical_across_builds() {
    let data = sample();
    let first = report_files(&data).unwrap();
    let second = report_files(&data).unwrap();
    assert_eq!(first, second);
    let (_, xlsx) = first.last().unwrap();
    assert!(xlsx.starts_with(b"PK"));
    let core = zip_entry(xlsx, "docProps/core.xml");
    assert!(core.contains("2026-11-28T00:00:00Z"));
}

#[test]
fn workbook_has_the_six_sheets_with_neutralised_text() {
    let files = report_files(&sample()).unwrap();
    let (_, xlsx) = files.last().unwrap();
    let book = zip_entry(xlsx, "xl/workbook.xml");
    for sheet in [
        "Controls",
        "Evidence",
        "Training",
        "Patches",
        "Sign-offs",
        "Activity",
    ] {
        assert!(book.contains(&format!("name=\"{sheet}\"")), "{sheet}");
    }
    let strings = zip_entry(xlsx, "xl/sharedStrings.xml");
    assert!(strings.contains("'=HYPERLINK("));
    assert!(strings.contains("'+1"));
    assert!(strings.contains("'-x"));
    assert!(strings.contains("'@SUM(A1:A2)"));
    assert!(strings.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let controls = zip_entry(xlsx, "xl/worksheets/sheet1.xml");
    assert!(controls.contains("<pane ySplit=\"1\""));
    assert!(!controls.contains("<f>"));
}

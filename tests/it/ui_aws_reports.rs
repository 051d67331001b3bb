//! The window's AWS reports view, driven headless: adding a report with its file picked
//! through the scripted picker, the coverage line and the dashboard's attention entries it
//! changes, the AWS-column card mark, removing a report with a reason, how much of the audit
//! period each report says it covers, and the CUEC table at a laptop's size.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use lockstep::app::{App, Concern, Target, View};
use lockstep::model::ReportKind;
use lockstep::store::{NewAwsReport, NewProject};
use lockstep::workspace::{add_aws_report, open_vault};

use crate::window::{
    ScriptedPicker, finish_background, harness, harness_sized, open_app, open_app_with_picker,
    open_store,
};

const AWS_CARD_MARK: &str = "AWS coverage gap";

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// A project on EC2 and S3 whose audit period is the year 2027.
fn create_audited_project(dir: &Path) {
    open_store(dir)
        .create_project(&NewProject {
            name: "Payments platform".into(),
            services: vec!["ec2".into(), "s3".into()],
            period_start: "2027-01-01".parse().ok(),
            period_end: "2027-12-31".parse().ok(),
            ..NewProject::default()
        })
        .unwrap();
}

fn click(harness: &mut Harness<'_, App>, role: Role, label: &str) {
    harness.get_by_role_and_label(role, label).scroll_to_me();
    harness.run();
    harness.get_by_role_and_label(role, label).click();
    harness.run();
}

/// Clicks a button that starts a file dialog or a job, and waits for it to end.
fn click_and_wait(harness: &mut Harness<'_, App>, label: &str) {
    harness
        .get_by_role_and_label(Role::Button, label)
        .scroll_to_me();
    harness.run();
    harness.get_by_role_and_label(Role::Button, label).click();
    finish_background(harness);
}

fn type_into(harness: &mut Harness<'_, App>, label: &str, text: &str) {
    click(harness, Role::TextInput, label);
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    harness.run();
}

fn coverage_items(harness: &Harness<'_, App>) -> Vec<String> {
    harness
        .state()
        .state
        .records
        .dashboard
        .attention
        .iter()
        .filter(|item| item.concern == Concern::AwsCoverage)
        .inspect(|item| assert_eq!(item.target, Target::AwsReports))
        .map(|item| item.text.clone())
        .collect()
}

#[test]
fn a_report_added_in_the_window_closes_the_gap_and_clears_the_marks() {
    let tmp = tempfile::tempdir().unwrap();
    create_audited_project(tmp.path());
    let soc = write(tmp.path(), "aws-soc2.pdf", b"%PDF SOC 2");
    let bridge = write(tmp.path(), "aws-bridge.pdf", b"%PDF bridge");
    let picker = ScriptedPicker::new();
    picker.will_pick(&[&soc]);
    picker.will_pick(&[&bridge]);
    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);

    // Without reports the whole year is a gap: the dashboard says so and AWS cards are marked.
    assert_eq!(
        coverage_items(&harness),
        ["No AWS report covers 2027-01-01 to 2027-12-31 (365 days of the audit period)"]
    );
    assert!(
        !harness
            .query_all_by_label(AWS_CARD_MARK)
            .collect::<Vec<_>>()
            .is_empty()
    );

    click(&mut harness, Role::Button, "AWS reports");
    assert_eq!(harness.state().state.shell.view, View::AwsReports);
    harness.get_by_label("Gap: 2027-01-01 to 2027-12-31 (365 days)");
    type_into(&mut harness, "Title", "AWS SOC 2 Type II 2026-27");
    type_into(&mut harness, "Period start", "2026-10-01");
    type_into(&mut harness, "Period end", "2027-09-30");
    type_into(&mut harness, "Services", "ec2, s3");
    type_into(&mut harness, "Bridge letter until", "2027-12-31");
    click_and_wait(&mut harness, "Choose report…");
    click_and_wait(&mut harness, "Choose bridge letter…");
    click_and_wait(&mut harness, "Add report");

    let reports = open_store(tmp.path()).aws_reports().unwrap();
    assert_eq!(
        reports.len(),
        1,
        "{:?}",
        harness.state().state.shell.notifications
    );
    assert_eq!(reports[0].file_name, "aws-soc2.pdf");
    assert_eq!(reports[0].services, ["ec2", "s3"]);
    assert_eq!(
        reports[0]
            .bridge_letter
            .as_ref()
            .map(|b| b.file_name.as_str()),
        Some("aws-bridge.pdf")
    );
    harness.get_by_label("No gaps and no missing services.");
    assert!(coverage_items(&harness).is_empty());

    // An AWS-column control's panel names the report behind it, and its card is not marked.
    click(&mut harness, Role::Button, "Board");
    assert!(harness.query_by_label(AWS_CARD_MARK).is_none());
    harness
        .state_mut()
        .apply(lockstep::app::Command::SelectControl(Some(
            "SRM-AWS-PE-01".into(),
        )));
    harness.run();
    harness.get_by_label("AWS's reports behind it");
    harness.get_by_label("SOC 2 Type II — AWS SOC 2 Type II 2026-27");
    click(&mut harness, Role::Link, "Open AWS reports");

    // Removing it needs a reason and brings the gap back.
    type_into(&mut harness, "Reason for removing", "wrong file");
    click(&mut harness, Role::Button, "Remove report");
    let reports = open_store(tmp.path()).aws_reports().unwrap();
    assert!(reports[0].removed);
    assert_eq!(reports[0].removed_reason.as_deref(), Some("wrong file"));
    assert_eq!(coverage_items(&harness).len(), 1);
    click(&mut harness, Role::Button, "Board");
    assert!(
        !harness
            .query_all_by_label(AWS_CARD_MARK)
            .collect::<Vec<_>>()
            .is_empty()
    );
}

#[test]
fn cuecs_imported_in_the_window_are_mapped_by_hand_and_leave_the_attention_list() {
    let tmp = tempfile::tempdir().unwrap();
    create_audited_project(tmp.path());
    let soc = write(tmp.path(), "soc2.pdf", b"%PDF SOC 2");
    let csv = write(
        tmp.path(),
        "cuecs.csv",
        b"cuec,criteria\nCustomers review who can reach their data,CC6.3\n",
    );
    let picker = ScriptedPicker::new();
    picker.will_pick(&[&soc]);
    picker.will_pick(&[&csv]);
    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);
    click(&mut harness, Role::Button, "AWS reports");
    type_into(&mut harness, "Title", "SOC 2");
    click_and_wait(&mut harness, "Choose report…");
    click_and_wait(&mut harness, "Add report");
    click_and_wait(&mut harness, "Import CUECs…");

    let unmapped: Vec<_> = harness
        .state()
        .state
        .records
        .dashboard
        .attention
        .iter()
        .filter(|item| item.concern == Concern::UnmappedCuec)
        .map(|item| item.text.clone())
        .collect();
    assert_eq!(
        unmapped,
        ["CUEC 1: Customers review who can reach their data"]
    );
    harness.get_by_label("Unmapped");

    click(&mut harness, Role::ComboBox, "Map CUEC 1");
    click(
        &mut harness,
        Role::Button,
        "SRM-CUS-IAM-03 Multi-factor authentication",
    );

    let store = open_store(tmp.path());
    let project = store.project_by_name("Payments platform").unwrap();
    let table = store.cuec_table(project.key).unwrap();
    assert_eq!(table[0].controls.len(), 1);
    assert_eq!(table[0].controls[0].id, "SRM-CUS-IAM-03");
    assert!(
        harness
            .state()
            .state
            .records
            .dashboard
            .attention
            .iter()
            .all(|item| item.concern != Concern::UnmappedCuec)
    );
    click(&mut harness, Role::Button, "Unmap SRM-CUS-IAM-03");
    assert!(
        open_store(tmp.path()).cuec_table(project.key).unwrap()[0]
            .controls
            .is_empty()
    );
}

/// Adds a SOC 2 report on EC2 and S3 for these days, as the command line would; its id.
fn add_report(dir: &Path, title: &str, (from, to): (&str, &str)) -> i64 {
    let file = write(
        dir,
        &format!("{}.pdf", title.replace(' ', "-")),
        b"%PDF SOC 2",
    );
    let request = NewAwsReport {
        kind: ReportKind::Soc2Type2,
        title: title.into(),
        period_start: from.parse().ok(),
        period_end: to.parse().ok(),
        valid_until: None,
        services: vec!["ec2".into(), "s3".into()],
        bridge_until: None,
    };
    let vault = open_vault(dir).unwrap();
    add_aws_report(
        &mut open_store(dir),
        &vault,
        &request,
        &file,
        None,
        &AtomicBool::new(false),
    )
    .unwrap()
    .id
}

#[test]
fn a_report_that_ends_mid_audit_says_which_part_of_it_it_covers() {
    let tmp = tempfile::tempdir().unwrap();
    create_audited_project(tmp.path());
    add_report(tmp.path(), "SOC 2 to June", ("2026-10-01", "2027-06-30"));
    let mut harness = harness(open_app(tmp.path()));
    click(&mut harness, Role::Button, "AWS reports");

    harness.get_by_label("Gap: 2027-07-01 to 2027-12-31 (184 days)");
    harness.get_by_label("Covers 2027-01-01 to 2027-06-30 of this audit");
    assert!(harness.query_by_label("Covers this audit").is_none());

    // A report for the whole year covers it all, and says so.
    add_report(tmp.path(), "SOC 2 whole year", ("2027-01-01", "2027-12-31"));
    harness.state_mut().refresh();
    harness.run();
    harness.get_by_label("Covers this audit");
    harness.get_by_label("Covers 2027-01-01 to 2027-06-30 of this audit");
}

/// Seven CUECs of about 200 characters, as AWS's reports word them.
fn long_cuecs() -> Vec<String> {
    [
        "managing the logical access of their users to the AWS resources they provision",
        "encrypting the data they store in Amazon S3 and Amazon RDS with keys they manage",
        "configuring security groups and network access control lists for their instances",
        "patching the guest operating system and applications running on their instances",
        "enabling the logging of API activity in their accounts with AWS CloudTrail",
        "training their personnel on the secure use of AWS services and their own policies",
        "backing up their data and testing that a restore meets their recovery objectives",
    ]
    .iter()
    .map(|duty| {
        format!(
            "Customers are responsible for {duty}, reviewing it at least once a quarter and \
             keeping the records an auditor asks for."
        )
    })
    .collect()
}

#[test]
fn each_cuec_gets_the_width_of_the_table_and_its_controls_sit_on_its_row() {
    let tmp = tempfile::tempdir().unwrap();
    create_audited_project(tmp.path());
    let report = add_report(tmp.path(), "SOC 2", ("2027-01-01", "2027-12-31"));
    let cuecs = long_cuecs();
    let mut csv = String::from("cuec,criteria\n");
    for text in &cuecs {
        assert!(
            (180..=220).contains(&text.len()),
            "{} characters",
            text.len()
        );
        csv.push_str(&format!("\"{text}\",CC6.1\n"));
    }
    let csv = write(tmp.path(), "cuecs.csv", csv.as_bytes());
    let mut store = open_store(tmp.path());
    store.import_cuecs(report, &csv).unwrap();
    let project = store.project_by_name("Payments platform").unwrap().key;
    for control in ["SRM-CUS-IAM-02", "SRM-CUS-IAM-03"] {
        store.map_cuec(project, 1, control, true).unwrap();
    }
    let mut harness = harness_sized(open_app(tmp.path()), egui::vec2(1280.0, 800.0));
    click(&mut harness, Role::Button, "AWS reports");

    let tops: Vec<f32> = cuecs
        .iter()
        .map(|text| {
            let rect = harness.get_by_label(text).rect();
            assert!(rect.width() >= 500.0, "{text}: {rect:?}");
            rect.top()
        })
        .collect();
    for pair in tops.windows(2) {
        let height = pair[1] - pair[0];
        assert!(
            (0.0..120.0).contains(&height),
            "a row is {height} points tall"
        );
    }
    // The first CUEC's controls are chips of their own on its row, the first beside the
    // text's first line, then "Map to…".
    let first = harness
        .get_by_role_and_label(Role::Button, "SRM-CUS-IAM-02")
        .rect();
    assert!((first.top() - tops[0]).abs() < 12.0, "{first:?}");
    for control in ["SRM-CUS-IAM-02", "SRM-CUS-IAM-03"] {
        let chip = harness.get_by_role_and_label(Role::Button, control).rect();
        let unmap = harness
            .get_by_role_and_label(Role::Button, &format!("Unmap {control}"))
            .rect();
        for rect in [chip, unmap] {
            assert!(
                rect.top() >= tops[0] - 4.0 && rect.bottom() <= tops[1],
                "{rect:?}"
            );
        }
    }
    let map = harness
        .get_by_role_and_label(Role::ComboBox, "Map CUEC 1")
        .rect();
    assert!(map.top() >= tops[0] && map.bottom() <= tops[1], "{map:?}");

    // A chip opens its control.
    click(&mut harness, Role::Button, "SRM-CUS-IAM-02");
    let state = &harness.state().state;
    assert_eq!(state.shell.view, View::Board);
    assert_eq!(state.shell.selected.as_deref(), Some("SRM-CUS-IAM-02"));
}

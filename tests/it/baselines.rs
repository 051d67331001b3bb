//! Projects on a framework baseline: placement and its reason, services changes, moving a
//! control by hand, `control show` and CRM import, through the store and the real binary.

use std::path::Path;

use lockstep::model::{
    Column, ControlEdit, ControlPatch, FilledParameter, FilledText, FrameworkControl,
    ParameterSource, ParameterSpan, Reason,
};
use lockstep::store::Store;

use crate::common::{lockstep, new_project, open, workspace};

/// A framework control as a resolved baseline gives it.
pub fn framework(id: &str, title: &str, position: usize) -> FrameworkControl {
    let label = lockstep::model::label_of(id);
    let family = label.split('-').next().unwrap().to_string();
    let parent = id
        .rsplit_once('.')
        .map(|(parent, _)| lockstep::model::label_of(parent));
    FrameworkControl {
        id: id.to_string(),
        label,
        family: family.clone(),
        family_title: format!("Family {family}"),
        title: title.to_string(),
        statement: FilledText {
            text: format!("{title}: within 30 days."),
            params: vec![ParameterSpan {
                start: title.len() + 9,
                end: title.len() + 16,
                param: format!("{id}_odp"),
            }],
        },
        guidance: format!("Guidance for {title}."),
        parameters: vec![FilledParameter {
            id: format!("{id}_odp"),
            label: "time period".to_string(),
            value: "30 days".to_string(),
            source: ParameterSource::Value,
            aggregates: Vec::new(),
        }],
        parent,
        selected: true,
        position,
    }
}

/// The small baseline of the fixtures: one parent kept for structure, and a control for each
/// placement rule.
pub fn small_baseline() -> Vec<FrameworkControl> {
    let mut parent = framework("ac-2", "Account Management", 0);
    parent.selected = false;
    vec![
        parent,
        framework("ac-2.1", "Automated System Account Management", 1),
        framework("au-2", "Event Logging", 2),
        framework("ca-2", "Control Assessments", 3),
        framework("ma-4", "Nonlocal Maintenance", 4),
        framework("pe-3", "Physical Access Control", 5),
        framework("pe-8", "Visitor Access Records", 6),
        framework("pl-2", "System Security and Privacy Plans", 7),
        framework("si-2", "Flaw Remediation", 8),
    ]
}

fn on_baseline(dir: &Path, services: &[&str]) -> (Store, i64) {
    let mut store = open(dir);
    let project = store
        .create_project_on_baseline(&new_project("Gov", services), "small", &small_baseline())
        .unwrap();
    assert_eq!(project.baseline.as_deref(), Some("small"));
    (store, project.key)
}

fn column_of(store: &Store, project: i64, id: &str) -> (Column, Option<Reason>) {
    let control = store.control(project, id).unwrap();
    (control.column, control.reason)
}

#[test]
fn a_baseline_project_tracks_the_selected_controls_each_placed_with_its_reason() {
    let (_tmp, dir) = workspace();
    let (store, project) = on_baseline(&dir, &["ec2", "s3"]);
    let controls = store.controls(project).unwrap();
    let ids: Vec<&str> = controls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "AC-2(1)", "AU-2", "CA-2", "MA-4", "PE-3", "PE-8", "PL-2", "SI-2"
        ]
    );
    let context = store.context_controls(project).unwrap();
    assert_eq!(context.len(), 1);
    assert_eq!(context[0].id, "AC-2");
    let parent = store
        .parent_control(project, &controls[0])
        .unwrap()
        .unwrap();
    assert_eq!(parent.title, "Account Management");

    let (column, reason) = column_of(&store, project, "PE-3");
    assert_eq!(column, Column::Aws);
    assert!(
        matches!(reason, Some(Reason::Srm { ids }) if ids.contains(&"SRM-AWS-PE-01".to_string()))
    );
    assert_eq!(
        column_of(&store, project, "PE-8"),
        (
            Column::Aws,
            Some(Reason::Family {
                family: "PE".into()
            })
        )
    );
    assert_eq!(
        column_of(&store, project, "MA-4"),
        (
            Column::Shared,
            Some(Reason::Family {
                family: "MA".into()
            })
        )
    );
    assert_eq!(
        column_of(&store, project, "CA-2"),
        (Column::Customer, Some(Reason::Default))
    );
    // SI-2 is named by the AWS hypervisor patching control and the customer's guest patching.
    assert_eq!(column_of(&store, project, "SI-2").0, Column::Shared);
    let si2 = store.control(project, "si-2").unwrap();
    assert!(!si2.aws_part.is_empty() && !si2.customer_part.is_empty());
    assert!(
        si2.why().contains("split between AWS and the customer"),
        "{}",
        si2.why()
    );
    let framework = si2.framework.unwrap();
    assert_eq!(framework.parameters[0].value, "30 days");
    assert_eq!(
        &framework.statement.text
            [framework.statement.params[0].start..framework.statement.params[0].end],
        "30 days"
    );
}

#[test]
fn both_id_forms_find_a_framework_control() {
    let (_tmp, dir) = workspace();
    let (store, project) = on_baseline(&dir, &["ec2"]);
    assert_eq!(store.control(project, "ac-2.1").unwrap().id, "AC-2(1)");
    assert_eq!(store.control(project, "AC-2(1)").unwrap().id, "AC-2(1)");
    assert!(
        store.control(project, "ac-2").is_err(),
        "a parent is not tracked"
    );
}

#[test]
fn changing_services_replaces_only_derived_controls() {
    let (_tmp, dir) = workspace();
    let (mut store, project) = on_baseline(&dir, &["ec2"]);
    // A person moves CA-2 to AWS, with a reason.
    store
        .update_control(
            project,
            "CA-2",
            &ControlPatch::default()
                .with(ControlEdit::Column(Column::Aws))
                .because("assessed under the provider's authorisation"),
        )
        .unwrap();
    assert_eq!(
        column_of(&store, project, "CA-2"),
        (Column::Aws, Some(Reason::Person))
    );
    let before_si2 = store.control(project, "SI-2").unwrap();

    // Without EC2 (S3 only), the customer no longer patches guest systems.
    store
        .set_project_services(project, &["s3".to_string()])
        .unwrap();
    assert_eq!(
        column_of(&store, project, "CA-2"),
        (Column::Aws, Some(Reason::Person)),
        "a person's move stays"
    );
    let after_si2 = store.control(project, "SI-2").unwrap();
    assert!(after_si2.reason.as_ref().unwrap().is_derived());
    assert_ne!(
        (before_si2.column, &before_si2.customer_part),
        (after_si2.column, &after_si2.customer_part),
        "a derived placement follows the services"
    );
    // The re-placed column is the one a fresh project on these services gets.
    let fresh = store
        .create_project_on_baseline(&new_project("Fresh", &["s3"]), "small", &small_baseline())
        .unwrap();
    assert_eq!(
        store.control(fresh.key, "SI-2").unwrap().column,
        after_si2.column
    );
    let log = store.activity(Some(project), None).unwrap();
    assert!(
        log.iter().any(|row| row.summary.contains("re-placed SI-2")),
        "{:?}",
        log.iter().map(|r| r.summary.clone()).collect::<Vec<_>>()
    );
}

#[test]
fn moving_a_project_between_baselines_keeps_work_and_retires_the_rest() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("Legacy", &["ec2"]))
        .unwrap();
    let srm_count = store.controls(project.key).unwrap().len();
    let moved = store
        .set_project_baseline(project.key, Some(("small", small_baseline().as_slice())))
        .unwrap();
    assert_eq!(moved.baseline.as_deref(), Some("small"));
    let controls = store.controls(project.key).unwrap();
    assert_eq!(controls.iter().filter(|c| !c.retired).count(), 8);
    assert_eq!(controls.iter().filter(|c| c.retired).count(), srm_count);
    let back = store.set_project_baseline(project.key, None).unwrap();
    assert_eq!(back.baseline, None);
    let controls = store.controls(project.key).unwrap();
    assert_eq!(controls.iter().filter(|c| !c.retired).count(), srm_count);
}

#[test]
fn srm_projects_keep_their_json_shape() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("Plain", &["ec2"]))
        .unwrap();
    let json = serde_json::to_value(store.controls(project.key).unwrap()).unwrap();
    let first = json[0].as_object().unwrap();
    assert!(!first.contains_key("reason") && !first.contains_key("framework"));
    let project_json = serde_json::to_value(store.project(project.key).unwrap()).unwrap();
    assert!(project_json.get("baseline").is_none());
}

#[test]
fn control_show_prints_an_srm_control_with_its_related_controls() {
    let (_tmp, dir) = workspace();
    let created = lockstep(
        &dir,
        &["project", "create", "Plain", "--services", "ec2,rds"],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    let shown = lockstep(
        &dir,
        &[
            "control",
            "show",
            "--project",
            "Plain",
            "SRM-AWS-PE-01",
            "--json",
        ],
    );
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let json = shown.json();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    let mut expected = [
        "id",
        "title",
        "column",
        "why",
        "statement",
        "guidance",
        "parameters",
        "related",
    ];
    expected.sort_unstable();
    assert_eq!(
        keys, expected,
        "control show --json prints exactly these keys"
    );
    assert_eq!(json["column"], "aws");
    assert!(json["statement"].as_str().unwrap().contains("data centres"));
    // SRM-AWS-GLB-02 (edge locations) also names PE-3.
    assert!(
        json["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "SRM-AWS-GLB-02" && r["column"] == "aws")
    );
    let text = lockstep(
        &dir,
        &["control", "show", "--project", "Plain", "srm-aws-pe-01"],
    );
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains("Why: The built-in SRM set places it"),
        "{}",
        text.stdout
    );
    let unknown = lockstep(&dir, &["control", "show", "--project", "Plain", "AC-2(1)"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("has no control 'AC-2(1)'"),
        "{}",
        unknown.stderr
    );
}

/// The folder of this module's fixtures.
fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/baselines")
}

/// A workspace with the fixture profile imported and project "Gov" on it, on EC2 and S3.
fn gov_on_fixture() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = workspace();
    let profile = fixtures().join("small-baseline.json");
    let imported = lockstep(&dir, &["profile", "import", profile.to_str().unwrap()]);
    assert_eq!(imported.code, 0, "{}", imported.stderr);
    let created = lockstep(
        &dir,
        &[
            "project",
            "create",
            "Gov",
            "--services",
            "ec2,s3",
            "--baseline",
            "small-baseline",
        ],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert!(
        created
            .stdout
            .contains("on baseline 'small-baseline' with 8 controls"),
        "{}",
        created.stdout
    );
    (tmp, dir)
}

fn show(dir: &Path, id: &str) -> serde_json::Value {
    let shown = lockstep(dir, &["control", "show", "--project", "Gov", id, "--json"]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    shown.json()
}

#[test]
fn a_project_on_an_imported_profile_shows_each_control_with_its_filled_text() {
    let (_tmp, dir) = gov_on_fixture();
    let json = show(&dir, "ac-2.1");
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    let mut expected = [
        "id",
        "title",
        "column",
        "why",
        "statement",
        "guidance",
        "parameters",
        "related",
    ];
    expected.sort_unstable();
    assert_eq!(
        keys, expected,
        "control show --json prints exactly these keys"
    );
    assert_eq!(json["id"], "AC-2(1)");
    assert!(
        json["statement"]
            .as_str()
            .unwrap()
            .contains("the identity provider"),
        "{json}"
    );
    assert!(json["guidance"].as_str().unwrap().contains("email"));
    assert_eq!(json["parameters"][0]["value"], "the identity provider");
    assert_eq!(show(&dir, "AC-2(1)")["id"], "AC-2(1)");
    let pe8 = show(&dir, "PE-8");
    assert_eq!(pe8["column"], "aws");
    assert!(
        pe8["why"]
            .as_str()
            .unwrap()
            .starts_with("Family rule for PE")
    );
    let pe3 = show(&dir, "pe-3");
    assert!(
        pe3["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "SRM-AWS-PE-01")
    );
    let text = lockstep(&dir, &["control", "show", "--project", "Gov", "SI-2"]);
    assert!(text.stdout.contains("30 days"), "{}", text.stdout);
    // The parent is context, not a tracked control.
    let parent = lockstep(&dir, &["control", "show", "--project", "Gov", "AC-2"]);
    assert_eq!(parent.code, 2);
}

#[test]
fn a_crm_csv_places_the_controls_it_names_and_refuses_bad_rows_by_line() {
    let (tmp, dir) = gov_on_fixture();
    let crm = tmp.path().join("crm.csv");
    std::fs::write(
        &crm,
        "Control ID , CAN BE INHERITED FROM CSP,Specific  Inheritance and Customer Agency/CSP Responsibilities\n\
         ca-2,Yes,Covered by the provider's assessment.\n\
         PL-2,partial,The customer writes its own plan.\n\
         ZZ-9,Yes,unknown control\n\
         AU-2,Maybe,unknown value\n\
         hello,No,not an id\n",
    )
    .unwrap();
    let run = lockstep(
        &dir,
        &["crm", "import", "--project", "Gov", crm.to_str().unwrap()],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("line 4: the project's baseline has no control ZZ-9"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("line 5: 'Maybe' is not a CRM answer"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("line 6:"), "{}", run.stderr);
    assert!(
        run.stdout.contains("imported 2 of 5 CRM rows"),
        "{}",
        run.stdout
    );
    let ca2 = show(&dir, "CA-2");
    assert_eq!(ca2["column"], "aws");
    assert!(ca2["why"].as_str().unwrap().contains("CRM"));
    let pl2 = show(&dir, "PL-2");
    assert_eq!(pl2["column"], "shared");

    // Re-importing replaces the CRM: CA-2 falls back to its derived column.
    std::fs::write(
        &crm,
        "Control ID,Can Be Inherited from CSP,Specific Inheritance and Customer Agency/CSP Responsibilities\nPL-2,No,\n",
    )
    .unwrap();
    let again = lockstep(
        &dir,
        &["crm", "import", "--project", "Gov", crm.to_str().unwrap()],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(show(&dir, "CA-2")["column"], "customer");
    assert_eq!(show(&dir, "PL-2")["column"], "customer");

    let missing = tmp.path().join("no-header.csv");
    std::fs::write(&missing, "Control,Answer\nAC-2,Yes\n").unwrap();
    let refused = lockstep(
        &dir,
        &[
            "crm",
            "import",
            "--project",
            "Gov",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("no row names the columns"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_crm_workbook_with_title_rows_is_read_from_its_crm_sheet() {
    let (tmp, dir) = gov_on_fixture();
    let path = tmp.path().join("crm.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let cis = book.add_worksheet().set_name("CIS").unwrap();
    cis.write_string(0, 0, "Control ID").unwrap();
    let sheet = book.add_worksheet().set_name("CRM Worksheet").unwrap();
    sheet
        .write_string(0, 0, "FedRAMP Customer Responsibility Matrix")
        .unwrap();
    sheet.write_string(1, 0, "Cloud service: Example").unwrap();
    let header = [
        "Control ID",
        "Can Be Inherited from CSP",
        "Specific Inheritance and Customer Agency/CSP Responsibilities",
    ];
    for (col, name) in header.iter().enumerate() {
        sheet.write_string(3, col as u16, *name).unwrap();
    }
    for (row, cells) in [
        ["AU-2", "No", "The customer logs its own events."],
        [
            "pe-8",
            "Partial",
            "The customer keeps its office visitor log.",
        ],
    ]
    .iter()
    .enumerate()
    {
        for (col, cell) in cells.iter().enumerate() {
            sheet
                .write_string(4 + row as u32, col as u16, *cell)
                .unwrap();
        }
    }
    book.save(&path).unwrap();
    let run = lockstep(
        &dir,
        &["crm", "import", "--project", "Gov", path.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pe8 = show(&dir, "PE-8");
    assert_eq!(pe8["column"], "shared");
    assert!(pe8["why"].as_str().unwrap().contains("Partial"));
}

#[test]
fn a_crm_for_a_project_on_the_builtin_set_is_refused() {
    let (tmp, dir) = workspace();
    lockstep(&dir, &["project", "create", "Plain", "--services", "ec2"]);
    let crm = tmp.path().join("crm.csv");
    std::fs::write(
        &crm,
        "Control ID,Can Be Inherited from CSP,Specific Inheritance and Customer Agency/CSP Responsibilities\nAC-2,Yes,x\n",
    )
    .unwrap();
    let run = lockstep(
        &dir,
        &["crm", "import", "--project", "Plain", crm.to_str().unwrap()],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("built-in SRM set"), "{}", run.stderr);
}

#[test]
fn set_baseline_moves_a_project_and_back() {
    let (_tmp, dir) = gov_on_fixture();
    let back = lockstep(
        &dir,
        &["project", "set-baseline", "Gov", "--baseline", "srm"],
    );
    assert_eq!(back.code, 0, "{}", back.stderr);
    let listed = lockstep(&dir, &["project", "list", "--json"]).json();
    assert!(listed[0].get("baseline").is_none(), "{listed}");
    let again = lockstep(
        &dir,
        &[
            "project",
            "set-baseline",
            "Gov",
            "--baseline",
            "small-baseline",
        ],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    let unknown = lockstep(
        &dir,
        &["project", "set-baseline", "Gov", "--baseline", "nope"],
    );
    assert_eq!(unknown.code, 2);
}

#[test]
fn a_project_on_nist_moderate_tracks_its_selected_controls() {
    let data = Path::new("/work/shared/data/oscal/nist-800-53-rev5");
    let profile = data.join("NIST_SP-800-53_rev5_MODERATE-baseline_profile.json");
    if !profile.exists() {
        eprintln!("skipped: the NIST data is not at {}", data.display());
        return;
    }
    let (_tmp, dir) = workspace();
    let imported = lockstep(&dir, &["profile", "import", profile.to_str().unwrap()]);
    assert_eq!(imported.code, 0, "{}", imported.stderr);
    let name = "NIST_SP-800-53_rev5_MODERATE-baseline_profile";
    let created = lockstep(
        &dir,
        &[
            "project",
            "create",
            "Moderate",
            "--services",
            "ec2,rds,s3",
            "--baseline",
            name,
        ],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert!(
        created.stdout.contains("with 287 controls"),
        "{}",
        created.stdout
    );
    let ac21 = lockstep(
        &dir,
        &[
            "control",
            "show",
            "--project",
            "Moderate",
            "AC-2(1)",
            "--json",
        ],
    );
    assert_eq!(ac21.code, 0, "{}", ac21.stderr);
    assert_eq!(ac21.json()["id"], "AC-2(1)");
}

//! Issue 10: the Requests view — importing the auditor's list, sorting and filtering it,
//! answering a request (response, evidence, status) and request progress on the dashboard.

use std::path::{Path, PathBuf};

use crate::window::{
    ScriptedPicker, create_project, finish_background, harness, harness_sized, notification_texts,
    open_app, open_app_with_picker, open_store,
};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;
use lockstep::app::{Level, View};
use lockstep::model::RequestStatus;
use lockstep::store::RequestPatch;

/// R-1 is overdue on the test day (2026-11-28); R-2 names one of the project's controls.
const LIST: &str = "ID,Request,Control,Owner,Due\n\
R-10,Change tickets for the period,CC8.1,Bob,2027-01-10\n\
R-2,Population of IAM users with MFA status,SRM-CUS-IAM-03,Ann,2026-12-15\n\
R-1,Network diagram,CC6.6,Ann,2026-11-20\n";

fn write_list(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("requests.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// A project with the list imported as the command line would.
fn imported(dir: &Path) -> i64 {
    let project = create_project(dir);
    let list = write_list(dir, LIST);
    open_store(dir).import_requests(project, &list).unwrap();
    project
}

fn shown(harness: &egui_kittest::Harness<'_, lockstep::app::App>) -> Vec<String> {
    let state = &harness.state().state;
    state
        .views
        .requests
        .rows
        .iter()
        .map(|n| state.records.requests[*n].id.clone())
        .collect()
}

#[test]
fn the_requests_view_says_how_to_import_a_list_when_there_is_none() {
    let dir = tempfile::tempdir().unwrap();
    create_project(dir.path());
    let mut harness = harness(open_app(dir.path()));
    harness.get_by_label("Requests").click();
    harness.run();
    assert_eq!(harness.state().state.shell.view, View::Requests);
    harness.get_by_label_contains("No requests yet. Import the auditor's request list");
    harness.get_by_label_contains("lockstep request import --project NAME FILE");
}

#[test]
fn a_list_imported_through_the_picker_fills_the_table_and_names_refused_lines() {
    let dir = tempfile::tempdir().unwrap();
    create_project(dir.path());
    let list = write_list(
        dir.path(),
        &format!("{LIST}R-3,Access reviews,,Ann,tomorrow\n"),
    );
    let picker = ScriptedPicker::new();
    let (app, _) = open_app_with_picker(dir.path(), &picker);
    let mut harness = harness(app);
    harness.get_by_label("Requests").click();
    harness.run();
    picker.will_pick(&[&list]);
    harness.get_by_label("Import request list…").click();
    finish_background(&mut harness);
    assert_eq!(shown(&harness), ["R-1", "R-2", "R-10"]);
    harness.get_by_label("Network diagram");
    let notes = &harness.state().state.shell.notifications;
    assert!(
        notes.iter().any(|n| n.level == Level::Error
            && n.text.contains("Imported 3 of 4 requests")
            && n.text.contains("1 refused")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.text.starts_with("line 5:") && n.text.contains("tomorrow")),
        "{notes:?}"
    );
}

#[test]
fn clicking_a_header_sorts_and_the_filters_narrow_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let mut harness = harness(open_app(dir.path()));
    harness.get_by_label("Requests").click();
    harness.run();
    assert_eq!(shown(&harness), ["R-1", "R-2", "R-10"]);
    harness.get_by_label("Due").click();
    harness.run();
    assert_eq!(shown(&harness), ["R-1", "R-2", "R-10"]);
    harness.get_by_label("Due ^").click();
    harness.run();
    assert_eq!(shown(&harness), ["R-10", "R-2", "R-1"]);
    harness.get_by_role_and_label(Role::Button, "Owner").click();
    harness.run();
    assert_eq!(shown(&harness), ["R-1", "R-2", "R-10"]);
    // The overdue request's due date is marked.
    harness.get_by_label("2026-11-20 overdue");

    harness.get_by_label("Overdue").click();
    harness.run();
    assert_eq!(shown(&harness), ["R-1"]);
    harness.get_by_label("Overdue").click();
    harness.get_by_label("No evidence yet").click();
    harness.run();
    assert_eq!(shown(&harness).len(), 3);
    harness.get_by_label("No evidence yet").click();
    harness
        .get_by_role_and_label(Role::TextInput, "Search")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Search")
        .type_text("mfa");
    harness.run();
    assert_eq!(shown(&harness), ["R-2"]);
}

#[test]
fn a_request_is_answered_with_a_response_and_submitted_and_a_skip_is_not_offered() {
    let dir = tempfile::tempdir().unwrap();
    let project = imported(dir.path());
    let mut harness = harness(open_app(dir.path()));
    harness.get_by_label("Requests").click();
    harness.run();
    harness.get_by_label("R-2").click();
    harness.run();
    // Open: only "Start work" is offered; submitting or accepting would skip a step.
    harness.get_by_label("Start work");
    assert!(harness.query_by_label("Submit").is_none());
    assert!(harness.query_by_label("Accept").is_none());
    harness.get_by_label("Start work").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::MultilineTextInput, "Response")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::MultilineTextInput, "Response")
        .type_text("Export attached from the IAM console.");
    harness.run();
    harness.get_by_label("Save response").click();
    harness.run();
    harness.get_by_label("Submit").click();
    harness.run();
    let request = open_store(dir.path()).request(project, "R-2").unwrap();
    let notes = notification_texts(&harness);
    assert_eq!(
        request.status,
        RequestStatus::Submitted,
        "{notes:?} {:?}",
        request.response
    );
    assert_eq!(request.response, "Export attached from the IAM console.");
    // Submitted: accept, or return once the auditor's comment is written.
    harness.get_by_label("Accept");
    assert!(harness.query_by_label("Start work").is_none());
    let status = &harness.state().state.records.requests;
    assert!(
        status
            .iter()
            .any(|r| r.id == "R-2" && r.status == RequestStatus::Submitted)
    );
}

#[test]
fn a_file_picked_for_a_request_is_attached_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = imported(dir.path());
    let file = dir.path().join("iam-users.csv");
    std::fs::write(&file, "user,mfa\nann,true\n").unwrap();
    let picker = ScriptedPicker::new();
    let (app, _) = open_app_with_picker(dir.path(), &picker);
    let mut harness = harness(app);
    harness.get_by_label("Requests").click();
    harness.run();
    harness.get_by_label("R-2").click();
    harness.run();
    picker.will_pick(&[&file]);
    harness.get_by_label("Attach files…").click();
    finish_background(&mut harness);
    let request = open_store(dir.path()).request(project, "R-2").unwrap();
    assert_eq!(request.evidence_count, 1);
    harness.get_by_label("Evidence (1)");
    harness.get_by_label_contains("iam-users.csv (SRM-CUS-IAM-03");
}

#[test]
fn the_dashboard_counts_requests_and_an_overdue_one_opens_in_the_requests_view() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let mut harness = harness(open_app(dir.path()));
    harness.get_by_label("Dashboard").click();
    harness.run();
    harness.get_by_label_contains("Requests: Open 3 · In progress 0 · Submitted 0");
    harness.get_by_label("Overdue requests (1)");
    harness
        .get_by_label_contains("R-1 Network diagram (due 2026-11-20")
        .click();
    harness.run();
    let state = &harness.state().state;
    assert_eq!(state.shell.view, View::Requests);
    assert_eq!(state.views.requests.selected.as_deref(), Some("R-1"));
}

#[test]
fn export_for_requests_writes_a_delivery_pack_of_the_requests_shown() {
    let dir = tempfile::tempdir().unwrap();
    let project = imported(dir.path());
    let mut store = open_store(dir.path());
    for id in ["R-1", "R-2"] {
        let patch = RequestPatch {
            response: Some(format!("The answer to {id}.")),
            ..RequestPatch::default()
        };
        store.set_request(project, id, &patch).unwrap();
    }
    let target = dir.path().join("delivery.zip");
    let picker = ScriptedPicker::new();
    let (app, _) = open_app_with_picker(dir.path(), &picker);
    let mut harness = harness(app);
    harness.get_by_label("Requests").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Search")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Search")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Search")
        .type_text("network");
    harness.run();
    harness.run();
    assert_eq!(shown(&harness), ["R-1"]);
    picker.will_pick(&[&target]);
    harness.get_by_label("Export for requests…").click();
    finish_background(&mut harness);
    assert_eq!(
        picker.titles().last().map(String::as_str),
        Some("Save the delivery pack of 1 requests")
    );
    let notes = &harness.state().state.shell.notifications;
    assert!(
        notes
            .iter()
            .any(|n| n.text.starts_with("Evidence pack written")),
        "{notes:?}"
    );
    let zip = zip::ZipArchive::new(std::fs::File::open(&target).unwrap()).unwrap();
    let names: Vec<String> = zip
        .file_names()
        .map(|name| name.unwrap().to_string())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("requests/R-1")),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("requests/R-2")),
        "{names:?}"
    );
}

#[test]
fn with_a_request_open_the_list_keeps_its_columns_in_sight_and_counts_the_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let project = create_project(dir.path());
    // Long requests with a priority; on the test day are past due, and R-3 is
    // submitted, which stops it being overdue.
    let text = "Provide evidence that the control is implemented: the policy, the procedure and \
                a sample of records for the audit period, with screenshots of the configuration";
    let list = write_list(
        dir.path(),
        &format!(
            "ID,Request,Control,Owner,Due,Priority\n\
             R-1,\"{text}\",CC6.6,Ann,2026-11-20,High\n\
             R-2,\"{text}\",CC6.1,Bob,2026-12-15,Low\n\
             R-3,\"{text}\",CC8.1,Ann,2026-11-01,Medium\n"
        ),
    );
    let mut store = open_store(dir.path());
    store.import_requests(project, &list).unwrap();
    for status in [RequestStatus::InProgress, RequestStatus::Submitted] {
        let patch = RequestPatch {
            status: Some(status),
            response: Some("Attached.".into()),
            ..RequestPatch::default()
        };
        store.set_request(project, "R-3", &patch).unwrap();
    }
    let mut harness = harness_sized(open_app(dir.path()), egui::vec2(1280.0, 800.0));
    harness.get_by_label("Requests").click();
    harness.run();
    harness.get_by_label("R-2").click();
    harness.run();
    assert_eq!(
        harness.state().state.views.requests.selected.as_deref(),
        Some("R-2")
    );

    let pane = harness
        .get_by_role_and_label(Role::MultilineTextInput, "Response")
        .rect();
    for title in ["Owner", "Due", "Priority", "Status", "Evidence"] {
        let header = harness.get_by_role_and_label(Role::Button, title).rect();
        assert!(
            header.left() >= 0.0 && header.bottom() <= 800.0,
            "{title} is outside the window: {header:?}"
        );
        assert!(
            header.right() < pane.left(),
            "{title} runs under the pane: {header:?}, pane from {}",
            pane.left()
        );
    }
    harness.get_by_label("High");
    // The count is a way to the overdue requests.
    harness.get_by_label("1 overdue").click();
    harness.run();
    assert!(harness.state().state.views.requests.filter.overdue);
}

//! The window's flows that pick files, driven headless through a scripted file picker: the
//! dialog opens off the window's thread, and what is picked is read by a background job.

use std::path::Path;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use lockstep::app::{App, ImportKind, Level, PickPurpose};
use lockstep::model::{AssetKind, ManagedBy};
use lockstep::store::{NewAsset, NewPerson};

use crate::window::{
    PROJECT, ScriptedPicker, create_project, finish_background, harness, last_notification,
    open_app_with_picker, open_store,
};

const MFA: &str = "SRM-CUS-IAM-03";
const MFA_CARD: &str = "SRM-CUS-IAM-03 Multi-factor authentication";

fn write(dir: &Path, name: &str, content: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// Scrolls to a widget and clicks it, then draws the frame that reacts.
fn click(harness: &mut Harness<'_, App>, role: Role, label: &str) {
    harness.get_by_role_and_label(role, label).scroll_to_me();
    harness.run();
    harness.get_by_role_and_label(role, label).click();
    harness.step();
}

/// Opens the combo box with this label and picks the option with this label.
fn choose(harness: &mut Harness<'_, App>, combo: &str, option: &str) {
    harness.get_by_role_and_label(Role::ComboBox, combo).click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, option).click();
    harness.run();
}

fn show_view(harness: &mut Harness<'_, App>, view: &str) {
    harness.get_by_role_and_label(Role::Button, view).click();
    harness.run();
}

#[test]
fn files_picked_for_a_control_are_attached_by_a_background_job() {
    let tmp = tempfile::tempdir().unwrap();
    let project = create_project(tmp.path());
    let one = write(tmp.path(), "mfa-report.csv", b"user,mfa\nana,on\n");
    let two = write(tmp.path(), "mfa-policy.pdf", b"%PDF policy");
    let picker = ScriptedPicker::new();
    picker.will_pick(&[&one, &two]);
    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);
    harness
        .get_by_role_and_label(Role::Button, MFA_CARD)
        .click();
    harness.run();

    click(&mut harness, Role::Button, "Attach files…");
    // The dialog is open, and the window still draws.
    assert_eq!(
        harness.state().state.shell.picking,
        Some(PickPurpose::Attach)
    );
    finish_background(&mut harness);

    assert_eq!(picker.titles(), vec!["Attach evidence files".to_string()]);
    let evidence = open_store(tmp.path()).evidence(project, Some(MFA)).unwrap();
    let mut names: Vec<_> = evidence.iter().map(|e| e.file_name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["mfa-policy.pdf", "mfa-report.csv"]);
    harness.get_by_label("Evidence (2)");
}

#[test]
fn a_cancelled_file_dialog_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let project = create_project(tmp.path());
    let picker = ScriptedPicker::new();
    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);
    harness
        .get_by_role_and_label(Role::Button, MFA_CARD)
        .click();
    harness.run();

    click(&mut harness, Role::Button, "Attach files…");
    finish_background(&mut harness);

    assert_eq!(picker.titles().len(), 1);
    assert_eq!(harness.state().state.shell.picking, None);
    assert!(harness.state().state.shell.notifications.is_empty());
    assert!(
        open_store(tmp.path())
            .evidence(project, Some(MFA))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_certificate_picked_in_the_training_view_is_kept_with_the_completion() {
    let tmp = tempfile::tempdir().unwrap();
    create_project(tmp.path());
    let mut store = open_store(tmp.path());
    store
        .add_person(&NewPerson {
            name: "Ana Ruiz".into(),
            email: "ana@example.com".into(),
            role: "Engineer".into(),
        })
        .unwrap();
    store.add_course("Security awareness", 365).unwrap();
    let certificate = write(tmp.path(), "ana-certificate.pdf", b"%PDF certificate");
    let picker = ScriptedPicker::new();
    picker.will_pick(&[&certificate]);
    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);
    show_view(&mut harness, "Training");

    choose(&mut harness, "Person", "Ana Ruiz <ana@example.com>");
    choose(&mut harness, "Course", "Security awareness");
    click(&mut harness, Role::Button, "Choose…");
    finish_background(&mut harness);
    harness.get_by_label("ana-certificate.pdf");
    click(&mut harness, Role::Button, "Record completion");
    finish_background(&mut harness);

    let records = store.training_records().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].certificate_name.as_deref(),
        Some("ana-certificate.pdf")
    );
    let sha = records[0].certificate_sha256.clone().unwrap();
    let blob = tmp
        .path()
        .join("vault/sha256")
        .join(&sha[..2])
        .join(&sha[2..]);
    assert_eq!(std::fs::read(blob).unwrap(), b"%PDF certificate");
    assert_eq!(harness.state().state.views.training.certificate, None);
    let (level, text) = last_notification(&harness);
    assert_eq!(level, Level::Info);
    assert!(text.starts_with("Recorded Ana Ruiz completing"), "{text}");
}

#[test]
fn patch_evidence_picked_in_the_patches_view_is_kept_with_the_patch() {
    let tmp = tempfile::tempdir().unwrap();
    let project = create_project(tmp.path());
    open_store(tmp.path())
        .add_asset(
            project,
            &NewAsset {
                name: "web-1".into(),
                kind: AssetKind::Instance,
                environment: "prod".into(),
                managed_by: ManagedBy::Customer,
            },
        )
        .unwrap();
    let scan = write(tmp.path(), "scan.txt", b"patched: CVE-2026-1");
    let picker = ScriptedPicker::new();
    picker.will_pick(&[&scan]);
    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);
    show_view(&mut harness, "Patches");

    choose(&mut harness, "Asset", "web-1");
    let advisory = harness.get_by_role_and_label(Role::TextInput, "Advisory");
    advisory.click();
    advisory.type_text("CVE-2026-1");
    harness.run();
    let released = harness.get_by_role_and_label(Role::TextInput, "Released on");
    released.click();
    released.type_text("2026-11-01");
    harness.run();
    click(&mut harness, Role::Button, "Choose…");
    finish_background(&mut harness);
    harness.get_by_label("scan.txt");
    click(&mut harness, Role::Button, "Record patch");
    finish_background(&mut harness);

    let records = open_store(tmp.path())
        .patch_records(project, crate::window::today())
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].evidence_name.as_deref(), Some("scan.txt"));
    assert_eq!(harness.state().state.views.patches.evidence, None);
}

#[test]
fn a_csv_file_picked_for_import_is_imported_by_a_background_job() {
    let tmp = tempfile::tempdir().unwrap();
    create_project(tmp.path());
    let csv = write(
        tmp.path(),
        "people.csv",
        b"name,email,role\nAna Ruiz,ana@example.com,Engineer\nLi Wei,li@example.com,\n",
    );
    let picker = ScriptedPicker::new();
    picker.will_pick(&[&csv]);
    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);
    show_view(&mut harness, "Training");

    click(&mut harness, Role::Button, "People…");
    assert_eq!(
        harness.state().state.shell.picking,
        Some(PickPurpose::Import(ImportKind::People))
    );
    finish_background(&mut harness);

    assert!(picker.titles()[0].contains("name, email, role"));
    let people = open_store(tmp.path()).people().unwrap();
    assert_eq!(people.len(), 2);
    let (level, text) = last_notification(&harness);
    assert_eq!(level, Level::Info);
    assert!(text.starts_with("Imported 2 of 2 rows"), "{text}");
}

#[test]
fn opened_evidence_is_copied_into_a_private_folder_that_the_next_start_empties() {
    let tmp = tempfile::tempdir().unwrap();
    create_project(tmp.path());
    let report = write(tmp.path(), "mfa-report.csv", b"user,mfa\nana,on\n");
    let picker = ScriptedPicker::new();
    picker.will_pick(&[&report]);
    let (app, opened) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);
    harness
        .get_by_role_and_label(Role::Button, MFA_CARD)
        .click();
    harness.run();
    click(&mut harness, Role::Button, "Attach files…");
    finish_background(&mut harness);

    click(&mut harness, Role::Button, "Open");
    finish_background(&mut harness);

    let opened = opened.lock().unwrap().clone();
    assert_eq!(opened.len(), 1);
    let folder = tmp.path().join("open");
    assert!(opened[0].starts_with(&folder), "{}", opened[0].display());
    assert_eq!(opened[0].file_name().unwrap(), "mfa-report.csv");
    assert_eq!(std::fs::read(&opened[0]).unwrap(), b"user,mfa\nana,on\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    drop(harness);

    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    drop(app);
    assert!(folder.is_dir());
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
}

/// The pack is a named pipe: the check blocks reading it until the test writes, so Cancel
/// lands while the check runs, every time.
#[cfg(unix)]
#[test]
fn cancelling_a_pack_check_stops_it_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    create_project(tmp.path());
    // A pack large enough that its check is still hashing when Cancel arrives.
    let big = tmp.path().join("disk-image.bin");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(128 << 20).unwrap();
    drop(file);
    let pack = tmp.path().join("pack.zip");
    for args in [
        vec![
            "evidence",
            "add",
            "--project",
            PROJECT,
            "--control",
            MFA,
            big.to_str().unwrap(),
        ],
        vec![
            "export",
            "--project",
            PROJECT,
            "--out",
            pack.to_str().unwrap(),
        ],
    ] {
        let run = crate::common::lockstep(tmp.path(), &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let picker = ScriptedPicker::new();
    picker.will_pick(&[&pack]);
    let (app, _) = open_app_with_picker(tmp.path(), &picker);
    let mut harness = harness(app);

    harness
        .state_mut()
        .apply(lockstep::app::Command::VerifyPack);
    while harness.state().state.shell.job.is_none() {
        harness.state_mut().poll_jobs();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    harness.state_mut().apply(lockstep::app::Command::CancelJob);
    harness.state_mut().finish_jobs();
    harness.run();

    let (level, text) = last_notification(&harness);
    assert_eq!((level, text.as_str()), (Level::Info, "Cancelled."));
    assert_eq!(harness.state().state.shell.verify_result, None);
}

//! The workspace store on a temp folder: opening and migrating, refusing bad workspaces,
//! one activity row per command, service-aware controls, the ownership test and the
//! hash-chained log.

use std::fs;
use std::path::Path;

use crate::common::{
    FIXED_TIME_TEXT, listing, new_project, on_postgres, open, raw, sqlite_file_only, workspace,
};
use lockstep::catalog::CatalogError;
use lockstep::model::{Column, ControlEdit, ControlField, ControlPatch, Origin, RuleError, Status};
use lockstep::store::{
    DB_FILE, MIGRATIONS, NewControl, NewProject, SCHEMA_VERSION, Store, StoreError, VAULT_DIR,
};

fn log_len(store: &Store) -> usize {
    store.activity(None, None).unwrap().len()
}

fn user_version(dir: &Path) -> i64 {
    raw(dir)
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap()
}

fn own_control(title: &str, can_adjust: bool, aws_operates_part: Option<bool>) -> NewControl {
    NewControl {
        title: title.to_string(),
        can_adjust,
        aws_operates_part,
        ..NewControl::default()
    }
}

// Opening and migrating.

#[test]
fn opening_creates_the_folder_the_database_and_the_vault() {
    if sqlite_file_only() {
        return;
    }
    let (_tmp, dir) = workspace();
    let dir = dir.join("nested");
    let store = open(&dir);
    assert_eq!(store.dir(), dir);
    assert!(dir.is_dir());
    assert!(dir.join(DB_FILE).is_file());
    assert!(dir.join(VAULT_DIR).is_dir());
    assert_eq!(user_version(&dir), SCHEMA_VERSION);
}

#[test]
fn reopening_keeps_the_data_and_migrates_nothing_twice() {
    if sqlite_file_only() {
        return;
    }
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("Payments", &["ec2", "s3"]))
        .unwrap();
    let controls = store.controls(project.key).unwrap();
    drop(store);
    for _ in 0..3 {
        let store = open(&dir);
        assert_eq!(user_version(&dir), SCHEMA_VERSION);
        let projects = store.projects().unwrap();
        assert_eq!(projects.len(), 1);
        assert_eq!(projects[0].name, "Payments");
        assert_eq!(store.controls(projects[0].key).unwrap(), controls);
        assert_eq!(log_len(&store), 1);
    }
}

#[test]
fn every_schema_file_is_a_migration_listed_in_order() {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let files: Vec<String> = listing(&schema)
        .into_iter()
        .filter(|name| schema.join(name).is_file())
        .collect();
    let listed: Vec<&str> = MIGRATIONS.iter().map(|(name, _)| *name).collect();
    assert_eq!(files, listed, "schema/ and MIGRATIONS disagree");
    // The team database's schema mirrors it file for file.
    let postgres: Vec<String> = listing(&schema.join("postgres"));
    let mirrored: Vec<String> = lockstep::store::pg::migrate::MIGRATIONS
        .iter()
        .map(|(_, name, _)| format!("{name}.sql"))
        .collect();
    assert_eq!(
        postgres, mirrored,
        "schema/postgres/ and its MIGRATIONS disagree"
    );
    assert_eq!(postgres, files, "schema/postgres/ does not mirror schema/");
    for (_, name, sql) in lockstep::store::pg::migrate::MIGRATIONS {
        assert_eq!(
            fs::read_to_string(schema.join("postgres").join(format!("{name}.sql"))).unwrap(),
            *sql
        );
    }
    for (number, (name, sql)) in MIGRATIONS.iter().enumerate() {
        assert!(
            name.starts_with(&format!("{:04}_", number + 1)),
            "migration {name} is out of sequence"
        );
        assert!(name.ends_with(".sql"), "{name} is not an .sql file");
        assert_eq!(fs::read_to_string(schema.join(name)).unwrap(), *sql);
    }
    assert_eq!(SCHEMA_VERSION, i64::try_from(MIGRATIONS.len()).unwrap());
}

#[test]
fn the_database_runs_in_wal_mode() {
    if sqlite_file_only() {
        return;
    }
    let (_tmp, dir) = workspace();
    let _store = open(&dir);
    let mode: String = raw(&dir)
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn the_store_enforces_foreign_keys() {
    if sqlite_file_only() {
        return;
    }
    let (_tmp, dir) = workspace();
    drop(open(&dir));
    // A trigger makes the store's own connection write a row that points at no project; with
    // foreign keys on, that write fails and takes the whole command with it.
    raw(&dir)
        .execute_batch(
            "CREATE TRIGGER dangling AFTER INSERT ON settings BEGIN
                 INSERT INTO project_services (project_id, service) VALUES (999, 'ec2');
             END;",
        )
        .unwrap();
    let mut store = open(&dir);
    let before = store.user_name().unwrap();
    let error = store.set_user_name("Ana Lima").unwrap_err();
    assert!(
        error.to_string().contains("FOREIGN KEY"),
        "unexpected error: {error}"
    );
    assert_eq!(store.user_name().unwrap(), before);
    assert_eq!(log_len(&store), 0);
}

// Bad workspaces.

#[test]
fn a_workspace_that_is_a_file_is_refused() {
    let (tmp, dir) = workspace();
    fs::write(&dir, "my notes").unwrap();
    let error = Store::open(&dir).unwrap_err();
    assert!(
        matches!(&error, StoreError::NotAFolder(path) if *path == dir),
        "{error:?}"
    );
    assert!(error.to_string().contains("must be a folder"));
    assert_eq!(fs::read_to_string(&dir).unwrap(), "my notes");
    assert_eq!(listing(tmp.path()), ["workspace"]);
}

#[test]
fn a_read_only_workspace_is_refused() {
    use std::os::unix::fs::PermissionsExt;

    let (_tmp, dir) = workspace();
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o555)).unwrap();
    // Root writes through permissions, so there is nothing to test there.
    let probe = dir.join("probe");
    if fs::write(&probe, b"").is_ok() {
        fs::remove_file(&probe).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        println!("skipped: running as a user whose writes ignore folder permissions");
        return;
    }
    let outcome = Store::open(&dir);
    let entries = listing(&dir);
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    let error = outcome.unwrap_err();
    assert!(matches!(error, StoreError::NotWritable { .. }), "{error:?}");
    assert!(error.to_string().contains("cannot write"));
    assert!(entries.is_empty(), "left behind: {entries:?}");
}

#[test]
fn a_database_file_that_is_not_a_database_is_refused() {
    let (_tmp, dir) = workspace();
    fs::create_dir(&dir).unwrap();
    let text = "shopping list: milk, eggs, bread\n".repeat(40);
    fs::write(dir.join(DB_FILE), &text).unwrap();
    let error = Store::open(&dir).unwrap_err();
    assert!(
        matches!(&error, StoreError::NotADatabase(path) if *path == dir.join(DB_FILE)),
        "{error:?}"
    );
    assert!(error.to_string().contains("not a Lockstep database"));
    assert_eq!(fs::read_to_string(dir.join(DB_FILE)).unwrap(), text);
    assert_eq!(listing(&dir), [DB_FILE]);
}

#[test]
fn a_database_from_a_newer_lockstep_is_refused() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    store
        .create_project(&new_project("Payments", &["s3"]))
        .unwrap();
    drop(store);
    let newer = SCHEMA_VERSION + 5;
    raw(&dir)
        .execute_batch(&format!("PRAGMA user_version = {newer}"))
        .unwrap();
    let before = fs::read(dir.join(DB_FILE)).unwrap();
    let entries = listing(&dir);

    let error = Store::open(&dir).unwrap_err();
    assert!(
        matches!(error, StoreError::NewerSchema { found, supported }
            if found == newer && supported == SCHEMA_VERSION),
        "{error:?}"
    );
    assert!(error.to_string().contains("newer"));
    assert!(
        fs::read(dir.join(DB_FILE)).unwrap() == before,
        "the database file changed"
    );
    assert_eq!(listing(&dir), entries);
    assert_eq!(user_version(&dir), newer);
}

#[test]
fn another_programs_sqlite_file_is_refused_and_left_as_it_was() {
    let (_tmp, dir) = workspace();
    fs::create_dir(&dir).unwrap();
    {
        let other = raw(&dir);
        other
            .execute_batch(
                "CREATE TABLE recipes (name TEXT, minutes INTEGER);
                 INSERT INTO recipes VALUES ('soup', 40);",
            )
            .unwrap();
    }
    let before = fs::read(dir.join(DB_FILE)).unwrap();

    let error = Store::open(&dir).unwrap_err();
    assert!(
        matches!(&error, StoreError::NotADatabase(path) if *path == dir.join(DB_FILE)),
        "{error:?}"
    );
    assert!(
        fs::read(dir.join(DB_FILE)).unwrap() == before,
        "the database file changed"
    );
    assert_eq!(listing(&dir), [DB_FILE]);
    let other = raw(&dir);
    let mode: String = other
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
    let minutes: i64 = other
        .query_row("SELECT minutes FROM recipes", [], |row| row.get(0))
        .unwrap();
    assert_eq!(minutes, 40);
}

/// The migrations' hashes a workspace records, in order: (version, name, sha256).
fn recorded_hashes(dir: &Path) -> Vec<(i64, String, String)> {
    raw(dir)
        .prepare("SELECT version, name, sha256 FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// What a workspace made by this build records: every shipped migration with the SHA-256 of
/// its text.
fn shipped_hashes() -> Vec<(i64, String, String)> {
    use sha2::{Digest, Sha256};
    (1_i64..)
        .zip(MIGRATIONS)
        .map(|(version, (name, sql))| {
            let digest = Sha256::digest(sql.as_bytes());
            let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
            (version, name.to_string(), hex)
        })
        .collect()
}

#[test]
fn a_new_workspace_records_the_hash_of_every_migration() {
    if sqlite_file_only() {
        return;
    }
    let (_tmp, dir) = workspace();
    drop(open(&dir));
    assert_eq!(recorded_hashes(&dir), shipped_hashes());
    drop(open(&dir));
    assert_eq!(recorded_hashes(&dir), shipped_hashes());
}

#[test]
fn a_migration_applied_from_another_text_is_refused_by_name_and_left_as_it_was() {
    if sqlite_file_only() {
        return;
    }
    let (_tmp, dir) = workspace();
    let made =
        crate::common::lockstep(&dir, &["project", "create", "Payments", "--services", "s3"]);
    assert_eq!(made.code, 0, "{made:?}");
    raw(&dir)
        .execute(
            "UPDATE schema_migrations SET sha256 = ?1 WHERE name = '0003_attestations.sql'",
            ["0".repeat(64)],
        )
        .unwrap();
    let before = fs::read(dir.join(DB_FILE)).unwrap();
    let entries = listing(&dir);

    let refused = crate::common::lockstep(&dir, &["project", "list"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stdout.is_empty(), "{refused:?}");
    assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains(
            "schema step 0003_attestations.sql was applied from a different text than this Lockstep ships"
        ),
        "{}",
        refused.stderr
    );
    let error = Store::open(&dir).unwrap_err();
    assert!(
        matches!(&error, StoreError::ChangedMigration(name) if name == "0003_attestations.sql"),
        "{error:?}"
    );
    assert!(
        fs::read(dir.join(DB_FILE)).unwrap() == before,
        "the database file changed"
    );
    assert_eq!(listing(&dir), entries);
}

#[test]
fn a_workspace_from_before_the_hashes_is_upgraded_and_records_them_all() {
    if sqlite_file_only() {
        return;
    }
    let (_tmp, dir) = workspace();
    fs::create_dir(&dir).unwrap();
    // What a Lockstep of schema version 13 left: its migrations, its version and its mark.
    {
        let older = raw(&dir);
        for (_, sql) in &MIGRATIONS[..13] {
            older.execute_batch(sql).unwrap();
        }
        older
            .execute_batch("PRAGMA user_version = 13; PRAGMA application_id = 1280004948;")
            .unwrap();
    }
    let store = open(&dir);
    assert!(store.projects().unwrap().is_empty());
    drop(store);
    assert_eq!(user_version(&dir), SCHEMA_VERSION);
    assert_eq!(recorded_hashes(&dir), shipped_hashes());
}

// One activity row per command.

#[test]
fn every_command_writes_exactly_one_activity_row() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    store.set_user_name("Ana Lima").unwrap();
    assert_eq!(log_len(&store), 1);

    let project = store
        .create_project(&new_project("Payments", &["ec2", "rds"]))
        .unwrap();
    assert_eq!(log_len(&store), 2);

    store
        .set_project_services(project.key, &["ec2".into(), "rds".into(), "s3".into()])
        .unwrap();
    assert_eq!(log_len(&store), 3);

    let patch = ControlPatch::one(ControlEdit::Status(Status::InProgress))
        .with(ControlEdit::Owner("ana".into()))
        .with(ControlEdit::Due(Some("2027-03-01".parse().unwrap())))
        .with(ControlEdit::Notes("monthly cycle".into()));
    let changes = store
        .update_control(project.key, "SRM-CUS-OS-02", &patch)
        .unwrap();
    assert_eq!(changes.len(), 4);
    assert_eq!(log_len(&store), 4);

    store
        .add_control(
            project.key,
            &own_control("Vendor review", true, Some(false)),
        )
        .unwrap();
    assert_eq!(log_len(&store), 5);

    let log = store.activity(None, None).unwrap();
    let names: Vec<String> = log.iter().map(|e| e.action.name()).collect();
    let actions: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(
        actions,
        [
            "settings.user_name",
            "project.create",
            "project.services",
            "control.update",
            "control.add"
        ]
    );
    let seqs: Vec<i64> = log.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
    assert!(log.iter().all(|e| e.actor == "Ana Lima"));
    assert!(log.iter().all(|e| e.at == FIXED_TIME_TEXT));
    assert_eq!(log[3].subject, "SRM-CUS-OS-02");
    assert_eq!(log[3].detail["changes"].as_array().unwrap().len(), 4);
    assert_eq!(log[4].subject, "USR-CUS-01");
    assert_eq!(
        store.activity(Some(project.key), None).unwrap().len(),
        4,
        "the user name change belongs to no project"
    );
    assert_eq!(
        store
            .activity(Some(project.key), Some("SRM-CUS-OS-02"))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_change_whose_log_row_cannot_be_written_is_not_applied() {
    if sqlite_file_only() {
        return;
    }
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("Payments", &["ec2"]))
        .unwrap();
    let controls = store.controls(project.key).unwrap();
    let user = store.user_name().unwrap();
    raw(&dir)
        .execute_batch(
            "CREATE TRIGGER refuse_log BEFORE INSERT ON activity BEGIN
                 SELECT RAISE(ABORT, 'log refused');
             END;",
        )
        .unwrap();

    assert!(
        store
            .create_project(&new_project("Second", &["s3"]))
            .is_err()
    );
    assert!(
        store
            .set_project_services(project.key, &["s3".into()])
            .is_err()
    );
    assert!(
        store
            .update_control(
                project.key,
                "SRM-CUS-OS-02",
                &ControlPatch::one(ControlEdit::Owner("ana".into()))
            )
            .is_err()
    );
    assert!(
        store
            .add_control(project.key, &own_control("Vendor review", false, None))
            .is_err()
    );
    assert!(store.set_user_name("Someone Else").is_err());

    let projects = store.projects().unwrap();
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0].services, ["ec2"]);
    assert_eq!(store.controls(project.key).unwrap(), controls);
    assert_eq!(store.user_name().unwrap(), user);
    assert_eq!(log_len(&store), 1);
}

#[test]
fn an_update_that_changes_nothing_writes_no_row() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    store.set_user_name("Ana Lima").unwrap();
    let project = store
        .create_project(&new_project("Payments", &["ec2", "s3"]))
        .unwrap();
    store
        .update_control(
            project.key,
            "SRM-CUS-IAM-01",
            &ControlPatch::one(ControlEdit::Owner("ana".into())),
        )
        .unwrap();
    let before = log_len(&store);

    let same = ControlPatch::one(ControlEdit::Owner(" ana ".into()))
        .with(ControlEdit::Column(Column::Customer))
        .with(ControlEdit::Status(Status::NotStarted));
    assert_eq!(
        store
            .update_control(project.key, "SRM-CUS-IAM-01", &same)
            .unwrap(),
        []
    );
    store.set_user_name("Ana Lima").unwrap();
    store
        .set_project_services(project.key, &["S3".into(), "ec2".into(), "ec2".into()])
        .unwrap();
    assert_eq!(log_len(&store), before);
}

#[test]
fn refused_commands_write_nothing() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("Payments", &["ec2", "s3"]))
        .unwrap();
    let controls = store.controls(project.key).unwrap();
    let update = |store: &mut Store, id: &str, patch: ControlPatch| {
        store.update_control(project.key, id, &patch).unwrap_err()
    };

    let error = update(
        &mut store,
        "SRM-CUS-IAM-01",
        ControlPatch::one(ControlEdit::Status(Status::NotApplicable)),
    );
    assert!(matches!(
        error,
        StoreError::Rule(RuleError::ReasonRequiredForNotApplicable)
    ));
    let error = update(
        &mut store,
        "SRM-CUS-IAM-01",
        ControlPatch::one(ControlEdit::Status(Status::NotApplicable)).because("   "),
    );
    assert!(matches!(
        error,
        StoreError::Rule(RuleError::ReasonRequiredForNotApplicable)
    ));
    let error = update(
        &mut store,
        "SRM-CUS-IAM-01",
        ControlPatch::one(ControlEdit::Column(Column::Aws)),
    );
    assert!(matches!(
        error,
        StoreError::Rule(RuleError::ReasonRequiredForMove)
    ));
    // Text that is no value of its field is refused where it is read, before any edit.
    assert!(matches!(
        ControlEdit::parse(ControlField::Due, "2027-02-30"),
        Err(RuleError::BadDate(_))
    ));
    assert!(matches!(
        ControlEdit::parse(ControlField::Status, "done"),
        Err(RuleError::UnknownStatus(_))
    ));
    let error = update(
        &mut store,
        "SRM-CUS-IAM-01",
        ControlPatch::one(ControlEdit::Title("   ".into())),
    );
    assert!(matches!(error, StoreError::Rule(RuleError::Blank("title"))));
    let error = update(
        &mut store,
        "SRM-CUS-NOPE-99",
        ControlPatch::one(ControlEdit::Owner("ana".into())),
    );
    assert!(
        matches!(&error, StoreError::UnknownControl { project, id }
            if project == "Payments" && id == "SRM-CUS-NOPE-99"),
        "{error:?}"
    );

    let error = store
        .create_project(&new_project("  PAYMENTS ", &["s3"]))
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::DuplicateProject(name) if name == "Payments"),
        "{error:?}"
    );
    let error = store
        .create_project(&new_project("   ", &["s3"]))
        .unwrap_err();
    assert!(matches!(error, StoreError::Rule(RuleError::Blank(_))));
    let error = store
        .create_project(&new_project("Data lake", &["s3", "lamdba"]))
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::Catalog(CatalogError::UnknownService(id)) if id == "lamdba"),
        "{error:?}"
    );
    let error = store
        .create_project(&NewProject {
            period_start: Some("2027-12-31".parse().unwrap()),
            period_end: Some("2027-01-01".parse().unwrap()),
            ..new_project("Data lake", &["s3"])
        })
        .unwrap_err();
    assert!(matches!(
        error,
        StoreError::Rule(RuleError::PeriodReversed { .. })
    ));
    let error = store
        .set_project_services(project.key, &["ec2".into(), "ec3".into()])
        .unwrap_err();
    assert!(matches!(
        error,
        StoreError::Catalog(CatalogError::UnknownService(_))
    ));
    let error = store
        .add_control(project.key, &own_control("Vendor review", true, None))
        .unwrap_err();
    assert!(matches!(error, StoreError::Rule(RuleError::MissingAwsPart)));
    let error = store
        .add_control(project.key, &own_control("  ", false, None))
        .unwrap_err();
    assert!(matches!(error, StoreError::Rule(RuleError::Blank(_))));
    let error = store.set_user_name("  ").unwrap_err();
    assert!(matches!(error, StoreError::Rule(RuleError::Blank(_))));

    assert_eq!(log_len(&store), 1);
    let projects = store.projects().unwrap();
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0].services, ["ec2", "s3"]);
    assert_eq!(store.controls(project.key).unwrap(), controls);
}

// Service-aware controls.

#[test]
fn guest_os_patching_is_the_customers_on_ec2_and_aws_on_managed_and_abstracted_services() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("Payments", &["s3", "ec2", "rds"]))
        .unwrap();
    assert_eq!(project.services, ["ec2", "rds", "s3"]);

    let guest = store.control(project.key, "SRM-CUS-OS-02").unwrap();
    assert_eq!(guest.title, "Guest OS patching");
    assert_eq!(guest.column, Column::Customer);
    assert_eq!(guest.services, ["ec2"]);
    assert_eq!(guest.origin, Origin::Baseline);
    assert!(!guest.retired);

    let platform = store.control(project.key, "SRM-AWS-PLT-01").unwrap();
    assert_eq!(platform.column, Column::Aws);
    assert_eq!(platform.services, ["rds", "s3"]);

    // Controls for every service model cover all three services.
    let iam = store.control(project.key, "srm-cus-iam-01").unwrap();
    assert_eq!(iam.services, ["ec2", "rds", "s3"]);
    assert!(!iam.nist.is_empty());
}

#[test]
fn a_project_without_instances_has_no_guest_os_controls() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("Website", &["s3", "cloudfront"]))
        .unwrap();
    let controls = store.controls(project.key).unwrap();
    assert!(!controls.is_empty());
    assert!(
        !controls.iter().any(|c| c.area == "Guest operating system"),
        "guest OS controls on an S3 and CloudFront project"
    );
    for control in controls.iter().filter(|c| c.column == Column::Customer) {
        let text = format!(
            "{} {} {}",
            control.title, control.description, control.customer_part
        )
        .to_lowercase();
        assert!(
            !text.contains("guest") && !text.contains("operating system"),
            "{} mentions the guest OS",
            control.id
        );
    }
    let platform = store.control(project.key, "SRM-AWS-PLT-01").unwrap();
    assert_eq!(platform.services, ["cloudfront", "s3"]);
}

#[test]
fn changing_services_retires_and_restores_controls_with_their_work() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("Payments", &["ec2", "rds"]))
        .unwrap();
    assert!(store.control(project.key, "SRM-AWS-INF-03").is_err());
    let work = ControlPatch::one(ControlEdit::Status(Status::InProgress))
        .with(ControlEdit::Owner("ana".into()))
        .with(ControlEdit::Notes("patched monthly by SSM".into()))
        .with(ControlEdit::Due(Some("2027-03-01".parse().unwrap())));
    store
        .update_control(project.key, "SRM-CUS-OS-02", &work)
        .unwrap();
    let worked = store.control(project.key, "SRM-CUS-OS-02").unwrap();
    let custom = store
        .add_control(
            project.key,
            &own_control("Vendor review", true, Some(false)),
        )
        .unwrap();

    // Dropping EC2 retires the guest OS controls and keeps what was done on them.
    store
        .set_project_services(project.key, &["rds".into(), "s3".into()])
        .unwrap();
    let retired = store.control(project.key, "SRM-CUS-OS-02").unwrap();
    assert!(retired.retired);
    assert_eq!(retired.status, Status::InProgress);
    assert_eq!(retired.owner, "ana");
    assert_eq!(retired.notes, "patched monthly by SSM");
    assert_eq!(retired.due, worked.due);
    let controls = store.controls(project.key).unwrap();
    assert!(
        controls
            .iter()
            .filter(|c| c.area == "Guest operating system")
            .all(|c| c.retired)
    );
    assert!(!store.control(project.key, &custom.id).unwrap().retired);
    // S3 brings the abstracted-only controls in.
    let added = store.control(project.key, "SRM-AWS-INF-03").unwrap();
    assert!(!added.retired);
    assert_eq!(added.services, ["s3"]);
    assert!(matches!(
        store
            .update_control(
                project.key,
                "SRM-CUS-OS-02",
                &ControlPatch::one(ControlEdit::Owner("bo".into()))
            )
            .unwrap_err(),
        StoreError::RetiredControl(_)
    ));
    let entry = store
        .activity(Some(project.key), None)
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(entry.action.name(), "project.services");
    assert!(
        entry.detail["retired"]
            .as_array()
            .unwrap()
            .contains(&"SRM-CUS-OS-02".into())
    );
    assert!(
        entry.detail["added"]
            .as_array()
            .unwrap()
            .contains(&"SRM-AWS-INF-03".into())
    );

    // Adding EC2 back restores them as they were.
    store
        .set_project_services(project.key, &["ec2".into(), "rds".into(), "s3".into()])
        .unwrap();
    let restored = store.control(project.key, "SRM-CUS-OS-02").unwrap();
    assert_eq!(restored, worked);
    assert!(
        store
            .controls(project.key)
            .unwrap()
            .iter()
            .all(|c| !c.retired)
    );
    let entry = store
        .activity(Some(project.key), None)
        .unwrap()
        .pop()
        .unwrap();
    assert!(
        entry.detail["restored"]
            .as_array()
            .unwrap()
            .contains(&"SRM-CUS-OS-02".into())
    );

    // With no services left, only the team's own controls stay in scope.
    store.set_project_services(project.key, &[]).unwrap();
    for control in store.controls(project.key).unwrap() {
        assert_eq!(
            control.retired,
            control.origin == Origin::Baseline,
            "{}",
            control.id
        );
    }
}

// The ownership test and the rules for changes.

#[test]
fn the_ownership_test_decides_the_column_of_a_control_the_team_adds() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("Payments", &["s3"]))
        .unwrap();
    let mut add = |title: &str, can_adjust: bool, aws_part: Option<bool>| {
        store
            .add_control(project.key, &own_control(title, can_adjust, aws_part))
            .unwrap()
    };

    let aws = add("Cable locks", false, None);
    assert_eq!((aws.column, aws.id.as_str()), (Column::Aws, "USR-AWS-01"));
    let aws_again = add("Guard rota", false, Some(true));
    assert_eq!(
        (aws_again.column, aws_again.id.as_str()),
        (Column::Aws, "USR-AWS-02")
    );
    let shared = add("Key ceremonies", true, Some(true));
    assert_eq!(
        (shared.column, shared.id.as_str()),
        (Column::Shared, "USR-SHR-01")
    );
    let customer = add("Vendor review", true, Some(false));
    assert_eq!(
        (customer.column, customer.id.as_str()),
        (Column::Customer, "USR-CUS-01")
    );
    let customer_again = add("Offboarding checklist", true, Some(false));
    assert_eq!(customer_again.id, "USR-CUS-02");
    assert_eq!(customer_again.origin, Origin::Custom);
    assert_eq!(customer_again.area, "Our own controls");
    assert_eq!(customer_again.status, Status::NotStarted);
    assert!(customer_again.can_adjust.starts_with("Yes"));
    assert!(aws.can_adjust.starts_with("No"));

    let before = store.controls(project.key).unwrap();
    let error = store
        .add_control(project.key, &own_control("Half answered", true, None))
        .unwrap_err();
    assert!(matches!(error, StoreError::Rule(RuleError::MissingAwsPart)));
    assert_eq!(store.controls(project.key).unwrap(), before);
}

#[test]
fn moving_a_control_to_another_column_needs_a_reason() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("Payments", &["ec2"]))
        .unwrap();
    let error = store
        .update_control(
            project.key,
            "SRM-CUS-OS-04",
            &ControlPatch::one(ControlEdit::Column(Column::Shared)),
        )
        .unwrap_err();
    assert!(matches!(
        error,
        StoreError::Rule(RuleError::ReasonRequiredForMove)
    ));
    assert_eq!(
        store.control(project.key, "SRM-CUS-OS-04").unwrap().column,
        Column::Customer
    );

    let reason = "GuardDuty runtime monitoring covers the hosts";
    store
        .update_control(
            project.key,
            "SRM-CUS-OS-04",
            &ControlPatch::one(ControlEdit::Column(Column::Shared)).because(reason),
        )
        .unwrap();
    let moved = store.control(project.key, "SRM-CUS-OS-04").unwrap();
    assert_eq!(moved.column, Column::Shared);
    assert_eq!(moved.status_reason, reason);
}

#[test]
fn not_applicable_needs_a_reason_and_keeps_it() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let project = store
        .create_project(&new_project("Payments", &["ec2"]))
        .unwrap();
    let error = store
        .update_control(
            project.key,
            "SRM-CUS-CSE-01",
            &ControlPatch::one(ControlEdit::Status(Status::NotApplicable)),
        )
        .unwrap_err();
    assert!(matches!(
        error,
        StoreError::Rule(RuleError::ReasonRequiredForNotApplicable)
    ));

    let reason = "No data class in scope needs client-side encryption";
    let changes = store
        .update_control(
            project.key,
            "SRM-CUS-CSE-01",
            &ControlPatch::one(ControlEdit::Status(Status::NotApplicable)).because(reason),
        )
        .unwrap();
    assert_eq!(changes.len(), 2);
    let control = store.control(project.key, "SRM-CUS-CSE-01").unwrap();
    assert_eq!(control.status, Status::NotApplicable);
    assert_eq!(control.status_reason, reason);
}

// The hash-chained activity log.

fn project_with_history(dir: &Path) -> Store {
    let mut store = open(dir);
    let project = store
        .create_project(&new_project("Payments", &["ec2", "rds"]))
        .unwrap();
    for owner in ["ana", "bo", "cy"] {
        store
            .update_control(
                project.key,
                "SRM-CUS-IAM-01",
                &ControlPatch::one(ControlEdit::Owner(owner.into())),
            )
            .unwrap();
    }
    store
        .set_project_services(project.key, &["rds".into()])
        .unwrap();
    store.set_user_name("Ana Lima").unwrap();
    store
}

#[test]
fn the_activity_chain_is_intact_after_ordinary_work() {
    let (_tmp, dir) = workspace();
    let store = project_with_history(&dir);
    let report = store.verify_chain().unwrap();
    assert_eq!(report.rows, 6);
    assert_eq!(report.first_break, None);
    let log = store.activity(None, None).unwrap();
    for pair in log.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
}

#[test]
fn altering_a_log_row_by_hand_breaks_the_chain_at_that_row() {
    if sqlite_file_only() {
        return;
    }
    let (_tmp, dir) = workspace();
    let store = project_with_history(&dir);
    let changed = raw(&dir)
        .execute(
            r#"UPDATE activity SET detail = '{"changes":[{"field":"owner","from":"","to":"mallory"}]}' WHERE seq = 2"#,
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    let report = store.verify_chain().unwrap();
    let (seq, reason) = report.first_break.unwrap();
    assert_eq!(seq, 2);
    assert!(reason.contains("altered"), "{reason}");
}

#[test]
fn deleting_a_log_row_by_hand_breaks_the_chain() {
    if sqlite_file_only() {
        return;
    }
    let (_tmp, dir) = workspace();
    let store = project_with_history(&dir);
    raw(&dir)
        .execute("DELETE FROM activity WHERE seq = 3", [])
        .unwrap();
    let (seq, reason) = store.verify_chain().unwrap().first_break.unwrap();
    assert_eq!(seq, 4, "the row after the gap is named");
    assert!(reason.contains("missing"), "{reason}");

    // Closing the gap by renumbering is caught by the broken link instead.
    raw(&dir)
        .execute_batch("UPDATE activity SET seq = seq - 1 WHERE seq > 3")
        .unwrap();
    let (seq, _) = store.verify_chain().unwrap().first_break.unwrap();
    assert_eq!(seq, 3);
}

/// Run again on PostgreSQL by `cargo test` itself: every store test here, each on a database
/// of its own, but for those about SQLite's own file, which skip there.
#[test]
fn the_store_tests_pass_on_postgresql_too() {
    crate::require_servers!();
    if on_postgres() {
        return;
    }
    crate::servers::pg_url("postgres");
    let run = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["store::", "--skip", "pg_store::", "--test-threads", "4"])
        .env("LOCKSTEP_TEST_BACKEND", "postgres")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "the store tests failed on PostgreSQL:\n{out}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.contains("test result: ok"), "{out}");
}

#[test]
fn an_edit_to_a_control_changed_since_it_was_loaded_is_refused_with_who_and_when() {
    use lockstep::model::{ControlEdit, ControlPatch};
    use lockstep::store::StoreError;
    let (_tmp, dir) = workspace();
    let mut mine = open(&dir);
    let project = mine
        .create_project(&new_project("Payments", &["ec2"]))
        .unwrap();
    let loaded = mine.head_seq().unwrap();

    let mut theirs = open(&dir);
    theirs.set_user_name("Ben").unwrap();
    let notes = ControlPatch::one(ControlEdit::Notes("Ben's notes".into()));
    theirs
        .update_control(project.key, "SRM-CUS-IAM-03", &notes)
        .unwrap();

    let mine_notes = ControlPatch::one(ControlEdit::Notes("my notes".into()));
    let refused = mine
        .update_control_since(project.key, "SRM-CUS-IAM-03", &mine_notes, Some(loaded))
        .unwrap_err();
    assert!(
        matches!(&refused, StoreError::ChangedMeanwhile { actor, at, .. }
            if actor == "Ben" && at == FIXED_TIME_TEXT),
        "{refused}"
    );
    assert!(
        refused
            .to_string()
            .starts_with("Ben changed SRM-CUS-IAM-03 at")
    );
    let control = mine.control(project.key, "SRM-CUS-IAM-03").unwrap();
    assert_eq!(control.notes, "Ben's notes");
    // Another control nobody touched takes the edit; reloaded, so does this one.
    mine.update_control_since(project.key, "SRM-CUS-IAM-01", &mine_notes, Some(loaded))
        .unwrap();
    let reloaded = mine.head_seq().unwrap();
    mine.update_control_since(project.key, "SRM-CUS-IAM-03", &mine_notes, Some(reloaded))
        .unwrap();
}

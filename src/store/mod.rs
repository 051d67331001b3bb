//! The workspace database: the only place in Lockstep that speaks SQL.
//!
//! A workspace is a folder with `lockstep.db` and `vault/`. The database runs in WAL mode
//! so the window can read while a background job writes, with foreign keys on and a busy
//! timeout so a second process (the CLI beside an open window) waits instead of failing.
//!
//! Every mutation is one method here: it opens a transaction, checks the domain rules,
//! writes the change and its activity-log row, and commits. The window and the command line
//! call the same methods, so anything a user does in one can be scripted in the other.
//! The activity log is append-only and hash-chained (see [`activity`]).

pub mod activity;
mod attachments;
mod aws_reports;
mod controls;
mod crm;
mod cuecs;
pub mod db;
mod evidence;
mod findings;
mod frameworks;
mod import_change;
mod integrity;
mod migrate;
mod patches;
mod people;
pub mod pg;
mod projects;
pub mod push_records;
mod requests;
mod settings;
mod srm_index;
pub use settings::suggested_user_name;
mod signoffs;
mod system;
pub use attachments::NewAttachment;
pub use system::ProjectParameter;
pub mod team;
mod write;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::catalog::CatalogError;
use crate::model::{ReportError, RuleError, Zone};

pub use activity::{ActivityEntry, ChainReport};
pub use aws_reports::{AwsReport, NewAwsReport, ProjectCoverage, ReportFile};
pub use controls::NewControl;
pub use crm::{CRM_COLUMNS, CrmError};
pub use cuecs::{CUEC_CSV_OPTIONAL, CUEC_CSV_REQUIRED, Cuec, CuecControl, CuecLine, MappedBy};
pub use evidence::NewEvidence;
pub use findings::{
    CheckResult, Deviation, Finding, FindingFacts, FindingImport, FindingsFileRecord, Milestone,
    NewDeviation, finding_label,
};
pub use frameworks::CatalogSummary;
pub use integrity::BadValue;
pub use migrate::{MIGRATIONS, SCHEMA_VERSION};
pub use patches::{
    Asset, MAX_DEADLINE_DAYS, NewAsset, NewPatch, PATCH_CSV_OPTIONAL, PATCH_CSV_REQUIRED,
    PatchChange, PatchDeadlines, PatchEvidence, PatchImport, PatchRecord,
};
pub use people::{
    Certificate, Course, MAX_EVERY_DAYS, NewPerson, NewTraining, Person, RosterEntry,
    TrainingRecord,
};
pub use projects::NewProject;
pub use requests::{
    NewRequestFile, OtherColumn, Request, RequestComment, RequestFile, RequestImport, RequestLink,
    RequestList, RequestListError, RequestPatch, read_request_list,
};
pub use signoffs::{NewSignoff, Signoff};

/// The database file inside a workspace.
pub const DB_FILE: &str = "lockstep.db";
/// The evidence vault folder inside a workspace.
pub const VAULT_DIR: &str = "vault";

/// How long a change waits for another process's write to finish before giving up. Writes
/// hold the lock for milliseconds; the longest, a large import, for a second or two.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Where "now" comes from; tests pass a fixed clock.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The system clock. A debug build reads [`TEST_NOW_VAR`] first and, when it is set, stands
/// still at that instant, so the integration tests run the binary on the day they assert;
/// a release build never reads it.
pub fn system_clock() -> Clock {
    #[cfg(debug_assertions)]
    if let Some(now) = test_now() {
        return Arc::new(move || now);
    }
    Arc::new(Utc::now)
}

/// The environment variable that fixes a debug build's clock, as an RFC 3339 time such as
/// `2026-11-28T09:30:00Z`.
pub const TEST_NOW_VAR: &str = "LOCKSTEP_TEST_NOW";

/// The instant [`TEST_NOW_VAR`] fixes, if it is set. Only tests set it, so a value that is
/// not a time stops the run rather than leaving it on the real clock unnoticed.
#[cfg(debug_assertions)]
fn test_now() -> Option<DateTime<Utc>> {
    let text = std::env::var(TEST_NOW_VAR).ok()?;
    match DateTime::parse_from_rfc3339(&text) {
        Ok(now) => Some(now.with_timezone(&Utc)),
        Err(error) => panic!(
            "{TEST_NOW_VAR} must be an RFC 3339 time such as 2026-11-28T09:30:00Z, not '{text}' ({error})"
        ),
    }
}

/// What can go wrong opening or changing a workspace. Each message is one sentence that
/// says what is wrong and what to do; paths come last.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The workspace path exists but is a file.
    #[error("the workspace must be a folder, but this is a file: {0}")]
    NotAFolder(PathBuf),
    /// The workspace folder cannot be created or written.
    #[error(
        "cannot write to the workspace folder (check its permissions or choose another with --workspace): {path}"
    )]
    NotWritable {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `lockstep.db` exists but is not a Lockstep database.
    #[error("this file is not a Lockstep database; move it away or choose another workspace: {0}")]
    NotADatabase(PathBuf),
    /// The database was written by a newer Lockstep.
    #[error(
        "this workspace was written by a newer Lockstep (schema version {found}, this one knows up to {supported}); update Lockstep to open it"
    )]
    NewerSchema {
        /// The version found in the file.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// A migration recorded as applied to the workspace was applied from a text other than
    /// the one this build ships under its name.
    #[error(
        "this workspace's schema step {0} was applied from a different text than this Lockstep ships; open it with the Lockstep that made it"
    )]
    ChangedMigration(String),
    /// No project of that name.
    #[error("no project is named '{0}': run `lockstep project list` to see them")]
    UnknownProject(String),
    /// A project of that name (ignoring case) exists.
    #[error("a project named '{0}' already exists: choose another name")]
    DuplicateProject(String),
    /// No control with that id in the project.
    #[error(
        "project '{project}' has no control '{id}': run `lockstep control list --project \"{project}\"` to see the ids"
    )]
    UnknownControl {
        /// The project's name.
        project: String,
        /// The id asked for.
        id: String,
    },
    /// A retired control cannot be edited.
    #[error(
        "control '{0}' is retired because the project no longer uses the services it covers; add those services back to edit it"
    )]
    RetiredControl(String),
    /// No evidence with that id in the project.
    #[error("no evidence with id {0} in this project: run `lockstep evidence list` to see the ids")]
    UnknownEvidence(i64),
    /// The evidence was already removed.
    #[error("evidence {0} was already removed")]
    AlreadyRemoved(i64),
    /// No person with that email.
    #[error("no person has the email '{0}': add them with `lockstep person add`")]
    UnknownPerson(String),
    /// A person with that email (ignoring case) exists.
    #[error("a person with the email '{0}' already exists")]
    DuplicateEmail(String),
    /// No course of that name.
    #[error("no course is named '{0}': add it with `lockstep course add`")]
    UnknownCourse(String),
    /// A course of that name (ignoring case) exists.
    #[error("a course named '{0}' already exists")]
    DuplicateCourse(String),
    /// A recurrence longer than a century, which no course needs.
    #[error("a course must recur at least once every {max} days (100 years), not every {0} days", max = people::MAX_EVERY_DAYS)]
    RecurrenceTooLong(i64),
    /// The same completion is recorded already.
    #[error("{email} already has {course} completed on {completed_on} recorded")]
    DuplicateTraining {
        /// The person.
        email: String,
        /// The course.
        course: String,
        /// The date.
        completed_on: chrono::NaiveDate,
    },
    /// No finding of that id in the project.
    #[error("project has no finding '{0}': see `lockstep findings list`")]
    UnknownFinding(String),
    /// A finding request the rules refuse (the sentence says why).
    #[error("{0}")]
    Finding(String),
    /// No asset of that name in the project.
    #[error("project has no asset named '{0}': add it with `lockstep asset add`")]
    UnknownAsset(String),
    /// An asset of that name (ignoring case) exists in the project.
    #[error("an asset named '{0}' already exists in this project")]
    DuplicateAsset(String),
    /// The advisory is recorded for the asset already.
    #[error("{advisory} is already recorded for {asset}")]
    DuplicatePatch {
        /// The asset.
        asset: String,
        /// The advisory.
        advisory: String,
    },
    /// A patch deadline outside 1 to 3650 days after release.
    #[error("a {severity} patch deadline must be 1 to {max} days after release, not {days}", max = patches::MAX_DEADLINE_DAYS)]
    BadPatchDeadline {
        /// The severity.
        severity: crate::model::Severity,
        /// The days asked for.
        days: u32,
    },
    /// No AWS report with that id.
    #[error("no AWS report has the id {0}: run `lockstep aws-report list` to see the ids")]
    UnknownAwsReport(i64),
    /// The AWS report was already removed.
    #[error("AWS report {0} was already removed")]
    AwsReportRemoved(i64),
    /// No CUEC with that id.
    #[error("no CUEC has the id {0}: run `lockstep cuec list` to see the ids")]
    UnknownCuec(i64),
    /// A CUEC is the customer's to carry out, so it cannot map to an AWS-column control.
    #[error(
        "control '{0}' is in the AWS column; a CUEC is carried out by a customer or shared control"
    )]
    CuecOnAwsControl(String),
    /// No request with that id in the project.
    #[error("this project has no request '{0}': run `lockstep request list` to see the ids")]
    UnknownRequest(String),
    /// No parameter with that id among the project's controls.
    #[error(
        "no control of project '{project}' has a parameter '{param}': run `lockstep param list --project \"{project}\"` to see them"
    )]
    UnknownParameter {
        /// The project's name.
        project: String,
        /// The id asked for.
        param: String,
    },
    /// No attachment with that id in the project.
    #[error(
        "no attachment with id {0} in this project: run `lockstep attachment list` to see the ids"
    )]
    UnknownAttachment(i64),
    /// The attachment was already removed.
    #[error("attachment {0} was already removed")]
    AttachmentRemoved(i64),
    /// No system user with that title in the project.
    #[error("the project's system has no user '{0}': run `lockstep system user list` to see them")]
    UnknownSystemUser(String),
    /// A request list cannot be used at all.
    #[error(transparent)]
    RequestList(#[from] requests::RequestListError),
    /// The report's kind, period or bridge letter was refused.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A domain rule refused the change.
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// A CRM is imported for a project on the built-in SRM set.
    #[error(
        "project '{0}' is on the built-in SRM set; a CRM places the controls of a framework baseline: move it to one with `lockstep project set-baseline`"
    )]
    CrmNeedsBaseline(String),
    /// An imported CRM file cannot be used at all.
    #[error(transparent)]
    Crm(#[from] crm::CrmError),
    /// An imported CSV file cannot be used at all.
    #[error(transparent)]
    Csv(#[from] crate::import::CsvError),
    /// The catalog refused the input.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// An OSCAL file or a profile's resolution was refused.
    #[error(transparent)]
    Oscal(#[from] crate::catalog::oscal::OscalError),
    /// No imported catalog of that name or title.
    #[error(
        "no imported catalog is named '{name}': {}",
        known_names(known, "catalog")
    )]
    UnknownCatalog {
        /// The name asked for.
        name: String,
        /// The imported catalogs' names.
        known: Vec<String>,
    },
    /// No imported profile of that name or title.
    #[error("no baseline is named '{name}': {}", known_names(known, "profile"))]
    UnknownBaseline {
        /// The name asked for.
        name: String,
        /// The imported profiles' names.
        known: Vec<String>,
    },
    /// The database failed while it was opened.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] db::Error),
    /// The team database could not be reached or set up.
    #[error(transparent)]
    Team(#[from] pg::PgError),
    /// Someone changed the control after the editor loaded it.
    #[error(
        "{actor} changed {id} at {at}, after you opened it; their version is shown now, so check it and make your change again"
    )]
    ChangedMeanwhile {
        /// The control.
        id: String,
        /// Who changed it.
        actor: String,
        /// When (UTC).
        at: String,
    },
    /// The login has the team workspace's read-only role.
    #[error(
        "you have read-only access to this team workspace (database login '{0}'), so changes are refused; ask an administrator for the lockstep_editor role to make them"
    )]
    ReadOnly(String),
    /// The team workspace's settings file cannot be used.
    #[error(transparent)]
    TeamSettings(#[from] team::TeamError),
    /// Stored data did not decode.
    #[error(
        "the workspace database holds a value Lockstep cannot read ({0}); run `lockstep verify`"
    )]
    Corrupt(String),
}

/// The names an unknown-name error offers instead, or how to import the first.
fn known_names(known: &[String], kind: &str) -> String {
    if known.is_empty() {
        format!("none is imported yet; import one with `lockstep {kind} import FILE.json`")
    } else {
        format!("the imported ones are {}", known.join(", "))
    }
}

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open workspace.
pub struct Store {
    conn: db::Connection,
    dir: PathBuf,
    clock: Clock,
    zone: Zone,
    /// Whether this login may only read (a team workspace's reader role).
    read_only: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish()
    }
}

impl Store {
    /// Opens the workspace in `dir`, creating it on first use, and brings its database up to
    /// the current schema.
    pub fn open(dir: &Path) -> Result<Self> {
        Self::open_with_clock(dir, system_clock())
    }

    /// Opens the records of the team workspace in `dir` on the database at `url`, bringing
    /// its schema up to date; `ask` is asked for the password when no other source has it.
    pub fn open_team(
        dir: &Path,
        url: &pg::DatabaseUrl,
        clock: Clock,
        ask: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        let (mut client, login) = url.connect_with_config(ask)?;
        let at = crate::model::stamp(&clock());
        pg::migrate::migrate(&mut client, &at)?;
        let mut store = Store {
            conn: db::Connection::Postgres(Box::new(db::Pg::new(client, login))),
            dir: dir.to_path_buf(),
            clock,
            zone: crate::model::Zone::Local,
            read_only: false,
        };
        store.zone = store.stored_zone()?;
        store.read_only = store.conn.query_row(
            "SELECT NOT has_table_privilege(current_user, 'activity', 'INSERT')",
            [],
            |row| row.get(0),
        )?;
        Ok(store)
    }

    /// Opens the workspace with a given clock. A folder with a team workspace's settings
    /// (`workspace.toml`) opens the team database it names; the password is asked for on
    /// the terminal when no other source has it.
    pub fn open_with_clock(dir: &Path, clock: Clock) -> Result<Self> {
        if dir.exists() && !dir.is_dir() {
            return Err(StoreError::NotAFolder(dir.to_path_buf()));
        }
        if let Some(team) = team::TeamSettings::read(dir)? {
            return Store::open_team(dir, &team.database_login()?, clock, &pg::ask_on_terminal);
        }
        let not_writable = |source| StoreError::NotWritable {
            path: dir.to_path_buf(),
            source,
        };
        fs::create_dir_all(dir).map_err(not_writable)?;
        check_writable(dir).map_err(not_writable)?;
        let db_path = dir.join(DB_FILE);
        if db_path.is_dir() {
            return Err(StoreError::NotADatabase(db_path));
        }
        let mut conn = Connection::open_with_flags(
            &db_path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify_open_error(e, &db_path))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| classify_open_error(e, &db_path))?;
        // Switching to WAL rewrites the file header, so a file that is not ours, or is newer,
        // is refused before anything is written to it or beside it.
        prepare(&mut conn, &db_path)?;
        fs::create_dir_all(dir.join(VAULT_DIR)).map_err(not_writable)?;
        let mut store = Store {
            conn: db::Connection::Sqlite(conn),
            dir: dir.to_path_buf(),
            clock,
            zone: Zone::Local,
            read_only: false,
        };
        store.zone = store.stored_zone()?;
        Ok(store)
    }

    /// Whether this workspace may only be read by this login (a team workspace opened with
    /// the read-only role). Every change is then refused.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The activity log's last row: where the workspace's history stands, 0 when empty.
    pub fn head_seq(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM activity", [], |row| {
                row.get(0)
            })?)
    }

    /// The workspace folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The current time, as the store's clock says.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// The time zone the workspace counts its days in: the `time_zone` setting, else the
    /// computer's.
    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// Today's date in the workspace's time zone, by the store's clock. Every "today" in
    /// Lockstep comes from here.
    pub fn today(&self) -> NaiveDate {
        self.zone.day_of(self.now())
    }

    /// The calendar day of a stored event timestamp, in the workspace's time zone.
    pub fn day_of(&self, timestamp: &str) -> Option<NaiveDate> {
        self.zone.day_of_timestamp(timestamp)
    }

    /// Runs `read` inside one read transaction, so everything it reads comes from one
    /// snapshot of the database even while other processes write. Inside a transaction
    /// already, it simply runs `read`.
    pub fn read<T>(&self, read: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            return read(self);
        }
        self.conn.begin_read()?;
        let outcome = read(self);
        // A read transaction changes nothing, so ending it cannot lose work.
        let ended = self.conn.commit();
        let value = outcome?;
        ended?;
        Ok(value)
    }
}

/// Checks, configures and migrates a freshly opened database. Processes opening a new
/// workspace at the same moment race to switch it to WAL and create its tables; SQLite
/// answers some of those steps with "busy" at once rather than waiting (a lock upgrade that
/// could deadlock, a journal-mode change), so a busy answer means trying again shortly,
/// until the busy timeout has passed.
fn prepare(conn: &mut Connection, db_path: &Path) -> Result<()> {
    let started = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(5);
    loop {
        let attempt = migrate::check(conn, db_path).and_then(|_| {
            configure(conn).map_err(|e| classify_open_error(e, db_path))?;
            migrate::migrate(conn, db_path)
        });
        match attempt {
            Err(StoreError::Sqlite(error))
                if is_busy(&error) && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(std::time::Duration::from_millis(200));
            }
            other => return other,
        }
    }
}

/// Whether SQLite said another connection holds the lock it needed.
fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // journal_mode answers with a row, so it is read rather than executed. FULL sync makes a
    // committed evidence row survive a power cut, so a blob moved into place after the
    // commit is never left without its row.
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
    Ok(())
}

/// The start of the writability probe's name; the rest is `<pid>-<n>`.
const PROBE_PREFIX: &str = ".lockstep-write-check.";

/// Checks that the folder takes new files. The probe's name is this process's own and
/// unique within it, so processes opening the workspace at once never touch each other's;
/// probes left by processes killed mid-check are removed.
fn check_writable(dir: &Path) -> io::Result<()> {
    static PROBES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let number = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let probe = dir.join(format!("{PROBE_PREFIX}{}-{number}", std::process::id()));
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)?;
    fs::remove_file(&probe)?;
    remove_dead_probes(dir);
    Ok(())
}

/// Removes probes whose process is no longer running. Best effort: a probe that cannot be
/// removed now is an empty file that the next open tries again.
fn remove_dead_probes(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(owner) = name
            .to_str()
            .and_then(|name| name.strip_prefix(PROBE_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        if !crate::process::writer_is_running(owner, &path) {
            // Another opener may remove it first; either way it is gone.
            let _ = fs::remove_file(&path);
        }
    }
}

fn classify_open_error(error: rusqlite::Error, path: &Path) -> StoreError {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase(path.to_path_buf()),
        Some(ErrorCode::ReadOnly)
        | Some(ErrorCode::CannotOpen)
        | Some(ErrorCode::PermissionDenied) => StoreError::NotWritable {
            path: path.to_path_buf(),
            source: io::Error::new(io::ErrorKind::PermissionDenied, error.to_string()),
        },
        _ => StoreError::Sqlite(error),
    }
}

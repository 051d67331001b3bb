//! People, courses and training attestations (workspace-wide).
//!
//! People and courses belong to the organisation, not to one project, so one roster serves
//! every audit scope. A person is found by email and a course by name, both ignoring case
//! (`email_key` and `name_key` hold the lowered forms the database keeps unique). A
//! training record is one completion: who, which course, on what day, who attested it, and
//! optionally the certificate's vault hash. Its expiry is computed once, when it is
//! recorded, from the course's recurrence. Where someone stands on a course is read from
//! their latest completion (see [`crate::model::training_state`]).
//!
//! Imports read the whole CSV file first (see [`crate::import`]) and then check and
//! insert every row in one transaction, with one activity row that lists what came in.
//! A refused row is reported by line and the others still go in. Rows already stored, or
//! repeated earlier in the same file, are refused, so importing a file twice changes
//! nothing the second time.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::db::{Connection, OptionalExtension, Row, params};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::import_change::import_change;
use super::write::{Change, Logged};
use super::{Result, Store, StoreError};
use crate::import::people::read_people;
use crate::import::training::read_training;
use crate::import::{ImportReport, RowProblem};
use crate::model::{
    Action, RuleError, TrainingState, check_email, hex, training_expires_on, training_state,
};

pub use crate::model::NewPerson;

/// The longest recurrence a course may have: 100 years.
pub const MAX_EVERY_DAYS: i64 = 36_525;

/// A member of staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Database key.
    #[serde(skip)]
    pub key: i64,
    /// Full name.
    pub name: String,
    /// Email address as first given; unique regardless of case.
    pub email: String,
    /// Job or team, free text; may be empty.
    pub role: String,
    /// Whether they are on the roster now.
    pub active: bool,
    /// When they were added; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    pub created_at: DateTime<Utc>,
}

/// A course people must complete again every so many days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Course {
    /// Database key.
    #[serde(skip)]
    pub key: i64,
    /// The name people use; unique regardless of case.
    pub name: String,
    /// Days a completion stays valid.
    pub every_days: u32,
    /// When it was added; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    pub created_at: DateTime<Utc>,
}

/// A certificate file already staged in the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// The file's name when it was given.
    pub file_name: String,
}

/// What a user gives to record a completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTraining {
    /// The person's email (any case).
    pub email: String,
    /// The course's name (any case).
    pub course: String,
    /// The day it was completed.
    pub completed_on: NaiveDate,
    /// The certificate, if one is kept.
    pub certificate: Option<Certificate>,
}

/// One recorded completion, with the person and course it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainingRecord {
    /// Database key.
    #[serde(skip)]
    pub key: i64,
    /// The person's email.
    pub email: String,
    /// The person's name.
    pub name: String,
    /// The course's name.
    pub course: String,
    /// The day it was completed.
    pub completed_on: NaiveDate,
    /// The last day it counts: the completion plus the course's recurrence.
    pub expires_on: NaiveDate,
    /// Who recorded it (the workspace user).
    pub attested_by: String,
    /// SHA-256 of the certificate in the vault, if one is kept.
    pub certificate_sha256: Option<String>,
    /// The certificate's file name, if one is kept.
    pub certificate_name: Option<String>,
    /// When it was recorded; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    pub recorded_at: DateTime<Utc>,
}

/// Where one active person stands on one course on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterEntry {
    /// The person's email.
    pub email: String,
    /// The person's name.
    pub name: String,
    /// The course's name.
    pub course: String,
    /// Their latest completion, if any.
    pub completed_on: Option<NaiveDate>,
    /// When that completion expires, if any.
    pub expires_on: Option<NaiveDate>,
    /// Current, expiring, expired or missing.
    pub state: TrainingState,
}

fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The stored date text, back as a date.
fn stored_date(index: usize, text: String) -> super::db::Result<NaiveDate> {
    text.parse::<NaiveDate>().map_err(|_| {
        super::db::Error::FromSqlConversionFailure(
            index,
            super::db::Type::Text,
            format!("date '{text}'").into(),
        )
    })
}

/// The expiry to store: the rule's date, kept within four-digit years so it reads back.
fn expiry(completed_on: NaiveDate, every_days: u32) -> NaiveDate {
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    training_expires_on(completed_on, every_days).min(last)
}

/// A recurrence checked: more than zero days, at most [`MAX_EVERY_DAYS`].
fn check_every_days(every_days: i64) -> Result<u32> {
    if every_days <= 0 {
        return Err(RuleError::BadRecurrence(every_days).into());
    }
    if every_days > MAX_EVERY_DAYS {
        return Err(StoreError::RecurrenceTooLong(every_days));
    }
    u32::try_from(every_days).map_err(|_| StoreError::RecurrenceTooLong(every_days))
}

const PERSON_COLUMNS: &str = "id, name, email, role, active, created_at";

fn person_from_row(row: &Row<'_>) -> super::db::Result<Person> {
    Ok(Person {
        key: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        role: row.get(3)?,
        active: row.get(4)?,
        created_at: row.get(5)?,
    })
}

const COURSE_COLUMNS: &str = "id, name, every_days, created_at";

fn course_from_row(row: &Row<'_>) -> super::db::Result<Course> {
    Ok(Course {
        key: row.get(0)?,
        name: row.get(1)?,
        every_days: row.get(2)?,
        created_at: row.get(3)?,
    })
}

const TRAINING_COLUMNS: &str = "t.id, p.email, p.name, c.name, t.completed_on, t.expires_on,
    t.attested_by, t.certificate_sha256, t.certificate_name, t.recorded_at";

fn training_from_row(row: &Row<'_>) -> super::db::Result<TrainingRecord> {
    Ok(TrainingRecord {
        key: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        course: row.get(3)?,
        completed_on: stored_date(4, row.get(4)?)?,
        expires_on: stored_date(5, row.get(5)?)?,
        attested_by: row.get(6)?,
        certificate_sha256: row.get(7)?,
        certificate_name: row.get(8)?,
        recorded_at: row.get(9)?,
    })
}

fn find_person(conn: &Connection, email: &str) -> Result<Option<Person>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE email_key = ?1"
        ))?
        .query_row([email_key(email)], person_from_row)
        .optional()?)
}

fn find_course(conn: &Connection, name: &str) -> Result<Option<Course>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COURSE_COLUMNS} FROM courses WHERE name_key = ?1"
        ))?
        .query_row([name_key(name)], course_from_row)
        .optional()?)
}

fn completion_exists(
    conn: &Connection,
    person: &Person,
    course: &Course,
    completed_on: NaiveDate,
) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM training WHERE person_id = ?1 AND course_id = ?2 AND completed_on = ?3",
        )?
        .query_row(
            params![person.key, course.key, completed_on.to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn insert_person(conn: &Connection, person: &NewPerson, at: &str) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO people (name, email, email_key, role, active, created_at)
         VALUES (?1, ?2, ?3, ?4, 1, ?5)",
    )?
    .execute(params![
        person.name,
        person.email,
        email_key(&person.email),
        person.role,
        at
    ])?;
    Ok(conn.last_insert_rowid()?)
}

/// A completion checked against the database: the person, the course, and the expiry.
struct CheckedTraining {
    person: Person,
    course: Course,
    completed_on: NaiveDate,
    expires_on: NaiveDate,
}

/// Finds the person and course of a completion and refuses one already recorded.
fn check_training(
    conn: &Connection,
    email: &str,
    course: &str,
    completed_on: NaiveDate,
) -> Result<CheckedTraining> {
    let checked = resolve_training(conn, email, course, completed_on)?;
    refuse_recorded(conn, checked)
}

/// Refuses a completion that is recorded already.
fn refuse_recorded(conn: &Connection, checked: CheckedTraining) -> Result<CheckedTraining> {
    if completion_exists(conn, &checked.person, &checked.course, checked.completed_on)? {
        return Err(StoreError::DuplicateTraining {
            email: checked.person.email,
            course: checked.course.name,
            completed_on: checked.completed_on,
        });
    }
    Ok(checked)
}

/// Finds the person and course of a completion and computes its expiry.
fn resolve_training(
    conn: &Connection,
    email: &str,
    course: &str,
    completed_on: NaiveDate,
) -> Result<CheckedTraining> {
    if email.trim().is_empty() {
        return Err(RuleError::Blank("email").into());
    }
    let email = check_email(email)?;
    if course.trim().is_empty() {
        return Err(RuleError::Blank("course").into());
    }
    let person = find_person(conn, &email)?.ok_or(StoreError::UnknownPerson(email))?;
    let course = find_course(conn, course)?
        .ok_or_else(|| StoreError::UnknownCourse(course.trim().to_string()))?;
    let expires_on = expiry(completed_on, course.every_days);
    Ok(CheckedTraining {
        person,
        course,
        completed_on,
        expires_on,
    })
}

fn insert_training(
    conn: &Connection,
    checked: &CheckedTraining,
    certificate: Option<&Certificate>,
    actor: &str,
    at: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO training (person_id, course_id, completed_on, expires_on, attested_by,
            certificate_sha256, certificate_name, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        checked.person.key,
        checked.course.key,
        checked.completed_on.to_string(),
        checked.expires_on.to_string(),
        actor,
        certificate.map(|c| c.sha256.as_str()),
        certificate.map(|c| c.file_name.as_str()),
        at
    ])?;
    Ok(conn.last_insert_rowid()?)
}

impl Store {
    /// Everyone, active or not, by name.
    pub fn people(&self) -> Result<Vec<Person>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PERSON_COLUMNS} FROM people ORDER BY name COLLATE NOCASE, email_key"
        ))?;
        let rows = stmt.query_map([], person_from_row)?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// One person by email (ignoring case).
    pub fn person(&self, email: &str) -> Result<Person> {
        find_person(&self.conn, email)?
            .ok_or_else(|| StoreError::UnknownPerson(email.trim().to_string()))
    }

    /// Adds a person, active. Their email must be valid and not taken (ignoring case).
    pub fn add_person(&mut self, new: &NewPerson) -> Result<Person> {
        let person = new.checked()?;
        self.write(|tx| {
            if let Some(taken) = find_person(tx, &person.email)? {
                return Err(StoreError::DuplicateEmail(taken.email));
            }
            insert_person(tx, &person, &tx.at)?;
            let action = Action::PersonAdd {
                name: person.name.clone(),
                email: person.email.clone(),
                role: person.role.clone(),
            };
            Ok(Change::Made(
                (),
                Logged::new(None, person.email.clone(), action),
            ))
        })?;
        self.person(&person.email)
    }

    /// Puts a person on the roster or takes them off it; their records stay. Asking for
    /// the state they are in changes nothing and logs nothing.
    pub fn set_person_active(&mut self, email: &str, active: bool) -> Result<Person> {
        let email = self.write(|tx| {
            let person = tx.store.person(email)?;
            if person.active == active {
                return Ok(Change::Unchanged(person.email));
            }
            tx.execute(
                "UPDATE people SET active = ?1 WHERE id = ?2",
                params![active, person.key],
            )?;
            let action = Action::PersonActive {
                email: person.email.clone(),
                name: person.name,
                active,
            };
            Ok(Change::Made(
                person.email.clone(),
                Logged::new(None, person.email, action),
            ))
        })?;
        self.person(&email)
    }

    /// Imports people from a CSV file with columns `name`, `email` and optionally `role`.
    /// Good rows go in together, with one activity row; each refused row is reported.
    pub fn import_people(&mut self, path: &Path) -> Result<ImportReport> {
        let file = read_people(path)?;
        let table = &file.table;
        self.write(|tx| {
            let mut refused = table.problems.clone();
            let mut lines_by_email: HashMap<String, u64> = HashMap::new();
            let mut imported = Vec::new();
            for row in &file.rows {
                let person = match &row.person {
                    Ok(person) => person.clone(),
                    Err(error) => {
                        refused.push(RowProblem::new(row.line, error.clone()));
                        continue;
                    }
                };
                let key = email_key(&person.email);
                if let Some(first) = lines_by_email.get(&key) {
                    refused.push(RowProblem::new(
                        row.line,
                        format!("the email '{}' is already on line {first}", person.email),
                    ));
                    continue;
                }
                if let Some(taken) = find_person(tx, &person.email)? {
                    refused.push(RowProblem::new(
                        row.line,
                        StoreError::DuplicateEmail(taken.email),
                    ));
                    continue;
                }
                insert_person(tx, &person, &tx.at)?;
                lines_by_email.insert(key, row.line);
                imported.push(person.email);
            }
            refused.sort_by_key(|problem| problem.line);
            let report = ImportReport {
                rows: file.data_rows(),
                imported: imported.len(),
                refused,
            };
            Ok(import_change(table, report, |import| {
                Logged::new(
                    None,
                    "",
                    Action::PersonImport {
                        emails: imported,
                        import,
                    },
                )
            }))
        })
    }

    /// Every course, by name.
    pub fn courses(&self) -> Result<Vec<Course>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COURSE_COLUMNS} FROM courses ORDER BY name_key"
        ))?;
        let rows = stmt.query_map([], course_from_row)?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// One course by name (ignoring case).
    pub fn course(&self, name: &str) -> Result<Course> {
        find_course(&self.conn, name)?
            .ok_or_else(|| StoreError::UnknownCourse(name.trim().to_string()))
    }

    /// Adds a course that must be completed again every `every_days` days (1 or more).
    pub fn add_course(&mut self, name: &str, every_days: i64) -> Result<Course> {
        let name = name.trim();
        if name.is_empty() {
            return Err(RuleError::Blank("course name").into());
        }
        let every_days = check_every_days(every_days)?;
        self.write(|tx| {
            if let Some(taken) = find_course(tx, name)? {
                return Err(StoreError::DuplicateCourse(taken.name));
            }
            tx.execute(
            "INSERT INTO courses (name, name_key, every_days, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, name_key(name), every_days, tx.at],
        )?;
            let action = Action::CourseAdd {
                name: name.to_string(),
                every_days,
            };
            Ok(Change::Made((), Logged::new(None, name, action)))
        })?;
        self.course(name)
    }

    /// Checks that a completion can be recorded (the person and course exist, and it is not
    /// recorded already) before any certificate file is read.
    pub fn check_training(&self, new: &NewTraining) -> Result<()> {
        check_training(&self.conn, &new.email, &new.course, new.completed_on).map(|_| ())
    }

    /// Records a completion, attested by the workspace user. A certificate must already be
    /// staged in the vault; it is moved into place after this returns.
    pub fn record_training(&mut self, new: &NewTraining) -> Result<TrainingRecord> {
        let id = self.write(|tx| {
            let checked = check_training(tx, &new.email, &new.course, new.completed_on)?;
            let certificate = new.certificate.as_ref();
            let id = insert_training(tx, &checked, certificate, &tx.actor, &tx.at)?;
            let action = Action::TrainingRecord {
                email: checked.person.email.clone(),
                name: checked.person.name.clone(),
                course: checked.course.name.clone(),
                completed_on: checked.completed_on,
                expires_on: checked.expires_on,
                certificate_sha256: certificate.map(|c| c.sha256.clone()),
                certificate_name: certificate.map(|c| c.file_name.clone()),
            };
            Ok(Change::Made(
                id,
                Logged::new(None, checked.person.email, action),
            ))
        })?;
        self.training_record(id)
    }

    /// Imports completions from a CSV file with columns `email`, `course` and
    /// `completed_on`. Good rows go in together, with one activity row; each refused row
    /// (unknown person or course, impossible date, already recorded) is reported.
    pub fn import_training(&mut self, path: &Path) -> Result<ImportReport> {
        let file = read_training(path)?;
        self.write(|tx| {
            let mut refused = file.table.problems.clone();
            let mut lines_by_completion: HashMap<(i64, i64, NaiveDate), u64> = HashMap::new();
            let mut imported = Vec::new();
            for row in &file.rows {
                let checked =
                    row.completed_on
                        .clone()
                        .map_err(StoreError::from)
                        .and_then(|completed_on| {
                            resolve_training(tx, &row.email, &row.course, completed_on)
                        });
                let checked = match checked {
                    Ok(checked) => checked,
                    Err(error @ (StoreError::Sqlite(_) | StoreError::Database(_))) => {
                        return Err(error);
                    }
                    Err(error) => {
                        refused.push(RowProblem::new(row.line, error));
                        continue;
                    }
                };
                let key = (checked.person.key, checked.course.key, checked.completed_on);
                if let Some(first) = lines_by_completion.get(&key) {
                    refused.push(RowProblem::new(
                        row.line,
                        format!(
                            "{} completing {} on {} is already on line {first}",
                            checked.person.email, checked.course.name, checked.completed_on
                        ),
                    ));
                    continue;
                }
                let checked = match refuse_recorded(tx, checked) {
                    Ok(checked) => checked,
                    Err(error @ (StoreError::Sqlite(_) | StoreError::Database(_))) => {
                        return Err(error);
                    }
                    Err(error) => {
                        refused.push(RowProblem::new(row.line, error));
                        continue;
                    }
                };
                insert_training(tx, &checked, None, &tx.actor, &tx.at)?;
                lines_by_completion.insert(key, row.line);
                imported.push((
                    checked.person.email,
                    checked.course.name,
                    checked.completed_on,
                ));
            }
            refused.sort_by_key(|problem| problem.line);
            let report = ImportReport {
                rows: file.data_rows(),
                imported: imported.len(),
                refused,
            };
            Ok(import_change(&file.table, report, |import| {
                Logged::new(
                    None,
                    "",
                    Action::TrainingImport {
                        records: imported,
                        import,
                    },
                )
            }))
        })
    }

    fn training_record(&self, id: i64) -> Result<TrainingRecord> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {TRAINING_COLUMNS} FROM training t JOIN people p ON p.id = t.person_id
                 JOIN courses c ON c.id = t.course_id WHERE t.id = ?1"
            ))?
            .query_row([id], training_from_row)?)
    }

    /// Every recorded completion, by person, course and date.
    pub fn training_records(&self) -> Result<Vec<TrainingRecord>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {TRAINING_COLUMNS} FROM training t JOIN people p ON p.id = t.person_id
             JOIN courses c ON c.id = t.course_id
             ORDER BY p.name COLLATE NOCASE, p.email_key, c.name_key, t.completed_on, t.id"
        ))?;
        let rows = stmt.query_map([], training_from_row)?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// Where every active person stands on every course as of a date, from their latest
    /// completion: by person, then course.
    pub fn training_roster(&self, as_of: NaiveDate) -> Result<Vec<RosterEntry>> {
        // The latest completion is also the latest expiry, since a course's recurrence
        // never changes.
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.email, p.name, c.name, t.completed_on, t.expires_on
             FROM people p CROSS JOIN courses c
             LEFT JOIN training t ON t.id = (
                 SELECT id FROM training WHERE person_id = p.id AND course_id = c.id
                    AND completed_on <= ?1
                 ORDER BY completed_on DESC, id DESC LIMIT 1)
             WHERE p.active = 1
             ORDER BY p.name COLLATE NOCASE, p.email_key, c.name_key",
        )?;
        // Completions after the date do not count yet: the roster is as it stood then.
        let rows = stmt.query_map([as_of.to_string()], |row| {
            let completed_on = row
                .get::<_, Option<String>>(3)?
                .map(|text| stored_date(3, text))
                .transpose()?;
            let expires_on = row
                .get::<_, Option<String>>(4)?
                .map(|text| stored_date(4, text))
                .transpose()?;
            Ok(RosterEntry {
                email: row.get(0)?,
                name: row.get(1)?,
                course: row.get(2)?,
                completed_on,
                expires_on,
                state: training_state(expires_on, as_of),
            })
        })?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// SHA-256 over a canonical text of every person, course and completion: it changes
    /// exactly when the roster's content does, so a sign-off on the roster can tell it went
    /// stale. Each item is one JSON array on its own line, the lines sorted.
    pub fn training_fingerprint(&self) -> Result<String> {
        let mut lines: Vec<String> = Vec::new();
        for person in self.people()? {
            lines.push(
                json!([
                    "person",
                    email_key(&person.email),
                    person.email,
                    person.name,
                    person.role,
                    person.active
                ])
                .to_string(),
            );
        }
        for course in self.courses()? {
            lines.push(
                json!([
                    "course",
                    name_key(&course.name),
                    course.name,
                    course.every_days
                ])
                .to_string(),
            );
        }
        for record in self.training_records()? {
            lines.push(
                json!([
                    "training",
                    email_key(&record.email),
                    name_key(&record.course),
                    record.completed_on.to_string(),
                    record.certificate_sha256
                ])
                .to_string(),
            );
        }
        lines.sort_unstable();
        let mut hasher = Sha256::new();
        for line in &lines {
            hasher.update(line.as_bytes());
            hasher.update(b"\n");
        }
        Ok(hex(&hasher.finalize()))
    }

    /// Hashes of the certificates training records keep in the vault.
    pub fn certificate_hashes(&self) -> Result<HashSet<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT certificate_sha256 FROM training WHERE certificate_sha256 IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }
}

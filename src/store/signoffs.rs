//! Sign-offs: a named person's statement that a control, the training roster or a monthly
//! patch cycle of a project is accepted.
//!
//! Each sign-off stores a fingerprint (SHA-256) of what it covered at the time: for a
//! control, its fields and current evidence; for the roster, every person, course and
//! completion; for a patch cycle, that month's patch records and the deadlines. When the
//! subject changes afterwards the fingerprints differ and the sign-off shows as stale until
//! someone signs again. Sign-offs are never edited or deleted: a new one supersedes.

use super::db::params;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::write::{Change, Logged};
use super::{Result, Store};
use crate::model::{Action, ControlField, RuleError, SignoffSubject, hex, parse_month};

/// A sign-off as listed: whether it still matches what it covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signoff {
    /// Sign-off id.
    pub id: i64,
    /// What it covers: `control SRM-CUS-IAM-01`, `training`, or `patch-cycle 2026-10`.
    pub subject: String,
    /// The kind of subject: `control`, `training` or `patch_cycle`.
    pub subject_kind: String,
    /// The control id or month (`roster` for training).
    pub subject_key: String,
    /// Who signed.
    pub by: String,
    /// Their role.
    pub role: String,
    /// What they state.
    pub statement: String,
    /// When; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    pub signed_at: DateTime<Utc>,
    /// Who recorded it in Lockstep.
    pub recorded_by: String,
    /// The subject changed after it was signed.
    pub stale: bool,
    /// A later sign-off of the same subject exists.
    pub superseded: bool,
}

/// A sign-off row as stored.
struct StoredSignoff {
    id: i64,
    kind: String,
    key: String,
    by: String,
    role: String,
    statement: String,
    fingerprint: String,
    signed_at: DateTime<Utc>,
    recorded_by: String,
}

/// What a user gives to sign something off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSignoff {
    /// What is signed off.
    pub subject: SignoffSubject,
    /// Who signs.
    pub by: String,
    /// Their role.
    pub role: String,
    /// What they state.
    pub statement: String,
}

impl Store {
    /// The fingerprint of a subject as it is now.
    pub fn subject_fingerprint(&self, project: i64, subject: &SignoffSubject) -> Result<String> {
        match subject {
            SignoffSubject::Control(id) => {
                let control = self.control(project, id)?;
                let mut hasher = Sha256::new();
                let mut part = |text: &str| {
                    hasher.update((text.len() as u64).to_le_bytes());
                    hasher.update(text.as_bytes());
                };
                for field in [
                    ControlField::Title,
                    ControlField::Description,
                    ControlField::Column,
                    ControlField::Status,
                    ControlField::StatusReason,
                    ControlField::Owner,
                    ControlField::Due,
                    ControlField::ReviewDays,
                    ControlField::Notes,
                    ControlField::AwsPart,
                    ControlField::CustomerPart,
                ] {
                    part(&control.field(field));
                }
                part(if control.retired {
                    "retired"
                } else {
                    "in scope"
                });
                for evidence in self
                    .evidence(project, Some(&control.id))?
                    .iter()
                    .filter(|e| !e.removed)
                {
                    part(&format!(
                        "{}|{}|{}|{}|{:?}",
                        evidence.id,
                        evidence.sha256,
                        evidence.file_name,
                        evidence.collected_on,
                        evidence.valid_until
                    ));
                }
                Ok(hex(&hasher.finalize()))
            }
            SignoffSubject::Training => self.training_fingerprint(),
            SignoffSubject::PatchCycle(month) => {
                let first_day = parse_month(month)?;
                self.patch_cycle_fingerprint(project, first_day)
            }
            SignoffSubject::Finding(id) => self.finding_fingerprint(project, id),
        }
    }

    /// Checks and normalises a subject: the control exists, the month is a month.
    fn resolve_subject(&self, project: i64, subject: &SignoffSubject) -> Result<SignoffSubject> {
        Ok(match subject {
            SignoffSubject::Control(id) => SignoffSubject::Control(self.control(project, id)?.id),
            SignoffSubject::Training => SignoffSubject::Training,
            SignoffSubject::PatchCycle(month) => {
                let first: NaiveDate = parse_month(month)?;
                SignoffSubject::PatchCycle(first.format("%Y-%m").to_string())
            }
            SignoffSubject::Finding(id) => {
                SignoffSubject::Finding(self.finding_subject(project, id)?)
            }
        })
    }

    /// Records a sign-off with the fingerprint of what it covers now.
    pub fn add_signoff(&mut self, project: i64, new: &NewSignoff) -> Result<Signoff> {
        let by = new.by.trim();
        let role = new.role.trim();
        let statement = new.statement.trim();
        if by.is_empty() {
            return Err(RuleError::Blank("name of the person signing").into());
        }
        if role.is_empty() {
            return Err(RuleError::Blank("role of the person signing").into());
        }
        if statement.is_empty() {
            return Err(RuleError::Blank("statement").into());
        }
        let id = self.write(|tx| {
            // The fingerprint is taken inside the write transaction: it is of exactly what
            // stands when the sign-off is recorded.
            let subject = tx.store.resolve_subject(project, &new.subject)?;
            let fingerprint = tx.store.subject_fingerprint(project, &subject)?;
            tx.execute(
                "INSERT INTO signoffs (project_id, subject_kind, subject, by_name, role,
                     statement, fingerprint, signed_at, recorded_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    project,
                    subject.kind(),
                    subject.key(),
                    by,
                    role,
                    statement,
                    fingerprint,
                    tx.at,
                    tx.actor
                ],
            )?;
            let id = tx.last_insert_rowid()?;
            let logged_subject = match &subject {
                SignoffSubject::Control(id) => id.clone(),
                _ => String::new(),
            };
            let action = Action::SignoffAdd {
                signoff_id: id,
                subject: subject.describe(),
                by: by.to_string(),
                role: role.to_string(),
                statement: statement.to_string(),
                fingerprint,
            };
            Ok(Change::Made(
                id,
                Logged::new(Some(project), logged_subject, action),
            ))
        })?;
        self.signoffs(project)?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| super::StoreError::Corrupt(format!("sign-off {id}")))
    }

    /// A project's sign-offs, oldest first, each marked stale or superseded.
    pub fn signoffs(&self, project: i64) -> Result<Vec<Signoff>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, subject_kind, subject, by_name, role, statement, fingerprint, signed_at, recorded_by
             FROM signoffs WHERE project_id = ?1 ORDER BY id",
        )?;
        let rows: Vec<StoredSignoff> = stmt
            .query_map([project], |row| {
                Ok(StoredSignoff {
                    id: row.get(0)?,
                    kind: row.get(1)?,
                    key: row.get(2)?,
                    by: row.get(3)?,
                    role: row.get(4)?,
                    statement: row.get(5)?,
                    fingerprint: row.get(6)?,
                    signed_at: row.get(7)?,
                    recorded_by: row.get(8)?,
                })
            })?
            .collect::<super::db::Result<_>>()?;
        let mut current: std::collections::HashMap<(String, String), Option<String>> =
            std::collections::HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for (index, row) in rows.iter().enumerate() {
            let subject = SignoffSubject::from_stored(&row.kind, &row.key).ok_or_else(|| {
                super::StoreError::Corrupt(format!(
                    "sign-off {} subject kind '{}'",
                    row.id, row.kind
                ))
            })?;
            let identity = (row.kind.clone(), row.key.clone());
            let now = match current.get(&identity) {
                Some(known) => known.clone(),
                None => {
                    // A control that no longer exists cannot match: the sign-off is stale.
                    let computed = self.subject_fingerprint(project, &subject).ok();
                    current.insert(identity, computed.clone());
                    computed
                }
            };
            let superseded = rows[index + 1..]
                .iter()
                .any(|later| later.kind == row.kind && later.key == row.key);
            out.push(Signoff {
                id: row.id,
                subject: subject.describe(),
                subject_kind: row.kind.clone(),
                subject_key: row.key.clone(),
                by: row.by.clone(),
                role: row.role.clone(),
                statement: row.statement.clone(),
                signed_at: row.signed_at,
                recorded_by: row.recorded_by.clone(),
                stale: now.as_deref() != Some(row.fingerprint.as_str()),
                superseded,
            });
        }
        Ok(out)
    }
}

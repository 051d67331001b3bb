//! Attachment rows: the documents a project's plan attaches (policies, procedures, plans,
//! guides, diagrams, the FedRAMP logo), each naming a vault file, added with one activity row
//! per command and removed as a tombstone.

use super::db::{OptionalExtension, Row, params};
use super::write::{Change, Logged};
use super::{Result, Store, StoreError};
use crate::model::{Action, Attachment, AttachmentKind, RuleError};

/// What is recorded when a document is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    /// What it is.
    pub kind: AttachmentKind,
    /// The controls it answers (policies and procedures), by id.
    pub controls: Vec<String>,
    /// Its title; blank takes the file's name.
    pub title: String,
    /// The file's name when attached.
    pub file_name: String,
    /// Bytes.
    pub size_bytes: u64,
    /// Media type.
    pub media_type: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

const COLUMNS: &str = "a.id, a.kind, c.control_id, a.title, a.file_name, a.size_bytes,
    a.media_type, a.sha256, a.added_by, a.added_at, a.removed_at, a.removed_reason";

fn attachment_from_row(row: &Row<'_>) -> super::db::Result<Attachment> {
    let kind: String = row.get(1)?;
    Ok(Attachment {
        id: row.get(0)?,
        kind: kind.parse().map_err(|e: String| {
            super::db::Error::FromSqlConversionFailure(1, super::db::Type::Text, e.into())
        })?,
        control: row.get(2)?,
        title: row.get(3)?,
        file_name: row.get(4)?,
        size_bytes: row.get::<_, i64>(5)?.max(0) as u64,
        media_type: row.get(6)?,
        sha256: row.get(7)?,
        added_by: row.get(8)?,
        added_at: row.get(9)?,
        removed_at: row.get(10)?,
        removed_reason: row.get(11)?,
    })
}

impl Store {
    /// Checks, before any file is read, that a document of `kind` can be attached for these
    /// controls: a policy or procedure names at least one current control, anything else
    /// none. Returns the controls' ids as the board writes them.
    pub fn check_attachment_target(
        &self,
        project: i64,
        kind: AttachmentKind,
        controls: &[String],
    ) -> Result<Vec<String>> {
        self.project(project)?;
        let controls: Vec<&str> = controls
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        if kind.is_for_controls() && controls.is_empty() {
            return Err(RuleError::Attachment(format!(
                "a {} answers controls: name each with --control, such as --control AC-1",
                kind.as_str()
            ))
            .into());
        }
        if !kind.is_for_controls() && !controls.is_empty() {
            return Err(RuleError::Attachment(format!(
                "a {} belongs to the whole system, not to a control: leave out --control",
                kind.label().to_lowercase()
            ))
            .into());
        }
        let mut ids: Vec<String> = Vec::new();
        for id in controls {
            let control = self.control(project, id)?;
            if control.retired {
                return Err(StoreError::RetiredControl(control.id));
            }
            if !ids.contains(&control.id) {
                ids.push(control.id);
            }
        }
        Ok(ids)
    }

    /// Records a document whose file is staged in the vault: one row, or one per control for
    /// a policy or procedure, with one activity row.
    pub fn add_attachment(&mut self, project: i64, new: &NewAttachment) -> Result<Vec<Attachment>> {
        let file_name = new.file_name.trim();
        if file_name.is_empty() {
            return Err(RuleError::Blank("file name").into());
        }
        let title = match new.title.trim() {
            "" => file_name.to_string(),
            title if title.chars().any(char::is_control) => {
                return Err(
                    RuleError::Attachment("the title holds a control character".into()).into(),
                );
            }
            title => title.to_string(),
        };
        let ids = self.write(|tx| {
            let controls = tx
                .store
                .check_attachment_target(project, new.kind, &new.controls)?;
            let mut keys: Vec<Option<i64>> = Vec::new();
            for id in &controls {
                keys.push(Some(tx.store.control(project, id)?.key));
            }
            if keys.is_empty() {
                keys.push(None);
            }
            let mut ids = Vec::with_capacity(keys.len());
            for key in keys {
                tx.execute(
                    "INSERT INTO attachments (project_id, kind, control_key, title, file_name,
                         size_bytes, media_type, sha256, added_by, added_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        project,
                        new.kind.as_str(),
                        key,
                        title,
                        file_name,
                        i64::try_from(new.size_bytes).unwrap_or(i64::MAX),
                        new.media_type,
                        new.sha256,
                        tx.actor,
                        tx.at
                    ],
                )?;
                ids.push(tx.last_insert_rowid()?);
            }
            let action = Action::AttachmentAdd {
                kind: new.kind,
                title: title.clone(),
                file_name: file_name.to_string(),
                sha256: new.sha256.clone(),
                controls: controls.clone(),
                ids: ids.clone(),
            };
            let subject = controls.first().cloned().unwrap_or_default();
            Ok(Change::Made(
                ids,
                Logged::new(Some(project), subject, action),
            ))
        })?;
        ids.into_iter()
            .map(|id| self.attachment(project, id))
            .collect()
    }

    /// One attachment of a project.
    pub fn attachment(&self, project: i64, id: i64) -> Result<Attachment> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM attachments a LEFT JOIN controls c ON c.id = a.control_key
                 WHERE a.project_id = ?1 AND a.id = ?2"
            ))?
            .query_row(params![project, id], attachment_from_row)
            .optional()?
            .ok_or(StoreError::UnknownAttachment(id))
    }

    /// A project's attachments, removed included, oldest first.
    pub fn attachments(&self, project: i64) -> Result<Vec<Attachment>> {
        self.project(project)?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM attachments a LEFT JOIN controls c ON c.id = a.control_key
             WHERE a.project_id = ?1 ORDER BY a.id"
        ))?;
        let rows = stmt.query_map([project], attachment_from_row)?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// Removes an attachment: the row stays as a tombstone with the reason, and the file
    /// stays in the vault.
    pub fn remove_attachment(&mut self, project: i64, id: i64, reason: &str) -> Result<Attachment> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(RuleError::Blank("reason for removing the attachment").into());
        }
        self.write(|tx| {
            let attachment = tx.store.attachment(project, id)?;
            if attachment.removed_at.is_some() {
                return Err(StoreError::AttachmentRemoved(id));
            }
            tx.execute(
                "UPDATE attachments SET removed_at = ?1, removed_by = ?2, removed_reason = ?3
                 WHERE id = ?4 AND removed_at IS NULL",
                params![tx.at, tx.actor, reason, id],
            )?;
            let action = Action::AttachmentRemove {
                id,
                kind: attachment.kind,
                file_name: attachment.file_name.clone(),
                reason: reason.to_string(),
            };
            let subject = attachment.control.clone().unwrap_or_default();
            Ok(Change::Made(
                (),
                Logged::new(Some(project), subject, action),
            ))
        })?;
        self.attachment(project, id)
    }
}

//! Evidence rows: attaching a vault file to a control, tombstoning it, and listing.
//!
//! The file itself is the vault's business; this module records which control it proves,
//! what it is about and who attached it, in the same transaction as its activity row.

use std::collections::HashSet;

use super::db::{OptionalExtension, Row, params};
use chrono::{DateTime, NaiveDate, Utc};

use super::write::{Change, Logged};
use super::{Result, Store, StoreError};
use crate::model::{Action, Control, Evidence, PurgedFile, RuleError, check_evidence_dates};

/// What is recorded when a file is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    /// The file's name when attached.
    pub file_name: String,
    /// Bytes.
    pub size_bytes: u64,
    /// Media type.
    pub media_type: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// What it shows.
    pub description: String,
    /// The date it is about.
    pub collected_on: NaiveDate,
    /// The last day it counts.
    pub valid_until: Option<NaiveDate>,
}

const EVIDENCE_COLUMNS: &str = "e.id, c.control_id, e.file_name, e.size_bytes, e.media_type, e.sha256,
    e.description, e.collected_on, e.valid_until, e.added_by, e.added_at, e.removed_at, e.removed_by,
    e.removed_reason";

fn evidence_from_row(row: &Row<'_>) -> super::db::Result<Evidence> {
    let date = |index: usize, text: String| {
        text.parse::<NaiveDate>().map_err(|_| {
            super::db::Error::FromSqlConversionFailure(
                index,
                super::db::Type::Text,
                format!("date '{text}'").into(),
            )
        })
    };
    let removed_at: Option<DateTime<Utc>> = row.get(11)?;
    Ok(Evidence {
        id: row.get(0)?,
        control: row.get(1)?,
        file_name: row.get(2)?,
        size_bytes: row.get::<_, i64>(3)?.max(0) as u64,
        media_type: row.get(4)?,
        sha256: row.get(5)?,
        description: row.get(6)?,
        collected_on: date(7, row.get(7)?)?,
        valid_until: row
            .get::<_, Option<String>>(8)?
            .map(|t| date(8, t))
            .transpose()?,
        added_by: row.get(9)?,
        added_at: row.get(10)?,
        removed: removed_at.is_some(),
        removed_at,
        removed_by: row.get(12)?,
        removed_reason: row.get(13)?,
    })
}

impl Store {
    /// Checks that evidence can be attached to this control with these dates, before any
    /// file is read.
    pub fn check_evidence_target(
        &self,
        project: i64,
        control_id: &str,
        collected_on: NaiveDate,
        valid_until: Option<NaiveDate>,
    ) -> Result<Control> {
        let control = self.control(project, control_id)?;
        if control.retired {
            return Err(StoreError::RetiredControl(control.id));
        }
        check_evidence_dates(collected_on, valid_until)?;
        Ok(control)
    }

    /// Records evidence whose file is staged in the vault.
    pub fn add_evidence(
        &mut self,
        project: i64,
        control_id: &str,
        new: &NewEvidence,
    ) -> Result<Evidence> {
        let file_name = new.file_name.trim();
        if file_name.is_empty() {
            return Err(RuleError::Blank("file name").into());
        }
        let id = self.write(|tx| {
            let control = tx.store.check_evidence_target(
                project,
                control_id,
                new.collected_on,
                new.valid_until,
            )?;
            tx.execute(
                "INSERT INTO evidence (project_id, control_key, file_name, size_bytes,
                 media_type, sha256,
                    description, collected_on, valid_until, added_by, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    project,
                    control.key,
                    file_name,
                    i64::try_from(new.size_bytes).unwrap_or(i64::MAX),
                    new.media_type,
                    new.sha256,
                    new.description.trim(),
                    new.collected_on.to_string(),
                    new.valid_until.map(|d| d.to_string()),
                    tx.actor,
                    tx.at
                ],
            )?;
            let id = tx.last_insert_rowid()?;
            let action = Action::EvidenceAdd {
                evidence_id: id,
                file_name: file_name.to_string(),
                sha256: new.sha256.clone(),
                size_bytes: new.size_bytes,
                collected_on: new.collected_on,
                valid_until: new.valid_until,
            };
            Ok(Change::Made(
                id,
                Logged::new(Some(project), control.id, action),
            ))
        })?;
        self.evidence_by_id(project, id)
    }

    /// Removes evidence from its control: the row stays as a tombstone with the reason,
    /// and the file stays in the vault.
    pub fn remove_evidence(
        &mut self,
        project: i64,
        evidence_id: i64,
        reason: &str,
    ) -> Result<Evidence> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(RuleError::Blank("reason for removing evidence").into());
        }
        self.write(|tx| {
            // Checked inside the write transaction: of two removals at once, the second sees
            // the first's tombstone and is refused.
            let evidence = tx.store.evidence_by_id(project, evidence_id)?;
            if evidence.removed {
                return Err(StoreError::AlreadyRemoved(evidence_id));
            }
            tx.execute(
                "UPDATE evidence SET removed_at = ?1, removed_by = ?2, removed_reason = ?3
             WHERE id = ?4 AND removed_at IS NULL",
                params![tx.at, tx.actor, reason, evidence_id],
            )?;
            let action = Action::EvidenceRemove {
                evidence_id,
                file_name: evidence.file_name,
                sha256: evidence.sha256,
                reason: reason.to_string(),
            };
            Ok(Change::Made(
                (),
                Logged::new(Some(project), evidence.control, action),
            ))
        })?;
        self.evidence_by_id(project, evidence_id)
    }

    /// One piece of evidence of a project.
    pub fn evidence_by_id(&self, project: i64, evidence_id: i64) -> Result<Evidence> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {EVIDENCE_COLUMNS} FROM evidence e JOIN controls c ON c.id = e.control_key
                 WHERE e.project_id = ?1 AND e.id = ?2"
            ))?
            .query_row(params![project, evidence_id], evidence_from_row)
            .optional()?
            .ok_or(StoreError::UnknownEvidence(evidence_id))
    }

    /// A project's evidence, removed included, oldest first; only one control's when given.
    pub fn evidence(&self, project: i64, control_id: Option<&str>) -> Result<Vec<Evidence>> {
        let control_key = match control_id {
            Some(id) => Some(self.control(project, id)?.key),
            None => None,
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence e JOIN controls c ON c.id = e.control_key
             WHERE e.project_id = ?1 AND (CAST(?2 AS BIGINT) IS NULL OR e.control_key = ?2) ORDER BY e.id"
        ))?;
        let rows = stmt.query_map(params![project, control_key], evidence_from_row)?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// Every current (not removed) piece of evidence in the workspace, with its project's
    /// name: what `verify` re-hashes.
    pub fn all_current_evidence(&self) -> Result<Vec<(String, Evidence)>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {EVIDENCE_COLUMNS}, p.name FROM evidence e JOIN controls c ON c.id = e.control_key
             JOIN projects p ON p.id = e.project_id WHERE e.removed_at IS NULL ORDER BY e.id"
        ))?;
        let rows = stmt.query_map([], |row| {
            Ok((row.get::<_, String>(14)?, evidence_from_row(row)?))
        })?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// Hashes that any row names (evidence, removed included; patch evidence; training
    /// certificates; AWS reports and bridge letters, removed included; files of requests;
    /// attachments, removed included; findings imports and deviation evidence): recovery keeps
    /// these.
    pub fn recorded_hashes(&self) -> Result<HashSet<String>> {
        self.hash_set(
            "SELECT sha256 FROM evidence
             UNION SELECT evidence_sha256 FROM patches WHERE evidence_sha256 IS NOT NULL
             UNION SELECT certificate_sha256 FROM training WHERE certificate_sha256 IS NOT NULL
             UNION SELECT sha256 FROM aws_reports
             UNION SELECT bridge_sha256 FROM aws_reports WHERE bridge_sha256 IS NOT NULL
             UNION SELECT sha256 FROM request_files
             UNION SELECT sha256 FROM attachments
             UNION SELECT sha256 FROM finding_imports
             UNION SELECT evidence_sha256 FROM finding_deviations WHERE evidence_sha256 IS NOT NULL",
        )
    }

    /// Hashes that current records use (evidence not removed, patch evidence, training
    /// certificates, AWS reports not removed and their bridge letters, files of requests,
    /// attachments not removed, findings imports and deviation evidence): a purge keeps these.
    pub fn current_hashes(&self) -> Result<HashSet<String>> {
        self.hash_set(
            "SELECT sha256 FROM evidence WHERE removed_at IS NULL
             UNION SELECT evidence_sha256 FROM patches WHERE evidence_sha256 IS NOT NULL
             UNION SELECT certificate_sha256 FROM training WHERE certificate_sha256 IS NOT NULL
             UNION SELECT sha256 FROM aws_reports WHERE removed_at IS NULL
             UNION SELECT bridge_sha256 FROM aws_reports
                   WHERE removed_at IS NULL AND bridge_sha256 IS NOT NULL
             UNION SELECT sha256 FROM request_files
             UNION SELECT sha256 FROM attachments WHERE removed_at IS NULL
             UNION SELECT sha256 FROM finding_imports
             UNION SELECT evidence_sha256 FROM finding_deviations WHERE evidence_sha256 IS NOT NULL",
        )
    }

    fn hash_set(&self, sql: &str) -> Result<HashSet<String>> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// Files that patch records, training records, current AWS reports, requests and current
    /// attachments keep in the vault, each with what it belongs to (for `verify`): description,
    /// SHA-256, file name.
    pub fn attestation_files(&self) -> Result<Vec<(String, String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT 'patch ' || p.advisory || ' on ' || a.name || ' in project ' || pr.name,
                    p.evidence_sha256, coalesce(p.evidence_name, '')
             FROM patches p JOIN assets a ON a.id = p.asset_id JOIN projects pr ON pr.id = p.project_id
             WHERE p.evidence_sha256 IS NOT NULL
             UNION ALL
             SELECT 'training certificate of ' || pe.email || ' for ' || c.name,
                    t.certificate_sha256, coalesce(t.certificate_name, '')
             FROM training t JOIN people pe ON pe.id = t.person_id JOIN courses c ON c.id = t.course_id
             WHERE t.certificate_sha256 IS NOT NULL
             UNION ALL
             SELECT 'AWS report ' || r.id || ' ' || r.title, r.sha256, r.file_name
             FROM aws_reports r WHERE r.removed_at IS NULL
             UNION ALL
             SELECT 'bridge letter of AWS report ' || r.id || ' ' || r.title, r.bridge_sha256,
                    coalesce(r.bridge_name, '')
             FROM aws_reports r WHERE r.removed_at IS NULL AND r.bridge_sha256 IS NOT NULL
             UNION ALL
             SELECT 'file of request ' || q.request_id || ' in project ' || pr.name, f.sha256,
                    f.file_name
             FROM request_files f JOIN requests q ON q.id = f.request_key
             JOIN projects pr ON pr.id = q.project_id
             UNION ALL
             SELECT a.kind || ' attachment ' || a.id || ' in project ' || pr.name, a.sha256,
                    a.file_name
             FROM attachments a JOIN projects pr ON pr.id = a.project_id
             WHERE a.removed_at IS NULL",
        )?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// Records a purge of vault files that no current evidence uses. Called before the
    /// files are deleted, so the log never misses a deletion.
    pub fn record_purge(&mut self, purged: &[(String, u64)]) -> Result<()> {
        let action = Action::VaultPurge {
            files: purged
                .iter()
                .map(|(sha256, size_bytes)| PurgedFile {
                    sha256: sha256.clone(),
                    size_bytes: *size_bytes,
                })
                .collect(),
            bytes: purged.iter().map(|(_, size)| size).sum(),
        };
        self.write(|_| Ok(Change::Made((), Logged::new(None, "", action))))
    }
}

//! Assets, patch attestations and patch deadlines of a project.
//!
//! An asset is something that gets patched (an instance, an image, a database) and who
//! patches it. A patch record says that an advisory concerning an asset was released on
//! a day and, once applied, on which day, attested by the workspace user, optionally with
//! an evidence file in the vault. Deadlines are days after release by severity: the
//! defaults of [`Severity::default_deadline_days`] unless the project sets its own.
//!
//! Deadlines, states and days-to-patch are computed when records are read, as of a date,
//! so nothing stored goes stale when a project changes its deadlines or a day passes.
//!
//! An advisory is recorded once per asset. Recording it again is refused, except for the
//! one change a patch goes through: an open record that is now applied (same severity,
//! same release) gets its application date. A CSV import follows the same rule row by
//! row; it checks every row, stores the good ones in one transaction with one activity
//! row, and returns the refused ones by line, so importing the same export twice doubles
//! nothing.

use std::collections::HashMap;
use std::path::Path;

use super::db::{Connection, OptionalExtension, Row, params};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::import_change::import_change;
use super::write::{Change, Logged};
use super::{Result, Store, StoreError};
pub use crate::import::patches::{PATCH_CSV_OPTIONAL, PATCH_CSV_REQUIRED};
use crate::import::patches::{PatchRow, read_patches};
use crate::import::{ImportReport, RowProblem};
pub use crate::model::PatchDeadlines;
use crate::model::{
    Action, AssetKind, DeadlineChange, InventoryChange, InventoryFact, InventoryFacts, ManagedBy,
    PatchDetail, PatchState, RuleError, Severity, check_patch_dates, hex,
};

/// The longest deadline a project may set: ten years after release.
pub const MAX_DEADLINE_DAYS: u32 = 3650;

/// The activity-log subject of changes to a project's patches as a whole (imports and
/// deadlines).
const PATCHES_SUBJECT: &str = "patches";

/// Something that gets patched, with how many patch records it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Asset {
    /// Name, unique in the project regardless of case.
    pub name: String,
    /// What it is.
    pub kind: AssetKind,
    /// Where it runs (`production`, `staging`, …); may be empty.
    pub environment: String,
    /// Who patches it.
    pub managed_by: ManagedBy,
    /// Patch records of the asset.
    pub patches: u32,
    /// Patch records not applied yet.
    pub unapplied: u32,
    /// What the inventory states of it.
    pub inventory: InventoryFacts,
}

/// What a user gives to add an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAsset {
    /// Name, unique in the project regardless of case.
    pub name: String,
    /// What it is.
    pub kind: AssetKind,
    /// Where it runs; may be empty.
    pub environment: String,
    /// Who patches it.
    pub managed_by: ManagedBy,
}

/// An evidence file for a patch record, already staged in the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchEvidence {
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// The file's name when attached.
    pub file_name: String,
}

/// What a user gives to record a patch attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPatch {
    /// The asset's name (any case).
    pub asset: String,
    /// The advisory's id: a CVE, ALAS or KB number.
    pub advisory: String,
    /// How urgent it is.
    pub severity: Severity,
    /// When the advisory was released.
    pub released_on: NaiveDate,
    /// When the patch was applied; none while open.
    pub applied_on: Option<NaiveDate>,
    /// A file proving it, staged in the vault.
    pub evidence: Option<PatchEvidence>,
}

/// What recording a patch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PatchChange {
    /// A new record.
    Added,
    /// An open record got its application date.
    Applied,
}

/// A patch record as of a date, with its deadline and state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatchRecord {
    /// The asset's name.
    pub asset: String,
    /// The advisory's id as first recorded.
    pub advisory: String,
    /// How urgent it is.
    pub severity: Severity,
    /// When the advisory was released.
    pub released_on: NaiveDate,
    /// When the patch was applied; none while open.
    pub applied_on: Option<NaiveDate>,
    /// The last day it is on time, under the project's deadlines.
    pub deadline: NaiveDate,
    /// Days from release to application, for applied patches.
    pub days_to_patch: Option<i64>,
    /// Where it stands on the date asked for.
    pub state: PatchState,
    /// Who attested it: the workspace user when it was recorded or applied.
    pub attested_by: String,
    /// SHA-256 of its evidence file in the vault.
    pub evidence_sha256: Option<String>,
    /// The evidence file's name when attached.
    pub evidence_name: Option<String>,
    /// When it was first recorded; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    pub recorded_at: DateTime<Utc>,
}

/// What a patch CSV import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PatchImport {
    /// Rows read, stored and refused; `imported` counts new and applied records.
    #[serde(flatten)]
    pub report: ImportReport,
    /// Of the imported rows, those that applied an open record rather than adding one.
    pub applied: usize,
}

impl AsRef<ImportReport> for PatchImport {
    fn as_ref(&self) -> &ImportReport {
        &self.report
    }
}

/// How a request to record a patch will be carried out.
enum Plan {
    Add { asset_id: i64, asset: String },
    Apply { patch_id: i64, asset: String },
}

fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

fn date_from(index: usize, text: &str) -> super::db::Result<NaiveDate> {
    text.parse::<NaiveDate>().map_err(|_| {
        super::db::Error::FromSqlConversionFailure(
            index,
            super::db::Type::Text,
            format!("date '{text}'").into(),
        )
    })
}

fn parsed<T: std::str::FromStr>(index: usize, text: &str) -> super::db::Result<T> {
    text.parse::<T>().map_err(|_| {
        super::db::Error::FromSqlConversionFailure(
            index,
            super::db::Type::Text,
            format!("value '{text}'").into(),
        )
    })
}

const PATCH_COLUMNS: &str = "a.name, p.advisory, p.severity, p.released_on, p.applied_on,
    p.attested_by, p.evidence_sha256, p.evidence_name, p.recorded_at";

/// A patch row as stored, before deadlines and a date give it a state.
struct StoredPatch {
    asset: String,
    advisory: String,
    severity: Severity,
    released_on: NaiveDate,
    applied_on: Option<NaiveDate>,
    attested_by: String,
    evidence_sha256: Option<String>,
    evidence_name: Option<String>,
    recorded_at: DateTime<Utc>,
}

fn stored_from_row(row: &Row<'_>) -> super::db::Result<StoredPatch> {
    Ok(StoredPatch {
        asset: row.get(0)?,
        advisory: row.get(1)?,
        severity: parsed(2, &row.get::<_, String>(2)?)?,
        released_on: date_from(3, &row.get::<_, String>(3)?)?,
        applied_on: row
            .get::<_, Option<String>>(4)?
            .map(|text| date_from(4, &text))
            .transpose()?,
        attested_by: row.get(5)?,
        evidence_sha256: row.get(6)?,
        evidence_name: row.get(7)?,
        recorded_at: row.get(8)?,
    })
}

impl StoredPatch {
    fn judged(self, deadlines: &PatchDeadlines, as_of: NaiveDate) -> PatchRecord {
        let judged = deadlines.judge(self.severity, self.released_on, self.applied_on, as_of);
        PatchRecord {
            deadline: judged.deadline,
            days_to_patch: judged.days_to_patch,
            state: judged.state,
            asset: self.asset,
            advisory: self.advisory,
            severity: self.severity,
            released_on: self.released_on,
            applied_on: self.applied_on,
            attested_by: self.attested_by,
            evidence_sha256: self.evidence_sha256,
            evidence_name: self.evidence_name,
            recorded_at: self.recorded_at,
        }
    }
}

fn load_deadlines(conn: &Connection, project: i64) -> Result<PatchDeadlines> {
    let mut stmt =
        conn.prepare_cached("SELECT severity, days FROM patch_deadlines WHERE project_id = ?1")?;
    let rows = stmt.query_map([project], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
    })?;
    let mut deadlines = PatchDeadlines::default();
    for row in rows {
        let (severity, days) = row?;
        let severity: Severity = severity
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("patch deadline severity '{severity}'")))?;
        let days = u32::try_from(days)
            .map_err(|_| StoreError::Corrupt(format!("patch deadline of {days} days")))?;
        deadlines = deadlines.with(severity, days);
    }
    Ok(deadlines)
}

fn load_patch(conn: &Connection, patch_id: i64) -> Result<StoredPatch> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {PATCH_COLUMNS} FROM patches p JOIN assets a ON a.id = p.asset_id WHERE p.id = ?1"
        ))?
        .query_row([patch_id], stored_from_row)?)
}

/// Finds an asset of a project by name, ignoring case: its key and stored name.
fn find_asset(conn: &Connection, project: i64, name: &str) -> Result<(i64, String)> {
    conn.prepare_cached("SELECT id, name FROM assets WHERE project_id = ?1 AND name_key = ?2")?
        .query_row(params![project, name_key(name)], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?
        .ok_or_else(|| StoreError::UnknownAsset(name.trim().to_string()))
}

/// Checks a request to record a patch against the rules and what is stored, and says how
/// it will be carried out.
fn plan_patch(conn: &Connection, project: i64, new: &NewPatch) -> Result<Plan> {
    let (asset_id, asset) = find_asset(conn, project, &new.asset)?;
    let advisory = new.advisory.trim();
    if advisory.is_empty() {
        return Err(RuleError::Blank("advisory").into());
    }
    check_patch_dates(new.released_on, new.applied_on)?;
    let existing: Option<(i64, String, String, String, Option<String>)> = conn
        .prepare_cached(
            "SELECT id, advisory, severity, released_on, applied_on FROM patches
             WHERE asset_id = ?1 AND advisory_key = ?2",
        )?
        .query_row(params![asset_id, name_key(advisory)], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })
        .optional()?;
    let Some((patch_id, stored_advisory, severity, released_on, applied_on)) = existing else {
        return Ok(Plan::Add { asset_id, asset });
    };
    let applies_open_record = applied_on.is_none()
        && new.applied_on.is_some()
        && severity == new.severity.as_str()
        && released_on == new.released_on.to_string();
    if applies_open_record {
        Ok(Plan::Apply { patch_id, asset })
    } else {
        Err(StoreError::DuplicatePatch {
            asset,
            advisory: stored_advisory,
        })
    }
}

/// Carries out a planned patch change inside a transaction, without its activity row.
/// Returns the record's key, the stored asset name and what the activity row says.
fn write_patch(
    conn: &Connection,
    project: i64,
    plan: Plan,
    new: &NewPatch,
    (actor, at): (&str, &str),
) -> Result<(i64, String, Action)> {
    let advisory = new.advisory.trim();
    let evidence_sha256 = new.evidence.as_ref().map(|e| e.sha256.as_str());
    let evidence_name = new.evidence.as_ref().map(|e| e.file_name.as_str());
    let applied_on = new.applied_on.map(|d| d.to_string());
    match plan {
        Plan::Add { asset_id, asset } => {
            conn.prepare_cached(
                "INSERT INTO patches (project_id, asset_id, advisory, advisory_key, severity,
                    released_on, applied_on, attested_by, evidence_sha256, evidence_name, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                project,
                asset_id,
                advisory,
                name_key(advisory),
                new.severity.as_str(),
                new.released_on.to_string(),
                applied_on,
                actor,
                evidence_sha256,
                evidence_name,
                at
            ])?;
            let action = Action::PatchRecord(PatchDetail {
                advisory: advisory.to_string(),
                severity: new.severity,
                released_on: new.released_on,
                applied_on: new.applied_on,
                evidence_sha256: evidence_sha256.map(str::to_string),
                evidence_name: evidence_name.map(str::to_string),
            });
            Ok((conn.last_insert_rowid()?, asset, action))
        }
        Plan::Apply { patch_id, asset } => {
            // Evidence given with the application replaces any the open record had: it
            // is what shows the patch in place.
            conn.prepare_cached(
                "UPDATE patches SET applied_on = ?1, attested_by = ?2,
                    evidence_sha256 = coalesce(?3, evidence_sha256),
                    evidence_name = coalesce(?4, evidence_name)
                 WHERE id = ?5",
            )?
            .execute(params![
                applied_on,
                actor,
                evidence_sha256,
                evidence_name,
                patch_id
            ])?;
            let stored = load_patch(conn, patch_id)?;
            let action = Action::PatchApply(PatchDetail {
                advisory: stored.advisory,
                severity: stored.severity,
                released_on: stored.released_on,
                applied_on: new.applied_on,
                evidence_sha256: evidence_sha256.map(str::to_string),
                evidence_name: evidence_name.map(str::to_string),
            });
            Ok((patch_id, asset, action))
        }
    }
}

/// The first and last-plus-one day of the month holding `day`.
fn month_bounds(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap_or(day);
    let next = first
        .checked_add_months(Months::new(1))
        .unwrap_or(NaiveDate::MAX);
    (first, next)
}

impl Store {
    /// Adds an asset to a project.
    pub fn add_asset(&mut self, project: i64, new: &NewAsset) -> Result<Asset> {
        let name = new.name.trim();
        if name.is_empty() {
            return Err(RuleError::Blank("asset name").into());
        }
        let environment = new.environment.trim();
        self.write(|tx| {
            tx.store.project(project)?;
            let taken: Option<String> = tx
                .query_row(
                    "SELECT name FROM assets WHERE project_id = ?1 AND name_key = ?2",
                    params![project, name_key(name)],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(taken) = taken {
                return Err(StoreError::DuplicateAsset(taken));
        }
        tx.execute(
            "INSERT INTO assets (project_id, name, name_key, kind, environment, managed_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                project,
                name,
                name_key(name),
                new.kind.as_str(),
                environment,
                new.managed_by.as_str(),
                tx.at
            ],
        )?;
        let action = Action::AssetAdd {
            name: name.to_string(),
            kind: new.kind.as_str().to_string(),
            environment: environment.to_string(),
            managed_by: new.managed_by.as_str().to_string(),
        };
        Ok(Change::Made((), Logged::new(Some(project), name, action)))
        })?;
        Ok(Asset {
            name: name.to_string(),
            kind: new.kind,
            environment: environment.to_string(),
            managed_by: new.managed_by,
            patches: 0,
            unapplied: 0,
            inventory: InventoryFacts::default(),
        })
    }

    /// A project's assets by name, with counts of their patch records.
    pub fn assets(&self, project: i64) -> Result<Vec<Asset>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.name, a.kind, a.environment, a.managed_by, count(p.id), count(p.id) - count(p.applied_on),
                    a.inventory
             FROM assets a LEFT JOIN patches p ON p.asset_id = a.id
             WHERE a.project_id = ?1 GROUP BY a.id ORDER BY a.name_key",
        )?;
        let rows = stmt.query_map([project], |row| {
            Ok(Asset {
                name: row.get(0)?,
                kind: parsed(1, &row.get::<_, String>(1)?)?,
                environment: row.get(2)?,
                managed_by: parsed(3, &row.get::<_, String>(3)?)?,
                patches: row.get(4)?,
                unapplied: row.get(5)?,
                inventory: serde_json::from_str(&row.get::<_, String>(6)?).map_err(|e| {
                    super::db::Error::FromSqlConversionFailure(
                        6,
                        super::db::Type::Text,
                        format!("inventory: {e}").into(),
                    )
                })?,
            })
        })?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// Gives or changes inventory facts of a project's asset (by name, ignoring case): each
    /// `(fact, value)` as typed, an empty value clearing it. A value outside a fact's set is
    /// refused before anything is written; giving the values it has logs nothing.
    pub fn set_asset_inventory(
        &mut self,
        project: i64,
        asset: &str,
        given: &[(InventoryFact, String)],
    ) -> Result<Asset> {
        let mut checked = Vec::with_capacity(given.len());
        for (fact, value) in given {
            checked.push((*fact, fact.check(value).map_err(RuleError::Inventory)?));
        }
        let name = self.write(|tx| {
            let (key, name) = find_asset(tx, project, asset)?;
            let before: InventoryFacts = tx
                .store
                .assets(project)?
                .into_iter()
                .find(|a| a.name == name)
                .map(|a| a.inventory)
                .unwrap_or_default();
            let mut after = before.clone();
            let mut changes: Vec<InventoryChange> = Vec::new();
            for (fact, value) in &checked {
                let from = before.get(*fact).map(str::to_string);
                if from != *value && !changes.iter().any(|c| c.fact == *fact) {
                    changes.push(InventoryChange {
                        fact: *fact,
                        from,
                        to: value.clone(),
                    });
                }
                after.set(*fact, value.clone());
            }
            if after == before {
                return Ok(Change::Unchanged(name));
            }
            let text =
                serde_json::to_string(&after).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            tx.execute(
                "UPDATE assets SET inventory = ?1 WHERE id = ?2",
                params![text, key],
            )?;
            let action = Action::AssetInventory {
                asset: name.clone(),
                changes,
            };
            Ok(Change::Made(
                name.clone(),
                Logged::new(Some(project), &name, action),
            ))
        })?;
        self.assets(project)?
            .into_iter()
            .find(|a| a.name == name)
            .ok_or(StoreError::UnknownAsset(name))
    }

    /// A project's patch deadlines: its own where set, the defaults elsewhere.
    pub fn patch_deadlines(&self, project: i64) -> Result<PatchDeadlines> {
        load_deadlines(&self.conn, project)
    }

    /// Sets some of a project's patch deadlines, each 1 to [`MAX_DEADLINE_DAYS`] days
    /// after release. Returns the deadlines now in force; when none changes, nothing is
    /// written.
    pub fn set_patch_deadlines(
        &mut self,
        project: i64,
        changes: &[(Severity, u32)],
    ) -> Result<PatchDeadlines> {
        if let Some(&(severity, days)) = changes
            .iter()
            .find(|(_, days)| !(1..=MAX_DEADLINE_DAYS).contains(days))
        {
            return Err(StoreError::BadPatchDeadline { severity, days });
        }
        self.write(|tx| {
            tx.store.project(project)?;
            let before = load_deadlines(tx, project)?;
            let after = changes.iter().fold(before, |deadlines, &(severity, days)| {
                deadlines.with(severity, days)
            });
            if after == before {
                return Ok(Change::Unchanged(before));
            }
            let mut changed = Vec::new();
            for severity in Severity::ALL {
                let (from, to) = (before.days(severity), after.days(severity));
                if from == to {
                    continue;
                }
                tx.prepare_cached(
                    "INSERT INTO patch_deadlines (project_id, severity, days) VALUES (?1, ?2, ?3)
                 ON CONFLICT (project_id, severity) DO UPDATE SET days = excluded.days",
                )?
                .execute(params![project, severity.as_str(), to])?;
                changed.push(DeadlineChange { severity, from, to });
            }
            let action = Action::PatchDeadlines { changes: changed };
            Ok(Change::Made(
                after,
                Logged::new(Some(project), PATCHES_SUBJECT, action),
            ))
        })
    }

    /// A project's patch records as of a date, by asset, release and advisory.
    pub fn patch_records(&self, project: i64, as_of: NaiveDate) -> Result<Vec<PatchRecord>> {
        let deadlines = load_deadlines(&self.conn, project)?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PATCH_COLUMNS} FROM patches p JOIN assets a ON a.id = p.asset_id
             WHERE p.project_id = ?1 ORDER BY a.name_key, p.released_on, p.advisory_key"
        ))?;
        let rows = stmt.query_map([project], stored_from_row)?;
        rows.map(|row| Ok(row?.judged(&deadlines, as_of))).collect()
    }

    /// Checks a request to record a patch without writing anything, so a wrong asset,
    /// date or duplicate is refused before an evidence file is read. Says whether it would
    /// add a record or apply an open one.
    pub fn check_patch(&self, project: i64, new: &NewPatch) -> Result<PatchChange> {
        Ok(match plan_patch(&self.conn, project, new)? {
            Plan::Add { .. } => PatchChange::Added,
            Plan::Apply { .. } => PatchChange::Applied,
        })
    }

    /// Records a patch attestation attested by the workspace user, or gives an open record
    /// of the same advisory (same severity and release) its application date. Any other
    /// repeat of an advisory on an asset is refused. Returns the record as of today.
    pub fn record_patch(
        &mut self,
        project: i64,
        new: &NewPatch,
    ) -> Result<(PatchChange, PatchRecord)> {
        let today = self.today();
        self.write(|tx| {
            tx.store.project(project)?;
            let plan = plan_patch(tx, project, new)?;
            let change = match plan {
                Plan::Add { .. } => PatchChange::Added,
                Plan::Apply { .. } => PatchChange::Applied,
            };
            let (patch_id, asset, action) =
                write_patch(tx, project, plan, new, (&tx.actor, &tx.at))?;
            let record = load_patch(tx, patch_id)?.judged(&load_deadlines(tx, project)?, today);
            Ok(Change::Made(
                (change, record),
                Logged::new(Some(project), asset, action),
            ))
        })
    }

    /// Imports a patch tool's CSV export (columns `asset`, `advisory`, `severity`,
    /// `released_on` and optionally `applied_on`, found by name). Every row is checked as
    /// [`Store::record_patch`] checks one, and against the rows above it; the good ones are
    /// stored in one transaction with one activity row, and the refused ones returned by
    /// line. A file that cannot be used at all is refused whole and nothing is stored.
    pub fn import_patches(&mut self, project: i64, path: &Path) -> Result<PatchImport> {
        self.project(project)?;
        let file = read_patches(path)?;
        self.write(|tx| {
            let mut refused = file.table.problems.clone();
            // Rows stored by this import, by asset and advisory: a later row of the same pair
            // is a repeat, not an application of the first.
            let mut stored: HashMap<(i64, String), u64> = HashMap::new();
            let (mut added, mut applied) = (0, 0);
            for row in &file.rows {
                let (asset_id, asset, new) = match patch_from_row(tx, project, row)? {
                    Ok(found) => found,
                    Err(reason) => {
                        refused.push(RowProblem::new(row.line, reason));
                        continue;
                    }
                };
                let key = (asset_id, name_key(&new.advisory));
                if let Some(first) = stored.get(&key) {
                    refused.push(RowProblem::new(
                        row.line,
                        format!("{} for {asset} repeats line {first}", new.advisory),
                    ));
                    continue;
                }
                let plan = match plan_patch(tx, project, &new) {
                    Ok(plan) => plan,
                    Err(error @ (StoreError::Sqlite(_) | StoreError::Database(_))) => {
                        return Err(error);
                    }
                    Err(error) => {
                        refused.push(RowProblem::new(row.line, error));
                        continue;
                    }
                };
                match plan {
                    Plan::Add { .. } => added += 1,
                    Plan::Apply { .. } => applied += 1,
                }
                write_patch(tx, project, plan, &new, (&tx.actor, &tx.at))?;
                stored.insert(key, row.line);
            }
            refused.sort_by_key(|problem| problem.line);
            let report = PatchImport {
                report: ImportReport {
                    rows: file.data_rows(),
                    imported: added + applied,
                    refused,
                },
                applied,
            };
            Ok(import_change(&file.table, report, |import| {
                let action = Action::PatchImport {
                    added: added as u64,
                    applied: applied as u64,
                    import,
                };
                Logged::new(Some(project), PATCHES_SUBJECT, action)
            }))
        })
    }

    /// A fingerprint of a project's patch cycle for the month holding `month_first_day`:
    /// SHA-256 over the records released in that month (asset, advisory, severity,
    /// release, application, evidence) and the project's deadlines. It changes when any
    /// of those changes, which turns a sign-off of the cycle stale.
    pub fn patch_cycle_fingerprint(
        &self,
        project: i64,
        month_first_day: NaiveDate,
    ) -> Result<String> {
        let (first, next) = month_bounds(month_first_day);
        let deadlines = load_deadlines(&self.conn, project)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.name, p.advisory, p.severity, p.released_on, p.applied_on, p.evidence_sha256
             FROM patches p JOIN assets a ON a.id = p.asset_id
             WHERE p.project_id = ?1 AND p.released_on >= ?2 AND p.released_on < ?3
             ORDER BY a.name_key, p.advisory_key",
        )?;
        let rows = stmt.query_map(
            params![project, first.to_string(), next.to_string()],
            |row| {
                Ok(json!([
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, Option<String>>(5)?,
                ]))
            },
        )?;
        // One JSON value per line: escaping keeps any name from imitating a separator.
        let mut text = format!("lockstep patch cycle 1\n{}\n", first.format("%Y-%m"));
        text.push_str(&json!(deadlines).to_string());
        text.push('\n');
        for row in rows {
            text.push_str(&row?.to_string());
            text.push('\n');
        }
        Ok(hex(&Sha256::digest(text.as_bytes())))
    }
}

/// Turns a read row into a patch request for a known asset (its key and stored name), or
/// says why it cannot be one: the asset is unknown, or a cell could not be read. The outer
/// error is the database failing.
fn patch_from_row(
    conn: &Connection,
    project: i64,
    row: &PatchRow,
) -> Result<std::result::Result<(i64, String, NewPatch), String>> {
    let (asset_id, asset_name) = match find_asset(conn, project, &row.asset) {
        Ok(found) => found,
        Err(StoreError::UnknownAsset(name)) => {
            return Ok(Err(StoreError::UnknownAsset(name).to_string()));
        }
        Err(error) => return Err(error),
    };
    let fields = match &row.fields {
        Ok(fields) => fields.clone(),
        Err(reason) => return Ok(Err(reason.clone())),
    };
    Ok(Ok((
        asset_id,
        asset_name.clone(),
        NewPatch {
            asset: asset_name,
            advisory: fields.advisory,
            severity: fields.severity,
            released_on: fields.released_on,
            applied_on: fields.applied_on,
            evidence: None,
        },
    )))
}

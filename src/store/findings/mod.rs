//! Findings of a project from AWS's tools: importing an export, reading findings with their
//! deadlines and states, deviations, milestones, and the check results of each control.
//!
//! An import is one transaction with one activity row. Each record is matched with what is
//! stored by its source and the source's id: new ones are added, changed ones updated,
//! fixed ones closed, closed ones reported again reopened with their first detection kept.
//! An import that changes nothing is rolled back and logs nothing. With a complete export
//! (`snapshot`), open findings of the same source and accounts (or, for files that name no
//! account, resources) that the file does not list are closed as no longer reported.
//!
//! A vulnerability with a severity above informational and an advisory id is the patch
//! record of its resource (created as a customer-managed asset when new) and advisory:
//! the record is released on the earliest first detection of its findings and applied when
//! all of them are closed. The import's file is evidence of each control it touches (the
//! NIST controls its checks name; RA-5 and SI-2 for vulnerabilities), collected on the
//! file's own newest date.

mod deviations;
mod import;

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::db::{Connection, OptionalExtension, params};
use super::write::{Change, Logged, Tx};
use super::{Result, Store, StoreError};
use crate::import::findings::{FindingFile, FindingFormat, FindingRecord, RecordProblem};
use crate::model::{
    Action, AssetKind, ClosedReason, DeviationKind, DeviationState, FindingKind, FindingSeverity,
    FindingSource, FindingState, NistIndex, RuleError, finding_deadline, finding_state, hex,
};
/// The activity-log subject of findings imports.
const FINDINGS_SUBJECT: &str = "findings";

/// The NIST controls a vulnerability scan is evidence of: vulnerability monitoring and
/// flaw remediation.
const VULNERABILITY_CONTROLS: [&str; 2] = ["RA-5", "SI-2"];

/// The file of an import, already staged in the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingsFileRecord {
    /// The file's name.
    pub file_name: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// Bytes.
    pub size_bytes: u64,
    /// Media type.
    pub media_type: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FindingImport {
    /// The file's format.
    pub format: Option<FindingFormat>,
    /// Records read (good and refused).
    pub records: usize,
    /// Findings seen for the first time.
    pub new: usize,
    /// Findings that changed.
    pub updated: usize,
    /// Findings closed: fixed, or no longer reported by a complete export.
    pub closed: usize,
    /// Closed findings reported again.
    pub reopened: usize,
    /// Findings as stored already.
    pub unchanged: usize,
    /// Records refused, `record N: reason`.
    pub refused: Vec<RecordProblem>,
    /// Controls the file was filed as evidence of.
    pub evidence_controls: Vec<String>,
}

impl FindingImport {
    /// Whether the import changed anything.
    pub fn changed(&self) -> bool {
        self.new + self.updated + self.closed + self.reopened > 0
    }
}

/// A deviation request and whether a sign-off covers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deviation {
    /// What kind.
    pub kind: DeviationKind,
    /// Why.
    pub rationale: String,
    /// The severity a risk adjustment asks for.
    pub adjusted_severity: Option<FindingSeverity>,
    /// Its evidence file's SHA-256.
    pub evidence_sha256: Option<String>,
    /// Its evidence file's name.
    pub evidence_name: Option<String>,
    /// Who asked.
    pub requested_by: String,
    /// When; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    pub requested_at: DateTime<Utc>,
    /// Requested, or approved by a sign-off of the finding as it stands.
    pub state: DeviationState,
    /// Who signed it off, when approved.
    pub approved_by: Option<String>,
    /// When it was signed off, when approved; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::option")]
    pub approved_at: Option<DateTime<Utc>>,
}

/// A planned step towards closing a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    /// When it is due.
    pub due: NaiveDate,
    /// What it is.
    pub text: String,
    /// Who planned it.
    pub recorded_by: String,
    /// When; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    pub recorded_at: DateTime<Utc>,
}

/// A finding as of a date, with its deadline, state, deviation and milestones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Lockstep's id of it: `F-` and its number.
    pub id: String,
    /// Database key.
    #[serde(skip)]
    pub key: i64,
    /// The tool.
    pub source: FindingSource,
    /// The tool's id.
    pub source_id: String,
    /// A vulnerability or a check.
    pub kind: FindingKind,
    /// Its AWS account; may be empty.
    pub account: String,
    /// The tool's title.
    pub title: String,
    /// The tool's description.
    pub description: String,
    /// The severity the tool gives.
    pub severity: FindingSeverity,
    /// The severity that counts: the tool's, or an approved risk adjustment's.
    pub effective_severity: FindingSeverity,
    /// The affected resource (the asset of its patch record).
    pub resource: String,
    /// The resource's type.
    pub resource_type: String,
    /// The CVE, KB or advisory id.
    pub vulnerability: String,
    /// Affected packages.
    pub package: String,
    /// Versions that fix it.
    pub fixed_in: String,
    /// Whether a fix is available.
    pub fix_available: Option<bool>,
    /// The check's id.
    pub check: String,
    /// Whether the check passed.
    pub passed: Option<bool>,
    /// Whether the check has ever been reported failing (a passed check that once failed
    /// is a weakness fixed).
    pub has_failed: bool,
    /// NIST SP 800-53 controls it names.
    pub controls: Vec<String>,
    /// First detection (UTC).
    pub first_seen: DateTime<Utc>,
    /// Last seen or updated (UTC).
    pub last_seen: DateTime<Utc>,
    /// When it was closed.
    pub closed_on: Option<NaiveDate>,
    /// Why it was closed.
    pub closed_reason: Option<ClosedReason>,
    /// The last day to fix it; none for informational findings and passed checks.
    pub deadline: Option<NaiveDate>,
    /// Where it stands on the date asked for.
    pub state: FindingState,
    /// The latest deviation request.
    pub deviation: Option<Deviation>,
    /// Planned steps, by due date.
    pub milestones: Vec<Milestone>,
    /// Whether the resource is reachable from the internet, as a person said.
    pub internet_reachable: Option<bool>,
    /// Whether the weakness is likely exploitable, as a person said.
    pub likely_exploitable: Option<bool>,
    /// When it was first imported; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    pub imported_at: DateTime<Utc>,
}

impl Finding {
    /// Whether it is a weakness still to deal with on the date it was read for.
    pub fn is_open(&self) -> bool {
        self.state.is_open()
    }

    /// Whether it is a failed check still open.
    pub fn is_failing_check(&self) -> bool {
        self.kind == FindingKind::Check && self.passed == Some(false) && self.is_open()
    }
}

/// A check's latest result on a control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// The finding's id.
    pub finding: String,
    /// The check's id (`IAM.1`).
    pub check: String,
    /// The tool's title.
    pub title: String,
    /// The resource checked.
    pub resource: String,
    /// Whether it passed (and is not open).
    pub passed: bool,
    /// Its severity.
    pub severity: FindingSeverity,
    /// Last seen (UTC).
    pub last_seen: DateTime<Utc>,
}

/// What a person asks for a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeviation {
    /// What kind.
    pub kind: DeviationKind,
    /// Why.
    pub rationale: String,
    /// The severity a risk adjustment asks for.
    pub adjusted_severity: Option<FindingSeverity>,
    /// An evidence file, staged in the vault: SHA-256 and name.
    pub evidence: Option<(String, String)>,
}

/// The facts about a finding that its tool cannot know; `None` leaves one as it is,
/// `Some(None)` clears it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FindingFacts {
    /// Reachable from the internet.
    pub internet_reachable: Option<Option<bool>>,
    /// Likely exploitable.
    pub likely_exploitable: Option<Option<bool>>,
}

/// A finding as stored, before a date gives it a state.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stored {
    key: i64,
    source_id: String,
    kind: FindingKind,
    account: String,
    title: String,
    description: String,
    severity: FindingSeverity,
    resource: String,
    resource_type: String,
    vulnerability: String,
    package: String,
    fixed_in: String,
    fix_available: Option<bool>,
    check: String,
    passed: Option<bool>,
    failed: bool,
    controls: String,
    first_seen: String,
    last_seen: String,
    closed_on: Option<String>,
    closed_reason: Option<String>,
    patch_id: Option<i64>,
}

const STORED_COLUMNS: &str = "id, source_id, kind, account, title, description, severity, resource,
    resource_type, vulnerability, package, fixed_in, fix_available, check_id, passed, controls,
    first_seen, last_seen, closed_on, closed_reason, patch_id, failed";

fn corrupt(what: &str, text: &str) -> StoreError {
    StoreError::Corrupt(format!("finding {what} '{text}'"))
}

fn stored_from_row(row: &super::db::Row<'_>) -> super::db::Result<Stored> {
    let parse_err = |index: usize, text: &str| {
        super::db::Error::FromSqlConversionFailure(
            index,
            super::db::Type::Text,
            format!("value '{text}'").into(),
        )
    };
    let kind: String = row.get(2)?;
    let severity: String = row.get(6)?;
    Ok(Stored {
        key: row.get(0)?,
        source_id: row.get(1)?,
        kind: kind.parse().map_err(|_| parse_err(2, &kind))?,
        account: row.get(3)?,
        title: row.get(4)?,
        description: row.get(5)?,
        severity: severity.parse().map_err(|_| parse_err(6, &severity))?,
        resource: row.get(7)?,
        resource_type: row.get(8)?,
        vulnerability: row.get(9)?,
        package: row.get(10)?,
        fixed_in: row.get(11)?,
        fix_available: row.get::<_, Option<i64>>(12)?.map(|v| v != 0),
        check: row.get(13)?,
        passed: row.get::<_, Option<i64>>(14)?.map(|v| v != 0),
        controls: row.get(15)?,
        first_seen: row.get(16)?,
        last_seen: row.get(17)?,
        closed_on: row.get(18)?,
        closed_reason: row.get(19)?,
        patch_id: row.get(20)?,
        failed: row.get::<_, i64>(21)? != 0,
    })
}

/// A time written the way findings store them.
fn time_text(time: DateTime<Utc>) -> String {
    crate::model::stamp(&time)
}

fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| corrupt("time", text))
}

fn parse_day(text: &str) -> Result<NaiveDate> {
    text.parse().map_err(|_| corrupt("date", text))
}

/// The id people use for a finding.
pub fn finding_label(key: i64) -> String {
    format!("F-{key}")
}

/// The project's controls by NIST id, for filing evidence and check results.
fn controls_by_nist(conn: &Connection, project: i64) -> Result<NistIndex> {
    let mut stmt = conn.prepare_cached(
        "SELECT control_id, nist FROM controls WHERE project_id = ?1 AND retired = 0
         ORDER BY sort_key, control_id",
    )?;
    let rows: Vec<(String, String)> = stmt
        .query_map([project], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<std::result::Result<_, _>>()?;
    Ok(NistIndex::new(rows.iter().map(|(control, nist)| {
        (control.as_str(), nist.split(','))
    })))
}

/// What people said of a finding (reachable from the internet, likely exploitable), and when
/// it was first imported.
type Facts = (Option<bool>, Option<bool>, DateTime<Utc>);

/// The deviation, milestones and sign-offs of a project's findings, loaded once.
struct Extras {
    deviations: HashMap<i64, (i64, Deviation)>,
    milestones: HashMap<i64, Vec<Milestone>>,
    signoffs: FindingSignoffs,
    facts: StoredFacts,
}

/// Sign-offs of findings by finding label: each one's fingerprint, signer and time.
type FindingSignoffs = HashMap<String, Vec<(String, String, DateTime<Utc>)>>;

/// The [`Facts`] of each finding, by its key.
type StoredFacts = HashMap<i64, Facts>;

/// The extras of a project's findings, or of its finding `only` alone (0: all of them), so
/// reading one finding does not read every other.
fn load_extras(conn: &Connection, project: i64, only: i64) -> Result<Extras> {
    let subject = if only == 0 {
        String::new()
    } else {
        finding_label(only)
    };
    Ok(Extras {
        deviations: load_deviations(conn, project, only)?,
        milestones: load_milestones(conn, project, only)?,
        signoffs: load_signoffs(conn, project, &subject)?,
        facts: load_facts(conn, project, only)?,
    })
}

/// The deviations asked for, by finding key, each with its id (not yet judged approved).
fn load_deviations(
    conn: &Connection,
    project: i64,
    only: i64,
) -> Result<HashMap<i64, (i64, Deviation)>> {
    let mut deviations = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT id, finding_id, kind, rationale, adjusted_severity, evidence_sha256,
                evidence_name, requested_by, requested_at
         FROM finding_deviations WHERE project_id = ?1 AND (?2 = 0 OR finding_id = ?2)
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![project, only], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, Option<String>>(4)?,
            row.get::<_, Option<String>>(5)?,
            row.get::<_, Option<String>>(6)?,
            row.get::<_, String>(7)?,
            row.get::<_, DateTime<Utc>>(8)?,
        ))
    })?;
    for row in rows {
        let (id, finding, kind, rationale, adjusted, sha, name, by, at) = row?;
        let deviation = Deviation {
            kind: kind.parse().map_err(|_| corrupt("deviation kind", &kind))?,
            rationale,
            adjusted_severity: adjusted
                .map(|s| s.parse().map_err(|_| corrupt("severity", &s)))
                .transpose()?,
            evidence_sha256: sha,
            evidence_name: name,
            requested_by: by,
            requested_at: at,
            state: DeviationState::Requested,
            approved_by: None,
            approved_at: None,
        };
        deviations.insert(finding, (id, deviation));
    }
    Ok(deviations)
}

/// The milestones planned, by finding key, soonest first.
fn load_milestones(
    conn: &Connection,
    project: i64,
    only: i64,
) -> Result<HashMap<i64, Vec<Milestone>>> {
    let mut milestones: HashMap<i64, Vec<Milestone>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT finding_id, due, text, recorded_by, recorded_at FROM finding_milestones
         WHERE project_id = ?1 AND (?2 = 0 OR finding_id = ?2) ORDER BY due, id",
    )?;
    let rows = stmt.query_map(params![project, only], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, DateTime<Utc>>(4)?,
        ))
    })?;
    for row in rows {
        let (finding, due, text, by, at) = row?;
        milestones.entry(finding).or_default().push(Milestone {
            due: parse_day(&due)?,
            text,
            recorded_by: by,
            recorded_at: at,
        });
    }
    Ok(milestones)
}

/// The sign-offs of findings (of the finding `subject` alone, unless empty), by finding
/// label: each one's fingerprint, signer and time.
fn load_signoffs(conn: &Connection, project: i64, subject: &str) -> Result<FindingSignoffs> {
    let mut signoffs: HashMap<String, Vec<(String, String, DateTime<Utc>)>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT subject, fingerprint, by_name, signed_at FROM signoffs
         WHERE project_id = ?1 AND subject_kind = 'finding' AND (?2 = '' OR subject = ?2)
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![project, subject], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, DateTime<Utc>>(3)?,
        ))
    })?;
    for row in rows {
        let (subject, fingerprint, by, at) = row?;
        signoffs
            .entry(subject)
            .or_default()
            .push((fingerprint, by, at));
    }
    Ok(signoffs)
}

/// What the team said about each finding's reachability and exploitability, and when it
/// was first imported, by finding key.
fn load_facts(conn: &Connection, project: i64, only: i64) -> Result<StoredFacts> {
    let mut facts = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT f.id, f.internet_reachable, f.likely_exploitable, i.imported_at
         FROM findings f JOIN finding_imports i ON i.id = f.first_import_id
         WHERE f.project_id = ?1 AND (?2 = 0 OR f.id = ?2)",
    )?;
    let rows = stmt.query_map(params![project, only], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, Option<i64>>(1)?.map(|v| v != 0),
            row.get::<_, Option<i64>>(2)?.map(|v| v != 0),
            row.get::<_, DateTime<Utc>>(3)?,
        ))
    })?;
    for row in rows {
        let (key, reachable, exploitable, imported_at) = row?;
        facts.insert(key, (reachable, exploitable, imported_at));
    }
    Ok(facts)
}

/// The fingerprint a sign-off of a finding covers: what the tool reports about the
/// weakness (not when it was last seen) and the deviation asked for.
fn fingerprint(stored: &Stored, deviation: Option<&(i64, Deviation)>) -> String {
    let mut hasher = Sha256::new();
    let mut part = |text: &str| {
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    };
    part("lockstep finding 1");
    for text in [
        stored.source_id.as_str(),
        stored.kind.as_str(),
        stored.title.as_str(),
        stored.severity.as_str(),
        stored.resource.as_str(),
        stored.vulnerability.as_str(),
        stored.package.as_str(),
        stored.check.as_str(),
        stored.controls.as_str(),
        stored.closed_on.as_deref().unwrap_or("open"),
    ] {
        part(text);
    }
    match deviation {
        Some((id, d)) => {
            part(&id.to_string());
            part(d.kind.as_str());
            part(&d.rationale);
            part(d.adjusted_severity.map(|s| s.as_str()).unwrap_or(""));
            part(d.evidence_sha256.as_deref().unwrap_or(""));
        }
        None => part("no deviation"),
    }
    hex(&hasher.finalize())
}

/// The finding's deviation, approved when a sign-off covers the finding and the deviation
/// as they stand now (their fingerprint).
fn judged_deviation(stored: &Stored, id: &str, extras: &Extras) -> Option<Deviation> {
    let mut deviation = extras.deviations.get(&stored.key).cloned();
    if let Some((_, d)) = deviation.as_mut() {
        let print = fingerprint(stored, extras.deviations.get(&stored.key));
        if let Some((_, by, at)) = extras
            .signoffs
            .get(id)
            .and_then(|list| list.iter().rev().find(|(f, _, _)| *f == print))
        {
            d.state = DeviationState::Approved;
            d.approved_by = Some(by.clone());
            d.approved_at = Some(*at);
        }
    }
    deviation.map(|(_, d)| d)
}

/// The day a failing finding first seen at `first_seen` must be fixed by, from the
/// project's deadline for its severity; none for severities without one.
fn severity_deadline(
    first_seen: DateTime<Utc>,
    severity: FindingSeverity,
    deadlines: &super::PatchDeadlines,
) -> Option<NaiveDate> {
    finding_deadline(
        first_seen.date_naive(),
        severity.patch_severity().map(|s| deadlines.days(s)),
    )
}

/// The NIST control ids stored comma-separated.
fn split_controls(controls: &str) -> Vec<String> {
    controls
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Gives a stored finding its deviation's approval, deadline and state as of a date.
fn judged(
    stored: Stored,
    source: FindingSource,
    deadlines: &super::PatchDeadlines,
    extras: &Extras,
    as_of: NaiveDate,
) -> Result<Finding> {
    let id = finding_label(stored.key);
    let deviation = judged_deviation(&stored, &id, extras);
    let approved = |kind: DeviationKind| {
        deviation
            .as_ref()
            .is_some_and(|d| d.kind == kind && d.state == DeviationState::Approved)
    };
    let effective_severity = match &deviation {
        Some(d) if approved(DeviationKind::RiskAdjustment) => {
            d.adjusted_severity.unwrap_or(stored.severity)
        }
        _ => stored.severity,
    };
    let first_seen = parse_time(&stored.first_seen)?;
    let closed_on = stored.closed_on.as_deref().map(parse_day).transpose()?;
    let deadline = match stored.passed {
        Some(true) => None,
        _ => severity_deadline(first_seen, effective_severity, deadlines),
    };
    let state = finding_state(
        closed_on,
        approved(DeviationKind::FalsePositive),
        deadline,
        as_of,
    );
    let (internet_reachable, likely_exploitable, imported_at) = extras
        .facts
        .get(&stored.key)
        .copied()
        .ok_or_else(|| corrupt("first import", &id))?;
    Ok(Finding {
        id,
        key: stored.key,
        source,
        kind: stored.kind,
        account: stored.account,
        title: stored.title,
        description: stored.description,
        severity: stored.severity,
        effective_severity,
        resource: stored.resource,
        resource_type: stored.resource_type,
        vulnerability: stored.vulnerability,
        package: stored.package,
        fixed_in: stored.fixed_in,
        fix_available: stored.fix_available,
        check: stored.check,
        passed: stored.passed,
        has_failed: stored.failed,
        controls: split_controls(&stored.controls),
        first_seen,
        last_seen: parse_time(&stored.last_seen)?,
        closed_on,
        closed_reason: stored
            .closed_reason
            .as_deref()
            .map(|r| r.parse().map_err(|_| corrupt("closed reason", r)))
            .transpose()?,
        deadline,
        state,
        deviation,
        milestones: extras
            .milestones
            .get(&stored.key)
            .cloned()
            .unwrap_or_default(),
        internet_reachable,
        likely_exploitable,
        imported_at,
        source_id: stored.source_id,
    })
}

impl Store {
    /// A project's findings as of a date, by id.
    pub fn findings(&self, project: i64, as_of: NaiveDate) -> Result<Vec<Finding>> {
        let deadlines = self.patch_deadlines(project)?;
        let extras = load_extras(&self.conn, project, 0)?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {STORED_COLUMNS}, source FROM findings WHERE project_id = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([project], |row| {
            Ok((stored_from_row(row)?, row.get::<_, String>(22)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (stored, source) = row?;
            let source: FindingSource = source.parse().map_err(|_| corrupt("source", &source))?;
            out.push(judged(stored, source, &deadlines, &extras, as_of)?);
        }
        Ok(out)
    }

    /// One finding, by its id (`F-12` or `12`) or its tool's id, as of today.
    pub fn finding(&self, project: i64, id: &str) -> Result<Finding> {
        let key = self.finding_key(project, id)?;
        let today = self.today();
        let deadlines = self.patch_deadlines(project)?;
        let extras = load_extras(&self.conn, project, key)?;
        let (stored, source) = self
            .conn
            .prepare_cached(&format!(
                "SELECT {STORED_COLUMNS}, source FROM findings WHERE id = ?1"
            ))?
            .query_row([key], |row| {
                Ok((stored_from_row(row)?, row.get::<_, String>(22)?))
            })?;
        let source: FindingSource = source.parse().map_err(|_| corrupt("source", &source))?;
        judged(stored, source, &deadlines, &extras, today)
    }

    /// The key of a finding of a project named by its id or its tool's id.
    fn finding_key(&self, project: i64, id: &str) -> Result<i64> {
        let trimmed = id.trim();
        let number = trimmed
            .strip_prefix("F-")
            .or_else(|| trimmed.strip_prefix("f-"))
            .unwrap_or(trimmed);
        if let Ok(key) = number.parse::<i64>() {
            let found: Option<i64> = self
                .conn
                .prepare_cached("SELECT id FROM findings WHERE project_id = ?1 AND id = ?2")?
                .query_row(params![project, key], |row| row.get(0))
                .optional()?;
            if let Some(key) = found {
                return Ok(key);
            }
        }
        let found: Vec<i64> = self
            .conn
            .prepare_cached("SELECT id FROM findings WHERE project_id = ?1 AND source_id = ?2")?
            .query_map(params![project, trimmed], |row| row.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        match found.as_slice() {
            [key] => Ok(*key),
            _ => Err(StoreError::UnknownFinding(trimmed.to_string())),
        }
    }

    /// The fingerprint a sign-off of a finding covers now.
    pub fn finding_fingerprint(&self, project: i64, id: &str) -> Result<String> {
        let key = self.finding_key(project, id)?;
        let stored = self
            .conn
            .prepare_cached(&format!(
                "SELECT {STORED_COLUMNS} FROM findings WHERE id = ?1"
            ))?
            .query_row([key], stored_from_row)?;
        let extras = load_extras(&self.conn, project, key)?;
        Ok(fingerprint(&stored, extras.deviations.get(&key)))
    }

    /// The normalised id of a finding (`F-12`), checking it exists.
    pub fn finding_subject(&self, project: i64, id: &str) -> Result<String> {
        Ok(finding_label(self.finding_key(project, id)?))
    }

    /// The check results of each control of a project: every check finding whose NIST ids
    /// name the control (or its base control, for the built-in set), failing ones first.
    pub fn check_results(&self, project: i64) -> Result<HashMap<String, Vec<CheckResult>>> {
        let by_nist = controls_by_nist(&self.conn, project)?;
        let today = self.today();
        let mut out: HashMap<String, Vec<CheckResult>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, check_id, title, resource, passed, closed_on, severity, last_seen, controls
             FROM findings WHERE project_id = ?1 AND kind = 'check' AND controls <> ''
             ORDER BY id",
        )?;
        let rows = stmt.query_map([project], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<i64>>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, String>(7)?,
                row.get::<_, String>(8)?,
            ))
        })?;
        for row in rows {
            let (key, check, title, resource, passed, closed_on, severity, last_seen, controls) =
                row?;
            let closed = match closed_on {
                Some(day) => parse_day(&day)? <= today,
                None => false,
            };
            let result = CheckResult {
                finding: finding_label(key),
                check,
                title,
                resource,
                passed: passed == Some(1) || closed,
                severity: severity
                    .parse()
                    .map_err(|_| corrupt("severity", &severity))?,
                last_seen: parse_time(&last_seen)?,
            };
            let mut named: BTreeSet<&String> = BTreeSet::new();
            for nist in controls.split(',') {
                named.extend(by_nist.named(nist));
            }
            for control in named {
                out.entry(control.clone()).or_default().push(result.clone());
            }
        }
        for results in out.values_mut() {
            results.sort_by_key(|r| (r.passed, r.severity));
        }
        Ok(out)
    }

    /// How many failing checks each control of a project has.
    pub fn failing_checks(&self, project: i64) -> Result<HashMap<String, usize>> {
        Ok(self
            .check_results(project)?
            .into_iter()
            .map(|(control, results)| (control, results.iter().filter(|r| !r.passed).count()))
            .filter(|(_, count)| *count > 0)
            .collect())
    }

    /// The vault files findings imports and deviations keep.
    pub fn finding_files(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT sha256, file_name FROM finding_imports
             UNION SELECT evidence_sha256, coalesce(evidence_name, '') FROM finding_deviations
                   WHERE evidence_sha256 IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

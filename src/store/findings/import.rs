//! Importing a findings export: matching each record with what is stored, the patch
//! records vulnerabilities stand for, closing what a complete export no longer lists, and
//! filing the file as evidence.

use super::*;

/// The state a record asks for: open, or closed on a day as fixed. A passed check is
/// closed (nothing to fix) as of when it was last seen.
fn record_closing(record: &FindingRecord, today: NaiveDate) -> Option<NaiveDate> {
    let day = |t: Option<DateTime<Utc>>| t.map(|t| t.date_naive());
    if let Some(fixed) = record.fixed_at {
        return Some(fixed.date_naive());
    }
    if record.passed == Some(true) {
        return Some(day(record.last_seen).unwrap_or(today));
    }
    None
}

/// The asset kind for a resource type as AWS's tools write it.
fn asset_kind(resource_type: &str) -> AssetKind {
    let compact: String = resource_type
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    if compact.contains("containerimage") || compact.contains("ecrimage") {
        AssetKind::ContainerImage
    } else if compact.contains("instance") || compact.starts_with("managedinstance") {
        AssetKind::Instance
    } else if compact.contains("ami") || compact.contains("image") {
        AssetKind::Ami
    } else if compact.contains("rds") || compact.contains("database") || compact.contains("dynamo")
    {
        AssetKind::Database
    } else if compact.contains("lambda") || compact.contains("function") {
        AssetKind::Application
    } else {
        AssetKind::Other
    }
}

/// What the store holds for one record, as the columns it would write.
struct Incoming<'a> {
    record: &'a FindingRecord,
    controls: String,
    first_seen: String,
    last_seen: String,
    closed_on: Option<NaiveDate>,
}

impl<'a> Incoming<'a> {
    /// The columns of `record`; times it lacks are taken from its others, or are the start
    /// of `today`.
    fn new(record: &'a FindingRecord, today: NaiveDate) -> Self {
        Incoming {
            record,
            controls: record.controls.join(","),
            first_seen: time_text(
                record
                    .first_seen
                    .or(record.last_seen)
                    .unwrap_or_else(|| start_of(today)),
            ),
            last_seen: time_text(
                record
                    .last_seen
                    .or(record.fixed_at)
                    .or(record.first_seen)
                    .unwrap_or_else(|| start_of(today)),
            ),
            closed_on: record_closing(record, today),
        }
    }

    /// Whether the stored finding differs from the record in anything the tool reports.
    fn differs(&self, stored: &Stored) -> bool {
        let r = self.record;
        stored.kind != r.kind
            || stored.account != r.account
            || stored.title != r.title
            || stored.description != r.description
            || stored.severity != r.severity
            || stored.resource != r.resource
            || stored.resource_type != r.resource_type
            || stored.vulnerability != r.vulnerability
            || stored.package != r.package
            || stored.fixed_in != r.fixed_in
            || stored.fix_available != r.fix_available
            || stored.check != r.check
            || stored.passed != r.passed
            || stored.controls != self.controls
            || stored.last_seen != self.last_seen
            || self.first_seen < stored.first_seen
    }
}

/// The counts and touched patches of an import as it goes.
#[derive(Default)]
struct Tally {
    report: FindingImport,
    touched_patches: BTreeSet<i64>,
    new_patches: HashSet<i64>,
}

impl Store {
    /// Imports a findings file read by [`crate::import::findings`], whose file is staged in
    /// the vault as `file`. See the module's documentation for what it changes. An import
    /// that changes nothing (the same file again) is rolled back and logs nothing; refused
    /// records are returned either way.
    pub fn import_findings(
        &mut self,
        project: i64,
        file: &FindingFile,
        stored_file: &FindingsFileRecord,
        snapshot: bool,
    ) -> Result<FindingImport> {
        self.project(project)?;
        let today = self.today();
        let source = file.format.source();
        let file_date = file.newest.unwrap_or(today);
        let mut refused = file.problems.clone();
        let outcome = self.write(|tx| {
            let import_id = record_import(tx, project, file, stored_file, snapshot, file_date)?;
            let mut tally = Tally::default();
            let existing = load_stored(tx, project, source)?;
            let mut seen: HashMap<&str, usize> = HashMap::new();
            let mut by_nist_touched: BTreeSet<String> = BTreeSet::new();
            for record in &file.records {
                if let Some(first) = seen.get(record.source_id.as_str()) {
                    refused.push(RecordProblem {
                        record: record.record,
                        reason: format!("finding {} repeats record {first}", record.source_id),
                    });
                    continue;
                }
                seen.insert(&record.source_id, record.record);
                match record.kind {
                    FindingKind::Check => by_nist_touched.extend(record.controls.iter().cloned()),
                    FindingKind::Vulnerability => {
                        by_nist_touched.extend(VULNERABILITY_CONTROLS.map(str::to_string))
                    }
                }
                let incoming = Incoming::new(record, today);
                apply_record(
                    tx,
                    (project, source, import_id),
                    existing.get(&record.source_id),
                    &incoming,
                    &mut tally,
                )?;
            }
            if snapshot {
                close_unlisted(tx, (project, source, import_id), file, &seen, file_date).map(
                    |(closed, patches)| {
                        tally.report.closed += closed;
                        tally.touched_patches.extend(patches);
                    },
                )?;
            }
            tally.report.records = file.records.len() + file.problems.len();
            tally.report.format = Some(file.format);
            if !tally.report.changed() {
                return Ok(Change::Unchanged(tally));
            }
            sync_patches(tx, &tally.touched_patches, &tally.new_patches, source)?;
            tally.report.evidence_controls = file_evidence(
                tx,
                project,
                &by_nist_touched,
                stored_file,
                (file.format, file_date, file.records.len()),
            )?;
            let action = import_action(source, &tally.report, stored_file, snapshot, refused.len());
            Ok(Change::Made(
                tally,
                Logged::new(Some(project), FINDINGS_SUBJECT, action),
            ))
        })?;
        let mut report = outcome.report;
        refused.sort_by_key(|p| p.record);
        report.refused = refused;
        if report.format.is_none() {
            report.format = Some(file.format);
        }
        Ok(report)
    }
}

/// Records the import itself (the file, its date, whether it is a snapshot) and returns its
/// id.
fn record_import(
    tx: &Tx<'_>,
    project: i64,
    file: &FindingFile,
    stored_file: &FindingsFileRecord,
    snapshot: bool,
    file_date: NaiveDate,
) -> Result<i64> {
    let source = file.format.source();
    tx.execute(
        "INSERT INTO finding_imports (project_id, source, format, file_name, sha256,
            size_bytes, file_date, snapshot, imported_by, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            project,
            source.as_str(),
            serde_json::to_value(file.format)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            stored_file.file_name,
            stored_file.sha256,
            i64::try_from(stored_file.size_bytes).unwrap_or(i64::MAX),
            file_date.to_string(),
            i64::from(snapshot),
            tx.actor,
            tx.at
        ],
    )?;
    Ok(tx.last_insert_rowid()?)
}

/// The log's entry for an import that changed something.
fn import_action(
    source: FindingSource,
    report: &FindingImport,
    stored_file: &FindingsFileRecord,
    snapshot: bool,
    refused: usize,
) -> Action {
    Action::FindingsImport {
        source: source.as_str().to_string(),
        file_name: stored_file.file_name.clone(),
        file_sha256: stored_file.sha256.clone(),
        snapshot,
        new: report.new as u64,
        updated: report.updated as u64,
        closed: report.closed as u64,
        reopened: report.reopened as u64,
        refused: refused as u64,
    }
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The stored findings of a project from one source, by the source's id.
fn load_stored(
    conn: &Connection,
    project: i64,
    source: FindingSource,
) -> Result<HashMap<String, Stored>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {STORED_COLUMNS} FROM findings WHERE project_id = ?1 AND source = ?2"
    ))?;
    let rows = stmt.query_map(params![project, source.as_str()], stored_from_row)?;
    let mut out = HashMap::new();
    for row in rows {
        let stored = row?;
        out.insert(stored.source_id.clone(), stored);
    }
    Ok(out)
}

/// Adds a finding the project did not have, and links a vulnerability to its patch.
fn insert_finding(
    tx: &Tx<'_>,
    (project, source, import_id): (i64, FindingSource, i64),
    incoming: &Incoming<'_>,
    tally: &mut Tally,
) -> Result<()> {
    let r = incoming.record;
    let closed_on = incoming.closed_on.map(|d| d.to_string());
    let closed_reason = incoming.closed_on.map(|_| ClosedReason::Fixed.as_str());
    tx.prepare_cached(
        "INSERT INTO findings (project_id, source, source_id, kind, account, title,
            description, severity, resource, resource_type, vulnerability, package, fixed_in,
            fix_available, check_id, passed, controls, first_seen, last_seen, closed_on,
            closed_reason, first_import_id, import_id, failed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20, ?21, ?22, ?22, ?23)",
    )?
    .execute(params![
        project,
        source.as_str(),
        r.source_id,
        r.kind.as_str(),
        r.account,
        r.title,
        r.description,
        r.severity.as_str(),
        r.resource,
        r.resource_type,
        r.vulnerability,
        r.package,
        r.fixed_in,
        r.fix_available.map(i64::from),
        r.check,
        r.passed.map(i64::from),
        incoming.controls,
        incoming.first_seen,
        incoming.last_seen,
        closed_on,
        closed_reason,
        import_id,
        i64::from(r.passed == Some(false))
    ])?;
    let key = tx.last_insert_rowid()?;
    tally.report.new += 1;
    link_patch(tx, project, key, r, &incoming.first_seen, tally)?;
    Ok(())
}

/// Keeps a changed finding's patch record in line: the patch it was linked to is looked at
/// again, and a finding whose resource or advisory changed is linked anew.
fn relink_patch(
    tx: &Tx<'_>,
    project: i64,
    stored: &Stored,
    r: &FindingRecord,
    closing_changed: bool,
    first_seen: &str,
    tally: &mut Tally,
) -> Result<()> {
    let changes_patch = stored.resource != r.resource
        || stored.vulnerability != r.vulnerability
        || stored.severity != r.severity
        || closing_changed
        || first_seen != stored.first_seen;
    if changes_patch {
        if let Some(patch) = stored.patch_id {
            tally.touched_patches.insert(patch);
        }
        if stored.resource != r.resource || stored.vulnerability != r.vulnerability {
            tx.execute(
                "UPDATE findings SET patch_id = NULL WHERE id = ?1",
                [stored.key],
            )?;
            link_patch(tx, project, stored.key, r, first_seen, tally)?;
        } else if stored.patch_id.is_none() {
            link_patch(tx, project, stored.key, r, first_seen, tally)?;
        }
    }
    Ok(())
}

/// Adds, updates, closes or reopens one finding, and links a vulnerability to its patch.
fn apply_record(
    tx: &Tx<'_>,
    (project, source, import_id): (i64, FindingSource, i64),
    stored: Option<&Stored>,
    incoming: &Incoming<'_>,
    tally: &mut Tally,
) -> Result<()> {
    let r = incoming.record;
    let closed_on = incoming.closed_on.map(|d| d.to_string());
    let closed_reason = incoming.closed_on.map(|_| ClosedReason::Fixed.as_str());
    let Some(stored) = stored else {
        return insert_finding(tx, (project, source, import_id), incoming, tally);
    };
    let was_closed = stored.closed_on.is_some();
    let now_closed = incoming.closed_on.is_some();
    let differs = incoming.differs(stored);
    if !differs && was_closed == now_closed {
        tally.report.unchanged += 1;
        return Ok(());
    }
    // A closed finding keeps its closing; reported again open, it reopens with its first
    // detection kept.
    let (closed_on, closed_reason) = match (was_closed, now_closed) {
        (true, true) => (stored.closed_on.clone(), stored.closed_reason.clone()),
        _ => (closed_on, closed_reason.map(str::to_string)),
    };
    let first_seen = incoming.first_seen.clone().min(stored.first_seen.clone());
    tx.prepare_cached(
        "UPDATE findings SET kind = ?1, account = ?2, title = ?3, description = ?4, severity = ?5,
            resource = ?6, resource_type = ?7, vulnerability = ?8, package = ?9, fixed_in = ?10,
            fix_available = ?11, check_id = ?12, passed = ?13, controls = ?14, first_seen = ?15,
            last_seen = ?16, closed_on = ?17, closed_reason = ?18, import_id = ?19,
            failed = CASE WHEN ?21 = 1 THEN 1 ELSE failed END
         WHERE id = ?20",
    )?
    .execute(params![
        r.kind.as_str(),
        r.account,
        r.title,
        r.description,
        r.severity.as_str(),
        r.resource,
        r.resource_type,
        r.vulnerability,
        r.package,
        r.fixed_in,
        r.fix_available.map(i64::from),
        r.check,
        r.passed.map(i64::from),
        incoming.controls,
        first_seen,
        incoming.last_seen,
        closed_on,
        closed_reason,
        import_id,
        stored.key,
        i64::from(r.passed == Some(false))
    ])?;
    match (was_closed, now_closed) {
        (false, true) => tally.report.closed += 1,
        (true, false) => tally.report.reopened += 1,
        _ => tally.report.updated += 1,
    }
    relink_patch(
        tx,
        project,
        stored,
        r,
        was_closed != now_closed,
        &first_seen,
        tally,
    )
}

/// Links a vulnerability with a severity and an advisory to the patch record of its
/// resource and advisory, creating the asset and the record when new.
fn link_patch(
    tx: &Tx<'_>,
    project: i64,
    finding: i64,
    r: &FindingRecord,
    first_seen: &str,
    tally: &mut Tally,
) -> Result<()> {
    let advisory = r.vulnerability.trim();
    let (Some(severity), FindingKind::Vulnerability, false) = (
        r.severity.patch_severity(),
        r.kind,
        advisory.is_empty() || r.resource.trim().is_empty(),
    ) else {
        return Ok(());
    };
    let asset_key = r.resource.trim().to_lowercase();
    let asset_id: Option<i64> = tx
        .prepare_cached("SELECT id FROM assets WHERE project_id = ?1 AND name_key = ?2")?
        .query_row(params![project, asset_key], |row| row.get(0))
        .optional()?;
    let asset_id = match asset_id {
        Some(id) => id,
        None => {
            tx.prepare_cached(
                "INSERT INTO assets (project_id, name, name_key, kind, environment, managed_by,
                    created_at) VALUES (?1, ?2, ?3, ?4, '', 'customer', ?5)",
            )?
            .execute(params![
                project,
                r.resource.trim(),
                asset_key,
                asset_kind(&r.resource_type).as_str(),
                tx.at
            ])?;
            tx.last_insert_rowid()?
        }
    };
    let advisory_key = advisory.to_lowercase();
    let patch: Option<i64> = tx
        .prepare_cached("SELECT id FROM patches WHERE asset_id = ?1 AND advisory_key = ?2")?
        .query_row(params![asset_id, advisory_key], |row| row.get(0))
        .optional()?;
    let patch = match patch {
        Some(id) => id,
        None => {
            let released = first_seen.get(..10).unwrap_or(first_seen);
            tx.prepare_cached(
                "INSERT INTO patches (project_id, asset_id, advisory, advisory_key, severity,
                    released_on, applied_on, attested_by, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8)",
            )?
            .execute(params![
                project,
                asset_id,
                advisory,
                advisory_key,
                severity.as_str(),
                released,
                "",
                tx.at
            ])?;
            let id = tx.last_insert_rowid()?;
            tally.new_patches.insert(id);
            id
        }
    };
    tx.prepare_cached("UPDATE findings SET patch_id = ?1 WHERE id = ?2")?
        .execute(params![patch, finding])?;
    tally.touched_patches.insert(patch);
    Ok(())
}

/// Brings each touched patch record in line with its findings: the most urgent severity
/// with a deadline, released on the earliest first detection, applied when every finding
/// is closed (on the last closing).
fn sync_patches(
    tx: &Tx<'_>,
    patches: &BTreeSet<i64>,
    new: &HashSet<i64>,
    source: FindingSource,
) -> Result<()> {
    for patch in patches {
        let mut stmt = tx.prepare_cached(
            "SELECT severity, first_seen, closed_on FROM findings WHERE patch_id = ?1",
        )?;
        let rows = stmt.query_map([patch], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
            ))
        })?;
        let mut severity: Option<FindingSeverity> = None;
        let mut released: Option<String> = None;
        let mut all_closed = true;
        let mut last_closed: Option<String> = None;
        let mut any = false;
        for row in rows {
            let (sev, first, closed) = row?;
            let sev: FindingSeverity = sev.parse().map_err(|_| corrupt("severity", &sev))?;
            if sev.patch_severity().is_some() {
                severity = Some(severity.map_or(sev, |s| s.min(sev)));
            }
            let day = first.get(..10).unwrap_or(&first).to_string();
            released = Some(released.map_or(day.clone(), |r| r.min(day)));
            match closed {
                Some(day) => last_closed = Some(last_closed.map_or(day.clone(), |l| l.max(day))),
                None => all_closed = false,
            }
            any = true;
        }
        if !any {
            continue;
        }
        let (stored_released, stored_severity): (String, String) = tx
            .prepare_cached("SELECT released_on, severity FROM patches WHERE id = ?1")?
            .query_row([patch], |row| Ok((row.get(0)?, row.get(1)?)))?;
        let released = match released {
            Some(r) if new.contains(patch) => r,
            Some(r) => r.min(stored_released),
            None => stored_released,
        };
        let applied = if all_closed {
            last_closed.map(|day| day.max(released.clone()))
        } else {
            None
        };
        let severity = severity
            .and_then(FindingSeverity::patch_severity)
            .map(|s| s.as_str().to_string())
            .unwrap_or(stored_severity);
        tx.prepare_cached(
            "UPDATE patches SET severity = ?1, released_on = ?2, applied_on = ?3,
                attested_by = ?4 WHERE id = ?5",
        )?
        .execute(params![severity, released, applied, source.label(), patch])?;
    }
    Ok(())
}

/// Closes the open findings of a complete export's source and scope that it no longer
/// lists. Returns how many, and the patches they touch.
fn close_unlisted(
    tx: &Tx<'_>,
    (project, source, import_id): (i64, FindingSource, i64),
    file: &FindingFile,
    listed: &HashMap<&str, usize>,
    day: NaiveDate,
) -> Result<(usize, Vec<i64>)> {
    let resources: HashSet<&str> = file.records.iter().map(|r| r.resource.as_str()).collect();
    let mut stmt = tx.prepare_cached(
        "SELECT id, source_id, account, resource, patch_id, first_seen FROM findings
         WHERE project_id = ?1 AND source = ?2 AND closed_on IS NULL",
    )?;
    let rows = stmt.query_map(params![project, source.as_str()], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, Option<i64>>(4)?,
            row.get::<_, String>(5)?,
        ))
    })?;
    let mut closing = Vec::new();
    for row in rows {
        let (key, source_id, account, resource, patch, first_seen) = row?;
        let in_scope = if file.accounts.is_empty() {
            resources.contains(resource.as_str())
        } else {
            file.accounts.contains(&account)
        };
        if in_scope && !listed.contains_key(source_id.as_str()) {
            closing.push((key, patch, first_seen));
        }
    }
    let mut patches = Vec::new();
    for (key, patch, first_seen) in &closing {
        // Never closed before it was first seen.
        let first = first_seen.get(..10).unwrap_or(first_seen);
        let day = day.to_string().max(first.to_string());
        tx.prepare_cached(
            "UPDATE findings SET closed_on = ?1, closed_reason = ?2, import_id = ?3 WHERE id = ?4",
        )?
        .execute(params![
            day,
            ClosedReason::NoLongerReported.as_str(),
            import_id,
            key
        ])?;
        patches.extend(*patch);
    }
    Ok((closing.len(), patches))
}

/// Files the import's file as evidence of each control its findings touch, unless the
/// control already has it. Returns the controls, sorted.
fn file_evidence(
    tx: &Tx<'_>,
    project: i64,
    nist_ids: &BTreeSet<String>,
    file: &FindingsFileRecord,
    (format, collected_on, records): (FindingFormat, NaiveDate, usize),
) -> Result<Vec<String>> {
    let by_nist = controls_by_nist(tx, project)?;
    let mut controls: BTreeSet<String> = BTreeSet::new();
    for nist in nist_ids {
        controls.extend(by_nist.named(nist).iter().cloned());
    }
    let description = format!("{}: {records} findings", format.label());
    let mut filed = Vec::new();
    for control in controls {
        let key: i64 = tx
            .prepare_cached("SELECT id FROM controls WHERE project_id = ?1 AND control_id = ?2")?
            .query_row(params![project, control], |row| row.get(0))?;
        let has: Option<i64> = tx
            .prepare_cached(
                "SELECT id FROM evidence WHERE control_key = ?1 AND sha256 = ?2
                 AND removed_at IS NULL",
            )?
            .query_row(params![key, file.sha256], |row| row.get(0))
            .optional()?;
        if has.is_some() || file.size_bytes == 0 {
            continue;
        }
        tx.prepare_cached(
            "INSERT INTO evidence (project_id, control_key, file_name, size_bytes, media_type,
                sha256, description, collected_on, valid_until, added_by, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, ?10)",
        )?
        .execute(params![
            project,
            key,
            file.file_name,
            i64::try_from(file.size_bytes).unwrap_or(i64::MAX),
            file.media_type,
            file.sha256,
            description,
            collected_on.to_string(),
            tx.actor,
            tx.at
        ])?;
        filed.push(control);
    }
    Ok(filed)
}

//! OSCAL catalogs and profiles kept in the workspace: importing them, listing them, and the
//! resolved controls of a profile (a *baseline*) that projects are created from.
//!
//! A catalog is kept once with its JSON text, so profiles imported later resolve against it
//! without the file. A profile is resolved when imported and its rendered controls are kept
//! row by row, so creating a project on it reads rows instead of resolving a 10 MB catalog.
//! Files are read and parsed before the write transaction; the profile is resolved inside it,
//! against the catalogs as stored at that moment. Importing the same file again changes
//! nothing and logs nothing; a changed file under the same name replaces the old one.
//!
//! Names: a catalog or profile is named by its file name without `.json`; lookups ignore
//! case and also accept its title.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::db::{OptionalExtension, Row, params};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::write::{Change, Logged, Tx};
use super::{Result, Store, StoreError};
use crate::catalog::oscal::{
    self, Catalog, Document, Loaded, Loader, OscalError, ResolvedBaseline, all_controls,
};
use crate::model::{
    Action, BaselineSummary, CatalogImportDetail, FilledParameter, FilledText, FrameworkControl,
    ParameterSource, ParameterSpan, ProfileImportDetail, hex,
};

/// An imported catalog, as `catalog list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogSummary {
    /// Its name: the file name without `.json`.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Its version.
    pub version: String,
    /// The OSCAL version it declares.
    pub oscal_version: String,
    /// The file it was imported from (name only).
    pub file_name: String,
    /// SHA-256 of that file.
    pub sha256: String,
    /// How many controls it holds, enhancements and withdrawn ones included.
    pub controls: usize,
    /// When it was imported; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    pub imported_at: DateTime<Utc>,
}

/// The name a file gives: its file name without `.json`.
fn name_of(path: &Path) -> String {
    let file = file_name_of(path);
    match file.len().checked_sub(5) {
        Some(cut) if file.is_char_boundary(cut) && file[cut..].eq_ignore_ascii_case(".json") => {
            file[..cut].to_string()
        }
        _ => file,
    }
}

fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The SHA-256 of `bytes` in lowercase hex, as Lockstep writes hashes everywhere.
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

const CATALOG_COLUMNS: &str =
    "name, title, version, oscal_version, file_name, sha256, controls, imported_at";

fn catalog_from_row(row: &Row<'_>) -> super::db::Result<CatalogSummary> {
    Ok(CatalogSummary {
        name: row.get(0)?,
        title: row.get(1)?,
        version: row.get(2)?,
        oscal_version: row.get(3)?,
        file_name: row.get(4)?,
        sha256: row.get(5)?,
        controls: row.get::<_, i64>(6)?.max(0) as usize,
        imported_at: row.get(7)?,
    })
}

const PROFILE_COLUMNS: &str =
    "name, title, version, oscal_version, catalog, sha256, selected, imported_at";

fn profile_from_row(row: &Row<'_>) -> super::db::Result<BaselineSummary> {
    Ok(BaselineSummary {
        name: row.get(0)?,
        title: row.get(1)?,
        version: row.get(2)?,
        oscal_version: row.get(3)?,
        catalog: row.get(4)?,
        sha256: row.get(5)?,
        selected: row.get::<_, i64>(6)?.max(0) as usize,
        imported_at: row.get(7)?,
    })
}

/// Where one kind of imported file (catalogs or profiles) is kept: its table, the columns
/// its summary is read from, and how a row of those becomes the summary.
struct KeptFiles<T> {
    table: &'static str,
    columns: &'static str,
    from_row: fn(&Row<'_>) -> super::db::Result<T>,
}

/// The imported catalogs.
const CATALOGS: KeptFiles<CatalogSummary> = KeptFiles {
    table: "catalogs",
    columns: CATALOG_COLUMNS,
    from_row: catalog_from_row,
};

/// The imported profiles.
const PROFILES: KeptFiles<BaselineSummary> = KeptFiles {
    table: "profiles",
    columns: PROFILE_COLUMNS,
    from_row: profile_from_row,
};

/// A stored parameter, as written by serde from [`FilledParameter`].
#[derive(Deserialize)]
struct StoredParameter {
    id: String,
    label: String,
    value: String,
    source: StoredSource,
    #[serde(default)]
    aggregates: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum StoredSource {
    Value,
    Constraint,
    Selection,
    Label,
}

/// A stored span, as written by serde from [`ParameterSpan`].
#[derive(Deserialize)]
struct StoredSpan {
    start: usize,
    end: usize,
    param: String,
}

impl Store {
    /// Imports an OSCAL catalog from a JSON file; the same file again changes nothing.
    pub fn import_catalog(&mut self, path: &Path) -> Result<CatalogSummary> {
        let (bytes, catalog) = oscal::read_catalog(path)?;
        let content = String::from_utf8(bytes).map_err(|e| OscalError::InvalidJson {
            line: 0,
            column: 0,
            reason: e.to_string(),
            file: path.display().to_string(),
        })?;
        let summary = CatalogSummary {
            name: name_of(path),
            title: catalog.metadata.title.trim().to_string(),
            version: catalog.metadata.version.trim().to_string(),
            oscal_version: catalog.metadata.oscal_version.trim().to_string(),
            file_name: file_name_of(path),
            sha256: sha256_hex(content.as_bytes()),
            controls: all_controls(&catalog).len(),
            // The write transaction's time replaces it when the catalog is stored.
            imported_at: DateTime::UNIX_EPOCH,
        };
        self.write(|tx| {
            let by_name = tx.store.stored_catalog(&summary.name)?;
            let by_hash: Option<CatalogSummary> = tx
                .query_row(
                    &format!("SELECT {CATALOG_COLUMNS} FROM catalogs WHERE sha256 = ?1"),
                    [&summary.sha256],
                    catalog_from_row,
                )
                .optional()?;
            if let Some(same) = by_hash {
                return Ok(Change::Unchanged(same));
            }
            let replaced = by_name.is_some();
            tx.execute(
                "INSERT INTO catalogs (name, title, version, oscal_version, file_name, sha256,
                    controls, content, imported_by, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (name) DO UPDATE SET title = excluded.title,
                    version = excluded.version, oscal_version = excluded.oscal_version,
                    file_name = excluded.file_name, sha256 = excluded.sha256,
                    controls = excluded.controls, content = excluded.content,
                    imported_by = excluded.imported_by, imported_at = excluded.imported_at",
                params![
                    summary.name,
                    summary.title,
                    summary.version,
                    summary.oscal_version,
                    summary.file_name,
                    summary.sha256,
                    i64::try_from(summary.controls).unwrap_or(i64::MAX),
                    content,
                    tx.actor,
                    tx.at
                ],
            )?;
            let stored = CatalogSummary {
                imported_at: tx.now,
                ..summary.clone()
            };
            let action = Action::CatalogImport(Box::new(CatalogImportDetail {
                name: stored.name.clone(),
                title: stored.title.clone(),
                version: stored.version.clone(),
                file_name: stored.file_name.clone(),
                sha256: stored.sha256.clone(),
                controls: stored.controls,
                replaced,
            }));
            Ok(Change::Made(
                stored.clone(),
                Logged::new(None, stored.name, action),
            ))
        })
    }

    /// Every imported file of one kind, by name (ignoring case).
    fn kept_files<T>(&self, kept: &KeptFiles<T>) -> Result<Vec<T>> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT {} FROM {} ORDER BY name COLLATE NOCASE",
            kept.columns, kept.table
        ))?;
        let rows = statement.query_map([], kept.from_row)?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }

    /// The imported file of one kind with this name or title (ignoring case), if any; a
    /// file of that name wins over one of that title.
    fn kept_file<T>(&self, kept: &KeptFiles<T>, name: &str) -> Result<Option<T>> {
        let name = name.trim();
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {} FROM {}
                     WHERE name = ?1 COLLATE NOCASE OR title = ?1 COLLATE NOCASE
                     ORDER BY name = ?1 COLLATE NOCASE DESC LIMIT 1",
                    kept.columns, kept.table
                ),
                [name],
                kept.from_row,
            )
            .optional()?)
    }

    /// The imported catalogs, by name.
    pub fn catalogs(&self) -> Result<Vec<CatalogSummary>> {
        self.kept_files(&CATALOGS)
    }

    /// The catalog with this name or title (ignoring case), if imported.
    fn stored_catalog(&self, name: &str) -> Result<Option<CatalogSummary>> {
        self.kept_file(&CATALOGS, name)
    }

    /// The imported catalog with this name or title; an unknown name is an error naming the
    /// known ones.
    pub fn catalog(&self, name: &str) -> Result<CatalogSummary> {
        match self.stored_catalog(name)? {
            Some(found) => Ok(found),
            None => Err(StoreError::UnknownCatalog {
                name: name.trim().to_string(),
                known: self.catalogs()?.into_iter().map(|c| c.name).collect(),
            }),
        }
    }

    /// A stored catalog's document.
    fn catalog_document(&self, name: &str) -> Result<Catalog> {
        let content: String = self.conn.query_row(
            "SELECT content FROM catalogs WHERE name = ?1 COLLATE NOCASE",
            [name],
            |row| row.get(0),
        )?;
        match oscal::parse_document(content.as_bytes(), name, "catalog") {
            Ok(Document::Catalog(catalog)) => Ok(*catalog),
            _ => Err(StoreError::Corrupt(format!("the stored catalog '{name}'"))),
        }
    }

    /// Imports an OSCAL profile from a JSON file and resolves it. Its imports resolve
    /// against files (relative to the profile, or by file name in the profile's folder),
    /// then against imported catalogs of the same file name; with `catalog`, every catalog
    /// import resolves against that imported catalog instead. The same file again changes
    /// nothing.
    pub fn import_profile(
        &mut self,
        path: &Path,
        catalog: Option<&str>,
    ) -> Result<BaselineSummary> {
        let (bytes, profile) = oscal::read_profile(path)?;
        let content = String::from_utf8(bytes).map_err(|e| OscalError::InvalidJson {
            line: 0,
            column: 0,
            reason: e.to_string(),
            file: path.display().to_string(),
        })?;
        let file = ProfileFile {
            name: name_of(path),
            file_name: file_name_of(path),
            sha256: sha256_hex(content.as_bytes()),
            content,
            profile,
        };
        // Every document the profile imports is read before the write lock is taken; the
        // transaction then resolves the profile from memory.
        let forced = match catalog {
            Some(name) => Some(self.catalog(name)?.name),
            None => None,
        };
        if let Some(existing) = self.unchanged_profile(&file)? {
            return Ok(existing);
        }
        let loader = WorkspaceLoader {
            store: self,
            root: path.canonicalize().unwrap_or_else(|_| path.to_path_buf()),
            forced,
            names: RefCell::new(HashMap::new()),
        };
        let documents = oscal::prefetch(&file.profile, &loader);
        let names = loader.names.into_inner();
        self.write(|tx| {
            if let Some(existing) = tx.store.unchanged_profile(&file)? {
                return Ok(Change::Unchanged(existing));
            }
            let resolved = oscal::resolve(&file.profile, &documents)?;
            let catalog_name = resolved
                .catalogs
                .iter()
                .map(|key| names.get(key).cloned().unwrap_or_else(|| key.clone()))
                .collect::<Vec<_>>()
                .join(", ");
            let replaced = tx.store.stored_profile(&file.name)?.is_some();
            let summary = write_profile(tx, &file, &resolved, catalog_name)?;
            let action = Action::ProfileImport(Box::new(ProfileImportDetail {
                name: summary.name.clone(),
                title: summary.title.clone(),
                version: summary.version.clone(),
                catalog: summary.catalog.clone(),
                file_name: file.file_name.clone(),
                sha256: summary.sha256.clone(),
                selected: summary.selected,
                replaced,
            }));
            Ok(Change::Made(
                summary.clone(),
                Logged::new(None, summary.name, action),
            ))
        })
    }

    /// The stored profile of the same name, when it came from the same bytes.
    fn unchanged_profile(&self, file: &ProfileFile) -> Result<Option<BaselineSummary>> {
        Ok(self
            .stored_profile(&file.name)?
            .filter(|existing| existing.sha256 == file.sha256))
    }

    /// The imported profiles (baselines), by name.
    pub fn baselines(&self) -> Result<Vec<BaselineSummary>> {
        self.kept_files(&PROFILES)
    }

    /// The profile with this name or title (ignoring case), if imported.
    fn stored_profile(&self, name: &str) -> Result<Option<BaselineSummary>> {
        self.kept_file(&PROFILES, name)
    }

    /// The imported profile with this name or title (ignoring case); an unknown name is an
    /// error naming the known ones.
    pub fn baseline(&self, name: &str) -> Result<BaselineSummary> {
        match self.stored_profile(name)? {
            Some(found) => Ok(found),
            None => Err(StoreError::UnknownBaseline {
                name: name.trim().to_string(),
                known: self.baselines()?.into_iter().map(|b| b.name).collect(),
            }),
        }
    }

    /// The resolved catalog of a stored baseline, as written at its import (OSCAL JSON);
    /// `None` for a profile imported before Lockstep kept it.
    pub fn resolved_catalog(&self, name: &str) -> Result<Option<String>> {
        self.baseline(name)?;
        Ok(self
            .conn
            .query_row(
                "SELECT resolved_catalog FROM profiles WHERE name = ?1 COLLATE NOCASE",
                [name],
                |row| row.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// A baseline's resolved controls in order, the parents an as-is merge keeps included
    /// with `selected` false.
    pub fn baseline_controls(&self, name: &str) -> Result<Vec<FrameworkControl>> {
        self.read(|store| {
            let baseline = store.baseline(name)?;
            let mut statement = store.conn.prepare_cached(
                "SELECT c.position, c.control_id, c.label, c.family, c.family_title, c.title,
                    c.statement, c.statement_params, c.guidance, c.parameters, c.parent,
                    c.selected
                 FROM profile_controls c JOIN profiles p ON p.id = c.profile_id
                 WHERE p.name = ?1 COLLATE NOCASE ORDER BY c.position",
            )?;
            let rows = statement.query_map([&baseline.name], stored_control)?;
            let mut controls = Vec::new();
            for row in rows {
                let (control, spans, parameters) = row?;
                controls.push(filled_control(control, &spans, &parameters)?);
            }
            Ok(controls)
        })
    }
}

/// A stored control of a baseline, with its statement's spans and its parameters still
/// as the JSON they are stored as.
fn stored_control(row: &Row<'_>) -> super::db::Result<(FrameworkControl, String, String)> {
    let control = FrameworkControl {
        position: row.get::<_, i64>(0)?.max(0) as usize,
        id: row.get(1)?,
        label: row.get(2)?,
        family: row.get(3)?,
        family_title: row.get(4)?,
        title: row.get(5)?,
        statement: FilledText {
            text: row.get(6)?,
            params: Vec::new(),
        },
        guidance: row.get(8)?,
        parameters: Vec::new(),
        parent: row.get(10)?,
        selected: row.get(11)?,
    };
    Ok((control, row.get(7)?, row.get(9)?))
}

/// A stored control with its statement's spans and its parameters read from their JSON.
fn filled_control(
    mut control: FrameworkControl,
    spans: &str,
    parameters: &str,
) -> Result<FrameworkControl> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("{what} of {}", control.id));
    let spans: Vec<StoredSpan> =
        serde_json::from_str(spans).map_err(|_| corrupt("statement spans"))?;
    let parameters: Vec<StoredParameter> =
        serde_json::from_str(parameters).map_err(|_| corrupt("parameters"))?;
    control.statement.params = spans
        .into_iter()
        .map(|s| ParameterSpan {
            start: s.start,
            end: s.end,
            param: s.param,
        })
        .collect();
    control.parameters = parameters
        .into_iter()
        .map(|p| FilledParameter {
            id: p.id,
            label: p.label,
            value: p.value,
            source: match p.source {
                StoredSource::Value => ParameterSource::Value,
                StoredSource::Constraint => ParameterSource::Constraint,
                StoredSource::Selection => ParameterSource::Selection,
                StoredSource::Label => ParameterSource::Label,
            },
            aggregates: p.aggregates,
        })
        .collect();
    Ok(control)
}

/// A profile file read for import.
struct ProfileFile {
    /// The name it is stored under: its file name without `.json`.
    name: String,
    /// Its file name.
    file_name: String,
    /// SHA-256 of its bytes.
    sha256: String,
    /// Its text, kept as it was.
    content: String,
    /// The profile.
    profile: oscal::Profile,
}

/// Replaces the stored profile of the same name with `resolved`: its row, its resolved
/// catalog and its controls.
fn write_profile(
    tx: &Tx<'_>,
    file: &ProfileFile,
    resolved: &ResolvedBaseline,
    catalog: String,
) -> Result<BaselineSummary> {
    let metadata = &file.profile.metadata;
    tx.execute(
        "DELETE FROM profiles WHERE name = ?1 COLLATE NOCASE",
        [&file.name],
    )?;
    let summary = BaselineSummary {
        name: file.name.clone(),
        title: metadata.title.trim().to_string(),
        version: metadata.version.trim().to_string(),
        oscal_version: metadata.oscal_version.trim().to_string(),
        catalog,
        sha256: file.sha256.clone(),
        selected: resolved.selected(),
        imported_at: tx.now,
    };
    let uuid = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("lockstep:resolved-catalog:{}", file.sha256).as_bytes(),
    )
    .to_string();
    let resolved_catalog = resolved
        .catalog_json(&uuid, &summary.title, &summary.version, &tx.at)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    tx.execute(
        "INSERT INTO profiles (name, title, version, oscal_version, catalog, file_name,
            sha256, selected, content, imported_by, imported_at, resolved_catalog)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            summary.name,
            summary.title,
            summary.version,
            summary.oscal_version,
            summary.catalog,
            file.file_name,
            summary.sha256,
            i64::try_from(summary.selected).unwrap_or(i64::MAX),
            file.content,
            tx.actor,
            tx.at,
            resolved_catalog,
        ],
    )?;
    let profile_id = tx.last_insert_rowid()?;
    insert_profile_controls(tx, profile_id, &resolved.controls)?;
    Ok(summary)
}

/// Writes a resolved profile's controls under its row.
fn insert_profile_controls(
    tx: &Tx<'_>,
    profile_id: i64,
    controls: &[FrameworkControl],
) -> Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO profile_controls (profile_id, position, control_id, label, family,
            family_title, title, statement, statement_params, guidance, parameters,
            parent, selected)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for control in controls {
        let spans = serde_json::to_string(&control.statement.params)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let parameters = serde_json::to_string(&control.parameters)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        insert.execute(params![
            profile_id,
            i64::try_from(control.position).unwrap_or(i64::MAX),
            control.id,
            control.label,
            control.family,
            control.family_title,
            control.title,
            control.statement.text,
            spans,
            control.guidance,
            parameters,
            control.parent,
            control.selected
        ])?;
    }
    Ok(())
}

/// Finds a profile's imports in files and in the workspace's catalogs.
struct WorkspaceLoader<'a> {
    store: &'a Store,
    /// The profile being imported.
    root: PathBuf,
    /// The imported catalog every catalog import resolves to (`--catalog`).
    forced: Option<String>,
    /// The name to record for each catalog key loaded.
    names: RefCell<HashMap<String, String>>,
}

/// Keys of stored catalogs start with this, so they never look like a path.
const STORED: &str = "catalog:";

impl WorkspaceLoader<'_> {
    fn stored(&self, name: &str) -> Result<Loaded, OscalError> {
        let catalog =
            self.store
                .catalog_document(name)
                .map_err(|e| OscalError::UnresolvedImport {
                    href: name.to_string(),
                    reason: e.to_string(),
                })?;
        let key = format!("{STORED}{name}");
        self.names
            .borrow_mut()
            .insert(key.clone(), name.to_string());
        Ok(Loaded {
            key,
            document: Document::Catalog(Box::new(catalog)),
        })
    }

    fn file(&self, path: &Path) -> Result<Loaded, OscalError> {
        let (bytes, document) = oscal::read_document(path, "catalog or profile")?;
        let key = path
            .canonicalize()
            .unwrap_or_else(|_| path.to_path_buf())
            .display()
            .to_string();
        if matches!(document, Document::Catalog(_)) {
            let sha256 = sha256_hex(&bytes);
            let stored: Option<String> = self
                .store
                .conn
                .query_row(
                    "SELECT name FROM catalogs WHERE sha256 = ?1",
                    [&sha256],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|e| OscalError::UnresolvedImport {
                    href: path.display().to_string(),
                    reason: format!("the workspace's catalogs cannot be read ({e})"),
                })?;
            self.names
                .borrow_mut()
                .insert(key.clone(), stored.unwrap_or_else(|| name_of(path)));
        }
        Ok(Loaded { key, document })
    }
}

impl Loader for WorkspaceLoader<'_> {
    fn root(&self) -> String {
        self.root.display().to_string()
    }

    fn load(&self, from: &str, href: &str) -> Result<Loaded, OscalError> {
        let unresolved = |reason: String| OscalError::UnresolvedImport {
            href: href.to_string(),
            reason,
        };
        let base = if from.starts_with(STORED) {
            self.root.parent().map(Path::to_path_buf)
        } else {
            Path::new(from).parent().map(Path::to_path_buf)
        }
        .unwrap_or_default();
        let remote = href.contains("://");
        let relative = href.strip_prefix("file://").unwrap_or(href);
        let direct = (!remote || href.starts_with("file://")).then(|| base.join(relative));
        let file_name = href.rsplit(['/', '\\']).next().unwrap_or(href).to_string();
        let beside = base.join(&file_name);
        let found = direct
            .filter(|p| p.is_file())
            .or_else(|| (!file_name.is_empty() && beside.is_file()).then_some(beside));
        if let Some(forced) = &self.forced {
            // A profile file stays a profile; anything else, a catalog file or one that
            // cannot be read, gives way to the chosen catalog, as `--catalog` asks.
            if let Some(path) = &found
                && let Ok(loaded) = self.file(path)
                && matches!(loaded.document, Document::Profile(_))
            {
                return Ok(loaded);
            }
            return self.stored(forced);
        }
        if let Some(path) = found {
            return self.file(&path);
        }
        let stored: Option<String> = self
            .store
            .conn
            .query_row(
                "SELECT name FROM catalogs WHERE file_name = ?1 COLLATE NOCASE",
                [&file_name],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| unresolved(e.to_string()))?;
        match stored {
            Some(name) => self.stored(&name),
            None if remote => Err(unresolved(
                "Lockstep does not fetch documents from the web; import the catalog first with `lockstep catalog import`, or pass --catalog NAME".to_string(),
            )),
            None => Err(unresolved(format!(
                "there is no such file next to the profile and no imported catalog came from a file named '{file_name}'; import the catalog first with `lockstep catalog import`, or pass --catalog NAME"
            ))),
        }
    }
}

//! A provider's Customer Responsibility Matrix (CRM), imported for a baseline project.
//!
//! The FedRAMP CIS/CRM workbook and the CSV files cut from it name each control ("Control
//! ID", in either form: `AC-2(1)` or `ac-2.1`), say whether it "Can Be Inherited from CSP"
//! (Yes, Partial, No) and describe the "Specific Inheritance and Customer Agency/CSP
//! Responsibilities". Columns are found by name, ignoring case and extra spaces, in the first
//! row that names all three: the workbook has title rows above its header. In a workbook, the
//! first sheet with such a row is read, a sheet named like "CRM" first.
//!
//! Rows are checked like every import: a refused row is reported as `line N: reason` (the
//! sheet's row number, or the CSV file's line), the good rows are stored in one transaction
//! with one activity row, and the project's CRM is replaced whole. The controls the old or new
//! CRM names are placed again; a control a person moved keeps its column.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::db::{Connection, params};

use super::controls::{load_controls, write_placement};
use super::srm_index::SrmIndex;
use super::write::{Change, Logged};
use super::{Result, Store, StoreError};
pub use crate::import::crm::{CRM_COLUMNS, CrmError};
use crate::import::crm::{CrmFile, read_crm};
use crate::import::{ImportReport, RowProblem};
use crate::model::{Action, CrmAnswer, CrmEntry, ImportedFile, Reason};

/// The project's CRM entries, by OSCAL id.
pub(super) fn load_crm(conn: &Connection, project: i64) -> Result<HashMap<String, CrmEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT control_id, answer, responsibility FROM project_crm WHERE project_id = ?1",
    )?;
    let rows = stmt.query_map([project], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (control, answer, text) = row?;
        let answer = answer
            .parse::<CrmAnswer>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        out.insert(
            control.clone(),
            CrmEntry {
                control,
                answer,
                text,
            },
        );
    }
    Ok(out)
}

/// Checks a CRM's rows against the project's baseline controls: the entries to store, and
/// the report with every refused row in line order.
fn check_crm_rows(
    file: &CrmFile,
    by_label: &HashMap<&str, &crate::model::Control>,
) -> (Vec<CrmEntry>, ImportReport) {
    let mut report = ImportReport {
        rows: file.data_rows,
        refused: file.problems.clone(),
        ..ImportReport::default()
    };
    let mut entries: Vec<CrmEntry> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in &file.rows {
        let refuse = |reason: String| RowProblem::new(row.line, reason);
        if !by_label.contains_key(row.label.as_str()) {
            report.refused.push(refuse(format!(
                "the project's baseline has no control {}",
                row.label
            )));
            continue;
        }
        let answer = match &row.answer {
            Ok(answer) => *answer,
            Err(reason) => {
                report.refused.push(refuse(reason.clone()));
                continue;
            }
        };
        if let Some(first) = seen.get(&row.control) {
            report.refused.push(refuse(format!(
                "{} is already given on line {first}",
                row.label
            )));
            continue;
        }
        seen.insert(row.control.clone(), row.line);
        entries.push(CrmEntry {
            control: row.control.clone(),
            answer,
            text: row.text.clone(),
        });
    }
    // Each row has at most one problem, so line order is the rows' order.
    report.refused.sort_by_key(|problem| problem.line);
    report.imported = entries.len();
    (entries, report)
}

/// Replaces the project's stored CRM with `entries`.
fn replace_crm(conn: &Connection, project: i64, entries: &[CrmEntry]) -> Result<()> {
    conn.execute("DELETE FROM project_crm WHERE project_id = ?1", [project])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO project_crm (project_id, control_id, answer, responsibility)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for entry in entries {
        insert.execute(params![
            project,
            entry.control,
            entry.answer.as_str(),
            entry.text
        ])?;
    }
    Ok(())
}

/// Places again every control the old or the new CRM names, except those a person moved;
/// the labels of the placed controls the new CRM names.
fn place_again(
    conn: &Connection,
    old: &HashMap<String, CrmEntry>,
    crm: &HashMap<String, CrmEntry>,
    by_label: &HashMap<&str, &crate::model::Control>,
    index: &SrmIndex,
) -> Result<Vec<String>> {
    let named: BTreeSet<&String> = old.keys().chain(crm.keys()).collect();
    let mut placed = Vec::new();
    for oscal in named {
        let label = crate::model::label_of(oscal);
        let Some(control) = by_label.get(label.as_str()) else {
            continue;
        };
        if control.reason == Some(Reason::Person) {
            continue;
        }
        let Some(framework) = &control.framework else {
            continue;
        };
        let (placement, covered) = index.place(oscal, &framework.family, crm);
        write_placement(conn, control.key, &placement, &covered)?;
        if crm.contains_key(oscal) {
            placed.push(label);
        }
    }
    Ok(placed)
}

impl Store {
    /// The project's imported CRM, in control order.
    pub fn crm_entries(&self, project: i64) -> Result<Vec<CrmEntry>> {
        let mut entries: Vec<CrmEntry> = load_crm(&self.conn, project)?.into_values().collect();
        entries.sort_by(|a, b| a.control.cmp(&b.control));
        Ok(entries)
    }

    /// Imports a provider's CRM (`.csv` or `.xlsx`) for a baseline project, replacing the one
    /// before, and places again the controls either names (a person's move stays). Refused
    /// rows are in the report; when no row is good, nothing changes.
    pub fn import_crm(&mut self, project: i64, path: &Path) -> Result<ImportReport> {
        let current = self.project(project)?;
        if current.baseline.is_none() {
            return Err(StoreError::CrmNeedsBaseline(current.name));
        }
        let file = read_crm(path)?;
        self.write(|tx| {
            let controls = load_controls(tx, project)?;
            let by_label: HashMap<&str, &crate::model::Control> = controls
                .iter()
                .filter(|c| c.framework.is_some() && !c.retired)
                .map(|c| (c.id.as_str(), c))
                .collect();
            let (entries, report) = check_crm_rows(&file, &by_label);
            if entries.is_empty() {
                return Ok(Change::Unchanged(report));
            }
            let old = load_crm(tx, project)?;
            replace_crm(tx, project, &entries)?;
            // Place again every control the old or the new CRM names.
            let crm: HashMap<String, CrmEntry> = entries
                .iter()
                .map(|e| (e.control.clone(), e.clone()))
                .collect();
            let index = SrmIndex::new(&current.services);
            let placed = place_again(tx, &old, &crm, &by_label, &index)?;
            let import = ImportedFile {
                file_name: file.file_name.clone(),
                file_sha256: file.sha256.clone(),
                rows: report.rows as u64,
                imported: report.imported as u64,
                refused: report.refused.len() as u64,
            };
            Ok(Change::Made(
                report,
                Logged::new(Some(project), "", Action::CrmImport { placed, import }),
            ))
        })
    }
}

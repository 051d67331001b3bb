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
use std::io;
use std::path::{Path, PathBuf};

use super::db::{Connection, params};
use sha2::{Digest, Sha256};

use super::controls::{load_controls, write_placement};
use super::srm_index::SrmIndex;
use super::write::{Change, Logged};
use super::{Result, Store, StoreError};
use crate::import::{ImportReport, RowProblem};
use crate::model::{Action, CrmAnswer, CrmEntry, ImportedFile, Reason, hex, oscal_id_of};

/// The three columns a CRM must have, as matched (lower case, single spaces).
pub const CRM_COLUMNS: [&str; 3] = [
    "control id",
    "can be inherited from csp",
    "specific inheritance and customer agency/csp responsibilities",
];

/// What makes a CRM file unusable as a whole. Each message is one sentence; the path is last.
#[derive(Debug, thiserror::Error)]
pub enum CrmError {
    /// The file cannot be read.
    #[error("cannot read this file ({reason}): {path}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: io::Error,
    },
    /// Neither `.csv` nor `.xlsx`.
    #[error("a CRM is read from a .csv or .xlsx file: {0}")]
    UnknownKind(PathBuf),
    /// The workbook cannot be opened.
    #[error("this file cannot be read as an .xlsx workbook ({reason}): {path}")]
    Workbook {
        /// What the reader said.
        reason: String,
        /// The file.
        path: PathBuf,
    },
    /// A CSV file that is not UTF-8.
    #[error("this file is not UTF-8 text; save it as \"CSV UTF-8\" and import it again: {0}")]
    NotUtf8(PathBuf),
    /// A CSV file the parser stops on.
    #[error("this file cannot be read as CSV from line {line} ({reason}): {path}")]
    Malformed {
        /// Where reading stopped.
        line: u64,
        /// What the parser said.
        reason: String,
        /// The file.
        path: PathBuf,
    },
    /// No row names the three columns.
    #[error(
        "no row names the columns \"Control ID\", \"Can Be Inherited from CSP\" and \"Specific Inheritance and Customer Agency/CSP Responsibilities\": {0}"
    )]
    NoHeader(PathBuf),
}

/// A grid of cells read from a file, each row with its line or sheet row number.
struct Grid {
    rows: Vec<(u64, Vec<String>)>,
}

/// Lower case with runs of white space made one space.
fn normal(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Grid {
    /// The header row's index and the positions of the three columns.
    fn header(&self) -> Option<(usize, [usize; 3])> {
        self.rows
            .iter()
            .enumerate()
            .find_map(|(index, (_, cells))| {
                let names: Vec<String> = cells.iter().map(|c| normal(c)).collect();
                let mut found = [0; 3];
                for (slot, column) in found.iter_mut().zip(CRM_COLUMNS) {
                    *slot = names.iter().position(|name| name == column)?;
                }
                Some((index, found))
            })
    }
}

fn read_csv_grid(bytes: &[u8], path: &Path) -> std::result::Result<Grid, CrmError> {
    let text = std::str::from_utf8(bytes).map_err(|_| CrmError::NotUtf8(path.to_path_buf()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    crate::input::csv::check_quotes(text.as_bytes()).map_err(|e| CrmError::Malformed {
        line: e.line(),
        reason: e.to_string(),
        path: path.to_path_buf(),
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| CrmError::Malformed {
            line: error.position().map(|p| p.line()).unwrap_or(1),
            reason: error.to_string(),
            path: path.to_path_buf(),
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    Ok(Grid { rows })
}

fn read_xlsx_grid(bytes: &[u8], path: &Path) -> std::result::Result<Grid, CrmError> {
    use calamine::Reader;
    let bad = |reason: String| CrmError::Workbook {
        reason,
        path: path.to_path_buf(),
    };
    let mut workbook: calamine::Xlsx<_> =
        calamine::Xlsx::new(io::Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    let mut names = workbook.sheet_names();
    // A sheet named like the CRM comes first; the FedRAMP workbook also has a CIS sheet.
    names.sort_by_key(|name| !normal(name).contains("crm"));
    let mut first = None;
    for name in names {
        let rows =
            crate::input::xlsx::read_sheet(&mut workbook, &name).map_err(|e| bad(e.to_string()))?;
        let grid = Grid { rows };
        if grid.header().is_some() {
            return Ok(grid);
        }
        first.get_or_insert(grid);
    }
    Ok(first.unwrap_or(Grid { rows: Vec::new() }))
}

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
        let bytes = crate::input::read(path, crate::input::MAX_TABLE_BYTES).map_err(|reason| {
            CrmError::Unreadable {
                path: path.to_path_buf(),
                reason,
            }
        })?;
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let grid = match extension.as_str() {
            "csv" => read_csv_grid(&bytes, path)?,
            "xlsx" => read_xlsx_grid(&bytes, path)?,
            _ => return Err(CrmError::UnknownKind(path.to_path_buf()).into()),
        };
        let (header, [id_at, answer_at, text_at]) = grid
            .header()
            .ok_or_else(|| CrmError::NoHeader(path.to_path_buf()))?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let sha256 = hex(&Sha256::digest(&bytes));
        self.write(|tx| {
            let controls = load_controls(tx, project)?;
            let by_label: HashMap<&str, &crate::model::Control> = controls
                .iter()
                .filter(|c| c.framework.is_some() && !c.retired)
                .map(|c| (c.id.as_str(), c))
                .collect();
            let mut report = ImportReport::default();
            let mut entries: Vec<CrmEntry> = Vec::new();
            let mut seen: HashMap<String, u64> = HashMap::new();
            for (line, cells) in grid.rows.iter().skip(header + 1) {
                // A cell Lockstep neutralised when it exported the CRM reads back as it was.
                let cell = |at: usize| {
                    cells
                        .get(at)
                        .map(|c| crate::cells::restored(c.trim()))
                        .unwrap_or("")
                };
                if cells.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                report.rows += 1;
                let (id, answer, text) = (cell(id_at), cell(answer_at), cell(text_at));
                let refuse = |reason: String| RowProblem::new(*line, reason);
                let Some(oscal) = oscal_id_of(id) else {
                    report.refused.push(refuse(if id.is_empty() {
                        "the control id is blank".to_string()
                    } else {
                        format!("'{id}' is not a control id such as AC-2(1) or ac-2.1")
                    }));
                    continue;
                };
                let label = crate::model::label_of(&oscal);
                if !by_label.contains_key(label.as_str()) {
                    report.refused.push(refuse(format!(
                        "the project's baseline has no control {label}"
                    )));
                    continue;
                }
                let answer = match answer.parse::<CrmAnswer>() {
                    Ok(answer) => answer,
                    Err(_) if answer.is_empty() => {
                        report.refused.push(refuse(
                            "\"Can Be Inherited from CSP\" is blank: use Yes, Partial or No"
                                .to_string(),
                        ));
                        continue;
                    }
                    Err(e) => {
                        report.refused.push(refuse(e.to_string()));
                        continue;
                    }
                };
                if let Some(first) = seen.get(&oscal) {
                    report
                        .refused
                        .push(refuse(format!("{label} is already given on line {first}")));
                    continue;
                }
                seen.insert(oscal.clone(), *line);
                entries.push(CrmEntry {
                    control: oscal,
                    answer,
                    text: text.to_string(),
                });
            }
            report.imported = entries.len();
            if entries.is_empty() {
                return Ok(Change::Unchanged(report));
            }
            let old = load_crm(tx, project)?;
            tx.execute("DELETE FROM project_crm WHERE project_id = ?1", [project])?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO project_crm (project_id, control_id, answer, responsibility)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for entry in &entries {
                insert.execute(params![
                    project,
                    entry.control,
                    entry.answer.as_str(),
                    entry.text
                ])?;
            }
            // Place again every control the old or the new CRM names.
            let crm: HashMap<String, CrmEntry> = entries
                .iter()
                .map(|e| (e.control.clone(), e.clone()))
                .collect();
            let named: BTreeSet<String> = old.keys().chain(crm.keys()).cloned().collect();
            let index = SrmIndex::new(&current.services);
            let mut placed = Vec::new();
            for oscal in &named {
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
                let (placement, covered) = index.place(oscal, &framework.family, &crm);
                write_placement(tx, control.key, &placement, &covered)?;
                if crm.contains_key(oscal) {
                    placed.push(label);
                }
            }
            let import = ImportedFile {
                file_name: file_name.clone(),
                file_sha256: sha256.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_found_below_title_rows_ignoring_case_and_spaces() {
        let grid = Grid {
            rows: vec![
                (1, vec!["FedRAMP CRM".into()]),
                (2, vec![]),
                (
                    3,
                    vec![
                        " control  ID".into(),
                        "Can be inherited from CSP ".into(),
                        "Specific Inheritance and Customer Agency/CSP  Responsibilities".into(),
                    ],
                ),
            ],
        };
        assert_eq!(grid.header(), Some((2, [0, 1, 2])));
    }

    #[test]
    fn a_grid_without_the_three_columns_has_no_header() {
        let grid = Grid {
            rows: vec![(1, vec!["Control ID".into(), "Answer".into()])],
        };
        assert_eq!(grid.header(), None);
    }
}

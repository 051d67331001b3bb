//! Reading a provider's Customer Responsibility Matrix (CRM) into rows, with no database
//! access.
//!
//! The FedRAMP CIS/CRM workbook and the CSV files cut from it name each control ("Control
//! ID", in either form: `AC-2(1)` or `ac-2.1`), say whether it "Can Be Inherited from CSP"
//! (Yes, Partial, No) and describe the "Specific Inheritance and Customer Agency/CSP
//! Responsibilities". Columns are found by name, ignoring case and extra spaces, in the first
//! row that names all three: the workbook has title rows above its header. In a workbook, the
//! first sheet with such a row is read, a sheet named like "CRM" first. A row whose control
//! id cannot be read is refused here; the store checks the rest against the project.

use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::RowProblem;
use super::table::{CsvLines, CsvTextError, csv_text, file_name_of};
use crate::model::{CrmAnswer, hex, label_of, oscal_id_of};

/// A CRM file read into rows.
#[derive(Debug, Clone)]
pub struct CrmFile {
    /// The file's name; empty when the path has none.
    pub file_name: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Data rows below the header (rows of blank cells not counted).
    pub data_rows: usize,
    /// Rows whose control id could be read, in file order.
    pub rows: Vec<CrmRow>,
    /// Rows refused for their control id, in file order.
    pub problems: Vec<RowProblem>,
}

/// One row of a CRM with a control id.
#[derive(Debug, Clone)]
pub struct CrmRow {
    /// The line (CSV) or sheet row number.
    pub line: u64,
    /// The control's OSCAL id.
    pub control: String,
    /// The control's label, as the baseline names it.
    pub label: String,
    /// The answer, or why the cell is not one.
    pub answer: Result<CrmAnswer, String>,
    /// The responsibility text.
    pub text: String,
}

/// Reads a CRM from a `.csv` or `.xlsx` file: its header row, then every row below it.
pub fn read_crm(path: &Path) -> Result<CrmFile, CrmError> {
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
        _ => return Err(CrmError::UnknownKind(path.to_path_buf())),
    };
    let (header, columns) = grid
        .header()
        .ok_or_else(|| CrmError::NoHeader(path.to_path_buf()))?;
    let mut file = CrmFile {
        file_name: path
            .file_name()
            .map(|_| file_name_of(path))
            .unwrap_or_default(),
        sha256: hex(&Sha256::digest(&bytes)),
        data_rows: 0,
        rows: Vec::new(),
        problems: Vec::new(),
    };
    for (line, cells) in grid.rows.iter().skip(header + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        file.data_rows += 1;
        match crm_row(*line, cells, columns) {
            Ok(row) => file.rows.push(row),
            Err(problem) => file.problems.push(problem),
        }
    }
    Ok(file)
}

/// One non-blank row below the header, or the problem with its control id.
fn crm_row(
    line: u64,
    cells: &[String],
    [id_at, answer_at, text_at]: [usize; 3],
) -> Result<CrmRow, RowProblem> {
    // A cell Lockstep neutralised when it exported the CRM reads back as it was.
    let cell = |at: usize| {
        cells
            .get(at)
            .map(|c| crate::cells::restored(c.trim()))
            .unwrap_or("")
    };
    let (id, answer, text) = (cell(id_at), cell(answer_at), cell(text_at));
    let Some(control) = oscal_id_of(id) else {
        return Err(RowProblem::new(
            line,
            if id.is_empty() {
                "the control id is blank".to_string()
            } else {
                format!("'{id}' is not a control id such as AC-2(1) or ac-2.1")
            },
        ));
    };
    let answer = match answer.parse::<CrmAnswer>() {
        Ok(answer) => Ok(answer),
        Err(_) if answer.is_empty() => {
            Err("\"Can Be Inherited from CSP\" is blank: use Yes, Partial or No".to_string())
        }
        Err(e) => Err(e.to_string()),
    };
    Ok(CrmRow {
        line,
        label: label_of(&control),
        control,
        answer,
        text: text.to_string(),
    })
}

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

fn read_csv_grid(bytes: &[u8], path: &Path) -> Result<Grid, CrmError> {
    let from_csv = |error: CsvTextError| match error {
        CsvTextError::NotUtf8 { .. } => CrmError::NotUtf8(path.to_path_buf()),
        CsvTextError::Malformed { line, reason } => CrmError::Malformed {
            line,
            reason,
            path: path.to_path_buf(),
        },
    };
    let text = csv_text(bytes).map_err(from_csv)?;
    let mut rows = Vec::new();
    for record in CsvLines::new(text) {
        let (line, record) = record.map_err(from_csv)?;
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    Ok(Grid { rows })
}

fn read_xlsx_grid(bytes: &[u8], path: &Path) -> Result<Grid, CrmError> {
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

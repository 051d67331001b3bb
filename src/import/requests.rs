//! Reading an auditor's request list (`.csv` or `.xlsx`) into rows, with no database
//! access: columns are found by the names auditors use for them, due dates are read in the
//! one format the due column uses, and a row with no id, a repeated id, or a due date or
//! status that cannot be read is refused by line. The store then adds or updates the
//! project's requests from the rows in one transaction.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::RowProblem;
use super::table::{CsvError, CsvLines, csv_text, file_name_of};
use crate::model::{
    DateColumnError, DateFormat, RequestStatus, detect_date_format, hex, split_references,
};

/// A request list's rows, read and checked on their own: what an import adds or updates.
#[derive(Debug)]
pub struct RequestRows {
    /// The file's name.
    pub file_name: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Data rows in the file (blank rows not counted).
    pub data_rows: usize,
    /// Rows that can be stored, in file order.
    pub rows: Vec<ListRow>,
    /// Rows refused while reading.
    pub refused: Vec<RowProblem>,
}

/// Reads a request list and its rows (see [`read_request_list`] and [`read_list_rows`]).
pub fn read_request_rows(path: &Path) -> Result<RequestRows, RequestListError> {
    let list = read_request_list(path)?;
    let (rows, refused) = read_list_rows(&list, path)?;
    Ok(RequestRows {
        data_rows: list.rows.len(),
        file_name: list.file_name,
        sha256: list.sha256,
        rows,
        refused,
    })
}

/// A column of the list that Lockstep has no field for, kept with the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct OtherColumn {
    /// The column's name as the list writes it.
    pub name: String,
    /// The cell.
    pub value: String,
}

/// What makes a request list unusable as a whole. Each message is one sentence; the path
/// is last.
#[derive(Debug, thiserror::Error)]
pub enum RequestListError {
    /// The file cannot be read.
    #[error("cannot read this file ({reason}): {path}")]
    Unreadable {
        /// Why.
        reason: String,
        /// The file.
        path: PathBuf,
    },
    /// Neither `.csv` nor `.xlsx`.
    #[error("a request list must be a .csv or .xlsx file: {0}")]
    UnknownKind(PathBuf),
    /// No header row.
    #[error(
        "this file is empty; it needs a header row with an ID column and a Request column: {0}"
    )]
    Empty(PathBuf),
    /// No id column.
    #[error(
        "the header row has no request id column (it names {found}); name it ID, Ref or Request #: {path}"
    )]
    NoIdColumn {
        /// The header's names.
        found: String,
        /// The file.
        path: PathBuf,
    },
    /// The CSV cannot be parsed or is not UTF-8, or the header names a column twice: the
    /// same sentences as any other CSV import's.
    #[error(transparent)]
    Table(#[from] CsvError),
    /// The due column's dates cannot be read safely.
    #[error("{reason}: {path}")]
    Dates {
        /// Why, shown in the sentence rather than as a cause of its own.
        reason: DateColumnError,
        /// The file.
        path: PathBuf,
    },
}

/// The fields a list's columns fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    Request,
    Controls,
    Owner,
    Due,
    Priority,
    Status,
}

/// Header names each field accepts (lower case, single spaces), best first: when a list
/// has two of them, the first fills the field and the other is kept as another column.
const FIELD_NAMES: &[(Field, &[&str])] = &[
    (
        Field::Id,
        &[
            "id",
            "request id",
            "request #",
            "request no.",
            "request no",
            "request number",
            "ref",
            "ref #",
            "ref.",
            "reference",
            "item #",
            "#",
        ],
    ),
    (
        Field::Request,
        &[
            "request",
            "requested item",
            "pbc item",
            "request description",
            "description",
            "item",
        ],
    ),
    (
        Field::Controls,
        &[
            "control",
            "controls",
            "control reference",
            "control references",
            "control id",
            "control ids",
            "criteria",
        ],
    ),
    (Field::Owner, &["owner", "assigned to", "assignee"]),
    (Field::Due, &["due", "due date"]),
    (Field::Priority, &["priority"]),
    (Field::Status, &["status"]),
];

/// A request list read whole: header names and rows of cells, each with its line.
#[derive(Debug, Clone, Default)]
pub struct RequestList {
    /// The file's name.
    pub file_name: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Header cells as written.
    pub header: Vec<String>,
    /// Data rows: line (header is line 1) and cells; rows of blank cells are left out.
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Reads a request list from a `.csv` (UTF-8) or `.xlsx` file (its first sheet). Dates
/// stored as dates in a workbook come back as `YYYY-MM-DD`.
pub fn read_request_list(path: &Path) -> Result<RequestList, RequestListError> {
    let bytes = crate::input::read(path, crate::input::MAX_TABLE_BYTES).map_err(|e| {
        RequestListError::Unreadable {
            reason: e.to_string(),
            path: path.to_path_buf(),
        }
    })?;
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut list = match extension.as_str() {
        "csv" | "txt" => parse_csv_list(&bytes, path)?,
        "xlsx" | "xlsm" => parse_xlsx_list(&bytes, path)?,
        _ => return Err(RequestListError::UnknownKind(path.to_path_buf())),
    };
    list.sha256 = hex(&Sha256::digest(&bytes));
    list.file_name = file_name_of(path);
    Ok(list)
}

fn parse_csv_list(bytes: &[u8], path: &Path) -> Result<RequestList, RequestListError> {
    let text = csv_text(bytes).map_err(|e| e.at(path))?;
    let mut list = RequestList::default();
    let mut header = None;
    for record in CsvLines::new(text) {
        let (line, record) = record.map_err(|e| e.at(path))?;
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if header.is_none() {
            header = Some(cells);
        } else {
            list.rows.push((line, cells));
        }
    }
    list.header = header.ok_or_else(|| RequestListError::Empty(path.to_path_buf()))?;
    Ok(list)
}

fn parse_xlsx_list(bytes: &[u8], path: &Path) -> Result<RequestList, RequestListError> {
    let unreadable = |reason: String| RequestListError::Unreadable {
        reason,
        path: path.to_path_buf(),
    };
    use calamine::Reader as _;
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| unreadable(format!("not an .xlsx workbook: {e}")))?;
    let first = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| RequestListError::Empty(path.to_path_buf()))?;
    let mut rows = crate::input::xlsx::read_sheet(&mut workbook, &first)
        .map_err(|e| unreadable(e.to_string()))?
        .into_iter();
    let header = rows
        .next()
        .map(|(_, cells)| cells)
        .ok_or_else(|| RequestListError::Empty(path.to_path_buf()))?;
    Ok(RequestList {
        header,
        rows: rows.collect(),
        ..RequestList::default()
    })
}

/// Where each field's column is, and the other columns.
struct Columns {
    fields: Vec<(Field, usize)>,
    other: Vec<(String, usize)>,
}

impl Columns {
    fn find(list: &RequestList, path: &Path) -> Result<Columns, RequestListError> {
        let names: Vec<String> = list
            .header
            .iter()
            .map(|h| {
                h.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            })
            .collect();
        for (index, name) in names.iter().enumerate() {
            if !name.is_empty() && names[..index].contains(name) {
                return Err(CsvError::DuplicateColumn {
                    column: list.header[index].clone(),
                    path: path.to_path_buf(),
                }
                .into());
            }
        }
        let mut fields = Vec::new();
        for (field, accepted) in FIELD_NAMES {
            if let Some(index) = accepted
                .iter()
                .find_map(|wanted| names.iter().position(|name| name == wanted))
            {
                fields.push((*field, index));
            }
        }
        if !fields.iter().any(|(field, _)| *field == Field::Id) {
            return Err(RequestListError::NoIdColumn {
                found: if names.iter().all(String::is_empty) {
                    "nothing".to_string()
                } else {
                    list.header.join(", ")
                },
                path: path.to_path_buf(),
            });
        }
        let other = list
            .header
            .iter()
            .enumerate()
            .filter(|(index, name)| {
                !name.is_empty() && !fields.iter().any(|(_, used)| used == index)
            })
            .map(|(index, name)| (name.clone(), index))
            .collect();
        Ok(Columns { fields, other })
    }

    fn index(&self, field: Field) -> Option<usize> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, index)| *index)
    }
}

/// A row of the list, read into the fields it sets.
#[derive(Debug, Clone)]
pub struct ListRow {
    /// The row's line; the header is line 1.
    pub line: u64,
    /// The request id, not blank.
    pub id: String,
    /// The request's text, when the list has that column.
    pub request: Option<String>,
    /// The control references, one a line, when the list has that column.
    pub refs: Option<String>,
    /// The owner, when the list has that column.
    pub owner: Option<String>,
    /// The due date (`None` inside when blank), when the list has that column.
    pub due: Option<Option<NaiveDate>>,
    /// The priority, when the list has that column.
    pub priority: Option<String>,
    /// The status, when the list gives one.
    pub status: Option<RequestStatus>,
    /// The non-blank cells of the list's other columns.
    pub other: Vec<OtherColumn>,
}

/// Reads a request list's rows into the fields they set, and refuses by line the rows
/// that have no id, repeat another row's id (every such row), or hold a due date or status
/// that cannot be read.
pub fn read_list_rows(
    list: &RequestList,
    path: &Path,
) -> Result<(Vec<ListRow>, Vec<RowProblem>), RequestListError> {
    let columns = Columns::find(list, path)?;
    let cell = |cells: &[String], field: Field| -> Option<String> {
        columns
            .index(field)
            .map(|index| cells.get(index).cloned().unwrap_or_default())
    };
    let format = due_date_format(list, &columns, path)?;
    let mut refused = Vec::new();
    let mut rows: Vec<ListRow> = Vec::with_capacity(list.rows.len());
    let mut first_line: HashMap<String, u64> = HashMap::with_capacity(list.rows.len());
    let mut repeated: HashMap<String, Vec<u64>> = HashMap::new();
    for (line, cells) in &list.rows {
        let line = *line;
        let id = cell(cells, Field::Id).unwrap_or_default();
        if id.is_empty() {
            refused.push(RowProblem::new(line, "the request id is blank"));
            continue;
        }
        let lower = id.to_lowercase();
        if let Some(first) = first_line.get(&lower) {
            repeated
                .entry(lower)
                .or_insert_with(|| vec![*first])
                .push(line);
            continue;
        }
        first_line.insert(lower, line);
        let due = match cell(cells, Field::Due) {
            None => None,
            Some(text) if text.is_empty() => Some(None),
            Some(text) => match format.parse(&text) {
                Some(day) => Some(Some(day)),
                None => {
                    refused.push(RowProblem::new(
                        line,
                        format!(
                            "'{text}' is not a due date; write it as {}",
                            format.pattern()
                        ),
                    ));
                    continue;
                }
            },
        };
        let status = match cell(cells, Field::Status).filter(|s| !s.is_empty()) {
            None => None,
            Some(text) => match text.parse::<RequestStatus>() {
                Ok(status) => Some(status),
                Err(error) => {
                    refused.push(RowProblem::new(line, error));
                    continue;
                }
            },
        };
        let other = other_columns(&columns, cells);
        rows.push(ListRow {
            line,
            id,
            request: cell(cells, Field::Request),
            refs: cell(cells, Field::Controls).map(|r| split_references(&r).join("\n")),
            owner: cell(cells, Field::Owner),
            due,
            priority: cell(cells, Field::Priority),
            status,
            other,
        });
    }
    refuse_repeated_ids(&mut rows, &repeated, &mut refused);
    Ok((rows, refused))
}

/// The non-blank cells of a row's columns that fill no field, by column name.
fn other_columns(columns: &Columns, cells: &[String]) -> Vec<OtherColumn> {
    columns
        .other
        .iter()
        .map(|(name, index)| OtherColumn {
            name: name.clone(),
            value: cells.get(*index).cloned().unwrap_or_default(),
        })
        .filter(|column| !column.value.is_empty())
        .collect()
}

/// How the list's due dates are written, read from its due column; ISO when it has none.
fn due_date_format(
    list: &RequestList,
    columns: &Columns,
    path: &Path,
) -> Result<DateFormat, RequestListError> {
    let Some(index) = columns.index(Field::Due) else {
        return Ok(DateFormat::Iso);
    };
    let cells: Vec<(u64, &str)> = list
        .rows
        .iter()
        .map(|(line, cells)| (*line, cells.get(index).map(String::as_str).unwrap_or("")))
        .collect();
    detect_date_format(&list.header[index], &cells).map_err(|reason| RequestListError::Dates {
        reason,
        path: path.to_path_buf(),
    })
}

/// Takes out of `rows` every row whose id is on more than one line, and refuses each of
/// those lines, naming all of them.
fn refuse_repeated_ids(
    rows: &mut Vec<ListRow>,
    repeated: &HashMap<String, Vec<u64>>,
    refused: &mut Vec<RowProblem>,
) {
    // A repeated id refuses every row that has it: which of them the auditor meant is
    // not for the import to guess.
    if !repeated.is_empty() {
        rows.retain(|row| !repeated.contains_key(&row.id.to_lowercase()));
        for lines in repeated.values() {
            let all: Vec<String> = lines.iter().map(u64::to_string).collect();
            for line in lines {
                refused.push(RowProblem::new(
                    *line,
                    format!(
                        "the same request id is on lines {}; give each request its own id",
                        all.join(", ")
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message reading `content` as a request list named `list.csv` gives.
    fn refusal(content: &[u8]) -> (String, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.csv");
        std::fs::write(&path, content).unwrap();
        let error = read_request_list(&path)
            .and_then(|list| Columns::find(&list, &path).map(|_| list))
            .unwrap_err();
        (error.to_string(), path)
    }

    #[test]
    fn csv_problems_read_as_any_csv_imports_do() {
        let (said, path) = refusal(b"ID,Request\n1,fine\n2,\xff\n");
        assert_eq!(
            said,
            format!(
                "this file is not UTF-8 text (the first bad byte is on line 3); save it as \"CSV UTF-8\" and import it again: {}",
                path.display()
            )
        );
        let (said, path) = refusal(b"ID,Request,id\n1,fine,2\n");
        assert_eq!(
            said,
            format!(
                "the header row names the 'id' column twice, so its values are ambiguous: {}",
                path.display()
            )
        );
        let (said, path) = refusal(b"ID,Request\n1,fine\n2,\"a\"b\n");
        assert!(
            said.starts_with("this file cannot be read as CSV from line 3 (")
                && said.ends_with(&format!("): {}", path.display())),
            "{said}"
        );
    }
}

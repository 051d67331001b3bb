//! Reading CSV exports (an HR roster, a scanner's patch list) so they can be imported.
//!
//! These files come from spreadsheets and HR systems. The reader accepts what is safe to
//! accept and refuses anything where a guess could store the wrong thing:
//! - a header row is required, and columns are found by name (ignoring case and
//!   surrounding spaces), so their order does not matter and extra columns are ignored;
//! - the file must be UTF-8 (a leading byte-order mark, as Excel writes, is skipped). A
//!   file in another encoding is refused whole, so no name is imported garbled;
//! - an empty file is refused; a header with no rows under it is an empty import;
//! - rows of blank cells are skipped; a row with fewer cells than the header has its
//!   missing cells blank; a row with more non-blank cells than the header is refused,
//!   because its values cannot be matched to columns.
//!
//! Problems with the file as a whole are a [`CsvError`]: one sentence, nothing imported.
//! Problems with one row are [`RowProblem`]s, shown as `line N: reason` with the header on
//! line 1, and the importer carries on with the other rows. The file is read whole before
//! anything is stored, so an import runs in one transaction.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::hex;

/// What makes a CSV file unusable as a whole. Each message is one sentence; the path is last.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The file cannot be read.
    #[error("cannot read this file ({reason}): {path}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why, shown in the sentence rather than as a cause of its own.
        reason: io::Error,
    },
    /// The file has no content, not even a header row.
    #[error("this file is empty; it needs a header row naming the columns ({expected}): {path}")]
    Empty {
        /// The columns the import needs.
        expected: String,
        /// The file.
        path: PathBuf,
    },
    /// The file is not UTF-8 text.
    #[error(
        "this file is not UTF-8 text (the first bad byte is on line {line}); save it as \"CSV UTF-8\" and import it again: {path}"
    )]
    NotUtf8 {
        /// The line of the first byte that is not UTF-8.
        line: u64,
        /// The file.
        path: PathBuf,
    },
    /// The header row lacks a required column.
    #[error(
        "the header row has no {missing} column (it names {found}); the import needs columns {expected}: {path}"
    )]
    MissingColumns {
        /// The required columns not found, quoted and joined.
        missing: String,
        /// The columns the header names.
        found: String,
        /// The columns the import needs.
        expected: String,
        /// The file.
        path: PathBuf,
    },
    /// The header row names a wanted column twice.
    #[error(
        "the header row names the '{column}' column twice, so its values are ambiguous: {path}"
    )]
    DuplicateColumn {
        /// The column.
        column: String,
        /// The file.
        path: PathBuf,
    },
    /// The CSV itself cannot be parsed.
    #[error("this file cannot be read as CSV from line {line} ({reason}): {path}")]
    Malformed {
        /// Where reading stopped.
        line: u64,
        /// What the parser said.
        reason: String,
        /// The file.
        path: PathBuf,
    },
}

/// One row of an import that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// The row's line in the file; the header is line 1.
    pub line: u64,
    /// Why it was refused: one sentence.
    pub reason: String,
}

impl RowProblem {
    /// A problem on a line.
    pub fn new(line: u64, reason: impl fmt::Display) -> Self {
        RowProblem {
            line,
            reason: reason.to_string(),
        }
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// What an import did: how many data rows it read, how many it stored, and the refused
/// rows in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Data rows in the file (blank rows not counted).
    pub rows: usize,
    /// Rows stored.
    pub imported: usize,
    /// Rows refused, by line.
    pub refused: Vec<RowProblem>,
}

/// One data row: its line and the trimmed values of the wanted columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    /// The row's line in the file; the header is line 1.
    pub line: u64,
    cells: Vec<(&'static str, String)>,
}

impl CsvRow {
    /// The trimmed value of a wanted column; empty when the cell is blank or an optional
    /// column is absent.
    pub fn get(&self, column: &str) -> &str {
        self.cells
            .iter()
            .find(|(name, _)| *name == column)
            .map(|(_, value)| value.as_str())
            .unwrap_or("")
    }
}

/// A CSV file read whole, with its rows matched to the wanted columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvTable {
    /// The file's name, without its folder.
    pub file_name: String,
    /// SHA-256 of the file's bytes, lowercase hex: recorded with the import.
    pub sha256: String,
    /// Rows whose cells match the header, in file order.
    pub rows: Vec<CsvRow>,
    /// Rows refused while reading, in file order.
    pub problems: Vec<RowProblem>,
}

impl CsvTable {
    /// Data rows read, good and refused.
    pub fn data_rows(&self) -> usize {
        self.rows.len() + self.problems.len()
    }
}

/// Reads a CSV file whose header row must name every column in `required` and may name
/// those in `optional`. Column names are given in lower case.
pub fn read_csv(
    path: &Path,
    required: &[&'static str],
    optional: &[&'static str],
) -> Result<CsvTable, CsvError> {
    let bytes = crate::input::read(path, crate::input::MAX_TABLE_BYTES).map_err(|reason| {
        CsvError::Unreadable {
            path: path.to_path_buf(),
            reason,
        }
    })?;
    parse_csv(&bytes, path, required, optional)
}

/// Parses CSV bytes as [`read_csv`] does; `path` names the file in messages.
pub fn parse_csv(
    bytes: &[u8],
    path: &Path,
    required: &[&'static str],
    optional: &[&'static str],
) -> Result<CsvTable, CsvError> {
    let expected = expected_columns(required, optional);
    let text = csv_text(bytes).map_err(|e| e.at(path))?;
    if text.trim().is_empty() {
        return Err(CsvError::Empty {
            expected,
            path: path.to_path_buf(),
        });
    }
    let mut records = CsvLines::new(text);
    let header = match records.next() {
        Some(record) => record.map_err(|e| e.at(path))?.1,
        None => {
            return Err(CsvError::Empty {
                expected,
                path: path.to_path_buf(),
            });
        }
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let wanted = wanted_columns(&names, required, optional, &expected, path)?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in records {
        let (line, record) = record.map_err(|e| e.at(path))?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        match table_row(line, &record, names.len(), &wanted) {
            Ok(row) => rows.push(row),
            Err(problem) => problems.push(problem),
        }
    }
    Ok(CsvTable {
        file_name: file_name_of(path),
        sha256: hex(&Sha256::digest(bytes)),
        rows,
        problems,
    })
}

/// The file's name without its folder, or the whole path when it has none.
pub fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The columns an import needs, as its messages name them.
fn expected_columns(required: &[&'static str], optional: &[&'static str]) -> String {
    if optional.is_empty() {
        required.join(",")
    } else {
        format!(
            "{} and optionally {}",
            required.join(","),
            optional.join(",")
        )
    }
}

/// Where each wanted column is in the header `names`; a required column missing or a
/// wanted one named twice refuses the file.
fn wanted_columns(
    names: &[String],
    required: &[&'static str],
    optional: &[&'static str],
    expected: &str,
    path: &Path,
) -> Result<Vec<(&'static str, usize)>, CsvError> {
    let mut wanted = Vec::new();
    let mut missing = Vec::new();
    for (column, is_required) in required
        .iter()
        .map(|c| (*c, true))
        .chain(optional.iter().map(|c| (*c, false)))
    {
        let mut positions = names
            .iter()
            .enumerate()
            .filter(|(_, name)| name.as_str() == column);
        match (positions.next(), positions.next()) {
            (Some(_), Some(_)) => {
                return Err(CsvError::DuplicateColumn {
                    column: column.to_string(),
                    path: path.to_path_buf(),
                });
            }
            (Some((index, _)), None) => wanted.push((column, index)),
            (None, _) if is_required => missing.push(format!("'{column}'")),
            (None, _) => {}
        }
    }
    if !missing.is_empty() {
        return Err(CsvError::MissingColumns {
            missing: missing.join(" or "),
            found: if names.iter().all(String::is_empty) {
                "nothing".to_string()
            } else {
                names.join(",")
            },
            expected: expected.to_string(),
            path: path.to_path_buf(),
        });
    }
    Ok(wanted)
}

/// One data row's wanted cells, or the problem of a row with more values than the header
/// has columns.
fn table_row(
    line: u64,
    record: &csv::StringRecord,
    columns: usize,
    wanted: &[(&'static str, usize)],
) -> Result<CsvRow, RowProblem> {
    if record.iter().skip(columns).any(|c| !c.trim().is_empty()) {
        return Err(RowProblem::new(
            line,
            format!(
                "it has {} cells but the header names {} columns; quote values that contain commas",
                record.len(),
                columns
            ),
        ));
    }
    let cells = wanted
        .iter()
        .map(|(column, index)| (*column, record.get(*index).unwrap_or("").trim().to_string()))
        .collect();
    Ok(CsvRow { line, cells })
}

/// Why CSV text cannot be read, before the file's path is added.
#[derive(Debug)]
pub enum CsvTextError {
    /// Not UTF-8, from this line.
    NotUtf8 {
        /// The line of the first byte that is not UTF-8.
        line: u64,
    },
    /// The parser stops on this line.
    Malformed {
        /// Where reading stopped.
        line: u64,
        /// What the parser said.
        reason: String,
    },
}

impl CsvTextError {
    /// The error as a [`CsvError`] naming `path`.
    pub fn at(self, path: &Path) -> CsvError {
        let path = path.to_path_buf();
        match self {
            CsvTextError::NotUtf8 { line } => CsvError::NotUtf8 { line, path },
            CsvTextError::Malformed { line, reason } => CsvError::Malformed { line, reason, path },
        }
    }
}

/// The text of CSV bytes: UTF-8, with a leading byte-order mark skipped, and its quotes
/// checked so a stray one is reported on its own line.
pub fn csv_text(bytes: &[u8]) -> Result<&str, CsvTextError> {
    let text = std::str::from_utf8(bytes).map_err(|e| CsvTextError::NotUtf8 {
        line: line_of(bytes, e.valid_up_to()),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    crate::input::csv::check_quotes(text.as_bytes()).map_err(|e| CsvTextError::Malformed {
        line: e.line(),
        reason: e.to_string(),
    })?;
    Ok(text)
}

/// The records of CSV text, each with the line it starts on (from 1). Rows may have any
/// number of cells; blank lines are skipped, rows of blank cells are not.
pub struct CsvLines<'a> {
    text: &'a str,
    records: csv::StringRecordsIntoIter<&'a [u8]>,
    lines: LineCounter,
}

impl<'a> CsvLines<'a> {
    /// The records of `text`, as [`csv_text`] returns it.
    pub fn new(text: &'a str) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        CsvLines {
            text,
            records: reader.into_records(),
            lines: LineCounter::default(),
        }
    }
}

impl Iterator for CsvLines<'_> {
    type Item = Result<(u64, csv::StringRecord), CsvTextError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = match self.records.next()? {
            Ok(record) => record,
            Err(error) => {
                return Some(Err(CsvTextError::Malformed {
                    line: error.position().map(|p| p.line()).unwrap_or(1),
                    reason: match error.kind() {
                        csv::ErrorKind::Utf8 { err, .. } => err.to_string(),
                        _ => error.to_string(),
                    },
                }));
            }
        };
        let offset = record.position().map(|p| p.byte()).unwrap_or(0);
        let line = self.lines.line_of_record(self.text.as_bytes(), offset);
        Some(Ok((line, record)))
    }
}

/// The line (from 1) that holds byte `offset`.
fn line_of(bytes: &[u8], offset: usize) -> u64 {
    let before = bytes.get(..offset).unwrap_or(bytes);
    before.iter().filter(|b| **b == b'\n').count() as u64 + 1
}

/// Finds the lines records start on, counting forward from the last one so a large file
/// is walked once.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: u64,
}

impl LineCounter {
    /// The line of the record the parser placed at byte `offset`. The parser places a
    /// record after blank lines at the first blank line, so line breaks are skipped first.
    fn line_of_record(&mut self, text: &[u8], offset: u64) -> u64 {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(text.len());
        let blank = text[start..]
            .iter()
            .take_while(|b| matches!(b, b'\n' | b'\r'))
            .count();
        let start = start + blank;
        if start >= self.offset {
            self.newlines += text[self.offset..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.offset = start;
        }
        self.newlines + 1
    }
}

impl AsRef<ImportReport> for ImportReport {
    fn as_ref(&self) -> &ImportReport {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &[u8]) -> Result<CsvTable, CsvError> {
        parse_csv(text, Path::new("people.csv"), &["name", "email"], &["role"])
    }

    #[test]
    fn columns_are_found_by_name_in_any_order_and_case() {
        let table = parse(b" Email ,Extra,NAME\nana@example.com,x, Ana \n").unwrap();
        assert_eq!(table.rows.len(), 1);
        let row = &table.rows[0];
        assert_eq!(row.line, 2);
        assert_eq!(row.get("name"), "Ana");
        assert_eq!(row.get("email"), "ana@example.com");
        assert_eq!(row.get("role"), "");
        assert_eq!(table.file_name, "people.csv");
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let table = parse(b"\xef\xbb\xbfname,email\nAna,ana@example.com\n").unwrap();
        assert_eq!(table.rows[0].get("name"), "Ana");
    }

    #[test]
    fn line_numbers_count_blank_lines_and_quoted_line_breaks() {
        let table = parse(
            b"name,email\r\n\r\n\"Ana\nMaria\",a@example.com\n,,\n\n\nBo,b@example.com\nCy,c@example.com",
        )
        .unwrap();
        let lines: Vec<u64> = table.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 8, 9]);
    }

    #[test]
    fn a_row_with_extra_values_is_refused_and_a_short_row_is_padded() {
        let table =
            parse(b"name,email\nSmith, Ana,a@example.com\nBo\nCy,c@example.com,\n").unwrap();
        assert_eq!(table.problems.len(), 1);
        assert_eq!(table.problems[0].line, 2);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].get("email"), "");
        assert_eq!(table.data_rows(), 3);
    }

    #[test]
    fn file_level_problems_are_refused_whole() {
        assert!(matches!(parse(b""), Err(CsvError::Empty { .. })));
        assert!(matches!(parse(b" \n\n"), Err(CsvError::Empty { .. })));
        assert!(matches!(
            parse(b"name,email\nJos\xe9,j@example.com\n"),
            Err(CsvError::NotUtf8 { line: 2, .. })
        ));
        let missing = parse(b"name,mail\nAna,a@example.com\n").unwrap_err();
        assert!(matches!(missing, CsvError::MissingColumns { .. }));
        assert!(missing.to_string().contains("'email'"), "{missing}");
        assert!(matches!(
            parse(b"name,email,Email\n"),
            Err(CsvError::DuplicateColumn { .. })
        ));
    }

    #[test]
    fn a_header_alone_has_no_rows() {
        let table = parse(b"name,email\n").unwrap();
        assert_eq!(table.data_rows(), 0);
    }

    #[test]
    fn problems_read_as_line_and_reason() {
        assert_eq!(
            RowProblem::new(3, "the name cannot be blank").to_string(),
            "line 3: the name cannot be blank"
        );
    }
}

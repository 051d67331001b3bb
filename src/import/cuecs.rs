//! Reading a CUEC list (the complementary user entity controls an AWS report names) into
//! rows, with no database access: a `cuec` column and optional `criteria` and `controls`
//! columns, found by name; a blank CUEC is refused by line. Whether a CUEC is already listed
//! for its report is for the store to check.

use std::path::Path;

use super::table::{CsvError, CsvTable, RowProblem, read_csv};

/// The columns a CUEC list must have.
pub const CUEC_CSV_REQUIRED: &[&str] = &["cuec"];
/// The columns a CUEC list may have.
pub const CUEC_CSV_OPTIONAL: &[&str] = &["criteria", "controls"];

/// A CUEC CSV read into rows.
#[derive(Debug, Clone)]
pub struct CuecFile {
    /// The file as read: its name, hash and the rows refused, blank CUECs among them.
    pub table: CsvTable,
    /// One row per CUEC, in file order.
    pub rows: Vec<CuecRow>,
}

/// One CUEC as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CuecRow {
    /// The row's line; the header is line 1.
    pub line: u64,
    /// What the customer must do; never blank.
    pub text: String,
    /// Related criteria as listed (e.g. `CC6.1`).
    pub criteria: String,
    /// The control ids the row names, in order, repeats next to each other dropped.
    pub control_ids: Vec<String>,
}

impl CuecFile {
    /// Data rows read, good and refused.
    pub fn data_rows(&self) -> usize {
        self.rows.len() + self.table.data_rows()
    }
}

/// Reads a CUEC CSV.
pub fn read_cuecs(path: &Path) -> Result<CuecFile, CsvError> {
    let mut table = read_csv(path, CUEC_CSV_REQUIRED, CUEC_CSV_OPTIONAL)?;
    let mut rows = Vec::new();
    for row in std::mem::take(&mut table.rows) {
        let text = row.get("cuec");
        if text.is_empty() {
            table
                .problems
                .push(RowProblem::new(row.line, "the CUEC text is blank"));
            continue;
        }
        rows.push(CuecRow {
            line: row.line,
            text: text.to_string(),
            criteria: row.get("criteria").to_string(),
            control_ids: control_ids(row.get("controls")),
        });
    }
    Ok(CuecFile { table, rows })
}

/// The control ids in a list separated by commas, semicolons or spaces.
pub fn control_ids(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_cuec_is_refused_by_line_and_control_lists_split_on_any_separator() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cuecs.csv");
        std::fs::write(
            &path,
            "Controls,CUEC\n\"AC-2; AC-2,IA-2  SC-7\",Review access\nAC-3,\n",
        )
        .unwrap();
        let file = read_cuecs(&path).unwrap();
        assert_eq!(file.data_rows(), 2);
        assert_eq!(file.rows.len(), 1);
        assert_eq!(file.rows[0].control_ids, ["AC-2", "IA-2", "SC-7"]);
        assert_eq!(file.rows[0].criteria, "");
        assert_eq!(file.table.problems[0].line, 3);
        assert_eq!(file.table.problems[0].reason, "the CUEC text is blank");
    }
}

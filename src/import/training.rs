//! Reading training completions from an HR export into rows, with no database access:
//! columns `email`, `course` and `completed_on`, found by name, and the date read. Whether
//! the person and course exist, and whether the completion is recorded already, is for the
//! store to check.

use std::path::Path;

use chrono::NaiveDate;

use super::table::{CsvError, CsvTable, read_csv};
use crate::model::{RuleError, parse_date};

/// A training CSV read into rows.
#[derive(Debug, Clone)]
pub struct TrainingFile {
    /// The file as read: its name, hash and the rows refused while reading.
    pub table: CsvTable,
    /// One row per completion, in file order.
    pub rows: Vec<TrainingRow>,
}

/// One completion as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingRow {
    /// The row's line; the header is line 1.
    pub line: u64,
    /// The person's email, as written.
    pub email: String,
    /// The course's name, as written.
    pub course: String,
    /// The day it was completed, or why the cell is not one.
    pub completed_on: Result<NaiveDate, RuleError>,
}

impl TrainingFile {
    /// Data rows read, good and refused.
    pub fn data_rows(&self) -> usize {
        self.rows.len() + self.table.data_rows()
    }
}

/// Reads a training CSV.
pub fn read_training(path: &Path) -> Result<TrainingFile, CsvError> {
    let mut table = read_csv(path, &["email", "course", "completed_on"], &[])?;
    let rows = std::mem::take(&mut table.rows)
        .into_iter()
        .map(|row| TrainingRow {
            line: row.line,
            email: row.get("email").to_string(),
            course: row.get("course").to_string(),
            completed_on: match row.get("completed_on") {
                "" => Err(RuleError::Blank("completed_on date")),
                text => parse_date(text),
            },
        })
        .collect();
    Ok(TrainingFile { table, rows })
}

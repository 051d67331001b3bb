//! Reading a patch tool's CSV export into rows, with no database access: columns `asset`,
//! `advisory`, `severity`, `released_on` and optionally `applied_on`, found by name. A row
//! with no asset is refused here; the store looks the asset up and then reports the first
//! problem with the row's other cells, so each row is refused for one reason, in the order
//! a person fixing it would meet them.

use std::path::Path;

use chrono::NaiveDate;

use super::table::{CsvError, CsvRow, CsvTable, read_csv};
use crate::model::{Severity, parse_date};

/// Columns a patch CSV must name in its header.
pub const PATCH_CSV_REQUIRED: [&str; 4] = ["asset", "advisory", "severity", "released_on"];

/// Columns a patch CSV may name: an export of open advisories has no application dates.
pub const PATCH_CSV_OPTIONAL: [&str; 1] = ["applied_on"];

/// A patch CSV read into rows.
#[derive(Debug, Clone)]
pub struct PatchFile {
    /// The file as read: its name, hash and the problems found while reading.
    pub table: CsvTable,
    /// Rows that name an asset, in file order.
    pub rows: Vec<PatchRow>,
}

impl PatchFile {
    /// Data rows read, good and refused.
    pub fn data_rows(&self) -> usize {
        self.rows.len() + self.table.data_rows()
    }
}

/// One row that names an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchRow {
    /// The row's line; the header is line 1.
    pub line: u64,
    /// The asset's name as written.
    pub asset: String,
    /// The row's other cells, or the first problem with them.
    pub fields: Result<PatchFields, String>,
}

/// The cells of a patch row other than its asset, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchFields {
    /// The advisory's id.
    pub advisory: String,
    /// How urgent it is.
    pub severity: Severity,
    /// When it was released.
    pub released_on: NaiveDate,
    /// When it was applied, if it was.
    pub applied_on: Option<NaiveDate>,
}

/// Reads a patch CSV; a row with a blank asset is one of the table's problems.
pub fn read_patches(path: &Path) -> Result<PatchFile, CsvError> {
    let mut table = read_csv(path, &PATCH_CSV_REQUIRED, &PATCH_CSV_OPTIONAL)?;
    // The table's rows move into `rows` as they are read; its problems gain the rows
    // with no asset.
    let mut rows = Vec::new();
    for row in std::mem::take(&mut table.rows) {
        let asset = row.get("asset");
        if asset.is_empty() {
            table
                .problems
                .push(super::RowProblem::new(row.line, blank("asset")));
            continue;
        }
        rows.push(PatchRow {
            line: row.line,
            asset: asset.to_string(),
            fields: patch_fields(&row),
        });
    }
    Ok(PatchFile { table, rows })
}

fn blank(column: &str) -> String {
    format!("the {column} cell is blank")
}

/// A row's advisory, severity and dates, or the first that is blank or cannot be read.
fn patch_fields(row: &CsvRow) -> Result<PatchFields, String> {
    let advisory = row.get("advisory");
    if advisory.is_empty() {
        return Err(blank("advisory"));
    }
    if row.get("severity").is_empty() {
        return Err(blank("severity"));
    }
    let severity = row
        .get("severity")
        .parse::<Severity>()
        .map_err(|error| error.to_string())?;
    let released = row.get("released_on");
    if released.is_empty() {
        return Err(blank("released_on"));
    }
    let released_on = parse_date(released).map_err(|error| format!("released_on {error}"))?;
    let applied = row.get("applied_on");
    let applied_on = if applied.is_empty() {
        None
    } else {
        Some(parse_date(applied).map_err(|error| format!("applied_on {error}"))?)
    };
    Ok(PatchFields {
        advisory: advisory.to_string(),
        severity,
        released_on,
        applied_on,
    })
}

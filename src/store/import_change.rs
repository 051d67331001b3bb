//! What an import stores: one activity row for the file, or nothing when no row of it went
//! in. The file itself is read by [`crate::import`] before the transaction opens.

use super::write::{Change, Logged};
use crate::import::{CsvTable, ImportReport};
use crate::model::ImportedFile;

/// What an import did: when any row was stored, the change with its one activity row,
/// made by `logged` from the file's name, SHA-256 and counts; when none was, nothing, so
/// the transaction is rolled back and the workspace stays as it was.
pub(super) fn import_change<T: AsRef<ImportReport>>(
    table: &CsvTable,
    report: T,
    logged: impl FnOnce(ImportedFile) -> Logged,
) -> Change<T> {
    let counts = report.as_ref();
    if counts.imported == 0 {
        return Change::Unchanged(report);
    }
    let import = ImportedFile {
        file_name: table.file_name.clone(),
        file_sha256: table.sha256.clone(),
        rows: counts.rows as u64,
        imported: counts.imported as u64,
        refused: counts.refused.len() as u64,
    };
    Change::Made(report, logged(import))
}

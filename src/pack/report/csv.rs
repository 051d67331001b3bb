//! The CSV files: one per table, with every cell that would run as a formula neutralised.

use super::ReportError;
use super::neutralise_cell;
use super::rows::Table;

/// One table as CSV bytes, header first.
pub(super) fn csv_bytes(table: &Table) -> Result<Vec<u8>, ReportError> {
    let fail = |source| ReportError::Csv {
        file: table.file,
        source,
    };
    let mut bytes = Vec::new();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        writer.write_record(table.header).map_err(fail)?;
        for row in &table.rows {
            writer
                .write_record(row.iter().map(|cell| neutralise_cell(&cell.plain())))
                .map_err(fail)?;
        }
        writer.flush().map_err(|e| fail(e.into()))?;
    }
    Ok(bytes)
}

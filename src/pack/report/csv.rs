//! The CSV files: one per table, with every cell that would run as a formula neutralised.

use super::ReportError;
use super::table::Table;
use crate::cells::write_csv_record;

/// One table as CSV bytes, header first.
pub(super) fn csv_bytes(table: &Table) -> Result<Vec<u8>, ReportError> {
    let fail = |source| ReportError::Csv {
        file: table.file,
        source,
    };
    let mut bytes = Vec::new();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        write_csv_record(&mut writer, table.header).map_err(fail)?;
        for row in &table.rows {
            write_csv_record(&mut writer, row.iter().map(|cell| cell.plain())).map_err(fail)?;
        }
        writer.flush().map_err(|e| fail(e.into()))?;
    }
    Ok(bytes)
}

//! Reading one sheet of an `.xlsx` workbook as rows of text, cell by cell.
//!
//! A workbook declares its used range, and a reader that builds a grid from that range
//! allocates rows × columns cells before it looks at one: a few kilobytes whose only cell
//! sits at XFD1048576 ask for 17 billion. Here the sheet's cells are streamed and only the
//! ones holding something are kept, so memory follows what the sheet holds. The rows handed
//! back run from column A to their last non-blank cell, and a sheet wider than
//! [`MAX_COLUMNS`] or larger than [`MAX_CELLS`] in all is refused with its size, since no
//! request list or CRM is that shape.

use std::collections::BTreeMap;
use std::io::{Read, Seek};

use calamine::{DataRef, Xlsx};
use chrono::NaiveDate;

/// The widest sheet read (column AMJ).
pub const MAX_COLUMNS: u32 = 1024;
/// The most cells read, counting each row from column A to its last non-blank cell.
pub const MAX_CELLS: usize = 4_000_000;

/// Why a sheet cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    /// The workbook or sheet is damaged.
    #[error("{0}")]
    Damaged(String),
    /// A non-blank cell sits beyond [`MAX_COLUMNS`].
    #[error(
        "sheet '{sheet}' has a cell in column {column} (row {row}), beyond the {MAX_COLUMNS} columns Lockstep reads"
    )]
    TooWide {
        /// The sheet.
        sheet: String,
        /// The column's letters.
        column: String,
        /// The 1-based row.
        row: u64,
    },
    /// The rows hold more than [`MAX_CELLS`] cells.
    #[error("sheet '{sheet}' holds more than {MAX_CELLS} cells, more than Lockstep reads")]
    TooLarge {
        /// The sheet.
        sheet: String,
    },
}

/// A sheet's non-blank rows: each with its 1-based row number and its cells' text.
pub type Rows = Vec<(u64, Vec<String>)>;

/// Reads the sheet `name` of `workbook`. Dates stored as dates come back as `YYYY-MM-DD`;
/// text is trimmed.
pub fn read_sheet<RS: Read + Seek>(
    workbook: &mut Xlsx<RS>,
    name: &str,
) -> Result<Rows, SheetError> {
    let mut reader = workbook
        .worksheet_cells_reader(name)
        .map_err(|e| SheetError::Damaged(e.to_string()))?;
    let mut rows: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let mut cells = 0usize;
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| SheetError::Damaged(e.to_string()))?
    {
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        let (row, column) = cell.get_position();
        if column >= MAX_COLUMNS {
            return Err(SheetError::TooWide {
                sheet: name.to_string(),
                column: column_letters(column),
                row: u64::from(row) + 1,
            });
        }
        let row_cells = rows.entry(row).or_default();
        let width_before = row_cells.iter().map(|(c, _)| c + 1).max().unwrap_or(0);
        cells += (column + 1).saturating_sub(width_before) as usize;
        if cells > MAX_CELLS {
            return Err(SheetError::TooLarge {
                sheet: name.to_string(),
            });
        }
        row_cells.push((column, text));
    }
    Ok(rows
        .into_iter()
        .map(|(row, found)| {
            let width = found.iter().map(|(c, _)| c + 1).max().unwrap_or(0) as usize;
            let mut cells = vec![String::new(); width];
            for (column, text) in found {
                cells[column as usize] = text;
            }
            (u64::from(row) + 1, cells)
        })
        .collect())
}

/// A cell's value as text.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => {
            text.trim().to_string()
        }
        DataRef::SharedString(text) => text.trim().to_string(),
        DataRef::Int(number) => number.to_string(),
        DataRef::Float(number) => number.to_string(),
        DataRef::Bool(value) => value.to_string(),
        DataRef::DateTime(moment) => {
            let (year, month, day, ..) = moment.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))
                .map(|d| d.to_string())
                .unwrap_or_else(|| moment.as_f64().to_string())
        }
        DataRef::Error(error) => format!("#{error:?}"),
    }
}

/// A 0-based column index as letters (`0` → `A`, `16383` → `XFD`).
fn column_letters(mut column: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.reverse();
    String::from_utf8_lossy(&letters).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::Reader as _;

    #[test]
    fn columns_are_named_as_spreadsheets_name_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(1023), "AMJ");
        assert_eq!(column_letters(16383), "XFD");
    }

    fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (row, column, text) in cells {
            sheet.write_string(*row, *column, *text).unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_far_cell_is_refused_without_building_the_grid() {
        let bytes = workbook(&[(0, 0, "id"), (1_048_575, 16_383, "far")]);
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let error = read_sheet(&mut book, "Sheet1").unwrap_err();
        assert!(
            error.to_string().contains("column XFD (row 1048576)"),
            "{error}"
        );
    }

    #[test]
    fn rows_keep_their_numbers_and_columns_their_places() {
        let bytes = workbook(&[(0, 1, "id"), (0, 2, " text "), (5, 2, "x")]);
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let rows = read_sheet(&mut book, "Sheet1").unwrap();
        assert_eq!(
            rows,
            vec![
                (1, vec![String::new(), "id".into(), "text".into()]),
                (6, vec![String::new(), String::new(), "x".into()]),
            ]
        );
    }
}

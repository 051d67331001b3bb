//! Text for spreadsheet cells: the one place every workbook and CSV file Lockstep writes
//! passes its text through.
//!
//! Text in a pack comes from people and from imported files (a CRM, a request list, a
//! catalog), so a cell may start like a formula: `=HYPERLINK(…)`, `+cmd|' /C calc'!A0`,
//! `@SUM(…)`. A spreadsheet program opening the CSV, or a person editing a workbook cell,
//! would run it. Such text is written with a leading `'`, which spreadsheets read as "this
//! is text" and hide; negative numbers stay numbers. Workbook cells are also cut to what
//! Excel holds and cleared of control characters other than line breaks and tabs.

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

/// The longest text an Excel cell holds, in UTF-16 code units.
pub const EXCEL_MAX_TEXT: usize = 32_767;

/// `text` with a leading `'` when it would start a formula (`=`, `+`, `@`, a tab or a
/// carriage return, or `-` before anything but a plain number).
pub fn neutralise(text: &str) -> String {
    let risky = match text.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => !is_plain_number(&text[1..]),
        _ => false,
    };
    if risky {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// `text` as [`neutralise`] wrote it, for a file Lockstep reads back (a CRM it exported).
pub fn restored(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if neutralise(rest).len() > rest.len() => rest,
        _ => text,
    }
}

/// Whether `text` is digits with at most one decimal point (`3`, `2.5`, `.5`).
fn is_plain_number(text: &str) -> bool {
    let mut digits = 0;
    let mut points = 0;
    for c in text.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' => points += 1,
            _ => return false,
        }
    }
    digits > 0 && points <= 1
}

/// `text` neutralised, without control characters other than line breaks, carriage returns
/// and tabs, and cut to [`EXCEL_MAX_TEXT`].
pub fn workbook_text(text: &str) -> String {
    let mut units = 0;
    neutralise(text)
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r'))
        .take_while(|c| {
            units += c.len_utf16();
            units <= EXCEL_MAX_TEXT
        })
        .collect()
}

/// Text without control characters, for a workbook's document properties.
pub fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// Writing text into a worksheet only through [`workbook_text`].
pub trait TextCells {
    /// Writes `text` as a text cell; returns the text written.
    fn text(&mut self, row: u32, col: u16, text: &str) -> Result<String, XlsxError>;
    /// Writes `text` as a text cell with `format`; returns the text written.
    fn text_with_format(
        &mut self,
        row: u32,
        col: u16,
        text: &str,
        format: &Format,
    ) -> Result<String, XlsxError>;
}

impl TextCells for Worksheet {
    fn text(&mut self, row: u32, col: u16, text: &str) -> Result<String, XlsxError> {
        let text = workbook_text(text);
        self.write_string(row, col, text.as_str())?;
        Ok(text)
    }

    fn text_with_format(
        &mut self,
        row: u32,
        col: u16,
        text: &str,
        format: &Format,
    ) -> Result<String, XlsxError> {
        let text = workbook_text(text);
        self.write_string_with_format(row, col, text.as_str(), format)?;
        Ok(text)
    }
}

/// Writes one CSV record with every cell neutralised.
pub fn write_csv_record<W: std::io::Write, S: AsRef<str>>(
    writer: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> csv::Result<()> {
    writer.write_record(cells.into_iter().map(|cell| neutralise(cell.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralised_text_reads_back_as_it_was() {
        for text in [
            "=HYPERLINK(\"x\")",
            "+cmd|' /C calc'!A0",
            "@SUM(A1)",
            "-x",
            "'quoted",
            "-3",
            "plain",
        ] {
            assert_eq!(restored(&neutralise(text)), text, "{text}");
        }
    }

    #[test]
    fn workbook_text_is_neutralised_clean_and_cut() {
        assert_eq!(workbook_text("=1+1\u{7}"), "'=1+1");
        assert_eq!(workbook_text("a\nb\tc\r"), "a\nb\tc\r");
        assert_eq!(workbook_text(&"x".repeat(40_000)).len(), EXCEL_MAX_TEXT);
    }
}

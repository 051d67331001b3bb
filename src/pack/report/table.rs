//! A table of the pack's spreadsheets: typed cells, written as CSV text or workbook values.

use std::borrow::Cow;

use chrono::NaiveDate;

/// One cell of a table, typed so the workbook can write numbers and dates as such.
pub(super) enum Cell {
    /// Text as the user gave it (neutralised on the way out).
    Text(String),
    /// A whole number, or an empty cell.
    Number(Option<i64>),
    /// A calendar date, or an empty cell.
    Date(Option<NaiveDate>),
    /// A UTC timestamp in RFC 3339, as stored.
    Stamp(String),
    /// Yes or no.
    Flag(bool),
}

impl Cell {
    /// A text cell of this text.
    pub(super) fn text(text: &str) -> Cell {
        Cell::Text(text.to_string())
    }

    /// The cell as CSV text, before neutralising.
    pub(super) fn plain(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(text) | Cell::Stamp(text) => Cow::Borrowed(text),
            Cell::Number(number) => number.map_or(Cow::Borrowed(""), |n| Cow::Owned(n.to_string())),
            Cell::Date(date) => date.map_or(Cow::Borrowed(""), |d| Cow::Owned(d.to_string())),
            Cell::Flag(flag) => Cow::Borrowed(if *flag { "true" } else { "false" }),
        }
    }
}

/// One table: a CSV file and the workbook sheet with the same columns.
pub(super) struct Table {
    /// The CSV file's name in the pack.
    pub(super) file: &'static str,
    /// The workbook sheet's name.
    pub(super) sheet: &'static str,
    /// Column names, in order.
    pub(super) header: &'static [&'static str],
    /// One row per item, each as long as the header.
    pub(super) rows: Vec<Vec<Cell>>,
}

//! The pack's generated files: the report page, the spreadsheets and the workbook.
//!
//! The auditor reads these without Lockstep, so each stands on its own. `index.html` is one
//! page with its stylesheet inline and no scripts or outside resources: it opens from the
//! unzipped folder in any browser, its evidence links are relative paths into the pack, and
//! its print stylesheet makes "Print to PDF" a clean document. The CSV files and the
//! workbook carry the same tables for filtering and sorting.
//!
//! Everything here is text somebody typed (titles, notes, file names, statements), and the
//! files are opened by tools that would act on it: a browser runs markup, a spreadsheet
//! runs a cell that starts with `=`. So every piece of user text on the page goes through
//! [`escape_html`] and every spreadsheet cell through [`neutralise_cell`].
//!
//! The pack must be byte-identical for the same workspace and as-of date, so nothing here
//! reads the clock or iterates a hash map: rows follow the snapshot's order, and the
//! workbook's creation time is the as-of date rather than the moment it was built.
//!
//! The parts: [`rows`] builds the eight tables shared by [`csv`] and [`workbook`]; [`html`]
//! builds the page, with its stylesheet in `report.css` and its AWS reports section from
//! [`aws`]; [`requests`] the auditor's requests (table, section, and a delivery's page).

mod aws;
mod csv;
mod findings;
mod html;
mod markup;
mod requests;
mod rows;
mod table;
mod workbook;

use rust_xlsxwriter::XlsxError;

use super::{PackData, PackKind};

/// Why the generated files could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A CSV file could not be written.
    #[error("could not write {file}")]
    Csv {
        /// The file's name in the pack.
        file: &'static str,
        /// What went wrong.
        #[source]
        source: ::csv::Error,
    },
    /// The workbook failed to build.
    #[error("could not build the workbook")]
    Workbook(#[from] XlsxError),
}

/// The generated files of a pack, in pack order, each path with its bytes.
pub fn report_files(data: &PackData) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let tables = rows::tables(data);
    let mut files = Vec::with_capacity(tables.len() + 2);
    let page = match data.kind {
        PackKind::Full => html::index_html(data),
        PackKind::Requests => requests::delivery_html(data),
    };
    files.push(("index.html".to_string(), page.into_bytes()));
    for table in &tables {
        files.push((table.file.to_string(), csv::csv_bytes(table)?));
    }
    files.push((
        "evidence-pack.xlsx".to_string(),
        workbook::workbook_bytes(data, &tables)?,
    ));
    // A delivery carries each request's response as a file beside its evidence.
    if data.kind == PackKind::Requests {
        for item in &data.requests {
            if let Some(path) = &item.response_path {
                let mut text = item.request.response.replace("\r\n", "\n");
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                files.push((path.clone(), text.into_bytes()));
            }
        }
    }
    Ok(files)
}

pub use crate::cells::neutralise as neutralise_cell;

/// Escapes text for HTML.
///
/// Escapes `&`, `<`, `>`, `"` and `'`, so the result is safe both between tags and inside
/// a quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;

//! Turning the files people import into rows Lockstep can check, with no database access: a
//! file that cannot be read is one error, a row that cannot be used is a problem of its own
//! (`line N: reason`) while the others go on. The store then checks the rows against the
//! workspace and writes them in one transaction.

pub mod crm;
pub mod cuecs;
pub mod findings;
pub mod patches;
pub mod people;
pub mod requests;
pub mod table;
pub mod training;

pub use table::{
    CsvError, CsvLines, CsvRow, CsvTable, CsvTextError, ImportReport, RowProblem, csv_text,
    file_name_of, parse_csv, read_csv,
};

//! Reading a people list into rows, with no database access: columns `name` and `email`
//! (and `role`, when present), found by name, each row's person checked by the model's rules.
//! Whether an email is already in the workspace or earlier in the file is for the store to
//! check, since only rows it accepts count as earlier.

use std::path::Path;

use super::table::{CsvError, CsvTable, read_csv};
use crate::model::{NewPerson, RuleError};

/// A people CSV read into rows.
#[derive(Debug, Clone)]
pub struct PeopleFile {
    /// The file as read: its name, hash and the rows refused while reading.
    pub table: CsvTable,
    /// One row per person, in file order.
    pub rows: Vec<PersonRow>,
}

/// One person as the file gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    /// The row's line; the header is line 1.
    pub line: u64,
    /// The person, trimmed and checked, or why the row is not one.
    pub person: Result<NewPerson, RuleError>,
}

impl PeopleFile {
    /// Data rows read, good and refused.
    pub fn data_rows(&self) -> usize {
        self.rows.len() + self.table.data_rows()
    }
}

/// Reads a people CSV.
pub fn read_people(path: &Path) -> Result<PeopleFile, CsvError> {
    let mut table = read_csv(path, &["name", "email"], &["role"])?;
    let rows = std::mem::take(&mut table.rows)
        .into_iter()
        .map(|row| PersonRow {
            line: row.line,
            person: NewPerson {
                name: row.get("name").to_string(),
                email: row.get("email").to_string(),
                role: row.get("role").to_string(),
            }
            .checked(),
        })
        .collect();
    Ok(PeopleFile { table, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_row_is_checked_alone_and_a_bad_one_keeps_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("people.csv");
        std::fs::write(
            &path,
            "Email,Name,Role\n ana@example.com , Ana Lima ,\nnot-an-email,Bo,\n,Cy,Ops\n",
        )
        .unwrap();
        let file = read_people(&path).unwrap();
        assert_eq!(file.data_rows(), 3);
        assert_eq!(
            file.rows[0].person,
            Ok(NewPerson {
                name: "Ana Lima".into(),
                email: "ana@example.com".into(),
                role: String::new(),
            })
        );
        assert_eq!(file.rows[1].line, 3);
        assert!(matches!(file.rows[1].person, Err(RuleError::BadEmail(_))));
        assert_eq!(file.rows[2].person, Err(RuleError::Blank("email")));
    }
}

//! Finding stored values Lockstep cannot act on: hashes that are not SHA-256, dates that are
//! not dates, cadences out of range.
//!
//! The schema's triggers (`schema/0004_checks.sql`) refuse such values on every write, but a
//! database edited by hand, or written before the triggers, may still hold them. Readers
//! never trust these values blindly (a hash is checked before it names a vault file), and
//! `verify` lists each bad row here so a person can see what was damaged.

use super::{Result, Store};

/// One stored value that is not of the shape Lockstep writes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BadValue {
    /// The table.
    pub table: &'static str,
    /// The row's id in it.
    pub row: i64,
    /// The column.
    pub column: &'static str,
    /// What it should be.
    pub expected: &'static str,
}

impl std::fmt::Display for BadValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} row {}: its {} is not {}",
            self.table, self.row, self.column, self.expected
        )
    }
}

const HASH: &str = "a SHA-256 in lowercase hex";
const DATE: &str = "a date written YYYY-MM-DD";
const DAYS: &str = "a number of days from 1 to 36525";

/// Each checked column: table, column, whether it may be empty, and what it must be.
const CHECKED: &[(&str, &str, bool, &str)] = &[
    ("projects", "period_start", true, DATE),
    ("projects", "period_end", true, DATE),
    ("controls", "due", true, DATE),
    ("controls", "review_days", true, DAYS),
    ("evidence", "sha256", false, HASH),
    ("evidence", "collected_on", false, DATE),
    ("evidence", "valid_until", true, DATE),
    ("training", "certificate_sha256", true, HASH),
    ("training", "completed_on", false, DATE),
    ("training", "expires_on", false, DATE),
    ("patches", "evidence_sha256", true, HASH),
    ("patches", "released_on", false, DATE),
    ("patches", "applied_on", true, DATE),
    ("aws_reports", "sha256", false, HASH),
    ("aws_reports", "bridge_sha256", true, HASH),
    ("aws_reports", "period_start", true, DATE),
    ("aws_reports", "period_end", true, DATE),
    ("aws_reports", "valid_until", true, DATE),
    ("aws_reports", "bridge_until", true, DATE),
    ("requests", "due", true, DATE),
    ("request_files", "sha256", false, HASH),
    ("attachments", "sha256", false, HASH),
];

/// The SQL condition a good value of `column` meets. PostgreSQL's columns hold one type
/// only, and its schema defines the hash and date tests its triggers use; SQLite's are
/// spelled out here.
fn good(column: &str, nullable: bool, expected: &str, postgres: bool) -> String {
    let shape = match expected {
        HASH if postgres => format!("lockstep_is_sha256({column})"),
        DATE if postgres => format!("lockstep_is_date({column})"),
        _ if postgres => format!("({column} BETWEEN 1 AND 36525)"),
        HASH => format!(
            "(typeof({column}) = 'text' AND length({column}) = 64 AND {column} NOT GLOB '*[^0-9a-f]*')"
        ),
        DATE => format!(
            "(typeof({column}) = 'text' AND length({column}) = 10 AND date({column}) IS {column})"
        ),
        _ => format!("(typeof({column}) = 'integer' AND {column} BETWEEN 1 AND 36525)"),
    };
    if nullable {
        format!("({column} IS NULL OR {shape})")
    } else {
        shape
    }
}

impl Store {
    /// Every stored hash, date and cadence that is not of the shape Lockstep writes, by table
    /// and row.
    pub fn bad_values(&self) -> Result<Vec<BadValue>> {
        self.read(|store| {
            let mut found = Vec::new();
            for &(table, column, nullable, expected) in CHECKED {
                let sql = format!(
                    "SELECT id FROM {table} WHERE NOT {} ORDER BY id",
                    good(column, nullable, expected, store.conn.postgres().is_some())
                );
                let mut stmt = store.conn.prepare(&sql)?;
                let rows = stmt.query_map([], |row| row.get::<_, i64>(0))?;
                for row in rows {
                    found.push(BadValue {
                        table,
                        row: row?,
                        column,
                        expected,
                    });
                }
            }
            Ok(found)
        })
    }
}

//! A damaged workspace database, told apart from every other failure at the command line's
//! edge.
//!
//! SQLite reports a torn or overwritten file as "database disk image is malformed" or "file
//! is not a database", deep inside whichever query first touches the bad page; passed on
//! as it is, that reads as `database error: …: Error code 11`. Whatever command hit it, the
//! person needs one thing: the workspace's database is damaged, and where it is. A file
//! that is sound SQLite but belongs to another program keeps the store's own "not a
//! Lockstep database" sentence.

use std::io::Read;
use std::path::Path;

use rusqlite::ErrorCode;

use crate::store::StoreError;
use crate::workspace::WorkspaceError;

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The error to show for `error`: a plain "the workspace database is damaged" naming
/// `db_path` when SQLite found the file corrupt or unreadable, `error` itself otherwise.
pub(crate) fn explain(error: anyhow::Error, db_path: &Path) -> anyhow::Error {
    if is_corrupt(&error) || (is_refused_as_foreign(&error) && !has_sqlite_header(db_path)) {
        anyhow::anyhow!(
            "the workspace database is damaged and cannot be read; restore it from a backup, \
             or move it away to start an empty workspace: {}",
            db_path.display()
        )
    } else {
        error
    }
}

/// Whether SQLite, anywhere in the chain, said the file is corrupt or not a database.
fn is_corrupt(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<rusqlite::Error>()
            .and_then(rusqlite::Error::sqlite_error_code)
            .or_else(|| {
                cause
                    .downcast_ref::<crate::store::db::Error>()
                    .and_then(crate::store::db::Error::sqlite_error_code)
            })
            .is_some_and(|code| {
                matches!(code, ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
            })
    })
}

/// Whether the store refused the file as not a Lockstep database (for any reason: not
/// SQLite at all, or another program's SQLite file).
fn is_refused_as_foreign(error: &anyhow::Error) -> bool {
    let foreign = |store: &StoreError| matches!(store, StoreError::NotADatabase(_));
    error.chain().any(|cause| {
        cause.downcast_ref::<StoreError>().is_some_and(foreign)
            || cause
                .downcast_ref::<WorkspaceError>()
                .is_some_and(|e| matches!(e, WorkspaceError::Store(store) if foreign(store)))
    })
}

/// Whether the file starts as an SQLite database does. A file that cannot be read counts as
/// not starting so: it is no use as a database either way.
fn has_sqlite_header(path: &Path) -> bool {
    let mut start = [0u8; 16];
    crate::input::open(path)
        .and_then(|mut file| file.read_exact(&mut start))
        .is_ok_and(|()| &start == SQLITE_HEADER)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corrupt() -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some("database disk image is malformed".to_string()),
        )
    }

    #[test]
    fn a_corrupt_page_anywhere_in_the_chain_reads_as_damage() {
        let error = anyhow::Error::from(StoreError::Sqlite(corrupt())).context("listing");
        let shown = format!("{:#}", explain(error, Path::new("/w/lockstep.db")));
        assert_eq!(
            shown,
            "the workspace database is damaged and cannot be read; restore it from a backup, \
             or move it away to start an empty workspace: /w/lockstep.db"
        );
    }

    #[test]
    fn other_failures_pass_through_unchanged() {
        let error = anyhow::Error::from(StoreError::UnknownProject("P".to_string()));
        let shown = format!("{:#}", explain(error, Path::new("/w/lockstep.db")));
        assert!(shown.contains("no project is named 'P'"), "{shown}");
    }
}

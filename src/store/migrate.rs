//! Schema migrations, embedded at build time and tracked by `PRAGMA user_version`.
//!
//! All pending migrations run inside one exclusive transaction, so a workspace is either
//! at its old version or fully at the new one. A database whose version is above the
//! newest migration here was written by a newer Lockstep and is refused rather than
//! guessed at. `PRAGMA application_id` marks the file as Lockstep's, so another program's
//! SQLite file is refused too.
//!
//! A released migration is never edited, only followed by new ones, and the workspace keeps
//! the SHA-256 of the text of every migration applied to it (`schema_migrations`, from
//! version 14). Each open compares those hashes with the migrations this build ships and
//! refuses a workspace whose schema came from another text, as zed's sqlez does: its tables
//! may differ from what this build's queries expect in ways no version number shows. The
//! check only reads and costs one small hash per migration.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior, params};

use super::frameworks::sha256_hex;
use super::{Result, StoreError, classify_open_error};

/// The migrations, in order: file name and SQL text.
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_initial.sql",
        include_str!("../../schema/0001_initial.sql"),
    ),
    (
        "0002_evidence.sql",
        include_str!("../../schema/0002_evidence.sql"),
    ),
    (
        "0003_attestations.sql",
        include_str!("../../schema/0003_attestations.sql"),
    ),
    (
        "0004_checks.sql",
        include_str!("../../schema/0004_checks.sql"),
    ),
    (
        "0005_aws_reports.sql",
        include_str!("../../schema/0005_aws_reports.sql"),
    ),
    (
        "0006_frameworks.sql",
        include_str!("../../schema/0006_frameworks.sql"),
    ),
    (
        "0007_baselines.sql",
        include_str!("../../schema/0007_baselines.sql"),
    ),
    (
        "0008_requests.sql",
        include_str!("../../schema/0008_requests.sql"),
    ),
    (
        "0009_control_lookup.sql",
        include_str!("../../schema/0009_control_lookup.sql"),
    ),
    (
        "0010_system.sql",
        include_str!("../../schema/0010_system.sql"),
    ),
    (
        "0011_system_roles.sql",
        include_str!("../../schema/0011_system_roles.sql"),
    ),
    (
        "0012_system_users_and_parameters.sql",
        include_str!("../../schema/0012_system_users_and_parameters.sql"),
    ),
    (
        "0013_attachments.sql",
        include_str!("../../schema/0013_attachments.sql"),
    ),
    (
        "0014_migration_hashes.sql",
        include_str!("../../schema/0014_migration_hashes.sql"),
    ),
    (
        "0015_findings.sql",
        include_str!("../../schema/0015_findings.sql"),
    ),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The first schema version whose workspaces record each migration's hash.
const HASHED_FROM: i64 = 14;

/// Marks a SQLite file as a Lockstep workspace ("LKST").
const APPLICATION_ID: i64 = 0x4c4b_5354;

/// Reads the schema version of an open database and refuses a file that is another
/// program's, was written by a newer Lockstep, or had a migration applied from a text other
/// than this build's. It only reads, so a refused file is left exactly as it was.
pub(super) fn check(conn: &Connection, path: &Path) -> Result<i64> {
    if !conn.is_autocommit() {
        return check_snapshot(conn, path);
    }
    // One snapshot: another process may commit the first migration between two reads, and
    // tables without a version would look like someone else's database.
    conn.execute_batch("BEGIN DEFERRED")
        .map_err(|e| classify_open_error(e, path))?;
    let checked = check_snapshot(conn, path);
    let ended = conn
        .execute_batch("COMMIT")
        .map_err(|e| classify_open_error(e, path));
    let version = checked?;
    ended?;
    Ok(version)
}

fn check_snapshot(conn: &Connection, path: &Path) -> Result<i64> {
    let read = |pragma: &str| -> Result<i64> {
        conn.query_row(&format!("PRAGMA {pragma}"), [], |row| row.get(0))
            .map_err(|e| classify_open_error(e, path))
    };
    let version = read("user_version")?;
    let application_id = read("application_id")?;
    if application_id != 0 && application_id != APPLICATION_ID {
        return Err(StoreError::NotADatabase(path.to_path_buf()));
    }
    if version == 0 {
        let tables: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))?;
        if tables > 0 {
            return Err(StoreError::NotADatabase(path.to_path_buf()));
        }
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version >= HASHED_FROM {
        check_hashes(conn)?;
    }
    Ok(version)
}

/// Refuses a workspace where a recorded migration's hash differs from the shipped text's.
fn check_hashes(conn: &Connection) -> Result<()> {
    let mut statement =
        conn.prepare_cached("SELECT version, sha256 FROM schema_migrations ORDER BY version")?;
    let recorded = statement.query_map([], |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
    })?;
    for row in recorded {
        let (version, sha256) = row?;
        let shipped = usize::try_from(version - 1)
            .ok()
            .and_then(|index| MIGRATIONS.get(index));
        // Only a hand edit leaves a row past the recorded version: nothing to compare it with.
        let Some((name, sql)) = shipped else {
            continue;
        };
        if sha256 != sha256_hex(sql.as_bytes()) {
            return Err(StoreError::ChangedMigration((*name).to_string()));
        }
    }
    Ok(())
}

/// Applies the pending migrations of a database that [`check`] accepted.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    if check(conn, path)? == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    // Another process may have migrated the file while this one waited for the lock.
    let version = check(&tx, path)?;
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    for (_, sql) in &MIGRATIONS[usize::try_from(version).unwrap_or(0)..] {
        tx.execute_batch(sql)?;
    }
    record_hashes(&tx, version)?;
    tx.execute_batch(&format!(
        "PRAGMA user_version = {SCHEMA_VERSION}; PRAGMA application_id = {APPLICATION_ID};"
    ))?;
    tx.commit()?;
    Ok(())
}

/// Records the hash of each migration applied by this run, which started at version `from`.
fn record_hashes(tx: &Connection, from: i64) -> Result<()> {
    // A workspace older than the record gets rows for the migrations applied before it too,
    // with the hash of the text this build ships: the text they were applied from was never
    // kept, so they cannot be checked retroactively, only from now on.
    let first = if from < HASHED_FROM { 0 } else { from };
    let mut insert = tx.prepare_cached(
        "INSERT INTO schema_migrations (version, name, sha256) VALUES (?1, ?2, ?3)",
    )?;
    for (version, (name, sql)) in (1_i64..).zip(MIGRATIONS).skip_while(|(v, _)| *v <= first) {
        insert.execute(params![version, name, sha256_hex(sql.as_bytes())])?;
    }
    Ok(())
}

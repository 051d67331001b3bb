//! The activity chain on PostgreSQL: the same rows, hashes and head record as on SQLite
//! (see [`crate::store::activity`]), kept one chain while many sessions write.
//!
//! SQLite gives one writer at a time by its IMMEDIATE transactions. Here every change takes
//! the workspace's write lock first, a transaction-level advisory lock that PostgreSQL
//! releases at commit or rollback, so the reading of the last row and the appending of the
//! next are never interleaved with another session's: concurrent writers wait their turn,
//! and the chain stays a single line however many there are. A session that dies holding
//! the lock loses its transaction, and the lock with it.

use postgres::{Client, GenericClient, IsolationLevel, Transaction};

use super::PgError;
use crate::model::Action;
use crate::store::activity::{ChainReport, ChainWalk, ChainedRow, LogRow, StoredLink};

/// The advisory lock key every change takes ("LSwrite!").
pub const WRITE_LOCK: i64 = 0x4c53_7772_6974_6521;

/// Takes the workspace's write lock for the rest of the transaction.
pub fn lock_for_writing(tx: &mut Transaction<'_>) -> Result<(), PgError> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
        .map_err(|e| PgError::database("could not take the write lock", e))?;
    Ok(())
}

/// Appends `entry` to the log inside `tx`, which holds the write lock; returns its `seq`.
pub(in crate::store) fn append(
    tx: &mut Transaction<'_>,
    entry: &LogRow<'_>,
) -> Result<i64, PgError> {
    let fail = |e| PgError::database("could not append to the activity log", e);
    let last = tx
        .query_opt(
            "SELECT seq, hash FROM activity ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .map_err(fail)?
        .map(|row| (row.get::<_, i64>(0), row.get::<_, String>(1)));
    let row = ChainedRow::after(last, entry);
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ('activity_head', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&row.head()],
    )
    .map_err(fail)?;
    tx.execute(
        "INSERT INTO activity (seq, at, actor, project_id, project, subject, action, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &row.seq,
            &entry.at,
            &entry.actor,
            &entry.project.map(|(key, _)| key),
            &row.project_name,
            &entry.subject,
            &row.action,
            &row.detail,
            &row.prev_hash,
            &row.hash,
        ],
    )
    .map_err(fail)?;
    Ok(row.seq)
}

/// Records one workspace-wide action as a change of its own: one transaction, under the
/// write lock, with its one activity row. Returns the row's `seq`.
pub fn record(
    client: &mut Client,
    at: &str,
    actor: &str,
    subject: &str,
    action: &Action,
) -> Result<i64, PgError> {
    let mut tx = client
        .transaction()
        .map_err(|e| PgError::database("could not start a transaction", e))?;
    lock_for_writing(&mut tx)?;
    let seq = append(
        &mut tx,
        &LogRow {
            at,
            actor,
            project: None,
            subject,
            action,
        },
    )?;
    tx.commit()
        .map_err(|e| PgError::database("could not commit a change", e))?;
    Ok(seq)
}

/// Re-walks the whole chain as [`crate::store::Store::verify_chain`] does, reading the rows
/// and the head record in one snapshot.
pub fn verify(client: &mut Client) -> Result<ChainReport, PgError> {
    let fail = |e| PgError::database("could not read the activity log", e);
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(fail)?;
    let report = walk(&mut tx).map_err(fail)?;
    tx.commit().map_err(fail)?;
    Ok(report)
}

fn walk(tx: &mut impl GenericClient) -> Result<ChainReport, postgres::Error> {
    let rows = tx.query(
        "SELECT seq, at, actor, project, subject, action, detail, prev_hash, hash
         FROM activity ORDER BY seq",
        &[],
    )?;
    let mut walk = ChainWalk::new();
    for row in &rows {
        let text = |index| row.try_get::<_, String>(index);
        let link = StoredLink {
            seq: row.try_get(0)?,
            content: [text(1)?, text(2)?, text(3)?, text(4)?, text(5)?, text(6)?],
            prev_hash: text(7)?,
            hash: text(8)?,
        };
        if let Some(report) = walk.step(&link) {
            return Ok(report);
        }
    }
    let head = tx
        .query_opt(
            "SELECT value FROM settings WHERE key = 'activity_head'",
            &[],
        )?
        .map(|row| row.get::<_, String>(0));
    Ok(walk.finish(head))
}

//! The activity log: every change, append-only, each row chained to the one before.
//!
//! A row's hash is SHA-256 over the previous row's hash and this row's content (sequence
//! number, time, actor, project, subject, action and detail), so altering, inserting or
//! deleting a row by hand breaks the chain from that row on. [`Store::verify_chain`]
//! re-walks it and names the first row that does not match.

use super::db::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Result, Store};
pub use crate::model::hex;
use crate::model::{Action, LoggedAction};

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One row of the activity log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityEntry {
    /// Position in the log, from 1.
    pub seq: i64,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Who: the workspace user's name.
    pub actor: String,
    /// The project's name at the time, or empty for workspace-wide changes.
    pub project: String,
    /// What was changed: a control id, or empty for the project itself.
    pub subject: String,
    /// The kind of change, typed; shown by its stored name (`project.create`,
    /// `control.update`, …).
    pub action: LoggedAction,
    /// What changed from what to what, as stored.
    pub detail: serde_json::Value,
    /// One line for people.
    pub summary: String,
    /// The previous row's hash.
    pub prev_hash: String,
    /// This row's hash.
    pub hash: String,
}

impl ActivityEntry {
    /// What the row says happened, typed; `None` for a row this version cannot read.
    pub fn typed(&self) -> Option<Action> {
        self.action.known().cloned()
    }
}

/// The result of re-walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Rows checked.
    pub rows: i64,
    /// The first row that breaks the chain and why, if any.
    pub first_break: Option<(i64, String)>,
}

/// The chain hash of a row.
pub fn row_hash(prev_hash: &str, seq: i64, content: [&str; 6]) -> String {
    let mut hasher = Sha256::new();
    let seq = seq.to_string();
    for part in [prev_hash, seq.as_str()].into_iter().chain(content) {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize())
}

/// What a new activity row says; written by [`append`] inside the change's transaction.
pub(super) struct LogRow<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub project: Option<(i64, &'a str)>,
    pub subject: &'a str,
    pub action: &'a Action,
}

/// A new row, complete: its place in the chain, its stored action and detail, and its
/// hash. Both backends write exactly these values.
struct ChainedRow {
    pub seq: i64,
    pub action: String,
    pub detail: String,
    pub project_name: String,
    pub prev_hash: String,
    pub hash: String,
}

impl ChainedRow {
    /// The row after `last` (the log's last `seq` and `hash`, if any) that `entry` makes.
    fn after(last: Option<(i64, String)>, entry: &LogRow<'_>) -> Self {
        let (seq, prev_hash) = match last {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS_HASH.to_string()),
        };
        let (action, detail) = entry.action.to_stored();
        let detail = detail.to_string();
        let project_name = entry
            .project
            .map(|(_, name)| name)
            .unwrap_or("")
            .to_string();
        let hash = row_hash(
            &prev_hash,
            seq,
            [
                entry.at,
                entry.actor,
                &project_name,
                entry.subject,
                &action,
                &detail,
            ],
        );
        ChainedRow {
            seq,
            action,
            detail,
            project_name,
            prev_hash,
            hash,
        }
    }

    /// The head record kept beside the log: `seq:hash` of its last row.
    fn head(&self) -> String {
        format!("{}:{}", self.seq, self.hash)
    }
}

/// Appends a row to the log inside the open transaction of `conn`.
pub(super) fn append(conn: &Connection, entry: LogRow<'_>) -> Result<()> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM activity ORDER BY seq DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let row = ChainedRow::after(last, &entry);
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES ('activity_head', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([row.head()])?;
    conn.prepare_cached(
        "INSERT INTO activity (seq, at, actor, project_id, project, subject, action, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        row.seq,
        entry.at,
        entry.actor,
        entry.project.map(|(key, _)| key),
        row.project_name,
        entry.subject,
        row.action,
        row.detail,
        row.prev_hash,
        row.hash
    ])?;
    Ok(())
}

/// One stored row as the chain check reads it: its sequence number, the six hashed fields
/// (time, actor, project, subject, action, detail), and its links.
struct StoredLink {
    pub seq: i64,
    pub content: [String; 6],
    pub prev_hash: String,
    pub hash: String,
}

/// The re-walk of a chain, fed its rows in order of `seq`, then the head record.
struct ChainWalk {
    expected_prev: String,
    expected_seq: i64,
    count: i64,
}

impl ChainWalk {
    fn new() -> Self {
        ChainWalk {
            expected_prev: GENESIS_HASH.to_string(),
            expected_seq: 1,
            count: 0,
        }
    }

    /// Checks the next row; a report when it breaks the chain.
    fn step(&mut self, row: &StoredLink) -> Option<ChainReport> {
        self.count += 1;
        let broken = if row.seq != self.expected_seq {
            Some(format!(
                "expected row {} here: a row is missing",
                self.expected_seq
            ))
        } else if row.prev_hash != self.expected_prev {
            Some("its link to the previous row does not match: a row before it was removed or replaced".to_string())
        } else {
            let [a, b, c, d, e, f] = &row.content;
            let computed = row_hash(&row.prev_hash, row.seq, [a, b, c, d, e, f]);
            (computed != row.hash)
                .then(|| "its content does not match its hash: it was altered".to_string())
        };
        if let Some(reason) = broken {
            return Some(ChainReport {
                rows: self.count,
                first_break: Some((row.seq, reason)),
            });
        }
        self.expected_prev = row.hash.clone();
        self.expected_seq = row.seq + 1;
        None
    }

    /// Ends the walk with the head record, which catches rows cut from the end of the log.
    fn finish(self, head: Option<String>) -> ChainReport {
        let last_seq = self.expected_seq - 1;
        let first_break = match head {
            None if self.count == 0 => None,
            None => Some((
                last_seq,
                "the log's head record is missing: it was removed by hand".to_string(),
            )),
            Some(head) if head == format!("{last_seq}:{}", self.expected_prev) => None,
            Some(head) => {
                let head_seq: i64 = head
                    .split(':')
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(last_seq);
                Some((
                    (last_seq + 1).min(head_seq),
                    format!(
                        "the log ends at row {last_seq} but its head names row {head_seq}: rows were removed from the end"
                    ),
                ))
            }
        };
        ChainReport {
            rows: self.count,
            first_break,
        }
    }
}

impl Store {
    /// The log, oldest first: all of it, one project's, or one subject's within a project.
    pub fn activity(
        &self,
        project: Option<i64>,
        subject: Option<&str>,
    ) -> Result<Vec<ActivityEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, actor, project, subject, action, detail, prev_hash, hash FROM activity
             WHERE (CAST(?1 AS BIGINT) IS NULL OR project_id = ?1)
               AND (CAST(?2 AS TEXT) IS NULL OR subject = ?2)
             ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![project, subject], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, String>(7)?,
                row.get::<_, String>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, at, actor, project, subject, action, detail, prev_hash, hash) = row?;
            // A detail that is not JSON was altered by hand: the row is still shown, as
            // its raw text, and `verify` names it as breaking the chain.
            let detail: serde_json::Value =
                serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail));
            let action = LoggedAction::read(&action, &detail);
            out.push(ActivityEntry {
                summary: action.summary(),
                seq,
                at,
                actor,
                project,
                subject,
                action,
                detail,
                prev_hash,
                hash,
            });
        }
        Ok(out)
    }

    /// Re-walks the whole chain and reports the first row that breaks it. The rows and the
    /// head record are read in one snapshot, so a change committed meanwhile by another
    /// process is never mistaken for rows cut from the log.
    pub fn verify_chain(&self) -> Result<ChainReport> {
        self.read(Store::walk_chain)
    }

    fn walk_chain(&self) -> Result<ChainReport> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, actor, project, subject, action, detail, prev_hash, hash
             FROM activity ORDER BY seq",
        )?;
        let links = stmt.query_map([], |row| {
            let text = |index| row.get::<_, String>(index);
            Ok(StoredLink {
                seq: row.get(0)?,
                content: [text(1)?, text(2)?, text(3)?, text(4)?, text(5)?, text(6)?],
                prev_hash: text(7)?,
                hash: text(8)?,
            })
        })?;
        let mut walk = ChainWalk::new();
        for link in links {
            if let Some(report) = walk.step(&link?) {
                return Ok(report);
            }
        }
        let head: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'activity_head'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        Ok(walk.finish(head))
    }
}

//! The one write path: every change to a workspace goes through [`Store::write`].
//!
//! A change opens a transaction that takes the database's write lock before it reads
//! anything (SQLite's IMMEDIATE transaction; on PostgreSQL, the workspace's advisory write
//! lock): another process writing at the same moment makes it wait (up to the busy
//! timeout) instead of failing, and nothing it reads can be stale by the time it writes.
//! Inside, the change reads and checks what it needs, writes, and says what happened; the
//! write path appends exactly that one activity row and commits. A change that finds nothing
//! to do rolls back and logs nothing. Any error rolls everything back.

use std::ops::Deref;

use chrono::{DateTime, SubsecRound as _, Utc};

use super::db::Connection;

use super::activity::{self, LogRow};
use super::{Result, Store, StoreError};
use crate::model::{Action, stamp};

/// An open write transaction, as a change sees it: the connection (through `Deref`), the
/// store for its read methods, and the time and actor every row of the change records.
pub(super) struct Tx<'a> {
    /// The store, for its read methods; they read inside this transaction.
    pub store: &'a Store,
    /// When the change happens, to the second, the same for each row it writes.
    pub now: DateTime<Utc>,
    /// The same time as stored: RFC 3339 text in UTC.
    pub at: String,
    /// Who makes it: the workspace user, read inside the transaction.
    pub actor: String,
}

impl Deref for Tx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.store.conn
    }
}

/// What a change did. It lives only from a change's closure to the write path's commit, so
/// the log row is kept inline rather than boxed.
#[allow(clippy::large_enum_variant)]
pub(super) enum Change<T> {
    /// It wrote something, and the log says what.
    Made(T, Logged),
    /// Nothing needed writing: the transaction is rolled back and no row is logged.
    Unchanged(T),
}

/// The activity row a change asks for.
pub(super) struct Logged {
    /// The project it concerns, if any.
    pub project: Option<i64>,
    /// What it concerns within the project: a control id, an asset, an email, or empty.
    pub subject: String,
    /// What happened.
    pub action: Action,
    /// Who, when not the workspace user as stored before the change.
    pub actor: Option<String>,
}

impl Logged {
    /// A row for `action` on `subject` of `project`, by the workspace user.
    pub fn new(project: Option<i64>, subject: impl Into<String>, action: Action) -> Self {
        Logged {
            project,
            subject: subject.into(),
            action,
            actor: None,
        }
    }
}

impl Store {
    /// Refuses at once when this login may not change the workspace, so a command checks
    /// its right to write before any side effect (an upload to a locked bucket stays for
    /// the whole retention).
    pub fn check_writable(&self) -> Result<()> {
        if self.read_only {
            return Err(StoreError::ReadOnly(self.user_name()?));
        }
        Ok(())
    }

    /// Applies one change in one IMMEDIATE transaction with its one activity row.
    pub(super) fn write<T>(
        &mut self,
        change: impl FnOnce(&Tx<'_>) -> Result<Change<T>>,
    ) -> Result<T> {
        self.check_writable()?;
        self.conn.begin_write()?;
        let outcome = self.user_name().and_then(|actor| {
            let now = self.now().trunc_subsecs(0);
            let tx = Tx {
                store: self,
                now,
                at: stamp(&now),
                actor,
            };
            let change = change(&tx)?;
            Ok((change, tx.at, tx.actor))
        });
        match outcome {
            Ok((Change::Made(value, logged), at, actor)) => {
                let committed = self
                    .append(logged, &at, actor)
                    .and_then(|()| Ok(self.conn.commit()?));
                match committed {
                    Ok(()) => Ok(value),
                    Err(error) => {
                        self.rollback();
                        Err(error)
                    }
                }
            }
            Ok((Change::Unchanged(value), _, _)) => {
                self.rollback();
                Ok(value)
            }
            Err(error) => {
                self.rollback();
                Err(error)
            }
        }
    }

    /// Ends the open transaction without keeping anything. SQLite rolls back by itself when
    /// a statement failed badly enough to end the transaction, so there may be none left.
    fn rollback(&self) {
        if !self.conn.is_autocommit() {
            // The change's own outcome is what the caller hears about; should the rollback
            // itself fail, the engine discards the unfinished transaction when the
            // connection closes, and the next BEGIN reports the connection's state.
            let _ = self.conn.rollback();
        }
    }

    /// Appends the change's row, inside the transaction.
    fn append(&self, logged: Logged, at: &str, actor: String) -> Result<()> {
        let actor = logged.actor.unwrap_or(actor);
        let project = match logged.project {
            Some(key) => Some((key, self.project(key)?.name)),
            None => None,
        };
        activity::append(
            &self.conn,
            LogRow {
                at,
                actor: &actor,
                project: project.as_ref().map(|(key, name)| (*key, name.as_str())),
                subject: &logged.subject,
                action: &logged.action,
            },
        )?;
        if self.conn.postgres().is_some() {
            // Delivered to every listening session when the change commits, and never if
            // it rolls back: open windows reload within moments (see `pg::watch`).
            self.conn.query_row(
                "SELECT pg_notify('lockstep_changes', ?1)",
                [logged.subject.as_str()],
                |_| Ok(()),
            )?;
        }
        Ok(())
    }
}

//! The records half of `lockstep workspace push`: reading every row of a local workspace in
//! one snapshot, and writing them into a team database with their ids.
//!
//! The copy is generic over the schema: the tables, their columns and primary keys come from
//! the SQLite file itself (`PRAGMA table_info`, `PRAGMA foreign_key_list`), tables are written
//! in foreign-key order, and values travel as [`Value`]s, which PostgreSQL's columns of the
//! mirrored schema hold exactly. A table added by a later migration is pushed without a
//! change here.
//!
//! All rows go in one PostgreSQL transaction under the workspace's write lock, so other
//! members never see half a workspace, and no change of theirs can slip in between the check
//! that the team database is this workspace's and the copy. Each row is an upsert on its
//! primary key: a row already there and equal is left alone, a missing one is inserted, and
//! one the local workspace changed since an earlier push is brought up to date. Running the
//! push again after an interruption therefore finishes it, and after a complete push changes
//! nothing. Identity counters are then advanced past the copied ids, so the team's next
//! insert takes a fresh one.
//!
//! Whose database it is, is told by the activity log: every change writes a row, so a team
//! database is this workspace's (an earlier push, perhaps interrupted) exactly when its log is
//! a prefix of the local one, row by row on `seq` and hash. Anything else is refused before a
//! row is written. A team database with no log but with rows is someone else's too.
//!
//! The push adds no activity row of its own. The rows are copied verbatim (`seq`, hashes, the
//! head record), so the team chain is the local chain, with the same length and head: that
//! is what lets the verification prove the copy whole, and lets a second run recognise the
//! first as a prefix. A row saying "pushed" would make the team chain differ from every
//! local one, and a re-run could no longer tell an earlier push of this workspace from
//! someone else's work. The first change the team makes chains onto the pushed head, and
//! the push itself is reported by the command and in the process log.
//!
//! Settings are copied too, with one translation: the local `user_name` (the name changes
//! are recorded under) becomes `user_name:<login>` for the database login that pushes, which
//! is how a team database keeps each member's name. The person who pushes keeps the name they
//! chose; nobody else inherits it.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::db::{self, Value};
use super::{Store, StoreError};

/// The settings key of the local user's name.
const USER_NAME: &str = "user_name";

/// What can stop a push of records.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The team database holds records that did not come from this workspace.
    #[error(
        "the team database already holds records that are not this workspace's ({0}); push into a newly connected team workspace"
    )]
    Foreign(String),
    /// The local workspace's own log is broken, so its copy could not be proven whole.
    #[error(
        "this workspace's activity log is broken at row {seq} ({reason}); run `lockstep verify` and repair it before pushing"
    )]
    BrokenSource {
        /// The first bad row.
        seq: i64,
        /// Why.
        reason: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] db::Error),
}

/// One table's rows as read from the local workspace.
#[derive(Debug, Clone)]
pub struct TableRows {
    /// The table.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
    /// The positions in `columns` of its primary key.
    key: Vec<usize>,
    /// Every row, values in column order.
    pub rows: Vec<Vec<Value>>,
}

/// Everything a push copies, read from a local workspace in one snapshot.
#[derive(Debug)]
pub struct PushSource {
    /// Every table, parents before the tables that refer to them.
    pub tables: Vec<TableRows>,
    /// Every file any record names, removed evidence included.
    pub recorded: BTreeSet<String>,
    /// The files current records use; a subset of `recorded`.
    pub current: HashSet<String>,
    /// Rows in the activity chain, as its walk counted them.
    pub chain_rows: i64,
    /// The chain's head record (`seq:hash`), when it has rows.
    pub head: Option<String>,
}

impl PushSource {
    /// Rows in all tables.
    pub fn row_count(&self) -> usize {
        self.tables.iter().map(|t| t.rows.len()).sum()
    }

    /// The activity rows' `(seq, hash)`, in order.
    fn chain(&self) -> Vec<(i64, String)> {
        let Some(table) = self.tables.iter().find(|t| t.name == "activity") else {
            return Vec::new();
        };
        let position = |name: &str| table.columns.iter().position(|c| c == name);
        let (Some(seq), Some(hash)) = (position("seq"), position("hash")) else {
            return Vec::new();
        };
        let mut links: Vec<(i64, String)> = table
            .rows
            .iter()
            .filter_map(|row| match (row.get(seq), row.get(hash)) {
                (Some(Value::Integer(seq)), Some(Value::Text(hash))) => Some((*seq, hash.clone())),
                _ => None,
            })
            .collect();
        links.sort();
        links
    }
}

/// What a copy of one table did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    /// The table.
    pub table: String,
    /// Rows in the local workspace.
    pub rows: usize,
    /// Rows inserted.
    pub inserted: usize,
    /// Rows that were there but differed, now brought up to date.
    pub updated: usize,
}

/// Rows on each side of one table, after a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    /// The table.
    pub table: String,
    /// Rows in the local workspace.
    pub local: i64,
    /// Rows in the team database.
    pub team: i64,
}

/// `"name"`, quoted as an SQL identifier on both engines.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Store {
    /// Reads every row, the files they name and the chain's state in one snapshot of this
    /// local workspace, checking that its chain is intact.
    pub fn push_source(&self) -> Result<PushSource, PushError> {
        self.read(|store| {
            let chain = store.verify_chain()?;
            let head = store.activity_head()?;
            let recorded = store.recorded_hashes()?.into_iter().collect();
            let current = store.current_hashes()?;
            let mut tables = store.local_tables()?;
            for table in &mut tables {
                table.rows = store.table_rows(&table.name, &table.columns)?;
            }
            Ok((chain, head, recorded, current, tables))
        })
        .map_err(PushError::from)
        .and_then(|(chain, head, recorded, current, tables)| {
            if let Some((seq, reason)) = chain.first_break {
                return Err(PushError::BrokenSource { seq, reason });
            }
            Ok(PushSource {
                tables,
                recorded,
                current,
                chain_rows: chain.rows,
                head,
            })
        })
    }

    /// The chain's head record (`seq:hash`), if the log has rows.
    pub fn activity_head(&self) -> super::Result<Option<String>> {
        use super::db::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'activity_head'",
                [],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// The tables of this SQLite workspace in foreign-key order, each with its columns and
    /// primary key, and no rows yet. The schema's own bookkeeping (`schema_migrations`) is
    /// not a record: the team database keeps its own, for its own migrations.
    fn local_tables(&self) -> super::Result<Vec<TableRows>> {
        let names: Vec<String> = self
            .conn
            .prepare(
                "SELECT name FROM sqlite_schema
                 WHERE type = 'table' AND name NOT LIKE 'sqlite%'
                   AND name <> 'schema_migrations'
                 ORDER BY name",
            )?
            .query_map([], |row| row.get(0))?
            .collect::<db::Result<_>>()?;
        let mut described = BTreeMap::new();
        let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for name in &names {
            let columns: Vec<(String, i64)> = self
                .conn
                .prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid")?
                .query_map([name], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<db::Result<_>>()?;
            let mut key: Vec<(i64, usize)> = columns
                .iter()
                .enumerate()
                .filter(|(_, (_, pk))| *pk > 0)
                .map(|(position, (_, pk))| (*pk, position))
                .collect();
            key.sort_unstable();
            let referenced: BTreeSet<String> = self
                .conn
                .prepare("SELECT \"table\" FROM pragma_foreign_key_list(?1)")?
                .query_map([name], |row| row.get(0))?
                .collect::<db::Result<_>>()?;
            parents.insert(
                name.clone(),
                referenced.into_iter().filter(|p| p != name).collect(),
            );
            described.insert(
                name.clone(),
                (
                    columns.into_iter().map(|(c, _)| c).collect(),
                    key.into_iter().map(|(_, position)| position).collect(),
                ),
            );
        }
        let order = foreign_key_order(&parents);
        Ok(order
            .into_iter()
            .filter_map(|name| {
                described.remove(&name).map(|(columns, key)| TableRows {
                    name,
                    columns,
                    key,
                    rows: Vec::new(),
                })
            })
            .collect())
    }

    fn table_rows(&self, table: &str, columns: &[String]) -> super::Result<Vec<Vec<Value>>> {
        let list: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
        let sql = format!("SELECT {} FROM {}", list.join(", "), quoted(table));
        let width = columns.len();
        let rows = self
            .conn
            .prepare(&sql)?
            .query_map([], |row| {
                (0..width)
                    .map(|i| row.get::<_, Value>(i))
                    .collect::<db::Result<Vec<_>>>()
            })?
            .collect::<db::Result<_>>()?;
        Ok(rows)
    }

    /// Refuses a team database that holds records not from `source` (see the module).
    pub fn check_push_target(&self, source: &PushSource) -> Result<(), PushError> {
        let team: Vec<(i64, String)> = self
            .conn
            .prepare("SELECT seq, hash FROM activity ORDER BY seq")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<db::Result<_>>()?;
        let ours = source.chain();
        if team.is_empty() {
            for table in &source.tables {
                let count = self.count_rows(&table.name)?;
                if count > 0 {
                    return Err(PushError::Foreign(format!(
                        "{count} rows in {} and no activity log",
                        table.name
                    )));
                }
            }
            return Ok(());
        }
        if team.len() > ours.len() {
            return Err(PushError::Foreign(format!(
                "its activity log has {} rows, this workspace's {}",
                team.len(),
                ours.len()
            )));
        }
        if let Some(((seq, _), _)) = team.iter().zip(&ours).find(|(t, o)| t != o) {
            return Err(PushError::Foreign(format!(
                "its activity log differs from this workspace's at row {seq}"
            )));
        }
        Ok(())
    }

    fn count_rows(&self, table: &str) -> super::Result<i64> {
        Ok(self.conn.query_row(
            &format!("SELECT count(*) FROM {}", quoted(table)),
            [],
            |row| row.get(0),
        )?)
    }

    /// Writes every row of `source` into this team database in one transaction under the
    /// write lock, checking again under the lock that the database is `source`'s; then
    /// advances the identity counters. `progress` is told each table as it is written.
    pub fn push_records(
        &mut self,
        source: &PushSource,
        progress: &mut dyn FnMut(&TableCopy),
    ) -> Result<Vec<TableCopy>, PushError> {
        if self.conn.postgres().is_none() {
            return Err(PushError::Foreign(
                "it is a local workspace, not a team database".into(),
            ));
        }
        self.conn.begin_write()?;
        let outcome = self.copy_all(source, progress);
        match outcome {
            Ok(copied) => match self.conn.commit() {
                Ok(()) => Ok(copied),
                Err(error) => {
                    let _ = self.conn.rollback();
                    Err(error.into())
                }
            },
            Err(error) => {
                // The copy's own error is what the caller hears about; a failed rollback
                // ends with the session, which discards the transaction.
                let _ = self.conn.rollback();
                Err(error)
            }
        }
    }

    fn copy_all(
        &self,
        source: &PushSource,
        progress: &mut dyn FnMut(&TableCopy),
    ) -> Result<Vec<TableCopy>, PushError> {
        self.check_push_target(source)?;
        let login: String = self
            .conn
            .query_row("SELECT session_user", [], |row| row.get(0))?;
        let mut copied = Vec::new();
        for table in &source.tables {
            let copy = self.copy_table(table, &login)?;
            progress(&copy);
            copied.push(copy);
        }
        self.conn.execute_batch(
            "DO $$
             DECLARE r RECORD;
             BEGIN
                 FOR r IN SELECT table_name, column_name FROM information_schema.columns
                          WHERE table_schema = current_schema() AND is_identity = 'YES' LOOP
                     EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), coalesce(max(%I), 0) + 1, false) FROM %I',
                                    r.table_name, r.column_name, r.column_name, r.table_name);
                 END LOOP;
             END
             $$",
        )?;
        Ok(copied)
    }

    fn copy_table(&self, table: &TableRows, login: &str) -> Result<TableCopy, PushError> {
        let name = quoted(&table.name);
        let columns: Vec<String> = table.columns.iter().map(|c| quoted(c)).collect();
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let key: Vec<String> = table
            .key
            .iter()
            .filter_map(|&i| columns.get(i).cloned())
            .collect();
        let others: Vec<&String> = columns
            .iter()
            .enumerate()
            .filter(|(i, _)| !table.key.contains(i))
            .map(|(_, c)| c)
            .collect();
        let on_conflict = if key.is_empty() {
            // Every table of the schema has a primary key; one without could not be matched
            // row for row, so its rows are inserted as they are.
            String::new()
        } else if others.is_empty() {
            format!("ON CONFLICT ({}) DO NOTHING", key.join(", "))
        } else {
            format!(
                "ON CONFLICT ({}) DO UPDATE SET {} WHERE ROW({name}.*)::text IS DISTINCT FROM ROW(excluded.*)::text",
                key.join(", "),
                others
                    .iter()
                    .map(|c| format!("{c} = excluded.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let sql = format!(
            "INSERT INTO {name} ({}) VALUES ({}) {on_conflict} RETURNING (xmax = 0)",
            columns.join(", "),
            placeholders.join(", ")
        );
        let key_column = table.columns.iter().position(|c| c == "key");
        let mut statement = self.conn.prepare_cached(&sql)?;
        let mut copy = TableCopy {
            table: table.name.clone(),
            rows: table.rows.len(),
            inserted: 0,
            updated: 0,
        };
        for row in &table.rows {
            let mut values = row.clone();
            if table.name == "settings"
                && let Some(slot) = key_column.and_then(|i| values.get_mut(i))
                && *slot == Value::Text(USER_NAME.to_string())
            {
                *slot = Value::Text(format!("{USER_NAME}:{login}"));
            }
            let changed: Vec<bool> = statement
                .query_map(values, |row| row.get(0))?
                .collect::<db::Result<_>>()?;
            match changed.first() {
                Some(true) => copy.inserted += 1,
                Some(false) => copy.updated += 1,
                None => {}
            }
        }
        Ok(copy)
    }

    /// Rows on each side of every table of `source`, this being the team database.
    pub fn push_counts(&self, source: &PushSource) -> super::Result<Vec<TableCount>> {
        self.read(|store| {
            source
                .tables
                .iter()
                .map(|table| {
                    Ok(TableCount {
                        table: table.name.clone(),
                        local: i64::try_from(table.rows.len()).unwrap_or(i64::MAX),
                        team: store.count_rows(&table.name)?,
                    })
                })
                .collect()
        })
    }
}

/// Table names ordered so every table comes after the tables it refers to; ties, and any
/// tables caught in a cycle (which the schema has none of), by name.
fn foreign_key_order(parents: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut placed: Vec<String> = Vec::new();
    let mut left: BTreeSet<&String> = parents.keys().collect();
    while !left.is_empty() {
        let ready: Vec<&String> = left
            .iter()
            .filter(|name| {
                parents.get(**name).is_none_or(|ps| {
                    ps.iter()
                        .all(|p| !parents.contains_key(p) || placed.contains(p))
                })
            })
            .copied()
            .collect();
        let next = if ready.is_empty() {
            left.iter().take(1).copied().collect()
        } else {
            ready
        };
        for name in next {
            left.remove(name);
            placed.push(name.clone());
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_come_after_the_tables_they_refer_to() {
        let parents: BTreeMap<String, BTreeSet<String>> = [
            ("evidence", vec!["controls", "projects"]),
            ("controls", vec!["projects"]),
            ("projects", vec![]),
            ("activity", vec!["projects"]),
            ("settings", vec![]),
        ]
        .into_iter()
        .map(|(t, ps)| (t.to_string(), ps.into_iter().map(String::from).collect()))
        .collect();
        let order = foreign_key_order(&parents);
        let at = |name: &str| order.iter().position(|t| t == name).unwrap();
        assert_eq!(order.len(), 5);
        assert!(at("projects") < at("controls"));
        assert!(at("controls") < at("evidence"));
        assert!(at("projects") < at("activity"));
    }

    #[test]
    fn a_local_workspace_is_read_whole_in_foreign_key_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store.set_user_name("Ana").unwrap();
        let source = store.push_source().unwrap();
        let names: Vec<&str> = source.tables.iter().map(|t| t.name.as_str()).collect();
        let at = |name: &str| names.iter().position(|t| *t == name).unwrap();
        assert!(at("projects") < at("controls"));
        assert!(at("requests") < at("request_files"));
        assert!(at("evidence") < at("request_evidence"));
        assert_eq!(source.chain_rows, 1);
        assert_eq!(source.chain().len(), 1);
        assert!(source.head.as_deref().unwrap().starts_with("1:"));
        let settings = source.tables.iter().find(|t| t.name == "settings").unwrap();
        assert!(
            settings
                .rows
                .iter()
                .any(|r| r[0] == Value::Text("user_name".into()))
        );
    }
}

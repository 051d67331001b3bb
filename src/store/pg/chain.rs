//! The activity chain on PostgreSQL: the same rows, hashes and head record as on SQLite,
//! written by the same code (see [`crate::store::activity`] and [`crate::store::db`]), kept
//! one chain while many sessions write.
//!
//! SQLite gives one writer at a time by its IMMEDIATE transactions. Here every change takes
//! the workspace's write lock first, a transaction-level advisory lock that PostgreSQL
//! releases at commit or rollback, so the reading of the last row and the appending of the
//! next are never interleaved with another session's: concurrent writers wait their turn,
//! and the chain stays a single line however many there are. A session that dies holding
//! the lock loses its transaction, and the lock with it.

/// The advisory lock key every change takes ("LSwrite!"), in
/// [`crate::store::db::Connection::begin_write`].
pub const WRITE_LOCK: i64 = 0x4c53_7772_6974_6521;

//! The team database's schema: the migrations in `schema/postgres/`, each the PostgreSQL
//! form of the SQLite migration of the same number, applied in order and recorded in the
//! `lockstep_migrations` table.
//!
//! Every session that opens the database may find it behind, so applying is serialised: the
//! whole run is one transaction that first takes a transaction-level advisory lock, then
//! reads the recorded version. Two processes opening a new database at once therefore apply
//! each migration once, and a failed migration leaves the database as it was.
//!
//! Each recorded migration carries the SHA-256 of the text it was applied from (from version
//! 14). Every open compares them with the migrations this build ships, also when the database
//! is up to date, and refuses a database whose schema came from another text. That check
//! only reads, so a member's login, which may not change the schema, runs it too.

use postgres::{Client, GenericClient};

use super::PgError;
use crate::store::frameworks::sha256_hex;

/// The migrations, in order: version, name, SQL.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_initial",
        include_str!("../../../schema/postgres/0001_initial.sql"),
    ),
    (
        2,
        "0002_evidence",
        include_str!("../../../schema/postgres/0002_evidence.sql"),
    ),
    (
        3,
        "0003_attestations",
        include_str!("../../../schema/postgres/0003_attestations.sql"),
    ),
    (
        4,
        "0004_checks",
        include_str!("../../../schema/postgres/0004_checks.sql"),
    ),
    (
        5,
        "0005_aws_reports",
        include_str!("../../../schema/postgres/0005_aws_reports.sql"),
    ),
    (
        6,
        "0006_frameworks",
        include_str!("../../../schema/postgres/0006_frameworks.sql"),
    ),
    (
        7,
        "0007_baselines",
        include_str!("../../../schema/postgres/0007_baselines.sql"),
    ),
    (
        8,
        "0008_requests",
        include_str!("../../../schema/postgres/0008_requests.sql"),
    ),
    (
        9,
        "0009_control_lookup",
        include_str!("../../../schema/postgres/0009_control_lookup.sql"),
    ),
    (
        10,
        "0010_system",
        include_str!("../../../schema/postgres/0010_system.sql"),
    ),
    (
        11,
        "0011_system_roles",
        include_str!("../../../schema/postgres/0011_system_roles.sql"),
    ),
    (
        12,
        "0012_system_users_and_parameters",
        include_str!("../../../schema/postgres/0012_system_users_and_parameters.sql"),
    ),
    (
        13,
        "0013_attachments",
        include_str!("../../../schema/postgres/0013_attachments.sql"),
    ),
    (
        14,
        "0014_migration_hashes",
        include_str!("../../../schema/postgres/0014_migration_hashes.sql"),
    ),
    (
        15,
        "0015_findings",
        include_str!("../../../schema/postgres/0015_findings.sql"),
    ),
];

/// The schema version this Lockstep writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The first schema version whose databases record each migration's hash.
const HASHED_FROM: i64 = 14;

/// The advisory lock key that serialises migrations ("LSmigrat").
const MIGRATION_LOCK: i64 = 0x4c53_6d69_6772_6174;

/// The version recorded in the database: 0 for an empty one.
pub fn version(client: &mut Client) -> Result<i64, PgError> {
    let fail = |e| PgError::database("could not be read", e);
    let tracked: bool = client
        .query_one("SELECT to_regclass('lockstep_migrations') IS NOT NULL", &[])
        .map_err(fail)?
        .get(0);
    if !tracked {
        return Ok(0);
    }
    let row = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM lockstep_migrations",
            &[],
        )
        .map_err(fail)?;
    Ok(row.get(0))
}

/// Brings the database to [`SCHEMA_VERSION`], recording each migration with `at`; returns
/// the version it was at.
pub fn migrate(client: &mut Client, at: &str) -> Result<i64, PgError> {
    // A database already up to date needs no lock and no DDL, which a member's role may not
    // be allowed.
    let current = version(client)?;
    if current > SCHEMA_VERSION {
        return Err(PgError::TooNew {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    if current >= HASHED_FROM {
        check_hashes(client)?;
    }
    if current == SCHEMA_VERSION {
        return Ok(current);
    }
    let mut tx = client
        .transaction()
        .map_err(upgrade_failed(current, "could not start a transaction"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(upgrade_failed(
            current,
            "could not be locked for its upgrade",
        ))?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS lockstep_migrations (
             version    BIGINT PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )
    .map_err(upgrade_failed(
        current,
        "could not record its schema version",
    ))?;
    let found: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM lockstep_migrations",
            &[],
        )
        .map_err(upgrade_failed(current, "could not be read"))?
        .get(0);
    if found > SCHEMA_VERSION {
        return Err(PgError::TooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    // Another process may have upgraded the database while this one waited for the lock.
    if found >= HASHED_FROM {
        check_hashes(&mut tx)?;
    }
    apply_pending(&mut tx, current, found, at)?;
    tx.commit()
        .map_err(upgrade_failed(current, "could not commit its upgrade"))?;
    Ok(found)
}

/// Maps a failed upgrade step to its error: a login that may not change the schema (an
/// editor or a reader) is told who can; anything else is a database error about `what`.
fn upgrade_failed(current: i64, what: &str) -> impl FnOnce(postgres::Error) -> PgError + use<> {
    let what = what.to_string();
    move |e: postgres::Error| {
        if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
            PgError::NeedsUpgrade {
                found: current,
                known: SCHEMA_VERSION,
            }
        } else {
            PgError::database(&what, e)
        }
    }
}

/// Applies and records, with `at`, every migration after version `found`, then records the
/// hashes still missing; `current` is the version the caller first read.
fn apply_pending(
    tx: &mut postgres::Transaction<'_>,
    current: i64,
    found: i64,
    at: &str,
) -> Result<(), PgError> {
    for (version, name, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > found) {
        tx.batch_execute(sql).map_err(upgrade_failed(
            current,
            &format!("refused migration {name}"),
        ))?;
        tx.execute(
            "INSERT INTO lockstep_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[version, name, &at],
        )
        .map_err(upgrade_failed(
            current,
            "could not record its schema version",
        ))?;
    }
    // The migrations applied by this run get the hash of the text just applied. Those
    // applied before the column existed get the hash of the text this build ships: what they
    // were applied from was never kept, so they cannot be checked retroactively, only from
    // now on.
    for (version, _, sql) in MIGRATIONS {
        tx.execute(
            "UPDATE lockstep_migrations SET sha256 = $2 WHERE version = $1 AND sha256 IS NULL",
            &[version, &sha256_hex(sql.as_bytes())],
        )
        .map_err(upgrade_failed(
            current,
            "could not record its migrations' hashes",
        ))?;
    }
    Ok(())
}

/// Refuses a database where a recorded migration's hash differs from the shipped text's.
/// Version 14's step fills every row's hash in the transaction that adds the column, so a
/// row without one is left out only as a precaution.
fn check_hashes(client: &mut impl GenericClient) -> Result<(), PgError> {
    let rows = client
        .query(
            "SELECT version, sha256 FROM lockstep_migrations
             WHERE sha256 IS NOT NULL ORDER BY version",
            &[],
        )
        .map_err(|e| PgError::database("could not be read", e))?;
    for row in rows {
        let read = |e| PgError::database("could not be read", e);
        let version: i64 = row.try_get(0).map_err(read)?;
        let sha256: String = row.try_get(1).map_err(read)?;
        let shipped = MIGRATIONS.iter().find(|(v, _, _)| *v == version);
        // Only a hand edit leaves a row past the recorded version: nothing to compare it with.
        let Some((_, name, sql)) = shipped else {
            continue;
        };
        if sha256 != sha256_hex(sql.as_bytes()) {
            return Err(PgError::ChangedMigration(format!("{name}.sql")));
        }
    }
    Ok(())
}

-- The SHA-256 of the text of each migration applied to this workspace, so that opening it
-- with a Lockstep whose migration of the same number says something else is refused instead
-- of running on a schema it does not describe. Lockstep fills it in the transaction that
-- applies the migrations; the version is the migration's number, as `PRAGMA user_version`
-- counts them.
CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    sha256  TEXT NOT NULL
) STRICT;

-- Mirrors schema/0014_migration_hashes.sql: the SHA-256 of the text of each applied
-- migration, kept here beside its version in lockstep_migrations. Lockstep creates that table
-- itself before the first migration, so a check that applies these files alone finds none and
-- this step changes nothing there. The rows recorded before this step have no hash until
-- Lockstep fills them in the same transaction.
ALTER TABLE IF EXISTS lockstep_migrations ADD COLUMN sha256 TEXT;

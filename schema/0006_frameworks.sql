-- OSCAL catalogs and profiles, kept once per workspace since they serve every project.
-- A catalog keeps its JSON text, so profiles imported later resolve against it without the
-- file. A profile keeps its JSON text and its resolved controls, rendered (statement with
-- parameters filled in, guidance, parameters as JSON), so a project is created from it
-- without resolving again. Names are unique ignoring case; re-importing a name replaces it.

CREATE TABLE catalogs (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    title         TEXT NOT NULL,
    version       TEXT NOT NULL,
    oscal_version TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    controls      INTEGER NOT NULL CHECK (controls >= 0),
    content       TEXT NOT NULL,
    imported_by   TEXT NOT NULL,
    imported_at   TEXT NOT NULL
) STRICT;

CREATE TABLE profiles (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    title         TEXT NOT NULL,
    version       TEXT NOT NULL,
    oscal_version TEXT NOT NULL,
    catalog       TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    selected      INTEGER NOT NULL CHECK (selected >= 0),
    content       TEXT NOT NULL,
    imported_by   TEXT NOT NULL,
    imported_at   TEXT NOT NULL
) STRICT;

CREATE TABLE profile_controls (
    profile_id       INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    position         INTEGER NOT NULL CHECK (position >= 0),
    control_id       TEXT NOT NULL,
    label            TEXT NOT NULL,
    family           TEXT NOT NULL,
    family_title     TEXT NOT NULL,
    title            TEXT NOT NULL,
    statement        TEXT NOT NULL,
    statement_params TEXT NOT NULL,
    guidance         TEXT NOT NULL,
    parameters       TEXT NOT NULL,
    parent           TEXT,
    selected         INTEGER NOT NULL CHECK (selected IN (0, 1)),
    PRIMARY KEY (profile_id, position),
    UNIQUE (profile_id, control_id)
) STRICT;

CREATE TRIGGER catalogs_checked_on_insert BEFORE INSERT ON catalogs
BEGIN
    SELECT RAISE(ABORT, 'catalogs.sha256 must be a SHA-256 in lowercase hex') WHERE NOT ((length(NEW.sha256) = 64 AND NEW.sha256 NOT GLOB '*[^0-9a-f]*'));
END;
CREATE TRIGGER catalogs_checked_on_update BEFORE UPDATE OF sha256 ON catalogs
BEGIN
    SELECT RAISE(ABORT, 'catalogs.sha256 must be a SHA-256 in lowercase hex') WHERE NOT ((length(NEW.sha256) = 64 AND NEW.sha256 NOT GLOB '*[^0-9a-f]*'));
END;
CREATE TRIGGER profiles_checked_on_insert BEFORE INSERT ON profiles
BEGIN
    SELECT RAISE(ABORT, 'profiles.sha256 must be a SHA-256 in lowercase hex') WHERE NOT ((length(NEW.sha256) = 64 AND NEW.sha256 NOT GLOB '*[^0-9a-f]*'));
END;
CREATE TRIGGER profiles_checked_on_update BEFORE UPDATE OF sha256 ON profiles
BEGIN
    SELECT RAISE(ABORT, 'profiles.sha256 must be a SHA-256 in lowercase hex') WHERE NOT ((length(NEW.sha256) = 64 AND NEW.sha256 NOT GLOB '*[^0-9a-f]*'));
END;

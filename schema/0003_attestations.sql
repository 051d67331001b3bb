-- Training and patch attestations and sign-offs. People and courses are workspace-wide
-- (the organisation's staff); assets, patches, deadlines and sign-offs belong to a project.

CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    email      TEXT NOT NULL,
    email_key  TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL DEFAULT '',
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE courses (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    name_key   TEXT NOT NULL UNIQUE,
    every_days INTEGER NOT NULL CHECK (every_days > 0),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE training (
    id                 INTEGER PRIMARY KEY,
    person_id          INTEGER NOT NULL REFERENCES people(id),
    course_id          INTEGER NOT NULL REFERENCES courses(id),
    completed_on       TEXT NOT NULL,
    expires_on         TEXT NOT NULL,
    attested_by        TEXT NOT NULL,
    certificate_sha256 TEXT,
    certificate_name   TEXT,
    recorded_at        TEXT NOT NULL,
    UNIQUE (person_id, course_id, completed_on)
) STRICT;

CREATE TABLE assets (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    name_key    TEXT NOT NULL,
    kind        TEXT NOT NULL
                CHECK (kind IN ('instance', 'ami', 'container-image', 'database', 'application', 'other')),
    environment TEXT NOT NULL DEFAULT '',
    managed_by  TEXT NOT NULL CHECK (managed_by IN ('customer', 'aws')),
    created_at  TEXT NOT NULL,
    UNIQUE (project_id, name_key)
) STRICT;

CREATE TABLE patches (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects(id),
    asset_id        INTEGER NOT NULL REFERENCES assets(id),
    advisory        TEXT NOT NULL,
    advisory_key    TEXT NOT NULL,
    severity        TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    released_on     TEXT NOT NULL,
    applied_on      TEXT,
    attested_by     TEXT NOT NULL,
    evidence_sha256 TEXT,
    evidence_name   TEXT,
    recorded_at     TEXT NOT NULL,
    UNIQUE (asset_id, advisory_key)
) STRICT;

CREATE TABLE patch_deadlines (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    severity   TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    days       INTEGER NOT NULL CHECK (days > 0),
    PRIMARY KEY (project_id, severity)
) STRICT, WITHOUT ROWID;

CREATE TABLE signoffs (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('control', 'training', 'patch_cycle')),
    subject      TEXT NOT NULL,
    by_name      TEXT NOT NULL CHECK (length(trim(by_name)) > 0),
    role         TEXT NOT NULL,
    statement    TEXT NOT NULL CHECK (length(trim(statement)) > 0),
    fingerprint  TEXT NOT NULL,
    signed_at    TEXT NOT NULL,
    recorded_by  TEXT NOT NULL
) STRICT;

CREATE INDEX patches_by_project ON patches (project_id, released_on);
CREATE INDEX signoffs_by_subject ON signoffs (project_id, subject_kind, subject);

-- Lockstep workspace database, version 1: settings, projects, their controls, and the
-- hash-chained activity log. Released migrations are never edited, only followed.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE projects (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(trim(name)) > 0),
    name_key     TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL DEFAULT '',
    period_start TEXT,
    period_end   TEXT,
    created_at   TEXT NOT NULL
) STRICT;

CREATE TABLE project_services (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    service    TEXT NOT NULL,
    PRIMARY KEY (project_id, service)
) STRICT, WITHOUT ROWID;

CREATE TABLE controls (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    control_id    TEXT NOT NULL,
    origin        TEXT NOT NULL CHECK (origin IN ('baseline', 'custom')),
    area          TEXT NOT NULL,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    column_name   TEXT NOT NULL CHECK (column_name IN ('aws', 'shared', 'customer')),
    aws_part      TEXT NOT NULL DEFAULT '',
    customer_part TEXT NOT NULL DEFAULT '',
    can_adjust    TEXT NOT NULL DEFAULT '',
    nist          TEXT NOT NULL DEFAULT '',
    services      TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'not_started'
                  CHECK (status IN ('not_started', 'in_progress', 'implemented', 'not_applicable')),
    status_reason TEXT NOT NULL DEFAULT '',
    owner         TEXT NOT NULL DEFAULT '',
    due           TEXT,
    review_days   INTEGER,
    notes         TEXT NOT NULL DEFAULT '',
    retired       INTEGER NOT NULL DEFAULT 0,
    sort_key      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (project_id, control_id)
) STRICT;

CREATE INDEX controls_by_project ON controls (project_id, sort_key);

CREATE TABLE activity (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    project_id INTEGER REFERENCES projects(id),
    project    TEXT NOT NULL DEFAULT '',
    subject    TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
) STRICT;

CREATE INDEX activity_by_subject ON activity (project_id, subject);

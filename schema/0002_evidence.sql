-- Evidence files attached to controls. The file itself lives in the vault under its
-- SHA-256; removal is a tombstone (removed_at, removed_by, removed_reason), never a delete.

CREATE TABLE evidence (
    id             INTEGER PRIMARY KEY,
    project_id     INTEGER NOT NULL REFERENCES projects(id),
    control_key    INTEGER NOT NULL REFERENCES controls(id),
    file_name      TEXT NOT NULL,
    size_bytes     INTEGER NOT NULL CHECK (size_bytes > 0),
    media_type     TEXT NOT NULL,
    sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
    description    TEXT NOT NULL DEFAULT '',
    collected_on   TEXT NOT NULL,
    valid_until    TEXT,
    added_by       TEXT NOT NULL,
    added_at       TEXT NOT NULL,
    removed_at     TEXT,
    removed_by     TEXT,
    removed_reason TEXT
) STRICT;

CREATE INDEX evidence_by_control ON evidence (control_key);
CREATE INDEX evidence_by_sha256 ON evidence (sha256);

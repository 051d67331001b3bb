-- The auditor's request list of a project ("PBC list"): each request as the list words it,
-- with the control references it names as written (one per line), its owner, due date,
-- priority, status in the request lifecycle and the team's written response; the list's
-- other columns are kept as JSON ([[name, value], ...]). A request is linked to evidence of
-- the project and to controls by id; a file attached to a request that names none of the
-- project's controls is a request file of its own. Comments carry the status they came with.

CREATE TABLE requests (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    request_id   TEXT NOT NULL COLLATE NOCASE CHECK (length(trim(request_id)) > 0),
    request      TEXT NOT NULL DEFAULT '',
    control_refs TEXT NOT NULL DEFAULT '',
    owner        TEXT NOT NULL DEFAULT '',
    due          TEXT,
    priority     TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'in_progress', 'submitted', 'accepted', 'returned')),
    response     TEXT NOT NULL DEFAULT '',
    other        TEXT NOT NULL DEFAULT '[]',
    position     INTEGER NOT NULL,
    added_at     TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (project_id, request_id)
) STRICT;

CREATE TABLE request_comments (
    id          INTEGER PRIMARY KEY,
    request_key INTEGER NOT NULL REFERENCES requests(id),
    text        TEXT NOT NULL CHECK (length(trim(text)) > 0),
    by          TEXT NOT NULL,
    at          TEXT NOT NULL,
    status      TEXT NOT NULL
                CHECK (status IN ('open', 'in_progress', 'submitted', 'accepted', 'returned'))
) STRICT;

CREATE TABLE request_evidence (
    request_key INTEGER NOT NULL REFERENCES requests(id),
    evidence_id INTEGER NOT NULL REFERENCES evidence(id),
    PRIMARY KEY (request_key, evidence_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE request_controls (
    request_key INTEGER NOT NULL REFERENCES requests(id),
    control_key INTEGER NOT NULL REFERENCES controls(id),
    PRIMARY KEY (request_key, control_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE request_files (
    id          INTEGER PRIMARY KEY,
    request_key INTEGER NOT NULL REFERENCES requests(id),
    file_name   TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL CHECK (size_bytes >= 0),
    media_type  TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    added_by    TEXT NOT NULL,
    added_at    TEXT NOT NULL
) STRICT;

CREATE INDEX request_comments_by_request ON request_comments (request_key);
CREATE INDEX request_files_by_request ON request_files (request_key);
CREATE INDEX request_files_by_sha256 ON request_files (sha256);

CREATE TRIGGER requests_checked_on_insert BEFORE INSERT ON requests
BEGIN
    SELECT RAISE(ABORT, 'requests.due must be a date written YYYY-MM-DD') WHERE NOT (NEW.due IS NULL OR (length(NEW.due) = 10 AND date(NEW.due) IS NEW.due));
END;

CREATE TRIGGER requests_checked_on_update BEFORE UPDATE OF due ON requests
BEGIN
    SELECT RAISE(ABORT, 'requests.due must be a date written YYYY-MM-DD') WHERE NOT (NEW.due IS NULL OR (length(NEW.due) = 10 AND date(NEW.due) IS NEW.due));
END;

CREATE TRIGGER request_files_checked_on_insert BEFORE INSERT ON request_files
BEGIN
    SELECT RAISE(ABORT, 'request_files.sha256 must be a SHA-256 in lowercase hex') WHERE NOT ((length(NEW.sha256) = 64 AND NEW.sha256 NOT GLOB '*[^0-9a-f]*'));
END;

CREATE TRIGGER request_files_checked_on_update BEFORE UPDATE OF sha256 ON request_files
BEGIN
    SELECT RAISE(ABORT, 'request_files.sha256 must be a SHA-256 in lowercase hex') WHERE NOT ((length(NEW.sha256) = 64 AND NEW.sha256 NOT GLOB '*[^0-9a-f]*'));
END;

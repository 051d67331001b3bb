-- Findings from AWS's own tools (Amazon Inspector, Security Hub, Systems Manager), imported
-- from the files they export. Each import that changes anything is a row of its own, with
-- the file kept in the vault under its SHA-256. A finding is matched across imports by its
-- source and the source's id; it is never deleted, only closed (fixed, or no longer
-- reported by a complete export) and perhaps reopened. A vulnerability with a severity is
-- linked to the patch record of its resource and advisory. Deviations (FedRAMP's false
-- positives, operational requirements and risk adjustments) and milestones belong to a
-- finding; a deviation counts once a sign-off of the finding covers it.

CREATE TABLE finding_imports (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    source      TEXT NOT NULL CHECK (source IN ('inspector', 'security-hub', 'systems-manager')),
    format      TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    size_bytes  INTEGER NOT NULL CHECK (size_bytes >= 0),
    file_date   TEXT NOT NULL,
    snapshot    INTEGER NOT NULL CHECK (snapshot IN (0, 1)),
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL
) STRICT;

CREATE TABLE findings (
    id                 INTEGER PRIMARY KEY,
    project_id         INTEGER NOT NULL REFERENCES projects(id),
    source             TEXT NOT NULL CHECK (source IN ('inspector', 'security-hub', 'systems-manager')),
    source_id          TEXT NOT NULL CHECK (length(source_id) > 0),
    kind               TEXT NOT NULL CHECK (kind IN ('vulnerability', 'check')),
    account            TEXT NOT NULL DEFAULT '',
    title              TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    severity           TEXT NOT NULL
                       CHECK (severity IN ('critical', 'high', 'medium', 'low', 'informational')),
    resource           TEXT NOT NULL,
    resource_type      TEXT NOT NULL DEFAULT '',
    vulnerability      TEXT NOT NULL DEFAULT '',
    package            TEXT NOT NULL DEFAULT '',
    fixed_in           TEXT NOT NULL DEFAULT '',
    fix_available      INTEGER CHECK (fix_available IN (0, 1)),
    check_id           TEXT NOT NULL DEFAULT '',
    passed             INTEGER CHECK (passed IN (0, 1)),
    -- Whether the check has ever been reported failing (kept once set).
    failed             INTEGER NOT NULL DEFAULT 0 CHECK (failed IN (0, 1)),
    controls           TEXT NOT NULL DEFAULT '',
    first_seen         TEXT NOT NULL,
    last_seen          TEXT NOT NULL,
    closed_on          TEXT,
    closed_reason      TEXT CHECK (closed_reason IN ('fixed', 'no-longer-reported')),
    patch_id           INTEGER REFERENCES patches(id),
    first_import_id    INTEGER NOT NULL REFERENCES finding_imports(id),
    import_id          INTEGER NOT NULL REFERENCES finding_imports(id),
    internet_reachable INTEGER CHECK (internet_reachable IN (0, 1)),
    likely_exploitable INTEGER CHECK (likely_exploitable IN (0, 1)),
    UNIQUE (project_id, source, source_id),
    CHECK ((closed_on IS NULL) = (closed_reason IS NULL))
) STRICT;

CREATE INDEX findings_by_project ON findings (project_id, kind, closed_on);
CREATE INDEX findings_by_patch ON findings (patch_id);

CREATE TABLE finding_deviations (
    id                INTEGER PRIMARY KEY,
    project_id        INTEGER NOT NULL REFERENCES projects(id),
    finding_id        INTEGER NOT NULL REFERENCES findings(id),
    kind              TEXT NOT NULL
                      CHECK (kind IN ('false-positive', 'operational-requirement', 'risk-adjustment')),
    rationale         TEXT NOT NULL CHECK (length(trim(rationale)) > 0),
    adjusted_severity TEXT CHECK (adjusted_severity IN ('critical', 'high', 'medium', 'low', 'informational')),
    evidence_sha256   TEXT CHECK (evidence_sha256 IS NULL OR length(evidence_sha256) = 64),
    evidence_name     TEXT,
    requested_by      TEXT NOT NULL,
    requested_at      TEXT NOT NULL
) STRICT;

CREATE INDEX finding_deviations_by_finding ON finding_deviations (finding_id);

CREATE TABLE finding_milestones (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    finding_id  INTEGER NOT NULL REFERENCES findings(id),
    due         TEXT NOT NULL,
    text        TEXT NOT NULL CHECK (length(trim(text)) > 0),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
) STRICT;

CREATE INDEX finding_milestones_by_finding ON finding_milestones (finding_id);

-- FedRAMP's certificationPackageOverviewUri, remembered once given.
ALTER TABLE projects ADD COLUMN package_uri TEXT NOT NULL DEFAULT '';

-- A finding can be signed off (its deviation). SQLite cannot change a CHECK in place, so
-- the table is rebuilt with the same rows.
CREATE TABLE signoffs_new (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('control', 'training', 'patch_cycle', 'finding')),
    subject      TEXT NOT NULL,
    by_name      TEXT NOT NULL CHECK (length(trim(by_name)) > 0),
    role         TEXT NOT NULL,
    statement    TEXT NOT NULL CHECK (length(trim(statement)) > 0),
    fingerprint  TEXT NOT NULL,
    signed_at    TEXT NOT NULL,
    recorded_by  TEXT NOT NULL
) STRICT;

INSERT INTO signoffs_new (id, project_id, subject_kind, subject, by_name, role, statement,
                          fingerprint, signed_at, recorded_by)
SELECT id, project_id, subject_kind, subject, by_name, role, statement, fingerprint, signed_at,
       recorded_by
FROM signoffs;

DROP TABLE signoffs;
ALTER TABLE signoffs_new RENAME TO signoffs;
CREATE INDEX signoffs_by_subject ON signoffs (project_id, subject_kind, subject);

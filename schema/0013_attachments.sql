-- The documents an authorization package attaches to its plan: policies and procedures (each
-- for a control), the user guide, rules of behavior, the contingency, configuration
-- management and incident response plans, the separation of duties matrix, the boundary,
-- network and data flow diagrams, and the FedRAMP logo. The file lives in the vault under its
-- SHA-256, as evidence does; a policy for three controls is three rows. Removal is a
-- tombstone, never a delete.
CREATE TABLE attachments (
    id             INTEGER PRIMARY KEY,
    project_id     INTEGER NOT NULL REFERENCES projects(id),
    kind           TEXT NOT NULL CHECK (kind IN
                       ('policy', 'procedure', 'users-guide', 'rules-of-behavior',
                        'contingency-plan', 'configuration-management-plan',
                        'incident-response-plan', 'separation-of-duties-matrix',
                        'authorization-boundary-diagram', 'network-diagram',
                        'data-flow-diagram', 'fedramp-logo')),
    control_key    INTEGER REFERENCES controls(id),
    title          TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    size_bytes     INTEGER NOT NULL CHECK (size_bytes > 0),
    media_type     TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    added_by       TEXT NOT NULL,
    added_at       TEXT NOT NULL,
    removed_at     TEXT,
    removed_by     TEXT,
    removed_reason TEXT,
    CHECK ((kind IN ('policy', 'procedure')) = (control_key IS NOT NULL))
) STRICT;

CREATE INDEX attachments_by_project ON attachments (project_id);
CREATE INDEX attachments_by_sha256 ON attachments (sha256);

CREATE TRIGGER attachments_checked_on_insert BEFORE INSERT ON attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments.sha256 must be a SHA-256 in lowercase hex') WHERE NOT ((length(NEW.sha256) = 64 AND NEW.sha256 NOT GLOB '*[^0-9a-f]*'));
END;

CREATE TRIGGER attachments_checked_on_update BEFORE UPDATE OF sha256 ON attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments.sha256 must be a SHA-256 in lowercase hex') WHERE NOT ((length(NEW.sha256) = 64 AND NEW.sha256 NOT GLOB '*[^0-9a-f]*'));
END;

-- The FedRAMP package id of the AWS authorization a system leverages, beside its other facts.
ALTER TABLE system_facts ADD COLUMN aws_fedramp_id TEXT;

-- The catalog a profile resolves to, as written at import (OSCAL JSON), which plans and packs
-- carry beside themselves. Profiles imported before have none until imported again.
ALTER TABLE profiles ADD COLUMN resolved_catalog TEXT;

-- What the inventory states of each asset (FedRAMP's asset type, virtual, public, scan type,
-- software…), as a JSON object of the facts given.
ALTER TABLE assets ADD COLUMN inventory TEXT NOT NULL DEFAULT '{}';

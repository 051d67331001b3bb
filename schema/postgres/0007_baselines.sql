-- Projects on a framework baseline (a resolved NIST or FedRAMP profile), where each of the
-- baseline's controls sits and why, and the provider's Customer Responsibility Matrix (CRM)
-- imported for a project. Mirrors schema/0007_baselines.sql.

-- The baseline a project tracks, by the name `profile list` shows; NULL for the built-in SRM set.
ALTER TABLE projects ADD COLUMN baseline TEXT;

-- The framework fields of a control. A project on the built-in SRM set leaves them blank.
-- `statement` is the statement with its parameters filled in, `statement_params` the JSON list
-- of where each filled value sits in it, `parameters` the JSON list of the filled parameters,
-- `parent` the label of the control an enhancement enhances. `placement` is the JSON reason
-- for the control's column ({"kind":"srm","ids":[...]}, {"kind":"person"}, ...), blank for a
-- control of the built-in SRM set that nobody moved. A control with `tracked` 0 is a parent
-- kept only as context for its selected enhancements: shown, never worked.
ALTER TABLE controls ADD COLUMN family TEXT NOT NULL DEFAULT '';
ALTER TABLE controls ADD COLUMN parent TEXT NOT NULL DEFAULT '';
ALTER TABLE controls ADD COLUMN statement TEXT NOT NULL DEFAULT '';
ALTER TABLE controls ADD COLUMN statement_params TEXT NOT NULL DEFAULT '[]';
ALTER TABLE controls ADD COLUMN guidance TEXT NOT NULL DEFAULT '';
ALTER TABLE controls ADD COLUMN parameters TEXT NOT NULL DEFAULT '[]';
ALTER TABLE controls ADD COLUMN placement TEXT NOT NULL DEFAULT '';
ALTER TABLE controls ADD COLUMN tracked BIGINT NOT NULL DEFAULT 1 CHECK (tracked IN (0, 1));

-- A project's imported CRM: one row per control it names (OSCAL id, `ac-2.1`). Importing
-- again replaces them all.
CREATE TABLE project_crm (
    project_id     BIGINT NOT NULL REFERENCES projects(id),
    control_id     TEXT NOT NULL,
    answer         TEXT NOT NULL CHECK (answer IN ('yes', 'partial', 'no')),
    responsibility TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, control_id)
);

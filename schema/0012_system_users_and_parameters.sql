-- The kinds of people who use a project's system, as an authorization package describes them:
-- each with the roles it holds, whether it is internal, external or the public, its privilege
-- level, the sensitivity of its position, and the functions it performs (one per line). And
-- the values the organisation gives to the parameters its baseline leaves open, per project.
CREATE TABLE system_users (
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    title       TEXT NOT NULL COLLATE NOCASE CHECK (length(trim(title)) > 0),
    roles       TEXT NOT NULL CHECK (length(trim(roles)) > 0),
    user_type   TEXT NOT NULL CHECK (user_type IN ('internal', 'external', 'general-public')),
    privilege   TEXT NOT NULL CHECK (privilege IN
                    ('privileged', 'non-privileged', 'no-logical-access')),
    sensitivity TEXT NOT NULL CHECK (sensitivity IN
                    ('high-risk', 'severe', 'moderate', 'limited', 'not-applicable')),
    functions   TEXT NOT NULL CHECK (length(trim(functions)) > 0),
    PRIMARY KEY (project_id, title)
) STRICT, WITHOUT ROWID;

CREATE TABLE parameter_values (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    param_id   TEXT NOT NULL CHECK (length(trim(param_id)) > 0),
    value      TEXT NOT NULL CHECK (length(trim(value)) > 0),
    PRIMARY KEY (project_id, param_id)
) STRICT, WITHOUT ROWID;

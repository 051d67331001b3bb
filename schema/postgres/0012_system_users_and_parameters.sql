-- Mirrors schema/0012_system_users_and_parameters.sql: the kinds of people who use a
-- project's system, and the values the organisation gives to its baseline's open parameters.
CREATE TABLE system_users (
    project_id  BIGINT NOT NULL REFERENCES projects(id),
    title       TEXT COLLATE nocase NOT NULL CHECK (length(trim(title)) > 0),
    roles       TEXT NOT NULL CHECK (length(trim(roles)) > 0),
    user_type   TEXT NOT NULL CHECK (user_type IN ('internal', 'external', 'general-public')),
    privilege   TEXT NOT NULL CHECK (privilege IN
                    ('privileged', 'non-privileged', 'no-logical-access')),
    sensitivity TEXT NOT NULL CHECK (sensitivity IN
                    ('high-risk', 'severe', 'moderate', 'limited', 'not-applicable')),
    functions   TEXT NOT NULL CHECK (length(trim(functions)) > 0),
    PRIMARY KEY (project_id, title)
);

CREATE TABLE parameter_values (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    param_id   TEXT NOT NULL CHECK (length(trim(param_id)) > 0),
    value      TEXT NOT NULL CHECK (length(trim(value)) > 0),
    PRIMARY KEY (project_id, param_id)
);

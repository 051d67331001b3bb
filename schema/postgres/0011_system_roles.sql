-- Mirrors schema/0011_system_roles.sql: who holds each of the roles an authorization package
-- names for a project's system, one person per role.
CREATE TABLE system_roles (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    role       TEXT NOT NULL CHECK (role IN
                   ('system-owner', 'authorizing-official', 'authorizing-official-poc',
                    'information-system-security-officer', 'system-poc-management',
                    'system-poc-technical', 'system-poc-other')),
    person_id  BIGINT NOT NULL REFERENCES people(id),
    PRIMARY KEY (project_id, role)
);

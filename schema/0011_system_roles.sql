-- Who holds each of the roles an authorization package names for a project's system: the
-- system owner, the authorizing official and their point of contact, the information system
-- security officer, and the management, technical and other points of contact. One person per
-- role; assigning a role again hands it to another person.
CREATE TABLE system_roles (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    role       TEXT NOT NULL CHECK (role IN
                   ('system-owner', 'authorizing-official', 'authorizing-official-poc',
                    'information-system-security-officer', 'system-poc-management',
                    'system-poc-technical', 'system-poc-other')),
    person_id  INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (project_id, role)
) STRICT, WITHOUT ROWID;

-- The facts about a project's system that an authorization package states and no other record
-- holds: its FedRAMP id and short name, a description, the cloud service and deployment model,
-- the authorization type, the identity, authenticator and federation assurance levels, and the
-- security objectives for confidentiality, integrity and availability. One row per project,
-- every fact optional until someone gives it.
CREATE TABLE system_facts (
    project_id         INTEGER PRIMARY KEY REFERENCES projects(id),
    fedramp_id         TEXT,
    short_name         TEXT,
    description        TEXT,
    service_model      TEXT CHECK (service_model IN ('saas', 'paas', 'iaas', 'other')),
    deployment_model   TEXT CHECK (deployment_model IN
                           ('public-cloud', 'government-only-cloud', 'hybrid-cloud',
                            'private-cloud', 'other')),
    authorization_type TEXT CHECK (authorization_type IN
                           ('fedramp-jab', 'fedramp-agency', 'fedramp-li-saas')),
    ial                INTEGER CHECK (ial BETWEEN 1 AND 3),
    aal                INTEGER CHECK (aal BETWEEN 1 AND 3),
    fal                INTEGER CHECK (fal BETWEEN 1 AND 3),
    confidentiality    TEXT CHECK (confidentiality IN ('low', 'moderate', 'high')),
    integrity          TEXT CHECK (integrity IN ('low', 'moderate', 'high')),
    availability       TEXT CHECK (availability IN ('low', 'moderate', 'high'))
) STRICT, WITHOUT ROWID;

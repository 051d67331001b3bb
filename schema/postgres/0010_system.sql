-- Mirrors schema/0010_system.sql: the facts about a project's system that an authorization
-- package states and no other record holds, one row per project, every fact optional until
-- someone gives it.
CREATE TABLE system_facts (
    project_id         BIGINT PRIMARY KEY REFERENCES projects(id),
    fedramp_id         TEXT,
    short_name         TEXT,
    description        TEXT,
    service_model      TEXT CHECK (service_model IN ('saas', 'paas', 'iaas', 'other')),
    deployment_model   TEXT CHECK (deployment_model IN
                           ('public-cloud', 'government-only-cloud', 'hybrid-cloud',
                            'private-cloud', 'other')),
    authorization_type TEXT CHECK (authorization_type IN
                           ('fedramp-jab', 'fedramp-agency', 'fedramp-li-saas')),
    ial                BIGINT CHECK (ial BETWEEN 1 AND 3),
    aal                BIGINT CHECK (aal BETWEEN 1 AND 3),
    fal                BIGINT CHECK (fal BETWEEN 1 AND 3),
    confidentiality    TEXT CHECK (confidentiality IN ('low', 'moderate', 'high')),
    integrity          TEXT CHECK (integrity IN ('low', 'moderate', 'high')),
    availability       TEXT CHECK (availability IN ('low', 'moderate', 'high'))
);

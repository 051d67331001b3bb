-- AWS's own reports (SOC 2, SOC 1, ISO 27001, PCI AOC, FedRAMP) kept once per workspace, since
-- they serve every project; the complementary user entity controls (CUECs) each report lists,
-- with the criteria and control ids the list names; and, per project, which of its controls a
-- person mapped to each CUEC by hand (a control named by id in the list maps by itself). Removing a report writes a
-- tombstone: the row and its files stay.

CREATE TABLE aws_reports (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL
                   CHECK (kind IN ('soc2-type2', 'soc1-type2', 'iso27001', 'pci-aoc', 'fedramp', 'other')),
    title          TEXT NOT NULL CHECK (length(trim(title)) > 0),
    file_name      TEXT NOT NULL,
    size_bytes     INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256         TEXT NOT NULL,
    period_start   TEXT,
    period_end     TEXT,
    valid_until    TEXT,
    services       TEXT NOT NULL DEFAULT '',
    bridge_sha256  TEXT,
    bridge_name    TEXT,
    bridge_until   TEXT,
    added_by       TEXT NOT NULL,
    added_at       TEXT NOT NULL,
    removed_at     TEXT,
    removed_by     TEXT,
    removed_reason TEXT,
    CHECK ((period_start IS NULL) = (period_end IS NULL)),
    CHECK (period_start IS NULL OR period_start <= period_end),
    CHECK ((bridge_sha256 IS NULL) = (bridge_until IS NULL)),
    CHECK (bridge_until IS NULL OR period_end < bridge_until)
) STRICT;

CREATE TABLE cuecs (
    id        INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES aws_reports(id),
    text        TEXT NOT NULL CHECK (length(trim(text)) > 0),
    criteria    TEXT NOT NULL DEFAULT '',
    control_ids TEXT NOT NULL DEFAULT '',
    added_at    TEXT NOT NULL
) STRICT;

CREATE TABLE cuec_controls (
    cuec_id     INTEGER NOT NULL REFERENCES cuecs(id),
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    control_key INTEGER NOT NULL REFERENCES controls(id),
    PRIMARY KEY (cuec_id, control_key)
) STRICT, WITHOUT ROWID;

CREATE INDEX cuecs_by_report ON cuecs (report_id);
CREATE INDEX cuec_controls_by_project ON cuec_controls (project_id, cuec_id);

CREATE TRIGGER aws_reports_checked_on_insert BEFORE INSERT ON aws_reports
BEGIN
    SELECT RAISE(ABORT, 'aws_reports.sha256 must be a SHA-256 in lowercase hex') WHERE NOT ((length(NEW.sha256) = 64 AND NEW.sha256 NOT GLOB '*[^0-9a-f]*'));
    SELECT RAISE(ABORT, 'aws_reports.bridge_sha256 must be a SHA-256 in lowercase hex') WHERE NOT (NEW.bridge_sha256 IS NULL OR (length(NEW.bridge_sha256) = 64 AND NEW.bridge_sha256 NOT GLOB '*[^0-9a-f]*'));
    SELECT RAISE(ABORT, 'aws_reports.period_start must be a date written YYYY-MM-DD') WHERE NOT (NEW.period_start IS NULL OR (length(NEW.period_start) = 10 AND date(NEW.period_start) IS NEW.period_start));
    SELECT RAISE(ABORT, 'aws_reports.period_end must be a date written YYYY-MM-DD') WHERE NOT (NEW.period_end IS NULL OR (length(NEW.period_end) = 10 AND date(NEW.period_end) IS NEW.period_end));
    SELECT RAISE(ABORT, 'aws_reports.valid_until must be a date written YYYY-MM-DD') WHERE NOT (NEW.valid_until IS NULL OR (length(NEW.valid_until) = 10 AND date(NEW.valid_until) IS NEW.valid_until));
    SELECT RAISE(ABORT, 'aws_reports.bridge_until must be a date written YYYY-MM-DD') WHERE NOT (NEW.bridge_until IS NULL OR (length(NEW.bridge_until) = 10 AND date(NEW.bridge_until) IS NEW.bridge_until));
END;

CREATE TRIGGER aws_reports_checked_on_update BEFORE UPDATE OF sha256, bridge_sha256, period_start, period_end, valid_until, bridge_until ON aws_reports
BEGIN
    SELECT RAISE(ABORT, 'aws_reports.sha256 must be a SHA-256 in lowercase hex') WHERE NOT ((length(NEW.sha256) = 64 AND NEW.sha256 NOT GLOB '*[^0-9a-f]*'));
    SELECT RAISE(ABORT, 'aws_reports.bridge_sha256 must be a SHA-256 in lowercase hex') WHERE NOT (NEW.bridge_sha256 IS NULL OR (length(NEW.bridge_sha256) = 64 AND NEW.bridge_sha256 NOT GLOB '*[^0-9a-f]*'));
    SELECT RAISE(ABORT, 'aws_reports.period_start must be a date written YYYY-MM-DD') WHERE NOT (NEW.period_start IS NULL OR (length(NEW.period_start) = 10 AND date(NEW.period_start) IS NEW.period_start));
    SELECT RAISE(ABORT, 'aws_reports.period_end must be a date written YYYY-MM-DD') WHERE NOT (NEW.period_end IS NULL OR (length(NEW.period_end) = 10 AND date(NEW.period_end) IS NEW.period_end));
    SELECT RAISE(ABORT, 'aws_reports.valid_until must be a date written YYYY-MM-DD') WHERE NOT (NEW.valid_until IS NULL OR (length(NEW.valid_until) = 10 AND date(NEW.valid_until) IS NEW.valid_until));
    SELECT RAISE(ABORT, 'aws_reports.bridge_until must be a date written YYYY-MM-DD') WHERE NOT (NEW.bridge_until IS NULL OR (length(NEW.bridge_until) = 10 AND date(NEW.bridge_until) IS NEW.bridge_until));
END;

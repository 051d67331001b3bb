-- Checks on the hashes, dates and numbers that Lockstep reads back and acts on: a hash names
-- a vault file, a date decides what is overdue or expired. The tables are STRICT already;
-- these add the shape of each value. They are triggers rather than table CHECK constraints
-- because a CHECK can only be added by rebuilding the table, which would refuse to open a
-- workspace holding one bad row; a trigger guards every write of these columns from now on and leaves any
-- bad row already there for `lockstep verify` to name.

CREATE TRIGGER projects_checked_on_insert BEFORE INSERT ON projects
BEGIN
    SELECT RAISE(ABORT, 'projects.period_start must be a date written YYYY-MM-DD') WHERE NOT (NEW.period_start IS NULL OR (length(NEW.period_start) = 10 AND date(NEW.period_start) IS NEW.period_start));
    SELECT RAISE(ABORT, 'projects.period_end must be a date written YYYY-MM-DD') WHERE NOT (NEW.period_end IS NULL OR (length(NEW.period_end) = 10 AND date(NEW.period_end) IS NEW.period_end));
END;

CREATE TRIGGER projects_checked_on_update BEFORE UPDATE OF period_start, period_end ON projects
BEGIN
    SELECT RAISE(ABORT, 'projects.period_start must be a date written YYYY-MM-DD') WHERE NOT (NEW.period_start IS NULL OR (length(NEW.period_start) = 10 AND date(NEW.period_start) IS NEW.period_start));
    SELECT RAISE(ABORT, 'projects.period_end must be a date written YYYY-MM-DD') WHERE NOT (NEW.period_end IS NULL OR (length(NEW.period_end) = 10 AND date(NEW.period_end) IS NEW.period_end));
END;

CREATE TRIGGER controls_checked_on_insert BEFORE INSERT ON controls
BEGIN
    SELECT RAISE(ABORT, 'controls.due must be a date written YYYY-MM-DD') WHERE NOT (NEW.due IS NULL OR (length(NEW.due) = 10 AND date(NEW.due) IS NEW.due));
    SELECT RAISE(ABORT, 'controls.review_days must be a number of days from 1 to 36525') WHERE NOT (NEW.review_days IS NULL OR NEW.review_days BETWEEN 1 AND 36525);
END;

CREATE TRIGGER controls_checked_on_update BEFORE UPDATE OF due, review_days ON controls
BEGIN
    SELECT RAISE(ABORT, 'controls.due must be a date written YYYY-MM-DD') WHERE NOT (NEW.due IS NULL OR (length(NEW.due) = 10 AND date(NEW.due) IS NEW.due));
    SELECT RAISE(ABORT, 'controls.review_days must be a number of days from 1 to 36525') WHERE NOT (NEW.review_days IS NULL OR NEW.review_days BETWEEN 1 AND 36525);
END;

CREATE TRIGGER evidence_checked_on_insert BEFORE INSERT ON evidence
BEGIN
    SELECT RAISE(ABORT, 'evidence.sha256 must be a SHA-256 in lowercase hex') WHERE NOT ((length(NEW.sha256) = 64 AND NEW.sha256 NOT GLOB '*[^0-9a-f]*'));
    SELECT RAISE(ABORT, 'evidence.collected_on must be a date written YYYY-MM-DD') WHERE NOT ((length(NEW.collected_on) = 10 AND date(NEW.collected_on) IS NEW.collected_on));
    SELECT RAISE(ABORT, 'evidence.valid_until must be a date written YYYY-MM-DD') WHERE NOT (NEW.valid_until IS NULL OR (length(NEW.valid_until) = 10 AND date(NEW.valid_until) IS NEW.valid_until));
END;

CREATE TRIGGER evidence_checked_on_update BEFORE UPDATE OF sha256, collected_on, valid_until ON evidence
BEGIN
    SELECT RAISE(ABORT, 'evidence.sha256 must be a SHA-256 in lowercase hex') WHERE NOT ((length(NEW.sha256) = 64 AND NEW.sha256 NOT GLOB '*[^0-9a-f]*'));
    SELECT RAISE(ABORT, 'evidence.collected_on must be a date written YYYY-MM-DD') WHERE NOT ((length(NEW.collected_on) = 10 AND date(NEW.collected_on) IS NEW.collected_on));
    SELECT RAISE(ABORT, 'evidence.valid_until must be a date written YYYY-MM-DD') WHERE NOT (NEW.valid_until IS NULL OR (length(NEW.valid_until) = 10 AND date(NEW.valid_until) IS NEW.valid_until));
END;

CREATE TRIGGER training_checked_on_insert BEFORE INSERT ON training
BEGIN
    SELECT RAISE(ABORT, 'training.certificate_sha256 must be a SHA-256 in lowercase hex') WHERE NOT (NEW.certificate_sha256 IS NULL OR (length(NEW.certificate_sha256) = 64 AND NEW.certificate_sha256 NOT GLOB '*[^0-9a-f]*'));
    SELECT RAISE(ABORT, 'training.completed_on must be a date written YYYY-MM-DD') WHERE NOT ((length(NEW.completed_on) = 10 AND date(NEW.completed_on) IS NEW.completed_on));
    SELECT RAISE(ABORT, 'training.expires_on must be a date written YYYY-MM-DD') WHERE NOT ((length(NEW.expires_on) = 10 AND date(NEW.expires_on) IS NEW.expires_on));
END;

CREATE TRIGGER training_checked_on_update BEFORE UPDATE OF certificate_sha256, completed_on, expires_on ON training
BEGIN
    SELECT RAISE(ABORT, 'training.certificate_sha256 must be a SHA-256 in lowercase hex') WHERE NOT (NEW.certificate_sha256 IS NULL OR (length(NEW.certificate_sha256) = 64 AND NEW.certificate_sha256 NOT GLOB '*[^0-9a-f]*'));
    SELECT RAISE(ABORT, 'training.completed_on must be a date written YYYY-MM-DD') WHERE NOT ((length(NEW.completed_on) = 10 AND date(NEW.completed_on) IS NEW.completed_on));
    SELECT RAISE(ABORT, 'training.expires_on must be a date written YYYY-MM-DD') WHERE NOT ((length(NEW.expires_on) = 10 AND date(NEW.expires_on) IS NEW.expires_on));
END;

CREATE TRIGGER patches_checked_on_insert BEFORE INSERT ON patches
BEGIN
    SELECT RAISE(ABORT, 'patches.evidence_sha256 must be a SHA-256 in lowercase hex') WHERE NOT (NEW.evidence_sha256 IS NULL OR (length(NEW.evidence_sha256) = 64 AND NEW.evidence_sha256 NOT GLOB '*[^0-9a-f]*'));
    SELECT RAISE(ABORT, 'patches.released_on must be a date written YYYY-MM-DD') WHERE NOT ((length(NEW.released_on) = 10 AND date(NEW.released_on) IS NEW.released_on));
    SELECT RAISE(ABORT, 'patches.applied_on must be a date written YYYY-MM-DD') WHERE NOT (NEW.applied_on IS NULL OR (length(NEW.applied_on) = 10 AND date(NEW.applied_on) IS NEW.applied_on));
END;

CREATE TRIGGER patches_checked_on_update BEFORE UPDATE OF evidence_sha256, released_on, applied_on ON patches
BEGIN
    SELECT RAISE(ABORT, 'patches.evidence_sha256 must be a SHA-256 in lowercase hex') WHERE NOT (NEW.evidence_sha256 IS NULL OR (length(NEW.evidence_sha256) = 64 AND NEW.evidence_sha256 NOT GLOB '*[^0-9a-f]*'));
    SELECT RAISE(ABORT, 'patches.released_on must be a date written YYYY-MM-DD') WHERE NOT ((length(NEW.released_on) = 10 AND date(NEW.released_on) IS NEW.released_on));
    SELECT RAISE(ABORT, 'patches.applied_on must be a date written YYYY-MM-DD') WHERE NOT (NEW.applied_on IS NULL OR (length(NEW.applied_on) = 10 AND date(NEW.applied_on) IS NEW.applied_on));
END;

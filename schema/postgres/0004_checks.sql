-- Checks on the hashes, dates and numbers that Lockstep reads back and acts on: a hash names
-- a vault file, a date decides what is overdue or expired. Mirrors schema/0004_checks.sql:
-- triggers rather than CHECK constraints, as there, so a database holding one bad row still
-- opens and `lockstep verify` can name the row; every write of these columns is guarded from
-- now on. Each trigger has its own function of the same name and refuses a value with the
-- same sentence as on SQLite (SQLSTATE 23514, check_violation, with the table and column).
--
-- Two helpers state the shapes once, for the triggers and for any query that looks for bad
-- values. Both return NULL for NULL, so a NULL in a NOT NULL column is refused by the NOT
-- NULL constraint after the trigger, as on SQLite.

-- 64 lowercase hex digits: SQLite's `length(v) = 64 AND v NOT GLOB '*[^0-9a-f]*'`.
CREATE FUNCTION lockstep_is_sha256(value TEXT) RETURNS BOOLEAN
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN value COLLATE "C" ~ '^[0-9a-f]{64}$';

-- A real calendar date written YYYY-MM-DD (proleptic Gregorian, years 0000 to 9999):
-- SQLite's `length(v) = 10 AND date(v) IS v`, where date() turns 2023-02-29 into 2023-03-01.
-- Checked step by step rather than with to_date(), which raises on 2023-02-30 instead of
-- answering and knows no year 0000.
CREATE FUNCTION lockstep_is_date(value TEXT) RETURNS BOOLEAN
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    y INTEGER;
    m INTEGER;
    d INTEGER;
BEGIN
    IF value COLLATE "C" !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
        RETURN FALSE;
    END IF;
    y := substr(value, 1, 4)::INTEGER;
    m := substr(value, 6, 2)::INTEGER;
    d := substr(value, 9, 2)::INTEGER;
    IF m < 1 OR m > 12 OR d < 1 THEN
        RETURN FALSE;
    END IF;
    RETURN d <= CASE
        WHEN m = 2 AND y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0) THEN 29
        WHEN m = 2 THEN 28
        WHEN m IN (4, 6, 9, 11) THEN 30
        ELSE 31
    END;
END
$$;

CREATE FUNCTION projects_checked_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (NEW.period_start IS NULL OR lockstep_is_date(NEW.period_start)) THEN
        RAISE EXCEPTION 'projects.period_start must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'projects', COLUMN = 'period_start';
    END IF;
    IF NOT (NEW.period_end IS NULL OR lockstep_is_date(NEW.period_end)) THEN
        RAISE EXCEPTION 'projects.period_end must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'projects', COLUMN = 'period_end';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER projects_checked_on_insert BEFORE INSERT ON projects
    FOR EACH ROW EXECUTE FUNCTION projects_checked_on_insert();

CREATE FUNCTION projects_checked_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (NEW.period_start IS NULL OR lockstep_is_date(NEW.period_start)) THEN
        RAISE EXCEPTION 'projects.period_start must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'projects', COLUMN = 'period_start';
    END IF;
    IF NOT (NEW.period_end IS NULL OR lockstep_is_date(NEW.period_end)) THEN
        RAISE EXCEPTION 'projects.period_end must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'projects', COLUMN = 'period_end';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER projects_checked_on_update BEFORE UPDATE OF period_start, period_end ON projects
    FOR EACH ROW EXECUTE FUNCTION projects_checked_on_update();

CREATE FUNCTION controls_checked_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (NEW.due IS NULL OR lockstep_is_date(NEW.due)) THEN
        RAISE EXCEPTION 'controls.due must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'controls', COLUMN = 'due';
    END IF;
    IF NOT (NEW.review_days IS NULL OR NEW.review_days BETWEEN 1 AND 36525) THEN
        RAISE EXCEPTION 'controls.review_days must be a number of days from 1 to 36525'
            USING ERRCODE = 'check_violation', TABLE = 'controls', COLUMN = 'review_days';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER controls_checked_on_insert BEFORE INSERT ON controls
    FOR EACH ROW EXECUTE FUNCTION controls_checked_on_insert();

CREATE FUNCTION controls_checked_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (NEW.due IS NULL OR lockstep_is_date(NEW.due)) THEN
        RAISE EXCEPTION 'controls.due must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'controls', COLUMN = 'due';
    END IF;
    IF NOT (NEW.review_days IS NULL OR NEW.review_days BETWEEN 1 AND 36525) THEN
        RAISE EXCEPTION 'controls.review_days must be a number of days from 1 to 36525'
            USING ERRCODE = 'check_violation', TABLE = 'controls', COLUMN = 'review_days';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER controls_checked_on_update BEFORE UPDATE OF due, review_days ON controls
    FOR EACH ROW EXECUTE FUNCTION controls_checked_on_update();

CREATE FUNCTION evidence_checked_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (lockstep_is_sha256(NEW.sha256)) THEN
        RAISE EXCEPTION 'evidence.sha256 must be a SHA-256 in lowercase hex'
            USING ERRCODE = 'check_violation', TABLE = 'evidence', COLUMN = 'sha256';
    END IF;
    IF NOT (lockstep_is_date(NEW.collected_on)) THEN
        RAISE EXCEPTION 'evidence.collected_on must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'evidence', COLUMN = 'collected_on';
    END IF;
    IF NOT (NEW.valid_until IS NULL OR lockstep_is_date(NEW.valid_until)) THEN
        RAISE EXCEPTION 'evidence.valid_until must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'evidence', COLUMN = 'valid_until';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER evidence_checked_on_insert BEFORE INSERT ON evidence
    FOR EACH ROW EXECUTE FUNCTION evidence_checked_on_insert();

CREATE FUNCTION evidence_checked_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (lockstep_is_sha256(NEW.sha256)) THEN
        RAISE EXCEPTION 'evidence.sha256 must be a SHA-256 in lowercase hex'
            USING ERRCODE = 'check_violation', TABLE = 'evidence', COLUMN = 'sha256';
    END IF;
    IF NOT (lockstep_is_date(NEW.collected_on)) THEN
        RAISE EXCEPTION 'evidence.collected_on must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'evidence', COLUMN = 'collected_on';
    END IF;
    IF NOT (NEW.valid_until IS NULL OR lockstep_is_date(NEW.valid_until)) THEN
        RAISE EXCEPTION 'evidence.valid_until must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'evidence', COLUMN = 'valid_until';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER evidence_checked_on_update BEFORE UPDATE OF sha256, collected_on, valid_until ON evidence
    FOR EACH ROW EXECUTE FUNCTION evidence_checked_on_update();

CREATE FUNCTION training_checked_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (NEW.certificate_sha256 IS NULL OR lockstep_is_sha256(NEW.certificate_sha256)) THEN
        RAISE EXCEPTION 'training.certificate_sha256 must be a SHA-256 in lowercase hex'
            USING ERRCODE = 'check_violation', TABLE = 'training', COLUMN = 'certificate_sha256';
    END IF;
    IF NOT (lockstep_is_date(NEW.completed_on)) THEN
        RAISE EXCEPTION 'training.completed_on must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'training', COLUMN = 'completed_on';
    END IF;
    IF NOT (lockstep_is_date(NEW.expires_on)) THEN
        RAISE EXCEPTION 'training.expires_on must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'training', COLUMN = 'expires_on';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER training_checked_on_insert BEFORE INSERT ON training
    FOR EACH ROW EXECUTE FUNCTION training_checked_on_insert();

CREATE FUNCTION training_checked_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (NEW.certificate_sha256 IS NULL OR lockstep_is_sha256(NEW.certificate_sha256)) THEN
        RAISE EXCEPTION 'training.certificate_sha256 must be a SHA-256 in lowercase hex'
            USING ERRCODE = 'check_violation', TABLE = 'training', COLUMN = 'certificate_sha256';
    END IF;
    IF NOT (lockstep_is_date(NEW.completed_on)) THEN
        RAISE EXCEPTION 'training.completed_on must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'training', COLUMN = 'completed_on';
    END IF;
    IF NOT (lockstep_is_date(NEW.expires_on)) THEN
        RAISE EXCEPTION 'training.expires_on must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'training', COLUMN = 'expires_on';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER training_checked_on_update BEFORE UPDATE OF certificate_sha256, completed_on, expires_on ON training
    FOR EACH ROW EXECUTE FUNCTION training_checked_on_update();

CREATE FUNCTION patches_checked_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (NEW.evidence_sha256 IS NULL OR lockstep_is_sha256(NEW.evidence_sha256)) THEN
        RAISE EXCEPTION 'patches.evidence_sha256 must be a SHA-256 in lowercase hex'
            USING ERRCODE = 'check_violation', TABLE = 'patches', COLUMN = 'evidence_sha256';
    END IF;
    IF NOT (lockstep_is_date(NEW.released_on)) THEN
        RAISE EXCEPTION 'patches.released_on must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'patches', COLUMN = 'released_on';
    END IF;
    IF NOT (NEW.applied_on IS NULL OR lockstep_is_date(NEW.applied_on)) THEN
        RAISE EXCEPTION 'patches.applied_on must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'patches', COLUMN = 'applied_on';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER patches_checked_on_insert BEFORE INSERT ON patches
    FOR EACH ROW EXECUTE FUNCTION patches_checked_on_insert();

CREATE FUNCTION patches_checked_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (NEW.evidence_sha256 IS NULL OR lockstep_is_sha256(NEW.evidence_sha256)) THEN
        RAISE EXCEPTION 'patches.evidence_sha256 must be a SHA-256 in lowercase hex'
            USING ERRCODE = 'check_violation', TABLE = 'patches', COLUMN = 'evidence_sha256';
    END IF;
    IF NOT (lockstep_is_date(NEW.released_on)) THEN
        RAISE EXCEPTION 'patches.released_on must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'patches', COLUMN = 'released_on';
    END IF;
    IF NOT (NEW.applied_on IS NULL OR lockstep_is_date(NEW.applied_on)) THEN
        RAISE EXCEPTION 'patches.applied_on must be a date written YYYY-MM-DD'
            USING ERRCODE = 'check_violation', TABLE = 'patches', COLUMN = 'applied_on';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER patches_checked_on_update BEFORE UPDATE OF evidence_sha256, released_on, applied_on ON patches
    FOR EACH ROW EXECUTE FUNCTION patches_checked_on_update();

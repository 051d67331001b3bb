-- Finding a control by its id, ignoring case as ids are compared. Mirrors
-- schema/0009_control_lookup.sql: an index of its own, so the lookup inside the write lock
-- stays quick however large the project.
CREATE INDEX controls_by_id ON controls (project_id, control_id COLLATE nocase);

-- Finding a control by its id, as every edit does, ignoring case as ids are compared: an index
-- of its own, so the lookup inside the write lock stays quick however large the project.
CREATE INDEX controls_by_id ON controls (project_id, control_id COLLATE NOCASE);

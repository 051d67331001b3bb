//! Assets, patch attestations and patch deadlines of a project.

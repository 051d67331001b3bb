//! People, courses and training attestations (workspace-wide).

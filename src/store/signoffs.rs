//! Sign-offs: statements about a control, the training roster or a patch cycle.

//! Plain domain types and the rules of the shared-responsibility model.
//!
//! Nothing here does I/O or knows about SQLite or egui: these are the words the rest of
//! Lockstep speaks (columns, statuses, service models) and the rules that decide with them
//! (the ownership test, when a status change is allowed, when a control is overdue). Keeping
//! them pure means every rule is tested in isolation and shared by the window and the CLI.

mod control;
mod dates;
mod error;
mod project;

pub use control::{
    Column, ControlChange, ControlField, ControlPatch, ServiceModel, Status, column_for_ownership,
    is_overdue, plan_changes,
};
pub use dates::parse_date;
pub use error::RuleError;
pub use project::{Control, Origin, Project};

//! Lockstep: audit preparation for AWS workloads.
//!
//! The crate is layered so data flows one way: [`model`] holds the pure rules;
//! [`store`] and [`catalog`] apply them to the workspace database and the built-in baseline;
//! [`cli`] and [`app`] turn what a user asked for into calls on those; [`ui`] draws the
//! window from the app's state and never touches SQL or files. [`aws`] (credentials, signing)
//! sits below [`vault`] and knows nothing above it.

pub mod app;
pub mod aws;
pub mod catalog;
pub mod cells;
pub mod cli;
pub mod export_oscal;
pub mod import;
pub mod input;
pub mod log;
pub mod model;
pub mod pack;
pub mod process;
pub mod sign;
pub mod snapshot;
pub mod store;
pub mod team_push;
pub mod text;
pub mod ui;
pub mod vault;
pub mod workspace;

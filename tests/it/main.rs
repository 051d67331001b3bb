//! Lockstep's integration tests, in one binary so the app is linked once: one module per
//! area, each on its own temp workspace.

mod common;
mod servers;
mod window;

mod aws_reports;
mod baseline;
mod baselines;
mod cli;
mod concurrency;
mod faults;
mod frameworks;
mod hostile;
mod messages;
mod oscal;
mod pack;
mod patches;
mod pg_store;
mod requests;
mod s3_vault;
mod sign;
mod signoffs;
mod store;
mod system;
mod team;
mod team_push;
mod training;
mod ui;
mod ui_attestations;
mod ui_aws_reports;
mod ui_board;
mod ui_clock;
mod ui_conflict;
mod ui_control_panel;
mod ui_damaged;
mod ui_dashboard;
mod ui_files;
mod ui_forms;
mod ui_frameworks;
mod ui_log;
mod ui_oscal;
mod ui_requests;
mod ui_system;
mod vault;
mod verify_pack;
mod write_path;

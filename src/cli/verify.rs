//! `lockstep verify`: re-walks the activity log's hash chain and names the first row that
//! breaks it, and re-hashes every file current evidence uses, naming each one missing or
//! altered with the evidence and control it belongs to. Exit 1 when anything is wrong.

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use super::Outcome;
use crate::workspace::{Workspace, verify_workspace};

pub(super) fn run(workspace: &Workspace) -> Outcome {
    let report = verify_workspace(workspace, &AtomicBool::new(false), &mut |_, _| {})?;
    for line in report.lines() {
        outln!("{line}");
    }
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

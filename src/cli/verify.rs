//! `lockstep verify`: re-walks the activity log's hash chain and names the first row that
//! breaks it. Exit 1 when anything is wrong.

use std::process::ExitCode;

use super::Outcome;
use crate::store::Store;

pub(super) fn run(store: &Store) -> Outcome {
    let report = store.verify_chain()?;
    match report.first_break {
        None => {
            println!("activity log: {} rows, chain intact", report.rows);
            Ok(ExitCode::SUCCESS)
        }
        Some((seq, reason)) => {
            println!("activity log: row {seq} breaks the chain: {reason}");
            Ok(ExitCode::from(1))
        }
    }
}

//! `lockstep services`: the AWS services Lockstep knows and their service model.

use std::process::ExitCode;

use clap::Args;

use super::{Outcome, print_json, print_table};
use crate::catalog::Baseline;

/// Options of `lockstep services`.
#[derive(Debug, Args)]
pub struct ServicesArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(args: &ServicesArgs) -> Outcome {
    let services = &Baseline::builtin().services;
    if args.json {
        print_json(services)?;
    } else {
        let rows: Vec<Vec<String>> = services
            .iter()
            .map(|s| vec![s.id.clone(), s.model.as_str().to_string(), s.name.clone()])
            .collect();
        print_table(&["ID", "MODEL", "NAME"], &rows)?;
    }
    Ok(ExitCode::SUCCESS)
}

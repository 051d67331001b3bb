//! `lockstep param`: the values the organisation gives to the parameters its baseline leaves
//! open ("[Assignment: organization-defined frequency]"), which the plan writes as its
//! set-parameters.

use std::process::ExitCode;

use clap::Subcommand;

use super::{Outcome, print_json, print_table, shown};
use crate::model::ParameterSource;
use crate::store::Store;

/// The `param` subcommands.
#[derive(Debug, Subcommand)]
pub enum ParamCommand {
    /// Give a parameter its value for the project; an empty value clears it.
    Set {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The parameter's id, as `param list` shows it (`ac-01_odp.03`).
        param: String,
        /// The value, such as "at least annually".
        value: String,
    },
    /// List the parameters of the project's controls with the baseline's text and the value
    /// given.
    List {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Only those the plan still needs a value for.
        #[arg(long)]
        missing: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(store: &mut Store, command: ParamCommand) -> Outcome {
    match command {
        ParamCommand::Set {
            project,
            param,
            value,
        } => {
            let project = store.project_by_name(&project)?;
            let param = store.set_parameter(project.key, &param, &value)?;
            let id = &param.state.id;
            match &param.state.value {
                Some(value) => outln!("{id} ({}): {}", param.control, shown(value)),
                None => outln!("{id} ({}): cleared", param.control),
            }
        }
        ParamCommand::List {
            project,
            missing,
            json,
        } => {
            let project = store.project_by_name(&project)?;
            let all = store.project_parameters(project.key)?;
            let listed: Vec<_> = all.iter().filter(|p| !missing || p.missing).collect();
            if json {
                print_json(&listed)?;
            } else if listed.is_empty() {
                outln!(
                    "{}",
                    if all.is_empty() {
                        "this project's controls have no parameters (it is on no framework baseline)"
                    } else {
                        "every parameter has a value"
                    }
                );
            } else {
                let rows: Vec<Vec<String>> = listed
                    .iter()
                    .map(|p| {
                        vec![
                            p.control.clone(),
                            p.state.id.clone(),
                            p.state
                                .value
                                .clone()
                                .unwrap_or_else(|| p.state.baseline.clone()),
                            if p.state.value.is_some() {
                                "given".to_string()
                            } else if p.missing {
                                "missing".to_string()
                            } else if matches!(
                                p.state.source,
                                ParameterSource::Value | ParameterSource::Constraint
                            ) {
                                "baseline".to_string()
                            } else {
                                format!("from {}", p.state.gathered_by.as_deref().unwrap_or(""))
                            },
                        ]
                    })
                    .collect();
                print_table(&["CONTROL", "PARAMETER", "VALUE", "FROM"], &rows)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

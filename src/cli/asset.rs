//! `lockstep asset`: add the things a project patches, and list them.

use std::process::ExitCode;

use clap::Subcommand;

use super::{Outcome, print_json, print_table};
use crate::model::{AssetKind, ManagedBy};
use crate::store::{NewAsset, Store};

/// The `asset` subcommands.
#[derive(Debug, Subcommand)]
pub enum AssetCommand {
    /// Add an asset to a project: something patched, and who patches it.
    Add {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The asset's name, unique in the project regardless of case.
        asset: String,
        /// What it is: instance, ami, container-image, database, application or other.
        #[arg(long)]
        kind: String,
        /// Who patches it.
        #[arg(long, value_name = "customer|aws")]
        managed_by: String,
        /// Where it runs, for example production.
        #[arg(long, default_value = "")]
        environment: String,
    },
    /// List a project's assets with counts of their patch records.
    List {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(store: &mut Store, command: AssetCommand) -> Outcome {
    match command {
        AssetCommand::Add {
            project,
            asset,
            kind,
            managed_by,
            environment,
        } => {
            let project = store.project_by_name(&project)?;
            let new = NewAsset {
                name: asset,
                kind: kind.parse::<AssetKind>()?,
                environment,
                managed_by: managed_by.parse::<ManagedBy>()?,
            };
            let asset = store.add_asset(project.key, &new)?;
            outln!(
                "added asset {} ({}, managed by {})",
                asset.name,
                asset.kind.as_str(),
                asset.managed_by.as_str()
            );
        }
        AssetCommand::List { project, json } => {
            let project = store.project_by_name(&project)?;
            let assets = store.assets(project.key)?;
            if json {
                print_json(&assets)?;
            } else if assets.is_empty() {
                outln!("no assets yet: add one with `lockstep asset add`");
            } else {
                let rows: Vec<Vec<String>> = assets
                    .iter()
                    .map(|a| {
                        vec![
                            a.name.clone(),
                            a.kind.as_str().to_string(),
                            if a.environment.is_empty() {
                                "-".to_string()
                            } else {
                                a.environment.clone()
                            },
                            a.managed_by.as_str().to_string(),
                            a.patches.to_string(),
                            a.unapplied.to_string(),
                        ]
                    })
                    .collect();
                print_table(
                    &[
                        "ASSET",
                        "KIND",
                        "ENVIRONMENT",
                        "MANAGED BY",
                        "PATCHES",
                        "UNAPPLIED",
                    ],
                    &rows,
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

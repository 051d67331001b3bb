//! `lockstep catalog`: OSCAL catalogs (such as NIST SP 800-53), kept once per workspace so
//! profiles can be resolved against them.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{Outcome, print_json, print_table, shown};
use crate::model::short_hash;
use crate::store::Store;

/// The `catalog` subcommands.
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Import an OSCAL catalog (JSON, OSCAL 1.0 to 1.1); the same file again changes nothing.
    Import {
        /// The catalog file; its name without `.json` becomes the catalog's name.
        #[arg(value_name = "FILE.json")]
        file: PathBuf,
    },
    /// List the imported catalogs.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(store: &mut Store, command: CatalogCommand) -> Outcome {
    match command {
        CatalogCommand::Import { file } => {
            let before = store.catalogs()?;
            let catalog = store.import_catalog(&file)?;
            if before.contains(&catalog) {
                outln!(
                    "catalog '{}' is already imported from this file; nothing changed",
                    shown(&catalog.name)
                );
            } else {
                outln!(
                    "imported catalog '{}': {}, version {} (OSCAL {}), {} controls",
                    shown(&catalog.name),
                    shown(&catalog.title),
                    shown(&catalog.version),
                    shown(&catalog.oscal_version),
                    catalog.controls
                );
            }
        }
        CatalogCommand::List { json } => {
            let catalogs = store.catalogs()?;
            if json {
                print_json(&catalogs)?;
            } else if catalogs.is_empty() {
                outln!("no catalogs yet: import one with `lockstep catalog import FILE.json`");
            } else {
                let rows: Vec<Vec<String>> = catalogs
                    .iter()
                    .map(|c| {
                        vec![
                            c.name.clone(),
                            c.version.clone(),
                            c.oscal_version.clone(),
                            c.controls.to_string(),
                            short_hash(&c.sha256),
                            c.title.clone(),
                        ]
                    })
                    .collect();
                print_table(
                    &["NAME", "VERSION", "OSCAL", "CONTROLS", "SHA256", "TITLE"],
                    &rows,
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

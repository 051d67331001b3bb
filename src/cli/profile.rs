//! `lockstep profile`: OSCAL profiles (baselines such as NIST SP 800-53 MODERATE), resolved
//! when imported and kept so projects can be created on them.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{Outcome, print_json, print_table, shown};
use crate::store::Store;

/// The `profile` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Import an OSCAL profile (JSON) and resolve it; the same file again changes nothing.
    ///
    /// Its imports are found by their href (back-matter resources, relative paths, other
    /// profiles), then by file name in the profile's folder, then among imported catalogs
    /// of the same file name.
    Import {
        /// The profile file; its name without `.json` becomes the baseline's name.
        #[arg(value_name = "FILE.json")]
        file: PathBuf,
        /// Resolve the profile's catalog imports against this imported catalog (its name or
        /// title) instead of their href.
        #[arg(long, value_name = "NAME")]
        catalog: Option<String>,
    },
    /// List the imported profiles: their names are what `--baseline` takes.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(store: &mut Store, command: ProfileCommand) -> Outcome {
    match command {
        ProfileCommand::Import { file, catalog } => {
            let before = store.baselines()?;
            let baseline = store.import_profile(&file, catalog.as_deref())?;
            if before.contains(&baseline) {
                outln!(
                    "profile '{}' is already imported from this file; nothing changed",
                    shown(&baseline.name)
                );
            } else {
                outln!(
                    "imported profile '{}' ({}): {} controls selected from {}",
                    shown(&baseline.name),
                    shown(&baseline.title),
                    baseline.selected,
                    shown(&baseline.catalog)
                );
            }
        }
        ProfileCommand::List { json } => {
            let baselines = store.baselines()?;
            if json {
                print_json(&baselines)?;
            } else if baselines.is_empty() {
                outln!("no profiles yet: import one with `lockstep profile import FILE.json`");
            } else {
                let rows: Vec<Vec<String>> = baselines
                    .iter()
                    .map(|b| {
                        vec![
                            b.name.clone(),
                            b.selected.to_string(),
                            b.catalog.clone(),
                            b.title.clone(),
                        ]
                    })
                    .collect();
                print_table(&["NAME", "CONTROLS", "CATALOG", "TITLE"], &rows)?;
                outln!(
                    "\nA NAME is what `--baseline` takes: the profile's file name without .json (its title works too; case does not matter)."
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `lockstep export-oscal`: writes a project's responsibility matrix as an OSCAL system
//! security plan, an OSCAL component definition and the FedRAMP CIS/CRM workbook.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{Outcome, shown};
use crate::oscal::{OscalInput, documents, write_files};
use crate::workspace::Workspace;

/// Options of `lockstep export-oscal`.
#[derive(Debug, Args)]
pub struct ExportOscalArgs {
    /// The project's name.
    #[arg(long)]
    project: String,
    /// The folder to write `ssp.json`, `component-definition.json` and `crm.xlsx` into;
    /// created when missing, and files of those names in it are replaced.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub(super) fn run(workspace: &Workspace, args: &ExportOscalArgs) -> Outcome {
    let project = workspace.store.project_by_name(&args.project)?;
    let input = OscalInput::read(&workspace.store, project.key)?;
    let files = documents(&input)?;
    let written = write_files(&args.out, &files)?;
    for (path, (_, bytes)) in written.iter().zip(&files) {
        outln!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    outln!(
        "for '{}': {} controls, {} AWS services",
        shown(&project.name),
        crate::oscal::requirements(&input).len(),
        input.services.len()
    );
    Ok(ExitCode::SUCCESS)
}

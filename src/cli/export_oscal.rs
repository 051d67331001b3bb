//! `lockstep export-oscal`: writes a project's responsibility matrix as an OSCAL system
//! security plan, an OSCAL component definition and the FedRAMP CIS/CRM workbook.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{Outcome, print_json, shown};
use crate::export_oscal::{Missing, OscalInput, documents, missing, write_files};
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
    /// Print what was written and what is missing as JSON.
    #[arg(long)]
    json: bool,
}

/// What `export-oscal --json` prints.
#[derive(Debug, serde::Serialize)]
struct Written<'a> {
    files: Vec<String>,
    controls: usize,
    missing: &'a [Missing],
}

pub(super) fn run(workspace: &Workspace, args: &ExportOscalArgs) -> Outcome {
    let project = workspace.store.project_by_name(&args.project)?;
    let mut input = OscalInput::read(&workspace.store, project.key)?;
    input.embed_attachments(&workspace.vault);
    let files = documents(&input)?;
    let written = write_files(&args.out, &files)?;
    let requirements = crate::export_oscal::requirements(&input);
    let controls = requirements.len();
    let missing = missing(&input, &requirements);
    if args.json {
        print_json(&Written {
            files: written.iter().map(|p| p.display().to_string()).collect(),
            controls,
            missing: &missing,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    for (path, (_, bytes)) in written.iter().zip(&files) {
        outln!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    outln!(
        "for '{}': {} controls, {} AWS services",
        shown(&project.name),
        controls,
        input.services.len()
    );
    if !missing.is_empty() {
        outln!(
            "not in the plan, since the workspace does not know it yet ({}):",
            missing.len()
        );
        for item in &missing {
            outln!("  - {}: {}", shown(&item.what), shown(&item.how));
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `export-oscal` for a project the size of the NIST SP 800-53 Rev 5 HIGH baseline: 370
//! controls, each placed in a column, with evidence on a third of them.
//!
//! Until projects can follow an imported baseline, the 370 controls are built as the
//! writer's own input: the control ids the HIGH profile selects (read from
//! `../shared/data/oscal`, or 370 made-up ids of the same shape when it is absent), spread
//! over the three columns and four statuses, on twelve AWS services. What is timed:
//!
//! - the writers alone (`oscal::documents`: SSP, component definition, workbook);
//! - writing the three files into a folder (`oscal::write_files`, synced);
//! - the whole `export-oscal` path on a workspace with the built-in set on every service:
//!   reading the snapshot, writing the documents and the files.
//!
//! Goal: the HIGH-size export within 0.5 s. Each figure is the best of five runs.
//! Run with `cargo bench --bench oscal`.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use lockstep::catalog::Baseline;
use lockstep::export_oscal::{
    OscalControl, OscalEvidence, OscalInput, OscalPerson, OscalService, documents, write_files,
};
use lockstep::model::{Column, Status, oscal_id_of};
use lockstep::store::NewProject;
use lockstep::workspace::Workspace;

const CONTROLS: usize = 370;
const RUNS: usize = 5;
const GOAL: Duration = Duration::from_millis(500);

/// The control ids of the HIGH baseline, or made-up ones of the same shape.
fn high_ids() -> Vec<String> {
    let profile = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../shared/data/oscal/nist-800-53-rev5/NIST_SP-800-53_rev5_HIGH-baseline_profile.json",
    );
    let read = std::fs::read(&profile)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    let mut ids: Vec<String> = read
        .iter()
        .flat_map(|p| {
            p["profile"]["imports"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .flat_map(|i| {
            i["include-controls"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .flat_map(|i| i["with-ids"].as_array().cloned().unwrap_or_default())
        .filter_map(|id| id.as_str().map(str::to_string))
        .collect();
    if ids.len() != CONTROLS {
        println!(
            "HIGH profile not found or not 370 ids ({}): using made-up ids",
            profile.display()
        );
        let families = ["ac", "au", "cm", "ia", "sc", "si", "cp", "ir", "ra", "sa"];
        ids = (0..CONTROLS)
            .map(|n| format!("{}-{}.{}", families[n % 10], n / 10 + 1, n % 7))
            .collect();
    }
    ids
}

fn generated_input() -> OscalInput {
    let builtin = Baseline::builtin();
    let services: Vec<OscalService> = builtin
        .services
        .iter()
        .take(12)
        .map(|s| OscalService {
            id: s.id.clone(),
            name: s.name.clone(),
            model: s.model.label().to_string(),
        })
        .collect();
    let people: Vec<OscalPerson> = (0..20)
        .map(|n| OscalPerson {
            name: format!("Person {n:02}"),
            email: format!("person{n:02}@example.com"),
        })
        .collect();
    let controls = high_ids()
        .into_iter()
        .enumerate()
        .map(|(n, id)| {
            let label = lockstep::model::label_of(&id);
            let column = Column::ALL[n % 3];
            OscalControl {
                id: label.clone(),
                title: format!("Control {label}"),
                description: "The organisation does what the control asks, every time, and \
                    records that it did so. "
                    .repeat(4),
                column,
                aws_part: "AWS operates the infrastructure this rests on. ".repeat(3),
                customer_part: "The team configures, reviews and evidences its part. ".repeat(3),
                status: Status::ALL[n % 4],
                status_reason: if n % 4 == 3 {
                    "Not used in this system.".to_string()
                } else {
                    String::new()
                },
                owner: people[n % people.len()].name.clone(),
                nist: oscal_id_of(&id).into_iter().collect(),
                due: None,
                set_values: Vec::new(),
                open_parameters: Vec::new(),
                services: services
                    .iter()
                    .skip(n % 4)
                    .step_by(3)
                    .map(|s| s.id.clone())
                    .collect(),
                evidence: if n % 3 == 0 {
                    (0..2)
                        .map(|k| OscalEvidence {
                            id: (n * 2 + k) as i64,
                            file_name: format!("evidence {n}-{k}.pdf"),
                            description: "Configuration export".to_string(),
                            media_type: "application/pdf".to_string(),
                            sha256: format!("{:064x}", n * 2 + k),
                            pack_path: format!(
                                "evidence/customer/{label} Control/evidence {n}-{k}.pdf"
                            ),
                        })
                        .collect()
                } else {
                    vec![]
                },
            }
        })
        .collect();
    OscalInput {
        system: Default::default(),
        roles: Vec::new(),
        users: Vec::new(),
        attachments: Vec::new(),
        resolved_catalog: None,
        assets: Vec::new(),
        project: "HIGH-size project".to_string(),
        description: "A system on twelve AWS services, audited against 370 controls.".to_string(),
        baseline: Some("NIST SP 800-53 Rev 5 HIGH".to_string()),
        services,
        controls,
        people,
        prepared_by: "Person 00".to_string(),
        last_modified: "2026-11-28T09:30:00Z".to_string(),
        version: "1234".to_string(),
        created_on: "2026-01-05".to_string(),
    }
}

fn best(mut run: impl FnMut() -> Result<()>) -> Result<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..RUNS {
        let started = Instant::now();
        run()?;
        best = best.min(started.elapsed());
    }
    Ok(best)
}

fn report(what: &str, took: Duration) {
    let verdict = if took <= GOAL { "within" } else { "OVER" };
    println!(
        "{what}: {:.1} ms ({verdict} the {} ms goal)",
        took.as_secs_f64() * 1000.0,
        GOAL.as_millis()
    );
}

fn main() -> Result<()> {
    let scratch = tempfile::Builder::new()
        .prefix("lockstep-oscal-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .context("cannot make the scratch folder")?;
    let root = scratch.path();

    let input = generated_input();
    let requirements = lockstep::export_oscal::requirements(&input).len();
    let files = documents(&input)?;
    println!(
        "HIGH-size input: {} controls, {} implemented requirements, {} services; ssp.json {} KiB, \
         component-definition.json {} KiB, crm.xlsx {} KiB",
        input.controls.len(),
        requirements,
        input.services.len(),
        files[0].1.len() / 1024,
        files[1].1.len() / 1024,
        files[2].1.len() / 1024,
    );
    report(
        "writers (SSP, component definition, workbook)",
        best(|| documents(&input).map(|_| ()).map_err(Into::into))?,
    );
    let out = root.join("out");
    report(
        "writers and the three files written and synced",
        best(|| {
            let files = documents(&input)?;
            write_files(&out, &files)?;
            Ok(())
        })?,
    );

    // The whole path on a real workspace: the built-in set on every service.
    let dir = root.join("workspace");
    let mut workspace = Workspace::open(&dir)?;
    let all: Vec<String> = Baseline::builtin()
        .services
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let project = workspace.store.create_project(&NewProject {
        name: "Every service".to_string(),
        services: all,
        ..NewProject::default()
    })?;
    let built_in = OscalInput::read(&workspace.store, project.key)?;
    println!(
        "built-in set on every service: {} controls, {} implemented requirements",
        built_in.controls.len(),
        lockstep::export_oscal::requirements(&built_in).len()
    );
    let out = root.join("out-workspace");
    report(
        "export-oscal on the workspace (read, write, files)",
        best(|| {
            let input = OscalInput::read(&workspace.store, project.key)?;
            write_files(&out, &documents(&input)?)?;
            Ok(())
        })?,
    );
    Ok(())
}

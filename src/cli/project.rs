//! `lockstep project`: create, list, and change the services and baseline of projects.

use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use serde::Serialize;

use super::{Outcome, parse_date_arg, print_json, print_table};
use crate::catalog::split_list;
use crate::model::{Column, Status};
use crate::store::{NewProject, Store};

/// The `project` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Create a project and its checklist for the AWS services it uses.
    Create {
        /// The project's name (unique, ignoring case).
        name: String,
        /// AWS service ids, comma-separated (see `lockstep services`).
        #[arg(long, value_name = "LIST", default_value = "")]
        services: String,
        /// What the audit scope covers.
        #[arg(long, default_value = "")]
        description: String,
        /// First day of the audit period.
        #[arg(long, value_name = "DATE", value_parser = parse_date_arg, requires = "period_end")]
        period_start: Option<NaiveDate>,
        /// Last day of the audit period.
        #[arg(long, value_name = "DATE", value_parser = parse_date_arg, requires = "period_start")]
        period_end: Option<NaiveDate>,
        /// Track an imported framework baseline (see `lockstep profile list`) instead of the
        /// built-in SRM set.
        #[arg(long, value_name = "NAME")]
        baseline: Option<String>,
    },
    /// List the projects.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Change the AWS services a project uses: controls are added, retired or restored.
    SetServices {
        /// The project's name.
        name: String,
        /// AWS service ids, comma-separated.
        #[arg(long, value_name = "LIST")]
        services: String,
    },
    /// Set a project's audit period (the dates AWS's reports must cover and the dashboard counts
    /// down to), or clear it with --clear.
    SetPeriod {
        /// The project's name.
        name: String,
        /// First day of the audit period.
        #[arg(long, value_name = "DATE", value_parser = parse_date_arg, requires = "period_end", conflicts_with = "clear")]
        period_start: Option<NaiveDate>,
        /// Last day of the audit period.
        #[arg(long, value_name = "DATE", value_parser = parse_date_arg, requires = "period_start", conflicts_with = "clear")]
        period_end: Option<NaiveDate>,
        /// Take the audit period away.
        #[arg(long, required_unless_present = "period_start")]
        clear: bool,
    },
    /// Move a project to an imported framework baseline, or back to the built-in SRM set with
    /// `srm`: controls it keeps keep their work, the others are retired.
    SetBaseline {
        /// The project's name.
        name: String,
        /// The baseline's name (see `lockstep profile list`), or `srm` for the built-in set.
        #[arg(long, value_name = "NAME")]
        baseline: String,
    },
}

/// The word that names the built-in SRM set where a baseline name is expected.
pub(super) const BUILTIN_SET: &str = "srm";

/// Prints how many controls a project holds in each column.
fn print_columns(store: &Store, verb: &str, project: &crate::model::Project) -> anyhow::Result<()> {
    let controls: Vec<_> = store
        .controls(project.key)?
        .into_iter()
        .filter(|c| !c.retired)
        .collect();
    let count = |column: Column| controls.iter().filter(|c| c.column == column).count();
    outln!(
        "{verb} project '{}' {}with {} controls (AWS {}, Shared {}, Customer {})",
        super::shown(&project.name),
        match &project.baseline {
            Some(name) => format!("on baseline '{}' ", super::shown(name)),
            None => String::new(),
        },
        controls.len(),
        count(Column::Aws),
        count(Column::Shared),
        count(Column::Customer)
    );
    Ok(())
}

#[derive(Serialize)]
struct ProjectRow {
    name: String,
    description: String,
    services: Vec<String>,
    period_start: Option<String>,
    period_end: Option<String>,
    #[serde(serialize_with = "crate::model::stamped::serialize")]
    created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<String>,
    controls: usize,
    implemented: usize,
    columns: serde_json::Value,
}

pub(super) fn run(store: &mut Store, command: ProjectCommand) -> Outcome {
    match command {
        ProjectCommand::Create {
            name,
            services,
            description,
            period_start,
            period_end,
            baseline,
        } => create(
            store,
            name,
            services,
            description,
            period_start,
            period_end,
            baseline,
        ),
        ProjectCommand::SetBaseline { name, baseline } => set_baseline(store, name, baseline),
        ProjectCommand::SetPeriod {
            name,
            period_start,
            period_end,
            ..
        } => set_period(store, name, period_start, period_end),
        ProjectCommand::List { json } => list(store, json),
        ProjectCommand::SetServices { name, services } => set_services(store, name, services),
    }
}

/// Create a project and its checklist for the AWS services it uses.
fn create(
    store: &mut Store,
    name: String,
    services: String,
    description: String,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    baseline: Option<String>,
) -> Outcome {
    let new = NewProject {
        name,
        description,
        services: split_list(&services),
        period_start,
        period_end,
    };
    let project = match baseline {
        Some(name) => {
            let summary = store.baseline(&name)?;
            let controls = store.baseline_controls(&summary.name)?;
            store.create_project_on_baseline(&new, &summary.name, &controls)?
        }
        None => store.create_project(&new)?,
    };
    print_columns(store, "created", &project)?;
    Ok(ExitCode::SUCCESS)
}

/// Move a project to an imported framework baseline, or back to the built-in SRM set with
/// `srm`: controls it keeps keep their work, the others are retired.
fn set_baseline(store: &mut Store, name: String, baseline: String) -> Outcome {
    let project = store.project_by_name(&name)?;
    let project = if baseline.trim().eq_ignore_ascii_case(BUILTIN_SET) {
        store.set_project_baseline(project.key, None)?
    } else {
        let summary = store.baseline(&baseline)?;
        let controls = store.baseline_controls(&summary.name)?;
        store.set_project_baseline(
            project.key,
            Some((summary.name.as_str(), controls.as_slice())),
        )?
    };
    print_columns(store, "moved", &project)?;
    Ok(ExitCode::SUCCESS)
}

/// Set a project's audit period (the dates AWS's reports must cover and the dashboard counts
/// down to), or clear it with --clear.
fn set_period(
    store: &mut Store,
    name: String,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
) -> Outcome {
    let project = store.project_by_name(&name)?;
    let project = store.set_project_period(project.key, period_start.zip(period_end))?;
    match project.period_start.zip(project.period_end) {
        Some((start, end)) => outln!(
            "project '{}' audits {start} to {end}",
            super::shown(&project.name)
        ),
        None => outln!(
            "project '{}' has no audit period",
            super::shown(&project.name)
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// List the projects.
fn list(store: &mut Store, json: bool) -> Outcome {
    let mut rows = Vec::new();
    for project in store.projects()? {
        let controls = store.controls(project.key)?;
        let active: Vec<_> = controls.iter().filter(|c| !c.retired).collect();
        let per_column = |column: Column| active.iter().filter(|c| c.column == column).count();
        rows.push(ProjectRow {
            name: project.name,
            description: project.description,
            services: project.services,
            period_start: project.period_start.map(|d| d.to_string()),
            period_end: project.period_end.map(|d| d.to_string()),
            created_at: project.created_at,
            baseline: project.baseline,
            controls: active.len(),
            implemented: active
                .iter()
                .filter(|c| c.status == Status::Implemented)
                .count(),
            columns: serde_json::json!({
                "aws": per_column(Column::Aws),
                "shared": per_column(Column::Shared),
                "customer": per_column(Column::Customer),
            }),
        });
    }
    if json {
        print_json(&rows)?;
    } else if rows.is_empty() {
        outln!(
            "no projects yet: create one with `lockstep project create NAME --services ec2,rds,s3`"
        );
    } else {
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    format!("{}/{}", p.implemented, p.controls),
                    match (&p.period_start, &p.period_end) {
                        (Some(start), Some(end)) => format!("{start}..{end}"),
                        _ => "-".to_string(),
                    },
                    p.services.join(","),
                ]
            })
            .collect();
        print_table(&["NAME", "IMPLEMENTED", "PERIOD", "SERVICES"], &table)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Change the AWS services a project uses: controls are added, retired or restored.
fn set_services(store: &mut Store, name: String, services: String) -> Outcome {
    let project = store.project_by_name(&name)?;
    let before = store.controls(project.key)?;
    let project = store.set_project_services(project.key, &split_list(&services))?;
    let after = store.controls(project.key)?;
    let newly = |retired: bool| {
        after
            .iter()
            .filter(|c| {
                c.retired == retired
                    && before
                        .iter()
                        .find(|b| b.id == c.id)
                        .is_none_or(|b| b.retired != retired)
            })
            .count()
    };
    outln!(
        "project '{}' now uses {}: {} controls in scope, {} retired, {} newly retired",
        project.name,
        if project.services.is_empty() {
            "no services".to_string()
        } else {
            project.services.join(",")
        },
        after.iter().filter(|c| !c.retired).count(),
        after.iter().filter(|c| c.retired).count(),
        newly(true)
    );
    Ok(ExitCode::SUCCESS)
}

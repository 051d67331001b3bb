//! `lockstep asset`: add the things a project patches, and list them.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{Outcome, print_json, print_table, shown};
use crate::model::{AssetKind, InventoryFact, ManagedBy};
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
    /// Give what the inventory states of an asset; an empty value clears a fact.
    Set(Box<InventoryArgs>),
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

/// The inventory facts `asset set` gives.
#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// The project's name.
    #[arg(long)]
    project: String,
    /// The asset's name.
    asset: String,
    /// FedRAMP's asset type: operating-system, database, web-server, dns-server, email-server,
    /// directory-server, pbx, firewall, router, switch or storage-array (default: from its kind).
    #[arg(long, value_name = "TYPE")]
    asset_type: Option<String>,
    /// Whether it is virtual: yes or no.
    #[arg(long, value_name = "yes|no")]
    r#virtual: Option<String>,
    /// Whether it is reachable from the internet: yes or no.
    #[arg(long, value_name = "yes|no")]
    public: Option<String>,
    /// How it is scanned: infrastructure, database, web or other.
    #[arg(long, value_name = "TYPE")]
    scan_type: Option<String>,
    /// Whether scans log in to it: yes or no.
    #[arg(long, value_name = "yes|no")]
    authenticated_scan: Option<String>,
    /// Whether it is scanned: yes or no.
    #[arg(long, value_name = "yes|no")]
    scanned: Option<String>,
    /// The baseline configuration it is built to.
    #[arg(long, value_name = "NAME")]
    baseline_configuration: Option<String>,
    /// Who makes it.
    #[arg(long, value_name = "NAME")]
    vendor: Option<String>,
    /// Its model or instance type.
    #[arg(long, value_name = "MODEL")]
    model: Option<String>,
    /// The software it runs.
    #[arg(long, value_name = "NAME")]
    software: Option<String>,
    /// That software's version.
    #[arg(long, value_name = "VERSION")]
    software_version: Option<String>,
    /// What it does in the system.
    #[arg(long, value_name = "TEXT")]
    function: Option<String>,
    /// Its IPv4 address.
    #[arg(long, value_name = "ADDRESS")]
    ipv4: Option<String>,
    /// Its IPv6 address.
    #[arg(long, value_name = "ADDRESS")]
    ipv6: Option<String>,
}

pub(super) fn run(store: &mut Store, command: AssetCommand) -> Outcome {
    match command {
        AssetCommand::Add {
            project,
            asset,
            kind,
            managed_by,
            environment,
        } => add(store, project, asset, kind, managed_by, environment),
        AssetCommand::Set(args) => set(store, args),
        AssetCommand::List { project, json } => list(store, project, json),
    }
}

/// Add an asset to a project: something patched, and who patches it.
fn add(
    store: &mut Store,
    project: String,
    asset: String,
    kind: String,
    managed_by: String,
    environment: String,
) -> Outcome {
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
    Ok(ExitCode::SUCCESS)
}

/// Give what the inventory states of an asset; an empty value clears a fact.
fn set(store: &mut Store, args: Box<InventoryArgs>) -> Outcome {
    let InventoryArgs {
        project,
        asset,
        asset_type,
        r#virtual,
        public,
        scan_type,
        authenticated_scan,
        scanned,
        baseline_configuration,
        vendor,
        model,
        software,
        software_version,
        function,
        ipv4,
        ipv6,
    } = *args;
    let given: Vec<(InventoryFact, String)> = [
        (InventoryFact::AssetType, asset_type),
        (InventoryFact::Virtual, r#virtual),
        (InventoryFact::Public, public),
        (InventoryFact::ScanType, scan_type),
        (InventoryFact::AuthenticatedScan, authenticated_scan),
        (InventoryFact::Scanned, scanned),
        (InventoryFact::BaselineConfiguration, baseline_configuration),
        (InventoryFact::Vendor, vendor),
        (InventoryFact::Model, model),
        (InventoryFact::Software, software),
        (InventoryFact::SoftwareVersion, software_version),
        (InventoryFact::Function, function),
        (InventoryFact::Ipv4, ipv4),
        (InventoryFact::Ipv6, ipv6),
    ]
    .into_iter()
    .filter_map(|(fact, value)| value.map(|v| (fact, v)))
    .collect();
    if given.is_empty() {
        anyhow::bail!(
            "give at least one fact, such as --virtual yes or --scan-type infrastructure (see `lockstep asset set --help`)"
        );
    }
    let project = store.project_by_name(&project)?;
    let asset = store.set_asset_inventory(project.key, &asset, &given)?;
    let missing: Vec<&str> = asset
        .inventory
        .missing(asset.kind)
        .into_iter()
        .map(InventoryFact::as_str)
        .collect();
    if missing.is_empty() {
        outln!(
            "{}: the inventory states all FedRAMP asks of it",
            shown(&asset.name)
        );
    } else {
        outln!(
            "{}: the inventory still needs {}",
            shown(&asset.name),
            missing.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// List a project's assets with counts of their patch records.
fn list(store: &mut Store, project: String, json: bool) -> Outcome {
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
    Ok(ExitCode::SUCCESS)
}

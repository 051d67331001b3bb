//! `lockstep system`: the facts about a project's system that an authorization package
//! states (FedRAMP id, short name, description, cloud service and deployment model,
//! authorization type, IAL/AAL/FAL, and the security objectives), given and shown.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde::Serialize;

use super::{Outcome, print_json, print_table, shown};
use crate::model::{SystemFact, SystemFacts, SystemUser};
use crate::store::Store;

/// The `system` subcommands.
#[derive(Debug, Subcommand)]
pub enum SystemCommand {
    /// Give or change facts about the project's system; an empty value clears one.
    Set(Box<SetArgs>),
    /// Show the facts given and those still missing.
    Show {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Describe, list and remove the kinds of people who use the system.
    #[command(subcommand)]
    User(UserCommand),
}

/// The `system user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Describe a kind of user (replacing the one of the same title).
    Add {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// What the user is called, such as "System administrator".
        title: String,
        /// A role it holds: control-owner, provider, or a role of the system such as
        /// system-owner (repeat, or separate with commas).
        #[arg(long = "role", value_name = "ROLE", required = true)]
        roles: Vec<String>,
        /// internal, external or general-public.
        #[arg(long = "type", value_name = "TYPE")]
        user_type: String,
        /// privileged, non-privileged or no-logical-access.
        #[arg(long, value_name = "LEVEL")]
        privilege: String,
        /// The sensitivity of the position: high-risk, severe, moderate, limited or
        /// not-applicable.
        #[arg(long, value_name = "LEVEL")]
        sensitivity: String,
        /// A function it performs (repeat for each).
        #[arg(long = "function", value_name = "TEXT", required = true)]
        functions: Vec<String>,
    },
    /// List the users described.
    List {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove a user.
    Remove {
        /// The project's name.
        #[arg(long)]
        project: String,
        /// The user's title.
        title: String,
    },
}

/// The facts `system set` gives.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The project's name.
    #[arg(long)]
    project: String,
    /// The FedRAMP package id.
    #[arg(long, value_name = "ID")]
    fedramp_id: Option<String>,
    /// The system's short name.
    #[arg(long, value_name = "NAME")]
    short_name: Option<String>,
    /// What the system is and does (FedRAMP asks for at least 32 words).
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
    /// saas, paas, iaas or other.
    #[arg(long, value_name = "MODEL")]
    service_model: Option<String>,
    /// public-cloud, government-only-cloud, hybrid-cloud, private-cloud or other.
    #[arg(long, value_name = "MODEL")]
    deployment_model: Option<String>,
    /// fedramp-jab, fedramp-agency or fedramp-li-saas.
    #[arg(long, value_name = "TYPE")]
    authorization_type: Option<String>,
    /// Identity assurance level: 1, 2 or 3.
    #[arg(long, value_name = "LEVEL")]
    ial: Option<String>,
    /// Authenticator assurance level: 1, 2 or 3.
    #[arg(long, value_name = "LEVEL")]
    aal: Option<String>,
    /// Federation assurance level: 1, 2 or 3.
    #[arg(long, value_name = "LEVEL")]
    fal: Option<String>,
    /// The confidentiality objective: low, moderate or high.
    #[arg(long, value_name = "LEVEL")]
    confidentiality: Option<String>,
    /// The integrity objective: low, moderate or high.
    #[arg(long, value_name = "LEVEL")]
    integrity: Option<String>,
    /// The availability objective: low, moderate or high.
    #[arg(long, value_name = "LEVEL")]
    availability: Option<String>,
    /// The FedRAMP package id of the AWS authorization the system leverages (AWS publishes
    /// one per partition, such as its US East/West and GovCloud packages).
    #[arg(long, value_name = "ID")]
    aws_fedramp_id: Option<String>,
}

/// The facts as `system show --json` prints them.
#[derive(Debug, Serialize)]
struct Shown<'a> {
    project: &'a str,
    facts: &'a SystemFacts,
    missing: Vec<&'static str>,
}

pub(super) fn run(store: &mut Store, command: SystemCommand) -> Outcome {
    match command {
        SystemCommand::Set(args) => set(store, args),
        SystemCommand::Show { project, json } => show(store, project, json),
        SystemCommand::User(command) => {
            users(store, command)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Give or change facts about the project's system; an empty value clears one.
fn set(store: &mut Store, args: Box<SetArgs>) -> Outcome {
    let SetArgs {
        project,
        fedramp_id,
        short_name,
        description,
        service_model,
        deployment_model,
        authorization_type,
        ial,
        aal,
        fal,
        confidentiality,
        integrity,
        availability,
        aws_fedramp_id,
    } = *args;
    let given: Vec<(SystemFact, String)> = [
        (SystemFact::FedrampId, fedramp_id),
        (SystemFact::ShortName, short_name),
        (SystemFact::Description, description),
        (SystemFact::ServiceModel, service_model),
        (SystemFact::DeploymentModel, deployment_model),
        (SystemFact::AuthorizationType, authorization_type),
        (SystemFact::Ial, ial),
        (SystemFact::Aal, aal),
        (SystemFact::Fal, fal),
        (SystemFact::Confidentiality, confidentiality),
        (SystemFact::Integrity, integrity),
        (SystemFact::Availability, availability),
        (SystemFact::AwsFedrampId, aws_fedramp_id),
    ]
    .into_iter()
    .filter_map(|(fact, value)| value.map(|v| (fact, v)))
    .collect();
    if given.is_empty() {
        anyhow::bail!(
            "give at least one fact to set, such as --fedramp-id or --service-model (see `lockstep system set --help`)"
        );
    }
    let project = store.project_by_name(&project)?;
    let before = store.system_facts(project.key)?;
    let after = store.set_system_facts(project.key, &given)?;
    if before == after {
        outln!("nothing changed for '{}'", shown(&project.name));
    } else {
        for fact in SystemFact::ALL {
            if before.get(fact) != after.get(fact) {
                outln!(
                    "{}: {}",
                    fact.as_str(),
                    shown(after.get(fact).unwrap_or("(cleared)"))
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Show the facts given and those still missing.
fn show(store: &mut Store, project: String, json: bool) -> Outcome {
    let project = store.project_by_name(&project)?;
    let facts = store.system_facts(project.key)?;
    let missing: Vec<&'static str> = facts
        .missing()
        .into_iter()
        .map(SystemFact::as_str)
        .collect();
    if json {
        print_json(&Shown {
            project: &project.name,
            facts: &facts,
            missing,
        })?;
    } else {
        let rows: Vec<Vec<String>> = SystemFact::ALL
            .into_iter()
            .map(|fact| {
                vec![
                    fact.as_str().to_string(),
                    facts.get(fact).unwrap_or("(not given)").to_string(),
                ]
            })
            .collect();
        print_table(&["FACT", "VALUE"], &rows)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn users(store: &mut Store, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            project,
            title,
            roles,
            user_type,
            privilege,
            sensitivity,
            functions,
        } => {
            let user = SystemUser::checked(
                &title,
                &roles,
                &user_type,
                &privilege,
                &sensitivity,
                &functions,
            )
            .map_err(|e| anyhow::anyhow!(e))?;
            let project = store.project_by_name(&project)?;
            let user = store.set_system_user(project.key, &user)?;
            outln!(
                "system user {}: {} ({}, {}), {}",
                shown(&user.title),
                user.roles.join(", "),
                user.user_type,
                user.privilege,
                user.sensitivity
            );
        }
        UserCommand::List { project, json } => {
            let project = store.project_by_name(&project)?;
            let users = store.system_users(project.key)?;
            if json {
                print_json(&users)?;
            } else if users.is_empty() {
                outln!(
                    "no system users described for '{}': add one with `lockstep system user add`",
                    shown(&project.name)
                );
            } else {
                let rows: Vec<Vec<String>> = users
                    .iter()
                    .map(|u| {
                        vec![
                            u.title.clone(),
                            u.roles.join(", "),
                            u.user_type.clone(),
                            u.privilege.clone(),
                            u.sensitivity.clone(),
                            u.functions.join("; "),
                        ]
                    })
                    .collect();
                print_table(
                    &[
                        "USER",
                        "ROLES",
                        "TYPE",
                        "PRIVILEGE",
                        "SENSITIVITY",
                        "FUNCTIONS",
                    ],
                    &rows,
                )?;
            }
        }
        UserCommand::Remove { project, title } => {
            let project = store.project_by_name(&project)?;
            let user = store.remove_system_user(project.key, &title)?;
            outln!("removed system user {}", shown(&user.title));
        }
    }
    Ok(())
}
